/* What-if scenarios (issue 17): the fork keeps the live graph as it was,
 * nothing done in a scenario reaches the live graph, Monte Carlo results
 * agree with closed forms, runs are reproducible, bad input is refused. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_fixture.h"
#include "support/graphsnap.h"
#include "support/memstore.h"
#include "support/run.h"
#include "twin/twin.h"

static twin_graph *g;
static twin_ingest *ing;

static void setup(void)
{
    g = graph_new(NULL);
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
}

static void teardown(void)
{
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
}

static double speed_of(twin_scenario *sc, const char *id)
{
    const twin_value *v;
    ck_assert_int_eq(twin_scenario_get_property(sc, id, "speed", &v), TWIN_OK);
    ck_assert_int_eq(v->type, TWIN_VALUE_DOUBLE);
    return v->as.d;
}

static twin_status count_rel(void *ud, const twin_scenario_rel *r)
{
    (void)r;
    ++*(int *)ud;
    return TWIN_OK;
}

static int nrels(twin_scenario *sc, const char *id, twin_direction dir)
{
    int n = 0;
    ck_assert_int_eq(twin_scenario_relationships(sc, id, dir, NULL, count_rel, &n), TWIN_OK);
    return n;
}

START_TEST(live_changes_after_fork_do_not_show)
{
    twin_scenario *sc;
    twin_value v = twin_value_double(9);
    sc_add(g, "A", 1);
    sc_add(g, "B", 2);
    sc_add(g, "C", 3);
    sc_rel(g, "A", "r1", "feeds", "B");
    sc_rel(g, "C", "r2", "feeds", "B");
    ck_assert_int_eq(twin_scenario_fork(&sc, g, ing, 0), TWIN_OK);
    /* the live graph moves on */
    ck_assert_int_eq(twin_graph_set_property(g, "A", "speed", &v), TWIN_OK);
    ck_assert_int_eq(twin_graph_remove_twin(g, "C", TWIN_REMOVE_RELATIONSHIPS), TWIN_OK);
    sc_add(g, "D", 4);
    sc_rel(g, "D", "r3", "feeds", "B");
    ck_assert_int_eq(twin_graph_remove_relationship(g, "A", "r1"), TWIN_OK);
    /* the scenario does not */
    ck_assert_double_eq(speed_of(sc, "A"), 1);
    ck_assert_double_eq(speed_of(sc, "C"), 3);
    ck_assert_int_eq(twin_scenario_find_twin(sc, "D", NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(nrels(sc, "B", TWIN_DIRECTION_INCOMING), 2);
    ck_assert_int_eq(nrels(sc, "A", TWIN_DIRECTION_OUTGOING), 1);
    ck_assert_int_eq(nrels(sc, "C", TWIN_DIRECTION_OUTGOING), 1);
    ck_assert_uint_eq(twin_scenario_twin_count(sc), 3);
    ck_assert_uint_eq(twin_graph_twin_count(g), 3);  /* A B D */
    twin_scenario_destroy(sc);
}
END_TEST

START_TEST(scenario_changes_stay_in_the_scenario)
{
    twin_scenario *sc, *child;
    snap before, after;
    char why[256];
    twin_value v = twin_value_double(1.2);
    const char *model;
    sc_add(g, "A", 1);
    sc_add(g, "B", 2);
    sc_rel(g, "A", "r1", "feeds", "B");
    sc_vibration(ing, "A", 10, 0.01);
    snap_take(&before, g);
    ck_assert_int_eq(twin_scenario_fork(&sc, g, ing, 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_property(sc, "A", "speed", &v), TWIN_OK);
    ck_assert_int_eq(twin_scenario_add_twin(sc, "P2", "dtmi:t:Pump;1"), TWIN_OK);
    ck_assert_int_eq(twin_scenario_add_relationship(sc, "P2", "r9", "feeds", "B"), TWIN_OK);
    ck_assert_int_eq(twin_scenario_remove_relationship(sc, "A", "r1"), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fail_twin(sc, "B", 30 * SC_DAY), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_health(sc, "A", "vibration", TWIN_SCENARIO_RATE_FACTOR, 2),
                     TWIN_OK);
    ck_assert_double_eq(speed_of(sc, "A"), 1.2);
    ck_assert_int_eq(twin_scenario_find_twin(sc, "P2", &model), TWIN_OK);
    ck_assert_str_eq(model, "dtmi:t:Pump;1");
    ck_assert_int_eq(nrels(sc, "B", TWIN_DIRECTION_INCOMING), 1);
    /* a child sees its parent; the parent is frozen while it has one */
    ck_assert_int_eq(twin_scenario_fork_scenario(&child, sc), TWIN_OK);
    ck_assert_int_eq(twin_scenario_remove_twin(sc, "A"), TWIN_E_STATE);
    ck_assert_int_eq(twin_scenario_remove_twin(child, "A"), TWIN_OK);
    ck_assert_int_eq(twin_scenario_find_twin(child, "A", NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_scenario_find_twin(sc, "A", NULL), TWIN_OK);
    ck_assert_int_eq(twin_scenario_find_twin(child, "P2", NULL), TWIN_OK);
    {
        twin_scenario_result *r;
        ck_assert_int_eq(twin_scenario_run(child, NULL, &r), TWIN_OK);
        ck_assert_uint_eq(twin_scenario_result_count(r), 2);
        twin_scenario_result_destroy(r);
    }
    twin_scenario_destroy(child);
    twin_scenario_destroy(sc);
    snap_take(&after, g);
    ck_assert_msg(snap_equal(&before, &after, why, sizeof why), "live graph changed: %s", why);
    snap_free(&before);
    snap_free(&after);
}
END_TEST

/* The live graph's store hears nothing of a scenario: no record from its
 * changes, its runs or its destruction. */
START_TEST(nothing_reaches_the_store)
{
    twin_graph *lg = graph_new(NULL);
    twin_store *st;
    twin_store_options so;
    twin_store_callbacks cb;
    twin_ingest *li;
    twin_ingest_options io;
    twin_scenario *sc, *child;
    twin_scenario_result *r;
    memstore m;
    uint64_t calls;
    size_t n;
    twin_value v = twin_value_double(7);
    memstore_init(&m, 0);
    memstore_callbacks(&m, &cb);
    twin_store_options_init(&so);
    so.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&st, lg, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.store = st;
    ck_assert_int_eq(twin_ingest_create(&li, lg, &io), TWIN_OK);
    sc_add(lg, "A", 1);
    sc_add(lg, "B", 2);
    sc_rel(lg, "A", "r", "partOf", "B");
    sc_vibration(li, "A", 20, 0.01);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_int_eq(twin_store_checkpoint(st), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    calls = m.calls;
    n = m.n;
    ck_assert_int_eq(twin_scenario_fork(&sc, lg, li, 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_property(sc, "A", "speed", &v), TWIN_OK);
    ck_assert_int_eq(twin_scenario_remove_twin(sc, "B"), TWIN_OK);
    ck_assert_int_eq(twin_scenario_add_twin(sc, "C", "dtmi:t:M;1"), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_health(sc, "A", "vibration", TWIN_SCENARIO_FAILURE_LEVEL, 2),
                     TWIN_OK);
    ck_assert_int_eq(twin_scenario_fork_scenario(&child, sc), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fail_twin(child, "A", SC_DAY), TWIN_OK);
    ck_assert_int_eq(twin_scenario_run(child, NULL, &r), TWIN_OK);
    twin_scenario_result_destroy(r);
    twin_scenario_destroy(child);
    twin_scenario_destroy(sc);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_int_eq(twin_store_checkpoint(st), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_uint_eq(m.calls, calls);
    ck_assert_uint_eq(m.n, n);
    twin_ingest_destroy(li);
    twin_store_destroy(st);
    twin_graph_destroy(lg);
    memstore_fini(&m);
}
END_TEST

static double phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static void near_p(double emp, double p, unsigned n, const char *what)
{
    double tol = 4.5 * sqrt(p * (1 - p) / n) + 1e-3;
    ck_assert_msg(fabs(emp - p) <= tol, "%s: Monte Carlo %.4f, closed form %.4f (tol %.4f)", what,
                  emp, p, tol);
}

static double cdf_at(const twin_scenario_result *r, const char *id, double t)
{
    const double *ft;
    size_t n, k = 0;
    ck_assert_int_eq(twin_scenario_result_times(r, id, &ft, &n), TWIN_OK);
    for (size_t i = 0; i < n; i++) k += ft[i] <= t;
    return (double)k / (double)n;
}

START_TEST(exponential_model_matches_its_closed_form)
{
    twin_scenario *sc;
    twin_scenario_result *r;
    twin_scenario_run_options o;
    twin_health h;
    twin_health_options ho;
    twin_signal sig;
    double mean[2], cov[4], tnow, ml, vl, cl, c = log(1.2);
    sc_add(g, "M", 1);
    sc_vibration(ing, "M", 30, 0.01);
    ck_assert_int_eq(twin_ingest_resolve(ing, "M", "vibration", NULL, &sig), TWIN_OK);
    twin_health_options_init(&ho);
    ck_assert_int_eq(twin_ingest_get_health(ing, sig, &h, &ho), TWIN_OK);
    ck_assert_int_eq(twin_health_get_posterior(&h, mean, cov, NULL), TWIN_OK);
    tnow = 30 * SC_DAY;
    ml = mean[0] + mean[1] * tnow;
    vl = cov[0] + 2 * tnow * cov[1] + tnow * tnow * cov[3];
    cl = cov[1] + tnow * cov[3];
    ck_assert_int_eq(twin_scenario_fork(&sc, g, ing, 0), TWIN_OK);
    twin_scenario_run_options_init(&o);
    o.runs = 20000;
    o.seed = 7;
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_OK);
    for (int d = 60; d <= 360; d += 60) {
        double t = d * SC_DAY;
        double p = phi((ml + mean[1] * t - c) / sqrt(vl + 2 * t * cl + t * t * cov[3]));
        char what[64];
        snprintf(what, sizeof what, "P(T <= %d d)", d);
        near_p(cdf_at(r, "M", t), p, o.runs, what);
    }
    twin_scenario_result_destroy(r);
    twin_scenario_destroy(sc);
}
END_TEST

START_TEST(series_and_k_of_n_match_their_closed_forms)
{
    twin_scenario *sc;
    twin_scenario_result *r;
    twin_scenario_run_options o;
    twin_scenario_outcome out;
    const char *dep[] = {"partOf:in", NULL};
    twin_value k2 = twin_value_int(2);
    double lam = 1.0 / (200 * SC_DAY);
    sc_add(g, "S", 0);   /* 2-of-3 pumps */
    sc_add(g, "L", 0);   /* series: S and a valve */
    sc_add(g, "V", 0);
    ck_assert_int_eq(twin_graph_set_property(g, "S", "required", &k2), TWIN_OK);
    for (int i = 0; i < 3; i++) {
        char id[8], rid[8];
        snprintf(id, sizeof id, "P%d", i);
        snprintf(rid, sizeof rid, "p%d", i);
        sc_add(g, id, 0);
        sc_rel(g, id, rid, "partOf", "S");
    }
    sc_rel(g, "S", "s", "partOf", "L");
    sc_rel(g, "V", "v", "partOf", "L");
    ck_assert_int_eq(twin_scenario_fork(&sc, g, NULL, SC_T0), TWIN_OK);
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "P%d", i);
        ck_assert_int_eq(twin_scenario_set_failure_rate(sc, id, lam), TWIN_OK);
    }
    ck_assert_int_eq(twin_scenario_set_failure_rate(sc, "V", lam), TWIN_OK);
    twin_scenario_run_options_init(&o);
    o.runs = 20000;
    o.depends = dep;
    o.k_property = "required";
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_OK);
    out.size = sizeof out;
    ck_assert_int_eq(twin_scenario_result_get(r, 0, "S", &out), TWIN_OK);
    ck_assert_uint_eq(out.inputs, 3);
    ck_assert_uint_eq(out.k, 2);
    for (int d = 50; d <= 350; d += 100) {
        double t = d * SC_DAY, p = 1 - exp(-lam * t);
        double ks = 3 * p * p * (1 - p) + p * p * p;   /* 2 of 3 down */
        double pk = 1 - (1 - ks) * exp(-lam * t);      /* S in series with V */
        near_p(cdf_at(r, "P1", t), p, o.runs, "one pump");
        near_p(cdf_at(r, "S", t), ks, o.runs, "2-of-3 station");
        near_p(cdf_at(r, "L", t), pk, o.runs, "series line");
    }
    ck_assert_int_eq(twin_scenario_result_get(r, 0, "L", &out), TWIN_OK);
    ck_assert_double_eq_tol(out.availability + out.downtime_s / o.horizon_s, 1.0, 1e-9);
    twin_scenario_result_destroy(r);
    twin_scenario_destroy(sc);
}
END_TEST

/* S is up while P0 is, or while both P1 and P2 are. */
static int32_t p0_or_both(void *ud, const char *twin_id, const char *const *inputs,
                          const uint8_t *up, size_t n)
{
    int p[3] = {0, 0, 0};
    (void)ud;
    if (strcmp(twin_id, "S") != 0) {   /* the others: series */
        for (size_t i = 0; i < n; i++)
            if (!up[i]) return 0;
        return 1;
    }
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < n; i++) p[inputs[i][1] - '0'] = up[i];
    return p[0] || (p[1] && p[2]);
}

START_TEST(structure_callback_decides)
{
    twin_scenario *sc;
    twin_scenario_result *r;
    twin_scenario_run_options o;
    const char *dep[] = {"partOf:in", NULL};
    double lam = 1.0 / (200 * SC_DAY);
    sc_add(g, "S", 0);
    for (int i = 0; i < 3; i++) {
        char id[8], rid[8];
        snprintf(id, sizeof id, "P%d", i);
        snprintf(rid, sizeof rid, "p%d", i);
        sc_add(g, id, 0);
        sc_rel(g, id, rid, "partOf", "S");
    }
    ck_assert_int_eq(twin_scenario_fork(&sc, g, NULL, SC_T0), TWIN_OK);
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "P%d", i);
        ck_assert_int_eq(twin_scenario_set_failure_rate(sc, id, lam), TWIN_OK);
    }
    twin_scenario_run_options_init(&o);
    o.runs = 20000;
    o.depends = dep;
    o.structure = p0_or_both;
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_OK);
    for (int d = 50; d <= 350; d += 100) {
        double t = d * SC_DAY, p = 1 - exp(-lam * t);
        near_p(cdf_at(r, "S", t), p * (1 - (1 - p) * (1 - p)), o.runs, "P0 or (P1 and P2)");
    }
    twin_scenario_result_destroy(r);
    twin_scenario_destroy(sc);
}
END_TEST

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double nearest_rank(const double *x, size_t n, double q)
{
    double k = ceil(q * (double)n);
    size_t i = k < 1 ? 0 : (size_t)k - 1;
    return x[i < n ? i : n - 1];
}

/* The summary's P(fail) and quantiles are those of the twin's times: twins
 * that never fail, always fail, fail in some runs (ties on the day grid),
 * for run counts around the quantiles' ranks and quantiles at the edges. */
START_TEST(summary_matches_the_sorted_times)
{
    static const uint32_t runs[] = {1, 2, 3, 7, 20, 101, 4000};
    static const double qs[][2] = {{0.05, 0.95}, {0.5, 0.5}, {0.001, 0.999}, {0.3, 0.7}};
    static const char *const ids[] = {"N", "A", "H", "R", "F"};
    twin_scenario *sc;
    sc_add(g, "N", 0);   /* never fails */
    sc_add(g, "A", 0);   /* fails at once */
    sc_add(g, "H", 0);   /* fails in about half the runs */
    sc_add(g, "R", 0);   /* fails in most runs */
    sc_add(g, "F", 0);   /* fails at a fixed time */
    ck_assert_int_eq(twin_scenario_fork(&sc, g, NULL, SC_T0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fail_twin(sc, "A", 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_failure_rate(sc, "H", log(2) / (365 * SC_DAY)), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_failure_rate(sc, "R", 1 / (30 * SC_DAY)), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fail_twin(sc, "F", 100.5 * SC_DAY), TWIN_OK);
    for (size_t a = 0; a < sizeof runs / sizeof *runs; a++) {
        for (size_t b = 0; b < sizeof qs / sizeof *qs; b++) {
            twin_scenario_result *r;
            twin_scenario_run_options o;
            twin_scenario_run_options_init(&o);
            o.runs = runs[a];
            o.q_lower = qs[b][0];
            o.q_upper = qs[b][1];
            ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_OK);
            for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
                twin_scenario_outcome out;
                const double *t;
                double *x;
                size_t n, fails = 0;
                out.size = sizeof out;
                ck_assert_int_eq(twin_scenario_result_get(r, 0, ids[i], &out), TWIN_OK);
                ck_assert_int_eq(twin_scenario_result_times(r, ids[i], &t, &n), TWIN_OK);
                ck_assert_uint_eq(n, runs[a]);
                x = malloc(n * sizeof *x);
                ck_assert_ptr_nonnull(x);
                memcpy(x, t, n * sizeof *x);
                qsort(x, n, sizeof *x, cmp_dbl);
                for (size_t k = 0; k < n; k++) fails += x[k] < INFINITY;
                ck_assert_double_eq(out.p_fail, (double)fails / (double)n);
                ck_assert_msg(out.ttf_median == nearest_rank(x, n, 0.5) &&
                                  out.ttf_lower == nearest_rank(x, n, o.q_lower) &&
                                  out.ttf_upper == nearest_rank(x, n, o.q_upper),
                              "%s, %zu runs, q %g %g: %g %g %g, sorted times give %g %g %g",
                              ids[i], n, o.q_lower, o.q_upper, out.ttf_lower, out.ttf_median,
                              out.ttf_upper, nearest_rank(x, n, o.q_lower),
                              nearest_rank(x, n, 0.5), nearest_rank(x, n, o.q_upper));
                free(x);
            }
            twin_scenario_result_destroy(r);
        }
    }
    twin_scenario_destroy(sc);
}
END_TEST

static uint64_t fnv(const void *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3ull;
    return h;
}

START_TEST(runs_are_reproducible_and_comparisons_use_common_numbers)
{
    twin_scenario *a, *b;
    twin_scenario_result *ra, *ra2, *rb;
    twin_scenario_run_options o;
    twin_scenario_diff d;
    const double *t1, *t2;
    size_t n1, n2;
    sc_add(g, "M", 1);
    sc_add(g, "N", 1);
    sc_vibration(ing, "M", 30, 0.01);
    sc_vibration(ing, "N", 30, 0.012);
    ck_assert_int_eq(twin_scenario_fork(&a, g, ing, 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fork(&b, g, ing, 0), TWIN_OK);
    twin_scenario_run_options_init(&o);
    o.runs = 500;
    o.seed = 42;
    ck_assert_int_eq(twin_scenario_run(a, &o, &ra), TWIN_OK);
    ck_assert_int_eq(twin_scenario_run(a, &o, &ra2), TWIN_OK);
    ck_assert_int_eq(twin_scenario_result_times(ra, "M", &t1, &n1), TWIN_OK);
    ck_assert_int_eq(twin_scenario_result_times(ra2, "M", &t2, &n2), TWIN_OK);
    ck_assert_int_eq(memcmp(t1, t2, n1 * sizeof *t1), 0);
    /* the bits of this run are pinned: the same on every platform */
    ck_assert_uint_eq(fnv(t1, n1 * sizeof *t1), UINT64_C(0xc5c3daf2b31f183e));
    /* a change to N leaves M's numbers alone; the comparison of M is exact */
    ck_assert_int_eq(twin_scenario_set_health(b, "N", "vibration", TWIN_SCENARIO_RATE_FACTOR, 1.5),
                     TWIN_OK);
    ck_assert_int_eq(twin_scenario_run(b, &o, &rb), TWIN_OK);
    d.size = sizeof d;
    ck_assert_int_eq(twin_scenario_compare(ra, rb, "M", &d), TWIN_OK);
    ck_assert_double_eq(d.p_fail, 0);
    ck_assert_double_eq(d.p_fail_lo, 0);
    ck_assert_double_eq(d.downtime_s, 0);
    ck_assert_int_eq(twin_scenario_compare(ra, rb, "N", &d), TWIN_OK);
    ck_assert_msg(d.downtime_lo > 0, "faster degradation, more downtime: [%g, %g]", d.downtime_lo,
                  d.downtime_hi);
    ck_assert_msg(d.ttf_median_b < d.ttf_median_a, "faster degradation, earlier failure");
    o.seed = 43;
    twin_scenario_result_destroy(rb);
    ck_assert_int_eq(twin_scenario_run(b, &o, &rb), TWIN_OK);
    ck_assert_int_eq(twin_scenario_compare(ra, rb, "M", &d), TWIN_E_INVAL);
    twin_scenario_result_destroy(ra);
    twin_scenario_result_destroy(ra2);
    twin_scenario_result_destroy(rb);
    twin_scenario_destroy(b);
    twin_scenario_destroy(a);
}
END_TEST

/* Process noise walks the level and the rate from the start on: a little
 * changes little, more widens the spread of the failure times. */
START_TEST(process_noise_widens_the_spread)
{
    twin_scenario *sc;
    twin_scenario_result *r[3];
    twin_scenario_run_options o;
    twin_scenario_outcome out[3];
    twin_signal sig;
    twin_health_options ho;
    static const double q0[3] = {0, 1e-30, 1e-7};
    sc_add(g, "M", 1);
    sc_vibration(ing, "M", 30, 0.01);
    ck_assert_int_eq(twin_ingest_resolve(ing, "M", "vibration", NULL, &sig), TWIN_OK);
    twin_scenario_run_options_init(&o);
    o.runs = 4000;
    o.horizon_s = 3 * 365 * SC_DAY;
    for (int k = 0; k < 3; k++) {
        sc_motor_options(&ho);
        ho.process_noise[0] = q0[k];
        ck_assert_int_eq(twin_ingest_detach_health(ing, sig), TWIN_OK);
        ck_assert_int_eq(twin_ingest_attach_health(ing, sig, &ho, SC_T0), TWIN_OK);
        for (int d = 1; d <= 30; d++) {
            twin_signal_sample smp;
            smp.signal = sig;
            smp.t_us = SC_T0 + (30 + d) * SC_DAY_US;  /* after the first 30 days */
            smp.value = 0.12 * exp(0.01 * (30 + d));
            ck_assert_int_eq(twin_ingest_write_signals(ing, &smp, 1, NULL, NULL), TWIN_OK);
        }
        ck_assert_int_eq(twin_scenario_fork(&sc, g, ing, SC_T0 + 60 * SC_DAY_US), TWIN_OK);
        ck_assert_int_eq(twin_scenario_run(sc, &o, &r[k]), TWIN_OK);
        out[k].size = sizeof out[k];
        ck_assert_int_eq(twin_scenario_result_get(r[k], 0, "M", &out[k]), TWIN_OK);
        twin_scenario_destroy(sc);
    }
    ck_assert_msg(isfinite(out[0].ttf_median) && out[0].ttf_median > 0, "median %g",
                  out[0].ttf_median);
    ck_assert_msg(fabs(out[1].ttf_median - out[0].ttf_median) <= 2 * SC_DAY,
                  "a negligible noise moved the median from %g to %g days",
                  out[0].ttf_median / SC_DAY, out[1].ttf_median / SC_DAY);
    ck_assert_msg(out[2].ttf_upper - out[2].ttf_lower > 1.5 * (out[0].ttf_upper - out[0].ttf_lower),
                  "noise did not widen the 90%% interval: %g vs %g days",
                  (out[2].ttf_upper - out[2].ttf_lower) / SC_DAY,
                  (out[0].ttf_upper - out[0].ttf_lower) / SC_DAY);
    for (int k = 0; k < 3; k++) twin_scenario_result_destroy(r[k]);
}
END_TEST

START_TEST(stress_law_scales_the_rate)
{
    twin_scenario *base, *fast;
    twin_scenario_result *ra, *rb;
    twin_scenario_run_options o;
    twin_scenario_stress st;
    twin_scenario_outcome oa, ob;
    twin_value v = twin_value_double(2.4);
    sc_add(g, "CV", 2);             /* the conveyor has the speed */
    ck_assert_int_eq(twin_graph_add_twin(g, "CV-M", "dtmi:t:Motor;1", NULL, 0), TWIN_OK);
    sc_rel(g, "CV-M", "p", "partOf", "CV");
    sc_vibration(ing, "CV-M", 30, 0.01);
    ck_assert_int_eq(twin_scenario_fork(&base, g, ing, 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fork(&fast, g, ing, 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_set_property(fast, "CV", "speed", &v), TWIN_OK);
    memset(&st, 0, sizeof st);
    st.signal = "vibration";
    st.property = "speed";
    st.via = "partOf";
    st.law = TWIN_STRESS_POWER;
    st.exponent = 3;
    st.rated = 2;
    twin_scenario_run_options_init(&o);
    o.runs = 2000;
    o.stress = &st;
    o.nstress = 1;
    o.step_s = 3600;
    o.horizon_s = 3000 * SC_DAY;
    ck_assert_int_eq(twin_scenario_run(base, &o, &ra), TWIN_OK);
    ck_assert_int_eq(twin_scenario_run(fast, &o, &rb), TWIN_OK);
    oa.size = ob.size = sizeof oa;
    ck_assert_int_eq(twin_scenario_result_get(ra, 0, "CV-M", &oa), TWIN_OK);
    ck_assert_int_eq(twin_scenario_result_get(rb, 0, "CV-M", &ob), TWIN_OK);
    /* 20% faster, k = 3: the remaining life shrinks by 1.2^3 */
    ck_assert_msg(fabs(oa.ttf_median / ob.ttf_median - 1.728) < 0.01, "ratio %g",
                  oa.ttf_median / ob.ttf_median);
    twin_scenario_result_destroy(ra);
    twin_scenario_result_destroy(rb);
    twin_scenario_destroy(fast);
    twin_scenario_destroy(base);
}
END_TEST

static twin_status err_of(twin_scenario *sc)
{
    const twin_error *e = twin_scenario_last_error(sc);
    ck_assert_ptr_nonnull(e->message);
    ck_assert_msg(e->message[0], "no message");
    return e->status;
}

START_TEST(bad_input_gets_a_status_and_a_message)
{
    twin_scenario *sc;
    twin_scenario_result *r = NULL;
    twin_scenario_run_options o;
    twin_scenario_stress st;
    const char *dep[] = {"partOf:in", NULL};
    twin_value k5 = twin_value_int(5), nan = twin_value_double(NAN);
    snap before, after;
    char why[256];
    sc_add(g, "A", 1);
    sc_add(g, "B", 1);
    sc_rel(g, "A", "r", "partOf", "B");
    ck_assert_int_eq(twin_graph_set_property(g, "B", "k", &k5), TWIN_OK);
    snap_take(&before, g);
    ck_assert_int_eq(twin_scenario_fork(NULL, g, ing, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_scenario_fork(&sc, g, ing, 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fail_twin(sc, "nope", 1), TWIN_E_NOTFOUND);
    ck_assert_int_eq(err_of(sc), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_scenario_fail_twin(sc, "A", -1), TWIN_E_INVAL);
    ck_assert_int_eq(twin_scenario_set_property(sc, "A", "speed", &nan), TWIN_E_INVAL);
    ck_assert_int_eq(twin_scenario_set_health(sc, "A", "vibration", TWIN_SCENARIO_RATE, 1),
                     TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_scenario_set_health(sc, "A", "vibration", 99, 1), TWIN_E_INVAL);
    ck_assert_int_eq(twin_scenario_add_twin(sc, "A", "dtmi:t:M;1"), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_scenario_add_relationship(sc, "A", "r", "x", "B"), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_scenario_add_relationship(sc, "A", "r2", "x", "nope"), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_scenario_remove_relationship(sc, "A", "nope"), TWIN_E_NOTFOUND);
    twin_scenario_run_options_init(&o);
    o.runs = 10;
    o.horizon_s = -1;
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_E_INVAL);
    ck_assert_int_eq(err_of(sc), TWIN_E_INVAL);
    o.horizon_s = 10 * SC_DAY;
    o.step_s = 0;
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_E_INVAL);
    o.step_s = SC_DAY;
    memset(&st, 0, sizeof st);
    st.signal = "vibration";
    st.property = "speed";
    st.law = TWIN_STRESS_POWER;
    st.exponent = 3;
    st.rated = 0;
    o.stress = &st;
    o.nstress = 1;
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_E_INVAL);
    o.nstress = 0;
    o.depends = dep;
    o.k_property = "k";   /* k = 5 > n = 1 */
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_E_RANGE);
    ck_assert_int_eq(err_of(sc), TWIN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(twin_scenario_last_error(sc)->message, "k = 5 is not in 1..1"));
    o.k_property = NULL;
    ck_assert_int_eq(twin_scenario_add_relationship(sc, "B", "back", "partOf", "A"), TWIN_OK);
    ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_E_CONSTRAINT);
    ck_assert_ptr_null(r);
    snap_take(&after, g);
    ck_assert_msg(snap_equal(&before, &after, why, sizeof why), "live graph changed: %s", why);
    snap_free(&before);
    snap_free(&after);
    /* the live graph goes away under it */
    twin_ingest_destroy(ing);
    ing = NULL;
    twin_graph_destroy(g);
    g = NULL;
    ck_assert_int_eq(twin_scenario_find_twin(sc, "A", NULL), TWIN_E_STATE);
    ck_assert_int_eq(err_of(sc), TWIN_E_STATE);
    ck_assert_int_eq(twin_scenario_run(sc, NULL, &r), TWIN_E_STATE);
    twin_scenario_destroy(sc);
}
END_TEST

typedef struct membuf {
    unsigned char *p;
    size_t n, cap, pos;
} membuf;

static twin_status mem_write(void *ud, const void *buf, size_t n)
{
    membuf *m = ud;
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2;
        m->p = realloc(m->p, m->cap);
        ck_assert_ptr_nonnull(m->p);
    }
    memcpy(m->p + m->n, buf, n);
    m->n += n;
    return TWIN_OK;
}

static twin_status mem_read(void *ud, void *buf, size_t cap, size_t *got)
{
    membuf *m = ud;
    size_t k = m->n - m->pos < cap ? m->n - m->pos : cap;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    *got = k;
    return TWIN_OK;
}

/* A restore replaces the graph's contents under the scenario: it refuses
 * every call from then on, and can still be destroyed. */
START_TEST(a_restore_under_the_scenario_is_refused)
{
    twin_scenario *sc, *child;
    membuf m;
    memset(&m, 0, sizeof m);
    sc_add(g, "A", 1);
    ck_assert_int_eq(twin_snapshot_save(g, ing, mem_write, &m), TWIN_OK);
    sc_add(g, "B", 2);
    ck_assert_int_eq(twin_scenario_fork(&sc, g, ing, 0), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fork_scenario(&child, sc), TWIN_OK);
    ck_assert_int_eq(twin_snapshot_restore(g, ing, mem_read, &m), TWIN_OK);
    ck_assert_uint_eq(twin_graph_twin_count(g), 1);
    ck_assert_int_eq(twin_scenario_find_twin(child, "B", NULL), TWIN_E_STATE);
    ck_assert_int_eq(err_of(child), TWIN_E_STATE);
    ck_assert_ptr_nonnull(strstr(twin_scenario_last_error(child)->message, "replaced"));
    ck_assert_int_eq(twin_scenario_find_twin(sc, "A", NULL), TWIN_E_STATE);
    ck_assert_int_eq(twin_scenario_set_failure_rate(sc, "A", 1), TWIN_E_STATE);
    twin_scenario_destroy(child);
    twin_scenario_destroy(sc);
    /* the graph works on, without the scenario's hook */
    sc_add(g, "C", 3);
    free(m.p);
}
END_TEST

static Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("scenario");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, live_changes_after_fork_do_not_show);
    tcase_add_test(tc, scenario_changes_stay_in_the_scenario);
    tcase_add_test(tc, nothing_reaches_the_store);
    tcase_add_test(tc, exponential_model_matches_its_closed_form);
    tcase_add_test(tc, series_and_k_of_n_match_their_closed_forms);
    tcase_add_test(tc, structure_callback_decides);
    tcase_add_test(tc, runs_are_reproducible_and_comparisons_use_common_numbers);
    tcase_add_test(tc, summary_matches_the_sorted_times);
    tcase_add_test(tc, process_noise_widens_the_spread);
    tcase_add_test(tc, stress_law_scales_the_rate);
    tcase_add_test(tc, bad_input_gets_a_status_and_a_message);
    tcase_add_test(tc, a_restore_under_the_scenario_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(scenario_suite());
}
