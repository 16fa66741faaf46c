/* Ingest: reads of a signal's history (the ring of its last accepted
 * samples, and its latest sample): the samples themselves, the state at an
 * instant over many signals, buckets. The policy and coverage rules are
 * the series module's (series/pick.h); this file finds the neighbours in
 * the ring, which is in arrival order, with one pass and no copy. */
#include "ingest/ingest_int.h"

#include "series/pick.h"

#include <string.h>

static twin_status hfail(twin_error *err, twin_status s, const char *msg)
{
    if (err) {
        err->status = s;
        err->reserved_ = 0;
        err->message = msg;
    }
    return s;
}

/* From when a signal's known samples are complete: the ring holds every
 * accepted sample newer than the newest it dropped, and the latest sample
 * is the newest of all. */
static int64_t complete_from(const twin_ingest *ing, uint32_t slot)
{
    const twin__sig *S = &ing->sig[slot];
    const twin__ring *r = ing->sigx[slot].ring;
    int64_t cf;
    if (!(S->flags & TWIN__SF_LATEST)) return INT64_MIN;  /* nothing was ever accepted */
    if (!r) return S->last_t;
    cf = r->evicted_max == INT64_MIN ? INT64_MIN : r->evicted_max + 1;
    return cf < S->last_t ? cf : S->last_t;
}

/* Call f on each known sample from complete_from on (the latest once). */
#define FOR_EACH_SAMPLE(ing, slot, cf, T, V, BODY)                                   \
    do {                                                                               \
        const twin__sig *S_ = &(ing)->sig[slot];                                       \
        const twin__ring *r_ = (ing)->sigx[slot].ring;                                 \
        int latest_seen_ = 0;                                                          \
        if (r_)                                                                        \
            for (uint32_t i_ = 0; i_ < r_->n; i_++) {                                  \
                int64_t T = r_->e[i_].t;                                               \
                double V = r_->e[i_].v;                                                \
                if (T < (cf)) continue;                                                \
                if (T == S_->last_t) latest_seen_ = 1;                                 \
                BODY                                                                   \
            }                                                                          \
        if ((S_->flags & TWIN__SF_LATEST) && !latest_seen_) {                          \
            int64_t T = S_->last_t;                                                    \
            double V = S_->last_v;                                                     \
            BODY                                                                       \
        }                                                                              \
    } while (0)

twin_status twin_ingest_get_history(const twin_ingest *ing, twin_signal sig, int64_t *t_us,
                                    double *values, size_t cap, size_t *n,
                                    int64_t *complete_from_us)
{
    uint32_t slot;
    size_t k = 0;
    int64_t cf;
    if (!ing || !n || (cap && (!t_us || !values))) return TWIN_E_INVAL;
    if ((slot = twin__sig_slot(ing, sig)) == TWIN__SIG_NONE) return TWIN_E_NOTFOUND;
    cf = complete_from(ing, slot);
    FOR_EACH_SAMPLE(ing, slot, cf, t, v, { (void)t; (void)v; k++; });
    *n = k;
    if (complete_from_us) *complete_from_us = cf;
    if (k > cap) return TWIN_E_RANGE;
    k = 0;
    /* insertion sort: the ring is in arrival order, mostly sorted already */
    FOR_EACH_SAMPLE(ing, slot, cf, t, v, {
        size_t j = k++;
        while (j > 0 && t_us[j - 1] > t) {
            t_us[j] = t_us[j - 1];
            values[j] = values[j - 1];
            j--;
        }
        t_us[j] = t;
        values[j] = v;
    });
    return TWIN_OK;
}

static void neighbours(const twin_ingest *ing, uint32_t slot, int64_t cf, int64_t at,
                       twin__neigh *nb)
{
    memset(nb, 0, sizeof *nb);
    FOR_EACH_SAMPLE(ing, slot, cf, t, v, {
        if (t <= at && (!nb->has_prev || t > nb->tp)) {
            nb->has_prev = 1;
            nb->tp = t;
            nb->vp = v;
        }
        if (t >= at && (!nb->has_next || t < nb->tn)) {
            nb->has_next = 1;
            nb->tn = t;
            nb->vn = v;
        }
    });
}

twin_status twin_ingest_state_at(const twin_ingest *ing, const twin_signal *sigs, size_t n,
                                 int64_t at_us, const twin_series_options *o,
                                 twin_series_value *out, twin_error *err)
{
    twin_series_options op;
    twin_status s;
    int all = 1;
    if (!ing || (n && (!sigs || !out))) return hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if ((s = twin__series_options(o, &op, err)) != TWIN_OK) return s;
    for (size_t i = 0; i < n; i++)
        if (twin__sig_slot(ing, sigs[i]) == TWIN__SIG_NONE)
            return hfail(err, TWIN_E_NOTFOUND, "no such signal");
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = twin__sig_slot(ing, sigs[i]);
        int64_t cf = complete_from(ing, slot);
        twin__neigh nb;
        neighbours(ing, slot, cf, at_us, &nb);
        all &= twin__series_pick(&nb, cf, at_us, &op, &out[i]);
    }
    if (all || (op.flags & TWIN_SERIES_MARK_UNCOVERED)) return TWIN_OK;
    return hfail(err, TWIN_E_RANGE, "a signal's data does not cover the instant");
}

twin_status twin_ingest_resample(const twin_ingest *ing, twin_signal sig, int64_t start_us,
                                 int64_t width_us, size_t nbuckets, twin_series_bucket *out,
                                 twin_error *err)
{
    uint32_t slot;
    int64_t cf;
    if (!ing || (nbuckets && !out)) return hfail(err, TWIN_E_INVAL, "a pointer is NULL");
    if (width_us <= 0) return hfail(err, TWIN_E_INVAL, "the bucket width is not positive");
    if (!twin__series_buckets_fit(start_us, width_us, nbuckets))
        return hfail(err, TWIN_E_RANGE, "the buckets end beyond INT64_MAX");
    if ((slot = twin__sig_slot(ing, sig)) == TWIN__SIG_NONE)
        return hfail(err, TWIN_E_NOTFOUND, "no such signal");
    cf = complete_from(ing, slot);
    twin__series_buckets_start(out, nbuckets);
    FOR_EACH_SAMPLE(ing, slot, cf, t, v,
                    { twin__series_buckets_add(out, nbuckets, start_us, width_us, t, v); });
    twin__series_buckets_finish(out, nbuckets);
    return TWIN_OK;
}
