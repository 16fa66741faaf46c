/* Footprint: a firmware that calls every public function of the core
 * (twin.h, graph.h, impact.h) once, in a fixed arena; no output. Its size
 * minus fw_empty's is the flash cost of the whole core API, the upper bound
 * of what linking libtwin costs. */
#include "board.h"

#include <twin/twin.h>

int main(void);

static unsigned char buf[16 * 1024] FW_ARENA;

int main(void)
{
    twin_arena arena;
    twin_allocator alloc;
    twin_graph_options o;
    twin_impact_options io;
    twin_graph *g;
    twin_impact *q;
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    twin_impact_hit hit = {sizeof hit, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
    twin_value v = twin_value_int(1);
    const twin_value *pv;
    const twin_member *pm;
    const char *id, *model, *root = "a";
    size_t n;
    unsigned long sum = 0;

    sum += (unsigned long)twin_version_number() + twin_version()[0] +
           twin_strerror(TWIN_E_NOMEM)[0] + (twin_allocator_default() != NULL);
    twin_arena_init(&arena, buf, sizeof buf, &alloc);
    twin_graph_options_init(&o);
    o.alloc = &alloc;
    if (twin_graph_create(&g, &o) != TWIN_OK) return 1;
    sum += (unsigned long)twin_graph_add_twin(g, "a", "dtmi:example:A;1", NULL, 0);
    sum += (unsigned long)twin_graph_add_twin(g, "b", "dtmi:example:B;1", NULL, 0);
    sum += (unsigned long)twin_graph_set_model(g, "b", "dtmi:example:C;1");
    sum += (unsigned long)twin_graph_find_twin(g, "b", &model);
    sum += (unsigned long)twin_graph_set_property(g, "a", "p", &v);
    sum += (unsigned long)twin_graph_get_property(g, "a", "p", &pv);
    sum += (unsigned long)twin_graph_get_properties(g, "a", &pm, &n);
    sum += (unsigned long)twin_graph_remove_property(g, "a", "p");
    sum += (unsigned long)twin_graph_add_relationship(g, "a", "r", "feeds", "b", NULL, 0);
    sum += (unsigned long)twin_graph_set_relationship_property(g, "a", "r", "w", &v);
    sum += (unsigned long)twin_graph_find_relationship(g, "a", "r", &r);
    sum += (unsigned long)twin_graph_remove_relationship_property(g, "a", "r", "w");
    sum += twin_graph_twin_count(g) + twin_graph_relationship_count(g);
    sum += (unsigned long)twin_graph_twins_begin(g, &c);
    while (twin_graph_twins_next(g, &c, &id, &model) == TWIN_OK) sum++;
    sum += (unsigned long)twin_graph_relationships_begin(g, &c, "a", TWIN_DIRECTION_BOTH, NULL);
    while (twin_graph_relationships_next(g, &c, &r) == TWIN_OK) sum++;
    sum += (unsigned long)twin_graph_optimize(g);
    twin_impact_options_init(&io);
    io.rule = TWIN_IMPACT_ATTENUATE;
    if (twin_impact_create(&q, g, &alloc) == TWIN_OK) {
        sum += (unsigned long)twin_impact_run(q, &root, 1, &io, NULL, NULL);
        sum += twin_impact_count(q) + (unsigned long)twin_impact_get(q, 0, &hit);
        sum += (unsigned long)twin_impact_last_error(q)->status;
        twin_impact_destroy(q);
    }
    sum += (unsigned long)twin_graph_remove_relationship(g, "a", "r");
    sum += (unsigned long)twin_graph_remove_twin(g, "b", TWIN_REMOVE_RELATIONSHIPS);
    sum += (unsigned long)twin_graph_last_error(g)->status;
    twin_graph_destroy(g);
    sum += twin_arena_used(&arena) + twin_arena_peak(&arena);
    twin_arena_reset(&arena);
    return sum == 0;
}
