/* The RUL predictor at run time: settings, the track of one asset (O(1)
 * per cycle: exponentially weighted means and a baseline per signal),
 * its features and the sum of the oblivious trees. No libm call on this
 * path, so that a Cortex-M gives the host's estimates. */
#include "health/predictor_int.h"

#include <float.h>
#include <string.h>

twin_status twin_health_predictor_params_init_(twin_health_predictor_params *p, size_t size)
{
    twin_health_predictor_params d;
    if (!p) return TWIN_E_INVAL;
    memset(&d, 0, sizeof d);
    d.size = (uint32_t)sizeof d;
    d.nregimes = 1;
    d.trees = 300;
    d.depth = 5;
    d.bins = 64;
    d.fast_span = 50;
    d.slow_span = 60;
    d.baseline = 20;
    d.horizon = 125;
    d.censor = 0.8;
    d.learning_rate = 0.05;
    d.subsample = 0.5;
    d.lambda = 1;
    d.seed = 1;
    return twin__sized_init(p, size, &d, sizeof d);
    return TWIN_OK;
}

void twin_health_predictor_destroy(twin_health_predictor *m)
{
    twin_allocator a;
    if (!m) return;
    a = m->alloc;
    twin__free(&a, m->blk, m->blk_size);
    twin__free(&a, m, sizeof *m);
}

int twin__predictor_alloc_trees(twin_health_predictor *m)
{
    size_t nd = (size_t)m->ntrees * m->depth, nl = (size_t)m->ntrees << m->depth;
    size_t n = nl * sizeof(float) + nd * sizeof(float) + nd;
    unsigned char *p = twin__alloc(&m->alloc, n);
    if (!p) return 0;
    memset(p, 0, n);
    m->blk = p;
    m->blk_size = n;
    m->leaf = (float *)(void *)p;
    m->thr = (float *)(void *)(p + nl * sizeof(float));
    m->feat = p + nl * sizeof(float) + nd * sizeof(float);
    return 1;
}

uint32_t twin__predictor_regime(const twin_health_predictor *m, const double *settings)
{
    uint32_t best = 0;
    double bd = DBL_MAX;
    if (!m->nsettings) return 0;
    for (uint32_t k = 0; k < m->nregimes; k++) {
        double d = 0;
        for (uint32_t j = 0; j < m->nsettings; j++) {
            double x = settings[j] / m->setting_scale[j] - m->centre[k][j];
            d += x * x;
        }
        if (d < bd) {
            bd = d;
            best = k;
        }
    }
    return best;
}

/* x <- x + (v - x) * max(alpha, 1/n): the running mean while n < 1/alpha. */
static double ewma(double x, double v, double alpha, double inv_n)
{
    return x + (v - x) * (alpha > inv_n ? alpha : inv_n);
}

void twin__predictor_step(const twin_health_predictor *m, twin__track *t, const double *sensors,
                          const double *settings)
{
    uint32_t r = twin__predictor_regime(m, settings), P = m->nsensors;
    double z[TWIN__PSIG], hi = m->hi_bias, inv_n;
    for (uint32_t j = 0; j < P; j++) {
        double s = m->scale[r][j];
        z[j] = s > 0 ? (sensors[j] - m->mean[r][j]) / s : 0.0;
        hi += m->weight[j] * z[j];
    }
    z[P] = hi;
    t->n++;
    inv_n = 1.0 / (double)t->n;
    for (uint32_t j = 0; j <= P; j++) {
        t->fast[j] = ewma(t->fast[j], z[j], m->alpha_fast, inv_n);
        t->slow[j] = ewma(t->slow[j], z[j], m->alpha_slow, inv_n);
        if (t->n <= m->baseline) t->base[j] += (z[j] - t->base[j]) * inv_n;
    }
}

void twin__predictor_features(const twin_health_predictor *m, const twin__track *t, double *x)
{
    uint32_t S = m->nsensors + 1;
    for (uint32_t j = 0; j < S; j++) {
        x[j] = t->fast[j];
        x[S + j] = t->slow[j];
        x[2 * S + j] = t->fast[j] - t->base[j];
        x[3 * S + j] = t->fast[j] - t->slow[j];
    }
    x[4 * S] = (double)t->n;
}

double twin__predictor_raw(const twin_health_predictor *m, const double *x)
{
    uint32_t d = m->depth;
    const uint8_t *f = m->feat;
    const float *th = m->thr, *lf = m->leaf;
    double sum = m->bias;
    for (uint32_t k = 0; k < m->ntrees; k++) {
        uint32_t i = 0;
        for (uint32_t l = 0; l < d; l++) i = 2 * i + (x[f[l]] >= (double)th[l]);
        sum += (double)lf[i];
        f += d;
        th += d;
        lf += (size_t)1 << d;
    }
    return sum;
}

twin_status twin_health_predictor_get_info(const twin_health_predictor *m,
                                           twin_health_predictor_info *out, twin_error *err)
{
    twin_health_predictor_info i;
    twin_status st;
    if (!m || !out) return twin__hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if ((st = twin__sized_check(out, sizeof i)) < 0)
        return twin__hfail(err, st, "info size is unknown to this library");
    memset(&i, 0, sizeof i);
    i.size = sizeof i;
    i.nsensors = m->nsensors;
    i.nsettings = m->nsettings;
    i.nregimes = m->nregimes;
    i.nfeatures = m->nfeat;
    i.trees = m->ntrees;
    i.depth = m->depth;
    i.horizon = m->horizon;
    i.censor_level = m->censor_level;
    i.bytes = twin__predictor_size(m);
    return twin__sized_out(out, &i, sizeof i);
}

/* ---- tracks ----------------------------------------------------------------------- */

static twin_status track_check(const twin_health_predictor *m, const twin_health_track *t,
                               twin_error *err)
{
    const twin__track *s = (const twin__track *)t;
    if (s->size != sizeof *t) return twin__hfail(err, TWIN_E_INVAL, "track is not initialised");
    if (s->layout != TWIN__TRACK_LAYOUT)
        return twin__hfail(err, TWIN_E_ABI, "track was made by another library layout");
    if (s->tag != m->tag || s->nsig != m->nsensors + 1)
        return twin__hfail(err, TWIN_E_INVAL, "track was made for another model");
    return TWIN_OK;
}

twin_status twin_health_track_init(const twin_health_predictor *m, twin_health_track *t,
                                   twin_error *err)
{
    twin__track *s = (twin__track *)t;
    if (!m || !t) return twin__hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    memset(t, 0, sizeof *t);
    s->size = sizeof *t;
    s->layout = TWIN__TRACK_LAYOUT;
    s->tag = m->tag;
    s->nsig = m->nsensors + 1;
    return TWIN_OK;
}

twin_status twin_health_track_update(const twin_health_predictor *m, twin_health_track *t,
                                     const double *sensors, const double *settings,
                                     twin_error *err)
{
    twin_status st;
    if (!m || !t || !sensors || (m->nsettings && !settings))
        return twin__hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if ((st = track_check(m, t, err)) < 0) return st;
    for (uint32_t j = 0; j < m->nsensors; j++)
        if (!twin__finite(sensors[j]))
            return twin__hfail(err, TWIN_E_INVAL, "a sensor value is not finite");
    for (uint32_t j = 0; j < m->nsettings; j++)
        if (!twin__finite(settings[j]))
            return twin__hfail(err, TWIN_E_INVAL, "a setting is not finite");
    twin__predictor_step(m, (twin__track *)t, sensors, settings);
    return TWIN_OK;
}

twin_status twin_health_track_get_rul(const twin_health_predictor *m, const twin_health_track *t,
                                      twin_health_rul_estimate *out, twin_error *err)
{
    const twin__track *s = (const twin__track *)t;
    twin_health_rul_estimate e;
    double x[TWIN__PFEAT], r;
    twin_status st;
    if (!m || !t || !out) return twin__hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if ((st = twin__sized_check(out, sizeof e)) < 0)
        return twin__hfail(err, st, "estimate size is unknown to this library");
    if ((st = track_check(m, t, err)) < 0) return st;
    if (s->n == 0) return twin__hfail(err, TWIN_E_INVAL, "the track has no cycle yet");
    twin__predictor_features(m, s, x);
    r = twin__predictor_raw(m, x);
    r = r < 0 ? 0 : r > m->horizon ? m->horizon : r;
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    e.flags = r >= m->censor_level ? TWIN_HEALTH_RUL_CENSORED : 0;
    e.rul = r;
    e.horizon = m->horizon;
    e.cycles = s->n;
    return twin__sized_out(out, &e, sizeof e);
}
