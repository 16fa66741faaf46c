/* Test helpers over the public graph API: canonical snapshots of a graph,
 * value printing and comparison, and assertion macros for failing calls.
 *
 * A snapshot is a sorted list of text lines built only through the public
 * API:
 *   C <twin count> <relationship count>
 *   T <twin id> <model id> <properties in get_properties() order>
 *   R <source> <rel id> <name> <target> <properties, sorted by name>
 *   O <twin> <outgoing rel ids, in iteration order>
 *   I <twin> <incoming source/rel id pairs, in iteration order>
 * Strings are length-prefixed, so any byte content compares exactly;
 * doubles are printed in hex so that -0.0 and subnormals are exact.
 */
#ifndef TWIN_TESTS_GRAPHSNAP_H
#define TWIN_TESTS_GRAPHSNAP_H

#include <check.h>
#include <stddef.h>

#include "twin/twin.h"

typedef struct snap {
    char **lines;
    size_t n, cap;
} snap;

/* Fill @p s with the canonical form of @p g (aborts the test if the API
 * misbehaves while reading, e.g. counts disagree with iteration). */
void snap_take(snap *s, const twin_graph *g);
void snap_free(snap *s);

/* 1 when equal; else 0 with the first difference described in @p why. */
int snap_equal(const snap *a, const snap *b, char *why, size_t cap);

/* Canonical text of a value into @p buf (truncated to @p cap). Objects keep
 * member order unless @p sort_members. Returns @p buf. */
char *value_str(const twin_value *v, int sort_members, char *buf, size_t cap);

/* Deep equality; object members compared by name (order ignored); doubles
 * compared bit for bit. */
int value_equal(const twin_value *a, const twin_value *b);

/* 1 when every string and member name in @p v (as handed out by the
 * library) is NUL-terminated at its length and non-NULL. */
int value_well_formed(const twin_value *v);

/* Create a graph over allocator @p a (NULL: default); aborts on failure. */
twin_graph *graph_new(const twin_allocator *a);

/* Number of relationships twin_graph_relationships_next() yields. */
size_t rel_iter_count(const twin_graph *g, const char *twin_id,
                      twin_direction dir, const char *name);

/* Malformed UTF-8 sequences (overlong, surrogate, beyond U+10FFFF,
 * truncated, stray bytes), N_BAD_UTF8 of them. */
extern const char *const bad_utf8[];
#define N_BAD_UTF8 11

/* "a<bad_utf8[i]>b" into buf (32 bytes), or "a<bad_utf8[i]>" when at_end
 * (the sequence is then cut by the terminating NUL). Returns buf. */
const char *with_bad_utf8(char *buf, size_t i, int at_end);

/* A malloc'ed string: @p unit repeated @p times, then @p tail. */
char *str_repeat(const char *unit, size_t times, const char *tail);

/* After a call on @p g that returned @p got where @p want was expected:
 * 1 when got == want, twin_graph_last_error(g) records it with a non-empty
 * message and @p g still matches @p before; else 0 with the reason in
 * @p why. Frees @p before either way (so a failing test leaks nothing). */
int check_failed_call(const twin_graph *g, snap *before, int got, int want,
                      char *why, size_t cap);

/* Assert that @p call (on graph @p g) returns @p want, records it in
 * twin_graph_last_error() with a non-empty message, and leaves the graph
 * observably unchanged. */
#define ASSERT_FAILS_UNCHANGED(g, call, want)                                  \
    do {                                                                       \
        snap before_;                                                          \
        char why_[768];                                                        \
        int got_;                                                              \
        snap_take(&before_, (g));                                              \
        got_ = (int)(call);                                                    \
        ck_assert_msg(check_failed_call((g), &before_, got_, (int)(want),      \
                                        why_, sizeof why_),                    \
                      "%s: %s", #call, why_);                                  \
    } while (0)

/* Assert @p call returns TWIN_OK, printing the graph's error otherwise. */
#define ASSERT_OK(g, call)                                                     \
    do {                                                                       \
        int got_ = (int)(call);                                                \
        ck_assert_msg(got_ == TWIN_OK, "%s returned %d (%s): %s", #call, got_, \
                      twin_strerror((twin_status)got_),                        \
                      twin_graph_last_error(g)->message);                      \
    } while (0)

#endif
