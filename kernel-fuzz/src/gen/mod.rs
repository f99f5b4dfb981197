//! A generator of random, well-typed, terminating kernel programs and of random inputs for
//! them, deterministic from a `u64` seed.
//!
//! A program is a few functions `k0 … kN`; `k0` is the entry point and takes every array of
//! the program. Function `ki` may call only `kj` with `j > i` (so there is no unbounded
//! recursion), plus an optional self-recursive function whose depth argument is clamped.
//! Every loop is bounded by a small constant or by an array extent (at most a few elements),
//! and loop nesting, counted through calls, stays shallow, so a program runs in microseconds
//! to milliseconds in the interpreter.
//!
//! About a third of the `for` loops outside parallel loops are `prange` loops whose result does
//! not depend on how the iterations are split into chunks, so the sequential interpreter and
//! the parallel JIT and native tiers must still agree to the bit (see [`Parallel`]).
//!
//! Well-typedness is by construction: the generator tracks the type of every local and
//! expression. Where the kernel language infers a literal's type from its context, the
//! generator leaves the suffix off only when the context fixes the type (`x + 3` with a known
//! `x`); elsewhere (`let` without annotation, cast operands, indices, comparison operands and
//! method receivers) every literal is suffixed.
//!
//! The `shapes` module adds the loop nests a bounds-check analysis works on: bounds from array extents
//! (directly, through locals and size parameters, equal to, smaller or larger than the extent
//! indexed), triangular nests, stencils with offsets, gemm-like nests with invariant operands,
//! mutable bound locals, guards and early exits.
//!
//! This module is also compiled into `build.rs` (through `#[path]`), so it depends on nothing
//! but `std`.

use std::fmt::Write as _;

mod shapes;

pub use shapes::SizeParam;
use shapes::SizeVar;

/// A small deterministic RNG (SplitMix64): no external crate, same stream on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The scalar types of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    I32,
    I64,
    U32,
    U64,
    Usize,
    F32,
    F64,
}

impl Ty {
    pub const NUMERIC: [Ty; 7] = [
        Ty::I32,
        Ty::I64,
        Ty::U32,
        Ty::U64,
        Ty::Usize,
        Ty::F32,
        Ty::F64,
    ];
    pub const INTS: [Ty; 5] = [Ty::I32, Ty::I64, Ty::U32, Ty::U64, Ty::Usize];
    pub const ALL: [Ty; 8] = [
        Ty::Bool,
        Ty::I32,
        Ty::I64,
        Ty::U32,
        Ty::U64,
        Ty::Usize,
        Ty::F32,
        Ty::F64,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            Ty::Usize => "usize",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }

    pub fn is_int(self) -> bool {
        !self.is_float() && self != Ty::Bool
    }

    pub fn is_signed(self) -> bool {
        matches!(self, Ty::I32 | Ty::I64)
    }

    /// The bit pattern of a value of this type, widened to 64 bits the way the runtime's raw
    /// slots hold it (signed ints sign-extended, `f32` in the low 32 bits).
    fn random_bits(self, rng: &mut Rng) -> u64 {
        match self {
            Ty::Bool => rng.below(2),
            Ty::I32 => random_i64(rng, i32::MIN.into(), i32::MAX.into()) as u64,
            Ty::I64 => random_i64(rng, i64::MIN, i64::MAX) as u64,
            Ty::U32 => random_u64(rng, u32::MAX.into()),
            Ty::U64 | Ty::Usize => random_u64(rng, u64::MAX),
            Ty::F32 => random_f32(rng).to_bits().into(),
            Ty::F64 => random_f64(rng).to_bits(),
        }
    }
}

fn random_i64(rng: &mut Rng, min: i64, max: i64) -> i64 {
    match rng.below(10) {
        0..=4 => rng.below(11) as i64 - 5,
        5 => *rng.pick(&[min, max, min + 1, max - 1, -1, 0]),
        6 => rng.below(300) as i64 - 150,
        _ => {
            let span = (max as i128 - min as i128 + 1) as u128;
            (min as i128 + (rng.next_u64() as u128 % span) as i128) as i64
        }
    }
}

fn random_u64(rng: &mut Rng, max: u64) -> u64 {
    match rng.below(10) {
        0..=4 => rng.below(6),
        5 => *rng.pick(&[max, max - 1, 0, 1, max / 2 + 1]),
        6 => rng.below(300),
        _ => rng.next_u64() & max,
    }
}

fn random_f64(rng: &mut Rng) -> f64 {
    match rng.below(12) {
        0 => *rng.pick(&[
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            9.3e18,
            -9.3e18,
            4.3e9,
        ]),
        1 => f64::from_bits(rng.next_u64()),
        2..=5 => (rng.below(21) as f64 - 10.0) / 2.0,
        _ => (rng.next_u64() as i64 as f64) / (1u64 << rng.below(64)) as f64,
    }
}

fn random_f32(rng: &mut Rng) -> f32 {
    match rng.below(12) {
        0 => *rng.pick(&[
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -0.0,
            0.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1e-45,
            2.2e9,
            -2.2e9,
        ]),
        1 => f32::from_bits(rng.next_u64() as u32),
        _ => random_f64(rng) as f32,
    }
}

/// How a parameter array is written in the signature (which decides the layouts a native
/// caller can pass).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `&[T]` / `&mut [T]` (rank 1, contiguous).
    Slice,
    /// `ArrayView2<T>` / `ArrayViewMut2<T>`.
    View,
    /// `&Array2<T>` / `&mut Array2<T>`.
    Owned,
}

/// An array parameter of the program (every function that takes it uses the same name).
#[derive(Clone, Debug, PartialEq)]
pub struct ArraySpec {
    pub name: String,
    pub elem: Ty,
    pub rank: usize,
    pub mutable: bool,
    pub form: Form,
}

impl ArraySpec {
    /// The parameter's Rust type.
    pub fn rust_type(&self) -> String {
        let elem = self.elem.name();
        match (self.form, self.mutable) {
            (Form::Slice, false) => format!("&[{elem}]"),
            (Form::Slice, true) => format!("&mut [{elem}]"),
            (Form::View, false) => format!("ArrayView{}<{elem}>", self.rank),
            (Form::View, true) => format!("ArrayViewMut{}<{elem}>", self.rank),
            (Form::Owned, false) => format!("&Array{}<{elem}>", self.rank),
            (Form::Owned, true) => format!("&mut Array{}<{elem}>", self.rank),
        }
    }
}

/// A parameter of the entry function.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// `generic`: written `_`; `ty` is then only a default, [`inputs`] picks any type.
    Scalar {
        name: String,
        ty: Ty,
        generic: bool,
    },
    Array(ArraySpec),
}

/// What the generator may use.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Allow `_` (lazily specialised) parameters in callees; the native tier has none.
    pub generic: bool,
}

/// A generated program.
#[derive(Clone, Debug)]
pub struct Program {
    pub seed: u64,
    pub source: String,
    /// The entry function's name (`k0`).
    pub entry: String,
    pub params: Vec<Param>,
    pub ret: Ty,
    /// Some function has a `prange` loop. After a runtime error, iterations of later chunks
    /// may have written their elements, so only the error is comparable, not the arrays.
    pub parallel: bool,
    /// The entry's size parameters: [`inputs`] derives each from an extent of its array.
    pub sizes: Vec<SizeParam>,
    /// What the program contains, by the loop shapes it was built from (`"triangular"`,
    /// `"bound-larger"`, …), one entry per occurrence: for the distribution checks.
    pub tags: Vec<&'static str>,
}

/// Memory layout of an array argument; never changes the logical values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    C,
    Fortran,
    /// Stored reversed along axis 0 and seen through a negative stride.
    Reversed,
    /// Every other row (axis 0) of a twice-as-long buffer whose gaps must stay untouched
    /// (views only: slices and owned arrays cannot have gaps).
    Strided,
}

/// One argument value. Scalars and elements are bit patterns as [`Ty::random_bits`] makes
/// them; array data is in logical row-major order.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Scalar(Ty, u64),
    Array {
        elem: Ty,
        shape: Vec<usize>,
        data: Vec<u64>,
        layout: Layout,
    },
}

/// The signature of a generated function, as its callers see it.
#[derive(Clone, Debug)]
struct Sig {
    name: String,
    /// Scalar parameter types (`None`: a `_` parameter, instantiated as the argument's type).
    scalars: Vec<(String, Option<Ty>)>,
    arrays: Vec<ArraySpec>,
    ret: Ty,
    /// Every array parameter is written `_` (its element type, rank and mutability come
    /// from the call).
    generic_arrays: bool,
    /// Deepest loop nesting inside, counting callees' loops.
    loop_depth: u32,
    /// A bounded self-recursive function: its first parameter is the depth.
    recursive: bool,
    /// Recursive, and called deep enough to reach the `RecursionLimit` error.
    deep: bool,
    /// `usize` parameters (also in `scalars`) that callers derive from an array extent.
    sizes: Vec<SizeParam>,
}

/// Deepest loop nesting a program may reach, counting through calls.
const MAX_LOOP_DEPTH: u32 = 3;

/// Generates program `seed`.
pub fn program(seed: u64, config: Config) -> Program {
    let mut rng = Rng::new(seed);
    let arrays = program_arrays(&mut rng);
    let n_callees = rng.below(4) as usize;
    let mut sigs: Vec<Sig> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut tags: Vec<&'static str> = Vec::new();
    // Callees first (highest index first), so each function knows the signatures it may call.
    for index in (1..=n_callees).rev() {
        let sig = callee_sig(&mut rng, index, &arrays, config);
        let (text, depth) = FnGen::new(&mut rng, &sig, &sigs).generate(&mut tags);
        sigs.push(Sig {
            loop_depth: depth,
            ..sig
        });
        texts.push(text);
    }
    // Each entry scalar's input type, and whether the parameter is written `_` (then the
    // entry function is specialised for the argument's type on its first call).
    let mut entry_types: Vec<(Ty, bool)> = (0..1 + rng.below(3))
        .map(|_| (*rng.pick(&Ty::ALL), config.generic && rng.chance(15)))
        .collect();
    let mut scalars: Vec<(String, Option<Ty>)> = entry_types
        .iter()
        .enumerate()
        .map(|(i, (ty, generic))| (format!("s{i}"), (!generic).then_some(*ty)))
        .collect();
    let sizes = shapes::size_params(&mut rng, &arrays, 60);
    for size in &sizes {
        scalars.push((size.name.clone(), Some(Ty::Usize)));
        entry_types.push((Ty::Usize, false));
    }
    let entry = Sig {
        name: "k0".into(),
        scalars,
        generic_arrays: false,
        arrays: arrays.clone(),
        ret: *rng.pick(&Ty::ALL),
        loop_depth: 0,
        recursive: false,
        deep: false,
        sizes,
    };
    let (text, _) = FnGen::new(&mut rng, &entry, &sigs).generate(&mut tags);
    texts.push(text);
    texts.reverse();
    let mut source = format!("// generated kernel program, seed {seed}\n");
    for text in texts {
        source.push_str(&text);
        source.push('\n');
    }
    let mut params: Vec<Param> = entry
        .scalars
        .iter()
        .zip(&entry_types)
        .map(|((name, _), (ty, generic))| Param::Scalar {
            name: name.clone(),
            ty: *ty,
            generic: *generic,
        })
        .collect();
    params.extend(arrays.into_iter().map(Param::Array));
    Program {
        seed,
        parallel: source.contains("prange("),
        source,
        entry: entry.name,
        params,
        ret: entry.ret,
        sizes: entry.sizes,
        tags,
    }
}

fn program_arrays(rng: &mut Rng) -> Vec<ArraySpec> {
    // Loop shapes over several arrays want a few arrays, often of one element type (then the
    // JIT's `f64` vector loops and mixed-free arithmetic come up too).
    let count = if rng.chance(35) {
        2 + rng.below(3)
    } else {
        rng.below(4)
    };
    let family = rng.chance(50).then(|| {
        if rng.chance(60) {
            Ty::F64
        } else {
            *rng.pick(&Ty::NUMERIC)
        }
    });
    (0..count)
        .map(|i| {
            let rank = match rng.below(10) {
                0..=4 => 1,
                5..=8 => 2,
                _ => 3,
            };
            let form = match (rank, rng.below(3)) {
                (1, 0) => Form::Slice,
                (_, 1) => Form::Owned,
                _ => Form::View,
            };
            ArraySpec {
                name: format!("a{i}"),
                elem: if rng.chance(8) {
                    Ty::Bool
                } else {
                    family.unwrap_or_else(|| *rng.pick(&Ty::NUMERIC))
                },
                rank,
                mutable: rng.chance(60),
                form,
            }
        })
        .collect()
}

fn callee_sig(rng: &mut Rng, index: usize, arrays: &[ArraySpec], config: Config) -> Sig {
    let recursive = rng.chance(15);
    let deep = recursive && rng.chance(20);
    let mut scalars: Vec<(String, Option<Ty>)> = Vec::new();
    if recursive {
        scalars.push(("depth".into(), Some(Ty::U32)));
    }
    for i in 0..rng.below(3) + usize::from(!recursive) as u64 {
        let ty = if config.generic && !recursive && rng.chance(20) {
            None
        } else {
            Some(*rng.pick(&Ty::ALL))
        };
        scalars.push((format!("p{i}"), ty));
    }
    let arrays: Vec<ArraySpec> = arrays.iter().filter(|_| rng.chance(40)).cloned().collect();
    let sizes = shapes::size_params(rng, &arrays, 30);
    for size in &sizes {
        scalars.push((size.name.clone(), Some(Ty::Usize)));
    }
    Sig {
        generic_arrays: config.generic && rng.chance(25),
        name: format!("k{index}"),
        scalars,
        arrays,
        ret: *rng.pick(&Ty::ALL),
        loop_depth: 0,
        recursive,
        deep,
        sizes,
    }
}

/// A scalar local in scope.
#[derive(Clone, Debug)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
}

/// A fixed local array in scope.
#[derive(Clone, Debug)]
struct Fixed {
    name: String,
    elem: Ty,
    len: u32,
    mutable: bool,
}

/// An enclosing loop, for `break` and `continue`.
#[derive(Clone, Debug)]
struct LoopCtx {
    label: Option<String>,
    /// The type of `break` values (`loop` used as an expression).
    value: Option<Ty>,
    /// A parallel loop: `continue` only (`break` cannot leave it).
    parallel: bool,
}

/// How a reduction combines an outer scalar inside a parallel loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reduce {
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
///   NaN start values combine exactly too);
/// - calls go only to functions that take no writable array; no `return`, no `break` out of
///   the loop; local fixed arrays declared outside are read-only.
#[derive(Clone, Debug)]
struct Parallel {
    var: String,
    outputs: Vec<String>,
    reductions: Vec<(Var, Reduce)>,
}

/// Generates one function.
struct FnGen<'a> {
    rng: &'a mut Rng,
    sig: &'a Sig,
    callees: &'a [Sig],
    out: String,
    indent: usize,
    vars: Vec<Var>,
    /// Where the current block's locals start in `vars`.
    scope_start: usize,
    /// `_` parameters: their type is the caller's, so they are only ever cast.
    generic_params: Vec<String>,
    fixed: Vec<Fixed>,
    loops: Vec<LoopCtx>,
    /// Inside a `prange` body: its rules.
    parallel: Option<Parallel>,
    /// Current loop nesting, and the deepest reached (counting callees).
    loop_depth: u32,
    max_depth: u32,
    /// Statements left to generate.
    budget: u32,
    fresh: u32,
    /// `usize` locals and parameters in scope that loop shapes use as bounds (see
    /// `shapes`); never assigned by ordinary statements, never shadowed.
    sizes: Vec<SizeVar>,
    /// The shapes generated so far (see [`Program::tags`]).
    tags: Vec<&'static str>,
    /// Deliberately out-of-range choices the current shape may still make.
    misfits: u32,
    /// The current shape is a pure nest (see `shapes`).
    pure: bool,
}

/// What [`FnGen::push_scope`] saved: the model of the enclosing block.
struct Scope {
    vars: usize,
    fixed: usize,
    sizes: usize,
    scope_start: usize,
}

impl<'a> FnGen<'a> {
    fn new(rng: &'a mut Rng, sig: &'a Sig, callees: &'a [Sig]) -> FnGen<'a> {
        let budget = 6 + rng.below(14) as u32;
        FnGen {
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
    fn generate(mut self, tags: &mut Vec<&'static str>) -> (String, u32) {
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
        let text = format!(
            "fn {}({}) -> {} {{\n{}}}\n",
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

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn fresh_name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn vars_of(&self, ty: Ty, mutable: bool) -> Vec<usize> {
        (0..self.vars.len())
            .filter(|&i| self.vars[i].ty == ty && (!mutable || self.vars[i].mutable))
            .collect()
    }

    // ---- statements ------------------------------------------------------------------------

    fn stmt(&mut self) {
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

    fn let_stmt(&mut self) {
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
    fn assign_value(&mut self, ty: Ty) -> (&'static str, String) {
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

    fn assign_element(&mut self) {
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
        let init = if self.rng.chance(50) {
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
    fn block(&mut self, statements: u32, body: impl FnOnce(&mut Self)) {
        let scope = self.push_scope();
        body(self);
        self.pop_scope(scope, statements);
    }

    /// Enters a nested block (one indent deeper, its own scope for shadowing).
    fn push_scope(&mut self) -> Scope {
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
    fn pop_scope(&mut self, scope: Scope, statements: u32) {
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

    fn if_stmt(&mut self) {
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

    fn label(&mut self) -> Option<String> {
        self.rng.chance(30).then(|| self.fresh_name("'l"))
    }

    fn enter_loop(&mut self, label: Option<String>, value: Option<Ty>, parallel: bool) {
        self.loops.push(LoopCtx {
            label,
            value,
            parallel,
        });
        self.loop_depth += 1;
        self.max_depth = self.max_depth.max(self.loop_depth);
    }

    fn leave_loop(&mut self) {
        self.loops.pop();
        self.loop_depth -= 1;
    }

    fn label_prefix(label: &Option<String>) -> String {
        label.as_ref().map_or(String::new(), |l| format!("{l}: "))
    }

    fn for_stmt(&mut self) {
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
            let op = if var.ty.is_float() {
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
    fn reduction_stmt(&mut self) {
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

    fn while_stmt(&mut self) {
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
    fn loop_stmt(&mut self) {
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

    fn break_or_continue(&mut self) {
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

    fn early_return(&mut self) {
        if self.parallel.is_some() {
            return self.let_stmt();
        }
        let cond = self.expr(Ty::Bool, 2, true);
        let value = self.expr(self.sig.ret, 2, true);
        self.line(&format!("if {cond} {{ return {value}; }}"));
    }

    fn call_stmt(&mut self) {
        match self.call_any(None) {
            Some(call) => self.line(&format!("{call};")),
            None => self.let_stmt(),
        }
    }

    // ---- places and array reads ------------------------------------------------------------

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
    fn array_place(&mut self, array: &ArraySpec) -> String {
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

    fn fixed_place(&mut self, fixed: &Fixed) -> String {
        let i = self.index(&fixed.len.to_string());
        format!("{}[{i}]", fixed.name)
    }

    // ---- expressions -----------------------------------------------------------------------

    /// An expression of type `ty`. `known`: the context fixes the type of unsuffixed
    /// literals; when false, every literal is suffixed.
    fn expr(&mut self, ty: Ty, depth: u32, known: bool) -> String {
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
            11..=12 => self.if_expr(ty, d, known),
            13..=15 => self.read(ty)?,
            16..=17 => self.call_any(Some(ty))?,
            18 => self.dim_query(ty)?,
            19 => self.block_expr(ty, d, known),
            _ => return None,
        })
    }

    /// A right operand of integer `/` or `%`: half of the time a literal that cannot be zero,
    /// so that fewer runs stop at `DivisionByZero`.
    fn divisor(&mut self, ty: Ty, d: u32, known: bool) -> String {
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
            let high = low + self.rng.below(300);
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

    /// `a.len()` and friends, cast to `ty` when it is not `usize`.
    fn dim_query(&mut self, ty: Ty) -> Option<String> {
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
    fn read(&mut self, ty: Ty) -> Option<String> {
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

    /// A call of a callee returning `ret` (any type when `None`) that fits the loop budget.
    fn call_any(&mut self, ret: Option<Ty>) -> Option<String> {
        let callees = self.callees;
        let fitting: Vec<&Sig> = callees
            .iter()
            .filter(|s| ret.is_none_or(|t| s.ret == t))
            .filter(|s| self.loop_depth + s.loop_depth <= MAX_LOOP_DEPTH)
            .filter(|s| s.arrays.iter().all(|a| self.sig.arrays.contains(a)))
            // In a parallel loop, a callee writing an array would race with other iterations.
            .filter(|s| self.parallel.is_none() || s.arrays.iter().all(|a| !a.mutable))
            .collect();
        if fitting.is_empty() {
            return None;
        }
        let sig = *self.rng.pick(&fitting);
        self.max_depth = self.max_depth.max(self.loop_depth + sig.loop_depth);
        let args = self.call_args(sig, false);
        Some(format!("{}({args})", sig.name))
    }

    fn call_args(&mut self, sig: &Sig, recursive: bool) -> String {
        let mut args: Vec<String> = Vec::new();
        for (i, (name, ty)) in sig.scalars.iter().enumerate() {
            if let Some(size) = sig.sizes.iter().find(|s| &s.name == name) {
                args.push(if recursive {
                    name.clone()
                } else {
                    self.size_arg(size)
                });
                continue;
            }
            args.push(match ty {
                Some(_) if recursive && i == 0 => "depth - 1".to_string(),
                Some(_) if sig.deep && i == 0 => format!("{}u32", 400 + self.rng.below(300)),
                Some(t) if sig.recursive && i == 0 => {
                    let e = self.expr(*t, 1, true);
                    format!("({e} % 5)")
                }
                Some(t) => self.expr(*t, 2, true),
                None => {
                    let t = *self.rng.pick(&Ty::ALL);
                    self.expr(t, 2, false)
                }
            });
        }
        for a in &sig.arrays {
            args.push(match (a.mutable, a.form, self.rng.below(3)) {
                (_, _, 0) => a.name.clone(),
                (true, Form::View, 1) => format!("{}.view_mut()", a.name),
                (false, Form::View, 1) => format!("{}.view()", a.name),
                (true, _, _) => format!("&mut {}", a.name),
                (false, _, _) => format!("&{}", a.name),
            });
        }
        args.join(", ")
    }

    // ---- leaves ----------------------------------------------------------------------------

    fn leaf(&mut self, ty: Ty, known: bool) -> String {
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
fn int_text(value: i64) -> String {
    if value < 0 {
        format!("(-{})", value.unsigned_abs())
    } else {
        value.to_string()
    }
}

/// A literal or named constant of type `ty`; unsuffixed only when `known`.
fn literal(rng: &mut Rng, ty: Ty, known: bool) -> String {
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
                0 => rng.below(1000) as i64,
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

/// Random arguments for `program` (from its own stream `seed`). The arrays' shapes are
/// chosen together (see [`array_shapes`]), and each size parameter from the extent it
/// stands for (see `shapes::size_value`).
pub fn inputs(program: &Program, seed: u64) -> Vec<Input> {
    let mut rng = Rng::new(seed ^ 0xa076_1d64_78bd_642f);
    let specs: Vec<&ArraySpec> = program
        .params
        .iter()
        .filter_map(|param| match param {
            Param::Array(spec) => Some(spec),
            Param::Scalar { .. } => None,
        })
        .collect();
    let shapes = array_shapes(&mut rng, &specs);
    let shape_of = |name: &str| {
        specs
            .iter()
            .zip(&shapes)
            .find(|(spec, _)| spec.name == name)
            .map(|(_, shape)| shape.clone())
    };
    program
        .params
        .iter()
        .map(|param| match param {
            // A `_` parameter gets an argument of any type: each new type is a new
            // specialisation of the same function.
            Param::Scalar { generic: true, .. } => {
                let ty = *rng.pick(&Ty::ALL);
                Input::Scalar(ty, ty.random_bits(&mut rng))
            }
            Param::Scalar { name, ty, .. } => {
                match program.sizes.iter().find(|s| &s.name == name) {
                    Some(size) => {
                        let extent = shape_of(&size.array)
                            .and_then(|shape| shape.get(size.axis).copied())
                            .unwrap_or(0);
                        Input::Scalar(*ty, shapes::size_value(&mut rng, extent) as u64)
                    }
                    None => Input::Scalar(*ty, ty.random_bits(&mut rng)),
                }
            }
            Param::Array(spec) => {
                let shape = shape_of(&spec.name).unwrap_or_default();
                random_array(&mut rng, spec, shape)
            }
        })
        .collect()
}

/// The shapes of a call's arrays, chosen together so that loops over one array's extents
/// often stay inside the others': all axes of all arrays one extent (square), or axis `k` of
/// every array one extent `d_k` (rectangular), or each axis one of two extents, or (as before
/// loop shapes) every axis on its own. Extents are small (up to 4; up to 8 now and then, so
/// vector loops take several trips); now and then one is 0, and now and then axis 0 is long,
/// so that `prange` loops over it give every chunk several iterations (with at most 4, each of
/// the 8 chunks of two threads runs one).
pub fn array_shapes(rng: &mut Rng, specs: &[&ArraySpec]) -> Vec<Vec<usize>> {
    let extent = |rng: &mut Rng| {
        if rng.chance(2) {
            0
        } else {
            1 + rng.below(4) as usize
        }
    };
    let long = |rng: &mut Rng| 9 + rng.below(16) as usize;
    let common = |rng: &mut Rng| {
        if rng.chance(5) {
            0
        } else {
            1 + rng.below(4) as usize
        }
    };
    match rng.below(20) {
        0..=10 => {
            // Now and then a few more, so that vector loops take several trips and leave a
            // remainder.
            let n = if rng.chance(15) {
                5 + rng.below(4) as usize
            } else {
                common(rng)
            };
            let first = if rng.chance(10) { long(rng) } else { n };
            specs
                .iter()
                .map(|spec| {
                    (0..spec.rank)
                        .map(|axis| if axis == 0 { first } else { n })
                        .collect()
                })
                .collect()
        }
        11..=14 => {
            let mut dims = [common(rng), common(rng), common(rng)];
            if rng.chance(10) {
                dims[0] = long(rng);
            }
            specs
                .iter()
                .map(|spec| dims[..spec.rank].to_vec())
                .collect()
        }
        15..=16 => {
            let pool = [extent(rng), extent(rng)];
            specs
                .iter()
                .map(|spec| {
                    let mut shape: Vec<usize> = (0..spec.rank).map(|_| *rng.pick(&pool)).collect();
                    if rng.chance(8) {
                        shape[0] = long(rng);
                    }
                    shape
                })
                .collect()
        }
        _ => specs
            .iter()
            .map(|spec| {
                let mut shape: Vec<usize> = (0..spec.rank).map(|_| extent(rng)).collect();
                if rng.chance(12) {
                    shape[0] = long(rng);
                }
                shape
            })
            .collect(),
    }
}

fn random_array(rng: &mut Rng, spec: &ArraySpec, shape: Vec<usize>) -> Input {
    let count: usize = shape.iter().product();
    let data = (0..count).map(|_| spec.elem.random_bits(rng)).collect();
    let layout = match (spec.form, rng.below(4)) {
        (Form::Slice, _) | (_, 0) => Layout::C,
        (_, 1) if spec.rank > 1 => Layout::Fortran,
        (Form::View, 2) => Layout::Strided,
        _ => Layout::Reversed,
    };
    Input::Array {
        elem: spec.elem,
        shape,
        data,
        layout,
    }
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Scalar(ty, bits) => write!(f, "{}", value_text(*ty, *bits)),
            Input::Array {
                elem,
                shape,
                data,
                layout,
            } => {
                let mut text = String::new();
                for (i, bits) in data.iter().enumerate() {
                    if i > 0 {
                        text.push_str(", ");
                    }
                    let _ = write!(text, "{}", value_text(*elem, *bits));
                }
                write!(f, "{}{shape:?} {layout:?} [{text}]", elem.name())
            }
        }
    }
}

/// A value's text from its bits (floats with `{:?}`, so `-0.0` and `NaN` show).
pub fn value_text(ty: Ty, bits: u64) -> String {
    match ty {
        Ty::Bool => (bits & 1 != 0).to_string(),
        Ty::I32 => (bits as i32).to_string(),
        Ty::I64 => (bits as i64).to_string(),
        Ty::U32 => (bits as u32).to_string(),
        Ty::U64 | Ty::Usize => bits.to_string(),
        Ty::F32 => format!("{:?}", f32::from_bits(bits as u32)),
        Ty::F64 => format!("{:?}", f64::from_bits(bits)),
    }
}
