/* Helpers private to lib/health/ (the state layout and the per-sample step,
 * which ingest shares, are in step.h). */
#ifndef TWIN_HEALTH_INT_H
#define TWIN_HEALTH_INT_H

#include "health/step.h"

#include "core/sized.h"

/* The options' fields as twin_health_init() checks them, but for the prior
 * covariance, the failure level against the baseline, and the user table
 * (health.c). */
twin_status twin__health_options_check(const twin_health_options *o, twin_error *err);

/* Room for a caller's options (and user model table) as this library's
 * structs, for options of an older, smaller size (core/sized.h). */
typedef struct twin__hopts {
    twin_health_options o;
    twin_health_model u;
} twin__hopts;

/* Point *o at options of this library's size: *o itself when it is (and
 * its user model table too), else a copy over the defaults in *buf. */
twin_status twin__health_opts(const twin_health_options **o, twin__hopts *buf,
                              twin_error *err);

/* twin__health_opts(), then twin__health_check(). */
twin_status twin__health_check_opts(const twin_health *h, const twin_health_options **o,
                                    twin__hopts *buf, twin_error *err);

/* Validate a failure level for the kind and baseline; a static message on
 * failure. */
twin_status twin__health_check_level(int32_t kind, double phi, double baseline, double level,
                                     twin_error *err);

/* Covariance from the information matrix. 0 when singular. */
int twin__kf_cov(const double L[3], double P[3]);
/* Information matrix from a row-major covariance; 0 unless it is symmetric
 * positive definite. */
int twin__kf_info(const double cov[4], double L[3]);

/* Inverse of the standard normal CDF, for p in (0, 1) (rul.c). */
double twin__normal_quantile(double p);

/* Symmetric positive definite solve in place (fit.c): A is n x n row-major
 * (destroyed), b has n values (becomes the solution). 0 when not positive
 * definite. */
int twin__cholesky_solve(double *A, double *b, unsigned n);

#endif
