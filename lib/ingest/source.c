/* Ingest: sources and their clock models (the per-sample correction is in
 * write.c). A source is a record of the handle: its twin_clock, its name,
 * counters, and a cache of its estimate refreshed after every change of
 * the model, so that a sample reads a few fields and runs
 * twin_clock_to_host(), with no allocation. Sources are never removed; a
 * handle takes up to TWIN__SRC_MAX (65535) of them, found by name through
 * a hash index (src_idx, hashed with src_seed: the sources stay with the
 * handle when a restore swaps its signals in, state.c). Names given to
 * twin_ingest_put_sources() are checked against each other through a
 * temporary index of the same kind. */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/sized.h"
#include "outbox/outbox.h"
#include "util/hash.h"
#include "util/utf8.h"

#include <math.h>
#include <string.h>

/* The source record of handle h, or NULL. */
static twin__src *src_at(const twin_ingest *ing, twin_source h)
{
    if (h == 0 || h > ing->nsrc) return NULL;
    return &ing->src[h - 1];
}

/* Refresh the cache of the estimate in use after the model changed. */
static void refresh(twin__src *c)
{
    twin_clock_estimate e;
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    if (twin_clock_get_estimate(&c->clock, &e, NULL) == TWIN_OK) {
        c->estimated = 1;
        c->flags = e.flags;
        c->t = e.t_us;
        c->offset = e.offset_us;
        c->skew_ppm = e.skew_ppm;
        c->off_unc = e.offset_uncertainty_us;
        c->skew_unc = e.skew_uncertainty_ppm;
    } else {
        c->estimated = 0;
        c->flags = 0;
        c->t = INT64_MIN;
        c->offset = 0;
        c->skew_ppm = 0;
        c->off_unc = c->skew_unc = INFINITY;
    }
}

void twin__ing_sources_fini(twin_ingest *ing)
{
    for (uint32_t i = 0; i < ing->nsrc; i++)
        twin__free(&ing->alloc, ing->src[i].name, (size_t)ing->src[i].name_len + 1);
    twin__free(&ing->alloc, ing->src, (size_t)ing->capsrc * sizeof *ing->src);
    twin__index_fini(&ing->src_idx, &ing->alloc);
    ing->src = NULL;
    ing->nsrc = ing->capsrc = 0;
}

void twin__ing_source_leave(twin_ingest *ing, uint32_t slot)
{
    twin__sigx *x = &ing->sigx[slot];
    twin__src *c = src_at(ing, x->source);
    if (c) c->signals--;
    x->source = 0;
    x->clk_flags = 0;
    x->clk_src_t = x->clk_t = INT64_MIN;
    x->clk_unc = NAN;
    ing->sig[slot].flags &= (uint8_t)~TWIN__SF_CLOCK;
}

static twin_status writer_ready(twin_ingest *ing)
{
    if (ing->in_cb || (ing->store && twin__store_in_callback(ing->store)))
        return twin__ing_fail(ing, TWIN_E_STATE, "called from a callback");
    return TWIN_OK;
}

/* ---- the index of names ---------------------------------------------------------- */

typedef struct name_key {
    const char *s;
    size_t n;
} name_key;

static uint32_t name_hash(const twin_ingest *ing, const char *name, size_t n)
{
    return twin__hash32(twin__hash(ing->src_seed, name, n));
}

static int src_eq(const void *ctx, uint32_t i, const void *k)
{
    const twin__src *c = &((const twin_ingest *)ctx)->src[i];
    const name_key *key = k;
    return c->name_len == key->n && memcmp(c->name, key->s, key->n) == 0;
}

/* The source named name (n bytes), or 0. */
static twin_source find(const twin_ingest *ing, const char *name, size_t n)
{
    name_key k = {name, n};
    uint32_t pos = twin__index_find(&ing->src_idx, name_hash(ing, name, n), src_eq, ing, &k);
    return pos == TWIN__NONE ? 0 : twin__index_at(&ing->src_idx, pos) + 1;
}

/* Append a source record named copy (n bytes, owned from now on): room in
 * src and src_idx reserved by the caller. */
static twin__src *append(twin_ingest *ing, char *copy, size_t n)
{
    twin__src *c = &ing->src[ing->nsrc];
    memset(c, 0, sizeof *c);
    c->name = copy;
    c->name_len = (uint32_t)n;
    twin__index_insert(&ing->src_idx, name_hash(ing, copy, n), ing->nsrc++);
    return c;
}

/* ---- declaring -------------------------------------------------------------------- */

twin_status twin_ingest_add_source(twin_ingest *ing, const char *name,
                                   const twin_clock_options *o, twin_source *out)
{
    twin_clock clock;
    twin_error e;
    twin_status s;
    twin__src *c;
    size_t n;
    char *copy;

    if (out) *out = 0;
    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_ready(ing)) != TWIN_OK) return s;
    if (!name) return twin__ing_fail(ing, TWIN_E_INVAL, "source name is NULL");
    n = strlen(name);
    if (n == 0) return twin__ing_fail(ing, TWIN_E_INVAL, "source name is empty");
    if (n > TWIN_ID_MAX)
        return twin__ing_fail(ing, TWIN_E_RANGE, "source name is longer than %d bytes",
                              TWIN_ID_MAX);
    if (twin__utf8_check(name, n) != n)
        return twin__ing_fail(ing, TWIN_E_INVAL, "source name is not UTF-8");
    if (find(ing, name, n))
        return twin__ing_fail(ing, TWIN_E_EXISTS, "source '%.128s' exists", name);
    if (ing->nsrc >= TWIN__SRC_MAX)
        return twin__ing_fail(ing, TWIN_E_RANGE, "too many sources (%u)", TWIN__SRC_MAX);
    if ((s = twin_clock_init(&clock, o, &e)) != TWIN_OK)
        return twin__ing_fail(ing, s, "source '%.128s': %s", name, e.message);
    /* room first (unused room is no change), then the record */
    if ((s = TWIN__GROW(ing, src, capsrc, ing->nsrc + 1)) != TWIN_OK ||
        (s = twin__index_reserve(&ing->src_idx, &ing->alloc, 1)) != TWIN_OK)
        return twin__ing_fail(ing, s, "out of memory");
    copy = twin__alloc(&ing->alloc, n + 1);
    if (!copy) return twin__ing_fail(ing, TWIN_E_NOMEM, "out of memory");
    memcpy(copy, name, n + 1);
    c = append(ing, copy, n);
    c->clock = clock;
    refresh(c);
    if (out) *out = ing->nsrc;
    return TWIN_OK;
}

twin_status twin_ingest_find_source(const twin_ingest *ing, const char *name, twin_source *out)
{
    twin_source h;
    if (out) *out = 0;
    if (!ing || !name || !out) return TWIN_E_INVAL;
    h = find(ing, name, strlen(name));
    if (!h) return TWIN_E_NOTFOUND;
    *out = h;
    return TWIN_OK;
}

twin_status twin_ingest_sources_next(const twin_ingest *ing, uint64_t *cursor, twin_source *out)
{
    if (!ing || !cursor || !out) return TWIN_E_INVAL;
    if (*cursor < ing->nsrc) {
        *out = (twin_source)(*cursor + 1);
        (*cursor)++;
        return TWIN_OK;
    }
    *cursor = ing->nsrc;
    *out = 0;
    return TWIN_DONE;
}

twin_status twin_ingest_set_signal_source(twin_ingest *ing, twin_signal sig, twin_source src)
{
    uint32_t slot;
    twin__src *c = NULL;
    twin_status s;
    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_ready(ing)) != TWIN_OK) return s;
    slot = twin__sig_slot(ing, sig);
    if (slot == TWIN__SIG_NONE) return twin__ing_fail(ing, TWIN_E_NOTFOUND, "no such signal");
    if (src && !(c = src_at(ing, src)))
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "no source %u", (unsigned)src);
    twin__ing_source_leave(ing, slot);
    if (c) {
        ing->sigx[slot].source = src;
        ing->sig[slot].flags |= TWIN__SF_CLOCK;
        c->signals++;
    }
    return TWIN_OK;
}

twin_status twin_ingest_signal_source(const twin_ingest *ing, twin_signal sig,
                                      twin_ingest_correction *out)
{
    twin_ingest_correction r;
    const twin__sigx *x;
    uint32_t slot;
    twin_status s;
    if (!ing || !out) return TWIN_E_INVAL;
    if ((s = twin__sized_check(out, sizeof r)) != TWIN_OK) return s;
    slot = twin__sig_slot(ing, sig);
    if (slot == TWIN__SIG_NONE) return TWIN_E_NOTFOUND;
    x = &ing->sigx[slot];
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.source = x->source;
    r.flags = x->clk_flags;
    r.source_t_us = x->clk_src_t;
    r.t_us = x->clk_t;
    r.uncertainty_us = x->clk_unc;
    return twin__sized_out(out, &r, sizeof r);
}

twin_status twin_ingest_observe_source(twin_ingest *ing, twin_source src, int64_t source_us,
                                       int64_t receive_us)
{
    twin__src *c;
    twin_error e;
    twin_status s;
    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_ready(ing)) != TWIN_OK) return s;
    if (!(c = src_at(ing, src)))
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "no source %u", (unsigned)src);
    if ((s = twin_clock_observe(&c->clock, source_us, receive_us, &e)) != TWIN_OK) {
        c->refused++;
        return twin__ing_fail(ing, s, "source '%.128s': %s", c->name, e.message);
    }
    c->pairs++;
    refresh(c);
    return TWIN_OK;
}

/* The model's own checks of its state: an estimate, or too few pairs. */
static twin_status check_clock(twin_ingest *ing, const char *name, const twin_clock *clock)
{
    twin_clock_estimate est;
    twin_error e;
    twin_status s;
    memset(&est, 0, sizeof est);
    est.size = sizeof est;
    s = twin_clock_get_estimate(clock, &est, &e);
    if (s != TWIN_OK && s != TWIN_E_NOTFOUND)
        return twin__ing_fail(ing, s, "source '%.128s': %s", name, e.message);
    return TWIN_OK;
}

twin_status twin_ingest_set_source_clock(twin_ingest *ing, twin_source src,
                                         const twin_clock *clock)
{
    twin__src *c;
    twin_status s;
    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_ready(ing)) != TWIN_OK) return s;
    if (!clock) return twin__ing_fail(ing, TWIN_E_INVAL, "clock is NULL");
    if (!(c = src_at(ing, src)))
        return twin__ing_fail(ing, TWIN_E_NOTFOUND, "no source %u", (unsigned)src);
    if ((s = check_clock(ing, c->name, clock)) != TWIN_OK) return s;
    c->clock = *clock;
    refresh(c);
    return TWIN_OK;
}

twin_status twin_ingest_get_source(const twin_ingest *ing, twin_source src,
                                   twin_ingest_source_info *out, twin_clock *clock)
{
    const twin__src *c;
    twin_ingest_source_info r;
    twin_status s;
    if (!ing) return TWIN_E_INVAL;
    if (out && (s = twin__sized_check(out, sizeof r)) != TWIN_OK) return s;
    if (!(c = src_at(ing, src))) return TWIN_E_NOTFOUND;
    if (out) {
        memset(&r, 0, sizeof r);
        r.size = sizeof r;
        r.clock_flags = c->flags;
        r.name = c->name;
        r.estimated = c->estimated;
        r.t_us = c->t;
        r.offset_us = c->offset;
        r.skew_ppm = c->skew_ppm;
        r.offset_uncertainty_us = c->off_unc;
        r.skew_uncertainty_ppm = c->skew_unc;
        r.signals = c->signals;
        r.pairs = c->pairs;
        r.pairs_refused = c->refused;
        r.corrected = c->corrected;
        r.uncorrected = c->uncorrected;
        r.out_of_tolerance = c->oot;
        twin__sized_out(out, &r, sizeof r);
    }
    if (clock) *clock = c->clock;
    return TWIN_OK;
}

/* The names given to twin_ingest_put_sources(), indexed by position. */
static int given_eq(const void *ctx, uint32_t i, const void *k)
{
    const char *const *names = ctx;
    return strcmp(names[i], ((const name_key *)k)->s) == 0;
}

/* The checks of name k given to twin_ingest_put_sources() on its own;
 * *len: its length. */
static twin_status check_name(twin_ingest *ing, const char *name, size_t k, size_t *len)
{
    if (!name) return twin__ing_fail(ing, TWIN_E_INVAL, "source name %zu is NULL", k);
    *len = strlen(name);
    if (*len == 0) return twin__ing_fail(ing, TWIN_E_INVAL, "source name %zu is empty", k);
    if (*len > TWIN_ID_MAX)
        return twin__ing_fail(ing, TWIN_E_RANGE, "source name %zu is longer than %d bytes", k,
                              TWIN_ID_MAX);
    if (twin__utf8_check(name, *len) != *len)
        return twin__ing_fail(ing, TWIN_E_INVAL, "source name %zu is not UTF-8", k);
    return TWIN_OK;
}

/* Every check of twin_ingest_put_sources(), name after name (the first
 * that fails is the one reported); *missing: how many of the names the
 * handle has no source of. A name given twice is found through a
 * temporary index of the names before it. */
static twin_status check_given(twin_ingest *ing, const char *const *names,
                               const twin_clock *clocks, size_t n, size_t *missing)
{
    twin__index given = {NULL, 0, 0};
    twin_status s;
    *missing = 0;
    /* (an index of more than 2^31 names cannot be made: more sources
       than a handle takes, whatever the names) */
    if (n > UINT32_MAX ||
        (s = twin__index_reserve(&given, &ing->alloc, (uint32_t)n)) == TWIN_E_RANGE)
        return twin__ing_fail(ing, TWIN_E_RANGE, "too many sources (%u)", TWIN__SRC_MAX);
    if (s != TWIN_OK) return twin__ing_fail(ing, s, "out of memory");
    for (size_t k = 0; k < n; k++) {
        name_key key = {names[k], 0};
        uint32_t h;
        if ((s = check_name(ing, names[k], k, &key.n)) != TWIN_OK) break;
        h = name_hash(ing, key.s, key.n);
        if (twin__index_find(&given, h, given_eq, names, &key) != TWIN__NONE) {
            s = twin__ing_fail(ing, TWIN_E_INVAL, "source '%.128s' is given twice", names[k]);
            break;
        }
        twin__index_insert(&given, h, (uint32_t)k);
        if ((s = check_clock(ing, names[k], &clocks[k])) != TWIN_OK) break;
        if (!find(ing, key.s, key.n)) (*missing)++;
    }
    twin__index_fini(&given, &ing->alloc);
    return s;
}

twin_status twin_ingest_put_sources(twin_ingest *ing, const char *const *names,
                                    const twin_clock *clocks, size_t n)
{
    char **copies = NULL;
    size_t missing = 0, k, j;
    twin_status s;
    if (!ing) return TWIN_E_INVAL;
    if ((s = writer_ready(ing)) != TWIN_OK) return s;
    if (n == 0) return TWIN_OK;
    if (!names || !clocks) return twin__ing_fail(ing, TWIN_E_INVAL, "names or clocks is NULL");
    /* every check first: nothing changes unless all pass */
    if ((s = check_given(ing, names, clocks, n, &missing)) != TWIN_OK) return s;
    if (missing > (size_t)(TWIN__SRC_MAX - ing->nsrc))
        return twin__ing_fail(ing, TWIN_E_RANGE, "too many sources (%u)", TWIN__SRC_MAX);
    /* room and the names' copies, before the first change */
    if (missing) {
        if ((s = TWIN__GROW(ing, src, capsrc, ing->nsrc + (uint32_t)missing)) != TWIN_OK ||
            (s = twin__index_reserve(&ing->src_idx, &ing->alloc, (uint32_t)missing)) != TWIN_OK)
            return twin__ing_fail(ing, s, "out of memory");
        copies = twin__alloc(&ing->alloc, missing * sizeof *copies);
        if (!copies) return twin__ing_fail(ing, TWIN_E_NOMEM, "out of memory");
        for (k = 0, j = 0; k < n; k++) {
            size_t len = strlen(names[k]);
            if (find(ing, names[k], len)) continue;
            copies[j] = twin__alloc(&ing->alloc, len + 1);
            if (!copies[j]) {
                while (j--) {
                    size_t lj = strlen(copies[j]);
                    twin__free(&ing->alloc, copies[j], lj + 1);
                }
                twin__free(&ing->alloc, copies, missing * sizeof *copies);
                return twin__ing_fail(ing, TWIN_E_NOMEM, "out of memory");
            }
            memcpy(copies[j++], names[k], len + 1);
        }
    }
    for (k = 0, j = 0; k < n; k++) {
        size_t len = strlen(names[k]);
        twin_source h = find(ing, names[k], len);
        twin__src *c = h ? src_at(ing, h) : append(ing, copies[j++], len);
        c->clock = clocks[k];
        refresh(c);
    }
    if (copies) twin__free(&ing->alloc, copies, missing * sizeof *copies);
    return TWIN_OK;
}
