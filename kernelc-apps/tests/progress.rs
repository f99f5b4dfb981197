//! The observers of the SVD and ProNE: the steps arrive in order, each finished after it
//! started, their work adds up to the announced total, and watching changes no bit.

use kernel_runtime::Backend;
use kernelc_apps::progress::{Observer, Step, Timing};
use kernelc_apps::prone::{adjacency, parse_edge_list, Prone, ProneParams};
use kernelc_apps::svd::{
    random_graph, randomized_svd_observed, same_bits, GraphSpec, Normalizer, Ops, Profile,
    SvdParams,
};

use ndarray::Array2;

const KARATE: &str = include_str!("../examples/data/karate.edges");

/// Everything an observer is told, checked as it arrives.
#[derive(Debug, Default)]
struct Recorder {
    planned: Option<u64>,
    finished: Vec<String>,
    work_done: u64,
    open: Option<Step>,
}

impl Observer for Recorder {
    fn planned(&mut self, total_work: u64) {
        assert_eq!(self.planned, None, "planned twice");
        assert!(self.finished.is_empty(), "planned after a step");
        self.planned = Some(total_work);
    }

    fn started(&mut self, step: &Step) {
        assert!(self.planned.is_some(), "{step} started before the plan");
        assert_eq!(self.open, None, "{step} started inside another step");
        self.open = Some(*step);
    }

    fn finished(&mut self, step: &Step, timing: &Timing) {
        assert_eq!(self.open.take(), Some(*step), "finished a step not started");
        let parts = timing.parts.iter().map(|(_, time)| *time).sum();
        assert!(timing.elapsed >= parts, "{step}: parts outlast the step");
        self.work_done += step.work;
        self.finished.push(step.to_string());
    }
}

impl Recorder {
    /// Asserts the run did exactly the announced work.
    #[track_caller]
    fn expect_complete(&self) {
        assert_eq!(self.open, None);
        assert_eq!(self.planned, Some(self.work_done));
        assert!(self.work_done > 0);
    }
}

fn bits(a: &Array2<f64>) -> Vec<u64> {
    a.iter().map(|v| v.to_bits()).collect()
}

fn svd_params(n_iter: usize) -> SvdParams {
    SvdParams {
        k: 6,
        n_oversamples: 4,
        n_iter: Some(n_iter),
        normalizer: Normalizer::Auto,
        seed: 1,
    }
}

#[test]
fn the_svd_reports_its_steps_in_order_and_watching_changes_no_bit() {
    let ops = Ops::new(Backend::Native).unwrap();
    let spec = GraphSpec {
        nodes: 60,
        edges: 200,
        seed: 2,
    };
    let graph = random_graph(&ops, spec).unwrap();
    let mut recorder = Recorder::default();
    let watched = randomized_svd_observed(&ops, &graph, &svd_params(3), &mut recorder).unwrap();
    recorder.expect_complete();
    assert_eq!(
        recorder.finished,
        [
            "gaussian test matrix",
            "power iteration 1/3",
            "power iteration 2/3",
            "power iteration 3/3",
            "final QR",
            "projection",
            "small SVD",
            "back-projection",
        ]
    );
    let unwatched = randomized_svd_observed(
        &ops,
        &graph,
        &svd_params(3),
        &mut kernelc_apps::progress::Silent,
    )
    .unwrap();
    assert!(same_bits(&watched, &unwatched));
}

#[test]
fn the_profile_sums_the_parts_of_every_step() {
    let ops = Ops::new(Backend::Native).unwrap();
    let graph = adjacency(&parse_edge_list(KARATE).unwrap(), None).unwrap();
    let mut profile = Profile::default();
    for _ in 0..2 {
        randomized_svd_observed(&ops, &graph, &svd_params(2), &mut profile).unwrap();
    }
    let names: Vec<&str> = profile.steps.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "gaussian",
            "sparse products",
            "power normaliser",
            "final QR",
            "small SVD (QR + Jacobi)",
            "dense products",
            "transpose + flip",
        ]
    );
}

#[test]
fn prone_reports_its_steps_in_order_and_watching_changes_no_bit() {
    let graph = adjacency(&parse_edge_list(KARATE).unwrap(), None).unwrap();
    let params = ProneParams {
        dim: 4,
        step: 3,
        ..ProneParams::default()
    };
    let prone = Prone::new(Backend::Native).unwrap();
    let mut recorder = Recorder::default();
    let watched = prone
        .embed_observed(&graph, &params, &mut recorder)
        .unwrap();
    recorder.expect_complete();
    let svd_steps = (1..=5).map(|i| format!("power iteration {i}/5"));
    let expected: Vec<String> = ["factorisation matrix", "gaussian test matrix"]
        .into_iter()
        .map(String::from)
        .chain(svd_steps)
        .chain(
            [
                "final QR",
                "projection",
                "small SVD",
                "back-projection",
                "feature normalisation",
                "shifted Laplacian",
                "Chebyshev step 1/2",
                "Chebyshev step 2/2",
                "propagation",
                "dense SVD",
                "embedding normalisation",
            ]
            .map(String::from),
        )
        .collect();
    assert_eq!(recorder.finished, expected);
    let unwatched = prone.embed(&graph, &params).unwrap();
    assert_eq!(bits(&watched.features), bits(&unwatched.features));
    assert_eq!(bits(&watched.embedding), bits(&unwatched.embedding));

    // Order 1 skips the propagation: the plan must not count it.
    let mut recorder = Recorder::default();
    let params = ProneParams { step: 1, ..params };
    prone
        .embed_observed(&graph, &params, &mut recorder)
        .unwrap();
    recorder.expect_complete();
    assert_eq!(
        recorder.finished.last().map(String::as_str),
        Some("feature normalisation")
    );
}

#[test]
fn a_failing_run_plans_nothing_and_starts_nothing() {
    let ops = Ops::new(Backend::Native).unwrap();
    let graph = adjacency(&parse_edge_list(KARATE).unwrap(), None).unwrap();
    let too_many = SvdParams {
        k: 40,
        ..svd_params(2)
    };
    let mut recorder = Recorder::default();
    assert!(randomized_svd_observed(&ops, &graph, &too_many, &mut recorder).is_err());
    assert_eq!((recorder.planned, recorder.finished.len()), (None, 0));
}
