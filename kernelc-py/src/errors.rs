//! kernelc's errors as Python exceptions, each with the text the Rust API gives:
//! `CompileError` (with its `Diagnostic`s), `KernelError` (with what stopped the kernel),
//! `TypeError`/`ValueError` for arguments that do not fit (naming the parameter).

use kernel_runtime::{ArgumentError, ErrorKind, KernelError as RustKernelError, Severity};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    kernelc,
    CompileError,
    PyException,
    "The kernel source did not compile. `str(e)` is the rustc-style report; \
     `e.diagnostics` lists the `Diagnostic`s (message, line, col)."
);

create_exception!(
    kernelc,
    KernelError,
    PyRuntimeError,
    "A kernel stopped with a runtime error. `e.kind` names it (`IndexOutOfBounds`, \
     `DivisionByZero`, `Interrupted`, ...); `e.function`, `e.line`, `e.col` say where; an \
     index error also sets `e.array`, `e.axis`, `e.index` and `e.extent`."
);

/// One diagnostic of a compile error (or a warning): what and where.
#[pyclass(module = "kernelc", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// `"error"` or `"warning"`.
    severity: String,
    message: String,
    /// 1-based line and column of the start of the span.
    line: u32,
    col: u32,
    /// The text under the caret (may be empty).
    label: String,
    help: Vec<String>,
    /// The rustc-style rendering, with the source line and caret.
    rendered: String,
}

impl Diagnostic {
    pub fn new(diagnostic: &kernel_runtime::Diagnostic, source: &str) -> Diagnostic {
        Diagnostic {
            severity: match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_string(),
            message: diagnostic.message.clone(),
            line: diagnostic.span.line,
            col: diagnostic.span.col,
            label: diagnostic.label.clone(),
            help: diagnostic.help.clone(),
            rendered: diagnostic.render(source),
        }
    }
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        format!(
            "<Diagnostic {} at {}:{}: {}>",
            self.severity, self.line, self.col, self.message
        )
    }

    fn __str__(&self) -> String {
        self.rendered.clone()
    }

    /// The rendering in a notebook: the rustc-style text, monospaced.
    fn _repr_html_(&self) -> String {
        crate::html_pre(&self.rendered)
    }
}

/// The Python exception for an error of the runtime API.
pub fn to_py(py: Python<'_>, error: kernel_runtime::Error) -> PyErr {
    use kernel_runtime::Error;
    match error {
        Error::Compile(error) => compile_error(py, &error),
        Error::Kernel(error) => kernel_error(py, &error),
        Error::Argument(error) => argument_error(&error),
        error @ Error::UnknownFunction { .. } => PyKeyError::new_err(error.to_string()),
        error @ Error::Inspect { .. } => PyValueError::new_err(error.to_string()),
        error @ Error::Backend { .. } => PyRuntimeError::new_err(error.to_string()),
    }
}

pub fn compile_error(py: Python<'_>, error: &kernel_runtime::CompileError) -> PyErr {
    let exception = CompileError::new_err(error.render().trim_end().to_string());
    let diagnostics: Vec<Diagnostic> = error
        .diagnostics
        .iter()
        .map(|d| Diagnostic::new(d, &error.source))
        .collect();
    let attached = PyList::new(py, diagnostics)
        .and_then(|list| exception.value(py).setattr("diagnostics", list));
    attached.err().unwrap_or(exception)
}

pub fn kernel_error(py: Python<'_>, error: &RustKernelError) -> PyErr {
    let exception = KernelError::new_err(error.to_string());
    match set_kernel_error_fields(exception.value(py), error) {
        Ok(()) => exception,
        Err(failed) => failed,
    }
}

fn set_kernel_error_fields(
    exception: &Bound<'_, pyo3::exceptions::PyBaseException>,
    error: &RustKernelError,
) -> PyResult<()> {
    exception.setattr("kind", error.kind.name())?;
    exception.setattr("function", &error.function)?;
    exception.setattr("line", error.line)?;
    exception.setattr("col", error.col)?;
    let (array, axis, index, extent) = match &error.kind {
        ErrorKind::IndexOutOfBounds {
            array,
            axis,
            index,
            extent,
        } => (
            Some(array.as_str()),
            Some(*axis),
            Some(*index),
            Some(*extent),
        ),
        ErrorKind::SliceEndPastExtent {
            array,
            axis,
            end,
            extent,
            ..
        } => (
            Some(array.as_str()),
            Some(*axis),
            Some(i128::from(*end)),
            Some(*extent),
        ),
        ErrorKind::SliceStartAfterEnd { array, axis, .. } => {
            (Some(array.as_str()), Some(*axis), None, None)
        }
        _ => (None, None, None, None),
    };
    exception.setattr("array", array)?;
    exception.setattr("axis", axis)?;
    exception.setattr("index", index)?;
    exception.setattr("extent", extent)?;
    Ok(())
}

/// Arguments of the wrong kind are `TypeError`s; arrays of the right type that cannot be
/// used as they are (read-only where the kernel writes, overlapping a written array) are
/// `ValueError`s.
pub fn argument_error(error: &ArgumentError) -> PyErr {
    match error {
        ArgumentError::Mutability { .. } | ArgumentError::Aliasing { .. } => {
            PyValueError::new_err(error.to_string())
        }
        _ => PyTypeError::new_err(error.to_string()),
    }
}
