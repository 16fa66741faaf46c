#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
    fputs("twinctl: out of memory\n", stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory();
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

void xgrow(void **items, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 8;
    if (need <= *cap) return;
    while (c < need) c *= 2;
    if (c > (size_t)-1 / size) out_of_memory();
    *items = xrealloc(*items, c * size);
    *cap = c;
}

/* ---- arena ---- */

#define ALIGN 16u
#define BLOCK (64u * 1024u)

struct mem_block {
    mem_block *prev;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

void mem_init(mem *m)
{
    m->head = NULL;
    m->used = 0;
}

void *mem_alloc(mem *m, size_t n)
{
    size_t at = (m->used + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (!m->head || at + n > m->head->cap) {
        size_t cap = n > BLOCK ? n : BLOCK;
        mem_block *b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->prev = m->head;
        m->head = b;
        at = 0;
    }
    m->used = at + n;
    return m->head->data + at;
}

char *mem_strndup(mem *m, const char *s, size_t n)
{
    char *d = mem_alloc(m, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void mem_reset(mem *m)
{
    while (m->head && m->head->prev) {
        mem_block *b = m->head;
        m->head = b->prev;
        free(b);
    }
    m->used = 0;
}

void mem_free(mem *m)
{
    mem_reset(m);
    free(m->head);
    m->head = NULL;
}
