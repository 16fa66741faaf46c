/* Reading elements of a resolved set; primitive schemas. */
#include "dtdl/dtdl_int.h"

#include <string.h>

#define PRIM(p, n, v) {.kind = TWIN_DTDL_PRIMITIVE, .prim = (p), .id = "", .name = (n), .depth = (v)}

/* Sorted by name; depth holds the first DTDL version that has it. */
static const struct twin_dtdl_elem prims[] = {
    PRIM(TWIN_DTDL_BOOLEAN, "boolean", 2),
    PRIM(TWIN_DTDL_BYTE, "byte", 4),
    PRIM(TWIN_DTDL_BYTES, "bytes", 4),
    PRIM(TWIN_DTDL_DATE, "date", 2),
    PRIM(TWIN_DTDL_DATETIME, "dateTime", 2),
    PRIM(TWIN_DTDL_DECIMAL, "decimal", 4),
    PRIM(TWIN_DTDL_DOUBLE, "double", 2),
    PRIM(TWIN_DTDL_DURATION, "duration", 2),
    PRIM(TWIN_DTDL_FLOAT, "float", 2),
    PRIM(TWIN_DTDL_INTEGER, "integer", 2),
    PRIM(TWIN_DTDL_LINE_STRING, "lineString", 2),
    PRIM(TWIN_DTDL_LONG, "long", 2),
    PRIM(TWIN_DTDL_MULTI_LINE_STRING, "multiLineString", 2),
    PRIM(TWIN_DTDL_MULTI_POINT, "multiPoint", 2),
    PRIM(TWIN_DTDL_MULTI_POLYGON, "multiPolygon", 2),
    PRIM(TWIN_DTDL_POINT, "point", 2),
    PRIM(TWIN_DTDL_POLYGON, "polygon", 2),
    PRIM(TWIN_DTDL_SHORT, "short", 4),
    PRIM(TWIN_DTDL_STRING, "string", 2),
    PRIM(TWIN_DTDL_TIME, "time", 2),
    PRIM(TWIN_DTDL_UNSIGNED_BYTE, "unsignedByte", 4),
    PRIM(TWIN_DTDL_UNSIGNED_INTEGER, "unsignedInteger", 4),
    PRIM(TWIN_DTDL_UNSIGNED_LONG, "unsignedLong", 4),
    PRIM(TWIN_DTDL_UNSIGNED_SHORT, "unsignedShort", 4),
    PRIM(TWIN_DTDL_UUID, "uuid", 4),
};

#define NPRIMS (sizeof prims / sizeof prims[0])

const twin_dtdl_elem *twin__dtdl_primitive(const char *name, size_t n, int version)
{
    size_t lo = 0, hi = NPRIMS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(prims[mid].name, name, n);
        if (c == 0 && prims[mid].name[n] != '\0') c = 1;
        if (c == 0) return (int)prims[mid].depth <= version ? &prims[mid] : NULL;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const twin_dtdl_elem *twin__dtdl_primitive_by_code(uint32_t prim)
{
    size_t i;
    for (i = 0; i < NPRIMS; i++)
        if (prims[i].prim == prim) return &prims[i];
    return NULL;
}

const char *twin_dtdl_primitive_name(twin_dtdl_primitive p)
{
    size_t i;
    for (i = 0; i < NPRIMS; i++)
        if (prims[i].prim == (uint8_t)p && p) return prims[i].name;
    return "";
}

twin_dtdl_kind twin_dtdl_kind_of(const twin_dtdl_elem *e)
{
    return e ? (twin_dtdl_kind)e->kind : (twin_dtdl_kind)0;
}

const char *twin_dtdl_id(const twin_dtdl_elem *e)
{
    return e && e->id ? e->id : "";
}

const char *twin_dtdl_name(const twin_dtdl_elem *e)
{
    return e && e->name && e->kind != TWIN_DTDL_PRIMITIVE ? e->name : "";
}

int twin_dtdl_version(const twin_dtdl_elem *e)
{
    return e ? e->version : 0;
}

static const char *pick(const twin__lang *l, uint16_t n, const char *lang)
{
    uint16_t i;
    const char *en = NULL;
    if (!n) return "";
    if (!lang) lang = "en";
    for (i = 0; i < n; i++) {
        if (strcmp(l[i].lang, lang) == 0) return l[i].text;
        if (!en && (strcmp(l[i].lang, "en") == 0 || l[i].lang[0] == '\0')) en = l[i].text;
    }
    return en ? en : l[0].text;
}

const char *twin_dtdl_display_name(const twin_dtdl_elem *e, const char *lang)
{
    return e ? pick(e->display, e->ndisplay, lang) : "";
}

const char *twin_dtdl_description(const twin_dtdl_elem *e, const char *lang)
{
    return e ? pick(e->desc, e->ndesc, lang) : "";
}

const char *twin_dtdl_comment(const twin_dtdl_elem *e)
{
    return e && e->comment ? e->comment : "";
}

twin_dtdl_primitive twin_dtdl_primitive_of(const twin_dtdl_elem *e)
{
    return e && e->kind == TWIN_DTDL_PRIMITIVE ? (twin_dtdl_primitive)e->prim
                                               : TWIN_DTDL_NOT_PRIMITIVE;
}

const twin_dtdl_elem *twin_dtdl_link(const twin_dtdl_elem *e, twin_dtdl_link_kind link)
{
    if (!e) return NULL;
    switch (link) {
    case TWIN_DTDL_SCHEMA:
        switch (e->kind) {
        case TWIN_DTDL_TELEMETRY: case TWIN_DTDL_PROPERTY: case TWIN_DTDL_COMPONENT:
        case TWIN_DTDL_FIELD: case TWIN_DTDL_MAP_KEY: case TWIN_DTDL_MAP_VALUE:
        case TWIN_DTDL_COMMAND_REQUEST: case TWIN_DTDL_COMMAND_RESPONSE:
            return e->link[0];
        }
        return NULL;
    case TWIN_DTDL_ELEMENT_SCHEMA: return e->kind == TWIN_DTDL_ARRAY ? e->link[0] : NULL;
    case TWIN_DTDL_VALUE_SCHEMA: return e->kind == TWIN_DTDL_ENUM ? e->link[0] : NULL;
    case TWIN_DTDL_MAP_KEY_OF: return e->kind == TWIN_DTDL_MAP ? e->link[0] : NULL;
    case TWIN_DTDL_MAP_VALUE_OF: return e->kind == TWIN_DTDL_MAP ? e->link[1] : NULL;
    case TWIN_DTDL_REQUEST: return e->kind == TWIN_DTDL_COMMAND ? e->link[0] : NULL;
    case TWIN_DTDL_RESPONSE: return e->kind == TWIN_DTDL_COMMAND ? e->link[1] : NULL;
    case TWIN_DTDL_TARGET: return e->kind == TWIN_DTDL_RELATIONSHIP ? e->link[0] : NULL;
    case TWIN_DTDL_PARENT: return e->parent;
    }
    return NULL;
}

/* The slot of list l for element e, or -1. */
static int slot(const twin_dtdl_elem *e, twin_dtdl_list_kind l)
{
    switch (l) {
    case TWIN_DTDL_OWN_CONTENTS: return e->kind == TWIN_DTDL_INTERFACE ? 0 : -1;
    case TWIN_DTDL_EXTENDS: return e->kind == TWIN_DTDL_INTERFACE ? 1 : -1;
    case TWIN_DTDL_SCHEMAS: return e->kind == TWIN_DTDL_INTERFACE ? 2 : -1;
    case TWIN_DTDL_FIELDS: return e->kind == TWIN_DTDL_OBJECT ? 0 : -1;
    case TWIN_DTDL_ENUM_VALUES: return e->kind == TWIN_DTDL_ENUM ? 0 : -1;
    case TWIN_DTDL_PROPERTIES: return e->kind == TWIN_DTDL_RELATIONSHIP ? 0 : -1;
    case TWIN_DTDL_CONTENTS: break;
    }
    return -1;
}

size_t twin_dtdl_count(const twin_dtdl_elem *e, twin_dtdl_list_kind list)
{
    int s;
    if (!e) return 0;
    if (list == TWIN_DTDL_CONTENTS) return e->kind == TWIN_DTDL_INTERFACE ? e->nall : 0;
    s = slot(e, list);
    return s < 0 ? 0 : e->nlist[s];
}

const twin_dtdl_elem *twin_dtdl_at(const twin_dtdl_elem *e, twin_dtdl_list_kind list, size_t i)
{
    int s;
    if (!e) return NULL;
    if (list == TWIN_DTDL_CONTENTS)
        return e->kind == TWIN_DTDL_INTERFACE && i < e->nall ? e->all[i] : NULL;
    s = slot(e, list);
    return s < 0 || i >= e->nlist[s] ? NULL : e->list[s][i];
}

const twin_dtdl_elem *twin_dtdl_content(const twin_dtdl_elem *iface, const char *name)
{
    uint32_t i;
    if (!iface || !name || iface->kind != TWIN_DTDL_INTERFACE) return NULL;
    for (i = 0; i < iface->nall; i++)
        if (iface->all[i]->name && strcmp(iface->all[i]->name, name) == 0) return iface->all[i];
    return NULL;
}

int twin_dtdl_is_a(const twin_dtdl_elem *iface, const twin_dtdl_elem *other)
{
    uint32_t k;
    if (!iface || !other || iface->kind != TWIN_DTDL_INTERFACE) return 0;
    if (iface == other) return 1;
    for (k = 0; k < iface->nlist[1]; k++)
        if (twin_dtdl_is_a(iface->list[1][k], other)) return 1;
    return 0;
}

int twin_dtdl_writable(const twin_dtdl_elem *e)
{
    return e && (e->flags & TWIN__EF_WRITABLE) ? 1 : 0;
}

twin_status twin_dtdl_multiplicity(const twin_dtdl_elem *e, uint32_t *min, uint32_t *max)
{
    if (!e || e->kind != TWIN_DTDL_RELATIONSHIP) return TWIN_E_INVAL;
    if (min) *min = e->minm;
    if (max) *max = e->maxm;
    return TWIN_OK;
}

size_t twin_dtdl_cotype_count(const twin_dtdl_elem *e)
{
    return e ? e->ncotypes : 0;
}

const char *twin_dtdl_cotype(const twin_dtdl_elem *e, size_t i)
{
    return e && i < e->ncotypes ? e->cotypes[i] : NULL;
}

const char *twin_dtdl_semantic_type(const twin_dtdl_elem *e)
{
    return e && e->semtype ? e->semtype : "";
}

const char *twin_dtdl_unit(const twin_dtdl_elem *e)
{
    return e && e->unit ? e->unit : "";
}

twin_status twin_dtdl_enum_value(const twin_dtdl_elem *e, const char **str, int64_t *num)
{
    if (!e || e->kind != TWIN_DTDL_ENUM_VALUE) return TWIN_E_INVAL;
    if (str) *str = (e->flags & TWIN__EF_ENUM_STR) ? e->enum_str : NULL;
    if (num) *num = (e->flags & TWIN__EF_ENUM_STR) ? 0 : e->enum_num;
    return TWIN_OK;
}
