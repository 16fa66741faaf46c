/* The limits of twinctl's readers of untrusted input: graph files in the
 * bulk-import format (NDJSON) and telemetry CSV. Each is enforced with a
 * message that names it; docs/limits.md lists them with their tests, and
 * twinctl(1) states them (LIMITS).
 *
 * Four of them bound what a whole file may hold; they can be lowered (never
 * raised) for one run through the environment, so that a small machine can
 * refuse big files early and the tests can reach them with small inputs:
 *   TWINCTL_MAX_FILE_BYTES     bytes of an input file       (1 GiB)
 *   TWINCTL_MAX_TWINS          twin lines of a graph file     (4194304)
 *   TWINCTL_MAX_RELATIONSHIPS  relationship lines of one      (16777216)
 *   TWINCTL_MAX_ROWS           data rows of a telemetry CSV   (16777216)
 * The others are fixed. */
#ifndef TWINCTL_READLIM_H
#define TWINCTL_READLIM_H

#include <twin/graph.h>

#include <stddef.h>

/* One line of a graph file (a DTDL model on one line may take as much as
   the library's default max_document_bytes). */
#define LIM_NDJSON_LINE ((size_t)16 << 20)
/* Arrays and objects nested in one JSON value (a line, a kept document). */
#define LIM_JSON_DEPTH 512
/* One line of a telemetry CSV: room for every column at its longest. */
#define LIM_CSV_LINE 4096
/* The twin, signal and source fields of a CSV row: the library's
   identifiers. */
#define LIM_CSV_NAME TWIN_ID_MAX

/* A limit as a string literal, for messages. */
#define LIM_STR_(x) #x
#define LIM_STR(x) LIM_STR_(x)

/* The defaults of the four that the environment may lower. */
#define LIM_FILE_BYTES_DEFAULT ((size_t)1 << 30)
#define LIM_TWINS_DEFAULT ((size_t)1 << 22)
#define LIM_RELS_DEFAULT ((size_t)1 << 24)
#define LIM_ROWS_DEFAULT ((size_t)1 << 24)

enum lim {
    LIM_FILE_BYTES,
    LIM_TWINS,
    LIM_RELS,
    LIM_ROWS,
    LIM_COUNT
};

/* The limit in force: its default, or the lower value its environment
 * variable gives. A variable that is not a whole number from 1 to the
 * default is a usage error: reported, exit 2. */
size_t lim(enum lim which);
/* The environment variable that lowers it, for messages. */
const char *lim_env(enum lim which);

#endif
