/* A host session's binding to a graph and an ingest handle (host.c's sink):
 * DBIRTHs make twins and signal handles, DATA goes to the ingest handle in
 * one batch per message, DDEATH and NDEATH mark the twins stale. */
#include "sp_int.h"

#include <string.h>

#define ENG_UNIT "engUnit"

typedef struct sp_bind {
    twin_allocator a;
    twin_graph *g;
    twin_ingest *ing;
    char *model_id, *prop;        /* copies; prop "" : none */
    size_t model_len, prop_len;
    int has_health;
    twin_health_options health;
    int64_t t0_us;
    twin_sp_bind_stats st;
} sp_bind;

TWIN_SP_API twin_status twin_sp_bind_options_init_(twin_sp_bind_options *o, size_t size)
{
    twin_sp_bind_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.model_id = TWIN_SP_DEVICE_MODEL;
    d.online_property = TWIN_SP_ONLINE_PROPERTY;
    return twin__sized_init(o, size, &d, sizeof d);
}

static int numeric(uint32_t t)
{
    return (t >= TWIN_SP_INT8 && t <= TWIN_SP_BOOLEAN) || t == TWIN_SP_DATETIME;
}

/* The metric's engUnit property (the last one, among any number of
 * properties), NUL-terminated into buf; "" if none, or if it is not a string
 * shorter than cap (no unit is that long: as an unknown unit, the values
 * are then kept as they come). */
static void eng_unit(const twin_sp_metric *m, char *buf, size_t cap)
{
    twin_sp_property p;
    buf[0] = 0;
    if (!(m->flags & TWIN_SP_HAS_PROPERTIES) ||
        twin__sp_property_find(m->properties, m->properties_len, ENG_UNIT, strlen(ENG_UNIT),
                               &p) != TWIN_OK)
        return;
    if (p.field == TWIN_SP_FIELD_STRING && p.data && p.len < cap) {
        memcpy(buf, p.data, p.len);
        buf[p.len] = 0;
    }
}

static uint64_t bind_metric(void *ud, const char *group, const char *node, const char *device,
                            const twin_sp_metric *m)
{
    sp_bind *b = (sp_bind *)ud;
    char twin[TWIN_ID_MAX + 1], name[TWIN_ID_MAX + 1], unit[64];
    twin_signal sig = 0;
    twin_status s;
    (void)group;
    (void)node;
    if (!device)
        return 0;  /* node metrics are not mirrored */
    if (!numeric(m->datatype) || !m->name || m->name_len > TWIN_ID_MAX ||
        twin_sp_id_unescape(twin, sizeof twin, NULL, device, strlen(device)) < 0)
        goto refused;
    memcpy(name, m->name, m->name_len);
    name[m->name_len] = 0;
    if (twin_graph_find_twin(b->g, twin, NULL) == TWIN_E_NOTFOUND) {
        if (twin_graph_add_twin(b->g, twin, b->model_id, NULL, 0) < 0)
            goto refused;
        b->st.twins_created++;
    }
    eng_unit(m, unit, sizeof unit);
    s = twin_ingest_resolve(b->ing, twin, name, unit[0] ? unit : NULL, &sig);
    if (s == TWIN_E_NOTFOUND) {
        twin_signal_options o;
        twin_signal_options_init(&o);
        o.unit = unit[0] ? unit : NULL;
        s = twin_ingest_add_signal(b->ing, twin, name, &o, &sig);
        if (s == TWIN_E_NOTFOUND && o.unit) {  /* not a DTDL unit: keep the values as they come */
            o.unit = NULL;
            s = twin_ingest_add_signal(b->ing, twin, name, &o, &sig);
        }
        if (s == TWIN_OK && b->has_health)  /* on failure the signal stays, without a model */
            (void)twin_ingest_attach_health(b->ing, sig, &b->health, b->t0_us);
    }
    if (s < 0 || !sig)
        goto refused;
    b->st.signals_bound++;
    return sig;
refused:
    b->st.not_bound++;
    return 0;
}

static void bind_write(void *ud, const twin_signal_sample *smp, size_t n)
{
    sp_bind *b = (sp_bind *)ud;
    b->st.samples += n;
    if (twin_ingest_write_signals(b->ing, smp, n, NULL, NULL) < 0)
        b->st.write_errors++;
}

static void bind_status(void *ud, const char *group, const char *node, const char *device,
                        int online)
{
    sp_bind *b = (sp_bind *)ud;
    char twin[TWIN_ID_MAX + 1];
    (void)group;
    (void)node;
    if (!b->prop_len || twin_sp_id_unescape(twin, sizeof twin, NULL, device, strlen(device)) < 0)
        return;
    twin_value v = twin_value_bool(online);
    (void)twin_graph_set_property(b->g, twin, b->prop, &v);  /* an absent twin stays absent */
}

static void bind_fini(void *ud)
{
    sp_bind *b = (sp_bind *)ud;
    twin_allocator a = b->a;
    sp_free(&a, b->model_id, b->model_len + 1);
    sp_free(&a, b->prop, b->prop_len + 1);
    sp_free(&a, b, sizeof *b);
}

TWIN_SP_API twin_status twin_sp_host_bind(twin_sp_host *h, twin_graph *g, twin_ingest *ing,
                                          const twin_sp_bind_options *o)
{
    twin_sp_bind_options opt;
    twin_status st;
    if (!h || !g || !ing)
        return TWIN_E_INVAL;
    twin_sp_bind_options_init(&opt);
    if (o && (st = twin__sized_in(&opt, sizeof opt, o)) != TWIN_OK)
        return st;
    if (!opt.model_id || !opt.model_id[0] || !opt.online_property)
        return TWIN_E_INVAL;
    if (twin__sp_host_sink(h)->bind)
        return TWIN_E_STATE;
    const twin_allocator *a = twin__sp_host_alloc(h);
    sp_bind *b = (sp_bind *)sp_alloc(a, sizeof *b);
    if (!b)
        return TWIN_E_NOMEM;
    memset(b, 0, sizeof *b);
    b->a = *a;
    b->g = g;
    b->ing = ing;
    b->model_len = strlen(opt.model_id);
    b->prop_len = strlen(opt.online_property);
    b->model_id = twin__sp_strndup(a, opt.model_id, b->model_len);
    b->prop = twin__sp_strndup(a, opt.online_property, b->prop_len);
    if (opt.health) {
        b->has_health = 1;
        twin_health_options_init(&b->health);
        if ((st = twin__sized_in(&b->health, sizeof b->health, opt.health)) != TWIN_OK) {
            sp_free(a, b, sizeof *b);
            return st;
        }
        b->t0_us = opt.health_t0_us;
    }
    b->st.size = sizeof b->st;
    if (!b->model_id || !b->prop) {
        bind_fini(b);
        return TWIN_E_NOMEM;
    }
    sp_host_sink k = {bind_metric, bind_write, bind_status, bind_fini, b};
    return twin__sp_host_set_sink(h, &k);
}

TWIN_SP_API twin_status twin_sp_host_bind_stats(const twin_sp_host *h, twin_sp_bind_stats *out)
{
    twin_status st;
    if (!h || !out)
        return TWIN_E_INVAL;
    if ((st = twin__sized_check(out, sizeof *out)) != TWIN_OK)
        return st;
    const sp_host_sink *k = twin__sp_host_sink(h);
    if (k->bind != bind_metric)
        return TWIN_E_NOTFOUND;
    return twin__sized_out(out, &((const sp_bind *)k->ud)->st, sizeof(twin_sp_bind_stats));
}
