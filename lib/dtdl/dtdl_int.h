/* Internals of the DTDL model set (twin/dtdl.h). */
#ifndef TWIN_DTDL_INT_H
#define TWIN_DTDL_INT_H

#include "twin/dtdl.h"
#include "util/index.h"
#include "util/region.h"

#include <stdarg.h>

/* A localised string: one entry of a language map. */
typedef struct twin__lang {
    const char *lang;
    const char *text;
} twin__lang;

/* Element flags. */
enum {
    TWIN__EF_WRITABLE = 1u << 0,
    TWIN__EF_NULLABLE = 1u << 1,
    TWIN__EF_ENUM_STR = 1u << 2,    /* enumValue is a string */
    TWIN__EF_UNDEF_TYPE = 1u << 3,  /* has an undefined (extension) co-type */
    TWIN__EF_ON_STACK = 1u << 4,    /* resolve: on the extends walk stack */
    TWIN__EF_DONE = 1u << 5,        /* resolve: full contents computed */
    TWIN__EF_HAS_ID = 1u << 6       /* the @id was written, not generated */
};

/* Slots of elem.list by kind: Interface 0 contents, 1 extends, 2 schemas;
 * Object 0 fields; Enum 0 values; Relationship 0 properties.
 * Slots of elem.link: schema / elementSchema / valueSchema / mapKey /
 * request / target in 0; mapValue / response in 1. */
struct twin_dtdl_elem {
    uint8_t kind;
    uint8_t version;
    uint8_t prim;
    uint8_t flags;
    uint16_t ndisplay, ndesc;
    uint32_t ncotypes;
    const char *id;
    const char *name;
    const char *comment;
    const twin__lang *display;
    const twin__lang *desc;
    const char *const *cotypes;
    const char *semtype;
    const char *unit;
    const twin_dtdl_elem *parent;
    const twin_dtdl_elem *link[2];
    const char *ref[2];               /* DTMIs still to resolve into link[] */
    const twin_dtdl_elem **list[3];
    const char **lref[3];             /* list items given as DTMIs, still to resolve */
    uint32_t nlist[3];
    uint32_t nall;
    const twin_dtdl_elem **all;       /* Interface: full contents */
    int64_t enum_num;
    const char *enum_str;
    uint32_t minm, maxm;
    const char *src;                  /* source name, for resolve-time diagnostics */
    const char *ptr;                  /* JSON pointer within its document */
    uint32_t doc;
    uint32_t depth;                   /* resolve: extends depth */
    const char *annotates;            /* annotation extension: the content it annotates */
    const char *overrides;            /* overriding extension: the property it overrides */
    uint16_t schema_unit_type;        /* schema given as a unit type (e.g. TemperatureUnit) */
    uint32_t name_hash;               /* hash of name (seed 0), for name clash checks */
    const struct twin__xtype *const *xt;  /* co-types of modelled extension vocabularies */
    uint32_t nxt;
    const char *schema_term;          /* a schema term of a modelled vocabulary (iotcentral "vector") */
};

struct twin_models {
    twin_allocator alloc;
    twin_models_options opt;  /* acceptable_limits points into mem */
    twin__region mem;      /* elements and their strings */
    twin__region dmem;     /* diagnostics of the current call */
    twin_dtdl_diag *diag;
    size_t ndiag, capdiag;
    twin_dtdl_elem **ids;  /* elements with an @id, in index order */
    uint32_t nids, capids;
    twin__index idx;       /* @id -> position in ids */
    twin_dtdl_elem **ifaces;
    uint32_t nifaces, capifaces;
    uint64_t seed;
    int sealed;
    int in_resolve;
    twin_error err;
    char errbuf[256];
};

/* Extension bits of a document's context. */
enum {
    TWIN__X_QT1 = 1u << 0,
    TWIN__X_QT2 = 1u << 1,
    TWIN__X_HIST = 1u << 2,
    TWIN__X_ANNOT = 1u << 3,
    TWIN__X_OVERRIDE = 1u << 4,
    TWIN__X_OPAQUE = 1u << 5,  /* a context whose terms are not modelled: its terms pass */
    TWIN__X_QT3 = 1u << 6,
    TWIN__X_UNRESOLVED = 1u << 7  /* an extension context of an unknown version */
};

/* models.c */
twin_status twin__models_fail(twin_models *m, twin_status s, const char *fmt, ...);
twin_status twin__models_diag_add(twin_models *m, const char *code, const char *src,
                                  uint32_t doc, const char *ptr, size_t ptrlen,
                                  const char *primary, const char *secondary,
                                  const char *fmt, va_list ap);
twin_dtdl_elem *twin__models_find(const twin_models *m, const char *id, size_t n);
twin_status twin__models_put_id(twin_models *m, twin_dtdl_elem *e);
/* e indexed under its identifier, unless an element has it already: then
 * TWIN_E_EXISTS and *dup that element (one hash either way). */
twin_status twin__models_put_new_id(twin_models *m, twin_dtdl_elem *e, twin_dtdl_elem **dup);
twin_status twin__models_put_iface(twin_models *m, twin_dtdl_elem *e);
/* Position in ids of the element with this identifier; UINT32_MAX if none. */
uint32_t twin__models_pos(const twin_models *m, const char *id);
/* Remove the identifiers registered from position nids on. */
void twin__models_drop_ids(twin_models *m, uint32_t nids);
void twin__models_diag_clear(twin_models *m);

/* parse.c: one JSON document (jsonread.h's tree), errors as diagnostics;
 * returns the number of errors (*nomem set when memory ran out). The
 * parse's own state and scratch come from the region scratch (the
 * document's tree's): TWIN__DTDL_PARSE_SCRATCH bytes more in its block
 * spare an allocation. */
#define TWIN__DTDL_PARSE_SCRATCH 8192
struct twin__json;
int twin__dtdl_parse_doc(twin_models *m, twin__region *scratch, const struct twin__json *doc,
                         const char *src, uint32_t docno, int *nomem);

/* names.c: dup_of[i] = index of an earlier element with the same name as
 * v[i], or UINT32_MAX (NULL entries and unnamed elements never clash). */
twin_status twin__dup_names(const twin_allocator *a, const twin_dtdl_elem *const *v, uint32_t n,
                            uint32_t *dup_of);

/* resolve.c */
twin_status twin__dtdl_resolve(twin_models *m);

/* jsonpos.c: 1-based line and column of the value at JSON pointer ptr in
 * text; 0, 0 when not found. The text may start with a BOM. */
void twin__json_pos(const char *text, size_t len, uint32_t doc, int doc_is_array,
                    const char *ptr, uint32_t *line, uint32_t *col);


/* dtmi.c: syntax check with version rules; max is the length limit. */
int twin__dtmi_ok(const char *s, size_t n, int dtdl_version, size_t max);

/* check.c: does JSON value v conform to schema? Is s an ISO 8601 duration? */
int twin__dtdl_conforms(const twin_dtdl_elem *schema, const struct twin__json *v);
int twin__dtdl_is_duration(const char *s);

/* primitives (query.c) */
const twin_dtdl_elem *twin__dtdl_primitive(const char *name, size_t n, int version);
const twin_dtdl_elem *twin__dtdl_primitive_by_code(uint32_t prim);

#endif
