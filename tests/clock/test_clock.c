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

/* ---- the portable byte form ------------------------------------------------- */

/* Encoded and decoded, a clock gives the same estimate, corrects alike and
 * goes on learning exactly as the original does, pair for pair. */
START_TEST(test_clock_encode_decode_round_trip_resumes_the_estimate)
{
    sim_rng r = {21}, r2;
    sim_source s;
    twin_clock d;
    twin_clock_options o;
    twin_clock_estimate a, b;
    unsigned char buf[TWIN_CLOCK_ENCODED_MAX];
    size_t len = 0;
    int64_t last = 0, last2, h1, h2;
    twin_clock_options_init(&o);
    o.tolerance_offset_us = 500000;
    o.kind = TWIN_CLOCK_ESTIMATED;
    ck_assert_int_eq(twin_clock_init(&c, &o, NULL), TWIN_OK);
    sim_source_random(&s, &r, T0);
    s.ahead_us = 1.5e6; /* out of tolerance */
    feed(&c, &s, &r, 0, 100, &last); /* more than TWIN_CLOCK_POINTS points: the ring wrapped */
    ck_assert_int_eq(twin_clock_encode(&c, buf, sizeof buf, &len, NULL), TWIN_OK);
    ck_assert_uint_eq(len, TWIN_CLOCK_ENCODED_MAX);
    memset(&d, 0xa5, sizeof d);
    ck_assert_int_eq(twin_clock_decode(&d, buf, len, NULL), TWIN_OK);
    a = estimate(&c);
    b = estimate(&d);
    ck_assert_int_eq(a.offset_us, b.offset_us);
    ck_assert(a.skew_ppm == b.skew_ppm && a.offset_uncertainty_us == b.offset_uncertainty_us);
    ck_assert_uint_eq(a.flags, b.flags);
    ck_assert(b.flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
    ck_assert_uint_eq(a.pairs, b.pairs);
    ck_assert_uint_eq(a.points, b.points);
    ck_assert_int_eq(twin_clock_to_host(&c, T0 + 200 * SEC, &h1, NULL), TWIN_OK);
    ck_assert_int_eq(twin_clock_to_host(&d, T0 + 200 * SEC, &h2, NULL), TWIN_OK);
    ck_assert_int_eq(h1, h2);
    /* the same next pairs into both */
    r2 = r;
    last2 = last;
    feed(&c, &s, &r, 100, 130, &last);
    feed(&d, &s, &r2, 100, 130, &last2);
    a = estimate(&c);
    b = estimate(&d);
    ck_assert_int_eq(a.offset_us, b.offset_us);
    ck_assert(a.skew_ppm == b.skew_ppm);
}
END_TEST

/* A fresh clock encodes to the fixed part alone; the encoded options
 * come back (a declared offset). */
START_TEST(test_clock_encode_fresh_declared_clock)
{
    twin_clock_options o;
    twin_clock d;
    unsigned char buf[TWIN_CLOCK_ENCODED_MAX];
    size_t len = 0;
    twin_clock_options_init(&o);
    o.kind = TWIN_CLOCK_KNOWN_OFFSET;
    o.offset_us = -3600 * SEC;
    ck_assert_int_eq(twin_clock_init(&c, &o, NULL), TWIN_OK);
    ck_assert_int_eq(twin_clock_encode(&c, buf, sizeof buf, &len, NULL), TWIN_OK);
    ck_assert_uint_eq(len, 212);
    ck_assert_int_eq(twin_clock_decode(&d, buf, len, NULL), TWIN_OK);
    ck_assert_int_eq(estimate(&d).offset_us, -3600 * SEC);
    ck_assert(estimate(&d).flags & TWIN_CLOCK_DECLARED);
}
END_TEST

/* Where an encoded clock holds its number of points (u32): after the
 * magic, version, kind, min_pairs and step_pairs. */
#define N_OFFSET 20

/* The limit of the decoder (clock.h, docs/limits.md): TWIN_CLOCK_POINTS
 * points, in TWIN_CLOCK_ENCODED_MAX bytes, decode and read back; a form
 * claiming one point more (with its 16 bytes) is refused with
 * TWIN_E_RANGE, and one byte more than its points with TWIN_E_PARSE, the
 * state unchanged. */
START_TEST(test_clock_decode_points_at_limit_and_past)
{
    sim_rng r = {8};
    sim_source s;
    twin_clock d, before;
    twin_error e;
    unsigned char buf[TWIN_CLOCK_ENCODED_MAX + 16];
    size_t len = 0;
    int64_t last = 0;
    sim_source_random(&s, &r, T0);
    feed(&c, &s, &r, 0, 200, &last);
    ck_assert_int_eq(twin_clock_encode(&c, buf, sizeof buf, &len, NULL), TWIN_OK);
    ck_assert_uint_eq(len, TWIN_CLOCK_ENCODED_MAX);
    ck_assert_uint_eq(buf[N_OFFSET], TWIN_CLOCK_POINTS);
    ck_assert_int_eq(twin_clock_decode(&d, buf, len, NULL), TWIN_OK);
    ck_assert_uint_eq(estimate(&d).points, TWIN_CLOCK_POINTS);
    ck_assert_int_eq(estimate(&d).offset_us, estimate(&c).offset_us);
    before = d;
    /* one point more: the last one again */
    memcpy(buf + len, buf + len - 16, 16);
    buf[N_OFFSET] = TWIN_CLOCK_POINTS + 1;
    memset(&e, 0, sizeof e);
    ck_assert_int_eq(twin_clock_decode(&d, buf, len + 16, &e), TWIN_E_RANGE);
    ck_assert_int_eq(e.status, TWIN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "more than TWIN_CLOCK_POINTS (64) points"));
    ck_assert(memcmp(&d, &before, sizeof d) == 0);
    /* the limit's points with a byte more */
    buf[N_OFFSET] = TWIN_CLOCK_POINTS;
    ck_assert_int_eq(twin_clock_decode(&d, buf, len + 1, &e), TWIN_E_PARSE);
    ck_assert(memcmp(&d, &before, sizeof d) == 0);
}
END_TEST

/* Bad input: a small buffer says the length, writes nothing; truncated,
 * corrupted or foreign bytes are refused with c unchanged; every single
 * byte flipped either decodes to a clock that works or is refused. */
START_TEST(test_clock_decode_bad_input_returns_parse)
{
    sim_rng r = {4};
    sim_source s;
    twin_clock d, before;
    twin_error e;
    unsigned char buf[TWIN_CLOCK_ENCODED_MAX], small[8];
    size_t len = 0, need = 0;
    int64_t last = 0;
    sim_source_random(&s, &r, T0);
    feed(&c, &s, &r, 0, 20, &last);
    memset(small, 0x5a, sizeof small);
    ck_assert_int_eq(twin_clock_encode(&c, small, sizeof small, &need, &e), TWIN_E_RANGE);
    ck_assert(need > sizeof small && e.message != NULL);
    ck_assert_uint_eq(small[0], 0x5a);
    ck_assert_int_eq(twin_clock_encode(&c, NULL, 0, &need, NULL), TWIN_E_RANGE);
    ck_assert_int_eq(twin_clock_encode(NULL, buf, sizeof buf, &len, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_clock_encode(&c, buf, sizeof buf, NULL, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_clock_encode(&c, buf, sizeof buf, &len, NULL), TWIN_OK);
    ck_assert_uint_eq(len, need);
    ck_assert_int_eq(twin_clock_init(&d, NULL, NULL), TWIN_OK);
    before = d;
    ck_assert_int_eq(twin_clock_decode(&d, buf, len - 1, &e), TWIN_E_PARSE);
    ck_assert(e.message != NULL);
    ck_assert_int_eq(twin_clock_decode(&d, buf, 10, NULL), TWIN_E_PARSE);
    ck_assert_int_eq(twin_clock_decode(&d, NULL, 0, NULL), TWIN_E_PARSE);
    ck_assert_int_eq(twin_clock_decode(NULL, buf, len, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_clock_decode(&d, NULL, len, NULL), TWIN_E_INVAL);
    buf[4] = 2; /* a later version */
    ck_assert_int_eq(twin_clock_decode(&d, buf, len, NULL), TWIN_E_PARSE);
    buf[4] = 1;
    ck_assert(memcmp(&d, &before, sizeof d) == 0);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            twin_clock x;
            twin_status st;
            buf[i] ^= (unsigned char)(1u << bit);
            st = twin_clock_decode(&x, buf, len, NULL);
            if (st == TWIN_OK) {
                twin_clock_estimate ee;
                int64_t h;
                memset(&ee, 0, sizeof ee);
                ee.size = sizeof ee;
                twin_clock_get_estimate(&x, &ee, NULL);
                twin_clock_to_host(&x, T0 + 30 * SEC, &h, NULL);
                twin_clock_observe(&x, T0 + 40 * SEC, T0 + 40 * SEC + 1000, NULL);
            } else if (((uint32_t)buf[N_OFFSET] | (uint32_t)buf[N_OFFSET + 1] << 8 |
                        (uint32_t)buf[N_OFFSET + 2] << 16 | (uint32_t)buf[N_OFFSET + 3] << 24) >
                       TWIN_CLOCK_POINTS) {
                ck_assert_int_eq(st, TWIN_E_RANGE); /* a count of points past the limit */
            } else {
                ck_assert_int_eq(st, TWIN_E_PARSE);
            }
            buf[i] ^= (unsigned char)(1u << bit);
        }
    }
    /* a clock of another layout */
    d.layout_ = 99;
    ck_assert_int_eq(twin_clock_encode(&d, buf, sizeof buf, &len, NULL), TWIN_E_ABI);
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
    tc = tcase_create("encode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_clock_encode_decode_round_trip_resumes_the_estimate);
    tcase_add_test(tc, test_clock_decode_points_at_limit_and_past);
    tcase_add_test(tc, test_clock_encode_fresh_declared_clock);
    tcase_add_test(tc, test_clock_decode_bad_input_returns_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(clock_suite());
}
