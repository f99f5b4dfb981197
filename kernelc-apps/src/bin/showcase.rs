//! The showcase (`cargo run --release -p kernelc-apps --bin showcase`): the seed workloads in
//! every tier, timed side by side and checked against hand-written Rust, in well under a
//! minute.
//!
//! Each workload is one [`Section`]: a title, a function that measures and returns what to
//! print, and nothing else, so later workloads (pairwise distances, randomized SVD) are one
//! more entry in [`SECTIONS`].

use std::error::Error;
use std::process::ExitCode;
use std::time::Instant;

use kernelc_apps::nbody::{self, CompareOptions, Engine, RunConfig, Tier};
use kernelc_apps::report::{format_duration, Stats};

/// One workload of the showcase.
struct Section {
    title: &'static str,
    run: fn() -> Result<String, Box<dyn Error>>,
}

const SECTIONS: &[Section] = &[
    Section {
        title: "N-body, RK2 (midpoint), unit masses",
        run: nbody_section,
    },
    Section {
        title: "Parallel loops (prange), native and JIT",
        run: parallel_section,
    },
    Section {
        title: "Randomized SVD (scikit-learn's algorithm, every step a kernel)",
        run: svd_section,
    },
];

fn parallel_section() -> Result<String, Box<dyn Error>> {
    Ok(kernelc_apps::parallel::showcase_section()?)
}

fn svd_section() -> Result<String, Box<dyn Error>> {
    Ok(kernelc_apps::svd::showcase_section()?)
}

fn main() -> ExitCode {
    let start = Instant::now();
    println!("kernelc showcase: one kernel source, run by every tier\n");
    let mut failed = false;
    for section in SECTIONS {
        println!("## {}\n", section.title);
        match (section.run)() {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprintln!("error: {}: {error}", section.title);
                failed = true;
            }
        }
    }
    println!(
        "total showcase time: {:.1} s",
        start.elapsed().as_secs_f64()
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn nbody_section() -> Result<String, Box<dyn Error>> {
    let options = CompareOptions {
        runs: 5,
        large_runs: 3,
        interpreter_large_full: false,
        ..CompareOptions::default()
    };
    let comparison = nbody::compare(&options)?;
    let mut text = String::new();
    text.push_str(&format!(
        "Classroom case: N={} bodies, dt={}, {} frames of {} steps ({} derivative \
         evaluations); large case: N={}, {} steps ({} evaluations). Positions and velocities \
         uniform in [0,1) from SplitMix64 (seed {}).\n",
        RunConfig::CLASSROOM_BODIES,
        RunConfig::CLASSROOM.dt,
        RunConfig::CLASSROOM.frames,
        RunConfig::CLASSROOM.steps_per_frame,
        RunConfig::CLASSROOM.evaluations(),
        RunConfig::LARGE_BODIES,
        RunConfig::LARGE.steps(),
        RunConfig::LARGE.evaluations(),
        options.seed,
    ));
    text.push_str(&format!(
        "Tiers: {}. Times exclude compilation; \"= ref bits\" compares every frame's f64 bits \
         with the hand-written Rust.\n\n",
        Tier::ALL
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    text.push_str(&comparison.table().to_string());
    text.push_str(&format!(
        "\nCompiling the N-body source (parse, check, codegen of both kernels): {}\n",
        compile_times()?
    ));
    for note in comparison.notes() {
        text.push_str(&format!("\n{note}\n"));
    }
    Ok(text)
}

/// The median time to prepare each tier that compiles at run time (5 compilations each).
fn compile_times() -> Result<String, Box<dyn Error>> {
    let mut parts = Vec::new();
    for &tier in [Tier::Interpreter, Tier::Jit].iter() {
        let mut samples = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            Engine::new(tier)?;
            samples.push(start.elapsed());
        }
        if let Some(stats) = Stats::from_samples(&samples) {
            parts.push(format!("{tier} {}", format_duration(stats.median)));
        }
    }
    Ok(parts.join(", "))
}
