/* The child: the factory plant ingesting at full speed into libtwin, its
 * store libtwin-sqlite behind the fault-injecting wrapper, until SIGTERM
 * (flush, exit 0) or SIGKILL.
 *
 * The generator runs a plant clock: every cycle, each signal gets one
 * sample at the clock's time (a multiple of 1 ms), and the clock moves on
 * by 100 ms (plus jitter), or steps forward or back (a fault). Among the
 * samples, at random: NaN and infinities, exact duplicates and conflicting
 * copies of recently accepted samples, late samples within the reorder
 * window (at odd microseconds, so never on a regular sample's time),
 * stale ones beyond it, and batches by name naming unknown twins, unknown
 * signals and bad units.
 *
 * Every batch is logged (OFFER) and handed to the kernel before the ingest
 * call, its outcomes (RESULT) after; a COMMIT is logged after each
 * twin_store_flush() that returned TWIN_OK. See truth.c. */
#define _POSIX_C_SOURCE 200809L
#include "soak.h"

#include <math.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000LL
#define SEC 1000000LL
#define WINDOW_US (5 * SEC)
#define RING 16
#define BATCH_MAX 4096

static volatile sig_atomic_t stop;

static void on_term(int s)
{
    (void)s;
    stop = 1;
}

typedef struct recent {
    int64_t t[RING];
    double v[RING];
    unsigned n, head;
    int64_t latest;  /* latest accepted timestamp (INT64_MIN: none) */
    double level;    /* the random walk of the values */
} recent;

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "soak child: %s: %s\n", what, msg ? msg : "");
    _exit(3);
}

static double logf_base(double v)
{
    return log(v);
}

static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

/* Open, load and prepare; retried while a locker holds the database. */
static void open_all(const soak_child_args *a, twin_sqlite **db, twin_graph **g,
                     twin_store **st, twin_ingest **ing, soak_faults *f)
{
    twin_sqlite_options o;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_signal_options sigo;
    twin_status s;
    int tries;
    twin_signal_options_init(&sigo);
    sigo.order = TWIN_INGEST_ORDER_WINDOW;
    sigo.reorder_window_us = WINDOW_US;
    sigo.history = 64;
    for (tries = 0;; tries++) {
        twin_sqlite_options_init(&o);
        o.busy_timeout_ms = 200;
        s = twin_sqlite_open(db, a->db_path, &o);
        if (s == TWIN_OK && getenv("TWIN_SOAK_CACHE_KIB")) {
            /* SQLite's page cache in KiB (libtwin-sqlite's default: 64 MiB),
               to tell its filling from a leak in the resident memory */
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA cache_size=-%ld",
                     atol(getenv("TWIN_SOAK_CACHE_KIB")));
            sqlite3_exec(twin_sqlite_connection(*db), sql, NULL, NULL, NULL);
        }
        if (s == TWIN_OK) {
            twin_graph_create(g, NULL);
            soak_faults_wrap(f, *db, &cb);
            twin_store_options_init(&so);
            so.callbacks = &cb;
            so.outbox_bytes = 256 * 1024;
            if (twin_store_create(st, *g, &so) != TWIN_OK) die("store", NULL);
            twin_ingest_options_init(&io);
            io.store = *st;
            if (twin_ingest_create(ing, *g, &io) != TWIN_OK) die("ingest", NULL);
            s = twin_sqlite_load(*db, *g, *ing, &sigo);
            if (s == TWIN_OK) return;
            twin_ingest_destroy(*ing);
            twin_store_destroy(*st);
            twin_graph_destroy(*g);
        }
        if (s != TWIN_E_BUSY || tries > 200)
            die("open and load", twin_sqlite_last_error(*db)->message);
        twin_sqlite_close(*db);
        soak_sleep_ms(50);
    }
}

/* Flush until confirmed or `tries` attempts; logs the commit. */
static int flush_confirm(twin_store *st, soak_log *l, soak_truth *t, int tries)
{
    for (;;) {
        if (twin_store_flush(st) == TWIN_OK) {
            soak_log_commit(l);
            soak_truth_commit(t);
            return 1;
        }
        soak_log_fault(l, F_FLUSH_FAIL, 1);
        soak_truth_fault(t, F_FLUSH_FAIL, 1);
        if (--tries <= 0) return 0;
        soak_sleep_ms(5);
    }
}

void soak_child(const soak_child_args *a)
{
    twin_sqlite *db;
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
    soak_faults f;
    soak_log log;
    soak_truth truth;
    soak_signal *sig;
    twin_signal *h;
    recent *rc;
    size_t nsig, k, cursor = 0;
    uint64_t rng = a->seed;
    int64_t clock_us = INT64_MIN, last_roll = soak_now_ns(), last_ckpt = soak_now_ns();
    static soak_rec batch[BATCH_MAX];
    static twin_signal_sample ss[BATCH_MAX];
    static uint8_t out[BATCH_MAX];
    double fr = a->fault_rate;
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    memset(&f, 0, sizeof f);
    f.rng = &rng;
    f.log = &log;
    f.truth = &truth;
    if (soak_log_open(&log, a->dir, a->life) != 0) die("log", a->dir);
    open_all(a, &db, &g, &st, &ing, &f);
    nsig = soak_plant_signals(g, &sig);
    if (nsig == 0 || nsig > 0xFFFE) die("plant", "no signals");
    soak_truth_init(&truth, nsig);
    h = calloc(nsig, sizeof *h);
    rc = calloc(nsig, sizeof *rc);
    if (!h || !rc) die("memory", NULL);
    for (k = 0; k < nsig; k++) {
        twin_signal_options o;
        double val;
        int64_t t;
        twin_signal_options_init(&o);
        o.order = TWIN_INGEST_ORDER_WINDOW;
        o.reorder_window_us = WINDOW_US;
        o.history = 64;
        o.unit = sig[k].unit;
        if (twin_ingest_resolve(ing, sig[k].twin, sig[k].name, NULL, &h[k]) != TWIN_OK &&
            twin_ingest_add_signal(ing, sig[k].twin, sig[k].name, &o, &h[k]) != TWIN_OK)
            die("signal", twin_ingest_last_error(ing)->message);
        rc[k].latest = INT64_MIN;
        rc[k].level = sig[k].base;
        if (twin_ingest_get_latest(ing, h[k], &t, &val) == TWIN_OK) {
            rc[k].latest = t;
            rc[k].level = val;
            if (t > clock_us) clock_us = t;
        }
        if (sig[k].health && twin_ingest_get_health(ing, h[k], NULL, NULL) != TWIN_OK) {
            twin_health_options ho;
            twin_health_options_init(&ho);
            ho.prior_mean[0] = logf_base(sig[k].base);
            ho.recalibration = TWIN_HEALTH_RECAL_EMA;
            if (twin_ingest_attach_health(ing, h[k], &ho, 1767225600LL * SEC) != TWIN_OK)
                die("health", twin_ingest_last_error(ing)->message);
        }
        if (k % 200 == 199) flush_confirm(st, &log, &truth, 1000);
    }
    /* 2026-01-01 for a new plant; else on from the newest stored sample */
    clock_us = clock_us == INT64_MIN ? 1767225600LL * SEC : clock_us + 100 * MS;
    if (!flush_confirm(st, &log, &truth, 1000)) die("flush", twin_sqlite_last_error(db)->message);
    if (soak_log_roll(&log, &truth) != 0) die("roll", NULL);
    f.enabled = fr > 0;

    while (!stop) {
        size_t n = 1 + (size_t)soak_below(&rng, fr > 0 ? 2000 : 1000), j;
        twin_status s;
        size_t done = 0;
        int64_t now = soak_now_ns();
        /* faults of the store and of the clock */
        if (fr > 0) {
            if (soak_unit(&rng) < 0.004 * fr) {
                f.fail_next = 1 + (int)soak_below(&rng, 4);
                soak_log_fault(&log, F_CB_FAIL, 1);
                soak_truth_fault(&truth, F_CB_FAIL, 1);
            }
            if (soak_unit(&rng) < 0.003 * fr) {
                f.veto_next = 1;
            }
            if (soak_unit(&rng) < 0.0015 * fr) {
                f.busy_until = now + (int64_t)(20 + soak_below(&rng, 400)) * 1000000;
                soak_log_fault(&log, F_BACKPRESSURE, 1);
                soak_truth_fault(&truth, F_BACKPRESSURE, 1);
            }
            if (soak_unit(&rng) < 0.0015 * fr) {
                f.slow_until = now + (int64_t)(50 + soak_below(&rng, 500)) * 1000000;
                soak_log_fault(&log, F_SLOW, 1);
                soak_truth_fault(&truth, F_SLOW, 1);
            }
            if (soak_unit(&rng) < 0.001 * fr) {
                /* forward: a minute to two days */
                clock_us += (int64_t)(60 + soak_below(&rng, 2 * 86400)) * SEC;
                soak_log_fault(&log, F_CLOCK_FWD, 1);
                soak_truth_fault(&truth, F_CLOCK_FWD, 1);
            }
            if (soak_unit(&rng) < 0.001 * fr) {
                /* back: 100 ms to two minutes, on or off the 100 ms grid */
                int64_t d = (int64_t)(1 + soak_below(&rng, 1200)) * 100 * MS;
                if (soak_below(&rng, 2)) d += (int64_t)soak_below(&rng, 99) * MS;
                clock_us -= d;
                soak_log_fault(&log, F_CLOCK_BACK, 1);
                soak_truth_fault(&truth, F_CLOCK_BACK, 1);
            }
        }
        if (fr > 0 && soak_unit(&rng) < 0.02 * fr) {
            /* a batch by name: unknown twin, unknown signal, bad unit */
            static twin_sample bn[8];
            static soak_rec br[8];
            size_t m = 1 + (size_t)soak_below(&rng, 8);
            for (j = 0; j < m; j++) {
                soak_signal *sg = &sig[soak_below(&rng, nsig)];
                int what = (int)soak_below(&rng, 3);
                bn[j].twin_id = what == 0 ? "L9-NOSUCH-M" : sg->twin;
                bn[j].signal = what == 1 ? "torque" : sg->name;
                bn[j].unit = what == 2 ? "furlong" : NULL;
                bn[j].t_us = clock_us;
                bn[j].value = 1.0;
                memset(&br[j], 0, sizeof br[j]);
                br[j].sig = 0xFFFF;
                br[j].kind = K_BYNAME;
                br[j].t = clock_us;
                br[j].v = 1.0;
            }
            soak_log_offer(&log, br, m);
            soak_truth_offer(&truth, br, m);
            if (soak_log_push(&log) != 0) die("log", "write");
            s = twin_ingest_write(ing, bn, m, out, &done);
            for (j = done; j < m; j++) out[j] = TWIN_INGEST_NOT_PROCESSED;
            for (j = 0; j < done; j++)
                if (out[j] == TWIN_INGEST_ACCEPTED || out[j] == TWIN_INGEST_ACCEPTED_LATE)
                    die("by name", "a malformed sample was accepted");
            soak_log_result(&log, out, m);
            soak_truth_result(&truth, out);
            (void)s;
        }
        /* the regular batch */
        for (j = 0; j < n; j++) {
            size_t i = cursor;
            recent *r = &rc[i];
            double u = fr > 0 ? soak_unit(&rng) : 1.0;
            soak_rec *b = &batch[j];
            memset(b, 0, sizeof *b);
            b->sig = (uint16_t)i;
            r->level += (soak_unit(&rng) - 0.5) * 0.01 * fabs(sig[i].base);
            if (r->level <= 0) r->level = fabs(sig[i].base) * 0.5;
            b->kind = K_FRESH;
            b->t = clock_us;
            b->v = round2(r->level);
            if (u < 0.002) {
                b->kind = K_NOTFINITE;
                b->v = soak_below(&rng, 2) ? NAN : (soak_below(&rng, 2) ? INFINITY : -INFINITY);
            } else if (u < 0.007 && r->n) {
                unsigned q = (r->head + RING - 1 - (unsigned)soak_below(&rng, r->n)) % RING;
                b->kind = K_DUP;
                b->t = r->t[q];
                b->v = r->v[q];
            } else if (u < 0.009 && r->n) {
                unsigned q = (r->head + RING - 1 - (unsigned)soak_below(&rng, r->n)) % RING;
                b->kind = K_CONFLICT;
                b->t = r->t[q];
                b->v = r->v[q] + 1.0;
            } else if (u < 0.014 && r->latest != INT64_MIN) {
                b->kind = K_LATE;
                b->t = r->latest - (int64_t)soak_below(&rng, WINDOW_US / MS - 1) * MS -
                       (int64_t)(1 + soak_below(&rng, 999));
            } else if (u < 0.016 && r->latest != INT64_MIN) {
                b->kind = K_STALE;
                b->t = r->latest - (int64_t)(10 + soak_below(&rng, 90)) * SEC - 7;
            }
            ss[j].signal = h[i];
            ss[j].t_us = b->t;
            ss[j].value = b->v;
            if (++cursor == nsig) {
                cursor = 0;
                clock_us += 100 * MS + (int64_t)soak_below(&rng, 10) * MS;
            }
        }
        soak_log_offer(&log, batch, n);
        soak_truth_offer(&truth, batch, n);
        if (soak_log_push(&log) != 0) die("log", "write");
        s = twin_ingest_write_signals(ing, ss, n, out, &done);
        for (j = done; j < n; j++) out[j] = TWIN_INGEST_NOT_PROCESSED;
        soak_log_result(&log, out, n);
        soak_truth_result(&truth, out);
        for (j = 0; j < done; j++)
            if (out[j] == TWIN_INGEST_ACCEPTED || out[j] == TWIN_INGEST_ACCEPTED_LATE) {
                recent *r = &rc[batch[j].sig];
                if (batch[j].kind != K_FRESH && batch[j].kind != K_LATE)
                    die("ingest", "a duplicate, conflict, stale or non-finite sample was accepted");
                r->t[r->head] = batch[j].t;
                r->v[r->head] = batch[j].v;
                r->head = (r->head + 1) % RING;
                if (r->n < RING) r->n++;
                if (batch[j].t > r->latest) r->latest = batch[j].t;
            }
        if (s == TWIN_E_BUSY) {
            soak_log_fault(&log, F_BUSY_WRITE, 1);
            soak_truth_fault(&truth, F_BUSY_WRITE, 1);
        } else if (s != TWIN_OK) {
            die("write", twin_ingest_last_error(ing)->message);
        }
        if (s == TWIN_E_BUSY) {
            /* back-pressure: wait for the store to drain */
            flush_confirm(st, &log, &truth, 200);
        } else {
            flush_confirm(st, &log, &truth, 1);
        }
        now = soak_now_ns();
        if (now - last_ckpt > 2000000000LL) {
            /* health states to the store (hundreds of put_health in one
               transaction: a failure counted down into them hits a
               callback inside the transaction) */
            if (fr > 0 && soak_unit(&rng) < 0.3 * fr && f.fail_next == 0)
            {
                f.fail_next = 2 + (int)soak_below(&rng, 100);
                soak_log_fault(&log, F_CB_FAIL, 1);
                soak_truth_fault(&truth, F_CB_FAIL, 1);
            }
            twin_sqlite_checkpoint(db, st);
            last_ckpt = now;
        }
        if (now - last_roll > 1000000000LL && truth.npending == 0 && !truth.in_flight) {
            if (soak_log_roll(&log, &truth) != 0) die("roll", NULL);
            last_roll = now;
        } else if (soak_log_push(&log) != 0) {
            die("log", "write");
        }
    }
    /* SIGTERM: no more faults; everything confirmed, then a clean exit */
    f.enabled = 0;
    if (!flush_confirm(st, &log, &truth, 2000)) die("final flush", twin_sqlite_last_error(db)->message);
    if (soak_log_roll(&log, &truth) != 0) die("roll", NULL);
    soak_log_close(&log);
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    soak_truth_free(&truth);
    free(sig);
    free(h);
    free(rc);
    _exit(0);
}
