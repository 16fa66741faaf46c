/* Reproducible random numbers and the few functions they need, made of
 * integer arithmetic and IEEE basic operations (+ - * / sqrt) only, so
 * that a seed gives the same bits on every platform (compiled with
 * -ffp-contract=off: no fused multiply-add). */
#ifndef TWIN_SCENARIO_DETMATH_H
#define TWIN_SCENARIO_DETMATH_H

#include <stdint.h>

/* Natural logarithm of x > 0 (finite), within 1 ulp or so. */
double twin__det_log(double x);
/* e^x for finite x, within a few ulp; 0 below -745, INFINITY above 709. */
double twin__det_exp(double x);

/* A counter-based stream: the numbers of (seed, run, key) do not depend on
 * any other stream. */
typedef struct twin__rng {
    uint64_t s;
} twin__rng;

void twin__rng_init(twin__rng *r, uint64_t seed, uint64_t run, uint64_t key);
uint64_t twin__rng_next(twin__rng *r);
/* Uniform in (0, 1): never 0 nor 1. */
double twin__rng_uniform(twin__rng *r);
/* Two independent standard normals (Marsaglia's polar method over
 * twin__det_log). */
void twin__rng_normal2(twin__rng *r, double *z1, double *z2);
/* 64-bit FNV-1a of a NUL-terminated string, then of a second one (may be
 * NULL): keys of twins and signals. */
uint64_t twin__det_key(const char *a, const char *b);

#endif
