//! Kernel return values to Python: scalars as Python `bool`/`int`/`float`, tuples as
//! tuples, returned arrays as numpy arrays that take over the kernel's buffer (no copy).

use kernel_runtime::{ArrayValue, Value};
use numpy::PyArray;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::IntoPyObjectExt;

pub fn to_python(py: Python<'_>, value: Value) -> PyResult<Py<PyAny>> {
    match value {
        Value::Unit => Ok(py.None()),
        Value::Bool(v) => v.into_py_any(py),
        Value::I8(v) => v.into_py_any(py),
        Value::I16(v) => v.into_py_any(py),
        Value::I32(v) => v.into_py_any(py),
        Value::I64(v) => v.into_py_any(py),
        Value::U8(v) => v.into_py_any(py),
        Value::U16(v) => v.into_py_any(py),
        Value::U32(v) => v.into_py_any(py),
        Value::U64(v) => v.into_py_any(py),
        Value::Usize(v) => v.into_py_any(py),
        // Widening is exact: the Python float has the f32's value.
        Value::F32(v) => f64::from(v).into_py_any(py),
        Value::F64(v) => v.into_py_any(py),
        Value::Array(array) => array_to_python(py, *array),
        Value::Tuple(elements) => {
            let elements = elements
                .into_iter()
                .map(|e| to_python(py, e))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, elements)?.into_py_any(py)
        }
    }
}

fn array_to_python(py: Python<'_>, array: ArrayValue) -> PyResult<Py<PyAny>> {
    macro_rules! owned {
        ($($variant:ident),*) => {
            match array {
                $(ArrayValue::$variant(a) => PyArray::from_owned_array(py, a).into_py_any(py),)*
            }
        };
    }
    owned!(Bool, I8, U8, I16, U16, I32, I64, U32, U64, Usize, F32, F64)
}
