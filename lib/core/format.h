/* Message formatting without the C library's printf: error messages and
 * diagnostics need only strings and integers, and on firmware newlib's
 * vsnprintf alone (with the floating-point conversions it always carries)
 * costs about 19 KB of flash.
 *
 * Conversions: %s (with precision .N or .*), %c, %d %i %u %x with the
 * length modifiers l, ll and z, and %%. No flags and no width: an
 * unsupported conversion is copied to the output as it stands, so a wrong
 * format shows in the message instead of reading a wrong argument. */
#ifndef TWIN_CORE_FORMAT_H
#define TWIN_CORE_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* As vsnprintf: writes at most cap - 1 bytes and a NUL (nothing when cap is
 * 0) and returns the length the whole message has. */
size_t twin__vformat(char *buf, size_t cap, const char *fmt, va_list ap);
size_t twin__format(char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
