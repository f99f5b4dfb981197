//! `loop`, `while`, `for` over every range form, `break` and `continue`.
//!
//! A `for` loop is a do-while over precomputed `first` and `last` values: the preheader tests
//! that the range is non-empty, the body runs, and the latch leaves when the variable has
//! reached `last` (or, with a step, when fewer than `step` values remain) *before* stepping it.
//! So no counter arithmetic ever wraps: `0..=u64::MAX` ends after `u64::MAX`. A `prange`
//! loop is outlined and run in parallel chunks (see `prange`).

use cranelift_codegen::ir::{condcodes::IntCC, InstBuilder, Value};

use kernel_ir::analysis::promote::Promoted;
use kernel_ir::ir::{BinOp, Block, ExprId, LocalId, LoopId, Range};
use kernel_ir::{ErrorKind, Scalar};

use super::{FunctionCx, LoopTargets};

/// A range's emptiness test and end values (see [`FunctionCx::range_ends`]).
pub(crate) struct RangeEnds {
    pub non_empty: Value,
    pub first: Value,
    pub last: Value,
}
use crate::abi::clif_type;

impl FunctionCx<'_, '_> {
    pub(crate) fn translate_loop(
        &mut self,
        id: ExprId,
        loop_id: LoopId,
        body: &Block,
    ) -> Option<Value> {
        let value_scalar = self.f.ty(id).as_scalar();
        let header = self.b.create_block();
        let exit = self.b.create_block();
        let result = value_scalar.map(|s| self.b.append_block_param(exit, clif_type(s)));
        self.set_targets(loop_id, exit, header, value_scalar);
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        self.poll_interrupt(self.loop_span(loop_id));
        self.profile_iteration(loop_id);
        self.translate_block(body);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        result
    }

    pub(crate) fn translate_while(&mut self, loop_id: LoopId, cond: ExprId, body: &Block) {
        let header = self.b.create_block();
        let body_block = self.b.create_block();
        let exit = self.b.create_block();
        self.set_targets(loop_id, exit, header, None);
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        self.poll_interrupt(self.loop_span(loop_id));
        // Checks in the condition run before every iteration and before leaving: they
        // dominate the body and the code after the loop alike.
        let c = self.scalar_value(cond, Scalar::Bool);
        self.b.ins().brif(c, body_block, &[], exit, &[]);
        self.b.switch_to_block(body_block);
        self.b.seal_block(body_block);
        self.profile_iteration(loop_id);
        self.translate_block(body);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
    }

    pub(crate) fn translate_break(&mut self, loop_id: LoopId, value: Option<ExprId>) {
        let Some(targets) = self.loop_targets(loop_id) else {
            return;
        };
        let value = match (value, targets.break_value) {
            (Some(value), Some(s)) => Some(self.scalar_value(value, s)),
            (Some(value), None) => self.translate_expr(value).and(None),
            (None, _) => None,
        };
        self.jump_with_value(targets.break_block, value, targets.break_value);
        self.start_unreachable();
    }

    pub(crate) fn loop_span(&self, loop_id: LoopId) -> kernel_ir::Span {
        self.f
            .loops
            .get(loop_id.index())
            .map(|info| info.span)
            .unwrap_or(self.f.span)
    }

    pub(crate) fn set_targets(
        &mut self,
        loop_id: LoopId,
        break_block: cranelift_codegen::ir::Block,
        continue_block: cranelift_codegen::ir::Block,
        break_value: Option<Scalar>,
    ) {
        if let Some(slot) = self.loops.get_mut(loop_id.index()) {
            *slot = Some(LoopTargets {
                break_block,
                continue_block,
                break_value,
            });
        }
    }

    pub(crate) fn translate_for(
        &mut self,
        loop_id: LoopId,
        var: LocalId,
        range: &Range,
        body: &Block,
    ) {
        let s = self.f.local(var).ty.as_scalar().unwrap_or(Scalar::I64);
        let operands = self.range_operands(range, s);
        match self.f.float_lanes(loop_id) {
            Some(lanes) => self.translate_lane_for(loop_id, var, range, body, s, operands, lanes),
            None => self.counted_for(loop_id, var, range, body, s, operands),
        }
    }

    /// A `for` loop without lanes over the evaluated range operands.
    pub(crate) fn counted_for(
        &mut self,
        loop_id: LoopId,
        var: LocalId,
        range: &Range,
        body: &Block,
        s: Scalar,
        (start, end, step): (Value, Value, Option<Value>),
    ) {
        // Elementwise loops run most iterations as `f64x2` first (see `vectorize`).
        let start = match super::vectorize::plan(self.f, var, range, body, &[]) {
            Some(plan) if step.is_none() => self.vector_prefix(&plan, body, s, start, end),
            _ => start,
        };
        let ends = self.range_ends(range, s, start, end);
        self.emit_counted_loop(loop_id, var, range, body, s, end, step, ends);
    }

    /// The do-while over `ends` (see the module docs); `end` is the range's own end operand.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn emit_counted_loop(
        &mut self,
        loop_id: LoopId,
        var: LocalId,
        range: &Range,
        body: &Block,
        s: Scalar,
        end: Value,
        step: Option<Value>,
        ends: RangeEnds,
    ) {
        let RangeEnds {
            non_empty,
            first,
            last,
        } = ends;
        let Some(var_handle) = self.vars[var.index()] else {
            return;
        };
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        self.set_targets(loop_id, exit, latch, None);
        self.b.def_var(var_handle, first);
        let promoted = self.enter_loop(loop_id, non_empty, body_block, exit);
        self.body_then_latch(loop_id, body, body_block, latch);
        let current = self.b.use_var(var_handle);
        let amount = self.step_amount(s, step);
        if step.is_none() && !range.reverse && !range.inclusive {
            // `a..b`: the successor of a value below `end` cannot wrap; comparing it with
            // `end` itself keeps `end - 1` out of the loop.
            let next = self.b.ins().iadd(current, amount);
            let done = self.b.ins().icmp(IntCC::Equal, next, end);
            self.b.def_var(var_handle, next);
            self.b.ins().brif(done, exit, &[], body_block, &[]);
        } else {
            // Test before stepping, so the counter never moves past the range's last value.
            let done = self.loop_done(s, current, last, step, range.reverse);
            let step_block = self.b.create_block();
            self.b.ins().brif(done, exit, &[], step_block, &[]);
            self.b.switch_to_block(step_block);
            self.b.seal_block(step_block);
            let next = if range.reverse {
                self.b.ins().isub(current, amount)
            } else {
                self.b.ins().iadd(current, amount)
            };
            self.b.def_var(var_handle, next);
            self.b.ins().jump(body_block, &[]);
        }
        self.b.seal_block(body_block);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        self.unpromote(&promoted);
    }

    /// Enters `body_block` when `go` holds, else `exit`; on the way, loads the elements the
    /// loop keeps in registers. Returns them, for `unpromote` after the loop.
    pub(crate) fn enter_loop(
        &mut self,
        loop_id: LoopId,
        go: Value,
        body_block: cranelift_codegen::ir::Block,
        exit: cranelift_codegen::ir::Block,
    ) -> Vec<Promoted> {
        let promoted = self.promotable(loop_id);
        if promoted.is_empty() {
            self.b.ins().brif(go, body_block, &[], exit, &[]);
        } else {
            let preheader = self.b.create_block();
            self.b.ins().brif(go, preheader, &[], exit, &[]);
            self.b.switch_to_block(preheader);
            self.b.seal_block(preheader);
            self.promote(&promoted);
            self.b.ins().jump(body_block, &[]);
        }
        promoted
    }

    /// The body in `body_block`, then the latch opened (and sealed): the back-edge polls for
    /// an interrupt when the body has loops or calls.
    pub(crate) fn body_then_latch(
        &mut self,
        loop_id: LoopId,
        body: &Block,
        body_block: cranelift_codegen::ir::Block,
        latch: cranelift_codegen::ir::Block,
    ) {
        self.b.switch_to_block(body_block);
        self.profile_iteration(loop_id);
        self.translate_block(body);
        self.b.ins().jump(latch, &[]);
        self.b.switch_to_block(latch);
        self.b.seal_block(latch);
        if kernel_ir::polls::block_has_loop_or_call(self.f, body) {
            self.poll_interrupt(self.loop_span(loop_id));
        }
    }

    /// The step (`1` without `step_by`) in the loop variable's type `s`.
    pub(crate) fn step_amount(&mut self, s: Scalar, step: Option<Value>) -> Value {
        match step {
            Some(step) if clif_type(s).bits() < 64 => self.b.ins().ireduce(clif_type(s), step),
            Some(step) => step,
            None => self.b.ins().iconst(clif_type(s), 1),
        }
    }

    /// The range's start and end (of the variable's type `s`) and its step (checked non-zero),
    /// evaluated in that order.
    pub(crate) fn range_operands(
        &mut self,
        range: &Range,
        s: Scalar,
    ) -> (Value, Value, Option<Value>) {
        let start = self.scalar_value(range.start, s);
        let end = self.scalar_value(range.end, s);
        let step = range.step.map(|step| {
            let value = self.scalar_value(step, Scalar::Usize);
            let zero = self.b.ins().icmp_imm_s(IntCC::Equal, value, 0);
            self.fail_kind_if(zero, ErrorKind::ZeroStep, self.f.span(step));
            value
        });
        (start, end, step)
    }

    /// Whether the range visits any value, and its first and last values (in visiting order,
    /// so `rev` swaps them; meaningful only when it is non-empty).
    pub(crate) fn range_ends(
        &mut self,
        range: &Range,
        s: Scalar,
        start: Value,
        end: Value,
    ) -> RangeEnds {
        let op = if range.inclusive {
            BinOp::Le
        } else {
            BinOp::Lt
        };
        let non_empty = self.compare(op, s, start, end);
        // `end - 1` is only used when the range is non-empty, so it cannot wrap then.
        let end_in = if range.inclusive {
            end
        } else {
            self.b.ins().iadd_imm_s(end, -1)
        };
        let (first, last) = if range.reverse {
            (end_in, start)
        } else {
            (start, end_in)
        };
        RangeEnds {
            non_empty,
            first,
            last,
        }
    }

    /// True when the variable at `current` is the last value of the range.
    fn loop_done(
        &mut self,
        s: Scalar,
        current: Value,
        last: Value,
        step: Option<Value>,
        reverse: bool,
    ) -> Value {
        let Some(step) = step else {
            return self.b.ins().icmp(IntCC::Equal, current, last);
        };
        // The distance still to go, exact in 64 bits for every loop type.
        let current = self.index_to_i64(current, s);
        let last = self.index_to_i64(last, s);
        let remaining = if reverse {
            self.b.ins().isub(current, last)
        } else {
            self.b.ins().isub(last, current)
        };
        self.b.ins().icmp(IntCC::UnsignedLessThan, remaining, step)
    }
}
