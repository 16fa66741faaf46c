/* A gateway of the split factory demo: a Sparkplug B Edge Node that owns
 * some lines of the plant.
 *
 *   split_gateway --broker HOST:PORT --node NODE --lines L1,L2
 *                 --plant PLANT.db --telemetry TELEMETRY.csv
 *                 [--group G] [--host HOST_ID] [--wait S]
 *
 * It loads the plant (the SQLite store `twinctl import` made) and keeps only
 * its lines' twins and the relationships among them: the relationships that
 * cross to another gateway's lines (an inspection zone feeding the packing
 * line) are in no gateway's graph. Each of its motors gets signals:
 * vibration (gForce) with the exponential health model of the
 * single-process demo (baseline 0.12 G, +0.003 per day, failure at ten
 * times the baseline), temperature (degreeCelsius), and the model's
 * results, written by this program after each hour of telemetry: health
 * (score, 0 to 1) and rul, rulLow, rulHigh (remaining useful life in days,
 * its median and 90% interval). Every signal is a metric of the motor's
 * Sparkplug device, so the site receives the gateway's health with the
 * telemetry.
 *
 * It waits for its primary host (--host, default "site") to be online,
 * replays its lines' rows of TELEMETRY.csv (generate_telemetry.py: late,
 * duplicated, converted and wrongly-united samples included) an hour at a
 * time through libtwin's ingest path, publishing after each hour what
 * changed (DDATA by alias), prints a summary and stops cleanly (NDEATH). */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <math.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHO "split_gateway"

/* One motor: its signals. */
typedef struct motor {
    char id[64];
    twin_signal vib, temp, health, rul, rul_lo, rul_hi;
    int64_t done_t;  /* latest vibration time whose health was published */
} motor;

/* One row of the telemetry (the strings point into the file's text). */
typedef struct row {
    twin_sample s;
} row;

typedef struct gateway {
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_edge *edge;
    twin_sp_mosq *mq;
    motor *motors;
    size_t nmotors;
    twin_health_options ho;
    uint64_t diverged, recalibrated;
} gateway;

static void on_ingest_event(void *ud, const twin_ingest_event *ev)
{
    gateway *gw = ud;
    if (ev->flags & TWIN_INGEST_EVENT_DIVERGED)
        gw->diverged++;
    if (ev->flags & TWIN_INGEST_EVENT_RECALIBRATED)
        gw->recalibrated++;
}

static int usage(void)
{
    fprintf(stderr, "usage: " WHO " --broker HOST:PORT --node NODE --lines L1,L2 "
                    "--plant PLANT.db --telemetry FILE.csv [--group G] [--host HOST_ID] "
                    "[--wait S]\n");
    return 2;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SSZ" to microseconds; -1 when malformed. */
static int parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 20 ||
        s[n] != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    *out = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + mi) * 60 + se;
    *out *= 1000000;
    return 0;
}

/* Split a CSV line (no quoting in the demo's files) into at most 5 fields. */
static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = 0;
    }
    return n;
}

/* Read the rows of our lines; bad rows counted (the file's own errors). */
static int read_rows(const char *path, const char *lines, char **text_out, row **rows_out,
                     size_t *n_out, size_t *bad_out)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL, *p, *next;
    long len;
    row *rows = NULL;
    size_t n = 0, cap = 0, bad = 0, lineno = 0;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, WHO ": %s: cannot read\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    text = malloc((size_t)len + 1);
    if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, WHO ": %s: cannot read\n", path);
        fclose(f);
        free(text);
        return -1;
    }
    fclose(f);
    text[len] = 0;
    for (p = text; *p; p = next) {
        char *fl[5], line_of[16];
        int nf;
        int64_t t;
        char *end;
        double v;
        next = strchr(p, '\n');
        if (next)
            *next++ = 0;
        else
            next = p + strlen(p);
        if (lineno++ == 0 && strncmp(p, "timestamp,", 10) == 0)
            continue;
        if (!*p)
            continue;
        nf = split_fields(p, fl, 5);
        if (nf < 4) {
            bad++;
            continue;
        }
        split_line_of(fl[1], line_of, sizeof line_of);
        if (!split_in_list(lines, line_of))
            continue;  /* another gateway's */
        v = strtod(fl[3], &end);
        if (parse_time(fl[0], &t) != 0 || end == fl[3] || *end) {
            bad++;
            continue;
        }
        if (n == cap) {
            row *r;
            cap = cap ? 2 * cap : 4096;
            if (!(r = realloc(rows, cap * sizeof *rows))) {
                fprintf(stderr, WHO ": out of memory\n");
                free(rows);
                free(text);
                return -1;
            }
            rows = r;
        }
        memset(&rows[n], 0, sizeof rows[n]);
        rows[n].s.twin_id = fl[1];
        rows[n].s.signal = fl[2];
        rows[n].s.t_us = t;
        rows[n].s.value = v;
        rows[n].s.unit = nf > 4 && *fl[4] ? fl[4] : NULL;
        n++;
    }
    *text_out = text;
    *rows_out = rows;
    *n_out = n;
    *bad_out = bad;
    return 0;
}

/* Keep only the twins of our lines (and the relationships among them). */
static int keep_lines(twin_graph *g, const char *lines)
{
    twin_cursor c;
    const char *id;
    char **drop;
    size_t n = 0, k;
    int rc = 0;
    if (!(drop = calloc(twin_graph_twin_count(g) + 1, sizeof *drop)))
        return -1;
    twin_graph_twins_begin(g, &c);
    while (twin_graph_twins_next(g, &c, &id, NULL) == TWIN_OK) {
        char line[16];
        split_line_of(id, line, sizeof line);
        if (!split_in_list(lines, line) && !(drop[n++] = strdup(id)))
            rc = -1;
    }
    for (k = 0; k < n && rc == 0; k++)
        if (twin_graph_remove_twin(g, drop[k], TWIN_REMOVE_RELATIONSHIPS) != TWIN_OK) {
            fprintf(stderr, WHO ": cannot remove %s: %s\n", drop[k],
                    twin_graph_last_error(g)->message);
            rc = -1;
        }
    for (k = 0; k < n; k++)
        free(drop[k]);
    free(drop);
    return rc;
}

static int add_signal(gateway *gw, const char *twin, const char *name, const char *unit,
                      int window, twin_signal *out)
{
    twin_signal_options so;
    twin_signal_options_init(&so);
    so.unit = unit;
    if (window) {  /* as the single-process demo: two hours of reordering */
        so.order = TWIN_INGEST_ORDER_WINDOW;
        so.reorder_window_us = 7200 * (int64_t)1000000;
        so.history = 64;
    }
    if (twin_ingest_add_signal(gw->ing, twin, name, &so, out) != TWIN_OK) {
        fprintf(stderr, WHO ": signal %s of %s: %s\n", name, twin,
                twin_ingest_last_error(gw->ing)->message);
        return -1;
    }
    return 0;
}

static int declare_motors(gateway *gw, int64_t t0_us)
{
    twin_cursor c;
    const char *id, *model;
    size_t n = 0;
    gw->motors = calloc(twin_graph_twin_count(gw->g) + 1, sizeof *gw->motors);
    if (!gw->motors)
        return -1;
    twin_health_options_init(&gw->ho);
    gw->ho.prior_mean[0] = log(0.12);
    gw->ho.prior_mean[1] = 0.003 / 86400.0;
    gw->ho.prior_cov[0] = 0.04;
    gw->ho.prior_cov[3] = pow(0.003 / 86400.0, 2);
    gw->ho.noise = 0.0025;
    gw->ho.failure_level = 1.2;
    gw->ho.recalibration = TWIN_HEALTH_RECAL_KALMAN;
    gw->ho.recal_noise[0] = 5e-6;
    gw->ho.recal_noise[1] = 1e-17;
    twin_graph_twins_begin(gw->g, &c);
    while (twin_graph_twins_next(gw->g, &c, &id, &model) == TWIN_OK) {
        motor *m;
        if (!split_is_motor(model))
            continue;
        m = &gw->motors[n++];
        snprintf(m->id, sizeof m->id, "%s", id);
    }
    gw->nmotors = n;
    for (size_t k = 0; k < n; k++) {
        motor *m = &gw->motors[k];
        if (add_signal(gw, m->id, "vibration", "gForce", 1, &m->vib) ||
            add_signal(gw, m->id, "temperature", "degreeCelsius", 1, &m->temp) ||
            add_signal(gw, m->id, "health", NULL, 0, &m->health) ||
            add_signal(gw, m->id, "rul", "day", 0, &m->rul) ||
            add_signal(gw, m->id, "rulLow", "day", 0, &m->rul_lo) ||
            add_signal(gw, m->id, "rulHigh", "day", 0, &m->rul_hi))
            return -1;
        if (twin_ingest_attach_health(gw->ing, m->vib, &gw->ho, t0_us) != TWIN_OK) {
            fprintf(stderr, WHO ": health model of %s: %s\n", m->id,
                    twin_ingest_last_error(gw->ing)->message);
            return -1;
        }
    }
    return 0;
}

/* After an hour of telemetry: each motor's health and RUL as samples. */
static int write_health(gateway *gw)
{
    twin_signal_sample s[4];
    for (size_t k = 0; k < gw->nmotors; k++) {
        motor *m = &gw->motors[k];
        twin_health hs;
        twin_health_options o;
        twin_health_rul rul;
        int64_t t;
        double score;
        size_t n = 0;
        if (twin_ingest_get_latest(gw->ing, m->vib, &t, NULL) != TWIN_OK || t == m->done_t)
            continue;
        m->done_t = t;
        if (twin_ingest_get_health(gw->ing, m->vib, &hs, &o) != TWIN_OK)
            continue;
        if (twin_health_get_score(&hs, &o, t, &score, NULL) == TWIN_OK && isfinite(score))
            s[n++] = (twin_signal_sample){m->health, t, score};
        rul.size = sizeof rul;
        if (twin_health_get_rul(&hs, &o, 0.05, 0.95, &rul, NULL) == TWIN_OK) {
            if (isfinite(rul.median))
                s[n++] = (twin_signal_sample){m->rul, t, rul.median / 86400.0};
            if (isfinite(rul.lower))
                s[n++] = (twin_signal_sample){m->rul_lo, t, rul.lower / 86400.0};
            if (isfinite(rul.upper))
                s[n++] = (twin_signal_sample){m->rul_hi, t, rul.upper / 86400.0};
        }
        if (n && twin_ingest_write_signals(gw->ing, s, n, NULL, NULL) != TWIN_OK) {
            fprintf(stderr, WHO ": health of %s: %s\n", m->id,
                    twin_ingest_last_error(gw->ing)->message);
            return -1;
        }
    }
    return 0;
}

static int wait_born(gateway *gw, double wait_s)
{
    double until = split_mono() + wait_s;
    twin_sp_edge_stats es;
    es.size = sizeof es;
    while (split_mono() < until) {
        if (twin_sp_mosq_loop(gw->mq, 50) == TWIN_E_NOMEM)
            return -1;
        twin_sp_edge_get_stats(gw->edge, &es);
        if (es.published[TWIN_SP_NBIRTH] > 0 && es.published[TWIN_SP_DBIRTH] >= gw->nmotors)
            return 0;
    }
    return -1;
}

int main(int argc, char **argv)
{
    const char *broker = NULL, *node = NULL, *lines = NULL, *plant = NULL, *tel = NULL;
    const char *group = "factory", *host_id = "site";
    double wait_s = 30, t_start = split_mono(), t_replay;
    char host[256], *text = NULL;
    uint32_t port = 0;
    gateway gw;
    row *rows = NULL;
    size_t nrows = 0, bad = 0, i, rounds = 0;
    twin_ingest_options io;
    twin_sp_edge_options eo;
    twin_sp_mosq_options mo;
    twin_sp_edge_stats es;
    twin_ingest_stats is;
    twin_sample *batch = NULL;
    int rc = 1;

    for (int a = 1; a < argc; a++) {
        const char **dst = NULL;
        if (strcmp(argv[a], "--broker") == 0) dst = &broker;
        else if (strcmp(argv[a], "--node") == 0) dst = &node;
        else if (strcmp(argv[a], "--lines") == 0) dst = &lines;
        else if (strcmp(argv[a], "--plant") == 0) dst = &plant;
        else if (strcmp(argv[a], "--telemetry") == 0) dst = &tel;
        else if (strcmp(argv[a], "--group") == 0) dst = &group;
        else if (strcmp(argv[a], "--host") == 0) dst = &host_id;
        else if (strcmp(argv[a], "--wait") == 0 && a + 1 < argc) {
            wait_s = atof(argv[++a]);
            continue;
        }
        if (!dst || a + 1 >= argc)
            return usage();
        *dst = argv[++a];
    }
    if (!broker || !node || !lines || !plant || !tel || split_broker(broker, host, sizeof host, &port))
        return usage();

    memset(&gw, 0, sizeof gw);
    mosquitto_lib_init();
    if (!(gw.g = split_load_plant(plant, WHO)) || keep_lines(gw.g, lines) != 0)
        goto out;
    if (read_rows(tel, lines, &text, &rows, &nrows, &bad) != 0)
        goto out;
    if (nrows == 0) {
        fprintf(stderr, WHO ": %s: no rows for lines %s\n", tel, lines);
        goto out;
    }
    twin_ingest_options_init(&io);
    io.on_event = on_ingest_event;
    io.event_ud = &gw;
    if (twin_ingest_create(&gw.ing, gw.g, &io) != TWIN_OK || declare_motors(&gw, rows[0].s.t_us))
        goto out;

    twin_sp_edge_options_init(&eo);
    eo.group_id = group;
    eo.node_id = node;
    if (twin_sp_edge_create(&gw.edge, gw.g, gw.ing, &eo) != TWIN_OK ||
        twin_sp_edge_set_primary_host(gw.edge, host_id) != TWIN_OK) {
        fprintf(stderr, WHO ": cannot create the edge node %s/%s\n", group, node);
        goto out;
    }
    twin_sp_mosq_options_init(&mo);
    mo.broker = host;
    mo.port = port;
    mo.client_id = node;
    mo.reconnect_delay_us = 200000;
    if (twin_sp_mosq_edge_create(&gw.mq, gw.edge, &mo) != TWIN_OK) {
        fprintf(stderr, WHO ": cannot create the MQTT client\n");
        goto out;
    }
    if (wait_born(&gw, wait_s) != 0) {
        fprintf(stderr, WHO ": %s: not born within %.0f s (broker %s, primary host %s)\n", node,
                wait_s, broker, host_id);
        goto out;
    }

    /* The replay: rows in the file's order (late ones where they are), an
       hour at a time; after each hour, health and what changed published. */
    t_replay = split_mono();
    batch = malloc(nrows * sizeof *batch);
    if (!batch)
        goto out;
    for (i = 0; i < nrows;) {
        int64_t hour = rows[i].s.t_us / 3600000000LL;
        size_t n = 0;
        while (i < nrows && rows[i].s.t_us / 3600000000LL <= hour)
            batch[n++] = rows[i++].s;
        if (twin_ingest_write(gw.ing, batch, n, NULL, NULL) != TWIN_OK) {
            fprintf(stderr, WHO ": ingest: %s\n", twin_ingest_last_error(gw.ing)->message);
            goto out;
        }
        if (write_health(&gw) != 0)
            goto out;
        if (twin_sp_mosq_loop(gw.mq, 0) != TWIN_OK) {
            fprintf(stderr, WHO ": publish failed\n");
            goto out;
        }
        rounds++;
    }
    for (int k = 0; k < 5; k++)  /* let the last messages go */
        twin_sp_mosq_loop(gw.mq, 10);

    es.size = sizeof es;
    twin_sp_edge_get_stats(gw.edge, &es);
    is.size = sizeof is;
    twin_ingest_get_stats(gw.ing, 0, &is);
    printf("%s (lines %s): %zu twins, %zu motors born as devices; %zu rows replayed in %zu hours "
           "(%.2f s): %llu accepted (%llu late), %llu duplicate, %llu rejected, %zu malformed; "
           "%llu diverged, %llu recalibrated; published %llu DDATA, %llu metrics\n",
           node, lines, twin_graph_twin_count(gw.g), gw.nmotors, nrows, rounds,
           split_mono() - t_replay,
           (unsigned long long)(is.outcomes[TWIN_INGEST_ACCEPTED] +
                                is.outcomes[TWIN_INGEST_ACCEPTED_LATE]),
           (unsigned long long)is.outcomes[TWIN_INGEST_ACCEPTED_LATE],
           (unsigned long long)is.outcomes[TWIN_INGEST_DUPLICATE],
           (unsigned long long)(is.outcomes[TWIN_INGEST_UNKNOWN_TWIN] +
                                is.outcomes[TWIN_INGEST_UNKNOWN_SIGNAL] +
                                is.outcomes[TWIN_INGEST_NOT_FINITE] +
                                is.outcomes[TWIN_INGEST_BAD_UNIT] +
                                is.outcomes[TWIN_INGEST_OUT_OF_ORDER] +
                                is.outcomes[TWIN_INGEST_CONFLICT]),
           bad, (unsigned long long)gw.diverged, (unsigned long long)gw.recalibrated,
           (unsigned long long)es.published[TWIN_SP_DDATA], (unsigned long long)es.metrics);
    printf("%s: done in %.2f s\n", node, split_mono() - t_start);
    fflush(stdout);
    rc = 0;
out:
    if (gw.mq) {
        twin_sp_mosq_stop(gw.mq);  /* NDEATH: the site marks our twins stale */
        twin_sp_mosq_destroy(gw.mq);
    }
    twin_sp_edge_destroy(gw.edge);
    twin_ingest_destroy(gw.ing);
    twin_graph_destroy(gw.g);
    free(gw.motors);
    free(batch);
    free(rows);
    free(text);
    mosquitto_lib_cleanup();
    return rc;
}
