//! The numeric kernels of the randomized SVD, written once in the kernel language.
//!
//! `#[kernel]` compiles [`svd_kernels`] to native Rust; `svd_kernels::SOURCE` and
//! `svd_kernels::module(options)` give the very same source to the interpreter and the JIT,
//! so every tier performs the same IEEE operations in the same order and returns the same
//! bits.
//!
//! Layout: every dense matrix is row-major (C order), and every hot inner loop runs along a
//! row, so the native tier sees unit-stride loops. Register tiling never reassociates a sum:
//! a tile keeps several *independent* outputs in separate accumulators, each of which still
//! adds its terms one by one in index order.

use kernel_runtime::kernel;

/// The kernels: random numbers, sparse and dense products, LU, Householder QR, one-sided
/// Jacobi SVD and the small element-wise steps around them.
#[kernel]
pub mod svd_kernels {
    use ndarray::{ArrayView2, ArrayViewMut2};

    /// One SplitMix64 output for the state `state` (the state itself advances by the golden
    /// gamma at the caller): Steele, Lea & Flood's finaliser, as in `java.util.SplittableRandom`.
    fn splitmix64(state: u64) -> u64 {
        let mut z = state;
        z = (z ^ (z >> 30u32)).wrapping_mul(0xBF58_476D_1CE4_E5B9u64);
        z = (z ^ (z >> 27u32)).wrapping_mul(0x94D0_49BB_1331_11EBu64);
        z ^ (z >> 31u32)
    }

    /// The top 53 bits of `bits` as a double in [0, 1).
    fn unit_interval(bits: u64) -> f64 {
        ((bits >> 11u32) as f64) * (1.0 / 9007199254740992.0)
    }

    /// Fills `out` (row-major order) with standard normal deviates: SplitMix64 seeded with
    /// `seed` gives uniform pairs `(u1, u2)` with `u1` in (0, 1] and `u2` in [0, 1), and the
    /// Box–Muller transform turns each pair into `r cos θ` and `r sin θ`, `r = sqrt(-2 ln u1)`,
    /// `θ = 2π u2`. The logarithm, cosine and sine are the shared libm wrappers of every tier.
    pub fn gaussian_fill(seed: u64, mut out: ArrayViewMut2<f64>) {
        let (rows, cols) = out.dim();
        let total = rows * cols;
        let mut state = seed;
        let mut k = 0;
        while k < total {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15u64);
            let u1 = 1.0 - unit_interval(splitmix64(state));
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15u64);
            let u2 = unit_interval(splitmix64(state));
            let radius = (-2.0 * u1.ln()).sqrt();
            let angle = 2.0 * std::f64::consts::PI * u2;
            out[[k / cols, k % cols]] = radius * angle.cos();
            if k + 1 < total {
                out[[(k + 1) / cols, (k + 1) % cols]] = radius * angle.sin();
            }
            k += 2;
        }
    }

    /// The rows `first_row..first_row + out.nrows()` of the matrix [`gaussian_fill`] makes
    /// (`out.ncols()` columns), bit for bit: element `k` (row-major, counted from the
    /// matrix's start) belongs to the pair `k / 2`, whose SplitMix64 states are the seed
    /// advanced `k / 2 * 2 + 1` and `+ 2` times, so a rank can draw its own rows alone.
    pub fn gaussian_fill_rows(seed: u64, first_row: usize, mut out: ArrayViewMut2<f64>) {
        let (rows, cols) = out.dim();
        for i in prange(0..rows) {
            for c in 0..cols {
                let k = (first_row + i) * cols + c;
                let pair = (k / 2) as u64;
                let step = 0x9E37_79B9_7F4A_7C15u64;
                let state1 = seed.wrapping_add((2u64 * pair + 1u64).wrapping_mul(step));
                let state2 = state1.wrapping_add(step);
                let u1 = 1.0 - unit_interval(splitmix64(state1));
                let u2 = unit_interval(splitmix64(state2));
                let radius = (-2.0 * u1.ln()).sqrt();
                let angle = 2.0 * std::f64::consts::PI * u2;
                out[[i, c]] = if k % 2 == 0 {
                    radius * angle.cos()
                } else {
                    radius * angle.sin()
                };
            }
        }
    }

    /// `y = A·x` for the CSR matrix `A` (`y.nrows()` rows): `y[i, c]` accumulates
    /// `data[p] * x[indices[p], c]` from 0 over the row's entries in storage order (scipy's
    /// order), four columns at a time. `Aᵀ·x` is this kernel on the CSR form of `Aᵀ`, whose
    /// rows list their entries in the order scipy's CSC product visits them, so both products
    /// round exactly as scipy's do.
    pub fn csr_matmul(
        indptr: &[usize],
        indices: &[usize],
        data: &[f64],
        x: ArrayView2<f64>,
        mut y: ArrayViewMut2<f64>,
    ) {
        let rows = y.nrows();
        let width = y.ncols();
        // Each row of `y` is one iteration's own: the rows run in parallel.
        for i in prange(0..rows) {
            let start = indptr[i];
            let end = indptr[i + 1];
            let mut c = 0;
            while c + 4 <= width {
                let mut s0 = 0.0;
                let mut s1 = 0.0;
                let mut s2 = 0.0;
                let mut s3 = 0.0;
                for p in start..end {
                    let j = indices[p];
                    let d = data[p];
                    s0 += d * x[[j, c]];
                    s1 += d * x[[j, c + 1]];
                    s2 += d * x[[j, c + 2]];
                    s3 += d * x[[j, c + 3]];
                }
                y[[i, c]] = s0;
                y[[i, c + 1]] = s1;
                y[[i, c + 2]] = s2;
                y[[i, c + 3]] = s3;
                c += 4;
            }
            while c < width {
                let mut s = 0.0;
                for p in start..end {
                    s += data[p] * x[[indices[p], c]];
                }
                y[[i, c]] = s;
                c += 1;
            }
        }
    }

    /// `y = Aᵀ·x` for the CSR matrix `A` (`x.nrows()` rows) without forming `Aᵀ`: row `i`
    /// of `x` is scattered, scaled by each entry of row `i` of `A`, into the rows of `y`.
    /// Every output adds the same terms in the same order as [`csr_matmul`] on the CSR form
    /// of `Aᵀ`, so the two agree to the bit; this one needs no transpose, that one is faster.
    pub fn csr_t_matmul(
        indptr: &[usize],
        indices: &[usize],
        data: &[f64],
        x: ArrayView2<f64>,
        mut y: ArrayViewMut2<f64>,
    ) {
        let width = y.ncols();
        for j in 0..y.nrows() {
            for c in 0..width {
                y[[j, c]] = 0.0;
            }
        }
        for i in 0..x.nrows() {
            for p in indptr[i]..indptr[i + 1] {
                let j = indices[p];
                let d = data[p];
                for c in 0..width {
                    y[[j, c]] += d * x[[i, c]];
                }
            }
        }
    }

    /// `out = a · btᵀ` (`a` m×p, `bt` q×p): [`matmul`] on `b = btᵀ` (p×q scratch), so the
    /// inner loops run along rows of `out` and `b` rather than as dot products.
    pub fn matmul_nt(
        a: ArrayView2<f64>,
        bt: ArrayView2<f64>,
        mut b: ArrayViewMut2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) {
        transpose(bt, b);
        matmul(a, b, out);
    }

    /// `out = a · b` (`a` m×p, `b` p×q): each output sums `a[i,t]·b[t,j]` over `t` in order,
    /// from 0. Row `i` of `out` is built in passes along the row (axpy form), each adding
    /// the next eight terms to every entry one by one, then the remaining terms singly: the
    /// same additions in the same order as a dot product, with stride-1 inner loops that
    /// the JIT and LLVM vectorise.
    pub fn matmul(a: ArrayView2<f64>, b: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
        let (m, q) = out.dim();
        let p = a.ncols();
        if p > 0 && q > 0 {
            // Checking the last element of `b` once lets the native tier drop the inner
            // checks.
            let _corner = b[[p - 1, q - 1]];
        }
        // Each row of `out` is one iteration's own: the rows run in parallel.
        for i in prange(0..m) {
            for j in 0..q {
                out[[i, j]] = 0.0;
            }
            let mut t = 0;
            while t + 8 <= p {
                let a0 = a[[i, t]];
                let a1 = a[[i, t + 1]];
                let a2 = a[[i, t + 2]];
                let a3 = a[[i, t + 3]];
                let a4 = a[[i, t + 4]];
                let a5 = a[[i, t + 5]];
                let a6 = a[[i, t + 6]];
                let a7 = a[[i, t + 7]];
                // Rows of `b` as locals: the JIT vectorises rows indexed by loop invariants.
                let t1 = t + 1;
                let t2 = t + 2;
                let t3 = t + 3;
                let t4 = t + 4;
                let t5 = t + 5;
                let t6 = t + 6;
                let t7 = t + 7;
                for j in 0..q {
                    out[[i, j]] = out[[i, j]]
                        + a0 * b[[t, j]]
                        + a1 * b[[t1, j]]
                        + a2 * b[[t2, j]]
                        + a3 * b[[t3, j]]
                        + a4 * b[[t4, j]]
                        + a5 * b[[t5, j]]
                        + a6 * b[[t6, j]]
                        + a7 * b[[t7, j]];
                }
                t += 8;
            }
            while t < p {
                let av = a[[i, t]];
                for j in 0..q {
                    out[[i, j]] += av * b[[t, j]];
                }
                t += 1;
            }
        }
    }

    /// `out = aᵀ · b` (`a` p×m, `b` p×q). The loop runs over the rows `t` of both inputs and
    /// adds the outer product of row `t` into `out`, so every output still sums its terms in
    /// the order of `t`, while all reads are along rows.
    pub fn matmul_tn(a: ArrayView2<f64>, b: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
        let (m, q) = out.dim();
        for i in 0..m {
            for j in 0..q {
                out[[i, j]] = 0.0;
            }
        }
        for t in 0..a.nrows() {
            for i in 0..m {
                let av = a[[t, i]];
                for j in 0..q {
                    out[[i, j]] += av * b[[t, j]];
                }
            }
        }
    }

    /// The Gram matrix `out = xᵀ·x`.
    pub fn gram(x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
        matmul_tn(x, x, out);
    }

    /// `out = aᵀ`.
    pub fn transpose(a: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
        let (m, n) = out.dim();
        for i in 0..m {
            for j in 0..n {
                out[[i, j]] = a[[j, i]];
            }
        }
    }

    /// Swaps rows `r1` and `r2` of `a`.
    fn swap_rows(mut a: ArrayViewMut2<f64>, r1: usize, r2: usize) {
        let width = a.ncols();
        for c in 0..width {
            let t = a[[r1, c]];
            a[[r1, c]] = a[[r2, c]];
            a[[r2, c]] = t;
        }
    }

    /// Factors the panel `k0..k0 + bw` with partial pivoting, right-looking inside the panel,
    /// on its contiguous copy: `panel` holds columns `k0..k0 + bw` of `a` in its columns
    /// `0..bw` (same rows, from `k0`, already up to date with the columns before `k0`), so
    /// the pivot searches and eliminations walk rows of eight instead of rows of `l`. A
    /// pivot swaps the panel's rows, whole rows of `a` (the columns of `L` on its left too,
    /// as LAPACK's `dlaswp` does; the panel's own columns there are stale until stored back)
    /// and the entries of `perm`. The elimination of a column also finds the pivot of the
    /// next one in the same pass (the first row of largest magnitude, as a separate search
    /// would). Rows `k0..store_end` of the panel are stored back to `a`.
    fn lu_factor_panel(
        mut a: ArrayViewMut2<f64>,
        mut panel: ArrayViewMut2<f64>,
        mut perm: &mut [usize],
        k0: usize,
        bw: usize,
        store_end: usize,
    ) {
        let n = a.nrows();
        let mut pivot_row = lu_pivot_search(panel, k0, 0);
        for c in 0..bw {
            let col = k0 + c;
            if pivot_row != col {
                swap_rows(a, col, pivot_row);
                swap_rows(panel, col, pivot_row);
                let t = perm[col];
                perm[col] = perm[pivot_row];
                perm[pivot_row] = t;
            }
            let next = c + 1;
            let pivot = panel[[col, c]];
            if pivot == 0.0 {
                // The column below is all zero: nothing to eliminate.
                if next < bw {
                    pivot_row = lu_pivot_search(panel, col + 1, next);
                }
            } else if next < bw {
                pivot_row = col + 1;
                let mut best = 0.0;
                for i in col + 1..n {
                    let l = panel[[i, c]] / pivot;
                    panel[[i, c]] = l;
                    for c2 in next..bw {
                        panel[[i, c2]] -= l * panel[[col, c2]];
                    }
                    let v = panel[[i, next]].abs();
                    // The first row only sets the candidate (a NaN there stays the pivot,
                    // as in a separate search).
                    if i == col + 1 || v > best {
                        best = v;
                        pivot_row = i;
                    }
                }
            } else {
                for i in col + 1..n {
                    panel[[i, c]] = panel[[i, c]] / pivot;
                }
            }
        }
        for i in k0..store_end {
            for c in 0..bw {
                a[[i, k0 + c]] = panel[[i, c]];
            }
        }
    }

    /// The pivot of panel column `c` from row `first` down: the first row of largest
    /// magnitude.
    fn lu_pivot_search(panel: ArrayView2<f64>, first: usize, c: usize) -> usize {
        let n = panel.nrows();
        let mut pivot_row = first;
        let mut best = panel[[first, c]].abs();
        for i in first + 1..n {
            let v = panel[[i, c]].abs();
            if v > best {
                best = v;
                pivot_row = i;
            }
        }
        pivot_row
    }

    /// The block row of `U` right of the panel `k0..k0 + bw`: rows `k0..k0 + bw` of `a`,
    /// columns from `k0 + bw`, solved with the panel's unit lower triangle, row by row.
    /// Each finished row is also copied to the same row of `u` (row `r` of the block is row
    /// `r` of `u`, same columns), so the updates below read `U` from an array they do not
    /// write: their inner loops then touch one row of `a` only.
    fn lu_block_row(mut a: ArrayViewMut2<f64>, mut u: ArrayViewMut2<f64>, k0: usize, bw: usize) {
        let width = a.ncols();
        let next = k0 + bw;
        for r in 0..bw {
            let row = k0 + r;
            for t in 0..r {
                let m = a[[row, k0 + t]];
                for j in next..width {
                    a[[row, j]] -= m * u[[t, j]];
                }
            }
            for j in next..width {
                u[[r, j]] = a[[row, j]];
            }
        }
    }

    /// The trailing update `A₂₂ -= L₂₁·U₁₂` after a full panel of eight columns from `k0`:
    /// each row below the panel subtracts its eight terms in the order of the panel's
    /// columns, in one stride-1 pass over the row (`L₂₁` is in `panel`, `U₁₂` in rows 0..8
    /// of `u`). The same pass over a row stores its `L₂₁` back to `a` and loads the next
    /// panel's `next_bw` columns (now final for this row) into `panel`.
    fn lu_update_trailing(
        mut a: ArrayViewMut2<f64>,
        mut panel: ArrayViewMut2<f64>,
        u: ArrayView2<f64>,
        k0: usize,
        next_bw: usize,
    ) {
        let n = a.nrows();
        let width = a.ncols();
        let next = k0 + 8;
        // Reading the last element of `U₁₂` first checks, once, every `u` access below:
        // the native tier's optimiser then drops the per-element checks and vectorises.
        let _corner = u[[7, width - 1]];
        // Each row (of `a` and `panel`) is one iteration's own: the rows run in parallel.
        for i in prange(next..n) {
            let l0 = panel[[i, 0]];
            let l1 = panel[[i, 1]];
            let l2 = panel[[i, 2]];
            let l3 = panel[[i, 3]];
            let l4 = panel[[i, 4]];
            let l5 = panel[[i, 5]];
            let l6 = panel[[i, 6]];
            let l7 = panel[[i, 7]];
            a[[i, k0]] = l0;
            a[[i, k0 + 1]] = l1;
            a[[i, k0 + 2]] = l2;
            a[[i, k0 + 3]] = l3;
            a[[i, k0 + 4]] = l4;
            a[[i, k0 + 5]] = l5;
            a[[i, k0 + 6]] = l6;
            a[[i, k0 + 7]] = l7;
            for j in next..width {
                a[[i, j]] = a[[i, j]]
                    - l0 * u[[0, j]]
                    - l1 * u[[1, j]]
                    - l2 * u[[2, j]]
                    - l3 * u[[3, j]]
                    - l4 * u[[4, j]]
                    - l5 * u[[5, j]]
                    - l6 * u[[6, j]]
                    - l7 * u[[7, j]];
            }
            for c in 0..next_bw {
                panel[[i, c]] = a[[i, next + c]];
            }
        }
    }

    /// LU with partial pivoting of the tall matrix `a` (n×l, n ≥ l), returning the permuted
    /// lower factor `P·L` in `out` — scipy's `lu(a, permute_l=True)[0]`, the normaliser of
    /// scikit-learn's power iterations. `a` is overwritten by the factors; `perm` (length n),
    /// `panel` (n×8) and `u` (8×l) are scratch. Right-looking in panels of eight columns:
    /// factor the panel (on its contiguous copy, loaded by the previous panel's update),
    /// solve its block row of `U`, then update every row below in one contiguous pass per
    /// panel. Each entry still subtracts its terms `l_it·u_tj` in the order of `t`, exactly
    /// as the unblocked (Doolittle) elimination does.
    pub fn lu_permute_l(
        mut a: ArrayViewMut2<f64>,
        mut perm: &mut [usize],
        mut panel: ArrayViewMut2<f64>,
        mut u: ArrayViewMut2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) {
        let (n, l) = a.dim();
        for i in 0..n {
            perm[i] = i;
        }
        copy_panel(a, panel, 0, l.min(8), true);
        let mut k0 = 0;
        while k0 < l {
            let bw = (l - k0).min(8);
            // Only the last panel can be narrower than eight, and nothing is right of it:
            // it stores all its rows; the others store their own rows, and the trailing
            // update stores the rows below while loading the next panel.
            if k0 + bw < l {
                lu_factor_panel(a, panel, perm, k0, bw, k0 + bw);
                lu_block_row(a, u, k0, bw);
                lu_update_trailing(a, panel, u, k0, (l - k0 - bw).min(8));
            } else {
                lu_factor_panel(a, panel, perm, k0, bw, n);
            }
            k0 += bw;
        }
        for i in 0..n {
            let row = perm[i];
            for j in 0..l {
                if i > j {
                    out[[row, j]] = a[[i, j]];
                } else if i == j {
                    out[[row, j]] = 1.0;
                } else {
                    out[[row, j]] = 0.0;
                }
            }
        }
    }

    /// Householder QR of `a` (m×n, m ≥ n): `q` receives the thin `Q` (m×n, orthonormal
    /// columns) and `r` the upper triangular `R` (n×n); `a` is overwritten by the reflectors.
    /// Each reflector `H = I - τ v vᵀ` is LAPACK's `dlarfg` (`v₀ = 1`, `β = -sign(α)·‖x‖`).
    /// Blocked as LAPACK's `dgeqrf`/`dorgqr`: reflectors come in blocks of eight, factored
    /// on a copy of their columns (`panel`, m×8), and a block is applied to the rest of `a`
    /// (and later to `q`) in its compact WY form `I - V·T·Vᵀ` (`t`, 8×8), so the tall matrix
    /// is streamed twice per block rather than twice per reflector. Scratch: `tau` (n),
    /// `panel` (m×8), `t` (8×8), `w` and `w2` (8×n).
    pub fn householder_qr(
        mut a: ArrayViewMut2<f64>,
        mut tau: &mut [f64],
        mut panel: ArrayViewMut2<f64>,
        mut t: ArrayViewMut2<f64>,
        mut w: ArrayViewMut2<f64>,
        mut w2: ArrayViewMut2<f64>,
        mut q: ArrayViewMut2<f64>,
        mut r: ArrayViewMut2<f64>,
    ) {
        let (m, n) = a.dim();
        let mut k0 = 0;
        while k0 < n {
            let bw = (n - k0).min(8);
            copy_panel(a, panel, k0, bw, true);
            factor_panel_qr(panel, tau, w, k0, bw);
            copy_panel(a, panel, k0, bw, false);
            if k0 + bw < n {
                block_t(panel, tau, t, k0, bw);
                apply_block(panel, t, k0, bw, true, a, k0 + bw, w, w2);
            }
            k0 += bw;
        }
        for i in 0..n {
            for j in 0..n {
                if j >= i {
                    r[[i, j]] = a[[i, j]];
                } else {
                    r[[i, j]] = 0.0;
                }
            }
        }
        for i in 0..m {
            for j in 0..n {
                if i == j {
                    q[[i, j]] = 1.0;
                } else {
                    q[[i, j]] = 0.0;
                }
            }
        }
        // Q = (I - V₀T₀V₀ᵀ)(I - V₁T₁V₁ᵀ)…·I, accumulated from the last block backwards;
        // columns left of a block are still identity columns there, which it leaves alone.
        let mut blocks = (n + 7) / 8;
        while blocks > 0 {
            blocks -= 1;
            let kb = blocks * 8;
            let bw = (n - kb).min(8);
            copy_panel(a, panel, kb, bw, true);
            block_t(panel, tau, t, kb, bw);
            apply_block(panel, t, kb, bw, false, q, kb, w, w2);
        }
    }

    /// Copies columns `k0..k0 + bw` of `a`, rows `k0..`, to columns `0..bw` of `panel`
    /// (same rows) when `load`, and back otherwise.
    fn copy_panel(
        mut a: ArrayViewMut2<f64>,
        mut panel: ArrayViewMut2<f64>,
        k0: usize,
        bw: usize,
        load: bool,
    ) {
        let m = a.nrows();
        for i in k0..m {
            for c in 0..bw {
                if load {
                    panel[[i, c]] = a[[i, k0 + c]];
                } else {
                    a[[i, k0 + c]] = panel[[i, c]];
                }
            }
        }
    }

    /// Component `i` of reflector `s` of the block starting at `k0`, stored in column `s`
    /// of `panel`: 0 above its diagonal row `k0 + s`, 1 on it, the stored vector below.
    fn block_v(panel: ArrayView2<f64>, k0: usize, s: usize, i: usize) -> f64 {
        if i < k0 + s {
            0.0
        } else if i == k0 + s {
            1.0
        } else {
            panel[[i, s]]
        }
    }

    /// Unblocked Householder QR of the `bw` panel columns (rows `k0..`): reflector `c`
    /// (global index `k0 + c`) is built, then applied to the panel columns right of it.
    /// `w` row 0 is scratch.
    fn factor_panel_qr(
        mut panel: ArrayViewMut2<f64>,
        mut tau: &mut [f64],
        mut w: ArrayViewMut2<f64>,
        k0: usize,
        bw: usize,
    ) {
        let m = panel.nrows();
        for c in 0..bw {
            let k = k0 + c;
            let tk = householder_column(panel, c, k);
            tau[k] = tk;
            if tk == 0.0 || c + 1 == bw {
                continue;
            }
            for c2 in c + 1..bw {
                w[[0, c2]] = panel[[k, c2]];
            }
            for i in k + 1..m {
                let v = panel[[i, c]];
                for c2 in c + 1..bw {
                    w[[0, c2]] += v * panel[[i, c2]];
                }
            }
            for c2 in c + 1..bw {
                w[[0, c2]] *= tk;
                panel[[k, c2]] -= w[[0, c2]];
            }
            for i in k + 1..m {
                let v = panel[[i, c]];
                for c2 in c + 1..bw {
                    panel[[i, c2]] -= v * w[[0, c2]];
                }
            }
        }
    }

    /// Builds the reflector of `panel` column `c` from row `k` down in place (`v` below row
    /// `k`, `β` on it) and returns `τ` (0 when the column below is already zero).
    fn householder_column(mut panel: ArrayViewMut2<f64>, c: usize, k: usize) -> f64 {
        let m = panel.nrows();
        let mut sigma = 0.0;
        for i in k + 1..m {
            sigma += panel[[i, c]] * panel[[i, c]];
        }
        if sigma == 0.0 {
            return 0.0;
        }
        let alpha = panel[[k, c]];
        let norm = (alpha * alpha + sigma).sqrt();
        let beta = if alpha >= 0.0 { -norm } else { norm };
        let tau = (beta - alpha) / beta;
        let scale = 1.0 / (alpha - beta);
        for i in k + 1..m {
            panel[[i, c]] *= scale;
        }
        panel[[k, c]] = beta;
        tau
    }

    /// The triangular factor `T` (upper, `bw`×`bw`) of the block's compact WY form,
    /// `H₀H₁…H_{bw−1} = I − V·T·Vᵀ` (LAPACK's `dlarft`, forward, column-wise):
    /// `T[j,j] = τ_j`, `T[0..j, j] = −τ_j·T[0..j, 0..j]·(V[:, 0..j]ᵀ v_j)`.
    fn block_t(
        panel: ArrayView2<f64>,
        tau: &[f64],
        mut t: ArrayViewMut2<f64>,
        k0: usize,
        bw: usize,
    ) {
        let m = panel.nrows();
        for i in 0..8 {
            for j in 0..8 {
                t[[i, j]] = 0.0;
            }
        }
        for j in 0..bw {
            let kj = k0 + j;
            let tj = tau[kj];
            t[[j, j]] = tj;
            // z = −τ_j·V[:, 0..j]ᵀ v_j, parked in column j of `t`; v_j starts at row kj.
            for i in 0..j {
                let mut d = panel[[kj, i]];
                for row in kj + 1..m {
                    d += panel[[row, i]] * panel[[row, j]];
                }
                t[[i, j]] = -tj * d;
            }
            // Column j ← T[0..j, 0..j]·z, top down: row i needs z[i..j], still unread.
            for i in 0..j {
                let mut s = 0.0;
                for p in i..j {
                    s += t[[i, p]] * t[[p, j]];
                }
                t[[i, j]] = s;
            }
        }
    }

    /// Applies the block `I − V·T·Vᵀ` (or its transpose, `I − V·Tᵀ·Vᵀ`, when `transpose`) of
    /// the reflectors in `panel` (block from row `k0`, `bw` of them) to columns `from..` of
    /// `c`, rows `k0..`: `W = Vᵀ·C`, `W₂ = T·W` (or `Tᵀ·W`), `C −= V·W₂`. Every sum adds
    /// its terms one by one in order (rows for `W`, reflectors for `W₂` and `C`); the
    /// inner loops run along rows of `c`, `w` and `w2`.
    fn apply_block(
        panel: ArrayView2<f64>,
        t: ArrayView2<f64>,
        k0: usize,
        bw: usize,
        transpose: bool,
        mut c: ArrayViewMut2<f64>,
        from: usize,
        mut w: ArrayViewMut2<f64>,
        mut w2: ArrayViewMut2<f64>,
    ) {
        let m = c.nrows();
        let n = c.ncols();
        // Checking the last elements once lets the native tier drop the inner checks.
        let _w_corner = w[[bw - 1, n - 1]];
        let _w2_corner = w2[[bw - 1, n - 1]];
        for s in 0..bw {
            for j in from..n {
                w[[s, j]] = 0.0;
            }
        }
        for i in k0..m {
            let top = (i - k0 + 1).min(bw);
            for s in 0..top {
                let v = block_v(panel, k0, s, i);
                for j in from..n {
                    w[[s, j]] += v * c[[i, j]];
                }
            }
        }
        for row in 0..bw {
            for j in from..n {
                w2[[row, j]] = 0.0;
            }
            let lo = if transpose { 0 } else { row };
            let hi = if transpose { row + 1 } else { bw };
            for s in lo..hi {
                let coef = if transpose { t[[s, row]] } else { t[[row, s]] };
                for j in from..n {
                    w2[[row, j]] += coef * w[[s, j]];
                }
            }
        }
        let full = (k0 + bw).min(m);
        for i in k0..full {
            for s in 0..i - k0 + 1 {
                let v = block_v(panel, k0, s, i);
                for j in from..n {
                    c[[i, j]] -= v * w2[[s, j]];
                }
            }
        }
        if bw == 8 {
            subtract_rank8(panel, c, w2, full, from);
        } else {
            for i in full..m {
                for s in 0..bw {
                    let v = panel[[i, s]];
                    for j in from..n {
                        c[[i, j]] -= v * w2[[s, j]];
                    }
                }
            }
        }
    }

    /// `C[i, from..] −= Σ_s panel[i, s]·W₂[s, from..]` for rows `first..` and all eight
    /// reflectors, the terms subtracted in the order of `s` in one pass over each row.
    fn subtract_rank8(
        panel: ArrayView2<f64>,
        mut c: ArrayViewMut2<f64>,
        w2: ArrayView2<f64>,
        first: usize,
        from: usize,
    ) {
        let m = c.nrows();
        let n = c.ncols();
        let _corner = w2[[7, n - 1]];
        // Each row of `c` is one iteration's own: the rows run in parallel.
        for i in prange(first..m) {
            let v0 = panel[[i, 0]];
            let v1 = panel[[i, 1]];
            let v2 = panel[[i, 2]];
            let v3 = panel[[i, 3]];
            let v4 = panel[[i, 4]];
            let v5 = panel[[i, 5]];
            let v6 = panel[[i, 6]];
            let v7 = panel[[i, 7]];
            for j in from..n {
                c[[i, j]] = c[[i, j]]
                    - v0 * w2[[0, j]]
                    - v1 * w2[[1, j]]
                    - v2 * w2[[2, j]]
                    - v3 * w2[[3, j]]
                    - v4 * w2[[4, j]]
                    - v5 * w2[[5, j]]
                    - v6 * w2[[6, j]]
                    - v7 * w2[[7, j]];
            }
        }
    }

    /// One-sided (Hestenes) Jacobi on the rows of `w` (n×m): rotates pairs of rows until
    /// every pair is orthogonal to `tol` (`|x·y| ≤ tol·‖x‖‖y‖`), applying each rotation to
    /// `vt` too (set to the identity first). Rows of `w` are the columns of the matrix being
    /// decomposed, so on return row `j` of `w` is `σ_j u_jᵀ` and row `j` of `vt` is `v_jᵀ`.
    /// Rutishauser's rotation: `ζ = (β − α) / 2γ`, `t = sign(ζ) / (|ζ| + √(1 + ζ²))`.
    /// Returns the number of sweeps, or `max_sweeps + 1` if the last sweep still rotated.
    pub fn jacobi_rows(
        mut w: ArrayViewMut2<f64>,
        mut vt: ArrayViewMut2<f64>,
        tol: f64,
        max_sweeps: usize,
    ) -> usize {
        let n = w.nrows();
        for i in 0..n {
            for j in 0..n {
                vt[[i, j]] = if i == j { 1.0 } else { 0.0 };
            }
        }
        let mut sweep = 0;
        while sweep < max_sweeps {
            sweep += 1;
            let mut rotated = false;
            for p in 0..n {
                for q in p + 1..n {
                    if jacobi_pair(w, vt, p, q, tol) {
                        rotated = true;
                    }
                }
            }
            if !rotated {
                return sweep;
            }
        }
        max_sweeps + 1
    }

    /// Orthogonalises rows `p` and `q` of `w` (and rotates `vt` alike) if they are not yet
    /// orthogonal to `tol`; returns whether it rotated.
    fn jacobi_pair(
        mut w: ArrayViewMut2<f64>,
        mut vt: ArrayViewMut2<f64>,
        p: usize,
        q: usize,
        tol: f64,
    ) -> bool {
        let m = w.ncols();
        let mut alpha = 0.0;
        let mut beta = 0.0;
        let mut gamma = 0.0;
        for c in 0..m {
            let x = w[[p, c]];
            let y = w[[q, c]];
            alpha += x * x;
            beta += y * y;
            gamma += x * y;
        }
        if !(gamma.abs() > tol * alpha.sqrt() * beta.sqrt()) {
            return false;
        }
        let zeta = (beta - alpha) / (2.0 * gamma);
        let t = if zeta.abs() > 1e150 {
            0.5 / zeta
        } else {
            zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt())
        };
        let cs = 1.0 / (1.0 + t * t).sqrt();
        let sn = cs * t;
        rotate_rows(w, p, q, cs, sn);
        rotate_rows(vt, p, q, cs, sn);
        true
    }

    /// `(x, y) ← (c·x − s·y, s·x + c·y)` for rows `p`, `q` of `a`.
    fn rotate_rows(mut a: ArrayViewMut2<f64>, p: usize, q: usize, cs: f64, sn: f64) {
        let m = a.ncols();
        for c in 0..m {
            let x = a[[p, c]];
            let y = a[[q, c]];
            a[[p, c]] = cs * x - sn * y;
            a[[q, c]] = sn * x + cs * y;
        }
    }

    /// Finishes [`jacobi_rows`]: `sigma[r]` the `r`-th largest row norm of `w` (a stable
    /// selection sort, so equal values keep their order), `ut[r]` that row normalised and
    /// `vt_sorted[r]` the matching row of `vt`. A row of norm zero has no direction: it is
    /// replaced by a unit vector orthogonal to the rows before it (Gram–Schmidt, twice, over
    /// the standard basis), so `ut` always has orthonormal rows. `order` (n) is scratch.
    pub fn jacobi_finish(
        w: ArrayView2<f64>,
        vt: ArrayView2<f64>,
        mut order: &mut [usize],
        mut sigma: &mut [f64],
        mut ut: ArrayViewMut2<f64>,
        mut vt_sorted: ArrayViewMut2<f64>,
    ) {
        let (n, m) = w.dim();
        for i in 0..n {
            order[i] = i;
            let mut s = 0.0;
            for c in 0..m {
                s += w[[i, c]] * w[[i, c]];
            }
            sigma[i] = s.sqrt();
        }
        for r in 0..n {
            let mut best = r;
            for i in r + 1..n {
                if sigma[i] > sigma[best] {
                    best = i;
                }
            }
            let ts = sigma[r];
            sigma[r] = sigma[best];
            sigma[best] = ts;
            let to = order[r];
            order[r] = order[best];
            order[best] = to;
        }
        let vn = vt.ncols();
        for r in 0..n {
            let src = order[r];
            for c in 0..vn {
                vt_sorted[[r, c]] = vt[[src, c]];
            }
            if sigma[r] > 0.0 {
                for c in 0..m {
                    ut[[r, c]] = w[[src, c]] / sigma[r];
                }
            } else {
                complete_row(ut, r);
            }
        }
    }

    /// Makes row `r` of `u` a unit vector orthogonal to rows `0..r`, trying the standard
    /// basis vectors in turn (rows of length m > r always leave one that survives).
    fn complete_row(mut u: ArrayViewMut2<f64>, r: usize) {
        let m = u.ncols();
        let mut e = 0;
        while e < m {
            for c in 0..m {
                u[[r, c]] = if c == e { 1.0 } else { 0.0 };
            }
            for _ in 0..2 {
                for prev in 0..r {
                    let mut d = 0.0;
                    for c in 0..m {
                        d += u[[prev, c]] * u[[r, c]];
                    }
                    for c in 0..m {
                        u[[r, c]] -= d * u[[prev, c]];
                    }
                }
            }
            let mut s = 0.0;
            for c in 0..m {
                s += u[[r, c]] * u[[r, c]];
            }
            let norm = s.sqrt();
            if norm > 0.5 {
                for c in 0..m {
                    u[[r, c]] /= norm;
                }
                return;
            }
            e += 1;
        }
    }

    /// scikit-learn's `svd_flip` (u-based): for each column `j` of `u`, the entry of largest
    /// magnitude (the first, on ties) is made positive by flipping column `j` of `u` and row
    /// `j` of `vt`. A zero column keeps its sign (numpy's `sign(0) = 0` would erase it).
    /// `best` and `arg` (length `u.ncols()`) are scratch.
    pub fn svd_flip(
        mut u: ArrayViewMut2<f64>,
        mut vt: ArrayViewMut2<f64>,
        mut best: &mut [f64],
        mut arg: &mut [usize],
    ) {
        let k = u.ncols();
        column_abs_max(u, best, arg);
        for j in 0..k {
            best[j] = if u[[arg[j], j]] < 0.0 { -1.0 } else { 1.0 };
        }
        scale_columns(u, best);
        let m = vt.ncols();
        for j in 0..k {
            let sign = best[j];
            for c in 0..m {
                vt[[j, c]] *= sign;
            }
        }
    }

    /// The Gram matrix of each block of `block` rows of `x` (the last block may be short):
    /// row `b` of `grams` holds `x[rows of b]ᵀ·x[rows of b]` row-major (`l × l`, `l =
    /// x.ncols()`), upper triangle only (the rest stays as it was). Each entry adds its terms
    /// one by one in row order, so a block's Gram depends on that block alone.
    pub fn block_grams(x: ArrayView2<f64>, block: usize, mut grams: ArrayViewMut2<f64>) {
        let (n, l) = x.dim();
        let blocks = grams.nrows();
        for b in prange(0..blocks) {
            for e in 0..l * l {
                grams[[b, e]] = 0.0;
            }
            let first = b * block;
            let mut end = first + block;
            if end > n {
                end = n;
            }
            for r in first..end {
                for i in 0..l {
                    let xi = x[[r, i]];
                    for j in i..l {
                        grams[[b, i * l + j]] += xi * x[[r, j]];
                    }
                }
            }
        }
    }

    /// `total += parts[b, :]` for each row `b` in order: partial sums combined in a fixed
    /// order, whatever produced them.
    pub fn add_rows_into(parts: ArrayView2<f64>, mut total: &mut [f64]) {
        let (rows, len) = parts.dim();
        for b in 0..rows {
            for e in 0..len {
                total[e] += parts[[b, e]];
            }
        }
    }

    /// The upper Cholesky factor of `g + shift·I` (`rᵀ·r`; only the upper triangle of `g`,
    /// `l × l` row-major in a slice, is read): returns `l` on success, or the first pivot
    /// `j` that is not positive (or not a number), leaving `r` partly written.
    pub fn cholesky_upper(g: &[f64], shift: f64, mut r: ArrayViewMut2<f64>) -> usize {
        let l = r.nrows();
        for i in 0..l {
            for j in 0..l {
                r[[i, j]] = 0.0;
            }
        }
        for j in 0..l {
            let mut d = g[j * l + j] + shift;
            for k in 0..j {
                d -= r[[k, j]] * r[[k, j]];
            }
            if !(d > 0.0) {
                return j;
            }
            let pivot = d.sqrt();
            r[[j, j]] = pivot;
            for i in j + 1..l {
                let mut s = g[j * l + i];
                for k in 0..j {
                    s -= r[[k, j]] * r[[k, i]];
                }
                r[[j, i]] = s / pivot;
            }
        }
        l
    }

    /// `x ← x·r⁻¹` for an upper-triangular `r` with a nonzero diagonal, row by row (forward
    /// substitution along each row, in place).
    pub fn solve_upper_rows(mut x: ArrayViewMut2<f64>, r: ArrayView2<f64>) {
        let (n, l) = x.dim();
        for i in prange(0..n) {
            for j in 0..l {
                let mut s = x[[i, j]];
                for k in 0..j {
                    s -= x[[i, k]] * r[[k, j]];
                }
                x[[i, j]] = s / r[[j, j]];
            }
        }
    }

    /// For each column `j` of `x`: the largest magnitude `best[j]` (-1 for no rows) and the
    /// first row `arg[j]` holding it — `svd_flip`'s argmax, and one rank's share of it.
    pub fn column_abs_max(x: ArrayView2<f64>, mut best: &mut [f64], mut arg: &mut [usize]) {
        let (n, k) = x.dim();
        for j in 0..k {
            best[j] = -1.0;
            arg[j] = 0;
        }
        for i in 0..n {
            for j in 0..k {
                let v = x[[i, j]].abs();
                if v > best[j] {
                    best[j] = v;
                    arg[j] = i;
                }
            }
        }
    }

    /// `x[:, j] *= factors[j]`, in place.
    pub fn scale_columns(mut x: ArrayViewMut2<f64>, factors: &[f64]) {
        let (n, k) = x.dim();
        for i in prange(0..n) {
            for j in 0..k {
                x[[i, j]] *= factors[j];
            }
        }
    }

    /// `x[:, j] *= sqrt(s[j])` — ProNE's `U * np.sqrt(Sigma)`.
    pub fn scale_columns_sqrt(mut x: ArrayViewMut2<f64>, s: &[f64]) {
        let (n, k) = x.dim();
        for i in 0..n {
            for j in 0..k {
                x[[i, j]] *= s[j].sqrt();
            }
        }
    }

    /// scikit-learn's `normalize(x, "l2")`: every row divided by its Euclidean norm (rows of
    /// norm zero are left as they are).
    pub fn normalize_rows(mut x: ArrayViewMut2<f64>) {
        let (n, k) = x.dim();
        for i in 0..n {
            let mut s = 0.0;
            for j in 0..k {
                s += x[[i, j]] * x[[i, j]];
            }
            let mut norm = s.sqrt();
            if norm == 0.0 {
                norm = 1.0;
            }
            for j in 0..k {
                x[[i, j]] /= norm;
            }
        }
    }

    /// `out = D^{-1/2} A D^{-1/2}` entry by entry, `D` the row sums of `A` (symmetric `A`);
    /// a row that sums to zero keeps its (zero) entries. `degree` (rows) is scratch.
    pub fn sym_normalize(
        indptr: &[usize],
        indices: &[usize],
        data: &[f64],
        mut degree: &mut [f64],
        mut out: &mut [f64],
    ) {
        let rows = indptr.len() - 1;
        for i in 0..rows {
            let mut s = 0.0;
            for p in indptr[i]..indptr[i + 1] {
                s += data[p];
            }
            degree[i] = if s > 0.0 { 1.0 / s.sqrt() } else { 0.0 };
        }
        for i in 0..rows {
            for p in indptr[i]..indptr[i + 1] {
                out[p] = data[p] * degree[i] * degree[indices[p]];
            }
        }
    }
}
