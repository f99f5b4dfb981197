//! The kernel language's types.
//!
//! Types are small `Copy` values: scalars, strided argument arrays of rank 1–3, fixed-length
//! local arrays on the stack, and tuples of 2 to 4 scalars (returned values only). There are
//! no references in the language.

use std::fmt;

/// A scalar type. `Usize` is 64 bits wide and distinct from `U64` for type checking only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    Usize,
    F32,
    F64,
}

impl Scalar {
    pub const ALL: [Scalar; 12] = [
        Scalar::Bool,
        Scalar::I8,
        Scalar::I16,
        Scalar::I32,
        Scalar::I64,
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::Usize,
        Scalar::F32,
        Scalar::F64,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::Usize => "usize",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
        }
    }

    pub fn from_name(name: &str) -> Option<Scalar> {
        Scalar::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F64)
    }

    pub fn is_int(self) -> bool {
        !self.is_float() && self != Scalar::Bool
    }

    pub fn is_signed_int(self) -> bool {
        matches!(self, Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64)
    }

    pub fn is_unsigned_int(self) -> bool {
        matches!(
            self,
            Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::U64 | Scalar::Usize
        )
    }

    /// Width in bits of the value's representation (`bool` is stored as one byte).
    pub fn bits(self) -> u32 {
        match self {
            Scalar::Bool | Scalar::I8 | Scalar::U8 => 8,
            Scalar::I16 | Scalar::U16 => 16,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 32,
            Scalar::I64 | Scalar::U64 | Scalar::Usize | Scalar::F64 => 64,
        }
    }

    /// Size in bytes of one array element of this type.
    pub fn size_bytes(self) -> usize {
        (self.bits() / 8) as usize
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An array passed as an argument: any strides (negative, non-contiguous, Fortran order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayType {
    pub elem: Scalar,
    /// 1, 2 or 3.
    pub rank: u8,
    /// Whether the kernel may write through it (`&mut [T]`, `ArrayViewMut2<T>`, …).
    pub mutable: bool,
}

/// The most elements a tuple has.
pub const MAX_TUPLE_LEN: usize = 4;

/// A tuple of 2 to [`MAX_TUPLE_LEN`] scalars: the return type `(f64, i64)`, the type of a call
/// returning it and of a local bound to one. A fixed-size value, so [`Type`] stays `Copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TupleType {
    elems: [Scalar; MAX_TUPLE_LEN],
    len: u8,
}

impl TupleType {
    /// The tuple of these element types, or `None` for fewer than 2 or more than
    /// [`MAX_TUPLE_LEN`].
    pub fn new(elems: &[Scalar]) -> Option<TupleType> {
        if !(2..=MAX_TUPLE_LEN).contains(&elems.len()) {
            return None;
        }
        let mut stored = [Scalar::Bool; MAX_TUPLE_LEN];
        stored[..elems.len()].copy_from_slice(elems);
        Some(TupleType {
            elems: stored,
            len: elems.len() as u8,
        })
    }

    pub fn elems(&self) -> &[Scalar] {
        &self.elems[..self.len as usize]
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Never true (a tuple has at least two elements); for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The type of element `index`, if there is one.
    pub fn elem(&self, index: u32) -> Option<Scalar> {
        self.elems().get(index as usize).copied()
    }
}

impl fmt::Display for TupleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.elems().iter().map(|s| s.name()).collect();
        write!(f, "({})", names.join(", "))
    }
}

/// The type of a value, a local or an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `()`: statements, functions without a return type, loops without `break value`.
    Unit,
    /// The type of `return`, `break`, `continue` and `loop` without `break`: never produces a
    /// value, so it fits wherever any type is expected.
    Never,
    Scalar(Scalar),
    /// An array parameter (strided view). Only ever the type of a parameter local.
    Array(ArrayType),
    /// A local `[T; len]` on the stack: rank 1, contiguous, constant length.
    Fixed {
        elem: Scalar,
        len: u32,
    },
    /// A tuple of scalars: a returned value, a call returning one, or a local bound to one.
    Tuple(TupleType),
}

impl Type {
    pub fn as_scalar(self) -> Option<Scalar> {
        match self {
            Type::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// What a value of this type travels as in a raw slot or register: a scalar as itself,
    /// an array (a returned one) as a `usize`, the address of its
    /// [`crate::alloc::OwnedArray`]; nothing for `()`.
    pub fn raw_scalar(self) -> Option<Scalar> {
        match self {
            Type::Scalar(s) => Some(s),
            Type::Array(_) => Some(Scalar::Usize),
            _ => None,
        }
    }

    /// The scalars a value of this type travels as, one raw slot or register each: a tuple's
    /// elements, else [`Type::raw_scalar`] (nothing for `()`).
    pub fn raw_scalars(self) -> Vec<Scalar> {
        match self {
            Type::Tuple(tuple) => tuple.elems().to_vec(),
            other => other.raw_scalar().into_iter().collect(),
        }
    }

    pub fn as_tuple(self) -> Option<TupleType> {
        match self {
            Type::Tuple(tuple) => Some(tuple),
            _ => None,
        }
    }

    /// Element type for arrays of both kinds.
    pub fn array_elem(self) -> Option<Scalar> {
        match self {
            Type::Array(a) => Some(a.elem),
            Type::Fixed { elem, .. } => Some(elem),
            _ => None,
        }
    }

    pub fn array_rank(self) -> Option<u8> {
        match self {
            Type::Array(a) => Some(a.rank),
            Type::Fixed { .. } => Some(1),
            _ => None,
        }
    }

    pub fn is_array(self) -> bool {
        matches!(self, Type::Array(_) | Type::Fixed { .. })
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Unit => f.write_str("()"),
            Type::Never => f.write_str("!"),
            Type::Scalar(s) => write!(f, "{s}"),
            Type::Array(a) => {
                let m = if a.mutable { "Mut" } else { "" };
                write!(f, "ArrayView{m}{}<{}>", a.rank, a.elem)
            }
            Type::Fixed { elem, len } => write!(f, "[{elem}; {len}]"),
            Type::Tuple(tuple) => write!(f, "{tuple}"),
        }
    }
}

/// The type of one runtime argument, as far as specialisation cares: what `_` parameters are
/// instantiated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgType {
    Scalar(Scalar),
    /// An array argument; `mutable` says whether the caller handed a writable view.
    Array {
        elem: Scalar,
        rank: u8,
        mutable: bool,
    },
}

impl fmt::Display for ArgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ArgType::Scalar(s) => write!(f, "{s}"),
            ArgType::Array {
                elem,
                rank,
                mutable,
            } => Type::Array(ArrayType {
                elem,
                rank,
                mutable,
            })
            .fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Scalar;

    /// The checker's type masks give each scalar the bit of its discriminant, and name
    /// lookups walk `ALL`: both need `ALL` in declaration order with nothing missing.
    #[test]
    fn all_lists_every_scalar_in_declaration_order() {
        for (position, scalar) in Scalar::ALL.into_iter().enumerate() {
            assert_eq!(scalar as usize, position, "{scalar}");
            assert_eq!(Scalar::from_name(scalar.name()), Some(scalar));
        }
        assert_eq!(Scalar::F64 as usize + 1, Scalar::ALL.len());
    }

    #[test]
    fn small_integers_have_their_width_and_signedness() {
        let facts = [(Scalar::I8, 8, true), (Scalar::U8, 8, false)];
        let more = [(Scalar::I16, 16, true), (Scalar::U16, 16, false)];
        for (scalar, bits, signed) in facts.into_iter().chain(more) {
            assert_eq!(scalar.bits(), bits);
            assert_eq!(scalar.size_bytes() * 8, bits as usize);
            assert_eq!(scalar.is_signed_int(), signed);
            assert_eq!(scalar.is_unsigned_int(), !signed);
        }
    }
}
