/* Unit conversion of samples, from the DTDL unit tables (units/units.c).
 *
 * A conversion is out = (v - z) * a / b + q, built once per unit pair and
 * applied the same way by both ingest paths. Linear units (no offset) take
 * z = q = 0, a = from's scale, b = to's scale: v * s_from / s_to, exact
 * whenever the product and quotient are (kilopascal to pascal). The three
 * absolute temperature scales use the formulas that define them, so that
 * their fixed points are exact: the table's offsets (e.g. 255.3722... K for
 * 0 degreeFahrenheit) are rounded, and going through kelvin would make
 * 32 degreeFahrenheit 5.7e-14 degreeCelsius. */
#include "ingest/ingest_int.h"

#include <string.h>

enum { T_NONE = 0, T_K, T_C, T_F };

static int temp_scale(const twin__unit *u)
{
    const char *name = twin__unit_name(u);
    if (u->unit_type != TWIN__UT_TEMPERATURE) return T_NONE;
    if (strcmp(name, "kelvin") == 0) return T_K;
    if (strcmp(name, "degreeCelsius") == 0) return T_C;
    if (strcmp(name, "degreeFahrenheit") == 0) return T_F;
    return T_NONE;
}

/* (z, a, b, q) from scale [row] to scale [column]. */
static const double temp[4][4][4] = {
    [T_K] = {[T_K] = {0, 1, 1, 0}, [T_C] = {273.15, 1, 1, 0}, [T_F] = {0, 9, 5, -459.67}},
    [T_C] = {[T_K] = {0, 1, 1, 273.15}, [T_C] = {0, 1, 1, 0}, [T_F] = {0, 9, 5, 32}},
    [T_F] = {[T_K] = {-459.67, 5, 9, 0}, [T_C] = {32, 5, 9, 0}, [T_F] = {0, 1, 1, 0}},
};

const twin__unit *twin__ing_unit(const char *name)
{
    return name ? twin__unit_find(name, strlen(name), TWIN__QT_ALL) : NULL;
}

int twin__conv_make(const twin__unit *from, const twin__unit *to, twin__conv *c)
{
    int tf, tt;
    memset(c, 0, sizeof *c);
    c->from = from;
    c->to = to;
    c->a = c->b = 1.0;
    if (from == to) return 1;
    if (!from || !to || from->unit_type != to->unit_type ||
        ((from->flags ^ to->flags) & TWIN__UNIT_KIND_MASK) ||
        ((from->flags | to->flags) & TWIN__UNIT_NOCONV))
        return 0;
    tf = temp_scale(from);
    tt = temp_scale(to);
    if (tf && tt) {
        c->z = temp[tf][tt][0];
        c->a = temp[tf][tt][1];
        c->b = temp[tf][tt][2];
        c->q = temp[tf][tt][3];
        return 1;
    }
    c->a = twin__unit_scale(from);
    c->b = twin__unit_scale(to);
    if (twin__unit_offset(from) != 0.0 || twin__unit_offset(to) != 0.0) {
        /* an affine unit the tables may add later: through the SI unit */
        c->z = -twin__unit_offset(from) / c->a;
        c->q = -twin__unit_offset(to) / c->b;
    }
    return 1;
}
