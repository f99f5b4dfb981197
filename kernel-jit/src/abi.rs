//! The JIT's calling convention and error context.
//!
//! Every kernel function compiles to a *body* with the host's default calling convention:
//! `(ctx: *mut JitCtx, depth: i32, params…) -> (status: i8, value?)`. A scalar parameter is one
//! native value (`bool` as `i8` 0/1); an array parameter is the address of its *descriptor*, a
//! [`RawArray`] (data pointer, extents, strides in elements) that nobody writes during the
//! call, so the body loads each field where it needs it and the optimiser merges and hoists
//! those loads. `depth` is the call depth (the outermost call is 1).
//! A non-zero status means a runtime error whose site and dynamic values the failing frame
//! stored in `ctx`; every caller returns it unchanged.
//!
//! An *entry trampoline* is `extern "C" fn(args: *const u64, ret: *mut u64, ctx: *mut JitCtx,
//! body: *const u8) -> u32`, reading one slot per parameter (a scalar's bits, or the address of
//! an array's [`RawArray`]) and calling `body` indirectly. It depends only on the shape
//! of the signature (parameter kinds and return type), so trampolines are compiled once per
//! shape per process and shared by every `Jit` (see `trampoline`).

use std::sync::atomic::AtomicU32;

use cranelift_codegen::ir::{types, AbiParam, Signature, Type as ClType};
use cranelift_module::Module;

use kernel_ir::ir::Function;
use kernel_ir::{ArrayType, ErrorKind, KernelError, Scalar, Type};

use crate::{JitError, RawArg, RawArray};

/// Pointers are 64-bit on every host the JIT accepts (checked in `Jit::new`).
pub(crate) const POINTER: ClType = types::I64;

/// Size in 8-byte words of an array descriptor (`RawArray`: data, 3 extents, 3 strides).
pub(crate) const DESCRIPTOR_WORDS: usize = 7;

/// The entry trampoline's Rust type: argument slots, return slot, context, body address.
pub(crate) type EntryFn = unsafe extern "C" fn(*const u64, *mut u64, *mut JitCtx, *const u8) -> u32;

/// Where a failing frame leaves the error for [`kernel_error`], and the interrupt flag the
/// generated code polls.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct JitCtx {
    /// Index into the Jit's error-site table.
    pub site: u32,
    pub _pad: u32,
    /// The offending index (bounds errors), as 64 bits of the index's own type; for an
    /// interrupt, the flag's value.
    pub index: i64,
    /// The extent of the axis (bounds errors).
    pub extent: u64,
    /// Polled at loop back-edges and at the entry of functions that call: non-zero stops the
    /// kernel (see [`crate::Jit::call_interruptible`]).
    pub interrupt: *const AtomicU32,
    /// The counters of a profiled call (`crate::profile`), null otherwise; only instrumented
    /// code reads it. A plain field, so a copy of the context shares the call's counters.
    pub profile: *mut crate::profile::ProfileBuf,
}

/// The flag of calls that cannot be interrupted.
static NEVER_INTERRUPTED: AtomicU32 = AtomicU32::new(0);

impl JitCtx {
    pub fn new(interrupt: &AtomicU32) -> JitCtx {
        JitCtx {
            site: 0,
            _pad: 0,
            index: 0,
            extent: 0,
            interrupt,
            profile: std::ptr::null_mut(),
        }
    }

    pub fn uninterruptible() -> JitCtx {
        JitCtx::new(&NEVER_INTERRUPTED)
    }
}

pub(crate) const CTX_SITE: i32 = 0;
pub(crate) const CTX_INDEX: i32 = 8;
pub(crate) const CTX_EXTENT: i32 = 16;
pub(crate) const CTX_INTERRUPT: i32 = 24;
pub(crate) const CTX_PROFILE: i32 = 32;

/// Values of the interrupt flag.
pub(crate) const FLAG_TIMEOUT: u32 = 2;

/// The static part of a runtime error, known when the code is generated.
#[derive(Clone, Debug)]
pub(crate) struct ErrorSite {
    pub kind: SiteKind,
    pub function: String,
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub(crate) enum SiteKind {
    /// The index and extent are dynamic; `unsigned` says how to widen the index bits.
    Bounds {
        array: String,
        axis: u32,
        unsigned: bool,
        /// In the checked copy of a versioned loop (see `translate::versioning`).
        checked_copy: bool,
    },
    Fixed(ErrorKind),
    /// A poll of the interrupt flag: `Timeout` when the flag was [`FLAG_TIMEOUT`], otherwise
    /// `Interrupted`.
    Interrupt,
}

/// Builds the [`KernelError`] a failing call left in `ctx`.
pub(crate) fn kernel_error(sites: &[ErrorSite], ctx: &JitCtx) -> KernelError {
    let Some(site) = sites.get(ctx.site as usize) else {
        // Unreachable by construction (every error block stores a registered site); report
        // something recognisable rather than panic.
        return KernelError::new(ErrorKind::Interrupted, "<unknown>", 0, 0);
    };
    let kind = match &site.kind {
        SiteKind::Bounds {
            array,
            axis,
            unsigned,
            ..
        } => ErrorKind::IndexOutOfBounds {
            array: array.clone(),
            axis: *axis,
            index: if *unsigned {
                ctx.index as u64 as i128
            } else {
                ctx.index as i128
            },
            extent: ctx.extent,
        },
        SiteKind::Fixed(kind) => kind.clone(),
        SiteKind::Interrupt if ctx.index == i64::from(FLAG_TIMEOUT) => ErrorKind::Timeout,
        SiteKind::Interrupt => ErrorKind::Interrupted,
    };
    KernelError::new(kind, site.function.clone(), site.line, site.col)
}

/// A parameter as the ABI sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ParamKind {
    Scalar(Scalar),
    Array(ArrayType),
}

impl ParamKind {
    pub fn as_type(self) -> Type {
        match self {
            ParamKind::Scalar(s) => Type::Scalar(s),
            ParamKind::Array(a) => Type::Array(a),
        }
    }
}

pub(crate) fn param_kinds(function: &Function) -> Vec<ParamKind> {
    function
        .params
        .iter()
        .map(|p| match function.local(*p).ty {
            Type::Array(a) => ParamKind::Array(a),
            Type::Fixed { elem, .. } => ParamKind::Array(ArrayType {
                elem,
                rank: 1,
                mutable: true,
            }),
            other => ParamKind::Scalar(other.as_scalar().unwrap_or(Scalar::Bool)),
        })
        .collect()
}

/// The Cranelift type holding a scalar.
pub(crate) fn clif_type(scalar: Scalar) -> ClType {
    match scalar {
        Scalar::Bool => types::I8,
        Scalar::I32 | Scalar::U32 => types::I32,
        Scalar::I64 | Scalar::U64 | Scalar::Usize => types::I64,
        Scalar::F32 => types::F32,
        Scalar::F64 => types::F64,
    }
}

pub(crate) fn body_signature(module: &impl Module, function: &Function) -> Signature {
    shape_signature(module, &param_kinds(function), function.ret.as_scalar())
}

/// The body signature of a function with these parameters and return type.
pub(crate) fn shape_signature(
    module: &impl Module,
    params: &[ParamKind],
    ret: Option<Scalar>,
) -> Signature {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(POINTER));
    sig.params.push(AbiParam::new(types::I32));
    for kind in params {
        match kind {
            ParamKind::Scalar(s) => sig.params.push(AbiParam::new(clif_type(*s))),
            ParamKind::Array(_) => sig.params.push(AbiParam::new(POINTER)),
        }
    }
    sig.returns.push(AbiParam::new(types::I8));
    if let Some(ret) = ret {
        sig.returns.push(AbiParam::new(clif_type(ret)));
    }
    sig
}

/// `(args, ret, ctx, body) -> status`: the trampoline of one shape calls `body` indirectly.
pub(crate) fn entry_signature(module: &impl Module) -> Signature {
    let mut sig = module.make_signature();
    for _ in 0..4 {
        sig.params.push(AbiParam::new(POINTER));
    }
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

pub(crate) fn check_args(
    name: &str,
    params: &[ParamKind],
    args: &[RawArg],
) -> Result<(), JitError> {
    if params.len() != args.len() {
        return Err(JitError::ArgumentCount {
            function: name.to_string(),
            expected: params.len(),
            got: args.len(),
        });
    }
    for (index, (param, arg)) in params.iter().zip(args).enumerate() {
        let got = match (param, arg) {
            (ParamKind::Scalar(_), RawArg::Scalar(_)) | (ParamKind::Array(_), RawArg::Array(_)) => {
                continue
            }
            (_, RawArg::Scalar(_)) => "a scalar",
            (_, RawArg::Array(_)) => "an array",
        };
        return Err(JitError::ArgumentKind {
            function: name.to_string(),
            index,
            expected: param.as_type().to_string(),
            got,
        });
    }
    Ok(())
}

/// Flattens arguments into the trampoline's slots, one per parameter: a scalar's normalised
/// bits, or the address of an array's `RawArray` in `args` (which outlives the call). Returns
/// `false`, filling nothing further, if an argument does not match its parameter's kind
/// (excluded by `Jit::call`'s precondition). `slots.len()` is `params.len()`.
pub(crate) fn pack_args(params: &[ParamKind], args: &[RawArg], slots: &mut [u64]) -> bool {
    for ((param, arg), slot) in params.iter().zip(args).zip(slots) {
        *slot = match (param, arg) {
            (ParamKind::Scalar(s), RawArg::Scalar(v)) => v.normalised(*s).0,
            (ParamKind::Array(_), RawArg::Array(a)) => a as *const RawArray as u64,
            _ => return false,
        };
    }
    true
}

extern "C" fn fma_f64(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}
extern "C" fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}
extern "C" fn floor_f64(x: f64) -> f64 {
    x.floor()
}
extern "C" fn floor_f32(x: f32) -> f32 {
    x.floor()
}
extern "C" fn ceil_f64(x: f64) -> f64 {
    x.ceil()
}
extern "C" fn ceil_f32(x: f32) -> f32 {
    x.ceil()
}
extern "C" fn trunc_f64(x: f64) -> f64 {
    x.trunc()
}
extern "C" fn trunc_f32(x: f32) -> f32 {
    x.trunc()
}
extern "C" fn nearest_f64(x: f64) -> f64 {
    x.round_ties_even()
}
extern "C" fn nearest_f32(x: f32) -> f32 {
    x.round_ties_even()
}

/// Symbols for the libcalls Cranelift emits when the host lacks an instruction (`fma` without
/// FMA, `floor` without SSE4.1): Rust's own implementations, so nothing depends on `dlsym`.
pub(crate) fn libcall_symbols() -> [(&'static str, *const u8); 10] {
    [
        ("fma", fma_f64 as *const u8),
        ("fmaf", fma_f32 as *const u8),
        ("floor", floor_f64 as *const u8),
        ("floorf", floor_f32 as *const u8),
        ("ceil", ceil_f64 as *const u8),
        ("ceilf", ceil_f32 as *const u8),
        ("trunc", trunc_f64 as *const u8),
        ("truncf", trunc_f32 as *const u8),
        ("nearbyint", nearest_f64 as *const u8),
        ("nearbyintf", nearest_f32 as *const u8),
    ]
}

/// The shared `extern "C"` functions of `kernel_ir::semantics` the generated code calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MathFn {
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
    Exp,
    Exp2,
    Ln,
    Log2,
    Log10,
    Cbrt,
    Powf,
    Hypot,
    Round,
    Fmod,
    Powi,
}

impl MathFn {
    pub const ALL: [MathFn; 21] = [
        MathFn::Sin,
        MathFn::Cos,
        MathFn::Tan,
        MathFn::Asin,
        MathFn::Acos,
        MathFn::Atan,
        MathFn::Atan2,
        MathFn::Sinh,
        MathFn::Cosh,
        MathFn::Tanh,
        MathFn::Exp,
        MathFn::Exp2,
        MathFn::Ln,
        MathFn::Log2,
        MathFn::Log10,
        MathFn::Cbrt,
        MathFn::Powf,
        MathFn::Hypot,
        MathFn::Round,
        MathFn::Fmod,
        MathFn::Powi,
    ];

    /// The symbol names (f64, f32) registered by `kernel_ir::semantics`.
    pub fn symbols(self) -> (&'static str, &'static str) {
        match self {
            MathFn::Sin => ("sin_f64", "sin_f32"),
            MathFn::Cos => ("cos_f64", "cos_f32"),
            MathFn::Tan => ("tan_f64", "tan_f32"),
            MathFn::Asin => ("asin_f64", "asin_f32"),
            MathFn::Acos => ("acos_f64", "acos_f32"),
            MathFn::Atan => ("atan_f64", "atan_f32"),
            MathFn::Atan2 => ("atan2_f64", "atan2_f32"),
            MathFn::Sinh => ("sinh_f64", "sinh_f32"),
            MathFn::Cosh => ("cosh_f64", "cosh_f32"),
            MathFn::Tanh => ("tanh_f64", "tanh_f32"),
            MathFn::Exp => ("exp_f64", "exp_f32"),
            MathFn::Exp2 => ("exp2_f64", "exp2_f32"),
            MathFn::Ln => ("ln_f64", "ln_f32"),
            MathFn::Log2 => ("log2_f64", "log2_f32"),
            MathFn::Log10 => ("log10_f64", "log10_f32"),
            MathFn::Cbrt => ("cbrt_f64", "cbrt_f32"),
            MathFn::Powf => ("powf_f64", "powf_f32"),
            MathFn::Hypot => ("hypot_f64", "hypot_f32"),
            MathFn::Round => ("round_f64", "round_f32"),
            MathFn::Fmod => ("fmod_f64", "fmod_f32"),
            MathFn::Powi => ("powi_f64_c", "powi_f32_c"),
        }
    }

    fn arity(self) -> usize {
        match self {
            MathFn::Atan2 | MathFn::Powf | MathFn::Hypot | MathFn::Fmod | MathFn::Powi => 2,
            _ => 1,
        }
    }

    /// Position of this function at type `s` in the module's import table.
    pub fn import_index(self, s: Scalar) -> usize {
        let position = MathFn::ALL.iter().position(|m| *m == self).unwrap_or(0);
        2 * position + usize::from(s == Scalar::F32)
    }

    /// The Cranelift signature at float type `ty`.
    fn signature(self, module: &impl Module, ty: ClType) -> Signature {
        let mut sig = module.make_signature();
        sig.params.push(AbiParam::new(ty));
        if self == MathFn::Powi {
            sig.params.push(AbiParam::new(types::I32));
        } else if self.arity() == 2 {
            sig.params.push(AbiParam::new(ty));
        }
        sig.returns.push(AbiParam::new(ty));
        sig
    }
}

/// Declares every [`MathFn`] at both float types, in [`MathFn::import_index`] order, then the
/// parallel-for of `prange` loops.
pub(crate) fn declare_imports(
    module: &mut impl Module,
) -> Result<Vec<cranelift_module::FuncId>, Box<cranelift_module::ModuleError>> {
    let mut imports = Vec::with_capacity(2 * MathFn::ALL.len());
    for math in MathFn::ALL {
        let (f64_name, f32_name) = math.symbols();
        for (name, ty) in [(f64_name, types::F64), (f32_name, types::F32)] {
            let sig = math.signature(module, ty);
            let id = module.declare_function(name, cranelift_module::Linkage::Import, &sig);
            imports.push(id.map_err(Box::new)?);
        }
    }
    // `(ctx, depth, chunk function, environment, last iteration, reductions) -> status`.
    let mut sig = module.make_signature();
    for ty in [
        POINTER,
        types::I32,
        POINTER,
        POINTER,
        types::I64,
        types::I32,
    ] {
        sig.params.push(AbiParam::new(ty));
    }
    sig.returns.push(AbiParam::new(types::I8));
    let id = module.declare_function(
        crate::parallel::PARALLEL_FOR_SYMBOL,
        cranelift_module::Linkage::Import,
        &sig,
    );
    imports.push(id.map_err(Box::new)?);
    Ok(imports)
}
