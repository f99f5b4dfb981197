//! Analyses of checked functions that every tier reads, so that the tiers (and `kernelc
//! explain --annotate`) can never disagree about what they prove.
//!
//! - [`bounds`]: for every array access and axis, whether its bounds check is proven, implied
//!   by an earlier check, hoisted to a loop's entry as one range check (loop versioning), or
//!   left in place;
//! - [`promote`]: the array elements an innermost loop may keep in a register (reductions
//!   into `a[[i, j]]`, invariant operands);
//! - `lanes`: the loops of a `#[reassociate]` function that reduce floats in lanes, recorded
//!   on the checked function's [`LoopInfo`](crate::ir::LoopInfo) by the checker.

pub mod bounds;
pub(crate) mod lanes;
mod linear;
pub mod promote;

pub use linear::{Atom, Linear};
