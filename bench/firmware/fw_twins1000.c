/* Footprint: the minimal firmware of issue 8 that holds 1,000 twins with one
 * health model each, in a fixed arena.
 *
 * Each twin has a model (one of four) and one relationship (it feeds the
 * next twin, so the line is one chain that impact analysis walks). Each has
 * one health model: a linear vibration model whose state the firmware keeps
 * packed (twin_health_packed, 112 bytes) in an array in the arena; a sample
 * unpacks one state onto the stack, updates it and packs it back. The graph
 * is created with capacity hints sized for the plant, as a firmware that
 * knows its plant does, so no array is outgrown inside the arena.
 *
 * One sample per twin runs every model. The graph is then optimised and one
 * traversal from the head of the line reaches every twin, so the arena
 * ends holding the graph, the health states, the compact adjacency and a
 * warm traversal context. Prints "fw: NAME VALUE" lines that bench/footprint
 * reads; exits 0 only if everything was built and reached.
 * (fw_gateway1000.c is the richer gateway: properties, two relationships per
 * twin, and the health models run through an ingest handle.) */
#include "board.h"
#include "fw_plant.h"

#include <twin/twin.h>

#include <stdio.h>
#include <string.h>

#define TWINS 1000
#define ARENA_BYTES (512u * 1024u)

int main(void);

static unsigned char buf[ARENA_BYTES] FW_ARENA;

/* One sample of twin i's signal: unpack, update, pack back. */
static twin_status sample(twin_health_packed *p, const twin_health_options *o, int64_t t_us,
                          double v)
{
    twin_health h;
    twin_status s = twin_health_unpack(p, &h, NULL);
    if (s == TWIN_OK) s = twin_health_update(&h, o, t_us, v, NULL, NULL);
    if (s == TWIN_OK) s = twin_health_pack(&h, p, NULL);
    return s;
}

int main(void)
{
    static char outbuf[128];
    twin_arena arena;
    twin_allocator alloc;
    twin_graph_options o;
    twin_graph *g;
    twin_impact *q;
    twin_health_options ho;
    twin_health_packed *states;
    size_t before;
    char id[24], to[24];
    const char *root = "asset-0000";
    twin_status s = TWIN_OK;

    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    plant_arena(&arena, buf, sizeof buf, &alloc);
    twin_graph_options_init(&o);
    o.alloc = &alloc;
    o.twin_capacity = TWINS;
    o.relationship_capacity = TWINS;
    /* "asset-NNNN" twin ids and "feeds-1" relationship ids, each with its
     * NUL, plus the model ids and the relationship name. */
    o.string_capacity = TWINS * (11 + 8) + 256;
    if (twin_graph_create(&g, &o) != TWIN_OK) return 1;

    for (int i = 0; i < TWINS && s == TWIN_OK; i++) {
        snprintf(id, sizeof id, "asset-%04d", i);
        s = twin_graph_add_twin(g, id, models[i % 4], NULL, 0);
    }
    for (int i = 0; i + 1 < TWINS && s == TWIN_OK; i++) {
        snprintf(id, sizeof id, "asset-%04d", i);
        snprintf(to, sizeof to, "asset-%04d", i + 1);
        s = twin_graph_add_relationship(g, id, "feeds-1", "feeds", to, NULL, 0);
    }
    if (s != TWIN_OK) {
        printf("fw: error building the graph: %s\n", twin_graph_last_error(g)->message);
        return 1;
    }
    report("twins", twin_graph_twin_count(g));
    report("relationships", twin_graph_relationship_count(g));
    report("arena_graph_used", twin_arena_used(&arena));
    report("arena_graph_peak", twin_arena_peak(&arena));
    report("arena_graph_live", live);

    /* One health model per twin, its state packed in the arena. */
    before = twin_arena_used(&arena);
    twin_health_options_init(&ho);
    ho.model = TWIN_HEALTH_LINEAR;
    ho.prior_mean[0] = 2.0;
    ho.failure_level = 7.1;
    states = alloc.alloc(alloc.ud, TWINS * sizeof *states);
    if (!states) return 1;
    for (int i = 0; i < TWINS && s == TWIN_OK; i++) {
        twin_health h;
        s = twin_health_init(&h, &ho, 0, NULL);
        if (s == TWIN_OK) s = twin_health_pack(&h, &states[i], NULL);
    }
    /* One sample per twin, as a gateway polls them. */
    for (int i = 0; i < TWINS && s == TWIN_OK; i++)
        s = sample(&states[i], &ho, 60000000, 2.0 + 0.001 * (double)(i % 100));
    {
        twin_health h;
        twin_health_stats hs = {sizeof hs, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        double score = 0;
        if (s != TWIN_OK || twin_health_unpack(&states[TWINS - 1], &h, NULL) != TWIN_OK ||
            twin_health_get_stats(&h, &hs, NULL) != TWIN_OK || hs.samples != 1 ||
            twin_health_get_score(&h, &ho, 60000000, &score, NULL) != TWIN_OK ||
            !(score > 0.9)) {
            printf("fw: the health models did not run\n");
            return 1;
        }
    }
    report("health_models", TWINS);
    report("health_state_bytes", sizeof *states);
    report("arena_health_used", twin_arena_used(&arena) - before);
    report("arena_health_peak", twin_arena_peak(&arena));
    report("arena_health_live", live);

    if (twin_graph_optimize(g) != TWIN_OK) return 1;
    report("arena_optimized_peak", twin_arena_peak(&arena));

    if (twin_impact_create(&q, g, &alloc) != TWIN_OK) return 1;
    if (twin_impact_run(q, &root, 1, NULL, NULL, NULL) != TWIN_OK ||
        twin_impact_count(q) != TWINS) {
        printf("fw: traversal reached %lu twins\n", (unsigned long)twin_impact_count(q));
        return 1;
    }
    report("arena_peak", twin_arena_peak(&arena));
    report("arena_live", live);
    report("arena_capacity", ARENA_BYTES);
    report("stack_peak", board_stack_peak());
    twin_impact_destroy(q);
    alloc.free(alloc.ud, states, TWINS * sizeof *states);
    twin_graph_destroy(g);
    return 0;
}
