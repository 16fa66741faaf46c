/* Unit tests of divergence detection (threshold, count, hysteresis), the
 * running error statistics, and recalibration (EMA, Kalman) after a step
 * change of the degradation rate. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/health_util.h"
#include "support/run.h"
#include "twin/twin.h"

/* A linear model that (almost) does not learn: level 1, slope 0, a prior
 * far tighter than the noise, so every prediction is 1 and a sample v has
 * relative error v - 1. */
static void flat_options(twin_health_options *o)
{
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_LINEAR;
    o->prior_mean[0] = 1.0;
    o->prior_cov[0] = 1e-20;
    o->prior_cov[3] = 1e-30;
    o->noise = 1e6;
    o->failure_level = 2.0;
}

/* Feed errors[i] (as v = 1 + errors[i]) and return the event flags. */
static void feed(twin_health *h, const twin_health_options *o, const double *errors, int n,
                 uint32_t *flags, int32_t *diverged)
{
    for (int i = 0; i < n; i++) {
        twin_health_event ev = event_new();
        ck_assert_int_eq(twin_health_update(h, o, us_of_s(i + 1.0), 1.0 + errors[i], &ev, NULL),
                         TWIN_OK);
        ck_assert(fabs(ev.predicted - 1.0) < 1e-9);
        ck_assert(fabs(ev.error - errors[i]) < 1e-9);
        flags[i] = ev.flags;
        diverged[i] = ev.diverged;
    }
}

START_TEST(test_health_divergence_needs_count_in_a_row_and_clears_with_hysteresis)
{
    /* threshold 0.2, clear 0.1, count 3 */
    static const double e[] = {0.1, 0.25, -0.3, 0.05, /* two above, then reset */
                               0.25, 0.3, -0.25,      /* three in a row: diverged at [6] */
                               0.15, 0.19, 0.12,      /* between clear and threshold: stays */
                               0.25, 0.11,            /* still diverged */
                               -0.1,                  /* at the clear level: cleared at [12] */
                               0.15, 0.25, 0.25, 0.0, 0.3};
    enum { N = sizeof e / sizeof e[0] };
    twin_health_options o;
    twin_health h;
    uint32_t flags[N];
    int32_t div[N];
    twin_health_stats st;
    flat_options(&o);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    feed(&h, &o, e, N, flags, div);
    for (int i = 0; i < N; i++) {
        uint32_t want = i == 6 ? TWIN_HEALTH_EVENT_DIVERGED
                        : i == 12 ? TWIN_HEALTH_EVENT_CLEARED : 0;
        ck_assert_msg(flags[i] == want, "sample %d: flags %u, want %u", i, flags[i], want);
        ck_assert_int_eq(div[i], i >= 6 && i < 12);
    }
    st.size = sizeof st;
    ck_assert_int_eq(twin_health_get_stats(&h, &st, NULL), TWIN_OK);
    ck_assert_int_eq(st.diverged, 0);
    ck_assert_uint_eq(st.recalibrations, 0); /* RECAL_NONE */
}
END_TEST

START_TEST(test_health_divergence_noise_around_threshold_does_not_flap)
{
    /* errors alternating just below and above the threshold never raise a
       divergence with count 2; once raised (three above in a row), the same
       noise never clears it */
    enum { N = 400 };
    double e[N];
    uint32_t flags[N];
    int32_t div[N];
    int raised = 0, cleared = 0;
    twin_health_options o;
    twin_health h;
    prng r = {5};
    flat_options(&o);
    o.divergence_count = 2;
    for (int i = 0; i < N; i++) {
        double jitter = 0.015 * prng_uniform(&r);
        e[i] = (i % 2 ? 0.2 + jitter + 0.001 : 0.2 - jitter);
        if (i >= 200 && i < 203) e[i] = 0.3;
    }
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    feed(&h, &o, e, N, flags, div);
    for (int i = 0; i < N; i++) {
        raised += (flags[i] & TWIN_HEALTH_EVENT_DIVERGED) != 0;
        cleared += (flags[i] & TWIN_HEALTH_EVENT_CLEARED) != 0;
        ck_assert_int_eq(div[i], i >= 200); /* [199] above, [200] above: raised */
    }
    ck_assert_int_eq(raised, 1);
    ck_assert_int_eq(cleared, 0);
}
END_TEST

START_TEST(test_health_stats_track_error_mean_and_variance)
{
    enum { N = 1000 };
    double e[N], mean = 0, var = 0;
    uint32_t flags[N];
    int32_t div[N];
    twin_health_options o;
    twin_health h;
    twin_health_stats st;
    prng r = {77};
    flat_options(&o);
    for (int i = 0; i < N; i++) e[i] = 0.03 + 0.05 * prng_normal(&r);
    for (int i = 0; i < N; i++) mean += e[i] / N;
    for (int i = 0; i < N; i++) var += (e[i] - mean) * (e[i] - mean) / (N - 1);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    st.size = sizeof st;
    ck_assert_int_eq(twin_health_get_stats(&h, &st, NULL), TWIN_OK);
    ck_assert(st.samples == 0 && st.error_mean == 0 && st.error_var == 0);
    feed(&h, &o, e, N, flags, div);
    ck_assert_int_eq(twin_health_get_stats(&h, &st, NULL), TWIN_OK);
    ck_assert_uint_eq(st.samples, N);
    ck_assert(fabs(st.error_mean - mean) < 1e-8);
    ck_assert(fabs(st.error_var - var) < 1e-8 * var);
    ck_assert(st.last_us == us_of_s(N));
}
END_TEST

/* ---- recalibration after a step change ------------------------------------------------ */

/* v = 1 + 0.01 t until t = 500 s, then the rate jumps to 0.05 per second;
 * 1% noise. Returns the mean absolute relative error over t in (600, 1000]
 * and the number of recalibrations. */
static double step_change(int32_t recal, uint64_t *recals, double *last_err)
{
    twin_health_options o;
    twin_health h;
    twin_health_stats st;
    double sum = 0;
    int n = 0;
    prng r = {2024};
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_LINEAR;
    o.phi = 1.0;
    o.prior_mean[1] = 0.01;
    o.prior_cov[0] = 1e-2;
    o.prior_cov[3] = 1e-6;
    o.noise = 1e-4;
    o.failure_level = 100;
    o.recalibration = recal;
    o.ema_alpha = 0.5;
    o.recal_noise[0] = 1e-2;
    o.recal_noise[1] = 1e-4;
    /* recalibrate until the error is within 3% (1% noise) */
    o.divergence_threshold = 0.06;
    o.divergence_clear = 0.03;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    for (int i = 1; i <= 1000; i++) {
        double t = i, v = (t <= 500 ? 1 + 0.01 * t : 6 + 0.05 * (t - 500));
        twin_health_event ev = event_new();
        v *= 1 + 0.01 * prng_normal(&r);
        ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(t), v, &ev, NULL), TWIN_OK);
        if (ev.flags & TWIN_HEALTH_EVENT_RECALIBRATED) {
            ck_assert(ev.mean_before[0] != ev.mean_after[0] ||
                      ev.mean_before[1] != ev.mean_after[1]);
        }
        if (t > 600) {
            sum += fabs(ev.error);
            n++;
        }
        *last_err = fabs(ev.error);
    }
    st.size = sizeof st;
    ck_assert_int_eq(twin_health_get_stats(&h, &st, NULL), TWIN_OK);
    *recals = st.recalibrations;
    return sum / n;
}

START_TEST(test_health_ema_and_kalman_reduce_error_after_step_change)
{
    uint64_t rn, re, rk;
    double ln, le, lk;
    double none = step_change(TWIN_HEALTH_RECAL_NONE, &rn, &ln);
    double ema = step_change(TWIN_HEALTH_RECAL_EMA, &re, &le);
    double kal = step_change(TWIN_HEALTH_RECAL_KALMAN, &rk, &lk);
    fprintf(stderr, "step change: mean |error| none %.4f ema %.4f kalman %.4f; last %.4f %.4f %.4f; recalibrations %lu %lu\n",
            none, ema, kal, ln, le, lk, (unsigned long)re, (unsigned long)rk);
    ck_assert_uint_eq(rn, 0);
    ck_assert_uint_gt(re, 0);
    ck_assert_uint_gt(rk, 0);
    /* without recalibration the static posterior lags the new rate by far */
    ck_assert_msg(none > 0.2, "none %.4f", none);
    ck_assert_msg(ema < 0.25 * none, "ema %.4f vs none %.4f", ema, none);
    ck_assert_msg(kal < 0.25 * none, "kalman %.4f vs none %.4f", kal, none);
    /* and at the end the recalibrated models predict within the noise */
    ck_assert_msg(le < 0.05 && lk < 0.05, "last errors ema %.4f kalman %.4f", le, lk);
}
END_TEST

static Suite *health_divergence_suite(void)
{
    Suite *s = suite_create("health_divergence");
    TCase *tc = tcase_create("divergence");
    tcase_add_test(tc, test_health_divergence_needs_count_in_a_row_and_clears_with_hysteresis);
    tcase_add_test(tc, test_health_divergence_noise_around_threshold_does_not_flap);
    tcase_add_test(tc, test_health_stats_track_error_mean_and_variance);
    suite_add_tcase(s, tc);
    tc = tcase_create("recalibration");
    tcase_add_test(tc, test_health_ema_and_kalman_reduce_error_after_step_change);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(health_divergence_suite());
}
