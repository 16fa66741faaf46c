/* A clock model's portable byte form (twin_clock_encode(), _decode()): the
 * fields of twin__clock in little-endian order, the envelope's points in
 * use oldest first, so that a model saved on one host is read back on
 * another and a restart does not start the estimate from zero. Decoding
 * checks every field the model indexes or divides by: bytes from a file
 * never make a state clock.c could misread. Its one limit is the number of
 * points, TWIN_CLOCK_POINTS (TWIN_E_RANGE past it); the length must then be
 * exactly FIXED + 16 per point, at most TWIN_CLOCK_ENCODED_MAX. */
#include "clock/clock_int.h"

#include <math.h>
#include <string.h>

#define MAGIC "TWCK"
#define VERSION 1u
#define FIXED 212u  /* bytes before the points */

_Static_assert(TWIN_CLOCK_ENCODED_MAX == FIXED + 16u * TWIN_CLOCK_POINTS,
               "TWIN_CLOCK_ENCODED_MAX is the fixed part and every point");

static twin_status efail(twin_error *err, twin_status s, const char *msg)
{
    if (err) {
        err->status = s;
        err->reserved_ = 0;
        err->message = msg;
    }
    return s;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
    return p + 4;
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++) p[k] = (unsigned char)(v >> (8 * k));
    return p + 8;
}

static unsigned char *putd(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    return put64(p, v);
}

static uint32_t get32(const unsigned char **p)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) v |= (uint32_t)(*p)[k] << (8 * k);
    *p += 4;
    return v;
}

static uint64_t get64(const unsigned char **p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++) v |= (uint64_t)(*p)[k] << (8 * k);
    *p += 8;
    return v;
}

static int64_t geti(const unsigned char **p)
{
    uint64_t v = get64(p);
    int64_t i;
    memcpy(&i, &v, sizeof i);
    return i;
}

static double getd(const unsigned char **p)
{
    uint64_t v = get64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

twin_status twin_clock_encode(const twin_clock *c, void *buf, size_t cap, size_t *len,
                              twin_error *err)
{
    twin__clock s;
    unsigned char *p;
    size_t need;
    if (len) *len = 0;
    if (!c || !len || (!buf && cap))
        return efail(err, TWIN_E_INVAL, "the clock state, the buffer or len is NULL");
    if (c->size != sizeof(twin_clock))
        return efail(err, TWIN_E_INVAL, "the clock state is not initialised");
    if (c->layout_ != TWIN__CLOCK_LAYOUT)
        return efail(err, TWIN_E_ABI, "the clock state was made by another library layout");
    memcpy(&s, c, sizeof s);
    need = FIXED + 16u * (size_t)s.n;
    *len = need;
    if (cap < need) return efail(err, TWIN_E_RANGE, "the buffer is too small");
    p = buf;
    memcpy(p, MAGIC, 4);
    p = put32(p + 4, VERSION);
    p = put32(p, (uint32_t)s.kind);
    p = put32(p, s.min_pairs);
    p = put32(p, s.step_pairs);
    p = put32(p, s.n);
    p = put32(p, s.above);
    p = put32(p, s.steps);
    p = put32(p, s.since_step);
    p = put32(p, (uint32_t)s.has_line);
    p = put32(p, (uint32_t)s.step_prior);
    p = put32(p, (uint32_t)s.skew_prior);
    p = put32(p, 0);
    p = put64(p, (uint64_t)s.offset_us);
    p = put64(p, (uint64_t)s.window_us);
    p = put64(p, (uint64_t)s.step_us);
    p = put64(p, (uint64_t)s.max_offset_us);
    p = put64(p, (uint64_t)s.min_delay_us);
    p = put64(p, (uint64_t)s.tol_offset_us);
    p = put64(p, (uint64_t)s.zone_step_us);
    p = putd(p, s.tol_skew_ppm);
    p = put64(p, (uint64_t)s.anchor_t);
    p = put64(p, (uint64_t)s.anchor_d);
    p = put64(p, (uint64_t)s.last_recv);
    p = put64(p, (uint64_t)s.last_win);
    p = put64(p, s.pairs);
    p = putd(p, s.a);
    p = putd(p, s.b);
    p = putd(p, s.xe);
    p = putd(p, s.ua);
    p = putd(p, s.ub);
    p = putd(p, s.prior_b);
    p = putd(p, s.prior_ub);
    for (uint32_t k = 0; k < s.n; k++) {
        uint32_t i = (s.head + k) % TWIN_CLOCK_POINTS;
        p = putd(p, s.px[i]);
        p = putd(p, s.pd[i]);
    }
    return TWIN_OK;
}

/* Not NaN and not negative: an uncertainty (infinity allowed). */
static int uncertainty(double x)
{
    return x >= 0;
}

twin_status twin_clock_decode(twin_clock *c, const void *buf, size_t len, twin_error *err)
{
    twin__clock s;
    const unsigned char *p = buf;
    if (!c || (!buf && len)) return efail(err, TWIN_E_INVAL, "the clock state or buffer is NULL");
    if (len < FIXED || memcmp(p, MAGIC, 4) != 0)
        return efail(err, TWIN_E_PARSE, "not an encoded clock");
    p += 4;
    if (get32(&p) != VERSION)
        return efail(err, TWIN_E_PARSE, "an encoded clock of a version this library does not know");
    memset(&s, 0, sizeof s);
    s.size = sizeof(twin_clock);
    s.layout = TWIN__CLOCK_LAYOUT;
    s.kind = (int32_t)get32(&p);
    s.min_pairs = get32(&p);
    s.step_pairs = get32(&p);
    s.n = get32(&p);
    s.above = get32(&p);
    s.steps = get32(&p);
    s.since_step = get32(&p);
    s.has_line = (int32_t)get32(&p);
    s.step_prior = (int32_t)get32(&p);
    s.skew_prior = (int32_t)get32(&p);
    if (get32(&p) != 0) return efail(err, TWIN_E_PARSE, "an encoded clock's reserved field is set");
    if (s.n > TWIN_CLOCK_POINTS)
        return efail(err, TWIN_E_RANGE,
                     "an encoded clock holds more than TWIN_CLOCK_POINTS (64) points");
    if (len != FIXED + 16u * (size_t)s.n)
        return efail(err, TWIN_E_PARSE, "an encoded clock's length does not match its points");
    s.offset_us = geti(&p);
    s.window_us = geti(&p);
    s.step_us = geti(&p);
    s.max_offset_us = geti(&p);
    s.min_delay_us = geti(&p);
    s.tol_offset_us = geti(&p);
    s.zone_step_us = geti(&p);
    s.tol_skew_ppm = getd(&p);
    s.anchor_t = geti(&p);
    s.anchor_d = geti(&p);
    s.last_recv = geti(&p);
    s.last_win = geti(&p);
    s.pairs = get64(&p);
    s.a = getd(&p);
    s.b = getd(&p);
    s.xe = getd(&p);
    s.ua = getd(&p);
    s.ub = getd(&p);
    s.prior_b = getd(&p);
    s.prior_ub = getd(&p);
    for (uint32_t k = 0; k < s.n; k++) {
        s.px[k] = getd(&p);
        s.pd[k] = getd(&p);
        if (!isfinite(s.px[k]) || !isfinite(s.pd[k]))
            return efail(err, TWIN_E_PARSE, "an encoded clock has a point that is not finite");
    }
    /* the options, as twin_clock_init() checks them */
    if (s.kind < TWIN_CLOCK_ESTIMATED || s.kind > TWIN_CLOCK_LOCAL_TIME || s.min_pairs < 1 ||
        s.step_pairs < 1 || s.window_us <= 0 || s.step_us <= 0 || s.max_offset_us <= 0 ||
        s.zone_step_us <= 0 || s.min_delay_us < 0 || s.min_delay_us >= s.max_offset_us ||
        s.tol_offset_us < 0 || !(s.tol_skew_ppm >= 0) ||
        (s.kind == TWIN_CLOCK_KNOWN_OFFSET &&
         (s.offset_us > s.max_offset_us || s.offset_us < -s.max_offset_us)))
        return efail(err, TWIN_E_PARSE, "an encoded clock has options out of their range");
    /* the state */
    if (s.since_step > TWIN_CLOCK_POINTS || (uint32_t)s.has_line > 1 ||
        (uint32_t)s.step_prior > 1 || (uint32_t)s.skew_prior > 1 ||
        (s.last_recv != INT64_MIN && (s.last_recv <= 0 || s.last_recv >= TWIN__CLOCK_T_MAX)) ||
        (s.n > 0 && s.last_recv == INT64_MIN) || s.anchor_t < 0 ||
        s.anchor_t >= TWIN__CLOCK_T_MAX || s.last_win < 0 || s.last_win >= TWIN__CLOCK_T_MAX ||
        s.anchor_d <= -2 * TWIN__CLOCK_T_MAX || s.anchor_d >= 2 * TWIN__CLOCK_T_MAX || (s.pairs == 0 && s.n > 0) ||
        !isfinite(s.prior_b) || !uncertainty(s.prior_ub) ||
        (s.has_line && (!isfinite(s.a) || !isfinite(s.b) || !isfinite(s.xe) ||
                        !uncertainty(s.ua) || !uncertainty(s.ub))))
        return efail(err, TWIN_E_PARSE, "an encoded clock has a state out of its range");
    memset(c, 0, sizeof *c);
    memcpy(c, &s, sizeof s);
    return TWIN_OK;
}
