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
 * Usage: bench_health [SIGNALS] [STEPS]   (defaults 10000 and 200) */
#include <twin/twin.h>

#include "bench_util.h"

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
    return 0;
}
