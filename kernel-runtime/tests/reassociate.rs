//! `#[reassociate]` across tiers, thread counts and the ways to ask for it: the lane layout
//! is part of the language, so every tier and every thread count gives the same bits.

use kernel_runtime::{kernel, set_threads, Arg, Backend, LaneCount, Module, Options, Value};
use ndarray::Array1;

#[kernel(reassociate = 4)]
mod lanes4 {
    use ndarray::ArrayView1;

    pub fn sum(x: ArrayView1<f64>) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i];
        }
        s
    }

    pub fn parallel_sum(x: ArrayView1<f64>) -> f64 {
        let mut s = 0.0;
        let mut hi = f64::NEG_INFINITY;
        for i in prange(0..x.len()) {
            s += x[i] * x[i];
            hi = hi.max(x[i]);
        }
        s + hi
    }
}

const SUM: &str =
    "fn sum(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }";

/// Values whose sum depends on the order: large terms that cancel among small ones.
fn cancelling(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |k| match k % 11 {
        0 => 1e16,
        5 => -1e16,
        r => r as f64 * 0.375 + (k as f64).sqrt(),
    })
}

fn call(module: &Module, name: &str, x: &Array1<f64>) -> u64 {
    let f = module.function(name).expect("function exists");
    match f.call(&mut [Arg::from(x.view())]).expect("runs") {
        Value::F64(v) => v.to_bits(),
        other => panic!("unexpected {other:?}"),
    }
}

fn sequential(x: &Array1<f64>) -> u64 {
    x.iter().fold(0.0, |s, v| s + v).to_bits()
}

/// Plain Rust of lanes = 4: lane `k % 4` over the whole groups, the tree, then the rest.
fn four_lanes(x: &Array1<f64>) -> u64 {
    let n = x.len() - x.len() % 4;
    let mut lanes = [-0.0; 4];
    for (k, v) in x.iter().take(n).enumerate() {
        lanes[k % 4] += v;
    }
    let mut s = 0.0 + ((lanes[0] + lanes[2]) + (lanes[1] + lanes[3]));
    for v in x.iter().skip(n) {
        s += v;
    }
    s.to_bits()
}

#[test]
fn the_kernel_attribute_applies_in_every_tier() {
    let x = cancelling(1003);
    let native = lanes4::sum(x.view()).expect("runs").to_bits();
    assert_eq!(native, four_lanes(&x));
    assert_ne!(
        native,
        sequential(&x),
        "the input must tell the layouts apart"
    );
    for backend in [Backend::Interpreter, Backend::Jit, Backend::Native] {
        let options = Options {
            backend,
            ..Options::default()
        };
        let module = lanes4::module(options).expect("builds");
        assert_eq!(call(&module, "sum", &x), native, "{backend:?}");
    }
}

#[test]
fn the_option_applies_to_a_source_without_the_attribute() {
    let x = cancelling(517);
    for backend in [Backend::Interpreter, Backend::Jit] {
        let plain = Module::compile_with(
            SUM,
            Options {
                backend,
                ..Options::default()
            },
        )
        .expect("compiles");
        assert_eq!(call(&plain, "sum", &x), sequential(&x), "{backend:?}");
        let lanes = Module::compile_with(
            SUM,
            Options {
                backend,
                reassociate: LaneCount::new(4),
                ..Options::default()
            },
        )
        .expect("compiles");
        assert_eq!(call(&lanes, "sum", &x), four_lanes(&x), "{backend:?}");
    }
}

#[test]
fn parallel_reductions_give_the_same_bits_at_every_thread_count() {
    let x = cancelling(100_003);
    let jit = lanes4::module(Options::default()).expect("compiles");
    let interp = lanes4::module(Options {
        backend: Backend::Interpreter,
        ..Options::default()
    })
    .expect("compiles");
    let reference = call(&interp, "parallel_sum", &x);
    for threads in [1, 2, 3, 4, 7] {
        set_threads(threads).expect("pool");
        let native = lanes4::parallel_sum(x.view()).expect("runs").to_bits();
        assert_eq!(native, reference, "native, {threads} threads");
        assert_eq!(
            call(&jit, "parallel_sum", &x),
            reference,
            "JIT, {threads} threads"
        );
    }
    set_threads(0).expect("default pool");
}
