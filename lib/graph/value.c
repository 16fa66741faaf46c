/* Property sets: validated, deep-copied trees of twin_value in one
 * allocation each, except for the top-level names, which are references to
 * the graph's shared name table (g->pnames). A change builds a new set, so a
 * failure leaves the old one untouched. */
#include "graph/graph_int.h"

#include "core/alloc.h"
#include "util/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct measure {
    twin_graph *g;
    const char *prop;  /* top-level property name, for messages */
    size_t structs;    /* bytes of nested twin_value / twin_member arrays */
    size_t strs;       /* bytes of strings including NULs */
} measure;

static twin_status add_size(measure *m, size_t *acc, size_t n)
{
    if (n > SIZE_MAX / 4 - *acc)
        return twin__fail(m->g, TWIN_E_RANGE, "property '%.64s': value too large", m->prop);
    *acc += n;
    return TWIN_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Check member names: present, non-empty UTF-8 within TWIN_ID_MAX, unique. */
static twin_status check_names(measure *m, const twin_member *mem, size_t n, int top)
{
    const twin_allocator *a = &m->g->alloc;
    const char **sorted;
    twin_status s = TWIN_OK;

    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *what = top ? "property name" : "member name";
        if (top) m->prop = mem[i].name ? mem[i].name : "(null)";
        if ((s = twin__check_str(m->g, what, mem[i].name, TWIN_ID_MAX, &len)) != TWIN_OK)
            return s;
        if (!top && (s = add_size(m, &m->strs, len + 1)) != TWIN_OK) return s;
    }
    if (n <= 16) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(mem[i].name, mem[j].name) == 0)
                    return twin__fail(m->g, TWIN_E_INVAL, "duplicate %s '%.64s'",
                                      top ? "property" : "member", mem[i].name);
        return TWIN_OK;
    }
    if (n > SIZE_MAX / sizeof *sorted) return twin__fail(m->g, TWIN_E_RANGE, "too many members");
    sorted = twin__alloc(a, n * sizeof *sorted);
    if (!sorted) return twin__fail(m->g, TWIN_E_NOMEM, "out of memory checking names");
    for (size_t i = 0; i < n; i++) sorted[i] = mem[i].name;
    qsort(sorted, n, sizeof *sorted, cmp_str);
    for (size_t i = 1; i < n && s == TWIN_OK; i++)
        if (strcmp(sorted[i], sorted[i - 1]) == 0)
            s = twin__fail(m->g, TWIN_E_INVAL, "duplicate %s '%.64s'",
                           top ? "property" : "member", sorted[i]);
    twin__free(a, sorted, n * sizeof *sorted);
    return s;
}

static twin_status measure_value(measure *m, const twin_value *v, unsigned depth)
{
    twin_status s;
    switch (v->type) {
    case TWIN_VALUE_NULL:
    case TWIN_VALUE_INT:
        return TWIN_OK;
    case TWIN_VALUE_BOOL:
        if (v->as.b != 0 && v->as.b != 1)
            return twin__fail(m->g, TWIN_E_INVAL, "property '%.64s': bool is neither 0 nor 1",
                              m->prop);
        return TWIN_OK;
    case TWIN_VALUE_DOUBLE:
        if (!isfinite(v->as.d))
            return twin__fail(m->g, TWIN_E_INVAL, "property '%.64s': double is not finite", m->prop);
        return TWIN_OK;
    case TWIN_VALUE_STRING:
        if (v->len && !v->as.s)
            return twin__fail(m->g, TWIN_E_INVAL, "property '%.64s': string is NULL", m->prop);
        if (v->len && twin__utf8_check(v->as.s, v->len) != v->len)
            return twin__fail(m->g, TWIN_E_INVAL,
                              "property '%.64s': string is not valid UTF-8 (or holds NUL) at byte %lu",
                              m->prop, (unsigned long)twin__utf8_check(v->as.s, v->len));
        return add_size(m, &m->strs, (size_t)v->len + 1);
    case TWIN_VALUE_ARRAY:
    case TWIN_VALUE_OBJECT:
        break;
    default:
        return twin__fail(m->g, TWIN_E_INVAL, "property '%.64s': unknown value type %d",
                          m->prop, (int)v->type);
    }
    if (depth + 1 > TWIN_VALUE_DEPTH_MAX)
        return twin__fail(m->g, TWIN_E_RANGE, "property '%.64s': nesting deeper than %d",
                          m->prop, TWIN_VALUE_DEPTH_MAX);
    if (v->len && !v->as.items)
        return twin__fail(m->g, TWIN_E_INVAL, "property '%.64s': %s pointer is NULL", m->prop,
                          v->type == TWIN_VALUE_ARRAY ? "items" : "members");
    if (v->type == TWIN_VALUE_ARRAY) {
        if ((s = add_size(m, &m->structs, (size_t)v->len * sizeof(twin_value))) != TWIN_OK)
            return s;
        for (uint32_t i = 0; i < v->len; i++)
            if ((s = measure_value(m, &v->as.items[i], depth + 1)) != TWIN_OK) return s;
        return TWIN_OK;
    }
    if ((s = add_size(m, &m->structs, (size_t)v->len * sizeof(twin_member))) != TWIN_OK ||
        (s = check_names(m, v->as.members, v->len, 0)) != TWIN_OK)
        return s;
    for (uint32_t i = 0; i < v->len; i++)
        if ((s = measure_value(m, &v->as.members[i].value, depth + 1)) != TWIN_OK) return s;
    return TWIN_OK;
}

typedef struct writer {
    unsigned char *structs;
    char *strs;
} writer;

static const char *copy_str(writer *w, const char *s, size_t n)
{
    char *d = w->strs;
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    w->strs += n + 1;
    return d;
}

static void copy_value(writer *w, twin_value *dst, const twin_value *src)
{
    *dst = *src;
    switch (src->type) {
    case TWIN_VALUE_STRING:
        dst->as.s = copy_str(w, src->as.s, src->len);
        break;
    case TWIN_VALUE_ARRAY: {
        twin_value *items = (twin_value *)(void *)w->structs;
        w->structs += (size_t)src->len * sizeof *items;
        for (uint32_t i = 0; i < src->len; i++) copy_value(w, &items[i], &src->as.items[i]);
        dst->as.items = src->len ? items : NULL;
        break;
    }
    case TWIN_VALUE_OBJECT: {
        twin_member *mem = (twin_member *)(void *)w->structs;
        w->structs += (size_t)src->len * sizeof *mem;
        for (uint32_t i = 0; i < src->len; i++) {
            const twin_member *sm = &src->as.members[i];
            mem[i].name = copy_str(w, sm->name, strlen(sm->name));
            copy_value(w, &mem[i].value, &sm->value);
        }
        dst->as.members = src->len ? mem : NULL;
        break;
    }
    default:
        break;
    }
}

/* Take a reference to each top-level name of list into p->m[].name: the
 * first `shared` names already are strings of the graph's name table (they
 * come from a set of this graph), the others are looked up or added. All or
 * nothing. */
static twin_status take_names(twin_graph *g, twin__props *p, const twin_member *list,
                              size_t n, size_t shared)
{
    twin_status s = TWIN_OK;
    size_t i, bad;
    if (n > shared && !g->pnames) {
        g->pnames = twin__alloc(&g->alloc, sizeof *g->pnames);
        if (!g->pnames) return twin__fail(g, TWIN_E_NOMEM, "out of memory copying properties");
        twin__strtab_init(g->pnames, g->seed ^ 3);
    }
    for (i = 0; i < n; i++) {
        const char *name = list[i].name;
        if (i < shared)
            s = twin__strtab_ref(name);
        else
            s = twin__strtab_acquire_hint(g->pnames, &g->alloc, name, i, &name);
        if (s != TWIN_OK) break;
        p->m[i].name = name;
    }
    if (i == n) return TWIN_OK;
    bad = i;
    while (i-- > 0) twin__strtab_release(g->pnames, &g->alloc, p->m[i].name);
    if (s == TWIN_E_NOMEM) return twin__fail(g, s, "out of memory copying properties");
    return twin__fail(g, s, "property '%.64s': cannot store its name (too many names or uses)",
                      list[bad].name);
}

/* Lay out the shallow member list `list` into one new allocation; its first
 * `shared` names are strings of the graph's name table (see take_names). */
static twin_status build(twin_graph *g, const twin_member *list, size_t n, size_t shared,
                         twin__props **out)
{
    measure m;
    size_t head, bytes;
    twin__props *p;
    writer w;
    twin_status s;

    *out = NULL;
    memset(&m, 0, sizeof m);
    m.g = g;
    m.prop = "";
    if ((s = check_names(&m, list, n, 1)) != TWIN_OK) return s;
    for (size_t i = 0; i < n; i++) {
        m.prop = list[i].name;
        if ((s = measure_value(&m, &list[i].value, 0)) != TWIN_OK) return s;
    }
    if (n == 0) return TWIN_OK;
    if (n > UINT32_MAX || n > (SIZE_MAX / 4) / sizeof(twin_member))
        return twin__fail(g, TWIN_E_RANGE, "too many properties");
    head = offsetof(twin__props, m) + n * sizeof(twin_member);
    if ((s = add_size(&m, &m.structs, head)) != TWIN_OK ||
        (s = add_size(&m, &m.structs, m.strs)) != TWIN_OK)
        return s;
    bytes = m.structs;
    p = twin__alloc(&g->alloc, bytes);
    if (!p) return twin__fail(g, TWIN_E_NOMEM, "out of memory copying properties");
    p->bytes = bytes;
    p->count = (uint32_t)n;
    p->reserved = 0;
    if ((s = take_names(g, p, list, n, shared)) != TWIN_OK) {
        twin__free(&g->alloc, p, bytes);
        return s;
    }
    w.structs = (unsigned char *)p + head;
    w.strs = (char *)p + (bytes - m.strs);
    for (size_t i = 0; i < n; i++) copy_value(&w, &p->m[i].value, &list[i].value);
    *out = p;
    return TWIN_OK;
}

const twin_member *twin__props_find(const twin__props *p, const char *name)
{
    if (!p) return NULL;
    for (uint32_t i = 0; i < p->count; i++)
        if (strcmp(p->m[i].name, name) == 0) return &p->m[i];
    return NULL;
}

twin_status twin__props_build(twin_graph *g, const twin__props *base, const twin_member *m,
                              size_t n, const twin__change *chg, twin__props **out)
{
    const twin_allocator *a = &g->alloc;
    size_t nb = base ? base->count : 0, nn, k = 0;
    const twin_member *hit;
    twin_member *list;
    twin_status s;

    *out = NULL;
    if (!chg || !chg->name) {
        if (n && !m) return twin__fail(g, TWIN_E_INVAL, "properties pointer is NULL");
        return build(g, m, n, 0, out);
    }
    hit = twin__props_find(base, chg->name);
    if (!chg->value && !hit)
        return twin__fail(g, TWIN_E_NOTFOUND, "no property '%.64s'", chg->name);
    nn = hit ? (chg->value ? nb : nb - 1) : nb + 1;
    if (nn == 0) return TWIN_OK;
    list = twin__alloc(a, nn * sizeof *list);
    if (!list) return twin__fail(g, TWIN_E_NOMEM, "out of memory changing properties");
    /* The base's names are the table's: a replaced member keeps its name;
     * only an added one (last) is looked up. */
    for (size_t i = 0; i < nb; i++) {
        if (&base->m[i] == hit) {
            if (!chg->value) continue;
            list[k].name = hit->name;
            list[k++].value = *chg->value;
        } else {
            list[k++] = base->m[i];
        }
    }
    if (!hit) {
        list[k].name = chg->name;
        list[k++].value = *chg->value;
    }
    s = build(g, list, k, hit ? k : k - 1, out);
    twin__free(a, list, nn * sizeof *list);
    return s;
}

void twin__props_free(twin_graph *g, twin__props *p)
{
    if (!p) return;
    for (uint32_t i = 0; i < p->count; i++)
        twin__strtab_release(g->pnames, &g->alloc, p->m[i].name);
    twin__free(&g->alloc, p, p->bytes);
}
