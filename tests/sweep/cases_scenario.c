/* Sweep cases of what-if scenarios (they allocate from the graph's
 * allocator), including live graph writes that copy a twin into a forked
 * scenario. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sweep.h"

static void motor_health(twin_health_options *o)
{
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_LINEAR;
    o->prior_mean[0] = 10;
    o->prior_mean[1] = 1e-6;
    o->prior_cov[0] = 1;
    o->prior_cov[3] = 1e-14;
    o->noise = 0.5;
    o->failure_level = 40;
}

/* graph + ingest with pump1.flow under a health model */
static void setup_live(sw_ctx *c)
{
    twin_health_options o;
    sw_signal(c);
    motor_health(&o);
    ck_assert_int_eq(twin_ingest_attach_health(c->ing, c->sig, &o, 0), TWIN_OK);
}

static twin_status call_fork(sw_ctx *c)
{
    return twin_scenario_fork(&c->sc, c->g, c->ing, 0);
}

static void setup_forked(sw_ctx *c)
{
    setup_live(c);
    ck_assert_int_eq(call_fork(c), TWIN_OK);
}

static twin_status call_fork_scenario(sw_ctx *c)
{
    return twin_scenario_fork_scenario(&c->sc2, c->sc);
}

static twin_status call_find(sw_ctx *c)
{
    const char *model = NULL;
    return twin_scenario_find_twin(c->sc, "pump2", &model);
}

static twin_status call_get_property(sw_ctx *c)
{
    const twin_value *v = NULL;
    twin_status s = twin_scenario_get_property(c->sc, "pump1", "tag", &v);
    if (s == TWIN_OK) SW_CHECK(v && v->len == 3 && memcmp(v->as.s, "P-1", 3) == 0);
    return s;
}

static twin_status count_rel(void *ud, const twin_scenario_rel *r)
{
    (void)r;
    ((sw_ctx *)ud)->u[0]++;
    return TWIN_OK;
}

static twin_status call_relationships(sw_ctx *c)
{
    c->u[0] = 0;
    return twin_scenario_relationships(c->sc, "pump1", TWIN_DIRECTION_INCOMING, NULL, count_rel,
                                       c);
}

static twin_status call_twin_count(sw_ctx *c)
{
    SW_CHECK(twin_scenario_twin_count(c->sc) == 3);
    return TWIN_OK;
}

static twin_status call_set_property(sw_ctx *c)
{
    twin_value v = twin_value_double(9.25);
    return twin_scenario_set_property(c->sc, "pump2", "speed", &v);
}

static twin_status call_add_twin(sw_ctx *c)
{
    return twin_scenario_add_twin(c->sc, "new1", "dtmi:t:New;1");
}

static twin_status call_remove_twin(sw_ctx *c)
{
    return twin_scenario_remove_twin(c->sc, "pump2");
}

static void setup_removable(sw_ctx *c)
{
    setup_forked(c);
    ck_assert_int_eq(twin_scenario_remove_relationship(c->sc, "pump1", "r1"), TWIN_OK);
}

static twin_status call_add_rel(sw_ctx *c)
{
    return twin_scenario_add_relationship(c->sc, "pump2", "r5", "feeds", "motor1");
}

static twin_status call_remove_rel(sw_ctx *c)
{
    return twin_scenario_remove_relationship(c->sc, "motor1", "r2");
}

static twin_status call_fail_twin(sw_ctx *c)
{
    return twin_scenario_fail_twin(c->sc, "motor1", 86400.0);
}

static twin_status call_failure_rate(sw_ctx *c)
{
    return twin_scenario_set_failure_rate(c->sc, "pump2", 1e-6);
}

static twin_status call_set_health(sw_ctx *c)
{
    return twin_scenario_set_health(c->sc, "pump1", "flow", TWIN_SCENARIO_FAILURE_LEVEL, 35);
}

static twin_status call_run(sw_ctx *c)
{
    static const char *const depends[] = {"drives:in", NULL};
    twin_scenario_run_options o;
    twin_scenario_run_options_init(&o);
    o.runs = 20;
    o.horizon_s = 30 * 86400.0;
    o.depends = depends;
    return twin_scenario_run(c->sc, &o, &c->r);
}

static void setup_changed(sw_ctx *c)
{
    setup_forked(c);
    ck_assert_int_eq(call_failure_rate(c), TWIN_OK);
    ck_assert_int_eq(call_fail_twin(c), TWIN_OK);
}

/* Live writes with a scenario forked: the hook copies the twin first. When
 * that copy finds no memory the live write still succeeds (the live graph
 * does not wait for a fork) and the fork gives up: from then on its calls
 * fail. The scenario must never show the live change. */
static twin_status after_live(sw_ctx *c, twin_status st)
{
    sw_buf now = {0};
    const char *model;
    int same;
    (void)st;
    if (twin_scenario_find_twin(c->sc, "pump1", &model) != TWIN_OK) {
        SW_CHECK(twin_scenario_last_error(c->sc)->status != TWIN_OK);
        return TWIN_OK;  /* gave up, visibly */
    }
    sw_observe_scenario(c->sc, "sc", &now);
    same = now.n == c->aux_n && memcmp(now.p, c->aux, now.n) == 0;
    sw_buf_free(&now);
    SW_CHECK(same);
    return TWIN_OK;
}

static void setup_forked_live(sw_ctx *c)
{
    sw_buf b = {0};
    setup_forked(c);
    sw_observe_scenario(c->sc, "sc", &b);
    c->aux = b.p;
    c->aux_n = b.n;
    c->after = after_live;
}

static void setup_big_changed(sw_ctx *c)
{
    twin_health_options o;
    sw_graph_big(c);
    sw_signal(c);
    motor_health(&o);
    ck_assert_int_eq(twin_ingest_attach_health(c->ing, c->sig, &o, 0), TWIN_OK);
    ck_assert_int_eq(call_fork(c), TWIN_OK);
    for (int i = 0; i < 70; i += 7) {
        char id[16];
        snprintf(id, sizeof id, "n%d", i);
        ck_assert_int_eq(twin_scenario_set_failure_rate(c->sc, id, 1e-6 * (i + 1)), TWIN_OK);
    }
    ck_assert_int_eq(twin_scenario_fail_twin(c->sc, "n3", 86400.0), TWIN_OK);
}

static twin_status call_run_big(sw_ctx *c)
{
    static const char *const depends[] = {"feeds:in", "drives", NULL};
    twin_scenario_run_options o;
    twin_scenario_run_options_init(&o);
    o.runs = 10;
    o.horizon_s = 10 * 86400.0;
    o.depends = depends;
    return twin_scenario_run(c->sc, &o, &c->r);
}

static twin_status call_live_set_property(sw_ctx *c)
{
    twin_value v = twin_value_double(4.5);
    return twin_graph_set_property(c->g, "pump1", "speed", &v);
}

static twin_status call_live_remove_twin(sw_ctx *c)
{
    return twin_graph_remove_twin(c->g, "motor1", TWIN_REMOVE_RELATIONSHIPS);
}

static twin_status call_live_add_rel(sw_ctx *c)
{
    return twin_graph_add_relationship(c->g, "pump2", "r8", "feeds", "pump1", NULL, 0);
}

const sw_case sw_cases_scenario[] = {
    {"scenario_fork", "twin_scenario_fork", setup_live, call_fork, 0, 0},
    {"scenario_fork_scenario", "twin_scenario_fork_scenario", setup_forked, call_fork_scenario,
     0, 0},
    {"scenario_find_twin", "twin_scenario_find_twin", setup_forked, call_find, 0, 0},
    {"scenario_get_property", "twin_scenario_get_property", setup_forked, call_get_property, 0,
     0},
    {"scenario_relationships", "twin_scenario_relationships", setup_forked, call_relationships,
     0, 0},
    {"scenario_twin_count", "twin_scenario_twin_count", setup_forked, call_twin_count, 0, 0},
    {"scenario_set_property", "twin_scenario_set_property", setup_forked, call_set_property, 0,
     0},
    {"scenario_add_twin", "twin_scenario_add_twin", setup_forked, call_add_twin, 0, 0},
    {"scenario_remove_twin", "twin_scenario_remove_twin", setup_removable, call_remove_twin, 0,
     0},
    {"scenario_add_relationship", "twin_scenario_add_relationship", setup_forked, call_add_rel,
     0, 0},
    {"scenario_remove_relationship", "twin_scenario_remove_relationship", setup_forked,
     call_remove_rel, 0, 0},
    {"scenario_fail_twin", "twin_scenario_fail_twin", setup_forked, call_fail_twin, 0, 0},
    {"scenario_set_failure_rate", "twin_scenario_set_failure_rate", setup_forked,
     call_failure_rate, 0, 0},
    {"scenario_set_health", "twin_scenario_set_health", setup_forked, call_set_health, 0, 0},
    {"scenario_run", "twin_scenario_run twin_scenario_run_options_init_", setup_changed,
     call_run, 0, 0},
    {"scenario_run_big", "twin_scenario_run", setup_big_changed, call_run_big, 0, 0},
    {"graph_set_property_forked", "twin_graph_set_property", setup_forked_live,
     call_live_set_property, 0, 0},
    {"graph_remove_twin_forked", "twin_graph_remove_twin", setup_forked_live,
     call_live_remove_twin,
     0, 0},
    {"graph_add_relationship_forked", "twin_graph_add_relationship", setup_forked_live,
     call_live_add_rel, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

/* ---- functions that do not allocate ---- */

static void setup_two_results(sw_ctx *c)
{
    setup_changed(c);
    ck_assert_int_eq(call_run(c), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_failure_rate(c->sc, "pump2", 1e-5), TWIN_OK);
    {
        twin_scenario_result *keep = c->r;
        c->r = NULL;
        ck_assert_int_eq(call_run(c), TWIN_OK);
        c->r2 = keep;
    }
}

static twin_status na_results(sw_ctx *c)
{
    twin_scenario_outcome out;
    twin_scenario_diff d;
    const double *times = NULL;
    size_t n = 0;
    twin_scenario_run_options o;
    SW_CHECK(twin_scenario_run_options_init(&o) == TWIN_OK);
    SW_CHECK(twin_scenario_result_count(c->r) == 3);
    memset(&out, 0, sizeof out);
    out.size = sizeof out;
    SW_CHECK(twin_scenario_result_get(c->r, 0, NULL, &out) == TWIN_OK);
    SW_CHECK(twin_scenario_result_get(c->r, 0, "pump2", &out) == TWIN_OK);
    SW_CHECK(twin_scenario_result_times(c->r, "pump2", &times, &n) == TWIN_OK);
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    SW_CHECK(twin_scenario_compare(c->r2, c->r, "pump2", &d) == TWIN_OK);
    SW_CHECK(twin_scenario_last_error(c->sc) != NULL);
    twin_scenario_result_destroy(c->r);
    c->r = NULL;
    twin_scenario_destroy(c->sc);
    c->sc = NULL;
    return TWIN_OK;
}

const sw_noalloc sw_noalloc_scenario[] = {
    {"twin_scenario_run_options_init_ twin_scenario_result_count twin_scenario_result_get "
     "twin_scenario_result_times twin_scenario_compare twin_scenario_last_error "
     "twin_scenario_result_destroy twin_scenario_destroy",
     "readers of finished results; destroy only frees", setup_two_results, na_results},
    {NULL, NULL, NULL, NULL},
};
