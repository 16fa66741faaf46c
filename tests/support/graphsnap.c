/* Canonical graph snapshots and value helpers for tests; see graphsnap.h. */
#include "graphsnap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable string ---------------------------------------------------- */

typedef struct sb {
    char *p;
    size_t n, cap;
} sb;

static void sb_add(sb *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1) cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) ck_abort_msg("graphsnap: out of memory");
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sb *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_fmt_len(sb *b, const char *s, size_t n)
{
    char num[32];
    snprintf(num, sizeof num, "%zu:", n);
    sb_str(b, num);
    if (s) sb_add(b, s, n);
    else sb_str(b, "<NULL>");
}

/* A NUL-terminated identifier, length-prefixed. */
static void sb_id(sb *b, const char *s)
{
    sb_fmt_len(b, s, s ? strlen(s) : 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sb_value(sb *b, const twin_value *v, int sort_members);

static void sb_member(sb *b, const twin_member *m, int sort_members)
{
    sb_id(b, m->name);
    sb_str(b, "=");
    sb_value(b, &m->value, sort_members);
}

/* Members as "{m,m,...}", sorted by their canonical text if asked. */
static void sb_members(sb *b, const twin_member *m, size_t n, int sort_members)
{
    size_t i;
    sb_str(b, "{");
    if (n && !m) {
        sb_str(b, "<NULL members>}");
        return;
    }
    if (!sort_members) {
        for (i = 0; i < n; i++) {
            sb_member(b, &m[i], sort_members);
            sb_str(b, ",");
        }
    } else {
        char **parts = calloc(n ? n : 1, sizeof *parts);
        if (!parts) ck_abort_msg("graphsnap: out of memory");
        for (i = 0; i < n; i++) {
            sb one = {0};
            sb_member(&one, &m[i], sort_members);
            parts[i] = one.p;
        }
        qsort(parts, n, sizeof *parts, cmp_str);
        for (i = 0; i < n; i++) {
            sb_str(b, parts[i]);
            sb_str(b, ",");
            free(parts[i]);
        }
        free(parts);
    }
    sb_str(b, "}");
}

static void sb_value(sb *b, const twin_value *v, int sort_members)
{
    char num[64];
    uint32_t i;
    switch (v->type) {
    case TWIN_VALUE_NULL: sb_str(b, "n"); return;
    case TWIN_VALUE_BOOL: snprintf(num, sizeof num, "b%d", (int)v->as.b); break;
    case TWIN_VALUE_INT: snprintf(num, sizeof num, "i%lld", (long long)v->as.i); break;
    case TWIN_VALUE_DOUBLE: snprintf(num, sizeof num, "d%a", v->as.d); break;
    case TWIN_VALUE_STRING:
        sb_str(b, "s");
        sb_fmt_len(b, v->as.s, v->len);
        return;
    case TWIN_VALUE_ARRAY:
        snprintf(num, sizeof num, "a%u[", (unsigned)v->len);
        sb_str(b, num);
        if (v->len && !v->as.items) {
            sb_str(b, "<NULL items>]");
            return;
        }
        for (i = 0; i < v->len; i++) {
            sb_value(b, &v->as.items[i], sort_members);
            sb_str(b, ",");
        }
        sb_str(b, "]");
        return;
    case TWIN_VALUE_OBJECT:
        snprintf(num, sizeof num, "o%u", (unsigned)v->len);
        sb_str(b, num);
        sb_members(b, v->as.members, v->len, sort_members);
        return;
    default: snprintf(num, sizeof num, "?%d", (int)v->type); break;
    }
    sb_str(b, num);
}

char *value_str(const twin_value *v, int sort_members, char *buf, size_t cap)
{
    sb b = {0};
    sb_value(&b, v, sort_members);
    if (cap) {
        size_t n = b.n < cap - 1 ? b.n : cap - 1;
        memcpy(buf, b.p, n);
        buf[n] = '\0';
    }
    free(b.p);
    return buf;
}

/* ---- snapshots ------------------------------------------------------------ */

static void snap_push(snap *s, char *line)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->lines = realloc(s->lines, s->cap * sizeof *s->lines);
        if (!s->lines) ck_abort_msg("graphsnap: out of memory");
    }
    s->lines[s->n++] = line;
}

/* Adds R lines for the outgoing relationships and returns the O line. */
static char *snap_outgoing(snap *s, const twin_graph *g, const char *id,
                           size_t *nrels)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    twin_status st;
    sb o = {0};
    sb_str(&o, "O ");
    sb_id(&o, id);
    st = twin_graph_relationships_begin(g, &c, id, TWIN_DIRECTION_OUTGOING, NULL);
    ck_assert_msg(st == TWIN_OK, "snapshot: relationships_begin(%s) = %d", id, st);
    while ((st = twin_graph_relationships_next(g, &c, &r)) == TWIN_OK) {
        sb line = {0};
        twin_relationship f = TWIN_RELATIONSHIP_INIT;
        ck_assert_msg(r.source_id && strcmp(r.source_id, id) == 0,
                      "snapshot: outgoing relationship of %s has source %s", id,
                      r.source_id ? r.source_id : "(null)");
        ck_assert_msg(r.property_count == 0 || r.properties != NULL,
                      "snapshot: property_count %u but properties NULL",
                      (unsigned)r.property_count);
        st = twin_graph_find_relationship(g, id, r.id, &f);
        ck_assert_msg(st == TWIN_OK, "snapshot: iterated relationship %s/%s not found (%d)",
                      id, r.id, st);
        ck_assert_msg(strcmp(f.target_id, r.target_id) == 0 && strcmp(f.name, r.name) == 0,
                      "snapshot: find and iteration disagree on %s/%s", id, r.id);
        sb_str(&line, "R ");
        sb_id(&line, r.source_id);
        sb_str(&line, " ");
        sb_id(&line, r.id);
        sb_str(&line, " ");
        sb_id(&line, r.name);
        sb_str(&line, " ");
        sb_id(&line, r.target_id);
        sb_str(&line, " ");
        sb_members(&line, r.properties, r.property_count, 1);
        snap_push(s, line.p);
        sb_str(&o, " ");
        sb_id(&o, r.id);
        (*nrels)++;
    }
    ck_assert_msg(st == TWIN_DONE, "snapshot: relationships_next = %d", st);
    return o.p;
}

static char *snap_incoming(const twin_graph *g, const char *id)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    twin_status st;
    sb in = {0};
    sb_str(&in, "I ");
    sb_id(&in, id);
    st = twin_graph_relationships_begin(g, &c, id, TWIN_DIRECTION_INCOMING, NULL);
    ck_assert_msg(st == TWIN_OK, "snapshot: relationships_begin(%s) = %d", id, st);
    while ((st = twin_graph_relationships_next(g, &c, &r)) == TWIN_OK) {
        ck_assert_msg(r.target_id && strcmp(r.target_id, id) == 0,
                      "snapshot: incoming relationship of %s has target %s", id,
                      r.target_id ? r.target_id : "(null)");
        sb_str(&in, " ");
        sb_id(&in, r.source_id);
        sb_str(&in, "/");
        sb_id(&in, r.id);
    }
    ck_assert_msg(st == TWIN_DONE, "snapshot: relationships_next = %d", st);
    return in.p;
}

void snap_take(snap *s, const twin_graph *g)
{
    twin_cursor c;
    const char *id, *model;
    size_t ntwins = 0, nrels = 0;
    twin_status st;
    char head[96];
    memset(s, 0, sizeof *s);
    st = twin_graph_twins_begin(g, &c);
    ck_assert_msg(st == TWIN_OK, "snapshot: twins_begin = %d", st);
    while ((st = twin_graph_twins_next(g, &c, &id, &model)) == TWIN_OK) {
        const twin_member *props = NULL;
        size_t nprops = 0;
        const char *m2 = NULL;
        sb t = {0};
        ck_assert_msg(twin_graph_find_twin(g, id, &m2) == TWIN_OK && m2 &&
                          strcmp(m2, model) == 0,
                      "snapshot: iterated twin %s not found with its model", id);
        st = twin_graph_get_properties(g, id, &props, &nprops);
        ck_assert_msg(st == TWIN_OK, "snapshot: get_properties(%s) = %d", id, st);
        sb_str(&t, "T ");
        sb_id(&t, id);
        sb_str(&t, " ");
        sb_id(&t, model);
        sb_str(&t, " ");
        sb_members(&t, props, nprops, 0);
        snap_push(s, t.p);
        snap_push(s, snap_outgoing(s, g, id, &nrels));
        snap_push(s, snap_incoming(g, id));
        ntwins++;
    }
    ck_assert_msg(st == TWIN_DONE, "snapshot: twins_next = %d", st);
    ck_assert_msg(ntwins == twin_graph_twin_count(g),
                  "snapshot: iterated %zu twins, twin_count says %zu", ntwins,
                  twin_graph_twin_count(g));
    ck_assert_msg(nrels == twin_graph_relationship_count(g),
                  "snapshot: iterated %zu relationships, relationship_count says %zu",
                  nrels, twin_graph_relationship_count(g));
    snprintf(head, sizeof head, "C %zu %zu", ntwins, nrels);
    snap_push(s, strdup(head));
    qsort(s->lines, s->n, sizeof *s->lines, cmp_str);
}

void snap_free(snap *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) free(s->lines[i]);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

int snap_equal(const snap *a, const snap *b, char *why, size_t cap)
{
    size_t i;
    for (i = 0; i < a->n && i < b->n; i++) {
        if (strcmp(a->lines[i], b->lines[i]) != 0) {
            snprintf(why, cap, "line %zu: before/expected \"%.200s\" now \"%.200s\"",
                     i, a->lines[i], b->lines[i]);
            return 0;
        }
    }
    if (a->n != b->n) {
        snprintf(why, cap, "%zu lines before/expected, %zu now; first extra: \"%.200s\"",
                 a->n, b->n, a->n > b->n ? a->lines[i] : b->lines[i]);
        return 0;
    }
    if (cap) why[0] = '\0';
    return 1;
}

int check_failed_call(const twin_graph *g, snap *before, int got, int want,
                      char *why, size_t cap)
{
    const twin_error *e = twin_graph_last_error(g);
    snap after;
    char diff[512];
    int same;
    if (got != want) {
        snprintf(why, cap, "returned %d (%s), expected %d (%s)", got,
                 twin_strerror((twin_status)got), want, twin_strerror((twin_status)want));
        snap_free(before);
        return 0;
    }
    if (!e || e->status != got || !e->message || !e->message[0]) {
        snprintf(why, cap, "last_error is {%d, \"%s\"}, expected status %d and a message",
                 e ? (int)e->status : 0, e && e->message ? e->message : "(null)", got);
        snap_free(before);
        return 0;
    }
    snap_take(&after, g);
    same = snap_equal(before, &after, diff, sizeof diff);
    snap_free(before);
    snap_free(&after);
    if (!same) {
        snprintf(why, cap, "the graph changed: %s", diff);
        return 0;
    }
    if (cap) why[0] = '\0';
    return 1;
}

/* ---- values --------------------------------------------------------------- */

int value_equal(const twin_value *a, const twin_value *b)
{
    uint32_t i, j;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case TWIN_VALUE_NULL: return 1;
    case TWIN_VALUE_BOOL: return (a->as.b != 0) == (b->as.b != 0);
    case TWIN_VALUE_INT: return a->as.i == b->as.i;
    case TWIN_VALUE_DOUBLE: return memcmp(&a->as.d, &b->as.d, sizeof(double)) == 0;
    case TWIN_VALUE_STRING:
        return a->len == b->len && (a->len == 0 || memcmp(a->as.s, b->as.s, a->len) == 0);
    case TWIN_VALUE_ARRAY:
        if (a->len != b->len) return 0;
        for (i = 0; i < a->len; i++)
            if (!value_equal(&a->as.items[i], &b->as.items[i])) return 0;
        return 1;
    case TWIN_VALUE_OBJECT:
        if (a->len != b->len) return 0;
        for (i = 0; i < a->len; i++) {
            for (j = 0; j < b->len; j++)
                if (strcmp(a->as.members[i].name, b->as.members[j].name) == 0) break;
            if (j == b->len) return 0;
            if (!value_equal(&a->as.members[i].value, &b->as.members[j].value)) return 0;
        }
        return 1;
    default: return 0;
    }
}

int value_well_formed(const twin_value *v)
{
    uint32_t i;
    switch (v->type) {
    case TWIN_VALUE_STRING:
        return v->as.s != NULL && v->as.s[v->len] == '\0' && strlen(v->as.s) == v->len;
    case TWIN_VALUE_ARRAY:
        if (v->len && !v->as.items) return 0;
        for (i = 0; i < v->len; i++)
            if (!value_well_formed(&v->as.items[i])) return 0;
        return 1;
    case TWIN_VALUE_OBJECT:
        if (v->len && !v->as.members) return 0;
        for (i = 0; i < v->len; i++) {
            const char *n = v->as.members[i].name;
            if (!n || !n[0] || !value_well_formed(&v->as.members[i].value)) return 0;
        }
        return 1;
    default: return v->type >= TWIN_VALUE_NULL && v->type <= TWIN_VALUE_DOUBLE;
    }
}

/* ---- graphs --------------------------------------------------------------- */

twin_graph *graph_new(const twin_allocator *a)
{
    twin_graph_options o;
    twin_graph *g = NULL;
    twin_status st;
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    o.alloc = a;
    st = twin_graph_create(&g, &o);
    ck_assert_msg(st == TWIN_OK, "twin_graph_create = %d", st);
    ck_assert_ptr_nonnull(g);
    return g;
}

size_t rel_iter_count(const twin_graph *g, const char *twin_id,
                      twin_direction dir, const char *name)
{
    twin_cursor c;
    twin_relationship r = TWIN_RELATIONSHIP_INIT;
    twin_status st;
    size_t n = 0;
    st = twin_graph_relationships_begin(g, &c, twin_id, dir, name);
    ck_assert_msg(st == TWIN_OK, "relationships_begin(%s) = %d", twin_id, st);
    while ((st = twin_graph_relationships_next(g, &c, &r)) == TWIN_OK) n++;
    ck_assert_msg(st == TWIN_DONE, "relationships_next = %d", st);
    return n;
}

/* ---- strings -------------------------------------------------------------- */

const char *const bad_utf8[N_BAD_UTF8] = {
    "\xc0\xaf",              /* overlong "/" */
    "\xe0\x80\xaf",          /* overlong, 3 bytes */
    "\xf0\x80\x80\xaf",      /* overlong, 4 bytes */
    "\xed\xa0\x80",          /* UTF-16 surrogate U+D800 */
    "\xed\xbf\xbf",          /* UTF-16 surrogate U+DFFF */
    "\xf4\x90\x80\x80",      /* U+110000, beyond U+10FFFF */
    "\xe2\x82",              /* truncated 3-byte sequence */
    "\xf0\x9f\x9a",          /* truncated 4-byte sequence */
    "\x80",                  /* lone continuation byte */
    "\xff",                  /* never valid */
    "\xf8\x88\x80\x80\x80",  /* 5-byte form */
};

const char *with_bad_utf8(char *buf, size_t i, int at_end)
{
    snprintf(buf, 32, "a%s%s", bad_utf8[i], at_end ? "" : "b");
    return buf;
}

char *str_repeat(const char *unit, size_t times, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail), i;
    char *s = malloc(u * times + t + 1);
    ck_assert_ptr_nonnull(s);
    for (i = 0; i < times; i++) memcpy(s + i * u, unit, u);
    memcpy(s + u * times, tail, t + 1);
    return s;
}
