//! Arrays the kernel owns: allocations call the host allocator (`crate::alloc`, over
//! `kernel_ir::alloc`), and every exit of the Cranelift function frees what its owned locals
//! still hold.
//!
//! An owned local bound to an allocation (`let z = vec![0.0; n]`) holds only the data: its
//! extents and C-order strides stay SSA values ([`ArrayStorage::Parts`]) and two variables
//! hold the data's address and size for freeing, so an allocation costs one call of the
//! system allocator, as `vec!` does. One bound to a call's returned array holds the boxed
//! `OwnedArray` the callee made (its address is the array's descriptor).
//!
//! The variables are null at entry and after a move. A `let` that runs again frees the
//! previous array first; returning (normally or with an error) frees every non-null one;
//! `return z` moves `z` out (boxing an allocation's data as an `OwnedArray`) before that. So
//! an array lives until its local is declared again or the function ends, exactly as in the
//! interpreter, whatever path leaves the function.

use cranelift_codegen::ir::{condcodes::IntCC, types, FuncRef, InstBuilder, Value};
use cranelift_frontend::Variable;
use cranelift_module::Module;

use kernel_ir::ir::{walk, Expr, ExprId, LocalId};
use kernel_ir::{ArrayType, Scalar, Type};

use super::{ArrayParts, ArrayStorage, FunctionCx};
use crate::abi::{SiteKind, POINTER};
use crate::alloc::{ADOPT_SYMBOL, ALLOC_DATA_SYMBOL, ALLOC_SYMBOL, FREE_DATA_SYMBOL, FREE_SYMBOL};

/// How one owned array local holds its array.
#[derive(Clone, Copy, Debug)]
pub(crate) enum OwnedVar {
    /// Bound to an allocation: the data's address and size in bytes, and its element type.
    Data {
        data: Variable,
        bytes: Variable,
        elem: Scalar,
    },
    /// Bound to a call's returned array: the address of its boxed `OwnedArray`.
    Boxed(Variable),
}

/// An allocation's evaluated operands.
struct AllocValues {
    array: ArrayType,
    extents: [Value; 3],
    fill_bits: Value,
}

impl FunctionCx<'_, '_> {
    /// Gives each owned array local its null variables.
    pub(crate) fn declare_owned_arrays(&mut self) {
        for (local, init) in walk::lets(self.f) {
            if !self.f.owns_array(local) {
                continue;
            }
            let owned = match init.map(|init| self.f.expr(init)) {
                Some(Expr::Alloc { .. }) => OwnedVar::Data {
                    data: self.null_var(),
                    bytes: self.null_var(),
                    elem: self.f.local(local).ty.array_elem().unwrap_or(Scalar::F64),
                },
                _ => OwnedVar::Boxed(self.null_var()),
            };
            self.owned.push((local, owned));
        }
    }

    fn null_var(&mut self) -> Variable {
        let var = self.b.declare_var(POINTER);
        let null = self.b.ins().iconst(POINTER, 0);
        self.b.def_var(var, null);
        var
    }

    /// `let z = <array>`: frees what `z` held, then binds the new array.
    pub(crate) fn translate_owned_let(&mut self, local: LocalId, init: Option<ExprId>) {
        let (Some(init), Some(owned)) = (init, self.owned_var(local)) else {
            return;
        };
        // The previous array of this local (an earlier iteration's) goes first, as Rust drops
        // it at the end of that iteration: the allocator can hand the same memory back.
        self.release(owned);
        match owned {
            OwnedVar::Data { data, bytes, .. } => {
                let Some(values) = self.alloc_values(init) else {
                    return;
                };
                let address = self.call_alloc(ALLOC_DATA_SYMBOL, &values, init);
                let size = self.data_bytes(&values);
                self.b.def_var(data, address);
                self.b.def_var(bytes, size);
                let parts = alloc_parts(self, address, &values);
                self.arrays[local.index()] = Some(ArrayStorage::Parts(parts));
            }
            OwnedVar::Boxed(var) => {
                let Some(value) = self.translate_expr(init) else {
                    return;
                };
                self.b.def_var(var, value);
                let rank = self.f.local(local).ty.array_rank().unwrap_or(1);
                self.arrays[local.index()] = Some(ArrayStorage::Desc { ptr: value, rank });
            }
        }
    }

    /// An allocation as a value (`return Array1::zeros(n)`): the boxed array's address.
    pub(crate) fn translate_alloc(&mut self, id: ExprId) -> Option<Value> {
        let values = self.alloc_values(id)?;
        Some(self.call_alloc(ALLOC_SYMBOL, &values, id))
    }

    /// Evaluates an allocation's operands in source order.
    fn alloc_values(&mut self, id: ExprId) -> Option<AllocValues> {
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
        for operand in walk::alloc_operands(dims, *fill, *fill_first) {
            if operand == *fill {
                let value = self.scalar_value(operand, array.elem);
                fill_bits = Some(crate::trampoline::widen(&mut self.b, value, array.elem));
            } else {
                extents.push(self.scalar_value(operand, Scalar::Usize));
            }
        }
        let one = self.b.ins().iconst(types::I64, 1);
        extents.resize(3, one);
        Some(AllocValues {
            array,
            extents: [extents[0], extents[1], extents[2]],
            fill_bits: fill_bits.unwrap_or(one),
        })
    }

    /// Calls the host allocator `symbol` (whole array or data only) and checks its result.
    fn call_alloc(&mut self, symbol: &'static str, values: &AllocValues, id: ExprId) -> Value {
        let array = values.array;
        let elem = self.b.ins().iconst(types::I32, elem_code(array.elem));
        let rank = self.b.ins().iconst(types::I32, i64::from(array.rank));
        let limit = self.b.ins().iconst(types::I64, self.f.alloc_limit as i64);
        let [d0, d1, d2] = values.extents;
        let alloc = self.host_function(symbol);
        let args = [self.ctx, elem, rank, d0, d1, d2, values.fill_bits, limit];
        let call = self.b.ins().call(alloc, &args);
        let address = self.b.inst_results(call)[0];
        let failed = self.b.ins().icmp_imm_u(IntCC::Equal, address, 0);
        let kind = SiteKind::Alloc {
            limit: self.f.alloc_limit,
        };
        self.fail_if(failed, kind, self.f.span(id), None);
        address
    }

    /// The size in bytes of an allocation that succeeded (so the product does not wrap).
    fn data_bytes(&mut self, values: &AllocValues) -> Value {
        let rank = usize::from(values.array.rank);
        let mut bytes = self
            .b
            .ins()
            .iconst(types::I64, values.array.elem.size_bytes() as i64);
        for &extent in &values.extents[..rank] {
            bytes = self.b.ins().imul(bytes, extent);
        }
        bytes
    }

    /// An owned local returned whole: its boxed array's address, and the local no longer
    /// owns it.
    pub(crate) fn move_out(&mut self, local: LocalId) -> Option<Value> {
        let null = self.b.ins().iconst(POINTER, 0);
        match self.owned_var(local)? {
            OwnedVar::Boxed(var) => {
                let address = self.b.use_var(var);
                self.b.def_var(var, null);
                Some(address)
            }
            OwnedVar::Data { data, bytes, .. } => {
                let Some(ArrayStorage::Parts(parts)) = self.arrays[local.index()].clone() else {
                    return None;
                };
                let Type::Array(array) = self.f.local(local).ty else {
                    return None;
                };
                let (address, size) = (self.b.use_var(data), self.b.use_var(bytes));
                let elem = self.b.ins().iconst(types::I32, elem_code(array.elem));
                let rank = self.b.ins().iconst(types::I32, i64::from(array.rank));
                let one = self.b.ins().iconst(types::I64, 1);
                let dim = |k: usize| parts.dims.get(k).copied().unwrap_or(one);
                let adopt = self.host_function(ADOPT_SYMBOL);
                let args = [address, size, elem, rank, dim(0), dim(1), dim(2)];
                let call = self.b.ins().call(adopt, &args);
                let boxed = self.b.inst_results(call)[0];
                self.b.def_var(data, null);
                self.b.def_var(bytes, null);
                Some(boxed)
            }
        }
    }

    /// Frees the arrays the owned locals still hold (before any return of the function).
    pub(crate) fn free_owned_arrays(&mut self) {
        for (_, owned) in self.owned.clone() {
            self.free_owned(owned);
        }
    }

    /// Frees what one owned local holds and leaves it null, so no exit frees it again.
    fn release(&mut self, owned: OwnedVar) {
        self.free_owned(owned);
        let null = self.b.ins().iconst(POINTER, 0);
        match owned {
            OwnedVar::Data { data, bytes, .. } => {
                self.b.def_var(data, null);
                self.b.def_var(bytes, null);
            }
            OwnedVar::Boxed(var) => self.b.def_var(var, null),
        }
    }

    /// Frees what one owned local holds (nothing when null).
    fn free_owned(&mut self, owned: OwnedVar) {
        match owned {
            OwnedVar::Boxed(var) => {
                let address = self.b.use_var(var);
                self.free_array(address);
            }
            OwnedVar::Data { data, bytes, elem } => {
                let (address, size) = (self.b.use_var(data), self.b.use_var(bytes));
                let elem = self.b.ins().iconst(types::I32, elem_code(elem));
                let free = self.host_function(FREE_DATA_SYMBOL);
                self.b.ins().call(free, &[address, size, elem]);
            }
        }
    }

    /// Frees the boxed array at `address` (null: nothing).
    pub(crate) fn free_array(&mut self, address: Value) {
        let free = self.host_function(FREE_SYMBOL);
        self.b.ins().call(free, &[address]);
    }

    fn owned_var(&self, local: LocalId) -> Option<OwnedVar> {
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

/// An element type as the host allocator takes it: its index in `Scalar::ALL`.
fn elem_code(elem: Scalar) -> i64 {
    Scalar::ALL.iter().position(|s| *s == elem).unwrap_or(0) as i64
}

/// The parts of a fresh C-order array at `data`.
fn alloc_parts(cx: &mut FunctionCx<'_, '_>, data: Value, values: &AllocValues) -> ArrayParts {
    let rank = usize::from(values.array.rank);
    c_order_parts(cx, data, values.extents[..rank].to_vec())
}

/// The parts of a contiguous C-order array at `data` with extents `dims`.
pub(crate) fn c_order_parts(
    cx: &mut FunctionCx<'_, '_>,
    data: Value,
    dims: Vec<Value>,
) -> ArrayParts {
    let rank = dims.len();
    let mut strides = vec![cx.b.ins().iconst(types::I64, 1); rank];
    for axis in (0..rank.saturating_sub(1)).rev() {
        strides[axis] = cx.b.ins().imul(strides[axis + 1], dims[axis + 1]);
    }
    ArrayParts {
        data,
        dims,
        strides,
    }
}
