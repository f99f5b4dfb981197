//! Sub-views (`Expr::View`): the operands left to right, then the checks of
//! `kernel_ir::view` axis by axis (each failing to its own site), then the view's data
//! pointer, extents and strides as SSA values. A `let` view keeps those values
//! ([`ArrayStorage::Parts`]); a view passed to a call gets a descriptor in a fresh stack slot.

use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, Value};

use kernel_ir::ir::{Expr, ExprId, LocalId, ViewAxis};
use kernel_ir::{ErrorKind, Scalar};

use super::{ArrayParts, ArrayStorage, FunctionCx};
use crate::abi::{SiteKind, POINTER};

/// The evaluated operands of one axis.
enum AxisValues {
    Range {
        start: Option<Value>,
        end: Option<Value>,
        inclusive: bool,
        step: Option<Value>,
    },
    Index(Value),
}

impl FunctionCx<'_, '_> {
    /// `let v = <view>`: binds the view's parts.
    pub(crate) fn translate_view_let(&mut self, local: LocalId, init: ExprId) {
        if let Some(parts) = self.translate_view(init) {
            self.arrays[local.index()] = Some(ArrayStorage::Parts(parts));
        }
    }

    /// The parts of view `id`, after its checks.
    pub(crate) fn translate_view(&mut self, id: ExprId) -> Option<ArrayParts> {
        let Expr::View { array, axes, .. } = self.f.expr(id) else {
            return None;
        };
        let values: Vec<AxisValues> = axes.iter().map(|axis| self.axis_values(axis)).collect();
        let parent = self.array_parts(*array)?;
        let label = self.f.array_label(*array);
        let span = self.f.span(id);
        let mut offset = self.b.ins().iconst(types::I64, 0);
        let (mut dims, mut strides) = (Vec::new(), Vec::new());
        for (axis, values) in values.iter().enumerate() {
            let (extent, stride) = (parent.dims[axis], parent.strides[axis]);
            let site = |kind: fn(String, u32, bool) -> SiteKind, inclusive| {
                kind(label.clone(), axis as u32, inclusive)
            };
            match *values {
                AxisValues::Index(index) => {
                    let out = self
                        .b
                        .ins()
                        .icmp(IntCC::UnsignedGreaterThanOrEqual, index, extent);
                    let kind = SiteKind::ViewIndex {
                        array: label.clone(),
                        axis: axis as u32,
                    };
                    self.fail_if(out, kind, span, Some((index, extent)));
                    let moved = self.b.ins().imul(index, stride);
                    offset = self.b.ins().iadd(offset, moved);
                }
                AxisValues::Range {
                    start,
                    end,
                    inclusive,
                    step,
                } => {
                    let start = start.unwrap_or_else(|| self.b.ins().iconst(types::I64, 0));
                    if let Some(step) = step {
                        let zero = self.b.ins().icmp_imm_u(IntCC::Equal, step, 0);
                        self.fail_kind_if(zero, ErrorKind::ZeroStep, span);
                    }
                    let written = end.unwrap_or(extent);
                    let exclusive = match (end, inclusive) {
                        (Some(end), true) => {
                            let max = self.b.ins().icmp_imm_u(IntCC::Equal, end, -1);
                            let kind = site(slice_end, true);
                            self.fail_if(max, kind, span, Some((end, extent)));
                            self.b.ins().iadd_imm_u(end, 1)
                        }
                        _ => written,
                    };
                    let reversed = self
                        .b
                        .ins()
                        .icmp(IntCC::UnsignedGreaterThan, start, exclusive);
                    let kind = site(slice_start, inclusive);
                    self.fail_if(reversed, kind, span, Some((start, written)));
                    let past = self
                        .b
                        .ins()
                        .icmp(IntCC::UnsignedGreaterThan, exclusive, extent);
                    let kind = site(slice_end, inclusive);
                    self.fail_if(past, kind, span, Some((written, extent)));
                    let moved = self.b.ins().imul(start, stride);
                    offset = self.b.ins().iadd(offset, moved);
                    let span_len = self.b.ins().isub(exclusive, start);
                    let (len, new_stride) = match step {
                        Some(step) => {
                            let whole = self.b.ins().udiv(span_len, step);
                            let rest = self.b.ins().urem(span_len, step);
                            let partial = self.b.ins().icmp_imm_u(IntCC::NotEqual, rest, 0);
                            let partial = self.b.ins().uextend(types::I64, partial);
                            (
                                self.b.ins().iadd(whole, partial),
                                self.b.ins().imul(stride, step),
                            )
                        }
                        None => (span_len, stride),
                    };
                    dims.push(len);
                    strides.push(new_stride);
                }
            }
        }
        let elem = self.f.local(*array).ty.array_elem().unwrap_or(Scalar::F64);
        let bytes = self.b.ins().imul_imm_u(offset, elem.size_bytes() as i64);
        let data = self.b.ins().iadd(parent.data, bytes);
        Some(ArrayParts {
            data,
            dims,
            strides,
        })
    }

    fn axis_values(&mut self, axis: &ViewAxis) -> AxisValues {
        let value = |cx: &mut Self, e: Option<ExprId>| e.map(|e| cx.scalar_value(e, Scalar::Usize));
        match *axis {
            ViewAxis::Range {
                start,
                end,
                inclusive,
                step,
            } => {
                let start = value(self, start);
                let end = value(self, end);
                let step = value(self, step);
                AxisValues::Range {
                    start,
                    end,
                    inclusive,
                    step,
                }
            }
            ViewAxis::Index(index) => AxisValues::Index(self.scalar_value(index, Scalar::Usize)),
        }
    }

    /// A `RawArray` descriptor holding `parts`, in a fresh stack slot.
    pub(crate) fn descriptor_of(&mut self, parts: &ArrayParts) -> Value {
        use cranelift_codegen::ir::{MemFlagsData, StackSlotData, StackSlotKind};
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (crate::abi::DESCRIPTOR_WORDS * 8) as u32,
            3,
        ));
        let ptr = self.b.ins().stack_addr(POINTER, slot, 0);
        let flags = MemFlagsData::trusted();
        self.b
            .ins()
            .store(flags, parts.data, ptr, super::access::DESC_DATA);
        let one = self.b.ins().iconst(types::I64, 1);
        let zero = self.b.ins().iconst(types::I64, 0);
        for k in 0..3 {
            let dim = parts.dims.get(k).copied().unwrap_or(one);
            let stride = parts.strides.get(k).copied().unwrap_or(zero);
            let k = k as i32;
            self.b
                .ins()
                .store(flags, dim, ptr, super::access::DESC_DIMS + 8 * k);
            self.b
                .ins()
                .store(flags, stride, ptr, super::access::DESC_STRIDES + 8 * k);
        }
        ptr
    }
}

fn slice_start(array: String, axis: u32, inclusive: bool) -> SiteKind {
    SiteKind::SliceStart {
        array,
        axis,
        inclusive,
    }
}

fn slice_end(array: String, axis: u32, inclusive: bool) -> SiteKind {
    SiteKind::SliceEnd {
        array,
        axis,
        inclusive,
    }
}
