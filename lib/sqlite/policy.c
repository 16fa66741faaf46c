/* libtwin-sqlite: tier policies: checked, parsed from text and written
 * as text, kept in the database (table `policies`), listed. */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US_S 1000000LL
/* The longest policy text: 5 durations of up to 19 digits and a unit. */
#define TEXT_MAX 160

/* ---- policies: check, parse, format -------------------------------------- */

/* The first rule p breaks (a static message), or NULL; *tier: its tier
   (1-based), 0 for the raw span. */
static const char *policy_rule(const twin_sqlite_policy *p, uint32_t *tier)
{
    uint32_t k;
    *tier = 0;
    if (p->raw_keep_us <= 0) return "the raw span must be positive";
    if (p->ntiers > TWIN_SQLITE_TIERS_MAX) return "too many tiers (at most 4)";
    for (k = 0; k < p->ntiers; k++) {
        const twin_sqlite_tier *t = &p->tier[k];
        int64_t prev_keep = k ? p->tier[k - 1].keep_us : p->raw_keep_us;
        *tier = k + 1;
        if (t->res_us <= 0) return "a tier's width must be positive";
        if (k && t->res_us <= p->tier[k - 1].res_us)
            return "a tier's width must be larger than the previous tier's";
        if (k && t->res_us % p->tier[k - 1].res_us != 0)
            return "a tier's width must be a multiple of the previous tier's";
        if (t->keep_us < 0) return "a tier's span must not be negative";
        if (t->keep_us == 0 && k + 1 < p->ntiers)
            return "only the last tier may be kept forever";
        if (prev_keep == 0) return "only the last tier may be kept forever";
        if (t->keep_us != 0 && t->keep_us <= prev_keep)
            return "spans must increase: a tier's span must be longer than the previous one";
    }
    return NULL;
}

static twin_status set_err(twin_error *err, twin_status s, const char *msg)
{
    if (err) {
        err->status = s;
        err->reserved_ = 0;
        err->message = msg;
    }
    return s;
}

twin_status twin_sqlite_policy_init_(twin_sqlite_policy *p, size_t size)
{
    twin_sqlite_policy d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    return twin__sized_init(p, size, &d, sizeof d);
}

/* The caller's policy (any known size) over a zeroed one. */
static twin_status policy_in(const twin_sqlite_policy *p, twin_sqlite_policy *out)
{
    memset(out, 0, sizeof *out);
    return twin__sized_in(out, sizeof *out, p);
}

twin_status twin_sqlite_policy_check(const twin_sqlite_policy *p, twin_error *err)
{
    twin_sqlite_policy q;
    twin_status s;
    uint32_t tier;
    const char *why;
    if (!p) return set_err(err, TWIN_E_INVAL, "no policy");
    if ((s = policy_in(p, &q)) != TWIN_OK)
        return set_err(err, s, s == TWIN_E_ABI ? "policy: unknown size" : "policy: size not set");
    if ((why = policy_rule(&q, &tier)) != NULL) return set_err(err, TWIN_E_INVAL, why);
    return set_err(err, TWIN_OK, "");
}

static const struct {
    const char *name;
    int64_t us;
} units[] = {
    {"us", 1},           {"ms", 1000},           {"s", US_S},
    {"m", 60 * US_S},    {"h", 3600 * US_S},     {"d", 86400 * US_S},
    {"w", 7 * 86400 * US_S}, {"y", 365 * 86400 * US_S},
};

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* A duration at *s ("forever" only when forever_ok: 0). Returns 0, -1. */
static int parse_duration(const char **s, int forever_ok, int64_t *out)
{
    const char *p = skip_space(*s);
    int64_t n = 0;
    size_t k, best = 0, blen = 0;
    int digits = 0;
    if (forever_ok && strncmp(p, "forever", 7) == 0) {
        *out = 0;
        *s = p + 7;
        return 0;
    }
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (n > (INT64_MAX - 9) / 10) return -1;
        n = n * 10 + (*p - '0');
    }
    if (!digits) return -1;
    for (k = 0; k < sizeof units / sizeof *units; k++) {
        size_t l = strlen(units[k].name);
        if (strncmp(p, units[k].name, l) == 0 && l > blen) best = k, blen = l;
    }
    if (!blen) return -1;
    if (n > INT64_MAX / units[best].us) return -1;
    *out = n * units[best].us;
    *s = p + blen;
    return 0;
}

twin_status twin_sqlite_policy_parse(const char *text, twin_sqlite_policy *p, twin_error *err)
{
    twin_sqlite_policy q;
    const char *s = text, *why;
    twin_status st;
    uint32_t tier;
    if (!text || !p) return set_err(err, TWIN_E_INVAL, "a pointer is NULL");
    if ((st = twin__sized_check(p, sizeof q)) != TWIN_OK)
        return set_err(err, st, st == TWIN_E_ABI ? "policy: unknown size" : "policy: size not set");
    memset(&q, 0, sizeof q);
    q.size = sizeof q;
    s = skip_space(s);
    if (strncmp(s, "raw", 3) != 0)
        return set_err(err, TWIN_E_PARSE, "a policy starts with raw:SPAN (e.g. raw:7d,1m:90d)");
    s = skip_space(s + 3);
    if (*s++ != ':' || parse_duration(&s, 0, &q.raw_keep_us) != 0)
        return set_err(err, TWIN_E_PARSE,
                       "raw:SPAN needs a duration: a whole number and us, ms, s, m, h, d, w or y");
    for (s = skip_space(s); *s == ','; s = skip_space(s)) {
        twin_sqlite_tier t;
        s++;
        if (q.ntiers == TWIN_SQLITE_TIERS_MAX)
            return set_err(err, TWIN_E_INVAL, "too many tiers (at most 4)");
        if (parse_duration(&s, 0, &t.res_us) != 0)
            return set_err(err, TWIN_E_PARSE,
                           "a tier is WIDTH:SPAN, two durations (a number and a unit)");
        s = skip_space(s);
        if (*s++ != ':' || parse_duration(&s, 1, &t.keep_us) != 0)
            return set_err(err, TWIN_E_PARSE,
                           "a tier is WIDTH:SPAN, two durations (the span may be forever)");
        q.tier[q.ntiers++] = t;
    }
    if (*s) return set_err(err, TWIN_E_PARSE, "unexpected text after the policy");
    if ((why = policy_rule(&q, &tier)) != NULL) return set_err(err, TWIN_E_INVAL, why);
    twin__sized_out(p, &q, sizeof q);
    return set_err(err, TWIN_OK, "");
}

static int put_duration(char *buf, size_t cap, size_t *at, int64_t us)
{
    size_t k = sizeof units / sizeof *units;
    int n;
    if (us == 0) {
        n = snprintf(buf + *at, cap - *at, "forever");
    } else {
        while (k > 1 && us % units[k - 1].us != 0) k--;
        n = snprintf(buf + *at, cap - *at, "%lld%s", (long long)(us / units[k - 1].us),
                     units[k - 1].name);
    }
    if (n < 0 || (size_t)n >= cap - *at) return -1;
    *at += (size_t)n;
    return 0;
}

static int put_text(char *buf, size_t cap, size_t *at, const char *t)
{
    size_t l = strlen(t);
    if (l >= cap - *at) return -1;
    memcpy(buf + *at, t, l + 1);
    *at += l;
    return 0;
}

twin_status twin_sqlite_policy_format(const twin_sqlite_policy *p, char *buf, size_t cap,
                                      size_t *needed)
{
    twin_sqlite_policy q;
    char all[TEXT_MAX];
    size_t at = 0, len;
    uint32_t k;
    if (needed) *needed = 0;
    if (!p || (!buf && cap)) return TWIN_E_INVAL;
    if (cap) buf[0] = '\0';
    if (policy_in(p, &q) != TWIN_OK || q.ntiers > TWIN_SQLITE_TIERS_MAX) return TWIN_E_INVAL;
    /* the whole text first (it always fits TEXT_MAX), then the caller's part */
    put_text(all, sizeof all, &at, "raw:");
    put_duration(all, sizeof all, &at, q.raw_keep_us);
    for (k = 0; k < q.ntiers; k++) {
        put_text(all, sizeof all, &at, ",");
        put_duration(all, sizeof all, &at, q.tier[k].res_us);
        put_text(all, sizeof all, &at, ":");
        put_duration(all, sizeof all, &at, q.tier[k].keep_us);
    }
    len = strlen(all);
    if (needed) *needed = len;
    if (!cap) return TWIN_E_RANGE;
    memcpy(buf, all, len < cap ? len + 1 : cap - 1);
    if (len >= cap) {
        buf[cap - 1] = '\0';
        return TWIN_E_RANGE;
    }
    return TWIN_OK;
}

/* ---- policies in the database --------------------------------------------- */

twin_status tsq_policies_refresh(twin_sqlite *db)
{
    sqlite3_stmt *q;
    int rc;
    db->has_policies = 0;
    if (db->schema < 4) return TWIN_OK;
    rc = sqlite3_prepare_v2(db->db, "SELECT 1 FROM policies LIMIT 1", -1, &q, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the policies");
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read the policies");
    db->has_policies = rc == SQLITE_ROW;
    return TWIN_OK;
}

twin_status tsq_ready(twin_sqlite *db)
{
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    if (db->in_tx)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "records delivered but not flushed");
    return TWIN_OK;
}

twin_status twin_sqlite_set_policy(twin_sqlite *db, twin_sqlite_policy_scope scope,
                                   const char *key, const char *name, const twin_sqlite_policy *p)
{
    twin_sqlite_policy q;
    char text[200];
    sqlite3_stmt *s;
    twin_status st;
    int rc;
    if (!db) return TWIN_E_INVAL;
    if ((st = tsq_ready(db)) != TWIN_OK) return st;
    if (db->schema < 4)
        return tsq_fail(db, TWIN_E_STATE, SQLITE_OK,
                        "policies need schema 4: open the database read-write once");
    switch (scope) {
    case TWIN_SQLITE_POLICY_DEFAULT:
        if (key || name)
            return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "the default policy takes no key or name");
        key = name = "";
        break;
    case TWIN_SQLITE_POLICY_MODEL:
        if (!key || !*key || name)
            return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK,
                            "a model's policy takes the model's DTMI and no name");
        name = "";
        break;
    case TWIN_SQLITE_POLICY_SIGNAL:
        if (!key || !*key || !name || !*name)
            return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK,
                            "a signal's policy takes a twin id and a signal name");
        break;
    default: return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "unknown policy scope %d", (int)scope);
    }
    if (p) {
        uint32_t tier;
        const char *why;
        if ((st = policy_in(p, &q)) != TWIN_OK)
            return tsq_fail(db, st, SQLITE_OK, "policy: %s size",
                            st == TWIN_E_ABI ? "unknown" : "too small a");
        if ((why = policy_rule(&q, &tier)) != NULL) {
            if (tier) return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "policy, tier %u: %s", tier, why);
            return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "policy: %s", why);
        }
        if (twin_sqlite_policy_format(&q, text, sizeof text, NULL) != TWIN_OK)
            return tsq_fail(db, TWIN_E_INVAL, SQLITE_OK, "policy: cannot write it");
        rc = sqlite3_prepare_v2(db->db,
                                "INSERT OR REPLACE INTO policies(scope, key, name, spec)"
                                " VALUES(?1, ?2, ?3, ?4)",
                                -1, &s, NULL);
    } else {
        rc = sqlite3_prepare_v2(db->db,
                                "DELETE FROM policies WHERE scope = ?1 AND key = ?2 AND name = ?3",
                                -1, &s, NULL);
    }
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot store a policy");
    sqlite3_bind_int(s, 1, (int)scope);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    if (p) sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot store a policy");
    return tsq_policies_refresh(db);
}

twin_status twin_sqlite_policies(twin_sqlite *db, twin_sqlite_policy_fn fn, void *ud)
{
    sqlite3_stmt *s;
    twin_status r = TWIN_OK;
    int rc;
    if (!db || !fn) return TWIN_E_INVAL;
    if (!db->db) return tsq_fail(db, TWIN_E_STATE, SQLITE_OK, "the database is not open");
    if (db->schema < 4) return TWIN_OK;
    rc = sqlite3_prepare_v2(db->db,
                            "SELECT scope, key, name, spec FROM policies ORDER BY scope, key, name",
                            -1, &s, NULL);
    if (rc != SQLITE_OK) return tsq_sqlfail(db, rc, "cannot read the policies");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        twin_sqlite_policy p;
        twin_error e;
        int scope = sqlite3_column_int(s, 0);
        const char *key = (const char *)sqlite3_column_text(s, 1);
        const char *name = (const char *)sqlite3_column_text(s, 2);
        const char *spec = (const char *)sqlite3_column_text(s, 3);
        twin_sqlite_policy_init(&p);
        if (twin_sqlite_policy_parse(spec ? spec : "", &p, &e) != TWIN_OK) {
            r = tsq_fail(db, TWIN_E_PARSE, SQLITE_OK, "stored policy '%s' does not parse: %s",
                         spec ? spec : "", e.message);
            break;
        }
        r = fn(ud, (twin_sqlite_policy_scope)scope, scope ? key : NULL,
               scope == TWIN_SQLITE_POLICY_SIGNAL ? name : NULL, &p, spec);
        if (r != TWIN_OK) break;
    }
    sqlite3_finalize(s);
    if (r != TWIN_OK) return r;
    if (rc != SQLITE_DONE) return tsq_sqlfail(db, rc, "cannot read the policies");
    return TWIN_OK;
}

twin_status twin_sqlite_set_fold_budget(twin_sqlite *db, uint32_t blocks, uint32_t rows)
{
    if (!db) return TWIN_E_INVAL;
    db->fold_blocks = blocks;
    db->fold_rows = rows;
    return TWIN_OK;
}

