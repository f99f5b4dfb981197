//! The runtime API's errors: compile errors, kernel (runtime) errors, bad arguments and
//! unknown functions, each keeping what is at fault.

use kernel_ir::{ArgType, CompileError, KernelError, Scalar, Type};

use crate::value::Value;

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
        got: Value,
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
