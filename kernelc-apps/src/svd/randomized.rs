//! scikit-learn's `randomized_svd` (Halko, Martinsson & Tropp, with sklearn's defaults and
//! choices), step by step, every numeric step a kernel:
//!
//! 1. `Q` = an `n_features × (k + p)` Gaussian test matrix (our generator: see
//!    `svd_kernels::gaussian_fill`; numpy's stream is not reproduced).
//! 2. `n_iter` power iterations `Q ← norm(A·Q)`, `Q ← norm(Aᵀ·Q)`, the normaliser being LU
//!    (`lu(…, permute_l=True)`), QR, or none; `Auto` is sklearn's rule: none when
//!    `n_iter <= 2`, else LU.
//! 3. `Q ← qr(A·Q)` (thin Householder QR).
//! 4. `B = Qᵀ·A`, computed as `Bᵀ = Aᵀ·Q` with the sparse kernel; the small SVD of `B`
//!    comes from the thin SVD of `Bᵀ` (QR, then one-sided Jacobi on the triangular factor).
//! 5. `U = Q·Û`, sign flip (`svd_flip`, u-based), truncation to `k`.
//!
//! As in sklearn, a matrix with fewer rows than columns is handled through its transpose
//! (the flip is then decided by `Vt`, which is the same as flipping the final `U`). One
//! deviation: `k + p` is capped at `min(rows, cols)`, where the LU and QR normalisers need a
//! tall matrix.

use std::time::{Duration, Instant};

use ndarray::{s, Array2, ArrayView2};

use kernel_runtime::Backend;

use super::engine::SvdError;
use super::ops::{Ops, Svd};
use super::Csr;

/// The power-iteration normaliser (sklearn's `power_iteration_normalizer`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Normalizer {
    /// `None` when `n_iter <= 2`, otherwise `Lu`.
    #[default]
    Auto,
    /// No normalisation between products (fast, loses precision on wide spectra).
    None,
    /// The permuted lower factor of an LU decomposition with partial pivoting.
    Lu,
    /// The thin `Q` of a QR decomposition (slowest, most accurate).
    Qr,
}

impl Normalizer {
    /// sklearn's resolution of `"auto"`.
    pub fn resolve(self, n_iter: usize) -> Normalizer {
        match self {
            Normalizer::Auto if n_iter <= 2 => Normalizer::None,
            Normalizer::Auto => Normalizer::Lu,
            other => other,
        }
    }
}

/// sklearn's `n_iter="auto"`: 7 when `k < 0.1·min(shape)`, else 4.
pub fn auto_n_iter(k: usize, shape: (usize, usize)) -> usize {
    if (k as f64) < 0.1 * shape.0.min(shape.1) as f64 {
        7
    } else {
        4
    }
}

/// The truncated SVD of the sparse `a`: `U` (rows×k), `s` (k, decreasing), `Vt` (k×cols).
/// `n_iter = None` means sklearn's `"auto"`.
pub fn randomized_svd(
    a: &Csr,
    k: usize,
    n_oversamples: usize,
    n_iter: Option<usize>,
    normalizer: Normalizer,
    seed: u64,
    tier: Backend,
) -> Result<Svd, SvdError> {
    let ops = Ops::new(tier)?;
    randomized_svd_with(&ops, a, k, n_oversamples, n_iter, normalizer, seed)
}

/// [`randomized_svd`] with kernels already prepared (reuse `ops` across calls: a runtime
/// tier compiles the kernels once).
pub fn randomized_svd_with(
    ops: &Ops,
    a: &Csr,
    k: usize,
    n_oversamples: usize,
    n_iter: Option<usize>,
    normalizer: Normalizer,
    seed: u64,
) -> Result<Svd, SvdError> {
    let params = SvdParams {
        k,
        n_oversamples,
        n_iter,
        normalizer,
        seed,
    };
    randomized_svd_profiled(ops, a, &params, &mut Profile::default())
}

/// The parameters of [`randomized_svd`], bundled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SvdParams {
    pub k: usize,
    pub n_oversamples: usize,
    /// `None`: sklearn's `"auto"`.
    pub n_iter: Option<usize>,
    pub normalizer: Normalizer,
    pub seed: u64,
}

/// Wall time per step of the algorithm, accumulated over calls (for the benchmark's
/// "where the time goes").
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub steps: Vec<(&'static str, Duration)>,
}

impl Profile {
    /// Runs `f`, adding its wall time to `step`.
    pub fn time<T>(&mut self, step: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        let elapsed = start.elapsed();
        match self.steps.iter_mut().find(|(name, _)| *name == step) {
            Some((_, total)) => *total += elapsed,
            None => self.steps.push((step, elapsed)),
        }
        value
    }
}

/// [`randomized_svd_with`], recording each step's time in `profile`.
pub fn randomized_svd_profiled(
    ops: &Ops,
    a: &Csr,
    params: &SvdParams,
    profile: &mut Profile,
) -> Result<Svd, SvdError> {
    let k = params.k;
    let max = a.rows().min(a.cols());
    if k == 0 || k > max {
        return Err(SvdError::BadRank { k, max });
    }
    let n_iter = params.n_iter.unwrap_or_else(|| auto_n_iter(k, a.shape()));
    let size = k.saturating_add(params.n_oversamples).min(max);
    let transpose = a.rows() < a.cols();
    let op = Operator::new(a, transpose);
    let normalizer = params.normalizer.resolve(n_iter);
    let q = range_finder(ops, &op, size, n_iter, normalizer, params.seed, profile)?;
    // Bᵀ = Opᵀ·Q, and its thin SVD Bᵀ = W·diag(s)·Zt gives B = Ztᵀ·diag(s)·Wᵀ.
    let bt = profile.time("sparse products", || op.apply_t(ops, q.view()))?;
    let small = profile.time("small SVD (QR + Jacobi)", || ops.thin_svd(bt.view()))?;
    let zt = small.vt.slice(s![..k, ..]);
    // U of Op = Q·Ztᵀ; V of Op = W.
    let u_op = profile.time("dense products", || ops.matmul_nt(q.view(), zt))?;
    let v_op = small.u.slice(s![.., ..k]);
    let (u, vt) = profile.time("transpose + flip", || -> Result<_, SvdError> {
        let (mut u, mut vt) = if transpose {
            (v_op.to_owned(), ops.transpose(u_op.view())?)
        } else {
            (u_op, ops.transpose(v_op)?)
        };
        ops.svd_flip(u.view_mut(), vt.view_mut())?;
        Ok((u, vt))
    })?;
    Ok(Svd {
        u,
        s: small.s.slice(s![..k]).to_owned(),
        vt,
    })
}

/// sklearn's `randomized_range_finder`: an orthonormal basis (rows×size) of the range of
/// the operator, sharpened by `n_iter` power iterations.
fn range_finder(
    ops: &Ops,
    op: &Operator,
    size: usize,
    n_iter: usize,
    normalizer: Normalizer,
    seed: u64,
    profile: &mut Profile,
) -> Result<Array2<f64>, SvdError> {
    let mut q = profile.time("gaussian", || ops.gaussian(seed, op.cols(), size))?;
    for _ in 0..n_iter {
        let y = profile.time("sparse products", || op.apply(ops, q.view()))?;
        let y = profile.time("power normaliser", || normalize(ops, y, normalizer))?;
        let z = profile.time("sparse products", || op.apply_t(ops, y.view()))?;
        q = profile.time("power normaliser", || normalize(ops, z, normalizer))?;
    }
    let y = profile.time("sparse products", || op.apply(ops, q.view()))?;
    profile.time("final QR", || Ok(ops.qr(y)?.0))
}

fn normalize(ops: &Ops, y: Array2<f64>, normalizer: Normalizer) -> Result<Array2<f64>, SvdError> {
    match normalizer {
        Normalizer::Auto | Normalizer::Lu => ops.lu_permute_l(y),
        Normalizer::Qr => Ok(ops.qr(y)?.0),
        Normalizer::None => Ok(y),
    }
}

/// `A` or `Aᵀ`, applied by the gather-form CSR kernel: the CSR form of `Aᵀ` is built once
/// (a counting sort: it moves values, it computes none), so neither product scatters.
struct Operator {
    forward: Csr,
    backward: Csr,
}

impl Operator {
    fn new(a: &Csr, transpose: bool) -> Operator {
        let (forward, backward) = if transpose {
            (a.transposed(), a.clone())
        } else {
            (a.clone(), a.transposed())
        };
        Operator { forward, backward }
    }

    fn cols(&self) -> usize {
        self.forward.cols()
    }

    /// `Op·x`.
    fn apply(&self, ops: &Ops, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, SvdError> {
        ops.csr_matmul(&self.forward, x)
    }

    /// `Opᵀ·x`.
    fn apply_t(&self, ops: &Ops, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, SvdError> {
        ops.csr_matmul(&self.backward, x)
    }
}
