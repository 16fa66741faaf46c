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
 */
#include "dtdl/units.h"

#include "twin/twin.h"

#include <string.h>

#define V_ALL TWIN__QT_ALL
#define V_QT (TWIN__QT_1 | TWIN__QT_2 | TWIN__QT_3)
#define V_QT3 TWIN__QT_3
#define F_LEVEL TWIN__UNIT_LEVEL
#define F_SV TWIN__UNIT_SV
#define F_CONV TWIN__UNIT_CONVENTIONAL

/* name, unit type, where, flags, scale (and offset) */
#define U(n, t, v, f, s) {n, TWIN__UT_##t, f, V_##v, s, 0.0}
#define UA(n, t, v, f, s, o) {n, TWIN__UT_##t, f, V_##v, s, o}

static const twin__unit units[] = {
    U("acre", AREA, ALL, 0, 4046.8564224),
    U("ampere", CURRENT, ALL, 0, 1.0),
    U("ampereHour", CHARGE, QT, 0, 3600.0),
    U("astronomicalUnit", LENGTH, ALL, 0, 149597870700.0),
    U("bar", PRESSURE, ALL, 0, 1e5),
    U("becquerel", RADIOACTIVITY, QT, 0, 1.0),
    U("bel", SOUND_PRESSURE, ALL, F_LEVEL, 1.0),
    U("bit", DATA_SIZE, ALL, 0, 1.0),
    U("bitPerSecond", DATA_RATE, ALL, 0, 1.0),
    U("britishThermalUnit", ENERGY, QT, F_CONV, 1055.05585262), /* Btu */
    U("britishThermalUnitPerHour", POWER, QT, F_CONV, 0.2930710701722222), /* Btu / 3600 */
    U("byte", DATA_SIZE, ALL, 0, 8.0),
    U("bytePerSecond", DATA_RATE, ALL, 0, 8.0),
    U("candela", LUMINOUS_INTENSITY, ALL, 0, 1.0),
    U("candelaPerSquareMetre", LUMINANCE, ALL, 0, 1.0),
    U("centimetre", LENGTH, ALL, 0, 0.01),
    U("centimetrePerSecond", VELOCITY, ALL, 0, 0.01),
    U("centimetrePerSecondSquared", ACCELERATION, ALL, 0, 0.01),
    U("centipoise", DYNAMIC_VISCOSITY, QT3, 0, 1e-3),
    U("centistokes", KINEMATIC_VISCOSITY, QT3, 0, 1e-6),
    U("coulomb", CHARGE, ALL, 0, 1.0),
    U("cubicCentimetre", VOLUME, ALL, 0, 1e-6),
    U("cubicCentimetrePerMinute", VOLUME_FLOW_RATE, QT3, 0, 1.6666666666666667e-8), /* 1e-6 / 60 */
    U("cubicCentimetrePerSecond", VOLUME_FLOW_RATE, QT3, 0, 1e-6),
    U("cubicFoot", VOLUME, ALL, 0, 0.028316846592), /* ft * ft * ft */
    U("cubicFootPerMinute", VOLUME_FLOW_RATE, QT, 0, 0.0004719474432), /* ft * ft * ft / 60 */
    U("cubicInch", VOLUME, ALL, 0, 1.6387064e-5), /* in * in * in */
    U("cubicMetre", VOLUME, ALL, 0, 1.0),
    U("cubicMetrePerHour", VOLUME_FLOW_RATE, QT, 0, 0.0002777777777777778), /* 1 / 3600 */
    U("cubicMetrePerMinute", VOLUME_FLOW_RATE, QT, 0, 0.016666666666666666), /* 1 / 60 */
    U("cubicMetrePerSecond", VOLUME_FLOW_RATE, QT, 0, 1.0),
    U("day", TIME, ALL, 0, 86400.0),
    U("decapascal", PRESSURE, QT, 0, 10.0),
    U("decapascalCubicMetrePerSecond", GAS_LEAKAGE_RATE, QT3, 0, 10.0),
    U("decibel", SOUND_PRESSURE, ALL, F_LEVEL, 0.1),
    UA("degreeCelsius", TEMPERATURE, ALL, 0, 1.0, 273.15),
    /* 5/9 K per degree; 0 degreeFahrenheit = 459.67 * 5/9 K */
    UA("degreeFahrenheit", TEMPERATURE, ALL, 0, 0.5555555555555556, 255.37222222222223),
    U("degreeOfArc", ANGLE, ALL, 0, 0.017453292519943295), /* pi / 180 */
    U("degreePerSecond", ANGULAR_VELOCITY, ALL, 0, 0.017453292519943295), /* pi / 180 */
    U("electronvolt", ENERGY, ALL, 0, 1.602176634e-19), /* eV */
    U("exbibit", DATA_SIZE, ALL, 0, 0x1p60), /* 2^60 bits */
    U("exbibitPerSecond", DATA_RATE, ALL, 0, 0x1p60), /* 2^60 bits */
    U("exbibyte", DATA_SIZE, ALL, 0, 0x1p63), /* 2^60 bytes */
    U("exbibytePerSecond", DATA_RATE, ALL, 0, 0x1p63), /* 2^60 bytes */
    U("farad", CAPACITANCE, ALL, 0, 1.0),
    U("fluidOunce", VOLUME, ALL, F_CONV, 2.95735295625e-5), /* gal / 128 */
    U("foot", LENGTH, ALL, 0, 0.3048), /* ft */
    U("footcandle", ILLUMINANCE, ALL, 0, 10.763910416709722), /* 1 / 0.09290304 */
    U("gForce", ACCELERATION, ALL, 0, 9.80665), /* g_n */
    U("gallon", VOLUME, ALL, F_CONV, 0.003785411784), /* gal */
    U("gallonPerHour", VOLUME_FLOW_RATE, QT, F_CONV, 1.0515032733333334e-6), /* gal / 3600 */
    U("gallonPerMinute", VOLUME_FLOW_RATE, QT, F_CONV, 6.30901964e-5), /* gal / 60 */
    U("gauss", MAGNETIC_INDUCTION, QT, 0, 1e-4),
    U("gibibit", DATA_SIZE, ALL, 0, 0x1p30), /* 2^30 bits */
    U("gibibitPerSecond", DATA_RATE, ALL, 0, 0x1p30), /* 2^30 bits */
    U("gibibyte", DATA_SIZE, ALL, 0, 0x1p33), /* 2^30 bytes */
    U("gibibytePerSecond", DATA_RATE, ALL, 0, 0x1p33), /* 2^30 bytes */
    U("gigabecquerel", RADIOACTIVITY, QT, 0, 1e9),
    U("gigahertz", FREQUENCY, ALL, 0, 1e9),
    U("gigajoule", ENERGY, ALL, 0, 1e9),
    U("gigajoulePerHour", POWER, QT, 0, 277777.77777777775), /* 1e9 / 3600 */
    U("gigavoltAmpere", APPARENT_POWER, QT, 0, 1e9),
    U("gigavoltAmpereHour", APPARENT_ENERGY, QT, 0, 3.6e12),
    U("gigavoltAmpereReactive", REACTIVE_POWER, QT, 0, 1e9),
    U("gigavoltAmpereReactiveHour", REACTIVE_ENERGY, QT, 0, 3.6e12),
    U("gigawatt", POWER, ALL, 0, 1e9),
    U("gigawattHour", ENERGY, QT, 0, 3.6e12),
    U("gram", MASS, ALL, 0, 1e-3),
    U("gramPerCubicMetre", DENSITY, ALL, 0, 1e-3),
    U("gramPerHour", MASS_FLOW_RATE, ALL, 0, 2.7777777777777776e-7), /* 1e-3 / 3600 */
    U("gramPerSecond", MASS_FLOW_RATE, ALL, 0, 1e-3),
    U("gray", IONIZING_RADIATION_DOSE, QT, 0, 1.0),
    U("hectare", AREA, ALL, 0, 1e4),
    U("hectopascal", PRESSURE, QT, 0, 100.0),
    U("hectopascalCubicMetrePerSecond", GAS_LEAKAGE_RATE, QT3, 0, 100.0),
    U("henry", INDUCTANCE, ALL, 0, 1.0),
    U("hertz", FREQUENCY, ALL, 0, 1.0),
    U("horsepower", POWER, ALL, F_CONV, 745.6998715822702), /* 550 * ft * lbf */
    U("hour", TIME, ALL, 0, 3600.0),
    U("inch", LENGTH, ALL, 0, 0.0254), /* in */
    U("inchesOfMercury", PRESSURE, ALL, F_CONV, 3386.388640341), /* 25.4 * mmHg */
    U("inchesOfWater", PRESSURE, ALL, F_CONV, 249.08891), /* 1000 kg/m3 * g_n * in */
    U("joule", ENERGY, ALL, 0, 1.0),
    U("joulePerHour", POWER, QT, 0, 0.0002777777777777778), /* 1 / 3600 */
    U("joulePerSecond", POWER, QT, 0, 1.0),
    U("kelvin", TEMPERATURE, ALL, 0, 1.0),
    U("kibibit", DATA_SIZE, ALL, 0, 0x1p10), /* 2^10 bits */
    U("kibibitPerSecond", DATA_RATE, ALL, 0, 0x1p10), /* 2^10 bits */
    U("kibibyte", DATA_SIZE, ALL, 0, 0x1p13), /* 2^10 bytes */
    U("kibibytePerSecond", DATA_RATE, ALL, 0, 0x1p13), /* 2^10 bytes */
    U("kiloBritishThermalUnit", ENERGY, QT, F_CONV, 1055055.85262), /* 1e3 * Btu */
    U("kiloBritishThermalUnitPerHour", POWER, QT, F_CONV, 293.0710701722222), /* 1e3 * Btu / 3600 */
    U("kiloampere", CURRENT, QT, 0, 1e3),
    U("kilobecquerel", RADIOACTIVITY, QT, 0, 1e3),
    U("kilogram", MASS, ALL, 0, 1.0),
    U("kilogramPerCubicMetre", DENSITY, ALL, 0, 1.0),
    U("kilogramPerHour", MASS_FLOW_RATE, ALL, 0, 0.0002777777777777778), /* 1 / 3600 */
    U("kilogramPerSecond", MASS_FLOW_RATE, ALL, 0, 1.0),
    U("kilohertz", FREQUENCY, ALL, 0, 1e3),
    U("kilojoule", ENERGY, ALL, 0, 1e3),
    U("kilojoulePerHour", POWER, QT, 0, 0.2777777777777778), /* 1e3 / 3600 */
    U("kilojoulePerSecond", POWER, QT, 0, 1e3),
    U("kilometre", LENGTH, ALL, 0, 1e3),
    U("kilometrePerHour", VELOCITY, ALL, 0, 0.2777777777777778), /* 1e3 / 3600 */
    U("kilometrePerSecond", VELOCITY, ALL, 0, 1e3),
    U("kilometrePerSecondSquared", ACCELERATION, QT3, 0, 1e3),
    U("kiloohm", RESISTANCE, ALL, 0, 1e3),
    U("kilopascal", PRESSURE, ALL, 0, 1e3),
    U("kilopascalCubicMetrePerSecond", GAS_LEAKAGE_RATE, QT3, 0, 1e3),
    U("kilovolt", VOLTAGE, ALL, 0, 1e3),
    U("kilovoltAmpere", APPARENT_POWER, QT, 0, 1e3),
    U("kilovoltAmpereHour", APPARENT_ENERGY, QT, 0, 3.6e6),
    U("kilovoltAmpereReactive", REACTIVE_POWER, QT, 0, 1e3),
    U("kilovoltAmpereReactiveHour", REACTIVE_ENERGY, QT, 0, 3.6e6),
    U("kilowatt", POWER, ALL, 0, 1e3),
    U("kilowattHour", ENERGY, ALL, 0, 3.6e6),
    U("kilowattHourPerYear", POWER, ALL, F_CONV, 0.11407711613050422), /* 3.6e6 J / Julian year */
    U("knot", VELOCITY, ALL, 0, 0.5144444444444445), /* 1852 / 3600 */
    U("litre", VOLUME, ALL, 0, 1e-3),
    U("litrePerHour", VOLUME_FLOW_RATE, ALL, 0, 2.7777777777777776e-7), /* 1e-3 / 3600 */
    U("litrePerMinute", VOLUME_FLOW_RATE, QT, 0, 1.6666666666666667e-5), /* 1e-3 / 60 */
    U("litrePerSecond", VOLUME_FLOW_RATE, ALL, 0, 1e-3),
    U("lumen", LUMINOUS_FLUX, ALL, 0, 1.0),
    U("lux", ILLUMINANCE, ALL, 0, 1.0),
    U("massPound", MASS, QT, 0, 0.45359237), /* lb */
    U("massPoundPerHour", MASS_FLOW_RATE, QT, 0, 0.00012599788055555556), /* lb / 3600 */
    U("maxwell", MAGNETIC_FLUX, ALL, 0, 1e-8),
    U("mebibit", DATA_SIZE, ALL, 0, 0x1p20), /* 2^20 bits */
    U("mebibitPerSecond", DATA_RATE, ALL, 0, 0x1p20), /* 2^20 bits */
    U("mebibyte", DATA_SIZE, ALL, 0, 0x1p23), /* 2^20 bytes */
    U("mebibytePerSecond", DATA_RATE, ALL, 0, 0x1p23), /* 2^20 bytes */
    U("megabecquerel", RADIOACTIVITY, QT, 0, 1e6),
    U("megaelectronvolt", ENERGY, ALL, 0, 1.602176634e-13), /* 1e6 * eV */
    U("megahertz", FREQUENCY, ALL, 0, 1e6),
    U("megajoule", ENERGY, ALL, 0, 1e6),
    U("megajoulePerHour", POWER, QT, 0, 277.77777777777777), /* 1e6 / 3600 */
    U("megaohm", RESISTANCE, ALL, 0, 1e6),
    U("megavolt", VOLTAGE, ALL, 0, 1e6),
    U("megavoltAmpere", APPARENT_POWER, QT, 0, 1e6),
    U("megavoltAmpereHour", APPARENT_ENERGY, QT, 0, 3.6e9),
    U("megavoltAmpereReactive", REACTIVE_POWER, QT, 0, 1e6),
    U("megavoltAmpereReactiveHour", REACTIVE_ENERGY, QT, 0, 3.6e9),
    U("megawatt", POWER, ALL, 0, 1e6),
    U("megawattHour", ENERGY, QT, 0, 3.6e9),
    U("metre", LENGTH, ALL, 0, 1.0),
    U("metrePerHour", VELOCITY, ALL, 0, 0.0002777777777777778), /* 1 / 3600 */
    U("metrePerSecond", VELOCITY, ALL, 0, 1.0),
    U("metrePerSecondSquared", ACCELERATION, ALL, 0, 1.0),
    U("microampere", CURRENT, ALL, 0, 1e-6),
    U("microfarad", CAPACITANCE, ALL, 0, 1e-6),
    U("microgram", MASS, ALL, 0, 1e-9),
    U("microgramPerCubicMetre", DENSITY, QT, 0, 1e-9),
    U("microgray", IONIZING_RADIATION_DOSE, QT, 0, 1e-6),
    U("microhenry", INDUCTANCE, ALL, 0, 1e-6),
    U("micrometre", LENGTH, ALL, 0, 1e-6),
    U("microsecond", TIME, ALL, 0, 1e-6),
    U("microsievert", IONIZING_RADIATION_DOSE, QT, F_SV, 1e-6),
    U("microvolt", VOLTAGE, ALL, 0, 1e-6),
    U("microwatt", POWER, ALL, 0, 1e-6),
    U("mile", LENGTH, ALL, 0, 1609.344), /* mi */
    U("milePerHour", VELOCITY, ALL, 0, 0.44704), /* mi / 3600 */
    U("milePerSecond", VELOCITY, ALL, 0, 1609.344), /* mi */
    U("milliampere", CURRENT, ALL, 0, 1e-3),
    U("milliampereHour", CHARGE, QT, 0, 3.6),
    U("millibar", PRESSURE, ALL, 0, 100.0),
    U("millifarad", CAPACITANCE, ALL, 0, 1e-3),
    U("milligram", MASS, ALL, 0, 1e-6),
    U("milligramPerCubicMetre", DENSITY, QT, 0, 1e-6),
    U("milligray", IONIZING_RADIATION_DOSE, QT, 0, 1e-3),
    U("millihenry", INDUCTANCE, ALL, 0, 1e-3),
    U("millihertz", FREQUENCY, QT, 0, 1e-3),
    U("millilitre", VOLUME, ALL, 0, 1e-6),
    U("millilitrePerHour", VOLUME_FLOW_RATE, ALL, 0, 2.7777777777777777e-10), /* 1e-6 / 3600 */
    U("millilitrePerMinute", VOLUME_FLOW_RATE, QT, 0, 1.6666666666666667e-8), /* 1e-6 / 60 */
    U("millilitrePerSecond", VOLUME_FLOW_RATE, ALL, 0, 1e-6),
    U("millimetre", LENGTH, ALL, 0, 1e-3),
    U("millimetrePerSecond", VELOCITY, QT3, 0, 1e-3),
    U("millimetrePerSecondSquared", ACCELERATION, QT3, 0, 1e-3),
    U("millimetresOfMercury", PRESSURE, ALL, F_CONV, 133.322387415), /* mmHg */
    U("milliohm", RESISTANCE, ALL, 0, 1e-3),
    U("millipascalSecond", DYNAMIC_VISCOSITY, QT3, 0, 1e-3),
    U("millipoise", DYNAMIC_VISCOSITY, QT3, 0, 1e-4),
    U("millisecond", TIME, ALL, 0, 1e-3),
    U("millisievert", IONIZING_RADIATION_DOSE, QT, F_SV, 1e-3),
    U("millivolt", VOLTAGE, ALL, 0, 1e-3),
    U("millivoltAmpere", APPARENT_POWER, QT, 0, 1e-3),
    U("millivoltAmpereHour", APPARENT_ENERGY, QT3, 0, 3.6),
    U("millivoltAmpereReactive", REACTIVE_POWER, QT, 0, 1e-3),
    U("milliwatt", POWER, ALL, 0, 1e-3),
    U("milliwattHour", ENERGY, QT, 0, 3.6),
    U("minute", TIME, ALL, 0, 60.0),
    U("minuteOfArc", ANGLE, ALL, 0, 0.0002908882086657216), /* pi / 10800 */
    U("nanoampere", CURRENT, QT3, 0, 1e-9),
    U("nanofarad", CAPACITANCE, ALL, 0, 1e-9),
    U("nanometre", LENGTH, ALL, 0, 1e-9),
    U("nanosecond", TIME, ALL, 0, 1e-9),
    U("nauticalMile", LENGTH, ALL, 0, 1852.0),
    U("newton", FORCE, ALL, 0, 1.0),
    U("newtonMetre", TORQUE, ALL, 0, 1.0),
    U("ohm", RESISTANCE, ALL, 0, 1.0),
    U("ounce", FORCE, ALL, 0, 0.2780138509537812), /* lbf / 16 */
    U("partsPerBillion", UNITLESS, QT, 0, 1e-9),
    U("partsPerMillion", UNITLESS, QT, 0, 1e-6),
    U("partsPerQuadrillion", UNITLESS, QT, 0, 1e-15),
    U("partsPerTrillion", UNITLESS, QT, 0, 1e-12),
    U("pascal", PRESSURE, ALL, 0, 1.0),
    U("pascalCubicMetrePerSecond", GAS_LEAKAGE_RATE, QT3, 0, 1.0),
    U("pascalSecond", DYNAMIC_VISCOSITY, QT3, 0, 1.0),
    U("percent", UNITLESS, ALL, 0, 0.01),
    U("picoampere", CURRENT, QT3, 0, 1e-12),
    U("picofarad", CAPACITANCE, ALL, 0, 1e-12),
    U("poise", DYNAMIC_VISCOSITY, QT3, 0, 0.1),
    U("pound", FORCE, ALL, 0, 4.4482216152605), /* lbf */
    U("poundPerSquareInch", PRESSURE, ALL, 0, 6894.757293168362), /* lbf / (in * in) */
    U("radian", ANGLE, ALL, 0, 1.0),
    U("radianPerSecond", ANGULAR_VELOCITY, ALL, 0, 1.0),
    U("radianPerSecondSquared", ANGULAR_ACCELERATION, ALL, 0, 1.0),
    U("reciprocalCentimetre", RECIPROCAL_LENGTH, QT3, 0, 100.0),
    U("reciprocalKilometre", RECIPROCAL_LENGTH, QT3, 0, 1e-3),
    U("reciprocalMetre", RECIPROCAL_LENGTH, QT3, 0, 1.0),
    U("reciprocalMicrometre", RECIPROCAL_LENGTH, QT3, 0, 1e6),
    U("reciprocalMillimetre", RECIPROCAL_LENGTH, QT3, 0, 1e3),
    U("reciprocalMinute", RECIPROCAL_TIME, QT3, 0, 0.016666666666666666), /* 1 / 60 */
    U("reciprocalNanometre", RECIPROCAL_LENGTH, QT3, 0, 1e9),
    U("reciprocalSecond", RECIPROCAL_TIME, QT3, 0, 1.0),
    U("revolutionPerMinute", ANGULAR_VELOCITY, ALL, 0, 0.10471975511965978), /* 2 * pi / 60 */
    U("revolutionPerSecond", ANGULAR_VELOCITY, ALL, 0, 6.283185307179586), /* 2 * pi */
    U("second", TIME, ALL, 0, 1.0),
    U("secondOfArc", ANGLE, ALL, 0, 4.84813681109536e-6), /* pi / 648000 */
    U("sievert", IONIZING_RADIATION_DOSE, QT, F_SV, 1.0),
    U("slug", MASS, ALL, 0, 14.593902937206364), /* lbf s2 / ft */
    U("squareCentimetre", AREA, ALL, 0, 1e-4),
    U("squareFoot", AREA, ALL, 0, 0.09290304),
    U("squareInch", AREA, ALL, 0, 6.4516e-4),
    U("squareKilometre", AREA, ALL, 0, 1e6),
    U("squareMetre", AREA, ALL, 0, 1.0),
    U("squareMetrePerSecond", KINEMATIC_VISCOSITY, QT3, 0, 1.0),
    U("squareMillimetre", AREA, ALL, 0, 1e-6),
    U("stokes", KINEMATIC_VISCOSITY, QT3, 0, 1e-4),
    U("tebibit", DATA_SIZE, ALL, 0, 0x1p40), /* 2^40 bits */
    U("tebibitPerSecond", DATA_RATE, ALL, 0, 0x1p40), /* 2^40 bits */
    U("tebibyte", DATA_SIZE, ALL, 0, 0x1p43), /* 2^40 bytes */
    U("tebibytePerSecond", DATA_RATE, ALL, 0, 0x1p43), /* 2^40 bytes */
    U("terawattHour", ENERGY, QT, 0, 3.6e15),
    U("tesla", MAGNETIC_INDUCTION, ALL, 0, 1.0),
    U("ton", FORCE, ALL, F_CONV, 8896.443230521), /* 2000 * lbf */
    U("tonOfRefrigeration", POWER, QT, F_CONV, 3516.8528420666667), /* 12000 * Btu / 3600 */
    U("tonne", MASS, ALL, 0, 1e3),
    U("turn", ANGLE, ALL, 0, 6.283185307179586), /* 2 * pi */
    U("unity", UNITLESS, ALL, 0, 1.0),
    U("volt", VOLTAGE, ALL, 0, 1.0),
    U("voltAmpere", APPARENT_POWER, QT, 0, 1.0),
    U("voltAmpereHour", APPARENT_ENERGY, QT, 0, 3600.0),
    U("voltAmpereReactive", REACTIVE_POWER, QT, 0, 1.0),
    U("voltAmpereReactiveHour", REACTIVE_ENERGY, QT, 0, 3600.0),
    U("watt", POWER, ALL, 0, 1.0),
    U("wattHour", ENERGY, QT, 0, 3600.0),
    U("wattPerSquareMetre", IRRADIANCE, QT, 0, 1.0),
    U("weber", MAGNETIC_FLUX, ALL, 0, 1.0),
    U("year", TIME, ALL, F_CONV, 31557600.0), /* Julian year, 365.25 * 86400 */
    U("yobibit", DATA_SIZE, ALL, 0, 0x1p80), /* 2^80 bits */
    U("yobibitPerSecond", DATA_RATE, ALL, 0, 0x1p80), /* 2^80 bits */
    U("yobibyte", DATA_SIZE, ALL, 0, 0x1p83), /* 2^80 bytes */
    U("yobibytePerSecond", DATA_RATE, ALL, 0, 0x1p83), /* 2^80 bytes */
    U("zebibit", DATA_SIZE, ALL, 0, 0x1p70), /* 2^70 bits */
    U("zebibitPerSecond", DATA_RATE, ALL, 0, 0x1p70), /* 2^70 bits */
    U("zebibyte", DATA_SIZE, ALL, 0, 0x1p73), /* 2^70 bytes */
    U("zebibytePerSecond", DATA_RATE, ALL, 0, 0x1p73), /* 2^70 bytes */
};

#define S(n, t, v) {n, TWIN__UT_##t, V_##v}

static const twin__semtype semtypes[] = {
    S("Acceleration", ACCELERATION, ALL),
    S("Angle", ANGLE, ALL),
    S("AngularAcceleration", ANGULAR_ACCELERATION, ALL),
    S("AngularVelocity", ANGULAR_VELOCITY, ALL),
    S("ApparentEnergy", APPARENT_ENERGY, QT),
    S("ApparentPower", APPARENT_POWER, QT),
    S("Area", AREA, ALL),
    S("Capacitance", CAPACITANCE, ALL),
    S("Concentration", UNITLESS, QT),
    S("Current", CURRENT, ALL),
    S("DataRate", DATA_RATE, ALL),
    S("DataSize", DATA_SIZE, ALL),
    S("Density", DENSITY, ALL),
    S("Distance", LENGTH, ALL),
    S("DynamicViscosity", DYNAMIC_VISCOSITY, QT3),
    S("Efficiency", UNITLESS, QT3),
    S("ElectricCharge", CHARGE, ALL),
    S("Energy", ENERGY, ALL),
    S("EnergyRate", POWER, QT),
    S("Force", FORCE, ALL),
    S("Frequency", FREQUENCY, ALL),
    S("GasLeakageRate", GAS_LEAKAGE_RATE, QT3),
    S("Humidity", DENSITY, ALL),
    S("Illuminance", ILLUMINANCE, ALL),
    S("Inductance", INDUCTANCE, ALL),
    S("IonizingRadiationDose", IONIZING_RADIATION_DOSE, QT),
    S("Irradiance", IRRADIANCE, QT),
    S("KinematicViscosity", KINEMATIC_VISCOSITY, QT3),
    S("Latitude", ANGLE, ALL),
    S("Length", LENGTH, ALL),
    S("Longitude", ANGLE, ALL),
    S("Luminance", LUMINANCE, ALL),
    S("Luminosity", POWER, ALL),
    S("LuminousFlux", LUMINOUS_FLUX, ALL),
    S("LuminousIntensity", LUMINOUS_INTENSITY, ALL),
    S("MagneticFlux", MAGNETIC_FLUX, ALL),
    S("MagneticInduction", MAGNETIC_INDUCTION, ALL),
    S("Mass", MASS, ALL),
    S("MassFlowRate", MASS_FLOW_RATE, ALL),
    S("Power", POWER, ALL),
    S("Pressure", PRESSURE, ALL),
    S("Radioactivity", RADIOACTIVITY, QT),
    S("ReactiveEnergy", REACTIVE_ENERGY, QT),
    S("ReactivePower", REACTIVE_POWER, QT),
    S("ReciprocalLength", RECIPROCAL_LENGTH, QT3),
    S("ReciprocalTime", RECIPROCAL_TIME, QT3),
    S("RelativeDensity", UNITLESS, QT),
    S("RelativeHumidity", UNITLESS, ALL),
    S("RelativeMeasure", UNITLESS, QT3),
    S("Resistance", RESISTANCE, ALL),
    S("Scale", UNITLESS, QT3),
    S("SoundPressure", SOUND_PRESSURE, ALL),
    S("Temperature", TEMPERATURE, ALL),
    S("Throttle", UNITLESS, QT3),
    S("Thrust", FORCE, ALL),
    S("TimeSpan", TIME, ALL),
    S("Torque", TORQUE, ALL),
    S("Velocity", VELOCITY, ALL),
    S("Voltage", VOLTAGE, ALL),
    S("Volume", VOLUME, ALL),
    S("VolumeFlowRate", VOLUME_FLOW_RATE, ALL),
};

static const char *const type_names[TWIN__UT_COUNT] = {
    [TWIN__UT_ACCELERATION] = "AccelerationUnit",
    [TWIN__UT_ANGLE] = "AngleUnit",
    [TWIN__UT_ANGULAR_ACCELERATION] = "AngularAccelerationUnit",
    [TWIN__UT_ANGULAR_VELOCITY] = "AngularVelocityUnit",
    [TWIN__UT_APPARENT_ENERGY] = "ApparentEnergyUnit",
    [TWIN__UT_APPARENT_POWER] = "ApparentPowerUnit",
    [TWIN__UT_AREA] = "AreaUnit",
    [TWIN__UT_CAPACITANCE] = "CapacitanceUnit",
    [TWIN__UT_CHARGE] = "ChargeUnit",
    [TWIN__UT_CURRENT] = "CurrentUnit",
    [TWIN__UT_DATA_RATE] = "DataRateUnit",
    [TWIN__UT_DATA_SIZE] = "DataSizeUnit",
    [TWIN__UT_DENSITY] = "DensityUnit",
    [TWIN__UT_DYNAMIC_VISCOSITY] = "DynamicViscosityUnit",
    [TWIN__UT_ENERGY] = "EnergyUnit",
    [TWIN__UT_FORCE] = "ForceUnit",
    [TWIN__UT_FREQUENCY] = "FrequencyUnit",
    [TWIN__UT_GAS_LEAKAGE_RATE] = "GasLeakageRateUnit",
    [TWIN__UT_ILLUMINANCE] = "IlluminanceUnit",
    [TWIN__UT_INDUCTANCE] = "InductanceUnit",
    [TWIN__UT_IONIZING_RADIATION_DOSE] = "IonizingRadiationDoseUnit",
    [TWIN__UT_IRRADIANCE] = "IrradianceUnit",
    [TWIN__UT_KINEMATIC_VISCOSITY] = "KinematicViscosityUnit",
    [TWIN__UT_LENGTH] = "LengthUnit",
    [TWIN__UT_LUMINANCE] = "LuminanceUnit",
    [TWIN__UT_LUMINOUS_FLUX] = "LuminousFluxUnit",
    [TWIN__UT_LUMINOUS_INTENSITY] = "LuminousIntensityUnit",
    [TWIN__UT_MAGNETIC_FLUX] = "MagneticFluxUnit",
    [TWIN__UT_MAGNETIC_INDUCTION] = "MagneticInductionUnit",
    [TWIN__UT_MASS_FLOW_RATE] = "MassFlowRateUnit",
    [TWIN__UT_MASS] = "MassUnit",
    [TWIN__UT_POWER] = "PowerUnit",
    [TWIN__UT_PRESSURE] = "PressureUnit",
    [TWIN__UT_RADIOACTIVITY] = "RadioactivityUnit",
    [TWIN__UT_REACTIVE_ENERGY] = "ReactiveEnergyUnit",
    [TWIN__UT_REACTIVE_POWER] = "ReactivePowerUnit",
    [TWIN__UT_RECIPROCAL_LENGTH] = "ReciprocalLengthUnit",
    [TWIN__UT_RECIPROCAL_TIME] = "ReciprocalTimeUnit",
    [TWIN__UT_RESISTANCE] = "ResistanceUnit",
    [TWIN__UT_SOUND_PRESSURE] = "SoundPressureUnit",
    [TWIN__UT_TEMPERATURE] = "TemperatureUnit",
    [TWIN__UT_TIME] = "TimeUnit",
    [TWIN__UT_TORQUE] = "TorqueUnit",
    [TWIN__UT_UNITLESS] = "Unitless",
    [TWIN__UT_VELOCITY] = "VelocityUnit",
    [TWIN__UT_VOLTAGE] = "VoltageUnit",
    [TWIN__UT_VOLUME_FLOW_RATE] = "VolumeFlowRateUnit",
    [TWIN__UT_VOLUME] = "VolumeUnit",
};

/* Unit type names for lookup. The QuantitativeTypes contexts also define
 * the term EnergyRateUnit, for the PowerUnit enum. */
typedef struct type_entry {
    const char *name;
    uint16_t unit_type;
    uint8_t versions;
} type_entry;

#define T(n, t, v) {n, TWIN__UT_##t, V_##v}

static const type_entry types_by_name[] = {
    T("AccelerationUnit", ACCELERATION, ALL),
    T("AngleUnit", ANGLE, ALL),
    T("AngularAccelerationUnit", ANGULAR_ACCELERATION, ALL),
    T("AngularVelocityUnit", ANGULAR_VELOCITY, ALL),
    T("ApparentEnergyUnit", APPARENT_ENERGY, QT),
    T("ApparentPowerUnit", APPARENT_POWER, QT),
    T("AreaUnit", AREA, ALL),
    T("CapacitanceUnit", CAPACITANCE, ALL),
    T("ChargeUnit", CHARGE, ALL),
    T("CurrentUnit", CURRENT, ALL),
    T("DataRateUnit", DATA_RATE, ALL),
    T("DataSizeUnit", DATA_SIZE, ALL),
    T("DensityUnit", DENSITY, ALL),
    T("DynamicViscosityUnit", DYNAMIC_VISCOSITY, QT3),
    T("EnergyRateUnit", POWER, QT),
    T("EnergyUnit", ENERGY, ALL),
    T("ForceUnit", FORCE, ALL),
    T("FrequencyUnit", FREQUENCY, ALL),
    T("GasLeakageRateUnit", GAS_LEAKAGE_RATE, QT3),
    T("IlluminanceUnit", ILLUMINANCE, ALL),
    T("InductanceUnit", INDUCTANCE, ALL),
    T("IonizingRadiationDoseUnit", IONIZING_RADIATION_DOSE, QT),
    T("IrradianceUnit", IRRADIANCE, QT),
    T("KinematicViscosityUnit", KINEMATIC_VISCOSITY, QT3),
    T("LengthUnit", LENGTH, ALL),
    T("LuminanceUnit", LUMINANCE, ALL),
    T("LuminousFluxUnit", LUMINOUS_FLUX, ALL),
    T("LuminousIntensityUnit", LUMINOUS_INTENSITY, ALL),
    T("MagneticFluxUnit", MAGNETIC_FLUX, ALL),
    T("MagneticInductionUnit", MAGNETIC_INDUCTION, ALL),
    T("MassFlowRateUnit", MASS_FLOW_RATE, ALL),
    T("MassUnit", MASS, ALL),
    T("PowerUnit", POWER, ALL),
    T("PressureUnit", PRESSURE, ALL),
    T("RadioactivityUnit", RADIOACTIVITY, QT),
    T("ReactiveEnergyUnit", REACTIVE_ENERGY, QT),
    T("ReactivePowerUnit", REACTIVE_POWER, QT),
    T("ReciprocalLengthUnit", RECIPROCAL_LENGTH, QT3),
    T("ReciprocalTimeUnit", RECIPROCAL_TIME, QT3),
    T("ResistanceUnit", RESISTANCE, ALL),
    T("SoundPressureUnit", SOUND_PRESSURE, ALL),
    T("TemperatureUnit", TEMPERATURE, ALL),
    T("TimeUnit", TIME, ALL),
    T("TorqueUnit", TORQUE, ALL),
    T("Unitless", UNITLESS, ALL),
    T("VelocityUnit", VELOCITY, ALL),
    T("VoltageUnit", VOLTAGE, ALL),
    T("VolumeFlowRateUnit", VOLUME_FLOW_RATE, ALL),
    T("VolumeUnit", VOLUME, ALL),
};

static const char *const type_si[TWIN__UT_COUNT] = {
    [TWIN__UT_ACCELERATION] = "m/s2",
    [TWIN__UT_ANGLE] = "rad",
    [TWIN__UT_ANGULAR_ACCELERATION] = "rad/s2",
    [TWIN__UT_ANGULAR_VELOCITY] = "rad/s",
    [TWIN__UT_APPARENT_ENERGY] = "V.A.s",
    [TWIN__UT_APPARENT_POWER] = "V.A",
    [TWIN__UT_AREA] = "m2",
    [TWIN__UT_CAPACITANCE] = "F",
    [TWIN__UT_CHARGE] = "C",
    [TWIN__UT_CURRENT] = "A",
    [TWIN__UT_DATA_RATE] = "bit/s",
    [TWIN__UT_DATA_SIZE] = "bit",
    [TWIN__UT_DENSITY] = "kg/m3",
    [TWIN__UT_DYNAMIC_VISCOSITY] = "Pa.s",
    [TWIN__UT_ENERGY] = "J",
    [TWIN__UT_FORCE] = "N",
    [TWIN__UT_FREQUENCY] = "Hz",
    [TWIN__UT_GAS_LEAKAGE_RATE] = "Pa.m3/s",
    [TWIN__UT_ILLUMINANCE] = "lx",
    [TWIN__UT_INDUCTANCE] = "H",
    [TWIN__UT_IONIZING_RADIATION_DOSE] = "Gy",
    [TWIN__UT_IRRADIANCE] = "W/m2",
    [TWIN__UT_KINEMATIC_VISCOSITY] = "m2/s",
    [TWIN__UT_LENGTH] = "m",
    [TWIN__UT_LUMINANCE] = "cd/m2",
    [TWIN__UT_LUMINOUS_FLUX] = "lm",
    [TWIN__UT_LUMINOUS_INTENSITY] = "cd",
    [TWIN__UT_MAGNETIC_FLUX] = "Wb",
    [TWIN__UT_MAGNETIC_INDUCTION] = "T",
    [TWIN__UT_MASS_FLOW_RATE] = "kg/s",
    [TWIN__UT_MASS] = "kg",
    [TWIN__UT_POWER] = "W",
    [TWIN__UT_PRESSURE] = "Pa",
    [TWIN__UT_RADIOACTIVITY] = "Bq",
    [TWIN__UT_REACTIVE_ENERGY] = "var.s",
    [TWIN__UT_REACTIVE_POWER] = "var",
    [TWIN__UT_RECIPROCAL_LENGTH] = "1/m",
    [TWIN__UT_RECIPROCAL_TIME] = "1/s",
    [TWIN__UT_RESISTANCE] = "Ohm",
    [TWIN__UT_SOUND_PRESSURE] = "B",
    [TWIN__UT_TEMPERATURE] = "K",
    [TWIN__UT_TIME] = "s",
    [TWIN__UT_TORQUE] = "N.m",
    [TWIN__UT_UNITLESS] = "1",
    [TWIN__UT_VELOCITY] = "m/s",
    [TWIN__UT_VOLTAGE] = "V",
    [TWIN__UT_VOLUME_FLOW_RATE] = "m3/s",
    [TWIN__UT_VOLUME] = "m3",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* strcmp order of the NUL-terminated a against b[0..n). */
static int name_cmp(const char *a, const char *b, size_t n)
{
    size_t la = strlen(a);
    int c = memcmp(a, b, la < n ? la : n);
    if (c != 0) return c;
    return (la > n) - (la < n);
}

/* Binary search over an array of count entries of size bytes whose first
 * member is the name. */
static const void *find(const void *base, size_t count, size_t size, const char *name,
                        size_t len)
{
    size_t lo = 0, hi = count;
    if (!name) return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = (const char *)base + mid * size;
        const char *entry;
        memcpy(&entry, p, sizeof entry);
        int c = name_cmp(entry, name, len);
        if (c == 0) return p;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const twin__semtype *twin__semtype_find(const char *name, size_t len, unsigned where)
{
    const twin__semtype *s = find(semtypes, COUNT(semtypes), sizeof semtypes[0], name, len);
    return s && (s->versions & where) ? s : NULL;
}

const twin__unit *twin__unit_find(const char *name, size_t len, unsigned where)
{
    const twin__unit *u = find(units, COUNT(units), sizeof units[0], name, len);
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

uint16_t twin__unit_type_find(const char *name, size_t len, unsigned where)
{
    const type_entry *t = find(types_by_name, COUNT(types_by_name), sizeof types_by_name[0], name,
                               len);
    return t && (t->versions & where) ? t->unit_type : TWIN__UT_NONE;
}

const char *twin__unit_type_name(uint16_t unit_type)
{
    return unit_type < TWIN__UT_COUNT ? type_names[unit_type] : NULL;
}

const char *twin__unit_type_si(uint16_t unit_type)
{
    return unit_type < TWIN__UT_COUNT ? type_si[unit_type] : NULL;
}

int twin__unit_convert(const twin__unit *from, const twin__unit *to, double in, double *out)
{
    if (!from || !to || !out) return TWIN_E_INVAL;
    if (from->unit_type != to->unit_type ||
        ((from->flags ^ to->flags) & TWIN__UNIT_KIND_MASK) ||
        ((from->flags | to->flags) & TWIN__UNIT_NOCONV))
        return TWIN_E_CONSTRAINT;
    if (from->scale == to->scale && from->offset == to->offset) {
        *out = in;
        return TWIN_OK;
    }
    *out = (in * from->scale + from->offset - to->offset) / to->scale;
    return TWIN_OK;
}
