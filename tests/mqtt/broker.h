/* A private mosquitto for a test: Debian's /usr/sbin/mosquitto (or
 * $MOSQUITTO) on 127.0.0.1 and a free port, in a temporary directory with
 * its own configuration, stopped by its PID. */
#ifndef TWIN_TESTS_BROKER_H
#define TWIN_TESTS_BROKER_H

#include <sys/types.h>

typedef struct broker {
    pid_t pid;        /* 0: not running */
    int port;         /* chosen by the first start, kept by restarts */
    char dir[64];     /* its temporary directory */
    char exe[256];
    /* More configuration lines (NULL: none), written after the listener
       line, so listener options (TLS) apply to it. */
    const char *extra_conf;
} broker;

/* Whether a mosquitto executable is there (fills b->exe). */
int broker_available(broker *b);
/* The exit status for a test without a broker: 77 (skip), or 1 when
 * CI=true (CI installs mosquitto, so its absence is a failure). */
int broker_missing_status(void);
/* Make its temporary directory (broker_start() does when needed). A test
 * program makes it before its tests, which may end without their teardown
 * (a failed check in a forked test), and removes it with broker_fini(). */
int broker_dir(broker *b);
/* Start it (on b->port when set, else a free port); 0 once it accepts
 * connections, -1 on failure. */
int broker_start(broker *b);
/* Stop it with sig (SIGTERM, or SIGKILL for a crash) and reap it. */
void broker_stop(broker *b, int sig);
/* Stop it if running and remove its directory. */
void broker_fini(broker *b);

#endif
