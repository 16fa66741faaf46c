/* libtwin-sqlite: samples per second into SQLite through the ingest path,
 * bytes per stored sample (compressed series, schema 3), and samples per
 * second read back.
 *
 *     bench_sqlite [SENSORS [SECONDS [BATCH]]]   default 1000 sensors, 6 h, 65536
 *
 * Realistic telemetry: SENSORS signals (one per twin), one sample a second
 * each for SECONDS seconds. Four kinds of sensor, in turn: temperature
 * (0.01 degC resolution), pressure (0.1 kPa), vibration (0.001 g), current
 * (0.01 A): a level of its own, a slow drift (a sine of a period of hours
 * and a random walk), Gaussian noise of about 1.5 steps of resolution, and
 * each reading quantised to the resolution and written with that many
 * decimals, as an ADC reading in engineering units is (a double parsed from
 * "23.45"). Times: whole milliseconds (as Sparkplug B and most gateways
 * stamp them), one second apart plus a phase per sensor and a jitter of
 * -2 to +2 ms per sample. The worst case: the same times, values
 * white-noise doubles (all 52 bits of mantissa random), in a second
 * database.
 *
 * Written by handle (twin_ingest_write_signals()) in batches of BATCH
 * samples; each batch is one transaction (the store's flush commits it),
 * timed alone (the generation of the data is not). The database is a WAL
 * file in a temporary directory, synchronous=NORMAL (the default: durable
 * against the death of the process). Bytes per sample: database pages in
 * use (after a checkpoint of the WAL) divided by the samples stored; the
 * open blocks count (they are in the file). Reads: every signal's whole
 * range through twin_sqlite_read(), on one core. Checks that the store
 * counted and holds every sample, and that the samples read back equal
 * those written, bit for bit.
 *
 * InfluxDB: when `influxd` is on the PATH (Debian's influxdb, 1.6.7) and
 * BENCH_SQLITE_NO_INFLUX is not set, each run also starts one on
 * 127.0.0.1 in a temporary directory (in-memory index, cache written out
 * and shards compacted after 1 s without writes), writes the same samples
 * to it in line protocol (measurement m, tag s = the sensor, field v as
 * "%.17g", microsecond times; 5000 points a request), waits until its WAL
 * is empty and its files stop changing, and measures the bytes allocated
 * under its data and WAL directories (allocated, not apparent: its series
 * file's segments are sparse 4 MiB files); then stops it by its PID.
 * sqlite_vs_influx_bytes is ours over its.
 *
 * Tiers: BENCH_SQLITE_TIER_SENSORS (default 8) realistic sensors for
 * BENCH_SQLITE_TIER_DAYS (default 24) days are stored, then folded at once
 * under raw:1d,1m:1y,1h:forever (sqlite_fold_samples_per_s); the bytes a
 * bucket takes in tier blocks of each width (sqlite_tier_1m_bytes_per_bucket,
 * sqlite_tier_1h_bytes_per_bucket) and of a single bucket row give, with
 * the realistic run's bytes per raw sample, the bytes of a year of 10,000
 * sensors at 1 Hz under raw:7d,1m:90d,1h:5y (sqlite_year_10k_sensors_gb):
 * an extrapolation, not a run of a year. The same data is stored again
 * with the policy set first, so that every flush folds (the default
 * budget): ingest rate and slowest write call with folding
 * (sqlite_samples_per_s_folding, sqlite_write_max_ms_folding) beside
 * those without a policy (sqlite_write_max_ms_no_policy). 0 sensors skips
 * it. */
#include <twin/twin.h>
#include <twin/sqlite.h>
#include <sqlite3.h>

#include "bench_util.h"
#include "../tests/support/influxd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 1700000000000000LL

static void need(twin_status s, const char *what, twin_sqlite *db)
{
    if (s != TWIN_OK) {
        fprintf(stderr, "bench_sqlite: %s: %s (%s)\n", what, twin_strerror(s),
                db ? twin_sqlite_last_error(db)->message : "");
        exit(1);
    }
}

static uint64_t next_rand(uint64_t *rng)
{
    uint64_t z = (*rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *rng)
{
    return (double)(next_rand(rng) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(uint64_t *rng)
{
    double u = uniform(rng), v = uniform(rng);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* A sensor's state: its resolution (10^-dec), level, drift. */
/* A sensor's state: its own random stream (so that its samples can be
   made again to check the reads), resolution (10^-dec), level, drift. */
typedef struct sensor {
    uint64_t rng;
    int dec;
    double level, amp, period_s, walk, phase_ms;
} sensor;

static void sensor_init(sensor *z, long k)
{
    uint64_t *rng = &z->rng;
    z->rng = 0x853c49e6748fea9bull ^ ((uint64_t)k * 0xda942042e4dd58b5ull);
    static const int decs[4] = {2, 1, 3, 2};
    static const double levels[4] = {45.0, 101.3, 0.12, 12.0};
    static const double amps[4] = {3.0, 2.0, 0.02, 1.5};
    z->dec = decs[k % 4];
    z->level = levels[k % 4] * (0.8 + 0.4 * uniform(rng));
    z->amp = amps[k % 4] * uniform(rng);
    z->period_s = 3600.0 * (2.0 + 10.0 * uniform(rng));
    z->walk = 0;
    z->phase_ms = (double)(next_rand(rng) % 1000);
}

static double pow10i(int d)
{
    double p = 1;
    while (d-- > 0) p *= 10;
    return p;
}

/* Sample i (second i) of sensor z: realistic, or white noise. */
static void sample(sensor *z, long i, int worst, int64_t *t, double *v)
{
    uint64_t *rng = &z->rng;
    double res = 1.0 / pow10i(z->dec), x;
    int64_t jitter_ms = (int64_t)(next_rand(rng) % 5) - 2;
    *t = T0 + (int64_t)i * 1000000 + ((int64_t)z->phase_ms + jitter_ms) * 1000;
    if (worst) {
        *v = uniform(rng) * 100.0;
        return;
    }
    z->walk += 0.05 * res * gauss(rng);
    x = z->level + z->amp * sin(6.283185307179586 * (double)i / z->period_s) + z->walk +
        1.5 * res * gauss(rng);
    /* the reading as a gateway writes it, then parsed: m / 10^dec */
    *v = (double)(int64_t)llround(x * pow10i(z->dec)) / pow10i(z->dec);
}

typedef struct figures {
    double in_s, read_s, bytes_per_sample, mb, block_bytes;
    long total;
    int influx;                  /* measured against InfluxDB */
    double influx_in_s, influx_mb, influx_bytes_per_sample;
} figures;

typedef struct check {
    sensor z;          /* the sensor as it started: its samples made again */
    long secs, at;
    int worst;
    uint64_t mismatches;
    double sum;
} check;

/* The reads' callback: a sum (what a reader would do at least) and, when
   checking, each sample compared with the one written. */
static twin_status read_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    check *c = ud;
    size_t k;
    (void)t;
    for (k = 0; k < n; k++) c->sum += v[k];
    c->at += (long)n;
    return TWIN_OK;
}

static twin_status check_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    check *c = ud;
    size_t k;
    for (k = 0; k < n; k++, c->at++) {
        int64_t wt;
        double wv;
        sample(&c->z, c->at, c->worst, &wt, &wv);
        if (c->at >= c->secs || wt != t[k] || memcmp(&wv, &v[k], sizeof wv) != 0)
            c->mismatches++;
    }
    return TWIN_OK;
}

static void run(long sensors, long secs, long batch, int worst, int with_influx, figures *f)
{
    influx ix;
    long total = sensors * secs, k, at = 0;
    char dir[] = "/tmp/bench-sqlite-XXXXXX", path[128], cmd[160];
    twin_sqlite *db;
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_signal *h;
    twin_signal_sample *buf;
    twin_sqlite_counts c;
    twin_store_stats ss;
    sensor *z, *z0;
    double t0, t1, in = 0;
    check ck;
    memset(f, 0, sizeof *f);
    if (!mkdtemp(dir)) exit(1);
    snprintf(path, sizeof path, "%s/bench.db", dir);
    need(twin_sqlite_open(&db, path, NULL), "open", db);
    need(twin_graph_create(&g, NULL), "graph", NULL);
    need(twin_sqlite_callbacks(db, &cb), "callbacks", db);
    twin_store_options_init(&so);
    so.callbacks = &cb;
    so.outbox_bytes = 4u << 20;
    need(twin_store_create(&st, g, &so), "store", NULL);
    twin_ingest_options_init(&io);
    io.store = st;
    need(twin_ingest_create(&ing, g, &io), "ingest", NULL);
    need(twin_sqlite_bind_ingest(db, ing), "bind", db);
    h = calloc((size_t)sensors, sizeof *h);
    z = calloc((size_t)sensors, sizeof *z);
    z0 = calloc((size_t)sensors, sizeof *z0);
    buf = calloc((size_t)batch, sizeof *buf);
    if (!h || !z || !z0 || !buf) exit(1);
    for (k = 0; k < sensors; k++) {
        char id[32];
        twin_signal_options o;
        snprintf(id, sizeof id, "sensor-%05ld", k);
        need(twin_store_add_twin(st, id, "dtmi:bench:Sensor;1", NULL, 0), "twin", db);
        twin_signal_options_init(&o);
        o.unit = "gForce";
        need(twin_ingest_add_signal(ing, id, "value", &o, &h[k]), "signal", db);
        sensor_init(&z[k], k);
        z0[k] = z[k];
    }
    need(twin_store_flush(st), "flush", db);
    while (at < total) {  /* by time, then sensor: the order of arrival */
        long n = total - at < batch ? total - at : batch, j;
        size_t done;
        for (j = 0; j < n; j++) {
            long i = at + j;
            buf[j].signal = h[i % sensors];
            sample(&z[i % sensors], i / sensors, worst, &buf[j].t_us, &buf[j].value);
        }
        t0 = bench_now_s();
        need(twin_ingest_write_signals(ing, buf, (size_t)n, NULL, &done), "write", db);
        in += bench_now_s() - t0;
        if (done != (size_t)n) need(TWIN_E_BUSY, "write", db);
        at += n;
    }
    t0 = bench_now_s();
    need(twin_store_flush(st), "flush", db);
    in += bench_now_s() - t0;
    need(twin_sqlite_checkpoint(db, st), "checkpoint", db);
    sqlite3_wal_checkpoint_v2(twin_sqlite_connection(db), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
                              NULL);
    memset(&ss, 0, sizeof ss);
    ss.size = sizeof ss;
    need(twin_store_get_stats(st, &ss), "stats", NULL);
    if (ss.confirmed_samples != (uint64_t)total) {
        fprintf(stderr, "bench_sqlite: store confirmed %llu of %ld samples\n",
                (unsigned long long)ss.confirmed_samples, total);
        exit(1);
    }
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    need(twin_sqlite_get_counts(db, &c), "counts", db);
    if (c.samples != (uint64_t)total) {
        fprintf(stderr, "bench_sqlite: %llu samples stored, %ld written\n",
                (unsigned long long)c.samples, total);
        exit(1);
    }
    {   /* the blocks' own bytes: the rest is SQLite's pages and index */
        sqlite3_stmt *q;
        sqlite3_prepare_v2(twin_sqlite_connection(db),
                           "SELECT (SELECT sum(length(data)) FROM blocks)"
                           " + (SELECT coalesce(sum(length(data)), 0) FROM open_blocks)",
                           -1, &q, NULL);
        f->block_bytes = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_double(q, 0) : 0;
        sqlite3_finalize(q);
        if (getenv("BENCH_SQLITE_STAT")) {
            sqlite3_prepare_v2(twin_sqlite_connection(db),
                               "SELECT name, count(*), sum(payload), sum(unused), sum(pgsize)"
                               " FROM dbstat GROUP BY name", -1, &q, NULL);
            while (q && sqlite3_step(q) == SQLITE_ROW)
                fprintf(stderr, "%-20s pages %6d payload %10.0f unused %10.0f bytes %10.0f\n",
                        sqlite3_column_text(q, 0), sqlite3_column_int(q, 1),
                        sqlite3_column_double(q, 2), sqlite3_column_double(q, 3),
                        sqlite3_column_double(q, 4));
            sqlite3_finalize(q);
        }
    }
    /* reads: every signal's whole range (timed); then again, checked */
    memset(&ck, 0, sizeof ck);
    ck.secs = secs;
    ck.worst = worst;
    t0 = bench_now_s();
    for (k = 0; k < sensors; k++) {
        char id[32];
        snprintf(id, sizeof id, "sensor-%05ld", k);
        ck.at = 0;
        need(twin_sqlite_read(db, id, "value", INT64_MIN, INT64_MAX, read_fn, &ck), "read", db);
        if (ck.at != secs) ck.mismatches++;
    }
    t1 = bench_now_s();
    for (k = 0; k < sensors; k++) {
        char id[32];
        snprintf(id, sizeof id, "sensor-%05ld", k);
        ck.z = z0[k];
        ck.at = 0;
        need(twin_sqlite_read(db, id, "value", INT64_MIN, INT64_MAX, check_fn, &ck), "read", db);
        if (ck.at != secs) ck.mismatches++;
    }
    if (ck.mismatches) {
        fprintf(stderr, "bench_sqlite: %llu samples read back differ\n",
                (unsigned long long)ck.mismatches);
        exit(1);
    }
    if (with_influx) {
        if (influx_start(&ix) != 0 || influx_create_db(&ix, "bench") != 0) {
            fprintf(stderr, "bench_sqlite: influxd did not start (log in %s)\n", ix.dir);
            exit(1);
        }
        f->influx = 1;
    }
    if (with_influx) {  /* the same samples, made again, after ours (not to share the cores) */
        uint64_t b;
        sensor *zi = malloc((size_t)sensors * sizeof *zi);
        if (!zi) exit(1);
        double ti = bench_now_s();
        memcpy(zi, z0, (size_t)sensors * sizeof *zi);
        for (at = 0; at < total; at++) {
            int64_t t;
            double v;
            sample(&zi[at % sensors], at / sensors, worst, &t, &v);
            if (influx_point(&ix, at % sensors, t, v) != 0 ||
                ((at + 1) % 5000 == 0 && influx_flush(&ix) != 0)) {
                fprintf(stderr, "bench_sqlite: influx write failed\n");
                influx_stop(&ix);
                exit(1);
            }
        }
        if (influx_flush(&ix) != 0) {
            fprintf(stderr, "bench_sqlite: influx write failed\n");
            influx_stop(&ix);
            exit(1);
        }
        f->influx_in_s = bench_now_s() - ti;
        free(zi);
        b = influx_settled_bytes(&ix);
        f->influx_mb = (double)b / 1e6;
        f->influx_bytes_per_sample = (double)b / (double)total;
        influx_stop(&ix);
    }
    f->in_s = in;
    f->read_s = t1 - t0;
    f->total = total;
    f->mb = (double)c.file_bytes / 1e6;
    f->bytes_per_sample = (double)c.file_bytes / (double)total;
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    free(h);
    free(z);
    free(z0);
    free(buf);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) exit(1);
}

/* ---- tiers ------------------------------------------------------------------ */

typedef struct tier_figures {
    long sensors, days, samples;
    double fold_s;
    double in_s, max_write_s;            /* ingest (write calls), slowest call */
    long backlog;                        /* samples left to fold after ingest */
    double raw_bytes, raw_samples;       /* what stays raw (the last day) */
    double blk_bytes[2], blk_buckets[2]; /* tier blocks of 1 min, 1 h */
    double row_bytes, rows;              /* single buckets (the newest) */
} tier_figures;

static int64_t one(sqlite3 *c, const char *sql)
{
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(c, sql, -1, &s, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* SENSORS realistic sensors for DAYS days, stored without a policy; then a
   policy (raw 1 day, 1-minute buckets 1 year, hourly ones forever) and one
   fold of everything due, timed; then what each tier takes on disk: the
   pages of its tables and indexes (dbstat), tier blocks apportioned by
   their bytes. */
static void run_tiers(long sensors, long days, int policy_first, tier_figures *f)
{
    long secs = days * 86400, total = sensors * secs, at = 0, k, batch = 65536;
    char dir[] = "/tmp/bench-tiers-XXXXXX", path[128], cmd[160];
    twin_sqlite *db;
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_signal *h;
    twin_signal_sample *buf;
    twin_sqlite_policy p;
    twin_sqlite_fold_stats fs;
    twin_error e;
    sensor *z;
    sqlite3 *c;
    int64_t blk_pages, len_all, len_1m, len_1h;
    double t0;
    memset(f, 0, sizeof *f);
    if (!mkdtemp(dir)) exit(1);
    snprintf(path, sizeof path, "%s/tiers.db", dir);

    need(twin_sqlite_open(&db, path, NULL), "open", db);
    need(twin_graph_create(&g, NULL), "graph", NULL);
    need(twin_sqlite_callbacks(db, &cb), "callbacks", db);
    twin_store_options_init(&so);
    so.callbacks = &cb;
    so.outbox_bytes = 4u << 20;
    need(twin_store_create(&st, g, &so), "store", NULL);
    twin_ingest_options_init(&io);
    io.store = st;
    need(twin_ingest_create(&ing, g, &io), "ingest", NULL);
    need(twin_sqlite_bind_ingest(db, ing), "bind", db);
    h = calloc((size_t)sensors, sizeof *h);
    z = calloc((size_t)sensors, sizeof *z);
    buf = calloc((size_t)batch, sizeof *buf);
    if (!h || !z || !buf) exit(1);
    for (k = 0; k < sensors; k++) {
        char id[32];
        twin_signal_options o;
        snprintf(id, sizeof id, "sensor-%05ld", k);
        need(twin_store_add_twin(st, id, "dtmi:bench:Sensor;1", NULL, 0), "twin", db);
        twin_signal_options_init(&o);
        o.unit = "gForce";
        need(twin_ingest_add_signal(ing, id, "value", &o, &h[k]), "signal", db);
        sensor_init(&z[k], k);
    }
    need(twin_store_flush(st), "flush", db);
    twin_sqlite_policy_init(&p);
    need(twin_sqlite_policy_parse("raw:1d,1m:1y,1h:forever", &p, &e), "policy", NULL);
    if (policy_first)
        need(twin_sqlite_set_policy(db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p), "policy", db);
    while (at < total) {
        long n = total - at < batch ? total - at : batch, j;
        size_t done;
        double w;
        for (j = 0; j < n; j++) {
            long i = at + j;
            buf[j].signal = h[i % sensors];
            sample(&z[i % sensors], i / sensors, 0, &buf[j].t_us, &buf[j].value);
        }
        t0 = bench_now_s();
        need(twin_ingest_write_signals(ing, buf, (size_t)n, NULL, &done), "write", db);
        w = bench_now_s() - t0;
        f->in_s += w;
        if (w > f->max_write_s) f->max_write_s = w;
        if (done != (size_t)n) need(TWIN_E_BUSY, "write", db);
        at += n;
    }
    need(twin_store_flush(st), "flush", db);
    need(twin_sqlite_set_policy(db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p), "policy", db);
    memset(&fs, 0, sizeof fs);
    fs.size = sizeof fs;
    t0 = bench_now_s();
    need(twin_sqlite_fold(db, 0, &fs), "fold", db);
    f->fold_s = bench_now_s() - t0;
    f->sensors = sensors;
    f->days = days;
    f->samples = (long)fs.samples_folded;
    f->backlog = (long)fs.samples_folded;
    c = twin_sqlite_connection(db);
    sqlite3_wal_checkpoint_v2(c, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    f->raw_bytes = (double)one(c, "SELECT sum(pgsize) FROM dbstat WHERE name IN ('blocks',"
                                  " 'blocks_signal', 'open_blocks', 'samples')");
    f->raw_samples = (double)one(c, "SELECT (SELECT coalesce(sum(n), 0) FROM blocks) +"
                                    " (SELECT coalesce(sum(n), 0) FROM open_blocks) +"
                                    " (SELECT count(*) FROM samples)");
    blk_pages = one(c, "SELECT sum(pgsize) FROM dbstat WHERE name IN ('tier_blocks',"
                       " 'tier_blocks_key')");
    len_all = one(c, "SELECT sum(length(data)) FROM tier_blocks");
    len_1m = one(c, "SELECT coalesce(sum(length(data)), 0) FROM tier_blocks WHERE res_us = 60000000");
    len_1h = one(c, "SELECT coalesce(sum(length(data)), 0) FROM tier_blocks WHERE res_us = 3600000000");
    if (blk_pages < 0 || len_all <= 0) {
        fprintf(stderr, "bench_sqlite: no tier blocks (or no dbstat in this SQLite)\n");
        exit(1);
    }
    f->blk_bytes[0] = (double)blk_pages * (double)len_1m / (double)len_all;
    f->blk_bytes[1] = (double)blk_pages * (double)len_1h / (double)len_all;
    f->blk_buckets[0] = (double)one(c, "SELECT sum(n) FROM tier_blocks WHERE res_us = 60000000");
    f->blk_buckets[1] = (double)one(c, "SELECT coalesce(sum(n), 0) FROM tier_blocks"
                                        " WHERE res_us = 3600000000");
    f->row_bytes = (double)one(c, "SELECT sum(pgsize) FROM dbstat WHERE name = 'tiers'");
    f->rows = (double)one(c, "SELECT count(*) FROM tiers");
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    free(h);
    free(z);
    free(buf);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) exit(1);
}

/* A year of 10,000 sensors at 1 Hz under raw 7 days, 1-minute buckets 90
   days, hourly ones 5 years: after the year, raw holds the last 7 days,
   the 1-minute tier the 83 days before them, the hourly tier the 358 days
   before them; each tier's newest buckets (under a block's worth, half on
   average) are single rows. Bytes from the measured figures. */
static void year_figure(const figures *r, const tier_figures *t, const tier_figures *fl)
{
    const double sensors = 10000, day = 86400;
    double raw = sensors * 7 * day * r->bytes_per_sample;
    double b1m = t->blk_bytes[0] / t->blk_buckets[0], b1h = t->blk_buckets[1] > 0
                                                               ? t->blk_bytes[1] / t->blk_buckets[1]
                                                               : b1m;
    double brow = t->rows > 0 ? t->row_bytes / t->rows : 0;
    double m1 = sensors * 83 * 1440 * b1m + sensors * 128 * brow;
    double h1 = sensors * 358 * 24 * b1h + sensors * 128 * brow;
    double all_raw = sensors * 365 * day * r->bytes_per_sample;
    printf("\n%-40s %12s %12s %12s\n", "tiers (realistic data)", "", "", "");
    printf("  %-38s %12ld\n", "sensors x days, stored then folded", t->sensors);
    printf("  %-38s %12ld\n", "days", t->days);
    printf("  %-38s %12.3f\n", "fold seconds (one twin_sqlite_fold)", t->fold_s);
    printf("  %-38s %12.0f\n", "samples folded per second", (double)t->samples / t->fold_s);
    printf("  %-38s %12.2f\n", "bytes per 1-minute bucket (tier blocks)", b1m);
    printf("  %-38s %12.2f%s\n", "bytes per 1-hour bucket (tier blocks)", b1h,
           t->blk_buckets[1] > 0 ? "" : " (none measured: the 1-minute figure)");
    printf("  %-38s %12.2f\n", "bytes per single bucket row", brow);
    printf("  %-38s %12.0f\n", "ingest samples/s, no policy", (double)(t->sensors * t->days) * 86400 / t->in_s);
    printf("  %-38s %12.0f\n", "ingest samples/s, folding per flush", (double)(fl->sensors * fl->days) * 86400 / fl->in_s);
    printf("  %-38s %12.1f\n", "slowest write call ms, no policy", t->max_write_s * 1e3);
    printf("  %-38s %12.1f\n", "slowest write call ms, folding", fl->max_write_s * 1e3);
    printf("  %-38s %12ld\n", "samples left to fold after that ingest", fl->backlog);
    printf("%-40s\n", "a year of 10,000 sensors at 1 Hz, policy raw:7d,1m:90d,1h:5y");
    printf("  (extrapolated from the runs above: raw at the realistic run's bytes per sample)\n");
    printf("  %-38s %12.1f GB\n", "raw, 7 days (6.05 billion samples)", raw / 1e9);
    printf("  %-38s %12.1f GB\n", "1-minute buckets, 83 days", m1 / 1e9);
    printf("  %-38s %12.1f GB\n", "1-hour buckets, 358 days", h1 / 1e9);
    printf("  %-38s %12.1f GB\n", "total", (raw + m1 + h1) / 1e9);
    printf("  %-38s %12.1f GB\n", "the same year all raw, for comparison", all_raw / 1e9);
    printf("\nbench: sqlite_fold_samples_per_s %.0f samples/s\n", (double)t->samples / t->fold_s);
    printf("bench: sqlite_tier_1m_bytes_per_bucket %.2f bytes\n", b1m);
    printf("bench: sqlite_tier_1h_bytes_per_bucket %.2f bytes\n", b1h);
    printf("bench: sqlite_year_10k_sensors_gb %.1f GB\n", (raw + m1 + h1) / 1e9);
    printf("bench: sqlite_samples_per_s_folding %.0f samples/s\n",
           (double)(fl->sensors * fl->days) * 86400 / fl->in_s);
    printf("bench: sqlite_write_max_ms_folding %.1f ms\n", fl->max_write_s * 1e3);
    printf("bench: sqlite_write_max_ms_no_policy %.1f ms\n", t->max_write_s * 1e3);
}

int main(int argc, char **argv)
{
    long sensors = argc > 1 ? atol(argv[1]) : 1000, secs = argc > 2 ? atol(argv[2]) : 21600;
    long batch = argc > 3 ? atol(argv[3]) : 65536;
    figures r, w;
    int with_influx = !getenv("BENCH_SQLITE_NO_INFLUX") && system("influxd version >/dev/null 2>&1") == 0;
    if (sensors < 1 || secs < 1 || batch < 1) {
        fprintf(stderr, "usage: bench_sqlite [SENSORS [SECONDS [BATCH]]]\n");
        return 2;
    }
    const char *ts = getenv("BENCH_SQLITE_TIER_SENSORS"), *td = getenv("BENCH_SQLITE_TIER_DAYS");
    long tier_sensors = ts ? atol(ts) : 8, tier_days = td ? atol(td) : 24;
    tier_figures tf, tfl;
    run(sensors, secs, batch, 0, with_influx, &r);
    run(sensors, secs, batch, 1, with_influx, &w);
    if (tier_sensors > 0 && tier_days > 1) {
        run_tiers(tier_sensors, tier_days, 0, &tf);
        run_tiers(tier_sensors, tier_days, 1, &tfl);
    }
    printf("%-40s %12s %12s\n", "sqlite store (WAL, synchronous=NORMAL)", "realistic", "white noise");
    printf("  %-38s %12ld %12ld\n", "sensors", sensors, sensors);
    printf("  %-38s %12ld %12ld\n", "samples", r.total, w.total);
    printf("  %-38s %12ld %12ld\n", "samples per transaction", batch, batch);
    printf("  %-38s %12.3f %12.3f\n", "ingest seconds", r.in_s, w.in_s);
    printf("  %-38s %12.3f %12.3f\n", "read seconds (every range)", r.read_s, w.read_s);
    printf("  %-38s %12.2f %12.2f\n", "database MB", r.mb, w.mb);
    printf("  %-38s %12.3f %12.3f\n", "bytes per sample", r.bytes_per_sample,
           w.bytes_per_sample);
    printf("  %-38s %12.3f %12.3f\n", "of which block bytes per sample",
           r.block_bytes / (double)r.total, w.block_bytes / (double)w.total);
    if (with_influx) {
        printf("%-40s %12s %12s\n", "InfluxDB 1.x (after compaction)", "", "");
        printf("  %-38s %12.3f %12.3f\n", "ingest seconds (HTTP, 5000 a request)", r.influx_in_s,
               w.influx_in_s);
        printf("  %-38s %12.2f %12.2f\n", "data and WAL MB", r.influx_mb, w.influx_mb);
        printf("  %-38s %12.3f %12.3f\n", "bytes per sample", r.influx_bytes_per_sample,
               w.influx_bytes_per_sample);
    } else {
        printf("(no influxd: the comparison with InfluxDB is skipped)\n");
    }
    printf("\nbench: sqlite_samples_per_s %.0f samples/s\n", (double)r.total / r.in_s);
    printf("bench: sqlite_read_samples_per_s %.0f samples/s\n", (double)r.total / r.read_s);
    printf("bench: sqlite_bytes_per_sample %.2f bytes\n", r.bytes_per_sample);
    printf("bench: sqlite_bytes_per_sample_worst %.2f bytes\n", w.bytes_per_sample);
    if (with_influx) {
        printf("bench: influx_bytes_per_sample %.2f bytes\n", r.influx_bytes_per_sample);
        printf("bench: influx_bytes_per_sample_worst %.2f bytes\n", w.influx_bytes_per_sample);
        printf("bench: sqlite_vs_influx_bytes %.2f\n",
               r.bytes_per_sample / r.influx_bytes_per_sample);
        printf("bench: sqlite_vs_influx_bytes_worst %.2f\n",
               w.bytes_per_sample / w.influx_bytes_per_sample);
    }
    if (tier_sensors > 0 && tier_days > 1) year_figure(&r, &tf, &tfl);
    return 0;
}
