//! Interrupt polling: where the interpreter reads the stop flag, the same places as the JIT
//! (every `loop`/`while` iteration, the back-edge of a `for` loop whose body holds a loop or a
//! call, the entry of a function that calls), so a stopped kernel reports the same location.

use std::sync::atomic::Ordering;

use kernel_ir::ir::{Block, Expr, ExprId, Function, Place, Stmt};

use super::frame::{Flow, Frame, Site};
use crate::interrupt::stop_kind;

/// Stops with `Interrupted` or `Timeout`, located at `site`, when the call's flag is set.
#[inline(always)]
pub(crate) fn poll(frame: &Frame<'_>, site: &Site) -> Result<(), Flow> {
    match frame.stop.load(Ordering::Relaxed) {
        0 => Ok(()),
        flag => Err(site.error(stop_kind(flag))),
    }
}

/// Whether `function` calls any function (then its entry polls).
pub(crate) fn calls(function: &Function) -> bool {
    function.exprs.iter().any(|e| matches!(e, Expr::Call(..)))
}

/// Whether a block contains a loop or a call anywhere inside it: such a `for` loop polls, an
/// innermost one (which always ends) does not.
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
