/* Bad input: every failing call returns its status with a message and
 * leaves the state (or the fitting outputs) bit for bit as it was. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "health/health_util.h"
#include "support/run.h"
#include "twin/twin.h"

static twin_health_options o;
static twin_health h;

/* An exponential model with a few samples in it. */
static void setup(void)
{
    twin_health_options_init(&o);
    o.phi = 0.01;
    o.prior_mean[0] = log(0.1);
    o.prior_mean[1] = 1e-6;
    o.prior_cov[3] = 1e-12;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    for (int i = 1; i <= 10; i++)
        ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(100.0 * i),
                                            0.01 + 0.1 * exp(1e-4 * i), NULL, NULL), TWIN_OK);
}

static void teardown(void)
{
}

/* The status, the message, and the state unchanged. */
#define EXPECT_FAIL(call, want)                                                   \
    do {                                                                          \
        twin_health before_ = h;                                                  \
        twin_error e_ = {0, 0, ""};                                               \
        twin_status st_ = (call);                                                 \
        ck_assert_msg(st_ == (want), "%s: %d, want %d", #call, st_, (want));      \
        ck_assert_int_eq(e_.status, (want));                                      \
        ck_assert_msg(e_.message && e_.message[0], "%s: no message", #call);      \
        ck_assert_msg(memcmp(&h, &before_, sizeof h) == 0, "%s: state changed", #call); \
    } while (0)

START_TEST(test_health_update_non_finite_value_returns_inval)
{
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(2000), NAN, NULL, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(2000), INFINITY, NULL, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(2000), -INFINITY, NULL, &e_), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_health_update_value_at_or_below_phi_returns_range)
{
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(2000), 0.01, NULL, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(2000), 0.0, NULL, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(2000), -5.0, NULL, &e_), TWIN_E_RANGE);
}
END_TEST

START_TEST(test_health_update_time_backwards_returns_inval)
{
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(999.999999), 0.2, NULL, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_update(&h, &o, -1, 0.2, NULL, &e_), TWIN_E_INVAL);
    /* the same time again is accepted */
    ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(1000), 0.2, NULL, NULL), TWIN_OK);
}
END_TEST

START_TEST(test_health_update_bad_arguments_return_inval)
{
    twin_health_options other = o;
    twin_health_event ev = event_new();
    other.model = TWIN_HEALTH_LINEAR;
    EXPECT_FAIL(twin_health_update(&h, NULL, us_of_s(2000), 0.2, NULL, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_update(&h, &other, us_of_s(2000), 0.2, NULL, &e_), TWIN_E_INVAL);
    other = o;
    other.size = 4;
    EXPECT_FAIL(twin_health_update(&h, &other, us_of_s(2000), 0.2, NULL, &e_), TWIN_E_INVAL);
    other.size = sizeof other + 8;
    EXPECT_FAIL(twin_health_update(&h, &other, us_of_s(2000), 0.2, NULL, &e_), TWIN_E_ABI);
    ev.size = 4;
    EXPECT_FAIL(twin_health_update(&h, &o, us_of_s(2000), 0.2, &ev, &e_), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_update(NULL, &o, 1, 1, NULL, NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_health_uninitialised_state_returns_inval)
{
    twin_health z;
    double v;
    twin_error e = {0, 0, ""};
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(twin_health_update(&z, &o, 1, 1.0, NULL, &e), TWIN_E_INVAL);
    ck_assert(e.message[0]);
    ck_assert_int_eq(twin_health_predict(&z, &o, 1, &v, NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_health_threshold_below_baseline_returns_range)
{
    double s;
    /* baseline is 0.11 */
    EXPECT_FAIL(twin_health_get_time_to(&h, &o, 0.05, &s, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_health_get_time_to(&h, &o, 0.11, &s, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_health_get_time_to(&h, &o, NAN, &s, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_set_failure_level(&h, &o, 0.1, &e_), TWIN_E_RANGE);
    EXPECT_FAIL(twin_health_set_failure_level(&h, &o, INFINITY, &e_), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_set_failure_level(&h, &o, 0.5, NULL), TWIN_OK);
}
END_TEST

START_TEST(test_health_init_bad_options_leave_state_unchanged)
{
    twin_health_options b;
    b = o;
    b.failure_level = 0.05; /* below the 0.11 baseline */
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_RANGE);
    b = o;
    b.prior_cov[0] = b.prior_cov[1] = b.prior_cov[2] = b.prior_cov[3] = 1.0; /* singular */
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_RANGE);
    b = o;
    b.prior_cov[1] = 0.1; /* not symmetric */
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_RANGE);
    b = o;
    b.prior_cov[3] = -1e-12; /* not positive */
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_RANGE);
    b = o;
    b.prior_mean[1] = NAN;
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
    b = o;
    b.noise = 0;
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
    b = o;
    b.divergence_clear = 0.5; /* above the threshold */
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
    b = o;
    b.divergence_count = 0;
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
    b = o;
    b.recalibration = 9;
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
    b = o;
    b.ema_alpha = 0;
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
    b = o;
    b.model = TWIN_HEALTH_USER; /* no table */
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
    b = o;
    b.model = 0;
    EXPECT_FAIL(twin_health_init(&h, &b, 0, &e_), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_health_get_rul_bad_quantiles_return_inval)
{
    twin_health_rul r;
    r.size = sizeof r;
    EXPECT_FAIL(twin_health_get_rul(&h, &o, 0, 0.9, &r, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_get_rul(&h, &o, 0.6, 0.9, &r, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_get_rul(&h, &o, 0.1, 1.0, &r, &e_), TWIN_E_INVAL);
    EXPECT_FAIL(twin_health_get_rul(&h, &o, NAN, 0.9, &r, &e_), TWIN_E_INVAL);
    r.size = 4;
    EXPECT_FAIL(twin_health_get_rul(&h, &o, 0.1, 0.9, &r, &e_), TWIN_E_INVAL);
}
END_TEST

/* ---- fitting ------------------------------------------------------------------------------- */

static int64_t T[3][8];
static double V[3][8];

static void make_runs(twin_health_run *runs)
{
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 8; i++) {
            T[k][i] = us_of_s(10.0 * i);
            V[k][i] = 0.1 * exp((0.01 + 0.002 * k) * 10 * i + 0.01 * ((i * 7 + k) % 5 - 2));
        }
        runs[k].t_us = T[k];
        runs[k].v = V[k];
        runs[k].n = 8;
    }
}

#define EXPECT_FIT_FAIL(call, want)                                                 \
    do {                                                                            \
        twin_health_options b_ = fo;                                                \
        twin_error e_ = {0, 0, ""};                                                 \
        twin_status st_ = (call);                                                   \
        ck_assert_msg(st_ == (want), "%s: %d, want %d", #call, st_, (want));        \
        ck_assert_msg(e_.message && e_.message[0], "%s: no message", #call);        \
        ck_assert_msg(memcmp(&fo, &b_, sizeof fo) == 0, "%s: options changed", #call); \
    } while (0)

START_TEST(test_health_fit_prior_bad_data_fails_and_leaves_options)
{
    twin_health_options fo;
    twin_health_run runs[3];
    twin_health_options_init(&fo);
    make_runs(runs);
    ck_assert_int_eq(twin_health_fit_prior(&fo, runs, 3, NULL), TWIN_OK);
    twin_health_options_init(&fo);
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 1, &e_), TWIN_E_INVAL); /* one engine */
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 0, &e_), TWIN_E_INVAL);
    runs[1].n = 2; /* too few points */
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 3, &e_), TWIN_E_INVAL);
    make_runs(runs);
    V[2][3] = NAN;
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 3, &e_), TWIN_E_INVAL);
    make_runs(runs);
    V[0][5] = -1; /* log of a non-positive value */
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 3, &e_), TWIN_E_RANGE);
    make_runs(runs);
    T[1][4] = T[1][3] - 1; /* time backwards */
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 3, &e_), TWIN_E_INVAL);
    make_runs(runs);
    runs[1] = runs[0]; /* identical runs: singular covariance */
    runs[2] = runs[0];
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 3, &e_), TWIN_E_RANGE);
    make_runs(runs);
    fo.model = TWIN_HEALTH_USER;
    EXPECT_FIT_FAIL(twin_health_fit_prior(&fo, runs, 3, &e_), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_health_fusion_fit_bad_data_fails_and_leaves_output)
{
    /* two runs of 4 rows, 1 sensor, 1 setting */
    uint32_t run[8] = {1, 1, 1, 1, 2, 2, 2, 2};
    int64_t t[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    double sen[8] = {1, 2, 3, 4, 1.5, 2, 3.5, 4};
    double set[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    twin_health_fleet f = {sizeof f, 1, 1, 0, 8, run, t, sen, set};
    twin_health_fusion u, before;
    memset(&u, 0x5a, sizeof u);
    before = u;
#define EXPECT_FUSION_FAIL(call, want)                                        \
    do {                                                                      \
        twin_error e_ = {0, 0, ""};                                           \
        ck_assert_int_eq((call), (want));                                     \
        ck_assert(e_.message && e_.message[0]);                               \
        ck_assert(memcmp(&u, &before, sizeof u) == 0);                        \
    } while (0)
    /* one distinct operating point, two regimes */
    EXPECT_FUSION_FAIL(twin_health_fusion_fit(&u, &f, 2, 0, &e_), TWIN_E_INVAL);
    f.nrows = 4; /* a single run */
    EXPECT_FUSION_FAIL(twin_health_fusion_fit(&u, &f, 1, 0, &e_), TWIN_E_INVAL);
    f.nrows = 8;
    sen[3] = NAN;
    EXPECT_FUSION_FAIL(twin_health_fusion_fit(&u, &f, 1, 0, &e_), TWIN_E_INVAL);
    sen[3] = 4;
    t[2] = 0; /* backwards */
    EXPECT_FUSION_FAIL(twin_health_fusion_fit(&u, &f, 1, 0, &e_), TWIN_E_INVAL);
    t[2] = 2;
    EXPECT_FUSION_FAIL(twin_health_fusion_fit(&u, &f, 0, 0, &e_), TWIN_E_INVAL);
    EXPECT_FUSION_FAIL(twin_health_fusion_fit(&u, &f, 1, -1, &e_), TWIN_E_INVAL);
    f.size = sizeof f + 8;
    EXPECT_FUSION_FAIL(twin_health_fusion_fit(&u, &f, 1, 0, &e_), TWIN_E_ABI);
    f.size = sizeof f;
    ck_assert_int_eq(twin_health_fusion_fit(&u, &f, 1, 0, NULL), TWIN_OK);
#undef EXPECT_FUSION_FAIL
}
END_TEST

static Suite *health_errors_suite(void)
{
    Suite *s = suite_create("health_errors");
    TCase *tc = tcase_create("state");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_health_update_non_finite_value_returns_inval);
    tcase_add_test(tc, test_health_update_value_at_or_below_phi_returns_range);
    tcase_add_test(tc, test_health_update_time_backwards_returns_inval);
    tcase_add_test(tc, test_health_update_bad_arguments_return_inval);
    tcase_add_test(tc, test_health_uninitialised_state_returns_inval);
    tcase_add_test(tc, test_health_threshold_below_baseline_returns_range);
    tcase_add_test(tc, test_health_init_bad_options_leave_state_unchanged);
    tcase_add_test(tc, test_health_get_rul_bad_quantiles_return_inval);
    suite_add_tcase(s, tc);
    tc = tcase_create("fitting");
    tcase_add_test(tc, test_health_fit_prior_bad_data_fails_and_leaves_options);
    tcase_add_test(tc, test_health_fusion_fit_bad_data_fails_and_leaves_output);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(health_errors_suite());
}
