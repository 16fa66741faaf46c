/* The properties of each class, contents and other element lists, and
 * member values (names, schemas, sub-elements, multiplicities). */
#include "dtdl/parse_int.h"

#include "util/hash.h"

#include <string.h>

/* The properties of each class: (class, property, DTDL versions,
 * required, JSON term), each list ended by an entry of class 0. */
static const twin__dp_prop interface_props[] = {
    {TWIN_DTDL_INTERFACE, K_CONTENTS, 2, 4, 0, "contents"},
    {TWIN_DTDL_INTERFACE, K_EXTENDS, 2, 4, 0, "extends"},
    {TWIN_DTDL_INTERFACE, K_SCHEMAS, 2, 4, 0, "schemas"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop telemetry_props[] = {
    {TWIN_DTDL_TELEMETRY, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_TELEMETRY, K_SCHEMA, 2, 4, 1, "schema"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop property_props[] = {
    {TWIN_DTDL_PROPERTY, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_PROPERTY, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_PROPERTY, K_WRITABLE, 2, 4, 0, "writable"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop command_props[] = {
    {TWIN_DTDL_COMMAND, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMMAND, K_REQUEST, 2, 4, 0, "request"},
    {TWIN_DTDL_COMMAND, K_RESPONSE, 2, 4, 0, "response"},
    {TWIN_DTDL_COMMAND, K_COMMANDTYPE, 2, 4, 0, "commandType"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop relationship_props[] = {
    {TWIN_DTDL_RELATIONSHIP, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_RELATIONSHIP, K_TARGET, 2, 4, 0, "target"},
    {TWIN_DTDL_RELATIONSHIP, K_MINM, 2, 4, 0, "minMultiplicity"},
    {TWIN_DTDL_RELATIONSHIP, K_MAXM, 2, 4, 0, "maxMultiplicity"},
    {TWIN_DTDL_RELATIONSHIP, K_PROPERTIES, 2, 4, 0, "properties"},
    {TWIN_DTDL_RELATIONSHIP, K_WRITABLE, 2, 4, 0, "writable"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop component_props[] = {
    {TWIN_DTDL_COMPONENT, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMPONENT, K_SCHEMA, 2, 4, 1, "schema"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop command_request_props[] = {
    {TWIN_DTDL_COMMAND_REQUEST, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMMAND_REQUEST, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_COMMAND_REQUEST, K_NULLABLE, 4, 4, 0, "nullable"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop command_response_props[] = {
    {TWIN_DTDL_COMMAND_RESPONSE, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_COMMAND_RESPONSE, K_SCHEMA, 2, 4, 1, "schema"},
    {TWIN_DTDL_COMMAND_RESPONSE, K_NULLABLE, 4, 4, 0, "nullable"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop array_props[] = {
    {TWIN_DTDL_ARRAY, K_ELEMSCHEMA, 2, 4, 1, "elementSchema"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop enum_props[] = {
    {TWIN_DTDL_ENUM, K_VALUESCHEMA, 2, 4, 1, "valueSchema"},
    {TWIN_DTDL_ENUM, K_ENUMVALUES, 2, 2, 1, "enumValues"},
    {TWIN_DTDL_ENUM, K_ENUMVALUES, 3, 4, 0, "enumValues"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop map_props[] = {
    {TWIN_DTDL_MAP, K_MAPKEY, 2, 4, 1, "mapKey"},
    {TWIN_DTDL_MAP, K_MAPVALUE, 2, 4, 1, "mapValue"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop object_props[] = {
    {TWIN_DTDL_OBJECT, K_FIELDS, 2, 2, 1, "fields"},
    {TWIN_DTDL_OBJECT, K_FIELDS, 3, 4, 0, "fields"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop field_props[] = {
    {TWIN_DTDL_FIELD, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_FIELD, K_SCHEMA, 2, 4, 1, "schema"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop enum_value_props[] = {
    {TWIN_DTDL_ENUM_VALUE, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_ENUM_VALUE, K_ENUMVALUE, 2, 4, 1, "enumValue"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop map_key_props[] = {
    {TWIN_DTDL_MAP_KEY, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_MAP_KEY, K_SCHEMA, 2, 4, 1, "schema"},
    {0, 0, 0, 0, 0, NULL},
};
static const twin__dp_prop map_value_props[] = {
    {TWIN_DTDL_MAP_VALUE, K_NAME, 2, 4, 1, "name"},
    {TWIN_DTDL_MAP_VALUE, K_SCHEMA, 2, 4, 1, "schema"},
    {0, 0, 0, 0, 0, NULL},
};

/* By class (TWIN_DTDL_* up to TWIN_DTDL_MAP_VALUE); NULL: no such class. */
static const twin__dp_prop *const props_by_class[] = {
    NULL, interface_props, telemetry_props, property_props, command_props,
    relationship_props, component_props, command_request_props, command_response_props, NULL,
    array_props, enum_props, map_props, object_props, field_props, enum_value_props,
    map_key_props, map_value_props,
};

/* The entries of class kind, ended by one of class 0. */
const twin__dp_prop *twin__dp_props_of(int kind)
{
    static const twin__dp_prop none[] = {{0, 0, 0, 0, 0, NULL}};
    if (kind < 0 || kind >= (int)(sizeof props_by_class / sizeof props_by_class[0]) ||
        !props_by_class[kind])
        return none;
    return props_by_class[kind];
}

/* Is t the JSON term of a property of some class? */
int twin__dp_is_class_property(const char *t)
{
    size_t k;
    const twin__dp_prop *pr;
    for (k = 0; k < sizeof props_by_class / sizeof props_by_class[0]; k++)
        for (pr = props_by_class[k]; pr && pr->kind; pr++)
            if (pr->json[0] == t[0] && dp_is(t, pr->json)) return 1;
    return 0;
}

/* Property key of class kind in this DTDL version; NULL if it has none. */
const twin__dp_prop *twin__dp_find_prop(int kind, const char *key, int version)
{
    const twin__dp_prop *pr;
    for (pr = twin__dp_props_of(kind); pr->kind; pr++)
        if (pr->json[0] == key[0] && dp_is(key, pr->json) && version >= pr->vmin &&
            version <= pr->vmax)
            return pr;
    return NULL;
}

/* The identifier of item i of list key of e, an object: by its name where
 * the list is by name ("dtmi:a:I:_contents:__temp;1"), else by position. */
static const char *item_id(twin__dp *p, const twin_dtdl_elem *e, const char *key, int i,
                           const twin__json *it, int by_name)
{
    const twin__json *nm = twin__json_get(it, "name");
    char sfx[600], num[16];
    size_t kl = strlen(key);
    int d = 15;
    unsigned u = (unsigned)i;
    sfx[0] = '_';
    memcpy(sfx + 1, key, kl);
    memcpy(sfx + 1 + kl, ":__", 4);
    if (by_name && twin__json_is_string(nm) && nm->n < 520)
        return twin__dp_gen_id(p, e->id ? e->id : "dtmi:_", sfx, nm->u.str);
    num[15] = '\0';
    do {
        num[--d] = (char)('0' + u % 10);
        u /= 10;
    } while (u && d > 0);
    return twin__dp_gen_id(p, e->id ? e->id : "dtmi:_", sfx, num + d);
}

/* Item i of list slot of e, an object: the element, or NULL. */
static twin_dtdl_elem *list_object(twin__dp *p, twin_dtdl_elem *e, int slot, const twin__json *it,
                                   const char *key, int i, uint32_t allowed, int inferred,
                                   int by_name)
{
    const char *gid = item_id(p, e, key, i, it, by_name);
    int reusable = e->kind == TWIN_DTDL_INTERFACE && slot == 2;  /* in 'schemas' */
    uint32_t save = p->sdepth;
    twin_dtdl_elem *c;
    if (reusable && !twin__json_get(it, "@id")) {
        twin__dp_err(p, "missingRequiredId", e, NULL, "a schema in 'schemas' needs an @id");
        return NULL;
    }
    if (e->kind == TWIN_DTDL_INTERFACE && slot == 1) p->sdepth = 0;  /* extends */
    if (reusable) {  /* a reusable schema: level 1 */
        const twin__json *xid = twin__json_get(it, "@id");
        p->sdepth = 1;
        p->sroot = twin__json_is_string(xid) ? xid->u.str : gid;
    }
    c = twin__dp_element(p, it, allowed, inferred, e, gid);
    p->sdepth = save;
    return c;
}

/* Two items of a list by name with the same name. */
static void list_names(twin__dp *p, const twin_dtdl_elem *e, const char *key,
                       const twin_dtdl_elem **out, int k)
{
    uint32_t *dup = twin__region_alloc(p->scratch, &p->m->alloc, (size_t)k * sizeof *dup);
    int j;
    if (!dup || twin__dup_names(&p->m->alloc, out, (uint32_t)k, dup) != TWIN_OK) {
        p->nomem = 1;
    } else {
        for (j = 0; j < k; j++)
            if (dup[j] != UINT32_MAX)
                twin__dp_err(p, "nonUniquePropertyValue", e, NULL,
                             "'%s' has two elements named '%s'", key, out[j]->name);
    }
}

/* A list of elements: contents, fields, enumValues, properties, schemas,
 * extends. Items are objects, or DTMIs of elements defined elsewhere. */
void twin__dp_list(twin__dp *p, twin_dtdl_elem *e, int slot, const twin__json *v, const char *key,
                   uint32_t allowed, int inferred, int by_name)
{
    const twin__json *it;
    int n, i = 0, k = 0, nref = 0, is_extends = e->kind == TWIN_DTDL_INTERFACE && slot == 1;
    const twin_dtdl_elem **out;
    const char **refs;
    if (twin__json_is_object(v) || twin__json_is_string(v)) {
        n = 1;  /* a single value stands for a one-element list */
    } else if (!twin__json_is_array(v)) {
        twin__dp_err(p, "badType", e, NULL, "'%s' must be an array", key);
        return;
    } else {
        n = (int)twin__json_count(v);
    }
    out = dp_alloc(p, (size_t)(n ? n : 1) * sizeof *out);
    refs = dp_alloc(p, (size_t)(n ? n : 1) * sizeof *refs);
    if (!out || !refs) return;
    for (it = twin__json_is_array(v) ? v->child : v; it; it = twin__json_is_array(v) ? it->next : NULL, i++) {
        size_t mk = twin__json_is_array(v) ? dp_push_i(p, i) : p->plen;
        if (twin__json_is_string(it)) {
            /* a reference to an element defined elsewhere, by its @id */
            const char *s = it->u.str;
            if (!twin__dtmi_ok(s, it->n, p->version, is_extends ? 128 : 4096)) {
                twin__dp_err(p, "invalidId", e, NULL, "'%s' item '%s' is not a valid DTMI", key, s);
            } else {
                refs[k] = dp_strdup(p, s, it->n);
                out[k++] = NULL;
                nref++;
            }
        } else if (twin__json_is_object(it)) {
            twin_dtdl_elem *c = list_object(p, e, slot, it, key, i, allowed, inferred, by_name);
            if (c) {
                refs[k] = NULL;
                out[k++] = c;
            }
        } else {
            twin__dp_err(p, "badType", e, NULL, "'%s' items must be objects or DTMIs", key);
        }
        dp_pop(p, mk);
    }
    e->list[slot] = out;
    e->nlist[slot] = (uint32_t)k;
    if (nref) e->lref[slot] = refs;
    if (by_name && k > 1) list_names(p, e, key, out, k);
}

/* A sub-element given as a DTMI reference to one defined elsewhere:
 * kept for resolve.c. Returns 1 when v was a string (handled). */
static int sub_ref(twin__dp *p, twin_dtdl_elem *e, int slot, const twin__json *v)
{
    if (twin__json_is_array(v) && (int)twin__json_count(v) == 1) v = v->child;
    if (!twin__json_is_string(v)) return 0;
    if (!twin__dtmi_ok(v->u.str, v->n, p->version, 4096))
        twin__dp_err(p, "invalidId", e, NULL, "'%s' is not a valid DTMI", v->u.str);
    else
        e->ref[slot] = dp_strdup(p, v->u.str, v->n);
    return 1;
}

/* name: a string, a valid name within the version's length. */
static void member_name(twin__dp *p, twin_dtdl_elem *e, const twin__json *v)
{
    if ((e->name = twin__dp_string(p, e, v, "name", 0)) != NULL)
        e->name_hash = twin__hash32(twin__hash(0, e->name, strlen(e->name)));
    if (e->name && strlen(e->name) > dp_name_max(p)) {
        twin__dp_err(p, "stringTooLong", e, NULL, "name '%s' is longer than %lu characters",
                     e->name, (unsigned long)dp_name_max(p));
        e->name = NULL;
    } else if (e->name && !twin__dp_name_ok(e->name, dp_name_max(p))) {
        twin__dp_err(p, "stringInvalid", e, NULL,
                     "name '%s' must start with a letter, hold only letters, digits and "
                     "underscores, not end with an underscore, and be at most %lu characters",
                     e->name, (unsigned long)dp_name_max(p));
        e->name = NULL;
    }
}

/* The lists of elements, with the counts DTDL v2 bounds. */
static void member_list(twin__dp *p, twin_dtdl_elem *e, int key, const twin__json *v)
{
    switch (key) {
    case K_CONTENTS:
        twin__dp_list(p, e, 0, v, "contents", C_CONTENT, 0, 1);
        break;
    case K_EXTENDS:
        /* tolerated solecism: an inline Interface in extends without @type */
        twin__dp_list(p, e, 1, v, "extends", C(TWIN_DTDL_INTERFACE),
                      dp_tolerate(p) ? TWIN_DTDL_INTERFACE : 0, 0);
        if (p->version == 2 && e->nlist[1] > 2)
            twin__dp_err(p, "objectCountAboveMax", e, NULL,
                         "an Interface extends at most 2 Interfaces in DTDL v2");
        break;
    case K_SCHEMAS:
        twin__dp_list(p, e, 2, v, "schemas", C_COMPLEX, 0, 0);
        break;
    case K_FIELDS:
        twin__dp_list(p, e, 0, v, "fields", C(TWIN_DTDL_FIELD), TWIN_DTDL_FIELD, 1);
        if (p->version == 2 && e->nlist[0] == 0 && !p->errs)
            twin__dp_err(p, "objectCountBelowMin", e, NULL,
                         "an Object needs at least one field in DTDL v2");
        if (p->version == 2 && e->nlist[0] > 30)
            twin__dp_err(p, "objectCountAboveMax", e, NULL,
                         "an Object has at most 30 fields in DTDL v2");
        break;
    case K_ENUMVALUES:
        twin__dp_list(p, e, 0, v, "enumValues", C(TWIN_DTDL_ENUM_VALUE), TWIN_DTDL_ENUM_VALUE, 1);
        if (p->version == 2 && e->nlist[0] == 0 && !p->errs)
            twin__dp_err(p, "objectCountBelowMin", e, NULL,
                         "an Enum needs at least one value in DTDL v2");
        if (p->version == 2 && e->nlist[0] > 100)
            twin__dp_err(p, "objectCountAboveMax", e, NULL,
                         "an Enum has at most 100 values in DTDL v2");
        break;
    case K_PROPERTIES:
        twin__dp_list(p, e, 0, v, "properties", C(TWIN_DTDL_PROPERTY), 0, 1);
        break;
    }
}

/* The sub-elements of a Map and a Command: inline, or DTMI references. */
static void member_sub(twin__dp *p, twin_dtdl_elem *e, int key, const twin__json *v)
{
    static const struct {
        uint8_t key, kind, slot;
        const char *suffix;
    } subs[] = {
        {K_MAPKEY, TWIN_DTDL_MAP_KEY, 0, "_mapKey"},
        {K_MAPVALUE, TWIN_DTDL_MAP_VALUE, 1, "_mapValue"},
        {K_REQUEST, TWIN_DTDL_COMMAND_REQUEST, 0, "_request"},
        {K_RESPONSE, TWIN_DTDL_COMMAND_RESPONSE, 1, "_response"},
    };
    twin_dtdl_elem *c;
    size_t k = 0;
    while (subs[k].key != key) k++;
    if (sub_ref(p, e, subs[k].slot, v)) return;
    c = twin__dp_element(p, v, C(subs[k].kind), subs[k].kind, e,
                         twin__dp_gen_id(p, e->id, subs[k].suffix, NULL));
    if (!c) return;
    e->link[subs[k].slot] = c;
    if (key == K_MAPKEY && c->link[0] && c->link[0]->prim != TWIN_DTDL_STRING)
        twin__dp_err(p, "badType", c, NULL, "a map key's schema must be string");
}

/* A Relationship's target, minMultiplicity and maxMultiplicity. */
static void member_relationship(twin__dp *p, twin_dtdl_elem *e, int key, const twin__json *v)
{
    int64_t iv;
    if (key == K_TARGET) {
        if (!twin__json_is_string(v))
            twin__dp_err(p, "identifierNotString", e, NULL, "'target' must be a DTMI string");
        else if (!twin__dtmi_ok(v->u.str, v->n, p->version, 128))
            twin__dp_err(p, "invalidId", e, NULL, "'target' must be an Interface DTMI");
        else
            e->ref[0] = dp_strdup(p, v->u.str, v->n);
    } else if (key == K_MINM) {
        if (!twin__dp_int(p, e, v, "minMultiplicity", &iv)) return;
        if (iv != 0)
            twin__dp_err(p, "valueNotExact", e, NULL, "minMultiplicity must be 0");
        else
            e->minm = 0;
    } else {
        if (!twin__dp_int(p, e, v, "maxMultiplicity", &iv)) return;
        if (iv < 1 || (p->version == 2 && iv > 500))
            twin__dp_err(p, "valueBelowMin", e, NULL, "maxMultiplicity must be at least 1%s",
                         p->version == 2 ? " and at most 500" : "");
        else
            e->maxm = iv > UINT32_MAX ? UINT32_MAX : (uint32_t)iv;
    }
}

/* One member of e that the class table gives (pr). */
void twin__dp_member(twin__dp *p, twin_dtdl_elem *e, const twin__dp_prop *pr, const twin__json *v)
{
    switch (pr->key) {
    case K_NAME:
        member_name(p, e, v);
        break;
    case K_SCHEMA:
        twin__dp_schema(p, e, 0, v, ":_schema",
                        e->kind == TWIN_DTDL_COMPONENT ? C(TWIN_DTDL_INTERFACE) : C_COMPLEX);
        break;
    case K_WRITABLE:
        if (twin__dp_bool(p, e, v, "writable") > 0) e->flags |= TWIN__EF_WRITABLE;
        break;
    case K_NULLABLE:
        if (twin__dp_bool(p, e, v, "nullable") > 0) e->flags |= TWIN__EF_NULLABLE;
        break;
    case K_CONTENTS: case K_EXTENDS: case K_SCHEMAS: case K_FIELDS: case K_ENUMVALUES:
    case K_PROPERTIES:
        member_list(p, e, pr->key, v);
        break;
    case K_ELEMSCHEMA:
        twin__dp_schema(p, e, 0, v, ":_elementSchema", C_COMPLEX);
        break;
    case K_VALUESCHEMA:
        twin__dp_schema(p, e, 0, v, ":_valueSchema", 0);
        if (e->link[0] && e->link[0]->prim != TWIN_DTDL_INTEGER &&
            e->link[0]->prim != TWIN_DTDL_STRING)
            twin__dp_err(p, "incorrectPropertyValue", e, NULL,
                         "an Enum's valueSchema must be integer or string");
        break;
    case K_MAPKEY: case K_MAPVALUE: case K_REQUEST: case K_RESPONSE:
        member_sub(p, e, pr->key, v);
        break;
    case K_TARGET: case K_MINM: case K_MAXM:
        member_relationship(p, e, pr->key, v);
        break;
    case K_ENUMVALUE:
        if (!(v = twin__dp_literal(p, e, v, "enum", "enumValue"))) break;
        if (twin__json_is_string(v)) {
            e->enum_str = dp_strdup(p, v->u.str, v->n);
            e->flags |= TWIN__EF_ENUM_STR;
        } else {
            twin__dp_int(p, e, v, "enumValue", &e->enum_num);
        }
        break;
    case K_COMMANDTYPE:
        if (!twin__json_is_string(v) || (!dp_is(v->u.str, "synchronous") &&
                                   !dp_is(v->u.str, "asynchronous")))
            twin__dp_err(p, "badType", e, NULL, "commandType must be synchronous or asynchronous");
        break;
    }
}
