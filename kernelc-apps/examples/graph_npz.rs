//! Writes the symmetric-normalised adjacency `D^{-1/2} A D^{-1/2}` of a random graph (the
//! SVD benchmark's graph, `kernelc_apps::svd::random_graph`) as a scipy CSR `.npz`, the input
//! of the scale-out benchmarks (`kernelc svd`, each MPI rank reading its row block).
//!
//! ```text
//! cargo run --release -p kernelc-apps --example graph_npz -- 200000 1000000 0 /tmp/graph.npz
//! ```
//!
//! The archive is deflated, as `scipy.sparse.save_npz` writes by default; `--stored` writes
//! it uncompressed (`compressed=False`), which ranks enter by seeking instead of inflating.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use kernel_npy::{write_sparse_npz, SparseMatrix, MAX_DIMENSION};
use kernel_runtime::Backend;
use kernelc_apps::svd::{random_graph, GraphSpec, Ops};

/// A random graph's normalised adjacency as a CSR `.npz`.
#[derive(Debug, Parser)]
struct Cli {
    /// Number of nodes (rows and columns).
    nodes: usize,
    /// Number of distinct undirected edges (each stored twice, once per direction).
    edges: usize,
    /// Seed of the edge generator (SplitMix64).
    seed: u64,
    /// The `.npz` to write.
    out: PathBuf,
    /// Store the members uncompressed.
    #[arg(long)]
    stored: bool,
    /// The tier of the normalising kernel (interp, jit, native); every tier gives the same bits.
    #[arg(long, default_value = "native")]
    tier: Backend,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    let spec = GraphSpec {
        nodes: cli.nodes,
        edges: cli.edges,
        seed: cli.seed,
    };
    if spec.nodes > MAX_DIMENSION {
        return Err(format!(
            "NODES must be at most {MAX_DIMENSION}, the largest .npz dimension read back"
        )
        .into());
    }
    if spec.edges > spec.max_edges() {
        let most = spec.max_edges();
        return Err(format!(
            "a simple graph on {} nodes has at most {most} edges, not {}",
            spec.nodes, spec.edges
        )
        .into());
    }
    let start = Instant::now();
    let graph = random_graph(&Ops::new(cli.tier)?, spec)?;
    write_sparse_npz(&cli.out, &SparseMatrix::from(&graph), !cli.stored)?;
    eprintln!(
        "{}: {n}×{n}, {} nonzeros, in {:.2?}",
        cli.out.display(),
        graph.nnz(),
        start.elapsed(),
        n = spec.nodes,
    );
    Ok(())
}
