/* twinctl dot: the graph as Graphviz DOT (or SVG through Graphviz's dot). */
#include "cli.h"
#include "json.h"
#include "store.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char help[] =
    "Usage: twinctl dot [OPTIONS] [GRAPH_FILE]\n"
    "\n"
    "Print the graph in Graphviz's DOT language: one box per twin, labelled\n"
    "with its id and its model's name (filled by model), one arrow per\n"
    "relationship, from source to target, labelled with its name. The graph\n"
    "is the database's (-d DB, default ./twin.db), or GRAPH_FILE's.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB         the database (default: ./twin.db)\n"
    "  --health            fill each twin by the worst health of its signals\n"
    "                      (green >= 0.7, orange >= 0.4, red below; grey: none)\n"
    "  --svg FILE          render it to FILE as SVG with Graphviz's dot program\n"
    "                      (Debian package graphviz)\n"
    "  -o, --output OUT    write the DOT text to OUT (default: stdout)\n"
    "  --json              print the graph as JSON instead: {\"nodes\": [{\"id\",\n"
    "                      \"model\"}], \"edges\": [{\"source\", \"target\", \"name\", \"id\"}]}\n"
    "  --models DIR        also load the .json models under DIR\n"
    "  -h, --help          show this help\n";

/* Light fills for the boxes, one per model. */
static const char *const palette[] = {"#dbe9f6", "#fde2c8", "#d9f0d3", "#f6d5e5",
                                      "#e8e0f4", "#fff4bf", "#d4eeee", "#eeeeee"};

/* A quoted DOT string: `s`, then "\n" and `line2` when not NULL. */
static void dot_string(FILE *f, const char *s, const char *line2)
{
    putc('"', f);
    for (;;) {
        for (; *s; s++) {
            if (*s == '"' || *s == '\\') putc('\\', f);
            putc((unsigned char)*s < 0x20 ? ' ' : *s, f);
        }
        if (!line2) break;
        fputs("\\n", f);
        s = line2;
        line2 = NULL;
    }
    putc('"', f);
}

/* Colour of a model: the palette's entries in the order models first
 * appear (a model's fill is stable for a given file). */
typedef struct colours {
    const char **models;
    size_t n, cap;
} colours;

static const char *colour_of(colours *c, const char *model)
{
    size_t k;
    for (k = 0; k < c->n; k++)
        if (strcmp(c->models[k], model) == 0) break;
    if (k == c->n) {
        xgrow((void **)&c->models, &c->cap, c->n + 1, sizeof *c->models);
        c->models[c->n++] = model;
    }
    return palette[k % (sizeof palette / sizeof *palette)];
}

static void dot_edge(void *ud, const twin_relationship *r)
{
    FILE *f = ud;
    fputs("  ", f);
    dot_string(f, r->source_id, NULL);
    fputs(" -> ", f);
    dot_string(f, r->target_id, NULL);
    fputs(" [label=", f);
    dot_string(f, r->name, NULL);
    fputs("];\n", f);
}

/* The worst health score of the twin's signals, NaN when none. */
static double twin_health_of(const store *st, const char *twin)
{
    uint64_t cur = 0;
    twin_signal h;
    double worst = NAN;
    if (!st->ing) return NAN;
    while (twin_ingest_signals_next(st->ing, &cur, &h) == TWIN_OK) {
        const char *t;
        twin_health hs;
        twin_health_options o;
        int64_t last;
        double score;
        if (twin_ingest_signal_info(st->ing, h, &t, NULL, NULL) != TWIN_OK || strcmp(t, twin))
            continue;
        twin_health_options_init(&o);
        if (twin_ingest_get_health(st->ing, h, &hs, &o) != TWIN_OK) continue;
        if (twin_ingest_get_latest(st->ing, h, &last, NULL) != TWIN_OK) continue;
        if (twin_health_get_score(&hs, &o, last, &score, NULL) != TWIN_OK) continue;
        if (isnan(worst) || score < worst) worst = score;
    }
    return worst;
}

static const char *health_colour(double h)
{
    if (isnan(h)) return "#dddddd";
    return h >= 0.7 ? "#8fd18f" : h >= 0.4 ? "#f7b858" : "#f08080";
}

static int dot_health;

static void write_dot(const store *st, FILE *f)
{
    twin_cursor c;
    const char *id, *model;
    char name[256];
    colours col = {NULL, 0, 0};
    fputs("digraph twins {\n"
          "  graph [rankdir=LR, fontname=\"Helvetica\"];\n"
          "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=8];\n",
          f);
    twin_graph_twins_begin(st->graph, &c);
    while (twin_graph_twins_next(st->graph, &c, &id, &model) == TWIN_OK) {
        fputs("  ", f);
        dot_string(f, id, NULL);
        fputs(" [label=", f);
        if (dot_health) {
            double hv = twin_health_of(st, id);
            char line[300];
            if (isnan(hv))
                snprintf(line, sizeof line, "%s", store_model_name(model, name, sizeof name));
            else
                snprintf(line, sizeof line, "%s, health %.2f",
                         store_model_name(model, name, sizeof name), hv);
            dot_string(f, id, line);
            fprintf(f, ", fillcolor=\"%s\"];\n", health_colour(hv));
            continue;
        }
        dot_string(f, id, store_model_name(model, name, sizeof name));
        fprintf(f, ", fillcolor=\"%s\"];\n", colour_of(&col, model));
    }
    store_relationships(st, dot_edge, f);
    fputs("}\n", f);
    free(col.models);
}

typedef struct json_edges {
    FILE *f;
    int first;
} json_edges;

static void json_edge(void *ud, const twin_relationship *r)
{
    json_edges *e = ud;
    fputs(e->first ? "\n{\"source\":" : ",\n{\"source\":", e->f);
    json_write_cstr(e->f, r->source_id);
    fputs(",\"target\":", e->f);
    json_write_cstr(e->f, r->target_id);
    fputs(",\"name\":", e->f);
    json_write_cstr(e->f, r->name);
    fputs(",\"id\":", e->f);
    json_write_cstr(e->f, r->id);
    putc('}', e->f);
    e->first = 0;
}

static void write_json(const store *st, FILE *f)
{
    json_edges e;
    twin_cursor c;
    const char *id, *model;
    int first = 1;
    fputs("{\"nodes\":[", f);
    twin_graph_twins_begin(st->graph, &c);
    while (twin_graph_twins_next(st->graph, &c, &id, &model) == TWIN_OK) {
        fputs(first ? "\n{\"id\":" : ",\n{\"id\":", f);
        json_write_cstr(f, id);
        fputs(",\"model\":", f);
        json_write_cstr(f, model);
        putc('}', f);
        first = 0;
    }
    fputs("],\n\"edges\":[", f);
    e.f = f;
    e.first = 1;
    store_relationships(st, json_edge, &e);
    fputs("]}\n", f);
}

/* Graphviz's dot in PATH? */
static int have_dot(void)
{
    const char *path = getenv("PATH");
    char *copy, *dir, *save = NULL, buf[4096];
    int found = 0;
    if (!path) return 0;
    copy = xstrdup(path);
    for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        snprintf(buf, sizeof buf, "%s/dot", *dir ? dir : ".");
        found = access(buf, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* Pipe the DOT text into `dot -Tsvg -o FILE`. */
static int render_svg(const store *st, const char *svg)
{
    int fd[2], status;
    pid_t pid;
    FILE *f;
    if (!have_dot())
        return cli_error("--svg needs Graphviz's dot program, which is not installed "
                         "(Debian: apt-get install graphviz); without --svg, twinctl dot "
                         "prints the DOT text");
    if (pipe(fd) != 0) return cli_error("pipe: %s", strerror(errno));
    fflush(stdout);
    pid = fork();
    if (pid < 0) return cli_error("fork: %s", strerror(errno));
    if (pid == 0) {
        char *args[5];
        args[0] = (char *)"dot";
        args[1] = (char *)"-Tsvg";
        args[2] = (char *)"-o";
        args[3] = (char *)svg;
        args[4] = NULL;
        close(fd[1]);
        if (dup2(fd[0], 0) < 0) _exit(127);
        close(fd[0]);
        execvp("dot", args);
        _exit(127);
    }
    close(fd[0]);
    signal(SIGPIPE, SIG_IGN);  /* dot may exit early: a write error, not a signal */
    f = fdopen(fd[1], "w");
    if (f) {
        write_dot(st, f);
        fclose(f);
    } else {
        close(fd[1]);
    }
    if (waitpid(pid, &status, 0) < 0) return cli_error("waitpid: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return cli_error("dot -Tsvg -o %s failed (exit status %d)", svg,
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

int cmd_dot(int argc, char **argv)
{
    const char *file = NULL, *svg = NULL, *out = NULL, *v, *dbpath = STORE_DEFAULT_DB;
    model_options mo = {NULL, 0, 0};
    int json = 0, with_health = 0, i, r, rc;
    store st;
    diag_sink d;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if ((r = cli_value(argv[0], argc, argv, &i, "--svg", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            svg = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--output", "-o", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            out = v;
        } else if ((r = cli_model_option(argv[0], argc, argv, &i, &mo, 1)) != 0) {
            if (r < 0) return EXIT_USAGE;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            dbpath = v;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--health") == 0) {
            with_health = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else if (file) {
            return cli_usage(argv[0], "one graph file at a time");
        } else {
            file = a;
        }
    }
    if (svg && json) return cli_usage(argv[0], "--svg and --json do not go together");
    diag_begin(&d, stderr, 0);
    if (!file) {
        if (store_open_db(&st, dbpath, TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) != 0) {
            store_free(&st);
            return 1;
        }
    } else if (with_health) {
        return cli_usage(argv[0], "--health needs the database (health lives there)");
    } else if (store_load(&st, file, &mo, &d) != 0 || st.errors) {
        if (st.errors)
            fprintf(stderr, "twinctl dot: %s: not a valid store; import it first\n", file);
        store_free(&st);
        return 1;
    }
    dot_health = with_health;
    if (svg) {
        rc = render_svg(&st, svg);
    } else {
        out_file o;
        rc = 1;
        if (out_open(&o, out) == 0) {
            if (json) write_json(&st, o.f);
            else write_dot(&st, o.f);
            rc = out_close(&o, !ferror(o.f)) == 0 ? 0 : 1;
        }
    }
    store_free(&st);
    return rc;
}
