/* Line and column of a JSON pointer's value: one pass over the text,
 * made only when a diagnostic needs it (cJSON keeps no positions). */
#include "dtdl/dtdl_int.h"

#include <string.h>

typedef struct scan {
    const char *s;
    size_t n, i;
} scan;

static void ws(scan *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' ||
                           c->s[c->i] == '\n' || c->s[c->i] == '\r'))
        c->i++;
}

static int skip_string(scan *c)
{
    c->i++;  /* opening quote */
    while (c->i < c->n) {
        char ch = c->s[c->i++];
        if (ch == '\\') c->i++;
        else if (ch == '"') return 1;
    }
    return 0;
}

static int skip_value(scan *c)
{
    int depth = 0;
    ws(c);
    do {
        if (c->i >= c->n) return 0;
        switch (c->s[c->i]) {
        case '"':
            if (!skip_string(c)) return 0;
            break;
        case '{': case '[':
            depth++;
            c->i++;
            break;
        case '}': case ']':
            depth--;
            c->i++;
            break;
        default:
            if (depth == 0) {
                while (c->i < c->n && !strchr(",}] \t\r\n", c->s[c->i])) c->i++;
                return 1;
            }
            c->i++;
        }
    } while (depth > 0);
    return 1;
}

/* Does the JSON string at c->i (a key) equal the pointer token t[0..tn)
 * once both are unescaped? Only simple escapes are decoded; keys with
 * \u escapes compare raw, which is good enough for positions. */
static int key_eq(scan *c, const char *t, size_t tn)
{
    size_t i = c->i + 1, k = 0;
    while (i < c->n && c->s[i] != '"') {
        char ch = c->s[i++], want;
        if (ch == '\\' && i < c->n) {
            ch = c->s[i++];
            if (ch == 'n') ch = '\n';
            else if (ch == 't') ch = '\t';
        }
        if (k >= tn) return 0;
        want = t[k++];
        if (want == '~' && k < tn) want = t[k++] == '1' ? '/' : '~';
        if (ch != want) return 0;
    }
    return k == tn;
}

static int descend(scan *c, const char *t, size_t tn)
{
    ws(c);
    if (c->i >= c->n) return 0;
    if (c->s[c->i] == '{') {
        c->i++;
        for (;;) {
            int hit;
            ws(c);
            if (c->i >= c->n || c->s[c->i] != '"') return 0;
            hit = key_eq(c, t, tn);
            if (!skip_string(c)) return 0;
            ws(c);
            if (c->i >= c->n || c->s[c->i] != ':') return 0;
            c->i++;
            ws(c);
            if (hit) return 1;
            if (!skip_value(c)) return 0;
            ws(c);
            if (c->i >= c->n || c->s[c->i] != ',') return 0;
            c->i++;
        }
    }
    if (c->s[c->i] == '[') {
        size_t want = 0, k;
        for (k = 0; k < tn; k++) {
            if (t[k] < '0' || t[k] > '9' || want > 100000000) return 0;
            want = want * 10 + (size_t)(t[k] - '0');
        }
        c->i++;
        for (k = 0;; k++) {
            ws(c);
            if (k == want) return c->i < c->n && c->s[c->i] != ']';
            if (!skip_value(c)) return 0;
            ws(c);
            if (c->i >= c->n || c->s[c->i] != ',') return 0;
            c->i++;
        }
    }
    return 0;
}

void twin__json_pos(const char *text, size_t len, uint32_t doc, int doc_is_array,
                    const char *ptr, uint32_t *line, uint32_t *col)
{
    scan c;
    size_t k;
    uint32_t ln = 1;
    size_t bol = 0;
    *line = *col = 0;
    c.s = text;
    c.n = len;
    c.i = (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    if (doc_is_array) {
        char buf[16];
        int bn = 0;
        uint32_t d = doc;
        do { buf[15 - bn++] = (char)('0' + d % 10); d /= 10; } while (d && bn < 15);
        if (!descend(&c, buf + 16 - bn, (size_t)bn)) return;
    }
    while (*ptr == '/') {
        const char *t = ++ptr;
        while (*ptr && *ptr != '/') ptr++;
        if (!descend(&c, t, (size_t)(ptr - t))) return;
    }
    ws(&c);
    for (k = 0; k < c.i && k < len; k++)
        if (text[k] == '\n') {
            ln++;
            bol = k + 1;
        }
    *line = ln;
    *col = (uint32_t)(c.i - bol + 1);
}
