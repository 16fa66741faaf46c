/* twinctl state: the state of the plant at an instant: each signal's value
 * at T by a policy and a tolerance, with its age, from the database. */
#include "cli.h"
#include "csv.h"
#include "json.h"
#include "mem.h"
#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "Usage: twinctl state --at TIME [OPTIONS] [TWIN...]\n"
    "\n"
    "The state of the plant at an instant: for every signal of the database\n"
    "(of TWIN's, when given), its value at TIME by a policy, the time of the\n"
    "sample it comes from and its age (TIME minus that time; negative for a\n"
    "later sample), and whether it is interpolated. The sample used must lie\n"
    "within the tolerance of TIME (for linear, both neighbours must). A\n"
    "consistent read: when some signal has no such sample the state is\n"
    "refused (exit 1, the signals named on stderr), unless --mark lists them\n"
    "as not covered.\n"
    "\n"
    "Options:\n"
    "  --at TIME          the instant: ISO 8601 UTC (2024-07-01T02:00:00Z,\n"
    "                     fractions allowed) or seconds since the epoch\n"
    "  -d, --db DB        the database (default: ./twin.db)\n"
    "  --policy POLICY    previous (default), next, nearest or linear\n"
    "  --tolerance DUR    largest distance from TIME of a sample used: a number\n"
    "                     of seconds, or with a unit (500ms, 5s, 10min, 2h);\n"
    "                     default none\n"
    "  --mark             list the signals not covered instead of refusing\n"
    "  --json             an array of {\"twin\", \"signal\", \"unit\", \"value\",\n"
    "                     \"t_us\", \"age_us\", \"interpolated\", \"covered\"}\n"
    "                     (null value and times when not covered)\n"
    "  -h, --help         show this help\n";

/* Seconds with an optional unit (ms, s, min, h, d) to microseconds. */
static int parse_duration(const char *s, int64_t *out)
{
    char *end;
    double v = strtod(s, &end), mul = 1e6;
    if (end == s || !isfinite(v) || v < 0) return -1;
    if (*end == '\0' || strcmp(end, "s") == 0) mul = 1e6;
    else if (strcmp(end, "ms") == 0) mul = 1e3;
    else if (strcmp(end, "us") == 0) mul = 1;
    else if (strcmp(end, "min") == 0) mul = 60e6;
    else if (strcmp(end, "h") == 0) mul = 3600e6;
    else if (strcmp(end, "d") == 0) mul = 86400e6;
    else return -1;
    if (v * mul >= 9.2e18) return -1;
    *out = (int64_t)llround(v * mul);
    return 0;
}

static void iso(int64_t t_us, char *buf, size_t cap)
{
    time_t s = (time_t)(t_us >= 0 ? t_us / 1000000 : (t_us - 999999) / 1000000);
    int64_t frac = t_us - (int64_t)s * 1000000;
    struct tm tm;
    char base[32];
    gmtime_r(&s, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac) snprintf(buf, cap, "%s.%06lldZ", base, (long long)frac);
    else snprintf(buf, cap, "%sZ", base);
}

typedef struct first {
    int have;
    int64_t t;
    double v;
} first;

static twin_status take_first(void *ud, const int64_t *t, const double *v, size_t n)
{
    first *f = ud;
    if (!n) return TWIN_OK;
    f->have = 1;
    f->t = t[0];
    f->v = v[0];
    return TWIN_DONE;  /* enough */
}

typedef struct srow {
    const char *twin, *signal, *unit;
    twin_series_value v;
} srow;

int cmd_state(int argc, char **argv)
{
    const char *db = STORE_DEFAULT_DB, *v, *at_s = NULL;
    const char **twins = NULL;
    size_t ntwins = 0, cap = 0, n = 0, capr = 0, k, j, uncovered = 0;
    int json = 0, mark = 0, i, r, rc = 0;
    int64_t at = 0;
    twin_series_options so;
    srow *rows = NULL;
    store st;
    uint64_t cur = 0;
    twin_signal h;
    static const char *const policies[] = {"previous", "next", "nearest", "linear"};

    twin_series_options_init(&so);
    so.flags = TWIN_SERIES_MARK_UNCOVERED;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            free(twins);
            return 0;
        }
        if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) goto usage;
            db = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--at", NULL, &v)) != 0) {
            if (r < 0) goto usage;
            at_s = v;
            if (csv_parse_time(v, &at) != 0) {
                free(twins);
                return cli_usage(argv[0], "--at takes an ISO 8601 UTC time or seconds, not '%s'",
                                 v);
            }
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--policy", NULL, &v)) != 0) {
            if (r < 0) goto usage;
            for (k = 0; k < 4 && strcmp(v, policies[k]); k++) continue;
            if (k == 4) {
                free(twins);
                return cli_usage(argv[0],
                                 "--policy is previous, next, nearest or linear, not '%s'", v);
            }
            so.policy = (int32_t)k + TWIN_SERIES_PREVIOUS;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--tolerance", NULL, &v)) != 0) {
            if (r < 0) goto usage;
            if (parse_duration(v, &so.tolerance_us) != 0) {
                free(twins);
                return cli_usage(argv[0], "--tolerance takes a duration (5s, 500ms...), not '%s'",
                                 v);
            }
        } else if (strcmp(a, "--mark") == 0) {
            mark = 1;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (a[0] == '-' && a[1]) {
            free(twins);
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else {
            xgrow((void **)&twins, &cap, ntwins + 1, sizeof *twins);
            twins[ntwins++] = a;
        }
    }
    if (!at_s) {
        free(twins);
        return cli_usage(argv[0], "--at TIME is required");
    }
    if (store_open_db(&st, db, TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) != 0) {
        store_free(&st);
        free(twins);
        return 1;
    }
    for (k = 0; k < ntwins; k++)
        if (twin_graph_find_twin(st.graph, twins[k], NULL) != TWIN_OK) {
            cli_error("no twin '%s' in %s", twins[k], db);
            rc = 1;
            goto out;
        }
    while (twin_ingest_signals_next(st.ing, &cur, &h) == TWIN_OK) {
        srow x;
        int64_t ts[2];
        double vs[2];
        size_t m = 0;
        first nx = {0, 0, 0};
        int64_t to;
        twin_status s;
        twin_error e;
        memset(&x, 0, sizeof x);
        twin_ingest_signal_info(st.ing, h, &x.twin, &x.signal, &x.unit);
        for (j = 0; j < ntwins && strcmp(twins[j], x.twin); j++) continue;
        if (ntwins && j == ntwins) continue;
        /* the neighbours of the instant in the database: the newest sample
         * at or before it, the first after it (within the tolerance) */
        s = twin_sqlite_value_at(st.db, x.twin, x.signal, at, &ts[0], &vs[0]);
        if (s == TWIN_OK) {
            m = 1;
        } else if (s != TWIN_E_NOTFOUND) {
            cli_error("%s %s: %s", x.twin, x.signal, twin_sqlite_last_error(st.db)->message);
            rc = 1;
            goto out;
        }
        if (!m || ts[0] != at) {
            to = so.tolerance_us > INT64_MAX - at ? INT64_MAX : at + so.tolerance_us + 1;
            if (to < at) to = INT64_MAX;
            s = twin_sqlite_read(st.db, x.twin, x.signal, at, to, take_first, &nx);
            if (s != TWIN_OK && s != TWIN_DONE) {
                cli_error("%s %s: %s", x.twin, x.signal, twin_sqlite_last_error(st.db)->message);
                rc = 1;
                goto out;
            }
            if (nx.have) {
                ts[m] = nx.t;
                vs[m++] = nx.v;
            }
        }
        /* every sample near the instant is known: complete from the start */
        s = twin_series_at(ts, vs, m, INT64_MIN, at, &so, &x.v, &e);
        if (s != TWIN_OK) {
            cli_error("%s %s: %s", x.twin, x.signal, e.message);
            rc = 1;
            goto out;
        }
        if (x.v.flags & TWIN_SERIES_UNCOVERED) uncovered++;
        xgrow((void **)&rows, &capr, n + 1, sizeof *rows);
        rows[n++] = x;
    }
    if (uncovered && !mark) {
        cli_error("no consistent state at %s: %lu signal(s) without a sample within the "
                  "tolerance (--mark lists them):",
                  at_s, (unsigned long)uncovered);
        for (k = 0; k < n; k++)
            if (rows[k].v.flags & TWIN_SERIES_UNCOVERED)
                fprintf(stderr, "  %s %s\n", rows[k].twin, rows[k].signal);
        rc = 1;
        goto out;
    }
    if (json) {
        fputs("[", stdout);
        for (k = 0; k < n; k++) {
            const srow *x = &rows[k];
            int cov = !(x->v.flags & TWIN_SERIES_UNCOVERED);
            fputs(k ? ",\n{\"twin\":" : "\n{\"twin\":", stdout);
            json_write_cstr(stdout, x->twin);
            fputs(",\"signal\":", stdout);
            json_write_cstr(stdout, x->signal);
            fputs(",\"unit\":", stdout);
            json_write_cstr(stdout, x->unit);
            if (cov)
                printf(",\"value\":%.17g,\"t_us\":%lld,\"age_us\":%lld", x->v.value,
                       (long long)x->v.t_us, (long long)x->v.age_us);
            else
                fputs(",\"value\":null,\"t_us\":null,\"age_us\":null", stdout);
            printf(",\"interpolated\":%s,\"covered\":%s}",
                   (x->v.flags & TWIN_SERIES_INTERPOLATED) ? "true" : "false",
                   cov ? "true" : "false");
        }
        fputs(n ? "\n]\n" : "]\n", stdout);
    } else {
        char when[48];
        iso(at, when, sizeof when);
        printf("state at %s, policy %s, tolerance ", when, policies[so.policy - 1]);
        if (so.tolerance_us == INT64_MAX) printf("none\n");
        else printf("%g s\n", (double)so.tolerance_us / 1e6);
        printf("%-12s %-14s %14s %-18s %-27s %10s  %s\n", "twin", "signal", "value", "unit",
               "sample time", "age s", "");
        for (k = 0; k < n; k++) {
            const srow *x = &rows[k];
            if (x->v.flags & TWIN_SERIES_UNCOVERED) {
                printf("%-12s %-14s %14s %-18s %-27s %10s  %s\n", x->twin, x->signal, "-",
                       x->unit, "-", "-", "NOT COVERED");
                continue;
            }
            iso(x->v.t_us, when, sizeof when);
            printf("%-12s %-14s %14.6g %-18s %-27s %10.3f  %s\n", x->twin, x->signal, x->v.value,
                   x->unit, when, (double)x->v.age_us / 1e6,
                   (x->v.flags & TWIN_SERIES_INTERPOLATED) ? "interpolated" : "");
        }
        if (n == 0) printf("(no signal)\n");
    }
out:
    free(rows);
    free(twins);
    store_free(&st);
    return rc;
usage:
    free(twins);
    return EXIT_USAGE;
}
