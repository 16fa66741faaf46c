/* Resolution of a DTDL model set: references across documents, the extends
 * hierarchy (multiple parents, diamonds, clashes, cycles, depth), undefined
 * references and the resolver callback, and the sealed state. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtdl/dtdl_fixture.h"
#include "support/run.h"
#include "twin/twin.h"

#define CTX3 "'@context':'dtmi:dtdl:context;3'"

static char doc[65536];

/* An Interface of version 3 named dtmi:x:<name>;1 with the given extends
 * (a JSON value, or NULL) and telemetries named by the space-separated
 * words of @p contents. */
static const char *iface(const char *name, const char *extends, const char *contents)
{
    size_t used = (size_t)snprintf(doc, sizeof doc, "{" CTX3 ",'@id':'dtmi:x:%s;1','@type':'Interface'",
                                   name);
    if (extends) used += (size_t)snprintf(doc + used, sizeof doc - used, ",'extends':%s", extends);
    if (contents && *contents) {
        const char *p = contents;
        int first = 1;
        used += (size_t)snprintf(doc + used, sizeof doc - used, ",'contents':[");
        while (*p) {
            size_t n = strcspn(p, " ");
            used += (size_t)snprintf(doc + used, sizeof doc - used,
                                     "%s{'@type':'Telemetry','name':'%.*s','schema':'double'}",
                                     first ? "" : ",", (int)n, p);
            first = 0;
            p += n;
            while (*p == ' ') p++;
        }
        used += (size_t)snprintf(doc + used, sizeof doc - used, "]");
    }
    snprintf(doc + used, sizeof doc - used, "}");
    return doc;
}

#define ADD_IFACE(m, name, ext, contents) ADD_OK(m, iface(name, ext, contents))

static const twin_dtdl_elem *I(const twin_models *m, const char *name)
{
    char id[128];
    snprintf(id, sizeof id, "dtmi:x:%s;1", name);
    return find_ok(m, id);
}

/* Assert that the full contents of @p e are named as the space-separated
 * words of @p names, in that order. */
static void assert_contents(const twin_dtdl_elem *e, const char *names)
{
    char buf[512], *tok, *save = NULL;
    size_t k = 0;
    snprintf(buf, sizeof buf, "%s", names);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save), k++) {
        const twin_dtdl_elem *c = twin_dtdl_at(e, TWIN_DTDL_CONTENTS, k);
        ck_assert_msg(c != NULL, "%s: content %zu missing (want %s)", twin_dtdl_id(e), k, tok);
        ck_assert_str_eq(twin_dtdl_name(c), tok);
        ck_assert_ptr_eq(twin_dtdl_content(e, tok), c);
    }
    ck_assert_uint_eq(twin_dtdl_count(e, TWIN_DTDL_CONTENTS), k);
}

/* ---- extends ---------------------------------------------------------------- */

/* B extends A, added (B first) in separate calls. */
START_TEST(test_extends_across_documents)
{
    const twin_dtdl_elem *a, *b;
    ADD_IFACE(M, "B", "'dtmi:x:A;1'", "b1 b2");
    ADD_IFACE(M, "A", NULL, "a1");
    RESOLVE_OK(M);
    a = I(M, "A");
    b = I(M, "B");
    ck_assert_uint_eq(twin_dtdl_count(b, TWIN_DTDL_EXTENDS), 1);
    ck_assert_ptr_eq(twin_dtdl_at(b, TWIN_DTDL_EXTENDS, 0), a);
    assert_contents(b, "a1 b1 b2");
    assert_contents(a, "a1");
    ck_assert_uint_eq(twin_dtdl_count(b, TWIN_DTDL_OWN_CONTENTS), 2);
    ck_assert(twin_dtdl_is_a(b, a));
    ck_assert(twin_dtdl_is_a(b, b));
    ck_assert(!twin_dtdl_is_a(a, b));
    ck_assert(!twin_dtdl_is_a(NULL, a));
    ck_assert(!twin_dtdl_is_a(b, NULL));
    /* the inherited element is A's own */
    ck_assert_ptr_eq(twin_dtdl_content(b, "a1"), twin_dtdl_at(a, TWIN_DTDL_OWN_CONTENTS, 0));
    ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_content(b, "a1"), TWIN_DTDL_PARENT), a);
    ck_assert_ptr_null(twin_dtdl_content(b, "zz"));
    ck_assert_ptr_null(twin_dtdl_content(b, NULL));
    /* interfaces in the order they were added */
    ck_assert_ptr_eq(twin_models_interface(M, 0), b);
    ck_assert_ptr_eq(twin_models_interface(M, 1), a);
}
END_TEST

/* C extends [A, B]: A's contents, then B's, then C's own. */
START_TEST(test_multiple_extends)
{
    const twin_dtdl_elem *c;
    ADD_IFACE(M, "A", NULL, "a1 a2");
    ADD_IFACE(M, "B", NULL, "b1");
    ADD_IFACE(M, "C", "['dtmi:x:A;1','dtmi:x:B;1']", "c1");
    RESOLVE_OK(M);
    c = I(M, "C");
    ck_assert_uint_eq(twin_dtdl_count(c, TWIN_DTDL_EXTENDS), 2);
    ck_assert_ptr_eq(twin_dtdl_at(c, TWIN_DTDL_EXTENDS, 0), I(M, "A"));
    ck_assert_ptr_eq(twin_dtdl_at(c, TWIN_DTDL_EXTENDS, 1), I(M, "B"));
    ck_assert_ptr_null(twin_dtdl_at(c, TWIN_DTDL_EXTENDS, 2));
    assert_contents(c, "a1 a2 b1 c1");
    ck_assert(twin_dtdl_is_a(c, I(M, "A")));
    ck_assert(twin_dtdl_is_a(c, I(M, "B")));
    ck_assert(!twin_dtdl_is_a(I(M, "A"), I(M, "B")));
}
END_TEST

/* generated/InterfaceExtendsDiamondV2.json: D extends [B, C], both extend
 * A; A's contents appear once. */
START_TEST(test_diamond)
{
    const twin_dtdl_elem *d;
    ADD_IFACE(M, "D", "['dtmi:x:B;1','dtmi:x:C;1']", "d1");
    ADD_IFACE(M, "B", "'dtmi:x:A;1'", "b1");
    ADD_IFACE(M, "C", "'dtmi:x:A;1'", "c1 c2");
    ADD_IFACE(M, "A", NULL, "a1 a2");
    RESOLVE_OK(M);
    d = I(M, "D");
    assert_contents(d, "a1 a2 b1 c1 c2 d1");
    assert_contents(I(M, "C"), "a1 a2 c1 c2");
    assert_contents(I(M, "B"), "a1 a2 b1");
    ck_assert(twin_dtdl_is_a(d, I(M, "A")));
}
END_TEST

/* Inline Interfaces in extends (v3). */
START_TEST(test_extends_inline_interface)
{
    const twin_dtdl_elem *i, *base;
    ADD_OK(M, "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'Interface','contents':[{'@type':'Telemetry',"
              "'name':'own','schema':'double'}],'extends':{'@id':'dtmi:x:Base;1','@type':'Interface',"
              "'contents':[{'@type':'Property','name':'inherited','schema':'string'}]}}");
    RESOLVE_OK(M);
    i = I(M, "I");
    base = I(M, "Base");
    ck_assert_ptr_eq(twin_dtdl_at(i, TWIN_DTDL_EXTENDS, 0), base);
    assert_contents(i, "inherited own");
    ck_assert_uint_eq(twin_models_interface_count(M), 2);  /* inline ones count */
}
END_TEST

/* A name defined by an Interface and one it extends. */
START_TEST(test_inherited_name_clash)
{
    const twin_dtdl_diag *d;
    twin_status s;
    ADD_IFACE(M, "A", NULL, "x y");
    ADD_IFACE(M, "B", "'dtmi:x:A;1'", "z x");
    s = twin_models_resolve(M);
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "resolve returned %d: %s", s, diag_dump(M));
    ck_assert_uint_ge(twin_models_diag_count(M), 1);
    d = twin_models_diag(M, 0);
    ck_assert_str_eq(d->primary, "dtmi:x:B;1");
    ck_assert_str_eq(d->source, "test.json");
    ck_assert_ptr_nonnull(strstr(d->message, "'x'"));
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:A;1"));
    ck_assert_uint_eq(twin_models_interface_count(M), 0);
}
END_TEST

/* generated/InterfaceContentsDuplicateNameTwoExtendsV3.json: the same
 * name from two parents. */
START_TEST(test_name_clash_between_two_parents)
{
    twin_status s;
    ADD_IFACE(M, "A", NULL, "x");
    ADD_IFACE(M, "B", NULL, "x");
    ADD_IFACE(M, "C", "['dtmi:x:A;1','dtmi:x:B;1']", NULL);
    s = twin_models_resolve(M);
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "resolve returned %d: %s", s, diag_dump(M));
    ck_assert_str_eq(twin_models_diag(M, 0)->primary, "dtmi:x:C;1");
}
END_TEST

/* A -> B -> A: resolve fails, naming the cycle; the set stays open. */
START_TEST(test_extends_cycle)
{
    twin_status s;
    size_t k, n;
    int named = 0;
    ADD_IFACE(M, "A", "'dtmi:x:B;1'", "a1");
    ADD_IFACE(M, "B", "'dtmi:x:A;1'", "b1");
    s = twin_models_resolve(M);
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "resolve returned %d: %s", s, diag_dump(M));
    n = twin_models_diag_count(M);
    ck_assert_uint_ge(n, 1);
    for (k = 0; k < n; k++) {
        const twin_dtdl_diag *d = twin_models_diag(M, k);
        ck_assert_str_ne(d->message, "");
        if (strstr(d->message, "cycle") &&
            (strstr(d->message, "dtmi:x:A;1") || strstr(d->message, "dtmi:x:B;1")))
            named = 1;
    }
    ck_assert_msg(named, "no diagnostic names the cycle: %s", diag_dump(M));
    /* still open: nothing found, more documents may be added */
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:A;1"));
    ck_assert_uint_eq(twin_models_interface_count(M), 0);
    ADD_IFACE(M, "C", NULL, "c1");
    /* the cycle is still there */
    ck_assert_int_eq(twin_models_resolve(M), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin_models_last_error(M).status, TWIN_E_CONSTRAINT);
}
END_TEST

/* generated/InterfaceExtendsSelfV2.json: an Interface extending itself. */
START_TEST(test_extends_itself)
{
    ADD_IFACE(M, "A", "'dtmi:x:A;1'", "a1");
    ck_assert_int_eq(twin_models_resolve(M), TWIN_E_CONSTRAINT);
    ck_assert_uint_ge(twin_models_diag_count(M), 1);
    ck_assert_str_eq(twin_models_diag(M, 0)->primary, "dtmi:x:A;1");
}
END_TEST

/* A chain of @p levels levels of extends (levels + 1 Interfaces, C0
 * extends C1 ... extends C<levels>), each in its own document. */
static twin_status chain(twin_models *m, int version, int levels)
{
    int k;
    for (k = 0; k <= levels; k++) {
        if (k < levels)
            snprintf(doc, sizeof doc, "{'@context':'dtmi:dtdl:context;%d','@id':'dtmi:x:C%d;1',"
                     "'@type':'Interface','extends':'dtmi:x:C%d;1','contents':[{'@type':"
                     "'Telemetry','name':'t%d','schema':'double'}]}", version, k, k + 1, k);
        else
            snprintf(doc, sizeof doc, "{'@context':'dtmi:dtdl:context;%d','@id':'dtmi:x:C%d;1',"
                     "'@type':'Interface'}", version, k);
        ADD_OK(m, doc);
    }
    return twin_models_resolve(m);
}

/* The spec limits the depth of extends to 10 levels in v2 and v3 and 12
 * in v4 (specification/Requirement-ClassInterfacePropertiesExtendsMaxDepth
 * V2/V4.json: 11 and 13 Interfaces in a chain are valid, 12 and 14 not). */
static void depth_limit(int version, int max)
{
    twin_models *m = models_open(&mfa, 0);
    twin_status s = chain(m, version, max);
    ck_assert_msg(s == TWIN_OK, "v%d, %d levels: %d %s", version, max, s, diag_dump(m));
    ck_assert_uint_eq(twin_dtdl_count(find_ok(m, "dtmi:x:C0;1"), TWIN_DTDL_CONTENTS), (size_t)max);
    models_close(m, NULL);
    m = models_open(&mfa, 0);
    s = chain(m, version, max + 1);
    ck_assert_msg(s == TWIN_E_CONSTRAINT, "v%d, %d levels: %d", version, max + 1, s);
    ck_assert_uint_ge(twin_models_diag_count(m), 1);
    ck_assert_str_eq(twin_models_diag(m, 0)->primary, "dtmi:x:C0;1");
    models_close(m, NULL);
}

START_TEST(test_extends_depth_limit_v2)
{
    depth_limit(2, 10);
}
END_TEST

START_TEST(test_extends_depth_limit_v3)
{
    depth_limit(3, 10);
}
END_TEST

START_TEST(test_extends_depth_limit_v4)
{
    depth_limit(4, 12);
}
END_TEST

/* extends must name Interfaces. */
START_TEST(test_extends_a_schema_rejected)
{
    ADD_OK(M, "{" CTX3 ",'@id':'dtmi:x:A;1','@type':'Interface','extends':'dtmi:x:S;1',"
              "'schemas':[{'@id':'dtmi:x:S;1','@type':'Enum','valueSchema':'integer',"
              "'enumValues':[{'name':'a','enumValue':1}]}]}");
    ck_assert_int_eq(twin_models_resolve(M), TWIN_E_CONSTRAINT);
}
END_TEST

/* ---- undefined references --------------------------------------------------- */

static const twin_dtdl_diag *unresolved(const twin_models *m, const char *dtmi)
{
    size_t k, n = twin_models_diag_count(m);
    for (k = 0; k < n; k++) {
        const twin_dtdl_diag *d = twin_models_diag(m, k);
        if (strcmp(d->code, "twin.unresolvedIdentifier") == 0 && strcmp(d->secondary, dtmi) == 0)
            return d;
    }
    return NULL;
}

START_TEST(test_undefined_reference_then_added)
{
    const twin_dtdl_diag *d;
    twin_status s;
    ADD_OK(M, "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'Interface','extends':'dtmi:x:Base;1',"
              "'contents':[{'@type':'Relationship','name':'r','target':'dtmi:x:T;1'},"
              "{'@type':'Component','name':'c','schema':'dtmi:x:Part;1'},"
              "{'@type':'Component','name':'c2','schema':'dtmi:x:Part2;1'}]}");
    s = twin_models_resolve(M);
    ck_assert_msg(s == TWIN_E_NOTFOUND, "resolve returned %d: %s", s, diag_dump(M));
    ck_assert_int_eq(twin_models_last_error(M).status, TWIN_E_NOTFOUND);
    ck_assert_str_ne(twin_models_last_error(M).message, "");
    d = unresolved(M, "dtmi:x:Base;1");
    ck_assert_msg(d != NULL, "%s", diag_dump(M));
    ck_assert_str_eq(d->primary, "dtmi:x:I;1");
    ck_assert_str_eq(d->source, "test.json");
    ck_assert_str_ne(d->message, "");
    d = unresolved(M, "dtmi:x:Part;1");
    ck_assert_msg(d != NULL, "%s", diag_dump(M));
    ck_assert_str_eq(d->primary, "dtmi:x:I:_contents:__c;1");
    ck_assert_str_eq(d->pointer, "/contents/1");
    ck_assert_ptr_nonnull(unresolved(M, "dtmi:x:Part2;1"));
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:I;1"));

    ADD_IFACE(M, "Base", NULL, "b");
    ADD_IFACE(M, "Part", NULL, "serial");
    s = twin_models_resolve(M);
    ck_assert_msg(s == TWIN_E_NOTFOUND, "resolve returned %d: %s", s, diag_dump(M));
    ck_assert_ptr_nonnull(unresolved(M, "dtmi:x:Part2;1"));
    ck_assert_ptr_null(unresolved(M, "dtmi:x:Part;1"));
    ck_assert_ptr_null(unresolved(M, "dtmi:x:Base;1"));
    ADD_IFACE(M, "Part2", NULL, NULL);
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_diag_count(M), 0);
    assert_contents(I(M, "I"), "b r c c2");
    ck_assert_ptr_null(twin_dtdl_link(twin_dtdl_content(I(M, "I"), "r"), TWIN_DTDL_TARGET));
    ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_content(I(M, "I"), "c"), TWIN_DTDL_SCHEMA), I(M, "Part"));
    ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_content(I(M, "I"), "c2"), TWIN_DTDL_SCHEMA), I(M, "Part2"));
}
END_TEST

/* A Relationship's target is an Interface identifier that need not be
 * defined (generated/RelationshipFullV2.json, valid with target
 * dtmi:noSuchInterface;1); when it is defined, it is linked. */
START_TEST(test_relationship_target_need_not_be_defined)
{
    const twin_dtdl_elem *i;
    ADD_OK(M, "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'Interface','contents':["
              "{'@type':'Relationship','name':'far','target':'dtmi:x:Nowhere;1'},"
              "{'@type':'Relationship','name':'near','target':'dtmi:x:T;1'}]}");
    ADD_IFACE(M, "T", NULL, NULL);
    RESOLVE_OK(M);
    i = I(M, "I");
    ck_assert_ptr_null(twin_dtdl_link(twin_dtdl_content(i, "far"), TWIN_DTDL_TARGET));
    ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_content(i, "near"), TWIN_DTDL_TARGET), I(M, "T"));
}
END_TEST

/* ---- the resolver callback -------------------------------------------------- */

typedef struct resolver_log {
    int calls;
    char asked[8][16][64];  /* per call, the DTMIs asked for */
    size_t nasked[8];
    twin_status ret;        /* returned status */
    int mode;               /* what to add */
    twin_status add_status; /* status of the last add made from the callback */
} resolver_log;

/* twin_models_add() of jq(@p q) with source name @p src. */
static twin_status addq_as(twin_models *m, const char *q, const char *src)
{
    char *text = jq(q);
    twin_status s = add_src(m, text, src);
    free(text);
    return s;
}

enum { ADD_NOTHING, ADD_ASKED, ADD_INVALID, ADD_CHAIN, CALL_RESOLVE };

static twin_status resolver(void *ud, twin_models *m, const char *const *dtmis, size_t n)
{
    resolver_log *r = ud;
    size_t k;
    int call = r->calls++;
    ck_assert_int_lt(call, 8);
    ck_assert_uint_le(n, 16);
    r->nasked[call] = n;
    for (k = 0; k < n; k++) {
        ck_assert_uint_lt(strlen(dtmis[k]), 64);
        strcpy(r->asked[call][k], dtmis[k]);
    }
    for (k = 0; k < n; k++) {
        char name[64];
        const char *semi;
        ck_assert(strncmp(dtmis[k], "dtmi:x:", 7) == 0);
        semi = strchr(dtmis[k] + 7, ';');
        snprintf(name, sizeof name, "%.*s", (int)(semi - dtmis[k] - 7), dtmis[k] + 7);
        switch (r->mode) {
        case ADD_ASKED:
            r->add_status = addq_as(m, iface(name, NULL, "fromResolver"), "resolver");
            break;
        case ADD_CHAIN:
            /* P1 extends P2, P2 extends P3, ... up to P4 */
            if (strcmp(name, "P4") == 0) {
                r->add_status = addq_as(m, iface(name, NULL, "p4"), "resolver");
            } else {
                char ext[64];
                snprintf(ext, sizeof ext, "'dtmi:x:P%d;1'", name[1] - '0' + 1);
                r->add_status = addq_as(m, iface(name, ext, NULL), "resolver");
            }
            break;
        case ADD_INVALID:
            snprintf(doc, sizeof doc, "{" CTX3 ",'@id':'dtmi:x:%s;1','@type':'Interface','bogus':1}", name);
            r->add_status = addq_as(m, doc, "resolver.json");
            break;
        case CALL_RESOLVE:
            r->add_status = twin_models_resolve(m);
            break;
        }
    }
    return r->ret;
}

static twin_models *open_with_resolver(resolver_log *r)
{
    twin_models_options o;
    twin_models *m = NULL;
    ck_assert_int_eq(twin_models_options_init(&o), TWIN_OK);
    o.alloc = &mfa.alloc;
    o.resolver = resolver;
    o.resolver_ud = r;
    ck_assert_int_eq(twin_models_create(&m, &o), TWIN_OK);
    return m;
}

static void sort_asked(resolver_log *r, int call)
{
    size_t a, b;
    for (a = 0; a < r->nasked[call]; a++)
        for (b = a + 1; b < r->nasked[call]; b++)
            if (strcmp(r->asked[call][a], r->asked[call][b]) > 0) {
                char t[64];
                strcpy(t, r->asked[call][a]);
                strcpy(r->asked[call][a], r->asked[call][b]);
                strcpy(r->asked[call][b], t);
            }
}

START_TEST(test_resolver_adds_the_missing_documents)
{
    resolver_log r;
    twin_models *m;
    memset(&r, 0, sizeof r);
    r.mode = ADD_ASKED;
    m = open_with_resolver(&r);
    ADD_OK(m, "{" CTX3 ",'@id':'dtmi:x:I;1','@type':'Interface','extends':'dtmi:x:Base;1',"
              "'contents':[{'@type':'Component','name':'r','schema':'dtmi:x:Target;1'},"
              "{'@type':'Component','name':'r2','schema':'dtmi:x:Base;1'}]}");
    ck_assert_int_eq(r.calls, 0);  /* asked during resolve only */
    RESOLVE_OK(m);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_uint_eq(r.nasked[0], 2);  /* each missing DTMI once */
    sort_asked(&r, 0);
    ck_assert_str_eq(r.asked[0][0], "dtmi:x:Base;1");
    ck_assert_str_eq(r.asked[0][1], "dtmi:x:Target;1");
    ck_assert_int_eq(r.add_status, TWIN_OK);
    assert_contents(I(m, "I"), "fromResolver r r2");
    ck_assert_ptr_eq(twin_dtdl_link(twin_dtdl_content(I(m, "I"), "r"), TWIN_DTDL_SCHEMA), I(m, "Target"));
    ck_assert_uint_eq(twin_models_interface_count(m), 3);
    models_close(m, NULL);
}
END_TEST

START_TEST(test_resolver_not_called_when_nothing_is_missing)
{
    resolver_log r;
    twin_models *m;
    memset(&r, 0, sizeof r);
    r.mode = ADD_ASKED;
    m = open_with_resolver(&r);
    ADD_IFACE(m, "A", NULL, "a");
    RESOLVE_OK(m);
    ck_assert_int_eq(r.calls, 0);
    models_close(m, NULL);
}
END_TEST

/* The documents the resolver adds may reference more: it is asked again. */
START_TEST(test_resolver_asked_again_for_new_references)
{
    resolver_log r;
    twin_models *m;
    int k;
    memset(&r, 0, sizeof r);
    r.mode = ADD_CHAIN;
    m = open_with_resolver(&r);
    ADD_IFACE(m, "I", "'dtmi:x:P1;1'", "i");
    RESOLVE_OK(m);
    ck_assert_int_eq(r.calls, 4);
    for (k = 0; k < 4; k++) {
        char want[32];
        snprintf(want, sizeof want, "dtmi:x:P%d;1", k + 1);
        ck_assert_uint_eq(r.nasked[k], 1);
        ck_assert_str_eq(r.asked[k][0], want);
    }
    assert_contents(I(m, "I"), "p4 i");
    models_close(m, NULL);
}
END_TEST

START_TEST(test_resolver_returns_nothing)
{
    resolver_log r;
    twin_models *m;
    twin_status s;
    memset(&r, 0, sizeof r);
    r.mode = ADD_NOTHING;
    m = open_with_resolver(&r);
    ADD_IFACE(m, "I", "'dtmi:x:Gone;1'", "i");
    s = twin_models_resolve(m);
    ck_assert_msg(s == TWIN_E_NOTFOUND, "resolve returned %d: %s", s, diag_dump(m));
    ck_assert_int_eq(r.calls, 1);
    ck_assert_str_eq(r.asked[0][0], "dtmi:x:Gone;1");
    ck_assert_ptr_nonnull(unresolved(m, "dtmi:x:Gone;1"));
    ck_assert_ptr_null(twin_models_find(m, "dtmi:x:I;1"));
    /* the host adds it itself */
    ADD_IFACE(m, "Gone", NULL, NULL);
    RESOLVE_OK(m);
    models_close(m, NULL);
}
END_TEST

START_TEST(test_resolver_error_is_propagated)
{
    resolver_log r;
    twin_models *m;
    twin_status s;
    memset(&r, 0, sizeof r);
    r.mode = ADD_NOTHING;
    r.ret = TWIN_E_IO;
    m = open_with_resolver(&r);
    ADD_IFACE(m, "I", "'dtmi:x:Gone;1'", "i");
    s = twin_models_resolve(m);
    ck_assert_int_eq(s, TWIN_E_IO);
    ck_assert_int_eq(twin_models_last_error(m).status, TWIN_E_IO);
    ck_assert_str_ne(twin_models_last_error(m).message, "");
    ck_assert_ptr_null(twin_models_find(m, "dtmi:x:I;1"));
    r.ret = TWIN_E_NOMEM;
    ck_assert_int_eq(twin_models_resolve(m), TWIN_E_NOMEM);
    /* still open */
    r.ret = TWIN_OK;
    ADD_IFACE(m, "Gone", NULL, NULL);
    RESOLVE_OK(m);
    models_close(m, NULL);
}
END_TEST

START_TEST(test_resolver_adds_an_invalid_document)
{
    resolver_log r;
    twin_models *m;
    twin_status s;
    const twin_dtdl_diag *d;
    memset(&r, 0, sizeof r);
    r.mode = ADD_INVALID;
    m = open_with_resolver(&r);
    ADD_IFACE(m, "I", "'dtmi:x:Bad;1'", "i");
    s = twin_models_resolve(m);
    ck_assert_msg(s != TWIN_OK, "resolve accepted an invalid document");
    ck_assert_int_eq(r.add_status, TWIN_E_CONSTRAINT);
    /* the document's errors join the resolve call's diagnostics */
    d = diag_find(m, "noTypeThatAllows");
    ck_assert_msg(d != NULL, "%s", diag_dump(m));
    ck_assert_str_eq(d->source, "resolver.json");
    ck_assert_str_eq(d->pointer, "/bogus");
    ck_assert_ptr_null(twin_models_find(m, "dtmi:x:I;1"));
    models_close(m, NULL);
}
END_TEST

START_TEST(test_resolve_from_the_resolver_refused)
{
    resolver_log r;
    twin_models *m;
    memset(&r, 0, sizeof r);
    r.mode = CALL_RESOLVE;
    m = open_with_resolver(&r);
    ADD_IFACE(m, "I", "'dtmi:x:Gone;1'", "i");
    ck_assert_int_ne(twin_models_resolve(m), TWIN_OK);
    ck_assert_int_ne(r.add_status, TWIN_OK);
    models_close(m, NULL);
}
END_TEST

/* ---- sealed set and lookups ------------------------------------------------- */

START_TEST(test_sealed_set)
{
    char path[] = "/tmp/dtdl_sealed_XXXXXX";
    int fd;
    FILE *f;
    ADD_IFACE(M, "A", NULL, "a");
    RESOLVE_OK(M);
    ck_assert_int_eq(addq(M, iface("B", NULL, NULL)), TWIN_E_STATE);
    ck_assert_int_eq(twin_models_last_error(M).status, TWIN_E_STATE);
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"dtmi:x:B;1\",\"@type\":\"Interface\"}", f);
    fclose(f);
    ck_assert_int_eq(twin_models_add_file(M, path), TWIN_E_STATE);
    remove(path);
    ck_assert_int_eq(twin_models_resolve(M), TWIN_OK);
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:B;1"));
    ck_assert_uint_eq(twin_models_interface_count(M), 1);
    find_ok(M, "dtmi:x:A;1");
}
END_TEST

START_TEST(test_lookups_before_resolve_find_nothing)
{
    ADD_IFACE(M, "A", NULL, "a");
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:A;1"));
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:A:_contents:__a;1"));
    ck_assert_uint_eq(twin_models_interface_count(M), 0);
    ck_assert_ptr_null(twin_models_interface(M, 0));
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_interface_count(M), 1);
    find_ok(M, "dtmi:x:A;1");
    find_ok(M, "dtmi:x:A:_contents:__a;1");
    ck_assert_ptr_null(twin_models_find(M, "dtmi:x:A"));
    ck_assert_ptr_null(twin_models_find(M, NULL));
    ck_assert_ptr_null(twin_models_find(NULL, "dtmi:x:A;1"));
    ck_assert_uint_eq(twin_models_interface_count(NULL), 0);
    ck_assert_ptr_null(twin_models_interface(NULL, 0));
}
END_TEST

START_TEST(test_empty_set_resolves)
{
    RESOLVE_OK(M);
    ck_assert_uint_eq(twin_models_interface_count(M), 0);
    ck_assert_int_eq(twin_models_resolve(NULL), TWIN_E_INVAL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dtdl_resolve");
    TCase *tc = tcase_create("resolve");
    tcase_add_checked_fixture(tc, models_setup, models_teardown);
    tcase_add_test(tc, test_extends_across_documents);
    tcase_add_test(tc, test_multiple_extends);
    tcase_add_test(tc, test_diamond);
    tcase_add_test(tc, test_extends_inline_interface);
    tcase_add_test(tc, test_inherited_name_clash);
    tcase_add_test(tc, test_name_clash_between_two_parents);
    tcase_add_test(tc, test_extends_cycle);
    tcase_add_test(tc, test_extends_itself);
    tcase_add_test(tc, test_extends_depth_limit_v2);
    tcase_add_test(tc, test_extends_depth_limit_v3);
    tcase_add_test(tc, test_extends_depth_limit_v4);
    tcase_add_test(tc, test_extends_a_schema_rejected);
    tcase_add_test(tc, test_undefined_reference_then_added);
    tcase_add_test(tc, test_relationship_target_need_not_be_defined);
    tcase_add_test(tc, test_resolver_adds_the_missing_documents);
    tcase_add_test(tc, test_resolver_not_called_when_nothing_is_missing);
    tcase_add_test(tc, test_resolver_asked_again_for_new_references);
    tcase_add_test(tc, test_resolver_returns_nothing);
    tcase_add_test(tc, test_resolver_error_is_propagated);
    tcase_add_test(tc, test_resolver_adds_an_invalid_document);
    tcase_add_test(tc, test_resolve_from_the_resolver_refused);
    tcase_add_test(tc, test_sealed_set);
    tcase_add_test(tc, test_lookups_before_resolve_find_nothing);
    tcase_add_test(tc, test_empty_set_resolves);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
