//! The match over every expression, plus the scalar operators and casts it shares with
//! compound assignment.
//!
//! Integer division and remainder test their operands *before* `sdiv`/`srem` (which trap on
//! a zero divisor or `MIN / -1`): zero → `DivisionByZero`, signed `MIN / -1` →
//! `DivisionOverflow`, and `MIN % -1` becomes `MIN % 1` = 0 without a branch.

use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, BlockArg, InstBuilder, MemFlagsData, Value,
};

use cranelift_module::Module;
use kernel_ir::analysis::bounds::Access;
use kernel_ir::diag::Span;
use kernel_ir::ir::{BinOp, Block, Expr, ExprId, FuncId, Lit, LocalId, LogicOp, UnOp};
use kernel_ir::{ErrorKind, Scalar, Type, MAX_CALL_DEPTH};

use super::access::elem_type;
use super::{ArrayStorage, FunctionCx};
use crate::abi::{clif_type, SiteKind, POINTER};
use crate::imports::MathFn;

impl FunctionCx<'_, '_> {
    /// Translates one expression; `None` when it has no value (`()` or `Never`).
    pub(crate) fn translate_expr(&mut self, id: ExprId) -> Option<Value> {
        let span = self.f.span(id);
        match self.f.expr(id) {
            Expr::Lit(lit, _) => {
                let s = self.f.ty(id).as_scalar()?;
                Some(self.literal(*lit, s))
            }
            Expr::Local(local) if matches!(self.f.ty(id), Type::Array(_)) => self.move_out(*local),
            Expr::Local(local) => self.vars[local.index()].map(|var| self.b.use_var(var)),
            Expr::Alloc { .. } => self.translate_alloc(id),
            // Only a `let` initialiser or a call argument, handled there.
            Expr::View { .. } => None,
            Expr::Tuple(_) => self.translate_tuple(id).and(None),
            Expr::Field(tuple, k) => self.translate_field(*tuple, *k),
            Expr::Unary(op, operand) => {
                let s = self.scalar_of(id, Scalar::I64);
                let value = self.scalar_value(*operand, s);
                Some(self.unary(*op, s, value))
            }
            Expr::Binary(op, lhs, rhs) => Some(self.translate_binary(id, *op, *lhs, *rhs)),
            Expr::Logic(op, lhs, rhs) => Some(self.translate_logic(*op, *lhs, *rhs)),
            Expr::Cast(operand, to) => {
                let from = self.scalar_of(*operand, *to);
                let value = self.scalar_value(*operand, from);
                Some(self.cast(value, from, *to))
            }
            Expr::Index { array, indices } => {
                if let Some(&(var, _)) = self.promoted.get(&Access::Read(id)) {
                    return Some(self.b.use_var(var));
                }
                let elem = self.f.local(*array).ty.array_elem()?;
                let address = self.element_address(Access::Read(id), *array, indices, span);
                let flags = MemFlagsData::trusted();
                Some(self.b.ins().load(elem_type(elem), flags, address, 0))
            }
            // Only ever a `let` initialiser, handled there.
            Expr::ArrayLit(_) | Expr::ArrayRepeat(..) => None,
            Expr::Len(array) => Some(self.array_len(*array)),
            Expr::Dim(array, axis) => Some(self.array_dim(*array, *axis)),
            Expr::Builtin(builtin, args) => Some(self.translate_builtin(id, *builtin, args)),
            Expr::Call(callee, args) => self.translate_call(*callee, args, span),
            Expr::If {
                cond,
                then_block,
                else_block,
            } => self.translate_if(id, *cond, then_block, else_block.as_ref()),
            Expr::Block(block) => self.translate_block(block),
            Expr::Loop { id: loop_id, body } => self.translate_loop(id, *loop_id, body),
            Expr::While {
                id: loop_id,
                cond,
                body,
            } => {
                self.translate_while(*loop_id, *cond, body);
                None
            }
            Expr::For {
                id: loop_id,
                var,
                range,
                body,
                parallel,
            } => {
                // Profiled code counts into one buffer per call: its parallel loops run
                // sequentially, so hits stay exact and equal the interpreter's; except a loop
                // with lanes, whose fixed blocks are its semantics (its body is not counted).
                let has_lanes = self.f.loops[loop_id.index()].lanes.is_some();
                let parallel = *parallel && !self.in_chunk && (self.profile.is_none() || has_lanes);
                self.versioned(*loop_id, |cx| {
                    if parallel {
                        cx.translate_prange(*loop_id, *var, range, body);
                    } else {
                        cx.translate_for(*loop_id, *var, range, body);
                    }
                });
                None
            }
            Expr::Break { id: loop_id, value } => {
                self.translate_break(*loop_id, *value);
                None
            }
            Expr::Continue(loop_id) => {
                if let Some(targets) = self.loop_targets(*loop_id) {
                    self.b.ins().jump(targets.continue_block, &[]);
                    self.start_unreachable();
                }
                None
            }
            Expr::Return(Some(value)) if matches!(self.f.ret, Type::Tuple(_)) => {
                let values = self.translate_tuple(*value);
                self.emit_tuple_return(values);
                self.start_unreachable();
                None
            }
            Expr::Return(value) => {
                let value = match (value, self.f.ret.raw_scalar()) {
                    (Some(value), Some(ret)) => Some(self.scalar_value(*value, ret)),
                    (Some(value), None) => self.translate_expr(*value).and(None),
                    (None, _) => None,
                };
                self.emit_return(value);
                self.start_unreachable();
                None
            }
            Expr::Print { format, args } => {
                self.translate_print(format, args);
                None
            }
        }
    }

    pub(crate) fn literal(&mut self, lit: Lit, s: Scalar) -> Value {
        let as_f64 = match lit {
            Lit::Bool(b) => f64::from(u8::from(b)),
            Lit::Int(i) => i as f64,
            Lit::Float(x) => x,
        };
        let as_int: i128 = match lit {
            Lit::Bool(b) => i128::from(b),
            Lit::Int(i) => i,
            Lit::Float(x) => x as i128,
        };
        match s {
            Scalar::F64 => self.b.ins().f64const(as_f64),
            Scalar::F32 => self.b.ins().f32const(as_f64 as f32),
            Scalar::Bool => self.b.ins().iconst(types::I8, i64::from(as_int != 0)),
            // Narrow immediates are given zero-extended, as Cranelift expects.
            Scalar::I8 | Scalar::U8 => self
                .b
                .ins()
                .iconst(types::I8, i64::from(as_int as i64 as u8)),
            Scalar::I16 | Scalar::U16 => self
                .b
                .ins()
                .iconst(types::I16, i64::from(as_int as i64 as u16)),
            Scalar::I32 | Scalar::U32 => self
                .b
                .ins()
                .iconst(types::I32, i64::from(as_int as i64 as u32)),
            Scalar::I64 | Scalar::U64 | Scalar::Usize => {
                self.b.ins().iconst(types::I64, as_int as i64)
            }
        }
    }

    fn unary(&mut self, op: UnOp, s: Scalar, value: Value) -> Value {
        match (op, s.is_float(), s) {
            (UnOp::Neg, true, _) => self.b.ins().fneg(value),
            (UnOp::Neg, false, _) => self.b.ins().ineg(value),
            (UnOp::Not, _, Scalar::Bool) => self.b.ins().bxor_imm_u(value, 1),
            (UnOp::Not, _, _) => self.b.ins().bnot(value),
        }
    }

    fn translate_binary(&mut self, id: ExprId, op: BinOp, lhs: ExprId, rhs: ExprId) -> Value {
        let span = self.f.span(id);
        if op.is_comparison() {
            let s = self.scalar_of(lhs, self.scalar_of(rhs, Scalar::I64));
            let l = self.scalar_value(lhs, s);
            let r = self.scalar_value(rhs, s);
            return self.compare(op, s, l, r);
        }
        let s = self.scalar_of(id, Scalar::I64);
        let l = self.scalar_value(lhs, s);
        let rhs_scalar = if op.is_shift() {
            self.scalar_of(rhs, Scalar::U32)
        } else {
            s
        };
        let r = self.scalar_value(rhs, rhs_scalar);
        self.binary(op, s, l, r, rhs_scalar, span)
    }

    /// `l op r` at type `s` (`rhs` is the right operand's type: differs only for shifts).
    pub(crate) fn binary(
        &mut self,
        op: BinOp,
        s: Scalar,
        l: Value,
        r: Value,
        rhs: Scalar,
        span: Span,
    ) -> Value {
        let float = s.is_float();
        match op {
            BinOp::Add if float => self.b.ins().fadd(l, r),
            BinOp::Sub if float => self.b.ins().fsub(l, r),
            BinOp::Mul if float => self.b.ins().fmul(l, r),
            BinOp::Div if float => self.b.ins().fdiv(l, r),
            BinOp::Rem if float => self.call_math(MathFn::Fmod, s, &[l, r]),
            BinOp::Add => self.b.ins().iadd(l, r),
            BinOp::Sub => self.b.ins().isub(l, r),
            BinOp::Mul => self.b.ins().imul(l, r),
            BinOp::Div => self.int_div(s, l, r, span),
            BinOp::Rem => self.int_rem(s, l, r, span),
            BinOp::BitAnd => self.b.ins().band(l, r),
            BinOp::BitOr => self.b.ins().bor(l, r),
            BinOp::BitXor => self.b.ins().bxor(l, r),
            BinOp::Shl | BinOp::Shr => self.shift(op, s, l, r, rhs),
            _ => self.compare(op, s, l, r),
        }
    }

    /// `wrapping_shl` / `wrapping_shr`: the amount is brought to the left operand's width
    /// (its low bits are what counts), and Cranelift masks it by that width.
    fn shift(&mut self, op: BinOp, s: Scalar, l: Value, r: Value, rhs: Scalar) -> Value {
        let lhs_ty = clif_type(s);
        let rhs_ty = clif_type(rhs);
        let amount = if rhs_ty.bits() > lhs_ty.bits() {
            self.b.ins().ireduce(lhs_ty, r)
        } else if rhs_ty.bits() < lhs_ty.bits() {
            self.b.ins().uextend(lhs_ty, r)
        } else {
            r
        };
        match (op, s.is_signed_int()) {
            (BinOp::Shl, _) => self.b.ins().ishl(l, amount),
            (_, true) => self.b.ins().sshr(l, amount),
            (_, false) => self.b.ins().ushr(l, amount),
        }
    }

    /// Stops with `DivisionByZero` when `r` is zero.
    pub(crate) fn check_nonzero(&mut self, r: Value, span: Span) {
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
        self.fail_kind_if(zero, ErrorKind::DivisionByZero, span);
    }

    /// Stops with `DivisionOverflow` on signed `MIN / -1`.
    pub(crate) fn check_div_overflow(&mut self, s: Scalar, l: Value, r: Value, span: Span) {
        if !s.is_signed_int() {
            return;
        }
        let min = match s {
            Scalar::I8 => i64::from(i8::MIN),
            Scalar::I16 => i64::from(i16::MIN),
            Scalar::I32 => i64::from(i32::MIN),
            _ => i64::MIN,
        };
        let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, l, min);
        let is_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, r, -1);
        let overflow = self.b.ins().band(is_min, is_minus_one);
        self.fail_kind_if(overflow, ErrorKind::DivisionOverflow, span);
    }

    fn int_div(&mut self, s: Scalar, l: Value, r: Value, span: Span) -> Value {
        self.check_nonzero(r, span);
        self.check_div_overflow(s, l, r, span);
        if s.is_signed_int() {
            self.b.ins().sdiv(l, r)
        } else {
            self.b.ins().udiv(l, r)
        }
    }

    fn int_rem(&mut self, s: Scalar, l: Value, r: Value, span: Span) -> Value {
        self.check_nonzero(r, span);
        self.wrapping_rem(s, l, r)
    }

    /// `l % r` for a non-zero `r`, with `MIN % -1` = 0 (computed as `l % 1`).
    pub(crate) fn wrapping_rem(&mut self, s: Scalar, l: Value, r: Value) -> Value {
        if !s.is_signed_int() {
            return self.b.ins().urem(l, r);
        }
        let is_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, r, -1);
        let one = self.b.ins().iconst(clif_type(s), 1);
        let divisor = self.b.ins().select(is_minus_one, one, r);
        self.b.ins().srem(l, divisor)
    }

    pub(crate) fn compare(&mut self, op: BinOp, s: Scalar, l: Value, r: Value) -> Value {
        if s.is_float() {
            let cc = match op {
                BinOp::Eq => FloatCC::Equal,
                BinOp::Ne => FloatCC::NotEqual,
                BinOp::Lt => FloatCC::LessThan,
                BinOp::Le => FloatCC::LessThanOrEqual,
                BinOp::Gt => FloatCC::GreaterThan,
                _ => FloatCC::GreaterThanOrEqual,
            };
            return self.b.ins().fcmp(cc, l, r);
        }
        let signed = s.is_signed_int();
        let cc = match (op, signed) {
            (BinOp::Eq, _) => IntCC::Equal,
            (BinOp::Ne, _) => IntCC::NotEqual,
            (BinOp::Lt, true) => IntCC::SignedLessThan,
            (BinOp::Le, true) => IntCC::SignedLessThanOrEqual,
            (BinOp::Gt, true) => IntCC::SignedGreaterThan,
            (_, true) => IntCC::SignedGreaterThanOrEqual,
            (BinOp::Lt, false) => IntCC::UnsignedLessThan,
            (BinOp::Le, false) => IntCC::UnsignedLessThanOrEqual,
            (BinOp::Gt, false) => IntCC::UnsignedGreaterThan,
            (_, false) => IntCC::UnsignedGreaterThanOrEqual,
        };
        self.b.ins().icmp(cc, l, r)
    }

    /// Short-circuit `&&` / `||` through a merge block with one `bool` parameter.
    fn translate_logic(&mut self, op: LogicOp, lhs: ExprId, rhs: ExprId) -> Value {
        let l = self.scalar_value(lhs, Scalar::Bool);
        let rhs_block = self.b.create_block();
        let merge = self.b.create_block();
        let result = self.b.append_block_param(merge, types::I8);
        let short: BlockArg = l.into();
        match op {
            LogicOp::And => self.b.ins().brif(l, rhs_block, &[], merge, &[short]),
            LogicOp::Or => self.b.ins().brif(l, merge, &[short], rhs_block, &[]),
        };
        self.b.switch_to_block(rhs_block);
        self.b.seal_block(rhs_block);
        let r = self.scalar_value(rhs, Scalar::Bool);
        self.b.ins().jump(merge, &[r.into()]);
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        result
    }

    /// `value as to` with Rust's meaning.
    pub(crate) fn cast(&mut self, value: Value, from: Scalar, to: Scalar) -> Value {
        if from == to {
            return value;
        }
        let to_ty = clif_type(to);
        let from_ty = clif_type(from);
        if to == Scalar::Bool {
            // Rejected by the checker; "non-zero" is the only sensible reading.
            return if from.is_float() {
                let zero = self.zero(from);
                self.b.ins().fcmp(FloatCC::NotEqual, value, zero)
            } else {
                self.b.ins().icmp_imm_s(IntCC::NotEqual, value, 0)
            };
        }
        match (from.is_float(), to.is_float()) {
            (true, true) if to == Scalar::F64 => self.b.ins().fpromote(to_ty, value),
            (true, true) => self.b.ins().fdemote(to_ty, value),
            (true, false) if to_ty.bits() < 32 => self.float_to_narrow_int(value, to),
            (true, false) if to.is_signed_int() => self.b.ins().fcvt_to_sint_sat(to_ty, value),
            (true, false) => self.b.ins().fcvt_to_uint_sat(to_ty, value),
            (false, true) if from_ty.bits() < 32 => {
                let wide = self.cast(value, from, Scalar::I32);
                self.cast(wide, Scalar::I32, to)
            }
            (false, true) if from.is_signed_int() => self.b.ins().fcvt_from_sint(to_ty, value),
            (false, true) => self.b.ins().fcvt_from_uint(to_ty, value),
            (false, false) if to_ty.bits() > from_ty.bits() && from.is_signed_int() => {
                self.b.ins().sextend(to_ty, value)
            }
            (false, false) if to_ty.bits() > from_ty.bits() => self.b.ins().uextend(to_ty, value),
            (false, false) if to_ty.bits() < from_ty.bits() => self.b.ins().ireduce(to_ty, value),
            (false, false) => value,
        }
    }

    /// Float → `i8`/`u8`/`i16`/`u16`, saturating with NaN → 0: a saturating conversion to
    /// `i32` (which already does NaN and the direction of rounding) clamped to the narrow
    /// type's range, then truncated. Cranelift has no saturating conversion to 8 or 16 bits.
    fn float_to_narrow_int(&mut self, value: Value, to: Scalar) -> Value {
        let wide = self.b.ins().fcvt_to_sint_sat(types::I32, value);
        let (min, max): (i32, i32) = match to {
            Scalar::I8 => (i8::MIN.into(), i8::MAX.into()),
            Scalar::U8 => (0, u8::MAX.into()),
            Scalar::I16 => (i16::MIN.into(), i16::MAX.into()),
            _ => (0, u16::MAX.into()),
        };
        // Immediates of a narrow type are given zero-extended.
        let min = self.b.ins().iconst(types::I32, i64::from(min as u32));
        let max = self.b.ins().iconst(types::I32, i64::from(max as u32));
        let above_min = self.b.ins().smax(wide, min);
        let clamped = self.b.ins().smin(above_min, max);
        self.b.ins().ireduce(clif_type(to), clamped)
    }

    fn translate_if(
        &mut self,
        id: ExprId,
        cond: ExprId,
        then_block: &Block,
        else_block: Option<&Block>,
    ) -> Option<Value> {
        let c = self.scalar_value(cond, Scalar::Bool);
        let result_scalar = self.f.ty(id).as_scalar();
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let merge = self.b.create_block();
        let result = result_scalar.map(|s| self.b.append_block_param(merge, clif_type(s)));
        self.b.ins().brif(c, then_b, &[], else_b, &[]);
        for (block, body) in [(then_b, Some(then_block)), (else_b, else_block)] {
            self.b.switch_to_block(block);
            self.b.seal_block(block);
            let value = body.and_then(|body| self.translate_block(body));
            self.jump_with_value(merge, value, result_scalar);
        }
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        result
    }

    /// Jumps to `target`, passing `value` (or a zero) when the target takes one of type `s`.
    pub(crate) fn jump_with_value(
        &mut self,
        target: cranelift_codegen::ir::Block,
        value: Option<Value>,
        s: Option<Scalar>,
    ) {
        match s {
            Some(s) => {
                let value = value.unwrap_or_else(|| self.zero(s));
                self.b.ins().jump(target, &[value.into()]);
            }
            None => {
                self.b.ins().jump(target, &[]);
            }
        }
    }

    /// A direct call. Arguments are evaluated first; then the depth check (located at the
    /// call, in the caller); a non-zero status from the callee is returned unchanged.
    fn translate_call(&mut self, callee: FuncId, args: &[ExprId], span: Span) -> Option<Value> {
        self.call_results(callee, args, span)?.first().copied()
    }

    /// A direct call's returned values: none, one, or a tuple's elements.
    pub(crate) fn call_results(
        &mut self,
        callee: FuncId,
        args: &[ExprId],
        span: Span,
    ) -> Option<Vec<Value>> {
        let program = self.env.program;
        let callee_fn = program.function(callee);
        let mut values = vec![self.ctx, self.depth];
        for (param, &arg) in callee_fn.params.iter().zip(args) {
            match callee_fn.local(*param).ty {
                Type::Array(_) | Type::Fixed { .. } => self.push_array_arg(&mut values, arg),
                ty => {
                    let s = ty.as_scalar().unwrap_or(Scalar::Bool);
                    values.push(self.scalar_value(arg, s));
                }
            }
        }
        let too_deep = self.b.ins().icmp_imm_s(
            IntCC::SignedGreaterThanOrEqual,
            self.depth,
            i64::from(MAX_CALL_DEPTH),
        );
        let kind = ErrorKind::RecursionLimit {
            limit: MAX_CALL_DEPTH,
        };
        self.fail_if(too_deep, SiteKind::Fixed(kind), span, None);
        values[1] = self.b.ins().iadd_imm_s(self.depth, 1);
        let func_ref = self.callee_ref(callee)?;
        let call = self.b.ins().call(func_ref, &values);
        let results = self.b.inst_results(call).to_vec();
        let cont = self.b.create_block();
        self.b
            .ins()
            .brif(results[0], self.fail_block, &[], cont, &[]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
        Some(results[1..].to_vec())
    }

    fn callee_ref(&mut self, callee: FuncId) -> Option<cranelift_codegen::ir::FuncRef> {
        if let Some(&func_ref) = self.callees.get(&callee) {
            return Some(func_ref);
        }
        let body = self.env.declared.get(&callee)?.body;
        let func_ref = self.env.module.declare_func_in_func(body, self.b.func);
        self.callees.insert(callee, func_ref);
        Some(func_ref)
    }

    /// Passes an array local by descriptor: a parameter's own, or for a fixed array a
    /// descriptor built on the stack (contiguous, rank 1).
    fn push_array_arg(&mut self, values: &mut Vec<Value>, arg: ExprId) {
        if let Expr::View { .. } = self.f.expr(arg) {
            let descriptor = match self.translate_view(arg) {
                Some(parts) => self.descriptor_of(&parts),
                None => self.b.ins().iconst(POINTER, 0),
            };
            values.push(descriptor);
            return;
        }
        let local = match self.f.expr(arg) {
            Expr::Local(local) => Some(*local),
            _ => None,
        };
        let storage = local.and_then(|l| self.arrays.get(l.index()).cloned().flatten());
        let descriptor = match (storage, local) {
            (Some(ArrayStorage::Desc { ptr, .. }), _) => ptr,
            (Some(_), Some(local)) => self.fixed_descriptor(local),
            _ => self.b.ins().iconst(POINTER, 0),
        };
        values.push(descriptor);
    }

    /// A `RawArray` descriptor of a fixed local array (or a view), in a fresh stack slot.
    fn fixed_descriptor(&mut self, local: LocalId) -> Value {
        match self.array_parts(local) {
            Some(parts) => self.descriptor_of(&parts),
            None => self.b.ins().iconst(POINTER, 0),
        }
    }
}
