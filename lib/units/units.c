/* DTDL semantic types and units (see units.h).
 *
 * Names, unit types and where each is defined come from the DTDL documents
 * in github.com/Azure/opendigitaltwins-dtdl:
 *   - DTDL/v2/DTDL.v2.md, section "Semantic Type" (native in DTDL v2);
 *   - DTDL/v3/DTDL.quantitativeTypes.v1.md (dtmi:dtdl:extension:quantitativeTypes;1);
 *   - DTDL/v4/DTDL.quantitativeTypes.v2.md (;2, which states no change from v1);
 * checked against the context term lists of the metamodel digest
 * dtdl/dtdl_digest.json in github.com/digitaltwinconsortium/DTDLParser, whose
 * unit definitions also give the decimal/binary prefix structure (kilopascal
 * = kilo + pascal, kibibyte = kibi + byte ...). quantitativeTypes;3 (DTDL v4)
 * has no published document yet: its names come from that digest alone (the
 * context term list, the per-enum "families" lists, and the unit property of
 * each semantic type in the parser's generated SupplementalTypeCollection). It
 * keeps every name of ;2 and adds the TWIN__QT_3-only entries below.
 *
 * The spec names units and gives no numbers; the factors below are the SI
 * (BIPM SI Brochure) and NIST SP 811 definitions, exact where those are:
 *   ft = 0.3048 m, in = 0.0254 m, mi = 1609.344 m (international, 1959),
 *   lb = 0.45359237 kg, g_n = 9.80665 m/s2, lbf = lb * g_n = 4.4482216152605 N,
 *   eV = 1.602176634e-19 J (SI 2019), au = 149597870700 m (IAU 2012),
 *   nautical mile = 1852 m, knot = 1852 m/h, byte = 8 bits.
 * Where the DTDL name leaves a choice, the unit has TWIN__UNIT_CONVENTIONAL
 * and these are taken:
 *   gallon = US liquid gallon = 231 in3 = 3.785411784e-3 m3; fluidOunce =
 *   gallon / 128; Btu = International Table Btu = 1055.05585262 J;
 *   tonOfRefrigeration = 12000 Btu/h; horsepower = mechanical = 550 ft lbf/s;
 *   ton (a ForceUnit) = short ton-force = 2000 lbf; year (a) = Julian year =
 *   365.25 d; mmHg = conventional = 133.322387415 Pa, inHg = 25.4 mmHg;
 *   inchesOfWater = conventional = 1000 kg/m3 * g_n * 1 in = 249.08891 Pa.
 * Each scale is the double nearest to the exact value (computed in decimal,
 * the formula in the comment when it is not a plain number). decibel and bel
 * are levels (TWIN__UNIT_LEVEL): 1 B = 10 dB, nothing converts them to Pa.
 *
 * Layout (the tables are the largest object of the firmware core, so they
 * are kept small): each table is written once as an X-macro list. The names
 * of a table are one const blob, a struct of char arrays, one per name,
 * which an entry addresses by its offset (offsetof); the distinct scales are
 * one array of doubles, which a unit addresses by a 7-bit index; the two
 * affine temperature factors come last, and only they have an offset. A unit
 * entry is 4 bytes (bit-fields; its name at an even offset, in 11 bits), a
 * semantic type or unit type entry 4 (a 16-bit name offset).
 * Every table is its own section, so --gc-sections drops what a firmware
 * does not use (ingest needs the units alone).
 */
#include "units/units.h"

#include "twin/core.h"

#include <stddef.h>
#include <string.h>

#define V_ALL TWIN__QT_ALL
#define V_QT (TWIN__QT_1 | TWIN__QT_2 | TWIN__QT_3)
#define V_QT3 TWIN__QT_3
#define F_LEVEL TWIN__UNIT_LEVEL
#define F_SV TWIN__UNIT_SV
#define F_CONV TWIN__UNIT_CONVENTIONAL

/* ---- factors ------------------------------------------------------------ */

/* The scales of the linear units: an identifier (for UNITS below) and the
 * value, ascending, each value once. */
#define FACTORS(X) \
    X(EV, 1.602176634e-19) /* eV */ \
    X(E_15, 1e-15) \
    X(MEV, 1.602176634e-13) /* 1e6 * eV */ \
    X(E_12, 1e-12) \
    X(E_6_PER_H, 2.7777777777777777e-10) /* 1e-6 / 3600 */ \
    X(E_9, 1e-9) \
    X(E_8, 1e-8) \
    X(E_6_PER_MIN, 1.6666666666666667e-8) /* 1e-6 / 60 */ \
    X(E_3_PER_H, 2.7777777777777776e-7) /* 1e-3 / 3600 */ \
    X(E_6, 1e-6) \
    X(GAL_PER_H, 1.0515032733333334e-6) /* gal / 3600 */ \
    X(ARCSEC, 4.84813681109536e-6) /* pi / 648000 */ \
    X(IN3, 1.6387064e-5) /* in * in * in */ \
    X(E_3_PER_MIN, 1.6666666666666667e-5) /* 1e-3 / 60 */ \
    X(FLOZ, 2.95735295625e-5) /* gal / 128 */ \
    X(GAL_PER_MIN, 6.30901964e-5) /* gal / 60 */ \
    X(E_4, 1e-4) \
    X(LB_PER_H, 0.00012599788055555556) /* lb / 3600 */ \
    X(PER_H, 0.0002777777777777778) /* 1 / 3600 */ \
    X(ARCMIN, 0.0002908882086657216) /* pi / 10800 */ \
    X(FT3_PER_MIN, 0.0004719474432) /* ft * ft * ft / 60 */ \
    X(IN2, 6.4516e-4) /* in * in */ \
    X(E_3, 1e-3) \
    X(GAL, 0.003785411784) /* gal */ \
    X(E_2, 0.01) \
    X(PER_MIN, 0.016666666666666666) /* 1 / 60 */ \
    X(DEG, 0.017453292519943295) /* pi / 180 */ \
    X(IN, 0.0254) /* in */ \
    X(FT3, 0.028316846592) /* ft * ft * ft */ \
    X(FT2, 0.09290304) /* ft * ft */ \
    X(E_1, 0.1) \
    X(RPM, 0.10471975511965978) /* 2 * pi / 60 */ \
    X(KWH_PER_YEAR, 0.11407711613050422) /* 3.6e6 J / Julian year */ \
    X(E3_PER_H, 0.2777777777777778) /* 1e3 / 3600 */ \
    X(OZF, 0.2780138509537812) /* lbf / 16 */ \
    X(BTU_PER_H, 0.2930710701722222) /* Btu / 3600 */ \
    X(FT, 0.3048) /* ft */ \
    X(MI_PER_H, 0.44704) /* mi / 3600 */ \
    X(LB, 0.45359237) /* lb */ \
    X(KNOT, 0.5144444444444445) /* 1852 / 3600 */ \
    X(E0, 1.0) \
    X(H_E_3, 3.6) /* 3600 * 1e-3 */ \
    X(LBF, 4.4482216152605) /* lbf */ \
    X(TURN, 6.283185307179586) /* 2 * pi */ \
    X(BYTE, 8.0) /* byte: 8 bits */ \
    X(G_N, 9.80665) /* g_n */ \
    X(E1, 10.0) \
    X(FOOTCANDLE, 10.763910416709722) /* 1 / 0.09290304 */ \
    X(SLUG, 14.593902937206364) /* lbf s2 / ft */ \
    X(MIN, 60.0) \
    X(E2, 100.0) \
    X(MMHG, 133.322387415) /* mmHg */ \
    X(INH2O, 249.08891) /* 1000 kg/m3 * g_n * in */ \
    X(E6_PER_H, 277.77777777777777) /* 1e6 / 3600 */ \
    X(KBTU_PER_H, 293.0710701722222) /* 1e3 * Btu / 3600 */ \
    X(HP, 745.6998715822702) /* 550 * ft * lbf */ \
    X(E3, 1e3) \
    X(B10, 0x1p10) /* kibibit: 2^10 bits */ \
    X(BTU, 1055.05585262) /* Btu */ \
    X(MI, 1609.344) /* mi */ \
    X(NMI, 1852.0) /* nautical mile */ \
    X(INHG, 3386.388640341) /* 25.4 * mmHg */ \
    X(TON_REFRIG, 3516.8528420666667) /* 12000 * Btu / 3600 */ \
    X(H, 3600.0) \
    X(ACRE, 4046.8564224) \
    X(PSI, 6894.757293168362) /* lbf / (in * in) */ \
    X(B13, 0x1p13) /* kibibyte: 2^10 bytes */ \
    X(TONF, 8896.443230521) /* 2000 * lbf */ \
    X(E4, 1e4) \
    X(DAY, 86400.0) \
    X(E5, 1e5) \
    X(E9_PER_H, 277777.77777777775) /* 1e9 / 3600 */ \
    X(E6, 1e6) \
    X(B20, 0x1p20) /* mebibit: 2^20 bits */ \
    X(KBTU, 1055055.85262) /* 1e3 * Btu */ \
    X(H_E3, 3.6e6) \
    X(B23, 0x1p23) /* mebibyte: 2^20 bytes */ \
    X(YEAR, 31557600.0) /* Julian year, 365.25 * 86400 */ \
    X(E9, 1e9) \
    X(B30, 0x1p30) /* gibibit: 2^30 bits */ \
    X(H_E6, 3.6e9) \
    X(B33, 0x1p33) /* gibibyte: 2^30 bytes */ \
    X(AU, 149597870700.0) /* au */ \
    X(B40, 0x1p40) /* tebibit: 2^40 bits */ \
    X(H_E9, 3.6e12) \
    X(B43, 0x1p43) /* tebibyte: 2^40 bytes */ \
    X(H_E12, 3.6e15) \
    X(B60, 0x1p60) /* exbibit: 2^60 bits */ \
    X(B63, 0x1p63) /* exbibyte: 2^60 bytes */ \
    X(B70, 0x1p70) /* zebibit: 2^70 bits */ \
    X(B73, 0x1p73) /* zebibyte: 2^70 bytes */ \
    X(B80, 0x1p80) /* yobibit: 2^80 bits */ \
    X(B83, 0x1p83) /* yobibyte: 2^80 bytes */

/* The absolute temperature scales: identifier, scale, offset. */
#define AFFINE_FACTORS(X) \
    X(DEG_C_ABS, 1.0, 273.15) \
    /* 5/9 K per degree; 0 degreeFahrenheit = 459.67 * 5/9 K */ \
    X(DEG_F_ABS, 0.5555555555555556, 255.37222222222223)

enum linear_factor {
#define X(id, s) FAC_##id,
    FACTORS(X)
#undef X
    N_LINEAR
};

enum affine_factor {
#define X(id, s, o) AFF_##id,
    AFFINE_FACTORS(X)
#undef X
    N_AFFINE
};

/* A unit's factor: FAC_<identifier>, the affine ones after the linear ones. */
enum {
#define X(id, s, o) FAC_##id = N_LINEAR + AFF_##id,
    AFFINE_FACTORS(X)
#undef X
};

static const double scales[N_LINEAR + N_AFFINE] = {
#define X(id, s) s,
    FACTORS(X)
#undef X
#define X(id, s, o) s,
    AFFINE_FACTORS(X)
#undef X
};

static const double offsets[N_AFFINE] = {
#define X(id, s, o) o,
    AFFINE_FACTORS(X)
#undef X
};

_Static_assert(N_LINEAR + N_AFFINE <= 128, "a unit's factor is 7 bits");

/* ---- units -------------------------------------------------------------- */

/* name, unit type, where, flags, factor; sorted by name (a test checks). */
#define UNITS(X) \
    X(acre, AREA, ALL, 0, ACRE) \
    X(ampere, CURRENT, ALL, 0, E0) \
    X(ampereHour, CHARGE, QT, 0, H) \
    X(astronomicalUnit, LENGTH, ALL, 0, AU) \
    X(bar, PRESSURE, ALL, 0, E5) \
    X(becquerel, RADIOACTIVITY, QT, 0, E0) \
    X(bel, SOUND_PRESSURE, ALL, F_LEVEL, E0) \
    X(bit, DATA_SIZE, ALL, 0, E0) \
    X(bitPerSecond, DATA_RATE, ALL, 0, E0) \
    X(britishThermalUnit, ENERGY, QT, F_CONV, BTU) \
    X(britishThermalUnitPerHour, POWER, QT, F_CONV, BTU_PER_H) \
    X(byte, DATA_SIZE, ALL, 0, BYTE) \
    X(bytePerSecond, DATA_RATE, ALL, 0, BYTE) \
    X(candela, LUMINOUS_INTENSITY, ALL, 0, E0) \
    X(candelaPerSquareMetre, LUMINANCE, ALL, 0, E0) \
    X(centimetre, LENGTH, ALL, 0, E_2) \
    X(centimetrePerSecond, VELOCITY, ALL, 0, E_2) \
    X(centimetrePerSecondSquared, ACCELERATION, ALL, 0, E_2) \
    X(centipoise, DYNAMIC_VISCOSITY, QT3, 0, E_3) \
    X(centistokes, KINEMATIC_VISCOSITY, QT3, 0, E_6) \
    X(coulomb, CHARGE, ALL, 0, E0) \
    X(cubicCentimetre, VOLUME, ALL, 0, E_6) \
    X(cubicCentimetrePerMinute, VOLUME_FLOW_RATE, QT3, 0, E_6_PER_MIN) \
    X(cubicCentimetrePerSecond, VOLUME_FLOW_RATE, QT3, 0, E_6) \
    X(cubicFoot, VOLUME, ALL, 0, FT3) \
    X(cubicFootPerMinute, VOLUME_FLOW_RATE, QT, 0, FT3_PER_MIN) \
    X(cubicInch, VOLUME, ALL, 0, IN3) \
    X(cubicMetre, VOLUME, ALL, 0, E0) \
    X(cubicMetrePerHour, VOLUME_FLOW_RATE, QT, 0, PER_H) \
    X(cubicMetrePerMinute, VOLUME_FLOW_RATE, QT, 0, PER_MIN) \
    X(cubicMetrePerSecond, VOLUME_FLOW_RATE, QT, 0, E0) \
    X(day, TIME, ALL, 0, DAY) \
    X(decapascal, PRESSURE, QT, 0, E1) \
    X(decapascalCubicMetrePerSecond, GAS_LEAKAGE_RATE, QT3, 0, E1) \
    X(decibel, SOUND_PRESSURE, ALL, F_LEVEL, E_1) \
    X(degreeCelsius, TEMPERATURE, ALL, 0, DEG_C_ABS) \
    X(degreeFahrenheit, TEMPERATURE, ALL, 0, DEG_F_ABS) \
    X(degreeOfArc, ANGLE, ALL, 0, DEG) \
    X(degreePerSecond, ANGULAR_VELOCITY, ALL, 0, DEG) \
    X(electronvolt, ENERGY, ALL, 0, EV) \
    X(exbibit, DATA_SIZE, ALL, 0, B60) \
    X(exbibitPerSecond, DATA_RATE, ALL, 0, B60) \
    X(exbibyte, DATA_SIZE, ALL, 0, B63) \
    X(exbibytePerSecond, DATA_RATE, ALL, 0, B63) \
    X(farad, CAPACITANCE, ALL, 0, E0) \
    X(fluidOunce, VOLUME, ALL, F_CONV, FLOZ) \
    X(foot, LENGTH, ALL, 0, FT) \
    X(footcandle, ILLUMINANCE, ALL, 0, FOOTCANDLE) \
    X(gForce, ACCELERATION, ALL, 0, G_N) \
    X(gallon, VOLUME, ALL, F_CONV, GAL) \
    X(gallonPerHour, VOLUME_FLOW_RATE, QT, F_CONV, GAL_PER_H) \
    X(gallonPerMinute, VOLUME_FLOW_RATE, QT, F_CONV, GAL_PER_MIN) \
    X(gauss, MAGNETIC_INDUCTION, QT, 0, E_4) \
    X(gibibit, DATA_SIZE, ALL, 0, B30) \
    X(gibibitPerSecond, DATA_RATE, ALL, 0, B30) \
    X(gibibyte, DATA_SIZE, ALL, 0, B33) \
    X(gibibytePerSecond, DATA_RATE, ALL, 0, B33) \
    X(gigabecquerel, RADIOACTIVITY, QT, 0, E9) \
    X(gigahertz, FREQUENCY, ALL, 0, E9) \
    X(gigajoule, ENERGY, ALL, 0, E9) \
    X(gigajoulePerHour, POWER, QT, 0, E9_PER_H) \
    X(gigavoltAmpere, APPARENT_POWER, QT, 0, E9) \
    X(gigavoltAmpereHour, APPARENT_ENERGY, QT, 0, H_E9) \
    X(gigavoltAmpereReactive, REACTIVE_POWER, QT, 0, E9) \
    X(gigavoltAmpereReactiveHour, REACTIVE_ENERGY, QT, 0, H_E9) \
    X(gigawatt, POWER, ALL, 0, E9) \
    X(gigawattHour, ENERGY, QT, 0, H_E9) \
    X(gram, MASS, ALL, 0, E_3) \
    X(gramPerCubicMetre, DENSITY, ALL, 0, E_3) \
    X(gramPerHour, MASS_FLOW_RATE, ALL, 0, E_3_PER_H) \
    X(gramPerSecond, MASS_FLOW_RATE, ALL, 0, E_3) \
    X(gray, IONIZING_RADIATION_DOSE, QT, 0, E0) \
    X(hectare, AREA, ALL, 0, E4) \
    X(hectopascal, PRESSURE, QT, 0, E2) \
    X(hectopascalCubicMetrePerSecond, GAS_LEAKAGE_RATE, QT3, 0, E2) \
    X(henry, INDUCTANCE, ALL, 0, E0) \
    X(hertz, FREQUENCY, ALL, 0, E0) \
    X(horsepower, POWER, ALL, F_CONV, HP) \
    X(hour, TIME, ALL, 0, H) \
    X(inch, LENGTH, ALL, 0, IN) \
    X(inchesOfMercury, PRESSURE, ALL, F_CONV, INHG) \
    X(inchesOfWater, PRESSURE, ALL, F_CONV, INH2O) \
    X(joule, ENERGY, ALL, 0, E0) \
    X(joulePerHour, POWER, QT, 0, PER_H) \
    X(joulePerSecond, POWER, QT, 0, E0) \
    X(kelvin, TEMPERATURE, ALL, 0, E0) \
    X(kibibit, DATA_SIZE, ALL, 0, B10) \
    X(kibibitPerSecond, DATA_RATE, ALL, 0, B10) \
    X(kibibyte, DATA_SIZE, ALL, 0, B13) \
    X(kibibytePerSecond, DATA_RATE, ALL, 0, B13) \
    X(kiloBritishThermalUnit, ENERGY, QT, F_CONV, KBTU) \
    X(kiloBritishThermalUnitPerHour, POWER, QT, F_CONV, KBTU_PER_H) \
    X(kiloampere, CURRENT, QT, 0, E3) \
    X(kilobecquerel, RADIOACTIVITY, QT, 0, E3) \
    X(kilogram, MASS, ALL, 0, E0) \
    X(kilogramPerCubicMetre, DENSITY, ALL, 0, E0) \
    X(kilogramPerHour, MASS_FLOW_RATE, ALL, 0, PER_H) \
    X(kilogramPerSecond, MASS_FLOW_RATE, ALL, 0, E0) \
    X(kilohertz, FREQUENCY, ALL, 0, E3) \
    X(kilojoule, ENERGY, ALL, 0, E3) \
    X(kilojoulePerHour, POWER, QT, 0, E3_PER_H) \
    X(kilojoulePerSecond, POWER, QT, 0, E3) \
    X(kilometre, LENGTH, ALL, 0, E3) \
    X(kilometrePerHour, VELOCITY, ALL, 0, E3_PER_H) \
    X(kilometrePerSecond, VELOCITY, ALL, 0, E3) \
    X(kilometrePerSecondSquared, ACCELERATION, QT3, 0, E3) \
    X(kiloohm, RESISTANCE, ALL, 0, E3) \
    X(kilopascal, PRESSURE, ALL, 0, E3) \
    X(kilopascalCubicMetrePerSecond, GAS_LEAKAGE_RATE, QT3, 0, E3) \
    X(kilovolt, VOLTAGE, ALL, 0, E3) \
    X(kilovoltAmpere, APPARENT_POWER, QT, 0, E3) \
    X(kilovoltAmpereHour, APPARENT_ENERGY, QT, 0, H_E3) \
    X(kilovoltAmpereReactive, REACTIVE_POWER, QT, 0, E3) \
    X(kilovoltAmpereReactiveHour, REACTIVE_ENERGY, QT, 0, H_E3) \
    X(kilowatt, POWER, ALL, 0, E3) \
    X(kilowattHour, ENERGY, ALL, 0, H_E3) \
    X(kilowattHourPerYear, POWER, ALL, F_CONV, KWH_PER_YEAR) \
    X(knot, VELOCITY, ALL, 0, KNOT) \
    X(litre, VOLUME, ALL, 0, E_3) \
    X(litrePerHour, VOLUME_FLOW_RATE, ALL, 0, E_3_PER_H) \
    X(litrePerMinute, VOLUME_FLOW_RATE, QT, 0, E_3_PER_MIN) \
    X(litrePerSecond, VOLUME_FLOW_RATE, ALL, 0, E_3) \
    X(lumen, LUMINOUS_FLUX, ALL, 0, E0) \
    X(lux, ILLUMINANCE, ALL, 0, E0) \
    X(massPound, MASS, QT, 0, LB) \
    X(massPoundPerHour, MASS_FLOW_RATE, QT, 0, LB_PER_H) \
    X(maxwell, MAGNETIC_FLUX, ALL, 0, E_8) \
    X(mebibit, DATA_SIZE, ALL, 0, B20) \
    X(mebibitPerSecond, DATA_RATE, ALL, 0, B20) \
    X(mebibyte, DATA_SIZE, ALL, 0, B23) \
    X(mebibytePerSecond, DATA_RATE, ALL, 0, B23) \
    X(megabecquerel, RADIOACTIVITY, QT, 0, E6) \
    X(megaelectronvolt, ENERGY, ALL, 0, MEV) \
    X(megahertz, FREQUENCY, ALL, 0, E6) \
    X(megajoule, ENERGY, ALL, 0, E6) \
    X(megajoulePerHour, POWER, QT, 0, E6_PER_H) \
    X(megaohm, RESISTANCE, ALL, 0, E6) \
    X(megavolt, VOLTAGE, ALL, 0, E6) \
    X(megavoltAmpere, APPARENT_POWER, QT, 0, E6) \
    X(megavoltAmpereHour, APPARENT_ENERGY, QT, 0, H_E6) \
    X(megavoltAmpereReactive, REACTIVE_POWER, QT, 0, E6) \
    X(megavoltAmpereReactiveHour, REACTIVE_ENERGY, QT, 0, H_E6) \
    X(megawatt, POWER, ALL, 0, E6) \
    X(megawattHour, ENERGY, QT, 0, H_E6) \
    X(metre, LENGTH, ALL, 0, E0) \
    X(metrePerHour, VELOCITY, ALL, 0, PER_H) \
    X(metrePerSecond, VELOCITY, ALL, 0, E0) \
    X(metrePerSecondSquared, ACCELERATION, ALL, 0, E0) \
    X(microampere, CURRENT, ALL, 0, E_6) \
    X(microfarad, CAPACITANCE, ALL, 0, E_6) \
    X(microgram, MASS, ALL, 0, E_9) \
    X(microgramPerCubicMetre, DENSITY, QT, 0, E_9) \
    X(microgray, IONIZING_RADIATION_DOSE, QT, 0, E_6) \
    X(microhenry, INDUCTANCE, ALL, 0, E_6) \
    X(micrometre, LENGTH, ALL, 0, E_6) \
    X(microsecond, TIME, ALL, 0, E_6) \
    X(microsievert, IONIZING_RADIATION_DOSE, QT, F_SV, E_6) \
    X(microvolt, VOLTAGE, ALL, 0, E_6) \
    X(microwatt, POWER, ALL, 0, E_6) \
    X(mile, LENGTH, ALL, 0, MI) \
    X(milePerHour, VELOCITY, ALL, 0, MI_PER_H) \
    X(milePerSecond, VELOCITY, ALL, 0, MI) \
    X(milliampere, CURRENT, ALL, 0, E_3) \
    X(milliampereHour, CHARGE, QT, 0, H_E_3) \
    X(millibar, PRESSURE, ALL, 0, E2) \
    X(millifarad, CAPACITANCE, ALL, 0, E_3) \
    X(milligram, MASS, ALL, 0, E_6) \
    X(milligramPerCubicMetre, DENSITY, QT, 0, E_6) \
    X(milligray, IONIZING_RADIATION_DOSE, QT, 0, E_3) \
    X(millihenry, INDUCTANCE, ALL, 0, E_3) \
    X(millihertz, FREQUENCY, QT, 0, E_3) \
    X(millilitre, VOLUME, ALL, 0, E_6) \
    X(millilitrePerHour, VOLUME_FLOW_RATE, ALL, 0, E_6_PER_H) \
    X(millilitrePerMinute, VOLUME_FLOW_RATE, QT, 0, E_6_PER_MIN) \
    X(millilitrePerSecond, VOLUME_FLOW_RATE, ALL, 0, E_6) \
    X(millimetre, LENGTH, ALL, 0, E_3) \
    X(millimetrePerSecond, VELOCITY, QT3, 0, E_3) \
    X(millimetrePerSecondSquared, ACCELERATION, QT3, 0, E_3) \
    X(millimetresOfMercury, PRESSURE, ALL, F_CONV, MMHG) \
    X(milliohm, RESISTANCE, ALL, 0, E_3) \
    X(millipascalSecond, DYNAMIC_VISCOSITY, QT3, 0, E_3) \
    X(millipoise, DYNAMIC_VISCOSITY, QT3, 0, E_4) \
    X(millisecond, TIME, ALL, 0, E_3) \
    X(millisievert, IONIZING_RADIATION_DOSE, QT, F_SV, E_3) \
    X(millivolt, VOLTAGE, ALL, 0, E_3) \
    X(millivoltAmpere, APPARENT_POWER, QT, 0, E_3) \
    X(millivoltAmpereHour, APPARENT_ENERGY, QT3, 0, H_E_3) \
    X(millivoltAmpereReactive, REACTIVE_POWER, QT, 0, E_3) \
    X(milliwatt, POWER, ALL, 0, E_3) \
    X(milliwattHour, ENERGY, QT, 0, H_E_3) \
    X(minute, TIME, ALL, 0, MIN) \
    X(minuteOfArc, ANGLE, ALL, 0, ARCMIN) \
    X(nanoampere, CURRENT, QT3, 0, E_9) \
    X(nanofarad, CAPACITANCE, ALL, 0, E_9) \
    X(nanometre, LENGTH, ALL, 0, E_9) \
    X(nanosecond, TIME, ALL, 0, E_9) \
    X(nauticalMile, LENGTH, ALL, 0, NMI) \
    X(newton, FORCE, ALL, 0, E0) \
    X(newtonMetre, TORQUE, ALL, 0, E0) \
    X(ohm, RESISTANCE, ALL, 0, E0) \
    X(ounce, FORCE, ALL, 0, OZF) \
    X(partsPerBillion, UNITLESS, QT, 0, E_9) \
    X(partsPerMillion, UNITLESS, QT, 0, E_6) \
    X(partsPerQuadrillion, UNITLESS, QT, 0, E_15) \
    X(partsPerTrillion, UNITLESS, QT, 0, E_12) \
    X(pascal, PRESSURE, ALL, 0, E0) \
    X(pascalCubicMetrePerSecond, GAS_LEAKAGE_RATE, QT3, 0, E0) \
    X(pascalSecond, DYNAMIC_VISCOSITY, QT3, 0, E0) \
    X(percent, UNITLESS, ALL, 0, E_2) \
    X(picoampere, CURRENT, QT3, 0, E_12) \
    X(picofarad, CAPACITANCE, ALL, 0, E_12) \
    X(poise, DYNAMIC_VISCOSITY, QT3, 0, E_1) \
    X(pound, FORCE, ALL, 0, LBF) \
    X(poundPerSquareInch, PRESSURE, ALL, 0, PSI) \
    X(radian, ANGLE, ALL, 0, E0) \
    X(radianPerSecond, ANGULAR_VELOCITY, ALL, 0, E0) \
    X(radianPerSecondSquared, ANGULAR_ACCELERATION, ALL, 0, E0) \
    X(reciprocalCentimetre, RECIPROCAL_LENGTH, QT3, 0, E2) \
    X(reciprocalKilometre, RECIPROCAL_LENGTH, QT3, 0, E_3) \
    X(reciprocalMetre, RECIPROCAL_LENGTH, QT3, 0, E0) \
    X(reciprocalMicrometre, RECIPROCAL_LENGTH, QT3, 0, E6) \
    X(reciprocalMillimetre, RECIPROCAL_LENGTH, QT3, 0, E3) \
    X(reciprocalMinute, RECIPROCAL_TIME, QT3, 0, PER_MIN) \
    X(reciprocalNanometre, RECIPROCAL_LENGTH, QT3, 0, E9) \
    X(reciprocalSecond, RECIPROCAL_TIME, QT3, 0, E0) \
    X(revolutionPerMinute, ANGULAR_VELOCITY, ALL, 0, RPM) \
    X(revolutionPerSecond, ANGULAR_VELOCITY, ALL, 0, TURN) \
    X(second, TIME, ALL, 0, E0) \
    X(secondOfArc, ANGLE, ALL, 0, ARCSEC) \
    X(sievert, IONIZING_RADIATION_DOSE, QT, F_SV, E0) \
    X(slug, MASS, ALL, 0, SLUG) \
    X(squareCentimetre, AREA, ALL, 0, E_4) \
    X(squareFoot, AREA, ALL, 0, FT2) \
    X(squareInch, AREA, ALL, 0, IN2) \
    X(squareKilometre, AREA, ALL, 0, E6) \
    X(squareMetre, AREA, ALL, 0, E0) \
    X(squareMetrePerSecond, KINEMATIC_VISCOSITY, QT3, 0, E0) \
    X(squareMillimetre, AREA, ALL, 0, E_6) \
    X(stokes, KINEMATIC_VISCOSITY, QT3, 0, E_4) \
    X(tebibit, DATA_SIZE, ALL, 0, B40) \
    X(tebibitPerSecond, DATA_RATE, ALL, 0, B40) \
    X(tebibyte, DATA_SIZE, ALL, 0, B43) \
    X(tebibytePerSecond, DATA_RATE, ALL, 0, B43) \
    X(terawattHour, ENERGY, QT, 0, H_E12) \
    X(tesla, MAGNETIC_INDUCTION, ALL, 0, E0) \
    X(ton, FORCE, ALL, F_CONV, TONF) \
    X(tonOfRefrigeration, POWER, QT, F_CONV, TON_REFRIG) \
    X(tonne, MASS, ALL, 0, E3) \
    X(turn, ANGLE, ALL, 0, TURN) \
    X(unity, UNITLESS, ALL, 0, E0) \
    X(volt, VOLTAGE, ALL, 0, E0) \
    X(voltAmpere, APPARENT_POWER, QT, 0, E0) \
    X(voltAmpereHour, APPARENT_ENERGY, QT, 0, H) \
    X(voltAmpereReactive, REACTIVE_POWER, QT, 0, E0) \
    X(voltAmpereReactiveHour, REACTIVE_ENERGY, QT, 0, H) \
    X(watt, POWER, ALL, 0, E0) \
    X(wattHour, ENERGY, QT, 0, H) \
    X(wattPerSquareMetre, IRRADIANCE, QT, 0, E0) \
    X(weber, MAGNETIC_FLUX, ALL, 0, E0) \
    X(year, TIME, ALL, F_CONV, YEAR) \
    X(yobibit, DATA_SIZE, ALL, 0, B80) \
    X(yobibitPerSecond, DATA_RATE, ALL, 0, B80) \
    X(yobibyte, DATA_SIZE, ALL, 0, B83) \
    X(yobibytePerSecond, DATA_RATE, ALL, 0, B83) \
    X(zebibit, DATA_SIZE, ALL, 0, B70) \
    X(zebibitPerSecond, DATA_RATE, ALL, 0, B70) \
    X(zebibyte, DATA_SIZE, ALL, 0, B73) \
    X(zebibytePerSecond, DATA_RATE, ALL, 0, B73)

/* Each name padded to an even size: a unit gives its offset / 2. */
struct unit_names {
#define X(n, t, v, f, s) char n[(sizeof #n + 1) / 2 * 2];
    UNITS(X)
#undef X
};

static const struct unit_names unit_names = {
#define X(n, t, v, f, s) #n,
    UNITS(X)
#undef X
};

static const twin__unit units[] = {
#define X(n, t, v, f, s) {offsetof(struct unit_names, n) / 2, FAC_##s, TWIN__UT_##t, f, V_##v},
    UNITS(X)
#undef X
};

/* What a unit's bit-fields hold. Past 4 KB of names, make name_at wider. */
_Static_assert(sizeof(struct unit_names) <= 2 << 11, "a unit's name is at 2 * an 11-bit offset");
_Static_assert(TWIN__UT_COUNT <= 1 << 6, "a unit's type is 6 bits");
_Static_assert((TWIN__UNIT_LEVEL | TWIN__UNIT_SV | TWIN__UNIT_NOCONV | TWIN__UNIT_CONVENTIONAL) <
                   1 << 4, "a unit's flags are 4 bits");
_Static_assert(TWIN__QT_ALL < 1 << 4, "a unit's versions are 4 bits");

/* ---- semantic types ----------------------------------------------------- */

/* name, unit type, where; sorted by name. */
#define SEMTYPES(X) \
    X(Acceleration, ACCELERATION, ALL) \
    X(Angle, ANGLE, ALL) \
    X(AngularAcceleration, ANGULAR_ACCELERATION, ALL) \
    X(AngularVelocity, ANGULAR_VELOCITY, ALL) \
    X(ApparentEnergy, APPARENT_ENERGY, QT) \
    X(ApparentPower, APPARENT_POWER, QT) \
    X(Area, AREA, ALL) \
    X(Capacitance, CAPACITANCE, ALL) \
    X(Concentration, UNITLESS, QT) \
    X(Current, CURRENT, ALL) \
    X(DataRate, DATA_RATE, ALL) \
    X(DataSize, DATA_SIZE, ALL) \
    X(Density, DENSITY, ALL) \
    X(Distance, LENGTH, ALL) \
    X(DynamicViscosity, DYNAMIC_VISCOSITY, QT3) \
    X(Efficiency, UNITLESS, QT3) \
    X(ElectricCharge, CHARGE, ALL) \
    X(Energy, ENERGY, ALL) \
    X(EnergyRate, POWER, QT) \
    X(Force, FORCE, ALL) \
    X(Frequency, FREQUENCY, ALL) \
    X(GasLeakageRate, GAS_LEAKAGE_RATE, QT3) \
    X(Humidity, DENSITY, ALL) \
    X(Illuminance, ILLUMINANCE, ALL) \
    X(Inductance, INDUCTANCE, ALL) \
    X(IonizingRadiationDose, IONIZING_RADIATION_DOSE, QT) \
    X(Irradiance, IRRADIANCE, QT) \
    X(KinematicViscosity, KINEMATIC_VISCOSITY, QT3) \
    X(Latitude, ANGLE, ALL) \
    X(Length, LENGTH, ALL) \
    X(Longitude, ANGLE, ALL) \
    X(Luminance, LUMINANCE, ALL) \
    X(Luminosity, POWER, ALL) \
    X(LuminousFlux, LUMINOUS_FLUX, ALL) \
    X(LuminousIntensity, LUMINOUS_INTENSITY, ALL) \
    X(MagneticFlux, MAGNETIC_FLUX, ALL) \
    X(MagneticInduction, MAGNETIC_INDUCTION, ALL) \
    X(Mass, MASS, ALL) \
    X(MassFlowRate, MASS_FLOW_RATE, ALL) \
    X(Power, POWER, ALL) \
    X(Pressure, PRESSURE, ALL) \
    X(Radioactivity, RADIOACTIVITY, QT) \
    X(ReactiveEnergy, REACTIVE_ENERGY, QT) \
    X(ReactivePower, REACTIVE_POWER, QT) \
    X(ReciprocalLength, RECIPROCAL_LENGTH, QT3) \
    X(ReciprocalTime, RECIPROCAL_TIME, QT3) \
    X(RelativeDensity, UNITLESS, QT) \
    X(RelativeHumidity, UNITLESS, ALL) \
    X(RelativeMeasure, UNITLESS, QT3) \
    X(Resistance, RESISTANCE, ALL) \
    X(Scale, UNITLESS, QT3) \
    X(SoundPressure, SOUND_PRESSURE, ALL) \
    X(Temperature, TEMPERATURE, ALL) \
    X(Throttle, UNITLESS, QT3) \
    X(Thrust, FORCE, ALL) \
    X(TimeSpan, TIME, ALL) \
    X(Torque, TORQUE, ALL) \
    X(Velocity, VELOCITY, ALL) \
    X(Voltage, VOLTAGE, ALL) \
    X(Volume, VOLUME, ALL) \
    X(VolumeFlowRate, VOLUME_FLOW_RATE, ALL)

struct semtype_names {
#define X(n, t, v) char n[sizeof #n];
    SEMTYPES(X)
#undef X
};

static const struct semtype_names semtype_names = {
#define X(n, t, v) #n,
    SEMTYPES(X)
#undef X
};

static const twin__semtype semtypes[] = {
#define X(n, t, v) {offsetof(struct semtype_names, n), TWIN__UT_##t, V_##v},
    SEMTYPES(X)
#undef X
};

_Static_assert(sizeof(struct semtype_names) <= UINT16_MAX, "16-bit name offsets");

/* ---- unit types --------------------------------------------------------- */

/* enum twin__unit_type_id without the prefix, DTDL name, where, symbol of
 * the SI unit; in the order of the enum, which is also the order of the
 * names. */
#define UNIT_TYPES(X) \
    X(ACCELERATION, AccelerationUnit, ALL, "m/s2") \
    X(ANGLE, AngleUnit, ALL, "rad") \
    X(ANGULAR_ACCELERATION, AngularAccelerationUnit, ALL, "rad/s2") \
    X(ANGULAR_VELOCITY, AngularVelocityUnit, ALL, "rad/s") \
    X(APPARENT_ENERGY, ApparentEnergyUnit, QT, "V.A.s") \
    X(APPARENT_POWER, ApparentPowerUnit, QT, "V.A") \
    X(AREA, AreaUnit, ALL, "m2") \
    X(CAPACITANCE, CapacitanceUnit, ALL, "F") \
    X(CHARGE, ChargeUnit, ALL, "C") \
    X(CURRENT, CurrentUnit, ALL, "A") \
    X(DATA_RATE, DataRateUnit, ALL, "bit/s") \
    X(DATA_SIZE, DataSizeUnit, ALL, "bit") \
    X(DENSITY, DensityUnit, ALL, "kg/m3") \
    X(DYNAMIC_VISCOSITY, DynamicViscosityUnit, QT3, "Pa.s") \
    X(ENERGY, EnergyUnit, ALL, "J") \
    X(FORCE, ForceUnit, ALL, "N") \
    X(FREQUENCY, FrequencyUnit, ALL, "Hz") \
    X(GAS_LEAKAGE_RATE, GasLeakageRateUnit, QT3, "Pa.m3/s") \
    X(ILLUMINANCE, IlluminanceUnit, ALL, "lx") \
    X(INDUCTANCE, InductanceUnit, ALL, "H") \
    X(IONIZING_RADIATION_DOSE, IonizingRadiationDoseUnit, QT, "Gy") \
    X(IRRADIANCE, IrradianceUnit, QT, "W/m2") \
    X(KINEMATIC_VISCOSITY, KinematicViscosityUnit, QT3, "m2/s") \
    X(LENGTH, LengthUnit, ALL, "m") \
    X(LUMINANCE, LuminanceUnit, ALL, "cd/m2") \
    X(LUMINOUS_FLUX, LuminousFluxUnit, ALL, "lm") \
    X(LUMINOUS_INTENSITY, LuminousIntensityUnit, ALL, "cd") \
    X(MAGNETIC_FLUX, MagneticFluxUnit, ALL, "Wb") \
    X(MAGNETIC_INDUCTION, MagneticInductionUnit, ALL, "T") \
    X(MASS_FLOW_RATE, MassFlowRateUnit, ALL, "kg/s") \
    X(MASS, MassUnit, ALL, "kg") \
    X(POWER, PowerUnit, ALL, "W") \
    X(PRESSURE, PressureUnit, ALL, "Pa") \
    X(RADIOACTIVITY, RadioactivityUnit, QT, "Bq") \
    X(REACTIVE_ENERGY, ReactiveEnergyUnit, QT, "var.s") \
    X(REACTIVE_POWER, ReactivePowerUnit, QT, "var") \
    X(RECIPROCAL_LENGTH, ReciprocalLengthUnit, QT3, "1/m") \
    X(RECIPROCAL_TIME, ReciprocalTimeUnit, QT3, "1/s") \
    X(RESISTANCE, ResistanceUnit, ALL, "Ohm") \
    X(SOUND_PRESSURE, SoundPressureUnit, ALL, "B") \
    X(TEMPERATURE, TemperatureUnit, ALL, "K") \
    X(TIME, TimeUnit, ALL, "s") \
    X(TORQUE, TorqueUnit, ALL, "N.m") \
    X(UNITLESS, Unitless, ALL, "1") \
    X(VELOCITY, VelocityUnit, ALL, "m/s") \
    X(VOLTAGE, VoltageUnit, ALL, "V") \
    X(VOLUME_FLOW_RATE, VolumeFlowRateUnit, ALL, "m3/s") \
    X(VOLUME, VolumeUnit, ALL, "m3")

/* The QuantitativeTypes contexts also define the term EnergyRateUnit, for
 * the PowerUnit enum. */
#define UNIT_TYPE_ALIASES(X) \
    X(EnergyRateUnit, POWER, QT)

struct type_names {
#define X(id, n, v, si) char id[sizeof #n];
    UNIT_TYPES(X)
#undef X
#define X(n, t, v) char alias_##n[sizeof #n];
    UNIT_TYPE_ALIASES(X)
#undef X
};

static const struct type_names type_names = {
#define X(id, n, v, si) #n,
    UNIT_TYPES(X)
#undef X
#define X(n, t, v) #n,
    UNIT_TYPE_ALIASES(X)
#undef X
};

struct type_si {
#define X(id, n, v, si) char id[sizeof si];
    UNIT_TYPES(X)
#undef X
};

static const struct type_si type_si = {
#define X(id, n, v, si) si,
    UNIT_TYPES(X)
#undef X
};

/* Unit type t is unit_types[t - 1]. */
typedef struct type_entry {
    uint16_t name_at; /* in type_names */
    uint8_t versions;
    uint8_t si_at;    /* in type_si */
} type_entry;

static const type_entry unit_types[TWIN__UT_COUNT - 1] = {
#define X(id, n, v, si) \
    [TWIN__UT_##id - 1] = {offsetof(struct type_names, id), V_##v, offsetof(struct type_si, id)},
    UNIT_TYPES(X)
#undef X
};

typedef struct type_alias {
    uint16_t name_at; /* in type_names */
    uint8_t unit_type;
    uint8_t versions;
} type_alias;

static const type_alias type_aliases[] = {
#define X(n, t, v) {offsetof(struct type_names, alias_##n), TWIN__UT_##t, V_##v},
    UNIT_TYPE_ALIASES(X)
#undef X
};

_Static_assert(sizeof(struct type_names) <= UINT16_MAX, "16-bit name offsets");
_Static_assert(sizeof(struct type_si) <= UINT8_MAX, "8-bit symbol offsets");

/* ---- lookup ------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* strcmp order of the NUL-terminated a against b[0..n). */
static int name_cmp(const char *a, const char *b, size_t n)
{
    size_t la = strlen(a);
    int c = memcmp(a, b, la < n ? la : n);
    if (c != 0) return c;
    return (la > n) - (la < n);
}

/* Binary search over an array of count entries of size bytes, sorted by
 * the names that name_of gives. */
static const void *find(const void *base, size_t count, size_t size,
                        const char *(*name_of)(const void *entry), const char *name, size_t len)
{
    size_t lo = 0, hi = count;
    if (!name) return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = (const char *)base + mid * size;
        int c = name_cmp(name_of(p), name, len);
        if (c == 0) return p;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static const char *unit_name_of(const void *entry)
{
    return twin__unit_name(entry);
}

static const char *semtype_name_of(const void *entry)
{
    return twin__semtype_name(entry);
}

static const char *type_name_of(const void *entry)
{
    uint16_t at;
    memcpy(&at, entry, sizeof at); /* name_at, the first member of type_entry and type_alias */
    return (const char *)&type_names + at;
}

const twin__semtype *twin__semtype_find(const char *name, size_t len, unsigned where)
{
    const twin__semtype *s =
        find(semtypes, COUNT(semtypes), sizeof semtypes[0], semtype_name_of, name, len);
    return s && (s->versions & where) ? s : NULL;
}

const twin__unit *twin__unit_find(const char *name, size_t len, unsigned where)
{
    const twin__unit *u = find(units, COUNT(units), sizeof units[0], unit_name_of, name, len);
    return u && (u->versions & where) ? u : NULL;
}

const twin__semtype *twin__semtype_table(size_t *n)
{
    if (n) *n = COUNT(semtypes);
    return semtypes;
}

const twin__unit *twin__unit_table(size_t *n)
{
    if (n) *n = COUNT(units);
    return units;
}

const char *twin__unit_name(const twin__unit *u)
{
    return (const char *)&unit_names + 2 * (size_t)u->name_at;
}

const char *twin__semtype_name(const twin__semtype *s)
{
    return (const char *)&semtype_names + s->name_at;
}

double twin__unit_scale(const twin__unit *u)
{
    return scales[u->factor];
}

double twin__unit_offset(const twin__unit *u)
{
    return u->factor >= N_LINEAR ? offsets[u->factor - N_LINEAR] : 0.0;
}

uint16_t twin__unit_type_find(const char *name, size_t len, unsigned where)
{
    const type_entry *t =
        find(unit_types, COUNT(unit_types), sizeof unit_types[0], type_name_of, name, len);
    if (t) return t->versions & where ? (uint16_t)(t - unit_types + 1) : TWIN__UT_NONE;
    const type_alias *a =
        find(type_aliases, COUNT(type_aliases), sizeof type_aliases[0], type_name_of, name, len);
    return a && (a->versions & where) ? a->unit_type : TWIN__UT_NONE;
}

const char *twin__unit_type_name(uint16_t unit_type)
{
    if (unit_type == TWIN__UT_NONE || unit_type >= TWIN__UT_COUNT) return NULL;
    return (const char *)&type_names + unit_types[unit_type - 1].name_at;
}

const char *twin__unit_type_si(uint16_t unit_type)
{
    if (unit_type == TWIN__UT_NONE || unit_type >= TWIN__UT_COUNT) return NULL;
    return (const char *)&type_si + unit_types[unit_type - 1].si_at;
}

int twin__unit_convert(const twin__unit *from, const twin__unit *to, double in, double *out)
{
    if (!from || !to || !out) return TWIN_E_INVAL;
    if (from->unit_type != to->unit_type ||
        ((from->flags ^ to->flags) & TWIN__UNIT_KIND_MASK) ||
        ((from->flags | to->flags) & TWIN__UNIT_NOCONV))
        return TWIN_E_CONSTRAINT;
    double fs = twin__unit_scale(from), fo = twin__unit_offset(from);
    double ts = twin__unit_scale(to), to_ = twin__unit_offset(to);
    if (fs == ts && fo == to_) {
        *out = in;
        return TWIN_OK;
    }
    *out = (in * fs + fo - to_) / ts;
    return TWIN_OK;
}
