/* Sweep cases of the health module: the RUL predictor allocates (from the
 * allocator it is given); everything else works in caller storage. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

#define SEC INT64_C(1000000)
#define RUNS 6
#define LIFE 40
#define NSEN 2

static uint32_t f_run[RUNS * LIFE];
static int64_t f_t[RUNS * LIFE];
static double f_sen[RUNS * LIFE * NSEN];

static twin_health_fleet fleet(void)
{
    twin_health_fleet f;
    for (size_t k = 0; k < RUNS; k++)
        for (size_t i = 0; i < LIFE; i++) {
            size_t r = k * LIFE + i;
            double wear = exp(0.1 * ((double)i - LIFE)) * 5.0;
            f_run[r] = (uint32_t)k;
            f_t[r] = (int64_t)(i + 1) * SEC;
            f_sen[r * NSEN] = 50 + wear + 0.01 * (double)((r * 7) % 5);
            f_sen[r * NSEN + 1] = 80 - wear + 0.01 * (double)((r * 3) % 7);
        }
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.nsensors = NSEN;
    f.nrows = RUNS * LIFE;
    f.run = f_run;
    f.t_us = f_t;
    f.sensors = f_sen;
    return f;
}

static twin_status call_fit(sw_ctx *c)
{
    twin_health_fleet f = fleet();
    twin_health_predictor_params p;
    twin_health_predictor_params_init(&p);
    p.trees = 4;
    p.depth = 2;
    p.bins = 8;
    p.horizon = 30;
    p.fast_span = 5;
    p.slow_span = 8;
    p.baseline = 5;
    return twin_health_predictor_fit(&c->hp, &f, &p, &c->fa->alloc, NULL);
}

static void setup_fitted(sw_ctx *c)
{
    ck_assert_int_eq(call_fit(c), TWIN_OK);
}

static void setup_saved(sw_ctx *c)
{
    size_t n = 0;
    setup_fitted(c);
    ck_assert_int_eq(twin_health_predictor_save(c->hp, NULL, 0, &n, NULL), TWIN_E_RANGE);
    c->aux = malloc(n);
    c->aux_n = n;
    ck_assert_int_eq(twin_health_predictor_save(c->hp, c->aux, n, NULL, NULL), TWIN_OK);
    twin_health_predictor_destroy(c->hp);
    c->hp = NULL;
}

static twin_status call_load(sw_ctx *c)
{
    return twin_health_predictor_load(&c->hp, c->aux, c->aux_n, &c->fa->alloc, NULL);
}

const sw_case sw_cases_health[] = {
    {"health_predictor_fit", "twin_health_predictor_fit twin_health_predictor_params_init_",
     NULL, call_fit, 0, 0},
    {"health_predictor_load", "twin_health_predictor_load", setup_saved, call_load, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

/* ---- functions that do not allocate ---- */

static void opts(twin_health_options *o)
{
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_LINEAR;
    o->failure_level = 100;
    o->noise = 0.5;
    o->prior_mean[0] = 10.5;
    o->prior_mean[1] = 0.5 / 1e6;
    o->prior_cov[0] = 1;
    o->prior_cov[3] = 1e-6;
}

static twin_status na_health(sw_ctx *c)
{
    twin_health h, h2;
    twin_health_options o, o2;
    twin_health_event ev;
    twin_health_stats st;
    twin_health_rul rul;
    twin_health_packed pk;
    unsigned char buf[4096];
    size_t need = 0;
    double v = 0, mean[2], cov[4];
    twin_error err;
    (void)c;
    opts(&o);
    SW_CHECK(twin_health_init(&h, &o, 0, &err) == TWIN_OK);
    for (int i = 1; i <= 20; i++) {
        memset(&ev, 0, sizeof ev);
        ev.size = sizeof ev;
        SW_CHECK(twin_health_update(&h, &o, i * SEC, 10 + 0.5 * i, &ev, &err) == TWIN_OK);
    }
    SW_CHECK(twin_health_predict(&h, &o, 30 * SEC, &v, &err) == TWIN_OK);
    SW_CHECK(twin_health_get_score(&h, &o, 30 * SEC, &v, &err) == TWIN_OK);
    SW_CHECK(twin_health_get_time_to(&h, &o, 100, &v, &err) == TWIN_OK);
    memset(&rul, 0, sizeof rul);
    rul.size = sizeof rul;
    SW_CHECK(twin_health_get_rul(&h, &o, 0.05, 0.95, &rul, &err) == TWIN_OK);
    SW_CHECK(twin_health_get_posterior(&h, mean, cov, &err) == TWIN_OK);
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    SW_CHECK(twin_health_get_stats(&h, &st, &err) == TWIN_OK);
    SW_CHECK(twin_health_set_failure_level(&h, &o, 120, &err) == TWIN_OK);
    SW_CHECK(twin_health_pack(&h, &pk, &err) == TWIN_OK);
    SW_CHECK(twin_health_unpack(&pk, &h2, &err) == TWIN_OK);
    SW_CHECK(twin_health_encode(&h, buf, sizeof buf, &need, &err) == TWIN_OK);
    SW_CHECK(twin_health_decode(&h2, buf, need, &err) == TWIN_OK);
    SW_CHECK(twin_health_options_encode(&o, buf, sizeof buf, &need, &err) == TWIN_OK);
    twin_health_options_init(&o2);
    SW_CHECK(twin_health_options_decode(&o2, buf, need, &err) == TWIN_OK);
    return TWIN_OK;
}

static twin_status na_fit_prior(sw_ctx *c)
{
    static int64_t t[3][12];
    static double v[3][12];
    twin_health_run runs[3];
    twin_health_options o;
    twin_error err;
    (void)c;
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 12; i++) {
            t[k][i] = (i + 1) * 3600 * SEC;
            v[k][i] = 1 + (0.1 + 0.01 * k) * i + 0.001 * ((i * 7 + k) % 3);
        }
        runs[k].t_us = t[k];
        runs[k].v = v[k];
        runs[k].n = 12;
    }
    opts(&o);
    SW_CHECK(twin_health_fit_prior(&o, runs, 3, &err) == TWIN_OK);
    return TWIN_OK;
}

static twin_status na_fusion(sw_ctx *c)
{
    twin_health_fleet f = fleet();
    twin_health_fusion fu;
    double idx = 0;
    uint32_t reg = 0;
    twin_error err;
    (void)c;
    SW_CHECK(twin_health_fusion_fit(&fu, &f, 1, 30, &err) == TWIN_OK);
    SW_CHECK(twin_health_fusion_apply(&fu, f_sen, NULL, &idx, &reg, &err) == TWIN_OK);
    return TWIN_OK;
}

static twin_status na_predictor(sw_ctx *c)
{
    twin_health_predictor_info in;
    twin_health_track tr;
    twin_health_rul_estimate e;
    size_t need = 0;
    twin_health_predictor_params p;
    double mean[1] = {0};
    SW_CHECK(twin_health_predictor_params_init(&p) == TWIN_OK);
    memset(&in, 0, sizeof in);
    in.size = sizeof in;
    SW_CHECK(twin_health_predictor_get_info(c->hp, &in, NULL) == TWIN_OK);
    SW_CHECK(twin_health_predictor_save(c->hp, NULL, 0, &need, NULL) == TWIN_E_RANGE);
    SW_CHECK(need == in.bytes);
    SW_CHECK(twin_health_track_init(c->hp, &tr, NULL) == TWIN_OK);
    for (int i = 0; i < 10; i++)
        SW_CHECK(twin_health_track_update(c->hp, &tr, &f_sen[i * NSEN], mean, NULL) == TWIN_OK);
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    SW_CHECK(twin_health_track_get_rul(c->hp, &tr, &e, NULL) == TWIN_OK);
    twin_health_predictor_destroy(c->hp);
    c->hp = NULL;
    return TWIN_OK;
}

const sw_noalloc sw_noalloc_health[] = {
    {"twin_health_options_init_ twin_health_init twin_health_update twin_health_predict "
     "twin_health_get_score twin_health_get_time_to twin_health_get_rul "
     "twin_health_get_posterior twin_health_get_stats twin_health_set_failure_level "
     "twin_health_pack twin_health_unpack twin_health_encode twin_health_decode "
     "twin_health_options_encode twin_health_options_decode",
     "a health state is plain data in caller storage", NULL, na_health},
    {"twin_health_fit_prior", "fits into the caller's options", NULL, na_fit_prior},
    {"twin_health_fusion_fit twin_health_fusion_apply", "a fixed-size struct of the caller",
     NULL, na_fusion},
    {"twin_health_predictor_params_init_ twin_health_predictor_get_info "
     "twin_health_predictor_save twin_health_track_init twin_health_track_update "
     "twin_health_track_get_rul twin_health_predictor_destroy",
     "readers of a fitted predictor into caller storage; destroy only frees", setup_fitted,
     na_predictor},
    {NULL, NULL, NULL, NULL},
};
