/* One sample: prediction, error statistics, divergence, recalibration and
 * the update of the model. Works on a copy of the state, committed only
 * when everything succeeded, so that a failure leaves the state as it was. */
#include "health/health_int.h"

#include <float.h>
#include <string.h>

/* Welford's running mean and sum of squared deviations. */
static void welford(twin__health *s, double e)
{
    double d = e - s->err_mean;
    s->n++;
    s->err_mean += d / (double)s->n;
    s->err_m2 += d * (e - s->err_mean);
}

/* The divergence detector: a count of samples in a row above the
 * threshold raises it; an error at or below the clear level ends it. */
static uint32_t divergence(twin__health *s, const twin_health_options *o, double e)
{
    double a = fabs(e);
    if (!(s->flags & TWIN__HF_DIVERGED)) {
        if (a > o->divergence_threshold) {
            if (s->above < UINT32_MAX) s->above++;
            if (s->above >= o->divergence_count) {
                s->flags |= TWIN__HF_DIVERGED;
                return TWIN_HEALTH_EVENT_DIVERGED;
            }
        } else {
            s->above = 0;
        }
    } else if (a <= o->divergence_clear) {
        s->flags &= ~TWIN__HF_DIVERGED;
        s->above = 0;
        return TWIN_HEALTH_EVENT_CLEARED;
    }
    return 0;
}

static twin_status update_user(twin__health *s, const twin_health_options *o, double t,
                               double v, int *recal, twin_error *err)
{
    const twin_health_model *u = o->user;
    int diverged = (s->flags & TWIN__HF_DIVERGED) != 0;
    twin_status st = u->update(u->ud, s->u.user, t, v, diverged ? 1 : 0);
    if (st < 0) return twin__hfail(err, st, "the user model's update failed");
    *recal = diverged;
    return TWIN_OK;
}

static void fill_event(twin_health_event *ev, const twin__health_step_out *st,
                       const twin__health *after)
{
    twin_health_event r;
    int user = after->kind == TWIN_HEALTH_USER;
    memset(&r, 0, sizeof r);
    r.flags = st->flags;
    r.predicted = st->predicted;
    r.error = st->error;
    for (int i = 0; i < 2; i++) {
        r.mean_before[i] = user ? NAN : st->mean_before[i];
        r.mean_after[i] = user ? NAN : after->u.g.m[i];
    }
    r.recalibrations = after->recal;
    r.diverged = (after->flags & TWIN__HF_DIVERGED) ? 1 : 0;
    twin__sized_out(ev, &r, sizeof r);  /* ev's size was checked */
}

/* twin__health_step() for a user model: on a copy of the state. */
twin_status twin__health_step_user(twin_health *h, const twin_health_options *o, int64_t t_us,
                             double v, twin__health_step_out *out, twin_error *err)
{
    const twin__health *cur = (const twin__health *)(const void *)h;
    twin__health s = *cur;
    double t = twin__health_time(&s, t_us), pred, e;
    uint32_t flags;
    int recal = 0;
    twin_status st;
    pred = twin__health_predict_at(&s, o, t);
    if (!twin__finite(pred)) return twin__hfail(err, TWIN_E_RANGE, "the prediction is not finite");
    e = (v - pred) / fmax(fabs(pred), DBL_MIN);
    if (!twin__finite(e)) return twin__hfail(err, TWIN_E_RANGE, "the error is not finite");
    welford(&s, e);
    flags = divergence(&s, o, e);
    if ((st = update_user(&s, o, t, v, &recal, err)) < 0) return st;
    if (recal) {
        s.recal++;
        flags |= TWIN_HEALTH_EVENT_RECALIBRATED;
    }
    s.last_us = t_us;
    out->flags = flags;
    out->predicted = pred;
    out->error = e;
    out->mean_before[0] = out->mean_before[1] = NAN;
    memcpy(h, &s, sizeof s);
    return TWIN_OK;
}

twin_status twin__health_step(twin_health *h, const twin_health_options *o, int64_t t_us,
                              double v, twin__health_step_out *out, twin_error *err)
{
    return twin__health_step_in(h, o, t_us, v, out, err);
}

twin_status twin_health_update(twin_health *h, const twin_health_options *o, int64_t t_us,
                               double v, twin_health_event *ev, twin_error *err)
{
    twin__health_step_out out;
    twin__hopts ob;
    twin_status st = twin__health_check_opts(h, &o, &ob, err);
    if (st < 0) return st;
    if (ev && (st = twin__sized_check(ev, sizeof *ev)) != TWIN_OK)
        return twin__hfail(err, st, "event size is unknown to this library");
    if (!twin__finite(v)) return twin__hfail(err, TWIN_E_INVAL, "the value is not finite");
    if ((st = twin__health_step(h, o, t_us, v, &out, err)) < 0) return st;
    if (ev) fill_event(ev, &out, (const twin__health *)(const void *)h);
    return TWIN_OK;
}
