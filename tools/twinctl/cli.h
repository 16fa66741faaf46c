/* What the twinctl commands share: entry points, option parsing, errors.
 *
 * Exit codes: 0 success; 1 the input has errors or a command failed (the
 * message is on stderr); 2 the command line is wrong. */
#ifndef TWINCTL_CLI_H
#define TWINCTL_CLI_H

#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2

/* Commands: argv[0] is the command's name. */
int cmd_validate(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_impact(int argc, char **argv);
int cmd_dot(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_whatif(int argc, char **argv);
int cmd_tiers(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_clocks(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* "twinctl CMD: message" and a hint to --help on stderr; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* SIGINT and SIGTERM call fn from now on, every time (sigaction, not
   signal(): in strict C11 builds glibc's signal() resets the handler after
   the first signal, so a second TERM, as timeout(1) sends to the process
   group, would kill the command before its summary). */
void cli_on_stop(void (*fn)(int));

/* "twinctl: message" on stderr; returns 1. */
int cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Nonzero for -h and --help. */
int cli_is_help(const char *arg);

/* Option with a value: when argv[*i] is `name` (then the value is the next
 * argument) or `name=VALUE`, or the short form `shortname` (may be NULL),
 * stores the value in *val, moves *i past it and returns 1; returns 0 when
 * argv[*i] is another argument, -1 (after a usage message) when the value
 * is missing. */
int cli_value(const char *cmd, int argc, char **argv, int *i, const char *name,
              const char *shortname, const char **val);

/* Parse a whole decimal number in [lo, hi]; returns 0 or -1. */
int cli_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* Parse a whole finite number in [lo, hi]; returns 0 or -1. */
int cli_double(const char *s, double lo, double hi, double *out);

/* Options for loading models, shared by every command that loads a graph
 * file: --models DIR, --allow-undefined-extensions, --max-dtdl-version N. */
typedef struct model_options {
    const char *models_dir;  /* NULL: none */
    uint32_t flags;          /* twin_models_flag bits */
    int max_dtdl_version;    /* 0: the library's default */
} model_options;

/* Like cli_value for the model options (--models only when `with_dir`):
 * 1 consumed, 0 not one of them, -1 bad usage (reported). */
int cli_model_option(const char *cmd, int argc, char **argv, int *i, model_options *mo,
                     int with_dir);

/* Open `path` for writing ("-" or NULL: stdout). Writing goes to a temporary
 * file beside it, renamed over it by out_close() when everything was
 * written, so that a failure never leaves half a file. */
typedef struct out_file {
    FILE *f;
    char *path, *tmp;
} out_file;
int out_open(out_file *o, const char *path);  /* 0, or -1 reported */
int out_close(out_file *o, int ok);           /* 0, or -1 reported; ok=0 discards */

/* Seconds on a monotonic clock. */
double cli_now(void);

#endif
