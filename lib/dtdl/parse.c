/* One DTDL document to elements: every rule that a single document can
 * break is checked here, and every error becomes a diagnostic. References
 * to other DTMIs are kept as text for resolve.c. */
#include "dtdl/dtdl_int.h"
#include "units/units.h"
#include "dtdl/vocab.h"
#include "core/alloc.h"
#include "util/hash.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define PATH_MAX_ 4096

typedef struct P {
    twin_models *m;
    const char *src;
    uint32_t doc;
    int version;        /* 2, 3 or 4 */
    unsigned ext;       /* TWIN__X_* of the context in force */
    int errs;
    int nomem;
    uint32_t sdepth;    /* complex schema nesting */
    uint32_t known_ext, unresolved_ext;  /* extension table bits seen in contexts */
    const char *sroot;  /* identifier of the outermost complex schema being nested */
    uint32_t limit_depth;  /* a limit extension's schema depth; 0: the version's */
    size_t limit_desc;     /* ... and description length; 0: the version's */
    int limitless;         /* the previous specifier was dtmi:dtdl:context;4#limitless */
    /* extension contexts in force whose vocabulary vocab.c models */
    struct xctx {
        const char *ctx;
        size_t len;
        int ver;
    } xc[8];
    int nxc;
    uint32_t nelems;    /* elements in the document (v3+ limit) */
    size_t plen;
    char path[PATH_MAX_];
} P;

/* Bits of element classes, for "which classes may appear here". */
#define C(k) (1u << (k))
#define C_CONTENT (C(TWIN_DTDL_TELEMETRY) | C(TWIN_DTDL_PROPERTY) | C(TWIN_DTDL_COMMAND) | \
                   C(TWIN_DTDL_RELATIONSHIP) | C(TWIN_DTDL_COMPONENT))
#define C_COMPLEX (C(TWIN_DTDL_ARRAY) | C(TWIN_DTDL_ENUM) | C(TWIN_DTDL_MAP) | C(TWIN_DTDL_OBJECT))

static const char *const class_names[] = {
    NULL, "Interface", "Telemetry", "Property", "Command", "Relationship", "Component",
    "CommandRequest", "CommandResponse", NULL, "Array", "Enum", "Map", "Object", "Field",
    "EnumValue", "MapKey", "MapValue",
};

/* ---- errors and paths ---- */

static void err(P *p, const char *code, const twin_dtdl_elem *e, const char *secondary,
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

static size_t push(P *p, const char *key)
{
    size_t mark = p->plen;
    if (p->plen + 1 < PATH_MAX_) p->path[p->plen++] = '/';
    for (; *key && p->plen + 2 < PATH_MAX_; key++) {
        if (*key == '~' || *key == '/') {
            p->path[p->plen++] = '~';
            p->path[p->plen++] = *key == '~' ? '0' : '1';
        } else {
            p->path[p->plen++] = *key;
        }
    }
    p->path[p->plen] = '\0';
    return mark;
}

static size_t push_i(P *p, int i)
{
    char b[16];
    int n = 15;
    unsigned u = (unsigned)i;
    b[15] = '\0';
    do {
        b[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n > 0);
    return push(p, b + n);
}

static void pop(P *p, size_t mark)
{
    p->plen = mark;
    p->path[p->plen] = '\0';
}

/* ---- allocation ---- */

static void *ralloc(P *p, size_t n)
{
    void *q = twin__region_alloc(&p->m->mem, &p->m->alloc, n);
    if (!q) p->nomem = 1;
    else memset(q, 0, n);
    return q;
}

static const char *rstr(P *p, const char *s, size_t n)
{
    const char *q = twin__region_strdup(&p->m->mem, &p->m->alloc, s, n);
    if (!q) p->nomem = 1;
    return q;
}

/* Solecisms are tolerated on request, and only in DTDL v2. */
static int tolerate(const P *p)
{
    return (p->m->opt.flags & TWIN_MODELS_TOLERATE_SOLECISMS) && p->version == 2;
}

/* ---- limits per version ---- */

static size_t name_max(const P *p) { return p->version == 2 ? 64 : 512; }
static size_t display_max(const P *p) { return p->version == 2 ? 64 : 512; }
static uint32_t depth_max(const P *p)
{
    return p->limit_depth ? p->limit_depth : p->version >= 4 ? 8 : 5;
}
static size_t desc_max(const P *p) { return p->limit_desc ? p->limit_desc : 512; }

/* ---- @context ---- */

typedef struct ext_def {
    const char *name;  /* after dtmi:dtdl:extension: */
    unsigned bit;
    int vmin_ext, vmax_ext;  /* extension versions known */
} ext_def;

static const ext_def exts[] = {
    {"quantitativeTypes", 0, 1, 3},
    {"historization", TWIN__X_HIST, 1, 2},
    {"annotation", TWIN__X_ANNOT, 1, 2},
    {"overriding", TWIN__X_OVERRIDE, 1, 2},
    {"layering", TWIN__X_OPAQUE, 1, 1},
    {"mqtt", TWIN__X_OPAQUE, 1, 4},
    {"requirement", TWIN__X_OPAQUE, 1, 2},
    {"streaming", TWIN__X_OPAQUE, 1, 1},
    {"onvif", TWIN__X_OPAQUE, 1, 1},
    {"sparkplug", TWIN__X_OPAQUE, 1, 1},
};

/* Limit extensions: the limits they raise. aio's depth is the deepest
 * nesting its conformance case accepts; onvif's come from the Onvif
 * extension's document. */
static const struct limit_def {
    const char *name;  /* after dtmi:dtdl:limits: */
    uint32_t depth;
    size_t desc;
} limit_defs[] = {
    {"aio", 12, 512},
    {"onvif", 24, 4096},
};

/* A limits context s; was_limitless: it follows dtmi:dtdl:context;4#limitless. */
static int limits(P *p, const char *s, int was_limitless, int dtdl_seen)
{
    const char *nm = s + 17, *semi = strchr(nm, ';');
    size_t k, nl = semi ? (size_t)(semi - nm) : strlen(nm);
    const struct limit_def *d = NULL;
    if (!dtdl_seen) {
        err(p, "missingDtdlContext", NULL, NULL, "a limits context needs the DTDL context before it");
        return 0;
    }
    if (!semi || strchr(semi, '#') || twin_dtmi_parse(s, strlen(s), NULL) != TWIN_OK) {
        err(p, "invalidContextSpecifier", NULL, NULL, "'%s' is not a valid limits context", s);
        return 0;
    }
    if (!was_limitless) {
        err(p, "misplacedLimitContext", NULL, NULL,
            "'%s' must directly follow dtmi:dtdl:context;4#limitless", s);
        return 0;
    }
    for (k = 0; k < p->m->opt.nacceptable_limits; k++)
        if (strncmp(p->m->opt.acceptable_limits[k], s, (size_t)(semi - s)) == 0 &&
            p->m->opt.acceptable_limits[k][semi - s] == '\0')
            break;
    if (k == p->m->opt.nacceptable_limits) {
        err(p, "disallowedLimitContext", NULL, NULL,
            "limits context '%s' is not among the acceptable limits of this model set", s);
        return 0;
    }
    for (k = 0; k < sizeof limit_defs / sizeof limit_defs[0]; k++)
        if (strlen(limit_defs[k].name) == nl && strncmp(limit_defs[k].name, nm, nl) == 0)
            d = &limit_defs[k];
    if (!d) {
        err(p, "unresolvableContextSpecifier", NULL, NULL, "unknown limits context '%s'", s);
        return 0;
    }
    p->limit_depth = d->depth;
    p->limit_desc = d->desc;
    return 1;
}

/* Record an extension context whose vocabulary vocab.c models; 0 when it
 * models none for this version. */
static int vocab_context(P *p, const char *ctx, size_t len, int ver)
{
    if (twin__xcontext_ntypes(ctx, len, ver) == 0 ||
        p->nxc == (int)(sizeof p->xc / sizeof p->xc[0]))
        return 0;
    p->xc[p->nxc].ctx = ctx;
    p->xc[p->nxc].len = len;
    p->xc[p->nxc].ver = ver;
    p->nxc++;
    return 1;
}

/* One context specifier, entry i of @context. Returns 0 on error. */
static int specifier(P *p, const cJSON *it, int i, int top, int *dtdl_seen)
{
    const char *s, *vs;
    if (cJSON_IsObject(it)) {
        err(p, "disallowedLocalContext", NULL, NULL,
            "local context definitions are not allowed in DTDL; use context DTMIs");
        return 0;
    }
    if (!cJSON_IsString(it)) {
        err(p, "invalidContext", NULL, NULL, "a context specifier must be a string");
        return 0;
    }
    s = it->valuestring;
    if (strncmp(s, "dtmi:dtdl:context;", 18) == 0 || strcmp(s, "dtmi:dtdl:context") == 0) {
        /* Contexts apply in order (JSON-LD): the last DTDL context sets the
           version. "#limitless" and "#limits" select v4's limit handling,
           which this parser does not vary. */
        int ver;
        vs = s[17] ? s + 18 : "";
        ver = (vs[0] >= '2' && vs[0] <= '4' &&
               (vs[1] == '\0' || (vs[0] == '4' && (strcmp(vs + 1, "#limitless") == 0 ||
                                                   strcmp(vs + 1, "#limits") == 0))))
                  ? vs[0] - '0' : 0;
        if (vs[0] == '\0' || strcmp(s, "dtmi:dtdl:context") == 0) {
            err(p, "missingContextVersion", NULL, NULL, "the DTDL context needs a version");
            return 0;
        }
        if (!ver && vs[0] >= '2' && vs[0] <= '4' && vs[1] == '#') {
            err(p, "disallowedContextFragment", NULL, NULL,
                "'%s': only v4 takes a fragment (#limitless, #limits)", s);
            return 0;
        }
        if (top && i > 0 && !*dtdl_seen && ver >= 3) {
            err(p, "missingDtdlContext", NULL, NULL,
                "the DTDL context must come first in DTDL v%d", ver);
            return 0;
        }
        if (!ver) {
            err(p, "unrecognizedContextVersion", NULL, NULL,
                "unknown DTDL context version '%s' (expected 2, 3 or 4)", vs);
            return 0;
        }
        if (ver > p->m->opt.max_dtdl_version) {
            err(p, "disallowedContextVersion", NULL, NULL,
                "DTDL version %d is above the accepted maximum %d", ver,
                (int)p->m->opt.max_dtdl_version);
            return 0;
        }
        if (!top && ver > p->version) {
            err(p, "unrecognizedContextVersion", NULL, NULL,
                "a nested context cannot raise the DTDL version (%d to %d)", p->version, ver);
            return 0;
        }
        if (p->limitless && strcmp(vs, "4#limits") == 0) {
            /* #limits after #limitless: back to the standard limits */
            p->limitless = 0;
            p->limit_depth = 0;
            p->limit_desc = 0;
            return 1;
        }
        if (p->limitless) {
            err(p, "missingLimitContext", NULL, NULL,
                "dtmi:dtdl:context;4#limitless must be followed by a limits context");
            return 0;
        }
        *dtdl_seen = 1;
        p->version = ver;
        p->limitless = strstr(vs, "#limitless") != NULL;
        return 1;
    }
    if (strncmp(s, "dtmi:dtdl:limits:", 17) == 0) {
        int was = p->limitless;
        p->limitless = 0;
        return limits(p, s, was, *dtdl_seen);
    }
    if (p->limitless) {
        err(p, "missingLimitContext", NULL, NULL,
            "dtmi:dtdl:context;4#limitless must be followed by a limits context");
        return 0;
    }
    if (strncmp(s, "dtmi:dtdl:extension:", 20) == 0) {
        const char *nm = s + 20, *semi = strchr(nm, ';');
        size_t k, nl = semi ? (size_t)(semi - nm) : strlen(nm), nx = sizeof exts / sizeof exts[0];
        int ev = semi ? atoi(semi + 1) : 0;
        for (k = 0; k < nx; k++)
            if (strlen(exts[k].name) == nl && strncmp(exts[k].name, nm, nl) == 0) break;
        if (p->version == 2 && semi && strchr(semi, '.')) {
            err(p, "invalidContextSpecifierForVersion", NULL, NULL,
                "DTDL v2 takes no minor versions in context specifiers ('%s')", s);
            return 0;
        }
        if (k == nx) {
            if (p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS) return 1;
            err(p, "unresolvableContextSpecifier", NULL, NULL, "unknown extension context '%s'", s);
            return 0;
        }
        if (!semi) {
            err(p, "missingContextVersion", NULL, NULL, "extension context '%s' needs a version", s);
            return 0;
        }
        if (ev < exts[k].vmin_ext || ev > exts[k].vmax_ext) {
            p->ext |= TWIN__X_UNRESOLVED;  /* its terms stay undefined */
            p->unresolved_ext |= 1u << k;
            return 1;
        }
        p->known_ext |= 1u << k;
        if (exts[k].bit == TWIN__X_OPAQUE && vocab_context(p, s, (size_t)(semi - s), ev))
            return 1;  /* modelled: its terms are checked, not waved through */
        p->ext |= k == 0 ? (ev == 1 ? TWIN__X_QT1 : ev == 2 ? TWIN__X_QT2 : TWIN__X_QT3) : exts[k].bit;
        return 1;
    }
    if (strncmp(s, "dtmi:", 5) == 0 && p->version == 2 && strchr(s, ';') &&
        strchr(strchr(s, ';'), '.')) {
        err(p, "invalidContextSpecifierForVersion", NULL, NULL,
            "DTDL v2 takes no minor versions in context specifiers ('%s')", s);
        return 0;
    }
    if (strncmp(s, "dtmi:", 5) == 0 && twin_dtmi_parse(s, strlen(s), NULL) == TWIN_OK &&
        !strchr(s, ';')) {
        err(p, "missingContextVersion", NULL, NULL, "context '%s' needs a version", s);
        return 0;
    }
    if (strncmp(s, "dtmi:", 5) == 0 && twin_dtmi_parse(s, strlen(s), NULL) == TWIN_OK) {
        /* A context of another vocabulary (e.g. dtmi:iotcentral:context;2):
           accepted, and its terms pass as undefined extension terms. */
        if (strncmp(s, "dtmi:dtdl:", 10) != 0 && strchr(s, ';') &&
            vocab_context(p, s, (size_t)(strchr(s, ';') - s), atoi(strchr(s, ';') + 1)))
            return 1;
        if (strncmp(s, "dtmi:dtdl:", 10) != 0 &&
            (strncmp(s, "dtmi:iotcentral:context;", 24) == 0 ||
             strncmp(s, "dtmi:iotoperations:context;", 27) == 0 ||
             (p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS))) {
            p->ext |= TWIN__X_OPAQUE;
            return 1;
        }
        if (p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS) return 1;
        err(p, "unresolvableContextSpecifier", NULL, NULL, "unknown context '%s'", s);
        return 0;
    }
    err(p, strncmp(s, "dtmi:", 5) == 0 ? "invalidContextSpecifier" : "nonDtmiContextSpecifier",
        NULL, NULL, "context specifier '%s' is not a valid DTMI", s);
    return 0;
}

/* Process a @context value; top: a document's root. Returns 0 on error. */
static int context(P *p, const cJSON *v, int top)
{
    const cJSON *it;
    int i = 0, dtdl_seen = 0, ok = 1;
    size_t mk = push(p, "@context");
    if (cJSON_IsArray(v)) {
        if (!v->child && top) {
            err(p, "emptyContext", NULL, NULL, "@context is empty");
            ok = 0;
        }
        for (it = v->child; it && ok; it = it->next, i++) {
            size_t mk2 = push_i(p, i);
            ok = specifier(p, it, i, top, &dtdl_seen);
            pop(p, mk2);
        }
    } else {
        ok = specifier(p, v, 0, top, &dtdl_seen);
    }
    if (ok && p->limitless) {
        err(p, "missingLimitContext", NULL, NULL,
            "dtmi:dtdl:context;4#limitless must be followed by a limits context");
        ok = 0;
    }
    p->limitless = 0;
    if (ok && (p->unresolved_ext & ~p->known_ext) &&
        !(p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS)) {
        err(p, "unresolvableContextVersion", NULL, NULL,
            "an extension context names a version this parser does not know");
        ok = 0;
    }
    if (ok && top && !dtdl_seen) {
        err(p, "missingDtdlContext", NULL, NULL, "@context has no DTDL context");
        ok = 0;
    }
    pop(p, mk);
    return ok;
}

/* ---- identifiers ---- */

/* base "dtmi:a:b;1" + "_contents:__x" -> "dtmi:a:b:_contents:__x;1" */
static const char *gen_id(P *p, const char *base, const char *s1, const char *s2)
{
    /* no printf: this runs for every element without an @id */
    const char *semi = strchr(base, ';'), *hash = strchr(base, '#');
    size_t bl = semi ? (size_t)(semi - base) : hash ? (size_t)(hash - base) : strlen(base);
    size_t l1 = strlen(s1), l2 = s2 ? strlen(s2) : 0, l3 = semi ? strlen(semi) : 0;
    size_t n = bl + 1 + l1 + l2 + l3;
    char *q = twin__region_alloc(&p->m->mem, &p->m->alloc, n + 1);
    if (!q) {
        p->nomem = 1;
        return NULL;
    }
    memcpy(q, base, bl);
    q[bl] = ':';
    memcpy(q + bl + 1, s1, l1);
    if (l2) memcpy(q + bl + 1 + l1, s2, l2);
    if (l3) memcpy(q + bl + 1 + l1 + l2, semi, l3);
    q[n] = '\0';
    return q;
}

static int name_ok(const char *s, size_t max)
{
    size_t n = strlen(s), i;
    if (n == 0 || n > max) return 0;
    if (!((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')) return 0;
    for (i = 1; i < n; i++) {
        char c = s[i];
        if (!(((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return s[n - 1] != '_';
}

/* ---- values ---- */

/* Length in UTF-16 code units, as DTDL's limits count characters (the
 * text is valid UTF-8: checked on input). */
static size_t ulen(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* JSON-LD lets a literal come as a one-element array or as a value object
 * ({"@value": v} with an optional @type or @language). Returns the bare
 * literal, or NULL after reporting why there is none. kind names the
 * literal type for error codes ("string", "boolean", "integer"). */
static const cJSON *literal(P *p, const twin_dtdl_elem *e, const cJSON *v, const char *kind,
                            const char *what)
{
    const cJSON *it, *val;
    int no_lang = strcmp(kind, "enum") == 0;  /* an enumValue takes no language */
    if (cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) != 1) {
            const char *code = strcmp(kind, "string") == 0 || strcmp(kind, "enum") == 0    ? "stringMultipleValues"
                               : strcmp(kind, "boolean") == 0 ? "booleanMultipleValues"
                                                              : "integerMultipleValues";
            err(p, code, e, NULL, "'%s' takes exactly one %s", what, kind);
            return NULL;
        }
        v = v->child;
    }
    if (!cJSON_IsObject(v)) return v;
    if (!(val = cJSON_GetObjectItemCaseSensitive(v, "@value"))) {
        const char *code = strcmp(kind, "boolean") == 0   ? "booleanObjectNoValue"
                           : strcmp(kind, "integer") == 0 ? "integerObjectNoValue"
                                                          : "stringObjectNoValue";
        err(p, code, e, NULL, "'%s' is an object without @value", what);
        return NULL;
    }
    {
        static const char *const kw[][2] = {{"@id", "valueObjectId"},
                                            {"@graph", "valueObjectGraph"},
                                            {"@context", "valueObjectContext"}};
        size_t k;
        for (k = 0; k < 3; k++)
            if (cJSON_GetObjectItemCaseSensitive(v, kw[k][0])) {
                err(p, kw[k][1], e, NULL, "'%s' value object may not have %s", what, kw[k][0]);
                return NULL;
            }
    }
    if (strcmp(kind, "enum") == 0) {
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(v, "@type");
        kind = cJSON_IsString(val) ? "string" : "integer";
        if (cJSON_IsString(ty) && strstr(ty->valuestring, kind) == NULL) {
            err(p, "literalNotValid", e, NULL, "'%s' value object's @type '%s' does not fit its value",
                what, ty->valuestring);
            return NULL;
        }
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(v, "@type")) != NULL) {
        char x1[40], x2[64];
        const char *t;
        if (cJSON_IsArray(it) && cJSON_GetArraySize(it) == 1) it = it->child;
        if (cJSON_IsArray(it)) {
            err(p, "literalTypeNotSingular", e, NULL, "'%s' value object has several @type values", what);
            return NULL;
        }
        t = cJSON_IsString(it) ? it->valuestring : "";
        snprintf(x1, sizeof x1, "xsd:%s", kind);
        snprintf(x2, sizeof x2, "http://www.w3.org/2001/XMLSchema#%s", kind);
        if (strcmp(t, x1) != 0 && strcmp(t, x2) != 0) {
            const char *code = strcmp(kind, "string") == 0    ? "stringTypeNotString"
                               : strcmp(kind, "boolean") == 0 ? "booleanTypeNotBoolean"
                                                              : "integerTypeNotInteger";
            err(p, code, e, NULL, "'%s' value object must have @type %s", what, x1);
            return NULL;
        }
    }
    if (cJSON_GetObjectItemCaseSensitive(v, "@language") && (strcmp(kind, "string") != 0 || no_lang) &&
        p->version > 2) {
        err(p, "valueObjectLanguage", e, NULL, "'%s' is not a string and takes no @language", what);
        return NULL;
    }
    cJSON_ArrayForEach(it, v) {
        if (strcmp(it->string, "@value") && strcmp(it->string, "@type") &&
            strcmp(it->string, "@language") &&
            !(p->version == 2 && it->string[0] == '@')) {  /* v2 ignores other keywords */
            err(p, it->string[0] == '@' ? "valueObjectKeyword" : "valueObjectInvalidProp", e, NULL,
                "'%s' value object has member '%s'", what, it->string);
            return NULL;
        }
    }
    return val;
}

static const char *get_string(P *p, const twin_dtdl_elem *e, const cJSON *v, const char *what,
                              size_t max)
{
    if (!(v = literal(p, e, v, "string", what))) return NULL;
    if (!cJSON_IsString(v)) {
        err(p, "stringNotString", e, NULL, "'%s' must be a string", what);
        return NULL;
    }
    if (max && ulen(v->valuestring) > max) {
        err(p, "stringTooLong", e, NULL, "'%s' is longer than %lu characters", what,
            (unsigned long)max);
        return NULL;
    }
    return rstr(p, v->valuestring, strlen(v->valuestring));
}

static int nalpha(const char *s, int min, int max, int digits)
{
    int n = 0;
    while (s[n] && s[n] != '-') {
        char c = s[n];
        if (digits ? !(c >= '0' && c <= '9') : !((c | 32) >= 'a' && (c | 32) <= 'z')) return -1;
        n++;
    }
    return n >= min && n <= max ? n : -1;
}

/* A language code as DTDL takes them: a 2-4 letter language, then an
 * optional 4-letter script, then an optional 2-letter or 3-digit region
 * (en, en-US, zh-Hant-TW, es-419). */
static int lang_ok(const char *s)
{
    int n = nalpha(s, 2, 4, 0);
    if (n < 0) return 0;
    s += n;
    if (*s == '-' && nalpha(s + 1, 4, 4, 0) == 4) s += 5;
    if (*s == '-') {
        s++;
        if (nalpha(s, 2, 2, 0) == 2) s += 2;
        else if (nalpha(s, 3, 3, 1) == 3) s += 3;
        else return 0;
    }
    return *s == '\0';
}

/* displayName / description: a string or a language map. */
static void lang_string(P *p, const twin_dtdl_elem *e, const cJSON *v, const char *what,
                        size_t max, const twin__lang **out, uint16_t *nout)
{
    twin__lang *l;
    const cJSON *it;
    int n = 0;
    if (cJSON_IsString(v)) {
        if (ulen(v->valuestring) > max) {
            err(p, "langStringValueTooLong", e, NULL, "'%s' is longer than %lu characters",
                what, (unsigned long)max);
            return;
        }
        l = ralloc(p, sizeof *l);
        if (!l) return;
        l->lang = "";
        l->text = rstr(p, v->valuestring, strlen(v->valuestring));
        *out = l;
        *nout = 1;
        return;
    }
    if (cJSON_IsArray(v)) {
        /* JSON-LD: an array of strings or of {"@value", "@language"} objects */
        n = cJSON_GetArraySize(v);
        l = ralloc(p, (size_t)(n ? n : 1) * sizeof *l);
        if (!l) return;
        n = 0;
        cJSON_ArrayForEach(it, v) {
            const cJSON *val = it, *lg = NULL;
            if (cJSON_IsObject(it)) {
                val = cJSON_GetObjectItemCaseSensitive(it, "@value");
                lg = cJSON_GetObjectItemCaseSensitive(it, "@language");
            }
            {
                const char *code = NULL;
                const cJSON *x;
                if (cJSON_IsObject(it)) {
                    cJSON_ArrayForEach(x, it)
                        if (strcmp(x->string, "@value") && strcmp(x->string, "@language") &&
                            !(p->version == 2 && x->string[0] == '@' &&
                              strcmp(x->string, "@context") != 0))  /* v2 ignores keywords */
                            code = x->string[0] != '@' ? "langStringElementInvalidProp"
                                   : strcmp(x->string, "@context") == 0 ? "langStringElementContext"
                                   : strcmp(x->string, "@id") == 0 ? "langStringElementId"
                                                                   : "langStringElementKeyword";
                }
                if (!code && cJSON_IsObject(it) && !val) code = "langStringElementNoValue";
                if (!code && !cJSON_IsString(val)) code = "langStringElementValueNotString";
                if (!code && lg && !cJSON_IsString(lg)) code = "langStringElementCodeNotString";
                if (!code && lg && !lang_ok(lg->valuestring)) code = "langStringElementInvalidCode";
                if (code) {
                    err(p, code, e, NULL,
                        "'%s' entries must be strings or {\"@value\", \"@language\"} objects with a valid language code",
                        what);
                    return;
                }
            }
            if (ulen(val->valuestring) > max) {
                err(p, "langStringValueTooLong", e, NULL, "'%s' is longer than %lu characters",
                    what, (unsigned long)max);
                return;
            }
            {
                int j;
                const char *code = lg ? lg->valuestring : "";
                for (j = 0; j < n; j++)
                    if (strcmp(l[j].lang, code) == 0 ||
                        ((!l[j].lang[0] || strcmp(l[j].lang, "en") == 0) &&
                         (!code[0] || strcmp(code, "en") == 0))) {
                        err(p, "langStringElementCodeNotUnique", e, NULL,
                            "'%s' gives language '%s' twice", what, code[0] ? code : "(default)");
                        return;
                    }
            }
            l[n].lang = lg ? rstr(p, lg->valuestring, strlen(lg->valuestring)) : "";
            l[n].text = rstr(p, val->valuestring, strlen(val->valuestring));
            n++;
        }
        *out = l;
        *nout = (uint16_t)n;
        return;
    }
    if (!cJSON_IsObject(v)) {
        err(p, "langStringNotLangString", e, NULL,
            "'%s' must be a string or a map from language codes to strings", what);
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(v, "@value")) {
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(v, "@value");
        cJSON_ArrayForEach(it, v)
            if (it->string[0] != '@' || cJSON_IsObject(val)) {
                err(p, "langMapObjKeyword", e, NULL,
                    "'%s' mixes a value object with language entries", what);
                return;
            }
        err(p, "langStringNotLangString", e, NULL,
            "'%s' must be a string or a language map, not a value object", what);
        return;
    }
    n = cJSON_GetArraySize(v);
    if (n == 0 || n > 1000) {
        err(p, "langStringNotLangString", e, NULL, "'%s' language map is empty", what);
        return;
    }
    l = ralloc(p, (size_t)n * sizeof *l);
    if (!l) return;
    n = 0;
    cJSON_ArrayForEach(it, v) {
        size_t mk = push(p, it->string);
        if (it->string[0] == '@') {
            err(p, "langMapObjKeyword", e, NULL, "'%s' language map has keyword key '%s'", what,
                it->string);
        } else if (!lang_ok(it->string)) {
            err(p, "langStringElementInvalidCode", e, NULL, "'%s' is not a language code",
                it->string);
        } else if (!cJSON_IsString(it)) {
            err(p, "langStringValueNotString", e, NULL,
                "'%s' in language '%s' must be a string", what, it->string);
        } else if (ulen(it->valuestring) > max) {
            err(p, "langStringValueTooLong", e, NULL, "'%s' is longer than %lu characters", what,
                (unsigned long)max);
        } else {
            l[n].lang = rstr(p, it->string, strlen(it->string));
            l[n].text = rstr(p, it->valuestring, strlen(it->valuestring));
            n++;
        }
        pop(p, mk);
    }
    *out = l;
    *nout = (uint16_t)n;
}

static int get_bool(P *p, const twin_dtdl_elem *e, const cJSON *v, const char *what)
{
    if (!(v = literal(p, e, v, "boolean", what))) return -1;
    if (!cJSON_IsBool(v)) {
        err(p, "booleanNotBoolean", e, NULL, "'%s' must be true or false", what);
        return -1;
    }
    return cJSON_IsTrue(v) ? 1 : 0;
}

static int get_int(P *p, const twin_dtdl_elem *e, const cJSON *v, const char *what, int64_t *out)
{
    double d;
    if (!(v = literal(p, e, v, "integer", what))) return 0;
    if (!cJSON_IsNumber(v) || !isfinite(d = v->valuedouble) || d != floor(d) ||
        d < -9007199254740992.0 || d > 9007199254740992.0) {
        err(p, "integerNotInteger", e, NULL, "'%s' must be an integer", what);
        return 0;
    }
    *out = (int64_t)d;
    return 1;
}

/* ---- element parsing ---- */

static twin_dtdl_elem *element(P *p, const cJSON *o, uint32_t allowed, int inferred,
                               const twin_dtdl_elem *parent, const char *genid);

/* Which properties a class has. */
enum {
    K_NAME = 1, K_SCHEMA, K_WRITABLE, K_CONTENTS, K_EXTENDS, K_SCHEMAS, K_TARGET, K_MINM,
    K_MAXM, K_PROPERTIES, K_FIELDS, K_ENUMVALUES, K_ENUMVALUE, K_VALUESCHEMA, K_ELEMSCHEMA,
    K_MAPKEY, K_MAPVALUE, K_REQUEST, K_RESPONSE, K_COMMANDTYPE, K_NULLABLE,
    /* properties every class (or a co-type) has */
    K_DISPLAY, K_DESC, K_COMMENT, K_UNIT, K_ANNOTATES, K_OVERRIDES
};

typedef struct prop {
    uint8_t kind;     /* element class */
    uint8_t key;      /* K_* */
    uint8_t vmin, vmax;
    uint8_t required;
    const char *json;
} prop;

static const prop props[] = {
    {TWIN_DTDL_INTERFACE, K_CONTENTS, 2, 4, 0, "contents"},
    {TWIN_DTDL_INTERFACE, K_EXTENDS, 2, 4, 0, "extends"},
    {TWIN_DTDL_INTERFACE, K_SCHEMAS, 2, 4, 0, "schemas"},
    {TWIN_DTDL_TELEMETRY, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_TELEMETRY, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_PROPERTY, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_PROPERTY, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_PROPERTY, K_WRITABLE, 2, 4, 0, "writable"},
    {TWIN_DTDL_COMMAND, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMMAND, K_REQUEST, 2, 4, 0, "request"},
    {TWIN_DTDL_COMMAND, K_RESPONSE, 2, 4, 0, "response"},
    {TWIN_DTDL_COMMAND, K_COMMANDTYPE, 2, 4, 0, "commandType"},
    {TWIN_DTDL_RELATIONSHIP, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_RELATIONSHIP, K_TARGET, 2, 4, 0, "target"},
    {TWIN_DTDL_RELATIONSHIP, K_MINM, 2, 4, 0, "minMultiplicity"},
    {TWIN_DTDL_RELATIONSHIP, K_MAXM, 2, 4, 0, "maxMultiplicity"},
    {TWIN_DTDL_RELATIONSHIP, K_PROPERTIES, 2, 4, 0, "properties"},
    {TWIN_DTDL_RELATIONSHIP, K_WRITABLE, 2, 4, 0, "writable"},
    {TWIN_DTDL_COMPONENT, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMPONENT, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_COMMAND_REQUEST, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMMAND_REQUEST, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_COMMAND_REQUEST, K_NULLABLE, 4, 4, 0, "nullable"},
    {TWIN_DTDL_COMMAND_RESPONSE, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMMAND_RESPONSE, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_COMMAND_RESPONSE, K_NULLABLE, 4, 4, 0, "nullable"},
    {TWIN_DTDL_ARRAY, K_ELEMSCHEMA, 2, 4, 1, "elementSchema"},
    {TWIN_DTDL_ENUM, K_VALUESCHEMA, 2, 4, 1, "valueSchema"},
    {TWIN_DTDL_ENUM, K_ENUMVALUES, 2, 2, 1, "enumValues"},
    {TWIN_DTDL_ENUM, K_ENUMVALUES, 3, 4, 0, "enumValues"},
    {TWIN_DTDL_MAP, K_MAPKEY, 2, 4, 1, "mapKey"},
    {TWIN_DTDL_MAP, K_MAPVALUE, 2, 4, 1, "mapValue"},
    {TWIN_DTDL_OBJECT, K_FIELDS, 2, 2, 1, "fields"},
    {TWIN_DTDL_OBJECT, K_FIELDS, 3, 4, 0, "fields"},
    {TWIN_DTDL_FIELD, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_FIELD, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_ENUM_VALUE, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_ENUM_VALUE, K_ENUMVALUE, 2, 4, 1, "enumValue"},
    {TWIN_DTDL_MAP_KEY, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_MAP_KEY, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_MAP_VALUE, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_MAP_VALUE, K_SCHEMA, 2, 4, 1, "schema"},
};

static const prop *find_prop(int kind, const char *key, int version)
{
    size_t i;
    for (i = 0; i < sizeof props / sizeof props[0]; i++)
        if (props[i].kind == kind && props[i].json[0] == key[0] && strcmp(props[i].json, key) == 0 &&
            version >= props[i].vmin && version <= props[i].vmax)
            return &props[i];
    return NULL;
}

/* A class name ("Telemetry" or "dtmi:dtdl:class:Telemetry;3") to its kind, 0 if none. */
static int class_of(const P *p, const char *t)
{
    int k;
    const char *name = t, *semi = NULL;
    size_t n;
    if (strncmp(t, "dtmi:dtdl:class:", 16) == 0) {
        /* dtmi:dtdl:class:Telemetry;3 names Telemetry in DTDL v3 only */
        name = t + 16;
        semi = strchr(name, ';');
        if (!semi || semi[1] != (char)('0' + p->version) || semi[2] != '\0') return 0;
    }
    n = semi ? (size_t)(semi - name) : strlen(name);
    for (k = 1; k < (int)(sizeof class_names / sizeof class_names[0]); k++) {
        if (class_names[k] && strncmp(name, class_names[k], n) == 0 && class_names[k][n] == '\0')
            goto found;
    }
    if (p->version == 2 && (strcmp(t, "CommandPayload") == 0 ||
                            strcmp(t, "dtmi:dtdl:class:CommandPayload;2") == 0))
        return -1;
    return 0;
found:
    if (p->version == 2 && (k == TWIN_DTDL_COMMAND_REQUEST || k == TWIN_DTDL_COMMAND_RESPONSE))
        return 0;
    return k;
}

static unsigned qt_where(const P *p)
{
    if (p->version == 2) return TWIN__QT_V2NATIVE;
    return (p->ext & TWIN__X_QT1 ? TWIN__QT_1 : 0u) | (p->ext & TWIN__X_QT2 ? TWIN__QT_2 : 0u) |
           (p->ext & TWIN__X_QT3 ? TWIN__QT_3 : 0u);
}

/* Extension co-types (not semantic types) by extension bit. */
static unsigned ext_cotype(const char *t)
{
    if (strcmp(t, "Historized") == 0) return TWIN__X_HIST;
    if (strcmp(t, "ValueAnnotation") == 0) return TWIN__X_ANNOT;
    if (strcmp(t, "Override") == 0) return TWIN__X_OVERRIDE;
    return 0;
}

/* DTDL metamodel classes that are not element classes (abstract ones,
 * primitive schema classes, unit classes): naming one in @type is a class
 * in the wrong place, not an undefined term. */
static int other_class(const P *p, const char *t)
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
        if (strcmp(t, names[k]) == 0) return 1;
    return twin__unit_type_find(t, strlen(t), qt_where(p)) != 0;
}

/* A semantic type written as its standard DTMI (dtmi:standard:class:Area;2,
 * DTDL v2) stands for its term. */
static const char *std_class(const P *p, const char *s, size_t *n)
{
    const char *semi;
    if (strncmp(s, "dtmi:standard:class:", 20) == 0 && (semi = strchr(s + 20, ';')) != NULL &&
        atoi(semi + 1) == p->version) {
        *n = (size_t)(semi - s - 20);
        return s + 20;
    }
    *n = strlen(s);
    return s;
}

/* Is t the term of a DTDL property (a name that cannot be a type)? */
static int is_property_term(const char *t)
{
    size_t i;
    static const char *const common[] = {"displayName", "description", "comment", "unit"};
    for (i = 0; i < sizeof props / sizeof props[0]; i++)
        if (strcmp(props[i].json, t) == 0) return 1;
    for (i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(common[i], t) == 0) return 1;
    return 0;
}

/* A class that may not stand here: reported against the element that
 * holds this one (the official parser's badType). */
static void bad_type(P *p, const twin_dtdl_elem *e, const char *t)
{
    const twin_dtdl_elem *at = e->parent ? e->parent : NULL;
    err(p, "badType", at, e->id, "@type '%s' is not allowed here", t);
}

/* No class in @type: the element's class comes from where it stands. */
static int typed_by_position(const cJSON *t)
{
    const cJSON *it;
    if (!t) return 1;
    if (cJSON_IsString(t)) return 0;  /* one term: a class or (v2) an error reported elsewhere */
    cJSON_ArrayForEach(it, t)
        if (cJSON_IsString(it) && (strcmp(it->valuestring, "CommandRequest") == 0 ||
                                   strcmp(it->valuestring, "CommandResponse") == 0 ||
                                   strcmp(it->valuestring, "MapValue") == 0 ||
                                   strcmp(it->valuestring, "Field") == 0))
            return 0;
    return 1;
}

/* A co-type term of a modelled extension vocabulary in force. */
static const twin__xtype *vocab_type(const P *p, const char *term)
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
static const char *vocab_schema_term(const P *p, const char *s)
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

/* Parse "@type": returns the class, fills cotypes. */
static int types(P *p, twin_dtdl_elem *e, const cJSON *t, uint32_t allowed, int inferred,
                 int idref_only)
{
    const cJSON *it;
    int cls = 0, n, i = 0, bad = 0;
    unsigned xcot = 0;
    const twin__xtype *xt, *xts[8];
    uint32_t nxt = 0;
    const char **co;
    size_t mk;
    if (!t) {
        if (inferred) return inferred;
        if (!e->parent) err(p, "typeNotRootable", NULL, NULL, "a top-level element needs @type Interface");
        else if (idref_only) err(p, "idReference", e->parent, e->id,
                                 "an element given only by {\"@id\"} must be written as its DTMI string");
        else bad_type(p, e, "(none)");
        return 0;
    }
    mk = push(p, "@type");
    if (cJSON_IsString(t)) n = 1;
    else if (cJSON_IsArray(t) && (n = cJSON_GetArraySize(t)) > 0) {
    } else {
        err(p, "typeNotDtmiNorTerm", e, NULL, "@type must be a term or an array of terms");
        pop(p, mk);
        return 0;
    }
    co = ralloc(p, (size_t)n * sizeof *co);
    if (!co) {
        pop(p, mk);
        return 0;
    }
    e->cotypes = co;
    for (it = cJSON_IsString(t) ? t : t->child; it; it = cJSON_IsString(t) ? NULL : it->next) {
        const char *s;
        int k;
        if (!cJSON_IsString(it)) {
            err(p, "typeNotDtmiNorTerm", e, NULL, "@type values must be strings");
            bad = 1;
            continue;
        }
        s = it->valuestring;
        k = class_of(p, s);
        if (k > 0 || k < 0) {
            if (k < 0) k = inferred;  /* v2 CommandPayload: position decides */
            if (cls && cls != k) {
                err(p, "multipleMaterialTypes", e, NULL, "@type names two classes");
                bad = 1;
            } else if (!(allowed & C(k)) || (k == inferred ? 0 : inferred && inferred != k)) {
                bad_type(p, e, s);
                bad = 1;
            }
            cls = k;
            i++;
            continue;
        }
        if (is_property_term(s)) {
            err(p, "typeIrrelevantDtmiOrTerm", e, NULL, "@type '%s' names a property, not a type", s);
            bad = 1;
            continue;
        }
        if (twin__dtdl_primitive(s, strlen(s), p->version) &&
            !(p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS)) {
            /* a DTDL term that names a schema, not a type */
            err(p, "typeIrrelevantDtmiOrTerm", e, NULL, "@type '%s' names a schema, not a type", s);
            bad = 1;
            continue;
        }
        if (other_class(p, s)) {
            bad_type(p, e, s);
            bad = 1;
            continue;
        }
        if ((strncmp(s, "dtmi:", 5) == 0 && twin_dtmi_parse(s, strlen(s), NULL)) ||
            (p->version > 2 && strchr(s, '/'))) {
            err(p, strncmp(s, "dtmi:", 5) == 0 ? "typeInvalidDtmi" : "typeNotDtmiNorTerm", e, NULL,
                "@type '%s' is neither a term nor a valid DTMI", s);
            bad = 1;
            continue;
        }
        {
            size_t sn;
            const char *sterm = std_class(p, s, &sn);
            const twin__semtype *st = twin__semtype_find(sterm, sn, qt_where(p));
            unsigned xb = ext_cotype(s);
            if (st && e->semtype && strcmp(e->semtype, twin__semtype_name(st)) == 0) continue;  /* term and DTMI */
            if (st && e->semtype) {
                err(p, "conflictingSupplementalTypes", e, NULL, "@type names two semantic types ('%s', '%s')",
                    e->semtype, s);
                bad = 1;
                continue;
            }
            if (st) {
                e->semtype = rstr(p, sterm, sn);
            } else if (xb && (p->ext & xb)) {
                xcot |= xb;
            } else if ((xt = vocab_type(p, s)) != NULL) {
                if (nxt < sizeof xts / sizeof xts[0]) xts[nxt++] = xt;
            } else if ((p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS) ||
                       (p->version == 2 && strncmp(s, "dtmi:", 5) != 0) ||
                       (p->ext & TWIN__X_OPAQUE)) {
                /* DTDL v2 permits undefined co-type terms (not DTMIs); so do
                   contexts whose vocabulary is not modelled here. */
                e->flags |= TWIN__EF_UNDEF_TYPE;
            } else {
                err(p, (p->ext & TWIN__X_UNRESOLVED) ? "unresolvableContextVersion"
                       : strncmp(s, "dtmi:", 5) == 0 ? "typeIrrelevantDtmiOrTerm"
                                                     : "typeUndefinedTerm",
                    e, NULL, "@type '%s' is not defined by any context in force", s);
                bad = 1;
                continue;
            }
            co[e->ncotypes++] = rstr(p, s, strlen(s));
        }
    }
    pop(p, mk);
    if (bad) return 0;
    if (nxt) {
        const twin__xtype **v = ralloc(p, nxt * sizeof *v);
        if (!v) return 0;
        memcpy(v, xts, nxt * sizeof *v);
        e->xt = v;
        e->nxt = nxt;
    }
    if (xcot) {
        int k = cls ? cls : inferred;
        /* Historized and ValueAnnotation: Telemetry or Property; Override: Property. */
        int fits = (xcot & TWIN__X_OVERRIDE) ? k == TWIN_DTDL_PROPERTY
                       : (k == TWIN_DTDL_TELEMETRY || k == TWIN_DTDL_PROPERTY);
        if (!fits) {
            err(p, "invalidCotype", e, NULL, "%s cannot apply to a %s",
                (xcot & TWIN__X_HIST) ? "Historized" : (xcot & TWIN__X_ANNOT) ? "ValueAnnotation"
                                                                               : "Override",
                k ? class_names[k] : "element");
            return 0;
        }
        if (p->version < 3) {  /* these feature extensions need DTDL v3 */
            err(p, "invalidCotypeVersion", e, NULL, "%s needs DTDL v3 or later",
                (xcot & TWIN__X_HIST) ? "Historized" : (xcot & TWIN__X_ANNOT) ? "ValueAnnotation"
                                                                               : "Override");
            return 0;
        }
    }
    if (!cls) {
        if (inferred && p->version == 2) return inferred;
        if (inferred) {
            /* an explicit @type must name the class, even where it could be inferred */
            bad_type(p, e, "(no class)");
            return 0;
        }
        err(p, "missingRequiredType", e, NULL, "@type names no DTDL class (expected %s)",
            allowed & C(TWIN_DTDL_INTERFACE) ? "Interface" : "an element class");
        return 0;
    }
    return cls;
}

static int is_numeric(const twin_dtdl_elem *s)
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
static const char *std_term(const P *p, const char *s, size_t *n)
{
    static const char *const prefixes[] = {
        "dtmi:dtdl:instance:Schema:", "dtmi:standard:schema:geospatial:",
        "dtmi:standard:unit:", "dtmi:standard:schema:",
    };
    size_t k;
    for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
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

/* A schema value: primitive term, DTMI reference, or inline complex schema
 * (or an Interface for a Component). */
static void schema(P *p, twin_dtdl_elem *e, int slot, const cJSON *v, const char *suffix,
                   uint32_t allowed)
{
    if (cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) != 1) {
            err(p, "objectMultipleValues", e, NULL, "'%s' takes exactly one schema", suffix + 1);
            return;
        }
        v = v->child;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        const twin_dtdl_elem *prim = NULL;
        if (!(allowed & C(TWIN_DTDL_INTERFACE))) {
            size_t tn;
            const char *t = std_term(p, s, &tn);
            prim = twin__dtdl_primitive(t, tn, p->version);
            /* A unit type names the Enum of its units (v2 and QuantitativeTypes). */
            if (!prim && qt_where(p) && (e->schema_unit_type = twin__unit_type_find(t, tn, qt_where(p))))
                prim = twin__dtdl_primitive("string", 6, p->version);
            if (!prim && (p->ext & TWIN__X_OPAQUE) && strncmp(s, "dtmi:", 5) != 0)
                return;  /* a schema term of a vocabulary not modelled here */
            if (!prim && (e->schema_term = vocab_schema_term(p, s)) != NULL)
                return;  /* a schema of a modelled vocabulary (iotcentral's vector) */
        }
        if (prim) {
            e->link[slot] = prim;
        } else if (strncmp(s, "dtmi:", 5) == 0 &&
                   twin__dtmi_ok(s, strlen(s), p->version, p->version == 2 ? 2048 : 4096)) {
            e->ref[slot] = rstr(p, s, strlen(s));
        } else {
            err(p, class_of(p, s) || other_class(p, s) ? "badType" : "idRefBadDtmiOrTerm", e, NULL,
                "'%s' is neither a %s nor a DTMI", s,
                allowed & C(TWIN_DTDL_INTERFACE) ? "reference" : "primitive schema");
        }
        return;
    }
    if (cJSON_IsObject(v)) {
        twin_dtdl_elem *c;
        int complex = !(allowed & C(TWIN_DTDL_INTERFACE));
        const char *gid = gen_id(p, e->id ? e->id : "dtmi:_", suffix + 1, NULL);
        const cJSON *xid = cJSON_GetObjectItemCaseSensitive(v, "@id");
        if (complex && p->sdepth == 0) p->sroot = cJSON_IsString(xid) ? xid->valuestring : gid;
        if (complex && ++p->sdepth > depth_max(p)) {
            twin_dtdl_elem root;
            memset(&root, 0, sizeof root);
            root.id = p->sroot;
            err(p, "excessiveDepthWide", &root, NULL,
                "complex schemas are nested deeper than %u levels", (unsigned)depth_max(p));
            p->sdepth--;
            return;
        }
        c = element(p, v, allowed, 0, e, gid);
        if (complex) p->sdepth--;
        if (c) e->link[slot] = c;
        return;
    }
    err(p, "refNotStringOrObject", e, NULL, "a schema must be a string or an object");
}

static int has_array(const twin_dtdl_elem *s, int depth)
{
    uint32_t i;
    if (!s || depth > 16) return 0;
    switch (s->kind) {
    case TWIN_DTDL_ARRAY: return 1;
    case TWIN_DTDL_MAP: return has_array(s->link[1] ? s->link[1]->link[0] : NULL, depth + 1);
    case TWIN_DTDL_OBJECT:
        for (i = 0; i < s->nlist[0]; i++)
            if (s->list[0][i] && has_array(s->list[0][i]->link[0], depth + 1)) return 1;
        return 0;
    }
    return 0;
}

/* A list of elements: contents, fields, enumValues, properties, schemas, extends. */
static void list(P *p, twin_dtdl_elem *e, int slot, const cJSON *v, const char *key,
                 uint32_t allowed, int inferred, int by_name)
{
    const cJSON *it;
    int n, i = 0, k = 0, nref = 0, is_extends = e->kind == TWIN_DTDL_INTERFACE && slot == 1;
    const twin_dtdl_elem **out;
    const char **refs;
    if (cJSON_IsObject(v) || cJSON_IsString(v)) {
        n = 1;  /* a single value stands for a one-element list */
    } else if (!cJSON_IsArray(v)) {
        err(p, "badType", e, NULL, "'%s' must be an array", key);
        return;
    } else {
        n = cJSON_GetArraySize(v);
    }
    out = ralloc(p, (size_t)(n ? n : 1) * sizeof *out);
    refs = ralloc(p, (size_t)(n ? n : 1) * sizeof *refs);
    if (!out || !refs) return;
    for (it = cJSON_IsArray(v) ? v->child : v; it; it = cJSON_IsArray(v) ? it->next : NULL) {
        size_t mk2 = cJSON_IsArray(v) ? push_i(p, i) : p->plen;
        if (cJSON_IsString(it)) {
            /* a reference to an element defined elsewhere, by its @id */
            const char *s = it->valuestring;
            if (!twin__dtmi_ok(s, strlen(s), p->version, is_extends ? 128 : 4096)) {
                err(p, "invalidId", e, NULL, "'%s' item '%s' is not a valid DTMI", key, s);
            } else {
                refs[k] = rstr(p, s, strlen(s));
                out[k++] = NULL;
                nref++;
            }
        } else if (cJSON_IsObject(it)) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
            char sfx[600];
            const char *gid;
            twin_dtdl_elem *c;
            uint32_t save = p->sdepth;
            {
                size_t kl = strlen(key);
                sfx[0] = '_';
                memcpy(sfx + 1, key, kl);
                memcpy(sfx + 1 + kl, ":__", 4);
            }
            if (by_name && cJSON_IsString(nm) && strlen(nm->valuestring) < 520) {
                gid = gen_id(p, e->id ? e->id : "dtmi:_", sfx, nm->valuestring);
            } else {
                char num[16];
                int d = 15;
                unsigned u = (unsigned)i;
                num[15] = '\0';
                do {
                    num[--d] = (char)('0' + u % 10);
                    u /= 10;
                } while (u && d > 0);
                gid = gen_id(p, e->id ? e->id : "dtmi:_", sfx, num + d);
            }
            if (e->kind == TWIN_DTDL_INTERFACE && slot == 2 &&
                !cJSON_GetObjectItemCaseSensitive(it, "@id")) {
                err(p, "missingRequiredId", e, NULL, "a schema in 'schemas' needs an @id");
                pop(p, mk2);
                i++;
                continue;
            }
            if (is_extends) p->sdepth = 0;
            if (e->kind == TWIN_DTDL_INTERFACE && slot == 2) {  /* a reusable schema: level 1 */
                const cJSON *xid = cJSON_GetObjectItemCaseSensitive(it, "@id");
                p->sdepth = 1;
                p->sroot = cJSON_IsString(xid) ? xid->valuestring : gid;
            }
            c = element(p, it, allowed, inferred, e, gid);
            p->sdepth = save;
            if (c) {
                refs[k] = NULL;
                out[k++] = c;
            }
        } else {
            err(p, "badType", e, NULL, "'%s' items must be objects or DTMIs", key);
        }
        pop(p, mk2);
        i++;
    }
    e->list[slot] = out;
    e->nlist[slot] = (uint32_t)k;
    if (nref) e->lref[slot] = refs;
    if (by_name && k > 1) {
        uint32_t *dup = twin__alloc(&p->m->alloc, (size_t)k * sizeof *dup);
        int j;
        if (!dup || twin__dup_names(&p->m->alloc, out, (uint32_t)k, dup) != TWIN_OK) {
            p->nomem = 1;
        } else {
            for (j = 0; j < k; j++)
                if (dup[j] != UINT32_MAX)
                    err(p, "nonUniquePropertyValue", e, NULL, "'%s' has two elements named '%s'",
                        key, out[j]->name);
        }
        twin__free(&p->m->alloc, dup, dup ? (size_t)k * sizeof *dup : 0);
    }
}

/* A sub-element given as a DTMI reference to one defined elsewhere:
 * kept for resolve.c. Returns 1 when v was a string (handled). */
static int sub_ref(P *p, twin_dtdl_elem *e, int slot, const cJSON *v)
{
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1) v = v->child;
    if (!cJSON_IsString(v)) return 0;
    if (!twin__dtmi_ok(v->valuestring, strlen(v->valuestring), p->version, 4096))
        err(p, "invalidId", e, NULL, "'%s' is not a valid DTMI", v->valuestring);
    else
        e->ref[slot] = rstr(p, v->valuestring, strlen(v->valuestring));
    return 1;
}

static void member(P *p, twin_dtdl_elem *e, const prop *pr, const cJSON *v)
{
    int64_t iv;
    int b;
    switch (pr->key) {
    case K_NAME:
        if ((e->name = get_string(p, e, v, "name", 0)) != NULL)
            e->name_hash = twin__hash32(twin__hash(0, e->name, strlen(e->name)));
        if (e->name && strlen(e->name) > name_max(p)) {
            err(p, "stringTooLong", e, NULL, "name '%s' is longer than %lu characters", e->name,
                (unsigned long)name_max(p));
            e->name = NULL;
        } else if (e->name && !name_ok(e->name, name_max(p))) {
            err(p, "stringInvalid", e, NULL,
                "name '%s' must start with a letter, hold only letters, digits and underscores, "
                "not end with an underscore, and be at most %lu characters",
                e->name, (unsigned long)name_max(p));
            e->name = NULL;
        }
        break;
    case K_SCHEMA:
        schema(p, e, 0, v, ":_schema",
               e->kind == TWIN_DTDL_COMPONENT ? C(TWIN_DTDL_INTERFACE) : C_COMPLEX);
        break;
    case K_WRITABLE:
        if ((b = get_bool(p, e, v, "writable")) > 0) e->flags |= TWIN__EF_WRITABLE;
        break;
    case K_NULLABLE:
        if ((b = get_bool(p, e, v, "nullable")) > 0) e->flags |= TWIN__EF_NULLABLE;
        break;
    case K_CONTENTS:
        list(p, e, 0, v, "contents", C_CONTENT, 0, 1);
        break;
    case K_EXTENDS:
        /* tolerated solecism: an inline Interface in extends without @type */
        list(p, e, 1, v, "extends", C(TWIN_DTDL_INTERFACE),
             tolerate(p) ? TWIN_DTDL_INTERFACE : 0, 0);
        if (p->version == 2 && e->nlist[1] > 2)
            err(p, "objectCountAboveMax", e, NULL, "an Interface extends at most 2 Interfaces in DTDL v2");
        break;
    case K_SCHEMAS:
        list(p, e, 2, v, "schemas", C_COMPLEX, 0, 0);
        break;
    case K_FIELDS:
        list(p, e, 0, v, "fields", C(TWIN_DTDL_FIELD), TWIN_DTDL_FIELD, 1);
        if (p->version == 2 && e->nlist[0] == 0 && !p->errs)
            err(p, "objectCountBelowMin", e, NULL, "an Object needs at least one field in DTDL v2");
        if (p->version == 2 && e->nlist[0] > 30)
            err(p, "objectCountAboveMax", e, NULL, "an Object has at most 30 fields in DTDL v2");
        break;
    case K_ENUMVALUES:
        list(p, e, 0, v, "enumValues", C(TWIN_DTDL_ENUM_VALUE), TWIN_DTDL_ENUM_VALUE, 1);
        if (p->version == 2 && e->nlist[0] == 0 && !p->errs)
            err(p, "objectCountBelowMin", e, NULL, "an Enum needs at least one value in DTDL v2");
        if (p->version == 2 && e->nlist[0] > 100)
            err(p, "objectCountAboveMax", e, NULL, "an Enum has at most 100 values in DTDL v2");
        break;
    case K_PROPERTIES:
        list(p, e, 0, v, "properties", C(TWIN_DTDL_PROPERTY), 0, 1);
        break;
    case K_ELEMSCHEMA:
        schema(p, e, 0, v, ":_elementSchema", C_COMPLEX);
        break;
    case K_VALUESCHEMA:
        schema(p, e, 0, v, ":_valueSchema", 0);
        if (e->link[0] && e->link[0]->prim != TWIN_DTDL_INTEGER &&
            e->link[0]->prim != TWIN_DTDL_STRING)
            err(p, "incorrectPropertyValue", e, NULL, "an Enum's valueSchema must be integer or string");
        break;
    case K_MAPKEY: {
        twin_dtdl_elem *c;
        if (sub_ref(p, e, 0, v)) break;
        c = element(p, v, C(TWIN_DTDL_MAP_KEY), TWIN_DTDL_MAP_KEY, e,
                                    gen_id(p, e->id, "_mapKey", NULL));
        if (c) {
            e->link[0] = c;
            if (c->link[0] && c->link[0]->prim != TWIN_DTDL_STRING)
                err(p, "badType", c, NULL, "a map key's schema must be string");
        }
        break;
    }
    case K_MAPVALUE: {
        twin_dtdl_elem *c;
        if (sub_ref(p, e, 1, v)) break;
        c = element(p, v, C(TWIN_DTDL_MAP_VALUE), TWIN_DTDL_MAP_VALUE, e,
                                    gen_id(p, e->id, "_mapValue", NULL));
        if (c) e->link[1] = c;
        break;
    }
    case K_REQUEST: case K_RESPONSE: {
        int req = pr->key == K_REQUEST;
        int kind = req ? TWIN_DTDL_COMMAND_REQUEST : TWIN_DTDL_COMMAND_RESPONSE;
        twin_dtdl_elem *c;
        if (sub_ref(p, e, req ? 0 : 1, v)) break;
        c = element(p, v, C(kind), kind, e,
                                    gen_id(p, e->id, req ? "_request" : "_response", NULL));
        if (c) e->link[req ? 0 : 1] = c;
        break;
    }
    case K_TARGET:
        if (!cJSON_IsString(v)) {
            err(p, "identifierNotString", e, NULL, "'target' must be a DTMI string");
        } else if (!twin__dtmi_ok(v->valuestring, strlen(v->valuestring), p->version, 128)) {
            err(p, "invalidId", e, NULL, "'target' must be an Interface DTMI");
        } else {
            e->ref[0] = rstr(p, v->valuestring, strlen(v->valuestring));
        }
        break;
    case K_MINM:
        if (get_int(p, e, v, "minMultiplicity", &iv)) {
            if (iv != 0)
                err(p, "valueNotExact", e, NULL, "minMultiplicity must be 0");
            else
                e->minm = iv > UINT32_MAX ? UINT32_MAX : (uint32_t)iv;
        }
        break;
    case K_MAXM:
        if (get_int(p, e, v, "maxMultiplicity", &iv)) {
            if (iv < 1 || (p->version == 2 && iv > 500))
                err(p, "valueBelowMin", e, NULL, "maxMultiplicity must be at least 1%s",
                    p->version == 2 ? " and at most 500" : "");
            else
                e->maxm = iv > UINT32_MAX ? UINT32_MAX : (uint32_t)iv;
        }
        break;
    case K_ENUMVALUE:
        if (!(v = literal(p, e, v, "enum", "enumValue"))) break;
        if (cJSON_IsString(v)) {
            e->enum_str = rstr(p, v->valuestring, strlen(v->valuestring));
            e->flags |= TWIN__EF_ENUM_STR;
        } else if (!get_int(p, e, v, "enumValue", &e->enum_num)) {
        }
        break;
    case K_COMMANDTYPE:
        if (!cJSON_IsString(v) || (strcmp(v->valuestring, "synchronous") != 0 &&
                                   strcmp(v->valuestring, "asynchronous") != 0))
            err(p, "badType", e, NULL, "commandType must be synchronous or asynchronous");
        break;
    }
}

static int is_keyword(const char *k) { return k[0] == '@'; }

/* The property `key` as one of e's modelled co-types adds it; NULL if none. */
static const twin__xprop *vocab_prop(const twin_dtdl_elem *e, const char *key)
{
    uint32_t k;
    for (k = 0; k < e->nxt; k++) {
        const twin__xprop *xp = twin__xprop_find(e->xt[k], key);
        if (xp) return xp;
    }
    return NULL;
}

/* Does a modelled extension vocabulary in force define property `key`? */
static int vocab_owner(const P *p, const char *key)
{
    int k;
    const twin__xprop *xp;
    for (k = 0; k < p->nxc; k++)
        if (twin__xprop_owner(p->xc[k].ctx, p->xc[k].len, p->xc[k].ver, key, &xp)) return 1;
    return 0;
}

/* Properties outside the class table: descriptive ones, the unit of a
 * semantic type, extension properties. 0 when key is none of them. */
static int common_key(const P *p, const twin_dtdl_elem *e, const char *key)
{
    if (strcmp(key, "displayName") == 0) return K_DISPLAY;
    if (strcmp(key, "description") == 0) return K_DESC;
    if (strcmp(key, "comment") == 0) return K_COMMENT;
    if (strcmp(key, "unit") == 0 && e->semtype) return K_UNIT;
    if (strcmp(key, "annotates") == 0 && (p->ext & TWIN__X_ANNOT)) return K_ANNOTATES;
    if (strcmp(key, "overrides") == 0 && (p->ext & TWIN__X_OVERRIDE)) return K_OVERRIDES;
    return 0;
}

/* A property key written as its full IRI (dtmi:dtdl:property:schema;3)
 * stands for its term when the version is the document's. */
static const char *term(const P *p, const char *key, char *buf, size_t cap)
{
    const char *semi;
    size_t n;
    if (strncmp(key, "dtmi:dtdl:property:", 19) != 0) return key;
    semi = strchr(key + 19, ';');
    if (!semi || atoi(semi + 1) != p->version || semi[1] == '0') return key;
    n = (size_t)(semi - key - 19);
    if (n >= cap) return key;
    memcpy(buf, key + 19, n);
    buf[n] = '\0';
    return buf;
}

/* Does element x carry the modelled co-type whose DTMI is iri? */
static int has_xtype(const twin_dtdl_elem *x, const char *iri)
{
    uint32_t k;
    for (k = 0; x && k < x->nxt; k++)
        if (strcmp(x->xt[k]->iri, iri) == 0) return 1;
    return 0;
}


/* The rules of e's modelled co-types: classes, DTDL versions, co-co-types,
 * required and typed properties, the schema they need, the parent. */
static void vocab_rules(P *p, twin_dtdl_elem *e, const cJSON *o, int kind)
{
    uint32_t k, j;
    for (k = 0; k < e->nxt; k++) {
        const twin__xtype *t = e->xt[k];
        const twin_dtdl_elem *sch = e->link[0];
        if (!(t->classes & C(kind)) && !(t->flags & TWIN__XT_CLASSES_OPEN)) {
            err(p, "invalidCotype", e, NULL, "co-type '%s' cannot apply to a %s", t->term,
                class_names[kind]);
            continue;
        }
        if (e->version < t->dtdl_min || e->version > t->dtdl_max) {
            err(p, "invalidCotypeVersion", e, NULL, "co-type '%s' needs DTDL v%d to v%d", t->term,
                t->dtdl_min, t->dtdl_max);
            continue;
        }
        if (t->cocotype_disallowed && has_xtype(e, t->cocotype_disallowed)) {
            err(p, "disallowedCocotype", e, NULL, "co-type '%s' excludes '%s'", t->term,
                t->cocotype_disallowed);
            continue;
        }
        if (t->cocotype_required && !has_xtype(e, t->cocotype_required)) {
            err(p, "missingCocotype", e, NULL, "co-type '%s' needs '%s' beside it", t->term,
                t->cocotype_required);
            continue;
        }
        if (t->parent[0] && !has_xtype(e->parent, t->parent[0]) &&
            !(t->parent[1] && has_xtype(e->parent, t->parent[1]))) {
            err(p, "parentMissingCotype", e, NULL, "co-type '%s' needs a parent co-typed %s",
                t->term, t->parent_desc ? t->parent_desc : t->parent[0]);
            continue;
        }
        if ((t->schema_prims || t->schema_kinds || t->schema_cotype || t->schema_terms) &&
            (sch || e->ref[0] || e->schema_term)) {
            const char *const *st;
            int fits = 0;
            for (st = t->schema_terms; e->schema_term && st && *st; st++)
                fits |= strcmp(*st, e->schema_term) == 0;
            fits = fits || (sch && ((sch->kind == TWIN_DTDL_PRIMITIVE && (t->schema_prims & (1u << sch->prim))) ||
                               (t->schema_kinds & C(sch->kind)) ||
                               (t->schema_cotype && has_xtype(sch, t->schema_cotype))));
            if (!fits && (sch || e->schema_term)) {
                err(p, "notRequiredType", e, NULL, "co-type '%s' needs a schema that is %s",
                    t->term, t->schema_desc ? t->schema_desc : "of another type");
                continue;
            }
        }
        for (j = 0; j < t->nprops; j++) {
            const twin__xprop *xp = &t->props[j];
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, xp->name);
            if (xp->flags & TWIN__XPF_CORE) continue;
            if (!v || (cJSON_IsArray(v) && !v->child)) {
                if (xp->flags & TWIN__XPF_REQUIRED)
                    err(p, "missingSupplementalLiteralProperty", e, NULL,
                        "co-type '%s' needs '%s'", t->term, xp->name);
                continue;
            }
            if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1) v = v->child;
            switch (xp->type) {
            case TWIN__XP_STRING: case TWIN__XP_NAME_REF: case TWIN__XP_PROP_REF: case TWIN__XP_UNIT:
            case TWIN__XP_DURATION:
                if (!cJSON_IsString(v)) {
                    err(p, "stringNotString", e, NULL, "'%s' must be a string", xp->name);
                } else if (xp->max_len && ulen(v->valuestring) > xp->max_len) {
                    err(p, "stringTooLong", e, NULL, "'%s' is longer than %u characters", xp->name,
                        (unsigned)xp->max_len);
                } else if ((xp->pattern && !twin__xpattern_ok(xp->pattern, v->valuestring,
                                                              strlen(v->valuestring))) ||
                           (xp->type == TWIN__XP_DURATION && !twin__dtdl_is_duration(v->valuestring))) {
                    err(p, "stringInvalid", e, NULL, "'%s' value '%s' is not valid", xp->name,
                        v->valuestring);
                }
                break;
            case TWIN__XP_INTEGER: case TWIN__XP_DECIMAL:
                if (!cJSON_IsNumber(v)) {
                    err(p, "numericNotNumeric", e, NULL, "'%s' must be a number", xp->name);
                } else if (xp->type == TWIN__XP_INTEGER && v->valuedouble != floor(v->valuedouble)) {
                    err(p, "integerNotInteger", e, NULL, "'%s' must be an integer", xp->name);
                } else if ((xp->flags & TWIN__XPF_MIN) && v->valuedouble < xp->min) {
                    err(p, "valueBelowMin", e, NULL, "'%s' must be at least %d", xp->name,
                        (int)xp->min);
                } else if ((xp->flags & TWIN__XPF_CONFORM) && sch && sch->kind == TWIN_DTDL_PRIMITIVE &&
                           !twin__dtdl_conforms(sch, v)) {
                    err(p, "nonConformantPropertyValue", e, NULL,
                        "'%s' does not conform to the element's schema", xp->name);
                }
                break;
            }
        }
    }
}

/* Rules among the fields of an Object: co-types unique among siblings, a
 * sibling co-type required, and the co-types a Result's fields carry. */
static void vocab_fields(P *p, twin_dtdl_elem *obj)
{
    uint32_t a, b, k;
    for (a = 0; a < obj->nlist[0]; a++) {
        const twin_dtdl_elem *f = obj->list[0][a];
        if (!f) continue;
        for (k = 0; k < f->nxt; k++) {
            const twin__xtype *t = f->xt[k];
            if (t->flags & TWIN__XT_UNIQUE)
                for (b = 0; b < a; b++)
                    if (obj->list[0][b] && has_xtype(obj->list[0][b], t->iri)) {
                        /* reported at the one whose identifier sorts first,
                           as the official parser does */
                        const twin_dtdl_elem *g = obj->list[0][b];
                        int first = g->id && f->id && strcmp(g->id, f->id) < 0;
                        err(p, "siblingDuplicatesCotype", first ? g : f, first ? f->id : g->id,
                            "only one field of an Object may carry '%s'", t->term);
                        break;
                    }
            if (t->sibling_required) {
                for (b = 0; b < obj->nlist[0]; b++)
                    if (b != a && has_xtype(obj->list[0][b], t->sibling_required)) break;
                if (b == obj->nlist[0])
                    err(p, "siblingMissingCotype", f, NULL, "'%s' needs a sibling field co-typed '%s'",
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
            for (n = need; *n && !ok; n++) ok = has_xtype(f, *n);
            if (!ok)
                err(p, "notRequiredType", obj, NULL, "every field of a '%s' needs one of its co-types",
                    obj->xt[k]->term);
        }
    }
}

static twin_dtdl_elem *element(P *p, const cJSON *o, uint32_t allowed, int inferred,
                               const twin_dtdl_elem *parent, const char *genid)
{
    twin_dtdl_elem *e;
    const cJSON *t, *id, *ctx, *it;
    int save_version = p->version, kind, errs0 = p->errs;
    uint32_t seen = 0, empty = 0;
    int bit;
    const char *key;
    char kbuf[64];
    unsigned save_ext = p->ext;
    int save_nxc = p->nxc;
    uint32_t save_depth = p->sdepth;
    size_t i;
    if (p->nomem) return NULL;
    if (cJSON_IsArray(o) && cJSON_GetArraySize(o) == 1) o = o->child;
    if (!cJSON_IsObject(o)) {
        err(p, "notJsonObject", NULL, NULL, "an element must be a JSON object");
        return NULL;
    }
    if (++p->nelems > 100000) {
        if (p->nelems == 100001)
            err(p, "excessiveDepthWide", NULL, NULL, "more than 100000 elements in one document");
        return NULL;
    }
    e = ralloc(p, sizeof *e);
    if (!e) return NULL;
    e->parent = parent;
    e->src = p->src;
    e->doc = p->doc;
    e->ptr = rstr(p, p->path, p->plen);
    e->maxm = UINT32_MAX;
    /* the three keywords in one pass over the members */
    ctx = id = t = NULL;
    for (it = o->child; it; it = it->next)
        if (it->string && it->string[0] == '@') {
            if (strcmp(it->string, "@context") == 0 && !ctx) ctx = it;
            else if (strcmp(it->string, "@id") == 0 && !id) id = it;
            else if (strcmp(it->string, "@type") == 0 && !t) t = it;
        }
    if (ctx && parent) {
        if (!context(p, ctx, 0)) goto out;
    }
    e->version = (uint8_t)p->version;

    if (id && parent && cJSON_GetArraySize(o) == 1 && !tolerate(p)) {
        err(p, "idReference", parent, cJSON_IsString(id) ? id->valuestring : NULL,
            "an element given only by {\"@id\"} must be written as its DTMI string");
        goto out;
    }
    if (id) {
        size_t mk = push(p, "@id");
        size_t max = (allowed & C(TWIN_DTDL_INTERFACE)) ? 128 : (p->version == 2 ? 2048 : 4096);
        if (!cJSON_IsString(id) || !id->valuestring[0]) {
            err(p, "idNotString", NULL, NULL, "@id must be a non-empty string");
        } else if (!twin__dtmi_ok(id->valuestring, strlen(id->valuestring), p->version, max)) {
            const char *hash = strchr(id->valuestring, '#');
            err(p, "invalidId", NULL, NULL, "@id '%s' is not a valid DTMI for DTDL v%d%s",
                id->valuestring, p->version,
                strlen(id->valuestring) > max ? " (too long)"
                : hash ? " (a fragment is not allowed)" : "");
            /* A layer's identifier (with a fragment): go on with its base so
               that the rest of the element is checked under its own name. */
            if (hash && twin__dtmi_ok(id->valuestring, (size_t)(hash - id->valuestring),
                                      p->version, max))
                e->id = rstr(p, id->valuestring, (size_t)(hash - id->valuestring));
        } else if ((strncmp(id->valuestring, "dtmi:dtdl:", 10) == 0 ||
                    strncmp(id->valuestring, "dtmi:standard:", 14) == 0) &&
                   !tolerate(p)) {
            err(p, "reservedId", NULL, NULL, "@id '%s' is reserved for DTDL", id->valuestring);
        } else {
            e->id = rstr(p, id->valuestring, strlen(id->valuestring));
            e->flags |= TWIN__EF_HAS_ID;
        }
        pop(p, mk);
    } else if (allowed == C(TWIN_DTDL_INTERFACE) && !parent) {
        err(p, "missingTopLevelId", NULL, NULL, "an Interface needs an @id");
    }
    if (!e->id) e->id = genid;

    kind = types(p, e, t, allowed, inferred, cJSON_GetArraySize(o) == 1 && id);
    if (!kind) goto out;
    e->kind = (uint8_t)kind;
    if (p->version != save_version && parent && kind > TWIN_DTDL_COMPONENT) {
        size_t mk = push(p, "@context");
        err(p, "invalidContextSpecifierForVersion", e, NULL,
            "a %s cannot change the DTDL version in a nested context", class_names[kind]);
        pop(p, mk);
        goto out;
    }
    if (kind == TWIN_DTDL_INTERFACE && !id && parent) {
        err(p, "missingRequiredId", parent, NULL, "an inline Interface needs an @id");
    }
    cJSON_ArrayForEach(it, o) {
        const prop *pr;
        size_t mk;
        if (is_keyword(it->string)) {
            /* DTDL v2 lets other keywords pass (not recommended), but
               not @graph */
            if (strcmp(it->string, "@id") && strcmp(it->string, "@type") &&
                strcmp(it->string, "@context") &&
                !(p->version == 2 && strcmp(it->string, "@graph") != 0)) {
                mk = push(p, it->string);
                err(p, parent ? "keywordDisallowed" : "topLevelKeywordDisallowed", parent, NULL,
                    "JSON-LD keyword '%s' is not allowed in DTDL", it->string);
                pop(p, mk);
            }
            continue;
        }
        key = term(p, it->string, kbuf, sizeof kbuf);
        pr = find_prop(kind, key, p->version);
        bit = pr ? pr->key : common_key(p, e, key);
        mk = push(p, it->string);
        if (!bit && strchr(key, '/') && p->version > 2) {
            err(p, strncmp(key, "dtmi:", 5) == 0 ? "propertyInvalidDtmi" : "propertyNotDtmiNorTerm",
                e, NULL, "property '%s' is neither a term nor a valid DTMI", key);
            pop(p, mk);
            continue;
        }
        if (!bit && vocab_prop(e, key)) {
            pop(p, mk);
            continue;  /* checked after the loop, once the schema is known */
        }
        if (!bit && vocab_owner(p, key)) {
            err(p, "propertyIrrelevantDtmiOrTerm", e, NULL,
                "'%s' belongs to an extension co-type this element does not carry", key);
            pop(p, mk);
            continue;
        }
        if (!bit) {
            if (!(e->flags & TWIN__EF_UNDEF_TYPE))
                err(p, "noTypeThatAllows", e, NULL, "%s has no property '%s'",
                    class_names[kind], it->string);
            pop(p, mk);
            continue;
        }
        if (seen & (1u << bit))
            err(p, "duplicatePropertyName", e, NULL, "'%s' is given twice (as a term and as an IRI?)",
                key);
        seen |= 1u << bit;
        /* JSON-LD: an empty array gives no value, as does an empty language map */
        if ((cJSON_IsArray(it) && !it->child) ||
            (cJSON_IsObject(it) && !it->child && (bit == K_DISPLAY || bit == K_DESC))) {
            seen &= ~(1u << bit);
            empty |= 1u << bit;
            pop(p, mk);
            continue;
        }
        switch (bit) {
        case K_DISPLAY:
            lang_string(p, e, it, "displayName", display_max(p), &e->display, &e->ndisplay);
            break;
        case K_DESC:
            lang_string(p, e, it, "description", desc_max(p), &e->desc, &e->ndesc);
            break;
        case K_COMMENT:
            e->comment = get_string(p, e, it, "comment", 512);
            break;
        case K_UNIT: {
            const char *u = NULL;
            if (cJSON_IsArray(it) && cJSON_GetArraySize(it) > 1)
                err(p, "objectMultipleValues", e, NULL, "'unit' takes one unit");
            else
                u = get_string(p, e, it, "unit", 0);
            size_t un;
            if (u) {
                u = std_term(p, u, &un);
                e->unit = rstr(p, u, un);
            }
            break;
        }
        case K_ANNOTATES:
            e->annotates = get_string(p, e, it, "annotates", 0);
            break;
        case K_OVERRIDES:
            e->overrides = get_string(p, e, it, "overrides", 0);
            break;  /* extension properties: kept as written, not interpreted */
        default:
            member(p, e, pr, it);
        }
        pop(p, mk);
    }
    /* required properties */
    for (i = 0; i < sizeof props / sizeof props[0]; i++) {
        const prop *pr = &props[i];
        if (pr->kind != kind || !pr->required || p->version < pr->vmin || p->version > pr->vmax)
            continue;
        if (!(seen & (1u << pr->key)))
            err(p, pr->key == K_NAME ? ((empty >> pr->key) & 1 ? "stringCountBelowMin" : "missingLiteralProperty")
                                     : ((empty >> pr->key) & 1 ? "objectCountBelowMin" : "missingObjectProperty"),
                e, NULL, "%s needs '%s'%s", class_names[kind], pr->json,
                (empty >> pr->key) & 1 ? " (it is empty)" : "");
    }
    if (e->nxt) vocab_rules(p, e, o, kind);
    if (kind == TWIN_DTDL_OBJECT) vocab_fields(p, e);
    if (e->semtype) {
        const twin__semtype *st = twin__semtype_find(e->semtype, strlen(e->semtype), qt_where(p));
        int v4 = p->version >= 4 && !typed_by_position(t) &&
                 (kind == TWIN_DTDL_COMMAND_REQUEST || kind == TWIN_DTDL_COMMAND_RESPONSE ||
                  kind == TWIN_DTDL_MAP_VALUE || kind == TWIN_DTDL_FIELD);
        if (kind != TWIN_DTDL_TELEMETRY && kind != TWIN_DTDL_PROPERTY && !v4 &&
            !(kind == TWIN_DTDL_FIELD && p->version >= 3)) {
            if (inferred && kind != TWIN_DTDL_FIELD) bad_type(p, e, e->semtype);
            else err(p, "invalidCotype", e, NULL, "semantic type '%s' cannot apply to a %s",
                     e->semtype, class_names[kind]);
        } else if (e->link[0] && !is_numeric(e->link[0]) && e->link[0]->kind == TWIN_DTDL_PRIMITIVE) {
            err(p, "notRequiredType", e, NULL, "semantic type '%s' needs a numeric schema",
                e->semtype);
        } else if (!(seen & (1u << K_UNIT)) && !(empty & (1u << K_UNIT))) {
            err(p, "missingSupplementalObjectProperty", e, NULL,
                "semantic type '%s' needs a 'unit'", e->semtype);
        } else if (e->unit) {
            const twin__unit *u = twin__unit_find(e->unit, strlen(e->unit), qt_where(p));
            if (!u || u->unit_type != st->unit_type)
                err(p, !u && p->version == 2 ? "notRequiredType" : "badType", e, NULL, "'%s' is not a unit of %s (expected a %s)",
                    e->unit, e->semtype, twin__unit_type_name(st->unit_type));
        }
    }
    if (kind == TWIN_DTDL_PROPERTY && p->version == 2 && has_array(e->link[0], 0))
        err(p, "excludedType", e, NULL, "a DTDL v2 Property's schema may not contain an Array");
    if (kind == TWIN_DTDL_RELATIONSHIP && e->maxm != UINT32_MAX && e->minm > e->maxm)
        err(p, "integerAboveMax", e, NULL, "minMultiplicity is above maxMultiplicity");
    if (kind == TWIN_DTDL_ENUM && e->link[0]) {
        uint32_t a, b;
        int str = e->link[0]->prim == TWIN_DTDL_STRING;
        for (a = 0; a < e->nlist[0]; a++) {
            const twin_dtdl_elem *v = e->list[0][a];
            if (!v) continue;  /* a reference, checked once resolved */
            if (!!(v->flags & TWIN__EF_ENUM_STR) != str) {
                err(p, "notRequiredType", e, NULL, "enum value '%s' is not %s", v->name ? v->name : "",
                    str ? "a string" : "an integer");
                break;
            }
            for (b = 0; b < a; b++) {
                const twin_dtdl_elem *w = e->list[0][b];
                if (!w) continue;
                if (str ? (v->enum_str && w->enum_str && strcmp(v->enum_str, w->enum_str) == 0)
                        : v->enum_num == w->enum_num) {
                    err(p, "nonUniquePropertyValue", e, NULL, "two enum values have the same enumValue");
                    break;
                }
            }
        }
    }
    if (kind == TWIN_DTDL_INTERFACE && p->version == 2 && e->nlist[0] > 300)
        err(p, "objectCountAboveMax", e, NULL, "more than 300 contents in a DTDL v2 Interface");
    if (p->errs == errs0 && e->id) {
        twin_dtdl_elem *dup = twin__models_find(p->m, e->id, strlen(e->id));
        if (dup) {
            if (e->flags & TWIN__EF_HAS_ID)
                err(p, "duplicateDefinition", e, NULL, "'%s' is defined more than once", e->id);
        } else if (twin__models_put_id(p->m, e) != TWIN_OK) {
            p->nomem = 1;
        }
        if (kind == TWIN_DTDL_INTERFACE && p->errs == errs0 &&
            twin__models_put_iface(p->m, e) != TWIN_OK)
            p->nomem = 1;
    }
out:
    p->version = save_version;
    p->ext = save_ext;
    p->nxc = save_nxc;
    p->sdepth = save_depth;
    return p->errs == errs0 && !p->nomem ? e : NULL;
}

int twin__dtdl_parse_doc(twin_models *m, const cJSON *doc, const char *src, uint32_t docno,
                         int *nomem)
{
    P *p;
    const cJSON *ctx;
    int errs;
    /* P holds a 4 KiB path buffer: keep it off small stacks. */
    p = twin__alloc(&m->alloc, sizeof *p);
    if (!p) {
        *nomem = 1;
        return 0;
    }
    memset(p, 0, sizeof *p);
    p->m = m;
    p->src = src;
    p->doc = docno;
    p->version = 0;
    if (!cJSON_IsObject(doc)) {
        err(p, "notJsonObject", NULL, NULL, "a DTDL document must be a JSON object");
    } else if (!(ctx = cJSON_GetObjectItemCaseSensitive(doc, "@context"))) {
        err(p, "missingContext", NULL, NULL, "a DTDL document needs @context");
    } else if (cJSON_GetObjectItemCaseSensitive(doc, "@graph")) {
        err(p, "topLevelGraphDisallowed", NULL, NULL, "a DTDL document may not use @graph");
    } else if (context(p, ctx, 1)) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "@type");
        int k = cJSON_IsString(t) ? class_of(p, t->valuestring) : 0;
        if (k > 0 && k != TWIN_DTDL_INTERFACE)
            err(p, "typeNotRootable", NULL, NULL, "a %s cannot be a top-level element",
                class_names[k]);
        else
            element(p, doc, C(TWIN_DTDL_INTERFACE), 0, NULL, NULL);
    }
    *nomem = p->nomem;
    errs = p->errs;
    twin__free(&m->alloc, p, sizeof *p);
    return errs;
}
