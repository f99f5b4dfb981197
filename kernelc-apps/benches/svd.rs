//! The peers' case 3: randomized SVD of a symmetric-normalised random graph (20,000 nodes,
//! 100,000 distinct undirected edges), k = 128, 10 oversamples, n_iter = 5 (LU normaliser),
//! in the native and JIT tiers (the interpreter would take minutes). scikit-learn takes
//! 1.34 s single-threaded and 1.22 s with 2 BLAS threads on the reference machine.
//!
//! A plain harness (`harness = false`): per tier and per thread count of the `prange` loops
//! (`SVD_BENCH_THREADS`, default `1,2`), one warm-up, then the median and range of the WALL
//! time of `SVD_BENCH_RUNS` runs (default 3) — the ratios to scikit-learn use the wall
//! median, 1 thread against its single-thread time, 2 threads against its 2-thread time —
//! next to the CPU time of the whole process (all threads; on a loaded machine it is the
//! steadier figure) and of the calling thread (which misses the pool threads' work), the
//! time per algorithm step, the top singular values and the process's peak resident memory.
//! `SVD_BENCH_NODES` / `SVD_BENCH_EDGES` shrink the graph for a quick look.

use std::time::{Duration, Instant};

use kernel_runtime::Backend;
use kernelc_apps::svd::{
    random_graph, randomized_svd_observed, GraphSpec, Normalizer, Ops, Profile, SvdParams,
};

/// scikit-learn's `randomized_svd` on the reference machine, 1 and 2 BLAS threads.
const SKLEARN_SECONDS: [(usize, f64); 2] = [(1, 1.34), (2, 1.22)];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size of this process in MiB (Linux), if known.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time (user + system) of the calling thread (`/proc/thread-self/stat`) or of the
/// whole process (`/proc/self/stat`): unlike wall time it does not grow when other
/// processes share the cores.
fn cpu_time(stat_file: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(stat_file).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel reports clock ticks of 1/100 s on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// The thread counts to time: `SVD_BENCH_THREADS=1,2` (the default).
fn thread_counts() -> Vec<usize> {
    let names = std::env::var("SVD_BENCH_THREADS").unwrap_or_else(|_| "1,2".to_string());
    names
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .collect()
}

/// CPU seconds per run between two readings, or "unknown".
fn per_run(start: Option<Duration>, end: Option<Duration>, runs: usize) -> String {
    match (start, end) {
        (Some(a), Some(b)) => format!("{:.3} s", (b - a).as_secs_f64() / runs as f64),
        _ => "unknown".to_string(),
    }
}

/// The tiers to time: `SVD_BENCH_TIERS=native,jit` (the default), `interp` too if asked.
fn tiers() -> Vec<Backend> {
    let names = std::env::var("SVD_BENCH_TIERS").unwrap_or_else(|_| "native,jit".to_string());
    names
        .split(',')
        .map(|name| {
            name.trim()
                .parse()
                .unwrap_or_else(|e| panic!("SVD_BENCH_TIERS: {e}"))
        })
        .collect()
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("svd bench: run with `cargo bench -p kernelc-apps --bench svd`");
        return;
    }
    let runs = env_usize("SVD_BENCH_RUNS", 3).max(1);
    let spec = GraphSpec {
        nodes: env_usize("SVD_BENCH_NODES", GraphSpec::CASE3.nodes),
        edges: env_usize("SVD_BENCH_EDGES", GraphSpec::CASE3.edges),
        seed: 0,
    };
    let params = SvdParams {
        k: 128,
        n_oversamples: 10,
        n_iter: Some(5),
        normalizer: Normalizer::Auto,
        seed: 0,
    };
    let rss_before = peak_rss_mib();
    println!(
        "randomized SVD: {} nodes, {} edges, k={}, p={}, n_iter=5 (LU)",
        spec.nodes, spec.edges, params.k, params.n_oversamples
    );
    for tier in tiers() {
        let ops = Ops::new(tier).expect("the SVD kernels compile");
        let graph = random_graph(&ops, spec).expect("graph");
        for threads in thread_counts() {
            kernel_runtime::set_threads(threads).expect("the thread pool starts");
            let run = |profile: &mut Profile| {
                randomized_svd_observed(&ops, &graph, &params, profile).expect("the SVD runs")
            };
            let warm = run(&mut Profile::default());
            let mut profile = Profile::default();
            let (thread_start, process_start) = (
                cpu_time("/proc/thread-self/stat"),
                cpu_time("/proc/self/stat"),
            );
            let mut times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    run(&mut profile);
                    start.elapsed()
                })
                .collect();
            let thread_cpu = per_run(thread_start, cpu_time("/proc/thread-self/stat"), runs);
            let process_cpu = per_run(process_start, cpu_time("/proc/self/stat"), runs);
            times.sort();
            let median = times[times.len() / 2].as_secs_f64();
            let versus = match SKLEARN_SECONDS.iter().find(|(t, _)| *t == threads) {
                Some((t, sk)) => format!(
                    "; {:.2}x sklearn's {sk} s ({t} thread{})",
                    median / sk,
                    if *t == 1 { "" } else { "s" }
                ),
                None => String::new(),
            };
            println!(
                "\n{tier}, {threads} thread(s): WALL median {median:.3} s (min {:.3}, max {:.3}) over {runs} runs{versus}",
                times[0].as_secs_f64(),
                times[times.len() - 1].as_secs_f64(),
            );
            println!("  CPU time per run: {process_cpu} all threads, {thread_cpu} calling thread");
            let top: Vec<String> = warm.s.iter().take(5).map(|v| format!("{v:.6}")).collect();
            println!("  top-5 σ: {}", top.join(", "));
            for (step, total) in &profile.steps {
                println!(
                    "  {step:<26} {:>8.3} s per run (wall)",
                    total.as_secs_f64() / runs as f64
                );
            }
        }
    }
    if let (Some(before), Some(after)) = (rss_before, peak_rss_mib()) {
        println!(
            "\npeak RSS: {after:.0} MiB (graph and kernels: {before:.0} MiB before the first run)"
        );
    }
}
