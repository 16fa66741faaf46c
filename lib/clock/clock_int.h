/* The private layout of a twin_clock, shared by clock.c (the model) and
 * encode.c (its portable byte form). */
#ifndef TWIN_CLOCK_INT_H
#define TWIN_CLOCK_INT_H

#include "twin/clock.h"

#define TWIN__CLOCK_LAYOUT 1u
#define TWIN__CLOCK_SKEW_MIN 4u          /* points before the skew is estimated */
#define TWIN__CLOCK_T_MAX (INT64_C(1) << 53)  /* timestamps in (0, 2^53) us */
/* Uncertainty factors, calibrated on simulated plants (bench/bench_clock.c):
 * about 95% of the true offset errors fall within them. */
#define TWIN__CLOCK_K_OFFSET 4.0
#define TWIN__CLOCK_K_SKEW 6.0
#define TWIN__CLOCK_BIAS 1.2
/* After a step, the skew from before it serves for at most this many points. */
#define TWIN__CLOCK_STEP_PRIOR_MAX 16u

typedef struct twin__clock {
    uint32_t size, layout;
    int32_t kind;
    uint32_t min_pairs, step_pairs;
    uint32_t n, head;        /* points in use; index of the oldest */
    uint32_t above;          /* pairs in a row far above the line */
    uint32_t steps;
    uint32_t since_step;     /* points added since the last step (capped) */
    int32_t has_line;        /* a, b, xe hold a line */
    int32_t step_prior;      /* a step restarted the envelope: the prior skew is
                                the one before it, and may serve better */
    int32_t skew_prior;      /* the line's skew is the prior */
    uint32_t reserved;
    int64_t offset_us, window_us, step_us, max_offset_us, min_delay_us;
    int64_t tol_offset_us, zone_step_us;
    double tol_skew_ppm;
    int64_t anchor_t, anchor_d;  /* origins of x (host time) and d (delay) */
    int64_t last_recv;           /* INT64_MIN before any pair */
    int64_t last_win;            /* receive time that started the newest point */
    uint64_t pairs;
    double a, b, xe;             /* d(x) = a + b (x - xe) */
    double ua, ub;               /* uncertainty of a (at xe) and b */
    double prior_b, prior_ub;
    double px[TWIN_CLOCK_POINTS], pd[TWIN_CLOCK_POINTS];
} twin__clock;

_Static_assert(sizeof(twin__clock) <= sizeof(twin_clock), "twin__clock must fit");

#endif
