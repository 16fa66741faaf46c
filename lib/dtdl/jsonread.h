/* Reading JSON text into a tree of cJSON nodes in one pass: a strict RFC
 * 8259 check and the tree, allocated in the caller's region from the
 * caller's allocator (no cJSON function parses or allocates: nothing
 * process-wide is written, so reads in different threads do not race, and
 * the memory is the handle's). Host only. */
#ifndef TWIN_DTDL_JSONREAD_H
#define TWIN_DTDL_JSONREAD_H

#include <stddef.h>

#include "twin/core.h"
#include "util/region.h"

struct cJSON;

/* Nesting deeper than this is refused (cJSON itself allows 1000). */
#define TWIN__JSON_MAX_DEPTH 512

/* The block size of a region that will hold the tree of len bytes of
 * text: about the tree's size (nodes and strings) for small documents, so
 * one block does, and a bounded block for big ones. */
static inline size_t twin__json_block_size(size_t len)
{
    return len < 64 * 1024 ? 4 * len + 512 : 256 * 1024;
}

/* Read text[0..len) (no BOM: a BOM is not JSON) into *out, a tree equal
 * to what cJSON_ParseWithLengthOpts() builds from the same text, its nodes
 * and strings allocated in *mem with a (never free it with cJSON_Delete():
 * roll *mem back or finish it).
 *   TWIN_OK        the text is JSON; *out is its tree.
 *   TWIN_E_PARSE   the text is not JSON: *bad_at is the offset of the
 *                  first byte that makes it so (len when the text ends
 *                  too early), *too_deep is 1 when the reason is nesting
 *                  deeper than TWIN__JSON_MAX_DEPTH. A \u escape that is
 *                  not a UTF-16 character (a lone or unpaired surrogate,
 *                  which cJSON refuses) is refused too, *bad_at at its
 *                  'u', but only when the text has no other fault.
 *   TWIN_E_NOMEM   the text is JSON, and an allocation failed.
 * On any failure *out is NULL (what *mem holds is garbage to roll back). Syntax comes
 * first: an allocation failure never hides a syntax error.
 * Numbers: the value is strtod() of the whole number's text, as in the
 * cJSON of Debian 12 (1.7.15 with the fix of CVE-2023-26819; unpatched
 * 1.7.15 reads at most 63 characters of a number). */
twin_status twin__json_read(const char *text, size_t len, twin__region *mem,
                            const twin_allocator *a, struct cJSON **out, size_t *bad_at,
                            int *too_deep);

#endif
