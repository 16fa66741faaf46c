/* A bounded store-and-forward store in one file (twin_sp_file_store; host
 * builds only: POSIX files). Layout:
 *   header: "TWSPSF01", u64 head (offset of the first record not confirmed)
 *   records from offset 16: u32 length, u32 CRC-32 of the data, the data
 * (little-endian). An append is one pwritev() at the end; a confirm one
 * 8-byte write of head. Opening checks the records after head and cuts a
 * torn last one. Cursors are logical offsets (base + file offset): base
 * grows by what is dropped at the front when the file is truncated or
 * compacted, so cursors stay increasing over the handle's life. */
#define _GNU_SOURCE /* pwritev */
#include "sp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAGIC "TWSPSF01"
#define HDR 16u
#define REC 8u

struct twin_sp_file_store {
    twin_allocator a;
    int fd;
    uint32_t flags;
    char *path, *tmp;
    size_t path_len;
    uint64_t head, tail, base, max;
    twin_sp_file_store_stats st;
};

TWIN_SP_API twin_status twin_sp_file_store_options_init_(twin_sp_file_store_options *o,
                                                        size_t size)
{
    twin_sp_file_store_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.max_bytes = (uint64_t)64 << 20;
    return twin__sized_init(o, size, &d, sizeof d);
}

/* CRC-32 (IEEE), a piece at a time: c starts at 0xffffffff, the CRC is ~c. */
static uint32_t crc32_step(uint32_t c, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c;
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    return ~crc32_step(0xffffffffu, p, n);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int full_pread(int fd, void *buf, size_t n, uint64_t off)
{
    uint8_t *b = (uint8_t *)buf;
    while (n) {
        ssize_t r = pread(fd, b, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

static int full_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
    const uint8_t *b = (const uint8_t *)buf;
    while (n) {
        ssize_t r = pwrite(fd, b, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

static int write_header(int fd, uint64_t head)
{
    uint8_t h[HDR];
    memcpy(h, MAGIC, 8);
    put32(h + 8, (uint32_t)head);
    put32(h + 12, (uint32_t)(head >> 32));
    return full_pwrite(fd, h, HDR, 0);
}

static int sync_if(const twin_sp_file_store *fs)
{
    return (fs->flags & TWIN_SP_FILE_STORE_SYNC) ? fdatasync(fs->fd) : 0;
}

/* Check the records from head; cut a torn or corrupt tail. A record's
   CRC is computed a piece at a time: what its header claims (up to the
   file's size) is never allocated. */
static twin_status scan(twin_sp_file_store *fs, uint64_t size)
{
    uint8_t buf[4096];
    uint64_t pos = fs->head;
    while (pos + REC <= size) {
        uint8_t h[REC];
        uint32_t c = 0xffffffffu;
        if (full_pread(fs->fd, h, REC, pos) < 0)
            return TWIN_E_IO;
        uint32_t len = get32(h);
        if (!len || len > size - pos - REC)
            break;
        for (uint32_t done = 0; done < len;) {
            size_t k = len - done < sizeof buf ? len - done : sizeof buf;
            if (full_pread(fs->fd, buf, k, pos + REC + done) < 0)
                return TWIN_E_IO;
            c = crc32_step(c, buf, k);
            done += (uint32_t)k;
        }
        if (~c != get32(h + 4))
            break;
        pos += REC + len;
        fs->st.records++;
    }
    if (pos < size) {  /* a torn last append (it had not returned) */
        fs->st.truncated = size - pos;
        if (ftruncate(fs->fd, (off_t)pos) < 0)
            return TWIN_E_IO;
    }
    fs->tail = pos;
    fs->st.bytes = fs->tail - fs->head;
    return TWIN_OK;
}

static twin_status file_init(twin_sp_file_store *fs)
{
    struct stat sb;
    uint8_t h[HDR];
    fs->fd = open(fs->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fs->fd < 0)
        return TWIN_E_IO;
    if (flock(fs->fd, LOCK_EX | LOCK_NB) < 0 || fstat(fs->fd, &sb) < 0)
        return TWIN_E_IO;
    if (sb.st_size == 0) {
        if (write_header(fs->fd, HDR) < 0 || fsync(fs->fd) < 0)
            return TWIN_E_IO;
        fs->head = fs->tail = HDR;
        return TWIN_OK;
    }
    if ((uint64_t)sb.st_size < HDR || full_pread(fs->fd, h, HDR, 0) < 0 ||
        memcmp(h, MAGIC, 8) != 0)
        return TWIN_E_PARSE;
    fs->head = (uint64_t)get32(h + 8) | (uint64_t)get32(h + 12) << 32;
    if (fs->head < HDR)
        return TWIN_E_PARSE;
    if (fs->head > (uint64_t)sb.st_size) {  /* all confirmed, cut before the header said so */
        if (write_header(fs->fd, HDR) < 0 || ftruncate(fs->fd, HDR) < 0)
            return TWIN_E_IO;
        fs->head = fs->tail = HDR;
        return TWIN_OK;
    }
    return scan(fs, (uint64_t)sb.st_size);
}

TWIN_SP_API void twin_sp_file_store_close(twin_sp_file_store *fs)
{
    if (!fs)
        return;
    twin_allocator a = fs->a;
    if (fs->fd >= 0)
        close(fs->fd);
    sp_free(&a, fs->path, fs->path_len + 1);
    sp_free(&a, fs->tmp, fs->path_len + 5);
    sp_free(&a, fs, sizeof *fs);
}

TWIN_SP_API twin_status twin_sp_file_store_open(twin_sp_file_store **out, const char *path,
                                                const twin_sp_file_store_options *o)
{
    twin_sp_file_store_options opt;
    twin_allocator al = *twin_allocator_default();
    twin_status st;
    if (!out)
        return TWIN_E_INVAL;
    *out = NULL;
    if (!path || !*path)
        return TWIN_E_INVAL;
    twin_sp_file_store_options_init(&opt);
    if ((o && (st = twin__sized_in(&opt, sizeof opt, o)) != TWIN_OK) ||
        (st = twin__sized_in(&al, sizeof al, opt.alloc)) != TWIN_OK)
        return st;
    if (!opt.max_bytes || (opt.flags & ~(uint32_t)TWIN_SP_FILE_STORE_SYNC) || !al.alloc ||
        !al.free)
        return TWIN_E_INVAL;
    twin_sp_file_store *fs = (twin_sp_file_store *)sp_alloc(&al, sizeof *fs);
    if (!fs)
        return TWIN_E_NOMEM;
    memset(fs, 0, sizeof *fs);
    fs->a = al;
    fs->fd = -1;
    fs->flags = opt.flags;
    fs->max = opt.max_bytes;
    fs->st.size = sizeof fs->st;
    fs->st.max_bytes = opt.max_bytes;
    fs->path_len = strlen(path);
    fs->path = twin__sp_strndup(&al, path, fs->path_len);
    fs->tmp = (char *)sp_alloc(&al, fs->path_len + 5);
    if (!fs->path || !fs->tmp) {
        twin_sp_file_store_close(fs);
        return TWIN_E_NOMEM;
    }
    memcpy(fs->tmp, path, fs->path_len);
    memcpy(fs->tmp + fs->path_len, ".tmp", 5);
    if ((st = file_init(fs)) != TWIN_OK) {
        twin_sp_file_store_close(fs);
        return st;
    }
    *out = fs;
    return TWIN_OK;
}

/* Copy the records not confirmed to a new file renamed over the old one. */
static twin_status compact(twin_sp_file_store *fs)
{
    uint8_t buf[65536];
    int fd = open(fs->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return TWIN_E_IO;
    int ok = flock(fd, LOCK_EX | LOCK_NB) == 0 && write_header(fd, HDR) == 0;
    for (uint64_t off = fs->head; ok && off < fs->tail;) {
        size_t n = fs->tail - off < sizeof buf ? (size_t)(fs->tail - off) : sizeof buf;
        ok = full_pread(fs->fd, buf, n, off) == 0 &&
             full_pwrite(fd, buf, n, HDR + (off - fs->head)) == 0;
        off += n;
    }
    if (!ok || ((fs->flags & TWIN_SP_FILE_STORE_SYNC) && fsync(fd) < 0) ||
        rename(fs->tmp, fs->path) < 0) {
        close(fd);
        unlink(fs->tmp);
        return TWIN_E_IO;
    }
    close(fs->fd);
    fs->fd = fd;
    uint64_t dropped = fs->head - HDR;
    fs->base += dropped;
    fs->tail -= dropped;
    fs->head = HDR;
    return TWIN_OK;
}

static twin_status fs_append(void *ud, const void *rec, size_t len)
{
    twin_sp_file_store *fs = (twin_sp_file_store *)ud;
    if (!len || len > UINT32_MAX)
        return TWIN_E_INVAL;
    /* Full: refused (the caller counts it); nothing accepted is dropped. */
    if (fs->tail - fs->head + REC + len > fs->max) {
        fs->st.refused++;
        return TWIN_E_BUSY;
    }
    if (fs->head - HDR >= fs->max && compact(fs) < 0)
        return TWIN_E_IO;
    uint8_t h[REC];
    put32(h, (uint32_t)len);
    put32(h + 4, crc32((const uint8_t *)rec, len));
    struct iovec iov[2] = {{h, REC}, {(void *)(uintptr_t)rec, len}};
    ssize_t w = pwritev(fs->fd, iov, 2, (off_t)fs->tail);
    if (w != (ssize_t)(REC + len) || sync_if(fs) < 0) {
        if (ftruncate(fs->fd, (off_t)fs->tail) < 0) { /* the scan at open cuts it */ }
        return TWIN_E_IO;
    }
    fs->tail += REC + len;
    fs->st.records++;
    fs->st.bytes = fs->tail - fs->head;
    fs->st.appended++;
    return TWIN_OK;
}

static twin_status fs_read(void *ud, uint64_t cursor, void *buf, size_t cap, size_t *len,
                           uint64_t *next)
{
    twin_sp_file_store *fs = (twin_sp_file_store *)ud;
    uint8_t h[REC];
    uint64_t pos = cursor < fs->base + fs->head ? fs->head : cursor - fs->base;
    if (pos >= fs->tail)
        return TWIN_DONE;
    if (full_pread(fs->fd, h, REC, pos) < 0)
        return TWIN_E_IO;
    uint32_t n = get32(h);
    *len = n;
    if (n > cap)
        return TWIN_E_RANGE;
    if (full_pread(fs->fd, buf, n, pos + REC) < 0)
        return TWIN_E_IO;
    *next = fs->base + pos + REC + n;
    return TWIN_OK;
}

static twin_status fs_confirm(void *ud, uint64_t cursor)
{
    twin_sp_file_store *fs = (twin_sp_file_store *)ud;
    if (cursor <= fs->base + fs->head)
        return TWIN_OK;  /* confirmed already */
    uint64_t pos = cursor - fs->base;
    if (pos > fs->tail)
        return TWIN_E_INVAL;
    uint64_t n = 0;
    for (uint64_t p = fs->head; p < pos; n++) {
        uint8_t h[REC];
        if (full_pread(fs->fd, h, REC, p) < 0)
            return TWIN_E_IO;
        p += REC + get32(h);
    }
    if (pos == fs->tail) {  /* nothing left: start the file again */
        /* all confirmed first: a crash in between loses nothing, resends nothing */
        if (write_header(fs->fd, pos) < 0 || ftruncate(fs->fd, HDR) < 0 ||
            write_header(fs->fd, HDR) < 0)
            return TWIN_E_IO;
        fs->base += fs->tail - HDR;
        fs->head = fs->tail = HDR;
    } else {
        /* not synced: a confirm lost to a power loss only sends records
           again, and the host's ingest drops exact duplicates */
        if (write_header(fs->fd, pos) < 0)
            return TWIN_E_IO;
        fs->head = pos;
    }
    fs->st.records -= n;
    fs->st.confirmed += n;
    fs->st.bytes = fs->tail - fs->head;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_file_store_callbacks(twin_sp_file_store *fs, twin_sp_store *out)
{
    if (!fs || !out)
        return TWIN_E_INVAL;
    memset(out, 0, sizeof *out);
    out->size = sizeof *out;
    out->append = fs_append;
    out->read = fs_read;
    out->confirm = fs_confirm;
    out->ud = fs;
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_file_store_get_stats(const twin_sp_file_store *fs,
                                                     twin_sp_file_store_stats *out)
{
    twin_status st;
    if (!fs || !out)
        return TWIN_E_INVAL;
    if ((st = twin__sized_check(out, sizeof *out)) != TWIN_OK)
        return st;
    return twin__sized_out(out, &fs->st, sizeof fs->st);
}
