/* Sparkplug B topics (specification chapter 4): parsing, building, the
 * escaping of twin identifiers into device identifiers; and the helpers
 * the sessions share (allocation, hashing, building a message). */
#include "sp_int.h"

#include <string.h>

static const char *const VERBS[] = {NULL, "NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA",
                                    "DDATA", "NCMD", "DCMD", "STATE"};

static int has_device(int type)
{
    return type == TWIN_SP_DBIRTH || type == TWIN_SP_DDEATH || type == TWIN_SP_DDATA ||
           type == TWIN_SP_DCMD;
}

/* Well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) { k = 1; min = 0x80; c &= 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { k = 2; min = 0x800; c &= 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { k = 3; min = 0x10000; c &= 0x07; }
        else return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (s[i + j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

int twin__sp_id_ok(const char *s, size_t n)
{
    if (!s || n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '/' || s[i] == '+' || s[i] == '#' || s[i] == '\0')
            return 0;
    return utf8_ok((const unsigned char *)s, n);
}

TWIN_SP_API twin_status twin_sp_topic_parse(const char *topic, size_t len, twin_sp_topic *out)
{
    const char *part[5];
    size_t plen[5], np = 0, start = 0;
    if (!topic || !out)
        return TWIN_E_INVAL;
    memset(out, 0, sizeof *out);
    if (len > TWIN_SP_TOPIC_MAX)
        return TWIN_E_RANGE;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && topic[i] != '/')
            continue;
        if (np == 5)
            return TWIN_E_PARSE;
        part[np] = topic + start;
        plen[np++] = i - start;
        start = i + 1;
    }
    if (np < 3 || plen[0] != 7 || memcmp(part[0], TWIN_SP_NAMESPACE, 7) != 0)
        return TWIN_E_PARSE;
    if (plen[1] == 5 && memcmp(part[1], "STATE", 5) == 0) {
        if (np != 3 || !twin__sp_id_ok(part[2], plen[2]))
            return TWIN_E_PARSE;
        out->type = TWIN_SP_STATE;
        out->node = part[2];
        out->node_len = (uint32_t)plen[2];
        return TWIN_OK;
    }
    int type = 0;
    for (int t = TWIN_SP_NBIRTH; t <= TWIN_SP_DCMD; t++)
        if (strlen(VERBS[t]) == plen[2] && memcmp(VERBS[t], part[2], plen[2]) == 0)
            type = t;
    if (!type || np != (has_device(type) ? 5u : 4u))
        return TWIN_E_PARSE;
    for (size_t i = 1; i < np; i++)
        if (i != 2 && !twin__sp_id_ok(part[i], plen[i]))
            return TWIN_E_PARSE;
    out->type = type;
    out->group = part[1];
    out->group_len = (uint32_t)plen[1];
    out->node = part[3];
    out->node_len = (uint32_t)plen[3];
    if (np == 5) {
        out->device = part[4];
        out->device_len = (uint32_t)plen[4];
    }
    return TWIN_OK;
}

static void put_str(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos < cap && n <= cap - *pos)
        memcpy(buf + *pos, s, n);
    *pos += n;
}

TWIN_SP_API twin_status twin_sp_topic_build(char *buf, size_t cap, size_t *needed,
                                            twin_sp_msg type, const char *group,
                                            const char *node, const char *device)
{
    size_t pos = 0;
    if ((!buf && cap) || type < TWIN_SP_NBIRTH || type > TWIN_SP_STATE || !node ||
        !twin__sp_id_ok(node, strlen(node)))
        return TWIN_E_INVAL;
    put_str(buf, cap, &pos, TWIN_SP_NAMESPACE "/", 8);
    if (type == TWIN_SP_STATE) {
        if (device)
            return TWIN_E_INVAL;
        put_str(buf, cap, &pos, "STATE/", 6);
        put_str(buf, cap, &pos, node, strlen(node));
    } else {
        if (!group || !twin__sp_id_ok(group, strlen(group)) || (!device) == has_device(type) ||
            (device && !twin__sp_id_ok(device, strlen(device))))
            return TWIN_E_INVAL;
        put_str(buf, cap, &pos, group, strlen(group));
        put_str(buf, cap, &pos, "/", 1);
        put_str(buf, cap, &pos, VERBS[type], strlen(VERBS[type]));
        put_str(buf, cap, &pos, "/", 1);
        put_str(buf, cap, &pos, node, strlen(node));
        if (device) {
            put_str(buf, cap, &pos, "/", 1);
            put_str(buf, cap, &pos, device, strlen(device));
        }
    }
    if (needed)
        *needed = pos;
    if (pos >= cap)
        return TWIN_E_RANGE;
    buf[pos] = '\0';
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_id_escape(char *buf, size_t cap, size_t *needed, const char *id,
                                          size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t pos = 0;
    if ((!buf && cap) || !id || len == 0)
        return TWIN_E_INVAL;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (c == '\0')
            return TWIN_E_INVAL;
        if (c == '/' || c == '+' || c == '#' || c == '%') {
            char e[3] = {'%', hex[(unsigned char)c >> 4], hex[(unsigned char)c & 15]};
            put_str(buf, cap, &pos, e, 3);
        } else {
            put_str(buf, cap, &pos, &c, 1);
        }
    }
    if (needed)
        *needed = pos;
    if (pos >= cap)
        return TWIN_E_RANGE;
    buf[pos] = '\0';
    return TWIN_OK;
}

TWIN_SP_API twin_status twin_sp_id_unescape(char *buf, size_t cap, size_t *needed,
                                            const char *id, size_t len)
{
    size_t pos = 0;
    if ((!buf && cap) || !id)
        return TWIN_E_INVAL;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (c == '%') {
            if (len - i < 3)
                return TWIN_E_PARSE;
            char e1 = id[i + 1], e2 = id[i + 2];
            c = e1 == '2' && e2 == 'F' ? '/' : e1 == '2' && e2 == 'B' ? '+'
              : e1 == '2' && e2 == '3' ? '#' : e1 == '2' && e2 == '5' ? '%' : '\0';
            if (!c)
                return TWIN_E_PARSE;
            i += 2;
        }
        put_str(buf, cap, &pos, &c, 1);
    }
    if (needed)
        *needed = pos;
    if (pos >= cap)
        return TWIN_E_RANGE;
    buf[pos] = '\0';
    return TWIN_OK;
}

/* ---- shared helpers ------------------------------------------------------- */

twin_status twin__sp_grow(const twin_allocator *a, void **p, size_t *cap, size_t need, size_t el)
{
    if (need <= *cap)
        return TWIN_OK;
    size_t n = *cap ? *cap : 4;
    while (n < need) {
        if (n > SIZE_MAX / 2 / el)
            return TWIN_E_NOMEM;
        n *= 2;
    }
    void *q = *p ? a->realloc(a->ud, *p, *cap * el, n * el) : a->alloc(a->ud, n * el);
    if (!q)
        return TWIN_E_NOMEM;
    *p = q;
    *cap = n;
    return TWIN_OK;
}

char *twin__sp_strndup(const twin_allocator *a, const char *s, size_t n)
{
    char *p = (char *)a->alloc(a->ud, n + 1);
    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

uint32_t twin__sp_hash(const void *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

twin_status twin__sp_message(twin_sp_message *msg, void *buf, size_t cap, size_t *needed,
                             twin_sp_msg type, const char *group, const char *node,
                             const char *device, sp_payload_fn fn, void *ctx)
{
    size_t tlen = 0;
    twin_status s = twin_sp_topic_build((char *)buf, cap, &tlen, type, group, node, device);
    if (s < 0 && s != TWIN_E_RANGE)
        return s;
    size_t off = tlen + 1;
    sp_w w = {off <= cap ? (uint8_t *)buf + off : NULL, off <= cap ? cap - off : 0, 0};
    if ((s = fn(&w, ctx)) < 0)
        return s;
    if (needed)
        *needed = off + w.pos;
    if (off > cap || w.pos > cap - off || w.pos > UINT32_MAX)
        return TWIN_E_RANGE;
    msg->type = type;
    msg->qos = 0;
    msg->retain = 0;
    msg->topic = (const char *)buf;
    msg->payload = (const uint8_t *)buf + off;
    msg->payload_len = (uint32_t)w.pos;
    return TWIN_OK;
}
