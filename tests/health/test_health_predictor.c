/* Unit tests of the RUL predictor (twin_health_predictor_*, twin_health_track_*)
 * on a synthetic fleet: engines whose sensors drift exponentially towards
 * failure, under two operating regimes. Fitting, determinism, estimates,
 * censoring, tracks, the binary form (round trip, every truncation, every
 * single-byte corruption, fields out of range behind a valid CRC) and
 * allocation failures. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/health_util.h"
#include "support/failalloc.h"
#include "support/run.h"
#include "twin/twin.h"

#define NSEN 4
#define NSET 2
#define RUNS 40

typedef struct synth {
    size_t n;
    uint32_t run[RUNS * 400];
    int64_t t_us[RUNS * 400];
    double sen[RUNS * 400 * NSEN];
    double set[RUNS * 400 * NSET];
    size_t first[RUNS], len[RUNS];
} synth;

static synth S;

/* Run k: life 120..300 cycles; sensors = regime offset + wear + noise. */
static void make_fleet(synth *s, uint64_t seed)
{
    prng r = {seed};
    s->n = 0;
    for (uint32_t k = 0; k < RUNS; k++) {
        size_t life = 120 + (size_t)(prng_next(&r) % 181);
        double rate = 0.02 + 0.01 * prng_uniform(&r), off = 0.3 * prng_normal(&r);
        s->first[k] = s->n;
        s->len[k] = life;
        for (size_t c = 0; c < life; c++) {
            size_t i = s->n++;
            int reg = (int)(prng_next(&r) & 1);
            double wear = exp(rate * ((double)c - (double)life)) * 5.0;
            s->run[i] = k;
            s->t_us[i] = (int64_t)(c + 1) * 1000000;
            s->set[i * NSET] = reg ? 20.0 : 0.0;
            s->set[i * NSET + 1] = reg ? 0.7 : 0.0;
            for (int j = 0; j < NSEN; j++)
                s->sen[i * NSEN + j] = (reg ? 100.0 : 50.0) * (j + 1) + off +
                                       (j % 2 ? -wear : wear) + 0.3 * prng_normal(&r);
        }
    }
}

static twin_health_fleet fleet_of(const synth *s, int settings)
{
    twin_health_fleet f;
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.nsensors = NSEN;
    f.nsettings = settings ? NSET : 0;
    f.nrows = s->n;
    f.run = s->run;
    f.t_us = s->t_us;
    f.sensors = s->sen;
    f.settings = settings ? s->set : NULL;
    return f;
}

static void small_params(twin_health_predictor_params *p)
{
    twin_health_predictor_params_init(p);
    p->nregimes = 2;
    p->trees = 60;
    p->depth = 4;
    p->horizon = 60;
}

static twin_health_predictor *fit_small(const twin_allocator *a)
{
    twin_health_fleet f = fleet_of(&S, 1);
    twin_health_predictor_params p;
    twin_health_predictor *m = NULL;
    twin_error err;
    small_params(&p);
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, a, &err), TWIN_OK);
    return m;
}

static unsigned char *save_all(const twin_health_predictor *m, size_t *n)
{
    unsigned char *b;
    ck_assert_int_eq(twin_health_predictor_save(m, NULL, 0, n, NULL), TWIN_E_RANGE);
    b = malloc(*n);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(twin_health_predictor_save(m, b, *n, NULL, NULL), TWIN_OK);
    return b;
}

/* The estimate after the first len cycles of run k. */
static twin_health_rul_estimate estimate(const twin_health_predictor *m, size_t k, size_t len)
{
    twin_health_track t;
    twin_health_rul_estimate e;
    e.size = sizeof e;
    ck_assert_int_eq(twin_health_track_init(m, &t, NULL), TWIN_OK);
    for (size_t i = S.first[k]; i < S.first[k] + len; i++)
        ck_assert_int_eq(twin_health_track_update(m, &t, S.sen + i * NSEN, S.set + i * NSET, NULL),
                         TWIN_OK);
    ck_assert_int_eq(twin_health_track_get_rul(m, &t, &e, NULL), TWIN_OK);
    return e;
}

static void setup(void)
{
    make_fleet(&S, 7);
}

START_TEST(test_predictor_params_init_defaults_and_sizes)
{
    twin_health_predictor_params p;
    ck_assert_int_eq(twin_health_predictor_params_init(&p), TWIN_OK);
    ck_assert_uint_eq(p.size, sizeof p);
    ck_assert_uint_eq(p.trees, 300);
    ck_assert_uint_eq(p.depth, 5);
    ck_assert(p.horizon == 125);
    ck_assert_int_eq(twin_health_predictor_params_init_(&p, sizeof p + 8), TWIN_E_ABI);
    ck_assert_int_eq(twin_health_predictor_params_init_(NULL, sizeof p), TWIN_E_INVAL);
    ck_assert_uint_eq(sizeof(twin_health_track), 512);
}
END_TEST

START_TEST(test_predictor_fit_learns_the_rul_of_unseen_engines)
{
    twin_health_predictor *m = fit_small(NULL);
    synth *keep = malloc(sizeof *keep);
    double sse = 0;
    int n = 0;
    ck_assert_ptr_nonnull(keep);
    memcpy(keep, &S, sizeof S);
    make_fleet(&S, 99); /* other engines, same physics */
    for (size_t k = 0; k < RUNS; k++)
        for (size_t len = 40; len <= S.len[k]; len += 37) {
            twin_health_rul_estimate e = estimate(m, k, len);
            double truth = fmin((double)(S.len[k] - len), 60.0), d = e.rul - truth;
            ck_assert(e.rul >= 0 && e.rul <= 60);
            ck_assert_uint_eq(e.cycles, len);
            sse += d * d;
            n++;
        }
    memcpy(&S, keep, sizeof S);
    free(keep);
    /* a constant guess of the mean would be near 25 */
    ck_assert_double_lt(sqrt(sse / n), 8.0);
    twin_health_predictor_destroy(m);
}
END_TEST

START_TEST(test_predictor_fit_is_deterministic)
{
    twin_health_predictor *a = fit_small(NULL), *b = fit_small(NULL);
    size_t na, nb;
    unsigned char *ba = save_all(a, &na), *bb = save_all(b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(ba, bb, na);
    free(ba);
    free(bb);
    twin_health_predictor_destroy(a);
    twin_health_predictor_destroy(b);
}
END_TEST

START_TEST(test_predictor_censored_flag_follows_the_level)
{
    twin_health_predictor *m = fit_small(NULL);
    twin_health_predictor_info info;
    int censored = 0, plain = 0;
    info.size = sizeof info;
    ck_assert_int_eq(twin_health_predictor_get_info(m, &info, NULL), TWIN_OK);
    ck_assert(info.censor_level == 0.8 * 60);
    ck_assert_uint_eq(info.nfeatures, 4 * (NSEN + 1) + 1);
    for (size_t k = 0; k < RUNS; k++)
        for (size_t len = 5; len <= S.len[k]; len += 23) {
            twin_health_rul_estimate e = estimate(m, k, len);
            ck_assert_uint_eq(e.flags, e.rul >= info.censor_level ? TWIN_HEALTH_RUL_CENSORED : 0u);
            ck_assert(e.horizon == 60);
            censored += e.flags != 0;
            plain += e.flags == 0;
        }
    ck_assert_int_gt(censored, 0); /* young engines: "at least" */
    ck_assert_int_gt(plain, 0);
    twin_health_predictor_destroy(m);
}
END_TEST

START_TEST(test_predictor_fit_without_settings_and_bad_input)
{
    twin_health_fleet f = fleet_of(&S, 0);
    twin_health_predictor_params p;
    twin_health_predictor *m = (twin_health_predictor *)&p;
    twin_error err;
    small_params(&p);
    p.nregimes = 1;
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_OK);
    twin_health_predictor_destroy(m);
    p.depth = 9;
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_E_INVAL);
    ck_assert_ptr_null(m);
    p.depth = 4;
    p.learning_rate = NAN;
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_E_INVAL);
    p.learning_rate = 0.1;
    p.nregimes = 2; /* regimes without settings */
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_E_INVAL);
    p.nregimes = 1;
    S.sen[17] = NAN;
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_E_INVAL);
    ck_assert_int_eq(err.status, TWIN_E_INVAL);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(twin_health_predictor_fit(NULL, &f, &p, NULL, &err), TWIN_E_INVAL);
    f.size = sizeof f + 8;
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_E_ABI);
    f.size = 8;
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_E_INVAL);
    f.size = sizeof f;
    f.nsensors = TWIN_HEALTH_PREDICTOR_SENSORS + 1;
    ck_assert_int_eq(twin_health_predictor_fit(&m, &f, &p, NULL, &err), TWIN_E_INVAL);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_track_nan_input_is_refused_and_leaves_the_track)
{
    twin_health_predictor *m = fit_small(NULL);
    twin_health_track t, keep;
    twin_health_rul_estimate e;
    double sen[NSEN] = {50, 100, 150, 200}, set[NSET] = {0, 0};
    twin_error err;
    e.size = sizeof e;
    ck_assert_int_eq(twin_health_track_init(m, &t, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_track_get_rul(m, &t, &e, &err), TWIN_E_INVAL); /* no cycle */
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, set, NULL), TWIN_OK);
    keep = t;
    sen[2] = NAN;
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, set, &err), TWIN_E_INVAL);
    ck_assert_str_eq(err.message, "a sensor value is not finite");
    sen[2] = 150;
    set[1] = INFINITY;
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, set, &err), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, NULL, &err), TWIN_E_INVAL);
    ck_assert_mem_eq(&t, &keep, sizeof t);
    ck_assert_int_eq(twin_health_track_get_rul(m, &t, &e, &err), TWIN_OK);
    ck_assert_uint_eq(e.cycles, 1);
    twin_health_predictor_destroy(m);
}
END_TEST

START_TEST(test_track_of_another_model_or_layout_is_refused)
{
    twin_health_predictor *m = fit_small(NULL), *other;
    twin_health_fleet f = fleet_of(&S, 1);
    twin_health_predictor_params p;
    twin_health_track t;
    twin_health_rul_estimate e;
    double sen[NSEN] = {50, 100, 150, 200}, set[NSET] = {0, 0};
    small_params(&p);
    p.trees = 10;
    ck_assert_int_eq(twin_health_predictor_fit(&other, &f, &p, NULL, NULL), TWIN_OK);
    e.size = sizeof e;
    ck_assert_int_eq(twin_health_track_init(m, &t, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, set, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_track_update(other, &t, sen, set, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_track_get_rul(other, &t, &e, NULL), TWIN_E_INVAL);
    t.layout_ ^= 1;
    ck_assert_int_eq(twin_health_track_get_rul(m, &t, &e, NULL), TWIN_E_ABI);
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, set, NULL), TWIN_E_INVAL);
    twin_health_predictor_destroy(m);
    twin_health_predictor_destroy(other);
}
END_TEST

START_TEST(test_predictor_binary_round_trip_gives_the_same_estimates)
{
    twin_health_predictor *m = fit_small(NULL), *back;
    twin_health_predictor_info a, b;
    size_t n, n2;
    unsigned char *buf = save_all(m, &n), *buf2;
    twin_error err;
    ck_assert_int_eq(twin_health_predictor_load(&back, buf, n, NULL, &err), TWIN_OK);
    buf2 = save_all(back, &n2);
    ck_assert_uint_eq(n, n2);
    ck_assert_mem_eq(buf, buf2, n);
    a.size = b.size = sizeof a;
    twin_health_predictor_get_info(m, &a, NULL);
    twin_health_predictor_get_info(back, &b, NULL);
    ck_assert_mem_eq(&a, &b, sizeof a);
    ck_assert_uint_eq(a.bytes, n);
    for (size_t k = 0; k < RUNS; k += 3) {
        twin_health_rul_estimate e1 = estimate(m, k, S.len[k] / 2);
        twin_health_rul_estimate e2 = estimate(back, k, S.len[k] / 2);
        ck_assert_mem_eq(&e1, &e2, sizeof e1);
    }
    /* a track started with one is good for the other: same model */
    {
        twin_health_track t;
        twin_health_rul_estimate e;
        e.size = sizeof e;
        twin_health_track_init(m, &t, NULL);
        ck_assert_int_eq(twin_health_track_update(back, &t, S.sen, S.set, NULL), TWIN_OK);
        ck_assert_int_eq(twin_health_track_get_rul(back, &t, &e, NULL), TWIN_OK);
    }
    free(buf);
    free(buf2);
    twin_health_predictor_destroy(m);
    twin_health_predictor_destroy(back);
}
END_TEST

START_TEST(test_predictor_load_refuses_truncation_and_corruption)
{
    twin_health_predictor *m = fit_small(NULL), *back = NULL;
    size_t n;
    unsigned char *buf = save_all(m, &n), *bad = malloc(n);
    twin_error err;
    ck_assert_ptr_nonnull(bad);
    for (size_t len = 0; len < n; len++) {
        memcpy(bad, buf, len);
        ck_assert_int_eq(twin_health_predictor_load(&back, bad, len, NULL, &err), TWIN_E_PARSE);
        ck_assert_ptr_null(back);
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(bad, buf, n);
        bad[i] ^= (unsigned char)(1u << (i % 8));
        ck_assert_int_eq(twin_health_predictor_load(&back, bad, n, NULL, &err), TWIN_E_PARSE);
        ck_assert_ptr_null(back);
    }
    ck_assert_int_eq(twin_health_predictor_load(&back, NULL, 0, NULL, &err), TWIN_E_PARSE);
    ck_assert_int_eq(twin_health_predictor_load(&back, NULL, 5, NULL, &err), TWIN_E_INVAL);
    free(bad);
    free(buf);
    twin_health_predictor_destroy(m);
}
END_TEST

/* zlib's CRC-32, bit by bit, to forge forms with a valid CRC. */
static uint32_t crc32_ref(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static int load_forged(unsigned char *b, size_t n)
{
    twin_health_predictor *m = NULL;
    uint32_t c = crc32_ref(b, n - 4);
    int st;
    for (int i = 0; i < 4; i++) b[n - 4 + i] = (unsigned char)(c >> (8 * i));
    st = twin_health_predictor_load(&m, b, n, NULL, NULL);
    twin_health_predictor_destroy(m);
    return st;
}

START_TEST(test_predictor_load_refuses_fields_out_of_range_behind_a_valid_crc)
{
    twin_health_predictor *m = fit_small(NULL);
    size_t n;
    unsigned char *buf = save_all(m, &n), *bad = malloc(n);
    /* offsets: 12 nsensors, 24 depth, 52 horizon (f64), first tree's first feature */
    size_t tree0 = 84 + 8 * (NSET + 2 * NSET + 2 * 2 * NSEN + NSEN);
    const double nan = NAN;
    ck_assert_ptr_nonnull(bad);
    memcpy(bad, buf, n);
    ck_assert_int_eq(load_forged(bad, n), TWIN_OK); /* the forger is right */
    memcpy(bad, buf, n);
    bad[12] = 17; /* past the limits of the counts: test_predictor_load_limits */
    ck_assert_int_eq(load_forged(bad, n), TWIN_E_RANGE);
    memcpy(bad, buf, n);
    bad[24] = 9;
    ck_assert_int_eq(load_forged(bad, n), TWIN_E_RANGE);
    memcpy(bad, buf, n);
    bad[24] = 0;
    ck_assert_int_eq(load_forged(bad, n), TWIN_E_PARSE);
    memcpy(bad, buf, n);
    memcpy(bad + 52, &nan, 8); /* little-endian hosts */
    ck_assert_int_eq(load_forged(bad, n), TWIN_E_PARSE);
    memcpy(bad, buf, n);
    bad[tree0] = 200; /* feature number out of range */
    ck_assert_int_eq(load_forged(bad, n), TWIN_E_PARSE);
    memcpy(bad, buf, n);
    bad[4] = 2; /* a future format */
    ck_assert_int_eq(load_forged(bad, n), TWIN_E_PARSE);
    free(bad);
    free(buf);
    twin_health_predictor_destroy(m);
}
END_TEST

/* A valid form of these counts, every value in range, with its CRC: one
 * tree after another, each leaf 1.0 (n receives its length). */
static unsigned char *forge(uint32_t ns, uint32_t nq, uint32_t nr, uint32_t depth, uint32_t trees,
                            size_t *n)
{
    size_t doubles = nq + (size_t)nr * nq + 2 * (size_t)nr * ns + ns;
    size_t tree = depth * 5 + ((size_t)4 << depth), len = 84 + 8 * doubles + trees * tree + 4;
    const double head[6] = {0.5, 0.1, 200, 150, 0, 0}; /* alphas, horizon, censor, biases */
    uint32_t counts[6] = {ns, nq, nr, depth, trees, 10};
    unsigned char *b = calloc(len, 1), *p;
    uint32_t c;
    ck_assert_ptr_nonnull(b);
    memcpy(b, "TWRL", 4);
    b[4] = TWIN_HEALTH_PREDICTOR_FORMAT;
    for (int i = 0; i < 4; i++) b[8 + i] = (unsigned char)(len >> (8 * i));
    for (int k = 0; k < 6; k++)
        for (int i = 0; i < 4; i++) b[12 + 4 * k + i] = (unsigned char)(counts[k] >> (8 * i));
    memcpy(b + 36, head, sizeof head); /* little-endian hosts, as load_forged */
    p = b + 84;
    for (size_t k = 0; k < doubles; k++, p += 8) {
        double one = 1.0; /* scales > 0, centres, means and weights: any */
        memcpy(p, &one, 8);
    }
    for (uint32_t t = 0; t < trees; t++) {
        float thr = 0.5f, leaf = 1.0f;
        for (uint32_t l = 0; l < depth; l++) *p++ = (unsigned char)(l % 5);
        for (uint32_t l = 0; l < depth; l++, p += 4) memcpy(p, &thr, 4);
        for (uint32_t j = 0; j < (1u << depth); j++, p += 4) memcpy(p, &leaf, 4);
    }
    c = crc32_ref(b, len - 4);
    for (int i = 0; i < 4; i++) b[len - 4 + i] = (unsigned char)(c >> (8 * i));
    *n = len;
    return b;
}

/* The limits of twin_health_predictor_load() (health.h, docs/limits.md):
 * forms with every count at its limit load and track (two forms: the
 * widest tree set, 65535 trees of depth 1, and the rest at their limits
 * with one tree of depth 8); each count one past it is refused with
 * TWIN_E_RANGE (behind a valid CRC and a length that fits the counts). */
START_TEST(test_predictor_load_limits)
{
    static const struct {
        uint32_t c[5];
        const char *why;
    } past[] = {
        {{TWIN_HEALTH_PREDICTOR_SENSORS + 1, 4, 8, 8, 1}, "sensors"},
        {{16, TWIN_HEALTH_FUSION_SETTINGS + 1, 8, 8, 1}, "settings"},
        {{16, 4, TWIN_HEALTH_FUSION_REGIMES + 1, 8, 1}, "regimes"},
        {{16, 4, 8, 9, 1}, "deeper than 8 levels"},
        {{1, 0, 1, 1, 65536}, "more than 65535 trees"},
    };
    twin_health_predictor *m = NULL;
    twin_health_predictor_info info;
    twin_health_track t;
    twin_health_rul_estimate e;
    twin_error err;
    double sen[16] = {1, 2, 3}, set[4] = {1, 1, 1, 1};
    size_t n;
    unsigned char *b = forge(16, 4, 8, 8, 1, &n);
    ck_assert_int_eq(twin_health_predictor_load(&m, b, n, NULL, &err), TWIN_OK);
    info.size = sizeof info;
    ck_assert_int_eq(twin_health_predictor_get_info(m, &info, NULL), TWIN_OK);
    ck_assert(info.nsensors == 16 && info.nsettings == 4 && info.nregimes == 8 &&
              info.depth == 8 && info.trees == 1 && info.bytes == n);
    ck_assert_int_eq(twin_health_track_init(m, &t, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, set, NULL), TWIN_OK);
    e.size = sizeof e;
    ck_assert_int_eq(twin_health_track_get_rul(m, &t, &e, NULL), TWIN_OK);
    twin_health_predictor_destroy(m);
    free(b);
    b = forge(1, 0, 1, 1, 65535, &n);
    ck_assert_int_eq(twin_health_predictor_load(&m, b, n, NULL, &err), TWIN_OK);
    ck_assert_int_eq(twin_health_predictor_get_info(m, &info, NULL), TWIN_OK);
    ck_assert(info.trees == 65535 && info.depth == 1 && info.bytes == n);
    ck_assert_int_eq(twin_health_track_init(m, &t, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_track_update(m, &t, sen, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_track_get_rul(m, &t, &e, NULL), TWIN_OK);
    ck_assert(e.rul > 0);
    twin_health_predictor_destroy(m);
    free(b);
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        b = forge(past[i].c[0], past[i].c[1], past[i].c[2], past[i].c[3], past[i].c[4], &n);
        m = (twin_health_predictor *)&err; /* set to NULL on failure */
        memset(&err, 0, sizeof err);
        ck_assert_int_eq(twin_health_predictor_load(&m, b, n, NULL, &err), TWIN_E_RANGE);
        ck_assert_ptr_null(m);
        ck_assert_int_eq(err.status, TWIN_E_RANGE);
        ck_assert_msg(strstr(err.message, past[i].why) != NULL, "'%s' does not say '%s'",
                      err.message, past[i].why);
        free(b);
    }
}
END_TEST

START_TEST(test_predictor_save_small_buffer_gives_range)
{
    twin_health_predictor *m = fit_small(NULL);
    unsigned char b[16];
    size_t need = 0;
    ck_assert_int_eq(twin_health_predictor_save(m, b, sizeof b, &need, NULL), TWIN_E_RANGE);
    ck_assert_uint_gt(need, sizeof b);
    ck_assert_int_eq(twin_health_predictor_save(m, NULL, 4, &need, NULL), TWIN_E_INVAL);
    twin_health_predictor_destroy(m);
}
END_TEST

START_TEST(test_predictor_fit_and_load_allocation_failures_leak_nothing)
{
    failalloc fa;
    twin_health_fleet f = fleet_of(&S, 1);
    twin_health_predictor_params p;
    twin_health_predictor *m = NULL, *ref = fit_small(NULL);
    size_t n;
    unsigned char *buf = save_all(ref, &n);
    small_params(&p);
    p.trees = 5;
    failalloc_init(&fa);
    for (size_t k = 0;; k++) {
        twin_status s;
        failalloc_arm(&fa, k);
        s = twin_health_predictor_fit(&m, &f, &p, &fa.alloc, NULL);
        ck_assert(s == TWIN_OK || s == TWIN_E_NOMEM);
        if (s == TWIN_OK) {
            twin_health_predictor_destroy(m);
            ck_assert_uint_eq(fa.live_bytes, 0);
            break;
        }
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(fa.live_bytes, 0);
    }
    for (size_t k = 0;; k++) {
        twin_status s;
        failalloc_arm(&fa, k);
        s = twin_health_predictor_load(&m, buf, n, &fa.alloc, NULL);
        ck_assert(s == TWIN_OK || s == TWIN_E_NOMEM);
        if (s == TWIN_OK) {
            twin_health_predictor_destroy(m);
            ck_assert_uint_eq(fa.live_bytes, 0);
            break;
        }
        ck_assert_uint_eq(fa.live_bytes, 0);
    }
    failalloc_fini(&fa);
    free(buf);
    twin_health_predictor_destroy(ref);
}
END_TEST

static Suite *health_predictor_suite(void)
{
    Suite *s = suite_create("health_predictor");
    TCase *fit = tcase_create("fit");
    TCase *track = tcase_create("track");
    TCase *form = tcase_create("binary");
    tcase_add_checked_fixture(fit, setup, NULL);
    tcase_add_checked_fixture(track, setup, NULL);
    tcase_add_checked_fixture(form, setup, NULL);
    tcase_set_timeout(fit, 120);
    tcase_set_timeout(form, 120);
    tcase_add_test(fit, test_predictor_params_init_defaults_and_sizes);
    tcase_add_test(fit, test_predictor_fit_learns_the_rul_of_unseen_engines);
    tcase_add_test(fit, test_predictor_fit_is_deterministic);
    tcase_add_test(fit, test_predictor_censored_flag_follows_the_level);
    tcase_add_test(fit, test_predictor_fit_without_settings_and_bad_input);
    tcase_add_test(fit, test_predictor_fit_and_load_allocation_failures_leak_nothing);
    tcase_add_test(track, test_track_nan_input_is_refused_and_leaves_the_track);
    tcase_add_test(track, test_track_of_another_model_or_layout_is_refused);
    tcase_add_test(form, test_predictor_binary_round_trip_gives_the_same_estimates);
    tcase_add_test(form, test_predictor_load_refuses_truncation_and_corruption);
    tcase_add_test(form, test_predictor_load_refuses_fields_out_of_range_behind_a_valid_crc);
    tcase_add_test(form, test_predictor_save_small_buffer_gives_range);
    tcase_add_test(form, test_predictor_load_limits);
    suite_add_tcase(s, fit);
    suite_add_tcase(s, track);
    suite_add_tcase(s, form);
    return s;
}

int main(void)
{
    return run_suite(health_predictor_suite());
}
