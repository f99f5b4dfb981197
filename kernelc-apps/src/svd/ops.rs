//! [`Ops`]: the SVD kernels as typed Rust methods that allocate their outputs and scratch,
//! run in one [`Backend`]. Every numeric step of the algorithms in this module tree goes
//! through here, so switching tiers switches all of them.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};

use kernel_runtime::Backend;

use super::engine::{call, Engine, SvdError};
use super::kernels::svd_kernels;
use super::Csr;
use kernel_runtime::Value;

/// The largest number of Jacobi sweeps; convergence is quadratic, so a dozen is typical.
pub const MAX_JACOBI_SWEEPS: usize = 60;

/// The result of [`Ops::jacobi_rows`]: `(ut, s, vt)`.
pub type JacobiSvd = (Array2<f64>, Array1<f64>, Array2<f64>);

/// The SVD kernels in one tier.
#[derive(Debug)]
pub struct Ops {
    engine: Engine,
}

/// A thin SVD `A = U·diag(s)·Vt`, singular values in decreasing order.
#[derive(Clone, Debug, PartialEq)]
pub struct Svd {
    pub u: Array2<f64>,
    pub s: Array1<f64>,
    pub vt: Array2<f64>,
}

impl Ops {
    pub fn new(tier: Backend) -> Result<Ops, SvdError> {
        Ok(Ops {
            engine: Engine::new(tier, &svd_kernels::NATIVE)?,
        })
    }

    pub fn tier(&self) -> Backend {
        self.engine.tier()
    }

    /// A `rows × cols` matrix of standard normal deviates from `seed`.
    pub fn gaussian(&self, seed: u64, rows: usize, cols: usize) -> Result<Array2<f64>, SvdError> {
        let mut out = Array2::<f64>::zeros((rows, cols));
        call!(self.engine, gaussian_fill(seed, out.view_mut()))?;
        Ok(out)
    }

    /// Rows `first_row..first_row + rows` of [`Ops::gaussian`]`(seed, _, cols)`, bit for bit.
    pub fn gaussian_rows(
        &self,
        seed: u64,
        first_row: usize,
        rows: usize,
        cols: usize,
    ) -> Result<Array2<f64>, SvdError> {
        let mut out = Array2::<f64>::zeros((rows, cols));
        call!(
            self.engine,
            gaussian_fill_rows(seed, first_row, out.view_mut())
        )?;
        Ok(out)
    }

    /// The upper triangles of the Gram matrices of `x`'s blocks of `block` rows, one block a
    /// row of the result (`l·l` entries each, row-major, lower triangles zero).
    pub fn block_grams(
        &self,
        x: ArrayView2<'_, f64>,
        block: usize,
    ) -> Result<Array2<f64>, SvdError> {
        let l = x.ncols();
        let blocks = x.nrows().div_ceil(block.max(1));
        let mut grams = Array2::<f64>::zeros((blocks, l * l));
        call!(self.engine, block_grams(x, block.max(1), grams.view_mut()))?;
        Ok(grams)
    }

    /// `total += parts[b, :]` for every row `b`, in order.
    pub fn add_rows_into(
        &self,
        parts: ArrayView2<'_, f64>,
        total: &mut [f64],
    ) -> Result<(), SvdError> {
        call!(self.engine, add_rows_into(parts, total))?;
        Ok(())
    }

    /// The upper Cholesky factor of `g + shift·I` (`g` an `l × l` upper triangle, row-major),
    /// or `None` when the matrix is not numerically positive definite.
    pub fn cholesky_upper(
        &self,
        g: &[f64],
        l: usize,
        shift: f64,
    ) -> Result<Option<Array2<f64>>, SvdError> {
        let mut r = Array2::<f64>::zeros((l, l));
        match call!(self.engine, cholesky_upper(g, shift, r.view_mut()))? {
            Value::Usize(done) if done == l => Ok(Some(r)),
            Value::Usize(_) => Ok(None),
            value => Err(SvdError::BadReturn {
                kernel: "cholesky_upper",
                value: Box::new(value),
            }),
        }
    }

    /// `x ← x·r⁻¹`, `r` upper triangular.
    pub fn solve_upper_rows(
        &self,
        x: ArrayViewMut2<'_, f64>,
        r: ArrayView2<'_, f64>,
    ) -> Result<(), SvdError> {
        call!(self.engine, solve_upper_rows(x, r))?;
        Ok(())
    }

    /// Per column of `x`: `(largest magnitude, its value, its first row)`; magnitude -1 (and
    /// value 0) when `x` has no rows.
    pub fn column_abs_max(
        &self,
        x: ArrayView2<'_, f64>,
    ) -> Result<Vec<(f64, f64, usize)>, SvdError> {
        let k = x.ncols();
        let (mut best, mut arg) = (vec![0.0; k], vec![0usize; k]);
        call!(self.engine, column_abs_max(x, &mut best[..], &mut arg[..]))?;
        let value = |j: usize| if x.nrows() == 0 { 0.0 } else { x[[arg[j], j]] };
        Ok((0..k).map(|j| (best[j], value(j), arg[j])).collect())
    }

    /// `x[:, j] *= factors[j]`, in place.
    pub fn scale_columns(
        &self,
        x: ArrayViewMut2<'_, f64>,
        factors: &[f64],
    ) -> Result<(), SvdError> {
        call!(self.engine, scale_columns(x, factors))?;
        Ok(())
    }

    /// `A·x`.
    pub fn csr_matmul(&self, a: &Csr, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, SvdError> {
        let mut y = Array2::<f64>::zeros((a.rows(), x.ncols()));
        call!(
            self.engine,
            csr_matmul(a.indptr(), a.indices(), a.data(), x, y.view_mut())
        )?;
        Ok(y)
    }

    /// `Aᵀ·x`.
    pub fn csr_t_matmul(&self, a: &Csr, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, SvdError> {
        let mut y = Array2::<f64>::zeros((a.cols(), x.ncols()));
        call!(
            self.engine,
            csr_t_matmul(a.indptr(), a.indices(), a.data(), x, y.view_mut())
        )?;
        Ok(y)
    }

    /// `a·b`.
    pub fn matmul(
        &self,
        a: ArrayView2<'_, f64>,
        b: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, SvdError> {
        let mut out = Array2::<f64>::zeros((a.nrows(), b.ncols()));
        call!(self.engine, matmul(a, b, out.view_mut()))?;
        Ok(out)
    }

    /// `a·btᵀ`.
    pub fn matmul_nt(
        &self,
        a: ArrayView2<'_, f64>,
        bt: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, SvdError> {
        let mut b = Array2::<f64>::zeros((bt.ncols(), bt.nrows()));
        let mut out = Array2::<f64>::zeros((a.nrows(), bt.nrows()));
        call!(self.engine, matmul_nt(a, bt, b.view_mut(), out.view_mut()))?;
        Ok(out)
    }

    /// `aᵀ·b`.
    pub fn matmul_tn(
        &self,
        a: ArrayView2<'_, f64>,
        b: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, SvdError> {
        let mut out = Array2::<f64>::zeros((a.ncols(), b.ncols()));
        call!(self.engine, matmul_tn(a, b, out.view_mut()))?;
        Ok(out)
    }

    /// `xᵀ·x`.
    pub fn gram(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, SvdError> {
        let mut out = Array2::<f64>::zeros((x.ncols(), x.ncols()));
        call!(self.engine, gram(x, out.view_mut()))?;
        Ok(out)
    }

    /// `aᵀ`.
    pub fn transpose(&self, a: ArrayView2<'_, f64>) -> Result<Array2<f64>, SvdError> {
        let mut out = Array2::<f64>::zeros((a.ncols(), a.nrows()));
        call!(self.engine, transpose(a, out.view_mut()))?;
        Ok(out)
    }

    /// scipy's `lu(a, permute_l=True)[0]` for a tall `a`: the permuted lower factor.
    pub fn lu_permute_l(&self, mut a: Array2<f64>) -> Result<Array2<f64>, SvdError> {
        let mut perm = vec![0usize; a.nrows()];
        let mut panel = Array2::<f64>::zeros((a.nrows(), 8));
        let mut u = Array2::<f64>::zeros((8, a.ncols()));
        let mut out = Array2::<f64>::zeros(a.dim());
        call!(
            self.engine,
            lu_permute_l(
                a.view_mut(),
                &mut perm[..],
                panel.view_mut(),
                u.view_mut(),
                out.view_mut()
            )
        )?;
        Ok(out)
    }

    /// Householder QR of a tall `a`: `(Q, R)`, `Q` thin.
    pub fn qr(&self, mut a: Array2<f64>) -> Result<(Array2<f64>, Array2<f64>), SvdError> {
        let (m, n) = a.dim();
        let mut tau = vec![0.0; n];
        let mut panel = Array2::<f64>::zeros((m, 8));
        let mut t = Array2::<f64>::zeros((8, 8));
        let mut w = Array2::<f64>::zeros((8, n));
        let mut w2 = Array2::<f64>::zeros((8, n));
        let mut q = Array2::<f64>::zeros((m, n));
        let mut r = Array2::<f64>::zeros((n, n));
        call!(
            self.engine,
            householder_qr(
                a.view_mut(),
                &mut tau[..],
                panel.view_mut(),
                t.view_mut(),
                w.view_mut(),
                w2.view_mut(),
                q.view_mut(),
                r.view_mut()
            )
        )?;
        Ok((q, r))
    }

    /// One-sided Jacobi SVD of the matrix whose *columns* are the rows of `w` (n×m, n ≤ m):
    /// returns `(ut, s, vt)` with `ut` n×m (rows: left singular vectors), `s` decreasing and
    /// `vt` n×n, so the matrix `wᵀ = utᵀ·diag(s)·vt`.
    pub fn jacobi_rows(&self, mut w: Array2<f64>) -> Result<JacobiSvd, SvdError> {
        let (n, m) = w.dim();
        let mut vt = Array2::<f64>::zeros((n, n));
        let tol = (m.max(1) as f64) * f64::EPSILON;
        let sweeps = call!(
            self.engine,
            jacobi_rows(w.view_mut(), vt.view_mut(), tol, MAX_JACOBI_SWEEPS)
        )?;
        match sweeps {
            Value::Usize(s) if s <= MAX_JACOBI_SWEEPS => {}
            Value::Usize(sweeps) => return Err(SvdError::NotConverged { sweeps }),
            value => {
                return Err(SvdError::BadReturn {
                    kernel: "jacobi_rows",
                    value: Box::new(value),
                })
            }
        }
        let mut order = vec![0usize; n];
        let mut s = vec![0.0; n];
        let mut ut = Array2::<f64>::zeros((n, m));
        let mut vt_sorted = Array2::<f64>::zeros((n, n));
        call!(
            self.engine,
            jacobi_finish(
                w.view(),
                vt.view(),
                &mut order[..],
                &mut s[..],
                ut.view_mut(),
                vt_sorted.view_mut()
            )
        )?;
        Ok((ut, Array1::from(s), vt_sorted))
    }

    /// scikit-learn's u-based `svd_flip`, in place.
    pub fn svd_flip(
        &self,
        u: ArrayViewMut2<'_, f64>,
        vt: ArrayViewMut2<'_, f64>,
    ) -> Result<(), SvdError> {
        let k = u.ncols();
        let mut best = vec![0.0; k];
        let mut arg = vec![0usize; k];
        call!(self.engine, svd_flip(u, vt, &mut best[..], &mut arg[..]))?;
        Ok(())
    }

    /// `x[:, j] *= sqrt(s[j])`, in place.
    pub fn scale_columns_sqrt(&self, x: ArrayViewMut2<'_, f64>, s: &[f64]) -> Result<(), SvdError> {
        call!(self.engine, scale_columns_sqrt(x, s))?;
        Ok(())
    }

    /// Rows divided by their L2 norms, in place.
    pub fn normalize_rows(&self, x: ArrayViewMut2<'_, f64>) -> Result<(), SvdError> {
        call!(self.engine, normalize_rows(x))?;
        Ok(())
    }

    /// `D^{-1/2} A D^{-1/2}` for a symmetric `A`.
    pub fn sym_normalize(&self, a: &Csr) -> Result<Csr, SvdError> {
        let mut degree = vec![0.0; a.rows()];
        let mut out = vec![0.0; a.nnz()];
        call!(
            self.engine,
            sym_normalize(
                a.indptr(),
                a.indices(),
                a.data(),
                &mut degree[..],
                &mut out[..]
            )
        )?;
        Ok(a.with_data(out)?)
    }

    /// The thin SVD of a dense matrix: Householder QR of the tall orientation, then the
    /// one-sided Jacobi SVD of the small triangular factor, so the Jacobi sweeps cost
    /// O(n³) whatever the number of rows, and the accuracy is Jacobi's (relative, to
    /// machine precision). A wide matrix is decomposed through its transpose.
    pub fn thin_svd(&self, a: ArrayView2<'_, f64>) -> Result<Svd, SvdError> {
        let (m, n) = a.dim();
        if m == 0 || n == 0 {
            return Err(SvdError::Empty { rows: m, cols: n });
        }
        if m < n {
            let t = self.transpose(a)?;
            let svd = self.thin_svd(t.view())?;
            return Ok(Svd {
                u: self.transpose(svd.vt.view())?,
                s: svd.s,
                vt: self.transpose(svd.u.view())?,
            });
        }
        let (q, r) = self.qr(a.to_owned())?;
        // The Jacobi kernel orthogonalises rows: hand it the columns of R as rows.
        let rt = self.transpose(r.view())?;
        let (ut, s, vt) = self.jacobi_rows(rt)?;
        let u = self.matmul_nt(q.view(), ut.view())?;
        Ok(Svd { u, s, vt })
    }
}
