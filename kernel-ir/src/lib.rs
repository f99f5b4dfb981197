//! The kernel language's front end: Rust-syntax source → checked, typed IR, or diagnostics.
//!
//! [`compile`] chains three passes, each its own module:
//! 1. `lower` turns `syn` syntax into [`ir::Function`]s, resolving names, loops and methods and
//!    rejecting everything outside the language with a diagnostic naming the construct;
//! 2. `check` infers the type of every local and expression over the whole function, the way
//!    rustc does for the kernel subset, and fixes every literal's type;
//! 3. the [`Program`] keeps the checked concrete functions and instantiates generic (`_`)
//!    functions on demand for concrete argument types ([`Program::instantiate`]).
//!
//! A program that compiles may still carry warnings ([`Program::warnings`]): code that is
//! well-typed but almost certainly a mistake, such as `x >= 0` with `x: usize`.
//!
//! **Invariant:** the front end never panics: every input yields a [`Program`] or a
//! [`CompileError`] whose diagnostics all carry spans.

pub mod abi;
pub mod alloc;
pub mod analysis;
pub mod diag;
pub mod error;
pub mod ir;
pub mod isa;
pub mod output;
pub mod polls;
pub mod print;
pub mod profile_lines;
pub mod semantics;
pub mod types;
pub mod view;

mod check;
mod lower;
mod program;
mod stack;

pub use diag::{CompileError, Diagnostic, Severity, Span};
pub use error::{ErrorKind, KernelError};
pub use isa::IsaLevel;
pub use program::{ParamInfo, Program};
pub use stack::STACK_BUDGET;
pub use types::{ArgType, ArrayType, Scalar, TupleType, Type, MAX_TUPLE_LEN};

/// Calls nested deeper than this stop the kernel with [`ErrorKind::RecursionLimit`] (the
/// outermost call counts as depth 1).
pub const MAX_CALL_DEPTH: u32 = 512;

/// Parses and checks a kernel source. Generic functions are lowered and checked when
/// instantiated.
pub fn compile(source: &str) -> Result<Program, CompileError> {
    Program::new(source, CompileOptions::default())
}

/// [`compile`] with choices that apply to the whole source.
pub fn compile_with(source: &str, options: CompileOptions) -> Result<Program, CompileError> {
    Program::new(source, options)
}

/// Choices for a whole source, made by the caller rather than written in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Reassociate the float reductions of every function, as if each carried
    /// `#[reassociate(lanes = N)]`; a function's own attribute wins.
    pub reassociate: Option<LaneCount>,
    /// The largest array a kernel may allocate, in bytes ([`alloc::DEFAULT_MAX_ALLOC_BYTES`]
    /// when `None`); a larger `Array1::zeros(n)` is the runtime error
    /// [`ErrorKind::AllocationTooLarge`].
    pub max_alloc_bytes: Option<u64>,
}

/// A lane count of reassociated reductions: one of [`ir::LANE_COUNTS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LaneCount(u32);

impl LaneCount {
    /// `None` unless `count` is 2, 4, 8 or 16.
    pub fn new(count: u32) -> Option<LaneCount> {
        ir::LANE_COUNTS.contains(&count).then_some(LaneCount(count))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for LaneCount {
    fn default() -> LaneCount {
        LaneCount(ir::DEFAULT_LANES)
    }
}
