/* Sparkplug B store and forward (issue 16), on an Edge Node over one twin
 * with 10 signals (a record: 10 samples, 252 bytes):
 *  - sparkplug_sf_store_records_per_s: ingest write of 10 samples, then
 *    twin_sp_edge_hold() appends the record to a file store (no fsync).
 *  - sparkplug_sf_forward_records_per_s: after the births, the stored
 *    records read, turned into historical DDATA and confirmed
 *    (twin_sp_edge_next() until TWIN_DONE).
 *  - the store alone, append + read + confirm per record, beside a queue
 *    table in SQLite (one transaction per append, as the store's contract
 *    asks: an accepted record is durable when append returns), without
 *    and with a sync to the disk per append (SQLite: per transaction): why
 *    the file store.
 * Prints a table and lines "bench: NAME VALUE UNIT".
 * Usage: bench_sparkplug_sf [RECORDS] */
#include <twin/sparkplug.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

#define NSIG 10
#define T0 1700000000000000LL

static char dir[64];

static void die(const char *what)
{
    fprintf(stderr, "bench_sparkplug_sf: %s\n", what);
    exit(1);
}

static twin_sp_file_store *file_open(const char *name, uint32_t flags)
{
    char path[128];
    twin_sp_file_store *fs;
    twin_sp_file_store_options o;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    twin_sp_file_store_options_init(&o);
    o.flags = flags;
    o.max_bytes = (uint64_t)1 << 30;
    if (twin_sp_file_store_open(&fs, path, &o) != TWIN_OK)
        die("file store");
    return fs;
}

/* Edge rounds into the file store, then forwarding: records per second. */
static void edge_bench(int n, double *store_rps, double *fwd_rps)
{
    twin_graph *g;
    twin_ingest *ing;
    twin_sp_edge *e;
    twin_signal sig[NSIG];
    twin_sp_edge_options o;
    twin_sp_store st;
    char name[16];
    if (twin_graph_create(&g, NULL) || twin_graph_add_twin(g, "line/1", "dtmi:b:M;1", NULL, 0) ||
        twin_ingest_create(&ing, g, NULL))
        die("graph");
    for (int i = 0; i < NSIG; i++) {
        snprintf(name, sizeof name, "temp%02d", i);
        if (twin_ingest_add_signal(ing, "line/1", name, NULL, &sig[i]))
            die("signal");
    }
    twin_sp_edge_options_init(&o);
    o.group_id = "G";
    o.node_id = "N";
    twin_sp_file_store *fs = file_open("edge.sf", 0);
    if (twin_sp_edge_create(&e, g, ing, &o) || twin_sp_file_store_callbacks(fs, &st) ||
        twin_sp_edge_set_store(e, &st))
        die("edge");
    twin_signal_sample smp[NSIG];
    double t0 = bench_now_s();
    for (int k = 0; k < n; k++) {
        for (int i = 0; i < NSIG; i++) {
            smp[i].signal = sig[i];
            smp[i].t_us = T0 + (int64_t)k * 1000;
            smp[i].value = 20.0 + 0.01 * k + i;
        }
        if (twin_ingest_write_signals(ing, smp, NSIG, NULL, NULL) ||
            twin_sp_edge_hold(e, T0) != TWIN_OK)
            die("hold");
    }
    *store_rps = n / (bench_now_s() - t0);
    static uint8_t buf[16384];
    twin_sp_message msg, will;
    if (twin_sp_edge_connect(e, &will, buf, sizeof buf, NULL))
        die("connect");
    int hist = 0;
    twin_status s;
    t0 = bench_now_s();
    while ((s = twin_sp_edge_next(e, T0, &msg, buf, sizeof buf, NULL)) == TWIN_OK)
        hist += msg.type == TWIN_SP_DDATA;
    *fwd_rps = hist / (bench_now_s() - t0);
    if (s != TWIN_DONE || hist != n)
        die("forward");
    twin_sp_edge_destroy(e);
    twin_sp_file_store_close(fs);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
}

/* append + read + confirm of n records through the store callbacks. */
static double store_ops(const twin_sp_store *st, int n, size_t len)
{
    uint8_t rec[512], out[512];
    memset(rec, 0x5a, sizeof rec);
    uint64_t cur = TWIN_SP_STORE_FIRST, nx;
    size_t got;
    double t0 = bench_now_s();
    for (int k = 0; k < n; k++)
        if (st->append(st->ud, rec, len) != TWIN_OK)
            die("append");
    for (int k = 0; k < n; k++) {
        if (st->read(st->ud, cur, out, sizeof out, &got, &nx) != TWIN_OK)
            die("read");
        cur = nx;
        if (st->confirm(st->ud, cur) != TWIN_OK)
            die("confirm");
    }
    return n / (bench_now_s() - t0);
}

/* ---- the same queue in SQLite ------------------------------------------------ */

typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *ins, *sel, *del;
} sq;

static twin_status sq_append(void *ud, const void *rec, size_t len)
{
    sq *q = (sq *)ud;
    sqlite3_bind_blob(q->ins, 1, rec, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(q->ins);
    sqlite3_reset(q->ins);
    return rc == SQLITE_DONE ? TWIN_OK : TWIN_E_IO;
}
static twin_status sq_read(void *ud, uint64_t cursor, void *buf, size_t cap, size_t *len,
                           uint64_t *next)
{
    sq *q = (sq *)ud;
    sqlite3_bind_int64(q->sel, 1, (sqlite3_int64)cursor);
    twin_status s = TWIN_DONE;
    if (sqlite3_step(q->sel) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(q->sel, 1);
        *len = n;
        *next = (uint64_t)sqlite3_column_int64(q->sel, 0) + 1;
        s = n > cap ? TWIN_E_RANGE : TWIN_OK;
        if (s == TWIN_OK)
            memcpy(buf, sqlite3_column_blob(q->sel, 1), n);
    }
    sqlite3_reset(q->sel);
    return s;
}
static twin_status sq_confirm(void *ud, uint64_t cursor)
{
    sq *q = (sq *)ud;
    sqlite3_bind_int64(q->del, 1, (sqlite3_int64)cursor);
    int rc = sqlite3_step(q->del);
    sqlite3_reset(q->del);
    return rc == SQLITE_DONE ? TWIN_OK : TWIN_E_IO;
}

static double sqlite_ops(const char *sync, int n, size_t len)
{
    char path[128], pragma[64];
    sq q;
    snprintf(path, sizeof path, "%s/queue.db", dir);
    unlink(path);
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous=%s", sync);
    if (sqlite3_open(path, &q.db) || sqlite3_exec(q.db, "PRAGMA journal_mode=WAL", 0, 0, 0) ||
        sqlite3_exec(q.db, pragma, 0, 0, 0) ||
        sqlite3_exec(q.db, "CREATE TABLE q(id INTEGER PRIMARY KEY, rec BLOB)", 0, 0, 0) ||
        sqlite3_prepare_v2(q.db, "INSERT INTO q(rec) VALUES(?)", -1, &q.ins, 0) ||
        sqlite3_prepare_v2(q.db, "SELECT id, rec FROM q WHERE id >= ? ORDER BY id LIMIT 1", -1,
                           &q.sel, 0) ||
        sqlite3_prepare_v2(q.db, "DELETE FROM q WHERE id < ?", -1, &q.del, 0))
        die(sqlite3_errmsg(q.db));
    twin_sp_store st = {sizeof st, 0, sq_append, sq_read, sq_confirm, &q};
    double r = store_ops(&st, n, len);
    sqlite3_finalize(q.ins);
    sqlite3_finalize(q.sel);
    sqlite3_finalize(q.del);
    sqlite3_close(q.db);
    unlink(path);
    return r;
}

static double file_ops(uint32_t flags, int n, size_t len)
{
    twin_sp_store st;
    twin_sp_file_store *fs = file_open("store.sf", flags);
    twin_sp_file_store_callbacks(fs, &st);
    double r = store_ops(&st, n, len);
    twin_sp_file_store_close(fs);
    return r;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int nsync = n / 40 > 100 ? n / 40 : 100;
    const size_t len = 252; /* an edge record of 10 samples */
    snprintf(dir, sizeof dir, "/tmp/bench_sp_sf.XXXXXX");
    if (!mkdtemp(dir))
        die("mkdtemp");
    double srps, frps;
    edge_bench(n, &srps, &frps);
    double f0 = file_ops(0, n, len), s0 = sqlite_ops("NORMAL", n, len);
    double f1 = file_ops(TWIN_SP_FILE_STORE_SYNC, nsync, len), s1 = sqlite_ops("FULL", nsync, len);
    printf("Store and forward, a record of %d samples (%zu bytes), files in %s\n", NSIG, len, dir);
    printf("  %-46s %12.0f records/s\n", "edge: ingest write + hold (file store)", srps);
    printf("  %-46s %12.0f records/s\n", "edge: historical DDATA built + confirmed", frps);
    printf("  %-46s %12.0f records/s\n", "file store, append+read+confirm, no sync", f0);
    printf("  %-46s %12.0f records/s\n", "SQLite queue (WAL, synchronous=NORMAL)", s0);
    printf("  %-46s %12.0f records/s\n", "file store, fdatasync per append", f1);
    printf("  %-46s %12.0f records/s\n", "SQLite queue (WAL, synchronous=FULL)", s1);
    printf("bench: sparkplug_sf_store_records_per_s %.0f records/s\n", srps);
    printf("bench: sparkplug_sf_forward_records_per_s %.0f records/s\n", frps);
    printf("bench: sparkplug_sf_file_ops_per_s %.0f records/s\n", f0);
    printf("bench: sparkplug_sf_sqlite_ops_per_s %.0f records/s\n", s0);
    printf("bench: sparkplug_sf_file_sync_ops_per_s %.0f records/s\n", f1);
    printf("bench: sparkplug_sf_sqlite_sync_ops_per_s %.0f records/s\n", s1);
    char p[128];
    snprintf(p, sizeof p, "%s/edge.sf", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/store.sf", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}
