//! Typing rules of blocks and statements: `let` (scalar and fixed-array locals), assignment and
//! compound assignment to locals and array elements, expression statements.

use super::infer::{Mask, VarId};
use super::{Checker, LocalTy};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Annot, BinOp, Block, Expr, ExprId, LocalId, Place, Stmt};
use crate::types::Type;

impl Checker<'_> {
    /// The type of a block: its tail's, `Never` if a statement diverges, else `()`.
    pub(super) fn check_block(&mut self, block: &Block) -> VarId {
        let mut diverges = false;
        for stmt in &block.stmts {
            if let Some(v) = self.check_stmt(stmt) {
                diverges |= self.vars.is_never(v);
            }
        }
        match block.tail {
            Some(tail) => self.check_expr(tail),
            None if diverges => self.never_var(),
            None => self.unit_var(),
        }
    }

    pub(super) fn check_stmt(&mut self, stmt: &Stmt) -> Option<VarId> {
        match stmt {
            Stmt::Let { local, init } => {
                self.check_let(*local, *init);
                None
            }
            Stmt::Assign {
                place,
                op,
                value,
                span,
            } => {
                self.check_assign(place, *op, *value, *span);
                None
            }
            Stmt::Expr(e) => {
                // A call returning a tuple may be made for its effect alone.
                if let Expr::Call(..) = self.f.expr(*e) {
                    self.tuple_uses.insert(*e);
                }
                Some(self.check_expr(*e))
            }
        }
    }

    fn check_let(&mut self, local: LocalId, init: Option<ExprId>) {
        let f = self.f.clone();
        let decl = f.local(local);
        let init_expr = init.map(|i| (i, f.expr(i)));
        match init_expr {
            Some((i, Expr::ArrayLit(elems))) => {
                let elem = self.vars.fresh(Mask::SCALAR, false);
                for element in elems {
                    let v = self.check_expr(*element);
                    self.expect(elem, v, f.span(*element));
                }
                self.declare_fixed(local, i, elem, elems.len() as u32);
            }
            Some((i, Expr::ArrayRepeat(value, len))) => {
                let elem = self.vars.fresh(Mask::SCALAR, false);
                let v = self.check_expr(*value);
                self.expect(elem, v, f.span(*value));
                self.declare_fixed(local, i, elem, *len);
            }
            Some((i, Expr::View { .. })) => {
                self.locals[local.index()] = match self.check_view(i) {
                    Some(view) => LocalTy::Array(view),
                    // Undeclared: its uses report nothing more.
                    None => LocalTy::Pending,
                };
            }
            Some((i, Expr::Alloc { .. })) => {
                let (elem, rank) = self.check_alloc(i);
                self.declare_owned(local, i, elem, rank);
            }
            Some((i, Expr::Local(other)))
                if matches!(
                    self.locals[other.index()],
                    LocalTy::Array(_) | LocalTy::Fixed { .. } | LocalTy::Owned { .. }
                ) =>
            {
                self.error(
                    Diagnostic::new(
                        f.span(i),
                        format!(
                            "arrays cannot be copied or rebound: `{}`",
                            f.local(*other).name
                        ),
                    )
                    .with_help(format!("use `{}` directly", f.local(*other).name)),
                );
                // Leaves the local undeclared, so its uses report nothing more.
                self.locals[local.index()] = LocalTy::Pending;
            }
            _ if self.check_let_tuple(local, init) => {}
            _ => {
                if let Some(Annot::Known(Type::Fixed { .. })) = decl.annot {
                    self.error(
                        Diagnostic::new(
                            decl.span,
                            "a fixed array must be initialised with `[x; N]` or `[a, b, …]`",
                        )
                        .with_help("for example `let mut v: [f64; 3] = [0.0; 3];`"),
                    );
                }
                // `check_let_tuple` typed the initialiser already.
                let found = init.map(|init| {
                    (
                        init,
                        self.expr_vars[init.index()].unwrap_or_else(|| self.check_expr(init)),
                    )
                });
                if let Some((init, Some(Type::Array(array)))) =
                    found.map(|(init, v)| (init, self.vars.resolved(v)))
                {
                    // A call returning an array.
                    let elem = self.vars.known(Type::Scalar(array.elem));
                    self.declare_owned(local, init, elem, array.rank);
                    return;
                }
                if let (Some(Annot::Known(Type::Array(_))), None) = (decl.annot, init) {
                    self.error(
                        Diagnostic::new(
                            decl.span,
                            "an array local must be initialised where it is declared",
                        )
                        .with_help("for example `let mut z: Array1<f64> = Array1::zeros(n);`"),
                    );
                }
                let var = match decl.annot {
                    Some(Annot::Known(ty)) if ty.as_scalar().is_some() => self.vars.known(ty),
                    _ => self.vars.fresh(Mask::ANY, false),
                };
                if let Some((init, v)) = found {
                    self.expect(var, v, f.span(init));
                }
                self.locals[local.index()] = LocalTy::Scalar(var);
            }
        }
    }

    fn declare_fixed(&mut self, local: LocalId, init: ExprId, elem: VarId, len: u32) {
        let f = self.f.clone();
        if let Some(Annot::Known(Type::Fixed {
            elem: annot_elem,
            len: annot_len,
        })) = f.local(local).annot
        {
            let expected = self.vars.known(Type::Scalar(annot_elem));
            self.expect(expected, elem, f.span(init));
            if annot_len != len {
                self.error(Diagnostic::new(
                    f.span(init),
                    format!(
                        "mismatched types: expected an array of {annot_len} elements, found {len}"
                    ),
                ));
            }
        }
        self.expr_vars[init.index()] = Some(self.unit_var());
        self.locals[local.index()] = LocalTy::Fixed { elem, len };
    }

    fn check_assign(&mut self, place: &Place, op: Option<BinOp>, value: ExprId, span: Span) {
        let f = self.f.clone();
        let target = match place {
            Place::Local(local) => self.assignable_local(*local, span),
            Place::Index {
                array,
                indices,
                span: place_span,
            } => {
                self.check_writable_array(*array, *place_span);
                self.infer_index(*array, indices, *place_span)
            }
        };
        let v = self.check_expr(value);
        let value_span = f.span(value);
        match op {
            Some(op) if op.is_shift() => {
                for (var, s) in [(target, span), (v, value_span)] {
                    self.require(var, Mask::INT, |found| {
                        Diagnostic::new(
                            s,
                            format!("shift operands must be integers, found `{found}`"),
                        )
                    });
                }
            }
            Some(op) => {
                self.expect(target, v, value_span);
                let mask = if matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
                    Mask::INT_OR_BOOL
                } else {
                    Mask::NUM
                };
                self.require(target, mask, |found| {
                    Diagnostic::new(
                        span,
                        format!("cannot apply `{}=` to type `{found}`", op.symbol()),
                    )
                });
            }
            None => self.expect(target, v, value_span),
        }
    }

    fn assignable_local(&mut self, local: LocalId, span: Span) -> VarId {
        let f = self.f.clone();
        let decl = f.local(local);
        let var = match self.locals[local.index()] {
            LocalTy::Scalar(v) => v,
            LocalTy::Array(_) | LocalTy::Fixed { .. } | LocalTy::Owned { .. } => {
                self.error(
                    Diagnostic::new(
                        span,
                        format!("cannot assign to the whole array `{}`", decl.name),
                    )
                    .with_help(format!("assign its elements: `{}[i] = …`", decl.name)),
                );
                return self.never_var();
            }
            LocalTy::Tuple(_) => {
                self.error(
                    Diagnostic::new(
                        span,
                        format!("cannot assign to the whole tuple `{}`", decl.name),
                    )
                    .with_help("bind the new tuple with its own `let`"),
                );
                return self.never_var();
            }
            LocalTy::Pending => return self.never_var(),
        };
        // Lowering already rejected assignments to immutable locals (it knows which `let`s
        // are initialised); nothing more to check here.
        var
    }

    fn check_writable_array(&mut self, array: LocalId, span: Span) {
        let decl = self.f.local(array).clone();
        match self.locals[array.index()] {
            LocalTy::Array(a) if !a.mutable => {
                self.error(
                    Diagnostic::new(span, format!("cannot write through read-only array `{}`", decl.name))
                        .with_secondary(decl.span, "declared read-only here")
                        .with_help("declare the parameter writable: `&mut [T]`, `ArrayViewMutN<T>` or `&mut ArrayN<T>`"),
                );
            }
            LocalTy::Fixed { .. } if !decl.mutable => {
                self.error(
                    Diagnostic::new(
                        span,
                        format!(
                            "cannot assign to an element of immutable array `{}`",
                            decl.name
                        ),
                    )
                    .with_help(format!("declare it mutable: `let mut {}`", decl.name)),
                );
            }
            _ => {
                self.written.insert(array);
            }
        }
    }
}
