//! Runtime errors: what stops a kernel, identical in every tier.
//!
//! Every tier reports the same [`KernelError`] for the same failure: the same kind, the same
//! function and the same `line:col` (the start of the failing expression's span).

use std::fmt;

/// Why a kernel stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// An array access outside the extent of one axis (any negative index included).
    IndexOutOfBounds {
        /// The array's name in the kernel source.
        array: String,
        /// Zero-based axis whose index was out of range.
        axis: u32,
        /// The index as the kernel computed it (wide enough for every integer type).
        index: i128,
        extent: u64,
    },
    /// Integer `/`, `%`, `div_euclid` or `rem_euclid` by zero.
    DivisionByZero,
    /// `MIN / -1` or `MIN.div_euclid(-1)` for a signed integer type.
    DivisionOverflow,
    /// Calls nested deeper than [`crate::MAX_CALL_DEPTH`].
    RecursionLimit { limit: u32 },
    /// `step_by(0)`.
    ZeroStep,
    /// `clamp(min, max)` with `min > max` or a NaN bound.
    InvalidClamp,
    /// The call was interrupted through its interrupt handle.
    Interrupted,
    /// The call ran past its deadline.
    Timeout,
    /// An array allocation (`Array2::zeros((n, m))`, `vec![x; n]`) larger than the module's
    /// limit (`max_alloc_bytes`) or than the address space.
    AllocationTooLarge {
        /// The bytes asked for; `None` when the size does not even fit in 64 bits.
        bytes: Option<u64>,
        limit: u64,
    },
    /// The system allocator refused an array allocation of this many bytes.
    AllocationFailed { bytes: u64 },
    /// A view's range on one axis starts after it ends (`&x[4..2]`).
    SliceStartAfterEnd {
        array: String,
        axis: u32,
        start: u64,
        end: u64,
        inclusive: bool,
    },
    /// A view's range on one axis ends past the axis's extent (`&x[..7]` of 5 elements).
    SliceEndPastExtent {
        array: String,
        axis: u32,
        end: u64,
        inclusive: bool,
        extent: u64,
    },
}

/// The values of the stop flag every tier polls (an `AtomicU32` per call): keep running,
/// stopped through an interrupt handle, or stopped by a deadline.
pub mod stop_flag {
    use super::ErrorKind;

    pub const RUN: u32 = 0;
    pub const INTERRUPTED: u32 = 1;
    pub const TIMED_OUT: u32 = 2;

    /// The error kind a non-zero flag value stands for.
    pub fn kind(flag: u32) -> ErrorKind {
        if flag == TIMED_OUT {
            ErrorKind::Timeout
        } else {
            ErrorKind::Interrupted
        }
    }
}

/// A runtime error: the kind, and where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelError {
    pub kind: ErrorKind,
    /// The kernel function in which the failing expression sits.
    pub function: String,
    pub line: u32,
    pub col: u32,
}

impl KernelError {
    pub fn new(kind: ErrorKind, function: impl Into<String>, line: u32, col: u32) -> KernelError {
        KernelError {
            kind,
            function: function.into(),
            line,
            col,
        }
    }
}

impl ErrorKind {
    /// The variant's name (`IndexOutOfBounds`): what the golden corpus and the Python
    /// package's `KernelError.kind` call it.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::IndexOutOfBounds { .. } => "IndexOutOfBounds",
            ErrorKind::DivisionByZero => "DivisionByZero",
            ErrorKind::DivisionOverflow => "DivisionOverflow",
            ErrorKind::RecursionLimit { .. } => "RecursionLimit",
            ErrorKind::ZeroStep => "ZeroStep",
            ErrorKind::InvalidClamp => "InvalidClamp",
            ErrorKind::Interrupted => "Interrupted",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::AllocationTooLarge { .. } => "AllocationTooLarge",
            ErrorKind::AllocationFailed { .. } => "AllocationFailed",
            ErrorKind::SliceStartAfterEnd { .. } => "SliceStartAfterEnd",
            ErrorKind::SliceEndPastExtent { .. } => "SliceEndPastExtent",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::IndexOutOfBounds {
                array,
                axis,
                index,
                extent,
            } => write!(
                f,
                "index out of bounds: array `{array}` axis {axis} has extent {extent} but the index is {index}"
            ),
            ErrorKind::DivisionByZero => f.write_str("integer division by zero"),
            ErrorKind::DivisionOverflow => f.write_str("integer division overflow (MIN / -1)"),
            ErrorKind::RecursionLimit { limit } => {
                write!(f, "recursion limit reached: calls nested deeper than {limit}")
            }
            ErrorKind::ZeroStep => f.write_str("step_by(0): the step of a range must be positive"),
            ErrorKind::InvalidClamp => f.write_str("clamp: min is greater than max, or a bound is NaN"),
            ErrorKind::Interrupted => f.write_str("interrupted"),
            ErrorKind::Timeout => f.write_str("deadline exceeded"),
            ErrorKind::AllocationTooLarge { bytes, limit } => {
                let bytes = bytes.map_or_else(|| "more than 2^64".to_string(), |b| b.to_string());
                write!(
                    f,
                    "allocation too large: the array needs {bytes} bytes, over the limit of {limit} bytes (max_alloc_bytes)"
                )
            }
            ErrorKind::SliceStartAfterEnd {
                array,
                axis,
                start,
                end,
                inclusive,
            } => {
                let dots = if *inclusive { "..=" } else { ".." };
                write!(
                    f,
                    "slice out of bounds: the range {start}{dots}{end} of `{array}` axis {axis} starts after it ends"
                )
            }
            ErrorKind::SliceEndPastExtent {
                array,
                axis,
                end,
                inclusive,
                extent,
            } => {
                let dots = if *inclusive { "..=" } else { ".." };
                write!(
                    f,
                    "slice out of bounds: array `{array}` axis {axis} has extent {extent} but the range ends at {dots}{end}"
                )
            }
            ErrorKind::AllocationFailed { bytes } => {
                write!(f, "allocation failed: the system refused {bytes} bytes")
            }
        }
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kernel `{}` stopped at {}:{}: {}",
            self.function, self.line, self.col, self.kind
        )
    }
}

impl std::error::Error for KernelError {}
