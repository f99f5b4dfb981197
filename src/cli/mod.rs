//! The `kernelc` command line (SPEC §7): `check`, `run` and `explain`.
//!
//! [`main`] parses the arguments with clap, runs one command and turns its [`CliError`] into
//! the exit status: 0 success, 1 compile error, 2 bad usage or bad argument, 3 runtime kernel
//! error. Only `ok` (from `check`), the return value (from `run`) and the IR (from `explain`)
//! go to stdout; every message goes to stderr, warnings included (`check` and `run` print
//! the source's warnings, which never change the exit status).

mod annotate;
mod array;
mod bench;
mod bind;
mod error;
mod profile;
pub mod progress;
pub mod prone;
mod run;
mod scalar;
pub mod scale_out;
mod source;
pub mod svd;

pub use array::KernelArray;
pub use bind::{bind_args, ArgError, BoundArg, BoundArray, BoundValue};
pub use error::{status, CliError};
pub use scalar::{parse_inferred, parse_scalar, ScalarError, ScalarValue};

use clap::{Parser, Subcommand, ValueEnum};
use kernel_runtime::{Backend, LaneCount, Module, Options};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// kernelc: compile and run numeric kernels written in a subset of Rust.
#[derive(Debug, Parser)]
#[command(name = "kernelc", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and type-check a kernel file; prints `ok` (warnings on stderr) or the diagnostics.
    Check {
        /// The kernel source file.
        file: PathBuf,
    },
    /// Run one function of a kernel file on scalar literals and .npy arrays.
    Run(run::RunArgs),
    /// Compile time and per-call time of one function in each tier, and the speedup table.
    Bench(bench::BenchArgs),
    /// Randomized truncated SVD of a scipy sparse matrix (.npz) → U.npy S.npy Vt.npy.
    ///
    /// On a terminal, a progress bar on stderr shows the current step, the share of the
    /// work done and the elapsed time; `--verbose` prints each step with its wall time.
    Svd(svd::SvdArgs),
    /// ProNE embedding of an edge list → .npy or word2vec text.
    ///
    /// On a terminal, a progress bar on stderr shows the current step, the share of the
    /// work done and the elapsed time; `--verbose` prints each step with its wall time.
    Prone(prone::ProneArgs),
    /// Run one function with line-level counters (JIT or interpreter); print the profile.
    Profile(profile::ProfileArgs),
    /// Show the typed IR of a kernel file's functions.
    Explain {
        /// The kernel source file.
        file: PathBuf,
        /// Only this function (default: every function).
        #[arg(long = "fn", value_name = "NAME")]
        function: Option<String>,
        /// Print the typed IR: every local's inferred type (the default).
        #[arg(long, conflicts_with_all = ["clif", "asm"])]
        ir: bool,
        /// Print the Cranelift IR the JIT generates.
        #[arg(long, conflicts_with = "asm")]
        clif: bool,
        /// Print the machine code the JIT generates.
        #[arg(long)]
        asm: bool,
        /// Print the source, each line annotated with the types it defines and the checks
        /// and library calls compiled code keeps there (like Cython's `-a`).
        #[arg(long, conflicts_with_all = ["ir", "clif", "asm"])]
        annotate: bool,
        #[command(flatten)]
        reassociate: ReassociateArg,
    },
}

/// `--reassociate[=LANES]`, for the commands that compile a kernel file.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct ReassociateArg {
    /// Reassociate the float reductions of every function in LANES lanes (2, 4, 8 or 16; 8
    /// when no value is given), as `#[reassociate(lanes = LANES)]` on each function would.
    #[arg(long, value_name = "LANES", num_args = 0..=1, require_equals = true,
          default_missing_value = "8", value_parser = parse_lanes)]
    pub reassociate: Option<LaneCount>,
}

fn parse_lanes(text: &str) -> Result<LaneCount, String> {
    text.parse::<u32>()
        .ok()
        .and_then(LaneCount::new)
        .ok_or_else(|| format!("`{text}` is not a lane count: use 2, 4, 8 or 16"))
}

/// The `--backend` choices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    /// The Cranelift JIT.
    #[default]
    Jit,
    /// The interpreter.
    Interp,
}

impl BackendChoice {
    pub fn backend(self) -> Backend {
        match self {
            BackendChoice::Jit => Backend::Jit,
            BackendChoice::Interp => Backend::Interpreter,
        }
    }
}

/// `--timeout`: a positive number of seconds.
#[derive(Debug, thiserror::Error)]
pub enum TimeoutError {
    #[error("`{0}` is not a number of seconds")]
    NotANumber(String),
    #[error("the timeout must be a positive, finite number of seconds, not `{0}`")]
    NotPositive(String),
}

pub fn parse_timeout(text: &str) -> Result<Duration, TimeoutError> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| TimeoutError::NotANumber(text.to_string()))?;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(TimeoutError::NotPositive(text.to_string()));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| TimeoutError::NotPositive(text.to_string()))
}

/// Runs the command line of this process.
pub fn main() -> ExitCode {
    // clap prints its own usage errors and exits with status 2.
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprint!("{}", error.report());
            error.exit_code()
        }
    }
}

/// Runs one command; output goes to stdout as the command completes.
pub fn execute(command: Command) -> Result<(), CliError> {
    match command {
        Command::Check { file } => check(&file),
        Command::Run(args) => run::run(&args),
        Command::Svd(args) => svd::run(&args),
        Command::Prone(args) => prone::run(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::Profile(args) => profile::profile(&args),
        Command::Explain {
            file,
            function,
            annotate: true,
            reassociate,
            ..
        } => annotate::annotate(&file, function.as_deref(), reassociate),
        Command::Explain {
            file,
            function,
            clif,
            asm,
            reassociate,
            ..
        } => {
            let view = match (clif, asm) {
                (true, _) => View::Clif,
                (_, true) => View::Asm,
                _ => View::TypedIr,
            };
            explain(&file, function.as_deref(), view, reassociate)
        }
    }
}

fn check(file: &std::path::Path) -> Result<(), CliError> {
    let source = source::read_source(file)?;
    let program = kernel_ir::compile(&source).map_err(CliError::Compile)?;
    print_warnings(&program.render_warnings());
    print_stdout("ok\n");
    Ok(())
}

/// Writes rendered warnings to stderr, followed by a blank line like rustc's; warnings never
/// change the exit status.
fn print_warnings(rendered: &str) {
    if !rendered.is_empty() {
        eprintln!("{rendered}");
    }
}

/// What `explain` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    TypedIr,
    Clif,
    Asm,
}

fn explain(
    file: &std::path::Path,
    function: Option<&str>,
    view: View,
    reassociate: ReassociateArg,
) -> Result<(), CliError> {
    let source = source::read_source(file)?;
    let options = Options {
        inspect: view != View::TypedIr,
        reassociate: reassociate.reassociate,
        ..Options::default()
    };
    let module = Module::compile_with(&source, options).map_err(CliError::Runtime)?;
    if let Some(name) = function {
        run::ensure_function(&module, name, file)?;
    }
    let text = match view {
        View::TypedIr => module.typed_ir(function),
        View::Clif | View::Asm => compiled_text(&module, function, view),
    }
    .map_err(CliError::Runtime)?;
    print_stdout(&text);
    if !text.ends_with('\n') {
        print_stdout("\n");
    }
    Ok(())
}

/// The CLIF or assembly of one function, or of every non-generic function.
fn compiled_text(
    module: &Module,
    function: Option<&str>,
    view: View,
) -> Result<String, kernel_runtime::Error> {
    let names = match function {
        Some(name) => vec![name.to_owned()],
        None => module.function_names(),
    };
    let mut parts = Vec::new();
    for name in names {
        let text = match view {
            View::Asm => module.asm(&name),
            _ => module.clif(&name),
        };
        match text {
            Ok(text) => parts.push(format!("; {name}\n{text}")),
            // A generic function has no code until it is called with concrete types.
            Err(kernel_runtime::Error::Inspect { .. }) if function.is_none() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(parts.join("\n"))
}

/// Writes to stdout, ignoring a closed pipe (`kernelc explain f.rs | head`).
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
