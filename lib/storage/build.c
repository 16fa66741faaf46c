/* Building a whole state aside and swapping it in (see build.h). */
#include "storage/build.h"

#include "core/error.h"
#include "core/format.h"
#include "graph/graph_int.h"
#include "health/health_int.h"
#include "ingest/ingest_int.h"
#include "outbox/outbox.h"

#include <stdarg.h>
#include <string.h>

twin_status twin__build_fail(twin__build *b, twin_status s, const char *fmt, ...)
{
    char msg[TWIN_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    twin__vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    twin__fail(b->g, s, "%s", msg);
    if (b->ing) twin__ing_fail(b->ing, s, "%s", msg);
    return s;
}

twin_status twin__build_begin(twin__build *b, twin_graph *g, twin_ingest *ing,
                              uint32_t twin_hint, uint32_t rel_hint, uint32_t sig_hint)
{
    twin_graph_options o;
    twin_status s;
    memset(b, 0, sizeof *b);
    b->g = g;
    b->ing = ing;
    if (ing && ing->g != g) return twin__build_fail(b, TWIN_E_INVAL, "the ingest handle is not over this graph");
    if (ing && (ing->in_cb || (ing->store && twin__store_in_callback(ing->store))))
        return twin__build_fail(b, TWIN_E_STATE, "called from a callback");
    if (ing && ing->store && ing->ob->used)
        return twin__build_fail(b, TWIN_E_BUSY,
                                "the store has unconfirmed changes (flush it first)");
    twin_graph_options_init(&o);
    o.alloc = &g->alloc;
    o.validator = g->validator.size ? &g->validator : NULL;
    o.twin_capacity = twin_hint;
    o.relationship_capacity = rel_hint;
    if ((s = twin_graph_create(&b->tg, &o)) != TWIN_OK)
        return twin__build_fail(b, s, "cannot create the graph: %s", twin_strerror(s));
    if (ing && (s = twin__ing_clone_empty(ing, b->tg, sig_hint, &b->ting)) != TWIN_OK) {
        twin_graph_destroy(b->tg);
        b->tg = NULL;
        return twin__build_fail(b, s, "cannot create the ingest handle: %s", twin_strerror(s));
    }
    return TWIN_OK;
}

void twin__build_commit(twin__build *b)
{
    twin__graph_swap(b->g, b->tg);
    if (b->ing) {
        twin__ing_swap(b->ing, b->ting);  /* its last error stays (core.h) */
    }
    twin__build_abort(b);
}

void twin__build_abort(twin__build *b)
{
    twin_ingest_destroy(b->ting);
    twin_graph_destroy(b->tg);
    b->ting = NULL;
    b->tg = NULL;
}

static twin_status graph_failed(twin__build *b, twin_status s, const char *what, const char *id)
{
    return twin__build_fail(b, s, "%s '%.128s': %s", what, id ? id : "(null)",
                            twin_graph_last_error(b->tg)->message);
}

twin_status twin__build_twin(twin__build *b, const char *id, const char *model,
                             const twin_member *props, size_t n)
{
    twin_status s = twin_graph_add_twin(b->tg, id, model, props, n);
    return s == TWIN_OK ? s : graph_failed(b, s, "twin", id);
}

twin_status twin__build_rel(twin__build *b, const char *src, const char *id, const char *name,
                            const char *dst, const twin_member *props, size_t n)
{
    twin_status s = twin_graph_add_relationship(b->tg, src, id, name, dst, props, n);
    return s == TWIN_OK ? s : graph_failed(b, s, "relationship", id);
}

twin_status twin__build_profile(twin__build *b, const twin_health_options *o)
{
    twin_ingest *ing = b->ting;
    twin_health h;
    twin_error e;
    twin_status s;
    void *q;
    if (!ing) return TWIN_OK;
    if ((s = twin_health_init(&h, o, 0, &e)) != TWIN_OK)
        return twin__build_fail(b, s, "health options: %s", e.message);
    for (uint32_t i = 0; i < ing->nprof; i++)
        if (memcmp(&ing->prof[i], o, sizeof *o) == 0)
            return twin__build_fail(b, TWIN_E_INVAL, "health options given twice");
    if ((s = twin__ing_grow(&ing->alloc, ing->prof, &ing->capprof, ing->nprof + 1,
                            sizeof *ing->prof, &q)) != TWIN_OK)
        return twin__build_fail(b, s, "out of memory for health options");
    ing->prof = q;
    ing->prof[ing->nprof++] = *o;
    return TWIN_OK;
}

twin_status twin__build_signal(twin__build *b, const char *twin_id, const char *name,
                               const twin_signal_options *o, const twin__sigstate *st)
{
    twin_ingest *ing = b->ting;
    const twin__unit *u = NULL;
    twin_signal_options so;
    uint32_t slot;
    size_t tn, nn;
    twin__sig *S;
    twin__sigx *x;
    twin_status s;

    if (!ing) return TWIN_OK;
    if ((s = twin__ing_check_options(o, &so)) != TWIN_OK)
        return twin__build_fail(b, s, "signal '%.128s': invalid options", name ? name : "");
    if (!twin_id || !name || !(tn = strlen(twin_id)) || !(nn = strlen(name)) ||
        tn > TWIN_ID_MAX || nn > TWIN_ID_MAX)
        return twin__build_fail(b, TWIN_E_INVAL, "a signal without a valid twin or name");
    if (so.unit && so.unit[0] && !(u = twin__ing_unit(so.unit)))
        return twin__build_fail(b, TWIN_E_NOTFOUND, "signal '%.128s': unknown unit '%.64s'",
                                name, so.unit);
    if (twin__find_twin(b->tg, twin_id, tn) == TWIN__NONE)
        return twin__build_fail(b, TWIN_E_NOTFOUND, "signal '%.128s': no twin '%.128s'", name,
                                twin_id);
    if (twin__ing_find(ing, twin_id, tn, name, nn) != TWIN__SIG_NONE)
        return twin__build_fail(b, TWIN_E_EXISTS, "signal '%.128s' of '%.128s' given twice",
                                name, twin_id);
    if (st->ring_n > so.history || (so.history && st->ring_next >= so.history))
        return twin__build_fail(b, TWIN_E_INVAL, "signal '%.128s': history does not fit", name);
    if (st->hopt) {
        const twin__health *h = (const twin__health *)(const void *)st->health;
        twin_error e;
        if (!st->health || (s = twin__health_check(st->health, st->hopt, &e)) != TWIN_OK)
            return twin__build_fail(b, st->health ? s : TWIN_E_INVAL,
                                    "signal '%.128s': health state: %s", name,
                                    st->health ? e.message : "missing");
        if (h->kind != TWIN_HEALTH_USER && (h->u.g.L[0] <= 0 || h->u.g.L[2] <= 0))
            return twin__build_fail(b, TWIN_E_INVAL, "signal '%.128s': bad health state", name);
    }
    if ((s = twin__ing_add(ing, twin_id, tn, name, nn, u, &so, &slot)) != TWIN_OK)
        return twin__build_fail(b, s, "signal '%.128s': %s", name, twin_strerror(s));
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
            return twin__build_fail(b, s, "signal '%.128s': %s", name, twin_strerror(s));
        if (st->has_band) x->band = st->band;
    }
    return TWIN_OK;
}

void twin__build_totals(twin__build *b, const uint64_t *tot, uint64_t health_errors,
                        uint64_t events)
{
    if (!b->ting) return;
    for (int i = 0; i < TWIN_INGEST_OUTCOMES; i++) b->ting->tot[i] = tot[i];
    b->ting->tot_health_errors = health_errors;
    b->ting->tot_events = events;
}
