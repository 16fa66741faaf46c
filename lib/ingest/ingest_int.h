/* Internal layout of twin_ingest.
 *
 * Signals live in two parallel arrays indexed by slot: a 64-byte hot record
 * (what the per-sample path reads and writes: latest sample, policy,
 * thresholds, health state index) and a cold one (names, unit, counters,
 * history). A handle is slot | generation << 32 | conversion << 56; a slot
 * freed by removal bumps its generation, so old handles stay refused.
 * Twins with signals have a record of their own (id, list of signals);
 * two hash indexes map a twin id, and a (twin id, signal name) pair, to
 * them. Health states sit in their own array (192 bytes each, only for
 * signals with a model), their options in a small table of profiles. */
#ifndef TWIN_INGEST_INT_H
#define TWIN_INGEST_INT_H

#include "twin/ingest.h"

#include "graph/adjacency.h"
#include "ingest/state.h"  /* what storage sees: errors, restore, saved state */
#include "units/units.h"
#include "util/index.h"
#include "util/strpool.h"

#include <string.h>

#define TWIN__SIG_NONE UINT32_MAX
#define TWIN__GEN_MASK 0xffffffu
#define TWIN__GEN_FREE 0x80000000u   /* or'ed into gen of a free slot: matches no handle */
#define TWIN__CONV_MAX 255u

/* Hot flags. */
enum {
    TWIN__SF_LATEST = 1u,   /* has a latest sample */
    TWIN__SF_HISTORY = 2u,  /* remembers recent samples */
    TWIN__SF_ALARM = 4u,    /* has a threshold */
    TWIN__SF_BAND = 8u,     /* health bands */
    TWIN__SF_DIRTY = 16u,   /* health state changed since last queued */
    TWIN__SF_CLOCK = 32u,   /* has a source: timestamps corrected (sigx.source) */
    TWIN__SF_SLOW = TWIN__SF_HISTORY | TWIN__SF_ALARM | TWIN__SF_BAND | TWIN__SF_CLOCK
};

typedef struct twin__sig {
    int64_t last_t;      /* latest accepted timestamp */
    double last_v;       /* latest value */
    uint32_t gen;        /* generation; | TWIN__GEN_FREE when the slot is free */
    uint32_t health;     /* health state index, or TWIN__SIG_NONE */
    uint16_t profile;    /* health profile of the state */
    uint8_t order;       /* twin_ingest_order */
    uint8_t flags;       /* TWIN__SF_* */
    int8_t zone;         /* alarm zone */
    uint8_t reserved[3];
    int64_t window;      /* reorder window, us */
    double alarm_lo, alarm_hi;
    uint64_t accepted;   /* samples ACCEPTED (the hot counter) */
} twin__sig;

_Static_assert(sizeof(twin__sig) == 64, "hot signal record is one cache line");

/* Recent accepted samples of a signal (duplicates among older samples). */
typedef struct twin__ring {
    uint32_t cap, n, next;
    uint32_t reserved;
    int64_t evicted_max;   /* newest timestamp ever dropped from the ring */
    struct { int64_t t; double v; } e[];
} twin__ring;

typedef struct twin__sigx {
    uint32_t twin;        /* twin record */
    uint32_t next;        /* next signal of the twin; next free slot when free */
    uint32_t name;        /* pool offset of the name (inside its key) */
    uint32_t name_len;
    const twin__unit *unit;  /* NULL: none */
    twin__ring *ring;     /* NULL without history */
    uint32_t history;
    int32_t band;         /* current health band */
    double health_step;
    uint64_t counts[TWIN_INGEST_OUTCOMES];  /* [ACCEPTED] unused: hot */
    uint64_t health_errors;
    uint64_t events;
    twin_source source;   /* 0: none */
    uint32_t clk_flags;   /* the latest correction: its event flags, */
    int64_t clk_src_t;    /* timestamp as it came (INT64_MIN: none yet), */
    int64_t clk_t;        /* corrected, */
    double clk_unc;       /* uncertainty */
} twin__sigx;

/* A source: its clock model and, cached after every change of it, what
 * the per-sample path needs of its estimate. */
#define TWIN__SRC_MAX 65535u
typedef struct twin__src {
    twin_clock clock;
    char *name;           /* own allocation, name_len + 1 bytes */
    uint32_t name_len;
    uint32_t flags;       /* twin_clock_flag bits of the estimate in use */
    int32_t estimated;    /* an estimate is in use */
    uint32_t reserved;
    int64_t t;            /* the estimate's host time */
    int64_t offset;
    double skew_ppm, off_unc, skew_unc;
    uint64_t signals, pairs, refused, corrected, uncorrected, oot;
} twin__src;

/* The lookup key of a signal: "twin id\0name" in the pool, both lengths.
 * A dense array, so that a by-name lookup reads 8 bytes and one string. */
typedef struct twin__key {
    uint32_t off;
    uint16_t tn, nn;
} twin__key;

typedef struct twin__itwin {
    uint32_t id;          /* pool offset; TWIN__SIG_NONE when free */
    uint32_t len;
    uint32_t first;       /* first signal, or TWIN__SIG_NONE; next free when free */
    uint32_t nsig;
} twin__itwin;

/* A unit conversion: out = (v - z) * a / b + q. */
typedef struct twin__conv {
    const twin__unit *from, *to;
    double z, a, b, q;
} twin__conv;

struct twin_ingest {
    twin_allocator alloc;
    const twin_graph *g;
    twin__adjacency gv;              /* the graph as ingest reads it */
    struct twin_store *store;
    struct twin__outbox *ob;         /* the store's outbox (sample path), or NULL */
    twin_ingest_event_fn on_event;
    void *event_ud;
    twin_ingest_resolver resolver;   /* resolve NULL: none */
    twin_signal_options resolved_opts;
    const twin_health_model *user_model;
    uint64_t seed;

    twin__sig *sig;
    twin__sigx *sigx;
    uint32_t nsig, capsig;   /* slots used, allocated (sig) */
    uint32_t capsigx;        /* allocated (sigx) */
    twin__key *key;
    uint32_t capkey;         /* allocated (key) */
    uint32_t sig_free;       /* first free slot */
    uint32_t live;           /* live signals */
    uint32_t reserved3;
    twin__index sig_idx;     /* hash(twin id, name) -> slot */

    twin__itwin *tw;
    uint32_t ntw, captw, tw_free, reserved0;
    twin__index tw_idx;      /* hash(twin id) -> twin record */

    twin__strpool pool;      /* twin ids and signal names */

    twin_health *hs;         /* health states */
    uint32_t nh, caph, h_free, reserved1;

    twin_health_options *prof;  /* health profiles */
    uint32_t nprof, capprof;

    twin__conv *conv;        /* conversions of handles; entry 0 unused */
    uint32_t nconv, capconv;

    twin__src *src;          /* sources */
    uint32_t nsrc, capsrc;
    twin__index src_idx;     /* hash(name) -> source record (handle - 1) */
    uint64_t src_seed;       /* of that hash: stays with the sources (twin__ing_swap()) */
    uint32_t clk_ev;         /* the event flags of the sample being corrected */
    uint32_t reserved4;

    uint64_t graph_removals; /* the graph's removal count at the last sweep */
    uint64_t tot[TWIN_INGEST_OUTCOMES];
    uint64_t tot_health_errors, tot_events;
    int32_t in_cb;           /* inside the event callback */
    uint32_t reserved2;

    twin_error err;
    char errbuf[TWIN_ERROR_MESSAGE_MAX];
};

static inline twin_signal twin__sig_handle(uint32_t slot, uint32_t gen, uint32_t conv)
{
    return (twin_signal)slot | (twin_signal)gen << 32 | (twin_signal)conv << 56;
}

static inline const char *twin__ing_str(const twin_ingest *ing, uint32_t off)
{
    return twin__strpool_get(&ing->pool, off);
}

/* The slot of a live handle, or TWIN__SIG_NONE. */
static inline uint32_t twin__sig_slot(const twin_ingest *ing, twin_signal h)
{
    uint32_t slot = (uint32_t)h;
    if (slot >= ing->nsig || ing->sig[slot].gen != ((uint32_t)(h >> 32) & TWIN__GEN_MASK))
        return TWIN__SIG_NONE;
    return slot;
}

/* ingest.c (twin__ing_fail() is in state.h) */
uint32_t twin__ing_find(const twin_ingest *ing, const char *twin_id, size_t tn,
                        const char *name, size_t nn);
uint32_t twin__ing_find_twin(const twin_ingest *ing, const char *twin_id, size_t tn);
/* Declare a signal (room in the store checked by the caller when st). */
twin_status twin__ing_add(twin_ingest *ing, const char *twin_id, size_t tn, const char *name,
                          size_t nn, const twin__unit *unit, const twin_signal_options *o,
                          uint32_t *slot);
twin_status twin__ing_check_options(const twin_signal_options *o, twin_signal_options *out);
void twin__ing_remove_twin_at(twin_ingest *ing, uint32_t t);
void twin__ing_sweep(twin_ingest *ing);

/* Grow array p of *cap elements of esize bytes to hold need; *out is the
 * array after (p when unchanged or on failure). */
twin_status twin__ing_grow(const twin_allocator *a, void *p, uint32_t *cap, uint32_t need,
                           size_t esize, void **out);
/* TWIN__GROW(ing, sig, capsig, n): grow ing->sig (capacity ing->capsig). */
#define TWIN__GROW(ing, field, capf, need)                                               \
    twin__grow_field(&(ing)->alloc, (void **)(void *)&(ing)->field, &(ing)->capf, (need), \
                     sizeof *(ing)->field)
static inline twin_status twin__grow_field(const twin_allocator *a, void **field, uint32_t *cap,
                                           uint32_t need, size_t esize)
{
    void *p, *q;
    twin_status s;
    memcpy(&p, field, sizeof p);
    s = twin__ing_grow(a, p, cap, need, esize, &q);
    memcpy(field, &q, sizeof q);
    return s;
}
/* Find a signal, or declare it through the resolver; TWIN_E_NOTFOUND with
 * *unknown_twin set when the twin is unknown. */
twin_status twin__ing_lookup(twin_ingest *ing, const char *twin_id, size_t tn, const char *name,
                             size_t nn, uint32_t *slot, int *unknown_twin);

/* signal.c */
int32_t twin__ing_band(double score, double step);
/* Give a signal health state h under options o (reserves, then commits;
 * on failure nothing changed). */
twin_status twin__ing_put_health(twin_ingest *ing, uint32_t slot, const twin_health_options *o,
                                 const twin_health *h);

/* convert.c: unit conversions */
const twin__unit *twin__ing_unit(const char *name);
/* 1 and *c filled when from converts to to. */
int twin__conv_make(const twin__unit *from, const twin__unit *to, twin__conv *c);
static inline double twin__conv_apply(const twin__conv *c, double v)
{
    return (v - c->z) * c->a / c->b + c->q;
}

/* source.c */
void twin__ing_sources_fini(twin_ingest *ing);
/* A signal's slot is being freed: it leaves its source. */
void twin__ing_source_leave(twin_ingest *ing, uint32_t slot);

/* write.c */
twin_status twin__ing_ready(twin_ingest *ing);

#endif
