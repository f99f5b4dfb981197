//! Where every tier polls for interruption (SPEC: a running kernel stops at its next loop
//! back-edge or call): every `loop`/`while` iteration, the back-edge of a `for` loop whose body
//! holds a loop or a call, and the entry of a function that calls. An innermost `for` loop
//! always ends, so it is not polled. One definition here keeps the tiers' stop locations equal.

use crate::ir::walk::any_expr_in_block;
use crate::ir::{Block, Expr, Function};

/// Whether `function` calls any function (then its entry polls).
pub fn calls(function: &Function) -> bool {
    function.exprs.iter().any(|e| matches!(e, Expr::Call(..)))
}

/// Whether a block contains a loop or a call anywhere inside it: such a `for` loop polls, an
/// innermost one (which always ends) does not.
pub fn block_has_loop_or_call(f: &Function, block: &Block) -> bool {
    any_expr_in_block(f, block, |e| {
        matches!(
            e,
            Expr::Call(..) | Expr::Loop { .. } | Expr::While { .. } | Expr::For { .. }
        )
    })
}
