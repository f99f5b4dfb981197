//! `prange` loops: the body is outlined into a *chunk function* that runs a contiguous run of
//! iterations, and the loop itself becomes a call of the run-time parallel-for
//! (`crate::parallel`), which runs chunks on the thread pool and combines the reductions.
//!
//! The caller stores a *loop environment* on its stack (layout in `crate::parallel`): the
//! variable's first value and step, the reductions' outer values and operations, and every
//! local the body reads that lives outside it — scalars by value, parameter arrays by
//! descriptor, a fixed local array by its data address (the checker forbids writing it inside
//! the loop). The chunk function loads them once at entry, so the body is translated exactly
//! like a sequential body, with the same bounds verdicts and versioning state (the values the
//! guards of loops inside the body read are captured too).
//!
//! Iterations are numbered `k = 0, 1, …` in sequential order; the chunk computes the variable
//! as `first ± k·step` (exact in the variable's type, since every visited value is). Before
//! each iteration it reads the lowest failed chunk and stops when a lower chunk has failed.

use std::collections::BTreeSet;

use cranelift_codegen::ir::{
    self, condcodes::IntCC, types, AbiParam, InstBuilder, MemFlagsData, StackSlotData,
    StackSlotKind, Value,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::Module;

use kernel_ir::analysis::bounds::BoundsTable;
use kernel_ir::analysis::Atom;
use kernel_ir::ir::walk::{walk_expr, walk_stmt, Visitor};
use kernel_ir::ir::{Block, Expr, ExprId, LocalId, LoopId, Place, Range, Reduction, Stmt};
use kernel_ir::{Scalar, Type};

use super::loops::RangeEnds;
use super::{ArrayStorage, FunctionCx, Outlined};
use crate::abi::{clif_type, SiteKind, POINTER};
use crate::parallel::{
    describe, describe_array, CHUNK_FAILED, CHUNK_FIRST, CHUNK_INDEX, CHUNK_LAST, CHUNK_PARTIALS,
    ENV_ALLOC_SITE, ENV_FIRST, ENV_REDUCTIONS, ENV_STEP, FIXED_BLOCKS, PARALLEL_FOR_SYMBOL,
};

/// A local the chunk function reads from the loop environment.
#[derive(Clone, Copy, Debug)]
enum Capture {
    Scalar(LocalId, Scalar),
    /// A parameter array: the address of its descriptor.
    Array(LocalId, u8),
    /// A fixed local array, by address (read-only inside the loop).
    Fixed(LocalId, u32),
}

/// What both sides agree on: the loop and where each value sits in the environment.
struct LoopPlan<'p> {
    id: LoopId,
    var: LocalId,
    var_scalar: Scalar,
    range: &'p Range,
    body: &'p Block,
    reductions: Vec<(Reduction, Scalar)>,
    captures: Vec<Capture>,
}

impl LoopPlan<'_> {
    fn description_slot(&self, r: usize) -> i32 {
        ENV_REDUCTIONS + (self.reductions.len() + r) as i32
    }

    fn first_capture_slot(&self) -> i32 {
        ENV_REDUCTIONS + 2 * self.reductions.len() as i32
    }

    fn env_slots(&self) -> usize {
        // One slot per capture: a scalar, or an address.
        self.first_capture_slot() as usize + self.captures.len()
    }
}

fn offset(slot: i32) -> i32 {
    slot * 8
}

impl FunctionCx<'_, '_> {
    /// A `prange` loop: outlines the body and calls the parallel-for on its iterations.
    pub(crate) fn translate_prange(
        &mut self,
        id: LoopId,
        var: LocalId,
        range: &Range,
        body: &Block,
    ) {
        let var_scalar = self.f.local(var).ty.as_scalar().unwrap_or(Scalar::I64);
        let plan = self.loop_plan(id, var, var_scalar, range, body);
        let (start, end, step) = self.range_operands(range, var_scalar);
        let RangeEnds {
            non_empty,
            first,
            last,
        } = self.range_ends(range, var_scalar, start, end);
        let run = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().brif(non_empty, run, &[], exit, &[]);
        self.b.switch_to_block(run);
        self.b.seal_block(run);

        let first = self.index_to_i64(first, var_scalar);
        let last = self.index_to_i64(last, var_scalar);
        let step = step.unwrap_or_else(|| self.b.ins().iconst(types::I64, 1));
        // The number of the last iteration: the distance covered, in whole steps.
        let distance = if range.reverse {
            self.b.ins().isub(first, last)
        } else {
            self.b.ins().isub(last, first)
        };
        let last_k = self.b.ins().udiv(distance, step);
        let env = self.store_environment(&plan, first, step);
        let chunk_fn = self.outline(&plan);
        let chunk_ref = self.env.module.declare_func_in_func(chunk_fn, self.b.func);
        let chunk_addr = self.b.ins().func_addr(POINTER, chunk_ref);
        let helper = self.env.imports.get(PARALLEL_FOR_SYMBOL);
        let helper = self.env.module.declare_func_in_func(helper, self.b.func);
        let has_lanes = self.f.loops[id.index()].lanes.is_some();
        let flag = if has_lanes { FIXED_BLOCKS } else { 0 };
        let count = self
            .b
            .ins()
            .iconst(types::I32, i64::from(plan.reductions.len() as u32 | flag));
        let call = self.b.ins().call(
            helper,
            &[self.ctx, self.depth, chunk_addr, env, last_k, count],
        );
        let status = self.b.inst_results(call)[0];
        let done = self.b.create_block();
        self.b.ins().brif(status, self.fail_block, &[], done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        self.load_reductions(&plan, env);
        self.b.ins().jump(exit, &[]);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
    }

    fn loop_plan<'p>(
        &self,
        id: LoopId,
        var: LocalId,
        var_scalar: Scalar,
        range: &'p Range,
        body: &'p Block,
    ) -> LoopPlan<'p> {
        // Scalar reductions, then array reductions (with their element type).
        let reductions: Vec<(Reduction, Scalar)> = self
            .f
            .loops
            .get(id.index())
            .map(|info| {
                let arrays = info.array_reductions.iter();
                info.reductions
                    .iter()
                    .chain(arrays)
                    .copied()
                    .collect::<Vec<Reduction>>()
            })
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r: Reduction| {
                let ty = self.f.local(r.local).ty;
                Some((r, ty.as_scalar().or_else(|| ty.array_elem())?))
            })
            .collect();
        let mut used = BTreeSet::new();
        let mut declared = BTreeSet::new();
        Mentions {
            f: self.f,
            bounds: self.bounds,
            used: &mut used,
            declared: &mut declared,
        }
        .visit_block(body);
        let captures = used
            .into_iter()
            .filter(|local| {
                *local != var
                    && !declared.contains(local)
                    && !reductions.iter().any(|(r, _)| r.local == *local)
            })
            .filter_map(|local| self.capture(local))
            .collect();
        LoopPlan {
            id,
            var,
            var_scalar,
            range,
            body,
            reductions,
            captures,
        }
    }

    fn capture(&self, local: LocalId) -> Option<Capture> {
        match self.arrays.get(local.index()).cloned().flatten() {
            Some(ArrayStorage::Desc { rank, .. }) => Some(Capture::Array(local, rank)),
            Some(ArrayStorage::Parts(parts)) => Some(Capture::Array(local, parts.dims.len() as u8)),
            Some(ArrayStorage::Fixed { len, .. } | ArrayStorage::FixedAt { len, .. }) => {
                Some(Capture::Fixed(local, len))
            }
            None => {
                let s = self.f.local(local).ty.as_scalar()?;
                self.vars.get(local.index()).copied().flatten()?;
                Some(Capture::Scalar(local, s))
            }
        }
    }

    /// Fills the loop environment on the stack; returns its address.
    fn store_environment(&mut self, plan: &LoopPlan<'_>, first: Value, step: Value) -> Value {
        let size = (plan.env_slots() * 8) as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size,
            3,
        ));
        let env = self.b.ins().stack_addr(POINTER, slot, 0);
        let flags = MemFlagsData::trusted();
        self.b.ins().store(flags, first, env, offset(ENV_FIRST));
        self.b.ins().store(flags, step, env, offset(ENV_STEP));
        let site = self.register_site(SiteKind::Alloc { limit: u64::MAX }, self.loop_span(plan.id));
        let site = self.b.ins().iconst(types::I64, i64::from(site));
        self.b.ins().store(flags, site, env, offset(ENV_ALLOC_SITE));
        for (r, (reduction, s)) in plan.reductions.iter().enumerate() {
            let is_array = self.f.local(reduction.local).ty.is_array();
            let outer = if is_array {
                // An array reduction: the address of the array's descriptor.
                self.array_descriptor(reduction.local)
            } else {
                self.vars[reduction.local.index()].map(|var| self.b.use_var(var))
            };
            if let Some(value) = outer {
                self.b
                    .ins()
                    .store(flags, value, env, offset(ENV_REDUCTIONS + r as i32));
            }
            let description = if is_array {
                describe_array(reduction.op, *s)
            } else {
                describe(reduction.op, *s)
            };
            let description = self.b.ins().iconst(types::I64, description);
            self.b
                .ins()
                .store(flags, description, env, offset(plan.description_slot(r)));
        }
        for (slot, capture) in (plan.first_capture_slot()..).zip(&plan.captures) {
            if let Some(value) = self.capture_value(*capture) {
                self.b.ins().store(flags, value, env, offset(slot));
            }
        }
        env
    }

    /// The value one capture stores in its slot.
    fn capture_value(&mut self, capture: Capture) -> Option<Value> {
        match capture {
            Capture::Scalar(local, _) => {
                let var = self.vars[local.index()]?;
                Some(self.b.use_var(var))
            }
            Capture::Array(local, _) => match self.arrays[local.index()].clone() {
                Some(ArrayStorage::Desc { ptr, .. }) => Some(ptr),
                // A view: its descriptor, built once for the whole loop.
                Some(ArrayStorage::Parts(parts)) => Some(self.descriptor_of(&parts)),
                _ => None,
            },
            Capture::Fixed(local, _) => self.array_parts(local).map(|parts| parts.data),
        }
    }

    /// The address of a descriptor of array local `local` (its own, or one built for a
    /// view or an allocated array).
    fn array_descriptor(&mut self, local: LocalId) -> Option<Value> {
        match self.arrays[local.index()].clone()? {
            ArrayStorage::Desc { ptr, .. } => Some(ptr),
            _ => {
                let parts = self.array_parts(local)?;
                Some(self.descriptor_of(&parts))
            }
        }
    }

    /// In a chunk function: every array reduction's array becomes the chunk's own copy,
    /// whose data address the parallel-for left in the reduction's partial slot (C order,
    /// the array's extents).
    fn bind_array_copies(&mut self, plan: &LoopPlan<'_>, env: Value, chunk: Value) {
        let flags = MemFlagsData::trusted();
        let partials = self.b.ins().load(POINTER, flags, chunk, CHUNK_PARTIALS);
        for (r, (reduction, _)) in plan.reductions.iter().enumerate() {
            let Type::Array(array) = self.f.local(reduction.local).ty else {
                continue;
            };
            let r = r as i32;
            let desc = self
                .b
                .ins()
                .load(POINTER, flags, env, offset(ENV_REDUCTIONS + r));
            let data = self.b.ins().load(POINTER, flags, partials, offset(r));
            let rank = i32::from(array.rank);
            let dims: Vec<Value> = (0..rank)
                .map(|k| {
                    let at = super::access::DESC_DIMS + 8 * k;
                    self.b.ins().load(types::I64, flags, desc, at)
                })
                .collect();
            let parts = super::alloc::c_order_parts(self, data, dims);
            self.arrays[reduction.local.index()] = Some(ArrayStorage::Parts(parts));
        }
    }

    /// Writes the combined reductions back into their variables.
    fn load_reductions(&mut self, plan: &LoopPlan<'_>, env: Value) {
        let flags = MemFlagsData::trusted();
        for (r, (reduction, s)) in plan.reductions.iter().enumerate() {
            let value =
                self.b
                    .ins()
                    .load(clif_type(*s), flags, env, offset(ENV_REDUCTIONS + r as i32));
            if let Some(var) = self.vars[reduction.local.index()] {
                self.b.def_var(var, value);
            }
        }
    }

    /// Translates the chunk function of `plan` and declares it in the module (the Jit defines
    /// it after the enclosing function).
    fn outline(&mut self, plan: &LoopPlan<'_>) -> cranelift_module::FuncId {
        let mut sig = self.env.module.make_signature();
        for ty in [POINTER, types::I32, POINTER, POINTER] {
            sig.params.push(AbiParam::new(ty));
        }
        sig.returns.push(AbiParam::new(types::I8));
        let mut func = ir::Function::with_name_signature(ir::UserFuncName::default(), sig.clone());
        let mut builder_ctx = FunctionBuilderContext::new();
        {
            let mut b = FunctionBuilder::new(&mut func, &mut builder_ctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            b.seal_block(entry);
            let params = b.block_params(entry).to_vec();
            let mut cx = FunctionCx::new(
                &mut *self.env,
                b,
                self.f,
                self.bounds,
                self.promotions,
                params[0],
                params[1],
            );
            cx.in_chunk = true;
            cx.fast = self.fast.clone();
            cx.plain = self.plain;
            cx.declare_locals();
            cx.chunk_body(plan, params[2], params[3]);
            cx.emit_fail_block();
            cx.b.seal_all_blocks();
            let config = cx.env.module.target_config();
            cx.b.finalize(config);
        }
        super::slp::pair_divisions(&mut func);
        let id = match self.env.module.declare_anonymous_function(&sig) {
            Ok(id) => id,
            Err(error) => {
                self.env.error.get_or_insert(error);
                // Any id: the Jit reports the error before defining or finalising anything.
                return self.env.imports.get(PARALLEL_FOR_SYMBOL);
            }
        };
        self.env.outlined.push(Outlined { id, func });
        id
    }

    /// The chunk function's code: load the environment, run iterations `first..=last` of the
    /// chunk, store the partials, return 0.
    fn chunk_body(&mut self, plan: &LoopPlan<'_>, env: Value, chunk: Value) {
        let flags = MemFlagsData::trusted();
        self.load_captures(plan, env);
        self.bind_array_copies(plan, env, chunk);
        for (reduction, s) in &plan.reductions {
            let identity = self.literal(reduction.op.identity(*s), *s);
            if let Some(var) = self.vars[reduction.local.index()] {
                self.b.def_var(var, identity);
            }
        }
        let first_value = self.b.ins().load(types::I64, flags, env, offset(ENV_FIRST));
        let step = self.b.ins().load(types::I64, flags, env, offset(ENV_STEP));
        let first_k = self.b.ins().load(types::I64, flags, chunk, CHUNK_FIRST);
        let last_k = self.b.ins().load(types::I64, flags, chunk, CHUNK_LAST);
        let index = self.b.ins().load(types::I64, flags, chunk, CHUNK_INDEX);
        let failed = self.b.ins().load(POINTER, flags, chunk, CHUNK_FAILED);
        let k_var = self.b.declare_var(types::I64);
        self.b.def_var(k_var, first_k);

        let body_block = self.b.create_block();
        let run = self.b.create_block();
        let latch = self.b.create_block();
        let finish = self.b.create_block();
        self.set_targets(plan.id, finish, latch, None);
        self.b.ins().jump(body_block, &[]);

        self.b.switch_to_block(body_block);
        // Another thread writes the flag: a plain (non-`readonly`) load, never hoisted.
        let lowest_failed = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), failed, 0);
        let cancelled = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThan, lowest_failed, index);
        self.b.ins().brif(cancelled, finish, &[], run, &[]);
        self.b.switch_to_block(run);
        self.b.seal_block(run);
        let k = self.b.use_var(k_var);
        let moved = self.b.ins().imul(k, step);
        let value = if plan.range.reverse {
            self.b.ins().isub(first_value, moved)
        } else {
            self.b.ins().iadd(first_value, moved)
        };
        let value = match clif_type(plan.var_scalar) {
            types::I64 => value,
            ty => self.b.ins().ireduce(ty, value),
        };
        if let Some(var) = self.vars[plan.var.index()] {
            self.b.def_var(var, value);
        }
        self.translate_block(plan.body);
        self.b.ins().jump(latch, &[]);

        self.b.switch_to_block(latch);
        self.b.seal_block(latch);
        if kernel_ir::polls::block_has_loop_or_call(self.f, plan.body) {
            self.poll_interrupt(self.loop_span(plan.id));
        }
        let k = self.b.use_var(k_var);
        let done = self.b.ins().icmp(IntCC::Equal, k, last_k);
        let next = self.b.ins().iadd_imm_s(k, 1);
        self.b.def_var(k_var, next);
        self.b.ins().brif(done, finish, &[], body_block, &[]);
        self.b.seal_block(body_block);

        self.b.switch_to_block(finish);
        self.b.seal_block(finish);
        let partials = self.b.ins().load(POINTER, flags, chunk, CHUNK_PARTIALS);
        for (r, (reduction, _)) in plan.reductions.iter().enumerate() {
            if let Some(var) = self.vars[reduction.local.index()] {
                let value = self.b.use_var(var);
                self.b.ins().store(flags, value, partials, offset(r as i32));
            }
        }
        self.free_owned_arrays();
        let ok = self.b.ins().iconst(types::I8, 0);
        self.b.ins().return_(&[ok]);
    }

    /// Binds every captured local to its value in the loop environment.
    fn load_captures(&mut self, plan: &LoopPlan<'_>, env: Value) {
        let flags = MemFlagsData::trusted();
        for (slot, capture) in (plan.first_capture_slot()..).zip(&plan.captures) {
            let ty = match *capture {
                Capture::Scalar(_, s) => clif_type(s),
                Capture::Array(..) | Capture::Fixed(..) => POINTER,
            };
            let value = self.b.ins().load(ty, flags, env, offset(slot));
            match *capture {
                Capture::Scalar(local, _) => {
                    if let Some(var) = self.vars[local.index()] {
                        self.b.def_var(var, value);
                    }
                }
                Capture::Array(local, rank) => {
                    self.arrays[local.index()] = Some(ArrayStorage::Desc { ptr: value, rank });
                }
                Capture::Fixed(local, len) => {
                    self.arrays[local.index()] = Some(ArrayStorage::FixedAt { data: value, len });
                }
            }
        }
    }
}

/// Collects the locals a loop body mentions and those it declares.
struct Mentions<'w> {
    f: &'w kernel_ir::ir::Function,
    /// The guards of loops inside the body read their atoms in the chunk function too.
    bounds: &'w BoundsTable,
    used: &'w mut BTreeSet<LocalId>,
    declared: &'w mut BTreeSet<LocalId>,
}

impl<'w> Visitor<'w> for Mentions<'w> {
    fn function(&self) -> &'w kernel_ir::ir::Function {
        self.f
    }

    fn visit_stmt(&mut self, stmt: &'w Stmt) {
        match stmt {
            Stmt::Let { local, .. } => {
                self.declared.insert(*local);
            }
            Stmt::Assign {
                place: Place::Local(local) | Place::Index { array: local, .. },
                ..
            } => {
                self.used.insert(*local);
            }
            Stmt::Expr(_) => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, id: ExprId) {
        let expr = self.f.expr(id);
        if let Some(local) = expr.named_local() {
            self.used.insert(local);
        }
        if let Expr::For { id, var, .. } = expr {
            for form in self.bounds.guard(*id) {
                self.used
                    .extend(form.terms.iter().map(|(atom, _)| match *atom {
                        Atom::Local(local) | Atom::Extent(local, _) | Atom::Len(local) => local,
                    }));
            }
            self.declared.insert(*var);
        }
        walk_expr(self, id);
    }
}
