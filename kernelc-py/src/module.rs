//! `kernelc.compile(source)` and the `kernelc.Module` it returns: the functions of one kernel
//! source, compiled for one tier, by name (`m["pairwise"]` or `m.pairwise`).

use std::collections::HashMap;
use std::sync::Mutex;

use kernel_runtime::{Backend, LaneCount, Options};
use pyo3::exceptions::{PyAttributeError, PyKeyError, PyValueError};
use pyo3::prelude::*;

use crate::errors::{self, Diagnostic};
use crate::function::Function;

/// Compiles a kernel source (a string of Rust-syntax kernel functions) for one tier:
/// `backend="jit"` (Cranelift machine code, the default) or `"interp"` (the interpreter,
/// the reference semantics). Raises `CompileError` with rustc-style diagnostics; the
/// source's warnings are issued as `kernelc.KernelWarning`s.
#[pyfunction]
#[pyo3(signature = (source, backend = "jit", *, boundscheck = true, inspect = false, reassociate = None, max_alloc_bytes = None))]
pub fn compile(
    py: Python<'_>,
    source: &str,
    backend: &str,
    boundscheck: bool,
    inspect: bool,
    reassociate: Option<u32>,
    max_alloc_bytes: Option<u64>,
) -> PyResult<Module> {
    let options = options(backend, boundscheck, inspect, reassociate, max_alloc_bytes)?;
    let compiled = py.detach(|| kernel_runtime::Module::compile_with(source, options));
    let module = compiled.map_err(|error| errors::to_py(py, error))?;
    warn(py, &module)?;
    Ok(Module {
        module,
        functions: Mutex::new(HashMap::new()),
    })
}

fn options(
    backend: &str,
    boundscheck: bool,
    inspect: bool,
    reassociate: Option<u32>,
    max_alloc_bytes: Option<u64>,
) -> PyResult<Options> {
    let backend: Backend = backend.parse().map_err(PyValueError::new_err)?;
    if backend == Backend::Native {
        return Err(PyValueError::new_err(
            "native code is compiled ahead of time by `#[kernel]` in Rust; \
             from Python use backend=\"jit\" or \"interp\"",
        ));
    }
    let reassociate = reassociate
        .map(|lanes| {
            LaneCount::new(lanes).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "reassociate={lanes}: the lane count must be 2, 4, 8 or 16"
                ))
            })
        })
        .transpose()?;
    let defaults = Options::default();
    Ok(Options {
        backend,
        boundscheck,
        inspect,
        reassociate,
        max_alloc_bytes: max_alloc_bytes.unwrap_or(defaults.max_alloc_bytes),
    })
}

/// Issues the source's warnings (`x >= 0` with `x: usize`, …) through Python's `warnings`.
fn warn(py: Python<'_>, module: &kernel_runtime::Module) -> PyResult<()> {
    let category = py.get_type::<crate::KernelWarning>();
    for warning in module.warnings() {
        let text = warning.render(module.source());
        let message = std::ffi::CString::new(text.trim_end().replace('\0', " "))?;
        PyErr::warn(py, &category, &message, 1)?;
    }
    Ok(())
}

/// The functions of a compiled kernel source.
#[pyclass(module = "kernelc", frozen)]
#[derive(Debug)]
pub struct Module {
    module: kernel_runtime::Module,
    /// Handles made so far, so `m.f(x)` in a loop costs a dictionary lookup.
    functions: Mutex<HashMap<String, Py<Function>>>,
}

impl Module {
    fn function(&self, py: Python<'_>, name: &str) -> PyResult<Py<Function>> {
        let mut functions = self
            .functions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(function) = functions.get(name) {
            return Ok(function.clone_ref(py));
        }
        let handle = self
            .module
            .function(name)
            .map_err(|error| errors::to_py(py, error))?;
        let function = Py::new(py, Function::new(handle, self.module.backend()))?;
        functions.insert(name.to_string(), function.clone_ref(py));
        Ok(function)
    }
}

#[pymethods]
impl Module {
    /// The function names, in source order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.module.function_names()
    }

    /// `"jit"` or `"interp"`.
    #[getter]
    fn backend(&self) -> &'static str {
        self.module.backend().name()
    }

    #[getter]
    fn source(&self) -> &str {
        self.module.source()
    }

    /// The source's warnings, as `Diagnostic`s.
    #[getter]
    fn warnings(&self) -> Vec<Diagnostic> {
        self.module
            .warnings()
            .iter()
            .map(|w| Diagnostic::new(w, self.module.source()))
            .collect()
    }

    fn __getitem__(&self, py: Python<'_>, name: &str) -> PyResult<Py<Function>> {
        self.function(py, name)
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<Function>> {
        self.function(py, name).map_err(|error| {
            if error.is_instance_of::<PyKeyError>(py) {
                let message = error.value(py).to_string();
                PyAttributeError::new_err(message.trim_matches('"').to_string())
            } else {
                error
            }
        })
    }

    fn __contains__(&self, name: &str) -> bool {
        self.module.function_names().iter().any(|n| n == name)
    }

    fn __dir__(slf: &Bound<'_, Self>) -> PyResult<Vec<String>> {
        let mut names: Vec<String> = slf
            .get_type()
            .dir()?
            .iter()
            .map(|n| n.to_string())
            .collect();
        names.extend(slf.get().module.function_names());
        Ok(names)
    }

    /// What the compiler made of the source: `what="ir"` the typed IR (every local's type),
    /// `"clif"` the Cranelift IR and `"asm"` the machine code of a JIT function (compile with
    /// `inspect=True`). `name` picks one function (all of them for the IR by default).
    #[pyo3(signature = (name = None, what = "ir"))]
    fn explain(&self, py: Python<'_>, name: Option<&str>, what: &str) -> PyResult<String> {
        let needs_name = || {
            name.ok_or_else(|| {
                PyValueError::new_err(format!("explain(what=\"{what}\") needs a function name"))
            })
        };
        let text = match what {
            "ir" => self.module.typed_ir(name),
            "clif" => self.module.clif(needs_name()?),
            "asm" => self.module.asm(needs_name()?),
            other => {
                return Err(PyValueError::new_err(format!(
                    "explain: unknown what=\"{other}\" (expected \"ir\", \"clif\" or \"asm\")"
                )))
            }
        };
        text.map_err(|error| errors::to_py(py, error))
    }

    /// Stops every running call of this module's functions (from another thread) with
    /// `KernelError` (kind `Interrupted`); later calls stop too until `reset()`.
    fn interrupt(&self) {
        self.module.interrupt_handle().interrupt();
    }

    /// Lets calls run again after `interrupt()`.
    fn reset(&self) {
        self.module.interrupt_handle().reset();
    }

    fn __repr__(&self) -> String {
        format!(
            "<kernelc.Module [{}]: {}>",
            self.module.backend().name(),
            self.module.function_names().join(", ")
        )
    }
}
