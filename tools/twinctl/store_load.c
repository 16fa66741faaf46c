/* Loading a graph file (see store.h): models first, resolved, then twins
 * and relationships through a graph that validates them against the models. */
#include "store.h"
#include "files.h"
#include "json.h"
#include "readlim.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { SEC_NONE, SEC_HEADER, SEC_MODELS, SEC_TWINS, SEC_RELS };
static const char *const section_names[] = {"", "Header", "Models", "Twins", "Relationships"};

typedef struct loader {
    store *st;
    const model_options *mo;
    diag_sink *d;
    const char *path;
    json_parser jp;
    mem line_mem;               /* the current twin or relationship line */
    int section;
    int resolved;               /* models resolved and graph created */
    size_t model_errors;
    twin_graph_validator validator;
} loader;

static void report(loader *L, unsigned long line, unsigned col, const char *code, const char *fmt,
                   ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void report(loader *L, unsigned long line, unsigned col, const char *code, const char *fmt,
                   ...)
{
    char msg[TWIN_ERROR_MESSAGE_MAX + 2 * TWIN_ID_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_report(L->d, L->path, (unsigned)line, col, code, msg, NULL, NULL, NULL);
    L->st->errors++;
}

void store_add_doc(store *st, const twin_value *v)
{
    uint32_t k;
    if (v->type == TWIN_VALUE_ARRAY) {
        for (k = 0; k < v->len; k++) store_add_doc(st, &v->as.items[k]);
        return;
    }
    xgrow((void **)&st->docs, &st->capdocs, st->ndocs + 1, sizeof *st->docs);
    st->docs[st->ndocs++] = *v;
}

static int open_models(loader *L)
{
    twin_models_options o;
    twin_status s;
    twin_models_options_init(&o);
    o.flags = L->mo->flags;
    if (L->mo->max_dtdl_version) o.max_dtdl_version = L->mo->max_dtdl_version;
    s = twin_models_create(&L->st->models, &o);
    if (s != TWIN_OK) {
        cli_error("cannot create a model set: %s", twin_strerror(s));
        return -1;
    }
    return 0;
}

/* The models of --models DIR: every .json file under it. */
static int load_models_dir(loader *L, const char *dir)
{
    path_list files = {0};
    size_t k;
    int e = files_collect_json(&files, dir);
    if (e) {
        cli_error("%s: %s", dir, strerror(e));
        return -1;
    }
    for (k = 0; k < files.n; k++) {
        const char *p = files.paths[k];
        twin_status s = twin_models_add_file(L->st->models, p);
        char *text;
        size_t len;
        twin_value doc;
        json_error je;
        if (s != TWIN_OK) {
            size_t n = diag_report_models(L->d, L->st->models, 0);
            if (n == 0) {
                twin_error err = twin_models_last_error(L->st->models);
                diag_report(L->d, p, 0, 0, "twin.io", err.message, NULL, NULL, NULL);
                n = 1;
            }
            L->st->errors += n;
            L->model_errors += n;
            continue;
        }
        /* Keep the document, to write it out with the graph. */
        if (files_read(p, lim(LIM_FILE_BYTES), &text, &len) != 0) continue;  /* read a moment ago */
        if (json_parse(&L->jp, &L->st->mem, text, len, &doc, &je) == 0) {
            store_add_doc(L->st, &doc);
        } else {
            unsigned line, col;
            json_line_col(text, je.offset, &line, &col);
            diag_report(L->d, p, line, col, "twin.jsonSyntax", je.message, NULL, NULL, NULL);
            L->st->errors++;
            L->model_errors++;
        }
        free(text);
    }
    path_list_free(&files);
    return 0;
}

/* Resolve the models and create the graph that validates against them. */
static int resolve(loader *L)
{
    twin_graph_options go;
    twin_status s;
    if (L->resolved) return 0;
    /* After errors, resolve all the same to report what it finds too. */
    s = twin_models_resolve(L->st->models);
    if (s != TWIN_OK || L->model_errors) {
        if (s == TWIN_OK) return -1;
        size_t n = diag_report_models(L->d, L->st->models, 1);
        if (n == 0) {
            twin_error err = twin_models_last_error(L->st->models);
            diag_report(L->d, L->path, 0, 0, "twin.unresolved", err.message, NULL, NULL, NULL);
            n = 1;
        }
        L->st->errors += n;
        return -1;
    }
    L->validator.size = sizeof L->validator;
    if (twin_models_validator(L->st->models, TWIN_MODELS_CHECK_ALL, &L->validator) != TWIN_OK)
        return -1;
    twin_graph_options_init(&go);
    go.validator = &L->validator;
    if ((s = twin_graph_create(&L->st->graph, &go)) != TWIN_OK) {
        cli_error("cannot create a graph: %s", twin_strerror(s));
        return -1;
    }
    L->resolved = 1;
    return 0;
}

/* {"Section": "NAME"}: the section it starts, 0 when `v` is no section line. */
static int section_of(const twin_value *v)
{
    int k;
    if (v->type != TWIN_VALUE_OBJECT || v->len != 1 ||
        strcmp(v->as.members[0].name, "Section") != 0)
        return 0;
    if (v->as.members[0].value.type != TWIN_VALUE_STRING) return -1;
    for (k = SEC_HEADER; k <= SEC_RELS; k++)
        if (strcmp(v->as.members[0].value.as.s, section_names[k]) == 0) return k;
    return -1;
}

static const char *status_code(twin_status s, int rel)
{
    switch (s) {
    case TWIN_E_CONSTRAINT: return "twin.modelViolation";
    case TWIN_E_EXISTS: return rel ? "twin.duplicateRelationship" : "twin.duplicateTwin";
    case TWIN_E_NOTFOUND: return "twin.unknownTwin";
    default: return rel ? "twin.invalidRelationship" : "twin.invalidTwin";
    }
}

static const char *string_member(const twin_value *v, const char *name)
{
    const twin_value *m = json_get(v, name);
    return m && m->type == TWIN_VALUE_STRING ? m->as.s : NULL;
}

/* The user properties of a twin or relationship object: its members but
 * those whose name starts with '$' ($dtId, $metadata, $etag ...). For a
 * twin (iface not NULL), a Component's object loses its "$metadata". */
static twin_member *user_props(loader *L, const twin_value *v, const twin_dtdl_elem *iface,
                               size_t *n)
{
    twin_member *p = mem_alloc(&L->line_mem, (v->len + 1) * sizeof *p);
    uint32_t k, j;
    *n = 0;
    for (k = 0; k < v->len; k++) {
        twin_member m = v->as.members[k];
        const twin_dtdl_elem *c;
        if (m.name[0] == '$') continue;
        c = iface ? twin_dtdl_content(iface, m.name) : NULL;
        if (c && twin_dtdl_kind_of(c) == TWIN_DTDL_COMPONENT && m.value.type == TWIN_VALUE_OBJECT) {
            twin_member *sub = mem_alloc(&L->line_mem, (m.value.len + 1) * sizeof *sub);
            uint32_t ns = 0;
            for (j = 0; j < m.value.len; j++)
                if (strcmp(m.value.as.members[j].name, "$metadata") != 0)
                    sub[ns++] = m.value.as.members[j];
            m.value = twin_value_object(sub, ns);
        }
        p[(*n)++] = m;
    }
    return p;
}

static void twin_line(loader *L, const twin_value *v, unsigned long line)
{
    store *st = L->st;
    const char *id = string_member(v, "$dtId");
    const char *model = string_member(json_get(v, "$metadata"), "$model");
    const twin_dtdl_elem *iface;
    twin_member *props;
    size_t n;
    twin_status s;
    st->twins_read++;
    if (v->type != TWIN_VALUE_OBJECT || !id || !model) {
        report(L, line, 1, "twin.badTwin",
               "a twin is an object with \"$dtId\" (a string) and "
               "\"$metadata\": {\"$model\": DTMI}");
        st->twins_rejected++;
        return;
    }
    iface = twin_models_find(st->models, model);
    props = user_props(L, v, twin_dtdl_kind_of(iface) == TWIN_DTDL_INTERFACE ? iface : NULL, &n);
    s = twin_graph_add_twin(st->graph, id, model, props, n);
    if (s < 0) {
        report(L, line, 1, status_code(s, 0), "twin '%s': %s", id,
               twin_graph_last_error(st->graph)->message);
        st->twins_rejected++;
    }
}

static void rel_line(loader *L, const twin_value *v, unsigned long line)
{
    store *st = L->st;
    const char *src = string_member(v, "$dtId");
    const char *id = string_member(v, "$relationshipId");
    const char *target = string_member(v, "$targetId");
    const char *name = string_member(v, "$relationshipName");
    twin_member *props;
    size_t n;
    twin_status s;
    st->rels_read++;
    if (!src) src = string_member(v, "$sourceId");
    if (v->type != TWIN_VALUE_OBJECT || !src || !id || !target || !name) {
        report(L, line, 1, "twin.badRelationship",
               "a relationship is an object with \"$dtId\" (its source), \"$relationshipId\", "
               "\"$targetId\" and \"$relationshipName\", all strings");
        st->rels_rejected++;
        return;
    }
    props = user_props(L, v, NULL, &n);
    s = twin_graph_add_relationship(st->graph, src, id, name, target, props, n);
    if (s < 0) {
        report(L, line, 1, status_code(s, 1), "relationship '%s' of '%s': %s", id, src,
               twin_graph_last_error(st->graph)->message);
        st->rels_rejected++;
    }
}

static void model_line(loader *L, const char *text, size_t len, const twin_value *v,
                       unsigned long line)
{
    char src[4096 + 32];
    twin_status s;
    diag_line_source(src, sizeof src, L->path, line);
    s = twin_models_add(L->st->models, text, len, src);
    if (s != TWIN_OK) {
        size_t n = diag_report_models(L->d, L->st->models, 1);
        if (n == 0) {
            twin_error err = twin_models_last_error(L->st->models);
            report(L, line, 1, "twin.badModel", "%s", err.message);
            n = 1;
        } else {
            L->st->errors += n;
        }
        L->model_errors += n;
        return;
    }
    store_add_doc(L->st, v);
}

static int is_blank(const char *s, size_t n)
{
    size_t k;
    for (k = 0; k < n; k++)
        if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r') return 0;
    return 1;
}

/* A line that does not read (not JSON, or over a limit): reported, and
 * counted as a rejected item of its section. */
static void bad_line(loader *L, unsigned long line, unsigned col, const char *code,
                     const char *msg)
{
    report(L, line, col, code, "%s", msg);
    if (L->section == SEC_TWINS) L->st->twins_read++, L->st->twins_rejected++;
    if (L->section == SEC_RELS) L->st->rels_read++, L->st->rels_rejected++;
    if (L->section == SEC_MODELS) L->model_errors++;
}

/* The count limits of a file: one more twin or relationship line than its
 * limit stops the load (nothing is imported). */
static int over_count(loader *L, unsigned long line)
{
    int rels = L->section == SEC_RELS;
    enum lim which = rels ? LIM_RELS : LIM_TWINS;
    size_t n = rels ? L->st->rels_read : L->st->twins_read;
    if (L->section < SEC_TWINS || n < lim(which)) return 0;
    report(L, line, 1, rels ? "twin.tooManyRelationships" : "twin.tooManyTwins",
           "more than %lu %s in one file (the limit, %s)", (unsigned long)lim(which),
           rels ? "relationships" : "twins", lim_env(which));
    return 1;
}

/* One line of the file; -1 when the file cannot be loaded further. */
static int one_line(loader *L, const char *text, size_t len, unsigned long line)
{
    twin_value v;
    json_error je;
    int sec, keep = L->section == SEC_HEADER || L->section == SEC_MODELS;
    mem_reset(&L->line_mem);
    if (len > LIM_NDJSON_LINE) {
        char msg[128];
        if (over_count(L, line)) return -1;
        snprintf(msg, sizeof msg, "a line of %lu bytes, over the limit of %lu",
                 (unsigned long)len, (unsigned long)LIM_NDJSON_LINE);
        bad_line(L, line, 1, "twin.lineTooLong", msg);
        return 0;
    }
    if (json_parse(&L->jp, keep ? &L->st->mem : &L->line_mem, text, len, &v, &je) != 0) {
        if (over_count(L, line)) return -1;
        bad_line(L, line, (unsigned)je.offset + 1,
                 je.too_deep ? "twin.jsonTooDeep" : "twin.jsonSyntax", je.message);
        return 0;
    }
    if ((sec = section_of(&v)) != 0) {
        if (sec < 0) {
            report(L, line, 1, "twin.badSection",
                   "unknown section (expected Header, Models, Twins or Relationships)");
            return -1;
        }
        if (sec <= L->section) {
            report(L, line, 1, "twin.badSection",
                   "section \"%s\" after \"%s\": sections come in the order Header, Models, "
                   "Twins, Relationships, each at most once",
                   section_names[sec], section_names[L->section]);
            return -1;
        }
        L->section = sec;
        return sec >= SEC_TWINS ? resolve(L) : 0;
    }
    if (over_count(L, line)) return -1;
    switch (L->section) {
    case SEC_NONE:
        report(L, line, 1, "twin.badSection", "data before the first section line "
               "(the file starts with {\"Section\": \"Header\"})");
        return -1;
    case SEC_HEADER:
        if (v.type != TWIN_VALUE_OBJECT || L->st->header.type != TWIN_VALUE_NULL)
            report(L, line, 1, "twin.badHeader", "the header is one JSON object on one line");
        else
            L->st->header = v;
        return 0;
    case SEC_MODELS: model_line(L, text, len, &v, line); return 0;
    case SEC_TWINS: twin_line(L, &v, line); return 0;
    default: rel_line(L, &v, line); return 0;
    }
}

static int load_lines(loader *L, const char *buf, size_t len)
{
    size_t at = 0;
    unsigned long line = 0;
    while (at < len) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - buf) : len, n = end - at;
        line++;
        if (n && buf[at + n - 1] == '\r') n--;
        if (!is_blank(buf + at, n) && one_line(L, buf + at, n, line) != 0) return -1;
        at = end + 1;
    }
    return resolve(L);
}

int store_load(store *st, const char *path, const model_options *mo, diag_sink *d)
{
    loader L;
    char *buf = NULL;
    size_t len = 0;
    int rc = -1;
    memset(st, 0, sizeof *st);
    mem_init(&st->mem);
    st->header = twin_value_null();
    memset(&L, 0, sizeof L);
    L.st = st;
    L.mo = mo;
    L.d = d;
    L.path = path;
    json_parser_init(&L.jp);
    mem_init(&L.line_mem);
    if (files_read_input(path, &buf, &len) != 0) goto done;
    if (open_models(&L) != 0) goto done;
    if (mo->models_dir && load_models_dir(&L, mo->models_dir) != 0) goto done;
    rc = load_lines(&L, buf, len);
done:
    free(buf);
    json_parser_fini(&L.jp);
    mem_free(&L.line_mem);
    return rc;
}

void store_free(store *st)
{
    if (st->tstore && twin_store_flush(st->tstore) != TWIN_OK)
        cli_error("the database did not take every change: %s",
                  twin_sqlite_last_error(st->db)->message);
    twin_ingest_destroy(st->ing);
    twin_store_destroy(st->tstore);
    twin_sqlite_close(st->db);
    twin_graph_destroy(st->graph);
    twin_models_destroy(st->models);
    mem_free(&st->mem);
    free(st->docs);
    memset(st, 0, sizeof *st);
}

const char *store_model_name(const char *dtmi, char *buf, size_t cap)
{
    const char *end = strchr(dtmi, ';'), *start;
    size_t n;
    if (!end) end = dtmi + strlen(dtmi);
    for (start = end; start > dtmi && start[-1] != ':'; start--) continue;
    n = (size_t)(end - start);
    if (n >= cap) n = cap - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}
