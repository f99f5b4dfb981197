//! Arrays the kernel owns: allocations (`Expr::Alloc`), `let`s that take ownership of them,
//! returned arrays and discarded array results.
//!
//! An owned array travels as the raw address of a boxed [`OwnedArray`] (the value an
//! allocation or a call returning an array yields); a `let` adopts it into the frame, which
//! frees it when the local is declared again or the frame ends (errors included), and a
//! returned local is moved out of the frame again as an address.

use kernel_ir::abi::RawScalar;
use kernel_ir::alloc::OwnedArray;
use kernel_ir::ir::{walk::alloc_operands, Expr, ExprId, LocalId, LoopId};
use kernel_ir::semantics::combine_array;
use kernel_ir::{Span, Type};

use super::frame::{Code, Frame};
use super::{CompileResult, FnCx};

impl FnCx<'_> {
    /// A `prange` loop with array reductions: the loop updates a copy of each array started
    /// from the identity, combined into the array once the loop completes (as one chunk of
    /// the JIT's and native code's; a failed loop leaves the arrays as they were, in every
    /// tier).
    pub(crate) fn with_array_reductions(&self, id: LoopId, code: Code) -> CompileResult<Code> {
        let Some(info) = self.function.loops.get(id.index()) else {
            return Ok(code);
        };
        if info.array_reductions.is_empty() {
            return Ok(code);
        }
        let span = info.span;
        let mut reductions = Vec::new();
        for reduction in &info.array_reductions {
            let array = self.array_index(reduction.local, span)?;
            let elem = self
                .function
                .local(reduction.local)
                .ty
                .array_elem()
                .ok_or_else(|| self.unsupported(span, "an array reduction of a non-array"))?;
            reductions.push((array, reduction.op, elem));
        }
        let site = self.site(span);
        Ok(Box::new(move |frame| {
            let mut copies = Vec::with_capacity(reductions.len());
            for &(array, op, elem) in &reductions {
                let fill = RawScalar(op.identity_bits(elem));
                let copy = OwnedArray::allocate(elem, 3, frame.arrays[array].dims, fill, u64::MAX)
                    .map_err(|kind| site.error(kind))?;
                let outer = std::mem::replace(&mut frame.arrays[array], copy.raw);
                copies.push((outer, copy));
            }
            let result = code(frame);
            for (&(array, op, elem), (outer, copy)) in reductions.iter().zip(&copies) {
                frame.arrays[array] = *outer;
                if result.is_ok() {
                    // SAFETY: `outer` is the frame's live writable array and the copy has its
                    // extents in C order.
                    unsafe { combine_array(op, elem, outer, copy.raw.data) };
                }
            }
            result
        }))
    }

    /// `Array2::zeros((n, m))`, `vec![x; n]`, …: yields the new array's address.
    pub(crate) fn compile_alloc(&self, id: ExprId, span: Span) -> CompileResult<Code> {
        let Expr::Alloc {
            dims,
            fill,
            fill_first,
            ..
        } = self.function.expr(id)
        else {
            return Err(self.unsupported(span, "an allocation that is not one"));
        };
        let Type::Array(array) = self.function.ty(id) else {
            return Err(self.unsupported(span, "an allocation without an array type"));
        };
        let operands = alloc_operands(dims, *fill, *fill_first)
            .into_iter()
            .map(|operand| Ok((operand == *fill, self.compile_expr(operand)?)))
            .collect::<CompileResult<Vec<(bool, Code)>>>()?;
        let (elem, rank, limit) = (array.elem, array.rank, self.function.alloc_limit);
        let site = self.site(span);
        Ok(Box::new(move |frame| {
            let mut extents = [1u64; 3];
            let mut axis = 0;
            let mut value = 0;
            for (is_fill, operand) in &operands {
                let raw = operand(frame)?;
                if *is_fill {
                    value = raw;
                } else {
                    extents[axis] = raw;
                    axis += 1;
                }
            }
            OwnedArray::allocate_raw(elem, rank, extents, RawScalar(value), limit)
                .map(|owned| owned as u64)
                .map_err(|kind| site.error(kind))
        }))
    }

    /// `let z = <array>`: adopts the address `init` yields into the frame.
    pub(crate) fn compile_owned_let(
        &self,
        local: LocalId,
        init: Option<ExprId>,
        span: Span,
    ) -> CompileResult<Code> {
        let array = self.array_index(local, span)?;
        let Some(init) = init else {
            return Err(self.unsupported(span, "an array local without initialiser"));
        };
        let init = self.compile_expr(init)?;
        Ok(Box::new(move |frame| {
            // The previous array of this local (an earlier iteration's) goes first.
            if let Some(slot) = frame.owned.get_mut(array) {
                *slot = None;
            }
            let address = init(frame)?;
            adopt(frame, array, address);
            Ok(0)
        }))
    }

    /// An owned local returned whole: moves it out of the frame as an address.
    pub(crate) fn compile_move_out(&self, local: LocalId, span: Span) -> CompileResult<Code> {
        let array = self.array_index(local, span)?;
        Ok(Box::new(move |frame| {
            let owned = frame.owned.get_mut(array).and_then(Option::take);
            Ok(owned.map_or(0, |owned| Box::into_raw(owned) as u64))
        }))
    }

    /// An expression statement whose value is an array (a call returning one): frees it.
    pub(crate) fn compile_discarded_array(&self, expr: ExprId) -> CompileResult<Code> {
        let value = self.compile_expr(expr)?;
        Ok(Box::new(move |frame| {
            let address = value(frame)?;
            // SAFETY: an array-typed value is the address of a boxed `OwnedArray` leaked by
            // `allocate_raw` or moved out of a frame, owned by nobody else.
            unsafe { OwnedArray::free_raw(address as *mut OwnedArray) };
            Ok(0)
        }))
    }
}

/// Makes the frame own the array at `address` as array local `array`.
fn adopt(frame: &mut Frame<'_>, array: usize, address: u64) {
    if address == 0 {
        return;
    }
    // SAFETY: `address` is the value of an array-typed expression: a boxed `OwnedArray`
    // leaked by `allocate_raw` or moved out of a frame, owned by nobody else.
    let owned = unsafe { OwnedArray::from_raw(address as *mut OwnedArray) };
    frame.arrays[array] = owned.raw;
    if frame.owned.len() <= array {
        frame.owned.resize_with(array + 1, || None);
    }
    // Replacing the previous array (the `let` ran again) frees it.
    frame.owned[array] = Some(owned);
}
