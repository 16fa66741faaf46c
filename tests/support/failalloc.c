/* Counting, failure-injecting allocator for tests; see failalloc.h. */
#include "failalloc.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define POISON_FREED 0xdd
#define POISON_NEW 0xcd

static size_t slot_of(const failalloc *fa, const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h & (fa->tab_cap - 1);
}

static size_t find_slot(const failalloc *fa, const void *p)
{
    size_t i = slot_of(fa, p);
    while (fa->tab[i].p && fa->tab[i].p != p) i = (i + 1) & (fa->tab_cap - 1);
    return i;
}

static void table_put(failalloc *fa, void *p, size_t n);

static void table_grow(failalloc *fa)
{
    failalloc_block *old = fa->tab;
    size_t old_cap = fa->tab_cap, i;
    fa->tab_cap = old_cap ? old_cap * 2 : 256;
    fa->tab = calloc(fa->tab_cap, sizeof *fa->tab);
    if (!fa->tab) ck_abort_msg("failalloc: out of memory for its own table");
    for (i = 0; i < old_cap; i++)
        if (old[i].p) fa->tab[find_slot(fa, old[i].p)] = old[i];
    free(old);
}

static void table_put(failalloc *fa, void *p, size_t n)
{
    size_t i;
    if ((fa->live_blocks + 1) * 2 > fa->tab_cap) table_grow(fa);
    i = find_slot(fa, p);
    if (fa->tab[i].p) ck_abort_msg("failalloc: malloc returned a live pointer");
    fa->tab[i].p = p;
    fa->tab[i].n = n;
    fa->live_blocks++;
    fa->live_bytes += n;
    if (fa->live_bytes > fa->peak_bytes) fa->peak_bytes = fa->live_bytes;
}

/* Remove live block p of n bytes; abort the test on a bad pointer or size. */
static void table_take(failalloc *fa, void *p, size_t n, const char *what)
{
    size_t i, j, mask = fa->tab_cap - 1;
    if (!p) ck_abort_msg("failalloc: %s of a NULL pointer", what);
    if (fa->tab_cap == 0 || !fa->tab[i = find_slot(fa, p)].p)
        ck_abort_msg("failalloc: %s of unknown pointer %p (double free, or "
                     "not allocated by this allocator)", what, p);
    if (fa->tab[i].n != n)
        ck_abort_msg("failalloc: %s of %p with size %zu, but it was allocated "
                     "with size %zu", what, p, n, fa->tab[i].n);
    fa->tab[i].p = NULL;
    fa->live_blocks--;
    fa->live_bytes -= n;
    /* Backward-shift deletion keeps linear probing chains intact. */
    j = i;
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (!fa->tab[j].p) break;
        home = slot_of(fa, fa->tab[j].p);
        /* Move j into the hole at i unless its home lies in (i, j]. */
        if ((i <= j) ? (home <= i || home > j) : (home <= i && home > j)) {
            fa->tab[i] = fa->tab[j];
            fa->tab[j].p = NULL;
            i = j;
        }
    }
}

/* Count one alloc/realloc call; nonzero when this call must fail. */
static int should_fail(failalloc *fa)
{
    size_t k = fa->since_arm++;
    fa->calls++;
    if (fa->fail_all) {
        fa->failures++;
        return 1;
    }
    if (fa->armed && k == fa->fail_at) {
        fa->armed = 0;
        fa->triggered = 1;
        fa->failures++;
        return 1;
    }
    return 0;
}

static void *fa_alloc(void *ud, size_t n)
{
    failalloc *fa = ud;
    void *p;
    if (n == 0) ck_abort_msg("failalloc: alloc of 0 bytes (the API promises n > 0)");
    if (should_fail(fa)) return NULL;
    p = malloc(n);
    if (!p) ck_abort_msg("failalloc: malloc(%zu) failed", n);
    memset(p, POISON_NEW, n);
    table_put(fa, p, n);
    return p;
}

static void *fa_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    failalloc *fa = ud;
    void *q;
    if (new_n == 0)
        ck_abort_msg("failalloc: realloc to 0 bytes (the API promises new_n > 0)");
    if (!p || fa->tab_cap == 0 || !fa->tab[find_slot(fa, p)].p)
        ck_abort_msg("failalloc: realloc of unknown pointer %p", p);
    if (fa->tab[find_slot(fa, p)].n != old_n)
        ck_abort_msg("failalloc: realloc of %p with old size %zu, but it was "
                     "allocated with size %zu", p, old_n,
                     fa->tab[find_slot(fa, p)].n);
    if (should_fail(fa)) return NULL;
    /* Always move, so code keeping the old pointer is caught. */
    q = malloc(new_n);
    if (!q) ck_abort_msg("failalloc: malloc(%zu) failed", new_n);
    memcpy(q, p, old_n < new_n ? old_n : new_n);
    if (new_n > old_n) memset((unsigned char *)q + old_n, POISON_NEW, new_n - old_n);
    table_take(fa, p, old_n, "realloc");
    memset(p, POISON_FREED, old_n);
    free(p);
    table_put(fa, q, new_n);
    return q;
}

static void fa_free(void *ud, void *p, size_t n)
{
    failalloc *fa = ud;
    table_take(fa, p, n, "free");
    fa->frees++;
    memset(p, POISON_FREED, n);
    free(p);
}

void failalloc_init(failalloc *fa)
{
    memset(fa, 0, sizeof *fa);
    fa->alloc.size = sizeof fa->alloc;
    fa->alloc.alloc = fa_alloc;
    fa->alloc.realloc = fa_realloc;
    fa->alloc.free = fa_free;
    fa->alloc.ud = fa;
}

void failalloc_fini(failalloc *fa)
{
    size_t i;
    for (i = 0; i < fa->tab_cap; i++) free(fa->tab[i].p);
    free(fa->tab);
    fa->tab = NULL;
    fa->tab_cap = 0;
}

void failalloc_arm(failalloc *fa, size_t n)
{
    fa->armed = 1;
    fa->fail_at = n;
    fa->since_arm = 0;
    fa->triggered = 0;
}

void failalloc_disarm(failalloc *fa)
{
    fa->armed = 0;
}

void failalloc_fail_all(failalloc *fa, int on)
{
    fa->fail_all = on;
}

int failalloc_should_fail(failalloc *fa)
{
    return should_fail(fa);
}

int failalloc_triggered(const failalloc *fa)
{
    return fa->triggered;
}

size_t failalloc_block_size(const failalloc *fa, const void *p)
{
    size_t i;
    if (!p || fa->tab_cap == 0) return 0;
    i = find_slot(fa, p);
    return fa->tab[i].p ? fa->tab[i].n : 0;
}
