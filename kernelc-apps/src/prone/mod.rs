//! ProNE network embedding (Zhang et al., IJCAI 2019; THUDM/ProNE `proNE.py`), every numeric
//! step a kernel:
//!
//! 1. A 0-based edge list becomes a symmetric unit-weight CSR adjacency `A` without
//!    self-loops ([`adjacency`]).
//! 2. Sparse matrix factorisation (`pre_factorization`): `F = ln C − ln N` on the pattern of
//!    `A` ([`prone_kernels::prefactor`]), then the randomized truncated SVD of `F` (5 power
//!    iterations), `U·sqrt(σ)`, rows L2-normalised: the *features*.
//! 3. Spectral propagation (`chebyshev_gaussian`): with `A' = I + A`,
//!    `M = (I − D'^{-1}A') − μI`, the Chebyshev expansion of order `step` with coefficients
//!    `I_k(θ)` (modified Bessel, [`prone_kernels::bessel_iv`]) gives `conv`; then
//!    `A'·(features − conv)` and its dense SVD, `U·sqrt(σ)`, rows L2-normalised: the
//!    *embedding*.
//!
//! [`Prone::with_normalizer`] picks the randomized SVD's normaliser; with
//! [`Normalizer::CholeskyQr2`] the dense SVD is CholeskyQR2 then Jacobi too, and the result
//! has the bits of [`crate::distributed::prone_on_ranks`] on any number of ranks.
//!
//! Signs of singular vectors are the Jacobi SVD's (scipy's LAPACK may differ by a sign per
//! column; row-normalised embeddings are otherwise the same up to floating-point rounding).

mod io;
pub mod kernels;

pub use io::{
    parse_edge_list, read_edge_list, read_edge_list_part, write_embedding, write_word2vec,
    EdgeListError, LineError, OutputError, MAX_NODE_ID,
};
pub use kernels::prone_kernels;

use ndarray::{Array1, Array2, ArrayView2};

use kernel_runtime::Backend;

use crate::progress::{run_step, Observer, Silent, Step};
use crate::svd::{self, call, cost, Csr, Engine, Normalizer, Ops, SvdError, SvdParams};
use kernel_runtime::Value;

/// ProNE's parameters (defaults: dimension 128, step 10, θ 0.5, μ 0.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProneParams {
    pub dim: usize,
    /// The order of the Chebyshev expansion (1 skips propagation).
    pub step: usize,
    pub theta: f64,
    pub mu: f64,
    /// Seed of the randomized SVD's Gaussian test matrix.
    pub seed: u64,
}

impl Default for ProneParams {
    fn default() -> ProneParams {
        ProneParams {
            dim: 128,
            step: 10,
            theta: 0.5,
            mu: 0.2,
            seed: 0,
        }
    }
}

/// ProNE's two outputs, each `nodes × dim` with L2-normalised rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding {
    /// The sparse-factorisation embedding (ProNE's `emb1`).
    pub features: Array2<f64>,
    /// After spectral propagation (ProNE's `emb2`, the result).
    pub embedding: Array2<f64>,
}

/// The symmetric adjacency matrix of `edges` on `nodes` nodes (`None`: the largest id + 1):
/// unit weights, each undirected edge once in each direction, self-loops and repeats dropped.
pub fn adjacency(edges: &[(usize, usize)], nodes: Option<usize>) -> Result<Csr, SvdError> {
    let n = nodes.unwrap_or_else(|| edges.iter().map(|&(a, b)| a.max(b) + 1).max().unwrap_or(0));
    let mut neighbours = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b && a < n && b < n {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    for list in &mut neighbours {
        list.sort_unstable();
        list.dedup();
    }
    crate::svd::csr_from_neighbours(n, neighbours)
}

/// ProNE with its kernels in one tier.
#[derive(Debug)]
pub struct Prone {
    ops: Ops,
    engine: Engine,
    normalizer: Normalizer,
}

impl Prone {
    /// ProNE as published: the factorisation's randomized SVD normalises its power
    /// iterations as scikit-learn's `"auto"` does (LU), the dense SVD is Householder QR
    /// then Jacobi.
    pub fn new(tier: Backend) -> Result<Prone, SvdError> {
        Prone::with_normalizer(tier, Normalizer::Auto)
    }

    /// ProNE whose factorisation SVD uses `normalizer`. [`Normalizer::CholeskyQr2`] also
    /// makes the dense SVD of the propagation CholeskyQR2 then Jacobi, run as on one rank,
    /// so the result has the bits of [`crate::distributed::prone_on_ranks`] on any number
    /// of ranks.
    pub fn with_normalizer(tier: Backend, normalizer: Normalizer) -> Result<Prone, SvdError> {
        Ok(Prone {
            ops: Ops::new(tier)?,
            engine: Engine::new(tier, &prone_kernels::NATIVE)?,
            normalizer,
        })
    }

    /// The factorisation SVD's power-iteration normaliser.
    pub fn normalizer(&self) -> Normalizer {
        self.normalizer
    }

    /// Embeds the graph with adjacency `a` (square, symmetric).
    pub fn embed(&self, a: &Csr, params: &ProneParams) -> Result<Embedding, SvdError> {
        self.embed_observed(a, params, &mut Silent)
    }

    /// [`Prone::embed`], telling `observer` about each step: the factorisation matrix, the
    /// randomized SVD's steps, the features' normalisation, then the shifted Laplacian,
    /// each Chebyshev step, the propagation, the dense SVD and the embedding's
    /// normalisation.
    pub fn embed_observed(
        &self,
        a: &Csr,
        params: &ProneParams,
        observer: &mut dyn Observer,
    ) -> Result<Embedding, SvdError> {
        a.ensure_square()?;
        let svd_plan = svd_plan(a, params, self.normalizer)?;
        let plan = Plan::new(a, params);
        observer.planned(plan.total_work().saturating_add(svd_plan.total_work()));
        let features = self.factorise(a, &svd_plan, &plan, observer)?;
        let embedding = self.propagate(a, features.view(), params, &plan, observer)?;
        Ok(Embedding {
            features,
            embedding,
        })
    }

    /// `pre_factorization` + `get_embedding_rand`.
    pub fn pre_factorization(
        &self,
        a: &Csr,
        params: &ProneParams,
    ) -> Result<Array2<f64>, SvdError> {
        let svd_plan = svd_plan(a, params, self.normalizer)?;
        self.factorise(a, &svd_plan, &Plan::new(a, params), &mut Silent)
    }

    /// `chebyshev_gaussian` + `get_embedding_dense`.
    pub fn chebyshev_gaussian(
        &self,
        a: &Csr,
        features: ArrayView2<'_, f64>,
        params: &ProneParams,
    ) -> Result<Array2<f64>, SvdError> {
        self.propagate(a, features, params, &Plan::new(a, params), &mut Silent)
    }

    fn factorise(
        &self,
        a: &Csr,
        svd_plan: &svd::Plan,
        plan: &Plan,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f64>, SvdError> {
        let f = run_step(observer, plan.factorisation_matrix(), |_| {
            let mut colsum = vec![0.0; a.cols()];
            let mut values = vec![0.0; a.nnz()];
            call!(
                self.engine,
                prefactor(
                    a.indptr(),
                    a.indices(),
                    a.data(),
                    &mut colsum[..],
                    &mut values[..]
                )
            )?;
            Ok::<_, SvdError>(a.with_data(values)?)
        })?;
        let svd = svd_plan.run(&self.ops, &f, observer)?;
        run_step(observer, plan.feature_normalisation(), |_| {
            embedding_rows(&self.ops, svd.u.view(), &svd.s, svd.s.len())
        })
    }

    fn propagate(
        &self,
        a: &Csr,
        features: ArrayView2<'_, f64>,
        params: &ProneParams,
        plan: &Plan,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f64>, SvdError> {
        if params.step <= 1 {
            return Ok(features.to_owned());
        }
        let (a_prime, m) = run_step(observer, plan.laplacian(), |_| {
            let a_prime = with_identity(a, 0)?;
            let m = shifted_laplacian(&self.engine, &a_prime, 0, params.mu)?;
            Ok::<_, SvdError>((a_prime, m))
        })?;
        let product = |x: ArrayView2<'_, f64>| self.ops.csr_matmul(&m, x);
        let conv = chebyshev_expansion(&self.engine, product, features, params, plan, observer)?;
        let mm = run_step(observer, plan.propagation(), |_| {
            let mut diff = Array2::zeros(features.dim());
            call!(
                self.engine,
                difference(features, conv.view(), diff.view_mut())
            )?;
            self.ops.csr_matmul(&a_prime, diff.view())
        })?;
        self.dense_embedding(mm.view(), params.dim, plan, observer)
    }

    /// `get_embedding_dense`: thin SVD, the first `dim` columns of `U` times `sqrt(σ)`, rows
    /// L2-normalised.
    fn dense_embedding(
        &self,
        mm: ArrayView2<'_, f64>,
        dim: usize,
        plan: &Plan,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f64>, SvdError> {
        let (u, s) = run_step(observer, plan.dense_svd(), |_| {
            if self.normalizer == Normalizer::CholeskyQr2 {
                crate::distributed::dense_svd_on_one_rank(&self.ops, mm.to_owned())
            } else {
                let svd = self.ops.thin_svd(mm)?;
                Ok((svd.u, svd.s))
            }
        })?;
        run_step(observer, plan.embedding_normalisation(), |_| {
            embedding_rows(&self.ops, u.view(), &s, dim)
        })
    }
}

/// The values of ProNE's shifted Laplacian `M` on the pattern of `a_prime` (`A' = I + A`,
/// rows `first_row..` of it).
pub(crate) fn shifted_laplacian(
    engine: &Engine,
    a_prime: &Csr,
    first_row: usize,
    mu: f64,
) -> Result<Csr, SvdError> {
    let mut m_values = vec![0.0; a_prime.nnz()];
    call!(
        engine,
        shifted_laplacian(
            a_prime.indptr(),
            a_prime.indices(),
            a_prime.data(),
            first_row,
            mu,
            &mut m_values[..]
        )
    )?;
    Ok(a_prime.with_data(m_values)?)
}

/// The Chebyshev–Gaussian filter applied to `a`: ProNE's `conv`. `product` is `x ↦ M·x`
/// (one process's CSR product, or a rank's rows with their halo): everything else is
/// element-wise, so each row of `conv` depends only on the rows of the products.
pub(crate) fn chebyshev_expansion<E: From<SvdError>>(
    engine: &Engine,
    product: impl Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>, E>,
    a: ArrayView2<'_, f64>,
    params: &ProneParams,
    plan: &Plan,
    observer: &mut dyn Observer,
) -> Result<Array2<f64>, E> {
    let shape = a.dim();
    let twice = |x: ArrayView2<'_, f64>| product(product(x)?.view());
    let (mut lx1, mut conv) = run_step(observer, plan.chebyshev(1), |t| {
        let product = t.time("sparse products", || twice(a))?;
        t.time("update", || -> Result<_, SvdError> {
            let mut lx1 = Array2::zeros(shape);
            call!(engine, chebyshev_first(product.view(), a, lx1.view_mut()))?;
            let mut conv = Array2::zeros(shape);
            let iv0 = bessel(engine, 0, params.theta)?;
            call!(engine, scale_into(iv0, a, conv.view_mut()))?;
            let iv1 = bessel(engine, 1, params.theta)?;
            call!(engine, conv_update(conv.view_mut(), lx1.view(), iv1, false))?;
            Ok((lx1, conv))
        })
        .map_err(E::from)
    })?;
    let mut lx0 = a.to_owned();
    for i in 2..params.step {
        let lx2 = run_step(observer, plan.chebyshev(i), |t| {
            let product = t.time("sparse products", || twice(lx1.view()))?;
            t.time("update", || -> Result<_, SvdError> {
                let mut lx2 = Array2::zeros(shape);
                call!(
                    engine,
                    chebyshev_next(product.view(), lx1.view(), lx0.view(), lx2.view_mut())
                )?;
                let iv = bessel(engine, i, params.theta)?;
                call!(
                    engine,
                    conv_update(conv.view_mut(), lx2.view(), iv, i % 2 == 0)
                )?;
                Ok(lx2)
            })
            .map_err(E::from)
        })?;
        lx0 = lx1;
        lx1 = lx2;
    }
    Ok(conv)
}

fn bessel(engine: &Engine, order: usize, x: f64) -> Result<f64, SvdError> {
    match call!(engine, bessel_iv(order, x))? {
        Value::F64(v) => Ok(v),
        value => Err(SvdError::BadReturn {
            kernel: "bessel_iv",
            value: Box::new(value),
        }),
    }
}

/// ProNE's embedding from a thin SVD's `u` and `s` (any rows of them): the first `dim`
/// columns times `sqrt(σ)`, rows L2-normalised.
pub(crate) fn embedding_rows(
    ops: &Ops,
    u: ArrayView2<'_, f64>,
    s: &Array1<f64>,
    dim: usize,
) -> Result<Array2<f64>, SvdError> {
    let keep = dim.min(s.len());
    let mut u = u.slice(ndarray::s![.., ..keep]).to_owned();
    let s: Vec<f64> = s.iter().take(keep).copied().collect();
    ops.scale_columns_sqrt(u.view_mut(), &s)?;
    ops.normalize_rows(u.view_mut())?;
    Ok(u)
}

/// The randomized SVD of ProNE's factorisation matrix, which has the pattern of `a`.
fn svd_plan(a: &Csr, params: &ProneParams, normalizer: Normalizer) -> Result<svd::Plan, SvdError> {
    svd::Plan::new(a, &svd_params(params, normalizer))
}

/// ProNE's randomized SVD: `dim` components, 10 oversamples, 5 power iterations.
pub(crate) fn svd_params(params: &ProneParams, normalizer: Normalizer) -> SvdParams {
    SvdParams {
        k: params.dim,
        n_oversamples: 10,
        n_iter: Some(5),
        normalizer,
        seed: params.seed,
    }
}

/// ProNE's own steps on one graph (the SVD's are [`svd_plan`]'s), and what each roughly
/// costs (in the units of [`crate::svd::cost`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    nodes: usize,
    /// Stored entries of `A`.
    nnz: usize,
    /// Columns of the features.
    dim: usize,
    /// Chebyshev steps: `step − 1`, none when `step <= 1` skips the propagation.
    chebyshev_steps: usize,
}

impl Plan {
    fn new(a: &Csr, params: &ProneParams) -> Plan {
        Plan::for_graph(a.rows(), a.nnz(), params)
    }

    /// The plan for a graph of `nodes` nodes whose adjacency stores `nnz` entries.
    pub(crate) fn for_graph(nodes: usize, nnz: usize, params: &ProneParams) -> Plan {
        Plan {
            nodes,
            nnz,
            dim: params.dim,
            chebyshev_steps: params.step.saturating_sub(1),
        }
    }

    /// The sum of the work of every step of [`Prone::embed_observed`] outside the SVD.
    pub(crate) fn total_work(&self) -> u64 {
        let mut steps = vec![self.factorisation_matrix(), self.feature_normalisation()];
        if self.chebyshev_steps > 0 {
            steps.extend([
                self.laplacian(),
                self.propagation(),
                self.dense_svd(),
                self.embedding_normalisation(),
            ]);
            steps.extend((1..=self.chebyshev_steps).map(|i| self.chebyshev(i)));
        }
        steps
            .iter()
            .map(|step| step.work)
            .fold(0, u64::saturating_add)
    }

    /// `A'`: `A` with the identity added.
    fn nnz_prime(&self) -> usize {
        self.nnz.saturating_add(self.nodes)
    }

    pub(crate) fn factorisation_matrix(&self) -> Step {
        // A logarithm per stored entry.
        Step::new("factorisation matrix", cost::dense(&[80, self.nnz]))
    }

    pub(crate) fn feature_normalisation(&self) -> Step {
        let work = cost::dense(&[2, self.nodes, self.dim]);
        Step::new("feature normalisation", work)
    }

    pub(crate) fn laplacian(&self) -> Step {
        Step::new("shifted Laplacian", cost::dense(&[4, self.nnz_prime()]))
    }

    pub(crate) fn chebyshev(&self, index: usize) -> Step {
        let products = cost::sparse_product(self.nnz_prime(), self.dim).saturating_mul(2);
        let update = cost::dense(&[3, self.nodes, self.dim]);
        let work = products.saturating_add(update);
        Step::counted("Chebyshev step", index, self.chebyshev_steps, work)
    }

    pub(crate) fn propagation(&self) -> Step {
        let work = cost::sparse_product(self.nnz_prime(), self.dim)
            .saturating_add(cost::dense(&[self.nodes, self.dim]));
        Step::new("propagation", work)
    }

    pub(crate) fn dense_svd(&self) -> Step {
        Step::new("dense SVD", cost::thin_svd(self.nodes, self.dim))
    }

    pub(crate) fn embedding_normalisation(&self) -> Step {
        let work = cost::dense(&[2, self.nodes, self.dim]);
        Step::new("embedding normalisation", work)
    }
}

/// How well `labels` are recovered by the nearest class centroid of each row of
/// `embedding` (Euclidean): the fraction of rows whose own class has the nearest centroid.
/// A plain evaluation helper for tests and examples, not part of the algorithm.
pub fn nearest_centroid_accuracy(embedding: ArrayView2<'_, f64>, labels: &[usize]) -> f64 {
    let classes = labels.iter().max().map_or(0, |&m| m + 1);
    let dim = embedding.ncols();
    let mut centroids = Array2::<f64>::zeros((classes, dim));
    let mut counts = vec![0usize; classes];
    for (row, &label) in embedding.rows().into_iter().zip(labels) {
        let mut centroid = centroids.row_mut(label);
        centroid += &row;
        counts[label] += 1;
    }
    for (mut centroid, &count) in centroids.rows_mut().into_iter().zip(&counts) {
        centroid /= count.max(1) as f64;
    }
    let nearest = |row: ndarray::ArrayView1<'_, f64>| {
        (0..classes)
            .min_by(|&a, &b| {
                let da = (&centroids.row(a) - &row).mapv(|v| v * v).sum();
                let db = (&centroids.row(b) - &row).mapv(|v| v * v).sum();
                da.total_cmp(&db)
            })
            .unwrap_or(0)
    };
    let correct = embedding
        .rows()
        .into_iter()
        .zip(labels)
        .filter(|(row, &label)| nearest(*row) == label)
        .count();
    correct as f64 / labels.len().max(1) as f64
}

/// Runs ProNE on `a` in `tier`.
pub fn prone(a: &Csr, params: &ProneParams, tier: Backend) -> Result<Embedding, SvdError> {
    Prone::new(tier)?.embed(a, params)
}

/// `I + A` in CSR form (the pattern of `A` plus the diagonal, columns kept sorted; `A`'s
/// diagonal, if stored, gains 1), for rows `first_row..` of `A` (a rank's block; 0 for the
/// whole matrix): row `i`'s diagonal is column `first_row + i`.
pub(crate) fn with_identity(a: &Csr, first_row: usize) -> Result<Csr, SvdError> {
    let n = a.rows();
    let mut indptr = Vec::with_capacity(n + 1);
    let mut indices = Vec::with_capacity(a.nnz() + n);
    let mut data = Vec::with_capacity(a.nnz() + n);
    indptr.push(0);
    for i in 0..n {
        let mut placed = false;
        let diagonal = first_row + i;
        for p in a.indptr()[i]..a.indptr()[i + 1] {
            let j = a.indices()[p];
            if !placed && j >= diagonal {
                if j > diagonal {
                    indices.push(diagonal);
                    data.push(1.0);
                }
                placed = true;
                if j == diagonal {
                    indices.push(j);
                    data.push(1.0 + a.data()[p]);
                    continue;
                }
            }
            indices.push(j);
            data.push(a.data()[p]);
        }
        if !placed {
            indices.push(diagonal);
            data.push(1.0);
        }
        indptr.push(indices.len());
    }
    Ok(Csr::new((n, a.cols()), indptr, indices, data)?)
}
