/* libtwin-mqtt internals: the protobuf writer (the reader is in
 * codec_int.h), allocation helpers, a small string-keyed hash table. */
#ifndef TWIN_SP_INT_H
#define TWIN_SP_INT_H

#include "twin/sparkplug.h"

#include "core/sized.h" /* size-first structs by libtwin's rules (header-only) */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Protobuf wire types. */
enum { SP_WT_VARINT = 0, SP_WT_I64 = 1, SP_WT_LEN = 2, SP_WT_I32 = 5 };

/* A writer over a caller buffer: writes what fits, always counts, so one
 * pass gives the bytes written or needed. */
typedef struct sp_w {
    uint8_t *buf;
    size_t cap, pos;
} sp_w;

static inline void sp_put(sp_w *w, const void *p, size_t n)
{
    if (n && w->pos <= w->cap && n <= w->cap - w->pos)
        memcpy(w->buf + w->pos, p, n);
    w->pos += n;
}

static inline void sp_put_varint(sp_w *w, uint64_t v)
{
    uint8_t b[10], *o = b;
    size_t n = 0;
    if (w->pos <= w->cap && w->cap - w->pos >= sizeof b)
        o = w->buf + w->pos;  /* room for the longest: straight into the buffer */
    while (v >= 0x80) {
        o[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    o[n++] = (uint8_t)v;
    if (o == b)
        sp_put(w, b, n);
    else
        w->pos += n;
}

static inline size_t sp_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline void sp_put_tag(sp_w *w, uint32_t field, uint32_t wt)
{
    sp_put_varint(w, ((uint64_t)field << 3) | wt);
}

static inline void sp_put_fixed(sp_w *w, uint64_t v, size_t n)
{
    uint8_t b[8], *o = b;
    if (w->pos <= w->cap && w->cap - w->pos >= sizeof b)
        o = w->buf + w->pos;
    for (size_t i = 0; i < n; i++)
        o[i] = (uint8_t)(v >> (8 * i));
    if (o == b)
        sp_put(w, b, n);
    else
        w->pos += n;
}

static inline void sp_put_bytes(sp_w *w, uint32_t field, const void *p, size_t n)
{
    sp_put_tag(w, field, SP_WT_LEN);
    sp_put_varint(w, n);
    sp_put(w, p, n);
}

/* Encode one metric (tag, length and body) / the whole payload (codec_encode.c);
 * the sessions build their payloads with these. */
twin_status twin__sp_put_metric(sp_w *w, const twin_sp_metric *m);
/* The same bytes as twin__sp_put_metric() for a metric with only an alias,
 * a timestamp and a Double value (no datatype: DATA), written directly. */
void twin__sp_put_double_metric(sp_w *w, uint64_t alias, uint64_t timestamp, double v);
void twin__sp_put_header_tail(sp_w *w, const twin_sp_payload *p);

/* Decoding cursor over a top-level payload (codec_decode.c): checks the payload,
 * then hands out its metrics one by one. */
typedef struct sp_reader {
    const uint8_t *buf;
    size_t len, pos;
} sp_reader;
twin_status twin__sp_read_begin(sp_reader *r, const void *buf, size_t len, twin_sp_payload *out,
                                twin_sp_diag *diag);
/* TWIN_OK with *m filled, TWIN_DONE at the end, TWIN_E_PARSE. */
twin_status twin__sp_read_metric(sp_reader *r, twin_sp_metric *m, twin_sp_diag *diag);
/* The value of the property keyed key (klen bytes; the last such key) of
 * an encoded PropertySet, however many properties it has: TWIN_OK with *out
 * filled, TWIN_E_NOTFOUND, TWIN_E_PARSE (as twin_sp_properties_decode()). */
twin_status twin__sp_property_find(const void *buf, size_t len, const char *key, size_t klen,
                                   twin_sp_property *out);

/* Allocation through a copied allocator table. */
static inline void *sp_alloc(const twin_allocator *a, size_t n)
{
    return a->alloc(a->ud, n);
}
static inline void sp_free(const twin_allocator *a, void *p, size_t n)
{
    if (p)
        a->free(a->ud, p, n);
}
/* Grow *p (an array of *cap elements of size el) to hold at least need. */
twin_status twin__sp_grow(const twin_allocator *a, void **p, size_t *cap, size_t need, size_t el);
/* A NUL-terminated copy of n bytes (freed with sp_free(a, p, n + 1)). */
char *twin__sp_strndup(const twin_allocator *a, const char *s, size_t n);
uint32_t twin__sp_hash(const void *p, size_t n);
/* Whether s (n bytes) is a legal topic level: non-empty, UTF-8, no NUL,
 * '/', '+' or '#'. */
int twin__sp_id_ok(const char *s, size_t n);

/* Build a message in buf: topic (NUL-terminated) then the payload written
 * by fn. Returns TWIN_E_RANGE (and *needed) when it does not fit. */
typedef twin_status (*sp_payload_fn)(sp_w *w, void *ctx);
twin_status twin__sp_message(twin_sp_message *msg, void *buf, size_t cap, size_t *needed,
                             twin_sp_msg type, const char *group, const char *node,
                             const char *device, sp_payload_fn fn, void *ctx);

/* A host session's sink (host.c; set by twin_sp_host_bind(), bind.c): what
 * a BIRTH's metrics are bound to, where DATA goes in batches by handle, and
 * the devices' liveness. The handle kept per alias-table entry is whatever
 * bind returned (0: none). fini frees ud with the host. */
typedef struct sp_host_sink {
    uint64_t (*bind)(void *ud, const char *group, const char *node, const char *device,
                     const twin_sp_metric *m);
    void (*write)(void *ud, const twin_signal_sample *s, size_t n);
    void (*status)(void *ud, const char *group, const char *node, const char *device,
                   int online);
    void (*fini)(void *ud);
    void *ud;
} sp_host_sink;
/* Install (replace) the host's sink; fails with TWIN_E_STATE when one is set. */
twin_status twin__sp_host_set_sink(twin_sp_host *h, const sp_host_sink *sink);
/* The host's sink (its bind is NULL when none is set). */
const sp_host_sink *twin__sp_host_sink(const twin_sp_host *h);
/* Ask every node the host knows for a rebirth (after a reconnection, when
 * births may have been missed). */
void twin__sp_host_rebirth_all(twin_sp_host *h);
/* An edge's primary host STATE topic to subscribe to, or NULL (edge_sf.c). */
const char *twin__sp_edge_state_topic(const twin_sp_edge *e);
/* The host's allocator (for the sink's own state). */
const twin_allocator *twin__sp_host_alloc(const twin_sp_host *h);

#endif /* TWIN_SP_INT_H */
