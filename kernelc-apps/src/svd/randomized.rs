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

use std::time::Duration;

use ndarray::{s, Array2, ArrayView2};

use kernel_runtime::Backend;

use crate::progress::{add_time, run_step, Observer, Silent, Step, Timing};

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
    /// The `Q` of CholeskyQR2 (two passes of Gram, Cholesky and triangular solve; shifted
    /// when the Gram matrix is singular): as accurate as QR, and it distributes over ranks
    /// (`mpirun`), since only an `l × l` Gram matrix is reduced. With this normaliser the
    /// final QR and the small SVD's QR are CholeskyQR2 too, so one process and any number
    /// of ranks give the same bits.
    CholeskyQr2,
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
    randomized_svd_observed(ops, a, &params, &mut Silent)
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

/// Wall time per part of the algorithm (`sparse products`, `power normaliser`, …),
/// accumulated over calls: the benchmark's "where the time goes". An [`Observer`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub steps: Vec<(&'static str, Duration)>,
}

impl Observer for Profile {
    fn finished(&mut self, step: &Step, timing: &Timing) {
        if timing.parts.is_empty() {
            add_time(&mut self.steps, step.name, timing.elapsed);
        }
        for &(part, elapsed) in &timing.parts {
            add_time(&mut self.steps, part, elapsed);
        }
    }
}

/// [`randomized_svd_with`], telling `observer` about each step: the Gaussian test matrix,
/// each power iteration, the final QR, the projection, the small SVD and the
/// back-projection.
pub fn randomized_svd_observed(
    ops: &Ops,
    a: &Csr,
    params: &SvdParams,
    observer: &mut dyn Observer,
) -> Result<Svd, SvdError> {
    let plan = Plan::new(a, params)?;
    observer.planned(plan.total_work());
    plan.run(ops, a, observer)
}

/// One run of the algorithm, its parameters resolved against the matrix: its steps and
/// what each roughly costs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    k: usize,
    /// Columns of the test matrix: `k` plus the oversamples, capped.
    size: usize,
    n_iter: usize,
    normalizer: Normalizer,
    seed: u64,
    /// Whether the algorithm works on `Aᵀ` (when `A` is wide).
    transpose: bool,
    /// The shape of the operator (`A` or `Aᵀ`: rows ≥ cols) and its stored entries.
    rows: usize,
    cols: usize,
    nnz: usize,
}

impl Plan {
    pub(crate) fn new(a: &Csr, params: &SvdParams) -> Result<Plan, SvdError> {
        Plan::for_shape(a.shape(), a.nnz(), params)
    }

    /// The plan for a matrix of `shape` with `nnz` stored entries.
    pub(crate) fn for_shape(
        shape: (usize, usize),
        nnz: usize,
        params: &SvdParams,
    ) -> Result<Plan, SvdError> {
        let k = params.k;
        let max = shape.0.min(shape.1);
        if k == 0 || k > max {
            return Err(SvdError::BadRank { k, max });
        }
        let n_iter = params.n_iter.unwrap_or_else(|| auto_n_iter(k, shape));
        Ok(Plan {
            k,
            size: k.saturating_add(params.n_oversamples).min(max),
            n_iter,
            normalizer: params.normalizer.resolve(n_iter),
            seed: params.seed,
            transpose: shape.0 < shape.1,
            rows: shape.0.max(shape.1),
            cols: max,
            nnz,
        })
    }

    pub(crate) fn k(&self) -> usize {
        self.k
    }

    /// Columns of the test matrix.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn n_iter(&self) -> usize {
        self.n_iter
    }

    pub(crate) fn normalizer(&self) -> Normalizer {
        self.normalizer
    }

    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether the operator is `Aᵀ` (`A` wide).
    pub(crate) fn transpose(&self) -> bool {
        self.transpose
    }

    /// The sum of the work of every step [`Plan::run`] takes.
    pub(crate) fn total_work(&self) -> u64 {
        let iterations = (1..=self.n_iter).map(|i| self.iteration(i).work);
        [
            self.gaussian(),
            self.final_qr(),
            self.projection(),
            self.small_svd(),
            self.back_projection(),
        ]
        .iter()
        .map(|step| step.work)
        .chain(iterations)
        .fold(0, u64::saturating_add)
    }

    pub(crate) fn gaussian(&self) -> Step {
        Step::new("gaussian test matrix", cost::gaussian(self.cols, self.size))
    }

    pub(crate) fn iteration(&self, index: usize) -> Step {
        let products = cost::sparse_product(self.nnz, self.size).saturating_mul(2);
        let normalisers = cost::normaliser(self.normalizer, self.rows, self.size)
            .saturating_add(cost::normaliser(self.normalizer, self.cols, self.size));
        let work = products.saturating_add(normalisers);
        Step::counted("power iteration", index, self.n_iter, work)
    }

    pub(crate) fn final_qr(&self) -> Step {
        let work = cost::sparse_product(self.nnz, self.size)
            .saturating_add(cost::qr(self.rows, self.size));
        Step::new("final QR", work)
    }

    pub(crate) fn projection(&self) -> Step {
        Step::new("projection", cost::sparse_product(self.nnz, self.size))
    }

    pub(crate) fn small_svd(&self) -> Step {
        Step::new("small SVD", cost::thin_svd(self.cols, self.size))
    }

    pub(crate) fn back_projection(&self) -> Step {
        Step::new(
            "back-projection",
            cost::dense(&[self.rows, self.size, self.k]),
        )
    }

    /// The algorithm (module docs), step by step.
    pub(crate) fn run(
        &self,
        ops: &Ops,
        a: &Csr,
        observer: &mut dyn Observer,
    ) -> Result<Svd, SvdError> {
        if self.normalizer == Normalizer::CholeskyQr2 {
            return crate::distributed::run_on_one_rank(self, ops, a, observer);
        }
        let k = self.k;
        let op = Operator::new(a, self.transpose);
        let q = self.range_finder(ops, &op, observer)?;
        // Bᵀ = Opᵀ·Q, and its thin SVD Bᵀ = W·diag(s)·Zt gives B = Ztᵀ·diag(s)·Wᵀ.
        let bt = run_step(observer, self.projection(), |t| {
            t.time("sparse products", || op.apply_t(ops, q.view()))
        })?;
        let small = run_step(observer, self.small_svd(), |t| {
            t.time("small SVD (QR + Jacobi)", || ops.thin_svd(bt.view()))
        })?;
        let (u, vt) = run_step(observer, self.back_projection(), |t| {
            let zt = small.vt.slice(s![..k, ..]);
            // U of Op = Q·Ztᵀ; V of Op = W.
            let u_op = t.time("dense products", || ops.matmul_nt(q.view(), zt))?;
            let v_op = small.u.slice(s![.., ..k]);
            t.time("transpose + flip", || -> Result<_, SvdError> {
                let (mut u, mut vt) = if self.transpose {
                    (v_op.to_owned(), ops.transpose(u_op.view())?)
                } else {
                    (u_op, ops.transpose(v_op)?)
                };
                ops.svd_flip(u.view_mut(), vt.view_mut())?;
                Ok((u, vt))
            })
        })?;
        Ok(Svd {
            u,
            s: small.s.slice(s![..k]).to_owned(),
            vt,
        })
    }

    /// sklearn's `randomized_range_finder`: an orthonormal basis (rows×size) of the range
    /// of the operator, sharpened by `n_iter` power iterations.
    fn range_finder(
        &self,
        ops: &Ops,
        op: &Operator,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f64>, SvdError> {
        let mut q = run_step(observer, self.gaussian(), |t| {
            t.time("gaussian", || ops.gaussian(self.seed, op.cols(), self.size))
        })?;
        for index in 1..=self.n_iter {
            q = run_step(observer, self.iteration(index), |t| {
                let y = t.time("sparse products", || op.apply(ops, q.view()))?;
                let y = t.time("power normaliser", || normalize(ops, y, self.normalizer))?;
                let z = t.time("sparse products", || op.apply_t(ops, y.view()))?;
                t.time("power normaliser", || normalize(ops, z, self.normalizer))
            })?;
        }
        run_step(observer, self.final_qr(), |t| {
            let y = t.time("sparse products", || op.apply(ops, q.view()))?;
            t.time("final QR", || Ok(ops.qr(y)?.0))
        })
    }
}

/// Rough costs of the kernels, for a progress fraction only, in units of one multiply-add
/// of the LU normaliser. The factors were measured on the benchmark graph
/// (docs/PERFORMANCE.md: 20,000 nodes, k = 128): a sparse product's gathers cost about four
/// units per multiply-add, a Householder QR with its explicit `Q` three times an LU, the
/// Jacobi sweeps of a `size × size` SVD about `200·size³`, a Gaussian draw (logarithm and
/// cosine) about eighty.
pub(crate) mod cost {
    use super::Normalizer;

    /// The product of `factors`, saturating.
    pub(crate) fn dense(factors: &[usize]) -> u64 {
        factors
            .iter()
            .fold(1u64, |product, &f| product.saturating_mul(f as u64))
    }

    /// A sparse matrix with `nnz` entries times a dense matrix with `cols` columns.
    pub(crate) fn sparse_product(nnz: usize, cols: usize) -> u64 {
        dense(&[4, nnz, cols])
    }

    pub(crate) fn gaussian(rows: usize, cols: usize) -> u64 {
        dense(&[80, rows, cols])
    }

    /// The thin QR of a `rows × cols` matrix, `Q` included.
    pub(crate) fn qr(rows: usize, cols: usize) -> u64 {
        dense(&[3, rows, cols, cols])
    }

    pub(crate) fn normaliser(normalizer: Normalizer, rows: usize, cols: usize) -> u64 {
        match normalizer {
            Normalizer::Auto | Normalizer::Lu => dense(&[rows, cols, cols]),
            // Two passes of a half Gram and a triangular solve: about one LU each.
            Normalizer::CholeskyQr2 => dense(&[2, rows, cols, cols]),
            Normalizer::Qr => qr(rows, cols),
            Normalizer::None => 0,
        }
    }

    /// [`Ops::thin_svd`](crate::svd::Ops::thin_svd) of a `rows × cols` matrix: QR, then
    /// Jacobi on the triangular factor.
    pub(crate) fn thin_svd(rows: usize, cols: usize) -> u64 {
        qr(rows, cols).saturating_add(dense(&[200, cols, cols, cols]))
    }
}

fn normalize(ops: &Ops, y: Array2<f64>, normalizer: Normalizer) -> Result<Array2<f64>, SvdError> {
    match normalizer {
        Normalizer::Auto | Normalizer::Lu => ops.lu_permute_l(y),
        Normalizer::Qr => Ok(ops.qr(y)?.0),
        Normalizer::None => Ok(y),
        Normalizer::CholeskyQr2 => {
            unreachable!("Plan::run hands CholeskyQR2 runs to the distributed algorithm")
        }
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
