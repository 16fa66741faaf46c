#include "support/fixture.h"

#include <check.h>

#include "support/graphsnap.h"

failalloc fa;
twin_graph *g;

void graph_setup(void)
{
    failalloc_init(&fa);
    g = graph_new(&fa.alloc);
}

void graph_teardown(void)
{
    twin_graph_destroy(g);
    g = NULL;
    ck_assert_uint_eq(fa.live_bytes, 0);
    ck_assert_uint_eq(fa.live_blocks, 0);
    failalloc_fini(&fa);
}
