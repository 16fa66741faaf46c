/* Vocabularies of DTDL extension contexts (vocab.h): const data and lookups.
 *
 * Sources (read 2026; DTMIs, classes, versions, datatypes, limits and rules
 * are facts of the specification, restated here as data):
 *  [S] digitaltwinconsortium/DTDLParser,
 *      dotnet/src/DTDLParser/generated/SupplementalTypeCollection.g.cs (the
 *      stored version that defines mqtt;1-4, requirement;1-2 and
 *      iotoperations;4): AllowedCotypeKinds, AllowedCotypeVersions,
 *      AddProperty (datatype, optional/required, minInclusive, maxLength,
 *      regex, hasUniqueValue, instanceProperty), AddPropertyValueConstraint,
 *      AddParentConstraint (adjunctTypeIsUnique), RequiredCocotypes,
 *      DisallowedCocotypes of every type below unless marked otherwise.
 *  [D] same repository, dtdl/dtdl_digest.json and
 *      dotnet/src/DTDLParser/generated/SupportedExtensions.g.md: the terms of
 *      each context, the context versions per DTDL version.
 *  [M] Azure/opendigitaltwins-dtdl: DTDL/v3/DTDL.mqtt.v1.md,
 *      DTDL/v4/DTDL.mqtt.v2.md, DTDL/v4/DTDL.mqtt.v3.md,
 *      DTDL/v4/DTDL.requirement.v1.md, and
 *      DTDL/v3/metamodel/DTDL.FeatureExtension.streaming.v1.RDF-SHACL.json
 *      (Streaming, which the stored DTDLParser does not define).
 *  [A] Azure/iot-operations-sdks: doc/dev/adr/0022-codegen-err-headers.md
 *      (ErrorCode, ErrorInfo), 0023-property-support.md (propertyTopic),
 *      0024-indirect-schema.md (Indirect co-types a Field).
 *  [C] the official parser's conformance cases
 *      (../shared/corpus/dtdl/conformance). The stored [S] predates them for
 *      mqtt;4: mqtt;4's propertyTopic, Indexed on Property, ErrorInfo's
 *      schema and sibling rules, and the types Fragmented, Indirect,
 *      PropertyResult, PropertyValue, ReadError, WriteError come from the
 *      cases alone (flag TWIN__XT_CORPUS / TWIN__XPF_CORPUS), with only the
 *      rules the cases show.
 *
 * Conformance cases each rule explains (generated/ unless noted):
 *  classes (invalidCotype): ArrayWithAdjunctTypeErrorV4,
 *    ArrayWithAdjunctTypeResultV4, ObjectWithAdjunctTypeNormalResultV4,
 *    ObjectWithAdjunctTypePropertyValueV4, RelationshipLimitedV4,
 *    RelationshipPreciseV4, TelemetryCongruenceV4 (+ noTypeThatAllows for its
 *    typeRef: twin__xprop_owner), InterfacePropertyRequiredV3 (its second
 *    error, invalidCotypeVersion, is not explained: [S] gives Required v1
 *    DTDL versions 3 and 4, and [S] reports the two errors exclusively),
 *    CommandResponseWithSemanticTypePartnerV2,
 *    MapValueWithSemanticTypePartnerV2.
 *  classes (valid): InterfaceWithAdjunctTypeMqttV3/V4,
 *    InterfaceWithAdjunctTypeMqttWithTelemServiceGroupIdV4,
 *    InterfaceCommandRequest/ResponseWithAdjunctTypeTransparentSchemaObjectV4,
 *    TwoRelationshipsOneHasCapabilityOtherHasComponentV4, InterfaceEventV4,
 *    TelemetryWithSemanticTypeAccelerationVectorV2,
 *    TelemetryWithSemanticTypeLocationPointV2/GeopointV2,
 *    TelemetryWithSemanticTypeEventIntegerV2, doc-examples/mqttDocExample-*,
 *    doc-examples/iotoperationsDocExample-*, doc-examples/iotcentralDocExample-*.
 *  required property (missingSupplementalLiteralProperty):
 *    CommandGroupMemberWithoutGroupV4, FieldPreciseWithoutDecimalPlacesV4,
 *    FieldScaledStaticallyWithoutScaleFactorV4,
 *    InterfaceCommandWithAdjunctTypesIdempotentAndCacheableNoTtlV3/V4,
 *    InterfacePropertyWithAdjunctTypeIndexedMissingIndexV4,
 *    InterfaceTelemetryWithAdjunctTypeIndexedMissingIndexV3/V4.
 *  property of no co-type of the element (propertyIrrelevantDtmiOrTerm):
 *    InterfaceCommandWithAdjunctTypeIdempotentAndPropertyTtlV3/V4.
 *  datatype (stringNotString, numericNotNumeric):
 *    CommandGroupMemberWithGroupIntV4, InterfaceCompositeWithOntologyNumberV4,
 *    InterfaceCongruenceWithTypeRefNumberV4, TelemetryLimitedWithMaximumStringV4,
 *    TelemetryScaledStaticallyWithScaleFactorStringV4; valid:
 *    InterfaceCompositeWithOntologyStringV4, InterfaceCongruenceWithTypeRefStringV4,
 *    FieldLimitedWithMinAndMaxFloatV4, TelemetryLimitedWithoutMinOrMaxV4.
 *  max_len (stringTooLong, 128): CommandGroupMemberWithGroupStringTooLongV4
 *    (129 characters); valid at 128: TelemetryQualifiedWithNamespaceStringMaxLongV4.
 *  pattern (stringInvalid): InterfaceWithAdjunctTypeMqttEmptyPropertyTopicV4,
 *    InterfaceWithAdjunctTypeMqttInvalidCommandTopicV3,
 *    InterfaceWithAdjunctTypeMqttInvalidCmdServiceGroupIdV4,
 *    InterfaceWithAdjunctTypeMqttInvalidTelemServiceGroupIdV4.
 *  TWIN__XPF_CONFORM (nonConformantPropertyValue):
 *    TelemetryLimitedWithSchemaIntMinFloatV4; valid:
 *    TelemetryLimitedWithSchemaFloatMinIntV4, TelemetryLimitedWithSchemaFloatMaxFloatV4,
 *    TelemetryScaledStaticallyWithSchemaFloatScaleFactorIntV4.
 *  schema rule (notRequiredType): TelemetryPreciseWithSchemaBooleanV4,
 *    ObjectResultFieldSchemaIntegerErrorInfoV4, ObjectResultFieldSchemaStringErrorInfoV4,
 *    ObjectErrorFieldSchemaEnumStringErrorInfoV4 (Object),
 *    ObjectResultFieldsSchemaObjectWithoutCotypeV4 (Error),
 *    ObjectFieldPropertyValueWithAdjunctTypeFragmentedSchemaIntegerV4 (Map),
 *    doc-examples/mqttDocExample-en-US-5-V3 (Transparent),
 *    TelemetryWithSemanticTypeStateIntegerV2 (Enum); valid:
 *    ObjectErrorFieldSchemaEnumIntegerErrorCodeV4, ObjectResultFieldSchemaEnumStringErrorCodeV4,
 *    ObjectErrorFieldSchemaObjectErrorInfoV4,
 *    ObjectResultFieldsSchemaObjectErrorResultWithAdjunctTypeErrorV4,
 *    ObjectWithAdjunctTypeErrorAndFieldErrorMessageV4.
 *  parent (parentMissingCotype): ObjectWithoutCotypeFieldWithAdjunctTypeErrorMessageV4,
 *    ObjectWithoutCotypeFieldWithAdjunctTypePropertyValueV4.
 *  TWIN__XT_UNIQUE (siblingDuplicatesCotype): ObjectDetailWithTwoFieldsSubjectV4,
 *    ObjectWithAdjunctTypePropertyResultTwoPropertyValuesV4,
 *    ObjectWithAdjunctTypeResultTwoErrorResultsV4; valid:
 *    ObjectWithAdjunctTypeResultNoErrorResultV4, ObjectWithAdjunctTypeErrorNoErrorMessageV4,
 *    ObjectWithAdjunctTypePropertyResultNoPropertyValueV4,
 *    ObjectPropertyResultFieldsSchemaObjectPropertyValueWithAdjunctTypeErrorV4,
 *    ObjectPropertyResultFieldsSchemaObjectWriteErrorWithAdjunctTypeErrorV4.
 *  sibling (siblingMissingCotype): ObjectResultFieldErrorInfoWithoutErrorCodeV4.
 *  disallowed co-type (disallowedCocotype): RelationshipHasCapabilityAndHasComponentV4,
 *    ObjectFieldIndirectRequiredV4.
 *  context needed (typeUndefinedTerm without the context):
 *    TelemetryPreciseWithoutAioContextV4, TelemetryScaledStaticallyWithoutAioContextV4.
 *  Not about these vocabularies despite their names: JsonLdGrammarErrorV2/V3
 *    (local contexts), LayerAddsTelemetryToFragmentedBaseV4 (an @id fragment).
 */
#include "dtdl/vocab.h"
#include "units/units.h"

#include <string.h>

#define C(k) (1u << (k))
#define PROPS(a) .props = (a), .nprops = (uint8_t)(sizeof(a) / sizeof((a)[0]))

/* NumericSchema (DTDL v4; its v2/v3 members are the first four). */
#define P_NUMERIC                                                                           \
    (C(TWIN_DTDL_DOUBLE) | C(TWIN_DTDL_FLOAT) | C(TWIN_DTDL_INTEGER) | C(TWIN_DTDL_LONG) |  \
     C(TWIN_DTDL_BYTE) | C(TWIN_DTDL_SHORT) | C(TWIN_DTDL_DECIMAL) |                        \
     C(TWIN_DTDL_UNSIGNED_BYTE) | C(TWIN_DTDL_UNSIGNED_SHORT) |                             \
     C(TWIN_DTDL_UNSIGNED_INTEGER) | C(TWIN_DTDL_UNSIGNED_LONG))
#define P_GEO                                                                               \
    (C(TWIN_DTDL_POINT) | C(TWIN_DTDL_MULTI_POINT) | C(TWIN_DTDL_LINE_STRING) |             \
     C(TWIN_DTDL_MULTI_LINE_STRING) | C(TWIN_DTDL_POLYGON) | C(TWIN_DTDL_MULTI_POLYGON))

/* Classes that carry a value schema (iotoperations Limited, Precise, ...). */
#define K_VALUED                                                                            \
    (C(TWIN_DTDL_COMMAND_REQUEST) | C(TWIN_DTDL_COMMAND_RESPONSE) | C(TWIN_DTDL_FIELD) |    \
     C(TWIN_DTDL_MAP_VALUE) | C(TWIN_DTDL_PROPERTY) | C(TWIN_DTDL_TELEMETRY))
#define K_PT (C(TWIN_DTDL_PROPERTY) | C(TWIN_DTDL_TELEMETRY))

#define ANNOT "dtmi:dtdl:extension:annotation"
#define HIST "dtmi:dtdl:extension:historization"
#define MQTT "dtmi:dtdl:extension:mqtt"
#define OVER "dtmi:dtdl:extension:overriding"
#define REQT "dtmi:dtdl:extension:requirement"
#define STRM "dtmi:dtdl:extension:streaming"
#define IOTC "dtmi:iotcentral:context"
#define IOTO "dtmi:iotoperations:context"

#define REQ TWIN__XPF_REQUIRED
#define M1 "dtmi:dtdl:extension:mqtt:v1:"
#define M2 "dtmi:dtdl:extension:mqtt:v2:"
#define M3 "dtmi:dtdl:extension:mqtt:v3:"
#define M4 "dtmi:dtdl:extension:mqtt:v4:"
#define REQUIRED_V1 "dtmi:dtdl:extension:requirement:v1:Required"

/* ---- properties: name, iri, type, flags, pattern, max_len, unit_type, min ---- */

static const twin__xprop annot1_props[] = {
    {"annotates", "dtmi:dtdl:extension:annotation:v1:ValueAnnotation:annotates",
     TWIN__XP_NAME_REF, REQ, 0, 0, 0, 0},
};
static const twin__xprop annot2_props[] = {
    {"annotates", "dtmi:dtdl:extension:annotation:v2:ValueAnnotation:annotates",
     TWIN__XP_NAME_REF, REQ, 0, 0, 0, 0},
};

static const twin__xprop m1_cacheable[] = {
    {"ttl", M1 "Cacheable:ttl", TWIN__XP_DURATION, REQ, 0, 0, 0, 0},
};
static const twin__xprop m2_cacheable[] = {
    {"ttl", M2 "Cacheable:ttl", TWIN__XP_DURATION, REQ, 0, 0, 0, 0},
};
static const twin__xprop m3_cacheable[] = {
    {"ttl", M3 "Cacheable:ttl", TWIN__XP_DURATION, REQ, 0, 0, 0, 0},
};
static const twin__xprop m4_cacheable[] = {
    {"ttl", M4 "Cacheable:ttl", TWIN__XP_DURATION, REQ, 0, 0, 0, 0},
};

#define INDEX_FLAGS (REQ | TWIN__XPF_UNIQUE | TWIN__XPF_MIN)
static const twin__xprop m1_indexed[] = {
    {"index", M1 "Indexed:index", TWIN__XP_INTEGER, INDEX_FLAGS, 0, 0, 0, 1},
};
static const twin__xprop m2_indexed[] = {
    {"index", M2 "Indexed:index", TWIN__XP_INTEGER, INDEX_FLAGS, 0, 0, 0, 1},
};
static const twin__xprop m3_indexed[] = {
    {"index", M3 "Indexed:index", TWIN__XP_INTEGER, INDEX_FLAGS, 0, 0, 0, 1},
};
static const twin__xprop m4_indexed[] = {
    {"index", M4 "Indexed:index", TWIN__XP_INTEGER, INDEX_FLAGS, 0, 0, 0, 1},
};

#define TOPIC TWIN__XPAT_MQTT_TOPIC
#define GROUP TWIN__XPAT_MQTT_GROUP
static const twin__xprop m1_mqtt[] = {
    {"commandTopic", M1 "Mqtt:commandTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
    {"payloadFormat", M1 "Mqtt:payloadFormat", TWIN__XP_STRING, REQ, 0, 0, 0, 0},
    {"telemetryTopic", M1 "Mqtt:telemetryTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
};
static const twin__xprop m2_mqtt[] = {
    {"cmdServiceGroupId", M2 "Mqtt:cmdServiceGroupId", TWIN__XP_STRING, 0, GROUP, 0, 0, 0},
    {"commandTopic", M2 "Mqtt:commandTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
    {"payloadFormat", M2 "Mqtt:payloadFormat", TWIN__XP_STRING, REQ, 0, 0, 0, 0},
    {"telemetryTopic", M2 "Mqtt:telemetryTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
    {"telemServiceGroupId", M2 "Mqtt:telemServiceGroupId", TWIN__XP_STRING, 0, GROUP, 0, 0, 0},
};
static const twin__xprop m3_mqtt[] = {
    {"cmdServiceGroupId", M3 "Mqtt:cmdServiceGroupId", TWIN__XP_STRING, 0, GROUP, 0, 0, 0},
    {"commandTopic", M3 "Mqtt:commandTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
    {"payloadFormat", M3 "Mqtt:payloadFormat", TWIN__XP_STRING, REQ, 0, 0, 0, 0},
    {"telemetryTopic", M3 "Mqtt:telemetryTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
    {"telemServiceGroupId", M3 "Mqtt:telemServiceGroupId", TWIN__XP_STRING, 0, GROUP, 0, 0, 0},
};
static const twin__xprop m4_mqtt[] = {
    {"cmdServiceGroupId", M4 "Mqtt:cmdServiceGroupId", TWIN__XP_STRING, 0, GROUP, 0, 0, 0},
    {"commandTopic", M4 "Mqtt:commandTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
    {"payloadFormat", M4 "Mqtt:payloadFormat", TWIN__XP_STRING, REQ, 0, 0, 0, 0},
    /* [C] InterfaceWithAdjunctTypeMqttEmptyPropertyTopicV4, [A] ADR 23 */
    {"propertyTopic", M4 "Mqtt:propertyTopic", TWIN__XP_STRING, TWIN__XPF_CORPUS, TOPIC, 0, 0, 0},
    {"telemetryTopic", M4 "Mqtt:telemetryTopic", TWIN__XP_STRING, 0, TOPIC, 0, 0, 0},
    {"telemServiceGroupId", M4 "Mqtt:telemServiceGroupId", TWIN__XP_STRING, 0, GROUP, 0, 0, 0},
};

static const twin__xprop over1_props[] = {
    {"overrides", "dtmi:dtdl:extension:overriding:v1:Override:overrides", TWIN__XP_PROP_REF,
     REQ, 0, 0, 0, 0},
};
static const twin__xprop over2_props[] = {
    {"overrides", "dtmi:dtdl:extension:overriding:v2:Override:overrides", TWIN__XP_PROP_REF,
     REQ, 0, 0, 0, 0},
};

static const twin__xprop ic_accel_props[] = {
    {"unit", "dtmi:dtdl:property:unit;2", TWIN__XP_UNIT, TWIN__XPF_CORE, 0, 0,
     TWIN__UT_ACCELERATION, 0},
};
static const twin__xprop ic_velocity_props[] = {
    {"unit", "dtmi:dtdl:property:unit;2", TWIN__XP_UNIT, TWIN__XPF_CORE, 0, 0,
     TWIN__UT_VELOCITY, 0},
};

#define IO_P "dtmi:iotoperations:property:"
static const twin__xprop io_composite[] = {
    {"ontology", IO_P "ontology;4", TWIN__XP_STRING, REQ, 0, 128, 0, 0},
};
static const twin__xprop io_congruence[] = {
    {"typeRef", IO_P "typeRef;4", TWIN__XP_STRING, REQ, 0, 128, 0, 0},
};
static const twin__xprop io_groupmember[] = {
    {"group", IO_P "group;4", TWIN__XP_STRING, REQ, TWIN__XPAT_IDENT, 128, 0, 0},
};
static const twin__xprop io_limited[] = {
    {"maximum", IO_P "maximum;4", TWIN__XP_DECIMAL, TWIN__XPF_CONFORM, 0, 0, 0, 0},
    {"minimum", IO_P "minimum;4", TWIN__XP_DECIMAL, TWIN__XPF_CONFORM, 0, 0, 0, 0},
};
static const twin__xprop io_precise[] = {
    {"decimalPlaces", IO_P "decimalPlaces;4", TWIN__XP_INTEGER, REQ, 0, 0, 0, 0},
};
static const twin__xprop io_qualified[] = {
    {"namespace", IO_P "namespace;4", TWIN__XP_STRING, REQ, 0, 128, 0, 0},
};
static const twin__xprop io_scaled[] = {
    {"scaleFactor", IO_P "scaleFactor;4", TWIN__XP_DECIMAL, REQ | TWIN__XPF_CONFORM, 0, 0, 0, 0},
};

/* ---- value lists (NULL-ended) ---- */

static const char *const m3_result_fields[] = {M3 "NormalResult", M3 "ErrorResult", NULL};
static const char *const m4_result_fields[] = {M4 "NormalResult", M4 "ErrorResult",
                                               M4 "ErrorCode", M4 "ErrorInfo", NULL};
/* dtmi:iotcentral:schema:vector;2 and dtmi:iotcentral:schema:geopoint;2 */
static const char *const ic_vector[] = {"vector", NULL};
static const char *const ic_geopoint[] = {"geopoint", NULL};

/* ---- the table: sorted by (context, ctx_ver, term) ---- */

#define ADJ TWIN__XK_ADJUNCT
#define SEM TWIN__XK_SEMANTIC

static const twin__xtype types[] = {
    /* annotation;1 [S] (DTDL v3), annotation;2 [S] (DTDL v3, v4) */
    {.context = ANNOT, .term = "ValueAnnotation",
     .iri = "dtmi:dtdl:extension:annotation:v1:ValueAnnotation", .ctx_ver = 1, .dtdl_min = 3,
     .dtdl_max = 3, .kind = ADJ, .flags = TWIN__XT_KEYREF, .classes = K_PT, PROPS(annot1_props)},
    {.context = ANNOT, .term = "ValueAnnotation",
     .iri = "dtmi:dtdl:extension:annotation:v2:ValueAnnotation", .ctx_ver = 2, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_KEYREF, .classes = K_PT, PROPS(annot2_props)},

    /* historization;1, ;2 [S] */
    {.context = HIST, .term = "Historized", .iri = "dtmi:dtdl:extension:historization:v1:Historized",
     .ctx_ver = 1, .dtdl_min = 3, .dtdl_max = 3, .kind = ADJ, .classes = K_PT},
    {.context = HIST, .term = "Historized", .iri = "dtmi:dtdl:extension:historization:v2:Historized",
     .ctx_ver = 2, .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .classes = K_PT},

    /* mqtt;1 [S][M]: DTDL v3 */
    {.context = MQTT, .term = "Cacheable", .iri = M1 "Cacheable", .ctx_ver = 1, .dtdl_min = 3,
     .dtdl_max = 3, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND),
     .cocotype_required = M1 "Idempotent", PROPS(m1_cacheable)},
    {.context = MQTT, .term = "Idempotent", .iri = M1 "Idempotent", .ctx_ver = 1, .dtdl_min = 3,
     .dtdl_max = 3, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND)},
    {.context = MQTT, .term = "Indexed", .iri = M1 "Indexed", .ctx_ver = 1, .dtdl_min = 3,
     .dtdl_max = 3, .kind = ADJ,
     .classes = C(TWIN_DTDL_ENUM_VALUE) | C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_TELEMETRY),
     PROPS(m1_indexed)},
    {.context = MQTT, .term = "Mqtt", .iri = M1 "Mqtt", .ctx_ver = 1, .dtdl_min = 3, .dtdl_max = 3,
     .kind = ADJ, .classes = C(TWIN_DTDL_INTERFACE), PROPS(m1_mqtt)},

    /* mqtt;2 [S][M]: DTDL v3, v4 */
    {.context = MQTT, .term = "Cacheable", .iri = M2 "Cacheable", .ctx_ver = 2, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND),
     .cocotype_required = M2 "Idempotent", PROPS(m2_cacheable)},
    {.context = MQTT, .term = "Idempotent", .iri = M2 "Idempotent", .ctx_ver = 2, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND)},
    {.context = MQTT, .term = "Indexed", .iri = M2 "Indexed", .ctx_ver = 2, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_ENUM_VALUE) | C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_TELEMETRY),
     PROPS(m2_indexed)},
    {.context = MQTT, .term = "Mqtt", .iri = M2 "Mqtt", .ctx_ver = 2, .dtdl_min = 3, .dtdl_max = 4,
     .kind = ADJ, .classes = C(TWIN_DTDL_INTERFACE), PROPS(m2_mqtt)},
    {.context = MQTT, .term = "Transparent", .iri = M2 "Transparent", .ctx_ver = 2, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_COMMAND_REQUEST) | C(TWIN_DTDL_COMMAND_RESPONSE),
     .schema_kinds = C(TWIN_DTDL_OBJECT), .schema_desc = "Object"},

    /* mqtt;3 [S][M]: DTDL v3, v4 */
    {.context = MQTT, .term = "Cacheable", .iri = M3 "Cacheable", .ctx_ver = 3, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND),
     .cocotype_required = M3 "Idempotent", PROPS(m3_cacheable)},
    {.context = MQTT, .term = "Error", .iri = M3 "Error", .ctx_ver = 3, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_OBJECT)},
    {.context = MQTT, .term = "ErrorMessage", .iri = M3 "ErrorMessage", .ctx_ver = 3,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE,
     .classes = C(TWIN_DTDL_FIELD), .schema_prims = C(TWIN_DTDL_STRING), .schema_desc = "String",
     .parent = {M3 "Error", NULL}, .parent_desc = "Error"},
    {.context = MQTT, .term = "ErrorResult", .iri = M3 "ErrorResult", .ctx_ver = 3,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE,
     .classes = C(TWIN_DTDL_FIELD), .schema_cotype = M3 "Error", .schema_desc = "Error",
     .parent = {M3 "Result", NULL}, .parent_desc = "Result",
     .cocotype_disallowed = REQUIRED_V1},
    {.context = MQTT, .term = "Idempotent", .iri = M3 "Idempotent", .ctx_ver = 3, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND)},
    {.context = MQTT, .term = "Indexed", .iri = M3 "Indexed", .ctx_ver = 3, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_ENUM_VALUE) | C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_TELEMETRY),
     PROPS(m3_indexed)},
    {.context = MQTT, .term = "Mqtt", .iri = M3 "Mqtt", .ctx_ver = 3, .dtdl_min = 3, .dtdl_max = 4,
     .kind = ADJ, .classes = C(TWIN_DTDL_INTERFACE), PROPS(m3_mqtt)},
    {.context = MQTT, .term = "NormalResult", .iri = M3 "NormalResult", .ctx_ver = 3,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE,
     .classes = C(TWIN_DTDL_FIELD), .parent = {M3 "Result", NULL}, .parent_desc = "Result",
     .cocotype_disallowed = REQUIRED_V1},
    {.context = MQTT, .term = "Result", .iri = M3 "Result", .ctx_ver = 3, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_OBJECT), .fields_cotypes = m3_result_fields},
    {.context = MQTT, .term = "Transparent", .iri = M3 "Transparent", .ctx_ver = 3, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_COMMAND_REQUEST) | C(TWIN_DTDL_COMMAND_RESPONSE),
     .schema_kinds = C(TWIN_DTDL_OBJECT), .schema_desc = "Object"},

    /* mqtt;4 [S] plus [C] where flagged: DTDL v3, v4 */
    {.context = MQTT, .term = "Cacheable", .iri = M4 "Cacheable", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND),
     .cocotype_required = M4 "Idempotent", PROPS(m4_cacheable)},
    {.context = MQTT, .term = "Error", .iri = M4 "Error", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_OBJECT)},
    {.context = MQTT, .term = "ErrorCode", .iri = M4 "ErrorCode", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE, .classes = C(TWIN_DTDL_FIELD),
     .schema_kinds = C(TWIN_DTDL_ENUM), .schema_desc = "Enum",
     .parent = {M4 "Result", M4 "Error"}, .parent_desc = "Result or Error"},
    /* ErrorInfo: schema Object and sibling ErrorCode are [C] only; [S] and
       [A] ADR 22 (which shows an Array schema) predate them. */
    {.context = MQTT, .term = "ErrorInfo", .iri = M4 "ErrorInfo", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE | TWIN__XT_CORPUS,
     .classes = C(TWIN_DTDL_FIELD), .schema_kinds = C(TWIN_DTDL_OBJECT), .schema_desc = "Object",
     .parent = {M4 "Result", M4 "Error"}, .parent_desc = "Result or Error",
     .sibling_required = M4 "ErrorCode"},
    {.context = MQTT, .term = "ErrorMessage", .iri = M4 "ErrorMessage", .ctx_ver = 4,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE,
     .classes = C(TWIN_DTDL_FIELD), .schema_prims = C(TWIN_DTDL_STRING), .schema_desc = "String",
     .parent = {M4 "Error", NULL}, .parent_desc = "Error"},
    {.context = MQTT, .term = "ErrorResult", .iri = M4 "ErrorResult", .ctx_ver = 4,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE,
     .classes = C(TWIN_DTDL_FIELD), .schema_cotype = M4 "Error", .schema_desc = "Error",
     .parent = {M4 "Result", NULL}, .parent_desc = "Result",
     .cocotype_disallowed = REQUIRED_V1},
    /* Fragmented [C]: seen on a Field; schema Map */
    {.context = MQTT, .term = "Fragmented", .iri = M4 "Fragmented", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_CLASSES_OPEN | TWIN__XT_CORPUS,
     .classes = C(TWIN_DTDL_FIELD), .schema_kinds = C(TWIN_DTDL_MAP), .schema_desc = "Map"},
    {.context = MQTT, .term = "Idempotent", .iri = M4 "Idempotent", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND)},
    /* Indexed: Property is [C] (InterfacePropertyWithAdjunctTypeIndexedMissingIndexV4) */
    {.context = MQTT, .term = "Indexed", .iri = M4 "Indexed", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_CORPUS,
     .classes = C(TWIN_DTDL_ENUM_VALUE) | C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_PROPERTY) |
                C(TWIN_DTDL_TELEMETRY),
     PROPS(m4_indexed)},
    /* Indirect [A] ADR 24 (a Field of an Object), [C] disallows Required */
    {.context = MQTT, .term = "Indirect", .iri = M4 "Indirect", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_CORPUS, .classes = C(TWIN_DTDL_FIELD),
     .cocotype_disallowed = REQUIRED_V1},
    /* Mqtt: propertyTopic is [C] */
    {.context = MQTT, .term = "Mqtt", .iri = M4 "Mqtt", .ctx_ver = 4, .dtdl_min = 3, .dtdl_max = 4,
     .kind = ADJ, .flags = TWIN__XT_CORPUS, .classes = C(TWIN_DTDL_INTERFACE), PROPS(m4_mqtt)},
    {.context = MQTT, .term = "NormalResult", .iri = M4 "NormalResult", .ctx_ver = 4,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE,
     .classes = C(TWIN_DTDL_FIELD), .parent = {M4 "Result", NULL}, .parent_desc = "Result",
     .cocotype_disallowed = REQUIRED_V1},
    /* PropertyResult [C]: seen on Objects */
    {.context = MQTT, .term = "PropertyResult", .iri = M4 "PropertyResult", .ctx_ver = 4,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_CLASSES_OPEN | TWIN__XT_CORPUS,
     .classes = C(TWIN_DTDL_OBJECT)},
    /* PropertyValue [C]: a Field of a PropertyResult, one per Object */
    {.context = MQTT, .term = "PropertyValue", .iri = M4 "PropertyValue", .ctx_ver = 4,
     .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE | TWIN__XT_CORPUS,
     .classes = C(TWIN_DTDL_FIELD), .parent = {M4 "PropertyResult", NULL},
     .parent_desc = "PropertyResult"},
    /* ReadError [C]: seen on Fields of a PropertyResult */
    {.context = MQTT, .term = "ReadError", .iri = M4 "ReadError", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_CLASSES_OPEN | TWIN__XT_CORPUS,
     .classes = C(TWIN_DTDL_FIELD)},
    {.context = MQTT, .term = "Result", .iri = M4 "Result", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_OBJECT), .fields_cotypes = m4_result_fields},
    {.context = MQTT, .term = "Transparent", .iri = M4 "Transparent", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_COMMAND_REQUEST) | C(TWIN_DTDL_COMMAND_RESPONSE),
     .schema_kinds = C(TWIN_DTDL_OBJECT), .schema_desc = "Object"},
    /* WriteError [C]: seen on Fields of a PropertyResult */
    {.context = MQTT, .term = "WriteError", .iri = M4 "WriteError", .ctx_ver = 4, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_CLASSES_OPEN | TWIN__XT_CORPUS,
     .classes = C(TWIN_DTDL_FIELD)},

    /* overriding;1, ;2 [S] */
    {.context = OVER, .term = "Override", .iri = "dtmi:dtdl:extension:overriding:v1:Override",
     .ctx_ver = 1, .dtdl_min = 3, .dtdl_max = 3, .kind = ADJ, .flags = TWIN__XT_KEYREF,
     .classes = C(TWIN_DTDL_PROPERTY),
     .cocotype_required = "dtmi:dtdl:extension:annotation:v1:ValueAnnotation",
     .cocotype_disallowed = "dtmi:dtdl:extension:initialization:v1:Initialized",
     PROPS(over1_props)},
    {.context = OVER, .term = "Override", .iri = "dtmi:dtdl:extension:overriding:v2:Override",
     .ctx_ver = 2, .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_KEYREF,
     .classes = C(TWIN_DTDL_PROPERTY),
     .cocotype_required = "dtmi:dtdl:extension:annotation:v2:ValueAnnotation",
     .cocotype_disallowed = "dtmi:dtdl:extension:initialization:v2:Initialized",
     PROPS(over2_props)},

    /* requirement;1 [S][M] (Field), requirement;2 [S] (Field, Property) */
    {.context = REQT, .term = "Required", .iri = REQUIRED_V1, .ctx_ver = 1, .dtdl_min = 3,
     .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_FIELD)},
    {.context = REQT, .term = "Required", .iri = "dtmi:dtdl:extension:requirement:v2:Required",
     .ctx_ver = 2, .dtdl_min = 3, .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_FIELD) | C(TWIN_DTDL_PROPERTY)},

    /* streaming;1 [M] (SHACL: sh:class Property;3, writable sh:hasValue false) */
    {.context = STRM, .term = "Streaming", .iri = "dtmi:dtdl:extension:streaming:v1:Streaming",
     .ctx_ver = 1, .dtdl_min = 3, .dtdl_max = 3, .kind = ADJ, .flags = TWIN__XT_NOT_WRITABLE,
     .classes = C(TWIN_DTDL_PROPERTY)},

    /* iotcentral;2 [S]: semantic types of DTDL v2 */
    {.context = IOTC, .term = "AccelerationVector", .iri = "dtmi:iotcentral:class:AccelerationVector;2",
     .ctx_ver = 2, .dtdl_min = 2, .dtdl_max = 2, .kind = SEM, .classes = K_PT,
     .schema_terms = ic_vector, .schema_desc = "vector", PROPS(ic_accel_props)},
    {.context = IOTC, .term = "Event", .iri = "dtmi:iotcentral:class:Event;2", .ctx_ver = 2,
     .dtdl_min = 2, .dtdl_max = 2, .kind = SEM, .classes = K_PT,
     .schema_prims = P_NUMERIC | C(TWIN_DTDL_STRING), .schema_desc = "NumericSchema or String"},
    {.context = IOTC, .term = "Location", .iri = "dtmi:iotcentral:class:Location;2", .ctx_ver = 2,
     .dtdl_min = 2, .dtdl_max = 2, .kind = SEM, .classes = K_PT, .schema_prims = P_GEO,
     .schema_terms = ic_geopoint,
     .schema_desc = "point or multiPoint or lineString or multiLineString or polygon or "
                    "multiPolygon or geopoint"},
    {.context = IOTC, .term = "State", .iri = "dtmi:iotcentral:class:State;2", .ctx_ver = 2,
     .dtdl_min = 2, .dtdl_max = 2, .kind = SEM, .classes = K_PT,
     .schema_kinds = C(TWIN_DTDL_ENUM), .schema_desc = "Enum"},
    {.context = IOTC, .term = "VelocityVector", .iri = "dtmi:iotcentral:class:VelocityVector;2",
     .ctx_ver = 2, .dtdl_min = 2, .dtdl_max = 2, .kind = SEM, .classes = K_PT,
     .schema_terms = ic_vector, .schema_desc = "vector", PROPS(ic_velocity_props)},

    /* iotoperations;4 [S]: DTDL v4 */
    {.context = IOTO, .term = "Composite", .iri = "dtmi:iotoperations:class:Composite;4",
     .ctx_ver = 4, .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_INTERFACE),
     .cocotype_disallowed = "dtmi:iotoperations:class:Event;4", PROPS(io_composite)},
    {.context = IOTO, .term = "Congruence", .iri = "dtmi:iotoperations:class:Congruence;4",
     .ctx_ver = 4, .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_ARRAY) | C(TWIN_DTDL_ENUM) | C(TWIN_DTDL_INTERFACE) |
                C(TWIN_DTDL_MAP) | C(TWIN_DTDL_OBJECT),
     PROPS(io_congruence)},
    {.context = IOTO, .term = "Detail", .iri = "dtmi:iotoperations:class:Detail;4", .ctx_ver = 4,
     .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_OBJECT)},
    {.context = IOTO, .term = "Event", .iri = "dtmi:iotoperations:class:Event;4", .ctx_ver = 4,
     .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_INTERFACE)},
    {.context = IOTO, .term = "GroupMember", .iri = "dtmi:iotoperations:class:GroupMember;4",
     .ctx_ver = 4, .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ, .classes = C(TWIN_DTDL_COMMAND),
     PROPS(io_groupmember)},
    {.context = IOTO, .term = "HasCapability", .iri = "dtmi:iotoperations:class:HasCapability;4",
     .ctx_ver = 4, .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_RELATIONSHIP),
     .cocotype_disallowed = "dtmi:iotoperations:class:HasComponent;4"},
    {.context = IOTO, .term = "HasComponent", .iri = "dtmi:iotoperations:class:HasComponent;4",
     .ctx_ver = 4, .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_RELATIONSHIP)},
    {.context = IOTO, .term = "Limited", .iri = "dtmi:iotoperations:class:Limited;4", .ctx_ver = 4,
     .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ, .classes = K_VALUED, .schema_prims = P_NUMERIC,
     .schema_desc = "NumericSchema", PROPS(io_limited)},
    {.context = IOTO, .term = "Precise", .iri = "dtmi:iotoperations:class:Precise;4", .ctx_ver = 4,
     .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ, .classes = K_VALUED, .schema_prims = P_NUMERIC,
     .schema_desc = "NumericSchema", PROPS(io_precise)},
    {.context = IOTO, .term = "Qualified", .iri = "dtmi:iotoperations:class:Qualified;4",
     .ctx_ver = 4, .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ,
     .classes = C(TWIN_DTDL_COMMAND) | C(TWIN_DTDL_COMPONENT) | C(TWIN_DTDL_FIELD) |
                C(TWIN_DTDL_PROPERTY) | C(TWIN_DTDL_RELATIONSHIP) | C(TWIN_DTDL_TELEMETRY),
     PROPS(io_qualified)},
    {.context = IOTO, .term = "ScaledStatically",
     .iri = "dtmi:iotoperations:class:ScaledStatically;4", .ctx_ver = 4, .dtdl_min = 4,
     .dtdl_max = 4, .kind = ADJ, .classes = K_VALUED, .schema_prims = P_NUMERIC,
     .schema_desc = "NumericSchema", PROPS(io_scaled)},
    {.context = IOTO, .term = "Subject", .iri = "dtmi:iotoperations:class:Subject;4", .ctx_ver = 4,
     .dtdl_min = 4, .dtdl_max = 4, .kind = ADJ, .flags = TWIN__XT_UNIQUE,
     .classes = C(TWIN_DTDL_FIELD), .parent = {"dtmi:iotoperations:class:Detail;4", NULL},
     .parent_desc = "Detail"},
};

#define NTYPES (sizeof types / sizeof types[0])

/* ---- lookups ---- */

/* strcmp of a[0..an) (not NUL-terminated) against the string b. */
static int cmp_n(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static int cmp_key(const char *ctx, size_t ctx_len, int ver, const char *term,
                   const twin__xtype *t)
{
    int c = cmp_n(ctx, ctx_len, t->context);
    if (c) return c;
    if (ver != t->ctx_ver) return ver < t->ctx_ver ? -1 : 1;
    return term ? strcmp(term, t->term) : 0;
}

/* First index whose (context, version) is >= the key's; NTYPES if none. */
static size_t lower_bound(const char *ctx, size_t ctx_len, int ver)
{
    size_t lo = 0, hi = NTYPES;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(ctx, ctx_len, ver, NULL, &types[mid]) > 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

const twin__xtype *twin__xtype_find(const char *ctx, size_t ctx_len, int ctx_ver,
                                    const char *term)
{
    size_t lo = 0, hi = NTYPES;
    if (!ctx || !term) return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_key(ctx, ctx_len, ctx_ver, term, &types[mid]);
        if (c == 0) return &types[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

const twin__xtype *twin__xtype_find_iri(const char *iri)
{
    size_t i;
    if (!iri) return NULL;
    for (i = 0; i < NTYPES; i++)
        if (strcmp(types[i].iri, iri) == 0) return &types[i];
    return NULL;
}

const twin__xprop *twin__xprop_find(const twin__xtype *t, const char *name)
{
    size_t i;
    if (!t || !name) return NULL;
    for (i = 0; i < t->nprops; i++)
        if (strcmp(t->props[i].name, name) == 0) return &t->props[i];
    return NULL;
}

const twin__xtype *twin__xprop_owner(const char *ctx, size_t ctx_len, int ctx_ver,
                                     const char *name, const twin__xprop **prop)
{
    size_t i;
    if (prop) *prop = NULL;
    if (!ctx || !name) return NULL;
    for (i = lower_bound(ctx, ctx_len, ctx_ver);
         i < NTYPES && cmp_key(ctx, ctx_len, ctx_ver, NULL, &types[i]) == 0; i++) {
        const twin__xprop *p = twin__xprop_find(&types[i], name);
        if (p) {
            if (prop) *prop = p;
            return &types[i];
        }
    }
    return NULL;
}

size_t twin__xcontext_ntypes(const char *ctx, size_t ctx_len, int ctx_ver)
{
    size_t i, n = 0;
    if (!ctx) return 0;
    for (i = lower_bound(ctx, ctx_len, ctx_ver);
         i < NTYPES && cmp_key(ctx, ctx_len, ctx_ver, NULL, &types[i]) == 0; i++)
        n++;
    return n;
}

const twin__xtype *twin__xtype_table(size_t *n)
{
    if (n) *n = NTYPES;
    return types;
}

/* ---- string formats ---- */

/* [!%-*,-.0-z|~]: a literal topic character that may start the topic. */
static int lit_first(unsigned char c)
{
    return c == '!' || (c >= '%' && c <= '*') || (c >= ',' && c <= '.') ||
           (c >= '0' && c <= 'z') || c == '|' || c == '~';
}

/* [!$-*,-.0-z|~]: any other literal character. */
static int lit(unsigned char c)
{
    return c == '$' || lit_first(c);
}

static int alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* {name} or {prefix:name}, names of ASCII letters; s[0..n) is the label. */
static int topic_token(const unsigned char *s, size_t n)
{
    size_t i = 1, run = 0;
    int colon = 0;
    if (n < 3 || s[0] != '{' || s[n - 1] != '}') return 0;
    for (; i < n - 1; i++) {
        if (alpha(s[i])) {
            run++;
        } else if (s[i] == ':' && !colon && run > 0) {
            colon = 1;
            run = 0;
        } else {
            return 0;
        }
    }
    return run > 0;
}

static int topic_ok(const unsigned char *s, size_t n)
{
    size_t start = 0, label = 0;
    if (n == 0) return 0;
    for (;;) {
        size_t end = start, i;
        while (end < n && s[end] != '/') end++;
        if (end == start) return 0; /* empty label */
        if (s[start] == '{') {
            if (!topic_token(s + start, end - start)) return 0;
        } else {
            if (!(label == 0 ? lit_first(s[start]) : lit(s[start]))) return 0;
            for (i = start + 1; i < end; i++)
                if (!lit(s[i])) return 0;
        }
        if (end == n) return 1;
        start = end + 1;
        label++;
    }
}

int twin__xpattern_ok(int kind, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i;
    if (kind == TWIN__XPAT_NONE) return 1;
    if (!str) return 0;
    switch (kind) {
    case TWIN__XPAT_MQTT_TOPIC:
        return topic_ok(s, n);
    case TWIN__XPAT_MQTT_GROUP:
        if (n == 0) return 0;
        for (i = 0; i < n; i++)
            if (!lit(s[i])) return 0;
        return 1;
    case TWIN__XPAT_IDENT:
        if (n == 0 || !alpha(s[0]) || s[n - 1] == '_') return 0;
        for (i = 1; i < n; i++)
            if (!(alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return 0;
        return 1;
    }
    return 0;
}
