/* The compact binary form of a resolved model set: written by a host with
 * the full library, loaded anywhere (firmware included) without a JSON
 * parser.
 *
 * Layout, all integers little-endian u32:
 *   header   magic "TWDM", format version, then the counts: string bytes,
 *            elements, refs, langs, interfaces
 *   strings  NUL-terminated strings, back to back (a string is its offset + 1;
 *            0 is "none")
 *   elements ELEM_WORDS words each (see put_elem)
 *   refs     element references of every list (0 none, i + 1 element i,
 *            PRIM | p the primitive p) and string references of co-types
 *   langs    (language, text) string pairs
 *   ifaces   element references, in the set's order
 *   crc      CRC-32 (IEEE) of everything before it
 * Loading checks the sizes, the checksum and every reference before it
 * builds anything, so a truncated or corrupted form is refused whole.
 * Limits (dtdl.h, docs/limits.md): the header's counts must add up to the
 * length exactly, which bounds every section and what is allocated (about
 * four times the length); an element's display names and descriptions are
 * at most TWIN__LANGS_MAX each (TWIN_E_RANGE). */
#include "dtdl/dtdl_int.h"
#include "core/alloc.h"
#include "util/crc32.h"
#include "util/hash.h"

#include <string.h>

#define MAGIC 0x4d445754u /* "TWDM" */
#define FORMAT 1u
#define HEADER_WORDS 7u
#define ELEM_WORDS 30u /* see put_elem */
#define PRIM 0x80000000u
/* Most display names, and most descriptions, of one element (its counts
 * are 16 bits). */
#define TWIN__LANGS_MAX 65535u

/* ---- writing ---- */

typedef struct wr {
    twin_models_write_fn write;
    void *ud;
    uint32_t crc;
    twin_status s;
} wr;

static void put(wr *w, const void *p, size_t n)
{
    if (w->s != TWIN_OK || n == 0) return;
    w->crc = twin__crc32(w->crc, p, n);
    w->s = w->write(w->ud, p, n);
    if (w->s > 0) w->s = TWIN_E_IO;
}

static void put32(wr *w, uint32_t v)
{
    unsigned char b[4];
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
    put(w, b, 4);
}

/* The string table: every string once per use (no sharing: simple, and the
 * sets this serves are small); sizes are computed in a first pass. */
static uint32_t str_size(const char *s) { return s ? (uint32_t)strlen(s) + 1 : 0; }

/* An element's strings are written in three runs: its own fields, its
 * language pairs, its co-types; these give each run's size. */
static uint32_t field_strings(const twin_dtdl_elem *e)
{
    return str_size(e->id) + str_size(e->name) + str_size(e->comment) + str_size(e->semtype) +
           str_size(e->unit) + str_size(e->enum_str);
}

static uint32_t lang_strings(const twin_dtdl_elem *e)
{
    uint32_t n = 0, k;
    for (k = 0; k < e->ndisplay; k++) n += str_size(e->display[k].lang) + str_size(e->display[k].text);
    for (k = 0; k < e->ndesc; k++) n += str_size(e->desc[k].lang) + str_size(e->desc[k].text);
    return n;
}

static uint32_t cotype_strings(const twin_dtdl_elem *e)
{
    uint32_t n = 0, k;
    for (k = 0; k < e->ncotypes; k++) n += str_size(e->cotypes[k]);
    return n;
}

typedef struct cursor {
    uint32_t str, ref, lang;
} cursor;

static uint32_t sref(cursor *c, const char *s)
{
    uint32_t off;
    if (!s) return 0;
    off = c->str;
    c->str += str_size(s);
    return off + 1;
}

static uint32_t eref(const twin_models *m, const twin_dtdl_elem *e)
{
    if (!e) return 0;
    if (e->kind == TWIN_DTDL_PRIMITIVE) return PRIM | e->prim;
    return twin__models_pos(m, e->id) + 1;  /* its position in m->ids */
}

static void put_strings(wr *w, const twin_dtdl_elem *e)
{
    uint32_t k;
#define PS(x) if (x) put(w, (x), strlen(x) + 1)
    PS(e->id);
    PS(e->name);
    PS(e->comment);
    PS(e->semtype);
    PS(e->unit);
    PS(e->enum_str);
    for (k = 0; k < e->ndisplay; k++) {
        PS(e->display[k].lang);
        PS(e->display[k].text);
    }
    for (k = 0; k < e->ndesc; k++) {
        PS(e->desc[k].lang);
        PS(e->desc[k].text);
    }
    for (k = 0; k < e->ncotypes; k++) PS(e->cotypes[k]);
#undef PS
}

static uint32_t nrefs_of(const twin_dtdl_elem *e)
{
    return e->nlist[0] + e->nlist[1] + e->nlist[2] + e->nall + e->ncotypes;
}

/* One element record; the cursor walks the string, ref and lang sections
 * in the same order put_strings and put_refs write them. */
static void put_elem(wr *w, const twin_models *m, const twin_dtdl_elem *e, cursor *c)
{
    uint32_t k;
    put32(w, (uint32_t)e->kind | (uint32_t)e->version << 8 | (uint32_t)e->prim << 16 |
                 (uint32_t)(e->flags & (TWIN__EF_WRITABLE | TWIN__EF_NULLABLE | TWIN__EF_ENUM_STR |
                                        TWIN__EF_UNDEF_TYPE | TWIN__EF_HAS_ID))
                     << 24);
    put32(w, sref(c, e->id));
    put32(w, sref(c, e->name));
    put32(w, sref(c, e->comment));
    put32(w, sref(c, e->semtype));
    put32(w, sref(c, e->unit));
    put32(w, sref(c, e->enum_str));
    put32(w, eref(m, e->parent));
    put32(w, eref(m, e->link[0]));
    put32(w, eref(m, e->link[1]));
    put32(w, c->lang);
    put32(w, e->ndisplay);
    c->lang += e->ndisplay;
    put32(w, c->lang);
    put32(w, e->ndesc);
    c->lang += e->ndesc;
    for (k = 0; k < 3; k++) {
        put32(w, c->ref);
        put32(w, e->nlist[k]);
        c->ref += e->nlist[k];
    }
    put32(w, c->ref);
    put32(w, e->nall);
    c->ref += e->nall;
    put32(w, c->ref);
    put32(w, e->ncotypes);
    c->ref += e->ncotypes;
    put32(w, (uint32_t)((uint64_t)e->enum_num & 0xffffffffu));
    put32(w, (uint32_t)((uint64_t)e->enum_num >> 32));
    put32(w, e->minm);
    put32(w, e->maxm);
    put32(w, e->schema_unit_type);
    put32(w, 0); /* reserved */
    /* strings of lang pairs and co-types are counted when written */
    for (k = 0; k < e->ndisplay; k++) {
        sref(c, e->display[k].lang);
        sref(c, e->display[k].text);
    }
    for (k = 0; k < e->ndesc; k++) {
        sref(c, e->desc[k].lang);
        sref(c, e->desc[k].text);
    }
    for (k = 0; k < e->ncotypes; k++) sref(c, e->cotypes[k]);
}

twin_status twin_models_save(const twin_models *m, twin_models_write_fn write, void *ud)
{
    wr w;
    cursor c;
    uint32_t i, k, nstr = 0, nrefs = 0, nlangs = 0;
    if (!m || !write) return TWIN_E_INVAL;
    if (!m->sealed) return TWIN_E_STATE;
    for (i = 0; i < m->nids; i++) {
        const twin_dtdl_elem *e = m->ids[i];
        nstr += field_strings(e) + lang_strings(e) + cotype_strings(e);
        nrefs += nrefs_of(e);
        nlangs += e->ndisplay + e->ndesc;
    }
    w.write = write;
    w.ud = ud;
    w.crc = 0;
    w.s = TWIN_OK;
    put32(&w, MAGIC);
    put32(&w, FORMAT);
    put32(&w, nstr);
    put32(&w, m->nids);
    put32(&w, nrefs);
    put32(&w, nlangs);
    put32(&w, m->nifaces);
    for (i = 0; i < m->nids; i++) put_strings(&w, m->ids[i]);
    memset(&c, 0, sizeof c);
    for (i = 0; i < m->nids; i++) put_elem(&w, m, m->ids[i], &c);
    /* refs: lists, full contents, co-types (as string references) */
    memset(&c, 0, sizeof c);
    for (i = 0; i < m->nids; i++) {
        const twin_dtdl_elem *e = m->ids[i];
        c.str += field_strings(e) + lang_strings(e);  /* to the co-type strings of e */
        for (k = 0; k < 3; k++) {
            uint32_t j;
            for (j = 0; j < e->nlist[k]; j++) put32(&w, eref(m, e->list[k][j]));
        }
        for (k = 0; k < e->nall; k++) put32(&w, eref(m, e->all[k]));
        for (k = 0; k < e->ncotypes; k++) put32(&w, sref(&c, e->cotypes[k]));
    }
    /* langs */
    memset(&c, 0, sizeof c);
    for (i = 0; i < m->nids; i++) {
        const twin_dtdl_elem *e = m->ids[i];
        c.str += field_strings(e);  /* to the language strings of e */
        for (k = 0; k < e->ndisplay; k++) {
            put32(&w, sref(&c, e->display[k].lang));
            put32(&w, sref(&c, e->display[k].text));
        }
        for (k = 0; k < e->ndesc; k++) {
            put32(&w, sref(&c, e->desc[k].lang));
            put32(&w, sref(&c, e->desc[k].text));
        }
        c.str += cotype_strings(e);
    }
    for (i = 0; i < m->nifaces; i++) put32(&w, eref(m, m->ifaces[i]));
    {
        uint32_t crc = w.crc;
        put32(&w, crc);
    }
    return w.s;
}

/* ---- reading ---- */

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct form {
    const unsigned char *strs, *elems, *refs, *langs, *ifaces;
    uint32_t nstr, nelems, nrefs, nlangs, nifaces;
} form;

static int str_ok(const form *f, uint32_t r) { return r == 0 || r <= f->nstr; }
static int elem_ok(const form *f, uint32_t r, int allow_prim)
{
    if (r & PRIM) return allow_prim && (r & ~PRIM) >= 1 && (r & ~PRIM) <= TWIN_DTDL_MULTI_POLYGON;
    return r <= f->nelems;
}
static int range_ok(uint32_t off, uint32_t n, uint32_t total)
{
    return off <= total && n <= total - off;
}

/* Every reference of the form within its section (TWIN_E_PARSE when one
 * is not), and each element's language counts within what it can hold
 * (TWIN_E_RANGE past TWIN__LANGS_MAX). */
static twin_status form_check(const form *f)
{
    uint32_t i, k;
    if (f->nstr && f->strs[f->nstr - 1] != '\0') return TWIN_E_PARSE;
    for (i = 0; i < f->nelems; i++) {
        const unsigned char *w = f->elems + (size_t)i * ELEM_WORDS * 4;
        uint32_t kind = get32(w) & 0xff;
        if (kind < TWIN_DTDL_INTERFACE || kind > TWIN_DTDL_MAP_VALUE || kind == TWIN_DTDL_PRIMITIVE)
            return TWIN_E_PARSE;
        for (k = 1; k <= 6; k++)
            if (!str_ok(f, get32(w + 4 * k))) return TWIN_E_PARSE;
        if (get32(w + 4) == 0) return TWIN_E_PARSE; /* every element has an id */
        if (!elem_ok(f, get32(w + 28), 0) || !elem_ok(f, get32(w + 32), 1) ||
            !elem_ok(f, get32(w + 36), 1))
            return TWIN_E_PARSE;
        if (!range_ok(get32(w + 40), get32(w + 44), f->nlangs) ||
            !range_ok(get32(w + 48), get32(w + 52), f->nlangs))
            return TWIN_E_PARSE;
        if (get32(w + 44) > TWIN__LANGS_MAX || get32(w + 52) > TWIN__LANGS_MAX)
            return TWIN_E_RANGE;
        if (get32(w + 112) > UINT16_MAX) return TWIN_E_PARSE; /* a unit type code */
        for (k = 0; k < 5; k++) {
            uint32_t off = get32(w + 56 + 8 * k), n = get32(w + 60 + 8 * k), j;
            if (!range_ok(off, n, f->nrefs)) return TWIN_E_PARSE;
            for (j = off; j < off + n; j++) {
                uint32_t r = get32(f->refs + 4 * j);
                /* lists hold elements, co-types strings; never "none" */
                if (r == 0 || (k < 4 ? !elem_ok(f, r, 0) : !str_ok(f, r))) return TWIN_E_PARSE;
            }
        }
        /* the links the readers follow without a test */
        if (kind == TWIN_DTDL_MAP && (get32(w + 32) == 0 || (get32(w + 32) & PRIM) ||
                                      get32(w + 36) == 0 || (get32(w + 36) & PRIM)))
            return TWIN_E_PARSE;
        if ((kind == TWIN_DTDL_ARRAY || kind == TWIN_DTDL_ENUM) && get32(w + 32) == 0)
            return TWIN_E_PARSE;
    }
    for (i = 0; i < f->nlangs; i++)
        if (!str_ok(f, get32(f->langs + 8 * i)) || !str_ok(f, get32(f->langs + 8 * i + 4)))
            return TWIN_E_PARSE;
    for (i = 0; i < f->nifaces; i++) {
        uint32_t r = get32(f->ifaces + 4 * i);
        if (r == 0 || !elem_ok(f, r, 0)) return TWIN_E_PARSE;
    }
    return TWIN_OK;
}

twin_status twin_models_load(twin_models **out, const void *data, size_t len,
                             const twin_models_options *opts)
{
    const unsigned char *p = data;
    form f;
    twin_models *m;
    twin_dtdl_elem *els;
    const twin_dtdl_elem **eptr;
    const char **sptr;
    twin__lang *langs;
    char *strs;
    uint64_t need;
    uint32_t i, k;
    twin_status s;
    if (!out) return TWIN_E_INVAL;
    *out = NULL;
    if (!data) return TWIN_E_INVAL;
    if (len < (HEADER_WORDS + 1) * 4 || get32(p) != MAGIC) return TWIN_E_PARSE;
    if (get32(p + 4) != FORMAT) return TWIN_E_PARSE;
    f.nstr = get32(p + 8);
    f.nelems = get32(p + 12);
    f.nrefs = get32(p + 16);
    f.nlangs = get32(p + 20);
    f.nifaces = get32(p + 24);
    need = (uint64_t)HEADER_WORDS * 4 + f.nstr + (uint64_t)f.nelems * ELEM_WORDS * 4 +
           (uint64_t)f.nrefs * 4 + (uint64_t)f.nlangs * 8 + (uint64_t)f.nifaces * 4 + 4;
    if (need != len) return TWIN_E_PARSE;
    if (twin__crc32(0, p, len - 4) != get32(p + len - 4)) return TWIN_E_PARSE;
    f.strs = p + HEADER_WORDS * 4;
    f.elems = f.strs + f.nstr;
    f.refs = f.elems + (size_t)f.nelems * ELEM_WORDS * 4;
    f.langs = f.refs + (size_t)f.nrefs * 4;
    f.ifaces = f.langs + (size_t)f.nlangs * 8;
    if ((s = form_check(&f)) != TWIN_OK) return s;

    if ((s = twin_models_create(&m, opts)) != TWIN_OK) return s;
    strs = twin__region_alloc(&m->mem, &m->alloc, f.nstr ? f.nstr : 1);
    els = twin__region_alloc(&m->mem, &m->alloc, (f.nelems ? f.nelems : 1) * sizeof *els);
    eptr = twin__region_alloc(&m->mem, &m->alloc, (f.nrefs ? f.nrefs : 1) * sizeof *eptr);
    sptr = twin__region_alloc(&m->mem, &m->alloc, (f.nrefs ? f.nrefs : 1) * sizeof *sptr);
    langs = twin__region_alloc(&m->mem, &m->alloc, (f.nlangs ? f.nlangs : 1) * sizeof *langs);
    if (!strs || !els || !eptr || !sptr || !langs) goto nomem;
    memcpy(strs, f.strs, f.nstr);
    memset(els, 0, (f.nelems ? f.nelems : 1) * sizeof *els);
#define STR(r) ((r) ? strs + (r) - 1 : NULL)
#define ELEM(r) ((r) == 0 ? NULL : ((r) & PRIM) ? twin__dtdl_primitive_by_code((r) & ~PRIM) \
                                                : (const twin_dtdl_elem *)&els[(r) - 1])
    for (i = 0; i < f.nlangs; i++) {
        langs[i].lang = STR(get32(f.langs + 8 * i));
        langs[i].text = STR(get32(f.langs + 8 * i + 4));
        if (!langs[i].lang) langs[i].lang = "";
        if (!langs[i].text) langs[i].text = "";
    }
    for (i = 0; i < f.nrefs; i++) {
        uint32_t r = get32(f.refs + 4 * i);
        eptr[i] = (r & PRIM) || r <= f.nelems ? ELEM(r) : NULL;
        sptr[i] = r <= f.nstr ? STR(r) : NULL;
    }
    for (i = 0; i < f.nelems; i++) {
        const unsigned char *w = f.elems + (size_t)i * ELEM_WORDS * 4;
        twin_dtdl_elem *e = &els[i];
        uint32_t h = get32(w);
        e->kind = (uint8_t)h;
        e->version = (uint8_t)(h >> 8);
        e->prim = (uint8_t)(h >> 16);
        e->flags = (uint8_t)(h >> 24);
        e->id = STR(get32(w + 4));
        e->name = STR(get32(w + 8));
        e->comment = STR(get32(w + 12));
        e->semtype = STR(get32(w + 16));
        e->unit = STR(get32(w + 20));
        e->enum_str = STR(get32(w + 24));
        e->parent = ELEM(get32(w + 28));
        e->link[0] = ELEM(get32(w + 32));
        e->link[1] = ELEM(get32(w + 36));
        e->display = langs + get32(w + 40);
        e->ndisplay = (uint16_t)get32(w + 44);
        e->desc = langs + get32(w + 48);
        e->ndesc = (uint16_t)get32(w + 52);
        for (k = 0; k < 3; k++) {
            e->list[k] = eptr + get32(w + 56 + 8 * k);
            e->nlist[k] = get32(w + 60 + 8 * k);
        }
        e->all = eptr + get32(w + 80);
        e->nall = get32(w + 84);
        e->cotypes = sptr + get32(w + 88);
        e->ncotypes = get32(w + 92);
        e->enum_num = (int64_t)((uint64_t)get32(w + 96) | (uint64_t)get32(w + 100) << 32);
        e->minm = get32(w + 104);
        e->maxm = get32(w + 108);
        e->schema_unit_type = (uint16_t)get32(w + 112);
        e->src = "";
        e->ptr = "";
        if (e->name) e->name_hash = twin__hash32(twin__hash(0, e->name, strlen(e->name)));
        {
            /* identifiers are unique in a resolved set; a form with two
               alike is not one (its references could not be written back) */
            twin_dtdl_elem *dup;
            if ((s = twin__models_put_new_id(m, e, &dup)) == TWIN_E_EXISTS) s = TWIN_E_PARSE;
            if (s != TWIN_OK) goto fail;
        }
    }
    for (i = 0; i < f.nifaces; i++)
        if ((s = twin__models_put_iface(m, &els[get32(f.ifaces + 4 * i) - 1])) != TWIN_OK) goto fail;
#undef STR
#undef ELEM
    m->sealed = 1;
    *out = m;
    return TWIN_OK;
nomem:
    s = TWIN_E_NOMEM;
fail:
    twin_models_destroy(m);
    return s;
}
