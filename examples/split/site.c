/* The site of the split factory demo: a Sparkplug B Host Application that
 * mirrors every gateway into one graph and runs impact across them.
 *
 *   split_site --broker HOST:PORT --plant PLANT.db
 *              --expect NODE=TWINS[,NODE=TWINS...]
 *              [--group G] [--host-id ID] [--root TWIN] [--seconds S] [--top N]
 *
 * The site's graph is the plant's engineering model (the SQLite store
 * `twinctl import` made from plant.ndjson): every twin and every
 * relationship, those that cross from one gateway's lines to another's
 * included. The gateways bring what changes: each motor's device (DBIRTH:
 * its metrics bound to signal handles of the site's ingest handle, the twin
 * marked online), its telemetry and its gateway's health and remaining
 * useful life (DDATA by alias, into the ingest path), and its death (NDEATH,
 * DDEATH: the twin marked stale). See examples/split/README.md for why the
 * relationships come from the plant model and not over MQTT.
 *
 * The site publishes its STATE (the gateways wait for it), runs until every
 * expected gateway has come and gone (NDEATH) or S seconds have passed,
 * then prints per gateway what it saw, the merged health table (worst
 * first), and the impact of the worst motor (or --root) on the plant,
 * following partOf and feeds downstream and monitors upstream, marking
 * each twin with the gateway that owns it. It exits 0 when it saw every
 * twin the --expect list names, 1 otherwise. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <math.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "split_site"
#define MAX_NODES 16

typedef struct node {
    char name[64];
    long expected;       /* twins the driver expects; -1: not expected */
    size_t twins;        /* distinct devices born */
    uint64_t births, deaths, ddata_metrics;
} node;

typedef struct device {
    char twin[TWIN_ID_MAX + 1];
    int node;
    double health, rul, rul_lo, rul_hi, vib;
    int has_health;
} device;

/* A twin's owner: a gateway (its node index), or the site (-2: the twins
 * above several gateways' lines, e.g. the factory), or unknown (-1). */
typedef struct owner {
    char twin[TWIN_ID_MAX + 1];
    int node;
} owner;

typedef struct site {
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_host *host;
    node nodes[MAX_NODES];
    int nnodes;
    device *devs;
    size_t ndevs, capdevs;
    owner *owners;
    size_t nowners;
    int failed;  /* out of memory in a callback */
} site;

static int usage(void)
{
    fprintf(stderr, "usage: " WHO " --broker HOST:PORT --plant PLANT.db --expect NODE=N[,...] "
                    "[--group G] [--host-id ID] [--root TWIN] [--seconds S] [--top N]\n");
    return 2;
}

static int node_index(site *s, const char *name, int add)
{
    for (int i = 0; i < s->nnodes; i++)
        if (strcmp(s->nodes[i].name, name) == 0)
            return i;
    if (!add || s->nnodes == MAX_NODES)
        return -1;
    memset(&s->nodes[s->nnodes], 0, sizeof s->nodes[0]);
    snprintf(s->nodes[s->nnodes].name, sizeof s->nodes[0].name, "%s", name);
    s->nodes[s->nnodes].expected = -1;
    return s->nnodes++;
}

static void on_event(void *ud, const twin_sp_host_event *ev)
{
    site *s = ud;
    int ni = node_index(s, ev->node, 1);
    char twin[TWIN_ID_MAX + 1];
    if (ni < 0)
        return;
    switch (ev->kind) {
    case TWIN_SP_EVENT_NODE_ONLINE: s->nodes[ni].births++; break;
    case TWIN_SP_EVENT_NODE_STALE: s->nodes[ni].deaths++; break;
    case TWIN_SP_EVENT_DEVICE_ONLINE:
        if (twin_sp_id_unescape(twin, sizeof twin, NULL, ev->device, strlen(ev->device)) != TWIN_OK)
            return;
        for (size_t k = 0; k < s->ndevs; k++)
            if (strcmp(s->devs[k].twin, twin) == 0) {
                s->devs[k].node = ni;  /* born again, maybe elsewhere */
                return;
            }
        if (s->ndevs == s->capdevs) {
            size_t cap = s->capdevs ? 2 * s->capdevs : 64;
            device *d = realloc(s->devs, cap * sizeof *d);
            if (!d) {
                s->failed = 1;
                return;
            }
            s->devs = d;
            s->capdevs = cap;
        }
        memset(&s->devs[s->ndevs], 0, sizeof *s->devs);
        snprintf(s->devs[s->ndevs].twin, sizeof s->devs[0].twin, "%s", twin);
        s->devs[s->ndevs++].node = ni;
        s->nodes[ni].twins++;
        break;
    case TWIN_SP_EVENT_METRIC:
        if (ev->msg == TWIN_SP_DDATA)
            s->nodes[ni].ddata_metrics++;
        break;
    default: break;
    }
}

static int parse_expect(site *s, const char *list)
{
    char buf[512], *tok, *save = NULL;
    snprintf(buf, sizeof buf, "%s", list);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int ni;
        if (!eq || eq == tok)
            return -1;
        *eq = 0;
        if ((ni = node_index(s, tok, 1)) < 0)
            return -1;
        s->nodes[ni].expected = atol(eq + 1);
    }
    return s->nnodes > 0 ? 0 : -1;
}

static int all_gone(const site *s)
{
    for (int i = 0; i < s->nnodes; i++)
        if (s->nodes[i].expected >= 0 && s->nodes[i].deaths == 0)
            return 0;
    return 1;
}

static int latest(site *s, const char *twin, const char *signal, double *v)
{
    twin_signal sig;
    *v = NAN;
    if (twin_ingest_resolve(s->ing, twin, signal, NULL, &sig) != TWIN_OK)
        return -1;
    return twin_ingest_get_latest(s->ing, sig, NULL, v) == TWIN_OK ? 0 : -1;
}

/* --- owners: which gateway a twin of the plant lives on --- */

static owner *find_owner(site *s, const char *twin)
{
    for (size_t k = 0; k < s->nowners; k++)
        if (strcmp(s->owners[k].twin, twin) == 0)
            return &s->owners[k];
    return NULL;
}

/* The first target of an outgoing relationship named `name`, or NULL. */
static const char *target_of(const twin_graph *g, const char *twin, const char *name)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    if (twin_graph_relationships_begin(g, &c, twin, TWIN_DIRECTION_OUTGOING, name) != TWIN_OK ||
        twin_graph_relationships_next(g, &c, &r) != TWIN_OK)
        return NULL;
    return r.target_id;
}

/* A device's gateway owns the device and what it is part of (its conveyor,
 * its line); a twin several gateways reach (the factory) is the site's. */
static void mark_owners(site *s)
{
    for (size_t k = 0; k < s->ndevs; k++) {
        const char *t = s->devs[k].twin;
        for (int depth = 0; t && depth < 8; depth++) {
            owner *o = find_owner(s, t);
            if (!o) {
                o = &s->owners[s->nowners++];
                snprintf(o->twin, sizeof o->twin, "%s", t);
                o->node = s->devs[k].node;
            } else if (o->node != s->devs[k].node) {
                o->node = -2;
            }
            t = target_of(s->g, t, "partOf");
        }
    }
}

/* Any other twin belongs where what it is part of or located in does. */
static int owner_of(site *s, const char *twin)
{
    for (int depth = 0; twin && depth < 8; depth++) {
        owner *o = find_owner(s, twin);
        const char *next;
        if (o)
            return o->node;
        next = target_of(s->g, twin, "partOf");
        twin = next ? next : target_of(s->g, twin, "locatedIn");
    }
    return -1;
}

static const char *owner_name(const site *s, int ni)
{
    return ni >= 0 ? s->nodes[ni].name : ni == -2 ? "(site)" : "?";
}

static double mirrored_health(void *ud, const char *twin_id)
{
    double v;
    return latest(ud, twin_id, "health", &v) == 0 ? v : 1.0;
}

static int by_health(const void *a, const void *b)
{
    const device *x = a, *y = b;
    double hx = x->has_health ? x->health : 2, hy = y->has_health ? y->health : 2;
    return hx < hy ? -1 : hx > hy ? 1 : strcmp(x->twin, y->twin);
}

static const char *short_model(const char *model)
{
    const char *p = model ? strrchr(model, ':') : NULL;
    static char buf[64];
    size_t n;
    if (!p)
        return model ? model : "";
    n = strcspn(p + 1, ";");
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, p + 1, n);
    buf[n] = 0;
    return buf;
}

static void print_health(site *s, size_t top)
{
    printf("\n== Merged health, worst first (each gateway's health model, mirrored)\n");
    printf("%-11s %-10s %9s %7s %27s  %s\n", "twin", "gateway", "vibration", "health",
           "RUL days (90% interval)", "state");
    for (size_t k = 0; k < s->ndevs; k++) {
        device *d = &s->devs[k];
        d->has_health = latest(s, d->twin, "health", &d->health) == 0;
        latest(s, d->twin, "vibration", &d->vib);
        latest(s, d->twin, "rul", &d->rul);
        latest(s, d->twin, "rulLow", &d->rul_lo);
        latest(s, d->twin, "rulHigh", &d->rul_hi);
    }
    qsort(s->devs, s->ndevs, sizeof *s->devs, by_health);
    for (size_t k = 0; k < s->ndevs && k < top; k++) {
        const device *d = &s->devs[k];
        const twin_value *on = NULL;
        char rul[64];
        int online = twin_graph_get_property(s->g, d->twin, TWIN_SP_ONLINE_PROPERTY, &on) ==
                         TWIN_OK && on->type == TWIN_VALUE_BOOL && on->as.b;
        if (isfinite(d->rul)) {  /* a bound the model cannot give: "-" */
            char lo[24] = "-", hi[24] = "-";
            if (isfinite(d->rul_lo)) snprintf(lo, sizeof lo, "%.0f", d->rul_lo);
            if (isfinite(d->rul_hi)) snprintf(hi, sizeof hi, "%.0f", d->rul_hi);
            snprintf(rul, sizeof rul, "%.0f (%s .. %s)", d->rul, lo, hi);
        } else {
            snprintf(rul, sizeof rul, "-");
        }
        printf("%-11s %-10s %7.3f G %7.2f %27s  %s\n", d->twin, s->nodes[d->node].name, d->vib,
               d->health, rul, online ? "online" : "stale");
    }
    if (s->ndevs > top)
        printf("... and %zu more\n", s->ndevs - top);
}

static int print_impact(site *s, const char *root, size_t max_rows)
{
    static const twin_impact_follow follow[] = {
        {"partOf", TWIN_DIRECTION_OUTGOING, 0},
        {"feeds", TWIN_DIRECTION_OUTGOING, 0},
        {"monitors", TWIN_DIRECTION_INCOMING, 0},
    };
    twin_impact *q = NULL;
    twin_impact_options o;
    int root_owner = owner_of(s, root), cross = 0, other = -1;
    size_t n;
    char first_cross[TWIN_ID_MAX + 1] = "";
    twin_impact_options_init(&o);
    o.follow = follow;
    o.nfollow = sizeof follow / sizeof *follow;
    o.rule = TWIN_IMPACT_ATTENUATE;
    o.attenuation = 0.8;
    o.root_health = mirrored_health(s, root);
    o.health = mirrored_health;
    o.health_ud = s;
    if (twin_impact_create(&q, s->g, NULL) != TWIN_OK ||
        twin_impact_run(q, &root, 1, &o, NULL, NULL) != TWIN_OK) {
        fprintf(stderr, WHO ": impact of %s: %s\n", root,
                q ? twin_impact_last_error(q)->message : "no context");
        twin_impact_destroy(q);
        return -1;
    }
    n = twin_impact_count(q);
    printf("\n== Impact of %s (on %s, health %.2f) across the plant\n", root,
           owner_name(s, root_owner), o.root_health);
    printf("%5s %6s  %-12s %-19s %-10s %s\n", "depth", "impact", "twin", "model", "gateway", "via");
    for (size_t i = 0; i < n; i++) {
        twin_impact_hit h;
        int ow;
        h.size = sizeof h;
        twin_impact_get(q, i, &h);
        ow = owner_of(s, h.twin_id);
        if (ow >= 0 && root_owner >= 0 && ow != root_owner) {
            if (!cross++)
                snprintf(first_cross, sizeof first_cross, "%s", h.twin_id);
            other = ow;
        }
        if (i < max_rows)
            printf("%5u %6.3f  %-12s %-19s %-10s %s%s%s\n", h.depth, 1 - h.score, h.twin_id,
                   short_model(h.model_id), owner_name(s, ow), h.via_name ? h.via_name : "",
                   h.parent_id ? " from " : "", h.parent_id ? h.parent_id : "");
    }
    if (n > max_rows)
        printf("... %zu twins in all\n", n);
    if (cross)
        printf("impact crosses gateways: %d of the %zu twins reached live on another gateway "
               "than %s's (%s), the first %s on %s\n",
               cross, n, root, owner_name(s, root_owner), first_cross, owner_name(s, other));
    else
        printf("impact stays on %s: no twin of another gateway reached\n",
               owner_name(s, root_owner));
    twin_impact_destroy(q);
    return 0;
}

int main(int argc, char **argv)
{
    const char *broker = NULL, *plant = NULL, *expect = NULL, *group = "factory";
    const char *host_id = "site", *root = NULL;
    double seconds = 60, t0 = split_mono();
    unsigned long top = 12;
    char host[256];
    uint32_t port = 0;
    site s;
    twin_sp_host_options ho;
    twin_sp_bind_options bo;
    twin_sp_mosq_options mo;
    twin_sp_host_stats hs;
    twin_sp_bind_stats bs;
    twin_sp_mosq *mq = NULL;
    size_t seen = 0, expected = 0;
    int rc = 1, complete = 1;

    memset(&s, 0, sizeof s);
    for (int a = 1; a < argc; a++) {
        const char **dst = NULL;
        if (strcmp(argv[a], "--broker") == 0) dst = &broker;
        else if (strcmp(argv[a], "--plant") == 0) dst = &plant;
        else if (strcmp(argv[a], "--expect") == 0) dst = &expect;
        else if (strcmp(argv[a], "--group") == 0) dst = &group;
        else if (strcmp(argv[a], "--host-id") == 0) dst = &host_id;
        else if (strcmp(argv[a], "--root") == 0) dst = &root;
        else if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc) {
            seconds = atof(argv[++a]);
            continue;
        } else if (strcmp(argv[a], "--top") == 0 && a + 1 < argc) {
            top = strtoul(argv[++a], NULL, 10);
            continue;
        }
        if (!dst || a + 1 >= argc)
            return usage();
        *dst = argv[++a];
    }
    if (!broker || !plant || !expect || split_broker(broker, host, sizeof host, &port) ||
        parse_expect(&s, expect) != 0)
        return usage();

    mosquitto_lib_init();
    if (!(s.g = split_load_plant(plant, WHO)))
        goto out;
    if (twin_ingest_create(&s.ing, s.g, NULL) != TWIN_OK)
        goto out;
    twin_sp_host_options_init(&ho);
    ho.host_id = host_id;
    ho.on_event = on_event;
    ho.event_ud = &s;
    twin_sp_bind_options_init(&bo);  /* twins marked online/stale; no health of our own */
    twin_sp_mosq_options_init(&mo);
    mo.broker = host;
    mo.port = port;
    mo.host_id = host_id;
    mo.group_id = group;
    mo.reconnect_delay_us = 200000;
    if (twin_sp_host_create(&s.host, &ho) != TWIN_OK ||
        twin_sp_host_bind(s.host, s.g, s.ing, &bo) != TWIN_OK ||
        twin_sp_mosq_host_create(&mq, s.host, &mo) != TWIN_OK) {
        fprintf(stderr, WHO ": cannot create the host application\n");
        goto out;
    }
    printf("site: the plant's graph, %zu twins and %zu relationships; host %s waiting for "
           "gateways on %s (group %s)\n",
           twin_graph_twin_count(s.g), twin_graph_relationship_count(s.g), host_id, broker, group);
    fflush(stdout);
    while (!all_gone(&s) && split_mono() - t0 < seconds && !s.failed)
        if (twin_sp_mosq_loop(mq, 100) == TWIN_E_NOMEM)
            break;
    if (s.failed) {
        fprintf(stderr, WHO ": out of memory\n");
        goto out;
    }

    hs.size = sizeof hs;
    twin_sp_host_get_stats(s.host, &hs);
    bs.size = sizeof bs;
    twin_sp_host_bind_stats(s.host, &bs);
    printf("\n== What the site saw (%.1f s)\n", split_mono() - t0);
    printf("%-10s %6s %6s %9s %10s  %s\n", "gateway", "births", "twins", "expected",
           "DATA values", "state");
    for (int i = 0; i < s.nnodes; i++) {
        const node *nd = &s.nodes[i];
        int ok = nd->expected < 0 || (long)nd->twins == nd->expected;
        printf("%-10s %6llu %6zu %9ld %10llu  %s\n", nd->name, (unsigned long long)nd->births,
               nd->twins, nd->expected, (unsigned long long)nd->ddata_metrics,
               nd->deaths ? "ended (NDEATH: its twins stale)" : nd->births ? "online" : "never born");
        if (nd->expected >= 0) {
            expected += (size_t)nd->expected;
            seen += nd->twins < (size_t)nd->expected ? nd->twins : (size_t)nd->expected;
        }
        if (!ok)
            complete = 0;
    }
    printf("messages: %llu NBIRTH, %llu DBIRTH, %llu DDATA, %llu NDEATH; %llu values into the "
           "ingest path; %llu seq gaps, %llu malformed, %llu unknown aliases\n",
           (unsigned long long)hs.received[TWIN_SP_NBIRTH],
           (unsigned long long)hs.received[TWIN_SP_DBIRTH],
           (unsigned long long)hs.received[TWIN_SP_DDATA],
           (unsigned long long)hs.received[TWIN_SP_NDEATH], (unsigned long long)bs.samples,
           (unsigned long long)hs.seq_gaps, (unsigned long long)hs.malformed,
           (unsigned long long)hs.unknown_alias);
    if (complete)
        printf("site: saw all %zu twins of %d gateways\n", seen, s.nnodes);
    else
        printf("site: MISSING twins: saw %zu of the %zu expected\n", seen, expected);

    if (s.ndevs) {
        s.owners = calloc(twin_graph_twin_count(s.g) + s.ndevs, sizeof *s.owners);
        if (!s.owners)
            goto out;
        mark_owners(&s);
        print_health(&s, top);
        if (!root)
            root = s.devs[0].twin;  /* the worst */
        if (print_impact(&s, root, 40) != 0)
            goto out;
    }
    rc = complete ? 0 : 1;
out:
    if (mq) {
        twin_sp_mosq_stop(mq);
        twin_sp_mosq_destroy(mq);
    }
    twin_sp_host_destroy(s.host);
    twin_ingest_destroy(s.ing);
    twin_graph_destroy(s.g);
    free(s.devs);
    free(s.owners);
    mosquitto_lib_cleanup();
    return rc;
}
