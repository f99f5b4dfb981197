//! The end of checking: every variable gets its final type, literals their final value, calls
//! their checked callee, and `_` array parameters become writable exactly when written.

use super::{Checker, LocalTy};
use crate::diag::Diagnostic;
use crate::ir::{Expr, Function, Lit};
use crate::types::{ArrayType, Scalar, Type};

impl Checker<'_> {
    pub(super) fn finish(mut self) -> Result<Function, Vec<Diagnostic>> {
        let mut out = (*self.f).clone();
        self.finish_locals(&mut out);
        self.finish_exprs(&mut out);
        self.misplaced_tuples(&out);
        if self.diagnostics.is_empty() {
            // Exhaustiveness needs the scrutinees' final types and the patterns' final values.
            self.diagnostics.extend(super::matches::match_errors(&out));
        }
        if self.diagnostics.is_empty() {
            // The loop rules need final types, and only make sense on a well-typed body.
            let mut errors = super::parallel::check_parallel_loops(&mut out, &self.written);
            self.diagnostics.append(&mut errors);
            crate::analysis::lanes::mark_lanes(&mut out);
        }
        out.ret = match self.vars.finish(self.ret) {
            Some(Type::Never) | None => Type::Unit,
            Some(ty) => ty,
        };
        if self.diagnostics.is_empty() {
            Ok(out)
        } else {
            Err(self.diagnostics)
        }
    }

    fn finish_locals(&mut self, out: &mut Function) {
        let mut reported = std::collections::HashSet::new();
        for (index, local) in out.locals.iter_mut().enumerate() {
            local.ty = match self.locals[index] {
                LocalTy::Pending => Type::Unit,
                LocalTy::Array(array) => {
                    let id = crate::ir::LocalId(index as u32);
                    let mutable = if self.generic_array_params.contains(&id) {
                        self.written.contains(&id)
                    } else {
                        array.mutable
                    };
                    Type::Array(ArrayType { mutable, ..array })
                }
                LocalTy::Fixed { elem, len } => {
                    let elem = self.vars.finish(elem).and_then(Type::as_scalar);
                    Type::Fixed {
                        elem: elem.unwrap_or(Scalar::F64),
                        len,
                    }
                }
                LocalTy::Owned { elem, rank } => {
                    let elem = self.vars.finish(elem).and_then(Type::as_scalar);
                    Type::Array(ArrayType {
                        elem: elem.unwrap_or(Scalar::F64),
                        rank,
                        mutable: local.mutable,
                    })
                }
                LocalTy::Tuple(tuple) => Type::Tuple(tuple),
                LocalTy::Scalar(v) => match self.vars.finish(v) {
                    Some(Type::Never) => Type::Unit,
                    Some(ty) => ty,
                    None => {
                        let root = self.vars.find(v);
                        if reported.insert(root) {
                            self.diagnostics.push(
                                Diagnostic::new(
                                    local.span,
                                    format!("type annotations needed for `{}`", local.name),
                                )
                                .with_help(format!("give it a type: `let {}: f64`", local.name)),
                            );
                        }
                        Type::Unit
                    }
                },
            };
        }
    }

    fn finish_exprs(&mut self, out: &mut Function) {
        out.expr_types = vec![Type::Unit; out.exprs.len()];
        for index in 0..out.exprs.len() {
            let ty = match self.expr_vars[index] {
                Some(v) => self.vars.finish(v).unwrap_or(Type::Unit),
                None => Type::Unit,
            };
            out.expr_types[index] = ty;
        }
        for &(expr, local) in &self.array_args {
            out.expr_types[expr.index()] = out.locals[local.index()].ty;
        }
        self.finish_allocs(out);
        for &(expr, view) in &self.views {
            out.expr_types[expr.index()] = Type::Array(view);
        }
        for index in 0..out.exprs.len() {
            let span = out.expr_spans[index];
            let ty = out.expr_types[index];
            match &mut out.exprs[index] {
                Expr::Lit(lit, suffix) => {
                    if let Some(scalar) = ty.as_scalar() {
                        match final_literal(*lit, scalar) {
                            Ok(value) => {
                                *lit = value;
                                *suffix = Some(scalar);
                            }
                            Err(message) => {
                                self.diagnostics
                                    .push(Diagnostic::new(span, message).with_help(format!(
                                        "the range of `{scalar}` is {}",
                                        range_text(scalar)
                                    )))
                            }
                        }
                    }
                }
                Expr::Call(callee, _) => {
                    if let Some(id) = self.call_targets.get(&crate::ir::ExprId(index as u32)) {
                        *callee = *id;
                    }
                }
                Expr::ArrayLit(_) | Expr::ArrayRepeat(..) => {
                    out.expr_types[index] = fixed_type_of_init(out, index);
                }
                _ => {}
            }
        }
    }
}

impl Checker<'_> {
    /// Every allocation gets its array type and element type, or a diagnostic when nothing
    /// decided the element type.
    fn finish_allocs(&mut self, out: &mut Function) {
        for &(expr, elem_var, rank) in &self.allocs {
            let elem = self.vars.finish(elem_var).and_then(Type::as_scalar);
            if elem.is_none() {
                self.diagnostics.push(
                    Diagnostic::new(out.expr_spans[expr.index()], "type annotations needed for this array's elements")
                        .with_help("name the element type: `Array1::<f64>::zeros(n)` or `let z: Array1<f64> = …`"),
                );
            }
            let elem = elem.unwrap_or(Scalar::F64);
            out.expr_types[expr.index()] = Type::Array(ArrayType {
                elem,
                rank,
                mutable: true,
            });
            if let Expr::Alloc { elem: slot, .. } = &mut out.exprs[expr.index()] {
                *slot = Some(elem);
            }
        }
    }
}

/// The `Type::Fixed` of an array initialiser: its element's type and count.
fn fixed_type_of_init(out: &Function, index: usize) -> Type {
    let (elem, len) = match &out.exprs[index] {
        Expr::ArrayLit(elems) => (elems.first().copied(), elems.len() as u32),
        Expr::ArrayRepeat(value, len) => (Some(*value), *len),
        _ => (None, 0),
    };
    let elem = elem
        .and_then(|e| out.expr_types[e.index()].as_scalar())
        .unwrap_or(Scalar::F64);
    Type::Fixed { elem, len }
}

/// The value a literal takes at its final type, or why it cannot.
fn final_literal(lit: Lit, ty: Scalar) -> Result<Lit, String> {
    match (lit, ty) {
        (Lit::Bool(b), _) => Ok(Lit::Bool(b)),
        (Lit::Int(v), Scalar::F64) => Ok(Lit::Float(v as f64)),
        (Lit::Int(v), Scalar::F32) => Ok(Lit::Float(v as f32 as f64)),
        (Lit::Int(v), int) => {
            let (min, max) = int_range(int);
            if v < min || v > max {
                Err(format!("literal out of range for `{int}`: {v}"))
            } else {
                Ok(Lit::Int(v))
            }
        }
        (Lit::Float(v), Scalar::F32) => Ok(Lit::Float(v as f32 as f64)),
        (Lit::Float(v), _) => Ok(Lit::Float(v)),
    }
}

/// The smallest and largest value of an integer type (`bool` as 0 and 1).
pub(super) fn int_range(ty: Scalar) -> (i128, i128) {
    match ty {
        Scalar::I8 => (i8::MIN as i128, i8::MAX as i128),
        Scalar::I16 => (i16::MIN as i128, i16::MAX as i128),
        Scalar::I32 => (i32::MIN as i128, i32::MAX as i128),
        Scalar::I64 => (i64::MIN as i128, i64::MAX as i128),
        Scalar::U8 => (0, u8::MAX as i128),
        Scalar::U16 => (0, u16::MAX as i128),
        Scalar::U32 => (0, u32::MAX as i128),
        Scalar::U64 | Scalar::Usize => (0, u64::MAX as i128),
        Scalar::Bool => (0, 1),
        Scalar::F32 | Scalar::F64 => (i128::MIN, i128::MAX),
    }
}

fn range_text(ty: Scalar) -> String {
    let (min, max) = int_range(ty);
    format!("{min}..={max}")
}
