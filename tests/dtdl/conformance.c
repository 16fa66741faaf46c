/* DTDL conformance runner: runs the official parser's JSON test cases
 * (digitaltwinconsortium/DTDLParser, folder test-cases/) against
 * twin/dtdl.h and prints, per DTDL version, how many valid cases are
 * accepted, invalid cases rejected, and expected error codes matched.
 *
 *   dtdl_conformance CASE_DIR [--list-failures] [--filter SUBSTR] [--known FILE]
 *
 * The harness it mirrors is dotnet/tests/ParserUnitTest/ParserUnitTester.cs
 * with generated/ParserUnitTester.g.cs, TestDtmiResolver.cs, TestModel.g.cs
 * and DtmiUnitTester.cs. See tests/dtdl/README.md for what is mirrored and
 * what our API cannot express.
 *
 * Exit status: 0 after the report; with --known, 1 when a failure is not
 * listed in FILE; 77 (skip) when CASE_DIR is missing, 1 then if CI=true;
 * 2 on a usage or I/O error. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "twin/dtdl.h"

#define PARSING_ERROR_PREFIX "dtmi:dtdl:parsingError:"
#define UNRESOLVED_CODE "twin.unresolvedIdentifier"
#define PRIMITIVE_PREFIX "dtmi:dtdl:instance:Schema:"
#define DETAIL_MAX 400

/* ---- small utilities ------------------------------------------------------ */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "dtdl_conformance: out of memory\n");
        exit(2);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "dtdl_conformance: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

static char *xasprintf(const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    if (!fmt) /* never; tells gcc -O1 -fsanitize=undefined that fmt is set */
        fmt = "";
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = xmalloc((size_t)n + 1);
    if ((size_t)n < sizeof tmp) {
        memcpy(s, tmp, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* A growable list of strings. */
typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static void sl_push(strlist *l, char *s) /* takes s */
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = s;
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sl_sort_unique(strlist *l)
{
    if (l->n < 2)
        return;
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t w = 1;
    for (size_t r = 1; r < l->n; r++) {
        if (strcmp(l->v[r], l->v[w - 1]) == 0)
            free(l->v[r]);
        else
            l->v[w++] = l->v[r];
    }
    l->n = w;
}

static bool sl_equal(const strlist *a, const strlist *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return false;
    return true;
}

/* A bounded text buffer for failure details (one line, truncated). */
typedef struct dbuf {
    char s[DETAIL_MAX];
    size_t n;
} dbuf;

static void db_add(dbuf *d, const char *fmt, ...)
{
    if (d->n + 1 >= sizeof d->s)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(d->s + d->n, sizeof d->s - d->n, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    d->n += (size_t)k;
    if (d->n >= sizeof d->s) {
        d->n = sizeof d->s - 1;
        memcpy(d->s + d->n - 3, "...", 3);
    }
}

static void db_list(dbuf *d, const strlist *l)
{
    db_add(d, "{");
    for (size_t i = 0; i < l->n; i++)
        db_add(d, "%s%s", i ? ", " : "", l->v[i]);
    db_add(d, "}");
}

/* ---- raw text of JSON values ------------------------------------------------
 * The harness hands the parser the text of each `input` element as
 * Newtonsoft re-serialises it, which keeps numbers as written (1.0 stays a
 * float, big integers keep their digits). cJSON keeps only a double, so the
 * runner passes the element's own text from the case file instead. cJSON
 * has already validated the text; this scanner only finds value bounds. */

typedef struct span {
    const char *p, *e; /* [p, e) */
} span;

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *skip_string(const char *p, const char *e)
{
    /* p at the opening quote */
    for (p++; p < e; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return e;
}

static const char *skip_value(const char *p, const char *e)
{
    p = skip_ws(p, e);
    if (p >= e)
        return e;
    if (*p == '"')
        return skip_string(p, e);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (p < e) {
            char c = *p;
            if (c == '"') {
                p = skip_string(p, e);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return p + 1;
            }
            p++;
        }
        return e;
    }
    while (p < e && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\t' &&
           *p != '\n' && *p != '\r')
        p++;
    return p;
}

static span value_span(const char *p, const char *e)
{
    span s;
    s.p = skip_ws(p, e);
    s.e = skip_value(s.p, e);
    return s;
}

/* Element i of the array at a. */
static bool arr_elem(span a, size_t i, span *out)
{
    if (a.p >= a.e || *a.p != '[')
        return false;
    const char *p = skip_ws(a.p + 1, a.e);
    for (size_t k = 0; p < a.e && *p != ']'; k++) {
        span v = value_span(p, a.e);
        if (k == i) {
            *out = v;
            return true;
        }
        p = skip_ws(v.e, a.e);
        if (p < a.e && *p == ',')
            p = skip_ws(p + 1, a.e);
    }
    return false;
}

/* Member `key` (first occurrence, as cJSON finds it) of the object at o. */
static bool obj_member(span o, const char *key, span *out)
{
    if (o.p >= o.e || *o.p != '{')
        return false;
    size_t klen = strlen(key);
    const char *p = skip_ws(o.p + 1, o.e);
    while (p < o.e && *p == '"') {
        const char *ks = p + 1, *ke = skip_string(p, o.e) - 1;
        p = skip_ws(ke + 1, o.e);
        if (p < o.e && *p == ':')
            p++;
        span v = value_span(p, o.e);
        if ((size_t)(ke - ks) == klen && memcmp(ks, key, klen) == 0) {
            *out = v;
            return true;
        }
        p = skip_ws(v.e, o.e);
        if (p < o.e && *p == ',')
            p = skip_ws(p + 1, o.e);
    }
    return false;
}

/* ---- diagnostics copied out of the set -------------------------------------- */

typedef struct diag {
    char *code, *message, *primary, *secondary, *source, *pointer;
} diag;

typedef struct diaglist {
    diag *v;
    size_t n, cap;
} diaglist;

static void dl_take(diaglist *l, const twin_models *m)
{
    size_t n = twin_models_diag_count(m);
    for (size_t i = 0; i < n; i++) {
        const twin_dtdl_diag *d = twin_models_diag(m, i);
        if (!d)
            continue;
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 8;
            l->v = xrealloc(l->v, l->cap * sizeof *l->v);
        }
        diag *o = &l->v[l->n++];
        o->code = xstrdup(d->code ? d->code : "(null)");
        o->message = xstrdup(d->message ? d->message : "");
        o->primary = xstrdup(d->primary ? d->primary : "");
        o->secondary = xstrdup(d->secondary ? d->secondary : "");
        o->source = xstrdup(d->source ? d->source : "");
        o->pointer = xstrdup(d->pointer ? d->pointer : "");
    }
}

static void dl_free(diaglist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].code);
        free(l->v[i].message);
        free(l->v[i].primary);
        free(l->v[i].secondary);
        free(l->v[i].source);
        free(l->v[i].pointer);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* ---- tallies ------------------------------------------------------------------ */

typedef struct pf {
    unsigned long pass, fail;
} pf;

typedef struct group {
    char name[16];
    unsigned long cases;
    pf valid, invalid, code, unresolved, instances, parts, resolution;
    unsigned long code_only;   /* parsingErrors cases whose codes alone match */
    unsigned long inst_cases;  /* cases with instances */
    unsigned long runner_errors;
} group;

typedef struct failure {
    char *id;   /* path#index */
    char *kind;
    char *detail;
    bool known;
} failure;

typedef struct runner {
    const char *root;
    size_t root_len;
    const char *filter;
    bool list_failures;
    group groups[16];
    size_t ngroups;
    failure *fails;
    size_t nfails, capfails;
    strlist ran; /* ids of the cases run, for --known */
    unsigned long files, file_errors;
} runner;

static group *get_group(runner *r, const char *name)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].name, name) == 0)
            return &r->groups[i];
    if (r->ngroups == sizeof r->groups / sizeof r->groups[0])
        return &r->groups[r->ngroups - 1]; /* overflow: lump into the last */
    group *g = &r->groups[r->ngroups++];
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", name);
    return g;
}

static void add_failure(runner *r, const char *id, const char *kind, const char *detail)
{
    if (r->nfails == r->capfails) {
        r->capfails = r->capfails ? r->capfails * 2 : 64;
        r->fails = xrealloc(r->fails, r->capfails * sizeof *r->fails);
    }
    failure *f = &r->fails[r->nfails++];
    f->id = xstrdup(id);
    f->kind = xstrdup(kind);
    /* one line: replace control characters */
    f->detail = xstrdup(detail ? detail : "");
    for (char *c = f->detail; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    f->known = false;
}

static void tally(pf *p, bool ok)
{
    if (ok)
        p->pass++;
    else
        p->fail++;
}

/* ---- the simulated resolver (TestDtmiResolver.cs) ------------------------------ */

typedef struct resolver_ctx {
    const cJSON *resolution; /* array of { request: [dtmi...], response: [doc...] | null } */
    span res_span;           /* its text */
    size_t expected, calls;
    bool mismatch;
    dbuf why;
} resolver_ctx;

static twin_status resolve_cb(void *ud, twin_models *m, const char *const *dtmis, size_t n)
{
    resolver_ctx *c = ud;
    size_t k = c->calls++;
    if (k >= c->expected) {
        if (!c->mismatch) {
            db_add(&c->why, "resolver called %zu times, the case allows %zu; call %zu asked {",
                   c->calls, c->expected, c->calls);
            for (size_t i = 0; i < n; i++)
                db_add(&c->why, "%s%s", i ? ", " : "", dtmis[i] ? dtmis[i] : "(null)");
            db_add(&c->why, "}");
        }
        c->mismatch = true;
        return TWIN_OK; /* define nothing */
    }
    const cJSON *entry = cJSON_GetArrayItem(c->resolution, (int)k);
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(entry, "request");
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(entry, "response");

    /* The harness sorts both lists and asks for equality; the .NET parser
       passes distinct DTMIs, so duplicates from ours are folded first. */
    strlist want = {0}, got = {0};
    const cJSON *it;
    cJSON_ArrayForEach(it, req)
        if (cJSON_IsString(it))
            sl_push(&want, xstrdup(it->valuestring));
    for (size_t i = 0; i < n; i++)
        sl_push(&got, xstrdup(dtmis[i] ? dtmis[i] : "(null)"));
    sl_sort_unique(&want);
    sl_sort_unique(&got);
    if (!sl_equal(&want, &got)) {
        if (!c->mismatch) {
            db_add(&c->why, "resolver call %zu asked ", k + 1);
            db_list(&c->why, &got);
            db_add(&c->why, ", the case expects ");
            db_list(&c->why, &want);
        }
        c->mismatch = true;
    }
    sl_free(&want);
    sl_free(&got);

    /* Respond as the case says, even after a mismatch, so that the outcome
       of the parse is still measured. */
    span rs, entry_span, resp_span;
    bool have_text = arr_elem(c->res_span, k, &entry_span) &&
                     obj_member(entry_span, "response", &resp_span);
    if (cJSON_IsArray(resp)) {
        int count = cJSON_GetArraySize(resp);
        for (int j = 0; j < count; j++) {
            const cJSON *doc = cJSON_GetArrayItem(resp, j);
            char source[64];
            snprintf(source, sizeof source, "resolution[%zu].response[%d]", k, j);
            /* Newtonsoft's JToken.ToString(): a string gives its bare value. */
            if (cJSON_IsString(doc)) {
                twin_models_add(m, doc->valuestring, strlen(doc->valuestring), source);
            } else if (have_text && arr_elem(resp_span, (size_t)j, &rs)) {
                twin_models_add(m, rs.p, (size_t)(rs.e - rs.p), source);
            } else {
                char *t = cJSON_Print(doc);
                if (t) {
                    twin_models_add(m, t, strlen(t), source);
                    cJSON_free(t);
                }
            }
            /* the statuses of these adds join the resolve call's diagnostics */
        }
    }
    return TWIN_OK;
}

/* ---- primitive schema lookup ---------------------------------------------------
 * The .NET model holds the standard schemas under DTMIs such as
 * dtmi:dtdl:instance:Schema:date;2; ours gives primitives no @id, so an
 * instance subject of that form is found by walking the set for a primitive
 * of that name. */

typedef struct walk {
    const twin_dtdl_elem **seen;
    size_t n, cap;
    const char *name;
    const twin_dtdl_elem *found;
} walk;

static void walk_elem(walk *w, const twin_dtdl_elem *e, int depth)
{
    if (!e || w->found || depth > 64)
        return;
    if (twin_dtdl_kind_of(e) == TWIN_DTDL_PRIMITIVE) {
        if (strcmp(twin_dtdl_primitive_name(twin_dtdl_primitive_of(e)), w->name) == 0)
            w->found = e;
        return;
    }
    if (depth > 0 && twin_dtdl_kind_of(e) == TWIN_DTDL_INTERFACE)
        return; /* every Interface is walked from the top */
    for (size_t i = 0; i < w->n; i++)
        if (w->seen[i] == e)
            return;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->seen = xrealloc(w->seen, w->cap * sizeof *w->seen);
    }
    w->seen[w->n++] = e;
    static const twin_dtdl_link_kind links[] = {
        TWIN_DTDL_SCHEMA,     TWIN_DTDL_ELEMENT_SCHEMA, TWIN_DTDL_VALUE_SCHEMA,
        TWIN_DTDL_MAP_KEY_OF, TWIN_DTDL_MAP_VALUE_OF,   TWIN_DTDL_REQUEST,
        TWIN_DTDL_RESPONSE,
    };
    static const twin_dtdl_list_kind lists[] = {
        TWIN_DTDL_OWN_CONTENTS, TWIN_DTDL_SCHEMAS,     TWIN_DTDL_FIELDS,
        TWIN_DTDL_ENUM_VALUES,  TWIN_DTDL_PROPERTIES,
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        walk_elem(w, twin_dtdl_link(e, links[i]), depth + 1);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        size_t n = twin_dtdl_count(e, lists[i]);
        for (size_t j = 0; j < n; j++)
            walk_elem(w, twin_dtdl_at(e, lists[i], j), depth + 1);
    }
}

static const twin_dtdl_elem *find_subject(const twin_models *m, const char *subject)
{
    const twin_dtdl_elem *e = twin_models_find(m, subject);
    if (e || strncmp(subject, PRIMITIVE_PREFIX, strlen(PRIMITIVE_PREFIX)) != 0)
        return e;
    const char *name = subject + strlen(PRIMITIVE_PREFIX);
    const char *semi = strchr(name, ';');
    char buf[64];
    size_t len = semi ? (size_t)(semi - name) : strlen(name);
    if (len >= sizeof buf)
        return NULL;
    memcpy(buf, name, len);
    buf[len] = '\0';
    walk w = {0};
    w.name = buf;
    size_t ni = twin_models_interface_count(m);
    for (size_t i = 0; i < ni && !w.found; i++)
        walk_elem(&w, twin_models_interface(m, i), 0);
    free(w.seen);
    return w.found;
}

/* ---- case helpers ------------------------------------------------------------- */

static bool is_schema_kind(twin_dtdl_kind k)
{
    return k >= TWIN_DTDL_PRIMITIVE && k <= TWIN_DTDL_OBJECT;
}

static const char *strip_prefix(const char *code)
{
    size_t n = strlen(PARSING_ERROR_PREFIX);
    return strncmp(code, PARSING_ERROR_PREFIX, n) == 0 ? code + n : code;
}

/* GetMatchingExpectedError: an expected entry with the diagnostic's code
   and, when the entry has a PrimaryID (null meaning "none"), its primary. */
static bool diag_matches(const cJSON *expected, const diag *d, bool with_primary)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, expected) {
        const cJSON *vid = cJSON_GetObjectItemCaseSensitive(it, "ValidationID");
        if (!cJSON_IsString(vid) || strcmp(strip_prefix(vid->valuestring), d->code) != 0)
            continue;
        if (!with_primary)
            return true;
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(it, "PrimaryID");
        if (!pid)
            return true;
        if (cJSON_IsNull(pid) && d->primary[0] == '\0')
            return true;
        if (cJSON_IsString(pid) && strcmp(pid->valuestring, d->primary) == 0)
            return true;
    }
    return false;
}

static void describe_diags(dbuf *d, const diaglist *dl, twin_status st, const twin_models *m)
{
    if (dl->n == 0) {
        twin_error err = m ? twin_models_last_error(m) : (twin_error){0};
        db_add(d, "%s, no diagnostic", twin_strerror(st));
        if (err.message && err.message[0])
            db_add(d, " (%s)", err.message);
        return;
    }
    db_add(d, "%s: %s", dl->v[0].code, dl->v[0].message);
    if (dl->v[0].source[0] || dl->v[0].pointer[0])
        db_add(d, " [%s %s]", dl->v[0].source, dl->v[0].pointer);
    if (dl->n > 1)
        db_add(d, " (+%zu more)", dl->n - 1);
}

/* ---- DTMI cases (DtmiUnitTester.cs) -------------------------------------------- */

static void run_dtmi_case(runner *r, group *g, const char *id, const cJSON *c, bool valid)
{
    const cJSON *idt = cJSON_GetObjectItemCaseSensitive(c, "idText");
    if (!cJSON_IsString(idt)) {
        g->runner_errors++;
        add_failure(r, id, "runner-error", "idText is not a string");
        return;
    }
    const char *s = idt->valuestring;
    size_t len = strlen(s);
    twin_dtmi_info info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    twin_status st = twin_dtmi_parse(s, len, &info);
    bool ok = st == TWIN_OK;
    dbuf d = {0};
    if (valid != ok) {
        if (valid) {
            tally(&g->valid, false);
            db_add(&d, "twin_dtmi_parse(\"%.80s\") = %s", s, twin_strerror(st));
            add_failure(r, id, "valid-rejected", d.s);
        } else {
            tally(&g->invalid, false);
            db_add(&d, "twin_dtmi_parse(\"%.80s\") accepted it", s);
            add_failure(r, id, "invalid-accepted", d.s);
        }
        if (valid && cJSON_GetObjectItemCaseSensitive(c, "expect"))
            tally(&g->parts, false);
        return;
    }
    tally(valid ? &g->valid : &g->invalid, true);
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(c, "expect");
    if (!valid || !ex)
        return;

    /* The parts our twin_dtmi_info expresses, in the .NET Dtmi's terms. */
    bool parts_ok = true;
    size_t path_len = info.path_len <= len ? info.path_len : len;
    size_t frag = info.fragment > 0 && info.fragment <= len ? info.fragment : 0;
    long long major = info.major < 0 ? 0 : info.major;
    long long minor = info.minor < 0 ? 0 : info.minor;
    const cJSON *f;
    if ((f = cJSON_GetObjectItemCaseSensitive(ex, "MajorVersion")) && cJSON_IsNumber(f) &&
        (double)major != f->valuedouble) {
        parts_ok = false;
        db_add(&d, "MajorVersion %lld, expected %.0f; ", major, f->valuedouble);
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(ex, "MinorVersion")) && cJSON_IsNumber(f) &&
        (double)minor != f->valuedouble) {
        parts_ok = false;
        db_add(&d, "MinorVersion %lld, expected %.0f; ", minor, f->valuedouble);
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(ex, "CompleteVersion")) && cJSON_IsNumber(f)) {
        double complete = (double)major + (double)minor / 1e6;
        if (fabs(complete - f->valuedouble) > 1e-7 * (fabs(f->valuedouble) + 1.0)) {
            parts_ok = false;
            db_add(&d, "CompleteVersion %f, expected %f; ", complete, f->valuedouble);
        }
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(ex, "Versionless")) && cJSON_IsString(f)) {
        /* .NET: the identifier without its version, fragment kept */
        char *vl = xasprintf("%.*s%s", (int)path_len, s, frag ? s + frag - 1 : "");
        if (strcmp(vl, f->valuestring) != 0) {
            parts_ok = false;
            db_add(&d, "Versionless \"%.60s\", expected \"%.60s\"; ", vl, f->valuestring);
        }
        free(vl);
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(ex, "Labels")) && cJSON_IsArray(f)) {
        size_t want = (size_t)cJSON_GetArraySize(f);
        bool same = info.labels == want;
        /* the labels themselves, cut from the path that info delimits */
        const char *p = path_len > 5 ? s + 5 : s + path_len, *end = s + path_len;
        const cJSON *lab;
        cJSON_ArrayForEach(lab, f) {
            const char *q = p;
            while (q < end && *q != ':')
                q++;
            if (!cJSON_IsString(lab) || strlen(lab->valuestring) != (size_t)(q - p) ||
                memcmp(lab->valuestring, p, (size_t)(q - p)) != 0)
                same = false;
            p = q < end ? q + 1 : q;
        }
        if (!same) {
            parts_ok = false;
            db_add(&d, "Labels: %u, expected %zu; ", info.labels, want);
        }
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(ex, "IsReserved")) && cJSON_IsBool(f) &&
        (info.reserved_id != 0) != cJSON_IsTrue(f)) {
        parts_ok = false;
        db_add(&d, "IsReserved %d, expected %d; ", info.reserved_id != 0, cJSON_IsTrue(f));
    }
    if ((f = cJSON_GetObjectItemCaseSensitive(ex, "Fragment")) && cJSON_IsString(f)) {
        const char *got = frag ? s + frag - 1 : "";
        if (strcmp(got, f->valuestring) != 0) {
            parts_ok = false;
            db_add(&d, "Fragment \"%.40s\", expected \"%.40s\"; ", got, f->valuestring);
        }
    }
    tally(&g->parts, parts_ok);
    if (!parts_ok)
        add_failure(r, id, "dtmi-parts", d.s);
}

/* ---- model cases (ParserUnitTester) --------------------------------------------- */

static bool string_in(const cJSON *arr, const char *s)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
        if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
            return true;
    return false;
}

/* Checks the shape the runner relies on; returns why not, or NULL. */
static const char *check_shape(const cJSON *c)
{
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(c, "input");
    if (!cJSON_IsArray(in))
        return "input is not an array";
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(c, "options"), *it;
    if (o && !cJSON_IsArray(o))
        return "options is not an array";
    cJSON_ArrayForEach(it, o) {
        if (!cJSON_IsString(it))
            return "an option is not a string";
        if (strcmp(it->valuestring, "AllowUndefinedExtensions") != 0 &&
            strcmp(it->valuestring, "DisallowUndefinedExtensions") != 0)
            return "unrecognised option (the harness marks it inconclusive)";
    }
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(c, "quirks");
    if (q && !cJSON_IsArray(q))
        return "quirks is not an array";
    cJSON_ArrayForEach(it, q) {
        if (!cJSON_IsString(it))
            return "a quirk is not a string";
        if (strcmp(it->valuestring, "TolerateSolecismsInParse") != 0 &&
            strcmp(it->valuestring, "None") != 0)
            return strcmp(it->valuestring, "TolerateSolecismsInResolve") == 0
                       ? "quirk TolerateSolecismsInResolve has no twin_models flag"
                       : "unrecognised quirk (the harness marks it inconclusive)";
    }
    const cJSON *mv = cJSON_GetObjectItemCaseSensitive(c, "maxDtdlVersion");
    if (mv && !cJSON_IsNumber(mv) && !cJSON_IsNull(mv))
        return "maxDtdlVersion is not a number";
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(c, "resolution");
    if (res) {
        if (!cJSON_IsArray(res))
            return "resolution is not an array";
        cJSON_ArrayForEach(it, res) {
            const cJSON *rq = cJSON_GetObjectItemCaseSensitive(it, "request");
            const cJSON *rp = cJSON_GetObjectItemCaseSensitive(it, "response");
            if (!cJSON_IsArray(rq) || !(cJSON_IsArray(rp) || cJSON_IsNull(rp)))
                return "a resolution entry lacks a request array or a response";
        }
    }
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(c, "instances");
    if (ins) {
        if (!cJSON_IsArray(ins))
            return "instances is not an array";
        cJSON_ArrayForEach(it, ins) {
            if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "subject")) ||
                !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "submit")))
                return "an instance lacks a subject or submit string";
        }
    }
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(c, "expect");
    if (ex && !cJSON_IsObject(ex))
        return "expect is not an object";
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(ex, "parsingErrors");
    if (pe) {
        if (!cJSON_IsArray(pe))
            return "expect.parsingErrors is not an array";
        cJSON_ArrayForEach(it, pe)
            if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "ValidationID")))
                return "a parsingErrors entry lacks ValidationID";
    }
    const cJSON *ui = cJSON_GetObjectItemCaseSensitive(ex, "unresolvedIdentifiers");
    if (ui && !cJSON_IsArray(ui))
        return "expect.unresolvedIdentifiers is not an array";
    if (cJSON_GetObjectItemCaseSensitive(c, "extensions"))
        return "dynamic extensions (the harness fails these too)";
    return NULL;
}

static void run_instances(runner *r, group *g, const char *id, const cJSON *ins,
                          const twin_models *m, bool model_ok)
{
    size_t total = 0, failed = 0;
    dbuf d = {0};
    const cJSON *it;
    g->inst_cases++;
    cJSON_ArrayForEach(it, ins) {
        total++;
        const char *subject = cJSON_GetObjectItemCaseSensitive(it, "subject")->valuestring;
        const char *submit = cJSON_GetObjectItemCaseSensitive(it, "submit")->valuestring;
        bool want_throw = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "throws"));
        bool want_conform = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "conforms"));
        bool ok;
        char why[400] = "";
        if (!model_ok) {
            ok = false;
            snprintf(why, sizeof why, "model rejected");
        } else {
            const twin_dtdl_elem *e = find_subject(m, subject);
            if (!e) {
                ok = false;
                snprintf(why, sizeof why, "subject %.80s not found", subject);
            } else {
                char msg[128] = "";
                /* ValidateInstance on an element that is not a schema throws;
                   twin_dtdl_check_json says TWIN_E_INVAL. */
                twin_status st = twin_dtdl_check_json(e, submit, strlen(submit), msg, sizeof msg);
                bool threw = st == TWIN_E_INVAL && !is_schema_kind(twin_dtdl_kind_of(e));
                if (want_throw) {
                    ok = threw;
                    if (!ok)
                        snprintf(why, sizeof why, "%.60s on %.60s: expected it to throw, got %s",
                                 submit, subject, twin_strerror(st));
                } else if (st != TWIN_OK && st != TWIN_E_CONSTRAINT && st != TWIN_E_PARSE) {
                    ok = false;
                    snprintf(why, sizeof why, "%.60s on %.60s: %s", submit, subject,
                             twin_strerror(st));
                } else {
                    bool conforms = st == TWIN_OK;
                    ok = conforms == want_conform;
                    if (!ok)
                        snprintf(why, sizeof why, "%.60s on %.60s: %s, expected %s%s%.60s",
                                 submit, subject, conforms ? "conforms" : "does not conform",
                                 want_conform ? "conforms" : "does not conform",
                                 msg[0] ? " -- " : "", msg);
                }
            }
        }
        tally(&g->instances, ok);
        if (!ok && failed++ == 0)
            db_add(&d, "first: %s", why);
    }
    if (failed) {
        char *detail = xasprintf("%zu of %zu checks failed; %s", failed, total, d.s);
        add_failure(r, id, "instances", detail);
        free(detail);
    }
}

static void run_model_case(runner *r, group *g, const char *id, const cJSON *c, span cs,
                           bool valid, int file_version)
{
    const char *bad = check_shape(c);
    if (bad) {
        g->runner_errors++;
        add_failure(r, id, "runner-error", bad);
        return;
    }
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(c, "input");
    const cJSON *options = cJSON_GetObjectItemCaseSensitive(c, "options");
    const cJSON *quirks = cJSON_GetObjectItemCaseSensitive(c, "quirks");
    const cJSON *maxv = cJSON_GetObjectItemCaseSensitive(c, "maxDtdlVersion");
    const cJSON *resolution = cJSON_GetObjectItemCaseSensitive(c, "resolution");
    const cJSON *instances = cJSON_GetObjectItemCaseSensitive(c, "instances");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(c, "acceptableLimits");
    const cJSON *perr = cJSON_GetObjectItemCaseSensitive(expect, "parsingErrors");
    const cJSON *unres = cJSON_GetObjectItemCaseSensitive(expect, "unresolvedIdentifiers");
    /* acceptableLimits: the limit extensions the case accepts */
    const char *limit_names[16];
    size_t nlimits = 0;
    const cJSON *lim;
    cJSON_ArrayForEach(lim, limits)
        if (cJSON_IsString(lim) && nlimits < sizeof limit_names / sizeof limit_names[0])
            limit_names[nlimits++] = lim->valuestring;

    twin_models_options o;
    twin_models_options_init(&o);
    /* Allow -> Always, Disallow -> Never, neither -> PerDefault, which the
       .NET parser resolves per DTDL version (v2 allows, v3 and v4 do not).
       Our flag is per set, so PerDefault follows the file's version. */
    if (string_in(options, "AllowUndefinedExtensions"))
        o.flags |= TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS;
    else if (!string_in(options, "DisallowUndefinedExtensions") && file_version == 2)
        o.flags |= TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS;
    if (string_in(quirks, "TolerateSolecismsInParse"))
        o.flags |= TWIN_MODELS_TOLERATE_SOLECISMS;
    o.acceptable_limits = nlimits ? limit_names : NULL;
    o.nacceptable_limits = nlimits;
    if (cJSON_IsNumber(maxv)) {
        /* the .NET parser clamps MaxDtdlVersion to the versions it knows */
        int v = (int)maxv->valuedouble;
        o.max_dtdl_version = v < 2 ? 2 : v > 4 ? 4 : v;
    }
    resolver_ctx rc;
    memset(&rc, 0, sizeof rc);
    if (resolution) {
        /* only `resolution` installs a resolver; the harness ignores
           `partialResolution` (layering is not supported) */
        rc.resolution = resolution;
        rc.expected = (size_t)cJSON_GetArraySize(resolution);
        if (!obj_member(cs, "resolution", &rc.res_span))
            rc.res_span.p = rc.res_span.e = NULL;
        o.resolver = resolve_cb;
        o.resolver_ud = &rc;
    }

    twin_models *m = NULL;
    twin_status st = twin_models_create(&m, &o);
    if (st != TWIN_OK) {
        g->runner_errors++;
        char *detail = xasprintf("twin_models_create: %s", twin_strerror(st));
        add_failure(r, id, "runner-error", detail);
        free(detail);
        return;
    }

    /* The harness parses all inputs in one Parse() call, which reports the
       errors of every document together. Each input element is added as
       its own document (an element may itself be an array or a scalar,
       which wrapping them in one array would change); the diagnostics of
       every failing add are pooled; resolve runs only when every add
       succeeded (a failed Parse() never reaches resolution). */
    diaglist dl = {0};
    twin_status first_bad = TWIN_OK;
    bool add_failed = false;
    span input_span;
    bool have_input_span = obj_member(cs, "input", &input_span);
    int nin = cJSON_GetArraySize(input);
    for (int i = 0; i < nin; i++) {
        const cJSON *doc = cJSON_GetArrayItem(input, i);
        char source[32];
        snprintf(source, sizeof source, "input[%d]", i);
        char *owned = NULL;
        const char *text;
        size_t len;
        span es;
        if (cJSON_IsString(doc)) {
            /* GetJsonTextFromToken: quotes around the value, only '"' escaped */
            size_t n = 0;
            for (const char *p = doc->valuestring; *p; p++)
                n += *p == '"' ? 2 : 1;
            owned = xmalloc(n + 3);
            char *w = owned;
            *w++ = '"';
            for (const char *p = doc->valuestring; *p; p++) {
                if (*p == '"')
                    *w++ = '\\';
                *w++ = *p;
            }
            *w++ = '"';
            *w = '\0';
            text = owned;
            len = (size_t)(w - owned);
        } else if (have_input_span && arr_elem(input_span, (size_t)i, &es)) {
            text = es.p;
            len = (size_t)(es.e - es.p);
        } else {
            owned = cJSON_Print(doc);
            if (!owned) {
                fprintf(stderr, "dtdl_conformance: out of memory\n");
                exit(2);
            }
            text = owned;
            len = strlen(owned);
        }
        twin_status s = twin_models_add(m, text, len, source);
        if (owned) {
            if (cJSON_IsString(doc))
                free(owned);
            else
                cJSON_free(owned);
        }
        if (s != TWIN_OK) {
            add_failed = true;
            if (first_bad == TWIN_OK)
                first_bad = s;
            dl_take(&dl, m);
        }
    }
    bool resolve_failed = false;
    if (!add_failed) {
        st = twin_models_resolve(m);
        if (st != TWIN_OK) {
            resolve_failed = true;
            first_bad = st;
            dl_take(&dl, m);
        }
    }
    bool accepted = !add_failed && !resolve_failed;

    /* A ResolutionException in .NET terms: the only errors are undefined
       identifiers. Anything else is a ParsingException. */
    bool resolution_failure = resolve_failed && dl.n > 0;
    for (size_t i = 0; i < dl.n && resolution_failure; i++)
        if (strcmp(dl.v[i].code, UNRESOLVED_CODE) != 0)
            resolution_failure = false;

    dbuf d = {0};
    const char *note = "";
    if (valid) {
        tally(&g->valid, accepted);
        if (!accepted) {
            describe_diags(&d, &dl, first_bad, m);
            db_add(&d, "%s", note);
            add_failure(r, id, "valid-rejected", d.s);
        }
    } else {
        tally(&g->invalid, !accepted);
        if (accepted) {
            db_add(&d, "accepted%s", note);
            add_failure(r, id, "invalid-accepted", d.s);
        }
        if (perr || unres) {
            /* CheckException */
            bool matched = false, codes_only = false;
            dbuf why = {0};
            if (accepted) {
                db_add(&why, "accepted; expected ");
            } else if (resolution_failure) {
                strlist want = {0}, got = {0};
                const cJSON *it;
                cJSON_ArrayForEach(it, unres)
                    if (cJSON_IsString(it))
                        sl_push(&want, xstrdup(it->valuestring));
                for (size_t i = 0; i < dl.n; i++)
                    sl_push(&got, xstrdup(dl.v[i].secondary));
                sl_sort_unique(&want);
                sl_sort_unique(&got);
                matched = unres && sl_equal(&want, &got);
                if (!matched) {
                    db_add(&why, "unresolved ");
                    db_list(&why, &got);
                    db_add(&why, "; expected ");
                }
                sl_free(&want);
                sl_free(&got);
            } else if (dl.n == 0) {
                db_add(&why, "rejected (%s) with no diagnostic; expected ",
                       twin_strerror(first_bad));
            } else {
                matched = perr != NULL;
                codes_only = perr != NULL;
                for (size_t i = 0; i < dl.n; i++) {
                    if (!perr || !diag_matches(perr, &dl.v[i], true))
                        matched = false;
                    if (!perr || !diag_matches(perr, &dl.v[i], false))
                        codes_only = false;
                }
                if (!matched) {
                    strlist got = {0};
                    for (size_t i = 0; i < dl.n; i++) {
                        const diag *x = &dl.v[i];
                        if (perr && diag_matches(perr, x, false) && !diag_matches(perr, x, true))
                            sl_push(&got, xasprintf("%s@%s", x->code,
                                                    x->primary[0] ? x->primary : "null"));
                        else
                            sl_push(&got, xstrdup(x->code));
                    }
                    sl_sort_unique(&got);
                    db_add(&why, "got ");
                    db_list(&why, &got);
                    db_add(&why, "; expected ");
                    sl_free(&got);
                }
            }
            if (!matched) {
                strlist want = {0};
                const cJSON *it;
                cJSON_ArrayForEach(it, perr) {
                    const cJSON *vid = cJSON_GetObjectItemCaseSensitive(it, "ValidationID");
                    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(it, "PrimaryID");
                    const char *code = strip_prefix(vid->valuestring);
                    if (cJSON_IsString(pid))
                        sl_push(&want, xasprintf("%s@%s", code, pid->valuestring));
                    else if (cJSON_IsNull(pid))
                        sl_push(&want, xasprintf("%s@null", code));
                    else
                        sl_push(&want, xstrdup(code));
                }
                cJSON_ArrayForEach(it, unres)
                    if (cJSON_IsString(it))
                        sl_push(&want, xasprintf("unresolved:%s", it->valuestring));
                sl_sort_unique(&want);
                db_list(&why, &want);
                db_add(&why, "%s", note);
                sl_free(&want);
                add_failure(r, id, perr ? "code-mismatch" : "unresolved-mismatch", why.s);
            }
            if (perr) {
                tally(&g->code, matched);
                if (codes_only || matched)
                    g->code_only++;
            }
            if (unres)
                tally(&g->unresolved, matched);
        }
    }

    /* TestDtmiResolver.Check */
    if (resolution) {
        bool ok = !rc.mismatch && (valid && accepted ? rc.calls == rc.expected : true);
        if (!rc.mismatch && !ok)
            db_add(&rc.why, "resolver called %zu times, the case expects %zu", rc.calls,
                   rc.expected);
        tally(&g->resolution, ok);
        if (!ok)
            add_failure(r, id, "resolution", rc.why.s);
    }

    if (valid && instances)
        run_instances(r, g, id, instances, m, accepted);

    dl_free(&dl);
    twin_models_destroy(m);
}

/* ---- files ---------------------------------------------------------------------- */

static int version_of(const char *path)
{
    size_t n = strlen(path);
    /* ...V<d>.json */
    if (n >= 7 && strcmp(path + n - 5, ".json") == 0 && path[n - 7] == 'V' &&
        path[n - 6] >= '1' && path[n - 6] <= '9')
        return path[n - 6] - '0';
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    bool err = ferror(f) != 0;
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void run_file(runner *r, const char *path)
{
    const char *rel = path + r->root_len;
    while (*rel == '/')
        rel++;
    int ver = version_of(rel);
    size_t len = 0;
    char *buf = read_file(path, &len);
    r->files++;
    char id[1024];
    if (!buf) {
        snprintf(id, sizeof id, "%s#*", rel);
        if (!r->filter || strstr(id, r->filter)) {
            r->file_errors++;
            sl_push(&r->ran, xstrdup(id));
            add_failure(r, id, "runner-error", strerror(errno));
        }
        return;
    }
    const char *text = buf;
    size_t tlen = len;
    if (tlen >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        tlen -= 3;
    }
    cJSON *root = cJSON_ParseWithLength(text, tlen);
    span top = value_span(text, text + tlen);
    if (!root || !(cJSON_IsObject(root) || cJSON_IsArray(root))) {
        snprintf(id, sizeof id, "%s#*", rel);
        if (!r->filter || strstr(id, r->filter)) {
            r->file_errors++;
            sl_push(&r->ran, xstrdup(id));
            add_failure(r, id, "runner-error",
                        root ? "case file is neither an object nor an array"
                             : "case file is not JSON");
        }
        cJSON_Delete(root);
        free(buf);
        return;
    }
    int ncases = cJSON_IsArray(root) ? cJSON_GetArraySize(root) : 1;
    for (int i = 0; i < ncases; i++) {
        const cJSON *c = cJSON_IsArray(root) ? cJSON_GetArrayItem(root, i) : root;
        span cs = top;
        if (cJSON_IsArray(root) && !arr_elem(top, (size_t)i, &cs))
            cs.p = cs.e = NULL;
        snprintf(id, sizeof id, "%s#%d", rel, i);
        if (r->filter && !strstr(id, r->filter))
            continue;
        sl_push(&r->ran, xstrdup(id));
        bool is_dtmi = cJSON_GetObjectItemCaseSensitive(c, "idText") != NULL;
        char gname[16];
        if (ver)
            snprintf(gname, sizeof gname, "v%d", ver);
        else
            snprintf(gname, sizeof gname, "%s", is_dtmi ? "dtmi" : "other");
        group *g = get_group(r, gname);
        g->cases++;
        const cJSON *valid = cJSON_GetObjectItemCaseSensitive(c, "valid");
        if (!cJSON_IsObject(c) || !cJSON_IsBool(valid)) {
            g->runner_errors++;
            add_failure(r, id, "runner-error", "case is not an object with a boolean `valid`");
            continue;
        }
        if (is_dtmi)
            run_dtmi_case(r, g, id, c, cJSON_IsTrue(valid));
        else
            run_model_case(r, g, id, c, cs, cJSON_IsTrue(valid), ver);
    }
    cJSON_Delete(root);
    free(buf);
}

static int collect(const char *dir, strlist *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", dir, ent->d_name);
        struct stat st;
        if (stat(p, &st) != 0) {
            free(p);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            collect(p, out);
            free(p);
        } else if (S_ISREG(st.st_mode) && strlen(ent->d_name) > 5 &&
                   strcmp(ent->d_name + strlen(ent->d_name) - 5, ".json") == 0) {
            sl_push(out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
    return 0;
}

/* ---- report ---------------------------------------------------------------------- */

static int cmp_group(const void *a, const void *b)
{
    const group *x = a, *y = b;
    /* v1..v9 first, then dtmi, then other */
    int kx = x->name[0] == 'v' ? 0 : strcmp(x->name, "dtmi") == 0 ? 1 : 2;
    int ky = y->name[0] == 'v' ? 0 : strcmp(y->name, "dtmi") == 0 ? 1 : 2;
    if (kx != ky)
        return kx - ky;
    return strcmp(x->name, y->name);
}

static void print_row(const char *label, pf p, const char *extra)
{
    if (p.pass + p.fail == 0)
        return;
    printf("  %-20s %5lu passed, %5lu failed%s\n", label, p.pass, p.fail, extra ? extra : "");
}

static void add_pf(pf *a, pf b)
{
    a->pass += b.pass;
    a->fail += b.fail;
}

static void print_group(const group *g)
{
    char extra[128];
    printf("%s: %lu cases\n", g->name, g->cases);
    print_row("valid accepted", g->valid, NULL);
    print_row("invalid rejected", g->invalid, NULL);
    if (g->code.pass + g->code.fail) {
        snprintf(extra, sizeof extra, "  (%.1f%% matched; codes alone, ignoring PrimaryID: %lu)",
                 100.0 * (double)g->code.pass / (double)(g->code.pass + g->code.fail),
                 g->code_only);
        print_row("error code matched", g->code, extra);
    }
    print_row("unresolved ids", g->unresolved, NULL);
    snprintf(extra, sizeof extra, "  (checks, in %lu cases)", g->inst_cases);
    print_row("instances", g->instances, extra);
    print_row("dtmi parts", g->parts, NULL);
    print_row("resolution", g->resolution, NULL);
    if (g->runner_errors)
        printf("  %-20s %5lu\n", "runner errors", g->runner_errors);
}

/* ---- known failures ------------------------------------------------------------------ */

typedef struct known {
    char *key; /* "id kind" */
    bool hit;
} known;

static int load_known(const char *path, known **out, size_t *n)
{
    size_t len;
    char *buf = read_file(path, &len);
    if (!buf)
        return -1;
    buf = xrealloc(buf, len + 1);
    buf[len] = '\0';
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\0' || *p == '\r')
            continue;
        /* first two fields; a comment may follow after " #" */
        char *id = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        char *kind = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        *p = '\0';
        if (!*kind || *kind == '#')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[*n].key = xasprintf("%s %s", id, kind);
        (*out)[*n].hit = false;
        (*n)++;
    }
    free(buf);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: dtdl_conformance CASE_DIR [--list-failures] [--filter SUBSTR] [--known FILE]\n");
}

int main(int argc, char **argv)
{
    runner r;
    memset(&r, 0, sizeof r);
    const char *known_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list-failures") == 0)
            r.list_failures = true;
        else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
            r.filter = argv[++i];
        else if (strcmp(argv[i], "--known") == 0 && i + 1 < argc)
            known_path = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1] == '-') {
            usage();
            return 2;
        } else if (!r.root)
            r.root = argv[i];
        else {
            usage();
            return 2;
        }
    }
    if (!r.root) {
        usage();
        return 2;
    }
    struct stat st;
    if (stat(r.root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        const char *ci = getenv("CI");
        bool in_ci = ci && strcmp(ci, "true") == 0;
        printf("%s: case directory %s not found\n", in_ci ? "FAIL" : "SKIP", r.root);
        return in_ci ? 1 : 77;
    }
    r.root_len = strlen(r.root);
    while (r.root_len > 1 && r.root[r.root_len - 1] == '/')
        r.root_len--;

    known *kn = NULL;
    size_t nkn = 0;
    if (known_path && load_known(known_path, &kn, &nkn) != 0) {
        fprintf(stderr, "dtdl_conformance: cannot read %s: %s\n", known_path, strerror(errno));
        return 2;
    }

    strlist files = {0};
    char *root = xasprintf("%.*s", (int)r.root_len, r.root);
    collect(root, &files);
    qsort(files.v, files.n, sizeof *files.v, cmp_str);
    for (size_t i = 0; i < files.n; i++)
        run_file(&r, files.v[i]);

    /* report */
    qsort(r.groups, r.ngroups, sizeof r.groups[0], cmp_group);
    group total;
    memset(&total, 0, sizeof total);
    snprintf(total.name, sizeof total.name, "all");
    unsigned long ncases = 0;
    for (size_t i = 0; i < r.ngroups; i++) {
        const group *g = &r.groups[i];
        ncases += g->cases;
        total.cases += g->cases;
        add_pf(&total.valid, g->valid);
        add_pf(&total.invalid, g->invalid);
        add_pf(&total.code, g->code);
        add_pf(&total.unresolved, g->unresolved);
        add_pf(&total.instances, g->instances);
        add_pf(&total.parts, g->parts);
        add_pf(&total.resolution, g->resolution);
        total.code_only += g->code_only;
        total.inst_cases += g->inst_cases;
        total.runner_errors += g->runner_errors;
    }
    printf("DTDL conformance: %s (%lu files, %lu cases%s%s)\n", root, r.files, ncases,
           r.filter ? ", filter " : "", r.filter ? r.filter : "");
    for (size_t i = 0; i < r.ngroups; i++)
        print_group(&r.groups[i]);
    if (r.ngroups > 1)
        print_group(&total);
    if (r.file_errors)
        printf("files not readable as cases: %lu\n", r.file_errors);

    /* failures against the known list */
    unsigned long unlisted = 0;
    if (kn) {
        for (size_t i = 0; i < r.nfails; i++) {
            char *key = xasprintf("%s %s", r.fails[i].id, r.fails[i].kind);
            for (size_t k = 0; k < nkn; k++)
                if (strcmp(kn[k].key, key) == 0) {
                    kn[k].hit = true;
                    r.fails[i].known = true;
                }
            free(key);
            if (!r.fails[i].known)
                unlisted++;
        }
    }
    if (r.list_failures) {
        for (size_t i = 0; i < r.nfails; i++)
            printf("%s: %s: %s\n", r.fails[i].id, r.fails[i].kind, r.fails[i].detail);
    }
    int rc = 0;
    if (kn) {
        strlist ran = r.ran;
        qsort(ran.v, ran.n, sizeof *ran.v, cmp_str);
        unsigned long now_pass = 0, listed = 0;
        for (size_t k = 0; k < nkn; k++) {
            /* only entries of cases that ran (--filter) */
            char *id = xstrdup(kn[k].key);
            char *sp = strchr(id, ' ');
            if (sp)
                *sp = '\0';
            char *idp = id;
            bool was_run = bsearch(&idp, ran.v, ran.n, sizeof *ran.v, cmp_str) != NULL;
            free(id);
            if (!was_run)
                continue;
            listed++;
            if (!kn[k].hit) {
                if (now_pass++ == 0)
                    printf("listed in %s but passing now (shorten the list):\n", known_path);
                printf("  %s\n", kn[k].key);
            }
        }
        if (unlisted) {
            printf("failures not listed in %s:\n", known_path);
            for (size_t i = 0; i < r.nfails; i++)
                if (!r.fails[i].known)
                    printf("  %s %s: %s\n", r.fails[i].id, r.fails[i].kind, r.fails[i].detail);
            rc = 1;
        }
        printf("known failures: %lu listed, %lu still failing, %lu passing now, %lu new\n",
               listed, listed - now_pass, now_pass, unlisted);
        for (size_t k = 0; k < nkn; k++)
            free(kn[k].key);
        free(kn);
    } else {
        printf("failures: %zu%s\n", r.nfails,
               r.list_failures || !r.nfails ? "" : " (--list-failures prints them)");
    }

    for (size_t i = 0; i < r.nfails; i++) {
        free(r.fails[i].id);
        free(r.fails[i].kind);
        free(r.fails[i].detail);
    }
    free(r.fails);
    sl_free(&r.ran);
    sl_free(&files);
    free(root);
    return rc;
}
