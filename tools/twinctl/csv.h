/* Telemetry CSV for twinctl ingest: rows "timestamp,twin,signal,value[,unit]"
 * (an optional header line starting with "timestamp"; CR LF or LF). A
 * header may name more columns after the first four, in any order: unit,
 * source (what stamped the row's timestamp) and receive_time (when the
 * host received it: with the timestamp, one pair of the source's clock);
 * a row may leave out trailing optional fields. */
#ifndef TWINCTL_CSV_H
#define TWINCTL_CSV_H

#include <twin/twin.h>

#include <stddef.h>
#include <stdint.h>

typedef struct csv_rows {
    twin_sample *s;        /* the samples; strings point into the buffer */
    unsigned long *line;   /* the line of each */
    size_t n, cap;
    const char **source;   /* each row's source, NULL for none */
    int64_t *receive_us;   /* each row's receive time, INT64_MIN for none */
    int has_source;        /* the header names a source column */
    size_t max_rows;       /* in: data rows the file may have; 0: LIM_ROWS_DEFAULT */
    int over;              /* out: it has more (reported; the rows are not to be used) */
} csv_rows;

/* ISO 8601 UTC ("2024-06-11T08:00:00Z", fractions allowed) or seconds
 * since the epoch, to microseconds; 0, or -1 when it is neither. */
int csv_parse_time(const char *s, int64_t *out);

/* Split buf[0, len) into samples appended to r, in place: buf must have
 * room for one more byte (buf[len]), and the strings of the samples point
 * into it. Bad rows are reported on stderr as "path:line: error: why" and
 * counted; returns their number. A malformed header stops the parse (it
 * counts as one bad row). Limits (readlim.h): a line of more than
 * LIM_CSV_LINE bytes, or a twin, signal or source of more than
 * LIM_CSV_NAME, is a bad row; a data row past r->max_rows stops the parse
 * with r->over set (one bad row more). Free s, line, source and
 * receive_us. */
size_t csv_parse(const char *path, char *buf, size_t len, csv_rows *r);

#endif
