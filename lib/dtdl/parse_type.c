/* @type: the class of an element and its co-types (semantic types,
 * extension co-types, modelled vocabularies). */
#include "dtdl/parse_int.h"

#include <stdlib.h>
#include <string.h>

/* A class name ("Telemetry" or "dtmi:dtdl:class:Telemetry;3") to its kind,
 * 0 if none, -1 for v2's CommandPayload (its position decides). */
int twin__dp_class_of(const twin__dp *p, const char *t)
{
    int k;
    const char *name = t, *semi = NULL;
    size_t n;
    if (dp_starts(t, "dtmi:dtdl:class:")) {
        /* dtmi:dtdl:class:Telemetry;3 names Telemetry in DTDL v3 only */
        name = t + 16;
        semi = strchr(name, ';');
        if (!semi || semi[1] != (char)('0' + p->version) || semi[2] != '\0') return 0;
    }
    if (semi) n = (size_t)(semi - name);
    else for (n = 0; name[n]; n++) continue;
    for (k = 1; k < (int)twin__dp_nclass_names; k++) {
        const char *c = twin__dp_class_names[k];
        size_t j = 0;
        if (!c || c[0] != name[0]) continue;
        while (j < n && c[j] == name[j]) j++;
        if (j == n && c[n] == '\0')
            goto found;
    }
    if (p->version == 2 && (dp_is(t, "CommandPayload") ||
                            dp_is(t, "dtmi:dtdl:class:CommandPayload;2")))
        return -1;
    return 0;
found:
    if (p->version == 2 && (k == TWIN_DTDL_COMMAND_REQUEST || k == TWIN_DTDL_COMMAND_RESPONSE))
        return 0;
    return k;
}

/* Where semantic types and units come from: v2 native, or the
 * QuantitativeTypes versions in force. */
unsigned twin__dp_qt_where(const twin__dp *p)
{
    if (p->version == 2) return TWIN__QT_V2NATIVE;
    return (p->ext & TWIN__X_QT1 ? TWIN__QT_1 : 0u) | (p->ext & TWIN__X_QT2 ? TWIN__QT_2 : 0u) |
           (p->ext & TWIN__X_QT3 ? TWIN__QT_3 : 0u);
}

/* Extension co-types (not semantic types) by extension bit. */
static unsigned ext_cotype(const char *t)
{
    if (dp_is(t, "Historized")) return TWIN__X_HIST;
    if (dp_is(t, "ValueAnnotation")) return TWIN__X_ANNOT;
    if (dp_is(t, "Override")) return TWIN__X_OVERRIDE;
    return 0;
}

/* DTDL metamodel classes that are not element classes (abstract ones,
 * primitive schema classes, unit classes): naming one in @type is a class
 * in the wrong place, not an undefined term. */
int twin__dp_other_class(const twin__dp *p, const char *t)
{
    static const char *const names[] = {
        "Boolean", "CommandType", "ComplexSchema", "Content", "Date", "DateTime", "Double",
        "Duration", "Entity", "Float", "Integer", "LatentType", "Long", "NamedEntity",
        "NamedLatentType", "PrimitiveSchema", "QuantitativeType", "Schema", "SchemaField",
        "SemanticType", "SemanticUnit", "String", "Time", "Unit", "UnitAttribute",
        "Byte", "Bytes", "Decimal", "Short", "Uuid", "UnsignedByte", "UnsignedShort",
        "UnsignedInteger", "UnsignedLong", "Point", "LineString", "Polygon", "MultiPoint",
        "MultiLineString", "MultiPolygon",
    };
    size_t k;
    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        if (names[k][0] == t[0] && dp_is(t, names[k])) return 1;
    return twin__unit_type_find(t, strlen(t), twin__dp_qt_where(p)) != 0;
}

/* A semantic type written as its standard DTMI (dtmi:standard:class:Area;2,
 * DTDL v2) stands for its term. */
static const char *std_class(const twin__dp *p, const char *s, size_t *n)
{
    const char *semi;
    if (dp_starts(s, "dtmi:standard:class:") && (semi = strchr(s + 20, ';')) != NULL &&
        atoi(semi + 1) == p->version) {
        *n = (size_t)(semi - s - 20);
        return s + 20;
    }
    *n = strlen(s);
    return s;
}

/* Is t the term of a DTDL property (a name that cannot be a type)? */
int twin__dp_is_property_term(const char *t)
{
    size_t i;
    static const char *const common[] = {"displayName", "description", "comment", "unit"};
    if (twin__dp_is_class_property(t)) return 1;
    for (i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(common[i], t) == 0) return 1;
    return 0;
}

/* A class that may not stand here: reported against the element that
 * holds this one (the official parser's badType). */
void twin__dp_bad_type(twin__dp *p, const twin_dtdl_elem *e, const char *t)
{
    const twin_dtdl_elem *at = e->parent ? e->parent : NULL;
    twin__dp_err(p, "badType", at, e->id, "@type '%s' is not allowed here", t);
}

/* No class in @type: the element's class comes from where it stands. */
int twin__dp_typed_by_position(const twin__json *t)
{
    const twin__json *it;
    if (!t) return 1;
    if (twin__json_is_string(t)) return 0;  /* one term: a class or (v2) an error reported elsewhere */
    TWIN__JSON_EACH(it, t)
        if (twin__json_is_string(it) && (dp_is(it->u.str, "CommandRequest") ||
                                   dp_is(it->u.str, "CommandResponse") ||
                                   dp_is(it->u.str, "MapValue") ||
                                   dp_is(it->u.str, "Field")))
            return 0;
    return 1;
}


/* What the terms of one @type say so far. */
typedef struct typing {
    int cls;          /* the class named, 0 if none yet */
    int bad;          /* a term was refused */
    unsigned xcot;    /* extension co-types (TWIN__X_HIST...) */
    const twin__xtype *xts[8];  /* co-types of modelled vocabularies */
    uint32_t nxt;
} typing;

/* A term naming a class k (k < 0: v2's CommandPayload). */
static void type_class(twin__dp *p, twin_dtdl_elem *e, typing *ty, int k, const char *s,
                       uint32_t allowed, int inferred)
{
    if (k < 0) k = inferred;  /* v2 CommandPayload: position decides */
    if (ty->cls && ty->cls != k) {
        twin__dp_err(p, "multipleMaterialTypes", e, NULL, "@type names two classes");
        ty->bad = 1;
    } else if (!(allowed & C(k)) || (k == inferred ? 0 : inferred && inferred != k)) {
        twin__dp_bad_type(p, e, s);
        ty->bad = 1;
    }
    ty->cls = k;
}

/* A term that cannot be a co-type here: a property, a schema, another
 * metamodel class, an invalid DTMI. 1 when it was reported. */
static int type_misplaced(twin__dp *p, twin_dtdl_elem *e, const char *s)
{
    if (twin__dp_is_property_term(s)) {
        twin__dp_err(p, "typeIrrelevantDtmiOrTerm", e, NULL,
                     "@type '%s' names a property, not a type", s);
        return 1;
    }
    if (twin__dtdl_primitive(s, strlen(s), p->version) &&
        !(p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS)) {
        /* a DTDL term that names a schema, not a type */
        twin__dp_err(p, "typeIrrelevantDtmiOrTerm", e, NULL, "@type '%s' names a schema, not a type",
                     s);
        return 1;
    }
    if (twin__dp_other_class(p, s)) {
        twin__dp_bad_type(p, e, s);
        return 1;
    }
    if ((dp_starts(s, "dtmi:") && twin_dtmi_parse(s, strlen(s), NULL)) ||
        (p->version > 2 && strchr(s, '/'))) {
        twin__dp_err(p, dp_starts(s, "dtmi:") ? "typeInvalidDtmi" : "typeNotDtmiNorTerm", e,
                     NULL, "@type '%s' is neither a term nor a valid DTMI", s);
        return 1;
    }
    return 0;
}

/* A co-type term: a semantic type, an extension co-type, a modelled
 * vocabulary's co-type, or an undefined term where those pass. Kept in
 * e's co-types unless refused. */
static void type_cotype(twin__dp *p, twin_dtdl_elem *e, typing *ty, const char *s)
{
    size_t sn;
    const char *sterm = std_class(p, s, &sn);
    const twin__semtype *st = twin__semtype_find(sterm, sn, twin__dp_qt_where(p));
    const twin__xtype *xt;
    unsigned xb = ext_cotype(s);
    if (st && e->semtype && strcmp(e->semtype, twin__semtype_name(st)) == 0) return;  /* term and DTMI */
    if (st && e->semtype) {
        twin__dp_err(p, "conflictingSupplementalTypes", e, NULL,
                     "@type names two semantic types ('%s', '%s')", e->semtype, s);
        ty->bad = 1;
        return;
    }
    if (st) {
        e->semtype = dp_strdup(p, sterm, sn);
    } else if (xb && (p->ext & xb)) {
        ty->xcot |= xb;
    } else if ((xt = twin__dp_vocab_type(p, s)) != NULL) {
        if (ty->nxt < sizeof ty->xts / sizeof ty->xts[0]) ty->xts[ty->nxt++] = xt;
    } else if ((p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS) ||
               (p->version == 2 && !dp_starts(s, "dtmi:")) || (p->ext & TWIN__X_OPAQUE)) {
        /* DTDL v2 permits undefined co-type terms (not DTMIs); so do
           contexts whose vocabulary is not modelled here. */
        e->flags |= TWIN__EF_UNDEF_TYPE;
    } else {
        twin__dp_err(p, (p->ext & TWIN__X_UNRESOLVED) ? "unresolvableContextVersion"
                        : dp_starts(s, "dtmi:") ? "typeIrrelevantDtmiOrTerm"
                                                      : "typeUndefinedTerm",
                     e, NULL, "@type '%s' is not defined by any context in force", s);
        ty->bad = 1;
        return;
    }
    ((const char **)e->cotypes)[e->ncotypes++] = dp_strdup(p, s, strlen(s));
}

/* Historized and ValueAnnotation apply to a Telemetry or a Property,
 * Override to a Property; all need DTDL v3 or later. 0 when they do not. */
static int ext_cotypes_fit(twin__dp *p, const twin_dtdl_elem *e, unsigned xcot, int k)
{
    const char *name = (xcot & TWIN__X_HIST)    ? "Historized"
                       : (xcot & TWIN__X_ANNOT) ? "ValueAnnotation"
                                                : "Override";
    int fits = (xcot & TWIN__X_OVERRIDE) ? k == TWIN_DTDL_PROPERTY
                                          : (k == TWIN_DTDL_TELEMETRY || k == TWIN_DTDL_PROPERTY);
    if (!fits) {
        twin__dp_err(p, "invalidCotype", e, NULL, "%s cannot apply to a %s", name,
                     k ? twin__dp_class_names[k] : "element");
        return 0;
    }
    if (p->version < 3) {
        twin__dp_err(p, "invalidCotypeVersion", e, NULL, "%s needs DTDL v3 or later", name);
        return 0;
    }
    return 1;
}

/* After every term: the modelled co-types kept, the extension co-types
 * checked, and the class (from the terms, or from the position). */
static int types_end(twin__dp *p, twin_dtdl_elem *e, const typing *ty, uint32_t allowed,
                     int inferred)
{
    if (ty->nxt) {
        const twin__xtype **v = dp_alloc(p, ty->nxt * sizeof *v);
        if (!v) return 0;
        memcpy(v, ty->xts, ty->nxt * sizeof *v);
        e->xt = v;
        e->nxt = ty->nxt;
    }
    if (ty->xcot && !ext_cotypes_fit(p, e, ty->xcot, ty->cls ? ty->cls : inferred)) return 0;
    if (ty->cls) return ty->cls;
    if (inferred && p->version == 2) return inferred;
    if (inferred) {
        /* an explicit @type must name the class, even where it could be inferred */
        twin__dp_bad_type(p, e, "(no class)");
        return 0;
    }
    twin__dp_err(p, "missingRequiredType", e, NULL, "@type names no DTDL class (expected %s)",
                 allowed & C(TWIN_DTDL_INTERFACE) ? "Interface" : "an element class");
    return 0;
}

/* No @type: the class from the position, if it may be inferred there. */
static int untyped(twin__dp *p, twin_dtdl_elem *e, int inferred, int idref_only)
{
    if (inferred) return inferred;
    if (!e->parent)
        twin__dp_err(p, "typeNotRootable", NULL, NULL, "a top-level element needs @type Interface");
    else if (idref_only)
        twin__dp_err(p, "idReference", e->parent, e->id,
                     "an element given only by {\"@id\"} must be written as its DTMI string");
    else
        twin__dp_bad_type(p, e, "(none)");
    return 0;
}

/* Parse "@type": returns the class (0 after an error), fills co-types. */
int twin__dp_types(twin__dp *p, twin_dtdl_elem *e, const twin__json *t, uint32_t allowed, int inferred,
                   int idref_only)
{
    const twin__json *it;
    int n;
    typing ty;
    size_t mk;
    if (!t) return untyped(p, e, inferred, idref_only);
    mk = dp_push(p, "@type");
    if (twin__json_is_string(t)) n = 1;
    else if (twin__json_is_array(t) && (n = (int)twin__json_count(t)) > 0) {
    } else {
        twin__dp_err(p, "typeNotDtmiNorTerm", e, NULL, "@type must be a term or an array of terms");
        dp_pop(p, mk);
        return 0;
    }
    memset(&ty, 0, sizeof ty);
    if (!(e->cotypes = dp_alloc(p, (size_t)n * sizeof *e->cotypes))) {
        dp_pop(p, mk);
        return 0;
    }
    for (it = twin__json_is_string(t) ? t : t->child; it; it = twin__json_is_string(t) ? NULL : it->next) {
        int k;
        if (!twin__json_is_string(it)) {
            twin__dp_err(p, "typeNotDtmiNorTerm", e, NULL, "@type values must be strings");
            ty.bad = 1;
        } else if ((k = twin__dp_class_of(p, it->u.str)) != 0) {
            type_class(p, e, &ty, k, it->u.str, allowed, inferred);
        } else if (type_misplaced(p, e, it->u.str)) {
            ty.bad = 1;
        } else {
            type_cotype(p, e, &ty, it->u.str);
        }
    }
    dp_pop(p, mk);
    if (ty.bad) return 0;
    return types_end(p, e, &ty, allowed, inferred);
}
