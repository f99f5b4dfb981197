//! The randomized SVD and ProNE across ranks (issue 19, docs/SCALE-OUT.md): each rank holds
//! a block of rows, products exchange only the rows of the dense factor they need (the
//! halo), reductions add block partials in one fixed global order, so every number is the
//! same for any number of ranks.
//!
//! - [`Comm`]: the transport (MPI with the `mpi` feature, threads, or one rank alone);
//!   [`Group`] counts what it carries ([`Traffic`]).
//! - [`RowLayout`]: contiguous block-aligned row ranges; [`Halo`]: a product's exchange plan;
//!   [`DistMatrix`]: the rows of `A` and `Aᵀ` on this rank.
//! - [`ordered_sum`]: block partials summed in global order; [`cholesky_qr`]: CholeskyQR2.
//! - [`randomized_svd`]: the algorithm; [`gather_rows`] collects a factor on one rank.
//! - [`prone_on_ranks`]: ProNE from edges spread over the ranks ([`adjacency_on_ranks`],
//!   [`embed_on_ranks`]).

mod cholqr;
mod comm;
mod fold;
mod group;
mod halo;
mod layout;
mod matrix;
#[cfg(feature = "mpi")]
mod mpi;
mod prone;
mod svd;

#[cfg(feature = "mpi")]
pub use self::mpi::{
    MpiComm, Watchdog, DEFAULT_MAX_PIECE, MAX_PIECE_LIMIT, PANIC_STATUS, TIMEOUT_STATUS,
};
pub use cholqr::cholesky_qr;
pub use comm::{
    bytes_to_f64s, bytes_to_usizes, f64s_to_bytes, usizes_to_bytes, Comm, CommError, SoloComm,
    ThreadComm,
};
pub use fold::ordered_sum;
pub use group::{DistError, Group, Phase, Traffic};
pub use halo::Halo;
pub use layout::{LayoutError, RowLayout};
pub use matrix::{block_weights, DistMatrix, LocalRows};
pub(crate) use prone::dense_svd_on_one_rank;
pub use prone::{adjacency_on_ranks, embed_on_ranks, prone_on_ranks, DistEmbedding, DistGraph};
pub(crate) use svd::run_on_one_rank;
pub use svd::{check_params, gather_rows, randomized_svd, DistSvd};

/// Rows per block: the unit of the row layouts and of the reductions' partial sums. Part
/// of the result's definition (another block size rounds the Gram sums differently), so
/// the same for every run.
pub const BLOCK_ROWS: usize = 1024;
