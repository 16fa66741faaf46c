/* What the time series reads share with the modules above that keep their
 * own samples (ingest's history ring): the value at an instant from its two
 * neighbours, and buckets filled one sample at a time. */
#ifndef TWIN_SERIES_PICK_H
#define TWIN_SERIES_PICK_H

#include "twin/series.h"

#include <math.h>
#include <string.h>

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

/* |a - b| without overflow. */
static inline uint64_t twin__series_dist(int64_t a, int64_t b)
{
    return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

static inline int twin__series_use(twin_series_value *out, int64_t at, int64_t t, double v,
                                   uint64_t tol)
{
    if (twin__series_dist(at, t) > tol) return 0;
    out->value = v;
    out->t_us = t;
    out->age_us = (int64_t)((uint64_t)at - (uint64_t)t);
    out->flags = 0;
    out->reserved_ = 0;
    return 1;
}

/* Fill out with the value at T by o (checked); 1 when covered, 0 when not
 * (out marked uncovered). Inline: the alignment calls it per value. */
static inline int twin__series_pick(const twin__neigh *nb, int64_t complete_from, int64_t at,
                                    const twin_series_options *o, twin_series_value *out)
{
    uint64_t tol = (uint64_t)o->tolerance_us;
    int ok = 0;
    if (at >= complete_from) {
        switch (o->policy) {
        case TWIN_SERIES_PREVIOUS:
            ok = nb->has_prev && twin__series_use(out, at, nb->tp, nb->vp, tol);
            break;
        case TWIN_SERIES_NEXT:
            ok = nb->has_next && twin__series_use(out, at, nb->tn, nb->vn, tol);
            break;
        case TWIN_SERIES_NEAREST:
            if (nb->has_prev &&
                (!nb->has_next || twin__series_dist(at, nb->tp) <= twin__series_dist(nb->tn, at)))
                ok = twin__series_use(out, at, nb->tp, nb->vp, tol);
            else if (nb->has_next &&
                     (nb->has_prev || complete_from == INT64_MIN ||
                      twin__series_dist(nb->tn, at) <= twin__series_dist(at, complete_from)))
                /* any forgotten previous lies before complete_from: further */
                ok = twin__series_use(out, at, nb->tn, nb->vn, tol);
            break;
        default: /* TWIN_SERIES_LINEAR */
            if (nb->has_prev && nb->tp == at) {
                ok = twin__series_use(out, at, nb->tp, nb->vp, tol);
            } else if (nb->has_prev && nb->has_next && twin__series_dist(at, nb->tp) <= tol &&
                       twin__series_dist(nb->tn, at) <= tol) {
                double f = (double)(at - nb->tp) / (double)(nb->tn - nb->tp);
                ok = twin__series_use(out, at, nb->tp, nb->vp + (nb->vn - nb->vp) * f,
                                      tol);
                out->flags = TWIN_SERIES_INTERPOLATED;
            }
            break;
        }
    }
    if (!ok) {
        memset(out, 0, sizeof *out);
        out->value = NAN;
        out->flags = TWIN_SERIES_UNCOVERED;
    }
    return ok;
}

/* Buckets: start empty, add samples in any order, finish (means). */
void twin__series_buckets_start(twin_series_bucket *out, size_t nbuckets);
void twin__series_buckets_add(twin_series_bucket *out, size_t nbuckets, int64_t start,
                              int64_t width, int64_t t, double v);
void twin__series_buckets_finish(twin_series_bucket *out, size_t nbuckets);

/* Whether nbuckets buckets of width from start end within int64. */
int twin__series_buckets_fit(int64_t start, int64_t width, size_t nbuckets);

#endif
