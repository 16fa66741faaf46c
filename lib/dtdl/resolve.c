/* Resolution: references to elements, the extends hierarchy, and each
 * Interface's full contents. Runs over every element with an @id. */
#include "dtdl/dtdl_int.h"
#include "core/alloc.h"
#include "util/hash.h"
#include "units/units.h"

#include <string.h>

#define MAX_RESOLVER_ROUNDS 64

static twin_status rdiag(twin_models *m, const char *code, const twin_dtdl_elem *e,
                         const char *secondary, const char *fmt, ...)
{
    va_list ap;
    twin_status s;
    va_start(ap, fmt);
    s = twin__models_diag_add(m, code, e->src, e->doc, e->ptr, strlen(e->ptr), e->id, secondary,
                              fmt, ap);
    va_end(ap);
    return s;
}

/* ---- missing references ---- */

typedef struct strset {
    const char **v;
    size_t n, cap;
} strset;

static twin_status strset_add(twin_models *m, strset *s, const char *x)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i], x) == 0) return TWIN_OK;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        void *p = twin__realloc(&m->alloc, s->v, s->cap * sizeof *s->v, nc * sizeof *s->v);
        if (!p) return TWIN_E_NOMEM;
        s->v = p;
        s->cap = nc;
    }
    s->v[s->n++] = x;
    return TWIN_OK;
}

/* A Relationship's target is an identifier, not an element reference: it
 * need not be defined (and is linked when it is). */
static int optional_ref(const twin_dtdl_elem *e, uint32_t slot)
{
    return e->kind == TWIN_DTDL_RELATIONSHIP && slot == 0;
}

static int defined(const twin_models *m, const char *id)
{
    return twin__models_find(m, id, strlen(id)) != NULL;
}

/* Every referenced DTMI not defined in the set. */
static twin_status missing(twin_models *m, strset *out)
{
    uint32_t i, k;
    twin_status s;
    out->n = 0;
    for (i = 0; i < m->nids; i++) {
        const twin_dtdl_elem *e = m->ids[i];
        uint32_t l;
        for (k = 0; k < 2; k++)
            if (e->ref[k] && !optional_ref(e, k) && !defined(m, e->ref[k]) &&
                (s = strset_add(m, out, e->ref[k])) != TWIN_OK)
                return s;
        for (l = 0; l < 3; l++)
            for (k = 0; e->lref[l] && k < e->nlist[l]; k++)
                if (e->lref[l][k] && !defined(m, e->lref[l][k]) &&
                    (s = strset_add(m, out, e->lref[l][k])) != TWIN_OK)
                    return s;
    }
    return TWIN_OK;
}

/* ---- linking ---- */

/* May element t stand in slot k of e (links) or list l (lists)? */
static int link_ok(const twin_dtdl_elem *e, uint32_t k, const twin_dtdl_elem *t)
{
    if (e->kind == TWIN_DTDL_COMMAND)
        return t->kind == (k == 0 ? TWIN_DTDL_COMMAND_REQUEST : TWIN_DTDL_COMMAND_RESPONSE);
    if (e->kind == TWIN_DTDL_MAP)
        return t->kind == (k == 0 ? TWIN_DTDL_MAP_KEY : TWIN_DTDL_MAP_VALUE);
    if (e->kind == TWIN_DTDL_COMPONENT || e->kind == TWIN_DTDL_RELATIONSHIP)
        return t->kind == TWIN_DTDL_INTERFACE;
    return t->kind == TWIN_DTDL_ARRAY || t->kind == TWIN_DTDL_ENUM || t->kind == TWIN_DTDL_MAP ||
           t->kind == TWIN_DTDL_OBJECT;
}

static int list_ok(const twin_dtdl_elem *e, uint32_t l, const twin_dtdl_elem *t)
{
    switch (e->kind) {
    case TWIN_DTDL_INTERFACE:
        if (l == 1) return t->kind == TWIN_DTDL_INTERFACE;
        if (l == 2) return link_ok(e, 0, t);
        return t->kind >= TWIN_DTDL_TELEMETRY && t->kind <= TWIN_DTDL_COMPONENT;
    case TWIN_DTDL_OBJECT: return t->kind == TWIN_DTDL_FIELD;
    case TWIN_DTDL_ENUM: return t->kind == TWIN_DTDL_ENUM_VALUE;
    case TWIN_DTDL_RELATIONSHIP: return t->kind == TWIN_DTDL_PROPERTY;
    }
    return 0;
}

/* The nearest Interface an element is defined in (itself for one). */
static const twin_dtdl_elem *owner(const twin_dtdl_elem *e)
{
    while (e && e->kind != TWIN_DTDL_INTERFACE) e = e->parent;
    return e;
}

static int link_all(twin_models *m, twin_status *st)
{
    uint32_t i, k, l;
    int errs = 0;
    for (i = 0; i < m->nids && *st == TWIN_OK; i++) {
        twin_dtdl_elem *e = m->ids[i];
        for (k = 0; k < 2; k++) {
            twin_dtdl_elem *t;
            if (!e->ref[k]) continue;
            t = twin__models_find(m, e->ref[k], strlen(e->ref[k]));
            if (!t && optional_ref(e, k)) continue;
            if (!t || !link_ok(e, k, t)) {
                errs++;
                *st = rdiag(m, "badType", e, e->ref[k], "'%s' refers to '%s', %s", e->id,
                            e->ref[k], t ? "an element of a class not allowed there" : "which is not defined");
                if (*st != TWIN_OK) return errs;
                continue;
            }
            if (t->kind != TWIN_DTDL_INTERFACE && owner(t) != owner(e)) {
                errs++;
                *st = rdiag(m, "crossPartitionReference", e, e->ref[k],
                            "'%s' refers to '%s', a schema of another Interface ('%s'); "
                            "reusable schemas serve only the Interface that declares them",
                            e->id, e->ref[k], owner(t) ? owner(t)->id : "");
                if (*st != TWIN_OK) return errs;
                continue;
            }
            e->link[k] = t;
        }
        for (l = 0; l < 3; l++)
            for (k = 0; e->lref[l] && k < e->nlist[l]; k++) {
                twin_dtdl_elem *t;
                if (!e->lref[l][k]) continue;
                t = twin__models_find(m, e->lref[l][k], strlen(e->lref[l][k]));
                if (t && e->kind == TWIN_DTDL_INTERFACE && l == 0 && e->version >= 3 &&
                    t->parent && owner(t->parent) != e) {
                    /* contents defined inside another Interface are not
                       referenceable from here (DTDL v3 and v4) */
                    errs++;
                    *st = rdiag(m, "crossPartitionReference", e, e->lref[l][k],
                                "'%s' lists '%s', which is defined inside another Interface",
                                e->id, e->lref[l][k]);
                    if (*st != TWIN_OK) return errs;
                    continue;
                }
                if (!t || !list_ok(e, l, t)) {
                    errs++;
                    *st = rdiag(m, "badType", e, e->lref[l][k], "'%s' lists '%s', %s", e->id,
                                e->lref[l][k], t ? "an element of a class not allowed there" : "which is not defined");
                    if (*st != TWIN_OK) return errs;
                    continue;
                }
                e->list[l][k] = t;
            }
    }
    return errs;
}

/* ---- extends hierarchy ---- */

static uint32_t depth_limit(const twin_dtdl_elem *e) { return e->version >= 4 ? 12 : 10; }

/* Depth of the extends chain from e (1 for an Interface that extends
 * nothing); 0 on a cycle (reported once). */
static uint32_t depth(twin_models *m, twin_dtdl_elem *e, twin_status *st, int *errs,
                      uint32_t level)
{
    uint32_t k, d = 0;
    if (e->flags & TWIN__EF_DONE) return e->depth;
    if (level > 64) return 65;  /* far past every limit: no deeper recursion */
    if (e->flags & TWIN__EF_ON_STACK) {
        (*errs)++;
        *st = rdiag(m, "recursiveStructureNarrow", e, NULL, "'%s' extends itself through a cycle", e->id);
        return 0;
    }
    e->flags |= TWIN__EF_ON_STACK;
    for (k = 0; k < e->nlist[1]; k++) {
        twin_dtdl_elem *p = (twin_dtdl_elem *)e->list[1][k];
        uint32_t pd;
        if (!p) continue;
        pd = depth(m, p, st, errs, level + 1);
        if (pd == 0) {
            e->flags &= (uint8_t)~TWIN__EF_ON_STACK;
            return 0;
        }
        if (pd > d) d = pd;
    }
    e->flags &= (uint8_t)~TWIN__EF_ON_STACK;
    e->flags |= TWIN__EF_DONE;
    e->depth = d + 1;
    return e->depth;
}

typedef struct vec {
    const twin_dtdl_elem **v;
    uint32_t n, cap;
} vec;

static twin_status vec_push(twin_models *m, vec *x, const twin_dtdl_elem *e)
{
    if (x->n == x->cap) {
        uint32_t nc = x->cap ? x->cap * 2 : 32;
        void *p = twin__realloc(&m->alloc, x->v, x->cap * sizeof *x->v, nc * sizeof *x->v);
        if (!p) return TWIN_E_NOMEM;
        x->v = p;
        x->cap = nc;
    }
    x->v[x->n++] = e;
    return TWIN_OK;
}

/* Ancestors of e, depth first in extends order, each once, then e. */
static twin_status ancestors(twin_models *m, const twin_dtdl_elem *e, vec *out)
{
    uint32_t k;
    twin_status s;
    for (k = 0; k < out->n; k++)
        if (out->v[k] == e) return TWIN_OK;
    for (k = 0; k < e->nlist[1]; k++)
        if (e->list[1][k] && (s = ancestors(m, e->list[1][k], out)) != TWIN_OK) return s;
    return vec_push(m, out, e);
}

static twin_status flatten(twin_models *m, twin_dtdl_elem *e, vec *anc, int *errs,
                           uint32_t **nh, uint32_t *nh_capp)
{
    uint32_t nh_cap = *nh_capp;
    uint32_t a, k, n = 0, j;
    const twin_dtdl_elem **all;
    twin_status s;
    anc->n = 0;
    if ((s = ancestors(m, e, anc)) != TWIN_OK) return s;
    if (anc->n > 1024) {
        (*errs)++;
        return rdiag(m, "twin.extendsTooMany", e, NULL,
                     "'%s' has %u Interfaces in its hierarchy (at most 1024)", e->id,
                     (unsigned)anc->n);
    }
    for (a = 0; a < anc->n; a++) n += anc->v[a]->nlist[0];
    if (e->version == 2 && n > 300) {
        (*errs)++;
        return rdiag(m, "objectCountAboveMax", e, NULL,
                     "'%s' has %u contents with those it extends (at most 300 in DTDL v2)",
                     e->id, (unsigned)n);
    }
    all = twin__region_alloc(&m->mem, &m->alloc, (n ? n : 1) * sizeof *all);
    if (!all) return TWIN_E_NOMEM;
    n = 0;
    for (a = 0; a < anc->n; a++)
        for (k = 0; k < anc->v[a]->nlist[0]; k++) all[n++] = anc->v[a]->list[0][k];
    if (n > nh_cap) {
        uint32_t *nh2 = twin__realloc(&m->alloc, *nh, nh_cap * sizeof **nh, n * sizeof **nh);
        if (!nh2) return TWIN_E_NOMEM;
        *nh = nh2;
        *nh_capp = n;
    }
    if ((s = twin__dup_names(&m->alloc, all, n, *nh)) != TWIN_OK) return s;
    for (j = 0; j < n; j++)
        if ((*nh)[j] != UINT32_MAX) {
            (*errs)++;
            s = rdiag(m, "nonUniqueImportedPropertyValue", e, NULL,
                      "'%s' has two contents named '%s' (one inherited)", e->id, all[j]->name);
            if (s != TWIN_OK) return s;
        }
    e->all = all;
    e->nall = n;
    return TWIN_OK;
}

/* ---- structure: components and schema recursion ---- */

static const twin_dtdl_elem *const *kids(const twin_dtdl_elem *s, uint32_t *n,
                                         const twin_dtdl_elem *buf[2])
{
    switch (s->kind) {
    case TWIN_DTDL_ARRAY: buf[0] = s->link[0]; *n = 1; return buf;
    case TWIN_DTDL_MAP:
        buf[0] = s->link[1] ? s->link[1]->link[0] : NULL;
        *n = 1;
        return buf;
    case TWIN_DTDL_OBJECT: *n = s->nlist[0]; return s->list[0];
    }
    *n = 0;
    return NULL;
}

/* Does complex schema s reach target through its parts? (DTDL v2 and v3
 * forbid recursive schemas; v4 allows them.) */
static int reaches(const twin_dtdl_elem *s, const twin_dtdl_elem *target, int depth)
{
    const twin_dtdl_elem *buf[2];
    const twin_dtdl_elem *const *k;
    uint32_t n, i;
    if (!s || depth > 64) return 0;
    k = kids(s, &n, buf);
    for (i = 0; i < n; i++) {
        const twin_dtdl_elem *c = k[i];
        if (!c) continue;
        if (s->kind == TWIN_DTDL_OBJECT) c = c->link[0];  /* a field's schema */
        if (c == target || reaches(c, target, depth + 1)) return 1;
    }
    return 0;
}

/* Annotations (ValueAnnotation, Override) against the contents they name,
 * among an Interface's full contents. */
static int annotations(twin_models *m, const twin_dtdl_elem *in, twin_status *st)
{
    uint32_t a, b, k;
    int errs = 0;
    for (a = 0; a < in->nall && *st == TWIN_OK; a++) {
        const twin_dtdl_elem *x = in->all[a], *t = NULL;
        if (!x->annotates) continue;
        for (k = 0; k < in->nall; k++)
            if (in->all[k] != x && in->all[k]->name && strcmp(in->all[k]->name, x->annotates) == 0)
                t = in->all[k];
        if (!t) continue;  /* annotating absent content is allowed */
        if (t->kind != TWIN_DTDL_TELEMETRY && t->kind != TWIN_DTDL_PROPERTY) {
            errs++;
            *st = rdiag(m, "notSiblingRequiredType", x, t->id,
                        "'%s' annotates '%s', which is not a Telemetry or Property", x->name, t->name);
            continue;
        }
        if (t->annotates) {
            errs++;
            *st = rdiag(m, "disallowedType", x, t->id, "'%s' annotates '%s', itself an annotation",
                        x->name, t->name);
            continue;
        }
        if (!x->overrides) continue;
        if (strcmp(x->overrides, "unit") != 0) {
            errs++;
            *st = rdiag(m, "matchingPropertyNotSupplemental", x, t->id,
                        "'%s' overrides '%s', which is not a supplemental property of '%s'",
                        x->name, x->overrides, t->name);
            continue;
        }
        if (!t->unit || !t->semtype) {
            errs++;
            *st = rdiag(m, "noMatchingSupplementalProperty", x, t->id,
                        "'%s' overrides the unit of '%s', which has none", x->name, t->name);
            continue;
        }
        {
            const twin__semtype *sem = twin__semtype_find(t->semtype, strlen(t->semtype), TWIN__QT_ALL);
            if (sem && x->schema_unit_type && x->schema_unit_type != sem->unit_type) {
                errs++;
                *st = rdiag(m, "siblingPropertyMismatch", x, t->id,
                            "'%s' overrides the unit of '%s' with a schema of %s units (expected %s)",
                            x->name, t->name, twin__unit_type_name(x->schema_unit_type),
                            twin__unit_type_name(sem->unit_type));
                continue;
            }
        }
        for (b = 0; b < a; b++) {
            const twin_dtdl_elem *y = in->all[b];
            if (y->annotates && y->overrides && strcmp(y->annotates, x->annotates) == 0 &&
                strcmp(y->overrides, x->overrides) == 0) {
                errs++;
                *st = rdiag(m, "multipleReference", in, NULL,
                            "'%s' and '%s' both override the %s of '%s'", y->name, x->name,
                            x->overrides, t->name);
                break;
            }
        }
    }
    return errs;
}

static int structure(twin_models *m, twin_status *st)
{
    uint32_t i, k;
    int errs = 0;
    for (i = 0; i < m->nifaces && *st == TWIN_OK; i++) errs += annotations(m, m->ifaces[i], st);
    for (i = 0; i < m->nids && *st == TWIN_OK; i++) {
        const twin_dtdl_elem *e = m->ids[i];
        if (e->kind == TWIN_DTDL_COMPONENT && e->link[0]) {
            const twin_dtdl_elem *in = e->link[0];
            for (k = 0; k < in->nall; k++)
                if (in->all[k]->kind == TWIN_DTDL_COMPONENT) {
                    errs++;
                    *st = rdiag(m, "excludedType", e, in->all[k]->id,
                                "component '%s' has an Interface that itself has a component ('%s'); "
                                "components do not nest", e->name ? e->name : "", in->all[k]->name);
                    break;
                }
        }
        if ((e->kind == TWIN_DTDL_ARRAY || e->kind == TWIN_DTDL_MAP || e->kind == TWIN_DTDL_OBJECT) &&
            e->version < 4 && reaches(e, e, 0)) {
            /* reported at the field that closes the loop, or at the schema */
            const twin_dtdl_elem *at = e;
            if (e->kind == TWIN_DTDL_OBJECT)
                for (k = 0; k < e->nlist[0]; k++)
                    if (e->list[0][k] && (e->list[0][k]->link[0] == e ||
                                          reaches(e->list[0][k]->link[0], e, 0))) {
                        at = e->list[0][k];
                        break;
                    }
            errs++;
            *st = rdiag(m, "recursiveStructureWide", at, NULL,
                        "schema '%s' contains itself (recursive schemas need DTDL v4)", e->id);
        }
    }
    return errs;
}

/* Does s start with prefix? (A byte loop: no call for a short prefix.) */
static int starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}

static int reserved(const char *id)
{
    return starts(id, "dtmi:") && (starts(id + 5, "dtdl:") || starts(id + 5, "standard:") ||
                                   starts(id + 5, "iotoperations:"));
}

/* References to undefined DTMIs in the reserved name spaces: no resolver
 * can define those. */
static int reserved_refs(twin_models *m, twin_status *st)
{
    uint32_t i, k, l;
    int errs = 0;
    *st = TWIN_OK;
    for (i = 0; i < m->nids && *st == TWIN_OK; i++) {
        const twin_dtdl_elem *e = m->ids[i];
        for (k = 0; k < 2 && *st == TWIN_OK; k++)
            if (e->ref[k] && reserved(e->ref[k]) && !defined(m, e->ref[k])) {
                errs++;
                *st = rdiag(m, "undefinedReservedId", e, e->ref[k],
                            "'%s' is in a reserved name space and defined nowhere", e->ref[k]);
            }
        for (l = 0; l < 3 && *st == TWIN_OK; l++)
            for (k = 0; e->lref[l] && k < e->nlist[l] && *st == TWIN_OK; k++)
                if (e->lref[l][k] && reserved(e->lref[l][k]) && !defined(m, e->lref[l][k])) {
                    errs++;
                    *st = rdiag(m, "undefinedReservedId", e, e->lref[l][k],
                                "'%s' is in a reserved name space and defined nowhere",
                                e->lref[l][k]);
                }
    }
    return errs;
}

static twin_status call_resolver(twin_models *m, int *added)
{
    strset miss = {NULL, 0, 0};
    twin_status s = TWIN_OK;
    int round;
    *added = 0;
    for (round = 0; round < MAX_RESOLVER_ROUNDS && m->opt.resolver; round++) {
        uint32_t before = m->nids;
        if ((s = missing(m, &miss)) != TWIN_OK || miss.n == 0) break;
        s = m->opt.resolver(m->opt.resolver_ud, m, miss.v, miss.n);
        if (s != TWIN_OK) {
            if (s > 0) s = TWIN_E_INVAL;
            twin__models_fail(m, s, "the resolver failed (%s)", twin_strerror(s));
            break;
        }
        if (m->nids == before) break;
        *added = 1;
    }
    twin__free(&m->alloc, miss.v, miss.cap * sizeof *miss.v);
    return s;
}

twin_status twin__dtdl_resolve(twin_models *m)
{
    strset miss = {NULL, 0, 0};
    vec anc = {NULL, 0, 0};
    uint32_t *nh = NULL, nh_cap = 0;
    twin__rmark mark;
    twin_status s, st = TWIN_OK;
    uint32_t i, k;
    int errs = 0, added;
    size_t ndiag0 = m->ndiag;

    if ((errs = reserved_refs(m, &s)) != 0 || s != TWIN_OK) {
        if (s == TWIN_OK)
            s = twin__models_fail(m, TWIN_E_CONSTRAINT, "%s", m->diag[ndiag0].message);
        return s;
    }
    if ((s = call_resolver(m, &added)) != TWIN_OK) return s;
    if (m->ndiag > ndiag0)  /* documents the resolver added were rejected */
        return twin__models_fail(m, TWIN_E_CONSTRAINT, "a document from the resolver is invalid: %s",
                                 m->diag[ndiag0].message);
    if ((s = missing(m, &miss)) != TWIN_OK) goto out;
    if (miss.n) {
        for (i = 0; i < m->nids && s == TWIN_OK; i++) {
            const twin_dtdl_elem *e = m->ids[i];
            uint32_t l;
            for (k = 0; k < 2 && s == TWIN_OK; k++)
                if (e->ref[k] && !optional_ref(e, k) && !defined(m, e->ref[k]))
                    s = rdiag(m, "twin.unresolvedIdentifier", e, e->ref[k],
                              "'%s' refers to '%s', which is not defined", e->id, e->ref[k]);
            for (l = 0; l < 3 && s == TWIN_OK; l++)
                for (k = 0; e->lref[l] && k < e->nlist[l] && s == TWIN_OK; k++) {
                const char *r = e->lref[l][k];
                if (r && !defined(m, r))
                    s = rdiag(m, "twin.unresolvedIdentifier", e, r,
                              "'%s' refers to '%s', which is not defined", e->id, r);
            }
        }
        if (s == TWIN_OK)
            s = twin__models_fail(m, TWIN_E_NOTFOUND, "%lu referenced DTMI%s not defined, e.g. '%s'",
                                  (unsigned long)miss.n, miss.n == 1 ? " is" : "s are", miss.v[0]);
        goto out;
    }
    mark = twin__region_mark(&m->mem);
    errs = link_all(m, &st);
    for (i = 0; i < m->nifaces && st == TWIN_OK; i++)
        m->ifaces[i]->flags &= (uint8_t)~(TWIN__EF_DONE | TWIN__EF_ON_STACK);
    for (i = 0; i < m->nifaces && st == TWIN_OK; i++) {
        twin_dtdl_elem *e = m->ifaces[i];
        uint32_t d = depth(m, e, &st, &errs, 0);
        if (d > depth_limit(e) + 1 && st == TWIN_OK) {  /* d counts Interfaces, the limit levels */
            errs++;
            st = rdiag(m, "excessiveDepthNarrow", e, NULL,
                       "'%s' has %u levels of extends (at most %u in DTDL v%d)",
                       e->id, (unsigned)d - 1, (unsigned)depth_limit(e), e->version);
        }
    }
    for (i = 0; i < m->nifaces && st == TWIN_OK && !errs; i++)
        st = flatten(m, m->ifaces[i], &anc, &errs, &nh, &nh_cap);
    if (st == TWIN_OK && !errs) errs += structure(m, &st);
    if (st != TWIN_OK || errs) {
        twin__region_rollback(&m->mem, &m->alloc, mark);
        for (i = 0; i < m->nifaces; i++) {
            m->ifaces[i]->all = NULL;
            m->ifaces[i]->nall = 0;
        }
        s = st != TWIN_OK ? st
                          : twin__models_fail(m, TWIN_E_CONSTRAINT, "%d error%s; first: %s", errs,
                                              errs == 1 ? "" : "s",
                                              m->ndiag ? m->diag[m->ndiag - 1].message : "");
        if (errs && m->ndiag)
            twin__models_fail(m, s, "%d error%s; first: %s", errs, errs == 1 ? "" : "s",
                              m->diag[ndiag0].message);
    }
out:
    twin__free(&m->alloc, miss.v, miss.cap * sizeof *miss.v);
    twin__free(&m->alloc, anc.v, anc.cap * sizeof *anc.v);
    twin__free(&m->alloc, nh, nh_cap * sizeof *nh);
    return s;
}
