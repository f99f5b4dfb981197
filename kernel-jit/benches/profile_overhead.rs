//! The cost of JIT instrumentation (`JitOptions::profile`): the classroom N-body derivatives
//! kernel of `benches/kernels.rs`, compiled twice (plain and instrumented), called
//! alternately so both see the same machine load; prints the medians and their ratio.
//!
//! `cargo bench -p kernel-jit --bench profile_overhead` (optionally `-- N REPS`; defaults
//! N = 200 bodies, 31 repetitions). Both variants are first checked to give bit-identical
//! outputs, and the profile to count the inner-loop body exactly `N·(N−1)` times.

use std::sync::atomic::AtomicU32;
use std::time::{Duration, Instant};

use kernel_ir::abi::RawArray;
use kernel_jit::{Jit, JitOptions, RawArg};

#[path = "../tests/support/nbody.rs"]
#[macro_use]
#[allow(dead_code)]
mod nbody_source;

const SOURCE: &str = classroom_derivatives!();

/// The line of `let rx = …`, the first statement of the inner-loop body.
const INNER_LINE: u32 = 11;

fn view(data: &mut [f64], rows: usize, cols: usize) -> RawArg {
    RawArg::Array(RawArray {
        data: data.as_mut_ptr() as *mut u8,
        dims: [rows as u64, cols as u64, 1],
        strides: [cols as i64, 1, 0],
    })
}

/// Deterministic data in [-1, 1).
fn data(len: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

struct Bodies {
    pos: Vec<f64>,
    vel: Vec<f64>,
    mass: Vec<f64>,
    dpos: Vec<f64>,
    dvel: Vec<f64>,
}

impl Bodies {
    fn new(n: usize) -> Bodies {
        Bodies {
            pos: data(3 * n, 1),
            vel: data(3 * n, 2),
            mass: data(n, 3).iter().map(|m| m.abs() + 0.5).collect(),
            dpos: vec![0.0; 3 * n],
            dvel: vec![0.0; 3 * n],
        }
    }

    fn args(&mut self) -> Vec<RawArg> {
        let n = self.mass.len();
        vec![
            view(&mut self.pos, n, 3),
            view(&mut self.vel, n, 3),
            view(&mut self.mass, n, 1),
            view(&mut self.dpos, n, 3),
            view(&mut self.dvel, n, 3),
        ]
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = numbers.first().copied().unwrap_or(200);
    let reps = numbers.get(1).copied().unwrap_or(31);
    let program = kernel_ir::compile(SOURCE).expect("kernel compiles");
    let id = program.concrete("derivatives").expect("derivatives");
    let jit = |profile| {
        let mut jit = Jit::new(JitOptions {
            profile,
            ..JitOptions::default()
        })
        .expect("jit");
        jit.compile(&program, id).expect("compile");
        jit
    };
    let (plain, counted) = (jit(false), jit(true));
    let flag = AtomicU32::new(0);
    let mut a = Bodies::new(n);
    let mut b = Bodies::new(n);
    let (args_a, args_b) = (a.args(), b.args());
    // SAFETY: the arguments match the signature (checked by `check_args`) and point into the
    // live, unaliased buffers of `a` and `b`.
    let run_plain = || unsafe { plain.call(id, &args_a) }.expect("plain call");
    let run_counted = || {
        // SAFETY: as above.
        unsafe { counted.call_profiled(id, &args_b, &flag) }.expect("instrumented")
    };
    plain.check_args(id, &args_a).expect("arguments fit");
    counted.check_args(id, &args_b).expect("arguments fit");
    run_plain();
    let first = run_counted();
    first.result.expect("kernel runs");
    let same = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
    assert!(
        same(&a.dvel, &b.dvel) && same(&a.dpos, &b.dpos),
        "same results"
    );
    let inner = first.profile.lines.iter().find(|l| l.line == INNER_LINE);
    assert_eq!(inner.map(|l| l.hits), Some((n * (n - 1)) as u64));
    let (mut plain_times, mut counted_times) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let started = Instant::now();
        run_plain();
        plain_times.push(started.elapsed());
        let started = Instant::now();
        run_counted();
        counted_times.push(started.elapsed());
    }
    let (p, c) = (median(plain_times), median(counted_times));
    let boundaries = first.profile.lines.iter().map(|l| l.hits).sum::<u64>();
    println!("N-body derivatives, N = {n}, {reps} alternating repetitions:");
    println!("  plain JIT          {p:>12.3?}");
    println!("  instrumented JIT   {c:>12.3?}");
    println!(
        "  ratio instrumented / plain: {:.2}",
        c.as_secs_f64() / p.as_secs_f64()
    );
    println!(
        "  counted events per call: {boundaries}; extra time per event: {:.1} ns",
        (c.as_secs_f64() - p.as_secs_f64()) * 1e9 / boundaries as f64
    );
}
