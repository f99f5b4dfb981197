//! `y += a * x`, the BLAS level-1 classic.
//!
//! kernelc run examples/kernels/axpy.rs --fn axpy a=2.5 \
//!     x=examples/kernels/data/axpy_x.npy y=examples/kernels/data/axpy_y.npy --out /tmp/axpy
//!
//! writes the updated `y` to `/tmp/axpy/y.npy` (without `--out`, `y`'s own file is updated).

pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] += a * x[i];
    }
}
