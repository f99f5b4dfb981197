//! The benchmark graph (the peers' case 3: a random graph with distinct undirected edges,
//! symmetric-normalised) and the SVD section of the showcase.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Instant;

use kernel_runtime::Backend;

use super::engine::SvdError;
use super::ops::{Ops, Svd};
use super::randomized::{randomized_svd_with, Normalizer};
use super::Csr;

/// A random simple graph: `nodes` nodes, `edges` distinct undirected edges, no self-loops,
/// drawn with SplitMix64 from `seed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphSpec {
    pub nodes: usize,
    pub edges: usize,
    pub seed: u64,
}

impl GraphSpec {
    /// The peers' case 3: 20,000 nodes, 100,000 edges.
    pub const CASE3: GraphSpec = GraphSpec {
        nodes: 20_000,
        edges: 100_000,
        seed: 0,
    };

    /// The most edges a simple graph on `nodes` nodes has: `nodes·(nodes−1)/2`.
    pub fn max_edges(self) -> usize {
        self.nodes.saturating_mul(self.nodes.saturating_sub(1)) / 2
    }
}

/// The graph of `spec` as a symmetric CSR adjacency matrix (unit weights, sorted columns),
/// normalised to `D^{-1/2} A D^{-1/2}` by the kernel in `ops`' tier. Asks for no more edges
/// than a simple graph on `nodes` nodes can have.
pub fn random_graph(ops: &Ops, spec: GraphSpec) -> Result<Csr, SvdError> {
    let mut neighbours = vec![Vec::new(); spec.nodes];
    for (a, b) in random_edges(spec) {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let adjacency = csr_from_neighbours(spec.nodes, neighbours)?;
    ops.sym_normalize(&adjacency)
}

/// The edges of [`random_graph`]'s graph of `spec`, in the order they are drawn, each as its
/// two ends were drawn (no self-loops, no edge twice in either direction). At most
/// `nodes·(nodes−1)/2` of them.
pub fn random_edges(spec: GraphSpec) -> Vec<(usize, usize)> {
    let n = spec.nodes;
    let wanted = spec.edges.min(spec.max_edges());
    let mut state = spec.seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut seen = HashSet::with_capacity(wanted);
    let mut edges = Vec::with_capacity(wanted);
    while edges.len() < wanted {
        let a = (next() % n as u64) as usize;
        let b = (next() % n as u64) as usize;
        if a != b && seen.insert((a.min(b), a.max(b))) {
            edges.push((a, b));
        }
    }
    edges
}

/// A unit-weight CSR matrix from adjacency lists (sorted here).
pub(crate) fn csr_from_neighbours(n: usize, neighbours: Vec<Vec<usize>>) -> Result<Csr, SvdError> {
    let mut indptr = Vec::with_capacity(n + 1);
    let mut indices = Vec::new();
    indptr.push(0);
    for mut list in neighbours {
        list.sort_unstable();
        indices.extend_from_slice(&list);
        indptr.push(indices.len());
    }
    let data = vec![1.0; indices.len()];
    Ok(Csr::new((n, n), indptr, indices, data)?)
}

/// The showcase's SVD section: a 2,000-node random graph (10,000 edges), k = 16, five
/// power iterations, in every available tier; the time of each, the top singular values,
/// and whether the tiers agree to the bit.
pub fn showcase_section() -> Result<String, SvdError> {
    let spec = GraphSpec {
        nodes: 2_000,
        edges: 10_000,
        seed: 7,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Random graph: {} nodes, {} edges, D^-1/2 A D^-1/2; k = 16, 10 oversamples, \
         n_iter = 5 (LU normaliser).\n",
        spec.nodes, spec.edges
    );
    let _ = writeln!(out, "| tier | time | top-3 σ |\n| --- | --- | --- |");
    let mut results: Vec<(Backend, Svd)> = Vec::new();
    for tier in Backend::ALL {
        let ops = Ops::new(tier)?;
        let graph = random_graph(&ops, spec)?;
        let start = Instant::now();
        let svd = randomized_svd_with(&ops, &graph, 16, 10, Some(5), Normalizer::Auto, 0)?;
        let elapsed = start.elapsed();
        let top: Vec<String> = svd.s.iter().take(3).map(|v| format!("{v:.6}")).collect();
        let _ = writeln!(out, "| {tier} | {elapsed:.2?} | {} |", top.join(", "));
        results.push((tier, svd));
    }
    let identical = results.windows(2).all(|w| same_bits(&w[0].1, &w[1].1));
    let _ = writeln!(
        out,
        "\nTiers bit-identical (U, s, Vt): {}",
        if identical { "yes" } else { "NO" }
    );
    Ok(out)
}

/// Whether two decompositions are equal to the bit.
pub fn same_bits(a: &Svd, b: &Svd) -> bool {
    let bits = |x: &ndarray::Array2<f64>| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    bits(&a.u) == bits(&b.u)
        && bits(&a.vt) == bits(&b.vt)
        && a.s
            .iter()
            .map(|v| v.to_bits())
            .eq(b.s.iter().map(|v| v.to_bits()))
}
