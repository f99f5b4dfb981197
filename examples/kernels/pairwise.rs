//! Pairwise Euclidean distances: `d[i, j] = sqrt(sum_k (x[i, k] - x[j, k])^2)`.
//!
//! kernelc run examples/kernels/pairwise.rs --fn pairwise \
//!     x=examples/kernels/data/pairwise_x.npy d=examples/kernels/data/pairwise_d.npy --out /tmp/pairwise
//!
//! writes the distance matrix to `/tmp/pairwise/d.npy`; `--fn max_distance` returns the
//! largest distance instead, and `--fn max_distance_parallel` does the same with its rows
//! shared among threads (`prange` with a `max` reduction: exact, whatever the thread count).

use ndarray::{ArrayView2, ArrayViewMut2};

pub fn pairwise(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
    let (n, dims) = x.dim();
    for i in 0..n {
        for j in 0..n {
            let mut sum = 0.0;
            for k in 0..dims {
                let diff = x[[i, k]] - x[[j, k]];
                sum += diff * diff;
            }
            d[[i, j]] = sum.sqrt();
        }
    }
}

pub fn max_distance(x: ArrayView2<f64>) -> f64 {
    let (n, dims) = x.dim();
    let mut best = 0.0;
    for i in 0..n {
        for j in (i + 1)..n {
            let mut sum = 0.0;
            for k in 0..dims {
                let diff = x[[i, k]] - x[[j, k]];
                sum += diff * diff;
            }
            best = best.max(sum.sqrt());
        }
    }
    best
}

pub fn max_distance_parallel(x: ArrayView2<f64>) -> f64 {
    let (n, dims) = x.dim();
    let mut best = 0.0;
    for i in prange(0..n) {
        for j in (i + 1)..n {
            let mut sum = 0.0;
            for k in 0..dims {
                let diff = x[[i, k]] - x[[j, k]];
                sum += diff * diff;
            }
            best = best.max(sum.sqrt());
        }
    }
    best
}
