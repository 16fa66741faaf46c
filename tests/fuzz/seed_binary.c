/* Writes binary-form seeds for fuzz_dtdl: each DTDL file given is parsed
 * alone (with the ones before it) and the resolved set saved, prefixed by
 * the byte 0x80 that selects the binary mode of the fuzz target.
 *   seed_binary OUT_DIR FILE... */
#include <twin/twin.h>

#include <stdio.h>
#include <string.h>

static twin_status out(void *ud, const void *p, size_t n)
{
    return fwrite(p, 1, n, ud) == n ? TWIN_OK : TWIN_E_IO;
}

int main(int argc, char **argv)
{
    twin_models *m;
    int i, n = 0;
    if (argc < 3) return 2;
    if (twin_models_create(&m, NULL) != TWIN_OK) return 1;
    for (i = 2; i < argc; i++) {
        twin_models *r;
        char path[4096];
        FILE *f;
        if (twin_models_add_file(m, argv[i]) != TWIN_OK) continue;
        /* a resolved copy of what is in so far: add the files again */
        if (twin_models_create(&r, NULL) != TWIN_OK) break;
        {
            int k;
            for (k = 2; k <= i; k++) twin_models_add_file(r, argv[k]);
        }
        if (twin_models_resolve(r) == TWIN_OK) {
            snprintf(path, sizeof path, "%s/binary-%03d", argv[1], n++);
            if ((f = fopen(path, "wb")) != NULL) {
                fputc(0x80, f);
                twin_models_save(r, out, f);
                fclose(f);
            }
        }
        twin_models_destroy(r);
    }
    twin_models_destroy(m);
    return 0;
}
