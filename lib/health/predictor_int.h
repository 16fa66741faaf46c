/* Private layout of twin_health_predictor and twin_health_track, shared by
 * predictor.c (tracks, estimates), predictor_fit.c (boosting) and
 * predictor_io.c (binary form). */
#ifndef TWIN_HEALTH_PREDICTOR_INT_H
#define TWIN_HEALTH_PREDICTOR_INT_H

#include "core/alloc.h"
#include "health/health_int.h"

#include <stdint.h>

#define TWIN__PS TWIN_HEALTH_PREDICTOR_SENSORS
#define TWIN__PQ TWIN_HEALTH_FUSION_SETTINGS
#define TWIN__PR TWIN_HEALTH_FUSION_REGIMES
/* Signals: the sensors and the fused index. */
#define TWIN__PSIG (TWIN__PS + 1)
/* Features per signal, and in all: 4 per signal and the cycle count. */
#define TWIN__PF_PER 4
#define TWIN__PFEAT (TWIN__PF_PER * TWIN__PSIG + 1)
#define TWIN__PDEPTH 8
#define TWIN__PTREES 65535u

#define TWIN__TRACK_LAYOUT 0x54524b31u /* "TRK1" */

struct twin_health_predictor {
    twin_allocator alloc;
    uint32_t nsensors, nsettings, nregimes;
    uint32_t depth, ntrees, nfeat;
    uint32_t baseline;  /* cycles of the asset's healthy level */
    uint32_t tag;       /* CRC-32 of the binary form: tracks name their model by it */
    double alpha_fast, alpha_slow;
    double horizon, censor_level, bias;
    /* normalisation and fused index (twin_health_fusion's fields) */
    double setting_scale[TWIN__PQ];
    double centre[TWIN__PR][TWIN__PQ];
    double mean[TWIN__PR][TWIN__PS];
    double scale[TWIN__PR][TWIN__PS];
    double weight[TWIN__PS];
    double hi_bias;
    /* trees: ntrees x depth features and thresholds, ntrees << depth leaves;
       one block of blk_size bytes */
    uint8_t *feat;
    float *thr;
    float *leaf;
    void *blk;
    size_t blk_size;
};

/* The private view of a twin_health_track. */
#if defined(__GNUC__) || defined(__clang__)
#define TWIN__TRK_ALIAS __attribute__((may_alias))
#else
#define TWIN__TRK_ALIAS
#endif
typedef struct TWIN__TRK_ALIAS twin__track {
    uint32_t size;    /* sizeof(twin_health_track) */
    uint32_t layout;  /* TWIN__TRACK_LAYOUT */
    uint32_t tag;     /* the model's tag */
    uint32_t nsig;    /* signals */
    uint64_t n;       /* cycles seen */
    double fast[TWIN__PSIG];
    double slow[TWIN__PSIG];
    double base[TWIN__PSIG];
} twin__track;

_Static_assert(sizeof(twin__track) <= sizeof(twin_health_track), "twin__track must fit");
_Static_assert(sizeof(twin_health_track) == 512, "twin_health_track is 512 bytes forever");

/* Allocate the tree arrays of m (ntrees and depth set); 0 on NOMEM. */
int twin__predictor_alloc_trees(twin_health_predictor *m);

/* Regime of a row's settings (nearest centre). */
uint32_t twin__predictor_regime(const twin_health_predictor *m, const double *settings);

/* One cycle on a checked track, with checked finite inputs. */
void twin__predictor_step(const twin_health_predictor *m, twin__track *t, const double *sensors,
                          const double *settings);

/* The features of a track with at least one cycle: m->nfeat values. */
void twin__predictor_features(const twin_health_predictor *m, const twin__track *t, double *x);

/* Sum of the trees for features x, before clamping. */
double twin__predictor_raw(const twin_health_predictor *m, const double *x);

/* The binary form's size, and its bytes into buf (of that size); sets no tag. */
size_t twin__predictor_size(const twin_health_predictor *m);
void twin__predictor_write(const twin_health_predictor *m, unsigned char *buf);

#endif
