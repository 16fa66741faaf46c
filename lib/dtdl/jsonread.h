/* Reading JSON text in one pass: a strict RFC 8259 check and a compact
 * tree of the values (twin__json nodes) that the DTDL parser walks,
 * allocated in the caller's region from the caller's allocator (nothing
 * process-wide is written, so reads in different threads do not race, and
 * the memory is the handle's). Host only. */
#ifndef TWIN_DTDL_JSONREAD_H
#define TWIN_DTDL_JSONREAD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "twin/core.h"
#include "util/region.h"

/* Nesting deeper than this is refused (cJSON itself allows 1000). */
#define TWIN__JSON_MAX_DEPTH 512

typedef enum twin__json_type {
    TWIN__JSON_NULL = 1,
    TWIN__JSON_FALSE = 2,
    TWIN__JSON_TRUE = 3,
    TWIN__JSON_NUMBER = 4,
    TWIN__JSON_STRING = 5,
    TWIN__JSON_ARRAY = 6,
    TWIN__JSON_OBJECT = 7
} twin__json_type;

/* A JSON value. Strings and keys are decoded (escapes to UTF-8, \u0000 to
 * a zero byte) and NUL-terminated; their lengths count the bytes before
 * the first zero byte, as C strings see them. */
typedef struct twin__json twin__json;
struct twin__json {
    twin__json *next;   /* the next item or member; NULL after the last */
    twin__json *child;  /* ARRAY, OBJECT: the first item or member; else NULL */
    const char *key;    /* a member's key; NULL for an item or the root */
    union {
        const char *str;  /* STRING */
        double num;       /* NUMBER: strtod() of its text */
    } u;
    uint32_t n;         /* STRING: its length; ARRAY, OBJECT: items or members */
    uint32_t keylen;    /* the key's length */
    int type;           /* twin__json_type */
};

static inline int twin__json_is(const twin__json *v, int type) { return v && v->type == type; }
static inline int twin__json_is_string(const twin__json *v)
{
    return twin__json_is(v, TWIN__JSON_STRING);
}
static inline int twin__json_is_array(const twin__json *v)
{
    return twin__json_is(v, TWIN__JSON_ARRAY);
}
static inline int twin__json_is_object(const twin__json *v)
{
    return twin__json_is(v, TWIN__JSON_OBJECT);
}
static inline int twin__json_is_number(const twin__json *v)
{
    return twin__json_is(v, TWIN__JSON_NUMBER);
}
static inline int twin__json_is_bool(const twin__json *v)
{
    return v && (v->type == TWIN__JSON_TRUE || v->type == TWIN__JSON_FALSE);
}
/* Items or members of an array or object; 0 for any other value. */
static inline size_t twin__json_count(const twin__json *v) { return v && v->child ? v->n : 0; }

/* The first member of object o named key (NULL if none, or o is not an
 * object). */
static inline const twin__json *twin__json_get(const twin__json *o, const char *key)
{
    const twin__json *it;
    size_t n = strlen(key);
    if (!twin__json_is_object(o)) return NULL;
    for (it = o->child; it; it = it->next)
        if (it->keylen == n && memcmp(it->key, key, n) == 0 && it->key[n] == '\0') return it;
    return NULL;
}

/* Each item or member of v (none when v is not an array or object). */
#define TWIN__JSON_EACH(it, v) for ((it) = (v) ? (v)->child : NULL; (it); (it) = (it)->next)

/* The block size of a region that will hold the tree of len bytes of
 * text: about the tree's size (nodes and strings) for small documents, so
 * one block does, and a bounded block for big ones. */
static inline size_t twin__json_block_size(size_t len)
{
    return len < 64 * 1024 ? 4 * len + 512 : 256 * 1024;
}

/* Read text[0..len) (no BOM: a BOM is not JSON) into *out, its nodes and
 * strings allocated in *mem with a (roll *mem back or finish it to free
 * them).
 *   TWIN_OK        the text is JSON; *out is its tree.
 *   TWIN_E_PARSE   the text is not JSON: *bad_at is the offset of the
 *                  first byte that makes it so (len when the text ends
 *                  too early), *too_deep is 1 when the reason is nesting
 *                  deeper than TWIN__JSON_MAX_DEPTH. A \u escape that is
 *                  not a UTF-16 character (a lone or unpaired surrogate)
 *                  is refused too, *bad_at at its 'u', but only when the
 *                  text has no other fault.
 *   TWIN_E_NOMEM   the text is JSON, and an allocation failed.
 * On any failure *out is NULL (what *mem holds is garbage to roll back).
 * Syntax comes first: an allocation failure never hides a syntax error.
 * The tree holds what cJSON_ParseWithLengthOpts() reads from the same
 * text (the same values in the same order, duplicate keys kept, strings
 * decoded alike, numbers by strtod() of their whole text with '.' as the
 * decimal point in any locale), which the tests and the fuzzer check. */
twin_status twin__json_read(const char *text, size_t len, twin__region *mem,
                            const twin_allocator *a, const twin__json **out, size_t *bad_at,
                            int *too_deep);

#endif
