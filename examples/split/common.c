/* The split factory demo's shared helpers (common.h). */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int split_broker(const char *arg, char *host, size_t cap, uint32_t *port)
{
    const char *colon = strrchr(arg, ':');
    char *end;
    unsigned long p;
    if (!colon || colon == arg || (size_t)(colon - arg) >= cap)
        return -1;
    p = strtoul(colon + 1, &end, 10);
    if (*end || p == 0 || p > 65535)
        return -1;
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = 0;
    *port = (uint32_t)p;
    return 0;
}

twin_graph *split_load_plant(const char *path, const char *who)
{
    twin_sqlite_options so;
    twin_sqlite *db = NULL;
    twin_graph *g = NULL;
    twin_status s;
    twin_sqlite_options_init(&so);
    so.flags = TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE;
    if ((s = twin_sqlite_open(&db, path, &so)) != TWIN_OK) {
        fprintf(stderr, "%s: %s\n", who, twin_sqlite_last_error(db)->message);
        twin_sqlite_close(db);
        return NULL;
    }
    if ((s = twin_graph_create(&g, NULL)) != TWIN_OK) {
        fprintf(stderr, "%s: no graph: %s\n", who, twin_strerror(s));
        twin_sqlite_close(db);
        return NULL;
    }
    if ((s = twin_sqlite_load(db, g, NULL, NULL)) != TWIN_OK) {
        fprintf(stderr, "%s: %s: %s\n", who, path, twin_sqlite_last_error(db)->message);
        twin_graph_destroy(g);
        g = NULL;
    }
    twin_sqlite_close(db);
    return g;
}

int64_t split_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

double split_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void split_line_of(const char *twin_id, char *buf, size_t cap)
{
    size_t n = strcspn(twin_id, "-");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, twin_id, n);
    buf[n] = 0;
}

int split_in_list(const char *list, const char *item)
{
    size_t n = strlen(item);
    const char *p = list;
    while (*p) {
        size_t k = strcspn(p, ",");
        if (k == n && memcmp(p, item, n) == 0)
            return 1;
        p += k;
        if (*p == ',')
            p++;
    }
    return 0;
}

int split_is_motor(const char *model_id)
{
    return model_id && strcmp(model_id, "dtmi:libtwin:factory:Motor;1") == 0;
}
