/* Building a whole state aside (restore, load) and swapping it in. */
#ifndef TWIN_STORAGE_BUILD_H
#define TWIN_STORAGE_BUILD_H

#include "twin/storage.h"

#include "ingest/state.h"

typedef struct twin__build {
    twin_graph *g;      /* the target */
    twin_ingest *ing;   /* the target's ingest handle, or NULL */
    twin_graph *tg;     /* built aside */
    twin_ingest *ting;  /* built aside, or NULL */
} twin__build;

/* Check the target, create the asides. Errors are recorded on g. */
twin_status twin__build_begin(twin__build *b, twin_graph *g, twin_ingest *ing,
                              uint32_t twin_hint, uint32_t rel_hint, uint32_t sig_hint);
/* Swap the asides in; the old contents are freed. */
void twin__build_commit(twin__build *b);
/* Drop the asides. */
void twin__build_abort(twin__build *b);

/* Add a twin and relationships, as the graph functions (errors moved to g). */
twin_status twin__build_twin(twin__build *b, const char *id, const char *model,
                             const twin_member *props, size_t n);
twin_status twin__build_rel(twin__build *b, const char *src, const char *id, const char *name,
                            const char *dst, const twin_member *props, size_t n);
/* Add n health profiles (restore keeps their order). */
twin_status twin__build_profiles(twin__build *b, const twin_health_options *o, uint32_t n);
/* Add a signal with its state; o->unit is its unit. */
twin_status twin__build_signal(twin__build *b, const char *twin_id, const char *name,
                               const twin_signal_options *o, const twin__sigstate *st);
/* Totals of the handle. */
void twin__build_totals(twin__build *b, const uint64_t *tot, uint64_t health_errors,
                        uint64_t events);

/* Record an error on the target graph (and ingest handle). */
twin_status twin__build_fail(twin__build *b, twin_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
