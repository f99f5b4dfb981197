//! `kernelc profile`: runs one call with line-level counters and prints the profile
//! (`kernel_runtime::Profile`: line_profiler's table per function, then `%prun` totals) to
//! stdout, followed by the return value.
//!
//! `--backend jit` (the default, as for `run`) profiles instrumented JIT code, `--backend
//! interp` the interpreter; both count the same exact hits per line, and time lines by the
//! methods of `kernel_runtime::Profile` (statement-boundary cycle counters in the JIT, `Instant`
//! in the interpreter). Writable arrays are not saved: a profile is for finding hot lines, `kernelc run` is for results. A runtime error
//! still prints the partial profile, then the error (exit status 3).

use super::bind::bind_args;
use super::error::CliError;
use super::run::{ensure_function, to_arg};
use super::{print_stdout, source};
use clap::Args;
use kernel_runtime::{Arg, Backend, Module, Options};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The kernel source file.
    pub file: PathBuf,
    /// The function to call.
    #[arg(long = "fn", value_name = "NAME")]
    pub function: String,
    /// The tier to profile: `jit` (instrumented compiled code) or `interp`.
    #[arg(long, value_name = "BACKEND", default_value = "jit", value_parser = parse_backend)]
    pub backend: ProfileBackend,
    #[command(flatten)]
    pub reassociate: super::ReassociateArg,
    /// Arguments: scalar literals (3, 0.5, inf, true) or .npy paths for arrays.
    #[arg(value_name = "NAME=VALUE")]
    pub args: Vec<String>,
}

/// The tiers `profile` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileBackend {
    Jit,
    Interp,
}

/// Why a `--backend` value cannot be profiled.
#[derive(Debug, thiserror::Error)]
pub enum ProfileBackendError {
    #[error("unknown backend `{0}` (expected `jit` or `interp`)")]
    Unknown(String),
}

/// Parses `--backend`; clap reports an error as a usage error (exit status 2).
pub fn parse_backend(text: &str) -> Result<ProfileBackend, ProfileBackendError> {
    match text {
        "interp" => Ok(ProfileBackend::Interp),
        "jit" => Ok(ProfileBackend::Jit),
        other => Err(ProfileBackendError::Unknown(other.to_string())),
    }
}

pub fn profile(args: &ProfileArgs) -> Result<(), CliError> {
    let source = source::read_source(&args.file)?;
    let backend = match args.backend {
        ProfileBackend::Jit => Backend::Jit,
        ProfileBackend::Interp => Backend::Interpreter,
    };
    let options = Options {
        backend,
        reassociate: args.reassociate.reassociate,
        ..Options::default()
    };
    let module = Module::compile_with(&source, options).map_err(CliError::Runtime)?;
    ensure_function(&module, &args.function, &args.file)?;
    let params = module.params(&args.function).map_err(CliError::Runtime)?;
    let mut bound = bind_args(&args.function, &params, &args.args)?;
    let function = module.function(&args.function).map_err(CliError::Runtime)?;
    let mut call_args: Vec<Arg<'_>> = bound.iter_mut().map(to_arg).collect();
    match function.profile(&mut call_args) {
        Ok((value, profile)) => {
            print_stdout(&profile.to_string());
            if !value.is_unit() {
                print_stdout(&format!("\nreturned: {value}\n"));
            }
            Ok(())
        }
        Err(failure) => {
            if let Some(profile) = &failure.profile {
                print_stdout(&profile.to_string());
            }
            Err(CliError::Runtime(*failure.error))
        }
    }
}
