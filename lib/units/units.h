/* DTDL semantic types and units: which names exist in DTDL v2 (native) and
 * in the QuantitativeTypes extension v1 (DTDL v3), v2 and v3 (DTDL v4), the
 * unit type each belongs to, and each unit's conversion to the coherent SI unit
 * of its unit type. Const tables sorted by name; nothing here allocates. */
#ifndef TWIN_UNITS_H
#define TWIN_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Where a name is defined (bit mask; a lookup passes the contexts in force). */
enum {
    TWIN__QT_V2NATIVE = 1u << 0,  /* dtmi:dtdl:context;2 */
    TWIN__QT_1 = 1u << 1,         /* dtmi:dtdl:extension:quantitativeTypes;1 (DTDL v3) */
    TWIN__QT_2 = 1u << 2,         /* dtmi:dtdl:extension:quantitativeTypes;2 (DTDL v4) */
    TWIN__QT_3 = 1u << 3,         /* dtmi:dtdl:extension:quantitativeTypes;3 (DTDL v4) */
    TWIN__QT_ALL = TWIN__QT_V2NATIVE | TWIN__QT_1 | TWIN__QT_2 | TWIN__QT_3
};

/* Unit types. The value in brackets is the SI unit that a unit's scale and
 * offset lead to (twin__unit_type_si()). */
enum twin__unit_type_id {
    TWIN__UT_NONE = 0,
    TWIN__UT_ACCELERATION,            /* m/s2 */
    TWIN__UT_ANGLE,                   /* rad */
    TWIN__UT_ANGULAR_ACCELERATION,    /* rad/s2 */
    TWIN__UT_ANGULAR_VELOCITY,        /* rad/s */
    TWIN__UT_APPARENT_ENERGY,         /* V.A.s */
    TWIN__UT_APPARENT_POWER,          /* V.A */
    TWIN__UT_AREA,                    /* m2 */
    TWIN__UT_CAPACITANCE,             /* F */
    TWIN__UT_CHARGE,                  /* C */
    TWIN__UT_CURRENT,                 /* A */
    TWIN__UT_DATA_RATE,               /* bit/s */
    TWIN__UT_DATA_SIZE,               /* bit */
    TWIN__UT_DENSITY,                 /* kg/m3 */
    TWIN__UT_DYNAMIC_VISCOSITY,       /* Pa.s */
    TWIN__UT_ENERGY,                  /* J */
    TWIN__UT_FORCE,                   /* N */
    TWIN__UT_FREQUENCY,               /* Hz */
    TWIN__UT_GAS_LEAKAGE_RATE,        /* Pa.m3/s */
    TWIN__UT_ILLUMINANCE,             /* lx */
    TWIN__UT_INDUCTANCE,              /* H */
    TWIN__UT_IONIZING_RADIATION_DOSE, /* Gy, or Sv for TWIN__UNIT_SV units */
    TWIN__UT_IRRADIANCE,              /* W/m2 */
    TWIN__UT_KINEMATIC_VISCOSITY,     /* m2/s */
    TWIN__UT_LENGTH,                  /* m */
    TWIN__UT_LUMINANCE,               /* cd/m2 */
    TWIN__UT_LUMINOUS_FLUX,           /* lm */
    TWIN__UT_LUMINOUS_INTENSITY,      /* cd */
    TWIN__UT_MAGNETIC_FLUX,           /* Wb */
    TWIN__UT_MAGNETIC_INDUCTION,      /* T */
    TWIN__UT_MASS_FLOW_RATE,          /* kg/s */
    TWIN__UT_MASS,                    /* kg */
    TWIN__UT_POWER,                   /* W */
    TWIN__UT_PRESSURE,                /* Pa */
    TWIN__UT_RADIOACTIVITY,           /* Bq */
    TWIN__UT_REACTIVE_ENERGY,         /* var.s */
    TWIN__UT_REACTIVE_POWER,          /* var */
    TWIN__UT_RECIPROCAL_LENGTH,       /* 1/m */
    TWIN__UT_RECIPROCAL_TIME,         /* 1/s */
    TWIN__UT_RESISTANCE,              /* Ohm */
    TWIN__UT_SOUND_PRESSURE,          /* B (a level in bels) */
    TWIN__UT_TEMPERATURE,             /* K */
    TWIN__UT_TIME,                    /* s */
    TWIN__UT_TORQUE,                  /* N.m */
    TWIN__UT_UNITLESS,                /* 1 */
    TWIN__UT_VELOCITY,                /* m/s */
    TWIN__UT_VOLTAGE,                 /* V */
    TWIN__UT_VOLUME_FLOW_RATE,        /* m3/s */
    TWIN__UT_VOLUME,                  /* m3 */
    TWIN__UT_COUNT
};

/* Unit flags. */
enum {
    /* A logarithmic level (bel, decibel): it converts to other levels only,
     * and is not a linear quantity (do not add or average it as one). */
    TWIN__UNIT_LEVEL = 1u << 0,
    /* Equivalent dose (sievert). IonizingRadiationDoseUnit mixes it with
     * absorbed dose (gray); the two do not convert into each other. */
    TWIN__UNIT_SV = 1u << 1,
    /* No conversion factor: twin__unit_convert() refuses the unit. No unit
     * of the current tables carries it. */
    TWIN__UNIT_NOCONV = 1u << 2,
    /* The factor rests on a convention that the DTDL name leaves open (US
     * gallon, mechanical horsepower, Julian year ...; see units.c). */
    TWIN__UNIT_CONVENTIONAL = 1u << 3
};

/* Flags that split a unit type into quantities that do not convert. */
#define TWIN__UNIT_KIND_MASK (TWIN__UNIT_LEVEL | TWIN__UNIT_SV)

/* A unit: an entry of the const unit table, 4 bytes, compact for firmware
 * flash. The name and the factors live in tables of their own: read them with
 * twin__unit_name(), twin__unit_scale() and twin__unit_offset(). A value v in
 * this unit is v * scale + offset in the SI unit of its type; offset is
 * nonzero only for degreeCelsius and degreeFahrenheit (absolute temperatures,
 * not temperature differences). A copy of an entry describes the same unit. */
typedef struct twin__unit {
    unsigned name_at : 11;   /* where the name is, in 2-byte steps (twin__unit_name()) */
    unsigned factor : 7;     /* which scale and offset (twin__unit_scale(), _offset()) */
    unsigned unit_type : 6;  /* enum twin__unit_type_id */
    unsigned flags : 4;      /* TWIN__UNIT_* */
    unsigned versions : 4;   /* TWIN__QT_* where the name is defined */
} twin__unit;

/* A semantic type (co-type of a Property, Telemetry ...); its unit must be
 * of unit_type. Its name: twin__semtype_name(). */
typedef struct twin__semtype {
    uint16_t name_at;     /* where the name is (twin__semtype_name()) */
    uint8_t unit_type;
    uint8_t versions;
} twin__semtype;

/* The DTDL term of a unit (e.g. "degreeCelsius") or of a semantic type (e.g.
 * "Temperature"): a NUL-terminated string in the const tables. */
const char *twin__unit_name(const twin__unit *u);
const char *twin__semtype_name(const twin__semtype *s);

/* The unit's conversion to the SI unit of its type: v * scale + offset. The
 * scales are the doubles nearest to the exact factors (see units.c). */
double twin__unit_scale(const twin__unit *u);
double twin__unit_offset(const twin__unit *u);

/* The entry named name[0..len) (not NUL-terminated) and defined in one of
 * the contexts of the mask where; NULL if there is none. */
const twin__semtype *twin__semtype_find(const char *name, size_t len, unsigned where);
const twin__unit *twin__unit_find(const char *name, size_t len, unsigned where);

/* The whole tables, sorted by name (byte order, as strcmp), names unique. */
const twin__semtype *twin__semtype_table(size_t *n);
const twin__unit *twin__unit_table(size_t *n);

/* The unit type named name[0..len) in one of the contexts of where (the
 * alias EnergyRateUnit gives TWIN__UT_POWER); TWIN__UT_NONE if none. */
uint16_t twin__unit_type_find(const char *name, size_t len, unsigned where);

/* The DTDL name of a unit type (e.g. "TemperatureUnit") and the symbol of
 * its SI unit (e.g. "K"); NULL for TWIN__UT_NONE or out of range. */
const char *twin__unit_type_name(uint16_t unit_type);
const char *twin__unit_type_si(uint16_t unit_type);

/* Convert in from unit `from` to unit `to` into *out.
 * @retval TWIN_OK           Written (exactly in when the units are equal).
 * @retval TWIN_E_INVAL      A pointer is NULL.
 * @retval TWIN_E_CONSTRAINT The units are of different unit types or kinds
 *                           (gray vs sievert), or one has TWIN__UNIT_NOCONV;
 *                           *out is unchanged. */
int twin__unit_convert(const twin__unit *from, const twin__unit *to, double in, double *out);

#endif
