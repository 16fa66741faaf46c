/* Sweep cases of the ingest, storage, snapshot, series, align and clock
 * modules. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

#define SEC INT64_C(1000000)

static void setup_si(sw_ctx *c)
{
    sw_store_ingest(c);
}

static void setup_sig(sw_ctx *c)
{
    sw_signal(c);
}

static twin_status call_ingest_create(sw_ctx *c)
{
    twin_ingest_options io;
    twin_ingest_options_init(&io);
    io.alloc = &c->fa->alloc;
    return twin_ingest_create(&c->ing, c->g, &io);
}

static void setup_g(sw_ctx *c)
{
    sw_graph(c);
}

static twin_status call_add_signal(sw_ctx *c)
{
    twin_signal_options o;
    twin_signal_options_init(&o);
    o.unit = "degreeCelsius";
    o.history = 8;
    return twin_ingest_add_signal(c->ing, "motor1", "temperature", &o, &c->sig2);
}

static twin_status resolve_any(void *ud, const char *twin_id, const char *model_id,
                               const char *signal, const char **unit)
{
    (void)ud;
    (void)twin_id;
    (void)model_id;
    (void)signal;
    *unit = "hertz";
    return TWIN_OK;
}

static const twin_ingest_resolver resolver = {sizeof resolver, 0, resolve_any, NULL};

static void setup_resolver(sw_ctx *c)
{
    twin_ingest_options io;
    sw_graph(c);
    twin_ingest_options_init(&io);
    io.alloc = &c->fa->alloc;
    io.resolver = &resolver;
    ck_assert_int_eq(twin_ingest_create(&c->ing, c->g, &io), TWIN_OK);
}

static twin_status call_resolve(sw_ctx *c)
{
    return twin_ingest_resolve(c->ing, "pump2", "rpm", "hertz", &c->sig2);
}

static twin_status call_write_resolved(sw_ctx *c)
{
    twin_sample s;
    memset(&s, 0, sizeof s);
    s.twin_id = "pump2";
    s.signal = "rpm";
    s.t_us = 5 * SEC;
    s.value = 50;
    return twin_ingest_write(c->ing, &s, 1, NULL, NULL);
}

static twin_status call_set_signal_options(sw_ctx *c)
{
    twin_signal_options o;
    twin_signal_options_init(&o);
    o.unit = "degreeCelsius";
    o.history = 64;
    o.reorder_window_us = 2 * SEC;
    return twin_ingest_set_signal_options(c->ing, c->sig, &o);
}

static void health_opts(twin_health_options *o)
{
    twin_health_options_init(o);
    o->model = TWIN_HEALTH_LINEAR;
    o->failure_level = 100;
    o->noise = 0.5;
    o->prior_cov[0] = 1;
    o->prior_cov[3] = 1e-6;
}

static twin_status call_attach_health(sw_ctx *c)
{
    twin_health_options o;
    health_opts(&o);
    return twin_ingest_attach_health(c->ing, c->sig, &o, 0);
}

static void setup_health(sw_ctx *c)
{
    sw_signal(c);
    ck_assert_int_eq(call_attach_health(c), TWIN_OK);
}

static twin_status call_detach_health(sw_ctx *c)
{
    return twin_ingest_detach_health(c->ing, c->sig);
}

static twin_status call_write_signals(sw_ctx *c)
{
    twin_signal_sample s;
    s.signal = c->sig;
    s.t_us = 10 * SEC;
    s.value = 20;
    return twin_ingest_write_signals(c->ing, &s, 1, NULL, NULL);
}

static twin_status call_write_name(sw_ctx *c)
{
    twin_sample s;
    memset(&s, 0, sizeof s);
    s.twin_id = "pump1";
    s.signal = "flow";
    s.t_us = 11 * SEC;
    s.value = 21;
    return twin_ingest_write(c->ing, &s, 1, NULL, NULL);
}

static twin_status call_remove_twin(sw_ctx *c)
{
    return twin_ingest_remove_twin(c->ing, "pump1");
}

/* ---- store ---- */

static twin_status call_store_create(sw_ctx *c)
{
    twin_store_options so;
    twin_store_options_init(&so);
    so.alloc = &c->fa->alloc;
    return twin_store_create(&c->st, c->g, &so);
}

static void setup_pending(sw_ctx *c)
{
    sw_signal(c);
    ck_assert_int_eq(call_write_signals(c), TWIN_OK);
    ck_assert_int_eq(twin_store_add_twin(c->st, "t9", "dtmi:t:X;1", NULL, 0), TWIN_OK);
}

static twin_status call_flush(sw_ctx *c)
{
    return twin_store_flush(c->st);
}

static twin_status call_checkpoint(sw_ctx *c)
{
    return twin_store_checkpoint(c->st);
}

static twin_status call_st_add_twin(sw_ctx *c)
{
    twin_member m;
    m.name = "speed";
    m.value = twin_value_double(1);
    return twin_store_add_twin(c->st, "new1", "dtmi:t:New;1", &m, 1);
}

static twin_status call_st_remove_twin(sw_ctx *c)
{
    return twin_store_remove_twin(c->st, "motor1", TWIN_REMOVE_RELATIONSHIPS);
}

static twin_status call_st_set_model(sw_ctx *c)
{
    return twin_store_set_model(c->st, "pump2", "dtmi:t:Other;1");
}

static twin_status call_st_set_property(sw_ctx *c)
{
    twin_value v = twin_value_string("fresh");
    return twin_store_set_property(c->st, "motor1", "label", &v);
}

static twin_status call_st_remove_property(sw_ctx *c)
{
    return twin_store_remove_property(c->st, "pump1", "tag");
}

static twin_status call_st_add_rel(sw_ctx *c)
{
    return twin_store_add_relationship(c->st, "pump2", "r7", "returns", "motor1", NULL, 0);
}

static twin_status call_st_remove_rel(sw_ctx *c)
{
    return twin_store_remove_relationship(c->st, "pump1", "r1");
}

static twin_status call_st_set_rel_prop(sw_ctx *c)
{
    twin_value v = twin_value_int(3);
    return twin_store_set_relationship_property(c->st, "motor1", "r2", "gear", &v);
}

static twin_status call_st_remove_rel_prop(sw_ctx *c)
{
    return twin_store_remove_relationship_property(c->st, "pump1", "r1", "speed");
}

/* A loader of two twins, a relationship and a signal. */
static twin_status ld_twin(void *ud, twin_store_twin *out)
{
    uint64_t *k = ud;
    static const twin_member m = {"speed", {TWIN_VALUE_DOUBLE, 0, {.d = 2.5}}};
    if (k[0] >= 2) return TWIN_DONE;
    out->id = k[0]++ ? "b" : "a";
    out->model_id = "dtmi:t:L;1";
    out->props = &m;
    out->nprops = 1;
    return TWIN_OK;
}

static twin_status ld_rel(void *ud, twin_relationship *out)
{
    uint64_t *k = ud;
    if (k[1]++) return TWIN_DONE;
    out->id = "ab";
    out->name = "feeds";
    out->source_id = "a";
    out->target_id = "b";
    return TWIN_OK;
}

static twin_status ld_sig(void *ud, twin_store_loaded_signal *out)
{
    uint64_t *k = ud;
    if (k[2]++) return TWIN_DONE;
    out->twin_id = "a";
    out->name = "level";
    out->has_latest = 1;
    out->latest_t_us = 7 * SEC;
    out->latest_value = 1.25;
    return TWIN_OK;
}

static twin_status call_store_load(sw_ctx *c)
{
    twin_store_loader ld;
    memset(&ld, 0, sizeof ld);
    memset(c->u, 0, sizeof c->u);
    ld.size = sizeof ld;
    ld.ud = c->u;
    ld.next_twin = ld_twin;
    ld.next_relationship = ld_rel;
    ld.next_signal = ld_sig;
    return twin_store_load(c->g, c->ing, &ld);
}

static void setup_load(sw_ctx *c)
{
    twin_ingest_options io;
    sw_signal(c);
    /* store_load wants an ingest handle without a store */
    twin_ingest_destroy(c->ing);
    twin_ingest_options_init(&io);
    io.alloc = &c->fa->alloc;
    ck_assert_int_eq(twin_ingest_create(&c->ing, c->g, &io), TWIN_OK);
}

static void setup_load_over(sw_ctx *c)
{
    twin_signal_options o;
    setup_load(c);
    twin_signal_options_init(&o);
    ck_assert_int_eq(twin_ingest_add_signal(c->ing, "motor1", "temp", &o, &c->sig2), TWIN_OK);
}

/* ---- snapshot ---- */

typedef struct sbytes {
    unsigned char *p;
    size_t n, cap, pos;
} sbytes;

static twin_status sb_write(void *ud, const void *buf, size_t n)
{
    sbytes *b = ud;
    sw_test_code++;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert(b->p != NULL);
    }
    sw_test_code--;
    memcpy(b->p + b->n, buf, n);
    b->n += n;
    return TWIN_OK;
}

static twin_status sb_read(void *ud, void *buf, size_t cap, size_t *got)
{
    sbytes *b = ud;
    size_t k = b->n - b->pos;
    if (k > cap) k = cap;
    if (k > 100) k = 100;
    memcpy(buf, b->p + b->pos, k);
    b->pos += k;
    *got = k;
    return TWIN_OK;
}

static twin_status call_snapshot_save(sw_ctx *c)
{
    sbytes b;
    twin_status s;
    memset(&b, 0, sizeof b);
    s = twin_snapshot_save(c->g, c->ing, sb_write, &b);
    free(b.p);
    return s;
}

static void setup_restore(sw_ctx *c)
{
    sbytes *b;
    twin_ingest_options io;
    setup_health(c);
    b = calloc(1, sizeof *b);
    ck_assert_int_eq(twin_snapshot_save(c->g, c->ing, sb_write, b), TWIN_OK);
    /* restore into a graph and ingest handle of their own (no store) */
    twin_ingest_destroy(c->ing);
    c->ing = NULL;
    twin_store_destroy(c->st);
    c->st = NULL;
    twin_graph_destroy(c->g);
    c->g = NULL;
    sw_graph(c);
    twin_ingest_options_init(&io);
    io.alloc = &c->fa->alloc;
    ck_assert_int_eq(twin_ingest_create(&c->ing, c->g, &io), TWIN_OK);
    c->aux = b->p;  /* freed by the driver */
    c->aux_n = b->n;
    free(b);
}

/* restore over a graph and handle that have content (replaced) */
static void setup_restore_over(sw_ctx *c)
{
    twin_signal_options o;
    setup_restore(c);
    twin_signal_options_init(&o);
    ck_assert_int_eq(twin_ingest_add_signal(c->ing, "motor1", "temp", &o, &c->sig2), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(c->g, "extra", "dtmi:t:X;1", NULL, 0), TWIN_OK);
}

static twin_status call_snapshot_restore(sw_ctx *c)
{
    sbytes b;
    b.p = c->aux;
    b.n = b.cap = c->aux_n;
    b.pos = 0;
    return twin_snapshot_restore(c->g, c->ing, sb_read, &b);
}

/* ---- align ---- */

static twin_status call_align_create(sw_ctx *c)
{
    twin_align_options o;
    twin_align_options_init(&o);
    o.nsignals = 3;
    o.alloc = &c->fa->alloc;
    return twin_align_create(&c->al, &o, NULL);
}

static void setup_align(sw_ctx *c)
{
    ck_assert_int_eq(call_align_create(c), TWIN_OK);
}

static twin_status call_align_push(sw_ctx *c)
{
    twin_align_sample s[40];
    size_t refused = 0;
    for (int i = 0; i < 40; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].signal = (uint32_t)(i % 3);
        s[i].t_us = (i / 3) * SEC / 2;
        s[i].value = i;
    }
    return twin_align_push(c->al, s, 40, &refused);
}

static void setup_align_pushed(sw_ctx *c)
{
    setup_align(c);
    ck_assert_int_eq(call_align_push(c), TWIN_OK);
}

static twin_status call_align_drain(sw_ctx *c)
{
    int64_t t;
    twin_series_value row[3];
    twin_status s = twin_align_flush(c->al);
    if (s != TWIN_OK) return s;
    while ((s = twin_align_next(c->al, &t, row)) == TWIN_OK) {
    }
    SW_CHECK(s == TWIN_DONE);
    SW_CHECK(twin_align_last_error(c->al) != NULL);
    twin_align_destroy(c->al);
    c->al = NULL;
    return TWIN_OK;
}

const sw_case sw_cases_ingest[] = {
    {"ingest_create", "twin_ingest_create twin_ingest_options_init_", setup_g,
     call_ingest_create, 0, 0},
    {"ingest_add_signal", "twin_ingest_add_signal twin_signal_options_init_", setup_sig,
     call_add_signal, 0, 0},
    {"ingest_resolve", "twin_ingest_resolve", setup_resolver, call_resolve, 0, 0},
    {"ingest_write_resolved", "twin_ingest_write_", setup_resolver, call_write_resolved, 0, 0},
    {"ingest_write_name", "twin_ingest_write_", setup_sig, call_write_name, 0, 0},
    {"ingest_write_signals", "twin_ingest_write_signals_", setup_sig, call_write_signals, 0, 0},
    {"ingest_write_signals_health", "twin_ingest_write_signals_", setup_health,
     call_write_signals, 0, 0},
    {"ingest_set_signal_options", "twin_ingest_set_signal_options", setup_sig,
     call_set_signal_options, 0, 0},
    {"ingest_attach_health", "twin_ingest_attach_health", setup_sig, call_attach_health, 0, 0},
    {"ingest_detach_health", "twin_ingest_detach_health", setup_health, call_detach_health, 0,
     0},
    {"ingest_remove_twin", "twin_ingest_remove_twin", setup_sig, call_remove_twin, 0, 0},
    {"store_create", "twin_store_create twin_store_options_init_", setup_g, call_store_create,
     0, 0},
    {"store_flush", "twin_store_flush", setup_pending, call_flush, 0, 0},
    {"store_checkpoint", "twin_store_checkpoint", setup_sig, call_checkpoint, 0, 0},
    {"store_add_twin", "twin_store_add_twin", setup_si, call_st_add_twin, 0, 0},
    {"store_remove_twin", "twin_store_remove_twin", setup_si, call_st_remove_twin, 0, 0},
    {"store_set_model", "twin_store_set_model", setup_si, call_st_set_model, 0, 0},
    {"store_set_property", "twin_store_set_property", setup_si, call_st_set_property, 0, 0},
    {"store_remove_property", "twin_store_remove_property", setup_si, call_st_remove_property,
     0, 0},
    {"store_add_relationship", "twin_store_add_relationship", setup_si, call_st_add_rel, 0, 0},
    {"store_remove_relationship", "twin_store_remove_relationship", setup_si,
     call_st_remove_rel, 0, 0},
    {"store_set_relationship_property", "twin_store_set_relationship_property", setup_si,
     call_st_set_rel_prop, 0, 0},
    {"store_remove_relationship_property", "twin_store_remove_relationship_property",
     setup_si, call_st_remove_rel_prop, 0, 0},
    {"store_load", "twin_store_load", setup_load, call_store_load, 0, 0},
    {"snapshot_save", "twin_snapshot_save", setup_health, call_snapshot_save, 0, 0},
    {"snapshot_restore", "twin_snapshot_restore", setup_restore, call_snapshot_restore, 0, 0},
    {"snapshot_restore_over", "twin_snapshot_restore", setup_restore_over, call_snapshot_restore,
     0, 0},
    {"store_load_over", "twin_store_load", setup_load_over, call_store_load, 0, 0},
    {"align_create", "twin_align_create twin_align_options_init_", NULL, call_align_create, 0,
     0},
    {"align_push", "twin_align_push", setup_align, call_align_push, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

/* ---- sources and their clocks ---- */

static twin_status call_add_source(sw_ctx *c)
{
    twin_source src = 0;
    twin_status s = twin_ingest_add_source(c->ing, "gw1", NULL, &src);
    c->u[0] = src;
    return s;
}

/* A signal, a source with an estimate (pairs 1 ms late), not yet the signal's. */
static void setup_source(sw_ctx *c)
{
    sw_signal(c);
    ck_assert_int_eq(call_add_source(c), TWIN_OK);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(twin_ingest_observe_source(c->ing, (twin_source)c->u[0],
                                                    (10 + i) * SEC, (10 + i) * SEC + 1000),
                         TWIN_OK);
}

static twin_status call_set_signal_source(sw_ctx *c)
{
    return twin_ingest_set_signal_source(c->ing, c->sig, (twin_source)c->u[0]);
}

/* Sources put back at once: gw1 (existing) replaced, three new ones. */
static twin_status call_put_sources(sw_ctx *c)
{
    static const char *const names[] = {"gw1", "plc2", "plc3", "gw4"};
    twin_clock k[4];
    for (int i = 0; i < 4; i++) SW_CHECK(twin_clock_init(&k[i], NULL, NULL) == TWIN_OK);
    SW_CHECK(twin_clock_observe(&k[1], 5 * SEC, 5 * SEC + 700, NULL) == TWIN_OK);
    return twin_ingest_put_sources(c->ing, names, k, 4);
}

static void setup_sourced(sw_ctx *c)
{
    setup_source(c);
    ck_assert_int_eq(call_set_signal_source(c), TWIN_OK);
}

/* A sample through a source's clock (corrected on the way in). */
static twin_status call_write_sourced(sw_ctx *c)
{
    twin_signal_sample s;
    s.signal = c->sig;
    s.t_us = 20 * SEC;
    s.value = 15;
    return twin_ingest_write_signals(c->ing, &s, 1, NULL, NULL);
}

const sw_case sw_cases_sources[] = {
    {"ingest_add_source", "twin_ingest_add_source", setup_sig, call_add_source, 0, 0},
    {"ingest_put_sources", "twin_ingest_put_sources", setup_source, call_put_sources, 0, 0},
    {"ingest_set_signal_source", "twin_ingest_set_signal_source", setup_source,
     call_set_signal_source, 0, 0},
    {"ingest_write_sourced", "twin_ingest_write_signals_", setup_sourced, call_write_sourced, 0,
     0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static twin_status na_sources(sw_ctx *c)
{
    twin_source src = (twin_source)c->u[0], found = 0, next = 0;
    uint64_t cur = 0;
    twin_ingest_source_info si;
    twin_ingest_correction cr;
    twin_clock k;
    twin_clock_options o;
    SW_CHECK(twin_ingest_find_source(c->ing, "gw1", &found) == TWIN_OK && found == src);
    SW_CHECK(twin_ingest_sources_next(c->ing, &cur, &next) == TWIN_OK && next == src);
    SW_CHECK(twin_ingest_observe_source(c->ing, src, 30 * SEC, 30 * SEC + 1000) == TWIN_OK);
    memset(&si, 0, sizeof si);
    si.size = sizeof si;
    SW_CHECK(twin_ingest_get_source(c->ing, src, &si, &k) == TWIN_OK);
    SW_CHECK(twin_ingest_set_source_clock(c->ing, src, &k) == TWIN_OK);
    SW_CHECK(twin_clock_options_init(&o) == TWIN_OK);
    memset(&cr, 0, sizeof cr);
    cr.size = sizeof cr;
    SW_CHECK(twin_ingest_signal_source(c->ing, c->sig, &cr) == TWIN_OK);
    return TWIN_OK;
}

/* ---- functions that do not allocate ---- */

static twin_status na_ingest_read(sw_ctx *c)
{
    int64_t t = 0, ts[16], from = 0;
    double v = 0, vs[16];
    size_t n = 0;
    twin_health h;
    twin_health_options ho;
    twin_ingest_stats is;
    const char *tw, *nm, *un;
    uint64_t cur = 0;
    twin_signal sg;
    twin_series_value sv;
    twin_series_bucket bk[4];
    twin_error err;
    SW_CHECK(twin_ingest_get_latest(c->ing, c->sig, &t, &v) == TWIN_OK && v == 14);
    SW_CHECK(twin_ingest_get_health(c->ing, c->sig, &h, &ho) == TWIN_OK);
    memset(&is, 0, sizeof is);
    is.size = sizeof is;
    SW_CHECK(twin_ingest_get_stats(c->ing, c->sig, &is) == TWIN_OK);
    SW_CHECK(twin_ingest_signal_info(c->ing, c->sig, &tw, &nm, &un) == TWIN_OK);
    SW_CHECK(twin_ingest_signals_next(c->ing, &cur, &sg) == TWIN_OK);
    SW_CHECK(twin_ingest_signal_count(c->ing) == 1);
    SW_CHECK(twin_ingest_last_error(c->ing) != NULL);
    SW_CHECK(twin_ingest_get_history(c->ing, c->sig, ts, vs, 16, &n, &from) == TWIN_OK && n == 5);
    memset(&sv, 0, sizeof sv);
    SW_CHECK(twin_ingest_state_at(c->ing, &c->sig, 1, 3 * SEC, NULL, &sv, &err) == TWIN_OK);
    memset(bk, 0, sizeof bk);
    SW_CHECK(twin_ingest_resample(c->ing, c->sig, 0, 2 * SEC, 4, bk, &err) == TWIN_OK);
    return TWIN_OK;
}

static twin_status na_store_read(sw_ctx *c)
{
    twin_store_stats ss;
    twin_store_options so;
    memset(&ss, 0, sizeof ss);
    ss.size = sizeof ss;
    SW_CHECK(twin_store_options_init(&so) == TWIN_OK);
    SW_CHECK(twin_store_get_stats(c->st, &ss) == TWIN_OK);
    SW_CHECK(twin_store_last_error(c->st) != NULL);
    twin_ingest_destroy(c->ing);
    c->ing = NULL;
    twin_store_destroy(c->st);
    c->st = NULL;
    return TWIN_OK;
}

static twin_status na_series(sw_ctx *c)
{
    static const int64_t t[] = {0, SEC, 2 * SEC, 3 * SEC};
    static const double v[] = {1, 2, 3, 4};
    twin_series_options o;
    twin_series_value sv;
    twin_series_bucket bk[3];
    twin_error err;
    (void)c;
    SW_CHECK(twin_series_options_init(&o) == TWIN_OK);
    SW_CHECK(twin_series_at(t, v, 4, 0, SEC + SEC / 2, &o, &sv, &err) == TWIN_OK);
    SW_CHECK(twin_series_resample(t, v, 4, 0, SEC, 3, bk, &err) == TWIN_OK);
    return TWIN_OK;
}

static twin_status na_clock(sw_ctx *c)
{
    twin_clock k;
    twin_clock_options o;
    twin_clock_estimate e;
    int64_t host = 0;
    twin_error err;
    (void)c;
    SW_CHECK(twin_clock_options_init(&o) == TWIN_OK);
    SW_CHECK(twin_clock_init(&k, &o, &err) == TWIN_OK);
    for (int i = 0; i < 10; i++)
        SW_CHECK(twin_clock_observe(&k, (i + 1) * SEC, (i + 1) * SEC + 1000 + i, &err) == TWIN_OK);
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    SW_CHECK(twin_clock_get_estimate(&k, &e, &err) == TWIN_OK);
    SW_CHECK(twin_clock_to_host(&k, 5 * SEC, &host, &err) == TWIN_OK);
    {
        unsigned char buf[TWIN_CLOCK_ENCODED_MAX];
        size_t len = 0;
        twin_clock d;
        SW_CHECK(twin_clock_encode(&k, buf, sizeof buf, &len, &err) == TWIN_OK);
        SW_CHECK(twin_clock_decode(&d, buf, len, &err) == TWIN_OK);
    }
    return TWIN_OK;
}

static twin_status na_ingest_destroy(sw_ctx *c)
{
    twin_ingest_destroy(c->ing);
    c->ing = NULL;
    return TWIN_OK;
}

const sw_noalloc sw_noalloc_ingest[] = {
    {"twin_ingest_get_latest twin_ingest_get_health twin_ingest_get_stats "
     "twin_ingest_signal_info twin_ingest_signals_next twin_ingest_signal_count "
     "twin_ingest_last_error twin_ingest_get_history twin_ingest_state_at twin_ingest_resample",
     "readers of the handle's state into caller storage", setup_health, na_ingest_read},
    {"twin_ingest_destroy", "only frees", setup_sig, na_ingest_destroy},
    {"twin_store_get_stats twin_store_last_error twin_store_options_init_ twin_store_destroy",
     "readers; destroy only frees (after the ingest handle)", setup_sig, na_store_read},
    {"twin_series_options_init_ twin_series_at twin_series_resample",
     "pure functions over caller arrays", NULL, na_series},
    {"twin_clock_options_init_ twin_clock_init twin_clock_observe twin_clock_get_estimate "
     "twin_clock_to_host twin_clock_encode twin_clock_decode",
     "plain data in caller storage", NULL, na_clock},
    {"twin_ingest_find_source twin_ingest_sources_next twin_ingest_observe_source "
     "twin_ingest_get_source twin_ingest_set_source_clock twin_ingest_signal_source",
     "a source's clock is plain data kept when the source was added", setup_sourced,
     na_sources},
    {"twin_align_flush twin_align_next twin_align_last_error twin_align_destroy",
     "rows from the buffers push filled; destroy only frees", setup_align_pushed,
     call_align_drain},
    {NULL, NULL, NULL, NULL},
};
