/* NASA C-MAPSS data and the validation protocol of the RUL predictor,
 * shared by examples/cmapss_rul, bench/bench_health and the firmware
 * test's model generator. Everything goes through twin/health.h.
 *
 * Validation protocol (the test sets' protocol, on training engines only):
 * the engines are shuffled (seeded) and split into K folds; for each fold
 * a model is fitted on the other folds' engines, and each held-out engine
 * is cut at C points drawn uniformly from cycle min(31, N) to its last
 * cycle N (31 is the shortest history of NASA's test sets); the estimate
 * at the cut's last cycle is scored against the cycles left, N - cut.
 *
 * Scores (d = estimate - truth):
 *   capped    truth min(N - cut, horizon); every estimate as its number.
 *   uncapped  truth N - cut; a censored estimate "at least R" is right
 *             (d = 0) when the truth is R or more, else late by R - truth;
 *             an uncensored one is its number.
 *   strict    truth N - cut; every estimate as its number (a censored one
 *             as its lower bound R).
 * RMSE = sqrt(mean d^2); PHM08 = sum(exp(-d/13) - 1) for d < 0 plus
 * sum(exp(d/10) - 1) for d >= 0, divided by C: one cut per engine, as
 * NASA's test sets (comparable to their scores for the same fleet size). */
#ifndef CMAPSS_H
#define CMAPSS_H

#include <twin/twin.h>

#include <stddef.h>
#include <stdint.h>

#define CM_NSEN 14
#define CM_NSET 3

typedef struct cm_data {
    size_t n, cap;
    uint32_t *unit;
    int64_t *t_us;
    double *set; /* n x CM_NSET */
    double *sen; /* n x CM_NSEN: s2 s3 s4 s7 s8 s9 s11 s12 s13 s14 s15 s17 s20 s21 */
} cm_data;

typedef struct cm_engine {
    uint32_t unit;
    size_t first, n; /* rows */
} cm_engine;

/* Read a 26-column C-MAPSS file; 0, or -1 with a message on stderr. */
int cm_read(cm_data *d, const char *path);
void cm_free(cm_data *d);
/* The engines of d (malloc'ed array into *out); their count. */
size_t cm_engines(const cm_data *d, cm_engine **out);
/* 6 when the settings vary (FD002, FD004), else 1. */
uint32_t cm_auto_regimes(const cm_data *d);

/* Fit on the engines whose use[k] is nonzero (all when use is NULL);
   p->nregimes 0 means cm_auto_regimes (with the settings only when > 1). */
twin_status cm_fit(twin_health_predictor **out, const cm_data *d, const cm_engine *e,
                   size_t ne, const int *use, const twin_health_predictor_params *p,
                   twin_error *err);

typedef struct cm_score {
    double sse_c, phm_c;  /* capped truth */
    double sse_u, phm_u;  /* uncapped truth, censored as "at least" */
    double sse_s, phm_s;  /* uncapped truth, censored as its bound */
    size_t count, censored, censored_wrong;
    unsigned cuts;        /* per engine: PHM08 sums are divided by it */
} cm_score;

void cm_score_add(cm_score *s, const twin_health_rul_estimate *est, double truth);
double cm_rmse_c(const cm_score *s);
double cm_rmse_u(const cm_score *s);
double cm_rmse_s(const cm_score *s);
double cm_phm_c(const cm_score *s);
double cm_phm_u(const cm_score *s);
double cm_phm_s(const cm_score *s);
void cm_score_merge(cm_score *into, const cm_score *s);

/* The validation protocol above: folds, cuts per engine, seed (engine
   shuffle, cut points and the fit's seed). total gets every cut, fold[f]
   (if not NULL, `folds` entries) each fold's. 0, or -1 with a message. */
int cm_validate(const cm_data *d, const twin_health_predictor_params *p, unsigned folds,
                unsigned cuts, uint64_t seed, cm_score *total, cm_score *fold);
/* Where cm_validate() writes "unit cycle truth estimate censored" per cut
   (NULL: nowhere). */
void cm_set_dump(void *file);

#endif
