#include "scenario_fixture.h"

#include <check.h>
#include <math.h>

void sc_motor_options(twin_health_options *o)
{
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_EXPONENTIAL;
    o->prior_mean[0] = log(0.12);
    o->prior_mean[1] = 0.01 / SC_DAY;
    o->prior_cov[0] = 0.01;
    o->prior_cov[3] = pow(0.004 / SC_DAY, 2);
    o->noise = 0.01;
    o->failure_level = 1.2;
}

void sc_add(twin_graph *g, const char *id, double speed)
{
    twin_member m;
    m.name = "speed";
    m.value = twin_value_double(speed);
    ck_assert_int_eq(twin_graph_add_twin(g, id, "dtmi:t:M;1", &m, 1), TWIN_OK);
}

void sc_rel(twin_graph *g, const char *src, const char *rel_id, const char *name,
            const char *dst)
{
    ck_assert_int_eq(twin_graph_add_relationship(g, src, rel_id, name, dst, NULL, 0), TWIN_OK);
}

void sc_vibration(twin_ingest *ing, const char *id, int days, double rate_per_day)
{
    twin_signal sig;
    twin_health_options o;
    sc_motor_options(&o);
    ck_assert_int_eq(twin_ingest_add_signal(ing, id, "vibration", NULL, &sig), TWIN_OK);
    ck_assert_int_eq(twin_ingest_attach_health(ing, sig, &o, SC_T0), TWIN_OK);
    for (int d = 1; d <= days; d++) {
        twin_signal_sample s;
        s.signal = sig;
        s.t_us = SC_T0 + d * SC_DAY_US;
        s.value = 0.12 * exp(rate_per_day * d);
        ck_assert_int_eq(twin_ingest_write_signals(ing, &s, 1, NULL, NULL), TWIN_OK);
    }
}
