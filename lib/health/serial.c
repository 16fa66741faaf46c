/* The encoded forms of a health state and of health options: field by
 * field, little-endian, versioned, independent of the in-memory layouts
 * (which may change between minor versions). What stores and snapshots
 * write.
 *
 * State, format version 1, 144 bytes:
 *    0  2  "HS"
 *    2  1  format version (1)
 *    3  1  model kind (1 exponential, 2 linear, 3 user)
 *    4  4  u32 flags (bit 0: diverged; the others zero)
 *    8  4  u32 samples in a row above the divergence threshold
 *   12  4  u32 zero
 *   16  8  i64 time zero, microseconds
 *   24  8  i64 latest sample, microseconds (not before time zero)
 *   32  8  u64 samples accepted
 *   40  8  u64 samples that recalibrated (at most the samples)
 *   48  8  f64 mean of the relative error (not NaN)
 *   56  8  f64 sum of its squared deviations (>= 0)
 *   64  8  f64 baseline (finite)
 *   72  8  f64 failure level (finite, not the baseline; above it for the
 *          exponential model)
 *   80 64  model part: built-in kinds: f64 mean x0, x1, information matrix
 *          L00, L01, L11 (finite, L00 and L11 > 0), then 24 zero bytes;
 *          user models: the 64 bytes of the model's state area as is
 *
 * Options, format version 1, 152 bytes:
 *    0  2  "HO"
 *    2  1  format version (1)
 *    3  1  model kind
 *    4  4  i32 recalibration (1..3)
 *    8  4  u32 divergence count (>= 1)
 *   12  4  u32 zero
 *   16  8  f64 phi;  24 16 prior mean;  40 32 prior covariance;  72 8 noise;
 *   80 16  process noise;  96 8 failure level (NaN allowed);
 *  104  8  failure factor;  112 8 divergence threshold;  120 8 divergence
 *          clear;  128 8 EMA alpha;  136 16 recalibration noise
 * The user model's function table is not encoded.
 *
 * f64 is the IEEE 754 bit pattern as a u64, so that decoding gives the
 * same doubles bit for bit (NaN payloads too). No checksum: the containers
 * (snapshots, SQLite pages) have their own; decoding checks every field.
 *
 * The decoders also read the legacy forms: the raw structs that libtwin
 * 1.2 to 1.4 saved as bytes on little-endian machines (snapshot format 1,
 * SQLite schema 1, a put_health callback's copy), read field by field at
 * their offsets of then (the same on every ABI the library ran on), so that
 * they stay readable whatever the layouts become:
 *   state: 192 bytes: u32 192, u32 layout "HEL1" (0x48454c31), i32 kind,
 *     u32 flags, i64 t0, i64 latest, u64 samples, u64 recalibrations,
 *     u32 above, u32 zero, f64 error mean, f64 m2, f64 baseline, f64
 *     failure, 64-byte model part (built-in: m0, m1, L00, L01, L11), then
 *     zeros
 *   options: 156 or 160 bytes (4- or 8-byte pointer and padding): u32 its
 *     size, i32 model, f64 phi, prior mean[2], prior cov[4], noise, process
 *     noise[2], failure level, failure factor, threshold, clear, u32
 *     count, i32 recalibration, f64 alpha, recal noise[2], the user
 *     pointer (ignored). */
#include "health/health_int.h"

#include <string.h>

#define STATE_V1_BYTES 144u
#define OPTIONS_V1_BYTES 152u
#define MODEL_BYTES 64u

_Static_assert(STATE_V1_BYTES == TWIN_HEALTH_ENCODED_MAX, "the documented size");
_Static_assert(OPTIONS_V1_BYTES == TWIN_HEALTH_OPTIONS_ENCODED_MAX, "the documented size");
_Static_assert(MODEL_BYTES == TWIN_HEALTH_USER_STATE_MAX, "the user state area is encoded whole");

/* ---- little-endian fields ---- */

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void putf(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    put64(p, v);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static double getf(const unsigned char *p)
{
    uint64_t v = get64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

static int kind_ok(int32_t k)
{
    return k >= TWIN_HEALTH_EXPONENTIAL && k <= TWIN_HEALTH_USER;
}

/* (buf, cap, needed): room for n bytes? */
static twin_status room(void *buf, size_t cap, size_t n, size_t *needed, twin_error *err)
{
    if (needed) *needed = n;
    if (cap < n) return twin__hfail(err, TWIN_E_RANGE, "the buffer is too small");
    if (!buf) return twin__hfail(err, TWIN_E_INVAL, "the buffer is NULL");
    return TWIN_OK;
}

/* ---- states ---- */

/* The invariants every state of the library keeps (those the decoder
 * checks): the encoder refuses a state without them, so that what it
 * writes always decodes. */
static int state_valid(const twin__health *s)
{
    if (!kind_ok(s->kind) || (s->flags & ~TWIN__HF_DIVERGED) || s->reserved) return 0;
    if (s->last_us < s->t0_us || s->recal > s->n) return 0;
    if (isnan(s->err_mean) || !(s->err_m2 >= 0)) return 0;
    if (!twin__finite(s->baseline) || !twin__finite(s->failure) || s->failure == s->baseline)
        return 0;
    if (s->kind == TWIN_HEALTH_EXPONENTIAL && !(s->failure > s->baseline)) return 0;
    if (s->kind == TWIN_HEALTH_USER) return 1;
    for (int i = 0; i < 2; i++)
        if (!twin__finite(s->u.g.m[i])) return 0;
    for (int i = 0; i < 3; i++)
        if (!twin__finite(s->u.g.L[i])) return 0;
    return s->u.g.L[0] > 0 && s->u.g.L[2] > 0;
}

twin_status twin_health_encode(const twin_health *h, void *buf, size_t cap, size_t *needed,
                               twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    unsigned char b[STATE_V1_BYTES], *m = b + 80;
    twin_status st;
    if (!h) return twin__hfail(err, TWIN_E_INVAL, "state is NULL");
    if (s->size != sizeof(twin_health))
        return twin__hfail(err, TWIN_E_INVAL, "the state is not initialised");
    if (s->layout != TWIN__HEALTH_LAYOUT)
        return twin__hfail(err, TWIN_E_ABI, "the state was made by another library layout");
    if (!state_valid(s)) return twin__hfail(err, TWIN_E_INVAL, "the state is corrupt");
    if ((st = room(buf, cap, sizeof b, needed, err)) != TWIN_OK) return st;
    memset(b, 0, sizeof b);
    b[0] = 'H';
    b[1] = 'S';
    b[2] = TWIN_HEALTH_ENCODING_VERSION;
    b[3] = (unsigned char)s->kind;
    put32(b + 4, s->flags);
    put32(b + 8, s->above);
    put64(b + 16, (uint64_t)s->t0_us);
    put64(b + 24, (uint64_t)s->last_us);
    put64(b + 32, s->n);
    put64(b + 40, s->recal);
    putf(b + 48, s->err_mean);
    putf(b + 56, s->err_m2);
    putf(b + 64, s->baseline);
    putf(b + 72, s->failure);
    if (s->kind == TWIN_HEALTH_USER) {
        memcpy(m, s->u.user, MODEL_BYTES);
    } else {
        putf(m, s->u.g.m[0]);
        putf(m + 8, s->u.g.m[1]);
        for (int i = 0; i < 3; i++) putf(m + 16 + 8 * i, s->u.g.L[i]);
    }
    memcpy(buf, b, sizeof b);
    return TWIN_OK;
}

static twin_status state_v1(twin__health *s, const unsigned char *b, size_t len)
{
    const unsigned char *m = b + 80;
    if (len != STATE_V1_BYTES) return TWIN_E_PARSE;
    s->kind = b[3];
    s->flags = get32(b + 4);
    s->above = get32(b + 8);
    s->reserved = get32(b + 12);
    s->t0_us = (int64_t)get64(b + 16);
    s->last_us = (int64_t)get64(b + 24);
    s->n = get64(b + 32);
    s->recal = get64(b + 40);
    s->err_mean = getf(b + 48);
    s->err_m2 = getf(b + 56);
    s->baseline = getf(b + 64);
    s->failure = getf(b + 72);
    if (s->kind == TWIN_HEALTH_USER) {
        memcpy(s->u.user, m, MODEL_BYTES);
    } else {
        for (unsigned i = 40; i < MODEL_BYTES; i++)
            if (m[i]) return TWIN_E_PARSE;
        s->u.g.m[0] = getf(m);
        s->u.g.m[1] = getf(m + 8);
        for (int i = 0; i < 3; i++) s->u.g.L[i] = getf(m + 16 + 8 * i);
    }
    return state_valid(s) ? TWIN_OK : TWIN_E_PARSE;
}

/* The raw twin_health of libtwin 1.2 to 1.4 (layout "HEL1"). */
#define LEGACY_STATE_BYTES 192u
#define LEGACY_LAYOUT 0x48454c31u

static int legacy_state(const unsigned char *b, size_t len)
{
    return len >= 8 && get32(b) == LEGACY_STATE_BYTES && get32(b + 4) == LEGACY_LAYOUT;
}

static twin_status state_legacy(twin__health *s, const unsigned char *b, size_t len)
{
    const unsigned char *m = b + 88;
    if (len != LEGACY_STATE_BYTES) return TWIN_E_PARSE;
    s->kind = (int32_t)get32(b + 8);
    s->flags = get32(b + 12);
    s->t0_us = (int64_t)get64(b + 16);
    s->last_us = (int64_t)get64(b + 24);
    s->n = get64(b + 32);
    s->recal = get64(b + 40);
    s->above = get32(b + 48);
    s->reserved = get32(b + 52);
    s->err_mean = getf(b + 56);
    s->err_m2 = getf(b + 64);
    s->baseline = getf(b + 72);
    s->failure = getf(b + 80);
    if (s->kind == TWIN_HEALTH_USER) {
        memcpy(s->u.user, m, MODEL_BYTES);
    } else {
        s->u.g.m[0] = getf(m);
        s->u.g.m[1] = getf(m + 8);
        for (int i = 0; i < 3; i++) s->u.g.L[i] = getf(m + 16 + 8 * i);
    }
    return state_valid(s) ? TWIN_OK : TWIN_E_PARSE;
}

twin_status twin_health_decode(twin_health *h, const void *buf, size_t len, twin_error *err)
{
    const unsigned char *b = buf;
    twin__health s;
    twin_status st;
    if (!h || !buf) return twin__hfail(err, TWIN_E_INVAL, "state or buffer is NULL");
    memset(&s, 0, sizeof s);
    s.size = sizeof(twin_health);
    s.layout = TWIN__HEALTH_LAYOUT;
    if (legacy_state(b, len)) {
        st = state_legacy(&s, b, len);
    } else if (len < 4 || b[0] != 'H' || b[1] != 'S') {
        return twin__hfail(err, TWIN_E_PARSE, "not an encoded health state");
    } else {
        switch (b[2]) {
        case 1: st = state_v1(&s, b, len); break;
        default: return twin__hfail(err, TWIN_E_PARSE, "unknown health state format version");
        }
    }
    if (st != TWIN_OK) return twin__hfail(err, st, "the encoded health state is corrupt");
    memset(h, 0, sizeof *h);
    memcpy(h, &s, sizeof s);
    return TWIN_OK;
}

/* ---- options ---- */

/* The checks of twin_health_init() on the options' fields (without the
 * user table, which is not encoded). */
static int options_valid(const twin_health_options *o)
{
    return twin__health_options_check(o, NULL) == TWIN_OK;
}

/* The caller's options (of its size) over this library's defaults. */
static twin_status options_in(const twin_health_options *o, twin_health_options *d,
                              twin_error *err)
{
    if (!o) return twin__hfail(err, TWIN_E_INVAL, "options are NULL");
    if (o->size > sizeof *d)
        return twin__hfail(err, TWIN_E_ABI, "options size is unknown to this library");
    if (o->size < offsetof(twin_health_options, model) + sizeof o->model)
        return twin__hfail(err, TWIN_E_INVAL, "options size is not set");
    twin_health_options_init(d);
    memcpy(d, o, o->size);
    d->size = sizeof *d;
    return TWIN_OK;
}

twin_status twin_health_options_encode(const twin_health_options *o, void *buf, size_t cap,
                                       size_t *needed, twin_error *err)
{
    twin_health_options d;
    unsigned char b[OPTIONS_V1_BYTES];
    twin_status st;
    if ((st = options_in(o, &d, err)) != TWIN_OK) return st;
    if ((st = twin__health_options_check(&d, err)) != TWIN_OK) return st;
    if ((st = room(buf, cap, sizeof b, needed, err)) != TWIN_OK) return st;
    memset(b, 0, sizeof b);
    b[0] = 'H';
    b[1] = 'O';
    b[2] = TWIN_HEALTH_ENCODING_VERSION;
    b[3] = (unsigned char)d.model;
    put32(b + 4, (uint32_t)d.recalibration);
    put32(b + 8, d.divergence_count);
    putf(b + 16, d.phi);
    putf(b + 24, d.prior_mean[0]);
    putf(b + 32, d.prior_mean[1]);
    for (int i = 0; i < 4; i++) putf(b + 40 + 8 * i, d.prior_cov[i]);
    putf(b + 72, d.noise);
    putf(b + 80, d.process_noise[0]);
    putf(b + 88, d.process_noise[1]);
    putf(b + 96, d.failure_level);
    putf(b + 104, d.failure_factor);
    putf(b + 112, d.divergence_threshold);
    putf(b + 120, d.divergence_clear);
    putf(b + 128, d.ema_alpha);
    putf(b + 136, d.recal_noise[0]);
    putf(b + 144, d.recal_noise[1]);
    memcpy(buf, b, sizeof b);
    return TWIN_OK;
}

static twin_status options_v1(twin_health_options *d, const unsigned char *b, size_t len)
{
    if (len != OPTIONS_V1_BYTES || get32(b + 12)) return TWIN_E_PARSE;
    d->model = b[3];
    d->recalibration = (int32_t)get32(b + 4);
    d->divergence_count = get32(b + 8);
    d->phi = getf(b + 16);
    d->prior_mean[0] = getf(b + 24);
    d->prior_mean[1] = getf(b + 32);
    for (int i = 0; i < 4; i++) d->prior_cov[i] = getf(b + 40 + 8 * i);
    d->noise = getf(b + 72);
    d->process_noise[0] = getf(b + 80);
    d->process_noise[1] = getf(b + 88);
    d->failure_level = getf(b + 96);
    d->failure_factor = getf(b + 104);
    d->divergence_threshold = getf(b + 112);
    d->divergence_clear = getf(b + 120);
    d->ema_alpha = getf(b + 128);
    d->recal_noise[0] = getf(b + 136);
    d->recal_noise[1] = getf(b + 144);
    return options_valid(d) ? TWIN_OK : TWIN_E_PARSE;
}

/* The raw twin_health_options of libtwin 1.2 to 1.4: 152 bytes of fields,
 * then a 4- or 8-byte pointer (and padding to 8 on most ABIs). */
static int legacy_options(const unsigned char *b, size_t len)
{
    return len >= 4 && (len == 156 || len == 160) && get32(b) == len;
}

static twin_status options_legacy(twin_health_options *d, const unsigned char *b)
{
    d->model = (int32_t)get32(b + 4);
    d->phi = getf(b + 8);
    d->prior_mean[0] = getf(b + 16);
    d->prior_mean[1] = getf(b + 24);
    for (int i = 0; i < 4; i++) d->prior_cov[i] = getf(b + 32 + 8 * i);
    d->noise = getf(b + 64);
    d->process_noise[0] = getf(b + 72);
    d->process_noise[1] = getf(b + 80);
    d->failure_level = getf(b + 88);
    d->failure_factor = getf(b + 96);
    d->divergence_threshold = getf(b + 104);
    d->divergence_clear = getf(b + 112);
    d->divergence_count = get32(b + 120);
    d->recalibration = (int32_t)get32(b + 124);
    d->ema_alpha = getf(b + 128);
    d->recal_noise[0] = getf(b + 136);
    d->recal_noise[1] = getf(b + 144);
    return options_valid(d) ? TWIN_OK : TWIN_E_PARSE;
}

twin_status twin_health_options_decode(twin_health_options *o, const void *buf, size_t len,
                                       twin_error *err)
{
    const unsigned char *b = buf;
    twin_health_options d;
    twin_status st;
    uint32_t size;
    if (!o || !buf) return twin__hfail(err, TWIN_E_INVAL, "options or buffer is NULL");
    size = o->size;
    if (size > sizeof d)
        return twin__hfail(err, TWIN_E_ABI, "options size is unknown to this library");
    if (size < offsetof(twin_health_options, model) + sizeof o->model)
        return twin__hfail(err, TWIN_E_INVAL, "options size is not set");
    twin_health_options_init(&d);
    if (legacy_options(b, len)) {
        st = options_legacy(&d, b);
    } else if (len < 4 || b[0] != 'H' || b[1] != 'O') {
        return twin__hfail(err, TWIN_E_PARSE, "not encoded health options");
    } else {
        switch (b[2]) {
        case 1: st = options_v1(&d, b, len); break;
        default: return twin__hfail(err, TWIN_E_PARSE, "unknown health options format version");
        }
    }
    if (st != TWIN_OK) return twin__hfail(err, st, "the encoded health options are corrupt");
    d.size = size;
    d.user = NULL;
    memcpy(o, &d, size);
    return TWIN_OK;
}
