//! `kernelc prone EDGES --dim D … --out FILE`: the ProNE embedding of an edge list, written
//! as `.npy` or (any other extension) word2vec text. Its steps are reported through
//! [`Reporter`] (`--verbose` lines, the progress bar).

use std::path::PathBuf;

use clap::Args;

use super::error::CliError;
use super::progress::{ReportArgs, Reporter};
use super::svd::{check_memory, input_error, svd_error, TierChoice};
use kernel_npy::NpyError;
use kernelc_apps::prone::{
    adjacency, read_edge_list, write_embedding, OutputError, Prone, ProneParams,
};

#[derive(Debug, Args)]
pub struct ProneArgs {
    /// The edge list: one `a b` pair of 0-based node ids per line (`#` starts a comment).
    pub edges: PathBuf,
    /// The embedding dimension.
    #[arg(long, default_value_t = 128)]
    pub dim: usize,
    /// The order of the Chebyshev expansion.
    #[arg(long, default_value_t = 10)]
    pub step: usize,
    /// The Gaussian filter's θ.
    #[arg(long, default_value_t = 0.5)]
    pub theta: f64,
    /// The Laplacian shift μ.
    #[arg(long, default_value_t = 0.2)]
    pub mu: f64,
    /// Seed of the randomized SVD.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = TierChoice::Native)]
    pub backend: TierChoice,
    /// The output file: `.npy`, or word2vec text for any other extension.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: &ProneArgs) -> Result<(), CliError> {
    let mut reporter = Reporter::new(&args.report);
    let graph = reporter.step(
        "read edges",
        || {
            let edges = read_edge_list(&args.edges).map_err(|e| input_error(&args.edges, e))?;
            adjacency(&edges, None).map_err(|e| svd_error(&args.edges, e))
        },
        // The adjacency holds each distinct undirected edge twice.
        |graph| format!("{} nodes, {} edges", graph.rows(), graph.nnz() / 2),
    )?;
    check_memory(graph.rows(), graph.cols(), args.dim.saturating_add(10))
        .map_err(|e| input_error(&args.edges, e))?;
    let params = ProneParams {
        dim: args.dim,
        step: args.step,
        theta: args.theta,
        mu: args.mu,
        seed: args.seed,
    };
    let backend = args.backend.backend();
    let prone = reporter.step(
        "prepare kernels",
        || Prone::new(backend).map_err(|e| svd_error(&args.edges, e)),
        |_| backend.to_string(),
    )?;
    let result = prone
        .embed_observed(&graph, &params, &mut reporter)
        .map_err(|e| svd_error(&args.edges, e))?;
    reporter.step(
        "write embedding",
        || {
            write_embedding(&args.out, &result.embedding).map_err(|error| match error {
                OutputError::Npy(error) => CliError::Save(error),
                OutputError::Text { path, source } => {
                    CliError::Save(NpyError::Write { path, source })
                }
            })
        },
        |()| args.out.display().to_string(),
    )?;
    reporter.finish();
    Ok(())
}
