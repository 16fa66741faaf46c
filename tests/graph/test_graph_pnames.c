/* Unit tests of the graph's shared property names: the top-level names of
 * all property sets (twins' and relationships') are stored once per graph,
 * reference-counted, and released with the last set that uses them. Links
 * the static library: the table (g->pnames) is checked directly. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"
#include "twin/twin.h"
#include "support/failalloc.h"
#include "support/fixture.h"
#include "support/graphsnap.h"
#include "support/pnames.h"
#include "support/run.h"

#define PUMP "dtmi:com:example:Pump;1"
#define VALVE "dtmi:com:example:Valve;1"

/* The name of property `name` of twin `id`, as get_properties() hands it out. */
static const char *prop_name(const twin_graph *gr, const char *id, const char *name)
{
    const twin_member *m;
    size_t n;
    ck_assert_int_eq(twin_graph_get_properties(gr, id, &m, &n), TWIN_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].name, name) == 0) return m[i].name;
    ck_abort_msg("twin '%s' has no property '%s'", id, name);
    return NULL;
}

static const char *rel_prop_name(const twin_graph *gr, const char *src, const char *id,
                                 const char *name)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ck_assert_int_eq(twin_graph_find_relationship(gr, src, id, &r), TWIN_OK);
    for (size_t i = 0; i < r.property_count; i++)
        if (strcmp(r.properties[i].name, name) == 0) return r.properties[i].name;
    ck_abort_msg("relationship '%s' of '%s' has no property '%s'", id, src, name);
    return NULL;
}

static uint32_t refs_of(const twin_graph *gr, const char *name)
{
    const char *s = gr->pnames ? twin__strtab_find(gr->pnames, name, strlen(name)) : NULL;
    return s ? twin__strtab_refs(s) : 0;
}

static void add_gateway_twin(twin_graph *gr, int i)
{
    char id[24], serial[24];
    twin_member m[2];
    snprintf(id, sizeof id, "asset-%04d", i);
    snprintf(serial, sizeof serial, "SN-%06d", 100000 + i * 7);
    m[0].name = "serialNumber";
    m[0].value = twin_value_string(serial);
    m[1].name = "ratedPowerKW";
    m[1].value = twin_value_double(0.5 * (i % 40 + 1));
    ASSERT_OK(gr, twin_graph_add_twin(gr, id, i % 2 ? PUMP : VALVE, m, 2));
}

/* ---- sharing -------------------------------------------------------------- */

START_TEST(test_many_twins_share_one_copy_of_each_name)
{
    const char *serial, *rated;
    char id[24];
    ck_assert_ptr_null(g->pnames);  /* no table before the first property */
    for (int i = 0; i < 1000; i++) add_gateway_twin(g, i);
    serial = prop_name(g, "asset-0000", "serialNumber");
    rated = prop_name(g, "asset-0000", "ratedPowerKW");
    for (int i = 1; i < 1000; i++) {
        snprintf(id, sizeof id, "asset-%04d", i);
        ck_assert_ptr_eq(prop_name(g, id, "serialNumber"), serial);
        ck_assert_ptr_eq(prop_name(g, id, "ratedPowerKW"), rated);
    }
    ck_assert_uint_eq(pnames_count(g), 2);
    ck_assert_uint_eq(refs_of(g, "serialNumber"), 1000);
    ck_assert_uint_eq(refs_of(g, "ratedPowerKW"), 1000);
    /* the name is not inside any set: each set is smaller than before by
     * the two names (header + members + the serial string only) */
    ck_assert_uint_eq(twin__props_at(g, twin__T(g, 0)->props)->bytes,
                      offsetof(twin__props, m) + 2 * sizeof(twin_member) + 10);
    pnames_assert(g);
}
END_TEST

START_TEST(test_relationship_properties_share_the_twins_names)
{
    twin_member m[2] = {{"ratedPowerKW", twin_value_double(2)}, {"length", twin_value_int(3)}};
    twin_value v = twin_value_int(7);
    add_gateway_twin(g, 0);
    add_gateway_twin(g, 1);
    ASSERT_OK(g, twin_graph_add_relationship(g, "asset-0000", "r1", "feeds", "asset-0001", m, 2));
    ASSERT_OK(g, twin_graph_add_relationship(g, "asset-0001", "r2", "feeds", "asset-0000", NULL, 0));
    ASSERT_OK(g, twin_graph_set_relationship_property(g, "asset-0001", "r2", "length", &v));
    ck_assert_ptr_eq(rel_prop_name(g, "asset-0000", "r1", "ratedPowerKW"),
                     prop_name(g, "asset-0000", "ratedPowerKW"));
    ck_assert_ptr_eq(rel_prop_name(g, "asset-0000", "r1", "length"),
                     rel_prop_name(g, "asset-0001", "r2", "length"));
    ck_assert_uint_eq(pnames_count(g), 3);
    ck_assert_uint_eq(refs_of(g, "ratedPowerKW"), 3);
    ck_assert_uint_eq(refs_of(g, "length"), 2);
    pnames_assert(g);
}
END_TEST

START_TEST(test_nested_member_names_stay_in_their_set)
{
    twin_member inner[2] = {{"inner", twin_value_int(1)}, {"serialNumber", twin_value_int(2)}};
    twin_member m[1] = {{"cfg", twin_value_object(inner, 2)}};
    const twin_value *cfg;
    const twin__props *p;
    add_gateway_twin(g, 0);
    ASSERT_OK(g, twin_graph_add_twin(g, "n", PUMP, m, 1));
    ck_assert_uint_eq(pnames_count(g), 3);
    ck_assert_ptr_null(twin__strtab_find(g->pnames, "inner", 5));
    ck_assert_int_eq(twin_graph_get_property(g, "n", "cfg", &cfg), TWIN_OK);
    p = twin__props_at(g, twin__T(g, twin__find_twin(g, "n", 1))->props);
    for (uint32_t i = 0; i < cfg->len; i++) {
        const char *s = cfg->as.members[i].name;
        ck_assert(s > (const char *)p && s < (const char *)p + p->bytes);
    }
    ck_assert_ptr_ne(cfg->as.members[1].name, prop_name(g, "asset-0000", "serialNumber"));
    pnames_assert(g);
}
END_TEST

/* Names keep their address while the table grows (the index and the entry
 * vector are reallocated; each name has a block of its own). */
START_TEST(test_name_addresses_stay_while_table_grows)
{
    const char *serial;
    char id[24], name[24];
    add_gateway_twin(g, 0);
    serial = prop_name(g, "asset-0000", "serialNumber");
    for (int i = 0; i < 3000; i++) {
        twin_value v = twin_value_int(i);
        snprintf(id, sizeof id, "x%d", i);
        snprintf(name, sizeof name, "distinctName%05d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, PUMP, NULL, 0));
        ASSERT_OK(g, twin_graph_set_property(g, id, name, &v));
    }
    ck_assert_uint_eq(pnames_count(g), 3002);
    ck_assert_ptr_eq(prop_name(g, "asset-0000", "serialNumber"), serial);
    ck_assert_str_eq(serial, "serialNumber");
    for (int i = 0; i < 3000; i += 2) {
        snprintf(id, sizeof id, "x%d", i);
        ASSERT_OK(g, twin_graph_remove_twin(g, id, 0));
    }
    ck_assert_uint_eq(pnames_count(g), 1502);
    ck_assert_ptr_eq(prop_name(g, "asset-0000", "serialNumber"), serial);
    pnames_assert(g);
}
END_TEST

/* ---- releasing ------------------------------------------------------------ */

START_TEST(test_names_released_with_the_last_set_using_them)
{
    twin_member m[2] = {{"a", twin_value_int(1)}, {"b", twin_value_int(2)}};
    twin_member rm[1] = {{"w", twin_value_double(0.5)}};
    twin_value v = twin_value_string("value");
    const char *a;

    ASSERT_OK(g, twin_graph_add_twin(g, "t1", PUMP, m, 2));
    ASSERT_OK(g, twin_graph_add_twin(g, "t2", PUMP, m, 2));
    ASSERT_OK(g, twin_graph_add_twin(g, "t3", VALVE, NULL, 0));
    a = prop_name(g, "t1", "a");
    ck_assert_uint_eq(refs_of(g, "a"), 2);

    /* replacing a value keeps the name (same address, same count) */
    ASSERT_OK(g, twin_graph_set_property(g, "t1", "a", &v));
    ck_assert_ptr_eq(prop_name(g, "t1", "a"), a);
    ck_assert_uint_eq(refs_of(g, "a"), 2);
    /* a new name is added, and dropped with its only set's property */
    ASSERT_OK(g, twin_graph_set_property(g, "t3", "c", &v));
    ck_assert_uint_eq(pnames_count(g), 3);
    ASSERT_OK(g, twin_graph_remove_property(g, "t3", "c"));
    ck_assert_uint_eq(pnames_count(g), 2);
    ck_assert_ptr_null(twin__strtab_find(g->pnames, "c", 1));
    /* removing a property from one of two twins */
    ASSERT_OK(g, twin_graph_remove_property(g, "t1", "a"));
    ck_assert_uint_eq(refs_of(g, "a"), 1);
    ck_assert_ptr_eq(prop_name(g, "t2", "a"), a);
    pnames_assert(g);

    /* relationship sets: removed with the relationship */
    ASSERT_OK(g, twin_graph_add_relationship(g, "t1", "r1", "feeds", "t2", rm, 1));
    ASSERT_OK(g, twin_graph_add_relationship(g, "t2", "r2", "feeds", "t3", rm, 1));
    ck_assert_uint_eq(refs_of(g, "w"), 2);
    ASSERT_OK(g, twin_graph_remove_relationship(g, "t1", "r1"));
    ck_assert_uint_eq(refs_of(g, "w"), 1);
    ASSERT_OK(g, twin_graph_remove_relationship_property(g, "t2", "r2", "w"));
    ck_assert_uint_eq(refs_of(g, "w"), 0);
    ASSERT_OK(g, twin_graph_set_relationship_property(g, "t2", "r2", "a", &v));
    ck_assert_uint_eq(refs_of(g, "a"), 2);
    pnames_assert(g);

    /* ... and with a twin removed together with its relationships */
    ASSERT_OK(g, twin_graph_remove_twin(g, "t2", TWIN_REMOVE_RELATIONSHIPS));
    ck_assert_uint_eq(refs_of(g, "a"), 0);
    ck_assert_uint_eq(refs_of(g, "b"), 1);
    pnames_assert(g);
    ASSERT_OK(g, twin_graph_remove_twin(g, "t1", 0));
    ASSERT_OK(g, twin_graph_remove_twin(g, "t3", 0));
    ck_assert_uint_eq(pnames_count(g), 0);
    ck_assert_uint_eq(pnames_refs(g), 0);
    pnames_assert(g);
}
END_TEST

/* A caller may hand back the names the graph gave it, even those of the very
 * set being replaced. */
START_TEST(test_graph_own_names_accepted_as_arguments)
{
    const twin_member *m;
    size_t n;
    twin_value v = twin_value_int(9);
    twin_member copy[2];

    add_gateway_twin(g, 0);
    ck_assert_int_eq(twin_graph_get_properties(g, "asset-0000", &m, &n), TWIN_OK);
    memcpy(copy, m, sizeof copy);
    ASSERT_OK(g, twin_graph_add_twin(g, "copy", PUMP, copy, 2));
    ck_assert_ptr_eq(prop_name(g, "copy", "serialNumber"), copy[0].name);
    ck_assert_uint_eq(refs_of(g, "serialNumber"), 2);
    ASSERT_OK(g, twin_graph_remove_twin(g, "asset-0000", 0));
    ck_assert_uint_eq(refs_of(g, "serialNumber"), 1);

    /* the name of the set being replaced, then removed */
    ck_assert_int_eq(twin_graph_get_properties(g, "copy", &m, &n), TWIN_OK);
    ASSERT_OK(g, twin_graph_set_property(g, "copy", m[0].name, &v));
    ck_assert_int_eq(twin_graph_get_properties(g, "copy", &m, &n), TWIN_OK);
    ASSERT_OK(g, twin_graph_remove_property(g, "copy", m[1].name));
    ck_assert_uint_eq(pnames_count(g), 1);
    ck_assert_int_eq(twin_graph_get_properties(g, "copy", &m, &n), TWIN_OK);
    ASSERT_OK(g, twin_graph_remove_property(g, "copy", m[0].name));
    ck_assert_uint_eq(pnames_count(g), 0);
    pnames_assert(g);
}
END_TEST

/* ---- failures --------------------------------------------------------------- */

static twin_status reject_named(void *ud, const char *twin_id, const char *model_id,
                                const twin_member *props, size_t n, char *msg, size_t cap)
{
    (void)ud;
    (void)twin_id;
    (void)model_id;
    (void)msg;
    (void)cap;
    for (size_t i = 0; i < n; i++)
        if (strcmp(props[i].name, "forbidden") == 0) return TWIN_E_CONSTRAINT;
    return TWIN_OK;
}

START_TEST(test_rejected_and_invalid_sets_leave_no_names)
{
    twin_graph_validator v;
    twin_graph_options o;
    twin_graph *gv;
    twin_member m[2] = {{"fresh", twin_value_int(1)}, {"forbidden", twin_value_int(2)}};
    twin_member dup[2] = {{"fresh", twin_value_int(1)}, {"fresh", twin_value_int(2)}};
    twin_value bad = twin_value_double(INFINITY);

    memset(&v, 0, sizeof v);
    v.size = sizeof v;
    v.check_twin = reject_named;
    twin_graph_options_init(&o);
    o.alloc = &fa.alloc;
    o.validator = &v;
    ck_assert_int_eq(twin_graph_create(&gv, &o), TWIN_OK);
    ASSERT_OK(gv, twin_graph_add_twin(gv, "t", PUMP, m, 1));
    ck_assert_int_eq(twin_graph_add_twin(gv, "u", PUMP, m, 2), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin_graph_set_property(gv, "t", "forbidden", &m[1].value),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin_graph_add_twin(gv, "u", PUMP, dup, 2), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_set_property(gv, "t", "other", &bad), TWIN_E_INVAL);
    ck_assert_uint_eq(pnames_count(gv), 1);
    ck_assert_uint_eq(refs_of(gv, "fresh"), 1);
    pnames_assert(gv);
    twin_graph_destroy(gv);
}
END_TEST

/* Every allocation of add_twin and set_property failing in turn: the table
 * is unchanged (same names, same counts) and a retry succeeds. */
static void oom_loop(twin_status (*op)(twin_graph *), int with_table)
{
    size_t n;
    for (n = 0;; n++) {
        twin_graph *gr;
        twin_status st;
        size_t count;
        uint64_t refs;
        int hit;
        failalloc f;
        failalloc_init(&f);
        gr = graph_new(&f.alloc);
        ASSERT_OK(gr, twin_graph_add_twin(gr, "bare", VALVE, NULL, 0));
        if (with_table) add_gateway_twin(gr, 1);
        count = pnames_count(gr);
        refs = pnames_refs(gr);
        failalloc_arm(&f, n);
        st = op(gr);
        hit = failalloc_triggered(&f);
        failalloc_disarm(&f);
        ck_assert_msg(st == TWIN_OK || st == TWIN_E_NOMEM, "allocation %zu: %d", n, st);
        if (st == TWIN_E_NOMEM) {
            ck_assert_uint_eq(pnames_count(gr), count);
            ck_assert_uint_eq(pnames_refs(gr), refs);
            pnames_assert(gr);
            ASSERT_OK(gr, op(gr));
        }
        pnames_assert(gr);
        ck_assert_uint_gt(pnames_count(gr), count);
        twin_graph_destroy(gr);
        ck_assert_msg(f.live_bytes == 0 && f.live_blocks == 0, "allocation %zu: leaked %zu bytes",
                      n, f.live_bytes);
        failalloc_fini(&f);
        if (!hit) break;
    }
    ck_assert_uint_gt(n, 0);
}

static twin_status op_add_mixed(twin_graph *gr)
{
    twin_member m[3] = {{"serialNumber", twin_value_string("SN-1")},
                        {"brandNew", twin_value_int(5)},
                        {"alsoNew", twin_value_bool(1)}};
    return twin_graph_add_twin(gr, "mixed", PUMP, m, 3);
}

static twin_status op_set_new_name(twin_graph *gr)
{
    twin_value v = twin_value_string("new");
    return twin_graph_set_property(gr, "bare", "brandNew", &v);
}

START_TEST(test_add_twin_alloc_failure_leaves_table_unchanged)
{
    oom_loop(op_add_mixed, 0);  /* the first names: the table itself is allocated */
    oom_loop(op_add_mixed, 1);
}
END_TEST

START_TEST(test_set_property_alloc_failure_leaves_table_unchanged)
{
    oom_loop(op_set_new_name, 0);
    oom_loop(op_set_new_name, 1);
}
END_TEST

/* ---- swap, snapshots --------------------------------------------------------- */

START_TEST(test_graph_swap_moves_the_tables)
{
    twin_graph *h = graph_new(&fa.alloc);
    twin_member m[1] = {{"other", twin_value_int(1)}};
    const char *serial, *other;
    add_gateway_twin(g, 0);
    add_gateway_twin(g, 1);
    ASSERT_OK(h, twin_graph_add_twin(h, "h", PUMP, m, 1));
    serial = prop_name(g, "asset-0000", "serialNumber");
    other = prop_name(h, "h", "other");
    twin__graph_swap(g, h);
    ck_assert_ptr_eq(prop_name(h, "asset-0001", "serialNumber"), serial);
    ck_assert_ptr_eq(prop_name(g, "h", "other"), other);
    ck_assert_uint_eq(pnames_count(g), 1);
    ck_assert_uint_eq(pnames_count(h), 2);
    add_gateway_twin(g, 2);  /* each keeps working on its own table */
    ck_assert_ptr_ne(prop_name(g, "asset-0002", "serialNumber"), serial);
    ck_assert_uint_eq(refs_of(h, "serialNumber"), 2);
    pnames_assert(g);
    pnames_assert(h);
    twin_graph_destroy(h);
}
END_TEST

typedef struct buf {
    unsigned char *p;
    size_t n, cap, at;
} buf;

static twin_status buf_write(void *ud, const void *p, size_t n)
{
    buf *b = ud;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return TWIN_OK;
}

static twin_status buf_read(void *ud, void *p, size_t cap, size_t *got)
{
    buf *b = ud;
    size_t n = b->n - b->at < cap ? b->n - b->at : cap;
    if (n > 7) n = 7;  /* small reads */
    memcpy(p, b->p + b->at, n);
    b->at += n;
    *got = n;
    return TWIN_OK;
}

START_TEST(test_snapshot_round_trip_identical_and_shared)
{
    twin_member rm[2] = {{"ratedPowerKW", twin_value_double(1)}, {"w", twin_value_int(2)}};
    twin_member m[1] = {{"stale", twin_value_int(1)}};
    buf a = {NULL, 0, 0, 0}, b = {NULL, 0, 0, 0};
    twin_graph *h = graph_new(&fa.alloc);
    twin_value v = twin_value_int(3);
    char id[24], to[24];

    for (int i = 0; i < 50; i++) add_gateway_twin(g, i);
    for (int i = 0; i < 50; i += 3) {
        snprintf(id, sizeof id, "asset-%04d", i);
        snprintf(to, sizeof to, "asset-%04d", (i + 1) % 50);
        ASSERT_OK(g, twin_graph_add_relationship(g, id, "feeds", "feeds", to, rm, 1 + i % 2));
    }
    ASSERT_OK(g, twin_graph_set_property(g, "asset-0007", "w", &v));
    ASSERT_OK(g, twin_graph_remove_property(g, "asset-0008", "serialNumber"));
    ASSERT_OK(h, twin_graph_add_twin(h, "old", PUMP, m, 1));

    ck_assert_int_eq(twin_snapshot_save(g, NULL, buf_write, &a), TWIN_OK);
    ck_assert_int_eq(twin_snapshot_restore(h, NULL, buf_read, &a), TWIN_OK);
    ck_assert_int_eq(twin_snapshot_save(h, NULL, buf_write, &b), TWIN_OK);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_mem_eq(a.p, b.p, a.n);
    /* the restored graph shares its names too, and the old ones are gone */
    ck_assert_uint_eq(pnames_count(h), 3);
    ck_assert_uint_eq(refs_of(h, "stale"), 0);
    ck_assert_uint_eq(refs_of(h, "serialNumber"), 49);
    ck_assert_ptr_eq(prop_name(h, "asset-0000", "ratedPowerKW"),
                     rel_prop_name(h, "asset-0003", "feeds", "ratedPowerKW"));
    ck_assert_ptr_eq(prop_name(h, "asset-0007", "w"),
                     rel_prop_name(h, "asset-0003", "feeds", "w"));
    pnames_assert(h);
    free(a.p);
    free(b.p);
    twin_graph_destroy(h);
}
END_TEST

static Suite *graph_pnames_suite(void)
{
    Suite *s = suite_create("graph_pnames");
    TCase *tc;

    tc = tcase_create("sharing");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_many_twins_share_one_copy_of_each_name);
    tcase_add_test(tc, test_relationship_properties_share_the_twins_names);
    tcase_add_test(tc, test_nested_member_names_stay_in_their_set);
    tcase_add_test(tc, test_name_addresses_stay_while_table_grows);
    suite_add_tcase(s, tc);

    tc = tcase_create("releasing");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_names_released_with_the_last_set_using_them);
    tcase_add_test(tc, test_graph_own_names_accepted_as_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("failures");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_rejected_and_invalid_sets_leave_no_names);
    tcase_add_test(tc, test_add_twin_alloc_failure_leaves_table_unchanged);
    tcase_add_test(tc, test_set_property_alloc_failure_leaves_table_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("moves");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_graph_swap_moves_the_tables);
    tcase_add_test(tc, test_snapshot_round_trip_identical_and_shared);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(graph_pnames_suite());
}
