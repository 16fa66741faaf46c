/* Health benchmark: the per-sample cost of twin_health_update() followed by
 * twin_health_get_rul() (median and the 5% and 95% bounds), for the
 * exponential model with its Kalman filter, over S signals (default 10,000
 * states of 192 bytes each, 1.9 MB: more than a core's L2 cache, as on a
 * gateway) fed round-robin, one sample per signal per step.
 *
 * Samples are precomputed (noisy exponential growth) so that only the
 * library is timed. Each of RUNS samples times STEPS steps over every
 * signal; the figures are medians. The checksum of the finite RUL medians
 * makes sure nothing is optimised away, and every call must succeed.
 *
 * Then the RUL predictor (twin_health_predictor, default settings) on NASA
 * C-MAPSS FD001 (CMAPSS_DIR, default ../shared/corpus/cmapss from the
 * project root, where bench/run runs): its validation protocol
 * (examples/cmapss_rul/cmapss.h: 5 folds, seed 1, 5 cuts per engine, truth
 * capped at 125) gives cmapss_fd001_cv_rmse and cmapss_fd001_cv_score, and
 * the model fitted on all 100 engines is timed on 1,000 tracks fed
 * round-robin with the 20,631 cycles of FD001 (one twin_health_track_update
 * and one twin_health_track_get_rul per cycle): health_predict_ns, the
 * median of RUNS. Skipped (with a note) without the corpus.
 *
 * Usage: bench_health [SIGNALS] [STEPS]   (defaults 10000 and 200) */
#include <twin/twin.h>

#include "bench_util.h"
#include "cmapss.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { RUNS = 7 };

static uint64_t rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static void fail(const char *what, const twin_error *e)
{
    fprintf(stderr, "bench_health: %s: %s\n", what, e->message);
    exit(1);
}

/* One run: init every state, then STEPS steps of one sample per signal;
 * with_rul adds twin_health_get_rul() after each update. Returns seconds
 * of the steps (init excluded) and adds the RUL medians to *sum. */
static double run(twin_health *h, const twin_health_options *o, const double *v, size_t ns,
                  size_t steps, int with_rul, double *sum)
{
    twin_error e;
    twin_health_rul r;
    double t0;
    r.size = sizeof r;
    for (size_t i = 0; i < ns; i++)
        if (twin_health_init(&h[i], o, 0, &e)) fail("init", &e);
    t0 = bench_now_s();
    for (size_t k = 1; k <= steps; k++) {
        int64_t t = (int64_t)k * 3600000000LL; /* hourly */
        const double *vk = v + (k - 1) * ns;
        for (size_t i = 0; i < ns; i++) {
            if (twin_health_update(&h[i], o, t, vk[i], NULL, &e)) fail("update", &e);
            if (with_rul) {
                if (twin_health_get_rul(&h[i], o, 0.05, 0.95, &r, &e)) fail("rul", &e);
                if (isfinite(r.median)) *sum += r.median;
            }
        }
    }
    return bench_now_s() - t0;
}

/* The RUL predictor on C-MAPSS FD001: validation figures and the cost of
 * one cycle (update + estimate) on TRACKS tracks. */
enum { TRACKS = 1000 };

static void bench_predictor(void)
{
    const char *dir = getenv("CMAPSS_DIR");
    char path[1024];
    cm_data d;
    cm_engine *e;
    cm_score sc;
    size_t ne;
    twin_health_predictor *m;
    twin_health_predictor_params p;
    twin_health_predictor_info info;
    twin_health_track *tr;
    twin_error err;
    double secs[RUNS], sum = 0, ns_per;
    snprintf(path, sizeof path, "%s/train_FD001.txt", dir ? dir : "../shared/corpus/cmapss");
    {
        FILE *f = fopen(path, "r");
        if (!f) {
            printf("\nrul predictor: %s not found: skipped\n", path);
            return;
        }
        fclose(f);
    }
    if (cm_read(&d, path)) exit(1);
    twin_health_predictor_params_init(&p);
    if (cm_validate(&d, &p, 5, 5, 1, &sc, NULL)) exit(1);
    ne = cm_engines(&d, &e);
    if (cm_fit(&m, &d, e, ne, NULL, &p, &err)) fail("predictor_fit", &err);
    info.size = sizeof info;
    twin_health_predictor_get_info(m, &info, NULL);
    tr = malloc(TRACKS * sizeof *tr);
    if (!tr) exit(1);
    for (int r = 0; r < RUNS; r++) {
        twin_health_rul_estimate est;
        double t0;
        est.size = sizeof est;
        for (size_t k = 0; k < TRACKS; k++)
            if (twin_health_track_init(m, &tr[k], &err)) fail("track_init", &err);
        t0 = bench_now_s();
        for (size_t i = 0; i < d.n; i++) {
            twin_health_track *t = &tr[i % TRACKS];
            if (twin_health_track_update(m, t, d.sen + i * CM_NSEN, d.set + i * CM_NSET, &err))
                fail("track_update", &err);
            if (twin_health_track_get_rul(m, t, &est, &err)) fail("track_get_rul", &err);
            sum += est.rul;
        }
        secs[r] = bench_now_s() - t0;
    }
    qsort(secs, RUNS, sizeof secs[0], bench_cmp_double);
    ns_per = secs[RUNS / 2] / (double)d.n * 1e9;
    printf("\nrul predictor on C-MAPSS FD001: %u trees of depth %u, %u features, "
           "%lu bytes; %lu cycles on %d tracks, %d runs, median (checksum %.6g)\n",
           info.trees, info.depth, info.nfeatures, (unsigned long)info.bytes,
           (unsigned long)d.n, TRACKS, RUNS, sum);
    printf("validation (5 folds, seed 1, 5 cuts per engine): capped RMSE %.2f PHM08 %.1f; "
           "uncapped RMSE %.2f PHM08 %.1f\n",
           cm_rmse_c(&sc), cm_phm_c(&sc), cm_rmse_u(&sc), cm_phm_u(&sc));
    printf("bench: health_predict_ns %.1f ns\n", ns_per);
    printf("bench: health_predictor_bytes %lu bytes\n", (unsigned long)info.bytes);
    printf("bench: cmapss_fd001_cv_rmse %.2f cycles\n", cm_rmse_c(&sc));
    printf("bench: cmapss_fd001_cv_score %.1f phm08\n", cm_phm_c(&sc));
    free(tr);
    free(e);
    cm_free(&d);
    twin_health_predictor_destroy(m);
}

int main(int argc, char **argv)
{
    size_t ns = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    size_t steps = argc > 2 ? strtoul(argv[2], NULL, 10) : 200;
    twin_health_options o;
    twin_health *h;
    double *v, upd[RUNS], both[RUNS], sum = 0, per_upd, per_both;
    uint64_t seed = 12345;
    if (ns < 1 || steps < 1) {
        fprintf(stderr, "usage: bench_health [SIGNALS >= 1] [STEPS >= 1]\n");
        return 2;
    }
    h = malloc(ns * sizeof *h);
    v = malloc(ns * steps * sizeof *v);
    if (!h || !v) {
        fprintf(stderr, "bench_health: out of memory\n");
        return 1;
    }
    /* v = 0.1 exp(1e-6 t + 5% noise): an exponential model in log space */
    for (size_t k = 0; k < steps; k++)
        for (size_t i = 0; i < ns; i++) {
            double u1 = ((double)(rng(&seed) >> 11) + 0.5) / 9007199254740992.0;
            double u2 = ((double)(rng(&seed) >> 11) + 0.5) / 9007199254740992.0;
            double n = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
            v[k * ns + i] = 0.1 * exp(1e-6 * 3600.0 * (double)(k + 1) + 0.05 * n);
        }
    twin_health_options_init(&o);
    o.prior_mean[0] = log(0.1);
    o.prior_mean[1] = 1e-6;
    o.prior_cov[0] = 0.1;
    o.prior_cov[3] = 1e-12;
    o.noise = 0.0025;
    for (int r = 0; r < RUNS; r++) {
        upd[r] = run(h, &o, v, ns, steps, 0, &sum);
        both[r] = run(h, &o, v, ns, steps, 1, &sum);
    }
    qsort(upd, RUNS, sizeof upd[0], bench_cmp_double);
    qsort(both, RUNS, sizeof both[0], bench_cmp_double);
    per_upd = upd[RUNS / 2] / (double)(ns * steps) * 1e9;
    per_both = both[RUNS / 2] / (double)(ns * steps) * 1e9;
    printf("health benchmark: exponential model, Kalman filter (information form), "
           "%lu signals x %lu samples, %d runs, medians (checksum %.6g)\n",
           (unsigned long)ns, (unsigned long)steps, RUNS, sum);
    printf("%-44s %12s %14s\n", "per sample", "ns", "samples/s");
    printf("%-44s %12.1f %14.3g\n", "twin_health_update", per_upd, 1e9 / per_upd);
    printf("%-44s %12.1f %14.3g\n", "twin_health_update + twin_health_get_rul", per_both,
           1e9 / per_both);
    printf("\nbench: health_update_ns %.1f ns\n", per_both);
    printf("bench: health_update_only_ns %.1f ns\n", per_upd);
    free(h);
    free(v);
    bench_predictor();
    return 0;
}
