//! The ten loop nests in the kernel language, written once for all three tiers.
//!
//! `#[kernel]` compiles the module below to native Rust (`polybench::gemm(..)` and so on,
//! each returning `Result<(), KernelError>`), and keeps its text as `polybench::SOURCE`, so
//! `polybench::module(options)` runs the very same functions in the interpreter or the JIT,
//! with runtime errors located at the lines and columns of this file.
//!
//! The loop orders are PolyBench's (`c/polybench.c` has the same nests), and each expression
//! keeps the C's operand order, so every tier performs the same IEEE operations as gcc's code
//! compiled with `-ffp-contract=off` and the results agree bit for bit.

use kernel_runtime::kernel;

#[kernel]
pub mod polybench {
    use ndarray::{Array2, Array3, ArrayView2};

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
}
