//! The PolyBench table: each kernel at about PolyBench's MEDIUM size, timed in C (gcc -O3
//! -march=native -ffp-contract=off), in the JIT and in the native tier, with the ratios to C
//! and their geometric means. Run with `cargo bench -p kernel-polybench`; the table is printed
//! and written as markdown to `target/polybench.md` (under `CARGO_TARGET_DIR` if set).
//!
//! A plain harness (`harness = false`) rather than criterion, because what matters here is one
//! comparable number per tier and kernel, measured under the same conditions:
//! - Compilation is excluded: the JIT module is compiled and a [`Prepared`] handle (argument
//!   types checked once; the cheapest call path of kernel-runtime, well under a microsecond per
//!   call) is made before any timing.
//! - Before timing, each tier runs once from the initial inputs and its outputs must equal C's
//!   bit for bit; a kernel that differs is reported and not timed, and the bench then fails.
//! - Every sample restores the inputs the kernel overwrites ([`Case::reset`], untimed), then
//!   times one call. The tiers take turns within each round (C, JIT, native, C, JIT, …), so a
//!   change of machine load during the run affects them alike; the table shows medians.
//!
//! `POLYBENCH_FILTER=gemm,lu` runs the kernels whose name contains one of the given words;
//! `POLYBENCH_RUNS` sets the number of rounds (default 15: on a shared machine the medians of
//! fewer runs still moved by 20–30 % between runs).
//!
//! [`Prepared`]: kernel_runtime::Prepared

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kernel_polybench::polybench;
use kernel_polybench::suite::{self, cases, first_difference, Case, Dataset};
use kernel_runtime::{Backend, Module, Options, Prepared};

/// The timed tiers.
#[derive(Clone, Copy, Debug)]
enum Tier {
    C,
    Jit,
    Native,
}

/// The tiers in column order.
const TIERS: [Tier; 3] = [Tier::C, Tier::Jit, Tier::Native];

impl Tier {
    fn label(self) -> &'static str {
        match self {
            Tier::C => "C",
            Tier::Jit => "JIT",
            Tier::Native => "native",
        }
    }
}

/// Runs `case` once in `tier` (inputs as they are).
fn run_once(case: &mut dyn Case, tier: Tier, prepared: &mut Prepared) {
    match tier {
        Tier::C => case.run_c(),
        Tier::Jit => {
            suite::call(case, prepared).unwrap_or_else(|e| panic!("{}: JIT: {e}", case.name()));
        }
        Tier::Native => case
            .run_native()
            .unwrap_or_else(|e| panic!("{}: native: {e}", case.name())),
    }
}

/// One table row: the medians per tier, or why the kernel was not timed.
struct Row {
    kernel: &'static str,
    medians: Result<[Duration; 3], String>,
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

/// Whether `case` is selected by `POLYBENCH_FILTER` (comma-separated words; unset: all).
fn selected(case: &dyn Case, filter: &[String]) -> bool {
    filter.is_empty()
        || filter.iter().any(|word| {
            case.name().contains(word.as_str()) || case.function().contains(word.as_str())
        })
}

/// Checks the JIT and native outputs against C's, then times `rounds` rounds.
fn measure(case: &mut dyn Case, prepared: &mut Prepared, rounds: usize) -> Row {
    let kernel = case.name();
    case.reset();
    case.run_c();
    let want = case.outputs();
    for tier in [Tier::Jit, Tier::Native] {
        case.reset();
        run_once(case, tier, prepared);
        if let Some(difference) = first_difference(&want, &case.outputs()) {
            return Row {
                kernel,
                medians: Err(format!("C vs {}: {difference}", tier.label())),
            };
        }
    }
    let mut samples: [Vec<Duration>; 3] = Default::default();
    for _ in 0..rounds {
        for (&tier, samples) in TIERS.iter().zip(samples.iter_mut()) {
            case.reset();
            let start = Instant::now();
            run_once(case, tier, prepared);
            samples.push(start.elapsed());
        }
    }
    for (tier, s) in TIERS.iter().zip(&samples) {
        let (lo, hi) = (s.iter().min(), s.iter().max());
        if let (Some(lo), Some(hi)) = (lo, hi) {
            eprintln!(
                "  {kernel:>15} {:>6}: {:8.3} – {:8.3} ms over {rounds} runs",
                tier.label(),
                ms(*lo),
                ms(*hi)
            );
        }
    }
    Row {
        kernel,
        medians: Ok(samples.map(median)),
    }
}

/// The table as markdown, with the geometric means of the ratios.
fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| kernel | C ms | JIT ms | native ms | JIT/C | native/C |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let (mut log_jit, mut log_native, mut timed) = (0.0, 0.0, 0);
    for row in rows {
        match &row.medians {
            Ok([c, jit, native]) => {
                let (rj, rn) = (ms(*jit) / ms(*c), ms(*native) / ms(*c));
                log_jit += rj.ln();
                log_native += rn.ln();
                timed += 1;
                let _ = writeln!(
                    out,
                    "| {} | {:.3} | {:.3} | {:.3} | {rj:.2} | {rn:.2} |",
                    row.kernel,
                    ms(*c),
                    ms(*jit),
                    ms(*native)
                );
            }
            Err(why) => {
                let _ = writeln!(out, "| {} | not timed: {why} | | | | |", row.kernel);
            }
        }
    }
    if timed > 0 {
        let n = f64::from(timed);
        let _ = writeln!(
            out,
            "| **geometric mean** | | | | **{:.2}** | **{:.2}** |",
            (log_jit / n).exp(),
            (log_native / n).exp()
        );
    }
    out
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn main() {
    let filter: Vec<String> = std::env::var("POLYBENCH_FILTER")
        .unwrap_or_default()
        .split(',')
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let rounds: usize = std::env::var("POLYBENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(15);
    let load_before = load_average();
    let jit: Module = polybench::module(Options {
        backend: Backend::Jit,
        ..Options::default()
    })
    .expect("the kernels compile for the JIT");
    let mut rows = Vec::new();
    for mut case in cases(Dataset::Bench) {
        let case = case.as_mut();
        if !selected(case, &filter) {
            continue;
        }
        eprintln!("{}…", case.name());
        let mut prepared = suite::prepare(case, &jit).expect("the arguments fit the kernel");
        rows.push(measure(case, &mut prepared, rounds));
    }
    let load_after = load_average();
    let markdown = format!(
        "{}\nMedians of {rounds} runs per tier (inputs reset before each, untimed). {}; load \
         average (1, 5, 15 min) {load_before} before, {load_after} after.\n",
        table(&rows),
        cpu_model()
    );
    println!("\n{markdown}");
    let path = target_dir().join("polybench.md");
    match std::fs::write(&path, &markdown) {
        Ok(()) => println!("written to {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
    if rows.iter().any(|row| row.medians.is_err()) {
        eprintln!("some kernels differ from C: see the table");
        std::process::exit(1);
    }
}
