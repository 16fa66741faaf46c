/* Startup code for qemu-system-arm's mps2-an386 board (Cortex-M4F) and the
 * memory map of mps2-an386.ld: the vector table; a reset handler that
 * enables the FPU, paints the stack, copies .data, clears .bss, opens the
 * semihosting console (newlib's rdimon) and calls main(); fault handlers
 * that report the fault and end the emulation with a failure; and _sbrk,
 * which keeps the C library's heap inside the linker script's .heap. */
#include "board.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int main(void);
void initialise_monitor_handles(void);  /* librdimon: stdin, stdout, stderr */
void Reset_Handler(void);
void *_sbrk(ptrdiff_t incr);
void _init(void);
void _fini(void);

extern uint32_t __stack_limit[], __stack_top[];
extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern char __heap_start[], __heap_end[];

#define STACK_PAINT 0x57ac57acu

/* ---- semihosting --------------------------------------------------------- */

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define ADP_STOPPED_RUNTIME_ERROR 0x20023  /* any reason but ApplicationExit: status 1 */

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void put_hex(const char *label, uint32_t v)
{
    char buf[32];
    size_t n = strlen(label);
    memcpy(buf, label, n);
    buf[n++] = '0';
    buf[n++] = 'x';
    for (int i = 7; i >= 0; i--) buf[n++] = "0123456789abcdef"[(v >> (4 * i)) & 0xfu];
    buf[n++] = '\n';
    buf[n] = '\0';
    semihost(SYS_WRITE0, buf);
}

/* ---- reset --------------------------------------------------------------- */

__attribute__((used, noreturn)) static void board_start(void)
{
    memcpy(__data_start__, __data_load__,
           (size_t)((char *)__data_end__ - (char *)__data_start__));
    memset(__bss_start__, 0, (size_t)((char *)__bss_end__ - (char *)__bss_start__));
    initialise_monitor_handles();
    exit(main());
}

/* Runs on the stack the vector table gives, with the FPU still off: enable
 * it (CP10, CP11 full access) before any compiled code, which is hard-float,
 * can touch it; then paint the stack, still unused. */
__attribute__((naked, noreturn)) void Reset_Handler(void)
{
    __asm__ volatile(
        "ldr r0, =0xe000ed88\n"   /* SCB->CPACR */
        "ldr r1, [r0]\n"
        "orr r1, r1, #0xf00000\n"
        "str r1, [r0]\n"
        "dsb\n"
        "isb\n"
        "ldr r0, =__stack_limit\n"
        "ldr r1, =__stack_top\n"
        "ldr r2, =0x57ac57ac\n"   /* STACK_PAINT */
        "1: cmp r0, r1\n"
        "bhs 2f\n"
        "str r2, [r0], #4\n"
        "b 1b\n"
        "2: b board_start\n"
        ".ltorg\n");
}

/* crti.o's hooks, which newlib's exit path references; with -nostartfiles
 * there is nothing to run. */
void _init(void)
{
}

void _fini(void)
{
}

size_t board_stack_size(void)
{
    return (size_t)((char *)__stack_top - (char *)__stack_limit);
}

size_t board_stack_peak(void)
{
    const volatile uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == STACK_PAINT) p++;
    return (size_t)((const char *)__stack_top - (const char *)p);
}

/* ---- heap ---------------------------------------------------------------- */

/* newlib's malloc grows its heap through _sbrk; librdimon's (weak) version
 * would let it run up to the stack pointer. This one stays inside .heap. */
void *_sbrk(ptrdiff_t incr)
{
    static char *brk;
    char *prev;
    if (!brk) brk = __heap_start;
    if (incr > __heap_end - brk || incr < __heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    prev = brk;
    brk += incr;
    return prev;
}

/* ---- faults -------------------------------------------------------------- */

/* Called with the exception frame the fault pushed: r0-r3, r12, lr, pc, xpsr. */
__attribute__((used, noreturn)) static void fault_report(const uint32_t *frame)
{
    volatile const uint32_t *scb = (volatile const uint32_t *)0xe000ed00u;
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    semihost(SYS_WRITE0, "\n*** fault\n");
    put_hex("  ipsr  ", ipsr);
    put_hex("  pc    ", frame[6]);
    put_hex("  lr    ", frame[5]);
    put_hex("  cfsr  ", scb[0x28 / 4]);
    put_hex("  hfsr  ", scb[0x2c / 4]);
    put_hex("  mmfar ", scb[0x34 / 4]);
    put_hex("  bfar  ", scb[0x38 / 4]);
    semihost(SYS_EXIT, (const void *)ADP_STOPPED_RUNTIME_ERROR);
    for (;;) {
    }
}

__attribute__((naked, noreturn)) static void Fault_Handler(void)
{
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "b fault_report\n");
}

/* ---- vector table -------------------------------------------------------- */

typedef union vector {
    void (*handler)(void);
    void *stack;
} vector;

__attribute__((section(".vectors"), used)) static const vector vectors[16] = {
    {.stack = __stack_top},
    {.handler = Reset_Handler},
    {.handler = Fault_Handler},  /* NMI */
    {.handler = Fault_Handler},  /* HardFault */
    {.handler = Fault_Handler},  /* MemManage */
    {.handler = Fault_Handler},  /* BusFault */
    {.handler = Fault_Handler},  /* UsageFault */
    {NULL},                      /* reserved */
    {NULL},
    {NULL},
    {NULL},
    {.handler = Fault_Handler},  /* SVCall */
    {.handler = Fault_Handler},  /* DebugMonitor */
    {NULL},                      /* reserved */
    {.handler = Fault_Handler},  /* PendSV */
    {.handler = Fault_Handler},  /* SysTick */
};
