/* Clock models (issue 18): the worst source's offset error after 60 s in a
 * simulated plant (bench/clock_sim.h: offsets up to 2 s, skews up to
 * 100 ppm, exponential delays of mean 1 to 5 ms with a heavy tail; one
 * source's clock set by hand by 0.2 to 1 s, either way, at 30 s), over many
 * plants: the median plant's figure, its 95th percentile and maximum; the
 * samples needed to recover from a step; the share of errors within the
 * reported uncertainty; the cost of one pair.
 *
 * Usage: bench_clock [PLANTS [SOURCES]]   defaults 200 8 */
#include <twin/twin.h>

#include "bench_util.h"
#include "clock_sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define T0 INT64_C(1751328000000000) /* 2025-07-01T00:00:00Z */

/* Run one source for n samples; error (us) of the estimate at the end,
 * whether it lay within the reported uncertainty. */
static double run_source(const sim_source *s, sim_rng *r, int n, int *within)
{
    twin_clock c;
    twin_clock_estimate e = {sizeof e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    int64_t src, rcv, last = 0;
    double err;
    twin_clock_init(&c, NULL, NULL);
    for (int k = 0; k < n; k++) {
        sim_pair(s, r, k, &src, &rcv);
        if (rcv < last) rcv = last; /* the host's receive order */
        last = rcv;
        if (twin_clock_observe(&c, src, rcv, NULL) != TWIN_OK) abort();
    }
    if (twin_clock_get_estimate(&c, &e, NULL) != TWIN_OK) abort();
    err = fabs((double)e.offset_us - sim_true_offset(s, e.t_us));
    *within = err <= e.offset_uncertainty_us + 1;
    return err;
}

/* Samples after a step until the offset is within 1 ms again (and stays
 * so for 10 samples). */
static int step_recovery(double step_us, sim_rng *r)
{
    sim_source s;
    twin_clock c;
    twin_clock_estimate e = {sizeof e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    int64_t src, rcv, last = 0;
    int good = 0, first_good = -1;
    sim_source_random(&s, r, T0);
    s.step_at = T0 + 120 * INT64_C(1000000) + 500000;
    s.step_us = step_us;
    twin_clock_init(&c, NULL, NULL);
    for (int k = 0; k < 300; k++) {
        sim_pair(&s, r, k, &src, &rcv);
        if (rcv < last) rcv = last;
        last = rcv;
        twin_clock_observe(&c, src, rcv, NULL);
        if (k <= 120) continue;
        twin_clock_get_estimate(&c, &e, NULL);
        if (fabs((double)e.offset_us - sim_true_offset(&s, e.t_us)) <= 1000) {
            if (good++ == 0) first_good = k - 120;
            if (good == 10) return first_good;
        } else {
            good = 0;
        }
    }
    return 1000;
}

int main(int argc, char **argv)
{
    int plants = argc > 1 ? atoi(argv[1]) : 200, sources = argc > 2 ? atoi(argv[2]) : 8;
    double *worst = malloc(sizeof(double) * (size_t)plants), all_max = 0;
    long within = 0, total = 0;
    int rec_fwd = 0, rec_back = 0;
    sim_rng r = {42};
    double t, per_pair;
    twin_clock c;
    if (!worst || plants < 1 || sources < 1) return 2;
    for (int p = 0; p < plants; p++) {
        worst[p] = 0;
        for (int i = 0; i < sources; i++) {
            sim_source s;
            int w;
            double err;
            sim_source_random(&s, &r, T0 + (int64_t)p * 1000);
            if (i == 0) { /* one clock set by hand half way */
                s.step_at = s.t0 + 30 * INT64_C(1000000) + 500000;
                s.step_us = (sim_unif(&r) < 0.5 ? -1 : 1) * (0.2 + 0.8 * sim_unif(&r)) * 1e6;
            }
            err = run_source(&s, &r, 61, &w);
            within += w;
            total++;
            if (err > worst[p]) worst[p] = err;
        }
        if (worst[p] > all_max) all_max = worst[p];
    }
    for (int i = 0; i < 20; i++) {
        int a = step_recovery(500000, &r), b = step_recovery(-300000, &r);
        if (a > rec_fwd) rec_fwd = a;
        if (b > rec_back) rec_back = b;
    }
    /* cost of one pair (a steady source) */
    {
        sim_source s;
        int64_t src, rcv, last = 0;
        int n = 2000000;
        sim_source_random(&s, &r, T0);
        twin_clock_init(&c, NULL, NULL);
        t = bench_now_s();
        for (int k = 0; k < n; k++) {
            sim_pair(&s, &r, k, &src, &rcv);
            if (rcv < last) rcv = last;
            last = rcv;
            twin_clock_observe(&c, src, rcv, NULL);
        }
        per_pair = (bench_now_s() - t) / n * 1e9;
    }
    {
        double med, p95;
        qsort(worst, (size_t)plants, sizeof *worst, bench_cmp_double);
        med = worst[plants / 2];
        p95 = worst[(int)(plants * 0.95)];
        printf("%d plants of %d sources, 61 samples each (60 s at 1 Hz)\n", plants, sources);
        printf("worst source's offset error: median %.3f ms, 95th percentile %.3f ms, "
               "max %.3f ms\n", med / 1000, p95 / 1000, all_max / 1000);
        printf("errors within the reported uncertainty: %.1f%%\n", 100.0 * within / total);
        printf("step recovery (within 1 ms, worst of 20): +0.5 s %d samples, -0.3 s %d samples\n",
               rec_fwd, rec_back);
        /* the figure: a plant's worst source, the median plant; the 95th
           percentile and the worst plant beside it */
        printf("bench: clock_offset_err_ms %.3f ms\n", med / 1000);
        printf("bench: clock_offset_err_p95_ms %.3f ms\n", p95 / 1000);
        printf("bench: clock_offset_err_max_ms %.3f ms\n", all_max / 1000);
        printf("bench: clock_uncertainty_coverage %.1f %%\n", 100.0 * within / total);
        printf("bench: clock_step_recovery_samples %d samples\n",
               rec_fwd > rec_back ? rec_fwd : rec_back);
        printf("bench: clock_observe_ns %.1f ns\n", per_pair);
    }
    free(worst);
    return 0;
}
