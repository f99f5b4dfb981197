//! Multiversioning: every kernel function's body compiled once per instruction-set level
//! (`kernel_ir::IsaLevel`: the baseline, AVX2 + FMA, AVX-512), the copy for the CPU's level
//! picked at run time.
//!
//! The body is emitted once, as `#[inline(always)] unsafe fn __kbody_f(__k_isa, …)`. Its
//! entry `__kernel_f(__k_isa, …)`, also `#[inline(always)]`, holds one thin copy per level:
//!
//! ```text
//! unsafe fn __kernel_f(__k_isa: IsaLevel, x: *const f64, …) -> Result<f64, KernelError> {
//!     #[inline] unsafe fn __k_baseline(x: *const f64, …) -> … { __kbody_f(IsaLevel::Baseline, x, …) }
//!     #[cfg(target_arch = "x86_64")] #[target_feature(enable = "avx2,fma")]
//!     #[inline] unsafe fn __k_avx2(x: *const f64, …) -> … { __kbody_f(IsaLevel::Avx2, x, …) }
//!     …
//!     match __k_isa { IsaLevel::Avx512 => __k_avx512(x, …), IsaLevel::Avx2 => __k_avx2(x, …), _ => __k_baseline(x, …) }
//! }
//! ```
//!
//! Inlining the body into a `#[target_feature]` copy compiles it for those features (FMA
//! instructions for `mul_add`, wider vectors for loops LLVM vectorises). The safe wrapper and
//! the raw entry pass `kernel_runtime::isa_level()`, detected once per process; a call inside
//! a body passes the body's own `__k_isa`, a constant once the body is inlined into a copy, so
//! the `match` folds away and calls stay at the caller's level (the callee's copy for it, which
//! LLVM may inline since the features agree). Recursion needs nothing special: the cycle runs
//! through a copy, which is an ordinary function, so each level has its own recursive copy.
//!
//! Every level gives the same bits (`kernel_ir::isa`). `prange` loop bodies are closures, and a
//! closure is compiled for the features of the function it is *written* in, not of the one it
//! is inlined into: so the copies of a function with a `prange` loop hold the body's text
//! themselves (three copies of the text instead of three calls), and its parallel chunks run
//! at the copy's level too. `#[kernel(multiversion = false)]` keeps only the baseline copy.

use kernel_ir::IsaLevel;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{body_name, inner_name, CopyBody, FnEmitter, InnerParam};

impl FnEmitter<'_> {
    /// The levels this item has copies for.
    fn levels(&self) -> &'static [IsaLevel] {
        if self.options.multiversion {
            &IsaLevel::ALL
        } else {
            &[IsaLevel::Baseline]
        }
    }

    /// The level the wrapper and the raw entry pass: detected at run time, or the baseline
    /// when it is the only copy.
    pub(super) fn entry_level(&self) -> TokenStream {
        if self.options.multiversion {
            quote!(::kernel_runtime::isa_level())
        } else {
            level_path(IsaLevel::Baseline)
        }
    }

    /// `__kernel_NAME(__k_isa, params…)`: the copies of the body and the `match` that calls
    /// the one for `__k_isa`.
    /// With `inline`, each copy holds the body's text instead of calling the body function:
    /// a closure (a `prange` body) is compiled for the features of the function it is
    /// written in, so only then does it get the copy's.
    pub(super) fn emit_router(
        &self,
        params: &[InnerParam],
        ret: &TokenStream,
        inline: Option<&CopyBody>,
    ) -> TokenStream {
        let (name, body) = (
            inner_name(&self.function.name),
            body_name(&self.function.name),
        );
        let signature: Vec<TokenStream> = params
            .iter()
            .map(|p| {
                let (name, ty) = (&p.name, &p.ty);
                quote!(#name: #ty)
            })
            .collect();
        let args: Vec<_> = params.iter().map(|p| &p.name).collect();
        let ret = quote!(::core::result::Result<#ret, ::kernel_runtime::KernelError>);
        let copies = self.levels().iter().map(|&level| {
            let copy = copy_name(level);
            let level_value = level_path(level);
            let features = target_feature_attrs(level);
            match inline {
                Some(CopyBody { declared, body }) => quote! {
                    #features
                    #[inline]
                    unsafe fn #copy(#(#declared),*) -> #ret {
                        use ::kernel_runtime::__private as __k_rt;
                        use ::kernel_runtime::ir::semantics as __k_sem;
                        let __k_isa = #level_value;
                        #body
                    }
                },
                None => quote! {
                    #features
                    #[inline]
                    unsafe fn #copy(#(#signature),*) -> #ret {
                        // SAFETY (emitter): the caller's contract is the body's.
                        unsafe { #body(#level_value, #(#args),*) }
                    }
                },
            }
        });
        let dispatch = if self.options.multiversion {
            let arms = IsaLevel::ALL.iter().rev().filter_map(|&level| {
                let (copy, level_value) = (copy_name(level), level_path(level));
                (level != IsaLevel::Baseline).then(
                    || quote!(#[cfg(target_arch = "x86_64")] #level_value => #copy(#(#args),*),),
                )
            });
            let baseline = copy_name(IsaLevel::Baseline);
            quote!(match __k_isa { #(#arms)* _ => #baseline(#(#args),*), })
        } else {
            let baseline = copy_name(IsaLevel::Baseline);
            quote!(#baseline(#(#args),*))
        };
        let doc = format!(
            "Native code of kernel `{}` for the instruction-set level `__k_isa`.\n\n# Safety\n\n\
             As `{body}`.",
            self.function.name
        );
        quote! {
            #[doc = #doc]
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn #name(__k_isa: ::kernel_runtime::IsaLevel, #(#signature),*) -> #ret {
                #(#copies)*
                // SAFETY (emitter): `__k_isa` is a level the CPU has (the caller's contract),
                // so it may run the copy compiled for its features.
                unsafe { #dispatch }
            }
        }
    }
}

/// `__k_baseline`, `__k_avx2`, `__k_avx512`.
fn copy_name(level: IsaLevel) -> proc_macro2::Ident {
    format_ident!("__k_{}", level.name())
}

/// `::kernel_runtime::IsaLevel::Avx2`.
fn level_path(level: IsaLevel) -> TokenStream {
    let variant = format_ident!("{}", format!("{level:?}"));
    quote!(::kernel_runtime::IsaLevel::#variant)
}

/// The attributes of a level's copy: x86-64 only, compiled with the level's features;
/// nothing for the baseline.
fn target_feature_attrs(level: IsaLevel) -> TokenStream {
    let features = level.target_features();
    if features.is_empty() {
        return TokenStream::new();
    }
    let features = features.join(",");
    quote!(#[cfg(target_arch = "x86_64")] #[target_feature(enable = #features)])
}
