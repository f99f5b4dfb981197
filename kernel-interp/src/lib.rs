//! The interpreter tier: the reference semantics of the kernel language.
//!
//! Each checked function is compiled once into a tree of closures ([`frame::Code`]), each
//! specialised by its operator, scalar type and operand kinds (locals and constants are read
//! without an indirect call). Scalars live in a flat `Vec<u64>` of raw slots indexed by
//! `LocalId`; arrays are [`RawArray`]s, fixed local arrays included (they point into the
//! frame's own storage), so every element access is the same strided address computation.
//!
//! **Invariant:** compiled code never panics on any input the checker accepts, and every
//! array access is bounds-checked unless the module was compiled with `boundscheck: false`.

mod access;
mod alloc;
mod call;
mod expr;
pub(crate) mod frame;
mod lanes;
mod ops;
mod poll;
mod print;
pub mod profile;
mod scalar;
mod stmt;
mod tuples;
mod view;

use std::sync::atomic::AtomicU32;
use std::sync::Arc;

pub use kernel_ir::abi::{RawArg, RawReturn};
use kernel_ir::ir::{self, FuncId, LocalId};
use kernel_ir::{KernelError, Scalar, Span, Type};

use frame::{Code, Flow, Frame, Site};

/// A function the interpreter cannot run: only a front-end bug produces one (an unchecked
/// function, or an operator/type combination the checker rejects).
#[derive(Clone, Debug)]
pub struct Unsupported {
    pub span: Span,
    pub what: String,
}

pub type CompileResult<T> = Result<T, Unsupported>;

/// Where a parameter's value goes in a fresh frame.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ParamSlot {
    Scalar(usize),
    Array(usize),
}

/// Placement of one fixed local array in the frame's storage.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FixedLayout {
    pub array: u32,
    pub word_offset: usize,
    pub len: u32,
}

/// One checked function, compiled.
pub struct Compiled {
    pub name: Arc<str>,
    pub(crate) params: Vec<ParamSlot>,
    pub(crate) n_slots: usize,
    pub(crate) n_arrays: usize,
    pub(crate) fixed: Vec<FixedLayout>,
    pub(crate) fixed_words: usize,
    pub(crate) n_tuples: usize,
    /// Whether the function returns a tuple (left in the frame's tuple register).
    pub(crate) returns_tuple: bool,
    body: Code,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("name", &self.name)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Per-function compilation context.
pub(crate) struct FnCx<'p> {
    pub function: &'p ir::Function,
    pub functions: &'p [ir::Function],
    pub name: Arc<str>,
    /// The array index of every array local (`None` for scalars).
    pub arrays: Vec<Option<usize>>,
    /// The tuple index of every tuple local (`None` for the others).
    pub tuples: Vec<Option<usize>>,
    pub boundscheck: bool,
    /// This function's `FuncId`, and the counters when compiling for a profile.
    pub func: u32,
    pub profile: Option<Arc<crate::profile::Sink>>,
}

/// Numbers the array locals (parameters and fixed arrays) of a function.
pub(crate) fn array_indices(function: &ir::Function) -> Vec<Option<usize>> {
    let mut next = 0;
    function
        .locals
        .iter()
        .map(|local| {
            local.ty.is_array().then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

impl FnCx<'_> {
    pub fn site(&self, span: Span) -> Site {
        Site::new(&self.name, span)
    }

    pub fn unsupported(&self, span: Span, what: impl Into<String>) -> Unsupported {
        Unsupported {
            span,
            what: what.into(),
        }
    }

    /// The scalar type of a checked expression.
    pub fn scalar(&self, id: ir::ExprId) -> CompileResult<Scalar> {
        self.function
            .ty(id)
            .as_scalar()
            .ok_or_else(|| self.unsupported(self.function.span(id), "a non-scalar operand"))
    }

    pub fn array_index(&self, local: LocalId, span: Span) -> CompileResult<usize> {
        self.arrays
            .get(local.index())
            .copied()
            .flatten()
            .ok_or_else(|| self.unsupported(span, "an array access to a non-array local"))
    }
}

/// Compiles checked function `id` of `functions`.
pub fn compile_function(
    functions: &[ir::Function],
    id: FuncId,
    boundscheck: bool,
) -> CompileResult<Compiled> {
    compile_function_with(functions, id, boundscheck, None)
}

/// [`compile_function`], with profiling counters feeding `profile` when given.
pub fn compile_function_with(
    functions: &[ir::Function],
    id: FuncId,
    boundscheck: bool,
    profile: Option<Arc<crate::profile::Sink>>,
) -> CompileResult<Compiled> {
    let function = functions.get(id.index()).ok_or(Unsupported {
        span: Span::default(),
        what: format!("unknown function #{}", id.0),
    })?;
    let n = function.exprs.len();
    if function.expr_types.len() != n || function.expr_spans.len() != n {
        return Err(Unsupported {
            span: function.span,
            what: format!("function `{}` before type checking", function.name),
        });
    }
    let cx = FnCx {
        function,
        functions,
        name: Arc::from(function.name.as_str()),
        arrays: array_indices(function),
        tuples: tuples::tuple_indices(function),
        boundscheck,
        func: id.0,
        profile,
    };
    let params = function
        .params
        .iter()
        .map(|p| match cx.arrays.get(p.index()).copied().flatten() {
            Some(array) => ParamSlot::Array(array),
            None => ParamSlot::Scalar(p.index()),
        })
        .collect();
    let (fixed, fixed_words) = fixed_layout(&cx);
    let mut body = cx.compile_block(&function.body)?;
    if poll::calls(function) {
        // Recursion without loops must stay interruptible: poll on entry, as the JIT does.
        let site = cx.site(function.span);
        let inner = body;
        body = Box::new(move |frame| {
            poll::poll(frame, &site)?;
            inner(frame)
        });
    }
    let body = cx.profile_function(body);
    Ok(Compiled {
        name: cx.name.clone(),
        params,
        n_slots: function.locals.len(),
        n_arrays: cx.arrays.iter().flatten().count(),
        fixed,
        fixed_words,
        n_tuples: cx.tuples.iter().flatten().count(),
        returns_tuple: matches!(function.ret, Type::Tuple(_)),
        body,
    })
}

/// Lays the fixed local arrays out one after another, each starting on a word boundary.
fn fixed_layout(cx: &FnCx<'_>) -> (Vec<FixedLayout>, usize) {
    let mut layouts = Vec::new();
    let mut words = 0;
    for (local, array) in cx.function.locals.iter().zip(&cx.arrays) {
        if let (Type::Fixed { elem, len }, Some(array)) = (local.ty, array) {
            layouts.push(FixedLayout {
                array: *array as u32,
                word_offset: words,
                len,
            });
            words += (len as usize * elem.size_bytes()).div_ceil(8);
        }
    }
    (layouts, words)
}

/// Runs a compiled function in a frame whose parameters are set.
#[inline]
pub(crate) fn invoke(function: &Compiled, frame: &mut Frame<'_>) -> Result<u64, Flow> {
    match (function.body)(frame) {
        Ok(value) | Err(Flow::Return(value)) => Ok(value),
        Err(Flow::Error(error)) => Err(Flow::Error(error)),
        // The checker only accepts `break`/`continue` inside their loop.
        Err(Flow::Break(..) | Flow::Continue(_)) => Ok(0),
    }
}

/// Calls `id` as the outermost call (depth 1), stopping when `stop` becomes non-zero. The
/// caller has checked the arguments against the function's parameters. The result has one
/// slot per scalar of the return value (see [`RawReturn`]).
pub fn run(
    table: &[Arc<Compiled>],
    id: FuncId,
    args: &[RawArg],
    stop: &AtomicU32,
) -> Result<RawReturn, KernelError> {
    let function = &*table[id.index()];
    let mut frame = Frame::new(function, table, 1, stop);
    for (param, arg) in function.params.iter().zip(args) {
        match (*param, *arg) {
            (ParamSlot::Scalar(slot), RawArg::Scalar(value)) => frame.slots[slot] = value.0,
            (ParamSlot::Array(array), RawArg::Array(raw)) => frame.arrays[array] = raw,
            // Argument binding validated kinds already; a mismatch leaves the default.
            _ => {}
        }
    }
    match invoke(function, &mut frame) {
        Ok(_) if function.returns_tuple => Ok(RawReturn(frame.ret)),
        Ok(value) => Ok(RawReturn::scalar(value)),
        Err(Flow::Error(error)) => Err(*error),
        Err(_) => Ok(RawReturn::default()),
    }
}

/// A compiled function standing in for a table entry that cannot run (a failed generic
/// instantiation left in the program). No checked function calls it.
pub fn unreachable_stub(name: &str) -> Compiled {
    Compiled {
        name: Arc::from(name),
        params: Vec::new(),
        n_slots: 0,
        n_arrays: 0,
        fixed: Vec::new(),
        fixed_words: 0,
        n_tuples: 0,
        returns_tuple: false,
        body: Box::new(|_| Ok(0)),
    }
}
