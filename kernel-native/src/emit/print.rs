//! Print statements: the arguments evaluated left to right into an array of
//! `kernel_ir::output::Arg`s, then one call of the shared `kernel_ir::output::print` (by
//! absolute path, `::kernel_runtime::ir::output`) with the statement's format as a `static`.

use kernel_ir::ir::ExprId;
use kernel_ir::output::{Format, Piece, Spec, Stream};
use kernel_ir::Scalar;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{EmitResult, Emitted, FnEmitter};

impl FnEmitter<'_> {
    pub(crate) fn emit_print(&mut self, format: &Format, args: &[ExprId]) -> EmitResult<Emitted> {
        let mut values = Vec::with_capacity(args.len());
        for &arg in args {
            // An argument without a value (`return`) leaves before printing; its variant is
            // never built.
            let variant = arg_variant(self.function.scalar(arg));
            let value = self.emit_expr(arg)?.tokens;
            values.push(quote!(::kernel_runtime::ir::output::Arg::#variant(#value)));
        }
        let format = format_tokens(format);
        Ok(Emitted::compound(quote!({
            let args = [#(#values),*];
            static FORMAT: ::kernel_runtime::ir::output::Format = #format;
            ::kernel_runtime::ir::output::print(&FORMAT, &args);
        })))
    }
}

fn arg_variant(s: Scalar) -> proc_macro2::Ident {
    // `output::Arg`'s variants are named as `Scalar`'s.
    format_ident!("{}", format!("{s:?}"))
}

/// A constant expression building `format`.
fn format_tokens(format: &Format) -> TokenStream {
    let stream = match format.stream {
        Stream::Stdout => quote!(Stdout),
        Stream::Stderr => quote!(Stderr),
    };
    let newline = format.newline;
    let pieces = format.pieces.iter().map(|piece| match piece {
        Piece::Text(text) => {
            let text = text.as_ref();
            quote!(::kernel_runtime::ir::output::Piece::Text(::std::borrow::Cow::Borrowed(#text)))
        }
        Piece::Arg { index, spec } => {
            let spec = spec_tokens(spec);
            quote!(::kernel_runtime::ir::output::Piece::Arg { index: #index, spec: #spec })
        }
    });
    quote!(::kernel_runtime::ir::output::Format {
        stream: ::kernel_runtime::ir::output::Stream::#stream,
        newline: #newline,
        pieces: ::std::borrow::Cow::Borrowed(&[#(#pieces),*]),
    })
}

fn spec_tokens(spec: &Spec) -> TokenStream {
    let Spec {
        fill,
        align,
        plus,
        alternate,
        zero,
        width,
        precision,
        kind,
    } = *spec;
    let align = match align {
        None => quote!(::core::option::Option::None),
        Some(align) => {
            let name = format_ident!("{align:?}");
            quote!(::core::option::Option::Some(::kernel_runtime::ir::output::Align::#name))
        }
    };
    let precision = match precision {
        None => quote!(::core::option::Option::None),
        Some(p) => quote!(::core::option::Option::Some(#p)),
    };
    let kind = format_ident!("{kind:?}");
    quote!(::kernel_runtime::ir::output::Spec {
        fill: #fill,
        align: #align,
        plus: #plus,
        alternate: #alternate,
        zero: #zero,
        width: #width,
        precision: #precision,
        kind: ::kernel_runtime::ir::output::Kind::#kind,
    })
}
