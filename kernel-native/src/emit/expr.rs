//! Expressions: the emitter's one big `match` over [`Expr`].
//!
//! Rust evaluates operands, arguments and method receivers left to right, which is the
//! language's order, so most expressions map onto the same Rust expression. Where the
//! language needs an order Rust would not give (a call's depth check after its arguments,
//! a builtin that uses an operand twice) the operands go through temporaries first.

use kernel_ir::ir::{Builtin, Expr, ExprId, FuncId, LoopId};
use kernel_ir::{Scalar, Span, Type, MAX_CALL_DEPTH};
use proc_macro2::Span as TokenSpan;
use quote::{format_ident, quote};
use syn::Lifetime;

use super::{inner_name, ops, EmitResult, Emitted, FnEmitter};

impl FnEmitter<'_> {
    pub(crate) fn emit_expr(&mut self, id: ExprId) -> EmitResult<Emitted> {
        let span = self.span_of(id);
        let ty = self.function.ty(id);
        match self.expr(id) {
            Expr::Lit(lit, _) => {
                let s = self.scalar_of(id)?;
                Ok(ops::literal(*lit, s))
            }
            Expr::Local(local) if matches!(ty, Type::Array(_)) => Ok(self.emit_move_out(*local)),
            Expr::Alloc { .. } => self.emit_alloc(id),
            Expr::View { .. } => {
                Err(self.unsupported(span, "a view outside `let` and call arguments"))
            }
            Expr::Tuple(elems) => {
                let mut emitted = Vec::new();
                for elem in elems.clone() {
                    emitted.push(self.emit_expr(elem)?.tokens);
                }
                Ok(Emitted::atom(quote!((#(#emitted),*))))
            }
            Expr::Field(tuple, k) => {
                let tuple = self.emit_expr(*tuple)?.operand();
                let k = syn::Index::from(*k as usize);
                Ok(Emitted::atom(quote!(#tuple.#k)))
            }
            Expr::Local(local) => {
                if self.function.local(*local).ty.is_array() {
                    return Err(self.unsupported(span, "an array used as a value"));
                }
                let name = self.local_ident(*local);
                Ok(Emitted::atom(quote!(#name)))
            }
            Expr::Unary(op, operand) => {
                let s = self.scalar_of(*operand)?;
                let emitted = self.emit_expr(*operand)?;
                self.unary(*op, s, &emitted)
                    .ok_or_else(|| self.unsupported(span, format!("unary `{op:?}` on {s}")))
            }
            Expr::Binary(op, lhs, rhs) => {
                let s = self.scalar_of(*lhs)?;
                let (a, b) = (self.emit_expr(*lhs)?, self.emit_expr(*rhs)?);
                let site = self.site(span);
                self.binary(*op, s, &a, &b, &site)
                    .ok_or_else(|| self.unsupported(span, format!("`{}` on {s}", op.symbol())))
            }
            Expr::Logic(op, lhs, rhs) => {
                let a = self.emit_expr(*lhs)?.operand();
                let b = self.emit_expr(*rhs)?.operand();
                Ok(Emitted::compound(match op {
                    kernel_ir::ir::LogicOp::And => quote!(#a && #b),
                    kernel_ir::ir::LogicOp::Or => quote!(#a || #b),
                }))
            }
            Expr::Cast(operand, to) => {
                let from = self.scalar_of(*operand)?;
                let emitted = self.emit_expr(*operand)?;
                self.cast(from, *to, &emitted)
                    .ok_or_else(|| self.unsupported(span, format!("a cast from {from} to {to}")))
            }
            Expr::Index { array, indices } => {
                let indices = indices.clone();
                self.emit_index_read(id, *array, &indices, span)
            }
            Expr::ArrayLit(_) | Expr::ArrayRepeat(..) => {
                Err(self.unsupported(span, "an array literal outside `let`"))
            }
            Expr::Len(array) => self.length(*array, span),
            Expr::Dim(array, axis) => self.extent(*array, *axis, span),
            Expr::Builtin(builtin, args) => {
                let args = args.clone();
                self.emit_builtin(*builtin, &args, span)
            }
            Expr::Call(callee, args) => {
                let args = args.clone();
                self.emit_call(*callee, &args, span)
            }
            Expr::If {
                cond,
                then_block,
                else_block,
            } => {
                let cond = self.emit_expr(*cond)?.tokens;
                let want_value = produces_value(ty);
                let then_block = self.emit_block(then_block, want_value)?;
                Ok(Emitted::compound(match else_block {
                    Some(else_block) => {
                        let else_block = self.emit_block(else_block, want_value)?;
                        quote!(if #cond #then_block else #else_block)
                    }
                    None => quote!(if #cond #then_block),
                }))
            }
            Expr::Block(block) => Ok(Emitted::compound(
                self.emit_block(block, produces_value(ty))?,
            )),
            Expr::Loop { id, body } => {
                let label = loop_label(*id);
                let poll = self.poll(self.loop_span(*id));
                let body = self.emit_block(body, false)?;
                Ok(Emitted::compound(quote!(#label: loop { #poll #body })))
            }
            Expr::While { id, cond, body } => {
                // `loop` with the poll before the condition, as in the other tiers; a
                // `continue` comes back to the poll.
                let label = loop_label(*id);
                let poll = self.poll(self.loop_span(*id));
                let cond = self.emit_expr(*cond)?.tokens;
                let body = self.emit_block(body, false)?;
                Ok(Emitted::compound(quote!(#label: loop {
                    #poll
                    if !(#cond) {
                        break #label;
                    }
                    #body
                })))
            }
            Expr::For {
                id,
                var,
                range,
                body,
                parallel,
            } => {
                let range = range.clone();
                let body = body.clone();
                self.versioned(*id, span, |emitter| {
                    emitter.emit_for(*id, *var, &range, &body, *parallel)
                })
            }
            Expr::Break { id, value } => {
                let label = loop_label(*id);
                Ok(Emitted::compound(match value {
                    Some(value) => {
                        let value = self.emit_expr(*value)?.tokens;
                        quote!(break #label #value)
                    }
                    None => quote!(break #label),
                }))
            }
            Expr::Continue(id) if self.polling_fors.contains(id) => {
                let label = body_label(*id);
                Ok(Emitted::compound(quote!(break #label)))
            }
            Expr::Continue(id) => {
                let label = loop_label(*id);
                Ok(Emitted::compound(quote!(continue #label)))
            }
            Expr::Return(value) => Ok(Emitted::compound(match value {
                Some(value) => {
                    let value = self.emit_expr(*value)?.tokens;
                    quote!(return ::core::result::Result::Ok(#value))
                }
                None => quote!(return ::core::result::Result::Ok(())),
            })),
            Expr::Print { format, args } => {
                let args = args.clone();
                self.emit_print(&format.clone(), &args)
            }
        }
    }

    pub(crate) fn scalar_of(&self, id: ExprId) -> EmitResult<Scalar> {
        self.function
            .ty(id)
            .as_scalar()
            .ok_or_else(|| self.unsupported(self.span_of(id), "a non-scalar operand"))
    }

    /// A literal or a scalar local: free to evaluate, any number of times, in any order.
    pub(crate) fn is_simple(&self, id: ExprId) -> bool {
        match self.expr(id) {
            Expr::Lit(..) => true,
            Expr::Local(local) => !self.function.local(*local).ty.is_array(),
            _ => false,
        }
    }

    fn emit_builtin(
        &mut self,
        builtin: Builtin,
        args: &[ExprId],
        span: Span,
    ) -> EmitResult<Emitted> {
        let bad = |this: &Self| {
            this.unsupported(span, format!("`{}` with these arguments", builtin.name()))
        };
        if args.len() != builtin.arity() {
            return Err(bad(self));
        }
        let ty = self.scalar_of(args[0])?;
        let mut emitted = Vec::new();
        for arg in args {
            emitted.push(self.emit_expr(*arg)?);
        }
        let site = self.site(span);
        // `fract` reads its operand twice: bind it once.
        if builtin == Builtin::Fract && !self.is_simple(args[0]) {
            let value = emitted[0].tokens.clone();
            let temp = Emitted::atom(quote!(__k_x));
            let body = self
                .builtin(builtin, ty, &[temp], &site)
                .ok_or_else(|| bad(self))?;
            let body = body.tokens;
            return Ok(Emitted::compound(quote!({ let __k_x = #value; #body })));
        }
        self.builtin(builtin, ty, &emitted, &site)
            .ok_or_else(|| bad(self))
    }

    /// A call: scalar arguments evaluated left to right, then the depth check (located at
    /// the call, in the caller), then the callee's inner function one level deeper, at the
    /// caller's instruction-set level (`__k_isa`, a constant once the body is inlined into
    /// its copy for a level).
    fn emit_call(&mut self, callee: FuncId, args: &[ExprId], span: Span) -> EmitResult<Emitted> {
        let target = self.callee(callee)?;
        if target.params.len() != args.len() {
            return Err(self.unsupported(span, "a call with the wrong number of arguments"));
        }
        let all_simple = args
            .iter()
            .all(|a| self.is_simple(*a) || self.is_array_arg(*a));
        let all_simple = all_simple
            && !args
                .iter()
                .any(|a| matches!(self.expr(*a), Expr::View { .. }));
        let mut prelude = Vec::new();
        let mut call_args = Vec::new();
        for (index, (param, arg)) in target.params.iter().zip(args).enumerate() {
            let param_ty = target.local(*param).ty;
            if param_ty.is_array() {
                if let Expr::View { .. } = self.expr(*arg) {
                    // Into temporaries in argument order: a view's operands and checks
                    // come between the arguments before and after it.
                    let parts = self.emit_view_parts(*arg)?;
                    let (p, d, s) = (
                        format_ident!("__k_vp{}", index),
                        format_ident!("__k_vd{}", index),
                        format_ident!("__k_vs{}", index),
                    );
                    prelude.push(quote!(let (#p, #d, #s) = #parts;));
                    let rank = param_ty.array_rank().unwrap_or(1) as usize;
                    call_args.push(quote!(#p));
                    call_args.extend((0..rank).map(|k| quote!(#d[#k])));
                    call_args.extend((0..rank).map(|k| quote!(#s[#k])));
                    continue;
                }
                let Expr::Local(array) = self.expr(*arg) else {
                    return Err(self.unsupported(span, "an array argument that is not a local"));
                };
                call_args.extend(self.array_argument(*array, param_ty, span)?);
                continue;
            }
            let value = self.emit_expr(*arg)?.tokens;
            if all_simple {
                call_args.push(value);
            } else {
                let temp = format_ident!("__k_a{}", index);
                prelude.push(quote!(let #temp = #value;));
                call_args.push(quote!(#temp));
            }
        }
        let site = self.site(span);
        let inner = inner_name(&target.name);
        let limit = MAX_CALL_DEPTH;
        Ok(Emitted::compound(quote!({
            #(#prelude)*
            if __k_depth >= #limit {
                return ::core::result::Result::Err(__k_rt::error_at(
                    ::kernel_runtime::ErrorKind::RecursionLimit { limit: #limit },
                    #site,
                ));
            }
            unsafe { #inner(__k_isa, #(#call_args,)* __k_stop, __k_depth + 1) }?
        })))
    }

    fn is_array_arg(&self, id: ExprId) -> bool {
        matches!(self.expr(id), Expr::Local(l) if self.function.local(*l).ty.is_array())
    }
}

/// Whether an expression of type `ty` hands a value to its context.
pub(crate) fn produces_value(ty: Type) -> bool {
    matches!(ty, Type::Scalar(_) | Type::Never)
}

pub(crate) fn loop_label(id: LoopId) -> Lifetime {
    Lifetime::new(&format!("'l{}", id.0), TokenSpan::call_site())
}

/// The label of a polling `for` loop's body block (see `FnEmitter::polling_fors`).
pub(crate) fn body_label(id: LoopId) -> Lifetime {
    Lifetime::new(&format!("'b{}", id.0), TokenSpan::call_site())
}
