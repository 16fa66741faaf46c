/* What the broker tests of libtwin-mqtt share: the wall clock, the
 * statistics of each handle read in one call, a Host Application bound to
 * a graph and an ingest handle over libmosquitto (the site), and a loop
 * that runs an edge's and a host's connections until a condition holds.
 * Every function fails the running Check test on an unexpected status. */
#ifndef TWIN_TESTS_SP_FIXTURE_H
#define TWIN_TESTS_SP_FIXTURE_H

#include <twin/sparkplug_mosq.h>

/* The wall clock in microseconds since the epoch, and rounded down to a
   whole millisecond (Sparkplug's timestamps are in ms). */
int64_t spf_now_us(void);
int64_t spf_now_ms_us(void);

/* libmosquitto options for 127.0.0.1:port, reconnecting after 100 ms. */
twin_sp_mosq_options spf_mosq_options(int port);

twin_sp_mosq_stats spf_mosq_stats(twin_sp_mosq *m);
twin_sp_edge_stats spf_edge_stats(twin_sp_edge *e);
twin_sp_edge_sf_stats spf_sf_stats(twin_sp_edge *e);
twin_sp_host_stats spf_host_stats(twin_sp_host *h);
twin_sp_bind_stats spf_bind_stats(twin_sp_host *h);

/* A site: a Host Application with its mirror (graph and ingest handle). */
typedef struct spf_site {
    twin_graph *g;
    twin_ingest *i;
    twin_sp_host *h;
    twin_sp_mosq *m;
} spf_site;

/* Bring a site up: host options o (host_id "site" when unset), bind
   options b (NULL: defaults), connection options mo (its host_id defaults
   to the host's; its group_id NULL: every group). */
void spf_site_up(spf_site *s, twin_sp_host_options *o, const twin_sp_bind_options *b,
                 twin_sp_mosq_options *mo);
/* Take it down (no clean stop: its will, STATE offline, goes out); the
   handles become NULL. Harmless on a site that is down. */
void spf_site_down(spf_site *s);

/* Run the connections that are not NULL (the edge's without waiting, the
   host's waiting up to 2 ms, or a 2 ms sleep when there is none) until
   cond() holds or ms milliseconds passed; returns cond()'s last answer (1
   with no cond). */
int spf_spin(twin_sp_mosq *edge, twin_sp_mosq *host, int ms, int (*cond)(void));

#endif
