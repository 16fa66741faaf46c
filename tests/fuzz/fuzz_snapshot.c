/* libFuzzer target for the snapshot reader: any bytes in, no crash, no
 * leak, no hang, and a failed restore leaves graph and ingest handle as
 * they were.
 *
 * The bytes are restored into a graph holding one twin and an ingest
 * handle with one signal, read in chunks whose sizes the input's first
 * byte picks. When the restore fails, the state must still be the one
 * before (compared as saved bytes). When it succeeds, the state is saved,
 * restored into a second pair and saved again: both saves must give the
 * same bytes (read, write, read: the same state), or the target aborts. */
#include <twin/twin.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static twin_status put(void *ud, const void *p, size_t n)
{
    buf *b = ud;
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 256;
        unsigned char *q = realloc(b->p, cap);
        if (!q) return TWIN_E_NOMEM;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return TWIN_OK;
}

typedef struct rd {
    const uint8_t *p;
    size_t n, pos, chunk;
} rd;

static twin_status get(void *ud, void *out, size_t cap, size_t *got)
{
    rd *r = ud;
    size_t k = r->n - r->pos;
    if (k > cap) k = cap;
    if (k > r->chunk) k = r->chunk;
    memcpy(out, r->p + r->pos, k);
    r->pos += k;
    *got = k;
    return TWIN_OK;
}

/* A graph with one twin and an ingest handle with one signal. */
static void pair(twin_graph **g, twin_ingest **ing)
{
    twin_signal s;
    if (twin_graph_create(g, NULL) != TWIN_OK || twin_ingest_create(ing, *g, NULL) != TWIN_OK ||
        twin_graph_add_twin(*g, "seed", "dtmi:fuzz:T;1", NULL, 0) != TWIN_OK ||
        twin_ingest_add_signal(*ing, "seed", "v", NULL, &s) != TWIN_OK)
        abort();
}

static void saved(const twin_graph *g, const twin_ingest *ing, buf *b)
{
    b->n = 0;
    if (twin_snapshot_save(g, ing, put, b) != TWIN_OK) abort();
}

static int same(const buf *a, const buf *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    twin_graph *g, *g2;
    twin_ingest *ing, *ing2;
    buf before = {0}, after = {0}, again = {0};
    rd r;
    if (size < 1) return 0;
    pair(&g, &ing);
    saved(g, ing, &before);
    r.p = data + 1;
    r.n = size - 1;
    r.pos = 0;
    r.chunk = (size_t)data[0] % 64 + 1;
    if (data[0] >= 128) r.chunk = SIZE_MAX;
    if (twin_snapshot_restore(g, ing, get, &r) != TWIN_OK) {
        saved(g, ing, &after);
        if (!same(&before, &after)) {
            fprintf(stderr, "fuzz_snapshot: a failed restore changed the state\n");
            abort();
        }
    } else {
        rd r2;
        saved(g, ing, &after);
        pair(&g2, &ing2);
        r2.p = after.p;
        r2.n = after.n;
        r2.pos = 0;
        r2.chunk = SIZE_MAX;
        if (twin_snapshot_restore(g2, ing2, get, &r2) != TWIN_OK) {
            fprintf(stderr, "fuzz_snapshot: a saved snapshot does not restore\n");
            abort();
        }
        saved(g2, ing2, &again);
        if (!same(&after, &again)) {
            fprintf(stderr, "fuzz_snapshot: read, write, read gives other bytes\n");
            abort();
        }
        twin_ingest_destroy(ing2);
        twin_graph_destroy(g2);
    }
    free(before.p);
    free(after.p);
    free(again.p);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    return 0;
}
