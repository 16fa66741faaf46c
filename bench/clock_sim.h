/* A simulated plant of sources whose clocks are off (bench_clock.c and
 * tests/clock/test_clock.c): each source stamps one sample a second by its
 * own clock, which is off by an offset (up to +-2 s) drifting with a skew
 * (up to +-100 ppm), and the host receives it after a queueing delay:
 * exponential (mean 1 to 5 ms) with a heavy tail (5% of the samples
 * delayed by a further exponential of mean 300 ms). A step sets a source's
 * clock by hand at a given time. */
#ifndef TWIN_CLOCK_SIM_H
#define TWIN_CLOCK_SIM_H

#include <math.h>
#include <stdint.h>

typedef struct sim_rng {
    uint64_t s;
} sim_rng;

static inline uint64_t sim_next(sim_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static inline double sim_unif(sim_rng *r)
{
    return ((double)(sim_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double sim_exp(sim_rng *r, double mean)
{
    return -mean * log(sim_unif(r));
}

typedef struct sim_source {
    double ahead_us;      /* source time minus host time at t0 */
    double skew_ppm;      /* positive: the source's clock runs fast */
    double delay_mean_us; /* mean queueing delay */
    int64_t t0;           /* host time zero */
    int64_t step_at;      /* host time of a step (0: none) */
    double step_us;       /* the step: the clock jumps by this much */
} sim_source;

/* The source's clock at host time t (us). */
static inline double sim_source_time(const sim_source *s, int64_t t)
{
    double v = (double)t + s->ahead_us + s->skew_ppm * 1e-6 * (double)(t - s->t0);
    if (s->step_at && t >= s->step_at) v += s->step_us;
    return v;
}

/* The true offset (host minus source time) at host time t. */
static inline double sim_true_offset(const sim_source *s, int64_t t)
{
    return (double)t - sim_source_time(s, t);
}

static inline void sim_source_random(sim_source *s, sim_rng *r, int64_t t0)
{
    s->ahead_us = (sim_unif(r) * 4 - 2) * 1e6;
    s->skew_ppm = sim_unif(r) * 200 - 100;
    s->delay_mean_us = 1000 + sim_unif(r) * 4000;
    s->t0 = t0;
    s->step_at = 0;
    s->step_us = 0;
}

/* The k-th sample of a source: sent at host time t0 + k s (+ up to 10 ms
 * of jitter), stamped by the source's clock, received after its delay. */
static inline void sim_pair(const sim_source *s, sim_rng *r, int k, int64_t *source_us,
                            int64_t *receive_us)
{
    int64_t sent = s->t0 + (int64_t)k * 1000000 + (int64_t)(sim_unif(r) * 10000);
    double delay = sim_exp(r, s->delay_mean_us);
    if (sim_unif(r) < 0.05) delay += sim_exp(r, 300000);
    *source_us = (int64_t)llround(sim_source_time(s, sent));
    *receive_us = sent + (int64_t)llround(delay);
}

#endif
