/* The outbox ring: placement of records (see outbox.h). */

#include "outbox/outbox.h"

/* Where a record of sz bytes (header included) would go: *at, and *wrap
 * when it goes back to offset 0. 0 when it does not fit. */
static int place(const twin__outbox *ob, size_t sz, size_t *at, int *wrap)
{
    *wrap = 0;
    if (ob->used == 0) {
        *at = 0;
        return sz <= ob->cap;
    }
    if (ob->tail > ob->head) {
        if (ob->cap - ob->tail >= sz) {
            *at = ob->tail;
            return 1;
        }
        if (ob->head >= sz) {
            *at = 0;
            *wrap = 1;
            return 1;
        }
        return 0;
    }
    if (ob->tail < ob->head && ob->head - ob->tail >= sz) {
        *at = ob->tail;
        return 1;
    }
    return 0;  /* tail == head with used > 0: full */
}

int twin__outbox_fits(const twin__outbox *ob, size_t payload)
{
    size_t at;
    int wrap;
    return place(ob, TWIN__REC_HDR + twin__pad8(payload), &at, &wrap);
}

/* Free contiguous bytes after tail. */
static size_t room_after_tail(const twin__outbox *ob)
{
    if (ob->used == ob->cap) return 0;
    if (ob->tail >= ob->head) return ob->cap - ob->tail;
    return ob->head - ob->tail;
}

void *twin__outbox_put(twin__outbox *ob, uint32_t kind, size_t payload)
{
    size_t sz = TWIN__REC_HDR + twin__pad8(payload), at = 0;
    twin__rec *r;
    int wrap = 0;
    if (ob->used == 0) {
        ob->head = ob->send = ob->tail = 0;
        ob->sent = 0;
    }
    place(ob, sz, &at, &wrap);
    if (wrap) {
        size_t gap = ob->cap - ob->tail;
        if (gap >= TWIN__REC_HDR) {
            r = (twin__rec *)(void *)(ob->buf + ob->tail);
            r->kind = TWIN__REC_WRAP;
            r->len = 0;
        }
        ob->used += gap;
        ob->tail = 0;
    }
    r = (twin__rec *)(void *)(ob->buf + at);
    r->kind = kind;
    r->len = (uint32_t)payload;
    ob->tail = at + sz;
    if (ob->tail == ob->cap) ob->tail = 0;
    ob->used += sz;
    ob->records++;
    ob->run = TWIN__OB_NONE;
    ob->run_room = 0;
    return ob->buf + at + TWIN__REC_HDR;
}

int twin__outbox_sample_slow(twin__outbox *ob, twin_signal sig, int64_t t, double v)
{
    twin_signal_sample *s;
    if (!twin__outbox_fits(ob, sizeof *s)) return 0;
    s = twin__outbox_put(ob, TWIN__REC_SAMPLES, sizeof *s);
    s->signal = sig;
    s->t_us = t;
    s->value = v;
    ob->samples++;
    ob->run = (size_t)((unsigned char *)s - ob->buf) - TWIN__REC_HDR;
    /* the run can grow in place only up to the end of the block or head */
    ob->run_room = ob->tail == 0 ? 0 : room_after_tail(ob);
    return 1;
}
