/* A store in memory for the ingest and storage tests: it fills the
 * twin_store_callbacks, keeps a log of everything it confirmed, and can be
 * made to fail at chosen or random points (a deterministic PRNG).
 *
 * Every callback appends one entry to the log (samples: one entry each).
 * With `transactional`, the table has a flush callback: entries are staged
 * until flush commits them, and a failing callback or flush drops what was
 * staged since the last commit (as a store with transactions does). Without
 * it, each successful callback commits at once. A failing callback leaves
 * no trace. `committed` entries form what the store durably holds. */
#ifndef TWIN_TESTS_MEMSTORE_H
#define TWIN_TESTS_MEMSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "twin/twin.h"

typedef enum ms_kind {
    MS_SAMPLE = 1,
    MS_SIGNAL = 2,
    MS_TWIN_PUT = 3,
    MS_TWIN_DEL = 4,
    MS_REL_PUT = 5,
    MS_REL_DEL = 6,
    MS_HEALTH = 7
} ms_kind;

typedef struct ms_entry {
    ms_kind kind;
    twin_signal signal;
    int64_t t_us;
    double value;
    char a[64], b[64], c[64];  /* ids and names (truncated) */
    size_t nprops;
} ms_entry;

typedef struct memstore {
    ms_entry *log;
    size_t n, cap;
    size_t committed;
    int transactional;
    /* failures: fail_next > 0 fails that many calls from now; else each
       call fails with probability fail_rate (PRNG from seed) */
    unsigned fail_next;
    uint64_t fail_on_call;  /* nonzero: the call that makes `calls` equal to it fails */
    double fail_rate;
    unsigned burst;         /* > 1: a random failure starts an outage of 1..burst calls */
    uint64_t prng;
    uint64_t calls, failures, flushes, write_calls;
    twin_status fail_status;  /* default TWIN_E_IO */
} memstore;

void memstore_init(memstore *m, int transactional);
void memstore_fini(memstore *m);

/* Fill @p cb with the callbacks (ud = m). */
void memstore_callbacks(memstore *m, twin_store_callbacks *cb);

/* Committed samples, in order, into @p out (at most cap); returns how many. */
size_t memstore_samples(const memstore *m, twin_signal_sample *out, size_t cap);

/* Committed entries of kind @p k. */
size_t memstore_count(const memstore *m, ms_kind k);

#endif
