//! Sequential `for` loops whose float reductions run in lanes (`kernel_ir::ir::Lanes`).
//!
//! The loop of `n` iterations becomes up to three parts, each visiting the next iterations:
//! 1. the vector prefix (see `vectorize`), when the body is an elementwise shape: it covers a
//!    multiple of the lane count with `f64x2` accumulators, lane `2j + h` in half `h` of
//!    vector `j`; otherwise it covers nothing and the lanes start from the identity;
//! 2. the *lane loop*, over the largest multiple of the lane count still left: the body is
//!    translated unchanged, so the reduction's own variable is the current lane, and the
//!    latch rotates the variables `(x, l1, …, l(L-1))` by one, so the next iteration
//!    updates the next lane. After a multiple of `L` rotations every lane is back in place;
//! 3. the fold (`x = before op tree(lanes)`, the tree of `kernel_ir::ir::lane_tree`), then the
//!    ordinary loop over the remaining iterations, which update `x` directly.
//!
//! So every iteration updates exactly the lane the language says, whichever parts ran.

use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, Value};
use cranelift_frontend::Variable;

use kernel_ir::ir::{lane_tree, Block, Lit, LocalId, LoopId, Range, ReduceOp, Reduction};
use kernel_ir::Scalar;

use super::loops::RangeEnds;
use super::FunctionCx;
use crate::abi::clif_type;

/// One reduction of a loop with lanes: its variable and the extra lane variables.
pub(crate) struct LaneVars {
    pub reduction: Reduction,
    pub scalar: Scalar,
    /// The variable of the reduction's local (lane 0 at the lane loop's entry and exit).
    pub var: Variable,
    /// Lanes `1..L`.
    pub others: Vec<Variable>,
}

impl FunctionCx<'_, '_> {
    /// The identity of a reduction as a constant of its type.
    pub(crate) fn identity_value(&mut self, op: ReduceOp, s: Scalar) -> Value {
        let Lit::Float(x) = op.identity(s) else {
            return self.zero(s);
        };
        if s == Scalar::F32 {
            self.b.ins().f32const(x as f32)
        } else {
            self.b.ins().f64const(x)
        }
    }

    /// `a op b` with the reduction's semantics (IEEE add and multiply, the language's
    /// `min`/`max`).
    pub(crate) fn reduce(&mut self, op: ReduceOp, s: Scalar, a: Value, b: Value) -> Value {
        match op {
            ReduceOp::Add => self.b.ins().fadd(a, b),
            ReduceOp::Mul => self.b.ins().fmul(a, b),
            ReduceOp::Min => self.min_max(s, a, b, true),
            ReduceOp::Max => self.min_max(s, a, b, false),
        }
    }

    /// A `for` loop with lanes (see the module docs). `start`/`end`/`step` are the evaluated
    /// range operands.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn translate_lane_for(
        &mut self,
        loop_id: LoopId,
        var: LocalId,
        range: &Range,
        body: &Block,
        s: Scalar,
        operands: (Value, Value, Option<Value>),
        (count, reductions): (u32, Vec<Reduction>),
    ) {
        let (start, end, step) = operands;
        let Some(lanes) = self.declare_lanes(&reductions, count) else {
            return self.counted_for(loop_id, var, range, body, s, operands);
        };
        let before: Vec<Value> = lanes.iter().map(|l| self.b.use_var(l.var)).collect();
        let vector = match super::vectorize::plan(self.f, var, range, body, &reductions) {
            Some(plan) if step.is_none() => {
                Some(self.vector_lane_prefix(&plan, body, s, start, end, count))
            }
            _ => None,
        };
        let start = match vector {
            Some((vector_end, initial)) => {
                self.set_lanes(&lanes, &initial);
                vector_end
            }
            None => {
                let identities: Vec<Vec<Value>> = lanes
                    .iter()
                    .map(|l| {
                        let id = self.identity_value(l.reduction.op, l.scalar);
                        vec![id; count as usize]
                    })
                    .collect();
                self.set_lanes(&lanes, &identities);
                start
            }
        };
        let vector_ran = self.b.ins().icmp(IntCC::NotEqual, start, operands.0);
        let ends = self.range_ends(range, s, start, end);
        let trips = self.trip_count(&ends, s, step, range.reverse);
        let in_lanes = self.b.ins().band_imm_s(trips, !(i64::from(count) - 1));
        self.lane_loop(
            loop_id,
            var,
            body,
            s,
            &ends,
            step,
            range.reverse,
            in_lanes,
            &lanes,
        );
        // A loop shorter than the lane count never touched a lane: folding identities into
        // `x` would give `x` back exactly, so short loops skip it.
        let lanes_ran = self.b.ins().icmp_imm_s(IntCC::NotEqual, in_lanes, 0);
        let lanes_ran = self.b.ins().bor(lanes_ran, vector_ran);
        let fold = self.b.create_block();
        let skip = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(lanes_ran, fold, &[], skip, &[]);
        self.b.switch_to_block(fold);
        self.b.seal_block(fold);
        self.fold_lanes(&lanes, &before);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(skip);
        self.b.seal_block(skip);
        for (lane, before) in lanes.iter().zip(&before) {
            self.b.def_var(lane.var, *before);
        }
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        self.b.seal_block(join);
        // The rest: `trips - in_lanes` iterations from `first ± in_lanes·step`. A count of 0
        // with a non-empty range is the one that wrapped (2^64 iterations): all of it.
        let rest = self.b.ins().icmp(IntCC::NotEqual, trips, in_lanes);
        let wrapped = self.b.ins().icmp_imm_s(IntCC::Equal, in_lanes, 0);
        let rest = self.b.ins().bor(rest, wrapped);
        let non_empty = self.b.ins().band(ends.non_empty, rest);
        let first = self.advance(ends.first, s, in_lanes, step, range.reverse);
        let tail = RangeEnds {
            non_empty,
            first,
            last: ends.last,
        };
        self.emit_counted_loop(loop_id, var, range, body, s, end, step, tail);
    }

    fn declare_lanes(&mut self, reductions: &[Reduction], count: u32) -> Option<Vec<LaneVars>> {
        reductions
            .iter()
            .map(|r| {
                let scalar = self.f.local(r.local).ty.as_scalar()?;
                let var = self.vars[r.local.index()]?;
                let others = (1..count)
                    .map(|_| self.b.declare_var(clif_type(scalar)))
                    .collect();
                Some(LaneVars {
                    reduction: *r,
                    scalar,
                    var,
                    others,
                })
            })
            .collect()
    }

    fn set_lanes(&mut self, lanes: &[LaneVars], values: &[Vec<Value>]) {
        for (lane, values) in lanes.iter().zip(values) {
            self.b.def_var(lane.var, values[0]);
            for (other, value) in lane.others.iter().zip(&values[1..]) {
                self.b.def_var(*other, *value);
            }
        }
    }

    /// The number of values `first..=last` visits by `step` (0 when empty; wraps to 0 for a
    /// range of 2^64 values), as `i64`.
    fn trip_count(
        &mut self,
        ends: &RangeEnds,
        s: Scalar,
        step: Option<Value>,
        reverse: bool,
    ) -> Value {
        let first = self.index_to_i64(ends.first, s);
        let last = self.index_to_i64(ends.last, s);
        let distance = if reverse {
            self.b.ins().isub(first, last)
        } else {
            self.b.ins().isub(last, first)
        };
        let steps = match step {
            Some(step) => self.b.ins().udiv(distance, step),
            None => distance,
        };
        let trips = self.b.ins().iadd_imm_s(steps, 1);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().select(ends.non_empty, trips, zero)
    }

    /// `first ± count·step` in the loop variable's type (wrapping; meaningful only when that
    /// value is still inside the range).
    fn advance(
        &mut self,
        first: Value,
        s: Scalar,
        count: Value,
        step: Option<Value>,
        reverse: bool,
    ) -> Value {
        let distance = match step {
            Some(step) => self.b.ins().imul(count, step),
            None => count,
        };
        let distance = if clif_type(s).bits() < 64 {
            self.b.ins().ireduce(clif_type(s), distance)
        } else {
            distance
        };
        if reverse {
            self.b.ins().isub(first, distance)
        } else {
            self.b.ins().iadd(first, distance)
        }
    }

    /// The lane loop: `count` iterations (a multiple of the lane count, maybe 0) from
    /// `ends.first`, rotating the lanes at the latch.
    #[allow(clippy::too_many_arguments)]
    fn lane_loop(
        &mut self,
        loop_id: LoopId,
        var: LocalId,
        body: &Block,
        s: Scalar,
        ends: &RangeEnds,
        step: Option<Value>,
        reverse: bool,
        count: Value,
        lanes: &[LaneVars],
    ) {
        let Some(var_handle) = self.vars[var.index()] else {
            return;
        };
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let k = self.b.declare_var(types::I64);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.def_var(k, zero);
        self.b.def_var(var_handle, ends.first);
        self.set_targets(loop_id, exit, latch, None);
        let promoted = self.enter_loop(loop_id, count, body_block, exit);
        self.body_then_latch(loop_id, body, body_block, latch);
        self.rotate(lanes);
        let done_so_far = self.b.use_var(k);
        let next_k = self.b.ins().iadd_imm_s(done_so_far, 1);
        self.b.def_var(k, next_k);
        let current = self.b.use_var(var_handle);
        let amount = self.step_amount(s, step);
        // The lane loop never reaches the range's last value unless it is its last
        // iteration, so stepping cannot wrap before the test below leaves.
        let next = if reverse {
            self.b.ins().isub(current, amount)
        } else {
            self.b.ins().iadd(current, amount)
        };
        self.b.def_var(var_handle, next);
        let done = self.b.ins().icmp(IntCC::Equal, next_k, count);
        self.b.ins().brif(done, exit, &[], body_block, &[]);
        self.b.seal_block(body_block);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        self.unpromote(&promoted);
    }

    /// `(x, l1, …, l(L-1)) = (l1, …, l(L-1), x)`: the next iteration updates the next lane.
    fn rotate(&mut self, lanes: &[LaneVars]) {
        for lane in lanes {
            let mut all = vec![lane.var];
            all.extend(&lane.others);
            let values: Vec<Value> = all.iter().map(|v| self.b.use_var(*v)).collect();
            for (i, v) in all.iter().enumerate() {
                self.b.def_var(*v, values[(i + 1) % values.len()]);
            }
        }
    }

    /// `x = before op tree(lanes)` for every reduction.
    fn fold_lanes(&mut self, lanes: &[LaneVars], before: &[Value]) {
        for (lane, before) in lanes.iter().zip(before) {
            let mut values = vec![self.b.use_var(lane.var)];
            values.extend(lane.others.iter().map(|v| self.b.use_var(*v)));
            let (op, s) = (lane.reduction.op, lane.scalar);
            let identity = self.identity_value(op, s);
            let tree = lane_tree(&values, identity, |a, b| self.reduce(op, s, a, b));
            let combined = match tree {
                Some(tree) => self.reduce(op, s, *before, tree),
                None => *before,
            };
            self.b.def_var(lane.var, combined);
        }
    }
}
