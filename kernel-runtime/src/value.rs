//! Values crossing the API: kernel return values (scalars, tuples and returned arrays) and
//! scalar arguments.

use std::fmt;

use kernel_ir::abi::RawReturn;
use kernel_ir::alloc::{ElementType, OwnedArray};
use kernel_ir::{Scalar, Type};
use ndarray::{ArrayD, IxDyn};

/// A kernel's return value (or a scalar argument).
///
/// `Display` prints integers and `bool` with `{}` and floats with `{:?}` (`20.0`, `NaN`,
/// `inf`): exactly what `kernelc run` prints. `Unit` (no return value) prints as `()`; an
/// array as its type and shape (`Array2<f64> [3, 4]`); a tuple as Rust prints one, its
/// elements' displays in parentheses (`(1.5, 3)`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Unit,
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    Usize(usize),
    F32(f32),
    F64(f64),
    /// An array the kernel allocated and returned (`-> Array1<f64>`), owned by the caller
    /// (boxed: it keeps `Value` as small as a scalar).
    Array(Box<ArrayValue>),
    /// A returned tuple (`-> (f64, i64)`): its elements, scalars, in order.
    Tuple(Vec<Value>),
}

/// An array a kernel returned: an `ndarray` array of its element type, in C order, taken over
/// without a copy.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayValue {
    Bool(ArrayD<bool>),
    I8(ArrayD<i8>),
    U8(ArrayD<u8>),
    I16(ArrayD<i16>),
    U16(ArrayD<u16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    Usize(ArrayD<usize>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Calls `$mac!` with every `ArrayValue` variant and its element type.
macro_rules! array_value_variants {
    ($mac:ident) => {
        $mac! { Bool: bool, I8: i8, U8: u8, I16: i16, U16: u16, I32: i32, I64: i64, U32: u32, U64: u64, Usize: usize, F32: f32, F64: f64 }
    };
}

impl ArrayValue {
    /// Takes over an array a kernel allocated, without copying its elements.
    pub fn from_owned(owned: OwnedArray) -> ArrayValue {
        let shape = IxDyn(&owned.dims());
        macro_rules! convert {
            ($($variant:ident: $t:ty),*) => {
                match owned.elem {
                    $(Scalar::$variant => ArrayValue::$variant(into_array::<$t>(owned, shape)),)*
                }
            };
        }
        array_value_variants!(convert)
    }

    /// The element type.
    pub fn elem(&self) -> Scalar {
        macro_rules! elem {
            ($($variant:ident: $t:ty),*) => {
                match self {
                    $(ArrayValue::$variant(_) => Scalar::$variant,)*
                }
            };
        }
        array_value_variants!(elem)
    }

    /// The extent of each axis.
    pub fn shape(&self) -> &[usize] {
        macro_rules! shape {
            ($($variant:ident: $t:ty),*) => {
                match self {
                    $(ArrayValue::$variant(a) => a.shape(),)*
                }
            };
        }
        array_value_variants!(shape)
    }

    /// The array if its elements are `T`.
    pub fn as_array<T: ArrayElement>(&self) -> Option<&ArrayD<T>> {
        T::of(self)
    }

    /// The array if its elements are `T`, or the value back.
    pub fn into_array<T: ArrayElement>(self) -> Result<ArrayD<T>, ArrayValue> {
        T::take(self)
    }
}

/// The element types an [`ArrayValue`] holds.
pub trait ArrayElement: ElementType {
    fn of(value: &ArrayValue) -> Option<&ArrayD<Self>>;
    fn take(value: ArrayValue) -> Result<ArrayD<Self>, ArrayValue>;
}

macro_rules! array_elements {
    ($($variant:ident: $t:ty),*) => {
        $(impl ArrayElement for $t {
            fn of(value: &ArrayValue) -> Option<&ArrayD<$t>> {
                match value {
                    ArrayValue::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn take(value: ArrayValue) -> Result<ArrayD<$t>, ArrayValue> {
                match value {
                    ArrayValue::$variant(a) => Ok(a),
                    other => Err(other),
                }
            }
        })*
    };
}
array_value_variants!(array_elements);

/// The elements of `owned` as an `ndarray` array of `shape` (the caller dispatched on
/// `owned.elem`, so `T` is its element type).
fn into_array<T: ElementType>(owned: OwnedArray, shape: IxDyn) -> ArrayD<T> {
    let elements = owned.into_vec::<T>().unwrap_or_default();
    // The length is the product of the extents by construction.
    ArrayD::from_shape_vec(shape, elements).unwrap_or_else(|_| ArrayD::default(IxDyn(&[0])))
}

impl fmt::Display for ArrayValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shape: Vec<String> = self.shape().iter().map(usize::to_string).collect();
        write!(
            f,
            "Array{}<{}> [{}]",
            self.shape().len(),
            self.elem(),
            shape.join(", ")
        )
    }
}

impl Value {
    /// The scalar type of the value (`None` for `Unit`).
    pub fn scalar(&self) -> Option<Scalar> {
        Some(match self {
            Value::Unit => return None,
            Value::Bool(_) => Scalar::Bool,
            Value::I8(_) => Scalar::I8,
            Value::I16(_) => Scalar::I16,
            Value::U8(_) => Scalar::U8,
            Value::U16(_) => Scalar::U16,
            Value::I32(_) => Scalar::I32,
            Value::I64(_) => Scalar::I64,
            Value::U32(_) => Scalar::U32,
            Value::U64(_) => Scalar::U64,
            Value::Usize(_) => Scalar::Usize,
            Value::F32(_) => Scalar::F32,
            Value::F64(_) => Scalar::F64,
            Value::Array(_) | Value::Tuple(_) => return None,
        })
    }

    /// The returned array, if the value is one.
    pub fn as_array(&self) -> Option<&ArrayValue> {
        match self {
            Value::Array(array) => Some(array),
            _ => None,
        }
    }

    /// The returned array, if the value is one.
    pub fn into_array(self) -> Option<ArrayValue> {
        match self {
            Value::Array(array) => Some(*array),
            _ => None,
        }
    }

    /// The elements of a returned tuple, if the value is one.
    pub fn as_tuple(&self) -> Option<&[Value]> {
        match self {
            Value::Tuple(elements) => Some(elements),
            _ => None,
        }
    }

    pub fn is_unit(&self) -> bool {
        matches!(self, Value::Unit)
    }

    /// The raw 64-bit form of [`kernel_ir::abi::RawScalar`] (normalised).
    pub(crate) fn to_raw(&self) -> u64 {
        match *self {
            Value::Unit | Value::Array(_) | Value::Tuple(_) => 0,
            Value::Bool(b) => b as u64,
            Value::I8(v) => v as i64 as u64,
            Value::I16(v) => v as i64 as u64,
            Value::U8(v) => v as u64,
            Value::U16(v) => v as u64,
            Value::I32(v) => v as i64 as u64,
            Value::I64(v) => v as u64,
            Value::U32(v) => v as u64,
            Value::U64(v) => v,
            Value::Usize(v) => v as u64,
            Value::F32(v) => v.to_bits() as u64,
            Value::F64(v) => v.to_bits(),
        }
    }

    /// The value a call of a function returning `ty` produced in its raw slots: a scalar, a
    /// tuple of scalars, or for an array type the array the kernel allocated, taken over.
    ///
    /// # Safety
    /// For an array type, slot 0 is the address of a boxed `OwnedArray` leaked by the call
    /// (every tier returns arrays so), taken back here exactly once.
    pub(crate) unsafe fn from_returned(ty: Type, raw: RawReturn) -> Value {
        if let Type::Tuple(tuple) = ty {
            let elements = tuple.elems().iter().zip(raw.0);
            return Value::Tuple(
                elements
                    .map(|(&s, bits)| Value::from_raw(Type::Scalar(s), bits))
                    .collect(),
            );
        }
        let raw = raw.first();
        if let Type::Array(_) = ty {
            if raw == 0 {
                return Value::Unit;
            }
            // SAFETY: the caller's contract.
            let owned = unsafe { OwnedArray::from_raw(raw as *mut OwnedArray) };
            return Value::Array(Box::new(ArrayValue::from_owned(*owned)));
        }
        Value::from_raw(ty, raw)
    }

    /// The value of type `ty` held in a raw slot; `Unit` for non-scalar types.
    pub(crate) fn from_raw(ty: Type, raw: u64) -> Value {
        match ty.as_scalar() {
            Some(Scalar::Bool) => Value::Bool(raw & 1 != 0),
            Some(Scalar::I8) => Value::I8(raw as i8),
            Some(Scalar::I16) => Value::I16(raw as i16),
            Some(Scalar::U8) => Value::U8(raw as u8),
            Some(Scalar::U16) => Value::U16(raw as u16),
            Some(Scalar::I32) => Value::I32(raw as i32),
            Some(Scalar::I64) => Value::I64(raw as i64),
            Some(Scalar::U32) => Value::U32(raw as u32),
            Some(Scalar::U64) => Value::U64(raw),
            Some(Scalar::Usize) => Value::Usize(raw as usize),
            Some(Scalar::F32) => Value::F32(f32::from_bits(raw as u32)),
            Some(Scalar::F64) => Value::F64(f64::from_bits(raw)),
            None => Value::Unit,
        }
    }
}

macro_rules! accessors {
    ($($name:ident => $variant:ident : $t:ty),*) => {
        impl Value {
            $(
                #[doc = concat!("The value if it is a `", stringify!($t), "`.")]
                pub fn $name(&self) -> Option<$t> {
                    match *self {
                        Value::$variant(v) => Some(v),
                        _ => None,
                    }
                }
            )*
        }
        $(
            impl From<$t> for Value {
                fn from(v: $t) -> Value {
                    Value::$variant(v)
                }
            }
        )*
    };
}
accessors!(
    as_bool => Bool: bool, as_i8 => I8: i8, as_i16 => I16: i16, as_u8 => U8: u8,
    as_u16 => U16: u16, as_i32 => I32: i32, as_i64 => I64: i64, as_u32 => U32: u32,
    as_u64 => U64: u64, as_usize => Usize: usize, as_f32 => F32: f32, as_f64 => F64: f64
);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unit => f.write_str("()"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::I8(v) => write!(f, "{v}"),
            Value::I16(v) => write!(f, "{v}"),
            Value::U8(v) => write!(f, "{v}"),
            Value::U16(v) => write!(f, "{v}"),
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::U32(v) => write!(f, "{v}"),
            Value::U64(v) => write!(f, "{v}"),
            Value::Usize(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v:?}"),
            Value::F64(v) => write!(f, "{v:?}"),
            Value::Array(array) => write!(f, "{array}"),
            Value::Tuple(elements) => {
                f.write_str("(")?;
                for (index, element) in elements.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{element}")?;
                }
                f.write_str(")")
            }
        }
    }
}
