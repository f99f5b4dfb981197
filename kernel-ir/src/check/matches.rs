//! The rules of `match` that need the scrutinee's final type (see [`crate::ir::Match`]):
//! integers and `bool` only, non-empty ranges, patterns that cover every value of the type
//! (as Rust checks it: guarded arms cover nothing), and — as warnings, from `lint` — arms no
//! value can reach.
//!
//! A pattern is a set of inclusive intervals of `i128` (`false`/`true` are 0 and 1); the arms
//! are walked in order, each one's intervals checked against what the unguarded arms before it
//! already cover.

use super::finish::int_range;
use crate::diag::{Diagnostic, Span};
use crate::ir::{Expr, ExprId, Function, Lit, Match, Pattern};
use crate::types::Scalar;

/// An inclusive interval of values.
type Interval = (i128, i128);

/// The errors of every `match` of a checked function (literal values final).
pub(super) fn match_errors(f: &Function) -> Vec<Diagnostic> {
    f.matches.iter().flat_map(|m| errors_of(f, m)).collect()
}

/// The warnings of every `match`: arms whose patterns earlier arms already cover.
pub(super) fn unreachable_arms(f: &Function) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for m in &f.matches {
        let Some(ty) = scrutinee_type(f, m) else {
            continue;
        };
        let mut covered: Vec<Interval> = Vec::new();
        for arm in &m.arms {
            let intervals: Vec<Interval> = arm
                .patterns
                .iter()
                .filter_map(|p| interval(f, *p, ty).ok().flatten())
                .collect();
            if !intervals.is_empty() && intervals.iter().all(|i| is_covered(&covered, *i)) {
                warnings.push(
                    Diagnostic::warning(arm.span, "unreachable pattern")
                        .with_label("no value reaches this arm: earlier arms match all of them"),
                );
            }
            if !arm.guarded {
                for i in intervals {
                    add(&mut covered, i);
                }
            }
        }
    }
    warnings
}

/// Whether `test` is a comparison lowering made from a pattern.
pub(super) fn is_pattern_test(f: &Function, test: ExprId) -> bool {
    f.matches.iter().any(|m| m.tests.contains(&test))
}

/// The scrutinee's type when it is one `match` accepts.
fn scrutinee_type(f: &Function, m: &Match) -> Option<Scalar> {
    f.local(m.scrutinee)
        .ty
        .as_scalar()
        .filter(|s| s.is_int() || *s == Scalar::Bool)
}

fn errors_of(f: &Function, m: &Match) -> Vec<Diagnostic> {
    let Some(ty) = scrutinee_type(f, m) else {
        let found = f.local(m.scrutinee).ty;
        return vec![Diagnostic::new(
            m.span,
            format!("`match` on `{found}` values is not supported in kernels"),
        )
        .with_help("match on an integer or a `bool`, or use `if` / `else if`")];
    };
    let mut errors = Vec::new();
    let mut covered: Vec<Interval> = Vec::new();
    for arm in &m.arms {
        for pattern in &arm.patterns {
            match interval(f, *pattern, ty) {
                Ok(Some(i)) if !arm.guarded => add(&mut covered, i),
                Ok(_) => {}
                Err(diagnostic) => errors.push(diagnostic),
            }
        }
    }
    if errors.is_empty() {
        let gaps = gaps(&covered, int_range(ty));
        if !gaps.is_empty() {
            errors.push(not_covered(m.span, &gaps, ty));
        }
    }
    errors
}

/// The values a pattern matches; `Ok(None)` for none at all (reported elsewhere).
fn interval(f: &Function, pattern: Pattern, ty: Scalar) -> Result<Option<Interval>, Diagnostic> {
    let (min, max) = int_range(ty);
    match pattern {
        Pattern::Any => Ok(Some((min, max))),
        Pattern::Value(value) => Ok(literal(f, value).map(|v| (v, v))),
        Pattern::Range {
            lo,
            hi,
            inclusive,
            span,
        } => {
            let lo = lo.map_or(Some(min), |e| literal(f, e));
            // `a..` runs to the type's end, `a..b` stops before `b`.
            let hi = match hi {
                None => Some(max),
                Some(e) if inclusive => literal(f, e),
                Some(e) => literal(f, e).map(|v| v - 1),
            };
            let (Some(lo), Some(hi)) = (lo, hi) else {
                return Ok(None);
            };
            if lo > hi {
                return Err(empty_range(span, inclusive));
            }
            Ok(Some((lo, hi)))
        }
    }
}

fn empty_range(at: Span, inclusive: bool) -> Diagnostic {
    let message = if inclusive {
        "lower range bound must be less than or equal to upper"
    } else {
        "lower range bound must be less than upper"
    };
    Diagnostic::new(at, message).with_label("this range matches no value")
}

/// A pattern literal's value (`bool` as 0 and 1).
fn literal(f: &Function, id: ExprId) -> Option<i128> {
    match f.expr(id) {
        Expr::Lit(Lit::Int(v), _) => Some(*v),
        Expr::Lit(Lit::Bool(b), _) => Some(i128::from(*b)),
        _ => None,
    }
}

/// Adds `new` to the sorted, disjoint, non-adjacent list `covered`.
fn add(covered: &mut Vec<Interval>, new: Interval) {
    let (mut lo, mut hi) = new;
    let mut kept = Vec::with_capacity(covered.len() + 1);
    for &(a, b) in covered.iter() {
        if b.saturating_add(1) < lo || hi.saturating_add(1) < a {
            kept.push((a, b));
        } else {
            lo = lo.min(a);
            hi = hi.max(b);
        }
    }
    kept.push((lo, hi));
    kept.sort_unstable();
    *covered = kept;
}

fn is_covered(covered: &[Interval], (lo, hi): Interval) -> bool {
    covered.iter().any(|&(a, b)| a <= lo && hi <= b)
}

/// The values of `(min, max)` outside `covered`, in order.
fn gaps(covered: &[Interval], (min, max): Interval) -> Vec<Interval> {
    let mut gaps = Vec::new();
    let mut next = min;
    for &(a, b) in covered {
        if a > next {
            gaps.push((next, a - 1));
        }
        next = next.max(b.saturating_add(1));
    }
    if next <= max {
        gaps.push((next, max));
    }
    gaps
}

/// Rust's wording: the first three gaps, then "and N more".
fn not_covered(at: Span, gaps: &[Interval], ty: Scalar) -> Diagnostic {
    let shown: Vec<String> = gaps
        .iter()
        .take(3)
        .map(|gap| format!("`{}`", gap_text(*gap, ty)))
        .collect();
    let mut list = match shown.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    if gaps.len() > 3 {
        list = format!("{}, and {} more", shown.join(", "), gaps.len() - 3);
    }
    let patterns = if gaps.len() == 1 {
        "pattern"
    } else {
        "patterns"
    };
    Diagnostic::new(at, format!("non-exhaustive patterns: {list} not covered"))
        .with_label(format!("{patterns} {list} not covered"))
        .with_help("add an arm for the missing values, or a wildcard arm `_ => …`")
}

fn gap_text((lo, hi): Interval, ty: Scalar) -> String {
    if lo == hi {
        value_text(lo, ty)
    } else {
        format!("{}..={}", value_text(lo, ty), value_text(hi, ty))
    }
}

/// A value as Rust prints it in patterns: `i32::MIN`, `5_u64`, `false`.
fn value_text(value: i128, ty: Scalar) -> String {
    let (min, max) = int_range(ty);
    match ty {
        Scalar::Bool => (value != 0).to_string(),
        _ if value == max => format!("{ty}::MAX"),
        _ if value == min && min != 0 => format!("{ty}::MIN"),
        _ => format!("{value}_{ty}"),
    }
}
