//! Warnings over checked IR: code that type-checks but is almost certainly not what was
//! meant: a comparison that is always true or always false for its operands'
//! type (`x >= 0` with `x: usize`, `i > u32::MAX` with `i: u32`), decided from the type and a
//! literal alone, as rustc's `unused_comparisons` lint does; and a `match` arm no value can
//! reach (`check::matches`).

use super::finish::int_range;
use super::matches::{is_pattern_test, unreachable_arms};
use crate::diag::Diagnostic;
use crate::ir::{BinOp, Expr, ExprId, Function, Lit};

/// Every warning of a checked function, in expression order.
pub(crate) fn warnings(f: &Function) -> Vec<Diagnostic> {
    let mut warnings: Vec<Diagnostic> = (0..f.exprs.len())
        .filter_map(|index| {
            let id = ExprId(index as u32);
            match f.expr(id) {
                Expr::Binary(..) if is_pattern_test(f, id) => None,
                Expr::Binary(op, lhs, rhs) => useless_comparison(f, id, *op, *lhs, *rhs),
                _ => None,
            }
        })
        .collect();
    warnings.extend(unreachable_arms(f));
    warnings
}

/// Which end of its type's range a comparison's literal sits at.
#[derive(Clone, Copy)]
enum Limit {
    Min,
    Max,
}

/// The warning for `lhs op rhs` when one side is a literal at the limit of the other side's
/// integer type and the outcome is therefore fixed.
fn useless_comparison(
    f: &Function,
    at: ExprId,
    op: BinOp,
    lhs: ExprId,
    rhs: ExprId,
) -> Option<Diagnostic> {
    // Written with the literal on the left, `0 <= x` is `x >= 0`.
    let (op, literal) = match (int_literal(f, lhs), int_literal(f, rhs)) {
        (_, Some(value)) => (op, value),
        (Some(value), None) => (mirrored(op)?, value),
        (None, None) => return None,
    };
    let ty = f.expr_types[lhs.index()]
        .as_scalar()
        .filter(|s| s.is_int())?;
    let (min, max) = int_range(ty);
    let (outcome, limit) = match op {
        BinOp::Ge if literal == min => (true, Limit::Min),
        BinOp::Lt if literal == min => (false, Limit::Min),
        BinOp::Le if literal == max => (true, Limit::Max),
        BinOp::Gt if literal == max => (false, Limit::Max),
        _ => return None,
    };
    let (label, help) = match limit {
        Limit::Min if ty.is_unsigned_int() => (
            format!("`{ty}` values are never negative"),
            "remove the comparison, or compare a value of a signed type".to_string(),
        ),
        Limit::Min => (
            format!("`{ty}` values are never below {min}"),
            format!("`{min}` is the smallest `{ty}`; remove the comparison"),
        ),
        Limit::Max => (
            format!("`{ty}` values are never above {max}"),
            format!("`{max}` is the largest `{ty}`; remove the comparison"),
        ),
    };
    Some(
        Diagnostic::warning(f.span(at), format!("comparison is always {outcome}"))
            .with_label(label)
            .with_help(help),
    )
}

/// The value of an integer literal operand.
fn int_literal(f: &Function, id: ExprId) -> Option<i128> {
    match f.expr(id) {
        Expr::Lit(Lit::Int(value), Some(scalar)) if scalar.is_int() => Some(*value),
        _ => None,
    }
}

/// `a op b` as `b op' a`; `None` for operators that are not orderings.
fn mirrored(op: BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        _ => return None,
    })
}
