/* libtwin-sqlite: a store and a reload give back twins, relationships,
 * signals, latest values and health states; a locked, read-only or full
 * database fails with a clear status and loses nothing; retention. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sq_fixture.h"
#include "support/run.h"

/* A multiple of 60 s, for whole buckets. */
#define TB (T0 - 20 * SEC)

static void add_plant(sq *x)
{
    twin_value items[2] = {twin_value_int(7), twin_value_string("seven")};
    twin_member nested[2], props[6];
    twin_member rp[1];
    nested[0].name = "maker", nested[0].value = twin_value_string("ABB");
    nested[1].name = "year", nested[1].value = twin_value_int(2019);
    props[0].name = "name", props[0].value = twin_value_string("Motor \xc3\xa9 1");
    props[1].name = "ratedSpeed", props[1].value = twin_value_double(1450.125);
    props[2].name = "count", props[2].value = twin_value_int(-9007199254740993LL);
    props[3].name = "on", props[3].value = twin_value_bool(1);
    props[4].name = "nameplate", props[4].value = twin_value_object(nested, 2);
    props[5].name = "tags", props[5].value = twin_value_array(items, 2);
    ck_assert_int_eq(twin_store_add_twin(x->st, "M1", "dtmi:t:Motor;1", props, 6), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(x->st, "C1", "dtmi:t:Conveyor;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(x->st, "C2", "dtmi:t:Conveyor;1", NULL, 0), TWIN_OK);
    rp[0].name = "bufferCapacity", rp[0].value = twin_value_int(12);
    ck_assert_int_eq(twin_store_add_relationship(x->st, "M1", "r1", "partOf", "C1", NULL, 0),
                     TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(x->st, "C1", "r2", "feeds", "C2", rp, 1),
                     TWIN_OK);
}

static twin_signal vib_signal(sq *x, int attach)
{
    twin_signal_options so;
    twin_health_options ho;
    twin_signal h;
    twin_signal_options_init(&so);
    so.unit = "gForce";
    ck_assert_int_eq(twin_ingest_add_signal(x->ing, "M1", "vibration", &so, &h), TWIN_OK);
    if (attach) {
        twin_health_options_init(&ho);
        ho.prior_mean[0] = log(0.12);
        ho.prior_mean[1] = 0.003 / 86400.0;
        ho.prior_cov[3] = 1e-12;
        ck_assert_int_eq(twin_ingest_attach_health(x->ing, h, &ho, T0), TWIN_OK);
    }
    return h;
}

static void write_vib(sq *x, twin_signal h, int from, int n)
{
    twin_signal_sample *s = calloc((size_t)n, sizeof *s);
    size_t done;
    int k;
    for (k = 0; k < n; k++) {
        s[k].signal = h;
        s[k].t_us = T0 + (int64_t)(from + k) * 3600 * SEC;
        s[k].value = 0.12 * exp(0.003 * (from + k) / 24.0) * (1 + 0.01 * ((k * 7) % 5 - 2));
    }
    ck_assert_int_eq(twin_ingest_write_signals(x->ing, s, (size_t)n, NULL, &done), TWIN_OK);
    ck_assert_uint_eq(done, (size_t)n);
    free(s);
}

START_TEST(test_round_trip)
{
    const char *dir = sq_tmpdir(), *path = sq_path(dir, "rt.db");
    char p[256];
    sq x;
    twin_signal h;
    twin_health st1, st2;
    twin_health_options o1, o2;
    const twin_value *v;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    int64_t t;
    double val;
    uint64_t cur = 0;
    snprintf(p, sizeof p, "%s", path);
    sq_open(&x, p, 0, 1000);
    add_plant(&x);
    h = vib_signal(&x, 1);
    write_vib(&x, h, 0, 500);
    ck_assert_int_eq(twin_sqlite_checkpoint(x.db, x.st), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_health(x.ing, h, &st1, &o1), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 500);
    ck_assert_int_eq(sq_query(p, "PRAGMA user_version"), TWIN_SQLITE_SCHEMA_VERSION);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM health"), 1);
    /* encoded forms, not the structs */
    ck_assert_int_eq(sq_query(p, "SELECT length(state) FROM health"), TWIN_HEALTH_ENCODED_MAX);
    ck_assert_int_eq(sq_query(p, "SELECT length(options) FROM health"),
                     TWIN_HEALTH_OPTIONS_ENCODED_MAX);
    ck_assert_int_eq(sq_query(p, "SELECT hex(substr(state, 1, 3)) = '485301' FROM health"), 1);

    sq_open(&x, p, 0, 1000);
    ck_assert_uint_eq(twin_graph_twin_count(x.g), 3);
    ck_assert_uint_eq(twin_graph_relationship_count(x.g), 2);
    ck_assert_int_eq(twin_graph_get_property(x.g, "M1", "name", &v), TWIN_OK);
    ck_assert_str_eq(v->as.s, "Motor \xc3\xa9 1");
    ck_assert_int_eq(twin_graph_get_property(x.g, "M1", "ratedSpeed", &v), TWIN_OK);
    ck_assert(v->type == TWIN_VALUE_DOUBLE && v->as.d == 1450.125);
    ck_assert_int_eq(twin_graph_get_property(x.g, "M1", "count", &v), TWIN_OK);
    ck_assert(v->type == TWIN_VALUE_INT && v->as.i == -9007199254740993LL);
    ck_assert_int_eq(twin_graph_get_property(x.g, "M1", "nameplate", &v), TWIN_OK);
    ck_assert(v->type == TWIN_VALUE_OBJECT && v->len == 2);
    ck_assert_str_eq(v->as.members[0].value.as.s, "ABB");
    ck_assert_int_eq(twin_graph_get_property(x.g, "M1", "tags", &v), TWIN_OK);
    ck_assert(v->type == TWIN_VALUE_ARRAY && v->len == 2 && v->as.items[0].as.i == 7);
    ck_assert_int_eq(twin_graph_find_relationship(x.g, "C1", "r2", &r), TWIN_OK);
    ck_assert_str_eq(r.target_id, "C2");
    ck_assert_uint_eq(r.property_count, 1);
    /* The signal, its latest value and its health state came back. */
    ck_assert_uint_eq(twin_ingest_signal_count(x.ing), 1);
    ck_assert_int_eq(twin_ingest_signals_next(x.ing, &cur, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(x.ing, h, &t, &val), TWIN_OK);
    ck_assert(t == T0 + 499 * 3600 * SEC);
    ck_assert_int_eq(twin_ingest_get_health(x.ing, h, &st2, &o2), TWIN_OK);
    ck_assert(memcmp(&st1, &st2, sizeof st1) == 0);
    ck_assert(o1.prior_mean[1] == o2.prior_mean[1]);
    /* Ingest goes on from there: the old samples are refused, new ones stored. */
    write_vib(&x, h, 490, 20);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 510);
    ck_assert_int_eq(sq_query(p, "SELECT latest_t_us FROM signals"), T0 + 509 * 3600 * SEC);

    /* Removing a twin removes its relationships, signals and samples. */
    sq_open(&x, p, 0, 1000);
    ck_assert_int_eq(twin_store_remove_relationship(x.st, "C1", "r2"), TWIN_OK);
    ck_assert_int_eq(twin_store_remove_twin(x.st, "M1", TWIN_REMOVE_RELATIONSHIPS), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM twins"), 2);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM relationships"), 0);
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 0);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM signals"), 0);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_locked)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    sqlite3 *other;
    twin_signal h;
    twin_store_stats ss;
    snprintf(p, sizeof p, "%s", sq_path(dir, "locked.db"));
    sq_open(&x, p, 0, 20);
    add_plant(&x);
    h = vib_signal(&x, 0);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    /* Another connection holds the write lock. */
    ck_assert_int_eq(sqlite3_open(p, &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    write_vib(&x, h, 0, 100);  /* accepted; delivery fails and is kept */
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_E_BUSY);
    ck_assert_int_eq(twin_sqlite_last_error(x.db)->status, TWIN_E_BUSY);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "locked"));
    memset(&ss, 0, sizeof ss);
    ss.size = sizeof ss;
    ck_assert_int_eq(twin_store_get_stats(x.st, &ss), TWIN_OK);
    ck_assert_uint_eq(ss.pending_samples, 100);
    ck_assert_int_eq(ss.last_status, TWIN_E_BUSY);
    write_vib(&x, h, 100, 50);
    ck_assert_int_eq(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 150);
    ck_assert_int_eq(sq_samples(p, "M1", "vibration"), 150);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_full_and_readonly)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_status s;
    snprintf(p, sizeof p, "%s", sq_path(dir, "full.db"));
    sq_open(&x, p, 0, 100);
    add_plant(&x);
    h = vib_signal(&x, 1);
    write_vib(&x, h, 0, 10);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    /* A disk that is full: the database may not grow. */
    ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(x.db),
                                  "PRAGMA max_page_count = 1", NULL, NULL, NULL), SQLITE_OK);
    write_vib(&x, h, 10, 3000);
    s = twin_store_flush(x.st);
    ck_assert_int_eq(s, TWIN_E_IO);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "full"));
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 10);
    ck_assert_int_eq(sqlite3_exec(twin_sqlite_connection(x.db),
                                  "PRAGMA max_page_count = 1000000", NULL, NULL, NULL), SQLITE_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 3010);

    /* Read-only: loads, refuses to write, keeps what it was given. */
    sq_open(&x, p, TWIN_SQLITE_READONLY, 100);
    ck_assert_uint_eq(twin_graph_twin_count(x.g), 3);
    ck_assert_int_eq(twin_store_add_twin(x.st, "X", "dtmi:t:X;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_E_IO);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(x.db)->message, "readonly"));
    sq_close(&x, 0);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM twins"), 3);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_bad_files)
{
    const char *dir = sq_tmpdir();
    char p[256];
    twin_sqlite *db;
    FILE *f;
    sqlite3 *c;
    snprintf(p, sizeof p, "%s", sq_path(dir, "junk.db"));
    f = fopen(p, "w");
    fputs("this is not a database, not even close; it goes on for a while ........"
          "..................................................................\n", f);
    fclose(f);
    ck_assert_int_eq(twin_sqlite_open(&db, p, NULL), TWIN_E_IO);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(db)->message, "not a database"));
    twin_sqlite_close(db);
    snprintf(p, sizeof p, "%s", sq_path(dir, "other.db"));
    ck_assert_int_eq(sqlite3_open(p, &c), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(c, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(c);
    ck_assert_int_eq(twin_sqlite_open(&db, p, NULL), TWIN_E_STATE);
    ck_assert_ptr_nonnull(strstr(twin_sqlite_last_error(db)->message, "not a libtwin store"));
    twin_sqlite_close(db);
    snprintf(p, sizeof p, "%s", sq_path(dir, "missing.db"));
    twin_sqlite_options o;
    twin_sqlite_options_init(&o);
    o.flags = TWIN_SQLITE_NO_CREATE;
    ck_assert_int_eq(twin_sqlite_open(&db, p, &o), TWIN_E_IO);
    twin_sqlite_close(db);
    sq_rmdir(dir);
}
END_TEST

START_TEST(test_retention)
{
    const char *dir = sq_tmpdir();
    char p[256];
    sq x;
    twin_signal h;
    twin_signal_sample s[600];
    twin_sqlite_retention r;
    twin_sqlite_retention_stats rs;
    size_t done;
    int k;
    snprintf(p, sizeof p, "%s", sq_path(dir, "ret.db"));
    sq_open(&x, p, 0, 100);
    add_plant(&x);
    h = vib_signal(&x, 0);
    for (k = 0; k < 600; k++) {  /* 10 minutes at 1 Hz, value = second */
        s[k].signal = h;
        s[k].t_us = TB + (int64_t)k * SEC;
        s[k].value = k;
    }
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, s, 600, NULL, &done), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.raw_keep_us = 150 * SEC;  /* now = TB+599 s: cutoff TB+449 s, floored to TB+420 s */
    r.bucket_us = 60 * SEC;
    memset(&rs, 0, sizeof rs);
    rs.size = sizeof rs;
    ck_assert_int_eq(twin_sqlite_apply_retention(x.db, &r, INT64_MIN, &rs), TWIN_OK);
    ck_assert(rs.cutoff_us == TB + 420 * SEC);
    ck_assert_uint_eq(rs.raw_folded, 420);
    ck_assert_uint_eq(rs.rollups_written, 7);
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 180);
    ck_assert_int_eq(sq_query(p, "SELECT n FROM rollups ORDER BY t_us LIMIT 1"), 60);
    ck_assert_int_eq(sq_query(p, "SELECT max - min FROM rollups ORDER BY t_us LIMIT 1"), 59);
    ck_assert_int_eq(sq_query(p, "SELECT mean * 2 FROM rollups ORDER BY t_us LIMIT 1"), 59);
    /* The latest value stays; applying again at the same time does nothing. */
    ck_assert_int_eq(sq_query(p, "SELECT latest_value FROM signals"), 599);
    ck_assert_int_eq(twin_sqlite_apply_retention(x.db, &r, INT64_MIN, &rs), TWIN_OK);
    ck_assert_uint_eq(rs.raw_folded, 0);
    /* Rollups merge exactly: folding everything gives 10 buckets of 60. */
    ck_assert_int_eq(twin_sqlite_set_retention(x.db, &r), TWIN_OK);
    r.raw_keep_us = 0;
    ck_assert_int_eq(twin_sqlite_apply_retention(x.db, &r, TB + 600 * SEC, &rs), TWIN_OK);
    ck_assert_int_eq(sq_query(p, "SELECT count(*) FROM rollups WHERE n = 60"), 10);
    ck_assert_int_eq(sq_query(p, "SELECT sum(mean * n) FROM rollups"), 599 * 600 / 2);
    ck_assert_int_eq(sq_query(p, SQ_ALL_SAMPLES), 0);
    ck_assert_int_eq(twin_sqlite_checkpoint(x.db, x.st), TWIN_OK);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* Found by the model-based test (python/tests/test_model_based.py): a
   latest value of -0.0 came back from the database as 0.0 (SQLite stores
   an integral REAL as an integer). It is kept as its bytes now. */
START_TEST(test_negative_zero_latest)
{
    const char *dir = sq_tmpdir();
    char path[256];
    twin_signal h;
    twin_signal_sample smp;
    int64_t t;
    double v;
    size_t done;
    uint64_t cur = 0;
    sq x;
    snprintf(path, sizeof path, "%s", sq_path(dir, "t.db"));
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, "M1", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "M1", "v", NULL, &h), TWIN_OK);
    smp.signal = h;
    smp.t_us = T0;
    smp.value = -0.0;
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, &smp, 1, NULL, &done), TWIN_OK);
    sq_close(&x, 1);
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_ingest_signals_next(x.ing, &cur, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(x.ing, h, &t, &v), TWIN_OK);
    ck_assert_int_eq(t, T0);
    ck_assert(v == 0.0 && signbit(v));
    /* a positive zero stays a REAL */
    smp.signal = h;
    smp.t_us = T0 + SEC;
    smp.value = 0.0;
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, &smp, 1, NULL, &done), TWIN_OK);
    sq_close(&x, 1);
    ck_assert_int_eq(sq_query(path, "SELECT typeof(latest_value) = 'real' FROM signals"), 1);
    sq_open(&x, path, 0, 1000);
    cur = 0;
    ck_assert_int_eq(twin_ingest_signals_next(x.ing, &cur, &h), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(x.ing, h, &t, &v), TWIN_OK);
    ck_assert(v == 0.0 && !signbit(v));
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

/* Found by the model-based test too: a late sample of -0.0 (a row of
   `samples`) read back as 0.0. It is kept as its bytes; retention still
   folds it as a zero (minimum, maximum and mean of its bucket right). */
typedef struct negz_read {
    size_t n;
    int64_t t[8];
    double v[8];
} negz_read;

static twin_status negz_fn(void *ud, const int64_t *t, const double *v, size_t n)
{
    negz_read *r = ud;
    for (size_t k = 0; k < n && r->n < 8; k++, r->n++) {
        r->t[r->n] = t[k];
        r->v[r->n] = v[k];
    }
    return TWIN_OK;
}

START_TEST(test_negative_zero_late)
{
    const char *dir = sq_tmpdir();
    char path[256];
    twin_signal h;
    twin_signal_options o;
    twin_signal_sample smp[2];
    twin_sqlite_retention ret;
    twin_sqlite_retention_stats rs;
    negz_read r;
    size_t done;
    sq x;
    snprintf(path, sizeof path, "%s", sq_path(dir, "t.db"));
    sq_open(&x, path, 0, 1000);
    ck_assert_int_eq(twin_store_add_twin(x.st, "M1", "dtmi:t:A;1", NULL, 0), TWIN_OK);
    twin_signal_options_init(&o);
    o.order = TWIN_INGEST_ORDER_WINDOW;
    o.reorder_window_us = 60 * SEC;
    o.history = 4;
    ck_assert_int_eq(twin_ingest_add_signal(x.ing, "M1", "v", &o, &h), TWIN_OK);
    smp[0].signal = smp[1].signal = h;
    smp[0].t_us = T0 + 2 * SEC;
    smp[0].value = 5.0;
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, smp, 1, NULL, &done), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    smp[0].t_us = T0 + SEC; /* late: a row of samples */
    smp[0].value = -0.0;
    smp[1].t_us = T0 + 3 * SEC;
    smp[1].value = 0.0;
    ck_assert_int_eq(twin_ingest_write_signals(x.ing, smp, 2, NULL, &done), TWIN_OK);
    ck_assert_uint_eq(done, 2);
    ck_assert_int_eq(twin_store_flush(x.st), TWIN_OK);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM samples"), 1);
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(twin_sqlite_read(x.db, "M1", "v", INT64_MIN, INT64_MAX, negz_fn, &r), TWIN_OK);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_int_eq(r.t[0], T0 + SEC);
    ck_assert(r.v[0] == 0.0 && signbit(r.v[0]));
    ck_assert(r.v[1] == 5.0);
    ck_assert(r.v[2] == 0.0 && !signbit(r.v[2]));
    /* retention folds the late row with the others of its bucket */
    memset(&ret, 0, sizeof ret);
    ret.size = sizeof ret;
    ret.raw_keep_us = SEC;
    ret.bucket_us = 60 * SEC;
    memset(&rs, 0, sizeof rs);
    rs.size = sizeof rs;
    ck_assert_int_eq(twin_sqlite_apply_retention(x.db, &ret, T0 + 3600 * SEC, &rs), TWIN_OK);
    ck_assert_int_eq(sq_query(path, "SELECT count(*) FROM rollups WHERE typeof(min) = 'real'"
                                    " AND typeof(max) = 'real' AND max = 5.0 AND min = 0.0"
                                    " AND abs(mean - 5.0 / 3) < 1e-12 AND n = 3"), 1);
    sq_close(&x, 1);
    sq_rmdir(dir);
}
END_TEST

static Suite *sqlite_suite(void)
{
    Suite *s = suite_create("sqlite");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_locked);
    tcase_add_test(tc, test_full_and_readonly);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_retention);
    tcase_add_test(tc, test_negative_zero_latest);
    tcase_add_test(tc, test_negative_zero_late);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(sqlite_suite());
}
