//! ProNE (issue 6) on Zachary's karate club: normalised, deterministic, separating the two
//! clubs, identical in every tier; plus its pieces (Bessel function, edge lists).

use kernel_runtime::{Backend, Options};
use kernelc_apps::prone::prone_kernels;
use kernelc_apps::prone::{
    adjacency, nearest_centroid_accuracy, parse_edge_list, write_word2vec, EdgeListError, Prone,
    ProneParams,
};

const EDGES: &str = include_str!("../examples/data/karate.edges");
const LABELS: &str = include_str!("../examples/data/karate.labels");

fn labels() -> Vec<usize> {
    parse_edge_list(LABELS)
        .expect("labels parse as pairs")
        .into_iter()
        .map(|(_, club)| club)
        .collect()
}

fn params() -> ProneParams {
    ProneParams {
        dim: 8,
        ..ProneParams::default()
    }
}

/// The minimum nearest-centroid accuracy we require of the embedding (ProNE's typically
/// reaches 0.94–1.0 on this graph: only a few members sit between the clubs).
const MIN_ACCURACY: f64 = 0.85;

#[test]
fn karate_club_embedding_is_normalised_deterministic_and_separates_the_clubs() {
    let graph = adjacency(&parse_edge_list(EDGES).unwrap(), None).unwrap();
    assert_eq!(graph.shape(), (34, 34));
    assert_eq!(graph.nnz(), 156);
    let prone = Prone::new(Backend::Native).unwrap();
    let result = prone.embed(&graph, &params()).unwrap();
    for emb in [&result.features, &result.embedding] {
        assert_eq!(emb.dim(), (34, 8));
        for row in emb.rows() {
            let norm = row.dot(&row).sqrt();
            assert!((norm - 1.0).abs() <= 1e-12, "row norm {norm}");
        }
    }
    let again = prone.embed(&graph, &params()).unwrap();
    assert_eq!(result, again, "same seed, same embedding");
    let other = prone
        .embed(
            &graph,
            &ProneParams {
                seed: 9,
                ..params()
            },
        )
        .unwrap();
    assert!(other.features.iter().all(|v| v.is_finite()));
    let accuracy = nearest_centroid_accuracy(result.embedding.view(), &labels());
    eprintln!("karate nearest-centroid accuracy: {accuracy}");
    assert!(accuracy >= MIN_ACCURACY, "accuracy {accuracy}");
}

#[test]
fn every_tier_gives_the_same_karate_embedding() {
    let graph = adjacency(&parse_edge_list(EDGES).unwrap(), None).unwrap();
    let small = ProneParams {
        dim: 4,
        step: 4,
        ..ProneParams::default()
    };
    let results: Vec<_> = Backend::ALL
        .iter()
        .map(|&tier| Prone::new(tier).unwrap().embed(&graph, &small).unwrap())
        .collect();
    let bits = |a: &ndarray::Array2<f64>| a.mapv(f64::to_bits);
    for result in &results[1..] {
        assert_eq!(bits(&result.embedding), bits(&results[0].embedding));
        assert_eq!(bits(&result.features), bits(&results[0].features));
    }
}

#[test]
fn bessel_iv_matches_reference_values() {
    let module = prone_kernels::module(Options {
        backend: Backend::Interpreter,
        ..Options::default()
    })
    .unwrap();
    let bessel = module.typed::<(usize, f64), f64>("bessel_iv").unwrap();
    let iv = |order: usize, x: f64| bessel.call((order, x)).unwrap();
    // scipy.special.iv
    let cases = [
        (0, 0.5, 1.0634833707413236),
        (1, 0.5, 0.2578943053908963),
        (0, 1.0, 1.2660658777520082),
        (1, 1.0, 0.565159103992485),
        (3, 2.0, 0.21273995923985267),
    ];
    for (order, x, want) in cases {
        let got = iv(order, x);
        assert!(
            (got - want).abs() <= 4e-16 * want,
            "I_{order}({x}) = {got}, want {want}"
        );
        assert_eq!(
            got.to_bits(),
            prone_kernels::bessel_iv(order, x).unwrap().to_bits()
        );
    }
}

#[test]
fn edge_lists_are_parsed_strictly() {
    assert_eq!(
        parse_edge_list("# c\n0 1\n\n2 3 0.5\n").unwrap(),
        vec![(0, 1), (2, 3)]
    );
    assert!(matches!(
        parse_edge_list("0\n"),
        Err(EdgeListError::BadLine { line: 1, .. })
    ));
    assert!(matches!(
        parse_edge_list("0 -1\n"),
        Err(EdgeListError::BadId { .. })
    ));
    assert!(matches!(
        parse_edge_list("0 99999999999\n"),
        Err(EdgeListError::IdTooLarge { .. })
    ));
    assert!(matches!(
        parse_edge_list("# nothing\n"),
        Err(EdgeListError::Empty)
    ));
    // Self-loops and repeats are dropped; both directions are stored.
    let graph = adjacency(&[(0, 1), (1, 0), (2, 2), (1, 2)], None).unwrap();
    assert_eq!(graph.indptr(), &[0, 1, 3, 4]);
    assert_eq!(graph.indices(), &[1, 0, 2, 1]);
}

#[test]
fn word2vec_text_has_a_header_and_one_line_per_node() {
    let emb = ndarray::arr2(&[[0.5, -1.0], [0.25, 2.0]]);
    let mut out = Vec::new();
    write_word2vec(&mut out, &emb).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "2 2\n0 0.5 -1\n1 0.25 2\n");
}

#[test]
fn a_dimension_larger_than_the_graph_is_an_error() {
    let graph = adjacency(&parse_edge_list(EDGES).unwrap(), None).unwrap();
    let error = Prone::new(Backend::Native)
        .unwrap()
        .embed(
            &graph,
            &ProneParams {
                dim: 40,
                ..params()
            },
        )
        .unwrap_err();
    assert!(error.to_string().contains("out of range"), "{error}");
}
