/* Modelled extension vocabularies (vocab.c) in a document: their co-types,
 * properties and rules. */
#include "dtdl/parse_int.h"

#include <math.h>
#include <string.h>

/* A co-type term of a modelled extension vocabulary in force. */
const twin__xtype *twin__dp_vocab_type(const twin__dp *p, const char *term)
{
    int k;
    for (k = p->nxc - 1; k >= 0; k--) {
        const twin__xtype *t = twin__xtype_find(p->xc[k].ctx, p->xc[k].len, p->xc[k].ver, term);
        if (t) return t;
    }
    return NULL;
}

/* s as a schema term that a modelled vocabulary in force defines (listed in
 * some type's schema_terms); NULL if none. */
const char *twin__dp_vocab_schema_term(const twin__dp *p, const char *s)
{
    size_t n, i;
    const twin__xtype *tab = twin__xtype_table(&n);
    int k;
    for (i = 0; i < n; i++) {
        const char *const *st = tab[i].schema_terms;
        for (k = 0; k < p->nxc; k++)
            if (strlen(tab[i].context) == p->xc[k].len &&
                strncmp(tab[i].context, p->xc[k].ctx, p->xc[k].len) == 0 &&
                tab[i].ctx_ver == p->xc[k].ver)
                break;
        if (k == p->nxc) continue;
        for (; st && *st; st++)
            if (strcmp(*st, s) == 0) return *st;
    }
    return NULL;
}

/* The property `key` as one of e's modelled co-types adds it; NULL if none. */
const twin__xprop *twin__dp_vocab_prop(const twin_dtdl_elem *e, const char *key)
{
    uint32_t k;
    for (k = 0; k < e->nxt; k++) {
        const twin__xprop *xp = twin__xprop_find(e->xt[k], key);
        if (xp) return xp;
    }
    return NULL;
}

/* Does a modelled extension vocabulary in force define property `key`? */
int twin__dp_vocab_owner(const twin__dp *p, const char *key)
{
    int k;
    const twin__xprop *xp;
    for (k = 0; k < p->nxc; k++)
        if (twin__xprop_owner(p->xc[k].ctx, p->xc[k].len, p->xc[k].ver, key, &xp)) return 1;
    return 0;
}

/* Does element x carry the modelled co-type whose DTMI is iri? */
int twin__dp_has_xtype(const twin_dtdl_elem *x, const char *iri)
{
    uint32_t k;
    for (k = 0; x && k < x->nxt; k++)
        if (strcmp(x->xt[k]->iri, iri) == 0) return 1;
    return 0;
}

/* The class, version, co-co-types and parent a co-type t needs; 0 after
 * reporting what e lacks. */
static int xtype_applies(twin__dp *p, const twin_dtdl_elem *e, const twin__xtype *t, int kind)
{
    if (!(t->classes & C(kind)) && !(t->flags & TWIN__XT_CLASSES_OPEN)) {
        twin__dp_err(p, "invalidCotype", e, NULL, "co-type '%s' cannot apply to a %s", t->term,
                     twin__dp_class_names[kind]);
        return 0;
    }
    if (e->version < t->dtdl_min || e->version > t->dtdl_max) {
        twin__dp_err(p, "invalidCotypeVersion", e, NULL, "co-type '%s' needs DTDL v%d to v%d",
                     t->term, t->dtdl_min, t->dtdl_max);
        return 0;
    }
    if (t->cocotype_disallowed && twin__dp_has_xtype(e, t->cocotype_disallowed)) {
        twin__dp_err(p, "disallowedCocotype", e, NULL, "co-type '%s' excludes '%s'", t->term,
                     t->cocotype_disallowed);
        return 0;
    }
    if (t->cocotype_required && !twin__dp_has_xtype(e, t->cocotype_required)) {
        twin__dp_err(p, "missingCocotype", e, NULL, "co-type '%s' needs '%s' beside it", t->term,
                     t->cocotype_required);
        return 0;
    }
    if (t->parent[0] && !twin__dp_has_xtype(e->parent, t->parent[0]) &&
        !(t->parent[1] && twin__dp_has_xtype(e->parent, t->parent[1]))) {
        twin__dp_err(p, "parentMissingCotype", e, NULL, "co-type '%s' needs a parent co-typed %s",
                     t->term, t->parent_desc ? t->parent_desc : t->parent[0]);
        return 0;
    }
    return 1;
}

/* Does e's schema fit what co-type t asks of it? */
static int xtype_schema_fits(const twin_dtdl_elem *e, const twin__xtype *t)
{
    const twin_dtdl_elem *sch = e->link[0];
    const char *const *st;
    int fits = 0;
    if (!(t->schema_prims || t->schema_kinds || t->schema_cotype || t->schema_terms)) return 1;
    if (!sch && !e->schema_term) return 1;  /* none, or a reference */
    for (st = t->schema_terms; e->schema_term && st && *st; st++)
        fits |= strcmp(*st, e->schema_term) == 0;
    return fits || (sch && ((sch->kind == TWIN_DTDL_PRIMITIVE && (t->schema_prims & (1u << sch->prim))) ||
                            (t->schema_kinds & C(sch->kind)) ||
                            (t->schema_cotype && twin__dp_has_xtype(sch, t->schema_cotype))));
}

/* A string-valued property of a co-type: length, pattern, duration. */
static void xprop_string(twin__dp *p, const twin_dtdl_elem *e, const twin__xprop *xp, const twin__json *v)
{
    if (!twin__json_is_string(v)) {
        twin__dp_err(p, "stringNotString", e, NULL, "'%s' must be a string", xp->name);
    } else if (xp->max_len && v->n > xp->max_len && twin__dp_ulen(v->u.str) > xp->max_len) {
        twin__dp_err(p, "stringTooLong", e, NULL, "'%s' is longer than %u characters", xp->name,
                     (unsigned)xp->max_len);
    } else if ((xp->pattern &&
                !twin__xpattern_ok(xp->pattern, v->u.str, v->n)) ||
               (xp->type == TWIN__XP_DURATION && !twin__dtdl_is_duration(v->u.str))) {
        twin__dp_err(p, "stringInvalid", e, NULL, "'%s' value '%s' is not valid", xp->name,
                     v->u.str);
    }
}

/* A numeric property of a co-type: integer, minimum, conforming to the
 * element's schema. */
static void xprop_number(twin__dp *p, const twin_dtdl_elem *e, const twin__xprop *xp, const twin__json *v)
{
    const twin_dtdl_elem *sch = e->link[0];
    if (!twin__json_is_number(v)) {
        twin__dp_err(p, "numericNotNumeric", e, NULL, "'%s' must be a number", xp->name);
    } else if (xp->type == TWIN__XP_INTEGER && v->u.num != floor(v->u.num)) {
        twin__dp_err(p, "integerNotInteger", e, NULL, "'%s' must be an integer", xp->name);
    } else if ((xp->flags & TWIN__XPF_MIN) && v->u.num < xp->min) {
        twin__dp_err(p, "valueBelowMin", e, NULL, "'%s' must be at least %d", xp->name, (int)xp->min);
    } else if ((xp->flags & TWIN__XPF_CONFORM) && sch && sch->kind == TWIN_DTDL_PRIMITIVE &&
               !twin__dtdl_conforms(sch, v)) {
        twin__dp_err(p, "nonConformantPropertyValue", e, NULL,
                     "'%s' does not conform to the element's schema", xp->name);
    }
}

/* The properties co-type t adds, as found in object o. */
static void xtype_props(twin__dp *p, const twin_dtdl_elem *e, const twin__xtype *t, const twin__json *o)
{
    uint32_t j;
    for (j = 0; j < t->nprops; j++) {
        const twin__xprop *xp = &t->props[j];
        const twin__json *v = twin__json_get(o, xp->name);
        if (xp->flags & TWIN__XPF_CORE) continue;
        if (!v || (twin__json_is_array(v) && !v->child)) {
            if (xp->flags & TWIN__XPF_REQUIRED)
                twin__dp_err(p, "missingSupplementalLiteralProperty", e, NULL,
                             "co-type '%s' needs '%s'", t->term, xp->name);
            continue;
        }
        if (twin__json_is_array(v) && (int)twin__json_count(v) == 1) v = v->child;
        switch (xp->type) {
        case TWIN__XP_STRING: case TWIN__XP_NAME_REF: case TWIN__XP_PROP_REF: case TWIN__XP_UNIT:
        case TWIN__XP_DURATION:
            xprop_string(p, e, xp, v);
            break;
        case TWIN__XP_INTEGER: case TWIN__XP_DECIMAL:
            xprop_number(p, e, xp, v);
            break;
        }
    }
}

/* The rules of e's modelled co-types: classes, DTDL versions, co-co-types,
 * required and typed properties, the schema they need, the parent. */
void twin__dp_vocab_rules(twin__dp *p, twin_dtdl_elem *e, const twin__json *o, int kind)
{
    uint32_t k;
    for (k = 0; k < e->nxt; k++) {
        const twin__xtype *t = e->xt[k];
        if (!xtype_applies(p, e, t, kind)) continue;
        if (!xtype_schema_fits(e, t)) {
            twin__dp_err(p, "notRequiredType", e, NULL, "co-type '%s' needs a schema that is %s",
                         t->term, t->schema_desc ? t->schema_desc : "of another type");
            continue;
        }
        xtype_props(p, e, t, o);
    }
}

/* Rules among the fields of an Object: co-types unique among siblings, a
 * sibling co-type required, and the co-types a Result's fields carry. */
void twin__dp_vocab_fields(twin__dp *p, twin_dtdl_elem *obj)
{
    uint32_t a, b, k;
    for (a = 0; a < obj->nlist[0]; a++) {
        const twin_dtdl_elem *f = obj->list[0][a];
        if (!f) continue;
        for (k = 0; k < f->nxt; k++) {
            const twin__xtype *t = f->xt[k];
            if (t->flags & TWIN__XT_UNIQUE)
                for (b = 0; b < a; b++)
                    if (obj->list[0][b] && twin__dp_has_xtype(obj->list[0][b], t->iri)) {
                        /* reported at the one whose identifier sorts first,
                           as the official parser does */
                        const twin_dtdl_elem *g = obj->list[0][b];
                        int first = g->id && f->id && strcmp(g->id, f->id) < 0;
                        twin__dp_err(p, "siblingDuplicatesCotype", first ? g : f, first ? f->id : g->id,
                            "only one field of an Object may carry '%s'", t->term);
                        break;
                    }
            if (t->sibling_required) {
                for (b = 0; b < obj->nlist[0]; b++)
                    if (b != a && twin__dp_has_xtype(obj->list[0][b], t->sibling_required)) break;
                if (b == obj->nlist[0])
                    twin__dp_err(p, "siblingMissingCotype", f, NULL, "'%s' needs a sibling field co-typed '%s'",
                        t->term, t->sibling_required);
            }
        }
    }
    for (k = 0; k < obj->nxt; k++) {
        const char *const *need = obj->xt[k]->fields_cotypes;
        if (!need) continue;
        for (a = 0; a < obj->nlist[0]; a++) {
            const twin_dtdl_elem *f = obj->list[0][a];
            const char *const *n;
            int ok = 0;
            if (!f) continue;
            for (n = need; *n && !ok; n++) ok = twin__dp_has_xtype(f, *n);
            if (!ok)
                twin__dp_err(p, "notRequiredType", obj, NULL, "every field of a '%s' needs one of its co-types",
                    obj->xt[k]->term);
        }
    }
}
