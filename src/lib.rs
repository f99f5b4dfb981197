//! The `kernelc` command's library: `.npy` I/O and the command-line front end, split out of
//! `main.rs` so tests can reach them.

pub mod apps;
pub mod cli;
pub mod npy;
pub mod npz;
