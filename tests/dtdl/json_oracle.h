/* The old strict JSON checker, kept as a test oracle (json_oracle.c). */
#ifndef TWIN_TESTS_JSON_ORACLE_H
#define TWIN_TESTS_JSON_ORACLE_H

#include <stddef.h>

#define ORACLE_JSON_MAX_DEPTH 512

/* 1 when text[0..len) is JSON (RFC 8259); else 0 with *bad_at the offset
 * of the first byte that makes it not JSON, and *too_deep set when the
 * reason is nesting deeper than ORACLE_JSON_MAX_DEPTH. */
int oracle_json_check(const char *text, size_t len, size_t *bad_at, int *too_deep);

#endif
