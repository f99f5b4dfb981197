//! Typing rules of tuples: returned tuples (`-> (f64, i64)` with `return (a, b)` or a tail
//! `(a, b)`), tuple locals (bound to a call returning a tuple, or to another tuple local; the
//! hidden local of a tuple pattern is one), and element access `t.0`.
//!
//! A tuple-typed expression is only ever a tuple expression, a call or a tuple local, and only
//! sits where a tier can take its elements apart without storing the tuple anywhere else: a
//! returned value, the initialiser of a tuple local, the operand of `.0`, or (a call) an
//! expression statement. [`Checker::misplaced_tuples`] rejects every other place (the value
//! of an `if` or a block), once the types are known.

use super::infer::{Described, VarId};
use super::{Checker, LocalTy};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Annot, Expr, ExprId, Function, LocalId, LocalKind};
use crate::types::{TupleType, Type};

/// How to turn a tuple into what a scalar place wants.
pub(super) const TUPLE_HELP: &str =
    "destructure the tuple with `let (a, b) = …;` or take one element with `.0`, `.1`, …";

impl Checker<'_> {
    /// The tuple type the function returns, if it returns one.
    pub(super) fn returned_tuple(&self) -> Option<TupleType> {
        match self.f.ret_annot {
            Annot::Known(Type::Tuple(tuple)) => Some(tuple),
            _ => None,
        }
    }

    /// The value of `return value` or of the body's tail in a function returning `expected`:
    /// a tuple expression, a tuple local or a call returning the same tuple type.
    pub(super) fn check_returned_tuple(&mut self, value: ExprId, expected: TupleType) {
        let f = self.f.clone();
        let span = f.span(value);
        let expected_var = self.vars.known(Type::Tuple(expected));
        match f.expr(value) {
            Expr::Tuple(elems) => {
                if elems.len() != expected.len() {
                    self.error(arity_mismatch(span, expected.len(), elems.len()));
                }
                for (index, &element) in elems.iter().enumerate() {
                    let found = self.check_expr(element);
                    if let Some(elem) = expected.elem(index as u32) {
                        let elem = self.vars.known(Type::Scalar(elem));
                        self.expect(elem, found, f.span(element));
                    }
                }
                self.expr_vars[value.index()] = Some(expected_var);
            }
            _ => {
                let found = self.tuple_operand(value);
                self.expect(expected_var, found, span);
            }
        }
        self.tuple_uses.insert(value);
    }

    /// The body of a function returning a tuple: its tail is the returned tuple, or the body
    /// never reaches its end.
    pub(super) fn check_body_returning_tuple(&mut self, expected: TupleType) {
        let f = self.f.clone();
        let mut diverges = false;
        for stmt in &f.body.stmts {
            if let Some(v) = self.check_stmt(stmt) {
                diverges |= self.vars.is_never(v);
            }
        }
        match f.body.tail {
            Some(tail) => self.check_returned_tuple(tail, expected),
            None if diverges => {}
            None => self.error(
                Diagnostic::new(
                    f.span,
                    format!(
                        "mismatched types: `{}` returns `{expected}` but its body has no tail expression",
                        f.name
                    ),
                )
                .with_help("end the body with the tuple to return, `(a, b)`, or use `return (a, b);`"),
            ),
        }
    }

    /// A tuple expression anywhere but a returned value of a function returning a tuple.
    pub(super) fn misplaced_tuple(&mut self, e: ExprId) -> VarId {
        let f = self.f.clone();
        let Expr::Tuple(elems) = f.expr(e) else {
            return self.never_var();
        };
        for &element in elems {
            self.check_expr(element);
        }
        let diagnostic = if self.f.ret_annot == Annot::Infer {
            Diagnostic::new(
                f.span(e),
                format!(
                    "`{}` returns a tuple, so its return type must be written",
                    f.name
                ),
            )
            .with_help("name the tuple type: `-> (f64, i64)`; a `_` return type is a scalar")
        } else {
            Diagnostic::new(f.span(e), "a tuple can only be returned from a function")
                .with_help("return it (`return (a, b);` in a function declared `-> (f64, i64)`), or use each value on its own")
        };
        self.error(diagnostic);
        self.never_var()
    }

    /// The operand of a tuple place (a returned value, `.0`, a tuple local's initialiser): a
    /// tuple local, or any expression (a call returning a tuple).
    fn tuple_operand(&mut self, e: ExprId) -> VarId {
        if let Expr::Local(local) = self.f.expr(e) {
            if let LocalTy::Tuple(tuple) = self.locals[local.index()] {
                let var = self.vars.known(Type::Tuple(tuple));
                self.expr_vars[e.index()] = Some(var);
                return var;
            }
        }
        self.check_expr(e)
    }

    /// `tuple.index`.
    pub(super) fn infer_field(&mut self, tuple: ExprId, index: u32, span: Span) -> VarId {
        let found = self.tuple_operand(tuple);
        self.tuple_uses.insert(tuple);
        match self.vars.resolved(found) {
            Some(Type::Tuple(ty)) => match ty.elem(index) {
                Some(elem) => self.vars.known(Type::Scalar(elem)),
                None => {
                    self.error(
                        Diagnostic::new(span, format!("no field `{index}` on type `{ty}`"))
                            .with_help(format!(
                                "a tuple of {} elements has the fields `.0` to `.{}`",
                                ty.len(),
                                ty.len() - 1
                            )),
                    );
                    self.never_var()
                }
            },
            Some(Type::Never) => self.never_var(),
            _ => {
                let found = self.vars.describe(found);
                self.error(
                    Diagnostic::new(span, format!("no field `{index}` on type `{found}`"))
                        .with_help("only tuples have fields `.0`, `.1`, …"),
                );
                self.never_var()
            }
        }
    }

    /// `let` of `local` initialised by `init` when a tuple is involved: the initialiser is a
    /// tuple, the local is a pattern's or annotated as a tuple. Returns whether it declared
    /// the local (otherwise the `let` is an ordinary scalar one).
    pub(super) fn check_let_tuple(&mut self, local: LocalId, init: Option<ExprId>) -> bool {
        let f = self.f.clone();
        let decl = f.local(local);
        let annot = match decl.annot {
            Some(Annot::Known(Type::Tuple(tuple))) => Some(tuple),
            _ => None,
        };
        let pattern = match decl.kind {
            LocalKind::Pattern(arity) => Some(arity as usize),
            _ => None,
        };
        let Some(init) = init else {
            if annot.is_some() {
                self.error(
                    Diagnostic::new(
                        decl.span,
                        "a tuple local must be initialised where it is declared",
                    )
                    .with_help("for example `let t: (f64, i64) = f(a);`"),
                );
                self.locals[local.index()] = LocalTy::Pending;
            }
            return annot.is_some();
        };
        let found = self.tuple_operand(init);
        let tuple = match self.vars.resolved(found) {
            Some(Type::Tuple(tuple)) => tuple,
            Some(Type::Never) if annot.is_some() || pattern.is_some() => {
                self.locals[local.index()] = LocalTy::Pending;
                return true;
            }
            _ if annot.is_some() || pattern.is_some() => {
                let found = self.vars.describe(found);
                let expected = annot.map_or("a tuple".to_string(), |t| format!("`{t}`"));
                self.error(
                    Diagnostic::new(
                        f.span(init),
                        format!("mismatched types: expected {expected}, found `{found}`"),
                    )
                    .with_help(
                        "a tuple comes from a call of a function returning one, `-> (f64, i64)`",
                    ),
                );
                self.locals[local.index()] = LocalTy::Pending;
                return true;
            }
            // A scalar `let`: the caller goes on with `found` already checked.
            _ => return false,
        };
        self.tuple_uses.insert(init);
        if let Some(arity) = pattern.filter(|&arity| arity != tuple.len()) {
            self.error(
                arity_mismatch(decl.span, arity, tuple.len()).with_help(format!(
                    "the value has type `{tuple}`: bind {} names or `_`",
                    tuple.len()
                )),
            );
            // Undeclared, so the pattern's elements report nothing more.
            self.locals[local.index()] = LocalTy::Pending;
            return true;
        }
        if let Some(annot) = annot.filter(|&annot| annot != tuple) {
            self.error(Diagnostic::new(
                f.span(init),
                format!("mismatched types: expected `{annot}`, found `{tuple}`"),
            ));
        }
        self.locals[local.index()] = LocalTy::Tuple(tuple);
        true
    }

    /// Every tuple-typed expression outside a tuple place (an `if` or a block whose value is a
    /// tuple), reported once per outermost such expression. Only runs on an otherwise
    /// well-typed function, where the mismatches have not already said it.
    pub(super) fn misplaced_tuples(&mut self, out: &Function) {
        if !self.diagnostics.is_empty() {
            return;
        }
        let mut reported: Vec<Span> = Vec::new();
        for (index, ty) in out.expr_types.iter().enumerate() {
            let Type::Tuple(_) = ty else { continue };
            if self.tuple_uses.contains(&ExprId(index as u32)) {
                continue;
            }
            let span = out.expr_spans[index];
            if reported.iter().any(|r| r.lo <= span.lo && span.hi <= r.hi) {
                continue;
            }
            reported.retain(|r| !(span.lo <= r.lo && r.hi <= span.hi));
            reported.push(span);
        }
        reported.sort_by_key(|s| s.lo);
        for span in reported {
            self.error(
                Diagnostic::new(span, "a tuple cannot be the value of an `if` or a block")
                    .with_help(format!("{TUPLE_HELP}, or `return` it from each branch")),
            );
        }
    }
}

/// A tuple of `found` elements where one of `expected` is required.
fn arity_mismatch(span: Span, expected: usize, found: usize) -> Diagnostic {
    Diagnostic::new(
        span,
        format!("mismatched types: expected a tuple with {expected} elements, found one with {found} elements"),
    )
}

/// Whether a described type is a tuple (for the help of scalar mismatches).
pub(super) fn is_tuple(described: Described) -> bool {
    matches!(described, Described::Type(Type::Tuple(_)))
}
