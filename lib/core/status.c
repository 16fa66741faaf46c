/* Status strings and version. */
#include "twin/core.h"

const char *twin_strerror(twin_status s)
{
    switch (s) {
    case TWIN_OK: return "ok";
    case TWIN_DONE: return "no more items";
    case TWIN_E_NOMEM: return "out of memory";
    case TWIN_E_INVAL: return "invalid argument";
    case TWIN_E_NOTFOUND: return "not found";
    case TWIN_E_EXISTS: return "already exists";
    case TWIN_E_RANGE: return "limit exceeded";
    case TWIN_E_PARSE: return "parse error";
    case TWIN_E_ABI: return "struct size unknown to this library version";
    case TWIN_E_CONSTRAINT: return "constraint violated";
    case TWIN_E_MODIFIED: return "modified during a read";
    case TWIN_E_STATE: return "not allowed in the current state";
    case TWIN_E_IO: return "input/output error";
    case TWIN_E_BUSY: return "busy: queue full, retry when it drains";
    }
    return "unknown status";
}

const char *twin_version(void)
{
    return TWIN_VERSION_STRING;
}

uint32_t twin_version_number(void)
{
    return TWIN_VERSION_NUMBER;
}
