/* Unit tests of packed health states (twin_health_pack/unpack): lossless
 * round trips at every step of a model's life, updates through the packed
 * form that match updates without it, user models that fit or do not, and
 * refusal of what is not a packed state. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/health_util.h"
#include "support/run.h"
#include "twin/twin.h"

START_TEST(test_health_packed_is_112_bytes)
{
    ck_assert_uint_eq(sizeof(twin_health_packed), 112);
    ck_assert_uint_lt(sizeof(twin_health_packed), sizeof(twin_health));
}
END_TEST

/* A drifting exponential signal with noise and a rate step, so that states
 * pass through divergence and recalibration. */
static double signal_at(prng *r, int i)
{
    double rate = i < 60 ? 0.01 : 0.05;
    double t = i < 60 ? i : 60 + (i - 60) * (rate / 0.01);
    return 0.1 * exp(0.01 * t) * (1.0 + 0.02 * prng_normal(r));
}

static void exp_options(twin_health_options *o, int recal)
{
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_EXPONENTIAL;
    o->prior_mean[0] = log(0.1);
    o->prior_mean[1] = 0.01;
    o->noise = 4e-4;
    o->recalibration = recal;
    o->recal_noise[0] = 1e-6;
    o->recal_noise[1] = 1e-6;
}

/* Feed the same samples to two states, one of them packed and unpacked
 * around every update: the events and the states agree bit for bit, and
 * every packed state unpacks to the state it was packed from. */
static void run_both(const twin_health_options *o, int n, uint64_t *recal, int *diverged_seen)
{
    twin_health plain, via, back;
    twin_health_packed p;
    prng r1 = {42};
    *diverged_seen = 0;
    ck_assert_int_eq(twin_health_init(&plain, o, 1000, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_pack(&plain, &p, NULL), TWIN_OK);
    for (int i = 0; i < n; i++) {
        twin_health_event e1 = event_new(), e2 = event_new();
        double v = signal_at(&r1, i);
        int64_t t = 1000 + us_of_s(i * 3600.0);
        twin_status s1 = twin_health_update(&plain, o, t, v, &e1, NULL);
        twin_status s2;
        ck_assert_int_eq(twin_health_unpack(&p, &via, NULL), TWIN_OK);
        s2 = twin_health_update(&via, o, t, v, &e2, NULL);
        ck_assert_int_eq(s1, s2);
        ck_assert_int_eq(s1, TWIN_OK);
        ck_assert_mem_eq(&e1, &e2, sizeof e1);
        ck_assert_mem_eq(&plain, &via, sizeof plain);
        ck_assert_int_eq(twin_health_pack(&via, &p, NULL), TWIN_OK);
        ck_assert_int_eq(twin_health_unpack(&p, &back, NULL), TWIN_OK);
        ck_assert_mem_eq(&back, &via, sizeof back);
        if (e1.diverged) *diverged_seen = 1;
        *recal = e1.recalibrations;
    }
}

START_TEST(test_health_pack_round_trips_and_updates_match_unpacked_ones)
{
    static const int recal[] = {TWIN_HEALTH_RECAL_NONE, TWIN_HEALTH_RECAL_EMA,
                                TWIN_HEALTH_RECAL_KALMAN};
    for (size_t k = 0; k < sizeof recal / sizeof recal[0]; k++) {
        twin_health_options o;
        uint64_t nrecal = 0;
        int diverged = 0;
        exp_options(&o, recal[k]);
        run_both(&o, 120, &nrecal, &diverged);
        ck_assert_int_eq(diverged, 1);  /* the rate step diverged the model */
        if (recal[k] != TWIN_HEALTH_RECAL_NONE) ck_assert_uint_gt(nrecal, 0);
    }
}
END_TEST

START_TEST(test_health_pack_linear_state_keeps_levels_and_stats)
{
    twin_health_options o;
    twin_health h, back;
    twin_health_packed p;
    twin_health_stats a = {sizeof a, 0, 0, 0, 0, 0, 0, 0, 0, 0}, b = a;
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_LINEAR;
    o.prior_mean[0] = 2.0;
    o.failure_level = 7.1;
    ck_assert_int_eq(twin_health_init(&h, &o, -5000000, NULL), TWIN_OK);
    for (int i = 1; i <= 5; i++)
        ck_assert_int_eq(twin_health_update(&h, &o, us_of_s(i), 2.0 + 0.1 * i, NULL, NULL),
                         TWIN_OK);
    ck_assert_int_eq(twin_health_set_failure_level(&h, &o, 9.5, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_pack(&h, &p, NULL), TWIN_OK);
    memset(&back, 0xa5, sizeof back);
    ck_assert_int_eq(twin_health_unpack(&p, &back, NULL), TWIN_OK);
    ck_assert_mem_eq(&back, &h, sizeof h);
    ck_assert_int_eq(twin_health_get_stats(&h, &a, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_stats(&back, &b, NULL), TWIN_OK);
    ck_assert_uint_eq(b.samples, 5);
    ck_assert(b.failure_level == 9.5 && b.t0_us == -5000000 && b.last_us == us_of_s(5));
    ck_assert_mem_eq(&a, &b, sizeof a);
}
END_TEST

/* A user model with a state of a given size: a counter at the front and a
 * marker in the last byte. */
typedef struct user_ud {
    uint32_t size;
} user_ud;

static twin_status u_init(void *ud, void *state)
{
    unsigned char *s = state;
    user_ud *u = ud;
    s[0] = 1;
    s[u->size - 1] = 0x7e;
    return TWIN_OK;
}

static double u_predict(void *ud, const void *state, double t)
{
    (void)ud;
    return 1.0 + ((const unsigned char *)state)[0] + 0 * t;
}

static twin_status u_update(void *ud, void *state, double t, double v, int32_t diverged)
{
    (void)ud;
    (void)t;
    (void)v;
    (void)diverged;
    ((unsigned char *)state)[0]++;
    return TWIN_OK;
}

static twin_status user_state(uint32_t size, twin_health *h, twin_health_model *m, user_ud *ud,
                              twin_health_options *o)
{
    ud->size = size;
    m->size = sizeof *m;
    m->state_size = size;
    m->ud = ud;
    m->init = u_init;
    m->predict = u_predict;
    m->update = u_update;
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_USER;
    o->user = m;
    o->failure_level = 100.0;
    return twin_health_init(h, o, 0, NULL);
}

START_TEST(test_health_pack_user_models_that_fit_and_one_that_does_not)
{
    twin_health_model m;
    twin_health_options o;
    user_ud ud;
    twin_health h, back;
    twin_health_packed p, keep;
    twin_error err;
    double v;

    /* 40 bytes: fits, and the unpacked state goes on working */
    ck_assert_int_eq(user_state(40, &h, &m, &ud, &o), TWIN_OK);
    ck_assert_int_eq(twin_health_update(&h, &o, 1000000, 3.0, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_pack(&h, &p, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_unpack(&p, &back, NULL), TWIN_OK);
    ck_assert_mem_eq(&back, &h, sizeof h);
    ck_assert_int_eq(twin_health_update(&back, &o, 2000000, 3.0, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_predict(&back, &o, 2000000, &v, NULL), TWIN_OK);
    ck_assert(v == 4.0);  /* 1 + counter 3 (init 1, two updates) */

    /* 41 bytes with its last one set: does not fit; out untouched */
    ck_assert_int_eq(user_state(41, &h, &m, &ud, &o), TWIN_OK);
    memset(&keep, 0x5a, sizeof keep);
    p = keep;
    ck_assert_int_eq(twin_health_pack(&h, &p, &err), TWIN_E_RANGE);
    ck_assert_int_eq(err.status, TWIN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "larger"));
    ck_assert_mem_eq(&p, &keep, sizeof p);
}
END_TEST

START_TEST(test_health_pack_refuses_what_is_not_a_state)
{
    twin_health_options o;
    twin_health h, back, keep;
    twin_health_packed p, bad;
    twin_error err;
    exp_options(&o, TWIN_HEALTH_RECAL_NONE);

    ck_assert_int_eq(twin_health_pack(NULL, &p, &err), TWIN_E_INVAL);
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(twin_health_pack(&h, &p, &err), TWIN_E_INVAL);  /* not initialised */
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_pack(&h, NULL, &err), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_pack(&h, &p, NULL), TWIN_OK);

    memset(&keep, 0x33, sizeof keep);
    back = keep;
    ck_assert_int_eq(twin_health_unpack(NULL, &back, &err), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_unpack(&p, NULL, &err), TWIN_E_INVAL);
    memset(&bad, 0, sizeof bad);  /* zeroes: no magic */
    ck_assert_int_eq(twin_health_unpack(&bad, &back, &err), TWIN_E_INVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "not a packed"));
    /* A state's own bytes are not a packed state either. */
    memcpy(&bad, &h, sizeof bad);
    ck_assert_int_eq(twin_health_unpack(&bad, &back, &err), TWIN_E_INVAL);
    /* Another layout version of the tag (bits 15..12). */
    bad = p;
    {
        uint32_t tag;  /* the first word, in host order */
        memcpy(&tag, &bad, sizeof tag);
        tag ^= 0x3000u;
        memcpy(&bad, &tag, sizeof tag);
        ck_assert_int_eq(twin_health_unpack(&bad, &back, &err), TWIN_E_ABI);
        tag ^= 0x3000u ^ 0x0ff0u;  /* right version, unknown kind */
        memcpy(&bad, &tag, sizeof tag);
        ck_assert_int_eq(twin_health_unpack(&bad, &back, &err), TWIN_E_INVAL);
    }
    ck_assert_mem_eq(&back, &keep, sizeof back);  /* every refusal left it */
}
END_TEST

static Suite *health_pack_suite(void)
{
    Suite *s = suite_create("health_pack");
    TCase *tc = tcase_create("pack");
    tcase_add_test(tc, test_health_packed_is_112_bytes);
    tcase_add_test(tc, test_health_pack_round_trips_and_updates_match_unpacked_ones);
    tcase_add_test(tc, test_health_pack_linear_state_keeps_levels_and_stats);
    tcase_add_test(tc, test_health_pack_user_models_that_fit_and_one_that_does_not);
    tcase_add_test(tc, test_health_pack_refuses_what_is_not_a_state);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(health_pack_suite());
}
