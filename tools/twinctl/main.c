/* twinctl: the libtwin command-line tool. Dispatches to one command. */
#include "cli.h"

#include <twin/twin.h>

#include <string.h>

static const char help[] =
    "Usage: twinctl COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Commands:\n"
    "  validate FILE_OR_DIR...   check DTDL models; errors as FILE:LINE:COLUMN\n"
    "  import GRAPH_FILE         load a bulk-import (NDJSON) graph, validated\n"
    "                            against its models, into the store\n"
    "  export                    write the store in the bulk-import format\n"
    "  ingest CSV_FILE           replay telemetry into the store\n"
    "  health [TWIN...]          health, RUL and divergence per signal, worst first\n"
    "  impact TWIN               the twins affected by TWIN: depth, impact, path\n"
    "  dot                       the graph as Graphviz DOT (--svg FILE renders it)\n"
    "  whatif                    fork the plant, change it, run both forward, compare\n"
    "  tiers                     retention policies, and per tier what is stored\n"
    "                            and its bytes (--policy sets one)\n"
    "  state --at TIME           every signal's value at an instant, with its age\n"
    "  clocks [PAIRS_CSV]        the sources' clocks: offset, skew, uncertainty\n"
    "  forward                   send the store's samples to InfluxDB or PostgreSQL,\n"
    "                            resuming where it confirmed (--influx URL --db NAME,\n"
    "                            --postgres CONNINFO)\n"
    "  watch --broker HOST:PORT  a broker's Sparkplug B traffic, as twins: births,\n"
    "                            deaths, metrics with units, seq gaps, stale twins\n"
    "\n"
    "'twinctl COMMAND --help' describes a command. The store is a SQLite\n"
    "database (libtwin-sqlite): -d DB, default ./twin.db.\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version of twinctl and of libtwin\n"
    "\n"
    "Exit status: 0 success, 1 errors in the input or a failed command,\n"
    "2 a wrong command line.\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"validate", cmd_validate}, {"import", cmd_import}, {"export", cmd_export},
    {"impact", cmd_impact},     {"dot", cmd_dot},       {"ingest", cmd_ingest},
    {"health", cmd_health},     {"whatif", cmd_whatif},
    {"tiers", cmd_tiers},       {"state", cmd_state},   {"clocks", cmd_clocks},
    {"forward", cmd_forward},   {"watch", cmd_watch},
};

int main(int argc, char **argv)
{
    size_t k;
    if (argc < 2) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        fputs(help, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("twinctl %s (libtwin %s)\n", TWIN_VERSION_STRING, twin_version());
        return 0;
    }
    for (k = 0; k < sizeof commands / sizeof *commands; k++)
        if (strcmp(argv[1], commands[k].name) == 0) return commands[k].run(argc - 1, argv + 1);
    fprintf(stderr, "twinctl: unknown command '%s'\nTry 'twinctl --help'.\n", argv[1]);
    return EXIT_USAGE;
}
