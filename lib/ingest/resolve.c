/* Ingest: declaring signals, and resolving names (and units) to handles. */
#include "ingest/ingest_int.h"

#include "graph/graph_int.h"
#include "outbox/outbox.h"
#include "util/utf8.h"

#include <string.h>

/* ---- declaring and resolving ---------------------------------------------------- */

static twin_status check_name(twin_ingest *ing, const char *what, const char *s, size_t *n)
{
    size_t len;
    if (!s) return twin__ing_fail(ing, TWIN_E_INVAL, "%s is NULL", what);
    len = strnlen(s, TWIN_ID_MAX + 1);
    if (len == 0) return twin__ing_fail(ing, TWIN_E_INVAL, "%s is empty", what);
    if (len > TWIN_ID_MAX)
        return twin__ing_fail(ing, TWIN_E_RANGE, "%s is longer than %u bytes", what,
                              (unsigned)TWIN_ID_MAX);
    if (twin__utf8_check(s, len) != len)
        return twin__ing_fail(ing, TWIN_E_INVAL, "%s is not valid UTF-8", what);
    *n = len;
    return TWIN_OK;
}

static twin_status busy_check(twin_ingest *ing)
{
    if (ing->in_cb || (ing->store && twin__store_in_callback(ing->store)))
        return twin__ing_fail(ing, TWIN_E_STATE, "called from a callback");
    if (ing->g->removals != ing->graph_removals) twin__ing_sweep(ing);
    return TWIN_OK;
}

/* Room in the store for a new signal's record. */
static twin_status signal_room(twin_ingest *ing, size_t tn, size_t nn, const twin__unit *u)
{
    if (!ing->store) return TWIN_OK;
    if (!twin__store_ready(ing->store) ||
        !twin__store_room(ing->store, twin__store_signal_bytes(tn, nn, u ? twin__unit_name(u) : NULL)))
        return twin__ing_fail(ing, TWIN_E_BUSY, "the store's outbox is full");
    return TWIN_OK;
}

static void queue_signal(twin_ingest *ing, uint32_t i)
{
    const twin__sigx *x = &ing->sigx[i];
    const twin__itwin *t = &ing->tw[x->twin];
    if (!ing->store) return;
    twin__store_put_signal(ing->store, twin__sig_handle(i, ing->sig[i].gen, 0),
                           twin__ing_str(ing, t->id), t->len, twin__ing_str(ing, x->name),
                           x->name_len, x->unit ? twin__unit_name(x->unit) : NULL);
}

twin_status twin_ingest_add_signal(twin_ingest *ing, const char *twin_id, const char *signal,
                                   const twin_signal_options *o, twin_signal *out)
{
    twin_signal_options so;
    const twin__unit *u = NULL;
    size_t tn, nn;
    uint32_t slot;
    twin_status s;

    if (out) *out = 0;
    if (!ing) return TWIN_E_INVAL;
    if ((s = busy_check(ing)) != TWIN_OK || (s = check_name(ing, "twin id", twin_id, &tn)) ||
        (s = check_name(ing, "signal", signal, &nn)))
        return s;
    if ((s = twin__ing_check_options(o, &so)) != TWIN_OK)
        return twin__ing_fail(ing, s, "invalid signal options");
    if (so.unit && !(u = twin__ing_unit(so.unit)))
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "unit '%.64s' is not a DTDL unit", so.unit);
    if (twin__find_twin(ing->g, twin_id, tn) == TWIN__NONE)
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "twin '%.128s' not found", twin_id);
    if (twin__ing_find(ing, twin_id, tn, signal, nn) != TWIN__SIG_NONE)
        return twin__ing_fail(ing, TWIN_E_EXISTS, "twin '%.128s' already has signal '%.128s'",
                              twin_id, signal);
    if ((s = signal_room(ing, tn, nn, u)) != TWIN_OK) return s;
    if ((s = twin__ing_add(ing, twin_id, tn, signal, nn, u, &so, &slot)) != TWIN_OK)
        return twin__ing_fail(ing, s, "cannot add signal '%.128s': %s", signal,
                              twin_strerror(s));
    queue_signal(ing, slot);
    if (ing->store) twin__store_pump(ing->store);
    if (out) *out = twin__sig_handle(slot, ing->sig[slot].gen, 0);
    return TWIN_OK;
}

/* Find a signal, or declare it through the resolver. Sets *slot, or returns
 * TWIN_E_NOTFOUND with *unknown_twin telling which part is unknown. */
twin_status twin__ing_lookup(twin_ingest *ing, const char *twin_id, size_t tn, const char *name,
                             size_t nn, uint32_t *slot, int *unknown_twin)
{
    const char *model = NULL, *unit = NULL;
    const twin__unit *u = NULL;
    uint32_t gt;
    twin_status s;

    *unknown_twin = 0;
    if ((*slot = twin__ing_find(ing, twin_id, tn, name, nn)) != TWIN__SIG_NONE) return TWIN_OK;
    gt = twin__find_twin(ing->g, twin_id, tn);
    if (gt == TWIN__NONE) {
        *unknown_twin = 1;
        return TWIN_E_NOTFOUND;
    }
    if (!ing->resolver.resolve) return TWIN_E_NOTFOUND;
    if (twin__utf8_check(name, nn) != nn || nn > TWIN_ID_MAX) return TWIN_E_NOTFOUND;
    model = twin__model_str(ing->g, gt);
    ing->in_cb = 1;
    s = ing->resolver.resolve(ing->resolver.ud, twin_id, model, name, &unit);
    ing->in_cb = 0;
    if (s == TWIN_E_NOTFOUND) return TWIN_E_NOTFOUND;
    if (s < 0) return twin__ing_fail(ing, s, "the resolver failed on '%.128s'", name);
    if (unit && unit[0] && !(u = twin__ing_unit(unit))) return TWIN_E_NOTFOUND;
    if ((s = signal_room(ing, tn, nn, u)) != TWIN_OK) return s;
    if ((s = twin__ing_add(ing, twin_id, tn, name, nn, u, &ing->resolved_opts, slot)) !=
        TWIN_OK)
        return twin__ing_fail(ing, s, "cannot add signal '%.128s': %s", name, twin_strerror(s));
    queue_signal(ing, *slot);
    return TWIN_OK;
}

/* The conversion slot from unit u to the signal's unit (0: none). */
static twin_status conv_slot(twin_ingest *ing, const twin__unit *from, const twin__unit *to,
                             uint32_t *out, int add)
{
    twin__conv c;
    twin_status s;
    *out = 0;
    if (!twin__conv_make(from, to, &c)) return TWIN_E_CONSTRAINT;
    if (from == to) return TWIN_OK;
    for (uint32_t i = 1; i < ing->nconv; i++)
        if (ing->conv[i].from == from && ing->conv[i].to == to) {
            *out = i;
            return TWIN_OK;
        }
    if ((ing->nconv ? ing->nconv : 1) > TWIN__CONV_MAX) return TWIN_E_RANGE;
    if ((s = TWIN__GROW(ing, conv, capconv, (ing->nconv ? ing->nconv : 1) + 1)) != TWIN_OK)
        return s;
    if (!add) return TWIN_OK;
    if (!ing->nconv) ing->nconv = 1;
    ing->conv[ing->nconv] = c;
    *out = ing->nconv++;
    return TWIN_OK;
}

twin_status twin_ingest_resolve(twin_ingest *ing, const char *twin_id, const char *signal,
                                const char *unit, twin_signal *out)
{
    const twin__unit *from = NULL, *to;
    size_t tn, nn;
    uint32_t slot, cv;
    twin_status s;

    if (out) *out = 0;
    if (!ing || !out) return TWIN_E_INVAL;
    if ((s = busy_check(ing)) != TWIN_OK || (s = check_name(ing, "twin id", twin_id, &tn)) ||
        (s = check_name(ing, "signal", signal, &nn)))
        return s;
    if (unit && !(from = twin__ing_unit(unit)))
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "unit '%.64s' is not a DTDL unit", unit);
    slot = twin__ing_find(ing, twin_id, tn, signal, nn);
    if (slot == TWIN__SIG_NONE) {
        /* declare it only if the unit converts: ask the resolver first */
        const char *model, *runit = NULL;
        const twin__unit *u = NULL;
        uint32_t gt = twin__find_twin(ing->g, twin_id, tn);
        if (gt == TWIN__NONE)
            return twin__ing_fail(ing, TWIN_E_NOTFOUND, "twin '%.128s' not found", twin_id);
        if (!ing->resolver.resolve)
            return twin__ing_fail(ing, TWIN_E_NOTFOUND, "twin '%.128s' has no signal '%.128s'",
                                  twin_id, signal);
        model = twin__model_str(ing->g, gt);
        ing->in_cb = 1;
        s = ing->resolver.resolve(ing->resolver.ud, twin_id, model, signal, &runit);
        ing->in_cb = 0;
        if (s == TWIN_E_NOTFOUND)
            return twin__ing_fail(ing, s, "twin '%.128s' has no signal '%.128s'", twin_id, signal);
        if (s < 0) return twin__ing_fail(ing, s, "the resolver failed on '%.128s'", signal);
        if (runit && runit[0] && !(u = twin__ing_unit(runit)))
            return twin__ing_fail(ing, TWIN_E_NOTFOUND, "the model's unit '%.64s' is unknown",
                                  runit);
        if (from && (s = conv_slot(ing, from, u, &cv, 0)) != TWIN_OK)
            return twin__ing_fail(ing, s, "unit '%.64s' does not convert to the signal's",
                                  unit);
        if ((s = signal_room(ing, tn, nn, u)) != TWIN_OK) return s;
        if ((s = twin__ing_add(ing, twin_id, tn, signal, nn, u, &ing->resolved_opts, &slot)) !=
            TWIN_OK)
            return twin__ing_fail(ing, s, "cannot add signal '%.128s': %s", signal,
                                  twin_strerror(s));
        queue_signal(ing, slot);
        if (ing->store) twin__store_pump(ing->store);
    }
    to = ing->sigx[slot].unit;
    if (!from) from = to;
    if ((s = conv_slot(ing, from, to, &cv, 1)) != TWIN_OK)
        return twin__ing_fail(ing, s, "unit '%.64s' does not convert to the signal's unit",
                              unit);
    *out = twin__sig_handle(slot, ing->sig[slot].gen, cv);
    return TWIN_OK;
}

