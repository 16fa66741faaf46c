/* Footprint: the least a gateway firmware using libtwin's core links: the
 * asset graph, impact analysis, a health model per signal, ingest and the
 * storage callbacks (issue 8's core; DTDL left out). A graph in a fixed
 * arena, two twins with a property, a relationship, the compact adjacency
 * and one traversal; an ingest handle with one signal, a health model
 * attached, a store whose callbacks count what they receive, two samples
 * written by handle and the outbox flushed; no output. Its size minus
 * fw_empty's is the flash cost of libtwin's core (and of what it needs from
 * the C library). */
#include "board.h"

#include <twin/twin.h>

int main(void);

static unsigned char buf[32 * 1024] FW_ARENA;

static size_t stored;

static twin_status write_samples(void *ud, const twin_signal_sample *s, size_t n)
{
    (void)ud;
    (void)s;
    stored += n;
    return TWIN_OK;
}

static twin_status put_health(void *ud, twin_signal sig, const twin_health *h)
{
    (void)ud;
    (void)sig;
    return h ? TWIN_OK : TWIN_E_INVAL;
}

static int ingest_with_health(twin_graph *g, const twin_allocator *alloc)
{
    twin_store_callbacks cb = {sizeof cb, 0, NULL, write_samples, NULL, NULL, NULL,
                               NULL, NULL, put_health, NULL};
    twin_store_options so;
    twin_ingest_options io;
    twin_health_options ho;
    twin_store *st;
    twin_ingest *ing;
    twin_signal sig = 0;
    twin_signal_sample smp[2] = {{0, 1000000, 2.0}, {0, 2000000, 2.1}};
    uint8_t out[2];
    size_t done = 0;
    twin_health h;
    double score = 0;
    int rc = 1;

    twin_store_options_init(&so);
    so.alloc = alloc;
    so.callbacks = &cb;
    so.outbox_bytes = TWIN_STORE_OUTBOX_MIN;
    if (twin_store_create(&st, g, &so) != TWIN_OK) return 1;
    twin_ingest_options_init(&io);
    io.alloc = alloc;
    io.store = st;
    twin_health_options_init(&ho);
    ho.model = TWIN_HEALTH_LINEAR;
    ho.prior_mean[0] = 2.0;
    ho.failure_level = 7.1;
    if (twin_ingest_create(&ing, g, &io) == TWIN_OK) {
        smp[0].signal = smp[1].signal = 0;
        if (twin_ingest_add_signal(ing, "motor-1", "vibration", NULL, &sig) == TWIN_OK &&
            twin_ingest_attach_health(ing, sig, &ho, 0) == TWIN_OK) {
            smp[0].signal = smp[1].signal = sig;
            if (twin_ingest_write_signals(ing, smp, 2, out, &done) == TWIN_OK && done == 2 &&
                out[1] == TWIN_INGEST_ACCEPTED && twin_store_flush(st) == TWIN_OK &&
                stored == 2 && twin_ingest_get_health(ing, sig, &h, NULL) == TWIN_OK &&
                twin_health_get_score(&h, &ho, 2000000, &score, NULL) == TWIN_OK &&
                score > 0)
                rc = 0;
        }
        twin_ingest_destroy(ing);
    }
    twin_store_destroy(st);
    return rc;
}

int main(void)
{
    twin_arena arena;
    twin_allocator alloc;
    twin_graph_options o;
    twin_graph *g;
    twin_impact *q;
    twin_impact_hit hit = {sizeof hit, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
    twin_member prop = {"ratedKW", twin_value_double(7.5)};
    const twin_value *v;
    const char *root = "motor-1";
    int rc = 1;

    twin_arena_init(&arena, buf, sizeof buf, &alloc);
    twin_graph_options_init(&o);
    o.alloc = &alloc;
    if (twin_graph_create(&g, &o) != TWIN_OK) return 1;
    if (twin_graph_add_twin(g, "motor-1", "dtmi:example:Motor;1", &prop, 1) == TWIN_OK &&
        twin_graph_add_twin(g, "conveyor-1", "dtmi:example:Conveyor;1", NULL, 0) == TWIN_OK &&
        twin_graph_add_relationship(g, "motor-1", "r1", "partOf", "conveyor-1", NULL, 0) ==
            TWIN_OK &&
        twin_graph_get_property(g, "motor-1", "ratedKW", &v) == TWIN_OK &&
        twin_graph_optimize(g) == TWIN_OK &&
        twin_impact_create(&q, g, &alloc) == TWIN_OK) {
        if (twin_impact_run(q, &root, 1, NULL, NULL, NULL) == TWIN_OK &&
            twin_impact_count(q) == 2 && twin_impact_get(q, 1, &hit) == TWIN_OK &&
            hit.depth == 1 && v->as.d == 7.5)
            rc = 0;
        twin_impact_destroy(q);
    }
    if (rc == 0) rc = ingest_with_health(g, &alloc);
    twin_graph_destroy(g);
    return rc;
}
