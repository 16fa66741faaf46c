/* Diagnostics in the editors' form or as JSON (see diag.h). */
#include "diag.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

void diag_begin(diag_sink *d, FILE *out, int json)
{
    d->out = out;
    d->json = json;
    d->count = 0;
    if (json) fputc('[', out);
}

void diag_end(diag_sink *d)
{
    if (d->json) fputs(d->count ? "\n]\n" : "]\n", d->out);
    fflush(d->out);
}

static void member(FILE *f, const char *name, const char *value)
{
    if (!value || !*value) return;
    fprintf(f, ",\"%s\":", name);
    json_write_cstr(f, value);
}

void diag_report(diag_sink *d, const char *file, unsigned line, unsigned col, const char *code,
                 const char *message, const char *pointer, const char *primary,
                 const char *secondary)
{
    if (!file || !*file) file = "<input>";
    if (d->json) {
        fputs(d->count ? ",\n" : "\n", d->out);
        fputs("{\"file\":", d->out);
        json_write_cstr(d->out, file);
        fprintf(d->out, ",\"line\":%u,\"column\":%u,\"code\":", line, col);
        json_write_cstr(d->out, code);
        fputs(",\"message\":", d->out);
        json_write_cstr(d->out, message);
        member(d->out, "pointer", pointer);
        member(d->out, "primary", primary);
        member(d->out, "secondary", secondary);
        fputc('}', d->out);
    } else if (line) {
        fprintf(d->out, "%s:%u:%u: error %s: %s\n", file, line, col ? col : 1, code, message);
    } else {
        fprintf(d->out, "%s: error %s: %s\n", file, code, message);
    }
    d->count++;
}

void diag_line_source(char *buf, size_t cap, const char *file, unsigned long line)
{
    snprintf(buf, cap, "%s:%lu", file, line);
}

size_t diag_report_models(diag_sink *d, const twin_models *m, int line_sources)
{
    size_t k, n = twin_models_diag_count(m);
    for (k = 0; k < n; k++) {
        const twin_dtdl_diag *g = twin_models_diag(m, k);
        const char *src = g->source;
        char *file = NULL;
        unsigned line = g->line;
        if (line_sources) {
            const char *colon = strrchr(src, ':');
            if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
                unsigned long first = strtoul(colon + 1, NULL, 10);
                file = malloc((size_t)(colon - src) + 1);
                if (file) {
                    memcpy(file, src, (size_t)(colon - src));
                    file[colon - src] = '\0';
                    src = file;
                }
                /* Each document is one line of the file. */
                line = (unsigned)first + (g->line ? g->line - 1 : 0);
            }
        }
        diag_report(d, src, line, line ? g->column : 0, g->code, g->message, g->pointer,
                    g->primary, g->secondary);
        free(file);
    }
    return n;
}
