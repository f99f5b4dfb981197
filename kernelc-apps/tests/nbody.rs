//! The N-body application across tiers: identical frames to the bit in every tier and both
//! run structures, the hand-written reference in agreement, the physics sane, bad input
//! reported as errors, and the compiled tiers far faster than the interpreter.

use std::time::{Duration, Instant};

use kernelc_apps::nbody::{
    nbody_kernels, reference, rk2_with, same_bits, Bodies, Engine, NbodyError, RunConfig, Tier,
};
use ndarray::{Array2, Array3, Axis};

fn classroom() -> Bodies {
    Bodies::uniform(RunConfig::CLASSROOM_BODIES, Bodies::SEED)
}

/// The frames of every (tier, structure) pair, labelled.
fn all_runs(bodies: &Bodies, config: &RunConfig) -> Vec<(String, Array3<f64>)> {
    let mut runs = Vec::new();
    for &tier in Tier::ALL {
        let engine = Engine::new(tier).unwrap();
        runs.push((
            format!("{tier} driver"),
            engine.rk2(bodies, config).unwrap(),
        ));
        runs.push((
            format!("{tier} whole"),
            engine.simulate(bodies, config).unwrap(),
        ));
    }
    runs
}

#[test]
fn every_tier_and_structure_gives_bit_identical_frames() {
    let bodies = classroom();
    let config = RunConfig::CLASSROOM;
    let runs = all_runs(&bodies, &config);
    let (_, expected) = runs
        .iter()
        .find(|(label, _)| label == "native whole")
        .unwrap();
    assert_eq!(expected.dim(), (101, 20, 3));
    assert_eq!(expected.index_axis(Axis(0), 0), bodies.pos);
    for (label, frames) in &runs {
        assert!(same_bits(frames, expected), "{label} differs from native");
    }
}

#[test]
fn the_reference_agrees_with_the_kernels() {
    let bodies = classroom();
    let config = RunConfig::CLASSROOM;
    let flat = reference::simulate(
        bodies.pos.as_slice().unwrap(),
        bodies.vel.as_slice().unwrap(),
        &bodies.mass,
        config.dt,
        config.steps_per_frame,
        config.frames,
    );
    let native = Engine::new(Tier::Native)
        .unwrap()
        .simulate(&bodies, &config)
        .unwrap();
    let max_diff = native
        .iter()
        .zip(&flat)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(max_diff <= 1e-12, "max |Δ| = {max_diff:e}");
    // Same operations in the same order: bit-identical, not merely close.
    assert!(native
        .iter()
        .zip(&flat)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
}

#[test]
fn the_large_case_agrees_across_tiers() {
    // Smaller than the benchmark's N=1000 so the interpreter stays quick in the test profile.
    let bodies = Bodies::uniform(200, 11);
    let config = RunConfig {
        dt: 0.001,
        steps_per_frame: 2,
        frames: 2,
    };
    let runs = all_runs(&bodies, &config);
    let (_, expected) = &runs[0];
    for (label, frames) in &runs {
        assert!(same_bits(frames, expected), "{label} differs");
    }
}

fn momentum(vel: &Array2<f64>) -> [f64; 3] {
    let sum = vel.sum_axis(Axis(0));
    [sum[0], sum[1], sum[2]]
}

#[test]
fn the_physics_conserves_momentum_and_moves_bodies_together() {
    // Equal masses and antisymmetric pair forces: total momentum is constant and the
    // centre of mass moves in a straight line at the mean velocity.
    let bodies = classroom();
    let config = RunConfig {
        frames: 10,
        ..RunConfig::CLASSROOM
    };
    let frames = rk2_with(Tier::Native, &bodies, &config).unwrap();
    let t = config.dt * config.steps() as f64;
    let n = bodies.len() as f64;
    let p0 = momentum(&bodies.vel);
    let start = frames.index_axis(Axis(0), 0).sum_axis(Axis(0));
    let end = frames.index_axis(Axis(0), 10).sum_axis(Axis(0));
    for k in 0..3 {
        let predicted = start[k] / n + t * p0[k] / n;
        assert!(
            (end[k] / n - predicted).abs() < 1e-9,
            "centre of mass axis {k}: {} vs {predicted}",
            end[k] / n
        );
    }
    // The bodies did move, and not all the same way (gravity acted).
    let first = frames.index_axis(Axis(0), 0);
    let last = frames.index_axis(Axis(0), 10);
    assert!((&last - &first).iter().any(|d| d.abs() > 1e-3));
}

#[test]
fn two_bodies_attract_each_other_by_the_inverse_square_law() {
    let pos = ndarray::arr2(&[[0.0, 0.0, 0.0], [2.0, 0.0, 0.0]]);
    let vel = ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let mass = [1.0, 3.0];
    for &tier in Tier::ALL {
        let engine = Engine::new(tier).unwrap();
        let derivatives = engine.derivatives().unwrap();
        let (mut dpos, mut dvel) = (Array2::zeros((2, 3)), Array2::zeros((2, 3)));
        derivatives
            .eval(
                pos.view(),
                vel.view(),
                &mass,
                dpos.view_mut(),
                dvel.view_mut(),
            )
            .unwrap();
        assert_eq!(dpos, vel, "{tier}");
        assert_eq!(
            dvel,
            ndarray::arr2(&[[0.75, 0.0, 0.0], [-0.25, 0.0, 0.0]]),
            "{tier}"
        );
    }
}

#[test]
fn mismatched_arrays_are_errors_in_every_tier() {
    let pos = Array2::<f64>::zeros((3, 3));
    let vel = Array2::<f64>::zeros((3, 3));
    let short_mass = [1.0, 1.0];
    for &tier in Tier::ALL {
        let engine = Engine::new(tier).unwrap();
        let derivatives = engine.derivatives().unwrap();
        let (mut dpos, mut dvel) = (Array2::zeros((3, 3)), Array2::zeros((3, 3)));
        let error = derivatives
            .eval(
                pos.view(),
                vel.view(),
                &short_mass,
                dpos.view_mut(),
                dvel.view_mut(),
            )
            .unwrap_err();
        match (tier, &error) {
            (tier, NbodyError::Runtime { .. }) if tier.backend().is_some() => {
                assert!(error.to_string().contains("mass"), "{error}")
            }
            (Tier::Reference, NbodyError::BadBodies { .. }) => {}
            _ => panic!("{tier}: unexpected error {error:?}"),
        }
    }
    let bad = Bodies {
        mass: vec![1.0; 4],
        ..Bodies::uniform(3, 1)
    };
    for &tier in Tier::ALL {
        let engine = Engine::new(tier).unwrap();
        let error = engine.simulate(&bad, &RunConfig::LARGE).unwrap_err();
        assert!(
            matches!(error, NbodyError::BadBodies { .. }),
            "{tier}: {error}"
        );
    }
}

#[test]
fn the_native_and_interpreted_runtime_errors_agree() {
    let pos = Array2::<f64>::zeros((3, 3));
    let short_mass = [1.0, 1.0];
    let (mut dpos, mut dvel) = (Array2::zeros((3, 3)), Array2::zeros((3, 3)));
    let native = nbody_kernels::derivatives(
        pos.view(),
        pos.view(),
        &short_mass,
        dpos.view_mut(),
        dvel.view_mut(),
    )
    .unwrap_err();
    let module = nbody_kernels::module(kernel_runtime::Options::default()).unwrap();
    let function = module.function("derivatives").unwrap();
    let interpreted = function
        .call(&mut [
            pos.view().into(),
            pos.view().into(),
            short_mass[..].into(),
            dpos.view_mut().into(),
            dvel.view_mut().into(),
        ])
        .unwrap_err();
    match interpreted {
        kernel_runtime::Error::Kernel(e) => assert_eq!(e, native),
        other => panic!("expected a kernel error, got {other}"),
    }
}

fn time(run: impl FnOnce()) -> Duration {
    let start = Instant::now();
    run();
    start.elapsed()
}

#[test]
fn compiled_tiers_are_far_faster_than_the_interpreter() {
    // One whole-simulation run of the interpreter against the best of three runs of each
    // compiled tier (a short run is the one a stray context switch distorts). The release
    // ratio is about 20x; the test profile still gives about 10x, so the 5x bar has room.
    let bodies = Bodies::uniform(60, 3);
    let config = RunConfig {
        frames: 2,
        ..RunConfig::CLASSROOM
    };
    let interpreter = Engine::new(Tier::Interpreter).unwrap();
    let mut interpreted = None;
    let slow = time(|| interpreted = Some(interpreter.simulate(&bodies, &config).unwrap()));
    let interpreted = interpreted.unwrap();
    for &tier in Tier::COMPILED {
        let engine = Engine::new(tier).unwrap();
        let mut fast = Duration::MAX;
        for _ in 0..3 {
            let mut compiled = None;
            fast = fast.min(time(|| {
                compiled = Some(engine.simulate(&bodies, &config).unwrap())
            }));
            assert!(
                same_bits(&compiled.unwrap(), &interpreted),
                "{tier} differs"
            );
        }
        let ratio = slow.as_secs_f64() / fast.as_secs_f64();
        eprintln!("{tier}: {fast:?} vs interpreter {slow:?} ({ratio:.0}x)");
        assert!(
            ratio >= 5.0,
            "{tier} only {ratio:.1}x faster than the interpreter"
        );
    }
}
