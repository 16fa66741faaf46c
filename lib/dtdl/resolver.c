/* The DTDL module's signal resolver for ingest: a model set answers which
 * signals a twin of a model has, and their units (host and firmware builds:
 * it needs no JSON parser; ingest itself needs none of DTDL). */
#include "dtdl/dtdl_int.h"

#include "twin/ingest.h"
#include "core/sized.h"

#include <string.h>

static int numeric(twin_dtdl_primitive p)
{
    switch (p) {
    case TWIN_DTDL_DOUBLE:
    case TWIN_DTDL_FLOAT:
    case TWIN_DTDL_INTEGER:
    case TWIN_DTDL_LONG:
    case TWIN_DTDL_BYTE:
    case TWIN_DTDL_SHORT:
    case TWIN_DTDL_DECIMAL:
    case TWIN_DTDL_UNSIGNED_BYTE:
    case TWIN_DTDL_UNSIGNED_SHORT:
    case TWIN_DTDL_UNSIGNED_INTEGER:
    case TWIN_DTDL_UNSIGNED_LONG:
        return 1;
    default:
        return 0;
    }
}

static twin_status resolve(void *ud, const char *twin_id, const char *model_id,
                           const char *signal, const char **unit)
{
    const twin_models *m = ud;
    const twin_dtdl_elem *iface = twin_models_find(m, model_id), *c;
    twin_dtdl_kind k;
    (void)twin_id;
    if (!iface || twin_dtdl_kind_of(iface) != TWIN_DTDL_INTERFACE) return TWIN_E_NOTFOUND;
    c = twin_dtdl_content(iface, signal);
    k = twin_dtdl_kind_of(c);
    if (k != TWIN_DTDL_TELEMETRY && k != TWIN_DTDL_PROPERTY) return TWIN_E_NOTFOUND;
    if (!numeric(twin_dtdl_primitive_of(twin_dtdl_link(c, TWIN_DTDL_SCHEMA))))
        return TWIN_E_NOTFOUND;
    *unit = twin_dtdl_unit(c);
    return TWIN_OK;
}

twin_status twin_ingest_resolver_from_models(const struct twin_models *m,
                                             twin_ingest_resolver *out)
{
    twin_ingest_resolver r;
    if (!m || !out) return TWIN_E_INVAL;
    if (!m->sealed) return TWIN_E_STATE;
    memset(&r, 0, sizeof r);
    r.resolve = resolve;
    r.ud = (void *)(uintptr_t)m;
    /* A filler: twin_ingest_resolver as published in 1.3 is its whole size today. */
    twin__sized_fill(out, &r, sizeof r, sizeof r);
    return TWIN_OK;
}
