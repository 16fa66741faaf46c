/* Remaining useful life of turbofan engines (NASA C-MAPSS) with libtwin's
 * RUL predictor (twin/health.h): gradient-boosted oblivious trees on
 * per-regime normalised sensors and a fused health index, all in the
 * library, in C; a model a gateway can run.
 *
 *   cmapss_rul TRAIN_FILE TEST_FILE [--truth RUL_FILE] [options]
 *       fit on TRAIN_FILE; for each engine of TEST_FILE (same 26-column
 *       format, histories cut before failure) print "unit predicted_rul",
 *       the estimate at its last cycle. With --truth (NASA's RUL_FD00x.txt,
 *       one true RUL per test unit), the scores go to stderr.
 *   cmapss_rul --cv TRAIN_FILE [--folds K] [--seeds S,...] [--cuts C] [options]
 *       the validation protocol of cmapss.h: engines held out by fold,
 *       each cut at C uniform points, the last cycle scored; capped,
 *       uncapped and strict figures per seed, per fold and over all.
 *   cmapss_rul --save MODEL_FILE TRAIN_FILE [options]
 *       fit and write the model's binary form.
 *   Options (the library's defaults, chosen by the validation of FD001):
 *       --regimes R (0: 6 when the settings vary, else 1)  --trees N
 *       --depth D  --lr X  --bins B  --fast N  --slow N  --baseline N
 *       --horizon H  --censor F  --subsample F  --lambda X
 *
 * Figures: see README.md and docs/architecture.md ("Health inside"). */
#include "cmapss.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr,
            "usage: cmapss_rul TRAIN_FILE TEST_FILE [--truth RUL_FILE] [options]\n"
            "       cmapss_rul --cv TRAIN_FILE [--folds K] [--seeds S,...] [--cuts C] [options]\n"
            "       cmapss_rul --save MODEL_FILE TRAIN_FILE [options]\n"
            "options: --regimes R --trees N --depth D --lr X --bins B --fast N --slow N\n"
            "         --baseline N --horizon H --censor F --subsample F --lambda X\n");
    exit(2);
}

static void print_score(const char *what, const cm_score *s)
{
    printf("%-10s capped rmse %6.2f phm08 %9.1f | uncapped rmse %6.2f phm08 %9.1f"
           " | strict rmse %6.2f phm08 %12.1f | censored %lu/%lu (wrong %lu)\n",
           what, cm_rmse_c(s), cm_phm_c(s), cm_rmse_u(s), cm_phm_u(s), cm_rmse_s(s),
           cm_phm_s(s), (unsigned long)s->censored, (unsigned long)s->count,
           (unsigned long)s->censored_wrong);
}

static double mean_sd(const double *v, unsigned n, double *sd)
{
    double m = 0, q = 0;
    for (unsigned i = 0; i < n; i++) m += v[i];
    m /= n;
    for (unsigned i = 0; i < n; i++) q += (v[i] - m) * (v[i] - m);
    *sd = n > 1 ? sqrt(q / (n - 1)) : 0.0;
    return m;
}

static int cross_validate(const char *path, const twin_health_predictor_params *p,
                          unsigned folds, unsigned cuts, const uint64_t *seeds, unsigned nseeds)
{
    cm_data d;
    cm_score all, fold[64];
    double rc[64], pc[64], ru[64], pu[64];
    double frmin = INFINITY, frmax = 0;
    if (cm_read(&d, path)) return 1;
    if (folds > 64) usage();
    memset(&all, 0, sizeof all);
    printf("cv: %s, %u folds, %u cuts per engine, regimes %u, trees %u, depth %u, lr %g\n",
           path, folds, cuts, p->nregimes ? p->nregimes : cm_auto_regimes(&d), p->trees,
           p->depth, p->learning_rate);
    for (unsigned k = 0; k < nseeds; k++) {
        cm_score tot;
        char name[32];
        if (cm_validate(&d, p, folds, cuts, seeds[k], &tot, fold)) return 1;
        for (unsigned f = 0; f < folds; f++) {
            double r = cm_rmse_c(&fold[f]);
            frmin = r < frmin ? r : frmin;
            frmax = r > frmax ? r : frmax;
            snprintf(name, sizeof name, "  fold %u", f + 1);
            print_score(name, &fold[f]);
        }
        snprintf(name, sizeof name, "seed %lu", (unsigned long)seeds[k]);
        print_score(name, &tot);
        rc[k] = cm_rmse_c(&tot);
        pc[k] = cm_phm_c(&tot);
        ru[k] = cm_rmse_u(&tot);
        pu[k] = cm_phm_u(&tot);
        cm_score_merge(&all, &tot);
    }
    all.cuts = cuts * nseeds;
    print_score("all", &all);
    {
        double m1, s1, m2, s2, m3, s3, m4, s4;
        m1 = mean_sd(rc, nseeds, &s1);
        m2 = mean_sd(pc, nseeds, &s2);
        m3 = mean_sd(ru, nseeds, &s3);
        m4 = mean_sd(pu, nseeds, &s4);
        printf("capped rmse mean %.2f sd %.2f (folds %.2f..%.2f)\n", m1, s1, frmin, frmax);
        printf("capped phm08 mean %.1f sd %.1f\n", m2, s2);
        printf("uncapped rmse mean %.2f sd %.2f\n", m3, s3);
        printf("uncapped phm08 mean %.1f sd %.1f\n", m4, s4);
    }
    /* the figures the test and the bench read */
    printf("rmse %.2f\nphm08 %.1f\n", cm_rmse_c(&all), cm_phm_c(&all));
    cm_free(&d);
    return 0;
}

static int fit_file(twin_health_predictor **m, const char *path,
                    const twin_health_predictor_params *p)
{
    cm_data d;
    cm_engine *e;
    size_t ne;
    twin_error err;
    if (cm_read(&d, path)) return 1;
    ne = cm_engines(&d, &e);
    if (cm_fit(m, &d, e, ne, NULL, p, &err)) {
        fprintf(stderr, "cmapss_rul: fit: %s\n", err.message);
        return 1;
    }
    free(e);
    cm_free(&d);
    return 0;
}

static int save_model(const char *out, const char *train, const twin_health_predictor_params *p)
{
    twin_health_predictor *m;
    size_t n;
    unsigned char *buf;
    FILE *f;
    if (fit_file(&m, train, p)) return 1;
    twin_health_predictor_save(m, NULL, 0, &n, NULL);
    buf = malloc(n);
    if (!buf || twin_health_predictor_save(m, buf, n, NULL, NULL)) return 1;
    if (!(f = fopen(out, "wb")) || fwrite(buf, 1, n, f) != n || fclose(f)) {
        perror(out);
        return 1;
    }
    fprintf(stderr, "cmapss_rul: %s: %lu bytes\n", out, (unsigned long)n);
    free(buf);
    twin_health_predictor_destroy(m);
    return 0;
}

static int predict_file(const char *train, const char *test, const char *truth_path,
                        const twin_health_predictor_params *p)
{
    twin_health_predictor *m;
    cm_data d;
    cm_engine *e;
    cm_score s;
    size_t ne;
    FILE *tf = NULL;
    if (fit_file(&m, train, p) || cm_read(&d, test)) return 1;
    if (truth_path && !(tf = fopen(truth_path, "r"))) {
        perror(truth_path);
        return 1;
    }
    memset(&s, 0, sizeof s);
    s.cuts = 1;
    ne = cm_engines(&d, &e);
    for (size_t k = 0; k < ne; k++) {
        twin_health_track t;
        twin_health_rul_estimate est;
        twin_error err;
        est.size = sizeof est;
        twin_health_track_init(m, &t, NULL);
        for (size_t i = e[k].first; i < e[k].first + e[k].n; i++)
            if (twin_health_track_update(m, &t, d.sen + i * CM_NSEN, d.set + i * CM_NSET, &err)) {
                fprintf(stderr, "cmapss_rul: %s\n", err.message);
                return 1;
            }
        twin_health_track_get_rul(m, &t, &est, NULL);
        printf("%lu %.1f\n", (unsigned long)e[k].unit, est.rul);
        if (tf) {
            double truth;
            if (fscanf(tf, "%lf", &truth) != 1) {
                fprintf(stderr, "cmapss_rul: %s: fewer values than test units\n", truth_path);
                return 1;
            }
            cm_score_add(&s, &est, truth);
        }
    }
    if (tf) {
        fprintf(stderr,
                "test: %lu units; capped rmse %.2f phm08 %.1f; uncapped rmse %.2f phm08 %.1f;"
                " strict rmse %.2f phm08 %.1f; censored %lu (wrong %lu)\n",
                (unsigned long)s.count, cm_rmse_c(&s), cm_phm_c(&s), cm_rmse_u(&s),
                cm_phm_u(&s), cm_rmse_s(&s), cm_phm_s(&s), (unsigned long)s.censored,
                (unsigned long)s.censored_wrong);
        fclose(tf);
    }
    free(e);
    cm_free(&d);
    twin_health_predictor_destroy(m);
    return 0;
}

int main(int argc, char **argv)
{
    twin_health_predictor_params p;
    const char *files[2] = {NULL, NULL}, *truth = NULL, *save = NULL;
    unsigned nfiles = 0, folds = 5, cuts = 5, nseeds = 0;
    uint64_t seeds[64];
    int cv = 0;
    twin_health_predictor_params_init(&p);
    p.nregimes = 0; /* automatic */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--cv")) {
            cv = 1;
            continue;
        }
        if (a[0] == '-' && a[1] == '-' && !v) usage();
        if (!strcmp(a, "--folds")) folds = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--cuts")) cuts = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--seed") || !strcmp(a, "--seeds")) {
            char *end = (char *)v;
            nseeds = 0;
            do {
                if (nseeds == 64) usage();
                seeds[nseeds++] = strtoull(end + (*end == ','), &end, 10);
            } while (*end == ',');
        } else if (!strcmp(a, "--truth")) truth = v;
        else if (!strcmp(a, "--dump")) {
            FILE *df = fopen(v, "w");
            if (!df) usage();
            cm_set_dump(df);
        }
        else if (!strcmp(a, "--save")) save = v;
        else if (!strcmp(a, "--regimes")) p.nregimes = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--trees")) p.trees = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--depth")) p.depth = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--bins")) p.bins = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--fast")) p.fast_span = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--slow")) p.slow_span = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--baseline")) p.baseline = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--lr")) p.learning_rate = strtod(v, NULL);
        else if (!strcmp(a, "--horizon")) p.horizon = strtod(v, NULL);
        else if (!strcmp(a, "--censor")) p.censor = strtod(v, NULL);
        else if (!strcmp(a, "--subsample")) p.subsample = strtod(v, NULL);
        else if (!strcmp(a, "--lambda")) p.lambda = strtod(v, NULL);
        else if (a[0] == '-' && a[1] == '-') usage();
        else if (nfiles < 2) {
            files[nfiles++] = a;
            continue;
        } else usage();
        i++;
    }
    if (nseeds == 0) seeds[nseeds++] = 1;
    if (cv && nfiles == 1) return cross_validate(files[0], &p, folds, cuts, seeds, nseeds);
    if (save && nfiles == 1) return save_model(save, files[0], &p);
    if (!cv && !save && nfiles == 2) return predict_file(files[0], files[1], truth, &p);
    usage();
    return 2;
}
