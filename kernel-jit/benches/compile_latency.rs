//! Compile latency of the JIT (source → callable) and call speed on the N-body derivatives
//! kernel. Run with `cargo bench -p kernel-jit`; prints medians (no external harness).

use std::time::{Duration, Instant};

use kernel_ir::abi::RawArray;
use kernel_jit::{Jit, JitOptions, RawArg};

#[path = "../tests/support/nbody.rs"]
mod nbody_source;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn min(samples: &[Duration]) -> Duration {
    samples.iter().copied().min().unwrap_or_default()
}

fn view2(data: &mut [f64], rows: usize, cols: usize) -> RawArg {
    RawArg::Array(RawArray {
        data: data.as_mut_ptr() as *mut u8,
        dims: [rows as u64, cols as u64, 1],
        strides: [cols as i64, 1, 0],
    })
}

const PAIRWISE: &str = "fn pairwise(x: ArrayView2<f64>, d: &mut Array2<f64>) {
    let (n, m) = x.dim();
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..m {
                let t = x[[i, k]] - x[[j, k]];
                s += t * t;
            }
            d[[i, j]] = s.sqrt();
        }
    }
}
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}";

fn pairwise_rust(x: &[f64], d: &mut [f64], n: usize, m: usize) {
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..m {
                let t = x[i * m + k] - x[j * m + k];
                s += t * t;
            }
            d[i * n + j] = s.sqrt();
        }
    }
}

/// The fastest of `reps` runs: the least disturbed by other load on the machine.
fn time_it(reps: usize, mut f: impl FnMut()) -> Duration {
    let mut samples = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    min(&samples)
}

fn bench_kernels() {
    let program = kernel_ir::compile(PAIRWISE).expect("compiles");
    let mut jit = Jit::new(JitOptions::default()).expect("jit");
    let pairwise = program.concrete("pairwise").expect("fn");
    let dot = program.concrete("dot").expect("fn");
    jit.compile(&program, pairwise).expect("compile");
    jit.compile(&program, dot).expect("compile");
    let (n, m) = (500usize, 64usize);
    let mut x: Vec<f64> = (0..n * m)
        .map(|k| ((k * 7919) % 1000) as f64 / 100.0)
        .collect();
    let mut d = vec![0.0; n * n];
    let args = [view2(&mut x, n, m), view2(&mut d, n, n)];
    jit.check_args(pairwise, &args).expect("args");
    let jit_time = time_it(5, || {
        // SAFETY: arguments checked above; the buffers outlive the calls and differ.
        unsafe { jit.call(pairwise, &args) }
            .map(|_| ())
            .expect("runs")
    });
    let jit_d = d.clone();
    let rust_time = time_it(5, || pairwise_rust(&x, &mut d, n, m));
    assert_eq!(jit_d, d, "JIT and Rust agree");
    println!("pairwise {n}x{m} (best of 5): JIT {jit_time:?}, Rust {rust_time:?}");

    let len = 1 << 20;
    let mut a: Vec<f64> = (0..len).map(|k| (k % 13) as f64).collect();
    let mut b: Vec<f64> = (0..len).map(|k| (k % 7) as f64).collect();
    let args = [
        RawArg::Array(RawArray {
            data: a.as_mut_ptr() as *mut u8,
            dims: [len as u64, 1, 1],
            strides: [1, 0, 0],
        }),
        RawArg::Array(RawArray {
            data: b.as_mut_ptr() as *mut u8,
            dims: [len as u64, 1, 1],
            strides: [1, 0, 0],
        }),
    ];
    jit.check_args(dot, &args).expect("args");
    let jit_time = time_it(20, || {
        // SAFETY: arguments checked above; the buffers outlive the calls.
        unsafe { jit.call(dot, &args) }.map(|_| ()).expect("runs");
    });
    let rust_time = time_it(20, || {
        let s = a.iter().zip(&b).fold(0.0, |s, (x, y)| s + x * y);
        std::hint::black_box(s);
    });
    println!("dot 2^20 (best of 20): JIT {jit_time:?}, Rust {rust_time:?}");

    let program = kernel_ir::compile("fn nop(x: &[f64], k: f64) -> f64 { k }").expect("compiles");
    let nop = program.concrete("nop").expect("fn");
    jit = Jit::new(JitOptions::default()).expect("jit");
    jit.compile(&program, nop).expect("compile");
    let args = [
        RawArg::Array(RawArray {
            data: a.as_mut_ptr() as *mut u8,
            dims: [1, 1, 1],
            strides: [1, 0, 0],
        }),
        RawArg::Scalar(kernel_ir::abi::RawScalar::from_f64(2.0)),
    ];
    let calls = 100_000;
    let started = Instant::now();
    for _ in 0..calls {
        // SAFETY: an array and a scalar, as `nop` expects; `a` outlives the calls.
        let value = unsafe { jit.call(nop, &args) }.expect("runs");
        std::hint::black_box(value);
    }
    println!(
        "Jit::call overhead (empty kernel): {:?} per call",
        started.elapsed() / calls
    );
}

fn main() {
    bench_kernels();
    let source = nbody_source::NBODY;
    let runs = 200;
    let (mut front, mut new, mut codegen, mut total) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let t0 = Instant::now();
        let program = kernel_ir::compile(source).expect("compiles");
        let t1 = Instant::now();
        let mut jit = Jit::new(JitOptions::default()).expect("jit");
        let t2 = Instant::now();
        let id = program.concrete("derivatives").expect("fn");
        jit.compile(&program, id).expect("compile");
        let t3 = Instant::now();
        front.push(t1 - t0);
        new.push(t2 - t1);
        codegen.push(t3 - t2);
        total.push(t3 - t0);
    }
    println!("N-body derivatives, {runs} runs (medians):");
    println!("  front end (parse + check)   {:?}", median(front));
    println!("  Jit::new (ISA + module)     {:?}", median(new));
    println!(
        "  translate + Cranelift       {:?} (min {:?})",
        median(codegen.clone()),
        min(&codegen)
    );
    println!(
        "  source → callable           {:?} (min {:?})",
        median(total.clone()),
        min(&total)
    );

    let program = kernel_ir::compile(source).expect("compiles");
    let id = program.concrete("derivatives").expect("fn");
    for boundscheck in [true, false] {
        let mut jit = Jit::new(JitOptions {
            boundscheck,
            keep_text: false,
            profile: false,
        })
        .expect("jit");
        jit.compile(&program, id).expect("compile");
        for n in [20usize, 1000] {
            let mut state: Vec<f64> = (0..n * 6).map(|k| (k % 17) as f64 - 8.0).collect();
            let mut out = vec![0.0; n * 6];
            let args = [view2(&mut state, n, 6), view2(&mut out, n, 6)];
            jit.check_args(id, &args).expect("args");
            let reps = if n == 20 { 2000 } else { 5 };
            let mut samples = Vec::new();
            for _ in 0..reps {
                let t = Instant::now();
                // SAFETY: arguments checked above; both buffers outlive the call and differ.
                unsafe { jit.call(id, &args) }.expect("runs");
                samples.push(t.elapsed());
            }
            println!(
                "  call, N = {n:4}, boundscheck = {boundscheck:5}: median {:?}",
                median(samples)
            );
        }
    }
}
