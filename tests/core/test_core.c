/* Unit tests of the core module: status strings, version, allocators,
 * arena, options and graph creation. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "support/failalloc.h"
#include "support/graphsnap.h"
#include "support/run.h"

static const twin_status all_codes[] = {
    TWIN_OK, TWIN_DONE, TWIN_E_NOMEM, TWIN_E_INVAL, TWIN_E_NOTFOUND,
    TWIN_E_EXISTS, TWIN_E_RANGE, TWIN_E_PARSE, TWIN_E_ABI, TWIN_E_CONSTRAINT,
    TWIN_E_MODIFIED, TWIN_E_STATE, TWIN_E_IO, TWIN_E_BUSY,
};
#define NCODES (sizeof all_codes / sizeof all_codes[0])

/* ---- twin_strerror -------------------------------------------------------- */

START_TEST(test_strerror_known_codes_distinct_nonempty)
{
    size_t i, j;
    for (i = 0; i < NCODES; i++) {
        const char *s = twin_strerror(all_codes[i]);
        ck_assert_ptr_nonnull(s);
        ck_assert_msg(s[0] != '\0', "code %d has an empty string", all_codes[i]);
        ck_assert_msg(strcmp(s, "unknown status") != 0, "code %d is unknown",
                      all_codes[i]);
        for (j = 0; j < i; j++)
            ck_assert_msg(strcmp(s, twin_strerror(all_codes[j])) != 0,
                          "codes %d and %d share \"%s\"", all_codes[i],
                          all_codes[j], s);
    }
}
END_TEST

START_TEST(test_strerror_unknown_code_returns_unknown_status)
{
    static const int unknown[] = {2, 3, 100, -13, -100, INT32_MAX, INT32_MIN};
    size_t i;
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = twin_strerror((twin_status)unknown[i]);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s, "unknown status");
    }
}
END_TEST

/* ---- version -------------------------------------------------------------- */

START_TEST(test_version_string_matches_header)
{
    char expect[64];
    ck_assert_ptr_nonnull(twin_version());
    ck_assert_str_eq(twin_version(), TWIN_VERSION_STRING);
    snprintf(expect, sizeof expect, "%d.%d.%d", TWIN_VERSION_MAJOR,
             TWIN_VERSION_MINOR, TWIN_VERSION_PATCH);
    ck_assert_str_eq(twin_version(), expect);
}
END_TEST

START_TEST(test_version_number_matches_header)
{
    ck_assert_uint_eq(twin_version_number(), TWIN_VERSION_NUMBER);
    ck_assert_uint_eq(twin_version_number(),
                      TWIN_VERSION_MAJOR * 10000u + TWIN_VERSION_MINOR * 100u +
                          TWIN_VERSION_PATCH);
}
END_TEST

/* ---- twin_allocator_default ----------------------------------------------- */

START_TEST(test_allocator_default_fields_complete)
{
    const twin_allocator *a = twin_allocator_default();
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->size, sizeof(twin_allocator));
    ck_assert_uint_eq(a->reserved_, 0);
    ck_assert_ptr_nonnull((void *)(uintptr_t)a->alloc);
    ck_assert_ptr_nonnull((void *)(uintptr_t)a->realloc);
    ck_assert_ptr_nonnull((void *)(uintptr_t)a->free);
    ck_assert_ptr_eq(twin_allocator_default(), a);
}
END_TEST

START_TEST(test_allocator_default_realloc_preserves_contents)
{
    const twin_allocator *a = twin_allocator_default();
    unsigned char *p = a->alloc(a->ud, 100), *q;
    size_t i;
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % _Alignof(max_align_t), 0);
    for (i = 0; i < 100; i++) p[i] = (unsigned char)i;
    q = a->realloc(a->ud, p, 100, 100000);
    ck_assert_ptr_nonnull(q);
    for (i = 0; i < 100; i++) ck_assert_uint_eq(q[i], i);
    a->free(a->ud, q, 100000);
}
END_TEST

/* ---- twin_graph_options_init_ --------------------------------------------- */

START_TEST(test_options_init_null_returns_inval)
{
    ck_assert_int_eq(twin_graph_options_init_(NULL, sizeof(twin_graph_options)),
                     TWIN_E_INVAL);
}
END_TEST

START_TEST(test_options_init_larger_size_returns_abi)
{
    twin_graph_options o[2];
    ck_assert_int_eq(twin_graph_options_init_(o, sizeof o[0] + 8), TWIN_E_ABI);
}
END_TEST

START_TEST(test_options_init_sets_defaults)
{
    twin_graph_options o;
    memset(&o, 0xab, sizeof o);
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert_uint_eq(o.flags, 0);
    ck_assert_ptr_null(o.alloc);
    ck_assert_ptr_null(o.validator);
}
END_TEST

/* A caller built against an older, shorter struct: the library must not
 * write past the size the caller passed. */
START_TEST(test_options_init_smaller_size_writes_within_size)
{
    union {
        twin_graph_options o;
        unsigned char b[sizeof(twin_graph_options)];
    } u;
    size_t small = offsetof(twin_graph_options, validator), i;
    memset(u.b, 0x5a, sizeof u.b);
    ck_assert_int_eq(twin_graph_options_init_(&u.o, small), TWIN_OK);
    for (i = small; i < sizeof u.b; i++)
        ck_assert_msg(u.b[i] == 0x5a, "byte %zu past size %zu was written", i, small);
}
END_TEST

/* ---- twin_graph_create / destroy ------------------------------------------ */

START_TEST(test_graph_create_null_out_returns_inval)
{
    ck_assert_int_eq(twin_graph_create(NULL, NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_graph_create_null_opts_makes_empty_graph)
{
    twin_graph *g = NULL;
    const twin_error *e;
    ck_assert_int_eq(twin_graph_create(&g, NULL), TWIN_OK);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(twin_graph_twin_count(g), 0);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 0);
    e = twin_graph_last_error(g);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, TWIN_OK);
    ck_assert_ptr_nonnull(e->message);
    ck_assert_str_eq(e->message, "");
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_graph_create_opts_size_too_big_returns_abi)
{
    twin_graph_options o[2];
    twin_graph *g = (twin_graph *)(void *)o;
    ck_assert_int_eq(twin_graph_options_init(&o[0]), TWIN_OK);
    o[0].size = sizeof o[0] + 8;
    memset(&o[1], 0, sizeof o[1]);
    ck_assert_int_eq(twin_graph_create(&g, &o[0]), TWIN_E_ABI);
    ck_assert_ptr_null(g);
}
END_TEST

START_TEST(test_graph_create_allocator_size_too_big_returns_abi)
{
    twin_allocator a[2];
    twin_graph_options o;
    twin_graph *g = (twin_graph *)(void *)&o;
    a[0] = *twin_allocator_default();
    memset(&a[1], 0, sizeof a[1]);
    a[0].size = sizeof a[0] + 8;
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    o.alloc = &a[0];
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_E_ABI);
    ck_assert_ptr_null(g);
}
END_TEST

START_TEST(test_graph_create_allocator_missing_function_returns_inval)
{
    int which;
    for (which = 0; which < 3; which++) {
        twin_allocator a = *twin_allocator_default();
        twin_graph_options o;
        twin_graph *g = (twin_graph *)(void *)&o;
        if (which == 0) a.alloc = NULL;
        if (which == 1) a.realloc = NULL;
        if (which == 2) a.free = NULL;
        ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
        o.alloc = &a;
        ck_assert_msg(twin_graph_create(&g, &o) == TWIN_E_INVAL,
                      "function %d missing was accepted", which);
        ck_assert_ptr_null(g);
    }
}
END_TEST

/* flags is "Reserved, zero": anything else is an invalid option. */
START_TEST(test_graph_create_nonzero_flags_returns_inval)
{
    twin_graph_options o;
    twin_graph *g = (twin_graph *)(void *)&o;
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    o.flags = 1;
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_E_INVAL);
    ck_assert_ptr_null(g);
}
END_TEST

START_TEST(test_graph_create_validator_size_too_big_returns_abi)
{
    twin_graph_validator v[2];
    twin_graph_options o;
    twin_graph *g = (twin_graph *)(void *)&o;
    memset(v, 0, sizeof v);
    v[0].size = sizeof v[0] + 8;
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    o.validator = &v[0];
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_E_ABI);
    ck_assert_ptr_null(g);
}
END_TEST

START_TEST(test_graph_create_custom_allocator_used_and_released)
{
    failalloc fa;
    twin_graph *g;
    failalloc_init(&fa);
    g = graph_new(&fa.alloc);
    ck_assert_uint_gt(fa.live_blocks, 0);
    ck_assert_int_eq(twin_graph_add_twin(g, "a", "dtmi:x;1", NULL, 0), TWIN_OK);
    twin_graph_destroy(g);
    ck_assert_uint_eq(fa.live_bytes, 0);
    ck_assert_uint_eq(fa.live_blocks, 0);
    failalloc_fini(&fa);
}
END_TEST

START_TEST(test_graph_destroy_null_is_noop)
{
    twin_graph_destroy(NULL);
}
END_TEST

/* ---- arena ---------------------------------------------------------------- */

static twin_arena arena;
static twin_allocator arena_alloc;
static unsigned char *arena_buf;
#define ARENA_CAP 4096

static void arena_setup(void)
{
    /* +1: an unaligned buffer, which the arena must accept. */
    arena_buf = malloc(ARENA_CAP + 1);
    ck_assert_ptr_nonnull(arena_buf);
    ck_assert_int_eq(twin_arena_init(&arena, arena_buf + 1, ARENA_CAP, &arena_alloc),
                     TWIN_OK);
}

static void arena_teardown(void)
{
    free(arena_buf);
    arena_buf = NULL;
}

static void *aalloc(size_t n)
{
    return arena_alloc.alloc(arena_alloc.ud, n);
}

START_TEST(test_arena_init_null_argument_returns_inval_writes_nothing)
{
    unsigned char buf[64];
    twin_arena a, a0;
    twin_allocator out, out0;
    memset(&a, 0x77, sizeof a);
    memset(&out, 0x77, sizeof out);
    a0 = a;
    out0 = out;
    ck_assert_int_eq(twin_arena_init(NULL, buf, sizeof buf, &out), TWIN_E_INVAL);
    ck_assert_int_eq(twin_arena_init(&a, NULL, sizeof buf, &out), TWIN_E_INVAL);
    ck_assert_int_eq(twin_arena_init(&a, buf, sizeof buf, NULL), TWIN_E_INVAL);
    ck_assert_int_eq(memcmp(&a, &a0, sizeof a), 0);
    ck_assert_int_eq(memcmp(&out, &out0, sizeof out), 0);
}
END_TEST

START_TEST(test_arena_init_fills_allocator_table)
{
    ck_assert_uint_eq(arena_alloc.size, sizeof(twin_allocator));
    ck_assert_ptr_eq(arena_alloc.ud, &arena);
    ck_assert_ptr_nonnull((void *)(uintptr_t)arena_alloc.alloc);
    ck_assert_ptr_nonnull((void *)(uintptr_t)arena_alloc.realloc);
    ck_assert_ptr_nonnull((void *)(uintptr_t)arena_alloc.free);
}
END_TEST

START_TEST(test_arena_alloc_unaligned_buffer_gives_16_byte_aligned_blocks)
{
    static const size_t sizes[] = {1, 3, 16, 17, 33, 100, 7};
    unsigned char *prev = NULL;
    size_t i, prev_n = 0;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = aalloc(sizes[i]);
        ck_assert_ptr_nonnull(p);
        ck_assert_msg((uintptr_t)p % 16 == 0, "block %zu at %p not aligned", i, (void *)p);
        ck_assert_msg(p >= arena_buf + 1 && p + sizes[i] <= arena_buf + 1 + ARENA_CAP,
                      "block %zu outside the buffer", i);
        if (prev) ck_assert_msg(p >= prev + prev_n, "block %zu overlaps the previous", i);
        memset(p, (int)i, sizes[i]);
        prev = p;
        prev_n = sizes[i];
    }
}
END_TEST

START_TEST(test_arena_used_includes_padding)
{
    size_t u0 = twin_arena_used(&arena);
    unsigned char *p = aalloc(1), *q = aalloc(1);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_ge(twin_arena_used(&arena) - u0, (size_t)(q - p) + 1);
}
END_TEST

START_TEST(test_arena_alloc_exhausted_returns_null)
{
    size_t total = 0, used;
    int i;
    for (i = 0; i < 10000; i++) {
        if (!aalloc(100)) break;
        total += 100;
    }
    ck_assert_int_lt(i, 10000);
    ck_assert_uint_le(total, ARENA_CAP);
    ck_assert_uint_le(twin_arena_used(&arena), ARENA_CAP);
    used = twin_arena_used(&arena);
    ck_assert_ptr_null(aalloc(100));
    ck_assert_uint_eq(twin_arena_used(&arena), used);
}
END_TEST

START_TEST(test_arena_alloc_larger_than_cap_returns_null)
{
    size_t u0 = twin_arena_used(&arena);
    ck_assert_ptr_null(aalloc(ARENA_CAP + 1));
    ck_assert_ptr_null(aalloc(SIZE_MAX));
    ck_assert_ptr_null(aalloc(SIZE_MAX - 8));
    ck_assert_uint_eq(twin_arena_used(&arena), u0);
}
END_TEST

START_TEST(test_arena_free_last_block_reclaims_it)
{
    size_t u0 = twin_arena_used(&arena);
    void *p = aalloc(100), *q;
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_gt(twin_arena_used(&arena), u0);
    arena_alloc.free(arena_alloc.ud, p, 100);
    ck_assert_uint_eq(twin_arena_used(&arena), u0);
    q = aalloc(100);
    ck_assert_ptr_eq(q, p);
}
END_TEST

START_TEST(test_arena_free_older_block_keeps_used)
{
    void *p = aalloc(100), *q = aalloc(100);
    size_t u;
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(q);
    u = twin_arena_used(&arena);
    arena_alloc.free(arena_alloc.ud, p, 100);
    ck_assert_uint_eq(twin_arena_used(&arena), u);
}
END_TEST

START_TEST(test_arena_realloc_last_block_grows_in_place)
{
    unsigned char *p = aalloc(32), *q;
    size_t u, i;
    ck_assert_ptr_nonnull(p);
    for (i = 0; i < 32; i++) p[i] = (unsigned char)(i + 1);
    u = twin_arena_used(&arena);
    q = arena_alloc.realloc(arena_alloc.ud, p, 32, 500);
    ck_assert_ptr_eq(q, p);
    ck_assert_uint_gt(twin_arena_used(&arena), u);
    for (i = 0; i < 32; i++) ck_assert_uint_eq(q[i], i + 1);
}
END_TEST

START_TEST(test_arena_realloc_older_block_moves_and_copies)
{
    unsigned char *p = aalloc(32), *other = aalloc(16), *q;
    size_t i;
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(other);
    for (i = 0; i < 32; i++) p[i] = (unsigned char)(0xa0 + i);
    memset(other, 0x11, 16);
    q = arena_alloc.realloc(arena_alloc.ud, p, 32, 64);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p);
    ck_assert_uint_eq((uintptr_t)q % 16, 0);
    for (i = 0; i < 32; i++) ck_assert_uint_eq(q[i], 0xa0 + i);
    for (i = 0; i < 16; i++) ck_assert_uint_eq(other[i], 0x11);
}
END_TEST

START_TEST(test_arena_realloc_beyond_cap_returns_null_block_intact)
{
    unsigned char *p = aalloc(32);
    size_t u;
    ck_assert_ptr_nonnull(p);
    memset(p, 0x42, 32);
    u = twin_arena_used(&arena);
    ck_assert_ptr_null(arena_alloc.realloc(arena_alloc.ud, p, 32, ARENA_CAP * 2));
    ck_assert_uint_eq(twin_arena_used(&arena), u);
    ck_assert_uint_eq(p[0], 0x42);
    ck_assert_uint_eq(p[31], 0x42);
}
END_TEST

START_TEST(test_arena_peak_tracks_highest_used)
{
    size_t u0 = twin_arena_used(&arena), high;
    void *p = aalloc(1000);
    ck_assert_ptr_nonnull(p);
    high = twin_arena_used(&arena);
    ck_assert_uint_ge(twin_arena_peak(&arena), high);
    arena_alloc.free(arena_alloc.ud, p, 1000);
    ck_assert_uint_eq(twin_arena_used(&arena), u0);
    ck_assert_uint_eq(twin_arena_peak(&arena), high);
    ck_assert_ptr_nonnull(aalloc(10));
    ck_assert_uint_eq(twin_arena_peak(&arena), high);
}
END_TEST

START_TEST(test_arena_reset_frees_everything)
{
    size_t u0 = twin_arena_used(&arena);
    void *first = aalloc(50);
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(aalloc(500));
    ck_assert_ptr_nonnull(aalloc(1000));
    twin_arena_reset(&arena);
    ck_assert_uint_eq(twin_arena_used(&arena), u0);
    ck_assert_ptr_eq(aalloc(50), first);
}
END_TEST

START_TEST(test_arena_null_handle_queries_return_zero)
{
    ck_assert_uint_eq(twin_arena_used(NULL), 0);
    ck_assert_uint_eq(twin_arena_peak(NULL), 0);
    twin_arena_reset(NULL);
}
END_TEST

START_TEST(test_arena_graph_growth_past_capacity_returns_nomem)
{
    static unsigned char buf[64 * 1024];
    twin_arena a;
    twin_allocator al;
    twin_graph *g;
    char id[32];
    int i, added = 0;
    twin_status st = TWIN_OK;
    twin_member m[1];
    ck_assert_int_eq(twin_arena_init(&a, buf, sizeof buf, &al), TWIN_OK);
    g = graph_new(&al);
    m[0].name = "description";
    m[0].value = twin_value_string("a reasonably long property value to fill the arena");
    for (i = 0; i < 100000; i++) {
        snprintf(id, sizeof id, "twin-%d", i);
        st = twin_graph_add_twin(g, id, "dtmi:com:example:Pump;1", m, 1);
        if (st != TWIN_OK) break;
        added++;
    }
    ck_assert_int_eq(st, TWIN_E_NOMEM);
    ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_NOMEM);
    ck_assert_uint_eq(twin_graph_twin_count(g), (size_t)added);
    ck_assert_int_eq(twin_graph_find_twin(g, id, NULL), TWIN_E_NOTFOUND);
    for (i = 0; i < added; i++) {
        const twin_value *v;
        snprintf(id, sizeof id, "twin-%d", i);
        ck_assert_int_eq(twin_graph_get_property(g, id, "description", &v), TWIN_OK);
    }
    ck_assert_uint_le(twin_arena_peak(&a), sizeof buf);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_arena_small_graph_lives_in_one_mib)
{
    static unsigned char buf[1024 * 1024];
    twin_arena a;
    twin_allocator al;
    twin_graph *g;
    char id[32], src[32], dst[32];
    int i;
    ck_assert_int_eq(twin_arena_init(&a, buf, sizeof buf, &al), TWIN_OK);
    g = graph_new(&al);
    for (i = 0; i < 50; i++) {
        twin_value arr[2] = {twin_value_int(i), twin_value_string("x")};
        twin_member m[2];
        m[0].name = "rpm";
        m[0].value = twin_value_double(i * 1.5);
        m[1].name = "tags";
        m[1].value = twin_value_array(arr, 2);
        snprintf(id, sizeof id, "pump-%d", i);
        ASSERT_OK(g, twin_graph_add_twin(g, id, "dtmi:com:example:Pump;1", m, 2));
    }
    for (i = 0; i < 100; i++) {
        twin_member m[1];
        m[0].name = "weight";
        m[0].value = twin_value_int(i);
        snprintf(src, sizeof src, "pump-%d", i % 50);
        snprintf(dst, sizeof dst, "pump-%d", (i * 7 + 1) % 50);
        snprintf(id, sizeof id, "r%d", i);
        ASSERT_OK(g, twin_graph_add_relationship(g, src, id, "feeds", dst, m, 1));
    }
    ck_assert_uint_gt(twin_arena_used(&a), 0);
    ck_assert_uint_le(twin_arena_peak(&a), sizeof buf);
    ck_assert_uint_eq(twin_graph_twin_count(g), 50);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 100);
    for (i = 0; i < 50; i++) {
        const twin_value *v;
        snprintf(id, sizeof id, "pump-%d", i);
        ck_assert_int_eq(twin_graph_get_property(g, id, "rpm", &v), TWIN_OK);
        ck_assert(v->type == TWIN_VALUE_DOUBLE && v->as.d == i * 1.5);
    }
    for (i = 0; i < 100; i++) {
        twin_relationship r = TWIN_RELATIONSHIP_INIT;
        snprintf(src, sizeof src, "pump-%d", i % 50);
        snprintf(dst, sizeof dst, "pump-%d", (i * 7 + 1) % 50);
        snprintf(id, sizeof id, "r%d", i);
        ck_assert_int_eq(twin_graph_find_relationship(g, src, id, &r), TWIN_OK);
        ck_assert_str_eq(r.target_id, dst);
        ck_assert_uint_eq(r.property_count, 1);
        ck_assert_int_eq(r.properties[0].value.as.i, i);
    }
    twin_graph_destroy(g);
    twin_arena_reset(&a);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc;

    tc = tcase_create("strerror");
    tcase_add_test(tc, test_strerror_known_codes_distinct_nonempty);
    tcase_add_test(tc, test_strerror_unknown_code_returns_unknown_status);
    suite_add_tcase(s, tc);

    tc = tcase_create("version");
    tcase_add_test(tc, test_version_string_matches_header);
    tcase_add_test(tc, test_version_number_matches_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("allocator_default");
    tcase_add_test(tc, test_allocator_default_fields_complete);
    tcase_add_test(tc, test_allocator_default_realloc_preserves_contents);
    suite_add_tcase(s, tc);

    tc = tcase_create("options");
    tcase_add_test(tc, test_options_init_null_returns_inval);
    tcase_add_test(tc, test_options_init_larger_size_returns_abi);
    tcase_add_test(tc, test_options_init_sets_defaults);
    tcase_add_test(tc, test_options_init_smaller_size_writes_within_size);
    suite_add_tcase(s, tc);

    tc = tcase_create("create");
    tcase_add_test(tc, test_graph_create_null_out_returns_inval);
    tcase_add_test(tc, test_graph_create_null_opts_makes_empty_graph);
    tcase_add_test(tc, test_graph_create_opts_size_too_big_returns_abi);
    tcase_add_test(tc, test_graph_create_allocator_size_too_big_returns_abi);
    tcase_add_test(tc, test_graph_create_allocator_missing_function_returns_inval);
    tcase_add_test(tc, test_graph_create_nonzero_flags_returns_inval);
    tcase_add_test(tc, test_graph_create_validator_size_too_big_returns_abi);
    tcase_add_test(tc, test_graph_create_custom_allocator_used_and_released);
    tcase_add_test(tc, test_graph_destroy_null_is_noop);
    suite_add_tcase(s, tc);

    tc = tcase_create("arena");
    tcase_add_checked_fixture(tc, arena_setup, arena_teardown);
    tcase_add_test(tc, test_arena_init_null_argument_returns_inval_writes_nothing);
    tcase_add_test(tc, test_arena_init_fills_allocator_table);
    tcase_add_test(tc, test_arena_alloc_unaligned_buffer_gives_16_byte_aligned_blocks);
    tcase_add_test(tc, test_arena_used_includes_padding);
    tcase_add_test(tc, test_arena_alloc_exhausted_returns_null);
    tcase_add_test(tc, test_arena_alloc_larger_than_cap_returns_null);
    tcase_add_test(tc, test_arena_free_last_block_reclaims_it);
    tcase_add_test(tc, test_arena_free_older_block_keeps_used);
    tcase_add_test(tc, test_arena_realloc_last_block_grows_in_place);
    tcase_add_test(tc, test_arena_realloc_older_block_moves_and_copies);
    tcase_add_test(tc, test_arena_realloc_beyond_cap_returns_null_block_intact);
    tcase_add_test(tc, test_arena_peak_tracks_highest_used);
    tcase_add_test(tc, test_arena_reset_frees_everything);
    tcase_add_test(tc, test_arena_null_handle_queries_return_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("arena_graph");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_arena_graph_growth_past_capacity_returns_nomem);
    tcase_add_test(tc, test_arena_small_graph_lives_in_one_mib);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(core_suite());
}
