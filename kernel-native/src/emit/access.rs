//! Array element access: the bounds check, the raw-pointer load or store, and the proofs
//! that let a check go.
//!
//! A check compares the index, converted to `usize` by its own signedness (so a negative
//! index becomes huge and fails), with the axis extent, exactly as the interpreter does, and
//! reports the index as `i128`. Which checks are emitted is the bounds analysis's decision
//! (`kernel_ir::analysis::bounds`, shared with the JIT): proven and implied ones never, hoisted
//! ones only in the checked copy of their loop (see `versioning`). With the checks gone LLVM
//! sees a plain strided loop it can vectorise.

use kernel_ir::analysis::bounds::{Access, Check};
use kernel_ir::ir::{ExprId, LocalId};
use kernel_ir::{Span, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ArrayAccess, EmitResult, Emitted, FnEmitter};

/// An element, located: the statements that evaluate and check the indices, then an
/// assignable expression naming the element (`*x.offset(…)` or `v[…]`).
pub(crate) struct Located {
    pub prelude: Vec<TokenStream>,
    pub place: TokenStream,
    /// Whether `place` dereferences a raw pointer.
    pub raw: bool,
}

impl FnEmitter<'_> {
    /// Whether axis `axis` of `access` is checked here: the bounds analysis's verdict, with
    /// hoisted checks dropped inside the fast copy of their loop.
    fn needs_check(&self, access: Access, axis: usize) -> bool {
        self.options.boundscheck
            && match self.bounds.check(access, axis) {
                Check::Proven | Check::Implied => false,
                Check::Hoisted(loop_id) => !self.fast.contains(&loop_id),
                Check::InPlace => true,
            }
    }

    /// Evaluates the indices of `array[indices]` left to right, then checks them axis by
    /// axis (unless proven or disabled). `bind_pointer` puts the element's address in
    /// `__k_p` first (for a read-modify-write).
    pub(crate) fn locate(
        &mut self,
        access: Access,
        array: LocalId,
        indices: &[ExprId],
        span: Span,
        bind_pointer: bool,
    ) -> EmitResult<Located> {
        let storage = self
            .arrays
            .get(&array)
            .cloned()
            .ok_or_else(|| self.unsupported(span, "an access to a non-array local"))?;
        let rank = self.function.local(array).ty.array_rank().unwrap_or(0) as usize;
        if indices.len() != rank {
            return Err(self.unsupported(span, "an index with the wrong number of axes"));
        }
        let mut prelude = Vec::new();
        let mut names = Vec::new();
        let checks: Vec<bool> = (0..rank)
            .map(|axis| self.needs_check(access, axis))
            .collect();
        for (axis, index) in indices.iter().enumerate() {
            let emitted = self.emit_expr(*index)?;
            if checks[axis] && !self.is_simple(*index) {
                let temp = format_ident!("__k_i{}", axis);
                let tokens = emitted.tokens;
                prelude.push(quote!(let #temp = #tokens;));
                names.push(Emitted::atom(quote!(#temp)));
            } else {
                names.push(emitted);
            }
        }
        for (axis, name) in names.iter().enumerate() {
            if checks[axis] {
                prelude.push(self.bounds_check(array, &storage, axis, name, span));
            }
        }
        let (place, raw) = match &storage {
            ArrayAccess::Param { ptr, strides, .. } => {
                let terms = names.iter().zip(strides).map(|(name, stride)| {
                    let index = name.operand();
                    quote!((#index as isize) * #stride)
                });
                let address = quote!(#ptr.offset(#(#terms)+*));
                if bind_pointer {
                    prelude.push(quote!(let __k_p = unsafe { #address };));
                    (quote!(*__k_p), true)
                } else {
                    (quote!(*#address), true)
                }
            }
            ArrayAccess::Fixed { name, .. } => {
                let index = names[0].operand();
                if bind_pointer {
                    prelude.push(quote!(let __k_ix = #index as usize;));
                    (quote!(#name[__k_ix]), false)
                } else {
                    (quote!(#name[#index as usize]), false)
                }
            }
        };
        Ok(Located {
            prelude,
            place,
            raw,
        })
    }

    fn bounds_check(
        &self,
        array: LocalId,
        access: &ArrayAccess,
        axis: usize,
        index: &Emitted,
        span: Span,
    ) -> TokenStream {
        let extent = extent_tokens(access, axis);
        let index = index.operand();
        let site = self.site(span);
        let array_name = &self.function.array_label(array);
        let axis = axis as u32;
        quote! {
            if (#index as usize) >= #extent {
                return ::core::result::Result::Err(
                    __k_rt::out_of_bounds(#site, #array_name, #axis, #index as i128, #extent)
                );
            }
        }
    }

    /// `array[indices]` as a value.
    pub(crate) fn emit_index_read(
        &mut self,
        id: ExprId,
        array: LocalId,
        indices: &[ExprId],
        span: Span,
    ) -> EmitResult<Emitted> {
        let Located {
            prelude,
            place,
            raw,
        } = self.locate(Access::Read(id), array, indices, span, false)?;
        // SAFETY (emitted): the indices were checked against the extents (or proven below
        // them, or the user turned checks off), so the address is an element of the array.
        let read = if raw {
            quote!(unsafe { #place })
        } else {
            place
        };
        // Blocks are not atomic: `{ … }.f()` at the start of a statement would not parse.
        Ok(if prelude.is_empty() {
            Emitted {
                tokens: read,
                atomic: !raw,
            }
        } else {
            Emitted::compound(quote!({ #(#prelude)* #read }))
        })
    }

    /// The extent expression of `array` along `axis` (for `Dim`).
    pub(crate) fn extent(&self, array: LocalId, axis: u32, span: Span) -> EmitResult<Emitted> {
        let access = self
            .arrays
            .get(&array)
            .ok_or_else(|| self.unsupported(span, "an extent of a non-array local"))?;
        let rank = match access {
            ArrayAccess::Param { dims, .. } => dims.len(),
            ArrayAccess::Fixed { .. } => 1,
        };
        if axis as usize >= rank {
            return Err(self.unsupported(span, "an axis past the array's rank"));
        }
        Ok(Emitted::atom(extent_tokens(access, axis as usize)))
    }

    /// `array.len()`: the product of the extents (wrapping, as the interpreter computes it).
    pub(crate) fn length(&self, array: LocalId, span: Span) -> EmitResult<Emitted> {
        match self.arrays.get(&array) {
            Some(ArrayAccess::Param { dims, .. }) => {
                let (first, rest) = dims
                    .split_first()
                    .ok_or_else(|| self.unsupported(span, "a rank-0 array"))?;
                Ok(Emitted::atom(quote!(#first #(.wrapping_mul(#rest))*)))
            }
            Some(ArrayAccess::Fixed { len, .. }) => {
                let len = *len as usize;
                Ok(Emitted::atom(quote!(#len)))
            }
            None => Err(self.unsupported(span, "the length of a non-array local")),
        }
    }

    /// The raw parts of an array local passed to a callee parameter of type `param`.
    pub(crate) fn array_argument(
        &self,
        array: LocalId,
        param: Type,
        span: Span,
    ) -> EmitResult<Vec<TokenStream>> {
        let writable = matches!(param, Type::Array(a) if a.mutable);
        match self.arrays.get(&array) {
            Some(ArrayAccess::Param {
                ptr, dims, strides, ..
            }) => {
                let mut parts = vec![quote!(#ptr)];
                parts.extend(dims.iter().map(|d| quote!(#d)));
                parts.extend(strides.iter().map(|s| quote!(#s)));
                Ok(parts)
            }
            Some(ArrayAccess::Fixed { name, len, elem }) => {
                let elem = super::ops::scalar_type(*elem);
                let len = *len as usize;
                let ptr = if writable {
                    quote!(::core::ptr::addr_of_mut!(#name).cast::<#elem>())
                } else {
                    quote!(::core::ptr::addr_of!(#name).cast::<#elem>())
                };
                Ok(vec![ptr, quote!(#len), quote!(1isize)])
            }
            None => Err(self.unsupported(span, "a non-array local passed as an array")),
        }
    }
}

fn extent_tokens(access: &ArrayAccess, axis: usize) -> TokenStream {
    match access {
        ArrayAccess::Param { dims, .. } => {
            // The callers check `axis` against the rank; a bad axis still yields tokens.
            match dims.get(axis) {
                Some(dim) => quote!(#dim),
                None => quote!(0usize),
            }
        }
        ArrayAccess::Fixed { len, .. } => {
            let len = *len as usize;
            quote!(#len)
        }
    }
}
