/* Factory demo: a small bottling line as an asset graph.
 *
 * Builds a site with two lines of conveyors, motors and sensors, gives them
 * typed properties (including a nested nameplate object), then answers a
 * few questions a plant engineer asks: what is on conveyor C, what does it
 * feed, what happens when a motor is decommissioned. */
#include <twin/twin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static twin_graph *g;

static void check(twin_status s, const char *what)
{
    if (s < 0) {
        fprintf(stderr, "factory: %s: %s\n", what, twin_graph_last_error(g)->message);
        twin_graph_destroy(g);
        exit(1);
    }
}

static void twin(const char *id, const char *model, const char *name)
{
    twin_member p[1];
    p[0].name = "displayName";
    p[0].value = twin_value_string(name);
    check(twin_graph_add_twin(g, id, model, p, 1), id);
}

static void rel(const char *src, const char *id, const char *name, const char *dst)
{
    check(twin_graph_add_relationship(g, src, id, name, dst, NULL, 0), id);
}

static void print_value(const twin_value *v)
{
    switch (v->type) {
    case TWIN_VALUE_NULL: printf("null"); break;
    case TWIN_VALUE_BOOL: printf(v->as.b ? "true" : "false"); break;
    case TWIN_VALUE_INT: printf("%lld", (long long)v->as.i); break;
    case TWIN_VALUE_DOUBLE: printf("%g", v->as.d); break;
    case TWIN_VALUE_STRING: printf("\"%s\"", v->as.s); break;
    case TWIN_VALUE_ARRAY:
        printf("[");
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) printf(", ");
            print_value(&v->as.items[i]);
        }
        printf("]");
        break;
    case TWIN_VALUE_OBJECT:
        printf("{");
        for (uint32_t i = 0; i < v->len; i++) {
            printf("%s%s: ", i ? ", " : "", v->as.members[i].name);
            print_value(&v->as.members[i].value);
        }
        printf("}");
        break;
    }
}

static void show_twin(const char *id)
{
    const char *model;
    const twin_member *props;
    size_t n;
    check(twin_graph_find_twin(g, id, &model), id);
    check(twin_graph_get_properties(g, id, &props, &n), id);
    printf("  %-12s %-32s", id, model);
    for (size_t i = 0; i < n; i++) {
        printf(" %s=", props[i].name);
        print_value(&props[i].value);
    }
    printf("\n");
}

static double motor_health(void *ud, const char *twin_id)
{
    (void)ud;
    return strcmp(twin_id, "vib-C") == 0 ? 0.9 : 1.0;
}

/* Who is affected if `root` degrades to health `h`: follow what it is part
 * of and what that feeds, downstream, and the sensors located in them. */
static void impact(const char *root, double h)
{
    static const twin_impact_follow follow[] = {
        {"partOf", TWIN_DIRECTION_OUTGOING, 0},
        {"feeds", TWIN_DIRECTION_OUTGOING, 0},
        {"locatedIn", TWIN_DIRECTION_INCOMING, 0},
    };
    twin_impact *q;
    twin_impact_options o;
    twin_impact_hit hit;
    twin_impact_options_init(&o);
    o.follow = follow;
    o.nfollow = 3;
    o.rule = TWIN_IMPACT_ATTENUATE;
    o.attenuation = 0.8;
    o.root_health = h;
    o.health = motor_health;
    check(twin_impact_create(&q, g, NULL), "impact");
    if (twin_impact_run(q, &root, 1, &o, NULL, NULL) < 0) {
        fprintf(stderr, "factory: impact: %s\n", twin_impact_last_error(q)->message);
        exit(1);
    }
    printf("  %-5s %-12s %-7s %s\n", "depth", "twin", "health", "reached by");
    for (size_t i = 0; i < twin_impact_count(q); i++) {
        hit.size = sizeof hit;
        twin_impact_get(q, i, &hit);
        printf("  %-5u %-12s %-7.2f", hit.depth, hit.twin_id, hit.score);
        if (hit.via_id) {
            /* The relationship runs from its source to the other end. */
            const char *target = strcmp(hit.via_source_id, hit.parent_id) == 0 ? hit.twin_id
                                                                               : hit.parent_id;
            printf(" %s -%s-> %s", hit.via_source_id, hit.via_name, target);
        }
        printf("\n");
    }
    twin_impact_destroy(q);
}

static void neighbours(const char *id, twin_direction dir, const char *name)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    check(twin_graph_relationships_begin(g, &c, id, dir, name), id);
    while (twin_graph_relationships_next(g, &c, &r) == TWIN_OK)
        printf("  %-12s -%s-> %s\n", r.source_id, r.name, r.target_id);
}

int main(void)
{
    twin_cursor c;
    const char *id, *model;
    twin_member plate[3];
    twin_value nameplate, speed[3];
    size_t n = 0;

    check(twin_graph_create(&g, NULL), "create");

    twin("site", "dtmi:factory:Site;1", "Bottling plant Lyon");
    twin("line-1", "dtmi:factory:Line;1", "Filling line 1");
    twin("line-2", "dtmi:factory:Line;1", "Packing line 2");
    twin("conveyor-A", "dtmi:factory:Conveyor;1", "Infeed conveyor");
    twin("conveyor-B", "dtmi:factory:Conveyor;1", "Filler conveyor");
    twin("conveyor-C", "dtmi:factory:Conveyor;1", "Capper conveyor");
    twin("conveyor-D", "dtmi:factory:Conveyor;1", "Labeller conveyor");
    twin("motor-C", "dtmi:factory:Motor;1", "Drive motor C");
    twin("vib-C", "dtmi:factory:VibrationSensor;1", "Bearing accelerometer");
    twin("palletiser", "dtmi:factory:Palletiser;1", "End-of-line palletiser");

    rel("line-1", "site", "partOf", "site");
    rel("line-2", "site", "partOf", "site");
    rel("conveyor-A", "line", "partOf", "line-1");
    rel("conveyor-B", "line", "partOf", "line-1");
    rel("conveyor-C", "line", "partOf", "line-1");
    rel("conveyor-D", "line", "partOf", "line-2");
    rel("conveyor-A", "feeds-B", "feeds", "conveyor-B");
    rel("conveyor-B", "feeds-C", "feeds", "conveyor-C");
    rel("conveyor-C", "feeds-D", "feeds", "conveyor-D");
    rel("conveyor-D", "feeds-P", "feeds", "palletiser");
    rel("motor-C", "drives", "partOf", "conveyor-C");
    rel("vib-C", "mount", "locatedIn", "motor-C");

    /* Typed properties: a nested nameplate and an array of set points. */
    plate[0].name = "manufacturer";
    plate[0].value = twin_value_string("ACME Drives");
    plate[1].name = "ratedPowerKW";
    plate[1].value = twin_value_double(7.5);
    plate[2].name = "serial";
    plate[2].value = twin_value_int(40213);
    nameplate = twin_value_object(plate, 3);
    check(twin_graph_set_property(g, "motor-C", "nameplate", &nameplate), "nameplate");
    speed[0] = twin_value_int(900);
    speed[1] = twin_value_int(1200);
    speed[2] = twin_value_int(1500);
    {
        twin_value sp = twin_value_array(speed, 3);
        check(twin_graph_set_property(g, "motor-C", "speedSetpointsRpm", &sp), "setpoints");
    }

    printf("libtwin %s: factory demo\n\n", twin_version());
    printf("Twins (%zu) and relationships (%zu):\n", twin_graph_twin_count(g),
           twin_graph_relationship_count(g));
    check(twin_graph_twins_begin(g, &c), "iterate");
    while (twin_graph_twins_next(g, &c, &id, &model) == TWIN_OK) show_twin(id);

    printf("\nWhat is mounted on conveyor-C (incoming partOf)?\n");
    neighbours("conveyor-C", TWIN_DIRECTION_INCOMING, "partOf");
    printf("\nWhat does conveyor-C feed, and what feeds it?\n");
    neighbours("conveyor-C", TWIN_DIRECTION_BOTH, "feeds");

    printf("\nIf motor-C degrades to health 0.3, who is affected (each hop passes on 80%%"
           " of the loss)?\n");
    check(twin_graph_optimize(g), "optimize");
    impact("motor-C", 0.3);

    printf("\nA duplicate twin is refused with a reason:\n");
    if (twin_graph_add_twin(g, "motor-C", "dtmi:factory:Motor;1", NULL, 0) < 0)
        printf("  %s: %s\n", twin_strerror(twin_graph_last_error(g)->status),
               twin_graph_last_error(g)->message);
    printf("Removing motor-C while it still has relationships is refused:\n");
    if (twin_graph_remove_twin(g, "motor-C", 0) < 0)
        printf("  %s: %s\n", twin_strerror(twin_graph_last_error(g)->status),
               twin_graph_last_error(g)->message);
    check(twin_graph_remove_twin(g, "motor-C", TWIN_REMOVE_RELATIONSHIPS), "decommission");
    check(twin_graph_twins_begin(g, &c), "iterate");
    while (twin_graph_twins_next(g, &c, &id, NULL) == TWIN_OK) n++;
    printf("Decommissioned motor-C with its relationships: %zu twins, %zu relationships left\n",
           n, twin_graph_relationship_count(g));

    twin_graph_destroy(g);
    return 0;
}
