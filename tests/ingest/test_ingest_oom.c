/* Allocation failures in ingest and storage: each call is run with its n-th
 * allocation failing, n = 0, 1, ... until it no longer reaches the failure.
 * A call returns TWIN_OK or TWIN_E_NOMEM; after TWIN_E_NOMEM the graph, the
 * ingest handle and the store are as they were (the whole state compared
 * as snapshot bytes) and nothing leaks. Write calls that declare resolved
 * signals stop at the sample that needed memory, having processed exactly
 * the samples before it. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/ingest_fixture.h"
#include "support/graphsnap.h"
#include "support/run.h"

#define T0 1700000000000000LL
#define SEC 1000000LL
#define MAX_N 100000u

typedef twin_status (*op_fn)(void *ctx);

/* Run op with the n-th allocation failing, for every n; see the file
 * comment. Returns the number of failures reached. */
static size_t oom_loop(op_fn op, void *ctx)
{
    size_t n, reached = 0;
    for (n = 0; n < MAX_N; n++) {
        bytes before, after;
        size_t committed = ms.committed;
        twin_status s;
        state_of(g, ing, &before);
        failalloc_arm(&fa, n);
        s = op(ctx);
        failalloc_disarm(&fa);
        if (s == TWIN_OK && !failalloc_triggered(&fa)) {
            bytes_free(&before);
            break;
        }
        ck_assert_msg(s == TWIN_E_NOMEM || s == TWIN_OK, "failing allocation %zu: status %d",
                      n, s);
        if (s == TWIN_E_NOMEM) {
            reached++;
            state_of(g, ing, &after);
            ck_assert_msg(bytes_equal(&before, &after), "failing allocation %zu changed the state",
                          n);
            ck_assert_uint_eq(ms.committed, committed);
            bytes_free(&after);
        }
        bytes_free(&before);
        if (s == TWIN_OK) break;  /* the failure hit a growth it could do without */
    }
    ck_assert_uint_lt(n, MAX_N);
    return reached;
}

START_TEST(test_create_alloc_failure_no_leak)
{
    for (size_t n = 0;; n++) {
        failalloc f;
        twin_graph *gr;
        twin_store *sx = NULL;
        twin_ingest *x = NULL;
        twin_store_options so;
        twin_ingest_options io;
        twin_status s1, s2 = TWIN_E_NOMEM;
        failalloc_init(&f);
        gr = graph_new(&f.alloc);
        twin_store_options_init(&so);
        so.alloc = &f.alloc;
        twin_ingest_options_init(&io);
        io.alloc = &f.alloc;
        io.signal_capacity = 100;
        io.twin_capacity = 10;
        failalloc_arm(&f, n);
        s1 = twin_store_create(&sx, gr, &so);
        if (s1 == TWIN_OK) {
            io.store = sx;
            s2 = twin_ingest_create(&x, gr, &io);
        }
        failalloc_disarm(&f);
        ck_assert(s1 == TWIN_OK || s1 == TWIN_E_NOMEM);
        ck_assert(s2 == TWIN_OK || s2 == TWIN_E_NOMEM);
        if (s2 != TWIN_OK) ck_assert_ptr_null(x);
        twin_ingest_destroy(x);
        twin_store_destroy(sx);
        twin_graph_destroy(gr);
        ck_assert_uint_eq(f.live_bytes, 0);
        failalloc_fini(&f);
        if (s2 == TWIN_OK) break;
        ck_assert_uint_lt(n, 100);
    }
}
END_TEST

static int counter;

static twin_status op_add_signal(void *ctx)
{
    twin_signal_options o;
    char name[32];
    (void)ctx;
    snprintf(name, sizeof name, "sig%d", counter);
    twin_signal_options_init(&o);
    o.unit = "kilopascal";
    o.history = 4;
    o.order = TWIN_INGEST_ORDER_WINDOW;
    o.reorder_window_us = SEC;
    {
        twin_status s = twin_ingest_add_signal(ing, counter % 2 ? "pump1" : "motor1", name, &o,
                                               NULL);
        if (s == TWIN_OK) counter++;
        return s;
    }
}

START_TEST(test_add_signal_alloc_failure_leaves_state_unchanged)
{
    size_t reached = 0;
    /* enough signals to cross the growth points of every array and index */
    for (int i = 0; i < 40; i++) reached += oom_loop(op_add_signal, NULL);
    ck_assert_uint_gt(reached, 40);
    ck_assert_uint_eq(twin_ingest_signal_count(ing), 40);
}
END_TEST

static twin_signal the_sig;

static twin_status op_attach(void *ctx)
{
    const twin_health_options *o = ctx;
    return twin_ingest_attach_health(ing, the_sig, o, T0);
}

START_TEST(test_attach_health_alloc_failure_leaves_state_unchanged)
{
    twin_health_options o;
    size_t reached = 0;
    twin_health_options_init(&o);
    o.prior_mean[0] = log(0.1);
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        the_sig = sig_add("motor1", name, NULL, 1, 0, 0);
        o.noise = 0.01 + i % 3;  /* three profiles */
        reached += oom_loop(op_attach, &o);
    }
    ck_assert_uint_ge(reached, 3);  /* health states twice, profiles once */
}
END_TEST

static twin_status op_set_history(void *ctx)
{
    twin_signal_options o;
    twin_signal_options_init(&o);
    o.history = (uint32_t)(uintptr_t)ctx;
    return twin_ingest_set_signal_options(ing, the_sig, &o);
}

START_TEST(test_set_signal_options_alloc_failure_leaves_state_unchanged)
{
    the_sig = sig_add("motor1", "v", NULL, 1, 0, 0);
    put_sig(the_sig, T0, 1);
    ck_assert_uint_eq(oom_loop(op_set_history, (void *)(uintptr_t)8), 1);
    ck_assert_uint_eq(oom_loop(op_set_history, (void *)(uintptr_t)0), 0);
}
END_TEST

static twin_status op_resolve_unit(void *ctx)
{
    twin_signal h;
    return twin_ingest_resolve(ing, "pump1", "p", (const char *)ctx, &h);
}

START_TEST(test_resolve_alloc_failure_leaves_state_unchanged)
{
    static const char *units[] = {"pascal", "bar", "millibar", "hectopascal", "pascal"};
    sig_add("pump1", "p", "kilopascal", 1, 0, 0);
    for (int i = 0; i < 5; i++) oom_loop(op_resolve_unit, (void *)units[i]);
}
END_TEST

/* A resolver: any signal whose name starts with 'r' is in degreeCelsius. */
static twin_status resolve_r(void *ud, const char *twin_id, const char *model_id,
                             const char *signal, const char **unit)
{
    (void)ud;
    (void)twin_id;
    (void)model_id;
    if (signal[0] != 'r') return TWIN_E_NOTFOUND;
    *unit = "degreeCelsius";
    return TWIN_OK;
}

static twin_ingest *make_resolving(void)
{
    twin_ingest_resolver r = {sizeof r, 0, resolve_r, NULL};
    twin_ingest_options io;
    twin_ingest *x;
    /* replace the fixture's handle by one with a resolver, on the same store */
    twin_ingest_destroy(ing);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.store = st;
    io.resolver = &r;
    ck_assert_int_eq(twin_ingest_create(&x, g, &io), TWIN_OK);
    return x;
}

static twin_status op_resolve_new(void *ctx)
{
    twin_signal h;
    char name[16];
    twin_status s;
    (void)ctx;
    snprintf(name, sizeof name, "r%d", counter);
    s = twin_ingest_resolve(ing, "pump2", name, "degreeFahrenheit", &h);
    if (s == TWIN_OK) counter++;
    return s;
}

START_TEST(test_resolve_through_resolver_alloc_failure_leaves_state_unchanged)
{
    ing = make_resolving();
    counter = 0;
    for (int i = 0; i < 30; i++) oom_loop(op_resolve_new, NULL);
    ck_assert_uint_eq(twin_ingest_signal_count(ing), 30);
}
END_TEST

/* By name with a resolver: a failure stops the batch at the sample whose
 * signal needed memory; resubmitting the rest gives the state of a run
 * without failures. */
START_TEST(test_write_by_name_alloc_failure_stops_at_sample)
{
    twin_sample s[60];
    char names[60][8];
    bytes want, got;
    ing = make_resolving();
    for (int i = 0; i < 60; i++) {
        snprintf(names[i], sizeof names[i], "r%d", i % 25);
        s[i] = (twin_sample){i % 3 ? "pump1" : "motor1", names[i], T0 + i, (double)i,
                             i % 2 ? "degreeFahrenheit" : NULL};
    }
    /* the reference: a fresh state through the same samples */
    ASSERT_ING_OK(twin_ingest_write(ing, s, 60, NULL, NULL));
    state_of(g, ing, &want);
    twin_ingest_destroy(ing);
    ing = NULL;
    for (size_t n = 0;; n++) {
        uint8_t out[60];
        size_t done = 0, at = 0;
        twin_status rc;
        ing = make_resolving();
        failalloc_arm(&fa, n);
        rc = twin_ingest_write(ing, s, 60, out, &done);
        failalloc_disarm(&fa);
        ck_assert(rc == TWIN_OK || rc == TWIN_E_NOMEM);
        if (rc == TWIN_E_NOMEM) {
            ck_assert_uint_lt(done, 60);
            for (size_t i = done; i < 60; i++) ck_assert_uint_eq(out[i], TWIN_INGEST_NOT_PROCESSED);
            at = done;
            ASSERT_ING_OK(twin_ingest_write(ing, s + at, 60 - at, NULL, NULL));
        }
        state_of(g, ing, &got);
        /* the counters of unknown samples and events are the same too */
        ck_assert_msg(bytes_equal(&want, &got), "failing allocation %zu: another state", n);
        bytes_free(&got);
        if (rc == TWIN_OK && !failalloc_triggered(&fa)) break;
        ck_assert_uint_lt(n, MAX_N);
    }
    bytes_free(&want);
}
END_TEST

/* ---- the store's graph changes --------------------------------------------------- */

static twin_status op_store_changes(void *ctx)
{
    twin_member p = {"k", twin_value_string("a long enough string value")};
    char id[16];
    twin_status s;
    (void)ctx;
    snprintf(id, sizeof id, "x%d", counter);
    if ((s = twin_store_add_twin(st, id, PUMP, &p, 1)) == TWIN_OK) counter++;
    return s;
}

static twin_status op_store_rel(void *ctx)
{
    twin_member p = {"k", twin_value_int(3)};
    char rel[16];
    twin_status s;
    (void)ctx;
    snprintf(rel, sizeof rel, "q%d", counter);
    if ((s = twin_store_add_relationship(st, "pump1", rel, "feeds", "pump2", &p, 1)) == TWIN_OK)
        counter++;
    return s;
}

static twin_status op_store_prop(void *ctx)
{
    twin_value v = twin_value_string("value");
    (void)ctx;
    return twin_store_set_property(st, "pump1", "p", &v);
}

START_TEST(test_store_changes_alloc_failure_leave_graph_and_store_unchanged)
{
    counter = 0;
    for (int i = 0; i < 20; i++) oom_loop(op_store_changes, NULL);
    counter = 0;
    for (int i = 0; i < 20; i++) oom_loop(op_store_rel, NULL);
    oom_loop(op_store_prop, NULL);
    ck_assert_uint_eq(twin_graph_twin_count(g), 23);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 20);
}
END_TEST

/* ---- restore, load, save --------------------------------------------------------- */

static bytes snap_bytes;

static twin_status op_restore(void *ctx)
{
    reader r = {snap_bytes.p, snap_bytes.n, 0, 0, SIZE_MAX};
    (void)ctx;
    return twin_snapshot_restore(g, ing, reader_read, &r);
}

START_TEST(test_restore_alloc_failure_leaves_state_unchanged)
{
    twin_health_options o;
    twin_value items[2] = {twin_value_int(1), twin_value_string("two")};
    twin_member m[2] = {{"a", twin_value_array(items, 2)}, {"b", twin_value_double(2)}};
    twin_signal h;
    twin_health_options_init(&o);
    o.prior_mean[0] = log(0.1);
    /* the snapshot: a state, saved; then the live state moves on */
    for (int i = 0; i < 12; i++) {
        char id[8];
        snprintf(id, sizeof id, "n%d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, MOTOR, m, 2));
        ASSERT_OK(g, twin_graph_add_relationship(g, "pump1", id, "feeds", id, m, 1));
    }
    h = sig_add("n3", "t", "degreeCelsius", TWIN_INGEST_ORDER_WINDOW, SEC, 4);
    ASSERT_ING_OK(twin_ingest_attach_health(ing, h, &o, T0));
    put_sig(h, T0 + SEC, 0.2);
    state_of(g, ing, &snap_bytes);
    put_sig(h, T0 + 2 * SEC, 0.3);
    ASSERT_OK(g, twin_graph_remove_twin(g, "n5", TWIN_REMOVE_RELATIONSHIPS));
    ck_assert_uint_gt(oom_loop(op_restore, NULL), 10);
    bytes_free(&snap_bytes);
}
END_TEST

typedef struct lfeed {
    int t, s;
} lfeed;

static twin_status lf_twin(void *ud, twin_store_twin *out)
{
    lfeed *f = ud;
    static char id[16];
    if (f->t == 10) return TWIN_DONE;
    snprintf(id, sizeof id, "L%d", f->t++);
    out->id = id;
    out->model_id = PUMP;
    return TWIN_OK;
}

static twin_status lf_sig(void *ud, twin_store_loaded_signal *out)
{
    lfeed *f = ud;
    static char id[16];
    static twin_signal_options o;
    if (f->s == 10) return TWIN_DONE;
    twin_signal_options_init(&o);
    o.history = 2;
    snprintf(id, sizeof id, "L%d", f->s++);
    out->twin_id = id;
    out->name = "x";
    out->options = &o;
    return TWIN_OK;
}

static twin_status op_load(void *ctx)
{
    lfeed f = {0, 0};
    twin_store_loader ld = {sizeof ld, 0, &f, lf_twin, NULL, lf_sig};
    (void)ctx;
    return twin_store_load(g, ing, &ld);
}

START_TEST(test_load_alloc_failure_leaves_state_unchanged)
{
    sig_add("pump1", "old", NULL, 1, 0, 0);
    ck_assert_uint_gt(oom_loop(op_load, NULL), 10);
    ck_assert_uint_eq(twin_graph_twin_count(g), 10);
    ck_assert_uint_eq(twin_ingest_signal_count(ing), 10);
}
END_TEST

START_TEST(test_save_alloc_failure_returns_nomem)
{
    bytes b = {NULL, 0, 0};
    failalloc_arm(&fa, 0);
    ck_assert_int_eq(twin_snapshot_save(g, ing, bytes_write, &b), TWIN_E_NOMEM);
    failalloc_disarm(&fa);
    ck_assert_uint_eq(b.n, 0);
}
END_TEST

Suite *ingest_oom_suite(void)
{
    Suite *s = suite_create("ingest_oom");
    TCase *tc = tcase_create("ingest");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_create_alloc_failure_no_leak);
    tcase_add_test(tc, test_add_signal_alloc_failure_leaves_state_unchanged);
    tcase_add_test(tc, test_attach_health_alloc_failure_leaves_state_unchanged);
    tcase_add_test(tc, test_set_signal_options_alloc_failure_leaves_state_unchanged);
    tcase_add_test(tc, test_resolve_alloc_failure_leaves_state_unchanged);
    tcase_add_test(tc, test_resolve_through_resolver_alloc_failure_leaves_state_unchanged);
    tcase_add_test(tc, test_write_by_name_alloc_failure_stops_at_sample);
    suite_add_tcase(s, tc);

    tc = tcase_create("storage");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_store_changes_alloc_failure_leave_graph_and_store_unchanged);
    tcase_add_test(tc, test_restore_alloc_failure_leaves_state_unchanged);
    tcase_add_test(tc, test_load_alloc_failure_leaves_state_unchanged);
    tcase_add_test(tc, test_save_alloc_failure_returns_nomem);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(ingest_oom_suite());
}
