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
use kernel_ir::ir::Annot;
use kernel_ir::{ArrayType, ParamInfo, Scalar, Type};
use kernel_npy::{read_npy, Dtype, NpyError};
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
    Npy {
        param: String,
        source: Box<NpyError>,
    },
    #[error("parameter `{param}`: `{value}` is not a scalar literal, and reading it as a .npy file failed: {source}")]
    NeitherScalarNorArray {
        param: String,
        value: String,
        source: Box<NpyError>,
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

fn load(param: &ParamInfo, value: &str) -> Result<kernel_npy::NpyArray, ArgError> {
    read_npy(value).map_err(|source| ArgError::Npy {
        param: param.name.clone(),
        source: Box::new(source),
    })
}

fn bind_array(param: &ParamInfo, ty: ArrayType, value: &str) -> Result<BoundArray, ArgError> {
    let file = load(param, value)?;
    let (dtype, rank) = (file.dtype(), file.ndim());
    if !dtype_fits(dtype, ty.elem) || rank != usize::from(ty.rank) {
        return Err(ArgError::ArrayMismatch {
            param: param.name.clone(),
            expected: format!(
                "{} (a rank-{} array of {}, dtype {})",
                Type::Array(ty),
                ty.rank,
                ty.elem,
                scalar_dtype(ty.elem)
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
        source: Box::new(source),
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

#[cfg(test)]
mod tests {
    use super::*;
    use kernel_ir::Span;
    use kernel_npy::{write_npy, NpyArray};
    use ndarray::{ArrayD, IxDyn};

    fn param(name: &str, annot: Annot) -> ParamInfo {
        ParamInfo {
            name: name.to_string(),
            annot,
            span: Span::default(),
        }
    }

    fn array(elem: Scalar, rank: u8, mutable: bool) -> Annot {
        Annot::Known(Type::Array(ArrayType {
            elem,
            rank,
            mutable,
        }))
    }

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn error(params: &[ParamInfo], args: &[&str]) -> String {
        bind_args("f", params, &strings(args))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn names_are_matched_in_any_order_and_checked() {
        let params = [
            param("a", Annot::Known(Type::Scalar(Scalar::F64))),
            param("n", Annot::Known(Type::Scalar(Scalar::U32))),
        ];
        let bound = bind_args("f", &params, &strings(&["n=4", "a=0.5"])).unwrap();
        assert!(matches!(bound[0].value, BoundValue::Scalar(ScalarValue::F64(x)) if x == 0.5));
        assert!(matches!(
            bound[1].value,
            BoundValue::Scalar(ScalarValue::U32(4))
        ));
        assert_eq!(
            error(&params, &["a=1", "n=2", "m=3"]),
            "`f` has no parameter `m` (its parameters: a, n)"
        );
        assert_eq!(
            error(&params, &["a=1", "a=2"]),
            "parameter `a` is given more than once"
        );
        assert_eq!(error(&params, &["a=1"]), "missing argument for `f`: n=…");
        assert_eq!(
            error(&params, &["a"]),
            "argument `a` is not of the form NAME=VALUE"
        );
        assert_eq!(
            error(&[], &["x=1"]),
            "`f` has no parameter `x` (its parameters: none)"
        );
        // The value may itself contain `=`; only the first one separates.
        let bound = bind_args("f", &params[..1], &strings(&["a=1e3"])).unwrap();
        assert!(matches!(bound[0].value, BoundValue::Scalar(ScalarValue::F64(x)) if x == 1000.0));
    }

    #[test]
    fn arrays_must_match_dtype_and_rank() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.npy");
        let data = ArrayD::from_shape_vec(IxDyn(&[3]), vec![1u64, 2, 3]).unwrap();
        write_npy(&path, &NpyArray::from(data)).unwrap();
        let path = path.to_str().unwrap();
        let arg = format!("v={path}");

        let usize_param = [param("v", array(Scalar::Usize, 1, true))];
        let bound = bind_args("f", &usize_param, &strings(&[&arg])).unwrap();
        let BoundValue::Array(bound_array) = &bound[0].value else {
            panic!("bound an array")
        };
        assert_eq!(bound_array.array.elem(), Scalar::Usize);
        assert!(bound_array.writable);

        let f64_param = [param("v", array(Scalar::F64, 1, false))];
        assert_eq!(
            error(&f64_param, &[&arg]),
            format!(
                "parameter `v` expects ArrayView1<f64> (a rank-1 array of f64, dtype <f8), \
                 but `{path}` holds a rank-1 array of u64 (dtype <u8)"
            )
        );
        let rank2 = [param("v", array(Scalar::U64, 2, false))];
        assert!(error(&rank2, &[&arg])
            .contains("expects ArrayView2<u64> (a rank-2 array of u64, dtype <u8)"));
    }

    #[test]
    fn inferred_parameters_take_literals_or_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.npy");
        let data = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![true, false, true, true]).unwrap();
        write_npy(&path, &NpyArray::from(data)).unwrap();
        let params = [param("x", Annot::Infer), param("m", Annot::Infer)];
        let m_arg = format!("m={}", path.display());
        let bound = bind_args("f", &params, &strings(&["x=7", &m_arg])).unwrap();
        assert!(matches!(
            bound[0].value,
            BoundValue::Scalar(ScalarValue::I64(7))
        ));
        let BoundValue::Array(m) = &bound[1].value else {
            panic!("bound an array")
        };
        assert_eq!(
            (m.array.elem(), m.array.ndim(), m.writable),
            (Scalar::Bool, 2, true)
        );
    }

    #[test]
    fn scalar_errors_name_the_parameter_and_type() {
        let params = [param("k", Annot::Known(Type::Scalar(Scalar::U64)))];
        assert_eq!(
            error(&params, &["k=-1"]),
            "parameter `k` expects an integer (u64), but got `-1`: \
             out of range for u64 (0..=18446744073709551615)"
        );
        let unit = [param("u", Annot::Known(Type::Unit))];
        assert_eq!(
            error(&unit, &["u=1"]),
            "parameter `u` has type (), which the command line cannot supply"
        );
    }
}
