/* Sweep cases of the core, graph and impact modules. */
#include <check.h>
#include <string.h>

#include "sweep.h"

static void setup_graph(sw_ctx *c)
{
    sw_graph(c);
}

static void setup_big(sw_ctx *c)
{
    sw_graph_big(c);
}

static void setup_impact_big(sw_ctx *c)
{
    sw_graph_big(c);
    ck_assert_int_eq(twin_impact_create(&c->q, c->g, &c->fa->alloc), TWIN_OK);
}

static twin_status call_graph_create(sw_ctx *c)
{
    twin_graph_options o;
    twin_graph_options_init(&o);
    o.alloc = &c->fa->alloc;
    return twin_graph_create(&c->g, &o);
}

static twin_status call_add_twin(sw_ctx *c)
{
    twin_member m[2];
    m[0].name = "newprop";
    m[0].value = twin_value_string("a fresh string value");
    m[1].name = "speed";
    m[1].value = twin_value_int(7);
    return twin_graph_add_twin(c->g, "new1", "dtmi:t:New;1", m, 2);
}

static twin_status call_remove_twin(sw_ctx *c)
{
    return twin_graph_remove_twin(c->g, "motor1", TWIN_REMOVE_RELATIONSHIPS);
}

static twin_status call_set_model(sw_ctx *c)
{
    return twin_graph_set_model(c->g, "pump2", "dtmi:t:Other;2");
}

static twin_status call_set_property(sw_ctx *c)
{
    twin_value items[2];
    twin_value v;
    items[0] = twin_value_double(1.5);
    items[1] = twin_value_string("two");
    v = twin_value_array(items, 2);
    return twin_graph_set_property(c->g, "motor1", "fresh", &v);
}

static twin_status call_remove_property(sw_ctx *c)
{
    return twin_graph_remove_property(c->g, "pump1", "tag");
}

static twin_status call_add_relationship(sw_ctx *c)
{
    twin_member m;
    m.name = "weight";
    m.value = twin_value_double(0.5);
    return twin_graph_add_relationship(c->g, "pump2", "r9", "returns", "motor1", &m, 1);
}

static twin_status call_remove_relationship(sw_ctx *c)
{
    return twin_graph_remove_relationship(c->g, "pump1", "r1");
}

static twin_status call_set_rel_property(sw_ctx *c)
{
    twin_value v = twin_value_string("new relationship property");
    return twin_graph_set_relationship_property(c->g, "motor1", "r2", "note", &v);
}

static twin_status call_remove_rel_property(sw_ctx *c)
{
    return twin_graph_remove_relationship_property(c->g, "pump1", "r1", "speed");
}

static twin_status call_optimize(sw_ctx *c)
{
    return twin_graph_optimize(c->g);
}

static twin_status hook(void *ud, const twin_graph *g, const twin_change *ch)
{
    (void)ud;
    (void)g;
    (void)ch;
    return TWIN_OK;
}

static twin_status call_add_hook(sw_ctx *c)
{
    return twin_graph_add_change_hook(c->g, hook, c);
}

static void setup_hooks(sw_ctx *c)
{
    sw_graph(c);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(twin_graph_add_change_hook(c->g, hook, &c->u[i]), TWIN_OK);
}

static twin_status call_remove_hook(sw_ctx *c)
{
    return twin_graph_remove_change_hook(c->g, hook, &c->u[1]);
}

static twin_status call_impact_create(sw_ctx *c)
{
    return twin_impact_create(&c->q, c->g, &c->fa->alloc);
}

static void setup_impact(sw_ctx *c)
{
    sw_graph(c);
    ck_assert_int_eq(twin_impact_create(&c->q, c->g, &c->fa->alloc), TWIN_OK);
}

static twin_status call_impact_run(sw_ctx *c)
{
    const char *roots[] = {"motor1"};
    twin_impact_options o;
    twin_impact_options_init(&o);
    o.attenuation = 0.5;
    o.rule = TWIN_IMPACT_ATTENUATE;
    return twin_impact_run(c->q, roots, 1, &o, NULL, NULL);
}

const sw_case sw_cases_graph[] = {
    {"graph_create", "twin_graph_create twin_graph_options_init_", NULL, call_graph_create, 0, 0},
    {"graph_add_twin", "twin_graph_add_twin", setup_graph, call_add_twin, 0, 0},
    {"graph_remove_twin", "twin_graph_remove_twin", setup_graph, call_remove_twin, 0, 0},
    {"graph_set_model", "twin_graph_set_model", setup_graph, call_set_model, 0, 0},
    {"graph_set_property", "twin_graph_set_property", setup_graph, call_set_property, 0, 0},
    {"graph_remove_property", "twin_graph_remove_property", setup_graph, call_remove_property,
     0, 0},
    {"graph_add_relationship", "twin_graph_add_relationship", setup_graph,
     call_add_relationship, 0, 0},
    {"graph_remove_relationship", "twin_graph_remove_relationship", setup_graph,
     call_remove_relationship, 0, 0},
    {"graph_set_relationship_property", "twin_graph_set_relationship_property", setup_graph,
     call_set_rel_property, 0, 0},
    {"graph_remove_relationship_property", "twin_graph_remove_relationship_property",
     setup_graph, call_remove_rel_property, 0, 0},
    {"graph_optimize", "twin_graph_optimize", setup_graph, call_optimize, 0, 0},
    {"graph_add_change_hook", "twin_graph_add_change_hook", setup_graph, call_add_hook, 0, 0},
    {"graph_remove_change_hook", "twin_graph_remove_change_hook", setup_hooks,
     call_remove_hook, 0, 0},
    {"impact_create", "twin_impact_create", setup_graph, call_impact_create, 0, 0},
    {"impact_run", "twin_impact_run twin_impact_options_init_", setup_impact, call_impact_run,
     0, 0},
    /* the same on a graph past its first growth points */
    {"graph_add_twin_big", "twin_graph_add_twin", setup_big, call_add_twin, 0, 0},
    {"graph_set_property_big", "twin_graph_set_property", setup_big, call_set_property, 0, 0},
    {"graph_add_relationship_big", "twin_graph_add_relationship", setup_big,
     call_add_relationship, 0, 0},
    {"graph_remove_twin_big", "twin_graph_remove_twin", setup_big, call_remove_twin, 0, 0},
    {"graph_optimize_big", "twin_graph_optimize", setup_big, call_optimize, 0, 0},
    {"impact_run_big", "twin_impact_run", setup_impact_big, call_impact_run, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

/* ---- functions that do not allocate ---- */

static twin_status na_core(sw_ctx *c)
{
    unsigned char buf[256];
    twin_arena a;
    twin_allocator al;
    void *p;
    (void)c;
    if (!twin_allocator_default() || !*twin_strerror(TWIN_E_NOMEM) || !*twin_version() ||
        twin_version_number() == 0)
        SW_FAIL();
    if (twin_arena_init(&a, buf, sizeof buf, &al) != TWIN_OK) SW_FAIL();
    p = al.alloc(al.ud, 32);
    if (!p || twin_arena_used(&a) < 32 || twin_arena_peak(&a) < 32) SW_FAIL();
    twin_arena_reset(&a);
    SW_CHECK(twin_arena_used(&a) == 0);
    return TWIN_OK;
}

static twin_status na_graph_read(sw_ctx *c)
{
    const char *model = NULL, *id = NULL;
    const twin_value *v = NULL;
    const twin_member *mm = NULL;
    size_t n = 0, k = 0;
    twin_relationship r;
    twin_cursor cur;
    twin_graph_options o;
    if (twin_graph_options_init(&o) != TWIN_OK) SW_FAIL();
    if (twin_graph_twin_count(c->g) != 3 || twin_graph_relationship_count(c->g) != 2)
        SW_FAIL();
    if (twin_graph_find_twin(c->g, "pump1", &model) != TWIN_OK) SW_FAIL();
    if (twin_graph_get_property(c->g, "pump1", "tag", &v) != TWIN_OK) SW_FAIL();
    if (twin_graph_get_properties(c->g, "pump1", &mm, &n) != TWIN_OK || n != 2)
        SW_FAIL();
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    if (twin_graph_find_relationship(c->g, "pump1", "r1", &r) != TWIN_OK) SW_FAIL();
    if (twin_graph_twins_begin(c->g, &cur) != TWIN_OK) SW_FAIL();
    while (twin_graph_twins_next(c->g, &cur, &id, &model) == TWIN_OK) k++;
    if (twin_graph_relationships_begin(c->g, &cur, "pump1", TWIN_DIRECTION_BOTH, NULL) != TWIN_OK)
        SW_FAIL();
    while (twin_graph_relationships_next(c->g, &cur, &r) == TWIN_OK) k++;
    SW_CHECK(k == 5);
    SW_CHECK(twin_graph_find_twin(c->g, "nobody", &model) == TWIN_E_NOTFOUND);
    SW_CHECK(twin_graph_last_error(c->g) != NULL);
    return TWIN_OK;
}

static twin_status na_graph_destroy(sw_ctx *c)
{
    twin_graph_destroy(c->g);
    c->g = NULL;
    return TWIN_OK;
}

static void setup_impact_ran(sw_ctx *c)
{
    setup_impact(c);
    ck_assert_int_eq(call_impact_run(c), TWIN_OK);
}

static twin_status na_impact_read(sw_ctx *c)
{
    twin_impact_hit h;
    twin_impact_options o;
    if (twin_impact_options_init(&o) != TWIN_OK) SW_FAIL();
    SW_CHECK(twin_impact_count(c->q) == 3);
    memset(&h, 0, sizeof h);
    h.size = sizeof h;
    if (twin_impact_get(c->q, 1, &h) != TWIN_OK) SW_FAIL();
    if (twin_impact_get(c->q, 99, &h) == TWIN_OK) SW_FAIL();
    SW_CHECK(twin_impact_last_error(c->q) != NULL);
    twin_impact_destroy(c->q);
    c->q = NULL;
    return TWIN_OK;
}

const sw_noalloc sw_noalloc_graph[] = {
    {"twin_allocator_default twin_strerror twin_version twin_version_number twin_arena_init "
     "twin_arena_used twin_arena_peak twin_arena_reset",
     "static data, or an arena over the caller's buffer", NULL, na_core},
    {"twin_graph_options_init_ twin_graph_twin_count twin_graph_relationship_count "
     "twin_graph_find_twin twin_graph_get_property twin_graph_get_properties "
     "twin_graph_find_relationship twin_graph_twins_begin twin_graph_twins_next "
     "twin_graph_relationships_begin twin_graph_relationships_next twin_graph_last_error",
     "readers: borrowed pointers into the graph, errors in a fixed buffer", setup_graph,
     na_graph_read},
    {"twin_graph_destroy", "only frees", setup_graph, na_graph_destroy},
    {"twin_impact_count twin_impact_get twin_impact_last_error twin_impact_destroy",
     "readers of a finished run; destroy only frees", setup_impact_ran, na_impact_read},
    {NULL, NULL, NULL, NULL},
};
