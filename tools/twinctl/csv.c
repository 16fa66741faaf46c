/* Telemetry CSV for twinctl ingest (see csv.h). */
#include "csv.h"

#include "mem.h"

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

size_t csv_parse(const char *path, char *buf, size_t len, csv_rows *r)
{
    size_t at = 0, bad = 0;
    unsigned long line = 0;
    while (at < len) {
        char *p = buf + at, *nl = memchr(p, '\n', len - at), *f[6];
        size_t n = nl ? (size_t)(nl - p) : len - at;
        int nf = 0;
        const char *why = NULL;
        twin_sample x;
        line++;
        at += n + 1;
        p[n] = '\0';
        if (n && p[n - 1] == '\r') p[--n] = '\0';
        if (n == 0) continue;
        if (line == 1 && strncmp(p, "timestamp", 9) == 0) continue;
        f[nf++] = p;
        for (; *p; p++)
            if (*p == ',') {
                *p = '\0';
                if (nf < 6) f[nf++] = p + 1;
                else nf = 7;
            }
        memset(&x, 0, sizeof x);
        if (nf < 4 || nf > 5) {
            why = "expected timestamp,twin,signal,value[,unit]";
        } else if (csv_parse_time(f[0], &x.t_us) != 0) {
            why = "bad timestamp (ISO 8601 UTC, e.g. 2024-06-11T08:00:00Z, or seconds)";
        } else if (!*f[1] || !*f[2]) {
            why = "empty twin or signal";
        } else {
            char *end;
            errno = 0;
            x.value = strtod(f[3], &end);
            if (errno == ERANGE || end == f[3] || *end) why = "bad value";
        }
        if (why) {
            fprintf(stderr, "%s:%lu: error: %s\n", path, line, why);
            bad++;
            continue;
        }
        x.twin_id = f[1];
        x.signal = f[2];
        x.unit = nf == 5 && *f[4] ? f[4] : NULL;
        if (r->n == r->cap) {
            size_t c2 = r->cap;
            xgrow((void **)&r->s, &r->cap, r->n + 1, sizeof *r->s);
            xgrow((void **)&r->line, &c2, r->n + 1, sizeof *r->line);
        }
        r->s[r->n] = x;
        r->line[r->n++] = line;
    }
    return bad;
}

