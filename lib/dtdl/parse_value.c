/* Literal values of DTDL properties (strings, booleans, integers, JSON-LD
 * value objects), names, and generated identifiers. */
#include "dtdl/parse_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* base "dtmi:a:b;1" + "_contents:__x" -> "dtmi:a:b:_contents:__x;1" */
const char *twin__dp_gen_id(twin__dp *p, const char *base, const char *s1, const char *s2)
{
    /* no printf, no C library scans: this runs for every element without
       an @id. bl: base up to its ';' (or '#', or end); l3: from ';' on */
    const char *semi = NULL;
    size_t bl = 0, hl = 0, l1 = 0, l2 = 0, l3, n;
    char *q;
    if (base != p->gen_base) {
        while (base[bl] && base[bl] != ';') {
            if (base[bl] == '#' && !hl) hl = bl + 1;
            bl++;
        }
        if (base[bl] == ';') semi = base + bl;
        else if (hl) bl = hl - 1;
        for (l3 = 0; semi && semi[l3]; l3++) continue;
        p->gen_base = base;
        p->gen_semi = semi;
        p->gen_bl = bl;
        p->gen_l3 = l3;
    }
    semi = p->gen_semi;
    bl = p->gen_bl;
    l3 = p->gen_l3;
    while (s1[l1]) l1++;
    while (s2 && s2[l2]) l2++;
    n = bl + 1 + l1 + l2 + l3;
    if (!(q = twin__region_alloc(&p->m->mem, &p->m->alloc, n + 1))) {
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

/* A DTDL name: a letter, then letters, digits and underscores, not ending
 * with an underscore, at most max characters. */
int twin__dp_name_ok(const char *s, size_t max)
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

/* Length in UTF-16 code units, as DTDL's limits count characters (the
 * text is valid UTF-8: checked on input). */
size_t twin__dp_ulen(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* The error code of a literal of this kind: codes[0] for strings (and
 * enum values), codes[1] for booleans, codes[2] for integers. */
static const char *code_of(const char *kind, const char *const codes[3])
{
    if (dp_is(kind, "string") || dp_is(kind, "enum")) return codes[0];
    return dp_is(kind, "boolean") ? codes[1] : codes[2];
}

/* A value object's @type, which must name the XML Schema type of its kind. */
static int value_object_type(twin__dp *p, const twin_dtdl_elem *e, const twin__json *it,
                             const char *kind, const char *what)
{
    static const char *const codes[3] = {"stringTypeNotString", "booleanTypeNotBoolean",
                                         "integerTypeNotInteger"};
    char x1[40], x2[64];
    const char *t;
    if (twin__json_is_array(it) && (int)twin__json_count(it) == 1) it = it->child;
    if (twin__json_is_array(it)) {
        twin__dp_err(p, "literalTypeNotSingular", e, NULL,
                     "'%s' value object has several @type values", what);
        return 0;
    }
    t = twin__json_is_string(it) ? it->u.str : "";
    snprintf(x1, sizeof x1, "xsd:%s", kind);
    snprintf(x2, sizeof x2, "http://www.w3.org/2001/XMLSchema#%s", kind);
    if (strcmp(t, x1) != 0 && strcmp(t, x2) != 0) {
        twin__dp_err(p, code_of(kind, codes), e, NULL, "'%s' value object must have @type %s",
                     what, x1);
        return 0;
    }
    return 1;
}

/* The members of a value object other than @value: no @id, @graph or
 * @context, the right @type, @language only on strings, nothing else. */
static int value_object_members(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v,
                                const twin__json *val, const char *kind, const char *what)
{
    static const char *const kw[][2] = {
        {"@id", "valueObjectId"}, {"@graph", "valueObjectGraph"}, {"@context", "valueObjectContext"}};
    int no_lang = dp_is(kind, "enum");  /* an enumValue takes no language */
    const twin__json *it;
    size_t k;
    for (k = 0; k < 3; k++)
        if (twin__json_get(v, kw[k][0])) {
            twin__dp_err(p, kw[k][1], e, NULL, "'%s' value object may not have %s", what, kw[k][0]);
            return 0;
        }
    if (no_lang) {
        const twin__json *ty = twin__json_get(v, "@type");
        kind = twin__json_is_string(val) ? "string" : "integer";
        if (twin__json_is_string(ty) && strstr(ty->u.str, kind) == NULL) {
            twin__dp_err(p, "literalNotValid", e, NULL,
                         "'%s' value object's @type '%s' does not fit its value", what,
                         ty->u.str);
            return 0;
        }
    }
    if ((it = twin__json_get(v, "@type")) != NULL &&
        !value_object_type(p, e, it, kind, what))
        return 0;
    if (twin__json_get(v, "@language") &&
        (!dp_is(kind, "string") || no_lang) && p->version > 2) {
        twin__dp_err(p, "valueObjectLanguage", e, NULL,
                     "'%s' is not a string and takes no @language", what);
        return 0;
    }
    TWIN__JSON_EACH(it, v) {
        if (!dp_is(it->key, "@value") && !dp_is(it->key, "@type") &&
            !dp_is(it->key, "@language") &&
            !(p->version == 2 && it->key[0] == '@')) {  /* v2 ignores other keywords */
            twin__dp_err(p, it->key[0] == '@' ? "valueObjectKeyword" : "valueObjectInvalidProp",
                         e, NULL, "'%s' value object has member '%s'", what, it->key);
            return 0;
        }
    }
    return 1;
}

/* JSON-LD lets a literal come as a one-element array or as a value object
 * ({"@value": v} with an optional @type or @language). Returns the bare
 * literal, or NULL after reporting why there is none. kind names the
 * literal type for error codes ("string", "boolean", "integer", "enum"). */
const twin__json *twin__dp_literal(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v,
                              const char *kind, const char *what)
{
    static const char *const multiple[3] = {"stringMultipleValues", "booleanMultipleValues",
                                            "integerMultipleValues"};
    static const char *const no_value[3] = {"stringObjectNoValue", "booleanObjectNoValue",
                                            "integerObjectNoValue"};
    const twin__json *val;
    if (twin__json_is_array(v)) {
        if ((int)twin__json_count(v) != 1) {
            twin__dp_err(p, code_of(kind, multiple), e, NULL, "'%s' takes exactly one %s", what,
                         kind);
            return NULL;
        }
        v = v->child;
    }
    if (!twin__json_is_object(v)) return v;
    if (!(val = twin__json_get(v, "@value"))) {
        twin__dp_err(p, code_of(kind, no_value), e, NULL, "'%s' is an object without @value",
                     what);
        return NULL;
    }
    return value_object_members(p, e, v, val, kind, what) ? val : NULL;
}

/* A string literal of at most max characters (0: no limit), copied. */
const char *twin__dp_string(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what,
                              size_t max)
{
    if (!(v = twin__dp_literal(p, e, v, "string", what))) return NULL;
    if (!twin__json_is_string(v)) {
        twin__dp_err(p, "stringNotString", e, NULL, "'%s' must be a string", what);
        return NULL;
    }
    if (max && v->n > max && twin__dp_ulen(v->u.str) > max) {
        twin__dp_err(p, "stringTooLong", e, NULL, "'%s' is longer than %lu characters", what,
            (unsigned long)max);
        return NULL;
    }
    return dp_strdup(p, v->u.str, v->n);
}

/* A boolean literal: 1, 0, or -1 after an error. */
int twin__dp_bool(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what)
{
    if (!(v = twin__dp_literal(p, e, v, "boolean", what))) return -1;
    if (!twin__json_is_bool(v)) {
        twin__dp_err(p, "booleanNotBoolean", e, NULL, "'%s' must be true or false", what);
        return -1;
    }
    return twin__json_is(v, TWIN__JSON_TRUE) ? 1 : 0;
}

/* An integer literal (exact in a double): 1 with *out, 0 after an error. */
int twin__dp_int(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what, int64_t *out)
{
    double d;
    if (!(v = twin__dp_literal(p, e, v, "integer", what))) return 0;
    if (!twin__json_is_number(v) || !isfinite(d = v->u.num) || d != floor(d) ||
        d < -9007199254740992.0 || d > 9007199254740992.0) {
        twin__dp_err(p, "integerNotInteger", e, NULL, "'%s' must be an integer", what);
        return 0;
    }
    *out = (int64_t)d;
    return 1;
}
