//! Array elements kept in a register by an innermost loop (`kernel_ir::analysis::promote`):
//! the element is loaded once in the loop's preheader (reached only when the loop runs), read
//! from a variable, and every write updates the variable and stores to memory, so memory is
//! always what the interpreter has. The loop-carried dependency of `c[[i, j]] += …` then
//! runs through a register instead of a store and a reload.
//!
//! The load before the loop is safe only when the element is known to be in bounds here: one
//! of its accesses is, on every axis, proven, covered by the guard of a loop whose fast copy
//! this is, or implied by a check made before the loop.

use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::Variable;

use kernel_ir::analysis::bounds::{Access, Check};
use kernel_ir::analysis::promote::{ElementIndex, Promoted};
use kernel_ir::diag::Span;
use kernel_ir::ir::{BinOp, ExprId, LoopId};
use kernel_ir::Scalar;

use super::access::elem_type;
use super::FunctionCx;

impl FunctionCx<'_, '_> {
    /// The elements of `loop_id` that may be promoted in this copy of the loop.
    pub(crate) fn promotable(&self, loop_id: LoopId) -> Vec<Promoted> {
        if self.profile.is_some() {
            return Vec::new();
        }
        let Some(candidates) = self.promotions.get(&loop_id) else {
            return Vec::new();
        };
        candidates
            .iter()
            .filter(|p| {
                p.accesses
                    .iter()
                    .any(|a| self.in_bounds_here(*a, p.indices.len()))
            })
            .cloned()
            .collect()
    }

    /// Whether every axis of `access` is known in bounds at this loop's entry.
    fn in_bounds_here(&self, access: Access, rank: usize) -> bool {
        (0..rank).all(|axis| match self.bounds.check(access, axis) {
            Check::Proven => true,
            Check::Hoisted(loop_id) => self.fast.contains(&loop_id),
            Check::Implied => {
                self.bounds.implied_on_entry(access)
                    || self
                        .bounds
                        .also_hoisted(access, axis)
                        .is_some_and(|loop_id| self.fast.contains(&loop_id))
            }
            Check::InPlace => false,
        })
    }

    /// Loads every promoted element into its variable (in the loop's preheader).
    pub(crate) fn promote(&mut self, promoted: &[Promoted]) {
        for element in promoted {
            let Some(scalar) = self.f.local(element.array).ty.array_elem() else {
                continue;
            };
            let Some(address) = self.promoted_address(element) else {
                continue;
            };
            let ty = elem_type(scalar);
            let value = self.b.ins().load(ty, MemFlagsData::trusted(), address, 0);
            let var = self.b.declare_var(ty);
            self.b.def_var(var, value);
            for access in &element.accesses {
                self.promoted.insert(*access, (var, address));
            }
        }
    }

    /// Forgets the promoted elements once their loop is translated.
    pub(crate) fn unpromote(&mut self, promoted: &[Promoted]) {
        for element in promoted {
            for access in &element.accesses {
                self.promoted.remove(access);
            }
        }
    }

    fn promoted_address(&mut self, element: &Promoted) -> Option<Value> {
        let scalar = self.f.local(element.array).ty.array_elem()?;
        let parts = self.array_parts(element.array)?;
        let mut offset: Option<Value> = None;
        for (axis, index) in element.indices.iter().enumerate() {
            let value = match *index {
                ElementIndex::Const(c) => self.b.ins().iconst(types::I64, c as i64),
                ElementIndex::Local(local) => self.local_index_value(local)?,
            };
            let term = self.b.ins().imul(value, *parts.strides.get(axis)?);
            offset = Some(match offset {
                Some(sum) => self.b.ins().iadd(sum, term),
                None => term,
            });
        }
        let Some(offset) = offset else {
            return Some(parts.data);
        };
        let bytes = self.b.ins().imul_imm_s(offset, scalar.size_bytes() as i64);
        Some(self.b.ins().iadd(parts.data, bytes))
    }

    /// `element op= rhs` (or `element = rhs`) on a promoted element: the variable and memory
    /// both take the result.
    pub(crate) fn assign_promoted(
        &mut self,
        var: Variable,
        address: Value,
        place: (Scalar, Option<BinOp>),
        rhs: Value,
        value: ExprId,
        span: Span,
    ) {
        let (elem, op) = place;
        let result = match op {
            None => rhs,
            Some(op) => {
                let current = self.b.use_var(var);
                let rhs_scalar = self.scalar_of(value, elem);
                self.binary(op, elem, current, rhs, rhs_scalar, span)
            }
        };
        self.b.def_var(var, result);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), result, address, 0);
    }
}
