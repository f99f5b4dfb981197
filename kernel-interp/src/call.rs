//! Calls between kernel functions: a fresh frame per call, scalar arguments evaluated left to
//! right, array arguments passed through as the caller's `RawArray` (a fixed local array
//! becomes a contiguous rank-1 view of the caller's storage), and the call-depth limit.

use kernel_ir::ir::{Expr, ExprId, FuncId};
use kernel_ir::{ErrorKind, Span, MAX_CALL_DEPTH};

use super::frame::{Code, Frame};
use super::view::ViewCode;
use super::{array_indices, invoke, CompileResult, FnCx};

impl FnCx<'_> {
    pub fn compile_call(&self, callee: FuncId, args: &[ExprId], span: Span) -> CompileResult<Code> {
        let target = self
            .functions
            .get(callee.index())
            .ok_or_else(|| self.unsupported(span, "a call of an unknown function"))?;
        if target.params.len() != args.len() {
            return Err(self.unsupported(span, "a call with the wrong number of arguments"));
        }
        let target_arrays = array_indices(target);
        let mut arg_codes: Vec<ArgCode> = Vec::new();
        for (param, arg) in target.params.iter().zip(args) {
            arg_codes.push(match target_arrays.get(param.index()).copied().flatten() {
                Some(dst) => match self.function.expr(*arg) {
                    Expr::Local(local) => ArgCode::Array(dst, self.array_index(*local, span)?),
                    Expr::View { .. } => {
                        ArgCode::View(dst, self.compile_view(*arg, self.function.span(*arg))?)
                    }
                    _ => {
                        return Err(self.unsupported(span, "an array argument that is not a local"))
                    }
                },
                None => ArgCode::Scalar(param.index(), self.compile_expr(*arg)?),
            });
        }
        let site = self.site(span);
        let callee = callee.index();
        // A tuple comes back in the callee's register; the caller's takes it over.
        let returns_tuple = matches!(target.ret, kernel_ir::Type::Tuple(_));
        Ok(Box::new(move |frame| {
            let table = frame.table;
            let function = &*table[callee];
            let mut callee_frame = Frame::new(function, table, frame.depth + 1, frame.stop);
            // Left to right, as written: a view's operands and checks are part of the order.
            for arg in &arg_codes {
                match arg {
                    ArgCode::Scalar(slot, code) => callee_frame.slots[*slot] = code(frame)?,
                    ArgCode::Array(dst, src) => callee_frame.arrays[*dst] = frame.arrays[*src],
                    ArgCode::View(dst, view) => callee_frame.arrays[*dst] = view(frame)?,
                }
            }
            if frame.depth >= MAX_CALL_DEPTH {
                return Err(site.error(ErrorKind::RecursionLimit {
                    limit: MAX_CALL_DEPTH,
                }));
            }
            let value = invoke(function, &mut callee_frame)?;
            if returns_tuple {
                frame.ret = callee_frame.ret;
            }
            Ok(value)
        }))
    }
}

/// One argument of a call, compiled: a scalar into a parameter slot, an array local's or a
/// view's descriptor into a parameter array.
enum ArgCode {
    Scalar(usize, Code),
    Array(usize, usize),
    View(usize, ViewCode),
}
