/* twinctl import and export: the bulk-import format in and out of the
 * store, a libtwin-sqlite database (or, with -o and a STORE_FILE, a file in
 * the same format). */
#include "cli.h"
#include "store.h"
#include "json.h"

#include <stdlib.h>

#include <string.h>

static const char import_help[] =
    "Usage: twinctl import [OPTIONS] GRAPH_FILE\n"
    "\n"
    "Load models, twins and relationships from GRAPH_FILE, in the bulk-import\n"
    "format of Azure Digital Twins (NDJSON: {\"Section\": \"Header\"}, then\n"
    "Models, Twins and Relationships sections, one JSON object per line).\n"
    "Twins and relationships are validated against the models: those that\n"
    "are malformed or break them are reported as FILE:LINE:COLUMN: error CODE:\n"
    "MESSAGE and left out, the rest is imported. The models must all resolve.\n"
    "\n"
    "The store is a libtwin-sqlite database (-d DB, default ./twin.db), which\n"
    "keeps the models too; it must not hold twins yet. With -o OUT, the graph\n"
    "is written in the bulk-import format (as twinctl export writes it) to OUT\n"
    "instead (- for stdout).\n"
    "Exit 0 when everything was imported, 1 when something was rejected (what\n"
    "was accepted is still written) or nothing could be imported.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB                   the database (default: ./twin.db)\n"
    "  -o, --output OUT              write a bulk-import file to OUT instead\n"
    "  --models DIR                  also load the .json models under DIR (first)\n"
    "  --allow-undefined-extensions  accept undefined DTDL extensions\n"
    "  --max-dtdl-version N          refuse DTDL versions above N (2, 3 or 4)\n"
    "  -q, --quiet                   no summary line on stderr\n"
    "  -h, --help                    show this help\n";

static const char export_help[] =
    "Usage: twinctl export [OPTIONS] [STORE_FILE]\n"
    "\n"
    "Write the store's models, twins and relationships in the bulk-import\n"
    "format of Azure Digital Twins, in a normal form: compact JSON lines;\n"
    "twins in the order they were added, \"$dtId\" and \"$metadata\" first;\n"
    "relationships grouped by source twin. Import then export gives back the\n"
    "file (byte for byte when it was in this form). The store is the database\n"
    "(-d DB, default ./twin.db), or STORE_FILE, a bulk-import file (a file\n"
    "with any error is refused).\n"
    "\n"
    "Options:\n"
    "  -d, --db DB                   the database (default: ./twin.db)\n"
    "  -o, --output OUT              write to OUT (default: stdout)\n"
    "  --models DIR                  also load the .json models under DIR (first)\n"
    "  --allow-undefined-extensions  accept undefined DTDL extensions\n"
    "  --max-dtdl-version N          refuse DTDL versions above N (2, 3 or 4)\n"
    "  -h, --help                    show this help\n";

typedef struct io_args {
    const char *in, *out, *db;
    model_options mo;
    int quiet;
} io_args;

/* Returns -1 to go on, else the exit code. */
static int parse(int argc, char **argv, const char *help, io_args *a)
{
    int i, r;
    memset(a, 0, sizeof *a);
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (cli_is_help(arg)) {
            fputs(help, stdout);
            return 0;
        }
        if ((r = cli_value(argv[0], argc, argv, &i, "--output", "-o", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            a->out = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            a->db = v;
        } else if ((r = cli_model_option(argv[0], argc, argv, &i, &a->mo, 1)) != 0) {
            if (r < 0) return EXIT_USAGE;
        } else if (help == import_help && (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0)) {
            a->quiet = 1;
        } else if (arg[0] == '-' && arg[1]) {
            return cli_usage(argv[0], "unknown option '%s'", arg);
        } else if (a->in) {
            return cli_usage(argv[0], "one file at a time ('%s' and '%s')", a->in, arg);
        } else {
            a->in = arg;
        }
    }
    if (!a->in && help == import_help) return cli_usage(argv[0], "no file given");
    if (!a->db) a->db = STORE_DEFAULT_DB;
    return -1;
}

static int write_store(const store *st, const char *path)
{
    out_file o;
    int ok;
    if (out_open(&o, path) != 0) return -1;
    ok = store_write(st, o.f) == 0;
    return out_close(&o, ok);
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static char *json_text(const twin_value *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    json_write_value(f, v);
    fclose(f);
    return buf;
}

typedef struct rel_ctx {
    store *db;
    int failed;
} rel_ctx;

/* Through the library's store; a full outbox drains into the database. */
static twin_status retry(store *db, twin_status s)
{
    if (s == TWIN_E_BUSY && twin_store_flush(db->tstore) == TWIN_OK) return TWIN_E_BUSY;
    return s == TWIN_E_BUSY ? TWIN_E_IO : s;
}

static void put_rel(void *ud, const twin_relationship *r)
{
    rel_ctx *c = ud;
    twin_status s;
    while ((s = twin_store_add_relationship(c->db->tstore, r->source_id, r->id, r->name,
                                            r->target_id, r->properties, r->property_count)) ==
               TWIN_E_BUSY &&
           retry(c->db, s) == TWIN_E_BUSY)
        continue;
    if (s != TWIN_OK && !c->failed) {
        cli_error("relationship '%s' of '%s': %s", r->id, r->source_id,
                  twin_graph_last_error(c->db->graph)->message);
        c->failed = 1;
    }
}

/* Models and header as documents, then twins and relationships through the
 * library's store. */
static int import_db(const store *st, const char *path)
{
    store db;
    twin_cursor c;
    const char *id, *model;
    size_t k;
    int rc = -1;
    rel_ctx rc_ctx;
    if (store_open_db(&db, path, 0, 0, NULL, NULL) != 0) goto done;
    if (twin_graph_twin_count(db.graph)) {
        cli_error("%s already holds %lu twins: import into a new database", path,
                  (unsigned long)twin_graph_twin_count(db.graph));
        goto done;
    }
    for (k = 0; k < st->ndocs; k++) {
        const twin_value *idv = json_get(&st->docs[k], "@id");
        char *text = json_text(&st->docs[k]);
        twin_status s = twin_sqlite_put_document(
            db.db, "dtdl", idv && idv->type == TWIN_VALUE_STRING ? idv->as.s : "?", text);
        free(text);
        if (s != TWIN_OK) {
            cli_error("%s: %s", path, twin_sqlite_last_error(db.db)->message);
            goto done;
        }
    }
    if (st->header.type == TWIN_VALUE_OBJECT) {
        char *text = json_text(&st->header);
        twin_sqlite_put_document(db.db, "header", "header", text);
        free(text);
    }
    store_free(&db);
    if (store_open_db(&db, path, 0, 0, NULL, NULL) != 0) goto done;  /* with its models */
    twin_graph_twins_begin(st->graph, &c);
    while (twin_graph_twins_next(st->graph, &c, &id, &model) == TWIN_OK) {
        const twin_member *props = NULL;
        size_t n = 0;
        twin_status s;
        twin_graph_get_properties(st->graph, id, &props, &n);
        while ((s = twin_store_add_twin(db.tstore, id, model, props, n)) == TWIN_E_BUSY &&
               retry(&db, s) == TWIN_E_BUSY)
            continue;
        if (s != TWIN_OK) {
            cli_error("twin '%s': %s", id, twin_graph_last_error(db.graph)->message);
            goto done;
        }
    }
    rc_ctx.db = &db;
    rc_ctx.failed = 0;
    store_relationships(st, put_rel, &rc_ctx);
    if (rc_ctx.failed) goto done;
    if (twin_store_flush(db.tstore) != TWIN_OK) {
        cli_error("%s: %s", path, twin_sqlite_last_error(db.db)->message);
        goto done;
    }
    rc = 0;
done:
    store_free(&db);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    io_args a;
    store st;
    diag_sink d;
    double t0 = cli_now(), t1;
    int rc = parse(argc, argv, import_help, &a), loaded;
    size_t twins, rels;
    if (rc >= 0) return rc;
    diag_begin(&d, stderr, 0);
    loaded = store_load(&st, a.in, &a.mo, &d) == 0;
    if (!loaded) {
        if (st.errors)
            fprintf(stderr, "twinctl import: %s: nothing imported (%lu %s)\n", a.in,
                    (unsigned long)st.errors, plural(st.errors, "error", "errors"));
        store_free(&st);
        return 1;
    }
    twins = twin_graph_twin_count(st.graph);
    rels = twin_graph_relationship_count(st.graph);
    rc = (a.out ? write_store(&st, a.out) : import_db(&st, a.db)) == 0 ? (st.errors ? 1 : 0) : 1;
    t1 = cli_now();
    if (!a.quiet) {
        fprintf(stderr, "twinctl import: %s: %lu %s, %lu %s and %lu %s imported in %.3f s\n", a.in,
                (unsigned long)st.ndocs, plural(st.ndocs, "model", "models"),
                (unsigned long)twins, plural(twins, "twin", "twins"), (unsigned long)rels,
                plural(rels, "relationship", "relationships"), t1 - t0);
        if (st.errors)
            fprintf(stderr, "twinctl import: rejected %lu %s and %lu %s (%lu %s above)\n",
                    (unsigned long)st.twins_rejected, plural(st.twins_rejected, "twin", "twins"),
                    (unsigned long)st.rels_rejected,
                    plural(st.rels_rejected, "relationship", "relationships"),
                    (unsigned long)st.errors, plural(st.errors, "error", "errors"));
    }
    store_free(&st);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    io_args a;
    store st;
    diag_sink d;
    int rc = parse(argc, argv, export_help, &a);
    if (rc >= 0) return rc;
    diag_begin(&d, stderr, 0);
    if (!a.in) {
        rc = store_open_db(&st, a.db, TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) == 0 &&
                     write_store(&st, a.out) == 0
                 ? 0
                 : 1;
        store_free(&st);
        return rc;
    }
    if (store_load(&st, a.in, &a.mo, &d) != 0 || st.errors) {
        if (st.errors)
            fprintf(stderr, "twinctl export: %s: not a valid store (%lu %s); import it first\n",
                    a.in, (unsigned long)st.errors, plural(st.errors, "error", "errors"));
        store_free(&st);
        return 1;
    }
    rc = write_store(&st, a.out) == 0 ? 0 : 1;
    store_free(&st);
    return rc;
}
