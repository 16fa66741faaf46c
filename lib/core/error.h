/* Recording a handle's last error (every handle keeps a twin_error and a
 * message buffer of TWIN_ERROR_MESSAGE_MAX bytes). */
#ifndef TWIN_CORE_ERROR_H
#define TWIN_CORE_ERROR_H

#include "twin/core.h"

#include <stdarg.h>

/* Format the message into buf, point e at it, record s; returns s. */
twin_status twin__errorv(twin_error *e, char *buf, twin_status s, const char *fmt, va_list ap);

#endif
