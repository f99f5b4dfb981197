//! Control flow: `if`, `for` ranges, `prange` loops and their reductions, `while`, `loop`
//! with `break` values, `break`/`continue` and early `return`.

use super::function::{FnGen, LoopCtx, Parallel, Reduce, Var};
use super::scalars::int_text;
use super::{ArraySpec, Ty};

impl FnGen<'_> {
    pub(super) fn if_stmt(&mut self) {
        let cond = self.expr(Ty::Bool, 3, true);
        self.line(&format!("if {cond} {{"));
        let n = 1 + self.rng.below(3) as u32;
        self.block(n, |_| {});
        if self.rng.chance(30) {
            let cond = self.expr(Ty::Bool, 2, true);
            self.line(&format!("}} else if {cond} {{"));
            self.block(1, |_| {});
        }
        if self.rng.chance(50) {
            self.line("} else {");
            let n = 1 + self.rng.below(2) as u32;
            self.block(n, |_| {});
        }
        self.line("}");
    }

    pub(super) fn label(&mut self) -> Option<String> {
        self.rng.chance(30).then(|| self.fresh_name("'l"))
    }

    pub(super) fn enter_loop(&mut self, label: Option<String>, value: Option<Ty>, parallel: bool) {
        self.loops.push(LoopCtx {
            label,
            value,
            parallel,
        });
        self.loop_depth += 1;
        self.max_depth = self.max_depth.max(self.loop_depth);
    }

    pub(super) fn leave_loop(&mut self) {
        self.loops.pop();
        self.loop_depth -= 1;
    }

    pub(super) fn label_prefix(label: &Option<String>) -> String {
        label.as_ref().map_or(String::new(), |l| format!("{l}: "))
    }

    pub(super) fn for_stmt(&mut self) {
        if self.parallel.is_none() && self.rng.chance(35) {
            return self.prange_stmt();
        }
        // Inside a parallel loop, now and then a nested `prange` (it runs sequentially).
        let (var_ty, range) = if self.parallel.is_some() && self.rng.chance(30) {
            let (ty, start, end) = self.range_bounds();
            let dots = self.range_dots();
            (ty, format!("prange({start}{dots}{end})"))
        } else {
            self.range()
        };
        let var = self.fresh_name("i");
        let label = self.label();
        let prefix = Self::label_prefix(&label);
        self.line(&format!("{prefix}for {var} in {range} {{"));
        self.enter_loop(label, None, false);
        let n = 1 + self.rng.below(3) as u32;
        self.block(n, |g| {
            g.vars.push(Var {
                name: var,
                ty: var_ty,
                mutable: false,
            })
        });
        self.leave_loop();
        self.line("}");
    }

    /// The loop variable's type and a range of at most a handful of values.
    fn range(&mut self) -> (Ty, String) {
        let (ty, start, end) = self.range_bounds();
        let dots = self.range_dots();
        let base = format!("({start}{dots}{end})");
        let base = if self.rng.chance(30) {
            format!("{base}.rev()")
        } else {
            base
        };
        let range = if self.rng.chance(25) {
            let step = if self.rng.chance(10) {
                // A step that may be zero: `ZeroStep` must agree too.
                let e = self.expr(Ty::Usize, 1, true);
                format!("({e} % 3)")
            } else {
                (1 + self.rng.below(3)).to_string()
            };
            format!("{base}.step_by({step})")
        } else {
            base
        };
        (ty, range)
    }

    fn range_dots(&mut self) -> &'static str {
        if self.rng.chance(30) {
            "..="
        } else {
            ".."
        }
    }

    /// A range's type, start and end: an array extent, run-time values a few steps apart,
    /// the ends of a type, or small literals.
    fn range_bounds(&mut self) -> (Ty, String, String) {
        let lens: Vec<String> = self
            .sig
            .arrays
            .iter()
            .map(|a| match (a.rank, self.rng.below(3)) {
                (1, _) | (_, 0) => format!("{}.len()", a.name),
                (_, 1) => format!("{}.shape()[0]", a.name),
                _ => format!("{}.shape()[1]", a.name),
            })
            .collect();
        let int_vars: Vec<Var> = self
            .vars
            .iter()
            .filter(|v| v.ty.is_int())
            .cloned()
            .collect();
        let choice = self.rng.below(20);
        let (ty, start, end) = if !lens.is_empty() && choice < 7 {
            let end = self.rng.pick(&lens).clone();
            (Ty::Usize, "0".to_string(), end)
        } else if !int_vars.is_empty() && choice < 11 {
            // Bounds from run-time values, a few steps apart (or empty, when adding wraps).
            let var = self.rng.pick(&int_vars).clone();
            let end = format!("{}.wrapping_add({})", var.name, self.rng.below(5));
            (var.ty, var.name, end)
        } else if choice < 14 {
            // Ranges at the ends of the type, where a loop counter must not wrap.
            let ty = *self.rng.pick(&Ty::INTS);
            let name = ty.name();
            let (k1, k2) = (self.rng.below(4), self.rng.below(4));
            if ty.is_signed() && self.rng.chance(50) {
                (
                    ty,
                    format!("({name}::MIN + {k1})"),
                    format!("({name}::MIN + {k2})"),
                )
            } else {
                (
                    ty,
                    format!("({name}::MAX - {k1})"),
                    format!("({name}::MAX - {k2})"),
                )
            }
        } else {
            let ty = *self.rng.pick(&Ty::INTS);
            let low: i64 = if ty.is_signed() {
                self.rng.below(5) as i64 - 2
            } else {
                self.rng.below(3) as i64
            };
            let high = low + self.rng.below(6) as i64 - 1;
            let high = if ty.is_signed() { high } else { high.max(0) };
            let start = format!("{low}{}", ty.name());
            (ty, start, int_text(high))
        };
        (ty, start, end)
    }

    /// `for i in prange(a..b) { … }` under the rules of [`Parallel`].
    fn prange_stmt(&mut self) {
        let outputs: Vec<ArraySpec> = self
            .sig
            .arrays
            .iter()
            .filter(|a| a.mutable && self.rng.chance(60))
            .cloned()
            .collect();
        let (var_ty, start, end, long, dots) = match self.rng.below(10) {
            // Longer loops (several iterations per chunk), then with reductions only: their
            // own elements would mostly be out of bounds.
            0..=1 => {
                let ty = *self.rng.pick(&Ty::INTS);
                let end = 5 + self.rng.below(60);
                (ty, format!("0{}", ty.name()), end.to_string(), true, "..")
            }
            // The extent of axis 0 of an output, the natural parallel loop.
            2..=5 if !outputs.is_empty() => {
                let a = self.rng.pick(&outputs).clone();
                let end = match (a.rank, self.rng.below(2)) {
                    (1, _) => format!("{}.len()", a.name),
                    (2, 0) => format!("{}.nrows()", a.name),
                    _ => format!("{}.shape()[0]", a.name),
                };
                (Ty::Usize, "0".to_string(), end, false, "..")
            }
            _ => {
                let (ty, start, end) = self.range_bounds();
                (ty, start, end, false, self.range_dots())
            }
        };
        let outputs: Vec<String> = if long {
            Vec::new()
        } else {
            outputs.into_iter().map(|a| a.name).collect()
        };
        let reductions = self.choose_reductions();
        let var = self.fresh_name("i");
        let label = self.label();
        let prefix = Self::label_prefix(&label);
        self.line(&format!(
            "{prefix}for {var} in prange({start}{dots}{end}) {{"
        ));
        // Outer scalars are read-only in the body, reduction variables invisible; outer
        // fixed arrays are read-only; no outer loop is a `break`/`continue` target.
        let saved_vars = self.vars.clone();
        let saved_fixed = self.fixed.clone();
        let saved_loops = std::mem::take(&mut self.loops);
        self.vars
            .retain(|v| reductions.iter().all(|(r, _)| r.name != v.name));
        self.vars.iter_mut().for_each(|v| v.mutable = false);
        self.fixed.iter_mut().for_each(|f| f.mutable = false);
        self.parallel = Some(Parallel {
            var: var.clone(),
            outputs,
            reductions: reductions.clone(),
        });
        self.enter_loop(label, None, true);
        let n = 1 + self.rng.below(4) as u32;
        let writes = !self.parallel.as_ref().is_some_and(|p| p.outputs.is_empty());
        self.block(n, |g| {
            g.vars.push(Var {
                name: var,
                ty: var_ty,
                mutable: false,
            });
            for index in 0..reductions.len() {
                g.reduce(index);
            }
            if writes {
                g.assign_element();
            }
        });
        self.leave_loop();
        self.line("}");
        self.parallel = None;
        self.vars = saved_vars;
        self.fixed = saved_fixed;
        self.loops = saved_loops;
    }

    /// Some mutable outer scalars and how each is reduced (see [`Parallel`]).
    fn choose_reductions(&mut self) -> Vec<(Var, Reduce)> {
        let candidates: Vec<Var> = self
            .vars
            .iter()
            .filter(|v| v.mutable && v.ty != Ty::Bool && self.rng.chance(50))
            .take(3)
            .cloned()
            .collect();
        let mut reductions = Vec::new();
        for var in candidates {
            let op = if var.ty.is_float() && self.reassociate.is_none() {
                *self.rng.pick(&[Reduce::Min, Reduce::Max])
            } else {
                *self
                    .rng
                    .pick(&[Reduce::Add, Reduce::Mul, Reduce::Min, Reduce::Max])
            };
            reductions.push((var, op));
        }
        reductions
    }

    /// One update of a random reduction variable of the enclosing parallel loop.
    pub(super) fn reduction_stmt(&mut self) {
        let count = self.parallel.as_ref().map_or(0, |p| p.reductions.len());
        if count == 0 {
            return self.let_stmt();
        }
        let index = self.rng.below(count as u64) as usize;
        self.reduce(index);
    }

    /// `x += e;`, `x *= e;`, `x = x.min(e);` or `x = x.max(e);` for reduction `index`.
    fn reduce(&mut self, index: usize) {
        let Some((var, op)) = self
            .parallel
            .as_ref()
            .and_then(|p| p.reductions.get(index).cloned())
        else {
            return;
        };
        let value = self.expr(var.ty, 3, true);
        let name = &var.name;
        let text = match op {
            Reduce::Add => format!("{name} += {value};"),
            Reduce::Mul => format!("{name} *= {value};"),
            Reduce::Min => format!("{name} = {name}.min({value});"),
            Reduce::Max => format!("{name} = {name}.max({value});"),
        };
        self.line(&text);
    }

    pub(super) fn while_stmt(&mut self) {
        let counter = self.fresh_name("w");
        let bound = 1 + self.rng.below(5);
        let cond = self.expr(Ty::Bool, 2, true);
        self.line(&format!("let mut {counter} = 0u32;"));
        let label = self.label();
        let prefix = Self::label_prefix(&label);
        self.line(&format!("{prefix}while {counter} < {bound} && {cond} {{"));
        self.enter_loop(label, None, false);
        let n = 1 + self.rng.below(3) as u32;
        self.block(n, |g| g.line(&format!("{counter} += 1;")));
        self.leave_loop();
        self.line("}");
    }

    /// `let v = loop { … break value; … };` with a counter bounding it.
    pub(super) fn loop_stmt(&mut self) {
        let ty = *self.rng.pick(&Ty::ALL);
        let counter = self.fresh_name("c");
        let name = self.fresh_name("v");
        let bound = 1 + self.rng.below(5);
        self.line(&format!("let mut {counter}: u32 = 0;"));
        let label = self.label();
        let prefix = Self::label_prefix(&label);
        self.line(&format!("let {name}: {} = {prefix}loop {{", ty.name()));
        self.enter_loop(label, Some(ty), false);
        let n = 1 + self.rng.below(3) as u32;
        self.block(n, |g| {
            g.line(&format!("{counter} += 1;"));
            let value = g.expr(ty, 2, true);
            g.line(&format!("if {counter} > {bound} {{ break {value}; }}"));
        });
        self.indent += 1;
        let value = self.expr(ty, 2, true);
        self.line(&format!("if {counter} >= {bound} {{ break {value}; }}"));
        self.indent -= 1;
        self.leave_loop();
        self.line("};");
        self.vars.push(Var {
            name,
            ty,
            mutable: false,
        });
    }

    pub(super) fn break_or_continue(&mut self) {
        let target = self.rng.below(self.loops.len() as u64) as usize;
        let innermost = target + 1 == self.loops.len();
        let ctx = self.loops[target].clone();
        if !innermost && ctx.label.is_none() {
            return self.let_stmt();
        }
        let label = if innermost && self.rng.chance(60) {
            String::new()
        } else {
            match &ctx.label {
                Some(l) => format!(" {l}"),
                None => String::new(),
            }
        };
        let cond = self.expr(Ty::Bool, 2, true);
        let action = if ctx.parallel || self.rng.chance(50) {
            format!("continue{label}")
        } else if let Some(ty) = ctx.value {
            let value = self.expr(ty, 2, true);
            format!("break{label} {value}")
        } else {
            format!("break{label}")
        };
        self.line(&format!("if {cond} {{ {action}; }}"));
    }

    pub(super) fn early_return(&mut self) {
        if self.parallel.is_some() {
            return self.let_stmt();
        }
        let cond = self.expr(Ty::Bool, 2, true);
        let value = self.expr(self.sig.ret, 2, true);
        self.line(&format!("if {cond} {{ return {value}; }}"));
    }
}
