//! Criterion benchmarks of the N-body workload: both sizes, both run structures, every tier
//! and the hand-written Rust reference. Tiers are compiled before timing.
//!
//! The interpreter on the large case runs 20 evaluations of 10⁶ pairs per iteration
//! (seconds each), so its groups use criterion's minimum sample count.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kernelc_apps::nbody::{Bodies, Engine, RunConfig, Structure, Tier};

fn bench_case(c: &mut Criterion, n_bodies: usize, config: RunConfig) {
    let bodies = Bodies::uniform(n_bodies, Bodies::SEED);
    let engines: Vec<Engine> = Tier::ALL
        .iter()
        .map(|&tier| Engine::new(tier).expect("the N-body kernels compile"))
        .collect();
    for structure in Structure::ALL {
        let name = match structure {
            Structure::Driver => "rk2_driver",
            Structure::Whole => "whole_kernel",
        };
        let mut group = c.benchmark_group(format!("nbody_{n_bodies}/{name}"));
        if n_bodies >= RunConfig::LARGE_BODIES {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(20));
        }
        for engine in &engines {
            let id = BenchmarkId::from_parameter(engine.tier().name().replace(' ', "_"));
            group.bench_function(id, |b| {
                b.iter(|| {
                    let frames = match structure {
                        Structure::Driver => engine.rk2(&bodies, &config),
                        Structure::Whole => engine.simulate(&bodies, &config),
                    };
                    black_box(frames.expect("the N-body run succeeds"))
                })
            });
        }
        group.finish();
    }
}

fn classroom(c: &mut Criterion) {
    bench_case(c, RunConfig::CLASSROOM_BODIES, RunConfig::CLASSROOM);
}

fn large(c: &mut Criterion) {
    bench_case(c, RunConfig::LARGE_BODIES, RunConfig::LARGE);
}

criterion_group!(benches, classroom, large);
criterion_main!(benches);
