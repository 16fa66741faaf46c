/* The JSON reader (lib/dtdl/jsonread.c) against two oracles:
 *  - cJSON_ParseWithLengthOpts(): on every text the old strict checker
 *    accepts, the reader's tree must hold cJSON's, node for node (type,
 *    order, key and string bytes and lengths, the number bit for bit as
 *    cJSON's valuedouble, and the count of each array and object);
 *  - the old strict checker (json_oracle.c): the same texts refused, at
 *    the same byte (bad_at), for the same reason (too_deep).
 * Where cJSON and the reader differ on purpose, the test says so and
 * checks the reader's answer instead: a \u escape that is a lone or
 * unpaired surrogate (cJSON fails; the reader refuses the text, at that
 * escape, when nothing else is wrong with it), and numbers longer than 63
 * characters (cJSON 1.7.15 as released reads 63 at most, Debian's, with the
 * fix of CVE-2023-26819, reads them whole, as the reader does).
 *
 * The texts: every *.json file under ../shared/corpus/dtdl (the official
 * conformance cases and RealEstateCore), each whole, cut short at a few
 * places and with a few bytes changed; and hand-written edge cases. Without
 * the corpus the corpus test is skipped, and the program exits 77 (unless
 * CI=true: then it fails). Also: all-or-nothing on allocation failure,
 * and memory linear in the size of the text (allocator calls and bytes
 * for 100k and 400k members; a count, not a clock). */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dtdl/json_oracle.h"
#include "dtdl/jsonread.h"
#include "support/failalloc.h"
#include "support/run.h"

#ifndef TWIN_SOURCE_ROOT
#error "TWIN_SOURCE_ROOT must be defined (tests/meson.build)"
#endif

#define CORPUS TWIN_SOURCE_ROOT "/../shared/corpus/dtdl"

/* ---- one text, both oracles ---- */

typedef struct tally {
    size_t valid, invalid, surrogate, longnum;
} tally;


/* The reader's trees live in this region, from talloc (the C library's, or
 * a failalloc in the allocation-failure test); tree_free() drops the tree. */
static twin__region tree;
static const twin_allocator *talloc;

static void tree_free(void)
{
    twin__region_fini(&tree, talloc);
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Is there a number of more than 63 characters in the text? (A run of
 * number characters outside strings; good enough for a test.) */
static int has_long_number(const char *t, size_t n)
{
    size_t i, run = 0;
    int in_str = 0;
    for (i = 0; i < n; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
            continue;
        }
        if (c == '"') in_str = 1;
        if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
            if (++run > 63) return 1;
        } else {
            run = 0;
        }
    }
    return 0;
}

static void diff_text(const char *name, const char *t, size_t n, tally *ty)
{
    size_t ob, nb;
    int od, nd, old;
    const twin__json *mine = NULL;
    cJSON *cj;
    const char *end = NULL;
    twin_status s;
    char why[256];

    old = oracle_json_check(t, n, &ob, &od);
    s = twin__json_read(t, n, &tree, talloc, &mine, &nb, &nd);
    if (!old) {
        ck_assert_msg(s == TWIN_E_PARSE, "%s: the old checker refuses (byte %zu), the reader %d",
                      name, ob, (int)s);
        ck_assert_msg(nb == ob && nd == od, "%s: refused at %zu (deep %d), the old checker %zu (%d)",
                      name, nb, nd, ob, od);
        ck_assert_ptr_null(mine);
        tree_free();  /* what the refused text had built */
        ty->invalid++;
        return;
    }
    cj = cJSON_ParseWithLengthOpts(t, n, &end, 0);
    if (cj) {
        while (end < t + n && is_ws(*end)) end++;
    }
    if (cj && end == t + n) {
        ck_assert_msg(s == TWIN_OK, "%s: cJSON reads it, the reader says %d (byte %zu)", name,
                      (int)s, nb);
        ck_assert_msg(oracle_same_tree(mine, cj, why, sizeof why), "%s: %s", name, why);
        ty->valid++;
    } else if (s == TWIN_E_PARSE) {
        /* a bad surrogate: cJSON fails, the reader refuses at its 'u' */
        long code;
        ck_assert_msg(nb >= 1 && nb + 4 < n && t[nb - 1] == '\\' && t[nb] == 'u', "%s: %zu", name, nb);
        code = strtol((char[]){t[nb + 1], t[nb + 2], t[nb + 3], t[nb + 4], 0}, NULL, 16);
        ck_assert_msg(code >= 0xD800 && code <= 0xDFFF, "%s: \\u%04lx at %zu", name, code, nb);
        ck_assert_msg(nd == 0, "%s", name);
        ck_assert_msg(cj == NULL, "%s: cJSON stops early", name);
        ty->surrogate++;
    } else {
        /* a number cJSON cannot read whole */
        ck_assert_msg(s == TWIN_OK, "%s: %d", name, (int)s);
        ck_assert_msg(has_long_number(t, n), "%s: cJSON %s, the reader accepts", name,
                      cj ? "stops early" : "fails");
        ty->longnum++;
    }
    cJSON_Delete(cj);
    tree_free();
}

/* ---- hand-written cases ---- */

static const char *const edge[] = {
    /* valid */
    "{}", "[]", "[[]]", "{\"a\":{}}", "[{}, [], {\"\":[]}]", "0", "-0", "1", "-1", "\"\"", "true",
    "false", "null", " \t\r\n[ 1 ,\n2\t]\r\n ", "[true,false,null]",
    "{\"a\":1,\"a\":2,\"a\":{\"a\":[]},\"b\":3,\"a\":null}",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "{\"\\n\\u0041\\\"\":\"k\"}",
    "\"\\u0041\\u00e9\\u00E9\\u20ac\\uFFFF\\uffff\\u0800\\u07FF\\u007f\\u0080\"",
    "[\"\\ud83d\\ude00\", \"\\uD834\\uDD1E\", \"\\uDBFF\\uDFFF\", \"\\uD800\\uDC00\"]",
    "\"a\\u0000b\"", "{\"k\\u0000ey\":\"\\u0000\"}", "\"\\u0000\"",
    "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", "\"\xff\xfe\x80\"", "[\"\x7f\"]",
    "[0.5, -0.0, 0e0, 0E+0, 1e10, 1E+10, 1e-10, 1.5e308, 1.7976931348623157e308, 1e309, -1e309]",
    "[2147483647, 2147483648, -2147483648, -2147483649, 2147483646.5, -2147483648.5, 1e100, -1e100]",
    "[9007199254740993, 18446744073709551615, 123456789012345678901234567890, 0.1, 0.3]",
    "[1e-400, -1e-400, 5e-324, 2.2250738585072014e-308, 4.9406564584124654e-324]",
    "[0.1e1, 10e-1, 1.0, 100, 1E2, 1e+2, 1e02, 3.14159265358979323846264338327950288]",
    /* 63 characters, the most cJSON reads */
    "[123456789012345678901234567890123456789012345678901234567890123]",
    "[1.2345678901234567890123456789012345678901234567890123456789e-1]",
    "{\"a\":[1,{\"b\":[2,[3,{\"c\":\"d\"}]]}],\"e\":{\"f\":{\"g\":{}}}}",
    /* invalid */
    "", " ", "[", "]", "{", "[1,", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{a:1}",
    "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}", "[1 2]", "01", "-01", "00", "-", "1.", ".5", "1e",
    "1e+", "+1", "1.e5", "0x10", "NaN", "Infinity", "-Infinity", "tru", "nul", "fals", "True",
    "nulll", "[1]x", "[1] [2]", "1 2", "\"abc", "\"\\", "\"\\\"", "'a'", "\"\\x\"", "\"\\u12\"",
    "\"\\u12G4\"", "\"\\U0041\"", "\"\\u\"", "\"a\nb\"", "\"a\x01\"", "\"a\tb\"", "\"\x1f\"",
    "\xef\xbb\xbf[]", "[\"a\"]\x01", "[1]\x0b", "\x0c[]", "{\"a\":1}}", "[[]]]", "[}", "{]",
    "[\"\\uD800\\uDC0G\"]", "[\"\\uD800\\u\"]", "[\"\\uD800\\", "[\"\\uD800\\u00",
    /* bad surrogates: the old checker accepts them, cJSON does not */
    "[\"\\uD800\"]", "[\"\\uDC00\"]", "[\"\\uDFFF\"]", "[\"\\uD800\\u0041\"]",
    "[\"\\uD800\\uD800\"]", "[\"\\uD800x\"]", "[\"\\uDBFF\\n\"]", "{\"\\uDC00\":1}",
    "[\"\\uD800\\uDC00\\uDC00\"]", "[\"ok\", \"\\udead\", \"\\ud800\\udc00\"]",
    /* ...and when something else is wrong too, that is the error */
    "[\"\\uDC00\", 01]", "[\"\\uD800\", \"\\q\"]", "{\"\\uDC00\":1,}",
    /* numbers of more than 63 characters */
    "[1234567890123456789012345678901234567890123456789012345678901234]",
    "[1.000000000000000000000000000000000000000000000000000000000000000000001]",
    "{\"n\":1e0000000000000000000000000000000000000000000000000000000000000000000001}",
};

START_TEST(test_edge_cases)
{
    tally ty = {0, 0, 0, 0};
    size_t i;
    char name[32];
    for (i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        snprintf(name, sizeof name, "edge[%zu]", i);
        diff_text(name, edge[i], strlen(edge[i]), &ty);
    }
    /* a text with zero bytes in it (not JSON) */
    diff_text("nul", "[1,\0 2]", 7, &ty);
    diff_text("nul2", "\"a\0\"", 4, &ty);
    fprintf(stderr, "jsonread: %zu edge cases: %zu valid, %zu invalid, %zu bad surrogates, "
            "%zu long numbers\n", i + 2, ty.valid, ty.invalid, ty.surrogate, ty.longnum);
    ck_assert_uint_ge(ty.surrogate, 10);
    ck_assert_uint_ge(ty.valid, 30);
}
END_TEST

/* A whole number is read, not its first 63 characters (whatever the
 * cJSON at hand does: diff_text() compares with it). */
START_TEST(test_long_numbers)
{
    static const char *const nums[] = {
        "1234567890123456789012345678901234567890123456789012345678901234",
        "1.000000000000000000000000000000000000000000000000000000000000000000001",
        "-0.00000000000000000000000000000000000000000000000000000000000000000000001e-3",
        "9007199254740993000000000000000000000000000000000000000000000000000000001",
    };
    size_t i;
    for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char text[256];
        const twin__json *j;
        size_t bad;
        int deep;
        double want = strtod(nums[i], NULL);
        snprintf(text, sizeof text, "[%s]", nums[i]);
        ck_assert_int_eq(twin__json_read(text, strlen(text), &tree, talloc, &j, &bad, &deep), TWIN_OK);
        ck_assert(oracle_same_double(j->child->u.num, want));
        tree_free();
    }
}
END_TEST

/* Nesting: 512 levels read (and cJSON agrees), 513 are too deep. */
START_TEST(test_depth)
{
    tally ty = {0, 0, 0, 0};
    static char t[5 * 600];  /* "{\"\":" and "}" a level */
    int kind, d;
    for (kind = 0; kind < 3; kind++)
        for (d = 511; d <= 514; d++) {
            size_t n = 0;
            int k;
            for (k = 0; k < d; k++) {
                if (kind == 0 || (kind == 2 && k % 2)) t[n++] = '[';
                else {
                    memcpy(t + n, "{\"\":", 4);
                    n += 4;
                }
            }
            t[n++] = '1';
            for (k = d - 1; k >= 0; k--) t[n++] = (kind == 0 || (kind == 2 && k % 2)) ? ']' : '}';
            diff_text("deep", t, n, &ty);
            {
                const twin__json *j;
                size_t bad;
                int deep;
                twin_status s = twin__json_read(t, n, &tree, talloc, &j, &bad, &deep);
                ck_assert_int_eq(s, d <= TWIN__JSON_MAX_DEPTH ? TWIN_OK : TWIN_E_PARSE);
                ck_assert_int_eq(deep, d > TWIN__JSON_MAX_DEPTH);
                tree_free();
            }
        }
    ck_assert_uint_eq(ty.valid, 6);
    ck_assert_uint_eq(ty.invalid, 6);
}
END_TEST

/* In a locale whose decimal point is a comma, numbers still read as in
 * cJSON (which swaps '.' for the locale's decimal point). */
START_TEST(test_locale)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    size_t i;
    tally ty = {0, 0, 0, 0};
    const char *set = NULL;
    for (i = 0; i < sizeof names / sizeof names[0] && !set; i++)
        set = setlocale(LC_NUMERIC, names[i]);
    diff_text("locale", "[1.5, -0.25e1, 3]", 17, &ty);
    {
        const twin__json *j;
        size_t bad;
        int deep;
        ck_assert_int_eq(twin__json_read("[1.5]", 5, &tree, talloc, &j, &bad, &deep), TWIN_OK);
        ck_assert(j->child->u.num == 1.5);
        tree_free();
    }
    setlocale(LC_NUMERIC, "C");
    if (!set) fprintf(stderr, "jsonread: no comma locale here; the locale test ran in C\n");
}
END_TEST

/* ---- the corpus ---- */

typedef struct files {
    char **v;
    size_t n, cap;
} files;

static void walk(files *f, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        size_t n;
        if (de->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ck_assert_int_eq(stat(path, &st), 0);
        n = strlen(de->d_name);
        if (S_ISDIR(st.st_mode)) {
            walk(f, path);
        } else if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0) {
            if (f->n == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 1024;
                f->v = realloc(f->v, f->cap * sizeof *f->v);
                ck_assert_ptr_nonnull(f->v);
            }
            f->v[f->n++] = strdup(path);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b;
    long n;
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    b = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Every file whole (without its BOM, as twin_models_add reads it), cut
 * short at 8 places, and with bytes changed at 6 places (to 8 bytes each):
 * mostly invalid texts that look like real ones. */
START_TEST(test_corpus)
{
    static const char repl[] = {'"', '\\', '{', ']', ',', '0', '\x01', '\xff'};
    files f = {NULL, 0, 0};
    tally ty = {0, 0, 0, 0};
    size_t i, texts = 0, bytes = 0;
    walk(&f, CORPUS);
    qsort(f.v, f.n, sizeof *f.v, cmp_str);
    ck_assert_uint_gt(f.n, 2000);
    for (i = 0; i < f.n; i++) {
        size_t len, k, r;
        char *buf = slurp(f.v[i], &len), *t = buf;
        char name[4200];
        if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
            t += 3;
            len -= 3;
        }
        diff_text(f.v[i], t, len, &ty);
        texts++;
        bytes += len;
        for (k = 1; k <= 8 && len; k++) {
            size_t cut = len * k / 9;
            snprintf(name, sizeof name, "%s cut at %zu", f.v[i], cut);
            diff_text(name, t, cut, &ty);
            texts++;
        }
        for (k = 1; k <= 6 && len; k++) {
            size_t at = (len * k / 7 + i) % len;
            char was = t[at];
            for (r = 0; r < sizeof repl; r++) {
                if (repl[r] == was) continue;
                t[at] = repl[r];
                snprintf(name, sizeof name, "%s byte %zu -> 0x%02x", f.v[i], at,
                         (unsigned)(unsigned char)repl[r]);
                diff_text(name, t, len, &ty);
                texts++;
            }
            t[at] = was;
        }
        free(buf);
        free(f.v[i]);
    }
    fprintf(stderr, "jsonread: corpus: %zu files (%zu bytes), %zu texts compared: %zu valid "
            "(trees equal), %zu invalid (same bad_at), %zu bad surrogates, %zu long numbers\n",
            f.n, bytes, texts, ty.valid, ty.invalid, ty.surrogate, ty.longnum);
    free(f.v);
    ck_assert_uint_ge(ty.valid, f.n);
}
END_TEST

/* ---- allocation failures ---- */

/* The n-th allocation failing, for every n: TWIN_E_NOMEM and, once the
 * region is freed, nothing left allocated; a text that is not JSON is
 * refused at the same byte whatever fails. Small region blocks, so that
 * texts take several. */
START_TEST(test_oom)
{
    static const char *const texts[] = {
        "{\"a\":[1,\"two\",{\"b\\u00e9\":null,\"c\":true},[],{}],\"d\":\"e\\n\",\"a\":false}",
        "[1234567890123456789012345678901234567890123456789012345678901234, \"x\"]",
        "{\"a\":[1,\"two\",{\"b\":null,\"c\":true},[],{}],\"d\":\"e\\n\",\"a\":fals}",
        "{\"a\":[1,\"two\",{\"b\":null,\"c\":true},[],{}],\"d\":\"\\uD800\",\"a\":false}",
    };
    const twin_allocator *keep = talloc;
    failalloc fa;
    size_t t;
    failalloc_init(&fa);
    talloc = &fa.alloc;
    for (t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        size_t n, len = strlen(texts[t]), bad0 = 0, bad, failed = 0;
        int deep, hit;
        const twin__json *j;
        twin_status s0;
        twin__region_init(&tree, 128);
        s0 = twin__json_read(texts[t], len, &tree, talloc, &j, &bad0, &deep);
        tree_free();
        ck_assert_uint_eq(fa.live_blocks, 0);
        for (n = 0;; n++) {
            twin_status s;
            twin__region_init(&tree, 128);
            failalloc_arm(&fa, n);
            s = twin__json_read(texts[t], len, &tree, talloc, &j, &bad, &deep);
            hit = fa.triggered;
            failalloc_disarm(&fa);
            fa.triggered = 0;
            if (s0 != TWIN_OK) {
                ck_assert_int_eq(s, s0);
                ck_assert_uint_eq(bad, bad0);
            } else if (hit) {
                ck_assert_int_eq(s, TWIN_E_NOMEM);
                ck_assert_ptr_null(j);
                failed++;
            } else {
                ck_assert_int_eq(s, TWIN_OK);
            }
            tree_free();
            ck_assert_uint_eq(fa.live_blocks, 0);
            if (!hit) break;
        }
        if (s0 == TWIN_OK) ck_assert_uint_ge(failed, 2);  /* the copy of the text, nodes */
    }
    talloc = keep;
    failalloc_fini(&fa);
}
END_TEST

/* ---- memory linear in the text ---- */

/* Allocator calls and bytes of one read of t (the tree checked). */
static void read_counts(const char *t, size_t n, size_t *calls, size_t *bytes)
{
    failalloc fa;
    const twin__json *j;
    size_t bad;
    int deep;
    failalloc_init(&fa);
    twin__region_init(&tree, twin__json_block_size(n));
    ck_assert_int_eq(twin__json_read(t, n, &tree, &fa.alloc, &j, &bad, &deep), TWIN_OK);
    ck_assert(oracle_counted(j));
    *calls = fa.calls;
    *bytes = fa.peak_bytes;
    twin__region_fini(&tree, &fa.alloc);
    ck_assert_uint_eq(fa.live_blocks, 0);
    failalloc_fini(&fa);
}

static char *big_array(size_t members, size_t *len)
{
    char *t = malloc(members * 2 + 2), *p = t;
    size_t i;
    ck_assert_ptr_nonnull(t);
    *p++ = '[';
    for (i = 0; i < members; i++) {
        *p++ = (char)('0' + i % 10);
        *p++ = i + 1 < members ? ',' : ']';
    }
    *len = (size_t)(p - t);
    return t;
}

/* Four times the members take at most four times the allocator calls and
 * bytes (and a block): appending is not quadratic, and nothing is kept per
 * member outside the region. */
START_TEST(test_linear)
{
    size_t n1, n4, calls1, calls4, bytes1, bytes4;
    char *t1 = big_array(100000, &n1), *t4 = big_array(400000, &n4);
    const twin__json *j, *last;
    size_t bad;
    int deep;
    read_counts(t1, n1, &calls1, &bytes1);
    read_counts(t4, n4, &calls4, &bytes4);
    fprintf(stderr, "jsonread: 100k members %zu calls, %zu bytes; 400k %zu calls, %zu bytes\n",
            calls1, bytes1, calls4, bytes4);
    ck_assert_uint_le(calls4, 4 * calls1 + 1);
    ck_assert_uint_le(bytes4, 4 * bytes1 + twin__json_block_size(n4));
    ck_assert_int_eq(twin__json_read(t1, n1, &tree, talloc, &j, &bad, &deep), TWIN_OK);
    ck_assert_uint_eq(twin__json_count(j), 100000);
    for (last = j->child; last->next; last = last->next) continue;
    ck_assert(last->u.num == 9);
    tree_free();
    free(t1);
    free(t4);
}
END_TEST

static int have_corpus(void)
{
    struct stat st;
    return stat(CORPUS, &st) == 0 && S_ISDIR(st.st_mode);
}

static void tree_setup(void)
{
    talloc = twin_allocator_default();
    twin__region_init(&tree, 4096);
}

static Suite *suite(void)
{
    Suite *s = suite_create("dtdl_jsonread");
    TCase *tc = tcase_create("jsonread");
    tcase_add_checked_fixture(tc, tree_setup, NULL);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_edge_cases);
    tcase_add_test(tc, test_long_numbers);
    tcase_add_test(tc, test_depth);
    tcase_add_test(tc, test_locale);
    tcase_add_test(tc, test_oom);
    tcase_add_test(tc, test_linear);
    if (have_corpus()) tcase_add_test(tc, test_corpus);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int r = run_suite(suite());
    if (r == EXIT_SUCCESS && !have_corpus()) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0) {
            fprintf(stderr, "dtdl_jsonread: %s is missing (CI=true: failing)\n", CORPUS);
            return EXIT_FAILURE;
        }
        fprintf(stderr, "dtdl_jsonread: %s is missing: the corpus test skipped\n", CORPUS);
        return 77;
    }
    return r;
}
