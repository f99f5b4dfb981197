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
use super::scale_out::{
    agree, dist_error, rank_report, report_traffic, run_command, RankFailure, ScaleOutArgs,
};
use kernel_npy::{
    read_sparse_npz, read_sparse_npz_indptr, read_sparse_npz_rows, write_npy, NpyArray,
    SparseFormat,
};
use kernel_runtime::Backend;
use kernelc_apps::distributed::{
    block_weights, check_params, gather_rows, randomized_svd, Comm, DistError, DistMatrix, Group,
    RowLayout, BLOCK_ROWS,
};
use kernelc_apps::svd::{randomized_svd_observed, Csr, Normalizer, Ops, Svd, SvdError, SvdParams};

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
    /// CholeskyQR2: what distributed runs use (`auto` means it there); here, the same
    /// bits as a distributed run.
    Cholqr2,
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
    #[command(flatten)]
    pub scale: ScaleOutArgs,
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
    run_command(
        &args.scale,
        || run_single(args),
        || refuse_undistributed(args.normalizer),
        |comm| run_rank(args, comm),
    )
}

/// LU and Householder QR need every row at every step: a distributed run refuses them.
fn refuse_undistributed(normalizer: NormalizerChoice) -> Result<(), CliError> {
    let name = match normalizer {
        NormalizerChoice::Lu => "lu",
        NormalizerChoice::Qr => "qr",
        _ => return Ok(()),
    };
    Err(CliError::Usage(format!(
        "--normalizer {name} does not distribute over ranks (it pivots or reflects across all rows); use cholqr2, auto or none"
    )))
}

fn params(args: &SvdArgs) -> SvdParams {
    SvdParams {
        k: args.k,
        n_oversamples: args.oversamples,
        n_iter: args.n_iter,
        normalizer: match args.normalizer {
            NormalizerChoice::Auto => Normalizer::Auto,
            NormalizerChoice::None => Normalizer::None,
            NormalizerChoice::Lu => Normalizer::Lu,
            NormalizerChoice::Qr => Normalizer::Qr,
            NormalizerChoice::Cholqr2 => Normalizer::CholeskyQr2,
        },
        seed: args.seed,
    }
}

/// The single-process run.
fn run_single(args: &SvdArgs) -> Result<(), CliError> {
    let mut reporter = Reporter::new(&args.report);
    let matrix = reporter.step("read matrix", || read_matrix(&args.matrix), describe)?;
    let (rows, cols) = matrix.shape();
    let vectors = args.k.saturating_add(args.oversamples).min(rows.min(cols));
    check_memory(rows, cols, vectors).map_err(|e| input_error(&args.matrix, e))?;
    let params = params(args);
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
            create_out_dir(&args.out)?;
            save_svd(&args.out, svd)
        },
        |()| args.out.display().to_string(),
    )?;
    reporter.finish();
    Ok(())
}

fn create_out_dir(out: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(out).map_err(|source| CliError::OutDir {
        path: out.to_path_buf(),
        source,
    })
}

fn save_svd(out: &Path, svd: Svd) -> Result<(), CliError> {
    save(&out.join("U.npy"), svd.u.into_dyn())?;
    save(&out.join("S.npy"), svd.s.into_dyn())?;
    save(&out.join("Vt.npy"), svd.vt.into_dyn())
}

/// One rank's part of a distributed run: read its rows, agree that every rank could, run
/// the distributed SVD, gather `U` and `V` on rank 0, which writes the files.
fn run_rank(args: &SvdArgs, comm: &dyn Comm) -> Result<(), RankFailure> {
    let (rank, size) = (comm.rank(), comm.size());
    let mut reporter = Reporter::new(&rank_report(&args.report, rank));
    let backend = args.backend.backend();
    let ops = Ops::new(backend).map_err(|e| RankFailure::agreed(svd_error(&args.matrix, e)))?;
    let group = Group::new(comm, &ops);
    let path = &args.matrix;
    let params = params(args);
    let input = reporter.step(
        "read matrix",
        || Ok(read_rank_rows(args, &params, rank, size)),
        |input| match input {
            Ok((shape, layout, local)) => format!(
                "{}×{}, rows {:?} of {} ranks, {} nonzeros here",
                shape.0,
                shape.1,
                layout.range(rank),
                size,
                local.nnz()
            ),
            Err(_) => String::new(),
        },
    )?;
    let (shape, layout, local) = agree(&group, path, input)?;
    let fail = |e: DistError| RankFailure::from(dist_error(path, e));
    let matrix = DistMatrix::new(&group, shape, layout, local).map_err(fail)?;
    let svd = randomized_svd(&group, &matrix, &params, &mut reporter).map_err(fail)?;
    let u = gather_rows(&group, svd.u.view(), &svd.u_layout, 0).map_err(fail)?;
    let v = gather_rows(&group, svd.v.view(), &svd.v_layout, 0).map_err(fail)?;
    report_traffic(&group, args.scale.traffic)?;
    if let (Some(u), Some(v)) = (u, v) {
        reporter.step(
            "write outputs",
            || {
                let vt = ops.transpose(v.view()).map_err(|e| svd_error(path, e))?;
                save_svd(&args.out, Svd { u, s: svd.s, vt })
            },
            |()| args.out.display().to_string(),
        )?;
    }
    reporter.finish();
    Ok(())
}

/// This rank's rows of the matrix, balanced by stored entries over `size` ranks, after
/// checking the parameters and this rank's memory; rank 0 also makes the output directory.
fn read_rank_rows(
    args: &SvdArgs,
    params: &SvdParams,
    rank: usize,
    size: usize,
) -> Result<((usize, usize), RowLayout, Csr), CliError> {
    let path = &args.matrix;
    let header = read_sparse_npz_indptr(path).map_err(|e| input_error(path, e))?;
    if header.format == SparseFormat::Csc {
        return Err(input_error(path, CscInput));
    }
    let shape = header.shape;
    check_params(shape, params).map_err(|e| svd_error(path, e))?;
    let layout = RowLayout::balanced(
        shape.0,
        BLOCK_ROWS,
        &block_weights(&header.indptr, BLOCK_ROWS),
        size,
    );
    let vectors = params
        .k
        .saturating_add(params.n_oversamples)
        .min(shape.0.min(shape.1));
    check_memory(layout.range(rank).len(), shape.1.div_ceil(size), vectors)
        .map_err(|e| input_error(path, e))?;
    let rows = read_sparse_npz_rows(path, layout.range(rank)).map_err(|e| input_error(path, e))?;
    let local = Csr::try_from(rows.into_matrix()).map_err(|e| input_error(path, e))?;
    if rank == 0 {
        create_out_dir(&args.out)?;
    }
    Ok((shape, layout, local))
}

/// A csc file cannot be read by rows.
#[derive(Debug, thiserror::Error)]
#[error("a distributed run reads its rows of a csr matrix; this file is csc: save it with `scipy.sparse.save_npz(path, m.tocsr())`")]
struct CscInput;

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
