//! `kernelc bench`: compile time and per-call time of one function in each tier, and the
//! speedup table (SPEC §7).
//!
//! Each tier compiles the source to a callable function a few times (the median is reported;
//! the JIT compiles a function when its handle is first made), binds the arguments
//! once, makes one warm-up call and then `--runs` timed calls. Writable arrays are reused
//! from call to call, as in a loop, and never saved: `bench` leaves its input files alone.

use super::bind::bind_args;
use super::error::CliError;
use super::run::{ensure_function, to_arg};
use super::{print_stdout, source, BackendChoice};
use clap::Args;
use kernel_runtime::{Arg, Module, Options};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Compiles per tier whose median is reported.
const COMPILES: usize = 5;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The kernel source file.
    pub file: PathBuf,
    /// The function to time.
    #[arg(long = "fn", value_name = "NAME")]
    pub function: String,
    /// The tiers to compare, the first being the baseline of the speedup table.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "interp,jit")]
    pub backends: Vec<BackendChoice>,
    /// Timed calls per tier (after one warm-up call).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    #[command(flatten)]
    pub reassociate: super::ReassociateArg,
    /// Arguments: scalar literals (3, 0.5, inf, true) or .npy paths for arrays.
    #[arg(value_name = "NAME=VALUE")]
    pub args: Vec<String>,
}

/// The measurements of one tier.
#[derive(Clone, Debug)]
pub struct TierTiming {
    pub tier: BackendChoice,
    pub compile: Duration,
    pub calls: Vec<Duration>,
}

impl TierTiming {
    pub fn median(&self) -> Duration {
        median(&self.calls)
    }
}

pub fn bench(args: &BenchArgs) -> Result<(), CliError> {
    let source = source::read_source(&args.file)?;
    let mut timings = Vec::new();
    for &tier in &args.backends {
        timings.push(time_tier(args, &source, tier)?);
    }
    print_stdout(&report(&args.file, &args.function, args.runs, &timings));
    Ok(())
}

fn time_tier(args: &BenchArgs, source: &str, tier: BackendChoice) -> Result<TierTiming, CliError> {
    let options = Options {
        backend: tier.backend(),
        reassociate: args.reassociate.reassociate,
        ..Options::default()
    };
    let mut compiles = Vec::with_capacity(COMPILES);
    let mut module = None;
    for _ in 0..COMPILES {
        let start = Instant::now();
        let compiled = Module::compile_with(source, options.clone()).map_err(CliError::Runtime)?;
        ensure_function(&compiled, &args.function, &args.file)?;
        // The JIT compiles a function when its handle is made: source → callable.
        compiled
            .function(&args.function)
            .map_err(CliError::Runtime)?;
        compiles.push(start.elapsed());
        module = Some(compiled);
    }
    let module = module.expect("COMPILES > 0");
    let params = module.params(&args.function).map_err(CliError::Runtime)?;
    let mut bound = bind_args(&args.function, &params, &args.args)?;
    let function = module.function(&args.function).map_err(CliError::Runtime)?;
    let mut call_args: Vec<Arg<'_>> = bound.iter_mut().map(to_arg).collect();
    let progress = std::io::stderr().is_terminal();
    let mut calls = Vec::with_capacity(args.runs as usize);
    for run in 0..=args.runs {
        if progress {
            eprint!("\rbench {}: run {run}/{}", tier_name(tier), args.runs);
        }
        let start = Instant::now();
        function.call(&mut call_args).map_err(CliError::Runtime)?;
        // Run 0 is the warm-up (a generic function specialises there).
        if run > 0 {
            calls.push(start.elapsed());
        }
    }
    if progress {
        eprint!("\r\x1b[2K");
    }
    Ok(TierTiming {
        tier,
        compile: median(&compiles),
        calls,
    })
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn tier_name(tier: BackendChoice) -> &'static str {
    match tier {
        BackendChoice::Jit => "jit",
        BackendChoice::Interp => "interp",
    }
}

/// The table `bench` prints.
pub fn report(file: &Path, function: &str, runs: u32, timings: &[TierTiming]) -> String {
    let mut out = format!(
        "`{function}` in {}: compile = median of {COMPILES} compiles; call = {runs} runs after 1 warm-up\n\n",
        file.display()
    );
    out.push_str(&format!(
        "{:<8} {:>12} {:>14} {:>26}\n",
        "tier", "compile", "call median", "call min – max"
    ));
    for t in timings {
        let min = t.calls.iter().min().copied().unwrap_or_default();
        let max = t.calls.iter().max().copied().unwrap_or_default();
        out.push_str(&format!(
            "{:<8} {:>12} {:>14} {:>26}\n",
            tier_name(t.tier),
            format_duration(t.compile),
            format_duration(t.median()),
            format!("{} – {}", format_duration(min), format_duration(max)),
        ));
    }
    if let Some((base, rest)) = timings.split_first() {
        if !rest.is_empty() {
            out.push_str(&format!(
                "\nspeedup over {} (median call time):\n",
                tier_name(base.tier)
            ));
            for t in rest {
                let ratio = base.median().as_secs_f64() / t.median().as_secs_f64().max(1e-12);
                out.push_str(&format!(
                    "  {:<8} {}\n",
                    tier_name(t.tier),
                    format_ratio(ratio)
                ));
            }
        }
    }
    out
}

/// `25.0x`, `1.3x`, `0.037x`: enough digits to read a slowdown too.
fn format_ratio(ratio: f64) -> String {
    if ratio >= 1.0 {
        format!("{ratio:.1}x")
    } else {
        format!("{ratio:.3}x")
    }
}

/// `1.23 s`, `4.56 ms`, `7.89 µs`, `120 ns`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 1e-3 {
        format!("{:.2} ms", secs * 1e3)
    } else if secs >= 1e-6 {
        format!("{:.2} µs", secs * 1e6)
    } else {
        format!("{:.0} ns", secs * 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.50 s");
        assert_eq!(format_duration(Duration::from_micros(4560)), "4.56 ms");
        assert_eq!(format_duration(Duration::from_nanos(7890)), "7.89 µs");
        assert_eq!(format_duration(Duration::from_nanos(120)), "120 ns");
    }

    #[test]
    fn report_has_a_speedup_line() {
        let timing = |tier, ms| TierTiming {
            tier,
            compile: Duration::from_micros(500),
            calls: vec![Duration::from_millis(ms); 3],
        };
        let text = report(
            Path::new("k.rs"),
            "f",
            3,
            &[
                timing(BackendChoice::Interp, 50),
                timing(BackendChoice::Jit, 2),
            ],
        );
        assert!(text.contains("speedup over interp"), "{text}");
        assert!(text.contains("jit      25.0x"), "{text}");
    }
}
