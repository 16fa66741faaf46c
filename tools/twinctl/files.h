/* Reading files and finding the .json files of a directory tree. */
#ifndef TWINCTL_FILES_H
#define TWINCTL_FILES_H

#include <stddef.h>

/* Read the whole of `path` (NUL-terminated copy in *buf, free() it), at
 * most `max` bytes: a bigger file is refused with EFBIG before it is read
 * (a regular file by its size; a pipe or device when byte max + 1 comes).
 * Returns 0, or an errno value. */
int files_read(const char *path, size_t max, char **buf, size_t *len);

/* files_read() of an input file within its limit (readlim.h:
 * LIM_FILE_BYTES), failures reported as "twinctl: PATH: why" (one over the
 * limit names it). Returns 0, or -1 reported. */
int files_read_input(const char *path, char **buf, size_t *len);

/* A list of paths (each malloc'ed). */
typedef struct path_list {
    char **paths;
    size_t n, cap;
} path_list;

/* Add `path` itself when it is a file; when it is a directory, every file
 * under it whose name ends in .json, recursively, in name order (hidden
 * entries skipped). Returns 0, or an errno value for `path` itself. */
int files_collect_json(path_list *l, const char *path);
/* Add a copy of `path` as it is. */
void path_list_add(path_list *l, const char *path);
void path_list_free(path_list *l);

#endif
