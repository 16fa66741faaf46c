/* Values against DTDL schemas: twin_dtdl_check_value() and
 * twin_dtdl_check_json() per primitive, Enum, Array, Map and Object; and
 * the graph validator of twin_models_validator(). Expectations come from
 * the DTDL primitive definitions (integer: signed 4 bytes, byte: signed 1
 * byte ...; date and dateTime: RFC 3339 full-date and date-time; duration:
 * ISO 8601) and from the official instance checks in
 * ../shared/corpus/dtdl/conformance/generated/<Type>InstancesV<n>.json, picking
 * only the values the header's contract decides (not calendars, leap
 * seconds or number spellings). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtdl/dtdl_fixture.h"
#include "support/run.h"
#include "twin/twin.h"

static const char *const primitives[] = {
    "boolean", "date", "dateTime", "double", "duration", "float", "integer", "long", "string",
    "time", "byte", "bytes", "decimal", "short", "unsignedByte", "unsignedShort",
    "unsignedInteger", "unsignedLong", "uuid", "point",
};

/* One v4 Interface dtmi:x:S;1 with a Property named after each primitive,
 * and complex schemas. */
static void load_schemas(twin_models *m)
{
    char q[8192];
    size_t used = 0, k;
    used += (size_t)snprintf(q, sizeof q, "{'@context':'dtmi:dtdl:context;4','@id':'dtmi:x:S;1',"
                                          "'@type':'Interface','contents':[");
    for (k = 0; k < sizeof primitives / sizeof primitives[0]; k++)
        used += (size_t)snprintf(q + used, sizeof q - used, "{'@type':'Property','name':'%s','schema':'%s'},",
                                 primitives[k], primitives[k]);
    snprintf(q + used, sizeof q - used, "%s",
             "{'@type':'Property','name':'intEnum','schema':{'@type':'Enum','valueSchema':'integer',"
             "'enumValues':[{'name':'one','enumValue':1},{'name':'two','enumValue':2}]}},"
             "{'@type':'Property','name':'strEnum','schema':{'@type':'Enum','valueSchema':'string',"
             "'enumValues':[{'name':'a','enumValue':'A'},{'name':'b','enumValue':'B'}]}},"
             "{'@type':'Property','name':'ints','schema':{'@type':'Array','elementSchema':'integer'}},"
             "{'@type':'Property','name':'counts','schema':{'@type':'Map','mapKey':{'name':'k','schema':'string'},"
             "'mapValue':{'name':'v','schema':'integer'}}},"
             "{'@type':'Property','name':'pos','schema':{'@type':'Object','fields':["
             "{'name':'x','schema':'double'},{'name':'label','schema':'string'}]}},"
             "{'@type':'Property','name':'path','schema':{'@type':'Array','elementSchema':"
             "{'@type':'Object','fields':[{'name':'x','schema':'double'},"
             "{'name':'tags','schema':{'@type':'Map','mapKey':{'name':'k','schema':'string'},"
             "'mapValue':{'name':'v','schema':'dtmi:x:Mode;1'}}}]}}}],"
             "'schemas':[{'@id':'dtmi:x:Mode;1','@type':'Enum','valueSchema':'string',"
             "'enumValues':[{'name':'on','enumValue':'ON'},{'name':'off','enumValue':'OFF'}]}]}");
    ADD_OK(m, q);
    RESOLVE_OK(m);
}

static const twin_dtdl_elem *schema_of(const char *prop)
{
    const twin_dtdl_elem *p = twin_dtdl_content(find_ok(M, "dtmi:x:S;1"), prop);
    ck_assert_msg(p != NULL, "no property %s", prop);
    return twin_dtdl_link(p, TWIN_DTDL_SCHEMA);
}

static void check_setup(void)
{
    models_setup();
    load_schemas(M);
}

/* Assert check_value of @p v against the schema of property @p prop. */
static void value_is(const char *prop, twin_value v, int ok)
{
    char msg[256];
    twin_status s;
    memset(msg, 'z', sizeof msg);
    s = twin_dtdl_check_value(schema_of(prop), &v, msg, sizeof msg);
    if (ok) {
        ck_assert_msg(s == TWIN_OK, "%s: value of type %d rejected: %s", prop, v.type, msg);
        ck_assert_str_eq(msg, "");
    } else {
        ck_assert_msg(s == TWIN_E_CONSTRAINT, "%s: value of type %d: %d, expected CONSTRAINT", prop,
                      v.type, s);
        ck_assert_msg(msg[0] != '\0' && memchr(msg, '\0', sizeof msg), "%s: no reason", prop);
    }
}

/* Assert check_json of @p json against the schema of property @p prop. */
static void json_is(const char *prop, const char *json, int ok)
{
    char msg[256];
    twin_status s = twin_dtdl_check_json(schema_of(prop), json, strlen(json), msg, sizeof msg);
    if (ok)
        ck_assert_msg(s == TWIN_OK, "%s: %s rejected: %s", prop, json, msg);
    else
        ck_assert_msg(s == TWIN_E_CONSTRAINT, "%s: %s: %d, expected CONSTRAINT", prop, json, s);
}

#define VOK(p, v) value_is((p), (v), 1)
#define VBAD(p, v) value_is((p), (v), 0)
#define JOK(p, j) json_is((p), (j), 1)
#define JBAD(p, j) json_is((p), (j), 0)

/* ---- primitives ------------------------------------------------------------- */

START_TEST(test_check_boolean)
{
    VOK("boolean", twin_value_bool(1));
    VOK("boolean", twin_value_bool(0));
    VBAD("boolean", twin_value_int(1));
    VBAD("boolean", twin_value_string("true"));
    VBAD("boolean", twin_value_null());
    /* generated/BooleanInstancesV3.json */
    JOK("boolean", "true");
    JOK("boolean", "false");
    JBAD("boolean", "\"true\"");
    JBAD("boolean", "1");
    JBAD("boolean", "null");
    JBAD("boolean", "[ true ]");
    JBAD("boolean", "{ \"value\": true }");
}
END_TEST

/* Signed integers of 1, 2, 4 and 8 bytes: the boundaries of each
 * (generated/ByteInstancesV4.json, ShortInstancesV4, IntegerInstancesV2). */
START_TEST(test_check_signed_integers)
{
    VOK("byte", twin_value_int(-128));
    VOK("byte", twin_value_int(127));
    VOK("byte", twin_value_int(0));
    VBAD("byte", twin_value_int(128));
    VBAD("byte", twin_value_int(-129));
    VBAD("byte", twin_value_double(3.14));
    VBAD("byte", twin_value_string("3"));
    JOK("byte", "127");
    JOK("byte", "-128");
    JBAD("byte", "128");
    JBAD("byte", "-129");
    JBAD("byte", "0.44");
    JBAD("byte", "\"3\"");
    JBAD("byte", "true");

    VOK("short", twin_value_int(-32768));
    VOK("short", twin_value_int(32767));
    VBAD("short", twin_value_int(32768));
    VBAD("short", twin_value_int(-32769));
    JOK("short", "32767");
    JBAD("short", "-32769");

    VOK("integer", twin_value_int(INT32_MIN));
    VOK("integer", twin_value_int(INT32_MAX));
    VBAD("integer", twin_value_int((int64_t)INT32_MAX + 1));
    VBAD("integer", twin_value_int((int64_t)INT32_MIN - 1));
    VBAD("integer", twin_value_double(0.5));
    VBAD("integer", twin_value_bool(1));
    JOK("integer", "2147483647");
    JOK("integer", "-2147483648");
    JBAD("integer", "2147483648");
    JBAD("integer", "-2147483649");
    JBAD("integer", "3.14");
    JBAD("integer", "null");

    VOK("long", twin_value_int(INT64_MIN));
    VOK("long", twin_value_int(INT64_MAX));
    VOK("long", twin_value_int(0));
    VBAD("long", twin_value_double(2.5));
    VBAD("long", twin_value_string("3"));
    JOK("long", "-2");
    JBAD("long", "-2.02");
    JBAD("long", "[ 3 ]");
}
END_TEST

START_TEST(test_check_unsigned_integers)
{
    VOK("unsignedByte", twin_value_int(0));
    VOK("unsignedByte", twin_value_int(255));
    VBAD("unsignedByte", twin_value_int(256));
    VBAD("unsignedByte", twin_value_int(-1));
    VOK("unsignedShort", twin_value_int(65535));
    VBAD("unsignedShort", twin_value_int(65536));
    VBAD("unsignedShort", twin_value_int(-1));
    VOK("unsignedInteger", twin_value_int(4294967295LL));
    VBAD("unsignedInteger", twin_value_int(4294967296LL));
    VBAD("unsignedInteger", twin_value_int(-1));
    VOK("unsignedLong", twin_value_int(0));
    VOK("unsignedLong", twin_value_int(INT64_MAX));
    VBAD("unsignedLong", twin_value_int(-1));
    VBAD("unsignedLong", twin_value_double(1.5));
    /* generated/UnsignedLongInstancesV4.json */
    JOK("unsignedLong", "3");
    JBAD("unsignedLong", "-2");
    JBAD("unsignedLong", "-1");
    JBAD("unsignedLong", "3.14");
    JOK("unsignedByte", "255");
    JBAD("unsignedByte", "256");
}
END_TEST

/* double: IEEE 8-byte (generated/DoubleInstancesV2.json); float: 4-byte,
 * so a value beyond FLT_MAX is none; decimal: a number. */
START_TEST(test_check_floating)
{
    VOK("double", twin_value_double(3.14));
    VOK("double", twin_value_double(-1.79769313486231e308));
    VOK("double", twin_value_int(3));
    VBAD("double", twin_value_string("3.14"));
    VBAD("double", twin_value_bool(0));
    JOK("double", "3");
    JOK("double", "-0.33");
    JOK("double", "1.79769313486231E+308");
    JBAD("double", "\"3.14\"");
    JBAD("double", "null");
    JBAD("double", "{ \"value\": 3.14 }");

    VOK("float", twin_value_double(3.4e38));
    VOK("float", twin_value_double(-1.5));
    VOK("float", twin_value_int(7));
    VBAD("float", twin_value_double(3.5e38));
    VBAD("float", twin_value_double(-1e300));
    VBAD("float", twin_value_string("1"));
    JBAD("float", "1e39");

    VOK("decimal", twin_value_double(12.25));
    VOK("decimal", twin_value_int(-4));
    VBAD("decimal", twin_value_bool(1));
}
END_TEST

START_TEST(test_check_string)
{
    VOK("string", twin_value_string(""));
    VOK("string", twin_value_string("h\xc3\xa9llo"));
    VBAD("string", twin_value_int(1));
    VBAD("string", twin_value_null());
    JOK("string", "\"x\"");
    JBAD("string", "1");
    JBAD("string", "[ \"x\" ]");
}
END_TEST

/* RFC 3339 full-date (generated/DateInstancesV2.json). */
START_TEST(test_check_date)
{
    VOK("date", twin_value_string("1980-01-01"));
    VOK("date", twin_value_string("1964-02-29"));
    VOK("date", twin_value_string("9999-12-31"));
    VBAD("date", twin_value_string("1965-13-01"));
    VBAD("date", twin_value_string("0001-00-01"));
    VBAD("date", twin_value_string("0001-01-00"));
    VBAD("date", twin_value_string("1965-01-32"));
    VBAD("date", twin_value_string("19650101"));
    VBAD("date", twin_value_string("1965-01"));
    VBAD("date", twin_value_string("65-01-01"));
    VBAD("date", twin_value_string("1980-01-01T00:00:00Z"));
    VBAD("date", twin_value_int(19800101));
    JOK("date", "\"1582-10-15\"");
    JBAD("date", "\"1965-06-00\"");
}
END_TEST

/* RFC 3339 date-time (generated/DateTimeInstancesV4.json). */
START_TEST(test_check_date_time)
{
    static const char *const good[] = {
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1980-01-01T06:00:00.00015Z",
        "1980-01-01T06:00:00+00:00", "1980-01-01T06:00:00-00:00", "1965-12-31T06:00:00+11:45",
        "1965-12-31T06:00:00.1234+11:00",
    };
    static const char *const bad[] = {
        "1980-01-01T24:00:00Z", "1980-01-01T06:00Z", "80-01-01T06:00:00Z", "T06:00:00Z",
        "1980-01-01", "1980-01-01T", "1980-01-01Z", "1980-01-01T06:00:00",
        "1965-12-31T06:00:00-1:15", "1965-12-31T06:00:00+11", "1965-12-31T06:00+11:00", "00:60:00Z",
    };
    size_t k;
    for (k = 0; k < sizeof good / sizeof good[0]; k++) VOK("dateTime", twin_value_string(good[k]));
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char j[64];
        VBAD("dateTime", twin_value_string(bad[k]));
        snprintf(j, sizeof j, "\"%s\"", bad[k]);
        JBAD("dateTime", j);
    }
    JOK("dateTime", "\"1980-01-01T06:00:00Z\"");
    JBAD("dateTime", "1");
}
END_TEST

/* RFC 3339 time (generated/TimeInstancesV3.json). */
START_TEST(test_check_time)
{
    static const char *const good[] = {"00:00:00Z", "23:59:59Z", "12:34:56Z", "06:00:00.00015Z",
                                       "06:00:00+11:45", "06:00:00-01:15", "06:00:00.0000+11:00"};
    static const char *const bad[] = {"00:60:00Z", "24:00:00Z", "06:00Z", "T06:00:00Z",
                                      "1980-01-01T06:00:00Z", "06:00:00-1:15", "06:00:00+11",
                                      "06:00+11:00"};
    size_t k;
    for (k = 0; k < sizeof good / sizeof good[0]; k++) VOK("time", twin_value_string(good[k]));
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) VBAD("time", twin_value_string(bad[k]));
    JBAD("time", "true");
    JBAD("time", "[ \"12:34:56Z\" ]");
}
END_TEST

/* ISO 8601 durations (generated/DurationInstancesV2.json). */
START_TEST(test_check_duration)
{
    static const char *const good[] = {"P3Y6M4DT8H9M5S", "P3Y6M4DT8H", "P3Y6M4D", "P3Y", "PT8H9M5S",
                                       "PT5S", "PT0.001S", "P163Y16M64DT389999M15S", "P3.00134Y",
                                       "P0Y", "P2W4DT8H9M5S"};
    static const char *const bad[] = {"P3Y6M4DT", "P8H9M5S", "P", "PT", "3Y", "", "P1D2"};
    size_t k;
    for (k = 0; k < sizeof good / sizeof good[0]; k++) VOK("duration", twin_value_string(good[k]));
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) VBAD("duration", twin_value_string(bad[k]));
    VBAD("duration", twin_value_int(5));
}
END_TEST

START_TEST(test_check_uuid_and_bytes)
{
    VOK("uuid", twin_value_string("123e4567-e89b-12d3-a456-426614174000"));
    VOK("uuid", twin_value_string("123E4567-E89B-12D3-A456-426614174000"));
    VBAD("uuid", twin_value_string("123e4567e89b12d3a456426614174000"));
    VBAD("uuid", twin_value_string("123e4567-e89b-12d3-a456-42661417400g"));
    VBAD("uuid", twin_value_string("123e4567-e89b-12d3-a456-4266141740001"));
    VBAD("uuid", twin_value_int(1));
    VOK("bytes", twin_value_string("aGVsbG8="));
    VOK("bytes", twin_value_string(""));
    VOK("bytes", twin_value_string("AAECAwQF"));
    VBAD("bytes", twin_value_string("aGVsbG8"));  /* not a multiple of 4 */
    VBAD("bytes", twin_value_string("aGV$bG8="));
    VBAD("bytes", twin_value_int(1));
}
END_TEST

START_TEST(test_check_geospatial)
{
    twin_value coords[2] = {twin_value_double(4.9), twin_value_double(52.4)};
    twin_member point[2] = {{"type", twin_value_string("Point")},
                            {"coordinates", twin_value_array(coords, 2)}};
    VOK("point", twin_value_object(point, 2));
    JOK("point", "{\"type\":\"Point\",\"coordinates\":[4.9,52.4]}");
    VBAD("point", twin_value_double(4.9));
    VBAD("point", twin_value_string("POINT(4.9 52.4)"));
    JBAD("point", "[4.9,52.4]");
}
END_TEST

/* ---- complex schemas -------------------------------------------------------- */

START_TEST(test_check_enum)
{
    VOK("intEnum", twin_value_int(1));
    VOK("intEnum", twin_value_int(2));
    VBAD("intEnum", twin_value_int(3));
    VBAD("intEnum", twin_value_string("1"));
    VBAD("intEnum", twin_value_string("one"));  /* names are not values */
    VOK("strEnum", twin_value_string("A"));
    VBAD("strEnum", twin_value_string("a"));
    VBAD("strEnum", twin_value_string("Z"));
    VBAD("strEnum", twin_value_int(0));
    JOK("intEnum", "2");
    JBAD("intEnum", "7");
    JOK("strEnum", "\"B\"");
    JBAD("strEnum", "\"C\"");
}
END_TEST

START_TEST(test_check_array)
{
    twin_value ok[3] = {twin_value_int(1), twin_value_int(-2), twin_value_int(INT32_MAX)};
    twin_value bad[2] = {twin_value_int(1), twin_value_string("x")};
    twin_value big[1] = {twin_value_int((int64_t)INT32_MAX + 1)};
    VOK("ints", twin_value_array(ok, 3));
    VOK("ints", twin_value_array(NULL, 0));
    VBAD("ints", twin_value_array(bad, 2));
    VBAD("ints", twin_value_array(big, 1));
    VBAD("ints", twin_value_int(1));
    JOK("ints", "[1, 2, 3]");
    JOK("ints", "[]");
    JBAD("ints", "[1, \"2\"]");
    JBAD("ints", "{\"a\": 1}");
}
END_TEST

START_TEST(test_check_map)
{
    twin_member ok[2] = {{"a", twin_value_int(1)}, {"b", twin_value_int(2)}};
    twin_member bad[1] = {{"a", twin_value_string("x")}};
    twin_value items[1] = {twin_value_int(1)};
    VOK("counts", twin_value_object(ok, 2));
    VOK("counts", twin_value_object(NULL, 0));
    VBAD("counts", twin_value_object(bad, 1));
    VBAD("counts", twin_value_array(items, 1));
    JOK("counts", "{\"anything\": 5, \"else\": -5}");
    JBAD("counts", "{\"a\": 1.5}");
    JBAD("counts", "[1]");
}
END_TEST

START_TEST(test_check_object)
{
    twin_member ok[2] = {{"x", twin_value_double(1.5)}, {"label", twin_value_string("here")}};
    twin_member some[1] = {{"label", twin_value_string("only")}};
    twin_member unknown[2] = {{"x", twin_value_double(1.5)}, {"y", twin_value_double(2.5)}};
    twin_member wrong[1] = {{"x", twin_value_string("1.5")}};
    VOK("pos", twin_value_object(ok, 2));
    VOK("pos", twin_value_object(some, 1));
    VBAD("pos", twin_value_object(unknown, 2));  /* no field 'y' */
    VBAD("pos", twin_value_object(wrong, 1));
    VBAD("pos", twin_value_string("1.5,2.5"));
    JOK("pos", "{\"x\": 1, \"label\": \"l\"}");
    JBAD("pos", "{\"x\": 1, \"z\": 0}");
    JBAD("pos", "{\"label\": 7}");
}
END_TEST

/* An Array of Objects holding a Map to a reusable Enum. */
START_TEST(test_check_nested)
{
    JOK("path", "[{\"x\": 1.5, \"tags\": {\"pump\": \"ON\", \"fan\": \"OFF\"}}, {\"x\": -2}]");
    JBAD("path", "[{\"x\": 1.5, \"tags\": {\"pump\": \"MAYBE\"}}]");
    JBAD("path", "[{\"x\": 1.5}, {\"x\": \"far\"}]");
    JBAD("path", "[{\"x\": 1.5, \"tags\": [\"ON\"]}]");
    {
        twin_member tags[1] = {{"pump", twin_value_string("OFF")}};
        twin_member pt[2] = {{"x", twin_value_double(0)}, {"tags", twin_value_object(tags, 1)}};
        twin_value items[1];
        items[0] = twin_value_object(pt, 2);
        VOK("path", twin_value_array(items, 1));
        tags[0].value = twin_value_string("on");
        VBAD("path", twin_value_array(items, 1));
    }
}
END_TEST

/* ---- arguments -------------------------------------------------------------- */

START_TEST(test_check_arguments)
{
    twin_value v = twin_value_int(1);
    char msg[8];
    const twin_dtdl_elem *prop = twin_dtdl_content(find_ok(M, "dtmi:x:S;1"), "integer");
    ck_assert_int_eq(twin_dtdl_check_value(NULL, &v, NULL, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_dtdl_check_value(schema_of("integer"), NULL, NULL, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_dtdl_check_value(prop, &v, NULL, 0), TWIN_E_INVAL);  /* not a schema */
    ck_assert_int_eq(twin_dtdl_check_value(find_ok(M, "dtmi:x:S;1"), &v, NULL, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_dtdl_check_value(schema_of("integer"), &v, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_dtdl_check_json(NULL, "1", 1, NULL, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_dtdl_check_json(schema_of("integer"), NULL, 0, NULL, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_dtdl_check_json(prop, "1", 1, NULL, 0), TWIN_E_INVAL);
    ck_assert_int_eq(twin_dtdl_check_json(schema_of("integer"), "{ 23 ]", 6, NULL, 0), TWIN_E_PARSE);
    ck_assert_int_eq(twin_dtdl_check_json(schema_of("integer"), "", 0, NULL, 0), TWIN_E_PARSE);
    ck_assert_int_eq(twin_dtdl_check_json(schema_of("integer"), "$$", 2, NULL, 0), TWIN_E_PARSE);
    /* len bounds the text */
    ck_assert_int_eq(twin_dtdl_check_json(schema_of("integer"), "12x", 2, NULL, 0), TWIN_OK);
    /* a short message buffer is truncated and terminated */
    memset(msg, 'z', sizeof msg);
    v = twin_value_string("x");
    ck_assert_int_eq(twin_dtdl_check_value(schema_of("integer"), &v, msg, sizeof msg), TWIN_E_CONSTRAINT);
    ck_assert_uint_eq(strlen(msg), sizeof msg - 1);
    memset(msg, 'z', sizeof msg);
    ck_assert_int_eq(twin_dtdl_check_value(schema_of("integer"), &v, msg, 1), TWIN_E_CONSTRAINT);
    ck_assert_int_eq(msg[0], '\0');
    ck_assert_int_eq(msg[1], 'z');
}
END_TEST

/* ---- the graph validator ---------------------------------------------------- */

#define SPACE "dtmi:x:Space;1"
#define ROOM "dtmi:x:Room;1"
#define ASSET "dtmi:x:Asset;1"
#define PUMP "dtmi:x:Pump;1"
#define MOTOR "dtmi:x:Motor;1"
#define OTHER "dtmi:x:Other;1"

static twin_models *vm;
static failalloc vfa;

static void validator_setup(void)
{
    failalloc_init(&vfa);
    vm = models_open(&vfa, 0);
    ADD_OK(vm, "[{'@context':'dtmi:dtdl:context;3','@id':'" SPACE "','@type':'Interface','contents':["
               "{'@type':'Property','name':'area','schema':'double'},"
               "{'@type':'Relationship','name':'contains','target':'" ASSET "',"
               "'properties':[{'@type':'Property','name':'since','schema':'date'}]},"
               "{'@type':'Relationship','name':'near'}]},"
               "{'@context':'dtmi:dtdl:context;3','@id':'" ROOM "','@type':'Interface','extends':'" SPACE "',"
               "'contents':[{'@type':'Property','name':'seats','schema':'integer'}]},"
               "{'@context':'dtmi:dtdl:context;3','@id':'" ASSET "','@type':'Interface','contents':["
               "{'@type':'Property','name':'serial','schema':'string'},"
               "{'@type':'Component','name':'motor','schema':'" MOTOR "'}]},"
               "{'@context':'dtmi:dtdl:context;3','@id':'" PUMP "','@type':'Interface','extends':'" ASSET "'},"
               "{'@context':'dtmi:dtdl:context;3','@id':'" MOTOR "','@type':'Interface','contents':["
               "{'@type':'Property','name':'rpm','schema':'double'}]},"
               "{'@context':'dtmi:dtdl:context;3','@id':'" OTHER "','@type':'Interface'}]");
    RESOLVE_OK(vm);
}

static void validator_teardown(void)
{
    models_close(vm, &vfa);
    failalloc_fini(&vfa);
    vm = NULL;
}

static twin_graph *graph_with(uint32_t checks)
{
    twin_graph_validator v;
    twin_graph_options o;
    twin_graph *g = NULL;
    memset(&v, 0xab, sizeof v);
    v.size = sizeof v;
    ck_assert_int_eq(twin_models_validator(vm, checks, &v), TWIN_OK);
    ck_assert_uint_eq(v.size, sizeof v);
    ck_assert_int_eq(twin_graph_options_init(&o), TWIN_OK);
    o.validator = &v;  /* copied by the graph */
    ck_assert_int_eq(twin_graph_create(&g, &o), TWIN_OK);
    return g;
}

#define REJECTED(s) ck_assert_msg((s) != TWIN_OK, "accepted")

START_TEST(test_validator_model_check)
{
    twin_graph *g = graph_with(TWIN_MODELS_CHECK_ALL);
    const twin_error *e;
    ck_assert_int_eq(twin_graph_add_twin(g, "r1", ROOM, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "x", "dtmi:x:Nope;1", NULL, 0), TWIN_E_CONSTRAINT);
    e = twin_graph_last_error(g);
    ck_assert_ptr_nonnull(strstr(e->message, "dtmi:x:Nope;1"));
    /* an element that is not an Interface is no model either */
    REJECTED(twin_graph_add_twin(g, "y", "dtmi:x:Room:_contents:__seats;1", NULL, 0));
    REJECTED(twin_graph_set_model(g, "r1", "dtmi:x:Nope;1"));
    ck_assert_int_eq(twin_graph_set_model(g, "r1", SPACE), TWIN_OK);
    ck_assert_uint_eq(twin_graph_twin_count(g), 1);
    twin_graph_destroy(g);

    /* without CHECK_MODEL the unknown model is accepted */
    g = graph_with(TWIN_MODELS_CHECK_PROPERTIES | TWIN_MODELS_CHECK_RELATIONSHIPS);
    ck_assert_int_eq(twin_graph_add_twin(g, "x", "dtmi:x:Nope;1", NULL, 0), TWIN_OK);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_validator_property_check)
{
    twin_graph *g = graph_with(TWIN_MODELS_CHECK_ALL);
    twin_member good[2] = {{"seats", twin_value_int(12)}, {"area", twin_value_double(30.5)}};
    twin_member wrong[1] = {{"seats", twin_value_string("twelve")}};
    twin_member unknown[1] = {{"colour", twin_value_string("red")}};
    twin_member motor_ok[1] = {{"rpm", twin_value_double(1450)}};
    twin_member motor_bad[1] = {{"rpm", twin_value_string("fast")}};
    twin_member pump_ok[2] = {{"serial", twin_value_string("P-1")}, {"motor", twin_value_object(motor_ok, 1)}};
    twin_member pump_bad[1] = {{"motor", twin_value_object(motor_bad, 1)}};
    twin_value v;
    ck_assert_int_eq(twin_graph_add_twin(g, "r1", ROOM, good, 2), TWIN_OK);  /* inherited 'area' */
    REJECTED(twin_graph_add_twin(g, "r2", ROOM, wrong, 1));
    REJECTED(twin_graph_add_twin(g, "r3", ROOM, unknown, 1));
    REJECTED(twin_graph_add_twin(g, "s1", SPACE, good, 1));  /* 'seats' is Room's */
    v = twin_value_string("many");
    REJECTED(twin_graph_set_property(g, "r1", "seats", &v));
    v = twin_value_int(40);
    ck_assert_int_eq(twin_graph_set_property(g, "r1", "seats", &v), TWIN_OK);
    v = twin_value_int((int64_t)INT32_MAX + 1);  /* not an integer of DTDL */
    REJECTED(twin_graph_set_property(g, "r1", "seats", &v));
    /* a Component's properties, through an inherited Component */
    ck_assert_int_eq(twin_graph_add_twin(g, "p1", PUMP, pump_ok, 2), TWIN_OK);
    REJECTED(twin_graph_add_twin(g, "p2", PUMP, pump_bad, 1));
    ck_assert_uint_eq(twin_graph_twin_count(g), 2);
    twin_graph_destroy(g);

    /* CHECK_MODEL alone does not look at properties */
    g = graph_with(TWIN_MODELS_CHECK_MODEL);
    ck_assert_int_eq(twin_graph_add_twin(g, "r2", ROOM, wrong, 1), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "r3", ROOM, unknown, 1), TWIN_OK);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_validator_relationship_check)
{
    twin_graph *g = graph_with(TWIN_MODELS_CHECK_ALL);
    twin_member since_ok[1] = {{"since", twin_value_string("2024-01-31")}};
    twin_member since_bad[1] = {{"since", twin_value_int(2024)}};
    twin_member extra[1] = {{"weight", twin_value_double(1)}};
    ck_assert_int_eq(twin_graph_add_twin(g, "room", ROOM, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "asset", ASSET, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "pump", PUMP, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "other", OTHER, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "space", SPACE, NULL, 0), TWIN_OK);
    /* 'contains' (inherited from Space) targets Asset, or an Interface extending it */
    ck_assert_int_eq(twin_graph_add_relationship(g, "room", "c1", "contains", "asset", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "room", "c2", "contains", "pump", since_ok, 1), TWIN_OK);
    REJECTED(twin_graph_add_relationship(g, "room", "c3", "contains", "other", NULL, 0));
    REJECTED(twin_graph_add_relationship(g, "room", "c4", "contains", "space", NULL, 0));
    REJECTED(twin_graph_add_relationship(g, "room", "c5", "contains", "pump", since_bad, 1));
    REJECTED(twin_graph_add_relationship(g, "room", "c6", "contains", "pump", extra, 1));
    /* no such relationship in the source's model */
    REJECTED(twin_graph_add_relationship(g, "room", "o1", "owns", "pump", NULL, 0));
    REJECTED(twin_graph_add_relationship(g, "asset", "c7", "contains", "pump", NULL, 0));
    REJECTED(twin_graph_add_relationship(g, "room", "o2", "seats", "pump", NULL, 0)); /* a Property */
    /* no target: any twin */
    ck_assert_int_eq(twin_graph_add_relationship(g, "room", "n1", "near", "other", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "room", "n2", "near", "room", NULL, 0), TWIN_OK);
    ck_assert_uint_eq(twin_graph_relationship_count(g), 4);
    twin_graph_destroy(g);

    /* without CHECK_RELATIONSHIPS */
    g = graph_with(TWIN_MODELS_CHECK_MODEL | TWIN_MODELS_CHECK_PROPERTIES);
    ck_assert_int_eq(twin_graph_add_twin(g, "room", ROOM, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "other", OTHER, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "room", "c3", "contains", "other", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "room", "o1", "owns", "other", since_bad, 1), TWIN_OK);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_validator_checks_disabled)
{
    twin_graph *g = graph_with(0);
    twin_member wrong[1] = {{"seats", twin_value_string("twelve")}};
    ck_assert_int_eq(twin_graph_add_twin(g, "x", "dtmi:x:Nope;1", wrong, 1), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "r", ROOM, wrong, 1), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_twin(g, "o", OTHER, NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "r", "c", "contains", "o", NULL, 0), TWIN_OK);
    ck_assert_int_eq(twin_graph_add_relationship(g, "r", "w", "whatever", "x", wrong, 1), TWIN_OK);
    twin_graph_destroy(g);
}
END_TEST

START_TEST(test_validator_arguments)
{
    twin_graph_validator v;
    twin_models *open;
    memset(&v, 0, sizeof v);
    v.size = sizeof v;
    ck_assert_int_eq(twin_models_validator(NULL, TWIN_MODELS_CHECK_ALL, &v), TWIN_E_INVAL);
    ck_assert_int_eq(twin_models_validator(vm, TWIN_MODELS_CHECK_ALL, NULL), TWIN_E_INVAL);
    v.size = sizeof v + 8;
    ck_assert_int_eq(twin_models_validator(vm, TWIN_MODELS_CHECK_ALL, &v), TWIN_E_ABI);
    v.size = sizeof v;
    open = models_open(&vfa, 0);
    ck_assert_int_eq(twin_models_validator(open, TWIN_MODELS_CHECK_ALL, &v), TWIN_E_STATE);
    ADD_OK(open, "{'@context':'dtmi:dtdl:context;3','@id':'dtmi:x:I;1','@type':'Interface'}");
    ck_assert_int_eq(twin_models_validator(open, TWIN_MODELS_CHECK_ALL, &v), TWIN_E_STATE);
    RESOLVE_OK(open);
    ck_assert_int_eq(twin_models_validator(open, TWIN_MODELS_CHECK_ALL, &v), TWIN_OK);
    twin_models_destroy(open);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dtdl_check");
    TCase *tc = tcase_create("values");
    TCase *tv = tcase_create("validator");
    tcase_add_checked_fixture(tc, check_setup, models_teardown);
    tcase_add_test(tc, test_check_boolean);
    tcase_add_test(tc, test_check_signed_integers);
    tcase_add_test(tc, test_check_unsigned_integers);
    tcase_add_test(tc, test_check_floating);
    tcase_add_test(tc, test_check_string);
    tcase_add_test(tc, test_check_date);
    tcase_add_test(tc, test_check_date_time);
    tcase_add_test(tc, test_check_time);
    tcase_add_test(tc, test_check_duration);
    tcase_add_test(tc, test_check_uuid_and_bytes);
    tcase_add_test(tc, test_check_geospatial);
    tcase_add_test(tc, test_check_enum);
    tcase_add_test(tc, test_check_array);
    tcase_add_test(tc, test_check_map);
    tcase_add_test(tc, test_check_object);
    tcase_add_test(tc, test_check_nested);
    tcase_add_test(tc, test_check_arguments);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(tv, validator_setup, validator_teardown);
    tcase_add_test(tv, test_validator_model_check);
    tcase_add_test(tv, test_validator_property_check);
    tcase_add_test(tv, test_validator_relationship_check);
    tcase_add_test(tv, test_validator_checks_disabled);
    tcase_add_test(tv, test_validator_arguments);
    suite_add_tcase(s, tv);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
