//! The state of one function's generator ([`FnGen`]): its locals, fixed arrays, loops and
//! parallel loop in scope, the budget of statements left, and the function's frame (header,
//! recursion base, result).

use super::shapes::SizeVar;
use super::{Form, Rng, Sig, Ty};

/// A scalar local in scope.
#[derive(Clone, Debug)]
pub(super) struct Var {
    pub(super) name: String,
    pub(super) ty: Ty,
    pub(super) mutable: bool,
}

/// A fixed local array in scope.
#[derive(Clone, Debug)]
pub(super) struct Fixed {
    pub(super) name: String,
    pub(super) elem: Ty,
    pub(super) len: u32,
    pub(super) mutable: bool,
}

/// An enclosing loop, for `break` and `continue`.
#[derive(Clone, Debug)]
pub(super) struct LoopCtx {
    pub(super) label: Option<String>,
    /// The type of `break` values (`loop` used as an expression).
    pub(super) value: Option<Ty>,
    /// A parallel loop: `continue` only (`break` cannot leave it).
    pub(super) parallel: bool,
}

/// How a reduction combines an outer scalar inside a parallel loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reduce {
    Add,
    Mul,
    Min,
    Max,
}

/// The rules of the parallel loop whose body is being generated, chosen so that the result
/// does not depend on chunking (the interpreter runs the iterations in order, the JIT and
/// native tiers in chunks on threads):
/// - iterations write only `outputs` (writable array arguments), and only in their own slice
///   `a[i, ..]` (`i` the loop variable as the first index), and read those arrays only there;
///   other arrays are read anywhere, since nothing in the loop writes them;
/// - outer scalars are read-only, except `reductions`, which are never read in the loop and
///   are combined exactly whatever the order: integer `+=`, `*=` (wrapping), `min`, `max`;
///   float `min`/`max` only (float `+=`/`*=` would reassociate; their identity is NaN, so
///   NaN start values combine exactly too), except in a `#[reassociate]` function, whose
///   float sums and products run on blocks fixed by the iteration count in every tier;
/// - calls go only to functions that take no writable array; no `return`, no `break` out of
///   the loop; local fixed arrays declared outside are read-only.
#[derive(Clone, Debug)]
pub(super) struct Parallel {
    pub(super) var: String,
    pub(super) outputs: Vec<String>,
    pub(super) reductions: Vec<(Var, Reduce)>,
}

/// Generates one function.
pub(super) struct FnGen<'a> {
    /// `#[reassociate(lanes = N)]` on the function: its float reductions run in lanes, so
    /// a `prange` may also sum and multiply floats (the blocks are fixed).
    pub(super) reassociate: Option<u32>,
    pub(super) rng: &'a mut Rng,
    pub(super) sig: &'a Sig,
    pub(super) callees: &'a [Sig],
    pub(super) out: String,
    pub(super) indent: usize,
    pub(super) vars: Vec<Var>,
    /// Where the current block's locals start in `vars`.
    pub(super) scope_start: usize,
    /// `_` parameters: their type is the caller's, so they are only ever cast.
    pub(super) generic_params: Vec<String>,
    pub(super) fixed: Vec<Fixed>,
    pub(super) loops: Vec<LoopCtx>,
    /// Inside a `prange` body: its rules.
    pub(super) parallel: Option<Parallel>,
    /// Current loop nesting, and the deepest reached (counting callees).
    pub(super) loop_depth: u32,
    pub(super) max_depth: u32,
    /// Statements left to generate.
    pub(super) budget: u32,
    pub(super) fresh: u32,
    /// `usize` locals and parameters in scope that loop shapes use as bounds (see
    /// `shapes`); never assigned by ordinary statements, never shadowed.
    pub(super) sizes: Vec<SizeVar>,
    /// The shapes generated so far (see [`Program::tags`]).
    pub(super) tags: Vec<&'static str>,
    /// Deliberately out-of-range choices the current shape may still make.
    pub(super) misfits: u32,
    /// The current shape is a pure nest (see `shapes`).
    pub(super) pure: bool,
}

/// What [`FnGen::push_scope`] saved: the model of the enclosing block.
pub(super) struct Scope {
    pub(super) vars: usize,
    pub(super) fixed: usize,
    pub(super) sizes: usize,
    pub(super) scope_start: usize,
}

impl<'a> FnGen<'a> {
    pub(super) fn new(rng: &'a mut Rng, sig: &'a Sig, callees: &'a [Sig]) -> FnGen<'a> {
        let budget = 6 + rng.below(14) as u32;
        let reassociate = rng.chance(25).then(|| *rng.pick(&[2, 4, 8, 16]));
        FnGen {
            reassociate,
            rng,
            sig,
            callees,
            out: String::new(),
            indent: 1,
            vars: Vec::new(),
            scope_start: 0,
            generic_params: Vec::new(),
            fixed: Vec::new(),
            loops: Vec::new(),
            parallel: None,
            loop_depth: 0,
            max_depth: 0,
            budget,
            fresh: 0,
            sizes: Vec::new(),
            tags: Vec::new(),
            misfits: 0,
            pure: false,
        }
    }

    /// The function's text and its deepest loop nesting; appends its shapes to `tags`.
    pub(super) fn generate(mut self, tags: &mut Vec<&'static str>) -> (String, u32) {
        let mut params: Vec<String> = Vec::new();
        for size in &self.sig.sizes {
            self.sizes.push(SizeVar {
                name: size.name.clone(),
                of: (size.array.clone(), size.axis),
                huge: false,
                param: true,
            });
        }
        for (name, ty) in &self.sig.scalars {
            let size = self.sig.sizes.iter().any(|s| &s.name == name);
            let mutable = self.rng.chance(20) && ty.is_some() && !size;
            params.push(format!(
                "{}{name}: {}",
                if mutable { "mut " } else { "" },
                ty.map_or("_", Ty::name)
            ));
            match ty {
                Some(ty) => self.vars.push(Var {
                    name: name.clone(),
                    ty: *ty,
                    mutable,
                }),
                None => self.generic_params.push(name.clone()),
            }
        }
        for array in &self.sig.arrays {
            let binding = if array.form == Form::View && array.mutable {
                "mut "
            } else {
                ""
            };
            if self.sig.generic_arrays {
                params.push(format!("{}: _", array.name));
            } else {
                params.push(format!("{binding}{}: {}", array.name, array.rust_type()));
            }
        }
        if self.sig.recursive {
            self.recursion_base();
        }
        while self.budget > 0 {
            self.stmt();
        }
        let tail = self.expr(self.sig.ret, 3, true);
        self.line(&tail);
        let attribute = match self.reassociate {
            Some(lanes) => {
                self.tags.push("reassociate");
                format!("#[reassociate(lanes = {lanes})]\n")
            }
            None => String::new(),
        };
        let text = format!(
            "{attribute}fn {}({}) -> {} {{\n{}}}\n",
            self.sig.name,
            params.join(", "),
            self.sig.ret.name(),
            self.out
        );
        tags.append(&mut self.tags);
        (text, self.max_depth)
    }

    /// `if depth == 0 { return …; }` and a recursive call on `depth - 1` (clamped to 3).
    fn recursion_base(&mut self) {
        let value = self.expr(self.sig.ret, 2, true);
        let limit = if self.sig.deep { 1000 } else { 3 };
        self.line(&format!(
            "if depth == 0 || depth > {limit} {{ return {value}; }}"
        ));
        let args = self.call_args(self.sig, true);
        let name = self.fresh_name("r");
        let ty = self.sig.ret.name();
        self.line(&format!("let {name}: {ty} = {}({args});", self.sig.name));
        self.vars.push(Var {
            name,
            ty: self.sig.ret,
            mutable: false,
        });
    }

    pub(super) fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    pub(super) fn fresh_name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    pub(super) fn vars_of(&self, ty: Ty, mutable: bool) -> Vec<usize> {
        (0..self.vars.len())
            .filter(|&i| self.vars[i].ty == ty && (!mutable || self.vars[i].mutable))
            .collect()
    }
}
