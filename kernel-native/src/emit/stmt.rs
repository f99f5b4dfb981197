//! Statements, blocks and `for` loops.
//!
//! Assignments follow the language's order: the value first, then the place's indices and
//! their checks, then the read-modify-write. `for` loops use Rust's own ranges, which visit
//! exactly the values the language defines (no wrapping at `MAX`, `.rev()` then
//! `.step_by(s)`), after checking the step for zero at the step expression.
//!
//! A `prange` loop becomes a `move` closure over one chunk of its iterations, run by
//! `kernel_runtime`'s chunked parallel-for; `move` copies the captured scalars and raw
//! pointers into the closure, so the optimiser can keep them in registers across the raw
//! stores of the body (capturing by reference cost pairwise half its speedup).

use kernel_ir::analysis::bounds::Access;
use kernel_ir::ir::{
    BinOp, Block, Expr, ExprId, LocalId, LoopId, Place, Range, ReduceOp, Reduction, Stmt,
};
use kernel_ir::{Scalar, Span, Type};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::access::Located;
use super::expr::{body_label, loop_label};
use super::{ops, poll, ArrayAccess, EmitResult, Emitted, FnEmitter};

impl FnEmitter<'_> {
    /// `{ stmts… tail }`; with `want_value` false a tail becomes a statement.
    pub(crate) fn emit_block(
        &mut self,
        block: &Block,
        want_value: bool,
    ) -> EmitResult<TokenStream> {
        let stmts = self.emit_stmts(&block.stmts)?;
        let tail = match block.tail {
            Some(tail) => {
                let tail = self.emit_expr(tail)?.tokens;
                if want_value {
                    tail
                } else {
                    quote!(#tail;)
                }
            }
            None => TokenStream::new(),
        };
        Ok(quote!({ #(#stmts)* #tail }))
    }

    pub(crate) fn emit_stmts(&mut self, stmts: &[Stmt]) -> EmitResult<Vec<TokenStream>> {
        stmts.iter().map(|s| self.emit_stmt(s)).collect()
    }

    fn emit_stmt(&mut self, stmt: &Stmt) -> EmitResult<TokenStream> {
        match stmt {
            Stmt::Let { local, init } => self.emit_let(*local, *init),
            Stmt::Assign {
                place,
                op,
                value,
                span,
            } => match place {
                Place::Local(local) => self.emit_local_assign(*local, *op, *value, *span),
                Place::Index {
                    array,
                    indices,
                    span: place_span,
                } => self.emit_index_assign(*array, indices, *place_span, *op, *value, *span),
            },
            Stmt::Expr(expr) => {
                let tokens = self.emit_expr(*expr)?.tokens;
                Ok(quote!(#tokens;))
            }
        }
    }

    fn emit_let(&mut self, local: LocalId, init: Option<ExprId>) -> EmitResult<TokenStream> {
        let decl = self.function.local(local);
        let name = self.local_ident(local);
        match decl.ty {
            Type::Fixed { elem, len } => {
                let ty = ops::scalar_type(elem);
                let len_tokens = len as usize;
                let value = match init.map(|i| (i, self.expr(i))) {
                    Some((_, Expr::ArrayLit(items))) if items.len() == len as usize => {
                        let mut emitted = Vec::new();
                        for item in items.clone() {
                            emitted.push(self.emit_expr(item)?.tokens);
                        }
                        quote!([#(#emitted),*])
                    }
                    Some((_, Expr::ArrayRepeat(item, n))) if *n == len => {
                        let item = self.emit_expr(*item)?.tokens;
                        quote!([#item; #len_tokens])
                    }
                    None => {
                        let zero = ops::zero(elem);
                        quote!([#zero; #len_tokens])
                    }
                    Some(_) => {
                        return Err(self.unsupported(
                            decl.span,
                            "a fixed array initialised from a non-literal",
                        ))
                    }
                };
                // Fixed arrays are always `mut`: a callee may write through them.
                Ok(quote!(let mut #name: [#ty; #len_tokens] = #value;))
            }
            Type::Array(_) => match init {
                Some(init) if matches!(self.expr(init), Expr::View { .. }) => {
                    self.emit_view_let(local, init)
                }
                _ => self.emit_owned_let(local, init),
            },
            Type::Tuple(_) => {
                let ty = ops::value_type(decl.ty);
                let Some(init) = init else {
                    return Err(self.unsupported(decl.span, "a tuple local without initialiser"));
                };
                let value = self.emit_expr(init)?.tokens;
                Ok(quote!(let #name: #ty = #value;))
            }
            Type::Scalar(s) => {
                let ty = ops::scalar_type(s);
                match init {
                    Some(init) => {
                        let value = self.emit_expr(init)?.tokens;
                        let m = decl.mutable.then(|| quote!(mut));
                        Ok(quote!(let #m #name: #ty = #value;))
                    }
                    // The checker does not prove definite assignment; like the other tiers,
                    // start from zero (and `mut`, since the first assignment comes later).
                    None => {
                        let zero = ops::zero(s);
                        Ok(quote!(let mut #name: #ty = #zero;))
                    }
                }
            }
            Type::Unit | Type::Never => match init {
                Some(init) => {
                    let value = self.emit_expr(init)?.tokens;
                    Ok(quote!(let #name: () = #value;))
                }
                None => Ok(quote!(let #name: () = ();)),
            },
        }
    }

    fn emit_local_assign(
        &mut self,
        local: LocalId,
        op: Option<BinOp>,
        value: ExprId,
        span: Span,
    ) -> EmitResult<TokenStream> {
        let name = self.local_ident(local);
        let emitted = self.emit_expr(value)?;
        let Some(op) = op else {
            let value = emitted.tokens;
            return Ok(quote!(#name = #value;));
        };
        let ty = self
            .function
            .local(local)
            .ty
            .as_scalar()
            .ok_or_else(|| self.unsupported(span, "compound assignment to an array"))?;
        let site = self.site(span);
        let current = Emitted::atom(quote!(#name));
        if self.is_simple(value) {
            let new = self.compound(op, ty, &current, &emitted, &site, span)?;
            return Ok(quote!(#name = #new;));
        }
        let value_tokens = emitted.tokens;
        let new = self.compound(op, ty, &current, &Emitted::atom(quote!(__k_v)), &site, span)?;
        Ok(quote!({ let __k_v = #value_tokens; #name = #new; }))
    }

    fn compound(
        &self,
        op: BinOp,
        ty: kernel_ir::Scalar,
        current: &Emitted,
        value: &Emitted,
        site: &TokenStream,
        span: Span,
    ) -> EmitResult<TokenStream> {
        self.binary(op, ty, current, value, site)
            .map(|e| e.tokens)
            .ok_or_else(|| self.unsupported(span, format!("`{}=` on {ty}", op.symbol())))
    }

    fn emit_index_assign(
        &mut self,
        array: LocalId,
        indices: &[ExprId],
        place_span: Span,
        op: Option<BinOp>,
        value: ExprId,
        span: Span,
    ) -> EmitResult<TokenStream> {
        let elem = self
            .function
            .local(array)
            .ty
            .array_elem()
            .ok_or_else(|| self.unsupported(place_span, "indexing a scalar"))?;
        let access = Access::Write(value);
        let emitted = self.emit_expr(value)?;
        let (value_stmt, value) = if self.is_simple(value) {
            (TokenStream::new(), emitted)
        } else {
            let tokens = emitted.tokens;
            (quote!(let __k_v = #tokens;), Emitted::atom(quote!(__k_v)))
        };
        let Located {
            prelude,
            place,
            raw,
        } = self.locate(access, array, indices, place_span, op.is_some())?;
        let new = match op {
            None => value.tokens,
            Some(op) => {
                let current = Emitted::atom(quote!((#place)));
                self.compound(op, elem, &current, &value, &self.site(span), span)?
            }
        };
        // SAFETY (emitted): as for a read; the checker only lets a kernel write through
        // writable arguments (`*mut` pointers) and its own fixed arrays.
        let store = if raw {
            quote!(unsafe { #place = #new; })
        } else {
            quote!(#place = #new;)
        };
        Ok(quote!({ #value_stmt #(#prelude)* #store }))
    }

    /// A `for` loop; a `prange` one becomes a chunked parallel-for (see [`Self::emit_prange`]).
    pub(crate) fn emit_for(
        &mut self,
        id: LoopId,
        var: LocalId,
        range: &Range,
        body: &Block,
        parallel: bool,
    ) -> EmitResult<Emitted> {
        let label = loop_label(id);
        let name = self.local_ident(var);
        let start = self.emit_expr(range.start)?.operand();
        let end = self.emit_expr(range.end)?.operand();
        let dots = if range.inclusive {
            quote!(..=)
        } else {
            quote!(..)
        };
        let polls = poll::block_has_loop_or_call(self.function, body);
        let lanes = if parallel {
            None
        } else {
            self.function.float_lanes(id)
        };
        if polls || lanes.is_some() {
            self.polling_fors.insert(id);
        }
        let loop_body = body;
        let mut body = self.emit_block(body, false)?;
        if polls || lanes.is_some() {
            // The poll at the back-edge and the store of the lanes, reached by `continue`
            // too (`break 'bN`).
            let body_label = body_label(id);
            let poll = polls.then(|| self.poll(self.loop_span(id)));
            body = quote!({ #body_label: #body #poll });
        }
        let rev = range.reverse.then(|| quote!(.rev()));
        let (prelude, iter) = match range.step {
            None => (TokenStream::new(), quote!((#start #dots #end) #rev)),
            Some(step) => {
                let step_span = self.span_of(step);
                let step = self.emit_expr(step)?.tokens;
                let site = self.site(step_span);
                let prelude = quote! {
                    let __k_start = #start;
                    let __k_end = #end;
                    let __k_step: usize = #step;
                    if __k_step == 0 {
                        return ::core::result::Result::Err(__k_rt::error_at(
                            ::kernel_runtime::ErrorKind::ZeroStep,
                            #site,
                        ));
                    }
                };
                (
                    prelude,
                    quote!((__k_start #dots __k_end) #rev .step_by(__k_step)),
                )
            }
        };
        if parallel {
            let parallel = self.emit_prange(id, &name, iter, body)?;
            return Ok(Emitted::compound(quote!({ #prelude #parallel })));
        }
        if let Some(lanes) = lanes {
            let emitted = self.emit_lane_for(
                id,
                var,
                (range, loop_body),
                (start, end),
                (prelude, iter),
                body,
                lanes,
            )?;
            return Ok(Emitted::compound(emitted));
        }
        Ok(Emitted::compound(match range.step {
            None if range.reverse => quote!(#label: for #name in #iter #body),
            None if range.inclusive => self.counted_inclusive(var, &label, start, end, body),
            None => quote!(#label: for #name in #start #dots #end #body),
            Some(_) => quote!({ #prelude #label: for #name in #iter #body }),
        }))
    }

    /// `for v in a..=b` as the counted `a..b + 1` whenever `b` is below the type's maximum:
    /// LLVM optimises `RangeInclusive` (with its extra exhausted flag) poorly, up to 2× slower
    /// on a triangular nest. The rare `b == MAX` keeps the inclusive form.
    fn counted_inclusive(
        &self,
        var: LocalId,
        label: &syn::Lifetime,
        start: TokenStream,
        end: TokenStream,
        body: TokenStream,
    ) -> TokenStream {
        let name = self.local_ident(var);
        let scalar = self
            .function
            .local(var)
            .ty
            .as_scalar()
            .unwrap_or(Scalar::I64);
        let ty = ops::scalar_type(scalar);
        quote! {{
            let __k_s: #ty = #start;
            let __k_e: #ty = #end;
            if __k_e < <#ty>::MAX {
                #label: for #name in __k_s..__k_e + 1 #body
            } else {
                #label: for #name in __k_s..=__k_e #body
            }
        }}
    }

    /// A `prange` loop as a call of `kernel_runtime`'s chunked parallel-for: the body becomes
    /// a closure over one chunk that starts each reduction local (shadowed) from its identity
    /// and returns the partials; the partials are then combined into the outer locals in
    /// chunk order, with the reduction's own operation (wrapping for integers, `fmin`/`fmax`
    /// for floats), so results are deterministic for a given thread count.
    fn emit_prange(
        &mut self,
        id: LoopId,
        name: &Ident,
        iter: TokenStream,
        body: TokenStream,
    ) -> EmitResult<TokenStream> {
        let label = loop_label(id);
        let span = self.loop_span(id);
        let reductions = self
            .function
            .loops
            .get(id.index())
            .map(|l| l.reductions.clone())
            .unwrap_or_default();
        let mut starts = Vec::new();
        let mut locals = Vec::new();
        let mut types = Vec::new();
        let mut partials = Vec::new();
        let mut combines = Vec::new();
        let has_lanes = self.parallel_has_lanes(id);
        let mut tree_folds = Vec::new();
        for (k, reduction) in reductions.iter().enumerate() {
            let ty = self
                .function
                .local(reduction.local)
                .ty
                .as_scalar()
                .ok_or_else(|| self.unsupported(span, "a reduction over a non-scalar"))?;
            let local = self.local_ident(reduction.local);
            let rust_ty = ops::scalar_type(ty);
            let identity = ops::literal(reduction.op.identity(ty), ty).tokens;
            starts.push(quote!(let mut #local: #rust_ty = #identity;));
            let partial = format_ident!("__k_p{}", k);
            if has_lanes && ty.is_float() {
                // The blocks' partials fold in the fixed tree (`kernel_ir::ir::Lanes`).
                let index = syn::Index::from(k);
                let fold = self.fold_partials(*reduction, &partial);
                tree_folds.push(quote! {
                    let #partial: ::std::vec::Vec<#rust_ty> =
                        __k_parts.iter().map(|__k_p| __k_p.#index).collect();
                    #fold
                });
            } else {
                combines.push(self.combine(reduction.op, ty, &local, &partial, span)?);
            }
            locals.push(local);
            types.push(rust_ty);
            partials.push(partial);
        }
        let array_reductions = self
            .function
            .loops
            .get(id.index())
            .map(|l| l.array_reductions.clone())
            .unwrap_or_default();
        for (k, reduction) in array_reductions.iter().enumerate() {
            let copy = format_ident!("__k_copy{}", k);
            let (start, combine) = self.array_reduction(*reduction, &copy, span)?;
            starts.push(start);
            locals.push(copy.clone());
            types.push(quote!(__k_rt::Owned));
            partials.push(copy);
            combines.push(combine);
        }
        let run = if has_lanes {
            quote!(parallel_for_blocks)
        } else {
            quote!(parallel_for)
        };
        let all_reductions: Vec<Reduction> = reductions
            .iter()
            .chain(&array_reductions)
            .copied()
            .collect();
        let sequential_partials: Vec<TokenStream> = partials
            .iter()
            .zip(&all_reductions)
            .map(|(partial, reduction)| {
                let float = self
                    .function
                    .local(reduction.local)
                    .ty
                    .as_scalar()
                    .is_some_and(|s| s.is_float());
                if has_lanes && float {
                    quote!(_)
                } else {
                    quote!(#partial)
                }
            })
            .collect();
        let fold = quote! {
            #(#tree_folds)*
            for (#(#sequential_partials,)*) in __k_parts {
                #(#combines)*
            }
        };
        Ok(quote! {
            let __k_iter = #iter;
            let __k_body = __k_rt::chunk_body(
                &__k_iter,
                move |__k_chunk| -> ::core::result::Result<(#(#types,)*), ::kernel_runtime::KernelError> {
                    let __k_cancel = __k_chunk.cancel;
                    #(#starts)*
                    #label: for #name in __k_chunk.iter {
                        if __k_cancel.cancelled() {
                            break #label;
                        }
                        #body
                    }
                    ::core::result::Result::Ok((#(#locals,)*))
                },
            );
            // SAFETY (emitted): the body captures raw array pointers, the stop flag and
            // read-only locals, all alive for the whole loop; the language requires distinct
            // iterations of a `prange` to write distinct elements, and the checker only lets
            // them update outer scalars through the reductions, which are chunk-local here.
            let __k_parts = unsafe { __k_rt::#run(__k_iter, &__k_body) }?;
            #fold
        })
    }

    /// An array reduction of a `prange` loop: the chunk's copy of the array, filled with the
    /// identity, under the array's own names inside the chunk closure; and the combination
    /// of one chunk's copy into the array after the loop (`kernel_ir::semantics::combine_array`,
    /// as the JIT's parallel-for does).
    fn array_reduction(
        &self,
        reduction: Reduction,
        copy: &Ident,
        span: Span,
    ) -> EmitResult<(TokenStream, TokenStream)> {
        let Some(ArrayAccess::Param {
            ptr,
            dims,
            strides,
            elem,
            ..
        }) = self.arrays.get(&reduction.local).cloned()
        else {
            return Err(self.unsupported(span, "an array reduction of a non-array"));
        };
        let rank = dims.len();
        let rust_elem = ops::scalar_type(elem);
        let scalar = format_ident!("{}", format!("{elem:?}"));
        let op = format_ident!("{}", format!("{:?}", reduction.op));
        let bits = reduction.op.identity_bits(elem);
        let site = self.site(span);
        let start = quote! {
            let #copy = __k_rt::located(
                __k_rt::alloc_array(
                    __k_rt::Scalar::#scalar,
                    [#(#dims),*],
                    __k_rt::RawScalar(#bits),
                    u64::MAX,
                ),
                #site,
            )?;
            let (#ptr, [#(#dims),*], [#(#strides),*]) = #copy.parts::<#rust_elem, #rank>();
        };
        let combine = quote! {
            // SAFETY (emitted): the array's raw parts describe a live writable array no
            // chunk touches any more, and the copy has its extents.
            unsafe {
                __k_rt::combine_copy::<#rust_elem, #rank>(
                    ::kernel_runtime::ir::ir::ReduceOp::#op,
                    __k_rt::Scalar::#scalar,
                    #ptr,
                    [#(#dims),*],
                    [#(#strides),*],
                    &#copy,
                );
            }
        };
        Ok((start, combine))
    }

    /// `outer = outer OP partial` for one reduction.
    fn combine(
        &self,
        op: ReduceOp,
        ty: Scalar,
        outer: &Ident,
        partial: &Ident,
        span: Span,
    ) -> EmitResult<TokenStream> {
        let current = Emitted::atom(quote!(#outer));
        let value = Emitted::atom(quote!(#partial));
        let new = match (op, ty.is_float()) {
            (ReduceOp::Add, _) => {
                self.compound(BinOp::Add, ty, &current, &value, &self.site(span), span)?
            }
            (ReduceOp::Mul, _) => {
                self.compound(BinOp::Mul, ty, &current, &value, &self.site(span), span)?
            }
            (ReduceOp::Min, true) => quote!(__k_sem::fmin(#outer, #partial)),
            (ReduceOp::Max, true) => quote!(__k_sem::fmax(#outer, #partial)),
            (ReduceOp::Min, false) => quote!(::core::cmp::Ord::min(#outer, #partial)),
            (ReduceOp::Max, false) => quote!(::core::cmp::Ord::max(#outer, #partial)),
        };
        Ok(quote!(#outer = #new;))
    }
}
