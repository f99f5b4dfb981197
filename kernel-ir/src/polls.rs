//! Where every tier polls for interruption (SPEC: a running kernel stops at its next loop
//! back-edge or call): every `loop`/`while` iteration, the back-edge of a `for` loop whose body
//! holds a loop or a call, and the entry of a function that calls. An innermost `for` loop
//! always ends, so it is not polled. One definition here keeps the tiers' stop locations equal.

use crate::ir::{Block, Expr, ExprId, Function, Place, Stmt};

/// Whether `function` calls any function (then its entry polls).
pub fn calls(function: &Function) -> bool {
    function.exprs.iter().any(|e| matches!(e, Expr::Call(..)))
}

/// Whether a block contains a loop or a call anywhere inside it: such a `for` loop polls, an
/// innermost one (which always ends) does not.
pub fn block_has_loop_or_call(f: &Function, block: &Block) -> bool {
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
