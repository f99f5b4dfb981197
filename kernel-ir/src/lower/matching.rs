//! `match` on integers and `bool`, lowered to an `if` chain over a hidden local holding the
//! scrutinee (see [`crate::ir::Match`]): `{ let scrutinee = value; if test₁ { arm₁ } else if …
//! else { armₙ } }`. A pattern becomes comparisons with the scrutinee (`p | q` an `||` of
//! them), a guard is `&&`-ed after the pattern's test, and a binding names the scrutinee.
//!
//! The last arm needs no test: the checker proves the patterns exhaustive, so a value that
//! reaches the final `else` is one the last arm matches (or the arm is unreachable and so is
//! the `else`). Exhaustiveness and unreachable arms need the scrutinee's final type and are
//! judged by `check::matches` over the [`Match`] record kept in the function.

use super::stmt::assignment_parts;
use super::{node_span, span, FnCx};
use crate::diag::{Diagnostic, Span};
use crate::ir::{
    BinOp, Block, Expr, ExprId, Lit, Local, LocalId, LocalKind, LogicOp, Match, MatchArm, Pattern,
    Stmt,
};
use crate::types::Type;

const SUPPORTED_PATTERNS: &str = "supported patterns: literals (`3`, `-1`, `true`), constants, \
    ranges (`1..=5`, `0..10`), `p | q`, `_` and a plain name";

/// A lowered arm: its test (`None`: always taken) and its body.
struct LoweredArm {
    test: Option<ExprId>,
    body: Block,
}

impl FnCx<'_> {
    pub(super) fn lower_match(&mut self, expr: &syn::ExprMatch) -> ExprId {
        let value = self.lower_expr(&expr.expr);
        let head = span(expr.match_token.span).to(self.outer_span(&expr.expr, value));
        let at = span(expr.match_token.span).to(span(expr.brace_token.span.close()));
        let scrutinee = self.declare_scrutinee(self.expr_span(value));
        let mut record = Match {
            span: head,
            scrutinee,
            arms: Vec::new(),
            tests: Vec::new(),
        };
        let arms: Vec<LoweredArm> = expr
            .arms
            .iter()
            .map(|arm| self.scoped(|cx| cx.lower_arm(arm, &mut record)))
            .collect();
        self.func.matches.push(record);
        let chain = self.arm_chain(arms, at);
        let body = Block {
            stmts: vec![Stmt::Let {
                local: scrutinee,
                init: Some(value),
            }],
            tail: chain,
        };
        self.push(Expr::Block(body), at)
    }

    /// The hidden local holding the scrutinee: in no scope, so no user name can reach it.
    fn declare_scrutinee(&mut self, at: Span) -> LocalId {
        let id = LocalId(self.func.locals.len() as u32);
        self.func.locals.push(Local {
            name: "match".to_string(),
            kind: LocalKind::Let,
            mutable: false,
            annot: None,
            ty: Type::Unit,
            span: at,
        });
        self.frozen.push(true);
        id
    }

    /// `if test₁ { body₁ } else if … else { bodyₙ }`, built from the last arm outwards.
    fn arm_chain(&mut self, arms: Vec<LoweredArm>, at: Span) -> Option<ExprId> {
        let mut arms = arms.into_iter().rev();
        let last = arms.next()?;
        let mut chain = self.push(Expr::Block(last.body), at);
        for arm in arms {
            let cond = match arm.test {
                Some(test) => test,
                None => self.push(Expr::Lit(Lit::Bool(true), None), at),
            };
            chain = self.push(
                Expr::If {
                    cond,
                    then_block: arm.body,
                    else_block: Some(Block {
                        stmts: Vec::new(),
                        tail: Some(chain),
                    }),
                },
                at,
            );
        }
        Some(chain)
    }

    fn lower_arm(&mut self, arm: &syn::Arm, record: &mut Match) -> LoweredArm {
        let scrutinee = record.scrutinee;
        let alternatives: Vec<&syn::Pat> = match &arm.pat {
            syn::Pat::Or(or) => or.cases.iter().collect(),
            pat => vec![pat],
        };
        let mut patterns = Vec::new();
        let mut tests = Vec::new();
        let mut binding = None;
        for pat in &alternatives {
            match self.lower_pattern(pat, scrutinee, alternatives.len() > 1, record) {
                Some((pattern, test, bound)) => {
                    patterns.push(pattern);
                    tests.push(test);
                    binding = binding.or(bound);
                }
                None => patterns.push(Pattern::Any),
            }
        }
        // Any alternative that is always taken makes the whole pattern always taken.
        let mut test = tests
            .into_iter()
            .collect::<Option<Vec<ExprId>>>()
            .and_then(|tests| self.any_of(tests));
        if let Some(name) = &binding {
            self.alias(name, scrutinee);
        }
        if let Some((_, guard)) = &arm.guard {
            let guard = self.lower_expr(guard);
            test = Some(match test {
                Some(test) => {
                    let at = self.expr_span(test).to(self.expr_span(guard));
                    self.push(Expr::Logic(LogicOp::And, test, guard), at)
                }
                None => guard,
            });
        }
        record.arms.push(MatchArm {
            patterns,
            guarded: arm.guard.is_some(),
            span: node_span(&arm.pat),
        });
        let mut stmts = Vec::new();
        if let Some(name) = binding.filter(|_| is_mut_binding(&arm.pat)) {
            stmts.push(self.mutable_copy(name, scrutinee, node_span(&arm.pat)));
        }
        // `n => a[i] = n,`: an assignment is the arm's statement, the arm's value is `()`.
        let tail = match assignment_parts(&arm.body) {
            Some((place, op, value)) => {
                stmts.extend(self.lower_assign(&arm.body, place, op, value));
                None
            }
            None => Some(self.lower_expr(&arm.body)),
        };
        LoweredArm {
            test,
            body: Block { stmts, tail },
        }
    }

    /// One alternative: its pattern record, its test (`None`: always matches) and the name it
    /// binds. `None` after an error (reported).
    #[allow(clippy::type_complexity)]
    fn lower_pattern(
        &mut self,
        pat: &syn::Pat,
        scrutinee: LocalId,
        in_or: bool,
        record: &mut Match,
    ) -> Option<(Pattern, Option<ExprId>, Option<String>)> {
        match pat {
            syn::Pat::Wild(_) => Some((Pattern::Any, None, None)),
            syn::Pat::Paren(paren) => self.lower_pattern(&paren.pat, scrutinee, in_or, record),
            syn::Pat::Ident(ident) => {
                let name = ident.ident.to_string();
                if ident.by_ref.is_none() && ident.subpat.is_none() && ident.mutability.is_none() {
                    if let Some((value, suffix)) = self.resolve_const(std::slice::from_ref(&name)) {
                        let at = span(ident.ident.span());
                        let value = self.push(Expr::Lit(value, suffix), at);
                        let test = self.compare(BinOp::Eq, scrutinee, value, at, record);
                        return Some((Pattern::Value(value), Some(test), None));
                    }
                }
                if ident.by_ref.is_some() || ident.subpat.is_some() || in_or {
                    self.error(
                        Diagnostic::new(
                            node_span(pat),
                            "this binding pattern is not supported in kernels",
                        )
                        .with_help(
                            "bind the whole value with a plain name in its own arm: `n => …`",
                        ),
                    );
                    return None;
                }
                Some((Pattern::Any, None, Some(name)))
            }
            syn::Pat::Lit(lit) => {
                let value = self.lower_pattern_bound(&syn::Expr::Lit(lit.clone()))?;
                let at = self.expr_span(value);
                let test = self.compare(BinOp::Eq, scrutinee, value, at, record);
                Some((Pattern::Value(value), Some(test), None))
            }
            syn::Pat::Path(path) => {
                let value = self.lower_pattern_bound(&syn::Expr::Path(path.clone()))?;
                let at = self.expr_span(value);
                let test = self.compare(BinOp::Eq, scrutinee, value, at, record);
                Some((Pattern::Value(value), Some(test), None))
            }
            syn::Pat::Range(range) => self.lower_range_pattern(range, scrutinee, record),
            other => {
                self.error(
                    Diagnostic::new(node_span(other), "this pattern is not supported in kernels")
                        .with_help(SUPPORTED_PATTERNS),
                );
                None
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn lower_range_pattern(
        &mut self,
        range: &syn::PatRange,
        scrutinee: LocalId,
        record: &mut Match,
    ) -> Option<(Pattern, Option<ExprId>, Option<String>)> {
        let at = node_span(range);
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        let lo = match &range.start {
            Some(start) => Some(self.lower_pattern_bound(start)?),
            None => None,
        };
        let hi = match &range.end {
            Some(end) => Some(self.lower_pattern_bound(end)?),
            None => None,
        };
        let lower = lo.map(|lo| self.compare(BinOp::Ge, scrutinee, lo, at, record));
        let upper_op = if inclusive { BinOp::Le } else { BinOp::Lt };
        let upper = hi.map(|hi| self.compare(upper_op, scrutinee, hi, at, record));
        let test = match (lower, upper) {
            (Some(lower), Some(upper)) => {
                Some(self.push(Expr::Logic(LogicOp::And, lower, upper), at))
            }
            (test, None) | (None, test) => test,
        };
        let pattern = Pattern::Range {
            lo,
            hi,
            inclusive,
            span: at,
        };
        Some((pattern, test, None))
    }

    /// A literal or constant in a pattern, as a literal expression.
    fn lower_pattern_bound(&mut self, expr: &syn::Expr) -> Option<ExprId> {
        let allowed = match expr {
            syn::Expr::Lit(_) => true,
            syn::Expr::Unary(unary) => {
                matches!(unary.op, syn::UnOp::Neg(_)) && matches!(&*unary.expr, syn::Expr::Lit(_))
            }
            syn::Expr::Path(path) => {
                // A name in a pattern is a constant; a local cannot be compared against there.
                path.path
                    .get_ident()
                    .is_none_or(|name| self.lookup(&name.to_string()).is_none())
            }
            _ => false,
        };
        if !allowed {
            self.error(
                Diagnostic::new(node_span(expr), "this pattern is not supported in kernels")
                    .with_help(SUPPORTED_PATTERNS),
            );
            return None;
        }
        let id = self.lower_expr(expr);
        matches!(self.func.exprs[id.index()], Expr::Lit(..)).then_some(id)
    }

    /// `scrutinee op value`, recorded as a pattern test.
    fn compare(
        &mut self,
        op: BinOp,
        scrutinee: LocalId,
        value: ExprId,
        at: Span,
        record: &mut Match,
    ) -> ExprId {
        let read = self.push(Expr::Local(scrutinee), at);
        let test = self.push(Expr::Binary(op, read, value), at);
        record.tests.push(test);
        test
    }

    /// `a || b || …`; `None` for no tests.
    fn any_of(&mut self, tests: Vec<ExprId>) -> Option<ExprId> {
        tests.into_iter().reduce(|a, b| {
            let at = self.expr_span(a).to(self.expr_span(b));
            self.push(Expr::Logic(LogicOp::Or, a, b), at)
        })
    }

    /// Makes `name` mean the scrutinee in the current scope: an immutable binding of a copy is
    /// the value itself.
    fn alias(&mut self, name: &str, scrutinee: LocalId) {
        if name == "_" {
            return;
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), scrutinee));
        }
    }

    /// `let mut n = scrutinee;` at the start of the arm of a `mut n` binding.
    fn mutable_copy(&mut self, name: String, scrutinee: LocalId, at: Span) -> Stmt {
        let init = self.push(Expr::Local(scrutinee), at);
        let local = self.declare(
            Local {
                name,
                kind: LocalKind::Let,
                mutable: true,
                annot: None,
                ty: Type::Unit,
                span: at,
            },
            false,
        );
        Stmt::Let {
            local,
            init: Some(init),
        }
    }
}

fn is_mut_binding(pat: &syn::Pat) -> bool {
    matches!(pat, syn::Pat::Ident(ident) if ident.mutability.is_some())
}
