/* Footprint: the least a firmware using the asset graph and impact analysis
 * links. A graph in a fixed arena, two twins with a property, a
 * relationship, the compact adjacency and one traversal; no output. Its size
 * minus fw_empty's is the flash cost of libtwin's core (and of what it
 * needs from the C library). */
#include "board.h"

#include <twin/twin.h>

int main(void);

static unsigned char buf[16 * 1024] FW_ARENA;

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
    twin_graph_destroy(g);
    return rc;
}
