/* Streaming alignment onto a grid: per signal, a sorted ring of the samples
 * rows still need (the last one at or before the next row, and those
 * after); rows emitted when final, or forced by the watermark or a flush. */
#include "series/pick.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/sized.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

typedef struct align_sig {
    int64_t *t;
    double *v;
    uint32_t head, n, cap, reserved;  /* ring of cap (a power of 2) */
    int64_t newest;                   /* INT64_MIN: none */
} align_sig;

struct twin_align {
    twin_allocator alloc;
    twin_align_options o;
    align_sig *sig;
    int64_t next_t;       /* the next row's instant */
    int64_t newest;       /* newest sample of all signals */
    int64_t flushed_to;   /* rows up to here are forced */
    int32_t ended;        /* the grid ran past INT64_MAX */
    uint32_t reserved;
    twin_error err;
    char errbuf[TWIN_ERROR_MESSAGE_MAX];
};

static twin_status afail(twin_align *a, twin_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    twin__errorv(&a->err, a->errbuf, s, fmt, ap);
    va_end(ap);
    return s;
}

static twin_status efail(twin_error *err, twin_status s, const char *msg)
{
    if (err) {
        err->status = s;
        err->reserved_ = 0;
        err->message = msg;
    }
    return s;
}

static int64_t sat_add(int64_t a, int64_t b)  /* b >= 0 */
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t sat_sub(int64_t a, int64_t b)  /* b >= 0 */
{
    return a < INT64_MIN + b ? INT64_MIN : a - b;
}

static void defaults(twin_align_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->nsignals = 1;
    o->policy = TWIN_SERIES_PREVIOUS;
    o->step_us = 1000000;
    o->tolerance_us = INT64_MAX;
    o->watermark_us = INT64_MAX;
}

twin_status twin_align_options_init_(twin_align_options *o, size_t size)
{
    twin_align_options d;
    defaults(&d);
    return twin__sized_init(o, size, &d, sizeof d);
}

twin_status twin_align_create(twin_align **out, const twin_align_options *o, twin_error *err)
{
    twin_align_options op;
    twin_allocator al;
    twin_align *a;
    twin_status s;
    if (!out) return efail(err, TWIN_E_INVAL, "out is NULL");
    *out = NULL;
    defaults(&op);
    if ((s = twin__sized_in(&op, sizeof op, o)) != TWIN_OK)
        return efail(err, s, s == TWIN_E_ABI ? "options size is unknown to this library"
                                             : "options size is below 8 bytes");
    if (op.nsignals < 1) return efail(err, TWIN_E_INVAL, "no signals");
    if (op.policy < TWIN_SERIES_PREVIOUS || op.policy > TWIN_SERIES_LINEAR)
        return efail(err, TWIN_E_INVAL, "unknown policy");
    if (op.step_us <= 0) return efail(err, TWIN_E_INVAL, "the step is not positive");
    if (op.tolerance_us < 0 || op.lateness_us < 0 || op.watermark_us < 0)
        return efail(err, TWIN_E_INVAL, "a tolerance, lateness or watermark is negative");
    if ((s = twin__allocator_copy(&al, op.alloc)) != TWIN_OK)
        return efail(err, s, "the allocator is invalid");
    op.alloc = NULL;
    if (!(a = twin__alloc(&al, sizeof *a))) return efail(err, TWIN_E_NOMEM, "out of memory");
    memset(a, 0, sizeof *a);
    a->alloc = al;
    a->o = op;
    a->sig = twin__alloc(&al, sizeof *a->sig * op.nsignals);
    if (!a->sig) {
        twin__free(&al, a, sizeof *a);
        return efail(err, TWIN_E_NOMEM, "out of memory");
    }
    memset(a->sig, 0, sizeof *a->sig * op.nsignals);
    for (uint32_t i = 0; i < op.nsignals; i++) a->sig[i].newest = INT64_MIN;
    a->next_t = op.start_us;
    a->newest = INT64_MIN;
    a->flushed_to = INT64_MIN;
    a->err.message = "";
    *out = a;
    return TWIN_OK;
}

void twin_align_destroy(twin_align *a)
{
    if (!a) return;
    for (uint32_t i = 0; i < a->o.nsignals; i++) {
        twin__free(&a->alloc, a->sig[i].t, sizeof(int64_t) * a->sig[i].cap);
        twin__free(&a->alloc, a->sig[i].v, sizeof(double) * a->sig[i].cap);
    }
    twin__free(&a->alloc, a->sig, sizeof *a->sig * a->o.nsignals);
    twin__free(&a->alloc, a, sizeof *a);
}

const twin_error *twin_align_last_error(const twin_align *a)
{
    static const twin_error none = {TWIN_E_INVAL, 0, "the alignment handle is NULL"};
    return a ? &a->err : &none;
}

/* Room for one more sample: double the ring (unwrapped). */
static int grow(twin_align *a, align_sig *g)
{
    uint32_t cap = g->cap ? g->cap * 2 : 8;
    int64_t *t = twin__alloc(&a->alloc, sizeof *t * cap);
    double *v = t ? twin__alloc(&a->alloc, sizeof *v * cap) : NULL;
    if (!v) {
        twin__free(&a->alloc, t, sizeof *t * cap);
        return 0;
    }
    for (uint32_t k = 0; k < g->n; k++) {
        t[k] = g->t[(g->head + k) & (g->cap - 1)];
        v[k] = g->v[(g->head + k) & (g->cap - 1)];
    }
    twin__free(&a->alloc, g->t, sizeof *g->t * g->cap);
    twin__free(&a->alloc, g->v, sizeof *g->v * g->cap);
    g->t = t;
    g->v = v;
    g->head = 0;
    g->cap = cap;
    return 1;
}

twin_status twin_align_push(twin_align *a, const twin_align_sample *s, size_t n, size_t *refused)
{
    size_t bad = 0;
    if (refused) *refused = 0;
    if (!a) return TWIN_E_INVAL;
    if (!s && n) return afail(a, TWIN_E_INVAL, "samples are NULL");
    for (size_t i = 0; i < n; i++) {
        align_sig *g;
        int64_t t = s[i].t_us;
        uint32_t mask, k;
        if (s[i].signal >= a->o.nsignals || !isfinite(s[i].value)) {
            bad++;
            continue;
        }
        g = &a->sig[s[i].signal];
        if (t > g->newest && g->n < g->cap) {
            /* the usual case: newer than all, room: append */
            mask = g->cap - 1;
            g->t[(g->head + g->n) & mask] = t;
            g->v[(g->head + g->n) & mask] = s[i].value;
            g->n++;
            g->newest = t;
            if (t > a->newest) a->newest = t;
            continue;
        }
        if (g->newest != INT64_MIN && t <= sat_sub(g->newest, a->o.lateness_us)) {
            bad++; /* late: rows may have settled without it */
            continue;
        }
        if (g->n == g->cap && !grow(a, g)) {
            if (refused) *refused = bad;
            return afail(a, TWIN_E_NOMEM, "out of memory after %lu samples", (unsigned long)i);
        }
        mask = g->cap - 1;
        k = g->n;  /* insertion point from the back: usually the end */
        while (k > 0 && g->t[(g->head + k - 1) & mask] > t) k--;
        if (k > 0 && g->t[(g->head + k - 1) & mask] == t) {
            bad++; /* a second sample at this instant */
            continue;
        }
        for (uint32_t j = g->n; j > k; j--) {
            g->t[(g->head + j) & mask] = g->t[(g->head + j - 1) & mask];
            g->v[(g->head + j) & mask] = g->v[(g->head + j - 1) & mask];
        }
        g->t[(g->head + k) & mask] = t;
        g->v[(g->head + k) & mask] = s[i].value;
        g->n++;
        if (t > g->newest) g->newest = t;
        if (t > a->newest) a->newest = t;
    }
    if (refused) *refused = bad;
    return TWIN_OK;
}

twin_status twin_align_flush(twin_align *a)
{
    if (!a) return TWIN_E_INVAL;
    a->flushed_to = a->newest;
    return TWIN_OK;
}

twin_status twin_align_next(twin_align *a, int64_t *t_us, twin_series_value *row)
{
    const int64_t T = a ? a->next_t : 0;
    int forced;
    twin_series_options po;
    if (!a || !t_us || !row) return a ? afail(a, TWIN_E_INVAL, "a pointer is NULL") : TWIN_E_INVAL;
    if (a->ended) return TWIN_DONE;
    forced = (a->newest != INT64_MIN && sat_sub(a->newest, a->o.watermark_us) >= T) ||
             a->flushed_to >= T;
    memset(&po, 0, sizeof po);
    po.policy = a->o.policy;
    po.tolerance_us = a->o.tolerance_us;
    for (uint32_t i = 0; i < a->o.nsignals; i++) {
        align_sig *g = &a->sig[i];
        uint32_t mask = g->cap - 1;
        twin__neigh nb;
        int64_t settled = g->newest == INT64_MIN ? INT64_MIN : sat_sub(g->newest, a->o.lateness_us);
        int final;
        /* samples before the last one at or before T serve no row any more */
        while (g->n >= 2 && g->t[(g->head + 1) & mask] <= T) {
            g->head = (g->head + 1) & mask;
            g->n--;
        }
        nb.has_prev = g->n && g->t[g->head] <= T;
        nb.tp = nb.has_prev ? g->t[g->head] : 0;
        nb.vp = nb.has_prev ? g->v[g->head] : 0;
        if (nb.has_prev && nb.tp == T) {
            nb.has_next = 1;
            nb.tn = nb.tp;
            nb.vn = nb.vp;
        } else {
            uint32_t k = nb.has_prev ? 1 : 0;
            nb.has_next = g->n > k;
            nb.tn = nb.has_next ? g->t[(g->head + k) & mask] : 0;
            nb.vn = nb.has_next ? g->v[(g->head + k) & mask] : 0;
        }
        /* final: the previous settled; for the policies that look after T,
           the next one too (a settled sample at or after T, or none can come
           within the tolerance) */
        final = settled != INT64_MIN && settled >= T;
        if (final && a->o.policy != TWIN_SERIES_PREVIOUS)
            final = (nb.has_next && nb.tn <= settled) || settled >= sat_add(T, a->o.tolerance_us);
        if (!final) {
            if (!forced) return TWIN_DONE;
            memset(&row[i], 0, sizeof row[i]);
            row[i].value = NAN;
            row[i].flags = TWIN_SERIES_UNCOVERED;
            continue;
        }
        twin__series_pick(&nb, INT64_MIN, T, &po, &row[i]);
    }
    *t_us = T;
    if (T > INT64_MAX - a->o.step_us) a->ended = 1;
    else a->next_t = T + a->o.step_us;
    return TWIN_OK;
}
