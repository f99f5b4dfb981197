//! ProNE on Zachary's karate club: embeds the 34 members (dimension 8), projects the
//! embedding onto its two principal components (centring, then the SVD kernels) and plots
//! them coloured by the club each member joined, to `target/prone/karate.png`.
//!
//! `cargo run --release -p kernelc-apps --example prone [-- --tier interp|jit|native]`
//!
//! The picture has no text (no system fonts needed): red = the instructor's club (node 0),
//! blue = the administrator's (node 33); the two leaders are drawn larger.

use std::path::Path;

use kernel_runtime::Backend;
use kernelc_apps::prone::{
    adjacency, nearest_centroid_accuracy, parse_edge_list, Prone, ProneParams,
};
use kernelc_apps::svd::Ops;
use ndarray::{Array2, Axis};
use plotters::prelude::*;

const EDGES: &str = include_str!("data/karate.edges");
const LABELS: &str = include_str!("data/karate.labels");

/// `--tier interp|jit|native` (native when absent).
fn tier_from_args() -> Result<Backend, String> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--tier") {
        Some(i) => args.get(i + 1).ok_or("--tier needs a value")?.parse(),
        None => Ok(Backend::Native),
    }
}

/// The rows of `x` projected on its first two principal components.
fn pca_2d(ops: &Ops, x: &Array2<f64>) -> Result<Array2<f64>, Box<dyn std::error::Error>> {
    let mean = x.mean_axis(Axis(0)).ok_or("empty embedding")?;
    let centred = x - &mean.insert_axis(Axis(0));
    let svd = ops.thin_svd(centred.view())?;
    let top = svd.vt.slice(ndarray::s![..2, ..]);
    Ok(ops.matmul_nt(centred.view(), top)?)
}

fn plot(
    points: &Array2<f64>,
    labels: &[usize],
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let (lo, hi) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let pad = 0.1 * (hi - lo).max(1e-9);
    let root = BitMapBackend::new(path, (640, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(20)
        .build_cartesian_2d((lo - pad)..(hi + pad), (lo - pad)..(hi + pad))?;
    for (node, (row, &club)) in points.rows().into_iter().zip(labels).enumerate() {
        let colour = if club == 0 { RED } else { BLUE };
        let size = if node == 0 || node == 33 { 10 } else { 6 };
        chart.draw_series([Circle::new((row[0], row[1]), size, colour.filled())])?;
    }
    root.present()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tier = tier_from_args()?;
    let edges = parse_edge_list(EDGES)?;
    let labels: Vec<usize> = parse_edge_list(LABELS)?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let graph = adjacency(&edges, None)?;
    let params = ProneParams {
        dim: 8,
        ..ProneParams::default()
    };
    let start = std::time::Instant::now();
    let result = Prone::new(tier)?.embed(&graph, &params)?;
    let elapsed = start.elapsed();
    let accuracy = nearest_centroid_accuracy(result.embedding.view(), &labels);
    let features_accuracy = nearest_centroid_accuracy(result.features.view(), &labels);
    println!(
        "ProNE ({tier}): {} nodes, {} edges, dim {} in {elapsed:.2?}",
        graph.rows(),
        graph.nnz() / 2,
        params.dim
    );
    println!(
        "nearest-centroid accuracy: {accuracy:.3} (before propagation: {features_accuracy:.3})"
    );
    let points = pca_2d(&Ops::new(tier)?, &result.embedding)?;
    // The workspace's `target/`: this crate sits one level below the workspace root.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("kernelc-apps lies inside the workspace");
    let dir = workspace.join("target/prone");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("karate.png");
    plot(&points, &labels, &path)?;
    println!("wrote {}", path.display());
    Ok(())
}
