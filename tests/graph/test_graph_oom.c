/* Allocation-failure tests of the graph module: every mutating call is run
 * with its n-th allocation failing, for n = 0, 1, ... until it no longer
 * reaches the failure. A call returns TWIN_OK or TWIN_E_NOMEM; after
 * TWIN_E_NOMEM the graph is observably unchanged and a retry succeeds; the
 * final state equals that of a run without failures; nothing leaks. Links
 * the static library to check the shared property-name table too: after
 * TWIN_E_NOMEM it holds the same names with the same counts, and it always
 * holds exactly the names of the live property sets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "support/failalloc.h"
#include "support/graphsnap.h"
#include "support/pnames.h"
#include "support/run.h"

#define PUMP "dtmi:com:example:Pump;1"
#define VALVE "dtmi:com:example:Valve;1"
#define MAX_N 200000u

/* A starting state of size k (k = 0..kmax are all tried, so that some
 * operation lands on each of the graph's internal growth points). */
typedef void (*prep_fn)(twin_graph *g, int k);
typedef twin_status (*op_fn)(twin_graph *g);

static twin_graph *new_graph(const twin_allocator *a)
{
    return graph_new(a);
}

static void assert_no_leak(failalloc *fa)
{
    ck_assert_msg(fa->live_bytes == 0 && fa->live_blocks == 0,
                  "leaked %zu bytes in %zu blocks", fa->live_bytes, fa->live_blocks);
}

static void assert_same(const snap *want, const twin_graph *g, const char *what, int k,
                        size_t n)
{
    snap now;
    char why[512];
    int same;
    snap_take(&now, g);
    same = snap_equal(want, &now, why, sizeof why);
    snap_free(&now);
    ck_assert_msg(same, "%s (size %d, failing allocation %zu): %s", what, k, n, why);
}

/* The driver for one starting size: see the file comment. With
 * !nomem_allowed every run must succeed. Returns the number of runs whose
 * injected failure was reached. */
static size_t run_oom_at(prep_fn prep, op_fn op, int k, int nomem_allowed)
{
    snap expect;
    twin_graph *ref = new_graph(NULL);
    size_t n;
    prep(ref, k);
    ASSERT_OK(ref, op(ref));
    snap_take(&expect, ref);
    twin_graph_destroy(ref);
    for (n = 0;; n++) {
        failalloc fa;
        twin_graph *g;
        snap before;
        twin_status st;
        int hit;
        size_t names;
        uint64_t refs;
        failalloc_init(&fa);
        g = new_graph(&fa.alloc);
        prep(g, k);
        snap_take(&before, g);
        names = pnames_count(g);
        refs = pnames_refs(g);
        failalloc_arm(&fa, n);
        st = op(g);
        hit = failalloc_triggered(&fa);
        failalloc_disarm(&fa);
        ck_assert_msg(st == TWIN_OK || (nomem_allowed && st == TWIN_E_NOMEM),
                      "size %d, allocation %zu failing: returned %d (%s)", k, n, st,
                      twin_strerror(st));
        if (st == TWIN_E_NOMEM) {
            ck_assert_msg(hit, "NOMEM without a failed allocation");
            ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_NOMEM);
            ck_assert_str_ne(twin_graph_last_error(g)->message, "");
            assert_same(&before, g, "graph changed by a NOMEM call", k, n);
            ck_assert_msg(pnames_count(g) == names && pnames_refs(g) == refs,
                          "size %d, allocation %zu failing: property names %zu -> %zu, "
                          "references %lu -> %lu", k, n, names, pnames_count(g),
                          (unsigned long)refs, (unsigned long)pnames_refs(g));
            pnames_assert(g);
            st = op(g);
            ck_assert_msg(st == TWIN_OK, "retry after NOMEM at %zu returned %d", n, st);
        }
        snap_free(&before);
        assert_same(&expect, g, "final state differs", k, n);
        pnames_assert(g);
        twin_graph_destroy(g);
        assert_no_leak(&fa);
        failalloc_fini(&fa);
        if (!hit) break;
        ck_assert_uint_lt(n, MAX_N);
    }
    snap_free(&expect);
    return n;
}

static void run_oom(prep_fn prep, op_fn op, int kmax, int nomem_allowed, int must_alloc)
{
    size_t hits = 0;
    int k;
    for (k = 0; k <= kmax; k++) hits += run_oom_at(prep, op, k, nomem_allowed);
    if (must_alloc)
        ck_assert_msg(hits > 0, "the operation never allocated: nothing was tested");
}

/* ---- starting states ------------------------------------------------------ */

/* A few twins with properties and relationships, and a hub with k leaves:
 * relationships to and from each, so its out-degree is k + 1. */
static void prep_base(twin_graph *g, int k)
{
    twin_value arr[3] = {twin_value_int(1), twin_value_string("two"), twin_value_null()};
    twin_member m[3] = {{"p1", twin_value_int(10)}, {"p2", twin_value_array(arr, 3)},
                        {"p3", twin_value_string("three")}};
    twin_member rm[2] = {{"w", twin_value_double(0.5)}, {"v", twin_value_int(-1)}};
    char id[32];
    int i;
    ASSERT_OK(g, twin_graph_add_twin(g, "a", PUMP, m, 3));
    ASSERT_OK(g, twin_graph_add_twin(g, "b", VALVE, m + 2, 1));
    ASSERT_OK(g, twin_graph_add_twin(g, "hub", PUMP, NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "ab", "feeds", "b", rm, 2));
    ASSERT_OK(g, twin_graph_add_relationship(g, "b", "ba", "feeds", "a", NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, "hub", "self", "loops", "hub", NULL, 0));
    for (i = 0; i < k; i++) {
        snprintf(id, sizeof id, "leaf-%d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, VALVE, rm, 1));
        ASSERT_OK(g, twin_graph_add_relationship(g, "hub", id, "contains", id, rm, 1));
        ASSERT_OK(g, twin_graph_add_relationship(g, id, "up", "partOf", "hub", NULL, 0));
    }
}

/* k twins without properties: the graph has no property name yet. */
static void prep_bare(twin_graph *g, int k)
{
    char id[32];
    int i;
    ASSERT_OK(g, twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    ASSERT_OK(g, twin_graph_add_twin(g, "hub", VALVE, NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "ab", "feeds", "hub", NULL, 0));
    for (i = 0; i < k; i++) {
        snprintf(id, sizeof id, "bare-%d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, VALVE, NULL, 0));
    }
}

/* ---- operations ----------------------------------------------------------- */

static twin_value nested(twin_value *items, twin_member *mm)
{
    items[0] = twin_value_string("deep \xe6\xb8\xa9\xe5\xba\xa6");
    items[1] = twin_value_double(-0.0);
    mm[0].name = "list";
    mm[0].value = twin_value_array(items, 2);
    mm[1].name = "flag";
    mm[1].value = twin_value_bool(1);
    return twin_value_object(mm, 2);
}

static twin_status op_add_twin(twin_graph *g)
{
    twin_value items[2];
    twin_member mm[2], m[3];
    m[0].name = "label";
    m[0].value = twin_value_string("a new twin with a label");
    m[1].name = "cfg";
    m[1].value = nested(items, mm);
    m[2].name = "rpm";
    m[2].value = twin_value_int(1500);
    return twin_graph_add_twin(g, "new-twin", "dtmi:com:example:Compressor;2", m, 3);
}

/* Names the graph already has (p1, p3: prep_base's; w: a relationship's)
 * and one it has not, in between. */
static twin_status op_add_twin_shared_names(twin_graph *g)
{
    twin_member m[4];
    m[0].name = "p3";
    m[0].value = twin_value_string("shared");
    m[1].name = "brandNew";
    m[1].value = twin_value_int(7);
    m[2].name = "w";
    m[2].value = twin_value_double(1.25);
    m[3].name = "p1";
    m[3].value = twin_value_null();
    return twin_graph_add_twin(g, "shared-twin", VALVE, m, 4);
}

/* A name other sets hold, new to this twin. */
static twin_status op_set_property_shared_name(twin_graph *g)
{
    twin_value v = twin_value_int(99);
    return twin_graph_set_property(g, "b", "p1", &v);
}

static twin_status op_add_relationship_shared_names(twin_graph *g)
{
    twin_member m[2];
    m[0].name = "p2";
    m[0].value = twin_value_int(1);
    m[1].name = "w";
    m[1].value = twin_value_int(2);
    return twin_graph_add_relationship(g, "b", "shared-rel", "feeds", "hub", m, 2);
}

static twin_status op_add_relationship(twin_graph *g)
{
    twin_value items[2];
    twin_member mm[2], m[2];
    m[0].name = "cfg";
    m[0].value = nested(items, mm);
    m[1].name = "length";
    m[1].value = twin_value_double(12.5);
    return twin_graph_add_relationship(g, "a", "new-rel", "drains", "hub", m, 2);
}

static twin_status op_add_relationship_big_source(twin_graph *g)
{
    return twin_graph_add_relationship(g, "hub", "one-more", "contains", "a", NULL, 0);
}

static twin_status op_set_property_new(twin_graph *g)
{
    twin_value items[2];
    twin_member mm[2];
    twin_value v = nested(items, mm);
    return twin_graph_set_property(g, "a", "fresh", &v);
}

static twin_status op_set_property_replace(twin_graph *g)
{
    twin_value items[2];
    twin_member mm[2];
    twin_value v = nested(items, mm);
    return twin_graph_set_property(g, "a", "p2", &v);
}

static twin_status op_set_model(twin_graph *g)
{
    return twin_graph_set_model(g, "a", "dtmi:com:example:a:much:longer:model:"
                                        "identifier:than:before:HeatExchanger;7");
}

static twin_status op_set_relationship_property_new(twin_graph *g)
{
    twin_value items[2];
    twin_member mm[2];
    twin_value v = nested(items, mm);
    return twin_graph_set_relationship_property(g, "a", "ab", "fresh", &v);
}

static twin_status op_set_relationship_property_replace(twin_graph *g)
{
    twin_value v = twin_value_string("replaced the double with a string");
    return twin_graph_set_relationship_property(g, "a", "ab", "w", &v);
}

static twin_status op_remove_property(twin_graph *g)
{
    return twin_graph_remove_property(g, "a", "p2");
}

static twin_status op_remove_relationship_property(twin_graph *g)
{
    return twin_graph_remove_relationship_property(g, "a", "ab", "w");
}

static twin_status op_remove_twin_with_relationships(twin_graph *g)
{
    return twin_graph_remove_twin(g, "hub", TWIN_REMOVE_RELATIONSHIPS);
}

static twin_status op_remove_relationship(twin_graph *g)
{
    return twin_graph_remove_relationship(g, "a", "ab");
}

/* Many twins with long ids and their relationships, then remove them all:
 * crosses the internal reclamation thresholds. Every call must succeed. */
#define LONG_N 300
static const char *long_id(char *buf, int i)
{
    snprintf(buf, 300, "twin-%04d-%0240d", i, i);
    return buf;
}

static void prep_long(twin_graph *g, int k)
{
    char id[300], prev[300];
    int i;
    (void)k;
    for (i = 0; i < LONG_N; i++) {
        ASSERT_OK(g, twin_graph_add_twin(g, long_id(id, i), PUMP, NULL, 0));
        if (i) ASSERT_OK(g, twin_graph_add_relationship(g, long_id(prev, i - 1), id,
                                                        "feeds", id, NULL, 0));
    }
    /* Relationships between odd twins survive op_remove_many(). */
    for (i = 3; i < LONG_N; i += 2) {
        char rid[300];
        snprintf(rid, sizeof rid, "keep-%0200d", i);
        ASSERT_OK(g, twin_graph_add_relationship(g, long_id(prev, i - 2), rid, "keeps",
                                                 long_id(id, i), NULL, 0));
    }
}

static twin_status op_remove_many(twin_graph *g)
{
    char id[300], next[300];
    twin_status st;
    int i;
    for (i = 0; i < LONG_N - 1; i++) {
        long_id(id, i);
        long_id(next, i + 1);
        st = (i % 2) ? twin_graph_remove_relationship(g, id, next)
                     : twin_graph_remove_twin(g, id, TWIN_REMOVE_RELATIONSHIPS);
        if (st != TWIN_OK) return st;
    }
    return TWIN_OK;
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_graph_create_alloc_failure_returns_nomem_no_leak)
{
    size_t n;
    for (n = 0;; n++) {
        failalloc fa;
        twin_graph_options o;
        twin_graph *g = (twin_graph *)(void *)&o;
        twin_status st;
        int hit;
        failalloc_init(&fa);
        ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
        o.alloc = &fa.alloc;
        failalloc_arm(&fa, n);
        st = twin_graph_create(&g, &o);
        hit = failalloc_triggered(&fa);
        failalloc_disarm(&fa);
        ck_assert_msg(st == TWIN_OK || st == TWIN_E_NOMEM, "create returned %d", st);
        if (st == TWIN_E_NOMEM) {
            ck_assert(hit);
            ck_assert_ptr_null(g);
        } else {
            ck_assert_ptr_nonnull(g);
            ASSERT_OK(g, twin_graph_add_twin(g, "a", PUMP, NULL, 0));
            twin_graph_destroy(g);
        }
        assert_no_leak(&fa);
        failalloc_fini(&fa);
        if (!hit) break;
        ck_assert_uint_lt(n, MAX_N);
    }
}
END_TEST

#define K_MAX 40
#define OOM_TEST(fn, op, must_alloc) \
    START_TEST(fn) { run_oom(prep_base, op, K_MAX, 1, must_alloc); } END_TEST

OOM_TEST(test_add_twin_alloc_failure_leaves_graph_unchanged, op_add_twin, 1)
OOM_TEST(test_add_relationship_alloc_failure_leaves_graph_unchanged, op_add_relationship, 1)
OOM_TEST(test_add_relationship_hub_source_alloc_failure_leaves_graph_unchanged,
         op_add_relationship_big_source, 0)
OOM_TEST(test_set_property_new_alloc_failure_leaves_graph_unchanged, op_set_property_new, 1)
OOM_TEST(test_set_property_replace_alloc_failure_leaves_graph_unchanged,
         op_set_property_replace, 1)
OOM_TEST(test_set_model_alloc_failure_leaves_graph_unchanged, op_set_model, 0)
OOM_TEST(test_add_twin_shared_names_alloc_failure_leaves_graph_unchanged,
         op_add_twin_shared_names, 1)
OOM_TEST(test_set_property_shared_name_alloc_failure_leaves_graph_unchanged,
         op_set_property_shared_name, 1)
OOM_TEST(test_add_relationship_shared_names_alloc_failure_leaves_graph_unchanged,
         op_add_relationship_shared_names, 1)

/* The first property names of a graph: the name table itself is allocated. */
#define BARE_MAX 12
#define BARE_TEST(fn, op) \
    START_TEST(fn) { run_oom(prep_bare, op, BARE_MAX, 1, 1); } END_TEST
BARE_TEST(test_first_names_add_twin_alloc_failure_leaves_graph_unchanged, op_add_twin)
BARE_TEST(test_first_names_set_property_alloc_failure_leaves_graph_unchanged,
          op_set_property_new)
BARE_TEST(test_first_names_add_relationship_alloc_failure_leaves_graph_unchanged,
          op_add_relationship)
OOM_TEST(test_set_relationship_property_new_alloc_failure_leaves_graph_unchanged,
         op_set_relationship_property_new, 1)
OOM_TEST(test_set_relationship_property_replace_alloc_failure_leaves_graph_unchanged,
         op_set_relationship_property_replace, 1)
OOM_TEST(test_remove_property_alloc_failure_leaves_graph_unchanged, op_remove_property, 0)
OOM_TEST(test_remove_relationship_property_alloc_failure_leaves_graph_unchanged,
         op_remove_relationship_property, 0)
OOM_TEST(test_remove_twin_alloc_failure_leaves_graph_unchanged,
         op_remove_twin_with_relationships, 0)

/* twin_graph_remove_twin() and twin_graph_remove_relationship() list no
 * TWIN_E_NOMEM among their @retval: they must succeed whatever fails. */
START_TEST(test_remove_twin_alloc_failure_never_returns_nomem)
{
    run_oom(prep_base, op_remove_twin_with_relationships, K_MAX, 0, 0);
}
END_TEST

START_TEST(test_remove_relationship_alloc_failure_never_returns_nomem)
{
    run_oom(prep_base, op_remove_relationship, K_MAX, 0, 0);
}
END_TEST

START_TEST(test_remove_many_alloc_failure_never_returns_nomem)
{
    run_oom(prep_long, op_remove_many, 0, 0, 0);
}
END_TEST

/* ---- building a small graph ----------------------------------------------- */

#define B_TWINS 200
#define B_RELS 400
#define B_SETS 60
#define B_REMOVE_RELS 80
#define B_REMOVE_TWINS 6
#define B_READD 40
#define B_STEPS (B_TWINS + B_RELS + B_SETS + B_REMOVE_RELS + B_REMOVE_TWINS + B_READD)

static void tname(char *buf, int i)
{
    snprintf(buf, 32, "t%03d", i);
}

/* Relationship j: sources are spread out but t000 gets every fourth one,
 * so that it is a high out-degree source. */
static void rel_ends(int j, char *src, char *dst, char *id)
{
    tname(src, (j % 4 == 0) ? 0 : (j * 7) % B_TWINS);
    tname(dst, (j * 13 + 1) % B_TWINS);
    snprintf(id, 32, "r%d", j);
}

/* Twins removed by the script: t010, t027, ..., every 17th. */
static int removed_twin(int i)
{
    return i >= 10 && i < 10 + 17 * B_REMOVE_TWINS && (i - 10) % 17 == 0;
}

/* Step k of the build script. */
static twin_status build_step(twin_graph *g, int k)
{
    char a[32], b[32], id[32];
    twin_member m[3];
    twin_value arr[2] = {twin_value_int(k), twin_value_string("s")};
    int j;
    m[0].name = "serial";
    m[0].value = twin_value_int(k);
    m[1].name = "tags";
    m[1].value = twin_value_array(arr, 2);
    m[2].name = "label";
    m[2].value = twin_value_string("label text");
    if (k < B_TWINS) {
        tname(a, k);
        return twin_graph_add_twin(g, a, (k % 3) ? PUMP : VALVE, m, (size_t)(k % 4));
    }
    k -= B_TWINS;
    if (k < B_RELS) {
        rel_ends(k, a, b, id);
        return twin_graph_add_relationship(g, a, id, (k % 3) ? "feeds" : "contains", b, m,
                                           (size_t)(k % 2));
    }
    k -= B_RELS;
    if (k < B_SETS) {
        tname(a, (k * 11) % B_TWINS);
        return twin_graph_set_property(g, a, (k % 2) ? "serial" : "extra", &m[1].value);
    }
    k -= B_SETS;
    if (k < B_REMOVE_RELS) {  /* every fifth relationship, t000's included */
        j = k * 5;
        rel_ends(j, a, b, id);
        return twin_graph_remove_relationship(g, a, id);
    }
    k -= B_REMOVE_RELS;
    if (k < B_REMOVE_TWINS) {
        tname(a, 10 + k * 17);
        ck_assert(removed_twin(10 + k * 17));
        return twin_graph_remove_twin(g, a, TWIN_REMOVE_RELATIONSHIPS);
    }
    k -= B_REMOVE_TWINS;
    j = k * 5 + 1;  /* re-add relationships with new ids, from t000 */
    tname(a, 0);
    tname(b, (j * 3) % B_TWINS);
    if (removed_twin((j * 3) % B_TWINS)) tname(b, 1);
    snprintf(id, sizeof id, "again-%d", j);
    return twin_graph_add_relationship(g, a, id, "feeds", b, m, 1);
}

static void build_ref(snap *s, int steps)
{
    twin_graph *g = new_graph(NULL);
    int k;
    for (k = 0; k < steps; k++) ASSERT_OK(g, build_step(g, k));
    snap_take(s, g);
    twin_graph_destroy(g);
}

START_TEST(test_build_small_graph_alloc_failure_every_step_recovers)
{
    snap final, prefix;
    int prefix_k = -1;
    size_t n;
    build_ref(&final, B_STEPS);
    memset(&prefix, 0, sizeof prefix);
    for (n = 0;; n++) {
        failalloc fa;
        twin_graph_options o;
        twin_graph *g = NULL;
        twin_status st;
        int k = 0, hit;
        failalloc_init(&fa);
        ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
        o.alloc = &fa.alloc;
        failalloc_arm(&fa, n);
        st = twin_graph_create(&g, &o);
        if (st == TWIN_OK)
            for (k = 0; k < B_STEPS && (st = build_step(g, k)) == TWIN_OK; k++) continue;
        hit = failalloc_triggered(&fa);
        failalloc_disarm(&fa);
        ck_assert_msg(st == TWIN_OK || st == TWIN_E_NOMEM,
                      "allocation %zu failing: step %d returned %d (%s)", n, k, st,
                      twin_strerror(st));
        if (!g) {
            ck_assert_int_eq(st, TWIN_E_NOMEM);
        } else {
            if (st == TWIN_E_NOMEM) {
                ck_assert(hit);
                ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_NOMEM);
                if (k != prefix_k) {
                    snap_free(&prefix);
                    build_ref(&prefix, k);
                    prefix_k = k;
                }
                assert_same(&prefix, g, "graph changed by a NOMEM step", k, n);
                pnames_assert(g);
                for (; k < B_STEPS; k++) ASSERT_OK(g, build_step(g, k));
            }
            assert_same(&final, g, "final state differs", B_STEPS, n);
            pnames_assert(g);
            twin_graph_destroy(g);
        }
        assert_no_leak(&fa);
        failalloc_fini(&fa);
        if (!hit) break;
        ck_assert_uint_lt(n, MAX_N);
    }
    snap_free(&prefix);
    snap_free(&final);
}
END_TEST

static Suite *graph_oom_suite(void)
{
    Suite *s = suite_create("graph_oom");
    TCase *tc;

    tc = tcase_create("create");
    tcase_add_test(tc, test_graph_create_alloc_failure_returns_nomem_no_leak);
    suite_add_tcase(s, tc);

    tc = tcase_create("mutations");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_add_twin_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_add_relationship_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_add_relationship_hub_source_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_set_property_new_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_set_property_replace_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_set_model_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_add_twin_shared_names_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_set_property_shared_name_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_add_relationship_shared_names_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_first_names_add_twin_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_first_names_set_property_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_first_names_add_relationship_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_set_relationship_property_new_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc,
                   test_set_relationship_property_replace_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_remove_property_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_remove_relationship_property_alloc_failure_leaves_graph_unchanged);
    tcase_add_test(tc, test_remove_twin_alloc_failure_leaves_graph_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("removals");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_remove_twin_alloc_failure_never_returns_nomem);
    tcase_add_test(tc, test_remove_relationship_alloc_failure_never_returns_nomem);
    tcase_add_test(tc, test_remove_many_alloc_failure_never_returns_nomem);
    suite_add_tcase(s, tc);

    tc = tcase_create("build");
    tcase_set_timeout(tc, 110);
    tcase_add_test(tc, test_build_small_graph_alloc_failure_every_step_recovers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(graph_oom_suite());
}
