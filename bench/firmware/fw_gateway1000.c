/* Footprint: a gateway holding 1,000 twins in a fixed arena. Each twin has
 * a model (one of four), two properties (a serial number and a rating) and
 * two relationships (it feeds the next twin, and is monitored by another).
 * The graph is created with capacity hints sized for that, as a firmware
 * that knows its plant does, so no array is outgrown inside the arena.
 *
 * Each twin then gets one health model the way a gateway runs one: an
 * ingest handle over the graph (capacity hints for 1,000 twins and 1,000
 * signals), one declared signal per twin ("vibration", in mm/s) with
 * twin_ingest_attach_health() (one shared linear-model options copy, one
 * 192-byte twin_health state per signal, inside the ingest handle), and one
 * sample per signal through twin_ingest_write_signals() so every model has
 * run. No store: a firmware's outbox (at least TWIN_STORE_OUTBOX_MIN bytes)
 * is sized by its own link and is not counted here.
 *
 * The graph is then optimised and one traversal reaches every twin, so the
 * arena holds the graph, the health models, the compact adjacency and a
 * warm traversal context. Prints "fw: NAME VALUE" lines that
 * bench/footprint reads; exits 0 only if everything was built and reached. */
#include "board.h"
#include "fw_plant.h"

#include <twin/twin.h>

#include <stdio.h>
#include <string.h>

#define TWINS 1000
#define ARENA_BYTES (2048u * 1024u)

int main(void);

static unsigned char buf[ARENA_BYTES] FW_ARENA;

int main(void)
{
    static char outbuf[128];
    twin_arena arena;
    twin_allocator alloc;
    twin_graph_options o;
    twin_graph *g;
    twin_impact *q;
    twin_ingest *ing;
    twin_ingest_options io;
    twin_signal_options so;
    twin_health_options ho;
    static twin_signal sigs[TWINS];
    size_t before;
    char id[24], to[24], serial[24];
    const char *root = "asset-0000";
    twin_status s = TWIN_OK;

    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    plant_arena(&arena, buf, sizeof buf, &alloc);
    twin_graph_options_init(&o);
    o.alloc = &alloc;
    o.twin_capacity = TWINS;
    o.relationship_capacity = 2 * TWINS;
    /* "asset-NNNN" twin ids, "feeds-1" and "monitoredBy-1" relationship ids,
     * each with its NUL, plus the model ids and relationship names. */
    o.string_capacity = TWINS * (11 + 8 + 14) + 256;
    if (twin_graph_create(&g, &o) != TWIN_OK) return 1;

    for (int i = 0; i < TWINS && s == TWIN_OK; i++) {
        twin_member props[2];
        snprintf(id, sizeof id, "asset-%04d", i);
        snprintf(serial, sizeof serial, "SN-%06d", 100000 + i * 7);
        props[0].name = "serialNumber";
        props[0].value = twin_value_string(serial);
        props[1].name = "ratedPowerKW";
        props[1].value = twin_value_double(0.5 * (double)(i % 40 + 1));
        s = twin_graph_add_twin(g, id, models[i % 4], props, 2);
    }
    for (int i = 0; i < TWINS && s == TWIN_OK; i++) {
        snprintf(id, sizeof id, "asset-%04d", i);
        snprintf(to, sizeof to, "asset-%04d", (i + 1) % TWINS);
        s = twin_graph_add_relationship(g, id, "feeds-1", "feeds", to, NULL, 0);
        if (s != TWIN_OK) break;
        snprintf(to, sizeof to, "asset-%04d", (i * 7 + 3) % TWINS);
        s = twin_graph_add_relationship(g, id, "monitoredBy-1", "monitoredBy", to, NULL, 0);
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

    /* One health model per twin, through the ingest handle. */
    before = twin_arena_used(&arena);
    twin_ingest_options_init(&io);
    io.alloc = &alloc;
    io.twin_capacity = TWINS;
    io.signal_capacity = TWINS;
    if (twin_ingest_create(&ing, g, &io) != TWIN_OK) return 1;
    twin_signal_options_init(&so);
    so.unit = "millimetrePerSecond";
    so.alarm_high = 7.1;
    twin_health_options_init(&ho);
    ho.model = TWIN_HEALTH_LINEAR;
    ho.prior_mean[0] = 2.0;
    ho.failure_level = 7.1;
    /* Signals first, then the health models: the array of health states
     * (which has no capacity hint) then grows as the arena's last block, in
     * place, instead of stranding each smaller copy behind the signals'
     * strings. */
    for (int i = 0; i < TWINS && s == TWIN_OK; i++) {
        snprintf(id, sizeof id, "asset-%04d", i);
        s = twin_ingest_add_signal(ing, id, "vibration", &so, &sigs[i]);
    }
    for (int i = 0; i < TWINS && s == TWIN_OK; i++)
        s = twin_ingest_attach_health(ing, sigs[i], &ho, 0);
    if (s != TWIN_OK) {
        printf("fw: error adding the health models: %s\n", twin_ingest_last_error(ing)->message);
        return 1;
    }
    {
        /* One sample per signal, in batches of 100 as a gateway polls them. */
        twin_signal_sample batch[100];
        uint8_t outcomes[100];
        size_t done = 0;
        twin_ingest_stats st = {sizeof st, 0, {0}, 0, 0, 0};
        twin_health h;
        twin_health_stats hs = {sizeof hs, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (int i = 0; i < TWINS && s == TWIN_OK; i += 100) {
            for (int k = 0; k < 100; k++) {
                batch[k].signal = sigs[i + k];
                batch[k].t_us = 60000000;
                batch[k].value = 2.0 + 0.001 * (double)k;
            }
            s = twin_ingest_write_signals(ing, batch, 100, outcomes, &done);
        }
        if (s != TWIN_OK || twin_ingest_get_stats(ing, 0, &st) != TWIN_OK ||
            st.outcomes[TWIN_INGEST_ACCEPTED] != TWINS ||
            twin_ingest_get_health(ing, sigs[TWINS - 1], &h, NULL) != TWIN_OK ||
            twin_health_get_stats(&h, &hs, NULL) != TWIN_OK || hs.samples != 1) {
            printf("fw: the health models did not run\n");
            return 1;
        }
    }
    report("health_models", twin_ingest_signal_count(ing));
    report("health_state_bytes", sizeof(twin_health));
    report("arena_ingest_used", twin_arena_used(&arena) - before);
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
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    return 0;
}
