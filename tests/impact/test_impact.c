/* Unit tests of the impact module: known answers of traversals on small,
 * hand-built graphs (shapes, followed names and directions, limits, roots,
 * filter and visitor). Every query runs on the relationship lists and on
 * the optimized adjacency, with identical results, and is checked against
 * a breadth-first oracle: see impact/impact_fixture.h. */
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

/* ---- shapes ------------------------------------------------------------------ */

START_TEST(test_impact_run_chain_reports_each_hop_in_order)
{
    iresult r;
    build("a>b b>c c>d");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1 c:2 d:3");
    ck_assert_str_eq(r.h[3].twin, "d");
    ck_assert_uint_eq(r.h[3].parent_index, 2);
    ck_assert_str_eq(r.h[3].model, MACHINE);
    expect_via(&r, "d", "c", "c", "feeds-d", "feeds");
    expect_via(&r, "a", NULL, NULL, NULL, NULL);
    ck_assert_uint_eq(r.h[0].parent_index, UINT64_MAX);
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_isolated_root_reports_root_only)
{
    iresult r;
    build("a b>a");
    query("a", NULL, 0, &r);
    expect(&r, "a:0");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_tree_reports_every_descendant)
{
    iresult r;
    build("a>b a>c b>d b>e c>f f>g x>a");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1 c:1 d:2 e:2 f:2 g:3");
    expect_via(&r, "g", "f", "f", "feeds-g", "feeds");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_diamond_reports_join_once_at_shortest_distance)
{
    iresult r;
    const ihit *d;
    build("a>p p>q q>d a>b a>c b>d c>d d>e");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 p:1 b:1 c:1 q:2 d:2 e:3");
    d = ihit_find(&r, "d");
    ck_assert(strcmp(d->parent, "b") == 0 || strcmp(d->parent, "c") == 0);
    ck_assert_str_eq(d->via_source, d->parent);
    ck_assert_str_eq(d->via, "feeds-d");
    expect_via(&r, "e", "d", "d", "feeds-e", "feeds");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_shortcut_added_last_still_gives_shortest_distance)
{
    iresult r;
    build("a>b b>c c>d a>d:bypass");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1 d:1 c:2");
    expect_via(&r, "d", "a", "a", "bypass-d", "bypass");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_cycle_reports_each_twin_once)
{
    iresult r;
    build("a>b b>c c>a c>d");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1 c:2 d:3");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_self_relationship_adds_nothing)
{
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>a a>b b>b:loop");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1");
    iresult_free(&r);
    o.direction = TWIN_DIRECTION_BOTH;
    query("b", &o, 0, &r);
    expect(&r, "b:0 a:1");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_disconnected_part_not_reached)
{
    iresult r;
    build("a>b b>c x>y y>z z>x");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1 c:2");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_removed_relationship_not_followed)
{
    iresult r;
    build("a>b a>c c>d");
    ASSERT_OK(g, twin_graph_remove_relationship(g, "a", "feeds-c"));
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_removed_twin_not_reached)
{
    iresult r;
    build("a>b b>c a>d");
    ASSERT_OK(g, twin_graph_remove_twin(g, "b", TWIN_REMOVE_RELATIONSHIPS));
    ASSERT_OK(g, twin_graph_add_twin(g, "b2", MACHINE, NULL, 0)); /* may reuse b's slot */
    query("a", NULL, 0, &r);
    expect(&r, "a:0 d:1");
    iresult_free(&r);
}
END_TEST

/* ---- follow, directions ------------------------------------------------------- */

START_TEST(test_impact_run_unknown_follow_name_reports_roots_only)
{
    twin_impact_follow f[1] = {{"noSuchName", TWIN_DIRECTION_BOTH, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b c>a a>d:partOf");
    o.follow = f;
    o.nfollow = 1;
    query("a c", &o, 0, &r);
    expect(&r, "a:0 c:0");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_follow_names_each_in_own_direction)
{
    twin_impact_follow f[2] = {{"feeds", TWIN_DIRECTION_OUTGOING, 0},
                               {"partOf", TWIN_DIRECTION_INCOMING, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    /* b's parts (c, and e's part f) are reached; b's whole (d), a's feeder
       (u) and b's location (l) are not. */
    build("u>a a>b c>b:partOf e>b:partOf f>e:partOf b>d:partOf b>l:locatedIn c>z:partOf");
    o.follow = f;
    o.nfollow = 2;
    query("a", &o, 0, &r);
    expect(&r, "a:0 b:1 c:2 e:2 f:3");
    expect_via(&r, "c", "b", "c", "partOf-b", "partOf");
    expect_via(&r, "b", "a", "a", "feeds-b", "feeds");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_follow_direction_zero_uses_options_direction)
{
    twin_impact_follow f[1] = {{"feeds", 0, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b b>c c>d x>c:partOf");
    o.follow = f;
    o.nfollow = 1;
    o.direction = TWIN_DIRECTION_INCOMING;
    query("c", &o, 0, &r);
    expect(&r, "c:0 b:1 a:2");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_incoming_walks_upstream)
{
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b b>c d>c c>e e>f");
    o.direction = TWIN_DIRECTION_INCOMING;
    query("c", &o, 0, &r);
    expect(&r, "c:0 b:1 d:1 a:2");
    expect_via(&r, "b", "c", "b", "feeds-c", "feeds");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_both_walks_either_way)
{
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b c>b b>d e>c d>f:partOf x");
    o.direction = TWIN_DIRECTION_BOTH;
    query("b", &o, 0, &r);
    expect(&r, "b:0 a:1 c:1 d:1 e:2 f:2");
    expect_via(&r, "e", "c", "e", "feeds-c", "feeds");
    iresult_free(&r);
}
END_TEST

/* ---- limits, roots ------------------------------------------------------------ */

START_TEST(test_impact_run_max_depth_zero_reports_roots_only)
{
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b b>c d>a");
    o.max_depth = 0;
    query("a d", &o, 0, &r);
    expect(&r, "a:0 d:0");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_max_depth_limits_hops_to_prefix)
{
    twin_impact_options o = impact_opts();
    iresult all, r;
    build("a>b b>c c>d d>e a>x x>y y>z");
    query("a", NULL, 0, &all);
    o.max_depth = 2;
    query("a", &o, 0, &r);
    expect(&r, "a:0 b:1 x:1 c:2 y:2");
    expect_prefix(&r, &all, "max_depth", 2);
    iresult_free(&all);
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_max_results_truncates_to_bfs_prefix)
{
    twin_impact_options o = impact_opts();
    iresult all, r;
    build("a>b a>c b>d c>e d>f");
    query("a", NULL, 0, &all);
    ck_assert_uint_eq(all.n, 6);
    for (o.max_results = 1; o.max_results <= 7; o.max_results++) {
        query("a", &o, 0, &r);
        ck_assert_uint_eq(r.n, o.max_results < 6 ? o.max_results : 6);
        ck_assert_uint_eq(r.visits, r.n);
        expect_prefix(&r, &all, "max_results", o.max_results);
        iresult_free(&r);
    }
    iresult_free(&all);
}
END_TEST

START_TEST(test_impact_run_max_results_below_root_count_keeps_first_roots)
{
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>x b>y c>z");
    o.max_results = 2;
    query("c a b", &o, 0, &r);
    expect(&r, "c:0 a:0");
    ck_assert_str_eq(r.h[0].twin, "c");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_duplicate_roots_reported_once)
{
    iresult r;
    build("a>b b>c");
    query("b a b a b", NULL, 0, &r);
    expect(&r, "b:0 a:0 c:1");
    ck_assert_str_eq(r.h[0].twin, "b");
    ck_assert_str_eq(r.h[1].twin, "a");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_several_roots_first_in_given_order)
{
    iresult r;
    build("a>b b>c c>d x>y y>z");
    query("y c a", NULL, 0, &r);
    /* b is one hop from a; c (a root) is not reported again at two. */
    expect(&r, "y:0 c:0 a:0 z:1 d:1 b:1");
    ck_assert_str_eq(r.h[0].twin, "y");
    ck_assert_str_eq(r.h[1].twin, "c");
    ck_assert_str_eq(r.h[2].twin, "a");
    iresult_free(&r);
}
END_TEST

/* ---- filter, visitor ----------------------------------------------------------- */

static int not_bypassed(void *ud, const twin_graph *gr, const char *id, const char *model,
                        uint32_t depth)
{
    const twin_value *v;
    (void)ud;
    (void)model;
    (void)depth;
    return !(twin_graph_get_property(gr, id, "bypassed", &v) == TWIN_OK &&
             v->type == TWIN_VALUE_BOOL && v->as.b);
}

START_TEST(test_impact_run_filter_prunes_branch)
{
    twin_impact_options o = impact_opts();
    twin_value yes = twin_value_bool(1);
    iresult r;
    build("a>b b>c c>k a>d d>e e>f f>c");
    ASSERT_OK(g, twin_graph_set_property(g, "b", "bypassed", &yes));
    o.filter = not_bypassed;
    query("a", &o, 0, &r);
    /* c is behind b, but also reachable through d, e, f. */
    expect(&r, "a:0 d:1 e:2 f:3 c:4 k:5");
    expect_via(&r, "c", "f", "f", "feeds-c", "feeds");
    iresult_free(&r);
    ASSERT_OK(g, twin_graph_set_property(g, "f", "bypassed", &yes));
    query("a", &o, 0, &r);
    expect(&r, "a:0 d:1 e:2");
    iresult_free(&r);
}
END_TEST

typedef struct filter_log {
    char id[16][8];
    uint32_t depth[16];
    size_t n;
} filter_log;

static int log_filter(void *ud, const twin_graph *gr, const char *id, const char *model,
                      uint32_t depth)
{
    filter_log *l = ud;
    (void)gr;
    ck_assert_str_eq(model, MACHINE);
    if (l->n < 16) {
        snprintf(l->id[l->n], sizeof l->id[0], "%s", id);
        l->depth[l->n++] = depth;
    }
    return 1;
}

START_TEST(test_impact_run_filter_gets_depth_and_never_roots)
{
    twin_impact_options o = impact_opts();
    filter_log log;
    iresult r;
    size_t i;
    build("a>b b>c x>c c>a");
    memset(&log, 0, sizeof log);
    o.filter = log_filter;
    o.filter_ud = &log;
    query("a x", &o, 0, &r);
    expect(&r, "a:0 x:0 b:1 c:1");
    ck_assert_uint_gt(log.n, 0);
    for (i = 0; i < log.n; i++) {
        const ihit *h = ihit_find(&r, log.id[i]);
        ck_assert_msg(strcmp(log.id[i], "a") && strcmp(log.id[i], "x"),
                      "filter called for root %s", log.id[i]);
        ck_assert_ptr_nonnull(h);
        ck_assert_uint_eq(log.depth[i], h->depth);
    }
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_visitor_nonzero_stops_with_hits_so_far)
{
    iresult all, r;
    size_t stop;
    build("a>b a>c b>d c>e d>f");
    query("a", NULL, 0, &all);
    for (stop = 1; stop <= 6; stop++) {
        query("a", NULL, stop, &r);
        ck_assert_int_eq(r.st, TWIN_OK);
        ck_assert_uint_eq(r.visits, stop);
        ck_assert_uint_eq(r.n, stop);
        expect_prefix(&r, &all, "visitor stopping at", stop);
        iresult_free(&r);
    }
    iresult_free(&all);
}
END_TEST

typedef struct id_log {
    char id[8][8];
    uint64_t parent_index[8];
    size_t n;
} id_log;

static int log_visit(void *ud, const twin_impact_hit *hit)
{
    id_log *l = ud;
    ck_assert_uint_lt(l->n, 8);
    snprintf(l->id[l->n], sizeof l->id[0], "%s", hit->twin_id);
    l->parent_index[l->n++] = hit->parent_index;
    return 0;
}

START_TEST(test_impact_run_visitor_sees_each_hit_once_in_get_order)
{
    const char *roots[2] = {"a", "x"};
    twin_impact_hit h;
    id_log log;
    size_t i;
    int mode;
    build("a>b a>c b>d c>d x>c");
    for (mode = 0; mode < 2; mode++) {
        set_mode(mode);
        memset(&log, 0, sizeof log);
        ck_assert_int_eq(twin_impact_run(q, roots, 2, NULL, log_visit, &log), TWIN_OK);
        ck_assert_uint_eq(log.n, 5);
        ck_assert_uint_eq(twin_impact_count(q), 5);
        for (i = 0; i < log.n; i++) {
            h.size = sizeof h;
            ck_assert_int_eq(twin_impact_get(q, i, &h), TWIN_OK);
            ck_assert_str_eq(h.twin_id, log.id[i]);
            ck_assert_uint_eq(h.parent_index, log.parent_index[i]);
        }
    }
}
END_TEST

START_TEST(test_impact_run_null_visitor_keeps_results)
{
    const char *roots[1] = {"a"};
    iresult with;
    twin_impact_hit h;
    size_t i;
    int mode;
    build("a>b b>c a>c");
    for (mode = 0; mode < 2; mode++) {
        set_mode(mode);
        irun(q, roots, 1, NULL, 0, &with);
        ck_assert_int_eq(twin_impact_run(q, roots, 1, NULL, NULL, NULL), TWIN_OK);
        ck_assert_uint_eq(twin_impact_count(q), 3);
        for (i = 0; i < 3; i++) {
            h.size = sizeof h;
            ck_assert_int_eq(twin_impact_get(q, i, &h), TWIN_OK);
            ck_assert_str_eq(h.twin_id, with.h[i].twin);
            ck_assert_uint_eq(h.depth, with.h[i].depth);
        }
        iresult_free(&with);
    }
}
END_TEST

START_TEST(test_impact_run_results_replace_previous_run)
{
    iresult r;
    build("a>b b>c c>d x");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1 c:2 d:3");
    iresult_free(&r);
    query("x", NULL, 0, &r);
    expect(&r, "x:0");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_after_optimize_sees_structural_changes)
{
    const char *roots[1] = {"a"};
    iresult r;
    char why[800];
    build("a>b c>d");
    ASSERT_OK(g, twin_graph_optimize(g));
    irun(q, roots, 1, NULL, 0, &r);
    expect(&r, "a:0 b:1");
    iresult_free(&r);
    ASSERT_OK(g, twin_graph_add_relationship(g, "b", "feeds-c", "feeds", "c", NULL, 0));
    irun(q, roots, 1, NULL, 0, &r);
    expect(&r, "a:0 b:1 c:2 d:3");
    ck_assert_msg(ioracle_check(g, roots, 1, NULL, &r, 0, why, sizeof why), "%s", why);
    iresult_free(&r);
    ASSERT_OK(g, twin_graph_optimize(g));
    ASSERT_OK(g, twin_graph_remove_relationship(g, "c", "feeds-d"));
    irun(q, roots, 1, NULL, 0, &r);
    expect(&r, "a:0 b:1 c:2");
    iresult_free(&r);
    ASSERT_OK(g, twin_graph_optimize(g));
    ASSERT_OK(g, twin_graph_remove_twin(g, "b", TWIN_REMOVE_RELATIONSHIPS));
    ASSERT_OK(g, twin_graph_add_twin(g, "n", MACHINE, NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "feeds-n", "feeds", "n", NULL, 0));
    irun(q, roots, 1, NULL, 0, &r);
    expect(&r, "a:0 n:1");
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_graph_grown_since_last_run_reaches_new_twins)
{
    iresult r;
    char spec[64];
    int i;
    build("t0>t1");
    query("t0", NULL, 0, &r);
    expect(&r, "t0:0 t1:1");
    iresult_free(&r);
    for (i = 1; i < 500; i++) { /* past the first run's scratch space */
        snprintf(spec, sizeof spec, "t%d>t%d", i, i + 1);
        build(spec);
    }
    query("t250", NULL, 0, &r);
    ck_assert_uint_eq(r.n, 251);
    ck_assert_str_eq(r.h[250].twin, "t500");
    ck_assert_uint_eq(r.h[250].depth, 250);
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_model_change_after_optimize_is_reported)
{
    iresult r;
    build("a>b");
    ASSERT_OK(g, twin_graph_optimize(g));
    ASSERT_OK(g, twin_graph_set_model(g, "b", "dtmi:example:Robot;2"));
    query("a", NULL, 0, &r);
    ck_assert_str_eq(ihit_find(&r, "b")->model, "dtmi:example:Robot;2");
    iresult_free(&r);
}
END_TEST

static Suite *impact_suite(void)
{
    Suite *s = suite_create("impact");
    TCase *tc;

    tc = tcase_create("shapes");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_test(tc, test_impact_run_chain_reports_each_hop_in_order);
    tcase_add_test(tc, test_impact_run_isolated_root_reports_root_only);
    tcase_add_test(tc, test_impact_run_tree_reports_every_descendant);
    tcase_add_test(tc, test_impact_run_diamond_reports_join_once_at_shortest_distance);
    tcase_add_test(tc, test_impact_run_shortcut_added_last_still_gives_shortest_distance);
    tcase_add_test(tc, test_impact_run_cycle_reports_each_twin_once);
    tcase_add_test(tc, test_impact_run_self_relationship_adds_nothing);
    tcase_add_test(tc, test_impact_run_disconnected_part_not_reached);
    tcase_add_test(tc, test_impact_run_removed_relationship_not_followed);
    tcase_add_test(tc, test_impact_run_removed_twin_not_reached);
    tcase_add_test(tc, test_impact_run_after_optimize_sees_structural_changes);
    tcase_add_test(tc, test_impact_run_graph_grown_since_last_run_reaches_new_twins);
    tcase_add_test(tc, test_impact_run_model_change_after_optimize_is_reported);
    suite_add_tcase(s, tc);

    tc = tcase_create("follow");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_test(tc, test_impact_run_unknown_follow_name_reports_roots_only);
    tcase_add_test(tc, test_impact_run_follow_names_each_in_own_direction);
    tcase_add_test(tc, test_impact_run_follow_direction_zero_uses_options_direction);
    tcase_add_test(tc, test_impact_run_incoming_walks_upstream);
    tcase_add_test(tc, test_impact_run_both_walks_either_way);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_test(tc, test_impact_run_max_depth_zero_reports_roots_only);
    tcase_add_test(tc, test_impact_run_max_depth_limits_hops_to_prefix);
    tcase_add_test(tc, test_impact_run_max_results_truncates_to_bfs_prefix);
    tcase_add_test(tc, test_impact_run_max_results_below_root_count_keeps_first_roots);
    tcase_add_test(tc, test_impact_run_duplicate_roots_reported_once);
    tcase_add_test(tc, test_impact_run_several_roots_first_in_given_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("callbacks");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_test(tc, test_impact_run_filter_prunes_branch);
    tcase_add_test(tc, test_impact_run_filter_gets_depth_and_never_roots);
    tcase_add_test(tc, test_impact_run_visitor_nonzero_stops_with_hits_so_far);
    tcase_add_test(tc, test_impact_run_visitor_sees_each_hit_once_in_get_order);
    tcase_add_test(tc, test_impact_run_null_visitor_keeps_results);
    tcase_add_test(tc, test_impact_run_results_replace_previous_run);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return run_suite(impact_suite());
}
