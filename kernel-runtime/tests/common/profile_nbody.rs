//! A small N-body kernel whose profile must put most of the time on its inner-loop lines,
//! in every tier that profiles.
#![allow(dead_code)]

use kernel_runtime::{Arg, Backend, Module, Options};

const NBODY: &str = "\
fn accel(pos: &[f64], mass: &[f64], acc: &mut [f64], n: usize) {
    for i in 0..n {
        acc[3 * i] = 0.0;
        acc[3 * i + 1] = 0.0;
        acc[3 * i + 2] = 0.0;
    }
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let dx = pos[3 * j] - pos[3 * i];
                let dy = pos[3 * j + 1] - pos[3 * i + 1];
                let dz = pos[3 * j + 2] - pos[3 * i + 2];
                let r2 = dx * dx + dy * dy + dz * dz + 0.01;
                let inv = mass[j] / (r2 * r2.sqrt());
                acc[3 * i] += dx * inv;
                acc[3 * i + 1] += dy * inv;
                acc[3 * i + 2] += dz * inv;
            }
        }
    }
}
";

/// Shares of the own time of `accel` in the inner-loop body (lines 9–17) and in the
/// set-up loop (lines 2–5), from one profiled call in `backend`.
fn nbody_shares(backend: Backend) -> (f64, f64, String) {
    let options = Options {
        backend,
        ..Options::default()
    };
    let module = Module::compile_with(NBODY, options).unwrap();
    let f = module.function("accel").unwrap();
    let n = 60usize;
    let pos: Vec<f64> = (0..3 * n).map(|k| (k as f64 * 0.37).sin()).collect();
    let mass = vec![1.0f64; n];
    let mut acc = vec![0.0f64; 3 * n];
    let (_, profile) = f
        .profile(&mut [
            Arg::from(&pos),
            Arg::from(&mass),
            Arg::from(&mut acc),
            Arg::from(n),
        ])
        .unwrap();
    let accel = profile.function("accel").unwrap();
    assert_eq!(accel.line(10).unwrap().hits, (n * (n - 1)) as u64);
    assert_eq!(accel.line(3).unwrap().hits, n as u64);
    let share = |lines: std::ops::RangeInclusive<u32>| {
        let time: f64 = accel
            .lines
            .iter()
            .filter(|l| lines.contains(&l.line))
            .map(|l| l.time.as_secs_f64())
            .sum();
        time / accel.own.as_secs_f64()
    };
    (share(9..=17), share(2..=5), profile.to_string())
}

/// Wall-clock shares on a shared machine: one undisturbed run out of three suffices.
pub fn assert_inner_loop_dominates(backend: Backend) {
    let mut runs = Vec::new();
    for _ in 0..3 {
        let (inner, setup, text) = nbody_shares(backend);
        if inner > 0.6 && setup < 0.1 {
            return;
        }
        runs.push(format!("inner {inner:.3}, setup {setup:.3}\n{text}"));
    }
    panic!("the inner loop never dominated:\n{}", runs.join("\n"));
}
