/* One pass over JSON text: the strict RFC 8259 check (cJSON accepts a few
 * things JSON does not: leading zeros, "1.", raw control characters in
 * strings...) and a tree of twin__json nodes, the values cJSON would read
 * (jsonread.h). Nodes come from the caller's region, a few at a time;
 * strings stay where they are in one copy of the text: a string without
 * escapes is NUL-terminated on its closing quote, one with escapes is
 * decoded over itself (never longer than its JSON form). One allocation
 * and one copy for every string of the text.
 *
 * Iterative, with an explicit stack of open containers: no recursion on
 * hostile nesting. After a failed allocation (or a bad surrogate) the tree
 * is dropped and the rest of the text only checked, so that a syntax error
 * further on is still the one reported. */
#include "dtdl/jsonread.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

typedef struct rd {
    const unsigned char *s;
    size_t n, i;
    char *buf;        /* the copy of the text: strings in place */
    int build;        /* 0 once an allocation failed or a surrogate is bad */
    size_t sur;       /* offset of the first bad \u surrogate, or NONE */
    twin__json *root; /* the tree so far */
    twin__json *pool; /* nodes taken from the region, not handed out yet */
    size_t npool;
    const char *key;  /* the key of the member being read */
    uint32_t keylen;
    twin__region *mem;
    const twin_allocator *a;
} rd;

/* An open array or object and its last child. */
typedef struct open {
    twin__json *node, *tail;
    char close;  /* ']' or '}' */
} open;

/* Stop building: the caller's region takes the tree back. */
static void lose(rd *r)
{
    r->root = NULL;
    r->key = NULL;
    r->build = 0;
}

/* A new node of type t (NULL when the allocation failed). Nodes come
 * from the region a few at a time: one for every 32 bytes of text left
 * and 8 more, at most 256. */
static twin__json *node(rd *r, int t)
{
    twin__json *c;
    if (!r->npool) {
        size_t k = (r->n - r->i) / 16 + 8;
        if (k > 256) k = 256;
        if (!(r->pool = twin__region_alloc(r->mem, r->a, k * sizeof *c))) return NULL;
        r->npool = k;
    }
    c = r->pool++;
    r->npool--;
    c->next = c->child = NULL;
    c->key = NULL;
    c->u.num = 0;
    c->n = c->keylen = 0;
    c->type = t;
    return c;
}

/* JSON's whitespace, by byte. */
static const unsigned char space[256] = {[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

/* Spaces at s[i..i+8) (8 bytes there), counted a word at a time where
 * the compiler can count the trailing zero bits of a little-endian word. */
static size_t spaces8(const unsigned char *s, size_t i)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t x;
    memcpy(&x, s + i, 8);
    x ^= 0x2020202020202020u;
    return x ? (size_t)__builtin_ctzll(x) / 8 : 8;
#else
    size_t k = 0;
    while (k < 8 && s[i + k] == ' ') k++;
    return k;
#endif
}

/* Whitespace: a line end and the indentation after it in a few steps. */
static void ws(rd *r)
{
    const unsigned char *s = r->s;
    size_t i = r->i, n = r->n;
    while (i < n && space[s[i]]) {
        if (s[i++] == '\n') {
            size_t k;
            while (i + 8 <= n && (k = spaces8(s, i)) > 0) {
                i += k;
                if (k < 8) break;
            }
        }
    }
    r->i = i;
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

/* Bytes that may stand in a string as they are (not '"', '\\', controls). */
#define X16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* '"' */
    X16, X16,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,  /* '\\' */
    X16, X16, X16, X16, X16, X16, X16, X16, X16, X16,
};
#undef X16

/* The bytes among the 8 at p that end a run of plain bytes, flagged 0x80
 * (bitwise on a word: a byte equal to '"' or '\\' gives a zero byte after
 * the XOR; the test for a zero byte, or one below 0x20, flags each such
 * byte that no lower one borrows from, and may flag bytes above a flagged
 * one: the lowest flag is exact, the others are not). */
static uint64_t stop8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t x, q, b;
    memcpy(&x, p, 8);
    q = x ^ (ones * '"');
    b = x ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x)) & highs;
}

/* The end of the run of plain bytes from s[j]. (In a little-endian word
 * the lowest flagged byte of stop8() is exact: borrows only go up.) */
static inline size_t plain_run(const unsigned char *s, size_t j, size_t n)
{
    uint64_t m;
    while (j + 8 <= n) {
        if ((m = stop8(s + j)) != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return j + (size_t)__builtin_ctzll(m) / 8;
#else
            break;
#endif
        }
        j += 8;
    }
    while (j < n && plain[s[j]]) j++;
    return j;
}

/* Write code point cp as UTF-8 at o; returns the end. */
static char *put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Decode the checked string s[from..end) (after its opening quote, up to
 * its closing one) into o; returns the end of what was written. */
static char *unescape(const unsigned char *s, size_t from, size_t end, char *o)
{
    for (; from < end; from++) {
        unsigned long cp;
        if (s[from] != '\\') {
            *o++ = (char)s[from];
            continue;
        }
        switch (s[++from]) {
        case 'b': *o++ = '\b'; continue;
        case 'f': *o++ = '\f'; continue;
        case 'n': *o++ = '\n'; continue;
        case 'r': *o++ = '\r'; continue;
        case 't': *o++ = '\t'; continue;
        case 'u': break;
        default: *o++ = (char)s[from]; continue;  /* " \ / */
        }
        cp = (unsigned long)hex4(s + from + 1);
        from += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + (((cp & 0x3FF) << 10) | ((unsigned long)hex4(s + from + 3) & 0x3FF));
            from += 6;
        }
        o = put_utf8(o, cp);
    }
    return o;
}

/* The escape at s[j] (its backslash), checked: the offset after it, or
 * NONE with *bad the offending byte. A \u that is a bad surrogate is
 * noted in r->sur. */
static size_t escape(rd *r, size_t j, size_t *bad)
{
    const unsigned char *s = r->s;
    long code;
    if (++j >= r->n) {
        *bad = j;
        return NONE;
    }
    if (s[j] != 'u') {
        if (!strchr("\"\\/bfnrt", (int)s[j]) || s[j] == 0) {
            *bad = j;
            return NONE;
        }
        return j + 1;
    }
    if (j + 4 >= r->n || (code = hex4(s + j + 1)) < 0) {
        *bad = j;
        return NONE;
    }
    if (code >= 0xD800 && code <= 0xDBFF && j + 10 < r->n && s[j + 5] == '\\' && s[j + 6] == 'u') {
        long lo = hex4(s + j + 7);
        if (lo >= 0xDC00 && lo <= 0xDFFF) return j + 11;
    }
    if (code >= 0xD800 && code <= 0xDFFF && r->sur == NONE)
        r->sur = j;  /* lone, or not followed by its low half: cJSON fails */
    return j + 5;
}

/* The string at r->i (its opening quote). 0 with r->i at the bad byte if
 * it is not a JSON string; else 1 with r->i past the closing quote, and,
 * while building, *out its decoded bytes and *len their length. */
static inline int rstring(rd *r, const char **out, uint32_t *len)
{
    const unsigned char *s = r->s;
    size_t from = r->i + 1, j = from;
    int esc = 0;
    char *o;
    for (;;) {
        j = plain_run(s, j, r->n);
        if (j >= r->n || s[j] < 0x20) {
            r->i = j;
            return 0;
        }
        if (s[j] == '"') break;
        esc = 1;
        if ((j = escape(r, j, &r->i)) == NONE) return 0;
    }
    r->i = j + 1;
    if (r->build && r->sur != NONE) lose(r);
    if (!r->build) return 1;
    o = r->buf + from;
    if (!esc) {
        o[j - from] = '\0';  /* on the closing quote */
        *len = (uint32_t)(j - from);
    } else {
        *unescape(s, from, j, o) = '\0';
        *len = (uint32_t)strlen(o);
    }
    *out = o;
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
static twin__json *number(rd *r, size_t from)
{
    size_t k = r->i - from, j;
    char tmp[64], *b = tmp, *end;
    double d;
    twin__json *c;
    if (k >= sizeof tmp) b = r->buf + from;  /* in the copy of the text */
    else memcpy(b, r->s + from, k);
    b[k] = '\0';  /* in the copy: over the byte after the number, or its last + 1 */
    d = strtod(b, &end);
    if (end != b + k) {  /* a locale whose decimal point is not '.' */
        char dp = decimal_point();
        for (j = 0; j < k; j++)
            if (b[j] == '.') b[j] = dp;
        d = strtod(b, &end);
    }
    if (!(c = node(r, TWIN__JSON_NUMBER))) return NULL;
    c->u.num = d;
    return c;
}

static int word(rd *r, const char *w)
{
    size_t k = strlen(w);
    if (r->n - r->i < k || memcmp(r->s + r->i, w, k) != 0) return 0;
    r->i += k;
    return 1;
}

/* Attach the new node item (NULL: its allocation failed) to the open
 * container at the top (NULL: item is the root), with the pending key
 * when that is an object. */
static void put(rd *r, open *top, twin__json *item)
{
    if (!item) {
        lose(r);
        return;
    }
    if (!top) {
        r->root = item;
        return;
    }
    item->key = r->key;
    item->keylen = r->keylen;
    r->key = NULL;
    if (top->tail) top->tail->next = item;
    else top->node->child = item;
    top->tail = item;
    top->node->n++;
}

/* A scalar at r->i: checked, and put in the tree while building. 0 with
 * r->i at the bad byte if it is not a JSON value. */
static inline int scalar(rd *r, open *top)
{
    twin__json *c;
    size_t from = r->i;
    switch (r->s[r->i]) {
    case '"': {
        const char *v = NULL;
        uint32_t len = 0;
        if (!rstring(r, &v, &len)) return 0;
        if (!r->build) return 1;
        if ((c = node(r, TWIN__JSON_STRING)) != NULL) {
            c->u.str = v;
            c->n = len;
        }
        break;
    }
    case 't':
        if (!word(r, "true")) return 0;
        if (!r->build) return 1;
        c = node(r, TWIN__JSON_TRUE);
        break;
    case 'f':
        if (!word(r, "false")) return 0;
        if (!r->build) return 1;
        c = node(r, TWIN__JSON_FALSE);
        break;
    case 'n':
        if (!word(r, "null")) return 0;
        if (!r->build) return 1;
        c = node(r, TWIN__JSON_NULL);
        break;
    default:
        if (!rnumber(r)) return 0;
        if (!r->build) return 1;
        c = number(r, from);
    }
    put(r, top, c);
    return 1;
}

/* Open an array or object at r->i (checked: '[' or '{'). */
static void open_container(rd *r, open *stack, int depth)
{
    open *o = &stack[depth];
    o->close = r->s[r->i] == '{' ? '}' : ']';
    o->node = o->tail = NULL;
    if (r->build) {
        twin__json *c = node(r, o->close == '}' ? TWIN__JSON_OBJECT : TWIN__JSON_ARRAY);
        put(r, depth ? &stack[depth - 1] : NULL, c);
        if (r->build) o->node = c;
    }
    r->i++;
}

static void start(rd *r, const char *text, size_t len, twin__region *mem,
                  const twin_allocator *a)
{
    r->s = (const unsigned char *)text;
    r->n = len;
    r->i = 0;
    r->build = 1;
    r->sur = NONE;
    r->root = NULL;
    r->pool = NULL;
    r->npool = 0;
    r->key = NULL;
    r->keylen = 0;
    r->mem = mem;
    r->a = a;
    /* one byte more: a number ending the text is NUL-terminated there */
    r->buf = twin__region_alloc(mem, a, len + 1);
    if (!r->buf) lose(r);
    else memcpy(r->buf, text, len);
}

/* A member's key and its colon, the key kept for the value to come. 0
 * with r->i at the bad byte if they are not there. */
static int member_key(rd *r)
{
    ws(r);
    if (r->i >= r->n || r->s[r->i] != '"' || !rstring(r, &r->key, &r->keylen)) return 0;
    ws(r);
    if (r->i >= r->n || r->s[r->i] != ':') return 0;
    r->i++;
    return 1;
}

#define BAD() \
    do { \
        *bad_at = r.i; \
        return TWIN_E_PARSE; \
    } while (0)

twin_status twin__json_read(const char *text, size_t len, twin__region *mem,
                            const twin_allocator *a, const twin__json **out, size_t *bad_at,
                            int *too_deep)
{
    rd r;
    open stack[TWIN__JSON_MAX_DEPTH];
    int depth = 0;
    *out = NULL;
    *bad_at = len;
    *too_deep = 0;
    start(&r, text, len, mem, a);
    for (;;) {
        /* a value */
        ws(&r);
        if (r.i >= r.n) BAD();
        if (r.s[r.i] == '{' || r.s[r.i] == '[') {
            if (depth == TWIN__JSON_MAX_DEPTH) {
                *too_deep = 1;
                BAD();
            }
            open_container(&r, stack, depth++);
            ws(&r);
            if (r.i < r.n && r.s[r.i] == stack[depth - 1].close) {
                r.i++;
                depth--;
                goto after_value;
            }
            if (stack[depth - 1].close == '}') goto member;
            continue;
        }
        if (!scalar(&r, depth ? &stack[depth - 1] : NULL)) BAD();
    after_value:
        ws(&r);
        if (depth == 0) {
            if (r.i < r.n) BAD();  /* something after the value */
            break;
        }
        if (r.i >= r.n) BAD();
        if (r.s[r.i] == ',') {
            r.i++;
            if (stack[depth - 1].close == '}') goto member;
            continue;
        }
        if (r.s[r.i] == stack[depth - 1].close) {
            r.i++;
            depth--;
            goto after_value;
        }
        BAD();
    member:
        if (!member_key(&r)) BAD();
    }
    /* the text is JSON (RFC 8259) */
    if (r.sur != NONE) {
        *bad_at = r.sur;
        return TWIN_E_PARSE;
    }
    if (!r.build) return TWIN_E_NOMEM;
    *out = r.root;
    return TWIN_OK;
}

#undef BAD
