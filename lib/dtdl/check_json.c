/* JSON text against schemas: a view of the JSON reader's tree for the
 * checker of check.c, and twin_dtdl_check_json(). Host only. */
#include "dtdl/check_int.h"
#include "dtdl/jsonread.h"

#include <math.h>
#include <string.h>

/* The view of a twin__json value. */
static int js_type(const void *p)
{
    const twin__json *j = p;
    if (twin__json_is_bool(j)) return TWIN_VALUE_BOOL;
    if (twin__json_is_number(j)) {
        double d = j->u.num;
        return d == floor(d) && fabs(d) <= 9007199254740992.0 ? TWIN_VALUE_INT : TWIN_VALUE_DOUBLE;
    }
    if (twin__json_is_string(j)) return TWIN_VALUE_STRING;
    if (twin__json_is_array(j)) return TWIN_VALUE_ARRAY;
    if (twin__json_is_object(j)) return TWIN_VALUE_OBJECT;
    return TWIN_VALUE_NULL;
}
static int64_t js_i(const void *p) { return (int64_t)((const twin__json *)p)->u.num; }
static double js_d(const void *p) { return ((const twin__json *)p)->u.num; }
static const char *js_s(const void *p, size_t *len)
{
    const twin__json *j = p;
    *len = j->n;
    return j->u.str;
}
static size_t js_count(const void *p) { return twin__json_count(p); }
static const twin__json *js_at(const void *p, size_t k)
{
    const twin__json *it = ((const twin__json *)p)->child;
    while (k--) it = it->next;
    return it;
}
static view js_view(const twin__json *j);
static view js_item(const void *p, size_t k) { return js_view(js_at(p, k)); }
static const char *js_key(const void *p, size_t k) { return js_at(p, k)->key; }
static view js_view(const twin__json *j)
{
    view w;
    w.p = j;
    w.type = js_type;
    w.i = js_i;
    w.d = js_d;
    w.s = js_s;
    w.count = js_count;
    w.item = js_item;
    w.key = js_key;
    return w;
}

/* Compare the decimal digits d[0..n) (no sign, no leading zeros) with the
 * limit text lim: <0, 0, >0. */
static int cmp_digits(const char *d, size_t n, const char *lim)
{
    size_t ln = strlen(lim);
    if (n != ln) return n < ln ? -1 : 1;
    return memcmp(d, lim, n);
}

/* The tree keeps no number text: 1.0 reads as the integer 1 and -0 as 0.
 * For a number at the top of the text, look at how it was written: a
 * fraction or exponent is not an integer, and -0 is not unsigned. */
static int raw_number_ok(const twin_dtdl_elem *s, const char *t, size_t n, char *msg, size_t cap)
{
    size_t i = 0, k;
    int frac = 0, neg = 0, nonzero = 0;
    if (s && s->kind == TWIN_DTDL_ENUM) s = s->link[0];  /* its valueSchema */
    if (!s || s->kind != TWIN_DTDL_PRIMITIVE) return 1;
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) i++;
    if (i == n || !(t[i] == '-' || (t[i] >= '0' && t[i] <= '9'))) return 1;
    neg = t[i] == '-';
    for (k = i; k < n; k++) {
        if (t[k] == '.' || t[k] == 'e' || t[k] == 'E') frac = 1;
        if (t[k] >= '1' && t[k] <= '9' && !frac) nonzero = 1;
    }
    if (!frac && (s->prim == TWIN_DTDL_LONG || s->prim == TWIN_DTDL_UNSIGNED_LONG)) {
        /* exact 64-bit bounds, on the digits */
        size_t a = i + (size_t)neg, b = a;
        while (b < n && t[b] >= '0' && t[b] <= '9') b++;
        while (a + 1 < b && t[a] == '0') a++;
        if (s->prim == TWIN_DTDL_LONG &&
            cmp_digits(t + a, b - a, neg ? "9223372036854775808" : "9223372036854775807") > 0)
            return twin__check_fail(msg, cap, "outside the range of a 64-bit integer");
        if (s->prim == TWIN_DTDL_UNSIGNED_LONG && !neg &&
            cmp_digits(t + a, b - a, "18446744073709551615") > 0)
            return twin__check_fail(msg, cap, "outside the range of an unsigned 64-bit integer");
    }
    switch (s->prim) {
    case TWIN_DTDL_INTEGER: case TWIN_DTDL_LONG: case TWIN_DTDL_BYTE: case TWIN_DTDL_SHORT:
        if (frac) return twin__check_fail(msg, cap, "expected an integer, not a number with a fraction");
        return 1;
    case TWIN_DTDL_UNSIGNED_BYTE: case TWIN_DTDL_UNSIGNED_SHORT: case TWIN_DTDL_UNSIGNED_INTEGER:
    case TWIN_DTDL_UNSIGNED_LONG:
        if (frac) return twin__check_fail(msg, cap, "expected an integer, not a number with a fraction");
        if (neg && !nonzero) return twin__check_fail(msg, cap, "expected a non-negative integer, not -0");
        return 1;
    }
    return 1;
}

int twin__dtdl_conforms(const twin_dtdl_elem *schema, const twin__json *v)
{
    view w = js_view(v);
    char msg[8];
    return twin__check(schema, &w, msg, sizeof msg, 0);
}

twin_status twin_dtdl_check_json(const twin_dtdl_elem *schema, const char *json, size_t len,
                                 char *msg, size_t cap)
{
    const twin_allocator *a = twin_allocator_default();
    twin__region tree;
    const twin__json *j;
    view w;
    int ok;
    if (msg && cap) msg[0] = '\0';
    if (!json || !twin__is_schema(schema)) return TWIN_E_INVAL;
    /* An element knows no allocator: the scratch tree comes from the C
     * library's, as documented. */
    twin__region_init(&tree, twin__json_block_size(len));
    {
        int deep;
        size_t bad;
        twin_status st = twin__json_read(json, len, &tree, a, &j, &bad, &deep);
        if (st != TWIN_OK) twin__region_fini(&tree, a);
        if (st == TWIN_E_NOMEM) {
            twin__check_fail(msg, cap, "out of memory");
            return TWIN_E_NOMEM;
        }
        if (st != TWIN_OK) {
            twin__check_fail(msg, cap, deep ? "JSON nested too deeply" : "not JSON (byte %lu)", (unsigned long)bad);
            return TWIN_E_PARSE;
        }
    }
    w = js_view(j);
    ok = twin__check(schema, &w, msg, cap, 0) && raw_number_ok(schema, json, len, msg, cap);
    twin__region_fini(&tree, a);
    return ok ? TWIN_OK : TWIN_E_CONSTRAINT;
}

