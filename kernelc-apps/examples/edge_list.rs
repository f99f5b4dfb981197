//! Writes the edges of a random graph (the SVD benchmark's graph,
//! `kernelc_apps::svd::random_edges`) as a whitespace-separated edge list, one `a b` line per
//! undirected edge in the order drawn: the input of `kernelc prone` and of the scale-out
//! benchmarks, where each MPI rank reads one byte range (`read_edge_list_part`).
//!
//! ```text
//! cargo run --release -p kernelc-apps --example edge_list -- 200000 1000000 0 /tmp/graph.edges
//! ```

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use kernelc_apps::prone::MAX_NODE_ID;
use kernelc_apps::svd::{random_edges, GraphSpec};

/// A random graph's edge list.
#[derive(Debug, Parser)]
struct Cli {
    /// Number of nodes (ids `0..NODES`).
    nodes: usize,
    /// Number of distinct undirected edges.
    edges: usize,
    /// Seed of the edge generator (SplitMix64).
    seed: u64,
    /// The text file to write.
    out: PathBuf,
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
    if spec.nodes > MAX_NODE_ID + 1 {
        return Err(format!(
            "NODES must be at most {}, the largest graph ProNE reads",
            MAX_NODE_ID + 1
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
    let edges = random_edges(spec);
    let mut out = BufWriter::new(File::create(&cli.out)?);
    for (a, b) in &edges {
        writeln!(out, "{a} {b}")?;
    }
    out.flush()?;
    eprintln!(
        "{}: {} nodes, {} edges, in {:.2?}",
        cli.out.display(),
        spec.nodes,
        edges.len(),
        start.elapsed()
    );
    Ok(())
}
