/* The factory plant's signals (examples/factory/models): the telemetry of
 * each twin's model, inherited contents included, in a fixed order. Also
 * the small utilities (random numbers, time) of the soak. */
#define _POSIX_C_SOURCE 200809L
#include "soak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t soak_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t soak_rand(uint64_t *s)
{
    return soak_mix(*s += 0x9e3779b97f4a7c15ull);
}

uint64_t soak_below(uint64_t *s, uint64_t n)
{
    return n ? soak_rand(s) % n : 0;
}

double soak_unit(uint64_t *s)
{
    return (double)(soak_rand(s) >> 11) / 9007199254740992.0;
}

int64_t soak_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void soak_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) continue;
}

uint64_t soak_sample_hash(int64_t t, double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return soak_mix((uint64_t)t ^ soak_mix(b + 0x51ed2701u));
}

typedef struct tele {
    const char *name, *unit;
    double base;
    int health;
} tele;

typedef struct model {
    const char *id;
    tele t[7];
} model;

/* The telemetry of examples/factory/models (Machine's operatingHours is
   inherited by Motor, WeldingRobot and EnvironmentalSensor). */
static const model models[] = {
    {"dtmi:libtwin:factory:ConveyorSegment;1",
     {{"beltSpeed", "metrePerSecond", 1.2, 0}, {"load", "kilogram", 180, 0}}},
    {"dtmi:libtwin:factory:EnvironmentalSensor;1",
     {{"operatingHours", "hour", 12000, 0}, {"temperature", "degreeCelsius", 24, 1},
      {"humidity", "percent", 45, 0}, {"pressure", "hectopascal", 1013, 0},
      {"noise", "decibel", 72, 0}}},
    {"dtmi:libtwin:factory:InspectionZone;1",
     {{"inspected", NULL, 5000, 0}, {"defects", NULL, 12, 0}, {"illuminance", "lux", 800, 0}}},
    {"dtmi:libtwin:factory:Motor;1",
     {{"operatingHours", "hour", 30000, 0}, {"vibration", "gForce", 0.8, 1},
      {"temperature", "degreeCelsius", 55, 1}, {"current", "ampere", 14, 0},
      {"speed", "revolutionPerMinute", 1450, 0}, {"power", "kilowatt", 7.5, 0}}},
    {"dtmi:libtwin:factory:ProductionStation;1",
     {{"cycleTime", "second", 58, 0}, {"power", "kilowatt", 22, 0},
      {"partsCompleted", NULL, 900, 0}}},
    {"dtmi:libtwin:factory:WeldingRobot;1",
     {{"operatingHours", "hour", 20000, 0}, {"weldCurrent", "ampere", 180, 0},
      {"wireFeedSpeed", "centimetrePerSecond", 15, 0},
      {"jointTemperature", "degreeCelsius", 380, 1}, {"vibration", "gForce", 1.5, 1},
      {"power", "kilowatt", 12, 0}}},
};

size_t soak_plant_signals(twin_graph *g, soak_signal **out)
{
    twin_cursor c;
    const char *id, *mid;
    soak_signal *v = NULL;
    size_t n = 0, cap = 0, m, k;
    *out = NULL;
    if (twin_graph_twins_begin(g, &c) != TWIN_OK) return 0;
    while (twin_graph_twins_next(g, &c, &id, &mid) == TWIN_OK) {
        for (m = 0; m < sizeof models / sizeof models[0]; m++)
            if (strcmp(models[m].id, mid) == 0) break;
        if (m == sizeof models / sizeof models[0]) continue;
        for (k = 0; k < 7 && models[m].t[k].name; k++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                v = realloc(v, cap * sizeof *v);
                if (!v) abort();
            }
            memset(&v[n], 0, sizeof v[n]);
            snprintf(v[n].twin, sizeof v[n].twin, "%s", id);
            v[n].name = models[m].t[k].name;
            v[n].unit = models[m].t[k].unit;
            v[n].base = models[m].t[k].base;
            v[n].health = models[m].t[k].health;
            n++;
        }
    }
    *out = v;
    return n;
}
