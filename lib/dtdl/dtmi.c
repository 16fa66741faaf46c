/* Digital Twin Model Identifiers: syntax and versions. */
#include "dtdl/dtdl_int.h"
#include "core/sized.h"

#include <string.h>

/* ASCII classes: 1 a letter, 2 a digit, 4 '_'; 0 any other byte. */
enum { LETTER = 1, DIGIT = 2, UNDERSCORE = 4 };
static const unsigned char cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

static int is_alpha(int c) { return cls[c & 0xFF] == LETTER; }
static int is_digit(int c) { return cls[c & 0xFF] == DIGIT; }
static int is_alnum(int c) { return (cls[c & 0xFF] & (LETTER | DIGIT)) != 0; }

/* A segment from s[*i]: a letter (or, for generated identifiers,
 * underscores then a letter or digit: *generated set), then letters,
 * digits and underscores, not ending in an underscore. */
static int segment(const char *s, size_t n, size_t *i, int allow_underscore, int *generated)
{
    size_t j = *i;
    if (j < n && s[j] == '_' && allow_underscore) {
        *generated = 1;
        while (j < n && s[j] == '_') j++;
        if (j == n || !is_alnum((unsigned char)s[j])) return 0;
    } else if (j == n || !is_alpha((unsigned char)s[j])) {
        return 0;
    }
    while (j < n && cls[(unsigned char)s[j]]) j++;
    if (s[j - 1] == '_') return 0;
    *i = j;
    return 1;
}

/* Digits without a leading zero, 1..maxd of them. */
static int number(const char *s, size_t n, size_t *i, int maxd, int64_t *out)
{
    size_t j = *i;
    int64_t v = 0;
    if (j == n || s[j] < '1' || s[j] > '9') return 0;
    while (j < n && is_digit((unsigned char)s[j])) {
        if ((int)(j - *i) == maxd) return 0;
        v = v * 10 + (s[j] - '0');
        j++;
    }
    *i = j;
    *out = v;
    return 1;
}

/* *generated: a path segment starts with '_' (the official parser's
 * generated identifiers have them; user identifiers may not). */
static int parse(const char *s, size_t n, twin_dtmi_info *d, int *generated)
{
    size_t i = 5;
    *generated = 0;
    memset(d, 0, sizeof *d);
    d->size = sizeof *d;
    d->major = d->minor = -1;
    if (n < 5 || memcmp(s, "dtmi:", 5) != 0) return 0;
    for (;;) {
        if (!segment(s, n, &i, 1, generated)) return 0;
        d->labels++;
        if (i < n && s[i] == ':') {
            i++;
            continue;
        }
        break;
    }
    d->path_len = (uint32_t)i;
    if (i < n && s[i] == ';') {
        i++;
        if (!number(s, n, &i, 9, &d->major)) return 0;
        if (i < n && s[i] == '.') {
            i++;
            if (!number(s, n, &i, 6, &d->minor)) return 0;
        }
    }
    if (i < n && s[i] == '#') {
        i++;
        d->fragment = (uint32_t)i;
        if (!segment(s, n, &i, 0, generated)) return 0;
    }
    if (i != n) return 0;
    d->reserved_id = (n >= 10 && memcmp(s, "dtmi:dtdl:", 10) == 0) ||
                     (n >= 14 && memcmp(s, "dtmi:standard:", 14) == 0);
    return 1;
}

twin_status twin_dtmi_parse(const char *dtmi, size_t len, twin_dtmi_info *out)
{
    twin_dtmi_info d;
    twin_status s;
    int generated;
    if (!dtmi) return TWIN_E_INVAL;
    if (out && (s = twin__sized_check(out, sizeof *out)) != TWIN_OK) return s;
    if (len > TWIN_MODEL_ID_MAX) return TWIN_E_RANGE;
    if (!parse(dtmi, len, &d, &generated)) return TWIN_E_PARSE;
    return out ? twin__sized_out(out, &d, sizeof d) : TWIN_OK;
}

int twin__dtmi_ok(const char *s, size_t n, int version, size_t max)
{
    twin_dtmi_info d;
    int generated;
    if (n > max || !parse(s, n, &d, &generated) || d.fragment) return 0;
    if (version <= 2) {
        /* v2: a version is required, no minor, no underscore-led segments. */
        if (d.major < 0 || d.minor >= 0) return 0;
    }
    return !generated;  /* user identifiers: no generated segments */
}
