//! CholeskyQR2 over ranks (Fukaya, Nakatsukasa, Yanagisawa & Yamamoto, 2014): the Gram
//! matrix `G = XᵀX` is the only thing reduced (`l × l`, summed block by block in global
//! order), its Cholesky factor `R` is computed on every rank, and each rank solves
//! `X ← X·R⁻¹` on its own rows. One pass leaves `X` orthonormal to about `κ(X)²·u`; the
//! second brings it to machine precision. When `G` is not numerically positive definite
//! (`κ(X) ≳ u^{-1/2}`), the pass is shifted (Fukaya et al., 2020: shifted CholeskyQR3),
//! which always succeeds on finite input and is followed by the two ordinary passes.

use ndarray::{Array2, ArrayViewMut2};

use crate::svd::SvdError;

use super::fold::ordered_sum;
use super::group::{DistError, Group};

/// Orthonormalises the distributed `x` (this rank's rows; `block` the layout's block size,
/// `rows` the global row count) in place and returns `R` with `x_before = x·R`. Collective;
/// every rank returns the same `R`.
pub fn cholesky_qr(
    group: &Group,
    mut x: ArrayViewMut2<'_, f64>,
    rows: usize,
    block: usize,
) -> Result<Array2<f64>, DistError> {
    let l = x.ncols();
    let ops = group.ops();
    let mut r_total: Option<Array2<f64>> = None;
    let mut clean_passes = 0;
    let mut shifted_passes = 0;
    while clean_passes < 2 {
        let grams = ops.block_grams(x.view(), block)?;
        let g = ordered_sum(group, grams.view())?;
        let r = match ops.cholesky_upper(&g, l, 0.0)? {
            Some(r) => {
                clean_passes += 1;
                r
            }
            None if shifted_passes < 2 => {
                shifted_passes += 1;
                clean_passes = 0;
                ops.cholesky_upper(&g, l, shift(&g, l, rows))?
                    .ok_or(SvdError::Breakdown { rows, cols: l })?
            }
            None => return Err(SvdError::Breakdown { rows, cols: l }.into()),
        };
        ops.solve_upper_rows(x.view_mut(), r.view())?;
        r_total = Some(match r_total {
            None => r,
            Some(previous) => ops.matmul(r.view(), previous.view())?,
        });
    }
    Ok(r_total.expect("at least two passes ran"))
}

/// The shift of shifted CholeskyQR: `11·(m·l + l·(l + 1))·u·‖X‖²`, with the trace of `G`
/// (an upper bound of `‖X‖₂²`) for the norm.
fn shift(g: &[f64], l: usize, rows: usize) -> f64 {
    let trace: f64 = (0..l).map(|j| g[j * l + j]).sum();
    11.0 * ((rows * l + l * (l + 1)) as f64) * f64::EPSILON * trace
}
