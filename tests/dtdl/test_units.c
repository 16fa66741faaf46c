/* DTDL semantic types and units (lib/units/units.c; linked against the static
 * library): table order, coverage per version, and conversions checked
 * against values worked out by hand from the unit definitions. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units/units.h"
#include "support/run.h"
#include "twin/twin.h"

static const twin__unit *unit(const char *name)
{
    const twin__unit *u = twin__unit_find(name, strlen(name), TWIN__QT_ALL);
    ck_assert_msg(u != NULL, "unit %s not found", name);
    return u;
}

/* Convert v from one named unit to another; the conversion must succeed. */
static double conv(double v, const char *from, const char *to)
{
    double out = NAN;
    ck_assert_int_eq(twin__unit_convert(unit(from), unit(to), v, &out), TWIN_OK);
    return out;
}

#define ASSERT_NEAR(got, want)                                                        \
    do {                                                                              \
        double g_ = (got), w_ = (want);                                               \
        ck_assert_msg(fabs(g_ - w_) <= 1e-12 * fmax(1.0, fabs(w_)),                   \
                      "%s: got %.17g, want %.17g", #got, g_, w_);                     \
    } while (0)

static size_t count_where(unsigned bit, int units_not_types)
{
    size_t n, k = 0;
    if (units_not_types) {
        const twin__unit *u = twin__unit_table(&n);
        for (size_t i = 0; i < n; i++) k += (u[i].versions & bit) != 0;
    } else {
        const twin__semtype *s = twin__semtype_table(&n);
        for (size_t i = 0; i < n; i++) k += (s[i].versions & bit) != 0;
    }
    return k;
}

/* ---- tables ------------------------------------------------------------ */

START_TEST(test_tables_sorted_unique_and_well_formed)
{
    size_t n;
    const twin__unit *u = twin__unit_table(&n);
    ck_assert_uint_eq(n, 268);
    for (size_t i = 0; i < n; i++) {
        const char *name = twin__unit_name(&u[i]);
        ck_assert_msg(i == 0 || strcmp(twin__unit_name(&u[i - 1]), name) < 0,
                      "units: %s before %s", twin__unit_name(&u[i - 1]), name);
        ck_assert(u[i].unit_type > TWIN__UT_NONE && u[i].unit_type < TWIN__UT_COUNT);
        ck_assert(u[i].versions != 0 && (u[i].versions & ~TWIN__QT_ALL) == 0);
        ck_assert_msg(isfinite(twin__unit_scale(&u[i])) && twin__unit_scale(&u[i]) > 0,
                      "%s scale", name);
        ck_assert(isfinite(twin__unit_offset(&u[i])));
        ck_assert_ptr_eq(twin__unit_find(name, strlen(name), TWIN__QT_ALL), &u[i]);
    }
    const twin__semtype *s = twin__semtype_table(&n);
    ck_assert_uint_eq(n, 61);
    for (size_t i = 0; i < n; i++) {
        const char *name = twin__semtype_name(&s[i]);
        ck_assert_msg(i == 0 || strcmp(twin__semtype_name(&s[i - 1]), name) < 0,
                      "semtypes: %s before %s", twin__semtype_name(&s[i - 1]), name);
        ck_assert(s[i].unit_type > TWIN__UT_NONE && s[i].unit_type < TWIN__UT_COUNT);
        ck_assert(s[i].versions != 0 && (s[i].versions & ~TWIN__QT_ALL) == 0);
        ck_assert_ptr_eq(twin__semtype_find(name, strlen(name), TWIN__QT_ALL), &s[i]);
    }
    for (uint16_t t = 1; t < TWIN__UT_COUNT; t++) {
        ck_assert_ptr_nonnull(twin__unit_type_name(t));
        ck_assert_ptr_nonnull(twin__unit_type_si(t));
    }
    ck_assert_ptr_null(twin__unit_type_name(TWIN__UT_NONE));
    ck_assert_ptr_null(twin__unit_type_name(TWIN__UT_COUNT));
    ck_assert_ptr_null(twin__unit_type_si(TWIN__UT_COUNT));
    ck_assert_str_eq(twin__unit_type_name(TWIN__UT_TEMPERATURE), "TemperatureUnit");
    ck_assert_str_eq(twin__unit_type_name(TWIN__UT_UNITLESS), "Unitless");
    ck_assert_str_eq(twin__unit_type_si(TWIN__UT_PRESSURE), "Pa");
}
END_TEST

START_TEST(test_every_semantic_type_has_units_in_each_of_its_versions)
{
    static const unsigned bits[] = {TWIN__QT_V2NATIVE, TWIN__QT_1, TWIN__QT_2, TWIN__QT_3};
    size_t ns, nu;
    const twin__semtype *s = twin__semtype_table(&ns);
    const twin__unit *u = twin__unit_table(&nu);
    int used[TWIN__UT_COUNT] = {0};
    for (size_t i = 0; i < ns; i++) {
        used[s[i].unit_type] = 1;
        for (size_t b = 0; b < sizeof bits / sizeof bits[0]; b++) {
            if (!(s[i].versions & bits[b])) continue;
            size_t k = 0;
            for (size_t j = 0; j < nu; j++)
                k += u[j].unit_type == s[i].unit_type && (u[j].versions & bits[b]);
            ck_assert_msg(k > 0, "%s has no unit under 0x%x", twin__semtype_name(&s[i]),
                          bits[b]);
        }
    }
    /* Every unit type is reached from some semantic type, and every unit is
     * defined wherever some semantic type of its unit type is. */
    for (uint16_t t = 1; t < TWIN__UT_COUNT; t++)
        ck_assert_msg(used[t], "%s is used by no semantic type", twin__unit_type_name(t));
    for (size_t j = 0; j < nu; j++) {
        unsigned where = 0;
        for (size_t i = 0; i < ns; i++)
            if (s[i].unit_type == u[j].unit_type) where |= s[i].versions;
        ck_assert_msg((u[j].versions & ~where) == 0, "%s outlives its semantic types",
                      twin__unit_name(&u[j]));
    }
}
END_TEST

START_TEST(test_counts_per_version)
{
    /* DTDL.v2.md: 42 semantic types and 172 units; QuantitativeTypes v1
     * and v2: 52 and 240 (v2 of the extension changes nothing); v3: 61 and
     * 268. */
    ck_assert_uint_eq(count_where(TWIN__QT_V2NATIVE, 0), 42);
    ck_assert_uint_eq(count_where(TWIN__QT_1, 0), 52);
    ck_assert_uint_eq(count_where(TWIN__QT_2, 0), 52);
    ck_assert_uint_eq(count_where(TWIN__QT_3, 0), 61);
    ck_assert_uint_eq(count_where(TWIN__QT_V2NATIVE, 1), 172);
    ck_assert_uint_eq(count_where(TWIN__QT_1, 1), 240);
    ck_assert_uint_eq(count_where(TWIN__QT_2, 1), 240);
    ck_assert_uint_eq(count_where(TWIN__QT_3, 1), 268);
    /* Each version keeps every name of the one before: nothing is v2-only,
     * extension v1 and v2 agree name for name, and v3 only adds. */
    size_t n;
    const twin__unit *u = twin__unit_table(&n);
    for (size_t i = 0; i < n; i++) {
        if (u[i].versions & TWIN__QT_V2NATIVE) ck_assert(u[i].versions & TWIN__QT_1);
        ck_assert(!(u[i].versions & TWIN__QT_1) == !(u[i].versions & TWIN__QT_2));
        if (u[i].versions & TWIN__QT_2) ck_assert(u[i].versions & TWIN__QT_3);
    }
    const twin__semtype *s = twin__semtype_table(&n);
    for (size_t i = 0; i < n; i++) {
        if (s[i].versions & TWIN__QT_V2NATIVE) ck_assert(s[i].versions & TWIN__QT_1);
        ck_assert(!(s[i].versions & TWIN__QT_1) == !(s[i].versions & TWIN__QT_2));
        if (s[i].versions & TWIN__QT_2) ck_assert(s[i].versions & TWIN__QT_3);
    }
}
END_TEST

/* ---- lookup ------------------------------------------------------------ */

START_TEST(test_lookup_respects_version_mask)
{
    /* ampereHour, hectopascal and the Concentration semantic type came with
     * QuantitativeTypes v1: absent from native DTDL v2. */
    static const char *qt_only[] = {"ampereHour", "hectopascal", "partsPerMillion", "sievert",
                                    "tonOfRefrigeration", "wattHour"};
    for (size_t i = 0; i < sizeof qt_only / sizeof qt_only[0]; i++) {
        size_t len = strlen(qt_only[i]);
        ck_assert_ptr_null(twin__unit_find(qt_only[i], len, TWIN__QT_V2NATIVE));
        ck_assert_ptr_nonnull(twin__unit_find(qt_only[i], len, TWIN__QT_1));
        ck_assert_ptr_nonnull(twin__unit_find(qt_only[i], len, TWIN__QT_2));
        ck_assert_ptr_nonnull(twin__unit_find(qt_only[i], len, TWIN__QT_3));
        ck_assert_ptr_nonnull(twin__unit_find(qt_only[i], len, TWIN__QT_V2NATIVE | TWIN__QT_2));
    }
    /* Extension v3 (quantitativeTypes;3) adds units, unit types and
     * semantic types that v2 of the extension does not have. */
    static const char *qt3_only[] = {"pascalSecond", "centistokes", "reciprocalMetre",
                                     "millimetrePerSecond", "nanoampere", "millivoltAmpereHour",
                                     "pascalCubicMetrePerSecond", "cubicCentimetrePerSecond"};
    for (size_t i = 0; i < sizeof qt3_only / sizeof qt3_only[0]; i++) {
        size_t len = strlen(qt3_only[i]);
        ck_assert_ptr_null(twin__unit_find(qt3_only[i], len, TWIN__QT_V2NATIVE | TWIN__QT_1 |
                                                                  TWIN__QT_2));
        ck_assert_ptr_nonnull(twin__unit_find(qt3_only[i], len, TWIN__QT_3));
    }
    ck_assert_ptr_null(twin__semtype_find("Efficiency", 10, TWIN__QT_2));
    ck_assert_uint_eq(twin__semtype_find("Efficiency", 10, TWIN__QT_3)->unit_type,
                      TWIN__UT_UNITLESS);
    ck_assert_uint_eq(twin__semtype_find("Throttle", 8, TWIN__QT_3)->unit_type,
                      TWIN__UT_UNITLESS);
    ck_assert_uint_eq(twin__semtype_find("DynamicViscosity", 16, TWIN__QT_3)->unit_type,
                      TWIN__UT_DYNAMIC_VISCOSITY);
    ck_assert_ptr_null(twin__semtype_find("Concentration", 13, TWIN__QT_V2NATIVE));
    ck_assert_ptr_nonnull(twin__semtype_find("Concentration", 13, TWIN__QT_1));
    ck_assert_ptr_null(twin__semtype_find("EnergyRate", 10, TWIN__QT_V2NATIVE));
    ck_assert_ptr_nonnull(twin__unit_find("kelvin", 6, TWIN__QT_V2NATIVE));
    ck_assert_ptr_null(twin__unit_find("kelvin", 6, 0));

    const twin__semtype *t = twin__semtype_find("Temperature", 11, TWIN__QT_V2NATIVE);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->unit_type, TWIN__UT_TEMPERATURE);
    ck_assert_uint_eq(twin__semtype_find("Humidity", 8, TWIN__QT_ALL)->unit_type, TWIN__UT_DENSITY);
    ck_assert_uint_eq(twin__semtype_find("Luminosity", 10, TWIN__QT_ALL)->unit_type,
                      TWIN__UT_POWER);
    ck_assert_uint_eq(twin__semtype_find("RelativeHumidity", 16, TWIN__QT_ALL)->unit_type,
                      TWIN__UT_UNITLESS);
    ck_assert_uint_eq(twin__semtype_find("Thrust", 6, TWIN__QT_ALL)->unit_type, TWIN__UT_FORCE);
    ck_assert_uint_eq(twin__semtype_find("Distance", 8, TWIN__QT_ALL)->unit_type, TWIN__UT_LENGTH);
}
END_TEST

START_TEST(test_unit_type_lookup)
{
    /* Every canonical name finds itself, in the versions its units have. */
    size_t n;
    const twin__unit *u = twin__unit_table(&n);
    for (uint16_t t = 1; t < TWIN__UT_COUNT; t++) {
        const char *name = twin__unit_type_name(t);
        unsigned where = 0;
        for (size_t i = 0; i < n; i++)
            if (u[i].unit_type == t) where |= u[i].versions;
        ck_assert_uint_eq(twin__unit_type_find(name, strlen(name), where), t);
        ck_assert_uint_eq(twin__unit_type_find(name, strlen(name), TWIN__QT_ALL & ~where),
                          TWIN__UT_NONE);
    }
    /* v2 has 36 unit types, extension v1/v2 43 and v3 48 (plus the
     * EnergyRateUnit term). */
    size_t k2 = 0, k1 = 0, k3 = 0;
    for (uint16_t t = 1; t < TWIN__UT_COUNT; t++) {
        const char *name = twin__unit_type_name(t);
        k2 += twin__unit_type_find(name, strlen(name), TWIN__QT_V2NATIVE) != TWIN__UT_NONE;
        k1 += twin__unit_type_find(name, strlen(name), TWIN__QT_1) != TWIN__UT_NONE;
        k3 += twin__unit_type_find(name, strlen(name), TWIN__QT_3) != TWIN__UT_NONE;
    }
    ck_assert_uint_eq(k2, 36);
    ck_assert_uint_eq(k1, 43);
    ck_assert_uint_eq(k3, 48);
    ck_assert_uint_eq(TWIN__UT_COUNT - 1, 48);
    ck_assert_uint_eq(twin__unit_type_find("ReciprocalTimeUnit", 18, TWIN__QT_2), TWIN__UT_NONE);
    ck_assert_uint_eq(twin__unit_type_find("ReciprocalTimeUnit", 18, TWIN__QT_3),
                      TWIN__UT_RECIPROCAL_TIME);
    ck_assert_uint_eq(twin__unit_type_find("EnergyRateUnit", 14, TWIN__QT_2), TWIN__UT_POWER);
    ck_assert_uint_eq(twin__unit_type_find("EnergyRateUnit", 14, TWIN__QT_V2NATIVE),
                      TWIN__UT_NONE);
    ck_assert_uint_eq(twin__unit_type_find("ReactivePowerUnit", 17, TWIN__QT_V2NATIVE),
                      TWIN__UT_NONE);
    ck_assert_uint_eq(twin__unit_type_find("UnitlessX", 8, TWIN__QT_ALL), TWIN__UT_UNITLESS);
    ck_assert_uint_eq(twin__unit_type_find("Temperature", 11, TWIN__QT_ALL), TWIN__UT_NONE);
    ck_assert_uint_eq(twin__unit_type_find("AccelerationUnit", 16, TWIN__QT_ALL),
                      TWIN__UT_ACCELERATION);
    ck_assert_uint_eq(twin__unit_type_find("VolumeUnit", 10, TWIN__QT_ALL), TWIN__UT_VOLUME);
}
END_TEST

START_TEST(test_lookup_uses_exact_length)
{
    /* The name is a slice: no NUL needed, no prefix or extension matches. */
    ck_assert_ptr_eq(twin__unit_find("kelvinXYZ", 6, TWIN__QT_ALL), unit("kelvin"));
    ck_assert_ptr_eq(twin__unit_find("gramPerSecond", 4, TWIN__QT_ALL), unit("gram"));
    ck_assert_ptr_null(twin__unit_find("kelvi", 5, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__unit_find("kelvins", 7, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__unit_find("kilometer", 9, TWIN__QT_ALL));  /* US spelling */
    ck_assert_ptr_null(twin__unit_find("Kelvin", 6, TWIN__QT_ALL));     /* case matters */
    ck_assert_ptr_null(twin__unit_find("", 0, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__unit_find(NULL, 0, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__unit_find("kel\0vin", 7, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__semtype_find("temperature", 11, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__semtype_find("TemperatureUnit", 15, TWIN__QT_ALL));
    /* First and last entries (the search's edges). */
    ck_assert_ptr_nonnull(twin__unit_find("acre", 4, TWIN__QT_ALL));
    ck_assert_ptr_nonnull(twin__unit_find("zebibytePerSecond", 17, TWIN__QT_ALL));
    ck_assert_ptr_nonnull(twin__semtype_find("Acceleration", 12, TWIN__QT_ALL));
    ck_assert_ptr_nonnull(twin__semtype_find("VolumeFlowRate", 14, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__unit_find("a", 1, TWIN__QT_ALL));
    ck_assert_ptr_null(twin__unit_find("zz", 2, TWIN__QT_ALL));
}
END_TEST

/* ---- conversion -------------------------------------------------------- */

START_TEST(test_convert_temperature_is_affine)
{
    ASSERT_NEAR(conv(212, "degreeFahrenheit", "kelvin"), 373.15);
    ASSERT_NEAR(conv(212, "degreeFahrenheit", "degreeCelsius"), 100);
    ASSERT_NEAR(conv(32, "degreeFahrenheit", "degreeCelsius"), 0);
    ASSERT_NEAR(conv(-40, "degreeCelsius", "degreeFahrenheit"), -40);
    ASSERT_NEAR(conv(0, "kelvin", "degreeFahrenheit"), -459.67);
    ASSERT_NEAR(conv(0, "kelvin", "degreeCelsius"), -273.15);
    ASSERT_NEAR(conv(37, "degreeCelsius", "degreeFahrenheit"), 98.6);
}
END_TEST

START_TEST(test_convert_ratio_units_by_hand)
{
    ASSERT_NEAR(conv(1, "kilopascal", "pascal"), 1000);
    ASSERT_NEAR(conv(1013.25, "hectopascal", "bar"), 1.01325);
    ASSERT_NEAR(conv(1, "bar", "millibar"), 1000);
    ASSERT_NEAR(conv(1, "poundPerSquareInch", "pascal"), 6894.757293168361);
    ASSERT_NEAR(conv(760, "millimetresOfMercury", "kilopascal"), 101.3250144354);
    ASSERT_NEAR(conv(60, "revolutionPerMinute", "radianPerSecond"), 2 * 3.14159265358979323846);
    ASSERT_NEAR(conv(360, "degreePerSecond", "revolutionPerSecond"), 1);
    ASSERT_NEAR(conv(1, "turn", "degreeOfArc"), 360);
    ASSERT_NEAR(conv(1, "degreeOfArc", "secondOfArc"), 3600);
    /* Mechanical horsepower: 550 ft lbf/s = 550 * 0.3048 m * 4.4482216152605 N / s. */
    ASSERT_NEAR(conv(1, "horsepower", "watt"), 745.69987158227022);
    ASSERT_NEAR(conv(1, "horsepower", "kilowatt"), 0.74569987158227022);
    ASSERT_NEAR(conv(1, "tonOfRefrigeration", "britishThermalUnitPerHour"), 12000);
    ASSERT_NEAR(conv(1, "kilowattHour", "megajoule"), 3.6);
    ASSERT_NEAR(conv(1, "britishThermalUnit", "kilojoule"), 1.05505585262);
    ASSERT_NEAR(conv(1, "mile", "kilometre"), 1.609344);
    ASSERT_NEAR(conv(1, "milePerHour", "metrePerSecond"), 0.44704);
    ASSERT_NEAR(conv(36, "kilometrePerHour", "metrePerSecond"), 10);
    ASSERT_NEAR(conv(1, "knot", "kilometrePerHour"), 1.852);
    ASSERT_NEAR(conv(1, "acre", "squareFoot"), 43560);
    ASSERT_NEAR(conv(1, "gallon", "litre"), 3.785411784);
    ASSERT_NEAR(conv(128, "fluidOunce", "gallon"), 1);
    ASSERT_NEAR(conv(1, "cubicFoot", "cubicInch"), 1728);
    ASSERT_NEAR(conv(1, "cubicMetrePerHour", "litrePerMinute"), 1000.0 / 60);
    ASSERT_NEAR(conv(1, "pound", "ounce"), 16);
    ASSERT_NEAR(conv(1, "ton", "pound"), 2000);
    ASSERT_NEAR(conv(1, "pound", "newton"), 4.4482216152605);
    ASSERT_NEAR(conv(1, "slug", "massPound"), 9.80665 / 0.3048);
    ASSERT_NEAR(conv(1, "year", "day"), 365.25);
    ASSERT_NEAR(conv(1, "day", "minute"), 1440);
    ASSERT_NEAR(conv(8760, "kilowattHourPerYear", "watt"), 1000 * 8760 / (365.25 * 24));
    ASSERT_NEAR(conv(1, "ampereHour", "coulomb"), 3600);
    ASSERT_NEAR(conv(1, "gauss", "tesla"), 1e-4);
    ASSERT_NEAR(conv(1, "footcandle", "lux"), 1 / (0.3048 * 0.3048));
    ASSERT_NEAR(conv(1, "megaelectronvolt", "joule"), 1.602176634e-13);
    ASSERT_NEAR(conv(50, "percent", "unity"), 0.5);
    ASSERT_NEAR(conv(1, "percent", "partsPerMillion"), 10000);
    ASSERT_NEAR(conv(1, "kilogramPerCubicMetre", "microgramPerCubicMetre"), 1e9);
    ASSERT_NEAR(conv(30, "decibel", "bel"), 3);
    ASSERT_NEAR(conv(2, "millisievert", "microsievert"), 2000);
    /* quantitativeTypes;3: P = 0.1 Pa s, St = 1 cm2/s. */
    ASSERT_NEAR(conv(1, "centipoise", "millipascalSecond"), 1);
    ASSERT_NEAR(conv(1, "poise", "pascalSecond"), 0.1);
    ASSERT_NEAR(conv(100, "centistokes", "stokes"), 1);
    ASSERT_NEAR(conv(1, "stokes", "squareMetrePerSecond"), 1e-4);
    ASSERT_NEAR(conv(1, "reciprocalCentimetre", "reciprocalMetre"), 100);
    ASSERT_NEAR(conv(1, "reciprocalMinute", "reciprocalSecond"), 1.0 / 60);
    ASSERT_NEAR(conv(1, "hectopascalCubicMetrePerSecond", "pascalCubicMetrePerSecond"), 100);
    ASSERT_NEAR(conv(1, "cubicCentimetrePerSecond", "millilitrePerMinute"), 60);
    ASSERT_NEAR(conv(1, "kilometrePerSecondSquared", "gForce"), 1000 / 9.80665);
    /* Binary prefixes are exact powers of two. */
    ck_assert(conv(1, "kibibyte", "bit") == 8192);
    ck_assert(conv(1, "gibibyte", "mebibyte") == 1024);
    ck_assert(conv(1, "yobibitPerSecond", "zebibitPerSecond") == 1024);
    ck_assert(conv(1, "exbibyte", "bit") == 0x1p63);
}
END_TEST

START_TEST(test_convert_round_trips_within_each_type)
{
    size_t n;
    const twin__unit *u = twin__unit_table(&n);
    for (size_t i = 0; i < n; i++) {
        double same = NAN;
        ck_assert_int_eq(twin__unit_convert(&u[i], &u[i], 0.1, &same), TWIN_OK);
        ck_assert(same == 0.1);  /* the identity is exact */
        for (size_t j = 0; j < n; j++) {
            double there = NAN, back = NAN;
            if (u[j].unit_type != u[i].unit_type ||
                ((u[i].flags ^ u[j].flags) & TWIN__UNIT_KIND_MASK))
                continue;
            ck_assert_int_eq(twin__unit_convert(&u[i], &u[j], 1.25, &there), TWIN_OK);
            ck_assert_int_eq(twin__unit_convert(&u[j], &u[i], there, &back), TWIN_OK);
            ck_assert_msg(fabs(back - 1.25) <= 1e-12, "%s -> %s -> %s: %.17g",
                          twin__unit_name(&u[i]), twin__unit_name(&u[j]), twin__unit_name(&u[i]),
                          back);
        }
    }
}
END_TEST

START_TEST(test_convert_refuses_other_types_and_kinds)
{
    double out = 42;
    ck_assert_int_eq(twin__unit_convert(unit("kelvin"), unit("pascal"), 1, &out),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin__unit_convert(unit("metre"), unit("metrePerSecond"), 1, &out),
                     TWIN_E_CONSTRAINT);
    /* Same dimension, different unit type: W vs V.A vs var, J vs V.A.h. */
    ck_assert_int_eq(twin__unit_convert(unit("watt"), unit("voltAmpere"), 1, &out),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin__unit_convert(unit("voltAmpere"), unit("voltAmpereReactive"), 1, &out),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin__unit_convert(unit("wattHour"), unit("voltAmpereHour"), 1, &out),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin__unit_convert(unit("newtonMetre"), unit("joule"), 1, &out),
                     TWIN_E_CONSTRAINT);
    /* 1/s is not Hz here: ReciprocalTimeUnit and FrequencyUnit differ. */
    ck_assert_int_eq(twin__unit_convert(unit("reciprocalSecond"), unit("hertz"), 1, &out),
                     TWIN_E_CONSTRAINT);
    /* Absorbed and equivalent dose share a unit type but not a quantity. */
    ck_assert_int_eq(twin__unit_convert(unit("gray"), unit("sievert"), 1, &out),
                     TWIN_E_CONSTRAINT);
    ck_assert_int_eq(twin__unit_convert(unit("millisievert"), unit("milligray"), 1, &out),
                     TWIN_E_CONSTRAINT);
    ck_assert(out == 42);

    ck_assert_int_eq(twin__unit_convert(NULL, unit("pascal"), 1, &out), TWIN_E_INVAL);
    ck_assert_int_eq(twin__unit_convert(unit("pascal"), NULL, 1, &out), TWIN_E_INVAL);
    ck_assert_int_eq(twin__unit_convert(unit("pascal"), unit("bar"), 1, NULL), TWIN_E_INVAL);

    /* A unit without a factor is refused even towards itself. */
    twin__unit none = *unit("bel");
    none.flags |= TWIN__UNIT_NOCONV;
    ck_assert_int_eq(twin__unit_convert(&none, &none, 1, &out), TWIN_E_CONSTRAINT);
    ck_assert(out == 42);
}
END_TEST

START_TEST(test_flags_mark_levels_and_conventions)
{
    ck_assert(unit("decibel")->flags & TWIN__UNIT_LEVEL);
    ck_assert(unit("bel")->flags & TWIN__UNIT_LEVEL);
    ck_assert(unit("sievert")->flags & TWIN__UNIT_SV);
    ck_assert(!(unit("gray")->flags & TWIN__UNIT_SV));
    static const char *conventional[] = {"horsepower", "gallon", "fluidOunce", "year",
                                         "britishThermalUnit", "ton", "inchesOfMercury"};
    for (size_t i = 0; i < sizeof conventional / sizeof conventional[0]; i++)
        ck_assert_msg(unit(conventional[i])->flags & TWIN__UNIT_CONVENTIONAL, "%s",
                      conventional[i]);
    ck_assert(!(unit("foot")->flags & TWIN__UNIT_CONVENTIONAL));
    ck_assert(!(unit("degreeFahrenheit")->flags & TWIN__UNIT_CONVENTIONAL));
    /* Only the two temperature scales have an offset. */
    size_t n, k = 0;
    const twin__unit *u = twin__unit_table(&n);
    for (size_t i = 0; i < n; i++) k += twin__unit_offset(&u[i]) != 0;
    ck_assert_uint_eq(k, 2);
}
END_TEST

static Suite *units_suite(void)
{
    Suite *s = suite_create("dtdl_units");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, test_tables_sorted_unique_and_well_formed);
    tcase_add_test(tc, test_every_semantic_type_has_units_in_each_of_its_versions);
    tcase_add_test(tc, test_counts_per_version);
    tcase_add_test(tc, test_lookup_respects_version_mask);
    tcase_add_test(tc, test_unit_type_lookup);
    tcase_add_test(tc, test_lookup_uses_exact_length);
    suite_add_tcase(s, tc);
    tc = tcase_create("convert");
    tcase_add_test(tc, test_convert_temperature_is_affine);
    tcase_add_test(tc, test_convert_ratio_units_by_hand);
    tcase_add_test(tc, test_convert_round_trips_within_each_type);
    tcase_add_test(tc, test_convert_refuses_other_types_and_kinds);
    tcase_add_test(tc, test_flags_mark_levels_and_conventions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(units_suite());
}
