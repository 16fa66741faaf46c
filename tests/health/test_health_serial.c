/* Unit tests of the encoded forms (twin_health_encode/decode,
 * twin_health_options_encode/decode): round trips at every step of a
 * model's life (encode, decode, encode gives the same bytes and the same
 * state), the documented byte layout, user models, and refusal of
 * truncated, corrupted and unknown input (TWIN_E_PARSE, never a crash). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/health_util.h"
#include "support/run.h"
#include "twin/twin.h"

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

/* Encode h, decode it, encode again: same bytes, same state. */
static void round_trip(const twin_health *h)
{
    unsigned char a[TWIN_HEALTH_ENCODED_MAX], b[TWIN_HEALTH_ENCODED_MAX];
    size_t na = 0, nb = 0;
    twin_health back;
    ck_assert_int_eq(twin_health_encode(h, a, sizeof a, &na, NULL), TWIN_OK);
    ck_assert_uint_eq(na, TWIN_HEALTH_ENCODED_MAX);
    memset(&back, 0x5a, sizeof back);
    ck_assert_int_eq(twin_health_decode(&back, a, na, NULL), TWIN_OK);
    ck_assert_mem_eq(&back, h, sizeof back);
    ck_assert_int_eq(twin_health_encode(&back, b, sizeof b, &nb, NULL), TWIN_OK);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(a, b, na);
}

START_TEST(test_health_encode_round_trips_through_a_models_life)
{
    static const int recal[] = {TWIN_HEALTH_RECAL_NONE, TWIN_HEALTH_RECAL_EMA,
                                TWIN_HEALTH_RECAL_KALMAN};
    for (size_t k = 0; k < sizeof recal / sizeof recal[0]; k++) {
        twin_health_options o;
        twin_health h;
        prng r = {7};
        int diverged = 0;
        exp_options(&o, recal[k]);
        ck_assert_int_eq(twin_health_init(&h, &o, 1000, NULL), TWIN_OK);
        round_trip(&h);
        for (int i = 0; i < 120; i++) {
            twin_health_event e = event_new();
            twin_health via;
            unsigned char buf[TWIN_HEALTH_ENCODED_MAX];
            ck_assert_int_eq(twin_health_update(&h, &o, 1000 + us_of_s(i * 3600.0),
                                                signal_at(&r, i), &e, NULL),
                             TWIN_OK);
            round_trip(&h);
            /* the decoded state goes on exactly as the original */
            ck_assert_int_eq(twin_health_encode(&h, buf, sizeof buf, NULL, NULL), TWIN_OK);
            ck_assert_int_eq(twin_health_decode(&via, buf, sizeof buf, NULL), TWIN_OK);
            ck_assert_mem_eq(&via, &h, sizeof via);
            diverged |= e.diverged;
        }
        ck_assert_int_eq(diverged, 1);
    }
}
END_TEST

/* The documented layout, byte for byte, of a linear state. */
START_TEST(test_health_encode_layout_is_the_documented_one)
{
    twin_health_options o;
    twin_health h;
    unsigned char b[TWIN_HEALTH_ENCODED_MAX];
    double mean[2], d;
    uint64_t u;
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_LINEAR;
    o.prior_mean[0] = 2.0;
    o.failure_level = 7.5;
    ck_assert_int_eq(twin_health_init(&h, &o, -5000000, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_update(&h, &o, 1000000, 2.5, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_encode(&h, b, sizeof b, NULL, NULL), TWIN_OK);
    ck_assert(b[0] == 'H' && b[1] == 'S' && b[2] == TWIN_HEALTH_ENCODING_VERSION &&
              b[3] == TWIN_HEALTH_LINEAR);
    /* t0 = -5000000 little-endian two's complement */
    u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b[16 + i];
    ck_assert((int64_t)u == -5000000);
    ck_assert(b[24] == 0x40 && b[25] == 0x42 && b[26] == 0x0f && b[27] == 0);  /* 1000000 */
    ck_assert(b[32] == 1 && b[33] == 0);  /* one sample */
    u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b[72 + i];
    memcpy(&d, &u, sizeof d);
    ck_assert(d == 7.5);
    ck_assert_int_eq(twin_health_get_posterior(&h, mean, NULL, NULL), TWIN_OK);
    u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b[80 + i];
    memcpy(&d, &u, sizeof d);
    ck_assert(d == mean[0]);
    for (int i = 120; i < TWIN_HEALTH_ENCODED_MAX; i++) ck_assert_uint_eq(b[i], 0);
}
END_TEST

START_TEST(test_health_encode_small_buffer_returns_range_and_needed)
{
    twin_health_options o;
    twin_health h;
    unsigned char b[TWIN_HEALTH_ENCODED_MAX];
    size_t needed = 0;
    twin_error err;
    exp_options(&o, TWIN_HEALTH_RECAL_NONE);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_encode(&h, NULL, 0, &needed, &err), TWIN_E_RANGE);
    ck_assert_uint_eq(needed, TWIN_HEALTH_ENCODED_MAX);
    memset(b, 0x77, sizeof b);
    ck_assert_int_eq(twin_health_encode(&h, b, sizeof b - 1, &needed, NULL), TWIN_E_RANGE);
    for (size_t i = 0; i < sizeof b; i++) ck_assert_uint_eq(b[i], 0x77);
    ck_assert_int_eq(twin_health_encode(NULL, b, sizeof b, NULL, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_encode(&h, NULL, sizeof b, NULL, NULL), TWIN_E_INVAL);
    needed = 0;
    ck_assert_int_eq(twin_health_options_encode(&o, NULL, 0, &needed, NULL), TWIN_E_RANGE);
    ck_assert_uint_eq(needed, TWIN_HEALTH_OPTIONS_ENCODED_MAX);
}
END_TEST

/* A user model: its 64-byte area travels as is; its options come back
 * without the table. */
static twin_status u_init(void *ud, void *state)
{
    unsigned char *s = state;
    (void)ud;
    for (int i = 0; i < TWIN_HEALTH_USER_STATE_MAX; i++) s[i] = (unsigned char)(i * 7 + 1);
    return TWIN_OK;
}

static double u_predict(void *ud, const void *state, double t)
{
    (void)ud;
    return 1.0 + ((const unsigned char *)state)[0] + 0 * t;
}

static twin_status u_update(void *ud, void *state, double t, double v, int32_t diverged)
{
    (void)ud, (void)t, (void)v, (void)diverged;
    ((unsigned char *)state)[0]++;
    return TWIN_OK;
}

START_TEST(test_health_encode_user_model_state_and_options)
{
    twin_health_model m = {sizeof m, TWIN_HEALTH_USER_STATE_MAX, NULL, u_init, u_predict,
                           u_update};
    twin_health_options o, back;
    twin_health h;
    unsigned char b[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
    size_t n;
    double v;
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_USER;
    o.user = &m;
    o.failure_level = 100.0;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_update(&h, &o, 1000000, 3.0, NULL, NULL), TWIN_OK);
    round_trip(&h);
    ck_assert_int_eq(twin_health_options_encode(&o, b, sizeof b, &n, NULL), TWIN_OK);
    ck_assert_uint_eq(n, TWIN_HEALTH_OPTIONS_ENCODED_MAX);
    twin_health_options_init(&back);
    back.user = &m;
    ck_assert_int_eq(twin_health_options_decode(&back, b, n, NULL), TWIN_OK);
    ck_assert_ptr_null(back.user);
    ck_assert_int_eq(back.model, TWIN_HEALTH_USER);
    back.user = &m;  /* re-attached by the caller */
    ck_assert_mem_eq(&back, &o, sizeof o);
    ck_assert_int_eq(twin_health_predict(&h, &back, 1000000, &v, NULL), TWIN_OK);
    ck_assert(v == 1.0 + 2.0);
}
END_TEST

START_TEST(test_health_options_encode_round_trips_and_keeps_nan_level)
{
    twin_health_options o, back;
    unsigned char a[TWIN_HEALTH_OPTIONS_ENCODED_MAX], b2[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
    size_t n;
    exp_options(&o, TWIN_HEALTH_RECAL_KALMAN);
    o.phi = 0.05;
    o.prior_cov[1] = o.prior_cov[2] = 1e-5;
    o.process_noise[0] = 1e-9;
    o.divergence_count = 5;
    o.ema_alpha = 0.25;
    ck_assert(isnan(o.failure_level));
    ck_assert_int_eq(twin_health_options_encode(&o, a, sizeof a, &n, NULL), TWIN_OK);
    ck_assert(a[0] == 'H' && a[1] == 'O' && a[2] == 1 && a[3] == TWIN_HEALTH_EXPONENTIAL);
    ck_assert(a[4] == TWIN_HEALTH_RECAL_KALMAN && a[8] == 5);
    twin_health_options_init(&back);
    ck_assert_int_eq(twin_health_options_decode(&back, a, n, NULL), TWIN_OK);
    ck_assert_mem_eq(&back, &o, sizeof o);  /* NaN bits included */
    ck_assert_int_eq(twin_health_options_encode(&back, b2, sizeof b2, &n, NULL), TWIN_OK);
    ck_assert_mem_eq(a, b2, sizeof a);
}
END_TEST

/* A caller compiled with a smaller struct: only its part is written. */
START_TEST(test_health_options_decode_writes_only_the_callers_size)
{
    twin_health_options o;
    unsigned char b[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
    unsigned char big[sizeof(twin_health_options) + 16];
    twin_health_options *p = (twin_health_options *)(void *)big;
    size_t part = offsetof(twin_health_options, divergence_count);
    exp_options(&o, TWIN_HEALTH_RECAL_NONE);
    o.phi = 0.5;
    ck_assert_int_eq(twin_health_options_encode(&o, b, sizeof b, NULL, NULL), TWIN_OK);
    memset(big, 0xee, sizeof big);
    p->size = (uint32_t)part;
    ck_assert_int_eq(twin_health_options_decode(p, b, sizeof b, NULL), TWIN_OK);
    ck_assert_uint_eq(p->size, part);
    ck_assert(p->phi == 0.5);
    for (size_t i = part; i < sizeof big; i++) ck_assert_uint_eq(big[i], 0xee);
    p->size = sizeof(twin_health_options) + 8;
    ck_assert_int_eq(twin_health_options_decode(p, b, sizeof b, NULL), TWIN_E_ABI);
    p->size = 2;
    ck_assert_int_eq(twin_health_options_decode(p, b, sizeof b, NULL), TWIN_E_INVAL);
    /* encoding a smaller struct takes the defaults for the rest */
    p->size = (uint32_t)part;
    ck_assert_int_eq(twin_health_options_encode(p, b, sizeof b, NULL, NULL), TWIN_OK);
}
END_TEST

/* Every truncation and every single-byte corruption: PARSE or a valid
 * state, never a crash (ASan); the target stays as it was on PARSE. */
START_TEST(test_health_decode_truncated_or_corrupted_returns_parse)
{
    twin_health_options o;
    twin_health h, out, keep;
    unsigned char b[TWIN_HEALTH_ENCODED_MAX], bad[TWIN_HEALTH_ENCODED_MAX + 1];
    twin_error err;
    exp_options(&o, TWIN_HEALTH_RECAL_NONE);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_update(&h, &o, 3600000000, 0.102, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_encode(&h, b, sizeof b, NULL, NULL), TWIN_OK);
    memset(&keep, 0x33, sizeof keep);
    out = keep;
    for (size_t n = 0; n < sizeof b; n++) {
        unsigned char *cut = malloc(n ? n : 1);  /* exact size: ASan sees overreads */
        memcpy(cut, b, n);
        ck_assert_int_eq(twin_health_decode(&out, cut, n, &err), TWIN_E_PARSE);
        ck_assert_int_eq(err.status, TWIN_E_PARSE);
        free(cut);
    }
    memcpy(bad, b, sizeof b);
    bad[sizeof b] = 0;
    ck_assert_int_eq(twin_health_decode(&out, bad, sizeof bad, NULL), TWIN_E_PARSE);
    ck_assert_mem_eq(&out, &keep, sizeof out);
    for (size_t i = 0; i < sizeof b; i++)
        for (unsigned x = 1; x < 256; x <<= 1) {
            twin_status s;
            memcpy(bad, b, sizeof b);
            bad[i] ^= (unsigned char)x;
            s = twin_health_decode(&out, bad, sizeof b, NULL);
            ck_assert(s == TWIN_OK || s == TWIN_E_PARSE);
            if (s == TWIN_OK) {
                unsigned char again[TWIN_HEALTH_ENCODED_MAX];
                ck_assert_int_eq(twin_health_encode(&out, again, sizeof again, NULL, NULL),
                                 TWIN_OK);
                ck_assert_mem_eq(again, bad, sizeof again);
                out = keep;
            }
        }
    ck_assert_mem_eq(&out, &keep, sizeof out);
}
END_TEST

static void put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The checks the documentation names, one by one. */
START_TEST(test_health_decode_fields_out_of_range_return_parse)
{
    twin_health_options o;
    twin_health h, out;
    unsigned char b[TWIN_HEALTH_ENCODED_MAX], bad[TWIN_HEALTH_ENCODED_MAX];
    exp_options(&o, TWIN_HEALTH_RECAL_NONE);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_encode(&h, b, sizeof b, NULL, NULL), TWIN_OK);
#define BAD(stmt)                                                                    \
    do {                                                                             \
        memcpy(bad, b, sizeof b);                                                    \
        stmt;                                                                        \
        ck_assert_int_eq(twin_health_decode(&out, bad, sizeof bad, NULL), TWIN_E_PARSE); \
    } while (0)
    BAD(bad[0] = 'h');                    /* tag */
    BAD(bad[1] = 'O');                    /* an options tag */
    BAD(bad[2] = 0);                      /* version */
    BAD(bad[2] = 2);                      /* a version this library does not know */
    BAD(bad[3] = 0);                      /* kind */
    BAD(bad[3] = 4);
    BAD(bad[4] = 2);                      /* unknown flag */
    BAD(bad[12] = 1);                     /* reserved */
    BAD(bad[31] = 0x80);                  /* latest before time zero */
    BAD(bad[40] = 1);                     /* recalibrations > samples */
    BAD(put_f64(bad + 48, NAN));          /* error mean */
    BAD(put_f64(bad + 56, -1.0));         /* squared deviations */
    BAD(put_f64(bad + 64, INFINITY));     /* baseline */
    BAD(put_f64(bad + 72, NAN));          /* failure level */
    BAD(put_f64(bad + 72, 0.05));         /* below the baseline (exponential) */
    BAD(put_f64(bad + 80, INFINITY));     /* parameter */
    BAD(put_f64(bad + 96, 0.0));          /* information L00 */
    BAD(put_f64(bad + 112, -1.0));        /* information L11 */
    BAD(bad[130] = 1);                    /* padding of a built-in model */
#undef BAD
    ck_assert_int_eq(twin_health_decode(NULL, b, sizeof b, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_health_decode(&out, NULL, sizeof b, NULL), TWIN_E_INVAL);
    /* options handed to the state decoder, and the reverse */
    {
        unsigned char ob[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
        twin_health_options oo;
        ck_assert_int_eq(twin_health_options_encode(&o, ob, sizeof ob, NULL, NULL), TWIN_OK);
        ck_assert_int_eq(twin_health_decode(&out, ob, sizeof ob, NULL), TWIN_E_PARSE);
        twin_health_options_init(&oo);
        ck_assert_int_eq(twin_health_options_decode(&oo, b, sizeof b, NULL), TWIN_E_PARSE);
    }
}
END_TEST

START_TEST(test_health_options_decode_truncated_or_invalid_returns_parse)
{
    twin_health_options o, out, keep;
    unsigned char b[TWIN_HEALTH_OPTIONS_ENCODED_MAX], bad[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
    exp_options(&o, TWIN_HEALTH_RECAL_EMA);
    ck_assert_int_eq(twin_health_options_encode(&o, b, sizeof b, NULL, NULL), TWIN_OK);
    twin_health_options_init(&keep);
    out = keep;
    for (size_t n = 0; n < sizeof b; n++) {
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, b, n);
        ck_assert_int_eq(twin_health_options_decode(&out, cut, n, NULL), TWIN_E_PARSE);
        free(cut);
    }
#define BAD(stmt)                                                                          \
    do {                                                                                   \
        memcpy(bad, b, sizeof b);                                                          \
        stmt;                                                                              \
        ck_assert_int_eq(twin_health_options_decode(&out, bad, sizeof bad, NULL), TWIN_E_PARSE); \
    } while (0)
    BAD(bad[2] = 9);                      /* version */
    BAD(bad[3] = 0);                      /* kind */
    BAD(bad[4] = 0);                      /* recalibration */
    BAD(bad[4] = 4);
    BAD(bad[8] = 0);                      /* divergence count */
    BAD(bad[12] = 1);                     /* reserved */
    BAD(put_f64(bad + 16, NAN));          /* phi */
    BAD(put_f64(bad + 48, INFINITY));     /* covariance */
    BAD(put_f64(bad + 72, 0.0));          /* noise */
    BAD(put_f64(bad + 80, -1e-9));        /* process noise */
    BAD(put_f64(bad + 96, INFINITY));     /* failure level: NaN or finite */
    BAD(put_f64(bad + 120, 0.5));         /* clear above threshold */
    BAD(put_f64(bad + 128, 1.5));         /* EMA alpha */
    BAD(put_f64(bad + 144, NAN));         /* recalibration noise */
#undef BAD
    ck_assert_mem_eq(&out, &keep, sizeof out);
    /* invalid options are not encoded */
    o.noise = -1;
    ck_assert_int_eq(twin_health_options_encode(&o, b, sizeof b, NULL, NULL), TWIN_E_INVAL);
}
END_TEST

/* The raw structs of libtwin 1.2 to 1.4 (what snapshots of format 1 and
 * databases of schema 1 hold): this build's structs are still that layout,
 * so their bytes are the legacy form (the golden files keep real ones). */
START_TEST(test_health_decode_reads_the_legacy_raw_structs)
{
    twin_health_options o, back;
    twin_health h, hb;
    unsigned char raw[sizeof h];
    prng r = {3};
    exp_options(&o, TWIN_HEALTH_RECAL_EMA);
    ck_assert_int_eq(twin_health_init(&h, &o, 5, NULL), TWIN_OK);
    for (int i = 0; i < 80; i++)
        ck_assert_int_eq(twin_health_update(&h, &o, 5 + us_of_s(i * 3600.0), signal_at(&r, i),
                                            NULL, NULL),
                         TWIN_OK);
    memcpy(raw, &h, sizeof raw);
    if (memcmp(raw + 4, "1LEH", 4) != 0) return;  /* a later layout: golden files only */
    ck_assert_int_eq(twin_health_decode(&hb, raw, sizeof raw, NULL), TWIN_OK);
    ck_assert_mem_eq(&hb, &h, sizeof h);
    ck_assert_int_eq(twin_health_decode(&hb, raw, sizeof raw - 1, NULL), TWIN_E_PARSE);
    raw[8] = 9;  /* kind */
    ck_assert_int_eq(twin_health_decode(&hb, raw, sizeof raw, NULL), TWIN_E_PARSE);
    o.user = NULL;
    twin_health_options_init(&back);
    ck_assert_int_eq(twin_health_options_decode(&back, &o, sizeof o, NULL), TWIN_OK);
    ck_assert_mem_eq(&back, &o, sizeof o);
    o.noise = 0;
    ck_assert_int_eq(twin_health_options_decode(&back, &o, sizeof o, NULL), TWIN_E_PARSE);
}
END_TEST

/* The limits of the decoders (health.h, docs/limits.md): the lengths are
 * those of the forms; at them the state and options decode, one byte
 * more (a valid form and a zero) is refused with TWIN_E_PARSE and the
 * output is unchanged. */
START_TEST(test_health_decode_lengths_at_limit_and_past)
{
    twin_health_options o, ob, keep_o;
    twin_health h, hb, keep;
    unsigned char b[TWIN_HEALTH_OPTIONS_ENCODED_MAX + 1], raw[sizeof h + 1];
    twin_error err;
    exp_options(&o, TWIN_HEALTH_RECAL_NONE);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_update(&h, &o, 3600000000, 0.102, NULL, NULL), TWIN_OK);
    memset(b, 0, sizeof b);
    ck_assert_int_eq(twin_health_encode(&h, b, TWIN_HEALTH_ENCODED_MAX, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_decode(&hb, b, TWIN_HEALTH_ENCODED_MAX, NULL), TWIN_OK);
    ck_assert_mem_eq(&hb, &h, sizeof h);
    keep = hb;
    ck_assert_int_eq(twin_health_decode(&hb, b, TWIN_HEALTH_ENCODED_MAX + 1, &err), TWIN_E_PARSE);
    ck_assert_int_eq(err.status, TWIN_E_PARSE);
    ck_assert_mem_eq(&hb, &keep, sizeof hb);
    memset(b, 0, sizeof b);
    ck_assert_int_eq(twin_health_options_encode(&o, b, TWIN_HEALTH_OPTIONS_ENCODED_MAX, NULL, NULL),
                     TWIN_OK);
    twin_health_options_init(&ob);
    ck_assert_int_eq(twin_health_options_decode(&ob, b, TWIN_HEALTH_OPTIONS_ENCODED_MAX, NULL),
                     TWIN_OK);
    ck_assert(ob.noise == o.noise && ob.prior_mean[1] == o.prior_mean[1]);
    keep_o = ob;
    ck_assert_int_eq(twin_health_options_decode(&ob, b, TWIN_HEALTH_OPTIONS_ENCODED_MAX + 1, NULL),
                     TWIN_E_PARSE);
    ck_assert_mem_eq(&ob, &keep_o, sizeof ob);
    /* the legacy raw state: 192 bytes (where this build still has that layout) */
    memcpy(raw, &h, sizeof h);
    raw[sizeof h] = 0;
    if (memcmp(raw + 4, "1LEH", 4) != 0) return;
    ck_assert_int_eq(twin_health_decode(&hb, raw, 192, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_decode(&hb, raw, 193, NULL), TWIN_E_PARSE);
    ck_assert_mem_eq(&hb, &h, sizeof h);
}
END_TEST

static Suite *health_serial_suite(void)
{
    Suite *s = suite_create("health_serial");
    TCase *tc = tcase_create("encode");
    TCase *td = tcase_create("decode");
    tcase_add_test(tc, test_health_encode_round_trips_through_a_models_life);
    tcase_add_test(tc, test_health_encode_layout_is_the_documented_one);
    tcase_add_test(tc, test_health_encode_small_buffer_returns_range_and_needed);
    tcase_add_test(tc, test_health_encode_user_model_state_and_options);
    tcase_add_test(tc, test_health_options_encode_round_trips_and_keeps_nan_level);
    tcase_add_test(td, test_health_options_decode_writes_only_the_callers_size);
    tcase_add_test(td, test_health_decode_truncated_or_corrupted_returns_parse);
    tcase_add_test(td, test_health_decode_fields_out_of_range_return_parse);
    tcase_add_test(td, test_health_options_decode_truncated_or_invalid_returns_parse);
    tcase_add_test(td, test_health_decode_reads_the_legacy_raw_structs);
    tcase_add_test(td, test_health_decode_lengths_at_limit_and_past);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, td);
    return s;
}

int main(void)
{
    return run_suite(health_serial_suite());
}
