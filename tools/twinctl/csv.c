/* Telemetry CSV for twinctl ingest (see csv.h). */
#include "csv.h"

#include "mem.h"
#include "readlim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int csv_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, n = 0;
    double sec;
    char *end;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6) {
        if (s[n] != 'Z' || s[n + 1] || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
            mi > 59 || sec < 0 || sec >= 61)
            return -1;
        *out = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 * 1000000 +
               (int64_t)llround(sec * 1e6);
        return 0;
    }
    errno = 0;
    sec = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(sec) || fabs(sec) > 9e12) return -1;
    *out = (int64_t)llround(sec * 1e6);
    return 0;
}

/* Columns of a row: the four required ones, then the optional ones. */
enum { C_T, C_TWIN, C_SIG, C_VAL, C_UNIT, C_SRC, C_RECV, C_N };
static const char *const colname[C_N] = {"timestamp", "twin",   "signal",      "value",
                                         "unit",      "source", "receive_time"};

/* A header line: the four required columns first, in order, then any of
 * unit, source and receive_time once each. map[k] receives the field
 * index of column k (-1: absent). 0, or -1 with *why set. */
static int header(char *p, int map[C_N], int *nfields, const char **why)
{
    int nf = 0;
    for (int k = 0; k < C_N; k++) map[k] = -1;
    for (;;) {
        char *comma = strchr(p, ',');
        int k;
        if (comma) *comma = '\0';
        for (k = 0; k < C_N && strcmp(p, colname[k]) != 0; k++) {
        }
        if (k == C_N || map[k] >= 0 || (k < C_UNIT && k != nf)) {
            *why = "header: expected timestamp,twin,signal,value then any of unit, source, "
                   "receive_time";
            return -1;
        }
        map[k] = nf++;
        if (!comma) break;
        p = comma + 1;
    }
    if (map[C_T] < 0 || map[C_TWIN] < 0 || map[C_SIG] < 0 || map[C_VAL] < 0) {
        *why = "header: expected timestamp,twin,signal,value then any of unit, source, "
               "receive_time";
        return -1;
    }
    *nfields = nf;
    return 0;
}

size_t csv_parse(const char *path, char *buf, size_t len, csv_rows *r)
{
    static char empty[1];
    size_t at = 0, bad = 0;
    unsigned long line = 0;
    int map[C_N] = {0, 1, 2, 3, 4, -1, -1}, hdr_fields = 0;
    size_t rows = 0, max_rows = r->max_rows ? r->max_rows : LIM_ROWS_DEFAULT;
    static const char toolong[] = "a line longer than " LIM_STR(LIM_CSV_LINE) " bytes (the limit)";
    while (at < len) {
        char *p = buf + at, *nl = memchr(p, '\n', len - at), *f[C_N + 1];
        size_t n = nl ? (size_t)(nl - p) : len - at;
        int nf = 0;
        const char *why = NULL;
        twin_sample x;
        int64_t recv = INT64_MIN;
        const char *src = NULL;
        line++;
        at += n + 1;
        p[n] = '\0';
        if (n && p[n - 1] == '\r') p[--n] = '\0';
        if (n == 0) continue;
        if (line == 1 && strncmp(p, "timestamp", 9) == 0) {
            if (n > LIM_CSV_LINE) why = toolong;
            if (why || header(p, map, &hdr_fields, &why) != 0) {
                fprintf(stderr, "%s:%lu: error: %s\n", path, line, why);
                return bad + 1;
            }
            r->has_source = map[C_SRC] >= 0;
            continue;
        }
        if (rows++ == max_rows) {
            fprintf(stderr, "%s:%lu: error: more than %lu rows (the limit: split the file)\n",
                    path, line, (unsigned long)max_rows);
            r->over = 1;
            return bad + 1;
        }
        if (n > LIM_CSV_LINE) {
            fprintf(stderr, "%s:%lu: error: %s\n", path, line, toolong);
            bad++;
            continue;
        }
        f[nf++] = p;
        for (; *p; p++)
            if (*p == ',') {
                *p = '\0';
                if (nf < C_N) f[nf++] = p + 1;
                else nf = C_N + 1;
            }
        memset(&x, 0, sizeof x);
        /* with a header, trailing optional fields may be left out: empty */
        while (hdr_fields && nf >= 4 && nf < hdr_fields) f[nf++] = empty;
        if (hdr_fields ? nf != hdr_fields : (nf < 4 || nf > 5)) {
            why = hdr_fields ? "expected the fields the header names (4 at least)"
                             : "expected timestamp,twin,signal,value[,unit]";
        } else if (csv_parse_time(f[map[C_T]], &x.t_us) != 0) {
            why = "bad timestamp (ISO 8601 UTC, e.g. 2024-06-11T08:00:00Z, or seconds)";
        } else if (!*f[map[C_TWIN]] || !*f[map[C_SIG]]) {
            why = "empty twin or signal";
        } else if (strlen(f[map[C_TWIN]]) > LIM_CSV_NAME) {
            why = "twin longer than " LIM_STR(LIM_CSV_NAME) " bytes (the limit)";
        } else if (strlen(f[map[C_SIG]]) > LIM_CSV_NAME) {
            why = "signal longer than " LIM_STR(LIM_CSV_NAME) " bytes (the limit)";
        } else if (map[C_SRC] >= 0 && strlen(f[map[C_SRC]]) > LIM_CSV_NAME) {
            why = "source longer than " LIM_STR(LIM_CSV_NAME) " bytes (the limit)";
        } else {
            char *end;
            errno = 0;
            x.value = strtod(f[map[C_VAL]], &end);
            if (errno == ERANGE || end == f[map[C_VAL]] || *end) why = "bad value";
        }
        if (!why && map[C_SRC] >= 0 && *f[map[C_SRC]]) src = f[map[C_SRC]];
        if (!why && map[C_RECV] >= 0 && *f[map[C_RECV]]) {
            if (csv_parse_time(f[map[C_RECV]], &recv) != 0)
                why = "bad receive_time (ISO 8601 UTC or seconds)";
            else if (!src)
                why = "a receive_time needs a source";
        }
        if (why) {
            fprintf(stderr, "%s:%lu: error: %s\n", path, line, why);
            bad++;
            continue;
        }
        x.twin_id = f[map[C_TWIN]];
        x.signal = f[map[C_SIG]];
        x.unit = map[C_UNIT] >= 0 && map[C_UNIT] < nf && *f[map[C_UNIT]] ? f[map[C_UNIT]] : NULL;
        if (r->n == r->cap) {
            size_t c2 = r->cap, c3 = r->cap, c4 = r->cap;
            xgrow((void **)&r->s, &r->cap, r->n + 1, sizeof *r->s);
            xgrow((void **)&r->line, &c2, r->n + 1, sizeof *r->line);
            xgrow((void **)&r->source, &c3, r->n + 1, sizeof *r->source);
            xgrow((void **)&r->receive_us, &c4, r->n + 1, sizeof *r->receive_us);
        }
        r->s[r->n] = x;
        r->source[r->n] = src;
        r->receive_us[r->n] = recv;
        r->line[r->n++] = line;
    }
    return bad;
}
