//! Owned test arrays of every element type, laid out as a test asks.
//!
//! A layout changes only the memory, never the logical values: `.f` Fortran order, `.rev`
//! stored reversed along axis 0 and seen through a negative stride, `.step2` every other row
//! (axis 0) of a twice-as-long buffer whose gaps hold a sentinel ([`Element::GAP`]) that no
//! call may change.

use std::fmt::Debug;

use kernel_runtime::ir::abi::RawArray;
use kernel_runtime::{Arg, Scalar};
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, Axis, IxDyn, ShapeBuilder, Slice};

/// How an array argument is laid out in memory (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    C,
    Fortran,
    Reversed,
    Strided,
}

impl Layout {
    /// The layout of a corpus suffix (`f`, `rev`, `step2`).
    pub fn from_suffix(suffix: &str) -> Option<Layout> {
        match suffix {
            "f" => Some(Layout::Fortran),
            "rev" => Some(Layout::Reversed),
            "step2" => Some(Layout::Strided),
            _ => None,
        }
    }
}

/// The bit pattern the gaps of a `.step2` array hold, cut to the element's width.
const GAP_BITS: u64 = 0x5a5a_5a5a_5a5a_5a5a;

/// An element type of test arrays: parsing, raw bits and its [`AnyArray`] variant.
pub trait Element: kernel_runtime::Element + Debug + PartialEq + Default {
    /// What the gaps of a `.step2` array hold: a value no test writes.
    const GAP: Self;
    /// The value of a raw 64-bit slot (the low bits for narrower types).
    fn from_raw(bits: u64) -> Self;
    /// The raw 64-bit slot (signed integers sign-extended, like `RawScalar`).
    fn to_raw(self) -> u64;
    /// Parses one element as written in a corpus (`nan`, `inf`, `-inf` for floats).
    fn parse(text: &str) -> Option<Self>;
    fn wrap(array: ArrayD<Self>) -> AnyArray;
}

macro_rules! elements {
    ($($t:ty => $variant:ident, |$b:ident| $from:expr, |$v:ident| $to:expr);* $(;)?) => {$(
        impl Element for $t {
            const GAP: Self = { let $b = GAP_BITS; $from };
            fn from_raw($b: u64) -> Self {
                $from
            }
            fn to_raw(self) -> u64 {
                let $v = self;
                $to
            }
            fn parse(text: &str) -> Option<Self> {
                parse_element(text)
            }
            fn wrap(array: ArrayD<Self>) -> AnyArray {
                AnyArray::$variant(array)
            }
        }
    )*};
}
elements!(
    bool => Bool, |b| b & 1 != 0, |v| v as u64;
    i8 => I8, |b| b as i8, |v| v as i64 as u64;
    i16 => I16, |b| b as i16, |v| v as i64 as u64;
    u8 => U8, |b| b as u8, |v| v as u64;
    u16 => U16, |b| b as u16, |v| v as u64;
    i32 => I32, |b| b as i32, |v| v as i64 as u64;
    i64 => I64, |b| b as i64, |v| v as u64;
    u32 => U32, |b| b as u32, |v| v as u64;
    u64 => U64, |b| b, |v| v;
    usize => Usize, |b| b as usize, |v| v as u64;
    f32 => F32, |b| f32::from_bits(b as u32), |v| v.to_bits() as u64;
    f64 => F64, |b| f64::from_bits(b), |v| v.to_bits();
);

/// `FromStr`, with the corpus spellings of NaN and the infinities for floats.
pub(crate) fn parse_element<T: std::str::FromStr>(text: &str) -> Option<T> {
    let normalised = match text {
        "nan" | "NaN" => "NaN",
        other => other,
    };
    normalised.parse().ok()
}

/// An owned array of any element type.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyArray {
    Bool(ArrayD<bool>),
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    U8(ArrayD<u8>),
    U16(ArrayD<u16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    Usize(ArrayD<usize>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// `$body` with `$a` bound to the typed array inside `$value`, whatever its element type.
macro_rules! each_array {
    ($value:expr, $a:ident => $body:expr) => {
        each_array!(@arms $value, $a, $body; Bool, I8, I16, U8, U16, I32, I64, U32, U64,
            Usize, F32, F64)
    };
    (@arms $value:expr, $a:ident, $body:expr; $($variant:ident),*) => {
        match $value {
            $(AnyArray::$variant($a) => $body,)*
        }
    };
}

/// `$body` with `$t` the Rust element type of scalar `$scalar`.
macro_rules! each_scalar {
    ($scalar:expr, $t:ident => $body:expr) => {
        each_scalar!(@arms $scalar, $t, $body; Bool bool, I8 i8, I16 i16, U8 u8, U16 u16,
            I32 i32, I64 i64, U32 u32, U64 u64, Usize usize, F32 f32, F64 f64)
    };
    (@arms $scalar:expr, $t:ident, $body:expr; $($variant:ident $ty:ty),*) => {
        match $scalar {
            $(Scalar::$variant => {
                type $t = $ty;
                $body
            })*
        }
    };
}

/// An array argument: its whole storage (gaps included) and the layout the kernel sees it
/// through. The storage of `.rev` carries the negative stride itself.
#[derive(Clone, Debug, PartialEq)]
pub struct TestArray {
    storage: AnyArray,
    layout: Layout,
}

impl TestArray {
    /// Parses a corpus array, `f64[[1, 2], [3, 4]].f`. Malformed text panics: it is test data.
    pub fn parse(text: &str) -> TestArray {
        let (body, layout) = match text.rsplit_once("].") {
            Some((body, suffix)) => (
                format!("{body}]"),
                Layout::from_suffix(suffix)
                    .unwrap_or_else(|| panic!("unknown layout suffix .{suffix} in `{text}`")),
            ),
            None => (text.to_owned(), Layout::C),
        };
        let open = body
            .find('[')
            .unwrap_or_else(|| panic!("`{text}` is not TYPE[…]"));
        let (ty, list) = body.split_at(open);
        let elem = Scalar::from_name(ty).unwrap_or_else(|| panic!("unknown element type `{ty}`"));
        let (shape, items) = parse_nested(list);
        each_scalar!(elem, T => {
            let values: Vec<T> = items
                .iter()
                .map(|item| T::parse(item).unwrap_or_else(|| panic!("`{item}` is not a {elem}")))
                .collect();
            TestArray::new(&shape, values, layout)
        })
    }

    /// An array of `elem` from raw element bits in logical (row-major) order.
    pub fn from_bits(elem: Scalar, shape: &[usize], bits: &[u64], layout: Layout) -> TestArray {
        each_scalar!(elem, T => {
            TestArray::new(shape, bits.iter().map(|&b| T::from_raw(b)).collect(), layout)
        })
    }

    /// An array with logical values `values` (row-major) stored in `layout`.
    pub fn new<T: Element>(shape: &[usize], values: Vec<T>, layout: Layout) -> TestArray {
        let logical = ArrayD::from_shape_vec(IxDyn(shape), values)
            .unwrap_or_else(|e| panic!("values do not fill shape {shape:?}: {e}"));
        TestArray {
            storage: T::wrap(laid_out(logical, layout)),
            layout,
        }
    }

    /// A returned array (C order).
    pub fn from_value(value: kernel_runtime::ArrayValue) -> TestArray {
        let storage = match value {
            kernel_runtime::ArrayValue::Bool(a) => AnyArray::Bool(a),
            kernel_runtime::ArrayValue::I8(a) => AnyArray::I8(a),
            kernel_runtime::ArrayValue::U8(a) => AnyArray::U8(a),
            kernel_runtime::ArrayValue::I16(a) => AnyArray::I16(a),
            kernel_runtime::ArrayValue::U16(a) => AnyArray::U16(a),
            kernel_runtime::ArrayValue::I32(a) => AnyArray::I32(a),
            kernel_runtime::ArrayValue::I64(a) => AnyArray::I64(a),
            kernel_runtime::ArrayValue::U32(a) => AnyArray::U32(a),
            kernel_runtime::ArrayValue::U64(a) => AnyArray::U64(a),
            kernel_runtime::ArrayValue::Usize(a) => AnyArray::Usize(a),
            kernel_runtime::ArrayValue::F32(a) => AnyArray::F32(a),
            kernel_runtime::ArrayValue::F64(a) => AnyArray::F64(a),
        };
        TestArray {
            storage,
            layout: Layout::C,
        }
    }

    /// The extent of each axis.
    pub fn shape(&self) -> Vec<usize> {
        each_array!(&self.storage, a => a.shape().to_vec())
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    pub fn elem(&self) -> Scalar {
        each_array!(&self.storage, a => element_scalar(a))
    }

    /// The rank the kernel sees.
    pub fn rank(&self) -> usize {
        each_array!(&self.storage, a => a.ndim())
    }

    /// The whole storage, gaps included.
    pub fn storage(&self) -> &AnyArray {
        &self.storage
    }

    /// The argument a kernel gets: the logical view, writable or read-only.
    pub fn arg(&mut self, mutable: bool) -> Arg<'_> {
        let layout = self.layout;
        if mutable {
            each_array!(&mut self.storage, a => Arg::from(view_mut(a, layout)))
        } else {
            each_array!(&self.storage, a => Arg::from(view(a, layout)))
        }
    }

    /// The logical view as a raw descriptor (element strides, base = element 0). It points
    /// into this array: valid while the array lives and is not otherwise borrowed.
    pub fn raw(&mut self) -> RawArray {
        let layout = self.layout;
        each_array!(&mut self.storage, a => raw_of(view_mut(a, layout)))
    }

    /// The logical values after a call, each as `{:?}` prints it.
    pub fn logical_text(&self) -> Vec<String> {
        let layout = self.layout;
        each_array!(&self.storage, a => view(a, layout).iter().map(|x| format!("{x:?}")).collect())
    }

    /// Every element of the storage (gaps included) as raw bits, in the storage's logical
    /// order.
    pub fn storage_bits(&self) -> Vec<u64> {
        each_array!(&self.storage, a => a.iter().map(|x| x.to_raw()).collect())
    }

    /// Whether every gap of a `.step2` array still holds its sentinel.
    pub fn gaps_intact(&self) -> bool {
        fn intact<T: Element>(a: &ArrayD<T>) -> bool {
            a.slice_axis(Axis(0), Slice::new(1, None, 2))
                .iter()
                .all(|x| *x == T::GAP)
        }
        self.layout != Layout::Strided || each_array!(&self.storage, a => intact(a))
    }
}

fn element_scalar<T: Element>(_: &ArrayD<T>) -> Scalar {
    T::SCALAR
}

/// The storage holding `logical` in `layout`.
fn laid_out<T: Element>(logical: ArrayD<T>, layout: Layout) -> ArrayD<T> {
    match layout {
        Layout::C => logical,
        Layout::Fortran => {
            let mut f = ArrayD::from_elem(IxDyn(logical.shape()).f(), T::default());
            f.assign(&logical);
            f
        }
        Layout::Reversed => {
            let mut stored = logical;
            stored.invert_axis(Axis(0));
            let mut stored = stored.as_standard_layout().into_owned();
            stored.invert_axis(Axis(0));
            stored
        }
        Layout::Strided => {
            let mut doubled = logical.shape().to_vec();
            doubled[0] *= 2;
            let mut stored = ArrayD::from_elem(IxDyn(&doubled), T::GAP);
            stored
                .slice_axis_mut(Axis(0), Slice::new(0, None, 2))
                .assign(&logical);
            stored
        }
    }
}

/// The part of the storage the kernel sees.
fn view<T>(storage: &ArrayD<T>, layout: Layout) -> ArrayViewD<'_, T> {
    let view = storage.view();
    match layout {
        Layout::Strided => view.slice_axis_move(Axis(0), Slice::new(0, None, 2)),
        _ => view,
    }
}

fn view_mut<T>(storage: &mut ArrayD<T>, layout: Layout) -> ArrayViewMutD<'_, T> {
    let view = storage.view_mut();
    match layout {
        Layout::Strided => view.slice_axis_move(Axis(0), Slice::new(0, None, 2)),
        _ => view,
    }
}

fn raw_of<T>(mut view: ArrayViewMutD<'_, T>) -> RawArray {
    let mut raw = RawArray {
        data: view.as_mut_ptr().cast(),
        dims: [1; 3],
        strides: [0; 3],
    };
    for (axis, (&dim, &stride)) in view.shape().iter().zip(view.strides()).enumerate() {
        raw.dims[axis] = dim as u64;
        raw.strides[axis] = stride as i64;
    }
    raw
}

/// Shape and flat items (row-major) of a nested list like `[[1, 2], [3, 4]]`.
fn parse_nested(text: &str) -> (Vec<usize>, Vec<String>) {
    let mut depth = 0usize;
    let mut counts: Vec<usize> = Vec::new();
    let mut items = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '[' => {
                depth += 1;
                if counts.len() < depth {
                    counts.push(0);
                }
                counts[depth - 1] = 0;
            }
            ']' | ',' => {
                let item = current.trim().to_owned();
                current.clear();
                if !item.is_empty() {
                    items.push(item);
                    counts[depth - 1] += 1;
                }
                if c == ']' {
                    depth -= 1;
                    if depth > 0 {
                        counts[depth - 1] += 1;
                    }
                }
            }
            _ => current.push(c),
        }
    }
    (counts, items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_change_memory_not_values() {
        for suffix in ["", ".f", ".rev", ".step2"] {
            let array = TestArray::parse(&format!("i32[[1, 2, 3], [4, 5, 6]]{suffix}"));
            assert_eq!(
                array.logical_text(),
                ["1", "2", "3", "4", "5", "6"],
                "{suffix}"
            );
            assert_eq!(array.elem(), Scalar::I32);
        }
        let mut reversed = TestArray::parse("f64[1, 2, 3].rev");
        assert_eq!(reversed.raw().strides[0], -1);
        let mut strided = TestArray::parse("f64[[1, 2], [3, 4]].step2");
        assert_eq!(strided.raw().strides[..2], [4, 1]);
        let mut fortran = TestArray::parse("f64[[1, 2], [3, 4]].f");
        assert_eq!(fortran.raw().strides[..2], [1, 2]);
    }

    #[test]
    fn a_write_into_a_gap_is_noticed() {
        let mut array = TestArray::parse("u32[7, 8].step2");
        assert!(array.gaps_intact());
        assert_eq!(array.storage_bits(), [7, 0x5a5a_5a5a, 8, 0x5a5a_5a5a]);
        if let AnyArray::U32(storage) = &mut array.storage {
            storage[[1]] = 0;
        }
        assert!(!array.gaps_intact());
        assert_eq!(array.logical_text(), ["7", "8"]);
    }

    #[test]
    fn bits_round_trip_in_every_layout() {
        let bits = [1.5f64.to_bits(), (-0.0f64).to_bits(), f64::NAN.to_bits()];
        for layout in [
            Layout::C,
            Layout::Fortran,
            Layout::Reversed,
            Layout::Strided,
        ] {
            let array = TestArray::from_bits(Scalar::F64, &[3], &bits, layout);
            assert_eq!(array.logical_text(), ["1.5", "-0.0", "NaN"]);
        }
        let array = TestArray::from_bits(Scalar::I32, &[1], &[(-3i32) as u32 as u64], Layout::C);
        assert_eq!(array.storage_bits(), [(-3i64) as u64]);
    }
}
