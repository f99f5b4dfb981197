//! Array addressing and bounds checks.
//!
//! An element's address is `data + (Σ index_k · stride_k) · size`. Each index is widened to
//! `i64` by its own signedness and compared *unsigned* against its axis extent, which rejects
//! negative indices with the same instruction. Which checks are emitted is the bounds
//! analysis's decision (`kernel_ir::analysis::bounds`), shared with the native tier and
//! `explain --annotate`: proven and implied checks never are, hoisted ones only outside the
//! fast copy of their loop (see `versioning`).

use cranelift_codegen::ir::{self, condcodes::IntCC, types, InstBuilder, Value};

use kernel_ir::analysis::bounds::{Access, Check};
use kernel_ir::diag::Span;
use kernel_ir::ir::{ExprId, LocalId};
use kernel_ir::Scalar;

use super::{ArrayParts, ArrayStorage, FunctionCx};
use crate::abi::{clif_type, SiteKind, POINTER};

/// Offsets of the fields of an array descriptor (`kernel_ir::abi::RawArray`).
pub(crate) const DESC_DATA: i32 = 0;
pub(crate) const DESC_DIMS: i32 = 8;
pub(crate) const DESC_STRIDES: i32 = 32;

/// Flags of descriptor loads: the memory is valid and unchanged for the whole call.
pub(crate) fn descriptor_flags() -> ir::MemFlagsData {
    ir::MemFlagsData::trusted().with_readonly().with_can_move()
}

/// The Cranelift type of an array element in memory (`bool` is one byte, 0 or 1).
pub(crate) fn elem_type(s: Scalar) -> ir::Type {
    clif_type(s)
}

impl FunctionCx<'_, '_> {
    /// Data pointer, extents and strides of an array local (materialised for fixed arrays).
    /// A parameter's are loaded from its descriptor with flags that make the loads pure
    /// (`readonly`, `notrap`, `can_move`): repeated ones merge, and loop-invariant ones leave
    /// the loop, while each value lives only where it is needed.
    pub(crate) fn array_parts(&mut self, array: LocalId) -> Option<ArrayParts> {
        match self.arrays.get(array.index())?.clone()? {
            ArrayStorage::Desc { ptr, rank } => {
                let flags = descriptor_flags();
                let data = self.b.ins().load(POINTER, flags, ptr, DESC_DATA);
                let field =
                    |cx: &mut Self, offset: i32| cx.b.ins().load(types::I64, flags, ptr, offset);
                let rank = i32::from(rank);
                let dims = (0..rank).map(|k| field(self, DESC_DIMS + 8 * k)).collect();
                let strides = (0..rank)
                    .map(|k| field(self, DESC_STRIDES + 8 * k))
                    .collect();
                Some(ArrayParts {
                    data,
                    dims,
                    strides,
                })
            }
            ArrayStorage::Fixed { slot, len } => {
                let data = self.b.ins().stack_addr(POINTER, slot, 0);
                let len = self.b.ins().iconst(types::I64, i64::from(len));
                let one = self.b.ins().iconst(types::I64, 1);
                Some(ArrayParts {
                    data,
                    dims: vec![len],
                    strides: vec![one],
                })
            }
            ArrayStorage::Parts(parts) => Some(parts),
            ArrayStorage::FixedAt { data, len } => {
                let len = self.b.ins().iconst(types::I64, i64::from(len));
                let one = self.b.ins().iconst(types::I64, 1);
                Some(ArrayParts {
                    data,
                    dims: vec![len],
                    strides: vec![one],
                })
            }
        }
    }

    /// An index value widened to `i64` by its own signedness.
    pub(crate) fn index_to_i64(&mut self, value: Value, s: Scalar) -> Value {
        match s {
            Scalar::I8 | Scalar::I16 | Scalar::I32 => self.b.ins().sextend(types::I64, value),
            Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::Bool => {
                self.b.ins().uextend(types::I64, value)
            }
            _ => value,
        }
    }

    /// An integer local's current value widened to `i64` by its own signedness, as an index
    /// is; `None` when the local has no variable here or is not an integer.
    pub(crate) fn local_index_value(&mut self, local: LocalId) -> Option<Value> {
        let s = self.f.local(local).ty.as_scalar().filter(|s| s.is_int())?;
        let var = self.vars.get(local.index()).copied().flatten()?;
        let value = self.b.use_var(var);
        Some(self.index_to_i64(value, s))
    }

    /// Evaluates the indices (all of them, in order), checks each against its axis, and
    /// returns the element's address.
    pub(crate) fn element_address(
        &mut self,
        access: Access,
        array: LocalId,
        indices: &[ExprId],
        span: Span,
    ) -> Value {
        let elem = self.f.local(array).ty.array_elem().unwrap_or(Scalar::Bool);
        let mut wide = Vec::with_capacity(indices.len());
        for &index in indices {
            let s = self.scalar_of(index, Scalar::Usize);
            let value = self.scalar_value(index, s);
            wide.push((self.index_to_i64(value, s), s.is_unsigned_int()));
        }
        let Some(parts) = self.array_parts(array) else {
            return self.b.ins().iconst(POINTER, 0);
        };
        for (axis, &(value, unsigned)) in wide.iter().enumerate() {
            let Some(&extent) = parts.dims.get(axis) else {
                continue;
            };
            if self.needs_check(access, axis) {
                let out = self
                    .b
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThanOrEqual, value, extent);
                let kind = SiteKind::Bounds {
                    array: self.f.array_label(array),
                    axis: axis as u32,
                    unsigned,
                    checked_copy: self.plain,
                };
                self.fail_if(out, kind, span, Some((value, extent)));
            }
        }
        let mut offset: Option<Value> = None;
        for (axis, &(value, _)) in wide.iter().enumerate() {
            let Some(&stride) = parts.strides.get(axis) else {
                continue;
            };
            let term = self.b.ins().imul(value, stride);
            offset = Some(match offset {
                Some(sum) => self.b.ins().iadd(sum, term),
                None => term,
            });
        }
        let Some(offset) = offset else {
            return parts.data;
        };
        let bytes = self.b.ins().imul_imm_s(offset, elem.size_bytes() as i64);
        self.b.ins().iadd(parts.data, bytes)
    }

    /// Whether axis `axis` of `access` is checked here (see the module docs).
    pub(crate) fn needs_check(&self, access: Access, axis: usize) -> bool {
        self.env.boundscheck
            && match self.bounds.check(access, axis) {
                Check::Proven | Check::Implied => false,
                Check::Hoisted(loop_id) => !self.fast.contains(&loop_id),
                Check::InPlace => true,
            }
    }

    /// `a.len()`: the product of the extents.
    pub(crate) fn array_len(&mut self, array: LocalId) -> Value {
        let Some(parts) = self.array_parts(array) else {
            return self.b.ins().iconst(types::I64, 0);
        };
        let mut dims = parts.dims.into_iter();
        let Some(first) = dims.next() else {
            return self.b.ins().iconst(types::I64, 1);
        };
        dims.fold(first, |acc, dim| self.b.ins().imul(acc, dim))
    }

    /// The extent of axis `axis`.
    pub(crate) fn array_dim(&mut self, array: LocalId, axis: u32) -> Value {
        match self.array_parts(array) {
            Some(parts) => match parts.dims.get(axis as usize) {
                Some(&dim) => dim,
                None => self.b.ins().iconst(types::I64, 1),
            },
            None => self.b.ins().iconst(types::I64, 0),
        }
    }
}
