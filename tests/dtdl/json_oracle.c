/* Oracles of the JSON reader (test_dtdl_jsonread.c, the fuzzer): the
 * strict JSON checker the library used before jsonread.c (from
 * lib/dtdl/jsonpos.c, unchanged but for its name), for acceptance, bad_at
 * and too_deep; and a comparison of the reader's tree with cJSON's. */
#include "dtdl/json_oracle.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- tree comparison ---- */

int oracle_same_double(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

static int same_str(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* The children of c number c->n (for an array or object). */
int oracle_counted(const twin__json *c)
{
    const twin__json *k;
    uint32_t n = 0;
    if (c->type != TWIN__JSON_ARRAY && c->type != TWIN__JSON_OBJECT) return c->child == NULL;
    for (k = c->child; k; k = k->next) n++;
    return n == c->n;
}

/* The cJSON type of a reader's node. */
static int cjson_type(const twin__json *a)
{
    switch (a->type) {
    case TWIN__JSON_NULL: return cJSON_NULL;
    case TWIN__JSON_FALSE: return cJSON_False;
    case TWIN__JSON_TRUE: return cJSON_True;
    case TWIN__JSON_NUMBER: return cJSON_Number;
    case TWIN__JSON_STRING: return cJSON_String;
    case TWIN__JSON_ARRAY: return cJSON_Array;
    case TWIN__JSON_OBJECT: return cJSON_Object;
    }
    return -1;
}

/* 1 when the reader's tree a holds what cJSON's tree b does; else 0 with
 * a reason in why. */
int oracle_same_tree(const twin__json *a, const cJSON *b, char *why, size_t cap)
{
    const twin__json *x;
    const cJSON *y;
    if (cjson_type(a) != b->type) {
        snprintf(why, cap, "type %d vs %d (key %s)", a->type, b->type, a->key ? a->key : "-");
        return 0;
    }
    if (!same_str(a->key, b->string) || (a->key && a->keylen != strlen(a->key))) {
        snprintf(why, cap, "key \"%s\" vs \"%s\"", a->key ? a->key : "(null)",
                 b->string ? b->string : "(null)");
        return 0;
    }
    if (a->type == TWIN__JSON_STRING &&
        (!same_str(a->u.str, b->valuestring) || a->n != strlen(a->u.str))) {
        snprintf(why, cap, "string \"%s\" vs \"%s\"", a->u.str ? a->u.str : "(null)",
                 b->valuestring ? b->valuestring : "(null)");
        return 0;
    }
    if (a->type == TWIN__JSON_NUMBER && !oracle_same_double(a->u.num, b->valuedouble)) {
        snprintf(why, cap, "number %.17g vs %.17g", a->u.num, b->valuedouble);
        return 0;
    }
    if (!oracle_counted(a)) {
        snprintf(why, cap, "children miscounted");
        return 0;
    }
    for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
        if (!oracle_same_tree(x, y, why, cap)) return 0;
    if (x || y) {
        snprintf(why, cap, "%s children", x ? "more" : "fewer");
        return 0;
    }
    return 1;
}

/* ---- the old strict checker ---- */

/* ---- strict syntax check (RFC 8259) ----
 * cJSON accepts a few things JSON does not (leading zeros, "1.", raw
 * control characters in strings) and returns NULL both for bad text and
 * for a failed allocation; this pass tells the two apart and finds the
 * first bad byte. Nesting deeper than ORACLE_JSON_MAX_DEPTH is refused. */

typedef struct chk {
    const unsigned char *s;
    size_t n, i;
} chk;

static void cws(chk *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
                           c->s[c->i] == '\r'))
        c->i++;
}

static int hex(int ch)
{
    return (ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'f');
}

static int cstring(chk *c)
{
    c->i++;
    while (c->i < c->n) {
        unsigned ch = c->s[c->i];
        if (ch == '"') {
            c->i++;
            return 1;
        }
        if (ch < 0x20) return 0;
        if (ch == '\\') {
            if (++c->i >= c->n) return 0;
            ch = c->s[c->i];
            if (ch == 'u') {
                int k;
                for (k = 1; k <= 4; k++)
                    if (c->i + (size_t)k >= c->n || !hex(c->s[c->i + (size_t)k])) return 0;
                c->i += 4;
            } else if (!strchr("\"\\/bfnrt", (int)ch) || ch == 0) {
                return 0;
            }
        }
        c->i++;
    }
    return 0;
}

static int digit(const chk *c) { return c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9'; }

static int cnumber(chk *c)
{
    if (c->i < c->n && c->s[c->i] == '-') c->i++;
    if (!digit(c)) return 0;
    if (c->s[c->i] == '0') c->i++;
    else
        while (digit(c)) c->i++;
    if (c->i < c->n && c->s[c->i] == '.') {
        c->i++;
        if (!digit(c)) return 0;
        while (digit(c)) c->i++;
    }
    if (c->i < c->n && (c->s[c->i] | 32) == 'e') {
        c->i++;
        if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-')) c->i++;
        if (!digit(c)) return 0;
        while (digit(c)) c->i++;
    }
    return 1;
}

static int cword(chk *c, const char *w)
{
    size_t k = strlen(w);
    if (c->n - c->i < k || memcmp(c->s + c->i, w, k) != 0) return 0;
    c->i += k;
    return 1;
}

/* Iterative, with an explicit stack of open brackets: no recursion on
 * hostile nesting. */
static int check_text(const char *text, size_t len, size_t *bad_at, int *too_deep);

int oracle_json_check(const char *text, size_t len, size_t *bad_at, int *too_deep)
{
    *bad_at = len;
    *too_deep = 0;
    return check_text(text, len, bad_at, too_deep);
}

#define BAD() \
    do { \
        *bad_at = c.i; \
        return 0; \
    } while (0)

static int check_text(const char *text, size_t len, size_t *bad_at, int *too_deep)
{
    chk c;
    char stack[ORACLE_JSON_MAX_DEPTH];
    int depth = 0;
    c.s = (const unsigned char *)text;
    c.n = len;
    c.i = 0;
    for (;;) {
        /* a value */
        cws(&c);
        if (c.i >= c.n) BAD();
        switch (c.s[c.i]) {
        case '{': case '[':
            if (depth == ORACLE_JSON_MAX_DEPTH) {
                *too_deep = 1;
                *bad_at = c.i;
                return 0;
            }
            stack[depth++] = (char)c.s[c.i];
            c.i++;
            cws(&c);
            if (c.i < c.n && c.s[c.i] == (stack[depth - 1] == '{' ? '}' : ']')) {
                c.i++;
                depth--;
                goto after_value;
            }
            if (stack[depth - 1] == '{') goto member;
            continue;
        case '"':
            if (!cstring(&c)) BAD();
            break;
        case 't': if (!cword(&c, "true")) BAD(); break;
        case 'f': if (!cword(&c, "false")) BAD(); break;
        case 'n': if (!cword(&c, "null")) BAD(); break;
        default:
            if (!cnumber(&c)) BAD();
        }
    after_value:
        cws(&c);
        if (depth == 0) {
            if (c.i == c.n) return 1;
            *bad_at = c.i;  /* something after the value */
            return 0;
        }
        if (c.i >= c.n) BAD();
        if (c.s[c.i] == ',') {
            c.i++;
            if (stack[depth - 1] == '{') goto member;
            continue;
        }
        if (c.s[c.i] == (stack[depth - 1] == '{' ? '}' : ']')) {
            c.i++;
            depth--;
            goto after_value;
        }
        BAD();
    member:
        cws(&c);
        if (c.i >= c.n || c.s[c.i] != '"' || !cstring(&c)) BAD();
        cws(&c);
        if (c.i >= c.n || c.s[c.i] != ':') BAD();
        c.i++;
    }
}

#undef BAD
