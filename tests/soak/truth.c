/* The ground truth: what the child offered, what the library accepted,
 * what the store confirmed; and the log that carries it across a SIGKILL.
 *
 * The log of a child life is a summary file (life-L.sum, replaced by
 * rename) and segments (life-L.S.log). The child appends records to the
 * current segment with write(2): OFFER (the batch, before the ingest call),
 * RESULT (its outcomes, after the call), COMMIT (after twin_store_flush()
 * returned TWIN_OK: every sample accepted so far is confirmed), FAULT. Data
 * handed to the kernel survives the death of the process, which is the
 * fault injected (a power loss is not). At some commits the child saves its
 * truth (as of that commit) to the summary, which names the next segment,
 * and starts that segment: a replay reads the summary, then the segments
 * from the one it names. */
#define _POSIX_C_SOURCE 200809L
#include "soak.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *grow(void *p, size_t *cap, size_t need, size_t el)
{
    size_t c = *cap ? *cap : 64;
    if (need <= *cap) return p;
    while (c < need) c *= 2;
    p = realloc(p, c * el);
    if (!p) abort();
    *cap = c;
    return p;
}

void soak_truth_init(soak_truth *s, size_t nsig)
{
    memset(s, 0, sizeof *s);
    s->nsig = nsig;
    s->sum = calloc(nsig ? nsig : 1, sizeof *s->sum);
    if (!s->sum) abort();
}

void soak_truth_free(soak_truth *s)
{
    free(s->sum);
    free(s->pending);
    free(s->offer);
    memset(s, 0, sizeof *s);
}

void soak_truth_offer(soak_truth *s, const soak_rec *r, size_t n)
{
    size_t k;
    s->offer = grow(s->offer, &s->capoffer, n, sizeof *s->offer);
    memcpy(s->offer, r, n * sizeof *r);
    s->noffer = n;
    s->in_flight = 1;
    s->c.offered += n;
    s->c.write_calls++;
    for (k = 0; k < n; k++) s->c.kind[r[k].kind < SOAK_KINDS ? r[k].kind : 0]++;
}

void soak_truth_result(soak_truth *s, const uint8_t *o)
{
    size_t k;
    for (k = 0; k < s->noffer; k++) {
        s->c.outcome[o[k] < TWIN_INGEST_OUTCOMES ? o[k] : TWIN_INGEST_NOT_PROCESSED]++;
        if (o[k] == TWIN_INGEST_ACCEPTED || o[k] == TWIN_INGEST_ACCEPTED_LATE) {
            s->pending = grow(s->pending, &s->cappending, s->npending + 1, sizeof *s->pending);
            s->pending[s->npending++] = s->offer[k];
        }
    }
    s->in_flight = 0;
    s->noffer = 0;
}

void soak_truth_confirm(soak_truth *s, const soak_rec *r)
{
    if (r->sig >= s->nsig) abort();
    s->sum[r->sig].count++;
    s->sum[r->sig].hash += soak_sample_hash(r->t, r->v);
}

void soak_truth_commit(soak_truth *s)
{
    size_t k;
    for (k = 0; k < s->npending; k++) soak_truth_confirm(s, &s->pending[k]);
    s->npending = 0;
    s->c.flushes_ok++;
}

void soak_truth_fault(soak_truth *s, int kind, uint32_t n)
{
    if (kind >= 0 && kind < SOAK_FAULTS) s->c.faults[kind] += n;
}

/* ---- the log ---------------------------------------------------------------- */

typedef struct hdr {
    uint8_t type, sub;
    uint16_t reserved_;
    uint32_t n;
} hdr;

#define SUM_MAGIC 0x4b414f53u /* "SOAK" */

typedef struct sum_head {
    uint32_t magic, nsig;
    uint64_t next_seg;
    soak_counts c;
} sum_head;

static void path_of(char *p, size_t cap, const char *dir, unsigned life, const char *what,
                    uint64_t seg)
{
    if (seg == UINT64_MAX)
        snprintf(p, cap, "%s/life-%u.%s", dir, life, what);
    else
        snprintf(p, cap, "%s/life-%u.%llu.log", dir, life, (unsigned long long)seg);
}

static void put(soak_log *l, const void *p, size_t n)
{
    l->buf = grow(l->buf, &l->cap, l->len + n, 1);
    memcpy(l->buf + l->len, p, n);
    l->len += n;
}

int soak_log_open(soak_log *l, const char *dir, unsigned life)
{
    char p[600];
    memset(l, 0, sizeof *l);
    snprintf(l->dir, sizeof l->dir, "%s", dir);
    l->life = life;
    path_of(p, sizeof p, dir, life, "", 0);
    l->fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    return l->fd < 0 ? -1 : 0;
}

void soak_log_offer(soak_log *l, const soak_rec *r, size_t n)
{
    hdr h = {LOG_OFFER, 0, 0, (uint32_t)n};
    put(l, &h, sizeof h);
    put(l, r, n * sizeof *r);
}

void soak_log_result(soak_log *l, const uint8_t *o, size_t n)
{
    static const uint8_t zero[8];
    hdr h = {LOG_RESULT, 0, 0, (uint32_t)n};
    put(l, &h, sizeof h);
    put(l, o, n);
    if (n % 8) put(l, zero, 8 - n % 8);
}

void soak_log_commit(soak_log *l)
{
    hdr h = {LOG_COMMIT, 0, 0, 0};
    put(l, &h, sizeof h);
}

void soak_log_fault(soak_log *l, int kind, uint32_t n)
{
    hdr h = {LOG_FAULT, (uint8_t)kind, 0, n};
    put(l, &h, sizeof h);
}

int soak_log_push(soak_log *l)
{
    size_t off = 0;
    while (off < l->len) {
        ssize_t w = write(l->fd, l->buf + off, l->len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        off += (size_t)w;
    }
    l->len = 0;
    return 0;
}

int soak_log_roll(soak_log *l, const soak_truth *t)
{
    char p[600], q[600], old[600];
    sum_head h;
    int fd;
    if (soak_log_push(l) != 0) return -1;
    memset(&h, 0, sizeof h);
    h.magic = SUM_MAGIC;
    h.nsig = (uint32_t)t->nsig;
    h.next_seg = l->seg + 1;
    h.c = t->c;
    path_of(p, sizeof p, l->dir, l->life, "sum.tmp", UINT64_MAX);
    path_of(q, sizeof q, l->dir, l->life, "sum", UINT64_MAX);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    if (write(fd, &h, sizeof h) != (ssize_t)sizeof h ||
        write(fd, t->sum, t->nsig * sizeof *t->sum) != (ssize_t)(t->nsig * sizeof *t->sum) ||
        fdatasync(fd) != 0) {
        close(fd);
        return -1;
    }
    close(fd);
    if (rename(p, q) != 0) return -1;
    /* the summary covers the whole segment: start the next one */
    path_of(old, sizeof old, l->dir, l->life, "", l->seg);
    close(l->fd);
    l->seg++;
    path_of(p, sizeof p, l->dir, l->life, "", l->seg);
    l->fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    unlink(old);
    return l->fd < 0 ? -1 : 0;
}

void soak_log_close(soak_log *l)
{
    soak_log_push(l);
    if (l->fd >= 0) close(l->fd);
    free(l->buf);
    l->buf = NULL;
    l->fd = -1;
}

static unsigned char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    unsigned char *b = NULL;
    size_t cap = 0, len = 0, r;
    *n = 0;
    if (!f) return NULL;
    for (;;) {
        b = grow(b, &cap, len + 65536, 1);
        r = fread(b + len, 1, 65536, f);
        len += r;
        if (r == 0) break;
    }
    fclose(f);
    *n = len;
    return b;
}

/* Replay one segment; a record cut short by the kill ends it. */
static int replay_seg(const unsigned char *b, size_t n, soak_truth *t, char *msg, size_t cap)
{
    size_t off = 0;
    while (off + sizeof(hdr) <= n) {
        hdr h;
        memcpy(&h, b + off, sizeof h);
        off += sizeof h;
        switch (h.type) {
        case LOG_OFFER: {
            size_t need = (size_t)h.n * sizeof(soak_rec);
            if (off + need > n) return 0; /* cut short: never offered */
            {
                soak_rec *r = malloc(need ? need : 1);
                if (!r) abort();
                memcpy(r, b + off, need);
                soak_truth_offer(t, r, h.n);
                free(r);
            }
            off += need;
            break;
        }
        case LOG_RESULT: {
            size_t need = h.n + (h.n % 8 ? 8 - h.n % 8 : 0);
            if (off + need > n) return 0; /* cut short: the offer stays in flight */
            if (!t->in_flight || t->noffer != h.n) {
                snprintf(msg, cap, "a result of %u samples without its offer", h.n);
                return -1;
            }
            soak_truth_result(t, b + off);
            off += need;
            break;
        }
        case LOG_COMMIT:
            if (t->in_flight) {
                snprintf(msg, cap, "a commit with an offer in flight");
                return -1;
            }
            soak_truth_commit(t);
            break;
        case LOG_FAULT:
            soak_truth_fault(t, h.sub, h.n);
            break;
        default:
            snprintf(msg, cap, "unknown record type %u", h.type);
            return -1;
        }
    }
    return 0;
}

int soak_log_replay(const char *dir, unsigned life, soak_truth *t, char *msg, size_t cap)
{
    char p[600];
    size_t n;
    unsigned char *b;
    uint64_t seg = 0;
    path_of(p, sizeof p, dir, life, "sum", UINT64_MAX);
    b = slurp(p, &n);
    if (b) {
        sum_head h;
        if (n < sizeof h) {
            free(b);
            snprintf(msg, cap, "%s: short", p);
            return -1;
        }
        memcpy(&h, b, sizeof h);
        if (h.magic != SUM_MAGIC || h.nsig != t->nsig ||
            n != sizeof h + t->nsig * sizeof *t->sum) {
            free(b);
            snprintf(msg, cap, "%s: malformed", p);
            return -1;
        }
        t->c = h.c;
        memcpy(t->sum, b + sizeof h, t->nsig * sizeof *t->sum);
        seg = h.next_seg;
        free(b);
    }
    for (;; seg++) {
        int r;
        path_of(p, sizeof p, dir, life, "", seg);
        b = slurp(p, &n);
        if (!b) break;
        r = replay_seg(b, n, t, msg, cap);
        free(b);
        if (r != 0) return -1;
    }
    return 0;
}

void soak_log_remove(const char *dir, unsigned life)
{
    char pre[64], p[900];
    DIR *d = opendir(dir);
    struct dirent *e;
    snprintf(pre, sizeof pre, "life-%u.", life);
    if (!d) return;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, pre, strlen(pre)) == 0) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
}
