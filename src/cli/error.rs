//! Everything that can stop a `kernelc` command, and the exit status each one means.

use super::bind::ArgError;
use kernel_npy::NpyError;
use kernel_runtime::{CompileError, Error as RuntimeError};
use std::path::PathBuf;
use std::process::ExitCode;
use thiserror::Error;

/// A command's failure.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("cannot read `{path}`: {source}")]
    ReadSource {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset}): kernel sources must be UTF-8")]
    SourceNotUtf8 { path: PathBuf, offset: usize },
    #[error("{0}")]
    Compile(CompileError),
    #[error("no function `{name}` in `{path}` (available: {available})")]
    UnknownFunction {
        name: String,
        path: PathBuf,
        available: String,
    },
    #[error(transparent)]
    Argument(#[from] ArgError),
    #[error("{0}")]
    Runtime(RuntimeError),
    #[error("cannot create the output directory `{path}`: {source}")]
    OutDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the kernel ran, but saving its results failed: {0}")]
    Save(NpyError),
}

/// Exit statuses, as SPEC §7 fixes them.
pub mod status {
    pub const COMPILE_ERROR: u8 = 1;
    pub const BAD_ARGUMENT: u8 = 2;
    pub const KERNEL_ERROR: u8 = 3;
}

impl CliError {
    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::SourceNotUtf8 { .. } | CliError::Compile(_) => status::COMPILE_ERROR,
            CliError::Runtime(RuntimeError::Compile(_) | RuntimeError::Backend { .. }) => {
                status::COMPILE_ERROR
            }
            CliError::Runtime(RuntimeError::Kernel(_)) => status::KERNEL_ERROR,
            CliError::Runtime(_)
            | CliError::ReadSource { .. }
            | CliError::UnknownFunction { .. }
            | CliError::Argument(_)
            | CliError::OutDir { .. }
            | CliError::Save(_) => status::BAD_ARGUMENT,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit_status())
    }

    /// The text for stderr: compile errors are already rendered rustc-style, with their own
    /// `error:` prefixes.
    pub fn report(&self) -> String {
        match self {
            CliError::Compile(error) | CliError::Runtime(RuntimeError::Compile(error)) => {
                error.render()
            }
            other => format!("error: {other}\n"),
        }
    }
}
