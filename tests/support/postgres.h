/* A real PostgreSQL 15 (Debian's postgresql-15, /usr/lib/postgresql/15/bin)
 * for libtwin-pg's tests and bench: initdb in a temporary directory, the
 * server on 127.0.0.1 and a free port with its unix socket in that
 * directory, run as `nobody` when we are root (PostgreSQL refuses root),
 * killed (SIGKILL to the postmaster and every backend: a crash) and started again on the same directory, stopped by its PID.
 * Header-only (static inline) so that the benchmark uses it too. Needs
 * _DEFAULT_SOURCE defined before the first include (setgroups()). */
#ifndef TWIN_TEST_POSTGRES_H
#define TWIN_TEST_POSTGRES_H

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PGSRV_BIN "/usr/lib/postgresql/15/bin"

typedef struct pgsrv {
    char dir[64];   /* the temporary directory: data/, the socket, the log */
    pid_t pid;      /* the postmaster (and its process group) */
    int port;
    uid_t uid;      /* who runs it */
    gid_t gid;
} pgsrv;

static inline void pgsrv_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline int pgsrv_available(void)
{
    return access(PGSRV_BIN "/postgres", X_OK) == 0 && access(PGSRV_BIN "/initdb", X_OK) == 0;
}

static inline int pgsrv_free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

/* In a child: become the server's user, then exec argv (output to log). */
static inline void pgsrv_exec(const pgsrv *x, const char *log, char *const argv[])
{
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    if (getuid() == 0 && (setgroups(0, NULL) != 0 || setgid(x->gid) != 0 || setuid(x->uid) != 0))
        _exit(126);
    execv(argv[0], argv);
    _exit(127);
}

/* "host=127.0.0.1 port=N dbname=postgres user=twin" plus extra. */
static inline void pgsrv_conninfo(const pgsrv *x, char *out, size_t cap, const char *extra)
{
    snprintf(out, cap,
             "host=127.0.0.1 port=%d dbname=postgres user=twin sslmode=disable"
             " connect_timeout=10%s%s",
             x->port, extra ? " " : "", extra ? extra : "");
}

/* Start (or start again) the server of x->dir; 0 once it accepts
   connections (within 30 s). */
static inline int pgsrv_spawn(pgsrv *x)
{
    char data[96], log[96], port[16];
    int k;
    snprintf(data, sizeof data, "%s/data", x->dir);
    snprintf(log, sizeof log, "%s/postgres.log", x->dir);
    snprintf(port, sizeof port, "%d", x->port);
    x->pid = fork();
    if (x->pid < 0) return -1;
    if (x->pid == 0) {
        char *argv[] = {(char *)PGSRV_BIN "/postgres", (char *)"-D", data, (char *)"-h",
                        (char *)"127.0.0.1", (char *)"-p", port, (char *)"-k", x->dir, NULL};
        setsid();
        pgsrv_exec(x, log, argv);
    }
    for (k = 0; k < 300; k++) {
        char ci[256];
        int st;
        pgsrv_conninfo(x, ci, sizeof ci, NULL);
        if (PQping(ci) == PQPING_OK) return 0;
        if (waitpid(x->pid, &st, WNOHANG) == x->pid) {
            x->pid = 0;
            return -1;
        }
        pgsrv_sleep_ms(100);
    }
    return -1;
}

/* The postmaster's children (backends and helpers: each is a session
   leader of its own, so a process group does not hold them); at most cap. */
static inline int pgsrv_children(const pgsrv *x, pid_t *out, int cap)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    if (!d) return 0;
    while ((e = readdir(d)) && n < cap) {
        char path[64], st[512], *p;
        FILE *f;
        long ppid = 0;
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%ld/stat", atol(e->d_name));
        if (!(f = fopen(path, "r"))) continue;
        if (fgets(st, sizeof st, f) && (p = strrchr(st, ')')) && sscanf(p + 1, " %*c %ld", &ppid) == 1 &&
            ppid == x->pid)
            out[n++] = (pid_t)atol(e->d_name);
        fclose(f);
    }
    closedir(d);
    return n;
}

/* Signal the server: the postmaster and every child of it. SIGSTOP stops
   the postmaster first (it then forks no more), SIGCONT resumes it last. */
static inline void pgsrv_kill(pgsrv *x, int sig)
{
    pid_t kids[256];
    int n, k;
    if (x->pid <= 0) return;
    if (sig == SIGSTOP) kill(x->pid, sig);
    n = pgsrv_children(x, kids, 256);
    for (k = 0; k < n; k++) kill(kids[k], sig);
    if (sig != SIGSTOP) kill(x->pid, sig);
}

/* A crash: SIGKILL to the postmaster and every child; reap the postmaster. */
static inline void pgsrv_crash(pgsrv *x)
{
    pid_t kids[256];
    int n, k, st;
    if (x->pid <= 0) return;
    kill(x->pid, SIGSTOP);
    n = pgsrv_children(x, kids, 256);
    kill(x->pid, SIGKILL);
    for (k = 0; k < n; k++) kill(kids[k], SIGKILL);
    waitpid(x->pid, &st, 0);
    x->pid = 0;
    pgsrv_sleep_ms(50);
}

/* A fresh cluster: initdb (trust, user twin, no fsync), then start with
   extra lines of postgresql.conf (may be NULL). 0 on success. */
static inline int pgsrv_start(pgsrv *x, const char *conf)
{
    char data[96], log[96], path[128];
    struct passwd *pw;
    pid_t pid;
    int st;
    FILE *f;
    memset(x, 0, sizeof *x);
    snprintf(x->dir, sizeof x->dir, "/tmp/twin-pg-XXXXXX");
    if (!mkdtemp(x->dir)) return -1;
    x->uid = getuid();
    x->gid = getgid();
    if (x->uid == 0) {
        if (!(pw = getpwnam("nobody"))) return -1;
        x->uid = pw->pw_uid;
        x->gid = pw->pw_gid;
        if (chown(x->dir, x->uid, x->gid) != 0) return -1;
    }
    chmod(x->dir, 0700);
    snprintf(data, sizeof data, "%s/data", x->dir);
    snprintf(log, sizeof log, "%s/initdb.log", x->dir);
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        char *argv[] = {(char *)PGSRV_BIN "/initdb", (char *)"-D", data, (char *)"-U",
                        (char *)"twin", (char *)"-A", (char *)"trust", (char *)"-N",
                        (char *)"-E", (char *)"UTF8", (char *)"--locale=C", NULL};
        pgsrv_exec(x, log, argv);
    }
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return -1;
    snprintf(path, sizeof path, "%s/postgresql.conf", data);
    if (!(f = fopen(path, "a"))) return -1;
    fprintf(f, "fsync = off\nfull_page_writes = off\nshared_buffers = 32MB\nmax_connections = 30\n"
               "unix_socket_permissions = 0777\n%s\n", conf ? conf : "");
    fclose(f);
    x->port = pgsrv_free_port();
    return x->port > 0 ? pgsrv_spawn(x) : -1;
}

/* Stop (SIGINT, fast shutdown; SIGKILL after 10 s); the directory stays. */
static inline void pgsrv_halt(pgsrv *x)
{
    int k, st;
    if (x->pid > 0) {
        pgsrv_kill(x, SIGCONT);
        kill(x->pid, SIGINT);
        for (k = 0; k < 100; k++) {
            if (waitpid(x->pid, &st, WNOHANG) == x->pid || (kill(x->pid, 0) != 0)) break;
            pgsrv_sleep_ms(100);
        }
        if (k == 100) pgsrv_crash(x);
        x->pid = 0;
    }
}

/* Stop (pgsrv_halt()) and remove the directory. */
static inline void pgsrv_stop(pgsrv *x)
{
    char cmd[128];
    pgsrv_halt(x);
    if (x->dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
        if (system(cmd) != 0) { /* left behind */ }
    }
}

#endif
