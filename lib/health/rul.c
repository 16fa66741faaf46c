/* Time to a threshold and remaining useful life with quantiles. */
#include "health/health_int.h"

#include <string.h>

/* Abramowitz and Stegun 26.2.23 (absolute error below 4.5e-4), then one
 * Halley step on Phi(x) = erfc(-x / sqrt 2) / 2, which converges cubically:
 * the error falls to the order of 1e-10. */
double twin__normal_quantile(double p)
{
    double q = p < 0.5 ? p : 1 - p, t, x;
    if (p == 0.5) return 0.0;
    t = sqrt(-2.0 * log(q));
    x = t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
    if (p < 0.5) x = -x;
    {
        double f = 0.5 * erfc(-x * 0.70710678118654752440) - p;
        double d = 0.39894228040143267794 * exp(-0.5 * x * x);
        double u = f / d;
        x -= u / (1 + 0.5 * x * u);
    }
    return x;
}

/* First t >= t_now with (c + b t) = z * sqrt(P00 + 2 t P01 + t^2 P11),
 * where c + b t is the (direction-adjusted) mean path minus the level.
 * Returns t - t_now, 0 if already there at t_now, INFINITY if never. */
static double crossing(double c, double b, const double P[3], double z, double t_now)
{
    double s_now = sqrt(fmax(P[0] + 2 * t_now * P[1] + t_now * t_now * P[2], 0));
    double qa, qb, qc, disc, r[2], best = INFINITY;
    if (c + b * t_now >= z * s_now) return 0.0;
    if (z == 0) return b > 0 ? (-c / b) - t_now : INFINITY;
    /* (c + b t)^2 = z^2 (P00 + 2 t P01 + t^2 P11) */
    qa = b * b - z * z * P[2];
    qb = 2 * (c * b - z * z * P[1]);
    qc = c * c - z * z * P[0];
    if (fabs(qa) <= 1e-300) {
        if (qb == 0) return INFINITY;
        r[0] = r[1] = -qc / qb;
    } else {
        disc = qb * qb - 4 * qa * qc;
        if (disc < 0) return INFINITY;
        disc = sqrt(disc);
        /* numerically stable roots */
        {
            double k = -0.5 * (qb + (qb >= 0 ? disc : -disc));
            r[0] = k / qa;
            r[1] = k != 0 ? qc / k : r[0];
        }
    }
    for (int i = 0; i < 2; i++) {
        double t = r[i];
        /* a root of the unsquared equation: c + b t has the sign of z */
        if (!(t >= t_now) || !isfinite(t)) continue;
        if ((c + b * t) * z < 0) continue;
        if (t < best) best = t;
    }
    return isfinite(best) ? best - t_now : INFINITY;
}

/* Seconds from the latest sample until the posterior-mean path of a
 * built-in model reaches model-space level yl (direction d). */
static double mean_crossing(const twin__health *s, double yl, double d, double t_now)
{
    double c = d * (s->u.g.m[0] - yl), b = d * s->u.g.m[1];
    if (c + b * t_now >= 0) return 0.0;
    if (!(b > 0)) return INFINITY;
    return (-c / b) - t_now;
}

/* User models: doubling steps forward, then bisection. */
static double user_crossing(const twin__health *s, const twin_health_options *o, double level,
                            double d, double t_now)
{
    double lo = t_now, hi, step = fmax(1.0, fabs(t_now));
    if (d * (twin__health_predict_at(s, o, t_now) - level) >= 0) return 0.0;
    for (;;) {
        hi = lo + step;
        if (hi > t_now + 1e12) return INFINITY;
        if (d * (twin__health_predict_at(s, o, hi) - level) >= 0) break;
        lo = hi;
        step *= 2;
    }
    for (int i = 0; i < 200 && hi - lo > 1e-9 * fmax(1.0, fabs(hi)); i++) {
        double mid = 0.5 * (lo + hi);
        if (d * (twin__health_predict_at(s, o, mid) - level) >= 0)
            hi = mid;
        else
            lo = mid;
    }
    return hi - t_now;
}

static twin_status time_to(const twin__health *s, const twin_health_options *o, double level,
                           double *out)
{
    double d = twin__health_dir(s), t_now = twin__health_time(s, s->last_us), yl = 0;
    if (s->kind == TWIN_HEALTH_USER) {
        *out = user_crossing(s, o, level, d, t_now);
        return TWIN_OK;
    }
    twin__health_to_model(s->kind, o->phi, level, &yl);
    *out = mean_crossing(s, yl, d, t_now);
    return TWIN_OK;
}

twin_status twin_health_get_time_to(const twin_health *h, const twin_health_options *o,
                                    double level, double *seconds, twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    twin__hopts ob;
    twin_status st = twin__health_check_opts(h, &o, &ob, err);
    if (st < 0) return st;
    if (!seconds) return twin__hfail(err, TWIN_E_INVAL, "seconds is NULL");
    if ((st = twin__health_check_level(s->kind, o->phi, s->baseline, level, err)) < 0) return st;
    if (twin__health_dir(s) * (level - s->baseline) < 0)
        return twin__hfail(err, TWIN_E_RANGE,
                           "the level is on the healthy side of the baseline");
    return time_to(s, o, level, seconds);
}

twin_status twin_health_get_rul(const twin_health *h, const twin_health_options *o,
                                double q_lower, double q_upper, twin_health_rul *out,
                                twin_error *err)
{
    const twin__health *s = (const twin__health *)(const void *)h;
    twin_health_rul r;
    double P[3], d, yl = 0, c, b, t_now;
    twin__hopts ob;
    twin_status st = twin__health_check_opts(h, &o, &ob, err);
    if (st < 0) return st;
    if (!out) return twin__hfail(err, TWIN_E_INVAL, "out is NULL");
    if ((st = twin__sized_check(out, sizeof r)) != TWIN_OK)
        return twin__hfail(err, st, "rul size is unknown to this library");
    if (!(q_lower > 0) || !(q_lower <= 0.5) || !(q_upper >= 0.5) || !(q_upper < 1))
        return twin__hfail(err, TWIN_E_INVAL,
                           "quantile levels must satisfy 0 < q_lower <= 0.5 <= q_upper < 1");
    memset(&r, 0, sizeof r);
    if (s->kind == TWIN_HEALTH_USER) {
        time_to(s, o, s->failure, &r.median);
        r.lower = r.upper = NAN;
        return twin__sized_out(out, &r, sizeof r);
    }
    if (!twin__kf_cov(s->u.g.L, P))
        return twin__hfail(err, TWIN_E_RANGE, "the information matrix is singular");
    d = twin__health_dir(s);
    twin__health_to_model(s->kind, o->phi, s->failure, &yl);
    c = d * (s->u.g.m[0] - yl);
    b = d * s->u.g.m[1];
    t_now = twin__health_time(s, s->last_us);
    r.median = mean_crossing(s, yl, d, t_now);
    /* the lower RUL bound is where the probability of failure reaches
       q_lower; P is unchanged by the direction (a sign flip of both x) */
    {
        double zl = twin__normal_quantile(q_lower);
        /* symmetric levels (0.05 and 0.95) share one quantile */
        double zu = q_upper == 1 - q_lower ? -zl : twin__normal_quantile(q_upper);
        r.lower = crossing(c, b, P, zl, t_now);
        r.upper = crossing(c, b, P, zu, t_now);
    }
    return twin__sized_out(out, &r, sizeof r);
}
