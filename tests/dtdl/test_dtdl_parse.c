/* The DTDL parser on small inline documents, one behaviour per test. The
 * documents are written with single quotes (see jq() in dtdl_fixture.h).
 * Expected values come from the DTDL v2/v3/v4 specifications and the
 * official parser's test cases (../shared/corpus/dtdl/conformance, cited
 * by file name where a code is pinned); line and column numbers are
 * computed from the text with text_pos(). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtdl/dtdl_fixture.h"
#include "support/run.h"
#include "twin/twin.h"

#define CTX2 "'@context':'dtmi:dtdl:context;2'"
#define CTX3 "'@context':'dtmi:dtdl:context;3'"
#define CTX4 "'@context':'dtmi:dtdl:context;4'"
#define QT1 "'@context':['dtmi:dtdl:context;3','dtmi:dtdl:extension:quantitativeTypes;1']"
/* An Interface dtmi:x:I;1 of version N; the caller closes the object. */
#define I2 "{" CTX2 ",'@id':'dtmi:x:I;1','@type':'Interface'"
#define I3 "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'Interface'"
#define I4 "{" CTX4 ",'@id':'dtmi:x:I;1','@type':'Interface'"

/* A buffer for generated documents. */
static char doc[65536];

/* A string of n copies of c. */
static char *rep(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Add and resolve doc text q (quoted with '), asserting both succeed. */
static void add_resolve_ok(twin_models *m, const char *q)
{
    ADD_OK(m, q);
    RESOLVE_OK(m);
}

/* ---- minimal Interfaces ----------------------------------------------------- */

static void minimal(int version, const char *q)
{
    const twin_dtdl_elem *i;
    add_resolve_ok(M, q);
    ck_assert_uint_eq(twin_models_interface_count(M), 1);
    i = twin_models_interface(M, 0);
    ck_assert_ptr_eq(find_ok(M, "dtmi:x:I;1"), i);
    ck_assert_int_eq(twin_dtdl_kind_of(i), TWIN_DTDL_INTERFACE);
    ck_assert_int_eq(twin_dtdl_version(i), version);
    ck_assert_str_eq(twin_dtdl_id(i), "dtmi:x:I;1");
    ck_assert_uint_eq(twin_dtdl_count(i, TWIN_DTDL_CONTENTS), 0);
    ck_assert_uint_eq(twin_dtdl_count(i, TWIN_DTDL_EXTENDS), 0);
    ck_assert_ptr_null(twin_dtdl_link(i, TWIN_DTDL_PARENT));
    ck_assert_uint_eq(twin_models_diag_count(M), 0);
}

START_TEST(test_minimal_v2_interface)
{
    minimal(2, I2 "}");
}
END_TEST

START_TEST(test_minimal_v3_interface)
{
    minimal(3, I3 "}");
}
END_TEST

START_TEST(test_minimal_v4_interface)
{
    minimal(4, I4 "}");
}
END_TEST

/* RealEstateCore puts @context last; the order of members does not matter. */
START_TEST(test_context_after_the_other_members)
{
    minimal(3, "{'@type':'Interface','@id':'dtmi:x:I;1'," CTX3 "}");
}
END_TEST

START_TEST(test_byte_order_mark_is_skipped)
{
    char *s = jq("\xEF\xBB\xBF" I3 "}");
    ck_assert_int_eq(add_src(M, s, "bom.json"), TWIN_OK);
    free(s);
    RESOLVE_OK(M);
    find_ok(M, "dtmi:x:I;1");
}
END_TEST

/* ---- @context --------------------------------------------------------------- */

START_TEST(test_context_array_with_extension)
{
    add_resolve_ok(M, "{" QT1 ",'@id':'dtmi:x:I;1','@type':'Interface'}");
    ck_assert_int_eq(twin_dtdl_version(find_ok(M, "dtmi:x:I;1")), 3);
}
END_TEST

START_TEST(test_context_one_element_array)
{
    add_resolve_ok(M, "{'@context':['dtmi:dtdl:context;4'],'@id':'dtmi:x:I;1','@type':'Interface'}");
    ck_assert_int_eq(twin_dtdl_version(find_ok(M, "dtmi:x:I;1")), 4);
}
END_TEST

/* generated/DtdlContextNotFirstAtTopLevelV3.json: missingDtdlContext */
START_TEST(test_context_extension_first_is_an_error)
{
    ADD_FAILS(M,
              "{'@context':['dtmi:dtdl:extension:quantitativeTypes;1','dtmi:dtdl:context;3'],"
              "'@id':'dtmi:x:I;1','@type':'Interface'}",
              TWIN_E_CONSTRAINT, "missingDtdlContext");
}
END_TEST

START_TEST(test_context_local_object_is_disallowed)
{
    ADD_FAILS(M,
              "{'@context':['dtmi:dtdl:context;3',{'foo':'dtmi:x:foo;1'}],"
              "'@id':'dtmi:x:I;1','@type':'Interface'}",
              TWIN_E_CONSTRAINT, "disallowedLocalContext");
    ADD_FAILS(M, "{'@context':{'@vocab':'dtmi:x:'},'@id':'dtmi:x:I;1','@type':'Interface'}",
              TWIN_E_CONSTRAINT, "disallowedLocalContext");
}
END_TEST

/* generated/UnrecognizedDtdlContextVersionV3.json */
START_TEST(test_context_unknown_version)
{
    ADD_FAILS(M, "{'@context':'dtmi:dtdl:context;5','@id':'dtmi:x:I;1','@type':'Interface'}",
              TWIN_E_CONSTRAINT, "unrecognizedContextVersion");
    ADD_FAILS(M, "{'@context':'dtmi:dtdl:context;1','@id':'dtmi:x:I;1','@type':'Interface'}",
              TWIN_E_CONSTRAINT, "unrecognizedContextVersion");
}
END_TEST

/* generated/MaxDtdlVersionExceededV3.json: disallowedContextVersion */
START_TEST(test_context_above_max_dtdl_version)
{
    twin_models_options o;
    twin_models *m = NULL;
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.alloc = &mfa.alloc;
    o.max_dtdl_version = 3;
    ck_assert_int_eq(twin_models_create(&m, &o), TWIN_OK);
    ADD_FAILS(m, I4 "}", TWIN_E_CONSTRAINT, "disallowedContextVersion");
    ADD_OK(m, I3 "}");
    models_close(m, NULL);
}
END_TEST

/* generated/ContextMissingInJsonArrayV3.json */
START_TEST(test_context_missing)
{
    ADD_FAILS(M, "{'@id':'dtmi:x:I;1','@type':'Interface'}", TWIN_E_CONSTRAINT, "missingContext");
}
END_TEST

/* generated/HttpContextSpecifierV3.json */
START_TEST(test_context_not_a_dtmi)
{
    ADD_FAILS(M,
              "{'@context':['dtmi:dtdl:context;3','http://example.com/ctx'],"
              "'@id':'dtmi:x:I;1','@type':'Interface'}",
              TWIN_E_CONSTRAINT, "nonDtmiContextSpecifier");
}
END_TEST

/* ---- DTMIs ------------------------------------------------------------------ */

static twin_status add_iface_id(twin_models *m, const char *ctx, const char *id)
{
    snprintf(doc, sizeof doc, "{%s,'@id':'%s','@type':'Interface'}", ctx, id);
    return addq(m, doc);
}

START_TEST(test_dtmi_v2_requires_a_version)
{
    ck_assert_int_eq(add_iface_id(M, CTX2, "dtmi:x:I"), TWIN_E_CONSTRAINT);
    ck_assert_ptr_nonnull(diag_find(M, "invalidId"));
    ck_assert_int_eq(add_iface_id(M, CTX2, "dtmi:x:I;1.2"), TWIN_E_CONSTRAINT);
    ck_assert_ptr_nonnull(diag_find(M, "invalidId"));
    ck_assert_int_eq(add_iface_id(M, CTX2, "dtmi:x:I;2"), TWIN_OK);
}
END_TEST

START_TEST(test_dtmi_v3_allows_no_version_and_major_minor)
{
    ck_assert_int_eq(add_iface_id(M, CTX3, "dtmi:x:A"), TWIN_OK);
    ck_assert_int_eq(add_iface_id(M, CTX3, "dtmi:x:B;1.2"), TWIN_OK);
    ck_assert_int_eq(add_iface_id(M, CTX4, "dtmi:x:C;999999999.999999"), TWIN_OK);
    RESOLVE_OK(M);
    find_ok(M, "dtmi:x:A");
    find_ok(M, "dtmi:x:B;1.2");
    find_ok(M, "dtmi:x:C;999999999.999999");
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:B;1"));
}
END_TEST

START_TEST(test_dtmi_invalid_forms)
{
    static const char *const bad[] = {
        "dtmi:x:I_;1",          /* segment ends with an underscore */
        "dtmi:1x:I;1",          /* segment starts with a digit */
        "dtmi:x::I;1",          /* empty segment */
        "dtmi:;1",              /* no segment */
        "dtmi:x:I;01",          /* leading zero */
        "dtmi:x:I;0",           /* version 0 */
        "dtmi:x:I;1234567890",  /* major over 9 digits */
        "dtmi:x:I;1.1234567",   /* minor over 6 digits */
        "dtmi:x:I;1.0",         /* minor 0 */
        "dtmi:x:I;1.",          /* empty minor */
        "dtmi:x.y:I;1",         /* illegal character */
        "dtmi:x:I;1;2",
        "DTMI:x:I;1",
        "http://x/I",
        "x:I;1",
    };
    size_t k;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        twin_status s = add_iface_id(M, CTX3, bad[k]);
        ck_assert_msg(s == TWIN_E_CONSTRAINT && diag_find(M, "invalidId"),
                      "'%s': %d %s", bad[k], s, diag_dump(M));
    }
}
END_TEST

/* An Interface's @id is at most 128 characters. */
START_TEST(test_dtmi_interface_id_length_limit)
{
    char id[200];
    char *a = rep('a', 128 - strlen("dtmi:x:;1"));
    snprintf(id, sizeof id, "dtmi:x:%s;1", a);
    ck_assert_uint_eq(strlen(id), 128);
    ck_assert_int_eq(add_iface_id(M, CTX3, id), TWIN_OK);
    snprintf(id, sizeof id, "dtmi:x:%sb;1", a);
    ck_assert_uint_eq(strlen(id), 129);
    ck_assert_int_eq(add_iface_id(M, CTX3, id), TWIN_E_CONSTRAINT);
    ck_assert_ptr_nonnull(diag_find(M, "invalidId"));
    free(a);
}
END_TEST

/* dtmi:dtdl: and dtmi:standard: are reserved for DTDL (generated/ reservedId cases). */
START_TEST(test_dtmi_reserved)
{
    ck_assert_int_eq(add_iface_id(M, CTX3, "dtmi:dtdl:I;1"), TWIN_E_CONSTRAINT);
    ck_assert_ptr_nonnull(diag_find(M, "reservedId"));
    ck_assert_int_eq(add_iface_id(M, CTX3, "dtmi:standard:anInterface;1"), TWIN_E_CONSTRAINT);
    ck_assert_ptr_nonnull(diag_find(M, "reservedId"));
    ADD_FAILS(M,
              I3 ",'contents':[{'@id':'dtmi:dtdl:aTelemetry;1','@type':'Telemetry',"
                 "'name':'t','schema':'double'}]}",
              TWIN_E_CONSTRAINT, "reservedId");
}
END_TEST

/* ---- twin_dtmi_parse -------------------------------------------------------- */

static twin_status parse_dtmi(const char *s, twin_dtmi_info *d)
{
    memset(d, 0x5a, sizeof *d);
    d->size = sizeof *d;
    return twin_dtmi_parse(s, strlen(s), d);
}

/* dtmis/DtmiFragment.json, DtmiVersionTwoPartPlusFragment.json,
 * DtmiVersionMaxLong.json */
START_TEST(test_dtmi_parse_parts)
{
    twin_dtmi_info d;
    ck_assert_int_eq(parse_dtmi("dtmi:foo:bar;1#myFrag", &d), TWIN_OK);
    ck_assert_uint_eq(d.labels, 2);
    ck_assert_int_eq(d.major, 1);
    ck_assert_int_eq(d.minor, -1);
    ck_assert_uint_eq(d.path_len, strlen("dtmi:foo:bar"));
    ck_assert_uint_eq(d.fragment, strlen("dtmi:foo:bar;1#"));
    ck_assert_int_eq(d.reserved_id, 0);

    ck_assert_int_eq(parse_dtmi("dtmi:foo:bar;1.34#myFrag", &d), TWIN_OK);
    ck_assert_int_eq(d.major, 1);
    ck_assert_int_eq(d.minor, 34);
    ck_assert_uint_eq(d.fragment, strlen("dtmi:foo:bar;1.34#"));

    ck_assert_int_eq(parse_dtmi("dtmi:foo:bar;999999999", &d), TWIN_OK);
    ck_assert_int_eq(d.major, 999999999);
    ck_assert_uint_eq(d.fragment, 0);

    ck_assert_int_eq(parse_dtmi("dtmi:a:b_c:D9", &d), TWIN_OK);
    ck_assert_uint_eq(d.labels, 3);
    ck_assert_int_eq(d.major, -1);
    ck_assert_int_eq(d.minor, -1);
    ck_assert_uint_eq(d.path_len, strlen("dtmi:a:b_c:D9"));

    ck_assert_int_eq(parse_dtmi("dtmi:dtdl:context;3", &d), TWIN_OK);
    ck_assert_int_ne(d.reserved_id, 0);
    ck_assert_int_eq(parse_dtmi("dtmi:standard:x", &d), TWIN_OK);
    ck_assert_int_ne(d.reserved_id, 0);
    ck_assert_int_eq(parse_dtmi("dtmi:dtdlx:y;1", &d), TWIN_OK);
    ck_assert_int_eq(d.reserved_id, 0);
}
END_TEST

/* dtmis/: the invalid cases, and a few more. */
START_TEST(test_dtmi_parse_rejects)
{
    static const char *const bad[] = {
        "dtmi:foo:bar;1#1seg", "dtmi:;1", "http://foo/bar/baz", "dtmi:foo:bar.baz;1",
        "dtmi:test:invalidId_;1", "dtmi:foo:bar;3.1415926", "dtmi:foo:bar;1#",
        "dtmi:foo:bar;1#a#b", "dtmi:foo:bar;0", "dtmi:foo:", "dtmi", "",
        "dtmi:foo:bar;1 ", " dtmi:foo:bar;1",
    };
    size_t k;
    twin_dtmi_info d;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++)
        ck_assert_msg(parse_dtmi(bad[k], &d) == TWIN_E_PARSE, "'%s' accepted", bad[k]);
}
END_TEST

/* dtmis/DtmiVeryLong.json: valid (the parser's length limits are lower). */
START_TEST(test_dtmi_parse_no_length_limit)
{
    size_t n = 5 + 300 * 9, k;
    char *s = malloc(n + 16);
    twin_dtmi_info d;
    ck_assert_ptr_nonnull(s);
    strcpy(s, "dtmi");
    for (k = 0; k < 300; k++) strcat(s, ":veryLong");
    strcat(s, ";999999999");
    ck_assert_int_eq(parse_dtmi(s, &d), TWIN_OK);
    ck_assert_uint_eq(d.labels, 300);
    ck_assert_int_eq(d.major, 999999999);
    free(s);
}
END_TEST

/* At most TWIN_MODEL_ID_MAX bytes (docs/limits.md): at the limit and one past. */
START_TEST(test_dtmi_parse_length_at_limit_and_past)
{
    char *s = malloc(TWIN_MODEL_ID_MAX + 2);
    twin_dtmi_info d;
    size_t n;
    ck_assert_ptr_nonnull(s);
    strcpy(s, "dtmi:a");
    for (n = strlen(s); n + 2 <= TWIN_MODEL_ID_MAX; n += 2) memcpy(s + n, ":b", 2);
    while (n < TWIN_MODEL_ID_MAX) s[n++] = 'c';  /* the last segment longer */
    s[n] = 0;
    ck_assert_uint_eq(strlen(s), TWIN_MODEL_ID_MAX);
    ck_assert_int_eq(parse_dtmi(s, &d), TWIN_OK);
    ck_assert_uint_eq(d.path_len, TWIN_MODEL_ID_MAX);
    s[n++] = 'c';
    s[n] = 0;
    ck_assert_int_eq(parse_dtmi(s, &d), TWIN_E_RANGE);
    free(s);
}
END_TEST

START_TEST(test_dtmi_parse_arguments)
{
    twin_dtmi_info d;
    const char *s = "dtmi:a:b;7 and then some";
    /* len bounds the text: no NUL needed */
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    ck_assert_int_eq(twin_dtmi_parse(s, 10, &d), TWIN_OK);
    ck_assert_int_eq(d.major, 7);
    ck_assert_int_eq(twin_dtmi_parse(s, 11, &d), TWIN_E_PARSE);
    ck_assert_int_eq(twin_dtmi_parse(s, 10, NULL), TWIN_OK);
    ck_assert_int_eq(twin_dtmi_parse(NULL, 0, &d), TWIN_E_INVAL);
    d.size = sizeof d + 8;
    ck_assert_int_eq(twin_dtmi_parse(s, 10, &d), TWIN_E_ABI);
    d.size = 0;
    ck_assert_int_eq(twin_dtmi_parse(s, 10, &d), TWIN_E_INVAL);
}
END_TEST

/* ---- names ------------------------------------------------------------------ */

static twin_status add_named(twin_models *m, const char *iface_head, const char *name)
{
    snprintf(doc, sizeof doc, "%s,'contents':[{'@type':'Telemetry','name':'%s','schema':'double'}]}",
             iface_head, name);
    return addq(m, doc);
}

START_TEST(test_name_pattern)
{
    static const char *const good[] = {"a", "Z", "a1", "a_b", "abc_9", "A_B_C"};
    static const char *const bad[] = {"1a", "_a", "a_", "a-b", "a b", "a.b", "\xc3\xa9t\xc3\xa9"};
    size_t k;
    for (k = 0; k < sizeof good / sizeof good[0]; k++) {
        twin_models *m = models_open(&mfa, 0);
        ck_assert_msg(add_named(m, I3, good[k]) == TWIN_OK, "'%s': %s", good[k], diag_dump(m));
        RESOLVE_OK(m);
        ck_assert_str_eq(twin_dtdl_name(twin_dtdl_at(find_ok(m, "dtmi:x:I;1"), TWIN_DTDL_CONTENTS, 0)),
                         good[k]);
        models_close(m, NULL);
    }
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const twin_dtdl_diag *d;
        ck_assert_msg(add_named(M, I3, bad[k]) == TWIN_E_CONSTRAINT, "'%s' accepted", bad[k]);
        d = twin_models_diag(M, 0);
        ck_assert_ptr_nonnull(d);
        ck_assert_str_eq(d->pointer, "/contents/0/name");
    }
    /* generated/TelemetryNameEmptyV3.json: an empty name is rejected too */
    ck_assert_int_eq(add_named(M, I3, ""), TWIN_E_CONSTRAINT);
}
END_TEST

static void name_length(const char *head, size_t max)
{
    char *ok = rep('n', max), *over = rep('n', max + 1);
    twin_models *m = models_open(&mfa, 0);
    ck_assert_msg(add_named(m, head, ok) == TWIN_OK, "%s", diag_dump(m));
    ck_assert_int_eq(add_named(M, head, over), TWIN_E_CONSTRAINT);
    ck_assert_str_eq(twin_models_diag(M, 0)->pointer, "/contents/0/name");
    RESOLVE_OK(m);
    ck_assert_uint_eq(strlen(twin_dtdl_name(twin_dtdl_content(find_ok(m, "dtmi:x:I;1"), ok))), max);
    models_close(m, NULL);
    free(ok);
    free(over);
}

START_TEST(test_name_length_v2_is_64)
{
    name_length(I2, 64);
}
END_TEST

START_TEST(test_name_length_v3_is_512)
{
    name_length(I3, 512);
}
END_TEST

START_TEST(test_name_length_v4_is_512)
{
    name_length(I4, 512);
}
END_TEST

START_TEST(test_duplicate_content_names)
{
    ADD_FAILS(M,
              I3 ",'contents':[{'@type':'Telemetry','name':'t','schema':'double'},"
                 "{'@type':'Property','name':'t','schema':'string'}]}",
              TWIN_E_CONSTRAINT, "nonUniquePropertyValue");
}
END_TEST

/* generated/EnumEnumValuesDuplicateNameV3.json */
START_TEST(test_duplicate_enum_value_names)
{
    ADD_FAILS(M,
              I3 ",'schemas':[{'@id':'dtmi:x:E;1','@type':'Enum','valueSchema':'integer',"
                 "'enumValues':[{'name':'a','enumValue':1},{'name':'a','enumValue':2}]}]}",
              TWIN_E_CONSTRAINT, "nonUniquePropertyValue");
}
END_TEST

START_TEST(test_missing_name)
{
    ADD_FAILS(M, I3 ",'contents':[{'@type':'Property','schema':'double'}]}", TWIN_E_CONSTRAINT,
              "missingLiteralProperty");
    ADD_FAILS(M, I3 ",'contents':[{'@type':'Telemetry','schema':'double'}]}", TWIN_E_CONSTRAINT,
              "missingLiteralProperty");
}
END_TEST

START_TEST(test_missing_schema)
{
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Property','name':'p'}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_uint_ge(twin_models_diag_count(M), 1);
}
END_TEST

START_TEST(test_unknown_property)
{
    const twin_dtdl_diag *d;
    ADD_FAILS(M,
              I3 ",'contents':[{'@id':'dtmi:x:P;1','@type':'Property','name':'p',"
                 "'schema':'double','colour':'red'}]}",
              TWIN_E_CONSTRAINT, "noTypeThatAllows");
    d = diag_find(M, "noTypeThatAllows");
    ck_assert_str_eq(d->primary, "dtmi:x:P;1");
    ck_assert_str_eq(d->pointer, "/contents/0/colour");
    /* a property of another class: Telemetry has no 'writable' */
    ADD_FAILS(M,
              I3 ",'contents':[{'@type':'Telemetry','name':'t','schema':'double','writable':true}]}",
              TWIN_E_CONSTRAINT, "noTypeThatAllows");
}
END_TEST

START_TEST(test_undefined_cotype_rejected_by_default)
{
    ADD_FAILS(M, I3 ",'contents':[{'@type':['Telemetry','Foobar'],'name':'t','schema':'double'}]}",
              TWIN_E_CONSTRAINT, "typeUndefinedTerm");
}
END_TEST

START_TEST(test_undefined_cotype_accepted_with_flag)
{
    twin_models *m = models_open(&mfa, TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS);
    const twin_dtdl_elem *t;
    add_resolve_ok(m,
                   I3 ",'contents':[{'@type':['Telemetry','Foobar'],'name':'t','schema':'double',"
                      "'foobarColour':'red'}]}");
    t = twin_dtdl_content(find_ok(m, "dtmi:x:I;1"), "t");
    ck_assert_int_eq(twin_dtdl_kind_of(t), TWIN_DTDL_TELEMETRY);
    ck_assert_uint_eq(twin_dtdl_cotype_count(t), 1);
    ck_assert_str_eq(twin_dtdl_cotype(t, 0), "Foobar");
    ck_assert_str_eq(twin_dtdl_semantic_type(t), "");
    models_close(m, NULL);
}
END_TEST

START_TEST(test_class_as_dtmi)
{
    const twin_dtdl_elem *t;
    add_resolve_ok(M,
                   "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'dtmi:dtdl:class:Interface;3',"
                   "'contents':[{'@type':'dtmi:dtdl:class:Telemetry;3','name':'t','schema':'double'}]}");
    t = twin_dtdl_content(find_ok(M, "dtmi:x:I;1"), "t");
    ck_assert_int_eq(twin_dtdl_kind_of(t), TWIN_DTDL_TELEMETRY);
    ck_assert_uint_eq(twin_dtdl_cotype_count(t), 0);
}
END_TEST

START_TEST(test_two_classes_rejected)
{
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':['Telemetry','Property'],'name':'t',"
                             "'schema':'double'}]}"),
                     TWIN_E_CONSTRAINT);
}
END_TEST

START_TEST(test_non_interface_root_rejected)
{
    ck_assert_int_eq(addq(M, "{" CTX3 ",'@id':'dtmi:x:T;1','@type':'Telemetry','name':'t',"
                             "'schema':'double'}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_ptr_nonnull(diag_find(M, "typeNotRootable"));
}
END_TEST

/* ---- primitive schemas ------------------------------------------------------ */

typedef struct prim {
    const char *name;
    twin_dtdl_primitive p;
    int since;  /* first DTDL version */
} prim;

static const prim prims[] = {
    {"boolean", TWIN_DTDL_BOOLEAN, 2},
    {"date", TWIN_DTDL_DATE, 2},
    {"dateTime", TWIN_DTDL_DATETIME, 2},
    {"double", TWIN_DTDL_DOUBLE, 2},
    {"duration", TWIN_DTDL_DURATION, 2},
    {"float", TWIN_DTDL_FLOAT, 2},
    {"integer", TWIN_DTDL_INTEGER, 2},
    {"long", TWIN_DTDL_LONG, 2},
    {"string", TWIN_DTDL_STRING, 2},
    {"time", TWIN_DTDL_TIME, 2},
    {"byte", TWIN_DTDL_BYTE, 4},
    {"bytes", TWIN_DTDL_BYTES, 4},
    {"decimal", TWIN_DTDL_DECIMAL, 4},
    {"short", TWIN_DTDL_SHORT, 4},
    {"unsignedByte", TWIN_DTDL_UNSIGNED_BYTE, 4},
    {"unsignedShort", TWIN_DTDL_UNSIGNED_SHORT, 4},
    {"unsignedInteger", TWIN_DTDL_UNSIGNED_INTEGER, 4},
    {"unsignedLong", TWIN_DTDL_UNSIGNED_LONG, 4},
    {"uuid", TWIN_DTDL_UUID, 4},
    {"point", TWIN_DTDL_POINT, 2},
    {"multiPoint", TWIN_DTDL_MULTI_POINT, 2},
    {"lineString", TWIN_DTDL_LINE_STRING, 2},
    {"multiLineString", TWIN_DTDL_MULTI_LINE_STRING, 2},
    {"polygon", TWIN_DTDL_POLYGON, 2},
    {"multiPolygon", TWIN_DTDL_MULTI_POLYGON, 2},
};

START_TEST(test_every_primitive_per_version)
{
    static const char *const ctx[] = {NULL, NULL, CTX2, CTX3, CTX4};
    size_t k;
    int v;
    for (v = 2; v <= 4; v++)
        for (k = 0; k < sizeof prims / sizeof prims[0]; k++) {
            twin_models *m = models_open(&mfa, 0);
            twin_status s;
            snprintf(doc, sizeof doc,
                     "{%s,'@id':'dtmi:x:I;1','@type':'Interface','contents':"
                     "[{'@type':'Telemetry','name':'t','schema':'%s'}]}",
                     ctx[v], prims[k].name);
            s = addq(m, doc);
            if (v >= prims[k].since) {
                const twin_dtdl_elem *t, *sc;
                ck_assert_msg(s == TWIN_OK, "v%d %s: %s", v, prims[k].name, diag_dump(m));
                RESOLVE_OK(m);
                t = twin_dtdl_content(find_ok(m, "dtmi:x:I;1"), "t");
                sc = twin_dtdl_link(t, TWIN_DTDL_SCHEMA);
                ck_assert_int_eq(twin_dtdl_kind_of(sc), TWIN_DTDL_PRIMITIVE);
                ck_assert_int_eq(twin_dtdl_primitive_of(sc), prims[k].p);
                ck_assert_str_eq(twin_dtdl_id(sc), "");
                ck_assert_int_eq(twin_dtdl_version(sc), 0);
            } else {
                ck_assert_msg(s == TWIN_E_CONSTRAINT, "v%d %s accepted", v, prims[k].name);
                ck_assert_uint_ge(twin_models_diag_count(m), 1);
            }
            models_close(m, NULL);
        }
}
END_TEST

START_TEST(test_primitive_names)
{
    size_t k;
    for (k = 0; k < sizeof prims / sizeof prims[0]; k++)
        ck_assert_str_eq(twin_dtdl_primitive_name(prims[k].p), prims[k].name);
    ck_assert_str_eq(twin_dtdl_primitive_name(TWIN_DTDL_NOT_PRIMITIVE), "");
    ck_assert_str_eq(twin_dtdl_primitive_name((twin_dtdl_primitive)26), "");
    ck_assert_str_eq(twin_dtdl_primitive_name((twin_dtdl_primitive)-1), "");
    ck_assert_int_eq(twin_dtdl_primitive_of(NULL), TWIN_DTDL_NOT_PRIMITIVE);
}
END_TEST

START_TEST(test_unknown_schema_term)
{
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Telemetry','name':'t','schema':'int'}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Telemetry','name':'t','schema':42}]}"),
                     TWIN_E_CONSTRAINT);
}
END_TEST

/* ---- complex schemas -------------------------------------------------------- */

/* generated/ArrayInPropertyV3.json: the generated identifiers. */
START_TEST(test_generated_ids_of_nested_schemas)
{
    static const char *const doc_q =
        "{" CTX3 ",'@id':'dtmi:example:someInterface;1','@type':'Interface','contents':["
        "{'@type':'Property','name':'myProp','schema':{'@type':'Map',"
        "'mapKey':{'name':'Foo','schema':'string'},"
        "'mapValue':{'name':'myMapValue','schema':{'@type':'Object','fields':["
        "{'name':'x','schema':'integer'},"
        "{'name':'y','schema':{'@type':'Array','elementSchema':'double'}}]}}}}]}";
#define SI "dtmi:example:someInterface"
    const twin_dtdl_elem *p, *map, *key, *val, *obj, *y, *arr;
    add_resolve_ok(M, doc_q);
    p = find_ok(M, SI ":_contents:__myProp;1");
    map = find_ok(M, SI ":_contents:__myProp:_schema;1");
    key = find_ok(M, SI ":_contents:__myProp:_schema:_mapKey;1");
    val = find_ok(M, SI ":_contents:__myProp:_schema:_mapValue;1");
    obj = find_ok(M, SI ":_contents:__myProp:_schema:_mapValue:_schema;1");
    y = find_ok(M, SI ":_contents:__myProp:_schema:_mapValue:_schema:_fields:__y;1");
    arr = find_ok(M, SI ":_contents:__myProp:_schema:_mapValue:_schema:_fields:__y:_schema;1");
    ck_assert_int_eq(twin_dtdl_kind_of(p), TWIN_DTDL_PROPERTY);
    ck_assert_ptr_eq(twin_dtdl_link(p, TWIN_DTDL_SCHEMA), map);
    ck_assert_int_eq(twin_dtdl_kind_of(map), TWIN_DTDL_MAP);
    ck_assert_ptr_eq(twin_dtdl_link(map, TWIN_DTDL_MAP_KEY_OF), key);
    ck_assert_ptr_eq(twin_dtdl_link(map, TWIN_DTDL_MAP_VALUE_OF), val);
    ck_assert_str_eq(twin_dtdl_name(key), "Foo");
    ck_assert_str_eq(twin_dtdl_name(val), "myMapValue");
    ck_assert_ptr_eq(twin_dtdl_link(val, TWIN_DTDL_SCHEMA), obj);
    ck_assert_int_eq(twin_dtdl_kind_of(obj), TWIN_DTDL_OBJECT);
    ck_assert_uint_eq(twin_dtdl_count(obj, TWIN_DTDL_FIELDS), 2);
    ck_assert_ptr_eq(twin_dtdl_at(obj, TWIN_DTDL_FIELDS, 1), y);
    ck_assert_str_eq(twin_dtdl_name(twin_dtdl_at(obj, TWIN_DTDL_FIELDS, 0)), "x");
    ck_assert_int_eq(twin_dtdl_kind_of(y), TWIN_DTDL_FIELD);
    ck_assert_ptr_eq(twin_dtdl_link(y, TWIN_DTDL_SCHEMA), arr);
    ck_assert_int_eq(twin_dtdl_kind_of(arr), TWIN_DTDL_ARRAY);
    ck_assert_int_eq(twin_dtdl_primitive_of(twin_dtdl_link(arr, TWIN_DTDL_ELEMENT_SCHEMA)),
                     TWIN_DTDL_DOUBLE);
    /* parents lead back to the Interface */
    ck_assert_ptr_eq(twin_dtdl_link(arr, TWIN_DTDL_PARENT), y);
    ck_assert_ptr_eq(twin_dtdl_link(y, TWIN_DTDL_PARENT), obj);
    ck_assert_ptr_eq(twin_dtdl_link(obj, TWIN_DTDL_PARENT), val);
    ck_assert_ptr_eq(twin_dtdl_link(val, TWIN_DTDL_PARENT), map);
    ck_assert_ptr_eq(twin_dtdl_link(map, TWIN_DTDL_PARENT), p);
    ck_assert_ptr_eq(twin_dtdl_link(p, TWIN_DTDL_PARENT), find_ok(M, SI ";1"));
    /* links of the wrong kind give NULL */
    ck_assert_ptr_null(twin_dtdl_link(map, TWIN_DTDL_SCHEMA));
    ck_assert_ptr_null(twin_dtdl_link(arr, TWIN_DTDL_VALUE_SCHEMA));
    ck_assert_ptr_null(twin_dtdl_link(p, TWIN_DTDL_TARGET));
    ck_assert_ptr_null(twin_dtdl_link(NULL, TWIN_DTDL_SCHEMA));
#undef SI
}
END_TEST

START_TEST(test_generated_id_of_content_with_versionless_interface)
{
    add_resolve_ok(M, "{" CTX3 ",'@id':'dtmi:x:J','@type':'Interface','contents':"
                      "[{'@type':'Telemetry','name':'temp','schema':'double'}]}");
    ck_assert_int_eq(twin_dtdl_kind_of(find_ok(M, "dtmi:x:J:_contents:__temp")), TWIN_DTDL_TELEMETRY);
}
END_TEST

START_TEST(test_array_inline)
{
    const twin_dtdl_elem *t, *a;
    add_resolve_ok(M, I3 ",'contents':[{'@type':'Telemetry','name':'temp','schema':"
                         "{'@type':'Array','elementSchema':{'@type':'Array','elementSchema':'long'}}}]}");
    t = find_ok(M, "dtmi:x:I:_contents:__temp;1");
    a = twin_dtdl_link(t, TWIN_DTDL_SCHEMA);
    ck_assert_ptr_eq(a, find_ok(M, "dtmi:x:I:_contents:__temp:_schema;1"));
    ck_assert_int_eq(twin_dtdl_kind_of(a), TWIN_DTDL_ARRAY);
    a = twin_dtdl_link(a, TWIN_DTDL_ELEMENT_SCHEMA);
    ck_assert_ptr_eq(a, find_ok(M, "dtmi:x:I:_contents:__temp:_schema:_elementSchema;1"));
    ck_assert_int_eq(twin_dtdl_primitive_of(twin_dtdl_link(a, TWIN_DTDL_ELEMENT_SCHEMA)), TWIN_DTDL_LONG);
}
END_TEST

START_TEST(test_enum_inline_integer_values)
{
    const twin_dtdl_elem *e, *v;
    const char *str = "x";
    int64_t num = 0;
    add_resolve_ok(M, I3 ",'contents':[{'@type':'Property','name':'mode','schema':"
                         "{'@type':'Enum','valueSchema':'integer','enumValues':["
                         "{'name':'off','enumValue':0,'displayName':'Off'},"
                         "{'name':'on','enumValue':-7}]}}]}");
    e = find_ok(M, "dtmi:x:I:_contents:__mode:_schema;1");
    ck_assert_int_eq(twin_dtdl_kind_of(e), TWIN_DTDL_ENUM);
    ck_assert_int_eq(twin_dtdl_primitive_of(twin_dtdl_link(e, TWIN_DTDL_VALUE_SCHEMA)), TWIN_DTDL_INTEGER);
    ck_assert_uint_eq(twin_dtdl_count(e, TWIN_DTDL_ENUM_VALUES), 2);
    v = twin_dtdl_at(e, TWIN_DTDL_ENUM_VALUES, 1);
    ck_assert_ptr_eq(v, find_ok(M, "dtmi:x:I:_contents:__mode:_schema:_enumValues:__on;1"));
    ck_assert_int_eq(twin_dtdl_enum_value(v, &str, &num), TWIN_OK);
    ck_assert_ptr_null(str);
    ck_assert_int_eq(num, -7);
    ck_assert_str_eq(twin_dtdl_display_name(twin_dtdl_at(e, TWIN_DTDL_ENUM_VALUES, 0), "en"), "Off");
    ck_assert_int_eq(twin_dtdl_enum_value(v, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_dtdl_enum_value(NULL, &str, &num), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_enum_value_type_must_match_value_schema)
{
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Property','name':'mode','schema':"
                             "{'@type':'Enum','valueSchema':'integer','enumValues':["
                             "{'name':'off','enumValue':'zero'}]}}]}"),
                     TWIN_E_CONSTRAINT);
    /* an Enum's valueSchema is integer or string */
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Property','name':'mode','schema':"
                             "{'@type':'Enum','valueSchema':'double','enumValues':["
                             "{'name':'off','enumValue':1}]}}]}"),
                     TWIN_E_CONSTRAINT);
}
END_TEST

START_TEST(test_object_inline)
{
    const twin_dtdl_elem *o, *f;
    add_resolve_ok(M, I3 ",'contents':[{'@type':'Telemetry','name':'pos','schema':"
                         "{'@type':'Object','fields':[{'name':'lat','schema':'double'},"
                         "{'name':'lon','schema':'double','comment':'east'}]}}]}");
    o = find_ok(M, "dtmi:x:I:_contents:__pos:_schema;1");
    ck_assert_int_eq(twin_dtdl_kind_of(o), TWIN_DTDL_OBJECT);
    ck_assert_uint_eq(twin_dtdl_count(o, TWIN_DTDL_FIELDS), 2);
    f = find_ok(M, "dtmi:x:I:_contents:__pos:_schema:_fields:__lon;1");
    ck_assert_ptr_eq(twin_dtdl_at(o, TWIN_DTDL_FIELDS, 1), f);
    ck_assert_str_eq(twin_dtdl_comment(f), "east");
    ck_assert_str_eq(twin_dtdl_comment(o), "");
    ck_assert_ptr_null(twin_dtdl_at(o, TWIN_DTDL_FIELDS, 2));
    ck_assert_uint_eq(twin_dtdl_count(o, TWIN_DTDL_ENUM_VALUES), 0);
}
END_TEST

START_TEST(test_duplicate_field_names)
{
    ADD_FAILS(M, I3 ",'contents':[{'@type':'Telemetry','name':'pos','schema':"
                    "{'@type':'Object','fields':[{'name':'a','schema':'double'},"
                    "{'name':'a','schema':'long'}]}}]}",
              TWIN_E_CONSTRAINT, "nonUniquePropertyValue");
}
END_TEST

START_TEST(test_map_inline)
{
    const twin_dtdl_elem *m;
    /* a map key's schema is string */
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Property','name':'tags','schema':"
                             "{'@type':'Map','mapKey':{'name':'k','schema':'integer'},"
                             "'mapValue':{'name':'v','schema':'integer'}}}]}"),
                     TWIN_E_CONSTRAINT);
    add_resolve_ok(M, I3 ",'contents':[{'@type':'Property','name':'tags','schema':"
                         "{'@type':'Map','mapKey':{'name':'k','schema':'string'},"
                         "'mapValue':{'name':'v','schema':'integer'}}}]}");
    m = find_ok(M, "dtmi:x:I:_contents:__tags:_schema;1");
    ck_assert_int_eq(twin_dtdl_kind_of(m), TWIN_DTDL_MAP);
    ck_assert_ptr_eq(twin_dtdl_link(m, TWIN_DTDL_MAP_KEY_OF),
                     find_ok(M, "dtmi:x:I:_contents:__tags:_schema:_mapKey;1"));
    ck_assert_int_eq(twin_dtdl_primitive_of(twin_dtdl_link(twin_dtdl_link(m, TWIN_DTDL_MAP_VALUE_OF),
                                                           TWIN_DTDL_SCHEMA)),
                     TWIN_DTDL_INTEGER);
}
END_TEST

/* Reusable schemas with an @id in `schemas`, referenced by DTMI. */
START_TEST(test_schemas_referenced_by_dtmi)
{
    const twin_dtdl_elem *i, *s, *e;
    add_resolve_ok(M, I3 ",'schemas':["
                         "{'@id':'dtmi:x:Point;1','@type':'Object','fields':[{'name':'x','schema':'double'}]},"
                         "{'@id':'dtmi:x:Mode;1','@type':'Enum','valueSchema':'string',"
                         "'enumValues':[{'name':'a','enumValue':'A'}]}],"
                         "'contents':[{'@type':'Property','name':'p','schema':'dtmi:x:Point;1'},"
                         "{'@type':'Telemetry','name':'t','schema':{'@type':'Array',"
                         "'elementSchema':'dtmi:x:Mode;1'}}]}");
    i = find_ok(M, "dtmi:x:I;1");
    s = find_ok(M, "dtmi:x:Point;1");
    e = find_ok(M, "dtmi:x:Mode;1");
    ck_assert_uint_eq(twin_dtdl_count(i, TWIN_DTDL_SCHEMAS), 2);
    ck_assert_ptr_eq(twin_dtdl_at(i, TWIN_DTDL_SCHEMAS, 0), s);
    ck_assert_ptr_eq(twin_dtdl_at(i, TWIN_DTDL_SCHEMAS, 1), e);
    ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_content(i, "p"), TWIN_DTDL_SCHEMA), s);
    ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_link(twin_dtdl_content(i, "t"), TWIN_DTDL_SCHEMA),
                                    TWIN_DTDL_ELEMENT_SCHEMA),
                     e);
    ck_assert_ptr_eq(twin_dtdl_link(s, TWIN_DTDL_PARENT), i);
    ck_assert_uint_eq(twin_dtdl_count(i, TWIN_DTDL_CONTENTS), 2);
}
END_TEST

START_TEST(test_schema_reference_to_an_interface_rejected)
{
    twin_status s;
    ADD_OK(M, "[" I3 ",'contents':[{'@type':'Property','name':'p','schema':'dtmi:x:J;1'}]},"
              "{" CTX3 ",'@id':'dtmi:x:J;1','@type':'Interface'}]");
    s = twin_models_resolve(M);
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "resolve returned %d: %s", s, diag_dump(M));
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:I;1"));
}
END_TEST

/* A schema is nested at most 5 complex schemas deep in v2 and v3, 8 in v4
 * (generated/ArrayMaxDeepV4.json). */
static const char *nested_arrays(const char *head, int n)
{
    int k;
    size_t used;
    used = (size_t)snprintf(doc, sizeof doc, "%s,'contents':[{'@type':'Telemetry','name':'t','schema':",
                            head);
    for (k = 0; k < n; k++)
        used += (size_t)snprintf(doc + used, sizeof doc - used, "{'@type':'Array','elementSchema':");
    used += (size_t)snprintf(doc + used, sizeof doc - used, "'double'");
    for (k = 0; k < n; k++) used += (size_t)snprintf(doc + used, sizeof doc - used, "}");
    snprintf(doc + used, sizeof doc - used, "}]}");
    return doc;
}

static void nesting_limit(const char *head, int max)
{
    twin_models *m = models_open(&mfa, 0);
    const twin_dtdl_elem *s;
    int k;
    ck_assert_msg(addq(m, nested_arrays(head, max)) == TWIN_OK, "%d deep: %s", max, diag_dump(m));
    RESOLVE_OK(m);
    s = twin_dtdl_link(twin_dtdl_content(find_ok(m, "dtmi:x:I;1"), "t"), TWIN_DTDL_SCHEMA);
    for (k = 0; k < max; k++) {
        ck_assert_int_eq(twin_dtdl_kind_of(s), TWIN_DTDL_ARRAY);
        s = twin_dtdl_link(s, TWIN_DTDL_ELEMENT_SCHEMA);
    }
    ck_assert_int_eq(twin_dtdl_primitive_of(s), TWIN_DTDL_DOUBLE);
    models_close(m, NULL);
    ck_assert_int_eq(addq(M, nested_arrays(head, max + 1)), TWIN_E_CONSTRAINT);
    ck_assert_uint_ge(twin_models_diag_count(M), 1);
}

START_TEST(test_schema_nesting_limit_v2)
{
    nesting_limit(I2, 5);
}
END_TEST

START_TEST(test_schema_nesting_limit_v3)
{
    nesting_limit(I3, 5);
}
END_TEST

START_TEST(test_schema_nesting_limit_v4)
{
    nesting_limit(I4, 8);
}
END_TEST

/* v2 Properties may not hold an Array; v3 ones may. */
START_TEST(test_array_in_property_v2_rejected_v3_accepted)
{
    static const char *const body =
        ",'contents':[{'@type':'Property','name':'p','schema':"
        "{'@type':'Object','fields':[{'name':'a','schema':{'@type':'Array','elementSchema':'double'}}]}}]}";
    char q[512];
    snprintf(q, sizeof q, "%s%s", I2, body);
    ck_assert_int_eq(addq(M, q), TWIN_E_CONSTRAINT);
    snprintf(q, sizeof q, "%s%s", I3, body);
    ADD_OK(M, q);
}
END_TEST

/* ---- contents --------------------------------------------------------------- */

START_TEST(test_command_request_response_v3)
{
    const twin_dtdl_elem *c, *rq, *rs;
    add_resolve_ok(M, I3 ",'contents':[{'@type':'Command','name':'reboot',"
                         "'request':{'name':'delay','schema':'duration'},"
                         "'response':{'@type':'CommandResponse','name':'ok','schema':'boolean'}}]}");
    c = find_ok(M, "dtmi:x:I:_contents:__reboot;1");
    ck_assert_int_eq(twin_dtdl_kind_of(c), TWIN_DTDL_COMMAND);
    rq = twin_dtdl_link(c, TWIN_DTDL_REQUEST);
    rs = twin_dtdl_link(c, TWIN_DTDL_RESPONSE);
    ck_assert_ptr_eq(rq, find_ok(M, "dtmi:x:I:_contents:__reboot:_request;1"));
    ck_assert_ptr_eq(rs, find_ok(M, "dtmi:x:I:_contents:__reboot:_response;1"));
    ck_assert_int_eq(twin_dtdl_kind_of(rq), TWIN_DTDL_COMMAND_REQUEST);
    ck_assert_int_eq(twin_dtdl_kind_of(rs), TWIN_DTDL_COMMAND_RESPONSE);
    ck_assert_str_eq(twin_dtdl_name(rq), "delay");
    ck_assert_int_eq(twin_dtdl_primitive_of(twin_dtdl_link(rq, TWIN_DTDL_SCHEMA)), TWIN_DTDL_DURATION);
    ck_assert_int_eq(twin_dtdl_primitive_of(twin_dtdl_link(rs, TWIN_DTDL_SCHEMA)), TWIN_DTDL_BOOLEAN);
    ck_assert_ptr_eq(twin_dtdl_link(rq, TWIN_DTDL_PARENT), c);
}
END_TEST

START_TEST(test_command_without_payloads)
{
    const twin_dtdl_elem *c;
    add_resolve_ok(M, I3 ",'contents':[{'@type':'Command','name':'ping'}]}");
    c = twin_dtdl_content(find_ok(M, "dtmi:x:I;1"), "ping");
    ck_assert_int_eq(twin_dtdl_kind_of(c), TWIN_DTDL_COMMAND);
    ck_assert_ptr_null(twin_dtdl_link(c, TWIN_DTDL_REQUEST));
    ck_assert_ptr_null(twin_dtdl_link(c, TWIN_DTDL_RESPONSE));
}
END_TEST

/* v2: request and response are CommandPayloads (the class may be left out);
 * commandType is allowed. */
START_TEST(test_command_payload_v2)
{
    const twin_dtdl_elem *c;
    add_resolve_ok(M, I2 ",'contents':[{'@type':'Command','name':'reboot','commandType':'synchronous',"
                         "'request':{'name':'delay','schema':'integer'},"
                         "'response':{'@type':'CommandPayload','name':'ok','schema':'boolean'}}]}");
    c = twin_dtdl_content(find_ok(M, "dtmi:x:I;1"), "reboot");
    ck_assert_int_eq(twin_dtdl_kind_of(twin_dtdl_link(c, TWIN_DTDL_REQUEST)), TWIN_DTDL_COMMAND_REQUEST);
    ck_assert_int_eq(twin_dtdl_kind_of(twin_dtdl_link(c, TWIN_DTDL_RESPONSE)), TWIN_DTDL_COMMAND_RESPONSE);
}
END_TEST

/* nullable exists on CommandRequest/Response in v4 only. */
START_TEST(test_command_nullable_v4_only)
{
    ADD_OK(M, I4 ",'contents':[{'@type':'Command','name':'c',"
                 "'request':{'name':'d','schema':'integer','nullable':true}}]}");
    ck_assert_int_eq(addq(M, "{" CTX3 ",'@id':'dtmi:x:J;1','@type':'Interface','contents':[{'@type':"
                             "'Command','name':'c','request':{'name':'d','schema':'integer','nullable':true}}]}"),
                     TWIN_E_CONSTRAINT);
}
END_TEST

START_TEST(test_relationship_target_and_multiplicity)
{
    const twin_dtdl_elem *r, *t;
    uint32_t min = 9, max = 9;
    add_resolve_ok(M, "[" I3 ",'contents':[{'@type':'Relationship','name':'feeds',"
                          "'target':'dtmi:x:T;1','minMultiplicity':0,'maxMultiplicity':5,'writable':true,"
                          "'properties':[{'@type':'Property','name':'w','schema':'double'}]}]},"
                          "{" CTX3 ",'@id':'dtmi:x:T;1','@type':'Interface'}]");
    r = find_ok(M, "dtmi:x:I:_contents:__feeds;1");
    t = find_ok(M, "dtmi:x:T;1");
    ck_assert_int_eq(twin_dtdl_kind_of(r), TWIN_DTDL_RELATIONSHIP);
    ck_assert_ptr_eq(twin_dtdl_link(r, TWIN_DTDL_TARGET), t);
    ck_assert_int_eq(twin_dtdl_multiplicity(r, &min, &max), TWIN_OK);
    ck_assert_uint_eq(min, 0);
    ck_assert_uint_eq(max, 5);
    ck_assert_int_eq(twin_dtdl_multiplicity(r, NULL, NULL), TWIN_OK);
    ck_assert(twin_dtdl_writable(r));
    ck_assert_uint_eq(twin_dtdl_count(r, TWIN_DTDL_PROPERTIES), 1);
    ck_assert_str_eq(twin_dtdl_name(twin_dtdl_at(r, TWIN_DTDL_PROPERTIES, 0)), "w");
    ck_assert_int_eq(twin_dtdl_kind_of(twin_dtdl_at(r, TWIN_DTDL_PROPERTIES, 0)), TWIN_DTDL_PROPERTY);
    ck_assert_uint_eq(twin_models_interface_count(M), 2);
}
END_TEST

START_TEST(test_relationship_defaults)
{
    const twin_dtdl_elem *r;
    uint32_t min = 9, max = 9;
    add_resolve_ok(M, I3 ",'contents':[{'@type':'Relationship','name':'near'}]}");
    r = twin_dtdl_content(find_ok(M, "dtmi:x:I;1"), "near");
    ck_assert_int_eq(twin_dtdl_multiplicity(r, &min, &max), TWIN_OK);
    ck_assert_uint_eq(min, 0);
    ck_assert_uint_eq(max, UINT32_MAX);
    ck_assert_ptr_null(twin_dtdl_link(r, TWIN_DTDL_TARGET));
    ck_assert(!twin_dtdl_writable(r));
    ck_assert_uint_eq(twin_dtdl_count(r, TWIN_DTDL_PROPERTIES), 0);
}
END_TEST

START_TEST(test_relationship_multiplicity_rules)
{
    /* v2: minMultiplicity must be 0, maxMultiplicity 1..500 */
    ck_assert_int_eq(addq(M, I2 ",'contents':[{'@type':'Relationship','name':'r','minMultiplicity':1}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I2 ",'contents':[{'@type':'Relationship','name':'r','maxMultiplicity':0}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I2 ",'contents':[{'@type':'Relationship','name':'r','maxMultiplicity':501}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Relationship','name':'r','minMultiplicity':-1}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Relationship','name':'r','maxMultiplicity':0}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Relationship','name':'r','maxMultiplicity':1.5}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Relationship','name':'r','maxMultiplicity':'2'}]}"),
                     TWIN_E_CONSTRAINT);
    ADD_OK(M, I2 ",'contents':[{'@type':'Relationship','name':'r','minMultiplicity':0,'maxMultiplicity':500}]}");
}
END_TEST

START_TEST(test_relationship_target_must_be_a_dtmi)
{
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Relationship','name':'r','target':'Room'}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_ptr_nonnull(diag_find(M, "invalidId"));
}
END_TEST

START_TEST(test_component)
{
    const twin_dtdl_elem *c;
    /* a Component's schema is an Interface, not a primitive */
    ck_assert_int_eq(addq(M, "{" CTX3 ",'@id':'dtmi:x:K;1','@type':'Interface','contents':"
                             "[{'@type':'Component','name':'c','schema':'double'}]}"),
                     TWIN_E_CONSTRAINT);
    add_resolve_ok(M, "[{" CTX3 ",'@id':'dtmi:x:Part;1','@type':'Interface','contents':"
                          "[{'@type':'Property','name':'serial','schema':'string'}]},"
                      I3 ",'contents':[{'@type':'Component','name':'left','schema':'dtmi:x:Part;1'}]}]");
    c = find_ok(M, "dtmi:x:I:_contents:__left;1");
    ck_assert_int_eq(twin_dtdl_kind_of(c), TWIN_DTDL_COMPONENT);
    ck_assert_ptr_eq(twin_dtdl_link(c, TWIN_DTDL_SCHEMA), find_ok(M, "dtmi:x:Part;1"));
    ck_assert_ptr_eq(twin_models_interface(M, 0), find_ok(M, "dtmi:x:Part;1"));
    ck_assert_ptr_eq(twin_models_interface(M, 1), find_ok(M, "dtmi:x:I;1"));
}
END_TEST

START_TEST(test_component_schema_must_be_an_interface_at_resolve)
{
    twin_status s;
    ADD_OK(M, I3 ",'schemas':[{'@id':'dtmi:x:O;1','@type':'Object','fields':[{'name':'a','schema':'double'}]}],"
              "'contents':[{'@type':'Component','name':'c','schema':'dtmi:x:O;1'}]}");
    s = twin_models_resolve(M);
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "resolve returned %d: %s", s, diag_dump(M));
}
END_TEST

/* ---- semantic types and units ----------------------------------------------- */

/* DTDL v2: semantic types and units are part of the language. */
START_TEST(test_semantic_type_v2_native)
{
    const twin_dtdl_elem *t;
    add_resolve_ok(M, I2 ",'contents':[{'@type':['Telemetry','Temperature'],'name':'temp',"
                         "'schema':'double','unit':'degreeCelsius'}]}");
    t = twin_dtdl_content(find_ok(M, "dtmi:x:I;1"), "temp");
    ck_assert_str_eq(twin_dtdl_semantic_type(t), "Temperature");
    ck_assert_str_eq(twin_dtdl_unit(t), "degreeCelsius");
    ck_assert_uint_eq(twin_dtdl_cotype_count(t), 1);
    ck_assert_str_eq(twin_dtdl_cotype(t, 0), "Temperature");
}
END_TEST

/* DTDL v3: through dtmi:dtdl:extension:quantitativeTypes;1 only. */
START_TEST(test_semantic_type_v3_needs_quantitative_types)
{
    static const char *const content =
        ",'@id':'dtmi:x:I;1','@type':'Interface','contents':[{'@type':['Property','Power'],"
        "'name':'p','schema':'double','unit':'watt'}]}";
    char q[512];
    const twin_dtdl_elem *p;
    snprintf(q, sizeof q, "{%s%s", CTX3, content);
    ADD_FAILS(M, q, TWIN_E_CONSTRAINT, "typeUndefinedTerm");
    snprintf(q, sizeof q, "{%s%s", QT1, content);
    add_resolve_ok(M, q);
    p = twin_dtdl_content(find_ok(M, "dtmi:x:I;1"), "p");
    ck_assert_str_eq(twin_dtdl_semantic_type(p), "Power");
    ck_assert_str_eq(twin_dtdl_unit(p), "watt");
}
END_TEST

START_TEST(test_semantic_type_wrong_unit_rejected)
{
    const twin_dtdl_diag *d;
    ck_assert_int_eq(addq(M, "{" QT1 ",'@id':'dtmi:x:I;1','@type':'Interface','contents':[{'@type':"
                             "['Telemetry','Temperature'],'name':'t','schema':'double','unit':'metre'}]}"),
                     TWIN_E_CONSTRAINT);
    d = twin_models_diag(M, 0);
    ck_assert_ptr_nonnull(d);
    ck_assert(strncmp(d->pointer, "/contents/0", 11) == 0);
    ck_assert_int_eq(addq(M, I2 ",'contents':[{'@type':['Telemetry','Temperature'],'name':'t',"
                             "'schema':'double','unit':'watt'}]}"),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I2 ",'contents':[{'@type':['Telemetry','Temperature'],'name':'t',"
                             "'schema':'double','unit':'noSuchUnit'}]}"),
                     TWIN_E_CONSTRAINT);
}
END_TEST

/* generated/TelemetryWithSemanticTypeQuantitativeAndNonNumericSchemaV3.json */
START_TEST(test_semantic_type_non_numeric_schema)
{
    ADD_FAILS(M, "{" QT1 ",'@id':'dtmi:x:I;1','@type':'Interface','contents':[{'@type':"
                 "['Telemetry','Temperature'],'name':'t','schema':'string','unit':'degreeCelsius'}]}",
              TWIN_E_CONSTRAINT, "notRequiredType");
}
END_TEST

START_TEST(test_unit_without_semantic_type_rejected)
{
    ADD_FAILS(M, I2 ",'contents':[{'@type':'Telemetry','name':'t','schema':'double','unit':'metre'}]}",
              TWIN_E_CONSTRAINT, "noTypeThatAllows");
}
END_TEST

/* ---- language maps, descriptions, comments ---------------------------------- */

START_TEST(test_language_map_and_fallback)
{
    const twin_dtdl_elem *a, *b, *c, *d;
    add_resolve_ok(M, I3 ",'displayName':{'en':'Pump','de':'Pumpe'},"
                         "'description':{'de':'Eine Pumpe','fr':'Une pompe'},'contents':["
                         "{'@type':'Telemetry','name':'a','schema':'double','displayName':'plain'},"
                         "{'@type':'Telemetry','name':'b','schema':'double','displayName':{'fr':'b-fr','de':'b-de'}},"
                         "{'@type':'Telemetry','name':'c','schema':'double'},"
                         "{'@type':'Telemetry','name':'d','schema':'double','displayName':{'en-US':'us','en':'en'}}]}");
    a = find_ok(M, "dtmi:x:I;1");
    ck_assert_str_eq(twin_dtdl_display_name(a, "en"), "Pump");
    ck_assert_str_eq(twin_dtdl_display_name(a, "de"), "Pumpe");
    ck_assert_str_eq(twin_dtdl_display_name(a, NULL), "Pump");
    ck_assert_str_eq(twin_dtdl_display_name(a, "ja"), "Pump");         /* en */
    ck_assert_str_eq(twin_dtdl_description(a, "fr"), "Une pompe");
    ck_assert_str_eq(twin_dtdl_description(a, "en"), "Eine Pumpe");    /* no en: the first */
    b = twin_dtdl_content(a, "a");
    ck_assert_str_eq(twin_dtdl_display_name(b, "en"), "plain");         /* a string is en */
    ck_assert_str_eq(twin_dtdl_display_name(b, "de"), "plain");
    c = twin_dtdl_content(a, "b");
    ck_assert_str_eq(twin_dtdl_display_name(c, "de"), "b-de");
    ck_assert_str_eq(twin_dtdl_display_name(c, "it"), "b-fr");
    d = twin_dtdl_content(a, "c");
    ck_assert_str_eq(twin_dtdl_display_name(d, "en"), "");
    ck_assert_str_eq(twin_dtdl_description(d, NULL), "");
    ck_assert_str_eq(twin_dtdl_display_name(twin_dtdl_content(a, "d"), "en-US"), "us");
    ck_assert_str_eq(twin_dtdl_display_name(twin_dtdl_content(a, "d"), "en-GB"), "en");
    ck_assert_str_eq(twin_dtdl_display_name(NULL, "en"), "");
    ck_assert_str_eq(twin_dtdl_description(NULL, "en"), "");
    ck_assert_str_eq(twin_dtdl_comment(NULL), "");
}
END_TEST

START_TEST(test_language_map_bad_forms)
{
    ck_assert_int_eq(addq(M, I3 ",'displayName':{'e n':'x'}}"), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'displayName':{'en':5}}"), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'displayName':42}"), TWIN_E_CONSTRAINT);
    /* generated/TelemetryDisplayNameLanguageMapKeywordPropV2.json */
    ck_assert_int_eq(addq(M, I3 ",'displayName':{'@language':'en'}}"), TWIN_E_CONSTRAINT);
}
END_TEST

static void text_limit(const char *head, const char *key, size_t max, int lang_map)
{
    char *ok = rep('w', max), *over = rep('w', max + 1);
    twin_models *m = models_open(&mfa, 0);
    const twin_dtdl_elem *i;
    if (lang_map) snprintf(doc, sizeof doc, "%s,'%s':{'en':'%s'}}", head, key, ok);
    else snprintf(doc, sizeof doc, "%s,'%s':'%s'}", head, key, ok);
    ck_assert_msg(addq(m, doc) == TWIN_OK, "%s of %zu: %s", key, max, diag_dump(m));
    RESOLVE_OK(m);
    i = find_ok(m, "dtmi:x:I;1");
    if (strcmp(key, "comment") == 0) ck_assert_str_eq(twin_dtdl_comment(i), ok);
    else if (strcmp(key, "description") == 0) ck_assert_str_eq(twin_dtdl_description(i, "en"), ok);
    else ck_assert_str_eq(twin_dtdl_display_name(i, "en"), ok);
    models_close(m, NULL);
    if (lang_map) snprintf(doc, sizeof doc, "%s,'%s':{'en':'%s'}}", head, key, over);
    else snprintf(doc, sizeof doc, "%s,'%s':'%s'}", head, key, over);
    ck_assert_msg(addq(M, doc) == TWIN_E_CONSTRAINT, "%s of %zu accepted", key, max + 1);
    ck_assert_str_eq(twin_models_diag(M, 0)->source, "test.json");
    free(ok);
    free(over);
}

START_TEST(test_description_and_comment_limits)
{
    text_limit(I2, "description", 512, 0);
    text_limit(I3, "description", 512, 1);
    text_limit(I4, "description", 512, 0);
    text_limit(I2, "comment", 512, 0);
    text_limit(I3, "comment", 512, 0);
    text_limit(I2, "displayName", 64, 0);
    text_limit(I2, "displayName", 64, 1);
}
END_TEST

START_TEST(test_comment_must_be_a_string)
{
    ck_assert_int_eq(addq(M, I3 ",'comment':{'en':'x'}}"), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'comment':7}"), TWIN_E_CONSTRAINT);
}
END_TEST

/* ---- JSON-LD keywords ------------------------------------------------------- */

START_TEST(test_jsonld_keyword_disallowed)
{
    ck_assert_int_eq(addq(M, I3 ",'@graph':[]}"), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, I3 ",'contents':[{'@type':'Telemetry','name':'t','schema':'double',"
                             "'@language':'en'}]}"),
                     TWIN_E_CONSTRAINT);
}
END_TEST

START_TEST(test_interface_needs_an_id_and_a_type)
{
    ck_assert_int_eq(addq(M, "{" CTX3 ",'@type':'Interface'}"), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, "{" CTX3 ",'@id':'dtmi:x:I;1'}"), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(addq(M, "{" CTX3 ",'@id':7,'@type':'Interface'}"), TWIN_E_CONSTRAINT);
}
END_TEST

/* ---- diagnostics ------------------------------------------------------------ */

START_TEST(test_diagnostic_fields_and_position)
{
    static const char *const q =
        "{\n"
        "  '@context': 'dtmi:dtdl:context;3',\n"
        "  '@id': 'dtmi:x:I;1',\n"
        "  '@type': 'Interface',\n"
        "  'contents': [\n"
        "    { '@type': 'Property', 'name': 'fine', 'schema': 'double' },\n"
        "    { '@type': 'Property',\n"
        "      'name': '9lives', 'schema': 'double' }\n"
        "  ]\n"
        "}\n";
    char *text = jq(q);
    const twin_dtdl_diag *d;
    uint32_t line, col;
    twin_error e;
    ck_assert_int_eq(add_src(M, text, "models/pump.json"), TWIN_E_CONSTRAINT);
    ck_assert_uint_eq(twin_models_diag_count(M), 1);
    d = twin_models_diag(M, 0);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_null(twin_models_diag(M, 1));
    ck_assert_str_ne(d->code, "");
    ck_assert_str_ne(d->message, "");
    ck_assert_str_eq(d->source, "models/pump.json");
    ck_assert_str_eq(d->pointer, "/contents/1/name");
    ck_assert_str_eq(d->secondary, "");
    ck_assert_uint_eq(d->document, 0);
    text_pos(text, "\"9lives\"", &line, &col);
    ck_assert_uint_eq(line, 8);
    ck_assert_uint_eq(d->line, line);
    ck_assert_uint_eq(d->column, col);
    ck_assert_uint_eq(d->reserved_, 0);
    e = twin_models_last_error(M);
    ck_assert_int_eq(e.status, TWIN_E_CONSTRAINT);
    ck_assert_str_ne(e.message, "");
    free(text);
}
END_TEST

/* In an array of documents: the document index, and positions in the
 * whole text. Every error of the call is listed. */
START_TEST(test_diagnostics_in_an_array_of_documents)
{
    static const char *const q =
        "[\n"
        " {'@context':'dtmi:dtdl:context;3','@id':'dtmi:x:A;1','@type':'Interface'},\n"
        " {'@context':'dtmi:dtdl:context;3','@id':'dtmi:x:B;1','@type':'Interface',\n"
        "  'contents':[{'@id':'dtmi:x:B:t;1','@type':'Telemetry','name':'t',\n"
        "               'schema':'double','bogus':1}]},\n"
        " {'@context':'dtmi:dtdl:context;3','@id':'dtmi:x:C;1','@type':'Interface','color':'red'}\n"
        "]";
    char *text = jq(q);
    const twin_dtdl_diag *d1 = NULL, *d2 = NULL;
    uint32_t line, col;
    size_t k;
    ck_assert_int_eq(add_src(M, text, NULL), TWIN_E_CONSTRAINT);
    ck_assert_uint_eq(twin_models_diag_count(M), 2);
    for (k = 0; k < 2; k++) {
        const twin_dtdl_diag *d = twin_models_diag(M, k);
        if (d->document == 1) d1 = d;
        if (d->document == 2) d2 = d;
        ck_assert_str_eq(d->source, "");  /* NULL source */
        ck_assert_str_eq(d->code, "noTypeThatAllows");
    }
    ck_assert_ptr_nonnull(d1);
    ck_assert_ptr_nonnull(d2);
    ck_assert_str_eq(d1->pointer, "/contents/0/bogus");
    ck_assert_str_eq(d1->primary, "dtmi:x:B:t;1");
    text_pos(text, "1}]}", &line, &col);
    ck_assert_uint_eq(d1->line, line);
    ck_assert_uint_eq(d1->column, col);
    ck_assert_str_eq(d2->pointer, "/color");
    ck_assert_str_eq(d2->primary, "dtmi:x:C;1");
    text_pos(text, "\"red\"", &line, &col);
    ck_assert_uint_eq(d2->line, line);
    ck_assert_uint_eq(d2->column, col);
    free(text);
}
END_TEST

/* A BOM shifts no column: columns count bytes from the start of the line,
 * and the BOM is part of the first line's bytes. */
START_TEST(test_diagnostic_position_after_bom)
{
    char *body = jq("{'@context':'dtmi:dtdl:context;3','@id':'dtmi:x:I;1','@type':'Interface','x':1}");
    char *text = malloc(strlen(body) + 4);
    const twin_dtdl_diag *d;
    uint32_t line, col;
    ck_assert_ptr_nonnull(text);
    strcpy(text, "\xEF\xBB\xBF");
    strcat(text, body);
    ck_assert_int_eq(add_src(M, text, "bom.json"), TWIN_E_CONSTRAINT);
    d = twin_models_diag(M, 0);
    ck_assert_str_eq(d->pointer, "/x");
    text_pos(text, ":1}", &line, &col);
    ck_assert_uint_eq(d->line, 1);
    ck_assert_uint_eq(d->column, col + 1);
    free(text);
    free(body);
}
END_TEST

/* Diagnostics belong to the last call: a successful add clears them (the
 * last error, a record of the last failure, stays). */
START_TEST(test_diagnostics_cleared_by_the_next_call)
{
    ck_assert_int_eq(addq(M, I3 ",'x':1}"), TWIN_E_CONSTRAINT);
    ck_assert_uint_eq(twin_models_diag_count(M), 1);
    ADD_OK(M, I3 "}");
    ck_assert_uint_eq(twin_models_diag_count(M), 0);
    ck_assert_ptr_null(twin_models_diag(M, 0));
    ck_assert_int_eq(twin_models_last_error(M).status, TWIN_E_CONSTRAINT); /* kept (core.h) */
    ck_assert_uint_eq(twin_models_diag_count(NULL), 0);
    ck_assert_ptr_null(twin_models_diag(NULL, 0));
}
END_TEST

/* ---- suite ------------------------------------------------------------------ */

static Suite *suite(void)
{
    Suite *s = suite_create("dtdl_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, models_setup, models_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_minimal_v2_interface);
    tcase_add_test(tc, test_minimal_v3_interface);
    tcase_add_test(tc, test_minimal_v4_interface);
    tcase_add_test(tc, test_context_after_the_other_members);
    tcase_add_test(tc, test_byte_order_mark_is_skipped);
    tcase_add_test(tc, test_context_array_with_extension);
    tcase_add_test(tc, test_context_one_element_array);
    tcase_add_test(tc, test_context_extension_first_is_an_error);
    tcase_add_test(tc, test_context_local_object_is_disallowed);
    tcase_add_test(tc, test_context_unknown_version);
    tcase_add_test(tc, test_context_above_max_dtdl_version);
    tcase_add_test(tc, test_context_missing);
    tcase_add_test(tc, test_context_not_a_dtmi);
    tcase_add_test(tc, test_dtmi_v2_requires_a_version);
    tcase_add_test(tc, test_dtmi_v3_allows_no_version_and_major_minor);
    tcase_add_test(tc, test_dtmi_invalid_forms);
    tcase_add_test(tc, test_dtmi_interface_id_length_limit);
    tcase_add_test(tc, test_dtmi_reserved);
    tcase_add_test(tc, test_dtmi_parse_parts);
    tcase_add_test(tc, test_dtmi_parse_rejects);
    tcase_add_test(tc, test_dtmi_parse_no_length_limit);
    tcase_add_test(tc, test_dtmi_parse_length_at_limit_and_past);
    tcase_add_test(tc, test_dtmi_parse_arguments);
    tcase_add_test(tc, test_name_pattern);
    tcase_add_test(tc, test_name_length_v2_is_64);
    tcase_add_test(tc, test_name_length_v3_is_512);
    tcase_add_test(tc, test_name_length_v4_is_512);
    tcase_add_test(tc, test_duplicate_content_names);
    tcase_add_test(tc, test_duplicate_enum_value_names);
    tcase_add_test(tc, test_missing_name);
    tcase_add_test(tc, test_missing_schema);
    tcase_add_test(tc, test_unknown_property);
    tcase_add_test(tc, test_undefined_cotype_rejected_by_default);
    tcase_add_test(tc, test_undefined_cotype_accepted_with_flag);
    tcase_add_test(tc, test_class_as_dtmi);
    tcase_add_test(tc, test_two_classes_rejected);
    tcase_add_test(tc, test_non_interface_root_rejected);
    tcase_add_test(tc, test_every_primitive_per_version);
    tcase_add_test(tc, test_primitive_names);
    tcase_add_test(tc, test_unknown_schema_term);
    tcase_add_test(tc, test_generated_ids_of_nested_schemas);
    tcase_add_test(tc, test_generated_id_of_content_with_versionless_interface);
    tcase_add_test(tc, test_array_inline);
    tcase_add_test(tc, test_enum_inline_integer_values);
    tcase_add_test(tc, test_enum_value_type_must_match_value_schema);
    tcase_add_test(tc, test_object_inline);
    tcase_add_test(tc, test_duplicate_field_names);
    tcase_add_test(tc, test_map_inline);
    tcase_add_test(tc, test_schemas_referenced_by_dtmi);
    tcase_add_test(tc, test_schema_reference_to_an_interface_rejected);
    tcase_add_test(tc, test_schema_nesting_limit_v2);
    tcase_add_test(tc, test_schema_nesting_limit_v3);
    tcase_add_test(tc, test_schema_nesting_limit_v4);
    tcase_add_test(tc, test_array_in_property_v2_rejected_v3_accepted);
    tcase_add_test(tc, test_command_request_response_v3);
    tcase_add_test(tc, test_command_without_payloads);
    tcase_add_test(tc, test_command_payload_v2);
    tcase_add_test(tc, test_command_nullable_v4_only);
    tcase_add_test(tc, test_relationship_target_and_multiplicity);
    tcase_add_test(tc, test_relationship_defaults);
    tcase_add_test(tc, test_relationship_multiplicity_rules);
    tcase_add_test(tc, test_relationship_target_must_be_a_dtmi);
    tcase_add_test(tc, test_component);
    tcase_add_test(tc, test_component_schema_must_be_an_interface_at_resolve);
    tcase_add_test(tc, test_semantic_type_v2_native);
    tcase_add_test(tc, test_semantic_type_v3_needs_quantitative_types);
    tcase_add_test(tc, test_semantic_type_wrong_unit_rejected);
    tcase_add_test(tc, test_semantic_type_non_numeric_schema);
    tcase_add_test(tc, test_unit_without_semantic_type_rejected);
    tcase_add_test(tc, test_language_map_and_fallback);
    tcase_add_test(tc, test_language_map_bad_forms);
    tcase_add_test(tc, test_description_and_comment_limits);
    tcase_add_test(tc, test_comment_must_be_a_string);
    tcase_add_test(tc, test_jsonld_keyword_disallowed);
    tcase_add_test(tc, test_interface_needs_an_id_and_a_type);
    tcase_add_test(tc, test_diagnostic_fields_and_position);
    tcase_add_test(tc, test_diagnostics_in_an_array_of_documents);
    tcase_add_test(tc, test_diagnostic_position_after_bom);
    tcase_add_test(tc, test_diagnostics_cleared_by_the_next_call);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
