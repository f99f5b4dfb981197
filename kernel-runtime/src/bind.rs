//! Argument checks shared by every tier: each argument against its parameter (scalar type,
//! element type, rank, mutability), then the aliasing rule, lowering each to its raw form.

use kernel_ir::abi::{RawArg, RawScalar};
use kernel_ir::{ArgType, ParamInfo, Type};

use crate::arg::Arg;
use crate::error::ArgumentError;
use crate::value::Value;

/// The raw form of an argument whose type was checked already.
pub(crate) fn raw_of(arg: &Arg<'_>) -> RawArg {
    match arg {
        Arg::Scalar(value) => RawArg::Scalar(RawScalar(value.to_raw())),
        Arg::Array(array) | Arg::ArrayMut(array) => RawArg::Array(array.raw()),
    }
}

/// Checks every argument against its parameter and lowers it to its raw form.
pub(crate) fn bind(
    args: &[Arg<'_>],
    params: &[ParamInfo],
    types: &[Type],
) -> Result<Vec<RawArg>, ArgumentError> {
    let mut raw = Vec::with_capacity(args.len());
    for ((arg, param), ty) in args.iter().zip(params).zip(types) {
        raw.push(bind_one(arg, param, *ty)?);
    }
    check_aliasing(args, params, types)?;
    Ok(raw)
}

pub(crate) fn check_rank(arg: &Arg<'_>, param: &str) -> Result<(), ArgumentError> {
    match arg {
        Arg::Array(a) | Arg::ArrayMut(a) if !(1..=3).contains(&a.rank()) => {
            Err(ArgumentError::UnsupportedRank {
                param: param.to_string(),
                rank: a.rank(),
            })
        }
        _ => Ok(()),
    }
}

fn bind_one(arg: &Arg<'_>, param: &ParamInfo, expected: Type) -> Result<RawArg, ArgumentError> {
    let name = || param.name.clone();
    check_rank(arg, &param.name)?;
    match (arg, expected) {
        (Arg::Scalar(Value::Unit), _) => Err(ArgumentError::Unit { param: name() }),
        (Arg::Scalar(value), Type::Scalar(s)) => match value.scalar() {
            Some(got) if got == s => Ok(RawArg::Scalar(RawScalar(value.to_raw()))),
            got => Err(ArgumentError::ScalarType {
                param: name(),
                expected: s,
                got: got.unwrap_or(s),
            }),
        },
        (Arg::Scalar(value), expected) => Err(ArgumentError::ScalarForArray {
            param: name(),
            expected,
            got: Box::new(value.clone()),
        }),
        (Arg::Array(array) | Arg::ArrayMut(array), Type::Array(want)) => {
            let got = arg
                .arg_type()
                .ok_or_else(|| ArgumentError::Unit { param: name() })?;
            if array.elem() != want.elem {
                return Err(ArgumentError::ElementType {
                    param: name(),
                    expected,
                    got,
                });
            }
            if array.rank() != want.rank as usize {
                return Err(ArgumentError::Rank {
                    param: name(),
                    expected,
                    got,
                });
            }
            if want.mutable && matches!(arg, Arg::Array(_)) {
                return Err(ArgumentError::Mutability {
                    param: name(),
                    expected,
                    got,
                });
            }
            Ok(RawArg::Array(array.raw()))
        }
        (Arg::Array(_) | Arg::ArrayMut(_), expected) => Err(ArgumentError::ArrayForScalar {
            param: name(),
            expected,
            got: arg
                .arg_type()
                .unwrap_or(ArgType::Scalar(kernel_ir::Scalar::Bool)),
        }),
    }
}

/// Rejects a call in which an array the kernel may write overlaps another array argument.
/// It runs on every call, so the byte ranges are computed once each, on the stack for up to
/// [`STACK_ARGS`] arguments.
pub(crate) fn check_aliasing(
    args: &[Arg<'_>],
    params: &[ParamInfo],
    types: &[Type],
) -> Result<(), ArgumentError> {
    let range = |(arg, ty): (&Arg<'_>, &Type)| match (arg, ty) {
        (Arg::Array(a) | Arg::ArrayMut(a), Type::Array(t)) => {
            a.byte_range().map(|(lo, hi)| (lo, hi, t.mutable))
        }
        _ => None,
    };
    let mut stack = [None; STACK_ARGS];
    let mut heap = Vec::new();
    let ranges: &mut [Option<(i128, i128, bool)>] = match stack.get_mut(..args.len()) {
        Some(ranges) => ranges,
        None => {
            heap.resize(args.len(), None);
            &mut heap
        }
    };
    for (slot, pair) in ranges.iter_mut().zip(args.iter().zip(types)) {
        *slot = range(pair);
    }
    for (i, writable) in ranges.iter().enumerate() {
        let Some((lo, hi, true)) = *writable else {
            continue;
        };
        for (j, other) in ranges.iter().enumerate() {
            if let Some((other_lo, other_hi, _)) = *other {
                if i != j && lo < other_hi && other_lo < hi {
                    return Err(ArgumentError::Aliasing {
                        writable: params[i].name.clone(),
                        other: params[j].name.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Calls with up to this many arguments check aliasing without allocating.
const STACK_ARGS: usize = 16;

/// What an argument was when a [`Prepared`] handle was made: a later argument of the same kind
/// passes the same type checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgKind {
    Scalar(Option<kernel_ir::Scalar>),
    Array {
        elem: kernel_ir::Scalar,
        rank: usize,
        writable: bool,
    },
}

impl ArgKind {
    pub(crate) fn of(arg: &Arg<'_>) -> ArgKind {
        match arg {
            Arg::Scalar(value) => ArgKind::Scalar(value.scalar()),
            Arg::Array(a) | Arg::ArrayMut(a) => ArgKind::Array {
                elem: a.elem(),
                rank: a.rank(),
                writable: matches!(arg, Arg::ArrayMut(_)),
            },
        }
    }
}
