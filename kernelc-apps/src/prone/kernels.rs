//! ProNE's own kernels: the sparse pre-factorisation, the shifted random-walk Laplacian,
//! the modified Bessel function and the element-wise steps of the Chebyshev expansion.
//! The products and the SVDs are the SVD application's kernels.

use kernel_runtime::kernel;

/// The kernels, native through `#[kernel]` and as source for the runtime tiers.
#[kernel]
pub mod prone_kernels {
    use ndarray::{ArrayView2, ArrayViewMut2};

    /// ProNE's `pre_factorization` on the values of the CSR matrix `A` (the matrix is both
    /// `tran` and `mask`): `C = normalize(A, "l1")` by rows; `neg[j] = (Σᵢ C[i,j])^0.75`,
    /// normalised to sum 1; then for every stored entry
    /// `out = ln(C[i,j] or 1 if ≤ 0) − ln(A[i,j]·neg[j] or 1 if ≤ 0)`.
    /// `colsum` (one per column) is scratch.
    pub fn prefactor(
        indptr: &[usize],
        indices: &[usize],
        data: &[f64],
        mut colsum: &mut [f64],
        mut out: &mut [f64],
    ) {
        let rows = indptr.len() - 1;
        for j in 0..colsum.len() {
            colsum[j] = 0.0;
        }
        for i in 0..rows {
            let mut s = 0.0;
            for p in indptr[i]..indptr[i + 1] {
                s += data[p].abs();
            }
            for p in indptr[i]..indptr[i + 1] {
                out[p] = if s == 0.0 { data[p] } else { data[p] / s };
                colsum[indices[p]] += out[p];
            }
        }
        let mut total = 0.0;
        for j in 0..colsum.len() {
            colsum[j] = colsum[j].powf(0.75);
            total += colsum[j];
        }
        for j in 0..colsum.len() {
            colsum[j] /= total;
        }
        for p in 0..out.len() {
            let mut c = out[p];
            if c <= 0.0 {
                c = 1.0;
            }
            let mut neg = data[p] * colsum[indices[p]];
            if neg <= 0.0 {
                neg = 1.0;
            }
            out[p] = c.ln() - neg.ln();
        }
    }

    /// The l1 norm of each row (`Σ |data[p]|` from 0 in storage order, as [`prefactor`]
    /// adds it): the row sums a rank sends to the ranks whose rows name it.
    pub fn row_abs_sums(indptr: &[usize], data: &[f64], mut sums: &mut [f64]) {
        let rows = indptr.len() - 1;
        for i in 0..rows {
            let mut s = 0.0;
            for p in indptr[i]..indptr[i + 1] {
                s += data[p].abs();
            }
            sums[i] = s;
        }
    }

    /// [`prefactor`]'s column sums of `C = normalize(A, "l1")` raised to 0.75, by rows of a
    /// symmetric `A`: column `j` of `C` sums `A[i,j] / s_i` over the rows `i` that store
    /// it, in ascending `i` — which for a symmetric `A` with sorted columns is row `j`'s
    /// own entries `A[j,i]` in storage order, so `powers[j]` has `prefactor`'s bits.
    /// `sums[indices[p]]` is the l1 norm of row `indices[p]` (gathered from its owner).
    pub fn prefactor_column_powers(
        indptr: &[usize],
        indices: &[usize],
        data: &[f64],
        sums: &[f64],
        mut powers: &mut [f64],
    ) {
        let rows = indptr.len() - 1;
        for j in 0..rows {
            let mut colsum = 0.0;
            for p in indptr[j]..indptr[j + 1] {
                let s = sums[indices[p]];
                colsum += if s == 0.0 { data[p] } else { data[p] / s };
            }
            powers[j] = colsum.powf(0.75);
        }
    }

    /// [`prefactor`]'s values for some rows: `c = A[i,j] / s_i` (`s_i = sums[i]`, this row's
    /// l1 norm), `neg = A[i,j] · (powers[j] / total)`, then
    /// `ln(c or 1 if ≤ 0) − ln(neg or 1 if ≤ 0)`; `powers[indices[p]]` is column `j`'s
    /// power from [`prefactor_column_powers`] and `total` the sum of every column's power
    /// in column order.
    pub fn prefactor_entries(
        indptr: &[usize],
        indices: &[usize],
        data: &[f64],
        sums: &[f64],
        powers: &[f64],
        total: f64,
        mut out: &mut [f64],
    ) {
        let rows = indptr.len() - 1;
        for i in 0..rows {
            let s = sums[i];
            for p in indptr[i]..indptr[i + 1] {
                let mut c = if s == 0.0 { data[p] } else { data[p] / s };
                if c <= 0.0 {
                    c = 1.0;
                }
                let mut neg = data[p] * (powers[indices[p]] / total);
                if neg <= 0.0 {
                    neg = 1.0;
                }
                out[p] = c.ln() - neg.ln();
            }
        }
    }

    /// The modified Bessel function of the first kind `I_order(x)` by its power series
    /// `Σₘ (x/2)^(2m+order) / (m! (m+order)!)`, summed until a term no longer changes the sum
    /// (at most 500 terms; ProNE's arguments are small).
    pub fn bessel_iv(order: usize, x: f64) -> f64 {
        let half = x / 2.0;
        let mut term = 1.0;
        for i in 1..=order {
            term *= half / (i as f64);
        }
        let mut sum = term;
        let quarter = half * half;
        let mut m = 0;
        while m < 500 {
            m += 1;
            term *= quarter / ((m as f64) * ((m + order) as f64));
            let next = sum + term;
            if next == sum {
                return sum;
            }
            sum = next;
        }
        sum
    }

    /// The values of ProNE's `M = L − μI` on the pattern of `A' = I + A` (diagonal stored):
    /// `L = I − normalize(A', "l1")`, so the diagonal is `(1 − d) − μ` and every other entry
    /// `−d`, `d` the row-normalised value. The rows are rows `first_row..` of `A'` (a
    /// rank's block; 0 for the whole matrix), so row `i`'s diagonal is column
    /// `first_row + i`.
    pub fn shifted_laplacian(
        indptr: &[usize],
        indices: &[usize],
        data: &[f64],
        first_row: usize,
        mu: f64,
        mut out: &mut [f64],
    ) {
        let rows = indptr.len() - 1;
        for i in 0..rows {
            let mut s = 0.0;
            for p in indptr[i]..indptr[i + 1] {
                s += data[p].abs();
            }
            for p in indptr[i]..indptr[i + 1] {
                let d = if s == 0.0 { data[p] } else { data[p] / s };
                if indices[p] == first_row + i {
                    out[p] = (1.0 - d) - mu;
                } else {
                    out[p] = -d;
                }
            }
        }
    }

    /// `out = c · x` (the expansion's first term, `iv(0, θ) · Lx0`).
    pub fn scale_into(c: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
        let (n, d) = out.dim();
        for i in 0..n {
            for j in 0..d {
                out[[i, j]] = c * x[[i, j]];
            }
        }
    }

    /// `conv += (2·iv)·x` when `add`, else `conv −= (2·iv)·x` (ProNE alternates the sign).
    pub fn conv_update(mut conv: ArrayViewMut2<f64>, x: ArrayView2<f64>, iv: f64, add: bool) {
        let (n, d) = conv.dim();
        let c = 2.0 * iv;
        for i in 0..n {
            for j in 0..d {
                if add {
                    conv[[i, j]] += c * x[[i, j]];
                } else {
                    conv[[i, j]] -= c * x[[i, j]];
                }
            }
        }
    }

    /// The second Chebyshev term: `out = 0.5 · t − a` (`t = M·(M·a)`).
    pub fn chebyshev_first(t: ArrayView2<f64>, a: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
        let (n, d) = out.dim();
        for i in 0..n {
            for j in 0..d {
                out[[i, j]] = 0.5 * t[[i, j]] - a[[i, j]];
            }
        }
    }

    /// The recurrence: `out = (t − 2 · lx1) − lx0` (`t = M·(M·lx1)`).
    pub fn chebyshev_next(
        t: ArrayView2<f64>,
        lx1: ArrayView2<f64>,
        lx0: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) {
        let (n, d) = out.dim();
        for i in 0..n {
            for j in 0..d {
                out[[i, j]] = (t[[i, j]] - 2.0 * lx1[[i, j]]) - lx0[[i, j]];
            }
        }
    }

    /// `out = a − b`.
    pub fn difference(a: ArrayView2<f64>, b: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
        let (n, d) = out.dim();
        for i in 0..n {
            for j in 0..d {
                out[[i, j]] = a[[i, j]] - b[[i, j]];
            }
        }
    }
}
