//! Helpers shared by the end-to-end tests: compile with the interpreter and call.
#![allow(dead_code)]

pub mod profile_nbody;

use kernel_runtime::{Arg, Backend, Error, KernelError, Module, Options, Value};

pub fn module(source: &str) -> Module {
    let options = Options {
        backend: Backend::Interpreter,
        ..Default::default()
    };
    match Module::compile_with(source, options) {
        Ok(m) => m,
        Err(e) => panic!("compile error:\n{e}"),
    }
}

/// Compiles `source` and calls `name` with `args`.
pub fn call(source: &str, name: &str, args: &mut [Arg<'_>]) -> Result<Value, Error> {
    module(source).function(name)?.call(args)
}

pub fn value(source: &str, name: &str, args: &mut [Arg<'_>]) -> Value {
    match call(source, name, args) {
        Ok(v) => v,
        Err(e) => panic!("call failed: {e}"),
    }
}

pub fn kernel_error(source: &str, name: &str, args: &mut [Arg<'_>]) -> KernelError {
    match call(source, name, args) {
        Err(Error::Kernel(e)) => e,
        other => panic!("expected a kernel error, got {other:?}"),
    }
}
