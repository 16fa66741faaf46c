/* Unit tests of the graph module: property values (types, limits, deep
 * copies) and the validator hook. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
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

static void setup(void)
{
    graph_setup();
    ASSERT_OK(g, twin_graph_add_twin(g, "t", PUMP, NULL, 0));
}

/* Set property "p" of twin "t" to v, read it back, compare. */
static void assert_roundtrip(const twin_value *v)
{
    const twin_value *got = NULL;
    char a[256], b[256];
    ASSERT_OK(g, twin_graph_set_property(g, "t", "p", v));
    ck_assert_int_eq(twin_graph_get_property(g, "t", "p", &got), TWIN_OK);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(value_equal(got, v), "stored %s, read back %s",
                  value_str(v, 1, a, sizeof a), value_str(got, 1, b, sizeof b));
    ck_assert_msg(value_well_formed(got), "read back a malformed value %s",
                  value_str(got, 1, b, sizeof b));
}

/* ---- round trips ---------------------------------------------------------- */

START_TEST(test_value_null_and_bool_round_trip)
{
    twin_value v = twin_value_null();
    assert_roundtrip(&v);
    v = twin_value_bool(1);
    assert_roundtrip(&v);
    v = twin_value_bool(0);
    assert_roundtrip(&v);
    v = twin_value_bool(42); /* helper normalises to 1 */
    ck_assert_int_eq(v.as.b, 1);
    assert_roundtrip(&v);
}
END_TEST

START_TEST(test_value_int_extremes_round_trip)
{
    static const int64_t ints[] = {0, 1, -1, INT64_MAX, INT64_MIN, INT32_MAX + INT64_C(1)};
    size_t i;
    for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        twin_value v = twin_value_int(ints[i]);
        assert_roundtrip(&v);
    }
}
END_TEST

START_TEST(test_value_double_special_finite_round_trip)
{
    const double ds[] = {0.0, -0.0, 0.1, -1e308, DBL_MAX, -DBL_MAX, DBL_MIN,
                         DBL_MIN / 4.0 /* subnormal */, DBL_TRUE_MIN};
    const twin_value *got;
    size_t i;
    twin_value v;
    for (i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        v = twin_value_double(ds[i]);
        assert_roundtrip(&v);
    }
    v = twin_value_double(-0.0);
    ASSERT_OK(g, twin_graph_set_property(g, "t", "z", &v));
    ck_assert_int_eq(twin_graph_get_property(g, "t", "z", &got), TWIN_OK);
    ck_assert(signbit(got->as.d));
}
END_TEST

START_TEST(test_value_string_round_trip_nul_terminated)
{
    static const char *const ss[] = {"", "plain", "Pumpe-\xc3\x9c-\xe6\xb8\xa9-\xf0\x9f\x9a\x80",
                                     "\xf4\x8f\xbf\xbf" /* U+10FFFF */};
    size_t i;
    for (i = 0; i < sizeof ss / sizeof ss[0]; i++) {
        twin_value v = twin_value_string(ss[i]);
        assert_roundtrip(&v);
    }
}
END_TEST

START_TEST(test_value_string_uses_len_not_terminator)
{
    const char buf[] = "abcdef";
    twin_value v = twin_value_string(buf);
    const twin_value *got;
    v.len = 3;
    ASSERT_OK(g, twin_graph_set_property(g, "t", "p", &v));
    ck_assert_int_eq(twin_graph_get_property(g, "t", "p", &got), TWIN_OK);
    ck_assert_uint_eq(got->len, 3);
    ck_assert_str_eq(got->as.s, "abc");
}
END_TEST

START_TEST(test_value_array_and_object_round_trip)
{
    twin_value items[5], inner[2];
    twin_member members[3], empty_m[1];
    twin_value v;
    inner[0] = twin_value_string("x");
    inner[1] = twin_value_null();
    items[0] = twin_value_int(1);
    items[1] = twin_value_double(2.5);
    items[2] = twin_value_bool(1);
    items[3] = twin_value_array(inner, 2);
    items[4] = twin_value_string("");
    members[0].name = "list";
    members[0].value = twin_value_array(items, 5);
    members[1].name = "\xc3\xbc" "ber";
    members[1].value = twin_value_object(empty_m, 0);
    members[2].name = "n";
    members[2].value = twin_value_int(-7);
    v = twin_value_object(members, 3);
    assert_roundtrip(&v);
    v = twin_value_array(items, 5);
    assert_roundtrip(&v);
    v = twin_value_array(items, 0);
    assert_roundtrip(&v);
}
END_TEST

/* A chain of `depth` containers, alternating object and array, ending in an
 * integer: object{"k": [ object{"k": [ ... 1 ]} ]}. */
static twin_value nest(twin_value *vals, twin_member *mems, int depth)
{
    twin_value v = twin_value_int(1);
    int i;
    for (i = depth - 1; i >= 0; i--) {
        if (i % 2 == 0) {
            mems[i].name = "k";
            mems[i].value = v;
            v = twin_value_object(&mems[i], 1);
        } else {
            vals[i] = v;
            v = twin_value_array(&vals[i], 1);
        }
    }
    return v;
}

START_TEST(test_value_nesting_at_max_depth_accepted)
{
    twin_value vals[TWIN_VALUE_DEPTH_MAX];
    twin_member mems[TWIN_VALUE_DEPTH_MAX];
    twin_value v = nest(vals, mems, TWIN_VALUE_DEPTH_MAX);
    assert_roundtrip(&v);
}
END_TEST

START_TEST(test_value_nesting_over_max_depth_returns_range)
{
    twin_value vals[TWIN_VALUE_DEPTH_MAX + 1];
    twin_member mems[TWIN_VALUE_DEPTH_MAX + 1];
    twin_value v = nest(vals, mems, TWIN_VALUE_DEPTH_MAX + 1);
    twin_member m;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_RANGE);
    m.name = "p";
    m.value = v;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_twin(g, "u", PUMP, &m, 1), TWIN_E_RANGE);
}
END_TEST

/* ---- malformed values ----------------------------------------------------- */

START_TEST(test_value_non_finite_double_returns_inval)
{
    const double bad[] = {NAN, INFINITY, -INFINITY};
    size_t i;
    for (i = 0; i < 3; i++) {
        twin_value v = twin_value_double(bad[i]);
        twin_value arr = twin_value_array(&v, 1);
        twin_member m = {"p", v};
        ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
        ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &arr), TWIN_E_INVAL);
        ASSERT_FAILS_UNCHANGED(g, twin_graph_add_twin(g, "u", PUMP, &m, 1), TWIN_E_INVAL);
    }
}
END_TEST

START_TEST(test_value_object_duplicate_member_returns_inval)
{
    twin_member mm[3] = {{"a", twin_value_int(1)}, {"b", twin_value_int(2)},
                         {"a", twin_value_int(3)}};
    twin_value v = twin_value_object(mm, 3);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_value_object_bad_member_name_returns_inval)
{
    twin_member mm[2] = {{"a", twin_value_int(1)}, {NULL, twin_value_int(2)}};
    twin_value v = twin_value_object(mm, 2);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
    mm[1].name = "";
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
    mm[1].name = "b\xed\xa0\x80";
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_value_string_with_nul_byte_returns_inval)
{
    const char buf[] = "ab\0cd";
    twin_value v = twin_value_string(buf);
    v.len = 5;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_value_string_invalid_utf8_nested_returns_inval)
{
    twin_value items[2] = {twin_value_string("ok"), twin_value_string("\xc0\xaf")};
    twin_member m = {"k", twin_value_array(items, 2)};
    twin_value v = twin_value_object(&m, 1);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_value_null_payload_pointer_returns_inval)
{
    twin_value v = twin_value_string("abc");
    v.as.s = NULL;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
    v = twin_value_array(NULL, 2);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
    v = twin_value_object(NULL, 2);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_value_unknown_type_returns_inval)
{
    twin_value v = twin_value_null();
    twin_value arr;
    v.type = 99;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
    v.type = -1;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
    v.type = 7;
    arr = twin_value_array(&v, 1);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &arr), TWIN_E_INVAL);
}
END_TEST

/* The header documents as.b as "0 or 1". */
START_TEST(test_value_bool_other_than_0_or_1_returns_inval)
{
    twin_value v = twin_value_bool(1);
    v.as.b = 2;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "p", &v), TWIN_E_INVAL);
}
END_TEST

/* ---- deep copies ---------------------------------------------------------- */

START_TEST(test_value_deep_copied_from_caller_buffers)
{
    char *s = malloc(8), *name = malloc(8), *pname = malloc(8);
    twin_value *items = malloc(2 * sizeof *items);
    twin_member *mm = malloc(sizeof *mm);
    twin_value v, expect_items[2];
    twin_member expect_m;
    const twin_value *got;
    char a[256], b[256];
    ck_assert(s && name && pname && items && mm);
    strcpy(s, "hello");
    strcpy(name, "field");
    strcpy(pname, "prop");
    items[0] = twin_value_string(s);
    items[1] = twin_value_int(5);
    mm[0].name = name;
    mm[0].value = twin_value_array(items, 2);
    v = twin_value_object(mm, 1);
    ASSERT_OK(g, twin_graph_set_property(g, "t", pname, &v));
    memset(s, 'X', 5);
    memset(name, 'Y', 5);
    items[1] = twin_value_int(6);
    mm[0].value = twin_value_null();
    strcpy(pname, "gone");
    free(s);
    free(name);
    free(items);
    free(mm);
    free(pname);
    expect_items[0] = twin_value_string("hello");
    expect_items[1] = twin_value_int(5);
    expect_m.name = "field";
    expect_m.value = twin_value_array(expect_items, 2);
    v = twin_value_object(&expect_m, 1);
    ck_assert_int_eq(twin_graph_get_property(g, "t", "prop", &got), TWIN_OK);
    ck_assert_msg(value_equal(got, &v), "got %s", value_str(got, 1, a, sizeof a));
    ck_assert_msg(value_well_formed(got), "got %s", value_str(got, 1, b, sizeof b));
}
END_TEST

START_TEST(test_add_twin_properties_deep_copied)
{
    char name[8] = "rpm", str[8] = "fast";
    twin_member m[2];
    const twin_value *got;
    m[0].name = name;
    m[0].value = twin_value_int(1);
    m[1].name = "mode";
    m[1].value = twin_value_string(str);
    ASSERT_OK(g, twin_graph_add_twin(g, "u", PUMP, m, 2));
    strcpy(name, "xxx");
    strcpy(str, "slow");
    ck_assert_int_eq(twin_graph_get_property(g, "u", "rpm", &got), TWIN_OK);
    ck_assert_int_eq(got->as.i, 1);
    ck_assert_int_eq(twin_graph_get_property(g, "u", "mode", &got), TWIN_OK);
    ck_assert_str_eq(got->as.s, "fast");
}
END_TEST

/* ---- validator ------------------------------------------------------------ */

typedef struct rec {
    int twin_calls, rel_calls;
    char twin_id[64], model[64], name[64], src_model[64], tgt_model[64];
    char props[512];      /* canonical text of the property set, sorted */
    size_t nprops;
    size_t msg_cap;
    int reject_twin, reject_rel;  /* status to return, 0 accepts */
} rec;

static rec vr;

static void rec_props(const twin_member *props, size_t n)
{
    twin_value v = twin_value_object(props, (uint32_t)n);
    vr.nprops = n;
    value_str(&v, 1, vr.props, sizeof vr.props);
}

static twin_status check_twin(void *ud, const char *twin_id, const char *model_id,
                              const twin_member *props, size_t nprops, char *msg,
                              size_t msg_cap)
{
    ck_assert_ptr_eq(ud, &vr);
    vr.twin_calls++;
    snprintf(vr.twin_id, sizeof vr.twin_id, "%s", twin_id);
    snprintf(vr.model, sizeof vr.model, "%s", model_id);
    rec_props(props, nprops);
    vr.msg_cap = msg_cap;
    if (vr.reject_twin) snprintf(msg, msg_cap, "twin %s rejected by test", twin_id);
    return (twin_status)vr.reject_twin;
}

static twin_status check_rel(void *ud, const char *name, const char *source_model,
                             const char *target_model, const twin_member *props,
                             size_t nprops, char *msg, size_t msg_cap)
{
    ck_assert_ptr_eq(ud, &vr);
    vr.rel_calls++;
    snprintf(vr.name, sizeof vr.name, "%s", name);
    snprintf(vr.src_model, sizeof vr.src_model, "%s", source_model);
    snprintf(vr.tgt_model, sizeof vr.tgt_model, "%s", target_model);
    rec_props(props, nprops);
    vr.msg_cap = msg_cap;
    if (vr.reject_rel) snprintf(msg, msg_cap, "relationship %s rejected by test", name);
    return (twin_status)vr.reject_rel;
}

static void vsetup(void)
{
    twin_graph_validator v;
    twin_graph_options o;
    twin_member m[2] = {{"a", twin_value_int(1)}, {"b", twin_value_string("x")}};
    memset(&vr, 0, sizeof vr);
    memset(&v, 0, sizeof v);
    v.size = sizeof v;
    v.ud = &vr;
    v.check_twin = check_twin;
    v.check_relationship = check_rel;
    failalloc_init(&fa);
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    o.alloc = &fa.alloc;
    o.validator = &v; /* copied by create: v may go out of scope */
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_OK);
    ASSERT_OK(g, twin_graph_add_twin(g, "t", PUMP, m, 2));
    ASSERT_OK(g, twin_graph_add_twin(g, "v", VALVE, NULL, 0));
    memset(&vr, 0, sizeof vr);
}

/* Canonical text of the given members, as rec_props() writes it. */
static const char *props_text(const twin_member *m, size_t n, char *buf)
{
    twin_value v = twin_value_object(m, (uint32_t)n);
    return value_str(&v, 1, buf, 512);
}

START_TEST(test_validator_add_twin_sees_model_and_properties)
{
    twin_member m[2] = {{"x", twin_value_int(9)}, {"y", twin_value_bool(1)}};
    char want[512];
    ASSERT_OK(g, twin_graph_add_twin(g, "u", VALVE, m, 2));
    ck_assert_int_eq(vr.twin_calls, 1);
    ck_assert_str_eq(vr.twin_id, "u");
    ck_assert_str_eq(vr.model, VALVE);
    ck_assert_uint_eq(vr.nprops, 2);
    ck_assert_str_eq(vr.props, props_text(m, 2, want));
    ck_assert_uint_gt(vr.msg_cap, 0);
}
END_TEST

START_TEST(test_validator_set_property_sees_complete_set)
{
    twin_member m[3] = {{"a", twin_value_int(1)}, {"b", twin_value_int(5)},
                        {"c", twin_value_null()}};
    char want[512];
    ASSERT_OK(g, twin_graph_set_property(g, "t", "b", &m[1].value));
    ck_assert_int_eq(vr.twin_calls, 1);
    ck_assert_str_eq(vr.twin_id, "t");
    ck_assert_str_eq(vr.model, PUMP);
    ck_assert_str_eq(vr.props, props_text(m, 2, want));
    ASSERT_OK(g, twin_graph_set_property(g, "t", "c", &m[2].value));
    ck_assert_int_eq(vr.twin_calls, 2);
    ck_assert_str_eq(vr.props, props_text(m, 3, want));
}
END_TEST

START_TEST(test_validator_remove_property_sees_remaining_set)
{
    twin_member m[1] = {{"b", twin_value_string("x")}};
    char want[512];
    ASSERT_OK(g, twin_graph_remove_property(g, "t", "a"));
    ck_assert_int_eq(vr.twin_calls, 1);
    ck_assert_uint_eq(vr.nprops, 1);
    ck_assert_str_eq(vr.props, props_text(m, 1, want));
}
END_TEST

START_TEST(test_validator_set_model_sees_new_model_and_properties)
{
    twin_member m[2] = {{"a", twin_value_int(1)}, {"b", twin_value_string("x")}};
    char want[512];
    ASSERT_OK(g, twin_graph_set_model(g, "t", VALVE));
    ck_assert_int_eq(vr.twin_calls, 1);
    ck_assert_str_eq(vr.twin_id, "t");
    ck_assert_str_eq(vr.model, VALVE);
    ck_assert_str_eq(vr.props, props_text(m, 2, want));
}
END_TEST

START_TEST(test_validator_twin_rejection_returned_with_message_graph_unchanged)
{
    twin_value v = twin_value_int(2);
    twin_member m = {"z", twin_value_int(0)};
    vr.reject_twin = TWIN_E_CONSTRAINT;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_twin(g, "u", VALVE, &m, 1), TWIN_E_CONSTRAINT);
    ck_assert_str_eq(twin_graph_last_error(g)->message, "twin u rejected by test");
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "a", &v), TWIN_E_CONSTRAINT);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_property(g, "t", "new", &v), TWIN_E_CONSTRAINT);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_property(g, "t", "b"), TWIN_E_CONSTRAINT);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_model(g, "t", VALVE), TWIN_E_CONSTRAINT);
    ck_assert_str_eq(twin_graph_last_error(g)->message, "twin t rejected by test");
    vr.reject_twin = -100; /* a status the library does not know */
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_model(g, "t", VALVE), -100);
}
END_TEST

START_TEST(test_validator_relationship_sees_name_models_and_properties)
{
    twin_member m[2] = {{"w", twin_value_double(0.5)}, {"q", twin_value_string("s")}};
    twin_value nv = twin_value_int(3);
    twin_member after[3] = {{"w", twin_value_double(0.5)}, {"q", twin_value_string("s")},
                            {"n", twin_value_int(3)}};
    char want[512];
    ASSERT_OK(g, twin_graph_add_relationship(g, "t", "r1", "feeds", "v", m, 2));
    ck_assert_int_eq(vr.rel_calls, 1);
    ck_assert_str_eq(vr.name, "feeds");
    ck_assert_str_eq(vr.src_model, PUMP);
    ck_assert_str_eq(vr.tgt_model, VALVE);
    ck_assert_str_eq(vr.props, props_text(m, 2, want));
    ASSERT_OK(g, twin_graph_set_relationship_property(g, "t", "r1", "n", &nv));
    ck_assert_int_eq(vr.rel_calls, 2);
    ck_assert_str_eq(vr.props, props_text(after, 3, want));
    ASSERT_OK(g, twin_graph_remove_relationship_property(g, "t", "r1", "w"));
    ck_assert_int_eq(vr.rel_calls, 3);
    ck_assert_str_eq(vr.props, props_text(after + 1, 2, want));
    ck_assert_str_eq(vr.src_model, PUMP);
    ck_assert_str_eq(vr.tgt_model, VALVE);
}
END_TEST

START_TEST(test_validator_relationship_rejection_graph_unchanged)
{
    twin_value nv = twin_value_int(3);
    twin_member m = {"w", twin_value_int(1)};
    ASSERT_OK(g, twin_graph_add_relationship(g, "t", "r1", "feeds", "v", &m, 1));
    vr.reject_rel = TWIN_E_CONSTRAINT;
    ASSERT_FAILS_UNCHANGED(g, twin_graph_add_relationship(g, "v", "r2", "feeds", "t", NULL, 0),
                           TWIN_E_CONSTRAINT);
    ck_assert_str_eq(twin_graph_last_error(g)->message, "relationship feeds rejected by test");
    ASSERT_FAILS_UNCHANGED(g, twin_graph_set_relationship_property(g, "t", "r1", "n", &nv),
                           TWIN_E_CONSTRAINT);
    ASSERT_FAILS_UNCHANGED(g, twin_graph_remove_relationship_property(g, "t", "r1", "w"),
                           TWIN_E_CONSTRAINT);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 1);
}
END_TEST

START_TEST(test_validator_null_callbacks_accept_everything)
{
    twin_graph_validator v;
    twin_graph_options o;
    twin_graph *h = NULL;
    memset(&v, 0, sizeof v);
    v.size = sizeof v;
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    o.validator = &v;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_OK);
    ASSERT_OK(h, twin_graph_add_twin(h, "a", "anything", NULL, 0));
    ASSERT_OK(h, twin_graph_add_relationship(h, "a", "r", "self", "a", NULL, 0));
    twin_graph_destroy(h);
}
END_TEST

static Suite *graph_value_suite(void)
{
    Suite *s = suite_create("graph_value");
    TCase *tc;

    tc = tcase_create("round_trip");
    tcase_add_checked_fixture(tc, setup, graph_teardown);
    tcase_add_test(tc, test_value_null_and_bool_round_trip);
    tcase_add_test(tc, test_value_int_extremes_round_trip);
    tcase_add_test(tc, test_value_double_special_finite_round_trip);
    tcase_add_test(tc, test_value_string_round_trip_nul_terminated);
    tcase_add_test(tc, test_value_string_uses_len_not_terminator);
    tcase_add_test(tc, test_value_array_and_object_round_trip);
    tcase_add_test(tc, test_value_nesting_at_max_depth_accepted);
    tcase_add_test(tc, test_value_nesting_over_max_depth_returns_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_checked_fixture(tc, setup, graph_teardown);
    tcase_add_test(tc, test_value_non_finite_double_returns_inval);
    tcase_add_test(tc, test_value_object_duplicate_member_returns_inval);
    tcase_add_test(tc, test_value_object_bad_member_name_returns_inval);
    tcase_add_test(tc, test_value_string_with_nul_byte_returns_inval);
    tcase_add_test(tc, test_value_string_invalid_utf8_nested_returns_inval);
    tcase_add_test(tc, test_value_null_payload_pointer_returns_inval);
    tcase_add_test(tc, test_value_unknown_type_returns_inval);
    tcase_add_test(tc, test_value_bool_other_than_0_or_1_returns_inval);
    suite_add_tcase(s, tc);

    tc = tcase_create("deep_copy");
    tcase_add_checked_fixture(tc, setup, graph_teardown);
    tcase_add_test(tc, test_value_deep_copied_from_caller_buffers);
    tcase_add_test(tc, test_add_twin_properties_deep_copied);
    suite_add_tcase(s, tc);

    tc = tcase_create("validator");
    tcase_add_checked_fixture(tc, vsetup, graph_teardown);
    tcase_add_test(tc, test_validator_add_twin_sees_model_and_properties);
    tcase_add_test(tc, test_validator_set_property_sees_complete_set);
    tcase_add_test(tc, test_validator_remove_property_sees_remaining_set);
    tcase_add_test(tc, test_validator_set_model_sees_new_model_and_properties);
    tcase_add_test(tc, test_validator_twin_rejection_returned_with_message_graph_unchanged);
    tcase_add_test(tc, test_validator_relationship_sees_name_models_and_properties);
    tcase_add_test(tc, test_validator_relationship_rejection_graph_unchanged);
    tcase_add_test(tc, test_validator_null_callbacks_accept_everything);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(graph_value_suite());
}
