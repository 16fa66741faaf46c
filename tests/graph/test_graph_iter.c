/* Unit tests of the graph module: iteration over twins and relationships. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "support/failalloc.h"
#include "support/graphsnap.h"
#include "support/fixture.h"
#include "support/run.h"

#define PUMP "dtmi:com:example:Pump;1"

static void add(const char *id)
{
    ASSERT_OK(g, twin_graph_add_twin(g, id, PUMP, NULL, 0));
}

static void rel(const char *src, const char *id, const char *name, const char *dst)
{
    ASSERT_OK(g, twin_graph_add_relationship(g, src, id, name, dst, NULL, 0));
}

/* The relationships of a twin as "src/id" joined by spaces. */
static const char *rels(char *buf, size_t cap, const char *twin, twin_direction dir,
                        const char *name)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    twin_status st;
    size_t n = 0;
    buf[0] = '\0';
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, twin, dir, name), TWIN_OK);
    while ((st = twin_graph_relationships_next(g, &c, &r)) == TWIN_OK) {
        n += (size_t)snprintf(buf + n, cap - n, "%s%s/%s", n ? " " : "", r.source_id, r.id);
        ck_assert_uint_lt(n, cap);
        if (name) ck_assert_str_eq(r.name, name);
    }
    ck_assert_int_eq(st, TWIN_DONE);
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_DONE);
    return buf;
}

/* ---- twins ---------------------------------------------------------------- */

START_TEST(test_twins_next_empty_graph_returns_done)
{
    twin_cursor c;
    const char *id = "x", *model = "x";
    ck_assert_int_eq(twin_graph_twins_begin(g, &c), TWIN_OK);
    ck_assert_int_eq(twin_graph_twins_next(g, &c, &id, &model), TWIN_DONE);
    ck_assert_ptr_null(id);
    ck_assert_int_eq(twin_graph_twins_next(g, &c, &id, &model), TWIN_DONE);
}
END_TEST

START_TEST(test_twins_next_visits_each_twin_once_with_model)
{
    enum { N = 300 };
    unsigned char seen[N] = {0};
    char id[32], model[32];
    twin_cursor c;
    const char *tid, *tmodel;
    int i, n = 0;
    for (i = 0; i < N; i++) {
        snprintf(id, sizeof id, "t%d", i);
        snprintf(model, sizeof model, "dtmi:m%d;1", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, model, NULL, 0));
    }
    ck_assert_int_eq(twin_graph_twins_begin(g, &c), TWIN_OK);
    while (twin_graph_twins_next(g, &c, &tid, &tmodel) == TWIN_OK) {
        int k = atoi(tid + 1);
        ck_assert(k >= 0 && k < N && !seen[k]);
        seen[k] = 1;
        snprintf(model, sizeof model, "dtmi:m%d;1", k);
        ck_assert_str_eq(tmodel, model);
        n++;
    }
    ck_assert_int_eq(n, N);
    tid = "x";
    ck_assert_int_eq(twin_graph_twins_next(g, &c, &tid, NULL), TWIN_DONE);
    ck_assert_ptr_null(tid);
}
END_TEST

START_TEST(test_twins_next_follows_insertion_order)
{
    char id[32];
    twin_cursor c;
    const char *tid;
    int i;
    for (i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "z%d", 40 - i);
        add(id);
    }
    ck_assert_int_eq(twin_graph_twins_begin(g, &c), TWIN_OK);
    for (i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "z%d", 40 - i);
        ck_assert_int_eq(twin_graph_twins_next(g, &c, &tid, NULL), TWIN_OK);
        ck_assert_str_eq(tid, id);
    }
    ck_assert_int_eq(twin_graph_twins_next(g, &c, &tid, NULL), TWIN_DONE);
}
END_TEST

START_TEST(test_twins_next_after_removals_visits_exactly_present)
{
    enum { N = 200 };
    unsigned char seen[N + 50] = {0};
    char id[32];
    twin_cursor c;
    const char *tid;
    int i, n = 0;
    for (i = 0; i < N; i++) {
        snprintf(id, sizeof id, "t%d", i);
        add(id);
    }
    for (i = 1; i < N; i += 2) {
        snprintf(id, sizeof id, "t%d", i);
        ASSERT_OK(g, twin_graph_remove_twin(g, id, 0));
    }
    for (i = N; i < N + 50; i++) {
        snprintf(id, sizeof id, "t%d", i);
        add(id);
    }
    ck_assert_int_eq(twin_graph_twins_begin(g, &c), TWIN_OK);
    while (twin_graph_twins_next(g, &c, &tid, NULL) == TWIN_OK) {
        int k = atoi(tid + 1);
        ck_assert_msg(k >= 0 && k < N + 50 && !seen[k], "unexpected or repeated %s", tid);
        ck_assert_msg(k >= N || k % 2 == 0, "removed twin %s visited", tid);
        seen[k] = 1;
        n++;
    }
    ck_assert_int_eq(n, N / 2 + 50);
    ck_assert_uint_eq(twin_graph_twin_count(g), (size_t)n);
}
END_TEST

START_TEST(test_twins_iteration_null_pointer_returns_inval)
{
    twin_cursor c;
    const char *tid;
    add("a");
    ck_assert_int_eq(twin_graph_twins_begin(NULL, &c), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_twins_begin(g, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_twins_begin(g, &c), TWIN_OK);
    ck_assert_int_eq(twin_graph_twins_next(NULL, &c, &tid, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_twins_next(g, NULL, &tid, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_twins_next(g, &c, NULL, NULL), TWIN_E_INVAL);
}
END_TEST

/* ---- relationships -------------------------------------------------------- */

/* a->b r1, a->c r2, b->a r3, c->a r4, in that order. */
static void diamond(void)
{
    add("a");
    add("b");
    add("c");
    rel("a", "r1", "feeds", "b");
    rel("a", "r2", "contains", "c");
    rel("b", "r3", "feeds", "a");
    rel("c", "r4", "contains", "a");
}

START_TEST(test_relationships_outgoing_newest_first)
{
    char buf[256];
    diamond();
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_OUTGOING, NULL), "a/r2 a/r1");
}
END_TEST

START_TEST(test_relationships_incoming_newest_first)
{
    char buf[256];
    diamond();
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_INCOMING, NULL), "c/r4 b/r3");
}
END_TEST

START_TEST(test_relationships_both_outgoing_then_incoming)
{
    char buf[256];
    diamond();
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_BOTH, NULL),
                     "a/r2 a/r1 c/r4 b/r3");
    ck_assert_str_eq(rels(buf, sizeof buf, "b", TWIN_DIRECTION_BOTH, NULL), "b/r3 a/r1");
}
END_TEST

START_TEST(test_relationships_name_filter_only_matching)
{
    char buf[256];
    diamond();
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_BOTH, "feeds"), "a/r1 b/r3");
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_OUTGOING, "contains"), "a/r2");
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_INCOMING, "contains"), "c/r4");
}
END_TEST

START_TEST(test_relationships_unknown_name_immediately_done)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    diamond();
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "a", TWIN_DIRECTION_BOTH, "nosuch"),
                     TWIN_OK);
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_DONE);
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_DONE);
}
END_TEST

START_TEST(test_relationships_self_listed_once_with_both)
{
    char buf[256];
    add("a");
    add("b");
    add("c");
    rel("a", "r1", "feeds", "b");
    rel("a", "self", "loops", "a");
    rel("c", "r3", "feeds", "a");
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_BOTH, NULL),
                     "a/self a/r1 c/r3");
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_OUTGOING, NULL), "a/self a/r1");
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_INCOMING, NULL), "c/r3 a/self");
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_BOTH, "loops"), "a/self");
}
END_TEST

START_TEST(test_relationships_order_after_remove_and_readd)
{
    char buf[256];
    add("a");
    add("b");
    rel("a", "r1", "feeds", "b");
    rel("a", "r2", "feeds", "b");
    rel("a", "r3", "feeds", "b");
    ASSERT_OK(g, twin_graph_remove_relationship(g, "a", "r2"));
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_OUTGOING, NULL), "a/r3 a/r1");
    ck_assert_str_eq(rels(buf, sizeof buf, "b", TWIN_DIRECTION_INCOMING, NULL), "a/r3 a/r1");
    rel("a", "r2", "feeds", "b");
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_OUTGOING, NULL),
                     "a/r2 a/r3 a/r1");
    ck_assert_str_eq(rels(buf, sizeof buf, "b", TWIN_DIRECTION_INCOMING, NULL),
                     "a/r2 a/r3 a/r1");
}
END_TEST

START_TEST(test_relationships_none_immediately_done)
{
    char buf[16];
    add("lonely");
    ck_assert_str_eq(rels(buf, sizeof buf, "lonely", TWIN_DIRECTION_BOTH, NULL), "");
}
END_TEST

START_TEST(test_relationships_begin_unknown_twin_returns_notfound)
{
    twin_cursor c;
    add("a");
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "b", TWIN_DIRECTION_BOTH, NULL),
                     TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_relationships_begin_bad_argument_returns_inval)
{
    twin_cursor c;
    add("a");
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "a", (twin_direction)0, NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "a", (twin_direction)4, NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "a", (twin_direction)-1, NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_relationships_begin(NULL, &c, "a", TWIN_DIRECTION_BOTH, NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_relationships_begin(g, NULL, "a", TWIN_DIRECTION_BOTH, NULL),
                     TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, NULL, TWIN_DIRECTION_BOTH, NULL),
                     TWIN_E_INVAL);
}
END_TEST

START_TEST(test_relationships_next_bad_argument_returns_inval)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    diamond();
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "a", TWIN_DIRECTION_BOTH, NULL),
                     TWIN_OK);
    ck_assert_int_eq(twin_graph_relationships_next(NULL, &c, &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_relationships_next(g, NULL, &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, NULL), TWIN_E_INVAL);
    r.size = 4; /* below the smallest size-first struct */
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_E_INVAL);
    r.size = 0;
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_relationships_next_fills_fields_and_properties)
{
    twin_member m[2] = {{"w", twin_value_int(7)}, {"tag", twin_value_string("x")}};
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    add("a");
    add("b");
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "bare", "feeds", "b", NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "rich", "drains", "b", m, 2));
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "b", TWIN_DIRECTION_INCOMING,
                                                    NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_OK);
    ck_assert_str_eq(r.id, "rich");
    ck_assert_str_eq(r.name, "drains");
    ck_assert_str_eq(r.source_id, "a");
    ck_assert_str_eq(r.target_id, "b");
    ck_assert_uint_eq(r.property_count, 2);
    ck_assert_ptr_nonnull(r.properties);
    ck_assert(value_equal(&r.properties[0].value,
                          strcmp(r.properties[0].name, "w") == 0 ? &m[0].value : &m[1].value));
    ck_assert(value_equal(&r.properties[1].value,
                          strcmp(r.properties[1].name, "w") == 0 ? &m[0].value : &m[1].value));
    ck_assert_str_ne(r.properties[0].name, r.properties[1].name);
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_OK);
    ck_assert_str_eq(r.id, "bare");
    ck_assert_uint_eq(r.property_count, 0);
    ck_assert_ptr_null(r.properties);
    ck_assert_int_eq(twin_graph_relationships_next(g, &c, &r), TWIN_DONE);
}
END_TEST

START_TEST(test_cursors_nested_iterations_are_independent)
{
    twin_cursor ct;
    const char *tid;
    size_t total = 0;
    diamond();
    ck_assert_int_eq(twin_graph_twins_begin(g, &ct), TWIN_OK);
    while (twin_graph_twins_next(g, &ct, &tid, NULL) == TWIN_OK)
        total += rel_iter_count(g, tid, TWIN_DIRECTION_OUTGOING, NULL);
    ck_assert_uint_eq(total, 4);
}
END_TEST

START_TEST(test_relationships_after_twin_removal_with_flag)
{
    char buf[256];
    diamond();
    ASSERT_OK(g, twin_graph_remove_twin(g, "b", TWIN_REMOVE_RELATIONSHIPS));
    ck_assert_str_eq(rels(buf, sizeof buf, "a", TWIN_DIRECTION_BOTH, NULL), "a/r2 c/r4");
    ck_assert_str_eq(rels(buf, sizeof buf, "c", TWIN_DIRECTION_BOTH, NULL), "c/r4 a/r2");
}
END_TEST

static Suite *graph_iter_suite(void)
{
    Suite *s = suite_create("graph_iter");
    TCase *tc;

    tc = tcase_create("twins");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_twins_next_empty_graph_returns_done);
    tcase_add_test(tc, test_twins_next_visits_each_twin_once_with_model);
    tcase_add_test(tc, test_twins_next_follows_insertion_order);
    tcase_add_test(tc, test_twins_next_after_removals_visits_exactly_present);
    tcase_add_test(tc, test_twins_iteration_null_pointer_returns_inval);
    suite_add_tcase(s, tc);

    tc = tcase_create("relationships");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_relationships_outgoing_newest_first);
    tcase_add_test(tc, test_relationships_incoming_newest_first);
    tcase_add_test(tc, test_relationships_both_outgoing_then_incoming);
    tcase_add_test(tc, test_relationships_name_filter_only_matching);
    tcase_add_test(tc, test_relationships_unknown_name_immediately_done);
    tcase_add_test(tc, test_relationships_self_listed_once_with_both);
    tcase_add_test(tc, test_relationships_order_after_remove_and_readd);
    tcase_add_test(tc, test_relationships_none_immediately_done);
    tcase_add_test(tc, test_relationships_begin_unknown_twin_returns_notfound);
    tcase_add_test(tc, test_relationships_begin_bad_argument_returns_inval);
    tcase_add_test(tc, test_relationships_next_bad_argument_returns_inval);
    tcase_add_test(tc, test_relationships_next_fills_fields_and_properties);
    tcase_add_test(tc, test_cursors_nested_iterations_are_independent);
    tcase_add_test(tc, test_relationships_after_twin_removal_with_flag);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(graph_iter_suite());
}
