/* JSON for twinctl: text to twin_value trees and back.
 *
 * The reader keeps object members and array items in the order written
 * (twin_value objects are ordered) and turns a number into an int64 when it
 * is written as an integer (no fraction, no exponent) that fits, else into a
 * double. The writer is the inverse on such trees: compact (no whitespace),
 * strings escaped as little as JSON allows (", \ and control characters;
 * UTF-8 as is), doubles in the shortest form that reads back to the same
 * value, with ".0" when that form looks like an integer, so a double stays
 * a double. Python's json.dumps(v, separators=(",", ":"),
 * ensure_ascii=False) writes the same bytes for the same tree (but for
 * doubles from 1e15 to 1e16, which C writes with an exponent). */
#ifndef TWINCTL_JSON_H
#define TWINCTL_JSON_H

#include "mem.h"

#include <twin/twin.h>

#include <stdio.h>

typedef struct json_error {
    size_t offset;      /* byte offset of the error in the text */
    int too_deep;       /* 1: arrays and objects nested deeper than LIM_JSON_DEPTH */
    char message[128];
} json_error;

/* Scratch stacks, reused from parse to parse. */
typedef struct json_parser {
    twin_value *vals;
    size_t nvals, capvals;
    twin_member *mems;
    size_t nmems, capmems;
} json_parser;

void json_parser_init(json_parser *p);
void json_parser_fini(json_parser *p);

/* Parse one JSON value filling text[0, len) (whitespace around it allowed;
 * a UTF-8 byte-order mark at the start is skipped). Strings, arrays and
 * members are allocated in `m`. Arrays and objects may nest
 * LIM_JSON_DEPTH (512) deep (readlim.h); strings, numbers and counts are
 * bounded by the text (a string or a container of more than 2^32 - 1
 * bytes or items is refused). Returns 0, or -1 with `err` filled. */
int json_parse(json_parser *p, mem *m, const char *text, size_t len, twin_value *out,
               json_error *err);

/* 1-based line and column (in bytes) of byte `offset` of `text`. */
void json_line_col(const char *text, size_t offset, unsigned *line, unsigned *col);

/* The member named `name` of object `v`, or NULL. */
const twin_value *json_get(const twin_value *v, const char *name);

void json_write_string(FILE *f, const char *s, size_t len);
void json_write_cstr(FILE *f, const char *s);
void json_write_value(FILE *f, const twin_value *v);
/* The shortest text that reads back as `d` (finite), ".0" added to integers. */
void json_format_double(char *buf, size_t cap, double d);

#endif
