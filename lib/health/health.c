/* Health state: options, initialisation, checks, accessors. */
#include "health/health_int.h"

#include <string.h>

twin_status twin_health_options_init_(twin_health_options *o, size_t size)
{
    twin_health_options d;
    memset(&d, 0, sizeof d);
    d.model = TWIN_HEALTH_EXPONENTIAL;
    d.prior_cov[0] = 1.0;
    d.prior_cov[3] = 1e-6;
    d.noise = 0.01;
    d.failure_level = NAN;
    d.failure_factor = 10.0;
    d.divergence_threshold = 0.2;
    d.divergence_clear = 0.1;
    d.divergence_count = 3;
    d.recalibration = TWIN_HEALTH_RECAL_NONE;
    d.ema_alpha = 0.3;
    return twin__sized_init(o, size, &d, sizeof d);
}

/* Options are passed to every call and read in place when they are this
 * library's size (the usual case); an older caller's smaller options (or
 * user model table) are read into buf over the defaults. */
twin_status twin__health_opts(const twin_health_options **o, twin__hopts *buf,
                              twin_error *err)
{
    const twin_health_options *p = *o;
    twin_status s;
    if (!p) return twin__hfail(err, TWIN_E_INVAL, "options are NULL");
    if (p->size == sizeof *p && (!p->user || p->user->size == sizeof *p->user)) return TWIN_OK;
    twin_health_options_init(&buf->o);
    if ((s = twin__sized_in(&buf->o, sizeof buf->o, p)) != TWIN_OK)
        return twin__hfail(err, s, s == TWIN_E_ABI ? "options size is unknown to this library"
                                                   : "options size is too small");
    if (p->user) {
        memset(&buf->u, 0, sizeof buf->u);
        if ((s = twin__sized_in(&buf->u, sizeof buf->u, p->user)) != TWIN_OK)
            return twin__hfail(err, s, s == TWIN_E_ABI
                                           ? "user model size is unknown to this library"
                                           : "user model size is too small");
        buf->o.user = &buf->u;
    }
    *o = &buf->o;
    return TWIN_OK;
}

twin_status twin__health_check_opts(const twin_health *h, const twin_health_options **o,
                                    twin__hopts *buf, twin_error *err)
{
    twin_status s = twin__health_opts(o, buf, err);
    return s < 0 ? s : twin__health_check(h, *o, err);
}

static int kind_known(int32_t k)
{
    return k == TWIN_HEALTH_EXPONENTIAL || k == TWIN_HEALTH_LINEAR || k == TWIN_HEALTH_USER;
}

/* Everything but the prior covariance and failure level, which init checks
 * with their own statuses, and the user table. */
twin_status twin__health_options_check(const twin_health_options *o, twin_error *err)
{
    if (!kind_known(o->model)) return twin__hfail(err, TWIN_E_INVAL, "unknown model kind");
    if (!twin__finite(o->phi) || !twin__finite(o->prior_mean[0]) ||
        !twin__finite(o->prior_mean[1]))
        return twin__hfail(err, TWIN_E_INVAL, "phi and the prior mean must be finite");
    for (int i = 0; i < 4; i++)
        if (!twin__finite(o->prior_cov[i]))
            return twin__hfail(err, TWIN_E_INVAL, "the prior covariance must be finite");
    if (!(o->noise > 0) || !twin__finite(o->noise))
        return twin__hfail(err, TWIN_E_INVAL, "noise must be positive and finite");
    for (int i = 0; i < 2; i++)
        if (!(o->process_noise[i] >= 0) || !twin__finite(o->process_noise[i]) ||
            !(o->recal_noise[i] >= 0) || !twin__finite(o->recal_noise[i]))
            return twin__hfail(err, TWIN_E_INVAL,
                               "process and recalibration noises must be finite and >= 0");
    if (!(o->divergence_threshold > 0) || !twin__finite(o->divergence_threshold) ||
        !(o->divergence_clear > 0) || !(o->divergence_clear <= o->divergence_threshold))
        return twin__hfail(err, TWIN_E_INVAL,
                           "divergence thresholds must satisfy 0 < clear <= threshold");
    if (o->divergence_count < 1)
        return twin__hfail(err, TWIN_E_INVAL, "divergence_count must be at least 1");
    if (o->recalibration < TWIN_HEALTH_RECAL_NONE || o->recalibration > TWIN_HEALTH_RECAL_KALMAN)
        return twin__hfail(err, TWIN_E_INVAL, "unknown recalibration");
    if (!(o->ema_alpha > 0) || !(o->ema_alpha <= 1))
        return twin__hfail(err, TWIN_E_INVAL, "ema_alpha must be in (0, 1]");
    if (!isnan(o->failure_level) && !twin__finite(o->failure_level))
        return twin__hfail(err, TWIN_E_INVAL, "failure_level must be finite or NaN");
    if (!twin__finite(o->failure_factor))
        return twin__hfail(err, TWIN_E_INVAL, "failure_factor must be finite");
    return TWIN_OK;
}

/* The above and the user table. */
static twin_status options_check(const twin_health_options *o, twin_error *err)
{
    const twin_health_model *u = o->user;
    twin_status st = twin__health_options_check(o, err);
    if (st < 0) return st;
    if (o->model == TWIN_HEALTH_USER) {
        if (!u) return twin__hfail(err, TWIN_E_INVAL, "a user model needs its function table");
        if (u->size != sizeof *u || !u->predict || !u->update)  /* size: twin__health_opts() */
            return twin__hfail(err, TWIN_E_INVAL,
                               "a user model needs its size, predict and update");
        if (u->state_size < 1 || u->state_size > TWIN_HEALTH_USER_STATE_MAX)
            return twin__hfail(err, TWIN_E_INVAL,
                               "user state_size must be 1..TWIN_HEALTH_USER_STATE_MAX");
    }
    return TWIN_OK;
}

double twin__health_predict_at(const twin__health *s, const twin_health_options *o, double t)
{
    if (s->kind == TWIN_HEALTH_USER) return o->user->predict(o->user->ud, s->u.user, t);
    return twin__health_from_model(s->kind, o->phi, s->u.g.m[0] + s->u.g.m[1] * t);
}

twin_status twin__health_check_level(int32_t kind, double phi, double baseline, double level,
                                     twin_error *err)
{
    if (!twin__finite(level))
        return twin__hfail(err, TWIN_E_INVAL, "the level must be finite");
    if (kind == TWIN_HEALTH_EXPONENTIAL && !(level > baseline))
        return twin__hfail(err, TWIN_E_RANGE,
                           "the level must be above the baseline (exponential model)");
    if (kind == TWIN_HEALTH_EXPONENTIAL && !(level > phi))
        return twin__hfail(err, TWIN_E_RANGE, "the level must be above phi");
    if (level == baseline)
        return twin__hfail(err, TWIN_E_RANGE, "the level must differ from the baseline");
    return TWIN_OK;
}

twin_status twin__health_check(const twin_health *h, const twin_health_options *o,
                               twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    if (!h || !o) return twin__hfail(err, TWIN_E_INVAL, "state or options are NULL");
    if (s->size != sizeof(twin_health))
        return twin__hfail(err, TWIN_E_INVAL, "the state is not initialised");
    if (s->layout != TWIN__HEALTH_LAYOUT)
        return twin__hfail(err, TWIN_E_ABI, "the state was made by another library layout");
    if (o->size != sizeof *o)
        return twin__hfail(err, o->size > sizeof *o ? TWIN_E_ABI : TWIN_E_INVAL,
                           "options size is unknown to this library");
    if (o->model != s->kind)
        return twin__hfail(err, TWIN_E_INVAL, "the options' model kind differs from the state's");
    if (s->kind == TWIN_HEALTH_USER && (!o->user || !o->user->predict || !o->user->update))
        return twin__hfail(err, TWIN_E_INVAL, "a user model needs its function table");
    return TWIN_OK;
}

static twin_status init_model(twin__health *s, const twin_health_options *o, twin_error *err)
{
    if (s->kind == TWIN_HEALTH_USER) {
        const twin_health_model *u = o->user;
        memset(s->u.user, 0, sizeof s->u.user);
        if (u->init) {
            twin_status st = u->init(u->ud, s->u.user);
            if (st < 0) return twin__hfail(err, st, "the user model's init failed");
        }
        s->baseline = u->predict(u->ud, s->u.user, 0.0);
        if (!twin__finite(s->baseline))
            return twin__hfail(err, TWIN_E_RANGE, "the user model's baseline is not finite");
        return TWIN_OK;
    }
    if (!twin__kf_info(o->prior_cov, s->u.g.L))
        return twin__hfail(err, TWIN_E_RANGE,
                           "the prior covariance is not symmetric positive definite");
    s->u.g.m[0] = o->prior_mean[0];
    s->u.g.m[1] = o->prior_mean[1];
    s->baseline = twin__health_from_model(s->kind, o->phi, o->prior_mean[0]);
    if (!twin__finite(s->baseline))
        return twin__hfail(err, TWIN_E_RANGE, "the prior's baseline is not finite");
    return TWIN_OK;
}

twin_status twin_health_init(twin_health *h, const twin_health_options *o, int64_t t0_us,
                             twin_error *err)
{
    twin__health s;
    twin__hopts ob;
    twin_status st;
    if (!h) return twin__hfail(err, TWIN_E_INVAL, "state is NULL");
    if ((st = twin__health_opts(&o, &ob, err)) < 0) return st;
    if ((st = options_check(o, err)) < 0) return st;
    memset(&s, 0, sizeof s);
    s.size = sizeof(twin_health);
    s.layout = TWIN__HEALTH_LAYOUT;
    s.kind = o->model;
    s.t0_us = t0_us;
    s.last_us = t0_us;
    if ((st = init_model(&s, o, err)) < 0) return st;
    s.failure = isnan(o->failure_level) ? o->failure_factor * s.baseline : o->failure_level;
    if ((st = twin__health_check_level(s.kind, o->phi, s.baseline, s.failure, err)) < 0)
        return st;
    memset(h, 0, sizeof *h);
    memcpy(h, &s, sizeof s);
    return TWIN_OK;
}

twin_status twin_health_predict(const twin_health *h, const twin_health_options *o,
                                int64_t t_us, double *out, twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    twin__hopts ob;
    twin_status st = twin__health_check_opts(h, &o, &ob, err);
    double v;
    if (st < 0) return st;
    if (!out) return twin__hfail(err, TWIN_E_INVAL, "out is NULL");
    v = twin__health_predict_at(s, o, twin__health_time(s, t_us));
    if (!twin__finite(v)) return twin__hfail(err, TWIN_E_RANGE, "the prediction is not finite");
    *out = v;
    return TWIN_OK;
}

twin_status twin_health_get_score(const twin_health *h, const twin_health_options *o,
                                  int64_t t_us, double *score, twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    double v, x;
    twin_status st = twin_health_predict(h, o, t_us, &v, err);
    if (st < 0) return st;
    if (!score) return twin__hfail(err, TWIN_E_INVAL, "score is NULL");
    x = (s->failure - v) / (s->failure - s->baseline);
    *score = x < 0 ? 0 : x > 1 ? 1 : x;
    return TWIN_OK;
}

twin_status twin_health_get_posterior(const twin_health *h, double mean[2], double cov[4],
                                      twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    double P[3];
    if (!h || !mean) return twin__hfail(err, TWIN_E_INVAL, "state or mean is NULL");
    if (s->size != sizeof(twin_health))
        return twin__hfail(err, TWIN_E_INVAL, "the state is not initialised");
    if (s->layout != TWIN__HEALTH_LAYOUT)
        return twin__hfail(err, TWIN_E_ABI, "the state was made by another library layout");
    if (s->kind == TWIN_HEALTH_USER)
        return twin__hfail(err, TWIN_E_INVAL, "a user model has no Gaussian posterior");
    if (cov) {
        if (!twin__kf_cov(s->u.g.L, P))
            return twin__hfail(err, TWIN_E_RANGE, "the information matrix is singular");
        cov[0] = P[0];
        cov[1] = cov[2] = P[1];
        cov[3] = P[2];
    }
    mean[0] = s->u.g.m[0];
    mean[1] = s->u.g.m[1];
    return TWIN_OK;
}

twin_status twin_health_get_stats(const twin_health *h, twin_health_stats *out, twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    twin_health_stats r;
    twin_status st;
    if (!h || !out) return twin__hfail(err, TWIN_E_INVAL, "state or out is NULL");
    if ((st = twin__sized_check(out, sizeof r)) != TWIN_OK)
        return twin__hfail(err, st, "stats size is unknown to this library");
    if (s->size != sizeof(twin_health))
        return twin__hfail(err, TWIN_E_INVAL, "the state is not initialised");
    if (s->layout != TWIN__HEALTH_LAYOUT)
        return twin__hfail(err, TWIN_E_ABI, "the state was made by another library layout");
    memset(&r, 0, sizeof r);
    r.diverged = (s->flags & TWIN__HF_DIVERGED) ? 1 : 0;
    r.samples = s->n;
    r.recalibrations = s->recal;
    r.error_mean = s->err_mean;
    r.error_var = s->n > 1 ? s->err_m2 / (double)(s->n - 1) : 0.0;
    r.baseline = s->baseline;
    r.failure_level = s->failure;
    r.t0_us = s->t0_us;
    r.last_us = s->last_us;
    return twin__sized_out(out, &r, sizeof r);
}

twin_status twin_health_set_failure_level(twin_health *h, const twin_health_options *o,
                                          double level, twin_error *err)
{
    twin__health *s = (twin__health *)(void *)h;
    twin__hopts ob;
    twin_status st = twin__health_check_opts(h, &o, &ob, err);
    if (st < 0) return st;
    if ((st = twin__health_check_level(s->kind, o->phi, s->baseline, level, err)) < 0) return st;
    s->failure = level;
    return TWIN_OK;
}
