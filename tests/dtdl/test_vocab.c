/* DTDL extension vocabularies (lib/dtdl/vocab.c; linked against the static
 * library): table order and consistency, and lookups checked against the
 * official metamodel (DTDLParser's SupplementalTypeCollection.g.cs, the
 * extension documents) and the conformance cases named in vocab.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units/units.h"
#include "dtdl/vocab.h"
#include "support/run.h"
#include "twin/twin.h"

#define C(k) (1u << (k))

#define MQTT "dtmi:dtdl:extension:mqtt"
#define IOTO "dtmi:iotoperations:context"
#define IOTC "dtmi:iotcentral:context"
#define REQT "dtmi:dtdl:extension:requirement"

/* The type term of context DTMI ctx ("prefix;N"); must exist. */
static const twin__xtype *xt(const char *ctx, const char *term)
{
    const char *semi = strchr(ctx, ';');
    const twin__xtype *t;
    ck_assert_ptr_nonnull(semi);
    t = twin__xtype_find(ctx, (size_t)(semi - ctx), atoi(semi + 1), term);
    ck_assert_msg(t != NULL, "%s not in %s", term, ctx);
    return t;
}

static const twin__xtype *xt_maybe(const char *ctx, const char *term)
{
    const char *semi = strchr(ctx, ';');
    return twin__xtype_find(ctx, (size_t)(semi - ctx), atoi(semi + 1), term);
}

static const twin__xprop *xp(const twin__xtype *t, const char *name)
{
    const twin__xprop *p = twin__xprop_find(t, name);
    ck_assert_msg(p != NULL, "%s has no property %s", t->iri, name);
    return p;
}

static int key_cmp(const twin__xtype *a, const twin__xtype *b)
{
    int c = strcmp(a->context, b->context);
    if (c) return c;
    if (a->ctx_ver != b->ctx_ver) return a->ctx_ver < b->ctx_ver ? -1 : 1;
    return strcmp(a->term, b->term);
}

/* Contexts of the table (a referenced type outside them may be missing). */
static int context_in_table(const char *iri)
{
    size_t n, i;
    const twin__xtype *t = twin__xtype_table(&n);
    for (i = 0; i < n; i++) {
        size_t cl = strlen(t[i].context);
        const char *c = t[i].context;
        /* dtmi:dtdl:extension:X -> dtmi:dtdl:extension:X:vN:...;
           dtmi:A:context -> dtmi:A:class:... */
        if (strncmp(c, "dtmi:dtdl:extension:", 20) == 0) {
            if (strncmp(iri, c, cl) == 0 && iri[cl] == ':') return 1;
        } else {
            size_t pl = cl - strlen("context");
            if (strncmp(iri, c, pl) == 0 && strncmp(iri + pl, "class:", 6) == 0) return 1;
        }
    }
    return 0;
}

/* A referenced type DTMI: in the table (then *out is it), or of a context
 * the table does not model. */
static void check_ref(const twin__xtype *t, const char *iri, const twin__xtype **out)
{
    const twin__xtype *r = twin__xtype_find_iri(iri);
    if (out) *out = r;
    ck_assert_msg(r != NULL || !context_in_table(iri), "%s refers to unknown %s", t->iri, iri);
}

/* ---- tables ------------------------------------------------------------ */

START_TEST(test_table_sorted_unique_and_well_formed)
{
    size_t n, i, j;
    const twin__xtype *t = twin__xtype_table(&n);
    const uint32_t kinds = 0x3FFFEu & ~C(TWIN_DTDL_PRIMITIVE); /* TWIN_DTDL_INTERFACE..MAP_VALUE */
    ck_assert_uint_eq(n, 63);
    for (i = 0; i < n; i++) {
        char iri[256];
        ck_assert_msg(i == 0 || key_cmp(&t[i - 1], &t[i]) < 0, "%s before %s", t[i - 1].iri,
                      t[i].iri);
        for (j = 0; j < i; j++) ck_assert_str_ne(t[j].iri, t[i].iri);
        ck_assert_ptr_eq(twin__xtype_find(t[i].context, strlen(t[i].context), t[i].ctx_ver,
                                          t[i].term),
                         &t[i]);
        ck_assert_ptr_eq(twin__xtype_find_iri(t[i].iri), &t[i]);
        /* The type DTMI follows the context's naming. */
        if (strncmp(t[i].context, "dtmi:dtdl:extension:", 20) == 0)
            snprintf(iri, sizeof iri, "%s:v%d:%s", t[i].context, t[i].ctx_ver, t[i].term);
        else
            snprintf(iri, sizeof iri, "%.*sclass:%s;%d",
                     (int)(strlen(t[i].context) - strlen("context")), t[i].context, t[i].term,
                     t[i].ctx_ver);
        ck_assert_str_eq(t[i].iri, iri);
        /* Classes: non-empty, element kinds only. */
        ck_assert_msg(t[i].classes != 0 && (t[i].classes & ~kinds) == 0, "%s classes", iri);
        ck_assert(t[i].dtdl_min >= 2 && t[i].dtdl_min <= t[i].dtdl_max && t[i].dtdl_max <= 4);
        ck_assert(t[i].kind == TWIN__XK_ADJUNCT || t[i].kind == TWIN__XK_SEMANTIC);
        /* A schema rule has its official wording, and the wording a rule. */
        ck_assert_msg((t[i].schema_desc != NULL) ==
                          (t[i].schema_prims || t[i].schema_kinds || t[i].schema_cotype ||
                           t[i].schema_terms),
                      "%s schema rule", iri);
        ck_assert((t[i].schema_kinds & ~(C(TWIN_DTDL_ARRAY) | C(TWIN_DTDL_ENUM) |
                                         C(TWIN_DTDL_MAP) | C(TWIN_DTDL_OBJECT))) == 0);
        ck_assert(t[i].schema_prims < C(TWIN_DTDL_MULTI_POLYGON + 1) && !(t[i].schema_prims & 1u));
        /* Parent, sibling and uniqueness rules are about `fields`: Fields. */
        if (t[i].parent[0] || t[i].sibling_required || (t[i].flags & TWIN__XT_UNIQUE))
            ck_assert_msg(t[i].classes == C(TWIN_DTDL_FIELD), "%s is not a Field type", iri);
        ck_assert((t[i].parent[0] != NULL) == (t[i].parent_desc != NULL));
        ck_assert(t[i].parent[1] == NULL || t[i].parent[0] != NULL);
        /* Open class lists only on reconstructed entries. */
        if (t[i].flags & TWIN__XT_CLASSES_OPEN) ck_assert(t[i].flags & TWIN__XT_CORPUS);
    }
}
END_TEST

START_TEST(test_references_resolve)
{
    size_t n, i, k;
    const twin__xtype *t = twin__xtype_table(&n);
    for (i = 0; i < n; i++) {
        const twin__xtype *r;
        for (k = 0; k < 2; k++) {
            if (!t[i].parent[k]) continue;
            check_ref(&t[i], t[i].parent[k], &r);
            ck_assert_ptr_nonnull(r);
            /* A parent holds `fields`: an Object type of the same context version. */
            ck_assert(r->classes & C(TWIN_DTDL_OBJECT));
            ck_assert_str_eq(r->context, t[i].context);
            ck_assert_int_eq(r->ctx_ver, t[i].ctx_ver);
        }
        if (t[i].sibling_required) {
            check_ref(&t[i], t[i].sibling_required, &r);
            ck_assert_ptr_nonnull(r);
            ck_assert(r->classes & C(TWIN_DTDL_FIELD));
        }
        if (t[i].cocotype_required) {
            check_ref(&t[i], t[i].cocotype_required, &r);
            ck_assert_ptr_nonnull(r);
            ck_assert(r->classes & t[i].classes); /* they can stand together */
        }
        if (t[i].cocotype_disallowed) check_ref(&t[i], t[i].cocotype_disallowed, NULL);
        if (t[i].schema_cotype) {
            check_ref(&t[i], t[i].schema_cotype, &r);
            ck_assert_ptr_nonnull(r);
            ck_assert(r->classes & (C(TWIN_DTDL_OBJECT) | C(TWIN_DTDL_ENUM) | C(TWIN_DTDL_MAP) |
                                    C(TWIN_DTDL_ARRAY)));
        }
        if (t[i].fields_cotypes) {
            ck_assert(t[i].classes & C(TWIN_DTDL_OBJECT));
            for (k = 0; t[i].fields_cotypes[k]; k++) {
                check_ref(&t[i], t[i].fields_cotypes[k], &r);
                ck_assert_ptr_nonnull(r);
                ck_assert(r->classes & C(TWIN_DTDL_FIELD));
            }
            ck_assert_uint_gt(k, 0);
        }
    }
}
END_TEST

START_TEST(test_properties_well_formed)
{
    size_t n, i, k, j, nreq = 0, nprops = 0;
    const twin__xtype *t = twin__xtype_table(&n);
    for (i = 0; i < n; i++) {
        ck_assert((t[i].nprops == 0) == (t[i].props == NULL));
        for (k = 0; k < t[i].nprops; k++) {
            const twin__xprop *p = &t[i].props[k];
            const twin__xprop *q = NULL;
            char iri[256];
            nprops++;
            nreq += (p->flags & TWIN__XPF_REQUIRED) != 0;
            ck_assert(p->name && p->name[0] && p->iri);
            ck_assert(p->type >= TWIN__XP_STRING && p->type <= TWIN__XP_UNIT);
            ck_assert(p->pattern <= TWIN__XPAT_IDENT);
            /* Formats and lengths are string rules; minimums numeric ones. */
            if (p->pattern || p->max_len) ck_assert_int_eq(p->type, TWIN__XP_STRING);
            if (p->flags & (TWIN__XPF_MIN | TWIN__XPF_CONFORM))
                ck_assert(p->type == TWIN__XP_INTEGER || p->type == TWIN__XP_DECIMAL);
            if (p->flags & TWIN__XPF_CONFORM) ck_assert(t[i].schema_prims != 0);
            ck_assert((p->type == TWIN__XP_UNIT) == (p->unit_type != TWIN__UT_NONE));
            if (p->type == TWIN__XP_UNIT) ck_assert_ptr_nonnull(twin__unit_type_name(p->unit_type));
            for (j = 0; j < k; j++) ck_assert_str_ne(t[i].props[j].name, p->name);
            ck_assert_ptr_eq(twin__xprop_find(&t[i], p->name), p);
            /* The property DTMI follows the context's naming. */
            if (p->flags & TWIN__XPF_CORE)
                snprintf(iri, sizeof iri, "dtmi:dtdl:property:%s;%d", p->name, t[i].dtdl_min);
            else if (strncmp(t[i].context, "dtmi:dtdl:extension:", 20) == 0)
                snprintf(iri, sizeof iri, "%s:%s", t[i].iri, p->name);
            else
                snprintf(iri, sizeof iri, "%.*sproperty:%s;%d",
                         (int)(strlen(t[i].context) - strlen("context")), t[i].context, p->name,
                         t[i].ctx_ver);
            ck_assert_str_eq(p->iri, iri);
            /* Within a context version, an extension property term belongs
               to one type (so that twin__xprop_owner() is unambiguous); core
               properties (iotcentral's unit) are shared. */
            if (p->flags & TWIN__XPF_CORE) continue;
            ck_assert_ptr_eq(twin__xprop_owner(t[i].context, strlen(t[i].context), t[i].ctx_ver,
                                               p->name, &q),
                             &t[i]);
            ck_assert_ptr_eq(q, p);
        }
    }
    ck_assert_uint_eq(nprops, 41);
    ck_assert_uint_eq(nreq, 22);
}
END_TEST

START_TEST(test_counts_per_context_version)
{
    static const struct {
        const char *ctx;
        int ver;
        size_t n;
    } want[] = {
        {"dtmi:dtdl:extension:annotation", 1, 1}, {"dtmi:dtdl:extension:annotation", 2, 1},
        {"dtmi:dtdl:extension:historization", 1, 1}, {"dtmi:dtdl:extension:historization", 2, 1},
        {MQTT, 1, 4}, {MQTT, 2, 5}, {MQTT, 3, 10}, {MQTT, 4, 18},
        {"dtmi:dtdl:extension:overriding", 1, 1}, {"dtmi:dtdl:extension:overriding", 2, 1},
        {REQT, 1, 1}, {REQT, 2, 1}, {"dtmi:dtdl:extension:streaming", 1, 1},
        {IOTC, 2, 5}, {IOTO, 4, 12},
    };
    size_t i, total = 0, n;
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        size_t got = twin__xcontext_ntypes(want[i].ctx, strlen(want[i].ctx), want[i].ver);
        ck_assert_msg(got == want[i].n, "%s;%d: %zu types, want %zu", want[i].ctx, want[i].ver,
                      got, want[i].n);
        total += got;
    }
    twin__xtype_table(&n);
    ck_assert_uint_eq(total, n);
    /* Versions and contexts the table does not model. */
    ck_assert_uint_eq(twin__xcontext_ntypes(MQTT, strlen(MQTT), 5), 0);
    ck_assert_uint_eq(twin__xcontext_ntypes(IOTO, strlen(IOTO), 3), 0);
    ck_assert_uint_eq(twin__xcontext_ntypes("dtmi:dtdl:extension:layering", 28, 1), 0);
    ck_assert_uint_eq(twin__xcontext_ntypes("dtmi:dtdl:extension:quantitativeTypes", 38, 2), 0);
    ck_assert_uint_eq(twin__xcontext_ntypes("dtmi:dtdl:extension:mqt", 23, 1), 0);
}
END_TEST

/* ---- lookups against the official definitions ------------------------------ */

START_TEST(test_lookup_takes_context_length_and_version)
{
    const char *spec = "dtmi:dtdl:extension:mqtt;3";
    /* The prefix is given by length: the ";3" is not part of it. */
    ck_assert_ptr_eq(twin__xtype_find(spec, 24, 3, "Result"), xt("dtmi:dtdl:extension:mqtt;3", "Result"));
    ck_assert_ptr_null(twin__xtype_find(spec, 23, 3, "Result"));
    ck_assert_ptr_null(twin__xtype_find(spec, 26, 3, "Result"));
    /* Terms are exact and case-sensitive; versions select. */
    ck_assert_ptr_null(xt_maybe("dtmi:dtdl:extension:mqtt;3", "result"));
    ck_assert_ptr_null(xt_maybe("dtmi:dtdl:extension:mqtt;1", "Transparent")); /* from v2 */
    ck_assert_ptr_null(xt_maybe("dtmi:dtdl:extension:mqtt;2", "Result"));      /* from v3 */
    ck_assert_ptr_null(xt_maybe("dtmi:dtdl:extension:mqtt;3", "ErrorCode"));   /* from v4 */
    ck_assert_ptr_null(xt_maybe("dtmi:iotoperations:context;4", "Mqtt"));
    ck_assert_ptr_null(twin__xtype_find(NULL, 0, 1, "Mqtt"));
    ck_assert_ptr_null(twin__xtype_find(spec, 24, 3, NULL));
    ck_assert_str_eq(xt("dtmi:dtdl:extension:mqtt;2", "Mqtt")->iri,
                     "dtmi:dtdl:extension:mqtt:v2:Mqtt");
    ck_assert_ptr_null(twin__xtype_find_iri("dtmi:dtdl:extension:mqtt:v5:Mqtt"));
    ck_assert_ptr_null(twin__xtype_find_iri(NULL));
}
END_TEST

START_TEST(test_mqtt_as_defined)
{
    const twin__xtype *t;
    const twin__xprop *p;
    /* Mqtt co-types an Interface; payloadFormat required, topics formatted. */
    t = xt("dtmi:dtdl:extension:mqtt;1", "Mqtt");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_INTERFACE));
    ck_assert_int_eq(t->dtdl_min, 3);
    ck_assert_int_eq(t->dtdl_max, 3);
    ck_assert_uint_eq(t->nprops, 3);
    ck_assert_ptr_null(twin__xprop_find(t, "cmdServiceGroupId"));
    ck_assert(xp(t, "payloadFormat")->flags & TWIN__XPF_REQUIRED);
    ck_assert_int_eq(xp(t, "telemetryTopic")->pattern, TWIN__XPAT_MQTT_TOPIC);
    ck_assert(!(xp(t, "commandTopic")->flags & TWIN__XPF_REQUIRED));
    t = xt("dtmi:dtdl:extension:mqtt;3", "Mqtt");
    ck_assert_int_eq(t->dtdl_max, 4);
    ck_assert_int_eq(xp(t, "telemServiceGroupId")->pattern, TWIN__XPAT_MQTT_GROUP);
    ck_assert_str_eq(xp(t, "commandTopic")->iri, "dtmi:dtdl:extension:mqtt:v3:Mqtt:commandTopic");
    ck_assert_ptr_null(twin__xprop_find(t, "propertyTopic"));
    p = xp(xt("dtmi:dtdl:extension:mqtt;4", "Mqtt"), "propertyTopic");
    ck_assert_int_eq(p->pattern, TWIN__XPAT_MQTT_TOPIC);
    ck_assert_str_eq(p->iri, "dtmi:dtdl:extension:mqtt:v4:Mqtt:propertyTopic");
    /* Cacheable: a Command that is also Idempotent, with a required ttl. */
    t = xt("dtmi:dtdl:extension:mqtt;2", "Cacheable");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_COMMAND));
    ck_assert_str_eq(t->cocotype_required, "dtmi:dtdl:extension:mqtt:v2:Idempotent");
    p = xp(t, "ttl");
    ck_assert_int_eq(p->type, TWIN__XP_DURATION);
    ck_assert(p->flags & TWIN__XPF_REQUIRED);
    /* ttl belongs to Cacheable only: on an Idempotent-only Command it is
       irrelevant (InterfaceCommandWithAdjunctTypeIdempotentAndPropertyTtlV3). */
    ck_assert_ptr_eq(twin__xprop_owner(MQTT, strlen(MQTT), 3, "ttl", &p),
                     xt("dtmi:dtdl:extension:mqtt;3", "Cacheable"));
    ck_assert_ptr_eq(p, xp(xt("dtmi:dtdl:extension:mqtt;3", "Cacheable"), "ttl"));
    ck_assert_uint_eq(xt("dtmi:dtdl:extension:mqtt;3", "Idempotent")->nprops, 0);
    ck_assert_ptr_null(twin__xprop_owner(MQTT, strlen(MQTT), 1, "cmdServiceGroupId", &p));
    ck_assert_ptr_null(p);
    ck_assert_ptr_null(twin__xprop_owner(MQTT, strlen(MQTT), 3, "nope", NULL));
    /* Indexed: index >= 1, unique; Property only from v4. */
    t = xt("dtmi:dtdl:extension:mqtt;3", "Indexed");
    ck_assert_uint_eq(t->classes,
                      C(TWIN_DTDL_ENUM_VALUE) | C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_TELEMETRY));
    p = xp(t, "index");
    ck_assert_int_eq(p->type, TWIN__XP_INTEGER);
    ck_assert_uint_eq(p->flags & (TWIN__XPF_REQUIRED | TWIN__XPF_UNIQUE | TWIN__XPF_MIN),
                      TWIN__XPF_REQUIRED | TWIN__XPF_UNIQUE | TWIN__XPF_MIN);
    ck_assert_int_eq(p->min, 1);
    ck_assert(xt("dtmi:dtdl:extension:mqtt;4", "Indexed")->classes & C(TWIN_DTDL_PROPERTY));
    /* Transparent: a CommandRequest/Response whose schema is an Object. */
    t = xt("dtmi:dtdl:extension:mqtt;2", "Transparent");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_COMMAND_REQUEST) | C(TWIN_DTDL_COMMAND_RESPONSE));
    ck_assert_uint_eq(t->schema_kinds, C(TWIN_DTDL_OBJECT));
    ck_assert_str_eq(t->schema_desc, "Object");
}
END_TEST

START_TEST(test_mqtt_results_and_errors)
{
    const twin__xtype *t;
    /* Result: an Object whose fields are NormalResult or ErrorResult (v3);
       v4 adds ErrorCode and ErrorInfo. Not on an Array (ArrayWithAdjunctTypeResultV4). */
    t = xt("dtmi:dtdl:extension:mqtt;3", "Result");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_OBJECT));
    ck_assert_str_eq(t->fields_cotypes[0], "dtmi:dtdl:extension:mqtt:v3:NormalResult");
    ck_assert_str_eq(t->fields_cotypes[1], "dtmi:dtdl:extension:mqtt:v3:ErrorResult");
    ck_assert_ptr_null(t->fields_cotypes[2]);
    t = xt("dtmi:dtdl:extension:mqtt;4", "Result");
    ck_assert_str_eq(t->fields_cotypes[3], "dtmi:dtdl:extension:mqtt:v4:ErrorInfo");
    ck_assert(!(xt("dtmi:dtdl:extension:mqtt;4", "Error")->classes & C(TWIN_DTDL_ARRAY)));
    /* NormalResult: a Field of a Result, one per Object; not on an Object
       (ObjectWithAdjunctTypeNormalResultV4); not with Required v1. */
    t = xt("dtmi:dtdl:extension:mqtt;4", "NormalResult");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_FIELD));
    ck_assert(t->flags & TWIN__XT_UNIQUE);
    ck_assert_str_eq(t->parent[0], "dtmi:dtdl:extension:mqtt:v4:Result");
    ck_assert_ptr_null(t->parent[1]);
    ck_assert_str_eq(t->cocotype_disallowed, "dtmi:dtdl:extension:requirement:v1:Required");
    /* ErrorResult: its schema must be co-typed Error
       (ObjectResultFieldsSchemaObjectWithoutCotypeV4: notRequiredType Error). */
    t = xt("dtmi:dtdl:extension:mqtt;4", "ErrorResult");
    ck_assert_str_eq(t->schema_cotype, "dtmi:dtdl:extension:mqtt:v4:Error");
    ck_assert_str_eq(t->schema_desc, "Error");
    ck_assert(t->flags & TWIN__XT_UNIQUE); /* ObjectWithAdjunctTypeResultTwoErrorResultsV4 */
    /* ErrorMessage: a string Field of an Error
       (ObjectWithoutCotypeFieldWithAdjunctTypeErrorMessageV4: parentMissingCotype Error). */
    t = xt("dtmi:dtdl:extension:mqtt;3", "ErrorMessage");
    ck_assert_uint_eq(t->schema_prims, C(TWIN_DTDL_STRING));
    ck_assert_str_eq(t->parent[0], "dtmi:dtdl:extension:mqtt:v3:Error");
    ck_assert_str_eq(t->parent_desc, "Error");
    /* ErrorCode: an Enum Field (of integer or string values) of a Result or an Error. */
    t = xt("dtmi:dtdl:extension:mqtt;4", "ErrorCode");
    ck_assert_uint_eq(t->schema_kinds, C(TWIN_DTDL_ENUM));
    ck_assert_str_eq(t->parent[0], "dtmi:dtdl:extension:mqtt:v4:Result");
    ck_assert_str_eq(t->parent[1], "dtmi:dtdl:extension:mqtt:v4:Error");
    ck_assert_str_eq(t->parent_desc, "Result or Error");
    /* ErrorInfo: an Object Field beside an ErrorCode
       (ObjectResultFieldSchemaIntegerErrorInfoV4, ObjectResultFieldErrorInfoWithoutErrorCodeV4). */
    t = xt("dtmi:dtdl:extension:mqtt;4", "ErrorInfo");
    ck_assert_uint_eq(t->schema_kinds, C(TWIN_DTDL_OBJECT));
    ck_assert_str_eq(t->schema_desc, "Object");
    ck_assert_str_eq(t->sibling_required, "dtmi:dtdl:extension:mqtt:v4:ErrorCode");
    /* PropertyValue: one Field of a PropertyResult, never an Object. */
    t = xt("dtmi:dtdl:extension:mqtt;4", "PropertyValue");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_FIELD));
    ck_assert(!(t->flags & TWIN__XT_CLASSES_OPEN));
    ck_assert(t->flags & TWIN__XT_UNIQUE);
    ck_assert_str_eq(t->parent_desc, "PropertyResult");
    /* Fragmented: the schema must be a Map
       (ObjectFieldPropertyValueWithAdjunctTypeFragmentedSchemaIntegerV4). */
    t = xt("dtmi:dtdl:extension:mqtt;4", "Fragmented");
    ck_assert_uint_eq(t->schema_kinds, C(TWIN_DTDL_MAP));
    ck_assert_str_eq(t->schema_desc, "Map");
    /* Indirect excludes Required v1 (ObjectFieldIndirectRequiredV4). */
    ck_assert_str_eq(xt("dtmi:dtdl:extension:mqtt;4", "Indirect")->cocotype_disallowed,
                     xt("dtmi:dtdl:extension:requirement;1", "Required")->iri);
    /* ReadError and WriteError may share a Field (mqttDocExample-en-US-7-V4). */
    ck_assert_ptr_null(xt("dtmi:dtdl:extension:mqtt;4", "ReadError")->cocotype_disallowed);
    ck_assert(xt("dtmi:dtdl:extension:mqtt;4", "WriteError")->classes & C(TWIN_DTDL_FIELD));
}
END_TEST

START_TEST(test_requirement_as_defined)
{
    const twin__xtype *t = xt("dtmi:dtdl:extension:requirement;1", "Required");
    /* v1: Fields only (InterfacePropertyRequiredV3: invalidCotype on a Property). */
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_FIELD));
    ck_assert_int_eq(t->dtdl_min, 3);
    ck_assert_int_eq(t->dtdl_max, 4);
    ck_assert_uint_eq(t->nprops, 0);
    t = xt("dtmi:dtdl:extension:requirement;2", "Required");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_PROPERTY));
    ck_assert_ptr_null(xt_maybe("dtmi:dtdl:extension:requirement;3", "Required"));
}
END_TEST

START_TEST(test_iotoperations_as_defined)
{
    const twin__xtype *t;
    const twin__xprop *p;
    const uint32_t valued = C(TWIN_DTDL_COMMAND_REQUEST) | C(TWIN_DTDL_COMMAND_RESPONSE) |
                            C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_MAP_VALUE) | C(TWIN_DTDL_PROPERTY) |
                            C(TWIN_DTDL_TELEMETRY);
    /* Limited, Precise, ScaledStatically: value-carrying classes, numeric schema. */
    t = xt("dtmi:iotoperations:context;4", "Limited");
    ck_assert_uint_eq(t->classes, valued);
    ck_assert(!(t->classes & C(TWIN_DTDL_RELATIONSHIP))); /* RelationshipLimitedV4 */
    ck_assert_int_eq(t->dtdl_min, 4);
    ck_assert_str_eq(t->schema_desc, "NumericSchema");
    ck_assert(t->schema_prims & C(TWIN_DTDL_FLOAT));
    ck_assert(t->schema_prims & C(TWIN_DTDL_UNSIGNED_LONG));
    ck_assert(!(t->schema_prims & C(TWIN_DTDL_BOOLEAN)));
    ck_assert(!(t->schema_prims & C(TWIN_DTDL_STRING)));
    p = xp(t, "minimum");
    ck_assert_int_eq(p->type, TWIN__XP_DECIMAL);
    ck_assert(p->flags & TWIN__XPF_CONFORM);
    ck_assert(!(p->flags & TWIN__XPF_REQUIRED)); /* TelemetryLimitedWithoutMinOrMaxV4 */
    ck_assert_str_eq(p->iri, "dtmi:iotoperations:property:minimum;4");
    t = xt("dtmi:iotoperations:context;4", "Precise");
    ck_assert(!(t->schema_prims & C(TWIN_DTDL_BOOLEAN))); /* TelemetryPreciseWithSchemaBooleanV4 */
    p = xp(t, "decimalPlaces");
    ck_assert_int_eq(p->type, TWIN__XP_INTEGER);
    ck_assert(p->flags & TWIN__XPF_REQUIRED);
    p = xp(xt("dtmi:iotoperations:context;4", "ScaledStatically"), "scaleFactor");
    ck_assert_uint_eq(p->flags, TWIN__XPF_REQUIRED | TWIN__XPF_CONFORM);
    /* GroupMember: a Command with an identifier of at most 128 characters. */
    t = xt("dtmi:iotoperations:context;4", "GroupMember");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_COMMAND));
    p = xp(t, "group");
    ck_assert_int_eq(p->type, TWIN__XP_STRING);
    ck_assert_uint_eq(p->max_len, 128);
    ck_assert_int_eq(p->pattern, TWIN__XPAT_IDENT);
    ck_assert_str_eq(p->iri, "dtmi:iotoperations:property:group;4");
    ck_assert_uint_eq(xp(xt("dtmi:iotoperations:context;4", "Qualified"), "namespace")->max_len, 128);
    /* Congruence: not on a Telemetry (TelemetryCongruenceV4), and its typeRef
       then has no type that allows it; Composite on an Interface. */
    t = xt("dtmi:iotoperations:context;4", "Congruence");
    ck_assert(!(t->classes & C(TWIN_DTDL_TELEMETRY)));
    ck_assert(t->classes & C(TWIN_DTDL_INTERFACE));
    ck_assert_ptr_eq(twin__xprop_owner(IOTO, strlen(IOTO), 4, "typeRef", NULL), t);
    t = xt("dtmi:iotoperations:context;4", "Composite");
    ck_assert_uint_eq(xp(t, "ontology")->max_len, 128);
    ck_assert_str_eq(t->cocotype_disallowed, xt("dtmi:iotoperations:context;4", "Event")->iri);
    /* HasCapability excludes HasComponent (RelationshipHasCapabilityAndHasComponentV4). */
    ck_assert_str_eq(xt("dtmi:iotoperations:context;4", "HasCapability")->cocotype_disallowed,
                     "dtmi:iotoperations:class:HasComponent;4");
    ck_assert_ptr_null(xt("dtmi:iotoperations:context;4", "HasComponent")->cocotype_disallowed);
    /* Subject: one Field of a Detail (ObjectDetailWithTwoFieldsSubjectV4). */
    t = xt("dtmi:iotoperations:context;4", "Subject");
    ck_assert_str_eq(t->parent[0], "dtmi:iotoperations:class:Detail;4");
    ck_assert(t->flags & TWIN__XT_UNIQUE);
    /* Event here is not iotcentral's Event. */
    ck_assert_ptr_ne(xt("dtmi:iotoperations:context;4", "Event"), xt("dtmi:iotcentral:context;2", "Event"));
    ck_assert_uint_eq(xt("dtmi:iotoperations:context;4", "Event")->classes, C(TWIN_DTDL_INTERFACE));
}
END_TEST

START_TEST(test_iotcentral_and_others_as_defined)
{
    const twin__xtype *t;
    /* iotcentral: semantic types of Properties and Telemetries in DTDL v2
       (not a CommandPayload or MapValue: CommandResponseWithSemanticTypePartnerV2,
       MapValueWithSemanticTypePartnerV2). */
    t = xt("dtmi:iotcentral:context;2", "VelocityVector");
    ck_assert_int_eq(t->kind, TWIN__XK_SEMANTIC);
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_PROPERTY) | C(TWIN_DTDL_TELEMETRY));
    ck_assert_int_eq(t->dtdl_max, 2);
    ck_assert_str_eq(t->schema_terms[0], "vector");
    ck_assert_int_eq(xp(t, "unit")->unit_type, TWIN__UT_VELOCITY);
    ck_assert(!(xp(t, "unit")->flags & TWIN__XPF_REQUIRED));
    t = xt("dtmi:iotcentral:context;2", "State");
    ck_assert_uint_eq(t->schema_kinds, C(TWIN_DTDL_ENUM)); /* TelemetryWithSemanticTypeStateIntegerV2 */
    t = xt("dtmi:iotcentral:context;2", "Event");
    ck_assert(t->schema_prims & C(TWIN_DTDL_INTEGER)); /* TelemetryWithSemanticTypeEventIntegerV2 */
    t = xt("dtmi:iotcentral:context;2", "Location");
    ck_assert(t->schema_prims & C(TWIN_DTDL_POINT));
    ck_assert_str_eq(t->schema_terms[0], "geopoint");
    /* historization, annotation, overriding, streaming. */
    ck_assert_uint_eq(xt("dtmi:dtdl:extension:historization;2", "Historized")->dtdl_max, 4);
    ck_assert_uint_eq(xt("dtmi:dtdl:extension:historization;1", "Historized")->dtdl_max, 3);
    t = xt("dtmi:dtdl:extension:overriding;2", "Override");
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_PROPERTY));
    ck_assert_str_eq(t->cocotype_required, xt("dtmi:dtdl:extension:annotation;2", "ValueAnnotation")->iri);
    ck_assert(t->flags & TWIN__XT_KEYREF);
    ck_assert_int_eq(xp(xt("dtmi:dtdl:extension:annotation;1", "ValueAnnotation"), "annotates")->type,
                     TWIN__XP_NAME_REF);
    t = xt("dtmi:dtdl:extension:streaming;1", "Streaming");
    ck_assert(t->flags & TWIN__XT_NOT_WRITABLE);
    ck_assert_uint_eq(t->classes, C(TWIN_DTDL_PROPERTY));
}
END_TEST

/* ---- string formats ------------------------------------------------------ */

static int fmt(int kind, const char *s)
{
    return twin__xpattern_ok(kind, s, strlen(s));
}

START_TEST(test_mqtt_topic_format)
{
    static const char *const good[] = {
        "sample/{modelId}/{senderId}/telemetry",   /* conformance cases */
        "sample/{modelId}/command/{commandName}",
        "sample/{modelId}/{sourceId}/property/{action}",
        "vehicles/{executorId}/command/{commandName}", /* extension documents */
        "samples/command/{commandName}",
        "rpc/command-samples/{executorId}/{commandName}",
        "a", "{x}", "{ex:token}", "a/$b", "a/b$", "x:y=z@w", "!%&'()*,-.~|",
    };
    static const char *const bad[] = {
        "sample/{modelId}//command/{commandName}", /* InterfaceWithAdjunctTypeMqttInvalidCommandTopicV3 */
        "",                                        /* InterfaceWithAdjunctTypeMqttEmptyPropertyTopicV4 */
        "/a", "a/", "$share/a", "a b", "a+b", "a/#", "a\"b", "{}", "{a:}", "{:b}", "{a:b:c}",
        "{a1}", "{a", "a}", "a{b}", "{a}b", "caf\xc3\xa9",
    };
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(fmt(TWIN__XPAT_MQTT_TOPIC, good[i]), "'%s' rejected", good[i]);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!fmt(TWIN__XPAT_MQTT_TOPIC, bad[i]), "'%s' accepted", bad[i]);
    /* The length is exact: a prefix of a good topic may be bad. */
    ck_assert(!twin__xpattern_ok(TWIN__XPAT_MQTT_TOPIC, "a/b", 2));
    ck_assert(twin__xpattern_ok(TWIN__XPAT_MQTT_TOPIC, "a/b", 1));
}
END_TEST

START_TEST(test_group_id_and_identifier_formats)
{
    ck_assert(fmt(TWIN__XPAT_MQTT_GROUP, "hello"));        /* ...WithTelemServiceGroupIdV4 */
    ck_assert(!fmt(TWIN__XPAT_MQTT_GROUP, "hello/there")); /* ...InvalidTelemServiceGroupIdV4 */
    ck_assert(fmt(TWIN__XPAT_MQTT_GROUP, "$share"));
    ck_assert(!fmt(TWIN__XPAT_MQTT_GROUP, ""));
    ck_assert(!fmt(TWIN__XPAT_MQTT_GROUP, "{a}"));
    ck_assert(!fmt(TWIN__XPAT_MQTT_GROUP, "a b"));
    ck_assert(fmt(TWIN__XPAT_IDENT, "PollingCommands")); /* iotoperationsDocExample-en-US-11-V4 */
    ck_assert(fmt(TWIN__XPAT_IDENT, "a"));
    ck_assert(fmt(TWIN__XPAT_IDENT, "a_1"));
    ck_assert(!fmt(TWIN__XPAT_IDENT, "a_"));
    ck_assert(!fmt(TWIN__XPAT_IDENT, "_a"));
    ck_assert(!fmt(TWIN__XPAT_IDENT, "1a"));
    ck_assert(!fmt(TWIN__XPAT_IDENT, ""));
    ck_assert(!fmt(TWIN__XPAT_IDENT, "a-b"));
    ck_assert(fmt(TWIN__XPAT_NONE, ""));
    ck_assert(fmt(TWIN__XPAT_NONE, "any thing"));
    ck_assert(!fmt(99, "a"));
    ck_assert(!twin__xpattern_ok(TWIN__XPAT_IDENT, NULL, 0));
}
END_TEST

static Suite *vocab_suite(void)
{
    Suite *s = suite_create("dtdl_vocab");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, test_table_sorted_unique_and_well_formed);
    tcase_add_test(tc, test_references_resolve);
    tcase_add_test(tc, test_properties_well_formed);
    tcase_add_test(tc, test_counts_per_context_version);
    suite_add_tcase(s, tc);
    tc = tcase_create("lookups");
    tcase_add_test(tc, test_lookup_takes_context_length_and_version);
    tcase_add_test(tc, test_mqtt_as_defined);
    tcase_add_test(tc, test_mqtt_results_and_errors);
    tcase_add_test(tc, test_requirement_as_defined);
    tcase_add_test(tc, test_iotoperations_as_defined);
    tcase_add_test(tc, test_iotcentral_and_others_as_defined);
    suite_add_tcase(s, tc);
    tc = tcase_create("formats");
    tcase_add_test(tc, test_mqtt_topic_format);
    tcase_add_test(tc, test_group_id_and_identifier_formats);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(vocab_suite());
}
