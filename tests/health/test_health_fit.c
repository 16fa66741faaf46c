/* Unit tests of fitting from history: a fleet's prior, noise and failure
 * level from synthetic runs with known parameters, and a fused health
 * index with per-regime normalisation. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "health/health_util.h"
#include "support/run.h"
#include "twin/twin.h"

enum { RUNS = 200, LEN = 100 };

/* Runs of log v = a_k + b_k t + e, a ~ N(log 0.1, 0.2^2), b ~ N(1e-4, 2e-5^2)
 * (uncorrelated), e ~ N(0, 0.05^2), one sample every 60 s. */
START_TEST(test_health_fit_prior_recovers_fleet_parameters)
{
    static int64_t t[RUNS][LEN];
    static double v[RUNS][LEN];
    twin_health_run runs[RUNS];
    twin_health_options o;
    double yend = 0;
    prng r = {31337};
    for (int k = 0; k < RUNS; k++) {
        double a = log(0.1) + 0.2 * prng_normal(&r), b = 1e-4 + 2e-5 * prng_normal(&r);
        for (int i = 0; i < LEN; i++) {
            t[k][i] = us_of_s(60.0 * i);
            v[k][i] = exp(a + b * 60.0 * i + 0.05 * prng_normal(&r));
        }
        yend += (a + b * 60.0 * (LEN - 1)) / RUNS;
        runs[k].t_us = t[k];
        runs[k].v = v[k];
        runs[k].n = LEN;
    }
    twin_health_options_init(&o);
    ck_assert_int_eq(twin_health_fit_prior(&o, runs, RUNS, NULL), TWIN_OK);
    /* standard errors of the means: 0.2 / sqrt(200) = 0.014, 2e-5 / sqrt(200) = 1.4e-6,
       plus the per-run fit noise; bounds at about 4 of them */
    ck_assert_msg(fabs(o.prior_mean[0] - log(0.1)) < 0.06, "x0 %.4f", o.prior_mean[0]);
    ck_assert_msg(fabs(o.prior_mean[1] - 1e-4) < 6e-6, "x1 %.4g", o.prior_mean[1]);
    /* variances: relative standard error sqrt(2/199) = 10%, plus fit noise */
    ck_assert_msg(fabs(sqrt(o.prior_cov[0]) / 0.2 - 1) < 0.25, "sd x0 %.4f", sqrt(o.prior_cov[0]));
    ck_assert_msg(fabs(sqrt(o.prior_cov[3]) / 2e-5 - 1) < 0.25, "sd x1 %.4g", sqrt(o.prior_cov[3]));
    ck_assert(o.prior_cov[1] == o.prior_cov[2]);
    ck_assert_msg(fabs(sqrt(o.noise) / 0.05 - 1) < 0.03, "noise sd %.4f", sqrt(o.noise));
    ck_assert_msg(fabs(log(o.failure_level) - yend) < 0.06, "failure %.4f", o.failure_level);
}
END_TEST

START_TEST(test_health_fit_prior_linear_model)
{
    static int64_t t[20][30];
    static double v[20][30];
    twin_health_run runs[20];
    twin_health_options o;
    prng r = {8};
    for (int k = 0; k < 20; k++) {
        double a = 1.0 + 0.01 * prng_normal(&r), b = -0.01 + 0.001 * prng_normal(&r);
        for (int i = 0; i < 30; i++) {
            t[k][i] = us_of_s(i);
            v[k][i] = a + b * i + 0.001 * prng_normal(&r);
        }
        runs[k].t_us = t[k];
        runs[k].v = v[k];
        runs[k].n = 30;
    }
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_LINEAR;
    ck_assert_int_eq(twin_health_fit_prior(&o, runs, 20, NULL), TWIN_OK);
    ck_assert(fabs(o.prior_mean[0] - 1.0) < 0.01);
    ck_assert(fabs(o.prior_mean[1] + 0.01) < 0.001);
    ck_assert(fabs(o.failure_level - (1.0 - 0.29)) < 0.03); /* below the baseline */
}
END_TEST

/* ---- fused health index -------------------------------------------------------------------- */

/* Runs with a hidden health h falling from 1 to 0; three sensors, each an
 * affine function of h with an offset and gain that depend on the
 * operating regime (three regimes, two settings), plus noise; a fourth
 * sensor is pure noise and a fifth constant. */
enum { FR = 30, FL = 80, FS = 5 };
static const double REG_SET[3][2] = {{0, 0}, {20, 0.7}, {35, 0.84}};

START_TEST(test_health_fusion_fit_normalises_per_regime_and_tracks_health)
{
    static uint32_t run[FR * FL];
    static int64_t t[FR * FL];
    static double sen[FR * FL][FS], set[FR * FL][2], hid[FR * FL];
    static uint32_t reg[FR * FL];
    twin_health_fleet f;
    twin_health_fusion u;
    double sse = 0, first = 0, last = 0;
    uint32_t map[3] = {99, 99, 99};
    prng r = {11};
    for (int k = 0; k < FR; k++)
        for (int i = 0; i < FL; i++) {
            size_t row = (size_t)k * FL + i;
            uint32_t g = (uint32_t)(prng_next(&r) % 3);
            double hh = 1.0 - (double)i / (FL - 1);
            run[row] = (uint32_t)k + 1;
            t[row] = us_of_s(10.0 * i);
            set[row][0] = REG_SET[g][0] + 0.01 * prng_normal(&r);
            set[row][1] = REG_SET[g][1] + 0.001 * prng_normal(&r);
            sen[row][0] = 100 * (g + 1) + (5 + g) * (1 - hh) + 0.05 * prng_normal(&r);
            sen[row][1] = 50 - 10 * g - (2 + g) * (1 - hh) + 0.05 * prng_normal(&r);
            sen[row][2] = 7 * g + 3 * (1 - hh) + 0.1 * prng_normal(&r);
            sen[row][3] = prng_normal(&r);
            sen[row][4] = 42.0;
            hid[row] = hh;
            reg[row] = g;
        }
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.nsensors = FS;
    f.nsettings = 2;
    f.nrows = FR * FL;
    f.run = run;
    f.t_us = t;
    f.sensors = &sen[0][0];
    f.settings = &set[0][0];
    ck_assert_int_eq(twin_health_fusion_fit(&u, &f, 3, 0, NULL), TWIN_OK);
    ck_assert_uint_eq(u.nregimes, 3);
    for (size_t row = 0; row < (size_t)FR * FL; row++) {
        double idx;
        uint32_t g;
        ck_assert_int_eq(twin_health_fusion_apply(&u, sen[row], set[row], &idx, &g, NULL),
                         TWIN_OK);
        /* the clusters are the true regimes, up to their numbering */
        if (map[reg[row]] == 99) map[reg[row]] = g;
        ck_assert_uint_eq(map[reg[row]], g);
        sse += (idx - hid[row]) * (idx - hid[row]);
        if (row % FL == 0) first += idx / FR;
        if (row % FL == FL - 1) last += idx / FR;
    }
    ck_assert(map[0] != map[1] && map[1] != map[2] && map[0] != map[2]);
    ck_assert_msg(sqrt(sse / (FR * FL)) < 0.03, "rmse %.4f", sqrt(sse / (FR * FL)));
    ck_assert(fabs(u.rmse - sqrt(sse / (FR * FL))) < 1e-9);
    ck_assert(fabs(first - 1) < 0.02 && fabs(last) < 0.02);
    ck_assert(u.weight[4] == 0); /* the constant sensor */
    ck_assert(fabs(u.weight[3]) < 0.01); /* the noise */
}
END_TEST

START_TEST(test_health_fusion_fit_capped_target)
{
    /* one sensor that follows min(1, rul / 20) exactly: the fit is exact */
    static uint32_t run[2 * 50];
    static int64_t t[2 * 50];
    static double sen[2 * 50];
    twin_health_fleet f;
    twin_health_fusion u;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 50; i++) {
            int row = k * 50 + i;
            double rul = 49 - i;
            run[row] = (uint32_t)k;
            t[row] = us_of_s(i);
            sen[row] = 3 + 2 * (rul < 20 ? rul / 20 : 1.0);
        }
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.nsensors = 1;
    f.nrows = 100;
    f.run = run;
    f.t_us = t;
    f.sensors = sen;
    ck_assert_int_eq(twin_health_fusion_fit(&u, &f, 1, 20.0, NULL), TWIN_OK);
    ck_assert_msg(u.rmse < 1e-6, "rmse %.3g", u.rmse);
    for (int i = 0; i < 50; i++) {
        double idx, rul = 49 - i;
        ck_assert_int_eq(twin_health_fusion_apply(&u, &sen[i], NULL, &idx, NULL, NULL), TWIN_OK);
        ck_assert(fabs(idx - (rul < 20 ? rul / 20 : 1.0)) < 1e-6);
    }
}
END_TEST

static Suite *health_fit_suite(void)
{
    Suite *s = suite_create("health_fit");
    TCase *tc = tcase_create("prior");
    tcase_add_test(tc, test_health_fit_prior_recovers_fleet_parameters);
    tcase_add_test(tc, test_health_fit_prior_linear_model);
    suite_add_tcase(s, tc);
    tc = tcase_create("fusion");
    tcase_add_test(tc, test_health_fusion_fit_normalises_per_regime_and_tracks_health);
    tcase_add_test(tc, test_health_fusion_fit_capped_target);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(health_fit_suite());
}
