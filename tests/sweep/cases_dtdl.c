/* Sweep cases of the DTDL model set. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"

#define CTX                                                                              \
    "\"@context\":[\"dtmi:dtdl:context;3\",\"dtmi:dtdl:extension:quantitativeTypes;1\"]"

static const char doc[] =
    "[{" CTX ",\"@id\":\"dtmi:t:Base;1\",\"@type\":\"Interface\","
    "\"displayName\":{\"en\":\"Base\",\"de\":\"Basis\"},\"comment\":\"base\","
    "\"contents\":[{\"@type\":\"Property\",\"name\":\"tag\",\"schema\":\"string\","
    "\"writable\":true}]},"
    "{" CTX ",\"@id\":\"dtmi:t:Pump;1\",\"@type\":\"Interface\",\"extends\":\"dtmi:t:Base;1\","
    "\"description\":\"a pump\","
    "\"schemas\":[{\"@id\":\"dtmi:t:Mode;1\",\"@type\":\"Enum\",\"valueSchema\":\"string\","
    "\"enumValues\":[{\"name\":\"off\",\"enumValue\":\"OFF\"},{\"name\":\"on\","
    "\"enumValue\":\"ON\"}]}],"
    "\"contents\":[{\"@type\":[\"Telemetry\",\"Temperature\"],\"name\":\"temp\","
    "\"schema\":\"double\",\"unit\":\"degreeCelsius\"},"
    "{\"@type\":\"Property\",\"name\":\"speed\",\"schema\":\"double\"},"
    "{\"@type\":\"Property\",\"name\":\"mode\",\"schema\":\"dtmi:t:Mode;1\"},"
    "{\"@type\":\"Property\",\"name\":\"pos\",\"schema\":{\"@type\":\"Object\",\"fields\":["
    "{\"name\":\"x\",\"schema\":\"double\"},{\"name\":\"y\",\"schema\":\"double\"}]}},"
    "{\"@type\":\"Relationship\",\"name\":\"feeds\",\"target\":\"dtmi:t:Pump;1\","
    "\"maxMultiplicity\":3}]}]";

static const char bad_doc[] =
    "{" CTX ",\"@id\":\"dtmi:t:Bad;1\",\"@type\":\"Interface\","
    "\"contents\":[{\"@type\":\"Property\",\"name\":\"x\",\"schema\":\"dtmi:t:Nowhere;1\"}]}";

static void opts(sw_ctx *c, twin_models_options *o)
{
    twin_models_options_init(o);
    o->alloc = &c->fa->alloc;
}

static twin_status call_create(sw_ctx *c)
{
    twin_models_options o;
    opts(c, &o);
    return twin_models_create(&c->m, &o);
}

static twin_status call_open(sw_ctx *c)
{
    twin_models_options o;
    opts(c, &o);
    return twin_models_open(&c->m, &o);
}

static void setup_m(sw_ctx *c)
{
    ck_assert_int_eq(call_create(c), TWIN_OK);
}

static twin_status call_add(sw_ctx *c)
{
    return twin_models_add(c->m, doc, strlen(doc), "doc.json");
}

static void setup_file(sw_ctx *c)
{
    char path[] = "/tmp/sweep-dtdl-XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    ck_assert(fd >= 0);
    f = fdopen(fd, "w");
    ck_assert(f != NULL);
    ck_assert_uint_eq(fwrite(doc, 1, strlen(doc), f), strlen(doc));
    fclose(f);
    c->aux = strdup(path);
    setup_m(c);
}

static twin_status call_add_file(sw_ctx *c)
{
    twin_status s = twin_models_add_file(c->m, c->aux);
    unlink(c->aux);  /* each run writes its own file */
    return s;
}

static void setup_added(sw_ctx *c)
{
    setup_m(c);
    ck_assert_int_eq(call_add(c), TWIN_OK);
}

static twin_status call_resolve(sw_ctx *c)
{
    return twin_models_resolve(c->m);
}

static void setup_resolved(sw_ctx *c)
{
    setup_added(c);
    ck_assert_int_eq(call_resolve(c), TWIN_OK);
}

typedef struct obuf {
    unsigned char *p;
    size_t n, cap;
} obuf;

static twin_status ob_write(void *ud, const void *data, size_t n)
{
    obuf *b = ud;
    sw_test_code++;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert(b->p != NULL);
    }
    sw_test_code--;
    memcpy(b->p + b->n, data, n);
    b->n += n;
    return TWIN_OK;
}

static twin_status call_save(sw_ctx *c)
{
    obuf b = {0};
    twin_status s = twin_models_save(c->m, ob_write, &b);
    free(b.p);
    return s;
}

static void setup_saved(sw_ctx *c)
{
    obuf b = {0};
    setup_resolved(c);
    ck_assert_int_eq(twin_models_save(c->m, ob_write, &b), TWIN_OK);
    twin_models_destroy(c->m);
    c->m = NULL;
    c->aux = b.p;
    c->aux_n = b.n;
}

static twin_status call_load(sw_ctx *c)
{
    twin_models_options o;
    opts(c, &o);
    return twin_models_load(&c->m, c->aux, c->aux_n, &o);
}

static twin_status call_check_json(sw_ctx *c)
{
    const twin_dtdl_elem *pump = twin_models_find(c->m, "dtmi:t:Pump;1");
    const twin_dtdl_elem *pos = twin_dtdl_content(pump, "pos");
    const twin_dtdl_elem *schema = twin_dtdl_link(pos, TWIN_DTDL_SCHEMA);
    static const char json[] = "{\"x\": 1.5, \"y\": 2}";
    SW_CHECK(schema != NULL);
    /* a conforming value: out of memory must not read as "does not conform" */
    return twin_dtdl_check_json(schema, json, strlen(json), c->text, sizeof c->text);
}

/* A graph validated by the model set: adding a twin runs the checks. */
static void setup_validated(sw_ctx *c)
{
    twin_graph_options go;
    twin_graph_validator v;
    setup_resolved(c);
    memset(&v, 0, sizeof v);
    v.size = sizeof v;
    ck_assert_int_eq(twin_models_validator(c->m, TWIN_MODELS_CHECK_ALL, &v), TWIN_OK);
    twin_graph_options_init(&go);
    go.alloc = &c->fa->alloc;
    go.validator = &v;
    ck_assert_int_eq(twin_graph_create(&c->g, &go), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(c->g, "p0", "dtmi:t:Pump;1", NULL, 0), TWIN_OK);
}

static twin_status call_validated_add(sw_ctx *c)
{
    twin_member m[3];
    twin_member f[2];
    m[0].name = "speed";
    m[0].value = twin_value_double(2);
    m[1].name = "mode";
    m[1].value = twin_value_string("ON");
    f[0].name = "x";
    f[0].value = twin_value_double(1);
    f[1].name = "y";
    f[1].value = twin_value_double(2);
    m[2].name = "pos";
    m[2].value = twin_value_object(f, 2);
    return twin_graph_add_twin(c->g, "p1", "dtmi:t:Pump;1", m, 3);
}

static twin_status call_validated_rel(sw_ctx *c)
{
    twin_status s = call_validated_add(c);
    if (s != TWIN_OK) return s;
    s = twin_graph_add_relationship(c->g, "p0", "f1", "feeds", "p1", NULL, 0);
    if (s != TWIN_OK) {
        /* undo the twin so that a failure leaves the state as it was */
        SW_CHECK(twin_graph_remove_twin(c->g, "p1", 0) == TWIN_OK);
    }
    return s;
}

static void setup_ing_models(sw_ctx *c)
{
    setup_resolved(c);
}

static twin_status call_resolver_from_models(sw_ctx *c)
{
    twin_ingest_resolver r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    return twin_ingest_resolver_from_models(c->m, &r);
}

const sw_case sw_cases_dtdl[] = {
    {"models_create", "twin_models_create twin_models_options_init_", NULL, call_create, 0, 0},
    {"models_open", "twin_models_open", NULL, call_open, 0, 0},
    {"models_add", "twin_models_add", setup_m, call_add, 0, 0},
    {"models_add_file", "twin_models_add_file", setup_file, call_add_file, 0, 0},
    {"models_resolve", "twin_models_resolve", setup_added, call_resolve, 0, 0},
    {"models_save", "twin_models_save", setup_resolved, call_save, 0, 0},
    {"models_load", "twin_models_load", setup_saved, call_load, 0, 0},
    {"dtdl_check_json", "twin_dtdl_check_json", setup_resolved, call_check_json, 0, 0},
    {"graph_validated_add_twin", "twin_models_validator", setup_validated, call_validated_add, 0,
     0},
    {"graph_validated_add_relationship", "twin_models_validator", setup_validated,
     call_validated_rel, 0, 0},
    {"ingest_resolver_from_models", "twin_ingest_resolver_from_models", setup_ing_models,
     call_resolver_from_models, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

/* ---- functions that do not allocate ---- */

static twin_status na_read(sw_ctx *c)
{
    const twin_dtdl_elem *pump = twin_models_find(c->m, "dtmi:t:Pump;1");
    const twin_dtdl_elem *base = twin_models_find(c->m, "dtmi:t:Base;1");
    const twin_dtdl_elem *temp, *mode, *feeds, *ev, *e;
    const char *str = NULL;
    int64_t num = 0;
    uint32_t lo = 0, hi = 0;
    twin_value v;
    SW_CHECK(pump && base);
    SW_CHECK(twin_models_interface_count(c->m) == 2 && twin_models_interface(c->m, 0));
    SW_CHECK(twin_dtdl_kind_of(pump) == TWIN_DTDL_INTERFACE);
    SW_CHECK(strcmp(twin_dtdl_id(pump), "dtmi:t:Pump;1") == 0);
    SW_CHECK(twin_dtdl_version(pump) == 3);
    SW_CHECK(strcmp(twin_dtdl_display_name(base, "de"), "Basis") == 0);
    SW_CHECK(strcmp(twin_dtdl_description(pump, "en"), "a pump") == 0);
    SW_CHECK(strcmp(twin_dtdl_comment(base), "base") == 0);
    SW_CHECK(twin_dtdl_is_a(pump, base) == 1);
    SW_CHECK(twin_dtdl_count(pump, TWIN_DTDL_CONTENTS) == 6);
    SW_CHECK(twin_dtdl_at(pump, TWIN_DTDL_EXTENDS, 0) == base);
    temp = twin_dtdl_content(pump, "temp");
    SW_CHECK(temp && strcmp(twin_dtdl_name(temp), "temp") == 0);
    SW_CHECK(strcmp(twin_dtdl_unit(temp), "degreeCelsius") == 0);
    SW_CHECK(twin_dtdl_cotype_count(temp) == 1 && twin_dtdl_cotype(temp, 0));
    SW_CHECK(twin_dtdl_semantic_type(temp) != NULL);
    e = twin_dtdl_link(temp, TWIN_DTDL_SCHEMA);
    SW_CHECK(e && twin_dtdl_primitive_of(e) != 0);
    SW_CHECK(twin_dtdl_primitive_name(twin_dtdl_primitive_of(e)) != NULL);
    SW_CHECK(twin_dtdl_writable(twin_dtdl_content(pump, "tag")) == 1);
    feeds = twin_dtdl_content(pump, "feeds");
    SW_CHECK(twin_dtdl_multiplicity(feeds, &lo, &hi) == TWIN_OK && hi == 3);
    mode = twin_dtdl_link(twin_dtdl_content(pump, "mode"), TWIN_DTDL_SCHEMA);
    SW_CHECK(mode != NULL);
    ev = twin_dtdl_at(mode, TWIN_DTDL_ENUM_VALUES, 1);
    SW_CHECK(ev && twin_dtdl_enum_value(ev, &str, &num) == TWIN_OK && strcmp(str, "ON") == 0);
    v = twin_value_string("ON");
    SW_CHECK(twin_dtdl_check_value(mode, &v, c->text, sizeof c->text) == TWIN_OK);
    v = twin_value_string("MAYBE");
    SW_CHECK(twin_dtdl_check_value(mode, &v, c->text, sizeof c->text) == TWIN_E_CONSTRAINT);
    SW_CHECK(twin_models_last_error(c->m).message != NULL);
    return TWIN_OK;
}

static void setup_diag(sw_ctx *c)
{
    setup_m(c);
    ck_assert_int_eq(twin_models_add(c->m, bad_doc, strlen(bad_doc), "bad.json"), TWIN_OK);
    ck_assert_int_ne(twin_models_resolve(c->m), TWIN_OK);
}

static twin_status na_diag(sw_ctx *c)
{
    SW_CHECK(twin_models_diag_count(c->m) >= 1);
    SW_CHECK(twin_models_diag(c->m, 0) != NULL);
    return TWIN_OK;
}

static twin_status na_dtmi(sw_ctx *c)
{
    twin_dtmi_info in;
    (void)c;
    memset(&in, 0, sizeof in);
    in.size = sizeof in;
    SW_CHECK(twin_dtmi_parse("dtmi:com:example:Pump;2", 23, &in) == TWIN_OK && in.labels == 3);
    return TWIN_OK;
}

static twin_status na_destroy(sw_ctx *c)
{
    twin_models_destroy(c->m);
    c->m = NULL;
    return TWIN_OK;
}

static twin_status na_close(sw_ctx *c)
{
    twin_models_close(c->m);
    c->m = NULL;
    return TWIN_OK;
}

static twin_status na_validator(sw_ctx *c)
{
    twin_graph_validator v;
    memset(&v, 0, sizeof v);
    v.size = sizeof v;
    SW_CHECK(twin_models_validator(c->m, TWIN_MODELS_CHECK_ALL, &v) == TWIN_OK);
    return TWIN_OK;
}

const sw_noalloc sw_noalloc_dtdl[] = {
    {"twin_models_find twin_models_interface_count twin_models_interface twin_dtdl_kind_of "
     "twin_dtdl_id twin_dtdl_version twin_dtdl_display_name twin_dtdl_description "
     "twin_dtdl_comment twin_dtdl_is_a twin_dtdl_count twin_dtdl_at twin_dtdl_content "
     "twin_dtdl_name twin_dtdl_unit twin_dtdl_cotype_count twin_dtdl_cotype "
     "twin_dtdl_semantic_type twin_dtdl_link twin_dtdl_primitive_of twin_dtdl_primitive_name "
     "twin_dtdl_writable twin_dtdl_multiplicity twin_dtdl_enum_value twin_dtdl_check_value "
     "twin_models_last_error",
     "readers of the resolved element tree; check_value writes into the caller's buffer",
     setup_resolved, na_read},
    {"twin_models_diag_count twin_models_diag", "diagnostics were made by resolve",
     setup_diag, na_diag},
    {"twin_dtmi_parse", "parses in place", NULL, na_dtmi},
    {"twin_models_validator", "fills the caller's struct", setup_resolved, na_validator},
    {"twin_models_destroy", "only frees", setup_resolved, na_destroy},
    {"twin_models_close", "only frees", setup_resolved, na_close},
    {NULL, NULL, NULL, NULL},
};
