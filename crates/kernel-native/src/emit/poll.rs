//! Interrupt polling in native code: the same poll points as the interpreter and the JIT
//! (every `loop`/`while` iteration, the back-edge of a `for` loop whose body holds a loop or a
//! call, the entry of a function that calls). Each reads the call's stop flag
//! (`__k_stop`, taken by the wrapper from `kernel_runtime::interruptible`) with one relaxed
//! load; an innermost `for` loop has none, so hot loops are unchanged.

use kernel_ir::ir::{Block, Expr, ExprId, Function, Place, Stmt};
use kernel_ir::Span;
use proc_macro2::TokenStream;
use quote::quote;

use super::FnEmitter;

impl FnEmitter<'_> {
    /// Returns `Interrupted`/`Timeout` located at `span` when the stop flag is set.
    pub(crate) fn poll(&self, span: Span) -> TokenStream {
        let site = self.site(span);
        quote! {
            // SAFETY (emitted): inside the kernel call that captured `__k_stop`.
            let __k_flag = unsafe { __k_stop.get() };
            if __k_flag != 0 {
                return ::core::result::Result::Err(__k_rt::stopped(__k_flag, #site));
            }
        }
    }

    /// Where a stopped loop is reported: the loop itself.
    pub(crate) fn loop_span(&self, id: kernel_ir::ir::LoopId) -> Span {
        self.function
            .loops
            .get(id.index())
            .map_or(self.function.span, |info| info.span)
    }
}

/// Whether `function` calls any function (then its entry polls).
pub(crate) fn calls(function: &Function) -> bool {
    function.exprs.iter().any(|e| matches!(e, Expr::Call(..)))
}

/// Whether a block contains a loop or a call anywhere inside it.
pub(crate) fn block_has_loop_or_call(f: &Function, block: &Block) -> bool {
    block.stmts.iter().any(|s| stmt_has_loop_or_call(f, s))
        || block.tail.is_some_and(|e| expr_has_loop_or_call(f, e))
}

fn stmt_has_loop_or_call(f: &Function, stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Let { init, .. } => init.is_some_and(|e| expr_has_loop_or_call(f, e)),
        Stmt::Assign { place, value, .. } => {
            let in_place = match place {
                Place::Local(_) => false,
                Place::Index { indices, .. } => any(f, indices),
            };
            in_place || expr_has_loop_or_call(f, *value)
        }
        Stmt::Expr(e) => expr_has_loop_or_call(f, *e),
    }
}

fn any(f: &Function, ids: &[ExprId]) -> bool {
    ids.iter().any(|e| expr_has_loop_or_call(f, *e))
}

fn expr_has_loop_or_call(f: &Function, id: ExprId) -> bool {
    match f.expr(id) {
        Expr::Call(..) | Expr::Loop { .. } | Expr::While { .. } | Expr::For { .. } => true,
        Expr::Lit(..)
        | Expr::Local(_)
        | Expr::Len(_)
        | Expr::Dim(..)
        | Expr::Continue(_)
        | Expr::Break { value: None, .. }
        | Expr::Return(None) => false,
        Expr::Unary(_, e)
        | Expr::Cast(e, _)
        | Expr::ArrayRepeat(e, _)
        | Expr::Break { value: Some(e), .. }
        | Expr::Return(Some(e)) => expr_has_loop_or_call(f, *e),
        Expr::Binary(_, a, b) | Expr::Logic(_, a, b) => {
            expr_has_loop_or_call(f, *a) || expr_has_loop_or_call(f, *b)
        }
        Expr::Index { indices: ids, .. } | Expr::ArrayLit(ids) | Expr::Builtin(_, ids) => {
            any(f, ids)
        }
        Expr::If {
            cond,
            then_block,
            else_block,
        } => {
            expr_has_loop_or_call(f, *cond)
                || block_has_loop_or_call(f, then_block)
                || else_block
                    .as_ref()
                    .is_some_and(|b| block_has_loop_or_call(f, b))
        }
        Expr::Block(block) => block_has_loop_or_call(f, block),
    }
}
