//! Analyses of checked functions that every tier reads, so that the tiers (and `kernelc
//! explain --annotate`) can never disagree about what they prove.
//!
//! - [`bounds`]: for every array access and axis, whether its bounds check is proven, implied
//!   by an earlier check, hoisted to a loop's entry as one range check (loop versioning), or
//!   left in place.

pub mod bounds;
mod linear;

pub use linear::{Atom, Linear};
