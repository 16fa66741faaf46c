/* What the split factory demo's gateway and site share: the command line's
 * broker address, the plant loaded from the SQLite store that
 * `twinctl import` made, a clock, and line ownership of twin identifiers. */
#ifndef SPLIT_COMMON_H
#define SPLIT_COMMON_H

#include <twin/sparkplug_mosq.h>
#include <twin/impact.h>
#include <twin/sqlite.h>

#include <stddef.h>
#include <stdint.h>

/* "HOST:PORT" into host (cap bytes) and port; 0, or -1 when malformed. */
int split_broker(const char *arg, char *host, size_t cap, uint32_t *port);

/* A graph of the plant in the store at `path` (read only; no validator:
 * the models stay in the store). NULL on failure (reported on stderr). */
twin_graph *split_load_plant(const char *path, const char *who);

/* Wall clock, microseconds since the epoch; and a monotonic one, seconds. */
int64_t split_now_us(void);
double split_mono(void);

/* The line of a twin identifier: "L2" for "L2" and "L2-CV03-M"; copied into
 * buf (cap bytes). */
void split_line_of(const char *twin_id, char *buf, size_t cap);

/* Whether the comma-separated list `list` holds `item`. */
int split_in_list(const char *list, const char *item);

/* Whether a model identifier is the factory's Motor. */
int split_is_motor(const char *model_id);

#endif
