/* Streaming alignment (issue 18): 64 signals sampled at 1 Hz, each with its
 * own phase, 50 ms of jitter and 1% of its samples missing, aligned onto a
 * 1 s grid with the linear policy (tolerance 1.5 s): output rows per second
 * on one core (twin_align_push() and twin_align_next(), samples handed in
 * per second of data, rows drained as they become final), then pandas
 * merge_asof over the same data in a child process (bench/align_pandas.py,
 * Debian's python3-pandas), with the checksums of both compared for the
 * linear and the previous policies.
 *
 * Usage: bench_align [ROWS [RUNS]]   defaults 50000 3 */
#include <twin/twin.h>

#include "bench_py.h"
#include "bench_util.h"
#include "clock_sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 64
#define T0 INT64_C(1751328000000000)
#define SEC INT64_C(1000000)
#define TOL (3 * SEC / 2)

typedef struct data {
    twin_align_sample *s;  /* in arrival order, per second of data */
    size_t n;
    size_t *sec_end;       /* end of each second's samples */
    long secs;
} data;

static void make(data *d, long rows, sim_rng *r)
{
    double level[NS];
    int64_t phase[NS];
    d->secs = rows + 3;
    d->s = malloc(sizeof *d->s * (size_t)d->secs * NS);
    d->sec_end = malloc(sizeof *d->sec_end * (size_t)d->secs);
    d->n = 0;
    for (int i = 0; i < NS; i++) {
        level[i] = 100 * sim_unif(r);
        phase[i] = (int64_t)(sim_unif(r) * 900000);
    }
    for (long k = 0; k < d->secs; k++) {
        for (int i = 0; i < NS; i++) {
            level[i] += sim_unif(r) - 0.5;
            if (sim_unif(r) < 0.01) continue;
            d->s[d->n].signal = (uint32_t)i;
            d->s[d->n].reserved_ = 0;
            d->s[d->n].t_us = T0 + k * SEC + phase[i] + (int64_t)(sim_unif(r) * 50000);
            d->s[d->n].value = level[i];
            d->n++;
        }
        d->sec_end[k] = d->n;
    }
}

/* One run: seconds taken; covered values and their sum. */
static double run(const data *d, long rows, int32_t policy, long *count, double *sum)
{
    twin_align *a;
    twin_align_options o;
    twin_series_value row[NS];
    long got = 0, cnt = 0;
    double sm = 0, t;
    size_t from = 0;
    int64_t at;
    twin_align_options_init(&o);
    o.nsignals = NS;
    o.policy = policy;
    o.start_us = T0;
    o.step_us = SEC;
    o.tolerance_us = TOL;
    if (twin_align_create(&a, &o, NULL) != TWIN_OK) abort();
    t = bench_now_s();
    for (long k = 0; k < d->secs && got < rows; k++) {
        twin_align_push(a, d->s + from, d->sec_end[k] - from, NULL);
        from = d->sec_end[k];
        while (got < rows && twin_align_next(a, &at, row) == TWIN_OK) {
            for (int i = 0; i < NS; i++)
                if (!(row[i].flags & TWIN_SERIES_UNCOVERED)) {
                    cnt++;
                    sm += row[i].value;
                }
            got++;
        }
    }
    t = bench_now_s() - t;
    if (got != rows) {
        fprintf(stderr, "bench_align: %ld rows of %ld\n", got, rows);
        exit(1);
    }
    twin_align_destroy(a);
    *count = cnt;
    *sum = sm;
    return t;
}

static int write_data(FILE *fp, const data *d, long rows)
{
    int64_t hdr[5] = {NS, rows, T0, SEC, TOL};
    fwrite("TWA1", 1, 4, fp);
    fwrite(hdr, sizeof hdr, 1, fp);
    for (int i = 0; i < NS; i++) {
        int64_t n = 0;
        for (size_t j = 0; j < d->n; j++) n += d->s[j].signal == (uint32_t)i;
        fwrite(&n, sizeof n, 1, fp);
        for (size_t j = 0; j < d->n; j++)
            if (d->s[j].signal == (uint32_t)i) fwrite(&d->s[j].t_us, 8, 1, fp);
        for (size_t j = 0; j < d->n; j++)
            if (d->s[j].signal == (uint32_t)i) fwrite(&d->s[j].value, 8, 1, fp);
    }
    return fclose(fp) == 0;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 50000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    double ts[16], med, rate;
    long cnt = 0, pcnt = 0;
    double sum = 0, psum = 0;
    sim_rng r = {2024};
    data d;
    if (rows < 1 || runs < 1 || runs > 16) return 2;
    make(&d, rows, &r);
    for (int k = 0; k < runs; k++) ts[k] = run(&d, rows, TWIN_SERIES_LINEAR, &cnt, &sum);
    med = bench_median(ts, runs);
    rate = (double)rows / med;
    run(&d, rows, TWIN_SERIES_PREVIOUS, &pcnt, &psum);
    printf("%d signals at 1 Hz (1%% missing, 50 ms jitter) onto a 1 s grid, linear, "
           "tolerance 1.5 s: %ld rows, %ld values covered\n", NS, rows, cnt);
    printf("libtwin: %.1f ms (median of %d), %.2f million rows/s, %.1f ns per value\n",
           med * 1e3, runs, rate / 1e6, med / ((double)rows * NS) * 1e9);
    printf("bench: align_rows_per_s %.0f rows/s\n", rate);
    {
        const char *py, *script;
        char path[512], cmd[1400], line[256];
        FILE *fp = bench_py_open("pandas", "ALIGN_PANDAS_PY", ALIGN_PANDAS_PY, "bench_align", &py,
                                 &script, path, sizeof path);
        if (fp && write_data(fp, &d, rows)) {
            FILE *p;
            double psec = 0;
            long lc = -1, pc = -1;
            double ls = 0, pps = 0;
            snprintf(cmd, sizeof cmd, "%s %s %s %d", py, script, path, runs);
            if ((p = popen(cmd, "r"))) {
                while (fgets(line, sizeof line, p)) {
                    if (!strncmp(line, "pandas ", 7)) printf("%s", line);
                    else if (!strncmp(line, "skipped", 7)) printf("pandas: %s", line);
                    sscanf(line, "seconds_linear %lf", &psec);
                    sscanf(line, "linear %ld %lf", &lc, &ls);
                    sscanf(line, "previous %ld %lf", &pc, &pps);
                }
                pclose(p);
            }
            unlink(path);
            if (psec > 0) {
                int same = lc == cnt && fabs(ls - sum) <= 1e-9 * fabs(sum) && pc == pcnt &&
                           fabs(pps - psum) <= 1e-9 * fabs(psum);
                printf("pandas merge_asof (backward and forward, then linear): %.1f ms, "
                       "%.3f million rows/s\n", psec * 1e3, rows / psec / 1e6);
                printf("same values as pandas (linear and previous: counts %ld/%ld, %ld/%ld): %s\n",
                       cnt, lc, pcnt, pc, same ? "yes" : "NO");
                printf("bench: align_vs_pandas %.1f x\n", psec / med);
                if (!same) return 1;
            }
        } else if (fp) {
            unlink(path);
        }
    }
    free(d.s);
    free(d.sec_end);
    return 0;
}
