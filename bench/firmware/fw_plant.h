/* What the 1,000-twin footprint programs (fw_twins1000.c, fw_gateway1000.c)
 * share: the arena's allocator wrapped to count the bytes that are live
 * (allocated and not yet given back), to tell them from the blocks a bump
 * allocator strands when another block grows; the plant's four models; and
 * the "fw: NAME VALUE" lines bench/footprint reads. Each program includes
 * it once. */
#ifndef TWIN_FW_PLANT_H
#define TWIN_FW_PLANT_H

#include <twin/twin.h>

#include <stdio.h>

static twin_allocator arena_alloc;
static size_t live;

static void *count_alloc(void *ud, size_t n)
{
    void *p = arena_alloc.alloc(ud, n);
    if (p) live += n;
    return p;
}

static void *count_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    void *q = arena_alloc.realloc(ud, p, old_n, new_n);
    if (q) live = live - old_n + new_n;
    return q;
}

static void count_free(void *ud, void *p, size_t n)
{
    arena_alloc.free(ud, p, n);
    live -= n;
}

/* Set up *arena over buf[0..n) and *alloc as its counting allocator. */
static void plant_arena(twin_arena *arena, void *buf, size_t n, twin_allocator *alloc)
{
    twin_arena_init(arena, buf, n, &arena_alloc);
    *alloc = arena_alloc;
    alloc->alloc = count_alloc;
    alloc->realloc = count_realloc;
    alloc->free = count_free;
}

static const char *const models[4] = {
    "dtmi:example:gateway:Motor;1",
    "dtmi:example:gateway:Pump;1",
    "dtmi:example:gateway:Valve;1",
    "dtmi:example:gateway:Sensor;1",
};

static void report(const char *name, size_t value)
{
    printf("fw: %s %lu\n", name, (unsigned long)value);
}

#endif
