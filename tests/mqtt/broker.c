/* The tests' private mosquitto (broker.h). */
#define _POSIX_C_SOURCE 200809L
#include "broker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int broker_available(broker *b)
{
    const char *env = getenv("MOSQUITTO");
    snprintf(b->exe, sizeof b->exe, "%s", env && *env ? env : "/usr/sbin/mosquitto");
    return access(b->exe, X_OK) == 0;
}

int broker_missing_status(void)
{
    const char *ci = getenv("CI");
    if (ci && strcmp(ci, "true") == 0) {
        fprintf(stderr, "mosquitto not found, and CI=true: failing\n");
        return 1;
    }
    fprintf(stderr, "mosquitto not found: skipped\n");
    return 77;
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static int accepts(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int start_once(broker *b)
{
    char conf[128], log[128];
    FILE *f;
    snprintf(conf, sizeof conf, "%s/mosquitto.conf", b->dir);
    snprintf(log, sizeof log, "%s/mosquitto.log", b->dir);
    if (!(f = fopen(conf, "w")))
        return -1;
    /* QoS 0 traffic unbounded per client (the tests count every message) */
    fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
               "max_queued_messages 0\nmax_queued_bytes 0\n"
               "log_dest stderr\nlog_type error\nlog_type warning\n", b->port);
    if (b->extra_conf)
        fputs(b->extra_conf, f);
    fclose(f);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* a test that fails ends its process without its teardown: the
           broker goes with it */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1)
            _exit(127);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(b->exe, "mosquitto", "-c", conf, (char *)NULL);
        _exit(127);
    }
    b->pid = pid;
    for (int i = 0; i < 500; i++) {  /* up to 5 s */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {  /* it died: port taken? */
            b->pid = 0;
            return -1;
        }
        if (accepts(b->port))
            return 0;
        nap_ms(10);
    }
    broker_stop(b, SIGKILL);
    return -1;
}

int broker_dir(broker *b)
{
    if (b->dir[0])
        return 0;
    snprintf(b->dir, sizeof b->dir, "/tmp/twin-mosq-XXXXXX");
    if (mkdtemp(b->dir))
        return 0;
    b->dir[0] = 0;
    return -1;
}

int broker_start(broker *b)
{
    if (broker_dir(b) < 0)
        return -1;
    if (b->port)  /* a restart: the same port (it may linger a moment) */
        for (int i = 0; i < 20; i++) {
            if (start_once(b) == 0)
                return 0;
            nap_ms(100);
        }
    for (int i = 0; i < 5 && !b->port; i++) {
        b->port = free_port();
        if (b->port > 0 && start_once(b) == 0)
            return 0;
        b->port = 0;
    }
    return b->pid ? 0 : -1;
}

void broker_stop(broker *b, int sig)
{
    if (b->pid <= 0)
        return;
    kill(b->pid, sig);  /* our own child, by its PID only */
    int st;
    while (waitpid(b->pid, &st, 0) < 0 && errno == EINTR)
        ;
    b->pid = 0;
}

void broker_fini(broker *b)
{
    char p[128];
    broker_stop(b, SIGTERM);
    if (!b->dir[0])
        return;
    snprintf(p, sizeof p, "%s/mosquitto.conf", b->dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/mosquitto.log", b->dir);
    unlink(p);
    rmdir(b->dir);
    b->dir[0] = 0;
    b->port = 0;
}
