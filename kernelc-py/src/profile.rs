//! `Function.profile(...)`'s result: line_profiler's table as text, and the numbers.

use pyo3::prelude::*;

/// One source line: hits, and the time spent in its own statements (seconds).
#[pyclass(module = "kernelc", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct LineProfile {
    line: u32,
    hits: u64,
    time: f64,
    contents: String,
}

#[pymethods]
impl LineProfile {
    fn __repr__(&self) -> String {
        format!(
            "<LineProfile line {}: {} hits, {:.6} s>",
            self.line, self.hits, self.time
        )
    }
}

/// One function that ran: calls, time with callees (`total`) and in its own lines (`own`),
/// and every line from its `fn` line to its last.
#[pyclass(module = "kernelc", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct FunctionProfile {
    name: String,
    calls: u64,
    total: f64,
    own: f64,
    lines: Vec<LineProfile>,
}

#[pymethods]
impl FunctionProfile {
    fn __repr__(&self) -> String {
        format!(
            "<FunctionProfile {}: {} calls, {:.6} s>",
            self.name, self.calls, self.total
        )
    }
}

/// The profile of one call: `str(profile)` is line_profiler's table per function, then the
/// `%prun`-style totals (what `kernelc profile` prints).
#[pyclass(module = "kernelc", frozen, get_all)]
#[derive(Debug)]
pub struct Profile {
    /// What the call returned.
    value: Py<PyAny>,
    functions: Vec<FunctionProfile>,
    text: String,
}

impl Profile {
    pub fn new(value: Py<PyAny>, profile: kernel_runtime::Profile) -> Profile {
        let functions = profile
            .functions
            .iter()
            .map(|f| FunctionProfile {
                name: f.name.clone(),
                calls: f.calls,
                total: f.total.as_secs_f64(),
                own: f.own.as_secs_f64(),
                lines: f
                    .lines
                    .iter()
                    .map(|l| LineProfile {
                        line: l.line,
                        hits: l.hits,
                        time: l.time.as_secs_f64(),
                        contents: l.contents.clone(),
                    })
                    .collect(),
            })
            .collect();
        Profile {
            value,
            functions,
            text: profile.to_string(),
        }
    }
}

#[pymethods]
impl Profile {
    fn __str__(&self) -> String {
        self.text.clone()
    }

    fn __repr__(&self) -> String {
        self.text.clone()
    }

    fn _repr_html_(&self) -> String {
        crate::html_pre(&self.text)
    }

    /// The profile of the first function called `name`.
    fn function(&self, name: &str) -> Option<FunctionProfile> {
        self.functions.iter().find(|f| f.name == name).cloned()
    }
}
