/* A real InfluxDB 1.x (Debian's `influxd`) for bench_sqlite, bench_influx and
 * the tests of libtwin-influx (tests/influx/): started on
 * 127.0.0.1 in a temporary directory, written to over HTTP in line
 * protocol, its bytes on disk measured after its compactions, killed and
 * started again on the same directory and ports, stopped by its PID.
 * Header-only (static inline) so that benchmarks, built without the tests'
 * support library, use it too. */
#ifndef TWIN_TEST_INFLUXD_H
#define TWIN_TEST_INFLUXD_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct influx {
    char dir[64];
    pid_t pid;
    int port;
    int fd;       /* a keep-alive connection */
    int tls;      /* https only: started when its port accepts connections */
    char *body;   /* the batch being built */
    size_t len, cap;
} influx;

static inline void influx_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline int influx_connect(influx *x)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)x->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline int influx_send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One request on the keep-alive connection; the status code, -1 on error.
   Reads the response's headers and its body (Content-Length). */
static inline int influx_request(influx *x, const char *method, const char *path, const char *body,
                          size_t n)
{
    char head[256], buf[4096];
    size_t got = 0, clen = 0, need;
    char *end, *cl;
    int code;
    if (x->fd < 0 && (x->fd = influx_connect(x)) < 0) return -1;
    snprintf(head, sizeof head,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n"
             "Content-Type: text/plain\r\n\r\n",
             method, path, n);
    if (influx_send_all(x->fd, head, strlen(head)) != 0 ||
        influx_send_all(x->fd, body ? body : "", n) != 0)
        return -1;
    for (;;) {
        ssize_t r = read(x->fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0) return -1;
        got += (size_t)r;
        buf[got] = '\0';
        if ((end = strstr(buf, "\r\n\r\n"))) break;
        if (got == sizeof buf - 1) return -1;
    }
    if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1) return -1;
    cl = strstr(buf, "Content-Length: ");
    if (!cl) cl = strstr(buf, "content-length: ");
    if (cl) clen = (size_t)strtoul(cl + 16, NULL, 10);
    if (!cl && code != 204) {  /* chunked or until close: drop the connection */
        if (code >= 300) fprintf(stderr, "influx: %s %s: %d\n", method, path, code);
        close(x->fd);
        x->fd = -1;
        return code;
    }
    need = (size_t)(end + 4 - buf) + clen;
    while (got < need) {
        char sink[4096];
        ssize_t r = read(x->fd, sink, sizeof sink < need - got ? sizeof sink : need - got);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    if (code >= 300) fprintf(stderr, "influx: %s %s: %.300s\n", method, path, end + 4);
    return code;
}

/* Two free TCP ports on 127.0.0.1 (bound to port 0, then released). */
static inline int influx_free_ports(int *a, int *b)
{
    int fds[2], k, ok = 0;
    for (k = 0; k < 2; k++) {
        struct sockaddr_in sa;
        socklen_t len = sizeof sa;
        fds[k] = socket(AF_INET, SOCK_STREAM, 0);
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fds[k] < 0 || bind(fds[k], (struct sockaddr *)&sa, sizeof sa) != 0 ||
            getsockname(fds[k], (struct sockaddr *)&sa, &len) != 0)
            ok = -1;
        else
            *(k ? b : a) = ntohs(sa.sin_port);
    }
    for (k = 0; k < 2; k++)
        if (fds[k] >= 0) close(fds[k]);
    return ok;
}

/* Start (or, after influx_kill(), start again) the influxd of x->dir; 0 when
   it answers /ping within 30 s. */
static inline int influx_spawn(influx *x)
{
    char conf[128], log[128];
    int k;
    snprintf(conf, sizeof conf, "%s/influxdb.conf", x->dir);
    snprintf(log, sizeof log, "%s/influxd.log", x->dir);
    if (x->fd >= 0) close(x->fd);
    x->fd = -1;
    x->pid = fork();
    if (x->pid < 0) return -1;
    if (x->pid == 0) {
        int fd;
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM);  /* a failed test or bench leaves no server behind */
#endif
        fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execlp("influxd", "influxd", "-config", conf, (char *)NULL);
        _exit(127);
    }
    for (k = 0; k < 300; k++) {  /* up to 30 s */
        int fd = influx_connect(x), st;
        if (fd >= 0 && x->tls) {
            close(fd);
            return 0;
        }
        if (fd >= 0) {
            int code;
            x->fd = fd;
            code = influx_request(x, "GET", "/ping", NULL, 0);
            if (code == 204) return 0;
            close(x->fd);
            x->fd = -1;
        }
        if (waitpid(x->pid, &st, WNOHANG) == x->pid) {  /* it died (e.g. a port taken) */
            x->pid = 0;
            return -1;
        }
        influx_sleep_ms(100);
    }
    return -1;
}

/* Send signal sig to influxd; for SIGKILL and SIGTERM wait for its end. */
static inline void influx_kill(influx *x, int sig)
{
    int st;
    if (x->pid <= 0) return;
    kill(x->pid, sig);
    if (sig == SIGKILL || sig == SIGTERM) {
        waitpid(x->pid, &st, 0);
        x->pid = 0;
        if (x->fd >= 0) close(x->fd);
        x->fd = -1;
    }
}

/* CREATE DATABASE name; 0 when done. */
static inline int influx_create_db(influx *x, const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/query?q=CREATE%%20DATABASE%%20%s", name);
    return influx_request(x, "POST", cmd, NULL, 0) == 200 ? 0 : -1;
}

/* Set up a temporary directory and a configuration on two free ports, and
   start influxd; 0 when it answers /ping. The directory is kept for
   influx_stop() (and for the log: x->dir/influxd.log). With cert and key
   (PEM files), HTTPS only: the raw helpers here (influx_request() and those
   that use it) then do not work; use a TLS client. */
static inline int influx_start_tls(influx *x, const char *cert, const char *key)
{
    char conf[128];
    FILE *f;
    int rpc = 0;
    memset(x, 0, sizeof *x);
    x->fd = -1;
    snprintf(x->dir, sizeof x->dir, "/tmp/influxd-XXXXXX");
    if (!mkdtemp(x->dir)) return -1;
    if (influx_free_ports(&x->port, &rpc) != 0) return -1;
    snprintf(conf, sizeof conf, "%s/influxdb.conf", x->dir);
    if (!(f = fopen(conf, "w"))) return -1;
    fprintf(f,
            "reporting-disabled = true\n"
            "bind-address = \"127.0.0.1:%d\"\n"
            "[meta]\n  dir = \"%s/meta\"\n"
            "[data]\n  dir = \"%s/data\"\n  wal-dir = \"%s/wal\"\n"
            "  index-version = \"inmem\"\n  query-log-enabled = false\n"
            "  cache-snapshot-write-cold-duration = \"1s\"\n"
            "  compact-full-write-cold-duration = \"1s\"\n"
            "  max-series-per-database = 0\n  max-values-per-tag = 0\n"
            "[http]\n  bind-address = \"127.0.0.1:%d\"\n  log-enabled = false\n"
            "  max-body-size = 0\n%s%s%s%s%s"
            "[monitor]\n  store-enabled = false\n"
            "[continuous_queries]\n  enabled = false\n"
            "[subscriber]\n  enabled = false\n",
            rpc, x->dir, x->dir, x->dir, x->port,
            cert ? "  https-enabled = true\n  https-certificate = \"" : "", cert ? cert : "",
            cert ? "\"\n  https-private-key = \"" : "", cert ? key : "", cert ? "\"\n" : "");
    fclose(f);
    x->tls = cert != NULL;
    return influx_spawn(x);
}

static inline int influx_start(influx *x)
{
    return influx_start_tls(x, NULL, NULL);
}

/* Append a point: measurement m, tag s=sensor, field v, time in us. */
static inline int influx_point(influx *x, long sensor, int64_t t_us, double v)
{
    if (x->len + 128 > x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 1 << 20;
        char *b = realloc(x->body, cap);
        if (!b) return -1;
        x->body = b;
        x->cap = cap;
    }
    x->len += (size_t)snprintf(x->body + x->len, x->cap - x->len, "m,s=sensor-%05ld v=%.17g %lld\n",
                               sensor, v, (long long)t_us);
    return 0;
}

/* Send the points appended so far. */
static inline int influx_flush(influx *x)
{
    int code;
    if (!x->len) return 0;
    code = influx_request(x, "POST", "/write?db=bench&precision=u", x->body, x->len);
    x->len = 0;
    return code == 204 ? 0 : -1;
}

static inline uint64_t influx_du(const char *path)
{
    struct stat st;
    uint64_t n = 0;
    DIR *d;
    struct dirent *e;
    if (lstat(path, &st) != 0) return 0;
    /* allocated bytes: the series file's segments are sparse, preallocated */
    if (!S_ISDIR(st.st_mode))
        return (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size ? (uint64_t)st.st_blocks * 512
                                                                   : (uint64_t)st.st_size;
    if (!(d = opendir(path))) return 0;
    while ((e = readdir(d))) {
        char p[1024];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) >= (int)sizeof p) continue;
        n += influx_du(p);
    }
    closedir(d);
    return n;
}

/* Files whose name ends with ext under path. */
static inline int influx_count(const char *path, const char *ext)
{
    struct stat st;
    int n = 0;
    DIR *d;
    struct dirent *e;
    if (lstat(path, &st) != 0) return 0;
    if (!S_ISDIR(st.st_mode)) {
        size_t a = strlen(path), b = strlen(ext);
        return a >= b && !strcmp(path + a - b, ext);
    }
    if (!(d = opendir(path))) return 0;
    while ((e = readdir(d))) {
        char p[1024];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) >= (int)sizeof p) continue;
        n += influx_count(p, ext);
    }
    closedir(d);
    return n;
}

/* Wait for the cache to be written out and the shards compacted (the WAL
   empty, no compaction's temporary file, the size steady for 2.5 s), then
   the bytes of its data and WAL directories. */
static inline uint64_t influx_settled_bytes(influx *x)
{
    char data[128], wal[128];
    uint64_t last = 0, now;
    int steady = 0, k;
    snprintf(data, sizeof data, "%s/data", x->dir);
    snprintf(wal, sizeof wal, "%s/wal", x->dir);
    for (k = 0; k < 600 && steady < 5; k++) {  /* up to 5 minutes */
        influx_sleep_ms(500);
        now = influx_du(data) + influx_du(wal);
        if (now == last && influx_du(wal) < 4096 && influx_count(data, ".tmp") == 0)
            steady++;
        else
            steady = 0;
        last = now;
    }
    return last;
}

static inline void influx_stop(influx *x)
{
    char cmd[128];
    int st, k;
    if (x->fd >= 0) close(x->fd);
    x->fd = -1;
    if (getenv("BENCH_INFLUX_SHOW")) {
        snprintf(cmd, sizeof cmd, "ls -laR '%s' >&2", x->dir);
        if (system(cmd) != 0) fprintf(stderr, "influx: ls failed\n");
    }
    if (x->pid > 0) {
        kill(x->pid, SIGTERM);
        for (k = 0; k < 100 && waitpid(x->pid, &st, WNOHANG) == 0; k++) influx_sleep_ms(100);
        if (k == 100) {
            kill(x->pid, SIGKILL);
            waitpid(x->pid, &st, 0);
        }
        x->pid = 0;
    }
    free(x->body);
    x->body = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
    if (system(cmd) != 0) fprintf(stderr, "influx: cannot remove %s\n", x->dir);
}

#endif
