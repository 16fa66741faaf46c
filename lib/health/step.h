/* What the health module offers to ingest above it: the private layout of
 * twin_health and the per-sample step, inline, so that ingest runs it in
 * its sample loop (bit for bit twin_health_update() without its argument
 * checks). The rest of the module's helpers are in health_int.h. */
#ifndef TWIN_HEALTH_STEP_H
#define TWIN_HEALTH_STEP_H

#include "twin/health.h"

#include <math.h>
#include <stddef.h>

/* Bumped whenever the private layout below changes; a restored state with
 * another value is refused with TWIN_E_ABI. Files never hold this layout:
 * they hold the encoded forms (serial.c), whose decoder also reads the raw
 * "HEL1" states of 1.2-1.4 at their own offsets (not through this struct),
 * so changing the layout needs no change there. */
#define TWIN__HEALTH_LAYOUT 0x48454c31u /* "HEL1" */

/* State flags. */
#define TWIN__HF_DIVERGED 1u

/* The private view of a twin_health. The library reads and writes states
 * only through this type; may_alias tells the compiler that it aliases the
 * caller's twin_health. */
#if defined(__GNUC__) || defined(__clang__)
#define TWIN__MAY_ALIAS __attribute__((may_alias))
#else
#define TWIN__MAY_ALIAS
#endif

typedef struct TWIN__MAY_ALIAS twin__health {
    uint32_t size;      /* sizeof(twin_health) */
    uint32_t layout;    /* TWIN__HEALTH_LAYOUT */
    int32_t kind;       /* twin_health_model_kind */
    uint32_t flags;     /* TWIN__HF_* */
    int64_t t0_us;      /* model time zero */
    int64_t last_us;    /* latest sample (t0_us before the first) */
    uint64_t n;         /* samples accepted */
    uint64_t recal;     /* samples that recalibrated */
    uint32_t above;     /* samples in a row above the divergence threshold */
    uint32_t reserved;
    double err_mean;    /* Welford: mean of the relative error */
    double err_m2;      /* Welford: sum of squared deviations */
    double baseline;    /* the signal at time zero */
    double failure;     /* failure level */
    union {
        struct {
            double m[2];  /* posterior mean of (x0, x1) */
            double L[3];  /* information matrix: L00, L01, L11 */
        } g;
        unsigned char user[TWIN_HEALTH_USER_STATE_MAX];
        double align_;
    } u;
} twin__health;

/* The public struct is a fixed 192 bytes; the private view must fit. */
_Static_assert(sizeof(twin__health) <= sizeof(twin_health), "twin__health must fit");
_Static_assert(sizeof(twin_health) == 192, "twin_health is 192 bytes forever");

/* Fill err (if any) and return s. */
static inline twin_status twin__hfail(twin_error *err, twin_status s, const char *msg)
{
    if (err) {
        err->status = s;
        err->reserved_ = 0;
        err->message = msg;
    }
    return s;
}

static inline int twin__finite(double x)
{
    return isfinite(x) != 0;
}

/* Check state and options for a call: initialised, same layout, same kind,
 * options of this library's size (twin__health_opts() makes them so). */
twin_status twin__health_check(const twin_health *h, const twin_health_options *o,
                               twin_error *err);

/* Model space of the built-in kinds: y = log(v - phi) or v - phi. Returns
 * 0 when v is out of the domain (v <= phi for the exponential model). */
static inline int twin__health_to_model(int32_t kind, double phi, double v, double *y)
{
    if (kind == TWIN_HEALTH_EXPONENTIAL) {
        if (!(v > phi)) return 0;
        *y = log(v - phi);
    } else {
        *y = v - phi;
    }
    return 1;
}

static inline double twin__health_from_model(int32_t kind, double phi, double y)
{
    return kind == TWIN_HEALTH_EXPONENTIAL ? phi + exp(y) : phi + y;
}

/* Prediction of any kind at model time t (seconds since t0). */
double twin__health_predict_at(const twin__health *s, const twin_health_options *o, double t);

/* Model time of t_us for s. */
static inline double twin__health_time(const twin__health *s, int64_t t_us)
{
    return (double)(t_us - s->t0_us) * 1e-6;
}

/* Direction of failure: +1 when the failure level is above the baseline. */
static inline double twin__health_dir(const twin__health *s)
{
    return s->failure >= s->baseline ? 1.0 : -1.0;
}

/* What twin__health_step() did. */
typedef struct twin__health_step_out {
    uint32_t flags;         /* TWIN_HEALTH_EVENT_* */
    double predicted;       /* the signal predicted at the sample's time, before it */
    double error;           /* relative error */
    double mean_before[2];  /* parameters before (meaningless for user models) */
} twin__health_step_out;

/* One sample on a state already checked against its options (as
 * twin__health_check() does) with a finite value: the whole of
 * twin_health_update() but its argument checks, for callers that checked
 * once (the ingest path). On failure the state is unchanged.
 * twin__health_step_in() below is the same, inline, for per-sample loops. */
twin_status twin__health_step(twin_health *h, const twin_health_options *o, int64_t t_us,
                              double v, twin__health_step_out *out, twin_error *err);
/* The user-model part of it (update.c). */
twin_status twin__health_step_user(twin_health *h, const twin_health_options *o, int64_t t_us,
                                   double v, twin__health_step_out *out, twin_error *err);

/* 2x2 Kalman filter in information form (kalman.c). */
/* Update (m, L) with y = x0 + x1 t + e, e ~ N(0, r). 0 when singular or
 * non-finite (m and L are then unchanged). Inline for the per-sample path;
 * twin__kf_update() is the same, out of line. */
static inline int twin__kf_update_in(double m[2], double L[3], double t, double y, double r)
{
    double N[3], det, res, g0, g1;
    N[0] = L[0] + 1.0 / r;
    N[1] = L[1] + t / r;
    N[2] = L[2] + t * t / r;
    det = N[0] * N[2] - N[1] * N[1];
    if (!(det > 0) || !isfinite(det)) return 0;
    res = (y - (m[0] + m[1] * t)) / r;
    /* N^-1 h res */
    g0 = (N[2] - N[1] * t) / det * res;
    g1 = (N[0] * t - N[1]) / det * res;
    if (!isfinite(g0) || !isfinite(g1) || !isfinite(m[0] + g0) || !isfinite(m[1] + g1))
        return 0;
    m[0] += g0;
    m[1] += g1;
    L[0] = N[0];
    L[1] = N[1];
    L[2] = N[2];
    return 1;
}
int twin__kf_update(double m[2], double L[3], double t, double y, double r);
/* Add q * dt to the covariance: L = (L^-1 + diag(q) dt)^-1. 0 when singular. */
int twin__kf_inflate(double L[3], const double q[2], double dt);

/* ---- the per-sample step, inline (see twin__health_step()) ---- */

#if defined(__GNUC__)
#define TWIN__HEALTH_HOT static inline __attribute__((always_inline))
#else
#define TWIN__HEALTH_HOT static inline
#endif

#include <float.h>

/* Holt's linear exponential smoothing of level and rate, in model space. */
static inline int twin__recal_ema(double m[2], double alpha, double t_prev, double t, double y)
{
    double level_prev = m[0] + m[1] * t_prev;
    double level = alpha * y + (1 - alpha) * (m[0] + m[1] * t);
    double rate = m[1];
    if (t > t_prev) rate = alpha * (level - level_prev) / (t - t_prev) + (1 - alpha) * m[1];
    if (!isfinite(level) || !isfinite(rate) || !isfinite(level - rate * t)) return 0;
    m[0] = level - rate * t;
    m[1] = rate;
    return 1;
}

/* The same steps as welford(), divergence() and update_builtin() in that
 * order and with the same operations, on the few fields that change, kept
 * in locals and stored only when every step succeeded: this runs once per
 * ingested sample. */
TWIN__HEALTH_HOT twin_status twin__health_step_in(twin_health *h, const twin_health_options *o, int64_t t_us,
                                                double v, twin__health_step_out *out,
                                                twin_error *err)
{
    twin__health *s = (twin__health *)(void *)h;
    double t, t_prev, dt, y, pred, e, ap, a, d, mean, m2;
    double m[2], L[3];
    uint64_t n;
    uint32_t flags = 0, sflags, above;
    int recal = 0;

    if (t_us < s->last_us) return twin__hfail(err, TWIN_E_INVAL, "time goes backwards");
    if (s->kind == TWIN_HEALTH_USER) return twin__health_step_user(h, o, t_us, v, out, err);
    if (!twin__health_to_model(s->kind, o->phi, v, &y))
        return twin__hfail(err, TWIN_E_RANGE,
                           "the value must be above phi (the exponential model takes its log)");
    t = twin__health_time(s, t_us);
    t_prev = twin__health_time(s, s->last_us);
    m[0] = s->u.g.m[0];
    m[1] = s->u.g.m[1];
    pred = twin__health_from_model(s->kind, o->phi, m[0] + m[1] * t);
    if (!twin__finite(pred)) return twin__hfail(err, TWIN_E_RANGE, "the prediction is not finite");
    ap = fabs(pred);
    e = (v - pred) / (ap > DBL_MIN ? ap : DBL_MIN);  /* fmax: pred is finite */
    if (!twin__finite(e)) return twin__hfail(err, TWIN_E_RANGE, "the error is not finite");
    /* welford() */
    d = e - s->err_mean;
    n = s->n + 1;
    mean = s->err_mean + d / (double)n;
    m2 = s->err_m2 + d * (e - mean);
    /* divergence() */
    sflags = s->flags;
    above = s->above;
    a = fabs(e);
    if (!(sflags & TWIN__HF_DIVERGED)) {
        if (a > o->divergence_threshold) {
            if (above < UINT32_MAX) above++;
            if (above >= o->divergence_count) {
                sflags |= TWIN__HF_DIVERGED;
                flags = TWIN_HEALTH_EVENT_DIVERGED;
            }
        } else {
            above = 0;
        }
    } else if (a <= o->divergence_clear) {
        sflags &= ~TWIN__HF_DIVERGED;
        above = 0;
        flags = TWIN_HEALTH_EVENT_CLEARED;
    }
    /* update_builtin() */
    L[0] = s->u.g.L[0];
    L[1] = s->u.g.L[1];
    L[2] = s->u.g.L[2];
    dt = t - t_prev;
    if ((o->process_noise[0] != 0 || o->process_noise[1] != 0) &&
        !twin__kf_inflate(L, o->process_noise, dt))
        return twin__hfail(err, TWIN_E_RANGE, "the covariance became singular");
    if ((sflags & TWIN__HF_DIVERGED) && o->recalibration == TWIN_HEALTH_RECAL_EMA) {
        if (!twin__recal_ema(m, o->ema_alpha, t_prev, t, y))
            return twin__hfail(err, TWIN_E_RANGE, "the recalibration is not finite");
        recal = 1;
    } else {
        if ((sflags & TWIN__HF_DIVERGED) && o->recalibration == TWIN_HEALTH_RECAL_KALMAN) {
            if (!twin__kf_inflate(L, o->recal_noise, dt))
                return twin__hfail(err, TWIN_E_RANGE, "the covariance became singular");
            recal = 1;
        }
        if (!twin__kf_update_in(m, L, t, y, o->noise))
            return twin__hfail(err, TWIN_E_RANGE,
                               "the update makes the parameters non-finite or singular");
    }
    out->flags = flags | (recal ? TWIN_HEALTH_EVENT_RECALIBRATED : 0u);
    out->predicted = pred;
    out->error = e;
    out->mean_before[0] = s->u.g.m[0];
    out->mean_before[1] = s->u.g.m[1];
    /* commit */
    s->u.g.m[0] = m[0];
    s->u.g.m[1] = m[1];
    s->u.g.L[0] = L[0];
    s->u.g.L[1] = L[1];
    s->u.g.L[2] = L[2];
    s->n = n;
    s->err_mean = mean;
    s->err_m2 = m2;
    s->flags = sflags;
    s->above = above;
    s->recal += (uint64_t)recal;
    s->last_us = t_us;
    return TWIN_OK;
}

#endif
