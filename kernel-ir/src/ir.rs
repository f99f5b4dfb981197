//! The typed IR every tier consumes.
//!
//! A [`Function`] owns flat arenas: expressions (`exprs`, with their types and spans in the
//! parallel vectors `expr_types` and `expr_spans`), locals and loops, all addressed by `u32`
//! handles. Statements live in [`Block`]s that refer to expressions by [`ExprId`].
//!
//! Two stages use the same types:
//! - *lowered* functions (straight out of `lower`): `expr_types` is empty and the types of
//!   locals are only what the source annotated ([`Local::annot`]);
//! - *checked* functions (out of `check`, found in [`crate::Program::functions`]): every
//!   expression and local has a concrete type, literals hold their final value, calls name
//!   concrete instances. Backends only ever see checked functions.
//!
//! **Invariant (checked functions):** `expr_types[e]` is never [`Type::Array`]/[`Type::Fixed`]
//! except for an [`Expr::Local`] used directly as a call argument; it is a [`Type::Tuple`] only
//! for an [`Expr::Tuple`], an [`Expr::Call`] or an [`Expr::Local`] naming a tuple local, and
//! only as a returned value, the initialiser of a tuple local, the operand of an
//! [`Expr::Field`] or (calls) an expression statement; every operand of an operator
//! has the operator's scalar type as stated on each variant; nothing needs inference downstream.

pub mod walk;

use crate::diag::Span;
use crate::types::{Scalar, Type};

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

handle!(
    /// An expression in [`Function::exprs`].
    ExprId
);
handle!(
    /// A local (parameter, `let` binding or loop variable) in [`Function::locals`].
    LocalId
);
handle!(
    /// A loop in [`Function::loops`], the target of `break` and `continue`.
    LoopId
);
handle!(
    /// A checked function in [`crate::Program::functions`] (in lowered functions: the index of
    /// the callee's `fn` item in source order).
    FuncId
);

/// A type written in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Annot {
    Known(Type),
    /// `_`: the lazy-specialisation marker; filled in per call signature.
    Infer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalKind {
    /// The n-th parameter.
    Param(u32),
    Let,
    /// The variable of a `for` loop; immutable.
    LoopVar,
    /// The hidden tuple local a tuple pattern binds (`let (x, _, z) = f(a);`), with the
    /// pattern's element count; the named elements are `let`s of [`Expr::Field`]s of it.
    Pattern(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Local {
    pub name: String,
    pub kind: LocalKind,
    pub mutable: bool,
    /// What the source wrote, if anything.
    pub annot: Option<Annot>,
    /// Concrete type in checked functions; `Type::Unit` placeholder in lowered ones.
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoopInfo {
    pub label: Option<String>,
    pub span: Span,
    /// For a `prange` loop of a checked function: the scalars declared outside the loop that
    /// iterations combine (SPEC §4). Empty for every other loop.
    pub reductions: Vec<Reduction>,
    /// For a `prange` loop of a checked function: the arrays declared outside the loop whose
    /// elements iterations only update as `a[idx] += e` / `a[idx] *= e`, at least once at an
    /// index that is not the iteration's own (`hist[bin] += 1`). Each chunk updates a private
    /// copy started from the identity; the copies are combined into the array element by
    /// element in chunk order, as scalar reductions are. Empty for every other loop.
    pub array_reductions: Vec<Reduction>,
    /// For a loop of a `#[reassociate]` function (checked functions): the float reductions it
    /// computes in lanes, see [`Lanes`]. `None` for every other loop.
    pub lanes: Option<Lanes>,
}

/// The float reductions of one loop of a `#[reassociate]` function, computed in `count`
/// interleaved partial accumulators combined in a fixed tree: the lane layout is part of the
/// language's semantics, so every tier gives the same bits (docs/LANGUAGE.md, *Reassociation*).
///
/// - A sequential `for` loop of `n` iterations: iteration `k < m`, where `m = n - n % count`,
///   updates lane `k % count` (each lane starts from [`ReduceOp::identity`]); after iteration
///   `m - 1` the lanes are folded by [`lane_tree`] and combined into the variable
///   (`x = x op tree`); iterations `k >= m` update the variable directly, in order.
/// - A `prange` loop: the `n` iterations are split into [`parallel_blocks`]`(n)` contiguous
///   blocks (the first `n % blocks` one iteration longer), each reduced in order from the
///   identity; the block partials are folded by [`lane_tree`] and combined into the variable.
///   The split depends on `n` only, never on the thread count.
///
/// **Invariant:** as for [`Reduction`]s of a parallel loop, and moreover no reduction
/// statement sits inside a nested loop, and nothing leaves the loop early (`break`, `return`,
/// a `break`/`continue` naming an outer loop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lanes {
    /// The lane count of a sequential loop (a power of two, 2 to 16); unused by `prange`.
    pub count: u32,
    pub reductions: Vec<Reduction>,
}

/// The lane counts `#[reassociate(lanes = N)]` accepts.
pub const LANE_COUNTS: [u32; 4] = [2, 4, 8, 16];

/// The lane count of a bare `#[reassociate]`: four `f64x2` accumulators in the JIT, two AVX2
/// or one AVX-512 vector natively, enough independent chains to hide the add latency.
pub const DEFAULT_LANES: u32 = 8;

/// Upper bound on the blocks of a reassociated `prange` reduction: enough for 64 threads.
pub const MAX_PARALLEL_BLOCKS: usize = 64;

/// The number of blocks a reassociated `prange` loop of `n` iterations is split into.
pub fn parallel_blocks(n: usize) -> usize {
    n.min(MAX_PARALLEL_BLOCKS)
}

/// Folds `lanes` (any length) in the fixed tree every tier uses: pad to a power of two with
/// `identity`, then repeatedly combine the upper half into the lower (`lane[i] = lane[i] op
/// lane[i + half]`), so a vector of lanes folds with whole-vector operations first. `None`
/// for no lanes.
pub fn lane_tree<T: Clone>(lanes: &[T], identity: T, mut op: impl FnMut(T, T) -> T) -> Option<T> {
    if lanes.is_empty() {
        return None;
    }
    let mut work = lanes.to_vec();
    work.resize(lanes.len().next_power_of_two(), identity);
    let mut half = work.len() / 2;
    while half > 0 {
        for i in 0..half {
            work[i] = op(work[i].clone(), work[i + half].clone());
        }
        half /= 2;
    }
    work.into_iter().next()
}

/// A reduction of a parallel loop: iterations update `local` only through `op`, so per-thread
/// partials (starting from [`ReduceOp::identity`]) can be combined in a fixed order.
///
/// **Invariant (checked functions):** inside its loop, a reduction local is only written by
/// its reduction statements (`x += e`, `x *= e`, `x = x.min(e)`, `x = x.max(e)`) and is read
/// nowhere else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reduction {
    pub local: LocalId,
    pub op: ReduceOp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// `x += e` (wrapping for integers).
    Add,
    /// `x *= e` (wrapping for integers).
    Mul,
    /// `x = x.min(e)`.
    Min,
    /// `x = x.max(e)`.
    Max,
}

impl ReduceOp {
    /// The neutral start value of a partial, as a literal of `ty`.
    pub fn identity(self, ty: Scalar) -> Lit {
        match (self, ty.is_float()) {
            // -0.0, not 0.0: only -0.0 leaves every addend unchanged (-0.0 + -0.0 = -0.0).
            (ReduceOp::Add, true) => Lit::Float(-0.0),
            (ReduceOp::Mul, true) => Lit::Float(1.0),
            // NaN, not ±inf: the language's `min`/`max` return the other operand when one is
            // NaN, so NaN is the only start that leaves every value unchanged — a NaN outer
            // value survives a chunk that reduces nothing, as it does sequentially.
            (ReduceOp::Min, true) | (ReduceOp::Max, true) => Lit::Float(f64::NAN),
            (ReduceOp::Add, false) => Lit::Int(0),
            (ReduceOp::Mul, false) => Lit::Int(1),
            (ReduceOp::Min, false) => Lit::Int(int_max(ty)),
            (ReduceOp::Max, false) => Lit::Int(int_min(ty)),
        }
    }
}

impl ReduceOp {
    /// [`ReduceOp::identity`] as the raw bits of a value of `ty` (`RawScalar`'s layout).
    pub fn identity_bits(self, ty: Scalar) -> u64 {
        match (self.identity(ty), ty) {
            (Lit::Float(x), Scalar::F32) => u64::from((x as f32).to_bits()),
            (Lit::Float(x), _) => x.to_bits(),
            (Lit::Int(v), _) => crate::abi::RawScalar(v as u64).normalised(ty).0,
            (Lit::Bool(b), _) => u64::from(b),
        }
    }
}

fn int_max(ty: Scalar) -> i128 {
    match ty {
        Scalar::I8 => i8::MAX as i128,
        Scalar::I16 => i16::MAX as i128,
        Scalar::I32 => i32::MAX as i128,
        Scalar::I64 => i64::MAX as i128,
        Scalar::U8 => u8::MAX as i128,
        Scalar::U16 => u16::MAX as i128,
        Scalar::U32 => u32::MAX as i128,
        _ => u64::MAX as i128,
    }
}

fn int_min(ty: Scalar) -> i128 {
    match ty {
        Scalar::I8 => i8::MIN as i128,
        Scalar::I16 => i16::MIN as i128,
        Scalar::I32 => i32::MIN as i128,
        Scalar::I64 => i64::MIN as i128,
        _ => 0,
    }
}

/// A checked or lowered function.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub name: String,
    /// Span of the function's name.
    pub span: Span,
    /// Parameter locals, in order.
    pub params: Vec<LocalId>,
    pub ret_annot: Annot,
    /// Concrete return type (checked functions).
    pub ret: Type,
    pub locals: Vec<Local>,
    pub loops: Vec<LoopInfo>,
    pub exprs: Vec<Expr>,
    pub expr_types: Vec<Type>,
    pub expr_spans: Vec<Span>,
    pub body: Block,
    /// The lane count of `#[reassociate]` (or the module-wide option): its `for` loops may
    /// compute float reductions in lanes (see [`Lanes`]). `None`: strict sequential order.
    pub reassociate: Option<u32>,
    /// The largest array [`Expr::Alloc`] may allocate, in bytes (the module's
    /// `max_alloc_bytes`).
    pub alloc_limit: u64,
    /// Every `match` of the body, already lowered to `if` chains (see [`Match`]).
    pub matches: Vec<Match>,
}

impl Function {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    pub fn ty(&self, id: ExprId) -> Type {
        self.expr_types[id.index()]
    }

    /// The scalar type of an expression (checked functions; `Bool` for non-scalars).
    pub fn scalar(&self, id: ExprId) -> Scalar {
        self.ty(id).as_scalar().unwrap_or(Scalar::Bool)
    }

    pub fn span(&self, id: ExprId) -> Span {
        self.expr_spans[id.index()]
    }

    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.index()]
    }

    /// `x = x.min(e)` / `x = x.max(e)` for `local` `x`: the reduction and the receiver (the
    /// one read of `x` a reduction statement makes), when `value` has that form.
    pub fn min_max_update(&self, local: LocalId, value: ExprId) -> Option<(ReduceOp, ExprId)> {
        let Expr::Builtin(builtin @ (Builtin::Min | Builtin::Max), args) = self.expr(value) else {
            return None;
        };
        let receiver = *args.first()?;
        if *self.expr(receiver) != Expr::Local(local) {
            return None;
        }
        let op = if *builtin == Builtin::Min {
            ReduceOp::Min
        } else {
            ReduceOp::Max
        };
        Some((op, receiver))
    }

    /// The float reductions of loop `id` that run in lanes, with the lane count: what every
    /// tier splits (an integer reduction is exact in any order and keeps its plain update).
    pub fn float_lanes(&self, id: LoopId) -> Option<(u32, Vec<Reduction>)> {
        let lanes = self.loops.get(id.index())?.lanes.as_ref()?;
        let floats: Vec<Reduction> = lanes
            .reductions
            .iter()
            .filter(|r| {
                self.local(r.local)
                    .ty
                    .as_scalar()
                    .is_some_and(|s| s.is_float())
            })
            .copied()
            .collect();
        (!floats.is_empty()).then_some((lanes.count, floats))
    }

    /// The array a `let` view local looks into (`let v = x.slice(s![1.., ..])` → `x`), or
    /// `None` when `local` is not a view.
    pub fn view_parent(&self, local: LocalId) -> Option<LocalId> {
        walk::lets(self)
            .into_iter()
            .find(|(id, _)| *id == local)
            .and_then(|(_, init)| match self.expr(init?) {
                Expr::View { array, .. } => Some(*array),
                _ => None,
            })
    }

    /// How bounds errors name array local `local`: its name, and for a view the array it
    /// looks into (`v (a view of x)`).
    pub fn array_label(&self, local: LocalId) -> String {
        let name = &self.local(local).name;
        match self.view_parent(local) {
            Some(parent) => format!("{name} (a view of {})", self.array_label(parent)),
            None => name.clone(),
        }
    }

    /// Whether local `local` owns an array: bound to an allocation or to a call returning
    /// one (see [`Expr::Alloc`]); freed when declared again or when the function returns.
    pub fn owns_array(&self, local: LocalId) -> bool {
        let l = self.local(local);
        matches!((l.ty, l.kind), (Type::Array(_), LocalKind::Let))
            && self.view_parent(local).is_none()
    }

    /// True when the function has a `_` parameter or return type.
    pub fn is_generic(&self) -> bool {
        self.ret_annot == Annot::Infer
            || self
                .params
                .iter()
                .any(|p| self.local(*p).annot == Some(Annot::Infer))
    }
}

/// A `match` of the source. Lowering turns it into `{ let scrutinee = value; if test₁ { arm₁ }
/// else if … else { armₙ } }` — the scrutinee evaluated once, the arms tested in order, the
/// last arm the final `else` — so no backend or analysis ever sees a `match`. What only the
/// checker can judge, once the scrutinee's type is known, is kept here: that the patterns
/// cover every value of the type (which is also what makes the last arm a sound `else`), and
/// which arms can never be reached.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// `match value`, for the exhaustiveness error.
    pub span: Span,
    pub scrutinee: LocalId,
    pub arms: Vec<MatchArm>,
    /// The comparisons lowering made from the patterns: never reported as always true or
    /// false (`x >= i32::MIN` in `i32::MIN..=0` is how the range is written, not a mistake).
    pub tests: Vec<ExprId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// The alternatives of `p | q | …`.
    pub patterns: Vec<Pattern>,
    /// An arm with `if guard` covers nothing for exhaustiveness, as in Rust.
    pub guarded: bool,
    /// The arm's patterns, for the unreachable-arm warning.
    pub span: Span,
}

/// One alternative of a `match` arm. Bounds are literal expressions of the scrutinee's type
/// (constants are folded to literals by lowering).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pattern {
    /// `_` or a binding: every value.
    Any,
    /// A literal or constant.
    Value(ExprId),
    /// `lo..=hi`, `lo..hi`, `lo..`, `..=hi`.
    Range {
        lo: Option<ExprId>,
        hi: Option<ExprId>,
        inclusive: bool,
        span: Span,
    },
}

/// A sequence of statements with an optional tail expression giving the block's value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<ExprId>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `let x = init;`. Fixed arrays are initialised by [`Expr::ArrayLit`] or
    /// [`Expr::ArrayRepeat`]; a `let` without initialiser must be assigned before use (the
    /// checker does not prove it; backends zero-initialise).
    Let {
        local: LocalId,
        init: Option<ExprId>,
    },
    /// `place = value` or `place op= value`. For a compound assignment, `op` is the arithmetic,
    /// bitwise or shift operator and the place is read once (its indices evaluated once).
    /// Order, as Rust does for primitive types: `value` first, then the place's indices left to
    /// right, then the bounds check, then the read (compound only) and the write.
    /// Typing: `value` has the place's scalar type, except for shifts, where it is any integer.
    Assign {
        place: Place,
        op: Option<BinOp>,
        value: ExprId,
        span: Span,
    },
    /// An expression evaluated for its effect; its value (if any) is discarded.
    Expr(ExprId),
}

/// Something assignable.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// A mutable scalar local.
    Local(LocalId),
    /// An element of a writable array parameter or a mutable fixed local array; one index per
    /// axis, each of any integer type. `span` covers `a[...]` and locates bounds errors.
    Index {
        array: LocalId,
        indices: Vec<ExprId>,
        span: Span,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// Float: sign flip. Signed int: wrapping negation. (Unsigned: rejected by the checker.)
    Neg,
    /// Bool: logical not. Int: bitwise not.
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }

    pub fn is_shift(self) -> bool {
        matches!(self, BinOp::Shl | BinOp::Shr)
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicOp {
    And,
    Or,
}

/// A literal's value.
///
/// In lowered functions an unsuffixed integer is `Int` and an unsuffixed float is `Float`
/// whatever its eventual type. In checked functions the value matches the expression's type:
/// `Bool` for `bool`, `Int` (in range for the type) for integer types, `Float` for `f32`/`f64`
/// (for `f32`, a value exactly representable as `f32`, correctly rounded from the source text).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lit {
    Bool(bool),
    Int(i128),
    Float(f64),
}

/// The math and integer methods of SPEC §2. Arguments are stored receiver first.
///
/// Typing (T is the receiver's scalar type): float-only unless noted; results are T unless
/// noted. `Abs`, `Min`, `Max`, `Clamp`, `RemEuclid`, `DivEuclid`: any numeric T. `Signum`:
/// float or signed int. `Pow(u32)`, `WrappingAdd/Sub/Mul`, `CountOnes`/`LeadingZeros` (→ `u32`):
/// integers. `Powi` takes an `i32`. `IsNan`/`IsFinite` → `bool`. Other arguments have type T.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Sqrt,
    Cbrt,
    Abs,
    Signum,
    Recip,
    Floor,
    Ceil,
    Round,
    Trunc,
    Fract,
    Exp,
    Exp2,
    Ln,
    Log2,
    Log10,
    /// `x.log(base)` = `x.ln() / base.ln()`, as Rust defines it.
    Log,
    Powi,
    Powf,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Hypot,
    MulAdd,
    Min,
    Max,
    Clamp,
    IsNan,
    IsFinite,
    ToDegrees,
    ToRadians,
    Pow,
    RemEuclid,
    DivEuclid,
    WrappingAdd,
    WrappingSub,
    WrappingMul,
    CountOnes,
    LeadingZeros,
}

impl Builtin {
    pub const ALL: [Builtin; 45] = [
        Builtin::Sqrt,
        Builtin::Cbrt,
        Builtin::Abs,
        Builtin::Signum,
        Builtin::Recip,
        Builtin::Floor,
        Builtin::Ceil,
        Builtin::Round,
        Builtin::Trunc,
        Builtin::Fract,
        Builtin::Exp,
        Builtin::Exp2,
        Builtin::Ln,
        Builtin::Log2,
        Builtin::Log10,
        Builtin::Log,
        Builtin::Powi,
        Builtin::Powf,
        Builtin::Sin,
        Builtin::Cos,
        Builtin::Tan,
        Builtin::Asin,
        Builtin::Acos,
        Builtin::Atan,
        Builtin::Atan2,
        Builtin::Sinh,
        Builtin::Cosh,
        Builtin::Tanh,
        Builtin::Hypot,
        Builtin::MulAdd,
        Builtin::Min,
        Builtin::Max,
        Builtin::Clamp,
        Builtin::IsNan,
        Builtin::IsFinite,
        Builtin::ToDegrees,
        Builtin::ToRadians,
        Builtin::Pow,
        Builtin::RemEuclid,
        Builtin::DivEuclid,
        Builtin::WrappingAdd,
        Builtin::WrappingSub,
        Builtin::WrappingMul,
        Builtin::CountOnes,
        Builtin::LeadingZeros,
    ];

    /// The method name as written in Rust.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Sqrt => "sqrt",
            Builtin::Cbrt => "cbrt",
            Builtin::Abs => "abs",
            Builtin::Signum => "signum",
            Builtin::Recip => "recip",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Round => "round",
            Builtin::Trunc => "trunc",
            Builtin::Fract => "fract",
            Builtin::Exp => "exp",
            Builtin::Exp2 => "exp2",
            Builtin::Ln => "ln",
            Builtin::Log2 => "log2",
            Builtin::Log10 => "log10",
            Builtin::Log => "log",
            Builtin::Powi => "powi",
            Builtin::Powf => "powf",
            Builtin::Sin => "sin",
            Builtin::Cos => "cos",
            Builtin::Tan => "tan",
            Builtin::Asin => "asin",
            Builtin::Acos => "acos",
            Builtin::Atan => "atan",
            Builtin::Atan2 => "atan2",
            Builtin::Sinh => "sinh",
            Builtin::Cosh => "cosh",
            Builtin::Tanh => "tanh",
            Builtin::Hypot => "hypot",
            Builtin::MulAdd => "mul_add",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Clamp => "clamp",
            Builtin::IsNan => "is_nan",
            Builtin::IsFinite => "is_finite",
            Builtin::ToDegrees => "to_degrees",
            Builtin::ToRadians => "to_radians",
            Builtin::Pow => "pow",
            Builtin::RemEuclid => "rem_euclid",
            Builtin::DivEuclid => "div_euclid",
            Builtin::WrappingAdd => "wrapping_add",
            Builtin::WrappingSub => "wrapping_sub",
            Builtin::WrappingMul => "wrapping_mul",
            Builtin::CountOnes => "count_ones",
            Builtin::LeadingZeros => "leading_zeros",
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Number of arguments including the receiver.
    pub fn arity(self) -> usize {
        match self {
            Builtin::Log
            | Builtin::Powi
            | Builtin::Powf
            | Builtin::Atan2
            | Builtin::Hypot
            | Builtin::Min
            | Builtin::Max
            | Builtin::Pow
            | Builtin::RemEuclid
            | Builtin::DivEuclid
            | Builtin::WrappingAdd
            | Builtin::WrappingSub
            | Builtin::WrappingMul => 2,
            Builtin::MulAdd | Builtin::Clamp => 3,
            _ => 1,
        }
    }
}

/// One axis of an [`Expr::View`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ViewAxis {
    /// `lo..hi`, `lo..`, `..hi`, `..`, `lo..=hi`, with an optional `;step`: keeps the axis,
    /// with extent `ceil((hi - lo) / step)` and the parent's stride times `step`.
    Range {
        start: Option<ExprId>,
        end: Option<ExprId>,
        inclusive: bool,
        step: Option<ExprId>,
    },
    /// `i`: fixes the axis at `i` and drops it.
    Index(ExprId),
}

impl ViewAxis {
    /// The operands in evaluation order.
    pub fn operands(&self) -> Vec<ExprId> {
        match *self {
            ViewAxis::Range {
                start, end, step, ..
            } => [start, end, step].into_iter().flatten().collect(),
            ViewAxis::Index(index) => vec![index],
        }
    }
}

/// The iteration space of a `for` loop.
///
/// The loop visits exactly the values Rust's iterator would: `start..end` (or `start..=end`),
/// reversed when `reverse` (`(a..b).rev()`, counting down from the last value), then every
/// `step`-th value (`.step_by(s)` after the optional `.rev()`). No arithmetic on the loop
/// counter may wrap: `0..=u64::MAX` ends after `u64::MAX`. `start`, `end` and the loop variable
/// share one integer type; `step` is `usize` and a zero step is the runtime error `ZeroStep`
/// (located at the step expression).
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub start: ExprId,
    pub end: ExprId,
    pub inclusive: bool,
    pub reverse: bool,
    pub step: Option<ExprId>,
}

/// An expression. Each variant's doc gives its typing rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal; see [`Lit`] for how its value relates to its type. The second field is the
    /// type written in the source (`1u32`, `2.5f32`, `f32::MAX`, `i64::MIN`), if any; in checked
    /// functions it is always the literal's type. Lowering folds a leading minus into the
    /// literal, so `-9223372036854775808` is an `i64` literal.
    Lit(Lit, Option<Scalar>),
    /// Reads a scalar local; or names an array local where a call argument is expected.
    Local(LocalId),
    /// Operand and result share one scalar type (see [`UnOp`]).
    Unary(UnOp, ExprId),
    /// Arithmetic and bitwise: both operands and the result have one type (`bool` allowed for
    /// `& | ^`). Shifts: the result has the left operand's integer type, the right operand is
    /// any integer type, and the amount is taken modulo the bit width (`wrapping_shl`).
    /// Comparisons: operands share a scalar type, the result is `bool`.
    /// Integer `/` and `%` by zero, and signed `MIN / -1`, are runtime errors located at this
    /// expression; `MIN % -1` is 0. Float `%` is C's `fmod`.
    Binary(BinOp, ExprId, ExprId),
    /// Short-circuit `&&` / `||` on `bool`.
    Logic(LogicOp, ExprId, ExprId),
    /// `expr as T` between scalar types with Rust's meaning (float → int saturates, NaN → 0;
    /// `bool` → number is 0/1). Casting to `bool` is rejected by the checker.
    Cast(ExprId, Scalar),
    /// Reads an array element: one index per axis, each of any integer type, bounds-checked
    /// (located at this expression). The result has the array's element type.
    Index {
        array: LocalId,
        indices: Vec<ExprId>,
    },
    /// `[a, b, c]`: only as the initialiser of a `let` of a fixed array; every element has the
    /// element type; the expression's type is [`Type::Fixed`].
    ArrayLit(Vec<ExprId>),
    /// `[x; len]`: only as the initialiser of a `let`; type [`Type::Fixed`].
    ArrayRepeat(ExprId, u32),
    /// `Array1::zeros(n)`, `Array2::ones((n, m))`, `Array3::from_elem((a, b, c), x)`,
    /// `vec![x; n]`: a fresh array in C order with one axis per `dims` entry (1 to 3), every
    /// element `fill`. `elem` is the element type written in the source (`Array1::<f32>`), if
    /// any; in checked functions it is always the element type. `dims` are `usize` and `fill`
    /// has the element type; they are evaluated in source order (`fill` first when
    /// `fill_first`, as in `vec![x; n]`). Only the initialiser of a `let` or a returned value
    /// (`return`, the function's tail); the expression's type is [`Type::Array`] (writable).
    /// An array of more than [`Function::alloc_limit`] bytes is the runtime error
    /// `AllocationTooLarge` located here; a refusal of the allocator, `AllocationFailed`. The
    /// array lives until its local is declared again or the function returns (when not
    /// returned).
    Alloc {
        elem: Option<Scalar>,
        dims: Vec<ExprId>,
        fill: ExprId,
        fill_first: bool,
    },
    /// `&a[lo..hi]`, `a.slice(s![lo..hi;step, j, ..])`, `a.row(i)`, `a.column(j)` (and the
    /// `_mut` forms, `mutable`): a view of part of array local `array`, with one entry per
    /// axis of `array`: a range keeps the axis, an index drops it. Only the initialiser of a
    /// `let` (the local is then a view, [`Function::view_parent`]) or a call argument. Bounds
    /// and step operands are `usize`, evaluated left to right; then each axis is checked:
    /// `lo <= hi <= extent` for a range (`hi + 1` for `..=`), `index < extent`, a step of
    /// zero is `ZeroStep`, anything else out of range is the runtime error `SliceOutOfBounds`
    /// located here. The type is [`Type::Array`] of the parent's element type, rank the number
    /// of ranges (at least one), writable when `mutable`.
    View {
        array: LocalId,
        axes: Vec<ViewAxis>,
        mutable: bool,
    },
    /// `(a, b)`: a tuple of 2 to 4 scalars, only as a returned value (`return (a, b)`, the
    /// function's tail) of a function whose return type is that [`Type::Tuple`]; each element
    /// has the element type. Elements are evaluated left to right.
    Tuple(Vec<ExprId>),
    /// `t.0`: element `index` of a tuple-typed operand (a tuple local or a call returning a
    /// tuple); the result has the element's scalar type.
    Field(ExprId, u32),
    /// `a.len()`: total number of elements, `usize`.
    Len(LocalId),
    /// `a.shape()[k]`, `a.len_of(Axis(k))`, `a.nrows()` (k = 0), `a.ncols()` (k = 1), or one
    /// component of `a.dim()`: the extent of axis `k` (< rank), `usize`.
    Dim(LocalId, u32),
    /// A math or integer method; see [`Builtin`]. `Clamp` with bad bounds is a runtime error
    /// located at this expression.
    Builtin(Builtin, Vec<ExprId>),
    /// A call of another function of the same source. Scalar arguments have the parameter's
    /// type; an array argument is an `Expr::Local` naming an array (a writable one when the
    /// parameter is writable). Calls nested deeper than [`crate::MAX_CALL_DEPTH`] stop with
    /// `RecursionLimit` located at this expression.
    Call(FuncId, Vec<ExprId>),
    /// `if` / `else`. Without `else` the type is `()`; otherwise both branches have the
    /// expression's type (a `Never` branch fits any type).
    If {
        cond: ExprId,
        then_block: Block,
        else_block: Option<Block>,
    },
    /// A block expression; its type is the tail's type, or `()`.
    Block(Block),
    /// `loop { … }`: its type is the type of its `break` values, `()` for a plain `break`, or
    /// `Never` when nothing breaks out of it.
    Loop { id: LoopId, body: Block },
    /// `while cond { … }`: type `()`.
    While {
        id: LoopId,
        cond: ExprId,
        body: Block,
    },
    /// `for var in range { … }` (`parallel` for `prange`): type `()`.
    For {
        id: LoopId,
        var: LocalId,
        range: Range,
        parallel: bool,
        body: Block,
    },
    /// `break 'label value`: type `Never`.
    Break { id: LoopId, value: Option<ExprId> },
    /// `continue 'label`: type `Never`.
    Continue(LoopId),
    /// `return value`: type `Never`; `value` has the function's return type.
    Return(Option<ExprId>),
    /// `println!`, `print!`, `eprintln!`, `eprint!`: type `()`. `args` are the explicit
    /// arguments followed by the locals the format string names inline (`{x}`, as
    /// `Expr::Local`), each a scalar evaluated once, left to right; then the text is formatted
    /// by [`crate::output::print`] (every piece refers to an argument whose type supports its
    /// spec) and written whole.
    Print {
        format: crate::output::Format,
        args: Vec<ExprId>,
    },
}

impl Expr {
    /// The local this expression reads by name, not through a sub-expression: a variable,
    /// an array indexed, measured or viewed. Exhaustive, so a new variant that names a local
    /// is seen by every pass that asks (e.g. what a `prange` body must capture).
    pub fn named_local(&self) -> Option<LocalId> {
        match self {
            Expr::Local(local)
            | Expr::Len(local)
            | Expr::Dim(local, _)
            | Expr::Index { array: local, .. }
            | Expr::View { array: local, .. } => Some(*local),
            Expr::Lit(..)
            | Expr::Unary(..)
            | Expr::Binary(..)
            | Expr::Logic(..)
            | Expr::Cast(..)
            | Expr::ArrayLit(..)
            | Expr::ArrayRepeat(..)
            | Expr::Alloc { .. }
            | Expr::Tuple(..)
            | Expr::Field(..)
            | Expr::Builtin(..)
            | Expr::Call(..)
            | Expr::If { .. }
            | Expr::Block(..)
            | Expr::Loop { .. }
            | Expr::While { .. }
            | Expr::For { .. }
            | Expr::Break { .. }
            | Expr::Continue(..)
            | Expr::Return(..)
            | Expr::Print { .. } => None,
        }
    }
}
