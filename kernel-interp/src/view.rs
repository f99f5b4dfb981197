//! Sub-views (`Expr::View`): a new [`RawArray`] into the parent's data, made by the shared
//! rules of `kernel_ir::view` after the operands are evaluated left to right.

use std::sync::Arc;

use kernel_ir::abi::RawArray;
use kernel_ir::ir::{Expr, ExprId, LocalId, ViewAxis};
use kernel_ir::view::{index_axis, range_axis, ViewFault};
use kernel_ir::Span;

use super::frame::{Code, Flow, Frame};
use super::{CompileResult, FnCx};

/// One axis, compiled.
enum AxisCode {
    Range {
        start: Option<Code>,
        end: Option<Code>,
        inclusive: bool,
        step: Option<Code>,
    },
    Index(Code),
}

/// Computes a view's descriptor from the frame.
pub(crate) type ViewCode = Box<dyn Fn(&mut Frame<'_>) -> Result<RawArray, Flow> + Send + Sync>;

impl FnCx<'_> {
    /// The code making view `id`'s descriptor.
    pub(crate) fn compile_view(&self, id: ExprId, span: Span) -> CompileResult<ViewCode> {
        let Expr::View { array, axes, .. } = self.function.expr(id) else {
            return Err(self.unsupported(span, "a view that is not one"));
        };
        let parent = self.array_index(*array, span)?;
        let elem_size = self
            .function
            .local(*array)
            .ty
            .array_elem()
            .map_or(8, |e| e.size_bytes()) as isize;
        let compile = |e: Option<ExprId>| e.map(|e| self.compile_expr(e)).transpose();
        let axes = axes
            .iter()
            .map(|axis| {
                Ok(match *axis {
                    ViewAxis::Range {
                        start,
                        end,
                        inclusive,
                        step,
                    } => AxisCode::Range {
                        start: compile(start)?,
                        end: compile(end)?,
                        inclusive,
                        step: compile(step)?,
                    },
                    ViewAxis::Index(index) => AxisCode::Index(self.compile_expr(index)?),
                })
            })
            .collect::<CompileResult<Vec<AxisCode>>>()?;
        let site = self.site(span);
        let label: Arc<str> = Arc::from(self.function.array_label(*array));
        Ok(Box::new(move |frame| {
            let values = evaluate(&axes, frame)?;
            let parent = frame.arrays[parent];
            make_view(&parent, &axes, &values, elem_size).map_err(|(axis, fault, inclusive)| {
                site.error(fault.error(&label, axis, inclusive))
            })
        }))
    }

    /// `let v = <view>`.
    pub(crate) fn compile_view_let(
        &self,
        local: LocalId,
        init: ExprId,
        span: Span,
    ) -> CompileResult<Code> {
        let array = self.array_index(local, span)?;
        let view = self.compile_view(init, self.function.span(init))?;
        Ok(Box::new(move |frame| {
            frame.arrays[array] = view(frame)?;
            Ok(0)
        }))
    }
}

/// The operands of every axis, left to right: (start, end, step) or (index, _, _).
fn evaluate(axes: &[AxisCode], frame: &mut Frame<'_>) -> Result<Vec<[Option<u64>; 3]>, Flow> {
    let mut values = Vec::with_capacity(axes.len());
    let run =
        |code: &Option<Code>, frame: &mut Frame<'_>| code.as_ref().map(|c| c(frame)).transpose();
    for axis in axes {
        values.push(match axis {
            AxisCode::Range {
                start, end, step, ..
            } => [run(start, frame)?, run(end, frame)?, run(step, frame)?],
            AxisCode::Index(index) => [Some(index(frame)?), None, None],
        });
    }
    Ok(values)
}

/// The view's descriptor, or the first failing axis with its fault and inclusiveness.
fn make_view(
    parent: &RawArray,
    axes: &[AxisCode],
    values: &[[Option<u64>; 3]],
    elem_size: isize,
) -> Result<RawArray, (u32, ViewFault, bool)> {
    let mut view = RawArray {
        data: parent.data,
        dims: [1; 3],
        strides: [0; 3],
    };
    let mut offset: i64 = 0;
    let mut kept = 0;
    for (axis, (code, [a, b, c])) in axes.iter().zip(values).enumerate() {
        let (extent, stride) = (parent.dims[axis], parent.strides[axis]);
        match code {
            AxisCode::Range { inclusive, .. } => {
                let (start, len) =
                    range_axis(a.unwrap_or(0), *b, *inclusive, c.unwrap_or(1), extent)
                        .map_err(|fault| (axis as u32, fault, *inclusive))?;
                offset = offset.wrapping_add((start as i64).wrapping_mul(stride));
                view.dims[kept] = len;
                view.strides[kept] = stride.wrapping_mul(c.unwrap_or(1) as i64);
                kept += 1;
            }
            AxisCode::Index(_) => {
                let index = index_axis(a.unwrap_or(0), extent)
                    .map_err(|fault| (axis as u32, fault, false))?;
                offset = offset.wrapping_add((index as i64).wrapping_mul(stride));
            }
        }
    }
    // In bounds: every kept start and every index is within its extent (an empty axis may
    // start at its extent, one past the last element, which `wrapping_offset` allows).
    view.data = parent
        .data
        .wrapping_offset((offset as isize).wrapping_mul(elem_size));
    Ok(view)
}
