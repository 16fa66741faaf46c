/* The model set handle: options, diagnostics, the identifier index, and
 * the entry to resolution. Adding documents (JSON) is in add.c, loading
 * the binary form in binary.c. */
#include "dtdl/dtdl_int.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/format.h"
#include "util/hash.h"
#include "core/sized.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_DOC ((size_t)16 << 20)

twin_status twin_models_options_init_(twin_models_options *o, size_t size)
{
    twin_models_options d;
    memset(&d, 0, sizeof d);
    d.max_dtdl_version = 4;
    d.max_document_bytes = DEFAULT_MAX_DOC;
    return twin__sized_init(o, size, &d, sizeof d);
}

twin_status twin__models_fail(twin_models *m, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    twin__errorv(&m->err, m->errbuf, s, fmt, ap);
    va_end(ap);
    return s;
}

twin_status twin_models_open(twin_models **out, const twin_models_options *opts)
{
    return twin_models_create(out, opts);
}

void twin_models_close(twin_models *m)
{
    twin_models_destroy(m);
}

twin_status twin_models_create(twin_models **out, const twin_models_options *opts)
{
    twin_models_options o;
    twin_allocator a;
    twin_models *m;
    twin_status s;
    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    twin_models_options_init(&o);
    if ((s = twin__sized_in(&o, sizeof o, opts)) != TWIN_OK) return s;
    if (o.max_dtdl_version < 2 || o.max_dtdl_version > 4) return TWIN_E_INVAL;
    if (o.flags & ~(uint32_t)(TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS |
                              TWIN_MODELS_TOLERATE_SOLECISMS))
        return TWIN_E_INVAL;
    if (o.max_document_bytes == 0) o.max_document_bytes = DEFAULT_MAX_DOC;
    if (o.max_document_bytes > TWIN_MODELS_DOCUMENT_MAX) return TWIN_E_INVAL;
    if ((s = twin__allocator_copy(&a, o.alloc)) != TWIN_OK) return s;
    m = twin__alloc(&a, sizeof *m);
    if (!m) return TWIN_E_NOMEM;
    memset(m, 0, sizeof *m);
    m->alloc = a;
    m->opt = o;
    m->opt.alloc = NULL;
    twin__region_init(&m->mem, 16384);
    twin__region_init(&m->dmem, 4096);
    m->seed = twin__mix64((uint64_t)(uintptr_t)m ^ 0x6474646cull);
    m->opt.acceptable_limits = NULL;
    m->opt.nacceptable_limits = 0;
    if (o.nacceptable_limits) {
        const char **v;
        size_t i;
        if (!o.acceptable_limits) {
            twin_models_destroy(m);
            return TWIN_E_INVAL;
        }
        v = twin__region_alloc(&m->mem, &a, o.nacceptable_limits * sizeof *v);
        for (i = 0; v && i < o.nacceptable_limits; i++) {
            const char *x = o.acceptable_limits[i];
            if (!x) {
                twin_models_destroy(m);
                return TWIN_E_INVAL;
            }
            if (!(v[i] = twin__region_strdup(&m->mem, &a, x, strlen(x)))) v = NULL;
        }
        if (!v) {
            twin_models_destroy(m);
            return TWIN_E_NOMEM;
        }
        m->opt.acceptable_limits = v;
        m->opt.nacceptable_limits = o.nacceptable_limits;
    }
    m->err.message = "";
    *out = m;
    return TWIN_OK;
}

void twin_models_destroy(twin_models *m)
{
    twin_allocator a;
    if (!m) return;
    a = m->alloc;
    twin__region_fini(&m->mem, &a);
    twin__region_fini(&m->dmem, &a);
    twin__free(&a, m->diag, m->capdiag * sizeof *m->diag);
    twin__free(&a, m->ids, m->capids * sizeof *m->ids);
    twin__free(&a, m->ifaces, m->capifaces * sizeof *m->ifaces);
    twin__index_fini(&m->idx, &a);
    twin__free(&a, m, sizeof *m);
}

/* ---- diagnostics ---- */

void twin__models_diag_clear(twin_models *m)
{
    twin__region_fini(&m->dmem, &m->alloc);
    m->ndiag = 0;
}

twin_status twin__models_diag_add(twin_models *m, const char *code, const char *src,
                                  uint32_t doc, const char *ptr, size_t ptrlen,
                                  const char *primary, const char *secondary,
                                  const char *fmt, va_list ap)
{
    char msg[512];
    twin_dtdl_diag *d;
    if (m->ndiag == m->capdiag) {
        size_t cap = m->capdiag ? m->capdiag * 2 : 16;
        void *p = twin__realloc(&m->alloc, m->diag, m->capdiag * sizeof *m->diag,
                                cap * sizeof *m->diag);
        if (!p) return TWIN_E_NOMEM;
        m->diag = p;
        m->capdiag = cap;
    }
    twin__vformat(msg, sizeof msg, fmt, ap);
    d = &m->diag[m->ndiag];
    memset(d, 0, sizeof *d);
    d->code = code;  /* static strings */
    d->message = twin__region_strdup(&m->dmem, &m->alloc, msg, strlen(msg));
    d->source = twin__region_strdup(&m->dmem, &m->alloc, src ? src : "", src ? strlen(src) : 0);
    d->pointer = twin__region_strdup(&m->dmem, &m->alloc, ptr ? ptr : "", ptr ? ptrlen : 0);
    d->primary = twin__region_strdup(&m->dmem, &m->alloc, primary ? primary : "",
                                     primary ? strlen(primary) : 0);
    d->secondary = twin__region_strdup(&m->dmem, &m->alloc, secondary ? secondary : "",
                                       secondary ? strlen(secondary) : 0);
    if (!d->message || !d->source || !d->pointer || !d->primary || !d->secondary)
        return TWIN_E_NOMEM;
    d->document = doc;
    m->ndiag++;
    return TWIN_OK;
}

size_t twin_models_diag_count(const twin_models *m)
{
    return m ? m->ndiag : 0;
}

const twin_dtdl_diag *twin_models_diag(const twin_models *m, size_t i)
{
    return m && i < m->ndiag ? &m->diag[i] : NULL;
}

twin_error twin_models_last_error(const twin_models *m)
{
    twin_error e = {TWIN_E_INVAL, 0, "NULL model set"};
    return m ? m->err : e;
}

/* ---- identifier index ---- */

typedef struct key {
    const char *s;
    size_t n;
} key;

static int id_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin_models *m = ctx;
    const key *kk = k;
    const char *id = m->ids[i]->id;
    return strncmp(id, kk->s, kk->n) == 0 && id[kk->n] == '\0';
}

static uint32_t id_hash(const twin_models *m, const char *s, size_t n)
{
    return twin__hash32(twin__hash(m->seed, s, n));
}

/* The index slot of identifier id[0..n); TWIN__NONE when absent. */
static uint32_t id_slot(const twin_models *m, const char *id, size_t n)
{
    key k;
    k.s = id;
    k.n = n;
    return twin__index_find(&m->idx, id_hash(m, id, n), id_eq, m, &k);
}

twin_dtdl_elem *twin__models_find(const twin_models *m, const char *id, size_t n)
{
    uint32_t pos = id_slot(m, id, n);
    return pos == TWIN__NONE ? NULL : m->ids[twin__index_at(&m->idx, pos)];
}

static twin_status grow(twin_models *m, void *pp, uint32_t *cap, uint32_t n, size_t esz)
{
    void **p = pp;
    uint32_t nc;
    void *q;
    if (n < *cap) return TWIN_OK;
    if (*cap > UINT32_MAX / 2) return TWIN_E_RANGE;
    nc = *cap ? *cap * 2 : 64;
    q = twin__realloc(&m->alloc, *p, *cap * esz, nc * esz);
    if (!q) return TWIN_E_NOMEM;
    *p = q;
    *cap = nc;
    return TWIN_OK;
}

/* Index e under its identifier, whose hash is h. */
static twin_status put_hashed(twin_models *m, twin_dtdl_elem *e, uint32_t h)
{
    twin_status s;
    if ((s = grow(m, &m->ids, &m->capids, m->nids, sizeof *m->ids)) != TWIN_OK) return s;
    if ((s = twin__index_reserve(&m->idx, &m->alloc, 1)) != TWIN_OK) return s;
    m->ids[m->nids] = e;
    twin__index_insert(&m->idx, h, m->nids);
    m->nids++;
    return TWIN_OK;
}

twin_status twin__models_put_id(twin_models *m, twin_dtdl_elem *e)
{
    return put_hashed(m, e, id_hash(m, e->id, strlen(e->id)));
}

twin_status twin__models_put_new_id(twin_models *m, twin_dtdl_elem *e, twin_dtdl_elem **dup)
{
    key k;
    uint32_t h, pos;
    k.s = e->id;
    k.n = strlen(e->id);
    h = id_hash(m, k.s, k.n);
    pos = twin__index_find(&m->idx, h, id_eq, m, &k);
    *dup = pos == TWIN__NONE ? NULL : m->ids[twin__index_at(&m->idx, pos)];
    return *dup ? TWIN_E_EXISTS : put_hashed(m, e, h);
}

uint32_t twin__models_pos(const twin_models *m, const char *id)
{
    uint32_t pos = id_slot(m, id, strlen(id));
    return pos == TWIN__NONE ? UINT32_MAX : twin__index_at(&m->idx, pos);
}

void twin__models_drop_ids(twin_models *m, uint32_t nids)
{
    while (m->nids > nids) {
        const char *id = m->ids[m->nids - 1]->id;
        uint32_t pos = id_slot(m, id, strlen(id));
        if (pos != TWIN__NONE) twin__index_remove_at(&m->idx, pos);
        m->nids--;
    }
}

twin_status twin__models_put_iface(twin_models *m, twin_dtdl_elem *e)
{
    twin_status s;
    if ((s = grow(m, &m->ifaces, &m->capifaces, m->nifaces, sizeof *m->ifaces)) != TWIN_OK)
        return s;
    m->ifaces[m->nifaces++] = e;
    return TWIN_OK;
}

twin_status twin_models_resolve(twin_models *m)
{
    twin_status s;
    twin_error prev;
    if (!m) return TWIN_E_INVAL;
    if (m->in_resolve) return twin__models_fail(m, TWIN_E_STATE, "resolve called from a resolver");
    twin__models_diag_clear(m);
    if (m->sealed) return TWIN_OK;
    m->in_resolve = 1;
    prev = m->err;
    m->err.status = TWIN_OK;  /* to see whether resolution recorded a failure */
    s = twin__dtdl_resolve(m);
    m->in_resolve = 0;
    if (s != TWIN_OK && m->err.status != s)  /* e.g. an allocation failed */
        twin__models_fail(m, s, "resolve failed: %s", twin_strerror(s));
    if (s == TWIN_OK) {
        m->sealed = 1;
        if (m->err.status == TWIN_OK) m->err = prev;  /* a success keeps the last error */
    }
    return s;
}

const twin_dtdl_elem *twin_models_find(const twin_models *m, const char *dtmi)
{
    if (!m || !dtmi || !m->sealed) return NULL;
    return twin__models_find(m, dtmi, strlen(dtmi));
}

size_t twin_models_interface_count(const twin_models *m)
{
    return m && m->sealed ? m->nifaces : 0;
}

const twin_dtdl_elem *twin_models_interface(const twin_models *m, size_t i)
{
    return m && m->sealed && i < m->nifaces ? m->ifaces[i] : NULL;
}
