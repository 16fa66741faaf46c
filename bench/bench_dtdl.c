/* DTDL benchmark: parse and resolve a whole model set, by default the
 * RealEstateCore ontology (../shared/corpus/dtdl/realestatecore beside the
 * source tree: 767 files, one Interface each, every file starting with a
 * UTF-8 byte-order mark).
 *
 * Every *.json file under the directory (recursively, in path order) is read
 * into memory first, byte for byte (BOM included). One run is then:
 * twin_models_create, twin_models_add of each file (source: its path),
 * twin_models_resolve, a few lookups that prove the set resolved (as many
 * Interfaces as files; on RealEstateCore, Room's inherited contents), and
 * twin_models_destroy. Runs use the C library's allocator (opts.alloc NULL)
 * and cJSON's default hooks, as a host would. After an untimed warm-up run,
 * RUNS runs are timed; the figure is the median of the whole run, with the
 * median of each phase beside it.
 *
 * Memory is measured in one more run, before the timed ones, that is
 * instrumented:
 *   - the handle's heap through a counting ::twin_allocator (live bytes and
 *     their peak; the library passes the size back on free and realloc, so
 *     the count is exact and needs no block header);
 *   - cJSON's own allocations, which go through its global hooks and not
 *     through the handle's allocator: when this program is linked with the
 *     host's cJSON (HAVE_CJSON), it installs counting hooks with
 *     cJSON_InitHooks() for that run only (the host may set cJSON's global
 *     hooks; the library never does). Those hooks keep a size header in each
 *     block, not counted. If the library does not reach cJSON through the
 *     host's copy, the hooks see no allocation and the figure says so.
 * The peak reported is that of the sum of both (live at the same moment).
 * That run also checks everything: every Interface found by its DTMI, and
 * that closing the set frees every byte it allocated.
 *
 * Then one wide Interface (20000 Telemetries in one document) is added
 * and resolved 11 times: dtdl_wide_ms, its median, watches that long
 * contents lists stay linear (the test of that counts allocations).
 *
 * Prints a table and lines "bench: NAME VALUE UNIT" (1 KiB = 1024 bytes).
 * Usage: bench_dtdl [DIR [RUNS]]   (RUNS default 21)
 * Exit status 77 (skipped) when DIR does not exist, unless CI=true: then 1. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <twin/twin.h>
#include <twin/dtdl.h>

#include "bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifdef HAVE_CJSON
#include <cjson/cJSON.h>
#endif

#ifndef DTDL_CORPUS_DIR
#define DTDL_CORPUS_DIR "../shared/corpus/dtdl/realestatecore"
#endif

enum { DEFAULT_RUNS = 21, MAX_RUNS = 1001, WIDE_CONTENTS = 20000 };

#define ROOM "dtmi:digitaltwins:rec_3_3:core:Room;1"
#define SPACE "dtmi:digitaltwins:rec_3_3:core:Space;1"

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bench_dtdl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

typedef struct timing {
    double med, min;
} timing;

static timing summarize(const double *v, int n)
{
    double s[MAX_RUNS];
    timing t;
    memcpy(s, v, (size_t)n * sizeof *s);
    t.med = bench_median(s, n);
    t.min = s[0];
    return t;
}

/* ---- the corpus, in memory ---- */

typedef struct doc {
    char *path;
    char *text;
    size_t len;
} doc;

typedef struct corpus {
    doc *v;
    size_t n, cap;
    size_t bytes, boms;
} corpus;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    long n;
    char *buf;
    if (!fp) fail("%s: %s", path, strerror(errno));
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0)
        fail("%s: cannot seek: %s", path, strerror(errno));
    buf = malloc((size_t)n + 1);
    if (!buf) fail("out of memory");
    if (fread(buf, 1, (size_t)n, fp) != (size_t)n) fail("%s: short read", path);
    fclose(fp);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static void walk(corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) fail("%s: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        size_t n;
        char *p;
        if (e->d_name[0] == '.') continue;
        n = strlen(dir) + strlen(e->d_name) + 2;
        p = malloc(n);
        if (!p) fail("out of memory");
        snprintf(p, n, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0) fail("%s: %s", p, strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            walk(c, p);
            free(p);
        } else if (S_ISREG(st.st_mode) && ends_with(p, ".json")) {
            if (c->n == c->cap) {
                c->cap = c->cap ? 2 * c->cap : 1024;
                c->v = realloc(c->v, c->cap * sizeof *c->v);
                if (!c->v) fail("out of memory");
            }
            c->v[c->n].path = p;
            c->n++;
        } else {
            free(p);
        }
    }
    closedir(d);
}

static int cmp_doc(const void *x, const void *y)
{
    return strcmp(((const doc *)x)->path, ((const doc *)y)->path);
}

static void load(corpus *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    walk(c, dir);
    if (c->n == 0) fail("no .json file under %s", dir);
    qsort(c->v, c->n, sizeof *c->v, cmp_doc);
    for (size_t i = 0; i < c->n; i++) {
        doc *d = &c->v[i];
        d->text = read_all(d->path, &d->len);
        c->bytes += d->len;
        if (d->len >= 3 && memcmp(d->text, "\xEF\xBB\xBF", 3) == 0) c->boms++;
    }
}

/* ---- counting allocators ---- */

typedef struct counter {
    size_t live, peak;   /* bytes */
    size_t blocks;       /* live blocks */
    size_t allocs;       /* allocations made (realloc counts as one) */
    int underflow;       /* a free or realloc gave back more than was live */
} counter;

/* Live bytes of the handle and of cJSON, and the peak of their sum. */
static struct {
    counter twin, cjson;
    size_t both_peak;
} mem;

static void note(counter *c, size_t add, size_t sub)
{
    size_t both;
    if (sub > c->live + add) c->underflow = 1;
    c->live = c->live + add - sub;
    if (c->live > c->peak) c->peak = c->live;
    both = mem.twin.live + mem.cjson.live;
    if (both > mem.both_peak) mem.both_peak = both;
}

static void *count_alloc(void *ud, size_t n)
{
    void *p = malloc(n);
    (void)ud;
    if (p) {
        mem.twin.blocks++;
        mem.twin.allocs++;
        note(&mem.twin, n, 0);
    }
    return p;
}

static void *count_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    void *q = realloc(p, new_n);
    (void)ud;
    if (q) {
        mem.twin.allocs++;
        note(&mem.twin, new_n, old_n);
    }
    return q;
}

static void count_free(void *ud, void *p, size_t n)
{
    (void)ud;
    if (mem.twin.blocks == 0) mem.twin.underflow = 1;
    else mem.twin.blocks--;
    note(&mem.twin, 0, n);
    free(p);
}

static const twin_allocator counting_allocator = {
    sizeof(twin_allocator), 0, count_alloc, count_realloc, count_free, NULL
};

#ifdef HAVE_CJSON
/* cJSON's free gives no size: keep it in a header, aligned for any type. */
typedef union cjson_header {
    size_t n;
    max_align_t align_;
} cjson_header;

static void *cjson_count_malloc(size_t n)
{
    cjson_header *h = malloc(sizeof *h + n);
    if (!h) return NULL;
    h->n = n;
    mem.cjson.blocks++;
    mem.cjson.allocs++;
    note(&mem.cjson, n, 0);
    return h + 1;
}

static void cjson_count_free(void *p)
{
    cjson_header *h;
    if (!p) return;
    h = (cjson_header *)p - 1;
    if (mem.cjson.blocks == 0) mem.cjson.underflow = 1;
    else mem.cjson.blocks--;
    note(&mem.cjson, 0, h->n);
    free(h);
}
#endif

/* ---- one run ---- */

typedef struct run_times {
    double add, resolve, lookup, close, total;  /* ms; add includes open */
} run_times;

typedef struct set_figures {
    size_t interfaces;
    size_t room_contents;  /* 0 when Room is not in the set */
} set_figures;

static void print_diags(const twin_models *m)
{
    size_t n = twin_models_diag_count(m);
    for (size_t i = 0; i < n && i < 10; i++) {
        const twin_dtdl_diag *d = twin_models_diag(m, i);
        if (!d) break;
        fprintf(stderr, "  %s:%u:%u: %s: %s (at '%s')\n", d->source, (unsigned)d->line,
                (unsigned)d->column, d->code, d->message, d->pointer);
    }
    if (n > 10) fprintf(stderr, "  ... and %zu more\n", n - 10);
}

/* The lookups of every run: the count, and on RealEstateCore Room's
 * contents, all inherited from Space (depth first through `extends`). */
static set_figures lookups(const twin_models *m, size_t files)
{
    set_figures f = {0, 0};
    const twin_dtdl_elem *room, *space;
    f.interfaces = twin_models_interface_count(m);
    if (f.interfaces != files)
        fail("%zu interfaces after resolve, expected %zu (one per file)", f.interfaces, files);
    room = twin_models_find(m, ROOM);
    if (room) {
        space = twin_models_find(m, SPACE);
        f.room_contents = twin_dtdl_count(room, TWIN_DTDL_CONTENTS);
        if (!space || !twin_dtdl_is_a(room, space)) fail("%s does not extend %s", ROOM, SPACE);
        if (f.room_contents == 0 || f.room_contents != twin_dtdl_count(space, TWIN_DTDL_CONTENTS))
            fail("%s has %zu contents, %s %zu", ROOM, f.room_contents, SPACE,
                 twin_dtdl_count(space, TWIN_DTDL_CONTENTS));
        if (twin_dtdl_kind_of(twin_dtdl_content(room, "hasPart")) != TWIN_DTDL_RELATIONSHIP ||
            twin_dtdl_kind_of(twin_dtdl_content(room, "temperature")) != TWIN_DTDL_COMPONENT)
            fail("%s: inherited contents hasPart and temperature not found", ROOM);
    }
    return f;
}

/* Every Interface is found by its DTMI (the instrumented run only). */
static void check_all(const twin_models *m)
{
    size_t n = twin_models_interface_count(m);
    for (size_t i = 0; i < n; i++) {
        const twin_dtdl_elem *e = twin_models_interface(m, i);
        const char *id = twin_dtdl_id(e);
        if (twin_dtdl_kind_of(e) != TWIN_DTDL_INTERFACE)
            fail("interface %zu is not an Interface", i);
        if (twin_models_find(m, id) != e) fail("%s is not found by its DTMI", id);
    }
}

static twin_models *open_set(const twin_allocator *alloc)
{
    twin_models_options o;
    twin_models *m = NULL;
    twin_status s = twin_models_options_init(&o);
    if (s != TWIN_OK) fail("twin_models_options_init: %s", twin_strerror(s));
    o.alloc = alloc;
    s = twin_models_create(&m, &o);
    if (s != TWIN_OK) fail("twin_models_create: %s", twin_strerror(s));
    return m;
}

static void add_all(twin_models *m, const corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        twin_status s = twin_models_add(m, c->v[i].text, c->v[i].len, c->v[i].path);
        if (s != TWIN_OK) {
            fprintf(stderr, "bench_dtdl: %s: %s\n", c->v[i].path, twin_strerror(s));
            print_diags(m);
            exit(1);
        }
    }
}

static void resolve(twin_models *m)
{
    twin_status s = twin_models_resolve(m);
    if (s != TWIN_OK) {
        fprintf(stderr, "bench_dtdl: twin_models_resolve: %s\n", twin_strerror(s));
        print_diags(m);
        exit(1);
    }
}

static set_figures timed_run(const corpus *c, run_times *t)
{
    double t0 = bench_now_s() * 1e3, t1, t2, t3, t4;
    twin_models *m = open_set(NULL);
    set_figures f;
    add_all(m, c);
    t1 = bench_now_s() * 1e3;
    resolve(m);
    t2 = bench_now_s() * 1e3;
    f = lookups(m, c->n);
    t3 = bench_now_s() * 1e3;
    twin_models_destroy(m);
    t4 = bench_now_s() * 1e3;
    t->add = t1 - t0;
    t->resolve = t2 - t1;
    t->lookup = t3 - t2;
    t->close = t4 - t3;
    t->total = t4 - t0;
    return f;
}

typedef struct mem_figures {
    size_t twin_peak, cjson_peak, both_peak;      /* over open, add and resolve */
    size_t add_peak;                              /* both, over open and add */
    size_t resolved_live, resolved_blocks;        /* the handle, after resolve */
    size_t cjson_live_after;                      /* cJSON, after resolve */
    size_t twin_allocs, cjson_allocs;
    int cjson_counted;  /* the hooks are installed */
} mem_figures;

static mem_figures measured_run(const corpus *c)
{
    mem_figures r;
    twin_models *m;
    memset(&r, 0, sizeof r);
    memset(&mem, 0, sizeof mem);
#ifdef HAVE_CJSON
    {
        cJSON_Hooks h = {cjson_count_malloc, cjson_count_free};
        cJSON_InitHooks(&h);
        r.cjson_counted = 1;
    }
#endif
    m = open_set(&counting_allocator);
    add_all(m, c);
    r.add_peak = mem.both_peak;
    resolve(m);
    r.twin_peak = mem.twin.peak;
    r.cjson_peak = mem.cjson.peak;
    r.both_peak = mem.both_peak;
    r.resolved_live = mem.twin.live;
    r.resolved_blocks = mem.twin.blocks;
    r.cjson_live_after = mem.cjson.live;
    r.twin_allocs = mem.twin.allocs;
    r.cjson_allocs = mem.cjson.allocs;
    lookups(m, c->n);
    check_all(m);
    twin_models_destroy(m);
#ifdef HAVE_CJSON
    cJSON_InitHooks(NULL);  /* back to malloc and free for the timed runs */
#endif
    if (mem.twin.underflow) fail("the handle freed more bytes than it allocated");
    if (mem.twin.live != 0 || mem.twin.blocks != 0)
        fail("twin_models_destroy left %zu bytes in %zu blocks allocated", mem.twin.live,
             mem.twin.blocks);
    if (mem.cjson.underflow || mem.cjson.live != 0 || mem.cjson.blocks != 0)
        fail("cJSON blocks left allocated after twin_models_destroy: %zu bytes in %zu blocks",
             mem.cjson.live, mem.cjson.blocks);
    return r;
}

/* ---- a wide Interface ---- */

/* One Interface of n Telemetries, added and resolved: the time of
 * contents lists that are long (the duplicate-name checks must stay
 * linear; tests/dtdl/test_dtdl_regress.c counts the allocations). Median
 * of runs runs, in ms. */
static double wide_ms(int n, int runs)
{
    size_t cap = (size_t)n * 80 + 256, used = 0;
    char *b = malloc(cap);
    double v[MAX_RUNS];
    int k;
    if (!b) fail("out of memory");
    used += (size_t)sprintf(b, "{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:x:I;1\","
                               "\"@type\":\"Interface\",\"contents\":[");
    for (k = 0; k < n; k++)
        used += (size_t)sprintf(b + used, "%s{\"@type\":\"Telemetry\",\"name\":\"t%d\","
                                          "\"schema\":\"double\"}", k ? "," : "", k);
    used += (size_t)sprintf(b + used, "]}");
    for (k = 0; k < runs; k++) {
        double t0 = bench_now_s() * 1e3;
        twin_models *m = open_set(NULL);
        if (twin_models_add(m, b, used, "wide") != TWIN_OK) fail("wide: add failed");
        resolve(m);
        twin_models_close(m);
        v[k] = bench_now_s() * 1e3 - t0;
    }
    free(b);
    return bench_median(v, runs);
}

static double kib(size_t n)
{
    return (double)n / 1024.0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : DTDL_CORPUS_DIR;
    long runs = argc > 2 ? strtol(argv[2], NULL, 10) : DEFAULT_RUNS;
    static double v[5][MAX_RUNS];
    timing tm[5];
    corpus c;
    set_figures f;
    mem_figures mf;
    run_times rt;
    struct stat st;
    const char *ci = getenv("CI");
    size_t peak_kb_of;
    double wide;

    if (argc > 3 || runs < 1 || runs >= MAX_RUNS) {
        fprintf(stderr, "usage: bench_dtdl [DIR [RUNS 1..%d]]   (default %s, %d runs)\n",
                MAX_RUNS - 1, DTDL_CORPUS_DIR, DEFAULT_RUNS);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (ci && strcmp(ci, "true") == 0) {
            fprintf(stderr, "bench_dtdl: corpus directory %s not found (CI=true: failing)\n",
                    dir);
            return 1;
        }
        printf("bench_dtdl: skipped: corpus directory %s not found (RealEstateCore: "
               "../shared/corpus/dtdl/realestatecore beside the source tree)\n",
               dir);
        return 77;
    }

    load(&c, dir);
    printf("dtdl: %zu files, %zu bytes (%zu starting with a UTF-8 BOM, passed as they are) "
           "under %s\n",
           c.n, c.bytes, c.boms, dir);
    printf("libtwin %s; one run: open, add each file, resolve, lookups, close\n",
           twin_version());

    /* Instrumented run first: it checks the set and counts its memory. */
    mf = measured_run(&c);

    /* Warm-up, then the timed runs (C library allocator, cJSON's defaults). */
    f = timed_run(&c, &rt);
    for (long i = 0; i < runs; i++) {
        timed_run(&c, &rt);
        v[0][i] = rt.add;
        v[1][i] = rt.resolve;
        v[2][i] = rt.lookup;
        v[3][i] = rt.close;
        v[4][i] = rt.total;
    }
    for (int k = 0; k < 5; k++) tm[k] = summarize(v[k], (int)runs);

    printf("resolved: %zu interfaces", f.interfaces);
    if (f.room_contents)
        printf("; %s has %zu contents, all inherited from Space", ROOM, f.room_contents);
    printf("\n\n%ld runs after a warm-up run (C library allocator)\n", runs);
    printf("%-34s %11s %11s\n", "phase", "median ms", "min ms");
    printf("%-34s %11.3f %11.3f\n", "open + add (parse, check)", tm[0].med, tm[0].min);
    printf("%-34s %11.3f %11.3f\n", "resolve", tm[1].med, tm[1].min);
    printf("%-34s %11.3f %11.3f\n", "lookups", tm[2].med, tm[2].min);
    printf("%-34s %11.3f %11.3f\n", "close", tm[3].med, tm[3].min);
    printf("%-34s %11.3f %11.3f\n", "whole run", tm[4].med, tm[4].min);
    printf("%-34s %11.1f %11s\n", "  per file (us)", tm[4].med * 1e3 / (double)c.n, "");
    printf("%-34s %11.1f %11s\n", "  MB/s of input", (double)c.bytes / 1e3 / tm[4].med, "");

    printf("\nmemory, one instrumented run                  KiB   allocations\n");
    printf("%-40s %11.1f %11zu\n", "handle (twin_allocator), peak", kib(mf.twin_peak),
           mf.twin_allocs);
    if (mf.cjson_counted && mf.cjson_allocs > 0) {
        printf("%-40s %11.1f %11zu\n", "cJSON (cJSON_InitHooks), peak", kib(mf.cjson_peak),
               mf.cjson_allocs);
        printf("%-40s %11.1f\n", "together, peak during open + add", kib(mf.add_peak));
        printf("%-40s %11.1f\n", "together, peak (dtdl_rec_peak_kb)", kib(mf.both_peak));
    } else if (mf.cjson_counted) {
        printf("cJSON: the hooks saw no allocation: the library does not allocate through the\n"
               "host's cJSON, so its JSON trees, if any, are not counted: dtdl_rec_peak_kb is\n"
               "the handle's peak alone\n");
    } else {
        printf("cJSON: not counted (bench_dtdl built without the host's cJSON): dtdl_rec_peak_kb\n"
               "is the handle's peak alone\n");
    }
    printf("%-40s %11.1f %11zu blocks\n", "resolved set, live after resolve",
           kib(mf.resolved_live), mf.resolved_blocks);
    if (mf.cjson_live_after)
        printf("%-40s %11.1f\n", "  + cJSON, live after resolve", kib(mf.cjson_live_after));
    printf("%-40s %11.1f\n", "  per interface (bytes)",
           (double)mf.resolved_live / (double)f.interfaces);
    printf("close freed every byte the handle allocated\n");

    wide = wide_ms(WIDE_CONTENTS, 11);
    printf("\none Interface of %d Telemetries, add + resolve: %.3f ms (median of 11)\n",
           WIDE_CONTENTS, wide);

    peak_kb_of = mf.cjson_allocs > 0 ? mf.both_peak : mf.twin_peak;
    printf("\nbench: dtdl_rec_parse_ms %.3f ms\n", tm[4].med);
    printf("bench: dtdl_rec_parse_min_ms %.3f ms\n", tm[4].min);
    printf("bench: dtdl_rec_peak_kb %.1f KiB\n", kib(peak_kb_of));
    printf("bench: dtdl_rec_resolved_kb %.1f KiB\n", kib(mf.resolved_live + mf.cjson_live_after));
    printf("bench: dtdl_wide_ms %.3f ms\n", wide);

    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].path);
        free(c.v[i].text);
    }
    free(c.v);
    return 0;
}
