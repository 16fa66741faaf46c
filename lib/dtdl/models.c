/* The model set handle: options, documents in, diagnostics out, and the
 * all-or-nothing rule of every add call. */
#include "dtdl/dtdl_int.h"
#include "core/alloc.h"
#include "core/error.h"
#include "util/hash.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_MAX_DOC ((size_t)16 << 20)

twin_status twin_models_options_init_(twin_models_options *o, size_t size)
{
    if (!o) return TWIN_E_INVAL;
    if (size > sizeof *o) return TWIN_E_ABI;
    if (size < offsetof(twin_models_options, alloc)) return TWIN_E_INVAL;
    memset(o, 0, size);
    o->size = (uint32_t)size;
    if (size >= offsetof(twin_models_options, reserved_)) o->max_dtdl_version = 4;
    if (size >= offsetof(twin_models_options, resolver)) o->max_document_bytes = DEFAULT_MAX_DOC;
    return TWIN_OK;
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
    twin_models_options o;
    twin_allocator a;
    twin_models *m;
    twin_status s;
    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    twin_models_options_init(&o);
    if (opts) {
        if (opts->size > sizeof o) return TWIN_E_ABI;
        if (opts->size < offsetof(twin_models_options, alloc)) return TWIN_E_INVAL;
        memcpy(&o, opts, opts->size);
        o.size = sizeof o;
    }
    if (o.max_dtdl_version < 2 || o.max_dtdl_version > 4) return TWIN_E_INVAL;
    if (o.flags & ~(uint32_t)(TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS |
                              TWIN_MODELS_TOLERATE_SOLECISMS))
        return TWIN_E_INVAL;
    if (o.max_document_bytes == 0) o.max_document_bytes = DEFAULT_MAX_DOC;
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
            twin_models_close(m);
            return TWIN_E_INVAL;
        }
        v = twin__region_alloc(&m->mem, &a, o.nacceptable_limits * sizeof *v);
        for (i = 0; v && i < o.nacceptable_limits; i++) {
            const char *x = o.acceptable_limits[i];
            if (!x) {
                twin_models_close(m);
                return TWIN_E_INVAL;
            }
            if (!(v[i] = twin__region_strdup(&m->mem, &a, x, strlen(x)))) v = NULL;
        }
        if (!v) {
            twin_models_close(m);
            return TWIN_E_NOMEM;
        }
        m->opt.acceptable_limits = v;
        m->opt.nacceptable_limits = o.nacceptable_limits;
    }
    m->err.message = "";
    *out = m;
    return TWIN_OK;
}

void twin_models_close(twin_models *m)
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

static void diag_clear(twin_models *m)
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
    vsnprintf(msg, sizeof msg, fmt, ap);
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

static twin_status diag(twin_models *m, const char *code, const char *src, const char *fmt, ...)
{
    va_list ap;
    twin_status s;
    va_start(ap, fmt);
    s = twin__models_diag_add(m, code, src, 0, "", 0, NULL, NULL, fmt, ap);
    va_end(ap);
    return s;
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

twin_dtdl_elem *twin__models_find(const twin_models *m, const char *id, size_t n)
{
    key k;
    uint32_t pos;
    k.s = id;
    k.n = n;
    pos = twin__index_find(&m->idx, id_hash(m, id, n), id_eq, m, &k);
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

twin_status twin__models_put_id(twin_models *m, twin_dtdl_elem *e)
{
    twin_status s;
    size_t n = strlen(e->id);
    if ((s = grow(m, &m->ids, &m->capids, m->nids, sizeof *m->ids)) != TWIN_OK) return s;
    if ((s = twin__index_reserve(&m->idx, &m->alloc, 1)) != TWIN_OK) return s;
    m->ids[m->nids] = e;
    twin__index_insert(&m->idx, id_hash(m, e->id, n), m->nids);
    m->nids++;
    return TWIN_OK;
}

twin_status twin__models_put_iface(twin_models *m, twin_dtdl_elem *e)
{
    twin_status s;
    if ((s = grow(m, &m->ifaces, &m->capifaces, m->nifaces, sizeof *m->ifaces)) != TWIN_OK)
        return s;
    m->ifaces[m->nifaces++] = e;
    return TWIN_OK;
}

/* ---- adding documents ---- */

typedef struct txn {
    twin__rmark mem;
    uint32_t nids, nifaces;
} txn;

static txn txn_begin(const twin_models *m)
{
    txn t;
    t.mem = twin__region_mark(&m->mem);
    t.nids = m->nids;
    t.nifaces = m->nifaces;
    return t;
}

static void txn_rollback(twin_models *m, txn t)
{
    while (m->nids > t.nids) {
        const char *id = m->ids[m->nids - 1]->id;
        key k;
        uint32_t pos;
        k.s = id;
        k.n = strlen(id);
        pos = twin__index_find(&m->idx, id_hash(m, id, k.n), id_eq, m, &k);
        if (pos != TWIN__NONE) twin__index_remove_at(&m->idx, pos);
        m->nids--;
    }
    m->nifaces = t.nifaces;
    twin__region_rollback(&m->mem, &m->alloc, t.mem);
}

static void locate(twin_models *m, size_t from, const char *text, size_t len, int is_array)
{
    size_t i;
    for (i = from; i < m->ndiag; i++) {
        twin_dtdl_diag *d = &m->diag[i];
        if (d->line == 0)
            twin__json_pos(text, len, d->document, is_array, d->pointer, &d->line, &d->column);
    }
}

static void line_col(const char *text, size_t off, uint32_t *line, uint32_t *col)
{
    size_t k, bol = 0;
    uint32_t ln = 1;
    for (k = 0; k < off; k++)
        if (text[k] == '\n') {
            ln++;
            bol = k + 1;
        }
    *line = ln;
    *col = (uint32_t)(off - bol + 1);
}

static twin_status add_text(twin_models *m, const char *json, size_t len, const char *source)
{
    const char *text = json, *end = NULL, *src;
    size_t n = len, bad, first = m->ndiag;
    cJSON *root;
    txn t;
    int errs = 0, nomem = 0, is_array;
    uint32_t i;
    twin_status s;

    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        n -= 3;
    }
    if ((bad = twin__utf8_check(text, n)) != n) {
        if (diag(m, "twin.notUtf8", source, "the text is not valid UTF-8 (byte %lu)",
                 (unsigned long)(bad + (size_t)(text - json))) != TWIN_OK)
            return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
        line_col(json, bad + (size_t)(text - json), &m->diag[m->ndiag - 1].line,
                 &m->diag[m->ndiag - 1].column);
        return twin__models_fail(m, TWIN_E_PARSE, "%s: not valid UTF-8", source);
    }
    {
        int deep;
        size_t bad_at;
        if (!twin__json_check(text, n, &bad_at, &deep)) {
            size_t off = bad_at + (size_t)(text - json);
            uint32_t line, col;
            line_col(json, off, &line, &col);
            s = deep ? diag(m, "twin.jsonTooDeep", source,
                            "JSON nested deeper than %d levels (line %u, column %u)",
                            TWIN__JSON_MAX_DEPTH, (unsigned)line, (unsigned)col)
                     : diag(m, "twin.jsonSyntax", source, "malformed JSON at line %u, column %u",
                            (unsigned)line, (unsigned)col);
            if (s != TWIN_OK) return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
            m->diag[m->ndiag - 1].line = line;
            m->diag[m->ndiag - 1].column = col;
            return twin__models_fail(m, TWIN_E_PARSE, "%s:%u:%u: %s", source, (unsigned)line,
                                     (unsigned)col, deep ? "JSON nested too deeply" : "malformed JSON");
        }
    }
    /* The text is JSON: cJSON failing on it can only be an allocation. */
    root = cJSON_ParseWithLengthOpts(text, n, &end, 0);
    if (!root) return twin__models_fail(m, TWIN_E_NOMEM, "out of memory (reading JSON)");
    t = txn_begin(m);
    /* The source name lives as long as the elements that cite it. */
    src = twin__region_strdup(&m->mem, &m->alloc, source, strlen(source));
    if (!src) {
        cJSON_Delete(root);
        txn_rollback(m, t);
        return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
    }
    is_array = cJSON_IsArray(root);
    if (is_array) {
        const cJSON *d;
        i = 0;
        cJSON_ArrayForEach(d, root) {
            int e = twin__dtdl_parse_doc(m, d, src, i++, &nomem);
            errs += e;
            if (nomem) break;
        }
    } else {
        errs = twin__dtdl_parse_doc(m, root, src, 0, &nomem);
    }
    cJSON_Delete(root);
    if (nomem) {
        txn_rollback(m, t);
        return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
    }
    if (errs) {
        size_t k, dup = 0;
        txn_rollback(m, t);
        locate(m, first, json, len, is_array);
        for (k = first; k < m->ndiag; k++)
            dup += strcmp(m->diag[k].code, "duplicateDefinition") == 0;
        s = dup == m->ndiag - first ? TWIN_E_EXISTS : TWIN_E_CONSTRAINT;
        return twin__models_fail(m, s, "%s: %u error%s; first: %s", source ? source : "",
                                 (unsigned)(m->ndiag - first), m->ndiag - first == 1 ? "" : "s",
                                 m->diag[first].message);
    }
    m->err.status = TWIN_OK;
    m->err.message = "";
    return TWIN_OK;
}

twin_status twin_models_add(twin_models *m, const char *json, size_t len, const char *source)
{
    if (!m) return TWIN_E_INVAL;
    if (!m->in_resolve) diag_clear(m);
    if (!json) return twin__models_fail(m, TWIN_E_INVAL, "NULL text");
    if (m->sealed) return twin__models_fail(m, TWIN_E_STATE, "the model set is resolved (sealed)");
    if (len > m->opt.max_document_bytes)
        return twin__models_fail(m, TWIN_E_RANGE, "%s: %lu bytes, over the limit of %lu",
                                 source ? source : "", (unsigned long)len,
                                 (unsigned long)m->opt.max_document_bytes);
    return add_text(m, json, len, source ? source : "");
}

twin_status twin_models_add_file(twin_models *m, const char *path)
{
    FILE *f;
    char *buf;
    long n;
    size_t got;
    twin_status s;
    if (!m) return TWIN_E_INVAL;
    if (!m->in_resolve) diag_clear(m);
    if (!path) return twin__models_fail(m, TWIN_E_INVAL, "NULL path");
    if (m->sealed) return twin__models_fail(m, TWIN_E_STATE, "the model set is resolved (sealed)");
    f = fopen(path, "rb");
    if (!f) return twin__models_fail(m, TWIN_E_IO, "%s: cannot open", path);
    {
        struct stat st;
        if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
            fclose(f);
            return twin__models_fail(m, TWIN_E_IO, "%s: not a regular file", path);
        }
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return twin__models_fail(m, TWIN_E_IO, "%s: cannot read", path);
    }
    if ((unsigned long)n > m->opt.max_document_bytes) {
        fclose(f);
        return twin__models_fail(m, TWIN_E_RANGE, "%s: %ld bytes, over the limit of %lu", path,
                                 n, (unsigned long)m->opt.max_document_bytes);
    }
    buf = twin__alloc(&m->alloc, (size_t)n + 1);
    if (!buf) {
        fclose(f);
        return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
    }
    got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    if (got != (size_t)n) {
        twin__free(&m->alloc, buf, (size_t)n + 1);
        return twin__models_fail(m, TWIN_E_IO, "%s: short read", path);
    }
    s = add_text(m, buf, (size_t)n, path);
    twin__free(&m->alloc, buf, (size_t)n + 1);
    return s;
}

twin_status twin_models_resolve(twin_models *m)
{
    twin_status s;
    if (!m) return TWIN_E_INVAL;
    if (m->in_resolve) return twin__models_fail(m, TWIN_E_STATE, "resolve called from a resolver");
    diag_clear(m);
    if (m->sealed) return TWIN_OK;
    m->in_resolve = 1;
    m->err.status = TWIN_OK;
    s = twin__dtdl_resolve(m);
    m->in_resolve = 0;
    if (s != TWIN_OK && m->err.status != s)  /* e.g. an allocation failed */
        twin__models_fail(m, s, "resolve failed: %s", twin_strerror(s));
    if (s == TWIN_OK) {
        m->sealed = 1;
        m->err.status = TWIN_OK;
        m->err.message = "";
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
