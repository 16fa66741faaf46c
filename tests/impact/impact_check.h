/* Helpers of the impact tests, over the public API only.
 *
 * irun() runs a traversal with a recording visitor and reads the results
 * back with twin_impact_get(); the visitor's hits and get()'s must agree
 * hit for hit. Hits are copied (strings malloc'ed), so results outlive
 * changes to the graph.
 *
 * ioracle_check() checks a result against a breadth-first search done here
 * with twin_graph_relationships_begin()/next(): every hit at its shortest
 * distance, each twin once, roots first in the order given, a parent that
 * was reported earlier at one hop less, a via relationship that exists,
 * carries via_name and joins parent and twin in a followed direction, the
 * score the rule gives from the parent's score, and every twin the oracle
 * reaches within the limits reported.
 */
#ifndef TWIN_TESTS_IMPACT_CHECK_H
#define TWIN_TESTS_IMPACT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "twin/twin.h"

typedef struct ihit {
    uint32_t depth;
    char *twin, *model, *parent, *via, *via_name, *via_source; /* copies; NULL as given */
    double score;
    uint64_t parent_index;
} ihit;

typedef struct iresult {
    int st;        /* what twin_impact_run() returned */
    size_t n;      /* twin_impact_count() after the run */
    ihit *h;       /* the n hits, read with twin_impact_get() */
    size_t visits; /* visitor calls */
} iresult;

/* Run @p q; the visitor returns nonzero at its @p stop_after-th call (0:
 * never). Asserts that get() agrees with the visitor when the run returns
 * TWIN_OK, that nothing was visited on INVAL, ABI and NOTFOUND, and that
 * results are empty on NOTFOUND and NOMEM. */
void irun(twin_impact *q, const char *const *roots, size_t nroots,
          const twin_impact_options *o, size_t stop_after, iresult *out);
void iresult_free(iresult *r);

/* 1 when @p a and @p b hold the same status and the same hits (every field,
 * scores bit for bit); else 0 with the first difference in @p why. */
int iresult_equal(const iresult *a, const iresult *b, char *why, size_t cap);

/* See the file comment. @p o NULL: defaults. @p partial: the run was cut
 * short by its visitor (so fewer twins than the limits allow is right).
 * 1 when right; else 0 with the reason in @p why. */
int ioracle_check(const twin_graph *g, const char *const *roots, size_t nroots,
                  const twin_impact_options *o, const iresult *r, int partial, char *why,
                  size_t cap);

/* The hit for @p twin, or NULL. */
const ihit *ihit_find(const iresult *r, const char *twin);

/* Text of a result for failure messages: "a:0 b:1<a ..." (malloc'ed). */
char *iresult_str(const iresult *r);

#endif
