//! Array accesses: indices (in bounds or not), element places of array parameters and fixed
//! local arrays, extent queries and element reads.

use super::function::{Fixed, FnGen, Var};
use super::{ArraySpec, Ty};

impl FnGen<'_> {
    /// An index into an axis of extent `extent_text`: usually in bounds, sometimes anything.
    fn index(&mut self, extent_text: &str) -> String {
        // Loop variables are the natural indices (and often in bounds).
        let loop_vars: Vec<Var> = self
            .vars
            .iter()
            .filter(|v| v.ty.is_int() && v.name.starts_with('i'))
            .cloned()
            .collect();
        match self.rng.below(20) {
            0..=11 => {
                let ty = *self.rng.pick(&Ty::INTS);
                let e = self.expr(ty, 2, false);
                format!("(({e} as usize) % {extent_text})")
            }
            12..=15 if !loop_vars.is_empty() => self.rng.pick(&loop_vars).name.clone(),
            12..=18 => {
                let e = self.expr(Ty::I64, 1, false);
                format!("({e}).rem_euclid({extent_text} as i64)")
            }
            _ => {
                let ty = *self.rng.pick(&Ty::INTS);
                self.expr(ty, 1, false)
            }
        }
    }

    /// An element of `array`; inside a parallel loop that writes `array`, one of the
    /// iteration's own elements (the loop variable as the first index).
    pub(super) fn array_place(&mut self, array: &ArraySpec) -> String {
        let name = &array.name;
        let own = self
            .parallel
            .as_ref()
            .filter(|p| p.outputs.contains(name))
            .map(|p| p.var.clone());
        match array.rank {
            1 => {
                let i = own.unwrap_or_else(|| self.index(&format!("{name}.len()")));
                format!("{name}[{i}]")
            }
            2 => {
                let i = own.unwrap_or_else(|| self.index(&format!("{name}.nrows()")));
                let j = self.index(&format!("{name}.ncols()"));
                if self.rng.chance(20) {
                    format!("{name}[({i}, {j})]")
                } else {
                    format!("{name}[[{i}, {j}]]")
                }
            }
            _ => {
                let i = own.unwrap_or_else(|| self.index(&format!("{name}.shape()[0]")));
                let j = self.index(&format!("{name}.len_of(Axis(1))"));
                let k = self.index(&format!("{name}.shape()[2]"));
                format!("{name}[[{i}, {j}, {k}]]")
            }
        }
    }

    pub(super) fn fixed_place(&mut self, fixed: &Fixed) -> String {
        let i = self.index(&fixed.len.to_string());
        format!("{}[{i}]", fixed.name)
    }

    /// `a.len()` and friends, cast to `ty` when it is not `usize`.
    pub(super) fn dim_query(&mut self, ty: Ty) -> Option<String> {
        if self.sig.arrays.is_empty() && self.fixed.is_empty() {
            return None;
        }
        let text = if self.sig.arrays.is_empty() || (!self.fixed.is_empty() && self.rng.chance(30))
        {
            format!("{}.len()", self.rng.pick(&self.fixed).name)
        } else {
            let a = self.rng.pick(&self.sig.arrays).clone();
            let axis = self.rng.below(a.rank as u64);
            match (a.rank, self.rng.below(5)) {
                (_, 0) | (1, _) => format!("{}.len()", a.name),
                (2, 1) => format!("{}.nrows()", a.name),
                (2, 2) => format!("{}.ncols()", a.name),
                (_, 3) => format!("{}.len_of(Axis({axis}))", a.name),
                _ => format!("{}.shape()[{axis}]", a.name),
            }
        };
        Some(if ty == Ty::Usize {
            text
        } else {
            format!("({text} as {})", ty.name())
        })
    }

    /// Reads an array element or a fixed-array element of type `ty`.
    pub(super) fn read(&mut self, ty: Ty) -> Option<String> {
        let arrays: Vec<ArraySpec> = self
            .sig
            .arrays
            .iter()
            .filter(|a| a.elem == ty)
            .cloned()
            .collect();
        let fixed: Vec<Fixed> = self
            .fixed
            .iter()
            .filter(|f| f.elem == ty)
            .cloned()
            .collect();
        if !fixed.is_empty() && (arrays.is_empty() || self.rng.chance(40)) {
            let f = self.rng.pick(&fixed).clone();
            return Some(self.fixed_place(&f));
        }
        if arrays.is_empty() {
            return None;
        }
        let a = self.rng.pick(&arrays).clone();
        Some(self.array_place(&a))
    }
}
