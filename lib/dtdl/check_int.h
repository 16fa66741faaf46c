/* The schema checker's view of a value tree (check.c), shared with the
 * JSON side (check_json.c). */
#ifndef TWIN_DTDL_CHECK_INT_H
#define TWIN_DTDL_CHECK_INT_H

#include "dtdl/dtdl_int.h"

typedef struct view view;
struct view {
    const void *p;
    int (*type)(const void *p);  /* twin_value_type */
    int64_t (*i)(const void *p);
    double (*d)(const void *p);
    const char *(*s)(const void *p, size_t *len);
    size_t (*count)(const void *p);
    view (*item)(const void *p, size_t k);
    const char *(*key)(const void *p, size_t k);
};


/* Does the value conform to schema s? 0 with a reason in msg if not. */
int twin__check(const twin_dtdl_elem *s, const view *v, char *msg, size_t cap, int depth);
/* Write the reason to msg (may be NULL) and return 0. */
int twin__check_fail(char *msg, size_t cap, const char *fmt, ...);
int twin__is_schema(const twin_dtdl_elem *s);
int twin__integral(double d);

#endif
