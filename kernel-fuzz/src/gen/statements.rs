//! Straight-line statements: `let`s, assignments to locals and elements, `dim()` bindings,
//! fixed local arrays, blocks and their scopes, calls for their effect.

use super::function::{Fixed, FnGen, Scope, Var};
use super::{ArraySpec, Ty, MAX_LOOP_DEPTH};

impl FnGen<'_> {
    pub(super) fn stmt(&mut self) {
        self.budget = self.budget.saturating_sub(1);
        let reducing = self
            .parallel
            .as_ref()
            .is_some_and(|p| !p.reductions.is_empty());
        if reducing && self.rng.chance(15) {
            return self.reduction_stmt();
        }
        let nested = self.indent < 4;
        if nested && self.rng.chance(10) {
            return self.shape_stmt();
        }
        match self.rng.below(23) {
            0..=3 => self.let_stmt(),
            4..=6 => self.assign_local(),
            7..=8 => self.assign_element(),
            9 => self.fixed_decl(),
            10..=11 if nested => self.if_stmt(),
            12..=13 if nested && self.loop_depth < self.loop_limit() => self.for_stmt(),
            14 if nested && self.loop_depth < self.loop_limit() => self.while_stmt(),
            15 if nested && self.loop_depth < self.loop_limit() => self.loop_stmt(),
            16 if !self.loops.is_empty() => self.break_or_continue(),
            17 => self.early_return(),
            18..=19 => self.call_stmt(),
            20 => self.dim_stmt(),
            _ => self.let_stmt(),
        }
    }

    fn loop_limit(&self) -> u32 {
        MAX_LOOP_DEPTH - 1
    }

    pub(super) fn let_stmt(&mut self) {
        let ty = *self.rng.pick(&Ty::ALL);
        // Now and then shadow a local of the current block (its initialiser may still read
        // the old one); only the current block's, so the model of what is visible stays a
        // stack that `block` can truncate.
        // Never the `prange` variable: writes index their own elements with it.
        let shadowed = (self.scope_start < self.vars.len() && self.rng.chance(15))
            .then(|| {
                self.scope_start
                    + self.rng.below((self.vars.len() - self.scope_start) as u64) as usize
            })
            .filter(|&i| {
                self.parallel
                    .as_ref()
                    .is_none_or(|p| p.var != self.vars[i].name)
            })
            // Nor a size local: shapes rely on its value staying within reach of an extent.
            .filter(|&i| self.sizes.iter().all(|s| s.name != self.vars[i].name));
        let name = match shadowed {
            Some(index) => self.vars[index].name.clone(),
            None => self.fresh_name("v"),
        };
        let mutable = self.rng.chance(60);
        let annotate = self.rng.chance(50);
        let init = self.expr(ty, 3, annotate);
        let m = if mutable { "mut " } else { "" };
        if annotate {
            self.line(&format!("let {m}{name}: {} = {init};", ty.name()));
        } else {
            self.line(&format!("let {m}{name} = {init};"));
        }
        let var = Var { name, ty, mutable };
        match shadowed {
            Some(index) => self.vars[index] = var,
            None => self.vars.push(var),
        }
    }

    fn assign_local(&mut self) {
        let candidates: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].mutable)
            .collect();
        if candidates.is_empty() {
            return self.let_stmt();
        }
        let var = self.vars[*self.rng.pick(&candidates)].clone();
        let (op, value) = self.assign_value(var.ty);
        self.line(&format!("{} {op}= {value};", var.name));
    }

    /// An assignment operator (`""` for plain `=`) and its right-hand side.
    pub(super) fn assign_value(&mut self, ty: Ty) -> (&'static str, String) {
        let ops: &[&str] = match ty {
            Ty::Bool => &["", "", "&", "|", "^"],
            t if t.is_float() => &["", "", "+", "-", "*", "/", "%"],
            _ => &["", "", "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"],
        };
        let op = *self.rng.pick(ops);
        let value = if op == "<<" || op == ">>" {
            let amount_ty = *self.rng.pick(&Ty::INTS);
            self.expr(amount_ty, 2, false)
        } else if ty.is_int() && (op == "/" || op == "%") {
            self.divisor(ty, 3, true)
        } else {
            self.expr(ty, 3, true)
        };
        (op, value)
    }

    pub(super) fn assign_element(&mut self) {
        let arrays: Vec<ArraySpec> = self
            .sig
            .arrays
            .iter()
            .filter(|a| {
                a.mutable
                    && self
                        .parallel
                        .as_ref()
                        .is_none_or(|p| p.outputs.contains(&a.name))
            })
            .cloned()
            .collect();
        let fixed: Vec<Fixed> = self.fixed.iter().filter(|f| f.mutable).cloned().collect();
        if arrays.is_empty() && fixed.is_empty() {
            return self.let_stmt();
        }
        let (place, elem) = if !fixed.is_empty() && (arrays.is_empty() || self.rng.chance(40)) {
            let f = self.rng.pick(&fixed).clone();
            (self.fixed_place(&f), f.elem)
        } else {
            let a = self.rng.pick(&arrays).clone();
            (self.array_place(&a), a.elem)
        };
        let (op, value) = self.assign_value(elem);
        self.line(&format!("{place} {op}= {value};"));
    }

    /// `let (n, m) = a.dim();` for an array of rank 2 or 3.
    fn dim_stmt(&mut self) {
        let arrays: Vec<ArraySpec> = self
            .sig
            .arrays
            .iter()
            .filter(|a| a.rank > 1)
            .cloned()
            .collect();
        if arrays.is_empty() {
            return self.let_stmt();
        }
        let array = self.rng.pick(&arrays).clone();
        let names: Vec<String> = (0..array.rank).map(|_| self.fresh_name("n")).collect();
        self.line(&format!(
            "let ({}) = {}.dim();",
            names.join(", "),
            array.name
        ));
        for name in names {
            self.vars.push(Var {
                name,
                ty: Ty::Usize,
                mutable: false,
            });
        }
    }

    fn fixed_decl(&mut self) {
        let elem = *self.rng.pick(&Ty::ALL);
        let name = self.fresh_name("f");
        let mutable = self.rng.chance(70);
        let len = 1 + self.rng.below(4) as u32;
        let init = if self.rng.chance(30) {
            // An allocated array behaves as a fixed one of the same length: rank 1, its
            // elements starting at one value.
            let value = self.expr(elem, 1, false);
            match self.rng.below(3) {
                0 => format!("vec![{value}; {len}usize]"),
                1 => format!("Array1::from_elem({len}usize, {value})"),
                _ => format!(
                    "ndarray::Array1::<{}>::from_elem({len}, {value})",
                    elem.name()
                ),
            }
        } else if self.rng.chance(50) {
            format!("[{}; {len}]", self.expr(elem, 1, false))
        } else {
            let items: Vec<String> = (0..len).map(|_| self.expr(elem, 1, false)).collect();
            format!("[{}]", items.join(", "))
        };
        let m = if mutable { "mut " } else { "" };
        self.line(&format!("let {m}{name} = {init};"));
        self.fixed.push(Fixed {
            name,
            elem,
            len,
            mutable,
        });
    }

    /// Runs `body` in a nested block; locals declared inside go out of scope after it.
    pub(super) fn block(&mut self, statements: u32, body: impl FnOnce(&mut Self)) {
        let scope = self.push_scope();
        body(self);
        self.pop_scope(scope, statements);
    }

    /// Enters a nested block (one indent deeper, its own scope for shadowing).
    pub(super) fn push_scope(&mut self) -> Scope {
        let scope = Scope {
            vars: self.vars.len(),
            fixed: self.fixed.len(),
            sizes: self.sizes.len(),
            scope_start: self.scope_start,
        };
        self.scope_start = self.vars.len();
        self.indent += 1;
        scope
    }

    /// Ends the block entered by `push_scope` with up to `statements` random statements;
    /// locals declared inside go out of scope.
    pub(super) fn pop_scope(&mut self, scope: Scope, statements: u32) {
        for _ in 0..statements {
            if self.budget == 0 {
                break;
            }
            self.stmt();
        }
        self.indent -= 1;
        self.vars.truncate(scope.vars);
        self.fixed.truncate(scope.fixed);
        self.sizes.truncate(scope.sizes);
        self.scope_start = scope.scope_start;
    }

    fn call_stmt(&mut self) {
        match self.call_any(None) {
            Some(call) => self.line(&format!("{call};")),
            None => self.let_stmt(),
        }
    }
}
