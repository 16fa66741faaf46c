/* Asset graph benchmark: a synthetic factory of N twins (default 1,000,000)
 * and 3 relationships per twin, built through the public API in bulk-import
 * order (all twins, then all relationships by source), then random lookups.
 *
 * Twin ids are 20 bytes ("twin-" + 15 digits). Each twin has:
 *   "r0" partOf    -> its parent (a cell: one per 10 consecutive twins)
 *   "r1" feeds     -> the next twin of the line
 *   "r2" locatedIn -> one of 1000 zones (spread over the whole graph)
 * so relationship ids are unique per source, as the graph requires.
 *
 * Memory is measured twice: the peak of live bytes the library asked its
 * allocator for (a counting wrapper around malloc), and the growth of the
 * process's peak resident set (VmHWM) over the build. */
#include <twin/twin.h>

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct counter {
    size_t live, peak;
    unsigned long calls;
} counter;

static void *c_alloc(void *ud, size_t n)
{
    counter *c = ud;
    void *p = malloc(n);
    if (p) {
        c->live += n;
        if (c->live > c->peak) c->peak = c->live;
    }
    c->calls++;
    return p;
}

static void *c_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    counter *c = ud;
    void *q = realloc(p, new_n);
    if (q) {
        c->live = c->live - old_n + new_n;
        if (c->live > c->peak) c->peak = c->live;
    }
    c->calls++;
    return q;
}

static void c_free(void *ud, void *p, size_t n)
{
    counter *c = ud;
    c->live -= n;
    free(p);
}

/* VmHWM or VmRSS of this process in bytes, from /proc (0 if unavailable). */
static size_t proc_status_kb(const char *key)
{
    char line[256];
    size_t kb = 0, klen = strlen(key);
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0) kb = (size_t)strtoull(line + klen + 1, NULL, 10);
    fclose(f);
    return kb * 1024;
}

/* "twin-" and 15 digits: formatted by hand so that the benchmark measures
 * the library, not snprintf. */
static void twin_name(char *buf, unsigned i)
{
    memcpy(buf, "twin-", 5);
    for (int k = 19; k >= 5; k--) {
        buf[k] = (char)('0' + i % 10);
        i /= 10;
    }
    buf[20] = '\0';
}

static const char *const models[] = {
    "dtmi:factory:Site;1",   "dtmi:factory:Line;1",   "dtmi:factory:Cell;1",
    "dtmi:factory:Machine;1", "dtmi:factory:Motor;1", "dtmi:factory:Conveyor;1",
    "dtmi:factory:Sensor;1", "dtmi:factory:Zone;1",
};

static int die(twin_graph *g, const char *what)
{
    fprintf(stderr, "bench_graph: %s: %s\n", what, twin_graph_last_error(g)->message);
    exit(1);
}

/* Build the graph; returns seconds for twins and relationships. */
static void build(twin_graph *g, unsigned n, double *t_twins, double *t_rels)
{
    char a[24], b[24];
    double t0 = bench_now_s(), t1;
    for (unsigned i = 0; i < n; i++) {
        twin_name(a, i);
        if (twin_graph_add_twin(g, a, models[i % 8], NULL, 0) != TWIN_OK) die(g, "add_twin");
    }
    t1 = bench_now_s();
    for (unsigned i = 0; i < n; i++) {
        twin_name(a, i);
        twin_name(b, (i / 10) * 10);
        if (twin_graph_add_relationship(g, a, "r0", "partOf", b, NULL, 0) != TWIN_OK)
            die(g, "partOf");
        twin_name(b, (i + 1) % n);
        if (twin_graph_add_relationship(g, a, "r1", "feeds", b, NULL, 0) != TWIN_OK)
            die(g, "feeds");
        twin_name(b, (unsigned)(((unsigned long long)(i % 1000) * n) / 1000));
        if (twin_graph_add_relationship(g, a, "r2", "locatedIn", b, NULL, 0) != TWIN_OK)
            die(g, "locatedIn");
    }
    *t_twins = t1 - t0;
    *t_rels = bench_now_s() - t1;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000u;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    unsigned nlook = 2000000u;
    double build_s[16], tw = 0, tr = 0, look_s = 0;
    size_t rss0 = 0, hwm = 0, peak_alloc = 0;
    counter cnt;
    twin_allocator alloc;
    twin_graph_options o;
    char *keys;
    unsigned long long x = 88172645463325252ull, found = 0;

    if (n < 1000 || runs < 1 || runs > 16) {
        fprintf(stderr, "usage: bench_graph [TWINS>=1000] [RUNS 1..16]\n");
        return 2;
    }
    /* Run 1 measures memory: counting allocator and resident set. */
    memset(&cnt, 0, sizeof cnt);
    memset(&alloc, 0, sizeof alloc);
    alloc.size = sizeof alloc;
    alloc.alloc = c_alloc;
    alloc.realloc = c_realloc;
    alloc.free = c_free;
    alloc.ud = &cnt;
    twin_graph_options_init(&o);
    o.alloc = &alloc;

    for (int r = 0; r < runs; r++) {
        twin_graph *g;
        if (r == 0) rss0 = proc_status_kb("VmRSS:");
        if (twin_graph_create(&g, r == 0 ? &o : NULL) != TWIN_OK) return 1;
        build(g, n, &tw, &tr);
        build_s[r] = tw + tr;
        if (r == 0) {
            hwm = proc_status_kb("VmHWM:");
            peak_alloc = cnt.peak;
            if (twin_graph_twin_count(g) != n || twin_graph_relationship_count(g) != 3ull * n) {
                fprintf(stderr, "bench_graph: wrong counts\n");
                return 1;
            }
            printf("run 1: twins %.3f s, relationships %.3f s, allocator calls %lu\n",
                   tw, tr, cnt.calls);
            /* Lookups: random existing ids, prepared before timing. */
            keys = malloc((size_t)nlook * 21);
            if (!keys) return 1;
            for (unsigned i = 0; i < nlook; i++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                twin_name(keys + (size_t)i * 21, (unsigned)(x % n));
            }
            look_s = bench_now_s();
            for (unsigned i = 0; i < nlook; i++) {
                const char *model;
                found += twin_graph_find_twin(g, keys + (size_t)i * 21, &model) == TWIN_OK;
            }
            look_s = bench_now_s() - look_s;
            free(keys);
            if (found != nlook) {
                fprintf(stderr, "bench_graph: %llu of %u lookups found\n", found, nlook);
                return 1;
            }
        } else {
            printf("run %d: twins %.3f s, relationships %.3f s\n", r + 1, tw, tr);
        }
        twin_graph_destroy(g);
        if (r == 0 && cnt.live != 0) {
            fprintf(stderr, "bench_graph: %zu bytes leaked\n", cnt.live);
            return 1;
        }
    }
    qsort(build_s, (size_t)runs, sizeof build_s[0], bench_cmp_double);
    {
        double med = build_s[runs / 2];
        double rss_per = hwm > rss0 ? (double)(hwm - rss0) / n : 0;
        double alloc_per = (double)peak_alloc / n;
        double per_twin = rss_per > alloc_per ? rss_per : alloc_per;
        printf("\n%-34s %14s\n", "graph benchmark", "value");
        printf("%-34s %14u\n", "twins", n);
        printf("%-34s %14llu\n", "relationships", 3ull * n);
        printf("%-34s %14.3f  (median of %d runs, target < 1.5)\n", "build time [s]", med, runs);
        printf("%-34s %14.1f\n", "allocator peak [bytes/twin]", alloc_per);
        printf("%-34s %14.1f\n", "resident set growth [bytes/twin]", rss_per);
        printf("%-34s %14.0f\n", "lookups [1/s]", nlook / look_s);
        printf("\nbench: graph_build_s %.3f s\n", med);
        printf("bench: graph_bytes_per_twin %.1f bytes\n", per_twin);
        printf("bench: graph_lookups_per_s %.0f 1/s\n", nlook / look_s);
    }
    return 0;
}
