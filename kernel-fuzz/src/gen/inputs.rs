//! Random inputs for a program: the arrays' shapes chosen together, size parameters from the
//! extents they stand for, and scalar and element values as raw bits.

use std::fmt::Write as _;

use super::{shapes, ArraySpec, Form, Input, Layout, Param, Program, Rng, Ty};

/// Random arguments for `program` (from its own stream `seed`). The arrays' shapes are
/// chosen together (see [`array_shapes`]), and each size parameter from the extent it
/// stands for (see `shapes::size_value`).
pub fn inputs(program: &Program, seed: u64) -> Vec<Input> {
    let mut rng = Rng::new(seed ^ 0xa076_1d64_78bd_642f);
    let specs: Vec<&ArraySpec> = program
        .params
        .iter()
        .filter_map(|param| match param {
            Param::Array(spec) => Some(spec),
            Param::Scalar { .. } => None,
        })
        .collect();
    let shapes = array_shapes(&mut rng, &specs);
    let shape_of = |name: &str| {
        specs
            .iter()
            .zip(&shapes)
            .find(|(spec, _)| spec.name == name)
            .map(|(_, shape)| shape.clone())
    };
    program
        .params
        .iter()
        .map(|param| match param {
            // A `_` parameter gets an argument of any type: each new type is a new
            // specialisation of the same function.
            Param::Scalar { generic: true, .. } => {
                let ty = *rng.pick(&Ty::ALL);
                Input::Scalar(ty, ty.random_bits(&mut rng))
            }
            Param::Scalar { name, ty, .. } => {
                match program.sizes.iter().find(|s| &s.name == name) {
                    Some(size) => {
                        let extent = shape_of(&size.array)
                            .and_then(|shape| shape.get(size.axis).copied())
                            .unwrap_or(0);
                        Input::Scalar(*ty, shapes::size_value(&mut rng, extent) as u64)
                    }
                    None => Input::Scalar(*ty, ty.random_bits(&mut rng)),
                }
            }
            Param::Array(spec) => {
                let shape = shape_of(&spec.name).unwrap_or_default();
                random_array(&mut rng, spec, shape)
            }
        })
        .collect()
}

/// The shapes of a call's arrays, chosen together so that loops over one array's extents
/// often stay inside the others': all axes of all arrays one extent (square), or axis `k` of
/// every array one extent `d_k` (rectangular), or each axis one of two extents, or (as before
/// loop shapes) every axis on its own. Extents are small (up to 4; up to 8 now and then, so
/// vector loops take several trips); now and then one is 0, and now and then axis 0 is long,
/// so that `prange` loops over it give every chunk several iterations (with at most 4, each of
/// the 8 chunks of two threads runs one).
pub fn array_shapes(rng: &mut Rng, specs: &[&ArraySpec]) -> Vec<Vec<usize>> {
    let extent = |rng: &mut Rng| {
        if rng.chance(2) {
            0
        } else {
            1 + rng.below(4) as usize
        }
    };
    let long = |rng: &mut Rng| 9 + rng.below(16) as usize;
    let common = |rng: &mut Rng| {
        if rng.chance(5) {
            0
        } else {
            1 + rng.below(4) as usize
        }
    };
    match rng.below(20) {
        0..=10 => {
            // Now and then a few more, so that vector loops take several trips and leave a
            // remainder.
            let n = if rng.chance(15) {
                5 + rng.below(4) as usize
            } else {
                common(rng)
            };
            let first = if rng.chance(10) { long(rng) } else { n };
            specs
                .iter()
                .map(|spec| {
                    (0..spec.rank)
                        .map(|axis| if axis == 0 { first } else { n })
                        .collect()
                })
                .collect()
        }
        11..=14 => {
            let mut dims = [common(rng), common(rng), common(rng)];
            if rng.chance(10) {
                dims[0] = long(rng);
            }
            specs
                .iter()
                .map(|spec| dims[..spec.rank].to_vec())
                .collect()
        }
        15..=16 => {
            let pool = [extent(rng), extent(rng)];
            specs
                .iter()
                .map(|spec| {
                    let mut shape: Vec<usize> = (0..spec.rank).map(|_| *rng.pick(&pool)).collect();
                    if rng.chance(8) {
                        shape[0] = long(rng);
                    }
                    shape
                })
                .collect()
        }
        _ => specs
            .iter()
            .map(|spec| {
                let mut shape: Vec<usize> = (0..spec.rank).map(|_| extent(rng)).collect();
                if rng.chance(12) {
                    shape[0] = long(rng);
                }
                shape
            })
            .collect(),
    }
}

fn random_array(rng: &mut Rng, spec: &ArraySpec, shape: Vec<usize>) -> Input {
    let count: usize = shape.iter().product();
    let data = (0..count).map(|_| spec.elem.random_bits(rng)).collect();
    let layout = match (spec.form, rng.below(4)) {
        (Form::Slice, _) | (_, 0) => Layout::C,
        (_, 1) if spec.rank > 1 => Layout::Fortran,
        (Form::View, 2) => Layout::Strided,
        _ => Layout::Reversed,
    };
    Input::Array {
        elem: spec.elem,
        shape,
        data,
        layout,
    }
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Scalar(ty, bits) => write!(f, "{}", value_text(*ty, *bits)),
            Input::Array {
                elem,
                shape,
                data,
                layout,
            } => {
                let mut text = String::new();
                for (i, bits) in data.iter().enumerate() {
                    if i > 0 {
                        text.push_str(", ");
                    }
                    let _ = write!(text, "{}", value_text(*elem, *bits));
                }
                write!(f, "{}{shape:?} {layout:?} [{text}]", elem.name())
            }
        }
    }
}

/// A value's text from its bits (floats with `{:?}`, so `-0.0` and `NaN` show).
pub fn value_text(ty: Ty, bits: u64) -> String {
    match ty {
        Ty::Bool => (bits & 1 != 0).to_string(),
        Ty::I8 => (bits as i8).to_string(),
        Ty::I16 => (bits as i16).to_string(),
        Ty::U8 => (bits as u8).to_string(),
        Ty::U16 => (bits as u16).to_string(),
        Ty::I32 => (bits as i32).to_string(),
        Ty::I64 => (bits as i64).to_string(),
        Ty::U32 => (bits as u32).to_string(),
        Ty::U64 | Ty::Usize => bits.to_string(),
        Ty::F32 => format!("{:?}", f32::from_bits(bits as u32)),
        Ty::F64 => format!("{:?}", f64::from_bits(bits)),
    }
}

impl Ty {
    /// The bit pattern of a value of this type, widened to 64 bits the way the runtime's raw
    /// slots hold it (signed ints sign-extended, `f32` in the low 32 bits).
    fn random_bits(self, rng: &mut Rng) -> u64 {
        match self {
            Ty::Bool => rng.below(2),
            Ty::I8 => random_i64(rng, i8::MIN.into(), i8::MAX.into()) as u64,
            Ty::I16 => random_i64(rng, i16::MIN.into(), i16::MAX.into()) as u64,
            Ty::U8 => random_u64(rng, u8::MAX.into()),
            Ty::U16 => random_u64(rng, u16::MAX.into()),
            Ty::I32 => random_i64(rng, i32::MIN.into(), i32::MAX.into()) as u64,
            Ty::I64 => random_i64(rng, i64::MIN, i64::MAX) as u64,
            Ty::U32 => random_u64(rng, u32::MAX.into()),
            Ty::U64 | Ty::Usize => random_u64(rng, u64::MAX),
            Ty::F32 => random_f32(rng).to_bits().into(),
            Ty::F64 => random_f64(rng).to_bits(),
        }
    }
}

fn random_i64(rng: &mut Rng, min: i64, max: i64) -> i64 {
    match rng.below(10) {
        0..=4 => rng.below(11) as i64 - 5,
        5 => *rng.pick(&[min, max, min + 1, max - 1, -1, 0]),
        6 => (rng.below(300) as i64 - 150).clamp(min, max),
        _ => {
            let span = (max as i128 - min as i128 + 1) as u128;
            (min as i128 + (rng.next_u64() as u128 % span) as i128) as i64
        }
    }
}

fn random_u64(rng: &mut Rng, max: u64) -> u64 {
    match rng.below(10) {
        0..=4 => rng.below(6),
        5 => *rng.pick(&[max, max - 1, 0, 1, max / 2 + 1]),
        6 => rng.below(300).min(max),
        _ => rng.next_u64() & max,
    }
}

fn random_f64(rng: &mut Rng) -> f64 {
    match rng.below(12) {
        0 => *rng.pick(&[
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            9.3e18,
            -9.3e18,
            4.3e9,
        ]),
        1 => f64::from_bits(rng.next_u64()),
        2..=5 => (rng.below(21) as f64 - 10.0) / 2.0,
        _ => (rng.next_u64() as i64 as f64) / (1u64 << rng.below(64)) as f64,
    }
}

fn random_f32(rng: &mut Rng) -> f32 {
    match rng.below(12) {
        0 => *rng.pick(&[
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -0.0,
            0.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1e-45,
            2.2e9,
            -2.2e9,
        ]),
        1 => f32::from_bits(rng.next_u64() as u32),
        _ => random_f64(rng) as f32,
    }
}
