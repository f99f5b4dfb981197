//! Loop shapes for bounds-check elimination: the nests a bounds analysis proves accesses in,
//! hoists checks out of or versions, emitted so the differential campaign exercises it.
//!
//! - **Bounds** ([`FnGen::bound`]) come from the arrays (`a.nrows()`, `x.len()`,
//!   `a.shape()[k]`, `a.len_of(Axis(k))`, directly or through `let n = …;` and
//!   `let (n, m) = a.dim();`), from size parameters (`len0: usize`, which [`size_value`] makes
//!   equal to, a little smaller or a little larger than the extent it stands for), or from
//!   `extent - 1` (which wraps to `usize::MAX` when the extent is 0), `extent / 2`,
//!   `extent.min(…)`. About one shape in seven makes one *misfit* choice that runs past the
//!   end: `extent + 1`, another array's extent, a constant, `..=extent`, a stencil offset
//!   beyond the range, an off-by-one guard, a bound or index local grown in the loop.
//! - **Nests**: elementwise loops over one to three arrays (strided `x[2 * i + 1]` and cast
//!   indices too), triangular nests (`0..i`, `0..=i`, `i + 1..n`, reversed and stepped, a
//!   Cholesky-like three-deep one), stencils with offsets on 1-, 2- and 3-D arrays (in place
//!   too), gemm / gemv / `Aᵀx` / rank-1 updates with loop-invariant operands, bound locals
//!   that are `mut` (assigned outside the loop, or inside it, where the range was already
//!   evaluated), `while i < n` loops, index locals (unchanged in the loop, assigned in it or in
//!   a nested loop, `let`-bound in the body), and accesses under guards (`if j < m { … }`,
//!   `if i > 0 { … }`), reductions into one element over an innermost loop (`c[[i, j]] += …`,
//!   which a backend may keep in a register) beside other accesses of the same array that are
//!   provably other elements or may be the same one. Now and then the outer loop is a
//!   `prange` writing only its own rows.
//! - **Exits**: `break`, `continue` (also to an outer label) and `return` inside the nests.
//! - **Pure nests** (about a third): `usize` counters, plain (or `..=n - 1`) ranges, nothing
//!   in the bodies but the shape's own statements, over `f64` arguments where there are some:
//!   the loops the JIT also turns into vector loops behind its own guard.
//!
//! So runtime errors happen at some iteration after some writes, and the tiers must agree on
//! both; [`super::Program::tags`] records which shapes a program has.
//!
//! **Termination.** Every bound is a few elements, except where it may wrap (`n - 1` with
//! `n == 0`, `0..=n - 1`): such a loop starts its body with an unconditional access through its
//! variable (a *sentinel*; an innermost stencil's own first statement is one), which stops the
//! call with an out-of-bounds error once the variable passes the extent. Bound and index locals
//! are never assigned by ordinary statements (they are registered read-only), and the
//! assignments shapes make keep them within reach of an extent. Deep recursive functions get
//! no nests.

use super::function::{FnGen, LoopCtx, Parallel, Scope, Var};
use super::scalars::literal;
use super::{ArraySpec, Rng, Ty, MAX_LOOP_DEPTH};

/// A size parameter of a function: a `usize` that its callers derive from an extent of one
/// of its arrays (`size_value` for the entry, `FnGen::size_arg` for calls).
#[derive(Clone, Debug, PartialEq)]
pub struct SizeParam {
    pub name: String,
    pub array: String,
    pub axis: usize,
}

/// A `usize` local or parameter in scope that shapes use as a loop bound.
#[derive(Clone, Debug)]
pub(super) struct SizeVar {
    pub name: String,
    /// The array axis whose extent it is derived from.
    pub of: (String, usize),
    /// It may be huge (a wrapped `n - 1`): loops over it need a sentinel.
    pub huge: bool,
    /// A size parameter (not a local).
    pub param: bool,
}

/// Size parameters for a function taking `arrays`: with probability `percent`, one or two.
pub(super) fn size_params(rng: &mut Rng, arrays: &[ArraySpec], percent: u64) -> Vec<SizeParam> {
    if arrays.is_empty() || !rng.chance(percent) {
        return Vec::new();
    }
    (0..1 + rng.below(2))
        .map(|i| {
            let array = rng.pick(arrays);
            SizeParam {
                name: format!("len{i}"),
                array: array.name.clone(),
                axis: rng.below(array.rank as u64) as usize,
            }
        })
        .collect()
}

/// The argument of a size parameter standing for an axis of `extent` elements: usually the
/// extent, often one or two less or more, sometimes 0 or anything small.
pub(super) fn size_value(rng: &mut Rng, extent: usize) -> usize {
    match rng.below(20) {
        0..=10 => extent,
        11..=13 => extent.saturating_sub(1),
        14..=15 => extent + 1,
        16 => extent + 2,
        17 => extent.saturating_sub(2),
        18 => 0,
        _ => rng.below(6) as usize,
    }
}

/// An array a shape may loop over: a parameter or a local fixed array (rank 1).
#[derive(Clone, Debug, PartialEq)]
struct Arr {
    name: String,
    elem: Ty,
    rank: usize,
    writable: bool,
    /// A local fixed array's length.
    fixed: Option<u32>,
}

/// A loop bound (`usize` text) and whether it may be huge.
#[derive(Clone, Debug)]
struct Bound {
    text: String,
    huge: bool,
}

/// An open `for` loop of a shape.
struct Open {
    var: String,
    scope: Scope,
    parallel: bool,
}

/// A stencil's offsets along one axis.
#[derive(Clone, Copy, Debug)]
enum Offsets {
    /// `c..n - c`, reads at `-c` and `+c`.
    Central(i64),
    /// `0..n - c`, reads at `+c`.
    Forward(i64),
    /// `c..n`, reads at `-c`.
    Backward(i64),
    /// `0..n`, reads at `±c` under `if i >= c` / `if i + c < n`.
    Guarded(i64),
    /// `0..n`, reads at `+c`: runs past the end.
    Overrun(i64),
    /// `0..n`, reads at `-c`: `0 - c` wraps (or is negative) at once.
    Underrun(i64),
}

/// `text` as an operand of type `ty` (a cast unless it is `usize`).
fn cast_to(text: &str, ty: Ty) -> String {
    if ty == Ty::Usize {
        text.to_string()
    } else if text.contains(' ') {
        format!("(({text}) as {})", ty.name())
    } else {
        format!("({text} as {})", ty.name())
    }
}

/// `var + offset` as an index.
fn offset(var: &str, offset: i64) -> String {
    match offset {
        0 => var.to_string(),
        o if o > 0 => format!("{var} + {o}"),
        o => format!("{var} - {}", -o),
    }
}

/// A zero of type `ty`, suffixed.
fn zero(ty: Ty) -> String {
    match ty {
        Ty::Bool => "false".into(),
        Ty::F32 => "0.0f32".into(),
        Ty::F64 => "0.0f64".into(),
        t => format!("0{}", t.name()),
    }
}

/// A value read as type `from`, converted to `to`.
fn convert(text: &str, from: Ty, to: Ty) -> String {
    if from == to {
        text.to_string()
    } else if to == Ty::Bool {
        format!("({text} > {})", zero(from))
    } else {
        format!("({text} as {})", to.name())
    }
}

impl FnGen<'_> {
    /// One loop shape (see the module docs), or an ordinary statement when none fits here.
    pub(super) fn shape_stmt(&mut self) {
        let mut arrays = self.shape_arrays();
        let left = MAX_LOOP_DEPTH.saturating_sub(self.loop_depth);
        // A deep recursive function runs its body hundreds of times: no nests there.
        if self.parallel.is_some() || self.sig.deep || arrays.is_empty() || left == 0 {
            return self.let_stmt();
        }
        self.misfits = u32::from(self.rng.chance(15));
        // A pure nest: `usize` counters, plain ranges, nothing in the bodies but the shape's
        // own statements, over `f64` arguments where there are some — the loops the JIT
        // turns into vector loops behind its own guard.
        self.pure = self.rng.chance(30);
        if self.pure {
            self.tag("pure");
            let doubles: Vec<Arr> = arrays
                .iter()
                .filter(|a| a.elem == Ty::F64 && a.fixed.is_none())
                .cloned()
                .collect();
            if !doubles.is_empty() {
                arrays = doubles;
            }
        }
        // A nest is several statements' worth of code: keep programs about as long as
        // without shapes (and the campaigns about as fast).
        self.budget = self.budget.saturating_sub(2);
        // Matrix nests whenever there is a matrix to run them on.
        let matrices = if arrays.iter().any(|a| a.rank == 2) {
            6
        } else {
            0
        };
        let done = match self.rng.below(12 + matrices) {
            0..=1 => false,
            2..=3 => self.stencil(&arrays, left),
            // Not pure: their bodies have ordinary statements by design.
            4..=9 if self.pure => false,
            4..=5 => self.mutable_bound(&arrays),
            6..=7 => self.guarded(&arrays, left),
            8..=9 => self.index_local(&arrays, left),
            10..=11 => self.promoted(&arrays, left),
            12..=14 => self.triangular(&arrays, left),
            _ => self.gemm(&arrays, left),
        };
        if !done {
            self.elementwise(&arrays, left);
        }
        self.pure = false;
    }

    fn tag(&mut self, tag: &'static str) {
        self.tags.push(tag);
    }

    fn shape_arrays(&self) -> Vec<Arr> {
        let mut arrays: Vec<Arr> = self
            .sig
            .arrays
            .iter()
            .map(|a| Arr {
                name: a.name.clone(),
                elem: a.elem,
                rank: a.rank,
                writable: a.mutable,
                fixed: None,
            })
            .collect();
        arrays.extend(self.fixed.iter().map(|f| Arr {
            name: f.name.clone(),
            elem: f.elem,
            rank: 1,
            writable: f.mutable,
            fixed: Some(f.len),
        }));
        arrays
    }

    /// The loop variables' type of a nest: `usize` mostly, now and then another integer type
    /// (then every bound is cast to it).
    fn var_ty(&mut self) -> Ty {
        if self.pure || self.rng.chance(85) {
            Ty::Usize
        } else {
            self.tag("signed-var");
            *self
                .rng
                .pick(&[Ty::I64, Ty::I32, Ty::U32, Ty::U64, Ty::I16, Ty::U16])
        }
    }

    /// An extent of `array` along `axis`, in one of its spellings.
    fn extent_text(&mut self, array: &Arr, axis: usize) -> String {
        let name = &array.name;
        if let Some(len) = array.fixed {
            return if self.rng.chance(25) {
                format!("{len}usize")
            } else {
                format!("{name}.len()")
            };
        }
        let (tag, text) = match (array.rank, axis, self.rng.below(5)) {
            (1, _, 0..=2) => ("spelling-len", format!("{name}.len()")),
            (2, 0, 0..=2) => ("spelling-nrows", format!("{name}.nrows()")),
            (2, 1, 0..=2) => ("spelling-ncols", format!("{name}.ncols()")),
            (_, k, 3) => ("spelling-len-of", format!("{name}.len_of(Axis({k}))")),
            (_, k, _) => ("spelling-shape", format!("{name}.shape()[{k}]")),
        };
        self.tag(tag);
        text
    }

    /// The extent, or (sometimes) a size local or parameter standing for it.
    fn extent_or_size(&mut self, array: &Arr, axis: usize) -> (String, bool) {
        let of = (array.name.clone(), axis);
        let related: Vec<SizeVar> = self.sizes.iter().filter(|s| s.of == of).cloned().collect();
        if !related.is_empty() && self.rng.chance(35) {
            let size = self.rng.pick(&related).clone();
            self.tag(if size.param {
                "size-param"
            } else {
                "extent-local"
            });
            return (size.name, size.huge);
        }
        (self.extent_text(array, axis), false)
    }

    /// Declares a bound local (read-only for ordinary statements).
    fn add_size(&mut self, name: &str, of: (String, usize), huge: bool) {
        self.vars.push(Var {
            name: name.to_string(),
            ty: Ty::Usize,
            mutable: false,
        });
        self.sizes.push(SizeVar {
            name: name.to_string(),
            of,
            huge,
            param: false,
        });
    }

    /// Whether to make a deliberately out-of-range choice here: at most once per shape, in
    /// about one shape in seven (see [`FnGen::shape_stmt`]), so that most runs get through.
    fn misfit(&mut self) -> bool {
        if self.misfits > 0 && self.rng.chance(50) {
            self.misfits -= 1;
            true
        } else {
            false
        }
    }

    /// A bound for a loop over `axis` of `array`: the extent, or something equal to it or
    /// smaller, or (as a misfit) larger; may declare locals first.
    fn bound(&mut self, array: &Arr, axis: usize, arrays: &[Arr]) -> Bound {
        if self.misfit() {
            return self.larger_bound(array, axis, arrays);
        }
        let of = (array.name.clone(), axis);
        let related: Vec<SizeVar> = self.sizes.iter().filter(|s| s.of == of).cloned().collect();
        match self.rng.below(20) {
            0..=6 => {
                self.tag("extent-direct");
                Bound {
                    text: self.extent_text(array, axis),
                    huge: false,
                }
            }
            7..=9 if array.rank > 1 && self.rng.chance(40) => {
                self.tag("dim-tuple");
                let names: Vec<String> = (0..array.rank).map(|_| self.fresh_name("n")).collect();
                self.line(&format!(
                    "let ({}) = {}.dim();",
                    names.join(", "),
                    array.name
                ));
                for (k, name) in names.iter().enumerate() {
                    self.add_size(name, (array.name.clone(), k), false);
                }
                Bound {
                    text: names[axis].clone(),
                    huge: false,
                }
            }
            7..=9 => {
                self.tag("extent-local");
                let name = self.fresh_name("n");
                let extent = self.extent_text(array, axis);
                if self.rng.chance(30) {
                    self.line(&format!("let {name}: usize = {extent};"));
                } else {
                    self.line(&format!("let {name} = {extent};"));
                }
                self.add_size(&name, of, false);
                Bound {
                    text: name,
                    huge: false,
                }
            }
            10..=12 if !related.is_empty() => {
                let size = self.rng.pick(&related).clone();
                self.tag(if size.param {
                    "size-param"
                } else {
                    "extent-local"
                });
                Bound {
                    text: size.name,
                    huge: size.huge,
                }
            }
            13..=15 => {
                self.tag("bound-wrap");
                let (extent, _) = self.extent_or_size(array, axis);
                if self.rng.chance(30) {
                    let name = self.fresh_name("n");
                    self.line(&format!("let {name} = {extent} - 1;"));
                    self.add_size(&name, of, true);
                    Bound {
                        text: name,
                        huge: true,
                    }
                } else {
                    Bound {
                        text: format!("{extent} - 1"),
                        huge: true,
                    }
                }
            }
            16..=17 => {
                self.tag("bound-smaller");
                let (extent, huge) = self.extent_or_size(array, axis);
                let text = match self.rng.below(3) {
                    0 => format!("{extent} / 2"),
                    1 => format!("{extent}.max(1) - 1"),
                    _ => {
                        let other = match related.iter().find(|s| s.name != extent && !s.huge) {
                            Some(size) => size.name.clone(),
                            None => (1 + self.rng.below(4)).to_string(),
                        };
                        format!("{extent}.min({other})")
                    }
                };
                Bound { text, huge }
            }
            _ => {
                let (text, huge) = self.extent_or_size(array, axis);
                Bound { text, huge }
            }
        }
    }

    /// A bound that may pass the extent: one or two more, another array's extent, a
    /// constant.
    fn larger_bound(&mut self, array: &Arr, axis: usize, arrays: &[Arr]) -> Bound {
        match self.rng.below(4) {
            0..=1 => {
                self.tag("bound-larger");
                let (extent, huge) = self.extent_or_size(array, axis);
                Bound {
                    text: format!("{extent} + {}", 1 + self.rng.below(2)),
                    huge,
                }
            }
            2 => {
                self.tag("bound-other");
                let other = self.rng.pick(arrays).clone();
                let k = self.rng.below(other.rank as u64) as usize;
                Bound {
                    text: self.extent_text(&other, k),
                    huge: false,
                }
            }
            _ => {
                self.tag("bound-const");
                Bound {
                    text: format!("{}usize", 1 + self.rng.below(4)),
                    huge: false,
                }
            }
        }
    }

    /// `start..end` in one of the range forms; whether it may be huge.
    fn range_over(&mut self, start: &str, end: &Bound, ty: Ty, plain: bool) -> (String, bool) {
        let end_text = cast_to(&end.text, ty);
        if plain {
            return (format!("{start}..{end_text}"), end.huge);
        }
        if self.misfit() {
            // One past the end.
            self.tag("inclusive");
            return (format!("{start}..={end_text}"), end.huge);
        }
        if self.pure {
            return if self.rng.chance(20) {
                self.tag("inclusive");
                (format!("{start}..={end_text} - 1"), true)
            } else {
                (format!("{start}..{end_text}"), end.huge)
            };
        }
        match self.rng.below(40) {
            0..=26 => (format!("{start}..{end_text}"), end.huge),
            27..=29 => {
                self.tag("rev-step");
                (format!("({start}..{end_text}).rev()"), end.huge)
            }
            30..=33 => {
                self.tag("rev-step");
                let step = 1 + self.rng.below(3);
                (format!("({start}..{end_text}).step_by({step})"), end.huge)
            }
            34..=35 => {
                self.tag("rev-step");
                (format!("({start}..{end_text}).rev().step_by(2)"), end.huge)
            }
            _ => {
                // Wraps to `0..=usize::MAX` when the end is 0.
                self.tag("inclusive");
                (format!("{start}..={end_text} - 1"), true)
            }
        }
    }

    /// Opens `for var in range {` (or `prange(range)`), its body a new scope with `var`.
    fn open_for(&mut self, range: &str, ty: Ty, parallel: bool) -> Open {
        let var = self.fresh_name("i");
        let label = (!parallel && self.rng.chance(35)).then(|| self.fresh_name("'l"));
        let prefix = Self::label_prefix(&label);
        if parallel {
            self.tag("prange-shape");
            self.line(&format!("{prefix}for {var} in prange({range}) {{"));
        } else {
            self.line(&format!("{prefix}for {var} in {range} {{"));
        }
        self.enter_loop(label, None, parallel);
        let scope = self.push_scope();
        self.vars.push(Var {
            name: var.clone(),
            ty,
            mutable: false,
        });
        Open {
            var,
            scope,
            parallel,
        }
    }

    /// Closes a loop opened by `open_for` after up to `statements` random statements (none
    /// in a parallel shape: its body follows the rules of [`Parallel`] by construction).
    fn close_for(&mut self, open: Open, statements: u32) {
        let statements = if self.parallel.is_some() {
            0
        } else {
            statements
        };
        self.pop_scope(open.scope, statements);
        self.leave_loop();
        self.line("}");
        if open.parallel {
            self.parallel = None;
        }
    }

    /// Random statements for a shape's loop body: often none (pure nests are the ones the
    /// backends transform most), else one or two.
    fn body_statements(&mut self) -> u32 {
        if self.pure {
            return 0;
        }
        match self.rng.below(10) {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        }
    }

    /// Enters the rules of a parallel loop writing `outputs` (own elements only).
    fn enter_parallel(&mut self, var: &str, outputs: &[&Arr]) {
        self.parallel = Some(Parallel {
            var: var.to_string(),
            outputs: outputs.iter().map(|a| a.name.clone()).collect(),
            reductions: Vec::new(),
        });
    }

    /// `let t = array[[0.., var, ..0]];`: stops a loop over a possibly huge range once `var`
    /// passes the extent of `axis`. In a parallel shape, an output is read in the iteration's
    /// own row only.
    fn sentinel(&mut self, var: &str, array: &Arr, axis: usize) {
        let own = self
            .parallel
            .as_ref()
            .filter(|p| p.outputs.contains(&array.name))
            .map(|p| p.var.clone());
        let index: Vec<String> = (0..array.rank)
            .map(|k| match (k == axis, k, &own) {
                (true, _, _) => var.to_string(),
                (false, 0, Some(own)) => own.clone(),
                _ => "0usize".into(),
            })
            .collect();
        let read = self.at(array, &index);
        let name = self.fresh_name("t");
        self.line(&format!("let {name} = {read};"));
        self.vars.push(Var {
            name,
            ty: array.elem,
            mutable: false,
        });
    }

    /// `array[i]`, `array[[i, j]]` (now and then `array[(i, j)]`).
    fn at(&mut self, array: &Arr, index: &[String]) -> String {
        match index {
            [i] => format!("{}[{i}]", array.name),
            _ if self.rng.chance(10) => format!("{}[({})]", array.name, index.join(", ")),
            _ => format!("{}[[{}]]", array.name, index.join(", ")),
        }
    }

    /// A value of type `ty` made of `reads` (converted), sometimes scaled.
    fn combine(&mut self, ty: Ty, reads: &[(String, Ty)]) -> String {
        let mut text = String::new();
        for (i, (read, from)) in reads.iter().enumerate() {
            let term = convert(read, *from, ty);
            if i == 0 {
                text = term;
                continue;
            }
            let op = match ty {
                Ty::Bool => *self.rng.pick(&["^", "|", "&", "!="]),
                t if t.is_float() => *self.rng.pick(&["+", "-", "*", "+"]),
                _ => *self.rng.pick(&["+", "-", "*", "^", "+"]),
            };
            text = format!("({text} {op} {term})");
        }
        if ty != Ty::Bool && self.rng.chance(30) {
            let alpha = self.alpha(ty);
            text = format!("({alpha} * {text})");
        }
        text
    }

    /// A loop-invariant factor of type `ty`: a local or a literal.
    fn alpha(&mut self, ty: Ty) -> String {
        let vars = self.vars_of(ty, false);
        if !vars.is_empty() && self.rng.chance(50) {
            return self.vars[*self.rng.pick(&vars)].name.clone();
        }
        if self.pure && ty.is_float() {
            return self.rng.pick(&["0.5", "2.0", "(-1.5)", "3.0"]).to_string();
        }
        literal(self.rng, ty, true)
    }

    /// An update operator for an element of type `ty`.
    fn write_op(&mut self, ty: Ty) -> &'static str {
        let ops: &[&'static str] = if ty == Ty::Bool {
            &["=", "^=", "|=", "&="]
        } else {
            &["=", "=", "+=", "-=", "*="]
        };
        ops[self.rng.below(ops.len() as u64) as usize]
    }

    /// `let mut acc: ty = 0;`, a mutable local that shapes without an output accumulate into.
    fn accumulator(&mut self, ty: Ty) -> String {
        let name = self.fresh_name("v");
        self.line(&format!("let mut {name}: {} = {};", ty.name(), zero(ty)));
        self.vars.push(Var {
            name: name.clone(),
            ty,
            mutable: true,
        });
        name
    }

    /// `acc += value;` (`^=` for `bool`).
    fn accumulate(&mut self, acc: &str, ty: Ty, value: &str) {
        let op = if ty == Ty::Bool { "^=" } else { "+=" };
        self.line(&format!("{acc} {op} {value};"));
    }

    /// A condition over the loop variables `vars` (all of type `ty`) and the values `reads`.
    fn loop_cond(&mut self, vars: &[String], reads: &[(String, Ty)]) -> String {
        let var = self.rng.pick(vars).clone();
        match self.rng.below(6) {
            0 if vars.len() > 1 => {
                let other = self.rng.pick(vars).clone();
                format!("{var} == {other}")
            }
            1 if vars.len() > 1 => {
                let other = self.rng.pick(vars).clone();
                format!("({var} + {other}) % 3 == 0")
            }
            2 if !reads.is_empty() => {
                let (read, from) = self.rng.pick(reads).clone();
                if from == Ty::Bool {
                    read
                } else {
                    format!("{read} > {}", zero(from))
                }
            }
            3 => self.expr(Ty::Bool, 1, true),
            _ => format!("{var} > {}", self.rng.below(4)),
        }
    }

    /// Now and then a `break`, `continue` (maybe to an outer label) or `return` under a
    /// condition; in a parallel shape only `continue`.
    fn maybe_exit(&mut self, vars: &[String], reads: &[(String, Ty)]) {
        if self.pure || !self.rng.chance(30) {
            return;
        }
        let cond = self.loop_cond(vars, reads);
        if self.parallel.is_some() {
            self.tag("continue");
            return self.line(&format!("if {cond} {{ continue; }}"));
        }
        let labelled: Vec<LoopCtx> = self
            .loops
            .iter()
            .filter(|l| l.label.is_some() && !l.parallel)
            .cloned()
            .collect();
        match self.rng.below(10) {
            0..=2 => {
                self.tag("break");
                self.line(&format!("if {cond} {{ break; }}"));
            }
            3..=5 => {
                self.tag("continue");
                self.line(&format!("if {cond} {{ continue; }}"));
            }
            6..=7 if !labelled.is_empty() => {
                let target = self.rng.pick(&labelled).clone();
                let label = target.label.unwrap_or_default();
                if target.value.is_none() && self.rng.chance(50) {
                    self.tag("break");
                    self.line(&format!("if {cond} {{ break {label}; }}"));
                } else {
                    self.tag("continue");
                    self.line(&format!("if {cond} {{ continue {label}; }}"));
                }
            }
            _ => {
                self.tag("return");
                let value = self.expr(self.sig.ret, 1, true);
                self.line(&format!("if {cond} {{ return {value}; }}"));
            }
        }
    }

    /// Reads one of the `arrays` of `rank` writable? Picks from a filtered list.
    fn pick_where(&mut self, arrays: &[Arr], keep: impl Fn(&Arr) -> bool) -> Option<Arr> {
        let fitting: Vec<&Arr> = arrays.iter().filter(|a| keep(a)).collect();
        (!fitting.is_empty()).then(|| (*self.rng.pick(&fitting)).clone())
    }

    /// `y[i, j] op= f(x[i, j], z[i, j], …)` over every element (or accumulated into a local),
    /// over one to three arrays of one rank; now and then a transposed read, a guard, a
    /// strided index (`x[2 * i + 1]` over `0..n / 2`) or a cast index (`x[i as usize]`).
    fn elementwise(&mut self, arrays: &[Arr], left: u32) -> bool {
        let lead = self.rng.pick(arrays).clone();
        let rank = lead.rank;
        let target = if self.pure || self.rng.chance(75) {
            self.pick_where(arrays, |a| a.rank == rank && a.writable)
        } else {
            None
        };
        let sources: Vec<Arr> = (0..1 + self.rng.below(3))
            .filter_map(|_| self.pick_where(arrays, |a| a.rank == rank))
            .collect();
        let ty = target.as_ref().unwrap_or(&sources[0]).elem;
        let loops = rank.min(left as usize);
        let var_ty = self.var_ty();
        let mut parallel =
            target.as_ref().is_some_and(|t| t.fixed.is_none()) && self.rng.chance(20);
        self.tag("elementwise");
        // `k * i + o` over `0..n / k`: in bounds for `o < k`.
        let stride = (rank == 1 && loops == 1 && !parallel && self.rng.chance(15)).then(|| {
            let k = 2 + self.rng.below(2) as i64;
            (k, self.rng.below(k as u64) as i64)
        });
        let acc = target.is_none().then(|| self.accumulator(ty));
        let mut opens: Vec<Open> = Vec::new();
        let mut index: Vec<String> = Vec::new();
        for axis in 0..loops {
            let by = match (&target, self.rng.chance(70)) {
                (Some(t), true) => t.clone(),
                _ => self.rng.pick(&sources).clone(),
            };
            let mut bound = self.bound(&by, axis, arrays);
            if let Some((k, _)) = stride {
                bound.text = format!("({}) / {k}", bound.text);
            }
            let outer_parallel = parallel && axis == 0 && !bound.huge;
            parallel = parallel && (axis > 0 || outer_parallel);
            let (range, huge) = self.range_over("0", &bound, var_ty, outer_parallel);
            let open = self.open_for(&range, var_ty, outer_parallel);
            if outer_parallel {
                let outputs: Vec<&Arr> = target.iter().collect();
                self.enter_parallel(&open.var, &outputs);
            }
            if huge {
                self.sentinel(&open.var, &by, axis);
            }
            index.push(open.var.clone());
            opens.push(open);
        }
        let vars: Vec<String> = index.clone();
        if let Some((k, o)) = stride {
            self.tag("strided");
            index[0] = match (o, self.rng.chance(50)) {
                (0, true) => format!("{k} * {}", index[0]),
                (0, false) => format!("{} * {k}", index[0]),
                (o, _) => format!("{k} * {} + {o}", index[0]),
            };
        } else if var_ty != Ty::Usize && !parallel && self.rng.chance(30) {
            self.tag("index-cast");
            for (axis, var) in index.iter_mut().enumerate().take(loops) {
                let to = if axis == 0 { Ty::Usize } else { Ty::I64 };
                *var = format!("({var} as {})", to.name());
            }
        }
        index.extend((loops..rank).map(|_| "0usize".to_string()));
        let mut reads: Vec<(String, Ty)> = Vec::new();
        for source in &sources {
            let transposed =
                rank == 2 && loops == 2 && target.as_ref() != Some(source) && self.rng.chance(15);
            let at = if transposed {
                self.tag("transposed");
                vec![index[1].clone(), index[0].clone()]
            } else {
                index.clone()
            };
            let read = self.at(source, &at);
            reads.push((read, source.elem));
        }
        let guard = loops > 0 && !self.pure && self.rng.chance(20);
        if guard {
            self.tag("guard");
            let k = self.rng.below(loops as u64) as usize;
            let by = self.rng.pick(&sources).clone();
            let extent = self.extent_text(&by, k);
            self.line(&format!("if {} < {} {{", vars[k], cast_to(&extent, var_ty)));
            self.indent += 1;
        }
        let value = self.combine(ty, &reads);
        match (&target, &acc) {
            (Some(t), _) => {
                let place = self.at(t, &index);
                let op = self.write_op(ty);
                self.line(&format!("{place} {op} {value};"));
            }
            (None, Some(acc)) => self.accumulate(acc, ty, &value),
            _ => {}
        }
        if guard {
            self.indent -= 1;
            self.line("}");
        }
        if loops > 0 {
            self.maybe_exit(&vars, &reads);
        }
        while let Some(open) = opens.pop() {
            let n = self.body_statements();
            self.close_for(open, n);
        }
        true
    }

    /// `for i in 0..n { for j in <triangle of i> { … a[[i, j]] … } }`, a Cholesky-like
    /// three-deep variant, and the triangle's transposed and diagonal reads.
    fn triangular(&mut self, arrays: &[Arr], left: u32) -> bool {
        if left < 2 {
            return false;
        }
        let Some(a) = self.pick_where(arrays, |a| a.rank == 2) else {
            return false;
        };
        let target = if self.rng.chance(70) {
            self.pick_where(arrays, |t| t.rank == 2 && t.writable)
        } else {
            None
        };
        let x = if self.rng.chance(40) {
            self.pick_where(arrays, |x| x.rank == 1)
        } else {
            None
        };
        let ty = target.as_ref().unwrap_or(&a).elem;
        let var_ty = self.var_ty();
        let cholesky = left >= 3 && ty != Ty::Bool && target.is_some() && self.rng.chance(30);
        let parallel = !cholesky
            && target
                .as_ref()
                .is_some_and(|t| t.name != a.name && t.fixed.is_none())
            && self.rng.chance(15);
        self.tag("triangular");
        let acc = target.is_none().then(|| self.accumulator(ty));
        let rows = self.bound(&a, 0, arrays);
        let plain = parallel && !rows.huge;
        let (range, huge) = self.range_over("0", &rows, var_ty, plain);
        let outer = self.open_for(&range, var_ty, plain);
        let i = outer.var.clone();
        if plain {
            let outputs: Vec<&Arr> = target.iter().collect();
            self.enter_parallel(&i, &outputs);
        }
        if huge {
            self.sentinel(&i, &a, 0);
        }
        let (inner_range, inner_huge) = if cholesky {
            let inclusive = self.rng.chance(50);
            (
                if inclusive {
                    format!("0..={i}")
                } else {
                    format!("0..{i}")
                },
                false,
            )
        } else {
            let kind = match self.rng.below(8) {
                // No reversed or stepped triangle in a pure nest.
                4..=6 if self.pure => self.rng.below(4),
                k => k,
            };
            let cols = if matches!(kind, 2 | 3 | 5) {
                self.bound(&a, 1, arrays)
            } else {
                Bound {
                    text: String::new(),
                    huge: false,
                }
            };
            let m = cast_to(&cols.text, var_ty);
            match kind {
                0 => (format!("0..{i}"), false),
                1 => (format!("0..={i}"), false),
                2 => (format!("{i} + 1..{m}"), cols.huge),
                3 => (format!("{i}..{m}"), cols.huge),
                4 => (format!("(0..{i}).rev()"), false),
                5 => (format!("({i} + 1..{m}).step_by(2)"), cols.huge),
                6 => (format!("(0..={i}).rev()"), false),
                _ => (format!("0..{i} + 1"), false),
            }
        };
        let inner = self.open_for(&inner_range, var_ty, false);
        let j = inner.var.clone();
        if inner_huge {
            self.sentinel(&j, &a, 1);
        }
        let mut reads: Vec<(String, Ty)> = Vec::new();
        if let (true, Some(l)) = (cholesky, &target) {
            self.tag("cholesky");
            let first = self.at(&a, &[i.clone(), j.clone()]);
            let s = self.fresh_name("v");
            self.line(&format!(
                "let mut {s}: {} = {};",
                ty.name(),
                convert(&first, a.elem, ty)
            ));
            let k_loop = self.open_for(&format!("0..{j}"), var_ty, false);
            let k = k_loop.var.clone();
            let lik = self.at(l, &[i.clone(), k.clone()]);
            let ljk = self.at(l, &[j.clone(), k.clone()]);
            self.line(&format!("{s} -= {lik} * {ljk};"));
            let n = self.body_statements().min(1);
            self.close_for(k_loop, n);
            let place = self.at(l, &[i.clone(), j.clone()]);
            let ljj = self.at(l, &[j.clone(), j.clone()]);
            if ty.is_float() && self.rng.chance(60) {
                self.line(&format!(
                    "if {j} < {i} {{ {place} = {s} / {ljj}; }} else {{ {place} = {s}.abs().sqrt(); }}"
                ));
            } else {
                self.line(&format!("{place} = {s};"));
            }
            reads.push((first, a.elem));
        } else {
            let own = self.at(&a, &[i.clone(), j.clone()]);
            reads.push((own, a.elem));
            // The transposed and diagonal reads touch other rows of `a`: never of a
            // `prange` output (`a` is never the output then).
            if self.rng.chance(30) {
                let read = self.at(&a, &[j.clone(), i.clone()]);
                reads.push((read, a.elem));
            }
            if self.rng.chance(30) {
                let read = self.at(&a, &[j.clone(), j.clone()]);
                reads.push((read, a.elem));
            }
            if let Some(x) = &x {
                let read = self.at(x, std::slice::from_ref(&j));
                reads.push((read, x.elem));
            }
            let value = self.combine(ty, &reads);
            match (&target, &acc) {
                (Some(t), _) => {
                    let place = self.at(t, &[i.clone(), j.clone()]);
                    let op = self.write_op(ty);
                    self.line(&format!("{place} {op} {value};"));
                }
                (None, Some(acc)) => self.accumulate(acc, ty, &value),
                _ => {}
            }
        }
        self.maybe_exit(&[i.clone(), j], &reads);
        let n = self.body_statements();
        self.close_for(inner, n);
        let n = self.body_statements().min(1);
        self.close_for(outer, n);
        true
    }

    /// Stencils: `y[i] = x[i - 1] + x[i] + x[i + 1]` over `1..n - 1` and its forward,
    /// backward, guarded and out-of-range variants, on 1-, 2- and 3-D arrays, in place too.
    fn stencil(&mut self, arrays: &[Arr], left: u32) -> bool {
        let x = self.rng.pick(arrays).clone();
        let rank = x.rank;
        let loops = rank.min(left as usize);
        let target = if x.writable && self.rng.chance(25) {
            self.tag("in-place");
            Some(x.clone())
        } else if self.rng.chance(75) {
            self.pick_where(arrays, |a| a.rank == rank && a.writable)
        } else {
            None
        };
        let ty = target.as_ref().unwrap_or(&x).elem;
        let var_ty = self.var_ty();
        let parallel = target
            .as_ref()
            .is_some_and(|t| t.name != x.name && t.fixed.is_none())
            && self.rng.chance(15);
        self.tag(match rank {
            1 => "stencil-1d",
            2 => "stencil-2d",
            _ => "stencil-3d",
        });
        let acc = target.is_none().then(|| self.accumulator(ty));
        let mut opens: Vec<Open> = Vec::new();
        let mut index: Vec<String> = Vec::new();
        let mut axes: Vec<(Offsets, String)> = Vec::new();
        for axis in 0..loops {
            let by = match (&target, self.rng.chance(50)) {
                (Some(t), true) => t.clone(),
                _ => x.clone(),
            };
            let bound = self.bound(&by, axis, arrays);
            let c = if self.rng.chance(75) { 1 } else { 2 };
            let pattern = match self.rng.below(22) {
                _ if self.misfit() => {
                    self.tag("stencil-misfit");
                    if self.rng.chance(50) {
                        Offsets::Overrun(c)
                    } else {
                        Offsets::Underrun(c)
                    }
                }
                0..=8 => Offsets::Central(c),
                9..=12 => Offsets::Forward(c),
                13..=16 => Offsets::Backward(c),
                _ if self.pure => Offsets::Central(c),
                _ => Offsets::Guarded(c),
            };
            let n = cast_to(&bound.text, var_ty);
            let (start, end, huge) = match pattern {
                Offsets::Central(c) => (c, format!("{} - {c}", bound.text), true),
                Offsets::Forward(c) => (0, format!("{} - {c}", bound.text), true),
                Offsets::Backward(c) => (c, bound.text.clone(), bound.huge),
                _ => (0, bound.text.clone(), bound.huge),
            };
            if huge {
                self.tag("bound-wrap");
            }
            let end = Bound { text: end, huge };
            let outer_parallel = parallel && axis == 0 && !huge;
            let simple = outer_parallel || self.rng.chance(70);
            let (range, huge) = self.range_over(&start.to_string(), &end, var_ty, simple);
            let open = self.open_for(&range, var_ty, outer_parallel);
            if outer_parallel {
                let outputs: Vec<&Arr> = target.iter().collect();
                self.enter_parallel(&open.var, &outputs);
            }
            // The innermost loop's first statement reads through its variable anyway.
            if huge && axis + 1 < loops {
                self.sentinel(&open.var, &by, axis);
            }
            index.push(open.var.clone());
            axes.push((pattern, n));
            opens.push(open);
        }
        index.extend((loops..rank).map(|_| "0usize".to_string()));
        let source = x.clone();
        let centre = self.at(&source, &index);
        let mut reads: Vec<(String, Ty)> = vec![(centre, source.elem)];
        for (axis, (pattern, n)) in axes.iter().enumerate() {
            let var = index[axis].clone();
            let (offsets, guarded): (Vec<i64>, bool) = match *pattern {
                Offsets::Central(c) => (vec![-c, c], false),
                Offsets::Forward(c) | Offsets::Overrun(c) => (vec![c], false),
                Offsets::Backward(c) | Offsets::Underrun(c) => (vec![-c], false),
                Offsets::Guarded(c) => (vec![-c, c], true),
            };
            for o in offsets {
                let mut at = index.clone();
                at[axis] = offset(&var, o);
                let read = self.at(&source, &at);
                let read = if guarded {
                    self.tag("guard");
                    let cond = if o < 0 {
                        format!("{var} >= {}", -o)
                    } else {
                        format!("{var} + {o} < {n}")
                    };
                    format!("(if {cond} {{ {read} }} else {{ {} }})", zero(source.elem))
                } else {
                    read
                };
                reads.push((read, source.elem));
            }
        }
        if reads.len() > 1 && self.rng.chance(50) {
            reads.rotate_left(1);
        }
        let value = self.combine(ty, &reads);
        match (&target, &acc) {
            (Some(t), _) => {
                let place = self.at(t, &index);
                let op = self.write_op(ty);
                self.line(&format!("{place} {op} {value};"));
            }
            (None, Some(acc)) => self.accumulate(acc, ty, &value),
            _ => {}
        }
        let vars: Vec<String> = index[..loops].to_vec();
        if loops > 0 {
            self.maybe_exit(&vars, &reads);
        }
        while let Some(open) = opens.pop() {
            let n = self.body_statements();
            self.close_for(open, n);
        }
        true
    }

    /// `c[[i, j]] += alpha * a[[i, k]] * b[[k, j]]` (three orders, the invariant operand
    /// hoisted or not), or with two loops `y = A x`, `y = Aᵀ x` and rank-1 updates.
    fn gemm(&mut self, arrays: &[Arr], left: u32) -> bool {
        if left < 2 {
            return false;
        }
        let Some(a) = self.pick_where(arrays, |a| a.rank == 2) else {
            return false;
        };
        let three = left >= 3 && self.rng.chance(60);
        let x = self.pick_where(arrays, |x| x.rank == 1);
        if !three && x.is_none() {
            return false;
        }
        let var_ty = self.var_ty();
        // A numeric type to compute in.
        let numeric = |t: Ty| if t == Ty::Bool { Ty::I64 } else { t };
        if three {
            let b = self
                .pick_where(arrays, |b| b.rank == 2)
                .unwrap_or_else(|| a.clone());
            let c = if self.rng.chance(75) {
                self.pick_where(arrays, |c| c.rank == 2 && c.writable && c.elem != Ty::Bool)
            } else {
                None
            };
            let ty = numeric(c.as_ref().unwrap_or(&a).elem);
            let parallel = c
                .as_ref()
                .is_some_and(|c| c.name != a.name && c.name != b.name)
                && self.rng.chance(20);
            self.tag("gemm");
            let acc = c.is_none().then(|| self.accumulator(ty));
            let alpha = if self.rng.chance(40) {
                let name = self.fresh_name("v");
                let value = self.expr(ty, 1, true);
                self.line(&format!("let {name}: {} = {value};", ty.name()));
                self.vars.push(Var {
                    name: name.clone(),
                    ty,
                    mutable: false,
                });
                name
            } else {
                self.alpha(ty)
            };
            let by_i = c
                .clone()
                .filter(|_| self.rng.chance(60))
                .unwrap_or(a.clone());
            let by_j = c
                .clone()
                .filter(|_| self.rng.chance(60))
                .unwrap_or(b.clone());
            let (by_k, k_axis) = if self.rng.chance(60) {
                (a.clone(), 1)
            } else {
                (b.clone(), 0)
            };
            let bi = self.bound(&by_i, 0, arrays);
            let plain = parallel && !bi.huge;
            let (range, huge) = self.range_over("0", &bi, var_ty, plain);
            let oi = self.open_for(&range, var_ty, plain);
            let i = oi.var.clone();
            if plain {
                let outputs: Vec<&Arr> = c.iter().collect();
                self.enter_parallel(&i, &outputs);
            }
            if huge {
                self.sentinel(&i, &by_i, 0);
            }
            let order = self.rng.below(3);
            let conv = |read: String, from: Ty| convert(&read, from, ty);
            if order < 2 {
                // i, k, j: the innermost loop runs along rows of `b` and `c`.
                let bk = self.bound(&by_k, k_axis, arrays);
                let (range, huge) = self.range_over("0", &bk, var_ty, false);
                let ok = self.open_for(&range, var_ty, false);
                let k = ok.var.clone();
                if huge {
                    self.sentinel(&k, &by_k, k_axis);
                }
                let aik = self.at(&a, &[i.clone(), k.clone()]);
                let factor = if order == 0 {
                    self.tag("invariant-hoisted");
                    let name = self.fresh_name("v");
                    self.line(&format!(
                        "let {name}: {} = {alpha} * {};",
                        ty.name(),
                        conv(aik.clone(), a.elem)
                    ));
                    self.vars.push(Var {
                        name: name.clone(),
                        ty,
                        mutable: false,
                    });
                    name
                } else {
                    format!("{alpha} * {}", conv(aik.clone(), a.elem))
                };
                let bj = self.bound(&by_j, 1, arrays);
                let (range, huge) = self.range_over("0", &bj, var_ty, false);
                let oj = self.open_for(&range, var_ty, false);
                let j = oj.var.clone();
                if huge {
                    self.sentinel(&j, &by_j, 1);
                }
                let bkj = self.at(&b, &[k.clone(), j.clone()]);
                let value = format!("{factor} * {}", conv(bkj.clone(), b.elem));
                match (&c, &acc) {
                    (Some(c), _) => {
                        let place = self.at(c, &[i.clone(), j.clone()]);
                        self.line(&format!("{place} += {value};"));
                    }
                    (None, Some(acc)) => self.accumulate(acc, ty, &value),
                    _ => {}
                }
                let reads = vec![(aik, a.elem), (bkj, b.elem)];
                self.maybe_exit(&[i.clone(), k, j], &reads);
                let n = self.body_statements();
                self.close_for(oj, n);
                let n = self.body_statements().min(1);
                self.close_for(ok, n);
            } else {
                // i, j, k: a dot product per element.
                let bj = self.bound(&by_j, 1, arrays);
                let (range, huge) = self.range_over("0", &bj, var_ty, false);
                let oj = self.open_for(&range, var_ty, false);
                let j = oj.var.clone();
                if huge {
                    self.sentinel(&j, &by_j, 1);
                }
                let s = self.fresh_name("v");
                self.line(&format!("let mut {s}: {} = {};", ty.name(), zero(ty)));
                let bk = self.bound(&by_k, k_axis, arrays);
                let (range, huge) = self.range_over("0", &bk, var_ty, false);
                let ok = self.open_for(&range, var_ty, false);
                let k = ok.var.clone();
                if huge {
                    self.sentinel(&k, &by_k, k_axis);
                }
                let aik = self.at(&a, &[i.clone(), k.clone()]);
                let bkj = self.at(&b, &[k.clone(), j.clone()]);
                self.line(&format!(
                    "{s} += {} * {};",
                    conv(aik.clone(), a.elem),
                    conv(bkj.clone(), b.elem)
                ));
                let reads = vec![(aik, a.elem), (bkj, b.elem)];
                self.maybe_exit(&[i.clone(), j.clone(), k], &reads);
                let n = self.body_statements().min(1);
                self.close_for(ok, n);
                let value = format!("{alpha} * {s}");
                match (&c, &acc) {
                    (Some(c), _) => {
                        let place = self.at(c, &[i.clone(), j.clone()]);
                        let op = *self.rng.pick(&["=", "+="]);
                        self.line(&format!("{place} {op} {value};"));
                    }
                    (None, Some(acc)) => self.accumulate(acc, ty, &value),
                    _ => {}
                }
                let n = self.body_statements().min(1);
                self.close_for(oj, n);
            }
            let n = self.body_statements().min(1);
            self.close_for(oi, n);
            return true;
        }
        let Some(x) = x else {
            return false;
        };
        self.tag("gemv");
        let y = if self.rng.chance(75) {
            self.pick_where(arrays, |y| y.rank == 1 && y.writable && y.elem != Ty::Bool)
        } else {
            None
        };
        let variant = match self.rng.below(3) {
            2 if a.writable && a.elem != Ty::Bool => 2,
            2 => 0,
            v => v,
        };
        let ty = numeric(match (variant, &y) {
            (2, _) => a.elem,
            (_, Some(y)) => y.elem,
            _ => a.elem,
        });
        let acc = (variant != 2 && y.is_none()).then(|| self.accumulator(ty));
        let conv = |read: String, from: Ty| convert(&read, from, ty);
        let rows = self.bound(&a, 0, arrays);
        let (range, huge) = self.range_over("0", &rows, var_ty, false);
        let oi = self.open_for(&range, var_ty, false);
        let i = oi.var.clone();
        if huge {
            self.sentinel(&i, &a, 0);
        }
        let xi = self.at(&x, std::slice::from_ref(&i));
        // Loop-invariant in the inner loop.
        let invariant = match variant {
            0 => {
                let s = self.fresh_name("v");
                self.line(&format!("let mut {s}: {} = {};", ty.name(), zero(ty)));
                s
            }
            _ => {
                self.tag("invariant-hoisted");
                let name = self.fresh_name("v");
                let alpha = self.alpha(ty);
                self.line(&format!(
                    "let {name}: {} = {alpha} * {};",
                    ty.name(),
                    conv(xi.clone(), x.elem)
                ));
                name
            }
        };
        let cols = self.bound(&a, 1, arrays);
        let (range, huge) = self.range_over("0", &cols, var_ty, false);
        let oj = self.open_for(&range, var_ty, false);
        let j = oj.var.clone();
        if huge {
            self.sentinel(&j, &a, 1);
        }
        let aij = self.at(&a, &[i.clone(), j.clone()]);
        let mut reads = vec![(aij.clone(), a.elem)];
        match variant {
            0 => {
                let xj = self.at(&x, std::slice::from_ref(&j));
                self.line(&format!(
                    "{invariant} += {} * {};",
                    conv(aij, a.elem),
                    conv(xj.clone(), x.elem)
                ));
                reads.push((xj, x.elem));
            }
            1 => {
                let value = format!("{} * {invariant}", conv(aij, a.elem));
                match (&y, &acc) {
                    (Some(y), _) => {
                        let place = self.at(y, std::slice::from_ref(&j));
                        self.line(&format!("{place} += {value};"));
                    }
                    (None, Some(acc)) => self.accumulate(acc, ty, &value),
                    _ => {}
                }
            }
            _ => {
                self.tag("rank-1-update");
                let other = y.clone().unwrap_or(x.clone());
                let yj = self.at(&other, std::slice::from_ref(&j));
                self.line(&format!(
                    "{aij} += {invariant} * {};",
                    conv(yj.clone(), other.elem)
                ));
                reads.push((yj, other.elem));
            }
        }
        self.maybe_exit(&[i.clone(), j], &reads);
        let n = self.body_statements();
        self.close_for(oj, n);
        if variant == 0 {
            match (&y, &acc) {
                (Some(y), _) => {
                    let place = self.at(y, std::slice::from_ref(&i));
                    let op = *self.rng.pick(&["=", "+="]);
                    self.line(&format!("{place} {op} {invariant};"));
                }
                (None, Some(acc)) => self.accumulate(acc, ty, &invariant),
                _ => {}
            }
        }
        let n = self.body_statements().min(1);
        self.close_for(oi, n);
        true
    }

    /// One access of `array` with `var` on `axis` (0 elsewhere): a write when it is
    /// writable (now and then), else a read accumulated into `acc`.
    fn access_along(&mut self, array: &Arr, axis: usize, var: &str, acc: &str, acc_ty: Ty) {
        let index: Vec<String> = (0..array.rank)
            .map(|k| {
                if k == axis {
                    var.to_string()
                } else {
                    "0usize".into()
                }
            })
            .collect();
        let place = self.at(array, &index);
        if array.writable && self.rng.chance(60) {
            let (op, value) = self.assign_value(array.elem);
            self.line(&format!("{place} {op}= {value};"));
        } else {
            let value = convert(&place, array.elem, acc_ty);
            self.accumulate(acc, acc_ty, &value);
        }
    }

    /// Reductions into one element over an innermost loop, the element a backend may keep in
    /// a register: `for k in … { c[[i, j]] += … }`, with other accesses of the same array that
    /// are provably other elements (`c[[i, k]]` over `0..j`) or may be the same one
    /// (`c[[i, k]]` over `0..=j`, `c[[k, j]]`, the mirrored `c[[j, i]]` when `i == j`, `x[k]`
    /// when `x` is `y` in `y[j] += a[[j, k]] * x[k]`).
    fn promoted(&mut self, arrays: &[Arr], left: u32) -> bool {
        if left < 2 {
            return false;
        }
        let Some(c) = self.pick_where(arrays, |c| {
            c.writable && c.fixed.is_none() && c.elem != Ty::Bool && c.rank <= 2
        }) else {
            return false;
        };
        let ty = c.elem;
        self.tag("promote");
        let three = c.rank == 2 && left >= 3 && self.rng.chance(60);
        let mut opens: Vec<Open> = Vec::new();
        // The element's row: an outer loop's variable, or a literal.
        let i = if three {
            let rows = self.bound(&c, 0, arrays);
            let (range, huge) = self.range_over("0", &rows, Ty::Usize, false);
            let open = self.open_for(&range, Ty::Usize, false);
            let var = open.var.clone();
            if huge {
                self.sentinel(&var, &c, 0);
            }
            opens.push(open);
            Some(var)
        } else if c.rank == 2 {
            Some(format!("{}usize", self.rng.below(2)))
        } else {
            None
        };
        let axis = c.rank - 1;
        let (j_range, j_huge) = match (&i, self.rng.below(4)) {
            (Some(i), 0) if three => (format!("0..={i}"), false),
            (Some(i), 1) if three => (format!("0..{i}"), false),
            _ => {
                let cols = self.bound(&c, axis, arrays);
                self.range_over("0", &cols, Ty::Usize, false)
            }
        };
        let oj = self.open_for(&j_range, Ty::Usize, false);
        let j = oj.var.clone();
        if j_huge {
            self.sentinel(&j, &c, axis);
        }
        opens.push(oj);
        let element: Vec<String> = match &i {
            Some(i) => vec![i.clone(), j.clone()],
            None => vec![j.clone()],
        };
        // The innermost loop, along the other operands. Mostly every other access of `c`
        // is provably another element (the promotion applies); else it may be the same.
        let apart = self.rng.chance(60);
        let other = match apart {
            true => self.pick_where(arrays, |a| a.name != c.name),
            false => None,
        }
        .unwrap_or_else(|| self.rng.pick(arrays).clone());
        let k_axis = self.rng.below(other.rank as u64) as usize;
        let k_bound = self.bound(&other, k_axis, arrays);
        let m = k_bound.text.clone();
        let (k_range, k_huge) = match (apart, self.rng.below(6)) {
            (_, 0) | (true, 1 | 4) => (format!("0..{j}"), false),
            (_, 2) | (true, 3 | 5) => (format!("{j} + 1..{m}"), k_bound.huge),
            (false, 1) => (format!("0..={j}"), false),
            (false, 3) => (format!("({j}..{m}).rev()"), k_bound.huge),
            _ => self.range_over("0", &k_bound, Ty::Usize, true),
        };
        let ok = self.open_for(&k_range, Ty::Usize, false);
        let k = ok.var.clone();
        if k_huge {
            self.sentinel(&k, &other, k_axis);
        }
        let place = self.at(&c, &element);
        let mut reads: Vec<(String, Ty)> = Vec::new();
        // An operand along `k` from another array (or the same one).
        let mut along: Vec<String> = (0..other.rank).map(|_| "0usize".to_string()).collect();
        along[k_axis] = k.clone();
        match (other.rank, k_axis) {
            (2, 1) => along[0] = element[0].clone(),
            (2, _) => along[1] = j.clone(),
            _ => {}
        }
        let read = self.at(&other, &along);
        reads.push((read, other.elem));
        // The same array at other elements: apart or not, depending on the ranges.
        match (c.rank, apart, self.rng.below(5)) {
            (2, _, 0 | 1) => reads.push((self.at(&c, &[element[0].clone(), k.clone()]), ty)),
            (1, _, 0..=2) => reads.push((self.at(&c, std::slice::from_ref(&k)), ty)),
            (2, false, 2) => reads.push((self.at(&c, &[k.clone(), j.clone()]), ty)),
            (2, false, 3) => {
                self.tag("promote-mirror");
                reads.push((self.at(&c, &[j.clone(), element[0].clone()]), ty));
            }
            _ => {}
        }
        let value = self.combine(ty, &reads);
        let op = *self.rng.pick(&["+=", "-=", "+=", "*=", "="]);
        self.line(&format!("{place} {op} {value};"));
        if c.rank == 2 && !apart && self.rng.chance(40) {
            // A second element kept in the loop: the mirror, the same as the first when
            // `i == j`.
            self.tag("promote-mirror");
            let mirror = self.at(&c, &[j.clone(), element[0].clone()]);
            self.line(&format!("{mirror} -= {place};"));
        }
        self.maybe_exit(&[j.clone(), k], &reads);
        // Mostly nothing else: a loop or a call in the body rules the promotion out.
        let n = if self.rng.chance(80) { 0 } else { 1 };
        self.close_for(ok, n);
        while let Some(open) = opens.pop() {
            let n = self.body_statements().min(1);
            self.close_for(open, n);
        }
        true
    }

    /// Index locals: `let mut k = c;` read unchanged in a loop (`x[i + k]`, over a range
    /// shortened by `k`), or assigned in it after each access (`x[k]; k += 1;`, also from a
    /// nested loop), or `let ip = i + 1;` bound in the body.
    fn index_local(&mut self, arrays: &[Arr], left: u32) -> bool {
        let array = self.rng.pick(arrays).clone();
        let axis = self.rng.below(array.rank as u64) as usize;
        let acc_ty = if array.elem == Ty::Bool {
            Ty::Bool
        } else {
            array.elem
        };
        let acc = self.accumulator(acc_ty);
        let k = self.fresh_name("n");
        let start = self.rng.below(3);
        self.line(&format!("let mut {k}: usize = {start};"));
        // Read-only for ordinary statements: only this shape assigns it.
        self.vars.push(Var {
            name: k.clone(),
            ty: Ty::Usize,
            mutable: false,
        });
        let bound = self.bound(&array, axis, arrays);
        match self.rng.below(3) {
            0 => {
                self.tag("index-invariant");
                if self.rng.chance(30) {
                    self.line(&format!("{k} = {k} / 2;"));
                }
                let shifted = self.rng.chance(50);
                let (range, huge) = if shifted {
                    self.range_over(&k, &bound, Ty::Usize, true)
                } else {
                    let end = Bound {
                        text: format!("{} - {k}", bound.text),
                        huge: true,
                    };
                    let plain = self.rng.chance(60);
                    self.range_over("0", &end, Ty::Usize, plain)
                };
                let open = self.open_for(&range, Ty::Usize, false);
                let var = open.var.clone();
                if huge {
                    self.sentinel(&var, &array, axis);
                }
                let index = if shifted {
                    format!("{var} - {k}")
                } else {
                    format!("{var} + {k}")
                };
                self.access_along(&array, axis, &index, &acc, acc_ty);
                self.maybe_exit(std::slice::from_ref(&var), &[]);
                let n = self.body_statements();
                self.close_for(open, n);
            }
            1 => {
                self.tag("index-assigned");
                let (range, huge) = self.range_over("0", &bound, Ty::Usize, false);
                let open = self.open_for(&range, Ty::Usize, false);
                let var = open.var.clone();
                if huge {
                    self.sentinel(&var, &array, axis);
                }
                self.access_along(&array, axis, &k, &acc, acc_ty);
                let step = if self.misfit() { 2 } else { 1 };
                if left >= 2 && self.rng.chance(30) {
                    // Assigned in a nested loop: still assigned in this one.
                    self.line(&format!("for _ in 0..{step} {{ {k} += 1; }}"));
                    self.enter_loop(None, None, false);
                    self.leave_loop();
                } else if self.rng.chance(30) {
                    let cond = self.loop_cond(std::slice::from_ref(&var), &[]);
                    self.line(&format!("if {cond} {{ {k} += {step}; }}"));
                } else if step == 1 && self.rng.chance(30) {
                    self.line(&format!("{k} = {var} + 1;"));
                } else {
                    self.line(&format!("{k} += {step};"));
                }
                self.maybe_exit(std::slice::from_ref(&var), &[]);
                let n = self.body_statements();
                self.close_for(open, n);
            }
            _ => {
                self.tag("index-let");
                let (range, huge) = self.range_over("0", &bound, Ty::Usize, false);
                let open = self.open_for(&range, Ty::Usize, false);
                let var = open.var.clone();
                if huge {
                    self.sentinel(&var, &array, axis);
                }
                let ip = self.fresh_name("n");
                let c = 1 + self.rng.below(2);
                self.line(&format!("let {ip} = {var} + {c};"));
                self.vars.push(Var {
                    name: ip.clone(),
                    ty: Ty::Usize,
                    mutable: false,
                });
                let (extent, _) = self.extent_or_size(&array, axis);
                if self.rng.chance(50) {
                    self.line(&format!("if {ip} < {extent} {{"));
                    self.indent += 1;
                    self.access_along(&array, axis, &ip, &acc, acc_ty);
                    self.indent -= 1;
                    self.line("}");
                } else {
                    self.access_along(&array, axis, &format!("{ip} - {c}"), &acc, acc_ty);
                }
                self.maybe_exit(std::slice::from_ref(&var), &[]);
                let n = self.body_statements();
                self.close_for(open, n);
            }
        }
        true
    }

    /// A `let mut n = extent;` bound: assigned only outside the loop over it, or inside it
    /// (the range was evaluated at entry) and then bounding a second loop; or a
    /// `while i < n` loop.
    fn mutable_bound(&mut self, arrays: &[Arr]) -> bool {
        let array = self.rng.pick(arrays).clone();
        let axis = self.rng.below(array.rank as u64) as usize;
        let acc_ty = if array.elem == Ty::Bool {
            Ty::Bool
        } else {
            *self.rng.pick(&[array.elem, Ty::I64, Ty::F64])
        };
        let acc = self.accumulator(acc_ty);
        let (init, huge) = self.extent_or_size(&array, axis);
        let n = self.fresh_name("n");
        self.line(&format!("let mut {n} = {init};"));
        self.add_size(&n, (array.name.clone(), axis), huge);
        let plain_loop = |g: &mut Self, extra: &dyn Fn(&mut Self, &str)| {
            let (range, huge) = g.range_over(
                "0",
                &Bound {
                    text: n.clone(),
                    huge,
                },
                Ty::Usize,
                true,
            );
            let open = g.open_for(&range, Ty::Usize, false);
            let var = open.var.clone();
            if huge {
                g.sentinel(&var, &array, axis);
            }
            g.access_along(&array, axis, &var, &acc, acc_ty);
            extra(g, &var);
            g.maybe_exit(std::slice::from_ref(&var), &[]);
            let statements = g.body_statements();
            g.close_for(open, statements);
        };
        match self.rng.below(4) {
            0 => {
                self.tag("mut-bound");
                let update = match self.rng.below(2) {
                    _ if self.misfit() => format!("{n} += 1;"),
                    0 => format!("{n} = {n}.min({});", 1 + self.rng.below(4)),
                    _ => format!("{n} -= {n} / 2;"),
                };
                self.line(&update);
                plain_loop(self, &|_, _| {});
            }
            1 => {
                self.tag("mut-bound");
                plain_loop(self, &|_, _| {});
                self.line(&format!("{n} = {n} / 2 + 1;"));
                plain_loop(self, &|_, _| {});
            }
            2 => {
                self.tag("mut-bound-reassigned");
                let grow = self.loop_depth == 0;
                let kind = self.rng.below(if grow { 6 } else { 5 });
                let n_text = n.clone();
                plain_loop(self, &move |g, var| {
                    let text = match kind {
                        0 => format!("{n_text} -= 1;"),
                        1 => format!("{n_text} = {var};"),
                        2 => format!("{n_text} = {var} + 1;"),
                        3 => format!("{n_text} /= 2;"),
                        4 => {
                            let cond = g.expr(Ty::Bool, 1, true);
                            format!("if {cond} {{ {n_text} -= 1; }}")
                        }
                        _ => format!("{n_text} += 1;"),
                    };
                    g.line(&text);
                });
                plain_loop(self, &|_, _| {});
            }
            _ => {
                self.tag("while-bound");
                let k = self.fresh_name("w");
                self.line(&format!("let mut {k} = 0usize;"));
                let label = self.label();
                let prefix = Self::label_prefix(&label);
                self.line(&format!("{prefix}while {k} < {n} {{"));
                self.enter_loop(label, None, false);
                let scope = self.push_scope();
                let var = self.fresh_name("i");
                self.line(&format!("let {var} = {k};"));
                self.line(&format!("{k} += 1;"));
                self.vars.push(Var {
                    name: var.clone(),
                    ty: Ty::Usize,
                    mutable: false,
                });
                if huge {
                    self.sentinel(&var, &array, axis);
                }
                self.access_along(&array, axis, &var, &acc, acc_ty);
                self.maybe_exit(std::slice::from_ref(&var), &[]);
                let statements = self.body_statements();
                self.pop_scope(scope, statements);
                self.leave_loop();
                self.line("}");
            }
        }
        true
    }

    /// Accesses under guards in loops whose bounds may pass the extent: `if j < m { … }`
    /// (sometimes off by one), `if j >= m { break; }`, `if i > 0 { … x[i - 1] … }`.
    fn guarded(&mut self, arrays: &[Arr], left: u32) -> bool {
        let array = self.rng.pick(arrays).clone();
        let loops = array.rank.min(left as usize).min(2);
        if loops == 0 {
            return false;
        }
        self.tag("guard");
        let var_ty = self.var_ty();
        let acc_ty = if array.elem == Ty::Bool {
            Ty::Bool
        } else {
            array.elem
        };
        let acc = self.accumulator(acc_ty);
        let mut opens: Vec<Open> = Vec::new();
        let mut index: Vec<String> = Vec::new();
        for axis in 0..loops {
            let bound = self.bound(&array, axis, arrays);
            let (range, huge) = self.range_over("0", &bound, var_ty, false);
            let open = self.open_for(&range, var_ty, false);
            if huge {
                self.sentinel(&open.var, &array, axis);
            }
            index.push(open.var.clone());
            opens.push(open);
        }
        index.extend((loops..array.rank).map(|_| "0usize".to_string()));
        let axis = self.rng.below(loops as u64) as usize;
        let var = index[axis].clone();
        let (extent, _) = self.extent_or_size(&array, axis);
        let extent = cast_to(&extent, var_ty);
        let place = self.at(&array, &index);
        let update = if array.writable && self.rng.chance(50) {
            let (op, value) = self.assign_value(array.elem);
            format!("{place} {op}= {value};")
        } else {
            format!(
                "{acc} {}= {};",
                if acc_ty == Ty::Bool { "^" } else { "+" },
                convert(&place, array.elem, acc_ty)
            )
        };
        match self.rng.below(6) {
            0 => {
                self.tag("break");
                self.line(&format!("if {var} >= {extent} {{ break; }}"));
                self.line(&update);
            }
            1 => {
                self.tag("continue");
                self.line(&format!("if {var} >= {extent} {{ continue; }}"));
                self.line(&update);
            }
            2 if self.misfit() => {
                // Off by one: the access after `j == m` is out of range.
                self.line(&format!("if {var} <= {extent} {{ {update} }}"));
            }
            3 => {
                let mut before = index.clone();
                before[axis] = offset(&var, -1);
                let read = self.at(&array, &before);
                self.line(&format!(
                    "if {var} > 0 && {var} < {extent} {{ {acc} {}= {}; }}",
                    if acc_ty == Ty::Bool { "^" } else { "+" },
                    convert(&read, array.elem, acc_ty)
                ));
            }
            4 => {
                let mut after = index.clone();
                after[axis] = offset(&var, 1);
                let read = self.at(&array, &after);
                self.line(&format!(
                    "if {var} + 1 < {extent} {{ {acc} {}= {}; }} else {{ {update} }}",
                    if acc_ty == Ty::Bool { "^" } else { "+" },
                    convert(&read, array.elem, acc_ty)
                ));
            }
            _ => {
                let both = index[..loops]
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let (e, _) = self.extent_or_size(&array, k);
                        format!("{v} < {}", cast_to(&e, var_ty))
                    })
                    .collect::<Vec<_>>()
                    .join(" && ");
                self.line(&format!("if {both} {{ {update} }}"));
            }
        }
        let vars: Vec<String> = index[..loops].to_vec();
        self.maybe_exit(&vars, &[]);
        while let Some(open) = opens.pop() {
            let n = self.body_statements();
            self.close_for(open, n);
        }
        true
    }

    /// The argument for a callee's size parameter `size`: the caller's extent of the same
    /// axis, a size local standing for it, or one or two more or less (never wrapping).
    pub(super) fn size_arg(&mut self, size: &SizeParam) -> String {
        let array = self
            .shape_arrays()
            .into_iter()
            .find(|a| a.name == size.array && a.fixed.is_none());
        let Some(array) = array else {
            return format!("{}usize", self.rng.below(5));
        };
        let (extent, huge) = self.extent_or_size(&array, size.axis);
        let extent = if huge {
            self.extent_text(&array, size.axis)
        } else {
            extent
        };
        match self.rng.below(10) {
            0..=5 => extent,
            6..=7 => format!("{extent} + {}", 1 + self.rng.below(2)),
            8 => format!("{extent}.max(1) - 1"),
            _ => format!("{extent} / 2"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{program, Config};

    /// The loop shapes the bounds analysis works on come up in a good share of programs
    /// (the `show` example's `--stats` prints the full table).
    #[test]
    fn loop_shapes_are_common() {
        let programs = 400;
        let mut with = std::collections::BTreeMap::<&str, u32>::new();
        let mut any = 0;
        for seed in 0..programs {
            let mut tags = program(seed, Config { generic: true }).tags;
            tags.sort_unstable();
            tags.dedup();
            any += u32::from(!tags.is_empty());
            for tag in tags {
                *with.entry(tag).or_default() += 1;
            }
        }
        let share = |tags: &[&str]| {
            let n: u32 = tags.iter().map(|t| with.get(t).copied().unwrap_or(0)).sum();
            100 * n / programs as u32
        };
        assert!(
            any * 100 / programs as u32 >= 65,
            "{any} of {programs}: {with:?}"
        );
        for (tags, percent) in [
            (&["elementwise"][..], 25),
            (&["triangular"], 8),
            (&["stencil-1d", "stencil-2d", "stencil-3d"], 15),
            (&["gemm", "gemv"], 7),
            (&["mut-bound", "mut-bound-reassigned", "while-bound"], 10),
            (&["mut-bound-reassigned"], 2),
            (&["index-invariant", "index-assigned", "index-let"], 8),
            (&["index-assigned"], 3),
            (&["strided"], 1),
            (&["guard"], 15),
            (&["pure"], 20),
            (&["extent-direct"], 25),
            (&["extent-local", "dim-tuple"], 15),
            (&["dim-tuple"], 4),
            (&["size-param"], 8),
            (
                &["bound-larger", "bound-other", "bound-const", "inclusive"],
                15,
            ),
            (&["bound-smaller"], 10),
            (&["bound-wrap"], 20),
            (&["break"], 8),
            (&["continue"], 8),
            (&["return"], 6),
            (&["rev-step"], 10),
            (&["prange-shape"], 2),
            (&["promote"], 5),
        ] {
            assert!(
                share(tags) >= percent,
                "{tags:?}: {}% < {percent}%",
                share(tags)
            );
        }
    }
}
