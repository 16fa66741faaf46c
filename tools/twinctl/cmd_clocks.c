/* twinctl clocks: the clocks of the sources that stamp samples: offset,
 * skew, their uncertainty and the tolerance flag, learnt from (receive
 * time, source, source time) rows through libtwin's ingest sources, and
 * kept in the database: the models in libtwin-sqlite's sources table
 * (twin_sqlite_save_sources(), where twinctl ingest finds and resumes them),
 * and documents of kind "clocks" with each source's count of refused pairs
 * (and, as databases before schema 6 kept them, its model in hex: read when
 * the table lacks the source). */
#include "cli.h"
#include "csv.h"
#include "files.h"
#include "json.h"
#include "mem.h"
#include "store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "Usage: twinctl clocks [OPTIONS] [PAIRS_CSV]\n"
    "\n"
    "The clocks of the sources that stamp samples (devices, PLCs, gateways):\n"
    "per source, the estimated offset (host time minus source time, at the\n"
    "latest pair), the skew (ppm; positive: the source's clock runs fast),\n"
    "the uncertainty of each (about 95%), whether it is out of tolerance,\n"
    "and the pairs seen. With PAIRS_CSV, the clocks are learnt from its rows\n"
    "receive_time,source,source_time (a first row starting with \"receive\"\n"
    "is a header; times ISO 8601 UTC or seconds since the epoch, in the\n"
    "order received): the host's receive time and the source's timestamp of\n"
    "one sample. Rows that do not parse, and pairs the model refuses (a\n"
    "receive time going back, an absurd timestamp), are reported as\n"
    "PAIRS_CSV:LINE: error: MESSAGE and skipped. Without PAIRS_CSV, the\n"
    "clocks kept in the database are listed.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB              the database (default: ./twin.db)\n"
    "  --save                   keep the clocks learnt in the database (the\n"
    "                           sources of the same names are replaced), where\n"
    "                           twinctl ingest finds them\n"
    "  --tolerance-offset DUR   flag a source whose offset exceeds DUR (500ms,\n"
    "                           2s...; default none)\n"
    "  --tolerance-skew PPM     flag a source whose skew exceeds PPM (default none)\n"
    "  --correct TIME           also print TIME, a timestamp by each source's\n"
    "                           clock, corrected to host time\n"
    "  --local-time             the sources stamp in local time: the zone offset\n"
    "                           (whole quarter hours) is told apart from the error\n"
    "  --json                   an array of {\"source\", \"estimated\", \"offset_us\",\n"
    "                           \"offset_uncertainty_us\", \"skew_ppm\",\n"
    "                           \"skew_uncertainty_ppm\", \"zone_offset_us\",\n"
    "                           \"out_of_tolerance\", \"stepped\", \"steps\", \"pairs\",\n"
    "                           \"refused\", \"t_us\"} (null for an unknown value);\n"
    "                           with --correct, an array of {\"source\",\n"
    "                           \"source_t_us\", \"host_t_us\"} instead\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit 0 when every row was read, 1 when some rows did not parse or were\n"
    "refused, or the database failed.\n";

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
    else return -1;
    if (v * mul >= 9.2e18) return -1;
    *out = (int64_t)llround(v * mul);
    return 0;
}

/* ---- the clock models kept in the database ------------------------------------ */

static char *to_hex(const void *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    const unsigned char *b = p;
    char *s = xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = d[b[i] >> 4];
        s[2 * i + 1] = d[b[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

static int from_hex(const char *s, size_t len, void *p, size_t n)
{
    unsigned char *b = p;
    if (len != 2 * n) return -1;
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + (size_t)k];
            int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (x < 0) return -1;
            v = v * 16 + x;
        }
        b[i] = (unsigned char)v;
    }
    return 0;
}

typedef struct load_ctx {
    twin_ingest *ing;
    json_parser jp;
    mem m;
    uint64_t *refused;  /* per source, indexed by handle */
    size_t caprefused;
    int bad;
} load_ctx;

static twin_status load_clock(void *ud, const char *name, const char *body)
{
    load_ctx *c = ud;
    twin_value v;
    json_error je;
    const twin_value *hx, *rf;
    twin_clock clock;
    twin_source src;
    if (json_parse(&c->jp, &c->m, body, strlen(body), &v, &je) != 0 ||
        !(hx = json_get(&v, "clock")) || hx->type != TWIN_VALUE_STRING ||
        from_hex(hx->as.s, hx->len, &clock, sizeof clock) != 0) {
        cli_error("clock of source '%s' in the database is malformed", name);
        c->bad = 1;
        return TWIN_OK;
    }
    if (twin_ingest_find_source(c->ing, name, &src) == TWIN_OK) {
        /* kept in the sources table too (the newer form): its count of
           refused pairs only */
        xgrow((void **)&c->refused, &c->caprefused, (size_t)src + 1, sizeof *c->refused);
        if ((rf = json_get(&v, "refused")) && rf->type == TWIN_VALUE_INT && rf->as.i >= 0)
            c->refused[src] = (uint64_t)rf->as.i;
        return TWIN_OK;
    }
    if (twin_ingest_add_source(c->ing, name, NULL, &src) != TWIN_OK) {
        cli_error("clock of source '%s': %s", name, twin_ingest_last_error(c->ing)->message);
        c->bad = 1;
        return TWIN_OK;
    }
    xgrow((void **)&c->refused, &c->caprefused, (size_t)src + 1, sizeof *c->refused);
    c->refused[src] = 0;
    if (twin_ingest_set_source_clock(c->ing, src, &clock) != TWIN_OK) {
        cli_error("clock of source '%s': %s", name, twin_ingest_last_error(c->ing)->message);
        c->bad = 1;
        return TWIN_OK;
    }
    if ((rf = json_get(&v, "refused")) && rf->type == TWIN_VALUE_INT && rf->as.i >= 0)
        c->refused[src] = (uint64_t)rf->as.i;
    return TWIN_OK;
}

/* ---- printing ------------------------------------------------------------------- */

static void num_or_null(FILE *f, double x, const char *fmt)
{
    if (isfinite(x)) fprintf(f, fmt, x);
    else fputs("null", f);
}

static void iso(int64_t t_us, char *buf, size_t cap)
{
    time_t sec = (time_t)(t_us >= 0 ? t_us / 1000000 : (t_us - 999999) / 1000000);
    int64_t frac = t_us - (int64_t)sec * 1000000;
    struct tm tm;
    char base[32];
    gmtime_r(&sec, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%06lldZ", base, (long long)frac);
}

/* TIME by each source's clock, corrected to host time. */
static void print_corrected(twin_ingest *ing, int64_t t, int json)
{
    uint64_t cur = 0;
    twin_source src;
    char a[48], b[48];
    size_t n = 0;
    iso(t, a, sizeof a);
    if (json) fputs("[", stdout);
    else printf("\n%s by each source's clock is, in host time:\n", a);
    while (twin_ingest_sources_next(ing, &cur, &src) == TWIN_OK) {
        twin_ingest_source_info in;
        twin_clock clock;
        int64_t h;
        int okc;
        memset(&in, 0, sizeof in);
        in.size = sizeof in;
        if (twin_ingest_get_source(ing, src, &in, &clock) != TWIN_OK) continue;
        okc = twin_clock_to_host(&clock, t, &h, NULL) == TWIN_OK;
        if (okc) iso(h, b, sizeof b);
        if (json) {
            fputs(n ? ",\n{\"source\":" : "\n{\"source\":", stdout);
            json_write_cstr(stdout, in.name);
            if (okc) printf(",\"source_t_us\":%lld,\"host_t_us\":%lld}", (long long)t, (long long)h);
            else printf(",\"source_t_us\":%lld,\"host_t_us\":null}", (long long)t);
        } else {
            printf("  %-16s %s\n", in.name, okc ? b : "(no estimate)");
        }
        n++;
    }
    if (json) fputs(n ? "\n]\n" : "]\n", stdout);
}

static void print(twin_ingest *ing, const uint64_t *refused_kept, int json)
{
    uint64_t cur = 0;
    twin_source src;
    size_t n = 0;
    if (json) fputs("[", stdout);
    else
        printf("%-16s %14s %10s %11s %9s %-16s %5s %8s %7s\n", "source", "offset ms", "+- ms",
               "skew ppm", "+- ppm", "state", "steps", "pairs", "refused");
    while (twin_ingest_sources_next(ing, &cur, &src) == TWIN_OK) {
        twin_ingest_source_info in;
        twin_clock clock;
        twin_clock_estimate e;
        uint64_t refused;
        int est, oot, stepped;
        memset(&in, 0, sizeof in);
        in.size = sizeof in;
        if (twin_ingest_get_source(ing, src, &in, &clock) != TWIN_OK) continue;
        memset(&e, 0, sizeof e);
        e.size = sizeof e;
        est = twin_clock_get_estimate(&clock, &e, NULL) == TWIN_OK;
        refused = in.pairs_refused + (refused_kept ? refused_kept[src] : 0);
        oot = est && (e.flags & TWIN_CLOCK_OUT_OF_TOLERANCE);
        stepped = est && (e.flags & TWIN_CLOCK_STEPPED);
        if (json) {
            fputs(n ? ",\n{\"source\":" : "\n{\"source\":", stdout);
            json_write_cstr(stdout, in.name);
            printf(",\"estimated\":%s,\"offset_us\":", est ? "true" : "false");
            if (est) printf("%lld", (long long)e.offset_us);
            else fputs("null", stdout);
            fputs(",\"offset_uncertainty_us\":", stdout);
            num_or_null(stdout, est ? e.offset_uncertainty_us : NAN, "%.1f");
            fputs(",\"skew_ppm\":", stdout);
            num_or_null(stdout, est ? e.skew_ppm : NAN, "%.3f");
            fputs(",\"skew_uncertainty_ppm\":", stdout);
            num_or_null(stdout, est ? e.skew_uncertainty_ppm : NAN, "%.3f");
            printf(",\"zone_offset_us\":%lld,\"out_of_tolerance\":%s,\"stepped\":%s,"
                   "\"steps\":%u,\"pairs\":%llu,\"refused\":%llu,\"t_us\":",
                   (long long)e.zone_offset_us, oot ? "true" : "false",
                   stepped ? "true" : "false", est ? e.steps : 0,
                   (unsigned long long)(est ? e.pairs : in.pairs),
                   (unsigned long long)refused);
            if (est) printf("%lld}", (long long)e.t_us);
            else fputs("null}", stdout);
        } else {
            char off[32], ou[32], sk[32], su[32];
            const char *state = !est ? "too few pairs" : oot ? "OUT OF TOLERANCE"
                                                        : stepped ? "ok (stepped)" : "ok";
            if (est) {
                snprintf(off, sizeof off, "%.3f", (double)e.offset_us / 1e3);
                snprintf(ou, sizeof ou, isfinite(e.offset_uncertainty_us) ? "%.3f" : "inf",
                         e.offset_uncertainty_us / 1e3);
                snprintf(sk, sizeof sk, "%.2f", e.skew_ppm);
                snprintf(su, sizeof su, isfinite(e.skew_uncertainty_ppm) ? "%.2f" : "inf",
                         e.skew_uncertainty_ppm);
            } else {
                strcpy(off, "-"), strcpy(ou, "-"), strcpy(sk, "-"), strcpy(su, "-");
            }
            printf("%-16s %14s %10s %11s %9s %-16s %5u %8llu %7llu\n", in.name, off, ou, sk, su,
                   state, est ? e.steps : 0, (unsigned long long)(est ? e.pairs : in.pairs),
                   (unsigned long long)refused);
            if (est && e.zone_offset_us)
                printf("%-16s zone offset %+.2f h\n", "", (double)e.zone_offset_us / 3.6e9);
        }
        n++;
    }
    if (json) fputs(n ? "\n]\n" : "]\n", stdout);
    else if (n == 0) printf("(no source)\n");
}

/* ---- learning from a CSV of pairs ----------------------------------------------- */

/* Split line s (NUL-terminated, no newline) at commas into at most 3 fields. */
static int fields3(char *s, char **f)
{
    int n = 0;
    f[n++] = s;
    for (char *p = s; *p; p++)
        if (*p == ',') {
            if (n == 3) return 4;
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static int learn(twin_ingest *ing, const char *path, char *buf, size_t len,
                 const twin_clock_options *co, size_t *bad)
{
    unsigned long line = 0;
    char *p = buf, *end = buf + len;
    buf[len] = '\0';
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *f[4];
        int64_t rt, stt;
        twin_source src;
        const char *why = NULL;
        if (!nl) nl = end;
        *nl = '\0';
        if (nl > p && nl[-1] == '\r') nl[-1] = '\0';
        line++;
        if (*p == '\0' || (line == 1 && strncmp(p, "receive", 7) == 0)) {
            p = nl + 1;
            continue;
        }
        if (fields3(p, f) != 3) why = "expected receive_time,source,source_time";
        else if (csv_parse_time(f[0], &rt) != 0) why = "receive time is not a time";
        else if (csv_parse_time(f[2], &stt) != 0) why = "source time is not a time";
        else if (!*f[1]) why = "source is empty";
        if (!why && twin_ingest_find_source(ing, f[1], &src) != TWIN_OK &&
            twin_ingest_add_source(ing, f[1], co, &src) != TWIN_OK)
            why = twin_ingest_last_error(ing)->message;
        if (!why && twin_ingest_observe_source(ing, src, stt, rt) != TWIN_OK)
            why = twin_ingest_last_error(ing)->message;
        if (why) {
            fprintf(stderr, "%s:%lu: error: %s\n", path, line, why);
            (*bad)++;
        }
        p = nl + 1;
    }
    return 0;
}

static int save(store *st, twin_ingest *ing, const uint64_t *refused_kept)
{
    uint64_t cur = 0;
    twin_source src;
    while (twin_ingest_sources_next(ing, &cur, &src) == TWIN_OK) {
        twin_ingest_source_info in;
        twin_clock clock;
        char *hex, *body;
        size_t n;
        twin_status s;
        memset(&in, 0, sizeof in);
        in.size = sizeof in;
        twin_ingest_get_source(ing, src, &in, &clock);
        hex = to_hex(&clock, sizeof clock);
        n = strlen(hex) + 64;
        body = xmalloc(n);
        snprintf(body, n, "{\"clock\":\"%s\",\"refused\":%llu}", hex,
                 (unsigned long long)(in.pairs_refused + (refused_kept ? refused_kept[src] : 0)));
        s = twin_sqlite_put_document(st->db, "clocks", in.name, body);
        free(hex);
        free(body);
        if (s != TWIN_OK) return cli_error("%s", twin_sqlite_last_error(st->db)->message), -1;
    }
    return 0;
}

int cmd_clocks(int argc, char **argv)
{
    const char *db = STORE_DEFAULT_DB, *file = NULL, *v;
    int json = 0, save_it = 0, i, r, rc = 0;
    twin_clock_options co;
    twin_graph *g = NULL;
    twin_ingest *ing = NULL;
    load_ctx lc;
    store st;
    size_t bad = 0;
    int correct = 0;
    int64_t correct_t = 0;
    twin_clock_options_init(&co);
    memset(&lc, 0, sizeof lc);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if ((r = cli_value(argv[0], argc, argv, &i, "--db", "-d", &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            db = v;
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--tolerance-offset", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (parse_duration(v, &co.tolerance_offset_us) != 0)
                return cli_usage(argv[0], "--tolerance-offset takes a duration (500ms, 2s...), "
                                          "not '%s'", v);
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--tolerance-skew", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (cli_double(v, 0, 1e6, &co.tolerance_skew_ppm) != 0)
                return cli_usage(argv[0], "--tolerance-skew takes ppm, not '%s'", v);
        } else if ((r = cli_value(argv[0], argc, argv, &i, "--correct", NULL, &v)) != 0) {
            if (r < 0) return EXIT_USAGE;
            if (csv_parse_time(v, &correct_t) != 0)
                return cli_usage(argv[0], "--correct takes an ISO 8601 UTC time or seconds, "
                                          "not '%s'", v);
            correct = 1;
        } else if (strcmp(a, "--local-time") == 0) {
            co.kind = TWIN_CLOCK_LOCAL_TIME;
        } else if (strcmp(a, "--save") == 0) {
            save_it = 1;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else if (file) {
            return cli_usage(argv[0], "one CSV file at a time");
        } else {
            file = a;
        }
    }
    if (save_it && !file) return cli_usage(argv[0], "--save needs a PAIRS_CSV to learn from");
    if (twin_graph_create(&g, NULL) != TWIN_OK || twin_ingest_create(&ing, g, NULL) != TWIN_OK) {
        rc = cli_error("out of memory");
        goto done;
    }
    if (file) {
        char *buf = NULL;
        size_t len;
        if (files_read_input(file, &buf, &len) != 0) {
            rc = 1;
            goto done;
        }
        learn(ing, file, buf, len, &co, &bad);
        free(buf);
        if (bad) rc = 1;
    } else {
        if (store_open_db(&st, db, TWIN_SQLITE_READONLY | TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) !=
            0) {
            store_free(&st);
            rc = 1;
            goto done;
        }
        lc.ing = ing;
        if (twin_sqlite_load_sources(st.db, ing) != TWIN_OK) {
            cli_error("%s: sources: %s", db, twin_sqlite_last_error(st.db)->message);
            lc.bad = 1;
        }
        {
            /* room for every source's refused count */
            uint64_t cur = 0;
            twin_source s2;
            while (twin_ingest_sources_next(ing, &cur, &s2) == TWIN_OK) {
                xgrow((void **)&lc.refused, &lc.caprefused, (size_t)s2 + 1, sizeof *lc.refused);
                lc.refused[s2] = 0;
            }
        }
        mem_init(&lc.m);
        json_parser_init(&lc.jp);
        twin_sqlite_documents(st.db, "clocks", load_clock, &lc);
        json_parser_fini(&lc.jp);
        mem_free(&lc.m);
        store_free(&st);
        if (lc.bad) rc = 1;
    }
    if (save_it) {
        if (store_open_db(&st, db, TWIN_SQLITE_NO_CREATE, 0, NULL, NULL) != 0) {
            rc = 1;
        } else if (save(&st, ing, NULL) != 0) {
            rc = 1;
        } else if (twin_sqlite_save_sources(st.db, ing) != TWIN_OK) {
            cli_error("%s: sources: %s", db, twin_sqlite_last_error(st.db)->message);
            rc = 1;
        }
        store_free(&st);
    }
    if (correct && json) {
        print_corrected(ing, correct_t, 1);  /* the corrections alone */
    } else {
        print(ing, lc.refused, json);
        if (correct) print_corrected(ing, correct_t, 0);
    }
done:
    free(lc.refused);
    twin_ingest_destroy(ing);
    twin_graph_destroy(g);
    return rc;
}
