//! The thirteen loop nests in the kernel language, written once for all three tiers.
//!
//! `#[kernel]` compiles the module below to native Rust (`polybench::gemm(..)` and so on,
//! each returning `Result<(), KernelError>`, or `Result<Array1<f64>, KernelError>` for
//! `atax_scratch`, which returns the array it allocates), and keeps its text as `polybench::SOURCE`, so
//! `polybench::module(options)` runs the very same functions in the interpreter or the JIT,
//! with runtime errors located at the lines and columns of this file.
//!
//! The loop orders are PolyBench's (`c/polybench.c` has the same nests), and each expression
//! keeps the C's operand order, so every tier performs the same IEEE operations as gcc's code
//! compiled with `-ffp-contract=off` and the results agree bit for bit.

use kernel_runtime::kernel;

#[kernel]
pub mod polybench {
    use ndarray::{Array1, Array2, Array3, ArrayView2};

    /// `C := alpha * A * B + beta * C`, row by row: scale row `i` of `C`, then add
    /// `alpha * A[i][k] * B[k][..]` for each `k` (the j loop innermost, along rows of `B`).
    pub fn gemm(
        ni: usize,
        nj: usize,
        nk: usize,
        alpha: f64,
        beta: f64,
        c: &mut Array2<f64>,
        a: ArrayView2<f64>,
        b: ArrayView2<f64>,
    ) {
        for i in 0..ni {
            for j in 0..nj {
                c[[i, j]] *= beta;
            }
            for k in 0..nk {
                for j in 0..nj {
                    c[[i, j]] += alpha * a[[i, k]] * b[[k, j]];
                }
            }
        }
    }

    /// Two chained products, `D := alpha * A * B * C + beta * D`, through `tmp = alpha * A * B`;
    /// each element is a dot product accumulated in place (the k loop innermost).
    pub fn two_mm(
        ni: usize,
        nj: usize,
        nk: usize,
        nl: usize,
        alpha: f64,
        beta: f64,
        tmp: &mut Array2<f64>,
        a: ArrayView2<f64>,
        b: ArrayView2<f64>,
        c: ArrayView2<f64>,
        d: &mut Array2<f64>,
    ) {
        for i in 0..ni {
            for j in 0..nj {
                tmp[[i, j]] = 0.0;
                for k in 0..nk {
                    tmp[[i, j]] += alpha * a[[i, k]] * b[[k, j]];
                }
            }
        }
        for i in 0..ni {
            for j in 0..nl {
                d[[i, j]] *= beta;
                for k in 0..nj {
                    d[[i, j]] += tmp[[i, k]] * c[[k, j]];
                }
            }
        }
    }

    /// Symmetric rank-m update of the lower triangle: `C := alpha * A * A^T + beta * C`.
    pub fn syrk(
        n: usize,
        m: usize,
        alpha: f64,
        beta: f64,
        c: &mut Array2<f64>,
        a: ArrayView2<f64>,
    ) {
        for i in 0..n {
            for j in 0..=i {
                c[[i, j]] *= beta;
            }
            for k in 0..m {
                for j in 0..=i {
                    c[[i, j]] += alpha * a[[i, k]] * a[[j, k]];
                }
            }
        }
    }

    /// In-place LU decomposition without pivoting (Doolittle: unit lower triangle below the
    /// diagonal, upper triangle on and above it).
    pub fn lu(n: usize, a: &mut Array2<f64>) {
        for i in 0..n {
            for j in 0..i {
                for k in 0..j {
                    a[[i, j]] -= a[[i, k]] * a[[k, j]];
                }
                a[[i, j]] /= a[[j, j]];
            }
            for j in i..n {
                for k in 0..i {
                    a[[i, j]] -= a[[i, k]] * a[[k, j]];
                }
            }
        }
    }

    /// In-place Cholesky factor of a symmetric positive-definite matrix: the lower triangle
    /// becomes `L` with `A = L * L^T` (the upper triangle is left as it was).
    pub fn cholesky(n: usize, a: &mut Array2<f64>) {
        for i in 0..n {
            for j in 0..i {
                for k in 0..j {
                    a[[i, j]] -= a[[i, k]] * a[[j, k]];
                }
                a[[i, j]] /= a[[j, j]];
            }
            for k in 0..i {
                a[[i, i]] -= a[[i, k]] * a[[i, k]];
            }
            a[[i, i]] = a[[i, i]].sqrt();
        }
    }

    /// `tsteps` double sweeps of the 5-point Jacobi average over the interior: `A` into `B`,
    /// then `B` back into `A`.
    pub fn jacobi_2d(tsteps: usize, n: usize, a: &mut Array2<f64>, b: &mut Array2<f64>) {
        for _ in 0..tsteps {
            for i in 1..n - 1 {
                for j in 1..n - 1 {
                    b[[i, j]] = 0.2
                        * (a[[i, j]]
                            + a[[i, j - 1]]
                            + a[[i, j + 1]]
                            + a[[i + 1, j]]
                            + a[[i - 1, j]]);
                }
            }
            for i in 1..n - 1 {
                for j in 1..n - 1 {
                    a[[i, j]] = 0.2
                        * (b[[i, j]]
                            + b[[i, j - 1]]
                            + b[[i, j + 1]]
                            + b[[i + 1, j]]
                            + b[[i - 1, j]]);
                }
            }
        }
    }

    /// A 2-D finite-difference time-domain (Yee) scheme: each of `tmax` steps sets the source
    /// row of `ey` from `fict[t]`, updates the electric fields `ey` and `ex` from the magnetic
    /// field `hz`, then `hz` from the new electric fields.
    pub fn fdtd_2d(
        tmax: usize,
        nx: usize,
        ny: usize,
        ex: &mut Array2<f64>,
        ey: &mut Array2<f64>,
        hz: &mut Array2<f64>,
        fict: &[f64],
    ) {
        for t in 0..tmax {
            for j in 0..ny {
                ey[[0, j]] = fict[t];
            }
            for i in 1..nx {
                for j in 0..ny {
                    ey[[i, j]] = ey[[i, j]] - 0.5 * (hz[[i, j]] - hz[[i - 1, j]]);
                }
            }
            for i in 0..nx {
                for j in 1..ny {
                    ex[[i, j]] = ex[[i, j]] - 0.5 * (hz[[i, j]] - hz[[i, j - 1]]);
                }
            }
            for i in 0..nx - 1 {
                for j in 0..ny - 1 {
                    hz[[i, j]] = hz[[i, j]]
                        - 0.7 * (ex[[i, j + 1]] - ex[[i, j]] + ey[[i + 1, j]] - ey[[i, j]]);
                }
            }
        }
    }

    /// `tsteps` double sweeps of the 7-point heat equation stencil over the interior of a
    /// cube: `A` into `B`, then `B` back into `A`.
    pub fn heat_3d(tsteps: usize, n: usize, a: &mut Array3<f64>, b: &mut Array3<f64>) {
        for _ in 1..=tsteps {
            for i in 1..n - 1 {
                for j in 1..n - 1 {
                    for k in 1..n - 1 {
                        b[[i, j, k]] = 0.125
                            * (a[[i + 1, j, k]] - 2.0 * a[[i, j, k]] + a[[i - 1, j, k]])
                            + 0.125 * (a[[i, j + 1, k]] - 2.0 * a[[i, j, k]] + a[[i, j - 1, k]])
                            + 0.125 * (a[[i, j, k + 1]] - 2.0 * a[[i, j, k]] + a[[i, j, k - 1]])
                            + a[[i, j, k]];
                    }
                }
            }
            for i in 1..n - 1 {
                for j in 1..n - 1 {
                    for k in 1..n - 1 {
                        a[[i, j, k]] = 0.125
                            * (b[[i + 1, j, k]] - 2.0 * b[[i, j, k]] + b[[i - 1, j, k]])
                            + 0.125 * (b[[i, j + 1, k]] - 2.0 * b[[i, j, k]] + b[[i, j - 1, k]])
                            + 0.125 * (b[[i, j, k + 1]] - 2.0 * b[[i, j, k]] + b[[i, j, k - 1]])
                            + b[[i, j, k]];
                    }
                }
            }
        }
    }

    /// `y := A^T * (A * x)`, one row of `A` at a time: `tmp[i]` is row `i` times `x`, then
    /// that row scaled by `tmp[i]` is added into `y`.
    pub fn atax(m: usize, n: usize, a: ArrayView2<f64>, x: &[f64], y: &mut [f64], tmp: &mut [f64]) {
        for j in 0..n {
            y[j] = 0.0;
        }
        for i in 0..m {
            tmp[i] = 0.0;
            for j in 0..n {
                tmp[i] = tmp[i] + a[[i, j]] * x[j];
            }
            for j in 0..n {
                y[j] = y[j] + a[[i, j]] * tmp[i];
            }
        }
    }

    /// `atax` as a new user would write it: the same nest, but the intermediate `A * x` is
    /// the kernel's own scratch vector and `y` its result, both allocated inside (and so
    /// starting at zero, which the loops above set by hand).
    pub fn atax_scratch(m: usize, n: usize, a: ArrayView2<f64>, x: &[f64]) -> Array1<f64> {
        let mut y = Array1::zeros(n);
        let mut tmp = vec![0.0; m];
        for i in 0..m {
            for j in 0..n {
                tmp[i] = tmp[i] + a[[i, j]] * x[j];
            }
            for j in 0..n {
                y[j] = y[j] + a[[i, j]] * tmp[i];
            }
        }
        y
    }

    /// All-pairs shortest path lengths, in place, on integer edge weights.
    pub fn floyd_warshall(n: usize, path: &mut Array2<i32>) {
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    path[[i, j]] = path[[i, j]].min(path[[i, k]] + path[[k, j]]);
                }
            }
        }
    }

    /// Levinson–Durbin recursion: solves the Toeplitz (Yule–Walker) system of the
    /// autocorrelations `r` for `y`, one order `k` at a time. Step `k` computes the new
    /// coefficients from the old ones read in both directions, so they go to the scratch `z`
    /// first and are copied back once nothing reads the old ones.
    pub fn durbin(n: usize, r: &[f64], y: &mut [f64]) {
        let mut z = vec![0.0; n];
        y[0] = -r[0];
        let mut beta = 1.0;
        let mut alpha = -r[0];
        for k in 1..n {
            beta = (1.0 - alpha * alpha) * beta;
            let mut sum = 0.0;
            for i in 0..k {
                sum += r[k - i - 1] * y[i];
            }
            alpha = -(r[k] + sum) / beta;
            for i in 0..k {
                z[i] = y[i] + alpha * y[k - i - 1];
            }
            for i in 0..k {
                y[i] = z[i];
            }
            y[k] = alpha;
        }
    }

    /// Bases are coded A = 0, G = 1, C = 2, U = 3, so the complementary pairs (A–U, G–C) are
    /// exactly those whose codes add up to this.
    const COMPLEMENTARY_SUM: u8 = 3;

    /// What bonding two bases scores: one for a complementary pair, nothing otherwise.
    fn pair_score(b1: u8, b2: u8) -> i32 {
        match b1 + b2 {
            COMPLEMENTARY_SUM => 1,
            _ => 0,
        }
    }

    /// Nussinov's RNA folding: `table[[i, j]]` becomes the largest number of bonded base pairs
    /// in `seq[i..=j]`, filled from the last row up so that every shorter subsequence is done
    /// before the ones containing it. (PolyBench also tests `j >= 1` and `i + 1 < n` before
    /// the neighbour reads: both always hold inside these loops, so they are left out.)
    pub fn nussinov(n: usize, seq: &[u8], table: &mut Array2<i32>) {
        for i in (0..n).rev() {
            for j in i + 1..n {
                table[[i, j]] = table[[i, j]].max(table[[i, j - 1]]);
                table[[i, j]] = table[[i, j]].max(table[[i + 1, j]]);
                // Adjacent bases may not bond.
                if i < j - 1 {
                    let bonded = table[[i + 1, j - 1]] + pair_score(seq[i], seq[j]);
                    table[[i, j]] = table[[i, j]].max(bonded);
                } else {
                    table[[i, j]] = table[[i, j]].max(table[[i + 1, j - 1]]);
                }
                for k in i + 1..j {
                    table[[i, j]] = table[[i, j]].max(table[[i, k]] + table[[k + 1, j]]);
                }
            }
        }
    }
}
