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
//! Signs of singular vectors are the Jacobi SVD's (scipy's LAPACK may differ by a sign per
//! column; row-normalised embeddings are otherwise the same up to floating-point rounding).

mod io;
pub mod kernels;

pub use io::{
    parse_edge_list, read_edge_list, write_embedding, write_word2vec, EdgeListError, OutputError,
    MAX_NODE_ID,
};
pub use kernels::prone_kernels;

use ndarray::{Array2, ArrayView2};

use kernel_runtime::Backend;

use crate::svd::{call, randomized_svd_with, Csr, Engine, Normalizer, Ops, SvdError};
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
}

impl Prone {
    pub fn new(tier: Backend) -> Result<Prone, SvdError> {
        Ok(Prone {
            ops: Ops::new(tier)?,
            engine: Engine::new(tier, &prone_kernels::NATIVE)?,
        })
    }

    /// Embeds the graph with adjacency `a` (square, symmetric).
    pub fn embed(&self, a: &Csr, params: &ProneParams) -> Result<Embedding, SvdError> {
        a.ensure_square()?;
        let features = self.pre_factorization(a, params)?;
        let embedding = self.chebyshev_gaussian(a, features.view(), params)?;
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
        let f = a.with_data(values)?;
        let svd = randomized_svd_with(
            &self.ops,
            &f,
            params.dim,
            10,
            Some(5),
            Normalizer::Auto,
            params.seed,
        )?;
        let mut u = svd.u;
        let s = svd.s.to_vec();
        self.ops.scale_columns_sqrt(u.view_mut(), &s)?;
        self.ops.normalize_rows(u.view_mut())?;
        Ok(u)
    }

    /// `chebyshev_gaussian` + `get_embedding_dense`.
    pub fn chebyshev_gaussian(
        &self,
        a: &Csr,
        features: ArrayView2<'_, f64>,
        params: &ProneParams,
    ) -> Result<Array2<f64>, SvdError> {
        if params.step <= 1 {
            return Ok(features.to_owned());
        }
        let a_prime = with_identity(a)?;
        let mut m_values = vec![0.0; a_prime.nnz()];
        call!(
            self.engine,
            shifted_laplacian(
                a_prime.indptr(),
                a_prime.indices(),
                a_prime.data(),
                params.mu,
                &mut m_values[..]
            )
        )?;
        let m = a_prime.with_data(m_values)?;
        let conv = self.expansion(&m, features, params)?;
        let mut diff = Array2::zeros(features.dim());
        call!(
            self.engine,
            difference(features, conv.view(), diff.view_mut())
        )?;
        let mm = self.ops.csr_matmul(&a_prime, diff.view())?;
        self.dense_embedding(mm.view(), params.dim)
    }

    /// The Chebyshev–Gaussian filter applied to `a`: ProNE's `conv`.
    fn expansion(
        &self,
        m: &Csr,
        a: ArrayView2<'_, f64>,
        params: &ProneParams,
    ) -> Result<Array2<f64>, SvdError> {
        let shape = a.dim();
        let mut lx0 = a.to_owned();
        let t = self.ops.csr_matmul(m, a)?;
        let t = self.ops.csr_matmul(m, t.view())?;
        let mut lx1 = Array2::zeros(shape);
        call!(self.engine, chebyshev_first(t.view(), a, lx1.view_mut()))?;
        let mut conv = Array2::zeros(shape);
        let iv0 = self.bessel(0, params.theta)?;
        call!(self.engine, scale_into(iv0, a, conv.view_mut()))?;
        let iv1 = self.bessel(1, params.theta)?;
        call!(
            self.engine,
            conv_update(conv.view_mut(), lx1.view(), iv1, false)
        )?;
        for i in 2..params.step {
            let t = self.ops.csr_matmul(m, lx1.view())?;
            let t = self.ops.csr_matmul(m, t.view())?;
            let mut lx2 = Array2::zeros(shape);
            call!(
                self.engine,
                chebyshev_next(t.view(), lx1.view(), lx0.view(), lx2.view_mut())
            )?;
            let iv = self.bessel(i, params.theta)?;
            call!(
                self.engine,
                conv_update(conv.view_mut(), lx2.view(), iv, i % 2 == 0)
            )?;
            lx0 = lx1;
            lx1 = lx2;
        }
        Ok(conv)
    }

    fn bessel(&self, order: usize, x: f64) -> Result<f64, SvdError> {
        match call!(self.engine, bessel_iv(order, x))? {
            Value::F64(v) => Ok(v),
            value => Err(SvdError::BadReturn {
                kernel: "bessel_iv",
                value,
            }),
        }
    }

    /// `get_embedding_dense`: thin SVD, the first `dim` columns of `U` times `sqrt(σ)`, rows
    /// L2-normalised.
    fn dense_embedding(
        &self,
        mm: ArrayView2<'_, f64>,
        dim: usize,
    ) -> Result<Array2<f64>, SvdError> {
        let svd = self.ops.thin_svd(mm)?;
        let keep = dim.min(svd.s.len());
        let mut u = svd.u.slice(ndarray::s![.., ..keep]).to_owned();
        let s: Vec<f64> = svd.s.iter().take(keep).copied().collect();
        self.ops.scale_columns_sqrt(u.view_mut(), &s)?;
        self.ops.normalize_rows(u.view_mut())?;
        Ok(u)
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
/// diagonal, if stored, gains 1).
fn with_identity(a: &Csr) -> Result<Csr, SvdError> {
    let n = a.rows();
    let mut indptr = Vec::with_capacity(n + 1);
    let mut indices = Vec::with_capacity(a.nnz() + n);
    let mut data = Vec::with_capacity(a.nnz() + n);
    indptr.push(0);
    for i in 0..n {
        let mut placed = false;
        for p in a.indptr()[i]..a.indptr()[i + 1] {
            let j = a.indices()[p];
            if !placed && j >= i {
                if j > i {
                    indices.push(i);
                    data.push(1.0);
                }
                placed = true;
                if j == i {
                    indices.push(j);
                    data.push(1.0 + a.data()[p]);
                    continue;
                }
            }
            indices.push(j);
            data.push(a.data()[p]);
        }
        if !placed {
            indices.push(i);
            data.push(1.0);
        }
        indptr.push(indices.len());
    }
    Ok(Csr::new((n, n), indptr, indices, data)?)
}
