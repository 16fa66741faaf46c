/* The shared pieces of the broker tests (sp_fixture.h). */
#include "sp_fixture.h"

#include <check.h>
#include <string.h>
#include <time.h>

int64_t spf_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t spf_now_ms_us(void)
{
    return spf_now_us() / 1000 * 1000;
}

twin_sp_mosq_options spf_mosq_options(int port)
{
    twin_sp_mosq_options o;
    twin_sp_mosq_options_init(&o);
    o.port = (uint32_t)port;
    o.reconnect_delay_us = 100000;
    return o;
}

/* Each statistics struct starts with its size (ABI: append-only). */
#define SPF_STATS(type, get, handle)              \
    type s;                                      \
    memset(&s, 0, sizeof s);                     \
    s.size = sizeof s;                           \
    ck_assert_int_eq(get(handle, &s), TWIN_OK);  \
    return s

twin_sp_mosq_stats spf_mosq_stats(twin_sp_mosq *m)
{
    SPF_STATS(twin_sp_mosq_stats, twin_sp_mosq_get_stats, m);
}

twin_sp_edge_stats spf_edge_stats(twin_sp_edge *e)
{
    SPF_STATS(twin_sp_edge_stats, twin_sp_edge_get_stats, e);
}

twin_sp_edge_sf_stats spf_sf_stats(twin_sp_edge *e)
{
    SPF_STATS(twin_sp_edge_sf_stats, twin_sp_edge_get_sf_stats, e);
}

twin_sp_host_stats spf_host_stats(twin_sp_host *h)
{
    SPF_STATS(twin_sp_host_stats, twin_sp_host_get_stats, h);
}

twin_sp_bind_stats spf_bind_stats(twin_sp_host *h)
{
    SPF_STATS(twin_sp_bind_stats, twin_sp_host_bind_stats, h);
}

void spf_site_up(spf_site *s, twin_sp_host_options *o, const twin_sp_bind_options *b,
                 twin_sp_mosq_options *mo)
{
    if (!o->host_id)
        o->host_id = "site";
    if (!mo->host_id)
        mo->host_id = o->host_id;
    ck_assert_int_eq(twin_graph_create(&s->g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_ingest_create(&s->i, s->g, NULL), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_create(&s->h, o), TWIN_OK);
    ck_assert_int_eq(twin_sp_host_bind(s->h, s->g, s->i, b), TWIN_OK);
    ck_assert_int_eq(twin_sp_mosq_host_create(&s->m, s->h, mo), TWIN_OK);
}

void spf_site_down(spf_site *s)
{
    twin_sp_mosq_destroy(s->m);
    twin_sp_host_destroy(s->h);
    twin_ingest_destroy(s->i);
    twin_graph_destroy(s->g);
    memset(s, 0, sizeof *s);
}

int spf_spin(twin_sp_mosq *edge, twin_sp_mosq *host, int ms, int (*cond)(void))
{
    int64_t end = spf_now_us() + (int64_t)ms * 1000;
    do {
        if (edge)
            ck_assert_int_eq(twin_sp_mosq_loop(edge, 0), TWIN_OK);
        if (host)
            ck_assert_int_eq(twin_sp_mosq_loop(host, 2), TWIN_OK);
        else
            nanosleep(&(struct timespec){0, 2000000}, NULL);
        if (cond && cond())
            return 1;
    } while (spf_now_us() < end);
    return cond ? cond() : 1;
}
