/* libtwin-sqlite: properties as a compact binary blob.
 *
 * value  = type (1 byte) payload
 *   NULL: nothing; BOOL: 1 byte; INT: 8 bytes; DOUBLE: 8 bytes (IEEE-754);
 *   STRING: u32 length, bytes; ARRAY: u32 count, values;
 *   OBJECT: u32 count, (u32 name length, name bytes, value) each.
 * blob   = u32 count, (u32 name length, name, value) each.
 * Integers little-endian. Decoding builds the member tree in one block,
 * strings NUL-terminated.
 *
 * Decoding trusts nothing of the blob (twin/sqlite.h, Limits): every count
 * and length is checked against the bytes left (an item takes a byte at
 * least, a member five), values nest at most TWIN_VALUE_DEPTH_MAX deep,
 * and the tree is built only after a first pass has read the whole blob,
 * in one block of the size that pass measured. */
#include "sqlite_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const void *x, size_t n)
{
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        unsigned char *q;
        while (cap < b->n + n) cap *= 2;
        if (!(q = realloc(b->p, cap))) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, x, n);
    b->n += n;
}

static void put_u32(buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, x, 4);
}

static void put_u64(buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_str(buf *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

static void put_members(buf *b, const twin_member *m, size_t n);

static void put_value(buf *b, const twin_value *v)
{
    unsigned char t = (unsigned char)v->type, x;
    uint64_t u;
    uint32_t k;
    put(b, &t, 1);
    switch (v->type) {
    case TWIN_VALUE_BOOL: x = v->as.b ? 1 : 0; put(b, &x, 1); break;
    case TWIN_VALUE_INT: put_u64(b, (uint64_t)v->as.i); break;
    case TWIN_VALUE_DOUBLE: memcpy(&u, &v->as.d, 8); put_u64(b, u); break;
    case TWIN_VALUE_STRING: put_str(b, v->as.s, v->len); break;
    case TWIN_VALUE_ARRAY:
        put_u32(b, v->len);
        for (k = 0; k < v->len; k++) put_value(b, &v->as.items[k]);
        break;
    case TWIN_VALUE_OBJECT: put_members(b, v->as.members, v->len); break;
    default: break;
    }
}

static void put_members(buf *b, const twin_member *m, size_t n)
{
    size_t k;
    put_u32(b, (uint32_t)n);
    for (k = 0; k < n; k++) {
        put_str(b, m[k].name, strlen(m[k].name));
        put_value(b, &m[k].value);
    }
}

int tsq_props_encode(const twin_member *m, size_t n, unsigned char **out, size_t *len)
{
    buf b = {NULL, 0, 0, 0};
    put_members(&b, m, n);
    if (b.oom) {
        free(b.p);
        return -1;
    }
    *out = b.p;
    *len = b.n;
    if (!b.p && !(*out = malloc(1))) return -1;
    return 0;
}

/* ---- decoding: a sizing pass, then a building pass ----------------------- */

typedef struct rd {
    const unsigned char *p, *end;
    int bad;
    int deep;            /* containers nested past TWIN_VALUE_DEPTH_MAX */
    /* building */
    unsigned char *out;  /* NULL while sizing */
    size_t used;
} rd;

static int get(rd *r, void *x, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        memset(x, 0, n);
        return -1;
    }
    memcpy(x, r->p, n);
    r->p += n;
    return 0;
}

static uint32_t get_u32(rd *r)
{
    unsigned char x[4];
    get(r, x, 4);
    return (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
}

static uint64_t get_u64(rd *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

/* Room for n bytes (aligned) in the block; NULL while sizing. */
static void *take(rd *r, size_t n)
{
    size_t at = (r->used + 7) & ~(size_t)7;
    r->used = at + n;
    return r->out ? r->out + at : NULL;
}

static const char *get_str(rd *r, uint32_t *len)
{
    uint32_t n = get_u32(r);
    char *s;
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return "";
    }
    s = take(r, (size_t)n + 1);
    if (s) {
        memcpy(s, r->p, n);
        s[n] = '\0';
    }
    r->p += n;
    if (len) *len = n;
    return s ? s : "";
}

static void get_members(rd *r, twin_member **out, size_t *n, int depth);

/* A value inside `depth` arrays and objects (a property's value: 0). An
   array or object nests one deeper: past TWIN_VALUE_DEPTH_MAX, as the
   graph would refuse it, the blob is refused (r->deep) before the
   recursion goes further. */
static void get_value(rd *r, twin_value *v, int depth)
{
    unsigned char t = 0, x;
    uint64_t u;
    uint32_t k, n;
    get(r, &t, 1);
    memset(v, 0, sizeof *v);
    v->type = t;
    if ((t == TWIN_VALUE_ARRAY || t == TWIN_VALUE_OBJECT) && depth >= TWIN_VALUE_DEPTH_MAX)
        r->bad = r->deep = 1;
    if (r->bad) return;
    switch (t) {
    case TWIN_VALUE_NULL: break;
    case TWIN_VALUE_BOOL: get(r, &x, 1); v->as.b = x != 0; break;
    case TWIN_VALUE_INT: v->as.i = (int64_t)get_u64(r); break;
    case TWIN_VALUE_DOUBLE: u = get_u64(r); memcpy(&v->as.d, &u, 8); break;
    case TWIN_VALUE_STRING: v->as.s = get_str(r, &v->len); break;
    case TWIN_VALUE_ARRAY: {
        twin_value *items;
        n = get_u32(r);
        if (r->bad || n > (size_t)(r->end - r->p)) {  /* each item takes a byte */
            r->bad = 1;
            return;
        }
        items = take(r, (size_t)n * sizeof *items);
        for (k = 0; k < n && !r->bad; k++) {
            twin_value tmp;
            get_value(r, items ? &items[k] : &tmp, depth + 1);
        }
        v->len = n;
        v->as.items = items;
        break;
    }
    case TWIN_VALUE_OBJECT: {
        twin_member *m;
        size_t cnt;
        get_members(r, &m, &cnt, depth + 1);
        v->len = (uint32_t)cnt;
        v->as.members = m;
        break;
    }
    default: r->bad = 1;
    }
}

static void get_members(rd *r, twin_member **out, size_t *n, int depth)
{
    uint32_t cnt = get_u32(r), k;
    twin_member *m;
    *out = NULL;
    *n = 0;
    if (r->bad || cnt > (size_t)(r->end - r->p) / 5) {  /* each takes 5 bytes at least */
        r->bad = 1;
        return;
    }
    m = take(r, (size_t)cnt * sizeof *m);
    for (k = 0; k < cnt && !r->bad; k++) {
        twin_member tmp;
        twin_member *x = m ? &m[k] : &tmp;
        x->name = get_str(r, NULL);
        get_value(r, &x->value, depth);
    }
    *out = m;
    *n = cnt;
}

int tsq_props_decode(const unsigned char *b, size_t len, twin_member **out, size_t *n,
                     void **block)
{
    rd r;
    size_t size;
    *block = NULL;
    *out = NULL;
    *n = 0;
    /* NULL column or an empty blob (sqlite3_column_blob() gives NULL for
       both): no properties; NULL with bytes is SQLite out of memory */
    if (len == 0) return 0;
    if (!b) return -2;
    memset(&r, 0, sizeof r);
    r.p = b;
    r.end = b + len;
    get_members(&r, out, n, 0);
    if (r.deep) return -3;
    if (r.bad || r.p != r.end) return -1;
    size = r.used ? r.used : 1;
    if (!(r.out = malloc(size))) return -2;
    r.p = b;
    r.used = 0;
    get_members(&r, out, n, 0);
    *block = r.out;
    return 0;
}
