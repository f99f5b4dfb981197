//! Type variables with union-find, and the sets of scalar types a variable may still take.
//!
//! Every expression and scalar local gets a variable. A variable is either resolved to a
//! [`Type`] or still open, with a mask of the scalar types it may become (an unsuffixed integer
//! literal may become any number; a float literal only a float). Unifying two open variables
//! intersects their masks; an empty mask is a type error. Open literal variables default to
//! `i64` (or `f64` when only floats remain) when the function is finished.

use crate::types::{Scalar, Type};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct VarId(u32);

/// A set of scalar types, plus `()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mask(u16);

impl Mask {
    pub const BOOL: Mask = Mask::of(&[Scalar::Bool]);
    pub const INT: Mask = Mask(Mask::SIGNED_INT.0 | Mask::UNSIGNED_INT.0);
    pub const SIGNED_INT: Mask = Mask::of(&[Scalar::I8, Scalar::I16, Scalar::I32, Scalar::I64]);
    const UNSIGNED_INT: Mask = Mask::of(&[
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::Usize,
    ]);
    pub const FLOAT: Mask = Mask::of(&[Scalar::F32, Scalar::F64]);
    /// The bit after the scalars' (one per `Scalar` variant, by discriminant).
    pub const UNIT: Mask = Mask(1 << Scalar::ALL.len());
    pub const NUM: Mask = Mask(Mask::INT.0 | Mask::FLOAT.0);
    pub const SIGNED_NUM: Mask = Mask(Mask::SIGNED_INT.0 | Mask::FLOAT.0);
    pub const INT_OR_BOOL: Mask = Mask(Mask::INT.0 | Mask::BOOL.0);
    pub const SCALAR: Mask = Mask(Mask::NUM.0 | Mask::BOOL.0);
    pub const ANY: Mask = Mask(Mask::SCALAR.0 | Mask::UNIT.0);

    const fn of(scalars: &[Scalar]) -> Mask {
        let mut bits = 0;
        let mut i = 0;
        while i < scalars.len() {
            bits |= 1 << scalars[i] as u16;
            i += 1;
        }
        Mask(bits)
    }

    fn bit(ty: Type) -> u16 {
        match ty {
            Type::Scalar(s) => Mask::of(&[s]).0,
            Type::Unit => Mask::UNIT.0,
            _ => 0,
        }
    }

    pub fn contains(self, ty: Type) -> bool {
        self.0 & Mask::bit(ty) != 0
    }

    pub fn intersect(self, other: Mask) -> Mask {
        Mask(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_subset_of(self, other: Mask) -> bool {
        self.0 & !other.0 == 0
    }

    /// How an open variable with this mask is described in messages (rustc's `{integer}`).
    pub fn describe(self) -> &'static str {
        if self.is_subset_of(Mask::FLOAT) {
            "{float}"
        } else if self.is_subset_of(Mask::INT) {
            "{integer}"
        } else if self.is_subset_of(Mask::NUM) {
            "{number}"
        } else {
            "_"
        }
    }

    /// The type an open literal variable takes when nothing else decides.
    pub fn default_type(self) -> Option<Scalar> {
        [
            Scalar::I64,
            Scalar::F64,
            Scalar::I32,
            Scalar::Usize,
            Scalar::U64,
            Scalar::U32,
            Scalar::F32,
            Scalar::I16,
            Scalar::U16,
            Scalar::I8,
            Scalar::U8,
        ]
        .into_iter()
        .find(|s| self.contains(Type::Scalar(*s)))
    }
}

#[derive(Clone, Debug)]
struct Var {
    parent: u32,
    resolved: Option<Type>,
    mask: Mask,
    literal: bool,
}

/// Why two types could not be unified.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mismatch {
    pub expected: Described,
    pub found: Described,
}

/// A type or an open variable's mask, for messages.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Described {
    Type(Type),
    Open(Mask),
}

impl std::fmt::Display for Described {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Described::Type(ty) => write!(f, "{ty}"),
            Described::Open(mask) => f.write_str(mask.describe()),
        }
    }
}

impl Described {
    pub fn scalar(self) -> Option<Scalar> {
        match self {
            Described::Type(Type::Scalar(s)) => Some(s),
            _ => None,
        }
    }

    pub fn is_numeric(self) -> bool {
        match self {
            Described::Type(Type::Scalar(s)) => s != Scalar::Bool,
            Described::Open(mask) => mask.is_subset_of(Mask::NUM),
            _ => false,
        }
    }
}

#[derive(Default, Debug)]
pub(crate) struct Vars {
    vars: Vec<Var>,
}

impl Vars {
    pub fn fresh(&mut self, mask: Mask, literal: bool) -> VarId {
        let id = self.vars.len() as u32;
        self.vars.push(Var {
            parent: id,
            resolved: None,
            mask,
            literal,
        });
        VarId(id)
    }

    pub fn known(&mut self, ty: Type) -> VarId {
        let id = self.fresh(Mask::ANY, false);
        self.vars[id.0 as usize].resolved = Some(ty);
        id
    }

    pub fn find(&mut self, v: VarId) -> VarId {
        let mut root = v.0;
        while self.vars[root as usize].parent != root {
            root = self.vars[root as usize].parent;
        }
        let mut cur = v.0;
        while self.vars[cur as usize].parent != root {
            let next = self.vars[cur as usize].parent;
            self.vars[cur as usize].parent = root;
            cur = next;
        }
        VarId(root)
    }

    pub fn resolved(&mut self, v: VarId) -> Option<Type> {
        let root = self.find(v);
        self.vars[root.0 as usize].resolved
    }

    pub fn describe(&mut self, v: VarId) -> Described {
        let root = self.find(v);
        let var = &self.vars[root.0 as usize];
        match var.resolved {
            Some(ty) => Described::Type(ty),
            None => Described::Open(var.mask),
        }
    }

    pub fn is_never(&mut self, v: VarId) -> bool {
        self.resolved(v) == Some(Type::Never)
    }

    /// Makes `expected` and `found` the same type. `Never` fits anything and binds nothing.
    pub fn unify(&mut self, expected: VarId, found: VarId) -> Result<(), Mismatch> {
        let (a, b) = (self.find(expected), self.find(found));
        if a == b {
            return Ok(());
        }
        let (va, vb) = (
            self.vars[a.0 as usize].clone(),
            self.vars[b.0 as usize].clone(),
        );
        let mismatch = Mismatch {
            expected: self.describe(a),
            found: self.describe(b),
        };
        match (va.resolved, vb.resolved) {
            (Some(Type::Never), _) | (_, Some(Type::Never)) => Ok(()),
            (Some(x), Some(y)) => {
                if x == y {
                    Ok(())
                } else {
                    Err(mismatch)
                }
            }
            (Some(x), None) => self.bind(b, x, a, mismatch),
            (None, Some(y)) => self.bind(a, y, b, mismatch),
            (None, None) => {
                let mask = va.mask.intersect(vb.mask);
                if mask.is_empty() {
                    return Err(mismatch);
                }
                self.vars[a.0 as usize].parent = b.0;
                let root = &mut self.vars[b.0 as usize];
                root.mask = mask;
                root.literal = va.literal || vb.literal;
                Ok(())
            }
        }
    }

    fn bind(
        &mut self,
        open: VarId,
        ty: Type,
        into: VarId,
        mismatch: Mismatch,
    ) -> Result<(), Mismatch> {
        if !self.vars[open.0 as usize].mask.contains(ty) {
            return Err(mismatch);
        }
        self.vars[open.0 as usize].parent = into.0;
        Ok(())
    }

    /// Restricts `v` to the types in `mask`; on failure returns what `v` is.
    pub fn constrain(&mut self, v: VarId, mask: Mask) -> Result<(), Described> {
        let root = self.find(v);
        let var = &mut self.vars[root.0 as usize];
        match var.resolved {
            Some(Type::Never) => Ok(()),
            Some(ty) if mask.contains(ty) => Ok(()),
            Some(ty) => Err(Described::Type(ty)),
            None => {
                let narrowed = var.mask.intersect(mask);
                if narrowed.is_empty() {
                    return Err(Described::Open(var.mask));
                }
                var.mask = narrowed;
                Ok(())
            }
        }
    }

    /// Resolves an open literal variable to its default type now (used where a type is needed
    /// before the function is finished, such as the arguments of a generic call).
    pub fn default_now(&mut self, v: VarId) -> Option<Type> {
        let root = self.find(v);
        let var = &mut self.vars[root.0 as usize];
        if var.resolved.is_none() && var.literal {
            var.resolved = var.mask.default_type().map(Type::Scalar);
        }
        var.resolved
    }

    /// The final type of `v`: resolved, or its literal default; `None` if nothing decides it.
    pub fn finish(&mut self, v: VarId) -> Option<Type> {
        self.default_now(v)
    }
}
