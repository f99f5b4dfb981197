//! The interpreter's run-time state: one [`Frame`] per active call, the compiled-code type
//! [`Code`], and the non-local control flow ([`Flow`]) that unwinds through it.

use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use kernel_ir::abi::RawArray;
use kernel_ir::{ErrorKind, KernelError, Span};

use super::Compiled;

/// A compiled expression or statement: runs against a frame and yields its raw value (0 for
/// `()`), or unwinds with a [`Flow`].
pub(crate) type Code = Box<dyn Fn(&mut Frame<'_>) -> Result<u64, Flow> + Send + Sync>;

/// Why evaluation stopped early. Loops catch their own `Break`/`Continue`, calls catch
/// `Return`; errors travel to the outermost call.
#[derive(Debug)]
pub(crate) enum Flow {
    Break(u32, u64),
    Continue(u32),
    Return(u64),
    Error(Box<KernelError>),
}

/// Where a runtime error is reported: the function the failing expression sits in and the
/// start of its span.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub function: Arc<str>,
    pub line: u32,
    pub col: u32,
}

impl Site {
    pub fn new(function: &Arc<str>, span: Span) -> Site {
        Site {
            function: function.clone(),
            line: span.line,
            col: span.col,
        }
    }

    #[cold]
    pub fn error(&self, kind: ErrorKind) -> Flow {
        Flow::Error(Box::new(KernelError::new(
            kind,
            &*self.function,
            self.line,
            self.col,
        )))
    }
}

/// An array slot that no argument or fixed local has filled yet.
pub(crate) const EMPTY_ARRAY: RawArray = RawArray {
    data: std::ptr::null_mut(),
    dims: [0, 1, 1],
    strides: [0, 0, 0],
};

/// The locals of one active call.
///
/// **Invariant:** `arrays` for fixed locals point into `fixed`, whose heap buffer is allocated
/// once in [`Frame::new`] and never resized, so the pointers stay valid for the frame's life.
pub(crate) struct Frame<'a> {
    /// Scalar locals by `LocalId` (raw normalised bits).
    pub slots: Vec<u64>,
    /// Array locals (parameters and fixed arrays) by their array index.
    pub arrays: Vec<RawArray>,
    /// Backing storage of the fixed local arrays; only reached through `arrays`.
    fixed: Vec<u64>,
    /// The arrays the frame owns (allocated, or returned by a call), by array index; grown
    /// on the first `let` of one, so calls of functions without them allocate nothing.
    pub owned: Vec<Option<Box<kernel_ir::alloc::OwnedArray>>>,
    /// The tuple register: the elements of the tuple the last tuple-typed expression
    /// evaluated (see `crate::tuples`).
    pub ret: [u64; kernel_ir::MAX_TUPLE_LEN],
    /// Tuple locals by their tuple index; empty unless the function has some.
    pub tuples: Vec<[u64; kernel_ir::MAX_TUPLE_LEN]>,
    /// Call depth of this frame; the outermost call is 1.
    pub depth: u32,
    /// Every compiled function of the program, by `FuncId`.
    pub table: &'a [Arc<Compiled>],
    /// The call's stop flag (see `crate::interrupt`), shared by all its frames.
    pub stop: &'a AtomicU32,
}

impl<'a> Frame<'a> {
    pub fn new(
        function: &Compiled,
        table: &'a [Arc<Compiled>],
        depth: u32,
        stop: &'a AtomicU32,
    ) -> Frame<'a> {
        let mut frame = Frame {
            slots: vec![0; function.n_slots],
            arrays: vec![EMPTY_ARRAY; function.n_arrays],
            fixed: vec![0; function.fixed_words],
            owned: Vec::new(),
            ret: [0; kernel_ir::MAX_TUPLE_LEN],
            tuples: vec![[0; kernel_ir::MAX_TUPLE_LEN]; function.n_tuples],
            depth,
            table,
            stop,
        };
        let base = frame.fixed.as_mut_ptr();
        for layout in &function.fixed {
            frame.arrays[layout.array as usize] = RawArray {
                // `wrapping_add` stays inside the buffer: the layout was sized from it.
                data: base.wrapping_add(layout.word_offset).cast::<u8>(),
                dims: [u64::from(layout.len), 1, 1],
                strides: [1, 0, 0],
            };
        }
        frame
    }
}

/// A compiled operand, specialised so that the hot cases (a local, a constant) need no
/// indirect call.
pub(crate) enum Operand {
    Slot(usize),
    Const(u64),
    Code(Code),
}

/// Evaluation of a specialised operand.
pub(crate) trait Eval: Send + Sync + 'static {
    fn eval(&self, frame: &mut Frame<'_>) -> Result<u64, Flow>;
}

pub(crate) struct SlotOp(pub usize);
pub(crate) struct ConstOp(pub u64);
pub(crate) struct CodeOp(pub Code);

impl Eval for SlotOp {
    #[inline(always)]
    fn eval(&self, frame: &mut Frame<'_>) -> Result<u64, Flow> {
        Ok(frame.slots[self.0])
    }
}

impl Eval for ConstOp {
    #[inline(always)]
    fn eval(&self, _frame: &mut Frame<'_>) -> Result<u64, Flow> {
        Ok(self.0)
    }
}

impl Eval for CodeOp {
    #[inline(always)]
    fn eval(&self, frame: &mut Frame<'_>) -> Result<u64, Flow> {
        (self.0)(frame)
    }
}

impl Operand {
    /// Turns the operand back into plain code (for the cold, unspecialised paths).
    pub fn into_code(self) -> Code {
        match self {
            Operand::Slot(slot) => Box::new(move |frame| Ok(frame.slots[slot])),
            Operand::Const(value) => Box::new(move |_| Ok(value)),
            Operand::Code(code) => code,
        }
    }
}

/// Runs `$body` with `$name` bound to the operand as a concrete [`Eval`] type, so `$body` is
/// monomorphised for locals, constants and general code.
macro_rules! with_operand {
    ($operand:expr, |$name:ident| $body:expr) => {
        match $operand {
            $crate::frame::Operand::Slot(slot) => {
                let $name = $crate::frame::SlotOp(slot);
                $body
            }
            $crate::frame::Operand::Const(value) => {
                let $name = $crate::frame::ConstOp(value);
                $body
            }
            $crate::frame::Operand::Code(code) => {
                let $name = $crate::frame::CodeOp(code);
                $body
            }
        }
    };
}
pub(crate) use with_operand;
