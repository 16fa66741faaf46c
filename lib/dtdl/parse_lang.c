/* Language strings: displayName and description, as a string, a language
 * map, or a JSON-LD array of value objects. */
#include "dtdl/parse_int.h"

#include <string.h>

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

/* The code of what is wrong with entry it of a language string array
 * (a string, or a {"@value", "@language"} object), NULL if nothing. */
static const char *entry_fault(const twin__dp *p, const twin__json *it, const twin__json *val,
                               const twin__json *lg)
{
    const twin__json *x;
    if (twin__json_is_object(it)) {
        const char *code = NULL;
        TWIN__JSON_EACH(x, it)
            if (!dp_is(x->key, "@value") && !dp_is(x->key, "@language") &&
                !(p->version == 2 && x->key[0] == '@' &&
                  !dp_is(x->key, "@context")))  /* v2 ignores keywords */
                code = x->key[0] != '@'                  ? "langStringElementInvalidProp"
                       : dp_is(x->key, "@context") ? "langStringElementContext"
                       : dp_is(x->key, "@id")      ? "langStringElementId"
                                                            : "langStringElementKeyword";
        if (code) return code;
        if (!val) return "langStringElementNoValue";
    }
    if (!twin__json_is_string(val)) return "langStringElementValueNotString";
    if (lg && !twin__json_is_string(lg)) return "langStringElementCodeNotString";
    if (lg && !lang_ok(lg->u.str)) return "langStringElementInvalidCode";
    return NULL;
}

/* Languages in one displayName or description (twin/dtdl.h, Limits): the
 * element keeps their count in 16 bits, and each is compared with the
 * others. */
#define LANGS_MAX 1000

static int too_many(twin__dp *p, const twin_dtdl_elem *e, const char *what, size_t n)
{
    if (n <= LANGS_MAX) return 0;
    twin__dp_err(p, "twin.tooManyLanguages", e, NULL, "'%s' has %lu languages (at most %d)", what,
                 (unsigned long)n, LANGS_MAX);
    return 1;
}

static void too_long(twin__dp *p, const twin_dtdl_elem *e, const char *what, size_t max)
{
    twin__dp_err(p, "langStringValueTooLong", e, NULL, "'%s' is longer than %lu characters", what,
                 (unsigned long)max);
}

/* A language given twice in l[0..n) (the default and "en" are one). */
static int lang_repeated(const twin__lang *l, size_t n, const char *code)
{
    size_t j;
    for (j = 0; j < n; j++)
        if (strcmp(l[j].lang, code) == 0 ||
            ((!l[j].lang[0] || dp_is(l[j].lang, "en")) && (!code[0] || dp_is(code, "en"))))
            return 1;
    return 0;
}

/* JSON-LD: an array of strings or of {"@value", "@language"} objects. */
static void lang_array(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what,
                       size_t max, const twin__lang **out, uint16_t *nout)
{
    size_t n = twin__json_count(v);
    twin__lang *l;
    const twin__json *it;
    if (too_many(p, e, what, n) || !(l = dp_alloc(p, (n ? n : 1) * sizeof *l))) return;
    n = 0;
    TWIN__JSON_EACH(it, v) {
        const twin__json *val = it, *lg = NULL;
        const char *fault, *code;
        if (twin__json_is_object(it)) {
            val = twin__json_get(it, "@value");
            lg = twin__json_get(it, "@language");
        }
        if ((fault = entry_fault(p, it, val, lg)) != NULL) {
            twin__dp_err(p, fault, e, NULL,
                         "'%s' entries must be strings or {\"@value\", \"@language\"} objects "
                         "with a valid language code", what);
            return;
        }
        if (val->n > max && twin__dp_ulen(val->u.str) > max) {
            too_long(p, e, what, max);
            return;
        }
        code = lg ? lg->u.str : "";
        if (lang_repeated(l, n, code)) {
            twin__dp_err(p, "langStringElementCodeNotUnique", e, NULL, "'%s' gives language '%s' twice",
                         what, code[0] ? code : "(default)");
            return;
        }
        l[n].lang = lg ? dp_strdup(p, lg->u.str, lg->n) : "";
        l[n].text = dp_strdup(p, val->u.str, val->n);
        n++;
    }
    *out = l;
    *nout = (uint16_t)n;
}

/* A language map ({"en": "...", "de": "..."}); a value object is not one. */
static void lang_map(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what,
                     size_t max, const twin__lang **out, uint16_t *nout)
{
    const twin__json *it, *val = twin__json_get(v, "@value");
    twin__lang *l;
    size_t n;
    if (val) {
        TWIN__JSON_EACH(it, v)
            if (it->key[0] != '@' || twin__json_is_object(val)) {
                twin__dp_err(p, "langMapObjKeyword", e, NULL,
                             "'%s' mixes a value object with language entries", what);
                return;
            }
        twin__dp_err(p, "langStringNotLangString", e, NULL,
                     "'%s' must be a string or a language map, not a value object", what);
        return;
    }
    n = twin__json_count(v);
    if (n == 0) {
        twin__dp_err(p, "langStringNotLangString", e, NULL, "'%s' language map is empty", what);
        return;
    }
    if (too_many(p, e, what, n) || !(l = dp_alloc(p, n * sizeof *l))) return;
    n = 0;
    TWIN__JSON_EACH(it, v) {
        size_t mk = dp_push_key(p, it->key, it->keylen);
        if (it->key[0] == '@') {
            twin__dp_err(p, "langMapObjKeyword", e, NULL, "'%s' language map has keyword key '%s'",
                         what, it->key);
        } else if (!lang_ok(it->key)) {
            twin__dp_err(p, "langStringElementInvalidCode", e, NULL, "'%s' is not a language code",
                         it->key);
        } else if (!twin__json_is_string(it)) {
            twin__dp_err(p, "langStringValueNotString", e, NULL,
                         "'%s' in language '%s' must be a string", what, it->key);
        } else if (it->n > max && twin__dp_ulen(it->u.str) > max) {
            too_long(p, e, what, max);
        } else {
            l[n].lang = dp_strdup(p, it->key, it->keylen);
            l[n].text = dp_strdup(p, it->u.str, it->n);
            n++;
        }
        dp_pop(p, mk);
    }
    *out = l;
    *nout = (uint16_t)n;
}

/* displayName / description: a string, an array of strings and value
 * objects, or a language map. */
void twin__dp_lang_string(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what,
                          size_t max, const twin__lang **out, uint16_t *nout)
{
    twin__lang *l;
    if (twin__json_is_string(v)) {
        if (v->n > max && twin__dp_ulen(v->u.str) > max) {
            too_long(p, e, what, max);
            return;
        }
        if (!(l = dp_alloc(p, sizeof *l))) return;
        l->lang = "";
        l->text = dp_strdup(p, v->u.str, v->n);
        *out = l;
        *nout = 1;
    } else if (twin__json_is_array(v)) {
        lang_array(p, e, v, what, max, out, nout);
    } else if (twin__json_is_object(v)) {
        lang_map(p, e, v, what, max, out, nout);
    } else {
        twin__dp_err(p, "langStringNotLangString", e, NULL,
                     "'%s' must be a string or a map from language codes to strings", what);
    }
}
