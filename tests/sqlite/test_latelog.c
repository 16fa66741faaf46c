/* libtwin-sqlite: the late log of the forwarders (schema 7). A store no
 * forwarder registered with logs nothing, and reads the registry only in a
 * flush that has late samples; once an upstream is registered, every late
 * sample kept raw is logged in its transaction (not one dropped as a
 * duplicate, not one on time); the log's rows go with the raw samples they
 * name (a twin removed, retention, folding into tiers); its numbers never
 * go back; a schema 6 database migrates to 7 on a read-write open only.
 * The forwarders' side is tested against the servers (tests/influx,
 * tests/pg). */
#include "sq_fixture.h"
#include "support/run.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVERY_ROW_HAS_ITS_SAMPLE                                                  \
    "SELECT count(*) FROM late_log l WHERE NOT EXISTS (SELECT 1 FROM samples x"  \
    " WHERE x.signal = l.signal AND x.t_us = l.t_us)"

/* Signals m<i>/v, n samples each at 1 Hz from T0, value the second. */
static void make_store(const char *path, int nsig, long n)
{
    sq x;
    sq_open(&x, path, 0, 1000);
    for (int i = 0; i < nsig; i++) {
        char twin[16];
        twin_signal_options o;
        twin_signal h;
        long k = 0;
        snprintf(twin, sizeof twin, "m%d", i);
        ck_assert_int_eq(twin_store_add_twin(x.st, twin, "dtmi:t:M;1", NULL, 0), TWIN_OK);
        twin_signal_options_init(&o);
        o.unit = "gForce";
        ck_assert_int_eq(twin_ingest_add_signal(x.ing, twin, "v", &o, &h), TWIN_OK);
        while (k < n) {
            twin_signal_sample b[500];
            size_t m = 0, done;
            for (; m < 500 && k < n; m++, k++) {
                b[m].signal = h;
                b[m].t_us = T0 + k * SEC;
                b[m].value = (double)k;
            }
            ck_assert_int_eq(twin_ingest_write_signals(x.ing, b, m, NULL, &done), TWIN_OK);
            ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
        }
    }
    sq_close(&x, 1);
}

static void exec(const char *path, const char *sql)
{
    sqlite3 *c;
    ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(c, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(c));
    sqlite3_close(c);
}

static void register_upstream(const char *path, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO upstreams(cursors, upstream, late_seq) VALUES('test', '%s', 0)", name);
    exec(path, sql);
}

/* Statements that read the registry. */
static int trace_stmt(unsigned type, void *ud, void *p, void *x)
{
    const char *sql = sqlite3_sql(p);
    (void)type;
    (void)x;
    if (sql && strstr(sql, "FROM upstreams")) ++*(int *)ud;
    return 0;
}

START_TEST(test_store_without_forwarder_logs_nothing)
{
    const char *dir = sq_tmpdir();
    char path[256];
    twin_signal_options lo;
    twin_signal h;
    twin_signal_sample s[3];
    size_t done;
    int reads = 0;
    sq x;
    snprintf(path, sizeof path, "%s", sq_path(dir, "n.db"));
    make_store(path, 2, 600);
    twin_signal_options_init(&lo);
    lo.order = TWIN_INGEST_ORDER_WINDOW;
    lo.reorder_window_us = 3600 * SEC;
    lo.history = 8;
    sq_load_options = &lo;
    sq_open(&x, path, 0, 1000);
    sq_load_options = NULL;
    sqlite3_trace_v2(twin_sqlite_connection(x.db), SQLITE_TRACE_STMT, trace_stmt, &reads);
    ck_assert_int_eq(twin_ingest_resolve(x.ing, "m0", "v", NULL, &h), TWIN_OK);
    /* on time: the registry is not read */
    s[0] = (twin_signal_sample){h, T0 + 600 * SEC, 600.0};
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, 1, NULL, &done), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    ck_assert_int_eq(reads, 0);
    /* a flush with late samples reads it once */
    s[0] = (twin_signal_sample){h, T0 + 10 * SEC + SEC / 2, -1.0};
    s[1] = (twin_signal_sample){h, T0 + 20 * SEC + SEC / 2, -2.0};
    s[2] = (twin_signal_sample){h, T0 + 601 * SEC, 601.0};
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, 3, NULL, &done), TWIN_OK);
    ck_assert_uint_eq(done, 3);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    ck_assert_int_eq(reads, 1);
    sqlite3_trace_v2(twin_sqlite_connection(x.db), 0, NULL, NULL);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM samples"), 2);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 0);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_registered_upstream_logs_late_samples)
{
    const char *dir = sq_tmpdir();
    char path[256];
    twin_sqlite_retention r;
    twin_sqlite_retention_stats rs;
    sq x;
    const twin_sample late[] = {
        {"m0", "v", T0 + 100 * SEC + SEC / 2, -1.0, NULL},
        {"m0", "v", T0 + 200 * SEC + SEC / 2, -2.0, NULL},
        {"m0", "v", T0 + 300 * SEC, -3.0, NULL}, /* held: dropped, not logged */
        {"m0", "v", T0 + 700 * SEC, 700.0, NULL}, /* on time: not logged */
        {"m0", "v", T0 + 400 * SEC + SEC / 2, -4.0, NULL},
        {"m1", "v", T0 + 50 * SEC + SEC / 2, -5.0, NULL},
        {"m1", "v", T0 + 500 * SEC + SEC / 2, -6.0, NULL},
    };
    snprintf(path, sizeof path, "%s", sq_path(dir, "r.db"));
    make_store(path, 2, 600);
    register_upstream(path, "u1");
    ck_assert_uint_eq(sq_write_late(path, late, sizeof late / sizeof *late), 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM samples"), 5);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 5);
    ck_assert_int_eq(sq_query(path, EVERY_ROW_HAS_ITS_SAMPLE), 0);
    ck_assert_int_eq(sq_query(path, "SELECT max(seq) FROM late_log"), 5);
    {
        char q[128];
        snprintf(q, sizeof q, "SELECT count(*) FROM late_log WHERE t_us IN (%lld, %lld)",
                 (long long)(T0 + 300 * SEC), (long long)(T0 + 700 * SEC));
        ck_assert_int_eq(sq_query(path, q), 0);
    }
    /* a twin removed: its rows with its samples */
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_remove_twin(x.st, "m1", 0), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 3);
    /* retention: the rows of the raw samples it deletes */
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.raw_keep_us = 500 * SEC; /* now T0 + 700 s: the cutoff a minute edge before T0 + 200 s */
    r.bucket_us = 60 * SEC;
    memset(&rs, 0, sizeof rs);
    rs.size = sizeof rs;
    ck_assert_int_eq(twin_sqlite_apply_retention(x.db, &r, INT64_MIN, &rs), TWIN_OK);
    ck_assert(rs.cutoff_us == (T0 + 200 * SEC) / (60 * SEC) * (60 * SEC));
    ck_assert(rs.cutoff_us > T0 + 100 * SEC + SEC / 2 && rs.cutoff_us < T0 + 200 * SEC);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 2);
    ck_assert_int_eq(sq_query(path, EVERY_ROW_HAS_ITS_SAMPLE), 0);
    sq_close(&x, 1);
    /* the numbers never go back, even with the log emptied (as the
       forwarders empty it) */
    exec(path, "DELETE FROM late_log");
    {
        const twin_sample more = {"m0", "v", T0 + 450 * SEC + SEC / 2, -7.0, NULL};
        ck_assert_uint_eq(sq_write_late(path, &more, 1), 0);
    }
    ck_assert_int_eq(sq_query(path, "SELECT min(seq) FROM late_log"), 6);
    sq_rmdir(dir);
}
END_TEST

/* Late samples folded into the tiers with their block: their log rows go
   with them. */
START_TEST(test_fold_deletes_late_log_rows)
{
    const char *dir = sq_tmpdir();
    char path[256];
    twin_sqlite_policy p;
    twin_error e;
    twin_sample late[12];
    long long before;
    sq x;
    int k;
    snprintf(path, sizeof path, "%s", sq_path(dir, "f.db"));
    make_store(path, 1, 7200);
    register_upstream(path, "u1");
    for (k = 0; k < 12; k++)
        late[k] = (twin_sample){"m0", "v", T0 + (600 * k + 5) * SEC + SEC / 2, -1.0 - k, NULL};
    ck_assert_uint_eq(sq_write_late(path, late, 12), 0);
    before = sq_query(path, "SELECT count(*) FROM late_log");
    ck_assert_int_eq(before, 12);
    /* a policy now (none before: nothing folded yet, the late samples raw) */
    sq_open(&x, path, 0, 1000);
    twin_sqlite_policy_init(&p);
    ck_assert_int_eq(twin_sqlite_policy_parse("raw:20m,1m:forever", &p, &e), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_set_policy(x.db, TWIN_SQLITE_POLICY_DEFAULT, NULL, NULL, &p),
                     TWIN_OK);
    ck_assert_int_eq(twin_sqlite_fold(x.db, 0, NULL), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_lt(sq_query(path, "SELECT count(*) FROM samples"), 12);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"),
                     sq_query(path, "SELECT count(*) FROM samples"));
    ck_assert_int_eq(sq_query(path, EVERY_ROW_HAS_ITS_SAMPLE), 0);
    sq_rmdir(dir);
}
END_TEST

/* A schema 6 database: read-only, it stays as it is; read-write, it
   migrates to 7 (the registry and the log, empty), samples intact, and
   logs once an upstream registers. */
START_TEST(test_schema_6_migrates_to_7)
{
    const char *dir = sq_tmpdir();
    char path[256];
    sq x;
    const twin_sample late = {"m1", "v", T0 + 30 * SEC + SEC / 2, -1.0, NULL};
    snprintf(path, sizeof path, "%s", sq_path(dir, "m.db"));
    make_store(path, 2, 900);
    exec(path, "DROP TABLE upstreams; DROP TABLE late_log; PRAGMA user_version = 6;");
    sq_open(&x, path, TWIN_SQLITE_READONLY, 0);
    ck_assert_int_eq(sq_samples(path, "m0", "v"), 900);
    sq_close(&x, 0);
    ck_assert_int_eq(sq_query(path, "PRAGMA user_version"), 6);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM sqlite_master WHERE name IN"
                                    " ('upstreams', 'late_log')"),
                     0);
    sq_open(&x, path, 0, 1000);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "PRAGMA user_version"), TWIN_SQLITE_SCHEMA_VERSION);
    ck_assert_int_eq(TWIN_SQLITE_SCHEMA_VERSION, 7);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM upstreams"), 0);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 0);
    ck_assert_int_eq(sq_samples(path, "m0", "v"), 900);
    ck_assert_int_eq(sq_samples(path, "m1", "v"), 900);
    register_upstream(path, "u1");
    ck_assert_uint_eq(sq_write_late(path, &late, 1), 0);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM late_log"), 1);
    ck_assert_int_eq(sq_samples(path, "m1", "v"), 901);
    sq_rmdir(dir);
}
END_TEST

static Suite *latelog_suite(void)
{
    Suite *s = suite_create("sqlite_latelog");
    TCase *tc = tcase_create("latelog");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_store_without_forwarder_logs_nothing);
    tcase_add_test(tc, test_registered_upstream_logs_late_samples);
    tcase_add_test(tc, test_fold_deletes_late_log_rows);
    tcase_add_test(tc, test_schema_6_migrates_to_7);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(latelog_suite());
}
