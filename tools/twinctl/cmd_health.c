/* twinctl health: health, remaining useful life and divergence state of
 * the signals with a health model, worst first. */
#include "cli.h"
#include "json.h"
#include "mem.h"
#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: twinctl health [OPTIONS] [TWIN...]\n"
    "\n"
    "For every signal of the database with a health model (of TWIN's, when\n"
    "given), worst first: its health score at its latest sample (1 at the\n"
    "model's baseline, 0 at its failure level), the remaining useful life to\n"
    "the failure level with a 90% interval (5% and 95% quantiles, in days;\n"
    "inf: never at the rate learnt), whether the model is diverged from the\n"
    "measurements now, and how many samples recalibrated it.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB     the database (default: ./twin.db)\n"
    "  --top N         the N worst only\n"
    "  --json          an array of {\"twin\", \"signal\", \"unit\", \"health\",\n"
    "                  \"rul_days\", \"rul_low_days\", \"rul_high_days\", \"diverged\",\n"
    "                  \"recalibrations\", \"samples\", \"latest\", \"latest_t_us\"}\n"
    "                  (null for an infinite RUL)\n"
    "  -h, --help      show this help\n";

typedef struct row {
    const char *twin, *signal, *unit;
    double health, rul, lo, hi, latest;
    int64_t latest_t;
    int diverged;
    uint64_t recal, samples;
} row;

static int by_health(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->health != y->health) return x->health < y->health ? -1 : 1;
    if (x->rul != y->rul) return x->rul < y->rul ? -1 : 1;
    return strcmp(x->twin, y->twin);
}

static void days(FILE *f, double s, int json)
{
    if (isinf(s) || isnan(s)) fputs(json ? "null" : "inf", f);
    else fprintf(f, json ? "%.3f" : s < 10 * 86400.0 ? "%.1f" : "%.0f", s / 86400.0);
}

int cmd_health(int argc, char **argv)
{
    const char *db = STORE_DEFAULT_DB, *v;
    const char **twins = NULL;
    size_t ntwins = 0, cap = 0, n = 0, capr = 0, k, j;
    unsigned long top = 0;
    int json = 0, i, r;
    row *rows = NULL;
    store st;
    uint64_t cur = 0;
    twin_signal h;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            db = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--top", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_uint(v, 1, 1000000000, &top) != 0)
                return cli_usage(argv[0], "--top takes a whole number, not '%s'", v);
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else {
            xgrow((void **)&twins, &cap, ntwins + 1, sizeof *twins);
            twins[ntwins++] = a;
        }
    }
    if (store_open_db(&st, db, TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) != 0) {
        store_free(&st);
        free(twins);
        return 1;
    }
    for (k = 0; k < ntwins; k++)
        if (twin_graph_find_twin(st.graph, twins[k], NULL) != TWIN_OK) {
            cli_error("no twin '%s' in %s", twins[k], db);
            store_free(&st);
            free(twins);
            return 1;
        }
    while (twin_ingest_signals_next(st.ing, &cur, &h) == TWIN_OK) {
        twin_health hs;
        twin_health_options o;
        twin_health_stats s;
        twin_health_rul rul;
        row x;
        memset(&x, 0, sizeof x);
        twin_health_options_init(&o);
        if (twin_ingest_get_health(st.ing, h, &hs, &o) != TWIN_OK) continue;
        twin_ingest_signal_info(st.ing, h, &x.twin, &x.signal, &x.unit);
        for (j = 0; j < ntwins && strcmp(twins[j], x.twin); j++) continue;
        if (ntwins && j == ntwins) continue;
        memset(&s, 0, sizeof s);
        s.size = sizeof s;
        twin_health_get_stats(&hs, &s, NULL);
        if (twin_ingest_get_latest(st.ing, h, &x.latest_t, &x.latest) != TWIN_OK)
            x.latest_t = s.last_us, x.latest = NAN;
        if (twin_health_get_score(&hs, &o, x.latest_t, &x.health, NULL) != TWIN_OK)
            x.health = NAN;
        memset(&rul, 0, sizeof rul);
        rul.size = sizeof rul;
        if (twin_health_get_rul(&hs, &o, 0.05, 0.95, &rul, NULL) == TWIN_OK) {
            x.rul = rul.median, x.lo = rul.lower, x.hi = rul.upper;
        } else {
            x.rul = x.lo = x.hi = NAN;
        }
        x.diverged = s.diverged;
        x.recal = s.recalibrations;
        x.samples = s.samples;
        xgrow((void **)&rows, &capr, n + 1, sizeof *rows);
        rows[n++] = x;
    }
    qsort(rows, n, sizeof *rows, by_health);
    if (top && top < n) n = top;
    if (json) {
        fputs("[", stdout);
        for (k = 0; k < n; k++) {
            const row *x = &rows[k];
            fputs(k ? ",\n{\"twin\":" : "\n{\"twin\":", stdout);
            json_write_cstr(stdout, x->twin);
            fputs(",\"signal\":", stdout);
            json_write_cstr(stdout, x->signal);
            fputs(",\"unit\":", stdout);
            json_write_cstr(stdout, x->unit);
            printf(",\"health\":%.4f,\"rul_days\":", x->health);
            days(stdout, x->rul, 1);
            fputs(",\"rul_low_days\":", stdout);
            days(stdout, x->lo, 1);
            fputs(",\"rul_high_days\":", stdout);
            days(stdout, x->hi, 1);
            printf(",\"diverged\":%s,\"recalibrations\":%llu,\"samples\":%llu,\"latest\":%.6g,"
                   "\"latest_t_us\":%lld}",
                   x->diverged ? "true" : "false", (unsigned long long)x->recal,
                   (unsigned long long)x->samples, x->latest, (long long)x->latest_t);
        }
        fputs(n ? "\n]\n" : "]\n", stdout);
    } else {
        printf("%-12s %-12s %7s %10s %-17s %-9s %6s %8s\n", "twin", "signal", "health",
               "RUL days", "90% interval", "state", "recal", "samples");
        for (k = 0; k < n; k++) {
            const row *x = &rows[k];
            char iv[64], a[24], b[24], med[24];
            FILE *f;
            f = fmemopen(a, sizeof a, "w"), days(f, x->lo, 0), fclose(f);
            f = fmemopen(b, sizeof b, "w"), days(f, x->hi, 0), fclose(f);
            f = fmemopen(med, sizeof med, "w"), days(f, x->rul, 0), fclose(f);
            snprintf(iv, sizeof iv, "%s .. %s", a, b);
            printf("%-12s %-12s %7.2f %10s %-17s %-9s %6llu %8llu\n", x->twin, x->signal,
                   x->health, med, iv, x->diverged ? "DIVERGED" : "ok",
                   (unsigned long long)x->recal, (unsigned long long)x->samples);
        }
        if (n == 0) printf("(no signal with a health model)\n");
    }
    free(rows);
    free(twins);
    store_free(&st);
    return 0;
}
