//! The interpreter backend: every checked function compiled once into closures, kept in a
//! table shared by the handles.

use std::sync::Arc;

use kernel_ir::ir::FuncId;
use kernel_ir::Program;

use crate::error::{BackendError, Error};
use crate::Backend;
use kernel_interp::{self as interp, Compiled};

/// Compiled functions by `FuncId`.
pub(crate) type Table = Arc<[Arc<Compiled>]>;

/// `table` extended with the functions of `program` it does not hold yet; `runnable` says,
/// for each new one, whether it is checked (a failed instantiation is a placeholder no
/// checked function calls).
pub(crate) fn extend(
    table: &Table,
    program: &Program,
    runnable: &[bool],
    boundscheck: bool,
) -> Result<Table, Error> {
    let functions = program.functions();
    let mut extended: Vec<Arc<Compiled>> = table.to_vec();
    for ok in runnable {
        let index = extended.len();
        let compiled = if *ok {
            interp::compile_function(functions, FuncId(index as u32), boundscheck).map_err(|u| {
                Error::Backend {
                    backend: Backend::Interpreter,
                    function: Some(functions[index].name.clone()),
                    source: BackendError::Interpreter {
                        what: u.what,
                        line: u.span.line,
                        col: u.span.col,
                    },
                }
            })?
        } else {
            interp::unreachable_stub(&functions[index].name)
        };
        extended.push(Arc::new(compiled));
    }
    Ok(Arc::from(extended))
}
