/* twinctl impact: who is affected by a twin, how far, how badly. */
#include "cli.h"
#include "json.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: twinctl impact [OPTIONS] [GRAPH_FILE] TWIN...\n"
    "\n"
    "The graph is the database's (-d DB, default ./twin.db), or GRAPH_FILE's\n"
    "(a bulk-import file, when the first argument names one and -d is not\n"
    "given).\n"
    "\n"
    "Traverse the graph breadth-first from TWIN (one or more roots) and list\n"
    "every twin reached, once, at its shortest distance: its depth, its\n"
    "impact score and its path (the chain of twins from the root, with the\n"
    "relationship followed at each hop, -name-> along it, <-name- against it).\n"
    "\n"
    "Scores are propagated healths in [0, 1] (1 healthy): the roots score\n"
    "--root-health; with the default rule each hop passes on a fraction\n"
    "(--attenuation) of the loss of health. The impact shown is 1 - score:\n"
    "1 for a failed root, 0.8 one hop away, 0.64 two hops away, and so on.\n"
    "(Twins' own health comes with the storage layer; until then it is 1.)\n"
    "\n"
    "Options:\n"
    "  -d, --db DB                   the database (default: ./twin.db)\n"
    "  --follow NAME[:out|in|both]   follow relationships named NAME, in that\n"
    "                                direction (default: --direction); repeat\n"
    "                                for several names. Default: every name\n"
    "  --direction out|in|both       direction of relationships followed\n"
    "                                (default: out, from source to target)\n"
    "  --depth N                     report twins at most N hops away\n"
    "  --rule attenuate|weakest      score rule (default attenuate); weakest:\n"
    "                                a twin scores the weakest health on its path\n"
    "  --attenuation A               fraction of health loss passed on per hop,\n"
    "                                0 to 1 (default 0.8)\n"
    "  --root-health H               health of the roots, 0 to 1 (default 0)\n"
    "  --json                        print a JSON object on stdout\n"
    "  --models DIR                  also load the .json models under DIR\n"
    "  -h, --help                    show this help\n";

typedef struct impact_args {
    const char *file, *db;
    int shifted;  /* roots moved past the graph file */
    const char **roots;
    size_t nroots;
    twin_impact_follow *follow;
    size_t nfollow, capfollow;
    twin_impact_options opts;
    model_options mo;
    int json;
} impact_args;

static int direction(const char *s, int32_t *out)
{
    if (strcmp(s, "out") == 0) *out = TWIN_DIRECTION_OUTGOING;
    else if (strcmp(s, "in") == 0) *out = TWIN_DIRECTION_INCOMING;
    else if (strcmp(s, "both") == 0) *out = TWIN_DIRECTION_BOTH;
    else return -1;
    return 0;
}

static int add_follow(impact_args *a, const char *cmd, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    twin_impact_follow f;
    memset(&f, 0, sizeof f);
    f.name = spec;
    if (colon) {
        if (direction(colon + 1, &f.direction) != 0)
            return cli_usage(cmd, "--follow %s: the direction is out, in or both", spec);
        f.name = xstrndup(spec, (size_t)(colon - spec));
    } else {
        f.name = xstrdup(spec);
    }
    if (!*f.name) {
        free((char *)f.name);
        return cli_usage(cmd, "--follow needs a relationship name");
    }
    xgrow((void **)&a->follow, &a->capfollow, a->nfollow + 1, sizeof *a->follow);
    a->follow[a->nfollow++] = f;
    return 0;
}

static void free_args(impact_args *a)
{
    size_t k;
    for (k = 0; k < a->nfollow; k++) free((char *)a->follow[k].name);
    free(a->follow);
    free(a->shifted ? a->roots - 1 : a->roots);
}

static int option(impact_args *a, int argc, char **argv, int *i)
{
    const char *cmd = argv[0], *v;
    int r;
    if ((r = cli_value(cmd, argc, argv, i, "--db", "-d", &v)) != 0) {
        if (r < 0) return EXIT_USAGE;
        a->db = v;
        return 0;
    }
    if ((r = cli_value(cmd, argc, argv, i, "--follow", NULL, &v)) != 0)
        return r < 0 ? EXIT_USAGE : add_follow(a, cmd, v);
    if ((r = cli_value(cmd, argc, argv, i, "--direction", NULL, &v)) != 0) {
        if (r < 0) return EXIT_USAGE;
        if (direction(v, &a->opts.direction) != 0)
            return cli_usage(cmd, "--direction is out, in or both, not '%s'", v);
        return 0;
    }
    if ((r = cli_value(cmd, argc, argv, i, "--depth", NULL, &v)) != 0) {
        unsigned long n;
        if (r < 0) return EXIT_USAGE;
        if (cli_uint(v, 0, UINT32_MAX, &n) != 0)
            return cli_usage(cmd, "--depth takes a whole number, not '%s'", v);
        a->opts.max_depth = (uint32_t)n;
        return 0;
    }
    if ((r = cli_value(cmd, argc, argv, i, "--rule", NULL, &v)) != 0) {
        if (r < 0) return EXIT_USAGE;
        if (strcmp(v, "attenuate") == 0) a->opts.rule = TWIN_IMPACT_ATTENUATE;
        else if (strcmp(v, "weakest") == 0) a->opts.rule = TWIN_IMPACT_WEAKEST_LINK;
        else return cli_usage(cmd, "--rule is attenuate or weakest, not '%s'", v);
        return 0;
    }
    if ((r = cli_value(cmd, argc, argv, i, "--attenuation", NULL, &v)) != 0) {
        if (r < 0) return EXIT_USAGE;
        if (cli_double(v, 0, 1, &a->opts.attenuation) != 0)
            return cli_usage(cmd, "--attenuation takes a number from 0 to 1, not '%s'", v);
        return 0;
    }
    if ((r = cli_value(cmd, argc, argv, i, "--root-health", NULL, &v)) != 0) {
        if (r < 0) return EXIT_USAGE;
        if (cli_double(v, 0, 1, &a->opts.root_health) != 0)
            return cli_usage(cmd, "--root-health takes a number from 0 to 1, not '%s'", v);
        return 0;
    }
    if ((r = cli_model_option(cmd, argc, argv, i, &a->mo, 1)) != 0) return r < 0 ? EXIT_USAGE : 0;
    if (strcmp(argv[*i], "--json") == 0) {
        a->json = 1;
        return 0;
    }
    return cli_usage(cmd, "unknown option '%s'", argv[*i]);
}

/* Returns -1 to go on, else the exit code. */
static int parse(int argc, char **argv, impact_args *a)
{
    int i, rc;
    size_t cap = 0;
    memset(a, 0, sizeof *a);
    twin_impact_options_init(&a->opts);
    a->opts.rule = TWIN_IMPACT_ATTENUATE;
    a->opts.attenuation = 0.8;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (cli_is_help(arg)) {
            fputs(help, stdout);
            return 0;
        }
        if (arg[0] == '-' && arg[1]) {
            if ((rc = option(a, argc, argv, &i)) != 0) return rc;
        } else {
            xgrow((void **)&a->roots, &cap, a->nroots + 1, sizeof *a->roots);
            a->roots[a->nroots++] = arg;
        }
    }
    /* GRAPH_FILE TWIN...: a first argument that is a bulk-import file (and
       no -d). Otherwise every argument is a twin of the database. */
    if (!a->db && a->nroots >= 2 && store_is_graph_file(a->roots[0])) {
        a->file = a->roots[0];
        a->roots++;
        a->nroots--;
        a->shifted = 1;
    }
    if (!a->db) a->db = STORE_DEFAULT_DB;
    if (!a->nroots) return cli_usage(argv[0], "no twin given");
    a->opts.follow = a->follow;
    a->opts.nfollow = a->nfollow;
    return -1;
}

/* The hits of the last run, copied out of the context. */
typedef struct hits {
    twin_impact_hit *h;
    size_t n;
} hits;

static void print_path(FILE *f, const hits *H, size_t i, int json)
{
    const twin_impact_hit *h = &H->h[i];
    if (h->parent_index == UINT64_MAX) {
        if (json) json_write_cstr(f, h->twin_id);
        else fputs(h->twin_id, f);
        return;
    }
    print_path(f, H, (size_t)h->parent_index, json);
    if (json) {
        putc(',', f);
        json_write_cstr(f, h->twin_id);
    } else if (strcmp(h->via_source_id, h->parent_id) == 0) {
        fprintf(f, " -%s-> %s", h->via_name, h->twin_id);
    } else {
        fprintf(f, " <-%s- %s", h->via_name, h->twin_id);
    }
}

static void print_text(const impact_args *a, const hits *H)
{
    size_t i, w = 4, wm = 5;
    char name[256];
    for (i = 0; i < H->n; i++) {
        size_t n = strlen(H->h[i].twin_id), m;
        store_model_name(H->h[i].model_id, name, sizeof name);
        m = strlen(name);
        if (n > w) w = n;
        if (m > wm) wm = m;
    }
    printf("%lu twin%s reached from %s", (unsigned long)H->n, H->n == 1 ? "" : "s", a->roots[0]);
    for (i = 1; i < a->nroots; i++) printf(", %s", a->roots[i]);
    printf("\n%5s  %6s  %-*s  %-*s  %s\n", "depth", "impact", (int)w, "twin", (int)wm, "model",
           "path");
    for (i = 0; i < H->n; i++) {
        const twin_impact_hit *h = &H->h[i];
        printf("%5u  %6.3f  %-*s  %-*s  ", h->depth, 1.0 - h->score, (int)w, h->twin_id, (int)wm,
               store_model_name(h->model_id, name, sizeof name));
        print_path(stdout, H, i, 0);
        putchar('\n');
    }
}

static void print_json(const impact_args *a, const hits *H)
{
    size_t i;
    char num[40];
    fputs("{\"roots\":[", stdout);
    for (i = 0; i < a->nroots; i++) {
        if (i) putchar(',');
        json_write_cstr(stdout, a->roots[i]);
    }
    printf("],\"rule\":\"%s\",\"count\":%lu,\"twins\":[",
           a->opts.rule == TWIN_IMPACT_ATTENUATE ? "attenuate" : "weakest", (unsigned long)H->n);
    for (i = 0; i < H->n; i++) {
        const twin_impact_hit *h = &H->h[i];
        fputs(i ? ",\n{\"twin\":" : "\n{\"twin\":", stdout);
        json_write_cstr(stdout, h->twin_id);
        fputs(",\"model\":", stdout);
        json_write_cstr(stdout, h->model_id);
        printf(",\"depth\":%u,\"score\":", h->depth);
        json_format_double(num, sizeof num, h->score);
        fputs(num, stdout);
        fputs(",\"impact\":", stdout);
        json_format_double(num, sizeof num, 1.0 - h->score);
        fputs(num, stdout);
        if (h->parent_id) {
            fputs(",\"parent\":", stdout);
            json_write_cstr(stdout, h->parent_id);
            fputs(",\"via\":{\"id\":", stdout);
            json_write_cstr(stdout, h->via_id);
            fputs(",\"name\":", stdout);
            json_write_cstr(stdout, h->via_name);
            fputs(",\"source\":", stdout);
            json_write_cstr(stdout, h->via_source_id);
            putchar('}');
        }
        fputs(",\"path\":[", stdout);
        print_path(stdout, H, i, 1);
        fputs("]}", stdout);
    }
    fputs(H->n ? "\n]}\n" : "]}\n", stdout);
}

static int run(const impact_args *a, const store *st)
{
    twin_impact *q;
    twin_status s;
    hits H = {NULL, 0};
    size_t i;
    for (i = 0; i < a->nroots; i++)
        if (twin_graph_find_twin(st->graph, a->roots[i], NULL) != TWIN_OK)
            return cli_error("%s: no twin '%s'", a->file, a->roots[i]);
    if ((s = twin_impact_create(&q, st->graph, NULL)) != TWIN_OK)
        return cli_error("impact: %s", twin_strerror(s));
    if ((s = twin_impact_run(q, a->roots, a->nroots, &a->opts, NULL, NULL)) != TWIN_OK) {
        cli_error("impact: %s", twin_impact_last_error(q)->message);
        twin_impact_destroy(q);
        return 1;
    }
    H.n = twin_impact_count(q);
    H.h = xmalloc((H.n ? H.n : 1) * sizeof *H.h);
    for (i = 0; i < H.n; i++) {
        H.h[i].size = sizeof H.h[i];
        twin_impact_get(q, i, &H.h[i]);
    }
    if (a->json) print_json(a, &H);
    else print_text(a, &H);
    free(H.h);
    twin_impact_destroy(q);
    return 0;
}

int cmd_impact(int argc, char **argv)
{
    impact_args a;
    store st;
    diag_sink d;
    int rc = parse(argc, argv, &a);
    if (rc < 0) {
        diag_begin(&d, stderr, 0);
        if (!a.file) {
            rc = store_open_db(&st, a.db, TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) == 0
                     ? run(&a, &st)
                     : 1;
        } else if (store_load(&st, a.file, &a.mo, &d) != 0 || st.errors) {
            if (st.errors)
                fprintf(stderr, "twinctl impact: %s: not a valid store; import it first\n", a.file);
            rc = 1;
        } else {
            rc = run(&a, &st);
        }
        store_free(&st);
    }
    free_args(&a);
    return rc;
}
