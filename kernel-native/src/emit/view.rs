//! Sub-views in native code: the operands left to right into temporaries, then each axis
//! through the shared rules (`kernel_runtime::__private::view_range`/`view_index`, which are
//! `kernel_ir::view`'s), then the view's raw parts: a pointer into the parent, extents and
//! strides. A `let` view binds them under the names every access uses.

use kernel_ir::ir::{Expr, ExprId, LocalId, ViewAxis};
use kernel_ir::Type;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ArrayAccess, EmitResult, FnEmitter};

impl FnEmitter<'_> {
    /// An expression of type `(*mut T, [usize; R], [isize; R])`: view `id`'s raw parts.
    pub(crate) fn emit_view_parts(&mut self, id: ExprId) -> EmitResult<TokenStream> {
        let span = self.span_of(id);
        let Expr::View { array, axes, .. } = self.expr(id).clone() else {
            return Err(self.unsupported(span, "a view that is not one"));
        };
        let parent = self.array_argument(
            array,
            Type::Array(kernel_ir::ArrayType {
                elem: kernel_ir::Scalar::F64,
                rank: 1,
                mutable: true,
            }),
            span,
        )?;
        let rank = self.function.local(array).ty.array_rank().unwrap_or(1) as usize;
        let (ptr, dims, strides) = (&parent[0], &parent[1..=rank], &parent[rank + 1..]);
        let mut prelude = Vec::new();
        let mut temps = 0usize;
        let mut operand =
            |cx: &mut Self, e: Option<ExprId>| -> EmitResult<Option<proc_macro2::Ident>> {
                let Some(e) = e else { return Ok(None) };
                let value = cx.emit_expr(e)?.tokens;
                let temp = format_ident!("__k_o{}", temps);
                temps += 1;
                prelude.push(quote!(let #temp: usize = #value;));
                Ok(Some(temp))
            };
        let mut evaluated = Vec::new();
        for axis in &axes {
            evaluated.push(match *axis {
                ViewAxis::Range {
                    start,
                    end,
                    inclusive,
                    step,
                } => {
                    let start = operand(self, start)?;
                    let end = operand(self, end)?;
                    let step = operand(self, step)?;
                    (start, end, step, Some(inclusive))
                }
                ViewAxis::Index(index) => (operand(self, Some(index))?, None, None, None),
            });
        }
        let label = self.function.array_label(array);
        let site = self.site(span);
        let mut checks = Vec::new();
        let (mut kept_dims, mut kept_strides) = (Vec::new(), Vec::new());
        for (axis, (a, b, c, inclusive)) in evaluated.into_iter().enumerate() {
            let (extent, stride) = (&dims[axis], &strides[axis]);
            let axis_u32 = axis as u32;
            match inclusive {
                Some(inclusive) => {
                    let start = a.map_or(quote!(0usize), |t| quote!(#t));
                    let end = b.map_or(
                        quote!(::core::option::Option::None),
                        |t| quote!(::core::option::Option::Some(#t)),
                    );
                    let step = c.map_or(quote!(1usize), |t| quote!(#t));
                    let (first, len) = (
                        format_ident!("__k_f{}", axis),
                        format_ident!("__k_n{}", axis),
                    );
                    checks.push(quote! {
                        let (#first, #len) = __k_rt::located(
                            __k_rt::view_range(#start, #end, #inclusive, #step, #extent, #label, #axis_u32),
                            #site,
                        )?;
                        __k_off = __k_off.wrapping_add((#first as isize).wrapping_mul(#stride));
                    });
                    kept_dims.push(quote!(#len));
                    kept_strides.push(quote!(#stride.wrapping_mul(#step as isize)));
                }
                None => {
                    let index = a.map_or(quote!(0usize), |t| quote!(#t));
                    checks.push(quote! {
                        let __k_ix = __k_rt::located(
                            __k_rt::view_index(#index, #extent, #label, #axis_u32),
                            #site,
                        )?;
                        __k_off = __k_off.wrapping_add((__k_ix as isize).wrapping_mul(#stride));
                    });
                }
            }
        }
        Ok(quote!({
            #(#prelude)*
            let mut __k_off: isize = 0;
            #(#checks)*
            (#ptr.wrapping_offset(__k_off), [#(#kept_dims),*], [#(#kept_strides),*])
        }))
    }

    /// `let v = <view>`: binds the parts under `v`'s names.
    pub(crate) fn emit_view_let(
        &mut self,
        local: LocalId,
        init: ExprId,
    ) -> EmitResult<TokenStream> {
        let span = self.function.local(local).span;
        let Some(ArrayAccess::Param {
            ptr, dims, strides, ..
        }) = self.arrays.get(&local).cloned()
        else {
            return Err(self.unsupported(span, "a view local without raw parts"));
        };
        let parts = self.emit_view_parts(init)?;
        Ok(quote!(let (#ptr, [#(#dims),*], [#(#strides),*]) = #parts;))
    }
}
