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

fn view2(data: &mut [f64], rows: usize, cols: usize) -> RawArg {
    RawArg::Array(RawArray {
        data: data.as_mut_ptr() as *mut u8,
        dims: [rows as u64, cols as u64, 1],
        strides: [cols as i64, 1, 0],
    })
}

fn main() {
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
    println!("  translate + Cranelift       {:?}", median(codegen));
    println!("  source → callable           {:?}", median(total));

    let program = kernel_ir::compile(source).expect("compiles");
    let id = program.concrete("derivatives").expect("fn");
    for boundscheck in [true, false] {
        let mut jit = Jit::new(JitOptions {
            boundscheck,
            keep_text: false,
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
