/* Ingest: signal options, health models, and the readers. */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "graph/adjacency.h"
#include "health/step.h"
#include "outbox/outbox.h"
#include "core/sized.h"

#include <math.h>
#include <string.h>


static twin_status writer_check(twin_ingest *ing)
{
    if (ing->in_cb || (ing->store && twin__store_in_callback(ing->store)))
        return twin__ing_fail(ing, TWIN_E_STATE, "called from a callback");
    return TWIN_OK;
}

static uint32_t live_slot(twin_ingest *ing, twin_signal sig)
{
    if (*ing->gv.removals != ing->graph_removals) twin__ing_sweep(ing);
    return twin__sig_slot(ing, sig);
}

/* Health band of a score in [0, 1] for bands of width step (a step so
 * small that the band does not fit an int32 gives the largest one). */
int32_t twin__ing_band(double score, double step)
{
    double q;
    if (!(score > 0)) return 0;
    if (score > 1) score = 1;
    q = floor(score / step);
    return q < (double)INT32_MAX ? (int32_t)q : INT32_MAX;
}

/* The band of the signal's state at its latest sample. */
static void reset_band(twin_ingest *ing, uint32_t slot)
{
    twin__sig *S = &ing->sig[slot];
    twin__sigx *x = &ing->sigx[slot];
    double score = 1;
    x->band = 0;
    if (S->health == TWIN__SIG_NONE || !(x->health_step > 0)) return;
    {
        const twin__health *h = (const twin__health *)(const void *)&ing->hs[S->health];
        if (twin_health_get_score(&ing->hs[S->health], &ing->prof[S->profile], h->last_us,
                                  &score, NULL) != TWIN_OK)
            score = 1;
    }
    x->band = twin__ing_band(score, x->health_step);
}

twin_status twin_ingest_set_signal_options(twin_ingest *ing, twin_signal sig,
                                           const twin_signal_options *o)
{
    twin_signal_options so;
    twin__ring *ring = NULL;
    uint32_t slot;
    twin_status s;
    twin__sigx *x;
    twin__sig *S;

    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_check(ing)) != TWIN_OK) return s;
    if (!o) return twin__ing_fail(ing, TWIN_E_INVAL, "options are NULL");
    if ((s = twin__ing_check_options(o, &so)) != TWIN_OK)
        return twin__ing_fail(ing, s, "invalid signal options");
    if ((slot = live_slot(ing, sig)) == TWIN__SIG_NONE)
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "no such signal");
    S = &ing->sig[slot];
    x = &ing->sigx[slot];
    if (so.unit) {
        /* an unknown name is refused even on a signal without a unit (both
           would otherwise be NULL: "the same") */
        const twin__unit *u = so.unit[0] ? twin__ing_unit(so.unit) : NULL;
        if (so.unit[0] && !u) return twin__ing_fail(ing, TWIN_E_INVAL, "unknown unit");
        if (u != x->unit) return twin__ing_fail(ing, TWIN_E_INVAL, "a signal's unit cannot change");
    }
    if (so.history != x->history) {
        if (so.history) {
            ring = twin__alloc(&ing->alloc, sizeof *ring + (size_t)so.history * sizeof ring->e[0]);
            if (!ring) return twin__ing_fail(ing, TWIN_E_NOMEM, "out of memory for history");
            memset(ring, 0, sizeof *ring);
            ring->cap = so.history;
            /* what the old history held is forgotten: nothing before the
               latest can be told apart any more */
            ring->evicted_max = (S->flags & TWIN__SF_LATEST) ? S->last_t : INT64_MIN;
        }
        if (x->ring)
            twin__free(&ing->alloc, x->ring, sizeof *x->ring + (size_t)x->ring->cap * sizeof x->ring->e[0]);
        x->ring = ring;
    }
    S->order = (uint8_t)so.order;
    S->window = so.reorder_window_us;
    S->alarm_lo = isnan(so.alarm_low) ? -INFINITY : so.alarm_low;
    S->alarm_hi = isnan(so.alarm_high) ? INFINITY : so.alarm_high;
    S->flags &= (uint8_t) ~(TWIN__SF_ALARM | TWIN__SF_HISTORY | TWIN__SF_BAND);
    if (!isnan(so.alarm_low) || !isnan(so.alarm_high)) S->flags |= TWIN__SF_ALARM;
    if (x->ring) S->flags |= TWIN__SF_HISTORY;
    if (so.health_step > 0) S->flags |= TWIN__SF_BAND;
    x->history = so.history;
    x->health_step = so.health_step;
    reset_band(ing, slot);
    return TWIN_OK;
}

/* ---- health ----------------------------------------------------------------------- */

/* The profile equal to o; with add, appended when missing (room must have
 * been reserved by a call without add). */
static twin_status profile_for(twin_ingest *ing, const twin_health_options *o, uint32_t *out,
                               int add)
{
    twin_status s;
    for (uint32_t i = 0; i < ing->nprof; i++)
        if (memcmp(&ing->prof[i], o, sizeof *o) == 0) {
            *out = i;
            return TWIN_OK;
        }
    if (ing->nprof >= UINT16_MAX) return TWIN_E_RANGE;
    if ((s = TWIN__GROW(ing, prof, capprof, ing->nprof + 1)) != TWIN_OK)
        return s;
    if (add) {
        ing->prof[ing->nprof] = *o;
        *out = ing->nprof++;
    }
    return TWIN_OK;
}

/* A health state slot for the signal (reserved, then taken with take). */
static twin_status health_slot(twin_ingest *ing, twin__sig *S, uint32_t *out, int take)
{
    twin_status s;
    if (S->health != TWIN__SIG_NONE) {
        *out = S->health;
        return TWIN_OK;
    }
    if (ing->h_free != TWIN__SIG_NONE) {
        *out = ing->h_free;
        if (take) memcpy(&ing->h_free, &ing->hs[*out].opaque_[0], sizeof ing->h_free);
        return TWIN_OK;
    }
    if ((s = TWIN__GROW(ing, hs, caph, ing->nh + 1)) !=
        TWIN_OK)
        return s;
    *out = ing->nh;
    if (take) ing->nh++;
    return TWIN_OK;
}

twin_status twin__ing_put_health(twin_ingest *ing, uint32_t slot, const twin_health_options *o,
                                 const twin_health *h)
{
    twin__sig *S = &ing->sig[slot];
    uint32_t p = 0, hi = 0;
    twin_status s;
    if ((s = profile_for(ing, o, &p, 0)) != TWIN_OK || (s = health_slot(ing, S, &hi, 0)) != TWIN_OK)
        return s;
    profile_for(ing, o, &p, 1);
    health_slot(ing, S, &hi, 1);
    ing->hs[hi] = *h;
    S->health = hi;
    S->profile = (uint16_t)p;
    S->flags &= (uint8_t)~TWIN__SF_DIRTY;
    reset_band(ing, slot);
    return TWIN_OK;
}

twin_status twin_ingest_attach_health(twin_ingest *ing, twin_signal sig,
                                      const twin_health_options *o, int64_t t0_us)
{
    twin_health h;
    twin_health_options full;
    twin_error e;
    uint32_t slot, p = 0, hi = 0;
    twin_status s;

    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_check(ing)) != TWIN_OK) return s;
    if (!o) return twin__ing_fail(ing, TWIN_E_INVAL, "health options are NULL");
    twin_health_options_init(&full);
    if ((s = twin__sized_in(&full, sizeof full, o)) != TWIN_OK)
        return twin__ing_fail(ing, s, "health options: size %u unknown", (unsigned)o->size);
    o = &full;
    if ((slot = live_slot(ing, sig)) == TWIN__SIG_NONE)
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "no such signal");
    if ((s = twin_health_init(&h, o, t0_us, &e)) != TWIN_OK)
        return twin__ing_fail(ing, s, "%s", e.message);
    if ((s = profile_for(ing, o, &p, 0)) != TWIN_OK ||
        (s = health_slot(ing, &ing->sig[slot], &hi, 0)) != TWIN_OK)
        return twin__ing_fail(ing, s, "cannot attach the health model: %s", twin_strerror(s));
    if (ing->store && (!twin__store_ready(ing->store) ||
                       !twin__store_room(ing->store, TWIN__HEALTH_REC_BYTES)))
        return twin__ing_fail(ing, TWIN_E_BUSY, "the store's outbox is full");
    twin__ing_put_health(ing, slot, o, &h);
    if (ing->store) {
        twin__store_put_health(ing->store, twin__sig_handle(slot, ing->sig[slot].gen, 0),
                               &ing->hs[ing->sig[slot].health]);
        twin__store_pump(ing->store);
    }
    return TWIN_OK;
}

twin_status twin_ingest_detach_health(twin_ingest *ing, twin_signal sig)
{
    uint32_t slot;
    twin__sig *S;
    twin_status s;
    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_check(ing)) != TWIN_OK) return s;
    if ((slot = live_slot(ing, sig)) == TWIN__SIG_NONE)
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "no such signal");
    S = &ing->sig[slot];
    if (S->health != TWIN__SIG_NONE) {
        memcpy(&ing->hs[S->health].opaque_[0], &ing->h_free, sizeof ing->h_free);
        ing->hs[S->health].size = 0;
        ing->h_free = S->health;
        S->health = TWIN__SIG_NONE;
        S->flags &= (uint8_t)~TWIN__SF_DIRTY;
    }
    return TWIN_OK;
}

/* ---- readers ---------------------------------------------------------------------- */

twin_status twin_ingest_get_latest(const twin_ingest *ing, twin_signal sig, int64_t *t_us,
                                   double *value)
{
    uint32_t slot;
    if (!ing) return TWIN_E_INVAL;
    slot = twin__sig_slot(ing, sig);
    if (slot == TWIN__SIG_NONE || !(ing->sig[slot].flags & TWIN__SF_LATEST))
        return TWIN_E_NOTFOUND;
    if (t_us) *t_us = ing->sig[slot].last_t;
    if (value) *value = ing->sig[slot].last_v;
    return TWIN_OK;
}

twin_status twin_ingest_get_health(const twin_ingest *ing, twin_signal sig, twin_health *state,
                                   twin_health_options *o)
{
    uint32_t slot;
    const twin__sig *S;
    if (!ing) return TWIN_E_INVAL;
    slot = twin__sig_slot(ing, sig);
    if (slot == TWIN__SIG_NONE) return TWIN_E_NOTFOUND;
    S = &ing->sig[slot];
    if (S->health == TWIN__SIG_NONE) return TWIN_E_NOTFOUND;
    if (state) *state = ing->hs[S->health];
    /* A filler: twin_health_options as of 1.3 is its whole size today. */
    if (o) twin__sized_fill(o, &ing->prof[S->profile], sizeof *o, sizeof *o);
    return TWIN_OK;
}

twin_status twin_ingest_get_stats(const twin_ingest *ing, twin_signal sig, twin_ingest_stats *out)
{
    twin_ingest_stats r;
    twin_status s;
    if (!ing || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof r)) != TWIN_OK) return s;
    memset(&r, 0, sizeof r);
    if (sig == 0) {
        for (int i = 0; i < TWIN_INGEST_OUTCOMES; i++) r.outcomes[i] = ing->tot[i];
        r.health_errors = ing->tot_health_errors;
        r.events = ing->tot_events;
        r.signals = ing->live;
    } else {
        uint32_t slot = twin__sig_slot(ing, sig);
        const twin__sigx *x;
        if (slot == TWIN__SIG_NONE) return TWIN_E_NOTFOUND;
        x = &ing->sigx[slot];
        for (int i = 0; i < TWIN_INGEST_OUTCOMES; i++) r.outcomes[i] = x->counts[i];
        r.outcomes[TWIN_INGEST_ACCEPTED] = ing->sig[slot].accepted;
        r.health_errors = x->health_errors;
        r.events = x->events;
        r.signals = 1;
    }
    return twin__sized_out(out, &r, sizeof r);
}

twin_status twin_ingest_signal_info(const twin_ingest *ing, twin_signal sig,
                                    const char **twin_id, const char **name, const char **unit)
{
    uint32_t slot;
    const twin__sigx *x;
    if (!ing) return TWIN_E_INVAL;
    slot = twin__sig_slot(ing, sig);
    if (slot == TWIN__SIG_NONE) return TWIN_E_NOTFOUND;
    x = &ing->sigx[slot];
    if (twin_id) *twin_id = twin__ing_str(ing, ing->tw[x->twin].id);
    if (name) *name = twin__ing_str(ing, x->name);
    if (unit) *unit = x->unit ? twin__unit_name(x->unit) : "";
    return TWIN_OK;
}

twin_status twin_ingest_signals_next(const twin_ingest *ing, uint64_t *cursor, twin_signal *out)
{
    if (!ing || !cursor || !out) return TWIN_E_INVAL;
    for (uint64_t i = *cursor; i < ing->nsig; i++) {
        if (ing->sig[i].gen & TWIN__GEN_FREE) continue;
        *out = twin__sig_handle((uint32_t)i, ing->sig[i].gen, 0);
        *cursor = i + 1;
        return TWIN_OK;
    }
    *cursor = ing->nsig;
    *out = 0;
    return TWIN_DONE;
}

size_t twin_ingest_signal_count(const twin_ingest *ing)
{
    return ing ? ing->live : 0;
}
