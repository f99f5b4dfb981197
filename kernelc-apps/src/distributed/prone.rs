//! ProNE over ranks (issue 19): every rank holds a block of node rows of the adjacency and
//! of every dense factor, and runs the steps of [`crate::prone`] on them.
//!
//! 1. [`adjacency_on_ranks`]: each rank reads any part of the edge list; each edge travels
//!    (both ways) to the owner of its row, which builds its CSR rows as
//!    [`crate::prone::adjacency`] builds them (sorted, deduplicated, unit weights).
//! 2. The factorisation matrix: `prefactor` needs the column sums of the row-normalised
//!    adjacency, which for a symmetric `A` are sums over each row's own entries of the
//!    neighbours' row sums; those come through the adjacency's halo, one value per
//!    neighbouring row. The normalising total is summed row by row in global order
//!    ([`ordered_sum`]), as the one-process kernel sums it.
//! 3. The randomized SVD of `F` with CholeskyQR2 ([`super::randomized_svd`]'s steps).
//! 4. The propagation: sparse products with `M` and `A' = I + A` by halo, element-wise
//!    kernels on each rank's rows; the dense SVD is CholeskyQR2 then Jacobi of `R` on every
//!    rank.
//!
//! **Invariant:** every value is the same for any number of ranks, and the same as
//! [`Prone::with_normalizer`](crate::prone::Prone::with_normalizer) with
//! [`Normalizer::CholeskyQr2`] on one process: each row is computed by one rank in the
//! one-process order, and every sum across rows is combined in global row or block order.

use ndarray::{aview1, Array1, Array2, ArrayView2, Axis};

use crate::progress::{run_step, Observer};
use crate::prone::{self, prone_kernels, ProneParams};
use crate::svd::{call, Csr, Engine, Normalizer, Ops, Plan as SvdPlan, SvdError};

use super::cholqr::cholesky_qr;
use super::comm::{bytes_to_usizes, usizes_to_bytes, Comm};
use super::fold::{block_weights_over_ranks, ordered_sum, sum_over_ranks};
use super::group::{on_one_rank, DistError, Group, Phase};
use super::halo::Halo;
use super::layout::RowLayout;
use super::matrix::{DistMatrix, LocalRows};
use super::{CommError, BLOCK_ROWS};

/// One rank's share of a ProNE embedding: its rows of both outputs (each `nodes × dim`
/// when gathered with [`super::gather_rows`]), laid out by `layout`.
#[derive(Clone, Debug, PartialEq)]
pub struct DistEmbedding {
    /// The sparse-factorisation embedding (ProNE's `emb1`).
    pub features: Array2<f64>,
    /// After spectral propagation (ProNE's `emb2`, the result).
    pub embedding: Array2<f64>,
    pub layout: RowLayout,
}

/// One rank's rows of a graph's symmetric adjacency matrix.
#[derive(Clone, Debug)]
pub struct DistGraph {
    /// Rows `layout.range(rank)`, with global column indices.
    rows: Csr,
    layout: RowLayout,
    /// Stored entries of the whole matrix.
    nnz: usize,
}

impl DistGraph {
    /// This rank's rows (column indices are global node ids).
    pub fn rows(&self) -> &Csr {
        &self.rows
    }

    pub fn layout(&self) -> &RowLayout {
        &self.layout
    }

    /// The number of nodes of the whole graph.
    pub fn nodes(&self) -> usize {
        self.layout.rows()
    }

    /// Stored entries of the whole adjacency (each undirected edge twice).
    pub fn nnz(&self) -> usize {
        self.nnz
    }
}

/// ProNE of the graph whose edges are spread over the ranks (`edges`: this rank's part, any
/// part, possibly empty) on `nodes` nodes (`None`: the largest id + 1 over every rank), in
/// blocks of [`BLOCK_ROWS`]. Collective; gather the outputs with [`super::gather_rows`].
pub fn prone_on_ranks(
    group: &Group,
    edges: &[(usize, usize)],
    nodes: Option<usize>,
    params: &ProneParams,
    observer: &mut dyn Observer,
) -> Result<DistEmbedding, DistError> {
    let graph = adjacency_on_ranks(group, edges, nodes, BLOCK_ROWS)?;
    embed_on_ranks(group, &graph, params, observer)
}

/// The adjacency of the edges spread over the ranks (as [`crate::prone::adjacency`]: unit
/// weights, both directions, self-loops, repeats and ids past `nodes` dropped), rows laid
/// out in blocks of `block` (at least 1) balanced by degree plus rows. Collective.
pub fn adjacency_on_ranks(
    group: &Group,
    edges: &[(usize, usize)],
    nodes: Option<usize>,
    block: usize,
) -> Result<DistGraph, DistError> {
    group.during(Phase::Setup, || {
        let n = match nodes {
            Some(n) => n,
            None => node_count(group, edges)?,
        };
        let block = block.max(1);
        let weights = block_weights(group, edges, n, block)?;
        let layout = RowLayout::balanced(n, block, &weights, group.size());
        let rows = route_edges(group, edges, &layout)
            .and_then(|pairs| Ok(local_adjacency(pairs, &layout, group.rank())?));
        let rows = group.agree(rows)?;
        let nnz = sum_over_ranks(group, rows.nnz())?;
        Ok(DistGraph { rows, layout, nnz })
    })
}

/// The largest node id over every rank, plus one (0 without edges).
fn node_count(group: &Group, edges: &[(usize, usize)]) -> Result<usize, DistError> {
    let local = edges.iter().map(|&(a, b)| a.max(b) + 1).max().unwrap_or(0);
    let all = group.all_gather(&usizes_to_bytes(&[local]))?;
    let mut n = 0;
    for bytes in all {
        n = bytes_to_usizes(&bytes)?.into_iter().fold(n, usize::max);
    }
    Ok(n)
}

/// Whether ProNE keeps the edge `(a, b)` of a graph on `n` nodes.
fn kept(a: usize, b: usize, n: usize) -> bool {
    a != b && a < n && b < n
}

/// Per block of `block` rows: its rows plus the degrees of its nodes counted over every
/// rank's edges (repeats included: a weight only balances the work).
fn block_weights(
    group: &Group,
    edges: &[(usize, usize)],
    n: usize,
    block: usize,
) -> Result<Vec<u64>, DistError> {
    let mut local = vec![0usize; n.div_ceil(block)];
    for &(a, b) in edges.iter().filter(|&&(a, b)| kept(a, b, n)) {
        local[a / block] += 1;
        local[b / block] += 1;
    }
    block_weights_over_ranks(group, &local, n, block)
}

/// Sends each kept edge, in both directions, to the owner of its row; returns the
/// `(row, column)` pairs this rank received, each checked to be one of its rows.
fn route_edges(
    group: &Group,
    edges: &[(usize, usize)],
    layout: &RowLayout,
) -> Result<Vec<(usize, usize)>, DistError> {
    let n = layout.rows();
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); group.size()];
    for &(a, b) in edges.iter().filter(|&&(a, b)| kept(a, b, n)) {
        outgoing[layout.owner(a)].extend([a, b]);
        outgoing[layout.owner(b)].extend([b, a]);
    }
    let incoming = group.all_to_all(outgoing.iter().map(|v| usizes_to_bytes(v)).collect())?;
    let mine = layout.range(group.rank());
    let mut pairs = Vec::new();
    for (from, bytes) in incoming.iter().enumerate() {
        let values = bytes_to_usizes(bytes)?;
        if values.len() % 2 != 0 {
            return Err(torn(from, "edges").into());
        }
        for pair in values.chunks_exact(2) {
            if !mine.contains(&pair[0]) || pair[1] >= n {
                return Err(torn(from, "edges").into());
            }
            pairs.push((pair[0], pair[1]));
        }
    }
    Ok(pairs)
}

fn torn(rank: usize, what: &str) -> CommError {
    CommError(format!("rank {rank} sent a torn message of {what}"))
}

/// This rank's CSR rows from the `(row, column)` pairs of its rows: columns sorted and
/// deduplicated, unit values (the rows of the one-process adjacency).
fn local_adjacency(
    pairs: Vec<(usize, usize)>,
    layout: &RowLayout,
    rank: usize,
) -> Result<Csr, SvdError> {
    let mine = layout.range(rank);
    let mut neighbours = vec![Vec::new(); mine.len()];
    for (row, col) in pairs {
        neighbours[row - mine.start].push(col);
    }
    let mut indptr = Vec::with_capacity(mine.len() + 1);
    let mut indices = Vec::new();
    indptr.push(0);
    for mut list in neighbours {
        list.sort_unstable();
        list.dedup();
        indices.extend_from_slice(&list);
        indptr.push(indices.len());
    }
    let data = vec![1.0; indices.len()];
    Ok(Csr::new(
        (mine.len(), layout.rows()),
        indptr,
        indices,
        data,
    )?)
}

/// ProNE of the distributed `graph`, with CholeskyQR2 as the SVD's normaliser; the steps
/// reported to `observer` are [`Prone::embed_observed`](crate::prone::Prone::embed_observed)'s.
/// Collective.
pub fn embed_on_ranks(
    group: &Group,
    graph: &DistGraph,
    params: &ProneParams,
    observer: &mut dyn Observer,
) -> Result<DistEmbedding, DistError> {
    let engine = Engine::new(group.ops().tier(), &prone_kernels::NATIVE)?;
    let n = graph.nodes();
    let svd_params = prone::svd_params(params, Normalizer::CholeskyQr2);
    let svd_plan = SvdPlan::for_shape((n, n), graph.nnz(), &svd_params)?;
    let plan = prone::Plan::for_graph(n, graph.nnz(), params);
    observer.planned(plan.total_work().saturating_add(svd_plan.total_work()));
    let steps = Steps {
        group,
        engine: &engine,
        graph,
        params,
        plan: &plan,
    };
    let features = steps.factorise(&svd_plan, observer)?;
    let embedding = steps.propagate(features.view(), observer)?;
    Ok(DistEmbedding {
        features,
        embedding,
        layout: graph.layout.clone(),
    })
}

/// What every step of one run reads.
struct Steps<'a> {
    group: &'a Group<'a>,
    engine: &'a Engine,
    graph: &'a DistGraph,
    params: &'a ProneParams,
    plan: &'a prone::Plan,
}

impl Steps<'_> {
    /// `pre_factorization` + `get_embedding_rand`: this rank's rows of the features.
    fn factorise(
        &self,
        svd_plan: &SvdPlan,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f64>, DistError> {
        let n = self.graph.nodes();
        let matrix = run_step(observer, self.plan.factorisation_matrix(), |_| {
            let f = self.factorisation_rows()?;
            DistMatrix::new(self.group, (n, n), self.graph.layout.clone(), f)
        })?;
        let svd = super::svd::run(self.group, svd_plan, &matrix, observer)?;
        run_step(observer, self.plan.feature_normalisation(), |_| {
            let ops = self.group.ops();
            Ok(prone::embedding_rows(
                ops,
                svd.u.view(),
                &svd.s,
                svd.s.len(),
            )?)
        })
    }

    /// This rank's rows of ProNE's factorisation matrix (the `prefactor` kernel's values):
    /// the neighbours' row sums and column powers come through the adjacency's halo, the
    /// normalising total through one ordered sum.
    fn factorisation_rows(&self) -> Result<Csr, DistError> {
        let (group, engine, a) = (self.group, self.engine, &self.graph.rows);
        let mut sums = vec![0.0; a.rows()];
        call!(engine, row_abs_sums(a.indptr(), a.data(), &mut sums[..]))?;
        let mut columns = a.indices().to_vec();
        let halo = Halo::plan(group, &mut columns, &self.graph.layout)?;
        let neighbour_sums = gather_column(group, &halo, &sums)?;
        let mut powers = vec![0.0; a.rows()];
        call!(
            engine,
            prefactor_column_powers(
                a.indptr(),
                &columns[..],
                a.data(),
                &neighbour_sums[..],
                &mut powers[..]
            )
        )?;
        // One value per row, added in row order: the kernel's serial sum over columns.
        let total = ordered_sum(group, aview1(&powers).insert_axis(Axis(1)))?[0];
        let neighbour_powers = gather_column(group, &halo, &powers)?;
        let mut values = vec![0.0; a.nnz()];
        call!(
            engine,
            prefactor_entries(
                a.indptr(),
                &columns[..],
                a.data(),
                &sums[..],
                &neighbour_powers[..],
                total,
                &mut values[..]
            )
        )?;
        Ok(a.with_data(values).map_err(SvdError::from)?)
    }

    /// `chebyshev_gaussian` + `get_embedding_dense`: this rank's rows of the embedding.
    fn propagate(
        &self,
        features: ArrayView2<'_, f64>,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f64>, DistError> {
        if self.params.step <= 1 {
            return Ok(features.to_owned());
        }
        let (group, engine, layout) = (self.group, self.engine, &self.graph.layout);
        let first_row = layout.range(group.rank()).start;
        let (a_prime, m) = run_step(observer, self.plan.laplacian(), |_| {
            let a_prime = prone::with_identity(&self.graph.rows, first_row)?;
            let m = prone::shifted_laplacian(engine, &a_prime, first_row, self.params.mu)?;
            let a_prime = LocalRows::new(group, a_prime, layout)?;
            let m = LocalRows::new(group, m, layout)?;
            Ok::<_, DistError>((a_prime, m))
        })?;
        let product = |x: ArrayView2<'_, f64>| m.apply(group, x);
        let conv = prone::chebyshev_expansion(
            engine,
            product,
            features,
            self.params,
            self.plan,
            observer,
        )?;
        let mm = run_step(observer, self.plan.propagation(), |_| {
            let mut diff = Array2::zeros(features.dim());
            call!(engine, difference(features, conv.view(), diff.view_mut()))?;
            a_prime.apply(group, diff.view())
        })?;
        let (u, s) = run_step(observer, self.plan.dense_svd(), |_| {
            dense_svd(group, mm, layout)
        })?;
        run_step(observer, self.plan.embedding_normalisation(), |_| {
            let ops = group.ops();
            Ok(prone::embedding_rows(ops, u.view(), &s, self.params.dim)?)
        })
    }
}

/// The halo rows of a distributed column vector (this rank's `values`), in halo order.
fn gather_column(group: &Group, halo: &Halo, values: &[f64]) -> Result<Vec<f64>, DistError> {
    let gathered = halo.gather(group, aview1(values).insert_axis(Axis(1)))?;
    Ok(gathered.iter().copied().collect())
}

/// The thin SVD of the distributed tall `x` (this rank's rows, laid out by `layout`):
/// CholeskyQR2 `x = Q·R` (only Gram matrices are reduced), the Jacobi SVD
/// `R = Ûᵀ·diag(σ)·V̂` on every rank (the same bits everywhere), and `U = Q·Ûᵀ` on each
/// rank's rows. Returns `(U, σ)`. Collective.
fn dense_svd(
    group: &Group,
    mut x: Array2<f64>,
    layout: &RowLayout,
) -> Result<(Array2<f64>, Array1<f64>), DistError> {
    let (rows, cols) = (layout.rows(), x.ncols());
    if rows == 0 || cols == 0 {
        return Err(SvdError::Empty { rows, cols }.into());
    }
    let ops = group.ops();
    let r = cholesky_qr(group, x.view_mut(), rows, layout.block())?;
    let (ut, s, _) = ops.jacobi_rows(ops.transpose(r.view())?)?;
    let u = ops.matmul_nt(x.view(), ut.view())?;
    Ok((u, s))
}

/// [`dense_svd`] of the whole `x` on one process, as one rank alone computes it: the dense
/// SVD of [`Prone`](crate::prone::Prone) with [`Normalizer::CholeskyQr2`].
pub(crate) fn dense_svd_on_one_rank(
    ops: &Ops,
    x: Array2<f64>,
) -> Result<(Array2<f64>, Array1<f64>), SvdError> {
    let layout = RowLayout::whole(x.nrows(), BLOCK_ROWS);
    on_one_rank(ops, |group| dense_svd(group, x, &layout))
}
