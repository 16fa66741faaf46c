/* Concurrency test of the impact module: NTHREADS threads, each with its
 * own context, traverse one shared graph of NTWINS twins at the same time
 * (filters and health callbacks read the graph too); every result must
 * match the one computed single-threaded beforehand. Run once on the
 * graph's relationship lists and once after twin_graph_optimize(). Meant
 * to run under ThreadSanitizer as well (tests/run). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "impact/impact_check.h"
#include "support/graphsnap.h"
#include "support/run.h"

#define MACHINE "dtmi:example:Machine;1"
#define NTWINS 10000
#define NTHREADS 4
#define PER_THREAD 250
#define NQ (NTHREADS * PER_THREAD)
#define KINDS 6
#define STOP_AFTER 100

static twin_graph *G;

typedef struct answer {
    int st;
    size_t n;
    uint64_t hash;
} answer;

static answer want[NQ];

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* ---- the graph ------------------------------------------------------------------ */

static void id_of(char *buf, size_t cap, uint32_t i)
{
    snprintf(buf, cap, "m%05u", (unsigned)i);
}

/* Deterministic: two builds give the same graph, slot for slot. */
static void build_graph(void)
{
    char a[16], b[16];
    uint32_t i, s = 12345;
    twin_value blocked = twin_value_bool(1);
    G = graph_new(NULL);
    for (i = 0; i < NTWINS; i++) {
        id_of(a, sizeof a, i);
        ASSERT_OK(G, twin_graph_add_twin(G, a, MACHINE, NULL, 0));
        if (i % 13 == 0) {
            twin_value h = twin_value_double((double)(i % 10) / 10.0);
            ASSERT_OK(G, twin_graph_set_property(G, a, "health", &h));
        }
        if (i % 97 == 5) ASSERT_OK(G, twin_graph_set_property(G, a, "blocked", &blocked));
    }
    for (i = 0; i < NTWINS; i++) {
        id_of(a, sizeof a, i);
        id_of(b, sizeof b, (i + 1 + lcg(&s) % 60) % NTWINS);
        ASSERT_OK(G, twin_graph_add_relationship(G, a, "f1", "feeds", b, NULL, 0));
        if (lcg(&s) % 3 == 0) {
            id_of(b, sizeof b, lcg(&s) % NTWINS);
            ASSERT_OK(G, twin_graph_add_relationship(G, a, "f2", "feeds", b, NULL, 0));
        }
        if (i) {
            id_of(b, sizeof b, (i - 1) / 8);
            ASSERT_OK(G, twin_graph_add_relationship(G, a, "p", "partOf", b, NULL, 0));
        }
        if (lcg(&s) % 4 == 0) {
            id_of(b, sizeof b, lcg(&s) % NTWINS);
            ASSERT_OK(G, twin_graph_add_relationship(G, a, "l", "locatedIn", b, NULL, 0));
        }
    }
}

/* ---- queries: callbacks read the graph -------------------------------------------- */

static double prop_health(void *ud, const char *twin_id)
{
    const twin_value *v;
    (void)ud;
    if (twin_graph_get_property(G, twin_id, "health", &v) == TWIN_OK &&
        v->type == TWIN_VALUE_DOUBLE)
        return v->as.d;
    return 1.0;
}

static int not_blocked(void *ud, const twin_graph *g, const char *id, const char *model,
                       uint32_t depth)
{
    const twin_value *v;
    (void)ud;
    (void)model;
    (void)depth;
    return twin_graph_get_property(g, id, "blocked", &v) != TWIN_OK;
}

static double average_rule(void *ud, double parent, double own, const char *via_name,
                           uint32_t depth)
{
    (void)ud;
    (void)depth;
    return 0.5 * (parent + own) - (strcmp(via_name, "partOf") == 0 ? 0.05 : 0.0);
}

static const twin_impact_follow FOLLOW[3] = {{"feeds", TWIN_DIRECTION_OUTGOING, 0},
                                             {"partOf", TWIN_DIRECTION_INCOMING, 0},
                                             {"locatedIn", TWIN_DIRECTION_INCOMING, 0}};

typedef struct query {
    twin_impact_options o;
    char ids[3][16];
    const char *roots[3];
    size_t nroots, stop_after;
} query;

/* Query k: its roots and options (kind k % KINDS). */
static void make_query(int k, query *qy)
{
    uint32_t s = (uint32_t)k * 2654435761u + 7u, i;
    int kind = k % KINDS;
    twin_impact_options_init(&qy->o);
    qy->nroots = kind == 4 ? 3 : 1;
    qy->stop_after = kind == 4 ? STOP_AFTER : 0;
    for (i = 0; i < qy->nroots; i++) {
        id_of(qy->ids[i], sizeof qy->ids[i], lcg(&s) % NTWINS);
        qy->roots[i] = qy->ids[i];
    }
    qy->o.health = prop_health;
    switch (kind) {
    case 0:
        qy->o.max_depth = 4;
        qy->o.rule = TWIN_IMPACT_ATTENUATE;
        qy->o.root_health = 0.3;
        break;
    case 1:
        qy->o.follow = FOLLOW;
        qy->o.nfollow = 3;
        qy->o.max_results = 1000;
        qy->o.root_health = 0.5;
        break;
    case 2:
        qy->o.direction = TWIN_DIRECTION_INCOMING;
        qy->o.filter = not_blocked;
        qy->o.max_depth = 6;
        break;
    case 3:
        qy->o.direction = TWIN_DIRECTION_BOTH;
        qy->o.max_results = 300;
        qy->o.rule = TWIN_IMPACT_CUSTOM;
        qy->o.rule_fn = average_rule;
        qy->o.root_health = 0.2;
        break;
    case 4:
        break;
    default: /* now and then the whole graph */
        qy->o.direction = TWIN_DIRECTION_BOTH;
        qy->o.filter = not_blocked;
        qy->o.rule = TWIN_IMPACT_ATTENUATE;
        qy->o.attenuation = 0.75;
        if ((k / KINDS) % 16) qy->o.max_depth = 4;
        break;
    }
}

/* ---- hashing runs ------------------------------------------------------------------- */

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n--) *h = (*h ^ *b++) * UINT64_C(1099511628211);
}

static void hash_str(uint64_t *h, const char *s)
{
    if (s) hash_bytes(h, s, strlen(s) + 1);
    else hash_bytes(h, "\xff", 1);
}

static void hash_hit(uint64_t *h, const twin_impact_hit *x)
{
    hash_bytes(h, &x->depth, sizeof x->depth);
    hash_str(h, x->twin_id);
    hash_str(h, x->model_id);
    hash_str(h, x->parent_id);
    hash_str(h, x->via_id);
    hash_str(h, x->via_name);
    hash_str(h, x->via_source_id);
    hash_bytes(h, &x->score, sizeof x->score);
    hash_bytes(h, &x->parent_index, sizeof x->parent_index);
}

typedef struct visit_state {
    uint64_t hash;
    size_t n, stop_after;
} visit_state;

static int hash_visit(void *ud, const twin_impact_hit *hit)
{
    visit_state *v = ud;
    hash_hit(&v->hash, hit);
    return v->stop_after && ++v->n == v->stop_after;
}

/* Run query k on @p c; 1 when the visitor's hits hash as get()'s do. Calls
 * nothing of Check: safe from any thread. */
static int run_query(twin_impact *c, int k, answer *out)
{
    query qy;
    visit_state vs;
    twin_impact_hit hit;
    size_t i;
    make_query(k, &qy);
    vs.hash = UINT64_C(1469598103934665603);
    vs.n = 0;
    vs.stop_after = qy.stop_after;
    out->st = twin_impact_run(c, qy.roots, qy.nroots, &qy.o, hash_visit, &vs);
    out->n = twin_impact_count(c);
    out->hash = UINT64_C(1469598103934665603);
    for (i = 0; i < out->n; i++) {
        hit.size = sizeof hit;
        if (twin_impact_get(c, i, &hit) != TWIN_OK) return 0;
        hash_hit(&out->hash, &hit);
    }
    return vs.hash == out->hash;
}

/* ---- fixture: the graph and the single-threaded answers ----------------------------- */

/* The answers are computed on a first build of the graph, destroyed after;
 * the threads get a second build that nothing has traversed yet, so that
 * anything a first traversal might set up lazily happens under them. */
static void threads_setup(void)
{
    twin_impact *c;
    char why[800];
    int k;
    build_graph();
    ck_assert_int_eq(twin_impact_create(&c, G, NULL), TWIN_OK);
    for (k = 0; k < NQ; k++) {
        ck_assert_msg(run_query(c, k, &want[k]), "query %d: visitor and get() differ", k);
        ck_assert_msg(want[k].st == TWIN_OK, "query %d returned %d", k, want[k].st);
        ck_assert_msg(want[k].n > 0, "query %d reached nothing", k);
        if (k < 2 * KINDS) { /* each kind twice: check against the oracle */
            query qy;
            iresult r;
            make_query(k, &qy);
            irun(c, qy.roots, qy.nroots, &qy.o, qy.stop_after, &r);
            ck_assert_msg(ioracle_check(G, qy.roots, qy.nroots, &qy.o, &r, qy.stop_after != 0,
                                        why, sizeof why), "query %d: %s", k, why);
            iresult_free(&r);
        }
    }
    twin_impact_destroy(c);
    twin_graph_destroy(G);
    build_graph();
}

static void threads_teardown(void)
{
    twin_graph_destroy(G);
    G = NULL;
}

typedef struct worker {
    int tid;
    pthread_t th;
    size_t done, bad;
    char msg[256];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    twin_impact *c;
    int k;
    if (twin_impact_create(&c, G, NULL) != TWIN_OK) {
        snprintf(w->msg, sizeof w->msg, "thread %d: twin_impact_create failed", w->tid);
        w->bad++;
        return NULL;
    }
    for (k = w->tid; k < NQ; k += NTHREADS) {
        answer a;
        int agree = run_query(c, k, &a);
        if (!agree || a.st != want[k].st || a.n != want[k].n || a.hash != want[k].hash) {
            if (!w->bad)
                snprintf(w->msg, sizeof w->msg,
                         "thread %d, query %d: status %d, %zu hits, visitor %s get(); "
                         "single-threaded: status %d, %zu hits%s", w->tid, k, a.st, a.n,
                         agree ? "agrees with" : "differs from", want[k].st, want[k].n,
                         a.n == want[k].n ? ", other hits" : "");
            w->bad++;
        }
        w->done++;
    }
    twin_impact_destroy(c);
    return NULL;
}

static void run_threads(void)
{
    worker w[NTHREADS];
    int t;
    memset(w, 0, sizeof w);
    for (t = 0; t < NTHREADS; t++) {
        w[t].tid = t;
        ck_assert_int_eq(pthread_create(&w[t].th, NULL, work, &w[t]), 0);
    }
    for (t = 0; t < NTHREADS; t++) ck_assert_int_eq(pthread_join(w[t].th, NULL), 0);
    for (t = 0; t < NTHREADS; t++) {
        ck_assert_msg(w[t].bad == 0, "%zu wrong results; first: %s", w[t].bad, w[t].msg);
        ck_assert_uint_eq(w[t].done, PER_THREAD);
    }
}

START_TEST(test_impact_run_concurrent_contexts_on_lists_match_single_thread)
{
    run_threads();
}
END_TEST

START_TEST(test_impact_run_concurrent_contexts_on_optimized_match_single_thread)
{
    ASSERT_OK(G, twin_graph_optimize(G));
    run_threads();
}
END_TEST

static Suite *impact_threads_suite(void)
{
    Suite *s = suite_create("impact_threads");
    TCase *tc;

    /* One graph for both tests, built once (in order: the second optimizes it). */
    tc = tcase_create("threads");
    tcase_add_unchecked_fixture(tc, threads_setup, threads_teardown);
    tcase_set_timeout(tc, 280);
    tcase_add_test(tc, test_impact_run_concurrent_contexts_on_lists_match_single_thread);
    tcase_add_test(tc, test_impact_run_concurrent_contexts_on_optimized_match_single_thread);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(impact_threads_suite());
}
