/* Adding DTDL documents to a model set: text checks, the JSON tree
 * (jsonread.c), the parse of each document, and the all-or-nothing rule
 * of every add call. Host only (JSON reading); firmware loads
 * models in binary form (binary.c). */
#include "dtdl/dtdl_int.h"
#include "dtdl/jsonread.h"
#include "core/alloc.h"
#include "util/index.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static twin_status diag(twin_models *m, const char *code, const char *src, const char *fmt, ...)
{
    va_list ap;
    twin_status s;
    va_start(ap, fmt);
    s = twin__models_diag_add(m, code, src, 0, "", 0, NULL, NULL, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- adding documents ---- */

typedef struct txn {
    twin__rmark mem;
    uint32_t nids, nifaces;
} txn;

static txn txn_begin(const twin_models *m)
{
    txn t;
    t.mem = twin__region_mark(&m->mem);
    t.nids = m->nids;
    t.nifaces = m->nifaces;
    return t;
}

static void txn_rollback(twin_models *m, txn t)
{
    twin__models_drop_ids(m, t.nids);
    m->nifaces = t.nifaces;
    twin__region_rollback(&m->mem, &m->alloc, t.mem);
}

static void locate(twin_models *m, size_t from, const char *text, size_t len, int is_array)
{
    size_t i;
    for (i = from; i < m->ndiag; i++) {
        twin_dtdl_diag *d = &m->diag[i];
        if (d->line == 0)
            twin__json_pos(text, len, d->document, is_array, d->pointer, &d->line, &d->column);
    }
}

static void line_col(const char *text, size_t off, uint32_t *line, uint32_t *col)
{
    size_t k, bol = 0;
    uint32_t ln = 1;
    for (k = 0; k < off; k++)
        if (text[k] == '\n') {
            ln++;
            bol = k + 1;
        }
    *line = ln;
    *col = (uint32_t)(off - bol + 1);
}

/* Text that is not UTF-8: a diagnostic at its first bad byte. */
static twin_status not_utf8(twin_models *m, const char *json, size_t off, const char *source)
{
    if (diag(m, "twin.notUtf8", source, "the text is not valid UTF-8 (byte %lu)",
             (unsigned long)off) != TWIN_OK)
        return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
    line_col(json, off, &m->diag[m->ndiag - 1].line, &m->diag[m->ndiag - 1].column);
    return twin__models_fail(m, TWIN_E_PARSE, "%s: not valid UTF-8", source);
}

/* Text that is not JSON: a diagnostic at the byte that makes it so. */
static twin_status not_json(twin_models *m, const char *json, size_t off, int deep,
                            const char *source)
{
    uint32_t line, col;
    twin_status s;
    line_col(json, off, &line, &col);
    s = deep ? diag(m, "twin.jsonTooDeep", source,
                    "JSON nested deeper than %d levels (line %u, column %u)",
                    TWIN__JSON_MAX_DEPTH, (unsigned)line, (unsigned)col)
             : diag(m, "twin.jsonSyntax", source, "malformed JSON at line %u, column %u",
                    (unsigned)line, (unsigned)col);
    if (s != TWIN_OK) return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
    m->diag[m->ndiag - 1].line = line;
    m->diag[m->ndiag - 1].column = col;
    return twin__models_fail(m, TWIN_E_PARSE, "%s:%u:%u: %s", source, (unsigned)line,
                             (unsigned)col, deep ? "JSON nested too deeply" : "malformed JSON");
}


/* The documents of root (a document, or an array of them) into the set;
 * returns the number of errors (*nomem set when memory ran out). */
static int parse_docs(twin_models *m, twin__region *tree, const twin__json *root,
                      const char *src, int *nomem)
{
    const twin__json *d;
    uint32_t i = 0;
    int errs = 0;
    if (!twin__json_is_array(root)) return twin__dtdl_parse_doc(m, tree, root, src, 0, nomem);
    TWIN__JSON_EACH(d, root) {
        errs += twin__dtdl_parse_doc(m, tree, d, src, i++, nomem);
        if (*nomem) break;
    }
    return errs;
}

/* A failed add: the set as it was, diagnostics located in the text. */
static twin_status add_failed(twin_models *m, txn t, size_t first, const char *json, size_t len,
                              int is_array, const char *source)
{
    size_t k, dup = 0;
    twin_status s;
    txn_rollback(m, t);
    locate(m, first, json, len, is_array);
    for (k = first; k < m->ndiag; k++) dup += strcmp(m->diag[k].code, "duplicateDefinition") == 0;
    s = dup == m->ndiag - first ? TWIN_E_EXISTS : TWIN_E_CONSTRAINT;
    return twin__models_fail(m, s, "%s: %u error%s; first: %s", source ? source : "",
                             (unsigned)(m->ndiag - first), m->ndiag - first == 1 ? "" : "s",
                             m->diag[first].message);
}

static twin_status add_text(twin_models *m, const char *json, size_t len, const char *source)
{
    const char *text = json, *src;
    size_t n = len, bad, first = m->ndiag, skip;
    const twin__json *root;
    twin__region tree;
    txn t;
    int errs, nomem = 0, deep, is_array;
    twin_status s;
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        n -= 3;
    }
    skip = (size_t)(text - json);
    if ((bad = twin__utf8_check(text, n)) != n) return not_utf8(m, json, bad + skip, source);
    /* The tree lives in a region of its own, with the parse's state,
       freed whole once the document's elements are built. */
    twin__region_init(&tree, twin__json_block_size(n) + TWIN__DTDL_PARSE_SCRATCH);
    s = twin__json_read(text, n, &tree, &m->alloc, &root, &bad, &deep);
    if (s != TWIN_OK) twin__region_fini(&tree, &m->alloc);
    if (s == TWIN_E_NOMEM) return twin__models_fail(m, TWIN_E_NOMEM, "out of memory (reading JSON)");
    if (s != TWIN_OK) return not_json(m, json, bad + skip, deep, source);
    is_array = twin__json_is_array(root);
    t = txn_begin(m);
    /* The source name lives as long as the elements that cite it. */
    if (!(src = twin__region_strdup(&m->mem, &m->alloc, source, strlen(source)))) {
        nomem = 1;
        errs = 0;
    } else {
        errs = parse_docs(m, &tree, root, src, &nomem);
    }
    twin__region_fini(&tree, &m->alloc);
    if (nomem) {
        txn_rollback(m, t);
        return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
    }
    if (errs) return add_failed(m, t, first, json, len, is_array, source);
    return TWIN_OK;  /* the last error stays (core.h) */
}

twin_status twin_models_add(twin_models *m, const char *json, size_t len, const char *source)
{
    if (!m) return TWIN_E_INVAL;
    if (!m->in_resolve) twin__models_diag_clear(m);
    if (!json) return twin__models_fail(m, TWIN_E_INVAL, "NULL text");
    if (m->sealed) return twin__models_fail(m, TWIN_E_STATE, "the model set is resolved (sealed)");
    if (len > m->opt.max_document_bytes)
        return twin__models_fail(m, TWIN_E_RANGE, "%s: %lu bytes, over the limit of %lu",
                                 source ? source : "", (unsigned long)len,
                                 (unsigned long)m->opt.max_document_bytes);
    return add_text(m, json, len, source ? source : "");
}

twin_status twin_models_add_file(twin_models *m, const char *path)
{
    FILE *f;
    char *buf;
    long n;
    size_t got;
    twin_status s;
    if (!m) return TWIN_E_INVAL;
    if (!m->in_resolve) twin__models_diag_clear(m);
    if (!path) return twin__models_fail(m, TWIN_E_INVAL, "NULL path");
    if (m->sealed) return twin__models_fail(m, TWIN_E_STATE, "the model set is resolved (sealed)");
    f = fopen(path, "rb");
    if (!f) return twin__models_fail(m, TWIN_E_IO, "%s: cannot open", path);
    {
        struct stat st;
        if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
            fclose(f);
            return twin__models_fail(m, TWIN_E_IO, "%s: not a regular file", path);
        }
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return twin__models_fail(m, TWIN_E_IO, "%s: cannot read", path);
    }
    if ((unsigned long)n > m->opt.max_document_bytes) {
        fclose(f);
        return twin__models_fail(m, TWIN_E_RANGE, "%s: %ld bytes, over the limit of %lu", path,
                                 n, (unsigned long)m->opt.max_document_bytes);
    }
    buf = twin__alloc(&m->alloc, (size_t)n + 1);
    if (!buf) {
        fclose(f);
        return twin__models_fail(m, TWIN_E_NOMEM, "out of memory");
    }
    got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    if (got != (size_t)n) {
        twin__free(&m->alloc, buf, (size_t)n + 1);
        return twin__models_fail(m, TWIN_E_IO, "%s: short read", path);
    }
    s = add_text(m, buf, (size_t)n, path);
    twin__free(&m->alloc, buf, (size_t)n + 1);
    return s;
}

