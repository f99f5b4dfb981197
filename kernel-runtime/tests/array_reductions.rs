//! `prange` array reductions across tiers and thread counts: integer histograms are exact in
//! every tier at every thread count; float ones agree between the JIT and native code for a
//! given thread count (both combine per-chunk copies in chunk order) and differ from the
//! sequential interpreter by reassociation only.

use kernel_runtime::{kernel, set_threads, Arg, Backend, Module, Options, Value};
use ndarray::Array1;

#[kernel]
mod bins {
    use ndarray::{Array1, ArrayView1};

    pub fn counts(x: ArrayView1<u64>, bins: usize) -> Array1<i64> {
        let mut hist = Array1::zeros(bins);
        for i in prange(0..x.len()) {
            hist[(x[i] as usize) % bins] += 1;
        }
        hist
    }

    pub fn weights(x: ArrayView1<u64>, w: ArrayView1<f64>, out: &mut Array1<f64>) {
        let bins = out.len();
        for i in prange(0..x.len()) {
            out[(x[i] as usize) % bins] += w[i];
        }
    }
}

fn data(n: usize) -> (Array1<u64>, Array1<f64>) {
    let x = Array1::from_shape_fn(n, |k| (k as u64).wrapping_mul(2654435761) >> 7);
    let w = Array1::from_shape_fn(n, |k| {
        ((k % 97) as f64).sqrt() * 1e-3 + (k % 5) as f64 * 1e8
    });
    (x, w)
}

fn module(backend: Backend) -> Module {
    match backend {
        Backend::Native => Module::native(&bins::NATIVE).expect("native"),
        _ => Module::compile_with(
            bins::SOURCE,
            Options {
                backend,
                ..Options::default()
            },
        )
        .expect("compiles"),
    }
}

fn counts(module: &Module, x: &Array1<u64>) -> Vec<i64> {
    let f = module.function("counts").expect("counts");
    let value = f
        .call(&mut [Arg::from(x.view()), Arg::from(13usize)])
        .expect("runs");
    match value {
        Value::Array(array) => {
            array
                .into_array::<i64>()
                .expect("i64")
                .into_raw_vec_and_offset()
                .0
        }
        other => panic!("unexpected {other:?}"),
    }
}

fn weights(module: &Module, x: &Array1<u64>, w: &Array1<f64>) -> Vec<u64> {
    let f = module.function("weights").expect("weights");
    let mut out = Array1::<f64>::from_elem(7, 0.25);
    f.call(&mut [
        Arg::from(x.view()),
        Arg::from(w.view()),
        Arg::from(&mut out),
    ])
    .expect("runs");
    out.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn histograms_are_exact_and_floats_agree_per_thread_count() {
    let (x, w) = data(20_000);
    let interp = module(Backend::Interpreter);
    let (jit, native) = (module(Backend::Jit), module(Backend::Native));
    let mut expected = vec![0i64; 13];
    for v in &x {
        expected[(*v as usize) % 13] += 1;
    }
    assert_eq!(counts(&interp, &x), expected);
    for threads in [1, 2, 3, 4, 7] {
        set_threads(threads).expect("threads");
        assert_eq!(counts(&jit, &x), expected, "JIT, {threads} threads");
        assert_eq!(counts(&native, &x), expected, "native, {threads} threads");
        assert_eq!(
            weights(&jit, &x, &w),
            weights(&native, &x, &w),
            "{threads} threads"
        );
    }
    set_threads(1).expect("threads");
    // One thread is one chunk: the interpreter's order.
    assert_eq!(weights(&jit, &x, &w), weights(&interp, &x, &w));
    set_threads(0).expect("threads");
}
