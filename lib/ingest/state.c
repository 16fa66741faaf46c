/* A handle's whole state, read out for saving and put back for restoring
 * (see state.h): what storage above ingest sees of it. */
#include "ingest/ingest_int.h"
#include "ingest/state.h"

#include "core/alloc.h"
#include "graph/adjacency.h"
#include "health/step.h"
#include "outbox/outbox.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the handle ------------------------------------------------------------------- */

const twin_graph *twin__ing_graph(const twin_ingest *ing)
{
    return ing->g;
}

const twin_health_model *twin__ing_user_model(const twin_ingest *ing)
{
    return ing->user_model;
}

int twin__ing_in_callback(const twin_ingest *ing)
{
    return ing->in_cb || (ing->store && twin__store_in_callback(ing->store));
}

int twin__ing_store_pending(const twin_ingest *ing)
{
    return ing->store && ing->ob->used != 0;
}

/* ---- saving ----------------------------------------------------------------------- */

uint32_t twin__ing_slots(const twin_ingest *ing)
{
    return ing->nsig;
}

uint32_t twin__ing_live(const twin_ingest *ing)
{
    return ing->live;
}

const twin_health_options *twin__ing_profiles(const twin_ingest *ing, uint32_t *n)
{
    *n = ing->nprof;
    return ing->prof;
}

int twin__ing_save_signal(const twin_ingest *ing, uint32_t i, twin__sigstate *st,
                          uint64_t counts[TWIN_INGEST_OUTCOMES])
{
    const twin__sig *S = &ing->sig[i];
    const twin__sigx *x = &ing->sigx[i];
    const twin__itwin *tw;
    if (S->gen & TWIN__GEN_FREE) return 0;
    memset(st, 0, sizeof *st);
    tw = &ing->tw[x->twin];
    st->twin_id = twin__ing_str(ing, tw->id);
    st->twin_len = tw->len;
    st->name = twin__ing_str(ing, x->name);
    st->name_len = x->name_len;
    st->unit = x->unit ? twin__unit_name(x->unit) : "";
    st->opts.size = sizeof st->opts;
    st->opts.order = S->order;
    st->opts.reorder_window_us = S->window;
    st->opts.alarm_low = (S->flags & TWIN__SF_ALARM) && S->alarm_lo != -INFINITY ? S->alarm_lo : NAN;
    st->opts.alarm_high = (S->flags & TWIN__SF_ALARM) && S->alarm_hi != INFINITY ? S->alarm_hi : NAN;
    st->opts.history = x->history;
    st->opts.health_step = x->health_step;
    st->has_latest = (S->flags & TWIN__SF_LATEST) ? 1 : 0;
    st->last_t = S->last_t;
    st->last_v = S->last_v;
    st->zone = S->zone;
    for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++)
        counts[k] = k == TWIN_INGEST_ACCEPTED ? S->accepted : x->counts[k];
    st->counts = counts;
    st->health_errors = x->health_errors;
    st->events = x->events;
    if (x->ring) {
        st->ring_n = x->ring->n;
        st->ring_next = x->ring->next;
        st->ring_evicted_max = x->ring->evicted_max;
    }
    if (S->health != TWIN__SIG_NONE) {
        st->hopt = &ing->prof[S->profile];
        st->profile = S->profile;
        st->health = &ing->hs[S->health];
        st->has_band = 1;
        st->band = x->band;
    }
    return 1;
}

void twin__ing_ring_at(const twin_ingest *ing, uint32_t i, uint32_t k, int64_t *t, double *v)
{
    const twin__ring *r = ing->sigx[i].ring;
    *t = r->e[k].t;
    *v = r->e[k].v;
}

void twin__ing_get_totals(const twin_ingest *ing, uint64_t tot[TWIN_INGEST_OUTCOMES],
                          uint64_t *health_errors, uint64_t *events)
{
    for (int k = 0; k < TWIN_INGEST_OUTCOMES; k++) tot[k] = ing->tot[k];
    *health_errors = ing->tot_health_errors;
    *events = ing->tot_events;
}

/* ---- restoring ---------------------------------------------------------------------- */

static int options_cmp(const void *a, const void *b)
{
    return memcmp(*(const twin_health_options *const *)a, *(const twin_health_options *const *)b,
                  sizeof(twin_health_options));
}

twin_status twin__ing_restore_profiles(twin_ingest *ing, const twin_health_options *o, uint32_t n)
{
    const twin_health_options **ord;
    uint32_t total = ing->nprof + n;
    twin_status s = TWIN_OK;
    void *q;
    if (!n) return TWIN_OK;
    if ((uint64_t)ing->nprof + n > UINT16_MAX)
        return twin__ing_fail(ing, TWIN_E_RANGE, "more than %u health profiles",
                              (unsigned)UINT16_MAX);
    for (uint32_t i = 0; i < n; i++) {
        twin_health h;
        twin_error e;
        if ((s = twin_health_init(&h, &o[i], 0, &e)) != TWIN_OK)
            return twin__ing_fail(ing, s, "health options: %s", e.message);
    }
    /* distinct (a signal's profile is found by content): sorted, not pairwise */
    if (!(ord = twin__alloc(&ing->alloc, (size_t)total * sizeof *ord)))
        return twin__ing_fail(ing, TWIN_E_NOMEM, "out of memory for health options");
    for (uint32_t i = 0; i < total; i++)
        ord[i] = i < ing->nprof ? &ing->prof[i] : &o[i - ing->nprof];
    qsort(ord, total, sizeof *ord, options_cmp);
    for (uint32_t i = 1; i < total && s == TWIN_OK; i++)
        if (options_cmp(&ord[i - 1], &ord[i]) == 0)
            s = twin__ing_fail(ing, TWIN_E_INVAL, "health options given twice");
    twin__free(&ing->alloc, ord, (size_t)total * sizeof *ord);
    if (s != TWIN_OK) return s;
    if ((s = twin__ing_grow(&ing->alloc, ing->prof, &ing->capprof, total, sizeof *ing->prof,
                            &q)) != TWIN_OK)
        return twin__ing_fail(ing, s, "out of memory for health options");
    ing->prof = q;
    memcpy(ing->prof + ing->nprof, o, (size_t)n * sizeof *o);
    ing->nprof = total;
    return TWIN_OK;
}

twin_status twin__ing_restore_signal(twin_ingest *ing, const char *twin_id, const char *name,
                                     const twin_signal_options *o, const twin__sigstate *st)
{
    const twin__unit *u = NULL;
    twin_signal_options so;
    uint32_t slot;
    size_t tn, nn;
    twin__sig *S;
    twin__sigx *x;
    twin_status s;

    if ((s = twin__ing_check_options(o, &so)) != TWIN_OK)
        return twin__ing_fail(ing, s, "signal '%.128s': invalid options", name ? name : "");
    if (!twin_id || !name || !(tn = strlen(twin_id)) || !(nn = strlen(name)) ||
        tn > TWIN_ID_MAX || nn > TWIN_ID_MAX)
        return twin__ing_fail(ing, TWIN_E_INVAL, "a signal without a valid twin or name");
    if (so.unit && so.unit[0] && !(u = twin__ing_unit(so.unit)))
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "signal '%.128s': unknown unit '%.64s'",
                                name, so.unit);
    if (twin__find_twin(ing->g, twin_id, tn) == TWIN__NONE)
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "signal '%.128s': no twin '%.128s'", name,
                                twin_id);
    if (twin__ing_find(ing, twin_id, tn, name, nn) != TWIN__SIG_NONE)
        return twin__ing_fail(ing, TWIN_E_EXISTS, "signal '%.128s' of '%.128s' given twice",
                                name, twin_id);
    if (st->ring_n > so.history || (so.history && st->ring_next >= so.history))
        return twin__ing_fail(ing, TWIN_E_INVAL, "signal '%.128s': history does not fit", name);
    if (st->hopt) {
        const twin__health *h = (const twin__health *)(const void *)st->health;
        twin_error e;
        if (!st->health || (s = twin__health_check(st->health, st->hopt, &e)) != TWIN_OK)
            return twin__ing_fail(ing, st->health ? s : TWIN_E_INVAL,
                                    "signal '%.128s': health state: %s", name,
                                    st->health ? e.message : "missing");
        if (h->kind != TWIN_HEALTH_USER && (h->u.g.L[0] <= 0 || h->u.g.L[2] <= 0))
            return twin__ing_fail(ing, TWIN_E_INVAL, "signal '%.128s': bad health state", name);
    }
    if ((s = twin__ing_add(ing, twin_id, tn, name, nn, u, &so, &slot)) != TWIN_OK)
        return twin__ing_fail(ing, s, "signal '%.128s': %s", name, twin_strerror(s));
    S = &ing->sig[slot];
    x = &ing->sigx[slot];
    if (st->has_latest) {
        S->flags |= TWIN__SF_LATEST;
        S->last_t = st->last_t;
        S->last_v = st->last_v;
    }
    S->zone = st->zone;
    if (st->counts) {
        for (int i = 0; i < TWIN_INGEST_OUTCOMES; i++) x->counts[i] = st->counts[i];
        S->accepted = st->counts[TWIN_INGEST_ACCEPTED];
        x->counts[TWIN_INGEST_ACCEPTED] = 0;
    }
    x->health_errors = st->health_errors;
    x->events = st->events;
    if (x->ring) {
        x->ring->n = st->ring_n;
        x->ring->next = st->ring_next;
        x->ring->evicted_max = st->ring_evicted_max;
        for (uint32_t i = 0; i < st->ring_n; i++) {
            x->ring->e[i].t = st->ring_t[i];
            x->ring->e[i].v = st->ring_v[i];
        }
    }
    if (st->hopt) {
        if ((s = twin__ing_put_health(ing, slot, st->hopt, st->health)) != TWIN_OK)
            return twin__ing_fail(ing, s, "signal '%.128s': %s", name, twin_strerror(s));
        if (st->has_band) x->band = st->band;
    }
    return TWIN_OK;
}

void twin__ing_set_totals(twin_ingest *ing, const uint64_t tot[TWIN_INGEST_OUTCOMES],
                          uint64_t health_errors, uint64_t events)
{
    for (int i = 0; i < TWIN_INGEST_OUTCOMES; i++) ing->tot[i] = tot[i];
    ing->tot_health_errors = health_errors;
    ing->tot_events = events;
}

/* ---- restoring: a handle built aside, swapped in ------------------------------------ */

twin_status twin__ing_clone_empty(const twin_ingest *src, const twin_graph *g, uint32_t sig_hint,
                                  twin_ingest **out)
{
    twin_ingest_options o;
    twin_ingest *ing;
    twin_status s;
    twin_ingest_options_init(&o);
    o.alloc = &src->alloc;
    o.resolver = src->resolver.resolve ? &src->resolver : NULL;
    o.resolved_options = &src->resolved_opts;
    o.user_model = src->user_model;
    o.signal_capacity = sig_hint;
    if ((s = twin_ingest_create(&ing, g, &o)) != TWIN_OK) return s;
    *out = ing;
    return TWIN_OK;
}

#define SWAP(T, x, y) \
    do {              \
        T t_ = (x);   \
        (x) = (y);    \
        (y) = t_;     \
    } while (0)

void twin__ing_swap(twin_ingest *a, twin_ingest *b)
{
    SWAP(uint64_t, a->seed, b->seed);
    SWAP(twin__sig *, a->sig, b->sig);
    SWAP(twin__sigx *, a->sigx, b->sigx);
    SWAP(uint32_t, a->nsig, b->nsig);
    SWAP(uint32_t, a->capsig, b->capsig);
    SWAP(uint32_t, a->capsigx, b->capsigx);
    SWAP(twin__key *, a->key, b->key);
    SWAP(uint32_t, a->capkey, b->capkey);
    SWAP(uint32_t, a->sig_free, b->sig_free);
    SWAP(uint32_t, a->live, b->live);
    SWAP(twin__index, a->sig_idx, b->sig_idx);
    SWAP(twin__itwin *, a->tw, b->tw);
    SWAP(uint32_t, a->ntw, b->ntw);
    SWAP(uint32_t, a->captw, b->captw);
    SWAP(uint32_t, a->tw_free, b->tw_free);
    SWAP(twin__index, a->tw_idx, b->tw_idx);
    SWAP(twin__strpool, a->pool, b->pool);
    SWAP(twin_health *, a->hs, b->hs);
    SWAP(uint32_t, a->nh, b->nh);
    SWAP(uint32_t, a->caph, b->caph);
    SWAP(uint32_t, a->h_free, b->h_free);
    SWAP(twin_health_options *, a->prof, b->prof);
    SWAP(uint32_t, a->nprof, b->nprof);
    SWAP(uint32_t, a->capprof, b->capprof);
    SWAP(twin__conv *, a->conv, b->conv);
    SWAP(uint32_t, a->nconv, b->nconv);
    SWAP(uint32_t, a->capconv, b->capconv);
    for (int i = 0; i < TWIN_INGEST_OUTCOMES; i++) SWAP(uint64_t, a->tot[i], b->tot[i]);
    SWAP(uint64_t, a->tot_health_errors, b->tot_health_errors);
    SWAP(uint64_t, a->tot_events, b->tot_events);
    a->graph_removals = *a->gv.removals;
    b->graph_removals = *b->gv.removals;
    /* The sources stay with a (a restore does not hold them, ingest.h),
       their index too: it is hashed with src_seed, not the seed swapped
       above. None of a's new signals has one (b was made empty, without
       sources); the signals that had are b's now, freed with it. */
    for (uint32_t i = 0; i < a->nsrc; i++) a->src[i].signals = 0;
}
