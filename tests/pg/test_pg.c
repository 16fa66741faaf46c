/* libtwin-pg against a real PostgreSQL 15 (Debian's, started by
 * tests/support/postgres.h in a temporary directory as `nobody`, stopped by
 * its PID): a store forwarded and counted by query; sent again, nothing
 * doubled; the server crashed (SIGKILL of its process group) and started
 * again at random points; the forwarder's process killed and started again;
 * the server paused (SIGSTOP) and resumed; rows a CHECK constraint rejects,
 * found by bisection; TLS (verify-full against a CA made with openssl); a
 * fleet of three gateways in one table, queried across. After each, every
 * sample is in the table once, at its time with its value. `test_pg
 * disk_full` runs the full-disk case alone (a tmpfs tablespace: skipped, 77,
 * when it cannot mount, failed then when CI=true). Skipped (77) without
 * PostgreSQL 15, failed then when CI=true. Runs without forking
 * (CK_NOFORK): the tests restart the one server. */
#define _DEFAULT_SOURCE 1 /* setgroups() in support/postgres.h */
#include <twin/pg.h>

#include "../sqlite/sq_fixture.h"
#include "../support/postgres.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>

static pgsrv server;
static char tls_dir[64], ca_pem[128], other_ca[128];
static int have_tls;
static const char *dir;

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A store of nsig signals ("pump-<i>"/"s<i>", models alternating from
   models[], each twin isPartOf line when line is given) with n samples each
   at 1 Hz from T0, value base + i * 1e6 + k. */
static void make_store(const char *path, int nsig, long n, double base, const char *const *models,
                       const char *line)
{
    sq x;
    int i;
    static const char *const pump[2] = {"dtmi:t:Pump;1", "dtmi:t:Pump;1"};
    if (!models) models = pump;
    sq_open(&x, path, 0, 1000);
    if (line) ck_assert_int_eq(twin_store_add_twin(x.st, line, "dtmi:t:Line;1", NULL, 0), TWIN_OK);
    for (i = 0; i < nsig; i++) {
        char twin[32], name[32], rel[40];
        twin_signal_options o;
        twin_signal h;
        twin_signal_sample b[500];
        long k = 0;
        snprintf(twin, sizeof twin, "pump-%d", i);
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_int_eq(twin_store_add_twin(x.st, twin, models[i % 2], NULL, 0), TWIN_OK);
        if (line) {
            snprintf(rel, sizeof rel, "r%d", i);
            ck_assert_int_eq(twin_store_add_relationship(x.st, twin, rel, "isPartOf", line, NULL, 0),
                             TWIN_OK);
        }
        twin_signal_options_init(&o);
        o.unit = "gForce";
        ck_assert_int_eq(twin_ingest_add_signal(x.ing, twin, name, &o, &h), TWIN_OK);
        while (k < n) {
            size_t m = 0, done;
            for (; m < 500 && k < n; m++, k++) {
                b[m].signal = h;
                b[m].t_us = T0 + k * SEC;
                b[m].value = base + (double)i * 1e6 + (double)k;
            }
            ck_assert_int_eq(twin_ingest_write_signals(x.ing, b, m, NULL, &done), TWIN_OK);
            ck_assert_uint_eq(done, m);
            ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
        }
    }
    sq_close(&x, 1);
}

static PGconn *pg_conn(void)
{
    char ci[256];
    PGconn *c;
    pgsrv_conninfo(&server, ci, sizeof ci, NULL);
    c = PQconnectdb(ci);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    return c;
}

/* One SQL statement; the first column of the first row as a double (0 when
   no row); asserts success. */
static double q1(const char *sql)
{
    PGconn *c = pg_conn();
    PGresult *r = PQexec(c, sql);
    double v = 0;
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
                  "%s: %s", sql, PQerrorMessage(c));
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    PQfinish(c);
    return v;
}

/* Every sample of source src (nsig signals of n samples, values base + i *
   1e6 + k at T0 + k s) is in table tbl once, at its time with its value. */
static void check_exact(const char *tbl, const char *src, int nsig, long n, double base)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE source = '%s'", tbl, src);
    ck_assert_msg(q1(sql) == (double)nsig * (double)n, "%s: %.0f rows, want %ld", tbl, q1(sql),
                  (long)nsig * n);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT twin, count(*) AS n, bool_and(signal = 's' ||"
             " substr(twin, 6) AND value = %.17g + substr(twin, 6)::int * 1000000.0 +"
             " (extract(epoch FROM t)::bigint - %lld)) AS ok FROM %s WHERE source = '%s'"
             " GROUP BY twin) x WHERE n = %ld AND ok",
             base, (long long)(T0 / SEC), tbl, src, n);
    ck_assert_msg(q1(sql) == nsig, "%s: %.0f series complete and right, want %d", tbl, q1(sql),
                  nsig);
}

static void opts(twin_pg_options *o, char *ci, size_t cap, const char *table)
{
    pgsrv_conninfo(&server, ci, cap, NULL);
    twin_pg_options_init(o);
    o->conninfo = ci;
    o->table = table;
    o->source = "gw";
    o->retry_initial_ms = 20;
    o->retry_max_ms = 300;
    o->connect_timeout_ms = 1000;
    o->request_timeout_ms = 3000;
}

static twin_sqlite *open_db(const char *path)
{
    twin_sqlite *db;
    ck_assert_int_eq(twin_sqlite_open(&db, path, NULL), TWIN_OK);
    return db;
}

/* Step until idle (at most secs seconds). */
static void drain(twin_pg *fw, double secs)
{
    twin_pg_progress p;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        twin_status s;
        p.size = sizeof p;
        s = twin_pg_step(fw, 4, &p);
        ck_assert_msg(s == TWIN_OK, "step: %s", twin_pg_last_error(fw)->message);
        if (p.state == TWIN_PG_IDLE) return;
        if (p.state == TWIN_PG_BACKOFF) pgsrv_sleep_ms(p.wait_ms > 50 ? 50 : p.wait_ms);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ck_assert_msg((double)(t1.tv_sec - t0.tv_sec) < secs, "not drained: %s", p.last_message);
    }
}

static void setup(void)
{
    dir = sq_tmpdir();
}

static void teardown(void)
{
    pgsrv_kill(&server, SIGCONT);  /* a failed stall test leaves it stopped */
    sq_rmdir(dir);
}

START_TEST(forward_and_count)
{
    const char *path = sq_path(dir, "a.db");
    char ci[256];
    twin_pg_options o;
    twin_pg *fw;
    twin_pg_stats st;
    twin_pg_backlog_info bl;
    twin_pg_progress p;
    twin_sqlite *db;
    make_store(path, 5, 2000, 0, NULL, "line-1");
    db = open_db(path);
    opts(&o, ci, sizeof ci, "t_count");
    o.batch_rows = 3000;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    bl.size = sizeof bl;
    ck_assert_int_eq(twin_pg_backlog(fw, &bl), TWIN_OK);
    ck_assert_uint_eq(bl.samples, 10000);
    ck_assert_uint_eq(bl.signals, 5);
    ck_assert_int_eq(bl.lag_us, 1999 * SEC);
    drain(fw, 30);
    st.size = sizeof st;
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 10000);
    ck_assert_uint_eq(st.rows_sent, 10000);
    ck_assert_uint_eq(st.rejected, 0);
    ck_assert_uint_eq(st.duplicates, 0);
    ck_assert_uint_eq(st.transactions, 4);  /* 10000 rows in batches of 3000 */
    ck_assert_uint_eq(st.redeliveries, 0);
    ck_assert_uint_eq(st.connects, 1);
    ck_assert_int_eq(twin_pg_backlog(fw, &bl), TWIN_OK);
    ck_assert_uint_eq(bl.samples, 0);
    ck_assert_int_eq(bl.lag_us, 0);
    twin_pg_destroy(fw);
    check_exact("t_count", "gw", 5, 2000, 0);
    /* the documented columns */
    ck_assert(q1("SELECT count(*) FROM t_count WHERE model = 'dtmi:t:Pump;1' AND unit = 'gForce'"
                 " AND rels->>'isPartOf' = 'line-1' AND twin = 'pump-3' AND signal = 's3'") ==
              2000);
    ck_assert(q1("SELECT extract(epoch FROM min(t))::bigint FROM t_count") == (double)(T0 / SEC));
    /* a new forwarder of the same upstream resumes from the cursors */
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    p.size = sizeof p;
    ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
    ck_assert_int_eq(p.state, TWIN_PG_IDLE);
    ck_assert_uint_eq(p.transactions, 0);
    twin_pg_destroy(fw);
    /* the cursors lost: everything sent again, nothing doubled */
    ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(db), "DELETE FROM twin_pg_cursors", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 10000);
    ck_assert_uint_eq(st.duplicates, 10000);
    ck_assert_uint_eq(st.redeliveries, 4);  /* each batch: unique violation, then ON CONFLICT */
    twin_pg_destroy(fw);
    /* again with TWIN_PG_DIRECT: the direct COPY refused, the staging path */
    ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(db), "DELETE FROM twin_pg_cursors", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    o.flags = TWIN_PG_DIRECT;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 10000);
    ck_assert_uint_eq(st.duplicates, 10000);
    twin_pg_destroy(fw);
    /* and into a table of its own: the direct COPY alone */
    o.table = "t_direct";
    o.upstream = "direct";
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 10000);
    ck_assert_uint_eq(st.transactions, 4);
    ck_assert_uint_eq(st.duplicates, 0);
    twin_pg_destroy(fw);
    check_exact("t_direct", "gw", 5, 2000, 0);
    ck_assert(q1("SELECT count(*) FROM t_direct WHERE model = 'dtmi:t:Pump;1' AND unit = 'gForce'"
                 " AND rels->>'isPartOf' = 'line-1' AND twin = 'pump-3' AND signal = 's3'") ==
              2000);
    o.table = "t_count";
    o.upstream = NULL;
    o.flags = 0;
    twin_sqlite_close(db);
    check_exact("t_count", "gw", 5, 2000, 0);
    /* more samples later: only they are sent */
    {
        sq x;
        twin_sample s = {"pump-0", "s0", T0 + 2000 * SEC, 2000.0, NULL};
        size_t done;
        sq_open(&x, path, 0, 1000);
        ck_assert_int_eq(twin_ingest_write(x.ing, &s, 1, NULL, &done), TWIN_OK);
        sq_close(&x, 1);
    }
    db = open_db(path);
    o.flags = TWIN_PG_COPY_TEXT;  /* the text format writes the same rows */
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.rows_sent, 1);
    ck_assert_uint_eq(st.duplicates, 0);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    ck_assert(q1("SELECT count(*) FROM t_count WHERE twin = 'pump-0'") == 2001);
    ck_assert(q1("SELECT value FROM t_count WHERE twin = 'pump-0' ORDER BY t DESC LIMIT 1") ==
              2000.0);
}
END_TEST

START_TEST(bad_options)
{
    const char *path = sq_path(dir, "b.db");
    twin_pg_options o;
    twin_pg *fw = (twin_pg *)1;
    twin_sqlite *db;
    twin_pg_progress p;
    make_store(path, 1, 10, 0, NULL, NULL);
    db = open_db(path);
    twin_pg_options_init(&o);
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_INVAL);  /* no conninfo */
    ck_assert_ptr_null(fw);
    o.conninfo = "host=127.0.0.1 port=1 connect_timeout=1";
    o.batch_rows = 0;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_INVAL);
    o.batch_rows = 10;
    o.table = "a..b";
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_INVAL);
    o.table = "";
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_INVAL);
    o.table = NULL;
    o.conninfo = "this is = not a conninfo";
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_INVAL);
    o.conninfo = "host=127.0.0.1 port=1";
    o.flags = 64;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_INVAL);
    o.flags = TWIN_PG_DIRECT | TWIN_PG_COPY_TEXT;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_INVAL);
    o.flags = 0;
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_E_ABI);
    o.size = sizeof o;
    ck_assert_int_eq(twin_pg_create(NULL, db, &o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_pg_create(&fw, NULL, &o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    ck_assert_int_eq(twin_pg_step(fw, 0, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_pg_step(NULL, 1, NULL), TWIN_E_INVAL);
    p.size = sizeof p + 8;
    ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_E_ABI);
    /* nothing listens on port 1: a connection error, then backoff */
    p.size = sizeof p;
    ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
    ck_assert_int_eq(p.state, TWIN_PG_BACKOFF);
    ck_assert_int_gt(p.wait_ms, 0);
    ck_assert(p.last_message[0] != '\0');
    ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
    ck_assert_int_eq(p.state, TWIN_PG_BACKOFF);
    ck_assert_uint_eq(p.transactions, 0);  /* still waiting */
    twin_pg_destroy(fw);
    twin_pg_destroy(NULL);
    ck_assert_ptr_null(twin_pg_last_error(NULL));
    twin_sqlite_close(db);
}
END_TEST

START_TEST(server_killed)
{
    const char *path = sq_path(dir, "c.db");
    char ci[256];
    twin_pg_options o;
    twin_pg *fw;
    twin_pg_stats st;
    twin_sqlite *db;
    int kills = 0;
    make_store(path, 20, 3000, 0, NULL, NULL);
    db = open_db(path);
    opts(&o, ci, sizeof ci, "t_killed");
    o.batch_rows = 1500;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    while (kills < 5) {
        /* a process of its own crashes the server at a random moment while
           the forwarder steps: mostly in the middle of a transaction */
        pid_t killer = fork();
        twin_pg_progress p;
        int ws, k;
        ck_assert_int_ge(killer, 0);
        if (killer == 0) {
            pgsrv_sleep_ms(5 + (long)(next_rand() % 150));
            pgsrv_crash(&server);  /* (its waitpid fails here: not its child) */
            _exit(0);
        }
        next_rand();
        while (waitpid(killer, &ws, WNOHANG) == 0) {
            p.size = sizeof p;
            ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
            if (p.state != TWIN_PG_SENDING) pgsrv_sleep_ms(5);
        }
        pgsrv_crash(&server);
        kills++;
        for (k = 0; k < 3; k++) {  /* the forwarder meets the dead server */
            p.size = sizeof p;
            ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
            pgsrv_sleep_ms(20);
        }
        ck_assert_msg(pgsrv_spawn(&server) == 0, "postgres did not start again");
    }
    drain(fw, 60);
    st.size = sizeof st;
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 60000);
    ck_assert_uint_gt(st.retries, 0);
    ck_assert_uint_gt(st.connects, 1);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    check_exact("t_killed", "gw", 20, 3000, 0);
}
END_TEST

START_TEST(forwarder_killed)
{
    const char *path = sq_path(dir, "d.db");
    char ci[256];
    int rounds = 0, done = 0;
    make_store(path, 10, 3000, 0, NULL, NULL);
    while (!done) {
        pid_t pid = fork();
        int st;
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {  /* the gateway: forwards until idle */
            twin_pg_options o;
            twin_pg *fw;
            twin_sqlite *db;
            twin_pg_progress p;
            if (twin_sqlite_open(&db, path, NULL) != TWIN_OK) _exit(2);
            opts(&o, ci, sizeof ci, "t_fwkill");
            o.batch_rows = 700;
            o.flags = TWIN_PG_DIRECT;  /* the staging path meets the redeliveries */
            if (twin_pg_create(&fw, db, &o) != TWIN_OK) _exit(3);
            do {
                p.size = sizeof p;
                if (twin_pg_step(fw, 1, &p) != TWIN_OK) _exit(4);
                if (p.state == TWIN_PG_BACKOFF) pgsrv_sleep_ms(p.wait_ms);
            } while (p.state != TWIN_PG_IDLE);
            twin_pg_destroy(fw);
            twin_sqlite_close(db);
            _exit(0);
        }
        pgsrv_sleep_ms(20 + (long)(next_rand() % 120));
        if (rounds < 6) kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        if (WIFEXITED(st)) {
            ck_assert_int_eq(WEXITSTATUS(st), 0);
            done = 1;
        }
        rounds++;
    }
    ck_assert_int_ge(rounds, 2);
    check_exact("t_fwkill", "gw", 10, 3000, 0);
}
END_TEST

/* A forwarder's process: forwards into table tbl until idle, then exits 0
   (or, when `die`, is killed by SIGKILL). */
static pid_t forwarder(const char *path, const char *tbl, uint32_t flags, int die)
{
    char ci[256];
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        twin_pg_options o;
        twin_pg *fw;
        twin_sqlite *db;
        twin_pg_progress p;
        if (twin_sqlite_open(&db, path, NULL) != TWIN_OK) _exit(2);
        opts(&o, ci, sizeof ci, tbl);
        o.batch_rows = 150;
        o.flags = flags;
        if (twin_pg_create(&fw, db, &o) != TWIN_OK) _exit(3);
        do {
            p.size = sizeof p;
            if (twin_pg_step(fw, 1, &p) != TWIN_OK) _exit(4);
            if (p.state == TWIN_PG_BACKOFF) pgsrv_sleep_ms(p.wait_ms);
        } while (p.state != TWIN_PG_IDLE);
        if (die) raise(SIGKILL);
        twin_pg_destroy(fw);
        twin_sqlite_close(db);
        _exit(0);
    }
    return pid;
}

/* Late samples (issue 20): after a first forward by a process killed once
   idle, the store gets samples older than the cursors (between stored
   ones), between the cursors and the newest, and one at a time it holds,
   over four signals; then forwarders killed at random moments and a last
   one that finishes, into two tables (the staging path, and the direct
   COPY, whose repeats take the staging path). Every sample is in each
   table once (the key drops a row sent again), the held time with its
   first value. The log, kept while the second upstream has not passed
   it, sent again whole into the first table (its place put back): every
   row a duplicate. The log is empty at the end. */
START_TEST(late_samples)
{
    static const char *const tables[2] = {"t_late", "t_late_direct"};
    const char *path = sq_path(dir, "l.db");
    long count[8], late;
    double sum[8];
    char sql[512];
    int st, i, t;
    pid_t pid;
    make_store(path, 4, 1000, 0, NULL, NULL);
    for (t = 0; t < 2; t++) {
        pid = forwarder(path, tables[t], t ? TWIN_PG_DIRECT : 0, 1);
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %d", st);
        check_exact(tables[t], "gw", 4, 1000, 0);
    }
    late = sq_write_forward_late(path, 4, 1000, 400, 0, count, sum);
    ck_assert_int_eq(late, 4 * 120 + 50 * 6);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), late);
    for (t = 0; t < 2; t++) {
        int rounds = 0, done = 0;
        while (!done) {
            pid = forwarder(path, tables[t], t ? TWIN_PG_DIRECT : 0, 0);
            pgsrv_sleep_ms(10 + (long)(next_rand() % 150));
            if (rounds < 6) kill(pid, SIGKILL);
            ck_assert_int_eq(waitpid(pid, &st, 0), pid);
            if (WIFEXITED(st)) {
                ck_assert_int_eq(WEXITSTATUS(st), 0);
                done = 1;
            }
            rounds++;
        }
        /* the log is kept until both upstreams passed it */
        if (t == 0) ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), late);
        if (t == 0) {  /* the log again: at or before its cursors now, every row */
            twin_pg_options o;
            twin_pg *fw;
            twin_pg_stats ps;
            char ci[256];
            twin_sqlite *db = open_db(path);
            ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(db),
                                          "UPDATE upstreams SET late_seq = 0 WHERE upstream"
                                          " LIKE '%/t_late'",
                                          NULL, NULL, NULL),
                             SQLITE_OK);
            ck_assert_int_eq(sqlite3_changes(twin_sqlite_connection(db)), 1);
            opts(&o, ci, sizeof ci, tables[0]);
            ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
            drain(fw, 30);
            ps.size = sizeof ps;
            ck_assert_int_eq(twin_pg_get_stats(fw, &ps), TWIN_OK);
            ck_assert_uint_eq(ps.rows_sent >= (uint64_t)late, 1);
            ck_assert_uint_eq(ps.confirmed, (uint64_t)late);
            ck_assert_uint_eq(ps.duplicates, (uint64_t)late);
            twin_pg_destroy(fw);
            twin_sqlite_close(db);
        }
        for (i = 0; i < 4; i++) {
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM %s WHERE source = 'gw' AND twin = 'pump-%d'", tables[t],
                     i);
            ck_assert_msg(q1(sql) == (double)count[i], "%s pump-%d: %.0f rows, want %ld",
                          tables[t], i, q1(sql), count[i]);
            snprintf(sql, sizeof sql,
                     "SELECT sum(value) FROM %s WHERE source = 'gw' AND twin = 'pump-%d'", tables[t],
                     i);
            ck_assert_msg(q1(sql) == sum[i], "%s pump-%d: sum %.17g, want %.17g", tables[t], i,
                          q1(sql), sum[i]);
        }
        snprintf(sql, sizeof sql,
                 "SELECT value FROM %s WHERE twin = 'pump-0' AND t = to_timestamp(%lld)", tables[t],
                 (long long)(T0 / SEC + 300));
        ck_assert(q1(sql) == 300.0);
    }
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 0);
}
END_TEST

START_TEST(server_stalled)
{
    const char *path = sq_path(dir, "e.db");
    char ci[256];
    twin_pg_options o;
    twin_pg *fw;
    twin_pg_progress p;
    twin_pg_stats st;
    twin_sqlite *db;
    int k, timeouts = 0;
    make_store(path, 4, 3000, 0, NULL, NULL);
    db = open_db(path);
    opts(&o, ci, sizeof ci, "t_stall");
    o.batch_rows = 1000;
    o.request_timeout_ms = 300;
    o.connect_timeout_ms = 300;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    p.size = sizeof p;
    ck_assert_int_eq(twin_pg_step(fw, 2, &p), TWIN_OK);
    ck_assert_uint_eq(p.rows_confirmed, 2000);
    pgsrv_kill(&server, SIGSTOP);
    for (k = 0; k < 4; k++) {  /* each round trip times out; the step returns */
        p.size = sizeof p;
        ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
        ck_assert_int_ne(p.state, TWIN_PG_IDLE);
        ck_assert_uint_eq(p.rows_confirmed, 0);
        if (p.transactions || strstr(p.last_message, "timed out")) timeouts++;
        pgsrv_sleep_ms(p.wait_ms);
    }
    ck_assert_int_gt(timeouts, 0);
    ck_assert_msg(strstr(p.last_message, "timed out"), "%s", p.last_message);
    st.size = sizeof st;
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 2000);
    pgsrv_kill(&server, SIGCONT);
    drain(fw, 30);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, 12000);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    check_exact("t_stall", "gw", 4, 3000, 0);
}
END_TEST

typedef struct rejects {
    int n;
    int64_t t[8];
    char name[8][16];
    char state[8];
} rejects;

static void on_reject(void *ud, const twin_pg_reject *r)
{
    rejects *x = ud;
    ck_assert_int_lt(x->n, 8);
    x->t[x->n] = r->t_us;
    snprintf(x->name[x->n], sizeof x->name[0], "%s", r->name);
    snprintf(x->state, sizeof x->state, "%s", r->sqlstate);
    ck_assert_ptr_nonnull(strstr(r->message, "t_reject_small"));
    ck_assert(r->value >= 1e12);
    x->n++;
}

START_TEST(rejected_rows)
{
    const char *path = sq_path(dir, "f.db");
    char ci[256];
    twin_pg_options o;
    twin_pg *fw;
    twin_pg_stats st;
    twin_sqlite *db;
    rejects rj;
    sq x;
    int k;
    /* s0..s2 of 1500 samples, and s3 with 3 samples the site's CHECK
       constraint refuses among 100 it accepts */
    make_store(path, 3, 1500, 0, NULL, NULL);
    sq_open(&x, path, 0, 1000);
    {
        twin_signal_options so;
        twin_signal h;
        ck_assert_int_eq(twin_store_add_twin(x.st, "pump-3", "dtmi:t:Pump;1", NULL, 0), TWIN_OK);
        twin_signal_options_init(&so);
        so.unit = "gForce";
        ck_assert_int_eq(twin_ingest_add_signal(x.ing, "pump-3", "s3", &so, &h), TWIN_OK);
        for (k = 0; k < 100; k++) {
            twin_signal_sample s = {h, T0 + k * SEC, 3e6 + k};
            size_t done;
            if (k == 10 || k == 50 || k == 51) s.value = 5e12;
            ck_assert_int_eq(twin_ingest_write_signals(x.ing, &s, 1, NULL, &done), TWIN_OK);
        }
    }
    sq_close(&x, 1);
    q1("CREATE TABLE t_reject (source text NOT NULL, twin text NOT NULL, signal text NOT NULL,"
       " t timestamptz NOT NULL, value double precision NOT NULL CONSTRAINT t_reject_small"
       " CHECK (value < 1e12), unit text NOT NULL, model text NOT NULL, rels jsonb NOT NULL,"
       " PRIMARY KEY (source, twin, signal, t))");
    db = open_db(path);
    opts(&o, ci, sizeof ci, "public.t_reject");
    o.flags = TWIN_PG_NO_CREATE;
    o.batch_rows = 5000;
    memset(&rj, 0, sizeof rj);
    o.on_reject = on_reject;
    o.reject_ud = &rj;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    st.size = sizeof st;
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    ck_assert_int_eq(rj.n, 3);
    ck_assert_str_eq(rj.state, "23514");
    ck_assert_str_eq(rj.name[0], "s3");
    ck_assert_int_eq(rj.t[0], T0 + 10 * SEC);
    ck_assert_int_eq(rj.t[1], T0 + 50 * SEC);
    ck_assert_int_eq(rj.t[2], T0 + 51 * SEC);
    ck_assert_uint_eq(st.rejected, 3);
    ck_assert_uint_eq(st.confirmed, 4597);
    ck_assert_uint_gt(st.splits, 2);
    ck_assert(q1("SELECT count(*) FROM t_reject WHERE twin = 'pump-3'") == 97);
    ck_assert(q1("SELECT count(*) FROM t_reject") == 4597);
    /* the same with TWIN_PG_DIRECT: the direct COPY refused, then bisection */
    q1("CREATE TABLE t_reject2 (LIKE t_reject INCLUDING ALL)");
    db = open_db(path);
    opts(&o, ci, sizeof ci, "t_reject2");
    o.flags = TWIN_PG_NO_CREATE | TWIN_PG_DIRECT;
    o.batch_rows = 5000;
    memset(&rj, 0, sizeof rj);
    o.on_reject = on_reject;
    o.reject_ud = &rj;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    ck_assert_int_eq(rj.n, 3);
    ck_assert_uint_eq(st.confirmed, 4597);
    ck_assert(q1("SELECT count(*) FROM t_reject2") == 4597);
    /* a missing table is not the rows' fault: retried, never rejected */
    db = open_db(path);
    opts(&o, ci, sizeof ci, "t_missing");
    o.flags = TWIN_PG_NO_CREATE;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    {
        twin_pg_progress p;
        p.size = sizeof p;
        ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
        ck_assert_int_eq(p.state, TWIN_PG_BACKOFF);
        ck_assert_str_eq(p.last_sqlstate, "42P01");
    }
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.rejected, 0);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
}
END_TEST

/* Three gateways, one table: per-model means across the fleet, and a
   line's twins, by one query each, checked against the inputs. */
START_TEST(fleet_query)
{
    static const char *const models[2] = {"dtmi:t:Pump;1", "dtmi:t:Fan;1"};
    static const char *const gws[3] = {"gw-a", "gw-b", "gw-c"};
    static const char *const lines[3] = {"line-1", "line-2", "line-1"};
    const int nsig = 6;
    const long n = 500;
    double sum[2] = {0, 0}, cnt[2] = {0, 0};
    char sql[512];
    int g, i;
    for (g = 0; g < 3; g++) {
        char name[16], ci[256];
        const char *path;
        twin_pg_options o;
        twin_pg *fw;
        twin_sqlite *db;
        double base = 1e8 * (g + 1);
        snprintf(name, sizeof name, "g%d.db", g);
        path = sq_path(dir, name);
        make_store(path, nsig, n, base, models, lines[g]);
        for (i = 0; i < nsig; i++) {
            sum[i % 2] += (double)n * (base + i * 1e6) + (double)n * (double)(n - 1) / 2;
            cnt[i % 2] += (double)n;
        }
        db = open_db(path);
        opts(&o, ci, sizeof ci, "t_fleet");
        o.source = gws[g];
        ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
        drain(fw, 30);
        twin_pg_destroy(fw);
        twin_sqlite_close(db);
        check_exact("t_fleet", gws[g], nsig, n, base);
    }
    for (i = 0; i < 2; i++) {
        double mean;
        snprintf(sql, sizeof sql,
                 "SELECT avg(value) FROM t_fleet WHERE model = '%s' GROUP BY model", models[i]);
        mean = q1(sql);
        ck_assert_msg(fabs(mean - sum[i] / cnt[i]) < 1e-6 * (sum[i] / cnt[i]), "%s: %.17g want %.17g",
                      models[i], mean, sum[i] / cnt[i]);
    }
    ck_assert(q1("SELECT count(DISTINCT source) FROM t_fleet") == 3);
    ck_assert(q1("SELECT count(*) FROM t_fleet WHERE rels->>'isPartOf' = 'line-1'") ==
              2.0 * nsig * (double)n);
    ck_assert(q1("SELECT count(DISTINCT (source, twin)) FROM t_fleet WHERE rels->>'isPartOf' ="
                 " 'line-2' AND model = 'dtmi:t:Fan;1'") == nsig / 2);
}
END_TEST

/* TLS: the server's certificate is of a CA the test made; verify-full
   against another CA fails (retried), against the right one forwards over
   an encrypted connection. */
START_TEST(tls)
{
    const char *path = sq_path(dir, "t.db");
    char ci[512], extra[384];
    twin_pg_options o;
    twin_pg *fw;
    twin_pg_progress p;
    twin_sqlite *db;
    if (!have_tls) {
        ck_assert_msg(!getenv("CI") || strcmp(getenv("CI"), "true"), "no openssl");
        return;
    }
    make_store(path, 2, 1000, 0, NULL, NULL);
    db = open_db(path);
    snprintf(extra, sizeof extra, "sslmode=verify-full sslrootcert=%s application_name=twin-tls",
             other_ca);
    snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d dbname=postgres user=twin %s", server.port,
             extra);
    twin_pg_options_init(&o);
    o.conninfo = ci;
    o.table = "t_tls";
    o.retry_initial_ms = 20;
    o.retry_max_ms = 100;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    p.size = sizeof p;
    ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
    ck_assert_int_eq(p.state, TWIN_PG_BACKOFF);
    ck_assert_msg(strstr(p.last_message, "certificate"), "%s", p.last_message);
    twin_pg_destroy(fw);
    snprintf(ci, sizeof ci,
             "host=127.0.0.1 port=%d dbname=postgres user=twin sslmode=verify-full"
             " sslrootcert=%s application_name=twin-tls",
             server.port, ca_pem);
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    drain(fw, 30);
    /* its connection, still open, is encrypted */
    ck_assert(q1("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                 " WHERE s.ssl AND a.application_name = 'twin-tls'") == 1);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    ck_assert(q1("SELECT count(*) FROM t_tls") == 2000);
}
END_TEST

/* twinctl forward --postgres (the TWINCTL environment variable names it):
   everything sent, then nothing the second time. */
START_TEST(twinctl_forward)
{
    const char *tw = getenv("TWINCTL");
    const char *path;
    char cmd[1024], out[256];
    FILE *f;
    int k;
    if (!tw) return;  /* run by hand, without meson's environment */
    path = sq_path(dir, "g.db");
    make_store(path, 3, 500, 0, NULL, NULL);
    for (k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd,
                 "'%s' forward --postgres 'host=127.0.0.1 port=%d dbname=postgres user=twin"
                 " sslmode=disable' --table t_cli --source gw -d '%s' --batch 400 -q%s",
                 tw, server.port, path, k ? " --direct" : "");
        ck_assert_ptr_nonnull(f = popen(cmd, "r"));
        ck_assert_ptr_nonnull(fgets(out, sizeof out, f));
        ck_assert_int_eq(pclose(f), 0);
        ck_assert_msg(!strncmp(out, k ? "forwarded 0 samples" : "forwarded 1500 samples",
                               k ? 19 : 22), "%s", out);
    }
    check_exact("t_cli", "gw", 3, 500, 0);
}
END_TEST

/* A full disk on the server's side (run alone: `test_pg disk_full`): the
   table and its primary key in a tablespace on a small tmpfs (mounted by
   main()), which fills up mid-stream. Every transaction then fails (SQLSTATE
   53100, "could not extend file ...": not the rows' fault): the forwarder
   keeps its batch and backs off, its progress (and twinctl's progress line)
   gives the reason, the table holds exactly what was confirmed. The tmpfs
   grown (mount -o remount), it catches up: every sample in the table once,
   each series' transactions in time order (a column of the site's,
   txid_current() by default, tells the transactions apart). */
static char disk_mnt[96];

static int disk_mount(void)
{
    char cmd[256];
    snprintf(disk_mnt, sizeof disk_mnt, "%s/ts", server.dir);
    if (mkdir(disk_mnt, 0700) != 0) return -1;
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=2m,mode=0700,uid=%d,gid=%d tmpfs '%s' 2>/dev/null",
             (int)server.uid, (int)server.gid, disk_mnt);
    if (system(cmd) != 0) {
        disk_mnt[0] = '\0';
        return -1;
    }
    return 0;
}

static void disk_umount(void)
{
    char cmd[160];
    if (!disk_mnt[0]) return;
    snprintf(cmd, sizeof cmd, "umount '%s'", disk_mnt);
    if (system(cmd) != 0) fprintf(stderr, "test_pg: cannot unmount %s\n", disk_mnt);
    disk_mnt[0] = '\0';
}

/* Is the failure of p the full disk? */
static int disk_full_reason(const twin_pg_progress *p)
{
    /* the server's answer on one line (libpq's spans two: ERROR, HINT) */
    return !strcmp(p->last_sqlstate, "53100") && strstr(p->last_message, "could not extend file") &&
           strstr(p->last_message, "HINT: ") && !strchr(p->last_message, '\n');
}

/* twinctl forward (the TWINCTL environment variable names it) against the
   full disk for 3 s, then SIGTERM: its progress lines give the reason, and
   it forwarded nothing. */
static void disk_full_twinctl(const char *path)
{
    const char *tw = getenv("TWINCTL");
    char cmd[1024], log[160], line[1024];
    FILE *f;
    int reason = 0, done = 0;
    if (!tw) return;  /* run by hand, without meson's environment */
    snprintf(log, sizeof log, "%s/forward.err", dir);
    snprintf(cmd, sizeof cmd,
             "timeout -s TERM 3 '%s' forward --postgres 'host=127.0.0.1 port=%d dbname=postgres"
             " user=twin sslmode=disable' --table t_full --source gw -d '%s' --batch 1000"
             " 2>'%s'",
             tw, server.port, path, log);
    ck_assert_ptr_nonnull(f = popen(cmd, "r"));
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "forwarded 0 samples", 19)) done = 1;
    pclose(f);  /* timeout's status: 124 */
    ck_assert_msg(done, "twinctl forward did not stop cleanly with nothing forwarded");
    ck_assert_ptr_nonnull(f = fopen(log, "r"));
    while (fgets(line, sizeof line, f))
        if (strstr(line, ", retrying: ") && strstr(line, "could not extend file")) reason = 1;
    fclose(f);
    ck_assert_msg(reason, "no progress line of twinctl gives the full disk as the reason");
}

START_TEST(server_disk_full)
{
    const char *path = sq_path(dir, "h.db");
    const long total = 20L * 3000;
    char ci[256], sql[512];
    twin_pg_options o;
    twin_pg *fw;
    twin_pg_progress p;
    twin_pg_stats st;
    twin_sqlite *db;
    struct timespec t0, t1;
    uint64_t before;
    int backoffs = 0;
    snprintf(sql, sizeof sql, "CREATE TABLESPACE t_small LOCATION '%s'", disk_mnt);
    q1(sql);
    q1("CREATE TABLE t_full (source text NOT NULL, twin text NOT NULL, signal text NOT NULL,"
       " t timestamptz NOT NULL, value double precision NOT NULL, unit text NOT NULL,"
       " model text NOT NULL, rels jsonb NOT NULL, tx bigint NOT NULL DEFAULT txid_current(),"
       " PRIMARY KEY (source, twin, signal, t) USING INDEX TABLESPACE t_small)"
       " TABLESPACE t_small");
    make_store(path, 20, 3000, 0, NULL, NULL);
    db = open_db(path);
    opts(&o, ci, sizeof ci, "t_full");
    o.flags = TWIN_PG_NO_CREATE;
    o.batch_rows = 1000;
    o.retry_max_ms = 200;
    ck_assert_int_eq(twin_pg_create(&fw, db, &o), TWIN_OK);
    /* forward until the disk is full (a minute at most) */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        p.size = sizeof p;
        ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
        ck_assert_msg(p.state != TWIN_PG_IDLE, "everything fitted: the tmpfs is too large");
        if (p.state == TWIN_PG_BACKOFF) break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ck_assert_msg(t1.tv_sec - t0.tv_sec < 60, "the disk did not fill up");
    }
    ck_assert_msg(disk_full_reason(&p), "[%s] %s", p.last_sqlstate, p.last_message);
    st.size = sizeof st;
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_gt(st.confirmed, 0);  /* mid-stream */
    ck_assert_uint_lt(st.confirmed, (uint64_t)total);
    before = st.confirmed;
    fprintf(stderr, "test_pg: disk full after %llu of %ld samples: [%s] %s\n",
            (unsigned long long)before, total, p.last_sqlstate, p.last_message);
    /* 2 s more against the full disk: backing off, the reason kept, nothing
       confirmed, and the table holds what was confirmed, no more */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec >= 2) break;
        pgsrv_sleep_ms(p.wait_ms > 50 ? 50 : p.wait_ms);
        p.size = sizeof p;
        ck_assert_int_eq(twin_pg_step(fw, 1, &p), TWIN_OK);
        ck_assert_uint_eq(p.rows_confirmed, 0);
        ck_assert_int_ne(p.state, TWIN_PG_IDLE);
        if (p.state == TWIN_PG_BACKOFF) {
            ck_assert_int_le(p.wait_ms, o.retry_max_ms);
            ck_assert_msg(disk_full_reason(&p), "[%s] %s", p.last_sqlstate, p.last_message);
        }
        if (p.transactions) backoffs++;
    }
    ck_assert_int_ge(backoffs, 2);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, before);
    ck_assert_uint_ge(st.retries, (uint64_t)backoffs);
    ck_assert(q1("SELECT count(*) FROM t_full") == (double)before);
    disk_full_twinctl(path);
    /* space freed: the tmpfs grown */
    snprintf(sql, sizeof sql, "mount -o remount,size=64m '%s'", disk_mnt);
    ck_assert_int_eq(system(sql), 0);
    drain(fw, 120);
    ck_assert_int_eq(twin_pg_get_stats(fw, &st), TWIN_OK);
    ck_assert_uint_eq(st.confirmed, (uint64_t)total);
    ck_assert_uint_eq(st.rejected, 0);
    ck_assert_uint_eq(st.duplicates, 0);
    twin_pg_destroy(fw);
    twin_sqlite_close(db);
    check_exact("t_full", "gw", 20, 3000, 0);
    /* in order per series: no transaction holds a sample older than one of
       an earlier transaction of the same series */
    ck_assert(q1("SELECT count(*) FROM (SELECT min(t) AS lo, lag(max(t)) OVER (PARTITION BY twin,"
                 " signal ORDER BY tx) AS prev FROM t_full GROUP BY twin, signal, tx) x"
                 " WHERE lo <= prev") == 0);
    ck_assert(q1("SELECT count(DISTINCT tx) FROM t_full") >= (double)(total / 1000));
    q1("DROP TABLE t_full");
    q1("DROP TABLESPACE t_small");
}
END_TEST

/* Two CAs and a server certificate for 127.0.0.1 (IP SAN), readable by the
   server's user. */
static int make_certs(void)
{
    char cmd[2048];
    snprintf(tls_dir, sizeof tls_dir, "/tmp/twin-pgtls-XXXXXX");
    if (!mkdtemp(tls_dir)) return -1;
    snprintf(cmd, sizeof cmd,
             "cd '%s' && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext &&"
             " openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1"
             " -subj /CN=test-ca 2>/dev/null &&"
             " openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 1"
             " -subj /CN=other-ca 2>/dev/null &&"
             " openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr"
             " -subj /CN=127.0.0.1 2>/dev/null &&"
             " openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
             " -out server.pem -days 1 -extfile san.ext 2>/dev/null &&"
             " chmod 600 server.key && chmod 755 . && { [ $(id -u) -ne 0 ] ||"
             " chown nobody server.key server.pem; }",
             tls_dir);
    if (system(cmd) != 0) return -1;
    snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", tls_dir);
    snprintf(other_ca, sizeof other_ca, "%s/other.pem", tls_dir);
    return 0;
}

int main(int argc, char **argv)
{
    Suite *s = suite_create("pg");
    TCase *tc = tcase_create("postgres");
    SRunner *sr;
    char conf[512], cmd[128];
    const char *ci = getenv("CI");
    int failed, disk = argc > 1 && !strcmp(argv[1], "disk_full");
    if (!pgsrv_available()) {
        fprintf(stderr, "test_pg: no PostgreSQL 15 in " PGSRV_BIN " (Debian's postgresql-15)\n");
        return ci && !strcmp(ci, "true") ? 1 : 77;
    }
    have_tls = !disk && system("command -v openssl >/dev/null 2>&1") == 0 && make_certs() == 0;
    if (have_tls)
        snprintf(conf, sizeof conf, "ssl = on\nssl_cert_file = '%s/server.pem'\n"
                                    "ssl_key_file = '%s/server.key'\n",
                 tls_dir, tls_dir);
    else
        conf[0] = '\0';
    if (pgsrv_start(&server, conf) != 0) {
        fprintf(stderr, "test_pg: postgres did not start (log in %s)\n", server.dir);
        return 1;
    }
    if (disk && disk_mount() != 0) {
        int in_ci = ci && !strcmp(ci, "true");
        fprintf(stderr, "test_pg: cannot mount a tmpfs (needs root): disk_full %s\n",
                in_ci ? "failed (CI=true)" : "skipped");
        pgsrv_stop(&server);
        return in_ci ? 1 : 77;
    }
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, disk ? 240 : 120);
    if (disk) {
        tcase_add_test(tc, server_disk_full);
    } else {
        tcase_add_test(tc, forward_and_count);
        tcase_add_test(tc, bad_options);
        tcase_add_test(tc, server_killed);
        tcase_add_test(tc, forwarder_killed);
        tcase_add_test(tc, server_stalled);
        tcase_add_test(tc, late_samples);
        tcase_add_test(tc, rejected_rows);
        tcase_add_test(tc, fleet_query);
        tcase_add_test(tc, tls);
        tcase_add_test(tc, twinctl_forward);
    }
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    pgsrv_halt(&server);  /* its files closed: the tmpfs can go */
    disk_umount();
    pgsrv_stop(&server);
    if (tls_dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tls_dir);
        if (system(cmd) != 0) { /* left behind */ }
    }
    return failed ? 1 : 0;
}
