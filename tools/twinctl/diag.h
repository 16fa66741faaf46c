/* Diagnostics: errors in input files, as the line editors and CI parse
 *     FILE:LINE:COLUMN: error CODE: MESSAGE
 * (FILE: error CODE: MESSAGE when the position is unknown), or as a JSON
 * array of objects {"file", "line", "column", "code", "message", ...}. */
#ifndef TWINCTL_DIAG_H
#define TWINCTL_DIAG_H

#include <twin/twin.h>

#include <stdio.h>

typedef struct diag_sink {
    FILE *out;     /* where they go */
    int json;      /* nonzero: a JSON array (diag_end() closes it) */
    size_t count;  /* reported so far */
} diag_sink;

void diag_begin(diag_sink *d, FILE *out, int json);
void diag_end(diag_sink *d);

/* One error. line/col 0: unknown. pointer/primary/secondary may be NULL. */
void diag_report(diag_sink *d, const char *file, unsigned line, unsigned col, const char *code,
                 const char *message, const char *pointer, const char *primary,
                 const char *secondary);

/* Every diagnostic of the model set's last call. With `line_sources`, each
 * source name is "FILE:LINE" (a document on line LINE of FILE) and the
 * position is reported in FILE. Returns how many were reported. */
size_t diag_report_models(diag_sink *d, const twin_models *m, int line_sources);

/* Make "FILE:LINE", the source name of a document that starts on LINE. */
void diag_line_source(char *buf, size_t cap, const char *file, unsigned long line);

#endif
