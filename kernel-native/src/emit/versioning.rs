//! Loop versioning, as the JIT does it: a `for` loop with a guard (accesses the bounds
//! analysis hoisted to it) becomes
//!
//! ```text
//! if guard { <loop, hoisted accesses unchecked> } else { <loop, every check> }
//! ```
//!
//! The guard reads only values the loop never changes, so it runs before the loop's own range
//! operands, which each copy evaluates itself. Each form is computed exactly in `i128`. The
//! checked copy versions nothing inside it again.

use kernel_ir::analysis::{Atom, Linear};
use kernel_ir::ir::LoopId;
use kernel_ir::Span;
use proc_macro2::TokenStream;
use quote::quote;

use super::{EmitResult, Emitted, FnEmitter};

impl FnEmitter<'_> {
    /// Emits a loop with `emit`: twice behind its guard when it has one (and checks are on,
    /// and this is not already a checked copy), otherwise once.
    pub(crate) fn versioned(
        &mut self,
        loop_id: LoopId,
        span: Span,
        emit: impl Fn(&mut Self) -> EmitResult<Emitted>,
    ) -> EmitResult<Emitted> {
        let guard = self.bounds.guard(loop_id).to_vec();
        if guard.is_empty() || !self.options.boundscheck || self.plain {
            return emit(self);
        }
        let holds = guard
            .iter()
            .map(|form| self.form_tokens(form, span))
            .collect::<EmitResult<Vec<_>>>()?;
        self.fast.push(loop_id);
        let fast = emit(self);
        self.fast.pop();
        let fast = fast?.tokens;
        self.plain = true;
        let checked = emit(self);
        self.plain = false;
        let checked = checked?.tokens;
        Ok(Emitted::compound(quote! {
            if #(#holds)&&* { #fast } else { #checked }
        }))
    }

    /// `(form) >= 0` in `i128`.
    fn form_tokens(&self, form: &Linear, span: Span) -> EmitResult<TokenStream> {
        let mut terms = Vec::new();
        for &(atom, coefficient) in &form.terms {
            let value = self.atom_tokens(atom, span)?;
            terms.push(match coefficient {
                1 => quote!((#value as i128)),
                -1 => quote!(-(#value as i128)),
                c => quote!(#c * (#value as i128)),
            });
        }
        if form.constant != 0 || terms.is_empty() {
            let constant = form.constant;
            terms.push(quote!(#constant));
        }
        Ok(quote!((#(#terms)+* >= 0i128)))
    }

    fn atom_tokens(&self, atom: Atom, span: Span) -> EmitResult<TokenStream> {
        Ok(match atom {
            Atom::Local(local) => {
                let name = self.local_ident(local);
                quote!(#name)
            }
            Atom::Extent(array, axis) => self.extent(array, axis, span)?.tokens,
            Atom::Len(array) => {
                let len = self.length(array, span)?.tokens;
                quote!((#len))
            }
        })
    }
}
