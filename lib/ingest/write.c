/* Ingest: the per-sample path. Nothing here allocates but the declaration
 * of a resolved signal on the by-name path. */
#include "ingest/ingest_int.h"

#include "graph/adjacency.h"
#include "health/step.h"
#include "outbox/outbox.h"

#include <math.h>
#include <string.h>

#define OUT_STOP 0xffu  /* the call must stop: the outbox is full */

#if defined(__GNUC__)
#define TWIN__HOT_INLINE static inline __attribute__((always_inline))
#define TWIN__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define TWIN__HOT_INLINE static inline
#define TWIN__LIKELY(x) (x)
#endif

/* Writes may proceed: not inside a callback, graph removals swept, the
 * store's outbox not full. */
twin_status twin__ing_ready(twin_ingest *ing)
{
    if (ing->in_cb || (ing->store && twin__store_in_callback(ing->store)))
        return twin__ing_fail(ing, TWIN_E_STATE, "called from a callback");
    if (*ing->gv.removals != ing->graph_removals) twin__ing_sweep(ing);
    if (ing->store && !twin__store_ready(ing->store))
        return twin__ing_fail(ing, TWIN_E_BUSY, "the store's outbox is full");
    return TWIN_OK;
}

static void ring_push(twin__ring *r, int64_t t, double v)
{
    if (r->n == r->cap) {
        if (r->e[r->next].t > r->evicted_max) r->evicted_max = r->e[r->next].t;
    } else {
        r->n++;
    }
    r->e[r->next].t = t;
    r->e[r->next].v = v;
    if (++r->next == r->cap) r->next = 0;
}

/* Queue the sample for the store; 0 when the outbox is full. */
static inline int queue(twin_ingest *ing, uint32_t slot, int64_t t, double v)
{
    twin_store *st = ing->store;
    twin_signal h;
    if (!st) return 1;
    h = twin__sig_handle(slot, ing->sig[slot].gen, 0);
    if (twin__outbox_sample(ing->ob, h, t, v)) return 1;
    if (!twin__store_room(st, sizeof(twin_signal_sample))) return 0;
    return twin__outbox_sample(ing->ob, h, t, v);
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void emit(twin_ingest *ing, uint32_t slot, uint32_t flags, int64_t t, double v,
                 const twin__health_step_out *ho, double score)
{
    twin__sig *S = &ing->sig[slot];
    twin__sigx *x = &ing->sigx[slot];
    twin_ingest_event ev;
    int user = 0;
    memset(&ev, 0, sizeof ev);
    ev.size = sizeof ev;
    ev.flags = flags;
    ev.signal = twin__sig_handle(slot, S->gen, 0);
    ev.t_us = t;
    ev.value = v;
    ev.predicted = ev.error = ev.health = NAN;
    ev.mean_before[0] = ev.mean_before[1] = ev.mean_after[0] = ev.mean_after[1] = NAN;
    if (S->health != TWIN__SIG_NONE) {
        const twin__health *h = (const twin__health *)(const void *)&ing->hs[S->health];
        user = h->kind == TWIN_HEALTH_USER;
        ev.recalibrations = h->recal;
        ev.diverged = (h->flags & TWIN__HF_DIVERGED) ? 1 : 0;
        if (ho) {
            ev.predicted = ho->predicted;
            ev.error = ho->error;
            if (!user) {
                ev.mean_before[0] = ho->mean_before[0];
                ev.mean_before[1] = ho->mean_before[1];
                ev.mean_after[0] = h->u.g.m[0];
                ev.mean_after[1] = h->u.g.m[1];
            }
        }
    }
    ev.health = score;
    ev.zone = S->zone;

    x->events++;
    ing->tot_events++;
    if (ing->on_event) {
        ing->in_cb = 1;
        ing->on_event(ing->event_ud, &ev);
        ing->in_cb = 0;
    }
    /* the store hears of a divergence's start and end with the state */
    if (ing->store && S->health != TWIN__SIG_NONE &&
        (flags & (TWIN_INGEST_EVENT_DIVERGED | TWIN_INGEST_EVENT_CLEARED)) &&
        twin__store_room(ing->store, TWIN__HEALTH_REC_BYTES)) {
        twin__store_put_health(ing->store, ev.signal, &ing->hs[S->health]);
        S->flags &= (uint8_t)~TWIN__SF_DIRTY;
    }
}

/* What follows an accepted sample beyond the latest value: history, the
 * health model, alarms, events. */
TWIN__HOT_INLINE void after_accept(twin_ingest *ing, uint32_t slot, int64_t t, double v, int latest)
{
    twin__sig *S = &ing->sig[slot];
    twin__health_step_out ho, *hop = NULL;
    double score = NAN;
    uint32_t ev = ing->clk_ev;  /* the source's flags (0 without one) */
    if (S->flags & TWIN__SF_HISTORY) ring_push(ing->sigx[slot].ring, t, v);
    if (!latest) {
        if (ev) emit(ing, slot, ev, t, v, NULL, NAN);
        return;
    }
    if (S->health != TWIN__SIG_NONE) {
        twin_health *h = &ing->hs[S->health];
        if (twin__health_step_in(h, &ing->prof[S->profile], t, v, &ho, NULL) == TWIN_OK) {
            S->flags |= TWIN__SF_DIRTY;
            ev = ho.flags;  /* DIVERGED, CLEARED, RECALIBRATED: the same bits */
            hop = &ho;
            if (S->flags & TWIN__SF_BAND) {
                twin__sigx *x = &ing->sigx[slot];
                int32_t band;
                if (twin_health_get_score(h, &ing->prof[S->profile], t, &score, NULL) != TWIN_OK)
                    score = NAN;
                band = isnan(score) ? x->band : twin__ing_band(score, x->health_step);
                if (band != x->band) {
                    x->band = band;
                    ev |= TWIN_INGEST_EVENT_HEALTH_CHANGED;
                }
            }
        } else {
            ev = TWIN_INGEST_EVENT_HEALTH_ERROR;
            ing->sigx[slot].health_errors++;
            ing->tot_health_errors++;
        }
    }
    if (S->flags & TWIN__SF_ALARM) {
        int8_t zone = v < S->alarm_lo ? -1 : v > S->alarm_hi ? 1 : 0;
        if (zone != S->zone) {
            S->zone = zone;
            ev |= TWIN_INGEST_EVENT_THRESHOLD;
        }
    }
    if (ev) emit(ing, slot, ev, t, v, hop, score);
}

TWIN__HOT_INLINE unsigned accept(twin_ingest *ing, uint32_t slot, int64_t t, double v)
{
    twin__sig *S = &ing->sig[slot];
    if (!queue(ing, slot, t, v)) return OUT_STOP;
    S->last_t = t;
    S->last_v = v;
    S->flags |= TWIN__SF_LATEST;
    S->accepted++;
    if (S->health != TWIN__SIG_NONE || (S->flags & TWIN__SF_SLOW)) after_accept(ing, slot, t, v, 1);
    return TWIN_INGEST_ACCEPTED;
}

/* A sample not newer than the latest (or any sample: the time checks out
 * of line, for signals with a source). */
static unsigned older(twin_ingest *ing, uint32_t slot, int64_t t, double v)
{
    twin__sig *S = &ing->sig[slot];
    twin__sigx *x = &ing->sigx[slot];
    const twin__ring *r = x->ring;
    unsigned o;
    if (!(S->flags & TWIN__SF_LATEST) || t > S->last_t) return accept(ing, slot, t, v);
    if (t == S->last_t) {
        o = v == S->last_v ? TWIN_INGEST_DUPLICATE : TWIN_INGEST_CONFLICT;
    } else {
        o = TWIN_INGEST_OUT_OF_ORDER;
        if (r) {
            for (uint32_t i = 0; i < r->n; i++)
                if (r->e[i].t == t) {
                    o = r->e[i].v == v ? TWIN_INGEST_DUPLICATE : TWIN_INGEST_CONFLICT;
                    break;
                }
            /* late and within the window: stored, latest and health unmoved */
            if (o == TWIN_INGEST_OUT_OF_ORDER && S->order == TWIN_INGEST_ORDER_WINDOW &&
                t > r->evicted_max && (uint64_t)S->last_t - (uint64_t)t <= (uint64_t)S->window) {
                if (!queue(ing, slot, t, v)) return OUT_STOP;
                after_accept(ing, slot, t, v, 0);
                o = TWIN_INGEST_ACCEPTED_LATE;
            }
        }
    }
    x->counts[o]++;
    return o;
}

/* A sample of a signal with a source: its timestamp corrected to host time
 * by the source's model (or let through, flagged, without an estimate),
 * then the time checks as for any sample, with the source's flags and the
 * correction's uncertainty set for the event. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static unsigned clocked(twin_ingest *ing, uint32_t slot, int64_t t, double v)
{
    twin__sigx *x = &ing->sigx[slot];
    twin__src *c = &ing->src[x->source - 1];
    int64_t host;
    unsigned o;
    int corrected = 0;
    if (c->estimated && twin_clock_to_host(&c->clock, t, &host, NULL) == TWIN_OK) {
        /* the offset's uncertainty at the estimate's time, widened along
         * the skew's uncertainty to the sample's */
        double dt = fabs((double)host - (double)c->t);
        x->clk_unc = c->off_unc + (dt > 0 ? c->skew_unc * 1e-6 * dt : 0);
        ing->clk_ev = (c->flags & TWIN_CLOCK_OUT_OF_TOLERANCE)
                          ? TWIN_INGEST_EVENT_CLOCK_OUT_OF_TOLERANCE : 0;
        corrected = 1;
    } else {
        host = t;
        x->clk_unc = INFINITY;
        ing->clk_ev = TWIN_INGEST_EVENT_CLOCK_UNCORRECTED;
    }
    x->clk_flags = ing->clk_ev;
    x->clk_src_t = t;
    x->clk_t = host;
    o = older(ing, slot, host, v);
    if (o != OUT_STOP) {
        if (!corrected) {
            c->uncorrected++;
        } else {
            c->corrected++;
            if (ing->clk_ev) c->oot++;
        }
    }
    ing->clk_ev = 0;
    return o;
}

TWIN__HOT_INLINE unsigned apply(twin_ingest *ing, uint32_t slot, int64_t t, double v)
{
    const twin__sig *S = &ing->sig[slot];
    if (TWIN__LIKELY(t > S->last_t) && TWIN__LIKELY(!(S->flags & TWIN__SF_CLOCK)))
        return accept(ing, slot, t, v);
    if (S->flags & TWIN__SF_CLOCK) return clocked(ing, slot, t, v);
    return older(ing, slot, t, v);
}

static unsigned rejected(twin_ingest *ing, uint32_t slot, unsigned o)
{
    ing->sigx[slot].counts[o]++;
    return o;
}

TWIN__HOT_INLINE unsigned by_handle(twin_ingest *ing, twin_signal h, int64_t t, double v)
{
    uint32_t slot = (uint32_t)h, cv;
    if (slot >= ing->nsig || ing->sig[slot].gen != ((uint32_t)(h >> 32) & TWIN__GEN_MASK))
        return TWIN_INGEST_UNKNOWN_SIGNAL;
    if (!isfinite(v)) return rejected(ing, slot, TWIN_INGEST_NOT_FINITE);
    if ((cv = (uint32_t)(h >> 56)) != 0) {
        if (cv >= ing->nconv || ing->conv[cv].to != ing->sigx[slot].unit)
            return TWIN_INGEST_UNKNOWN_SIGNAL;
        v = twin__conv_apply(&ing->conv[cv], v);
        if (!isfinite(v)) return rejected(ing, slot, TWIN_INGEST_NOT_FINITE);
    }
    return apply(ing, slot, t, v);
}

/* The end of a write call: outcomes of what was not processed, totals,
 * delivery. */
static twin_status finish(twin_ingest *ing, const uint64_t *cnt, size_t i, size_t n,
                          uint8_t *outcomes, size_t *done, twin_status rc)
{
    for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++) ing->tot[k] += cnt[k];
    if (outcomes)
        for (size_t j = i; j < n; j++) outcomes[j] = TWIN_INGEST_NOT_PROCESSED;
    if (done) *done = i;
    if (ing->store && ing->ob->used != ing->ob->sent) twin__store_pump(ing->store);
    if (rc == TWIN_E_BUSY)
        return twin__ing_fail(ing, rc, "the store's outbox is full after %lu samples",
                              (unsigned long)i);
    return rc;
}

/* What both write calls check first; TWIN_OK to go on. On a handle that
 * cannot take samples every outcome is "not processed". */
static twin_status write_begin(twin_ingest *ing, const void *s, size_t n, size_t stride,
                               size_t need, uint8_t *outcomes, size_t *done)
{
    twin_status rc;
    size_t i;
    if (done) *done = 0;
    if (!ing) return TWIN_E_INVAL;
    if (stride > need) return twin__ing_fail(ing, TWIN_E_ABI, "sample size is unknown");
    if ((!s && n) || stride < need)
        return twin__ing_fail(ing, TWIN_E_INVAL, "samples are NULL or too small");
    if ((rc = twin__ing_ready(ing)) != TWIN_OK) {
        if (outcomes)
            for (i = 0; i < n; i++) outcomes[i] = TWIN_INGEST_NOT_PROCESSED;
        return rc;
    }
    return TWIN_OK;
}

twin_status twin_ingest_write_signals_(twin_ingest *ing, const twin_signal_sample *s, size_t n,
                                       size_t stride, uint8_t *outcomes, size_t *done)
{
    uint64_t cnt[TWIN_INGEST_OUTCOMES] = {0};
    const unsigned char *p = (const unsigned char *)s;
    twin_status rc;
    size_t i;

    if ((rc = write_begin(ing, s, n, stride, sizeof *s, outcomes, done)) != TWIN_OK) return rc;
    if (outcomes) {
        for (i = 0; i < n; i++, p += stride) {
            const twin_signal_sample *x = (const twin_signal_sample *)(const void *)p;
            unsigned o = by_handle(ing, x->signal, x->t_us, x->value);
            if (o == OUT_STOP) {
                rc = TWIN_E_BUSY;
                break;
            }
            cnt[o]++;
            outcomes[i] = (uint8_t)o;
        }
    } else {
        for (i = 0; i < n; i++, p += stride) {
            const twin_signal_sample *x = (const twin_signal_sample *)(const void *)p;
            unsigned o = by_handle(ing, x->signal, x->t_us, x->value);
            if (o == OUT_STOP) {
                rc = TWIN_E_BUSY;
                break;
            }
            cnt[o]++;
        }
    }
    return finish(ing, cnt, i, n, outcomes, done, rc);
}

/* One sample by name; OUT_STOP with *rc set when the call must stop. */
static unsigned by_name(twin_ingest *ing, const twin_sample *x, twin_status *rc)
{
    const twin__unit *u;
    twin__conv c;
    uint32_t slot;
    int unknown_twin;
    twin_status s;
    double v = x->value;

    if (!x->twin_id) return TWIN_INGEST_UNKNOWN_TWIN;
    if (!x->signal) return TWIN_INGEST_UNKNOWN_SIGNAL;
    s = twin__ing_lookup(ing, x->twin_id, strlen(x->twin_id), x->signal, strlen(x->signal),
                         &slot, &unknown_twin);
    if (s == TWIN_E_NOTFOUND)
        return unknown_twin ? TWIN_INGEST_UNKNOWN_TWIN : TWIN_INGEST_UNKNOWN_SIGNAL;
    if (s != TWIN_OK) {
        *rc = s;
        return OUT_STOP;
    }
    if (!isfinite(v)) return rejected(ing, slot, TWIN_INGEST_NOT_FINITE);
    /* An unknown unit is refused even on a signal without one (both
       "units" would otherwise compare equal, as NULL). */
    if (x->unit && x->unit[0] &&
        (!(u = twin__ing_unit(x->unit)) || u != ing->sigx[slot].unit)) {
        if (!u || !twin__conv_make(u, ing->sigx[slot].unit, &c))
            return rejected(ing, slot, TWIN_INGEST_BAD_UNIT);
        v = twin__conv_apply(&c, v);
        if (!isfinite(v)) return rejected(ing, slot, TWIN_INGEST_NOT_FINITE);
    }
    {
        unsigned o = apply(ing, slot, x->t_us, v);
        if (o == OUT_STOP) *rc = TWIN_E_BUSY;
        return o;
    }
}

twin_status twin_ingest_write_(twin_ingest *ing, const twin_sample *s, size_t n, size_t stride,
                               uint8_t *outcomes, size_t *done)
{
    uint64_t cnt[TWIN_INGEST_OUTCOMES] = {0};
    const unsigned char *p = (const unsigned char *)s;
    twin_status rc;
    size_t i;

    if ((rc = write_begin(ing, s, n, stride, sizeof *s, outcomes, done)) != TWIN_OK) return rc;
    for (i = 0; i < n; i++, p += stride) {
        unsigned o = by_name(ing, (const twin_sample *)(const void *)p, &rc);
        if (o == OUT_STOP) break;
        cnt[o]++;
        if (outcomes) outcomes[i] = (uint8_t)o;
    }
    return finish(ing, cnt, i, n, outcomes, done, rc);
}
