/* Memory for twinctl: allocation that gives up on exhaustion, and a bump
 * arena for the JSON trees of one input line or one file. */
#ifndef TWINCTL_MEM_H
#define TWINCTL_MEM_H

#include <stddef.h>

/* malloc/realloc/strdup that print "out of memory" and exit(1) on failure:
 * a command-line tool has nothing better to do then. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grow *items (of *cap elements of size `size`) to hold at least `need`. */
void xgrow(void **items, size_t *cap, size_t need, size_t size);

/* A bump arena of linked blocks; nothing is freed until mem_reset/mem_free. */
typedef struct mem_block mem_block;
typedef struct mem {
    mem_block *head;  /* current block, the others chained behind it */
    size_t used;      /* bytes used in head */
} mem;

void mem_init(mem *m);
void *mem_alloc(mem *m, size_t n);             /* aligned for any type */
char *mem_strndup(mem *m, const char *s, size_t n);  /* NUL-terminated copy */
void mem_reset(mem *m);                        /* forget all but the first block */
void mem_free(mem *m);

#endif
