/* One pass over JSON text: the strict RFC 8259 check (cJSON accepts a few
 * things JSON does not: leading zeros, "1.", raw control characters in
 * strings...) and a tree of cJSON nodes. The tree is the one
 * cJSON_ParseWithLengthOpts() builds: the same nodes in the same order
 * (duplicate keys kept), strings decoded the same way (\uXXXX and
 * surrogate pairs to UTF-8; \u0000 as a zero byte), numbers by strtod() of
 * their text, true with valueint 1. Its nodes and strings are allocated in
 * the caller's region, from the caller's allocator: no cJSON function
 * allocates, and the tree is freed with the region, not cJSON_Delete().
 * The readers of the tree use cJSON's accessors only.
 *
 * Iterative, with an explicit stack of open containers: no recursion on
 * hostile nesting. After a failed allocation (or a bad surrogate) the tree
 * is dropped and the rest of the text only checked, so that a syntax error
 * further on is still the one reported. */
#include "dtdl/jsonread.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

typedef struct rd {
    const unsigned char *s;
    size_t n, i;
    int build;     /* 0 once an allocation failed or a surrogate is bad */
    size_t sur;    /* offset of the first bad \u surrogate, or NONE */
    cJSON *root;   /* the tree so far */
    char *key;     /* the key of the member being read */
    twin__region *mem;
    const twin_allocator *a;
} rd;

/* Stop building: the caller's region takes the tree back. */
static void lose(rd *r)
{
    r->root = NULL;
    r->key = NULL;
    r->build = 0;
}

static void *take(rd *r, size_t n)
{
    return twin__region_alloc(r->mem, r->a, n);
}

/* A new node of type t (NULL when the allocation failed). */
static cJSON *node(rd *r, int t)
{
    cJSON *c = take(r, sizeof *c);
    if (c) {
        memset(c, 0, sizeof *c);
        c->type = t;
    }
    return c;
}

static void ws(rd *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
                           r->s[r->i] == '\r'))
        r->i++;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    ch |= 32;
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

/* The 4 hex digits at p (checked), or -1. */
static long hex4(const unsigned char *p)
{
    long v = 0;
    int k;
    for (k = 0; k < 4; k++) {
        int h = hexval(p[k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The string at r->i (its opening quote). 0 with r->i at the bad byte if
 * it is not a JSON string; else 1 with r->i past the closing quote, and,
 * when out is not NULL and the tree is being built, *out its decoded
 * bytes (NULL, and the tree lost, if that allocation failed). */
static int rstring(rd *r, char **out)
{
    const unsigned char *s = r->s;
    size_t j = r->i + 1, from = j, outlen = 0;
    int esc = 0;
    unsigned char *o;
    if (out) *out = NULL;
    while (j < r->n) {
        unsigned ch;
        size_t k = j;
        while (k < r->n && s[k] >= 0x20 && s[k] != '"' && s[k] != '\\') k++;  /* plain bytes */
        outlen += k - j;
        j = k;
        if (j >= r->n) break;
        ch = s[j];
        if (ch == '"') break;
        if (ch < 0x20) {
            r->i = j;
            return 0;
        }
        if (ch == '\\') {
            esc = 1;
            if (++j >= r->n) {
                r->i = j;
                return 0;
            }
            ch = s[j];
            if (ch == 'u') {
                long code;
                if (j + 4 >= r->n || (code = hex4(s + j + 1)) < 0) {
                    r->i = j;
                    return 0;
                }
                if (code >= 0xD800 && code <= 0xDBFF && j + 10 < r->n && s[j + 5] == '\\' &&
                    s[j + 6] == 'u') {
                    long lo = hex4(s + j + 7);
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        outlen += 4;
                        j += 11;
                        continue;
                    }
                }
                if (code >= 0xD800 && code <= 0xDFFF) {
                    /* lone, or not followed by its low half: cJSON fails */
                    if (r->sur == NONE) r->sur = j;
                } else {
                    outlen += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
                }
                j += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", (int)ch) || ch == 0) {
                r->i = j;
                return 0;
            }
        }
        outlen++;
        j++;
    }
    if (j >= r->n) {
        r->i = j;
        return 0;
    }
    r->i = j + 1;
    if (r->build && r->sur != NONE) lose(r);
    if (!out || !r->build) return 1;
    o = take(r, outlen + 1);
    if (!o) {
        lose(r);
        return 1;
    }
    *out = (char *)o;
    if (!esc) {
        memcpy(o, s + from, outlen);
        o[outlen] = '\0';
        return 1;
    }
    for (; from < j; from++) {
        unsigned long cp;
        if (s[from] != '\\') {
            *o++ = s[from];
            continue;
        }
        switch (s[++from]) {
        case 'b': *o++ = '\b'; continue;
        case 'f': *o++ = '\f'; continue;
        case 'n': *o++ = '\n'; continue;
        case 'r': *o++ = '\r'; continue;
        case 't': *o++ = '\t'; continue;
        case 'u': break;
        default: *o++ = s[from]; continue;  /* " \ / */
        }
        cp = (unsigned long)hex4(s + from + 1);
        from += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + (((cp & 0x3FF) << 10) | ((unsigned long)hex4(s + from + 3) & 0x3FF));
            from += 6;
        }
        if (cp < 0x80) {
            *o++ = (unsigned char)cp;
        } else if (cp < 0x800) {
            *o++ = (unsigned char)(0xC0 | (cp >> 6));
            *o++ = (unsigned char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *o++ = (unsigned char)(0xE0 | (cp >> 12));
            *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (unsigned char)(0x80 | (cp & 0x3F));
        } else {
            *o++ = (unsigned char)(0xF0 | (cp >> 18));
            *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (unsigned char)(0x80 | (cp & 0x3F));
        }
    }
    *o = '\0';
    return 1;
}

static int digit(const rd *r) { return r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9'; }

static int rnumber(rd *r)
{
    if (r->i < r->n && r->s[r->i] == '-') r->i++;
    if (!digit(r)) return 0;
    if (r->s[r->i] == '0') r->i++;
    else
        while (digit(r)) r->i++;
    if (r->i < r->n && r->s[r->i] == '.') {
        r->i++;
        if (!digit(r)) return 0;
        while (digit(r)) r->i++;
    }
    if (r->i < r->n && (r->s[r->i] | 32) == 'e') {
        r->i++;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-')) r->i++;
        if (!digit(r)) return 0;
        while (digit(r)) r->i++;
    }
    return 1;
}

/* The C library's decimal point in the current locale (snprintf, unlike
 * localeconv(), writes no static data). */
static char decimal_point(void)
{
    char b[8];
    snprintf(b, sizeof b, "%.1f", 0.5);
    return b[1];
}

/* A node for the number text s[from..r->i) (checked): strtod() of the
 * text, with '.' as the locale's decimal point, as cJSON does. */
static cJSON *number(rd *r, size_t from)
{
    size_t k = r->i - from, j;
    char buf[64], *b = buf, *end;
    double d;
    cJSON *c;
    if (k >= sizeof buf && !(b = take(r, k + 1))) return NULL;  /* the region frees it */
    memcpy(b, r->s + from, k);
    b[k] = '\0';
    d = strtod(b, &end);
    if (end != b + k) {  /* a locale whose decimal point is not '.' */
        char dp = decimal_point();
        for (j = 0; j < k; j++)
            if (b[j] == '.') b[j] = dp;
        d = strtod(b, &end);
    }
    if (!(c = node(r, cJSON_Number))) return NULL;
    /* as cJSON_SetNumberValue(): valueint saturates */
    c->valuedouble = d;
    c->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
    return c;
}

static int word(rd *r, const char *w)
{
    size_t k = strlen(w);
    if (r->n - r->i < k || memcmp(r->s + r->i, w, k) != 0) return 0;
    r->i += k;
    return 1;
}

/* Attach the new node item (NULL: its allocation failed) to parent (NULL:
 * item is the root), with the pending key when parent is an object: at the
 * end of the parent's list, whose head's prev is its tail (as cJSON keeps
 * it, so cJSON's functions read the list as their own). */
static void put(rd *r, cJSON *parent, cJSON *item)
{
    if (!item) {
        lose(r);
        return;
    }
    if (!parent) {
        r->root = item;
        return;
    }
    item->string = r->key;
    r->key = NULL;
    if (!parent->child) {
        parent->child = item;
        item->prev = item;
    } else {
        cJSON *tail = parent->child->prev;
        tail->next = item;
        item->prev = tail;
        parent->child->prev = item;
    }
}

#define BAD() \
    do { \
        *bad_at = r.i; \
        goto fail; \
    } while (0)

twin_status twin__json_read(const char *text, size_t len, twin__region *mem,
                            const twin_allocator *a, cJSON **out, size_t *bad_at, int *too_deep)
{
    rd r;
    cJSON *open[TWIN__JSON_MAX_DEPTH];
    char kind[TWIN__JSON_MAX_DEPTH];
    int depth = 0;
    *out = NULL;
    *bad_at = len;
    *too_deep = 0;
    r.s = (const unsigned char *)text;
    r.n = len;
    r.i = 0;
    r.build = 1;
    r.sur = NONE;
    r.root = NULL;
    r.key = NULL;
    r.mem = mem;
    r.a = a;
    for (;;) {
        cJSON *parent;
        /* a value */
        ws(&r);
        if (r.i >= r.n) BAD();
        parent = depth ? open[depth - 1] : NULL;
        switch (r.s[r.i]) {
        case '{': case '[':
            if (depth == TWIN__JSON_MAX_DEPTH) {
                *too_deep = 1;
                BAD();
            }
            kind[depth] = (char)r.s[r.i];
            open[depth] = NULL;
            if (r.build) {
                cJSON *c = node(&r, r.s[r.i] == '{' ? cJSON_Object : cJSON_Array);
                put(&r, parent, c);
                if (r.build) open[depth] = c;
            }
            depth++;
            r.i++;
            ws(&r);
            if (r.i < r.n && r.s[r.i] == (kind[depth - 1] == '{' ? '}' : ']')) {
                r.i++;
                depth--;
                goto after_value;
            }
            if (kind[depth - 1] == '{') goto member;
            continue;
        case '"': {
            char *v;
            if (!rstring(&r, &v)) BAD();
            if (r.build) {
                cJSON *c = node(&r, cJSON_String);
                if (c) c->valuestring = v;
                put(&r, parent, c);
            }
            break;
        }
        case 't':
            if (!word(&r, "true")) BAD();
            if (r.build) {
                cJSON *c = node(&r, cJSON_True);
                if (c) c->valueint = 1;  /* as cJSON's parser sets it */
                put(&r, parent, c);
            }
            break;
        case 'f':
            if (!word(&r, "false")) BAD();
            if (r.build) put(&r, parent, node(&r, cJSON_False));
            break;
        case 'n':
            if (!word(&r, "null")) BAD();
            if (r.build) put(&r, parent, node(&r, cJSON_NULL));
            break;
        default: {
            size_t from = r.i;
            if (!rnumber(&r)) BAD();
            if (r.build) put(&r, parent, number(&r, from));
        }
        }
    after_value:
        ws(&r);
        if (depth == 0) {
            if (r.i < r.n) BAD();  /* something after the value */
            break;
        }
        if (r.i >= r.n) BAD();
        if (r.s[r.i] == ',') {
            r.i++;
            if (kind[depth - 1] == '{') goto member;
            continue;
        }
        if (r.s[r.i] == (kind[depth - 1] == '{' ? '}' : ']')) {
            r.i++;
            depth--;
            goto after_value;
        }
        BAD();
    member:
        ws(&r);
        if (r.i >= r.n || r.s[r.i] != '"' || !rstring(&r, &r.key)) BAD();
        ws(&r);
        if (r.i >= r.n || r.s[r.i] != ':') BAD();
        r.i++;
    }
    /* the text is JSON (RFC 8259) */
    if (r.sur != NONE) {
        *bad_at = r.sur;
        return TWIN_E_PARSE;
    }
    if (!r.build) return TWIN_E_NOMEM;
    *out = r.root;
    return TWIN_OK;
fail:
    return TWIN_E_PARSE;
}

#undef BAD
