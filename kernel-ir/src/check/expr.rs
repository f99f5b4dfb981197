//! Typing rules of expressions (one arm per `ir::Expr` variant; see the variants' docs).

use super::infer::{Described, Mask, VarId};
use super::{Checker, LocalTy};
use crate::diag::{Diagnostic, Span};
use crate::ir::{BinOp, Builtin, Expr, ExprId, FuncId, Lit, LocalId, UnOp};
use crate::types::{ArgType, Scalar, Type};

impl Checker<'_> {
    pub(super) fn check_expr(&mut self, e: ExprId) -> VarId {
        let var = self.infer_expr(e);
        self.expr_vars[e.index()] = Some(var);
        var
    }

    fn infer_expr(&mut self, e: ExprId) -> VarId {
        let f = self.f.clone();
        let span = f.span(e);
        match f.expr(e) {
            Expr::Lit(lit, suffix) => self.infer_lit(*lit, *suffix),
            Expr::Local(local) => self.infer_local_read(*local, span),
            Expr::Unary(op, operand) => self.infer_unary(*op, *operand, span),
            Expr::Binary(op, lhs, rhs) => self.infer_binary(*op, *lhs, *rhs, span),
            Expr::Logic(_, lhs, rhs) => {
                for operand in [*lhs, *rhs] {
                    let v = self.check_expr(operand);
                    let b = self.bool_var();
                    self.expect(b, v, f.span(operand));
                }
                self.bool_var()
            }
            Expr::Cast(operand, target) => self.infer_cast(*operand, *target, span),
            Expr::Index { array, indices } => self.infer_index(*array, indices, span),
            Expr::ArrayLit(_) | Expr::ArrayRepeat(..) => {
                self.error(
                    Diagnostic::new(
                        span,
                        "array literals are only allowed as the initialiser of a `let`",
                    )
                    .with_help("write `let mut v = [0.0; 3];` and use `v`"),
                );
                self.never_var()
            }
            Expr::Alloc { .. } => self.misplaced_alloc(span),
            Expr::View { .. } => self.misplaced_view(span),
            Expr::Tuple(_) => self.misplaced_tuple(e),
            Expr::Field(tuple, index) => self.infer_field(*tuple, *index, span),
            Expr::Len(array) => {
                self.array_rank(*array, span, "len");
                self.vars.known(Type::Scalar(Scalar::Usize))
            }
            Expr::Dim(array, axis) => {
                if let Some(rank) = self.array_rank(*array, span, "shape") {
                    if *axis >= rank as u32 {
                        self.error(Diagnostic::new(
                            span,
                            format!(
                                "axis {axis} is out of range for `{}`, which has {rank} axis/axes",
                                f.local(*array).name
                            ),
                        ));
                    }
                }
                self.vars.known(Type::Scalar(Scalar::Usize))
            }
            Expr::Builtin(builtin, args) => self.infer_builtin(*builtin, args, span),
            Expr::Call(callee, args) => self.infer_call(e, *callee, args, span),
            Expr::If {
                cond,
                then_block,
                else_block,
            } => {
                let c = self.check_expr(*cond);
                let b = self.bool_var();
                self.expect(b, c, f.span(*cond));
                let then_ty = self.check_block(then_block);
                match else_block {
                    Some(else_block) => {
                        let else_ty = self.check_block(else_block);
                        self.join_branches(then_ty, else_ty, span)
                    }
                    None => {
                        let unit = self.unit_var();
                        if self.vars.unify(unit, then_ty).is_err() {
                            let found = self.vars.describe(then_ty);
                            self.error(
                                Diagnostic::new(span, format!("`if` without `else` has type `()`, but its block has type `{found}`"))
                                    .with_help("add an `else` branch with a value of the same type"),
                            );
                        }
                        self.unit_var()
                    }
                }
            }
            Expr::Block(block) => self.check_block(block),
            Expr::Loop { id, body } => {
                let value = self.vars.fresh(Mask::ANY, false);
                self.loop_vars[id.index()] = Some(value);
                self.check_loop_body(body);
                if self.loop_broken[id.index()] {
                    value
                } else {
                    self.never_var()
                }
            }
            Expr::While { cond, body, .. } => {
                let c = self.check_expr(*cond);
                let b = self.bool_var();
                self.expect(b, c, f.span(*cond));
                self.check_loop_body(body);
                self.unit_var()
            }
            Expr::For {
                var, range, body, ..
            } => {
                let start = self.check_expr(range.start);
                let end = self.check_expr(range.end);
                self.expect(start, end, f.span(range.end));
                self.require(start, Mask::INT, |found| {
                    Diagnostic::new(
                        f.span(range.start),
                        format!("a `for` range needs integer bounds, found `{found}`"),
                    )
                    .with_help("cast the bounds with `as usize` or `as i64`")
                });
                if let Some(step) = range.step {
                    let s = self.check_expr(step);
                    let usize_var = self.vars.known(Type::Scalar(Scalar::Usize));
                    self.expect(usize_var, s, f.span(step));
                }
                self.locals[var.index()] = LocalTy::Scalar(start);
                self.check_loop_body(body);
                self.unit_var()
            }
            Expr::Break { id, value } => {
                self.loop_broken[id.index()] = true;
                let found = match value {
                    Some(value) => self.check_expr(*value),
                    None => self.unit_var(),
                };
                if let Some(loop_var) = self.loop_vars[id.index()] {
                    let value_span = value.map(|v| f.span(v)).unwrap_or(span);
                    self.expect(loop_var, found, value_span);
                }
                self.never_var()
            }
            Expr::Continue(_) => self.never_var(),
            Expr::Return(Some(value)) if self.returned_array().is_some() => {
                if let Some(array) = self.returned_array() {
                    self.check_returned_array(*value, array);
                }
                self.never_var()
            }
            Expr::Return(Some(value)) if self.returned_tuple().is_some() => {
                if let Some(tuple) = self.returned_tuple() {
                    self.check_returned_tuple(*value, tuple);
                }
                self.never_var()
            }
            Expr::Print { format, args } => self.infer_print(format, args),
            Expr::Return(value) => {
                let found = match value {
                    Some(value) => self.check_expr(*value),
                    None => self.unit_var(),
                };
                let value_span = value.map(|v| f.span(v)).unwrap_or(span);
                self.expect(self.ret, found, value_span);
                self.never_var()
            }
        }
    }

    fn check_loop_body(&mut self, body: &crate::ir::Block) {
        let ty = self.check_block(body);
        let unit = self.unit_var();
        if self.vars.unify(unit, ty).is_err() {
            let span = body.tail.map(|t| self.f.span(t)).unwrap_or_default();
            let found = self.vars.describe(ty);
            self.error(
                Diagnostic::new(
                    span,
                    format!("a loop body must have type `()`, found `{found}`"),
                )
                .with_help("add a `;` after the last expression, or `break` with the value"),
            );
        }
    }

    fn join_branches(&mut self, then_ty: VarId, else_ty: VarId, span: Span) -> VarId {
        if self.vars.is_never(then_ty) {
            return else_ty;
        }
        if let Err(mismatch) = self.vars.unify(then_ty, else_ty) {
            self.error(Diagnostic::new(
                span,
                format!(
                    "`if` and `else` have incompatible types: `{}` and `{}`",
                    mismatch.expected, mismatch.found
                ),
            ));
        }
        then_ty
    }

    fn infer_lit(&mut self, lit: Lit, suffix: Option<Scalar>) -> VarId {
        if let Some(scalar) = suffix {
            return self.vars.known(Type::Scalar(scalar));
        }
        match lit {
            Lit::Bool(_) => self.bool_var(),
            Lit::Int(_) => self.vars.fresh(Mask::NUM, true),
            Lit::Float(_) => self.vars.fresh(Mask::FLOAT, true),
        }
    }

    fn infer_local_read(&mut self, local: LocalId, span: Span) -> VarId {
        match self.locals[local.index()] {
            LocalTy::Scalar(v) => v,
            LocalTy::Array(_) | LocalTy::Fixed { .. } | LocalTy::Owned { .. } => {
                let name = self.f.local(local).name.clone();
                self.error(
                    Diagnostic::new(span, format!("array `{name}` cannot be used as a value"))
                        .with_help(format!("index it (`{name}[i]`) or pass it to a function")),
                );
                self.never_var()
            }
            LocalTy::Tuple(tuple) => {
                let name = self.f.local(local).name.clone();
                self.error(
                    Diagnostic::new(
                        span,
                        format!("tuple `{name}` of type `{tuple}` cannot be used as a value here"),
                    )
                    .with_help(super::tuples::TUPLE_HELP),
                );
                self.never_var()
            }
            LocalTy::Pending => self.never_var(),
        }
    }

    fn infer_unary(&mut self, op: UnOp, operand: ExprId, span: Span) -> VarId {
        let v = self.check_expr(operand);
        let (mask, symbol) = match op {
            UnOp::Neg => (Mask::SIGNED_NUM, "-"),
            UnOp::Not => (Mask::INT_OR_BOOL, "!"),
        };
        self.require(v, mask, |found| {
            let mut d = Diagnostic::new(span, format!("cannot apply unary operator `{symbol}` to type `{found}`"));
            if symbol == "-" {
                d = d.with_help("unsigned integers cannot be negated; use `wrapping_sub` from zero, or a signed type");
            }
            d
        });
        v
    }

    fn infer_binary(&mut self, op: BinOp, lhs: ExprId, rhs: ExprId, span: Span) -> VarId {
        let f = self.f.clone();
        let l = self.check_expr(lhs);
        let r = self.check_expr(rhs);
        if op.is_shift() {
            for (v, operand) in [(l, lhs), (r, rhs)] {
                self.require(v, Mask::INT, |found| {
                    Diagnostic::new(
                        f.span(operand),
                        format!("shift operands must be integers, found `{found}`"),
                    )
                });
            }
            return l;
        }
        self.expect(l, r, f.span(rhs));
        let mask = binary_operand_mask(op);
        self.require(l, mask, |found| {
            Diagnostic::new(
                span,
                format!("cannot apply `{}` to type `{found}`", op.symbol()),
            )
        });
        if op.is_comparison() {
            self.bool_var()
        } else {
            l
        }
    }

    fn infer_cast(&mut self, operand: ExprId, target: Scalar, span: Span) -> VarId {
        let v = self.check_expr(operand);
        let operand_span = self.f.span(operand);
        self.require(v, Mask::SCALAR, |found| {
            Diagnostic::new(operand_span, format!("cannot cast `{found}` with `as`"))
        });
        if target == Scalar::Bool {
            self.error(
                Diagnostic::new(span, "cannot cast to `bool` with `as`")
                    .with_help("compare instead, e.g. `x != 0`"),
            );
        }
        self.vars.known(Type::Scalar(target))
    }

    pub(super) fn infer_index(&mut self, array: LocalId, indices: &[ExprId], span: Span) -> VarId {
        let f = self.f.clone();
        let (elem, rank) = match self.locals[array.index()] {
            LocalTy::Array(a) => (self.vars.known(Type::Scalar(a.elem)), a.rank as usize),
            LocalTy::Fixed { elem, .. } => (elem, 1),
            LocalTy::Owned { elem, rank } => (elem, rank as usize),
            LocalTy::Scalar(_) | LocalTy::Tuple(_) => {
                let found = self.describe_value_local(array);
                self.error(Diagnostic::new(
                    span,
                    format!(
                        "cannot index into `{}` of type `{found}`",
                        f.local(array).name
                    ),
                ));
                return self.never_var();
            }
            LocalTy::Pending => return self.never_var(),
        };
        if indices.len() != rank {
            let name = &f.local(array).name;
            let mut d = Diagnostic::new(
                span,
                format!(
                    "`{name}` has {rank} axis/axes but {} index/indices were given",
                    indices.len()
                ),
            );
            if rank > 1 {
                let vars: Vec<&str> = ["i", "j", "k"][..rank].to_vec();
                d = d.with_help(format!(
                    "index a {rank}-D array with `{name}[[{}]]`",
                    vars.join(", ")
                ));
            }
            self.error(d);
        }
        for index in indices {
            let v = self.check_expr(*index);
            let index_span = f.span(*index);
            let text = self.text(index_span).map(str::to_owned);
            self.require(v, Mask::INT, |found| {
                let mut d = Diagnostic::new(
                    index_span,
                    format!("array indices must be integers, found `{found}`"),
                );
                if let Some(text) = text {
                    d = d.with_help(format!("convert with `as`: `{text} as usize`"));
                }
                d
            });
        }
        elem
    }

    /// The rank of an array local, or a diagnostic for a non-array receiver of `method`.
    pub(super) fn array_rank(&mut self, array: LocalId, span: Span, method: &str) -> Option<u8> {
        match self.locals[array.index()] {
            LocalTy::Array(a) => Some(a.rank),
            LocalTy::Fixed { .. } => Some(1),
            LocalTy::Owned { rank, .. } => Some(rank),
            LocalTy::Scalar(_) | LocalTy::Tuple(_) => {
                let found = self.describe_value_local(array);
                self.error(Diagnostic::new(
                    span,
                    format!(
                        "no method named `{method}` for `{}` of type `{found}`",
                        self.f.local(array).name
                    ),
                ));
                None
            }
            LocalTy::Pending => None,
        }
    }

    fn infer_builtin(&mut self, builtin: Builtin, args: &[ExprId], span: Span) -> VarId {
        let f = self.f.clone();
        let vars: Vec<VarId> = args.iter().map(|a| self.check_expr(*a)).collect();
        let Some(&receiver) = vars.first() else {
            return self.never_var();
        };
        let receiver_span = f.span(args[0]);
        let receiver_text = self.text(receiver_span).map(str::to_owned);
        let (mask, kind) = builtin_receiver(builtin);
        let receiver_ok = self.require(receiver, mask, |found| {
            let mut d = Diagnostic::new(
                span,
                format!(
                    "no method named `{}` for type `{found}` (it needs {kind})",
                    builtin.name()
                ),
            );
            if mask.is_subset_of(Mask::FLOAT) {
                if let Some(text) = receiver_text {
                    d = d.with_help(format!(
                        "convert first: `({text} as f64).{}(…)`",
                        builtin.name()
                    ));
                }
            }
            d
        });
        if !receiver_ok {
            // The call's type is unknown; `Never` keeps one mistake from cascading.
            return self.never_var();
        }
        let result = match builtin {
            Builtin::IsNan | Builtin::IsFinite => self.bool_var(),
            Builtin::CountOnes | Builtin::LeadingZeros => {
                self.vars.known(Type::Scalar(Scalar::U32))
            }
            _ => receiver,
        };
        for (position, (&arg, &var)) in args.iter().zip(&vars).enumerate().skip(1) {
            let expected = match (builtin, position) {
                (Builtin::Powi, _) => self.vars.known(Type::Scalar(Scalar::I32)),
                (Builtin::Pow, _) => self.vars.known(Type::Scalar(Scalar::U32)),
                _ => receiver,
            };
            self.expect(expected, var, f.span(arg));
        }
        result
    }

    fn infer_call(&mut self, e: ExprId, callee: FuncId, args: &[ExprId], span: Span) -> VarId {
        let f = self.f.clone();
        let template = callee.index();
        if args.len() != self.program.template_at(template).params.len() {
            // Lowering reported the wrong argument count; check the arguments on their own.
            for &arg in args {
                self.check_expr(arg);
            }
            return self.never_var();
        }
        let generic = self.program.template_at(template).is_generic();
        let mut arg_types = Vec::with_capacity(args.len());
        let mut arg_vars = Vec::with_capacity(args.len());
        let declared: Vec<Option<Type>> = {
            let callee_fn = self.program.template_at(template);
            callee_fn
                .params
                .iter()
                .map(|p| match callee_fn.local(*p).annot {
                    Some(crate::ir::Annot::Known(ty)) if ty.as_scalar().is_some() => Some(ty),
                    _ => None,
                })
                .collect()
        };
        for (&arg, declared) in args.iter().zip(declared) {
            let (ty, var) = self.call_argument(arg, generic, declared);
            arg_types.push(ty);
            arg_vars.push(var);
        }
        let signature = match self.program.callee_signature(template, &arg_types, span) {
            Ok(signature) => signature,
            Err(diagnostics) => {
                self.diagnostics.extend(diagnostics);
                return self.never_var();
            }
        };
        self.call_targets.insert(e, signature.id);
        for ((&arg, var), param) in args.iter().zip(arg_vars).zip(&signature.params) {
            self.check_argument(arg, var, *param, f.span(arg));
        }
        self.vars.known(signature.ret)
    }

    /// Checks one call argument; returns its type as far as known now (generic callees need
    /// it immediately, so open literals take their default here) and its variable if scalar.
    fn call_argument(
        &mut self,
        arg: ExprId,
        generic: bool,
        declared: Option<Type>,
    ) -> (ArgType, Option<VarId>) {
        if let Expr::View { .. } = self.f.expr(arg) {
            let ty = self.view_argument(arg).unwrap_or(ArgType::Array {
                elem: Scalar::F64,
                rank: 1,
                mutable: false,
            });
            return (ty, None);
        }
        if let Expr::Local(local) = self.f.expr(arg) {
            let local = *local;
            match self.locals[local.index()] {
                LocalTy::Array(a) => {
                    self.array_args.push((arg, local));
                    return (
                        ArgType::Array {
                            elem: a.elem,
                            rank: a.rank,
                            mutable: a.mutable,
                        },
                        None,
                    );
                }
                LocalTy::Fixed { elem, .. } | LocalTy::Owned { elem, .. } => {
                    self.array_args.push((arg, local));
                    let elem = self
                        .vars
                        .default_now(elem)
                        .and_then(Type::as_scalar)
                        .unwrap_or(Scalar::F64);
                    let rank = match self.locals[local.index()] {
                        LocalTy::Owned { rank, .. } => rank,
                        _ => 1,
                    };
                    let mutable = self.f.local(local).mutable;
                    return (
                        ArgType::Array {
                            elem,
                            rank,
                            mutable,
                        },
                        None,
                    );
                }
                _ => {}
            }
        }
        let var = self.check_expr(arg);
        if let (true, Some(declared)) = (generic, declared) {
            // A typed parameter of a generic callee fixes the argument's type before any
            // literal default applies (`f(2, x)` with `fn f(p: i32, q: _)` passes an `i32`).
            let expected = self.vars.known(declared);
            self.expect(expected, var, self.f.span(arg));
        }
        let ty = if generic {
            self.vars.default_now(var)
        } else {
            self.vars.resolved(var)
        };
        let scalar = ty.and_then(Type::as_scalar);
        if generic && scalar.is_none() {
            self.error(
                Diagnostic::new(
                    self.f.span(arg),
                    "cannot infer the type of this argument to a generic function",
                )
                .with_help("annotate the value's type, e.g. `let x: f64 = …`"),
            );
        }
        (ArgType::Scalar(scalar.unwrap_or(Scalar::I64)), Some(var))
    }

    fn check_argument(&mut self, arg: ExprId, var: Option<VarId>, param: Type, span: Span) {
        match (var, param) {
            (Some(var), Type::Array(expected)) => {
                let found = self.vars.describe(var);
                if !matches!(found, Described::Type(Type::Never)) {
                    self.error(Diagnostic::new(
                        span,
                        format!(
                            "mismatched types: expected an array `{}`, found `{found}`",
                            Type::Array(expected)
                        ),
                    ));
                }
            }
            (Some(var), param) => {
                let expected = self.vars.known(param);
                self.expect(expected, var, span);
            }
            (None, param) => self.check_array_argument(arg, param, span),
        }
    }

    fn check_array_argument(&mut self, arg: ExprId, param: Type, span: Span) {
        if let (Expr::View { .. }, Type::Array(expected)) = (self.f.expr(arg), param) {
            return self.check_view_argument(arg, expected, span);
        }
        let Expr::Local(local) = *self.f.expr(arg) else {
            return;
        };
        let name = self.f.local(local).name.clone();
        let Type::Array(expected) = param else {
            self.error(Diagnostic::new(
                span,
                format!("mismatched types: expected `{param}`, found array `{name}`"),
            ));
            return;
        };
        let (elem, rank, writable) = match self.locals[local.index()] {
            LocalTy::Array(a) => (self.vars.known(Type::Scalar(a.elem)), a.rank, a.mutable),
            LocalTy::Fixed { elem, .. } => (elem, 1, self.f.local(local).mutable),
            LocalTy::Owned { elem, rank } => (elem, rank, self.f.local(local).mutable),
            _ => return,
        };
        if rank != expected.rank {
            self.error(Diagnostic::new(
                span,
                format!(
                    "mismatched types: expected a {}-D array, `{name}` is {rank}-D",
                    expected.rank
                ),
            ));
        }
        let expected_elem = self.vars.known(Type::Scalar(expected.elem));
        self.expect(expected_elem, elem, span);
        if expected.mutable {
            if writable {
                self.written.insert(local);
            } else {
                self.error(
                    Diagnostic::new(
                        span,
                        format!(
                            "`{name}` is read-only but the function writes through this parameter"
                        ),
                    )
                    .with_help(format!(
                        "declare `{name}` writable (`&mut [T]`, `ArrayViewMut`, or `let mut`)"
                    )),
                );
            }
        }
    }
}

fn binary_operand_mask(op: BinOp) -> Mask {
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => Mask::NUM,
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => Mask::INT_OR_BOOL,
        BinOp::Shl | BinOp::Shr => Mask::INT,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Mask::SCALAR,
    }
}

/// The receiver types a builtin accepts, and how to say so.
fn builtin_receiver(builtin: Builtin) -> (Mask, &'static str) {
    match builtin {
        Builtin::Abs | Builtin::Signum => (Mask::SIGNED_NUM, "a float or a signed integer"),
        Builtin::Min | Builtin::Max | Builtin::Clamp | Builtin::RemEuclid | Builtin::DivEuclid => {
            (Mask::NUM, "a number")
        }
        Builtin::Pow
        | Builtin::WrappingAdd
        | Builtin::WrappingSub
        | Builtin::WrappingMul
        | Builtin::CountOnes
        | Builtin::LeadingZeros => (Mask::INT, "an integer"),
        _ => (Mask::FLOAT, "a float"),
    }
}
