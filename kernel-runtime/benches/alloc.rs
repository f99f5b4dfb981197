//! The cost of arrays allocated inside kernels: a loop that allocates a scratch array of `n`
//! elements per iteration, reads one element and drops it, in the JIT, in native code
//! (`#[kernel]`) and in plain Rust (`vec![x; n]`), side by side; `zeros` (calloc-style lazily
//! zeroed pages) and a non-zero fill (every element written). Run with
//! `cargo bench -p kernel-runtime --bench alloc`.

use std::hint::black_box;

use criterion::Criterion;
use kernel_runtime::{kernel, Arg, Backend, Module, Options};

#[kernel]
mod churn_kernel {
    pub fn churn(n: usize, reps: usize, fill: f64) -> f64 {
        let mut s = 0.0;
        for r in 0..reps {
            let z = vec![fill; n];
            s += z[r % n];
        }
        s
    }
}

#[inline(never)]
fn churn_rust(n: usize, reps: usize, fill: f64) -> f64 {
    let mut s = 0.0;
    for r in 0..reps {
        let z = vec![fill; n];
        // Keeps the allocation: LLVM may otherwise remove a malloc/free pair.
        s += black_box(&z)[r % n];
    }
    s
}

const REPS: usize = 1000;

fn bench(c: &mut Criterion) {
    let jit = Module::compile_with(
        churn_kernel::SOURCE,
        Options {
            backend: Backend::Jit,
            ..Options::default()
        },
    )
    .expect("JIT module");
    let native = Module::native(&churn_kernel::NATIVE).expect("native module");
    let (jit_churn, native_churn) = (
        jit.function("churn").expect("churn"),
        native.function("churn").expect("churn"),
    );
    for n in [16usize, 1024, 65536] {
        for (label, fill) in [("zeros", 0.0), ("filled", 1.5)] {
            let mut group = c.benchmark_group(format!("alloc/{label}/n={n}"));
            let args = || vec![Arg::from(n), Arg::from(REPS), Arg::from(fill)];
            group.bench_function("rust vec!", |b| {
                b.iter(|| churn_rust(black_box(n), REPS, black_box(fill)))
            });
            group.bench_function("jit", |b| {
                b.iter(|| jit_churn.call(&mut args()).expect("runs"))
            });
            group.bench_function("native", |b| {
                b.iter(|| native_churn.call(&mut args()).expect("runs"))
            });
            group.finish();
        }
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1));
    bench(&mut criterion);
    criterion.final_summary();
}
