//! `kernelc prone EDGES --dim D … --out FILE`: the ProNE embedding of an edge list, written
//! as `.npy` or (any other extension) word2vec text. Its steps are reported through
//! [`Reporter`] (`--verbose` lines, the progress bar).

use std::path::{Path, PathBuf};

use clap::Args;
use ndarray::Array2;

use super::error::CliError;
use super::progress::{ReportArgs, Reporter};
use super::scale_out::{
    agree, dist_error, rank_report, report_traffic, run_command, RankFailure, ScaleOutArgs,
};
use super::svd::{check_memory, input_error, svd_error, TierChoice};
use kernel_npy::NpyError;
use kernelc_apps::distributed::{gather_rows, prone_on_ranks, Comm, DistError, Group};
use kernelc_apps::prone::{
    adjacency, read_edge_list, read_edge_list_part, write_embedding, OutputError, Prone,
    ProneParams,
};
use kernelc_apps::svd::Ops;

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
    #[command(flatten)]
    pub scale: ScaleOutArgs,
}

pub fn run(args: &ProneArgs) -> Result<(), CliError> {
    run_command(
        &args.scale,
        || run_single(args),
        || Ok(()),
        |comm| run_rank(args, comm),
    )
}

fn params(args: &ProneArgs) -> ProneParams {
    ProneParams {
        dim: args.dim,
        step: args.step,
        theta: args.theta,
        mu: args.mu,
        seed: args.seed,
    }
}

/// The single-process run.
fn run_single(args: &ProneArgs) -> Result<(), CliError> {
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
    let params = params(args);
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
        || save(&args.out, &result.embedding),
        |()| args.out.display().to_string(),
    )?;
    reporter.finish();
    Ok(())
}

fn save(out: &Path, embedding: &Array2<f64>) -> Result<(), CliError> {
    write_embedding(out, embedding).map_err(|error| match error {
        OutputError::Npy(error) => CliError::Save(error),
        OutputError::Text { path, source } => CliError::Save(NpyError::Write { path, source }),
    })
}

/// One rank's part of a distributed run: read its byte range of the edge list, agree that
/// every rank could, embed over the ranks, gather the embedding on rank 0, which writes it.
fn run_rank(args: &ProneArgs, comm: &dyn Comm) -> Result<(), RankFailure> {
    let (rank, size) = (comm.rank(), comm.size());
    let mut reporter = Reporter::new(&rank_report(&args.report, rank));
    let path = &args.edges;
    let backend = args.backend.backend();
    let ops = Ops::new(backend).map_err(|e| RankFailure::agreed(svd_error(path, e)))?;
    let group = Group::new(comm, &ops);
    let edges = reporter.step(
        "read edges",
        || {
            Ok(read_edge_list_part(path, rank, size)
                .map_err(|e| input_error(path, e))
                .and_then(|edges| check_prone_memory(args, &edges, size).map(|()| edges)))
        },
        |edges| match edges {
            Ok(edges) => format!("{} edges in part {rank} of {size}", edges.len()),
            Err(_) => String::new(),
        },
    )?;
    let edges = agree(&group, path, edges)?;
    let fail = |e: DistError| RankFailure::from(dist_error(path, e));
    let params = params(args);
    let result = prone_on_ranks(&group, &edges, None, &params, &mut reporter).map_err(fail)?;
    let embedding =
        gather_rows(&group, result.embedding.view(), &result.layout, 0).map_err(fail)?;
    report_traffic(&group, args.scale.traffic)?;
    if let Some(embedding) = embedding {
        reporter.step(
            "write embedding",
            || save(&args.out, &embedding),
            |()| args.out.display().to_string(),
        )?;
    }
    reporter.finish();
    Ok(())
}

/// The memory check of a rank: its share of the nodes the edges name (the largest id seen
/// here bounds nothing globally, so the share is estimated from this part's edges).
fn check_prone_memory(
    args: &ProneArgs,
    edges: &[(usize, usize)],
    size: usize,
) -> Result<(), CliError> {
    let nodes = edges.iter().map(|&(a, b)| a.max(b) + 1).max().unwrap_or(0);
    let share = nodes.div_ceil(size.max(1));
    check_memory(share, share, args.dim.saturating_add(10)).map_err(|e| input_error(&args.edges, e))
}
