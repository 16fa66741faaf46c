/* twinctl tiers: the retention policies of a database and what each tier
 * (raw samples, then each aggregate width) holds and costs on disk; sets
 * or removes a policy and folds on demand. */
#include "cli.h"
#include "json.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "Usage: twinctl tiers [OPTIONS]\n"
    "\n"
    "Shows the retention policies of the database and, per tier (raw\n"
    "samples, then each aggregate bucket width), the signals, rows, samples\n"
    "held or summarised, the time span and the bytes on disk. Old buckets\n"
    "are kept in compressed tier blocks (up to 512 buckets, a page each).\n"
    "\n"
    "A policy keeps raw samples for a span, then per-bucket aggregates\n"
    "(count, mean, min, max, first, last) at coarser widths, each for its own\n"
    "span: raw:SPAN then WIDTH:SPAN per tier, finest first, e.g.\n"
    "raw:7d,1m:90d,1h:5y (units us ms s m h d w y; a span may be forever).\n"
    "A signal follows its own policy, else its twin's model's, else the\n"
    "default. Data folds as it ages, a little at every write; --fold folds\n"
    "all that is due now.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB          the database (default: ./twin.db)\n"
    "  --policy SPEC        set a policy (the default one unless --model or\n"
    "                       --signal)\n"
    "  --clear              remove the policy (of --model, --signal or the default)\n"
    "  --model DTMI         the policy of the twins of this model\n"
    "  --signal TWIN/NAME   the policy of one signal (split at the last '/')\n"
    "  --fold               fold everything that is due now\n"
    "  --json               {\"policies\": [...], \"tiers\": [...]}\n"
    "  -h, --help           show this help\n";

typedef struct show {
    int json, n;
} show;

static void when(char *buf, size_t cap, int64_t t_us)
{
    time_t s;
    struct tm tm;
    if (t_us == INT64_MIN) {
        snprintf(buf, cap, "-");
        return;
    }
    s = (time_t)(t_us / 1000000 - (t_us % 1000000 < 0));
    gmtime_r(&s, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%MZ", &tm);
}

static void width(char *buf, size_t cap, int64_t us)
{
    twin_sqlite_policy p;
    char t[64];
    if (!us) {
        snprintf(buf, cap, "raw");
        return;
    }
    /* the library's duration format: raw:WIDTH of a one-tier-less policy */
    twin_sqlite_policy_init(&p);
    p.raw_keep_us = us;
    if (twin_sqlite_policy_format(&p, t, sizeof t, NULL) == TWIN_OK && strlen(t + 4) < cap)
        memcpy(buf, t + 4, strlen(t + 4) + 1);
    else
        snprintf(buf, cap, "%lldus", (long long)us);
}

static twin_status show_policy(void *ud, twin_sqlite_policy_scope scope, const char *key,
                               const char *name, const twin_sqlite_policy *p, const char *text)
{
    show *s = ud;
    static const char *const scopes[] = {"default", "model", "signal"};
    (void)p;
    if (s->json) {
        fputs(s->n++ ? ",\n  {\"scope\":" : "\n  {\"scope\":", stdout);
        json_write_cstr(stdout, scopes[scope]);
        if (key) {
            fputs(",\"key\":", stdout);
            json_write_cstr(stdout, key);
        }
        if (name) {
            fputs(",\"name\":", stdout);
            json_write_cstr(stdout, name);
        }
        fputs(",\"policy\":", stdout);
        json_write_cstr(stdout, text);
        fputs("}", stdout);
    } else {
        char who[300];
        if (scope == TWIN_SQLITE_POLICY_SIGNAL)
            snprintf(who, sizeof who, "signal %s/%s", key, name);
        else if (scope == TWIN_SQLITE_POLICY_MODEL)
            snprintf(who, sizeof who, "model %s", key);
        else
            snprintf(who, sizeof who, "default");
        printf("  %-40s %s\n", who, text);
        s->n++;
    }
    return TWIN_OK;
}

static twin_status show_tier(void *ud, const twin_sqlite_tier_info *t)
{
    show *s = ud;
    char w[32], a[32], b[32];
    width(w, sizeof w, t->res_us);
    when(a, sizeof a, t->t_min_us);
    when(b, sizeof b, t->t_max_us);
    if (s->json) {
        fputs(s->n++ ? ",\n  {\"tier\":" : "\n  {\"tier\":", stdout);
        json_write_cstr(stdout, w);
        printf(",\"width_us\":%lld,\"signals\":%llu,\"rows\":%llu,\"buckets\":%llu,"
               "\"samples\":%llu,\"oldest_t_us\":",
               (long long)t->res_us, (unsigned long long)t->signals,
               (unsigned long long)t->rows, (unsigned long long)t->buckets,
               (unsigned long long)t->samples);
        if (t->t_min_us == INT64_MIN) fputs("null,\"newest_t_us\":null", stdout);
        else printf("%lld,\"newest_t_us\":%lld", (long long)t->t_min_us, (long long)t->t_max_us);
        printf(",\"bytes\":%llu}", (unsigned long long)t->bytes);
    } else {
        printf("  %-6s %8llu %10llu %10llu %14llu  %-17s  %-17s %12llu %8.2f\n", w,
               (unsigned long long)t->signals, (unsigned long long)t->rows,
               (unsigned long long)t->buckets, (unsigned long long)t->samples, a, b,
               (unsigned long long)t->bytes,
               t->samples ? (double)t->bytes / (double)t->samples : 0.0);
        s->n++;
    }
    return TWIN_OK;
}

int cmd_tiers(int argc, char **argv)
{
    const char *path = STORE_DEFAULT_DB, *v, *spec = NULL, *model = NULL, *sig = NULL;
    int json = 0, clear = 0, fold = 0, i, r, rc = 0;
    twin_sqlite_options o;
    twin_sqlite *db = NULL;
    show s = {0, 0};
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            path = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--policy", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            spec = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--model", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            model = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--signal", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            sig = v;
        } else if (strcmp(a, "--clear") == 0) {
            clear = 1;
        } else if (strcmp(a, "--fold") == 0) {
            fold = 1;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else {
            return cli_usage(argv[0], "unknown argument '%s'", a);
        }
    }
    if (spec && clear) return cli_usage(argv[0], "--policy and --clear exclude each other");
    if (model && sig) return cli_usage(argv[0], "--model and --signal exclude each other");
    if ((model || sig) && !spec && !clear)
        return cli_usage(argv[0], "--model and --signal go with --policy or --clear");
    if (sig && (!strrchr(sig, '/') || strrchr(sig, '/') == sig || !strrchr(sig, '/')[1]))
        return cli_usage(argv[0], "--signal takes TWIN/NAME, not '%s'", sig);
    twin_sqlite_options_init(&o);
    o.flags = TWIN_SQLITE_NO_CREATE | ((spec || clear || fold) ? 0 : TWIN_SQLITE_READONLY);
    if (twin_sqlite_open(&db, path, &o) != TWIN_OK) {
        rc = cli_error("%s", twin_sqlite_last_error(db)->message);
        goto done;
    }
    if (spec || clear) {
        twin_sqlite_policy p;
        twin_error e;
        twin_sqlite_policy_scope scope = model ? TWIN_SQLITE_POLICY_MODEL
                                         : sig ? TWIN_SQLITE_POLICY_SIGNAL
                                               : TWIN_SQLITE_POLICY_DEFAULT;
        char twin[512];
        const char *key = model, *name = NULL;
        twin_sqlite_policy_init(&p);
        if (spec && twin_sqlite_policy_parse(spec, &p, &e) != TWIN_OK) {
            rc = cli_error("policy '%s': %s", spec, e.message);
            goto done;
        }
        if (sig) {
            size_t n = (size_t)(strrchr(sig, '/') - sig);
            if (n >= sizeof twin) {
                rc = cli_error("--signal: the twin id is too long");
                goto done;
            }
            memcpy(twin, sig, n);
            twin[n] = '\0';
            key = twin;
            name = sig + n + 1;
        }
        if (twin_sqlite_set_policy(db, scope, key, name, spec ? &p : NULL) != TWIN_OK) {
            rc = cli_error("%s", twin_sqlite_last_error(db)->message);
            goto done;
        }
    }
    if (fold) {
        twin_sqlite_fold_stats fs;
        memset(&fs, 0, sizeof fs);
        fs.size = sizeof fs;
        if (twin_sqlite_fold(db, 0, &fs) != TWIN_OK) {
            rc = cli_error("%s", twin_sqlite_last_error(db)->message);
            goto done;
        }
        fprintf(stderr,
                "folded %llu blocks (%llu samples) into %llu bucket rows; %llu rows past their"
                " span deleted\n",
                (unsigned long long)fs.blocks_folded, (unsigned long long)fs.samples_folded,
                (unsigned long long)fs.rows_written, (unsigned long long)fs.rows_deleted);
    }
    s.json = json;
    if (json) fputs("{\"policies\": [", stdout);
    else printf("Policies:\n");
    if (twin_sqlite_policies(db, show_policy, &s) != TWIN_OK) {
        rc = cli_error("%s", twin_sqlite_last_error(db)->message);
        goto done;
    }
    if (!json && !s.n) printf("  (none: every sample is kept raw)\n");
    if (json) fputs(s.n ? "\n],\n\"tiers\": [" : "],\n\"tiers\": [", stdout);
    else
        printf("\nTiers:\n  %-6s %8s %10s %10s %14s  %-17s  %-17s %12s %8s\n", "tier",
               "signals", "rows", "buckets", "samples", "oldest", "newest", "bytes", "B/sample");
    s.n = 0;
    if (twin_sqlite_tier_info_each(db, show_tier, &s) != TWIN_OK) {
        rc = cli_error("%s", twin_sqlite_last_error(db)->message);
        goto done;
    }
    if (json) fputs(s.n ? "\n]}\n" : "]}\n", stdout);
done:
    twin_sqlite_close(db);
    return rc;
}
