/* Unit tests of the health models: the filter against the closed-form
 * posterior, the seed's bearing example, recovery of known parameters from
 * noisy data, RUL quantiles against their definition, user models, and
 * saving and restoring a state bit for bit. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "health/health_util.h"
#include "support/run.h"
#include "twin/twin.h"

/* ---- options ------------------------------------------------------------------ */

START_TEST(test_health_options_init_fills_defaults)
{
    twin_health_options o;
    memset(&o, 0xab, sizeof o);
    ck_assert_int_eq(twin_health_options_init(&o), TWIN_OK);
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_int_eq(o.model, TWIN_HEALTH_EXPONENTIAL);
    ck_assert(o.phi == 0 && o.prior_mean[0] == 0 && o.prior_mean[1] == 0);
    ck_assert(o.prior_cov[0] == 1 && o.prior_cov[1] == 0 && o.prior_cov[2] == 0);
    ck_assert(o.prior_cov[3] == 1e-6 && o.noise == 0.01);
    ck_assert(isnan(o.failure_level) && o.failure_factor == 10);
    ck_assert(o.divergence_threshold == 0.2 && o.divergence_clear == 0.1);
    ck_assert_uint_eq(o.divergence_count, 3);
    ck_assert_int_eq(o.recalibration, TWIN_HEALTH_RECAL_NONE);
    ck_assert(o.ema_alpha == 0.3 && o.recal_noise[0] == 0 && o.process_noise[1] == 0);
    ck_assert_ptr_null(o.user);
}
END_TEST

START_TEST(test_health_options_init_bad_size_fails)
{
    twin_health_options o;
    ck_assert_int_eq(twin_health_options_init_(NULL, sizeof o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_options_init_(&o, 4), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_options_init_(&o, sizeof o + 8), TWIN_E_ABI);
}
END_TEST

START_TEST(test_health_state_is_192_bytes_of_plain_data)
{
    ck_assert_uint_eq(sizeof(twin_health), 192);
}
END_TEST

/* ---- closed-form posterior ------------------------------------------------------- */

/* Batch Bayesian least squares, computed here independently of the library:
 * Lambda = P0^-1 + sum h h' / r, eta = P0^-1 m0 + sum h y / r, m = Lambda^-1 eta. */
static void batch_posterior(const double m0[2], const double P0[4], double r, const double *t,
                            const double *y, int n, double m[2], double P[4])
{
    double det0 = P0[0] * P0[3] - P0[1] * P0[2];
    double A[4] = {P0[3] / det0, -P0[1] / det0, -P0[2] / det0, P0[0] / det0};
    double eta[2] = {A[0] * m0[0] + A[1] * m0[1], A[2] * m0[0] + A[3] * m0[1]};
    double det;
    for (int i = 0; i < n; i++) {
        A[0] += 1 / r;
        A[1] += t[i] / r;
        A[2] += t[i] / r;
        A[3] += t[i] * t[i] / r;
        eta[0] += y[i] / r;
        eta[1] += t[i] * y[i] / r;
    }
    det = A[0] * A[3] - A[1] * A[2];
    P[0] = A[3] / det;
    P[1] = -A[1] / det;
    P[2] = -A[2] / det;
    P[3] = A[0] / det;
    m[0] = P[0] * eta[0] + P[1] * eta[1];
    m[1] = P[2] * eta[0] + P[3] * eta[1];
}

static void check_close(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want), "%s: got %.17g, want %.17g", what, got,
                  want);
}

static void posterior_case(int32_t kind)
{
    enum { N = 400 };
    twin_health_options o;
    twin_health h;
    double t[N], y[N], m[2], P[4], gm[2], gP[4];
    prng r = {0x1234567u};
    twin_health_options_init(&o);
    o.model = kind;
    o.phi = 0.05;
    o.prior_mean[0] = kind == TWIN_HEALTH_EXPONENTIAL ? log(0.1) : 0.05;
    o.prior_mean[1] = 1e-7;
    o.prior_cov[0] = 0.5;
    o.prior_cov[1] = o.prior_cov[2] = -1e-7;
    o.prior_cov[3] = 1e-12;
    o.noise = 0.0025;
    o.failure_level = 10;
    ck_assert_int_eq(twin_health_init(&h, &o, 1000000, NULL), TWIN_OK);
    for (int i = 0; i < N; i++) {
        double ts = 3600.0 * (i + 1), x = -2.0 + 2e-7 * ts + 0.05 * prng_normal(&r), v;
        v = kind == TWIN_HEALTH_EXPONENTIAL ? o.phi + exp(x) : o.phi + x + 2.5;
        ck_assert_int_eq(twin_health_update(&h, &o, 1000000 + us_of_s(ts), v, NULL, NULL),
                         TWIN_OK);
        t[i] = ts;
        y[i] = kind == TWIN_HEALTH_EXPONENTIAL ? log(v - o.phi) : v - o.phi;
    }
    batch_posterior(o.prior_mean, o.prior_cov, o.noise, t, y, N, m, P);
    ck_assert_int_eq(twin_health_get_posterior(&h, gm, gP, NULL), TWIN_OK);
    check_close(gm[0], m[0], 1e-9, "mean x0");
    check_close(gm[1], m[1], 1e-9, "mean x1");
    check_close(gP[0], P[0], 1e-7, "cov 00");
    check_close(gP[1], P[1], 1e-7, "cov 01");
    check_close(gP[2], P[2], 1e-7, "cov 10");
    check_close(gP[3], P[3], 1e-7, "cov 11");
}

START_TEST(test_health_update_exponential_matches_closed_form_posterior)
{
    posterior_case(TWIN_HEALTH_EXPONENTIAL);
}
END_TEST

START_TEST(test_health_update_linear_matches_closed_form_posterior)
{
    posterior_case(TWIN_HEALTH_LINEAR);
}
END_TEST

START_TEST(test_health_get_posterior_before_samples_is_prior)
{
    twin_health_options o;
    twin_health h;
    double m[2], P[4];
    twin_health_options_init(&o);
    o.prior_mean[0] = -1;
    o.prior_mean[1] = 2e-6;
    o.prior_cov[0] = 0.25;
    o.prior_cov[1] = o.prior_cov[2] = 1e-7;
    o.prior_cov[3] = 4e-12;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_posterior(&h, m, P, NULL), TWIN_OK);
    ck_assert(m[0] == -1 && m[1] == 2e-6);
    for (int i = 0; i < 4; i++) check_close(P[i], o.prior_cov[i], 1e-12, "prior cov");
}
END_TEST

/* ---- the seed's bearing example ----------------------------------------------------- */

/* Baseline 0.12 G, rate 0.003 per day, phi = 0; an almost certain prior. */
static void seed_options(twin_health_options *o)
{
    double rate = 0.003 / DAY_S;
    twin_health_options_init(o);
    o->prior_mean[0] = log(0.12);
    o->prior_mean[1] = rate;
    o->prior_cov[0] = 1e-10;
    o->prior_cov[3] = 1e-10 * rate * rate;
}

START_TEST(test_health_seed_days_to_alarm)
{
    twin_health_options o;
    twin_health h;
    twin_health_stats st;
    double s;
    seed_options(&o);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_time_to(&h, &o, 0.5, &s, NULL), TWIN_OK);
    check_close(s / DAY_S, log(0.5 / 0.12) / 0.003, 1e-12, "days to the 0.5 G alarm");
    ck_assert(fabs(s / DAY_S - 475.7) < 0.05);
    st.size = sizeof st;
    ck_assert_int_eq(twin_health_get_stats(&h, &st, NULL), TWIN_OK);
    check_close(st.baseline, 0.12, 1e-15, "baseline");
    check_close(st.failure_level, 1.2, 1e-15, "failure level: 10 x baseline");
}
END_TEST

START_TEST(test_health_seed_score_over_time)
{
    twin_health_options o;
    twin_health h;
    seed_options(&o);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    for (int d = 0; d <= 900; d += 10) {
        double v = 0.12 * exp(0.003 * d), want = (1.2 - v) / (1.2 - 0.12), score;
        int64_t t = us_of_s(d * DAY_S);
        if (want < 0) want = 0;
        if (d > 0) ck_assert_int_eq(twin_health_update(&h, &o, t, v, NULL, NULL), TWIN_OK);
        ck_assert_int_eq(twin_health_get_score(&h, &o, t, &score, NULL), TWIN_OK);
        ck_assert_msg(fabs(score - want) < 1e-9, "day %d: score %.12f, want %.12f", d, score,
                      want);
    }
}
END_TEST

START_TEST(test_health_seed_time_to_after_samples_counts_from_latest)
{
    twin_health_options o;
    twin_health h;
    double s;
    seed_options(&o);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(100 * DAY_S), 0.12 * exp(0.3), NULL,
                                        NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_time_to(&h, &o, 0.5, &s, NULL), TWIN_OK);
    ck_assert(fabs(s / DAY_S - (log(0.5 / 0.12) / 0.003 - 100)) < 1e-6);
    /* past the level: 0 */
    ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(500 * DAY_S), 0.12 * exp(1.5), NULL,
                                        NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_time_to(&h, &o, 0.5, &s, NULL), TWIN_OK);
    ck_assert(s == 0);
}
END_TEST

/* ---- known parameters from noisy data ------------------------------------------------- */

/* theta 0.2, beta 2e-7 / s, 5% noise in log space, hourly for 1000 hours,
 * vague prior. Over 200 seeds: every estimate within 5 posterior standard
 * deviations (beta's is 0.76% of beta) and within 5% (beta) and 2% (theta)
 * of the truth, and the 90% interval covers beta in 80%
 * to 98% of the runs (binomial: 90% +- 3 sd of 2.1%). */
START_TEST(test_health_update_recovers_known_parameters)
{
    const double theta = 0.2, beta = 2e-7, sigma = 0.05;
    int covered = 0, runs = 200;
    prng r = {42};
    for (int k = 0; k < runs; k++) {
        twin_health_options o;
        twin_health h;
        double m[2], P[4], sd;
        twin_health_options_init(&o);
        o.prior_cov[0] = 100;
        o.prior_cov[3] = 1e-10;
        o.noise = sigma * sigma;
        o.failure_level = 2.0;
        ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
        for (int i = 1; i <= 1000; i++) {
            double t = 3600.0 * i;
            double v = theta * exp(beta * t + sigma * prng_normal(&r));
            ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(t), v, NULL, NULL), TWIN_OK);
        }
        ck_assert_int_eq(twin_health_get_posterior(&h, m, P, NULL), TWIN_OK);
        sd = sqrt(P[3]);
        ck_assert_msg(fabs(m[1] - beta) < 5 * sd && fabs(m[1] - beta) < 0.05 * beta,
                      "beta %.6g (sd %.3g)", m[1], sd);
        ck_assert_msg(fabs(m[0] - log(theta)) < 5 * sqrt(P[0]) && fabs(exp(m[0]) / theta - 1) < 0.02,
                      "theta %.6g", exp(m[0]));
        if (fabs(m[1] - beta) < 1.6448536 * sd) covered++;
    }
    ck_assert_msg(covered >= 160 && covered <= 196, "90%% interval covered %d of %d", covered,
                  runs);
}
END_TEST

/* ---- RUL -------------------------------------------------------------------------------- */

/* Probability (from the posterior) that the path is past the failure level
 * at model time t, computed here from the mean and covariance. */
static double prob_failed(const double m[2], const double P[4], double yl, double t)
{
    double mu = m[0] + m[1] * t, s = sqrt(P[0] + 2 * t * P[1] + t * t * P[3]);
    return normal_cdf((mu - yl) / s);
}

START_TEST(test_health_get_rul_quantiles_have_their_probability)
{
    twin_health_options o;
    twin_health h;
    twin_health_rul rul;
    double m[2], P[4], t_now = 200 * 3600.0, ttf, yl = log(2.0);
    prng r = {7};
    twin_health_options_init(&o);
    o.prior_cov[0] = 1;
    o.prior_cov[3] = 1e-12;
    o.noise = 0.01;
    o.failure_level = 2.0;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    for (int i = 1; i <= 200; i++) {
        double t = 3600.0 * i;
        ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(t),
                                            0.1 * exp(1e-6 * t + 0.1 * prng_normal(&r)), NULL,
                                            NULL), TWIN_OK);
    }
    rul.size = sizeof rul;
    ck_assert_int_eq(twin_health_get_rul(&h, &o, 0.05, 0.95, &rul, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_posterior(&h, m, P, NULL), TWIN_OK);
    ck_assert(rul.lower > 0 && rul.lower < rul.median && rul.median < rul.upper);
    ck_assert(isfinite(rul.upper));
    ck_assert(fabs(prob_failed(m, P, yl, t_now + rul.lower) - 0.05) < 1e-6);
    ck_assert(fabs(prob_failed(m, P, yl, t_now + rul.median) - 0.5) < 1e-6);
    ck_assert(fabs(prob_failed(m, P, yl, t_now + rul.upper) - 0.95) < 1e-6);
    /* the first such time: just before, the probability is below */
    ck_assert(prob_failed(m, P, yl, t_now + 0.999 * rul.lower) < 0.05);
    ck_assert_int_eq(twin_health_get_time_to(&h, &o, 2.0, &ttf, NULL), TWIN_OK);
    ck_assert(fabs(ttf - rul.median) <= 1e-9 * ttf);
    ck_assert(fabs(rul.median - ((yl - m[0]) / m[1] - t_now)) <= 1e-9 * rul.median);
}
END_TEST

START_TEST(test_health_get_rul_decreasing_linear_signal)
{
    /* a health index from 1 down to 0 (failure level below the baseline) */
    twin_health_options o;
    twin_health h;
    twin_health_rul rul;
    double m[2], P[4];
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_LINEAR;
    o.prior_mean[0] = 1;
    o.prior_mean[1] = -0.01;
    o.prior_cov[0] = 0.01;
    o.prior_cov[3] = 1e-6;
    o.failure_level = 0;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    rul.size = sizeof rul;
    ck_assert_int_eq(twin_health_get_rul(&h, &o, 0.1, 0.9, &rul, NULL), TWIN_OK);
    ck_assert(fabs(rul.median - 100) < 1e-9);
    ck_assert_int_eq(twin_health_get_posterior(&h, m, P, NULL), TWIN_OK);
    /* probability that 1 - 0.01 t has gone below 0 */
    ck_assert(fabs((1 - normal_cdf((m[0] + m[1] * rul.lower) /
                                    sqrt(P[0] + 2 * rul.lower * P[1] +
                                         rul.lower * rul.lower * P[3]))) - 0.1) < 1e-6);
    ck_assert(rul.lower < 100 && rul.upper > 100);
}
END_TEST

START_TEST(test_health_get_rul_never_reached_is_infinite)
{
    twin_health_options o;
    twin_health h;
    twin_health_rul rul;
    double s;
    twin_health_options_init(&o);
    o.prior_mean[1] = -1e-6; /* improving */
    o.prior_cov[3] = 1e-16;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    rul.size = sizeof rul;
    ck_assert_int_eq(twin_health_get_rul(&h, &o, 0.05, 0.95, &rul, NULL), TWIN_OK);
    ck_assert(isinf(rul.median) && isinf(rul.upper));
    ck_assert_int_eq(twin_health_get_time_to(&h, &o, 5.0, &s, NULL), TWIN_OK);
    ck_assert(isinf(s));
}
END_TEST

/* ---- user models ------------------------------------------------------------------------- */

/* v = a + b t, with an EMA of the rate while diverged; state: a, b, last t, last v. */
typedef struct lin_state {
    double a, b, t, v;
} lin_state;

static twin_status lin_init(void *ud, void *state)
{
    lin_state *s = state;
    (void)ud;
    s->a = 1.0;
    s->b = 0.5;
    return TWIN_OK;
}

static double lin_predict(void *ud, const void *state, double t)
{
    const lin_state *s = state;
    (void)ud;
    return s->a + s->b * t;
}

static twin_status lin_update(void *ud, void *state, double t, double v, int32_t diverged)
{
    lin_state *s = state;
    int *calls = ud;
    (*calls)++;
    if (v > 1e6) return TWIN_E_RANGE;
    if (diverged && t > s->t) {
        s->b = 0.5 * s->b + 0.5 * (v - s->v) / (t - s->t);
        s->a = v - s->b * t;
    }
    s->t = t;
    s->v = v;
    return TWIN_OK;
}

START_TEST(test_health_user_model_predicts_updates_and_searches)
{
    int calls = 0;
    twin_health_model m = {sizeof m, sizeof(lin_state), &calls, lin_init, lin_predict, lin_update};
    twin_health_options o;
    twin_health h, before;
    twin_health_rul rul;
    twin_health_event ev = event_new();
    double p, s, pm[2];
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_USER;
    o.user = &m;
    o.failure_level = 51.0;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_predict(&h, &o, us_of_s(10), &p, NULL), TWIN_OK);
    ck_assert(p == 6.0);
    ck_assert_int_eq(twin_health_get_time_to(&h, &o, 51.0, &s, NULL), TWIN_OK);
    ck_assert(fabs(s - 100.0) < 1e-6);
    ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(10), 6.0, &ev, NULL), TWIN_OK);
    ck_assert_int_eq(calls, 1);
    ck_assert(ev.predicted == 6.0 && ev.error == 0 && isnan(ev.mean_before[0]));
    rul.size = sizeof rul;
    ck_assert_int_eq(twin_health_get_rul(&h, &o, 0.05, 0.95, &rul, NULL), TWIN_OK);
    ck_assert(fabs(rul.median - 90.0) < 1e-6 && isnan(rul.lower) && isnan(rul.upper));
    /* a failing update leaves the state as it was */
    before = h;
    ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(11), 1e7, NULL, NULL), TWIN_E_RANGE);
    ck_assert(memcmp(&h, &before, sizeof h) == 0);
    ck_assert(twin_health_get_posterior(&h, pm, NULL, NULL) == TWIN_E_INVAL);
}
END_TEST

/* ---- plain data ---------------------------------------------------------------------------- */

START_TEST(test_health_state_saved_and_restored_bit_for_bit)
{
    twin_health_options o;
    twin_health h, copy;
    unsigned char saved[sizeof(twin_health)];
    prng r = {99};
    twin_health_options_init(&o);
    o.recalibration = TWIN_HEALTH_RECAL_KALMAN;
    o.recal_noise[0] = 1e-4;
    o.recal_noise[1] = 1e-14;
    ck_assert_int_eq(twin_health_init(&h, &o, 5, NULL), TWIN_OK);
    for (int i = 1; i <= 300; i++)
        ck_assert_int_eq(twin_health_update(&h, &o, 5 + us_of_s(60.0 * i),
                                            exp(1e-5 * 60 * i + 0.1 * prng_normal(&r)), NULL,
                                            NULL), TWIN_OK);
    memcpy(saved, &h, sizeof h);
    for (int pass = 0; pass < 2; pass++) {
        twin_health *s = pass == 0 ? &h : &copy;
        prng r2 = {1234};
        if (pass == 1) memcpy(&copy, saved, sizeof copy);
        for (int i = 301; i <= 400; i++)
            ck_assert_int_eq(twin_health_update(s, &o, 5 + us_of_s(60.0 * i),
                                                exp(3e-5 * 60 * i + 0.1 * prng_normal(&r2)),
                                                NULL, NULL), TWIN_OK);
    }
    ck_assert(memcmp(&h, &copy, sizeof h) == 0);
}
END_TEST

START_TEST(test_health_state_from_another_layout_returns_abi)
{
    twin_health_options o;
    twin_health h, before;
    double v;
    twin_error e = {0, 0, ""};
    twin_health_options_init(&o);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    h.layout_ ^= 1;
    before = h;
    ck_assert_int_eq(twin_health_update(&h, &o, 1, 1.0, NULL, &e), TWIN_E_ABI);
    ck_assert_int_eq(e.status, TWIN_E_ABI);
    ck_assert(e.message[0]);
    ck_assert_int_eq(twin_health_predict(&h, &o, 1, &v, NULL), TWIN_E_ABI);
    ck_assert(memcmp(&h, &before, sizeof h) == 0);
}
END_TEST

static Suite *health_model_suite(void)
{
    Suite *s = suite_create("health_model");
    TCase *tc = tcase_create("options");
    tcase_add_test(tc, test_health_options_init_fills_defaults);
    tcase_add_test(tc, test_health_options_init_bad_size_fails);
    tcase_add_test(tc, test_health_state_is_192_bytes_of_plain_data);
    suite_add_tcase(s, tc);
    tc = tcase_create("posterior");
    tcase_add_test(tc, test_health_update_exponential_matches_closed_form_posterior);
    tcase_add_test(tc, test_health_update_linear_matches_closed_form_posterior);
    tcase_add_test(tc, test_health_get_posterior_before_samples_is_prior);
    tcase_add_test(tc, test_health_update_recovers_known_parameters);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    tc = tcase_create("seed");
    tcase_add_test(tc, test_health_seed_days_to_alarm);
    tcase_add_test(tc, test_health_seed_score_over_time);
    tcase_add_test(tc, test_health_seed_time_to_after_samples_counts_from_latest);
    suite_add_tcase(s, tc);
    tc = tcase_create("rul");
    tcase_add_test(tc, test_health_get_rul_quantiles_have_their_probability);
    tcase_add_test(tc, test_health_get_rul_decreasing_linear_signal);
    tcase_add_test(tc, test_health_get_rul_never_reached_is_infinite);
    suite_add_tcase(s, tc);
    tc = tcase_create("user_and_state");
    tcase_add_test(tc, test_health_user_model_predicts_updates_and_searches);
    tcase_add_test(tc, test_health_state_saved_and_restored_bit_for_bit);
    tcase_add_test(tc, test_health_state_from_another_layout_returns_abi);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(health_model_suite());
}
