/* The spool of the forwarders (libtwin-influx, libtwin-pg): the SQLite
   store's samples read from per-upstream cursors kept in the store's own
   database, batches built from them a signal at a time, the cursors moved
   in one SQLite transaction once the upstream confirmed a batch; late
   samples (stored after their signal's cursor had passed their time) from
   the store's late log (late.c); and the backoff with jitter they share.
   Internal: compiled into each forwarder (hidden symbols), never
   exported. */
#ifndef TWIN_SPOOL_H
#define TWIN_SPOOL_H

#include "twin/sqlite.h"

#include <stddef.h>
#include <stdint.h>

/* Returned by a sample callback to stop reading: the batch is full. */
#define TWIN_SPOOL_FULL 1

/* Flags of twin__spool_open(). */
#define TWIN_SPOOL_RELS 1u /* load each twin's outgoing relationships (JSON) */

typedef struct twin_spool_sig {
    int64_t id;      /* signals.id (the signals are in its order) */
    char *twin, *name, *unit, *model;
    char *rels;      /* TWIN_SPOOL_RELS: {"name":"target",...}; else NULL */
    int64_t cursor;  /* newest confirmed time; INT64_MIN: none */
    int64_t latest;  /* newest stored time; INT64_MIN: none */
    void *aux;       /* the forwarder's (free()d with the signal) */
    size_t aux_len;
} twin_spool_sig;

typedef struct twin_spool_mark {
    size_t sig;
    int64_t t_us;    /* newest time of the signal in the batch */
} twin_spool_mark;

/* Takes samples [0, n) of signal sig (all of a signal's in one batch are in
   time order). Returns TWIN_OK, TWIN_SPOOL_FULL to stop, or a failure. */
typedef int (*twin_spool_samples_fn)(void *ud, size_t sig, const int64_t *t, const double *v,
                                     size_t n);
/* Fills a signal's aux when the signals are (re)loaded; 0, or -1 when out
   of memory. */
typedef int (*twin_spool_sig_fn)(void *ud, twin_spool_sig *s);

typedef struct twin_spool {
    twin_sqlite *db;
    struct sqlite3 *conn;
    char *table, *upstream;
    uint32_t flags;
    twin_spool_sig_fn on_sig;
    void *sig_ud;
    twin_spool_sig *sigs;
    size_t nsig, next_sig;
    int round_done;  /* the last fill read every signal without filling up */
    twin_spool_mark *marks;
    size_t nmarks, marks_cap;
    /* the late log (late.c): this upstream's place in it, and where the
       last fill left it */
    int64_t late_seq, late_mark;
    int late_moved;
    struct twin_spool_late *late;  /* a fill's rows of the log */
    size_t late_cap;
    /* during a fill */
    twin_spool_samples_fn fn;
    void *ud;
    size_t cur_sig, room;
    int full, fn_status;
    char msg[512];  /* the last failure */
} twin_spool;

/* Set up sp over db: creates the cursor table `table(upstream, twin,
   signal, t_us)` when missing, registers the upstream with the store (its
   row of `upstreams`: from then on the store logs late samples) and loads
   the signals. TWIN_E_IO (creating, registering or reading failed, e.g. a
   store of a schema before 7 opened read-only), TWIN_E_BUSY, TWIN_E_NOMEM;
   message in sp->msg. On failure sp is freed. */
twin_status twin__spool_open(twin_spool *sp, twin_sqlite *db, const char *table,
                             const char *upstream, uint32_t flags, twin_spool_sig_fn on_sig,
                             void *sig_ud);
void twin__spool_close(twin_spool *sp);

/* Read up to max samples into fn: first the late log past this upstream's
   place in it, whose samples at or before their signal's cursor make the
   batch on their own (sorted by signal and time) when there are any (the
   place moves past the rows read either way); else samples past the
   cursors, a signal at a time from where the last fill stopped (reloading
   the signals at each round). Resets and fills sp->marks (each signal read
   and the newest time taken from it). TWIN_OK also when nothing was
   read. */
twin_status twin__spool_fill(twin_spool *sp, size_t max, twin_spool_samples_fn fn, void *ud);

/* Whether the last fill left cursors to move (twin__spool_commit()). */
int twin__spool_pending(const twin_spool *sp);
/* Forget them (the batch is given up; the next fill reads it again). */
void twin__spool_drop(twin_spool *sp);

/* Move the cursors to sp->marks, and the place in the late log, in one
   transaction, deleting the log rows every registered upstream has
   passed; then clears them. */
twin_status twin__spool_commit(twin_spool *sp);

/* What is left: samples past the cursors (per block) and late samples
   logged at or before them, signals behind, and the largest lag. */
twin_status twin__spool_backlog(twin_spool *sp, uint64_t *samples, uint64_t *signals,
                                int64_t *lag_us);

/* Backoff: the delay in microseconds before retry number *attempt (then
   incremented): doubling from initial_ms up to max_ms, drawn at random in
   its upper half. */
int64_t twin__spool_backoff_us(uint64_t *rng, int *attempt, int32_t initial_ms, int32_t max_ms);
int64_t twin__spool_mono_us(void *ud);
uint64_t twin__spool_seed(uint64_t seed);
int twin__spool_grow(void **p, size_t *cap, size_t need, size_t elem);
char *twin__spool_strdup(const char *s);

#endif
