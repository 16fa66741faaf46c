/* Time series reads: the value at an instant by policy and tolerance, and
 * buckets. Pure functions, no allocation. */
#include "series/pick.h"

#include "core/sized.h"

#include <math.h>
#include <string.h>

static twin_status sfail(twin_error *err, twin_status s, const char *msg)
{
    if (err) {
        err->status = s;
        err->reserved_ = 0;
        err->message = msg;
    }
    return s;
}

static void defaults(twin_series_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->policy = TWIN_SERIES_PREVIOUS;
    o->tolerance_us = INT64_MAX;
}

twin_status twin_series_options_init_(twin_series_options *o, size_t size)
{
    twin_series_options d;
    defaults(&d);
    return twin__sized_init(o, size, &d, sizeof d);
}

twin_status twin__series_options(const twin_series_options *o, twin_series_options *out,
                                 twin_error *err)
{
    twin_series_options op;
    twin_status s;
    defaults(&op);
    if ((s = twin__sized_in(&op, sizeof op, o)) != TWIN_OK)
        return sfail(err, s, s == TWIN_E_ABI ? "options size is unknown to this library"
                                             : "options size is below 8 bytes");
    if (op.policy < TWIN_SERIES_PREVIOUS || op.policy > TWIN_SERIES_LINEAR)
        return sfail(err, TWIN_E_INVAL, "unknown policy");
    if (op.tolerance_us < 0) return sfail(err, TWIN_E_INVAL, "the tolerance is negative");
    if (op.flags & ~(uint32_t)TWIN_SERIES_MARK_UNCOVERED)
        return sfail(err, TWIN_E_INVAL, "unknown option flags");
    *out = op;
    return TWIN_OK;
}

twin_status twin_series_at(const int64_t *t_us, const double *values, size_t n,
                           int64_t complete_from_us, int64_t at_us,
                           const twin_series_options *o, twin_series_value *out, twin_error *err)
{
    twin_series_options op;
    twin__neigh nb;
    twin_status s;
    size_t lo = 0, hi = n;
    if (!out || (n && (!t_us || !values))) return sfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if ((s = twin__series_options(o, &op, err)) != TWIN_OK) return s;
    /* lo: the first sample after at_us */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t_us[mid] <= at_us) lo = mid + 1;
        else hi = mid;
    }
    memset(&nb, 0, sizeof nb);
    if (lo > 1 && t_us[lo - 2] >= t_us[lo - 1])
        return sfail(err, TWIN_E_INVAL, "timestamps are not increasing");
    if (lo > 0 && lo < n && t_us[lo - 1] >= t_us[lo])
        return sfail(err, TWIN_E_INVAL, "timestamps are not increasing");
    if (lo + 1 < n && t_us[lo] >= t_us[lo + 1])
        return sfail(err, TWIN_E_INVAL, "timestamps are not increasing");
    if (lo > 0 && t_us[lo - 1] >= complete_from_us) {
        nb.has_prev = 1;
        nb.tp = t_us[lo - 1];
        nb.vp = values[lo - 1];
    }
    if (nb.has_prev && nb.tp == at_us) {
        nb.has_next = 1;
        nb.tn = nb.tp;
        nb.vn = nb.vp;
    } else if (lo < n) {
        nb.has_next = 1;
        nb.tn = t_us[lo];
        nb.vn = values[lo];
    }
    if (twin__series_pick(&nb, complete_from_us, at_us, &op, out) ||
        (op.flags & TWIN_SERIES_MARK_UNCOVERED))
        return TWIN_OK;
    return sfail(err, TWIN_E_RANGE, "the data does not cover the instant");
}

/* ---- buckets ----------------------------------------------------------------------- */

int twin__series_buckets_fit(int64_t start, int64_t width, size_t nbuckets)
{
    uint64_t w;
    if (width <= 0) return 0;
    if ((uint64_t)nbuckets > (uint64_t)INT64_MAX / (uint64_t)width) return 0;
    w = (uint64_t)width * (uint64_t)nbuckets;
    return start <= INT64_MAX - (int64_t)w;
}

void twin__series_buckets_start(twin_series_bucket *out, size_t nbuckets)
{
    for (size_t k = 0; k < nbuckets; k++) {
        out[k].mean = 0;  /* the sum until finished */
        out[k].min = out[k].max = out[k].last = NAN;
        out[k].last_t_us = 0;
        out[k].count = 0;
    }
}

void twin__series_buckets_add(twin_series_bucket *out, size_t nbuckets, int64_t start,
                              int64_t width, int64_t t, double v)
{
    uint64_t k;
    twin_series_bucket *b;
    if (t < start) return;
    k = ((uint64_t)t - (uint64_t)start) / (uint64_t)width;
    if (k >= nbuckets) return;
    b = &out[k];
    if (b->count == 0 || v < b->min) b->min = v;
    if (b->count == 0 || v > b->max) b->max = v;
    if (b->count == 0 || t >= b->last_t_us) {
        b->last = v;
        b->last_t_us = t;
    }
    b->mean += v;
    b->count++;
}

void twin__series_buckets_finish(twin_series_bucket *out, size_t nbuckets)
{
    for (size_t k = 0; k < nbuckets; k++)
        out[k].mean = out[k].count ? out[k].mean / (double)out[k].count : NAN;
}

twin_status twin_series_resample(const int64_t *t_us, const double *values, size_t n,
                                 int64_t start_us, int64_t width_us, size_t nbuckets,
                                 twin_series_bucket *out, twin_error *err)
{
    if ((n && (!t_us || !values)) || (nbuckets && !out))
        return sfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if (width_us <= 0) return sfail(err, TWIN_E_INVAL, "the bucket width is not positive");
    if (!twin__series_buckets_fit(start_us, width_us, nbuckets))
        return sfail(err, TWIN_E_RANGE, "the buckets end beyond INT64_MAX");
    twin__series_buckets_start(out, nbuckets);
    for (size_t i = 0; i < n; i++)
        twin__series_buckets_add(out, nbuckets, start_us, width_us, t_us[i], values[i]);
    twin__series_buckets_finish(out, nbuckets);
    return TWIN_OK;
}
