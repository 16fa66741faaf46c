/* JSON text to twin_value trees (see json.h). */
#include "json.h"
#include "readlim.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    json_parser *p;
    mem *m;
    const char *s;  /* text */
    size_t n, i;    /* length, position */
    json_error *err;
} reader;

static int fail(reader *r, size_t at, const char *fmt, ...)
{
    va_list ap;
    r->err->offset = at;
    va_start(ap, fmt);
    vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
    va_end(ap);
    return -1;
}

static void skip_ws(reader *r)
{
    while (r->i < r->n) {
        char c = r->s[r->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        r->i++;
    }
}

static int unexpected(reader *r, const char *what)
{
    unsigned char c;
    if (r->i >= r->n) return fail(r, r->i, "unexpected end of input, expected %s", what);
    c = (unsigned char)r->s[r->i];
    if (c >= 0x20 && c < 0x7f)
        return fail(r, r->i, "unexpected '%c', expected %s", c, what);
    return fail(r, r->i, "unexpected byte 0x%02x, expected %s", c, what);
}

/* Length of the valid UTF-8 sequence at s[0, n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned cp;
    size_t len, k;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) len = 2, cp = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) len = 3, cp = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) len = 4, cp = s[0] & 0x07u;
    else return 0;
    if (n < len) return 0;
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[k] & 0x3fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    int k;
    for (k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A \u escape at r->i (just after the backslash-u); the code point in *cp. */
static int unicode_escape(reader *r, size_t start, unsigned *cp)
{
    unsigned hi, lo;
    if (r->n - r->i < 4 || hex4(r->s + r->i, &hi) != 0)
        return fail(r, start, "\\u must be followed by four hexadecimal digits");
    r->i += 4;
    if (hi >= 0xdc00 && hi <= 0xdfff) return fail(r, start, "lone low surrogate \\u%04x", hi);
    if (hi >= 0xd800 && hi <= 0xdbff) {
        if (r->n - r->i < 6 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u' ||
            hex4(r->s + r->i + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
            return fail(r, start, "high surrogate \\u%04x without its low surrogate", hi);
        r->i += 6;
        hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    }
    *cp = hi;
    return 0;
}

/* A string at r->i (on the opening quote): NUL-terminated copy in the arena. */
static int read_string(reader *r, const char **out, uint32_t *out_len)
{
    size_t start = r->i++, j, len = 0;
    char *d;
    /* Escapes never make the text longer, so the raw span bounds it. */
    for (j = r->i; j < r->n && r->s[j] != '"'; j++)
        if (r->s[j] == '\\') j++;
    if (j >= r->n) return fail(r, start, "unterminated string");
    d = mem_alloc(r->m, j - r->i + 1);
    while (r->i < j) {
        unsigned char c;
        size_t run = r->i;
        /* Plain ASCII goes over in one copy. */
        while (run < j && (unsigned char)r->s[run] >= 0x20 && (unsigned char)r->s[run] < 0x80 &&
               r->s[run] != '\\')
            run++;
        memcpy(d + len, r->s + r->i, run - r->i);
        len += run - r->i;
        r->i = run;
        if (r->i == j) break;
        c = (unsigned char)r->s[r->i];
        if (c < 0x20) return fail(r, r->i, "control character 0x%02x in a string (escape it)", c);
        if (c == '\\') {
            size_t esc = r->i;
            char e = r->s[r->i + 1];
            unsigned cp = 0;
            r->i += 2;
            switch (e) {
            case '"': d[len++] = '"'; break;
            case '\\': d[len++] = '\\'; break;
            case '/': d[len++] = '/'; break;
            case 'b': d[len++] = '\b'; break;
            case 'f': d[len++] = '\f'; break;
            case 'n': d[len++] = '\n'; break;
            case 'r': d[len++] = '\r'; break;
            case 't': d[len++] = '\t'; break;
            case 'u':
                if (unicode_escape(r, esc, &cp) != 0) return -1;
                len += put_utf8(d + len, cp);
                break;
            default:
                return fail(r, esc, "invalid escape '\\%c'", e >= 0x20 && e < 0x7f ? e : '?');
            }
            continue;
        }
        {
            size_t k = utf8_seq((const unsigned char *)r->s + r->i, r->n - r->i);
            if (k == 0) return fail(r, r->i, "invalid UTF-8 in a string");
            memcpy(d + len, r->s + r->i, k);
            len += k;
            r->i += k;
        }
    }
    r->i++;
    d[len] = '\0';
    if (len > UINT32_MAX) return fail(r, start, "string too long");
    *out = d;
    *out_len = (uint32_t)len;
    return 0;
}

static int digits(reader *r)
{
    size_t k = r->i;
    while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9') r->i++;
    return r->i > k;
}

static int read_number(reader *r, twin_value *v)
{
    size_t start = r->i;
    int integral = 1;
    char buf[64], *text = buf, *end;
    size_t len;
    if (r->s[r->i] == '-') r->i++;
    if (r->i < r->n && r->s[r->i] == '0') r->i++;
    else if (!digits(r)) return unexpected(r, "a digit");
    if (r->i < r->n && r->s[r->i] == '.') {
        r->i++;
        integral = 0;
        if (!digits(r)) return unexpected(r, "a digit after '.'");
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
        r->i++;
        integral = 0;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-')) r->i++;
        if (!digits(r)) return unexpected(r, "a digit in the exponent");
    }
    len = r->i - start;
    if (len >= sizeof buf) text = mem_alloc(r->m, len + 1);
    memcpy(text, r->s + start, len);
    text[len] = '\0';
    errno = 0;
    if (integral) {
        long long i = strtoll(text, &end, 10);
        if (errno == 0) {
            *v = twin_value_int((int64_t)i);
            return 0;
        }
        errno = 0;  /* out of int64's range: a double */
    }
    {
        double d = strtod(text, &end);
        if (!isfinite(d)) return fail(r, start, "number out of the range of a double");
        *v = twin_value_double(d);
    }
    return 0;
}

static int read_value(reader *r, twin_value *v, int depth);

static int read_array(reader *r, twin_value *v, int depth)
{
    json_parser *p = r->p;
    size_t base = p->nvals, n;
    twin_value *items = NULL;
    r->i++;
    skip_ws(r);
    if (r->i < r->n && r->s[r->i] == ']') {
        r->i++;
        *v = twin_value_array(NULL, 0);
        return 0;
    }
    for (;;) {
        twin_value item;
        if (read_value(r, &item, depth + 1) != 0) return -1;
        xgrow((void **)&p->vals, &p->capvals, p->nvals + 1, sizeof *p->vals);
        p->vals[p->nvals++] = item;
        skip_ws(r);
        if (r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            continue;
        }
        if (r->i < r->n && r->s[r->i] == ']') break;
        return unexpected(r, "',' or ']' in an array");
    }
    r->i++;
    n = p->nvals - base;
    if (n > UINT32_MAX) return fail(r, r->i, "array too long");
    items = mem_alloc(r->m, n * sizeof *items);
    memcpy(items, p->vals + base, n * sizeof *items);
    p->nvals = base;
    *v = twin_value_array(items, (uint32_t)n);
    return 0;
}

static int read_object(reader *r, twin_value *v, int depth)
{
    json_parser *p = r->p;
    size_t base = p->nmems, n;
    twin_member *ms;
    r->i++;
    skip_ws(r);
    if (r->i < r->n && r->s[r->i] == '}') {
        r->i++;
        *v = twin_value_object(NULL, 0);
        return 0;
    }
    for (;;) {
        twin_member m;
        uint32_t klen;
        if (r->i >= r->n || r->s[r->i] != '"') return unexpected(r, "a member name (a string)");
        if (read_string(r, &m.name, &klen) != 0) return -1;
        skip_ws(r);
        if (r->i >= r->n || r->s[r->i] != ':') return unexpected(r, "':' after a member name");
        r->i++;
        if (read_value(r, &m.value, depth + 1) != 0) return -1;
        xgrow((void **)&p->mems, &p->capmems, p->nmems + 1, sizeof *p->mems);
        p->mems[p->nmems++] = m;
        skip_ws(r);
        if (r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            skip_ws(r);
            continue;
        }
        if (r->i < r->n && r->s[r->i] == '}') break;
        return unexpected(r, "',' or '}' in an object");
    }
    r->i++;
    n = p->nmems - base;
    if (n > UINT32_MAX) return fail(r, r->i, "object too large");
    ms = mem_alloc(r->m, n * sizeof *ms);
    memcpy(ms, p->mems + base, n * sizeof *ms);
    p->nmems = base;
    *v = twin_value_object(ms, (uint32_t)n);
    return 0;
}

static int literal(reader *r, const char *word, twin_value v, twin_value *out)
{
    size_t len = strlen(word);
    if (r->n - r->i < len || memcmp(r->s + r->i, word, len) != 0) return unexpected(r, "a value");
    r->i += len;
    *out = v;
    return 0;
}

/* A value at r->i, inside `depth` arrays and objects. */
static int read_value(reader *r, twin_value *v, int depth)
{
    skip_ws(r);
    if (r->i >= r->n) return unexpected(r, "a value");
    if ((r->s[r->i] == '{' || r->s[r->i] == '[') && depth >= LIM_JSON_DEPTH) {
        r->err->too_deep = 1;
        return fail(r, r->i, "arrays and objects nested deeper than %d (the limit)",
                    LIM_JSON_DEPTH);
    }
    switch (r->s[r->i]) {
    case '{': return read_object(r, v, depth);
    case '[': return read_array(r, v, depth);
    case '"': {
        const char *s;
        uint32_t len;
        if (read_string(r, &s, &len) != 0) return -1;
        *v = twin_value_null();
        v->type = TWIN_VALUE_STRING;
        v->len = len;
        v->as.s = s;
        return 0;
    }
    case 't': return literal(r, "true", twin_value_bool(1), v);
    case 'f': return literal(r, "false", twin_value_bool(0), v);
    case 'n': return literal(r, "null", twin_value_null(), v);
    default:
        if (r->s[r->i] == '-' || (r->s[r->i] >= '0' && r->s[r->i] <= '9')) return read_number(r, v);
        return unexpected(r, "a value");
    }
}

void json_parser_init(json_parser *p)
{
    memset(p, 0, sizeof *p);
}

void json_parser_fini(json_parser *p)
{
    free(p->vals);
    free(p->mems);
    memset(p, 0, sizeof *p);
}

int json_parse(json_parser *p, mem *m, const char *text, size_t len, twin_value *out,
               json_error *err)
{
    reader r;
    r.p = p;
    r.m = m;
    r.s = text;
    r.n = len;
    r.i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    r.err = err;
    err->too_deep = 0;
    p->nvals = p->nmems = 0;
    if (read_value(&r, out, 0) != 0) return -1;
    skip_ws(&r);
    if (r.i < r.n) return fail(&r, r.i, "text after the end of the JSON value");
    return 0;
}

void json_line_col(const char *text, size_t offset, unsigned *line, unsigned *col)
{
    size_t k, bol = 0;
    unsigned l = 1;
    for (k = 0; k < offset; k++)
        if (text[k] == '\n') {
            l++;
            bol = k + 1;
        }
    *line = l;
    *col = (unsigned)(offset - bol + 1);
}

const twin_value *json_get(const twin_value *v, const char *name)
{
    uint32_t k;
    if (!v || v->type != TWIN_VALUE_OBJECT) return NULL;
    for (k = 0; k < v->len; k++)
        if (strcmp(v->as.members[k].name, name) == 0) return &v->as.members[k].value;
    return NULL;
}
