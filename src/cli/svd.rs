//! `kernelc svd MATRIX.npz --k K …`: the randomized truncated SVD of a scipy sparse matrix,
//! written as `U.npy`, `S.npy` and `Vt.npy` in the output directory. Its steps are reported
//! through [`Reporter`] (`--verbose` lines, the progress bar).
//!
//! Failures map onto the command's exit statuses: unreadable or malformed input, a rank
//! that does not fit, or a problem too large for memory are bad arguments (2); a kernel's
//! runtime error is 3.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::error::CliError;
use super::progress::{ReportArgs, Reporter};
use kernel_npy::{read_sparse_npz, write_npy, NpyArray};
use kernel_runtime::Backend;
use kernelc_apps::svd::{randomized_svd_observed, Csr, Normalizer, Ops, SvdError, SvdParams};

/// The dense working set may not exceed this many bytes (a hostile `shape` could otherwise
/// ask for terabytes of `Q`).
pub const MEMORY_BUDGET_BYTES: u128 = 16 << 30;

/// `--backend` for the applications: the native tier is always there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TierChoice {
    /// The `#[kernel]` native code.
    #[default]
    Native,
    /// The Cranelift JIT.
    Jit,
    /// The interpreter.
    Interp,
}

impl TierChoice {
    pub fn backend(self) -> Backend {
        match self {
            TierChoice::Native => Backend::Native,
            TierChoice::Jit => Backend::Jit,
            TierChoice::Interp => Backend::Interpreter,
        }
    }
}

/// `--normalizer`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum NormalizerChoice {
    #[default]
    Auto,
    None,
    Lu,
    Qr,
}

#[derive(Debug, Args)]
pub struct SvdArgs {
    /// A scipy sparse matrix saved with `scipy.sparse.save_npz` (csr or csc).
    pub matrix: PathBuf,
    /// The number of singular triplets.
    #[arg(long)]
    pub k: usize,
    /// Power iterations (default: sklearn's "auto", 7 or 4).
    #[arg(long = "n-iter")]
    pub n_iter: Option<usize>,
    /// Extra random vectors beyond k.
    #[arg(long, default_value_t = 10)]
    pub oversamples: usize,
    /// Seed of the Gaussian test matrix.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The power-iteration normaliser.
    #[arg(long, value_enum, default_value_t = NormalizerChoice::Auto)]
    pub normalizer: NormalizerChoice,
    #[arg(long, value_enum, default_value_t = TierChoice::Native)]
    pub backend: TierChoice,
    /// The output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Why the input cannot be decomposed, reported against the input file.
#[derive(Debug, thiserror::Error)]
pub enum ProblemError {
    #[error("a {rows}×{cols} problem with {vectors} vectors needs about {gib} GiB, more than the {budget} GiB allowed", budget = MEMORY_BUDGET_BYTES >> 30)]
    TooLarge {
        rows: usize,
        cols: usize,
        vectors: usize,
        gib: u128,
    },
}

pub fn run(args: &SvdArgs) -> Result<(), CliError> {
    let mut reporter = Reporter::new(&args.report);
    let matrix = reporter.step("read matrix", || read_matrix(&args.matrix), describe)?;
    let (rows, cols) = matrix.shape();
    let vectors = args.k.saturating_add(args.oversamples).min(rows.min(cols));
    check_memory(rows, cols, vectors).map_err(|e| input_error(&args.matrix, e))?;
    let params = SvdParams {
        k: args.k,
        n_oversamples: args.oversamples,
        n_iter: args.n_iter,
        normalizer: match args.normalizer {
            NormalizerChoice::Auto => Normalizer::Auto,
            NormalizerChoice::None => Normalizer::None,
            NormalizerChoice::Lu => Normalizer::Lu,
            NormalizerChoice::Qr => Normalizer::Qr,
        },
        seed: args.seed,
    };
    let backend = args.backend.backend();
    let ops = reporter.step(
        "prepare kernels",
        || Ops::new(backend).map_err(|e| svd_error(&args.matrix, e)),
        |_| backend.to_string(),
    )?;
    let svd = randomized_svd_observed(&ops, &matrix, &params, &mut reporter)
        .map_err(|e| svd_error(&args.matrix, e))?;
    reporter.step(
        "write outputs",
        || {
            std::fs::create_dir_all(&args.out).map_err(|source| CliError::OutDir {
                path: args.out.clone(),
                source,
            })?;
            save(&args.out.join("U.npy"), svd.u.into_dyn())?;
            save(&args.out.join("S.npy"), svd.s.into_dyn())?;
            save(&args.out.join("Vt.npy"), svd.vt.into_dyn())
        },
        |()| args.out.display().to_string(),
    )?;
    reporter.finish();
    Ok(())
}

fn read_matrix(path: &Path) -> Result<Csr, CliError> {
    let stored = read_sparse_npz(path).map_err(|e| input_error(path, e))?;
    Csr::try_from(stored).map_err(|e| input_error(path, e))
}

/// `30×20, 79 nonzeros`.
fn describe(matrix: &Csr) -> String {
    let (rows, cols) = matrix.shape();
    format!("{rows}×{cols}, {} nonzeros", matrix.nnz())
}

/// Rejects problems whose dense arrays (a handful of `(rows + cols) × vectors` matrices)
/// would not fit the memory budget.
pub fn check_memory(rows: usize, cols: usize, vectors: usize) -> Result<(), ProblemError> {
    let bytes = (rows as u128 + cols as u128) * (vectors as u128 + 1) * 8 * 8;
    if bytes > MEMORY_BUDGET_BYTES {
        return Err(ProblemError::TooLarge {
            rows,
            cols,
            vectors,
            gib: bytes >> 30,
        });
    }
    Ok(())
}

fn save(path: &Path, array: ndarray::ArrayD<f64>) -> Result<(), CliError> {
    write_npy(path, &NpyArray::from(array)).map_err(CliError::Save)
}

/// A bad input, reported as `cannot read FILE: …` with exit status 2.
pub(crate) fn input_error(
    path: &Path,
    error: impl std::error::Error + Send + Sync + 'static,
) -> CliError {
    CliError::ReadSource {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, error),
    }
}

/// A failed computation: a kernel's runtime error is exit status 3, anything else (a rank
/// that does not fit, a tier that is not available) is a bad argument.
pub(crate) fn svd_error(path: &Path, error: SvdError) -> CliError {
    match error {
        SvdError::Runtime { source, .. } => CliError::Runtime(*source),
        other => input_error(path, other),
    }
}
