/* The binary form of a model set: twin_models_save() and twin_models_load().
 * Saved, loaded and saved again gives the same bytes; a loaded set answers
 * every lookup as the parsed one; any damage to the bytes is refused whole;
 * allocation failures while loading leak nothing. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtdl/dtdl_fixture.h"
#include "support/run.h"
#include "twin/twin.h"

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
    int fail_after;  /* fail the write call number fail_after (1-based); 0: never */
    int calls;
} buf;

static twin_status buf_write(void *ud, const void *data, size_t n)
{
    buf *b = ud;
    b->calls++;
    if (b->fail_after && b->calls == b->fail_after) return TWIN_E_IO;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + n) cap *= 2;
        b->p = realloc(b->p, cap);
        ck_assert_ptr_nonnull(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    return TWIN_OK;
}

static buf save(const twin_models *m)
{
    buf b;
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(twin_models_save(m, buf_write, &b), TWIN_OK);
    return b;
}

#define DOC                                                                                  \
    "[{'@context':['dtmi:dtdl:context;3','dtmi:dtdl:extension:quantitativeTypes;1'],"      \
    "'@id':'dtmi:x:Base;1','@type':'Interface','displayName':{'en':'Base','de':'Basis'},"     \
    "'contents':[{'@type':['Telemetry','Temperature'],'name':'temp','schema':'double',"       \
    "'unit':'degreeCelsius','comment':'inlet'},"                                              \
    "{'@type':'Property','name':'mode','writable':true,'schema':{'@type':'Enum',"             \
    "'valueSchema':'string','enumValues':[{'name':'on','enumValue':'ON'},"                    \
    "{'name':'off','enumValue':'OFF'}]}}]},"                                                  \
    "{'@context':'dtmi:dtdl:context;3','@id':'dtmi:x:Pump;1','@type':'Interface',"            \
    "'extends':'dtmi:x:Base;1','schemas':[{'@id':'dtmi:x:Pt;1','@type':'Object','fields':"    \
    "[{'name':'x','schema':'double'},{'name':'y','schema':'double'}]}],"                      \
    "'contents':[{'@type':'Property','name':'where','schema':'dtmi:x:Pt;1'},"                 \
    "{'@type':'Relationship','name':'feeds','target':'dtmi:x:Pump;1','maxMultiplicity':3},"   \
    "{'@type':'Telemetry','name':'tags','schema':{'@type':'Map','mapKey':{'name':'k',"        \
    "'schema':'string'},'mapValue':{'name':'v','schema':'integer'}}}]}]"

START_TEST(test_round_trip_same_bytes_same_answers)
{
    twin_models *l;
    buf a, b;
    const twin_dtdl_elem *pump, *c;
    uint32_t mx;
    ck_assert_int_eq(addq(M, DOC), TWIN_OK);
    RESOLVE_OK(M);
    a = save(M);
    ck_assert_int_eq(twin_models_load(&l, a.p, a.n, NULL), TWIN_OK);
    b = save(l);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_int_eq(memcmp(a.p, b.p, a.n), 0);

    ck_assert_uint_eq(twin_models_interface_count(l), twin_models_interface_count(M));
    pump = twin_models_find(l, "dtmi:x:Pump;1");
    ck_assert_ptr_nonnull(pump);
    ck_assert_uint_eq(twin_dtdl_count(pump, TWIN_DTDL_CONTENTS), 5);
    ck_assert_str_eq(twin_dtdl_name(twin_dtdl_at(pump, TWIN_DTDL_CONTENTS, 0)), "temp");
    ck_assert_str_eq(twin_dtdl_unit(twin_dtdl_content(pump, "temp")), "degreeCelsius");
    ck_assert_str_eq(twin_dtdl_semantic_type(twin_dtdl_content(pump, "temp")), "Temperature");
    ck_assert_str_eq(twin_dtdl_comment(twin_dtdl_content(pump, "temp")), "inlet");
    ck_assert_int_eq(twin_dtdl_writable(twin_dtdl_content(pump, "mode")), 1);
    ck_assert_str_eq(twin_dtdl_display_name(twin_models_find(l, "dtmi:x:Base;1"), "de"), "Basis");
    ck_assert(twin_dtdl_is_a(pump, twin_models_find(l, "dtmi:x:Base;1")));
    c = twin_dtdl_content(pump, "feeds");
    ck_assert_ptr_eq(twin_dtdl_link(c, TWIN_DTDL_TARGET), pump);
    ck_assert_int_eq(twin_dtdl_multiplicity(c, NULL, &mx), TWIN_OK);
    ck_assert_uint_eq(mx, 3);
    c = twin_dtdl_link(twin_dtdl_content(pump, "where"), TWIN_DTDL_SCHEMA);
    ck_assert_str_eq(twin_dtdl_id(c), "dtmi:x:Pt;1");
    ck_assert_uint_eq(twin_dtdl_count(c, TWIN_DTDL_FIELDS), 2);
    ck_assert_int_eq(twin_dtdl_primitive_of(twin_dtdl_link(twin_dtdl_at(c, TWIN_DTDL_FIELDS, 1),
                                                           TWIN_DTDL_SCHEMA)),
                     TWIN_DTDL_DOUBLE);
    /* values checked against a loaded schema as against the parsed one */
    c = twin_dtdl_link(twin_dtdl_content(pump, "mode"), TWIN_DTDL_SCHEMA);
    {
        twin_value on = twin_value_string("ON"), bad = twin_value_string("HALF");
        ck_assert_int_eq(twin_dtdl_check_value(c, &on, NULL, 0), TWIN_OK);
        ck_assert_int_eq(twin_dtdl_check_value(c, &bad, NULL, 0), TWIN_E_CONSTRAINT);
    }
    /* a loaded set is sealed */
    ck_assert_int_eq(twin_models_add(l, "{}", 2, NULL), TWIN_E_STATE);
    twin_models_destroy(l);
    free(a.p);
    free(b.p);
}
END_TEST

START_TEST(test_every_damage_is_refused)
{
    twin_models *l = (twin_models *)1;
    buf a;
    size_t i;
    ck_assert_int_eq(addq(M, DOC), TWIN_OK);
    RESOLVE_OK(M);
    a = save(M);
    /* every truncation */
    for (i = 0; i < a.n; i++) {
        ck_assert_int_eq(twin_models_load(&l, a.p, i, NULL), TWIN_E_PARSE);
        ck_assert_ptr_null(l);
    }
    /* one flipped bit anywhere (the CRC-32 finds every single-bit error) */
    for (i = 0; i < a.n; i++) {
        a.p[i] ^= 0x10;
        ck_assert_int_eq(twin_models_load(&l, a.p, a.n, NULL), TWIN_E_PARSE);
        a.p[i] ^= 0x10;
    }
    ck_assert_int_eq(twin_models_load(&l, a.p, a.n, NULL), TWIN_OK);
    twin_models_destroy(l);
    ck_assert_int_eq(twin_models_load(NULL, a.p, a.n, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_load(&l, NULL, a.n, NULL), TWIN_E_INVAL);
    free(a.p);
}
END_TEST

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t crc_of(const unsigned char *p, size_t n)
{
    uint32_t c = ~0u;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

/* Two elements with the same identifier (the second's id pointing at the
 * first's string), checksum made right (found by fuzz_dtdl's read, write,
 * read check): not a resolved set, refused. */
START_TEST(test_duplicate_identifiers_refused)
{
    twin_models *l = (twin_models *)1;
    buf a;
    size_t elems;
    ck_assert_int_eq(addq(M, DOC), TWIN_OK);
    RESOLVE_OK(M);
    a = save(M);
    ck_assert_uint_ge(le32(a.p + 12), 2);        /* elements */
    elems = 7 * 4 + le32(a.p + 8);                /* header, then the strings */
    put_le32(a.p + elems + 30 * 4 + 4, le32(a.p + elems + 4));  /* element 1's id := element 0's */
    put_le32(a.p + a.n - 4, crc_of(a.p, a.n - 4));
    ck_assert_int_eq(twin_models_load(&l, a.p, a.n, NULL), TWIN_E_PARSE);
    ck_assert_ptr_null(l);
    free(a.p);
}
END_TEST

/* A form of one Interface with nd display names (desc: descriptions):
 * nd - 1 in "en", then one in "zz" (its text "last"); n receives the
 * length. */
static unsigned char *one_interface(uint32_t nd, int desc, size_t *n)
{
    static const char strs[] = "dtmi:x:I;1\0en\0t\0zz\0last"; /* and its NUL */
    const uint32_t nstr = sizeof strs, en = 12, t = 15, zz = 17, last = 20;
    size_t len = 7 * 4 + nstr + 30 * 4 + (size_t)nd * 8 + 4 + 4;
    unsigned char *b = calloc(len, 1), *e, *l;
    ck_assert_ptr_nonnull(b);
    put_le32(b, 0x4d445754u); /* "TWDM" */
    put_le32(b + 4, 1);
    put_le32(b + 8, nstr);
    put_le32(b + 12, 1);  /* elements */
    put_le32(b + 16, 0);  /* refs */
    put_le32(b + 20, nd); /* language pairs */
    put_le32(b + 24, 1);  /* interfaces */
    memcpy(b + 28, strs, nstr);
    e = b + 28 + nstr;
    put_le32(e, TWIN_DTDL_INTERFACE | 3u << 8); /* kind, DTDL v3 */
    put_le32(e + 4, 1);                         /* id: string at 0 */
    put_le32(e + (desc ? 48 : 40), 0);          /* from pair 0 */
    put_le32(e + (desc ? 52 : 44), nd);
    l = e + 30 * 4;
    for (uint32_t i = 0; i < nd; i++) {
        put_le32(l + 8 * i, i + 1 < nd ? en : zz);
        put_le32(l + 8 * i + 4, i + 1 < nd ? t : last);
    }
    put_le32(l + (size_t)nd * 8, 1); /* the interface: element 0 */
    put_le32(b + len - 4, crc_of(b, len - 4));
    *n = len;
    return b;
}

/* The limits of twin_models_load() (dtdl.h, docs/limits.md): an element
 * with 65535 display names (or descriptions) loads and finds the last; one
 * with 65536 is refused with TWIN_E_RANGE (before 1.7 its count was cut to
 * 16 bits: 0). */
START_TEST(test_load_display_names_and_descriptions_at_limit_and_past)
{
    for (int desc = 0; desc < 2; desc++) {
        const char *(*text)(const twin_dtdl_elem *, const char *) =
            desc ? twin_dtdl_description : twin_dtdl_display_name;
        twin_models *l = (twin_models *)1;
        size_t n;
        unsigned char *b = one_interface(65535, desc, &n);
        ck_assert_int_eq(twin_models_load(&l, b, n, NULL), TWIN_OK);
        ck_assert_str_eq(text(twin_models_find(l, "dtmi:x:I;1"), "zz"), "last");
        ck_assert_str_eq(text(twin_models_find(l, "dtmi:x:I;1"), "en"), "t");
        twin_models_destroy(l);
        free(b);
        b = one_interface(65536, desc, &n);
        l = (twin_models *)1;
        ck_assert_int_eq(twin_models_load(&l, b, n, NULL), TWIN_E_RANGE);
        ck_assert_ptr_null(l);
        free(b);
    }
}
END_TEST

START_TEST(test_save_needs_a_resolved_set_and_passes_writer_errors)
{
    buf b;
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(addq(M, DOC), TWIN_OK);
    ck_assert_int_eq(twin_models_save(M, buf_write, &b), TWIN_E_STATE);
    RESOLVE_OK(M);
    ck_assert_int_eq(twin_models_save(M, NULL, &b), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_save(NULL, buf_write, &b), TWIN_E_INVAL);
    b.fail_after = 3;
    ck_assert_int_eq(twin_models_save(M, buf_write, &b), TWIN_E_IO);
    free(b.p);
}
END_TEST

START_TEST(test_load_allocation_failures)
{
    failalloc fa;
    twin_models_options o;
    twin_models *l;
    buf a;
    size_t n;
    ck_assert_int_eq(addq(M, DOC), TWIN_OK);
    RESOLVE_OK(M);
    a = save(M);
    failalloc_init(&fa);
    twin_models_options_init(&o);
    o.alloc = &fa.alloc;
    for (n = 0;; n++) {
        twin_status s;
        failalloc_arm(&fa, n);
        s = twin_models_load(&l, a.p, a.n, &o);
        failalloc_disarm(&fa);
        if (s == TWIN_OK) break;
        ck_assert_int_eq(s, TWIN_E_NOMEM);
        ck_assert_ptr_null(l);
        ck_assert_uint_eq(fa.live_bytes, 0);
    }
    ck_assert_uint_gt(n, 3);
    ck_assert_ptr_nonnull(twin_models_find(l, "dtmi:x:Pump;1"));
    twin_models_destroy(l);
    ck_assert_uint_eq(fa.live_bytes, 0);
    failalloc_fini(&fa);
    free(a.p);
}
END_TEST

/* RealEstateCore: 767 Interfaces, in binary and back. */
static int add_dir(twin_models *m, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[4096];
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (strstr(e->d_name, ".json")) {
            ck_assert_int_eq(twin_models_add_file(m, p), TWIN_OK);
            n++;
        } else {
            int k = add_dir(m, p);  /* -1: a file that is not JSON (LICENSE) */
            if (k > 0) n += k;
        }
    }
    closedir(d);
    return n;
}

START_TEST(test_realestatecore_round_trip)
{
    const char *dir = TWIN_SOURCE_ROOT "/../shared/corpus/dtdl/realestatecore";
    twin_models *l;
    buf a, b;
    size_t i;
    DIR *d = opendir(dir);
    if (!d) {
        const char *ci = getenv("CI");
        ck_assert_msg(!(ci && strcmp(ci, "true") == 0), "%s missing (CI=true)", dir);
        return;  /* corpus absent: nothing to check here */
    }
    closedir(d);
    ck_assert_int_eq(add_dir(M, dir), 767);
    RESOLVE_OK(M);
    a = save(M);
    ck_assert_int_eq(twin_models_load(&l, a.p, a.n, NULL), TWIN_OK);
    b = save(l);
    ck_assert(a.n == b.n && memcmp(a.p, b.p, a.n) == 0);
    ck_assert_uint_eq(twin_models_interface_count(l), 767);
    for (i = 0; i < 767; i++) {
        const twin_dtdl_elem *x = twin_models_interface(M, i), *y = twin_models_interface(l, i);
        ck_assert_str_eq(twin_dtdl_id(x), twin_dtdl_id(y));
        ck_assert_uint_eq(twin_dtdl_count(x, TWIN_DTDL_CONTENTS), twin_dtdl_count(y, TWIN_DTDL_CONTENTS));
    }
    twin_models_destroy(l);
    free(a.p);
    free(b.p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dtdl_binary");
    TCase *tc = tcase_create("binary");
    tcase_add_checked_fixture(tc, models_setup, models_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip_same_bytes_same_answers);
    tcase_add_test(tc, test_every_damage_is_refused);
    tcase_add_test(tc, test_duplicate_identifiers_refused);
    tcase_add_test(tc, test_load_display_names_and_descriptions_at_limit_and_past);
    tcase_add_test(tc, test_save_needs_a_resolved_set_and_passes_writer_errors);
    tcase_add_test(tc, test_load_allocation_failures);
    tcase_add_test(tc, test_realestatecore_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
