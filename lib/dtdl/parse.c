/* One DTDL document to elements: the walk over documents and elements.
 * Every rule that a single document can break is checked while walking
 * (here and in the parse_*.c file of each subject), and every error
 * becomes a diagnostic. References to other DTMIs are kept as text for
 * resolve.c. */
#include "dtdl/parse_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *const twin__dp_class_names[] = {
    NULL, "Interface", "Telemetry", "Property", "Command", "Relationship", "Component",
    "CommandRequest", "CommandResponse", NULL, "Array", "Enum", "Map", "Object", "Field",
    "EnumValue", "MapKey", "MapValue",
};
const size_t twin__dp_nclass_names = sizeof twin__dp_class_names / sizeof twin__dp_class_names[0];

_Static_assert(sizeof(twin__dp) + 1024 <= TWIN__DTDL_PARSE_SCRATCH,
               "the parse state fits the scratch add.c gives a document");

/* A diagnostic at the current JSON pointer, about element e (NULL: none). */
void twin__dp_err(twin__dp *p, const char *code, const twin_dtdl_elem *e, const char *secondary,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (twin__models_diag_add(p->m, code, p->src, p->doc, p->path, p->plen,
                              e && e->id ? e->id : NULL, secondary, fmt, ap) != TWIN_OK)
        p->nomem = 1;
    va_end(ap);
    p->errs++;
}

/* Properties outside the class table: descriptive ones, the unit of a
 * semantic type, extension properties. 0 when key is none of them. */
static int common_key(const twin__dp *p, const twin_dtdl_elem *e, const char *key)
{
    if (dp_is(key, "displayName")) return K_DISPLAY;
    if (dp_is(key, "description")) return K_DESC;
    if (dp_is(key, "comment")) return K_COMMENT;
    if (dp_is(key, "unit") && e->semtype) return K_UNIT;
    if (dp_is(key, "annotates") && (p->ext & TWIN__X_ANNOT)) return K_ANNOTATES;
    if (dp_is(key, "overrides") && (p->ext & TWIN__X_OVERRIDE)) return K_OVERRIDES;
    return 0;
}

/* A property key written as its full IRI (dtmi:dtdl:property:schema;3)
 * stands for its term when the version is the document's. */
static const char *key_term(const twin__dp *p, const char *key, char *buf, size_t cap)
{
    const char *semi;
    size_t n;
    if (key[0] != 'd' || !dp_starts(key, "dtmi:dtdl:property:")) return key;
    semi = strchr(key + 19, ';');
    if (!semi || atoi(semi + 1) != p->version || semi[1] == '0') return key;
    n = (size_t)(semi - key - 19);
    if (n >= cap) return key;
    memcpy(buf, key + 19, n);
    buf[n] = '\0';
    return buf;
}

/* ---- the parts of an element ---- */

/* The JSON-LD keywords of an element object. */
typedef struct keywords {
    const twin__json *ctx, *id, *type;
} keywords;

/* What the members of an element gave: bits of K_* seen with a value, and
 * seen empty (JSON-LD: an empty array, or language map, gives no value). */
typedef struct members {
    uint32_t seen, empty;
} members;

/* What an element's @context changes, restored at its end. */
typedef struct scope {
    int version, nxc;
    unsigned ext;
    uint32_t sdepth;
} scope;

/* The three keywords, in one pass over the members (the first of each). */
static keywords find_keywords(const twin__json *o)
{
    keywords kw = {NULL, NULL, NULL};
    const twin__json *it;
    for (it = o->child; it; it = it->next) {
        if (it->key[0] != '@') continue;
        if (it->keylen == 8 && memcmp(it->key, "@context", 8) == 0 && !kw.ctx) kw.ctx = it;
        else if (it->keylen == 3 && memcmp(it->key, "@id", 3) == 0 && !kw.id) kw.id = it;
        else if (it->keylen == 5 && memcmp(it->key, "@type", 5) == 0 && !kw.type) kw.type = it;
    }
    return kw;
}

/* A new element at the current pointer. */
static twin_dtdl_elem *new_elem(twin__dp *p, const twin_dtdl_elem *parent)
{
    static const twin_dtdl_elem zero;
    twin_dtdl_elem *e = twin__region_alloc(&p->m->mem, &p->m->alloc, sizeof *e);
    if (!e) {
        p->nomem = 1;
        return NULL;
    }
    *e = zero;  /* wide moves, where memset() may take a slow string instruction */
    e->parent = parent;
    e->src = p->src;
    e->doc = p->doc;
    e->ptr = dp_strdup(p, p->path, p->plen);
    e->maxm = UINT32_MAX;
    return e;
}

/* @id: a DTMI of the version, not reserved; an Interface's at most 128
 * characters. */
static void element_id(twin__dp *p, twin_dtdl_elem *e, const twin__json *id, uint32_t allowed)
{
    size_t mk = dp_push(p, "@id");
    size_t max = (allowed & C(TWIN_DTDL_INTERFACE)) ? 128 : (p->version == 2 ? 2048 : 4096);
    const char *s = twin__json_is_string(id) ? id->u.str : NULL;
    if (!s || !s[0]) {
        twin__dp_err(p, "idNotString", NULL, NULL, "@id must be a non-empty string");
    } else if (!twin__dtmi_ok(s, id->n, p->version, max)) {
        const char *hash = strchr(s, '#');
        twin__dp_err(p, "invalidId", NULL, NULL, "@id '%s' is not a valid DTMI for DTDL v%d%s", s,
                     p->version,
                     strlen(s) > max ? " (too long)" : hash ? " (a fragment is not allowed)" : "");
        /* A layer's identifier (with a fragment): go on with its base so
           that the rest of the element is checked under its own name. */
        if (hash && twin__dtmi_ok(s, (size_t)(hash - s), p->version, max))
            e->id = dp_strdup(p, s, (size_t)(hash - s));
    } else if ((dp_starts(s, "dtmi:dtdl:") || dp_starts(s, "dtmi:standard:")) &&
               !dp_tolerate(p)) {
        twin__dp_err(p, "reservedId", NULL, NULL, "@id '%s' is reserved for DTDL", s);
    } else {
        e->id = dp_strdup(p, s, id->n);
        e->flags |= TWIN__EF_HAS_ID;
    }
    dp_pop(p, mk);
}

/* A member whose key is a JSON-LD keyword: @id, @type and @context are
 * read apart; DTDL v2 lets other keywords pass (not recommended), but not
 * @graph. */
static void keyword_member(twin__dp *p, const twin__json *it, const twin_dtdl_elem *parent)
{
    size_t mk;
    if (dp_is(it->key, "@id") || dp_is(it->key, "@type") ||
        dp_is(it->key, "@context") || (p->version == 2 && !dp_is(it->key, "@graph")))
        return;
    mk = dp_push_key(p, it->key, it->keylen);
    twin__dp_err(p, parent ? "keywordDisallowed" : "topLevelKeywordDisallowed", parent, NULL,
                 "JSON-LD keyword '%s' is not allowed in DTDL", it->key);
    dp_pop(p, mk);
}

/* The value of a property every class has (bit: K_DISPLAY...). */
static void common_member(twin__dp *p, twin_dtdl_elem *e, int bit, const twin__json *it)
{
    const char *u = NULL;
    size_t un;
    switch (bit) {
    case K_DISPLAY:
        twin__dp_lang_string(p, e, it, "displayName", dp_display_max(p), &e->display, &e->ndisplay);
        break;
    case K_DESC:
        twin__dp_lang_string(p, e, it, "description", dp_desc_max(p), &e->desc, &e->ndesc);
        break;
    case K_COMMENT:
        e->comment = twin__dp_string(p, e, it, "comment", 512);
        break;
    case K_UNIT:
        if (twin__json_is_array(it) && (int)twin__json_count(it) > 1)
            twin__dp_err(p, "objectMultipleValues", e, NULL, "'unit' takes one unit");
        else
            u = twin__dp_string(p, e, it, "unit", 0);
        if (u) {
            u = twin__dp_std_term(p, u, &un);
            e->unit = dp_strdup(p, u, un);
        }
        break;
    case K_ANNOTATES:
        e->annotates = twin__dp_string(p, e, it, "annotates", 0);
        break;
    case K_OVERRIDES:
        e->overrides = twin__dp_string(p, e, it, "overrides", 0);
        break;  /* extension properties: kept as written, not interpreted */
    }
}

/* The property bit (K_*) of member key of e, 0 after reporting it (or
 * passing it, as a co-type's property checked later). */
static int member_bit(twin__dp *p, twin_dtdl_elem *e, int kind, const char *key,
                      const char *written, const twin__dp_prop **pr)
{
    int bit;
    *pr = twin__dp_find_prop(kind, key, p->version);
    bit = *pr ? (*pr)->key : common_key(p, e, key);
    if (bit) return bit;
    if (strchr(key, '/') && p->version > 2)
        twin__dp_err(p, dp_starts(key, "dtmi:") ? "propertyInvalidDtmi" : "propertyNotDtmiNorTerm",
                     e, NULL, "property '%s' is neither a term nor a valid DTMI", key);
    else if (twin__dp_vocab_prop(e, key))
        ;  /* checked after the members, once the schema is known */
    else if (twin__dp_vocab_owner(p, key))
        twin__dp_err(p, "propertyIrrelevantDtmiOrTerm", e, NULL,
                     "'%s' belongs to an extension co-type this element does not carry", key);
    else if (!(e->flags & TWIN__EF_UNDEF_TYPE))
        twin__dp_err(p, "noTypeThatAllows", e, NULL, "%s has no property '%s'",
                     twin__dp_class_names[kind], written);
    return 0;
}

/* One member of e (not a keyword). */
static void element_member(twin__dp *p, twin_dtdl_elem *e, int kind, const twin__json *it, members *ms)
{
    char kbuf[64];
    const char *key = key_term(p, it->key, kbuf, sizeof kbuf);
    const twin__dp_prop *pr;
    size_t mk = dp_push_key(p, it->key, it->keylen);
    int bit = member_bit(p, e, kind, key, it->key, &pr);
    if (!bit) {
        dp_pop(p, mk);
        return;
    }
    if (ms->seen & (1u << bit))
        twin__dp_err(p, "duplicatePropertyName", e, NULL,
                     "'%s' is given twice (as a term and as an IRI?)", key);
    ms->seen |= 1u << bit;
    if ((twin__json_is_array(it) && !it->child) ||
        (twin__json_is_object(it) && !it->child && (bit == K_DISPLAY || bit == K_DESC))) {
        ms->seen &= ~(1u << bit);
        ms->empty |= 1u << bit;
    } else if (pr) {
        twin__dp_member(p, e, pr, it);
    } else {
        common_member(p, e, bit, it);
    }
    dp_pop(p, mk);
}

/* The properties the class requires, by version. */
static void required_members(twin__dp *p, const twin_dtdl_elem *e, int kind, members ms)
{
    const twin__dp_prop *pr;
    for (pr = twin__dp_props_of(kind); pr->kind; pr++) {
        int empty = (ms.empty >> pr->key) & 1;
        if (!pr->required || p->version < pr->vmin || p->version > pr->vmax ||
            (ms.seen & (1u << pr->key)))
            continue;
        twin__dp_err(p, pr->key == K_NAME ? (empty ? "stringCountBelowMin" : "missingLiteralProperty")
                                          : (empty ? "objectCountBelowMin" : "missingObjectProperty"),
                     e, NULL, "%s needs '%s'%s", twin__dp_class_names[kind], pr->json,
                     empty ? " (it is empty)" : "");
    }
}

/* A semantic type: on a Telemetry or a Property (or, from v3, a Field;
 * from v4 the typed sub-elements of a Command or a Map), with a numeric
 * schema and a unit of its unit type. */
static void semtype_rules(twin__dp *p, const twin_dtdl_elem *e, const twin__json *t, int kind,
                          int inferred, members ms)
{
    unsigned qt = twin__dp_qt_where(p);
    const twin__semtype *st = twin__semtype_find(e->semtype, strlen(e->semtype), qt);
    int v4 = p->version >= 4 && !twin__dp_typed_by_position(t) &&
             (kind == TWIN_DTDL_COMMAND_REQUEST || kind == TWIN_DTDL_COMMAND_RESPONSE ||
              kind == TWIN_DTDL_MAP_VALUE || kind == TWIN_DTDL_FIELD);
    if (kind != TWIN_DTDL_TELEMETRY && kind != TWIN_DTDL_PROPERTY && !v4 &&
        !(kind == TWIN_DTDL_FIELD && p->version >= 3)) {
        if (inferred && kind != TWIN_DTDL_FIELD) twin__dp_bad_type(p, e, e->semtype);
        else twin__dp_err(p, "invalidCotype", e, NULL, "semantic type '%s' cannot apply to a %s",
                          e->semtype, twin__dp_class_names[kind]);
    } else if (e->link[0] && !twin__dp_is_numeric(e->link[0]) &&
               e->link[0]->kind == TWIN_DTDL_PRIMITIVE) {
        twin__dp_err(p, "notRequiredType", e, NULL, "semantic type '%s' needs a numeric schema",
                     e->semtype);
    } else if (!(ms.seen & (1u << K_UNIT)) && !(ms.empty & (1u << K_UNIT))) {
        twin__dp_err(p, "missingSupplementalObjectProperty", e, NULL,
                     "semantic type '%s' needs a 'unit'", e->semtype);
    } else if (e->unit) {
        const twin__unit *u = twin__unit_find(e->unit, strlen(e->unit), qt);
        if (!u || u->unit_type != st->unit_type)
            twin__dp_err(p, !u && p->version == 2 ? "notRequiredType" : "badType", e, NULL,
                         "'%s' is not a unit of %s (expected a %s)", e->unit, e->semtype,
                         twin__unit_type_name(st->unit_type));
    }
}

/* Rules of a class across its members. */
static void class_rules(twin__dp *p, twin_dtdl_elem *e, const twin__json *o, const twin__json *t, int kind,
                        int inferred, members ms)
{
    if (e->nxt) twin__dp_vocab_rules(p, e, o, kind);
    if (kind == TWIN_DTDL_OBJECT) twin__dp_vocab_fields(p, e);
    if (e->semtype) semtype_rules(p, e, t, kind, inferred, ms);
    if (kind == TWIN_DTDL_PROPERTY && p->version == 2 && twin__dp_has_array(e->link[0], 0))
        twin__dp_err(p, "excludedType", e, NULL, "a DTDL v2 Property's schema may not contain an Array");
    if (kind == TWIN_DTDL_RELATIONSHIP && e->maxm != UINT32_MAX && e->minm > e->maxm)
        twin__dp_err(p, "integerAboveMax", e, NULL, "minMultiplicity is above maxMultiplicity");
    if (kind == TWIN_DTDL_ENUM && e->link[0]) twin__dp_enum_values(p, e);
    if (kind == TWIN_DTDL_INTERFACE && p->version == 2 && e->nlist[0] > 300)
        twin__dp_err(p, "objectCountAboveMax", e, NULL, "more than 300 contents in a DTDL v2 Interface");
}

/* A faultless element with an identifier joins the set's index (and its
 * Interfaces); an @id defined twice is an error. */
static void register_elem(twin__dp *p, twin_dtdl_elem *e, int kind, int errs0)
{
    twin_dtdl_elem *dup;
    twin_status s = twin__models_put_new_id(p->m, e, &dup);
    if (s == TWIN_E_EXISTS && (e->flags & TWIN__EF_HAS_ID))
        twin__dp_err(p, "duplicateDefinition", e, NULL, "'%s' is defined more than once", e->id);
    else if (s != TWIN_OK && s != TWIN_E_EXISTS)
        p->nomem = 1;
    if (kind == TWIN_DTDL_INTERFACE && p->errs == errs0 && twin__models_put_iface(p->m, e) != TWIN_OK)
        p->nomem = 1;
}

/* The element's @id (genid when it has none) and class; 0 when the
 * element ends there. */
static int element_head(twin__dp *p, twin_dtdl_elem *e, const twin__json *o, keywords kw,
                        uint32_t allowed, int inferred, int outer_version, const char *genid)
{
    const twin_dtdl_elem *parent = e->parent;
    int kind, id_only = (int)twin__json_count(o) == 1 && kw.id;
    if (kw.ctx && parent && !twin__dp_context(p, kw.ctx, 0)) return 0;
    e->version = (uint8_t)p->version;
    if (id_only && parent && !dp_tolerate(p)) {
        twin__dp_err(p, "idReference", parent, twin__json_is_string(kw.id) ? kw.id->u.str : NULL,
                     "an element given only by {\"@id\"} must be written as its DTMI string");
        return 0;
    }
    if (kw.id) element_id(p, e, kw.id, allowed);
    else if (allowed == C(TWIN_DTDL_INTERFACE) && !parent)
        twin__dp_err(p, "missingTopLevelId", NULL, NULL, "an Interface needs an @id");
    if (!e->id) e->id = genid;
    kind = twin__dp_types(p, e, kw.type, allowed, inferred, id_only);
    if (!kind) return 0;
    e->kind = (uint8_t)kind;
    if (p->version != outer_version && parent && kind > TWIN_DTDL_COMPONENT) {
        size_t mk = dp_push(p, "@context");
        twin__dp_err(p, "invalidContextSpecifierForVersion", e, NULL,
                     "a %s cannot change the DTDL version in a nested context",
                     twin__dp_class_names[kind]);
        dp_pop(p, mk);
        return 0;
    }
    if (kind == TWIN_DTDL_INTERFACE && !kw.id && parent)
        twin__dp_err(p, "missingRequiredId", parent, NULL, "an inline Interface needs an @id");
    return kind;
}

/* The element of JSON object o (or a one-element array of it), of one of
 * the classes allowed (or inferred from the position when it has no
 * @type). NULL when it breaks a rule (reported) or memory ran out. */
twin_dtdl_elem *twin__dp_element(twin__dp *p, const twin__json *o, uint32_t allowed, int inferred,
                                 const twin_dtdl_elem *parent, const char *genid)
{
    scope saved = {p->version, p->nxc, p->ext, p->sdepth};
    twin_dtdl_elem *e;
    const twin__json *it;
    keywords kw;
    members ms = {0, 0};
    int kind, errs0 = p->errs;
    if (p->nomem) return NULL;
    if (twin__json_is_array(o) && (int)twin__json_count(o) == 1) o = o->child;
    if (!twin__json_is_object(o)) {
        twin__dp_err(p, "notJsonObject", NULL, NULL, "an element must be a JSON object");
        return NULL;
    }
    if (++p->nelems > 100000) {
        if (p->nelems == 100001)
            twin__dp_err(p, "excessiveDepthWide", NULL, NULL, "more than 100000 elements in one document");
        return NULL;
    }
    if (!(e = new_elem(p, parent))) return NULL;
    kw = find_keywords(o);
    kind = element_head(p, e, o, kw, allowed, inferred, saved.version, genid);
    if (kind) {
        TWIN__JSON_EACH(it, o) {
            if (dp_is_keyword(it->key)) keyword_member(p, it, parent);
            else element_member(p, e, kind, it, &ms);
        }
        required_members(p, e, kind, ms);
        class_rules(p, e, o, kw.type, kind, inferred, ms);
        if (p->errs == errs0 && e->id) register_elem(p, e, kind, errs0);
    }
    p->version = saved.version;
    p->ext = saved.ext;
    p->nxc = saved.nxc;
    p->sdepth = saved.sdepth;
    return p->errs == errs0 && !p->nomem ? e : NULL;
}

/* One JSON document: its @context, then its Interface. */
int twin__dtdl_parse_doc(twin_models *m, twin__region *scratch, const twin__json *doc,
                         const char *src, uint32_t docno, int *nomem)
{
    /* The state holds a 4 KiB path buffer: off the stack, from scratch. */
    twin__dp *p = twin__region_alloc(scratch, &m->alloc, sizeof *p);
    const twin__json *ctx;
    if (!p) {
        *nomem = 1;
        return 0;
    }
    memset(p, 0, offsetof(twin__dp, path));
    p->path[0] = '\0';
    p->m = m;
    p->scratch = scratch;
    p->src = src;
    p->doc = docno;
    if (!twin__json_is_object(doc)) {
        twin__dp_err(p, "notJsonObject", NULL, NULL, "a DTDL document must be a JSON object");
    } else if (!(ctx = twin__json_get(doc, "@context"))) {
        twin__dp_err(p, "missingContext", NULL, NULL, "a DTDL document needs @context");
    } else if (twin__json_get(doc, "@graph")) {
        twin__dp_err(p, "topLevelGraphDisallowed", NULL, NULL, "a DTDL document may not use @graph");
    } else if (twin__dp_context(p, ctx, 1)) {
        const twin__json *t = twin__json_get(doc, "@type");
        int k = twin__json_is_string(t) ? twin__dp_class_of(p, t->u.str) : 0;
        if (k > 0 && k != TWIN_DTDL_INTERFACE)
            twin__dp_err(p, "typeNotRootable", NULL, NULL, "a %s cannot be a top-level element",
                         twin__dp_class_names[k]);
        else
            twin__dp_element(p, doc, C(TWIN_DTDL_INTERFACE), 0, NULL, NULL);
    }
    *nomem = p->nomem;
    return p->errs;
}
