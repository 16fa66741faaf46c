/* libtwin-sqlite: tier blocks: whole buckets of a tier, eight columns
 * (count, sum, min, max, first, last, first and last sample's time offsets)
 * each encoded by the series codec (codec.h) over the buckets' start
 * times. */
#include "codec.h"
#include "sqlite_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bytes: 'T' 'K', format, columns C, then C uint32 (little-endian)
   column lengths, then the columns: codec blocks (codec.h) of the same
   bucket times, values count, sum, min, max, first, last and (format 2,
   C = 8) the offsets of the first and last samples' times from the
   bucket's start. Format 1 (schema 4): C = 6. */
#define TK_COLS TSQ_TIER_COLS
#define TK_HEAD (4 + 4 * TK_COLS)
#define TK_FORMAT 2
/* A tier block fills most of a 4 KiB page (as a closed block does). */
#define TK_BYTES 3968

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* (sqlite_int.h) Fewer buckets when a column's block fills, or when the
   whole would not fit a page. */
int tsq_tier_block_encode(const int64_t *t, double *const cols[TSQ_TIER_COLS], size_t *n,
                          unsigned char **out, size_t *len)
{
    tsq_enc e[TK_COLS];
    size_t k, c, m = *n, total = TK_HEAD;
    unsigned char *b;
    int rc = 0;
    memset(e, 0, sizeof e);
    for (c = 0; c < TK_COLS && rc == 0; c++) {
        int q, mode, dec;
        tsq_enc_choose(t, cols[c], m < 64 ? m : 64, -1, -1, -1, &q, &mode, &dec);
        if (tsq_enc_start(&e[c], q, mode, dec, t[0], cols[c][0]) != 0) {
            rc = -1;
            break;
        }
        e[c].span = INT64_MAX;
        for (k = 1; k < m; k++) {
            int r = tsq_enc_push(&e[c], t[k], cols[c][k]);
            if (r < 0) rc = -1;
            if (r) break;
        }
        if (k < m) { /* this column is full at k buckets: all stop there */
            m = k;
            c = (size_t)-1;
        }
    }
    if (rc == 0) {
        for (c = 0; c < TK_COLS; c++) {
            size_t l;
            tsq_enc_bytes(&e[c], &l);
            total += l;
        }
        if (total > TK_BYTES && m > 1) {
            /* fewer buckets, so that the block fits a page */
            size_t fit = (size_t)((double)m * TK_BYTES / (double)total * 0.98);
            for (c = 0; c < TK_COLS; c++) tsq_enc_fini(&e[c]);
            *n = fit ? fit : 1;
            return tsq_tier_block_encode(t, cols, n, out, len);
        }
        if (!(b = malloc(total))) rc = -1;
    }
    if (rc == 0) {
        size_t at = TK_HEAD;
        b[0] = 'T', b[1] = 'K', b[2] = TK_FORMAT, b[3] = TK_COLS;
        for (c = 0; c < TK_COLS; c++) {
            size_t l;
            const unsigned char *p = tsq_enc_bytes(&e[c], &l);
            put32(b + 4 + 4 * c, (uint32_t)l);
            memcpy(b + at, p, l);
            at += l;
        }
        *out = b;
        *len = total;
        *n = m;
    }
    for (c = 0; c < TK_COLS; c++) tsq_enc_fini(&e[c]);
    return rc;
}

int tsq_tier_block_decode(const unsigned char *b, size_t len, int64_t *t,
                          double *cols[TSQ_TIER_COLS], size_t *n)
{
    size_t at, c, ncols;
    if (!b || len < 4 || b[0] != 'T' || b[1] != 'K') return TSQ_BLOCK_BAD;
    if (b[2] > TK_FORMAT) return TSQ_BLOCK_NEWER;
    if (b[2] < 1) return TSQ_BLOCK_BAD;
    ncols = b[2] == 1 ? 6 : TK_COLS;
    if (b[3] != ncols) return TSQ_BLOCK_BAD;
    at = 4 + 4 * ncols;
    if (len < at) return TSQ_BLOCK_BAD;
    for (c = 0; c < ncols; c++) {
        size_t l = get32(b + 4 + 4 * c);
        tsq_block_head h;
        int rc;
        if (l > len - at) return TSQ_BLOCK_SHORT;
        {
            tsq_block_head hh;
            rc = tsq_block_check(b + at, l, &hh);
            if (rc != TSQ_BLOCK_OK) return rc;
            if (hh.n > TSQ_TIER_BLOCK_MAX) return TSQ_BLOCK_BAD;
        }
        /* the first column's times are the buckets'; the others' land in
           t + TSQ_TIER_BLOCK_MAX (the caller's room is twice that) */
        rc = tsq_block_decode(b + at, l, c ? t + TSQ_TIER_BLOCK_MAX : t, cols[c], &h);
        if (rc != TSQ_BLOCK_OK) return rc;
        if (!c) {
            *n = h.n;
        } else if (h.n != *n || memcmp(t, t + TSQ_TIER_BLOCK_MAX, h.n * sizeof *t) != 0) {
            return TSQ_BLOCK_BAD;
        }
        at += l;
    }
    if (at != len) return TSQ_BLOCK_BAD;
    for (c = ncols; c < TK_COLS; c++) { /* format 1: times not known */
        size_t i;
        for (i = 0; i < *n; i++) cols[c][i] = NAN;
    }
    return TSQ_BLOCK_OK;
}
