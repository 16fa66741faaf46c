/* Oracles of the JSON reader (json_oracle.c). */
#ifndef TWIN_TESTS_JSON_ORACLE_H
#define TWIN_TESTS_JSON_ORACLE_H

#include <stddef.h>

#define ORACLE_JSON_MAX_DEPTH 512

/* 1 when text[0..len) is JSON (RFC 8259); else 0 with *bad_at the offset
 * of the first byte that makes it not JSON, and *too_deep set when the
 * reason is nesting deeper than ORACLE_JSON_MAX_DEPTH. */
int oracle_json_check(const char *text, size_t len, size_t *bad_at, int *too_deep);

struct cJSON;
/* Bit for bit equal, or both NaN. */
int oracle_same_double(double a, double b);
/* The children of c are well linked: c->child->prev the tail, each
 * next->prev its predecessor, the tail's next NULL. */
int oracle_linked(const struct cJSON *c);
/* 1 when the trees are equal (types, keys, strings, valuedouble bit for bit,
 * valueint, children in order, links); else 0 with a reason in why. */
int oracle_same_tree(const struct cJSON *a, const struct cJSON *b, char *why, size_t cap);

#endif
