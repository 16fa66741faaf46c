/* Building a whole state aside and swapping it in (see build.h). */
#include "storage/build.h"

#include "core/format.h"
#include "graph/rebuild.h"

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
    twin_status s;
    memset(b, 0, sizeof *b);
    b->g = g;
    b->ing = ing;
    if (ing && twin__ing_graph(ing) != g)
        return twin__build_fail(b, TWIN_E_INVAL, "the ingest handle is not over this graph");
    if (ing && twin__ing_in_callback(ing))
        return twin__build_fail(b, TWIN_E_STATE, "called from a callback");
    if (ing && twin__ing_store_pending(ing))
        return twin__build_fail(b, TWIN_E_BUSY,
                                "the store has unconfirmed changes (flush it first)");
    if ((s = twin__graph_create_like(g, twin_hint, rel_hint, &b->tg)) != TWIN_OK)
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

/* An error of the ingest handle built aside, moved to the targets. */
static twin_status ingest_failed(twin__build *b, twin_status s)
{
    return twin__build_fail(b, s, "%s", twin_ingest_last_error(b->ting)->message);
}

twin_status twin__build_profiles(twin__build *b, const twin_health_options *o, uint32_t n)
{
    twin_status s;
    if (!b->ting) return TWIN_OK;
    s = twin__ing_restore_profiles(b->ting, o, n);
    return s == TWIN_OK ? s : ingest_failed(b, s);
}

twin_status twin__build_signal(twin__build *b, const char *twin_id, const char *name,
                               const twin_signal_options *o, const twin__sigstate *st)
{
    twin_status s;
    if (!b->ting) return TWIN_OK;
    s = twin__ing_restore_signal(b->ting, twin_id, name, o, st);
    return s == TWIN_OK ? s : ingest_failed(b, s);
}

void twin__build_totals(twin__build *b, const uint64_t *tot, uint64_t health_errors,
                        uint64_t events)
{
    if (b->ting) twin__ing_set_totals(b->ting, tot, health_errors, events);
}
