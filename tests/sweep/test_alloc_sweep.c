/* The allocation-failure sweep of libtwin (issue 21): see sweep.h. Run
 * with the version script lib/libtwin.map as argument. */
#include "sweep.h"

static const sw_case *const cases[] = {
    sw_cases_graph,
    sw_cases_ingest,
    sw_cases_sources,
    sw_cases_dtdl,
    sw_cases_health,
    sw_cases_scenario,
    NULL,
};

static const sw_noalloc *const noalloc[] = {
    sw_noalloc_graph,
    sw_noalloc_ingest,
    sw_noalloc_dtdl,
    sw_noalloc_health,
    sw_noalloc_scenario,
    NULL,
};

/* Exported functions without a case yet (printed by the coverage test). */
static const char *const known_missing[] = {
    NULL,
};

int main(int argc, char **argv)
{
    static const sw_tables t = {cases, noalloc, known_missing, NULL, NULL, NULL, NULL};
    return sw_main(&t, argc, argv);
}
