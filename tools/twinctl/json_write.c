/* twin_value trees to compact JSON text (see json.h). */
#include "json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void json_write_string(FILE *f, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t k, run = 0;
    putc('"', f);
    for (k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        const char *esc = NULL;
        char u[7];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        fwrite(s + run, 1, k - run, f);
        run = k + 1;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            u[6] = '\0';
            esc = u;
        }
        fputs(esc, f);
    }
    fwrite(s + run, 1, len - run, f);
    putc('"', f);
}

void json_write_cstr(FILE *f, const char *s)
{
    json_write_string(f, s, strlen(s));
}

void json_format_double(char *buf, size_t cap, double d)
{
    int prec;
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) break;
    }
    /* An integral value written without '.' or exponent would read back
     * as an integer: keep it a double. */
    if (strpbrk(buf, ".eEn") == NULL && strlen(buf) + 3 <= cap) strcat(buf, ".0");
}

void json_write_value(FILE *f, const twin_value *v)
{
    uint32_t k;
    char num[40];
    switch (v->type) {
    case TWIN_VALUE_NULL: fputs("null", f); break;
    case TWIN_VALUE_BOOL: fputs(v->as.b ? "true" : "false", f); break;
    case TWIN_VALUE_INT: fprintf(f, "%" PRId64, v->as.i); break;
    case TWIN_VALUE_DOUBLE:
        json_format_double(num, sizeof num, v->as.d);
        fputs(num, f);
        break;
    case TWIN_VALUE_STRING: json_write_string(f, v->as.s, v->len); break;
    case TWIN_VALUE_ARRAY:
        putc('[', f);
        for (k = 0; k < v->len; k++) {
            if (k) putc(',', f);
            json_write_value(f, &v->as.items[k]);
        }
        putc(']', f);
        break;
    case TWIN_VALUE_OBJECT:
        putc('{', f);
        for (k = 0; k < v->len; k++) {
            if (k) putc(',', f);
            json_write_cstr(f, v->as.members[k].name);
            putc(':', f);
            json_write_value(f, &v->as.members[k].value);
        }
        putc('}', f);
        break;
    default: fputs("null", f); break;
    }
}
