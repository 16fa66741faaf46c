/* libtwin-sqlite: samples per second into SQLite through the ingest path,
 * and bytes per stored sample.
 *
 *     bench_sqlite [SENSORS [SECONDS [BATCH]]]   default 1000 sensors, 600 s, 65536
 *
 * SENSORS signals (one per twin, in gForce) each get one sample a second for
 * SECONDS seconds, written by handle (twin_ingest_write_signals()) in
 * batches of BATCH samples; each batch is one transaction (the store's
 * flush commits it). The database is a WAL file in a temporary directory,
 * synchronous=NORMAL (the default: durable against the death of the
 * process). A transaction's cost is mostly the pages it dirties (with
 * 1000 signals, about one page of the samples table each), so throughput
 * grows with the batch: about 110,000 samples/s in batches of 4096, 500,000
 * in batches of 65536 (a minute of 1000 sensors at 1 Hz) on the reference
 * machine. Bytes per sample: database pages in use (after a checkpoint of
 * the WAL) divided by the samples stored. Checks that the store counted
 * and holds every sample. */
#include <twin/twin.h>
#include <twin/sqlite.h>

#include "bench_util.h"

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

int main(int argc, char **argv)
{
    long sensors = argc > 1 ? atol(argv[1]) : 1000, secs = argc > 2 ? atol(argv[2]) : 600;
    long batch = argc > 3 ? atol(argv[3]) : 65536, total, k, at = 0;
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
    double t0, t1;
    if (sensors < 1 || secs < 1 || batch < 1) {
        fprintf(stderr, "usage: bench_sqlite [SENSORS [SECONDS [BATCH]]]\n");
        return 2;
    }
    total = sensors * secs;
    if (!mkdtemp(dir)) return 1;
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
    buf = calloc((size_t)batch, sizeof *buf);
    for (k = 0; k < sensors; k++) {
        char id[32];
        twin_signal_options o;
        snprintf(id, sizeof id, "motor-%05ld", k);
        need(twin_store_add_twin(st, id, "dtmi:bench:Motor;1", NULL, 0), "twin", db);
        twin_signal_options_init(&o);
        o.unit = "gForce";
        need(twin_ingest_add_signal(ing, id, "vibration", &o, &h[k]), "signal", db);
    }
    need(twin_store_flush(st), "flush", db);
    t0 = bench_now_s();
    while (at < total) {
        long n = total - at < batch ? total - at : batch, j;
        size_t done;
        for (j = 0; j < n; j++) {
            long i = at + j;
            buf[j].signal = h[i % sensors];
            buf[j].t_us = T0 + (int64_t)(i / sensors) * 1000000;
            buf[j].value = 0.12 + 0.001 * (double)(i % 97);
        }
        need(twin_ingest_write_signals(ing, buf, (size_t)n, NULL, &done), "write", db);
        if (done != (size_t)n) need(TWIN_E_BUSY, "write", db);
        at += n;
    }
    need(twin_store_flush(st), "flush", db);
    t1 = bench_now_s();
    need(twin_sqlite_checkpoint(db, st), "checkpoint", db);
    {   /* fold the WAL in completely for the size */
        twin_store_stats ss;
        memset(&ss, 0, sizeof ss);
        ss.size = sizeof ss;
        need(twin_store_get_stats(st, &ss), "stats", NULL);
        if (ss.confirmed_samples != (uint64_t)total) {
            fprintf(stderr, "bench_sqlite: store confirmed %llu of %ld samples\n",
                    (unsigned long long)ss.confirmed_samples, total);
            return 1;
        }
    }
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    need(twin_sqlite_get_counts(db, &c), "counts", db);
    if (c.samples != (uint64_t)total) {
        fprintf(stderr, "bench_sqlite: %llu samples stored, %ld written\n",
                (unsigned long long)c.samples, total);
        return 1;
    }
    printf("%-40s %12s\n", "sqlite store (WAL, synchronous=NORMAL)", "");
    printf("  %-38s %12ld\n", "sensors", sensors);
    printf("  %-38s %12ld\n", "samples", total);
    printf("  %-38s %12ld\n", "samples per transaction", batch);
    printf("  %-38s %12.3f\n", "seconds", t1 - t0);
    printf("  %-38s %12.1f\n", "database MB", (double)c.file_bytes / 1e6);
    printf("\nbench: sqlite_samples_per_s %.0f samples/s\n", (double)total / (t1 - t0));
    printf("bench: sqlite_bytes_per_sample %.1f bytes\n", (double)c.file_bytes / (double)total);
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    free(h);
    free(buf);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
