/* Unit tests of the impact module: score propagation (weakest link,
 * attenuation, custom rules, health callbacks) and the product's example.
 * Every query runs on the relationship lists and on the optimized
 * adjacency, with identical results, and is checked against a
 * breadth-first oracle: see impact/impact_fixture.h. */
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

/* ---- scores ------------------------------------------------------------------- */

START_TEST(test_impact_run_default_options_score_everything_zero)
{
    twin_impact_options o = impact_opts();
    iresult r;
    size_t i;
    ck_assert_int_eq(o.rule, TWIN_IMPACT_WEAKEST_LINK);
    ck_assert(o.root_health == 0.0);
    build("a>b b>c");
    query("a", NULL, 0, &r);
    expect(&r, "a:0 b:1 c:2");
    for (i = 0; i < r.n; i++) ck_assert(r.h[i].score == 0.0);
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_weakest_link_takes_minimum_along_path)
{
    health_entry t[] = {{"b", 0.7}, {"c", 0.9}, {"d", 0.4}, {"x", 0.1}, {NULL, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b b>c c>d d>e x>a");
    o.root_health = 1.0;
    o.health = table_health;
    o.health_ud = t;
    query("a", &o, 0, &r);
    expect_score(&r, "a", 1.0);
    expect_score(&r, "b", 0.7);
    expect_score(&r, "c", 0.7);
    expect_score(&r, "d", 0.4);
    expect_score(&r, "e", 0.4);
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_root_scores_root_health_not_own_health)
{
    health_entry t[] = {{"a", 0.1}, {NULL, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b");
    o.root_health = 0.8;
    o.health = table_health;
    o.health_ud = t;
    query("a", &o, 0, &r);
    expect_score(&r, "a", 0.8);
    expect_score(&r, "b", 0.8);
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_attenuate_passes_fraction_of_loss)
{
    health_entry t[] = {{"y", 0.5}, {NULL, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b b>c c>d a>x x>y y>z");
    o.rule = TWIN_IMPACT_ATTENUATE;
    o.root_health = 0.2;
    o.attenuation = 0.5;
    o.health = table_health;
    o.health_ud = t;
    query("a", &o, 0, &r);
    expect_score(&r, "a", 0.2);
    expect_score(&r, "b", 0.6);
    expect_score(&r, "c", 0.8);
    expect_score(&r, "d", 0.9);
    expect_score(&r, "x", 0.6);
    expect_score(&r, "y", 0.5);  /* min(own 0.5, 0.8) */
    expect_score(&r, "z", 0.75); /* 1 - 0.5 * (1 - 0.5) */
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_attenuate_bounds_zero_and_one)
{
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b b>c");
    o.rule = TWIN_IMPACT_ATTENUATE;
    o.root_health = 0.2;
    o.attenuation = 1.0;
    query("a", &o, 0, &r);
    expect_score(&r, "b", 0.2);
    expect_score(&r, "c", 0.2);
    iresult_free(&r);
    o.attenuation = 0.0;
    query("a", &o, 0, &r);
    expect_score(&r, "a", 0.2);
    expect_score(&r, "b", 1.0);
    expect_score(&r, "c", 1.0);
    iresult_free(&r);
}
END_TEST

START_TEST(test_impact_run_health_nan_or_out_of_range_counts_as_one)
{
    health_entry t[] = {{"b", NAN}, {"c", 7.0}, {"d", -0.5}, {"e", 0.25}, {"f", INFINITY},
                        {NULL, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    build("a>b b>c c>d d>e a>f");
    o.root_health = 1.0;
    o.health = table_health;
    o.health_ud = t;
    query("a", &o, 0, &r);
    expect_score(&r, "b", 1.0);
    expect_score(&r, "c", 1.0);
    expect_score(&r, "d", 1.0);
    expect_score(&r, "e", 0.25);
    expect_score(&r, "f", 1.0);
    iresult_free(&r);
}
END_TEST

typedef struct rule_log {
    double answer; /* NAN: answer parent_score - 0.125 */
    size_t n;
    struct {
        double parent, own;
        char via[16];
        uint32_t depth;
    } call[64];
} rule_log;

static double log_rule(void *ud, double parent, double own, const char *via_name,
                       uint32_t depth)
{
    rule_log *l = ud;
    if (l->n < 64) {
        l->call[l->n].parent = parent;
        l->call[l->n].own = own;
        snprintf(l->call[l->n].via, sizeof l->call[0].via, "%s", via_name);
        l->call[l->n++].depth = depth;
    }
    return isnan(l->answer) ? parent - 0.125 : l->answer;
}

START_TEST(test_impact_run_custom_rule_gets_parent_own_via_depth)
{
    health_entry t[] = {{"b", 0.5}, {"c", 7.0}, {NULL, 0}};
    twin_impact_options o = impact_opts();
    rule_log log;
    iresult r;
    const char *roots[1] = {"a"};
    size_t i;
    int mode;
    build("a>b b>c:partOf c>d");
    memset(&log, 0, sizeof log);
    log.answer = NAN;
    o.rule = TWIN_IMPACT_CUSTOM;
    o.rule_fn = log_rule;
    o.rule_ud = &log;
    o.root_health = 0.5;
    o.health = table_health;
    o.health_ud = t;
    for (mode = 0; mode < 2; mode++) {
        set_mode(mode);
        log.n = 0;
        irun(q, roots, 1, &o, 0, &r);
        expect(&r, "a:0 b:1 c:2 d:3");
        expect_score(&r, "b", 0.375);
        expect_score(&r, "c", 0.25);
        expect_score(&r, "d", 0.125);
        ck_assert_uint_eq(log.n, 3);
        for (i = 0; i < log.n; i++) {
            const ihit *h = &r.h[i + 1];
            ck_assert_uint_eq(log.call[i].depth, h->depth);
            ck_assert(log.call[i].parent == r.h[h->parent_index].score);
            ck_assert_str_eq(log.call[i].via, h->via_name);
            ck_assert(log.call[i].own == table_health(t, h->twin) ||
                      (log.call[i].own == 1.0 && strcmp(h->twin, "c") == 0));
        }
        iresult_free(&r);
    }
}
END_TEST

static double nan_rule(void *ud, double parent, double own, const char *via_name,
                       uint32_t depth)
{
    (void)ud;
    (void)parent;
    (void)own;
    (void)via_name;
    (void)depth;
    return NAN;
}

START_TEST(test_impact_run_custom_rule_result_clamped)
{
    twin_impact_options o = impact_opts();
    rule_log log;
    iresult r;
    build("a>b b>c");
    memset(&log, 0, sizeof log);
    o.rule = TWIN_IMPACT_CUSTOM;
    o.rule_fn = log_rule;
    o.rule_ud = &log;
    log.answer = 5.0;
    query("a", &o, 0, &r);
    expect_score(&r, "b", 1.0);
    expect_score(&r, "c", 1.0);
    iresult_free(&r);
    log.answer = -3.0;
    query("a", &o, 0, &r);
    expect_score(&r, "b", 0.0);
    iresult_free(&r);
    log.answer = NAN; /* parent - 0.125: 0 - 0.125 clamps to 0 */
    query("a", &o, 0, &r);
    expect_score(&r, "b", 0.0);
    iresult_free(&r);
    o.rule_fn = nan_rule; /* no number: still a score in [0, 1] */
    query("a", &o, 0, &r);
    ck_assert(r.h[1].score >= 0.0 && r.h[1].score <= 1.0);
    ck_assert(r.h[2].score >= 0.0 && r.h[2].score <= 1.0);
    iresult_free(&r);
}
END_TEST

/* ---- the product's example ------------------------------------------------------- */

/* Modelling: a part points at its whole (motor-C partOf conveyor-C, which
 * is partOf station-4, the cell it runs through; the clamp fixture is also
 * partOf station-4); equipment points at the place it is in (welding-robot
 * locatedIn station-4); material flow points downstream (feeds). A degraded
 * motor harms its wholes (partOf outgoing), what they feed (feeds outgoing)
 * and what is located in them (locatedIn incoming); not the other parts of
 * a whole, nor anything upstream. */
START_TEST(test_impact_run_degraded_motor_reaches_line_not_upstream)
{
    twin_impact_follow f[3] = {{"partOf", TWIN_DIRECTION_OUTGOING, 0},
                               {"feeds", TWIN_DIRECTION_OUTGOING, 0},
                               {"locatedIn", TWIN_DIRECTION_INCOMING, 0}};
    twin_impact_options o = impact_opts();
    iresult r;
    build("motor-C>conveyor-C:partOf conveyor-C>station-4:partOf "
          "welding-robot>station-4:locatedIn clamp-fixture>station-4:partOf "
          "conveyor-C>inspection-zone-2 inspection-zone-2>packing "
          "supplier-line>conveyor-B conveyor-B>conveyor-C motor-B>conveyor-B:partOf "
          "conveyor-B>station-3:partOf robot-3>station-3:locatedIn");
    o.follow = f;
    o.nfollow = 3;
    o.rule = TWIN_IMPACT_ATTENUATE;
    o.root_health = 0.2;
    o.attenuation = 0.5;
    query("motor-C", &o, 0, &r);
    expect(&r, "motor-C:0 conveyor-C:1 station-4:2 inspection-zone-2:2 welding-robot:3 "
               "packing:3");
    expect_via(&r, "conveyor-C", "motor-C", "motor-C", "partOf-conveyor-C", "partOf");
    expect_via(&r, "welding-robot", "station-4", "welding-robot", "locatedIn-station-4",
               "locatedIn");
    expect_via(&r, "packing", "inspection-zone-2", "inspection-zone-2", "feeds-packing",
               "feeds");
    expect_score(&r, "conveyor-C", 0.6);
    expect_score(&r, "station-4", 0.8);
    expect_score(&r, "welding-robot", 0.9);
    expect_score(&r, "packing", 0.9);
    iresult_free(&r);
}
END_TEST


static Suite *impact_scores_suite(void)
{
    Suite *s = suite_create("impact_scores");
    TCase *tc;

    tc = tcase_create("scores");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_test(tc, test_impact_run_default_options_score_everything_zero);
    tcase_add_test(tc, test_impact_run_weakest_link_takes_minimum_along_path);
    tcase_add_test(tc, test_impact_run_root_scores_root_health_not_own_health);
    tcase_add_test(tc, test_impact_run_attenuate_passes_fraction_of_loss);
    tcase_add_test(tc, test_impact_run_attenuate_bounds_zero_and_one);
    tcase_add_test(tc, test_impact_run_health_nan_or_out_of_range_counts_as_one);
    tcase_add_test(tc, test_impact_run_custom_rule_gets_parent_own_via_depth);
    tcase_add_test(tc, test_impact_run_custom_rule_result_clamped);
    suite_add_tcase(s, tc);

    tc = tcase_create("example");
    tcase_add_checked_fixture(tc, impact_setup, impact_teardown);
    tcase_add_test(tc, test_impact_run_degraded_motor_reaches_line_not_upstream);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(impact_scores_suite());
}
