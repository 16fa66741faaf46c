/* Concurrency of scenarios (issue 17): three threads read and run three
 * scenarios of one live graph (two roots and a child of the first) while
 * the main thread keeps changing the live graph (properties, twins and
 * relationships removed and added, the compact adjacency rebuilt). Every
 * read must give the value the twin had at the fork. Meant to run under
 * ThreadSanitizer as well (tests/run). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"
#include "twin/twin.h"

#define NTWINS 2000
#define ROUNDS 3000

static twin_graph *G;
static twin_scenario *SC[3];
static atomic_int done;  /* readers finished */

static void id_of(char *buf, size_t cap, unsigned i)
{
    snprintf(buf, cap, "t%04u", i);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static twin_status count(void *ud, const twin_scenario_rel *r)
{
    (void)r;
    ++*(int *)ud;
    return TWIN_OK;
}

static void *reader(void *arg)
{
    twin_scenario *sc = SC[(uintptr_t)arg];
    uint32_t seed = 17u + (uint32_t)(uintptr_t)arg;
    const char *dep[] = {"feeds", NULL};
    twin_scenario_run_options o;
    twin_scenario_run_options_init(&o);
    o.runs = 4;
    o.depends = dep;
    for (int k = 0; k < ROUNDS; k++) {
        char id[16];
        unsigned i = lcg(&seed) % NTWINS;
        const twin_value *v;
        int n = 0;
        id_of(id, sizeof id, i);
        ck_assert_int_eq(twin_scenario_find_twin(sc, id, NULL), TWIN_OK);
        ck_assert_int_eq(twin_scenario_get_property(sc, id, "speed", &v), TWIN_OK);
        ck_assert_int_eq(v->as.i, (int64_t)i);
        ck_assert_int_eq(twin_scenario_relationships(sc, id, TWIN_DIRECTION_OUTGOING, NULL,
                                                     count, &n),
                         TWIN_OK);
        ck_assert_int_eq(n, i + 1 < NTWINS ? 1 : 0);
        if (k % 500 == 0) {
            twin_scenario_result *r;
            twin_scenario_outcome out;
            ck_assert_int_eq(twin_scenario_run(sc, &o, &r), TWIN_OK);
            ck_assert_uint_eq(twin_scenario_result_count(r), NTWINS);
            out.size = sizeof out;
            ck_assert_int_eq(twin_scenario_result_get(r, 0, "t0100", &out), TWIN_OK);
            ck_assert_uint_eq(out.inputs, 1);   /* t0100 feeds t0101 */
            twin_scenario_result_destroy(r);
        }
    }
    atomic_fetch_add(&done, 1);
    return NULL;
}

START_TEST(scenarios_read_while_the_live_graph_changes)
{
    pthread_t th[3];
    uint32_t seed = 5;
    twin_graph_create(&G, NULL);
    for (unsigned i = 0; i < NTWINS; i++) {
        char id[16];
        twin_member m;
        m.name = "speed";
        m.value = twin_value_int(i);
        id_of(id, sizeof id, i);
        ck_assert_int_eq(twin_graph_add_twin(G, id, "dtmi:t:M;1", &m, 1), TWIN_OK);
    }
    for (unsigned i = 0; i + 1 < NTWINS; i++) {
        char a[16], b[16];
        id_of(a, sizeof a, i);
        id_of(b, sizeof b, i + 1);
        ck_assert_int_eq(twin_graph_add_relationship(G, a, "f", "feeds", b, NULL, 0), TWIN_OK);
    }
    ck_assert_int_eq(twin_scenario_fork(&SC[0], G, NULL, 1), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fork(&SC[1], G, NULL, 1), TWIN_OK);
    ck_assert_int_eq(twin_scenario_fork_scenario(&SC[2], SC[0]), TWIN_OK);
    for (uintptr_t t = 0; t < 3; t++) pthread_create(&th[t], NULL, reader, (void *)t);
    /* write until every reader is done, so that all their reads overlap */
    for (int k = 0; atomic_load(&done) < 3; k++) {
        char id[16], nid[16];
        unsigned i = lcg(&seed) % NTWINS;
        twin_value v = twin_value_int(-1);
        id_of(id, sizeof id, i);
        snprintf(nid, sizeof nid, "new%d", k);
        switch (k % 5) {
        case 0:
        case 1:
            twin_graph_set_property(G, id, "speed", &v);
            break;
        case 2:
            twin_graph_remove_twin(G, id, TWIN_REMOVE_RELATIONSHIPS);
            break;
        case 3:
            if (twin_graph_add_twin(G, nid, "dtmi:t:M;1", NULL, 0) == TWIN_OK)
                twin_graph_add_relationship(G, nid, "f", "feeds", "t0000", NULL, 0);
            break;
        default:
            twin_graph_optimize(G);
            break;
        }
    }
    for (int t = 0; t < 3; t++) pthread_join(th[t], NULL);
    twin_scenario_destroy(SC[2]);
    twin_scenario_destroy(SC[1]);
    twin_scenario_destroy(SC[0]);
    twin_graph_destroy(G);
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *s = suite_create("scenario_threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, scenarios_read_while_the_live_graph_changes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(threads_suite());
}
