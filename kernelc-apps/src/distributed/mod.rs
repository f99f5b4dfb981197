//! The randomized SVD and ProNE across ranks (issue 19, docs/SCALE-OUT.md): each rank holds
//! a block of rows, products exchange only the rows of the dense factor they need (the
//! halo), reductions add block partials in one fixed global order, so every number is the
//! same for any number of ranks.

mod comm;
#[cfg(feature = "mpi")]
mod mpi;

#[cfg(feature = "mpi")]
pub use self::mpi::{
    MpiComm, Watchdog, DEFAULT_MAX_PIECE, MAX_PIECE_LIMIT, PANIC_STATUS, TIMEOUT_STATUS,
};
pub use comm::{
    bytes_to_f64s, bytes_to_usizes, f64s_to_bytes, usizes_to_bytes, Comm, CommError, SoloComm,
    ThreadComm,
};
