/* Size-first structs (twin/core.h, "Structs that grow"): for each struct a
 * caller passes in or gets out, an older caller is simulated with a smaller
 * `size` (a later field cut off).
 * - Inputs: the call succeeds and the cut-off fields take their defaults;
 *   the bytes past `size` hold values that would fail the call (or be
 *   seen) if they were read.
 * - Outputs: only `size` bytes are written (the rest of the caller's
 *   buffer keeps a canary pattern) and `size` keeps the caller's value.
 * - Fillers write the whole struct as published and nothing past it.
 * - A larger size than the library's is TWIN_E_ABI; below 8 bytes,
 *   TWIN_E_INVAL.
 * - Structs the library hands to callbacks carry the library's size. */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin.h"
#include "twin/sqlite.h"
#include "twin/sparkplug.h"
#include "sqlite/sq_fixture.h"
#include "support/run.h"

#define CANARY 0xA5u
#define MODEL "dtmi:t:M;1"
#define JSON_MODEL                                                                         \
    "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"" MODEL "\",\"@type\":\"Interface\","  \
    "\"contents\":[{\"@type\":\"Property\",\"name\":\"p\",\"schema\":\"double\"},"          \
    "{\"@type\":\"Telemetry\",\"name\":\"v\",\"schema\":\"double\"},"                     \
    "{\"@type\":\"Relationship\",\"name\":\"r\"}]}"

/* A caller's struct in a buffer of canary bytes, its size set. */
typedef union cbuf {
    unsigned char b[8192];
    max_align_t align_;
} cbuf;

static void *canary(cbuf *c, size_t size)
{
    uint32_t n = (uint32_t)size;
    memset(c->b, CANARY, sizeof c->b);
    memcpy(c->b, &n, sizeof n);
    return c->b;
}

/* Every byte from `from` to `lib` + 64 is still the canary, and size kept. */
static void untouched_past(const cbuf *c, size_t from, size_t lib, size_t size)
{
    uint32_t n;
    memcpy(&n, c->b, sizeof n);
    ck_assert_uint_eq(n, size);
    for (size_t i = from; i < lib + 64; i++)
        ck_assert_msg(c->b[i] == CANARY, "byte %zu of a %zu-byte struct written", i, size);
}

/* Some byte below `size` (past the size field) was written. */
static void written_before(const cbuf *c, size_t size)
{
    size_t k = 0;
    for (size_t i = 4; i < size; i++) k += c->b[i] != CANARY;
    ck_assert_msg(k > 0, "nothing written within size %zu", size);
}

static int flag_called;

/* ---- a small world: models, graph with twins a -> b, ingest, store ---------------- */

static twin_models *m;
static twin_graph *g;

static void world_setup(void)
{
    twin_graph_validator v = {sizeof v, 0, NULL, NULL, NULL};
    twin_graph_options o;
    flag_called = 0;
    ck_assert_int_eq(twin_models_create(&m, NULL), TWIN_OK);
    ck_assert_int_eq(twin_models_add(m, JSON_MODEL, strlen(JSON_MODEL), "m"), TWIN_OK);
    ck_assert_int_eq(twin_models_resolve(m), TWIN_OK);
    ck_assert_int_eq(twin_models_validator(m, TWIN_MODELS_CHECK_ALL, &v), TWIN_OK);
    twin_graph_options_init(&o);
    o.validator = &v;
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "a", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "b", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "a", "ab", "r", "b", NULL, 0), TWIN_OK);
}

static void world_teardown(void)
{
    twin_graph_destroy(g);
    twin_models_destroy(m);
    g = NULL;
    m = NULL;
}

/* ---- inputs ------------------------------------------------------------------------ */

static void *ud_alloc(void *ud, size_t n)
{
    if (ud) flag_called = 1;  /* ud past the size must read as NULL */
    return malloc(n);
}
static void *ud_realloc(void *ud, void *p, size_t o, size_t n)
{
    (void)o;
    if (ud) flag_called = 1;
    return realloc(p, n);
}
static void ud_free(void *ud, void *p, size_t n)
{
    (void)n;
    if (ud) flag_called = 1;
    free(p);
}

START_TEST(test_allocator_older_size_defaults_ud)
{
    twin_allocator a = {sizeof a, 0, ud_alloc, ud_realloc, ud_free, &flag_called};
    twin_graph_options o;
    twin_graph *h;
    a.size = offsetof(twin_allocator, ud);
    twin_graph_options_init(&o);
    o.alloc = &a;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(h, "x", MODEL, NULL, 0), TWIN_OK);
    twin_graph_destroy(h);
    ck_assert_int_eq(flag_called, 0);
    a.size = offsetof(twin_allocator, free);  /* a required function cut off */
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_E_INVAL);
    a.size = sizeof a + 8;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_E_ABI);
    a.size = 4;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_graph_options_older_size_defaults_hints)
{
    twin_graph_options o;
    twin_graph *h;
    twin_graph_options_init(&o);
    o.size = offsetof(twin_graph_options, twin_capacity);  /* as in 1.0 */
    o.twin_capacity = o.relationship_capacity = o.string_capacity = UINT32_MAX;
    o.reserved_ = 1;  /* invalid if read */
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_OK);
    twin_graph_destroy(h);
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_E_ABI);
    o.size = 4;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_graph_options_init_older_size_writes_only_size)
{
    cbuf c;
    twin_graph_options *o = canary(&c, offsetof(twin_graph_options, twin_capacity));
    ck_assert_int_eq(twin_graph_options_init_(o, offsetof(twin_graph_options, twin_capacity)),
                     TWIN_OK);
    ck_assert_ptr_null(o->alloc);
    ck_assert_ptr_null(o->validator);
    untouched_past(&c, offsetof(twin_graph_options, twin_capacity), sizeof *o,
                   offsetof(twin_graph_options, twin_capacity));
    ck_assert_int_eq(twin_graph_options_init_(o, sizeof *o + 8), TWIN_E_ABI);
    ck_assert_int_eq(twin_graph_options_init_(o, 4), TWIN_E_INVAL);
}
END_TEST

static twin_status reject_rel(void *ud, const char *name, const char *sm, const char *tm,
                              const twin_member *p, size_t n, char *msg, size_t cap)
{
    (void)ud, (void)name, (void)sm, (void)tm, (void)p, (void)n, (void)msg, (void)cap;
    flag_called = 1;
    return TWIN_E_CONSTRAINT;
}

START_TEST(test_graph_validator_older_size_defaults_callbacks)
{
    twin_graph_validator v = {sizeof v, 0, NULL, NULL, reject_rel};
    twin_graph_options o;
    twin_graph *h;
    v.size = offsetof(twin_graph_validator, check_relationship);
    twin_graph_options_init(&o);
    o.validator = &v;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(h, "x", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(h, "x", "xx", "r", "x", NULL, 0), TWIN_OK);
    ck_assert_int_eq(flag_called, 0);
    twin_graph_destroy(h);
    v.size = sizeof v + 8;
    ck_assert_int_eq(twin_graph_create(&h, &o), TWIN_E_ABI);
}
END_TEST

START_TEST(test_models_options_older_size_defaults_limits)
{
    twin_models_options o;
    twin_models *x;
    twin_models_options_init(&o);
    o.size = offsetof(twin_models_options, max_dtdl_version);
    o.max_dtdl_version = 1;      /* out of range if read */
    o.max_document_bytes = 1;    /* would refuse the document */
    o.nacceptable_limits = 3;    /* with a NULL list: invalid */
    ck_assert_int_eq(twin_models_create(&x, &o), TWIN_OK);
    ck_assert_int_eq(twin_models_add(x, JSON_MODEL, strlen(JSON_MODEL), "m"), TWIN_OK);
    twin_models_destroy(x);
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_models_create(&x, &o), TWIN_E_ABI);
    ck_assert_ptr_null(x);
}
END_TEST

START_TEST(test_impact_options_older_size_defaults)
{
    twin_impact_options o;
    twin_impact *q;
    const char *root = "a";
    twin_impact_options_init(&o);
    o.size = offsetof(twin_impact_options, follow);
    o.nfollow = 1;          /* NULL follow: invalid if read */
    o.max_depth = 0;        /* roots only if read */
    o.rule = 99;            /* unknown if read */
    ck_assert_int_eq(twin_impact_create(&q, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_run(q, &root, 1, &o, NULL, NULL), TWIN_OK);
    ck_assert_uint_eq(twin_impact_count(q), 2);  /* max_depth took its default */
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_impact_run(q, &root, 1, &o, NULL, NULL), TWIN_E_ABI);
    twin_impact_destroy(q);
}
END_TEST

static twin_status resolve_ud(void *ud, const char *twin_id, const char *model_id,
                              const char *signal, const char **unit)
{
    (void)twin_id, (void)model_id, (void)signal;
    if (ud) flag_called = 1;
    *unit = NULL;
    return TWIN_OK;
}

START_TEST(test_ingest_options_and_resolver_older_size)
{
    twin_ingest_resolver r = {sizeof r, 0, resolve_ud, &flag_called};
    twin_ingest_options o;
    twin_ingest *ing;
    twin_signal s;
    r.size = offsetof(twin_ingest_resolver, ud);
    twin_ingest_options_init(&o);
    o.size = offsetof(twin_ingest_options, signal_capacity);
    o.resolver = &r;
    o.signal_capacity = o.twin_capacity = UINT32_MAX;  /* out of memory if read */
    ck_assert_int_eq(twin_ingest_create(&ing, g, &o), TWIN_OK);
    ck_assert_int_eq(twin_ingest_resolve(ing, "a", "v", NULL, &s), TWIN_OK);
    ck_assert_int_eq(flag_called, 0);
    twin_ingest_destroy(ing);
    r.size = offsetof(twin_ingest_resolver, resolve);  /* the callback cut off */
    ck_assert_int_eq(twin_ingest_create(&ing, g, &o), TWIN_E_INVAL);
    r.size = sizeof r + 8;
    ck_assert_int_eq(twin_ingest_create(&ing, g, &o), TWIN_E_ABI);
    r.size = sizeof r;
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_ingest_create(&ing, g, &o), TWIN_E_ABI);
}
END_TEST

START_TEST(test_signal_options_older_size_defaults)
{
    twin_signal_options so;
    twin_ingest *ing;
    twin_signal s;
    twin_signal_sample x[2] = {{0, 10, 1.0}, {0, 5, 1.0}};
    uint8_t out[2];
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    twin_signal_options_init(&so);
    so.size = offsetof(twin_signal_options, reorder_window_us);
    so.order = TWIN_INGEST_ORDER_WINDOW;
    so.reorder_window_us = 100;
    so.history = 100000;  /* out of range if read */
    ck_assert_int_eq(twin_ingest_add_signal(ing, "a", "v", &so, &s), TWIN_OK);
    /* the window took its default, 0: the older sample is out of order */
    x[0].signal = x[1].signal = s;
    ck_assert_int_eq(twin_ingest_write_signals(ing, x, 2, out, NULL), TWIN_OK);
    ck_assert_uint_eq(out[1], TWIN_INGEST_OUT_OF_ORDER);
    so.size = sizeof so + 8;
    ck_assert_int_eq(twin_ingest_set_signal_options(ing, s, &so), TWIN_E_ABI);
    twin_ingest_destroy(ing);
}
END_TEST

/* The health options as 1.2 callers could have them: recalibration cut off. */
#define HOPT_OLD offsetof(twin_health_options, recalibration)

static void bad_tail(twin_health_options *o)
{
    o->recalibration = 99;    /* unknown if read */
    o->ema_alpha = -1;        /* out of range if read */
    o->recal_noise[0] = NAN;  /* not finite if read */
}

START_TEST(test_health_options_older_size_defaults_in_every_call)
{
    twin_health_options o;
    twin_health h;
    twin_health_event ev;
    twin_health_rul r;
    double v, s;
    twin_health_options_init(&o);
    o.prior_mean[0] = log(0.12);
    o.prior_mean[1] = 1e-6;
    o.size = HOPT_OLD;
    bad_tail(&o);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    ev.size = sizeof ev;
    ck_assert_int_eq(twin_health_update(&h, &o, 1000000, 0.13, &ev, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_predict(&h, &o, 2000000, &v, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_score(&h, &o, 2000000, &s, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_get_time_to(&h, &o, 0.5, &s, NULL), TWIN_OK);
    r.size = sizeof r;
    ck_assert_int_eq(twin_health_get_rul(&h, &o, 0.05, 0.95, &r, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_set_failure_level(&h, &o, 2.0, NULL), TWIN_OK);
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_health_update(&h, &o, 3000000, 0.13, NULL, NULL), TWIN_E_ABI);
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_E_ABI);
    o.size = 4;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_E_INVAL);
}
END_TEST

START_TEST(test_health_options_init_older_size_writes_only_size)
{
    cbuf c;
    twin_health_options *o = canary(&c, HOPT_OLD);
    ck_assert_int_eq(twin_health_options_init_(o, HOPT_OLD), TWIN_OK);
    ck_assert_int_eq(o->model, TWIN_HEALTH_EXPONENTIAL);
    ck_assert(o->divergence_threshold == 0.2);
    untouched_past(&c, HOPT_OLD, sizeof *o, HOPT_OLD);
}
END_TEST

static double u_predict(void *ud, const void *st, double t)
{
    (void)ud, (void)st, (void)t;
    return 1.0;
}
static twin_status u_update(void *ud, void *st, double t, double v, int32_t d)
{
    (void)ud, (void)st, (void)t, (void)v, (void)d;
    return TWIN_OK;
}

START_TEST(test_health_user_model_older_size_defaults_functions)
{
    twin_health_model u = {sizeof u, 8, NULL, NULL, u_predict, u_update};
    twin_health_options o;
    twin_health h;
    twin_health_options_init(&o);
    o.model = TWIN_HEALTH_USER;
    o.user = &u;
    o.failure_level = 2.0;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_OK);
    u.size = offsetof(twin_health_model, update);  /* update (required) cut off */
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_E_INVAL);
    u.size = sizeof u + 8;
    ck_assert_int_eq(twin_health_init(&h, &o, 0, NULL), TWIN_E_ABI);
}
END_TEST

START_TEST(test_ingest_attach_health_older_options)
{
    twin_health_options o, got;
    twin_ingest *ing;
    twin_signal s;
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "a", "v", NULL, &s), TWIN_OK);
    twin_health_options_init(&o);
    o.size = HOPT_OLD;
    bad_tail(&o);
    ck_assert_int_eq(twin_ingest_attach_health(ing, s, &o, 0), TWIN_OK);
    ck_assert_int_eq(twin_ingest_get_health(ing, s, NULL, &got), TWIN_OK);
    ck_assert_uint_eq(got.size, sizeof got);  /* filled whole */
    ck_assert_int_eq(got.recalibration, TWIN_HEALTH_RECAL_NONE);
    ck_assert(got.ema_alpha == 0.3);
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_ingest_attach_health(ing, s, &o, 0), TWIN_E_ABI);
    twin_ingest_destroy(ing);
}
END_TEST

/* Two runs of one sensor rising to failure. */
static const uint32_t fl_run[] = {0, 0, 0, 0, 1, 1, 1, 1};
static const int64_t fl_t[] = {0, 10, 20, 30, 0, 10, 20, 30};
static const double fl_s[] = {1.0, 1.4, 2.1, 2.9, 1.1, 1.5, 1.9, 3.0};

static void fleet_of(twin_health_fleet *f)
{
    memset(f, 0, sizeof *f);
    f->size = sizeof *f;
    f->nsensors = 1;
    f->nrows = 8;
    f->run = fl_run;
    f->t_us = fl_t;
    f->sensors = fl_s;
}

START_TEST(test_health_fleet_and_fusion_older_size)
{
    twin_health_fleet f;
    twin_health_fusion *u = malloc(sizeof *u), *old = malloc(sizeof *u);
    double x = 2.0, full, cut;
    fleet_of(&f);
    f.size = offsetof(twin_health_fleet, settings);
    f.settings = (const double *)&flag_called;  /* never read with 0 settings anyway */
    ck_assert_int_eq(twin_health_fusion_fit(u, &f, 1, 0, NULL), TWIN_OK);
    ck_assert_uint_eq(u->size, sizeof *u);
    f.size = sizeof f + 8;
    ck_assert_int_eq(twin_health_fusion_fit(u, &f, 1, 0, NULL), TWIN_E_ABI);
    /* a fusion of an older (smaller) layout: bias cut off reads as 0 */
    ck_assert_int_eq(twin_health_fusion_apply(u, &x, NULL, &full, NULL, NULL), TWIN_OK);
    *old = *u;
    old->size = offsetof(twin_health_fusion, bias);
    ck_assert_int_eq(twin_health_fusion_apply(old, &x, NULL, &cut, NULL, NULL), TWIN_OK);
    ck_assert_double_eq_tol(cut, full - u->bias, 1e-12);
    old->size = sizeof *old + 8;
    ck_assert_int_eq(twin_health_fusion_apply(old, &x, NULL, &cut, NULL, NULL), TWIN_E_ABI);
    free(u);
    free(old);
}
END_TEST

static twin_status fail_flush(void *ud)
{
    (void)ud;
    flag_called = 1;
    return TWIN_E_IO;
}

START_TEST(test_store_options_and_callbacks_older_size)
{
    twin_store_callbacks cb;
    twin_store_options o;
    twin_store *st;
    memset(&cb, 0, sizeof cb);
    cb.size = offsetof(twin_store_callbacks, flush);
    cb.flush = fail_flush;
    twin_store_options_init(&o);
    o.size = offsetof(twin_store_options, outbox_bytes);
    o.outbox_bytes = 1;  /* out of range if read */
    o.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&st, g, &o), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(st, "c", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_int_eq(flag_called, 0);
    twin_store_destroy(st);
    cb.size = sizeof cb + 8;
    ck_assert_int_eq(twin_store_create(&st, g, &o), TWIN_E_ABI);
    cb.size = sizeof cb;
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_store_create(&st, g, &o), TWIN_E_ABI);
}
END_TEST

static int twins_given;
static twin_status ld_twin(void *ud, twin_store_twin *t)
{
    (void)ud;
    ck_assert_uint_eq(t->size, sizeof *t);  /* the library's size */
    if (twins_given++) return TWIN_DONE;
    t->id = "z";
    t->model_id = MODEL;
    return TWIN_OK;
}
static twin_status ld_signal(void *ud, twin_store_loaded_signal *s)
{
    (void)ud, (void)s;
    flag_called = 1;
    return TWIN_E_IO;
}

START_TEST(test_store_loader_older_size_defaults_functions)
{
    twin_store_loader ld;
    twin_ingest *ing;
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    memset(&ld, 0, sizeof ld);
    ld.size = offsetof(twin_store_loader, next_signal);
    ld.next_twin = ld_twin;
    ld.next_signal = ld_signal;
    twins_given = 0;
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_OK);
    ck_assert_int_eq(flag_called, 0);
    ck_assert_uint_eq(twin_graph_twin_count(g), 1);
    ld.size = sizeof ld + 8;
    ck_assert_int_eq(twin_store_load(g, ing, &ld), TWIN_E_ABI);
    ck_assert_int_eq(twin_graph_last_error(g)->status, TWIN_E_ABI);
    twin_ingest_destroy(ing);
}
END_TEST

/* ---- outputs ----------------------------------------------------------------------- */

#define OUT_CHECK(T, cut, call)                                          \
    do {                                                                 \
        cbuf c_;                                                         \
        T *out = canary(&c_, (cut));                                     \
        ck_assert_int_eq((call), TWIN_OK);                               \
        written_before(&c_, (cut));                                      \
        untouched_past(&c_, (cut), sizeof(T), (cut));                    \
        canary(&c_, sizeof(T) + 8);                                      \
        ck_assert_int_eq((call), TWIN_E_ABI);                            \
        untouched_past(&c_, 4, sizeof(T), sizeof(T) + 8);                \
        canary(&c_, 4);                                                  \
        ck_assert_int_eq((call), TWIN_E_INVAL);                          \
    } while (0)

START_TEST(test_relationship_views_older_size)
{
    twin_cursor cur;
    OUT_CHECK(twin_relationship, offsetof(twin_relationship, source_id),
              twin_graph_find_relationship(g, "a", "ab", out));
    OUT_CHECK(twin_relationship, offsetof(twin_relationship, source_id),
              (twin_graph_relationships_begin(g, &cur, "a", TWIN_DIRECTION_OUTGOING, NULL),
               twin_graph_relationships_next(g, &cur, out)));
}
END_TEST

START_TEST(test_impact_hit_older_size)
{
    twin_impact *q;
    const char *root = "a";
    ck_assert_int_eq(twin_impact_create(&q, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_run(q, &root, 1, NULL, NULL, NULL), TWIN_OK);
    OUT_CHECK(twin_impact_hit, offsetof(twin_impact_hit, score), twin_impact_get(q, 1, out));
    twin_impact_destroy(q);
}
END_TEST

START_TEST(test_dtmi_info_older_size)
{
    OUT_CHECK(twin_dtmi_info, offsetof(twin_dtmi_info, path_len),
              twin_dtmi_parse("dtmi:a:b;1#f", 12, out));
}
END_TEST

START_TEST(test_models_validator_older_size)
{
    OUT_CHECK(twin_graph_validator, offsetof(twin_graph_validator, check_relationship),
              twin_models_validator(m, TWIN_MODELS_CHECK_ALL, out));
}
END_TEST

static void health_state(twin_health *h, twin_health_options *o)
{
    twin_health_options_init(o);
    o->prior_mean[0] = log(0.12);
    ck_assert_int_eq(twin_health_init(h, o, 0, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_update(h, o, 1000000, 0.13, NULL, NULL), TWIN_OK);
}

START_TEST(test_health_outputs_older_size)
{
    twin_health h, h2;
    twin_health_options o;
    health_state(&h, &o);
    OUT_CHECK(twin_health_stats, offsetof(twin_health_stats, t0_us),
              twin_health_get_stats(&h, out, NULL));
    OUT_CHECK(twin_health_rul, offsetof(twin_health_rul, upper),
              twin_health_get_rul(&h, &o, 0.05, 0.95, out, NULL));
    OUT_CHECK(twin_health_event, offsetof(twin_health_event, recalibrations),
              (h2 = h, twin_health_update(&h2, &o, 2000000, 0.14, out, NULL)));
}
END_TEST

/* A tiny fleet for the RUL predictor: 4 runs of 40 cycles, one sensor
 * rising towards failure. */
#define PR_RUNS 4
#define PR_LEN 40
static uint32_t pr_run[PR_RUNS * PR_LEN];
static int64_t pr_t[PR_RUNS * PR_LEN];
static double pr_x[PR_RUNS * PR_LEN];

static void predictor_fleet(twin_health_fleet *f)
{
    for (uint32_t r = 0, i = 0; r < PR_RUNS; r++)
        for (uint32_t k = 0; k < PR_LEN; k++, i++) {
            pr_run[i] = r;
            pr_t[i] = (int64_t)k * 1000000;
            pr_x[i] = 1.0 + 0.01 * (double)(k * k) / (1.0 + r) + 0.001 * (double)(i % 7);
        }
    memset(f, 0, sizeof *f);
    f->size = sizeof *f;
    f->nsensors = 1;
    f->nrows = PR_RUNS * PR_LEN;
    f->run = pr_run;
    f->t_us = pr_t;
    f->sensors = pr_x;
}

START_TEST(test_health_predictor_structs_older_size)
{
    cbuf c;
    twin_health_fleet fl;
    twin_health_predictor *m;
    twin_health_predictor_info info;
    twin_health_track t;
    twin_health_predictor_params *p =
        canary(&c, offsetof(twin_health_predictor_params, trees));
    /* init writes only the older size */
    ck_assert_int_eq(twin_health_predictor_params_init_(
                         p, offsetof(twin_health_predictor_params, trees)), TWIN_OK);
    ck_assert_uint_eq(p->nregimes, 1);
    untouched_past(&c, offsetof(twin_health_predictor_params, trees), sizeof *p,
                   offsetof(twin_health_predictor_params, trees));
    ck_assert_int_eq(twin_health_predictor_params_init_(p, sizeof *p + 8), TWIN_E_ABI);
    /* fit: the fields past the older size (canary bytes, invalid) take
       their defaults; a newer size is refused */
    canary(&c, offsetof(twin_health_predictor_params, trees));
    p->nregimes = 1;
    predictor_fleet(&fl);
    ck_assert_int_eq(twin_health_predictor_fit(&m, &fl, p, NULL, NULL), TWIN_OK);
    info.size = sizeof info;
    ck_assert_int_eq(twin_health_predictor_get_info(m, &info, NULL), TWIN_OK);
    ck_assert_uint_eq(info.trees, 300);
    ck_assert_uint_eq(info.depth, 5);
    ck_assert(info.horizon == 125);
    /* a fleet of an older size is read over zeroed later fields */
    fl.size = offsetof(twin_health_fleet, settings);
    {
        twin_health_predictor *m2;
        twin_health_predictor_params q;
        twin_health_predictor_params_init(&q);
        q.trees = 5;
        ck_assert_int_eq(twin_health_predictor_fit(&m2, &fl, &q, NULL, NULL), TWIN_OK);
        twin_health_predictor_destroy(m2);
        p = canary(&c, sizeof q + 8);
        ck_assert_int_eq(twin_health_predictor_fit(&m2, &fl, p, NULL, NULL), TWIN_E_ABI);
    }
    /* outputs */
    OUT_CHECK(twin_health_predictor_info, offsetof(twin_health_predictor_info, horizon),
              twin_health_predictor_get_info(m, out, NULL));
    ck_assert_int_eq(twin_health_track_init(m, &t, NULL), TWIN_OK);
    ck_assert_int_eq(twin_health_track_update(m, &t, pr_x, NULL, NULL), TWIN_OK);
    OUT_CHECK(twin_health_rul_estimate, offsetof(twin_health_rul_estimate, horizon),
              twin_health_track_get_rul(m, &t, out, NULL));
    twin_health_predictor_destroy(m);
}
END_TEST

/* libtwin-mqtt: its options and stats by the same rules (the header-only
 * helper it shares with libtwin). */
START_TEST(test_sparkplug_structs_older_size)
{
    cbuf c, c2;
    twin_ingest *ing;
    twin_sp_edge *e;
    twin_sp_host *h;
    twin_sp_edge_options *eo;
    twin_sp_host_options *ho;
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    /* an edge's options cut before bdseq: the rest (invalid canary bytes)
       takes the defaults */
    eo = canary(&c, offsetof(twin_sp_edge_options, bdseq));
    ck_assert_int_eq(twin_sp_edge_options_init_(eo, offsetof(twin_sp_edge_options, bdseq)),
                     TWIN_OK);
    untouched_past(&c, offsetof(twin_sp_edge_options, bdseq), sizeof *eo,
                   offsetof(twin_sp_edge_options, bdseq));
    eo->group_id = "g";
    eo->node_id = "n";
    ck_assert_int_eq(twin_sp_edge_create(&e, g, ing, eo), TWIN_OK);
    OUT_CHECK(twin_sp_edge_stats, offsetof(twin_sp_edge_stats, metrics),
              twin_sp_edge_get_stats(e, out));
    twin_sp_edge_destroy(e);
    eo = canary(&c2, sizeof(twin_sp_edge_options) + 8);
    ck_assert_int_eq(twin_sp_edge_create(&e, g, ing, eo), TWIN_E_ABI);
    /* a host's options cut before the callback: the reorder timeout stays
       within, the callback takes its default (none) */
    ho = canary(&c, offsetof(twin_sp_host_options, on_event));
    ck_assert_int_eq(twin_sp_host_options_init_(ho, offsetof(twin_sp_host_options, on_event)),
                     TWIN_OK);
    ck_assert(ho->reorder_timeout_us == 2000000);
    ho->host_id = "h";
    ck_assert_int_eq(twin_sp_host_create(&h, ho), TWIN_OK);
    OUT_CHECK(twin_sp_host_stats, offsetof(twin_sp_host_stats, metrics),
              twin_sp_host_get_stats(h, out));
    twin_sp_host_destroy(h);
    twin_ingest_destroy(ing);
}
END_TEST

static const int64_t run_t[] = {0, 1000000, 2000000, 3000000};
static const double run_a[] = {0.12, 0.13, 0.15, 0.18}, run_b[] = {0.11, 0.125, 0.14, 0.17},
                    run_c[] = {0.10, 0.12, 0.15, 0.20};

START_TEST(test_health_fit_prior_older_size)
{
    twin_health_run runs[3] = {{run_t, run_a, 4}, {run_t, run_b, 4}, {run_t, run_c, 4}};
    cbuf c;
    twin_health_options *o = canary(&c, offsetof(twin_health_options, noise));
    const size_t cut = offsetof(twin_health_options, noise);
    o->model = TWIN_HEALTH_EXPONENTIAL;
    o->phi = 0;
    ck_assert_int_eq(twin_health_fit_prior(o, runs, 3, NULL), TWIN_OK);
    ck_assert(isfinite(o->prior_mean[1]));  /* written: within size */
    untouched_past(&c, cut, sizeof *o, cut);  /* noise, failure_level: not */
    o->size = sizeof *o + 8;
    ck_assert_int_eq(twin_health_fit_prior(o, runs, 3, NULL), TWIN_E_ABI);
}
END_TEST

START_TEST(test_ingest_stats_older_size)
{
    twin_ingest *ing;
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    OUT_CHECK(twin_ingest_stats, offsetof(twin_ingest_stats, events),
              twin_ingest_get_stats(ing, 0, out));
    twin_ingest_destroy(ing);
}
END_TEST

START_TEST(test_store_stats_older_size)
{
    twin_store *st;
    ck_assert_int_eq(twin_store_create(&st, g, NULL), TWIN_OK);
    OUT_CHECK(twin_store_stats, offsetof(twin_store_stats, confirmed_samples),
              twin_store_get_stats(st, out));
    twin_store_destroy(st);
}
END_TEST

/* ---- fillers: the whole struct as published, nothing past it ------------------------ */

#define FILL_CHECK(T, call)                                              \
    do {                                                                 \
        cbuf c_;                                                         \
        T *out = canary(&c_, 0);                                         \
        ck_assert_int_eq((call), TWIN_OK);                               \
        ck_assert_uint_eq(out->size, sizeof(T));                         \
        for (size_t i_ = sizeof(T); i_ < sizeof(T) + 64; i_++)           \
            ck_assert_uint_eq(c_.b[i_], CANARY);                         \
    } while (0)

START_TEST(test_fillers_write_the_published_struct)
{
    twin_arena a;
    static unsigned char buf[256];
    twin_health_fleet f;
    twin_ingest *ing;
    twin_signal s;
    twin_health_options o;
    twin_health_options_init(&o);
    fleet_of(&f);
    FILL_CHECK(twin_allocator, twin_arena_init(&a, buf, sizeof buf, out));
    FILL_CHECK(twin_ingest_resolver, twin_ingest_resolver_from_models(m, out));
    FILL_CHECK(twin_health_fusion, twin_health_fusion_fit(out, &f, 1, 0, NULL));
    ck_assert_int_eq(twin_ingest_create(&ing, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_add_signal(ing, "a", "v", NULL, &s), TWIN_OK);
    ck_assert_int_eq(twin_ingest_attach_health(ing, s, &o, 0), TWIN_OK);
    FILL_CHECK(twin_health_options, twin_ingest_get_health(ing, s, NULL, out));
    twin_ingest_destroy(ing);
}
END_TEST

/* ---- structs given to callbacks carry the library's size ---------------------------- */

static twin_status hook(void *ud, const twin_graph *gr, const twin_change *c)
{
    (void)ud, (void)gr;
    ck_assert_uint_eq(c->size, sizeof *c);
    flag_called++;
    return TWIN_OK;
}
static int visit(void *ud, const twin_impact_hit *h)
{
    (void)ud;
    ck_assert_uint_eq(h->size, sizeof *h);
    flag_called++;
    return 0;
}
static void on_event(void *ud, const twin_ingest_event *ev)
{
    (void)ud;
    ck_assert_uint_eq(ev->size, sizeof *ev);
    flag_called++;
}
static twin_status put_signal(void *ud, const twin_store_signal *s)
{
    (void)ud;
    ck_assert_uint_eq(s->size, sizeof *s);
    flag_called++;
    return TWIN_OK;
}
static twin_status put_rel(void *ud, const twin_relationship *r)
{
    (void)ud;
    ck_assert_uint_eq(r->size, sizeof *r);
    flag_called++;
    return TWIN_OK;
}

START_TEST(test_callback_structs_carry_library_size)
{
    twin_impact *q;
    const char *root = "a";
    twin_store_callbacks cb;
    twin_store_options so;
    twin_ingest_options io;
    twin_store *st;
    twin_ingest *ing;
    twin_signal s;
    twin_signal_options sig;
    twin_signal_sample x = {0, 1, 2.0};
    ck_assert_int_eq(twin_graph_add_change_hook(g, hook, NULL), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "h", MODEL, NULL, 0), TWIN_OK);
    ck_assert_int_eq(flag_called, 2);
    ck_assert_int_eq(twin_graph_remove_change_hook(g, hook, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_create(&q, g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_impact_run(q, &root, 1, NULL, visit, NULL), TWIN_OK);
    ck_assert_int_eq(flag_called, 4);
    twin_impact_destroy(q);
    memset(&cb, 0, sizeof cb);
    cb.size = sizeof cb;
    cb.put_signal = put_signal;
    cb.put_relationship = put_rel;
    twin_store_options_init(&so);
    so.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&st, g, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.store = st;
    io.on_event = on_event;
    ck_assert_int_eq(twin_ingest_create(&ing, g, &io), TWIN_OK);
    twin_signal_options_init(&sig);
    sig.alarm_high = 1.0;  /* the sample crosses it: an event */
    ck_assert_int_eq(twin_ingest_add_signal(ing, "a", "v", &sig, &s), TWIN_OK);
    x.signal = s;
    ck_assert_int_eq(twin_ingest_write_signals(ing, &x, 1, NULL, NULL), TWIN_OK);
    ck_assert_int_eq(twin_store_add_relationship(st, "b", "ba", "r", "a", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_store_flush(st), TWIN_OK);
    ck_assert_int_ge(flag_called, 7);  /* signal, event, relationship */
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
}
END_TEST

/* twin_health is not growable: a fixed 192 bytes whose layout tag refuses a
 * state of another library layout. */
START_TEST(test_health_state_foreign_layout_returns_abi)
{
    twin_health h;
    twin_health_options o;
    double v;
    health_state(&h, &o);
    h.layout_ ^= 1;
    ck_assert_int_eq(twin_health_predict(&h, &o, 0, &v, NULL), TWIN_E_ABI);
}
END_TEST

/* ---- libtwin-sqlite ---------------------------------------------------------------- */

static const char *dir;

static void sq_setup(void)
{
    world_setup();
    dir = sq_tmpdir();
}

static void sq_teardown(void)
{
    sq_rmdir(dir);
    world_teardown();
}

START_TEST(test_sqlite_structs_older_size)
{
    twin_sqlite_options o;
    twin_sqlite_retention r;
    twin_signal_options so;
    twin_sqlite *db;
    twin_sqlite_options_init(&o);
    o.size = offsetof(twin_sqlite_options, busy_timeout_ms);
    o.busy_timeout_ms = -5;  /* invalid if read */
    ck_assert_int_eq(twin_sqlite_open(&db, sq_path(dir, "a.db"), &o), TWIN_OK);
    memset(&r, 0, sizeof r);
    r.size = offsetof(twin_sqlite_retention, rollup_keep_us);
    r.raw_keep_us = 10;
    r.bucket_us = 5;
    r.rollup_keep_us = -1;  /* invalid if read */
    ck_assert_int_eq(twin_sqlite_set_retention(db, &r), TWIN_OK);
    OUT_CHECK(twin_sqlite_retention_stats, offsetof(twin_sqlite_retention_stats, rollups_written),
              twin_sqlite_apply_retention(db, &r, 1000, out));
    OUT_CHECK(twin_sqlite_counts, offsetof(twin_sqlite_counts, health),
              twin_sqlite_get_counts(db, out));
    OUT_CHECK(twin_sqlite_fold_stats, offsetof(twin_sqlite_fold_stats, rows_deleted),
              twin_sqlite_fold(db, 0, out));
    {   /* a policy of an older size: init writes only its bytes */
        cbuf c_;
        twin_sqlite_policy *out = canary(&c_, offsetof(twin_sqlite_policy, tier));
        ck_assert_int_eq(twin_sqlite_policy_init_(out, offsetof(twin_sqlite_policy, tier)),
                         TWIN_OK);
        written_before(&c_, offsetof(twin_sqlite_policy, tier));
        untouched_past(&c_, offsetof(twin_sqlite_policy, tier), sizeof *out,
                       offsetof(twin_sqlite_policy, tier));
    }
    FILL_CHECK(twin_store_callbacks, twin_sqlite_callbacks(db, out));
    twin_signal_options_init(&so);
    so.size = offsetof(twin_signal_options, reorder_window_us);
    so.history = 100000;  /* invalid if read */
    ck_assert_int_eq(twin_sqlite_load(db, g, NULL, &so), TWIN_OK);
    r.size = sizeof r + 8;
    ck_assert_int_eq(twin_sqlite_set_retention(db, &r), TWIN_E_ABI);
    twin_sqlite_close(db);
    o.size = sizeof o + 8;
    ck_assert_int_eq(twin_sqlite_open(&db, sq_path(dir, "b.db"), &o), TWIN_E_ABI);
    twin_sqlite_close(db);
}
END_TEST

static Suite *sized_suite(void)
{
    Suite *s = suite_create("sized");
    TCase *tc = tcase_create("inputs");
    tcase_add_checked_fixture(tc, world_setup, world_teardown);
    tcase_add_test(tc, test_allocator_older_size_defaults_ud);
    tcase_add_test(tc, test_graph_options_older_size_defaults_hints);
    tcase_add_test(tc, test_graph_options_init_older_size_writes_only_size);
    tcase_add_test(tc, test_graph_validator_older_size_defaults_callbacks);
    tcase_add_test(tc, test_models_options_older_size_defaults_limits);
    tcase_add_test(tc, test_impact_options_older_size_defaults);
    tcase_add_test(tc, test_ingest_options_and_resolver_older_size);
    tcase_add_test(tc, test_signal_options_older_size_defaults);
    tcase_add_test(tc, test_health_options_older_size_defaults_in_every_call);
    tcase_add_test(tc, test_health_options_init_older_size_writes_only_size);
    tcase_add_test(tc, test_health_user_model_older_size_defaults_functions);
    tcase_add_test(tc, test_ingest_attach_health_older_options);
    tcase_add_test(tc, test_health_fleet_and_fusion_older_size);
    tcase_add_test(tc, test_store_options_and_callbacks_older_size);
    tcase_add_test(tc, test_store_loader_older_size_defaults_functions);
    suite_add_tcase(s, tc);
    tc = tcase_create("outputs");
    tcase_add_checked_fixture(tc, world_setup, world_teardown);
    tcase_add_test(tc, test_relationship_views_older_size);
    tcase_add_test(tc, test_impact_hit_older_size);
    tcase_add_test(tc, test_dtmi_info_older_size);
    tcase_add_test(tc, test_models_validator_older_size);
    tcase_add_test(tc, test_health_outputs_older_size);
    tcase_add_test(tc, test_health_fit_prior_older_size);
    tcase_add_test(tc, test_ingest_stats_older_size);
    tcase_add_test(tc, test_store_stats_older_size);
    tcase_add_test(tc, test_fillers_write_the_published_struct);
    tcase_add_test(tc, test_callback_structs_carry_library_size);
    tcase_add_test(tc, test_health_state_foreign_layout_returns_abi);
    tcase_add_test(tc, test_health_predictor_structs_older_size);
    tcase_add_test(tc, test_sparkplug_structs_older_size);
    suite_add_tcase(s, tc);
    tc = tcase_create("sqlite");
    tcase_add_checked_fixture(tc, sq_setup, sq_teardown);
    tcase_add_test(tc, test_sqlite_structs_older_size);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(sized_suite());
}
