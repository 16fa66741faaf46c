/* twinctl validate: DTDL lint of files and directories. */
#include "cli.h"
#include "diag.h"
#include "files.h"

#include <twin/twin.h>

#include <string.h>

static const char help[] =
    "Usage: twinctl validate [OPTIONS] FILE_OR_DIR...\n"
    "\n"
    "Check DTDL models: load every file given and every .json file under the\n"
    "directories given (recursively) into one model set, then resolve it.\n"
    "Exit 0 when every model resolves; otherwise print every error as\n"
    "  FILE:LINE:COLUMN: error CODE: MESSAGE\n"
    "on stderr and exit 1. CODE is the official DTDL parser's validation\n"
    "identifier (e.g. invalidId), or a twin.* code for libtwin's own rules.\n"
    "\n"
    "Options:\n"
    "  --allow-undefined-extensions  accept co-types and properties that no\n"
    "                                loaded context defines\n"
    "  --max-dtdl-version N          refuse DTDL versions above N (2, 3 or 4)\n"
    "  --json                        print the errors as a JSON array on stdout\n"
    "                                ([] when there are none)\n"
    "  -h, --help                    show this help\n";

static int load(twin_models *m, const char *path, diag_sink *d, size_t *nfiles)
{
    twin_status s = twin_models_add_file(m, path);
    size_t n;
    (*nfiles)++;
    if (s == TWIN_OK) return 0;
    n = diag_report_models(d, m, 0);
    if (n == 0) {
        /* No diagnostic: the file could not be read at all. */
        twin_error err = twin_models_last_error(m);
        const char *msg = err.message;
        size_t plen = strlen(path);
        if (strncmp(msg, path, plen) == 0 && msg[plen] == ':') msg += plen + 2;
        diag_report(d, path, 0, 0, s == TWIN_E_IO ? "twin.io" : "twin.badFile", msg, NULL, NULL,
                    NULL);
    }
    return -1;
}

int cmd_validate(int argc, char **argv)
{
    model_options mo = {NULL, 0, 0};
    twin_models_options o;
    twin_models *m;
    diag_sink d;
    path_list files = {0};
    int json = 0, i, r, failed = 0, only_args = 0, npaths = 0;
    size_t k, nfiles = 0;
    twin_status s;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_args && cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        }
        if (!only_args && strcmp(a, "--") == 0) {
            only_args = 1;
        } else if (!only_args && strcmp(a, "--json") == 0) {
            json = 1;
        } else if (!only_args && (r = cli_model_option(argv[0], argc, argv, &i, &mo, 0)) != 0) {
            if (r < 0) return EXIT_USAGE;
        } else if (!only_args && a[0] == '-' && a[1]) {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else {
            /* A path that cannot be read is reported with the others. */
            if (files_collect_json(&files, a) != 0) path_list_add(&files, a);
            npaths++;
        }
    }
    if (npaths == 0) return cli_usage(argv[0], "no file or directory given");
    if (files.n == 0) return cli_error("no .json file found in what was given");

    twin_models_options_init(&o);
    o.flags = mo.flags;
    if (mo.max_dtdl_version) o.max_dtdl_version = mo.max_dtdl_version;
    if ((s = twin_models_create(&m, &o)) != TWIN_OK) {
        path_list_free(&files);
        return cli_error("cannot create a model set: %s", twin_strerror(s));
    }
    diag_begin(&d, json ? stdout : stderr, json);
    for (k = 0; k < files.n; k++)
        if (load(m, files.paths[k], &d, &nfiles) != 0) failed = 1;
    /* Resolve even after errors, so that every problem is reported at once. */
    if ((s = twin_models_resolve(m)) != TWIN_OK) {
        if (diag_report_models(&d, m, 0) == 0)
            diag_report(&d, "", 0, 0, "twin.unresolved", twin_models_last_error(m).message, NULL,
                        NULL, NULL);
        failed = 1;
    }
    diag_end(&d);
    if (!failed && !json)
        printf("%lu file%s, %lu interface%s: every model resolves\n", (unsigned long)nfiles,
               nfiles == 1 ? "" : "s", (unsigned long)twin_models_interface_count(m),
               twin_models_interface_count(m) == 1 ? "" : "s");
    else if (failed && !json)
        fprintf(stderr, "twinctl validate: %lu error%s\n", (unsigned long)d.count,
                d.count == 1 ? "" : "s");
    twin_models_destroy(m);
    path_list_free(&files);
    return failed ? 1 : 0;
}
