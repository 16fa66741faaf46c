/* What every golden file holds (tests/golden/README.md): the content that
 * make_golden.c writes and test_golden.c expects, on the public API only.
 * NEVER CHANGE what is here: every golden file of every release was written
 * from it. New content for a new release goes into new definitions.
 *
 * Deterministic and the same on every machine: fixed timestamps, sample
 * values from +, *, / only (correctly rounded IEEE arithmetic, no libm),
 * options from literal constants. */
#ifndef TWIN_TESTS_GOLDEN_H
#define TWIN_TESTS_GOLDEN_H

#include <math.h>
#include <string.h>

#include "twin/twin.h"

/* Two DTDL v3 Interfaces. */
static const char golden_models_json[] =
    "[{\"@context\": \"dtmi:dtdl:context;3\", \"@id\": \"dtmi:golden:Line;1\","
    " \"@type\": \"Interface\", \"displayName\": \"Line\", \"contents\": ["
    "  {\"@type\": \"Property\", \"name\": \"label\", \"schema\": \"string\"}]},"
    " {\"@context\": [\"dtmi:dtdl:context;3\", \"dtmi:dtdl:extension:quantitativeTypes;1\"],"
    " \"@id\": \"dtmi:golden:Motor;1\","
    " \"@type\": \"Interface\", \"displayName\": \"Motor\", \"contents\": ["
    "  {\"@type\": \"Property\", \"name\": \"ratedPower\", \"schema\": \"double\"},"
    "  {\"@type\": \"Property\", \"name\": \"serial\", \"schema\": \"string\"},"
    "  {\"@type\": [\"Telemetry\", \"Acceleration\"], \"name\": \"vibration\","
    "   \"schema\": \"double\", \"unit\": \"gForce\"},"
    "  {\"@type\": [\"Telemetry\", \"Temperature\"], \"name\": \"temperature\","
    "   \"schema\": \"double\", \"unit\": \"degreeCelsius\"},"
    "  {\"@type\": \"Relationship\", \"name\": \"partOf\", \"target\": \"dtmi:golden:Line;1\","
    "   \"properties\": [{\"@type\": \"Property\", \"name\": \"position\","
    "   \"schema\": \"integer\"}]}]}]";

#define GOLDEN_LINE "dtmi:golden:Line;1"
#define GOLDEN_MOTOR "dtmi:golden:Motor;1"

/* 2026-01-01T00:00:00Z; one sample an hour per signal. */
#define GOLDEN_T0_US INT64_C(1767225600000000)
#define GOLDEN_STEP_US INT64_C(3600000000)
#define GOLDEN_SAMPLES 48

/* Signals: twin, name, unit. */
enum { GOLDEN_A_VIB, GOLDEN_A_TEMP, GOLDEN_B_VIB, GOLDEN_SIGNALS };
static const char *const golden_sig_twin[GOLDEN_SIGNALS] = {"motor-A", "motor-A", "motor-B"};
static const char *const golden_sig_name[GOLDEN_SIGNALS] = {"vibration", "temperature",
                                                            "vibration"};
static const char *const golden_sig_unit[GOLDEN_SIGNALS] = {"gForce", "degreeCelsius",
                                                            "gForce"};

/* Sample i of signal k. motor-A's vibration grows slowly, then steps up by
 * half at sample 36 (its model diverges and recalibrates). */
static inline double golden_value(int k, int i)
{
    switch (k) {
    case GOLDEN_A_VIB: return 0.12 * (1.0 + i / 200.0) * (i >= 36 ? 1.5 : 1.0);
    case GOLDEN_A_TEMP: return 40.0 + i * 0.25;
    default: return 0.1 + i * 0.0005;
    }
}

static inline int64_t golden_time(int i)
{
    return GOLDEN_T0_US + i * GOLDEN_STEP_US;
}

/* Health options of motor-A's vibration (exponential, EMA recalibration)
 * and of motor-B's (linear, Kalman recalibration); temperature has none. */
static inline void golden_health_options(int k, twin_health_options *o)
{
    twin_health_options_init(o);
    if (k == GOLDEN_A_VIB) {
        o->model = TWIN_HEALTH_EXPONENTIAL;
        o->prior_mean[0] = -2.120263536200091;  /* log(0.12) */
        o->prior_mean[1] = 3e-7;
        o->prior_cov[0] = 0.25;
        o->prior_cov[3] = 1e-12;
        o->noise = 0.0025;
        o->failure_level = 1.2;
        o->recalibration = TWIN_HEALTH_RECAL_EMA;
        o->ema_alpha = 0.25;
    } else {
        o->model = TWIN_HEALTH_LINEAR;
        o->phi = 0.05;
        o->prior_mean[0] = 0.05;
        o->prior_cov[0] = 0.01;
        o->prior_cov[3] = 1e-14;
        o->noise = 1e-6;
        o->process_noise[1] = 1e-20;
        o->failure_factor = 9.0;
        o->divergence_threshold = 0.3;
        o->divergence_clear = 0.15;
        o->divergence_count = 2;
        o->recalibration = TWIN_HEALTH_RECAL_KALMAN;
        o->recal_noise[0] = 1e-6;
        o->recal_noise[1] = 1e-14;
    }
}

static inline int golden_has_health(int k)
{
    return k != GOLDEN_A_TEMP;
}

#endif
