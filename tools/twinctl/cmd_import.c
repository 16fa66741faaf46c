/* twinctl import and export: the bulk-import format in and out.
 *
 * Until the storage layer lands the store is a file in the same format:
 * import validates a graph file and writes what it accepted to -o OUT;
 * export reads such a file back and writes it out again. */
#include "cli.h"
#include "store.h"

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
    "Until the storage layer lands, the store is a file: the imported graph is\n"
    "written in the same format (as twinctl export writes it) to OUT.\n"
    "Exit 0 when everything was imported, 1 when something was rejected (what\n"
    "was accepted is still written) or nothing could be imported.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT              write the store to OUT (default: stdout)\n"
    "  --models DIR                  also load the .json models under DIR (first)\n"
    "  --allow-undefined-extensions  accept undefined DTDL extensions\n"
    "  --max-dtdl-version N          refuse DTDL versions above N (2, 3 or 4)\n"
    "  -q, --quiet                   no summary line on stderr\n"
    "  -h, --help                    show this help\n";

static const char export_help[] =
    "Usage: twinctl export [OPTIONS] STORE_FILE\n"
    "\n"
    "Write the store's models, twins and relationships in the bulk-import\n"
    "format of Azure Digital Twins, in a normal form: compact JSON lines;\n"
    "twins in the order they were added, \"$dtId\" and \"$metadata\" first;\n"
    "relationships grouped by source twin. Import then export gives back the\n"
    "file (byte for byte when it was in this form). Until the storage layer\n"
    "lands, the store is a file written by twinctl import; a store with any\n"
    "error is refused.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT              write to OUT (default: stdout)\n"
    "  --models DIR                  also load the .json models under DIR (first)\n"
    "  --allow-undefined-extensions  accept undefined DTDL extensions\n"
    "  --max-dtdl-version N          refuse DTDL versions above N (2, 3 or 4)\n"
    "  -h, --help                    show this help\n";

typedef struct io_args {
    const char *in, *out;
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
    if (!a->in) return cli_usage(argv[0], "no file given");
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
    t1 = cli_now();
    if (!loaded) {
        if (st.errors)
            fprintf(stderr, "twinctl import: %s: nothing imported (%lu %s)\n", a.in,
                    (unsigned long)st.errors, plural(st.errors, "error", "errors"));
        store_free(&st);
        return 1;
    }
    twins = twin_graph_twin_count(st.graph);
    rels = twin_graph_relationship_count(st.graph);
    rc = write_store(&st, a.out) == 0 ? (st.errors ? 1 : 0) : 1;
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
