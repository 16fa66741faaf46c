/* Comparison runs in a child Python process (bench_impact: networkx,
 * bench_ingest: numpy): finding the interpreter and the script, and the
 * temporary file that carries the data to it. */
#ifndef TWIN_BENCH_PY_H
#define TWIN_BENCH_PY_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set *py to $TWIN_BENCH_PYTHON, else Debian's /usr/bin/python3 (the
 * packages the issues name are Debian's), else python3 on PATH; *script to
 * $script_env, else default_script; and open a new temporary file
 * $TMPDIR/STEM.XXXXXX (TMPDIR default /tmp) for writing, its name in
 * path[0..cap). NULL, with "who: skipped (why)" printed, when the script
 * cannot be read or the file cannot be made. */
static inline FILE *bench_py_open(const char *who, const char *script_env,
                                  const char *default_script, const char *stem,
                                  const char **py, const char **script, char *path, size_t cap)
{
    const char *tmpdir = getenv("TMPDIR");
    FILE *fp;
    int fd;
    *py = getenv("TWIN_BENCH_PYTHON");
    *script = getenv(script_env);
    if (!*py || !**py) *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    if (!*script || !**script) *script = default_script;
    if (!tmpdir || !*tmpdir) tmpdir = "/tmp";
    if (access(*script, R_OK) != 0) {
        printf("%s: skipped (%s: %s)\n", who, *script, strerror(errno));
        return NULL;
    }
    snprintf(path, cap, "%s/%s.XXXXXX", tmpdir, stem);
    fd = mkstemp(path);
    if (fd < 0 || !(fp = fdopen(fd, "wb"))) {
        printf("%s: skipped (temporary file in %s: %s)\n", who, tmpdir, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return NULL;
    }
    return fp;
}

#endif
