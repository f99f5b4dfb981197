//! Named constants (`f64::consts::PI`, `i64::MAX`, `u32::BITS`, …) and the `use` items that make
//! bare names such as `PI` resolve.
//!
//! Every value is taken from Rust's own `std` constant, so the kernel sees exactly the number
//! `rustc` would.

use std::collections::HashMap;

use crate::ir::Lit;
use crate::types::Scalar;

/// The names under `std::f64::consts` (and `f32`).
pub(super) const FLOAT_CONSTS: [&str; 19] = [
    "PI",
    "E",
    "TAU",
    "SQRT_2",
    "LN_2",
    "LN_10",
    "LOG2_E",
    "LOG10_E",
    "LOG2_10",
    "LOG10_2",
    "FRAC_PI_2",
    "FRAC_PI_3",
    "FRAC_PI_4",
    "FRAC_PI_6",
    "FRAC_PI_8",
    "FRAC_1_PI",
    "FRAC_2_PI",
    "FRAC_2_SQRT_PI",
    "FRAC_1_SQRT_2",
];

/// `std::f64::consts::NAME` (or `f32`), as a literal of the float type.
pub(super) fn float_math_const(ty: Scalar, name: &str) -> Option<(Lit, Option<Scalar>)> {
    macro_rules! pick {
        ($($name:ident),*) => {
            match (ty, name) {
                $(
                    (Scalar::F64, stringify!($name)) => std::f64::consts::$name,
                    (Scalar::F32, stringify!($name)) => f64::from(std::f32::consts::$name),
                )*
                _ => return None,
            }
        };
    }
    let value = pick!(
        PI,
        E,
        TAU,
        SQRT_2,
        LN_2,
        LN_10,
        LOG2_E,
        LOG10_E,
        LOG2_10,
        LOG10_2,
        FRAC_PI_2,
        FRAC_PI_3,
        FRAC_PI_4,
        FRAC_PI_6,
        FRAC_PI_8,
        FRAC_1_PI,
        FRAC_2_PI,
        FRAC_2_SQRT_PI,
        FRAC_1_SQRT_2
    );
    Some((Lit::Float(value), Some(ty)))
}

/// `T::NAME` for a scalar type `T` (`f64::INFINITY`, `i64::MAX`, `u32::BITS`).
pub(super) fn assoc_const(ty: Scalar, name: &str) -> Option<(Lit, Option<Scalar>)> {
    macro_rules! float {
        ($t:ident) => {
            match name {
                "INFINITY" => $t::INFINITY,
                "NEG_INFINITY" => $t::NEG_INFINITY,
                "NAN" => $t::NAN,
                "EPSILON" => $t::EPSILON,
                "MIN" => $t::MIN,
                "MAX" => $t::MAX,
                "MIN_POSITIVE" => $t::MIN_POSITIVE,
                _ => return None,
            }
        };
    }
    macro_rules! int {
        ($t:ident) => {
            match name {
                "MIN" => $t::MIN as i128,
                "MAX" => $t::MAX as i128,
                "BITS" => return Some((Lit::Int(i128::from($t::BITS)), Some(Scalar::U32))),
                _ => return None,
            }
        };
    }
    let lit = match ty {
        Scalar::F64 => Lit::Float(float!(f64)),
        Scalar::F32 => Lit::Float(f64::from(float!(f32))),
        Scalar::I8 => Lit::Int(int!(i8)),
        Scalar::I16 => Lit::Int(int!(i16)),
        Scalar::I32 => Lit::Int(int!(i32)),
        Scalar::I64 => Lit::Int(int!(i64)),
        Scalar::U8 => Lit::Int(int!(u8)),
        Scalar::U16 => Lit::Int(int!(u16)),
        Scalar::U32 => Lit::Int(int!(u32)),
        Scalar::U64 => Lit::Int(int!(u64)),
        Scalar::Usize => Lit::Int(int!(u64)),
        Scalar::Bool => return None,
    };
    Some((lit, Some(ty)))
}

/// The names a source's `use` items bring into scope.
#[derive(Debug, Default)]
pub(crate) struct Imports {
    /// `use std::f64::consts::PI;` → `PI` ↦ (f64, "PI"); renames keep the original name.
    constants: HashMap<String, (Scalar, String)>,
    /// `use std::f64::consts;` → `consts` ↦ f64.
    modules: HashMap<String, Scalar>,
}

impl Imports {
    /// Records what one `use` tree imports; anything that is not a float constant is ignored.
    pub(super) fn add_use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.add_use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let ident = name.ident.to_string();
                self.add_name(prefix, &ident, &ident);
            }
            syn::UseTree::Rename(rename) => {
                self.add_name(
                    prefix,
                    &rename.ident.to_string(),
                    &rename.rename.to_string(),
                );
            }
            syn::UseTree::Glob(_) => {
                if let Some(ty) = consts_module(prefix) {
                    for name in FLOAT_CONSTS {
                        self.constants
                            .insert(name.to_string(), (ty, name.to_string()));
                    }
                }
            }
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    self.add_use_tree(prefix, item);
                }
            }
        }
    }

    fn add_name(&mut self, prefix: &[String], name: &str, alias: &str) {
        if let Some(ty) = consts_module(prefix) {
            if FLOAT_CONSTS.contains(&name) {
                self.constants
                    .insert(alias.to_string(), (ty, name.to_string()));
            }
        } else if name == "consts" {
            let mut full = prefix.to_vec();
            full.push(name.to_string());
            if let Some(ty) = consts_module(&full) {
                self.modules.insert(alias.to_string(), ty);
            }
        }
    }

    /// Resolves a constant path (segments as written).
    pub(super) fn resolve(&self, segments: &[String]) -> Option<(Lit, Option<Scalar>)> {
        let segments = strip_std(segments);
        match segments {
            [name] => {
                let (ty, original) = self.constants.get(name)?;
                float_math_const(*ty, original)
            }
            [module, name] => match Scalar::from_name(module) {
                Some(ty) => assoc_const(ty, name),
                None => float_math_const(*self.modules.get(module)?, name),
            },
            [ty, consts, name] if consts == "consts" => {
                float_math_const(Scalar::from_name(ty)?, name)
            }
            _ => None,
        }
    }

    /// Names usable as bare constants (for suggestions).
    pub(super) fn constant_names(&self) -> impl Iterator<Item = &str> {
        self.constants.keys().map(String::as_str)
    }
}

/// `std::f64::consts` / `core::f32::consts` / `f64::consts` → the float type.
fn consts_module(path: &[String]) -> Option<Scalar> {
    match strip_std(path) {
        [ty, consts] if consts == "consts" => Scalar::from_name(ty).filter(|ty| ty.is_float()),
        _ => None,
    }
}

/// Drops a leading `std::` or `core::`.
pub(super) fn strip_std(segments: &[String]) -> &[String] {
    match segments.split_first() {
        Some((first, rest)) if first == "std" || first == "core" => rest,
        _ => segments,
    }
}
