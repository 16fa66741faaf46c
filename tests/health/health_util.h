/* Helpers of the health tests: a deterministic PRNG (xorshift64* and
 * Box-Muller), the standard normal CDF, and time conversions. */
#ifndef TWIN_TESTS_HEALTH_UTIL_H
#define TWIN_TESTS_HEALTH_UTIL_H

#include <math.h>
#include <stdint.h>

#include "twin/twin.h"

typedef struct prng {
    uint64_t s;
} prng;

static inline uint64_t prng_next(prng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in (0, 1). */
static inline double prng_uniform(prng *r)
{
    return ((double)(prng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double prng_normal(prng *r)
{
    double u = prng_uniform(r), v = prng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static inline double normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

#define DAY_S 86400.0
static inline int64_t us_of_s(double s)
{
    return (int64_t)llround(s * 1e6);
}

static inline twin_health_event event_new(void)
{
    twin_health_event e;
    e.size = sizeof e;
    return e;
}

#endif
