/* The error model of twin/core.h, handle by handle: the last failed call's
 * status and message are kept per handle, as a borrowed record (a copy for
 * twin_models_last_error(), whose 1.2 signature returns one); a success
 * leaves them as they were, and so do reading calls. */
#include <check.h>
#include <string.h>

#include "twin/twin.h"
#include "twin/sqlite.h"
#include "sqlite/sq_fixture.h"
#include "support/run.h"

#define MODEL "dtmi:t:M;1"
#define JSON_MODEL                                                                        \
    "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"" MODEL "\",\"@type\":\"Interface\"," \
    "\"contents\":[{\"@type\":\"Telemetry\",\"name\":\"v\",\"schema\":\"double\"}]}"

/* After a failure with status `want`, the record says so and a following
 * success (done by the caller between the two checks) keeps it. */
#define KEPT(rec, want, msg0)                                   \
    do {                                                        \
        ck_assert_int_eq((rec)->status, (want));                \
        ck_assert_str_eq((rec)->message, (msg0));               \
    } while (0)

START_TEST(test_graph_success_keeps_last_error)
{
    twin_graph *g;
    char msg[TWIN_ERROR_MESSAGE_MAX];
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "a", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "a", MODEL, NULL, 0), TWIN_E_EXISTS);
    strcpy(msg, twin_graph_last_error(g)->message);
    ck_assert_str_ne(msg, "");
    ck_assert_int_eq(twin_graph_add_twin(g, "b", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_find_twin(g, "zz", NULL), TWIN_E_NOTFOUND);  /* a reader */
    KEPT(twin_graph_last_error(g), TWIN_E_EXISTS, msg);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_models_success_keeps_last_error)
{
    twin_models *m;
    twin_error e;
    char msg[TWIN_ERROR_MESSAGE_MAX];
    ck_assert_int_eq(twin_models_create(&m, NULL), TWIN_OK);
    ck_assert_int_eq(twin_models_last_error(m).status, TWIN_OK);
    ck_assert_int_eq(twin_models_add(m, "{", 1, "bad"), TWIN_E_PARSE);
    strcpy(msg, twin_models_last_error(m).message);
    ck_assert_int_eq(twin_models_add(m, JSON_MODEL, strlen(JSON_MODEL), "m"), TWIN_OK);
    e = twin_models_last_error(m);
    KEPT(&e, TWIN_E_PARSE, msg);
    ck_assert_int_eq(twin_models_resolve(m), TWIN_OK);
    e = twin_models_last_error(m);
    KEPT(&e, TWIN_E_PARSE, msg);
    twin_models_destroy(m);
}
END_TEST

START_TEST(test_impact_success_keeps_last_error)
{
    twin_graph *g;
    twin_impact *q;
    const char *good = "a", *bad = "zz";
    char msg[TWIN_ERROR_MESSAGE_MAX];
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "a", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_impact_create(&q, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_run(q, &bad, 1, NULL, NULL, NULL), TWIN_E_NOTFOUND);
    strcpy(msg, twin_impact_last_error(q)->message);
    ck_assert_int_eq(twin_impact_run(q, &good, 1, NULL, NULL, NULL), TWIN_OK);
    KEPT(twin_impact_last_error(q), TWIN_E_NOTFOUND, msg);
    twin_impact_destroy(q);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_ingest_and_store_success_keeps_last_error)
{
    twin_graph *g;
    twin_store *st;
    twin_ingest *ing;
    twin_ingest_options io;
    twin_signal s;
    twin_signal_sample x = {0, 1, 2.0};
    char msg[TWIN_ERROR_MESSAGE_MAX], smsg[TWIN_ERROR_MESSAGE_MAX];
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "a", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_create(&st, g, NULL), TWIN_OK);
    twin_ingest_options_init(&io);
    io.store = st;
    ck_assert_int_eq(twin_ingest_create(&ing, g, &io), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "zz", "v", NULL, &s), TWIN_E_NOTFOUND);
    strcpy(msg, twin_ingest_last_error(ing)->message);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "a", "v", NULL, &s), TWIN_OK);
    x.signal = s;
    ck_assert_int_eq(twin_ingest_write_signals(ing, &x, 1, NULL, NULL), TWIN_OK);
    KEPT(twin_ingest_last_error(ing), TWIN_E_NOTFOUND, msg);
    /* the store: a failure is recorded on it, a success keeps it */
    ck_assert_int_eq(twin_store_remove_twin(st, "zz", 0), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_store_flush(NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_store_add_twin(st, "a", MODEL, NULL, 0), TWIN_E_EXISTS);
    strcpy(smsg, twin_graph_last_error(g)->message);
    ck_assert_int_eq(twin_store_add_twin(st, "b", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    KEPT(twin_graph_last_error(g), TWIN_E_EXISTS, smsg);
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
}
END_TEST

static int fail_puts;

static twin_status put_twin(void *ud, const char *id, const char *model, const twin_member *p,
                            size_t n)
{
    (void)ud, (void)id, (void)model, (void)p, (void)n;
    return fail_puts ? TWIN_E_IO : TWIN_OK;
}

START_TEST(test_store_own_failure_kept_after_success)
{
    twin_graph *g;
    twin_store *st;
    twin_store_callbacks cb;
    twin_store_options so;
    char msg[TWIN_ERROR_MESSAGE_MAX];
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.put_twin = put_twin;
    twin_store_options_init(&so);
    so.callbacks = &cb;
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_store_create(&st, g, &so), TWIN_OK);
    fail_puts = 1;
    ck_assert_int_eq(twin_store_add_twin(st, "a", MODEL, NULL, 0), TWIN_OK);  /* kept, pending */
    ck_assert_int_eq(twin_store_flush(st), TWIN_E_IO);
    ck_assert_int_eq(twin_store_last_error(st)->status, TWIN_E_IO);
    strcpy(msg, twin_store_last_error(st)->message);
    fail_puts = 0;
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_int_eq(twin_store_checkpoint(st), TWIN_OK);
    KEPT(twin_store_last_error(st), TWIN_E_IO, msg);
    twin_store_destroy(st);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_sqlite_success_keeps_last_error)
{
    const char *dir = sq_tmpdir();
    twin_sqlite *db;
    twin_sqlite_retention r;
    twin_sqlite_counts c;
    char msg[TWIN_ERROR_MESSAGE_MAX];
    ck_assert_int_eq(twin_sqlite_open(&db, sq_path(dir, "e.db"), NULL), TWIN_OK);
    ck_assert_int_eq(twin_sqlite_last_error(db)->status, TWIN_OK);
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.bucket_us = 0;  /* invalid */
    ck_assert_int_eq(twin_sqlite_set_retention(db, &r), TWIN_E_INVAL);
    strcpy(msg, twin_sqlite_last_error(db)->message);
    ck_assert_int_eq(twin_sqlite_put_document(db, "k", "n", "body"), TWIN_OK);
    c.size = sizeof c;
    ck_assert_int_eq(twin_sqlite_get_counts(db, &c), TWIN_OK);
    KEPT(twin_sqlite_last_error(db), TWIN_E_INVAL, msg);
    twin_sqlite_close(db);
    sq_rmdir(dir);
}
END_TEST

static Suite *last_error_suite(void)
{
    Suite *s = suite_create("last_error");
    TCase *tc = tcase_create("kept_on_success");
    tcase_add_test(tc, test_graph_success_keeps_last_error);
    tcase_add_test(tc, test_models_success_keeps_last_error);
    tcase_add_test(tc, test_impact_success_keeps_last_error);
    tcase_add_test(tc, test_ingest_and_store_success_keeps_last_error);
    tcase_add_test(tc, test_store_own_failure_kept_after_success);
    tcase_add_test(tc, test_sqlite_success_keeps_last_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(last_error_suite());
}
