/* libtwin-mqtt: a host session bound to a graph and an ingest handle
 * (twin_sp_host_bind()), fed by an edge session's messages, no socket:
 * twins and signals from DBIRTH (units from engUnit), DATA by handle,
 * stale twins on DDEATH and NDEATH, counters, allocation failures. */
#include <twin/sparkplug.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "support/failalloc.h"
#include "support/run.h"

#define MODEL "dtmi:test:Motor;1"
#define T0 1700000000000000LL  /* microseconds, whole milliseconds */

static twin_graph *eg, *hg;
static twin_ingest *ei, *hi;
static twin_sp_edge *e;
static twin_sp_host *h;
static twin_signal s_temp, s_flow;
static uint8_t buf[16384];

static void setup(void)
{
    twin_signal_options o;
    twin_sp_edge_options eo;
    twin_sp_host_options ho;
    ck_assert_int_eq(twin_graph_create(&eg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(eg, "motor/1", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(eg, "pump#2", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&ei, eg, NULL), TWIN_OK);
    twin_signal_options_init(&o);
    o.unit = "degreeFahrenheit";
    ck_assert_int_eq(twin_ingest_add_signal(ei, "motor/1", "temp", &o, &s_temp), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ei, "pump#2", "flow", NULL, &s_flow), TWIN_OK);
    twin_sp_edge_options_init(&eo);
    eo.group_id = "G";
    eo.node_id = "N";
    ck_assert_int_eq(twin_sp_edge_create(&e, eg, ei, &eo), TWIN_OK);
    ck_assert_int_eq(twin_graph_create(&hg, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&hi, hg, NULL), TWIN_OK);
    twin_sp_host_options_init(&ho);
    ho.host_id = "H";
    ck_assert_int_eq(twin_sp_host_create(&h, &ho), TWIN_OK);
}

static void teardown(void)
{
    twin_sp_host_destroy(h);
    twin_ingest_destroy(hi);
    twin_graph_destroy(hg);
    twin_sp_edge_destroy(e);
    twin_ingest_destroy(ei);
    twin_graph_destroy(eg);
}

static void edge_write(twin_signal s, int64_t t, double v)
{
    twin_signal_sample x = {s, t, v};
    ck_assert_int_eq(twin_ingest_write_signals(ei, &x, 1, NULL, NULL), TWIN_OK);
}

/* Hand every message the edge has to the host. */
static int deliver(int64_t now)
{
    twin_sp_message m;
    int n = 0;
    twin_status s;
    while ((s = twin_sp_edge_next(e, now, &m, buf, sizeof buf, NULL)) == TWIN_OK) {
        ck_assert_int_eq(twin_sp_host_receive(h, m.topic, strlen(m.topic), m.payload,
                                              m.payload_len, now), TWIN_OK);
        n++;
    }
    ck_assert_int_eq(s, TWIN_DONE);
    return n;
}

static void bind_default(void)
{
    twin_health_options o;
    twin_sp_bind_options bo;
    twin_health_options_init(&o);
    twin_sp_bind_options_init(&bo);
    bo.health = &o;  /* copied */
    bo.health_t0_us = T0;
    ck_assert_int_eq(twin_sp_host_bind(h, hg, hi, &bo), TWIN_OK);
}

static twin_sp_bind_stats bstats(void)
{
    twin_sp_bind_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    ck_assert_int_eq(twin_sp_host_bind_stats(h, &s), TWIN_OK);
    return s;
}

static int online(const char *twin)
{
    const twin_value *v;
    ck_assert_int_eq(twin_graph_get_property(hg, twin, TWIN_SP_ONLINE_PROPERTY, &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_BOOL);
    return v->as.b;
}

START_TEST(test_bind_dbirth_creates_twins_and_signals_with_units)
{
    twin_sp_message m;
    twin_signal s;
    const char *unit, *model;
    int64_t t;
    double v;
    bind_default();
    edge_write(s_temp, T0, 212.0);
    ck_assert_int_eq(twin_sp_edge_connect(e, &m, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_int_eq(deliver(T0), 3);  /* NBIRTH, 2 DBIRTHs */
    ck_assert_int_eq(twin_graph_find_twin(hg, "motor/1", &model), TWIN_OK);
    ck_assert_str_eq(model, TWIN_SP_DEVICE_MODEL);
    ck_assert_int_eq(twin_graph_find_twin(hg, "pump#2", NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_resolve(hi, "motor/1", "temp", NULL, &s), TWIN_OK);
    ck_assert_int_eq(twin_ingest_signal_info(hi, s, NULL, NULL, &unit), TWIN_OK);
    ck_assert_str_eq(unit, "degreeFahrenheit");
    ck_assert_int_eq(twin_ingest_get_health(hi, s, NULL, NULL), TWIN_OK);
    /* the DBIRTH's value is the first sample */
    ck_assert_int_eq(twin_ingest_get_latest(hi, s, &t, &v), TWIN_OK);
    ck_assert_int_eq(t, T0);
    ck_assert(v == 212.0);
    ck_assert_int_eq(online("motor/1"), 1);
    twin_sp_bind_stats bs = bstats();
    ck_assert_uint_eq(bs.twins_created, 2);
    ck_assert_uint_eq(bs.signals_bound, 2);
    ck_assert_uint_eq(bs.samples, 1);  /* flow had no sample: a null metric */
}
END_TEST

START_TEST(test_bind_ddata_goes_to_ingest_by_handle)
{
    twin_sp_message m;
    twin_signal s;
    int64_t t;
    double v;
    bind_default();
    ck_assert_int_eq(twin_sp_edge_connect(e, &m, buf, sizeof buf, NULL), TWIN_OK);
    deliver(T0);
    for (int i = 1; i <= 10; i++) {
        edge_write(s_temp, T0 + i * 1000, 100.0 + i);
        edge_write(s_flow, T0 + i * 1000, 3.0 * i);
        ck_assert_int_eq(deliver(T0 + i * 1000), 2);  /* a DDATA per device */
    }
    ck_assert_int_eq(twin_ingest_resolve(hi, "pump#2", "flow", NULL, &s), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_latest(hi, s, &t, &v), TWIN_OK);
    ck_assert_int_eq(t, T0 + 10000);
    ck_assert(v == 30.0);
    twin_ingest_stats st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    ck_assert_int_eq(twin_ingest_get_stats(hi, 0, &st), TWIN_OK);
    ck_assert_uint_eq(st.outcomes[TWIN_INGEST_ACCEPTED], 20);
    ck_assert_uint_eq(bstats().samples, 20);
    ck_assert_uint_eq(bstats().write_errors, 0);
}
END_TEST

START_TEST(test_bind_death_marks_twins_stale)
{
    twin_sp_message m;
    bind_default();
    ck_assert_int_eq(twin_sp_edge_connect(e, &m, buf, sizeof buf, NULL), TWIN_OK);
    deliver(T0);
    /* a twin leaves the edge's graph: DDEATH */
    ck_assert_int_eq(twin_ingest_remove_twin(ei, "pump#2"), TWIN_OK);
    ck_assert_int_eq(deliver(T0 + 1000), 1);
    ck_assert_int_eq(online("pump#2"), 0);
    ck_assert_int_eq(online("motor/1"), 1);
    /* the node dies (its will): every device's twin is stale */
    ck_assert_int_eq(twin_sp_edge_death(e, &m, buf, sizeof buf, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_receive(h, m.topic, strlen(m.topic), m.payload, m.payload_len,
                                          T0 + 2000), TWIN_OK);
    ck_assert_int_eq(online("motor/1"), 0);
    ck_assert_int_eq(twin_sp_host_status(h, "G", "N", "motor%2F1"), TWIN_E_STATE);
    /* the twins and their signals stay in the mirror */
    ck_assert_uint_eq(twin_ingest_signal_count(hi), 2);
}
END_TEST

START_TEST(test_bind_signal_without_unit_has_none)
{
    twin_sp_message m;
    twin_signal_options o;
    twin_signal s;
    const char *unit;
    /* an edge signal without unit: no engUnit, a host signal without unit */
    twin_signal_options_init(&o);
    ck_assert_int_eq(twin_ingest_add_signal(ei, "motor/1", "speed", &o, &s), TWIN_OK);
    bind_default();
    ck_assert_int_eq(twin_sp_edge_connect(e, &m, buf, sizeof buf, NULL), TWIN_OK);
    deliver(T0);
    ck_assert_int_eq(twin_ingest_resolve(hi, "motor/1", "speed", NULL, &s), TWIN_OK);
    ck_assert_int_eq(twin_ingest_signal_info(hi, s, NULL, NULL, &unit), TWIN_OK);
    ck_assert_str_eq(unit, "");
    ck_assert_uint_eq(bstats().not_bound, 0);
}
END_TEST

START_TEST(test_bind_twice_or_bad_arguments_refused)
{
    twin_sp_bind_stats st;
    twin_sp_bind_options bo;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    ck_assert_int_eq(twin_sp_host_bind_stats(h, &st), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_sp_host_bind(NULL, hg, hi, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_sp_host_bind(h, NULL, hi, NULL), TWIN_E_INVAL);
    twin_sp_bind_options_init(&bo);
    bo.model_id = "";
    ck_assert_int_eq(twin_sp_host_bind(h, hg, hi, &bo), TWIN_E_INVAL);
    bo.model_id = MODEL;
    bo.size = sizeof bo + 8;
    ck_assert_int_eq(twin_sp_host_bind(h, hg, hi, &bo), TWIN_E_ABI);
    ck_assert_int_eq(twin_sp_host_bind(h, hg, hi, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_bind(h, hg, hi, NULL), TWIN_E_STATE);
    ck_assert_int_eq(twin_sp_host_bind_stats(h, &st), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_bind_stats(h, NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_bind_allocation_failures_leak_nothing)
{
    failalloc fa;
    twin_sp_host_options ho;
    twin_sp_message m;
    failalloc_init(&fa);
    twin_sp_host_options_init(&ho);
    ho.host_id = "H2";
    ho.alloc = &fa.alloc;
    ck_assert_int_eq(twin_sp_edge_connect(e, &m, buf, sizeof buf, NULL), TWIN_OK);
    edge_write(s_temp, T0, 50.0);
    for (unsigned n = 0;; n++) {
        twin_sp_host *x = NULL;
        failalloc_arm(&fa, n);
        twin_status s = twin_sp_host_create(&x, &ho);
        if (s == TWIN_OK)
            s = twin_sp_host_bind(x, hg, hi, NULL);
        ck_assert(s == TWIN_OK || s == TWIN_E_NOMEM);
        int done = s == TWIN_OK;
        twin_sp_host_destroy(x);
        ck_assert_uint_eq(fa.live_bytes, 0);
        if (done)
            break;
    }
    failalloc_disarm(&fa);
    failalloc_fini(&fa);
}
END_TEST

static Suite *bind_suite(void)
{
    Suite *s = suite_create("sparkplug_bind");
    TCase *tc = tcase_create("bind");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bind_dbirth_creates_twins_and_signals_with_units);
    tcase_add_test(tc, test_bind_ddata_goes_to_ingest_by_handle);
    tcase_add_test(tc, test_bind_death_marks_twins_stale);
    tcase_add_test(tc, test_bind_signal_without_unit_has_none);
    tcase_add_test(tc, test_bind_twice_or_bad_arguments_refused);
    tcase_add_test(tc, test_bind_allocation_failures_leak_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(bind_suite());
}
