/*
 * The C side of kernel-polybench: the thirteen loop nests of src/kernels.rs, written the way a C
 * programmer writes PolyBench-style code, compiled by build.rs with
 * `-O3 -march=native -ffp-contract=off`.
 *
 * Array layout: every matrix is a C99 variable-length-array parameter (`double c[ni][nj]`)
 * whose extents are the run-time size parameters, i.e. a dense row-major block whose row
 * stride is the last extent. That is PolyBench's own form with run-time sizes: the indexing
 * stays `c[i][j]` and gcc knows the row stride exactly, as it would for a flat pointer with a
 * hand-written `i * nj + j`. The Rust wrappers (src/c.rs) check that each ndarray passed in has
 * exactly these extents in standard (row-major, contiguous) layout before calling, so nothing
 * here can index outside its array.
 *
 * No `restrict`: the PolyBench sources do not use it either, so gcc either proves
 * independence or versions loops with run-time overlap checks, as it would for such code.
 *
 * Every expression keeps the operand order of the kernel-language versions (left to right,
 * `x op= y` meaning `x = x op y`), so with contraction off both sides round identically.
 */

#include <math.h>
#include <stdlib.h>

void pb_gemm(int ni, int nj, int nk, double alpha, double beta, double c[ni][nj],
             const double a[ni][nk], const double b[nk][nj])
{
    for (int i = 0; i < ni; i++) {
        for (int j = 0; j < nj; j++)
            c[i][j] *= beta;
        for (int k = 0; k < nk; k++)
            for (int j = 0; j < nj; j++)
                c[i][j] += alpha * a[i][k] * b[k][j];
    }
}

void pb_2mm(int ni, int nj, int nk, int nl, double alpha, double beta, double tmp[ni][nj],
            const double a[ni][nk], const double b[nk][nj], const double c[nj][nl],
            double d[ni][nl])
{
    for (int i = 0; i < ni; i++)
        for (int j = 0; j < nj; j++) {
            tmp[i][j] = 0.0;
            for (int k = 0; k < nk; k++)
                tmp[i][j] += alpha * a[i][k] * b[k][j];
        }
    for (int i = 0; i < ni; i++)
        for (int j = 0; j < nl; j++) {
            d[i][j] *= beta;
            for (int k = 0; k < nj; k++)
                d[i][j] += tmp[i][k] * c[k][j];
        }
}

void pb_syrk(int n, int m, double alpha, double beta, double c[n][n], const double a[n][m])
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++)
            c[i][j] *= beta;
        for (int k = 0; k < m; k++)
            for (int j = 0; j <= i; j++)
                c[i][j] += alpha * a[i][k] * a[j][k];
    }
}

void pb_lu(int n, double a[n][n])
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            for (int k = 0; k < j; k++)
                a[i][j] -= a[i][k] * a[k][j];
            a[i][j] /= a[j][j];
        }
        for (int j = i; j < n; j++)
            for (int k = 0; k < i; k++)
                a[i][j] -= a[i][k] * a[k][j];
    }
}

void pb_cholesky(int n, double a[n][n])
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            for (int k = 0; k < j; k++)
                a[i][j] -= a[i][k] * a[j][k];
            a[i][j] /= a[j][j];
        }
        for (int k = 0; k < i; k++)
            a[i][i] -= a[i][k] * a[i][k];
        a[i][i] = sqrt(a[i][i]);
    }
}

void pb_jacobi_2d(int tsteps, int n, double a[n][n], double b[n][n])
{
    for (int t = 0; t < tsteps; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                b[i][j] = 0.2 * (a[i][j] + a[i][j - 1] + a[i][j + 1] + a[i + 1][j] + a[i - 1][j]);
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                a[i][j] = 0.2 * (b[i][j] + b[i][j - 1] + b[i][j + 1] + b[i + 1][j] + b[i - 1][j]);
    }
}

void pb_fdtd_2d(int tmax, int nx, int ny, double ex[nx][ny], double ey[nx][ny],
                double hz[nx][ny], const double fict[tmax])
{
    for (int t = 0; t < tmax; t++) {
        for (int j = 0; j < ny; j++)
            ey[0][j] = fict[t];
        for (int i = 1; i < nx; i++)
            for (int j = 0; j < ny; j++)
                ey[i][j] = ey[i][j] - 0.5 * (hz[i][j] - hz[i - 1][j]);
        for (int i = 0; i < nx; i++)
            for (int j = 1; j < ny; j++)
                ex[i][j] = ex[i][j] - 0.5 * (hz[i][j] - hz[i][j - 1]);
        for (int i = 0; i < nx - 1; i++)
            for (int j = 0; j < ny - 1; j++)
                hz[i][j] = hz[i][j] - 0.7 * (ex[i][j + 1] - ex[i][j] + ey[i + 1][j] - ey[i][j]);
    }
}

void pb_heat_3d(int tsteps, int n, double a[n][n][n], double b[n][n][n])
{
    for (int t = 1; t <= tsteps; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                for (int k = 1; k < n - 1; k++)
                    b[i][j][k] = 0.125 * (a[i + 1][j][k] - 2.0 * a[i][j][k] + a[i - 1][j][k])
                               + 0.125 * (a[i][j + 1][k] - 2.0 * a[i][j][k] + a[i][j - 1][k])
                               + 0.125 * (a[i][j][k + 1] - 2.0 * a[i][j][k] + a[i][j][k - 1])
                               + a[i][j][k];
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                for (int k = 1; k < n - 1; k++)
                    a[i][j][k] = 0.125 * (b[i + 1][j][k] - 2.0 * b[i][j][k] + b[i - 1][j][k])
                               + 0.125 * (b[i][j + 1][k] - 2.0 * b[i][j][k] + b[i][j - 1][k])
                               + 0.125 * (b[i][j][k + 1] - 2.0 * b[i][j][k] + b[i][j][k - 1])
                               + b[i][j][k];
    }
}

void pb_atax(int m, int n, const double a[m][n], const double x[n], double y[n], double tmp[m])
{
    for (int j = 0; j < n; j++)
        y[j] = 0.0;
    for (int i = 0; i < m; i++) {
        tmp[i] = 0.0;
        for (int j = 0; j < n; j++)
            tmp[i] = tmp[i] + a[i][j] * x[j];
        for (int j = 0; j < n; j++)
            y[j] = y[j] + a[i][j] * tmp[i];
    }
}

/* atax with its scratch vector allocated inside: zeroed by calloc as the kernel's
 * `vec![0.0; m]` is, and `y` zeroed by the caller (the Rust wrapper allocates it, as the
 * kernel allocates the array it returns). */
void pb_atax_scratch(int m, int n, const double a[m][n], const double x[n], double y[n])
{
    double *tmp = calloc(m > 0 ? (size_t)m : 1, sizeof(double));
    if (tmp == NULL)
        abort();
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++)
            tmp[i] = tmp[i] + a[i][j] * x[j];
        for (int j = 0; j < n; j++)
            y[j] = y[j] + a[i][j] * tmp[i];
    }
    free(tmp);
}

/* Shortest paths on `int` weights; the sums cannot overflow for the inputs of src/suite.rs
 * (weights below 1000). */
void pb_floyd_warshall(int n, int path[n][n])
{
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                int through_k = path[i][k] + path[k][j];
                path[i][j] = path[i][j] < through_k ? path[i][j] : through_k;
            }
}

/* PolyBench keeps the scratch vector `z` on the stack at the compile-time size N; with a
 * run-time `n` the C counterpart of the kernel's `vec![0.0; n]` is a heap block (a VLA of
 * `n` doubles could overflow the stack). The wrapper guarantees n >= 1. */
void pb_durbin(int n, const double r[n], double y[n])
{
    double *z = malloc(sizeof(double) * (size_t)n);
    if (z == NULL)
        abort();
    y[0] = -r[0];
    double beta = 1.0;
    double alpha = -r[0];
    for (int k = 1; k < n; k++) {
        beta = (1 - alpha * alpha) * beta;
        double sum = 0.0;
        for (int i = 0; i < k; i++)
            sum += r[k - i - 1] * y[i];
        alpha = -(r[k] + sum) / beta;
        for (int i = 0; i < k; i++)
            z[i] = y[i] + alpha * y[k - i - 1];
        for (int i = 0; i < k; i++)
            y[i] = z[i];
        y[k] = alpha;
    }
    free(z);
}

/* PolyBench's helpers for nussinov: bases are `char`s 0..3 and complementary ones sum to 3. */
#define match(b1, b2) (((b1) + (b2)) == 3 ? 1 : 0)
#define max_score(s1, s2) ((s1 >= s2) ? s1 : s2)

/* As PolyBench writes it, guards included (`j - 1 >= 0` and `i + 1 < n` always hold here;
 * the kernel-language version leaves them out). `unsigned char` is the Rust side's `u8`. */
void pb_nussinov(int n, const unsigned char seq[n], int table[n][n])
{
    for (int i = n - 1; i >= 0; i--) {
        for (int j = i + 1; j < n; j++) {
            if (j - 1 >= 0)
                table[i][j] = max_score(table[i][j], table[i][j - 1]);
            if (i + 1 < n)
                table[i][j] = max_score(table[i][j], table[i + 1][j]);
            if (j - 1 >= 0 && i + 1 < n) {
                /* adjacent bases may not bond */
                if (i < j - 1)
                    table[i][j] = max_score(table[i][j], table[i + 1][j - 1] + match(seq[i], seq[j]));
                else
                    table[i][j] = max_score(table[i][j], table[i + 1][j - 1]);
            }
            for (int k = i + 1; k < j; k++)
                table[i][j] = max_score(table[i][j], table[i][k] + table[k + 1][j]);
        }
    }
}
