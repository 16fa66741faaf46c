#include "ingest_fixture.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "support/graphsnap.h"

failalloc fa;
twin_graph *g;
memstore ms;
twin_store *st;
twin_ingest *ing;
twin_ingest_event events[MAX_EVENTS];
size_t nevents;

void record_event(void *ud, const twin_ingest_event *ev)
{
    (void)ud;
    ck_assert_uint_eq(ev->size, sizeof *ev);
    if (nevents < MAX_EVENTS) events[nevents++] = *ev;
}

static void setup(int tx)
{
    twin_store_options so;
    twin_store_callbacks cb;
    twin_ingest_options io;
    failalloc_init(&fa);
    g = graph_new(&fa.alloc);
    ASSERT_OK(g, twin_graph_add_twin(g, "pump1", PUMP, NULL, 0));
    ASSERT_OK(g, twin_graph_add_twin(g, "pump2", PUMP, NULL, 0));
    ASSERT_OK(g, twin_graph_add_twin(g, "motor1", MOTOR, NULL, 0));
    memstore_init(&ms, tx);
    memstore_callbacks(&ms, &cb);
    twin_store_options_init(&so);
    so.alloc = &fa.alloc;
    so.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&st, g, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.alloc = &fa.alloc;
    io.store = st;
    io.on_event = record_event;
    ck_assert_int_eq(twin_ingest_create(&ing, g, &io), TWIN_OK);
    nevents = 0;
}

void ingest_setup(void)
{
    setup(0);
}

void ingest_setup_tx(void)
{
    setup(1);
}

void ingest_teardown(void)
{
    twin_ingest_destroy(ing);
    twin_store_destroy(st);
    twin_graph_destroy(g);
    ing = NULL;
    st = NULL;
    g = NULL;
    memstore_fini(&ms);
    ck_assert_msg(fa.live_bytes == 0 && fa.live_blocks == 0, "leaked %zu bytes in %zu blocks",
                  fa.live_bytes, fa.live_blocks);
    failalloc_fini(&fa);
}

twin_signal sig_add(const char *twin, const char *name, const char *unit, int32_t order,
                    int64_t window_us, uint32_t history)
{
    twin_signal_options o;
    twin_signal h = 0;
    twin_signal_options_init(&o);
    o.unit = unit;
    o.order = order;
    o.reorder_window_us = window_us;
    o.history = history;
    ASSERT_ING_OK(twin_ingest_add_signal(ing, twin, name, &o, &h));
    ck_assert(h != 0);
    return h;
}

unsigned put_name(const char *twin, const char *signal, int64_t t, double v, const char *unit)
{
    twin_sample s = {twin, signal, t, v, unit};
    uint8_t out = 0xee;
    size_t done = 99;
    ASSERT_ING_OK(twin_ingest_write(ing, &s, 1, &out, &done));
    ck_assert_uint_eq(done, 1);
    return out;
}

unsigned put_sig(twin_signal h, int64_t t, double v)
{
    twin_signal_sample s = {h, t, v};
    uint8_t out = 0xee;
    size_t done = 99;
    ASSERT_ING_OK(twin_ingest_write_signals(ing, &s, 1, &out, &done));
    ck_assert_uint_eq(done, 1);
    return out;
}

double latest(twin_signal h, int64_t *t)
{
    double v = 0;
    int64_t tt = 0;
    ck_assert_int_eq(twin_ingest_get_latest(ing, h, &tt, &v), TWIN_OK);
    if (t) *t = tt;
    return v;
}

twin_ingest_stats stats_of(twin_signal h)
{
    twin_ingest_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    ck_assert_int_eq(twin_ingest_get_stats(ing, h, &s), TWIN_OK);
    return s;
}

twin_status bytes_write(void *ud, const void *buf, size_t n)
{
    bytes *b = ud;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 256;
        b->p = realloc(b->p, b->cap);
        if (!b->p) ck_abort_msg("out of memory");
    }
    memcpy(b->p + b->n, buf, n);
    b->n += n;
    return TWIN_OK;
}

void state_of(const twin_graph *gr, const twin_ingest *in, bytes *out)
{
    twin_status s;
    memset(out, 0, sizeof *out);
    s = twin_snapshot_save(gr, in, bytes_write, out);
    ck_assert_msg(s == TWIN_OK, "snapshot_save returned %d", s);
}

int bytes_equal(const bytes *a, const bytes *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

void bytes_free(bytes *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

twin_status reader_read(void *ud, void *buf, size_t cap, size_t *got)
{
    reader *r = ud;
    size_t k = r->n - r->pos;
    if (r->pos >= r->fail_after) return TWIN_E_IO;
    if (k > cap) k = cap;
    if (r->chunk && k > r->chunk) k = r->chunk;
    if (r->fail_after != SIZE_MAX && r->pos + k > r->fail_after) k = r->fail_after - r->pos;
    memcpy(buf, r->p + r->pos, k);
    r->pos += k;
    *got = k;
    return TWIN_OK;
}
