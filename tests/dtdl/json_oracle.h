/* Oracles of the JSON reader (json_oracle.c). */
#ifndef TWIN_TESTS_JSON_ORACLE_H
#define TWIN_TESTS_JSON_ORACLE_H

#include <stddef.h>

#define ORACLE_JSON_MAX_DEPTH 512

/* 1 when text[0..len) is JSON (RFC 8259); else 0 with *bad_at the offset
 * of the first byte that makes it not JSON, and *too_deep set when the
 * reason is nesting deeper than ORACLE_JSON_MAX_DEPTH. */
int oracle_json_check(const char *text, size_t len, size_t *bad_at, int *too_deep);

#include "dtdl/jsonread.h"

struct cJSON;
/* Bit for bit equal, or both NaN. */
int oracle_same_double(double a, double b);
/* The children of c number c->n (an array or object), or it has none. */
int oracle_counted(const twin__json *c);
/* 1 when the reader's tree a holds what cJSON's tree b does (types, keys,
 * strings and their lengths, valuedouble bit for bit, children in order
 * and counted); else 0 with a reason in why. */
int oracle_same_tree(const twin__json *a, const struct cJSON *b, char *why, size_t cap);

#endif
