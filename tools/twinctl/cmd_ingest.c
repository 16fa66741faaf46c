/* twinctl ingest: replay telemetry from a CSV file through the ingest path
 * into the database. */
#include "cli.h"
#include "csv.h"
#include "files.h"
#include "mem.h"
#include "readlim.h"
#include "store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "Usage: twinctl ingest [OPTIONS] CSV_FILE\n"
    "\n"
    "Replay telemetry through libtwin's ingest path into the database: each\n"
    "row is timestamp,twin,signal,value[,unit] (a first row starting with\n"
    "\"timestamp\" is a header). Timestamps are ISO 8601 UTC\n"
    "(2024-06-11T08:00:00Z, fractions of a second allowed) or seconds since\n"
    "the epoch. Signals are the twins' numeric Telemetry and Properties, in\n"
    "their model's unit; a row in another unit of the same kind is converted.\n"
    "\n"
    "Clocks: a header may name two more columns, source (what stamped the\n"
    "row: a device, PLC or gateway) and receive_time (when the host received\n"
    "the row, by the host's clock). A row with a source gives its signal that\n"
    "source; its timestamp, and those of the signal's later rows, are\n"
    "corrected to host time by the source's clock model before they are\n"
    "checked and stored. A row with a receive_time also hands the pair\n"
    "(timestamp, receive_time) to the model (rows in the order received):\n"
    "rows go in batches of up to 8192, each batch's pairs before its\n"
    "samples, so that a sample is corrected by the estimate as of the end\n"
    "of its batch (a batch ends where a row gives its signal another\n"
    "source). Sources and their models are kept in the database (with\n"
    "those learnt by twinctl clocks --save) and resumed by the next run. A\n"
    "source out of its tolerance (--tolerance-offset, --tolerance-skew) is\n"
    "flagged with a warning even with --quiet; the summary lists each source\n"
    "with its estimate and how many samples it corrected.\n"
    "\n"
    "Rows that do not parse are reported as CSV_FILE:LINE: error: MESSAGE and\n"
    "skipped; the rest is ingested; a pair the clock model refuses (a receive\n"
    "time going back, a delay beyond a day) is reported as a warning and its\n"
    "row still ingested. A summary counts accepted, duplicate and\n"
    "rejected samples by reason. On a terminal, a progress bar shows the rate\n"
    "and the time left.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB              the database (default: ./twin.db)\n"
    "  --health SIGNAL:BASELINE:RATE[:FAILURE]\n"
    "                           attach an exponential health model to every\n"
    "                           signal SIGNAL without one, from its first row:\n"
    "                           expected level BASELINE at that time, growing by\n"
    "                           RATE per day (relative), failure at FAILURE\n"
    "                           (default 10 x BASELINE); repeatable\n"
    "  --reorder-window SECONDS accept samples up to this much older than a\n"
    "                           signal's latest (default 300; 0: refuse them)\n"
    "  --tolerance-offset DUR   sources declared by this run are out of\n"
    "                           tolerance when their offset exceeds DUR (500ms,\n"
    "                           2s...; default none)\n"
    "  --tolerance-skew PPM     ... or their skew exceeds PPM (default none)\n"
    "  --events                 print divergence, recalibration and clearing\n"
    "                           events of the health models\n"
    "  -q, --quiet              no summary, no progress bar\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit 0 when every row was read (rejected samples are not errors), 1 when\n"
    "some rows did not parse or the database failed.\n";

typedef struct health_spec {
    const char *signal;
    double baseline, rate, failure;
} health_spec;

typedef struct events {
    int on;
    twin_ingest *ing;
    char **lines;
    size_t n, cap;
    size_t recal;  /* recalibrations since the last divergence */
} events;

static const char *const reasons[TWIN_INGEST_OUTCOMES] = {
    "accepted", "accepted late", "duplicate", "unknown twin", "unknown signal",
    "not finite", "bad unit", "out of order", "conflict", "not processed"};

static void iso_time(int64_t t_us, char *buf, size_t cap)
{
    time_t s = (time_t)(t_us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void on_event(void *ud, const twin_ingest_event *ev)
{
    events *e = ud;
    const char *twin = "?", *name = "?", *unit = "";
    char when[32], line[512];
    if (!e->on) return;
    if (ev->flags & TWIN_INGEST_EVENT_RECALIBRATED) e->recal++;
    if (!(ev->flags & (TWIN_INGEST_EVENT_DIVERGED | TWIN_INGEST_EVENT_CLEARED))) return;
    twin_ingest_signal_info(e->ing, ev->signal, &twin, &name, &unit);
    iso_time(ev->t_us, when, sizeof when);
    if (ev->flags & TWIN_INGEST_EVENT_DIVERGED) {
        snprintf(line, sizeof line,
                 "%s  %-12s %-12s diverged: measured %.3g %s, model predicted %.3g (%+.0f%%); "
                 "recalibrating",
                 when, twin, name, ev->value, unit, ev->predicted, ev->error * 100);
        e->recal = (ev->flags & TWIN_INGEST_EVENT_RECALIBRATED) ? 1 : 0;
    } else {
        snprintf(line, sizeof line,
                 "%s  %-12s %-12s cleared: the model follows again after %lu recalibrating "
                 "samples (error %+.0f%%)",
                 when, twin, name, (unsigned long)e->recal, ev->error * 100);
    }
    xgrow((void **)&e->lines, &e->cap, e->n + 1, sizeof *e->lines);
    e->lines[e->n++] = xstrdup(line);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int attach_health(store *st, const csv_rows *r, const health_spec *hs, size_t nh)
{
    size_t k, j;
    for (k = 0; k < r->n; k++) {
        const twin_sample *x = &r->s[k];
        for (j = 0; j < nh; j++) {
            twin_signal h;
            twin_health_options o;
            twin_status s;
            if (strcmp(x->signal, hs[j].signal) != 0) continue;
            if (twin_ingest_resolve(st->ing, x->twin_id, x->signal, NULL, &h) != TWIN_OK)
                continue;  /* reported as the sample is ingested */
            if (twin_ingest_get_health(st->ing, h, NULL, NULL) == TWIN_OK) continue;
            twin_health_options_init(&o);
            o.prior_mean[0] = log(hs[j].baseline);
            o.prior_mean[1] = hs[j].rate / 86400.0;
            o.prior_cov[0] = 0.04;  /* 20% on the baseline */
            o.prior_cov[3] = pow(fmax(hs[j].rate, 1e-4) / 86400.0, 2);  /* 100% on the rate */
            o.noise = 0.0025;       /* 5% noise */
            o.failure_level = hs[j].failure > 0 ? hs[j].failure : 10 * hs[j].baseline;
            o.recalibration = TWIN_HEALTH_RECAL_KALMAN;
            o.recal_noise[0] = 5e-6;  /* per second: 0.018 in log space an hour */
            o.recal_noise[1] = 1e-17;
            if ((s = twin_ingest_attach_health(st->ing, h, &o, x->t_us)) != TWIN_OK) {
                cli_error("health model of %s %s: %s", x->twin_id, x->signal,
                          twin_ingest_last_error(st->ing)->message);
                return -1;
            }
        }
    }
    return 0;
}

static void progress(double t0, size_t done, size_t total, int last)
{
    double el = cli_now() - t0, rate = el > 0 ? (double)done / el : 0;
    int w = 30, k, fill = total ? (int)((double)w * (double)done / (double)total) : w;
    fputc('\r', stderr);
    fputc('[', stderr);
    for (k = 0; k < w; k++) fputc(k < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %3.0f%%  %lu/%lu rows  %.0f rows/s  ETA %.0f s ",
            total ? 100.0 * (double)done / (double)total : 100.0, (unsigned long)done,
            (unsigned long)total, rate, rate > 0 ? (double)(total - done) / rate : 0.0);
    if (last) fputc('\n', stderr);
}

static int parse_duration(const char *s, int64_t *out)
{
    char *end;
    double v = strtod(s, &end), mul = 1e6;
    if (end == s || !isfinite(v) || v < 0) return -1;
    if (*end == '\0' || strcmp(end, "s") == 0) mul = 1e6;
    else if (strcmp(end, "ms") == 0) mul = 1e3;
    else if (strcmp(end, "us") == 0) mul = 1;
    else if (strcmp(end, "min") == 0) mul = 60e6;
    else if (strcmp(end, "h") == 0) mul = 3600e6;
    else return -1;
    if (v * mul >= 9.2e18) return -1;
    *out = (int64_t)llround(v * mul);
    return 0;
}

/* Row k's source would change its signal's source (a new source, or
 * another one than the signal has). */
static int row_switches(store *st, const csv_rows *r, size_t k)
{
    const twin_sample *x = &r->s[k];
    twin_source src = 0;
    twin_signal sig;
    twin_ingest_correction cur;
    if (!r->source[k]) return 0;
    if (twin_ingest_find_source(st->ing, r->source[k], &src) != TWIN_OK) return 1;
    if (twin_ingest_resolve(st->ing, x->twin_id, x->signal, x->unit, &sig) != TWIN_OK) return 0;
    memset(&cur, 0, sizeof cur);
    cur.size = sizeof cur;
    return twin_ingest_signal_source(st->ing, sig, &cur) == TWIN_OK && cur.source != src;
}

/* Row k's source: declared when new (options co), given to its signal,
 * and its pair handed to the clock model. A pair refused is a warning. */
static void row_clock(store *st, const char *file, const csv_rows *r, size_t k,
                      const twin_clock_options *co, size_t *refused)
{
    const twin_sample *x = &r->s[k];
    twin_source src;
    twin_signal sig;
    twin_ingest_correction cur;
    if (!r->source[k]) return;
    if (twin_ingest_find_source(st->ing, r->source[k], &src) != TWIN_OK &&
        twin_ingest_add_source(st->ing, r->source[k], co, &src) != TWIN_OK) {
        fprintf(stderr, "%s:%lu: warning: source: %s\n", file, r->line[k],
                twin_ingest_last_error(st->ing)->message);
        return;
    }
    /* an unknown signal is rejected (and counted) as the sample is written */
    if (twin_ingest_resolve(st->ing, x->twin_id, x->signal, x->unit, &sig) == TWIN_OK) {
        memset(&cur, 0, sizeof cur);
        cur.size = sizeof cur;
        if (twin_ingest_signal_source(st->ing, sig, &cur) == TWIN_OK && cur.source != src)
            twin_ingest_set_signal_source(st->ing, sig, src);
    }
    if (r->receive_us[k] != INT64_MIN &&
        twin_ingest_observe_source(st->ing, src, x->t_us, r->receive_us[k]) != TWIN_OK) {
        if (*refused < 10)
            fprintf(stderr, "%s:%lu: warning: pair not taken: %s\n", file, r->line[k],
                    twin_ingest_last_error(st->ing)->message);
        else if (*refused == 10)
            fprintf(stderr, "%s: warning: more pairs not taken (counted in the summary)\n",
                    file);
        (*refused)++;
    }
}

/* Prepare the rows of the next batch from at (at most max rows): the rows
 * from *prepared on get their sources and pairs; the batch ends before a
 * row that would change its signal's source, so that a row is never
 * corrected by a source given after it. Returns the batch's length. */
static size_t prepare_batch(store *st, const char *file, const csv_rows *r, size_t at,
                            size_t max, size_t *prepared, const twin_clock_options *co,
                            size_t *refused)
{
    size_t end = r->n - at < max ? r->n : at + max;
    if (*prepared < at) *prepared = at;
    while (*prepared < end) {
        if (*prepared > at && row_switches(st, r, *prepared)) break;
        row_clock(st, file, r, *prepared, co, refused);
        (*prepared)++;
    }
    return *prepared - at;
}

/* Each source's estimate and counters (pass 0, unless quiet), then a
 * warning for each out of tolerance (pass 1, always). */
static void report_sources(twin_ingest *ing, int quiet)
{
    for (int pass = quiet; pass < 2; pass++) {
        uint64_t cur = 0;
        twin_source src;
        int head = 0;
        while (twin_ingest_sources_next(ing, &cur, &src) == TWIN_OK) {
            twin_ingest_source_info in;
            char est[96];
            int oot;
            memset(&in, 0, sizeof in);
            in.size = sizeof in;
            if (twin_ingest_get_source(ing, src, &in, NULL) != TWIN_OK) continue;
            if (in.estimated)
                snprintf(est, sizeof est, "offset %+.3f ms +- %.3f, skew %+.2f ppm",
                         (double)in.offset_us / 1e3, in.offset_uncertainty_us / 1e3,
                         in.skew_ppm);
            else
                snprintf(est, sizeof est, "no estimate yet (too few pairs)");
            oot = in.out_of_tolerance || (in.clock_flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
            if (pass == 0) {
                if (!head++) fprintf(stderr, "  sources\n");
                fprintf(stderr,
                        "    %-12s %s; %llu pairs, %llu refused; corrected %llu, "
                        "uncorrected %llu, out of tolerance %llu%s\n",
                        in.name, est, (unsigned long long)in.pairs,
                        (unsigned long long)in.pairs_refused, (unsigned long long)in.corrected,
                        (unsigned long long)in.uncorrected,
                        (unsigned long long)in.out_of_tolerance,
                        (in.clock_flags & TWIN_CLOCK_OUT_OF_TOLERANCE) ? "  OUT OF TOLERANCE"
                                                                        : "");
            } else if (oot) {
                fprintf(stderr,
                        "twinctl ingest: warning: source %s is out of its clock tolerance "
                        "(%s); %llu samples corrected while out of it\n",
                        in.name, est, (unsigned long long)in.out_of_tolerance);
            }
        }
    }
}

int cmd_ingest(int argc, char **argv)
{
    const char *db = STORE_DEFAULT_DB, *file = NULL, *v;
    health_spec hs[16];
    size_t nh = 0, bad, k, at = 0;
    double window = 300, t0;
    int quiet = 0, i, r, rc = 0, tty = isatty(2);
    char *buf = NULL;
    size_t len;
    csv_rows rw;
    twin_clock_options co;
    size_t refused = 0, prepared = 0;
    uint64_t counts[TWIN_INGEST_OUTCOMES] = {0};
    uint8_t *out;
    events ev;
    store st;
    memset(&ev, 0, sizeof ev);
    memset(&rw, 0, sizeof rw);
    twin_clock_options_init(&co);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            db = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--health", NULL, &v)) != 0) {
            char name[128];
            int n = 0;
            if (r < 0) return EXIT_USAGE;
            if (nh == sizeof hs / sizeof *hs) return cli_usage(argv[0], "too many --health");
            hs[nh].failure = 0;
            if (sscanf(v, "%127[^:]:%lf:%lf%n", name, &hs[nh].baseline, &hs[nh].rate, &n) != 3 ||
                (v[n] && sscanf(v + n, ":%lf", &hs[nh].failure) != 1) || hs[nh].baseline <= 0 ||
                !isfinite(hs[nh].rate))
                return cli_usage(argv[0], "--health SIGNAL:BASELINE:RATE[:FAILURE], not '%s'", v);
            hs[nh].signal = v;  /* the name: up to the first ':' */
            {
                char *c = xstrdup(v);
                *strchr(c, ':') = '\0';
                hs[nh].signal = c;
            }
            nh++;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--reorder-window", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_double(v, 0, 1e9, &window) != 0)
                return cli_usage(argv[0], "--reorder-window takes seconds, not '%s'", v);
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--tolerance-offset", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (parse_duration(v, &co.tolerance_offset_us) != 0)
                return cli_usage(argv[0], "--tolerance-offset takes a duration (500ms, 2s...), "
                                          "not '%s'", v);
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--tolerance-skew", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_double(v, 0, 1e6, &co.tolerance_skew_ppm) != 0)
                return cli_usage(argv[0], "--tolerance-skew takes ppm, not '%s'", v);
        } else if (strcmp(a, "--events") == 0) {
            ev.on = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else if (file) {
            return cli_usage(argv[0], "one CSV file at a time");
        } else {
            file = a;
        }
    }
    if (!file) return cli_usage(argv[0], "no CSV file given");
    if (files_read_input(file, &buf, &len) != 0) return 1;
    rw.max_rows = lim(LIM_ROWS);
    bad = csv_parse(file, buf, len, &rw);
    if (rw.over) {  /* refused whole: nothing ingested */
        fprintf(stderr, "twinctl ingest: %s: nothing ingested\n", file);
        rc = 1;
        goto done;
    }
    if (store_open_db(&st, db, TWIN_SQLITE_NO_CREATE, (int64_t)(window * 1e6), on_event, &ev) !=
        0) {
        store_free(&st);
        rc = 1;
        goto done;
    }
    ev.ing = st.ing;
    if (twin_sqlite_load_sources(st.db, st.ing) != TWIN_OK) {
        cli_error("%s: sources: %s", db, twin_sqlite_last_error(st.db)->message);
        store_free(&st);
        rc = 1;
        goto done;
    }
    if (attach_health(&st, &rw, hs, nh) != 0) {
        store_free(&st);
        rc = 1;
        goto done;
    }
    out = xmalloc(rw.n + 1);
    t0 = cli_now();
    {
        double shown = t0;
        while (at < rw.n) {
            size_t n = rw.n - at < 8192 ? rw.n - at : 8192, done = 0;
            twin_status s;
            if (rw.has_source) /* the batch's pairs before its samples */
                n = prepare_batch(&st, file, &rw, at, 8192, &prepared, &co, &refused);
            s = twin_ingest_write(st.ing, rw.s + at, n, out + at, &done);
            for (k = at; k < at + done; k++) counts[out[k]]++;
            at += done;
            if (s == TWIN_E_BUSY) {
                if (twin_store_flush(st.tstore) != TWIN_OK) {
                    if (tty && !quiet) fputc('\n', stderr);
                    cli_error("%s: %s (%lu rows not ingested)", db,
                              twin_sqlite_last_error(st.db)->message,
                              (unsigned long)(rw.n - at));
                    rc = 1;
                    break;
                }
            } else if (s != TWIN_OK) {
                cli_error("%s: %s", file, twin_ingest_last_error(st.ing)->message);
                rc = 1;
                break;
            }
            if (tty && !quiet && cli_now() - shown > 0.1) {
                progress(t0, at, rw.n, 0);
                shown = cli_now();
            }
        }
    }
    if (twin_sqlite_checkpoint(st.db, st.tstore) != TWIN_OK) {
        cli_error("%s: %s", db, twin_sqlite_last_error(st.db)->message);
        rc = 1;
    } else if (twin_ingest_sources_next(st.ing, &(uint64_t){0}, &(twin_source){0}) == TWIN_OK &&
               twin_sqlite_save_sources(st.db, st.ing) != TWIN_OK) {
        cli_error("%s: sources: %s", db, twin_sqlite_last_error(st.db)->message);
        rc = 1;
    }
    if (tty && !quiet) progress(t0, at, rw.n, 1);
    if (!quiet) {
        double el = cli_now() - t0;
        uint64_t rejected = 0;
        fprintf(stderr, "twinctl ingest: %s: %lu rows in %.2f s (%.0f rows/s)\n", file,
                (unsigned long)(rw.n + bad), el, el > 0 ? (double)at / el : 0.0);
        fprintf(stderr, "  accepted       %10llu\n",
                (unsigned long long)(counts[0] + counts[1]));
        fprintf(stderr, "    of them late %10llu\n", (unsigned long long)counts[1]);
        fprintf(stderr, "  duplicate      %10llu\n", (unsigned long long)counts[2]);
        for (k = 3; k < TWIN_INGEST_OUTCOMES - 1; k++) rejected += counts[k];
        fprintf(stderr, "  rejected       %10llu\n", (unsigned long long)rejected);
        for (k = 3; k < TWIN_INGEST_OUTCOMES - 1; k++)
            if (counts[k])
                fprintf(stderr, "    %-12s %10llu\n", reasons[k], (unsigned long long)counts[k]);
        fprintf(stderr, "  malformed rows %10lu\n", (unsigned long)bad);
        if (refused) fprintf(stderr, "  pairs refused  %10lu\n", (unsigned long)refused);
    }
    report_sources(st.ing, quiet);
    for (k = 0; k < ev.n; k++) {
        printf("%s\n", ev.lines[k]);
        free(ev.lines[k]);
    }
    free(ev.lines);
    free(out);
    store_free(&st);
    if (bad) rc = 1;
done:
    for (k = 0; k < nh; k++) free((char *)hs[k].signal);
    free(rw.s);
    free(rw.line);
    free(rw.source);
    free(rw.receive_us);
    free(buf);
    return rc;
}
