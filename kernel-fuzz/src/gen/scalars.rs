//! Leaves of expressions: locals and literals (suffixed unless the context fixes the type),
//! named constants, special float values.

use super::function::FnGen;
use super::{Rng, Ty};

impl FnGen<'_> {
    pub(super) fn leaf(&mut self, ty: Ty, known: bool) -> String {
        let vars = self.vars_of(ty, false);
        if !vars.is_empty() && self.rng.chance(60) {
            return self.vars[*self.rng.pick(&vars)].name.clone();
        }
        if ty != Ty::Bool && !self.generic_params.is_empty() && self.rng.chance(30) {
            let name = self.rng.pick(&self.generic_params).clone();
            return format!("({name} as {})", ty.name());
        }
        if self.rng.chance(12) {
            if let Some(read) = self.read(ty) {
                return read;
            }
        }
        // Values that depend on the inputs exercise the backends more than literals, which
        // they may fold: reach them through another local of a different type.
        if !self.vars.is_empty() && self.rng.chance(50) {
            let var = self.rng.pick(&self.vars).clone();
            if ty == Ty::Bool && var.ty != Ty::Bool {
                let op = *self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
                let lit = literal(self.rng, var.ty, true);
                return format!("({} {op} {lit})", var.name);
            }
            if ty != Ty::Bool {
                return format!("({} as {})", var.name, ty.name());
            }
        }
        literal(self.rng, ty, known)
    }
}

/// An integer as source text (negative values parenthesised as a negated literal).
pub(super) fn int_text(value: i64) -> String {
    if value < 0 {
        format!("(-{})", value.unsigned_abs())
    } else {
        value.to_string()
    }
}

/// A literal or named constant of type `ty`; unsuffixed only when `known`.
pub(super) fn literal(rng: &mut Rng, ty: Ty, known: bool) -> String {
    let suffix = if known && rng.chance(50) {
        ""
    } else {
        ty.name()
    };
    match ty {
        Ty::Bool => rng.pick(&["true", "false"]).to_string(),
        t if t.is_float() => float_literal(rng, t, suffix, known),
        t => {
            if rng.chance(12) {
                let name = *rng.pick(&["MAX", "MIN"]);
                return format!("{}::{name}", t.name());
            }
            let value = match rng.below(4) {
                // Below the type's largest value (127 for `i8`), so the literal fits.
                0 => (rng.below(1000) as i64).min(t.int_max()),
                _ => rng.below(9) as i64,
            };
            let value = if t.is_signed() && rng.chance(30) {
                -value
            } else {
                value
            };
            if value < 0 {
                format!("(-{}{suffix})", value.unsigned_abs())
            } else {
                format!("{value}{suffix}")
            }
        }
    }
}

fn float_literal(rng: &mut Rng, ty: Ty, suffix: &str, known: bool) -> String {
    let name = ty.name();
    match rng.below(14) {
        0 => format!(
            "{name}::{}",
            rng.pick(&[
                "INFINITY",
                "NEG_INFINITY",
                "NAN",
                "EPSILON",
                "MAX",
                "MIN",
                "MIN_POSITIVE"
            ])
        ),
        1 => format!(
            "{name}::consts::{}",
            rng.pick(&["PI", "E", "TAU", "SQRT_2", "LN_2"])
        ),
        // An integer literal in a float context means the float.
        2 if known => rng.below(10).to_string(),
        _ => {
            let value: f64 = *rng.pick(&[
                0.0, -0.0, 0.5, 1.0, 1.5, 2.0, 3.25, -1.0, -2.5, 10.0, 100.0, 1e10, 1e-7, 0.1,
                -0.3, 1e300, 7.0, 65536.0, 1e-300, 2.5e9, -4.3e9,
            ]);
            let text = match ty {
                Ty::F32 if (value as f32).is_infinite() => return format!("{name}::INFINITY"),
                Ty::F32 => format!("{:?}", value as f32),
                _ => format!("{value:?}"),
            };
            match text.strip_prefix('-') {
                Some(positive) => format!("(-{positive}{suffix})"),
                None => format!("{text}{suffix}"),
            }
        }
    }
}
