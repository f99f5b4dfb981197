//! ProNE over ranks (issue 19), ranks as threads ([`ThreadComm`]): the same bits for any
//! number of ranks, block size aside, and as single-process ProNE with CholeskyQR2; every
//! tier; edge lists split any way; an embedding as good as the default ProNE's.

use kernel_runtime::Backend;
use kernelc_apps::distributed::{
    adjacency_on_ranks, embed_on_ranks, gather_rows, prone_on_ranks, DistEmbedding, DistError,
    Group, ThreadComm, BLOCK_ROWS,
};
use kernelc_apps::progress::{Observer, Silent, Step, Timing};
use kernelc_apps::prone::{
    adjacency, nearest_centroid_accuracy, parse_edge_list, Embedding, Prone, ProneParams,
};
use kernelc_apps::svd::{Normalizer, Ops, SvdError};
use ndarray::Array2;

const KARATE: &str = include_str!("../examples/data/karate.edges");

type Edges = Vec<(usize, usize)>;

fn splitmix(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A planted-partition graph: `nodes` nodes in `communities` classes (node `i` in class
/// `i % communities`), five edges a node drawn inside its class and `across` drawn from
/// any class; the list repeats some edges (reversed too) and holds self-loops, which ProNE
/// drops. Returns the edges and the classes.
fn planted_graph(
    nodes: usize,
    communities: usize,
    across: usize,
    seed: u64,
) -> (Edges, Vec<usize>) {
    let mut next = splitmix(seed);
    let mut edges = Vec::new();
    for a in 0..nodes {
        for _ in 0..5 {
            let b = (next() as usize % (nodes / communities)) * communities + a % communities;
            edges.push((a, b.min(nodes - 1)));
        }
        for _ in 0..across {
            edges.push((a, next() as usize % nodes));
        }
        if a.is_multiple_of(7) {
            let &(x, y) = edges.last().unwrap();
            edges.push((y, x));
            edges.push((a, a));
        }
    }
    let labels = (0..nodes).map(|i| i % communities).collect();
    (edges, labels)
}

/// `edges` dealt into `ranks` parts: contiguous chunks of uneven sizes (the first part
/// empty when there are several), so no part follows the row layout.
fn uneven_parts(edges: &[(usize, usize)], ranks: usize) -> Vec<Edges> {
    if ranks == 1 {
        return vec![edges.to_vec()];
    }
    // Shares 0, 1, 2, … of the list.
    let total: usize = (0..ranks).sum();
    let mut parts = Vec::new();
    let mut start = 0;
    for r in 0..ranks {
        let end = if r + 1 == ranks {
            edges.len()
        } else {
            start + edges.len() * r / total
        };
        parts.push(edges[start..end].to_vec());
        start = end;
    }
    parts
}

fn params(dim: usize, step: usize) -> ProneParams {
    ProneParams {
        dim,
        step,
        ..ProneParams::default()
    }
}

/// ProNE on `parts.len()` ranks in `tier`, blocks of `block` rows, gathered on rank 0.
fn on_ranks(
    tier: Backend,
    parts: &[Edges],
    nodes: Option<usize>,
    block: usize,
    params: &ProneParams,
) -> Embedding {
    let results = ThreadComm::run(parts.len(), |comm| {
        let ops = Ops::new(tier).unwrap();
        let group = Group::new(&comm, &ops);
        let part = &parts[group_rank(&group)];
        let graph = adjacency_on_ranks(&group, part, nodes, block).unwrap();
        let result = embed_on_ranks(&group, &graph, params, &mut Silent).unwrap();
        gather(&group, &result)
    });
    results.into_iter().next().unwrap().unwrap()
}

fn group_rank(group: &Group) -> usize {
    use kernelc_apps::distributed::Comm;
    group.rank()
}

fn gather(group: &Group, result: &DistEmbedding) -> Option<Embedding> {
    let features = gather_rows(group, result.features.view(), &result.layout, 0).unwrap();
    let embedding = gather_rows(group, result.embedding.view(), &result.layout, 0).unwrap();
    Some(Embedding {
        features: features?,
        embedding: embedding?,
    })
}

fn single(
    tier: Backend,
    normalizer: Normalizer,
    edges: &[(usize, usize)],
    nodes: Option<usize>,
    params: &ProneParams,
) -> Embedding {
    let graph = adjacency(edges, nodes).unwrap();
    Prone::with_normalizer(tier, normalizer)
        .unwrap()
        .embed(&graph, params)
        .unwrap()
}

fn bits(a: &Array2<f64>) -> Vec<u64> {
    a.iter().map(|v| v.to_bits()).collect()
}

fn assert_same_bits(a: &Embedding, b: &Embedding, what: &str) {
    assert_eq!(a.features.dim(), b.features.dim(), "{what}: features shape");
    assert_eq!(bits(&a.features), bits(&b.features), "{what}: features");
    assert_eq!(
        a.embedding.dim(),
        b.embedding.dim(),
        "{what}: embedding shape"
    );
    assert_eq!(bits(&a.embedding), bits(&b.embedding), "{what}: embedding");
}

/// 3000 nodes: three blocks of BLOCK_ROWS, so two to four ranks split the rows (four leave
/// one rank without rows).
#[test]
fn one_to_four_ranks_give_the_single_process_cholqr2_bits() {
    let (edges, _) = planted_graph(3000, 4, 1, 1);
    let p = params(16, 6);
    let reference = single(Backend::Native, Normalizer::CholeskyQr2, &edges, None, &p);
    for ranks in 1..=4 {
        let result = on_ranks(
            Backend::Native,
            &uneven_parts(&edges, ranks),
            None,
            BLOCK_ROWS,
            &p,
        );
        assert_same_bits(&reference, &result, &format!("{ranks} ranks"));
    }
}

/// Blocks of 16 rows: every rank holds many blocks and most rows' neighbours live on other
/// ranks. The block size is part of the result (the Gram sums round per block), so the
/// bits differ from BLOCK_ROWS's, but not the values beyond rounding.
#[test]
fn small_blocks_give_the_same_bits_on_every_rank_count() {
    let (edges, _) = planted_graph(400, 3, 1, 2);
    let p = params(8, 5);
    let reference = on_ranks(Backend::Native, &uneven_parts(&edges, 1), None, 16, &p);
    for ranks in 2..=4 {
        let result = on_ranks(Backend::Native, &uneven_parts(&edges, ranks), None, 16, &p);
        assert_same_bits(&reference, &result, &format!("{ranks} ranks, blocks of 16"));
    }
    let whole = on_ranks(
        Backend::Native,
        &uneven_parts(&edges, 2),
        None,
        BLOCK_ROWS,
        &p,
    );
    assert_ne!(bits(&whole.features), bits(&reference.features));
    let gap = (&whole.features - &reference.features)
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(gap < 1e-6, "blocks of 16 vs {BLOCK_ROWS}: {gap:e}");
}

#[test]
fn every_tier_gives_the_same_bits_on_ranks() {
    let edges = parse_edge_list(KARATE).unwrap();
    let p = params(4, 4);
    let native = on_ranks(Backend::Native, &uneven_parts(&edges, 3), None, 8, &p);
    for tier in [Backend::Jit, Backend::Interpreter] {
        let result = on_ranks(tier, &uneven_parts(&edges, 3), None, 8, &p);
        assert_same_bits(&native, &result, &format!("{tier}"));
    }
    let single = single(
        Backend::Interpreter,
        Normalizer::CholeskyQr2,
        &edges,
        None,
        &p,
    );
    let whole = on_ranks(
        Backend::Native,
        &uneven_parts(&edges, 2),
        None,
        BLOCK_ROWS,
        &p,
    );
    assert_same_bits(&single, &whole, "interpreter, one process");
}

/// The same edges dealt to the ranks any way — in another order, an edge on two ranks,
/// its reverse on a third, some ranks with nothing — give the same adjacency and bits.
#[test]
fn edge_lists_split_any_way_give_the_same_result() {
    let (edges, _) = planted_graph(1500, 3, 1, 3);
    let p = params(8, 4);
    let reference = single(Backend::Native, Normalizer::CholeskyQr2, &edges, None, &p);
    let mut next = splitmix(11);
    let mut dealt: Vec<Edges> = vec![Vec::new(); 4];
    for &(a, b) in edges.iter().rev() {
        // Rank 1 gets nothing; rank 3 sees a fifth of the edges again, reversed.
        let rank = [0, 2, 2, 3][next() as usize % 4];
        dealt[rank].push((a, b));
        if next().is_multiple_of(5) {
            dealt[3].push((b, a));
        }
    }
    let result = on_ranks(Backend::Native, &dealt, None, BLOCK_ROWS, &p);
    assert_same_bits(&reference, &result, "dealt at random");
    let all_on_last = vec![Vec::new(), Vec::new(), edges.clone()];
    let result = on_ranks(Backend::Native, &all_on_last, None, BLOCK_ROWS, &p);
    assert_same_bits(&reference, &result, "every edge on the last rank");
}

/// Each rank's rows are the one-process adjacency's rows, for a given node count too (ids
/// past it dropped, nodes without edges kept).
#[test]
fn local_rows_are_the_rows_of_the_single_process_adjacency() {
    let (edges, _) = planted_graph(300, 3, 1, 4);
    for nodes in [None, Some(250), Some(340)] {
        let whole = adjacency(&edges, nodes).unwrap();
        let parts = uneven_parts(&edges, 3);
        let results = ThreadComm::run(3, |comm| {
            let ops = Ops::new(Backend::Native).unwrap();
            let group = Group::new(&comm, &ops);
            let graph = adjacency_on_ranks(&group, &parts[group_rank(&group)], nodes, 32).unwrap();
            (graph.rows().clone(), graph.layout().clone(), graph.nnz())
        });
        for (rank, (rows, layout, nnz)) in results.iter().enumerate() {
            assert_eq!(layout.rows(), whole.rows(), "{nodes:?}");
            assert_eq!(*nnz, whole.nnz(), "{nodes:?}");
            let expected = whole.row_block(layout.range(rank));
            assert_eq!(rows.shape(), expected.shape(), "{nodes:?} rank {rank}");
            assert_eq!(rows.indptr(), expected.indptr(), "{nodes:?} rank {rank}");
            assert_eq!(rows.indices(), expected.indices(), "{nodes:?} rank {rank}");
            assert_eq!(rows.data(), expected.data(), "{nodes:?} rank {rank}");
        }
    }
}

/// Isolated nodes (a node count past the largest id) and dropped ids agree with one
/// process too.
#[test]
fn a_given_node_count_gives_the_single_process_bits() {
    let (edges, _) = planted_graph(1100, 2, 1, 5);
    let p = params(6, 3);
    for nodes in [Some(1090), Some(1200)] {
        let reference = single(Backend::Native, Normalizer::CholeskyQr2, &edges, nodes, &p);
        let result = on_ranks(
            Backend::Native,
            &uneven_parts(&edges, 2),
            nodes,
            BLOCK_ROWS,
            &p,
        );
        assert_same_bits(&reference, &result, &format!("{nodes:?} nodes"));
    }
}

/// ProNE on ranks recovers the planted classes as well as the published algorithm (LU
/// normaliser, Householder dense SVD) does, and spans the same leading subspaces up to
/// rounding: both normalisers orthonormalise the same Krylov space.
#[test]
fn the_embedding_is_as_good_as_the_default_prones() {
    // Eight of every thirteen edges a node draws ignore the classes.
    let (edges, labels) = planted_graph(3000, 4, 8, 6);
    let p = params(16, 10);
    let default = single(Backend::Native, Normalizer::Auto, &edges, None, &p);
    let ranks = on_ranks(
        Backend::Native,
        &uneven_parts(&edges, 3),
        None,
        BLOCK_ROWS,
        &p,
    );
    let accuracy = |e: &Array2<f64>| nearest_centroid_accuracy(e.view(), &labels);
    let (a_default, a_ranks) = (accuracy(&default.embedding), accuracy(&ranks.embedding));
    eprintln!("nearest-centroid accuracy: default {a_default}, ranks {a_ranks}");
    assert!(a_ranks >= 0.95, "{a_ranks}");
    assert!(
        (a_ranks - a_default).abs() <= 0.01,
        "{a_ranks} vs {a_default}"
    );
    for (what, a, b) in [
        ("features", &default.features, &ranks.features),
        ("embedding", &default.embedding, &ranks.embedding),
    ] {
        let cosine = subspace_cosine(a, b, 4);
        assert!(
            cosine > 1.0 - 1e-9,
            "{what}: smallest principal cosine {cosine}"
        );
    }
}

/// The smallest cosine of the principal angles between the spans of the first `k` columns
/// of `a` and `b` (orthonormalised here with a dense SVD).
fn subspace_cosine(a: &Array2<f64>, b: &Array2<f64>, k: usize) -> f64 {
    let ops = Ops::new(Backend::Native).unwrap();
    let basis = |x: &Array2<f64>| {
        let svd = ops.thin_svd(x.view()).unwrap();
        svd.u.slice(ndarray::s![.., ..k]).to_owned()
    };
    let (qa, qb) = (basis(a), basis(b));
    let m = qa.t().dot(&qb);
    let s = ops.thin_svd(m.view()).unwrap().s;
    s[k - 1]
}

/// The steps told to an observer are those of the one-process run, in order.
#[test]
fn ranks_report_the_single_process_steps() {
    #[derive(Default)]
    struct Recorder {
        planned: usize,
        finished: Vec<String>,
    }
    impl Observer for Recorder {
        fn planned(&mut self, _: u64) {
            self.planned += 1;
        }
        fn finished(&mut self, step: &Step, _: &Timing) {
            self.finished.push(step.to_string());
        }
    }
    let edges = parse_edge_list(KARATE).unwrap();
    let p = params(4, 3);
    let mut expected = Recorder::default();
    Prone::with_normalizer(Backend::Native, Normalizer::CholeskyQr2)
        .unwrap()
        .embed_observed(&adjacency(&edges, None).unwrap(), &p, &mut expected)
        .unwrap();
    let parts = uneven_parts(&edges, 2);
    let seen = ThreadComm::run(2, |comm| {
        let ops = Ops::new(Backend::Native).unwrap();
        let group = Group::new(&comm, &ops);
        let mut recorder = Recorder::default();
        prone_on_ranks(&group, &parts[group_rank(&group)], None, &p, &mut recorder).unwrap();
        (recorder.planned, recorder.finished)
    });
    for (planned, finished) in seen {
        assert_eq!(planned, 1);
        assert_eq!(finished, expected.finished);
    }
}

/// A dimension the graph cannot give fails on every rank with the same error, before any
/// collective step of the embedding; so does a graph without edges.
#[test]
fn a_dimension_larger_than_the_graph_fails_on_every_rank() {
    let karate = parse_edge_list(KARATE).unwrap();
    for (edges, max) in [(karate, 34), (Vec::new(), 0)] {
        let parts = uneven_parts(&edges, 3);
        let results = ThreadComm::run(3, |comm| {
            let ops = Ops::new(Backend::Native).unwrap();
            let group = Group::new(&comm, &ops);
            let part = &parts[group_rank(&group)];
            prone_on_ranks(&group, part, None, &params(40, 3), &mut Silent).map(|_| ())
        });
        for result in results {
            assert!(
                matches!(
                    result,
                    Err(DistError::Local(SvdError::BadRank { k: 40, max: m })) if m == max
                ),
                "{result:?}"
            );
        }
    }
}

/// Order 1 skips the propagation: the embedding is the features, on ranks as on one process.
#[test]
fn order_one_returns_the_features() {
    let edges = parse_edge_list(KARATE).unwrap();
    let p = params(4, 1);
    let reference = single(Backend::Native, Normalizer::CholeskyQr2, &edges, None, &p);
    let result = on_ranks(
        Backend::Native,
        &uneven_parts(&edges, 2),
        None,
        BLOCK_ROWS,
        &p,
    );
    assert_eq!(bits(&result.embedding), bits(&result.features));
    assert_same_bits(&reference, &result, "order 1");
}
