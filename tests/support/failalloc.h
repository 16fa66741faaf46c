/* A counting, failure-injecting twin_allocator for tests.
 *
 * Every block the library holds is tracked by pointer with the size it was
 * allocated with. free() and realloc() abort the running test
 * (ck_abort_msg) when the pointer is unknown (never allocated, or already
 * freed) or when the size the library passes back differs from the size of
 * the block. realloc() always moves the block (and scribbles over the old
 * one) so that stale pointers are caught by the sanitizers.
 *
 * The allocator can be armed to fail one allocation: failalloc_arm(fa, n)
 * makes the n-th call (0-based, counting alloc and realloc calls made after
 * the arm) return NULL; a failed realloc leaves its block intact. Only that
 * one call fails; later calls succeed again.
 *
 * All state lives in the failalloc struct, which is the allocator's ud: it
 * must not move between failalloc_init() and failalloc_fini().
 */
#ifndef TWIN_TESTS_FAILALLOC_H
#define TWIN_TESTS_FAILALLOC_H

#include <stddef.h>

#include "twin/twin.h"

typedef struct failalloc_block {
    void *p;   /* NULL: empty slot */
    size_t n;  /* size the block was allocated with */
} failalloc_block;

typedef struct failalloc {
    twin_allocator alloc;  /* give &fa.alloc to the library; ud is &fa */

    size_t live_bytes;     /* bytes currently allocated */
    size_t live_blocks;    /* blocks currently allocated */
    size_t peak_bytes;     /* highest live_bytes seen */
    size_t calls;          /* alloc + realloc calls since init */
    size_t frees;          /* free calls since init */
    size_t failures;       /* allocations made to fail since init */

    int armed;             /* nonzero: a failure is pending */
    size_t fail_at;        /* index of the call (since arm) that fails */
    size_t since_arm;      /* alloc + realloc calls since the last arm */
    int triggered;         /* nonzero: the armed failure happened */
    int fail_all;          /* nonzero: every alloc/realloc call fails */

    failalloc_block *tab;  /* open-addressing table of live blocks */
    size_t tab_cap;        /* power of two */
} failalloc;

/* Initialise @p fa: counters zero, disarmed, fa->alloc ready to use. */
void failalloc_init(failalloc *fa);

/* Release the tracking table and any blocks still live (leaks are the
 * caller's to assert on before calling this). */
void failalloc_fini(failalloc *fa);

/* Make the n-th (0-based) alloc/realloc call from now on fail. */
void failalloc_arm(failalloc *fa, size_t n);

/* Cancel a pending failure. Keeps fa->triggered as it is. */
void failalloc_disarm(failalloc *fa);

/* Nonzero: every alloc/realloc call fails from now on (counted in calls and
 * failures); zero: back to normal (an armed failure stays pending). */
void failalloc_fail_all(failalloc *fa, int on);

/* Count one allocation made by another allocator that shares this one's
 * plan (e.g. a test's wrapper around malloc or SQLite's allocator); nonzero
 * when that allocation must fail, exactly as for this allocator's own. */
int failalloc_should_fail(failalloc *fa);

/* Nonzero when the armed failure has happened since the last arm. */
int failalloc_triggered(const failalloc *fa);

/* Size of live block @p p, or 0 when @p p is not live. */
size_t failalloc_block_size(const failalloc *fa, const void *p);

#endif
