/* Board support for the firmware programs on qemu-system-arm's mps2-an386
 * (Cortex-M4F): startup.c and mps2-an386.ld. Output and exit go through
 * semihosting (newlib's rdimon), so stdio works as on a host. */
#ifndef TWIN_FW_BOARD_H
#define TWIN_FW_BOARD_H

#include <stddef.h>

/* Place a buffer (e.g. a twin_arena's) in the .arena section, which the
 * linker script keeps apart from .bss so that size reports can tell them
 * apart. Not cleared at reset. */
#define FW_ARENA __attribute__((section(".arena"), aligned(16)))

/* Bytes of the stack used so far (high-water mark of the painted stack). */
size_t board_stack_peak(void);

/* Size of the stack region. */
size_t board_stack_size(void);

#endif
