/* Vocabularies of DTDL extension contexts: which co-type terms each context
 * version defines, which element classes and DTDL versions each may co-type,
 * the properties each adds, and the rules it sets on the element's schema,
 * its parent, its siblings and its other co-types. One const table, sorted
 * by (context, context version, term); nothing here allocates.
 *
 * Contexts covered (prefix, versions):
 *   dtmi:dtdl:extension:annotation     1, 2
 *   dtmi:dtdl:extension:historization  1, 2
 *   dtmi:dtdl:extension:mqtt           1, 2, 3, 4
 *   dtmi:dtdl:extension:overriding     1, 2
 *   dtmi:dtdl:extension:requirement    1, 2
 *   dtmi:dtdl:extension:streaming      1
 *   dtmi:iotcentral:context            2
 *   dtmi:iotoperations:context         4
 * Not here: quantitativeTypes (units.h), and contexts with no term data in
 * the official sources (layering, onvif, sparkplug; the limit contexts
 * dtmi:dtdl:limits:aio;1 and dtmi:dtdl:limits:onvif;1 define no terms).
 *
 * Sources: vocab.c says, entry by entry, where each fact comes from. Entries
 * and parts flagged TWIN__XT_CORPUS are newer than the stored official
 * metamodel and were reconstructed from the official parser's conformance
 * cases; they carry only the rules those cases show. */
#ifndef TWIN_DTDL_VOCAB_H
#define TWIN_DTDL_VOCAB_H

#include "twin/dtdl.h"

#include <stddef.h>
#include <stdint.h>

/* Kinds of value an extension property takes (its datatype). */
enum twin__xp_type {
    TWIN__XP_STRING = 1, /* xsd:string */
    TWIN__XP_INTEGER,    /* xsd:integer (a JSON number with no fraction) */
    TWIN__XP_DECIMAL,    /* xsd:decimal (any JSON number) */
    TWIN__XP_DURATION,   /* xsd:duration: an ISO 8601 duration string */
    TWIN__XP_NAME_REF,   /* a string naming a sibling element (its `name`) */
    TWIN__XP_PROP_REF,   /* a term naming a property of the annotated sibling */
    TWIN__XP_UNIT        /* a unit term of unit type xprop.unit_type (units.h) */
};

/* Known string formats (xprop.pattern); twin__xpattern_ok() checks them. */
enum twin__xpattern {
    TWIN__XPAT_NONE = 0,
    /* An MQTT topic pattern: '/'-separated non-empty labels, each a literal
       of printable ASCII without space " # + / { } (the first label may not
       start with $), or a token {name} / {prefix:name} of ASCII letters.
       Official regex: ^(?:(?:[!%-*,-.0-z|~][!$-*,-.0-z|~]*)|(?:{(?:[A-Za-z]+:)?
       [A-Za-z]+}))(?:\/(?:(?:[!$-*,-.0-z|~]+)|(?:{(?:[A-Za-z]+:)?[A-Za-z]+})))*$ */
    TWIN__XPAT_MQTT_TOPIC,
    /* An MQTT shared-subscription group id: ^[!$-*,-.0-z|~]+$ */
    TWIN__XPAT_MQTT_GROUP,
    /* An identifier: ^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$ */
    TWIN__XPAT_IDENT
};

/* Property flags. */
enum {
    /* Required: absent gives missingSupplementalLiteralProperty. */
    TWIN__XPF_REQUIRED = 1u << 0,
    /* The value is unique among the siblings that carry the same type
       (hasUniqueValue; Indexed.index). */
    TWIN__XPF_UNIQUE = 1u << 1,
    /* The value must be a valid instance of the element's own `schema`
       (instanceProperty "schema"; e.g. an integer for an integer schema):
       nonConformantPropertyValue otherwise. */
    TWIN__XPF_CONFORM = 1u << 2,
    /* xprop.min is an inclusive minimum of the value. */
    TWIN__XPF_MIN = 1u << 3,
    /* A core DTDL property (`unit` in DTDL v2) that the parser reads anyway;
       the type only narrows it. */
    TWIN__XPF_CORE = 1u << 4,
    /* Not in the stored official metamodel: from the conformance corpus. */
    TWIN__XPF_CORPUS = 1u << 5
};

/* A property that a co-type adds to the element it co-types. */
typedef struct twin__xprop {
    const char *name;   /* JSON term, e.g. "commandTopic" */
    const char *iri;    /* property DTMI, as official diagnostics name it */
    uint8_t type;       /* enum twin__xp_type */
    uint8_t flags;      /* TWIN__XPF_* */
    uint8_t pattern;    /* enum twin__xpattern */
    uint16_t max_len;   /* maximum length in characters (UTF-16 units in the
                           official parser); 0: none. stringTooLong. */
    uint16_t unit_type; /* TWIN__XP_UNIT: enum twin__unit_type_id */
    int32_t min;        /* with TWIN__XPF_MIN */
} twin__xprop;

/* Kinds of supplemental type. */
enum {
    TWIN__XK_ADJUNCT = 1, /* an adjunct type */
    TWIN__XK_SEMANTIC     /* a semantic type (iotcentral): conflictingSupplementalTypes
                             with another semantic type on the same element */
};

/* Type flags. */
enum {
    /* At most one element of the parent's `fields` carries it
       (adjunctTypeIsUnique): siblingDuplicatesCotype. */
    TWIN__XT_UNIQUE = 1u << 0,
    /* The element's `writable` must be false (Streaming). */
    TWIN__XT_NOT_WRITABLE = 1u << 1,
    /* `classes` lists the classes known to be allowed, not all of them: a
       checker should not report invalidCotype for another class. */
    TWIN__XT_CLASSES_OPEN = 1u << 2,
    /* The entry, or part of it, is newer than the stored official
       metamodel and was reconstructed from conformance cases. */
    TWIN__XT_CORPUS = 1u << 3,
    /* Sibling key-reference rules (ValueAnnotation.annotates names a
       sibling Property or Telemetry that is not itself a ValueAnnotation;
       Override.overrides names one of that sibling's properties, and the
       two schemas must agree) that this table does not express. */
    TWIN__XT_KEYREF = 1u << 4
};

/* A co-type term of an extension context version. Cross-references to other
 * types (parent, sibling, co-types, schema co-type, fields) are type DTMIs:
 * compare them with twin__xtype.iri, or look them up with
 * twin__xtype_find_iri() (NULL for a type of a context not in this table,
 * such as dtmi:dtdl:extension:initialization:v1:Initialized). */
typedef struct twin__xtype {
    const char *context; /* context DTMI without ";version" */
    const char *term;    /* co-type term, e.g. "Mqtt" */
    const char *iri;     /* type DTMI, e.g. "dtmi:dtdl:extension:mqtt:v4:Mqtt" */
    uint8_t ctx_ver;     /* context version that defines it */
    uint8_t dtdl_min, dtdl_max; /* DTDL versions of the element it co-types
                                   (invalidCotypeVersion outside) */
    uint8_t kind;        /* TWIN__XK_* */
    uint16_t flags;      /* TWIN__XT_* */
    uint8_t nprops;
    /* 1u << TWIN_DTDL_* element kinds it may co-type (invalidCotype).
       TWIN_DTDL_COMMAND_REQUEST/RESPONSE stand for v2's CommandPayload too. */
    uint32_t classes;
    /* Rule on the element's `schema` (notRequiredType, Property "schema",
       Type schema_desc). It holds when the schema is a primitive in
       schema_prims (1u << TWIN_DTDL_BOOLEAN ...), or an element of a kind in
       schema_kinds (1u << TWIN_DTDL_OBJECT ...), or an element co-typed
       schema_cotype, or one of the schema terms of schema_terms (NULL-ended;
       iotcentral's "vector", "geopoint" and the geospatial terms). No rule
       when all four are empty. */
    uint32_t schema_prims;
    uint32_t schema_kinds;
    const char *schema_cotype;
    const char *const *schema_terms;
    const char *schema_desc; /* the official RequiredTypesString */
    /* Every element of the element's own `fields` must carry one of these
       types (NULL-ended; Result). */
    const char *const *fields_cotypes;
    /* The element must sit in the `fields` of an element co-typed one of
       these (parentMissingCotype, Property "fields"); NULL: no rule. */
    const char *parent[2];
    const char *parent_desc; /* the official restriction text: "Result or Error" */
    /* Another co-type the same element must carry (missingCocotype) and one
       it must not carry (disallowedCocotype); NULL: none. */
    const char *cocotype_required;
    const char *cocotype_disallowed;
    /* A sibling in the same `fields` must carry this type
       (siblingMissingCotype); NULL: none. */
    const char *sibling_required;
    const twin__xprop *props;
} twin__xtype;

/* The type `term` of context `ctx` (its first ctx_len bytes, without the
 * ";version") at version ctx_ver; NULL if that context version does not
 * define the term (or is not in the table). */
const twin__xtype *twin__xtype_find(const char *ctx, size_t ctx_len, int ctx_ver,
                                    const char *term);

/* The type whose DTMI is iri; NULL if none. */
const twin__xtype *twin__xtype_find_iri(const char *iri);

/* The property `name` of type t; NULL if t does not add it. */
const twin__xprop *twin__xprop_find(const twin__xtype *t, const char *name);

/* The type of context version (ctx, ctx_ver) that adds the property `name`,
 * and that property in *prop (may be NULL); NULL if no type of that context
 * version adds it (in which case a property of that name is not an
 * extension property: propertyUndefinedTerm; and when it is, but no co-type
 * of the element adds it: propertyIrrelevantDtmiOrTerm / noTypeThatAllows).
 * Extension property terms are unique within a context version; a core
 * property (TWIN__XPF_CORE: iotcentral's unit, on two types) gives the first
 * type that narrows it. */
const twin__xtype *twin__xprop_owner(const char *ctx, size_t ctx_len, int ctx_ver,
                                     const char *name, const twin__xprop **prop);

/* The number of types that context version (ctx, ctx_ver) defines; 0 when
 * the table does not model it. */
size_t twin__xcontext_ntypes(const char *ctx, size_t ctx_len, int ctx_ver);

/* Whether s[0..n) matches format kind (enum twin__xpattern); TWIN__XPAT_NONE
 * matches everything. Byte-wise: any byte above 0x7E fails the three formats. */
int twin__xpattern_ok(int kind, const char *s, size_t n);

/* The whole table, sorted by (context, ctx_ver, term) with strcmp order on
 * the strings; the triple is unique, and so is iri. */
const twin__xtype *twin__xtype_table(size_t *n);

#endif
