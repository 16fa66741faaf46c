/* libtwin-pg: rows per second forwarded from a SQLite store into a real
 * PostgreSQL 15, beside a bare libpq COPY of the same rows.
 *
 *     bench_pg [SIGNALS [SECONDS [BATCH]]]   default 1000 signals, 300 s, 20000
 *
 * A store of SIGNALS signals (one per twin) at 1 Hz for SECONDS seconds
 * (telemetry quantised to 0.01) is written first (not timed). Then, against
 * one server initdb'd and started in a temporary directory
 * (tests/support/postgres.h; fsync off, as the disk is not what is measured):
 * - forward: twin_pg_step() until idle into table `fwd` (created by the
 *   forwarder): reading the store, COPY (binary) of the batch into the
 *   session's staging tables, INSERT ... SELECT ... ON CONFLICT DO NOTHING,
 *   COMMIT, the cursor commits; pg_forward_rows_per_s.
 * - bare: a libpq connection of its own (opened in the timed part, as the
 *   forwarder's is) COPYing (binary) the same rows, whole (source,
 *   twin, signal, t, value, unit, model, rels), from memory, straight into
 *   table `bare` of the same definition and primary key, a transaction per
 *   BATCH rows; pg_forward_vs_bare is forward over bare, target >= 0.8.
 * - forward with TWIN_PG_DIRECT (each batch COPYed straight into the
 *   table, the staging path only for batches it refuses) into `direct`:
 *   pg_forward_direct_rows_per_s, pg_forward_direct_vs_bare.
 * - the same two in COPY's text format (the forwarder's TWIN_PG_COPY_TEXT),
 *   into tables of their own: the measurement behind the choice of binary.
 * Forward, direct and bare binary run ROUNDS (3) times, alternating the
 * order, each into fresh tables; each figure is the best of its rounds
 * (the machine is shared with other work). Beside the wall-clock ratios,
 * the CPU seconds each costs, client and server together (the server's
 * from /proc: the postmaster, its children, those it reaped), which other
 * work on the machine disturbs far less: pg_forward_cpu_vs_bare,
 * pg_forward_direct_cpu_vs_bare (bare's CPU over the forwarder's). The text pair runs once.
 * Checks the counts upstream by query. */
#define _DEFAULT_SOURCE 1 /* setgroups() in tests/support/postgres.h */
#include <twin/twin.h>
#include <twin/sqlite.h>
#include <twin/pg.h>

#include "bench_util.h"
#include "../tests/support/postgres.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000000000000LL
#define ROUNDS 3

static double value_of(long sig, long k)
{
    double v = 20.0 + 5.0 * sin((double)k / 600.0 + (double)sig) +
               0.03 * (double)((sig * 7919 + k * 104729) % 7 - 3);
    return round(v * 100.0) / 100.0;
}

static pgsrv *live;  /* the server, stopped by die() */

static void die(const char *what)
{
    fprintf(stderr, "bench_pg: %s\n", what);
    if (live) pgsrv_stop(live);
    exit(1);
}

/* CPU seconds used so far by the server (the postmaster, its live
   children, and the children it has reaped: cutime, cstime) and by this
   process: what a run costs, whatever else the machine does. */
static double proc_cpu(pid_t pid, int with_children)
{
    char path[64], st[1024], *p;
    unsigned long long ut = 0, stm = 0, cut = 0, cst = 0;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if (!(f = fopen(path, "r"))) return 0;
    if (fgets(st, sizeof st, f) && (p = strrchr(st, ')')))
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ut, &stm,
               &cut, &cst);
    fclose(f);
    return (double)(ut + stm + (with_children ? cut + cst : 0)) / (double)sysconf(_SC_CLK_TCK);
}

static double cpu_now(const pgsrv *x)
{
    pid_t kids[256];
    int n = pgsrv_children(x, kids, 256), k;
    double t = proc_cpu(x->pid, 1) + proc_cpu(getpid(), 0);
    for (k = 0; k < n; k++) t += proc_cpu(kids[k], 0);
    return t;
}

static void make_store(const char *path, long nsig, long secs)
{
    twin_sqlite *db;
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_signal *h = malloc((size_t)nsig * sizeof *h);
    twin_signal_sample *b = malloc((size_t)nsig * 10 * sizeof *b);
    long i, k;
    if (!h || !b) die("out of memory");
    if (twin_sqlite_open(&db, path, NULL) != TWIN_OK || twin_graph_create(&g, NULL) != TWIN_OK ||
        twin_sqlite_callbacks(db, &cb) != TWIN_OK)
        die("cannot open the store");
    twin_store_options_init(&so);
    so.callbacks = &cb;
    if (twin_store_create(&st, g, &so) != TWIN_OK) die("store");
    twin_ingest_options_init(&io);
    io.store = st;
    if (twin_ingest_create(&ing, g, &io) != TWIN_OK) die("ingest");
    if (twin_store_add_twin(st, "line-1", "dtmi:bench:Line;1", NULL, 0) != TWIN_OK) die("twin");
    for (i = 0; i < nsig; i++) {
        char twin[32];
        twin_signal_options o;
        snprintf(twin, sizeof twin, "pump-%05ld", i);
        twin_signal_options_init(&o);
        o.unit = "degreeCelsius";
        if (twin_store_add_twin(st, twin, "dtmi:bench:Pump;1", NULL, 0) != TWIN_OK ||
            twin_store_add_relationship(st, twin, "r", "isPartOf", "line-1", NULL, 0) != TWIN_OK ||
            twin_ingest_add_signal(ing, twin, "temperature", &o, &h[i]) != TWIN_OK)
            die("signal");
        if (i % 1000 == 999 && twin_store_flush(st) != TWIN_OK) die("flush");
    }
    for (k = 0; k < secs; k += 10) {
        size_t m = 0, done;
        long j;
        for (j = k; j < k + 10 && j < secs; j++)
            for (i = 0; i < nsig; i++) {
                b[m].signal = h[i];
                b[m].t_us = T0 + j * 1000000LL;
                b[m].value = value_of(i, j);
                m++;
            }
        if (twin_ingest_write_signals(ing, b, m, NULL, &done) != TWIN_OK || done != m ||
            twin_store_flush(st) != TWIN_OK)
            die("write");
    }
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    twin_sqlite_close(db);
    free(h);
    free(b);
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_pg: %s: %s", sql, PQerrorMessage(c));
        PQclear(r);
        die("query failed");
    }
    PQclear(r);
}

static long long count_rows(PGconn *c, const char *table)
{
    char sql[128];
    PGresult *r;
    long long n;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die("count failed");
    n = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        if (!(b->p = realloc(b->p, b->cap))) die("out of memory");
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put_be(buf *b, uint64_t v, int bytes)
{
    unsigned char o[8];
    int k;
    for (k = 0; k < bytes; k++) o[k] = (unsigned char)(v >> (8 * (bytes - 1 - k)));
    put(b, o, (size_t)bytes);
}

static void put_field(buf *b, const char *s, int jsonb)
{
    size_t n = strlen(s);
    put_be(b, n + (jsonb ? 1 : 0), 4);
    if (jsonb) put(b, "\1", 1);
    put(b, s, n);
}

/* The bare client: the same rows, whole, COPYed straight into table, BATCH
   rows a transaction; seconds. */
static double bare(const char *ci, const char *table, long nsig, long secs, long batch, int text)
{
    buf b = {NULL, 0, 0};
    char sql[160];
    long rows = 0, i, k;
    double t0;
    PGconn *c;
    snprintf(sql, sizeof sql,
             "COPY %s (source, twin, signal, t, value, unit, model, rels) FROM STDIN (FORMAT %s)",
             table, text ? "text" : "binary");
    t0 = bench_now_s();
    c = PQconnectdb(ci);  /* a connection of its own, as the forwarder's */
    if (PQstatus(c) != CONNECTION_OK) die(PQerrorMessage(c));
    for (i = 0; i < nsig; i++) {
        char twin[32];
        snprintf(twin, sizeof twin, "pump-%05ld", i);
        for (k = 0; k < secs; k++) {
            if (rows == 0 && !text) put(&b, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
            if (text) {
                char line[256];
                time_t s = (time_t)((T0 + k * 1000000LL) / 1000000);
                struct tm tm;
                int w;
                gmtime_r(&s, &tm);
                w = snprintf(line, sizeof line,
                             "gw\t%s\ttemperature\t%04d-%02d-%02d %02d:%02d:%02d.%06d+00\t%.17g\t"
                             "degreeCelsius\tdtmi:bench:Pump;1\t{\"isPartOf\": \"line-1\"}\n",
                             twin, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                             tm.tm_min, tm.tm_sec, 0, value_of(i, k));
                put(&b, line, (size_t)w);
            } else {
                double v = value_of(i, k);
                uint64_t bits;
                memcpy(&bits, &v, 8);
                put_be(&b, 8, 2);
                put_field(&b, "gw", 0);
                put_field(&b, twin, 0);
                put_field(&b, "temperature", 0);
                put_be(&b, 8, 4);
                put_be(&b, (uint64_t)(T0 + k * 1000000LL - 946684800000000LL), 8);
                put_be(&b, 8, 4);
                put_be(&b, bits, 8);
                put_field(&b, "degreeCelsius", 0);
                put_field(&b, "dtmi:bench:Pump;1", 0);
                put_field(&b, "{\"isPartOf\": \"line-1\"}", 1);
            }
            if (++rows == batch || (i == nsig - 1 && k == secs - 1)) {
                PGresult *r;
                if (!text) put_be(&b, 0xFFFF, 2);
                exec_ok(c, "BEGIN");
                r = PQexec(c, sql);
                if (PQresultStatus(r) != PGRES_COPY_IN) die(PQerrorMessage(c));
                PQclear(r);
                if (PQputCopyData(c, b.p, (int)b.n) != 1 || PQputCopyEnd(c, NULL) != 1)
                    die("bare: COPY failed");
                r = PQgetResult(c);
                if (PQresultStatus(r) != PGRES_COMMAND_OK) die(PQerrorMessage(c));
                PQclear(r);
                while ((r = PQgetResult(c))) PQclear(r);
                exec_ok(c, "COMMIT");
                rows = 0;
                b.n = 0;
            }
        }
    }
    t0 = bench_now_s() - t0;
    PQfinish(c);
    free(b.p);
    return t0;
}

static double forward(const char *path, const char *ci, const char *table, long batch,
                      uint32_t flags, twin_pg_stats *st)
{
    twin_sqlite *db;
    twin_pg *fw;
    twin_pg_options o;
    twin_pg_progress p;
    double t;
    if (twin_sqlite_open(&db, path, NULL) != TWIN_OK) die("open");
    twin_pg_options_init(&o);
    o.conninfo = ci;
    o.table = table;
    o.source = "gw";
    o.upstream = table;
    o.flags = flags;
    o.batch_rows = (uint32_t)batch;
    if (twin_pg_create(&fw, db, &o) != TWIN_OK) die("twin_pg_create");
    t = bench_now_s();
    do {
        p.size = sizeof p;
        if (twin_pg_step(fw, 16, &p) != TWIN_OK) die(twin_pg_last_error(fw)->message);
        if (p.state == TWIN_PG_BACKOFF) die(p.last_message);
    } while (p.state != TWIN_PG_IDLE);
    t = bench_now_s() - t;
    st->size = sizeof *st;
    twin_pg_get_stats(fw, st);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    return t;
}

int main(int argc, char **argv)
{
    long nsig = argc > 1 ? atol(argv[1]) : 1000, secs = argc > 2 ? atol(argv[2]) : 300;
    long batch = argc > 3 ? atol(argv[3]) : 20000;
    char dir[64] = "/tmp/bench-pg-XXXXXX", path[128], cmd[160], ci[256];
    static const char create[] =
        "CREATE TABLE %s (source text NOT NULL, twin text NOT NULL, signal text NOT NULL,"
        " t timestamptz NOT NULL, value double precision NOT NULL, unit text NOT NULL,"
        " model text NOT NULL, rels jsonb NOT NULL, PRIMARY KEY (source, twin, signal, t))";
    char sql[512];
    twin_pg_stats st, stt, sd;
    pgsrv srv;
    PGconn *c;
    double tf, tb, tft, tbt, td, n, t;
    int r, k;
    double cpu[3] = {1e30, 1e30, 1e30}, mine[3] = {0, 0, 0};
    if (nsig < 1 || secs < 1 || batch < 1) die("usage: bench_pg [SIGNALS [SECONDS [BATCH]]]");
    if (!pgsrv_available()) {
        printf("bench_pg: no PostgreSQL 15 in " PGSRV_BIN " (Debian's postgresql-15): skipped\n");
        return 0;
    }
    n = (double)nsig * (double)secs;
    if (!mkdtemp(dir)) die("mkdtemp");
    snprintf(path, sizeof path, "%s/store.db", dir);
    t = bench_now_s();
    make_store(path, nsig, secs);
    printf("store: %ld signals x %ld s = %.0f samples, written in %.1f s\n", nsig, secs, n,
           bench_now_s() - t);
    live = &srv;
    if (pgsrv_start(&srv, "shared_buffers = 128MB\nmax_wal_size = 1GB\nautovacuum = off") != 0)
        die("postgres did not start");
    pgsrv_conninfo(&srv, ci, sizeof ci, NULL);
    c = PQconnectdb(ci);
    if (PQstatus(c) != CONNECTION_OK) die(PQerrorMessage(c));
    /* ROUNDS rounds, alternating which of the two goes first, each into
       fresh tables; the best time of each (the machine is shared) */
    tf = tb = tft = tbt = td = 1e30;
    for (r = 0; r < ROUNDS; r++) {
        char fwd[32], br[32], dir_t[32];
        double x;
        snprintf(fwd, sizeof fwd, "fwd_%d", r);
        snprintf(br, sizeof br, "bare_%d", r);
        snprintf(sql, sizeof sql, create, br);
        exec_ok(c, sql);
        snprintf(dir_t, sizeof dir_t, "direct_%d", r);
        for (k = 0; k < 3; k++) {
            int which = r % 2 ? 2 - k : k;  /* 0 forward, 1 direct, 2 bare */
            double c0 = cpu_now(&srv), c1, m0 = proc_cpu(getpid(), 0);
            if (which == 0) x = forward(path, ci, fwd, batch, 0, &st);
            else if (which == 1) x = forward(path, ci, dir_t, batch, TWIN_PG_DIRECT, &sd);
            else x = bare(ci, br, nsig, secs, batch, 0);
            c1 = cpu_now(&srv) - c0;
            if (c1 < cpu[which]) mine[which] = proc_cpu(getpid(), 0) - m0;
            if (which == 0 && x < tf) tf = x;
            if (which == 1 && x < td) td = x;
            if (which == 2 && x < tb) tb = x;
            if (c1 < cpu[which]) cpu[which] = c1;
        }
        if (count_rows(c, fwd) != (long long)n || count_rows(c, br) != (long long)n ||
            count_rows(c, dir_t) != (long long)n)
            die("the counts upstream differ from the samples");
        snprintf(sql, sizeof sql, "DROP TABLE %s; DROP TABLE %s; DROP TABLE %s", fwd, br, dir_t);
        exec_ok(c, sql);
    }
    /* the text format, once each */
    snprintf(sql, sizeof sql, create, "bare_text");
    exec_ok(c, sql);
    tbt = bare(ci, "bare_text", nsig, secs, batch, 1);
    tft = forward(path, ci, "fwd_text", batch, TWIN_PG_COPY_TEXT, &stt);
    if (count_rows(c, "fwd_text") != (long long)n || count_rows(c, "bare_text") != (long long)n)
        die("the counts upstream differ from the samples");
    PQfinish(c);
    pgsrv_stop(&srv);
    live = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_pg: cannot remove %s\n", dir);

    printf("\n%-40s %10s %12s\n", "into PostgreSQL 15 (one connection)", "best s", "rows/s");
    printf("%-40s %10.2f %12.0f\n", "twin_pg, COPY binary + INSERT", tf, n / tf);
    printf("%-40s %10.2f %12.0f\n", "bare libpq COPY binary, whole rows", tb, n / tb);
    printf("%-40s %10.2f %12.0f\n", "twin_pg TWIN_PG_DIRECT (COPY into table)", td, n / td);
    printf("%-40s %10.2f %12.0f\n", "twin_pg, COPY text + INSERT", tft, n / tft);
    printf("%-40s %10.2f %12.0f\n", "bare libpq COPY text, whole rows", tbt, n / tbt);
    printf("transactions %llu, COPY bytes a row: binary %.1f, text %.1f\n\n",
           (unsigned long long)st.transactions, (double)st.bytes_sent / n,
           (double)stt.bytes_sent / n);
    printf("CPU seconds (client and server), best of %d: forward %.2f, direct %.2f, bare %.2f"
           " (of which the client's: %.2f, %.2f, %.2f)\n\n",
           ROUNDS, cpu[0], cpu[1], cpu[2], mine[0], mine[1], mine[2]);
    printf("bench: pg_forward_cpu_vs_bare %.3f ratio\n", cpu[2] / cpu[0]);
    printf("bench: pg_forward_direct_cpu_vs_bare %.3f ratio\n", cpu[2] / cpu[1]);
    printf("bench: pg_forward_rows_per_s %.0f rows/s\n", n / tf);
    printf("bench: pg_bare_copy_rows_per_s %.0f rows/s\n", n / tb);
    printf("bench: pg_forward_vs_bare %.3f ratio\n", tb / tf);
    printf("bench: pg_forward_direct_rows_per_s %.0f rows/s\n", n / td);
    printf("bench: pg_forward_direct_vs_bare %.3f ratio\n", tb / td);
    printf("bench: pg_forward_text_rows_per_s %.0f rows/s\n", n / tft);
    printf("bench: pg_bare_copy_text_rows_per_s %.0f rows/s\n", n / tbt);
    return 0;
}
