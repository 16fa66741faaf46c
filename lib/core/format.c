#include "core/format.h"

#include <stdint.h>
#include <string.h>

typedef struct out {
    char *buf;
    size_t cap, len;  /* len counts every byte, written or not */
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->len + 1 < o->cap) {
        size_t room = o->cap - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void put_uint(out *o, uintmax_t v, unsigned base, int negative)
{
    char d[sizeof(uintmax_t) * 3 + 2];
    size_t i = sizeof d;
    do {
        d[--i] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative) d[--i] = '-';
    put(o, d + i, sizeof d - i);
}

size_t twin__vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    out o = {buf, cap, 0};
    const char *p = fmt;
    while (*p) {
        const char *start = p;
        size_t prec = SIZE_MAX;
        int len = 0;  /* 0, 'l', 'L' (ll), 'z' */
        if (*p != '%') {
            while (*p && *p != '%') p++;
            put(&o, start, (size_t)(p - start));
            continue;
        }
        p++;
        if (*p == '.') {
            p++;
            if (*p == '*') {
                int n = va_arg(ap, int);
                prec = n < 0 ? SIZE_MAX : (size_t)n;
                p++;
            } else {
                prec = 0;
                while (*p >= '0' && *p <= '9') prec = prec * 10 + (size_t)(*p++ - '0');
            }
        }
        if (*p == 'l') {
            len = 'l';
            if (*++p == 'l') {
                len = 'L';
                p++;
            }
        } else if (*p == 'z') {
            len = 'z';
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            size_t n = 0;
            if (!s) s = "(null)";
            while (n < prec && s[n]) n++;
            put(&o, s, n);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put(&o, &c, 1);
            break;
        }
        case 'd':
        case 'i': {
            intmax_t v = len == 'L' ? va_arg(ap, long long)
                       : len == 'l' ? va_arg(ap, long)
                       : len == 'z' ? (intmax_t)va_arg(ap, size_t)
                       : va_arg(ap, int);
            put_uint(&o, v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v, 10, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            uintmax_t v = len == 'L' ? va_arg(ap, unsigned long long)
                        : len == 'l' ? va_arg(ap, unsigned long)
                        : len == 'z' ? va_arg(ap, size_t)
                        : va_arg(ap, unsigned);
            put_uint(&o, v, *p == 'x' ? 16 : 10, 0);
            break;
        }
        case '%':
            put(&o, "%", 1);
            break;
        default:  /* unsupported: copy it, and read no argument */
            if (!*p) p--;
            put(&o, start, (size_t)(p + 1 - start));
            break;
        }
        p++;
    }
    if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}

size_t twin__format(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    va_start(ap, fmt);
    n = twin__vformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}
