/* Internal utilities (linked against the static library, so hidden
 * functions are visible): UTF-8, hash, segmented vector, string pool, hash
 * index, interning, and the graph's reclamation passes (sweep, compaction,
 * per-source relationship index). */
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"
#include "support/failalloc.h"
#include "core/format.h"
#include "util/hash.h"
#include "util/strtab.h"
#include "util/utf8.h"
#include "support/run.h"

static failalloc fa;

static void setup(void)
{
    failalloc_init(&fa);
}

static void teardown(void)
{
    ck_assert_uint_eq(fa.live_bytes, 0);
    failalloc_fini(&fa);
}

/* ---- message formatting ------------------------------------------------ */

/* Each case formatted by twin__format() and by the C library, with every
 * buffer size from 0 to past the end: same text, same length, same
 * truncation. */
#define FORMAT_SAME(...)                                                        \
    do {                                                                        \
        char want[128], got[128];                                               \
        int wn = snprintf(want, sizeof want, __VA_ARGS__);                      \
        ck_assert_int_ge(wn, 0);                                                \
        for (size_t cap = 0; cap <= (size_t)wn + 2; cap++) {                    \
            memset(want, 'W', sizeof want);                                     \
            memset(got, 'G', sizeof got);                                       \
            snprintf(want, cap, __VA_ARGS__);                                   \
            ck_assert_uint_eq(twin__format(got, cap, __VA_ARGS__), (size_t)wn); \
            size_t used = cap < (size_t)wn + 1 ? cap : (size_t)wn + 1;          \
            ck_assert_mem_eq(got, want, used);                                  \
            ck_assert_int_eq(got[used], 'G'); /* nothing past the NUL */        \
        }                                                                       \
    } while (0)

START_TEST(test_format_matches_snprintf_for_supported_conversions)
{
    const char *longid = "a-twin-id-longer-than-the-precision-it-is-printed-with";
    FORMAT_SAME("plain text, no conversion");
    FORMAT_SAME("%s", "");
    FORMAT_SAME("twin '%s' not found", "motor-1");
    FORMAT_SAME("'%.8s' and '%.64s'", longid, longid);
    FORMAT_SAME("'%.*s'|%.*s|", 5, longid, 0, longid);
    FORMAT_SAME("%d %d %d %i", 0, -1, INT_MIN, INT_MAX);
    FORMAT_SAME("%u %u %x %x", 0u, UINT_MAX, 0xbeefu, 0u);
    FORMAT_SAME("%lu %ld %ld", ULONG_MAX, LONG_MIN, 42L);
    FORMAT_SAME("%llu %lld %lld %llx", ULLONG_MAX, LLONG_MIN, LLONG_MAX, 0x1234abcdULL);
    FORMAT_SAME("%zu items, 100%% done, char %c", (size_t)17, 'q');
}
END_TEST

static size_t format_v(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    va_start(ap, fmt);
    n = twin__vformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

START_TEST(test_format_copies_unsupported_conversions_without_reading_arguments)
{
    char buf[64];
    /* Unsupported conversions read no argument: the %s after them still
     * gets the first one. (Through a non-checked wrapper: the compiler
     * would rightly reject these formats.) */
    ck_assert_uint_eq(format_v(buf, sizeof buf, "%g|%5d|%s", "x"), 8);
    ck_assert_str_eq(buf, "%g|%5d|x");
    ck_assert_uint_eq(format_v(buf, sizeof buf, "end %"), 5);
    ck_assert_str_eq(buf, "end %");
    ck_assert_uint_eq(format_v(buf, sizeof buf, "end %l"), 6);
    ck_assert_str_eq(buf, "end %l");
    ck_assert_uint_eq(format_v(buf, sizeof buf, "%s", (const char *)NULL), 6);
    ck_assert_str_eq(buf, "(null)");
}
END_TEST

/* ---- UTF-8 ------------------------------------------------------------- */

START_TEST(test_utf8_check_valid_inputs_pass)
{
    static const char *ok[] = {
        "", "a", "plain ascii id of some length 0123456789", "\xc2\x80", "\xdf\xbf",
        "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
        "\xf4\x8f\xbf\xbf", "Pumpe-\xc3\x9c-\xe6\xb8\xa9\xe5\xba\xa6-\xf0\x9f\x9a\x80",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        ck_assert_uint_eq(twin__utf8_check(ok[i], strlen(ok[i])), strlen(ok[i]));
}
END_TEST

START_TEST(test_utf8_check_invalid_inputs_report_offset)
{
    static const struct {
        const char *s;
        size_t n, bad;
    } cases[] = {
        {"abc\x80", 4, 3},                 /* lone continuation */
        {"\xc0\xaf", 2, 0},                /* overlong '/' */
        {"\xc1\xbf", 2, 0},                /* overlong */
        {"\xe0\x9f\xbf", 3, 0},            /* overlong 3-byte */
        {"\xed\xa0\x80", 3, 0},            /* surrogate */
        {"\xf0\x8f\xbf\xbf", 4, 0},        /* overlong 4-byte */
        {"\xf4\x90\x80\x80", 4, 0},        /* > U+10FFFF */
        {"\xf5\x80\x80\x80", 4, 0},        /* F5 never valid */
        {"xy\xe2\x82", 4, 2},              /* truncated */
        {"0123456789abcdef\xff", 17, 16},  /* after the 8-byte fast path */
        {"ab\0cd", 5, 2},                  /* NUL inside the range */
        {"\xc3\x28", 2, 0},                /* bad continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(twin__utf8_check(cases[i].s, cases[i].n) == cases[i].bad,
                      "case %zu: got %zu want %zu", i,
                      twin__utf8_check(cases[i].s, cases[i].n), cases[i].bad);
}
END_TEST

/* ---- hash -------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(test_hash_similar_keys_spread_over_buckets)
{
    enum { N = 100000, BUCKETS = 1 << 12 };
    static unsigned count[BUCKETS];
    static uint64_t h[N];
    char key[32];
    double expect = (double)N / BUCKETS, chi2 = 0;
    size_t dups = 0;

    memset(count, 0, sizeof count);
    for (unsigned i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "twin-%015u", i);
        h[i] = twin__hash(42, key, (size_t)n);
        count[twin__hash32(h[i]) & (BUCKETS - 1)]++;
    }
    /* Chi-square over the low bits (what the index uses for positions):
     * a uniform hash gives BUCKETS-1 +- 90; allow 6 standard deviations. */
    for (unsigned b = 0; b < BUCKETS; b++)
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    ck_assert_msg(chi2 < BUCKETS - 1 + 6 * 90.5, "chi2 %.0f", chi2);
    qsort(h, N, sizeof h[0], cmp_u64);
    for (unsigned i = 1; i < N; i++) dups += h[i] == h[i - 1];
    ck_assert_uint_eq(dups, 0);
    ck_assert(twin__hash(1, "abc", 3) != twin__hash(2, "abc", 3));
    ck_assert(twin__hash(1, "abc", 3) == twin__hash(1, "abc", 3));
    ck_assert(twin__hash(1, "abc", 3) != twin__hash(1, "abc\0", 4));
}
END_TEST

/* ---- segmented vector -------------------------------------------------- */

START_TEST(test_segvec_many_elements_keep_values_across_segments)
{
    twin__segvec v;
    twin__segvec_init(&v, sizeof(uint32_t) * 3, 6);  /* 64 per segment */
    for (uint32_t i = 0; i < 10000; i++) {
        uint32_t *e;
        ck_assert_int_eq(twin__segvec_reserve(&v, &fa.alloc, 1), TWIN_OK);
        e = twin__segvec_at(&v, twin__segvec_push(&v));
        e[0] = i;
        e[1] = i * 7;
        e[2] = ~i;
    }
    ck_assert_uint_ge(v.nseg, 10000 / 64);
    ck_assert_uint_lt(v.cap - v.len, 64);  /* slack at most one segment */
    for (uint32_t i = 0; i < 10000; i++) {
        uint32_t *e = twin__segvec_at(&v, i);
        ck_assert(e[0] == i && e[1] == i * 7 && e[2] == ~i);
    }
    twin__segvec_fini(&v, &fa.alloc);
}
END_TEST

START_TEST(test_segvec_reserve_failure_keeps_contents)
{
    twin__segvec v;
    twin__segvec_init(&v, sizeof(uint64_t), 4);
    for (uint64_t i = 0; i < 40; i++) {
        ck_assert_int_eq(twin__segvec_reserve(&v, &fa.alloc, 1), TWIN_OK);
        *(uint64_t *)twin__segvec_at(&v, twin__segvec_push(&v)) = i * i;
    }
    for (size_t n = 0; n < 4; n++) {
        failalloc_arm(&fa, n);
        if (twin__segvec_reserve(&v, &fa.alloc, 100) == TWIN_OK) break;
        ck_assert_uint_eq(v.len, 40);
        for (uint64_t i = 0; i < 40; i++)
            ck_assert(*(uint64_t *)twin__segvec_at(&v, (uint32_t)i) == i * i);
    }
    failalloc_disarm(&fa);
    ck_assert_int_eq(twin__segvec_reserve(&v, &fa.alloc, 100), TWIN_OK);
    ck_assert_uint_ge(v.cap, 140);
    twin__segvec_fini(&v, &fa.alloc);
}
END_TEST

/* ---- string pool ------------------------------------------------------- */

START_TEST(test_strpool_strings_never_straddle_segments)
{
    twin__strpool p;
    char buf[1100];
    uint32_t off[400];
    uint64_t span = 0;
    twin__strpool_init(&p);
    for (int i = 0; i < 400; i++) {
        size_t n = 100 + (size_t)(i * 37) % 1000;
        memset(buf, 'a' + i % 26, n);
        ck_assert_int_eq(twin__strpool_reserve(&p, &fa.alloc, n), TWIN_OK);
        off[i] = twin__strpool_add(&p, buf, n);
        span = twin__strpool_span(span, n);
        ck_assert_uint_eq(span, p.bytes.len);  /* span predicts add exactly */
        ck_assert_uint_eq(off[i] >> TWIN__STRPOOL_SHIFT, (off[i] + n) >> TWIN__STRPOOL_SHIFT);
    }
    ck_assert_uint_gt(p.bytes.nseg, 2);
    for (int i = 0; i < 400; i++) {
        size_t n = 100 + (size_t)(i * 37) % 1000;
        const char *s = twin__strpool_get(&p, off[i]);
        ck_assert_uint_eq(strlen(s), n);
        ck_assert_int_eq(s[0], 'a' + i % 26);
    }
    ck_assert_int_eq(twin__strpool_reserve(&p, &fa.alloc, TWIN__STRPOOL_MAX), TWIN_E_RANGE);
    twin__strpool_fini(&p, &fa.alloc);
}
END_TEST

/* ---- hash index -------------------------------------------------------- */

static uint32_t keys[4096];

static int key_eq(const void *ctx, uint32_t idx, const void *key)
{
    (void)ctx;
    return keys[idx] == *(const uint32_t *)key;
}

/* A deliberately poor hash: many keys share low bits, making long clusters. */
static uint32_t weak_hash(uint32_t k)
{
    return (k % 97) * 64u + (k & 1u);
}

START_TEST(test_index_random_ops_match_reference)
{
    twin__index x;
    static int present[4096];
    uint64_t rng = 12345;
    memset(&x, 0, sizeof x);
    memset(present, 0, sizeof present);
    for (uint32_t i = 0; i < 4096; i++) keys[i] = i * 2654435761u;
    for (int op = 0; op < 40000; op++) {
        uint32_t i, pos, h;
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        i = (uint32_t)(rng >> 33) % 4096;
        h = weak_hash(keys[i]);
        pos = twin__index_find(&x, h, key_eq, NULL, &keys[i]);
        ck_assert_int_eq(pos != TWIN__NONE, present[i]);
        if (present[i]) {
            ck_assert_uint_eq(twin__index_at(&x, pos), i);
            twin__index_remove_at(&x, pos);
            present[i] = 0;
        } else {
            ck_assert_int_eq(twin__index_reserve(&x, &fa.alloc, 1), TWIN_OK);
            twin__index_insert(&x, h, i);
            present[i] = 1;
        }
    }
    for (uint32_t i = 0; i < 4096; i++) {
        uint32_t pos = twin__index_find(&x, weak_hash(keys[i]), key_eq, NULL, &keys[i]);
        ck_assert_int_eq(pos != TWIN__NONE, present[i]);
    }
    ck_assert_uint_le((uint64_t)x.count * 4, (uint64_t)(x.mask + 1) * 3);
    twin__index_fini(&x, &fa.alloc);
}
END_TEST

/* ---- interning --------------------------------------------------------- */

START_TEST(test_intern_counts_references_and_reuses_entries)
{
    twin__intern t;
    twin__strpool p;
    uint32_t a, b, c, d;
    twin__strpool_init(&p);
    twin__intern_init(&t, 7);
    ck_assert_int_eq(twin__intern_acquire(&t, &p, &fa.alloc, "feeds", 5, &a), TWIN_OK);
    ck_assert_int_eq(twin__intern_acquire(&t, &p, &fa.alloc, "partOf", 6, &b), TWIN_OK);
    ck_assert_int_eq(twin__intern_acquire(&t, &p, &fa.alloc, "feeds", 5, &c), TWIN_OK);
    ck_assert_uint_eq(a, c);
    ck_assert_uint_ne(a, b);
    ck_assert_uint_eq(twin__intern_at(&t, a)->refs, 2);
    ck_assert_str_eq(twin__intern_str(&t, &p, b), "partOf");
    twin__intern_release(&t, &p, a);
    ck_assert_uint_eq(twin__intern_find(&t, &p, "feeds", 5), a);
    twin__intern_release(&t, &p, a);
    ck_assert_uint_eq(twin__intern_find(&t, &p, "feeds", 5), TWIN__NONE);
    ck_assert_uint_eq(p.dead, 6);
    ck_assert_int_eq(twin__intern_acquire(&t, &p, &fa.alloc, "locatedIn", 9, &d), TWIN_OK);
    ck_assert_uint_eq(d, a);  /* freed entry reused */
    ck_assert_uint_eq(twin__intern_find(&t, &p, "partOf", 6), b);
    twin__intern_fini(&t, &fa.alloc);
    twin__strpool_fini(&p, &fa.alloc);
}
END_TEST

/* ---- shared strings ----------------------------------------------------- */

START_TEST(test_strtab_shares_counts_and_frees_with_last_reference)
{
    twin__strtab t;
    const char *a, *b, *c, *d;
    twin__strtab_init(&t, 7);
    ck_assert_ptr_null(twin__strtab_find(&t, "serialNumber", 12));
    ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, "serialNumber", 12, &a), TWIN_OK);
    ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, "rated", 5, &b), TWIN_OK);
    ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, "serialNumberX", 12, &c), TWIN_OK);
    ck_assert_ptr_eq(a, c);  /* by length and bytes, not by the caller's NUL */
    ck_assert_ptr_ne(a, b);
    ck_assert_str_eq(a, "serialNumber");
    ck_assert_uint_eq(t.count, 2);
    ck_assert_uint_eq(twin__strtab_refs(a), 2);
    ck_assert_int_eq(twin__strtab_ref(a), TWIN_OK);
    ck_assert_uint_eq(twin__strtab_refs(a), 3);
    ck_assert_ptr_eq(twin__strtab_find(&t, "serialNumber", 12), a);
    ck_assert_ptr_null(twin__strtab_find(&t, "serial", 6));
    ck_assert_uint_eq(failalloc_block_size(&fa, a - offsetof(twin__sstr, s)),
                      offsetof(twin__sstr, s) + 13);
    twin__strtab_release(&t, &fa.alloc, a);
    twin__strtab_release(&t, &fa.alloc, a);
    ck_assert_ptr_eq(twin__strtab_find(&t, "serialNumber", 12), a);
    twin__strtab_release(&t, &fa.alloc, a);
    ck_assert_ptr_null(twin__strtab_find(&t, "serialNumber", 12));
    ck_assert_uint_eq(t.count, 1);
    ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, "", 0, &d), TWIN_OK);
    ck_assert_str_eq(d, "");
    ck_assert_uint_eq(twin__strtab_hdr(d)->ent, 0);  /* freed entry reused */
    ck_assert_ptr_eq(twin__strtab_find(&t, "rated", 5), b);
    /* saturated count */
    twin__strtab_hdr(b)->refs = UINT32_MAX;
    ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, "rated", 5, &c), TWIN_E_RANGE);
    ck_assert_int_eq(twin__strtab_ref(b), TWIN_E_RANGE);
    twin__strtab_hdr(b)->refs = 1;
    twin__strtab_release(&t, &fa.alloc, b);
    twin__strtab_fini(&t, &fa.alloc);  /* frees "" still held */
}
END_TEST

/* The hinted acquire finds the same strings; a freed string is no hint. */
START_TEST(test_strtab_hints_follow_the_table)
{
    twin__strtab t;
    const char *a, *b, *c, *d;
    char buf[8] = "alpha";
    twin__strtab_init(&t, 5);
    ck_assert_int_eq(twin__strtab_acquire_hint(&t, &fa.alloc, buf, 0, &a), TWIN_OK);
    ck_assert_ptr_eq(t.hint[0], a);
    ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, "alpha", 5, &b), TWIN_OK);
    ck_assert_ptr_eq(a, b);
    memcpy(buf, "alphx", 6);  /* same caller buffer, other contents */
    ck_assert_int_eq(twin__strtab_acquire_hint(&t, &fa.alloc, buf, 0, &c), TWIN_OK);
    ck_assert_ptr_ne(c, a);
    ck_assert_str_eq(c, "alphx");
    ck_assert_int_eq(twin__strtab_acquire_hint(&t, &fa.alloc, "alpha",
                                               TWIN__STRTAB_HINTS + 1, &d), TWIN_OK);
    ck_assert_ptr_eq(d, a);
    ck_assert_uint_eq(twin__strtab_refs(a), 3);
    ck_assert_ptr_eq(t.hint[1], a);
    for (int i = 0; i < 3; i++) twin__strtab_release(&t, &fa.alloc, a);
    ck_assert_ptr_null(t.hint[1]);  /* freed: no longer a hint (ASan: no use after free) */
    ck_assert_ptr_eq(t.hint[0], c);
    ck_assert_int_eq(twin__strtab_acquire_hint(&t, &fa.alloc, "alpha", 1, &a), TWIN_OK);
    ck_assert_str_eq(a, "alpha");
    ck_assert_uint_eq(t.count, 2);
    twin__strtab_release(&t, &fa.alloc, a);
    twin__strtab_release(&t, &fa.alloc, c);
    ck_assert_ptr_null(t.hint[0]);
    ck_assert_ptr_null(t.hint[1]);
    twin__strtab_fini(&t, &fa.alloc);
}
END_TEST

/* Many strings: addresses and contents stay while the index and the entry
 * vector grow; releasing every other one keeps the rest findable. */
START_TEST(test_strtab_addresses_stable_while_growing)
{
    enum { N = 5000 };
    static const char *p[N];
    twin__strtab t;
    char buf[32];
    twin__strtab_init(&t, 99);
    for (int i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof buf, "property-%d", i);
        ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, buf, (size_t)n, &p[i]), TWIN_OK);
    }
    ck_assert_uint_gt(t.ent.nseg, 1);
    for (int i = 0; i < N; i += 2) twin__strtab_release(&t, &fa.alloc, p[i]);
    ck_assert_uint_eq(t.count, N / 2);
    for (int i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof buf, "property-%d", i);
        ck_assert_ptr_eq(twin__strtab_find(&t, buf, (size_t)n), i % 2 ? p[i] : NULL);
        if (i % 2) ck_assert_str_eq(p[i], buf);
    }
    ck_assert_uint_ge(twin__strtab_bytes(&t), (size_t)(N / 2) * (offsetof(twin__sstr, s) + 12));
    for (int i = 1; i < N; i += 2) twin__strtab_release(&t, &fa.alloc, p[i]);
    ck_assert_uint_eq(t.count, 0);
    ck_assert_uint_eq(t.idx.count, 0);
    twin__strtab_fini(&t, &fa.alloc);
}
END_TEST

/* Every allocation of an acquire failing in turn, from tables of every size
 * up to 40 (so that the index and the entry vector each have to grow): no
 * string added, the others still there, nothing leaked. */
START_TEST(test_strtab_acquire_failure_adds_nothing)
{
    char buf[32];
    for (int k = 0; k <= 40; k++) {
        twin__strtab t;
        const char *a = NULL, *b = NULL;
        twin_status st = TWIN_E_NOMEM;
        twin__strtab_init(&t, 3);
        for (int i = 0; i < k; i++) {
            int n = snprintf(buf, sizeof buf, "s%d", i);
            ck_assert_int_eq(twin__strtab_acquire(&t, &fa.alloc, buf, (size_t)n, &a), TWIN_OK);
        }
        for (size_t n = 0; st == TWIN_E_NOMEM; n++) {
            failalloc_arm(&fa, n);
            st = twin__strtab_acquire(&t, &fa.alloc, "newcomer", 8, &b);
            failalloc_disarm(&fa);
            ck_assert(st == TWIN_OK || st == TWIN_E_NOMEM);
            if (st == TWIN_E_NOMEM) {
                ck_assert_uint_eq(t.count, (uint32_t)k);
                ck_assert_ptr_null(twin__strtab_find(&t, "newcomer", 8));
            }
            if (k) ck_assert_ptr_eq(twin__strtab_find(&t, buf, strlen(buf)), a);
            ck_assert_uint_lt(n, 10);
        }
        ck_assert_str_eq(b, "newcomer");
        ck_assert_uint_eq(t.count, (uint32_t)k + 1);
        twin__strtab_fini(&t, &fa.alloc);
        ck_assert_uint_eq(fa.live_bytes, 0);
    }
}
END_TEST

/* ---- graph reclamation ------------------------------------------------- */

static twin_graph *new_graph(void)
{
    twin_graph *g;
    twin_graph_options o;
    twin_graph_options_init(&o);
    o.alloc = &fa.alloc;
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_OK);
    return g;
}

static void long_id(char *buf, unsigned i)
{
    snprintf(buf, 80, "building-7/floor-%03u/room-%05u/cooling-unit", i % 40, i);
}

START_TEST(test_graph_compaction_shrinks_pool_and_keeps_twins)
{
    twin_graph *g = new_graph();
    char id[80];
    twin_cursor c;
    const char *tid, *model;
    uint32_t before;
    size_t seen = 0;

    for (unsigned i = 0; i < 20000; i++) {
        long_id(id, i);
        ck_assert_int_eq(twin_graph_add_twin(g, id, i % 2 ? "dtmi:x:A;1" : "dtmi:x:B;1", NULL, 0),
                         TWIN_OK);
    }
    before = g->pool.bytes.len;
    for (unsigned i = 0; i < 20000; i++) {
        if (i % 4 == 0) continue;
        long_id(id, i);
        ck_assert_int_eq(twin_graph_remove_twin(g, id, 0), TWIN_OK);
    }
    ck_assert_uint_lt(g->pool.bytes.len, before / 2);  /* compacted at least once */
    ck_assert_uint_lt(g->pool.dead * 2, g->pool.bytes.len + 65536);
    for (unsigned i = 0; i < 20000; i++) {
        long_id(id, i);
        ck_assert_int_eq(twin_graph_find_twin(g, id, &model), i % 4 ? TWIN_E_NOTFOUND : TWIN_OK);
        if (i % 4 == 0) ck_assert_str_eq(model, "dtmi:x:B;1");
    }
    ck_assert_int_eq(twin_graph_twins_begin(g, &c), TWIN_OK);
    while (twin_graph_twins_next(g, &c, &tid, NULL) == TWIN_OK) seen++;
    ck_assert_uint_eq(seen, 5000);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_graph_sweep_frees_removed_relationships_in_order)
{
    twin_graph *g = new_graph();
    char rid[32];
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    int expect;

    ck_assert_int_eq(twin_graph_add_twin(g, "a", "m", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "b", "m", NULL, 0), TWIN_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(rid, sizeof rid, "r%d", i);
        ck_assert_int_eq(twin_graph_add_relationship(g, "a", rid, "feeds", "b", NULL, 0), TWIN_OK);
    }
    ck_assert(g->twin_idx.count == 2 && (twin__T(g, 0)->model & TWIN__BIG));
    ck_assert_uint_eq(g->rel_idx.count, 300);
    for (int i = 0; i < 300; i += 3) {
        for (int k = 1; k < 3; k++) {
            snprintf(rid, sizeof rid, "r%d", i + k);
            ck_assert_int_eq(twin_graph_remove_relationship(g, "a", rid), TWIN_OK);
        }
    }
    ck_assert_uint_eq(g->rel_count, 100);
    ck_assert_uint_lt(g->rel_dead, 100);         /* a sweep ran */
    ck_assert_uint_ne(g->rel_free, TWIN__NONE);  /* and freed slots */
    ck_assert_uint_eq(g->rel_idx.count, 100);
    /* Both lists still newest first, with only the survivors. */
    ck_assert_int_eq(twin_graph_relationships_begin(g, &c, "b", TWIN_DIRECTION_INCOMING, NULL),
                     TWIN_OK);
    for (expect = 297; twin_graph_relationships_next(g, &c, &r) == TWIN_OK; expect -= 3) {
        snprintf(rid, sizeof rid, "r%d", expect);
        ck_assert_str_eq(r.id, rid);
    }
    ck_assert_int_eq(expect, -3);
    /* Freed slots are reused and the new relationship is found. */
    ck_assert_int_eq(twin_graph_add_relationship(g, "a", "again", "feeds", "b", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_find_relationship(g, "a", "again", &r), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "a", "r0", "feeds", "b", NULL, 0),
                     TWIN_E_EXISTS);
    twin_graph_destroy(g);
}
END_TEST

/* Objects with more than 16 members take the sorted duplicate check. */
START_TEST(test_graph_large_object_duplicate_member_returns_inval)
{
    twin_graph *g = new_graph();
    twin_member m[40];
    char names[40][16];
    const twin_value *got;
    twin_value v;

    ck_assert_int_eq(twin_graph_add_twin(g, "rack-1", "dtmi:x:Rack;1", NULL, 0), TWIN_OK);
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "slot-%02d", 39 - i);
        m[i].name = names[i];
        m[i].value = twin_value_int(i);
    }
    v = twin_value_object(m, 40);
    ck_assert_int_eq(twin_graph_set_property(g, "rack-1", "slots", &v), TWIN_OK);
    ck_assert_int_eq(twin_graph_get_property(g, "rack-1", "slots", &got), TWIN_OK);
    ck_assert_uint_eq(got->len, 40);
    ck_assert_str_eq(got->as.members[39].name, "slot-00");  /* order kept */
    m[27].name = names[3];                                  /* duplicate "slot-36" */
    ck_assert_int_eq(twin_graph_set_property(g, "rack-1", "slots", &v), TWIN_E_INVAL);
    ck_assert_ptr_nonnull(strstr(twin_graph_last_error(g)->message, "slot-36"));
    ck_assert_int_eq(twin_graph_get_property(g, "rack-1", "slots", &got), TWIN_OK);
    ck_assert_int_eq(got->as.members[27].value.as.i, 27);   /* old value kept */
    /* The same check applies to a twin's top-level properties. */
    ck_assert_int_eq(twin_graph_add_twin(g, "rack-2", "dtmi:x:Rack;1", m, 40), TWIN_E_INVAL);
    ck_assert_int_eq(twin_graph_find_twin(g, "rack-2", NULL), TWIN_E_NOTFOUND);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_graph_large_object_alloc_failure_leaves_value)
{
    twin_graph *g = new_graph();
    twin_member m[20];
    char names[20][16];
    twin_value v, old = twin_value_int(7);
    const twin_value *got;
    twin_status st = TWIN_E_NOMEM;

    ck_assert_int_eq(twin_graph_add_twin(g, "rack", "dtmi:x:Rack;1", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_set_property(g, "rack", "slots", &old), TWIN_OK);
    for (int i = 0; i < 20; i++) {
        snprintf(names[i], sizeof names[i], "s%d", i);
        m[i].name = names[i];
        m[i].value = twin_value_bool(i & 1);
    }
    v = twin_value_object(m, 20);
    for (size_t n = 0; st == TWIN_E_NOMEM; n++) {
        failalloc_arm(&fa, n);
        st = twin_graph_set_property(g, "rack", "slots", &v);
        failalloc_disarm(&fa);
        ck_assert(st == TWIN_OK || st == TWIN_E_NOMEM);
        ck_assert_int_eq(twin_graph_get_property(g, "rack", "slots", &got), TWIN_OK);
        ck_assert_int_eq(got->type, st == TWIN_OK ? TWIN_VALUE_OBJECT : TWIN_VALUE_INT);
    }
    twin_graph_destroy(g);
}
END_TEST

/* A call that fails for lack of memory must not keep a reference to a model
 * or relationship name it interned on the way (invisible through the API). */
START_TEST(test_graph_nomem_add_drops_interned_names)
{
    twin_graph *g = new_graph();
    static const char model[] = "dtmi:x:BrandNewModel;1", name[] = "brandNewName";
    char longid[901];
    twin_status st = TWIN_E_NOMEM;

    /* Long ids make the string pool grow after the name was interned. */
    memset(longid, 'b', 900);
    longid[900] = '\0';
    ck_assert_int_eq(twin_graph_add_twin(g, "a", "dtmi:x:A;1", NULL, 0), TWIN_OK);
    for (size_t n = 0; st == TWIN_E_NOMEM; n++) {
        failalloc_arm(&fa, n);
        st = twin_graph_add_twin(g, longid, model, NULL, 0);
        failalloc_disarm(&fa);
        if (st == TWIN_E_NOMEM)
            ck_assert_uint_eq(twin__intern_find(&g->models, &g->pool, model, strlen(model)),
                              TWIN__NONE);
    }
    ck_assert_int_eq(st, TWIN_OK);
    st = TWIN_E_NOMEM;
    for (size_t n = 0; st == TWIN_E_NOMEM; n++) {
        failalloc_arm(&fa, n);
        st = twin_graph_add_relationship(g, "a", longid, name, longid, NULL, 0);
        failalloc_disarm(&fa);
        if (st == TWIN_E_NOMEM)
            ck_assert_uint_eq(twin__intern_find(&g->names, &g->pool, name, strlen(name)),
                              TWIN__NONE);
    }
    ck_assert_int_eq(st, TWIN_OK);
    ck_assert_uint_eq(twin__intern_at(&g->names, twin__intern_find(&g->names, &g->pool, name,
                                                                   strlen(name)))->refs, 1);
    twin_graph_destroy(g);
}
END_TEST

/* Capacity hints reserve the twin and relationship arrays, the twin index
 * and the string pool up front; filling up to the hints grows none of them. */
START_TEST(test_graph_capacity_hints_reserve_and_do_not_grow)
{
    twin_graph_options o;
    twin_graph *g;
    char id[32], dst[32];
    uint32_t caps[4];

    twin_graph_options_init(&o);
    o.alloc = &fa.alloc;
    o.twin_capacity = 500;
    o.relationship_capacity = 1000;
    o.string_capacity = 500 * 12 + 1000 * 4 + 64;
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_OK);
    ck_assert_uint_ge(g->twins.cap, 500);
    ck_assert_uint_ge(g->rels.cap, 1000);
    ck_assert_uint_ge((uint64_t)(g->twin_idx.mask + 1) * 3, 500 * 4);
    ck_assert_uint_ge(g->pool.bytes.cap, o.string_capacity);
    caps[0] = g->twins.cap;
    caps[1] = g->rels.cap;
    caps[2] = g->twin_idx.mask;
    caps[3] = g->pool.bytes.cap;
    for (unsigned i = 0; i < 500; i++) {
        snprintf(id, sizeof id, "unit-%06u", i);            /* 11 bytes + NUL */
        ck_assert_int_eq(twin_graph_add_twin(g, id, "m", NULL, 0), TWIN_OK);
    }
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "unit-%06u", i / 2);
        snprintf(dst, sizeof dst, "unit-%06u", (i * 7) % 500);
        ck_assert_int_eq(twin_graph_add_relationship(g, id, i % 2 ? "r1" : "r0", "feeds", dst,
                                                     NULL, 0), TWIN_OK);  /* 3 bytes */
    }
    ck_assert_uint_eq(g->twins.cap, caps[0]);
    ck_assert_uint_eq(g->rels.cap, caps[1]);
    ck_assert_uint_eq(g->twin_idx.mask, caps[2]);
    ck_assert_uint_eq(g->pool.bytes.cap, caps[3]);
    twin_graph_destroy(g);
    /* Without hints the same arrays start small. */
    twin_graph_options_init(&o);
    o.alloc = &fa.alloc;
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_OK);
    ck_assert_uint_eq(g->twins.cap + g->rels.cap + g->pool.bytes.cap, 0);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_graph_capacity_hints_nomem_fails_create_without_leak)
{
    twin_graph_options o;
    twin_graph *g = (twin_graph *)&o;
    twin_status st = TWIN_E_NOMEM;
    twin_graph_options_init(&o);
    o.alloc = &fa.alloc;
    o.twin_capacity = 5000;
    o.relationship_capacity = 9000;
    o.string_capacity = 100000;
    for (size_t n = 0; st == TWIN_E_NOMEM; n++) {
        failalloc_arm(&fa, n);
        st = twin_graph_create(&g, &o);
        failalloc_disarm(&fa);
        ck_assert(st == TWIN_OK || st == TWIN_E_NOMEM);
        if (st == TWIN_E_NOMEM) {
            ck_assert_ptr_null(g);
            ck_assert_uint_eq(fa.live_bytes, 0);
        }
    }
    twin_graph_destroy(g);
    o.reserved_ = 1;
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_E_INVAL);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("utf8_hash");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_utf8_check_valid_inputs_pass);
    tcase_add_test(tc, test_utf8_check_invalid_inputs_report_offset);
    tcase_add_test(tc, test_hash_similar_keys_spread_over_buckets);
    tcase_add_test(tc, test_format_matches_snprintf_for_supported_conversions);
    tcase_add_test(tc, test_format_copies_unsupported_conversions_without_reading_arguments);
    suite_add_tcase(s, tc);
    tc = tcase_create("containers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_segvec_many_elements_keep_values_across_segments);
    tcase_add_test(tc, test_segvec_reserve_failure_keeps_contents);
    tcase_add_test(tc, test_strpool_strings_never_straddle_segments);
    tcase_add_test(tc, test_index_random_ops_match_reference);
    tcase_add_test(tc, test_intern_counts_references_and_reuses_entries);
    tcase_add_test(tc, test_strtab_shares_counts_and_frees_with_last_reference);
    tcase_add_test(tc, test_strtab_addresses_stable_while_growing);
    tcase_add_test(tc, test_strtab_hints_follow_the_table);
    tcase_add_test(tc, test_strtab_acquire_failure_adds_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("graph_reclaim");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_graph_compaction_shrinks_pool_and_keeps_twins);
    tcase_add_test(tc, test_graph_sweep_frees_removed_relationships_in_order);
    tcase_add_test(tc, test_graph_large_object_duplicate_member_returns_inval);
    tcase_add_test(tc, test_graph_large_object_alloc_failure_leaves_value);
    tcase_add_test(tc, test_graph_nomem_add_drops_interned_names);
    tcase_add_test(tc, test_graph_capacity_hints_reserve_and_do_not_grow);
    tcase_add_test(tc, test_graph_capacity_hints_nomem_fails_create_without_leak);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(util_suite());
}
