/* Allocation-failure tests of the impact module: twin_impact_create() and
 * twin_impact_run() with their n-th allocation failing, for n = 0, 1, ...
 * until no failure is reached; twin_graph_optimize() likewise. A call
 * returns TWIN_OK or TWIN_E_NOMEM, never crashes, leaks nothing, and
 * traversals afterwards give the right answer. Tests that traverse run
 * once per mode (loop index _i: 0 on the relationship lists, 1 after
 * twin_graph_optimize()); see impact/impact_fixture.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "impact/impact_fixture.h"
#include "support/failalloc.h"
#include "support/fixture.h"
#include "support/graphsnap.h"
#include "support/run.h"

#define MAX_N 100000u

START_TEST(test_impact_create_failing_allocation_returns_nomem)
{
    size_t n;
    for (n = 0;; n++) {
        failalloc ca;
        twin_impact *out = (twin_impact *)&fa;
        twin_status st;
        int hit;
        failalloc_init(&ca);
        failalloc_arm(&ca, n);
        st = twin_impact_create(&out, g, &ca.alloc);
        hit = failalloc_triggered(&ca);
        ck_assert_msg(st == TWIN_OK || (hit && st == TWIN_E_NOMEM), "allocation %zu: %d", n, st);
        if (st == TWIN_E_NOMEM) ck_assert_ptr_null(out);
        twin_impact_destroy(st == TWIN_OK ? out : NULL);
        ck_assert_msg(ca.live_blocks == 0, "allocation %zu failing: leaked %zu blocks", n,
                      ca.live_blocks);
        failalloc_fini(&ca);
        if (!hit) break;
        ck_assert_uint_lt(n, MAX_N);
    }
}
END_TEST

#define BIG 300

/* BIG twins n000..: a ring of feeds, a second feeds edge, a partOf tree and
 * some locatedIn; every twin is reachable from n000 both ways. */
static void build_big(void)
{
    char a[16], b[16], id[32];
    int i;
    for (i = 0; i < BIG; i++) {
        snprintf(a, sizeof a, "n%03d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, a, MACHINE, NULL, 0));
    }
    for (i = 0; i < BIG; i++) {
        int j = (i * 7 + 3) % BIG;
        snprintf(a, sizeof a, "n%03d", i);
        snprintf(b, sizeof b, "n%03d", (i + 1) % BIG);
        ASSERT_OK(g, twin_graph_add_relationship(g, a, "ring", "feeds", b, NULL, 0));
        snprintf(b, sizeof b, "n%03d", j);
        ASSERT_OK(g, twin_graph_add_relationship(g, a, "skip", "feeds", b, NULL, 0));
        if (i) {
            snprintf(b, sizeof b, "n%03d", (i - 1) / 4);
            ASSERT_OK(g, twin_graph_add_relationship(g, a, "up", "partOf", b, NULL, 0));
        }
        if (i % 10 == 0) {
            snprintf(b, sizeof b, "n%03d", (i * 13 + 5) % BIG);
            snprintf(id, sizeof id, "in-%d", i);
            ASSERT_OK(g, twin_graph_add_relationship(g, a, id, "locatedIn", b, NULL, 0));
        }
    }
}

static double digit_health(void *ud, const char *twin_id)
{
    (void)ud;
    return (atoi(twin_id + 1) % 5 == 0) ? 0.5 : 1.0;
}

static const char *const BIG_ROOTS[3] = {"n000", "n150", "n150"};
static const twin_impact_follow BIG_FOLLOW[2] = {{"partOf", TWIN_DIRECTION_INCOMING, 0},
                                                 {"feeds", TWIN_DIRECTION_BOTH, 0}};

/* Kind 0: BOTH, every name, ATTENUATE; kind 1: named directions. */
static twin_impact_options big_opts(int kind)
{
    twin_impact_options o = impact_opts();
    o.rule = TWIN_IMPACT_ATTENUATE;
    o.root_health = 0.1;
    o.health = digit_health;
    if (kind == 0) o.direction = TWIN_DIRECTION_BOTH;
    else {
        o.follow = BIG_FOLLOW;
        o.nfollow = 2;
    }
    return o;
}

static void big_expected(iresult want[2])
{
    twin_impact *ref;
    char why[800];
    int kind;
    ck_assert_int_eq(twin_impact_create(&ref, g, NULL), TWIN_OK);
    for (kind = 0; kind < 2; kind++) {
        twin_impact_options o = big_opts(kind);
        irun(ref, BIG_ROOTS, 3, &o, 0, &want[kind]);
        ck_assert_msg(ioracle_check(g, BIG_ROOTS, 3, &o, &want[kind], 0, why, sizeof why),
                      "%s", why);
        ck_assert_uint_eq(want[kind].n, BIG);
    }
    twin_impact_destroy(ref);
}

static void expect_same(const iresult *want, const iresult *got, const char *what, size_t n)
{
    char why[800];
    ck_assert_msg(iresult_equal(want, got, why, sizeof why), "%s, allocation %zu: %s", what, n,
                  why);
}

START_TEST(test_impact_run_failing_nth_allocation_returns_nomem_then_recovers)
{
    iresult want[2], got;
    twin_impact_options small = impact_opts();
    int kind, warm;
    size_t n, tested = 0;
    small.max_depth = 1;
    build_big();
    set_mode(_i);
    big_expected(want);
    for (kind = 0; kind < 2; kind++) {
        twin_impact_options o = big_opts(kind);
        for (warm = 0; warm < 2; warm++) {
            for (n = 0;; n++) {
                failalloc ca;
                twin_impact *c;
                int hit;
                failalloc_init(&ca);
                ck_assert_int_eq(twin_impact_create(&c, g, &ca.alloc), TWIN_OK);
                if (warm) { /* a small query first: scratch space must grow later */
                    ck_assert_int_eq(twin_impact_run(c, BIG_ROOTS + 1, 1, &small, NULL, NULL),
                                     TWIN_OK);
                    ck_assert_uint_lt(twin_impact_count(c), 10);
                }
                failalloc_arm(&ca, n);
                irun(c, BIG_ROOTS, 3, &o, 0, &got);
                hit = failalloc_triggered(&ca);
                failalloc_disarm(&ca);
                ck_assert_msg(got.st == TWIN_OK || (hit && got.st == TWIN_E_NOMEM),
                              "allocation %zu failing: %d", n, got.st);
                if (got.st == TWIN_E_NOMEM) {
                    ck_assert_int_eq(twin_impact_last_error(c)->status, TWIN_E_NOMEM);
                    ck_assert_str_ne(twin_impact_last_error(c)->message, "");
                    iresult_free(&got);
                    irun(c, BIG_ROOTS, 3, &o, 0, &got);
                }
                expect_same(&want[kind], &got, "result after the failure", n);
                iresult_free(&got);
                twin_impact_destroy(c);
                ck_assert_msg(ca.live_blocks == 0 && ca.live_bytes == 0,
                              "allocation %zu failing: leaked %zu bytes", n, ca.live_bytes);
                failalloc_fini(&ca);
                tested += hit;
                if (!hit) break;
                ck_assert_uint_lt(n, MAX_N);
            }
        }
    }
    ck_assert_msg(tested > 0, "traversals never allocated: nothing was tested");
    iresult_free(&want[0]);
    iresult_free(&want[1]);
}
END_TEST

START_TEST(test_impact_run_warm_query_allocates_nothing)
{
    twin_impact_options o[2];
    size_t calls;
    int kind;
    build_big();
    set_mode(_i);
    for (kind = 0; kind < 2; kind++) {
        o[kind] = big_opts(kind);
        ck_assert_int_eq(twin_impact_run(q, BIG_ROOTS, 3, &o[kind], NULL, NULL), TWIN_OK);
        ck_assert_uint_eq(twin_impact_count(q), BIG);
    }
    calls = fa.calls;
    for (kind = 0; kind < 2; kind++)
        ck_assert_int_eq(twin_impact_run(q, BIG_ROOTS, 3, &o[kind], NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_run(q, BIG_ROOTS + 1, 1, NULL, NULL, NULL), TWIN_OK);
    ck_assert_uint_eq(twin_impact_count(q), BIG);
    ck_assert_msg(fa.calls == calls, "a warm query made %zu allocations", fa.calls - calls);
}
END_TEST

START_TEST(test_graph_optimize_failing_nth_allocation_keeps_traversals_correct)
{
    iresult want[2], got;
    twin_impact *c;
    size_t n, tested = 0;
    int kind;
    build_big();
    big_expected(want);
    ck_assert_int_eq(twin_impact_create(&c, g, NULL), TWIN_OK);
    for (n = 0;; n++) {
        snap before;
        twin_status st;
        int hit, round;
        set_mode(0);
        snap_take(&before, g);
        failalloc_arm(&fa, n);
        st = twin_graph_optimize(g);
        hit = failalloc_triggered(&fa);
        failalloc_disarm(&fa);
        ck_assert_msg(st == TWIN_OK || (hit && st == TWIN_E_NOMEM), "allocation %zu: %d", n,
                      st);
        if (st == TWIN_E_NOMEM) {
            snap now;
            char why[512];
            ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_NOMEM);
            ck_assert_str_ne(twin_graph_last_error(g)->message, "");
            snap_take(&now, g);
            ck_assert_msg(snap_equal(&before, &now, why, sizeof why),
                          "graph changed by a failed optimize: %s", why);
            snap_free(&now);
        }
        snap_free(&before);
        for (round = 0; round < 2; round++) { /* as left, then optimized again */
            for (kind = 0; kind < 2; kind++) {
                twin_impact_options o = big_opts(kind);
                irun(c, BIG_ROOTS, 3, &o, 0, &got);
                expect_same(&want[kind], &got, round ? "after a second optimize"
                                                     : "after optimize", n);
                iresult_free(&got);
            }
            ASSERT_OK(g, twin_graph_optimize(g));
        }
        tested += hit;
        if (!hit) break;
        ck_assert_uint_lt(n, MAX_N);
    }
    ck_assert_msg(tested > 0, "twin_graph_optimize never allocated: nothing was tested");
    twin_impact_destroy(c);
    iresult_free(&want[0]);
    iresult_free(&want[1]);
}
END_TEST

START_TEST(test_graph_optimize_null_returns_inval_current_returns_ok)
{
    ck_assert_int_eq(twin_graph_optimize(NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_optimize(g), TWIN_OK); /* empty graph */
    build("a>b");
    ck_assert_int_eq(twin_graph_optimize(g), TWIN_OK);
    ck_assert_int_eq(twin_graph_optimize(g), TWIN_OK); /* already current */
}
END_TEST

static Suite *impact_oom_suite(void)
{
    Suite *s = suite_create("impact_oom");
    TCase *tc;

    tc = tcase_create("impact");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_impact_create_failing_allocation_returns_nomem);
    tcase_add_loop_test(tc, test_impact_run_failing_nth_allocation_returns_nomem_then_recovers,
                        0, 2);
    tcase_add_loop_test(tc, test_impact_run_warm_query_allocates_nothing, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("optimize");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_graph_optimize_failing_nth_allocation_keeps_traversals_correct);
    tcase_add_test(tc, test_graph_optimize_null_returns_inval_current_returns_ok);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(impact_oom_suite());
}
