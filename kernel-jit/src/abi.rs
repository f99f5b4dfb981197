//! The JIT's calling convention and error context.
//!
//! Every kernel function compiles to a *body* with the host's default calling convention:
//! `(ctx: *mut JitCtx, depth: i32, params…) -> (status: i8, values…)`: no value for `()`, one
//! for a scalar or a returned array, one per element for a tuple (Cranelift multi-value
//! returns, so a tuple comes back in registers, never through memory). A scalar parameter is one
//! native value (`bool` as `i8` 0/1); an array parameter is the address of its *descriptor*, a
//! [`RawArray`] (data pointer, extents, strides in elements) that nobody writes during the
//! call, so the body loads each field where it needs it and the optimiser merges and hoists
//! those loads. `depth` is the call depth (the outermost call is 1).
//! A non-zero status means a runtime error whose site and dynamic values the failing frame
//! stored in `ctx`; every caller returns it unchanged.
//!
//! An *entry trampoline* is `extern "C" fn(args: *const u64, ret: *mut u64, ctx: *mut JitCtx,
//! body: *const u8) -> u32`, reading one slot per parameter (a scalar's bits, or the address of
//! an array's [`RawArray`]), calling `body` indirectly, and writing the body's values into
//! consecutive return slots (at most [`kernel_ir::MAX_TUPLE_LEN`]: a
//! [`kernel_ir::abi::RawReturn`]). It depends only on the shape
//! of the signature (parameter kinds and return type), so trampolines are compiled once per
//! shape per process and shared by every `Jit` (see `trampoline`).

use std::sync::atomic::AtomicU32;

use cranelift_codegen::ir::{types, AbiParam, Signature, Type as ClType};
use cranelift_module::Module;

use kernel_ir::ir::Function;
use kernel_ir::view::ViewFault;
use kernel_ir::{ArrayType, ErrorKind, KernelError, Scalar, Type};

use crate::{JitError, RawArg, RawArray};

/// Pointers are 64-bit on every host the JIT accepts (checked in `Jit::new`).
pub(crate) const POINTER: ClType = types::I64;

/// Size in 8-byte words of an array descriptor (`RawArray`: data, 3 extents, 3 strides).
pub(crate) const DESCRIPTOR_WORDS: usize = 7;

/// The entry trampoline's Rust type: argument slots, return slots, context, body address.
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
    /// A view's index axis past the extent (`index`: the index, `extent`: the extent): not an
    /// element access, so not one of the bounds analysis's checks.
    ViewIndex {
        array: String,
        axis: u32,
    },
    /// A view's range starting after its end (`index`: start, `extent`: the end written).
    SliceStart {
        array: String,
        axis: u32,
        inclusive: bool,
    },
    /// A view's range ending past the extent (`index`: the end written, `extent`: extent).
    SliceEnd {
        array: String,
        axis: u32,
        inclusive: bool,
    },
    /// A failed array allocation, whose size and cause `crate::alloc::alloc_array` left in
    /// the context; `limit` is the function's `alloc_limit`.
    Alloc {
        limit: u64,
    },
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
        SiteKind::Alloc { limit } => crate::alloc::alloc_error(ctx, *limit),
        SiteKind::ViewIndex { array, axis } => ViewFault::Index {
            index: ctx.index as u64,
            extent: ctx.extent,
        }
        .error(array, *axis, false),
        SiteKind::SliceStart {
            array,
            axis,
            inclusive,
        } => ViewFault::StartAfterEnd {
            start: ctx.index as u64,
            end: ctx.extent,
        }
        .error(array, *axis, *inclusive),
        SiteKind::SliceEnd {
            array,
            axis,
            inclusive,
        } => ViewFault::EndPastExtent {
            end: ctx.index as u64,
            extent: ctx.extent,
        }
        .error(array, *axis, *inclusive),
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
        Scalar::Bool | Scalar::I8 | Scalar::U8 => types::I8,
        Scalar::I16 | Scalar::U16 => types::I16,
        Scalar::I32 | Scalar::U32 => types::I32,
        Scalar::I64 | Scalar::U64 | Scalar::Usize => types::I64,
        Scalar::F32 => types::F32,
        Scalar::F64 => types::F64,
    }
}

pub(crate) fn body_signature(module: &impl Module, function: &Function) -> Signature {
    shape_signature(module, &param_kinds(function), &function.ret.raw_scalars())
}

/// The body signature of a function with these parameters and return type.
pub(crate) fn shape_signature(
    module: &impl Module,
    params: &[ParamKind],
    ret: &[Scalar],
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
    for &ret in ret {
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
