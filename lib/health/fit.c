/* Learning a fleet's prior and failure level from run-to-failure histories. */
#include "health/health_int.h"

#include <string.h>

int twin__cholesky_solve(double *A, double *b, unsigned n)
{
    /* A = G G' (G lower, stored over A's lower triangle) */
    for (unsigned j = 0; j < n; j++) {
        double d = A[j * n + j];
        for (unsigned k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
        if (!(d > 0) || !isfinite(d)) return 0;
        d = sqrt(d);
        A[j * n + j] = d;
        for (unsigned i = j + 1; i < n; i++) {
            double x = A[i * n + j];
            for (unsigned k = 0; k < j; k++) x -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = x / d;
        }
    }
    for (unsigned i = 0; i < n; i++) { /* G y = b */
        double x = b[i];
        for (unsigned k = 0; k < i; k++) x -= A[i * n + k] * b[k];
        b[i] = x / A[i * n + i];
    }
    for (unsigned i = n; i-- > 0;) { /* G' x = y */
        double x = b[i];
        for (unsigned k = i + 1; k < n; k++) x -= A[k * n + i] * b[k];
        b[i] = x / A[i * n + i];
    }
    return 1;
}

/* Least-squares line of one run in model space, time centred for accuracy.
 * Out: x0, x1 (time zero at the first sample), residual sum of squares, and
 * the fitted value at the last sample. */
typedef struct run_fit {
    double x0, x1, ssr, y_end;
} run_fit;

static twin_status fit_run(const twin_health_run *r, int32_t kind, double phi, run_fit *f,
                           twin_error *err)
{
    double st = 0, sy = 0, tm, ym, stt = 0, sty = 0, ssr = 0, n;
    if (!r->t_us || !r->v) return twin__hfail(err, TWIN_E_INVAL, "a run has NULL arrays");
    if (r->n < 3) return twin__hfail(err, TWIN_E_INVAL, "a run has fewer than 3 samples");
    n = (double)r->n;
    for (size_t i = 0; i < r->n; i++) {
        double y;
        if (i > 0 && r->t_us[i] < r->t_us[i - 1])
            return twin__hfail(err, TWIN_E_INVAL, "time goes backwards in a run");
        if (!twin__finite(r->v[i])) return twin__hfail(err, TWIN_E_INVAL, "a value is not finite");
        if (!twin__health_to_model(kind, phi, r->v[i], &y))
            return twin__hfail(err, TWIN_E_RANGE,
                               "a value is at or below phi (the exponential model takes its log)");
        st += (double)(r->t_us[i] - r->t_us[0]) * 1e-6;
        sy += y;
    }
    tm = st / n;
    ym = sy / n;
    for (size_t i = 0; i < r->n; i++) {
        double t = (double)(r->t_us[i] - r->t_us[0]) * 1e-6 - tm, y = 0;
        twin__health_to_model(kind, phi, r->v[i], &y);
        stt += t * t;
        sty += t * (y - ym);
    }
    if (!(stt > 0)) return twin__hfail(err, TWIN_E_INVAL, "a run has all its samples at one time");
    f->x1 = sty / stt;
    f->x0 = ym - f->x1 * tm;
    for (size_t i = 0; i < r->n; i++) {
        double t = (double)(r->t_us[i] - r->t_us[0]) * 1e-6, y = 0, e;
        twin__health_to_model(kind, phi, r->v[i], &y);
        e = y - (f->x0 + f->x1 * t);
        ssr += e * e;
    }
    f->ssr = ssr;
    f->y_end = f->x0 + f->x1 * (double)(r->t_us[r->n - 1] - r->t_us[0]) * 1e-6;
    return TWIN_OK;
}

twin_status twin_health_fit_prior(twin_health_options *o, const twin_health_run *runs,
                                  size_t nruns, twin_error *err)
{
    double mean[2] = {0, 0}, C[3] = {0, 0, 0}, ssr = 0, dof = 0, yend = 0, k, cov[4], L[3];
    double level, baseline;
    twin_health_options d;
    twin_health_options *io = o;  /* the caller's: written at the end, within its size */
    twin_status st;
    if (!o || !runs) return twin__hfail(err, TWIN_E_INVAL, "options or runs are NULL");
    twin_health_options_init(&d);
    if ((st = twin__sized_in(&d, sizeof d, o)) != TWIN_OK)
        return twin__hfail(err, st, st == TWIN_E_ABI ? "options size is unknown to this library"
                                                     : "options size is too small");
    o = &d;
    if (o->model != TWIN_HEALTH_EXPONENTIAL && o->model != TWIN_HEALTH_LINEAR)
        return twin__hfail(err, TWIN_E_INVAL, "only the built-in models can be fitted");
    if (!twin__finite(o->phi)) return twin__hfail(err, TWIN_E_INVAL, "phi must be finite");
    if (nruns < 2) return twin__hfail(err, TWIN_E_INVAL, "fitting needs at least 2 runs");
    /* two passes: means, then the covariance about them (no cancellation) */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < nruns; i++) {
            run_fit f;
            if ((st = fit_run(&runs[i], o->model, o->phi, &f, err)) < 0) return st;
            if (pass == 0) {
                mean[0] += f.x0;
                mean[1] += f.x1;
                ssr += f.ssr;
                dof += (double)runs[i].n - 2;
                yend += f.y_end;
            } else {
                double a = f.x0 - mean[0], b = f.x1 - mean[1];
                C[0] += a * a;
                C[1] += a * b;
                C[2] += b * b;
            }
        }
        if (pass == 0) {
            mean[0] /= (double)nruns;
            mean[1] /= (double)nruns;
            yend /= (double)nruns;
        }
    }
    k = (double)nruns - 1;
    cov[0] = C[0] / k;
    cov[1] = cov[2] = C[1] / k;
    cov[3] = C[2] / k;
    if (!twin__kf_info(cov, L))
        return twin__hfail(err, TWIN_E_RANGE,
                           "the covariance of the runs' parameters is singular");
    if (!(ssr > 0) || !twin__finite(ssr / dof))
        return twin__hfail(err, TWIN_E_RANGE, "the residual variance is zero");
    level = twin__health_from_model(o->model, o->phi, yend);
    baseline = twin__health_from_model(o->model, o->phi, mean[0]);
    if ((st = twin__health_check_level(o->model, o->phi, baseline, level, err)) < 0) return st;
    o->prior_mean[0] = mean[0];
    o->prior_mean[1] = mean[1];
    memcpy(o->prior_cov, cov, sizeof cov);
    o->noise = ssr / dof;
    o->failure_level = level;
    return twin__sized_out(io, o, sizeof *o);
}
