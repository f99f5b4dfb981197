//! Arrays the kernel owns, in native code: an allocation calls the shared allocator
//! (`kernel_runtime::__private::alloc_array`) and yields an `Owned` guard; a `let` keeps the
//! guard in a hidden local and takes the raw parts every access uses, as for a parameter;
//! the guard's `Drop` frees the array when Rust's scope ends (errors included), and a
//! returned array moves the guard out.

use kernel_ir::ir::{walk::alloc_operands, Expr, ExprId, LocalId};
use kernel_ir::Type;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{ops, ArrayAccess, EmitResult, Emitted, FnEmitter};

impl FnEmitter<'_> {
    /// The hidden local holding an owned array's guard.
    fn guard(&self, local: LocalId) -> Ident {
        self.names.part(local, "owned", 0)
    }

    /// `Array2::zeros((n, m))`, `vec![x; n]`, …: the operands in source order, then the
    /// allocation (an `Owned`), its error located here.
    pub(crate) fn emit_alloc(&mut self, id: ExprId) -> EmitResult<Emitted> {
        let span = self.span_of(id);
        let (
            Expr::Alloc {
                dims,
                fill,
                fill_first,
                ..
            },
            Type::Array(array),
        ) = (self.expr(id), self.function.ty(id))
        else {
            return Err(self.unsupported(span, "an allocation without an array type"));
        };
        let (dims, fill) = (dims.clone(), *fill);
        let mut prelude = Vec::new();
        let mut extents = Vec::new();
        for (index, operand) in alloc_operands(&dims, fill, *fill_first)
            .into_iter()
            .enumerate()
        {
            let value = self.emit_expr(operand)?.tokens;
            let temp = format_ident!("__k_a{}", index);
            prelude.push(quote!(let #temp = #value;));
            if operand == fill {
                let elem = ops::scalar_type(array.elem);
                prelude.push(quote!(let __k_fill = <#elem as __k_rt::IntoRawScalar>::into_raw_scalar(#temp);));
            } else {
                extents.push(temp);
            }
        }
        let elem = format_ident!("{}", format!("{:?}", array.elem));
        let limit = self.function.alloc_limit;
        let site = self.site(span);
        Ok(Emitted::compound(quote!({
            #(#prelude)*
            __k_rt::located(
                __k_rt::alloc_array(__k_rt::Scalar::#elem, [#(#extents),*], __k_fill, #limit),
                #site,
            )?
        })))
    }

    /// `let z = <array>`: the guard, then the raw parts the accesses use.
    pub(crate) fn emit_owned_let(
        &mut self,
        local: LocalId,
        init: Option<ExprId>,
    ) -> EmitResult<TokenStream> {
        let span = self.function.local(local).span;
        let Some(init) = init else {
            return Err(self.unsupported(span, "an array local without initialiser"));
        };
        let Some(ArrayAccess::Param {
            ptr,
            dims,
            strides,
            elem,
            ..
        }) = self.arrays.get(&local).cloned()
        else {
            return Err(self.unsupported(span, "an array local without raw parts"));
        };
        let value = self.emit_expr(init)?.tokens;
        let guard = self.guard(local);
        let (elem, rank) = (ops::scalar_type(elem), dims.len());
        Ok(quote! {
            let #guard: __k_rt::Owned = #value;
            let (#ptr, [#(#dims),*], [#(#strides),*]) = #guard.parts::<#elem, #rank>();
        })
    }

    /// An owned local returned whole: its guard, moved out.
    pub(crate) fn emit_move_out(&self, local: LocalId) -> Emitted {
        let guard = self.guard(local);
        Emitted::atom(quote!(#guard))
    }
}
