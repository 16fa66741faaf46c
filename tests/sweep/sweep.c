/* The sweep's driver: see sweep.h. */
#include "sweep.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/graphsnap.h"
#include "support/run.h"

#define MAX_N 200000u

/* ---- the C library's allocator, wrapped (-Wl,--wrap=malloc,...) ---- */

failalloc *sw_libc_plan;
int sw_test_code;
int sw_fail_line;

/* Allocations of the test's own code (the failalloc's table, the memstore,
 * Check) never fail: they run with sw_test_code raised. */
#define LIBC_FAILS() (sw_libc_plan && !sw_test_code && failalloc_should_fail(sw_libc_plan))

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
    if (LIBC_FAILS()) return NULL;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    if (LIBC_FAILS()) return NULL;
    return __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (LIBC_FAILS()) return NULL;
    return __real_realloc(p, n);
}

/* ---- text buffer ---- */

void sw_printf(sw_buf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        ck_assert(k >= 0);
        if (b->p && (size_t)k < room) break;
        b->cap = (b->cap + (size_t)k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert(b->p != NULL);
    }
    b->n += (size_t)k;
}

void sw_buf_free(sw_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- the failalloc and the memstore, seen as test code ---- */

static void *(*fa_alloc0)(void *, size_t);
static void *(*fa_realloc0)(void *, void *, size_t, size_t);
static void (*fa_free0)(void *, void *, size_t);

static void *px_alloc(void *ud, size_t n)
{
    void *p;
    sw_test_code++;
    p = fa_alloc0(ud, n);
    sw_test_code--;
    return p;
}

static void *px_realloc(void *ud, void *p, size_t o, size_t n)
{
    void *q;
    sw_test_code++;
    q = fa_realloc0(ud, p, o, n);
    sw_test_code--;
    return q;
}

static void px_free(void *ud, void *p, size_t n)
{
    sw_test_code++;
    fa_free0(ud, p, n);
    sw_test_code--;
}

void sw_failalloc_init(failalloc *fa)
{
    failalloc_init(fa);
    fa_alloc0 = fa->alloc.alloc;
    fa_realloc0 = fa->alloc.realloc;
    fa_free0 = fa->alloc.free;
    fa->alloc.alloc = px_alloc;
    fa->alloc.realloc = px_realloc;
    fa->alloc.free = px_free;
}

static twin_store_callbacks ms_cb;

#define PX(call)                                                                         \
    do {                                                                                 \
        twin_status s_;                                                                  \
        sw_test_code++;                                                                  \
        s_ = (call);                                                                     \
        sw_test_code--;                                                                  \
        return s_;                                                                       \
    } while (0)

static twin_status px_write(void *ud, const twin_signal_sample *s, size_t n)
{
    PX(ms_cb.write_samples(ud, s, n));
}
static twin_status px_signal(void *ud, const twin_store_signal *sig)
{
    PX(ms_cb.put_signal(ud, sig));
}
static twin_status px_twin(void *ud, const char *t, const char *m, const twin_member *p, size_t n)
{
    PX(ms_cb.put_twin(ud, t, m, p, n));
}
static twin_status px_deltwin(void *ud, const char *t)
{
    PX(ms_cb.delete_twin(ud, t));
}
static twin_status px_rel(void *ud, const twin_relationship *r)
{
    PX(ms_cb.put_relationship(ud, r));
}
static twin_status px_delrel(void *ud, const char *s, const char *r)
{
    PX(ms_cb.delete_relationship(ud, s, r));
}
static twin_status px_health(void *ud, twin_signal sig, const twin_health *h)
{
    PX(ms_cb.put_health(ud, sig, h));
}
static twin_status px_flush(void *ud)
{
    PX(ms_cb.flush(ud));
}

void sw_memstore_callbacks(sw_ctx *c, twin_store_callbacks *cb)
{
    memstore_init(&c->ms, 1);
    c->has_ms = 1;
    memstore_callbacks(&c->ms, &ms_cb);
    *cb = ms_cb;
    cb->write_samples = px_write;
    cb->put_signal = px_signal;
    cb->put_twin = px_twin;
    cb->delete_twin = px_deltwin;
    cb->put_relationship = px_rel;
    cb->delete_relationship = px_delrel;
    cb->put_health = px_health;
    cb->flush = ms_cb.flush ? px_flush : NULL;
}

/* ---- common state ---- */

#define ASSERT_G(c, call)                                                                \
    do {                                                                                 \
        twin_status s_ = (call);                                                         \
        ck_assert_msg(s_ == TWIN_OK, "%s: %d %s", #call, s_,                             \
                      twin_graph_last_error((c)->g)->message);                           \
    } while (0)

void sw_graph(sw_ctx *c)
{
    twin_member m[2];
    c->g = graph_new(&c->fa->alloc);
    m[0].name = "speed";
    m[0].value = twin_value_double(3.5);
    m[1].name = "tag";
    m[1].value = twin_value_string("P-1");
    ASSERT_G(c, twin_graph_add_twin(c->g, "pump1", "dtmi:t:Pump;1", m, 2));
    ASSERT_G(c, twin_graph_add_twin(c->g, "pump2", "dtmi:t:Pump;1", m, 1));
    ASSERT_G(c, twin_graph_add_twin(c->g, "motor1", "dtmi:t:Motor;1", NULL, 0));
    ASSERT_G(c, twin_graph_add_relationship(c->g, "pump1", "r1", "feeds", "pump2", m, 1));
    ASSERT_G(c, twin_graph_add_relationship(c->g, "motor1", "r2", "drives", "pump1", NULL, 0));
}

void sw_graph_big(sw_ctx *c)
{
    char id[32], prev[32], rel[32];
    sw_graph(c);
    for (int i = 0; i < 70; i++) {
        twin_member m;
        m.name = i % 2 ? "speed" : "load";
        m.value = twin_value_double(i);
        snprintf(id, sizeof id, "n%d", i);
        ASSERT_G(c, twin_graph_add_twin(c->g, id, i % 3 ? "dtmi:t:Pump;1" : "dtmi:t:Motor;1",
                                        &m, 1));
        if (i) {
            snprintf(rel, sizeof rel, "e%d", i);
            ASSERT_G(c, twin_graph_add_relationship(c->g, prev, rel, i % 4 ? "feeds" : "drives",
                                                    id, NULL, 0));
        }
        memcpy(prev, id, sizeof id);
    }
    ASSERT_G(c, twin_graph_add_relationship(c->g, "motor1", "e0", "drives", "n0", NULL, 0));
}

void sw_store_ingest(sw_ctx *c)
{
    twin_store_options so;
    twin_store_callbacks cb;
    twin_ingest_options io;
    if (!c->g) sw_graph(c);
    sw_memstore_callbacks(c, &cb);
    twin_store_options_init(&so);
    so.alloc = &c->fa->alloc;
    so.callbacks = &cb;
    ck_assert_int_eq(twin_store_create(&c->st, c->g, &so), TWIN_OK);
    twin_ingest_options_init(&io);
    io.alloc = &c->fa->alloc;
    io.store = c->st;
    ck_assert_int_eq(twin_ingest_create(&c->ing, c->g, &io), TWIN_OK);
}

void sw_signal(sw_ctx *c)
{
    twin_signal_options o;
    if (!c->ing) sw_store_ingest(c);
    twin_signal_options_init(&o);
    o.unit = "degreeCelsius";
    o.history = 16;
    ck_assert_int_eq(twin_ingest_add_signal(c->ing, "pump1", "flow", &o, &c->sig), TWIN_OK);
    for (int i = 0; i < 5; i++) {
        twin_signal_sample s;
        s.signal = c->sig;
        s.t_us = 1000000 * (int64_t)(i + 1);
        s.value = 10.0 + i;
        ck_assert_int_eq(twin_ingest_write_signals(c->ing, &s, 1, NULL, NULL), TWIN_OK);
    }
    ck_assert_int_eq(twin_store_flush(c->st), TWIN_OK);
}

static twin_status bytes_out(void *ud, const void *buf, size_t n)
{
    sw_buf *b = ud;
    const unsigned char *p = buf;
    for (size_t i = 0; i < n; i++) sw_printf(b, "%02x", p[i]);
    return TWIN_OK;
}

static twin_status rel_out(void *ud, const twin_scenario_rel *r)
{
    sw_printf(ud, " %s/%s:%s->%s", r->source_id, r->id, r->name, r->target_id);
    return TWIN_OK;
}

void sw_observe_scenario(twin_scenario *sc, const char *tag, sw_buf *b)
{
    static const char *const ids[] = {"pump1", "pump2", "motor1", "new1", NULL};
    sw_printf(b, "%s twins=%zu\n", tag, twin_scenario_twin_count(sc));
    for (size_t i = 0; ids[i]; i++) {
        const char *model = NULL;
        const twin_value *v = NULL;
        char vb[128];
        twin_status s = twin_scenario_find_twin(sc, ids[i], &model);
        sw_printf(b, "%s %s %d %s", tag, ids[i], s, s == TWIN_OK ? model : "-");
        if (s == TWIN_OK && twin_scenario_get_property(sc, ids[i], "speed", &v) == TWIN_OK)
            sw_printf(b, " speed=%s", value_str(v, 1, vb, sizeof vb));
        if (s == TWIN_OK)
            twin_scenario_relationships(sc, ids[i], TWIN_DIRECTION_OUTGOING, NULL, rel_out, b);
        sw_printf(b, "\n");
    }
}

void sw_observe(const sw_tables *t, sw_ctx *c, sw_buf *b)
{
    if (c->g) {
        snap s;
        snap_take(&s, c->g);
        for (size_t i = 0; i < s.n; i++) sw_printf(b, "%s\n", s.lines[i]);
        snap_free(&s);
    }
    if (c->g && c->ing) {
        twin_ingest_stats is;
        uint64_t cur = 0;
        twin_signal h;
        sw_printf(b, "snapshot ");
        ck_assert_int_eq(twin_snapshot_save(c->g, c->ing, bytes_out, b), TWIN_OK);
        sw_printf(b, "\nsignals %zu\n", twin_ingest_signal_count(c->ing));
        while (twin_ingest_signals_next(c->ing, &cur, &h) == TWIN_OK) {
            const char *tw, *nm, *un;
            int64_t tl = 0;
            double v = 0;
            twin_status s = twin_ingest_get_latest(c->ing, h, &tl, &v);
            ck_assert_int_eq(twin_ingest_signal_info(c->ing, h, &tw, &nm, &un), TWIN_OK);
            sw_printf(b, "sig %s %s %s latest %d %lld %a\n", tw, nm, un ? un : "-", s,
                      (long long)tl, v);
        }
        cur = 0;
        {
            twin_source src;
            while (twin_ingest_sources_next(c->ing, &cur, &src) == TWIN_OK) {
                twin_ingest_source_info si;
                memset(&si, 0, sizeof si);
                si.size = sizeof si;
                ck_assert_int_eq(twin_ingest_get_source(c->ing, src, &si, NULL), TWIN_OK);
                sw_printf(b, "source %u %s signals %llu pairs %llu corrected %llu\n",
                          (unsigned)src, si.name, (unsigned long long)si.signals,
                          (unsigned long long)si.pairs, (unsigned long long)si.corrected);
            }
        }
        memset(&is, 0, sizeof is);
        is.size = sizeof is;
        ck_assert_int_eq(twin_ingest_get_stats(c->ing, 0, &is), TWIN_OK);
        sw_printf(b, "ingest stats accepted %llu signals %llu\n",
                  (unsigned long long)is.outcomes[0], (unsigned long long)is.signals);
    }
    if (c->st) {
        twin_store_stats ss;
        memset(&ss, 0, sizeof ss);
        ss.size = sizeof ss;
        ck_assert_int_eq(twin_store_get_stats(c->st, &ss), TWIN_OK);
        sw_printf(b, "store pending %llu/%llu confirmed %llu busy %d\n",
                  (unsigned long long)ss.pending_records, (unsigned long long)ss.pending_samples,
                  (unsigned long long)ss.confirmed_samples, ss.busy);
    }
    if (c->has_ms) sw_printf(b, "memstore %zu committed %zu\n", c->ms.n, c->ms.committed);
    if (c->q) {
        size_t n = twin_impact_count(c->q);
        sw_printf(b, "impact %zu\n", n);
        for (size_t i = 0; i < n; i++) {
            twin_impact_hit h;
            memset(&h, 0, sizeof h);
            h.size = sizeof h;
            ck_assert_int_eq(twin_impact_get(c->q, i, &h), TWIN_OK);
            sw_printf(b, "hit %s %u %a\n", h.twin_id, h.depth, h.score);
        }
    }
    if (c->m) {
        size_t n = twin_models_interface_count(c->m);
        /* not the diagnostics: they describe the last add or resolve call,
           failed ones included */
        sw_printf(b, "models %zu\n", n);
        for (size_t i = 0; i < n; i++)
            sw_printf(b, "iface %s\n", twin_dtdl_id(twin_models_interface(c->m, i)));
    }
    if (c->sc) sw_observe_scenario(c->sc, "sc", b);
    if (c->sc2) sw_observe_scenario(c->sc2, "sc2", b);
    if (c->r) sw_printf(b, "result %zu\n", twin_scenario_result_count(c->r));
    if (c->r2) sw_printf(b, "result2 %zu\n", twin_scenario_result_count(c->r2));
    if (c->hp) {
        twin_health_predictor_info in;
        memset(&in, 0, sizeof in);
        in.size = sizeof in;
        ck_assert_int_eq(twin_health_predictor_get_info(c->hp, &in, NULL), TWIN_OK);
        sw_printf(b, "predictor %u trees %u bytes %llu\n", in.nsensors, in.trees,
                  (unsigned long long)in.bytes);
    }
    sw_printf(b, "align %s\n", c->al ? "yes" : "no");
    if (t->ext_observe) t->ext_observe(c, b);
}

void sw_teardown(const sw_tables *t, sw_ctx *c)
{
    twin_scenario_result_destroy(c->r);
    twin_scenario_result_destroy(c->r2);
    twin_scenario_destroy(c->sc2);
    twin_scenario_destroy(c->sc);
    twin_impact_destroy(c->q);
    twin_ingest_destroy(c->ing);
    twin_store_destroy(c->st);
    if (t->ext_teardown) t->ext_teardown(c);  /* after the handles that call into it */
    twin_graph_destroy(c->g);
    twin_models_destroy(c->m);
    twin_align_destroy(c->al);
    twin_health_predictor_destroy(c->hp);
    if (c->has_ms) memstore_fini(&c->ms);
    free(c->aux);
    memset(c, 0, sizeof *c);
}

/* ---- the tables ---- */

static const sw_tables *tabs;
static char **maps;
static int nmaps;

static size_t count_cases(void)
{
    size_t n = 0;
    for (size_t a = 0; tabs->cases[a]; a++)
        for (size_t i = 0; tabs->cases[a][i].name; i++) n++;
    return n;
}

static const sw_case *case_at(size_t k)
{
    for (size_t a = 0; tabs->cases[a]; a++)
        for (size_t i = 0; tabs->cases[a][i].name; i++)
            if (k-- == 0) return &tabs->cases[a][i];
    return NULL;
}

static size_t count_noalloc(void)
{
    size_t n = 0;
    for (size_t a = 0; tabs->noalloc[a]; a++)
        for (size_t i = 0; tabs->noalloc[a][i].covers; i++) n++;
    return n;
}

static const sw_noalloc *noalloc_at(size_t k)
{
    for (size_t a = 0; tabs->noalloc[a]; a++)
        for (size_t i = 0; tabs->noalloc[a][i].covers; i++)
            if (k-- == 0) return &tabs->noalloc[a][i];
    return NULL;
}

/* 1 when @p name is a word of the space-separated @p list. */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}

static int covered(const char *name)
{
    for (size_t k = 0, n = count_cases(); k < n; k++)
        if (in_list(case_at(k)->covers, name)) return 1;
    for (size_t k = 0, n = count_noalloc(); k < n; k++)
        if (in_list(noalloc_at(k)->covers, name)) return 1;
    return 0;
}

static int known_missing(const char *name)
{
    for (size_t i = 0; tabs->known_missing[i]; i++)
        if (strcmp(tabs->known_missing[i], name) == 0) return 1;
    return 0;
}

/* The names of the global: sections of version script @p path, appended to
 * @p b one a line. Returns how many. */
static size_t read_map(const char *path, sw_buf *b)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t n = 0;
    int global = 0;
    ck_assert_msg(f != NULL, "cannot open version script %s", path);
    while (fgets(line, sizeof line, f)) {
        char name[256];
        if (strstr(line, "global:")) global = 1;
        else if (strstr(line, "local:") || strchr(line, '}')) global = 0;
        else if (global && sscanf(line, " %255[A-Za-z0-9_] ;", name) == 1) {
            sw_printf(b, "%s\n", name);
            n++;
        }
    }
    fclose(f);
    return n;
}

START_TEST(test_every_exported_function_is_swept)
{
    sw_buf names = {0}, missing = {0};
    size_t total = 0, nmissing = 0, nknown = 0;
    for (int i = 0; i < nmaps; i++) total += read_map(maps[i], &names);
    ck_assert_msg(total > 10, "too few exported names read (%zu)", total);
    for (char *p = names.p, *e; p && *p; p = e + 1) {
        e = strchr(p, '\n');
        *e = '\0';
        if (covered(p)) {
            ck_assert_msg(!known_missing(p), "%s is covered: drop it from the known-missing list",
                          p);
            continue;
        }
        if (known_missing(p)) {
            nknown++;
            printf("sweep: known missing: %s\n", p);
            continue;
        }
        sw_printf(&missing, " %s", p);
        nmissing++;
    }
    printf("sweep: %zu exported functions, %zu cases, %zu no-allocation entries, "
           "%zu known missing\n", total, count_cases(), count_noalloc(), nknown);
    ck_assert_msg(nmissing == 0, "%zu exported functions have no case:%s", nmissing,
                  missing.p);
    sw_buf_free(&names);
    sw_buf_free(&missing);
}
END_TEST

/* Every name a table covers is exported (no typo hides a gap). */
START_TEST(test_every_covered_name_is_exported)
{
    sw_buf names = {0};
    for (int i = 0; i < nmaps; i++) read_map(maps[i], &names);
    for (size_t k = 0, n = count_cases() + count_noalloc(); k < n; k++) {
        const char *list = k < count_cases() ? case_at(k)->covers
                                             : noalloc_at(k - count_cases())->covers;
        char w[128];
        for (const char *p = list; *p;) {
            size_t l = strcspn(p, " ");
            ck_assert(l < sizeof w);
            memcpy(w, p, l);
            w[l] = '\0';
            if (l) {
                char pat[132];
                snprintf(pat, sizeof pat, "\n%s\n", w);
                ck_assert_msg(strstr(names.p, pat + 1) == names.p || strstr(names.p, pat),
                              "%s is not in the version scripts", w);
            }
            p += l + (p[l] == ' ');
        }
    }
    sw_buf_free(&names);
}
END_TEST

static int status_ok_for(const sw_case *k, twin_status s)
{
    int want = k->fail_status ? k->fail_status : TWIN_E_NOMEM;
    return (int)s == want || (k->fail_status2 && (int)s == k->fail_status2);
}

/* The first differing line of two observations, into why. */
static void first_diff(const sw_buf *a, const sw_buf *b, char *why, size_t cap)
{
    const char *p = a->p ? a->p : "", *q = b->p ? b->p : "";
    const char *lp = p, *lq = q;
    while (*p && *p == *q) {
        if (*p == '\n') {
            lp = p + 1;
            lq = q + 1;
        }
        p++;
        q++;
    }
    snprintf(why, cap, "before: %.200s | after: %.200s", lp, lq);
}

START_TEST(test_case_sweep)
{
    const sw_case *k = case_at((size_t)_i);
    const char *only = getenv("TWIN_SWEEP_ONLY");
    const char *every = getenv("TWIN_SWEEP_STRIDE");
    size_t n, reached = 0, second = 0, tried = 0;
    /* TWIN_SWEEP_STRIDE=k: the first 64 allocations, then every k-th
       (tests/run's sanitizer step: the normal build fails every one) */
    size_t stride = every && atoi(every) > 1 ? (size_t)atoi(every) : 1;
    if (only && *only && !in_list(only, k->name))
        return;  /* TWIN_SWEEP_ONLY="case ...": run those cases alone */
    for (n = 0; n < MAX_N; n += n < 64 ? 1 : stride) {
        failalloc fa;
        sw_ctx c;
        sw_buf before = {0}, after = {0};
        twin_status s;
        int hit;
        memset(&c, 0, sizeof c);
        sw_failalloc_init(&fa);
        c.fa = &fa;
        if (tabs->begin) tabs->begin(&fa);
        if (k->setup) k->setup(&c);
        sw_observe(tabs, &c, &before);
        failalloc_arm(&fa, n);
        sw_libc_plan = &fa;
        s = k->call(&c);
        sw_libc_plan = NULL;
        failalloc_disarm(&fa);
        hit = failalloc_triggered(&fa);
        if (hit && s != TWIN_OK) {
            char why[512];
            reached++;
            second += k->fail_status2 && (int)s == k->fail_status2;
            ck_assert_msg(status_ok_for(k, s), "%s: failing allocation %zu: status %d (%s)",
                          k->name, n, s, twin_strerror(s));
            sw_observe(tabs, &c, &after);
            if (!(before.n == after.n && (before.n == 0 || !memcmp(before.p, after.p, before.n)))) {
                first_diff(&before, &after, why, sizeof why);
                ck_abort_msg("%s: failing allocation %zu changed the state: %s", k->name, n,
                             why);
            }
        } else {
            ck_assert_msg(s == TWIN_OK, "%s: %s allocation %zu: status %d (%s) (check at line %d)",
                          k->name, hit ? "with failing" : "without reaching", n, s,
                          twin_strerror(s), sw_fail_line);
        }
        if (c.after) {
            twin_status a = c.after(&c, s);
            ck_assert_msg(a == TWIN_OK, "%s: failing allocation %zu: the check after the call "
                          "failed at line %d", k->name, n, sw_fail_line);
        }
        sw_buf_free(&before);
        sw_buf_free(&after);
        sw_teardown(tabs, &c);
        if (tabs->end) tabs->end();
        ck_assert_msg(fa.live_bytes == 0 && fa.live_blocks == 0,
                      "%s: failing allocation %zu: leaked %zu bytes in %zu blocks", k->name, n,
                      fa.live_bytes, fa.live_blocks);
        failalloc_fini(&fa);
        tried++;
        if (!hit) break;
        if (s == TWIN_OK && hit) continue;  /* a growth it could do without: go on */
    }
    ck_assert_uint_lt(n, MAX_N);
    printf("sweep: %-36s %5zu allocations failed in turn, %5zu returned the failure", k->name,
           tried - 1, reached);
    if (stride > 1) printf(" (of %zu: stride %zu)", n, stride);
    if (second) printf(" (%zu as %s)", second, twin_strerror((twin_status)k->fail_status2));
    printf("\n");
}
END_TEST

START_TEST(test_noalloc_claim)
{
    const sw_noalloc *k = noalloc_at((size_t)_i);
    failalloc fa;
    sw_ctx c;
    twin_status s;
    size_t calls;
    memset(&c, 0, sizeof c);
    sw_failalloc_init(&fa);
    c.fa = &fa;
    if (tabs->begin) tabs->begin(&fa);
    if (k->setup) k->setup(&c);
    calls = fa.calls;
    failalloc_fail_all(&fa, 1);
    sw_libc_plan = &fa;
    s = k->call(&c);
    sw_libc_plan = NULL;
    failalloc_fail_all(&fa, 0);
    ck_assert_msg(s == TWIN_OK, "%s (no allocation: %s) returned %d (%s) with every "
                  "allocation failing (check at line %d)", k->covers, k->why, s, twin_strerror(s),
                  sw_fail_line);
    ck_assert_msg(fa.calls == calls, "%s (no allocation: %s) asked for memory %zu times",
                  k->covers, k->why, fa.calls - calls);
    sw_teardown(tabs, &c);
    if (tabs->end) tabs->end();
    ck_assert_uint_eq(fa.live_blocks, 0);
    failalloc_fini(&fa);
}
END_TEST

int sw_main(const sw_tables *t, int argc, char **argv)
{
    Suite *s = suite_create("alloc_sweep");
    TCase *tc;
    tabs = t;
    maps = argv + 1;
    nmaps = argc - 1;
    tc = tcase_create("coverage");
    tcase_add_test(tc, test_every_exported_function_is_swept);
    tcase_add_test(tc, test_every_covered_name_is_exported);
    suite_add_tcase(s, tc);
    tc = tcase_create("noalloc");
    tcase_add_loop_test(tc, test_noalloc_claim, 0, (int)count_noalloc());
    suite_add_tcase(s, tc);
    tc = tcase_create("sweep");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_case_sweep, 0, (int)count_cases());
    suite_add_tcase(s, tc);
    return run_suite(s);
}
