//! `kernelc.Function`: one kernel function, called like a Python function.
//!
//! A call converts the arguments (borrowing numpy arrays), releases the GIL, runs the kernel
//! through the runtime's one call path (`kernel_runtime::Function::call_with`, the same
//! checks as from Rust) and converts the result back. On Python's main thread the call also
//! watches Ctrl-C (see `sigint`).

use kernel_runtime::{Arg, Backend, CallOptions, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::args;
use crate::errors;
use crate::profile::Profile;
use crate::sigint;
use crate::value::to_python;

#[pyclass(module = "kernelc", name = "Function", frozen)]
#[derive(Debug)]
pub struct Function {
    function: kernel_runtime::Function,
    backend: Backend,
}

impl Function {
    pub fn new(function: kernel_runtime::Function, backend: Backend) -> Function {
        Function { function, backend }
    }

    fn convert<'py>(
        &self,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Vec<Arg<'py>>> {
        args::convert(self.function.name(), self.function.params(), args, kwargs)
    }
}

/// Lets a closure that runs without the GIL carry the borrowed arguments: their arrays stay
/// alive because the caller's `args` tuple holds them for the whole call.
struct WithoutGil<T>(T);

// SAFETY: see the type's doc; the kernel only touches the arrays' elements, never a Python
// object.
unsafe impl<T> Send for WithoutGil<T> {}

impl<T> WithoutGil<T> {
    /// Consumes the wrapper (a method, so closures capture the whole wrapper, not its field).
    fn into_inner(self) -> T {
        self.0
    }
}

#[pymethods]
impl Function {
    /// Runs the kernel. numpy arrays are passed without a copy (a writable parameter
    /// mutates the caller's array); the return value is a Python scalar, tuple or numpy
    /// array, or `None`.
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let mut call_args = self.convert(args, kwargs)?;
        let ctrl_c = sigint::arm();
        let options = match ctrl_c {
            Some(handle) => CallOptions::default().with_interrupt(handle),
            None => CallOptions::default(),
        };
        let function = &self.function;
        let borrowed = WithoutGil(&mut call_args);
        let result = py.detach(move || function.call_with(borrowed.into_inner(), options));
        match result {
            Ok(value) => to_python(py, value),
            Err(error) => Err(call_error(py, error, ctrl_c.is_some())),
        }
    }

    /// Runs the kernel with line counters (an instrumented copy, in the interpreter or the
    /// JIT) and returns a `Profile`: per-line hits and times, line_profiler's table as text;
    /// `profile.value` is what the call returned.
    #[pyo3(signature = (*args, **kwargs))]
    fn profile(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Profile> {
        let mut call_args = self.convert(args, kwargs)?;
        let function = &self.function;
        let borrowed = WithoutGil(&mut call_args);
        let result = py.detach(move || function.profile(borrowed.into_inner()));
        match result {
            Ok((value, profile)) => Ok(Profile::new(to_python(py, value)?, profile)),
            Err(error) => Err(errors::to_py(py, *error.error)),
        }
    }

    /// The function's name in the kernel source.
    #[getter]
    fn name(&self) -> &str {
        self.function.name()
    }

    #[getter]
    fn __name__(&self) -> &str {
        self.function.name()
    }

    /// `(name, type)` of each parameter, the type as the source wrote it (`_` for generic).
    #[getter]
    fn params(&self) -> Vec<(String, String)> {
        self.function
            .params()
            .iter()
            .map(|p| (p.name.clone(), annot_text(&p.annot)))
            .collect()
    }

    fn __repr__(&self) -> String {
        let params: Vec<String> = self
            .params()
            .into_iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        format!(
            "<kernelc.Function {}({}) [{}]>",
            self.function.name(),
            params.join(", "),
            self.backend.name()
        )
    }
}

fn annot_text(annot: &kernel_runtime::ir::ir::Annot) -> String {
    match annot {
        kernel_runtime::ir::ir::Annot::Known(ty) => ty.to_string(),
        kernel_runtime::ir::ir::Annot::Infer => "_".to_string(),
    }
}

/// The exception of a failed call. A kernel stopped by Ctrl-C raises what Python's SIGINT
/// handler raises (`KeyboardInterrupt`, unless the program installed its own handler).
fn call_error(py: Python<'_>, error: kernel_runtime::Error, watched_ctrl_c: bool) -> PyErr {
    if let kernel_runtime::Error::Kernel(kernel) = &error {
        if watched_ctrl_c && kernel.kind == ErrorKind::Interrupted {
            if let Err(raised) = py.check_signals() {
                return raised;
            }
        }
    }
    errors::to_py(py, error)
}
