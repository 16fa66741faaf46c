/* What the time series reads share with the modules above that keep their
 * own samples (ingest's history ring): the value at an instant from its two
 * neighbours, and buckets filled one sample at a time. */
#ifndef TWIN_SERIES_PICK_H
#define TWIN_SERIES_PICK_H

#include "twin/series.h"

/* The neighbours of T among the samples at or after the data's complete_from:
 * the previous (t <= T) and the next (t >= T); a sample at T is both. */
typedef struct twin__neigh {
    int32_t has_prev, has_next;
    int64_t tp, tn;
    double vp, vn;
} twin__neigh;

/* Check and copy options (defaults for NULL); static message in err. */
twin_status twin__series_options(const twin_series_options *o, twin_series_options *out,
                                 twin_error *err);

/* Fill out with the value at T by o (checked); 1 when covered, 0 when not
 * (out marked uncovered). */
int twin__series_pick(const twin__neigh *nb, int64_t complete_from, int64_t at,
                      const twin_series_options *o, twin_series_value *out);

/* Buckets: start empty, add samples in any order, finish (means). */
void twin__series_buckets_start(twin_series_bucket *out, size_t nbuckets);
void twin__series_buckets_add(twin_series_bucket *out, size_t nbuckets, int64_t start,
                              int64_t width, int64_t t, double v);
void twin__series_buckets_finish(twin_series_bucket *out, size_t nbuckets);

/* Whether nbuckets buckets of width from start end within int64. */
int twin__series_buckets_fit(int64_t start, int64_t width, size_t nbuckets);

#endif
