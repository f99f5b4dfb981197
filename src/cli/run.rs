//! `kernelc run`: compile, bind the arguments, call, print the return value, save the writable
//! arrays.
//!
//! What the kernel prints (`println!` and friends) goes to stdout and stderr while it runs, so
//! before the return value; `--quiet` discards it.
//!
//! `--timeout SECONDS` gives the call a deadline that many seconds after it starts: a kernel
//! still running then stops at its next loop back-edge or call with a runtime error
//! ("deadline exceeded", exit status 3), like any other.
//!
//! The source's warnings go to stderr after the call (which makes a generic function's
//! instance, with its own warnings) and before any error; they never change the exit status.
//!
//! Arrays are saved only when the call succeeds: after a runtime error the input files are left
//! as they were, even though the kernel's writes before the error exist in memory.

use super::array::KernelArray;
use super::bind::{bind_args, BoundArg, BoundArray, BoundValue};
use super::error::CliError;
use super::scalar::ScalarValue;
use super::{parse_timeout, print_stdout, print_warnings, source, BackendChoice};
use clap::Args;
use kernel_npy::{write_npy, NpyArray};
use kernel_runtime::{capture_output, Arg, ArrayValue, CallOptions, Module, Options, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The kernel source file.
    pub file: PathBuf,
    /// The function to run.
    #[arg(long = "fn", value_name = "NAME")]
    pub function: String,
    #[arg(long, value_enum, default_value_t = BackendChoice::Jit)]
    pub backend: BackendChoice,
    /// Save the writable arrays as DIR/NAME.npy (DIR is created if missing) and leave the
    /// input files untouched; an array the function returns goes to DIR/return.npy.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Stop the kernel with a runtime error (exit status 3) once it has run this many seconds.
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
    #[command(flatten)]
    pub reassociate: super::ReassociateArg,
    /// Discard what the kernel prints (`println!`, `eprintln!`, …) instead of writing it to
    /// stdout and stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Arguments: scalar literals (3, 0.5, inf, true) or .npy paths for arrays.
    #[arg(value_name = "NAME=VALUE")]
    pub args: Vec<String>,
}

pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let source = source::read_source(&args.file)?;
    let options = Options {
        backend: args.backend.backend(),
        reassociate: args.reassociate.reassociate,
        ..Options::default()
    };
    let module = Module::compile_with(&source, options).map_err(CliError::Runtime)?;
    ensure_function(&module, &args.function, &args.file)?;
    let params = module.params(&args.function).map_err(CliError::Runtime)?;
    let mut bound = bind_args(&args.function, &params, &args.args)?;
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|source| CliError::OutDir {
            path: dir.clone(),
            source,
        })?;
    }
    let function = module.function(&args.function).map_err(CliError::Runtime)?;
    let result = {
        let mut call_args: Vec<Arg<'_>> = bound.iter_mut().map(to_arg).collect();
        let options = args.timeout.map(CallOptions::timeout).unwrap_or_default();
        let mut call = || function.call_with(&mut call_args, options);
        if args.quiet {
            capture_output(call).0
        } else {
            call()
        }
    };
    // After the call, which makes the instance of a generic function and adds its warnings;
    // before any error, as a compiler prints its warnings first.
    print_warnings(&module.render_warnings());
    let value = result.map_err(CliError::Runtime)?;
    match value {
        Value::Unit => {}
        Value::Array(array) => save_returned(*array, args.out.as_deref())?,
        value => print_stdout(&format!("{value}\n")),
    }
    save_arrays(bound, args.out.as_deref())
}

/// A returned array: printed (ndarray's layout, long axes elided), and saved as
/// `DIR/return.npy` under `--out DIR` (`return` is a keyword, so no parameter has the name).
fn save_returned(array: ArrayValue, out: Option<&Path>) -> Result<(), CliError> {
    let array = KernelArray::from(array);
    print_stdout(&format!("{}\n", array.display()));
    if let Some(dir) = out {
        let file = NpyArray {
            data: array.into_npy(),
            fortran_order: false,
        };
        write_npy(dir.join("return.npy"), &file).map_err(CliError::Save)?;
    }
    Ok(())
}

/// Fails with the list of available functions unless `name` is one of them.
pub fn ensure_function(module: &Module, name: &str, file: &Path) -> Result<(), CliError> {
    let names = module.function_names();
    if names.iter().any(|n| n == name) {
        return Ok(());
    }
    Err(CliError::UnknownFunction {
        name: name.to_string(),
        path: file.to_path_buf(),
        available: if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        },
    })
}

pub(super) fn to_arg(bound: &mut BoundArg) -> Arg<'_> {
    match &mut bound.value {
        BoundValue::Scalar(value) => scalar_arg(*value),
        BoundValue::Array(array) => {
            let writable = array.writable;
            array.array.as_arg(writable)
        }
    }
}

fn scalar_arg(value: ScalarValue) -> Arg<'static> {
    match value {
        ScalarValue::Bool(x) => Arg::from(x),
        ScalarValue::I8(x) => Arg::from(x),
        ScalarValue::I16(x) => Arg::from(x),
        ScalarValue::U8(x) => Arg::from(x),
        ScalarValue::U16(x) => Arg::from(x),
        ScalarValue::I32(x) => Arg::from(x),
        ScalarValue::I64(x) => Arg::from(x),
        ScalarValue::U32(x) => Arg::from(x),
        ScalarValue::U64(x) => Arg::from(x),
        ScalarValue::Usize(x) => Arg::from(x),
        ScalarValue::F32(x) => Arg::from(x),
        ScalarValue::F64(x) => Arg::from(x),
    }
}

/// Saves every writable array to its own file, or to `out/NAME.npy`.
fn save_arrays(bound: Vec<BoundArg>, out: Option<&Path>) -> Result<(), CliError> {
    for BoundArg { param, value } in bound {
        let BoundValue::Array(array) = value else {
            continue;
        };
        if !array.writable {
            continue;
        }
        let BoundArray {
            array,
            path,
            fortran_order,
            ..
        } = array;
        let target = match out {
            Some(dir) => dir.join(format!("{param}.npy")),
            None => path,
        };
        let file = NpyArray {
            data: array.into_npy(),
            fortran_order,
        };
        write_npy(&target, &file).map_err(CliError::Save)?;
    }
    Ok(())
}
