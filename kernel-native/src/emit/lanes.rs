//! Float reductions in lanes (`kernel_ir::ir::Lanes`) as native Rust.
//!
//! A sequential loop with lanes becomes: each reduction's lanes in an array `[T; L]` at the
//! identity; a loop over whole groups of `L` iterations whose inner loop `for l in 0..L`
//! shadows the reduction local with lane `l`, runs the body and stores the lane back (LLVM
//! unrolls the inner loop, keeps the lanes in registers and packs them into vectors: they are
//! independent, so no reassociation is needed for that); the fold in the fixed tree; then the
//! ordinary loop over the remaining iterations. The body's `continue` leaves its labelled
//! block (see `FnEmitter::block_labelled_fors`), so the lane is stored back either way.
//!
//! A `prange` loop with lanes runs on the fixed blocks of `parallel_for_blocks` and folds the
//! blocks' partials in the same tree.

use kernel_ir::ir::walk::{walk_expr, walk_stmt, Visitor};
use kernel_ir::ir::{
    Block, Expr, ExprId, Function, LocalId, LocalKind, LoopId, Place, Range, ReduceOp, Reduction,
    Stmt,
};
use kernel_ir::{Scalar, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ops, EmitResult, FnEmitter};

/// One reduction of a loop with lanes, as tokens.
struct LaneLocal {
    local: proc_macro2::Ident,
    lanes: proc_macro2::Ident,
    ty: TokenStream,
    identity: TokenStream,
    op: ReduceOp,
}

impl FnEmitter<'_> {
    fn lane_locals(&self, reductions: &[Reduction]) -> Vec<LaneLocal> {
        reductions
            .iter()
            .map(|r| {
                let scalar = self
                    .function
                    .local(r.local)
                    .ty
                    .as_scalar()
                    .unwrap_or(Scalar::F64);
                LaneLocal {
                    local: self.local_ident(r.local),
                    lanes: format_ident!("__k_lanes{}", r.local.index()),
                    ty: ops::scalar_type(scalar),
                    identity: ops::literal(r.op.identity(scalar), scalar).tokens,
                    op: r.op,
                }
            })
            .collect()
    }

    /// A sequential `for` loop with lanes (see the module docs). `iter` is the loop's Rust
    /// iterator; `prelude` evaluates its step; `body` is the labelled body block.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn emit_lane_for(
        &mut self,
        id: LoopId,
        var: LocalId,
        (range, loop_body): (&Range, &Block),
        (start, end): (TokenStream, TokenStream),
        (prelude, iter): (TokenStream, TokenStream),
        body: TokenStream,
        (count, reductions): (u32, Vec<Reduction>),
    ) -> EmitResult<TokenStream> {
        let label = super::expr::loop_label(id);
        let name = self.local_ident(var);
        let scalar = self
            .function
            .local(var)
            .ty
            .as_scalar()
            .unwrap_or(Scalar::I64);
        let var_ty = ops::scalar_type(scalar);
        let locals = self.lane_locals(&reductions);
        let l = count as usize;
        let starts = locals.iter().map(|x| {
            let (lanes, ty, identity) = (&x.lanes, &x.ty, &x.identity);
            quote!(let mut #lanes: [#ty; #l] = [#identity; #l];)
        });
        let loads = locals.iter().map(|x| {
            let (local, lanes) = (&x.local, &x.lanes);
            quote!(let mut #local = #lanes[__k_l];)
        });
        let stores = locals.iter().map(|x| {
            let (local, lanes) = (&x.local, &x.lanes);
            quote!(#lanes[__k_l] = #local;)
        });
        let folds: Vec<TokenStream> = locals.iter().map(|x| fold(x, l)).collect();
        let simple = range.step.is_none() && !range.reverse && !range.inclusive;
        Ok(if simple {
            // `a..b`: the variable from the group and lane numbers, so LLVM sees a counted
            // loop; `wrapping_add` is exact here (the value lies inside the range).
            let groups = quote! {
                for __k_g in 0..__k_in_lanes / #l {
                    for __k_l in 0..#l {
                        let #name: #var_ty = __k_s.wrapping_add((__k_g * #l + __k_l) as #var_ty);
                        #(#loads)*
                        #body
                        #(#stores)*
                    }
                }
            };
            let groups = self.unit_stride_version(body_arrays(self.function, loop_body), groups);
            quote! {{
                let __k_s: #var_ty = #start;
                let __k_e: #var_ty = #end;
                let __k_n: usize = if __k_s < __k_e { (__k_e as i128 - __k_s as i128) as usize } else { 0 };
                let __k_in_lanes = __k_n - __k_n % #l;
                #(#starts)*
                #groups
                #(#folds)*
                #label: for #name in __k_s.wrapping_add(__k_in_lanes as #var_ty)..__k_e #body
            }}
        } else {
            quote! {{
                #prelude
                let mut __k_it = #iter;
                let __k_n: usize = ::core::iter::Iterator::size_hint(&__k_it).0;
                let __k_in_lanes = __k_n - __k_n % #l;
                #(#starts)*
                for _ in 0..__k_in_lanes / #l {
                    for __k_l in 0..#l {
                        let ::core::option::Option::Some(#name) = ::core::iter::Iterator::next(&mut __k_it) else {
                            break;
                        };
                        #(#loads)*
                        #body
                        #(#stores)*
                    }
                }
                #(#folds)*
                #label: for #name in __k_it #body
            }}
        })
    }

    /// `code` twice: a copy for innermost strides of 1 (the strides shadowed by the constant,
    /// so LLVM sees contiguous lanes and packs them into vectors) and the general one.
    fn unit_stride_version(&self, arrays: Vec<LocalId>, code: TokenStream) -> TokenStream {
        let strides: Vec<proc_macro2::Ident> = arrays
            .into_iter()
            .filter_map(|array| match self.function.local(array).ty {
                Type::Array(ty) if ty.rank > 0 => {
                    Some(self.names.part(array, "stride", usize::from(ty.rank) - 1))
                }
                _ => None,
            })
            .collect();
        if strides.is_empty() {
            return code;
        }
        quote! {
            if #(#strides == 1)&&* {
                #(let #strides: isize = 1;)*
                #code
            } else {
                #code
            }
        }
    }

    /// Whether a `prange` loop reassociates its reductions (runs on fixed blocks).
    pub(crate) fn parallel_has_lanes(&self, id: LoopId) -> bool {
        self.function
            .loops
            .get(id.index())
            .is_some_and(|info| info.lanes.is_some())
    }

    /// `outer = outer op tree(partials)` for the float reduction `reduction` of a `prange`
    /// loop with lanes, its chunks' partials in the `Vec` named `partials`.
    pub(crate) fn fold_partials(
        &self,
        reduction: Reduction,
        partials: &proc_macro2::Ident,
    ) -> TokenStream {
        let x = &self.lane_locals(&[reduction])[0];
        let (local, identity) = (&x.local, &x.identity);
        let a = quote!(__k_a);
        let b = quote!(__k_b);
        let combined = combine(x.op, &a, &b);
        let outer = combine(x.op, &quote!(#local), &quote!(__k_t));
        quote! {
            if let ::core::option::Option::Some(__k_t) =
                __k_rt::lane_tree(&#partials, #identity, |#a, #b| #combined)
            {
                #local = #outer;
            }
        }
    }
}

/// `x = x op tree(lanes)` for one reduction of a sequential loop, the tree written out at
/// expansion time (`ir::lane_tree`'s order: the upper half into the lower, halving), so the
/// fold is a few register operations.
fn fold(x: &LaneLocal, count: usize) -> TokenStream {
    let (local, lanes) = (&x.local, &x.lanes);
    let mut steps = Vec::new();
    let mut half = count / 2;
    while half > 0 {
        for i in 0..half {
            let j = i + half;
            let combined = combine(x.op, &quote!(#lanes[#i]), &quote!(#lanes[#j]));
            steps.push(quote!(#lanes[#i] = #combined;));
        }
        half /= 2;
    }
    let outer = combine(x.op, &quote!(#local), &quote!(#lanes[0]));
    // A loop shorter than the lane count never touched a lane: folding identities would
    // give `x` back exactly, so short loops skip it.
    quote! {
        if __k_in_lanes > 0 {
            #(#steps)*
            #local = #outer;
        }
    }
}

/// The array parameters a loop body indexes, in order of first use.
fn body_arrays(f: &Function, body: &Block) -> Vec<LocalId> {
    struct Arrays<'f> {
        f: &'f Function,
        found: Vec<LocalId>,
    }
    impl<'f> Visitor<'f> for Arrays<'f> {
        fn function(&self) -> &'f Function {
            self.f
        }
        fn visit_stmt(&mut self, stmt: &'f Stmt) {
            if let Stmt::Assign {
                place: Place::Index { array, .. },
                ..
            } = stmt
            {
                self.note(*array);
            }
            walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, id: ExprId) {
            if let Expr::Index { array, .. } = self.f.expr(id) {
                self.note(*array);
            }
            walk_expr(self, id);
        }
    }
    impl Arrays<'_> {
        fn note(&mut self, array: LocalId) {
            let is_param = matches!(self.f.local(array).kind, LocalKind::Param(_));
            if is_param && !self.found.contains(&array) {
                self.found.push(array);
            }
        }
    }
    let mut arrays = Arrays {
        f,
        found: Vec::new(),
    };
    arrays.visit_block(body);
    arrays.found
}

/// `a op b` for a float reduction (the language's `min`/`max`).
fn combine(op: ReduceOp, a: &TokenStream, b: &TokenStream) -> TokenStream {
    match op {
        ReduceOp::Add => quote!(#a + #b),
        ReduceOp::Mul => quote!(#a * #b),
        ReduceOp::Min => quote!(__k_sem::fmin(#a, #b)),
        ReduceOp::Max => quote!(__k_sem::fmax(#a, #b)),
    }
}
