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
    /// Options that do not go together.
    #[error("{0}")]
    Usage(String),
    /// Started by an MPI launcher, but built without MPI.
    #[error("kernelc was started as one of {size} MPI ranks but was built without MPI: rebuild it with `cargo build --release --features mpi` (or use --ranks N to run the ranks as threads)")]
    NoMpi { size: usize },
    /// The transport between ranks failed.
    #[error("communication between ranks failed: {0}")]
    Mpi(kernelc_apps::distributed::CommError),
    /// Another rank failed; this one stopped with it.
    #[error("stopped because rank {rank} failed: {message}")]
    OtherRank { rank: usize, message: String },
    /// A failure on one rank of a distributed run.
    #[error("rank {rank} of {size}: {source}")]
    OnRank {
        rank: usize,
        size: usize,
        source: Box<CliError>,
    },
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
            | CliError::Save(_)
            | CliError::Usage(_)
            | CliError::NoMpi { .. }
            | CliError::OtherRank { .. } => status::BAD_ARGUMENT,
            CliError::Mpi(_) => status::KERNEL_ERROR,
            CliError::OnRank { source, .. } => source.exit_status(),
        }
    }

    /// Whether this is a rank's echo of another rank's failure rather than a cause.
    pub fn is_echo(&self) -> bool {
        match self {
            CliError::OtherRank { .. } | CliError::Mpi(_) => true,
            CliError::OnRank { source, .. } => source.is_echo(),
            _ => false,
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
