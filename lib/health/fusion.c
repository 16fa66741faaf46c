/* A fused health index: operating regimes by k-means over the settings,
 * per-regime normalisation of the sensors, and a least-squares linear
 * combination that runs from 1 at the start of each run to 0 at failure.
 * No allocation: every step is a pass over the caller's rows. */
#include "health/health_int.h"

#include <float.h>
#include <string.h>

#define NS TWIN_HEALTH_FUSION_SENSORS
#define NQ TWIN_HEALTH_FUSION_SETTINGS
#define NR TWIN_HEALTH_FUSION_REGIMES

static const double *row_set(const twin_health_fleet *f, size_t i)
{
    return f->settings + i * f->nsettings;
}

static const double *row_sen(const twin_health_fleet *f, size_t i)
{
    return f->sensors + i * f->nsensors;
}

static uint32_t nearest(const twin_health_fusion *u, const double *set)
{
    uint32_t best = 0;
    double bd = DBL_MAX;
    for (uint32_t k = 0; k < u->nregimes; k++) {
        double d = 0;
        for (uint32_t j = 0; j < u->nsettings; j++) {
            double x = set[j] / u->setting_scale[j] - u->centre[k][j];
            d += x * x;
        }
        if (d < bd) {
            bd = d;
            best = k;
        }
    }
    return best;
}

static uint32_t regime_of(const twin_health_fusion *u, const twin_health_fleet *f, size_t i)
{
    return u->nsettings ? nearest(u, row_set(f, i)) : 0;
}

/* Rows, runs, times and values; counts the runs. */
static twin_status check_fleet(const twin_health_fleet *f, uint32_t nregimes, double cap_s,
                               twin_error *err)
{
    size_t runs = 0, start = 0;
    if (f->nsensors < 1 || f->nsensors > NS || f->nsettings > NQ)
        return twin__hfail(err, TWIN_E_INVAL, "sensor or setting count out of range");
    if (nregimes < 1 || nregimes > NR || (f->nsettings == 0 && nregimes != 1))
        return twin__hfail(err, TWIN_E_INVAL,
                           "nregimes must be 1..TWIN_HEALTH_FUSION_REGIMES (1 without settings)");
    if (!f->run || !f->t_us || !f->sensors || (f->nsettings && !f->settings))
        return twin__hfail(err, TWIN_E_INVAL, "fleet arrays are NULL");
    if (!(cap_s >= 0) || !twin__finite(cap_s))
        return twin__hfail(err, TWIN_E_INVAL, "cap_s must be finite and >= 0");
    for (size_t i = 0; i < f->nrows; i++) {
        for (uint32_t j = 0; j < f->nsensors; j++)
            if (!twin__finite(row_sen(f, i)[j]))
                return twin__hfail(err, TWIN_E_INVAL, "a sensor value is not finite");
        for (uint32_t j = 0; j < f->nsettings; j++)
            if (!twin__finite(row_set(f, i)[j]))
                return twin__hfail(err, TWIN_E_INVAL, "a setting is not finite");
        if (i > start && f->run[i] == f->run[i - 1] && f->t_us[i] < f->t_us[i - 1])
            return twin__hfail(err, TWIN_E_INVAL, "time goes backwards in a run");
        if (i + 1 == f->nrows || f->run[i + 1] != f->run[i]) {
            if (i == start || f->t_us[i] == f->t_us[start])
                return twin__hfail(err, TWIN_E_INVAL,
                                   "a run has fewer than 2 rows or no duration");
            runs++;
            start = i + 1;
        }
    }
    if (runs < 2) return twin__hfail(err, TWIN_E_INVAL, "fitting needs at least 2 runs");
    return TWIN_OK;
}

static void setting_scales(twin_health_fusion *u, const twin_health_fleet *f)
{
    for (uint32_t j = 0; j < u->nsettings; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < f->nrows; i++) m += row_set(f, i)[j];
        m /= (double)f->nrows;
        for (size_t i = 0; i < f->nrows; i++) {
            double d = row_set(f, i)[j] - m;
            v += d * d;
        }
        v = sqrt(v / (double)f->nrows);
        u->setting_scale[j] = v > 0 ? v : 1.0;
    }
}

/* Farthest-first centres from row 0, then Lloyd's iterations. */
static twin_status kmeans(twin_health_fusion *u, const twin_health_fleet *f, twin_error *err)
{
    uint32_t K = u->nregimes, Q = u->nsettings;
    for (uint32_t j = 0; j < Q; j++) u->centre[0][j] = row_set(f, 0)[j] / u->setting_scale[j];
    for (uint32_t k = 1; k < K; k++) {
        double far = -1;
        size_t arg = 0;
        u->nregimes = k;
        for (size_t i = 0; i < f->nrows; i++) {
            double d = 0;
            uint32_t c = nearest(u, row_set(f, i));
            for (uint32_t j = 0; j < Q; j++) {
                double x = row_set(f, i)[j] / u->setting_scale[j] - u->centre[c][j];
                d += x * x;
            }
            if (d > far) {
                far = d;
                arg = i;
            }
        }
        if (!(far > 0))
            return twin__hfail(err, TWIN_E_INVAL, "fewer distinct operating points than regimes");
        for (uint32_t j = 0; j < Q; j++)
            u->centre[k][j] = row_set(f, arg)[j] / u->setting_scale[j];
    }
    u->nregimes = K;
    for (int it = 0; it < 100; it++) {
        double sum[NR][NQ];
        size_t cnt[NR];
        int moved = 0;
        memset(sum, 0, sizeof sum);
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < f->nrows; i++) {
            uint32_t c = nearest(u, row_set(f, i));
            cnt[c]++;
            for (uint32_t j = 0; j < Q; j++) sum[c][j] += row_set(f, i)[j] / u->setting_scale[j];
        }
        for (uint32_t k = 0; k < K; k++) {
            if (!cnt[k]) continue;
            for (uint32_t j = 0; j < Q; j++) {
                double c = sum[k][j] / (double)cnt[k];
                if (c != u->centre[k][j]) moved = 1;
                u->centre[k][j] = c;
            }
        }
        if (!moved) break;
    }
    return TWIN_OK;
}

static twin_status normalisation(twin_health_fusion *u, const twin_health_fleet *f,
                                 twin_error *err)
{
    size_t cnt[NR];
    uint32_t P = u->nsensors;
    memset(cnt, 0, sizeof cnt);
    for (size_t i = 0; i < f->nrows; i++) {
        uint32_t r = regime_of(u, f, i);
        cnt[r]++;
        for (uint32_t j = 0; j < P; j++) u->mean[r][j] += row_sen(f, i)[j];
    }
    for (uint32_t r = 0; r < u->nregimes; r++) {
        if (cnt[r] < 2) return twin__hfail(err, TWIN_E_RANGE, "a regime has fewer than 2 rows");
        for (uint32_t j = 0; j < P; j++) u->mean[r][j] /= (double)cnt[r];
    }
    for (size_t i = 0; i < f->nrows; i++) {
        uint32_t r = regime_of(u, f, i);
        for (uint32_t j = 0; j < P; j++) {
            double d = row_sen(f, i)[j] - u->mean[r][j];
            u->scale[r][j] += d * d;
        }
    }
    for (uint32_t r = 0; r < u->nregimes; r++)
        for (uint32_t j = 0; j < P; j++) {
            double s = sqrt(u->scale[r][j] / (double)(cnt[r] - 1));
            /* a sensor constant within a regime (up to rounding) carries nothing */
            u->scale[r][j] = s > 1e-12 * fmax(fabs(u->mean[r][j]), 1e-300) ? s : 0.0;
        }
    return TWIN_OK;
}

/* The normalised row: z[0] = 1, z[1..P] the sensors. */
static void features(const twin_health_fusion *u, const double *sen, uint32_t r, double *z)
{
    z[0] = 1.0;
    for (uint32_t j = 0; j < u->nsensors; j++)
        z[j + 1] = u->scale[r][j] > 0 ? (sen[j] - u->mean[r][j]) / u->scale[r][j] : 0.0;
}

/* Calls fn(ctx, row, target) for every row, run by run. */
static void each_target(const twin_health_fleet *f, double cap_s,
                        void (*fn)(void *, size_t, double), void *ctx)
{
    size_t start = 0;
    while (start < f->nrows) {
        size_t end = start;
        double span;
        while (end + 1 < f->nrows && f->run[end + 1] == f->run[start]) end++;
        span = (double)(f->t_us[end] - f->t_us[start]) * 1e-6;
        for (size_t i = start; i <= end; i++) {
            double left = (double)(f->t_us[end] - f->t_us[i]) * 1e-6;
            double y = cap_s > 0 ? fmin(1.0, left / cap_s) : left / span;
            fn(ctx, i, y);
        }
        start = end + 1;
    }
}

typedef struct ls_ctx {
    twin_health_fusion *u;
    const twin_health_fleet *f;
    double A[(NS + 1) * (NS + 1)];
    double b[NS + 1];
    double sse;
} ls_ctx;

static void ls_add(void *p, size_t i, double y)
{
    ls_ctx *c = p;
    unsigned n = c->u->nsensors + 1;
    double z[NS + 1];
    features(c->u, row_sen(c->f, i), regime_of(c->u, c->f, i), z);
    for (unsigned a = 0; a < n; a++) {
        c->b[a] += z[a] * y;
        for (unsigned b = 0; b <= a; b++) c->A[a * n + b] += z[a] * z[b];
    }
}

static void ls_err(void *p, size_t i, double y)
{
    ls_ctx *c = p;
    double z[NS + 1], h = c->u->bias;
    features(c->u, row_sen(c->f, i), regime_of(c->u, c->f, i), z);
    for (unsigned j = 0; j < c->u->nsensors; j++) h += c->u->weight[j] * z[j + 1];
    c->sse += (h - y) * (h - y);
}

static twin_status weights(twin_health_fusion *u, const twin_health_fleet *f, double cap_s,
                           ls_ctx *c, twin_error *err)
{
    unsigned n = u->nsensors + 1;
    double diag = 0, ridge;
    memset(c, 0, sizeof *c);
    c->u = u;
    c->f = f;
    each_target(f, cap_s, ls_add, c);
    for (unsigned a = 0; a < n; a++)
        for (unsigned b = 0; b < a; b++) c->A[b * n + a] = c->A[a * n + b];
    for (unsigned a = 1; a < n; a++) diag += c->A[a * n + a];
    ridge = 1e-9 * diag / (double)(n - 1);
    for (unsigned a = 1; a < n; a++) c->A[a * n + a] += ridge;
    if (!twin__cholesky_solve(c->A, c->b, n))
        return twin__hfail(err, TWIN_E_RANGE, "the normal equations are singular");
    u->bias = c->b[0];
    for (unsigned j = 0; j < u->nsensors; j++) u->weight[j] = c->b[j + 1];
    c->sse = 0;
    each_target(f, cap_s, ls_err, c);
    u->rmse = sqrt(c->sse / (double)f->nrows);
    return TWIN_OK;
}

twin_status twin_health_fusion_fit(twin_health_fusion *out, const twin_health_fleet *fleet,
                                   uint32_t nregimes, double cap_s, twin_error *err)
{
    twin_health_fusion u;
    twin_health_fleet fl;
    ls_ctx ctx;
    twin_status st;
    if (!out || !fleet) return twin__hfail(err, TWIN_E_INVAL, "out or fleet is NULL");
    memset(&fl, 0, sizeof fl);
    if ((st = twin__sized_in(&fl, sizeof fl, fleet)) != TWIN_OK)
        return twin__hfail(err, st, st == TWIN_E_ABI ? "fleet size is unknown to this library"
                                                     : "fleet size is too small");
    fleet = &fl;
    if ((st = check_fleet(fleet, nregimes, cap_s, err)) < 0) return st;
    memset(&u, 0, sizeof u);
    u.size = sizeof u;
    u.nsensors = fleet->nsensors;
    u.nsettings = fleet->nsettings;
    u.nregimes = nregimes;
    for (uint32_t j = 0; j < NQ; j++) u.setting_scale[j] = 1.0;
    if (u.nsettings) {
        setting_scales(&u, fleet);
        if ((st = kmeans(&u, fleet, err)) < 0) return st;
    }
    if ((st = normalisation(&u, fleet, err)) < 0) return st;
    if ((st = weights(&u, fleet, cap_s, &ctx, err)) < 0) return st;
    /* A filler: twin_health_fusion as published in 1.2 is its whole size today. */
    twin__sized_fill(out, &u, sizeof u, sizeof u);
    return TWIN_OK;
}

/* A fusion of an older library's (smaller) size: read over a zeroed one.
   Out of line, so that the usual call does not carry the copy's stack. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static twin_status apply_sized(const twin_health_fusion *f, const double *sensors,
                               const double *settings, double *index, uint32_t *regime,
                               twin_error *err)
{
    twin_health_fusion c;
    twin_status st;
    memset(&c, 0, sizeof c);
    if ((st = twin__sized_in(&c, sizeof c, f)) != TWIN_OK)
        return twin__hfail(err, st, st == TWIN_E_ABI ? "fusion size is unknown to this library"
                                                     : "not a fitted fusion");
    return twin_health_fusion_apply(&c, sensors, settings, index, regime, err);
}

twin_status twin_health_fusion_apply(const twin_health_fusion *f, const double *sensors,
                                     const double *settings, double *index, uint32_t *regime,
                                     twin_error *err)
{
    double z[NS + 1], h;
    uint32_t r = 0;
    if (!f || !sensors || !index || (f->nsettings && !settings))
        return twin__hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if (f->size != sizeof *f) return apply_sized(f, sensors, settings, index, regime, err);
    if (f->nsensors < 1 || f->nsensors > NS || f->nsettings > NQ ||
        f->nregimes < 1 || f->nregimes > NR)
        return twin__hfail(err, TWIN_E_INVAL, "not a fitted fusion");
    for (uint32_t j = 0; j < f->nsensors; j++)
        if (!twin__finite(sensors[j]))
            return twin__hfail(err, TWIN_E_INVAL, "a sensor value is not finite");
    for (uint32_t j = 0; j < f->nsettings; j++)
        if (!twin__finite(settings[j]))
            return twin__hfail(err, TWIN_E_INVAL, "a setting is not finite");
    if (f->nsettings) r = nearest(f, settings);
    features(f, sensors, r, z);
    h = f->bias;
    for (uint32_t j = 0; j < f->nsensors; j++) h += f->weight[j] * z[j + 1];
    *index = h;
    if (regime) *regime = r;
    return TWIN_OK;
}
