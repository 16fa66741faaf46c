/* Writing a store in the bulk-import format (see store.h), in a normal form:
 *
 * - section lines exactly {"Section": "NAME"}; the Header section always
 *   (the header read, else {"fileVersion":"1.0.0"}); the other sections only
 *   when they have lines;
 * - every other line compact JSON (see json.h for strings and numbers);
 * - models in the order they were loaded, each Interface on its own line
 *   (a document that was an array of Interfaces gives one line each);
 * - twins in the order they were added, each as "$dtId", "$metadata" (with
 *   "$model" only), then its properties in the order first set; a
 *   Component's object starts with "$metadata":{};
 * - relationships grouped by source twin, in twin order, each source's in
 *   the order they were added: "$dtId", "$relationshipId", "$targetId",
 *   "$relationshipName", then its properties.
 *
 * A file already in this form reads back and writes out byte for byte. */
#include "store.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

static void section(FILE *f, const char *name)
{
    fprintf(f, "{\"Section\": \"%s\"}\n", name);
}

static void write_members(FILE *f, const twin_member *m, size_t n, const twin_dtdl_elem *iface)
{
    size_t k;
    for (k = 0; k < n; k++) {
        const twin_dtdl_elem *c = iface ? twin_dtdl_content(iface, m[k].name) : NULL;
        putc(',', f);
        json_write_cstr(f, m[k].name);
        putc(':', f);
        if (c && twin_dtdl_kind_of(c) == TWIN_DTDL_COMPONENT &&
            m[k].value.type == TWIN_VALUE_OBJECT) {
            fputs("{\"$metadata\":{}", f);
            write_members(f, m[k].value.as.members, m[k].value.len, NULL);
            putc('}', f);
        } else {
            json_write_value(f, &m[k].value);
        }
    }
}

static void write_twins(const store *st, FILE *f)
{
    twin_cursor c;
    const char *id, *model;
    if (twin_graph_twin_count(st->graph) == 0) return;
    section(f, "Twins");
    twin_graph_twins_begin(st->graph, &c);
    while (twin_graph_twins_next(st->graph, &c, &id, &model) == TWIN_OK) {
        const twin_member *props;
        size_t n;
        const twin_dtdl_elem *iface = twin_models_find(st->models, model);
        fputs("{\"$dtId\":", f);
        json_write_cstr(f, id);
        fputs(",\"$metadata\":{\"$model\":", f);
        json_write_cstr(f, model);
        putc('}', f);
        if (twin_graph_get_properties(st->graph, id, &props, &n) == TWIN_OK)
            write_members(f, props, n,
                          twin_dtdl_kind_of(iface) == TWIN_DTDL_INTERFACE ? iface : NULL);
        fputs("}\n", f);
    }
}

void store_relationships(const store *st, void (*fn)(void *ud, const twin_relationship *r),
                         void *ud)
{
    twin_cursor twins;
    const char *id;
    twin_relationship *rels = NULL;
    size_t cap = 0;
    twin_graph_twins_begin(st->graph, &twins);
    while (twin_graph_twins_next(st->graph, &twins, &id, NULL) == TWIN_OK) {
        twin_cursor c;
        twin_relationship r = TWIN_RELATIONSHIP_INIT;
        size_t n = 0;
        if (twin_graph_relationships_begin(st->graph, &c, id, TWIN_DIRECTION_OUTGOING, NULL) !=
            TWIN_OK)
            continue;
        while (twin_graph_relationships_next(st->graph, &c, &r) == TWIN_OK) {
            xgrow((void **)&rels, &cap, n + 1, sizeof *rels);
            rels[n++] = r;
        }
        /* The cursor gives the newest first. */
        while (n > 0) fn(ud, &rels[--n]);
    }
    free(rels);
}

static void write_relationship(void *ud, const twin_relationship *r)
{
    FILE *f = ud;
    fputs("{\"$dtId\":", f);
    json_write_cstr(f, r->source_id);
    fputs(",\"$relationshipId\":", f);
    json_write_cstr(f, r->id);
    fputs(",\"$targetId\":", f);
    json_write_cstr(f, r->target_id);
    fputs(",\"$relationshipName\":", f);
    json_write_cstr(f, r->name);
    write_members(f, r->properties, r->property_count, NULL);
    fputs("}\n", f);
}

int store_write(const store *st, FILE *f)
{
    size_t k;
    section(f, "Header");
    if (st->header.type == TWIN_VALUE_OBJECT)
        json_write_value(f, &st->header);
    else
        fputs("{\"fileVersion\":\"1.0.0\"}", f);
    putc('\n', f);
    if (st->ndocs) section(f, "Models");
    for (k = 0; k < st->ndocs; k++) {
        json_write_value(f, &st->docs[k]);
        putc('\n', f);
    }
    if (st->graph) {
        write_twins(st, f);
        if (twin_graph_relationship_count(st->graph)) {
            section(f, "Relationships");
            store_relationships(st, write_relationship, f);
        }
    }
    return ferror(f) ? -1 : 0;
}
