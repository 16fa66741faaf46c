/* twinctl watch: a broker's Sparkplug B traffic, as twins. A passive
   listener: it subscribes, decodes every message through a libtwin-mqtt
   Host Application session (aliases to names, seq checks, deaths to stale
   twins) and prints it, but publishes nothing: no STATE (edges that wait
   for a primary host must not take a watcher for it) and no rebirth
   request (watching must not make edges rebirth). Built without
   libtwin-mqtt's libmosquitto client, the command says so. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "json.h"
#include "mem.h"

#include <string.h>

static const char help[] =
    "Usage: twinctl watch --broker HOST:PORT [OPTIONS]\n"
    "\n"
    "Watch the Sparkplug B traffic of an MQTT broker as twins: node and device\n"
    "births and deaths, metric updates by name (aliases resolved from the\n"
    "births) with their values and units, seq gaps, and the twins a death\n"
    "makes stale. A passive listener: it publishes nothing, neither a STATE\n"
    "(an edge waiting for its primary host must not take a watcher for it)\n"
    "nor a rebirth request; DATA from a node whose birth it did not see is\n"
    "shown as such. Stops after --count messages or --seconds, or when\n"
    "interrupted, and prints a summary.\n"
    "\n"
    "Options:\n"
    "  --broker HOST:PORT  the broker (plain MQTT)\n"
    "  --group G           only the Sparkplug group G (default: every group)\n"
    "  --count N           stop after N messages\n"
    "  --seconds S         stop after S seconds\n"
    "  --json              one JSON object a message (and a last one, the summary)\n"
    "  -h, --help          show this help\n";

#ifdef TWINCTL_HAVE_MQTT
#include <twin/sparkplug.h>

#include <errno.h>
#include <math.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* The unit of each metric, from the births: "group/node/device/name". */
typedef struct unit_map {
    char **keys, **units;
    size_t cap, n;
} unit_map;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void unit_put(unit_map *m, const char *key, const char *unit, size_t ulen)
{
    size_t i;
    if (2 * (m->n + 1) > m->cap) {
        unit_map bigger = {0};
        bigger.cap = m->cap ? 2 * m->cap : 256;
        bigger.keys = xmalloc(bigger.cap * sizeof *bigger.keys);
        bigger.units = xmalloc(bigger.cap * sizeof *bigger.units);
        memset(bigger.keys, 0, bigger.cap * sizeof *bigger.keys);
        for (i = 0; i < m->cap; i++) {
            size_t j;
            if (!m->keys[i]) continue;
            for (j = fnv(m->keys[i]) & (bigger.cap - 1); bigger.keys[j];
                 j = (j + 1) & (bigger.cap - 1))
                ;
            bigger.keys[j] = m->keys[i];
            bigger.units[j] = m->units[i];
            bigger.n++;
        }
        free(m->keys);
        free(m->units);
        *m = bigger;
    }
    for (i = fnv(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0) {
            free(m->units[i]);
            m->units[i] = xstrndup(unit, ulen);
            return;
        }
    m->keys[i] = xstrdup(key);
    m->units[i] = xstrndup(unit, ulen);
    m->n++;
}

static const char *unit_get(const unit_map *m, const char *key)
{
    size_t i;
    if (!m->cap) return NULL;
    for (i = fnv(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0) return m->units[i];
    return NULL;
}

static void unit_free(unit_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            free(m->keys[i]);
            free(m->units[i]);
        }
    free(m->keys);
    free(m->units);
}

/* A twin (device) seen: its node, and whether it is online. */
typedef struct seen_twin {
    char *group, *node, *twin;
    int online;
} seen_twin;

/* A node's last seq, to name the one a gap skipped. */
typedef struct seen_node {
    char *group, *node;
    int last;  /* -1: unknown (no message with a seq yet) */
} seen_node;

typedef struct watch {
    twin_sp_host *host;
    seen_node *nodes;
    size_t nnodes, capnodes;
    unit_map units;
    seen_twin *twins;
    size_t ntwins, captwins;
    int json;
    /* the message being handed to the session */
    FILE *buf;
    char *bufp;
    size_t buflen;
    size_t nmetrics;
    char *stale;        /* twins a death made stale, space-separated */
    size_t nstale, stale_len;
    /* counts */
    unsigned long long messages, births, deaths, data, gaps, before_birth, malformed, states;
    unsigned long long metrics;
    unsigned long count;
    int connected, connect_failed, subscribed;
    const char *group;
} watch;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static seen_twin *find_twin(watch *w, const char *group, const char *node, const char *twin)
{
    for (size_t k = 0; k < w->ntwins; k++)
        if (strcmp(w->twins[k].twin, twin) == 0 && strcmp(w->twins[k].node, node) == 0 &&
            strcmp(w->twins[k].group, group) == 0)
            return &w->twins[k];
    return NULL;
}

/* The seq expected from a node (-1: unknown), and note the one it sent. */
static int seq_check(watch *w, const char *group, const char *node, int type, int has_seq,
                     uint64_t seq)
{
    seen_node *n = NULL;
    int expected;
    for (size_t k = 0; k < w->nnodes; k++)
        if (strcmp(w->nodes[k].node, node) == 0 && strcmp(w->nodes[k].group, group) == 0)
            n = &w->nodes[k];
    if (!n) {
        xgrow((void **)&w->nodes, &w->capnodes, w->nnodes + 1, sizeof *w->nodes);
        n = &w->nodes[w->nnodes++];
        n->group = xstrdup(group);
        n->node = xstrdup(node);
        n->last = -1;
    }
    if (type == TWIN_SP_NDEATH) {  /* no seq; the next session starts at 0 */
        n->last = -1;
        return -1;
    }
    if (!has_seq) return -1;
    expected = type == TWIN_SP_NBIRTH ? 0 : n->last < 0 ? -1 : (n->last + 1) % 256;
    n->last = (int)(seq % 256);
    return expected;
}

static void twin_id_of(const char *device, char *buf, size_t cap)
{
    if (twin_sp_id_unescape(buf, cap, NULL, device, strlen(device)) != TWIN_OK)
        snprintf(buf, cap, "%s", device);  /* not ours: shown as it is */
}

static const char *type_name(int t)
{
    static const char *const names[] = {"?", "NBIRTH", "NDEATH", "DBIRTH", "DDEATH",
                                        "NDATA", "DDATA", "NCMD", "DCMD", "STATE"};
    return t >= 1 && t <= 9 ? names[t] : "?";
}

/* "2024-06-01T01:00:00.000Z" */
static void format_ms(char *buf, size_t cap, uint64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&s, &tm) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(buf, cap, "%llu ms", (unsigned long long)ms);
        return;
    }
    snprintf(buf + strlen(buf), cap - strlen(buf), ".%03uZ", (unsigned)(ms % 1000));
}

/* A metric's value, as JSON; in the text form (`text`), numbers with six
   significant digits. */
static void write_value(FILE *f, const twin_sp_metric *m, int text)
{
    double d;
    char num[40];
    if (m->flags & TWIN_SP_NULL) {
        fputs("null", f);
        return;
    }
    switch (m->datatype) {
    case TWIN_SP_BOOLEAN: fputs(m->value.u ? "true" : "false", f); return;
    case TWIN_SP_INT8: case TWIN_SP_INT16: case TWIN_SP_INT32: case TWIN_SP_INT64:
        fprintf(f, "%lld", (long long)m->value.i);
        return;
    case TWIN_SP_UINT8: case TWIN_SP_UINT16: case TWIN_SP_UINT32: case TWIN_SP_UINT64:
    case TWIN_SP_DATETIME:
        fprintf(f, "%llu", (unsigned long long)m->value.u);
        return;
    case TWIN_SP_STRING: case TWIN_SP_TEXT: case TWIN_SP_UUID:
        json_write_string(f, (const char *)m->data, m->len);
        return;
    default: break;
    }
    if (twin_sp_metric_to_double(m, &d) == TWIN_OK) {
        if (isfinite(d) && text) {
            fprintf(f, "%.6g", d);
        } else if (isfinite(d)) {
            json_format_double(num, sizeof num, d);
            fputs(num, f);
        } else {
            fputs("null", f);
        }
        return;
    }
    if (m->datatype == TWIN_SP_DATASET || m->datatype == TWIN_SP_TEMPLATE)
        fprintf(f, "\"<%s, %u bytes, not decoded>\"",
                m->datatype == TWIN_SP_DATASET ? "dataset" : "template", m->len);
    else
        fprintf(f, "\"<%u bytes>\"", m->len);
}

/* The engUnit property of a BIRTH's metric, or NULL. */
static int eng_unit(const twin_sp_metric *m, const char **unit, size_t *len)
{
    twin_sp_property p[16];
    size_t n = 0;
    if (!(m->flags & TWIN_SP_HAS_PROPERTIES)) return 0;
    if (twin_sp_properties_decode(m->properties, m->properties_len, p, 16, &n, NULL) != TWIN_OK)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (p[k].key_len == 7 && memcmp(p[k].key, "engUnit", 7) == 0 &&
            p[k].field == TWIN_SP_FIELD_STRING) {
            *unit = (const char *)p[k].data;
            *len = p[k].len;
            return 1;
        }
    return 0;
}

static void add_stale(watch *w, const char *twin)
{
    size_t n = strlen(twin);
    w->stale = xrealloc(w->stale, w->stale_len + n + 2);
    if (w->stale_len) w->stale[w->stale_len++] = ' ';
    memcpy(w->stale + w->stale_len, twin, n + 1);
    w->stale_len += n;
    w->nstale++;
}

static void on_event(void *ud, const twin_sp_host_event *ev)
{
    watch *w = ud;
    char twin[TWIN_ID_MAX + 1], key[4 * TWIN_ID_MAX];
    seen_twin *t;
    if (ev->device) twin_id_of(ev->device, twin, sizeof twin);
    switch (ev->kind) {
    case TWIN_SP_EVENT_DEVICE_ONLINE:
        if (!(t = find_twin(w, ev->group, ev->node, twin))) {
            xgrow((void **)&w->twins, &w->captwins, w->ntwins + 1, sizeof *w->twins);
            t = &w->twins[w->ntwins++];
            t->group = xstrdup(ev->group);
            t->node = xstrdup(ev->node);
            t->twin = xstrdup(twin);
        }
        t->online = 1;
        break;
    case TWIN_SP_EVENT_DEVICE_STALE:
        if ((t = find_twin(w, ev->group, ev->node, twin)) != NULL) t->online = 0;
        add_stale(w, twin);
        break;
    case TWIN_SP_EVENT_METRIC: {
        const twin_sp_metric *m = ev->metric;
        const char *unit = NULL;
        size_t ulen = 0;
        char name[TWIN_ID_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)m->name_len, m->name ? m->name : "");
        snprintf(key, sizeof key, "%s/%s/%s/%s", ev->group, ev->node, ev->device ? twin : "",
                 name);
        if ((ev->msg == TWIN_SP_NBIRTH || ev->msg == TWIN_SP_DBIRTH) &&
            eng_unit(m, &unit, &ulen))
            unit_put(&w->units, key, unit, ulen);
        unit = unit_get(&w->units, key);
        w->metrics++;
        if (w->json) {
            fputs(w->nmetrics ? "," : "", w->buf);
            fputs("{\"name\":", w->buf);
            json_write_cstr(w->buf, name);
            fputs(",\"value\":", w->buf);
            write_value(w->buf, m, 0);
            if (unit && *unit) {
                fputs(",\"unit\":", w->buf);
                json_write_cstr(w->buf, unit);
            }
            if (m->flags & TWIN_SP_HAS_TIMESTAMP)
                fprintf(w->buf, ",\"timestamp\":%llu", (unsigned long long)m->timestamp);
            if (m->flags & TWIN_SP_HISTORICAL) fputs(",\"historical\":true", w->buf);
            fputc('}', w->buf);
        } else {
            fprintf(w->buf, "\n    %s = ", name);
            write_value(w->buf, m, 1);
            if (unit && *unit) fprintf(w->buf, " %s", unit);
            if ((m->flags & TWIN_SP_HAS_TIMESTAMP) && ev->msg != TWIN_SP_NBIRTH &&
                ev->msg != TWIN_SP_DBIRTH) {
                char ts[80];
                format_ms(ts, sizeof ts, m->timestamp);
                fprintf(w->buf, "  @%s", ts);
            }
            if (m->flags & TWIN_SP_HISTORICAL) fputs("  (historical)", w->buf);
        }
        w->nmetrics++;
        break;
    }
    default: break;
    }
}

/* Hand one message to the session and print it. */
static void show(watch *w, const char *topic, const void *payload, size_t plen)
{
    twin_sp_topic tp;
    twin_sp_payload p;
    twin_sp_host_stats before, after;
    twin_status s;
    char twin[TWIN_ID_MAX + 1] = "", group[TWIN_ID_MAX + 1] = "", node[TWIN_ID_MAX + 1] = "";
    int has_seq = 0, expected, gap;
    const char *problem = NULL;

    w->messages++;
    if (twin_sp_topic_parse(topic, strlen(topic), &tp) != TWIN_OK) {
        w->malformed++;
        if (w->json) {
            fputs("{\"type\":\"malformed\",\"topic\":", stdout);
            json_write_cstr(stdout, topic);
            fputs("}\n", stdout);
        } else {
            printf("?       %s: not a Sparkplug B topic\n", topic);
        }
        return;
    }
    if (tp.group) snprintf(group, sizeof group, "%.*s", (int)tp.group_len, tp.group);
    snprintf(node, sizeof node, "%.*s", (int)tp.node_len, tp.node);
    if (tp.device) {
        char dev[TWIN_ID_MAX + 1];
        snprintf(dev, sizeof dev, "%.*s", (int)tp.device_len, tp.device);
        twin_id_of(dev, twin, sizeof twin);
    }
    if (tp.type == TWIN_SP_STATE) {
        /* a host's JSON state: shown as it is */
        w->states++;
        if (w->json) {
            fputs("{\"type\":\"STATE\",\"host\":", stdout);
            json_write_cstr(stdout, node);
            fputs(",\"payload\":", stdout);
            json_write_string(stdout, payload, plen);
            fputs("}\n", stdout);
        } else {
            printf("STATE   host %s: %.*s\n", node, (int)plen, (const char *)payload);
        }
        return;
    }
    if (tp.type == TWIN_SP_NCMD || tp.type == TWIN_SP_DCMD) {
        if (w->json) {
            printf("{\"type\":\"%s\",\"group\":", type_name(tp.type));
            json_write_cstr(stdout, group);
            fputs(",\"node\":", stdout);
            json_write_cstr(stdout, node);
            fputs("}\n", stdout);
        } else {
            printf("%-7s %s/%s%s%s: a command (not decoded by a watcher)\n", type_name(tp.type),
                   group, node, *twin ? " twin " : "", twin);
        }
        return;
    }
    if (twin_sp_decode(payload, plen, &p, NULL, 0, NULL) != TWIN_E_PARSE)
        has_seq = (p.flags & TWIN_SP_PAYLOAD_HAS_SEQ) != 0;
    expected = seq_check(w, group, node, tp.type, has_seq, has_seq ? p.seq : 0);
    gap = expected >= 0 && (uint64_t)expected != p.seq;

    w->buf = open_memstream(&w->bufp, &w->buflen);
    if (!w->buf) {
        cli_error("out of memory");
        exit(1);
    }
    w->nmetrics = 0;
    w->nstale = 0;
    w->stale_len = 0;
    before.size = after.size = sizeof before;
    twin_sp_host_get_stats(w->host, &before);
    s = twin_sp_host_receive(w->host, topic, strlen(topic), payload, plen, 0);
    twin_sp_host_get_stats(w->host, &after);
    fclose(w->buf);
    w->buf = NULL;

    if (s == TWIN_E_PARSE) problem = "malformed payload", w->malformed++;
    else if (s == TWIN_E_STATE) problem = "before its BIRTH, which this watcher did not see",
        w->before_birth++;
    else if (after.unknown_alias > before.unknown_alias) problem = "unknown alias";
    else if (after.wrong_type > before.wrong_type) problem = "a metric of the wrong type";
    if (gap) w->gaps++;
    if (s == TWIN_OK) {
        if (tp.type == TWIN_SP_NBIRTH || tp.type == TWIN_SP_DBIRTH) w->births++;
        else if (tp.type == TWIN_SP_NDEATH || tp.type == TWIN_SP_DDEATH) w->deaths++;
        else w->data++;
    }

    if (w->json) {
        printf("{\"type\":\"%s\",\"group\":", type_name(tp.type));
        json_write_cstr(stdout, group);
        fputs(",\"node\":", stdout);
        json_write_cstr(stdout, node);
        if (*twin) {
            fputs(",\"twin\":", stdout);
            json_write_cstr(stdout, twin);
        }
        if (has_seq) printf(",\"seq\":%llu", (unsigned long long)p.seq);
        if (gap) printf(",\"seq_gap\":true,\"expected_seq\":%d", expected);
        if (problem) {
            fputs(",\"problem\":", stdout);
            json_write_cstr(stdout, problem);
        }
        printf(",\"metrics\":[%s]", w->bufp ? w->bufp : "");
        if (w->nstale) {
            fputs(",\"stale\":[", stdout);
            for (char *q = w->stale, *e; q && *q; q = e) {
                size_t n = strcspn(q, " ");
                e = q + n + (q[n] == ' ');
                json_write_string(stdout, q, n);
                if (*e) fputc(',', stdout);
            }
            fputc(']', stdout);
        }
        fputs("}\n", stdout);
    } else {
        printf("%-7s %s/%s", type_name(tp.type), group, node);
        if (*twin) printf(" twin %s", twin);
        if (has_seq) printf("  seq %llu", (unsigned long long)p.seq);
        if (gap) printf("  SEQ GAP (expected %d: a message lost or reordered)", expected);
        if (problem) printf("  (%s)", problem);
        if (w->nstale)
            printf("\n    stale: %zu twin%s: %s", w->nstale, w->nstale == 1 ? "" : "s", w->stale);
        printf("%s\n", w->bufp ? w->bufp : "");
    }
    free(w->bufp);
    w->bufp = NULL;
    fflush(stdout);
}

static void on_connect(struct mosquitto *mq, void *ud, int rc)
{
    watch *w = ud;
    char topic[256];
    if (rc != 0) {
        w->connect_failed = 1;
        return;
    }
    w->connected = 1;
    if (w->group) snprintf(topic, sizeof topic, "%s/%s/#", TWIN_SP_NAMESPACE, w->group);
    else snprintf(topic, sizeof topic, "%s/#", TWIN_SP_NAMESPACE);
    mosquitto_subscribe(mq, NULL, topic, 1);
    if (w->group) mosquitto_subscribe(mq, NULL, TWIN_SP_NAMESPACE "/STATE/+", 1);
}

static void on_subscribe(struct mosquitto *mq, void *ud, int mid, int n, const int *granted)
{
    (void)mq;
    (void)mid;
    (void)n;
    (void)granted;
    watch *w = ud;
    if (!w->subscribed)  /* on standard error: a script may wait for it */
        fprintf(stderr, "twinctl watch: subscribed to %s/%s%s\n", TWIN_SP_NAMESPACE,
                w->group ? w->group : "#", w->group ? "/# and STATE" : "");
    w->subscribed = 1;
}

static void on_message(struct mosquitto *mq, void *ud, const struct mosquitto_message *m)
{
    watch *w = ud;
    (void)mq;
    if (w->count && w->messages >= w->count) return;
    show(w, m->topic, m->payload ? m->payload : "", (size_t)m->payloadlen);
}

static void summary(watch *w, double secs)
{
    size_t online = 0;
    for (size_t k = 0; k < w->ntwins; k++) online += w->twins[k].online != 0;
    if (w->json) {
        printf("{\"type\":\"summary\",\"messages\":%llu,\"seconds\":%.3f,\"births\":%llu,"
               "\"deaths\":%llu,\"data\":%llu,\"metrics\":%llu,\"seq_gaps\":%llu,"
               "\"before_birth\":%llu,\"malformed\":%llu,\"twins\":%zu,\"online\":%zu,"
               "\"stale\":%zu}\n",
               w->messages, secs, w->births, w->deaths, w->data, w->metrics, w->gaps,
               w->before_birth, w->malformed, w->ntwins, online, w->ntwins - online);
    } else {
        printf("watch: %llu messages in %.1f s: %llu births, %llu deaths, %llu data (%llu "
               "metrics), %llu STATE; %llu seq gaps, %llu before a birth, %llu malformed; "
               "%zu twins seen, %zu online, %zu stale\n",
               w->messages, secs, w->births, w->deaths, w->data, w->metrics, w->states, w->gaps,
               w->before_birth, w->malformed, w->ntwins, online, w->ntwins - online);
    }
}

int cmd_watch(int argc, char **argv)
{
    const char *broker = NULL, *group = NULL, *v;
    unsigned long count = 0;
    double seconds = 0, t0, deadline, next_try = 0;
    int json = 0, i, r, rc = 0, port;
    char host[256], id[64];
    const char *colon;
    char *end;
    watch w;
    twin_sp_host_options ho;
    struct mosquitto *mq;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--broker", NULL, &broker)) != 0) {
            if (r < 0) return EXIT_USAGE;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--group", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (!*v || strpbrk(v, "/+#"))
                return cli_usage(argv[0], "--group: a Sparkplug group identifier, not '%s'", v);
            group = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--count", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 1, 1000000000, &count) != 0)
                return cli_usage(argv[0], "--count: a number of messages, not '%s'", v);
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--seconds", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_double(v, 0.001, 1e7, &seconds) != 0)
                return cli_usage(argv[0], "--seconds: a positive number, not '%s'", v);
        } else {
            return cli_usage(argv[0], "unknown argument '%s'", a);
        }
    }
    if (!broker) return cli_usage(argv[0], "--broker HOST:PORT is needed");
    colon = strrchr(broker, ':');
    if (!colon || colon == broker || (size_t)(colon - broker) >= sizeof host)
        return cli_usage(argv[0], "--broker HOST:PORT, not '%s'", broker);
    errno = 0;
    port = (int)strtol(colon + 1, &end, 10);
    if (*end || errno || port < 1 || port > 65535)
        return cli_usage(argv[0], "--broker HOST:PORT: a port from 1 to 65535, not '%s'",
                         colon + 1);
    memcpy(host, broker, (size_t)(colon - broker));
    host[colon - broker] = 0;

    memset(&w, 0, sizeof w);
    w.group = group;
    w.json = json;
    w.count = count;
    twin_sp_host_options_init(&ho);
    ho.host_id = "twinctl-watch";  /* never published: the session only decodes */
    ho.on_event = on_event;
    ho.event_ud = &w;
    if (twin_sp_host_create(&w.host, &ho) != TWIN_OK) return cli_error("out of memory");

    mosquitto_lib_init();
    snprintf(id, sizeof id, "twinctl-watch-%ld", (long)getpid());
    if (!(mq = mosquitto_new(id, true, &w))) {
        twin_sp_host_destroy(w.host);
        mosquitto_lib_cleanup();
        return cli_error("watch: cannot create an MQTT client");
    }
    mosquitto_connect_callback_set(mq, on_connect);
    mosquitto_subscribe_callback_set(mq, on_subscribe);
    mosquitto_message_callback_set(mq, on_message);
    cli_on_stop(on_signal);
    t0 = cli_now();
    deadline = seconds > 0 ? t0 + seconds : 0;
    if (mosquitto_connect(mq, host, port, 30) != MOSQ_ERR_SUCCESS) {
        rc = cli_error("watch: cannot connect to %s", broker);
        goto out;
    }
    while (!stop_flag && !(count && w.messages >= count)) {
        double now = cli_now();
        int timeout = 100;
        if (deadline) {
            if (now >= deadline) break;
            if ((deadline - now) * 1000 < timeout) timeout = (int)((deadline - now) * 1000) + 1;
        }
        if (w.connect_failed) {
            rc = cli_error("watch: %s refused the connection", broker);
            break;
        }
        if (mosquitto_loop(mq, timeout, 1) != MOSQ_ERR_SUCCESS) {
            /* connection lost: try again each second until the end */
            if (w.connected && !json) fprintf(stderr, "twinctl watch: connection lost\n");
            w.connected = 0;
            if (now >= next_try) {
                next_try = now + 1;
                mosquitto_reconnect(mq);
            } else {
                struct timespec ts = {0, 50000000L};
                nanosleep(&ts, NULL);
            }
        }
    }
    if (rc == 0) summary(&w, cli_now() - t0);
    mosquitto_disconnect(mq);
out:
    mosquitto_destroy(mq);
    mosquitto_lib_cleanup();
    twin_sp_host_destroy(w.host);
    unit_free(&w.units);
    for (size_t k = 0; k < w.ntwins; k++) {
        free(w.twins[k].group);
        free(w.twins[k].node);
        free(w.twins[k].twin);
    }
    free(w.twins);
    for (size_t k = 0; k < w.nnodes; k++) {
        free(w.nodes[k].group);
        free(w.nodes[k].node);
    }
    free(w.nodes);
    free(w.stale);
    return rc;
}

#else

int cmd_watch(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        }
    return cli_error("watch: this twinctl was built without libtwin-mqtt's MQTT client "
                     "(libmosquitto)");
}

#endif
