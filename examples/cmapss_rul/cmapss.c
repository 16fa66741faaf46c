/* C-MAPSS reading and the validation protocol (see cmapss.h). */
#include "cmapss.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCOL 26
static const int SENSORS[CM_NSEN] = {2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21};

static void *grow(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "cmapss: out of memory\n");
        exit(1);
    }
    return q;
}

static void push(cm_data *d, const double *c)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 4096;
        d->unit = grow(d->unit, d->cap * sizeof *d->unit);
        d->t_us = grow(d->t_us, d->cap * sizeof *d->t_us);
        d->set = grow(d->set, d->cap * CM_NSET * sizeof *d->set);
        d->sen = grow(d->sen, d->cap * CM_NSEN * sizeof *d->sen);
    }
    d->unit[d->n] = (uint32_t)c[0];
    d->t_us[d->n] = (int64_t)c[1] * 1000000;
    memcpy(d->set + d->n * CM_NSET, c + 2, CM_NSET * sizeof *c);
    for (int j = 0; j < CM_NSEN; j++) d->sen[d->n * CM_NSEN + j] = c[4 + SENSORS[j]];
    d->n++;
}

int cm_read(cm_data *d, const char *path)
{
    FILE *f = fopen(path, "r");
    double c[NCOL];
    memset(d, 0, sizeof *d);
    if (!f) {
        perror(path);
        return -1;
    }
    for (;;) {
        int k = 0;
        while (k < NCOL && fscanf(f, "%lf", &c[k]) == 1) k++;
        if (k == 0) break;
        if (k != NCOL) {
            fprintf(stderr, "cmapss: %s: row %lu has %d columns, not %d\n", path,
                    (unsigned long)d->n + 1, k, NCOL);
            fclose(f);
            cm_free(d);
            return -1;
        }
        push(d, c);
    }
    fclose(f);
    if (d->n == 0) {
        fprintf(stderr, "cmapss: %s: no rows\n", path);
        return -1;
    }
    return 0;
}

void cm_free(cm_data *d)
{
    free(d->unit);
    free(d->t_us);
    free(d->set);
    free(d->sen);
    memset(d, 0, sizeof *d);
}

size_t cm_engines(const cm_data *d, cm_engine **out)
{
    size_t n = 0;
    cm_engine *e = NULL;
    for (size_t i = 0; i < d->n; i++) {
        if (i == 0 || d->unit[i] != d->unit[i - 1]) {
            e = grow(e, (n + 1) * sizeof *e);
            e[n].unit = d->unit[i];
            e[n].first = i;
            e[n].n = 0;
            n++;
        }
        e[n - 1].n++;
    }
    *out = e;
    return n;
}

uint32_t cm_auto_regimes(const cm_data *d)
{
    double lo = d->set[0], hi = d->set[0];
    for (size_t i = 0; i < d->n; i++) {
        if (d->set[i * CM_NSET] < lo) lo = d->set[i * CM_NSET];
        if (d->set[i * CM_NSET] > hi) hi = d->set[i * CM_NSET];
    }
    return hi - lo > 1.0 ? 6 : 1;
}

twin_status cm_fit(twin_health_predictor **out, const cm_data *d, const cm_engine *e,
                   size_t ne, const int *use, const twin_health_predictor_params *p,
                   twin_error *err)
{
    twin_health_predictor_params q = *p;
    twin_health_fleet f;
    size_t rows = 0, k = 0;
    uint32_t *run;
    int64_t *t;
    double *set, *sen;
    twin_status st;
    for (size_t j = 0; j < ne; j++)
        if (!use || use[j]) rows += e[j].n;
    run = grow(NULL, rows * sizeof *run);
    t = grow(NULL, rows * sizeof *t);
    set = grow(NULL, rows * CM_NSET * sizeof *set);
    sen = grow(NULL, rows * CM_NSEN * sizeof *sen);
    for (size_t j = 0; j < ne; j++) {
        if (use && !use[j]) continue;
        for (size_t i = e[j].first; i < e[j].first + e[j].n; i++, k++) {
            run[k] = (uint32_t)j;
            t[k] = d->t_us[i];
            memcpy(set + k * CM_NSET, d->set + i * CM_NSET, CM_NSET * sizeof *set);
            memcpy(sen + k * CM_NSEN, d->sen + i * CM_NSEN, CM_NSEN * sizeof *sen);
        }
    }
    if (q.nregimes == 0) q.nregimes = cm_auto_regimes(d);
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.nsensors = CM_NSEN;
    f.nsettings = q.nregimes > 1 ? CM_NSET : 0;
    f.nrows = rows;
    f.run = run;
    f.t_us = t;
    f.sensors = sen;
    f.settings = q.nregimes > 1 ? set : NULL;
    st = twin_health_predictor_fit(out, &f, &q, NULL, err);
    free(run);
    free(t);
    free(set);
    free(sen);
    return st;
}

/* ---- scores ----------------------------------------------------------------------- */

static double phm(double d)
{
    return d < 0 ? exp(-d / 13) - 1 : exp(d / 10) - 1;
}

void cm_score_add(cm_score *s, const twin_health_rul_estimate *est, double truth)
{
    double r = est->rul, dc = r - (truth < est->horizon ? truth : est->horizon), du = r - truth;
    int cens = (est->flags & TWIN_HEALTH_RUL_CENSORED) != 0;
    s->sse_c += dc * dc;
    s->phm_c += phm(dc);
    s->sse_s += du * du;
    s->phm_s += phm(du);
    if (cens) {
        s->censored++;
        if (truth >= r)
            du = 0;
        else
            s->censored_wrong++;
    }
    s->sse_u += du * du;
    s->phm_u += phm(du);
    s->count++;
}

void cm_score_merge(cm_score *into, const cm_score *s)
{
    into->sse_c += s->sse_c;
    into->phm_c += s->phm_c;
    into->sse_u += s->sse_u;
    into->phm_u += s->phm_u;
    into->sse_s += s->sse_s;
    into->phm_s += s->phm_s;
    into->count += s->count;
    into->censored += s->censored;
    into->censored_wrong += s->censored_wrong;
    into->cuts = s->cuts;
}

static double rmse(double sse, size_t n)
{
    return n ? sqrt(sse / (double)n) : 0.0;
}

double cm_rmse_c(const cm_score *s) { return rmse(s->sse_c, s->count); }
double cm_rmse_u(const cm_score *s) { return rmse(s->sse_u, s->count); }
double cm_rmse_s(const cm_score *s) { return rmse(s->sse_s, s->count); }
double cm_phm_c(const cm_score *s) { return s->phm_c / (s->cuts ? s->cuts : 1); }
double cm_phm_u(const cm_score *s) { return s->phm_u / (s->cuts ? s->cuts : 1); }
double cm_phm_s(const cm_score *s) { return s->phm_s / (s->cuts ? s->cuts : 1); }

static FILE *dump_file;

void cm_set_dump(void *file)
{
    dump_file = file;
}

/* ---- validation ------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Score engine e cut at `cuts` uniform points, with one pass of a track. */
static int score_engine(const twin_health_predictor *m, const cm_data *d, const cm_engine *e,
                        unsigned cuts, uint64_t *rng, cm_score *s)
{
    size_t at[64], lo = e->n < 31 ? 1 : 31, c = 0;
    twin_health_track t;
    twin_health_rul_estimate est;
    twin_error err;
    for (unsigned k = 0; k < cuts; k++) at[k] = lo + (size_t)(rng_next(rng) % (e->n - lo + 1));
    qsort(at, cuts, sizeof *at, cmp_size);
    est.size = sizeof est;
    if (twin_health_track_init(m, &t, &err)) goto fail;
    for (size_t i = 1; i <= e->n && c < cuts; i++) {
        size_t r = e->first + i - 1;
        if (twin_health_track_update(m, &t, d->sen + r * CM_NSEN, d->set + r * CM_NSET, &err))
            goto fail;
        while (c < cuts && at[c] == i) {
            if (twin_health_track_get_rul(m, &t, &est, &err)) goto fail;
            cm_score_add(s, &est, (double)(e->n - i));
            if (dump_file)
                fprintf(dump_file, "%lu %lu %lu %.3f %u\n", (unsigned long)e->unit,
                        (unsigned long)i, (unsigned long)(e->n - i), est.rul, est.flags);
            c++;
        }
    }
    return 0;
fail:
    fprintf(stderr, "cmapss: %s\n", err.message);
    return -1;
}

int cm_validate(const cm_data *d, const twin_health_predictor_params *p, unsigned folds,
                unsigned cuts, uint64_t seed, cm_score *total, cm_score *fold)
{
    cm_engine *e;
    size_t ne = cm_engines(d, &e);
    size_t *order = grow(NULL, ne * sizeof *order);
    int *use = grow(NULL, ne * sizeof *use), rc = 0;
    uint64_t s = seed ? seed : 1;
    twin_health_predictor_params q = *p;
    memset(total, 0, sizeof *total);
    total->cuts = cuts;
    if (folds < 2 || folds > ne || cuts < 1 || cuts > 64) {
        fprintf(stderr, "cmapss: folds must be 2..engines and cuts 1..64\n");
        rc = -1;
        goto out;
    }
    for (int k = 0; k < 4; k++) rng_next(&s);
    for (size_t k = 0; k < ne; k++) order[k] = k;
    for (size_t k = ne; k > 1; k--) { /* Fisher-Yates */
        size_t j = (size_t)(rng_next(&s) % k), t = order[k - 1];
        order[k - 1] = order[j];
        order[j] = t;
    }
    q.seed = seed;
    for (unsigned f = 0; f < folds && rc == 0; f++) {
        twin_health_predictor *m;
        twin_error err;
        cm_score fs;
        memset(&fs, 0, sizeof fs);
        fs.cuts = cuts;
        for (size_t k = 0; k < ne; k++) use[order[k]] = (k % folds) != f;
        if (cm_fit(&m, d, e, ne, use, &q, &err)) {
            fprintf(stderr, "cmapss: fit: %s\n", err.message);
            rc = -1;
            break;
        }
        for (size_t k = 0; k < ne && rc == 0; k++)
            if (!use[k]) rc = score_engine(m, d, &e[k], cuts, &s, &fs);
        twin_health_predictor_destroy(m);
        cm_score_merge(total, &fs);
        if (fold) fold[f] = fs;
    }
out:
    free(order);
    free(use);
    free(e);
    return rc;
}
