/* Internals of the DTDL parser (parse*.c): the state of a document's
 * parse, its helpers, and the functions of each file. Host only. */
#ifndef TWIN_DTDL_PARSE_INT_H
#define TWIN_DTDL_PARSE_INT_H

#include "dtdl/dtdl_int.h"
#include "dtdl/vocab.h"
#include "units/units.h"

#include "dtdl/jsonread.h"
#include <string.h>

/* The JSON pointer of the value being read: at most this many bytes with
   its NUL (twin/dtdl.h, Limits). */
#define TWIN__DP_PATH_MAX 4096

/* The state of one document's parse. */
typedef struct twin__dp {
    twin_models *m;
    twin__region *scratch;  /* freed with the document's tree */
    const char *src;
    uint32_t doc;
    int version;        /* 2, 3 or 4 */
    unsigned ext;       /* TWIN__X_* of the context in force */
    int errs;
    int nomem;
    uint32_t sdepth;    /* complex schema nesting */
    uint32_t known_ext, unresolved_ext;  /* extension table bits seen in contexts */
    const char *sroot;  /* identifier of the outermost complex schema being nested */
    uint32_t limit_depth;  /* a limit extension's schema depth; 0: the version's */
    size_t limit_desc;     /* ... and description length; 0: the version's */
    int limitless;         /* the previous specifier was dtmi:dtdl:context;4#limitless */
    /* extension contexts in force whose vocabulary vocab.c models */
    struct xctx {
        const char *ctx;
        size_t len;
        int ver;
    } xc[8];
    int nxc;
    uint32_t nelems;    /* elements in the document (v3+ limit) */
    /* the base of the last generated identifier, measured (parse_value.c):
       the items of a list share it */
    const char *gen_base, *gen_semi;
    size_t gen_bl, gen_l3;
    size_t plen;
    uint32_t pcut;      /* pushes left out of path (too long), still open */
    char path[TWIN__DP_PATH_MAX];
} twin__dp;

/* Bits of element classes, for "which classes may appear here". */
#define C(k) (1u << (k))
#define C_CONTENT (C(TWIN_DTDL_TELEMETRY) | C(TWIN_DTDL_PROPERTY) | C(TWIN_DTDL_COMMAND) | \
                   C(TWIN_DTDL_RELATIONSHIP) | C(TWIN_DTDL_COMPONENT))
#define C_COMPLEX (C(TWIN_DTDL_ARRAY) | C(TWIN_DTDL_ENUM) | C(TWIN_DTDL_MAP) | C(TWIN_DTDL_OBJECT))


/* The JSON pointer of the value being read holds at most
 * TWIN__DP_PATH_MAX - 1 bytes (twin/dtdl.h, Limits): a key that would take
 * it past that is not appended, nor is anything below it (p->pcut counts
 * the pushes left out and still open), so that the pointer stays the
 * deepest ancestor that fits, never a key cut short. The mark of a push
 * left out is DP_CUT. */
#define DP_CUT ((size_t)-1)

static inline size_t dp_cut(twin__dp *p)
{
    p->pcut++;
    return DP_CUT;
}

/* Append /key to the JSON pointer (escaped: ~ as ~0, / as ~1); returns
 * the mark to pop back to. */
static inline size_t dp_push(twin__dp *p, const char *key)
{
    size_t mark = p->plen, n = p->plen + 1, k;
    char *path = p->path;
    if (p->pcut) return dp_cut(p);
    for (k = 0; key[k] && n < TWIN__DP_PATH_MAX; k++) n += 1 + (key[k] == '~' || key[k] == '/');
    if (n >= TWIN__DP_PATH_MAX) return dp_cut(p);
    n = mark;
    path[n++] = '/';
    for (; *key; key++) {
        char c = *key;
        if (c == '~' || c == '/') {
            path[n++] = '~';
            c = c == '~' ? '0' : '1';
        }
        path[n++] = c;
    }
    path[n] = '\0';
    p->plen = n;
    return mark;
}

/* dp_push() of a key of len bytes: copied whole when it needs no escape
 * (a loop without branches on the bytes). */
static inline size_t dp_push_key(twin__dp *p, const char *key, size_t len)
{
    size_t mark = p->plen, k;
    char *to = p->path + p->plen + 1;
    int esc = 0;
    if (p->pcut || p->plen + len + 1 >= TWIN__DP_PATH_MAX) return dp_push(p, key);
    for (k = 0; k < len; k++) {
        to[k] = key[k];
        esc |= (key[k] == '~') | (key[k] == '/');
    }
    if (esc) return dp_push(p, key);
    to[-1] = '/';
    to[len] = '\0';
    p->plen += len + 1;
    return mark;
}

static inline size_t dp_push_i(twin__dp *p, int i)
{
    char b[16];
    int n = 15;
    unsigned u = (unsigned)i;
    b[15] = '\0';
    do {
        b[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n > 0);
    return dp_push(p, b + n);
}

static inline void dp_pop(twin__dp *p, size_t mark)
{
    if (mark == DP_CUT) {
        p->pcut--;
        return;
    }
    p->plen = mark;
    p->path[p->plen] = '\0';
}

/* Is s the word w? Does s start with prefix? (Inline byte loops: the
 * words are short, and a call to the C library costs more than them.) */
static inline int dp_is(const char *s, const char *w)
{
    while (*w)
        if (*s++ != *w++) return 0;
    return *s == '\0';
}
static inline int dp_starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++) return 0;
    return 1;
}

/* ---- allocation ---- */

static inline void *dp_alloc(twin__dp *p, size_t n)
{
    void *q = twin__region_alloc(&p->m->mem, &p->m->alloc, n);
    if (!q) p->nomem = 1;
    else memset(q, 0, n);
    return q;
}

static inline const char *dp_strdup(twin__dp *p, const char *s, size_t n)
{
    const char *q = twin__region_strdup(&p->m->mem, &p->m->alloc, s, n);
    if (!q) p->nomem = 1;
    return q;
}

/* Solecisms are tolerated on request, and only in DTDL v2. */
static inline int dp_tolerate(const twin__dp *p)
{
    return (p->m->opt.flags & TWIN_MODELS_TOLERATE_SOLECISMS) && p->version == 2;
}

/* ---- limits per version ---- */

static inline size_t dp_name_max(const twin__dp *p) { return p->version == 2 ? 64 : 512; }
static inline size_t dp_display_max(const twin__dp *p) { return p->version == 2 ? 64 : 512; }
static inline uint32_t dp_depth_max(const twin__dp *p)
{
    return p->limit_depth ? p->limit_depth : p->version >= 4 ? 8 : 5;
}
static inline size_t dp_desc_max(const twin__dp *p) { return p->limit_desc ? p->limit_desc : 512; }

/* Which properties a class has. */
enum {
    K_NAME = 1, K_SCHEMA, K_WRITABLE, K_CONTENTS, K_EXTENDS, K_SCHEMAS, K_TARGET, K_MINM,
    K_MAXM, K_PROPERTIES, K_FIELDS, K_ENUMVALUES, K_ENUMVALUE, K_VALUESCHEMA, K_ELEMSCHEMA,
    K_MAPKEY, K_MAPVALUE, K_REQUEST, K_RESPONSE, K_COMMANDTYPE, K_NULLABLE,
    /* properties every class (or a co-type) has */
    K_DISPLAY, K_DESC, K_COMMENT, K_UNIT, K_ANNOTATES, K_OVERRIDES
};

typedef struct twin__dp_prop {
    uint8_t kind;     /* element class */
    uint8_t key;      /* K_* */
    uint8_t vmin, vmax;
    uint8_t required;
    const char *json;
} twin__dp_prop;

static inline int dp_is_keyword(const char *k) { return k[0] == '@'; }

/* Class names by kind (NULL where a kind has none), and their count. */
extern const char *const twin__dp_class_names[];
extern const size_t twin__dp_nclass_names;

/* parse.c: documents and elements */
void twin__dp_err(twin__dp *p, const char *code, const twin_dtdl_elem *e, const char *secondary,
                  const char *fmt, ...);
twin_dtdl_elem *twin__dp_element(twin__dp *p, const twin__json *o, uint32_t allowed, int inferred,
                                 const twin_dtdl_elem *parent, const char *genid);

/* parse_context.c: a @context value; top: a document's root. 0 on error. */
int twin__dp_context(twin__dp *p, const twin__json *v, int top);

/* parse_type.c: classes and co-types */
int twin__dp_class_of(const twin__dp *p, const char *t);
unsigned twin__dp_qt_where(const twin__dp *p);
int twin__dp_other_class(const twin__dp *p, const char *t);
int twin__dp_is_property_term(const char *t);
void twin__dp_bad_type(twin__dp *p, const twin_dtdl_elem *e, const char *t);
int twin__dp_typed_by_position(const twin__json *t);
int twin__dp_types(twin__dp *p, twin_dtdl_elem *e, const twin__json *t, uint32_t allowed, int inferred,
                   int idref_only);

/* parse_value.c: literals, names, generated identifiers */
const char *twin__dp_gen_id(twin__dp *p, const char *base, const char *s1, const char *s2);
int twin__dp_name_ok(const char *s, size_t max);
size_t twin__dp_ulen(const char *s);
const twin__json *twin__dp_literal(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v,
                              const char *kind, const char *what);
const char *twin__dp_string(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what,
                            size_t max);
int twin__dp_bool(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what);
int twin__dp_int(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what,
                 int64_t *out);

/* parse_lang.c: displayName and description */
void twin__dp_lang_string(twin__dp *p, const twin_dtdl_elem *e, const twin__json *v, const char *what,
                          size_t max, const twin__lang **out, uint16_t *nout);

/* parse_schema.c */
int twin__dp_is_numeric(const twin_dtdl_elem *s);
const char *twin__dp_std_term(const twin__dp *p, const char *s, size_t *n);
void twin__dp_schema(twin__dp *p, twin_dtdl_elem *e, int slot, const twin__json *v, const char *suffix,
                     uint32_t allowed);
int twin__dp_has_array(const twin_dtdl_elem *s, int depth);
void twin__dp_enum_values(twin__dp *p, const twin_dtdl_elem *e);

/* parse_content.c: the class property table, lists and members */
const twin__dp_prop *twin__dp_props_of(int kind);
int twin__dp_is_class_property(const char *t);
const twin__dp_prop *twin__dp_find_prop(int kind, const char *key, int version);
void twin__dp_list(twin__dp *p, twin_dtdl_elem *e, int slot, const twin__json *v, const char *key,
                   uint32_t allowed, int inferred, int by_name);
void twin__dp_member(twin__dp *p, twin_dtdl_elem *e, const twin__dp_prop *pr, const twin__json *v);

/* parse_vocab.c: modelled extension vocabularies */
const twin__xtype *twin__dp_vocab_type(const twin__dp *p, const char *term);
const char *twin__dp_vocab_schema_term(const twin__dp *p, const char *s);
const twin__xprop *twin__dp_vocab_prop(const twin_dtdl_elem *e, const char *key);
int twin__dp_vocab_owner(const twin__dp *p, const char *key);
int twin__dp_has_xtype(const twin_dtdl_elem *x, const char *iri);
void twin__dp_vocab_rules(twin__dp *p, twin_dtdl_elem *e, const twin__json *o, int kind);
void twin__dp_vocab_fields(twin__dp *p, twin_dtdl_elem *obj);

#endif
