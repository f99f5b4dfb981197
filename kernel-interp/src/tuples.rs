//! Tuples: a tuple-typed expression (a tuple expression, a call returning a tuple, a tuple
//! local) evaluates into the frame's tuple register [`Frame::ret`] and yields 0; whoever
//! takes the tuple (a `return`, a tuple local's `let`, `.0`, the outermost call) reads the
//! register right after. Tuple locals live in [`Frame::tuples`], by their tuple index.

use kernel_ir::ir::{self, Expr, ExprId, LocalId};
use kernel_ir::{Span, Type, MAX_TUPLE_LEN};

use super::frame::Code;
use super::{CompileResult, FnCx};

/// Numbers the tuple locals of a function.
pub(crate) fn tuple_indices(function: &ir::Function) -> Vec<Option<usize>> {
    let mut next = 0;
    function
        .locals
        .iter()
        .map(|local| {
            matches!(local.ty, Type::Tuple(_)).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

impl FnCx<'_> {
    fn tuple_index(&self, local: LocalId, span: Span) -> CompileResult<usize> {
        self.tuples
            .get(local.index())
            .copied()
            .flatten()
            .ok_or_else(|| self.unsupported(span, "a tuple access to a non-tuple local"))
    }

    /// `(a, b, …)`: the elements left to right, then the register.
    pub(crate) fn compile_tuple(&self, elems: &[ExprId], span: Span) -> CompileResult<Code> {
        if elems.len() > MAX_TUPLE_LEN {
            return Err(self.unsupported(span, "a tuple of more than four elements"));
        }
        let elems = elems
            .iter()
            .map(|e| self.compile_expr(*e))
            .collect::<CompileResult<Vec<Code>>>()?;
        Ok(Box::new(move |frame| {
            let mut values = [0u64; MAX_TUPLE_LEN];
            for (value, elem) in values.iter_mut().zip(&elems) {
                *value = elem(frame)?;
            }
            frame.ret = values;
            Ok(0)
        }))
    }

    /// A tuple local used whole (returned, or bound to another tuple local).
    pub(crate) fn compile_tuple_local(&self, local: LocalId, span: Span) -> CompileResult<Code> {
        let index = self.tuple_index(local, span)?;
        Ok(Box::new(move |frame| {
            frame.ret = frame.tuples[index];
            Ok(0)
        }))
    }

    /// `tuple.k`: straight from a tuple local's storage, else from the register its operand
    /// filled.
    pub(crate) fn compile_field(&self, tuple: ExprId, k: u32, span: Span) -> CompileResult<Code> {
        let k = k as usize;
        if k >= MAX_TUPLE_LEN {
            return Err(self.unsupported(span, "a tuple field past the fourth"));
        }
        if let Expr::Local(local) = self.function.expr(tuple) {
            let index = self.tuple_index(*local, span)?;
            return Ok(Box::new(move |frame| Ok(frame.tuples[index][k])));
        }
        let tuple = self.compile_expr(tuple)?;
        Ok(Box::new(move |frame| {
            tuple(frame)?;
            Ok(frame.ret[k])
        }))
    }

    /// `let t = f(x);` of a tuple local.
    pub(crate) fn compile_tuple_let(
        &self,
        local: LocalId,
        init: Option<ExprId>,
        span: Span,
    ) -> CompileResult<Code> {
        let index = self.tuple_index(local, span)?;
        let Some(init) = init else {
            return Err(self.unsupported(span, "a tuple local without initialiser"));
        };
        let init = self.compile_expr(init)?;
        Ok(Box::new(move |frame| {
            init(frame)?;
            frame.tuples[index] = frame.ret;
            Ok(0)
        }))
    }
}
