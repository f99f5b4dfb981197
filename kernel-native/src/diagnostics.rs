//! Front-end diagnostics → `compile_error!`s at the user's tokens, and the stub emitted in
//! place of an item that does not compile.

use kernel_ir::{CompileError, Diagnostic};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::visit::Visit;

use crate::relayout::Layout;

/// One diagnostic as a `syn::Error` at the token starting where it starts (else the nearest
/// token before it, else `fallback`), help lines appended.
pub(crate) fn to_syn_error(layout: &Layout, diagnostic: &Diagnostic, fallback: Span) -> syn::Error {
    let span = layout
        .span_at(diagnostic.span.line, diagnostic.span.col)
        .unwrap_or(fallback);
    let mut message = diagnostic.message.clone();
    if !diagnostic.label.is_empty() && !diagnostic.message.contains(&diagnostic.label) {
        message.push_str(&format!(": {}", diagnostic.label));
    }
    for help in &diagnostic.help {
        message.push_str(&format!("\n\nhelp: {help}"));
    }
    syn::Error::new(span, message)
}

/// Every diagnostic of a compile error, combined.
pub(crate) fn compile_errors(layout: &Layout, error: &CompileError, fallback: Span) -> syn::Error {
    let mut errors = error
        .diagnostics
        .iter()
        .map(|d| to_syn_error(layout, d, fallback));
    let mut combined = errors
        .next()
        .unwrap_or_else(|| syn::Error::new(fallback, "the kernel does not compile"));
    for error in errors {
        combined.combine(error);
    }
    combined
}

/// A function with the wrapper's signature and an unreachable body, or nothing when the
/// signature has `_` types (rustc would reject the stub itself).
pub(crate) fn stub_fn(item: &syn::ItemFn, vis: &TokenStream) -> TokenStream {
    let mut finder = InferFinder(false);
    finder.visit_signature(&item.sig);
    if finder.0 {
        return TokenStream::new();
    }
    let sig = &item.sig;
    let (ident, generics, inputs) = (&sig.ident, &sig.generics, &sig.inputs);
    let where_clause = &generics.where_clause;
    let ret = match &sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    quote! {
        #[allow(unused, clippy::all)]
        #vis fn #ident #generics (#inputs) -> ::core::result::Result<#ret, ::kernel_runtime::KernelError> #where_clause {
            ::core::unreachable!()
        }
    }
}

/// The companion items `SOURCE` and `module` with unreachable bodies.
pub(crate) fn stub_companion_items() -> TokenStream {
    quote! {
        #[allow(unused)]
        pub const SOURCE: &str = "";
        #[allow(unused)]
        pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
            source: SOURCE,
            boundscheck: true,
            reassociate: 0,
            max_alloc_bytes: ::kernel_runtime::ir::alloc::DEFAULT_MAX_ALLOC_BYTES,
            functions: &[],
        };
        #[allow(unused)]
        pub fn module(
            options: ::kernel_runtime::Options,
        ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
            ::core::unreachable!()
        }
    }
}

struct InferFinder(bool);

impl<'ast> Visit<'ast> for InferFinder {
    fn visit_type_infer(&mut self, _: &'ast syn::TypeInfer) {
        self.0 = true;
    }
}
