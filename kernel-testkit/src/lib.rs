//! Test-only: what every crate's tests need to run kernels in every tier and compare them.
//!
//! - [`corpus`]: the golden corpus (`kernel-testkit/corpus/*.rs`) and its `// @call`,
//!   `@expect`, `@returns`, `@error` case format.
//! - [`array`]: owned arrays of every element type laid out as a case asks (`.f`, `.rev`,
//!   `.step2` with sentinels in the gaps), handed to a kernel as an [`kernel_runtime::Arg`] or
//!   a raw descriptor.
//! - [`arg`]: one owned argument (scalar or array), and the scalar parsing and bit helpers.
//! - [`golden`]: the harness: a case run in every [`Backend`](kernel_runtime::Backend)
//!   (interpreter, JIT, native through `Module::native`), each outcome checked against the
//!   case's expectations and all outcomes against each other.
//!
//! The crate's build script wraps each corpus file in a `#[kernel] mod` and collects their
//! `NATIVE` tables into `NATIVE_CORPUS` (see [`golden::NativeCorpusFile`]), which the corpus
//! test (`tests/corpus.rs`) includes: the native tier runs the corpus through the same
//! `Function::call` path as the other two.

pub mod arg;
pub mod array;
pub mod corpus;
pub mod golden;
pub mod recorded;

pub use arg::OwnedArg;
pub use array::{AnyArray, Element, Layout, TestArray};
pub use corpus::{
    all_cases, corpus_dir, corpus_files, corpus_sources, parse_cases, ArgText, Case, Expected,
};
pub use golden::{
    assert_no_failures, canonical_error, canonical_kernel_error, case_failures, check_expectations,
    native_plan, run_case, run_every_tier, run_in, NativeCorpusFile, NativePlan, NotNative,
    Outcome,
};
