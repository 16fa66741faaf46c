/* Schemas: primitive terms, DTMI references, inline complex schemas. */
#include "dtdl/parse_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Is s a numeric primitive schema? */
int twin__dp_is_numeric(const twin_dtdl_elem *s)
{
    switch (s ? s->prim : 0) {
    case TWIN_DTDL_DOUBLE: case TWIN_DTDL_FLOAT: case TWIN_DTDL_INTEGER: case TWIN_DTDL_LONG:
    case TWIN_DTDL_BYTE: case TWIN_DTDL_SHORT: case TWIN_DTDL_DECIMAL:
    case TWIN_DTDL_UNSIGNED_BYTE: case TWIN_DTDL_UNSIGNED_SHORT:
    case TWIN_DTDL_UNSIGNED_INTEGER: case TWIN_DTDL_UNSIGNED_LONG:
        return 1;
    }
    return 0;
}

/* The short term of a standard DTMI for a schema or unit
 * (dtmi:dtdl:instance:Schema:double;3, dtmi:standard:schema:geospatial:point;2,
 * dtmi:standard:unit:metre;2, ...), or s itself. */
const char *twin__dp_std_term(const twin__dp *p, const char *s, size_t *n)
{
    static const char *const prefixes[] = {
        "dtmi:dtdl:instance:Schema:", "dtmi:standard:schema:geospatial:",
        "dtmi:standard:unit:", "dtmi:standard:schema:",
    };
    size_t k;
    for (k = 0; dp_starts(s, "dtmi:") && k < sizeof prefixes / sizeof prefixes[0]; k++) {
        size_t pl = strlen(prefixes[k]);
        const char *semi;
        if (strncmp(s, prefixes[k], pl) != 0) continue;
        semi = strchr(s + pl, ';');
        if (semi && atoi(semi + 1) == (p->version == 2 ? 2 : atoi(semi + 1))) {
            *n = (size_t)(semi - s - (ptrdiff_t)pl);
            return s + pl;
        }
    }
    *n = strlen(s);
    return s;
}

/* A schema given as a string: a primitive term (or a unit type, or a
 * vocabulary's schema term), else a DTMI reference to resolve. */
static void schema_term(twin__dp *p, twin_dtdl_elem *e, int slot, const char *s, size_t n,
                        uint32_t allowed)
{
    const twin_dtdl_elem *prim = NULL;
    unsigned qt = twin__dp_qt_where(p);
    if (!(allowed & C(TWIN_DTDL_INTERFACE))) {
        size_t tn;
        const char *t = twin__dp_std_term(p, s, &tn);
        prim = twin__dtdl_primitive(t, tn, p->version);
        /* A unit type names the Enum of its units (v2 and QuantitativeTypes). */
        if (!prim && qt && (e->schema_unit_type = twin__unit_type_find(t, tn, qt)))
            prim = twin__dtdl_primitive("string", 6, p->version);
        if (!prim && (p->ext & TWIN__X_OPAQUE) && !dp_starts(s, "dtmi:"))
            return;  /* a schema term of a vocabulary not modelled here */
        if (!prim && (e->schema_term = twin__dp_vocab_schema_term(p, s)) != NULL)
            return;  /* a schema of a modelled vocabulary (iotcentral's vector) */
    }
    if (prim) {
        e->link[slot] = prim;
    } else if (dp_starts(s, "dtmi:") &&
               twin__dtmi_ok(s, n, p->version, p->version == 2 ? 2048 : 4096)) {
        e->ref[slot] = dp_strdup(p, s, n);
    } else {
        twin__dp_err(p, twin__dp_class_of(p, s) || twin__dp_other_class(p, s) ? "badType"
                                                                              : "idRefBadDtmiOrTerm",
                     e, NULL, "'%s' is neither a %s nor a DTMI", s,
                     allowed & C(TWIN_DTDL_INTERFACE) ? "reference" : "primitive schema");
    }
}

/* An inline schema (or an Interface for a Component), within the depth
 * limit of complex schemas. */
static void schema_object(twin__dp *p, twin_dtdl_elem *e, int slot, const twin__json *v,
                          const char *suffix, uint32_t allowed)
{
    twin_dtdl_elem *c;
    int complex = !(allowed & C(TWIN_DTDL_INTERFACE));
    const char *gid = twin__dp_gen_id(p, e->id ? e->id : "dtmi:_", suffix + 1, NULL);
    const twin__json *xid = twin__json_get(v, "@id");
    if (complex && p->sdepth == 0) p->sroot = twin__json_is_string(xid) ? xid->u.str : gid;
    if (complex && ++p->sdepth > dp_depth_max(p)) {
        twin_dtdl_elem root;
        memset(&root, 0, sizeof root);
        root.id = p->sroot;
        twin__dp_err(p, "excessiveDepthWide", &root, NULL,
                     "complex schemas are nested deeper than %u levels", (unsigned)dp_depth_max(p));
        p->sdepth--;
        return;
    }
    c = twin__dp_element(p, v, allowed, 0, e, gid);
    if (complex) p->sdepth--;
    if (c) e->link[slot] = c;
}

/* A schema value: primitive term, DTMI reference, or inline complex schema
 * (or an Interface for a Component). */
void twin__dp_schema(twin__dp *p, twin_dtdl_elem *e, int slot, const twin__json *v, const char *suffix,
                     uint32_t allowed)
{
    if (twin__json_is_array(v)) {
        if ((int)twin__json_count(v) != 1) {
            twin__dp_err(p, "objectMultipleValues", e, NULL, "'%s' takes exactly one schema",
                         suffix + 1);
            return;
        }
        v = v->child;
    }
    if (twin__json_is_string(v))
        schema_term(p, e, slot, v->u.str, v->n, allowed);
    else if (twin__json_is_object(v))
        schema_object(p, e, slot, v, suffix, allowed);
    else
        twin__dp_err(p, "refNotStringOrObject", e, NULL, "a schema must be a string or an object");
}

/* Does schema s hold an Array (in a Map value or an Object field)? */
int twin__dp_has_array(const twin_dtdl_elem *s, int depth)
{
    uint32_t i;
    if (!s || depth > 16) return 0;
    switch (s->kind) {
    case TWIN_DTDL_ARRAY: return 1;
    case TWIN_DTDL_MAP:
        return twin__dp_has_array(s->link[1] ? s->link[1]->link[0] : NULL, depth + 1);
    case TWIN_DTDL_OBJECT:
        for (i = 0; i < s->nlist[0]; i++)
            if (s->list[0][i] && twin__dp_has_array(s->list[0][i]->link[0], depth + 1)) return 1;
        return 0;
    }
    return 0;
}


/* An Enum's values: all of its valueSchema, no enumValue twice. */
void twin__dp_enum_values(twin__dp *p, const twin_dtdl_elem *e)
{
    uint32_t a, b;
    int str = e->link[0]->prim == TWIN_DTDL_STRING;
    for (a = 0; a < e->nlist[0]; a++) {
        const twin_dtdl_elem *v = e->list[0][a];
        if (!v) continue;  /* a reference, checked once resolved */
        if (!!(v->flags & TWIN__EF_ENUM_STR) != str) {
            twin__dp_err(p, "notRequiredType", e, NULL, "enum value '%s' is not %s",
                         v->name ? v->name : "", str ? "a string" : "an integer");
            return;
        }
        for (b = 0; b < a; b++) {
            const twin_dtdl_elem *w = e->list[0][b];
            if (!w) continue;
            if (str ? (v->enum_str && w->enum_str && v->enum_str[0] == w->enum_str[0] &&
                       strcmp(v->enum_str, w->enum_str) == 0)
                    : v->enum_num == w->enum_num) {
                twin__dp_err(p, "nonUniquePropertyValue", e, NULL,
                             "two enum values have the same enumValue");
                break;
            }
        }
    }
}
