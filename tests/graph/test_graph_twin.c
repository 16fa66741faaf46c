/* Unit tests of the graph module: twins, their models and properties,
 * counts and the error record. */
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
#define VALVE "dtmi:com:example:Valve;1"

/* Shorthands for the fixture's graph. */
#define FAILS(call, want) ASSERT_FAILS_UNCHANGED(g, call, want)
#define OK(call) ASSERT_OK(g, call)

static void add_ab_rel(void)
{
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    OK(twin_graph_add_twin(g, "b", VALVE, NULL, 0));
    OK(twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
}

/* ---- add_twin ------------------------------------------------------------- */

START_TEST(test_add_twin_new_id_returns_ok_and_is_found)
{
    const char *model = NULL;
    OK(twin_graph_add_twin(g, "pump-1", PUMP, NULL, 0));
    ck_assert_uint_eq(twin_graph_twin_count(g), 1);
    ck_assert_int_eq(twin_graph_find_twin(g, "pump-1", &model), TWIN_OK);
    ck_assert_str_eq(model, PUMP);
}
END_TEST

START_TEST(test_add_twin_duplicate_id_returns_exists)
{
    twin_member m = {"rpm", twin_value_int(5)};
    OK(twin_graph_add_twin(g, "p", PUMP, &m, 1));
    FAILS(twin_graph_add_twin(g, "p", VALVE, NULL, 0), TWIN_E_EXISTS);
}
END_TEST

START_TEST(test_add_twin_null_pointer_returns_inval)
{
    twin_member m = {"rpm", twin_value_int(5)};
    ck_assert_int_eq(twin_graph_add_twin(NULL, "p", PUMP, NULL, 0), TWIN_E_INVAL);
    FAILS(twin_graph_add_twin(g, NULL, PUMP, NULL, 0), TWIN_E_INVAL);
    FAILS(twin_graph_add_twin(g, "p", NULL, NULL, 0), TWIN_E_INVAL);
    FAILS(twin_graph_add_twin(g, "p", PUMP, NULL, 2), TWIN_E_INVAL);
    m.name = NULL;
    FAILS(twin_graph_add_twin(g, "p", PUMP, &m, 1), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_add_twin_empty_string_returns_inval)
{
    twin_member m = {"", twin_value_int(5)};
    FAILS(twin_graph_add_twin(g, "", PUMP, NULL, 0), TWIN_E_INVAL);
    FAILS(twin_graph_add_twin(g, "p", "", NULL, 0), TWIN_E_INVAL);
    FAILS(twin_graph_add_twin(g, "p", PUMP, &m, 1), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_add_twin_invalid_utf8_id_returns_inval)
{
    char buf[32];
    size_t i;
    int end;
    for (i = 0; i < N_BAD_UTF8; i++)
        for (end = 0; end < 2; end++)
            FAILS(twin_graph_add_twin(g, with_bad_utf8(buf, i, end), PUMP,
                                                          NULL, 0), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_add_twin_invalid_utf8_model_returns_inval)
{
    char buf[32];
    size_t i;
    int end;
    for (i = 0; i < N_BAD_UTF8; i++)
        for (end = 0; end < 2; end++)
            FAILS(twin_graph_add_twin(g, "p", with_bad_utf8(buf, i, end),
                                                          NULL, 0), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_add_twin_invalid_utf8_property_name_returns_inval)
{
    char buf[32];
    twin_member m;
    size_t i;
    m.value = twin_value_int(1);
    for (i = 0; i < N_BAD_UTF8; i++) {
        m.name = with_bad_utf8(buf, i, 0);
        FAILS(twin_graph_add_twin(g, "p", PUMP, &m, 1), TWIN_E_INVAL);
    }
}
END_TEST

START_TEST(test_add_twin_invalid_utf8_string_value_returns_inval)
{
    char buf[32];
    twin_member m;
    size_t i;
    m.name = "label";
    for (i = 0; i < N_BAD_UTF8; i++) {
        m.value = twin_value_string(with_bad_utf8(buf, i, 1));
        FAILS(twin_graph_add_twin(g, "p", PUMP, &m, 1), TWIN_E_INVAL);
    }
}
END_TEST

START_TEST(test_add_twin_multibyte_utf8_id_is_found)
{
    const char *id = "Pumpe-\xc3\x9c-\xe6\xb8\xa9\xe5\xba\xa6-\xf0\x9f\x9a\x80";
    const char *model = NULL;
    OK(twin_graph_add_twin(g, id, "dtmi:\xc3\xa9:x;1", NULL, 0));
    ck_assert_int_eq(twin_graph_find_twin(g, id, &model), TWIN_OK);
    ck_assert_str_eq(model, "dtmi:\xc3\xa9:x;1");
    ck_assert_int_eq(twin_graph_find_twin(g, "Pumpe-\xc3\x9c", NULL), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_add_twin_id_of_max_bytes_accepted)
{
    char *id = str_repeat("x", TWIN_ID_MAX, "");
    char *mb = str_repeat("\xc3\x9c", TWIN_ID_MAX / 2, ""); /* 2-byte chars, max bytes */
    OK(twin_graph_add_twin(g, id, PUMP, NULL, 0));
    OK(twin_graph_add_twin(g, mb, PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_find_twin(g, id, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_find_twin(g, mb, NULL), TWIN_OK);
    free(id);
    free(mb);
}
END_TEST

START_TEST(test_add_twin_id_over_max_bytes_returns_range)
{
    char *id = str_repeat("x", TWIN_ID_MAX, "y");
    char *mb = str_repeat("\xc3\x9c", TWIN_ID_MAX / 2, "y"); /* 513 chars, 1025 bytes */
    FAILS(twin_graph_add_twin(g, id, PUMP, NULL, 0), TWIN_E_RANGE);
    FAILS(twin_graph_add_twin(g, mb, PUMP, NULL, 0), TWIN_E_RANGE);
    free(id);
    free(mb);
}
END_TEST

START_TEST(test_add_twin_model_length_limit_enforced)
{
    char *ok = str_repeat("m", TWIN_MODEL_ID_MAX, "");
    char *over = str_repeat("m", TWIN_MODEL_ID_MAX, "m");
    const char *model = NULL;
    FAILS(twin_graph_add_twin(g, "p", over, NULL, 0), TWIN_E_RANGE);
    OK(twin_graph_add_twin(g, "p", ok, NULL, 0));
    ck_assert_int_eq(twin_graph_find_twin(g, "p", &model), TWIN_OK);
    ck_assert_str_eq(model, ok);
    free(ok);
    free(over);
}
END_TEST

START_TEST(test_add_twin_property_name_over_max_returns_range)
{
    char *name = str_repeat("n", TWIN_ID_MAX, "n");
    twin_member m;
    m.name = name;
    m.value = twin_value_int(1);
    FAILS(twin_graph_add_twin(g, "p", PUMP, &m, 1), TWIN_E_RANGE);
    name[TWIN_ID_MAX] = '\0';
    OK(twin_graph_add_twin(g, "p", PUMP, &m, 1));
    free(name);
}
END_TEST

START_TEST(test_add_twin_duplicate_property_names_return_inval)
{
    twin_member m[3] = {{"a", twin_value_int(1)}, {"b", twin_value_int(2)},
                        {"a", twin_value_int(3)}};
    FAILS(twin_graph_add_twin(g, "p", PUMP, m, 3), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_add_twin_properties_kept_in_given_order)
{
    twin_member m[3] = {{"zeta", twin_value_int(1)}, {"alpha", twin_value_bool(1)},
                        {"mid", twin_value_string("s")}};
    const twin_member *out = NULL;
    size_t n = 0, i;
    OK(twin_graph_add_twin(g, "p", PUMP, m, 3));
    ck_assert_int_eq(twin_graph_get_properties(g, "p", &out, &n), TWIN_OK);
    ck_assert_uint_eq(n, 3);
    for (i = 0; i < 3; i++) {
        ck_assert_str_eq(out[i].name, m[i].name);
        ck_assert(value_equal(&out[i].value, &m[i].value));
    }
}
END_TEST

/* ---- remove_twin ---------------------------------------------------------- */

START_TEST(test_remove_twin_existing_returns_ok_and_is_gone)
{
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    OK(twin_graph_add_twin(g, "b", PUMP, NULL, 0));
    OK(twin_graph_remove_twin(g, "a", 0));
    ck_assert_uint_eq(twin_graph_twin_count(g), 1);
    ck_assert_int_eq(twin_graph_find_twin(g, "a", NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_find_twin(g, "b", NULL), TWIN_OK);
}
END_TEST

START_TEST(test_remove_twin_unknown_returns_notfound)
{
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    FAILS(twin_graph_remove_twin(g, "zz", 0), TWIN_E_NOTFOUND);
    FAILS(twin_graph_remove_twin(g, "zz", TWIN_REMOVE_RELATIONSHIPS), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_remove_twin_null_pointer_returns_inval)
{
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_remove_twin(NULL, "a", 0), TWIN_E_INVAL);
    FAILS(twin_graph_remove_twin(g, NULL, 0), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_remove_twin_with_relationships_no_flag_returns_constraint)
{
    add_ab_rel();
    OK(twin_graph_add_twin(g, "s", PUMP, NULL, 0));
    OK(twin_graph_add_relationship(g, "s", "self", "loops", "s", NULL, 0));
    /* source, target, and both ends of a self-relationship */
    FAILS(twin_graph_remove_twin(g, "a", 0), TWIN_E_CONSTRAINT);
    FAILS(twin_graph_remove_twin(g, "b", 0), TWIN_E_CONSTRAINT);
    FAILS(twin_graph_remove_twin(g, "s", 0), TWIN_E_CONSTRAINT);
}
END_TEST

START_TEST(test_remove_twin_with_flag_removes_relationships_both_directions)
{
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    OK(twin_graph_add_twin(g, "b", PUMP, NULL, 0));
    OK(twin_graph_add_twin(g, "c", PUMP, NULL, 0));
    OK(twin_graph_add_relationship(g, "a", "ab", "feeds", "b", NULL, 0));
    OK(twin_graph_add_relationship(g, "c", "ca", "feeds", "a", NULL, 0));
    OK(twin_graph_add_relationship(g, "a", "aa", "loops", "a", NULL, 0));
    OK(twin_graph_add_relationship(g, "b", "bc", "feeds", "c", NULL, 0));
    OK(twin_graph_remove_twin(g, "a", TWIN_REMOVE_RELATIONSHIPS));
    ck_assert_uint_eq(twin_graph_twin_count(g), 2);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 1);
    ck_assert_int_eq(twin_graph_find_relationship(g, "c", "ca", &r), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_find_relationship(g, "b", "bc", &r), TWIN_OK);
    ck_assert_uint_eq(rel_iter_count(g, "b", TWIN_DIRECTION_BOTH, NULL), 1);
    ck_assert_uint_eq(rel_iter_count(g, "b", TWIN_DIRECTION_INCOMING, NULL), 0);
    ck_assert_uint_eq(rel_iter_count(g, "c", TWIN_DIRECTION_OUTGOING, NULL), 0);
    ck_assert_uint_eq(rel_iter_count(g, "c", TWIN_DIRECTION_INCOMING, NULL), 1);
}
END_TEST

START_TEST(test_remove_twin_unknown_flag_bits_return_inval)
{
    add_ab_rel();
    FAILS(twin_graph_remove_twin(g, "a", 2u), TWIN_E_INVAL);
    FAILS(twin_graph_remove_twin(g, "a", TWIN_REMOVE_RELATIONSHIPS | 4u), TWIN_E_INVAL);
    FAILS(twin_graph_remove_twin(g, "b", 0x80000000u), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_remove_twin_then_readd_same_id_is_a_new_twin)
{
    twin_member m = {"rpm", twin_value_int(7)};
    const char *model = NULL;
    const twin_member *props = NULL;
    size_t n = 99;
    add_ab_rel();
    OK(twin_graph_set_property(g, "a", "rpm", &m.value));
    OK(twin_graph_remove_twin(g, "a", TWIN_REMOVE_RELATIONSHIPS));
    OK(twin_graph_add_twin(g, "a", VALVE, NULL, 0));
    ck_assert_int_eq(twin_graph_find_twin(g, "a", &model), TWIN_OK);
    ck_assert_str_eq(model, VALVE);
    ck_assert_int_eq(twin_graph_get_properties(g, "a", &props, &n), TWIN_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(props);
    ck_assert_uint_eq(rel_iter_count(g, "a", TWIN_DIRECTION_BOTH, NULL), 0);
    OK(twin_graph_add_relationship(g, "a", "r1", "feeds", "b", NULL, 0));
    ck_assert_uint_eq(twin_graph_relationship_count(g), 1);
}
END_TEST

/* ---- find_twin ------------------------------------------------------------ */

START_TEST(test_find_twin_unknown_returns_notfound_and_null_model)
{
    const char *model = "sentinel";
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_find_twin(g, "b", &model), TWIN_E_NOTFOUND);
    ck_assert_ptr_null(model);
    ck_assert_int_eq(twin_graph_find_twin(g, "", &model), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_find_twin_null_pointer_returns_inval)
{
    const char *model = "sentinel";
    ck_assert_int_eq(twin_graph_find_twin(NULL, "a", &model), TWIN_E_INVAL);
    ck_assert_ptr_null(model);
    model = "sentinel";
    ck_assert_int_eq(twin_graph_find_twin(g, NULL, &model), TWIN_E_INVAL);
    ck_assert_ptr_null(model);
}
END_TEST

/* Long ids, so that the removals free enough string space for the graph
 * to reclaim it internally. */
#define LONG_TWIN_FMT "twin-%d-with-a-longer-identifier-so-removals-free-space"

START_TEST(test_find_twin_after_many_adds_and_removes_finds_exactly_present)
{
    char id[96];
    int i;
    for (i = 0; i < 10000; i++) {
        snprintf(id, sizeof id, LONG_TWIN_FMT, i);
        OK(twin_graph_add_twin(g, id, (i % 3) ? PUMP : VALVE, NULL, 0));
    }
    for (i = 0; i < 10000; i += 2) {
        snprintf(id, sizeof id, LONG_TWIN_FMT, i);
        OK(twin_graph_remove_twin(g, id, 0));
    }
    for (i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "new-%d", i);
        OK(twin_graph_add_twin(g, id, PUMP, NULL, 0));
    }
    ck_assert_uint_eq(twin_graph_twin_count(g), 10000);
    for (i = 0; i < 10000; i++) {
        const char *model = NULL;
        snprintf(id, sizeof id, LONG_TWIN_FMT, i);
        if (i % 2 == 0) {
            ck_assert_int_eq(twin_graph_find_twin(g, id, &model), TWIN_E_NOTFOUND);
        } else {
            ck_assert_int_eq(twin_graph_find_twin(g, id, &model), TWIN_OK);
            ck_assert_str_eq(model, (i % 3) ? PUMP : VALVE);
        }
    }
    for (i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "new-%d", i);
        ck_assert_int_eq(twin_graph_find_twin(g, id, NULL), TWIN_OK);
    }
    for (i = 0; i < 10000; i += 2) {  /* removed ids are free again */
        snprintf(id, sizeof id, LONG_TWIN_FMT, i);
        OK(twin_graph_add_twin(g, id, VALVE, NULL, 0));
    }
    ck_assert_uint_eq(twin_graph_twin_count(g), 15000);
}
END_TEST

/* ---- set_model ------------------------------------------------------------ */

START_TEST(test_set_model_existing_twin_changes_model_keeps_rest)
{
    twin_member m = {"rpm", twin_value_int(3)};
    const char *model = NULL;
    const twin_member *props;
    size_t n;
    add_ab_rel();
    OK(twin_graph_set_property(g, "a", m.name, &m.value));
    OK(twin_graph_set_model(g, "a", VALVE));
    ck_assert_int_eq(twin_graph_find_twin(g, "a", &model), TWIN_OK);
    ck_assert_str_eq(model, VALVE);
    ck_assert_int_eq(twin_graph_get_properties(g, "a", &props, &n), TWIN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 1);
}
END_TEST

START_TEST(test_set_model_unknown_twin_returns_notfound)
{
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    FAILS(twin_graph_set_model(g, "b", VALVE), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_set_model_bad_model_returns_inval_or_range)
{
    char buf[32];
    char *over = str_repeat("m", TWIN_MODEL_ID_MAX, "m");
    size_t i;
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_set_model(NULL, "a", VALVE), TWIN_E_INVAL);
    FAILS(twin_graph_set_model(g, NULL, VALVE), TWIN_E_INVAL);
    FAILS(twin_graph_set_model(g, "a", NULL), TWIN_E_INVAL);
    FAILS(twin_graph_set_model(g, "a", ""), TWIN_E_INVAL);
    for (i = 0; i < N_BAD_UTF8; i++)
        FAILS(twin_graph_set_model(g, "a", with_bad_utf8(buf, i, 0)), TWIN_E_INVAL);
    FAILS(twin_graph_set_model(g, "a", over), TWIN_E_RANGE);
    free(over);
}
END_TEST

/* ---- properties ----------------------------------------------------------- */

START_TEST(test_set_property_new_names_appended_in_order)
{
    static const char *const names[] = {"c", "a", "b", "\xe6\xb8\xa9\xe5\xba\xa6"};
    const twin_member *props = NULL;
    size_t n = 0, i;
    OK(twin_graph_add_twin(g, "p", PUMP, NULL, 0));
    for (i = 0; i < 4; i++) {
        twin_value v = twin_value_int((int64_t)i);
        OK(twin_graph_set_property(g, "p", names[i], &v));
    }
    ck_assert_int_eq(twin_graph_get_properties(g, "p", &props, &n), TWIN_OK);
    ck_assert_uint_eq(n, 4);
    for (i = 0; i < 4; i++) {
        ck_assert_str_eq(props[i].name, names[i]);
        ck_assert_int_eq(props[i].value.type, TWIN_VALUE_INT);
        ck_assert_int_eq(props[i].value.as.i, (int64_t)i);
    }
}
END_TEST

START_TEST(test_set_property_replace_keeps_position)
{
    twin_member m[3] = {{"x", twin_value_int(1)}, {"y", twin_value_int(2)},
                        {"z", twin_value_int(3)}};
    twin_value v = twin_value_string("replaced");
    const twin_member *props = NULL;
    const twin_value *got = NULL;
    size_t n = 0;
    OK(twin_graph_add_twin(g, "p", PUMP, m, 3));
    OK(twin_graph_set_property(g, "p", "y", &v));
    ck_assert_int_eq(twin_graph_get_properties(g, "p", &props, &n), TWIN_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(props[0].name, "x");
    ck_assert_str_eq(props[1].name, "y");
    ck_assert_str_eq(props[2].name, "z");
    ck_assert(value_equal(&props[1].value, &v));
    ck_assert_int_eq(twin_graph_get_property(g, "p", "y", &got), TWIN_OK);
    ck_assert(value_equal(got, &v));
}
END_TEST

START_TEST(test_set_property_unknown_twin_returns_notfound)
{
    twin_value v = twin_value_int(1);
    OK(twin_graph_add_twin(g, "p", PUMP, NULL, 0));
    FAILS(twin_graph_set_property(g, "q", "x", &v), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_set_property_bad_argument_returns_inval)
{
    twin_value v = twin_value_int(1);
    char buf[32];
    size_t i;
    OK(twin_graph_add_twin(g, "p", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_set_property(NULL, "p", "x", &v), TWIN_E_INVAL);
    FAILS(twin_graph_set_property(g, NULL, "x", &v), TWIN_E_INVAL);
    FAILS(twin_graph_set_property(g, "p", NULL, &v), TWIN_E_INVAL);
    FAILS(twin_graph_set_property(g, "p", "x", NULL), TWIN_E_INVAL);
    FAILS(twin_graph_set_property(g, "p", "", &v), TWIN_E_INVAL);
    for (i = 0; i < N_BAD_UTF8; i++)
        FAILS(twin_graph_set_property(g, "p", with_bad_utf8(buf, i, 1), &v), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_set_property_name_length_limit_enforced)
{
    char *name = str_repeat("n", TWIN_ID_MAX, "n");
    twin_value v = twin_value_int(1);
    const twin_value *got;
    OK(twin_graph_add_twin(g, "p", PUMP, NULL, 0));
    FAILS(twin_graph_set_property(g, "p", name, &v), TWIN_E_RANGE);
    name[TWIN_ID_MAX] = '\0';
    OK(twin_graph_set_property(g, "p", name, &v));
    ck_assert_int_eq(twin_graph_get_property(g, "p", name, &got), TWIN_OK);
    free(name);
}
END_TEST

START_TEST(test_get_property_missing_returns_notfound_and_null)
{
    const twin_value *got = (const twin_value *)(const void *)"x";
    twin_member m = {"x", twin_value_int(1)};
    OK(twin_graph_add_twin(g, "p", PUMP, &m, 1));
    ck_assert_int_eq(twin_graph_get_property(g, "p", "y", &got), TWIN_E_NOTFOUND);
    ck_assert_ptr_null(got);
    got = &m.value;
    ck_assert_int_eq(twin_graph_get_property(g, "q", "x", &got), TWIN_E_NOTFOUND);
    ck_assert_ptr_null(got);
}
END_TEST

START_TEST(test_get_property_null_pointer_returns_inval)
{
    const twin_value *got = NULL;
    twin_member m = {"x", twin_value_int(1)};
    OK(twin_graph_add_twin(g, "p", PUMP, &m, 1));
    ck_assert_int_eq(twin_graph_get_property(NULL, "p", "x", &got), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_get_property(g, NULL, "x", &got), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_get_property(g, "p", NULL, &got), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_get_property(g, "p", "x", NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_remove_property_existing_keeps_order_of_rest)
{
    twin_member m[3] = {{"x", twin_value_int(1)}, {"y", twin_value_int(2)},
                        {"z", twin_value_int(3)}};
    const twin_member *props = NULL;
    const twin_value *got;
    size_t n = 0;
    OK(twin_graph_add_twin(g, "p", PUMP, m, 3));
    OK(twin_graph_remove_property(g, "p", "y"));
    ck_assert_int_eq(twin_graph_get_property(g, "p", "y", &got), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_get_properties(g, "p", &props, &n), TWIN_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(props[0].name, "x");
    ck_assert_str_eq(props[1].name, "z");
    ck_assert_int_eq(props[1].value.as.i, 3);
}
END_TEST

START_TEST(test_remove_property_missing_returns_notfound)
{
    twin_member m = {"x", twin_value_int(1)};
    OK(twin_graph_add_twin(g, "p", PUMP, &m, 1));
    FAILS(twin_graph_remove_property(g, "p", "y"), TWIN_E_NOTFOUND);
    FAILS(twin_graph_remove_property(g, "q", "x"), TWIN_E_NOTFOUND);
}
END_TEST

START_TEST(test_remove_property_null_pointer_returns_inval)
{
    twin_member m = {"x", twin_value_int(1)};
    OK(twin_graph_add_twin(g, "p", PUMP, &m, 1));
    ck_assert_int_eq(twin_graph_remove_property(NULL, "p", "x"), TWIN_E_INVAL);
    FAILS(twin_graph_remove_property(g, NULL, "x"), TWIN_E_INVAL);
    FAILS(twin_graph_remove_property(g, "p", NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_get_properties_none_gives_null_and_zero)
{
    const twin_member *props = (const twin_member *)(const void *)"x";
    size_t n = 42;
    twin_member m = {"x", twin_value_int(1)};
    OK(twin_graph_add_twin(g, "p", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_get_properties(g, "p", &props, &n), TWIN_OK);
    ck_assert_ptr_null(props);
    ck_assert_uint_eq(n, 0);
    OK(twin_graph_set_property(g, "p", "x", &m.value));
    OK(twin_graph_remove_property(g, "p", "x"));
    props = &m;
    n = 42;
    ck_assert_int_eq(twin_graph_get_properties(g, "p", &props, &n), TWIN_OK);
    ck_assert_ptr_null(props);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_get_properties_unknown_twin_returns_notfound)
{
    twin_member m = {"x", twin_value_int(1)};
    const twin_member *props = &m;
    size_t n = 42;
    ck_assert_int_eq(twin_graph_get_properties(g, "nope", &props, &n), TWIN_E_NOTFOUND);
    ck_assert_ptr_null(props);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_get_properties_null_pointer_returns_inval)
{
    const twin_member *props;
    size_t n;
    OK(twin_graph_add_twin(g, "p", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_get_properties(NULL, "p", &props, &n), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_get_properties(g, NULL, &props, &n), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_get_properties(g, "p", NULL, &n), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_get_properties(g, "p", &props, NULL), TWIN_E_INVAL);
}
END_TEST

/* ---- counts and errors ---------------------------------------------------- */

START_TEST(test_counts_null_graph_return_zero)
{
    ck_assert_uint_eq(twin_graph_twin_count(NULL), 0);
    ck_assert_uint_eq(twin_graph_relationship_count(NULL), 0);
}
END_TEST

START_TEST(test_last_error_null_graph_returns_record)
{
    const twin_error *e = twin_graph_last_error(NULL);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(e->message);
    ck_assert_msg(e->message[0] != '\0', "the NULL-graph record should say so");
}
END_TEST

START_TEST(test_last_error_fresh_graph_is_ok_and_empty)
{
    const twin_error *e = twin_graph_last_error(g);
    ck_assert_int_eq(e->status, TWIN_OK);
    ck_assert_ptr_nonnull(e->message);
    ck_assert_str_eq(e->message, "");
}
END_TEST

START_TEST(test_last_error_unchanged_by_reads_and_later_success)
{
    const twin_value *v;
    const twin_member *props;
    size_t n;
    twin_cursor c;
    OK(twin_graph_add_twin(g, "a", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_add_twin(g, "a", PUMP, NULL, 0), TWIN_E_EXISTS);
    ck_assert_int_eq(twin_graph_find_twin(g, "nope", NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_get_property(g, "a", "nope", &v), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_get_properties(g, "nope", &props, &n), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "nope", TWIN_DIRECTION_BOTH,
                                                    NULL), TWIN_E_NOTFOUND);
    ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_EXISTS);
    OK(twin_graph_add_twin(g, "b", PUMP, NULL, 0));
    ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_EXISTS);
    ck_assert_str_ne(twin_graph_last_error(g)->message, "");
}
END_TEST

static Suite *graph_twin_suite(void)
{
    Suite *s = suite_create("graph_twin");
    TCase *tc;

    tc = tcase_create("add_twin");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_add_twin_new_id_returns_ok_and_is_found);
    tcase_add_test(tc, test_add_twin_duplicate_id_returns_exists);
    tcase_add_test(tc, test_add_twin_null_pointer_returns_inval);
    tcase_add_test(tc, test_add_twin_empty_string_returns_inval);
    tcase_add_test(tc, test_add_twin_invalid_utf8_id_returns_inval);
    tcase_add_test(tc, test_add_twin_invalid_utf8_model_returns_inval);
    tcase_add_test(tc, test_add_twin_invalid_utf8_property_name_returns_inval);
    tcase_add_test(tc, test_add_twin_invalid_utf8_string_value_returns_inval);
    tcase_add_test(tc, test_add_twin_multibyte_utf8_id_is_found);
    tcase_add_test(tc, test_add_twin_id_of_max_bytes_accepted);
    tcase_add_test(tc, test_add_twin_id_over_max_bytes_returns_range);
    tcase_add_test(tc, test_add_twin_model_length_limit_enforced);
    tcase_add_test(tc, test_add_twin_property_name_over_max_returns_range);
    tcase_add_test(tc, test_add_twin_duplicate_property_names_return_inval);
    tcase_add_test(tc, test_add_twin_properties_kept_in_given_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("remove_twin");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_remove_twin_existing_returns_ok_and_is_gone);
    tcase_add_test(tc, test_remove_twin_unknown_returns_notfound);
    tcase_add_test(tc, test_remove_twin_null_pointer_returns_inval);
    tcase_add_test(tc, test_remove_twin_with_relationships_no_flag_returns_constraint);
    tcase_add_test(tc, test_remove_twin_with_flag_removes_relationships_both_directions);
    tcase_add_test(tc, test_remove_twin_unknown_flag_bits_return_inval);
    tcase_add_test(tc, test_remove_twin_then_readd_same_id_is_a_new_twin);
    suite_add_tcase(s, tc);

    tc = tcase_create("find_twin");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_find_twin_unknown_returns_notfound_and_null_model);
    tcase_add_test(tc, test_find_twin_null_pointer_returns_inval);
    tcase_add_test(tc, test_find_twin_after_many_adds_and_removes_finds_exactly_present);
    suite_add_tcase(s, tc);

    tc = tcase_create("set_model");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_set_model_existing_twin_changes_model_keeps_rest);
    tcase_add_test(tc, test_set_model_unknown_twin_returns_notfound);
    tcase_add_test(tc, test_set_model_bad_model_returns_inval_or_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("properties");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_set_property_new_names_appended_in_order);
    tcase_add_test(tc, test_set_property_replace_keeps_position);
    tcase_add_test(tc, test_set_property_unknown_twin_returns_notfound);
    tcase_add_test(tc, test_set_property_bad_argument_returns_inval);
    tcase_add_test(tc, test_set_property_name_length_limit_enforced);
    tcase_add_test(tc, test_get_property_missing_returns_notfound_and_null);
    tcase_add_test(tc, test_get_property_null_pointer_returns_inval);
    tcase_add_test(tc, test_remove_property_existing_keeps_order_of_rest);
    tcase_add_test(tc, test_remove_property_missing_returns_notfound);
    tcase_add_test(tc, test_remove_property_null_pointer_returns_inval);
    tcase_add_test(tc, test_get_properties_none_gives_null_and_zero);
    tcase_add_test(tc, test_get_properties_unknown_twin_returns_notfound);
    tcase_add_test(tc, test_get_properties_null_pointer_returns_inval);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, graph_setup, graph_teardown);
    tcase_add_test(tc, test_counts_null_graph_return_zero);
    tcase_add_test(tc, test_last_error_null_graph_returns_record);
    tcase_add_test(tc, test_last_error_fresh_graph_is_ok_and_empty);
    tcase_add_test(tc, test_last_error_unchanged_by_reads_and_later_success);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(graph_twin_suite());
}
