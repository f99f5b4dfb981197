//! Typing rules of arrays the kernel owns: allocations (`Expr::Alloc`), locals bound to them
//! or to a call returning an array, and returned arrays.
//!
//! An owned array is only ever *named*: bound by a `let` (`let mut z = Array1::zeros(n);`,
//! `let d = distances(x);`), indexed, passed to calls, or returned whole (`return z`, the
//! function's tail). It is never copied or rebound, so each allocation has exactly one owner
//! and the tiers free it without reference counts.

use super::infer::{Mask, VarId};
use super::{Checker, LocalTy};
use crate::diag::{Diagnostic, Span};
use crate::ir::{walk::alloc_operands, Annot, Expr, ExprId, LocalId};
use crate::types::{ArrayType, Scalar, Type};

/// `Array2<f64>`: how an owned array type is written.
pub(super) fn owned_name(elem: impl std::fmt::Display, rank: u8) -> String {
    format!("Array{rank}<{elem}>")
}

impl Checker<'_> {
    /// Checks an allocation's operands; returns its element variable and rank. Its type is
    /// written when the function is finished (the element may be open until then).
    pub(super) fn check_alloc(&mut self, e: ExprId) -> (VarId, u8) {
        let f = self.f.clone();
        let Expr::Alloc {
            elem,
            dims,
            fill,
            fill_first,
        } = f.expr(e)
        else {
            return (self.never_var(), 1);
        };
        let elem_var = match elem {
            Some(scalar) => self.vars.known(Type::Scalar(*scalar)),
            None => self.vars.fresh(Mask::SCALAR, false),
        };
        for operand in alloc_operands(dims, *fill, *fill_first) {
            let found = self.check_expr(operand);
            let expected = if operand == *fill {
                elem_var
            } else {
                self.vars.known(Type::Scalar(Scalar::Usize))
            };
            self.expect(expected, found, f.span(operand));
        }
        let rank = dims.len().clamp(1, 3) as u8;
        self.expr_vars[e.index()] = Some(self.unit_var());
        self.allocs.push((e, elem_var, rank));
        (elem_var, rank)
    }

    /// `let` of an owned array: initialised by an allocation (`init` is `Expr::Alloc`) or by
    /// a call returning an array (`found` is its resolved type).
    pub(super) fn declare_owned(&mut self, local: LocalId, init: ExprId, elem: VarId, rank: u8) {
        let f = self.f.clone();
        if let Some(Annot::Known(annot)) = f.local(local).annot {
            match annot {
                Type::Array(expected) => self.expect_owned(expected, elem, rank, f.span(init)),
                other => self.error(Diagnostic::new(
                    f.span(init),
                    format!("mismatched types: expected `{other}`, found an array"),
                )),
            }
        }
        self.locals[local.index()] = LocalTy::Owned { elem, rank };
    }

    /// An owned array of element `elem` and rank `rank` where `expected` is required.
    fn expect_owned(&mut self, expected: ArrayType, elem: VarId, rank: u8, span: Span) {
        if rank != expected.rank {
            self.error(Diagnostic::new(
                span,
                format!(
                    "mismatched types: expected `{}`, found a {rank}-D array",
                    owned_name(expected.elem, expected.rank)
                ),
            ));
        }
        let expected_elem = self.vars.known(Type::Scalar(expected.elem));
        if let Err(mismatch) = self.vars.unify(expected_elem, elem) {
            self.error(Diagnostic::new(
                span,
                format!(
                    "mismatched types: expected `{}`, found an array of `{}`",
                    owned_name(expected.elem, expected.rank),
                    mismatch.found
                ),
            ));
        }
    }

    /// The value of `return value` or of the body's tail in a function returning the owned
    /// array type `expected`: an allocation, an owned local, or a call returning an array.
    pub(super) fn check_returned_array(&mut self, value: ExprId, expected: ArrayType) {
        let f = self.f.clone();
        let span = f.span(value);
        match f.expr(value) {
            Expr::Alloc { .. } => {
                let (elem, rank) = self.check_alloc(value);
                self.expect_owned(expected, elem, rank, span);
            }
            Expr::Local(local) => match self.locals[local.index()] {
                LocalTy::Owned { elem, rank } => {
                    self.array_args.push((value, *local));
                    self.expect_owned(expected, elem, rank, span);
                }
                LocalTy::Array(_) | LocalTy::Fixed { .. } => self.error(
                    Diagnostic::new(
                        span,
                        format!(
                            "`{}` is not an array this function allocated and cannot be returned",
                            f.local(*local).name
                        ),
                    )
                    .with_help("return an array allocated in the function (`Array1::zeros(n)`, `vec![x; n]`) after filling it"),
                ),
                _ => {
                    let found = self.check_expr(value);
                    self.not_an_array(value, found, expected);
                }
            },
            _ => {
                let found = self.check_expr(value);
                match self.vars.resolved(found) {
                    Some(Type::Array(array)) => {
                        let elem = self.vars.known(Type::Scalar(array.elem));
                        self.expect_owned(expected, elem, array.rank, span);
                    }
                    Some(Type::Never) => {}
                    _ => self.not_an_array(value, found, expected),
                }
            }
        }
    }

    fn not_an_array(&mut self, value: ExprId, found: VarId, expected: ArrayType) {
        let found = self.vars.describe(found);
        self.error(
            Diagnostic::new(
                self.f.span(value),
                format!(
                    "mismatched types: expected `{}`, found `{found}`",
                    owned_name(expected.elem, expected.rank)
                ),
            )
            .with_help("return a local array (`return z;`), an allocation or a call that returns one; an array cannot be the value of an `if` or a block"),
        );
    }

    /// The body of a function returning an owned array: its tail is the returned array, or
    /// the body never reaches its end.
    pub(super) fn check_body_returning_array(&mut self, expected: ArrayType) {
        let f = self.f.clone();
        let mut diverges = false;
        for stmt in &f.body.stmts {
            if let Some(v) = self.check_stmt(stmt) {
                diverges |= self.vars.is_never(v);
            }
        }
        match f.body.tail {
            Some(tail) => self.check_returned_array(tail, expected),
            None if diverges => {}
            None => self.error(
                Diagnostic::new(
                    f.span,
                    format!(
                        "mismatched types: `{}` returns `{}` but its body has no tail expression",
                        f.name,
                        owned_name(expected.elem, expected.rank)
                    ),
                )
                .with_help("end the body with the array to return, or use `return z;`"),
            ),
        }
    }

    /// The owned array type the function returns, if it returns one.
    pub(super) fn returned_array(&self) -> Option<ArrayType> {
        match self.f.ret_annot {
            Annot::Known(Type::Array(array)) => Some(array),
            _ => None,
        }
    }

    /// An allocation anywhere but a `let` initialiser or a returned value.
    pub(super) fn misplaced_alloc(&mut self, span: Span) -> VarId {
        self.error(
            Diagnostic::new(
                span,
                "an allocated array must be bound with `let` or returned",
            )
            .with_help("write `let mut z = Array1::zeros(n);` and use `z`"),
        );
        self.never_var()
    }
}
