/* Option parsing and error reporting shared by the twinctl commands. */
#include "cli.h"
#include "mem.h"

#include <twin/twin.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "twinctl %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'twinctl %s --help'.\n", cmd);
    return EXIT_USAGE;
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("twinctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_value(const char *cmd, int argc, char **argv, int *i, const char *name,
              const char *shortname, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0 && !(shortname && strcmp(a, shortname) == 0)) return 0;
    if (*i + 1 >= argc) {
        cli_usage(cmd, "option '%s' needs a value", a);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int cli_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    char *end;
    unsigned long v;
    if (*s < '0' || *s > '9') return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_model_option(const char *cmd, int argc, char **argv, int *i, model_options *mo,
                     int with_dir)
{
    const char *v;
    int r;
    if (strcmp(argv[*i], "--allow-undefined-extensions") == 0) {
        mo->flags |= TWIN_MODELS_ALLOW_UNDEFINED_EXTENSIONS;
        return 1;
    }
    if ((r = cli_value(cmd, argc, argv, i, "--max-dtdl-version", NULL, &v)) != 0) {
        unsigned long n;
        if (r < 0) return -1;
        if (cli_uint(v, 2, 4, &n) != 0) {
            cli_usage(cmd, "--max-dtdl-version takes 2, 3 or 4, not '%s'", v);
            return -1;
        }
        mo->max_dtdl_version = (int)n;
        return 1;
    }
    if (with_dir && (r = cli_value(cmd, argc, argv, i, "--models", NULL, &v)) != 0) {
        if (r < 0) return -1;
        mo->models_dir = v;
        return 1;
    }
    return 0;
}

int out_open(out_file *o, const char *path)
{
    struct stat st;
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    o->path = xstrdup(path);
    /* A device or a pipe (e.g. /dev/null) is written in place. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->f = fopen(path, "w");
    } else {
        o->tmp = xmalloc(strlen(path) + 32);
        sprintf(o->tmp, "%s.tmp%ld", path, (long)getpid());
        o->f = fopen(o->tmp, "w");
    }
    if (!o->f) {
        cli_error("%s: cannot write: %s", path, strerror(errno));
        free(o->path);
        free(o->tmp);
        return -1;
    }
    return 0;
}

int out_close(out_file *o, int ok)
{
    int failed = 0;
    const char *name = o->tmp ? o->tmp : o->path;
    if (o->f == stdout) {
        if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
        cli_error("cannot write to standard output: %s", strerror(errno));
        return -1;
    }
    if (ferror(o->f)) failed = 1;
    if (fclose(o->f) != 0) failed = 1;
    if (failed && ok) cli_error("%s: write failed: %s", name, strerror(errno));
    if (o->tmp && ok && !failed && rename(o->tmp, o->path) != 0) {
        cli_error("%s: cannot rename to %s: %s", o->tmp, o->path, strerror(errno));
        failed = 1;
    }
    if (o->tmp && (!ok || failed)) remove(o->tmp);
    free(o->path);
    free(o->tmp);
    return failed ? -1 : 0;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_on_stop(void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
