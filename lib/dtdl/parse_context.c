/* DTDL documents: the @context value, specifier by specifier (the DTDL
 * version, extensions, limits, other vocabularies). */
#include "dtdl/parse_int.h"

#include <stdlib.h>
#include <string.h>

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
static int limits(twin__dp *p, const char *s, int was_limitless, int dtdl_seen)
{
    const char *nm = s + 17, *semi = strchr(nm, ';');
    size_t k, nl = semi ? (size_t)(semi - nm) : strlen(nm);
    const struct limit_def *d = NULL;
    if (!dtdl_seen) {
        twin__dp_err(p, "missingDtdlContext", NULL, NULL, "a limits context needs the DTDL context before it");
        return 0;
    }
    if (!semi || strchr(semi, '#') || twin_dtmi_parse(s, strlen(s), NULL) != TWIN_OK) {
        twin__dp_err(p, "invalidContextSpecifier", NULL, NULL, "'%s' is not a valid limits context", s);
        return 0;
    }
    if (!was_limitless) {
        twin__dp_err(p, "misplacedLimitContext", NULL, NULL,
            "'%s' must directly follow dtmi:dtdl:context;4#limitless", s);
        return 0;
    }
    for (k = 0; k < p->m->opt.nacceptable_limits; k++)
        if (strncmp(p->m->opt.acceptable_limits[k], s, (size_t)(semi - s)) == 0 &&
            p->m->opt.acceptable_limits[k][semi - s] == '\0')
            break;
    if (k == p->m->opt.nacceptable_limits) {
        twin__dp_err(p, "disallowedLimitContext", NULL, NULL,
            "limits context '%s' is not among the acceptable limits of this model set", s);
        return 0;
    }
    for (k = 0; k < sizeof limit_defs / sizeof limit_defs[0]; k++)
        if (strlen(limit_defs[k].name) == nl && strncmp(limit_defs[k].name, nm, nl) == 0)
            d = &limit_defs[k];
    if (!d) {
        twin__dp_err(p, "unresolvableContextSpecifier", NULL, NULL, "unknown limits context '%s'", s);
        return 0;
    }
    p->limit_depth = d->depth;
    p->limit_desc = d->desc;
    return 1;
}

/* Record an extension context whose vocabulary vocab.c models; 0 when it
 * models none for this version. At most 8 are in force (twin/dtdl.h,
 * Limits: each naming counts, a context named again too, since the latest
 * is looked up first); one more is an error, never a context whose terms
 * pass unchecked (as the ninth once did, and with it every undefined
 * term). */
static int vocab_context(twin__dp *p, const char *ctx, size_t len, int ver)
{
    if (twin__xcontext_ntypes(ctx, len, ver) == 0) return 0;
    if (p->nxc == (int)(sizeof p->xc / sizeof p->xc[0])) {
        twin__dp_err(p, "twin.tooManyContexts", NULL, NULL,
                     "more than %d extension contexts with a vocabulary in force",
                     (int)(sizeof p->xc / sizeof p->xc[0]));
        return 1;
    }
    p->xc[p->nxc].ctx = ctx;
    p->xc[p->nxc].len = len;
    p->xc[p->nxc].ver = ver;
    p->nxc++;
    return 1;
}

static int missing_limits(twin__dp *p)
{
    twin__dp_err(p, "missingLimitContext", NULL, NULL,
                 "dtmi:dtdl:context;4#limitless must be followed by a limits context");
    return 0;
}

/* The DTDL version a DTDL context s names: 2 to 4 (v4 may take #limitless
 * or #limits), 0 if none. vs: what follows "dtmi:dtdl:context;". */
static int dtdl_version(const char *vs)
{
    return (vs[0] >= '2' && vs[0] <= '4' &&
            (vs[1] == '\0' || (vs[0] == '4' && (dp_is(vs + 1, "#limitless") ||
                                                dp_is(vs + 1, "#limits")))))
               ? vs[0] - '0' : 0;
}

/* A DTDL context (dtmi:dtdl:context;N). Contexts apply in order (JSON-LD):
 * the last DTDL context sets the version. "#limitless" and "#limits"
 * select v4's limit handling, which this parser does not vary. */
static int dtdl_specifier(twin__dp *p, const char *s, int i, int top, int *dtdl_seen)
{
    const char *vs = s[17] ? s + 18 : "";
    int ver = dtdl_version(vs);
    if (vs[0] == '\0' || dp_is(s, "dtmi:dtdl:context")) {
        twin__dp_err(p, "missingContextVersion", NULL, NULL, "the DTDL context needs a version");
        return 0;
    }
    if (!ver && vs[0] >= '2' && vs[0] <= '4' && vs[1] == '#') {
        twin__dp_err(p, "disallowedContextFragment", NULL, NULL,
                     "'%s': only v4 takes a fragment (#limitless, #limits)", s);
        return 0;
    }
    if (top && i > 0 && !*dtdl_seen && ver >= 3) {
        twin__dp_err(p, "missingDtdlContext", NULL, NULL,
                     "the DTDL context must come first in DTDL v%d", ver);
        return 0;
    }
    if (!ver) {
        twin__dp_err(p, "unrecognizedContextVersion", NULL, NULL,
                     "unknown DTDL context version '%s' (expected 2, 3 or 4)", vs);
        return 0;
    }
    if (ver > p->m->opt.max_dtdl_version) {
        twin__dp_err(p, "disallowedContextVersion", NULL, NULL,
                     "DTDL version %d is above the accepted maximum %d", ver,
                     (int)p->m->opt.max_dtdl_version);
        return 0;
    }
    if (!top && ver > p->version) {
        twin__dp_err(p, "unrecognizedContextVersion", NULL, NULL,
                     "a nested context cannot raise the DTDL version (%d to %d)", p->version, ver);
        return 0;
    }
    if (p->limitless && dp_is(vs, "4#limits")) {
        /* #limits after #limitless: back to the standard limits */
        p->limitless = 0;
        p->limit_depth = 0;
        p->limit_desc = 0;
        return 1;
    }
    if (p->limitless) return missing_limits(p);
    *dtdl_seen = 1;
    p->version = ver;
    p->limitless = strstr(vs, "#limitless") != NULL;
    return 1;
}

/* An extension context (dtmi:dtdl:extension:NAME;N). */
static int extension_specifier(twin__dp *p, const char *s)
{
    const char *nm = s + 20, *semi = strchr(nm, ';');
    size_t k, nl = semi ? (size_t)(semi - nm) : strlen(nm), nx = sizeof exts / sizeof exts[0];
    int ev = semi ? atoi(semi + 1) : 0;
    for (k = 0; k < nx; k++)
        if (strlen(exts[k].name) == nl && strncmp(exts[k].name, nm, nl) == 0) break;
    if (p->version == 2 && semi && strchr(semi, '.')) {
        twin__dp_err(p, "invalidContextSpecifierForVersion", NULL, NULL,
                     "DTDL v2 takes no minor versions in context specifiers ('%s')", s);
        return 0;
    }
    if (k == nx) {
        if (p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS) return 1;
        twin__dp_err(p, "unresolvableContextSpecifier", NULL, NULL,
                     "unknown extension context '%s'", s);
        return 0;
    }
    if (!semi) {
        twin__dp_err(p, "missingContextVersion", NULL, NULL,
                     "extension context '%s' needs a version", s);
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

/* Any other context: a DTMI of another vocabulary, or not a DTMI at all. */
static int other_specifier(twin__dp *p, const char *s)
{
    int dtmi = dp_starts(s, "dtmi:"), valid;
    const char *semi = strchr(s, ';');
    if (dtmi && p->version == 2 && semi && strchr(semi, '.')) {
        twin__dp_err(p, "invalidContextSpecifierForVersion", NULL, NULL,
                     "DTDL v2 takes no minor versions in context specifiers ('%s')", s);
        return 0;
    }
    valid = dtmi && twin_dtmi_parse(s, strlen(s), NULL) == TWIN_OK;
    if (valid && !semi) {
        twin__dp_err(p, "missingContextVersion", NULL, NULL, "context '%s' needs a version", s);
        return 0;
    }
    if (!valid) {
        twin__dp_err(p, dtmi ? "invalidContextSpecifier" : "nonDtmiContextSpecifier", NULL, NULL,
                     "context specifier '%s' is not a valid DTMI", s);
        return 0;
    }
    /* A context of another vocabulary (e.g. dtmi:iotcentral:context;2):
       accepted, and its terms pass as undefined extension terms. */
    if (!dp_starts(s, "dtmi:dtdl:") &&
        vocab_context(p, s, (size_t)(semi - s), atoi(semi + 1)))
        return 1;
    if (!dp_starts(s, "dtmi:dtdl:") &&
        (dp_starts(s, "dtmi:iotcentral:context;") ||
         dp_starts(s, "dtmi:iotoperations:context;") ||
         (p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS))) {
        p->ext |= TWIN__X_OPAQUE;
        return 1;
    }
    if (p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS) return 1;
    twin__dp_err(p, "unresolvableContextSpecifier", NULL, NULL, "unknown context '%s'", s);
    return 0;
}

/* One context specifier, entry i of @context. Returns 0 on error. */
static int specifier(twin__dp *p, const twin__json *it, int i, int top, int *dtdl_seen)
{
    const char *s;
    if (twin__json_is_object(it)) {
        twin__dp_err(p, "disallowedLocalContext", NULL, NULL,
                     "local context definitions are not allowed in DTDL; use context DTMIs");
        return 0;
    }
    if (!twin__json_is_string(it)) {
        twin__dp_err(p, "invalidContext", NULL, NULL, "a context specifier must be a string");
        return 0;
    }
    s = it->u.str;
    if (dp_starts(s, "dtmi:dtdl:context;") || dp_is(s, "dtmi:dtdl:context"))
        return dtdl_specifier(p, s, i, top, dtdl_seen);
    if (dp_starts(s, "dtmi:dtdl:limits:")) {
        int was = p->limitless;
        p->limitless = 0;
        return limits(p, s, was, *dtdl_seen);
    }
    if (p->limitless) return missing_limits(p);
    if (dp_starts(s, "dtmi:dtdl:extension:")) return extension_specifier(p, s);
    return other_specifier(p, s);
}

/* Process a @context value; top: a document's root. Returns 0 on error. */
int twin__dp_context(twin__dp *p, const twin__json *v, int top)
{
    const twin__json *it;
    int i = 0, dtdl_seen = 0, ok = 1;
    size_t mk = dp_push(p, "@context");
    if (twin__json_is_array(v)) {
        if (!v->child && top) {
            twin__dp_err(p, "emptyContext", NULL, NULL, "@context is empty");
            ok = 0;
        }
        for (it = v->child; it && ok; it = it->next, i++) {
            size_t mk2 = dp_push_i(p, i);
            ok = specifier(p, it, i, top, &dtdl_seen);
            dp_pop(p, mk2);
        }
    } else {
        ok = specifier(p, v, 0, top, &dtdl_seen);
    }
    if (ok && p->limitless) ok = missing_limits(p);
    p->limitless = 0;
    if (ok && (p->unresolved_ext & ~p->known_ext) &&
        !(p->m->opt.flags & TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS)) {
        twin__dp_err(p, "unresolvableContextVersion", NULL, NULL,
            "an extension context names a version this parser does not know");
        ok = 0;
    }
    if (ok && top && !dtdl_seen) {
        twin__dp_err(p, "missingDtdlContext", NULL, NULL, "@context has no DTDL context");
        ok = 0;
    }
    dp_pop(p, mk);
    return ok;
}
