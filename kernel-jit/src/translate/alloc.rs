//! Arrays the kernel owns: allocations call the host allocator (`crate::alloc`), a `let`
//! binds the returned address as the array's descriptor, and every exit of the Cranelift
//! function frees what its owned locals still hold.
//!
//! Each owned array local has a pointer variable, null at entry and after a move. A `let`
//! that runs again frees the previous array first; returning (normally or with an error)
//! frees every non-null one; `return z` moves `z` out (nulls it) before that. So an array
//! lives until its local is declared again or the function ends, exactly as in the
//! interpreter, whatever path leaves the function.

use cranelift_codegen::ir::{condcodes::IntCC, types, FuncRef, InstBuilder, Value};
use cranelift_module::Module;

use kernel_ir::ir::{walk::alloc_operands, Expr, ExprId, LocalId};
use kernel_ir::{Scalar, Type};

use super::{ArrayStorage, FunctionCx};
use crate::abi::{SiteKind, POINTER};
use crate::alloc::{ALLOC_SYMBOL, FREE_SYMBOL};

impl FunctionCx<'_, '_> {
    /// Gives each owned array local (a `let` of an array type) its null pointer variable.
    pub(crate) fn declare_owned_arrays(&mut self) {
        for index in 0..self.f.locals.len() {
            if self.f.owns_array(LocalId(index as u32)) {
                let var = self.b.declare_var(POINTER);
                let null = self.b.ins().iconst(POINTER, 0);
                self.b.def_var(var, null);
                self.owned.push((LocalId(index as u32), var));
            }
        }
    }

    /// `let z = <array>`: frees what `z` held, then binds the new array.
    pub(crate) fn translate_owned_let(&mut self, local: LocalId, init: Option<ExprId>) {
        let Some(value) = init.and_then(|init| self.translate_expr(init)) else {
            return;
        };
        let Some(var) = self.owned_var(local) else {
            return;
        };
        let previous = self.b.use_var(var);
        self.free_array(previous);
        self.b.def_var(var, value);
        let rank = self.f.local(local).ty.array_rank().unwrap_or(1);
        self.arrays[local.index()] = Some(ArrayStorage::Desc { ptr: value, rank });
    }

    /// `Array2::zeros((n, m))`, `vec![x; n]`, …: the new array's address, after a check that
    /// the allocation succeeded.
    pub(crate) fn translate_alloc(&mut self, id: ExprId) -> Option<Value> {
        let Expr::Alloc {
            dims,
            fill,
            fill_first,
            ..
        } = self.f.expr(id)
        else {
            return None;
        };
        let Type::Array(array) = self.f.ty(id) else {
            return None;
        };
        let mut extents = Vec::new();
        let mut fill_bits = None;
        for operand in alloc_operands(dims, *fill, *fill_first) {
            if operand == *fill {
                let value = self.scalar_value(operand, array.elem);
                fill_bits = Some(crate::trampoline::widen(&mut self.b, value, array.elem));
            } else {
                extents.push(self.scalar_value(operand, Scalar::Usize));
            }
        }
        let one = self.b.ins().iconst(types::I64, 1);
        extents.resize(3, one);
        let elem = Scalar::ALL
            .iter()
            .position(|s| *s == array.elem)
            .unwrap_or(0);
        let elem = self.b.ins().iconst(types::I32, elem as i64);
        let rank = self.b.ins().iconst(types::I32, i64::from(array.rank));
        let fill_bits = fill_bits.unwrap_or(one);
        let limit = self.b.ins().iconst(types::I64, self.f.alloc_limit as i64);
        let alloc = self.host_function(ALLOC_SYMBOL);
        let args = [
            self.ctx, elem, rank, extents[0], extents[1], extents[2], fill_bits, limit,
        ];
        let call = self.b.ins().call(alloc, &args);
        let address = self.b.inst_results(call)[0];
        let failed = self.b.ins().icmp_imm_u(IntCC::Equal, address, 0);
        let kind = SiteKind::Alloc {
            limit: self.f.alloc_limit,
        };
        self.fail_if(failed, kind, self.f.span(id), None);
        Some(address)
    }

    /// An owned local returned whole: its address, and the local no longer owns it.
    pub(crate) fn move_out(&mut self, local: LocalId) -> Option<Value> {
        let var = self.owned_var(local)?;
        let address = self.b.use_var(var);
        let null = self.b.ins().iconst(POINTER, 0);
        self.b.def_var(var, null);
        Some(address)
    }

    /// Frees the arrays the owned locals still hold (before any return of the function).
    pub(crate) fn free_owned_arrays(&mut self) {
        for (_, var) in self.owned.clone() {
            let address = self.b.use_var(var);
            self.free_array(address);
        }
    }

    /// Frees the array at `address` (null: nothing).
    pub(crate) fn free_array(&mut self, address: Value) {
        let free = self.host_function(FREE_SYMBOL);
        self.b.ins().call(free, &[address]);
    }

    fn owned_var(&self, local: LocalId) -> Option<cranelift_frontend::Variable> {
        self.owned
            .iter()
            .find(|(owned, _)| *owned == local)
            .map(|(_, var)| *var)
    }

    /// A host function (see `crate::imports`) declared in this function, by symbol.
    pub(crate) fn host_function(&mut self, symbol: &'static str) -> FuncRef {
        if let Some(&func_ref) = self.libcalls.get(symbol) {
            return func_ref;
        }
        let func_id = self.env.imports.get(symbol);
        let func_ref = self.env.module.declare_func_in_func(func_id, self.b.func);
        self.libcalls.insert(symbol, func_ref);
        func_ref
    }
}
