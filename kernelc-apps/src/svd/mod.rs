//! Randomized truncated SVD (SPEC §8, issue 6): scikit-learn's `randomized_svd` on a sparse
//! CSR matrix, with every numeric step a kernel of [`svd_kernels`] run in the chosen
//! [`Backend`].
//!
//! - [`kernels`] holds the kernel source (sparse and dense products, LU, Householder QR,
//!   one-sided Jacobi SVD, `svd_flip`, a seeded Gaussian generator, …).
//! - [`Ops`] wraps each kernel as a typed method in one tier; [`Ops::thin_svd`] is the dense
//!   SVD (QR, then Jacobi on the triangular factor).
//! - [`randomized_svd`] is the algorithm; [`Csr`] its validated input;
//!   [`randomized_svd_observed`] reports its steps to a [`crate::progress::Observer`].
//!
//! Invariant: all tiers give bit-identical `U`, `s` and `Vt`, because each performs the same
//! IEEE operations in the same order (no reassociation, no fused multiply-add) and calls the
//! same libm.

mod csr;
mod engine;
pub mod kernels;
mod ops;
mod randomized;
mod showcase;

pub use csr::{Csr, CsrError};
pub(crate) use engine::call;
pub use engine::{Engine, SvdError};
pub use kernels::svd_kernels;
pub use ops::{JacobiSvd, Ops, Svd, MAX_JACOBI_SWEEPS};
pub use randomized::{
    auto_n_iter, randomized_svd, randomized_svd_observed, randomized_svd_with, Normalizer, Profile,
    SvdParams,
};
pub(crate) use randomized::{cost, Plan};
pub(crate) use showcase::csr_from_neighbours;
pub use showcase::{random_edges, random_graph, same_bits, showcase_section, GraphSpec};
