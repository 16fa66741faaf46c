/* Checks of a graph's shared property-name table; see pnames.h. */
#include "support/pnames.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

size_t pnames_count(const twin_graph *g)
{
    return g->pnames ? g->pnames->count : 0;
}

uint64_t pnames_refs(const twin_graph *g)
{
    const twin__strtab *t = g->pnames;
    uint64_t n = 0;
    if (!t || !t->idx.slot) return 0;
    for (uint32_t pos = 0; pos <= t->idx.mask; pos++) {
        const char *s;
        if (!t->idx.slot[pos].idx1) continue;
        s = (*(twin__sstr *const *)twin__segvec_at(&t->ent, twin__index_at(&t->idx, pos)))->s;
        n += twin__strtab_refs(s);
    }
    return n;
}

typedef struct refs {
    const char **p;
    size_t n, cap;
} refs;

static void add_set(refs *r, const twin__props *p)
{
    if (!p) return;
    for (uint32_t i = 0; i < p->count; i++) {
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 256;
            r->p = realloc(r->p, r->cap * sizeof *r->p);
            ck_assert_ptr_nonnull(r->p);
        }
        r->p[r->n++] = p->m[i].name;
    }
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(const char *const *)a;
    uintptr_t y = (uintptr_t)*(const char *const *)b;
    return x < y ? -1 : x > y;
}

int pnames_consistent(const twin_graph *g, char *why, size_t cap)
{
    refs r = {NULL, 0, 0};
    size_t distinct = 0;
    int ok = 1;

    for (uint32_t i = 0; i < g->twins.len; i++) {
        const twin__twin *t = twin__T(g, i);
        if (t->id != TWIN__DEAD) add_set(&r, twin__props_at(g, t->props));
    }
    for (uint32_t i = 0; i < g->rels.len; i++) {
        const twin__rel *rel = twin__R(g, i);
        if (rel->name != TWIN__DEAD) add_set(&r, twin__props_at(g, rel->props));
    }
    if (r.n && !g->pnames) {
        snprintf(why, cap, "%zu property names but no name table", r.n);
        free(r.p);
        return 0;
    }
    if (r.n) qsort(r.p, r.n, sizeof *r.p, cmp_ptr);
    for (size_t i = 0; i < r.n && ok;) {
        const char *s = r.p[i];
        size_t j = i;
        while (j < r.n && r.p[j] == s) j++;
        if (twin__strtab_find(g->pnames, s, strlen(s)) != s) {
            snprintf(why, cap, "name '%.64s' is not the table's copy", s);
            ok = 0;
        } else if (twin__strtab_refs(s) != j - i) {
            snprintf(why, cap, "name '%.64s' has %lu references, %zu sets hold it", s,
                     (unsigned long)twin__strtab_refs(s), j - i);
            ok = 0;
        }
        distinct++;
        i = j;
    }
    if (ok && distinct != pnames_count(g)) {
        snprintf(why, cap, "%zu names in the table, %zu in the sets", pnames_count(g), distinct);
        ok = 0;
    }
    free(r.p);
    return ok;
}

void pnames_assert(const twin_graph *g)
{
    char why[256];
    int ok = pnames_consistent(g, why, sizeof why);
    ck_assert_msg(ok, "property name table: %s", why);
}
