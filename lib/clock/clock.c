/* Clock models per source: the lower envelope of (receive - source) delays
 * over windows of host time, a linear programme over its points for the
 * offset and the skew, steps, tolerance. Plain data, no allocation. */
#include "clock/clock_int.h"

#include "core/sized.h"

#include <math.h>
#include <string.h>

static twin_status cfail(twin_error *err, twin_status s, const char *msg)
{
    if (err) {
        err->status = s;
        err->reserved_ = 0;
        err->message = msg;
    }
    return s;
}

static void defaults(twin_clock_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->kind = TWIN_CLOCK_ESTIMATED;
    o->window_us = 500000;
    o->step_us = 100000;
    o->max_offset_us = INT64_C(86400000000);
    o->tolerance_offset_us = INT64_MAX;
    o->tolerance_skew_ppm = INFINITY;
    o->zone_step_us = INT64_C(900000000);
    o->min_pairs = 4;
    o->step_pairs = 3;
}

twin_status twin_clock_options_init_(twin_clock_options *o, size_t size)
{
    twin_clock_options d;
    defaults(&d);
    return twin__sized_init(o, size, &d, sizeof d);
}

twin_status twin_clock_init(twin_clock *c, const twin_clock_options *o, twin_error *err)
{
    twin_clock_options op;
    twin__clock s;
    twin_status st;
    if (!c) return cfail(err, TWIN_E_INVAL, "the clock state is NULL");
    defaults(&op);
    if ((st = twin__sized_in(&op, sizeof op, o)) != TWIN_OK)
        return cfail(err, st, st == TWIN_E_ABI ? "options size is unknown to this library"
                                               : "options size is below 8 bytes");
    if (op.kind < TWIN_CLOCK_ESTIMATED || op.kind > TWIN_CLOCK_LOCAL_TIME)
        return cfail(err, TWIN_E_INVAL, "unknown clock kind");
    if (op.window_us <= 0 || op.step_us <= 0 || op.max_offset_us <= 0 || op.zone_step_us <= 0)
        return cfail(err, TWIN_E_INVAL, "window, step, max offset and zone step must be > 0");
    if (op.min_delay_us < 0 || op.min_delay_us >= op.max_offset_us)
        return cfail(err, TWIN_E_INVAL, "min_delay_us must be in [0, max_offset_us)");
    if (op.tolerance_offset_us < 0 || !(op.tolerance_skew_ppm >= 0))
        return cfail(err, TWIN_E_INVAL, "a tolerance is negative or NaN");
    if (op.min_pairs < 1 || op.step_pairs < 1)
        return cfail(err, TWIN_E_INVAL, "min_pairs and step_pairs must be >= 1");
    if (op.kind == TWIN_CLOCK_KNOWN_OFFSET &&
        (op.offset_us > op.max_offset_us || op.offset_us < -op.max_offset_us))
        return cfail(err, TWIN_E_INVAL, "the declared offset exceeds max_offset_us");
    memset(&s, 0, sizeof s);
    s.size = sizeof(twin_clock);
    s.layout = TWIN__CLOCK_LAYOUT;
    s.kind = op.kind;
    s.min_pairs = op.min_pairs;
    s.step_pairs = op.step_pairs;
    s.offset_us = op.offset_us;
    s.window_us = op.window_us;
    s.step_us = op.step_us;
    s.max_offset_us = op.max_offset_us;
    s.min_delay_us = op.min_delay_us;
    s.tol_offset_us = op.tolerance_offset_us;
    s.tol_skew_ppm = op.tolerance_skew_ppm;
    s.zone_step_us = op.zone_step_us;
    s.last_recv = INT64_MIN;
    s.since_step = TWIN_CLOCK_POINTS;
    s.prior_ub = INFINITY;
    memset(c, 0, sizeof *c);
    memcpy(c, &s, sizeof s);
    return TWIN_OK;
}

static twin_status check_state(const twin_clock *c, twin_error *err)
{
    if (!c || c->size != sizeof(twin_clock))
        return cfail(err, TWIN_E_INVAL, "the clock state is NULL or not initialised");
    if (c->layout_ != TWIN__CLOCK_LAYOUT)
        return cfail(err, TWIN_E_ABI, "the clock state was made by another library layout");
    return TWIN_OK;
}

/* Point k (0: oldest) of the ring. */
static inline uint32_t at(const twin__clock *s, uint32_t k)
{
    return (s->head + k) % TWIN_CLOCK_POINTS;
}

static double cross(double ox, double oy, double ax, double ay, double bx, double by)
{
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);
}

/* The line under the points along slope b closest to them: its value at
 * xe (the lowest point carried along b). */
static double under(const twin__clock *s, double b, double xe)
{
    double a = INFINITY;
    for (uint32_t k = 0; k < s->n; k++) {
        double v = s->pd[at(s, k)] + b * (xe - s->px[at(s, k)]);
        if (v < a) a = v;
    }
    return a;
}

/* The delays' scale above the line a + b (x - xe): the median distance of
 * the points above it over ln 2 (the mean of exponential delays, robust to
 * a heavy tail, which the mean is not). */
static double delay_scale(const twin__clock *s, double a, double b, double xe)
{
    double v[TWIN_CLOCK_POINTS];
    uint32_t n = s->n, lo = 0, hi, k = n / 2;
    for (uint32_t i = 0; i < n; i++) v[i] = s->pd[at(s, i)] - (a + b * (s->px[at(s, i)] - xe));
    /* quickselect of the k-th smallest */
    hi = n - 1;
    while (lo < hi) {
        double piv = v[(lo + hi) / 2], t;
        uint32_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < piv) i++;
            while (v[j] > piv) j--;
            if (i <= j) {
                t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return v[k] / 0.6931471805599453;
}

/* The linear programme: the edge of the points' lower convex hull above
 * their mean x is the line under all points closest to them on average
 * (the maximum-likelihood line for exponential delays). */
static void lp_line(const twin__clock *s, double xm, double xe, double *a, double *b)
{
    double hx[TWIN_CLOCK_POINTS], hd[TWIN_CLOCK_POINTS];
    uint32_t m = 0, e;
    for (uint32_t k = 0; k < s->n; k++) {
        double x = s->px[at(s, k)], d = s->pd[at(s, k)];
        while (m >= 2 && cross(hx[m - 2], hd[m - 2], hx[m - 1], hd[m - 1], x, d) <= 0) m--;
        hx[m] = x;
        hd[m] = d;
        m++;
    }
    for (e = 0; e + 2 < m && hx[e + 1] < xm; e++) {}
    *b = (hd[e + 1] - hd[e]) / (hx[e + 1] - hx[e]);
    *a = hd[e] + *b * (xe - hx[e]);
}

/* Fit the line to the points; xe is the latest pair's x. The skew comes
 * from the points when they give it better than the prior does (after a
 * step the prior, from the points before it, is usually better for a
 * while: a step changes the offset, not the rate). */
static void fit(twin__clock *s, double xe)
{
    uint32_t n = s->n;
    double xm = 0, span, half, r = 0, a = 0, b = 0, ub = INFINITY;
    for (uint32_t k = 0; k < n; k++) xm += s->px[at(s, k)];
    xm /= n;
    span = s->px[at(s, n - 1)] - s->px[at(s, 0)];
    half = span / 2;
    if (n >= TWIN__CLOCK_SKEW_MIN && span > 0) {
        lp_line(s, xm, xe, &a, &b);
        r = delay_scale(s, a, b, xe);
        ub = TWIN__CLOCK_K_SKEW * r / (n * half);
    }
    if (isfinite(ub) && (!s->step_prior || ub < s->prior_ub ||
                         s->since_step >= TWIN__CLOCK_STEP_PRIOR_MAX)) {
        s->skew_prior = 0;
        s->step_prior = 0;
        /* the envelope of n points lies above the true line by about the
           delays' scale over n (measured on simulated plants): take it off */
        a -= TWIN__CLOCK_BIAS * r / n;
        s->ua = TWIN__CLOCK_K_OFFSET * r / n * (1 + fabs(xe - xm) / half);
        s->ub = ub;
        s->prior_b = b;
        s->prior_ub = ub;
    } else {
        s->skew_prior = 1;
        b = s->prior_b;
        a = under(s, b, xe);
        r = delay_scale(s, a, b, xe);
        if (n >= 2) a -= r / n;  /* the lowest of n delays: their scale / n above */
        s->ua = n >= 2 ? TWIN__CLOCK_K_OFFSET * r / n : INFINITY;
        if (isfinite(s->prior_ub)) s->ua += s->prior_ub * fabs(xe - xm);
        s->ub = s->prior_ub;
    }
    s->a = a;
    s->b = b;
    s->xe = xe;
    s->has_line = 1;
}

/* A pair within window_us of the newest point's window start joins it
 * (the lower one stays); else it starts a new point. */
static void push(twin__clock *s, double x, double d, int64_t t)
{
    if (s->n && t - s->last_win < s->window_us) {
        uint32_t k = at(s, s->n - 1);
        if (d < s->pd[k]) {
            s->px[k] = x;
            s->pd[k] = d;
        }
        return;
    }
    if (s->n == TWIN_CLOCK_POINTS) {
        s->head = (s->head + 1) % TWIN_CLOCK_POINTS;
        s->n--;
    }
    s->px[at(s, s->n)] = x;
    s->pd[at(s, s->n)] = d;
    s->n++;
    s->last_win = t;
    if (s->since_step < TWIN_CLOCK_POINTS) s->since_step++;
}

/* Keep only the newest k points. */
static void keep_newest(twin__clock *s, uint32_t k)
{
    s->head = at(s, s->n - k);
    s->n = k;
}

twin_status twin_clock_observe(twin_clock *c, int64_t source_us, int64_t receive_us,
                               twin_error *err)
{
    twin__clock *s = (twin__clock *)(void *)c;
    twin_status st;
    int64_t delay;
    double x, d;
    if ((st = check_state(c, err)) != TWIN_OK) return st;
    if (source_us <= 0 || source_us >= TWIN__CLOCK_T_MAX || receive_us <= 0 ||
        receive_us >= TWIN__CLOCK_T_MAX)
        return cfail(err, TWIN_E_RANGE, "a timestamp is outside (0, 2^53) microseconds");
    delay = receive_us - source_us;
    if (delay > s->max_offset_us || delay < -s->max_offset_us)
        return cfail(err, TWIN_E_RANGE, "receive and source times are further apart than "
                                        "max_offset_us");
    if (receive_us < s->last_recv)
        return cfail(err, TWIN_E_INVAL, "the receive time is earlier than the previous pair's");
    if (s->last_recv == INT64_MIN) {
        s->anchor_t = receive_us;
        s->anchor_d = delay - s->min_delay_us;
    }
    x = (double)(receive_us - s->anchor_t);
    d = (double)(delay - s->min_delay_us - s->anchor_d);
    s->last_recv = receive_us;
    s->pairs++;
    {
        int64_t win = receive_us;
        double resid = s->has_line ? d - (s->a + s->b * (x - s->xe)) : 0;
        if (resid < -(double)s->step_us) {
            /* below the envelope: no delay explains it, the clock was set forward */
            s->n = 0;
            s->steps++;
            s->step_prior = 1;
            s->since_step = 0;
            s->above = 0;
            push(s, x, d, win);
        } else if (resid > (double)s->step_us) {
            push(s, x, d, win);
            if (++s->above < s->step_pairs) return TWIN_OK;  /* estimate unchanged */
            {
                /* set back: restart from the newest points far above the line */
                uint32_t k = 0;
                while (k < s->n) {
                    uint32_t i = at(s, s->n - 1 - k);
                    if (s->pd[i] - (s->a + s->b * (s->px[i] - s->xe)) <= (double)s->step_us) break;
                    k++;
                }
                keep_newest(s, k ? k : 1);
                s->steps++;
                s->step_prior = 1;
                s->since_step = s->n;
                s->above = 0;
            }
        } else {
            s->above = 0;
            push(s, x, d, win);
        }
    }
    fit(s, x);
    return TWIN_OK;
}

twin_status twin_clock_get_estimate(const twin_clock *c, twin_clock_estimate *out,
                                    twin_error *err)
{
    const twin__clock *s = (const twin__clock *)(const void *)c;
    twin_clock_estimate e;
    twin_status st;
    double xl, off;
    if ((st = check_state(c, err)) != TWIN_OK) return st;
    if (!out) return cfail(err, TWIN_E_INVAL, "the estimate is NULL");
    if ((st = twin__sized_check(out, sizeof e)) != TWIN_OK)
        return cfail(err, st, "the estimate's size is unknown to this library");
    if (s->kind != TWIN_CLOCK_KNOWN_OFFSET && (s->pairs < s->min_pairs || !s->has_line))
        return cfail(err, TWIN_E_NOTFOUND, "too few pairs to estimate the clock");
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    e.t_us = s->last_recv;
    e.pairs = s->pairs;
    e.points = s->n;
    e.steps = s->steps;
    if (s->steps && s->since_step < TWIN_CLOCK_POINTS) e.flags |= TWIN_CLOCK_STEPPED;
    xl = s->has_line ? (double)(s->last_recv - s->anchor_t) : 0;
    off = s->has_line ? s->a + s->b * (xl - s->xe) + (double)s->anchor_d : 0;
    if (s->kind == TWIN_CLOCK_KNOWN_OFFSET) {
        e.flags |= TWIN_CLOCK_DECLARED;
        e.offset_us = s->offset_us;
        if (s->has_line && s->pairs >= s->min_pairs &&
            fabs(off - (double)s->offset_us) > (double)s->tol_offset_us)
            e.flags |= TWIN_CLOCK_OUT_OF_TOLERANCE;
    } else {
        double own = off;
        e.offset_us = (int64_t)llround(off);
        e.skew_ppm = -s->b * 1e6;
        if (e.skew_ppm == 0) e.skew_ppm = 0;  /* no -0 */
        e.offset_uncertainty_us = s->ua + fabs(s->b) * fabs(xl - s->xe);
        e.skew_uncertainty_ppm = s->ub * 1e6;
        if (s->skew_prior) e.flags |= TWIN_CLOCK_SKEW_PRIOR;
        if (s->kind == TWIN_CLOCK_LOCAL_TIME) {
            double z = (double)s->zone_step_us;
            e.zone_offset_us = (int64_t)llround(floor(off / z + 0.5) * z);
            own = off - (double)e.zone_offset_us;
        }
        if (fabs(own) > (double)s->tol_offset_us || fabs(e.skew_ppm) > s->tol_skew_ppm)
            e.flags |= TWIN_CLOCK_OUT_OF_TOLERANCE;
    }
    twin__sized_out(out, &e, sizeof e);
    return TWIN_OK;
}

twin_status twin_clock_to_host(const twin_clock *c, int64_t source_us, int64_t *host_us,
                               twin_error *err)
{
    const twin__clock *s = (const twin__clock *)(const void *)c;
    twin_status st;
    double h;
    if ((st = check_state(c, err)) != TWIN_OK) return st;
    if (!host_us) return cfail(err, TWIN_E_INVAL, "host_us is NULL");
    if (source_us <= 0 || source_us >= TWIN__CLOCK_T_MAX)
        return cfail(err, TWIN_E_RANGE, "the timestamp is outside (0, 2^53) microseconds");
    if (s->kind == TWIN_CLOCK_KNOWN_OFFSET) {
        *host_us = source_us + s->offset_us;
        return TWIN_OK;
    }
    if (s->pairs < s->min_pairs || !s->has_line)
        return cfail(err, TWIN_E_NOTFOUND, "too few pairs to estimate the clock");
    /* host = source + offset(host): two fixed-point steps (|skew| << 1) */
    h = (double)source_us + s->a + (double)s->anchor_d +
        s->b * ((double)(s->last_recv - s->anchor_t) - s->xe);
    for (int i = 0; i < 2; i++)
        h = (double)source_us + s->a + (double)s->anchor_d +
            s->b * (h - (double)s->anchor_t - s->xe);
    *host_us = (int64_t)llround(h);
    return TWIN_OK;
}
