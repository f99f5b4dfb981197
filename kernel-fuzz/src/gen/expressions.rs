//! Expressions of a given scalar type: operators, casts, block and `if` expressions, math and
//! integer methods.

use super::function::{FnGen, Var};
use super::Ty;

impl FnGen<'_> {
    /// An expression of type `ty`. `known`: the context fixes the type of unsuffixed
    /// literals; when false, every literal is suffixed.
    pub(super) fn expr(&mut self, ty: Ty, depth: u32, known: bool) -> String {
        if depth == 0 || self.rng.chance(25) {
            return self.leaf(ty, known);
        }
        let d = depth - 1;
        let choice = self.rng.below(20);
        let generated = match ty {
            Ty::Bool => self.bool_expr(choice, d, known),
            t if t.is_float() => self.float_expr(t, choice, d, known),
            t => self.int_expr(t, choice, d, known),
        };
        generated.unwrap_or_else(|| self.leaf(ty, known))
    }

    fn bool_expr(&mut self, choice: u64, d: u32, known: bool) -> Option<String> {
        Some(match choice {
            0..=5 => {
                let t = *self.rng.pick(&Ty::NUMERIC);
                let op = *self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
                let (a, b) = (self.expr(t, d, false), self.expr(t, d, false));
                self.binary(&a, op, &b)
            }
            6 => {
                let (a, b) = (self.expr(Ty::Bool, d, false), self.expr(Ty::Bool, d, false));
                let op = *self.rng.pick(&["==", "!="]);
                self.binary(&a, op, &b)
            }
            7..=9 => {
                let op = *self.rng.pick(&["&&", "||", "&", "|", "^"]);
                let (a, b) = (self.expr(Ty::Bool, d, known), self.expr(Ty::Bool, d, known));
                self.binary(&a, op, &b)
            }
            10 => format!("(!{})", self.expr(Ty::Bool, d, known)),
            11 => {
                let t = *self.rng.pick(&[Ty::F32, Ty::F64]);
                let method = *self.rng.pick(&["is_nan", "is_finite"]);
                format!("({}).{method}()", self.expr(t, d, false))
            }
            12..=13 => self.if_expr(Ty::Bool, d, known),
            14..=15 => self.read(Ty::Bool)?,
            16..=17 => self.call_any(Some(Ty::Bool))?,
            18 => self.match_expr(Ty::Bool, d, known),
            _ => return None,
        })
    }

    fn float_expr(&mut self, ty: Ty, choice: u64, d: u32, known: bool) -> Option<String> {
        Some(match choice {
            0..=4 => {
                let op = *self.rng.pick(&["+", "-", "*", "/", "%"]);
                let (a, b) = (self.expr(ty, d, known), self.expr(ty, d, known));
                self.binary(&a, op, &b)
            }
            5 => format!("(-{})", self.expr(ty, d, known)),
            6..=7 => self.cast(ty, d),
            8..=10 => self.float_builtin(ty, d),
            11..=12 => self.if_expr(ty, d, known),
            13..=15 => self.read(ty)?,
            16..=17 => self.call_any(Some(ty))?,
            18 => self.match_expr(ty, d, known),
            19 => self.block_expr(ty, d, known),
            _ => return None,
        })
    }

    fn int_expr(&mut self, ty: Ty, choice: u64, d: u32, known: bool) -> Option<String> {
        Some(match choice {
            0..=3 => {
                let op = *self.rng.pick(&["+", "-", "*", "/", "%", "&", "|", "^"]);
                let a = self.expr(ty, d, known);
                let b = if op == "/" || op == "%" {
                    self.divisor(ty, d, known)
                } else {
                    self.expr(ty, d, known)
                };
                self.binary(&a, op, &b)
            }
            4 => {
                let op = *self.rng.pick(&["<<", ">>"]);
                let amount_ty = *self.rng.pick(&Ty::INTS);
                let (a, b) = (self.expr(ty, d, known), self.expr(amount_ty, d, false));
                self.binary(&a, op, &b)
            }
            5 if ty.is_signed() => format!("(-{})", self.expr(ty, d, known)),
            5 => format!("(!{})", self.expr(ty, d, known)),
            6..=7 => self.cast(ty, d),
            8..=10 => self.int_builtin(ty, d),
            11 => self.if_expr(ty, d, known),
            12 => self.match_expr(ty, d, known),
            13..=15 => self.read(ty)?,
            16..=17 => self.call_any(Some(ty))?,
            18 => self.dim_query(ty)?,
            19 => self.block_expr(ty, d, known),
            _ => return None,
        })
    }

    /// A right operand of integer `/` or `%`: half of the time a literal that cannot be zero,
    /// so that fewer runs stop at `DivisionByZero`.
    pub(super) fn divisor(&mut self, ty: Ty, d: u32, known: bool) -> String {
        if self.rng.chance(50) {
            let suffix = if known { "" } else { ty.name() };
            format!("{}{suffix}", 1 + self.rng.below(9))
        } else {
            self.expr(ty, d, known)
        }
    }

    /// Bounds for `clamp`: usually two ordered literals, sometimes anything (which may be
    /// the runtime error `InvalidClamp`).
    fn clamp_bounds(&mut self, ty: Ty, d: u32) -> (String, String) {
        if self.rng.chance(80) {
            let low = self.rng.below(5);
            let high = (low + self.rng.below(300)).min(ty.int_max() as u64);
            if ty.is_float() {
                (format!("{low}.0"), format!("{high}.5"))
            } else {
                (low.to_string(), high.to_string())
            }
        } else {
            (self.expr(ty, d, true), self.expr(ty, d, true))
        }
    }

    /// `(a op b)`; now and then broken over two lines or with a comment holding non-ASCII
    /// text in front of the right operand, so that runtime errors on continuation lines and
    /// columns counted in characters (not bytes) are compared too.
    fn binary(&mut self, a: &str, op: &str, b: &str) -> String {
        match self.rng.below(40) {
            0 => format!("({a}\n{}{op} {b})", "    ".repeat(self.indent + 1)),
            1 => format!("({a} {op} /* ünïcödé → */ {b})"),
            2 => format!("({a}\t{op}\t{b})"),
            _ => format!("({a} {op} {b})"),
        }
    }

    fn cast(&mut self, ty: Ty, d: u32) -> String {
        let from = *self.rng.pick(&Ty::ALL);
        format!("({} as {})", self.expr(from, d, false), ty.name())
    }

    /// `{ let t: T = e; t op e }`: a block's tail is its value.
    fn block_expr(&mut self, ty: Ty, d: u32, known: bool) -> String {
        let name = self.fresh_name("t");
        let init = self.expr(ty, d, true);
        self.vars.push(Var {
            name: name.clone(),
            ty,
            mutable: false,
        });
        let tail = self.expr(ty, d, known);
        self.vars.pop();
        format!("{{ let {name}: {} = {init}; {tail} }}", ty.name())
    }

    fn if_expr(&mut self, ty: Ty, d: u32, known: bool) -> String {
        let cond = self.expr(Ty::Bool, d, true);
        let (a, b) = (self.expr(ty, d, known), self.expr(ty, d, known));
        format!("(if {cond} {{ {a} }} else {{ {b} }})")
    }

    /// A `match` on an integer or `bool` scrutinee: on integers a literal arm, an `|` arm, a
    /// range arm, a guarded binding and the catch-all; on `bool` both values.
    fn match_expr(&mut self, ty: Ty, d: u32, known: bool) -> String {
        let on = *self
            .rng
            .pick(&[Ty::I32, Ty::I64, Ty::U32, Ty::U64, Ty::Usize, Ty::Bool]);
        let scrutinee = self.expr(on, d, false);
        if on == Ty::Bool {
            let (a, b) = (self.expr(ty, d, known), self.expr(ty, d, known));
            return format!("(match {scrutinee} {{ true => {a}, false => {b} }})");
        }
        let s = on.name();
        let (k, lo) = (self.rng.below(4), 4 + self.rng.below(8));
        let hi = lo + self.rng.below(20);
        let binding = self.fresh_name("m");
        let arms: Vec<String> = (0..5).map(|_| self.expr(ty, d, known)).collect();
        format!(
            "(match {scrutinee} {{ {k}{s} => {}, {}{s} | {}{s} => {}, {lo}{s}..={hi}{s} => {}, \
             {binding} if {binding} % 3{s} == 0{s} => {}, _ => {} }})",
            arms[0],
            k + 100,
            k + 200,
            arms[1],
            arms[2],
            arms[3],
            arms[4]
        )
    }

    /// The receiver of a method: suffixed literals, parenthesised.
    fn receiver(&mut self, ty: Ty, d: u32) -> String {
        let e = self.expr(ty, d, false);
        if e.starts_with('(') && e.ends_with(')') && !e.starts_with("(if") {
            e
        } else {
            format!("({e})")
        }
    }

    fn float_builtin(&mut self, ty: Ty, d: u32) -> String {
        const UNARY: &[&str] = &[
            "sqrt",
            "cbrt",
            "abs",
            "signum",
            "recip",
            "floor",
            "ceil",
            "round",
            "trunc",
            "fract",
            "exp",
            "exp2",
            "ln",
            "log2",
            "log10",
            "sin",
            "cos",
            "tan",
            "asin",
            "acos",
            "atan",
            "sinh",
            "cosh",
            "tanh",
            "to_degrees",
            "to_radians",
        ];
        const BINARY: &[&str] = &[
            "log",
            "powf",
            "atan2",
            "hypot",
            "min",
            "max",
            "rem_euclid",
            "div_euclid",
        ];
        let recv = self.receiver(ty, d);
        match self.rng.below(10) {
            0..=4 => format!("{recv}.{}()", self.rng.pick(UNARY)),
            5..=7 => {
                let method = *self.rng.pick(BINARY);
                format!("{recv}.{method}({})", self.expr(ty, d, true))
            }
            8 => format!("{recv}.powi({})", self.expr(Ty::I32, d, true)),
            _ if self.rng.chance(50) => {
                let (a, b) = (self.expr(ty, d, true), self.expr(ty, d, true));
                format!("{recv}.mul_add({a}, {b})")
            }
            _ => {
                let (a, b) = self.clamp_bounds(ty, d);
                format!("{recv}.clamp({a}, {b})")
            }
        }
    }

    fn int_builtin(&mut self, ty: Ty, d: u32) -> String {
        if ty == Ty::U32 && self.rng.chance(30) {
            let from = *self.rng.pick(&Ty::INTS);
            let method = *self.rng.pick(&["count_ones", "leading_zeros"]);
            return format!("{}.{method}()", self.receiver(from, d));
        }
        let recv = self.receiver(ty, d);
        match self.rng.below(10) {
            0 if ty.is_signed() => format!("{recv}.abs()"),
            1 if ty.is_signed() => format!("{recv}.signum()"),
            0..=5 => {
                let method = *self.rng.pick(&[
                    "min",
                    "max",
                    "rem_euclid",
                    "div_euclid",
                    "wrapping_add",
                    "wrapping_sub",
                    "wrapping_mul",
                ]);
                let arg = if method.ends_with("euclid") {
                    self.divisor(ty, d, true)
                } else {
                    self.expr(ty, d, true)
                };
                format!("{recv}.{method}({arg})")
            }
            6..=7 => format!("{recv}.pow({})", self.expr(Ty::U32, d, true)),
            _ => {
                let (a, b) = self.clamp_bounds(ty, d);
                format!("{recv}.clamp({a}, {b})")
            }
        }
    }
}
