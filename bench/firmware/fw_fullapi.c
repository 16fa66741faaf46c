/* Footprint: a firmware that calls every public function of the core
 * (twin.h, graph.h, impact.h, health.h, and the part of dtdl.h that needs
 * no JSON parser) once, in a fixed arena; no output. Its size
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
    {
        /* health: a signal's whole life */
        twin_health_options ho;
        twin_health h;
        twin_health_event ev;
        twin_health_rul rul;
        twin_health_stats st;
        twin_error err;
        double x, mean[2], cov[4];
        twin_health_options_init(&ho);
        sum += (unsigned long)twin_health_init(&h, &ho, 0, &err);
        ev.size = sizeof ev;
        sum += (unsigned long)twin_health_update(&h, &ho, 1000000, 0.13, &ev, &err);
        sum += (unsigned long)twin_health_predict(&h, &ho, 2000000, &x, &err);
        sum += (unsigned long)twin_health_get_score(&h, &ho, 2000000, &x, &err);
        sum += (unsigned long)twin_health_get_time_to(&h, &ho, 0.5, &x, &err);
        rul.size = sizeof rul;
        sum += (unsigned long)twin_health_get_rul(&h, &ho, 0.05, 0.95, &rul, &err);
        sum += (unsigned long)twin_health_get_posterior(&h, mean, cov, &err);
        st.size = sizeof st;
        sum += (unsigned long)twin_health_get_stats(&h, &st, &err);
        sum += (unsigned long)twin_health_set_failure_level(&h, &ho, 1.2, &err);
        {
            twin_health_packed hp;
            sum += (unsigned long)twin_health_pack(&h, &hp, &err);
            sum += (unsigned long)twin_health_unpack(&hp, &h, &err);
        }
        {
            unsigned char eb[TWIN_HEALTH_OPTIONS_ENCODED_MAX];
            size_t en = 0;
            sum += (unsigned long)twin_health_encode(&h, eb, sizeof eb, &en, &err);
            sum += (unsigned long)twin_health_decode(&h, eb, en, &err);
            sum += (unsigned long)twin_health_options_encode(&ho, eb, sizeof eb, &en, &err);
            sum += (unsigned long)twin_health_options_decode(&ho, eb, en, &err);
        }
    }
    {
        /* DTDL without JSON: a model set from its binary form */
        static const unsigned char form[64];
        twin_models_options mo;
        twin_models *m;
        twin_graph_validator v;
        twin_dtmi_info d;
        twin_models_options_init(&mo);
        mo.alloc = &alloc;
        if (twin_models_load(&m, form, sizeof form, &mo) == TWIN_OK) {
            const twin_dtdl_elem *e = twin_models_interface(m, 0);
            uint32_t lo, hi;
            const char *str;
            int64_t num;
            twin_value tv = twin_value_int(3);
            sum += twin_models_interface_count(m) + (twin_models_find(m, "dtmi:a:b;1") != NULL);
            sum += twin_dtdl_kind_of(e) + twin_dtdl_id(e)[0] + twin_dtdl_name(e)[0] +
                   (unsigned long)twin_dtdl_version(e) + twin_dtdl_display_name(e, "en")[0] +
                   twin_dtdl_description(e, NULL)[0] + twin_dtdl_comment(e)[0] +
                   twin_dtdl_primitive_of(e) + twin_dtdl_primitive_name(TWIN_DTDL_DOUBLE)[0] +
                   (twin_dtdl_link(e, TWIN_DTDL_SCHEMA) != NULL) + twin_dtdl_count(e, TWIN_DTDL_CONTENTS) +
                   (twin_dtdl_at(e, TWIN_DTDL_CONTENTS, 0) != NULL) + (twin_dtdl_content(e, "x") != NULL) +
                   (unsigned long)twin_dtdl_is_a(e, e) + (unsigned long)twin_dtdl_writable(e) +
                   (unsigned long)twin_dtdl_multiplicity(e, &lo, &hi) + twin_dtdl_cotype_count(e) +
                   (twin_dtdl_cotype(e, 0) != NULL) + twin_dtdl_semantic_type(e)[0] + twin_dtdl_unit(e)[0] +
                   (unsigned long)twin_dtdl_enum_value(e, &str, &num) +
                   (unsigned long)twin_dtdl_check_value(e, &tv, NULL, 0);
            v.size = sizeof v;
            sum += (unsigned long)twin_models_validator(m, TWIN_MODELS_CHECK_ALL, &v);
            sum += (unsigned long)twin_models_resolve(m) + twin_models_diag_count(m) +
                   (twin_models_diag(m, 0) != NULL) + (unsigned long)twin_models_last_error(m).status;
            twin_models_destroy(m);
            twin_models_close(NULL);  /* the 1.2 name */
        }
        d.size = sizeof d;
        sum += (unsigned long)twin_dtmi_parse("dtmi:a:b;1", 10, &d);
    }
    sum += twin_arena_used(&arena) + twin_arena_peak(&arena);
    twin_arena_reset(&arena);
    return sum == 0;
}
