//! `kernelc` for Python: kernel strings compiled at run time (interpreter or Cranelift JIT)
//! and called on numpy arrays in place.
//!
//! ```python
//! import kernelc, numpy as np
//! m = kernelc.compile("fn scale(a: f64, mut x: ArrayViewMut1<f64>) { for i in 0..x.len() { x[i] *= a; } }")
//! x = np.arange(4.0)
//! m.scale(2.0, x)      # x is now [0, 2, 4, 6]: the kernel wrote the caller's array
//! ```
//!
//! Seams: `module` (compile, names), `function` (the call: convert, release the GIL, run,
//! convert back), `args` and `value` (the conversions), `errors` (exceptions), `sigint`
//! (Ctrl-C), `profile`. The Python half (`python/kernelc/__init__.py`) adds the decorator.

mod args;
mod errors;
mod function;
mod module;
mod profile;
mod sigint;
mod value;

use pyo3::create_exception;
use pyo3::exceptions::{PyUserWarning, PyValueError};
use pyo3::prelude::*;

create_exception!(
    kernelc,
    KernelWarning,
    PyUserWarning,
    "Code that compiles but is almost certainly a mistake (e.g. `x >= 0` with `x: usize`)."
);

/// Sets how many threads `prange` loops use (0: one per core, the default; the
/// `KERNELC_THREADS` variable also sets it).
#[pyfunction]
fn set_threads(threads: usize) -> PyResult<()> {
    kernel_runtime::set_threads(threads).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// How many threads `prange` loops use.
#[pyfunction]
fn threads() -> usize {
    kernel_runtime::current_threads()
}

/// `text` as preformatted HTML, for notebooks' `_repr_html_`.
fn html_pre(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<pre>{escaped}</pre>")
}

#[pymodule]
fn _kernelc(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    let main_thread: u64 = py
        .import("threading")?
        .call_method0("main_thread")?
        .getattr("ident")?
        .extract()?;
    sigint::set_main_thread(main_thread);
    m.add_function(wrap_pyfunction!(module::compile, m)?)?;
    m.add_function(wrap_pyfunction!(set_threads, m)?)?;
    m.add_function(wrap_pyfunction!(threads, m)?)?;
    m.add_class::<module::Module>()?;
    m.add_class::<function::Function>()?;
    m.add_class::<errors::Diagnostic>()?;
    m.add_class::<profile::Profile>()?;
    m.add_class::<profile::FunctionProfile>()?;
    m.add_class::<profile::LineProfile>()?;
    m.add("CompileError", py.get_type::<errors::CompileError>())?;
    m.add("KernelError", py.get_type::<errors::KernelError>())?;
    m.add("KernelWarning", py.get_type::<KernelWarning>())?;
    Ok(())
}
