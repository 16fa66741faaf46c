/* Remaining useful life of turbofan engines (NASA C-MAPSS) with libtwin's
 * health module: no neural network, a model a gateway can run.
 *
 *   cmapss_rul TRAIN_FILE TEST_FILE
 *       fit on TRAIN_FILE; for each engine of TEST_FILE (same 26-column
 *       format, histories cut before failure) print "unit predicted_rul".
 *   cmapss_rul --cv TRAIN_FILE [--folds K] [--seed S]
 *       cross-validation by engine: each fold's engines are held out, the
 *       model is fitted on the others, and each held-out engine is cut at a
 *       random cycle (uniform from cycle 31, or its first cycle when shorter,
 *       to its last); prints RMSE and the PHM08 score of the predictions.
 *   Options of both (defaults chosen by the cross-validation of FD001):
 *       --regimes R   operating regimes (default 6 when the settings vary, else 1)
 *       --cap C       cap of the RUL target and of predictions (default 125)
 *       --q Q         random walk of the health level per cycle (default 3e-3)
 *       --baseline W  cycles of an engine's own healthy level (default 30; 0: none)
 *       --quantile P  the RUL reported is this quantile (default 0.35)
 *       --rate-sd F   scale of the fleet's rate spread in the prior (default 1)
 *       --linear      no squared sensors in the index
 *
 * Method (the steps marked * are the library's):
 *   1. *Operating regimes: k-means over the three settings; each of the 14
 *      informative sensors (s2 s3 s4 s7 s8 s9 s11 s12 s13 s14 s15 s17 s20
 *      s21) is normalised per regime (twin_health_fusion_fit).
 *   2. *A fused health index: the least-squares linear combination of the
 *      normalised sensors and their squares that follows min(1, RUL / C)
 *      on the training engines: 1 while healthy, falling linearly to 0 at
 *      failure (the usual piecewise-linear target of this data set).
 *   3. Each engine's index is shifted so that the mean of its first W
 *      cycles is 1: this removes the engine-to-engine offsets of the
 *      sensors (manufacturing variation) that the fleet model cannot know.
 *   4. *A linear degradation model of the index, v = x0 + x1 t: the prior of
 *      the rate x1, the sample noise and the failure level come from
 *      twin_health_fit_prior on the last C cycles of the training engines;
 *      the level x0 starts at 1 and follows a random walk (process noise Q
 *      per cycle), so that the filter tracks an engine whose decline has
 *      not started yet, and keeps the fleet's rate once it has.
 *   5. *RUL: the P quantile of twin_health_get_rul, capped at C cycles. The
 *      PHM08 score punishes late predictions more than early ones, so the
 *      best point estimate under it is a quantile below the median.
 * Time: one cycle is one second of model time (t_us = cycle * 1e6).
 * Scoring (--cv): the true RUL is capped at C cycles, as the predictions,
 * d = predicted - true; RMSE = sqrt(mean d^2); PHM08 score =
 * sum(exp(-d/13) - 1) for d < 0 plus sum(exp(d/10) - 1) for d >= 0.
 *
 * Figures (5 folds, seed 1): FD001 RMSE 17.41, PHM08 439; FD002 18.37,
 * 1150 (260 engines); FD003 20.21, 634; FD004 21.01, 1577 (249 engines). */
#include <twin/twin.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCOL 26
#define NSEN 14
static const int SENSORS[NSEN] = {2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21};

typedef struct data {
    size_t n, cap;
    uint32_t *unit;
    int64_t *t_us;
    double *set;  /* n x 3 */
    double *sen;  /* n x NSEN */
} data;

typedef struct engine {
    uint32_t unit;
    size_t first, n; /* rows */
} engine;

typedef struct config {
    uint32_t regimes; /* 0: automatic */
    double cap, q, rate_sd, quantile;
    int quadratic;
    size_t baseline;
} config;

#define NFEAT (2 * NSEN)

typedef struct model {
    twin_health_fusion norm;   /* regimes and per-regime normalisation */
    twin_health_fusion fusion; /* the index over the normalised sensors and their squares */
    twin_health_options opt;
    double cap, quantile;
    size_t baseline;
} model;

static void die(const char *what, const twin_error *e)
{
    fprintf(stderr, "cmapss_rul: %s%s%s\n", what, e ? ": " : "", e ? e->message : "");
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) die("out of memory", NULL);
    return p;
}

static void data_push(data *d, const double *c)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 4096;
        d->unit = xrealloc(d->unit, d->cap * sizeof *d->unit);
        d->t_us = xrealloc(d->t_us, d->cap * sizeof *d->t_us);
        d->set = xrealloc(d->set, d->cap * 3 * sizeof *d->set);
        d->sen = xrealloc(d->sen, d->cap * NSEN * sizeof *d->sen);
    }
    d->unit[d->n] = (uint32_t)c[0];
    d->t_us[d->n] = (int64_t)c[1] * 1000000;
    memcpy(d->set + d->n * 3, c + 2, 3 * sizeof *c);
    for (int j = 0; j < NSEN; j++) d->sen[d->n * NSEN + j] = c[4 + SENSORS[j]];
    d->n++;
}

static void data_read(data *d, const char *path)
{
    FILE *f = fopen(path, "r");
    double c[NCOL];
    memset(d, 0, sizeof *d);
    if (!f) {
        perror(path);
        exit(1);
    }
    for (;;) {
        int k = 0;
        while (k < NCOL && fscanf(f, "%lf", &c[k]) == 1) k++;
        if (k == 0) break;
        if (k != NCOL) {
            fprintf(stderr, "cmapss_rul: %s: row %lu has %d columns, not %d\n", path,
                    (unsigned long)d->n + 1, k, NCOL);
            exit(1);
        }
        data_push(d, c);
    }
    fclose(f);
    if (d->n == 0) die("no rows", NULL);
}

static void data_free(data *d)
{
    free(d->unit);
    free(d->t_us);
    free(d->set);
    free(d->sen);
}

static size_t engines_of(const data *d, engine **out)
{
    size_t n = 0;
    engine *e = NULL;
    for (size_t i = 0; i < d->n; i++) {
        if (i == 0 || d->unit[i] != d->unit[i - 1]) {
            e = xrealloc(e, (n + 1) * sizeof *e);
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

/* The training rows of the engines whose use[] is nonzero. */
static void subset(const data *d, const engine *e, size_t ne, const int *use, data *out)
{
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < ne; k++) {
        if (!use[k]) continue;
        for (size_t i = e[k].first; i < e[k].first + e[k].n; i++) {
            double c[NCOL];
            memset(c, 0, sizeof c);
            c[0] = d->unit[i];
            c[1] = (double)(d->t_us[i] / 1000000);
            memcpy(c + 2, d->set + i * 3, 3 * sizeof *c);
            for (int j = 0; j < NSEN; j++) c[4 + SENSORS[j]] = d->sen[i * NSEN + j];
            data_push(out, c);
        }
    }
}

static uint32_t auto_regimes(const data *d)
{
    double lo = d->set[0], hi = d->set[0];
    for (size_t i = 0; i < d->n; i++) {
        if (d->set[i * 3] < lo) lo = d->set[i * 3];
        if (d->set[i * 3] > hi) hi = d->set[i * 3];
    }
    return hi - lo > 1.0 ? 6 : 1;
}

/* Row i's sensors normalised for its regime, z, and their squares. */
static void features(const twin_health_fusion *norm, const data *d, size_t i, double *z)
{
    double unused;
    uint32_t r;
    twin_error e;
    if (twin_health_fusion_apply(norm, d->sen + i * NSEN, d->set + i * 3, &unused, &r, &e))
        die("fusion_apply", &e);
    for (int j = 0; j < NSEN; j++) {
        double s = norm->scale[r][j];
        z[j] = s > 0 ? (d->sen[i * NSEN + j] - norm->mean[r][j]) / s : 0.0;
        z[NSEN + j] = z[j] * z[j];
    }
}

static double index_of(const model *m, const data *d, size_t i)
{
    double z[NFEAT], hi;
    twin_error e;
    features(&m->norm, d, i, z);
    if (twin_health_fusion_apply(&m->fusion, z, NULL, &hi, NULL, &e)) die("fusion_apply", &e);
    return hi;
}

/* The engine's own healthy level: 1 minus the mean index of its first
 * W cycles (W = --baseline; 0: no correction). */
static double engine_offset(const model *m, const data *d, size_t first, size_t n, size_t w)
{
    double sum = 0;
    if (w == 0) return 0;
    if (w > n) w = n;
    for (size_t i = first; i < first + w; i++) sum += index_of(m, d, i);
    return 1.0 - sum / (double)w;
}

static void fit(model *m, const data *d, const config *c)
{
    twin_health_fleet f;
    twin_error e;
    engine *eng;
    size_t ne = engines_of(d, &eng), nr = 0;
    twin_health_run *runs = xrealloc(NULL, ne * sizeof *runs);
    double *v = xrealloc(NULL, d->n * sizeof *v);
    uint32_t regimes = c->regimes ? c->regimes : auto_regimes(d);
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.nsensors = NSEN;
    f.nsettings = regimes > 1 ? 3 : 0;
    f.nrows = d->n;
    f.run = d->unit;
    f.t_us = d->t_us;
    f.sensors = d->sen;
    f.settings = regimes > 1 ? d->set : NULL;
    if (twin_health_fusion_fit(&m->norm, &f, regimes, c->cap, &e)) die("fusion_fit", &e);
    {
        double *z = xrealloc(NULL, d->n * NFEAT * sizeof *z);
        for (size_t i = 0; i < d->n; i++) features(&m->norm, d, i, z + i * NFEAT);
        f.nsensors = c->quadratic ? NFEAT : NSEN;
        f.nsettings = 0;
        f.settings = NULL;
        if (!c->quadratic) /* the first NSEN of each row */
            for (size_t i = 0; i < d->n; i++) memmove(z + i * NSEN, z + i * NFEAT, NSEN * sizeof *z);
        f.sensors = z;
        if (twin_health_fusion_fit(&m->fusion, &f, 1, c->cap, &e)) die("fusion_fit", &e);
        free(z);
    }
    /* the degradation phase of each engine: its last cap cycles */
    for (size_t k = 0; k < ne; k++) {
        size_t len = eng[k].n < (size_t)c->cap ? eng[k].n : (size_t)c->cap;
        size_t first = eng[k].first + eng[k].n - len;
        double off = engine_offset(m, d, eng[k].first, eng[k].n, c->baseline);
        for (size_t i = first; i < first + len; i++) v[i] = index_of(m, d, i) + off;
        runs[nr].t_us = d->t_us + first;
        runs[nr].v = v + first;
        runs[nr].n = len;
        nr++;
    }
    twin_health_options_init(&m->opt);
    m->opt.model = TWIN_HEALTH_LINEAR;
    if (twin_health_fit_prior(&m->opt, runs, nr, &e)) die("fit_prior", &e);
    /* level: starts healthy (1), random walk; rate: the fleet's */
    m->opt.prior_mean[0] = 1.0;
    m->opt.prior_cov[0] = m->opt.noise;
    m->opt.prior_cov[1] = m->opt.prior_cov[2] = 0;
    m->opt.process_noise[0] = c->q;
    if (c->rate_sd >= 0) m->opt.prior_cov[3] *= c->rate_sd * c->rate_sd;
    m->cap = c->cap;
    m->baseline = c->baseline;
    m->quantile = c->quantile;
    free(runs);
    free(v);
    free(eng);
}

/* RUL after the first len rows of engine e. */
static double predict(const model *m, const data *d, const engine *e, size_t len)
{
    twin_health h;
    twin_health_rul r;
    twin_error err;
    double off = engine_offset(m, d, e->first, len, m->baseline);
    if (twin_health_init(&h, &m->opt, d->t_us[e->first], &err)) die("init", &err);
    for (size_t i = e->first; i < e->first + len; i++)
        if (twin_health_update(&h, &m->opt, d->t_us[i], index_of(m, d, i) + off, NULL, &err))
            die("update", &err);
    r.size = sizeof r;
    if (twin_health_get_rul(&h, &m->opt, m->quantile, 0.95, &r, &err)) die("rul", &err);
    return r.lower > m->cap ? m->cap : r.lower < 0 ? 0 : r.lower;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static int cross_validate(const char *path, const config *c, unsigned folds, uint64_t seed)
{
    data d;
    engine *e;
    size_t ne;
    size_t *order;
    int *use;
    double sse = 0, score = 0;
    size_t count = 0;
    uint64_t s = seed ? seed : 1;
    data_read(&d, path);
    ne = engines_of(&d, &e);
    if (folds < 2 || folds > ne) die("--folds must be 2..engines", NULL);
    order = xrealloc(NULL, ne * sizeof *order);
    use = xrealloc(NULL, ne * sizeof *use);
    for (size_t k = 0; k < ne; k++) order[k] = k;
    for (size_t k = ne; k > 1; k--) { /* Fisher-Yates */
        size_t j = (size_t)(rng_next(&s) % k), t = order[k - 1];
        order[k - 1] = order[j];
        order[j] = t;
    }
    for (unsigned f = 0; f < folds; f++) {
        data train;
        model m;
        for (size_t k = 0; k < ne; k++) use[order[k]] = (k % folds) != f;
        subset(&d, e, ne, use, &train);
        fit(&m, &train, c);
        data_free(&train);
        for (size_t k = 0; k < ne; k++) {
            size_t lo, len;
            double truth, pred, diff;
            if (use[k]) continue;
            lo = e[k].n < 31 ? 1 : 31;
            len = lo + (size_t)(rng_next(&s) % (e[k].n - lo + 1));
            truth = (double)(e[k].n - len);
            if (truth > c->cap) truth = c->cap;
            pred = predict(&m, &d, &e[k], len);
            diff = pred - truth;
            sse += diff * diff;
            score += diff < 0 ? exp(-diff / 13) - 1 : exp(diff / 10) - 1;
            count++;
        }
    }
    printf("cv: %s, %lu engines, %u folds, seed %lu, cap %.0f, regimes %u\n", path,
           (unsigned long)ne, folds, (unsigned long)seed, c->cap,
           c->regimes ? c->regimes : auto_regimes(&d));
    printf("rmse %.2f\nphm08 %.1f\n", sqrt(sse / (double)count), score);
    free(order);
    free(use);
    free(e);
    data_free(&d);
    return 0;
}

static int predict_file(const char *train_path, const char *test_path, const config *c)
{
    data train, test;
    engine *e;
    size_t ne;
    model m;
    data_read(&train, train_path);
    fit(&m, &train, c);
    data_free(&train);
    data_read(&test, test_path);
    ne = engines_of(&test, &e);
    for (size_t k = 0; k < ne; k++)
        printf("%lu %.1f\n", (unsigned long)e[k].unit, predict(&m, &test, &e[k], e[k].n));
    free(e);
    data_free(&test);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: cmapss_rul TRAIN_FILE TEST_FILE [options]\n"
            "       cmapss_rul --cv TRAIN_FILE [--folds K] [--seed S] [options]\n"
            "options: --regimes R  --cap C (125)  --q Q (2e-4)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    config c = {0, 125.0, 3e-3, -1, 0.35, 1, 30};
    const char *files[2] = {NULL, NULL};
    unsigned nfiles = 0, folds = 5;
    uint64_t seed = 1;
    int cv = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--cv")) {
            cv = 1;
        } else if (i + 1 < argc && !strcmp(a, "--folds")) {
            folds = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(a, "--seed")) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(a, "--regimes")) {
            c.regimes = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(a, "--cap")) {
            c.cap = strtod(argv[++i], NULL);
        } else if (i + 1 < argc && !strcmp(a, "--baseline")) {
            c.baseline = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(a, "--quantile")) {
            c.quantile = strtod(argv[++i], NULL);
        } else if (!strcmp(a, "--linear")) {
            c.quadratic = 0;
        } else if (i + 1 < argc && !strcmp(a, "--rate-sd")) {
            c.rate_sd = strtod(argv[++i], NULL);
        } else if (i + 1 < argc && !strcmp(a, "--q")) {
            c.q = strtod(argv[++i], NULL);
        } else if (a[0] == '-' && a[1] == '-') {
            usage();
        } else if (nfiles < 2) {
            files[nfiles++] = a;
        } else {
            usage();
        }
    }
    if (!(c.cap > 0) || !(c.q >= 0)) usage();
    if (cv && nfiles == 1) return cross_validate(files[0], &c, folds, seed);
    if (!cv && nfiles == 2) return predict_file(files[0], files[1], &c);
    usage();
    return 2;
}
