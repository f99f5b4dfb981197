//! Tuples of scalars: the tuple type `(f64, i64)` (return types and `let` annotations), the
//! tuple expression `(a, b)`, element access `t.0`, and tuple patterns
//! `let (x, mut y, _) = f(a);`.
//!
//! A tuple pattern binds a hidden local of kind [`LocalKind::Pattern`] (named after the
//! pattern, which no source name can be) to the initialiser, then each named element with its
//! own `let` of an [`Expr::Field`] of it: the tiers only ever see tuple locals, fields and
//! scalar `let`s. `let (n, m) = a.dim();` keeps its own lowering (`lower_let_dim`).

use super::items::scalar_type;
use super::{node_span, span, FnCx};
use crate::diag::Diagnostic;
use crate::ir::{Annot, Expr, ExprId, Local, LocalKind, Stmt};
use crate::types::{TupleType, Type, MAX_TUPLE_LEN};

/// `(T, U, …)` of 2 to [`MAX_TUPLE_LEN`] scalar types; `None` for any other type (and for
/// the unit type `()`). `Err` carries a diagnostic for a tuple type the language lacks.
pub(super) fn tuple_type(ty: &syn::Type) -> Option<Result<TupleType, Diagnostic>> {
    let syn::Type::Tuple(tuple) = ty else {
        return None;
    };
    if tuple.elems.is_empty() {
        return None;
    }
    let scalars: Option<Vec<_>> = tuple.elems.iter().map(scalar_type).collect();
    let unsupported = || {
        Diagnostic::new(node_span(ty), "unsupported tuple type").with_help(format!(
            "a tuple holds 2 to {MAX_TUPLE_LEN} scalars (`bool i32 i64 u32 u64 usize f32 f64`), for example `(f64, i64)`"
        ))
    };
    Some(
        scalars
            .and_then(|scalars| TupleType::new(&scalars))
            .ok_or_else(unsupported),
    )
}

/// Whether `init` is `a.dim()`, which a tuple pattern destructures into the extents.
pub(super) fn is_dim_call(init: Option<&syn::Expr>) -> bool {
    matches!(init, Some(syn::Expr::MethodCall(call)) if call.method == "dim" && call.args.is_empty())
}

impl FnCx<'_> {
    /// `(a, b, …)`: a tuple expression (the checker allows it only as a returned value).
    pub(super) fn lower_tuple_expr(&mut self, tuple: &syn::ExprTuple) -> ExprId {
        let at = node_span(tuple);
        let elems = tuple.elems.iter().map(|e| self.lower_expr(e)).collect();
        self.push(Expr::Tuple(elems), at)
    }

    /// `t.0`; named fields do not exist in kernels.
    pub(super) fn lower_field(&mut self, field: &syn::ExprField) -> ExprId {
        let syn::Member::Unnamed(index) = &field.member else {
            return self.fail(
                Diagnostic::new(node_span(field), "field access is not supported in kernels")
                    .with_help("only the elements of a tuple have fields: `t.0`, `t.1`, …"),
            );
        };
        let tuple = self.lower_expr(&field.base);
        self.push(Expr::Field(tuple, index.index), node_span(field))
    }

    /// `let (x, mut y, _) = init;` (optionally annotated `: (f64, i64, u32)`): a hidden tuple
    /// local bound to `init`, then one `let` per named element.
    pub(super) fn lower_let_tuple(
        &mut self,
        pattern: &syn::PatTuple,
        ty: Option<&syn::Type>,
        init: Option<&syn::Expr>,
        stmts: &mut Vec<Stmt>,
    ) {
        let at = node_span(pattern);
        let annot = ty.and_then(|ty| match tuple_type(ty) {
            Some(Ok(tuple)) => Some(Annot::Known(Type::Tuple(tuple))),
            Some(Err(diagnostic)) => {
                self.error(diagnostic);
                None
            }
            None => {
                self.error(
                    Diagnostic::new(node_span(ty), "a tuple pattern needs a tuple type").with_help(
                        "annotate it as a tuple, `let (x, y): (f64, i64) = …`, or not at all",
                    ),
                );
                None
            }
        });
        let Some(init) = init else {
            self.error(
                Diagnostic::new(
                    at,
                    "a tuple pattern must be initialised where it is declared",
                )
                .with_help("for example `let (x, y) = f(a);`"),
            );
            return;
        };
        let init = self.lower_expr(init);
        let ty = match annot {
            Some(Annot::Known(ty)) => ty,
            _ => Type::Unit,
        };
        let hidden = self.declare(
            Local {
                name: self.file.source[at.lo as usize..at.hi as usize].to_string(),
                kind: LocalKind::Pattern(pattern.elems.len() as u32),
                mutable: false,
                annot,
                ty,
                span: at,
            },
            true,
        );
        stmts.push(Stmt::Let {
            local: hidden,
            init: Some(init),
        });
        for (index, element) in pattern.elems.iter().enumerate() {
            match element {
                syn::Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                    let element_span = span(ident.ident.span());
                    let tuple = self.push(Expr::Local(hidden), element_span);
                    let value = self.push(Expr::Field(tuple, index as u32), element_span);
                    let local = self.declare_let(
                        ident.ident.to_string(),
                        ident.mutability.is_some(),
                        None,
                        element_span,
                        true,
                    );
                    stmts.push(Stmt::Let {
                        local,
                        init: Some(value),
                    });
                }
                syn::Pat::Wild(_) => {}
                syn::Pat::Tuple(nested) => self.error(
                    Diagnostic::new(
                        node_span(nested),
                        "nested tuple patterns are not supported in kernels",
                    )
                    .with_help("tuples hold scalars only; bind a name or `_` for each element"),
                ),
                other => self.error(Diagnostic::new(
                    node_span(other),
                    "expected a name or `_` in a tuple pattern",
                )),
            }
        }
    }
}
