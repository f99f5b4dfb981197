//! Binding `NAME=VALUE` arguments to a kernel's parameters.
//!
//! Every parameter gets exactly one value: a scalar literal read as the parameter's type, or a
//! `.npy` file whose dtype and rank must match the parameter (for `_` parameters: any scalar
//! literal, or any file of rank 1 to 3, keeping its dtype and rank). All checks happen here,
//! before the kernel runs, and each failure names the parameter, what it expects and what it
//! got.
//!
//! Which arrays are written back: every array bound to a writable parameter (`&mut [T]`,
//! `ArrayViewMut2<T>`, …) and every array bound to a `_` parameter. The runtime decides a `_`
//! array's writability from the kernel body, which the command cannot see, so `_` arrays are
//! passed writable and saved; a kernel that only reads them saves identical values.

use super::array::{dtype_fits, dtype_scalar, scalar_dtype, KernelArray};
use super::scalar::{parse_inferred, parse_scalar, ScalarError, ScalarValue};
use crate::npy::{read_npy, Dtype, NpyError};
use kernel_ir::ir::Annot;
use kernel_ir::{ArrayType, ParamInfo, Scalar, Type};
use std::path::PathBuf;
use thiserror::Error;

/// One parameter's value for the call.
#[derive(Debug)]
pub struct BoundArg {
    pub param: String,
    pub value: BoundValue,
}

#[derive(Debug)]
pub enum BoundValue {
    Scalar(ScalarValue),
    Array(BoundArray),
}

/// An array loaded from a file, with what is needed to save it again.
#[derive(Debug)]
pub struct BoundArray {
    pub array: KernelArray,
    pub path: PathBuf,
    pub fortran_order: bool,
    /// Passed as a writable view and saved after the call.
    pub writable: bool,
}

/// A bad `NAME=VALUE` argument.
#[derive(Debug, Error)]
pub enum ArgError {
    #[error("argument `{0}` is not of the form NAME=VALUE")]
    Malformed(String),
    #[error("`{function}` has no parameter `{name}` (its parameters: {params})")]
    UnknownParameter {
        function: String,
        name: String,
        params: String,
    },
    #[error("parameter `{0}` is given more than once")]
    Duplicate(String),
    #[error("missing {} for `{function}`: {}", plural(.names.len(), "argument"), .names.iter().map(|n| format!("{n}=…")).collect::<Vec<_>>().join(" "))]
    Missing {
        function: String,
        names: Vec<String>,
    },
    #[error("parameter `{param}` expects {expected}, but got `{value}`: {reason}{hint}")]
    BadScalar {
        param: String,
        expected: String,
        value: String,
        reason: ScalarError,
        hint: &'static str,
    },
    #[error("parameter `{param}` expects {expected}, but `{path}` holds {actual}")]
    ArrayMismatch {
        param: String,
        expected: String,
        path: PathBuf,
        actual: String,
    },
    #[error("parameter `{param}`: {source}")]
    Npy { param: String, source: NpyError },
    #[error("parameter `{param}`: `{value}` is not a scalar literal, and reading it as a .npy file failed: {source}")]
    NeitherScalarNorArray {
        param: String,
        value: String,
        source: NpyError,
    },
    #[error("parameter `{param}` has type {ty}, which the command line cannot supply")]
    UnsupportedParameter { param: String, ty: String },
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// Binds `assignments` (`NAME=VALUE` texts) to `params`, in parameter order.
pub fn bind_args(
    function: &str,
    params: &[ParamInfo],
    assignments: &[String],
) -> Result<Vec<BoundArg>, ArgError> {
    let mut values: Vec<Option<&str>> = vec![None; params.len()];
    for assignment in assignments {
        let (name, value) = assignment
            .split_once('=')
            .filter(|(name, _)| !name.is_empty())
            .ok_or_else(|| ArgError::Malformed(assignment.clone()))?;
        let index = params
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| unknown_parameter(function, params, name))?;
        if values[index].replace(value).is_some() {
            return Err(ArgError::Duplicate(name.to_string()));
        }
    }
    let missing: Vec<String> = params
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(p, _)| p.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ArgError::Missing {
            function: function.to_string(),
            names: missing,
        });
    }
    params
        .iter()
        .zip(values)
        .map(|(param, value)| bind_one(param, value.unwrap_or_default()))
        .collect()
}

fn unknown_parameter(function: &str, params: &[ParamInfo], name: &str) -> ArgError {
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    ArgError::UnknownParameter {
        function: function.to_string(),
        name: name.to_string(),
        params: if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        },
    }
}

fn bind_one(param: &ParamInfo, value: &str) -> Result<BoundArg, ArgError> {
    let bound = match param.annot {
        Annot::Known(Type::Scalar(ty)) => BoundValue::Scalar(bind_scalar(param, ty, value)?),
        Annot::Known(Type::Array(ty)) => BoundValue::Array(bind_array(param, ty, value)?),
        Annot::Infer => bind_inferred(param, value)?,
        Annot::Known(other) => {
            return Err(ArgError::UnsupportedParameter {
                param: param.name.clone(),
                ty: other.to_string(),
            })
        }
    };
    Ok(BoundArg {
        param: param.name.clone(),
        value: bound,
    })
}

fn bind_scalar(param: &ParamInfo, ty: Scalar, value: &str) -> Result<ScalarValue, ArgError> {
    parse_scalar(value, ty).map_err(|reason| ArgError::BadScalar {
        param: param.name.clone(),
        expected: describe_scalar(ty),
        value: value.to_string(),
        reason,
        hint: if value.ends_with(".npy") {
            " (a scalar parameter takes a literal, not a file)"
        } else {
            ""
        },
    })
}

fn describe_scalar(ty: Scalar) -> String {
    match ty {
        Scalar::Bool => "a bool (true or false)".to_string(),
        s if s.is_float() => format!("a number ({s})"),
        s => format!("an integer ({s})"),
    }
}

fn describe_array(elem: Scalar, rank: usize, dtype: Dtype) -> String {
    format!("a rank-{rank} array of {elem} (dtype {dtype})")
}

fn describe_file(dtype: Dtype, rank: usize) -> String {
    if rank == 0 {
        format!(
            "a 0-d array (a single {}, dtype {dtype})",
            dtype.rust_name()
        )
    } else {
        describe_array(dtype_scalar(dtype), rank, dtype)
    }
}

fn load(param: &ParamInfo, value: &str) -> Result<crate::npy::NpyArray, ArgError> {
    read_npy(value).map_err(|source| ArgError::Npy {
        param: param.name.clone(),
        source,
    })
}

fn bind_array(param: &ParamInfo, ty: ArrayType, value: &str) -> Result<BoundArray, ArgError> {
    let file = load(param, value)?;
    let (dtype, rank) = (file.dtype(), file.ndim());
    if !dtype_fits(dtype, ty.elem) || rank != usize::from(ty.rank) {
        return Err(ArgError::ArrayMismatch {
            param: param.name.clone(),
            expected: format!(
                "{} ({})",
                describe_array(ty.elem, ty.rank.into(), scalar_dtype(ty.elem)),
                Type::Array(ty)
            ),
            path: value.into(),
            actual: describe_file(dtype, rank),
        });
    }
    Ok(BoundArray {
        array: KernelArray::from_npy(file.data, Some(ty.elem)),
        path: value.into(),
        fortran_order: file.fortran_order,
        writable: ty.mutable,
    })
}

fn bind_inferred(param: &ParamInfo, value: &str) -> Result<BoundValue, ArgError> {
    if let Some(scalar) = parse_inferred(value) {
        return scalar
            .map(BoundValue::Scalar)
            .map_err(|reason| ArgError::BadScalar {
                param: param.name.clone(),
                expected: "a scalar literal or a .npy file".to_string(),
                value: value.to_string(),
                reason,
                hint: "",
            });
    }
    let file = read_npy(value).map_err(|source| ArgError::NeitherScalarNorArray {
        param: param.name.clone(),
        value: value.to_string(),
        source,
    })?;
    let (dtype, rank) = (file.dtype(), file.ndim());
    if !(1..=3).contains(&rank) {
        return Err(ArgError::ArrayMismatch {
            param: param.name.clone(),
            expected: "an array of rank 1 to 3".to_string(),
            path: value.into(),
            actual: describe_file(dtype, rank),
        });
    }
    Ok(BoundValue::Array(BoundArray {
        array: KernelArray::from_npy(file.data, None),
        path: value.into(),
        fortran_order: file.fortran_order,
        writable: true,
    }))
}
