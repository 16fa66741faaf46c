/* libtwin-sqlite: ingest sources kept in the database (issue 18, schema 6):
 * sources declared and fed with pairs, saved, the database closed and
 * opened again, loaded: the same estimates, the same declarations, the
 * same signals' sources, and later pairs move both alike; a schema 5
 * database migrates; corrupted rows are refused with the handle unchanged. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sq_fixture.h"
#include "support/run.h"

static twin_ingest_source_info info(twin_ingest *ing, const char *name, twin_clock *clock)
{
    twin_source src;
    twin_ingest_source_info in;
    ck_assert_int_eq(twin_ingest_find_source(ing, name, &src), TWIN_OK);
    memset(&in, 0, sizeof in);
    in.size = sizeof in;
    ck_assert_int_eq(twin_ingest_get_source(ing, src, &in, clock), TWIN_OK);
    return in;
}

static twin_source source_of(twin_ingest *ing, const char *twin, const char *name)
{
    twin_signal sig;
    twin_ingest_correction c;
    ck_assert_int_eq(twin_ingest_resolve(ing, twin, name, NULL, &sig), TWIN_OK);
    memset(&c, 0, sizeof c);
    c.size = sizeof c;
    ck_assert_int_eq(twin_ingest_signal_source(ing, sig, &c), TWIN_OK);
    return c.source;
}

/* gw1: estimated, 1.5 s ahead, 40 ppm fast, tolerance 100 ms (out of it);
 * plc2: a declared offset of -1 h; gw3: declared, never fed. */
static void declare_and_feed(sq *x)
{
    twin_clock_options o;
    twin_source gw1, plc2, gw3;
    twin_signal a, b;
    twin_clock_options_init(&o);
    o.tolerance_offset_us = 100000;
    ck_assert_int_eq(twin_store_add_twin(x->st, "M1", "dtmi:t:Motor;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_source(x->ing, "gw1", &o, &gw1), TWIN_OK);
    o.kind = TWIN_CLOCK_KNOWN_OFFSET;
    o.offset_us = -3600 * SEC;
    ck_assert_int_eq(twin_ingest_add_source(x->ing, "plc2", &o, &plc2), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_source(x->ing, "gw3", NULL, &gw3), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x->ing, "M1", "temp", NULL, &a), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x->ing, "M1", "speed", NULL, &b), TWIN_OK);
    ck_assert_int_eq(twin_ingest_set_signal_source(x->ing, a, gw1), TWIN_OK);
    ck_assert_int_eq(twin_ingest_set_signal_source(x->ing, b, plc2), TWIN_OK);
    for (int k = 0; k < 80; k++) {
        int64_t sent = T0 + k * SEC, d = 1000 + (k * 7919) % 3000;
        int64_t src = sent + 1500000 + (int64_t)(40e-6 * (double)(k * SEC));
        ck_assert_int_eq(twin_ingest_observe_source(x->ing, gw1, src, sent + d), TWIN_OK);
        ck_assert_int_eq(twin_ingest_observe_source(x->ing, plc2, sent + 3600 * SEC, sent + d),
                         TWIN_OK);
    }
    ck_assert_int_eq(twin_store_flush(x->st), TWIN_OK);
}

START_TEST(test_sqlite_sources_survive_a_restart)
{
    const char *dir = sq_tmpdir();
    char path[512];
    sq x;
    twin_clock k1, k2;
    twin_clock_estimate e1, e2;
    twin_ingest_source_info a, b;
    snprintf(path, sizeof path, "%s", sq_path(dir, "s.db"));
    sq_open(&x, path, 0, 0);
    declare_and_feed(&x);
    ck_assert_int_eq(twin_sqlite_save_sources(x.db, x.ing), TWIN_OK);
    a = info(x.ing, "gw1", &k1);
    ck_assert(a.clock_flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM sources"), 3);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM signal_sources"), 2);

    sq_open(&x, path, 0, 0);
    ck_assert_int_eq(twin_sqlite_load_sources(x.db, x.ing), TWIN_OK);
    b = info(x.ing, "gw1", &k2);
    ck_assert_int_eq(b.estimated, 1);
    ck_assert_int_eq(a.offset_us, b.offset_us);
    ck_assert(a.skew_ppm == b.skew_ppm);
    ck_assert(a.offset_uncertainty_us == b.offset_uncertainty_us);
    ck_assert_uint_eq(a.clock_flags, b.clock_flags);
    ck_assert_int_eq(a.t_us, b.t_us);
    ck_assert_uint_eq(b.pairs, 0); /* the handle's counters start again */
    /* the declarations: plc2's declared offset, gw3 with no pair */
    b = info(x.ing, "plc2", NULL);
    ck_assert_int_eq(b.offset_us, -3600 * SEC);
    ck_assert(b.clock_flags & TWIN_CLOCK_DECLARED);
    b = info(x.ing, "gw3", NULL);
    ck_assert_int_eq(b.estimated, 0);
    ck_assert_uint_eq(b.pairs, 0);
    /* declaration order kept */
    {
        uint64_t cur = 0;
        twin_source s;
        const char *want[] = {"gw1", "plc2", "gw3"};
        for (int i = 0; i < 3; i++) {
            twin_ingest_source_info in;
            ck_assert_int_eq(twin_ingest_sources_next(x.ing, &cur, &s), TWIN_OK);
            memset(&in, 0, sizeof in);
            in.size = sizeof in;
            twin_ingest_get_source(x.ing, s, &in, NULL);
            ck_assert_str_eq(in.name, want[i]);
        }
    }
    /* the signals' sources */
    ck_assert_uint_eq(source_of(x.ing, "M1", "temp"), 1);
    ck_assert_uint_eq(source_of(x.ing, "M1", "speed"), 2);
    memset(&e1, 0, sizeof e1);
    e1.size = sizeof e1;
    e2 = e1;
    ck_assert_int_eq(twin_clock_get_estimate(&k1, &e1, NULL), TWIN_OK);
    ck_assert_int_eq(twin_clock_get_estimate(&k2, &e2, NULL), TWIN_OK);
    ck_assert_uint_eq(e1.pairs, 80);
    ck_assert_uint_eq(e2.pairs, 80); /* the model's own count is kept */
    /* the next pair moves the reloaded model as it moves the original */
    ck_assert_int_eq(twin_clock_observe(&k1, T0 + 81 * SEC + 1500000 + 3240,
                                        T0 + 81 * SEC + 1200, NULL), TWIN_OK);
    ck_assert_int_eq(twin_clock_observe(&k2, T0 + 81 * SEC + 1500000 + 3240,
                                        T0 + 81 * SEC + 1200, NULL), TWIN_OK);
    memset(&e1, 0, sizeof e1);
    e1.size = sizeof e1;
    e2 = e1;
    ck_assert_int_eq(twin_clock_get_estimate(&k1, &e1, NULL), TWIN_OK);
    ck_assert_int_eq(twin_clock_get_estimate(&k2, &e2, NULL), TWIN_OK);
    ck_assert_int_eq(e1.offset_us, e2.offset_us);
    ck_assert(e1.skew_ppm == e2.skew_ppm);
    /* a sample of temp is corrected by the reloaded estimate */
    {
        twin_signal_sample smp;
        uint8_t out;
        twin_signal h;
        int64_t t;
        double v;
        ck_assert_int_eq(twin_ingest_resolve(x.ing, "M1", "temp", NULL, &h), TWIN_OK);
        memset(&smp, 0, sizeof smp);
        smp.signal = h;
        smp.t_us = T0 + 82 * SEC + 1500000 + 3280;
        smp.value = 21.5;
        ck_assert_int_eq(twin_ingest_write_signals(x.ing, &smp, 1, &out, NULL), TWIN_OK);
        ck_assert_int_eq(twin_ingest_get_latest(x.ing, h, &t, &v), TWIN_OK);
        ck_assert_msg(llabs(t - (T0 + 82 * SEC)) < 5000, "corrected to %lld",
                      (long long)(t - T0));
    }
    /* saved again: a source taken from a signal loses its row */
    {
        twin_signal h;
        ck_assert_int_eq(twin_ingest_resolve(x.ing, "M1", "speed", NULL, &h), TWIN_OK);
        ck_assert_int_eq(twin_ingest_set_signal_source(x.ing, h, 0), TWIN_OK);
        ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
        ck_assert_int_eq(twin_sqlite_save_sources(x.db, x.ing), TWIN_OK);
    }
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM signal_sources"), 1);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM sources"), 3);
    sq_rmdir(dir);
}
END_TEST

/* A schema 5 database migrates to 6 (empty sources); a read-only older
 * database loads no sources and is not changed. */
START_TEST(test_sqlite_sources_schema_5_migrates)
{
    const char *dir = sq_tmpdir();
    char path[512];
    sq x;
    snprintf(path, sizeof path, "%s", sq_path(dir, "m.db"));
    sq_open(&x, path, 0, 0);
    sq_close(&x, 1);
    {
        sqlite3 *c;
        ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(c, "DROP TABLE sources; DROP TABLE signal_sources;"
                                         " DROP TABLE upstreams; DROP TABLE late_log;"
                                         " PRAGMA user_version = 5;",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(c);
    }
    sq_open(&x, path, TWIN_SQLITE_READONLY, 0);
    ck_assert_int_eq(twin_sqlite_load_sources(x.db, x.ing), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_save_sources(x.db, x.ing), TWIN_E_STATE);
    sq_close(&x, 0);
    ck_assert_int_eq(sq_query(path, "PRAGMA user_version"), 5);
    sq_open(&x, path, 0, 0);
    ck_assert_int_eq(twin_sqlite_load_sources(x.db, x.ing), TWIN_OK);
    declare_and_feed(&x);
    ck_assert_int_eq(twin_sqlite_save_sources(x.db, x.ing), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "PRAGMA user_version"), TWIN_SQLITE_SCHEMA_VERSION);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM sources"), 3);
    sq_rmdir(dir);
}
END_TEST

static void corrupt(const char *path, const char *sql)
{
    sqlite3 *c;
    ck_assert_int_eq(sqlite3_open(path, &c), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(c, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sql);
    sqlite3_close(c);
}

/* Bad input: NULLs; a clock blob that does
 * not decode or a signal naming a source not kept: TWIN_E_PARSE with a
 * message, and no source added to the handle. */
START_TEST(test_sqlite_sources_bad_rows_return_parse)
{
    const char *dir = sq_tmpdir();
    char path[512];
    sq x;
    uint64_t cur = 0;
    twin_source s;
    snprintf(path, sizeof path, "%s", sq_path(dir, "b.db"));
    sq_open(&x, path, 0, 0);
    ck_assert_int_eq(twin_sqlite_save_sources(NULL, x.ing), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_save_sources(x.db, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_load_sources(NULL, x.ing), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sqlite_load_sources(x.db, NULL), TWIN_E_INVAL);
    declare_and_feed(&x);
    ck_assert_int_eq(twin_sqlite_save_sources(x.db, x.ing), TWIN_OK);
    sq_close(&x, 1);

    corrupt(path, "UPDATE sources SET clock = x'00010203' WHERE name = 'plc2'");
    sq_open(&x, path, 0, 0);
    ck_assert_int_eq(twin_sqlite_load_sources(x.db, x.ing), TWIN_E_PARSE);
    ck_assert(strstr(twin_sqlite_last_error(x.db)->message, "plc2") != NULL);
    ck_assert_int_eq(twin_ingest_sources_next(x.ing, &cur, &s), TWIN_DONE);
    sq_close(&x, 1);

    corrupt(path, "DELETE FROM sources WHERE name = 'plc2'");
    sq_open(&x, path, 0, 0);
    ck_assert_int_eq(twin_sqlite_load_sources(x.db, x.ing), TWIN_E_PARSE);
    ck_assert(strstr(twin_sqlite_last_error(x.db)->message, "no source 'plc2' is kept") != NULL);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

static Suite *sources_suite(void)
{
    Suite *s = suite_create("sqlite_sources");
    TCase *tc = tcase_create("sources");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sqlite_sources_survive_a_restart);
    tcase_add_test(tc, test_sqlite_sources_schema_5_migrates);
    tcase_add_test(tc, test_sqlite_sources_bad_rows_return_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(sources_suite());
}
