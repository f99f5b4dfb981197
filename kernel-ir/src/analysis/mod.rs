//! Analyses of checked functions that every tier reads, so that the tiers (and `kernelc
//! explain --annotate`) can never disagree about what they prove.
//!
//! - [`bounds`]: for every array access and axis, whether its bounds check is proven, implied
//!   by an earlier check, hoisted to a loop's entry as one range check (loop versioning), or
//!   left in place;
//! - [`promote`]: the array elements an innermost loop may keep in a register (reductions
//!   into `a[[i, j]]`, invariant operands).

pub mod bounds;
mod linear;
pub mod promote;

pub use linear::{Atom, Linear};
