//! The seed applications written in the kernel language, each next to a hand-written Rust
//! reference, plus the timing and table helpers their comparisons share, and the
//! [`progress::Observer`] through which the SVD and ProNE report their steps.
//!
//! Each application keeps its kernels in one `#[kernel] mod`, so the native tier is the
//! macro's expansion and the interpreter and the JIT run the very same source through the
//! module's `SOURCE` / `module(options)` companions.

pub mod distributed;
pub mod nbody;
pub mod parallel;
pub mod progress;
pub mod prone;
pub mod report;
pub mod svd;
