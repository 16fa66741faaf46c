/* A small plant for the scenario tests: a line of stations fed by pumps,
 * with motors whose vibration has an exponential health model. */
#ifndef TWIN_TESTS_SCENARIO_FIXTURE_H
#define TWIN_TESTS_SCENARIO_FIXTURE_H

#include "twin/twin.h"

#define SC_T0 INT64_C(1751328000000000) /* 2025-07-01T00:00:00Z */
#define SC_DAY 86400.0
#define SC_DAY_US INT64_C(86400000000)

/* The health options of the motors: v = exp(x0 + x1 t), failure at 1.2. */
void sc_motor_options(twin_health_options *o);
/* Add twin id with model "dtmi:t:M;1" and a double property "speed". */
void sc_add(twin_graph *g, const char *id, double speed);
void sc_rel(twin_graph *g, const char *src, const char *rel_id, const char *name,
            const char *dst);
/* Give twin id a vibration signal with the motor model and `days` daily
 * samples growing at `rate_per_day` from 0.12 (no noise). */
void sc_vibration(twin_ingest *ing, const char *id, int days, double rate_per_day);

#endif
