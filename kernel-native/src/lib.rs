//! The native tier: `#[kernel]` items → checked IR → specialised Rust.
//!
//! `kernel-macros` is a thin shell around [`expand`]; everything lives here so it can be
//! unit-tested without running rustc.
//!
//! # What `#[kernel]` generates
//!
//! For `#[kernel] fn foo(x: &[f64], a: f64) -> f64 { … }`:
//! - `fn foo(x: &[f64], a: f64) -> Result<f64, kernel_runtime::KernelError>`: the same
//!   parameters (and visibility), safe to call with any arguments, running the code for the
//!   CPU's instruction-set level (see below). It is native Rust
//!   specialised from the checked IR: array arguments are taken apart once into pointer,
//!   extents and strides; every element access is a raw-pointer access after a bounds check
//!   (checks proven by `for` loop bounds are left out); every operation has the language's
//!   meaning, bit for bit the interpreter's. A runtime error (bad index, division by zero,
//!   recursion deeper than [`kernel_ir::MAX_CALL_DEPTH`], `step_by(0)`, bad `clamp`) is an
//!   `Err` located at the user's own `line:col`.
//! - an `unsafe fn __kentry_foo(args: &[RawArg], stop) -> Result<RawReturn, KernelError>`:
//!   the *raw entry*, taking the arguments in the layout every tier shares;
//! - `mod foo { pub const SOURCE: &str; pub static NATIVE: NativeTable; pub fn
//!   module(options: Options) -> Result<Module, Error> }`: the kernel's source (re-laid out so
//!   positions match the user's file), the table of raw entries, and a
//!   [`kernel_runtime::Module`] in the tier `options.backend` picks — the native code through
//!   [`kernel_runtime::Module::native`], or the source in the interpreter or the JIT — so one
//!   call path (argument checks, aliasing, errors, interrupts) serves all three tiers
//!   (functions and modules live in different namespaces, so both are `foo`).
//!
//! On `#[kernel] mod m { fn a(…) {…} fn b(…) {…} }` (functions that call each other), each
//! function becomes `pub fn` in `m` as above, and `m::SOURCE`, `m::NATIVE` and
//! `m::module(options)` cover the whole source. `use` items in the module are kept.
//!
//! Arguments: `#[kernel(boundscheck = false)]` removes the bounds checks (unsafe: an index
//! out of range then reads or writes outside the array); `#[kernel(multiversion = false)]`
//! emits only the baseline copy of each function (see below); `#[kernel(debug)]` prints the
//! expansion at compile time.
//!
//! # Instruction-set levels
//!
//! Each function's body is emitted once and compiled for every [`kernel_ir::IsaLevel`] — the
//! target's baseline (x86-64: SSE2), AVX2 + FMA, and AVX-512 F/VL/DQ/BW — by inlining it into
//! one `#[target_feature]` copy per level (x86-64 only; other architectures have the baseline
//! alone). The wrapper and the raw entry run the copy for `kernel_runtime::isa_level()`: the
//! best level the CPU has, detected once per process, or a lower one from
//! `KERNELC_NATIVE_ISA=baseline|avx2|avx512` or `kernel_runtime::force_isa_level`; calls
//! between kernels stay at the caller's level, recursion included. Results are the same bits
//! at every level (`mul_add` is correctly rounded everywhere, nothing else is fused or
//! reordered). `prange` loop bodies are closures, which Rust compiles for their own
//! function's features: they run baseline code at every level. The layout of the emitted
//! code is described in `emit/multiversion.rs`.
//!
//! # Errors
//!
//! The item is checked with the same front end as the other tiers ([`kernel_ir::compile`]).
//! Each diagnostic becomes a `compile_error!` at the token where it starts, with its help
//! lines; the item is still emitted as a stub (same signature, unreachable body) so one
//! mistake does not cascade. Functions with `_` types (lazy specialisation) cannot be native;
//! lifetime parameters (`fn f<'a>(m: ArrayView2<'a, f64>)`) are kept in the wrapper's
//! signature and ignored by the kernel.
//!
//! Warnings (`kernel_ir::Program::warnings`) are not emitted at build time: a procedural
//! macro has no stable way to raise a warning. The companion `module(options)` lists them
//! (`kernel_runtime::Module::warnings`).
//!
//! # Runtime support
//!
//! Generated code refers only to `::kernel_runtime::…` paths, including
//! `::kernel_runtime::__private`: items only macro output calls, defined in kernel-runtime's
//! `src/native_support.rs`, `src/interrupt.rs` (`stopped`, `StopFlag`) and `src/parallel.rs`
//! (`parallel_for`, `chunk_body`, `Cancel`, `Chunk`), plus `kernel_ir::abi`'s `RawArg`,
//! `RawScalar` and `RawReturn`.

mod diagnostics;
mod emit;
mod item;
mod relayout;

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};

pub use emit::{EmitError, EmitOptions};
pub use relayout::Layout;

/// The arguments of `#[kernel(…)]`.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub boundscheck: bool,
    /// `reassociate` / `reassociate = N`: every function as if it carried
    /// `#[reassociate(lanes = N)]`.
    pub reassociate: Option<kernel_ir::LaneCount>,
    /// A copy of every function per instruction-set level (`false`: the baseline only).
    pub multiversion: bool,
    /// `max_alloc_bytes = N`: the largest array a kernel may allocate (the front end's
    /// default when absent).
    pub max_alloc_bytes: Option<u64>,
    /// Print the expansion at compile time.
    pub debug: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            boundscheck: true,
            reassociate: None,
            multiversion: true,
            max_alloc_bytes: None,
            debug: false,
        }
    }
}

impl Options {
    /// The front end's share of the options.
    pub fn compile_options(&self) -> kernel_ir::CompileOptions {
        kernel_ir::CompileOptions {
            reassociate: self.reassociate,
            max_alloc_bytes: self.max_alloc_bytes,
        }
    }
}

impl Parse for Options {
    fn parse(input: ParseStream<'_>) -> syn::Result<Options> {
        let mut options = Options::default();
        let args =
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated(input)?;
        for arg in args {
            match &arg {
                syn::Meta::Path(path) if path.is_ident("debug") => options.debug = true,
                syn::Meta::Path(path) if path.is_ident("reassociate") => {
                    options.reassociate = Some(kernel_ir::LaneCount::default())
                }
                syn::Meta::NameValue(nv) if nv.path.is_ident("reassociate") => {
                    options.reassociate = Some(lane_count(&nv.value)?)
                }
                syn::Meta::NameValue(nv) if nv.path.is_ident("boundscheck") => {
                    options.boundscheck = bool_value(&nv.value)?;
                }
                syn::Meta::NameValue(nv) if nv.path.is_ident("multiversion") => {
                    options.multiversion = bool_value(&nv.value)?;
                }
                syn::Meta::NameValue(nv) if nv.path.is_ident("max_alloc_bytes") => {
                    options.max_alloc_bytes = Some(byte_count(&nv.value)?);
                }
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "unknown `#[kernel]` argument; expected `boundscheck = false`, \
                         `multiversion = false`, `reassociate`, `reassociate = 8`, \
                         `max_alloc_bytes = N` or `debug`",
                    ))
                }
            }
        }
        Ok(options)
    }
}

/// The `N` of `reassociate = N`.
fn lane_count(value: &syn::Expr) -> syn::Result<kernel_ir::LaneCount> {
    let count = match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse::<u32>().ok(),
        _ => None,
    };
    count
        .and_then(kernel_ir::LaneCount::new)
        .ok_or_else(|| syn::Error::new_spanned(value, "the lane count is 2, 4, 8 or 16"))
}

/// The `N` of `max_alloc_bytes = N`.
fn byte_count(value: &syn::Expr) -> syn::Result<u64> {
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse::<u64>(),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a number of bytes, e.g. `max_alloc_bytes = 1_000_000_000`",
        )),
    }
}

/// The `true` or `false` of `name = value`.
fn bool_value(value: &syn::Expr) -> syn::Result<bool> {
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(b),
            ..
        }) => Ok(b.value),
        other => Err(syn::Error::new_spanned(other, "expected `true` or `false`")),
    }
}

/// Expands `#[kernel(attr)] item`. `Err` is a problem with the attribute or the kind of
/// item; diagnostics of the kernel itself come back inside `Ok` as `compile_error!`s next to
/// a stub of the item.
pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options: Options = syn::parse2(attr)?;
    let expansion = item::expand_item(options, item)?;
    if options.debug {
        match syn::parse2::<syn::File>(expansion.clone()) {
            Ok(file) => eprintln!("{}", prettyplease::unparse(&file)),
            Err(_) => eprintln!("{expansion}"),
        }
    }
    Ok(expansion)
}

/// Parses and checks a kernel source with the shared front end.
///
/// Inside a procedural macro, `proc_macro2` would hand `syn` the compiler's tokenizer, whose
/// spans all point at the macro call; the front end needs positions inside the source text,
/// so its parse runs on `proc_macro2`'s own implementation.
pub fn check_source(
    source: &str,
    options: kernel_ir::CompileOptions,
) -> Result<kernel_ir::Program, kernel_ir::CompileError> {
    proc_macro2::fallback::force();
    let result = kernel_ir::compile_with(source, options);
    proc_macro2::fallback::unforce();
    result
}
