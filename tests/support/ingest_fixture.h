/* The fixture of the ingest and storage tests: a graph of three twins on a
 * counting allocator, an in-memory store (memstore.h) behind a twin_store,
 * an ingest handle over both with an event recorder; and helpers. */
#ifndef TWIN_TESTS_INGEST_FIXTURE_H
#define TWIN_TESTS_INGEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "memstore.h"
#include "support/failalloc.h"
#include "twin/twin.h"

#define PUMP "dtmi:example:Pump;1"
#define MOTOR "dtmi:example:Motor;1"
#define MAX_EVENTS 4096

extern failalloc fa;
extern twin_graph *g;
extern memstore ms;
extern twin_store *st;
extern twin_ingest *ing;
extern twin_ingest_event events[MAX_EVENTS];
extern size_t nevents;

/* tcase_add_checked_fixture(tc, ingest_setup, ingest_teardown): twins
 * "pump1", "pump2" (PUMP) and "motor1" (MOTOR); store non-transactional. */
void ingest_setup(void);
/* The same with a transactional store (a flush callback). */
void ingest_setup_tx(void);
void ingest_teardown(void);

/* Record events into events[]. */
void record_event(void *ud, const twin_ingest_event *ev);

/* Declare a signal; the test fails unless it succeeds. */
twin_signal sig_add(const char *twin, const char *name, const char *unit, int32_t order,
                    int64_t window_us, uint32_t history);

/* One sample by name / by handle: its outcome (the call must return OK). */
unsigned put_name(const char *twin, const char *signal, int64_t t, double v, const char *unit);
unsigned put_sig(twin_signal h, int64_t t, double v);

/* The latest value of a signal (the test fails when it has none). */
double latest(twin_signal h, int64_t *t);

/* Counters of a signal (0: the handle). */
twin_ingest_stats stats_of(twin_signal h);

/* The whole state (graph and ingest handle) as snapshot bytes. */
typedef struct bytes {
    unsigned char *p;
    size_t n, cap;
} bytes;
twin_status bytes_write(void *ud, const void *buf, size_t n);
void state_of(const twin_graph *gr, const twin_ingest *in, bytes *out);
int bytes_equal(const bytes *a, const bytes *b);
void bytes_free(bytes *b);

/* A reader over a byte buffer (twin_snapshot_read_fn), served in chunks of
 * `chunk` bytes (0: any), optionally failing after `fail_after` bytes. */
typedef struct reader {
    const unsigned char *p;
    size_t n, pos, chunk;
    size_t fail_after;  /* SIZE_MAX: never */
} reader;
twin_status reader_read(void *ud, void *buf, size_t cap, size_t *got);

#define ASSERT_ING_OK(call)                                                              \
    do {                                                                                 \
        twin_status s_ = (call);                                                         \
        ck_assert_msg(s_ == TWIN_OK, "%s returned %d (%s): %s", #call, s_,              \
                      twin_strerror(s_), twin_ingest_last_error(ing)->message);          \
    } while (0)

#endif
