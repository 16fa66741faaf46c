/* Unit tests of the graph module: relationships and their properties. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "support/failalloc.h"
#include "support/graphsnap.h"
#include "support/fixture.h"
#include "support/run.h"

#define PUMP "dtmi:com:example:Pump;1"

static void setup(void)
{
    graph_setup();
    ASSERT_OK(g, twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    ASSERT_OK(g, twin_graph_add_twin(g, "b", PUMP, NULL, 0));
    ASSERT_OK(g, twin_graph_add_twin(g, "c", PUMP, NULL, 0));
}

/* ---- add / find ----------------------------------------------------------- */

START_TEST(test_add_relationship_new_is_found_with_fields)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ck_assert_uint_eq(twin_graph_relationship_count(g), 1);
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_OK);
    ck_assert_str_eq(r.id, "r1");
    ck_assert_str_eq(r.name, "feeds");
    ck_assert_str_eq(r.source_id, "a");
    ck_assert_str_eq(r.target_id, "b");
    ck_assert_uint_eq(r.property_count, 0);
    ck_assert_ptr_null(r.properties);
}
END_TEST

START_TEST(test_add_relationship_with_properties_stores_copies)
{
    char str[8] = "steel";
    twin_member m[2];
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    twin_value expect = twin_value_string("steel");
    uint32_t i;
    int seen = 0;
    m[0].name = "diameter";
    m[0].value = twin_value_double(0.25);
    m[1].name = "material";
    m[1].value = twin_value_string(str);
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", m, 2));
    strcpy(str, "brass");
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_OK);
    ck_assert_uint_eq(r.property_count, 2);
    ck_assert_ptr_nonnull(r.properties);
    for (i = 0; i < 2; i++) {
        if (strcmp(r.properties[i].name, "material") == 0) {
            ck_assert(value_equal(&r.properties[i].value, &expect));
            ck_assert(value_well_formed(&r.properties[i].value));
            seen |= 1;
        } else if (strcmp(r.properties[i].name, "diameter") == 0) {
            ck_assert(value_equal(&r.properties[i].value, &m[0].value));
            seen |= 2;
        }
    }
    ck_assert_int_eq(seen, 3);
}
END_TEST

START_TEST(test_add_relationship_self_allowed)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "loop", "recirculates", "a", NULL, 0));
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "loop", &r), TWIN_OK);
    ck_assert_str_eq(r.source_id, "a");
    ck_assert_str_eq(r.target_id, "a");
    ck_assert_uint_eq(twin_graph_relationship_count(g), 1);
}
END_TEST

START_TEST(test_add_relationship_same_id_other_source_allowed)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "c", NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, "b", "r1", "drains", "c", NULL, 0));
    ck_assert_uint_eq(twin_graph_relationship_count(g), 2);
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_OK);
    ck_assert_str_eq(r.name, "feeds");
    ck_assert_int_eq(twin_graph_find_relationship(g, "b", "r1", &r), TWIN_OK);
    ck_assert_str_eq(r.name, "drains");
    ck_assert_int_eq(twin_graph_find_relationship(g, "c", "r1", &r), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_add_relationship_same_source_and_id_returns_exists)
{
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0),
                           TWIN_E_EXISTS);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r1", "other", "c", NULL, 0),
                           TWIN_E_EXISTS);
}
END_TEST

START_TEST(test_add_relationship_dangling_end_returns_notfound)
{
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "x", "r2", "feeds", "b", NULL, 0),
                           TWIN_E_NOTFOUND);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r2", "feeds", "x", NULL, 0),
                           TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_add_relationship_null_pointer_returns_inval)
{
    twin_member m = {NULL, twin_value_int(1)};
    ck_assert_int_eq(twin_graph_add_relationship(NULL, "a", "r", "n", "b", NULL, 0),
                     TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, NULL, "r", "n", "b", NULL, 0),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", NULL, "n", "b", NULL, 0),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", NULL, "b", NULL, 0),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", "n", NULL, NULL, 0),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", "n", "b", NULL, 1),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", "n", "b", &m, 1),
                           TWIN_E_INVAL);
}
END_TEST

START_TEST(test_add_relationship_bad_string_returns_inval)
{
    twin_member dup[2] = {{"k", twin_value_int(1)}, {"k", twin_value_int(2)}};
    twin_member nan[1] = {{"k", twin_value_double(0.0)}};
    nan[0].value.as.d = NAN;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "", "n", "b", NULL, 0),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", "", "b", NULL, 0),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r\xc0\xaf", "n", "b",
                                                          NULL, 0), TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", "n\xed\xa0\x80", "b",
                                                          NULL, 0), TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", "n", "b", dup, 2),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", "n", "b", nan, 1),
                           TWIN_E_INVAL);
}
END_TEST

START_TEST(test_add_relationship_identifier_length_limits_enforced)
{
    char *max = str_repeat("r", TWIN_ID_MAX, ""), *over = str_repeat("r", TWIN_ID_MAX, "r");
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", over, "n", "b", NULL, 0),
                           TWIN_E_RANGE);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "a", "r", over, "b", NULL, 0),
                           TWIN_E_RANGE);
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", max, max, "b", NULL, 0));
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", max, &r), TWIN_OK);
    ck_assert_str_eq(r.name, max);
    free(max);
    free(over);
}
END_TEST

START_TEST(test_find_relationship_missing_returns_notfound)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r2", &r), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_find_relationship(g, "b", "r1", &r), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_find_relationship(g, "x", "r1", &r), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_find_relationship_bad_argument_returns_inval)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ck_assert_int_eq(twin_graph_find_relationship(NULL, "a", "r1", &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_find_relationship(g, NULL, "r1", &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", NULL, &r), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", NULL), TWIN_E_INVAL);
    r.size = 4; /* below the smallest size-first struct */
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_E_INVAL);
    r.size = 0;
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_E_INVAL);
}
END_TEST

/* ---- remove --------------------------------------------------------------- */

START_TEST(test_remove_relationship_existing_is_gone_everywhere)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r2", "feeds", "c", NULL, 0));
    ASSERT_OK(g, twin_graph_remove_relationship(g, "a", "r1"));
    ck_assert_uint_eq(twin_graph_relationship_count(g), 1);
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(rel_iter_count(g, "a", TWIN_DIRECTION_OUTGOING, NULL), 1);
    ck_assert_uint_eq(rel_iter_count(g, "b", TWIN_DIRECTION_INCOMING, NULL), 0);
    ASSERT_OK(g, twin_graph_remove_twin(g, "b", 0));  /* no longer constrained */
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "c", NULL, 0));
}
END_TEST

START_TEST(test_remove_relationship_missing_returns_notfound)
{
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship(g, "a", "r2"), TWIN_E_NOTFOUND);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship(g, "b", "r1"), TWIN_E_NOTFOUND);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship(g, "x", "r1"), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_remove_relationship_null_pointer_returns_inval)
{
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ck_assert_int_eq(twin_graph_remove_relationship(NULL, "a", "r1"), TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship(g, NULL, "r1"), TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship(g, "a", NULL), TWIN_E_INVAL);
}
END_TEST

/* ---- relationship properties ---------------------------------------------- */

static const twin_value *rel_prop(const char *src, const char *id, const char *name)
{
    static twin_relationship r;
    uint32_t i;
    r.size = sizeof r;
    ck_assert_int_eq(twin_graph_find_relationship(g, src, id, &r), TWIN_OK);
    for (i = 0; i < r.property_count; i++)
        if (strcmp(r.properties[i].name, name) == 0) return &r.properties[i].value;
    return NULL;
}

START_TEST(test_set_relationship_property_adds_and_replaces)
{
    twin_value v1 = twin_value_int(1), v2 = twin_value_string("two");
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ASSERT_OK(g, twin_graph_set_relationship_property(g, "a", "r1", "k", &v1));
    ck_assert(value_equal(rel_prop("a", "r1", "k"), &v1));
    ASSERT_OK(g, twin_graph_set_relationship_property(g, "a", "r1", "k", &v2));
    ck_assert(value_equal(rel_prop("a", "r1", "k"), &v2));
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_OK);
    ck_assert_uint_eq(r.property_count, 1);
}
END_TEST

START_TEST(test_set_relationship_property_missing_relationship_returns_notfound)
{
    twin_value v = twin_value_int(1);
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", "r2", "k", &v),
                           TWIN_E_NOTFOUND);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "x", "r1", "k", &v),
                           TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_set_relationship_property_bad_argument_returns_inval_or_range)
{
    twin_value v = twin_value_int(1), bad = twin_value_null();
    char *over = str_repeat("k", TWIN_ID_MAX, "k");
    bad.type = 99;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ck_assert_int_eq(twin_graph_set_relationship_property(NULL, "a", "r1", "k", &v),
                     TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, NULL, "r1", "k", &v),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", NULL, "k", &v),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", "r1", NULL, &v),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", "r1", "k", NULL),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", "r1", "", &v),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", "r1", "\xff", &v),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", "r1", "k", &bad),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "a", "r1", over, &v),
                           TWIN_E_RANGE);
    free(over);
}
END_TEST

START_TEST(test_remove_relationship_property_existing_is_gone)
{
    twin_member m[2] = {{"k", twin_value_int(1)}, {"j", twin_value_int(2)}};
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", m, 2));
    ASSERT_OK(g, twin_graph_remove_relationship_property(g, "a", "r1", "k"));
    ck_assert_ptr_null(rel_prop("a", "r1", "k"));
    ck_assert(value_equal(rel_prop("a", "r1", "j"), &m[1].value));
    ASSERT_OK(g, twin_graph_remove_relationship_property(g, "a", "r1", "j"));
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "r1", &r), TWIN_OK);
    ck_assert_uint_eq(r.property_count, 0);
    ck_assert_ptr_null(r.properties);
}
END_TEST

START_TEST(test_remove_relationship_property_missing_returns_notfound)
{
    twin_member m = {"k", twin_value_int(1)};
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", &m, 1));
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship_property(g, "a", "r1", "z"),
                           TWIN_E_NOTFOUND);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship_property(g, "a", "r2", "k"),
                           TWIN_E_NOTFOUND);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship_property(g, "x", "r1", "k"),
                           TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_remove_relationship_property_null_pointer_returns_inval)
{
    twin_member m = {"k", twin_value_int(1)};
    ASSERT_OK(g, twin_graph_add_relationship(g, "a", "r1", "feeds", "b", &m, 1));
    ck_assert_int_eq(twin_graph_remove_relationship_property(NULL, "a", "r1", "k"),
                     TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship_property(g, NULL, "r1", "k"),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship_property(g, "a", NULL, "k"),
                           TWIN_E_INVAL);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship_property(g, "a", "r1", NULL),
                           TWIN_E_INVAL);
}
END_TEST

/* ---- scale ---------------------------------------------------------------- */

#define MANY 5000

/* Long ids, so that removals free enough string space for the graph to
 * reclaim it internally. */
static void rid(char *buf, int i)
{
    snprintf(buf, 96, "rel-%d-with-a-longer-identifier-so-removals-free-space", i);
}

START_TEST(test_relationships_many_outgoing_found_by_id)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    char id[96];
    int i;
    for (i = 0; i < MANY; i++) {
        rid(id, i);
        ASSERT_OK(g, twin_graph_add_relationship(g, "a", id, "feeds", (i % 2) ? "b" : "c",
                                                 NULL, 0));
    }
    ck_assert_uint_eq(twin_graph_relationship_count(g), MANY);
    for (i = 0; i < MANY; i++) {
        rid(id, i);
        ck_assert_int_eq(twin_graph_find_relationship(g, "a", id, &r), TWIN_OK);
        ck_assert_str_eq(r.id, id);
        ck_assert_str_eq(r.target_id, (i % 2) ? "b" : "c");
    }
    rid(id, MANY / 2);
    ck_assert_int_eq(twin_graph_add_relationship(g, "a", id, "feeds", "b", NULL, 0),
                     TWIN_E_EXISTS);
    rid(id, MANY - 1);
    ck_assert_int_eq(twin_graph_add_relationship(g, "a", id, "x", "a", NULL, 0),
                     TWIN_E_EXISTS);
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "rel-x", &r), TWIN_E_NOTFOUND);
    ck_assert_uint_eq(twin_graph_relationship_count(g), MANY);
    ck_assert_uint_eq(rel_iter_count(g, "a", TWIN_DIRECTION_OUTGOING, NULL), MANY);
    ck_assert_uint_eq(rel_iter_count(g, "b", TWIN_DIRECTION_INCOMING, NULL), MANY / 2);
}
END_TEST

START_TEST(test_relationships_many_outgoing_removed_and_readded)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    char id[96];
    int i, round;
    for (i = 0; i < MANY; i++) {
        rid(id, i);
        ASSERT_OK(g, twin_graph_add_relationship(g, "a", id, "feeds", "b", NULL, 0));
    }
    for (round = 0; round < 2; round++) {
        for (i = 0; i < MANY; i++) {
            if (i % 3 == 0) continue;
            rid(id, i);
            ASSERT_OK(g, twin_graph_remove_relationship(g, "a", id));
        }
        ck_assert_uint_eq(twin_graph_relationship_count(g), (MANY + 2) / 3);
        for (i = 0; i < MANY; i++) {
            rid(id, i);
            ck_assert_int_eq(twin_graph_find_relationship(g, "a", id, &r),
                             (i % 3 == 0) ? TWIN_OK : TWIN_E_NOTFOUND);
            if (i % 3 == 0)
                ck_assert_int_eq(twin_graph_add_relationship(g, "a", id, "f", "c", NULL, 0),
                                 TWIN_E_EXISTS);
        }
        ck_assert_uint_eq(rel_iter_count(g, "a", TWIN_DIRECTION_OUTGOING, NULL),
                          (MANY + 2) / 3);
        ck_assert_uint_eq(rel_iter_count(g, "b", TWIN_DIRECTION_INCOMING, NULL),
                          (MANY + 2) / 3);
        for (i = 0; i < MANY; i++) {  /* re-add what was removed, to another target */
            if (i % 3 == 0) continue;
            rid(id, i);
            ASSERT_OK(g, twin_graph_add_relationship(g, "a", id, "feeds", "c", NULL, 0));
        }
        ck_assert_uint_eq(twin_graph_relationship_count(g), MANY);
        for (i = 0; i < MANY; i++) {
            rid(id, i);
            ck_assert_int_eq(twin_graph_find_relationship(g, "a", id, &r), TWIN_OK);
            ck_assert_str_eq(r.target_id, (i % 3 == 0) ? "b" : "c");
        }
        ck_assert_uint_eq(rel_iter_count(g, "c", TWIN_DIRECTION_INCOMING, NULL),
                          MANY - (MANY + 2) / 3);
        for (i = 0; i < MANY; i++) {  /* next round: all back on b */
            if (i % 3 == 0) continue;
            rid(id, i);
            ASSERT_OK(g, twin_graph_remove_relationship(g, "a", id));
            ASSERT_OK(g, twin_graph_add_relationship(g, "a", id, "feeds", "b", NULL, 0));
        }
    }
}
END_TEST

START_TEST(test_relationships_hub_with_many_incoming)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    twin_cursor c;
    char id[32];
    int i, n = 0;
    unsigned char *seen = calloc(MANY, 1);
    ck_assert_ptr_nonnull(seen);
    ASSERT_OK(g, twin_graph_add_twin(g, "hub", PUMP, NULL, 0));
    for (i = 0; i < MANY; i++) {
        snprintf(id, sizeof id, "s%d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, PUMP, NULL, 0));
        ASSERT_OK(g, twin_graph_add_relationship(g, id, "up", "feeds", "hub", NULL, 0));
    }
    for (i = 0; i < MANY; i++) {
        snprintf(id, sizeof id, "s%d", i);
        ck_assert_int_eq(twin_graph_find_relationship(g, id, "up", &r), TWIN_OK);
        ck_assert_str_eq(r.target_id, "hub");
    }
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "hub", TWIN_DIRECTION_INCOMING,
                                                    NULL), TWIN_OK);
    while (twin_graph_relationships_next(g, &c, &r) == TWIN_OK) {
        int k = atoi(r.source_id + 1);
        ck_assert(k >= 0 && k < MANY && !seen[k]);
        seen[k] = 1;
        n++;
    }
    ck_assert_int_eq(n, MANY);
    for (i = 0; i < MANY; i += 2) {
        snprintf(id, sizeof id, "s%d", i);
        ASSERT_OK(g, twin_graph_remove_relationship(g, id, "up"));
    }
    ck_assert_uint_eq(rel_iter_count(g, "hub", TWIN_DIRECTION_INCOMING, NULL), MANY / 2);
    ASSERT_OK(g, twin_graph_remove_twin(g, "hub", TWIN_REMOVE_RELATIONSHIPS));
    ck_assert_uint_eq(twin_graph_relationship_count(g), 0);
    ck_assert_uint_eq(rel_iter_count(g, "s1", TWIN_DIRECTION_BOTH, NULL), 0);
    free(seen);
}
END_TEST

static Suite *graph_rel_suite(void)
{
    Suite *s = suite_create("graph_rel");
    TCase *tc;

    tc = tcase_create("add_find");
    tcase_add_checked_fixture(tc, setup, graph_teardown);
    tcase_add_test(tc, test_add_relationship_new_is_found_with_fields);
    tcase_add_test(tc, test_add_relationship_with_properties_stores_copies);
    tcase_add_test(tc, test_add_relationship_self_allowed);
    tcase_add_test(tc, test_add_relationship_same_id_other_source_allowed);
    tcase_add_test(tc, test_add_relationship_same_source_and_id_returns_exists);
    tcase_add_test(tc, test_add_relationship_dangling_end_returns_notfound);
    tcase_add_test(tc, test_add_relationship_null_pointer_returns_inval);
    tcase_add_test(tc, test_add_relationship_bad_string_returns_inval);
    tcase_add_test(tc, test_add_relationship_identifier_length_limits_enforced);
    tcase_add_test(tc, test_find_relationship_missing_returns_notfound);
    tcase_add_test(tc, test_find_relationship_bad_argument_returns_inval);
    suite_add_tcase(s, tc);

    tc = tcase_create("remove");
    tcase_add_checked_fixture(tc, setup, graph_teardown);
    tcase_add_test(tc, test_remove_relationship_existing_is_gone_everywhere);
    tcase_add_test(tc, test_remove_relationship_missing_returns_notfound);
    tcase_add_test(tc, test_remove_relationship_null_pointer_returns_inval);
    suite_add_tcase(s, tc);

    tc = tcase_create("properties");
    tcase_add_checked_fixture(tc, setup, graph_teardown);
    tcase_add_test(tc, test_set_relationship_property_adds_and_replaces);
    tcase_add_test(tc, test_set_relationship_property_missing_relationship_returns_notfound);
    tcase_add_test(tc, test_set_relationship_property_bad_argument_returns_inval_or_range);
    tcase_add_test(tc, test_remove_relationship_property_existing_is_gone);
    tcase_add_test(tc, test_remove_relationship_property_missing_returns_notfound);
    tcase_add_test(tc, test_remove_relationship_property_null_pointer_returns_inval);
    suite_add_tcase(s, tc);

    tc = tcase_create("scale");
    tcase_add_checked_fixture(tc, setup, graph_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_relationships_many_outgoing_found_by_id);
    tcase_add_test(tc, test_relationships_many_outgoing_removed_and_readded);
    tcase_add_test(tc, test_relationships_hub_with_many_incoming);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(graph_rel_suite());
}
