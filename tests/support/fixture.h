/* The graph fixture shared by the graph test files: a fresh graph `g` on a
 * counting allocator `fa` for each test, checked for leaks afterwards. */
#ifndef TWIN_TESTS_FIXTURE_H
#define TWIN_TESTS_FIXTURE_H

#include "support/failalloc.h"
#include "twin/twin.h"

extern failalloc fa;
extern twin_graph *g;

/* tcase_add_checked_fixture(tc, graph_setup, graph_teardown) */
void graph_setup(void);
void graph_teardown(void);

#endif
