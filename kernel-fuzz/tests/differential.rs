//! Differential test of the interpreter against the JIT on generated programs.
//!
//! Runs `KERNELC_DIFF_PROGRAMS` programs (default 300) from seed `KERNELC_DIFF_SEED`
//! (default 0), each on a few random inputs; every program must compile, no tier may panic,
//! and both tiers must agree on the return value's bits (any NaN equals any NaN), on every
//! array argument afterwards and on runtime errors (kind, function, `line:col`, fields).
//! Generic (`_`) callees are included: only the native tier lacks them.
//!
//! Long run: `KERNELC_DIFF_PROGRAMS=100000 cargo test --release -p kernel-fuzz --test differential`.

use std::collections::BTreeMap;

use kernel_fuzz::gen::{self, Config};
use kernel_fuzz::harness::{self, Failure, Outcome};
use kernel_runtime::Backend;

/// Input sets per program.
const INPUTS_PER_PROGRAM: u64 = 3;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs one program in both tiers; returns the failure report, if any, and whether any
/// run ended in a runtime error (for the statistics).
fn check_program(seed: u64, stats: &mut Stats) -> Option<String> {
    let program = gen::program(seed, Config { generic: true });
    stats.programs += 1;
    stats.parallel += u64::from(program.parallel);
    stats.reassociated += u64::from(program.source.contains("#[reassociate"));
    let interp = harness::compile(&program, Backend::Interpreter);
    let jit = harness::compile(&program, Backend::Jit);
    let (interp, jit) = match (interp, jit) {
        (Ok(i), Ok(j)) => (i, j),
        (i, j) => {
            let describe = |r: &Result<_, Failure>| match r {
                Ok(_) => "compiled".to_string(),
                Err(f) => format!("{f:?}"),
            };
            return Some(format!(
                "seed {seed}: does not compile\n{}\ninterp: {}\njit: {}",
                program.source,
                describe(&i),
                describe(&j)
            ));
        }
    };
    for k in 0..INPUTS_PER_PROGRAM {
        let inputs = gen::inputs(&program, seed.wrapping_mul(31).wrapping_add(k));
        let a = harness::run_module(&interp, &program, &inputs);
        let b = harness::run_module(&jit, &program, &inputs);
        stats.count(&a);
        if !harness::agree(&program, &a, &b) || a.is_panic() || b.is_panic() {
            return Some(harness::report(
                &program,
                &inputs,
                &[("interp", &a), ("jit", &b)],
            ));
        }
    }
    None
}

#[derive(Debug, Default)]
struct Stats {
    programs: u64,
    /// Programs with at least one `prange` loop.
    parallel: u64,
    /// Programs with a `#[reassociate]` function.
    reassociated: u64,
    runs: u64,
    errors: u64,
    /// Runtime errors by kind, to see what stops the generated programs.
    kinds: BTreeMap<String, u64>,
}

impl Stats {
    fn count(&mut self, outcome: &Outcome) {
        self.runs += 1;
        if let Err(Failure::Kernel(error)) = &outcome.result {
            self.errors += 1;
            let kind = format!("{:?}", error.kind);
            let kind = kind
                .split([' ', '{'])
                .next()
                .unwrap_or_default()
                .to_string();
            *self.kinds.entry(kind).or_default() += 1;
        }
    }
}

#[test]
fn interpreter_and_jit_agree_on_generated_programs() {
    let programs = env_u64("KERNELC_DIFF_PROGRAMS", 300);
    let first = env_u64("KERNELC_DIFF_SEED", 0);
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    for seed in first..first + programs {
        if (seed - first) % 10_000 == 9_999 {
            eprintln!("{} programs so far: {stats:?}", seed - first + 1);
        }
        if let Some(report) = check_program(seed, &mut stats) {
            eprintln!("MISMATCH {report}");
            failures.push(seed);
        }
    }
    eprintln!(
        "{programs} programs ({} with prange, {} reassociated), {} runs ({} ended in a runtime error: {:?}), {} failing seeds",
        stats.parallel,
        stats.reassociated,
        stats.runs,
        stats.errors,
        stats.kinds,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing seed(s): {failures:?}",
        failures.len()
    );
    // Guard the generator: most runs must get past the first error and return, and a
    // substantial share of programs has parallel loops.
    assert!(stats.errors * 10 < stats.runs * 9, "{stats:?}");
    assert!(
        stats.programs < 100 || stats.parallel * 5 > stats.programs,
        "{stats:?}"
    );
    assert!(
        stats.programs < 100 || stats.reassociated * 5 > stats.programs,
        "{stats:?}"
    );
}
