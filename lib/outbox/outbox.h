/* The store's outbox: what the modules above it (ingest) use to queue
 * records for the host's store callbacks. The store itself (lifetime,
 * delivery, the graph's change hook) is private to lib/outbox/.
 *
 * The outbox is one block of `cap` bytes (a multiple of 8) holding records
 * in the order of the changes. A record is an 8-byte header (kind, payload
 * length) and its payload padded to 8 bytes; a record never wraps: when it
 * does not fit before the end of the block, a WRAP header (or nothing, when
 * the record ends exactly at the end) sends the reader back to offset 0.
 *
 *   head  first unconfirmed record
 *   send  next record to deliver (head <= send <= tail along the ring)
 *   tail  where the next record goes
 *   used  bytes from head to tail (wrap gaps included); sent: from head to send
 *
 * Samples go into runs: a SAMPLES record whose payload is an array of
 * twin_signal_sample, extended in place while it is the newest record, not
 * yet delivered, and followed by free contiguous bytes (run_room). */
#ifndef TWIN_OUTBOX_H
#define TWIN_OUTBOX_H

#include "twin/storage.h"

#include <string.h>

enum {
    TWIN__REC_WRAP = 1,
    TWIN__REC_SAMPLES = 2,   /* twin_signal_sample[] */
    TWIN__REC_SIGNAL = 3,    /* u64 handle, then twin id, name, unit (NUL-terminated) */
    TWIN__REC_TWIN_PUT = 4,  /* twin id */
    TWIN__REC_TWIN_DEL = 5,  /* twin id */
    TWIN__REC_REL_PUT = 6,   /* source id, rel id */
    TWIN__REC_REL_DEL = 7,   /* source id, rel id */
    TWIN__REC_HEALTH = 8     /* u64 handle, twin_health */
};

#define TWIN__OB_NONE SIZE_MAX
#define TWIN__REC_HDR 8u

typedef struct twin__rec {
    uint32_t kind;
    uint32_t len;  /* payload bytes, unpadded */
} twin__rec;

typedef struct twin__outbox {
    unsigned char *buf;
    size_t cap;
    size_t head, send, tail;
    size_t used, sent;
    size_t run;       /* offset of the open samples run, or TWIN__OB_NONE */
    size_t run_room;  /* free contiguous bytes after tail while the run is open */
    uint64_t records;  /* unconfirmed records */
    uint64_t samples;  /* unconfirmed samples */
} twin__outbox;

static inline size_t twin__pad8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/* ring.c: placement of records. */

/* Room for a record of `payload` bytes (header and padding added)? Does not
 * deliver. */
int twin__outbox_fits(const twin__outbox *ob, size_t payload);

/* Append a record of `payload` bytes; room must have been checked. Returns
 * a pointer to its payload (8-aligned). Closes any open run. */
void *twin__outbox_put(twin__outbox *ob, uint32_t kind, size_t payload);

/* Append one sample (slow path: opens a new run). 0 when there is no room. */
int twin__outbox_sample_slow(twin__outbox *ob, twin_signal sig, int64_t t, double v);

/* Append one sample: in place in the open run when it has room. */
static inline int twin__outbox_sample(twin__outbox *ob, twin_signal sig, int64_t t, double v)
{
    if (ob->run_room >= sizeof(twin_signal_sample)) {
        twin_signal_sample *s = (twin_signal_sample *)(void *)(ob->buf + ob->tail);
        twin__rec *r = (twin__rec *)(void *)(ob->buf + ob->run);
        s->signal = sig;
        s->t_us = t;
        s->value = v;
        ob->tail += sizeof *s;
        ob->used += sizeof *s;
        ob->run_room -= sizeof *s;
        r->len += (uint32_t)sizeof *s;
        ob->samples++;
        return 1;
    }
    return twin__outbox_sample_slow(ob, sig, t, v);
}

/* store.c: the store as the module above sees it. */

/* The module bound above the store (one ingest handle at most), reached
 * only through these functions: nothing in lib/outbox/ calls up otherwise. */
typedef struct twin__store_upper {
    void *ud;
    /* Nonzero while one of the upper module's own callbacks runs. */
    int (*in_callback)(void *ud);
    /* Queue what the upper module keeps unsaved (health states) through
     * twin__store_room() and the twin__store_put_*() functions; TWIN_E_BUSY
     * when the outbox fills. */
    twin_status (*checkpoint)(void *ud, twin_store *st);
    /* A twin was removed from the graph (committed). */
    void (*twin_removed)(void *ud, const char *twin_id);
    /* The store is being destroyed: forget it. */
    void (*detach)(void *ud);
} twin__store_upper;

/* Bind the module above (one at most; TWIN_E_INVAL when another is bound
 * or the store is over another graph than g). */
twin_status twin__store_bind(twin_store *st, const twin_graph *g, const twin__store_upper *up);
void twin__store_unbind(twin_store *st, void *ud);

/* The store's outbox, for twin__outbox_sample() on the sample path. */
twin__outbox *twin__store_outbox(twin_store *st);

/* Nonzero while a store callback runs. */
int twin__store_in_callback(const twin_store *st);

/* Deliver what is pending (and flush); TWIN_OK when the outbox is empty,
 * else the failing callback's status. Clears busy when it empties. */
twin_status twin__store_pump(twin_store *st);

/* Make room for a record of `payload` bytes: deliver if needed. 1 when
 * there is room; 0 when the outbox is full (busy is then set). */
int twin__store_room(twin_store *st, size_t payload);

/* Writes may proceed: not busy, or busy and a delivery drained it. */
int twin__store_ready(twin_store *st);

/* Queue a signal's record (room checked). */
void twin__store_put_signal(twin_store *st, twin_signal sig, const char *twin_id,
                            size_t twin_len, const char *name, size_t name_len,
                            const char *unit);
size_t twin__store_signal_bytes(size_t twin_len, size_t name_len, const char *unit);

/* Queue a health state (room checked). */
#define TWIN__HEALTH_REC_BYTES (8u + sizeof(twin_health))
void twin__store_put_health(twin_store *st, twin_signal sig, const twin_health *h);

#endif
