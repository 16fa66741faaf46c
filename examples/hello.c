/* The smallest libtwin program: print the version, build a two-twin graph. */
#include <twin/twin.h>

#include <stdio.h>

int main(void)
{
    twin_graph *g;
    const char *model;
    twin_status s;

    printf("libtwin %s (headers %s)\n", twin_version(), TWIN_VERSION_STRING);
    if ((s = twin_graph_create(&g, NULL)) != TWIN_OK) {
        fprintf(stderr, "create: %s\n", twin_strerror(s));
        return 1;
    }
    if ((s = twin_graph_add_twin(g, "motor-1", "dtmi:example:Motor;1", NULL, 0)) != TWIN_OK ||
        (s = twin_graph_add_twin(g, "conveyor-C", "dtmi:example:Conveyor;1", NULL, 0)) != TWIN_OK ||
        (s = twin_graph_add_relationship(g, "motor-1", "r1", "partOf", "conveyor-C", NULL, 0)) != TWIN_OK) {
        fprintf(stderr, "build: %s\n", twin_graph_last_error(g)->message);
        twin_graph_destroy(g);
        return 1;
    }
    twin_graph_find_twin(g, "motor-1", &model);
    printf("motor-1 is a %s; %zu twins, %zu relationships\n", model,
           twin_graph_twin_count(g), twin_graph_relationship_count(g));
    twin_graph_destroy(g);
    return 0;
}
