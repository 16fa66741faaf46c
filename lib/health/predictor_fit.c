/* Fitting the RUL predictor: the fused index (twin_health_fusion_fit on
 * cycle numbers), the features of every row through the same track code
 * as at run time, quantile thresholds per feature, and gradient boosting
 * of oblivious trees on histograms of the binned features.
 *
 * Deterministic: the row sampling is a seeded xorshift64*, every sum runs
 * in row order, and the trees see the features exactly as the run-time
 * path computes them (thresholds are floats, compared in double). */
#include "health/predictor_int.h"

#include <stdlib.h>
#include <string.h>

/* Rows sampled for the quantile thresholds. */
#define QSAMPLE 20000u

typedef struct hcell {
    double g, n;
} hcell;

typedef struct fitter {
    twin_health_predictor *m;
    const twin_health_predictor_params *p;
    const twin_health_fleet *fleet;
    size_t nrows;
    uint32_t F;          /* features */
    double *y, *pred, *res;
    uint8_t *bins;       /* F x nrows */
    float *edge;         /* F x 255 */
    uint32_t nedge[TWIN__PFEAT];
    uint32_t *sel;       /* rows of the current tree */
    uint8_t *node;       /* their node */
    hcell *hist;         /* 128 nodes x 256 bins */
    uint8_t *split;      /* ntrees x depth: edge index of each level */
    struct sampler *smp; /* quantiles(): the sample being taken */
} fitter;

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static twin_status check_params(const twin_health_predictor_params *p, twin_error *err)
{
    if (p->trees < 1 || p->trees > TWIN__PTREES || p->depth < 1 || p->depth > TWIN__PDEPTH ||
        p->bins < 2 || p->bins > 256 || p->fast_span < 1 || p->slow_span < 1 ||
        p->baseline < 1 || p->nregimes < 1 || p->nregimes > TWIN__PR)
        return twin__hfail(err, TWIN_E_INVAL, "a count of the params is out of range");
    if (!(p->horizon > 0) || !twin__finite(p->horizon) || !(p->censor > 0) ||
        !(p->censor <= 1) || !(p->learning_rate > 0) || !(p->learning_rate <= 1) ||
        !(p->subsample > 0) || !(p->subsample <= 1) || !(p->lambda >= 0) ||
        !twin__finite(p->lambda))
        return twin__hfail(err, TWIN_E_INVAL, "a value of the params is out of range");
    return TWIN_OK;
}

/* Regimes, normalisation and the fused index, with time in cycles. */
static twin_status fit_fusion(twin_health_predictor *m, const twin_health_fleet *f,
                              const twin_health_predictor_params *p, twin_error *err)
{
    twin_health_fleet g = *f;
    twin_health_fusion u;
    int64_t *t = twin__alloc(&m->alloc, (f->nrows ? f->nrows : 1) * sizeof *t);
    twin_status st;
    if (!t) return twin__hfail(err, TWIN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < f->nrows; i++) {
        int same = i > 0 && f->run[i] == f->run[i - 1];
        if (same && f->t_us[i] < f->t_us[i - 1]) {
            twin__free(&m->alloc, t, f->nrows * sizeof *t);
            return twin__hfail(err, TWIN_E_INVAL, "time goes backwards in a run");
        }
        t[i] = same ? t[i - 1] + 1000000 : 0;
    }
    g.t_us = t;
    st = twin_health_fusion_fit(&u, &g, p->nregimes, p->horizon, err);
    twin__free(&m->alloc, t, (f->nrows ? f->nrows : 1) * sizeof *t);
    if (st < 0) return st;
    m->nsensors = u.nsensors;
    m->nsettings = u.nsettings;
    m->nregimes = u.nregimes;
    memcpy(m->setting_scale, u.setting_scale, sizeof m->setting_scale);
    for (uint32_t r = 0; r < TWIN__PR; r++) {
        memcpy(m->centre[r], u.centre[r], sizeof m->centre[r]);
        memcpy(m->mean[r], u.mean[r], sizeof m->mean[r]);
        memcpy(m->scale[r], u.scale[r], sizeof m->scale[r]);
    }
    memcpy(m->weight, u.weight, sizeof m->weight);
    m->hi_bias = u.bias;
    return TWIN_OK;
}

/* Calls fn(fz, row, features) for every row, in order, with the run-time
 * track code. */
static void each_row(fitter *fz, void (*fn)(fitter *, size_t, const double *))
{
    const twin_health_fleet *f = fz->fleet;
    twin__track t;
    double x[TWIN__PFEAT];
    for (size_t i = 0; i < f->nrows; i++) {
        if (i == 0 || f->run[i] != f->run[i - 1]) {
            memset(&t, 0, sizeof t);
            t.nsig = fz->m->nsensors + 1;
        }
        twin__predictor_step(fz->m, &t, f->sensors + i * f->nsensors,
                             f->nsettings ? f->settings + i * f->nsettings : NULL);
        twin__predictor_features(fz->m, &t, x);
        fn(fz, i, x);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct sampler {
    double *v; /* F x cnt */
    size_t stride, cnt, k;
} sampler;

static void sample_row(fitter *fz, size_t i, const double *x)
{
    sampler *s = fz->smp;
    if (i % s->stride || s->k >= s->cnt) return;
    for (uint32_t f = 0; f < fz->F; f++) s->v[f * s->cnt + s->k] = x[f];
    s->k++;
}

static void bin_row(fitter *fz, size_t i, const double *x)
{
    for (uint32_t f = 0; f < fz->F; f++) {
        const float *e = fz->edge + (size_t)f * 255;
        uint32_t lo = 0, hi = fz->nedge[f]; /* count of edges <= x */
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (x[f] >= (double)e[mid])
                lo = mid + 1;
            else
                hi = mid;
        }
        fz->bins[(size_t)f * fz->nrows + i] = (uint8_t)lo;
    }
}

/* Thresholds at quantiles of a sample of the rows; then every row binned. */
static twin_status quantiles(fitter *fz, twin_error *err)
{
    const twin_allocator *a = &fz->m->alloc;
    sampler s;
    size_t bytes;
    s.stride = fz->nrows / QSAMPLE + 1;
    s.cnt = (fz->nrows + s.stride - 1) / s.stride;
    s.k = 0;
    bytes = (size_t)fz->F * s.cnt * sizeof(double);
    s.v = twin__alloc(a, bytes);
    if (!s.v) return twin__hfail(err, TWIN_E_NOMEM, "out of memory");
    fz->smp = &s;
    each_row(fz, sample_row);
    fz->smp = NULL;
    for (uint32_t f = 0; f < fz->F; f++) {
        double *v = s.v + f * s.cnt;
        float *e = fz->edge + (size_t)f * 255;
        uint32_t n = 0;
        qsort(v, s.k, sizeof *v, cmp_double);
        for (uint32_t b = 1; b < fz->p->bins; b++) {
            float q = (float)v[(size_t)b * s.k / fz->p->bins];
            if (!twin__finite((double)q) || (n && !(q > e[n - 1])) || !(q > (float)v[0]))
                continue;
            e[n++] = q;
        }
        fz->nedge[f] = n;
    }
    twin__free(a, s.v, bytes);
    each_row(fz, bin_row);
    return TWIN_OK;
}

/* The best split of the current level over every feature: *bf, *be. */
static double best_split(fitter *fz, size_t ns, uint32_t level, uint32_t *bf, uint32_t *be)
{
    uint32_t nodes = 1u << level;
    double lam = fz->p->lambda, best = -1;
    for (uint32_t f = 0; f < fz->F; f++) {
        uint32_t ne = fz->nedge[f], nb = ne + 1;
        const uint8_t *b = fz->bins + (size_t)f * fz->nrows;
        double acc[256];
        if (!ne) continue;
        memset(fz->hist, 0, (size_t)nodes * nb * sizeof *fz->hist);
        memset(acc, 0, ne * sizeof *acc);
        for (size_t k = 0; k < ns; k++) {
            hcell *c = fz->hist + (size_t)fz->node[k] * nb + b[fz->sel[k]];
            c->g += fz->res[k];
            c->n += 1;
        }
        for (uint32_t j = 0; j < nodes; j++) {
            const hcell *h = fz->hist + (size_t)j * nb;
            double G = 0, N = 0, gl = 0, nl = 0;
            for (uint32_t e = 0; e < nb; e++) {
                G += h[e].g;
                N += h[e].n;
            }
            if (N == 0) continue;
            for (uint32_t e = 0; e < ne; e++) {
                double gr, nr;
                gl += h[e].g;
                nl += h[e].n;
                gr = G - gl;
                nr = N - nl;
                acc[e] += gl * gl / (nl + lam + 1e-300) + gr * gr / (nr + lam + 1e-300);
            }
        }
        for (uint32_t e = 0; e < ne; e++)
            if (acc[e] > best) {
                best = acc[e];
                *bf = f;
                *be = e;
            }
    }
    return best;
}

/* One tree, fitted to the residuals of a sample of the rows. */
static void grow(fitter *fz, uint32_t t, uint64_t *rng)
{
    twin_health_predictor *m = fz->m;
    uint32_t d = m->depth, nl = 1u << d;
    size_t ns = 0;
    double G[256], N[256];
    uint64_t lim = (uint64_t)(fz->p->subsample * 9007199254740992.0);
    for (size_t i = 0; i < fz->nrows; i++)
        if (fz->p->subsample >= 1 || (rng_next(rng) >> 11) < lim) fz->sel[ns++] = (uint32_t)i;
    if (ns == 0)
        for (size_t i = 0; i < fz->nrows; i++) fz->sel[ns++] = (uint32_t)i;
    for (size_t k = 0; k < ns; k++) {
        fz->node[k] = 0;
        fz->res[k] = fz->y[fz->sel[k]] - fz->pred[fz->sel[k]];
    }
    for (uint32_t l = 0; l < d; l++) {
        uint32_t f = 0, e = 0;
        size_t at = (size_t)t * d + l;
        const uint8_t *b;
        if (best_split(fz, ns, l, &f, &e) < 0) { /* no threshold anywhere: all left */
            m->feat[at] = 0;
            m->thr[at] = (float)INFINITY;
            fz->split[at] = 255;
        } else {
            m->feat[at] = (uint8_t)f;
            m->thr[at] = fz->edge[(size_t)f * 255 + e];
            fz->split[at] = (uint8_t)e;
        }
        b = fz->bins + (size_t)m->feat[at] * fz->nrows;
        for (size_t k = 0; k < ns; k++)
            fz->node[k] = (uint8_t)(2 * fz->node[k] + (b[fz->sel[k]] > fz->split[at]));
    }
    memset(G, 0, sizeof G);
    memset(N, 0, sizeof N);
    for (size_t k = 0; k < ns; k++) {
        G[fz->node[k]] += fz->res[k];
        N[fz->node[k]] += 1;
    }
    for (uint32_t j = 0; j < nl; j++)
        m->leaf[((size_t)t << d) + j] =
            N[j] > 0 ? (float)(fz->p->learning_rate * G[j] / (N[j] + fz->p->lambda)) : 0.0f;
    for (size_t i = 0; i < fz->nrows; i++) {
        uint32_t j = 0;
        for (uint32_t l = 0; l < d; l++) {
            size_t at = (size_t)t * d + l;
            j = 2 * j + (fz->bins[(size_t)m->feat[at] * fz->nrows + i] > fz->split[at]);
        }
        fz->pred[i] += (double)m->leaf[((size_t)t << d) + j];
    }
}

/* Scratch of the fit: every block or none. */
static size_t scratch_size(const fitter *fz, uint32_t depth, uint32_t trees)
{
    size_t n = fz->nrows;
    return 3 * n * sizeof(double) + n * sizeof(uint32_t) + n + (size_t)fz->F * 255 * sizeof(float) +
           128 * 256 * sizeof(hcell) + (size_t)fz->F * n + (size_t)trees * depth;
}

static void scratch_carve(fitter *fz, unsigned char *p, uint32_t depth, uint32_t trees)
{
    size_t n = fz->nrows;
    fz->y = (double *)(void *)p;
    fz->pred = fz->y + n;
    fz->res = fz->pred + n;
    fz->hist = (hcell *)(void *)(fz->res + n);
    fz->edge = (float *)(void *)(fz->hist + 128 * 256);
    fz->sel = (uint32_t *)(void *)(fz->edge + (size_t)fz->F * 255);
    fz->node = (uint8_t *)(fz->sel + n);
    fz->bins = fz->node + n;
    fz->split = fz->bins + (size_t)fz->F * n;
    (void)depth;
    (void)trees;
}

static twin_status boost(twin_health_predictor *m, const twin_health_fleet *f,
                         const twin_health_predictor_params *p, twin_error *err)
{
    fitter fz;
    size_t bytes, start = 0;
    unsigned char *blk;
    double sum = 0;
    uint64_t rng = p->seed ? p->seed : 0x9E3779B97F4A7C15ULL;
    twin_status st;
    memset(&fz, 0, sizeof fz);
    fz.m = m;
    fz.p = p;
    fz.fleet = f;
    fz.nrows = f->nrows;
    fz.F = m->nfeat;
    bytes = scratch_size(&fz, p->depth, p->trees);
    if (!(blk = twin__alloc(&m->alloc, bytes))) return twin__hfail(err, TWIN_E_NOMEM, "out of memory");
    scratch_carve(&fz, blk, p->depth, p->trees);
    while (start < f->nrows) { /* targets: rows left in the run, capped */
        size_t end = start;
        while (end + 1 < f->nrows && f->run[end + 1] == f->run[start]) end++;
        for (size_t i = start; i <= end; i++) {
            double left = (double)(end - i);
            fz.y[i] = left < p->horizon ? left : p->horizon;
            sum += fz.y[i];
        }
        start = end + 1;
    }
    m->bias = sum / (double)f->nrows;
    for (size_t i = 0; i < f->nrows; i++) fz.pred[i] = m->bias;
    if ((st = quantiles(&fz, err)) < 0) {
        twin__free(&m->alloc, blk, bytes);
        return st;
    }
    for (uint32_t t = 0; t < m->ntrees; t++) grow(&fz, t, &rng);
    twin__free(&m->alloc, blk, bytes);
    return TWIN_OK;
}

/* The model's tag: the CRC-32 at the end of its binary form. */
static twin_status set_tag(twin_health_predictor *m, twin_error *err)
{
    size_t n = twin__predictor_size(m);
    unsigned char *b = twin__alloc(&m->alloc, n);
    if (!b) return twin__hfail(err, TWIN_E_NOMEM, "out of memory");
    twin__predictor_write(m, b);
    m->tag = (uint32_t)b[n - 4] | (uint32_t)b[n - 3] << 8 | (uint32_t)b[n - 2] << 16 |
             (uint32_t)b[n - 1] << 24;
    twin__free(&m->alloc, b, n);
    return TWIN_OK;
}

twin_status twin_health_predictor_fit(twin_health_predictor **out, const twin_health_fleet *fleet,
                                      const twin_health_predictor_params *params,
                                      const twin_allocator *alloc, twin_error *err)
{
    twin_health_predictor_params p;
    twin_health_fleet f;
    twin_health_predictor *m;
    twin_allocator a;
    twin_status st;
    if (!out) return twin__hfail(err, TWIN_E_INVAL, "out is NULL");
    *out = NULL;
    if (!fleet) return twin__hfail(err, TWIN_E_INVAL, "fleet is NULL");
    twin_health_predictor_params_init(&p);
    if ((st = twin__sized_in(&p, sizeof p, params)) < 0)
        return twin__hfail(err, st, "params size is unknown to this library");
    if ((st = check_params(&p, err)) < 0) return st;
    memset(&f, 0, sizeof f);  /* an older caller's fleet, over zeroed later fields */
    if ((st = twin__sized_in(&f, sizeof f, fleet)) < 0)
        return twin__hfail(err, st, "fleet size is unknown to this library");
    fleet = &f;
    if (fleet->nsensors < 1 || fleet->nsensors > TWIN__PS)
        return twin__hfail(err, TWIN_E_INVAL, "sensor count out of range");
    if (fleet->nrows > UINT32_MAX) return twin__hfail(err, TWIN_E_INVAL, "too many rows");
    if (!fleet->run || !fleet->t_us)
        return twin__hfail(err, TWIN_E_INVAL, "fleet arrays are NULL");
    if ((st = twin__allocator_copy(&a, alloc)) < 0)
        return twin__hfail(err, st, "allocator is invalid or of an unknown size");
    if (!(m = twin__alloc(&a, sizeof *m))) return twin__hfail(err, TWIN_E_NOMEM, "out of memory");
    memset(m, 0, sizeof *m);
    m->alloc = a;
    m->depth = p.depth;
    m->ntrees = p.trees;
    m->baseline = p.baseline;
    m->alpha_fast = 2.0 / ((double)p.fast_span + 1.0);
    m->alpha_slow = 2.0 / ((double)p.slow_span + 1.0);
    m->horizon = p.horizon;
    m->censor_level = p.censor * p.horizon;
    if ((st = fit_fusion(m, fleet, &p, err)) < 0) goto fail;
    m->nfeat = TWIN__PF_PER * (m->nsensors + 1) + 1;
    if (!twin__predictor_alloc_trees(m)) {
        st = twin__hfail(err, TWIN_E_NOMEM, "out of memory");
        goto fail;
    }
    if ((st = boost(m, fleet, &p, err)) < 0 || (st = set_tag(m, err)) < 0) goto fail;
    *out = m;
    return TWIN_OK;
fail:
    twin_health_predictor_destroy(m);
    return st;
}
