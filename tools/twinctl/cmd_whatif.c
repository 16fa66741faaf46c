/* twinctl whatif: fork the plant of a database, change the fork, run both
 * forward with common random numbers, and compare. */
#include "cli.h"
#include "json.h"
#include "mem.h"
#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: twinctl whatif [OPTIONS]\n"
    "\n"
    "Fork the plant of the database (its twins, relationships and the health\n"
    "states of its signals, as they are now), apply the changes given, run the\n"
    "plant as it is and the changed plant forward over the horizon (Monte\n"
    "Carlo over each health model's uncertainty, the same random numbers for\n"
    "both), and print for each twin whose outcome changed: its probability\n"
    "of stopping within the horizon, its median time to first stop and its\n"
    "expected downtime, as is and with the changes, with the difference and\n"
    "its 95% interval. The database is only read.\n"
    "\n"
    "Changes (each may be repeated):\n"
    "  --set TWIN.PROP=VALUE     set a number property; VALUE may be *F (times\n"
    "                            F) or +D (plus D, D may be negative)\n"
    "  --fail TWIN@TIME          the twin fails at TIME after now (e.g. 30d)\n"
    "  --mtbf TWIN=TIME          random failures, mean time between them TIME\n"
    "  --remove TWIN             remove a twin and its relationships\n"
    "  --remove-rel SRC/ID       remove a relationship\n"
    "  --add-rel SRC/ID/NAME/DST add a relationship\n"
    "  --failure-level TWIN.SIGNAL=LEVEL  move a signal's failure level\n"
    "  --rate-factor TWIN.SIGNAL=F        multiply a signal's degradation rate\n"
    "\n"
    "The run:\n"
    "  --stress SIGNAL:PROP:power:K:RATED[:VIA]  degradation rate of SIGNAL\n"
    "                            proportional to (PROP / RATED)^K, PROP read on\n"
    "                            the signal's twin or the twin it is VIA-related\n"
    "                            to (e.g. vibration:speedSetpoint:power:3:1:partOf)\n"
    "  --stress SIGNAL:PROP:arrhenius:EA_K:T_REF_K[:VIA]  the same, Arrhenius\n"
    "  --depends NAME[:in]       a twin depends on the targets of its NAME\n"
    "                            relationships (:in: on their sources); default\n"
    "                            partOf:in (a conveyor needs its motor, a line its\n"
    "                            parts); 'none' for no structure\n"
    "  --k-property NAME         integer property k: the twin runs while k of\n"
    "                            its inputs do (default: all of them, series)\n"
    "  --horizon TIME            default 365d\n"
    "  --step TIME               default 1d\n"
    "  --runs N                  default 1000\n"
    "  --seed N                  default 1\n"
    "  --top N                   the N largest changes (default 20; 0: all)\n"
    "  --twin TWIN               show this twin whether it changed or not\n"
    "  --json                    an object {\"runs\", \"horizon_days\", \"twins\": [...]}\n"
    "  -d, --db DB               the database (default: ./twin.db)\n"
    "  -h, --help                show this help\n"
    "\n"
    "TIME is a number with a unit: s, min, h, d or y (365 d).\n";

typedef enum { CH_SET, CH_FAIL, CH_MTBF, CH_REMOVE, CH_REMOVE_REL, CH_ADD_REL, CH_LEVEL,
               CH_RATE } change_kind;

typedef struct change {
    change_kind kind;
    char *a, *b, *c, *d;  /* the parts of the argument */
    char op;              /* CH_SET: '=', '*' or '+' */
    double x;
} change;

typedef struct whatif_args {
    const char *db;
    change *ch;
    size_t nch, capch;
    twin_scenario_stress *stress;
    size_t nstress, capstress;
    const char **depends;
    size_t ndepends, capdepends;
    const char **show;
    size_t nshow, capshow;
    twin_scenario_run_options o;
    unsigned long top;
    int json;
} whatif_args;

/* "30d" and the like, in seconds. */
static int parse_time(const char *s, double *out)
{
    static const struct { const char *u; double s; } units[] = {
        {"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}, {"y", 365 * 86400.0}};
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0) return -1;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcmp(end, units[i].u) == 0) {
            *out = v * units[i].s;
            return 0;
        }
    return -1;
}

/* Split a copy of s at the first `sep` (from the right when `last`): the
 * parts in *a and *b; -1 when there is none or a part is empty. */
static int split(const char *s, char sep, int last, char **a, char **b)
{
    char *c = xstrdup(s), *p = last ? strrchr(c, sep) : strchr(c, sep);
    if (!p || p == c || !p[1]) {
        free(c);
        return -1;
    }
    *p = 0;
    *a = c;
    *b = p + 1;
    return 0;
}

static int add_change(whatif_args *w, const char *opt, const char *v)
{
    change c;
    char *lhs, *rhs;
    memset(&c, 0, sizeof c);
    if (strcmp(opt, "--set") == 0 || strcmp(opt, "--failure-level") == 0 ||
        strcmp(opt, "--rate-factor") == 0) {
        char *num;
        if (split(v, '=', 0, &lhs, &rhs) != 0 || split(lhs, '.', 1, &c.a, &c.b) != 0)
            return cli_usage("whatif", "%s takes TWIN.NAME=VALUE, not '%s'", opt, v);
        num = rhs;
        c.op = '=';
        if (opt[2] == 's' && (*num == '*' || *num == '+')) c.op = *num++;
        if (cli_double(num, -1e300, 1e300, &c.x) != 0)
            return cli_usage("whatif", "%s: '%s' is not a number", opt, num);
        c.kind = opt[2] == 's' ? CH_SET : opt[2] == 'f' ? CH_LEVEL : CH_RATE;
        {
            /* c.a holds both parts; num points into lhs: both copied out */
            char *ta = xstrdup(c.a), *tb = xstrdup(c.b);
            free(c.a);
            free(lhs);
            c.a = ta;
            c.b = tb;
        }
    } else if (strcmp(opt, "--fail") == 0 || strcmp(opt, "--mtbf") == 0) {
        int fail = opt[2] == 'f';
        if (split(v, fail ? '@' : '=', 1, &lhs, &rhs) != 0 || parse_time(rhs, &c.x) != 0)
            return cli_usage("whatif", "%s takes TWIN%cTIME (e.g. 30d), not '%s'", opt,
                             fail ? '@' : '=', v);
        if (!fail && !(c.x > 0)) return cli_usage("whatif", "--mtbf needs a time > 0");
        c.kind = fail ? CH_FAIL : CH_MTBF;
        c.a = lhs;
    } else if (strcmp(opt, "--remove") == 0) {
        c.kind = CH_REMOVE;
        c.a = xstrdup(v);
    } else {
        /* --remove-rel SRC/ID, --add-rel SRC/ID/NAME/DST */
        int add = opt[2] == 'a';
        char *s = xstrdup(v), *parts[4];
        size_t n = 0;
        for (char *p = s, *q; n < 4; p = q + 1) {
            parts[n++] = p;
            if (!(q = strchr(p, '/'))) break;
            *q = 0;
        }
        if (n != (add ? 4u : 2u) || strchr(parts[n - 1], '/')) {
            free(s);
            return cli_usage("whatif", "%s takes %s, not '%s'", opt,
                             add ? "SRC/ID/NAME/DST" : "SRC/ID", v);
        }
        c.kind = add ? CH_ADD_REL : CH_REMOVE_REL;
        c.a = xstrdup(parts[0]);
        c.b = xstrdup(parts[1]);
        if (add) {
            c.c = xstrdup(parts[2]);
            c.d = xstrdup(parts[3]);
        }
        free(s);
    }
    xgrow((void **)&w->ch, &w->capch, w->nch + 1, sizeof *w->ch);
    w->ch[w->nch++] = c;
    return 0;
}

static int add_stress(whatif_args *w, const char *v)
{
    char *s = xstrdup(v), *f[6];
    size_t n = 0;
    twin_scenario_stress st;
    for (char *p = s, *q; n < 6; p = q + 1) {
        f[n++] = p;
        if (!(q = strchr(p, ':'))) break;
        *q = 0;
    }
    memset(&st, 0, sizeof st);
    if (n < 5 || !*f[0] || !*f[1]) goto bad;
    if (strcmp(f[2], "power") == 0) st.law = TWIN_STRESS_POWER;
    else if (strcmp(f[2], "arrhenius") == 0) st.law = TWIN_STRESS_ARRHENIUS;
    else goto bad;
    if (cli_double(f[3], 1e-300, 1e300, &st.exponent) != 0 ||
        cli_double(f[4], 1e-300, 1e300, &st.rated) != 0)
        goto bad;
    st.signal = f[0];
    st.property = f[1];
    st.via = n == 6 && *f[5] ? f[5] : NULL;
    xgrow((void **)&w->stress, &w->capstress, w->nstress + 1, sizeof *w->stress);
    w->stress[w->nstress++] = st;
    return 0;  /* s is kept: the law points into it (freed at exit) */
bad:
    free(s);
    return cli_usage("whatif",
                     "--stress takes SIGNAL:PROP:power|arrhenius:K:RATED[:VIA] with K and "
                     "RATED > 0, not '%s'", v);
}

/* Apply one change to the scenario; 0, or -1 reported. */
static int apply(twin_scenario *sc, const change *c)
{
    twin_status s;
    switch (c->kind) {
    case CH_SET: {
        double x = c->x;
        twin_value v;
        if (c->op != '=') {
            const twin_value *cur;
            if (twin_scenario_get_property(sc, c->a, c->b, &cur) != TWIN_OK) break;
            if (cur->type != TWIN_VALUE_DOUBLE && cur->type != TWIN_VALUE_INT) {
                cli_error("--set %s.%s: the property is not a number", c->a, c->b);
                return -1;
            }
            x = cur->type == TWIN_VALUE_INT ? (double)cur->as.i : cur->as.d;
            x = c->op == '*' ? x * c->x : x + c->x;
        }
        v = twin_value_double(x);
        s = twin_scenario_set_property(sc, c->a, c->b, &v);
        if (s == TWIN_OK) return 0;
        break;
    }
    case CH_FAIL:
        if (twin_scenario_fail_twin(sc, c->a, c->x) == TWIN_OK) return 0;
        break;
    case CH_MTBF:
        if (twin_scenario_set_failure_rate(sc, c->a, 1.0 / c->x) == TWIN_OK) return 0;
        break;
    case CH_REMOVE:
        if (twin_scenario_remove_twin(sc, c->a) == TWIN_OK) return 0;
        break;
    case CH_REMOVE_REL:
        if (twin_scenario_remove_relationship(sc, c->a, c->b) == TWIN_OK) return 0;
        break;
    case CH_ADD_REL:
        if (twin_scenario_add_relationship(sc, c->a, c->b, c->c, c->d) == TWIN_OK) return 0;
        break;
    case CH_LEVEL:
        if (twin_scenario_set_health(sc, c->a, c->b, TWIN_SCENARIO_FAILURE_LEVEL, c->x) ==
            TWIN_OK)
            return 0;
        break;
    case CH_RATE:
        if (twin_scenario_set_health(sc, c->a, c->b, TWIN_SCENARIO_RATE_FACTOR, c->x) == TWIN_OK)
            return 0;
        break;
    }
    cli_error("%s", twin_scenario_last_error(sc)->message);
    return -1;
}

typedef struct row {
    const char *twin;
    twin_scenario_outcome a, b;
    twin_scenario_diff d;
    int shown;  /* asked for with --twin */
} row;

static int by_change(const void *x, const void *y)
{
    const row *p = x, *q = y;
    double dp = fabs(p->d.downtime_s), dq = fabs(q->d.downtime_s);
    if (dp != dq) return dp > dq ? -1 : 1;
    dp = fabs(p->d.p_fail), dq = fabs(q->d.p_fail);
    if (dp != dq) return dp > dq ? -1 : 1;
    return strcmp(p->twin, q->twin);
}

static void days(FILE *f, double s, int json)
{
    if (isinf(s) || isnan(s)) fputs(json ? "null" : ">h", f);
    else fprintf(f, "%.1f", s / 86400.0);
}

static const char *days_str(char *buf, size_t cap, double s)
{
    FILE *f = fmemopen(buf, cap, "w");
    days(f, s, 0);
    fclose(f);
    return buf;
}

static void print_rows(const whatif_args *w, const row *rows, size_t n)
{
    const twin_scenario_run_options *o = &w->o;
    if (w->json) {
        printf("{\"runs\":%u,\"seed\":%llu,\"horizon_days\":%.3f,\"step_days\":%.6g,\"twins\":[",
               (unsigned)o->runs, (unsigned long long)o->seed, o->horizon_s / 86400.0,
               o->step_s / 86400.0);
        for (size_t k = 0; k < n; k++) {
            const row *r = &rows[k];
            fputs(k ? ",\n{\"twin\":" : "\n{\"twin\":", stdout);
            json_write_cstr(stdout, r->twin);
            printf(",\"p_fail\":[%.4f,%.4f],\"p_fail_diff\":[%.4f,%.4f,%.4f],\"ttf_median_days\":[",
                   r->a.p_fail, r->b.p_fail, r->d.p_fail, r->d.p_fail_lo, r->d.p_fail_hi);
            days(stdout, r->a.ttf_median, 1);
            fputc(',', stdout);
            days(stdout, r->b.ttf_median, 1);
            fputs("],\"ttf_interval_days\":[[", stdout);
            days(stdout, r->a.ttf_lower, 1);
            fputc(',', stdout);
            days(stdout, r->a.ttf_upper, 1);
            fputs("],[", stdout);
            days(stdout, r->b.ttf_lower, 1);
            fputc(',', stdout);
            days(stdout, r->b.ttf_upper, 1);
            printf("]],\"downtime_days\":[%.3f,%.3f],\"downtime_diff_days\":[%.3f,%.3f,%.3f]}",
                   r->a.downtime_s / 86400, r->b.downtime_s / 86400, r->d.downtime_s / 86400,
                   r->d.downtime_lo / 86400, r->d.downtime_hi / 86400);
        }
        fputs(n ? "\n]}\n" : "]}\n", stdout);
        return;
    }
    printf("%u runs, horizon %.0f days, step %g days, seed %llu; as is -> with the changes\n"
           "(>h: beyond the horizon; changes with 95%% intervals from the paired runs;\n"
           "stop days with the changes' 5%% and 95%% quantiles)\n\n",
           (unsigned)o->runs, o->horizon_s / 86400, o->step_s / 86400,
           (unsigned long long)o->seed);
    printf("%-12s %-11s %-20s %-27s %s\n", "twin", "P(stop)", "  change [95%]",
           "stop day: median [90%]", "downtime days: change [95%]");
    for (size_t k = 0; k < n; k++) {
        const row *r = &rows[k];
        char pa[32], pb[64], ma[16], mb[16], lo[16], hi[16], med[80], dt[64];
        snprintf(pa, sizeof pa, "%.2f->%.2f", r->a.p_fail, r->b.p_fail);
        snprintf(pb, sizeof pb, "%+.2f [%+.2f,%+.2f]", r->d.p_fail, r->d.p_fail_lo,
                 r->d.p_fail_hi);
        snprintf(med, sizeof med, "%s->%s [%s,%s]", days_str(ma, sizeof ma, r->a.ttf_median),
                 days_str(mb, sizeof mb, r->b.ttf_median),
                 days_str(lo, sizeof lo, r->b.ttf_lower), days_str(hi, sizeof hi, r->b.ttf_upper));
        snprintf(dt, sizeof dt, "%+.1f [%+.1f,%+.1f]", r->d.downtime_s / 86400,
                 r->d.downtime_lo / 86400, r->d.downtime_hi / 86400);
        printf("%-12s %-11s %-20s %-27s %s\n", r->twin, pa, pb, med, dt);
    }
    if (!n) printf("(no twin's outcome changed)\n");
}

static int run(whatif_args *w)
{
    store st;
    twin_scenario *base = NULL, *sc = NULL;
    twin_scenario_result *ra = NULL, *rb = NULL;
    row *rows = NULL;
    size_t n = 0, k;
    int rc = 1;
    if (store_open_db(&st, w->db, TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) !=
        0)
        goto out;
    for (k = 0; k < w->nshow; k++)
        if (twin_graph_find_twin(st.graph, w->show[k], NULL) != TWIN_OK) {
            cli_error("no twin '%s' in %s", w->show[k], w->db);
            goto out;
        }
    if (twin_scenario_fork(&base, st.graph, st.ing, 0) != TWIN_OK ||
        twin_scenario_fork(&sc, st.graph, st.ing, 0) != TWIN_OK) {
        cli_error("cannot fork the plant: out of memory");
        goto out;
    }
    for (k = 0; k < w->nch; k++)
        if (apply(sc, &w->ch[k]) != 0) goto out;
    if (twin_scenario_run(base, &w->o, &ra) != TWIN_OK) {
        cli_error("%s", twin_scenario_last_error(base)->message);
        goto out;
    }
    if (twin_scenario_run(sc, &w->o, &rb) != TWIN_OK) {
        cli_error("%s", twin_scenario_last_error(sc)->message);
        goto out;
    }
    rows = xmalloc((twin_scenario_result_count(rb) + 1) * sizeof *rows);
    for (k = 0; k < twin_scenario_result_count(rb); k++) {
        row r;
        size_t j;
        memset(&r, 0, sizeof r);
        r.b.size = r.a.size = sizeof r.a;
        r.d.size = sizeof r.d;
        twin_scenario_result_get(rb, k, NULL, &r.b);
        r.twin = r.b.twin_id;
        if (twin_scenario_result_get(ra, 0, r.twin, &r.a) != TWIN_OK) continue; /* added */
        twin_scenario_compare(ra, rb, r.twin, &r.d);
        for (j = 0; j < w->nshow && strcmp(w->show[j], r.twin) != 0; j++) {}
        r.shown = j < w->nshow;
        if (!r.shown && r.d.p_fail == 0 && r.d.downtime_s == 0 && r.d.p_fail_lo == 0 &&
            r.a.ttf_median == r.b.ttf_median)
            continue;
        rows[n++] = r;
    }
    qsort(rows, n, sizeof *rows, by_change);
    if (w->top && n > w->top) {
        /* keep the --twin rows beyond the top */
        size_t m = w->top;
        for (k = w->top; k < n; k++)
            if (rows[k].shown) rows[m++] = rows[k];
        n = m;
    }
    print_rows(w, rows, n);
    rc = 0;
out:
    free(rows);
    twin_scenario_result_destroy(rb);
    twin_scenario_result_destroy(ra);
    twin_scenario_destroy(sc);
    twin_scenario_destroy(base);
    store_free(&st);
    return rc;
}

int cmd_whatif(int argc, char **argv)
{
    static const char *const change_opts[] = {"--set",        "--fail",       "--mtbf",
                                              "--remove",     "--remove-rel", "--add-rel",
                                              "--failure-level", "--rate-factor"};
    whatif_args w;
    const char *v;
    int i, r, rc;
    unsigned long ul;
    double t;
    memset(&w, 0, sizeof w);
    w.db = STORE_DEFAULT_DB;
    w.top = 20;
    twin_scenario_run_options_init(&w.o);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t c;
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        for (c = 0; c < sizeof change_opts / sizeof *change_opts; c++)
            if ((r = cli_value(argv[0], argc, argv, &i, change_opts[c], NULL, &v)) != 0) break;
        if (c < sizeof change_opts / sizeof *change_opts) {
            if (r < 0 || add_change(&w, change_opts[c], v) != 0) return EXIT_USAGE;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            w.db = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--stress", NULL, &v)) != 0) {
            if (r < 0 || add_stress(&w, v) != 0) return EXIT_USAGE;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--depends", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            xgrow((void **)&w.depends, &w.capdepends, w.ndepends + 2, sizeof *w.depends);
            w.depends[w.ndepends++] = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--k-property", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            w.o.k_property = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--twin", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            xgrow((void **)&w.show, &w.capshow, w.nshow + 1, sizeof *w.show);
            w.show[w.nshow++] = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--horizon", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (parse_time(v, &t) != 0 || !(t > 0))
                return cli_usage(argv[0], "--horizon takes a time > 0 with a unit (s, min, h, "
                                 "d, y), not '%s'", v);
            w.o.horizon_s = t;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--step", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (parse_time(v, &t) != 0 || !(t > 0))
                return cli_usage(argv[0], "--step takes a time > 0 with a unit (s, min, h, d, "
                                 "y), not '%s'", v);
            w.o.step_s = t;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--runs", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 1, 10000000, &ul) != 0)
                return cli_usage(argv[0], "--runs takes 1 to 10000000, not '%s'", v);
            w.o.runs = (uint32_t)ul;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--seed", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 0, (unsigned long)-1, &ul) != 0)
                return cli_usage(argv[0], "--seed takes a whole number, not '%s'", v);
            w.o.seed = ul;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--top", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 0, 1000000000, &w.top) != 0)
                return cli_usage(argv[0], "--top takes a whole number, not '%s'", v);
        } else if (strcmp(a, "--json") == 0) {
            w.json = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else {
            return cli_usage(argv[0], "unexpected argument '%s'", a);
        }
    }
    if (w.o.step_s > w.o.horizon_s)
        return cli_usage(argv[0], "the step is longer than the horizon");
    if (!w.ndepends) {
        xgrow((void **)&w.depends, &w.capdepends, 2, sizeof *w.depends);
        w.depends[w.ndepends++] = "partOf:in";
    } else if (w.ndepends == 1 && strcmp(w.depends[0], "none") == 0) {
        w.ndepends = 0;
    }
    w.depends[w.ndepends] = NULL;
    w.o.depends = w.depends;
    w.o.stress = w.stress;
    w.o.nstress = (uint32_t)w.nstress;
    rc = run(&w);
    for (size_t k = 0; k < w.nch; k++) {
        free(w.ch[k].a);
        free(w.ch[k].b);
        free(w.ch[k].c);
        free(w.ch[k].d);
    }
    for (size_t k = 0; k < w.nstress; k++) free((char *)w.stress[k].signal);
    free(w.ch);
    free(w.stress);
    free(w.depends);
    free(w.show);
    return rc;
}
