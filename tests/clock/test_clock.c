/* Clock models per source (issue 18): the estimate against simulated
 * clocks (bench/clock_sim.h), steps, declared clocks, tolerance, and bad
 * input (each failing call returns its status with a message and leaves
 * the state bit for bit as it was). */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/clock_sim.h"
#include "support/run.h"
#include "twin/twin.h"

#define T0 INT64_C(1751328000000000) /* 2025-07-01T00:00:00Z */
#define SEC INT64_C(1000000)

static twin_clock c;

static twin_clock_estimate estimate(const twin_clock *k)
{
    twin_clock_estimate e;
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    ck_assert_int_eq(twin_clock_get_estimate(k, &e, NULL), TWIN_OK);
    return e;
}

/* Feed samples k0..k1-1 of source s. */
static void feed(twin_clock *k, const sim_source *s, sim_rng *r, int k0, int k1, int64_t *last)
{
    for (int i = k0; i < k1; i++) {
        int64_t src, rcv;
        sim_pair(s, r, i, &src, &rcv);
        if (rcv < *last) rcv = *last;
        *last = rcv;
        ck_assert_int_eq(twin_clock_observe(k, src, rcv, NULL), TWIN_OK);
    }
}

static double offset_error(const twin_clock *k, const sim_source *s)
{
    twin_clock_estimate e = estimate(k);
    return (double)e.offset_us - sim_true_offset(s, e.t_us);
}

static void setup(void)
{
    ck_assert_int_eq(twin_clock_init(&c, NULL, NULL), TWIN_OK);
}

static void teardown(void)
{
}

/* ---- the estimate ---------------------------------------------------------- */

START_TEST(test_clock_observe_exact_pairs_give_offset_and_skew)
{
    /* no delay at all: source 1.5 s ahead, 50 ppm fast */
    sim_source s = {1.5e6, 50, 0, T0, 0, 0};
    for (int k = 0; k < 30; k++) {
        int64_t t = T0 + k * SEC;
        ck_assert_int_eq(twin_clock_observe(&c, (int64_t)llround(sim_source_time(&s, t)), t, NULL),
                         TWIN_OK);
    }
    {
        twin_clock_estimate e = estimate(&c);
        ck_assert(fabs((double)e.offset_us - sim_true_offset(&s, e.t_us)) <= 2);
        ck_assert(fabs(e.skew_ppm - 50) < 0.1);
        ck_assert_uint_eq(e.pairs, 30);
        ck_assert_uint_eq(e.points, 30);
        ck_assert_uint_eq(e.flags, 0);
    }
}
END_TEST

START_TEST(test_clock_observe_simulated_sources_within_1ms_after_60s)
{
    sim_rng r = {11};
    double worst = 0, sum = 0;
    int within = 0;
    for (int i = 0; i < 100; i++) {
        sim_source s;
        int64_t last = 0;
        double err;
        twin_clock k;
        twin_clock_estimate e;
        sim_source_random(&s, &r, T0);
        twin_clock_init(&k, NULL, NULL);
        feed(&k, &s, &r, 0, 61, &last);
        e = estimate(&k);
        err = fabs((double)e.offset_us - sim_true_offset(&s, e.t_us));
        within += err <= e.offset_uncertainty_us;
        sum += err;
        if (err > worst) worst = err;
        ck_assert(fabs(e.skew_ppm - s.skew_ppm) < 60);
    }
    ck_assert_msg(sum / 100 < 300, "mean error %.0f us", sum / 100);
    ck_assert_msg(worst < 2000, "worst error %.0f us", worst);
    ck_assert_msg(within >= 85, "%d of 100 within the uncertainty", within);
}
END_TEST

START_TEST(test_clock_observe_forward_step_recovers_within_10_samples)
{
    sim_rng r = {5};
    sim_source s;
    int64_t last = 0;
    sim_source_random(&s, &r, T0);
    s.step_at = T0 + 90 * SEC + SEC / 2;
    s.step_us = 700000;
    feed(&c, &s, &r, 0, 91, &last);
    ck_assert(fabs(offset_error(&c, &s)) < 1000);
    feed(&c, &s, &r, 91, 101, &last);
    {
        twin_clock_estimate e = estimate(&c);
        ck_assert_uint_eq(e.steps, 1);
        ck_assert(e.flags & TWIN_CLOCK_STEPPED);
    }
    ck_assert_msg(fabs(offset_error(&c, &s)) < 1000, "%.0f", offset_error(&c, &s));
    feed(&c, &s, &r, 101, 160, &last);
    ck_assert(fabs(offset_error(&c, &s)) < 1000);
}
END_TEST

START_TEST(test_clock_observe_backward_step_recovers_within_25_samples)
{
    sim_rng r = {6};
    sim_source s;
    int64_t last = 0;
    sim_source_random(&s, &r, T0);
    s.step_at = T0 + 90 * SEC + SEC / 2;
    s.step_us = -400000;
    feed(&c, &s, &r, 0, 91, &last);
    feed(&c, &s, &r, 91, 116, &last);
    ck_assert_uint_eq(estimate(&c).steps, 1);
    ck_assert_msg(fabs(offset_error(&c, &s)) < 1000, "%.0f", offset_error(&c, &s));
}
END_TEST

START_TEST(test_clock_observe_delay_burst_leaves_estimate)
{
    sim_source s = {-2e5, -20, 0, T0, 0, 0};
    twin_clock_estimate a, b;
    int64_t t;
    for (int k = 0; k < 40; k++) {
        t = T0 + k * SEC;
        twin_clock_observe(&c, (int64_t)llround(sim_source_time(&s, t)), t + 500, NULL);
    }
    a = estimate(&c);
    /* two samples 400 ms late (step_pairs is 3): the estimate stays */
    for (int k = 40; k < 42; k++) {
        t = T0 + k * SEC;
        twin_clock_observe(&c, (int64_t)llround(sim_source_time(&s, t)), t + 400000, NULL);
    }
    b = estimate(&c);
    ck_assert_uint_eq(b.steps, 0);
    ck_assert_msg(fabs((double)(b.offset_us - a.offset_us) - 2.4 * 20.0) <= 2, "%lld %lld %f", (long long)a.offset_us, (long long)b.offset_us, b.skew_ppm); /* drift to the latest receive time, 2.4 s on */
    ck_assert(b.skew_ppm == a.skew_ppm);
}
END_TEST

START_TEST(test_clock_to_host_corrects_source_times)
{
    sim_rng r = {8};
    sim_source s;
    int64_t last = 0, h;
    sim_source_random(&s, &r, T0);
    feed(&c, &s, &r, 0, 61, &last);
    for (int k = 61; k < 70; k++) {
        int64_t t = T0 + k * SEC;
        ck_assert_int_eq(twin_clock_to_host(&c, (int64_t)llround(sim_source_time(&s, t)), &h, NULL),
                         TWIN_OK);
        ck_assert_msg(llabs(h - t) < 1500, "%lld", (long long)(h - t));
    }
}
END_TEST

/* ---- declared clocks, tolerance -------------------------------------------- */

START_TEST(test_clock_known_offset_is_declared)
{
    twin_clock_options o;
    twin_clock_estimate e;
    int64_t h;
    twin_clock_options_init(&o);
    o.kind = TWIN_CLOCK_KNOWN_OFFSET;
    o.offset_us = -3 * SEC;
    o.tolerance_offset_us = 10000;
    ck_assert_int_eq(twin_clock_init(&c, &o, NULL), TWIN_OK);
    e = estimate(&c); /* no pairs needed */
    ck_assert_int_eq(e.offset_us, -3 * SEC);
    ck_assert_uint_eq(e.flags, TWIN_CLOCK_DECLARED);
    ck_assert_int_eq(twin_clock_to_host(&c, T0, &h, NULL), TWIN_OK);
    ck_assert_int_eq(h, T0 - 3 * SEC);
    /* pairs that say -2.9 s: out of tolerance, offset still the declared one */
    for (int k = 0; k < 10; k++)
        twin_clock_observe(&c, T0 + k * SEC + 2900000, T0 + k * SEC, NULL);
    e = estimate(&c);
    ck_assert_int_eq(e.offset_us, -3 * SEC);
    ck_assert(e.flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
}
END_TEST

START_TEST(test_clock_local_time_gives_zone_offset)
{
    twin_clock_options o;
    twin_clock_estimate e;
    twin_clock_options_init(&o);
    o.kind = TWIN_CLOCK_LOCAL_TIME;
    o.tolerance_offset_us = 5000;
    ck_assert_int_eq(twin_clock_init(&c, &o, NULL), TWIN_OK);
    /* stamps in UTC+2, 3 ms fast */
    for (int k = 0; k < 20; k++)
        twin_clock_observe(&c, T0 + k * SEC + 7200 * SEC + 3000, T0 + k * SEC, NULL);
    e = estimate(&c);
    ck_assert_int_eq(e.zone_offset_us, -7200 * SEC);
    ck_assert_int_eq(e.offset_us, -7200 * SEC - 3000);
    ck_assert(!(e.flags & TWIN_CLOCK_OUT_OF_TOLERANCE));
}
END_TEST

START_TEST(test_clock_tolerance_flags_offset_and_skew)
{
    twin_clock_options o;
    twin_clock k2;
    sim_source s = {-2e6, 80, 0, T0, 0, 0};
    twin_clock_options_init(&o);
    o.tolerance_offset_us = SEC;
    ck_assert_int_eq(twin_clock_init(&c, &o, NULL), TWIN_OK);
    twin_clock_options_init(&o);
    o.tolerance_skew_ppm = 50;
    ck_assert_int_eq(twin_clock_init(&k2, &o, NULL), TWIN_OK);
    for (int k = 0; k < 20; k++) {
        int64_t t = T0 + k * SEC, src = (int64_t)llround(sim_source_time(&s, t));
        twin_clock_observe(&c, src, t, NULL);
        twin_clock_observe(&k2, src, t, NULL);
    }
    ck_assert(estimate(&c).flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
    ck_assert(estimate(&k2).flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
    s.ahead_us = 1000;
    s.skew_ppm = 10;
    setup();
    for (int k = 0; k < 20; k++) {
        int64_t t = T0 + k * SEC;
        twin_clock_observe(&c, (int64_t)llround(sim_source_time(&s, t)), t, NULL);
    }
    ck_assert(!(estimate(&c).flags & TWIN_CLOCK_OUT_OF_TOLERANCE));
}
END_TEST

START_TEST(test_clock_get_estimate_older_size_writes_only_it)
{
    twin_clock_estimate e;
    size_t old = offsetof(twin_clock_estimate, skew_ppm);
    for (int k = 0; k < 5; k++) twin_clock_observe(&c, T0 + k * SEC, T0 + k * SEC + 10, NULL);
    memset(&e, 0xab, sizeof e);
    e.size = (uint32_t)old;
    ck_assert_int_eq(twin_clock_get_estimate(&c, &e, NULL), TWIN_OK);
    ck_assert_uint_eq(e.size, old);
    ck_assert_int_eq(e.offset_us, 10);
    ck_assert_uint_eq(((unsigned char *)&e)[old], 0xab);
    e.size = sizeof e + 8;
    ck_assert_int_eq(twin_clock_get_estimate(&c, &e, NULL), TWIN_E_ABI);
}
END_TEST

/* ---- bad input ---------------------------------------------------------------- */

#define EXPECT_FAIL(call, want)                                                   \
    do {                                                                          \
        twin_clock before_ = c;                                                   \
        twin_error e_ = {0, 0, ""};                                               \
        twin_status st_ = (call);                                                 \
        ck_assert_msg(st_ == (want), "%s: %d, want %d", #call, st_, (want));      \
        ck_assert_int_eq(e_.status, (want));                                      \
        ck_assert_msg(e_.message && e_.message[0], "%s: no message", #call);      \
        ck_assert_msg(memcmp(&c, &before_, sizeof c) == 0, "%s: state changed", #call); \
    } while (0)

START_TEST(test_clock_observe_bad_input_leaves_estimate)
{
    twin_clock_estimate a, b;
    for (int k = 0; k < 10; k++) twin_clock_observe(&c, T0 + k * SEC - 5000, T0 + k * SEC, NULL);
    a = estimate(&c);
    EXPECT_FAIL(twin_clock_observe(&c, T0 + 5 * SEC, T0 + 5 * SEC, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_clock_observe(&c, 0, T0 + 10 * SEC, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_clock_observe(&c, -1, T0 + 10 * SEC, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_clock_observe(&c, INT64_MIN, T0 + 10 * SEC, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_clock_observe(&c, T0, INT64_MAX, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_clock_observe(&c, INT64_C(1) << 53, T0 + 10 * SEC, &e_), TWIN_E_RANGE);
    /* further apart than a day */
    EXPECT_FAIL(twin_clock_observe(&c, T0 - 2 * 86400 * SEC, T0 + 10 * SEC, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_clock_observe(NULL, T0, T0, &e_), TWIN_E_INVAL);
    b = estimate(&c);
    ck_assert(memcmp(&a, &b, sizeof a) == 0);
}
END_TEST

START_TEST(test_clock_get_estimate_too_few_pairs_returns_notfound)
{
    twin_clock_estimate e;
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    EXPECT_FAIL(twin_clock_get_estimate(&c, &e, &e_), TWIN_E_NOTFOUND);
    for (int k = 0; k < 3; k++) twin_clock_observe(&c, T0 + k * SEC, T0 + k * SEC, NULL);
    EXPECT_FAIL(twin_clock_get_estimate(&c, &e, &e_), TWIN_E_NOTFOUND);
    {
        int64_t h = 7;
        EXPECT_FAIL(twin_clock_to_host(&c, T0, &h, &e_), TWIN_E_NOTFOUND);
        ck_assert_int_eq(h, 7);
    }
    ck_assert_uint_eq(e.pairs, 0);
    twin_clock_observe(&c, T0 + 3 * SEC, T0 + 3 * SEC, NULL);
    ck_assert_int_eq(twin_clock_get_estimate(&c, &e, NULL), TWIN_OK);
}
END_TEST

START_TEST(test_clock_init_bad_options_returns_inval)
{
    twin_clock_options o;
    twin_clock_observe(&c, T0, T0, NULL);
    twin_clock_options_init(&o);
    o.tolerance_offset_us = -1;
    EXPECT_FAIL(twin_clock_init(&c, &o, &e_), TWIN_E_INVAL);
    twin_clock_options_init(&o);
    o.tolerance_skew_ppm = -1;
    EXPECT_FAIL(twin_clock_init(&c, &o, &e_), TWIN_E_INVAL);
    o.tolerance_skew_ppm = NAN;
    EXPECT_FAIL(twin_clock_init(&c, &o, &e_), TWIN_E_INVAL);
    twin_clock_options_init(&o);
    o.kind = 9;
    EXPECT_FAIL(twin_clock_init(&c, &o, &e_), TWIN_E_INVAL);
    twin_clock_options_init(&o);
    o.window_us = 0;
    EXPECT_FAIL(twin_clock_init(&c, &o, &e_), TWIN_E_INVAL);
    twin_clock_options_init(&o);
    o.min_pairs = 0;
    EXPECT_FAIL(twin_clock_init(&c, &o, &e_), TWIN_E_INVAL);
    twin_clock_options_init(&o);
    o.size = sizeof o + 8;
    EXPECT_FAIL(twin_clock_init(&c, &o, &e_), TWIN_E_ABI);
    ck_assert_int_eq(twin_clock_options_init_(&o, sizeof o + 8), TWIN_E_ABI);
    ck_assert_int_eq(twin_clock_options_init_(&o, 4), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_clock_observe_other_layout_returns_abi)
{
    c.layout_ ^= 0xff;
    EXPECT_FAIL(twin_clock_observe(&c, T0, T0, &e_), TWIN_E_ABI);
    c.size = 0;
    EXPECT_FAIL(twin_clock_observe(&c, T0, T0, &e_), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_clock_options_older_size_takes_defaults)
{
    twin_clock_options o;
    twin_clock_estimate e;
    memset(&o, 0, sizeof o);
    o.size = offsetof(twin_clock_options, window_us);
    o.kind = TWIN_CLOCK_KNOWN_OFFSET;
    o.offset_us = 42;
    ck_assert_int_eq(twin_clock_init(&c, &o, NULL), TWIN_OK);
    e = estimate(&c);
    ck_assert_int_eq(e.offset_us, 42);
}
END_TEST

static Suite *clock_suite(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("estimate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_clock_observe_exact_pairs_give_offset_and_skew);
    tcase_add_test(tc, test_clock_observe_simulated_sources_within_1ms_after_60s);
    tcase_add_test(tc, test_clock_observe_forward_step_recovers_within_10_samples);
    tcase_add_test(tc, test_clock_observe_backward_step_recovers_within_25_samples);
    tcase_add_test(tc, test_clock_observe_delay_burst_leaves_estimate);
    tcase_add_test(tc, test_clock_to_host_corrects_source_times);
    suite_add_tcase(s, tc);
    tc = tcase_create("declared");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_clock_known_offset_is_declared);
    tcase_add_test(tc, test_clock_local_time_gives_zone_offset);
    tcase_add_test(tc, test_clock_tolerance_flags_offset_and_skew);
    tcase_add_test(tc, test_clock_get_estimate_older_size_writes_only_it);
    tcase_add_test(tc, test_clock_options_older_size_takes_defaults);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_clock_observe_bad_input_leaves_estimate);
    tcase_add_test(tc, test_clock_get_estimate_too_few_pairs_returns_notfound);
    tcase_add_test(tc, test_clock_init_bad_options_returns_inval);
    tcase_add_test(tc, test_clock_observe_other_layout_returns_abi);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(clock_suite());
}
