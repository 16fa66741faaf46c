/* The forwarders' step loop: fill, send, split, back off, commit. See
   drive.h. */
#include "drive.h"

#include <stdlib.h>
#include <string.h>

void twin__spool_drive_init(twin_spool_drive *d, twin_spool *sp, const twin_spool_ops *ops,
                            void *ud, size_t batch_max, int32_t retry_initial_ms,
                            int32_t retry_max_ms, int64_t (*clock)(void *), void *clock_ud,
                            uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->sp = sp;
    d->ops = ops;
    d->ud = ud;
    d->batch_max = batch_max;
    d->retry_initial_ms = retry_initial_ms;
    d->retry_max_ms = retry_max_ms;
    d->clock = clock ? clock : twin__spool_mono_us;
    d->clock_ud = clock_ud;
    d->rng = twin__spool_seed(seed);
    d->retry_at_us = INT64_MIN;
}

void twin__spool_drive_free(twin_spool_drive *d)
{
    free(d->stack);
    d->stack = NULL;
    d->nstack = d->stack_cap = 0;
}

static twin_status commit(twin_spool_drive *d)
{
    twin_status s = twin__spool_commit(d->sp);
    if (s != TWIN_OK) return d->ops->fail(d->ud, s, d->sp->msg);
    d->confirmed += d->batch_ok;
    d->commit_pending = 0;
    d->have_batch = 0;
    return TWIN_OK;
}

/* The next batch from the cursors: its items as one range to send. */
static twin_status fill(twin_spool_drive *d)
{
    twin_status s;
    size_t n;
    int pending;
    d->ops->clear(d->ud);
    d->nstack = 0;
    d->batch_ok = 0;
    if ((s = twin__spool_fill(d->sp, d->batch_max, d->ops->add, d->ud)) != TWIN_OK) {
        twin__spool_drop(d->sp);
        return d->ops->fail(d->ud, s, d->sp->msg);
    }
    n = d->ops->count(d->ud);
    if (n) {
        if (twin__spool_grow((void **)&d->stack, &d->stack_cap, 1, sizeof *d->stack) != 0)
            return d->ops->fail(d->ud, TWIN_E_NOMEM, "out of memory");
        d->stack[0].lo = 0;
        d->stack[0].hi = n;
        d->nstack = 1;
    }
    pending = twin__spool_pending(d->sp);
    d->have_batch = n || pending;
    d->commit_pending = pending && !n; /* only samples the forwarder skipped */
    return TWIN_OK;
}

static int32_t wait_left(const twin_spool_drive *d, int64_t now)
{
    int32_t w = (int32_t)((d->retry_at_us - now + 999) / 1000);
    return w < 0 ? 0 : w;
}

twin_status twin__spool_drive_step(twin_spool_drive *d, uint32_t budget, twin_spool_step *out)
{
    twin_status s = TWIN_OK;
    uint64_t before = d->confirmed;
    int64_t now;
    memset(out, 0, sizeof *out);
    out->state = TWIN_SPOOL_SENDING;
    now = d->clock(d->clock_ud);
    if (d->retry_at_us != INT64_MIN && now < d->retry_at_us) {
        out->state = TWIN_SPOOL_BACKOFF;
        out->wait_ms = wait_left(d, now);
        return TWIN_OK;
    }
    d->retry_at_us = INT64_MIN;
    for (;;) {
        twin_spool_range r;
        int rc;
        if (d->commit_pending && (s = commit(d)) != TWIN_OK) break;
        if (!d->have_batch) {
            if ((s = fill(d)) != TWIN_OK) break;
            if (!d->have_batch) {
                out->state = TWIN_SPOOL_IDLE;
                out->wait_ms = 200;
                break;
            }
            continue;
        }
        if (out->sends >= budget) break;
        r = d->stack[d->nstack - 1];
        rc = d->ops->send(d->ud, r.lo, r.hi, &s);
        out->sends++;
        if (rc == TWIN_SPOOL_LOCAL) break;
        s = TWIN_OK;
        if (rc == TWIN_SPOOL_SENT) {
            d->nstack--;
            d->batch_ok += r.hi - r.lo;
            d->attempt = 0;
        } else if (rc == TWIN_SPOOL_SPLIT) {
            d->nstack--;
            d->attempt = 0;
            if (r.hi - r.lo == 1) {
                d->ops->reject(d->ud, r.lo);
            } else {
                size_t mid = r.lo + (r.hi - r.lo) / 2;
                if (twin__spool_grow((void **)&d->stack, &d->stack_cap, d->nstack + 2,
                                     sizeof *d->stack) != 0) {
                    d->nstack++; /* keep the range */
                    s = d->ops->fail(d->ud, TWIN_E_NOMEM, "out of memory");
                    break;
                }
                /* the lower half on top: sent first */
                d->stack[d->nstack].lo = mid;
                d->stack[d->nstack].hi = r.hi;
                d->stack[d->nstack + 1].lo = r.lo;
                d->stack[d->nstack + 1].hi = mid;
                d->nstack += 2;
                d->splits++;
            }
        } else {
            d->retry_at_us = d->clock(d->clock_ud) +
                             twin__spool_backoff_us(&d->rng, &d->attempt, d->retry_initial_ms,
                                                    d->retry_max_ms);
            d->retries++;
            out->state = TWIN_SPOOL_BACKOFF;
            out->wait_ms = wait_left(d, d->clock(d->clock_ud));
            break;
        }
        if (d->nstack == 0) d->commit_pending = 1; /* the batch is upstream: its cursors now */
    }
    out->confirmed = d->confirmed - before;
    return s;
}
