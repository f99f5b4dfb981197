//! Array element access: bounds checks and strided addressing for reads, stores and compound
//! assignments, on argument arrays and fixed local arrays alike (both are [`RawArray`]s).
//!
//! An element's address is `data + Σ index[k] · stride[k]` elements. Each index is checked
//! against its axis extent before the address is formed; because slots hold signed indices
//! sign-extended, the single unsigned comparison `index < extent` also rejects negatives.

use kernel_ir::abi::RawArray;
use kernel_ir::ir::{BinOp, ExprId, LocalId};
use kernel_ir::{ErrorKind, Scalar, Span};

use super::frame::{with_operand, Code, CodeOp, Eval, Flow, Frame, Operand, Site, SlotOp};
use super::ops::{self, BinaryVisitor};
use super::scalar::{load_raw, store_raw, Elem};
use super::{CompileResult, FnCx};

/// What a bounds check needs to know and to report.
pub(crate) struct Bounds {
    site: Site,
    array_name: String,
    /// Whether each axis's index has a signed type (for reporting its value).
    signed: [bool; 3],
    check: bool,
    array: usize,
    elem_size: isize,
}

impl Bounds {
    #[cold]
    fn out_of_bounds(&self, axis: usize, index: u64, extent: u64) -> Flow {
        let index = if self.signed[axis] {
            i128::from(index as i64)
        } else {
            i128::from(index)
        };
        self.site.error(ErrorKind::IndexOutOfBounds {
            array: self.array_name.clone(),
            axis: axis as u32,
            index,
            extent,
        })
    }

    /// The address of the element at `indices`, after checking every index.
    #[inline(always)]
    fn address<const N: usize>(
        &self,
        frame: &Frame<'_>,
        indices: [u64; N],
    ) -> Result<*mut u8, Flow> {
        let array: &RawArray = &frame.arrays[self.array];
        let mut offset: i64 = 0;
        for (axis, index) in indices.into_iter().enumerate() {
            if self.check && index >= array.dims[axis] {
                return Err(self.out_of_bounds(axis, index, array.dims[axis]));
            }
            offset = offset.wrapping_add((index as i64).wrapping_mul(array.strides[axis]));
        }
        // `wrapping_offset` keeps forming the address free of UB; it is only dereferenced
        // once the indices are known to be in bounds (or the user turned the checks off).
        Ok(array
            .data
            .wrapping_offset((offset as isize).wrapping_mul(self.elem_size)))
    }
}

/// Evaluation of the N index operands of one access.
pub(crate) trait Indices<const N: usize>: Send + Sync + 'static {
    fn eval(&self, frame: &mut Frame<'_>) -> Result<[u64; N], Flow>;
}

struct One<A>(A);
struct Two<A, B>(A, B);
struct Three(Code, Code, Code);

impl<A: Eval> Indices<1> for One<A> {
    #[inline(always)]
    fn eval(&self, frame: &mut Frame<'_>) -> Result<[u64; 1], Flow> {
        Ok([self.0.eval(frame)?])
    }
}

impl<A: Eval, B: Eval> Indices<2> for Two<A, B> {
    #[inline(always)]
    fn eval(&self, frame: &mut Frame<'_>) -> Result<[u64; 2], Flow> {
        Ok([self.0.eval(frame)?, self.1.eval(frame)?])
    }
}

impl Indices<3> for Three {
    #[inline(always)]
    fn eval(&self, frame: &mut Frame<'_>) -> Result<[u64; 3], Flow> {
        Ok([(self.0)(frame)?, (self.1)(frame)?, (self.2)(frame)?])
    }
}

/// Builds code generic over the indices' evaluation.
trait IndexVisitor {
    type Out;
    fn visit<const N: usize, I: Indices<N>>(self, indices: I) -> Self::Out;
}

/// Specialises the index operands of ranks 1 and 2 (locals, constants); rank 3 is general.
fn with_indices<V: IndexVisitor>(mut indices: Vec<Operand>, v: V) -> Option<V::Out> {
    match indices.len() {
        1 => {
            let first = indices.pop()?;
            Some(with_operand!(first, |a| v.visit(One(a))))
        }
        2 => {
            let second = indices.pop()?;
            match indices.pop()? {
                Operand::Slot(slot) => {
                    Some(with_operand!(second, |b| v.visit(Two(SlotOp(slot), b))))
                }
                first => {
                    let a = CodeOp(first.into_code());
                    Some(with_operand!(second, |b| v.visit(Two(a, b))))
                }
            }
        }
        3 => {
            let third = indices.pop()?.into_code();
            let second = indices.pop()?.into_code();
            let first = indices.pop()?.into_code();
            Some(v.visit(Three(first, second, third)))
        }
        _ => None,
    }
}

/// The address of one element, computed after its bounds check.
type Locate = Box<dyn Fn(&mut Frame<'_>) -> Result<*mut u8, Flow> + Send + Sync>;

struct ReadVisitor<T> {
    bounds: Bounds,
    _elem: std::marker::PhantomData<fn() -> T>,
}

impl<T: Elem> IndexVisitor for ReadVisitor<T> {
    type Out = Code;
    fn visit<const N: usize, I: Indices<N>>(self, indices: I) -> Code {
        let bounds = self.bounds;
        Box::new(move |frame| {
            let indices = indices.eval(frame)?;
            let ptr = bounds.address(frame, indices)?;
            // SAFETY: every index was checked against its axis extent, so `ptr` is an element
            // of a live argument view or of this frame's fixed storage (RawArray invariant),
            // unless the module was compiled with `boundscheck: false`, documented as unsafe.
            Ok(unsafe { T::load(ptr) }.to_raw())
        })
    }
}

struct LocateVisitor {
    bounds: Bounds,
}

impl IndexVisitor for LocateVisitor {
    type Out = Locate;
    fn visit<const N: usize, I: Indices<N>>(self, indices: I) -> Locate {
        let bounds = self.bounds;
        Box::new(move |frame| {
            let indices = indices.eval(frame)?;
            bounds.address(frame, indices)
        })
    }
}

impl FnCx<'_> {
    fn bounds(
        &self,
        array: LocalId,
        indices: &[ExprId],
        span: Span,
    ) -> CompileResult<(Bounds, Scalar)> {
        let local = self.function.local(array);
        let elem = local
            .ty
            .array_elem()
            .ok_or_else(|| self.unsupported(span, "indexing a scalar"))?;
        let rank = local.ty.array_rank().unwrap_or(1) as usize;
        if indices.len() != rank || rank > 3 {
            return Err(self.unsupported(span, "an index with the wrong number of axes"));
        }
        let mut signed = [false; 3];
        for (axis, index) in indices.iter().enumerate() {
            signed[axis] = self.scalar(*index)?.is_signed_int();
        }
        let bounds = Bounds {
            site: self.site(span),
            array_name: self.function.array_label(array),
            signed,
            check: self.boundscheck,
            array: self.array_index(array, span)?,
            elem_size: elem.size_bytes() as isize,
        };
        Ok((bounds, elem))
    }

    fn index_operands(&self, indices: &[ExprId]) -> CompileResult<Vec<Operand>> {
        indices.iter().map(|i| self.operand(*i)).collect()
    }

    /// `array[indices]` as a value.
    pub fn compile_index_read(
        &self,
        array: LocalId,
        indices: &[ExprId],
        span: Span,
    ) -> CompileResult<Code> {
        let (bounds, elem) = self.bounds(array, indices, span)?;
        let operands = self.index_operands(indices)?;
        fn read<T: Elem>(operands: Vec<Operand>, bounds: Bounds) -> Option<Code> {
            let visitor = ReadVisitor::<T> {
                bounds,
                _elem: std::marker::PhantomData,
            };
            with_indices(operands, visitor)
        }
        let code = match elem {
            Scalar::Bool => read::<bool>(operands, bounds),
            Scalar::I8 => read::<i8>(operands, bounds),
            Scalar::I16 => read::<i16>(operands, bounds),
            Scalar::U8 => read::<u8>(operands, bounds),
            Scalar::U16 => read::<u16>(operands, bounds),
            Scalar::I32 => read::<i32>(operands, bounds),
            Scalar::U32 => read::<u32>(operands, bounds),
            Scalar::F32 => read::<f32>(operands, bounds),
            Scalar::I64 => read::<i64>(operands, bounds),
            Scalar::U64 | Scalar::Usize => read::<u64>(operands, bounds),
            Scalar::F64 => read::<f64>(operands, bounds),
        };
        code.ok_or_else(|| self.unsupported(span, "an index of this rank"))
    }

    /// `array[indices] = value` or `array[indices] op= value`. As in Rust, the value is
    /// evaluated before the place (and so before its bounds check).
    pub fn compile_index_assign(
        &self,
        array: LocalId,
        indices: &[ExprId],
        place_span: Span,
        op: Option<BinOp>,
        value: ExprId,
        span: Span,
    ) -> CompileResult<Code> {
        let (bounds, elem) = self.bounds(array, indices, place_span)?;
        let locate = with_indices(self.index_operands(indices)?, LocateVisitor { bounds })
            .ok_or_else(|| self.unsupported(place_span, "an index of this rank"))?;
        let Some(op) = op else {
            let value = self.compile_expr(value)?;
            return Ok(Box::new(move |frame| {
                let value = value(frame)?;
                let ptr = locate(frame)?;
                // SAFETY: `locate` checked the indices (see `ReadVisitor`); the checker only
                // lets a kernel write through writable argument views and its fixed arrays.
                unsafe { store_raw(elem, ptr, value) };
                Ok(0)
            }));
        };
        let visitor = CompoundIndex {
            locate,
            value: self.operand(value)?,
            elem,
            site: self.site(span),
        };
        ops::binary_op(op, elem, visitor)
            .ok_or_else(|| self.unsupported(span, format!("`{}=` on {elem}", op.symbol())))
    }
}

struct CompoundIndex {
    locate: Locate,
    value: Operand,
    elem: Scalar,
    site: Site,
}

impl BinaryVisitor for CompoundIndex {
    type Out = Code;
    fn visit<F>(self, f: F) -> Code
    where
        F: Fn(u64, u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
    {
        let CompoundIndex {
            locate,
            value,
            elem,
            site,
        } = self;
        with_operand!(value, |value| compound_index(value, locate, f, elem, site))
    }
}

fn compound_index<A: Eval, F>(value: A, locate: Locate, f: F, elem: Scalar, site: Site) -> Code
where
    F: Fn(u64, u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
{
    Box::new(move |frame| {
        let rhs = value.eval(frame)?;
        let ptr = locate(frame)?;
        // SAFETY: as for a plain store: checked indices into a writable array.
        let old = unsafe { load_raw(elem, ptr) };
        let new = f(old, rhs).map_err(|kind| site.error(kind))?;
        // SAFETY: same element as the load above.
        unsafe { store_raw(elem, ptr, new) };
        Ok(0)
    })
}
