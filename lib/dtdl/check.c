/* Values against schemas, through one checker over a small view of a
 * value tree (check_int.h; twin_value here, the JSON reader's tree in check_json.c),
 * and the graph validator built on it. No JSON here: this file is in the
 * firmware core. */
#include "dtdl/check_int.h"
#include "core/format.h"
#include "core/sized.h"

#include <math.h>
#include <string.h>

/* ---- a read-only view of a value tree ---- */

/* twin_value */
static int tv_type(const void *p) { return ((const twin_value *)p)->type; }
static int64_t tv_i(const void *p) { return ((const twin_value *)p)->as.i; }
static double tv_d(const void *p)
{
    const twin_value *v = p;
    return v->type == TWIN_VALUE_INT ? (double)v->as.i : v->as.d;
}
static const char *tv_s(const void *p, size_t *len)
{
    *len = ((const twin_value *)p)->len;
    return ((const twin_value *)p)->as.s;
}
static size_t tv_count(const void *p) { return ((const twin_value *)p)->len; }
static view tv_view(const twin_value *v);
static view tv_item(const void *p, size_t k)
{
    const twin_value *v = p;
    return tv_view(v->type == TWIN_VALUE_ARRAY ? &v->as.items[k] : &v->as.members[k].value);
}
static const char *tv_key(const void *p, size_t k) { return ((const twin_value *)p)->as.members[k].name; }
static view tv_view(const twin_value *v)
{
    view w;
    w.p = v;
    w.type = tv_type;
    w.i = tv_i;
    w.d = tv_d;
    w.s = tv_s;
    w.count = tv_count;
    w.item = tv_item;
    w.key = tv_key;
    return w;
}

/* ---- the checker ---- */

int twin__check_fail(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (msg && cap) {
        va_start(ap, fmt);
        twin__vformat(msg, cap, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int digits(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* RFC 3339 pieces: full-date (a real calendar day, year 0001 to 9999),
 * partial-time with optional fraction (no leap second), offset. */
static int num2(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

static int is_date(const char *s, size_t n)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, leap;
    if (n != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return 0;
    y = num2(s) * 100 + num2(s + 2);
    m = num2(s + 5);
    d = num2(s + 8);
    if (y < 1 || m < 1 || m > 12 || d < 1) return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

static int is_time(const char *s, size_t n, int need_offset)
{
    size_t i = 8;
    if (n < 8 || !digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' ||
        !digits(s + 6, 2) || num2(s) > 23 || num2(s + 3) > 59 || num2(s + 6) > 59)
        return 0;
    if (i < n && s[i] == '.') {
        size_t j = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == j) return 0;
    }
    if (i == n) return !need_offset;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) return 1;
    return (s[i] == '+' || s[i] == '-') && n - i == 6 && digits(s + i + 1, 2) && s[i + 3] == ':' &&
           digits(s + i + 4, 2) && num2(s + i + 1) <= 23 && num2(s + i + 4) <= 59;
}

static int is_datetime(const char *s, size_t n)
{
    return n > 11 && is_date(s, 10) && (s[10] == 'T' || s[10] == 't') && is_time(s + 11, n - 11, 1);
}

/* ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.n]S]], each designator
 * at most once and in this order, digits before any fraction, a fraction
 * on the last component only, and at least one component. */
static int is_duration(const char *s, size_t n)
{
    static const char order[] = "YMWDHMS";
    size_t i = 1;
    int any = 0, t = 0, last = -1, frac = 0;
    if (n < 2 || s[0] != 'P') return 0;
    while (i < n) {
        size_t j = i;
        const char *d;
        int pos;
        if (s[i] == 'T') {
            if (t || ++i == n) return 0;
            t = 1;
            continue;
        }
        if (frac) return 0;  /* a fraction ends the duration */
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == j) return 0;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            size_t k = ++i;
            while (i < n && s[i] >= '0' && s[i] <= '9') i++;
            if (i == k) return 0;
            frac = 1;
        }
        if (i == n) return 0;
        d = strchr(t ? "HMS" : "YMWD", s[i]);
        if (!d || !s[i]) return 0;
        pos = t ? 4 + (int)(d - "HMS") : (int)(d - "YMWD");
        (void)order;
        if (pos <= last) return 0;
        if (pos == 2 && last >= 0) return 0;  /* weeks do not mix with years or months */
        last = pos;
        i++;
        any = 1;
    }
    return any;
}

static int is_uuid(const char *s, size_t n)
{
    size_t i;
    if (n != 36) return 0;
    for (i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i])) return 0;
    }
    return 1;
}

static int is_base64(const char *s, size_t n)
{
    size_t i;
    if (n % 4) return 0;
    for (i = 0; i < n; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", s[i]) &&
            !(s[i] == '=' && i >= n - 2))
            return 0;
    return 1;
}

/* ---- GeoJSON (RFC 7946) geometries ---- */

static const char *geo_type(int prim)
{
    switch (prim) {
    case TWIN_DTDL_POINT: return "Point";
    case TWIN_DTDL_MULTI_POINT: return "MultiPoint";
    case TWIN_DTDL_LINE_STRING: return "LineString";
    case TWIN_DTDL_MULTI_LINE_STRING: return "MultiLineString";
    case TWIN_DTDL_POLYGON: return "Polygon";
    }
    return "MultiPolygon";
}

/* A position: an array of 2 or 3 numbers. */
static int position(const view *v)
{
    size_t k, n;
    if (v->type(v->p) != TWIN_VALUE_ARRAY) return 0;
    n = v->count(v->p);
    if (n < 2 || n > 3) return 0;
    for (k = 0; k < n; k++) {
        view x = v->item(v->p, k);
        int t = x.type(x.p);
        if (t != TWIN_VALUE_INT && t != TWIN_VALUE_DOUBLE) return 0;
    }
    return 1;
}

/* Nested arrays of positions, `levels` deep (0: a position), with at least
 * min items at the innermost array level (2 for a line, 4 for a ring). */
static int positions(const view *v, int levels, size_t min)
{
    size_t k, n;
    if (levels == 0) return position(v);
    if (v->type(v->p) != TWIN_VALUE_ARRAY) return 0;
    n = v->count(v->p);
    if (levels == 1 && n < min) return 0;
    for (k = 0; k < n; k++) {
        view x = v->item(v->p, k);
        if (!positions(&x, levels - 1, min)) return 0;
    }
    return 1;
}

static int geojson(int prim, const view *v)
{
    size_t k, n;
    int levels = 0, has_type = 0, has_coords = 0;
    size_t min = 0;
    if (v->type(v->p) != TWIN_VALUE_OBJECT) return 0;
    switch (prim) {
    case TWIN_DTDL_POINT: levels = 0; break;
    case TWIN_DTDL_MULTI_POINT: levels = 1; break;
    case TWIN_DTDL_LINE_STRING: levels = 1; min = 2; break;
    case TWIN_DTDL_MULTI_LINE_STRING: levels = 2; min = 2; break;
    case TWIN_DTDL_POLYGON: levels = 2; min = 4; break;
    default: levels = 3; min = 4; break;
    }
    n = v->count(v->p);
    for (k = 0; k < n; k++) {
        const char *key = v->key(v->p, k);
        view x = v->item(v->p, k);
        if (strcmp(key, "type") == 0) {
            size_t l;
            const char *t;
            if (x.type(x.p) != TWIN_VALUE_STRING) return 0;
            t = x.s(x.p, &l);
            if (l != strlen(geo_type(prim)) || memcmp(t, geo_type(prim), l) != 0) return 0;
            has_type = 1;
        } else if (strcmp(key, "coordinates") == 0) {
            if (!positions(&x, levels, min)) return 0;
            has_coords = 1;
        }
    }
    return has_type && has_coords;
}

int twin__integral(double d) { return isfinite(d) && d == floor(d); }

static int in_range(const view *v, double lo, double hi)
{
    return v->type(v->p) == TWIN_VALUE_INT && (double)v->i(v->p) >= lo && (double)v->i(v->p) <= hi;
}

int twin__check(const twin_dtdl_elem *s, const view *v, char *msg, size_t cap, int depth)
{
    int t = v->type(v->p);
    const char *str;
    size_t len, k, j;
    if (!s) return 1;  /* a schema of an unmodelled vocabulary: not checked */
    if (depth > 64) return twin__check_fail(msg, cap, "value nested too deeply");
    switch (s->kind) {
    case TWIN_DTDL_PRIMITIVE:
        switch (s->prim) {
        case TWIN_DTDL_BOOLEAN:
            return t == TWIN_VALUE_BOOL || twin__check_fail(msg, cap, "expected a boolean");
        case TWIN_DTDL_INTEGER:
            return in_range(v, -2147483648.0, 2147483647.0) || twin__check_fail(msg, cap, "expected a 32-bit integer");
        case TWIN_DTDL_LONG:  /* past 2^53 the text decides (raw_number_ok) */
            return t == TWIN_VALUE_INT || (t == TWIN_VALUE_DOUBLE && twin__integral(v->d(v->p)) &&
                                           fabs(v->d(v->p)) <= 9.3e18) ||
                   twin__check_fail(msg, cap, "expected a 64-bit integer");
        case TWIN_DTDL_BYTE:
            return in_range(v, -128, 127) || twin__check_fail(msg, cap, "expected an integer in [-128, 127]");
        case TWIN_DTDL_SHORT:
            return in_range(v, -32768, 32767) || twin__check_fail(msg, cap, "expected an integer in [-32768, 32767]");
        case TWIN_DTDL_UNSIGNED_BYTE:
            return in_range(v, 0, 255) || twin__check_fail(msg, cap, "expected an integer in [0, 255]");
        case TWIN_DTDL_UNSIGNED_SHORT:
            return in_range(v, 0, 65535) || twin__check_fail(msg, cap, "expected an integer in [0, 65535]");
        case TWIN_DTDL_UNSIGNED_INTEGER:
            return in_range(v, 0, 4294967295.0) || twin__check_fail(msg, cap, "expected an integer in [0, 2^32)");
        case TWIN_DTDL_UNSIGNED_LONG:
            return in_range(v, 0, 1.8446744073709552e19) ||
                   (t == TWIN_VALUE_DOUBLE && twin__integral(v->d(v->p)) && v->d(v->p) >= 0 &&
                    v->d(v->p) <= 1.85e19) ||
                   twin__check_fail(msg, cap, "expected a non-negative integer");
        case TWIN_DTDL_DOUBLE: case TWIN_DTDL_DECIMAL:
            return ((t == TWIN_VALUE_INT || t == TWIN_VALUE_DOUBLE) && isfinite(v->d(v->p))) ||
                   twin__check_fail(msg, cap, "expected a number");
        case TWIN_DTDL_FLOAT:
            return ((t == TWIN_VALUE_INT || t == TWIN_VALUE_DOUBLE) && fabs(v->d(v->p)) <= 3.4028234663852886e38) ||
                   twin__check_fail(msg, cap, "expected a number in the range of float");
        case TWIN_DTDL_POINT: case TWIN_DTDL_MULTI_POINT: case TWIN_DTDL_LINE_STRING:
        case TWIN_DTDL_MULTI_LINE_STRING: case TWIN_DTDL_POLYGON: case TWIN_DTDL_MULTI_POLYGON:
            return geojson(s->prim, v) || twin__check_fail(msg, cap, "expected a GeoJSON %s", geo_type(s->prim));
        }
        if (t != TWIN_VALUE_STRING) return twin__check_fail(msg, cap, "expected a string");
        str = v->s(v->p, &len);
        switch (s->prim) {
        case TWIN_DTDL_DATE: return is_date(str, len) || twin__check_fail(msg, cap, "expected an RFC 3339 date");
        case TWIN_DTDL_TIME:  /* RFC 3339 full-time: the offset is part of it */
            return is_time(str, len, 1) || twin__check_fail(msg, cap, "expected an RFC 3339 time with its offset");
        case TWIN_DTDL_DATETIME:
            return is_datetime(str, len) || twin__check_fail(msg, cap, "expected an RFC 3339 date-time");
        case TWIN_DTDL_DURATION:
            return is_duration(str, len) || twin__check_fail(msg, cap, "expected an ISO 8601 duration");
        case TWIN_DTDL_UUID: return is_uuid(str, len) || twin__check_fail(msg, cap, "expected a UUID");
        case TWIN_DTDL_BYTES: return is_base64(str, len) || twin__check_fail(msg, cap, "expected base64 text");
        }
        return 1;
    case TWIN_DTDL_ENUM:
        for (k = 0; k < s->nlist[0]; k++) {
            const twin_dtdl_elem *ev = s->list[0][k];
            if (ev->flags & TWIN__EF_ENUM_STR) {
                if (t == TWIN_VALUE_STRING && (str = v->s(v->p, &len)) && strlen(ev->enum_str) == len &&
                    memcmp(str, ev->enum_str, len) == 0)
                    return 1;
            } else if (t == TWIN_VALUE_INT && v->i(v->p) == ev->enum_num) {
                return 1;
            }
        }
        return twin__check_fail(msg, cap, "not one of the values of enum '%s'", s->id ? s->id : "");
    case TWIN_DTDL_ARRAY:
        if (t != TWIN_VALUE_ARRAY) return twin__check_fail(msg, cap, "expected an array");
        for (k = 0; k < v->count(v->p); k++) {
            view it = v->item(v->p, k);
            if (!twin__check(s->link[0], &it, msg, cap, depth + 1)) return 0;
        }
        return 1;
    case TWIN_DTDL_MAP:
        if (t != TWIN_VALUE_OBJECT) return twin__check_fail(msg, cap, "expected an object (map)");
        if (!s->link[1]) return twin__check_fail(msg, cap, "map without a value schema");
        for (k = 0; k < v->count(v->p); k++) {
            view it = v->item(v->p, k);
            if (!twin__check(s->link[1]->link[0], &it, msg, cap, depth + 1)) return 0;
        }
        return 1;
    case TWIN_DTDL_OBJECT:
        if (t != TWIN_VALUE_OBJECT) return twin__check_fail(msg, cap, "expected an object");
        for (k = 0; k < v->count(v->p); k++) {
            const char *key = v->key(v->p, k);
            view it = v->item(v->p, k);
            for (j = 0; j < s->nlist[0]; j++)
                if (s->list[0][j]->name && strcmp(s->list[0][j]->name, key) == 0) break;
            if (j == s->nlist[0]) return twin__check_fail(msg, cap, "object has no field '%s'", key);
            if (!twin__check(s->list[0][j]->link[0], &it, msg, cap, depth + 1)) return 0;
        }
        return 1;
    }
    return twin__check_fail(msg, cap, "not a schema");
}

int twin__dtdl_is_duration(const char *s)
{
    return is_duration(s, strlen(s));
}

int twin__is_schema(const twin_dtdl_elem *s)
{
    return s && (s->kind == TWIN_DTDL_PRIMITIVE || s->kind == TWIN_DTDL_ARRAY ||
                 s->kind == TWIN_DTDL_ENUM || s->kind == TWIN_DTDL_MAP ||
                 s->kind == TWIN_DTDL_OBJECT);
}

twin_status twin_dtdl_check_value(const twin_dtdl_elem *schema, const twin_value *v, char *msg,
                                  size_t cap)
{
    view w;
    if (msg && cap) msg[0] = '\0';
    if (!v || !twin__is_schema(schema)) return TWIN_E_INVAL;
    w = tv_view(v);
    return twin__check(schema, &w, msg, cap, 0) ? TWIN_OK : TWIN_E_CONSTRAINT;
}

/* ---- graph validator ---- */

static const twin_dtdl_elem *iface(const twin_models *m, const char *id)
{
    const twin_dtdl_elem *e = id ? twin__models_find(m, id, strlen(id)) : NULL;
    return e && e->kind == TWIN_DTDL_INTERFACE ? e : NULL;
}

/* Properties of interface i (or a Relationship's properties when rel). */
static twin_status props_ok(const twin_dtdl_elem *owner, int rel, const twin_member *props,
                            size_t n, char *msg, size_t cap)
{
    size_t k;
    char why[200];
    if (!owner) return TWIN_OK;
    for (k = 0; k < n; k++) {
        const twin_dtdl_elem *c = NULL;
        view w;
        if (rel) {
            uint32_t j;
            for (j = 0; j < owner->nlist[0]; j++)
                if (strcmp(owner->list[0][j]->name, props[k].name) == 0) c = owner->list[0][j];
        } else {
            c = twin_dtdl_content(owner, props[k].name);
        }
        if (c && c->kind == TWIN_DTDL_COMPONENT && !rel) {
            const twin_value *v = &props[k].value;
            twin_status s;
            if (v->type != TWIN_VALUE_OBJECT) {
                twin__format(msg, cap, "component '%s' must be an object", props[k].name);
                return TWIN_E_CONSTRAINT;
            }
            s = props_ok(c->link[0], 0, v->as.members, v->len, msg, cap);
            if (s != TWIN_OK) return s;
            continue;
        }
        if (!c || c->kind != TWIN_DTDL_PROPERTY) {
            twin__format(msg, cap, "'%s' has no property '%s'", owner->id, props[k].name);
            return TWIN_E_CONSTRAINT;
        }
        w = tv_view(&props[k].value);
        if (props[k].value.type != TWIN_VALUE_NULL && !twin__check(c->link[0], &w, why, sizeof why, 0)) {
            twin__format(msg, cap, "property '%s': %s", props[k].name, why);
            return TWIN_E_CONSTRAINT;
        }
    }
    return TWIN_OK;
}

static twin_status twin_check(void *ud, int want_model, int want_props, const char *model_id,
                              const twin_member *props, size_t n, char *msg, size_t cap)
{
    const twin_dtdl_elem *i = iface(ud, model_id);
    if (!i) {
        if (!want_model) return TWIN_OK;
        twin__format(msg, cap, "model '%s' is not an Interface of the model set", model_id);
        return TWIN_E_CONSTRAINT;
    }
    return want_props ? props_ok(i, 0, props, n, msg, cap) : TWIN_OK;
}

static twin_status tw_model(void *ud, const char *t, const char *model, const twin_member *p,
                            size_t n, char *msg, size_t cap)
{
    (void)t;
    return twin_check(ud, 1, 0, model, p, n, msg, cap);
}

static twin_status tw_props(void *ud, const char *t, const char *model, const twin_member *p,
                            size_t n, char *msg, size_t cap)
{
    (void)t;
    return twin_check(ud, 0, 1, model, p, n, msg, cap);
}

static twin_status tw_all(void *ud, const char *t, const char *model, const twin_member *p,
                          size_t n, char *msg, size_t cap)
{
    (void)t;
    return twin_check(ud, 1, 1, model, p, n, msg, cap);
}

static twin_status rel_check(void *ud, const char *name, const char *src_model,
                             const char *dst_model, const twin_member *props, size_t n, char *msg,
                             size_t cap)
{
    const twin_dtdl_elem *s = iface(ud, src_model), *r;
    if (!s) return TWIN_OK;  /* unknown models are the twin check's business */
    r = twin_dtdl_content(s, name);
    if (!r || r->kind != TWIN_DTDL_RELATIONSHIP) {
        twin__format(msg, cap, "'%s' has no relationship '%s'", src_model, name);
        return TWIN_E_CONSTRAINT;
    }
    if (r->link[0] && !twin_dtdl_is_a(iface(ud, dst_model), r->link[0])) {
        twin__format(msg, cap, "relationship '%s' of '%s' must target '%s' (or an Interface extending it), not '%s'",
                 name, src_model, r->link[0]->id, dst_model);
        return TWIN_E_CONSTRAINT;
    }
    return props_ok(r, 1, props, n, msg, cap);
}

twin_status twin_models_validator(const twin_models *m, uint32_t checks, twin_graph_validator *out)
{
    twin_graph_validator v;
    twin_status s;
    if (!m || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof *out)) != TWIN_OK) return s;
    if (!m->sealed) return TWIN_E_STATE;
    if (checks & ~(uint32_t)TWIN_MODELS_CHECK_ALL) return TWIN_E_INVAL;
    memset(&v, 0, sizeof v);
    v.ud = (void *)(uintptr_t)m;
    if ((checks & TWIN_MODELS_CHECK_MODEL) && (checks & TWIN_MODELS_CHECK_PROPERTIES))
        v.check_twin = tw_all;
    else if (checks & TWIN_MODELS_CHECK_MODEL)
        v.check_twin = tw_model;
    else if (checks & TWIN_MODELS_CHECK_PROPERTIES)
        v.check_twin = tw_props;
    if (checks & TWIN_MODELS_CHECK_RELATIONSHIPS) v.check_relationship = rel_check;
    return twin__sized_out(out, &v, sizeof v);
}
