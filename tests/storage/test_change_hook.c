/* The graph's change hook, and the store through it: every committed change
 * reaches the store whichever function made it (the twin_graph_* functions
 * directly, or the twin_store_* wrappers), a hook can refuse a change and
 * the graph is then unchanged, a hook cannot write to the graph, and a
 * store chains a hook that was there before it. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "support/graphsnap.h"
#include "support/ingest_fixture.h"
#include "support/run.h"

/* ---- a recording hook ------------------------------------------------------------ */

typedef struct call {
    uint32_t kind, phase;
    char twin[32], rel[32];
    int twin_existed;  /* the twin was in the graph at the call */
} call;

typedef struct recorder {
    call c[64];
    size_t n;
    twin_status refuse;      /* returned in BEFORE when nonzero */
    twin_status write_status; /* what a write from inside the hook returned */
    int try_write;
} recorder;

static twin_status record(void *ud, const twin_graph *gr, const twin_change *c)
{
    recorder *r = ud;
    call *k = &r->c[r->n < 64 ? r->n++ : 63];
    memset(k, 0, sizeof *k);
    k->kind = c->kind;
    k->phase = c->phase;
    strncpy(k->twin, c->twin_id, sizeof k->twin - 1);
    if (c->rel_id) strncpy(k->rel, c->rel_id, sizeof k->rel - 1);
    k->twin_existed = twin_graph_find_twin(gr, c->twin_id, NULL) == TWIN_OK;
    if (r->try_write) r->write_status = twin_graph_add_twin(g, "from-hook", PUMP, NULL, 0);
    return c->phase == TWIN_CHANGE_BEFORE ? r->refuse : TWIN_OK;
}

/* A graph of its own with the recorder as its hook (no store). */
static twin_graph *hooked(recorder *r)
{
    twin_graph *x;
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(twin_graph_create(&x, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_set_change_hook(x, record, r), TWIN_OK);
    return x;
}

START_TEST(test_hook_sees_before_and_after_of_each_change)
{
    recorder r;
    twin_graph *x = hooked(&r);
    twin_value v = twin_value_int(3);
    twin_graph_change_fn fn;
    void *ud;
    ck_assert_int_eq(twin_graph_get_change_hook(x, &fn, &ud), TWIN_OK);
    ck_assert(fn == record && ud == &r);
    ck_assert_int_eq(twin_graph_add_twin(x, "a", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(x, "b", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(x, "a", "r", "feeds", "b", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_set_property(x, "a", "n", &v), TWIN_OK);
    ck_assert_int_eq(twin_graph_set_relationship_property(x, "a", "r", "w", &v), TWIN_OK);
    ck_assert_int_eq(twin_graph_set_model(x, "b", MOTOR), TWIN_OK);
    ck_assert_int_eq(twin_graph_remove_relationship(x, "a", "r"), TWIN_OK);
    ck_assert_int_eq(twin_graph_remove_twin(x, "b", 0), TWIN_OK);
    ck_assert_uint_eq(r.n, 16);
    {
        static const uint32_t kinds[8] = {
            TWIN_CHANGE_TWIN_PUT, TWIN_CHANGE_TWIN_PUT, TWIN_CHANGE_REL_PUT,
            TWIN_CHANGE_TWIN_PUT, TWIN_CHANGE_REL_PUT, TWIN_CHANGE_TWIN_PUT,
            TWIN_CHANGE_REL_DELETE, TWIN_CHANGE_TWIN_DELETE};
        for (size_t i = 0; i < 8; i++) {
            ck_assert_uint_eq(r.c[2 * i].kind, kinds[i]);
            ck_assert_uint_eq(r.c[2 * i + 1].kind, kinds[i]);
            ck_assert_uint_eq(r.c[2 * i].phase, TWIN_CHANGE_BEFORE);
            ck_assert_uint_eq(r.c[2 * i + 1].phase, TWIN_CHANGE_AFTER);
        }
    }
    /* before an add the twin is not there yet; after a removal it is gone */
    ck_assert_int_eq(r.c[0].twin_existed, 0);
    ck_assert_int_eq(r.c[1].twin_existed, 1);
    ck_assert_str_eq(r.c[4].rel, "r");
    ck_assert_str_eq(r.c[4].twin, "a");
    ck_assert_int_eq(r.c[14].twin_existed, 1);
    ck_assert_int_eq(r.c[15].twin_existed, 0);
    twin_graph_destroy(x);
}
END_TEST

START_TEST(test_failed_changes_call_nothing)
{
    recorder r;
    twin_graph *x = hooked(&r);
    ck_assert_int_eq(twin_graph_add_twin(x, "a", PUMP, NULL, 0), TWIN_OK);
    r.n = 0;
    ck_assert_int_eq(twin_graph_add_twin(x, "a", PUMP, NULL, 0), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_graph_remove_twin(x, "ghost", 0), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_add_relationship(x, "a", "r", "feeds", "ghost", NULL, 0),
                     TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_remove_property(x, "ghost", "p"), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(r.n, 0);
    twin_graph_destroy(x);
}
END_TEST

START_TEST(test_refusal_leaves_graph_unchanged)
{
    recorder r;
    twin_graph *x = hooked(&r);
    twin_value v = twin_value_int(1);
    const twin_value *got;
    ck_assert_int_eq(twin_graph_add_twin(x, "a", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(x, "b", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(x, "a", "r", "feeds", "b", NULL, 0), TWIN_OK);
    r.refuse = TWIN_E_IO;
    r.n = 0;
    ck_assert_int_eq(twin_graph_add_twin(x, "c", PUMP, NULL, 0), TWIN_E_IO);
    ck_assert_int_eq(twin_graph_last_error(x)->status, TWIN_E_IO);
    ck_assert_ptr_nonnull(strstr(twin_graph_last_error(x)->message, "change hook"));
    ck_assert_int_eq(twin_graph_find_twin(x, "c", NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_set_property(x, "a", "p", &v), TWIN_E_IO);
    ck_assert_int_eq(twin_graph_get_property(x, "a", "p", &got), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_set_model(x, "a", MOTOR), TWIN_E_IO);
    {
        const char *m;
        ck_assert_int_eq(twin_graph_find_twin(x, "a", &m), TWIN_OK);
        ck_assert_str_eq(m, PUMP);
    }
    ck_assert_int_eq(twin_graph_remove_twin(x, "a", TWIN_REMOVE_RELATIONSHIPS), TWIN_E_IO);
    ck_assert_int_eq(twin_graph_remove_relationship(x, "a", "r"), TWIN_E_IO);
    ck_assert_int_eq(twin_graph_add_relationship(x, "b", "s", "feeds", "a", NULL, 0), TWIN_E_IO);
    ck_assert_uint_eq(twin_graph_twin_count(x), 2);
    ck_assert_uint_eq(twin_graph_relationship_count(x), 1);
    /* only BEFORE calls: nothing was made */
    for (size_t i = 0; i < r.n; i++) ck_assert_uint_eq(r.c[i].phase, TWIN_CHANGE_BEFORE);
    ck_assert_uint_eq(r.n, 6);
    twin_graph_destroy(x);
}
END_TEST

START_TEST(test_hook_cannot_write_the_graph)
{
    /* the fixture's graph g: its hook is the store's; put ours in front */
    recorder r;
    twin_graph_change_fn store_fn;
    void *store_ud;
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(twin_graph_get_change_hook(g, &store_fn, &store_ud), TWIN_OK);
    ck_assert(store_fn != NULL);
    ck_assert_int_eq(twin_graph_set_change_hook(g, record, &r), TWIN_OK);
    r.try_write = 1;
    ck_assert_int_eq(twin_graph_add_twin(g, "x", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(r.write_status, TWIN_E_STATE);
    ck_assert_int_eq(twin_graph_find_twin(g, "from-hook", NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_set_change_hook(g, store_fn, store_ud), TWIN_OK);
    ck_assert_int_eq(twin_graph_set_change_hook(NULL, record, &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_get_change_hook(g, NULL, NULL), TWIN_E_INVAL);
}
END_TEST

/* ---- the store through the hook ------------------------------------------------------ */

START_TEST(test_direct_graph_writes_reach_the_store)
{
    twin_value v = twin_value_double(2.5);
    ck_assert_int_eq(twin_graph_add_twin(g, "valve1", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_set_property(g, "valve1", "size", &v), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "pump1", "r1", "feeds", "valve1", NULL, 0),
                     TWIN_OK);
    ck_assert_int_eq(twin_graph_set_relationship_property(g, "pump1", "r1", "w", &v), TWIN_OK);
    ck_assert_int_eq(twin_graph_remove_twin(g, "valve1", TWIN_REMOVE_RELATIONSHIPS), TWIN_OK);
    ck_assert_uint_eq(ms.committed, 6);
    ck_assert_int_eq(ms.log[0].kind, MS_TWIN_PUT);
    ck_assert_str_eq(ms.log[0].a, "valve1");
    ck_assert_int_eq(ms.log[1].kind, MS_TWIN_PUT);
    ck_assert_uint_eq(ms.log[1].nprops, 1);
    ck_assert_int_eq(ms.log[2].kind, MS_REL_PUT);
    ck_assert_int_eq(ms.log[3].kind, MS_REL_PUT);
    ck_assert_uint_eq(ms.log[3].nprops, 1);
    ck_assert_int_eq(ms.log[4].kind, MS_REL_DEL);
    ck_assert_str_eq(ms.log[4].b, "r1");
    ck_assert_int_eq(ms.log[5].kind, MS_TWIN_DEL);
    ck_assert_str_eq(ms.log[5].a, "valve1");
}
END_TEST

START_TEST(test_direct_removal_drops_the_twins_signals_at_once)
{
    twin_signal h = sig_add("pump2", "flow", NULL, 1, 0, 0);
    size_t before = twin_ingest_signal_count(ing);
    ck_assert_uint_eq(put_sig(h, 1000, 1.0), TWIN_INGEST_ACCEPTED);
    ck_assert_int_eq(twin_graph_remove_twin(g, "pump2", 0), TWIN_OK);
    ck_assert_uint_eq(twin_ingest_signal_count(ing), before - 1);
    ck_assert_int_eq(memstore_count(&ms, MS_TWIN_DEL), 1);
}
END_TEST

START_TEST(test_full_outbox_refuses_direct_writes)
{
    twin_store_options so;
    twin_store_callbacks cb;
    twin_store *small;
    twin_graph *x;
    memstore down;
    char id[32];
    int i, refused = 0;
    memstore_init(&down, 0);
    memstore_callbacks(&down, &cb);
    ck_assert_int_eq(twin_graph_create(&x, NULL), TWIN_OK);
    twin_store_options_init(&so);
    so.callbacks = &cb;
    so.outbox_bytes = TWIN_STORE_OUTBOX_MIN;
    ck_assert_int_eq(twin_store_create(&small, x, &so), TWIN_OK);
    down.fail_rate = 1.0;  /* the store is down: nothing is confirmed */
    for (i = 0; i < 1000 && !refused; i++) {
        twin_status s;
        snprintf(id, sizeof id, "t%d", i);
        s = twin_graph_add_twin(x, id, PUMP, NULL, 0);
        if (s == TWIN_E_BUSY) refused = 1;
        else ck_assert_int_eq(s, TWIN_OK);
    }
    ck_assert(refused);
    ck_assert_int_eq(twin_graph_find_twin(x, id, NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_last_error(x)->status, TWIN_E_BUSY);
    ck_assert_uint_eq(twin_graph_twin_count(x), (size_t)(i - 1));
    /* back up: everything accepted arrives, once, in order */
    down.fail_rate = 0;
    ck_assert_int_eq(twin_store_flush(small), TWIN_OK);
    ck_assert_uint_eq(memstore_count(&down, MS_TWIN_PUT), (size_t)(i - 1));
    ck_assert_str_eq(down.log[0].a, "t0");
    ck_assert_int_eq(twin_graph_add_twin(x, id, PUMP, NULL, 0), TWIN_OK);
    twin_store_destroy(small);
    twin_graph_destroy(x);
    memstore_fini(&down);
}
END_TEST

START_TEST(test_store_chains_the_previous_hook_and_restores_it)
{
    recorder r;
    twin_graph *x = hooked(&r);
    twin_store *s1;
    memstore m;
    twin_store_callbacks cb;
    twin_store_options so;
    twin_graph_change_fn fn;
    void *ud;
    memstore_init(&m, 0);
    memstore_callbacks(&m, &cb);
    twin_store_options_init(&so);
    so.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&s1, x, &so), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(x, "a", PUMP, NULL, 0), TWIN_OK);
    ck_assert_uint_eq(r.n, 2);                      /* the previous hook still hears */
    ck_assert_uint_eq(memstore_count(&m, MS_TWIN_PUT), 1);
    r.refuse = TWIN_E_CONSTRAINT;                   /* and may still refuse */
    ck_assert_int_eq(twin_graph_add_twin(x, "b", PUMP, NULL, 0), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin_store_flush(s1), TWIN_OK);
    ck_assert_uint_eq(memstore_count(&m, MS_TWIN_PUT), 1);
    twin_store_destroy(s1);
    ck_assert_int_eq(twin_graph_get_change_hook(x, &fn, &ud), TWIN_OK);
    ck_assert(fn == record && ud == &r);
    twin_graph_destroy(x);
    memstore_fini(&m);
}
END_TEST

static twin_graph *cb_graph;
static twin_status cb_write_status;

static twin_status put_twin_writes(void *ud, const char *id, const char *model,
                                   const twin_member *props, size_t n)
{
    (void)ud;
    (void)id;
    (void)model;
    (void)props;
    (void)n;
    cb_write_status = twin_graph_add_twin(cb_graph, "from-callback", PUMP, NULL, 0);
    return TWIN_OK;
}

START_TEST(test_store_callback_writing_the_graph_gets_state)
{
    /* a store callback runs in the hook's AFTER phase (or in a flush): a
     * direct graph write from it is refused, and nothing is queued for it */
    twin_store_callbacks cb;
    twin_store_options so;
    twin_store *s1;
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.put_twin = put_twin_writes;
    twin_store_options_init(&so);
    so.callbacks = &cb;
    ck_assert_int_eq(twin_graph_create(&cb_graph, NULL), TWIN_OK);
    ck_assert_int_eq(twin_store_create(&s1, cb_graph, &so), TWIN_OK);
    cb_write_status = TWIN_OK;
    ck_assert_int_eq(twin_graph_add_twin(cb_graph, "a", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(cb_write_status, TWIN_E_STATE);
    ck_assert_int_eq(twin_graph_find_twin(cb_graph, "from-callback", NULL), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(twin_graph_twin_count(cb_graph), 1);
    twin_store_destroy(s1);
    twin_graph_destroy(cb_graph);
}
END_TEST

static Suite *hook_suite(void)
{
    Suite *s = suite_create("change_hook");
    TCase *tc = tcase_create("hook");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_hook_sees_before_and_after_of_each_change);
    tcase_add_test(tc, test_failed_changes_call_nothing);
    tcase_add_test(tc, test_refusal_leaves_graph_unchanged);
    tcase_add_test(tc, test_hook_cannot_write_the_graph);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown);
    tcase_add_test(tc, test_direct_graph_writes_reach_the_store);
    tcase_add_test(tc, test_direct_removal_drops_the_twins_signals_at_once);
    tcase_add_test(tc, test_full_outbox_refuses_direct_writes);
    tcase_add_test(tc, test_store_chains_the_previous_hook_and_restores_it);
    tcase_add_test(tc, test_store_callback_writing_the_graph_gets_state);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(hook_suite());
}
