/* libtwin-sqlite: the block codec of compressed series (schema 3).
 *
 * A block holds up to TSQ_BLOCK_MAX samples of one signal, strictly
 * increasing in time. Its bytes (little-endian header, then a bit stream,
 * most significant bit first):
 *
 *   0  'T' 'B'        magic
 *   2  format         1 (TSQ_BLOCK_FORMAT); a larger one is refused
 *   3  value mode     0: XOR of doubles, 1: decimal
 *   4  decimals       d (decimal mode): values are m / 10^d
 *   5  time quantum   k: every time step is a multiple of 10^k us
 *   6  0, 0           reserved
 *   8  n              uint32, samples
 *   12 checksum       uint32 over the whole block with these 4 bytes zero
 *   16 t0             int64, the first sample's time
 *   24 v0             uint64, the first sample's value (bits)
 *   32 bit stream     samples 1 .. n-1: time, then value
 *
 * Time: D = (t_i - t_i-1) / 10^k (D_0 = 0), stored as delta of delta
 * (dod = D_i - D_i-1, modulo 2^64):
 *   0 -> 0;  10 + 4 bits;  110 + 7 bits;  1110 + 12 bits;  11110 + 32 bits;
 *   11111 + 64 bits (each field: dod plus half its range, unsigned).
 * Values, XOR mode (Gorilla's): x = bits ^ previous bits;
 *   0 -> x = 0;  10 + the meaningful bits in the previous window;
 *   11 + 5 bits leading zeros + 6 bits (length - 1) + the meaningful bits.
 * Values, decimal mode: m = v * 10^d rounded, used only when m / 10^d gives
 * back v's exact bits (so -0.0, non-decimal values and huge ones do not);
 * delta = m - the previous such m (the first: m of v0, or 0):
 *   0 -> 0;  10 + 3 bits;  110 + 7 bits;  1110 + 12 bits;  11110 + 24 bits;
 *   111110 + 54 bits;  111111 + 64 raw bits of a value that does not fit.
 * Lossless: the decoder gives back every double bit for bit. */
#ifndef TWIN_SQLITE_CODEC_H
#define TWIN_SQLITE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define TSQ_BLOCK_FORMAT 1
#define TSQ_BLOCK_HEADER 32
/* A block closes at this many samples, when it would span more, or when
   one more sample could take it past TSQ_BLOCK_BYTES: a closed block is
   then one row that fills most of a 4096-byte page of `blocks` (SQLite
   keeps up to 4061 bytes of a row in its page). */
#define TSQ_BLOCK_MAX 4096
#define TSQ_BLOCK_SPAN_US (86400LL * 1000000LL)
#define TSQ_BLOCK_BYTES 3968
/* The most bytes a block of n samples can take. */
#define TSQ_BLOCK_BOUND(n) (TSQ_BLOCK_HEADER + 18 * (size_t)(n) + 16)

enum { TSQ_MODE_XOR = 0, TSQ_MODE_DECIMAL = 1 };

/* Results of tsq_block_check() and tsq_block_decode(). */
enum { TSQ_BLOCK_OK = 0, TSQ_BLOCK_SHORT = -1, TSQ_BLOCK_SUM = -2, TSQ_BLOCK_NEWER = -3,
       TSQ_BLOCK_BAD = -4 };

typedef struct tsq_block_head {
    int format, mode, dec, qexp;
    uint32_t n;
    int64_t t0;
} tsq_block_head;

/* An open block being written. */
typedef struct tsq_enc {
    unsigned char *buf;      /* the whole block: header, then the stream */
    size_t len, cap;         /* bytes of buf complete */
    uint64_t acc;            /* pending bits (nacc of them, low bits) */
    unsigned nacc;
    uint32_t n;
    int mode, dec, qexp;
    int64_t t0, tlast;
    uint64_t q, dlast, vlast, v0;
    int wlead, wtrail;       /* XOR window; wlead < 0: none */
    int64_t mprev;
    double scale;
    int64_t span;            /* longest span, TSQ_BLOCK_SPAN_US from start */
} tsq_enc;

/* Choose a block's parameters from its first samples (t, v, count >= 1):
   the time quantum and the value mode; prev_* (or -1) are those of the
   signal's previous block, used when there are few samples to judge. */
void tsq_enc_choose(const int64_t *t, const double *v, size_t count, int prev_qexp,
                    int prev_mode, int prev_dec, int *qexp, int *mode, int *dec);
/* Start a block with its first sample. -1: no memory. */
int tsq_enc_start(tsq_enc *e, int qexp, int mode, int dec, int64_t t, double v);
/* Append a sample (t > the last one's). 1: it does not fit this block (its
   time step is not a multiple of the quantum, the block is full or would
   span too long): close the block. -1: no memory. */
int tsq_enc_push(tsq_enc *e, int64_t t, double v);
/* The block's bytes as they stand (header with n and checksum written);
   valid until the next push. */
const unsigned char *tsq_enc_bytes(tsq_enc *e, size_t *len);
void tsq_enc_fini(tsq_enc *e);

/* Read and check a block's header and checksum. */
int tsq_block_check(const unsigned char *b, size_t len, tsq_block_head *h);
/* Decode a block (checked first) into t[], v[] (room for h.n). */
int tsq_block_decode(const unsigned char *b, size_t len, int64_t *t, double *v,
                     tsq_block_head *h);
/* A block's samples pushed again into a new encoder (after a restart):
   the encoder then writes the very same bytes. */
int tsq_enc_resume(tsq_enc *e, const unsigned char *b, size_t len, int64_t *tbuf,
                   double *vbuf);

#endif
