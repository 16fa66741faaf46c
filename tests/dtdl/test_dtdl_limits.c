/* The limits of the DTDL reader (twin/dtdl.h, Limits; issue 21,
 * docs/limits.md): for each, a document exactly at the limit (added, the
 * model right) and one just past it (refused with the stated status and
 * code, the set as it was). Limits tested elsewhere are listed in
 * docs/limits.md with their tests: the document size under a lowered
 * max_document_bytes (test_dtdl_errors.c), the Interface @id in v3
 * (test_dtdl_parse.c), complex schema depth (test_dtdl_parse.c), extends
 * depth (test_dtdl_resolve.c), description, comment and v2 displayName
 * (test_dtdl_parse.c), JSON nesting in the reader itself
 * (test_dtdl_jsonread.c). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtdl/dtdl_fixture.h"
#include "support/run.h"
#include "twin/twin.h"

#define CTX(v) "\"@context\":\"dtmi:dtdl:context;" #v "\""
#define HEAD(v) "{" CTX(v) ",\"@id\":\"dtmi:x:I;1\",\"@type\":\"Interface\""

/* ---- a growing string ------------------------------------------------------- */

typedef struct sb {
    char *s;
    size_t n, cap;
} sb;

static void sb_add(sb *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        k = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
        va_end(ap);
        ck_assert_int_ge(k, 0);
        if ((size_t)k < room) break;
        b->cap = (b->cap + (size_t)k + 1) * 2;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    b->n += (size_t)k;
}

static void sb_rep(sb *b, char c, size_t n)
{
    while (n--) sb_add(b, "%c", c);
}

static char *rep(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* The sets of these tests, one at a time, on an allocator of their own
 * (the fixture's set lives on mfa): closed with set_close(), which checks
 * that nothing is left. */
static failalloc lfa;

static void set_close(twin_models *m)
{
    models_close(m, &lfa);
    failalloc_fini(&lfa);
}

/* Add b's text to a new set (flags, acceptable limits), resolve it when
 * the add succeeds; returns the first failing status, the set in *out. */
static twin_status add_set(const sb *b, uint32_t flags, const char *limit, twin_models **out)
{
    twin_models_options o;
    const char *limits[1] = {limit};
    twin_status s;
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    failalloc_init(&lfa);
    o.alloc = &lfa.alloc;
    o.flags = flags;
    if (limit) {
        o.acceptable_limits = limits;
        o.nacceptable_limits = 1;
    }
    ck_assert_int_eq(twin_models_create(out, &o), TWIN_OK);
    s = twin_models_add(*out, b->s, b->n, "limits.json");
    if (s == TWIN_OK) s = twin_models_resolve(*out);
    return s;
}

/* At the limit: added and resolved. */
static twin_models *at_ok(const sb *b, const char *limit)
{
    twin_models *m;
    twin_status s = add_set(b, 0, limit, &m);
    ck_assert_msg(s == TWIN_OK, "at the limit: %d %s", s, diag_dump(m));
    return m;
}

/* Past the limit: status st with a diagnostic of code; nothing added. */
static void past_fails(const sb *b, const char *limit, twin_status st, const char *code)
{
    twin_models *m;
    twin_status s = add_set(b, 0, limit, &m);
    ck_assert_msg(s == st && diag_find(m, code), "past the limit: %d, expected %d %s: %s", s, st,
                  code, diag_dump(m));
    ck_assert_uint_eq(twin_models_interface_count(m), 0);
    set_close(m);
}

/* ---- the text ----------------------------------------------------------------- */

/* max_document_bytes takes at most TWIN_MODELS_DOCUMENT_MAX. */
START_TEST(test_document_option_max)
{
    twin_models_options o;
    twin_models *m = NULL;
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.max_document_bytes = TWIN_MODELS_DOCUMENT_MAX;
    ck_assert_int_eq(twin_models_create(&m, &o), TWIN_OK);
    twin_models_destroy(m);
    o.max_document_bytes = TWIN_MODELS_DOCUMENT_MAX + 1;
    ck_assert_int_eq(twin_models_create(&m, &o), TWIN_E_INVAL);
    ck_assert_ptr_null(m);
}
END_TEST

/* The default document limit, 16 MiB: a document padded with white space
 * to exactly that is read; one byte more is refused before it is read. */
START_TEST(test_document_default_16_mib)
{
    size_t max = (size_t)16 << 20;
    const char *head = HEAD(3) "}";
    char *text = malloc(max + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', max + 1);
    memcpy(text, head, strlen(head));
    ck_assert_int_eq(twin_models_add(M, text, max + 1, "big"), TWIN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(twin_models_last_error(M).message, "over the limit of 16777216"));
    ck_assert_uint_eq(twin_models_diag_count(M), 0);
    ck_assert_int_eq(twin_models_add(M, text, max, "fits"), TWIN_OK);
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_interface_count(M), 1);
    free(text);
}
END_TEST

/* JSON nested 512 deep is read (the document then breaks a DTDL rule); 513
 * deep is refused at its 513th bracket. */
static void nested(sb *b, int levels)
{
    sb_add(b, HEAD(3) ",\"x\":");
    sb_rep(b, '[', (size_t)levels - 1);
    sb_rep(b, ']', (size_t)levels - 1);
    sb_add(b, "}");
}

START_TEST(test_json_nesting_512)
{
    sb b = {0};
    twin_models *m;
    size_t prefix = strlen(HEAD(3) ",\"x\":");
    const twin_dtdl_diag *d;
    nested(&b, 512);
    ck_assert_int_eq(add_set(&b, 0, NULL, &m), TWIN_E_CONSTRAINT);
    ck_assert_msg(diag_find(m, "noTypeThatAllows") && !diag_find(m, "twin.jsonTooDeep"), "%s",
                  diag_dump(m));
    set_close(m);
    b.n = 0;
    nested(&b, 513);
    past_fails(&b, NULL, TWIN_E_PARSE, "twin.jsonTooDeep");
    ck_assert_int_eq(add_set(&b, 0, NULL, &m), TWIN_E_PARSE);
    d = diag_find(m, "twin.jsonTooDeep");
    ck_assert_uint_eq(d->line, 1);
    ck_assert_uint_eq(d->column, prefix + 512);  /* the object, then 511 arrays: the 512th */
    set_close(m);
    free(b.s);
}
END_TEST

/* ---- identifiers -------------------------------------------------------------- */

/* A DTMI "dtmi:x:aaa...;1" of n characters. */
static char *dtmi_of(size_t n)
{
    char *s = rep('a', n);
    memcpy(s, "dtmi:x:", 7);
    memcpy(s + n - 2, ";1", 2);
    return s;
}

/* An Interface's @id: 128 characters in every version. */
START_TEST(test_interface_id_128)
{
    for (int v = 2; v <= 4; v++) {
        char *id = dtmi_of(128), *over = dtmi_of(129);
        sb b = {0};
        twin_models *m;
        sb_add(&b, "{\"@context\":\"dtmi:dtdl:context;%d\",\"@id\":\"%s\",\"@type\":\"Interface\"}", v,
               id);
        m = at_ok(&b, NULL);
        find_ok(m, id);
        set_close(m);
        b.n = 0;
        sb_add(&b, "{\"@context\":\"dtmi:dtdl:context;%d\",\"@id\":\"%s\",\"@type\":\"Interface\"}", v,
               over);
        past_fails(&b, NULL, TWIN_E_CONSTRAINT, "invalidId");
        free(b.s);
        free(id);
        free(over);
    }
}
END_TEST

/* Another element's @id: 2048 characters in v2, 4096 in v3 and v4. */
START_TEST(test_element_id_2048_4096)
{
    for (int v = 2; v <= 4; v++) {
        size_t max = v == 2 ? 2048 : 4096;
        for (size_t n = max; n <= max + 1; n++) {
            char *id = dtmi_of(n);
            sb b = {0};
            sb_add(&b, "{\"@context\":\"dtmi:dtdl:context;%d\",\"@id\":\"dtmi:x:I;1\","
                       "\"@type\":\"Interface\",\"contents\":[{\"@id\":\"%s\","
                       "\"@type\":\"Telemetry\",\"name\":\"t\",\"schema\":\"double\"}]}", v, id);
            if (n == max) {
                twin_models *m = at_ok(&b, NULL);
                ck_assert_ptr_eq(find_ok(m, id),
                                 twin_dtdl_content(find_ok(m, "dtmi:x:I;1"), "t"));
                set_close(m);
            } else {
                past_fails(&b, NULL, TWIN_E_CONSTRAINT, "invalidId");
            }
            free(b.s);
            free(id);
        }
    }
}
END_TEST

/* The DTMIs of extends (v3) and of a Relationship's target: 128, as an
 * Interface's @id. */
START_TEST(test_extends_and_target_128)
{
    for (size_t n = 128; n <= 129; n++) {
        char *id = dtmi_of(n);
        sb b = {0};
        sb_add(&b, "[" HEAD(3) ",\"extends\":\"%s\",\"contents\":[{\"@type\":\"Relationship\","
                   "\"name\":\"r\",\"target\":\"%s\"}]},"
                   "{" CTX(3) ",\"@id\":\"%s\",\"@type\":\"Interface\"}]",
               id, id, n == 128 ? id : "dtmi:x:J;1");
        if (n == 128) {
            twin_models *m = at_ok(&b, NULL);
            const twin_dtdl_elem *i = find_ok(m, "dtmi:x:I;1");
            ck_assert_uint_eq(twin_dtdl_count(i, TWIN_DTDL_EXTENDS), 1);
            ck_assert_ptr_eq(twin_dtdl_at(i, TWIN_DTDL_EXTENDS, 0), find_ok(m, id));
            ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_content(i, "r"), TWIN_DTDL_TARGET),
                             find_ok(m, id));
            set_close(m);
        } else {
            past_fails(&b, NULL, TWIN_E_CONSTRAINT, "invalidId");
        }
        free(b.s);
        free(id);
    }
}
END_TEST

/* ---- names and texts ------------------------------------------------------- */

/* A content's name: 64 characters in v2, 512 in v3 and v4. */
START_TEST(test_name_64_512)
{
    for (int v = 2; v <= 4; v++) {
        size_t max = v == 2 ? 64 : 512;
        for (size_t n = max; n <= max + 1; n++) {
            char *name = rep('n', n);
            sb b = {0};
            sb_add(&b, "{\"@context\":\"dtmi:dtdl:context;%d\",\"@id\":\"dtmi:x:I;1\","
                       "\"@type\":\"Interface\",\"contents\":[{\"@type\":\"Telemetry\","
                       "\"name\":\"%s\",\"schema\":\"double\"}]}", v, name);
            if (n == max) {
                twin_models *m = at_ok(&b, NULL);
                ck_assert_str_eq(twin_dtdl_name(twin_dtdl_at(find_ok(m, "dtmi:x:I;1"),
                                                               TWIN_DTDL_CONTENTS, 0)),
                                 name);
                set_close(m);
            } else {
                past_fails(&b, NULL, TWIN_E_CONSTRAINT, "stringTooLong");
            }
            free(b.s);
            free(name);
        }
    }
}
END_TEST

/* displayName in v3 and v4 (v2's 64 is in test_dtdl_parse.c), comment in
 * v4: 512 characters. */
START_TEST(test_display_name_and_comment_512)
{
    static const struct {
        int v;
        const char *key, *code;
    } c[] = {{3, "displayName", "langStringValueTooLong"},
             {4, "displayName", "langStringValueTooLong"},
             {4, "comment", "stringTooLong"}};
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
        for (size_t n = 512; n <= 513; n++) {
            char *text = rep('w', n);
            sb b = {0};
            sb_add(&b, "{\"@context\":\"dtmi:dtdl:context;%d\",\"@id\":\"dtmi:x:I;1\","
                       "\"@type\":\"Interface\",\"%s\":\"%s\"}", c[k].v, c[k].key, text);
            if (n == 512) {
                twin_models *m = at_ok(&b, NULL);
                const twin_dtdl_elem *i = find_ok(m, "dtmi:x:I;1");
                ck_assert_str_eq(k < 2 ? twin_dtdl_display_name(i, "en") : twin_dtdl_comment(i),
                                 text);
                set_close(m);
            } else {
                past_fails(&b, NULL, TWIN_E_CONSTRAINT, c[k].code);
            }
            free(b.s);
            free(text);
        }
}
END_TEST

/* Languages in one displayName or description: 1000, as a language map
 * or as a JSON-LD array of value objects. */
static void lang_code(char *out, size_t k)
{
    out[0] = (char)('a' + k / 676);
    out[1] = (char)('a' + k / 26 % 26);
    out[2] = (char)('a' + k % 26);
    out[3] = '\0';
}

static void languages(sb *b, size_t n, int as_array)
{
    char code[4];
    sb_add(b, HEAD(3) ",\"displayName\":%c", as_array ? '[' : '{');
    for (size_t k = 0; k < n; k++) {
        lang_code(code, k);
        if (as_array) sb_add(b, "%s{\"@value\":\"t%zu\",\"@language\":\"%s\"}", k ? "," : "", k, code);
        else sb_add(b, "%s\"%s\":\"t%zu\"", k ? "," : "", code, k);
    }
    sb_add(b, "%c}", as_array ? ']' : '}');
}

START_TEST(test_languages_1000)
{
    for (int as_array = 0; as_array <= 1; as_array++) {
        sb b = {0};
        twin_models *m;
        char code[4];
        languages(&b, 1000, as_array);
        m = at_ok(&b, NULL);
        lang_code(code, 999);
        ck_assert_str_eq(twin_dtdl_display_name(find_ok(m, "dtmi:x:I;1"), code), "t999");
        set_close(m);
        b.n = 0;
        languages(&b, 1001, as_array);
        past_fails(&b, NULL, TWIN_E_CONSTRAINT, "twin.tooManyLanguages");
        free(b.s);
    }
}
END_TEST

/* ---- limit extensions --------------------------------------------------------- */

#define LIMITLESS(name) \
    "{\"@context\":[\"dtmi:dtdl:context;4#limitless\",\"dtmi:dtdl:limits:" name ";1\"]," \
    "\"@id\":\"dtmi:x:I;1\",\"@type\":\"Interface\""

/* onvif: descriptions of 4096 characters. */
START_TEST(test_onvif_description_4096)
{
    for (size_t n = 4096; n <= 4097; n++) {
        char *text = rep('d', n);
        sb b = {0};
        sb_add(&b, LIMITLESS("onvif") ",\"description\":\"%s\"}", text);
        if (n == 4096) {
            twin_models *m = at_ok(&b, "dtmi:dtdl:limits:onvif");
            ck_assert_str_eq(twin_dtdl_description(find_ok(m, "dtmi:x:I;1"), "en"), text);
            set_close(m);
        } else {
            past_fails(&b, "dtmi:dtdl:limits:onvif", TWIN_E_CONSTRAINT, "langStringValueTooLong");
        }
        free(b.s);
        free(text);
    }
}
END_TEST

/* Complex schemas nested 24 deep under onvif, 12 under aio. */
static void nested_arrays(sb *b, const char *head, size_t n)
{
    sb_add(b, "%s,\"contents\":[{\"@type\":\"Telemetry\",\"name\":\"t\",\"schema\":", head);
    for (size_t k = 0; k < n; k++) sb_add(b, "{\"@type\":\"Array\",\"elementSchema\":");
    sb_add(b, "\"double\"");
    sb_rep(b, '}', n);
    sb_add(b, "}]}");
}

static void schema_depth(const char *head, const char *limit, size_t max)
{
    sb b = {0};
    twin_models *m;
    const twin_dtdl_elem *s;
    nested_arrays(&b, head, max);
    m = at_ok(&b, limit);
    s = twin_dtdl_link(twin_dtdl_content(find_ok(m, "dtmi:x:I;1"), "t"), TWIN_DTDL_SCHEMA);
    for (size_t k = 0; k < max; k++) {
        ck_assert_int_eq(twin_dtdl_kind_of(s), TWIN_DTDL_ARRAY);
        s = twin_dtdl_link(s, TWIN_DTDL_ELEMENT_SCHEMA);
    }
    ck_assert_int_eq(twin_dtdl_primitive_of(s), TWIN_DTDL_DOUBLE);
    set_close(m);
    b.n = 0;
    nested_arrays(&b, head, max + 1);
    past_fails(&b, limit, TWIN_E_CONSTRAINT, "excessiveDepthWide");
    free(b.s);
}

START_TEST(test_onvif_aio_schema_depth)
{
    schema_depth(LIMITLESS("onvif"), "dtmi:dtdl:limits:onvif", 24);
    schema_depth(LIMITLESS("aio"), "dtmi:dtdl:limits:aio", 12);
}
END_TEST

/* ---- counts ------------------------------------------------------------------- */

/* DTDL v2: 300 contents in an Interface, 30 fields in an Object, 100
 * values in an Enum, 2 Interfaces in one extends, a maxMultiplicity of
 * 500. */
static void contents_v2(sb *b, size_t n)
{
    sb_add(b, HEAD(2) ",\"contents\":[");
    for (size_t k = 0; k < n; k++)
        sb_add(b, "%s{\"@type\":\"Telemetry\",\"name\":\"t%zu\",\"schema\":\"double\"}", k ? "," : "", k);
    sb_add(b, "]}");
}

static void fields_v2(sb *b, size_t n)
{
    sb_add(b, HEAD(2) ",\"contents\":[{\"@type\":\"Telemetry\",\"name\":\"t\",\"schema\":"
                      "{\"@type\":\"Object\",\"fields\":[");
    for (size_t k = 0; k < n; k++)
        sb_add(b, "%s{\"name\":\"f%zu\",\"schema\":\"double\"}", k ? "," : "", k);
    sb_add(b, "]}}]}");
}

static void enum_v2(sb *b, size_t n)
{
    sb_add(b, HEAD(2) ",\"contents\":[{\"@type\":\"Telemetry\",\"name\":\"t\",\"schema\":"
                      "{\"@type\":\"Enum\",\"valueSchema\":\"integer\",\"enumValues\":[");
    for (size_t k = 0; k < n; k++)
        sb_add(b, "%s{\"name\":\"e%zu\",\"enumValue\":%zu}", k ? "," : "", k, k);
    sb_add(b, "]}}]}");
}

static void extends_v2(sb *b, size_t n)
{
    sb_add(b, "[" HEAD(2) ",\"extends\":[");
    for (size_t k = 0; k < n; k++) sb_add(b, "%s\"dtmi:x:E%zu;1\"", k ? "," : "", k);
    sb_add(b, "]}");
    for (size_t k = 0; k < n; k++)
        sb_add(b, ",{" CTX(2) ",\"@id\":\"dtmi:x:E%zu;1\",\"@type\":\"Interface\"}", k);
    sb_add(b, "]");
}

static void multiplicity_v2(sb *b, size_t n)
{
    sb_add(b, HEAD(2) ",\"contents\":[{\"@type\":\"Relationship\",\"name\":\"r\","
                      "\"maxMultiplicity\":%zu}]}", n);
}

static size_t list_count(twin_models *m, int what)
{
    const twin_dtdl_elem *i = find_ok(m, "dtmi:x:I;1"), *s;
    switch (what) {
    case 0: return twin_dtdl_count(i, TWIN_DTDL_CONTENTS);
    case 3: return twin_dtdl_count(i, TWIN_DTDL_EXTENDS);
    case 4: {
        uint32_t lo, hi;
        ck_assert_int_eq(twin_dtdl_multiplicity(twin_dtdl_content(i, "r"), &lo, &hi), TWIN_OK);
        return hi;
    }
    default:
        s = twin_dtdl_link(twin_dtdl_content(i, "t"), TWIN_DTDL_SCHEMA);
        return twin_dtdl_count(s, what == 1 ? TWIN_DTDL_FIELDS : TWIN_DTDL_ENUM_VALUES);
    }
}

START_TEST(test_v2_counts)
{
    static const struct {
        void (*make)(sb *, size_t);
        size_t max;
        const char *code;
    } c[] = {{contents_v2, 300, "objectCountAboveMax"}, {fields_v2, 30, "objectCountAboveMax"},
             {enum_v2, 100, "objectCountAboveMax"},     {extends_v2, 2, "objectCountAboveMax"},
             {multiplicity_v2, 500, "valueBelowMin"}};
    for (int k = 0; k < 5; k++) {
        sb b = {0};
        twin_models *m;
        c[k].make(&b, c[k].max);
        m = at_ok(&b, NULL);
        ck_assert_uint_eq(list_count(m, k), c[k].max);
        set_close(m);
        b.n = 0;
        c[k].make(&b, c[k].max + 1);
        past_fails(&b, NULL, TWIN_E_CONSTRAINT, c[k].code);
        free(b.s);
    }
}
END_TEST

/* DTDL v2: 300 contents with those an Interface extends (resolve). */
static void inherited_v2(sb *b, size_t own)
{
    sb_add(b, "[" HEAD(2) ",\"extends\":\"dtmi:x:B;1\",\"contents\":[");
    for (size_t k = 0; k < own; k++)
        sb_add(b, "%s{\"@type\":\"Telemetry\",\"name\":\"t%zu\",\"schema\":\"double\"}", k ? "," : "", k);
    sb_add(b, "]},{" CTX(2) ",\"@id\":\"dtmi:x:B;1\",\"@type\":\"Interface\",\"contents\":[");
    for (size_t k = 0; k < 150; k++)
        sb_add(b, "%s{\"@type\":\"Telemetry\",\"name\":\"b%zu\",\"schema\":\"double\"}", k ? "," : "", k);
    sb_add(b, "]}]");
}

START_TEST(test_v2_inherited_contents_300)
{
    sb b = {0};
    twin_models *m;
    inherited_v2(&b, 150);
    m = at_ok(&b, NULL);
    ck_assert_uint_eq(twin_dtdl_count(find_ok(m, "dtmi:x:I;1"), TWIN_DTDL_CONTENTS), 300);
    set_close(m);
    b.n = 0;
    inherited_v2(&b, 151);
    past_fails(&b, NULL, TWIN_E_CONSTRAINT, "objectCountAboveMax");
    free(b.s);
}
END_TEST

/* 1024 Interfaces in a hierarchy (v3: no limit on one extends). */
static void hierarchy(sb *b, size_t parents)
{
    sb_add(b, "[" HEAD(3) ",\"extends\":[");
    for (size_t k = 0; k < parents; k++) sb_add(b, "%s\"dtmi:x:E%zu;1\"", k ? "," : "", k);
    sb_add(b, "]}");
    for (size_t k = 0; k < parents; k++)
        sb_add(b, ",{" CTX(3) ",\"@id\":\"dtmi:x:E%zu;1\",\"@type\":\"Interface\",\"contents\":"
                  "[{\"@type\":\"Telemetry\",\"name\":\"t%zu\",\"schema\":\"double\"}]}", k, k);
    sb_add(b, "]");
}

START_TEST(test_hierarchy_1024)
{
    sb b = {0};
    twin_models *m;
    hierarchy(&b, 1023);  /* with the Interface itself, 1024 */
    m = at_ok(&b, NULL);
    ck_assert_uint_eq(twin_dtdl_count(find_ok(m, "dtmi:x:I;1"), TWIN_DTDL_CONTENTS), 1023);
    set_close(m);
    b.n = 0;
    hierarchy(&b, 1024);
    past_fails(&b, NULL, TWIN_E_CONSTRAINT, "twin.extendsTooMany");
    free(b.s);
}
END_TEST

/* 100000 elements in one document: the Interface and its contents. */
static void elements(sb *b, size_t contents)
{
    sb_add(b, HEAD(3) ",\"contents\":[");
    for (size_t k = 0; k < contents; k++)
        sb_add(b, "%s{\"@type\":\"Telemetry\",\"name\":\"t%zu\",\"schema\":\"double\"}", k ? "," : "", k);
    sb_add(b, "]}");
}

START_TEST(test_elements_100000)
{
    sb b = {0};
    twin_models *m;
    elements(&b, 99999);
    m = at_ok(&b, NULL);
    ck_assert_uint_eq(twin_dtdl_count(find_ok(m, "dtmi:x:I;1"), TWIN_DTDL_CONTENTS), 99999);
    set_close(m);
    b.n = 0;
    elements(&b, 100000);
    past_fails(&b, NULL, TWIN_E_CONSTRAINT, "excessiveDepthWide");
    free(b.s);
}
END_TEST

/* 8 extension contexts with a vocabulary in force (each naming counts);
 * the ninth was once taken as a context whose terms are not modelled,
 * and every undefined term then passed. */
static void contexts(sb *b, size_t n, const char *cotype)
{
    sb_add(b, "{\"@context\":[\"dtmi:dtdl:context;3\"");
    for (size_t k = 0; k < n; k++) sb_add(b, ",\"dtmi:iotcentral:context;2\"");
    sb_add(b, "],\"@id\":\"dtmi:x:I;1\",\"@type\":[\"Interface\"%s]}", cotype);
}

START_TEST(test_contexts_8)
{
    sb b = {0};
    twin_models *m;
    contexts(&b, 8, "");
    m = at_ok(&b, NULL);
    ck_assert_int_eq(twin_dtdl_kind_of(find_ok(m, "dtmi:x:I;1")), TWIN_DTDL_INTERFACE);
    set_close(m);
    b.n = 0;
    contexts(&b, 8, ",\"Bogus\"");  /* an undefined co-type: refused */
    past_fails(&b, NULL, TWIN_E_CONSTRAINT, "typeUndefinedTerm");
    b.n = 0;
    contexts(&b, 9, "");
    past_fails(&b, NULL, TWIN_E_CONSTRAINT, "twin.tooManyContexts");
    b.n = 0;
    contexts(&b, 9, ",\"Bogus\"");
    past_fails(&b, NULL, TWIN_E_CONSTRAINT, "twin.tooManyContexts");
    free(b.s);
}
END_TEST

/* ---- diagnostics ------------------------------------------------------------- */

/* A diagnostic's JSON pointer: 4095 bytes whole; past that, cut to the
 * deepest ancestor that fits (here the document), with its position. A
 * disallowed keyword member (v3) is reported at /KEY. */
START_TEST(test_pointer_4095)
{
    for (size_t n = 4094; n <= 4095; n++) {
        char *key = rep('k', n);
        sb b = {0};
        twin_models *m;
        const twin_dtdl_diag *d;
        uint32_t line, col;
        key[0] = '@';
        sb_add(&b, HEAD(3) ",\n\"%s\":1}", key);
        ck_assert_int_eq(add_set(&b, 0, NULL, &m), TWIN_E_CONSTRAINT);
        d = diag_find(m, "topLevelKeywordDisallowed");
        ck_assert_ptr_nonnull(d);
        if (n == 4094) {
            ck_assert_uint_eq(strlen(d->pointer), 4095);
            ck_assert(d->pointer[0] == '/' && strcmp(d->pointer + 1, key) == 0);
            text_pos(b.s, "1}", &line, &col);  /* the member's value */
        } else {
            ck_assert_str_eq(d->pointer, "");
            line = col = 1;
        }
        ck_assert_uint_eq(d->line, line);
        ck_assert_uint_eq(d->column, col);
        ck_assert_uint_eq(twin_models_interface_count(m), 0);
        set_close(m);
        free(b.s);
        free(key);
    }
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("dtdl_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, models_setup, models_teardown);
    tcase_add_test(tc, test_document_option_max);
    tcase_add_test(tc, test_document_default_16_mib);
    tcase_add_test(tc, test_json_nesting_512);
    tcase_add_test(tc, test_interface_id_128);
    tcase_add_test(tc, test_element_id_2048_4096);
    tcase_add_test(tc, test_extends_and_target_128);
    tcase_add_test(tc, test_name_64_512);
    tcase_add_test(tc, test_display_name_and_comment_512);
    tcase_add_test(tc, test_languages_1000);
    tcase_add_test(tc, test_onvif_description_4096);
    tcase_add_test(tc, test_onvif_aio_schema_depth);
    tcase_add_test(tc, test_v2_counts);
    tcase_add_test(tc, test_v2_inherited_contents_300);
    tcase_add_test(tc, test_hierarchy_1024);
    tcase_add_test(tc, test_elements_100000);
    tcase_add_test(tc, test_contexts_8);
    tcase_add_test(tc, test_pointer_4095);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(limits_suite());
}
