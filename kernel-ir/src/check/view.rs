//! Typing rules of sub-views (`Expr::View`): `&a[lo..hi]`, `a.slice(s![…])`, `a.row(i)`, …
//!
//! A view has its parent's element type, one axis per range entry, and is writable when
//! written with `&mut`/`_mut` of a writable parent (which it then counts as written). It is
//! only a `let` initialiser (the local is then an array local like a parameter) or a call
//! argument.

use super::{Checker, LocalTy};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Expr, ExprId, ViewAxis};
use crate::types::{ArrayType, Scalar, Type};

impl Checker<'_> {
    /// Checks a view's operands and parent; returns its type (`None` after an error).
    pub(super) fn check_view(&mut self, e: ExprId) -> Option<ArrayType> {
        let f = self.f.clone();
        let span = f.span(e);
        let Expr::View {
            array,
            axes,
            mutable,
        } = f.expr(e)
        else {
            return None;
        };
        for operand in axes.iter().flat_map(ViewAxis::operands) {
            let found = self.check_expr(operand);
            let usize_var = self.vars.known(Type::Scalar(Scalar::Usize));
            self.expect(usize_var, found, f.span(operand));
        }
        self.expr_vars[e.index()] = Some(self.unit_var());
        let name = f.local(*array).name.clone();
        let (elem, rank, writable) = match self.locals[array.index()] {
            LocalTy::Array(a) => (Some(a.elem), a.rank, a.mutable),
            LocalTy::Fixed { elem, .. } => (self.elem_now(elem), 1, f.local(*array).mutable),
            LocalTy::Owned { elem, rank } => (self.elem_now(elem), rank, f.local(*array).mutable),
            LocalTy::Scalar(_) | LocalTy::Tuple(_) => {
                self.error(Diagnostic::new(
                    span,
                    format!("`{name}` is not an array and cannot be sliced"),
                ));
                return None;
            }
            LocalTy::Pending => return None,
        };
        if axes.len() != usize::from(rank) {
            self.error(
                Diagnostic::new(
                    span,
                    format!(
                        "`{name}` has {rank} axis/axes but the view gives {} entries",
                        axes.len()
                    ),
                )
                .with_help(
                    "give one entry per axis: an index `i` or a range such as `a..b` or `..`",
                ),
            );
            return None;
        }
        let kept = axes
            .iter()
            .filter(|a| matches!(a, ViewAxis::Range { .. }))
            .count();
        if kept == 0 {
            self.error(
                Diagnostic::new(span, "a view must keep at least one axis")
                    .with_help(format!("to read one element, index `{name}` directly")),
            );
            return None;
        }
        if *mutable {
            self.writable_parent(*array, writable, span);
        }
        let view = ArrayType {
            elem: elem.unwrap_or(Scalar::F64),
            rank: kept as u8,
            mutable: *mutable,
        };
        self.views.push((e, view));
        Some(view)
    }

    fn elem_now(&mut self, elem: super::infer::VarId) -> Option<Scalar> {
        self.vars.default_now(elem).and_then(Type::as_scalar)
    }

    /// A writable view of `array`: the parent must be writable, and counts as written.
    fn writable_parent(&mut self, array: crate::ir::LocalId, writable: bool, span: Span) {
        if writable {
            self.written.insert(array);
            return;
        }
        let name = self.f.local(array).name.clone();
        self.error(
            Diagnostic::new(
                span,
                format!("cannot take a writable view of read-only array `{name}`"),
            )
            .with_help(format!(
                "declare `{name}` writable (`&mut [T]`, `ArrayViewMut`, or `let mut`)"
            )),
        );
    }

    /// A view anywhere but a `let` initialiser or a call argument.
    pub(super) fn misplaced_view(&mut self, span: Span) -> super::infer::VarId {
        self.error(
            Diagnostic::new(
                span,
                "a view is only allowed as the initialiser of a `let` or as a call argument",
            )
            .with_help("write `let v = a.slice(s![1.., ..]);` and index `v`"),
        );
        self.never_var()
    }

    /// A call argument that is a view: its argument type.
    pub(super) fn view_argument(&mut self, arg: ExprId) -> Option<crate::types::ArgType> {
        let view = self.check_view(arg)?;
        Some(crate::types::ArgType::Array {
            elem: view.elem,
            rank: view.rank,
            mutable: view.mutable,
        })
    }

    /// A view passed where `expected` is the parameter's array type.
    pub(super) fn check_view_argument(&mut self, arg: ExprId, expected: ArrayType, span: Span) {
        let Some(&(_, view)) = self.views.iter().find(|(e, _)| *e == arg) else {
            return;
        };
        if view.rank != expected.rank || view.elem != expected.elem {
            self.error(Diagnostic::new(
                span,
                format!(
                    "mismatched types: expected `{}`, found a view `{}`",
                    Type::Array(expected),
                    Type::Array(view)
                ),
            ));
        }
        if expected.mutable && !view.mutable {
            self.error(
                Diagnostic::new(
                    span,
                    "the function writes through this parameter but the view is read-only",
                )
                .with_help("take a writable view: `&mut a[..]`, `a.slice_mut(…)`, `a.row_mut(i)`"),
            );
        }
    }
}
