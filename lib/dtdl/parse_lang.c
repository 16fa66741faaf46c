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
static const char *entry_fault(const twin__dp *p, const cJSON *it, const cJSON *val,
                               const cJSON *lg)
{
    const cJSON *x;
    if (cJSON_IsObject(it)) {
        const char *code = NULL;
        cJSON_ArrayForEach(x, it)
            if (strcmp(x->string, "@value") && strcmp(x->string, "@language") &&
                !(p->version == 2 && x->string[0] == '@' &&
                  strcmp(x->string, "@context") != 0))  /* v2 ignores keywords */
                code = x->string[0] != '@'                  ? "langStringElementInvalidProp"
                       : strcmp(x->string, "@context") == 0 ? "langStringElementContext"
                       : strcmp(x->string, "@id") == 0      ? "langStringElementId"
                                                            : "langStringElementKeyword";
        if (code) return code;
        if (!val) return "langStringElementNoValue";
    }
    if (!cJSON_IsString(val)) return "langStringElementValueNotString";
    if (lg && !cJSON_IsString(lg)) return "langStringElementCodeNotString";
    if (lg && !lang_ok(lg->valuestring)) return "langStringElementInvalidCode";
    return NULL;
}

static void too_long(twin__dp *p, const twin_dtdl_elem *e, const char *what, size_t max)
{
    twin__dp_err(p, "langStringValueTooLong", e, NULL, "'%s' is longer than %lu characters", what,
                 (unsigned long)max);
}

/* A language given twice in l[0..n) (the default and "en" are one). */
static int lang_repeated(const twin__lang *l, int n, const char *code)
{
    int j;
    for (j = 0; j < n; j++)
        if (strcmp(l[j].lang, code) == 0 ||
            ((!l[j].lang[0] || strcmp(l[j].lang, "en") == 0) && (!code[0] || strcmp(code, "en") == 0)))
            return 1;
    return 0;
}

/* JSON-LD: an array of strings or of {"@value", "@language"} objects. */
static void lang_array(twin__dp *p, const twin_dtdl_elem *e, const cJSON *v, const char *what,
                       size_t max, const twin__lang **out, uint16_t *nout)
{
    int n = cJSON_GetArraySize(v);
    twin__lang *l = dp_alloc(p, (size_t)(n ? n : 1) * sizeof *l);
    const cJSON *it;
    if (!l) return;
    n = 0;
    cJSON_ArrayForEach(it, v) {
        const cJSON *val = it, *lg = NULL;
        const char *fault, *code;
        if (cJSON_IsObject(it)) {
            val = cJSON_GetObjectItemCaseSensitive(it, "@value");
            lg = cJSON_GetObjectItemCaseSensitive(it, "@language");
        }
        if ((fault = entry_fault(p, it, val, lg)) != NULL) {
            twin__dp_err(p, fault, e, NULL,
                         "'%s' entries must be strings or {\"@value\", \"@language\"} objects "
                         "with a valid language code", what);
            return;
        }
        if (twin__dp_ulen(val->valuestring) > max) {
            too_long(p, e, what, max);
            return;
        }
        code = lg ? lg->valuestring : "";
        if (lang_repeated(l, n, code)) {
            twin__dp_err(p, "langStringElementCodeNotUnique", e, NULL, "'%s' gives language '%s' twice",
                         what, code[0] ? code : "(default)");
            return;
        }
        l[n].lang = lg ? dp_strdup(p, lg->valuestring, strlen(lg->valuestring)) : "";
        l[n].text = dp_strdup(p, val->valuestring, strlen(val->valuestring));
        n++;
    }
    *out = l;
    *nout = (uint16_t)n;
}

/* A language map ({"en": "...", "de": "..."}); a value object is not one. */
static void lang_map(twin__dp *p, const twin_dtdl_elem *e, const cJSON *v, const char *what,
                     size_t max, const twin__lang **out, uint16_t *nout)
{
    const cJSON *it, *val = cJSON_GetObjectItemCaseSensitive(v, "@value");
    twin__lang *l;
    int n;
    if (val) {
        cJSON_ArrayForEach(it, v)
            if (it->string[0] != '@' || cJSON_IsObject(val)) {
                twin__dp_err(p, "langMapObjKeyword", e, NULL,
                             "'%s' mixes a value object with language entries", what);
                return;
            }
        twin__dp_err(p, "langStringNotLangString", e, NULL,
                     "'%s' must be a string or a language map, not a value object", what);
        return;
    }
    n = cJSON_GetArraySize(v);
    if (n == 0 || n > 1000) {
        twin__dp_err(p, "langStringNotLangString", e, NULL, "'%s' language map is empty", what);
        return;
    }
    if (!(l = dp_alloc(p, (size_t)n * sizeof *l))) return;
    n = 0;
    cJSON_ArrayForEach(it, v) {
        size_t mk = dp_push(p, it->string);
        if (it->string[0] == '@') {
            twin__dp_err(p, "langMapObjKeyword", e, NULL, "'%s' language map has keyword key '%s'",
                         what, it->string);
        } else if (!lang_ok(it->string)) {
            twin__dp_err(p, "langStringElementInvalidCode", e, NULL, "'%s' is not a language code",
                         it->string);
        } else if (!cJSON_IsString(it)) {
            twin__dp_err(p, "langStringValueNotString", e, NULL,
                         "'%s' in language '%s' must be a string", what, it->string);
        } else if (twin__dp_ulen(it->valuestring) > max) {
            too_long(p, e, what, max);
        } else {
            l[n].lang = dp_strdup(p, it->string, strlen(it->string));
            l[n].text = dp_strdup(p, it->valuestring, strlen(it->valuestring));
            n++;
        }
        dp_pop(p, mk);
    }
    *out = l;
    *nout = (uint16_t)n;
}

/* displayName / description: a string, an array of strings and value
 * objects, or a language map. */
void twin__dp_lang_string(twin__dp *p, const twin_dtdl_elem *e, const cJSON *v, const char *what,
                          size_t max, const twin__lang **out, uint16_t *nout)
{
    twin__lang *l;
    if (cJSON_IsString(v)) {
        if (twin__dp_ulen(v->valuestring) > max) {
            too_long(p, e, what, max);
            return;
        }
        if (!(l = dp_alloc(p, sizeof *l))) return;
        l->lang = "";
        l->text = dp_strdup(p, v->valuestring, strlen(v->valuestring));
        *out = l;
        *nout = 1;
    } else if (cJSON_IsArray(v)) {
        lang_array(p, e, v, what, max, out, nout);
    } else if (cJSON_IsObject(v)) {
        lang_map(p, e, v, what, max, out, nout);
    } else {
        twin__dp_err(p, "langStringNotLangString", e, NULL,
                     "'%s' must be a string or a map from language codes to strings", what);
    }
}
