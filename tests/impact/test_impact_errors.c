/* Unit tests of the impact module: options, bad input, results read after
 * the graph changed, writes from callbacks (TWIN_E_MODIFIED). Tests that
 * traverse
 * run once per mode (loop index _i: 0 on the relationship lists, 1 after
 * twin_graph_optimize()); see impact/impact_fixture.h. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "impact/impact_fixture.h"
#include "support/fixture.h"
#include "support/graphsnap.h"
#include "support/run.h"

/* Assert a run fails with @p want, visits nothing (irun checks it) and
 * records @p want with a message in twin_impact_last_error(). */
static void expect_fail(const char *const *roots, size_t nroots, const twin_impact_options *o,
                        twin_status want, const char *what)
{
    iresult r;
    const twin_error *e;
    irun(q, roots, nroots, o, 0, &r);
    ck_assert_msg(r.st == (int)want, "%s: returned %d, expected %d", what, r.st, want);
    e = twin_impact_last_error(q);
    ck_assert_msg(e->status == (int32_t)want, "%s: last error %d", what, e->status);
    ck_assert_msg(e->message && e->message[0], "%s: no message", what);
    iresult_free(&r);
}

static const char *const ROOT_A[1] = {"a"};

/* ---- options, create, accessors -------------------------------------------------- */

START_TEST(test_impact_options_init_fills_defaults)
{
    twin_impact_options o;
    memset(&o, 0xab, sizeof o);
    ck_assert_int_eq(twin_impact_options_init(&o), TWIN_OK);
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_int_eq(o.direction, TWIN_DIRECTION_OUTGOING);
    ck_assert_ptr_null(o.follow);
    ck_assert_uint_eq(o.nfollow, 0);
    ck_assert_uint_eq(o.max_depth, UINT32_MAX);
    ck_assert_uint_eq(o.max_results, 0);
    ck_assert_int_eq(o.rule, TWIN_IMPACT_WEAKEST_LINK);
    ck_assert_uint_eq(o.reserved_, 0);
    ck_assert(o.root_health == 0.0);
    ck_assert(o.attenuation == 0.5);
    ck_assert(o.filter == NULL && o.health == NULL && o.rule_fn == NULL);
    ck_assert(o.filter_ud == NULL && o.health_ud == NULL && o.rule_ud == NULL);
}
END_TEST

START_TEST(test_impact_options_init_null_or_short_size_returns_inval)
{
    twin_impact_options o;
    ck_assert_int_eq(twin_impact_options_init_(NULL, sizeof o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_impact_options_init_(&o, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_impact_options_init_(&o, 4), TWIN_E_INVAL);
    ck_assert_int_eq(twin_impact_options_init_(&o, 7), TWIN_E_INVAL);
    ck_assert_int_eq(twin_impact_options_init_(&o, 8), TWIN_OK);
    ck_assert_int_eq(o.direction, TWIN_DIRECTION_OUTGOING);
}
END_TEST

START_TEST(test_impact_options_init_larger_size_returns_abi)
{
    struct {
        twin_impact_options o;
        char more[16];
    } big;
    ck_assert_int_eq(twin_impact_options_init_(&big.o, sizeof big.o + 8), TWIN_E_ABI);
}
END_TEST

START_TEST(test_impact_create_null_argument_returns_inval)
{
    twin_impact *out = (twin_impact *)&fa;
    ck_assert_int_eq(twin_impact_create(NULL, g, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_impact_create(&out, NULL, NULL), TWIN_E_INVAL);
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_impact_create_incomplete_allocator_returns_inval)
{
    twin_allocator a;
    twin_impact *out;
    int k;
    for (k = 0; k < 3; k++) {
        a = fa.alloc;
        if (k == 0) a.alloc = NULL;
        if (k == 1) a.realloc = NULL;
        if (k == 2) a.free = NULL;
        out = (twin_impact *)&fa;
        ck_assert_int_eq(twin_impact_create(&out, g, &a), TWIN_E_INVAL);
        ck_assert_ptr_null(out);
    }
}
END_TEST

START_TEST(test_impact_create_unknown_allocator_size_returns_abi)
{
    struct {
        twin_allocator a;
        char more[16];
    } big;
    twin_impact *out = (twin_impact *)&fa;
    memset(&big, 0, sizeof big);
    big.a = fa.alloc;
    big.a.size = sizeof big.a + 8;
    ck_assert_int_eq(twin_impact_create(&out, g, &big.a), TWIN_E_ABI);
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_impact_create_copies_allocator)
{
    twin_allocator a = fa.alloc;
    twin_impact *c;
    size_t calls = fa.calls;
    build("a>b b>c");
    ck_assert_int_eq(twin_impact_create(&c, g, &a), TWIN_OK);
    memset(&a, 0, sizeof a);
    ck_assert_int_eq(twin_impact_run(c, ROOT_A, 1, NULL, NULL, NULL), TWIN_OK);
    ck_assert_uint_eq(twin_impact_count(c), 3);
    ck_assert_uint_gt(fa.calls, calls); /* through the copy, to fa */
    twin_impact_destroy(c);
}
END_TEST

START_TEST(test_impact_null_context_accessors_are_safe)
{
    twin_impact_hit h;
    const twin_error *e = twin_impact_last_error(NULL);
    twin_impact_destroy(NULL);
    ck_assert_uint_eq(twin_impact_count(NULL), 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, TWIN_E_INVAL);
    ck_assert_ptr_nonnull(e->message);
    h.size = sizeof h;
    ck_assert_int_eq(twin_impact_get(NULL, 0, &h), TWIN_E_INVAL);
    ck_assert_int_eq(twin_impact_run(NULL, ROOT_A, 1, NULL, NULL, NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_impact_last_error_fresh_context_reports_ok)
{
    const twin_error *e = twin_impact_last_error(q);
    ck_assert_int_eq(e->status, TWIN_OK);
    ck_assert_str_eq(e->message, "");
    ck_assert_uint_eq(twin_impact_count(q), 0);
}
END_TEST

/* ---- bad run input (looped over both modes) ----------------------------------------- */

START_TEST(test_impact_run_null_argument_returns_inval)
{
    const char *with_null[2] = {"a", NULL};
    build("a>b");
    set_mode(_i);
    expect_fail(NULL, 1, NULL, TWIN_E_INVAL, "roots NULL");
    expect_fail(with_null, 2, NULL, TWIN_E_INVAL, "a root NULL");
    expect_fail(ROOT_A, 0, NULL, TWIN_E_INVAL, "nroots 0");
}
END_TEST

START_TEST(test_impact_run_unknown_root_returns_notfound_naming_it)
{
    const char *roots[3] = {"a", "ghost-7", "b"};
    iresult r;
    build("a>b b>c");
    set_mode(_i);
    irun(q, ROOT_A, 1, NULL, 0, &r);
    ck_assert_uint_eq(r.n, 3);
    iresult_free(&r);
    expect_fail(roots, 3, NULL, TWIN_E_NOTFOUND, "unknown root");
    ck_assert_uint_eq(twin_impact_count(q), 0);
    ck_assert_msg(strstr(twin_impact_last_error(q)->message, "ghost-7") != NULL,
                  "message does not name the root: %s", twin_impact_last_error(q)->message);
}
END_TEST

START_TEST(test_impact_run_removed_root_returns_notfound)
{
    const char *roots[1] = {"b"};
    build("a>b b>c");
    ASSERT_OK(g, twin_graph_remove_twin(g, "b", TWIN_REMOVE_RELATIONSHIPS));
    set_mode(_i);
    expect_fail(roots, 1, NULL, TWIN_E_NOTFOUND, "removed root");
}
END_TEST

START_TEST(test_impact_run_bad_direction_returns_inval)
{
    static const int32_t bad[4] = {0, 4, -1, INT32_MAX};
    twin_impact_follow f[2] = {{"feeds", TWIN_DIRECTION_OUTGOING, 0},
                               {"partOf", TWIN_DIRECTION_INCOMING, 0}};
    twin_impact_options o;
    int k;
    build("a>b");
    set_mode(_i);
    for (k = 0; k < 4; k++) {
        o = impact_opts();
        o.direction = bad[k];
        expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "options direction");
        if (k == 0) continue; /* 0 in a follow entry means the options' */
        o = impact_opts();
        o.follow = f;
        o.nfollow = 2;
        f[1].direction = bad[k];
        expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "follow direction");
    }
    o = impact_opts();
    f[1].direction = TWIN_DIRECTION_INCOMING;
    f[1].name = NULL;
    o.follow = f;
    o.nfollow = 2;
    expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "follow name NULL");
}
END_TEST

START_TEST(test_impact_run_bad_rule_returns_inval)
{
    twin_impact_options o = impact_opts();
    build("a>b");
    set_mode(_i);
    o.rule = 0;
    expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "rule 0");
    o.rule = 4;
    expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "rule 4");
    o.rule = -1;
    expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "rule -1");
    o.rule = TWIN_IMPACT_CUSTOM;
    expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "CUSTOM without rule_fn");
}
END_TEST

START_TEST(test_impact_run_root_health_out_of_range_returns_inval)
{
    const double bad[5] = {-0.01, 1.01, NAN, INFINITY, -INFINITY};
    twin_impact_options o = impact_opts();
    int k;
    build("a>b");
    set_mode(_i);
    for (k = 0; k < 5; k++) {
        o.root_health = bad[k];
        expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "root_health");
    }
}
END_TEST

START_TEST(test_impact_run_attenuation_out_of_range_returns_inval)
{
    const double bad[4] = {-0.5, 1.5, NAN, INFINITY};
    twin_impact_options o = impact_opts();
    int k;
    build("a>b");
    set_mode(_i);
    o.rule = TWIN_IMPACT_ATTENUATE;
    for (k = 0; k < 4; k++) {
        o.attenuation = bad[k];
        expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "attenuation");
    }
}
END_TEST

/* "an option is invalid (... a health or attenuation outside [0, 1] ...)"
 * whatever the rule. */
START_TEST(test_impact_run_attenuation_out_of_range_other_rule_returns_inval)
{
    twin_impact_options o = impact_opts();
    build("a>b");
    set_mode(_i);
    o.attenuation = 2.0;
    expect_fail(ROOT_A, 1, &o, TWIN_E_INVAL, "attenuation with WEAKEST_LINK");
}
END_TEST

START_TEST(test_impact_run_options_size_too_large_returns_abi)
{
    struct {
        twin_impact_options o;
        char more[16];
    } big;
    memset(&big, 0, sizeof big);
    big.o = impact_opts();
    big.o.size = sizeof big.o + 8;
    build("a>b");
    set_mode(_i);
    expect_fail(ROOT_A, 1, &big.o, TWIN_E_ABI, "options size");
}
END_TEST

/* ---- get ------------------------------------------------------------------------ */

START_TEST(test_impact_get_index_past_count_returns_range)
{
    twin_impact_hit h;
    h.size = sizeof h;
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_E_RANGE);
    build("a>b b>c");
    set_mode(_i);
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, NULL, NULL, NULL), TWIN_OK);
    ck_assert_uint_eq(twin_impact_count(q), 3);
    ck_assert_int_eq(twin_impact_get(q, 2, &h), TWIN_OK);
    ck_assert_int_eq(twin_impact_get(q, 3, &h), TWIN_E_RANGE);
    ck_assert_int_eq(twin_impact_get(q, SIZE_MAX, &h), TWIN_E_RANGE);
}
END_TEST

START_TEST(test_impact_get_bad_argument_returns_inval)
{
    twin_impact_hit h;
    build("a>b");
    set_mode(_i);
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, NULL, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_get(q, 0, NULL), TWIN_E_INVAL);
    h.size = 4; /* below the smallest size-first struct */
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_E_INVAL);
    h.size = 0;
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_E_INVAL);
    h.size = sizeof h;
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_OK);
}
END_TEST

START_TEST(test_impact_get_after_structural_change_returns_modified)
{
    twin_impact_hit h;
    build("a>b");
    set_mode(_i);
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, NULL, NULL, NULL), TWIN_OK);
    ASSERT_OK(g, twin_graph_add_twin(g, "late", MACHINE, NULL, 0));
    h.size = sizeof h;
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_E_MODIFIED);
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, NULL, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_get(q, 1, &h), TWIN_OK);
    ck_assert_str_eq(h.twin_id, "b");
}
END_TEST

/* Pointers are "borrowed from the graph until its next mutating call", and
 * get() answers MODIFIED when "the graph changed since the run". */
START_TEST(test_impact_get_after_property_change_returns_modified)
{
    twin_impact_hit h;
    twin_value v = twin_value_int(3);
    build("a>b");
    set_mode(_i);
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, NULL, NULL, NULL), TWIN_OK);
    ASSERT_OK(g, twin_graph_set_property(g, "b", "load", &v));
    h.size = sizeof h;
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_E_MODIFIED);
}
END_TEST

/* ---- writes from callbacks ---------------------------------------------------------- */

typedef struct writer {
    int what;     /* 0: add a twin, 1: remove twin "c", 2: set a property of "a" */
    size_t calls; /* callback calls so far */
    size_t at;    /* write at this call (1-based) */
    int prune;    /* the filter prunes the twin of the writing call */
    int mode;
} writer;

static void do_write(writer *w)
{
    char id[32];
    twin_value v = twin_value_int(1);
    if (++w->calls != w->at) return;
    snprintf(id, sizeof id, "intruder-%d", w->mode);
    if (w->what == 0) ASSERT_OK(g, twin_graph_add_twin(g, id, MACHINE, NULL, 0));
    if (w->what == 1) ASSERT_OK(g, twin_graph_remove_twin(g, "c", TWIN_REMOVE_RELATIONSHIPS));
    if (w->what == 2) ASSERT_OK(g, twin_graph_set_property(g, "a", "touched", &v));
}

static int writing_visitor(void *ud, const twin_impact_hit *hit)
{
    (void)hit;
    do_write(ud);
    return 0;
}

static int writing_filter(void *ud, const twin_graph *gr, const char *id, const char *model,
                          uint32_t depth)
{
    (void)gr;
    (void)id;
    (void)model;
    (void)depth;
    do_write(ud);
    return !(((writer *)ud)->prune && ((writer *)ud)->calls == ((writer *)ud)->at);
}

/* Run from a over a>b>c>d, wide enough that the traversal goes on after the
 * write, with the write done by the visitor or by the filter. */
static void expect_modified(int what, int by_filter, int mode)
{
    writer w;
    twin_impact_options o = impact_opts();
    twin_impact_hit h;
    const twin_error *e;
    build("a>b b>c c>d a>e e>f b>g");
    set_mode(mode);
    memset(&w, 0, sizeof w);
    w.what = what;
    w.at = 2;
    w.mode = mode;
    if (by_filter) {
        o.filter = writing_filter;
        o.filter_ud = &w;
    }
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, &o, by_filter ? NULL : writing_visitor, &w),
                     TWIN_E_MODIFIED);
    ck_assert_uint_eq(w.calls >= w.at, 1);
    e = twin_impact_last_error(q);
    ck_assert_int_eq(e->status, TWIN_E_MODIFIED);
    ck_assert_str_ne(e->message, "");
    ck_assert_uint_ge(twin_impact_count(q), 1); /* the root was reached before */
    ck_assert_uint_le(twin_impact_count(q), 7);
    h.size = sizeof h;
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_E_MODIFIED);
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, NULL, NULL, NULL), TWIN_OK);
    ck_assert_uint_eq(twin_impact_count(q), what == 1 ? 5 : 7);
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_OK);
}

/* nfollow 0 means every name, whatever the follow pointer holds. */
START_TEST(test_impact_run_nfollow_zero_follows_every_name)
{
    twin_impact_follow only_none[1] = {{"no-such-name", TWIN_DIRECTION_OUTGOING, 0}};
    twin_impact_options o = impact_opts();
    build("a>b:partOf b>c");
    set_mode(_i);
    o.follow = only_none;
    o.nfollow = 0;
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, &o, NULL, NULL), TWIN_OK);
    ck_assert_uint_eq(twin_impact_count(q), 3);
    o.nfollow = 1;
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, &o, NULL, NULL), TWIN_OK);
    ck_assert_uint_eq(twin_impact_count(q), 1);
}
END_TEST

/* A health callback that removes the only relationship of its name: the
 * rule callback after it must not run on the changed graph (it would be
 * handed the released name). */
static int health_wrote;

static double removing_health(void *ud, const char *twin_id)
{
    (void)ud;
    (void)twin_id;
    if (!health_wrote) {
        health_wrote = 1;
        ck_assert_int_eq(twin_graph_remove_relationship(g, "a", "solo-b"), TWIN_OK);
    }
    return 0.5;
}

static double guarded_rule(void *ud, double parent, double own, const char *via_name,
                           uint32_t depth)
{
    (void)ud;
    (void)depth;
    ck_assert_msg(!health_wrote, "rule called after the graph changed (via '%s')", via_name);
    return parent < own ? parent : own;
}

START_TEST(test_impact_run_health_removing_relationship_returns_modified)
{
    twin_impact_options o = impact_opts();
    build("a>b:solo b>c");
    set_mode(_i);
    health_wrote = 0;
    o.rule = TWIN_IMPACT_CUSTOM;
    o.rule_fn = guarded_rule;
    o.health = removing_health;
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, &o, NULL, NULL), TWIN_E_MODIFIED);
    ck_assert_int_eq(health_wrote, 1);
    ck_assert_int_eq(twin_impact_last_error(q)->status, TWIN_E_MODIFIED);
}
END_TEST

START_TEST(test_impact_run_visitor_adding_twin_returns_modified)
{
    expect_modified(0, 0, _i);
}
END_TEST

START_TEST(test_impact_run_filter_adding_twin_returns_modified)
{
    expect_modified(0, 1, _i);
}
END_TEST

/* The write is the filter's last call, and it prunes the twin: nothing
 * after it would notice the change. */
START_TEST(test_impact_run_filter_writing_then_pruning_returns_modified)
{
    writer w;
    twin_impact_options o = impact_opts();
    twin_impact_hit h;
    build("a>b");
    set_mode(_i);
    memset(&w, 0, sizeof w);
    w.at = 1;
    w.prune = 1;
    w.mode = _i;
    o.filter = writing_filter;
    o.filter_ud = &w;
    ck_assert_int_eq(twin_impact_run(q, ROOT_A, 1, &o, NULL, NULL), TWIN_E_MODIFIED);
    ck_assert_uint_eq(w.calls, 1);
    ck_assert_int_eq(twin_impact_last_error(q)->status, TWIN_E_MODIFIED);
    h.size = sizeof h;
    ck_assert_int_eq(twin_impact_get(q, 0, &h), TWIN_E_MODIFIED);
}
END_TEST

START_TEST(test_impact_run_visitor_removing_unvisited_twin_returns_modified)
{
    expect_modified(1, 0, _i);
}
END_TEST

START_TEST(test_impact_run_visitor_setting_property_returns_modified)
{
    expect_modified(2, 0, _i);
}
END_TEST

static Suite *impact_errors_suite(void)
{
    Suite *s = suite_create("impact_errors");
    TCase *tc;

    tc = tcase_create("create");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_test(tc, test_impact_options_init_fills_defaults);
    tcase_add_test(tc, test_impact_options_init_null_or_short_size_returns_inval);
    tcase_add_test(tc, test_impact_options_init_larger_size_returns_abi);
    tcase_add_test(tc, test_impact_create_null_argument_returns_inval);
    tcase_add_test(tc, test_impact_create_incomplete_allocator_returns_inval);
    tcase_add_test(tc, test_impact_create_unknown_allocator_size_returns_abi);
    tcase_add_test(tc, test_impact_create_copies_allocator);
    tcase_add_test(tc, test_impact_null_context_accessors_are_safe);
    tcase_add_test(tc, test_impact_last_error_fresh_context_reports_ok);
    suite_add_tcase(s, tc);

    tc = tcase_create("run");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_loop_test(tc, test_impact_run_null_argument_returns_inval, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_unknown_root_returns_notfound_naming_it, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_removed_root_returns_notfound, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_bad_direction_returns_inval, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_bad_rule_returns_inval, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_root_health_out_of_range_returns_inval, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_attenuation_out_of_range_returns_inval, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_attenuation_out_of_range_other_rule_returns_inval,
                        0, 2);
    tcase_add_loop_test(tc, test_impact_run_options_size_too_large_returns_abi, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("get");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_loop_test(tc, test_impact_get_index_past_count_returns_range, 0, 2);
    tcase_add_loop_test(tc, test_impact_get_bad_argument_returns_inval, 0, 2);
    tcase_add_loop_test(tc, test_impact_get_after_structural_change_returns_modified, 0, 2);
    tcase_add_loop_test(tc, test_impact_get_after_property_change_returns_modified, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("modified");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_loop_test(tc, test_impact_run_visitor_adding_twin_returns_modified, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_filter_adding_twin_returns_modified, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_filter_writing_then_pruning_returns_modified, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_visitor_removing_unvisited_twin_returns_modified,
                        0, 2);
    tcase_add_loop_test(tc, test_impact_run_visitor_setting_property_returns_modified, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_health_removing_relationship_returns_modified, 0, 2);
    tcase_add_loop_test(tc, test_impact_run_nfollow_zero_follows_every_name, 0, 2);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return run_suite(impact_errors_suite());
}
