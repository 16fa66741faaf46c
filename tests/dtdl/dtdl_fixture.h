/* Helpers shared by the DTDL test files (tests/dtdl/test_dtdl_*.c): a model
 * set on a counting allocator, checked for leaks when closed; inline JSON
 * written with single quotes; diagnostics looked up by code; and the line
 * and column of a marker in a text, worked out independently of the
 * library. */
#ifndef TWIN_TESTS_DTDL_FIXTURE_H
#define TWIN_TESTS_DTDL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "support/failalloc.h"
#include "twin/dtdl.h"

/* The set of the checked fixture: opened with default options on `mfa`. */
extern failalloc mfa;
extern twin_models *M;

/* tcase_add_checked_fixture(tc, models_setup, models_teardown) */
void models_setup(void);
void models_teardown(void);

/* A new set on @p fa (NULL: the C library's allocator) with @p flags; the
 * test fails when it cannot be opened. */
twin_models *models_open(failalloc *fa, uint32_t flags);

/* Close @p m and, when @p fa is not NULL, assert that nothing it allocated
 * is still live. */
void models_close(twin_models *m, failalloc *fa);

/* A malloc'd copy of @p q with every ' turned into " (JSON written in C
 * without escapes; the positions of all characters are unchanged). */
char *jq(const char *q);

/* twin_models_add() of jq(@p q) with source name "test.json". */
twin_status addq(twin_models *m, const char *q);

/* twin_models_add() of @p json (strlen) with source name @p src. */
twin_status add_src(twin_models *m, const char *json, const char *src);

/* The first diagnostic of the last call with code @p code; NULL if none. */
const twin_dtdl_diag *diag_find(const twin_models *m, const char *code);

/* The diagnostics of the last call, as "code: message; ..." (for failure
 * messages); a static buffer. */
const char *diag_dump(const twin_models *m);

/* Line (1-based) and column (1-based, bytes) of the first occurrence of
 * @p marker in @p text; the test fails when it does not occur. */
void text_pos(const char *text, const char *marker, uint32_t *line, uint32_t *col);

/* Assert that adding jq(@p q) to @p m succeeds. */
#define ADD_OK(m, q)                                                                  \
    do {                                                                              \
        twin_status st_ = addq((m), (q));                                             \
        ck_assert_msg(st_ == TWIN_OK, "add returned %d (%s): %s", st_,               \
                      twin_strerror(st_), diag_dump(m));                              \
    } while (0)

/* Assert that adding jq(@p q) fails with @p status and reports @p code. */
#define ADD_FAILS(m, q, status, code)                                                 \
    do {                                                                              \
        twin_status st_ = addq((m), (q));                                             \
        ck_assert_msg(st_ == (status), "add returned %d (%s), expected %d: %s", st_,  \
                      twin_strerror(st_), (int)(status), diag_dump(m));               \
        ck_assert_msg(diag_find((m), (code)) != NULL, "no '%s' diagnostic: %s",      \
                      (code), diag_dump(m));                                          \
    } while (0)

/* Assert that resolving @p m succeeds. */
#define RESOLVE_OK(m)                                                                 \
    do {                                                                              \
        twin_status st_ = twin_models_resolve(m);                                     \
        ck_assert_msg(st_ == TWIN_OK, "resolve returned %d (%s): %s", st_,           \
                      twin_strerror(st_), diag_dump(m));                              \
    } while (0)

/* Find @p dtmi in resolved @p m; the test fails when it is not there. */
const twin_dtdl_elem *find_ok(const twin_models *m, const char *dtmi);

#endif
