/* Loading a graph and its signals from the host's store at start-up. */
#include "storage/build.h"

#include "graph/rebuild.h"
#include "core/sized.h"

#include <math.h>
#include <string.h>

static twin_status loader_failed(twin__build *b, twin_status s, const char *what)
{
    return twin__build_fail(b, s, "the loader's %s failed: %s", what, twin_strerror(s));
}

static twin_status load_twins(twin__build *b, const twin_store_loader *ld)
{
    twin_status s;
    if (!ld->next_twin) return TWIN_OK;
    for (;;) {
        twin_store_twin t;
        memset(&t, 0, sizeof t);
        t.size = sizeof t;
        s = ld->next_twin(ld->ud, &t);
        if (s == TWIN_DONE) return TWIN_OK;
        if (s < 0) return loader_failed(b, s, "next_twin");
        if (s != TWIN_OK) return twin__build_fail(b, TWIN_E_INVAL, "next_twin returned %d", s);
        if ((s = twin__build_twin(b, t.id, t.model_id, t.props, t.nprops)) != TWIN_OK) return s;
    }
}

static twin_status load_rels(twin__build *b, const twin_store_loader *ld)
{
    twin_status s;
    if (!ld->next_relationship) return TWIN_OK;
    for (;;) {
        twin_relationship r = TWIN_RELATIONSHIP_INIT;
        s = ld->next_relationship(ld->ud, &r);
        if (s == TWIN_DONE) return TWIN_OK;
        if (s < 0) return loader_failed(b, s, "next_relationship");
        if (s != TWIN_OK)
            return twin__build_fail(b, TWIN_E_INVAL, "next_relationship returned %d", s);
        if ((s = twin__build_rel(b, r.source_id, r.id, r.name, r.target_id, r.properties,
                                 r.property_count)) != TWIN_OK)
            return s;
    }
}

static twin_status load_signals(twin__build *b, const twin_store_loader *ld)
{
    twin_status s;
    if (!ld->next_signal || !b->ting) return TWIN_OK;
    for (;;) {
        twin_store_loaded_signal x;
        twin__sigstate st;
        twin_health h;
        twin_error e;
        memset(&x, 0, sizeof x);
        x.size = sizeof x;
        s = ld->next_signal(ld->ud, &x);
        if (s == TWIN_DONE) return TWIN_OK;
        if (s < 0) return loader_failed(b, s, "next_signal");
        if (s != TWIN_OK) return twin__build_fail(b, TWIN_E_INVAL, "next_signal returned %d", s);
        memset(&st, 0, sizeof st);
        st.has_latest = x.has_latest ? 1 : 0;
        st.last_t = x.latest_t_us;
        st.last_v = x.latest_value;
        if (st.has_latest && !isfinite(st.last_v))
            return twin__build_fail(b, TWIN_E_INVAL, "signal '%.128s': latest value not finite",
                                    x.name ? x.name : "");
        if (x.health_options) {
            twin_health_options o;
            twin_health_options_init(&o);
            if ((s = twin__sized_in(&o, sizeof o, x.health_options)) != TWIN_OK)
                return twin__build_fail(b, s, "signal '%.128s': health options size",
                                        x.name ? x.name : "");
            /* A store cannot keep a user model's functions: the ingest
             * handle's user_model runs the states it brings back without
             * their table. */
            if (o.model == TWIN_HEALTH_USER && !o.user) {
                if (!twin__ing_user_model(b->ing))
                    return twin__build_fail(b, TWIN_E_STATE,
                                            "signal '%.128s' has a user-model health state "
                                            "and the ingest handle has no user_model",
                                            x.name ? x.name : "");
                o.user = twin__ing_user_model(b->ing);
            }
            if (x.health) {
                h = *x.health;
            } else if ((s = twin_health_init(&h, &o, x.health_t0_us, &e)) != TWIN_OK) {
                return twin__build_fail(b, s, "signal '%.128s': %s", x.name ? x.name : "",
                                        e.message);
            }
            st.hopt = &o;
            st.health = &h;
            if ((s = twin__build_signal(b, x.twin_id, x.name, x.options, &st)) != TWIN_OK)
                return s;
            continue;
        }
        if ((s = twin__build_signal(b, x.twin_id, x.name, x.options, &st)) != TWIN_OK) return s;
    }
}

twin_status twin_store_load(twin_graph *g, twin_ingest *ing, const twin_store_loader *ld)
{
    twin__build b;
    twin_store_loader l;
    twin_status s;
    if (!g) return TWIN_E_INVAL;
    if (!ld) return twin__fail(g, TWIN_E_INVAL, "twin_store_load: the loader is NULL");
    if (ing && twin__ing_graph(ing) != g)
        return twin__fail(g, TWIN_E_INVAL, "twin_store_load: the ingest handle is over another graph");
    memset(&l, 0, sizeof l);
    if ((s = twin__sized_in(&l, sizeof l, ld)) != TWIN_OK)
        return twin__fail(g, s, "twin_store_load: loader size %u, this library's is %u",
                          (unsigned)ld->size, (unsigned)sizeof *ld);
    ld = &l;
    if ((s = twin__build_begin(&b, g, ing, 0, 0, 0)) != TWIN_OK) return s;
    if ((s = load_twins(&b, ld)) != TWIN_OK || (s = load_rels(&b, ld)) != TWIN_OK ||
        (s = load_signals(&b, ld)) != TWIN_OK) {
        twin__build_abort(&b);
        return s;
    }
    twin__build_commit(&b);
    return TWIN_OK;
}
