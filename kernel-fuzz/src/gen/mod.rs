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
//! The generator's parts: `assembly` (a program's arrays, signatures and functions),
//! `function` (one function's generator state), `statements`, `control` (branches and
//! loops), `accesses` (indices and element places), `expressions`, `calls`, `scalars`
//! (leaves and literals), `shapes` (bounds-check loop nests) and `inputs` (arguments).
//!
//! This module is also compiled into `build.rs` (through `#[path]`), so it depends on nothing
//! but `std`.

mod accesses;
mod assembly;
mod calls;
mod control;
mod expressions;
mod function;
mod inputs;
mod scalars;
mod shapes;
mod statements;

pub use assembly::program;
// `build.rs` compiles this module privately (through `#[path]`) and never makes inputs.
#[allow(unused_imports)]
pub use inputs::{array_shapes, inputs, value_text};
pub use shapes::SizeParam;

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
    I8,
    I16,
    U8,
    U16,
    I32,
    I64,
    U32,
    U64,
    Usize,
    F32,
    F64,
}

impl Ty {
    pub const NUMERIC: [Ty; 11] = [
        Ty::I8,
        Ty::I16,
        Ty::U8,
        Ty::U16,
        Ty::I32,
        Ty::I64,
        Ty::U32,
        Ty::U64,
        Ty::Usize,
        Ty::F32,
        Ty::F64,
    ];
    pub const INTS: [Ty; 9] = [
        Ty::I8,
        Ty::I16,
        Ty::U8,
        Ty::U16,
        Ty::I32,
        Ty::I64,
        Ty::U32,
        Ty::U64,
        Ty::Usize,
    ];
    pub const ALL: [Ty; 12] = [
        Ty::Bool,
        Ty::I8,
        Ty::I16,
        Ty::U8,
        Ty::U16,
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
            Ty::I8 => "i8",
            Ty::I16 => "i16",
            Ty::U8 => "u8",
            Ty::U16 => "u16",
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
        matches!(self, Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64)
    }

    /// The largest value of an integer type that fits in `i64` (literals stay below it).
    pub fn int_max(self) -> i64 {
        match self {
            Ty::I8 => i8::MAX.into(),
            Ty::U8 => u8::MAX.into(),
            Ty::I16 => i16::MAX.into(),
            Ty::U16 => u16::MAX.into(),
            Ty::I32 => i32::MAX.into(),
            Ty::U32 => u32::MAX.into(),
            _ => i64::MAX,
        }
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
