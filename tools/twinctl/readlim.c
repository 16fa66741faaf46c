/* The limits of twinctl's readers (see readlim.h). */
#include "readlim.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static const struct {
    const char *env;
    size_t def;
} table[LIM_COUNT] = {
    [LIM_FILE_BYTES] = {"TWINCTL_MAX_FILE_BYTES", LIM_FILE_BYTES_DEFAULT},
    [LIM_TWINS] = {"TWINCTL_MAX_TWINS", LIM_TWINS_DEFAULT},
    [LIM_RELS] = {"TWINCTL_MAX_RELATIONSHIPS", LIM_RELS_DEFAULT},
    [LIM_ROWS] = {"TWINCTL_MAX_ROWS", LIM_ROWS_DEFAULT},
};

size_t lim(enum lim which)
{
    const char *v = getenv(table[which].env);
    unsigned long long n;
    char *end;
    if (!v) return table[which].def;
    errno = 0;
    n = strtoull(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end || errno || n < 1 || n > table[which].def) {
        fprintf(stderr, "twinctl: %s must be a whole number from 1 to %llu (it lowers a limit), "
                        "not '%s'\n",
                table[which].env, (unsigned long long)table[which].def, v);
        exit(EXIT_USAGE);
    }
    return (size_t)n;
}

const char *lim_env(enum lim which)
{
    return table[which].env;
}
