//! The randomized SVD over ranks: the steps of [`crate::svd::randomized_svd`] with every
//! dense factor split by rows. Sparse products gather their halo; the normaliser, the
//! final QR and the QR inside the small SVD are CholeskyQR2 ([`cholesky_qr`]), which
//! reduces only `l × l` Gram matrices; the `l × l` Jacobi SVD runs on every rank on the
//! same bits; `svd_flip`'s argmax is one small all-gather.
//!
//! **Invariant:** every value is the same for any number of ranks, and the same as the
//! single-process run with [`Normalizer::CholeskyQr2`]: the Gaussian test matrix is drawn
//! by global row index, each row of a product is computed by one rank in storage order, and
//! block partials are summed in global block order.

use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use crate::progress::{run_step, Observer};
use crate::svd::{Csr, Normalizer, Ops, Plan, SvdError, SvdParams};

use super::cholqr::cholesky_qr;
use super::comm::{bytes_to_f64s, f64s_to_bytes, Comm};
use super::group::{on_one_rank, DistError, Group, Phase};
use super::layout::RowLayout;
use super::matrix::{DistMatrix, LocalRows};
use super::BLOCK_ROWS;

/// A truncated SVD over ranks: this rank's rows of `U` (laid out as `A`'s rows) and of
/// `V` (laid out as `A`'s columns), and the singular values, on every rank.
#[derive(Clone, Debug, PartialEq)]
pub struct DistSvd {
    pub u: Array2<f64>,
    pub u_layout: RowLayout,
    pub s: Array1<f64>,
    pub v: Array2<f64>,
    pub v_layout: RowLayout,
}

/// The randomized SVD of the distributed `a`. The normaliser must be CholeskyQR2 or none
/// (`Auto` means none for `n_iter ≤ 2`, else CholeskyQR2). Collective.
pub fn randomized_svd(
    group: &Group,
    a: &DistMatrix,
    params: &SvdParams,
    observer: &mut dyn Observer,
) -> Result<DistSvd, DistError> {
    let mut plan = Plan::for_shape(a.shape(), a.nnz(), &distributable(params)?)?;
    if plan.normalizer() == Normalizer::None {
        plan = Plan::for_shape(a.shape(), a.nnz(), params)?;
    }
    observer.planned(plan.total_work());
    run(group, &plan, a, observer)
}

/// The checks [`randomized_svd`] makes of `params` for a matrix of `shape`, without
/// communicating: run them on every rank before the collective steps, so that a bad rank or
/// normaliser stops every rank at the same point.
pub fn check_params(shape: (usize, usize), params: &SvdParams) -> Result<(), SvdError> {
    Plan::for_shape(shape, 0, &distributable(params)?).map(drop)
}

/// `params` with `Auto` resolved for ranks; LU and QR refused.
fn distributable(params: &SvdParams) -> Result<SvdParams, SvdError> {
    let normalizer = match params.normalizer {
        Normalizer::Auto | Normalizer::CholeskyQr2 => Normalizer::CholeskyQr2,
        Normalizer::None => Normalizer::None,
        Normalizer::Lu => return Err(SvdError::NotDistributed { normalizer: "lu" }),
        Normalizer::Qr => return Err(SvdError::NotDistributed { normalizer: "qr" }),
    };
    let auto_none = params.normalizer == Normalizer::Auto
        && params
            .n_iter
            .is_some_and(|n| Normalizer::Auto.resolve(n) == Normalizer::None);
    Ok(SvdParams {
        normalizer: if auto_none {
            Normalizer::None
        } else {
            normalizer
        },
        ..*params
    })
}

/// The single-process run of a [`Normalizer::CholeskyQr2`] plan: the distributed algorithm
/// on one rank, so its bits are the distributed run's.
pub(crate) fn run_on_one_rank(
    plan: &Plan,
    ops: &Ops,
    a: &Csr,
    observer: &mut dyn Observer,
) -> Result<crate::svd::Svd, SvdError> {
    let svd = on_one_rank(ops, |group| {
        let matrix = DistMatrix::from_whole(group, a, BLOCK_ROWS)?;
        run(group, plan, &matrix, observer)
    })?;
    let vt = ops.transpose(svd.v.view())?;
    Ok(crate::svd::Svd {
        u: svd.u,
        s: svd.s,
        vt,
    })
}

/// The operator's two sides: `Op` rows (laid out like `U` of `Op`) and `Opᵀ` rows.
struct Sides<'m> {
    forward: &'m LocalRows,
    forward_layout: &'m RowLayout,
    backward: &'m LocalRows,
    backward_layout: &'m RowLayout,
}

/// The algorithm (as [`Plan::run`], distributed).
pub(crate) fn run(
    group: &Group,
    plan: &Plan,
    a: &DistMatrix,
    observer: &mut dyn Observer,
) -> Result<DistSvd, DistError> {
    let ops = group.ops();
    let sides = if plan.transpose() {
        Sides {
            forward: a.cols(),
            forward_layout: a.col_layout(),
            backward: a.rows(),
            backward_layout: a.row_layout(),
        }
    } else {
        Sides {
            forward: a.rows(),
            forward_layout: a.row_layout(),
            backward: a.cols(),
            backward_layout: a.col_layout(),
        }
    };
    let k = plan.k();
    let q = range_finder(group, plan, &sides, observer)?;
    // Bᵀ = Opᵀ·Q, and Bᵀ = Q_b·R (CholeskyQR2), R = utᵀ·diag(s)·vt (Jacobi), so
    // B = vtᵀ·diag(s)·(Q_b·utᵀ)ᵀ: U of Op = Q·vtᵀ, V of Op = Q_b·utᵀ.
    let (mut bt, r) = run_step(observer, plan.projection(), |t| {
        let mut bt = t.time("sparse products", || sides.backward.apply(group, q.view()))?;
        let rows = sides.backward_layout.rows();
        let r = t.time("small SVD (CholeskyQR2 + Jacobi)", || {
            cholesky_qr(group, bt.view_mut(), rows, sides.backward_layout.block())
        })?;
        Ok::<_, DistError>((bt, r))
    })?;
    let (ut, sigma, vt) = run_step(observer, plan.small_svd(), |t| {
        t.time("small SVD (CholeskyQR2 + Jacobi)", || {
            ops.jacobi_rows(ops.transpose(r.view())?)
        })
    })?;
    let (u, v) = run_step(observer, plan.back_projection(), |t| {
        let u_op = t.time("dense products", || {
            ops.matmul_nt(q.view(), vt.slice(s![..k, ..]))
        })?;
        let v_op = t.time("dense products", || {
            ops.matmul_nt(bt.view(), ut.slice(s![..k, ..]))
        })?;
        bt = Array2::zeros((0, 0));
        let (mut u, mut v) = if plan.transpose() {
            (v_op, u_op)
        } else {
            (u_op, v_op)
        };
        t.time("transpose + flip", || svd_flip(group, &mut u, &mut v))?;
        Ok::<_, DistError>((u, v))
    })?;
    drop(bt);
    let (u_layout, v_layout) = if plan.transpose() {
        (sides.backward_layout.clone(), sides.forward_layout.clone())
    } else {
        (sides.forward_layout.clone(), sides.backward_layout.clone())
    };
    Ok(DistSvd {
        u,
        u_layout,
        s: sigma.slice(s![..k]).to_owned(),
        v,
        v_layout,
    })
}

/// The range finder: Gaussian rows by global index, `n_iter` power iterations, the final
/// orthonormalisation.
fn range_finder(
    group: &Group,
    plan: &Plan,
    sides: &Sides,
    observer: &mut dyn Observer,
) -> Result<Array2<f64>, DistError> {
    let ops = group.ops();
    let size = plan.size();
    let mine = sides.backward_layout.range(group.rank());
    let mut q = run_step(observer, plan.gaussian(), |t| {
        t.time("gaussian", || {
            ops.gaussian_rows(plan.seed(), mine.start, mine.len(), size)
        })
    })?;
    let normalise = |x: &mut Array2<f64>, layout: &RowLayout| -> Result<(), DistError> {
        if plan.normalizer() == Normalizer::CholeskyQr2 {
            cholesky_qr(group, x.view_mut(), layout.rows(), layout.block())?;
        }
        Ok(())
    };
    for index in 1..=plan.n_iter() {
        q = run_step(observer, plan.iteration(index), |t| {
            let mut y = t.time("sparse products", || sides.forward.apply(group, q.view()))?;
            t.time("power normaliser", || {
                normalise(&mut y, sides.forward_layout)
            })?;
            let mut z = t.time("sparse products", || sides.backward.apply(group, y.view()))?;
            t.time("power normaliser", || {
                normalise(&mut z, sides.backward_layout)
            })?;
            Ok::<_, DistError>(z)
        })?;
    }
    run_step(observer, plan.final_qr(), |t| {
        let mut y = t.time("sparse products", || sides.forward.apply(group, q.view()))?;
        let layout = sides.forward_layout;
        t.time("final QR", || {
            cholesky_qr(group, y.view_mut(), layout.rows(), layout.block())
        })?;
        Ok(y)
    })
}

/// scikit-learn's u-based `svd_flip` on distributed factors: each column of `u` is made
/// to have its entry of largest magnitude (the first such row, globally) positive, and
/// the same column of `v` flipped with it.
fn svd_flip(group: &Group, u: &mut Array2<f64>, v: &mut Array2<f64>) -> Result<(), DistError> {
    let ops = group.ops();
    let local = ops.column_abs_max(u.view())?;
    let mine: Vec<f64> = local
        .iter()
        .flat_map(|&(best, value, _)| [best, value])
        .collect();
    let everyone = group.during(Phase::Reductions, || {
        group.all_gather(&f64s_to_bytes(&mine))
    })?;
    let k = u.ncols();
    let mut best = vec![(-1.0, 0.0); k];
    // Ranks hold rows in order, so the first strictly larger magnitude is numpy's argmax.
    for bytes in everyone {
        let values = bytes_to_f64s(&bytes)?;
        for (j, pair) in values.chunks_exact(2).enumerate().take(k) {
            if pair[0] > best[j].0 {
                best[j] = (pair[0], pair[1]);
            }
        }
    }
    let signs: Vec<f64> = best
        .iter()
        .map(|&(_, value)| if value < 0.0 { -1.0 } else { 1.0 })
        .collect();
    ops.scale_columns(u.view_mut(), &signs)?;
    ops.scale_columns(v.view_mut(), &signs)?;
    Ok(())
}

/// The whole distributed `local` (rows laid out by `layout`) on rank `root`, `None`
/// elsewhere. Collective.
pub fn gather_rows(
    group: &Group,
    local: ArrayView2<'_, f64>,
    layout: &RowLayout,
    root: usize,
) -> Result<Option<Array2<f64>>, DistError> {
    group.during(Phase::Output, || {
        let width = local.ncols();
        if group.rank() != root {
            let values: Vec<f64> = local.iter().copied().collect();
            group.send(root, &f64s_to_bytes(&values))?;
            return Ok(None);
        }
        let mut whole = Array2::<f64>::zeros((layout.rows(), width));
        for rank in 0..group.size() {
            let range = layout.range(rank);
            let mut rows = whole.slice_mut(s![range.clone(), ..]);
            if rank == root {
                rows.assign(&local);
                continue;
            }
            let values = bytes_to_f64s(&group.recv(rank)?)?;
            if values.len() != range.len() * width {
                return Err(DistError::Comm(super::CommError(format!(
                    "rank {rank} sent {} values for its {} rows of {width}",
                    values.len(),
                    range.len()
                ))));
            }
            for (mut row, chunk) in rows
                .axis_iter_mut(Axis(0))
                .zip(values.chunks_exact(width.max(1)))
            {
                row.assign(&ndarray::ArrayView1::from(chunk));
            }
        }
        Ok(Some(whole))
    })
}
