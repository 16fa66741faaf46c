/* What ingest offers to storage above it (snapshots, loading from a store):
 * a signal's whole state, read out for saving and put back for restoring,
 * and a handle built aside and swapped in. Nothing else of ingest's private
 * layout is visible above it. */
#ifndef TWIN_INGEST_STATE_H
#define TWIN_INGEST_STATE_H

#include "twin/ingest.h"

/* A signal's state as saved, restored or loaded. */
typedef struct twin__sigstate {
    /* saving only: identity, options and health profile (restoring takes
       them as arguments) */
    const char *twin_id, *name, *unit;   /* unit "" for none */
    size_t twin_len, name_len;
    twin_signal_options opts;            /* alarms: NAN when none */
    uint32_t profile;                    /* with hopt */
    /* both */
    int32_t has_latest;
    int8_t zone;
    int64_t last_t;
    double last_v;
    const uint64_t *counts;        /* TWIN_INGEST_OUTCOMES values, or NULL */
    uint64_t health_errors, events;
    /* history: ring_n entries (t, v) in ring order, next write at ring_next
       (restoring: arrays given; saving: twin__ing_ring_at()) */
    uint32_t ring_n, ring_next;
    int64_t ring_evicted_max;
    const int64_t *ring_t;
    const double *ring_v;
    const twin_health_options *hopt;  /* NULL: no health model */
    const twin_health *health;        /* with hopt */
    int32_t has_band, band;
} twin__sigstate;

/* ---- saving ---- */

/* Signal slots (live or free), live signals, and the health profiles. */
uint32_t twin__ing_slots(const twin_ingest *ing);
uint32_t twin__ing_live(const twin_ingest *ing);
const twin_health_options *twin__ing_profiles(const twin_ingest *ing, uint32_t *n);

/* The state of the signal in slot i; 0 when the slot is free. counts
 * receives the counters st->counts points to. */
int twin__ing_save_signal(const twin_ingest *ing, uint32_t i, twin__sigstate *st,
                          uint64_t counts[TWIN_INGEST_OUTCOMES]);
/* Entry k of slot i's history. */
void twin__ing_ring_at(const twin_ingest *ing, uint32_t i, uint32_t k, int64_t *t, double *v);

/* Totals of the handle. */
void twin__ing_get_totals(const twin_ingest *ing, uint64_t tot[TWIN_INGEST_OUTCOMES],
                          uint64_t *health_errors, uint64_t *events);

/* ---- restoring (into a handle built aside) ---- */

/* An empty handle with the configuration of src over graph g (no store, no
 * events), and the exchange of the contents of two handles (each keeps its
 * graph, store, callbacks and errors). */
twin_status twin__ing_clone_empty(const twin_ingest *src, const twin_graph *g, uint32_t sig_hint,
                                  twin_ingest **out);
void twin__ing_swap(twin_ingest *a, twin_ingest *b);

/* Add n health profiles after those of ing, in order (valid and distinct,
 * at most 65535 in all); add a signal of twin_id with its state (o->unit
 * its unit). Errors are recorded on ing. */
twin_status twin__ing_restore_profiles(twin_ingest *ing, const twin_health_options *o, uint32_t n);
twin_status twin__ing_restore_signal(twin_ingest *ing, const char *twin_id, const char *name,
                                     const twin_signal_options *o, const twin__sigstate *st);
void twin__ing_set_totals(twin_ingest *ing, const uint64_t tot[TWIN_INGEST_OUTCOMES],
                          uint64_t health_errors, uint64_t events);

/* ---- the handle ---- */

const twin_graph *twin__ing_graph(const twin_ingest *ing);
const twin_health_model *twin__ing_user_model(const twin_ingest *ing);
/* A callback of the handle or of its store is running. */
int twin__ing_in_callback(const twin_ingest *ing);
/* Its store holds unconfirmed records. */
int twin__ing_store_pending(const twin_ingest *ing);
/* Record an error on ing; returns s. */
twin_status twin__ing_fail(twin_ingest *ing, twin_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
