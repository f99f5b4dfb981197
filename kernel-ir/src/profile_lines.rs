//! Which source line each profiled event counts on, shared by every tier that profiles (the
//! interpreter and the instrumented JIT), so their hit counts agree by construction.
//!
//! A statement counts on the line its span starts on (a `let` on its binding's line), a block
//! tail on its expression's line, a loop iteration on the loop's header line, and a call on the
//! `fn` line.

use crate::ir::{Function, LoopId, Stmt};

/// The line statement `stmt` of `function` counts its hits on.
pub fn stmt_line(function: &Function, stmt: &Stmt) -> u32 {
    match stmt {
        Stmt::Let { local, .. } => function.local(*local).span.line,
        Stmt::Assign { span, .. } => span.line,
        Stmt::Expr(expr) => function.span(*expr).line,
    }
}

/// The header line of loop `id`, where each iteration started counts one hit (the `fn` line
/// for an id the function does not have, which checked IR never holds).
pub fn loop_line(function: &Function, id: LoopId) -> u32 {
    function
        .loops
        .get(id.index())
        .map_or(function.span.line, |l| l.span.line)
}
