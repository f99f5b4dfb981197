//! The runtime API's errors: compile errors, kernel (runtime) errors, bad arguments and
//! unknown functions, each keeping what is at fault.

use kernel_ir::{ArgType, CompileError, KernelError, Scalar, Type};

use crate::value::Value;
use crate::Backend;

/// Anything that can go wrong between `Module::function` and the end of a call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source did not compile, or a generic function failed to specialise for the call's
    /// argument types.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// The kernel stopped with a runtime error.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// The arguments do not fit the function's parameters; nothing ran.
    #[error(transparent)]
    Argument(#[from] ArgumentError),
    /// No function of that name in the module.
    #[error("no function named `{name}` in this module{}", describe_choices(.suggestion, .available))]
    UnknownFunction {
        name: String,
        available: Vec<String>,
        suggestion: Option<String>,
    },
    /// Compiled code was asked for (`Module::clif`, `Module::asm`) but is not available.
    #[error("no compiled code to show: {reason}")]
    Inspect { reason: String },
    /// A tier failed on a checked program: the JIT could not start or compile a function, or
    /// a backend was asked for that this build or this module cannot run. Never the user's
    /// kernel's fault (that is a [`CompileError`] or a [`KernelError`]).
    #[error("the {backend} backend failed{}: {source}", in_function(.function))]
    Backend {
        backend: Backend,
        /// The kernel function being compiled, if one was.
        function: Option<String>,
        #[source]
        source: BackendError,
    },
}

impl Error {
    /// The text for a terminal: compile errors rendered rustc-style (with their own
    /// `error:` lines), anything else as one `error: …` line.
    pub fn render(&self) -> String {
        match self {
            Error::Compile(error) => error.render(),
            other => format!("error: {other}\n"),
        }
    }
}

fn in_function(function: &Option<String>) -> String {
    function
        .as_ref()
        .map(|name| format!(" on `{name}`"))
        .unwrap_or_default()
}

/// Why a backend failed (see [`Error::Backend`]).
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// Cranelift could not start or compile.
    #[cfg(feature = "jit")]
    #[error(transparent)]
    Jit(#[from] kernel_jit::JitError),
    /// The interpreter cannot run a construct of the checked IR (a front-end bug).
    #[error("the interpreter cannot run {what} (at {line}:{col})")]
    Interpreter { what: String, line: u32, col: u32 },
    /// kernel-runtime was built without the `jit` feature.
    #[error("this build of kernel-runtime has no JIT (enable its `jit` feature)")]
    NoJit,
    /// Native code runs only what `#[kernel]` compiled.
    #[error(
        "native code comes from `#[kernel]`: build the module with `name::module(options)` or \
         `Module::native(&name::NATIVE)`"
    )]
    NoNativeCode,
    /// The native table lacks a function its own source defines (a `#[kernel]` bug).
    #[error("the `#[kernel]` table has no native code for this function")]
    MissingNative,
    /// The native backend runs only the code `#[kernel]` compiled: no instrumented copy.
    #[error("{0} needs the interpreter or the JIT; this module runs `#[kernel]` code")]
    NotNative(&'static str),
}

fn describe_choices(suggestion: &Option<String>, available: &[String]) -> String {
    match suggestion {
        Some(s) => format!("; did you mean `{s}`?"),
        None if available.is_empty() => String::new(),
        None => format!(" (functions: {})", available.join(", ")),
    }
}

/// Why the arguments of a call were rejected. Each names the parameter at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ArgumentError {
    #[error("`{function}` takes {expected} argument(s) but {got} were supplied")]
    Count {
        function: String,
        expected: usize,
        got: usize,
    },
    #[error("argument `{param}`: expected {expected}, got {got}")]
    ScalarType {
        param: String,
        expected: Scalar,
        got: Scalar,
    },
    #[error("argument `{param}`: expected {expected}, got {got}")]
    ElementType {
        param: String,
        expected: Type,
        got: ArgType,
    },
    #[error("argument `{param}`: expected {expected}, got {got}")]
    Rank {
        param: String,
        expected: Type,
        got: ArgType,
    },
    #[error("argument `{param}`: expected {expected}, got {got} (the kernel writes through it)")]
    Mutability {
        param: String,
        expected: Type,
        got: ArgType,
    },
    #[error("argument `{param}`: expected {expected}, got the scalar {got}")]
    ScalarForArray {
        param: String,
        expected: Type,
        /// Boxed: a `Value` can hold a returned array, which would make every `Result` of
        /// the crate as large.
        got: Box<Value>,
    },
    #[error("argument `{param}`: expected {expected}, got an array {got}")]
    ArrayForScalar {
        param: String,
        expected: Type,
        got: ArgType,
    },
    #[error("argument `{param}`: expected a value, got `()`")]
    Unit { param: String },
    #[error(
        "argument `{param}`: arrays of rank {rank} are not supported (kernels take ranks 1 to 3)"
    )]
    UnsupportedRank { param: String, rank: usize },
    /// A [`TypedFunc`](crate::TypedFunc)'s Rust parameter type does not fit the kernel's.
    #[error("argument `{param}`: the typed handle passes {got}, but the kernel takes {expected}")]
    HandleType {
        param: String,
        expected: Type,
        got: ArgType,
    },
    /// A [`TypedFunc`](crate::TypedFunc)'s Rust return type is not the kernel's.
    #[error("`{function}` returns {expected}, but the typed handle expects {got}")]
    HandleReturn {
        function: String,
        expected: Type,
        got: String,
    },
    #[error("argument `{writable}` is writable and overlaps argument `{other}`")]
    Aliasing { writable: String, other: String },
}

/// The closest name within a small edit distance, for "did you mean".
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}
