/* Fixture of the impact tests on small, hand-built graphs: the graph `g`
 * of support/fixture.h (on the leak-checking allocator `fa`) and a context
 * `q` on the same allocator, destroyed and checked for leaks after each
 * test.
 *
 * Graphs are written as specs: "a>b" is a `feeds` relationship from a to
 * b, "a>b:partOf" one named partOf, "x" a twin on its own (twins are
 * created on first mention, with model MACHINE); the relationship from a
 * to b named N has the identifier "N-b".
 *
 * query() runs a traversal twice: once on the graph's relationship lists
 * (after a structural change, which drops any compact adjacency) and once
 * after twin_graph_optimize(); both runs must give identical results, and
 * the first is checked against the oracle of impact_check.h. */
#ifndef TWIN_TESTS_IMPACT_FIXTURE_H
#define TWIN_TESTS_IMPACT_FIXTURE_H

#include <stddef.h>

#include "impact/impact_check.h"
#include "twin/twin.h"

#define MACHINE "dtmi:example:Machine;1"
#define TOL 1e-9

extern twin_impact *q;

/* tcase_add_checked_fixture(tc, impact_setup, impact_teardown) */
void impact_setup(void);
void impact_teardown(void);

/* Add the twins and relationships of @p spec to `g`. */
void build(const char *spec);

/* Space-separated words of @p spec into @p out (pointing into @p buf). */
size_t split(const char *spec, char *buf, size_t cap, const char **out, size_t max);

/* 0: traversals read the relationship lists (a structural change, adding
 * and removing a twin, drops the compact adjacency); 1: they read the
 * adjacency of twin_graph_optimize(). */
void set_mode(int optimized);

/* Run from the space-separated @p roots both ways; @p out gets the first
 * run's result (free it with iresult_free()). */
void query(const char *roots, const twin_impact_options *o, size_t stop_after, iresult *out);

/* Assert @p r is TWIN_OK with exactly the twins of @p spec ("a:0 b:1 ..."). */
void expect(const iresult *r, const char *spec);

/* Assert @p twin was reached from @p parent by relationship @p via_source /
 * @p via named @p via_name (all NULL for a root). */
void expect_via(const iresult *r, const char *twin, const char *parent,
                const char *via_source, const char *via, const char *via_name);

/* Assert @p twin was reported with @p score (within TOL). */
void expect_score(const iresult *r, const char *twin, double score);

/* Assert that @p r's hits are the first ones of @p all. */
void expect_prefix(const iresult *r, const iresult *all, const char *what, size_t k);

/* Options with defaults (twin_impact_options_init() must succeed). */
twin_impact_options impact_opts(void);

/* Health callback reading a table {id, health} ended by a NULL id; 1 for
 * twins not in it. */
typedef struct health_entry {
    const char *id;
    double h;
} health_entry;
double table_health(void *ud, const char *twin_id);

#endif
