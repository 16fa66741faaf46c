/* The step loop shared by the forwarders (libtwin-influx, libtwin-pg):
   batches filled from the spool, a batch's ranges sent through the
   forwarder's callback, a range the upstream refuses for its data split in
   halves down to single items (reported and passed over), a transient
   failure retried after a backoff with jitter, the cursors committed once
   the whole batch is upstream. The forwarder keeps its wire format and its
   dialogue with the server; this keeps the order of things. Internal, like
   spool.h. */
#ifndef TWIN_SPOOL_DRIVE_H
#define TWIN_SPOOL_DRIVE_H

#include "spool.h"

/* Classes of a send's result. */
enum {
    TWIN_SPOOL_SENT = 0,   /* the upstream has the range */
    TWIN_SPOOL_SPLIT = 1,  /* it refused the range's data: split, or report a single item */
    TWIN_SPOOL_RETRY = 2,  /* not the data's fault: the range again after a backoff */
    TWIN_SPOOL_LOCAL = 3   /* failed here (e.g. out of memory): the step returns the status,
                              the range is kept */
};

/* States of a step (the values of twin_influx_state and twin_pg_state). */
enum { TWIN_SPOOL_IDLE = 0, TWIN_SPOOL_SENDING = 1, TWIN_SPOOL_BACKOFF = 2 };

typedef struct twin_spool_ops {
    /* Empty the batch (before a fill). */
    void (*clear)(void *ud);
    /* Take samples into the batch (twin__spool_fill()'s callback). */
    twin_spool_samples_fn add;
    /* Items in the batch after the fill (the forwarder may skip samples). */
    size_t (*count)(void *ud);
    /* Send items [lo, hi) of the batch: a TWIN_SPOOL_ class; with
       TWIN_SPOOL_LOCAL, *st receives the status (the forwarder has recorded
       its message). */
    int (*send)(void *ud, size_t lo, size_t hi, twin_status *st);
    /* Item i was refused on its own (it is then passed over). */
    void (*reject)(void *ud, size_t i);
    /* Record a failure of the driver's or the spool's, with its message;
       returns s. */
    twin_status (*fail)(void *ud, twin_status s, const char *msg);
} twin_spool_ops;

typedef struct twin_spool_range {
    size_t lo, hi;
} twin_spool_range;

typedef struct twin_spool_drive {
    twin_spool *sp;
    const twin_spool_ops *ops;
    void *ud;
    size_t batch_max;                 /* samples a batch */
    int32_t retry_initial_ms, retry_max_ms;
    int64_t (*clock)(void *ud);       /* monotonic, microseconds */
    void *clock_ud;
    uint64_t rng;
    int attempt;
    int64_t retry_at_us;              /* INT64_MIN: no backoff running */
    /* the batch */
    int have_batch, commit_pending;
    twin_spool_range *stack;          /* ranges left to send, the next on top */
    size_t nstack, stack_cap;
    uint64_t batch_ok;                /* items of the batch upstream or passed over */
    /* totals */
    uint64_t confirmed, retries, splits;
} twin_spool_drive;

/* What a step did. */
typedef struct twin_spool_step {
    int state;          /* TWIN_SPOOL_IDLE, _SENDING, _BACKOFF */
    int32_t wait_ms;    /* idle: a suggested poll delay; backoff: the delay left */
    uint32_t sends;     /* send callbacks made */
    uint64_t confirmed; /* items confirmed (the cursors moved past them) */
} twin_spool_step;

/* Set d up (no allocation): sp, ops and ud borrowed; seed 0 draws one from
   the clock. */
void twin__spool_drive_init(twin_spool_drive *d, twin_spool *sp, const twin_spool_ops *ops,
                            void *ud, size_t batch_max, int32_t retry_initial_ms,
                            int32_t retry_max_ms, int64_t (*clock)(void *), void *clock_ud,
                            uint64_t seed);
void twin__spool_drive_free(twin_spool_drive *d);

/* At most budget sends (>= 1): commit a batch that is upstream, fill the
   next, send its ranges; returns at once while a backoff runs. TWIN_OK also
   when a send failed and will be retried (see out); else the failure of
   the spool (TWIN_E_IO, TWIN_E_BUSY: the batch is kept), TWIN_E_NOMEM, or
   a TWIN_SPOOL_LOCAL send's status. */
twin_status twin__spool_drive_step(twin_spool_drive *d, uint32_t budget, twin_spool_step *out);

#endif
