/* The two-state Kalman filter of the built-in models, in information form.
 *
 * The parameters x = (x0, x1) have a Gaussian posterior with mean m and
 * information matrix L = P^-1 (three numbers: L00, L01, L11). A sample
 * y = x0 + x1 t + e, e ~ N(0, r), with h = (1, t), updates it exactly:
 *
 *     L' = L + h h' / r,      m' = m + L'^-1 h (y - h'm) / r,
 *
 * which is the Kalman update written with the inverse covariance. Adding
 * information is a sum of positive semi-definite terms, so a vague prior
 * and many samples lose no precision to cancellation, and after n samples
 * L' m' = L0 m0 + sum h_i y_i / r exactly as in batch least squares. */
#include "health/health_int.h"

static int inv2(const double A[3], double B[3])
{
    double det = A[0] * A[2] - A[1] * A[1];
    if (!(det > 0) || !isfinite(det) || !(A[0] > 0)) return 0;
    B[0] = A[2] / det;
    B[1] = -A[1] / det;
    B[2] = A[0] / det;
    return isfinite(B[0]) && isfinite(B[1]) && isfinite(B[2]);
}

int twin__kf_update(double m[2], double L[3], double t, double y, double r)
{
    return twin__kf_update_in(m, L, t, y, r);
}

int twin__kf_cov(const double L[3], double P[3])
{
    return inv2(L, P);
}

int twin__kf_inflate(double L[3], const double q[2], double dt)
{
    double P[3], N[3];
    if (!(dt > 0) || (q[0] == 0 && q[1] == 0)) return 1;
    if (!inv2(L, P)) return 0;
    P[0] += q[0] * dt;
    P[2] += q[1] * dt;
    if (!inv2(P, N)) return 0;
    L[0] = N[0];
    L[1] = N[1];
    L[2] = N[2];
    return 1;
}

int twin__kf_info(const double cov[4], double L[3])
{
    double P[3], scale = fabs(cov[0]) + fabs(cov[3]);
    if (fabs(cov[1] - cov[2]) > 1e-12 * scale) return 0;
    P[0] = cov[0];
    P[1] = 0.5 * (cov[1] + cov[2]);
    P[2] = cov[3];
    if (!(P[0] > 0) || !(P[2] > 0)) return 0;
    /* positive definite with a margin: det > eps * P00 * P11 */
    if (!(P[0] * P[2] - P[1] * P[1] > 1e-14 * P[0] * P[2])) return 0;
    return inv2(P, L);
}
