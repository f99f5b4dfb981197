//! The annotated item: a `fn` or an inline `mod` of `fn`s. Lays out its source, checks it,
//! and assembles wrappers, inner functions and companions (or errors and stubs).

use kernel_ir::Program;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, ToTokens};

use crate::diagnostics::{compile_errors, stub_companion_items, stub_fn};
use crate::emit::{EmitOptions, FnEmitter};
use crate::relayout::Layout;
use crate::{check_source, Options};

/// What `#[kernel]` was put on.
enum Kernel {
    Fn(Box<syn::ItemFn>),
    Mod {
        item: syn::ItemMod,
        items: Vec<syn::Item>,
    },
}

impl Kernel {
    fn functions(&self) -> Vec<&syn::ItemFn> {
        match self {
            Kernel::Fn(f) => vec![&**f],
            Kernel::Mod { items, .. } => items
                .iter()
                .filter_map(|i| match i {
                    syn::Item::Fn(f) => Some(f),
                    _ => None,
                })
                .collect(),
        }
    }

    /// The span errors fall back to.
    fn name_span(&self) -> Span {
        match self {
            Kernel::Fn(f) => f.sig.ident.span(),
            Kernel::Mod { item, .. } => item.ident.span(),
        }
    }
}

pub(crate) fn expand_item(options: Options, tokens: TokenStream) -> syn::Result<TokenStream> {
    let item: syn::Item = syn::parse2(tokens.clone())?;
    let kernel = match item {
        syn::Item::Fn(f) => Kernel::Fn(Box::new(f)),
        syn::Item::Mod(m) => match m.content.clone() {
            Some((_, items)) => Kernel::Mod { item: m, items },
            None => {
                return Err(syn::Error::new_spanned(
                    m,
                    "`#[kernel]` needs the module's functions inline: `mod name { fn … }`",
                ))
            }
        },
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "`#[kernel]` goes on a `fn` or on an inline `mod` of `fn`s",
            ))
        }
    };
    let layout = match &kernel {
        Kernel::Fn(_) => Layout::of(tokens),
        // The module body's own tokens, not re-emitted items: re-emitting loses the positions
        // of closing delimiters, which would shift the columns of later tokens.
        Kernel::Mod { items, .. } => {
            Layout::of(mod_body(&tokens).unwrap_or_else(|| quote!(#(#items)*)))
        }
    };
    let program = match check_source(&layout.source, options.compile_options()) {
        Ok(program) => program,
        Err(error) => {
            let errors = compile_errors(&layout, &error, kernel.name_span()).to_compile_error();
            let stub = stub(&kernel);
            return Ok(quote!(#errors #stub));
        }
    };
    match emit_kernel(&kernel, &program, &layout, options) {
        Ok(tokens) => Ok(tokens),
        Err(error) => {
            let errors = error.to_compile_error();
            let stub = stub(&kernel);
            Ok(quote!(#errors #stub))
        }
    }
}

fn emit_kernel(
    kernel: &Kernel,
    program: &Program,
    layout: &Layout,
    options: Options,
) -> syn::Result<TokenStream> {
    check_names(kernel, program, layout)?;
    let emit_options = EmitOptions {
        boundscheck: options.boundscheck,
        multiversion: options.multiversion,
    };
    let source = layout.source.as_str();
    match kernel {
        Kernel::Fn(f) => {
            let Emitted { inner, body, entry } = emit_function(f, program, layout, emit_options)?;
            let wrapper = wrapper(f, &f.vis.to_token_stream(), body);
            let name = f.sig.ident.to_string();
            let entry_name = crate::emit::raw_entry_name(&name);
            let table = native_table(options, &[(name, quote!(super::#entry_name))]);
            let companion = companion_items(source, table);
            let (vis, ident) = (&f.vis, &f.sig.ident);
            let doc = format!(
                "The source and native code of kernel [`{ident}()`], to run it through `kernel_runtime::Module` in any tier."
            );
            Ok(quote! {
                #wrapper
                #inner
                #entry
                #[doc = #doc]
                #vis mod #ident {
                    #companion
                }
            })
        }
        Kernel::Mod { item, items } => {
            let mut out = Vec::new();
            let mut entries = Vec::new();
            for it in items {
                match it {
                    syn::Item::Fn(f) => {
                        let emitted = emit_function(f, program, layout, emit_options)?;
                        out.push(emitted.inner);
                        out.push(emitted.entry);
                        out.push(wrapper(f, &quote!(pub), emitted.body));
                        let name = f.sig.ident.to_string();
                        let entry_name = crate::emit::raw_entry_name(&name);
                        entries.push((name, quote!(#entry_name)));
                    }
                    syn::Item::Const(c) => out.push(const_item(c, program)),
                    other => out.push(quote!(#[allow(unused_imports)] #other)),
                }
            }
            out.push(companion_items(source, native_table(options, &entries)));
            let (attrs, vis, ident) = (&item.attrs, &item.vis, &item.ident);
            Ok(quote! {
                #(#attrs)*
                #vis mod #ident {
                    #(#out)*
                }
            })
        }
    }
}

/// A `const` item with its evaluated value: the kernels' code has the value inlined, but
/// Rust callers may name the constant, and its kernel expression (`f64::consts::PI`) need
/// not be Rust.
fn const_item(item: &syn::ItemConst, program: &Program) -> TokenStream {
    let (attrs, vis, ident, ty) = (&item.attrs, &item.vis, &item.ident, &item.ty);
    match program.constant(&ident.to_string()) {
        Some((lit, scalar)) => {
            let value = crate::emit::literal_tokens(lit, scalar);
            // The value of `f64::consts::TAU` is that constant's digits, which clippy would
            // flag in the user's crate.
            quote!(#(#attrs)* #[allow(dead_code, clippy::approx_constant)] #vis const #ident: #ty = #value;)
        }
        None => TokenStream::new(),
    }
}

/// Rejects functions the native tier cannot have: generic (`_`) ones, and in a `mod` the
/// names its companion items take.
fn check_names(kernel: &Kernel, program: &Program, layout: &Layout) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    for f in kernel.functions() {
        let name = f.sig.ident.to_string();
        if program.is_generic(&name) == Some(true) {
            let at = program
                .template(&name)
                .and_then(|t| layout.span_at(t.span.line, t.span.col))
                .unwrap_or_else(|| f.sig.ident.span());
            errors.push(syn::Error::new(
                at,
                format!(
                    "`#[kernel]` function `{name}` has `_` types: native code needs every type \
                     at compile time\n\nhelp: write the concrete types, or compile the source at \
                     run time with `kernel_runtime::Module::compile` (the JIT specialises `_`)"
                ),
            ));
        }
        if matches!(kernel, Kernel::Mod { .. }) && COMPANION_NAMES.contains(&name.as_str()) {
            errors.push(syn::Error::new(
                f.sig.ident.span(),
                format!("a function in a `#[kernel] mod` cannot be called `{name}`: the module's `SOURCE`, `NATIVE` and `module()` use that name"),
            ));
        }
    }
    let mut iter = errors.into_iter();
    match iter.next() {
        None => Ok(()),
        Some(mut first) => {
            for e in iter {
                first.combine(e);
            }
            Err(first)
        }
    }
}

/// What one kernel function becomes: its inner function, the body of the wrapper with the
/// user's signature, and its raw entry.
struct Emitted {
    inner: TokenStream,
    body: TokenStream,
    entry: TokenStream,
}

/// The inner function, the wrapper's body and the raw entry of one kernel function.
fn emit_function(
    f: &syn::ItemFn,
    program: &Program,
    layout: &Layout,
    options: EmitOptions,
) -> syn::Result<Emitted> {
    let name = f.sig.ident.to_string();
    let id = program.concrete(&name).ok_or_else(|| {
        syn::Error::new(f.sig.ident.span(), format!("no checked function `{name}`"))
    })?;
    let function = program.function(id);
    let params = param_idents(f)?;
    let mut emitter = FnEmitter::new(program, function, options);
    let to_error = |e: crate::EmitError| {
        let at = layout
            .span_at(e.span().line, e.span().col)
            .unwrap_or_else(|| f.sig.ident.span());
        syn::Error::new(at, e.to_string())
    };
    let inner = emitter.emit_inner().map_err(to_error)?;
    let body = emitter.emit_wrapper_body(&params).map_err(to_error)?;
    let entry = emitter.emit_raw_entry().map_err(to_error)?;
    Ok(Emitted { inner, body, entry })
}

/// The names the user's parameter patterns bind.
fn param_idents(f: &syn::ItemFn) -> syn::Result<Vec<Ident>> {
    f.sig
        .inputs
        .iter()
        .map(|input| match input {
            syn::FnArg::Typed(pat_type) => match &*pat_type.pat {
                syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    Ok(p.ident.clone())
                }
                other => Err(syn::Error::new_spanned(
                    other,
                    "kernel parameters must be plain names",
                )),
            },
            syn::FnArg::Receiver(r) => {
                Err(syn::Error::new_spanned(r, "kernels cannot take `self`"))
            }
        })
        .collect()
}

/// The safe wrapper: the user's signature, `Result` around the return type.
fn wrapper(f: &syn::ItemFn, vis: &TokenStream, body: TokenStream) -> TokenStream {
    let sig = &f.sig;
    let (ident, generics, inputs) = (&sig.ident, &sig.generics, &sig.inputs);
    let where_clause = &generics.where_clause;
    let ret = match &sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
    quote! {
        #(#docs)*
        #[allow(unused_mut, clippy::too_many_arguments)]
        #vis fn #ident #generics (#inputs) -> ::core::result::Result<#ret, ::kernel_runtime::KernelError> #where_clause {
            #body
        }
    }
}

/// The names of the items `#[kernel]` adds beside the kernel's functions.
const COMPANION_NAMES: [&str; 3] = ["SOURCE", "NATIVE", "module"];

/// The `NATIVE` table: the source and the raw entry of each function (`entries`: name and
/// path of the entry from inside the companion module).
fn native_table(options: Options, entries: &[(String, TokenStream)]) -> TokenStream {
    let boundscheck = options.boundscheck;
    let reassociate = options.reassociate.map_or(0, |lanes| lanes.get());
    let max_alloc_bytes = options
        .max_alloc_bytes
        .unwrap_or(kernel_ir::alloc::DEFAULT_MAX_ALLOC_BYTES);
    let functions = entries.iter().map(
        |(name, entry)| quote!(::kernel_runtime::NativeFunction { name: #name, entry: #entry }),
    );
    quote! {
        /// The native code of every kernel function, for `kernel_runtime::Module::native`:
        /// the same handles, argument checks and errors as the interpreter and the JIT.
        pub static NATIVE: ::kernel_runtime::NativeTable = ::kernel_runtime::NativeTable {
            source: SOURCE,
            boundscheck: #boundscheck,
            reassociate: #reassociate,
            max_alloc_bytes: #max_alloc_bytes,
            functions: &[#(#functions),*],
        };
    }
}

/// `SOURCE`, `NATIVE` and `module(options)`.
fn companion_items(source: &str, table: TokenStream) -> TokenStream {
    quote! {
        /// The kernel source as the front end sees it: each token at its line and column in
        /// the original file, so every tier reports the same positions.
        pub const SOURCE: &str = #source;

        #table

        /// The kernel in the tier `options.backend` picks: the native code above
        /// (`Backend::Native`), or the source compiled for the interpreter or the JIT.
        pub fn module(
            options: ::kernel_runtime::Options,
        ) -> ::core::result::Result<::kernel_runtime::Module, ::kernel_runtime::Error> {
            ::kernel_runtime::Module::from_table(&NATIVE, options)
        }
    }
}

/// The item's stand-in after errors: same signatures, unreachable bodies.
fn stub(kernel: &Kernel) -> TokenStream {
    let companion = stub_companion_items();
    match kernel {
        Kernel::Fn(f) => {
            let vis = f.vis.to_token_stream();
            let function = stub_fn(f, &vis);
            let ident = &f.sig.ident;
            quote! {
                #function
                #[allow(unused)]
                #vis mod #ident { #companion }
            }
        }
        Kernel::Mod { item, items } => {
            let parts = items.iter().map(|it| match it {
                syn::Item::Fn(f) => stub_fn(f, &quote!(pub)),
                syn::Item::Use(u) => quote!(#[allow(unused_imports)] #u),
                _ => TokenStream::new(),
            });
            let (vis, ident) = (&item.vis, &item.ident);
            quote! {
                #[allow(unused)]
                #vis mod #ident { #(#parts)* #companion }
            }
        }
    }
}

/// The token stream inside the braces of `mod name { … }`.
fn mod_body(tokens: &TokenStream) -> Option<TokenStream> {
    tokens.clone().into_iter().find_map(|tree| match tree {
        proc_macro2::TokenTree::Group(group)
            if group.delimiter() == proc_macro2::Delimiter::Brace =>
        {
            Some(group.stream())
        }
        _ => None,
    })
}
