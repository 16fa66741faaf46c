/* Bad input to a DTDL model set: malformed JSON, bad UTF-8, non-document
 * roots, partial arrays, duplicates, size limits, unreadable files, very
 * large and very deep input, NULL arguments, option sizes; and the
 * all-or-nothing rule: after any failed add the set resolves exactly as it
 * would have without the call. */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtdl/dtdl_fixture.h"
#include "support/run.h"
#include "twin/twin.h"

#define CTX3 "'@context':'dtmi:dtdl:context;3'"
#define DOC_A "{" CTX3 ",'@id':'dtmi:x:A;1','@type':'Interface','contents':[{'@type':'Property','name':'a','schema':'double'}]}"
#define DOC_B "{" CTX3 ",'@id':'dtmi:x:B;1','@type':'Interface','extends':'dtmi:x:A;1','contents':[{'@type':'Telemetry','name':'b','schema':'long'}]}"
#define DOC_C "{" CTX3 ",'@id':'dtmi:x:C;1','@type':'Interface'}"
#define DOC_BAD "{" CTX3 ",'@id':'dtmi:x:Bad;1','@type':'Interface','contents':[{'@type':'Property','name':'p'}]}"

/* A temporary file holding @p text; the caller removes it. */
static void temp_file(char *path, size_t cap, const char *text, size_t len)
{
    FILE *f;
    int fd;
    snprintf(path, cap, "/tmp/test_dtdl_errors_XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Assert that @p m holds exactly A and B (B extends A) once resolved. */
static void assert_a_and_b(twin_models *m)
{
    const twin_dtdl_elem *b;
    RESOLVE_OK(m);
    ck_assert_uint_eq(twin_models_interface_count(m), 2);
    ck_assert_str_eq(twin_dtdl_id(twin_models_interface(m, 0)), "dtmi:x:A;1");
    b = find_ok(m, "dtmi:x:B;1");
    ck_assert_ptr_eq(twin_models_interface(m, 1), b);
    ck_assert_uint_eq(twin_dtdl_count(b, TWIN_DTDL_CONTENTS), 2);
    ck_assert(twin_dtdl_is_a(b, find_ok(m, "dtmi:x:A;1")));
    ck_assert_ptr_null(twin_models_find(m, "dtmi:x:C;1"));
    ck_assert_ptr_null(twin_models_find(m, "dtmi:x:Bad;1"));
}

/* ---- malformed text --------------------------------------------------------- */

START_TEST(test_malformed_json_reports_the_position)
{
    static const char *const q =
        "{\n"
        "  '@context': 'dtmi:dtdl:context;3',\n"
        "  '@id': 'dtmi:x:I;1',\n"
        "  '@type': 'Interface',\n"
        "  'contents': [ { 'name': tru } ]\n"
        "}\n";
    char *text = jq(q);
    const twin_dtdl_diag *d;
    uint32_t line, col;
    ck_assert_int_eq(add_src(M, text, "broken.json"), TWIN_E_PARSE);
    ck_assert_uint_eq(twin_models_diag_count(M), 1);
    d = twin_models_diag(M, 0);
    ck_assert_str_ne(d->code, "");
    ck_assert_str_ne(d->message, "");
    ck_assert_str_eq(d->source, "broken.json");
    text_pos(text, "tru }", &line, &col);
    ck_assert_uint_eq(line, 5);
    ck_assert_uint_eq(d->line, line);
    ck_assert_uint_eq(d->column, col);
    ck_assert_int_eq(twin_models_last_error(M).status, TWIN_E_PARSE);
    ck_assert_str_ne(twin_models_last_error(M).message, "");
    free(text);
}
END_TEST

START_TEST(test_malformed_json_forms)
{
    static const char *const bad[] = {
        "", "   \n ", "{", "[", "{'@context':}", "{'a':1,}", "[1,]", "{'a' 1}", "{a:1}",
        "{'a':'unterminated}", "{'a':1}{'b':2}", "{'a':1} x", "{'a':1}\n]",
        "/* comment */{}", "{'a':NaN}", "{'a':'\\x'}",
    };
    size_t k;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        twin_status s = addq(M, bad[k]);
        ck_assert_msg(s == TWIN_E_PARSE, "'%s': %d %s", bad[k], s, diag_dump(M));
        ck_assert_uint_eq(twin_models_diag_count(M), 1);
        ck_assert_uint_ge(twin_models_diag(M, 0)->line, 1);
        ck_assert_uint_ge(twin_models_diag(M, 0)->column, 1);
    }
    /* len bounds the text: the rest of the buffer is not read */
    {
        char *t = jq(DOC_C "garbage");
        ck_assert_int_eq(twin_models_add(M, t, strlen(t) - strlen("garbage"), "x"), TWIN_OK);
        free(t);
    }
}
END_TEST

START_TEST(test_not_utf8)
{
    static const char *const bad[] = {
        "\xff",             /* never valid */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong */
        "\xed\xa0\x80",     /* UTF-16 surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xc3",             /* truncated */
        "\x80",             /* lone continuation byte */
    };
    size_t k;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char q[256];
        char *t;
        const twin_dtdl_diag *d;
        uint32_t line, col;
        snprintf(q, sizeof q, "{" CTX3 ",\n'@id':'dtmi:x:I;1','@type':'Interface',\n'comment':'ab%scd'}",
                 bad[k]);
        t = jq(q);
        ck_assert_msg(add_src(M, t, "u.json") == TWIN_E_PARSE, "sequence %zu accepted", k);
        ck_assert_uint_eq(twin_models_diag_count(M), 1);
        d = twin_models_diag(M, 0);
        text_pos(t, bad[k], &line, &col);
        ck_assert_uint_eq(d->line, 3);
        ck_assert_uint_eq(d->line, line);
        ck_assert_uint_eq(d->column, col);
        free(t);
    }
    /* valid multi-byte text is fine */
    ADD_OK(M, "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'Interface','comment':'\xc3\xa9\xe6\xb8\xa9\xf0\x9f\x92\xa7'}");
}
END_TEST

/* A root that is JSON but not a document (specification/Requirement-
 * RootArrayOrObjV3.json: numbers, null and strings are invalid). */
START_TEST(test_scalar_or_null_root)
{
    static const char *const roots[] = {"null", "42", "'dtmi:x:I;1'", "true", "[1]", "[null]",
                                        "[" DOC_C ",7]"};
    size_t k;
    for (k = 0; k < sizeof roots / sizeof roots[0]; k++) {
        twin_status s = addq(M, roots[k]);
        ck_assert_msg(s == TWIN_E_CONSTRAINT, "'%s': %d %s", roots[k], s, diag_dump(M));
        ck_assert_uint_ge(twin_models_diag_count(M), 1);
    }
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_interface_count(M), 0);
}
END_TEST

START_TEST(test_empty_array_adds_nothing)
{
    ADD_OK(M, "[]");
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_interface_count(M), 0);
}
END_TEST

/* An array whose 2nd document is invalid adds nothing, not even the 1st. */
START_TEST(test_array_with_an_invalid_second_document)
{
    const twin_dtdl_diag *d;
    ck_assert_int_eq(addq(M, "[" DOC_C "," DOC_BAD "]"), TWIN_E_CONSTRAINT);
    d = twin_models_diag(M, 0);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->document, 1);
    /* C is not defined: a reference to it does not resolve ... */
    ADD_OK(M, "{" CTX3 ",'@id':'dtmi:x:D;1','@type':'Interface','extends':'dtmi:x:C;1'}");
    ck_assert_int_eq(twin_models_resolve(M), TWIN_E_NOTFOUND);
    /* ... and adding it again is no duplicate */
    ADD_OK(M, DOC_C);
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_interface_count(M), 2);
    ck_assert_ptr_eq(twin_models_interface(M, 1), find_ok(M, "dtmi:x:C;1"));
}
END_TEST

/* ---- duplicates and limits -------------------------------------------------- */

START_TEST(test_duplicate_definition_across_calls)
{
    const twin_dtdl_diag *d;
    ADD_OK(M, DOC_A);
    ADD_FAILS(M, DOC_A, TWIN_E_EXISTS, "duplicateDefinition");
    d = diag_find(M, "duplicateDefinition");
    ck_assert_str_eq(d->primary, "dtmi:x:A;1");
    /* an element id too */
    ADD_FAILS(M, "{" CTX3 ",'@id':'dtmi:x:Z;1','@type':'Interface','contents':[{'@id':'dtmi:x:A;1',"
                 "'@type':'Telemetry','name':'t','schema':'double'}]}",
              TWIN_E_EXISTS, "duplicateDefinition");
    ADD_OK(M, DOC_B);
    assert_a_and_b(M);
}
END_TEST

START_TEST(test_duplicate_definition_in_one_call)
{
    ADD_FAILS(M, "[" DOC_C "," DOC_C "]", TWIN_E_EXISTS, "duplicateDefinition");
    ADD_OK(M, DOC_C);
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_interface_count(M), 1);
}
END_TEST

START_TEST(test_max_document_bytes)
{
    twin_models_options o;
    twin_models *m = NULL;
    char *doc = jq(DOC_C), path[64];
    size_t n = strlen(doc);
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    ck_assert_uint_eq(o.max_document_bytes, (size_t)16 << 20);  /* default 16 MiB */
    o.alloc = &mfa.alloc;
    o.max_document_bytes = n;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_OK);
    ck_assert_int_eq(twin_models_add(m, doc, n + 1, "big"), TWIN_E_RANGE);
    ck_assert_int_eq(twin_models_last_error(m).status, TWIN_E_RANGE);
    ck_assert_str_ne(twin_models_last_error(m).message, "");
    ck_assert_int_eq(twin_models_add(m, doc, n, "fits"), TWIN_OK);
    {
        char *pad = malloc(n + 1);
        ck_assert_ptr_nonnull(pad);
        memset(pad, ' ', n + 1);
        memcpy(pad, doc, n);  /* the document and one byte of white space */
        temp_file(path, sizeof path, pad, n + 1);
        free(pad);
    }
    ck_assert_int_eq(twin_models_add_file(m, path), TWIN_E_RANGE);
    remove(path);
    RESOLVE_OK(m);
    ck_assert_uint_eq(twin_models_interface_count(m), 1);
    models_close(m, NULL);
    free(doc);
}
END_TEST

/* ---- files ------------------------------------------------------------------ */

START_TEST(test_add_file)
{
    char path[64];
    char *text = jq("[" DOC_A ",\n" DOC_BAD "]");
    const twin_dtdl_diag *d;
    temp_file(path, sizeof path, text, strlen(text));
    ck_assert_int_eq(twin_models_add_file(M, path), TWIN_E_CONSTRAINT);
    d = twin_models_diag(M, 0);
    ck_assert_str_eq(d->source, path);  /* the path is the source name */
    ck_assert_uint_eq(d->line, 2);
    remove(path);
    free(text);
    text = jq("[" DOC_A "," DOC_B "]");
    temp_file(path, sizeof path, text, strlen(text));
    ck_assert_int_eq(twin_models_add_file(M, path), TWIN_OK);
    remove(path);
    free(text);
    assert_a_and_b(M);
}
END_TEST

START_TEST(test_add_file_missing)
{
    ck_assert_int_eq(twin_models_add_file(M, "/nonexistent/dir/model.json"), TWIN_E_IO);
    ck_assert_int_eq(twin_models_last_error(M).status, TWIN_E_IO);
    ck_assert_str_ne(twin_models_last_error(M).message, "");
    ck_assert_int_eq(twin_models_add_file(M, ""), TWIN_E_IO);
    RESOLVE_OK(M);
}
END_TEST

/* ---- very large and very deep input ----------------------------------------- */

/* A 100 MB document (a description of 100 million characters, over the
 * 512-character limit) with max_document_bytes raised: an error, no crash,
 * and memory in proportion: the add takes a few allocations (the copy of
 * the text and blocks of nodes) and at most twice the text at its peak.
 * (Counts, not a clock: the time was once bounded here by 120 s.) */
START_TEST(test_100_megabyte_document)
{
    static const char head[] = "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:x:Huge;1\","
                               "\"@type\":\"Interface\",\"description\":\"";
    static const char tail[] = "\"}";
    size_t body = (size_t)100 * 1000 * 1000, n = sizeof head - 1 + body + sizeof tail - 1;
    char *text = malloc(n);
    twin_models_options o;
    twin_models *m = NULL;
    twin_status s;
    const twin_dtdl_diag *d;
    size_t calls0;
    ck_assert_ptr_nonnull(text);
    memcpy(text, head, sizeof head - 1);
    memset(text + sizeof head - 1, 'x', body);
    memcpy(text + sizeof head - 1 + body, tail, sizeof tail - 1);
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.alloc = &mfa.alloc;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_OK);
    ck_assert_int_eq(twin_models_add(m, text, n, "huge.json"), TWIN_E_RANGE);  /* over 16 MiB */
    models_close(m, NULL);
    o.max_document_bytes = (size_t)128 << 20;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_OK);
    calls0 = mfa.calls;
    s = twin_models_add(m, text, n, "huge.json");
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "add returned %d: %s", s, diag_dump(m));
    ck_assert_uint_le(mfa.calls - calls0, 64);
    ck_assert_uint_le(mfa.peak_bytes, 2 * n);
    d = twin_models_diag(m, 0);
    ck_assert_str_eq(d->pointer, "/description");
    ck_assert_uint_eq(d->line, 1);
    ck_assert_uint_eq(d->column, sizeof head - 1);  /* the opening quote */
    ck_assert_ptr_null(twin_models_find(m, "dtmi:x:Huge;1"));
    /* the set still works */
    ADD_OK(m, DOC_C);
    RESOLVE_OK(m);
    ck_assert_uint_eq(twin_models_interface_count(m), 1);
    models_close(m, NULL);
    free(text);
}
END_TEST

/* JSON nested beyond what the JSON reader takes (cJSON: 1000 levels). */
START_TEST(test_deep_json_nesting)
{
    size_t depth = 100000, k;
    char *text = malloc(5 * depth + 256);
    size_t n = 0;
    twin_status s;
    ck_assert_ptr_nonnull(text);
    for (k = 0; k < depth; k++) text[n++] = '[';
    for (k = 0; k < depth; k++) text[n++] = ']';
    s = twin_models_add(M, text, n, "deep.json");
    ck_assert_int_eq(s, TWIN_E_PARSE);
    ck_assert_uint_eq(twin_models_diag_count(M), 1);
    /* objects in a document */
    n = (size_t)sprintf(text, "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:x:I;1\","
                              "\"@type\":\"Interface\",\"comment\":");
    for (k = 0; k < depth; k++) {
        memcpy(text + n, "{\"\":", 4);
        n += 4;
    }
    text[n++] = '1';
    for (k = 0; k < depth; k++) text[n++] = '}';
    text[n++] = '}';
    ck_assert_int_eq(twin_models_add(M, text, n, "deep.json"), TWIN_E_PARSE);
    free(text);
    ADD_OK(M, DOC_C);
    RESOLVE_OK(M);
}
END_TEST

/* Nesting the JSON reader takes but DTDL does not: schemas nested 400
 * deep, Interfaces nested 400 deep in extends. Errors, no crash. */
START_TEST(test_deep_dtdl_nesting)
{
    size_t depth = 400, k, n = 0, cap = depth * 128 + 256;
    char *text = malloc(cap);
    twin_status s;
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text + n, cap - n, "{\"@context\":\"dtmi:dtdl:context;4\",\"@id\":\"dtmi:x:I;1\","
                                             "\"@type\":\"Interface\",\"contents\":[{\"@type\":\"Property\","
                                             "\"name\":\"p\",\"schema\":");
    for (k = 0; k < depth; k++)
        n += (size_t)snprintf(text + n, cap - n, "{\"@type\":\"Array\",\"elementSchema\":");
    n += (size_t)snprintf(text + n, cap - n, "\"double\"");
    for (k = 0; k < depth; k++) text[n++] = '}';
    n += (size_t)snprintf(text + n, cap - n, "}]}");
    s = twin_models_add(M, text, n, "deep.json");
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "nested schemas: %d", s);
    n = (size_t)snprintf(text, cap, "{\"@context\":\"dtmi:dtdl:context;4\",\"@id\":\"dtmi:x:J;1\","
                                    "\"@type\":\"Interface\"");
    for (k = 0; k < depth; k++)
        n += (size_t)snprintf(text + n, cap - n, ",\"extends\":{\"@id\":\"dtmi:x:E%zu;1\",\"@type\":\"Interface\"", k);
    for (k = 0; k <= depth; k++) text[n++] = '}';
    s = twin_models_add(M, text, n, "deep.json");
    if (s == TWIN_OK) s = twin_models_resolve(M);  /* extends 400 levels deep */
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "nested extends: %d %s", s, diag_dump(M));
    free(text);
}
END_TEST

/* ---- arguments and options -------------------------------------------------- */

START_TEST(test_null_arguments)
{
    char *doc = jq(DOC_C);
    ck_assert_int_eq(twin_models_open(NULL, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_add(NULL, doc, strlen(doc), "x"), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_add(M, NULL, 10, "x"), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_last_error(M).status, TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_add_file(NULL, "x.json"), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_add_file(M, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_resolve(NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_last_error(NULL).status, TWIN_E_INVAL);
    ck_assert_ptr_nonnull(twin_models_last_error(NULL).message);
    twin_models_close(NULL);
    ck_assert_int_eq(twin_models_add(M, doc, strlen(doc), NULL), TWIN_OK);  /* NULL source: "" */
    free(doc);
}
END_TEST

START_TEST(test_options_init_sizes)
{
    twin_models_options o;
    struct {
        twin_models_options o;
        char more[16];
    } big;
    memset(&o, 0xab, sizeof o);
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_uint_eq(o.flags, 0);
    ck_assert_ptr_null(o.alloc);
    ck_assert_int_eq(o.max_dtdl_version, 4);
    ck_assert_uint_eq(o.reserved_, 0);
    ck_assert_uint_eq(o.max_document_bytes, (size_t)16 << 20);
    ck_assert(o.resolver == NULL);
    ck_assert_ptr_null(o.resolver_ud);
    ck_assert_int_eq(twin_models_options_init_(NULL, sizeof o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_options_init_(&o, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_options_init_(&o, offsetof(twin_models_options, flags)), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_options_init_(&big.o, sizeof big.o + 8), TWIN_E_ABI);
    /* a smaller struct (an older caller): the fields it has */
    memset(&o, 0xab, sizeof o);
    ck_assert_int_eq(twin_models_options_init_(&o, offsetof(twin_models_options, max_document_bytes)),
                     TWIN_OK);
    ck_assert_uint_eq(o.size, offsetof(twin_models_options, max_document_bytes));
    ck_assert_int_eq(o.max_dtdl_version, 4);
    ck_assert_uint_eq(o.flags, 0);
}
END_TEST

START_TEST(test_open_option_rules)
{
    twin_models_options o;
    twin_models *m;
    twin_allocator a;
    struct {
        twin_models_options o;
        char more[16];
    } big;
    /* defaults */
    m = (twin_models *)&mfa;
    ck_assert_int_eq(twin_models_open(&m, NULL), TWIN_OK);
    ck_assert_ptr_nonnull(m);
    twin_models_close(m);
    /* a larger options struct */
    memset(&big, 0, sizeof big);
    ck_assert_int_eq(twin_models_options_init(&big.o), TWIN_OK);
    big.o.size = sizeof big.o + 8;
    m = (twin_models *)&mfa;
    ck_assert_int_eq(twin_models_open(&m, &big.o), TWIN_E_ABI);
    ck_assert_ptr_null(m);
    /* out-of-range values */
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.max_dtdl_version = 1;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_E_INVAL);
    ck_assert_ptr_null(m);
    o.max_dtdl_version = 5;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.flags = 1u << 7;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.size = 4;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_E_INVAL);
    /* an incomplete or unknown allocator */
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    a = mfa.alloc;
    a.free = NULL;
    o.alloc = &a;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_E_INVAL);
    a = mfa.alloc;
    a.size = sizeof a + 8;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_E_ABI);
    /* a smaller options struct: the rest defaults */
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.size = (uint32_t)offsetof(twin_models_options, max_dtdl_version);
    o.alloc = &mfa.alloc;
    o.max_dtdl_version = 99;  /* beyond size: ignored */
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_OK);
    ADD_OK(m, "{'@context':'dtmi:dtdl:context;4','@id':'dtmi:x:I;1','@type':'Interface'}");
    models_close(m, NULL);
    /* the options are copied */
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.alloc = &mfa.alloc;
    o.max_dtdl_version = 2;
    ck_assert_int_eq(twin_models_open(&m, &o), TWIN_OK);
    o.max_dtdl_version = 4;
    ck_assert_int_eq(addq(m, "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'Interface'}"), TWIN_E_CONSTRAINT);
    models_close(m, NULL);
}
END_TEST

/* ---- all or nothing --------------------------------------------------------- */

/* After each failed add, the set still holds exactly A and B. Each case
 * runs on a fresh set holding A and B. */
START_TEST(test_failed_adds_leave_the_set_as_before)
{
    static const char *const bad[] = {
        "[" DOC_C "," DOC_BAD "]",                  /* constraint in the 2nd document */
        "[" DOC_C "," DOC_A "]",                    /* duplicate in the 2nd document */
        "[" DOC_C ",{" CTX3 ",'@id':'dtmi:x:C;1','@type':'Interface'}]", /* duplicate in the call */
        "[" DOC_C ",",                               /* malformed */
        "[" DOC_C ",42]",                            /* scalar */
        "{" CTX3 ",'@id':'dtmi:x:C;1','@type':'Interface','contents':[{'@type':'Telemetry','name':'t',"
        "'schema':'double'},{'@type':'Telemetry','name':'t','schema':'double'}]}",
        "{" CTX3 ",'@id':'dtmi:x:C;1','@type':'Interface','schemas':[{'@id':'dtmi:x:S;1','@type':'Enum',"
        "'valueSchema':'integer','enumValues':[{'name':'a','enumValue':1}]}],'comment':5}",
    };
    size_t k;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        twin_models *m = models_open(&mfa, 0);
        twin_status s;
        ADD_OK(m, DOC_A);
        ADD_OK(m, DOC_B);
        s = addq(m, bad[k]);
        ck_assert_msg(s != TWIN_OK, "case %zu accepted", k);
        assert_a_and_b(m);
        ck_assert_ptr_null(twin_models_find(m, "dtmi:x:S;1"));
        models_close(m, NULL);

        /* and a later add of the good part still works */
        m = models_open(&mfa, 0);
        ADD_OK(m, DOC_A);
        s = addq(m, bad[k]);
        ck_assert_msg(s != TWIN_OK, "case %zu accepted", k);
        ADD_OK(m, DOC_C);
        ADD_OK(m, DOC_B);
        RESOLVE_OK(m);
        ck_assert_uint_eq(twin_models_interface_count(m), 3);
        find_ok(m, "dtmi:x:C;1");
        models_close(m, NULL);
    }
    {
        /* bad UTF-8, over the size limit, a missing file */
        twin_models *m = models_open(&mfa, 0);
        char *t = jq("[" DOC_C "]");
        ADD_OK(m, DOC_A);
        ADD_OK(m, DOC_B);
        ck_assert_int_eq(twin_models_add(m, "[\"\xff\"]", 5, "u"), TWIN_E_PARSE);
        ck_assert_int_eq(twin_models_add_file(m, "/nonexistent.json"), TWIN_E_IO);
        ck_assert_int_eq(twin_models_add(m, t, strlen(t), "t") == TWIN_OK, 1);
        free(t);
        RESOLVE_OK(m);
        ck_assert_uint_eq(twin_models_interface_count(m), 3);
        models_close(m, NULL);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dtdl_errors");
    TCase *tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, models_setup, models_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_malformed_json_reports_the_position);
    tcase_add_test(tc, test_malformed_json_forms);
    tcase_add_test(tc, test_not_utf8);
    tcase_add_test(tc, test_scalar_or_null_root);
    tcase_add_test(tc, test_empty_array_adds_nothing);
    tcase_add_test(tc, test_array_with_an_invalid_second_document);
    tcase_add_test(tc, test_duplicate_definition_across_calls);
    tcase_add_test(tc, test_duplicate_definition_in_one_call);
    tcase_add_test(tc, test_max_document_bytes);
    tcase_add_test(tc, test_add_file);
    tcase_add_test(tc, test_add_file_missing);
    tcase_add_test(tc, test_100_megabyte_document);
    tcase_add_test(tc, test_deep_json_nesting);
    tcase_add_test(tc, test_deep_dtdl_nesting);
    tcase_add_test(tc, test_null_arguments);
    tcase_add_test(tc, test_options_init_sizes);
    tcase_add_test(tc, test_open_option_rules);
    tcase_add_test(tc, test_failed_adds_leave_the_set_as_before);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
