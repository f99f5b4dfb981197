//! The `kernelc` command's library: the command-line front end, split out of `main.rs` so
//! tests can reach it. The applications behind `svd` and `prone` live in `kernelc-apps`, the
//! `.npy`/`.npz` I/O in `kernel-npy`.

pub mod cli;
