/* Reading files and finding the .json files of a directory tree. */
#include "files.h"
#include "cli.h"
#include "mem.h"
#include "readlim.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int files_read(const char *path, size_t max, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t n = 0, cap = 0, got;
    struct stat st;
    if (!f) return errno;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return EISDIR;
        }
        if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
            fclose(f);
            return EFBIG;
        }
    }
    do {
        /* at most max + 1 bytes: one more than the limit tells */
        size_t want = max + 1 - n < 65536 ? max + 1 - n : 65536;
        xgrow((void **)&b, &cap, n + want + 1, 1);
        got = fread(b + n, 1, want, f);
        n += got;
    } while (got > 0 && n <= max);
    if (ferror(f) || n > max) {
        int e = n > max ? EFBIG : errno ? errno : EIO;
        fclose(f);
        free(b);
        return e;
    }
    fclose(f);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

int files_read_input(const char *path, char **buf, size_t *len)
{
    size_t max = lim(LIM_FILE_BYTES);
    int e = files_read(path, max, buf, len);
    if (e == EFBIG)
        cli_error("%s: larger than %lu bytes, the limit of an input file (%s)", path,
                  (unsigned long)max, lim_env(LIM_FILE_BYTES));
    else if (e)
        cli_error("%s: %s", path, strerror(e));
    return e ? -1 : 0;
}

static void add(path_list *l, char *p)
{
    xgrow((void **)&l->paths, &l->cap, l->n + 1, sizeof *l->paths);
    l->paths[l->n++] = p;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int walk(path_list *l, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, k;
    if (!d) return errno;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        xgrow((void **)&names, &cap, n + 1, sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (k = 0; k < n; k++) {
        size_t len = strlen(dir) + strlen(names[k]) + 2;
        char *p = xmalloc(len);
        struct stat st;
        snprintf(p, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[k]);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(l, p);
            free(p);
        } else if (ends_with_json(names[k])) {
            add(l, p);
        } else {
            free(p);
        }
        free(names[k]);
    }
    free(names);
    return 0;
}

int files_collect_json(path_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return errno;
    if (S_ISDIR(st.st_mode)) return walk(l, path);
    add(l, xstrdup(path));
    return 0;
}

void path_list_add(path_list *l, const char *path)
{
    add(l, xstrdup(path));
}

void path_list_free(path_list *l)
{
    size_t k;
    for (k = 0; k < l->n; k++) free(l->paths[k]);
    free(l->paths);
    memset(l, 0, sizeof *l);
}
