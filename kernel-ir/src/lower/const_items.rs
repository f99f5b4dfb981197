//! `const` items (`const N: usize = 64;`, `pub const EPS: f64 = 1e-9;`): evaluated once per
//! source, before any function is lowered, into literals of their declared type. A use of
//! the name anywhere a value may stand — an expression, a pattern, the length of a fixed array
//! — is that literal, so no later stage (checker, analyses, tiers) knows constants exist.
//!
//! Constant expressions follow Rust's `const` evaluation: literals, `-`/`!`, arithmetic,
//! bitwise and shift operators, comparisons, `&&`/`||`, `as` casts, parentheses, other
//! constants in any order and the named constants of `consts` (`f64::consts::PI`,
//! `i32::MAX`). Operands of an operator share one type, taken from the declared type or a
//! typed operand, as Rust infers it. Overflow, division by zero, an out-of-range literal, a
//! cycle and an unknown name are errors at the offending expression.

use std::collections::HashMap;

use super::consts::Imports;
use super::items::scalar_type;
use super::{node_span, span};
use crate::diag::{Diagnostic, Span};
use crate::ir::Lit;
use crate::types::Scalar;

/// The (never reported) failure of a constant whose dependency failed: the dependency's own
/// error says what is wrong.
const DEPENDENCY_FAILED: &str = "a constant this one uses has an error";

/// A constant's value: a literal of its type, as the checker's literals hold it (`f32`
/// values exactly representable, integers in range).
pub(super) type ConstValue = (Lit, Scalar);

/// The evaluated `const` items of one source.
#[derive(Debug, Default)]
pub(crate) struct ConstItems {
    values: HashMap<String, ConstValue>,
    /// Items whose evaluation failed (reported at the item): their uses report nothing more.
    failed: Vec<String>,
}

impl ConstItems {
    pub(super) fn get(&self, name: &str) -> Option<ConstValue> {
        self.values.get(name).copied()
    }

    pub(super) fn has_failed(&self, name: &str) -> bool {
        self.failed.iter().any(|n| n == name)
    }

    /// Names usable as values (for suggestions).
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

/// Evaluates every `const` item of a file; a failed one is left out (and reported), so its
/// uses report nothing more than "cannot find value".
pub(super) fn evaluate(
    items: &[&syn::ItemConst],
    imports: &Imports,
) -> (ConstItems, Vec<Diagnostic>) {
    let mut eval = Evaluator {
        items: HashMap::new(),
        imports,
        results: HashMap::new(),
        visiting: Vec::new(),
        diagnostics: Vec::new(),
    };
    for item in items {
        let name = item.ident.to_string();
        if eval.items.insert(name.clone(), item).is_some() {
            eval.diagnostics.push(
                Diagnostic::new(
                    span(item.ident.span()),
                    format!("the name `{name}` is defined multiple times"),
                )
                .with_label(format!("`{name}` redefined here")),
            );
        }
    }
    let mut values = HashMap::new();
    let mut failed = Vec::new();
    for item in items {
        let name = item.ident.to_string();
        match eval.item(&name) {
            Some(value) => drop(values.insert(name, value)),
            None => failed.push(name),
        }
    }
    (ConstItems { values, failed }, eval.diagnostics)
}

struct Evaluator<'a> {
    items: HashMap<String, &'a syn::ItemConst>,
    imports: &'a Imports,
    /// Each item evaluated so far (`None`: failed, already reported).
    results: HashMap<String, Option<ConstValue>>,
    /// Items being evaluated, outermost first: a name met again here is a cycle.
    visiting: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Evaluator<'_> {
    /// The value of item `name`, evaluated once.
    fn item(&mut self, name: &str) -> Option<ConstValue> {
        if let Some(result) = self.results.get(name) {
            return *result;
        }
        let item = *self.items.get(name)?;
        self.visiting.push(name.to_string());
        let result = match declared_type(item) {
            Ok(ty) => self.eval(&item.expr, Some(ty)).and_then(|(lit, found)| {
                if found == ty {
                    Ok((lit, ty))
                } else {
                    Err(mismatch(node_span(&*item.expr), ty, found))
                }
            }),
            Err(diagnostic) => Err(diagnostic),
        };
        self.visiting.pop();
        let value = match result {
            Ok(value) => Some(value),
            Err(diagnostic) => {
                if diagnostic.message != DEPENDENCY_FAILED {
                    self.diagnostics.push(diagnostic);
                }
                None
            }
        };
        self.results.insert(name.to_string(), value);
        value
    }

    fn eval(
        &mut self,
        expr: &syn::Expr,
        expected: Option<Scalar>,
    ) -> Result<ConstValue, Diagnostic> {
        let at = node_span(expr);
        match expr {
            syn::Expr::Lit(lit) => literal(&lit.lit, false, expected, at),
            syn::Expr::Paren(paren) => self.eval(&paren.expr, expected),
            syn::Expr::Group(group) => self.eval(&group.expr, expected),
            syn::Expr::Path(path) => self.path(path, at),
            syn::Expr::Unary(unary) => self.unary(unary, expected, at),
            syn::Expr::Binary(binary) => self.binary(binary, expected, at),
            syn::Expr::Cast(cast) => self.cast(cast, at),
            _ => Err(
                Diagnostic::new(at, "this expression is not supported in a constant").with_help(
                    "a constant is built from literals, other constants, operators and `as` casts",
                ),
            ),
        }
    }

    fn path(&mut self, path: &syn::ExprPath, at: Span) -> Result<ConstValue, Diagnostic> {
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let [name] = segments.as_slice() {
            if self.items.contains_key(name) {
                if self.visiting.contains(name) {
                    return Err(Diagnostic::new(
                        at,
                        format!("cycle detected when evaluating constant `{name}`"),
                    )
                    .with_label(format!("`{name}` depends on itself")));
                }
                // A failed item was reported at its own definition.
                return self
                    .item(name)
                    .ok_or_else(|| Diagnostic::new(at, DEPENDENCY_FAILED));
            }
        }
        match self.imports.resolve(&segments) {
            Some((lit, Some(ty))) => Ok((lit, ty)),
            _ => Err(Diagnostic::new(
                at,
                format!("cannot find value `{}` in this scope", segments.join("::")),
            )),
        }
    }

    fn unary(
        &mut self,
        unary: &syn::ExprUnary,
        expected: Option<Scalar>,
        at: Span,
    ) -> Result<ConstValue, Diagnostic> {
        match unary.op {
            syn::UnOp::Neg(_) => {
                // `-2147483648` is one literal, as in Rust: its magnitude alone overflows.
                if let syn::Expr::Lit(lit) = &*unary.expr {
                    return literal(&lit.lit, true, expected, at);
                }
                let (lit, ty) = self.eval(&unary.expr, expected)?;
                match lit {
                    Lit::Float(v) => Ok((Lit::Float(-v), ty)),
                    Lit::Int(v) if ty.is_signed_int() => {
                        in_range(-v, ty).ok_or_else(|| overflow(at, "negate"))
                    }
                    _ => Err(Diagnostic::new(
                        at,
                        format!("cannot apply unary operator `-` to type `{ty}`"),
                    )),
                }
            }
            syn::UnOp::Not(_) => {
                let (lit, ty) = self.eval(&unary.expr, expected)?;
                match lit {
                    Lit::Bool(b) => Ok((Lit::Bool(!b), ty)),
                    Lit::Int(v) => Ok((Lit::Int(wrap(!v, ty)), ty)),
                    Lit::Float(_) => Err(Diagnostic::new(
                        at,
                        format!("cannot apply unary operator `!` to type `{ty}`"),
                    )),
                }
            }
            _ => Err(Diagnostic::new(
                at,
                "this expression is not supported in a constant",
            )),
        }
    }

    fn binary(
        &mut self,
        binary: &syn::ExprBinary,
        expected: Option<Scalar>,
        at: Span,
    ) -> Result<ConstValue, Diagnostic> {
        use syn::BinOp as B;
        let op = &binary.op;
        if matches!(op, B::And(_) | B::Or(_)) {
            let (l, _) = self.eval(&binary.left, Some(Scalar::Bool))?;
            let (r, _) = self.eval(&binary.right, Some(Scalar::Bool))?;
            let (Lit::Bool(l), Lit::Bool(r)) = (l, r) else {
                return Err(Diagnostic::new(at, "`&&` and `||` take `bool` operands"));
            };
            let value = if matches!(op, B::And(_)) {
                l && r
            } else {
                l || r
            };
            return Ok((Lit::Bool(value), Scalar::Bool));
        }
        let comparison = matches!(
            op,
            B::Eq(_) | B::Ne(_) | B::Lt(_) | B::Le(_) | B::Gt(_) | B::Ge(_)
        );
        let shift = matches!(op, B::Shl(_) | B::Shr(_));
        let operand_type = if comparison { None } else { expected };
        let ty = operand_type
            .or_else(|| self.natural_type(&binary.left))
            .or_else(|| (!shift).then(|| self.natural_type(&binary.right)).flatten());
        let (l, lty) = self.eval(&binary.left, ty)?;
        let right_type = if shift { None } else { Some(lty) };
        let (r, rty) = self.eval(&binary.right, right_type)?;
        if !shift && rty != lty {
            return Err(mismatch(node_span(&*binary.right), lty, rty));
        }
        if comparison {
            return Ok((Lit::Bool(compare(op, l, r)), Scalar::Bool));
        }
        match (l, r) {
            (Lit::Int(a), Lit::Int(b)) => {
                int_op(op, a, b, lty, rty, at).map(|v| (Lit::Int(v), lty))
            }
            (Lit::Float(a), Lit::Float(b)) if !shift => float_op(op, a, b, lty, at),
            (Lit::Bool(a), Lit::Bool(b))
                if matches!(op, B::BitAnd(_) | B::BitOr(_) | B::BitXor(_)) =>
            {
                let value = match op {
                    B::BitAnd(_) => a & b,
                    B::BitOr(_) => a | b,
                    _ => a ^ b,
                };
                Ok((Lit::Bool(value), Scalar::Bool))
            }
            _ => Err(Diagnostic::new(
                at,
                format!("this operator cannot be applied to `{lty}` and `{rty}` in a constant"),
            )),
        }
    }

    fn cast(&mut self, cast: &syn::ExprCast, at: Span) -> Result<ConstValue, Diagnostic> {
        let Some(target) = scalar_type(&cast.ty) else {
            return Err(Diagnostic::new(
                node_span(&*cast.ty),
                "cannot cast to this type",
            ));
        };
        let ty = self.natural_type(&cast.expr);
        let (lit, from) = self.eval(&cast.expr, ty)?;
        cast_value(lit, from, target).ok_or_else(|| {
            Diagnostic::new(at, format!("cannot cast `{from}` to `{target}` with `as`"))
        })
    }

    /// The type an operand has on its own (a suffix, a constant's type, a cast's target), or
    /// `None` for an unsuffixed literal that takes the other operand's.
    fn natural_type(&mut self, expr: &syn::Expr) -> Option<Scalar> {
        match expr {
            syn::Expr::Lit(lit) => match &lit.lit {
                syn::Lit::Int(int) => Scalar::from_name(int.suffix()),
                syn::Lit::Float(float) => Scalar::from_name(float.suffix()),
                syn::Lit::Bool(_) => Some(Scalar::Bool),
                _ => None,
            },
            syn::Expr::Paren(paren) => self.natural_type(&paren.expr),
            syn::Expr::Group(group) => self.natural_type(&group.expr),
            syn::Expr::Unary(unary) => self.natural_type(&unary.expr),
            syn::Expr::Cast(cast) => scalar_type(&cast.ty),
            syn::Expr::Binary(binary) => self
                .natural_type(&binary.left)
                .or_else(|| self.natural_type(&binary.right)),
            syn::Expr::Path(path) => {
                let at = node_span(path);
                self.path(path, at).ok().map(|(_, ty)| ty)
            }
            _ => None,
        }
    }
}

/// The type written on a `const` item: a scalar type.
fn declared_type(item: &syn::ItemConst) -> Result<Scalar, Diagnostic> {
    match &*item.ty {
        syn::Type::Infer(_) => Err(Diagnostic::new(
            span(item.ident.span()),
            format!("missing type for `const` item `{}`", item.ident),
        )
        .with_help("write its type: `const N: usize = 64;`")),
        ty => scalar_type(ty).ok_or_else(|| {
            Diagnostic::new(node_span(ty), "a `const` item must have a scalar type").with_help(
                "supported types: `bool`, `i32`, `i64`, `u32`, `u64`, `usize`, `f32`, `f64`",
            )
        }),
    }
}

/// A literal as a constant of the expected type (its suffix's, or the default).
fn literal(
    lit: &syn::Lit,
    negative: bool,
    expected: Option<Scalar>,
    at: Span,
) -> Result<ConstValue, Diagnostic> {
    let (value, suffix) = super::expr::literal(lit, negative, at)?;
    match value {
        Lit::Bool(b) => Ok((Lit::Bool(b), Scalar::Bool)),
        Lit::Int(v) => {
            let ty = suffix
                .or(expected.filter(|t| t.is_int()))
                .unwrap_or(match expected {
                    Some(float) if float.is_float() => {
                        return Err(mismatch(at, float, Scalar::I32)
                            .with_help(format!("write a float literal: `{v}.0`")))
                    }
                    _ => Scalar::I32,
                });
            match ty {
                Scalar::F32 => Ok((Lit::Float(v as f32 as f64), ty)),
                Scalar::F64 => Ok((Lit::Float(v as f64), ty)),
                _ => in_range(v, ty).ok_or_else(|| {
                    Diagnostic::new(at, format!("literal out of range for `{ty}`: {v}"))
                }),
            }
        }
        Lit::Float(v) => {
            let ty = suffix
                .or(expected.filter(|t| t.is_float()))
                .unwrap_or(Scalar::F64);
            if let Some(int) = expected.filter(|t| !t.is_float()) {
                if suffix.is_none() {
                    return Err(mismatch(at, int, Scalar::F64));
                }
            }
            let v = if ty == Scalar::F32 {
                v as f32 as f64
            } else {
                v
            };
            Ok((Lit::Float(v), ty))
        }
    }
}

fn mismatch(at: Span, expected: Scalar, found: Scalar) -> Diagnostic {
    Diagnostic::new(
        at,
        format!("mismatched types: expected `{expected}`, found `{found}`"),
    )
    .with_label(format!("expected `{expected}`, found `{found}`"))
}

fn overflow(at: Span, what: &str) -> Diagnostic {
    Diagnostic::new(at, "evaluation of constant value failed")
        .with_label(format!("attempt to {what} with overflow"))
}

/// `v` as a constant of integer type `ty`, when in range.
fn in_range(v: i128, ty: Scalar) -> Option<ConstValue> {
    let (min, max) = int_bounds(ty);
    (min..=max).contains(&v).then_some((Lit::Int(v), ty))
}

fn int_bounds(ty: Scalar) -> (i128, i128) {
    match ty {
        Scalar::I32 => (i32::MIN.into(), i32::MAX.into()),
        Scalar::I64 => (i64::MIN.into(), i64::MAX.into()),
        Scalar::U32 => (0, u32::MAX.into()),
        _ => (0, u64::MAX.into()),
    }
}

/// `v` reduced to the bits of integer type `ty`, as `as` and `!` do.
fn wrap(v: i128, ty: Scalar) -> i128 {
    match ty {
        Scalar::I32 => i128::from(v as i32),
        Scalar::I64 => i128::from(v as i64),
        Scalar::U32 => i128::from(v as u32),
        _ => i128::from(v as u64),
    }
}

fn bits(ty: Scalar) -> i128 {
    match ty {
        Scalar::I32 | Scalar::U32 => 32,
        _ => 64,
    }
}

fn int_op(
    op: &syn::BinOp,
    a: i128,
    b: i128,
    ty: Scalar,
    shift_ty: Scalar,
    at: Span,
) -> Result<i128, Diagnostic> {
    use syn::BinOp as B;
    let checked =
        |v: i128, what: &str| in_range(v, ty).map(|_| v).ok_or_else(|| overflow(at, what));
    let by_zero = |what: &str| {
        Diagnostic::new(at, "evaluation of constant value failed")
            .with_label(format!("attempt to {what} `{a}_{ty}` by zero"))
    };
    match op {
        B::Add(_) => checked(a + b, "add"),
        B::Sub(_) => checked(a - b, "subtract"),
        B::Mul(_) => checked(a * b, "multiply"),
        B::Div(_) if b == 0 => Err(by_zero("divide")),
        B::Rem(_) if b == 0 => Err(by_zero("calculate the remainder of")),
        B::Div(_) => checked(a / b, "divide"),
        B::Rem(_) => checked(a / b, "calculate the remainder").map(|_| a % b),
        B::BitAnd(_) => Ok(a & b),
        B::BitOr(_) => Ok(a | b),
        B::BitXor(_) => Ok(a ^ b),
        B::Shl(_) | B::Shr(_) if b < 0 || b >= bits(ty) || !shift_ty.is_int() => {
            let what = if matches!(op, B::Shl(_)) {
                "shift left"
            } else {
                "shift right"
            };
            Err(overflow(at, what))
        }
        B::Shl(_) => Ok(wrap(a << b, ty)),
        B::Shr(_) => Ok(a >> b),
        _ => Err(Diagnostic::new(
            at,
            "this operator is not supported in a constant",
        )),
    }
}

fn float_op(
    op: &syn::BinOp,
    a: f64,
    b: f64,
    ty: Scalar,
    at: Span,
) -> Result<ConstValue, Diagnostic> {
    use syn::BinOp as B;
    let value = if ty == Scalar::F32 {
        let (a, b) = (a as f32, b as f32);
        f64::from(match op {
            B::Add(_) => a + b,
            B::Sub(_) => a - b,
            B::Mul(_) => a * b,
            B::Div(_) => a / b,
            B::Rem(_) => a % b,
            _ => {
                return Err(Diagnostic::new(
                    at,
                    format!("this operator cannot be applied to `{ty}`"),
                ))
            }
        })
    } else {
        match op {
            B::Add(_) => a + b,
            B::Sub(_) => a - b,
            B::Mul(_) => a * b,
            B::Div(_) => a / b,
            B::Rem(_) => a % b,
            _ => {
                return Err(Diagnostic::new(
                    at,
                    format!("this operator cannot be applied to `{ty}`"),
                ))
            }
        }
    };
    Ok((Lit::Float(value), ty))
}

fn compare(op: &syn::BinOp, l: Lit, r: Lit) -> bool {
    use std::cmp::Ordering;
    use syn::BinOp as B;
    let ordering = match (l, r) {
        (Lit::Int(a), Lit::Int(b)) => Some(a.cmp(&b)),
        (Lit::Float(a), Lit::Float(b)) => a.partial_cmp(&b),
        (Lit::Bool(a), Lit::Bool(b)) => Some(a.cmp(&b)),
        _ => None,
    };
    match op {
        B::Eq(_) => ordering == Some(Ordering::Equal),
        B::Ne(_) => ordering != Some(Ordering::Equal),
        B::Lt(_) => ordering == Some(Ordering::Less),
        B::Le(_) => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        B::Gt(_) => ordering == Some(Ordering::Greater),
        _ => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// `value as target` with Rust's meaning: integers wrap, floats saturate (NaN → 0), `bool`
/// is 0 or 1; `None` for a cast Rust rejects (to `bool`).
fn cast_value(value: Lit, from: Scalar, target: Scalar) -> Option<ConstValue> {
    let lit = match (value, target) {
        (_, Scalar::Bool) => return (from == Scalar::Bool).then_some((value, target)),
        (Lit::Bool(b), t) if t.is_float() => Lit::Float(f64::from(u8::from(b))),
        (Lit::Bool(b), _) => Lit::Int(i128::from(b)),
        (Lit::Int(v), Scalar::F32) => Lit::Float(f64::from(v as f32)),
        (Lit::Int(v), Scalar::F64) => Lit::Float(v as f64),
        (Lit::Int(v), t) => Lit::Int(wrap(v, t)),
        (Lit::Float(v), Scalar::F32) => Lit::Float(f64::from(v as f32)),
        (Lit::Float(v), Scalar::F64) => Lit::Float(v),
        (Lit::Float(v), t) => {
            let (min, max) = int_bounds(t);
            Lit::Int((v as i128).clamp(min, max))
        }
    };
    Some((lit, target))
}
