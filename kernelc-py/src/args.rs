//! Python arguments to kernel arguments: numpy arrays are borrowed where they lie (any
//! strides, negative ones included; never copied), Python and numpy scalars are converted to
//! the parameter's type. Everything that cannot be passed is a `TypeError`, `ValueError` or
//! `OverflowError` naming the parameter.

use kernel_runtime::ir::ir::Annot;
use kernel_runtime::ir::ArrayType;
use kernel_runtime::{Arg, ArgumentError, ArrayArg, ParamInfo, Scalar, Type, Value};
use numpy::npyffi::NPY_ARRAY_WRITEABLE;
use numpy::{PyArrayDescr, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyTuple};

/// The arguments of one call, in parameter order, borrowing the arrays of `args`/`kwargs`.
pub fn convert<'py>(
    function: &str,
    params: &[ParamInfo],
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Vec<Arg<'py>>> {
    let objects = match_params(function, params, args, kwargs)?;
    objects
        .iter()
        .zip(params)
        .map(|(object, param)| convert_one(object, param))
        .collect()
}

/// The Python object passed for each parameter: positionals first, then keywords by name.
fn match_params<'py>(
    function: &str,
    params: &[ParamInfo],
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let supplied = args.len() + kwargs.map_or(0, |k| k.len());
    if args.len() > params.len() || (kwargs.is_none() && supplied != params.len()) {
        return Err(count_error(function, params.len(), supplied));
    }
    let mut slots: Vec<Option<Bound<'py, PyAny>>> = args.iter().map(Some).collect();
    slots.resize(params.len(), None);
    for (key, value) in kwargs.into_iter().flatten() {
        let key: String = key.extract()?;
        let Some(index) = params.iter().position(|p| p.name == key) else {
            return Err(PyTypeError::new_err(format!(
                "`{function}` has no parameter `{key}` (parameters: {})",
                param_names(params)
            )));
        };
        if slots[index].replace(value).is_some() {
            return Err(PyTypeError::new_err(format!(
                "argument `{key}` of `{function}` given twice (by position and by name)"
            )));
        }
    }
    slots
        .into_iter()
        .zip(params)
        .map(|(slot, param)| {
            slot.ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "`{function}` is missing argument `{}` (parameters: {})",
                    param.name,
                    param_names(params)
                ))
            })
        })
        .collect()
}

fn param_names(params: &[ParamInfo]) -> String {
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    names.join(", ")
}

fn count_error(function: &str, expected: usize, got: usize) -> PyErr {
    let error = ArgumentError::Count {
        function: function.to_string(),
        expected,
        got,
    };
    PyTypeError::new_err(error.to_string())
}

fn convert_one<'py>(object: &Bound<'py, PyAny>, param: &ParamInfo) -> PyResult<Arg<'py>> {
    let name = param.name.as_str();
    if let Ok(array) = object.cast::<PyUntypedArray>() {
        let written = match param.annot {
            Annot::Known(Type::Array(want)) => Written::As(want),
            Annot::Infer => Written::IfWriteable,
            // An array for a scalar: passed read-only, for bind's error.
            Annot::Known(_) => Written::No,
        };
        return array_arg(array, name, written);
    }
    let value = match param.annot {
        Annot::Known(Type::Scalar(scalar)) => scalar_as(object, scalar, name)?,
        Annot::Known(Type::Array(want)) => {
            return Err(PyTypeError::new_err(format!(
                "argument `{name}`: expected {}, got {} (pass a numpy array)",
                Type::Array(want),
                type_name(object)
            )))
        }
        // A generic (`_`) parameter takes the value's own type.
        _ => scalar_inferred(object, name)?,
    };
    Ok(Arg::Scalar(value))
}

fn type_name(object: &Bound<'_, PyAny>) -> String {
    object
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".to_string())
}

// ---------------------------------------------------------------------------------------------
// Arrays.

/// Whether an array argument is passed writable.
#[derive(Clone, Copy)]
enum Written {
    /// As the parameter's type says.
    As(ArrayType),
    /// A generic parameter: when numpy lets it be written (the instance decides).
    IfWriteable,
    No,
}

fn array_arg<'py>(
    array: &Bound<'py, PyUntypedArray>,
    name: &str,
    written: Written,
) -> PyResult<Arg<'py>> {
    let want = match written {
        Written::As(want) => Some(want),
        _ => None,
    };
    let dtype = array.dtype();
    let mut elem = element_of(&dtype).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "argument `{name}`: numpy dtype {} is not a kernel element type \
             (bool, int8/16/32/64, uint8/16/32/64, float32, float64)",
            dtype_str(&dtype)
        ))
    })?;
    // `usize` elements are 64-bit unsigned integers, numpy's uint64 (uintp).
    if elem == Scalar::U64 && want.is_some_and(|w| w.elem == Scalar::Usize) {
        elem = Scalar::Usize;
    }
    if dtype.is_native_byteorder() == Some(false) {
        return Err(PyTypeError::new_err(format!(
            "argument `{name}`: dtype {} is not in the machine's byte order \
             (convert with `{name}.astype({name}.dtype.newbyteorder('='))`)",
            dtype_str(&dtype)
        )));
    }
    if !array.is_aligned() {
        return Err(PyValueError::new_err(format!(
            "argument `{name}`: the array's data is not aligned for its dtype \
             (pass `np.require({name}, requirements='A')`)"
        )));
    }
    let itemsize = dtype.itemsize() as isize;
    let mut strides = [0isize; 3];
    for (axis, &bytes) in array.strides().iter().enumerate().take(3) {
        if bytes % itemsize != 0 {
            return Err(PyValueError::new_err(format!(
                "argument `{name}`: stride {bytes} bytes on axis {axis} is not a multiple of \
                 the element size {itemsize} (pass `np.ascontiguousarray({name})`)"
            )));
        }
        strides[axis] = bytes / itemsize;
    }
    let shape = array.shape();
    // SAFETY: numpy's array object is valid while `array` is borrowed.
    let (data, flags) = unsafe {
        let object = &*array.as_array_ptr();
        (object.fields.data as *mut u8, object.fields.flags)
    };
    let writeable = flags & NPY_ARRAY_WRITEABLE != 0;
    let written = match written {
        Written::As(want) if want.mutable && !writeable => {
            return Err(PyValueError::new_err(format!(
                "argument `{name}`: the kernel writes through it ({}), but the numpy array is \
                 read-only",
                Type::Array(want)
            )));
        }
        Written::As(want) => want.mutable,
        Written::IfWriteable => writeable,
        Written::No => false,
    };
    // SAFETY: numpy guarantees that data, shape and strides describe elements of `dtype`
    // (checked aligned, in native order, strides whole elements) inside one allocation that
    // `array` keeps alive for `'py`; writable only when numpy says so. Other threads writing
    // the same array during a call race with the kernel, as with any numpy extension.
    let raw =
        unsafe { ArrayArg::from_raw_parts(elem, data, shape, &strides[..shape.len().min(3)]) };
    Ok(if written {
        Arg::ArrayMut(raw)
    } else {
        Arg::Array(raw)
    })
}

/// The kernel element type of a numpy dtype (`None` for complex, object, strings, …).
pub fn element_of(dtype: &Bound<'_, PyArrayDescr>) -> Option<Scalar> {
    if dtype.has_fields() || dtype.has_subarray() {
        return None;
    }
    Some(match (dtype.kind(), dtype.itemsize()) {
        (b'b', 1) => Scalar::Bool,
        (b'i', 1) => Scalar::I8,
        (b'i', 2) => Scalar::I16,
        (b'i', 4) => Scalar::I32,
        (b'i', 8) => Scalar::I64,
        (b'u', 1) => Scalar::U8,
        (b'u', 2) => Scalar::U16,
        (b'u', 4) => Scalar::U32,
        (b'u', 8) => Scalar::U64,
        (b'f', 4) => Scalar::F32,
        (b'f', 8) => Scalar::F64,
        _ => return None,
    })
}

fn dtype_str(dtype: &Bound<'_, PyArrayDescr>) -> String {
    dtype
        .str()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

// ---------------------------------------------------------------------------------------------
// Scalars.

/// `object` as a value of the parameter's type `scalar`: `bool` only from a bool, integers
/// from ints (Python or numpy, in range), floats from floats or ints.
fn scalar_as(object: &Bound<'_, PyAny>, scalar: Scalar, name: &str) -> PyResult<Value> {
    let mismatch = || {
        PyTypeError::new_err(format!(
            "argument `{name}`: expected {scalar}, got {}",
            type_name(object)
        ))
    };
    // Python's own types first: each answered by a type check, without a failed extraction
    // (which would build a Python exception on every call).
    let from_python = if object.is_instance_of::<PyBool>() {
        Some(Kind::Bool)
    } else if object.is_instance_of::<PyFloat>() {
        Some(Kind::Float)
    } else if object.is_instance_of::<PyInt>() {
        Some(Kind::Int)
    } else {
        None
    };
    // numpy scalars and other number types: what they can be extracted as.
    let kind = from_python.unwrap_or_else(|| {
        if object.extract::<bool>().is_ok() {
            Kind::Bool
        } else if object.hasattr("__index__").unwrap_or(false) {
            Kind::Int
        } else {
            Kind::Float
        }
    });
    match (kind, scalar) {
        (Kind::Bool, Scalar::Bool) => Ok(Value::Bool(object.is_truthy()?)),
        (Kind::Bool, _) | (_, Scalar::Bool) => Err(mismatch()),
        (_, Scalar::F32) => Ok(Value::F32(
            object.extract::<f64>().map_err(|_| mismatch())? as f32
        )),
        (_, Scalar::F64) => Ok(Value::F64(object.extract().map_err(|_| mismatch())?)),
        (Kind::Float, _) => Err(mismatch()),
        (Kind::Int, _) => {
            let out_of_range = || {
                PyOverflowError::new_err(format!(
                    "argument `{name}`: {} is out of range for {scalar}",
                    object.str().map(|s| s.to_string()).unwrap_or_default()
                ))
            };
            match extract_integer(object) {
                Ok(value) => integer_value(value, scalar).ok_or_else(out_of_range),
                // An int too wide even for i128.
                Err(_) if object.is_instance_of::<PyInt>() => Err(out_of_range()),
                Err(_) => Err(mismatch()),
            }
        }
    }
}

/// What a scalar argument is, as far as conversion goes.
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
}

/// An integer (Python `int`, numpy integer, anything with `__index__`) wide enough for every
/// kernel integer type; `i64` first, the common and fast case.
fn extract_integer(object: &Bound<'_, PyAny>) -> PyResult<i128> {
    match object.extract::<i64>() {
        Ok(value) => Ok(value.into()),
        Err(_) => object.extract::<i128>(),
    }
}

fn integer_value(value: i128, scalar: Scalar) -> Option<Value> {
    Some(match scalar {
        Scalar::I8 => Value::I8(value.try_into().ok()?),
        Scalar::I16 => Value::I16(value.try_into().ok()?),
        Scalar::I32 => Value::I32(value.try_into().ok()?),
        Scalar::I64 => Value::I64(value.try_into().ok()?),
        Scalar::U8 => Value::U8(value.try_into().ok()?),
        Scalar::U16 => Value::U16(value.try_into().ok()?),
        Scalar::U32 => Value::U32(value.try_into().ok()?),
        Scalar::U64 => Value::U64(value.try_into().ok()?),
        Scalar::Usize => Value::Usize(value.try_into().ok()?),
        Scalar::Bool | Scalar::F32 | Scalar::F64 => return None,
    })
}

/// The value of a generic (`_`) parameter: a numpy scalar keeps its dtype; a Python `bool`
/// is `bool`, an `int` `i64` and a `float` `f64` (numba's choices).
fn scalar_inferred(object: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    // Python's own types by type checks (np.float64, a float subclass, is f64 either way);
    // only other objects are asked for a numpy `dtype`.
    let scalar = if object.is_instance_of::<PyBool>() {
        Some(Scalar::Bool)
    } else if object.is_instance_of::<PyInt>() {
        Some(Scalar::I64)
    } else if object.is_instance_of::<PyFloat>() {
        Some(Scalar::F64)
    } else {
        object
            .getattr("dtype")
            .ok()
            .and_then(|d| d.cast_into::<PyArrayDescr>().ok())
            .and_then(|dtype| element_of(&dtype))
    };
    let scalar = scalar.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "argument `{name}`: expected a number, a bool or a numpy array, got {}",
            type_name(object)
        ))
    })?;
    scalar_as(object, scalar, name)
}
