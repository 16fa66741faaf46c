/* The in-memory store of the ingest tests; see memstore.h. */
#include "memstore.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void memstore_init(memstore *m, int transactional)
{
    memset(m, 0, sizeof *m);
    m->transactional = transactional;
    m->prng = 0x9e3779b97f4a7c15ull;
    m->fail_status = TWIN_E_IO;
}

void memstore_fini(memstore *m)
{
    free(m->log);
    memset(m, 0, sizeof *m);
}

static uint64_t next_rand(memstore *m)
{
    /* splitmix64 */
    uint64_t z = (m->prng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Does this call fail? A failure drops what was staged (transactional). */
static int failing(memstore *m)
{
    int f = 0;
    m->calls++;
    if (m->fail_on_call && m->calls == m->fail_on_call) {
        f = 1;
    } else if (m->fail_next) {
        m->fail_next--;
        f = 1;
    } else if (m->fail_rate > 0) {
        f = (double)(next_rand(m) >> 11) / 9007199254740992.0 < m->fail_rate;
        if (f && m->burst > 1) m->fail_next = (unsigned)(next_rand(m) % m->burst);
    }
    if (f) {
        m->failures++;
        m->n = m->committed;
    }
    return f;
}

static ms_entry *push(memstore *m, ms_kind k)
{
    ms_entry *e;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->log = realloc(m->log, m->cap * sizeof *m->log);
        if (!m->log) ck_abort_msg("memstore: out of memory");
    }
    e = &m->log[m->n++];
    memset(e, 0, sizeof *e);
    e->kind = k;
    return e;
}

static void done(memstore *m)
{
    if (!m->transactional) m->committed = m->n;
}

static void copy(char *dst, const char *s)
{
    snprintf(dst, 64, "%s", s ? s : "");
}

static twin_status ms_write(void *ud, const twin_signal_sample *s, size_t n)
{
    memstore *m = ud;
    m->write_calls++;
    if (failing(m)) return m->fail_status;
    for (size_t i = 0; i < n; i++) {
        ms_entry *e = push(m, MS_SAMPLE);
        e->signal = s[i].signal;
        e->t_us = s[i].t_us;
        e->value = s[i].value;
    }
    done(m);
    return TWIN_OK;
}

static twin_status ms_signal(void *ud, const twin_store_signal *sig)
{
    memstore *m = ud;
    ms_entry *e;
    ck_assert_uint_eq(sig->size, sizeof *sig);
    if (failing(m)) return m->fail_status;
    e = push(m, MS_SIGNAL);
    e->signal = sig->signal;
    copy(e->a, sig->twin_id);
    copy(e->b, sig->name);
    copy(e->c, sig->unit);
    done(m);
    return TWIN_OK;
}

static twin_status ms_twin_put(void *ud, const char *id, const char *model,
                               const twin_member *props, size_t n)
{
    memstore *m = ud;
    ms_entry *e;
    (void)props;
    if (failing(m)) return m->fail_status;
    e = push(m, MS_TWIN_PUT);
    copy(e->a, id);
    copy(e->b, model);
    e->nprops = n;
    done(m);
    return TWIN_OK;
}

static twin_status ms_twin_del(void *ud, const char *id)
{
    memstore *m = ud;
    ms_entry *e;
    if (failing(m)) return m->fail_status;
    e = push(m, MS_TWIN_DEL);
    copy(e->a, id);
    done(m);
    return TWIN_OK;
}

static twin_status ms_rel_put(void *ud, const twin_relationship *r)
{
    memstore *m = ud;
    ms_entry *e;
    if (failing(m)) return m->fail_status;
    e = push(m, MS_REL_PUT);
    copy(e->a, r->source_id);
    copy(e->b, r->id);
    copy(e->c, r->target_id);
    e->nprops = r->property_count;
    done(m);
    return TWIN_OK;
}

static twin_status ms_rel_del(void *ud, const char *src, const char *id)
{
    memstore *m = ud;
    ms_entry *e;
    if (failing(m)) return m->fail_status;
    e = push(m, MS_REL_DEL);
    copy(e->a, src);
    copy(e->b, id);
    done(m);
    return TWIN_OK;
}

static twin_status ms_health(void *ud, twin_signal sig, const twin_health *h)
{
    memstore *m = ud;
    ms_entry *e;
    ck_assert_uint_eq(h->size, sizeof *h);
    if (failing(m)) return m->fail_status;
    e = push(m, MS_HEALTH);
    e->signal = sig;
    done(m);
    return TWIN_OK;
}

static twin_status ms_flush(void *ud)
{
    memstore *m = ud;
    m->flushes++;
    if (failing(m)) return m->fail_status;
    m->committed = m->n;
    return TWIN_OK;
}

void memstore_callbacks(memstore *m, twin_store_callbacks *cb)
{
    memset(cb, 0, sizeof *cb);
    cb->size = sizeof *cb;
    cb->ud = m;
    cb->write_samples = ms_write;
    cb->put_signal = ms_signal;
    cb->put_twin = ms_twin_put;
    cb->delete_twin = ms_twin_del;
    cb->put_relationship = ms_rel_put;
    cb->delete_relationship = ms_rel_del;
    cb->put_health = ms_health;
    cb->flush = m->transactional ? ms_flush : NULL;
}

size_t memstore_samples(const memstore *m, twin_signal_sample *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < m->committed; i++) {
        if (m->log[i].kind != MS_SAMPLE) continue;
        if (k < cap) {
            out[k].signal = m->log[i].signal;
            out[k].t_us = m->log[i].t_us;
            out[k].value = m->log[i].value;
        }
        k++;
    }
    return k;
}

size_t memstore_count(const memstore *m, ms_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < m->committed; i++) c += m->log[i].kind == k;
    return c;
}
