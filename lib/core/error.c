#include "core/error.h"

#include "core/format.h"

twin_status twin__errorv(twin_error *e, char *buf, twin_status s, const char *fmt, va_list ap)
{
    twin__vformat(buf, TWIN_ERROR_MESSAGE_MAX, fmt, ap);
    e->status = s;
    e->message = buf;
    return s;
}
