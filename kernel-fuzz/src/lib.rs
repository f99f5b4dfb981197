//! kernel-fuzz: random well-typed kernel programs ([`gen`]) and the harness that runs them in
//! every tier and compares the outcomes ([`harness`]).
//!
//! The tests are the point of this crate: `tests/differential.rs` runs generated programs in
//! the interpreter and the JIT, and `tests/native.rs` runs the programs `build.rs` compiled
//! into native `#[kernel]` code against both. All tiers must agree to the bit (NaN payloads
//! aside) on return values, array contents and runtime errors, and none may panic.
//!
//! The generator's `shapes` module (`src/gen/shapes.rs`) emits the loop nests a bounds-check analysis works
//! on (bounds from extents and size parameters, triangular nests, stencils, gemm-like nests,
//! mutable bounds, guards, early exits); `examples/show.rs --stats N` prints how often each
//! occurs and how many runs stop at a runtime error.

pub mod gen;
pub mod harness;
