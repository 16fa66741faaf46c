/* Reproducible random numbers (detmath.h). The logarithm reduces x to
 * m * 2^e with m in [sqrt(1/2), sqrt(2)) and sums the series of
 * log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.1716, to s^23
 * (the next term is below 2^-60 of the sum). The exponential reduces x to
 * k ln 2 + r, |r| <= ln 2 / 2, sums the Taylor series of e^r to r^17 and
 * scales by 2^k. Both use ln 2 split in two so that k ln 2 is exact. */
#include "scenario/detmath.h"

#include <float.h>
#include <math.h>

static const double ln2_hi = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000 */
static const double ln2_lo = 1.90821492927058770002e-10; /* 0x3dea39ef35793c76 */

double twin__det_log(double x)
{
    int e;
    double m = frexp(x, &e), s, s2, sum, term;
    /* frexp: x = m * 2^e, m in [0.5, 1): move m into [sqrt(1/2), sqrt(2)) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    s = (m - 1.0) / (m + 1.0);
    s2 = s * s;
    /* 2 (s + s^3/3 + s^5/5 + ... + s^23/23), summed from the small end */
    sum = 0.0;
    for (int k = 23; k >= 3; k -= 2) sum = (sum + 1.0 / k) * s2;
    term = 2.0 * s + 2.0 * s * sum;
    return ((double)e * ln2_lo + term) + (double)e * ln2_hi;
}

double twin__det_exp(double x)
{
    double kf, r, sum;
    int k;
    if (x < -745.2) return 0.0;
    if (x > 709.7) return INFINITY;
    kf = x / 0.69314718055994530942;
    kf = kf < 0 ? (double)(long long)(kf - 0.5) : (double)(long long)(kf + 0.5);
    k = (int)kf;
    r = (x - kf * ln2_hi) - kf * ln2_lo;
    sum = 1.0;
    for (int i = 17; i >= 1; i--) sum = 1.0 + sum * r / i;
    return ldexp(sum, k);
}

void twin__rng_init(twin__rng *r, uint64_t seed, uint64_t run, uint64_t key)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull ^ key;
    x ^= (run + 1) * 0xd1b54a32d192ed03ull;
    /* two rounds of mixing so that nearby (run, key) pairs start far apart */
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 32;
    r->s = x;
}

uint64_t twin__rng_next(twin__rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double twin__rng_uniform(twin__rng *r)
{
    /* 53 random bits, offset by half a unit: in (0, 1) */
    return ((double)(twin__rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

void twin__rng_normal2(twin__rng *r, double *z1, double *z2)
{
    for (;;) {
        double u = 2.0 * twin__rng_uniform(r) - 1.0;
        double v = 2.0 * twin__rng_uniform(r) - 1.0;
        double s = u * u + v * v, f;
        if (s >= 1.0 || s == 0.0) continue;
        f = sqrt(-2.0 * twin__det_log(s) / s);
        *z1 = u * f;
        *z2 = v * f;
        return;
    }
}

uint64_t twin__det_key(const char *a, const char *b)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    if (b) {
        h = (h ^ 0xffu) * 0x100000001b3ull;
        for (const unsigned char *p = (const unsigned char *)b; *p; p++)
            h = (h ^ *p) * 0x100000001b3ull;
    }
    return h;
}
