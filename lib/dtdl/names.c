/* Duplicate names in a list of elements, in linear time (contents lists of
 * hostile documents hold up to 100 000 elements). */
#include "dtdl/dtdl_int.h"
#include "core/alloc.h"

#include <string.h>

twin_status twin__dup_names(const twin_allocator *a, const twin_dtdl_elem *const *v, uint32_t n,
                            uint32_t *dup_of)
{
    uint32_t i, j, cap = 16, mask, *slot;
    for (i = 0; i < n; i++) dup_of[i] = UINT32_MAX;
    if (n <= 16) {  /* pairs, by hash first (named[i]: v[i] has a name) */
        uint32_t h[16];
        unsigned char named[16];
        for (i = 0; i < n; i++) {
            named[i] = v[i] && v[i]->name;
            h[i] = named[i] ? v[i]->name_hash : 0;
        }
        for (i = 1; i < n; i++)
            for (j = 0; j < i && named[i]; j++)
                if (h[i] == h[j] && named[j] && strcmp(v[i]->name, v[j]->name) == 0) {
                    dup_of[i] = j;
                    break;
                }
        return TWIN_OK;
    }
    while (cap < 2 * n) cap *= 2;
    mask = cap - 1;
    slot = twin__alloc(a, cap * sizeof *slot);  /* index + 1; 0 empty */
    if (!slot) return TWIN_E_NOMEM;
    memset(slot, 0, cap * sizeof *slot);
    for (i = 0; i < n; i++) {
        uint32_t pos;
        if (!v[i] || !v[i]->name) continue;
        for (pos = v[i]->name_hash & mask; slot[pos]; pos = (pos + 1) & mask) {
            const twin_dtdl_elem *w = v[slot[pos] - 1];
            if (w->name_hash == v[i]->name_hash && strcmp(w->name, v[i]->name) == 0) {
                dup_of[i] = slot[pos] - 1;
                break;
            }
        }
        if (!slot[pos] && dup_of[i] == UINT32_MAX) slot[pos] = i + 1;
    }
    twin__free(a, slot, cap * sizeof *slot);
    return TWIN_OK;
}
