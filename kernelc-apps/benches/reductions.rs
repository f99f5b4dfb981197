//! Reductions with and without `#[reassociate]`, side by side in one run: a dot product of
//! 10⁴ elements (in cache) and a 256×256 matrix product (`cargo bench -p kernelc-apps --bench
//! reductions`), native (`#[kernel]`) and JIT. Each reassociated result is first checked
//! bit-identical across the tiers (the lane layout is the language's semantics), and the
//! sequential ones equal the plain Rust loop.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kernel_runtime::{kernel, Arg, Backend, Module, Options, Value};
use ndarray::{Array1, Array2};

#[kernel]
mod kernels {
    use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2};

    pub fn dot(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
        let mut s = 0.0;
        for i in 0..a.len() {
            s += a[i] * b[i];
        }
        s
    }

    #[reassociate]
    pub fn dot_lanes(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
        let mut s = 0.0;
        for i in 0..a.len() {
            s += a[i] * b[i];
        }
        s
    }

    /// `c = a · bt^T`: each entry a dot product of two contiguous rows.
    pub fn matmul(a: ArrayView2<f64>, bt: ArrayView2<f64>, mut c: ArrayViewMut2<f64>) {
        let (n, m) = a.dim();
        for i in 0..n {
            for j in 0..bt.nrows() {
                let mut s = 0.0;
                for k in 0..m {
                    s += a[[i, k]] * bt[[j, k]];
                }
                c[[i, j]] = s;
            }
        }
    }

    #[reassociate]
    pub fn matmul_lanes(a: ArrayView2<f64>, bt: ArrayView2<f64>, mut c: ArrayViewMut2<f64>) {
        let (n, m) = a.dim();
        for i in 0..n {
            for j in 0..bt.nrows() {
                let mut s = 0.0;
                for k in 0..m {
                    s += a[[i, k]] * bt[[j, k]];
                }
                c[[i, j]] = s;
            }
        }
    }
}

fn uniform(len: usize, seed: u64) -> Vec<f64> {
    // SplitMix64 → [-1, 1): the same inputs on every run.
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            2.0 * (((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64) - 1.0
        })
        .collect()
}

fn dot(c: &mut Criterion) {
    let n = 10_000;
    let a = Array1::from(uniform(n, 1));
    let b = Array1::from(uniform(n, 2));
    let jit = kernels::module(Options::default()).expect("compiles for the JIT");
    let call_jit = |name: &str| -> f64 {
        let f = jit.function(name).expect("exists");
        let args = &mut [Arg::from(a.view()), Arg::from(b.view())];
        match f.call(args).expect("runs") {
            Value::F64(x) => x,
            other => panic!("unexpected {other:?}"),
        }
    };
    let plain: f64 = a.iter().zip(&b).fold(0.0, |s, (x, y)| s + x * y);
    let native = kernels::dot(a.view(), b.view()).expect("runs");
    let lanes = kernels::dot_lanes(a.view(), b.view()).expect("runs");
    assert_eq!(native.to_bits(), plain.to_bits());
    assert_eq!(call_jit("dot").to_bits(), plain.to_bits());
    assert_eq!(call_jit("dot_lanes").to_bits(), lanes.to_bits());

    let mut group = c.benchmark_group(format!("dot {n}"));
    group.bench_function("native", |bch| {
        bch.iter(|| kernels::dot(black_box(a.view()), b.view()))
    });
    group.bench_function("native reassociate", |bch| {
        bch.iter(|| kernels::dot_lanes(black_box(a.view()), b.view()))
    });
    for name in ["dot", "dot_lanes"] {
        let f = jit.function(name).expect("exists");
        let label = if name == "dot" {
            "jit"
        } else {
            "jit reassociate"
        };
        group.bench_function(label, |bch| {
            bch.iter(|| {
                f.call(&mut [Arg::from(a.view()), Arg::from(b.view())])
                    .expect("runs")
            })
        });
    }
    group.finish();
}

fn matmul(c: &mut Criterion) {
    let n = 256;
    let a = Array2::from_shape_vec((n, n), uniform(n * n, 3)).expect("shape");
    let bt = Array2::from_shape_vec((n, n), uniform(n * n, 4)).expect("shape");
    let jit = kernels::module(Options::default()).expect("compiles for the JIT");
    let interp = Module::compile_with(
        kernels::SOURCE,
        Options {
            backend: Backend::Interpreter,
            ..Options::default()
        },
    )
    .expect("compiles for the interpreter");
    let run = |module: &Module, name: &str| {
        let mut out = Array2::<f64>::zeros((n, n));
        let f = module.function(name).expect("exists");
        let args = &mut [
            Arg::from(a.view()),
            Arg::from(bt.view()),
            Arg::from(out.view_mut()),
        ];
        f.call(args).expect("runs");
        out
    };
    let mut native = Array2::<f64>::zeros((n, n));
    kernels::matmul_lanes(a.view(), bt.view(), native.view_mut()).expect("runs");
    let same = |x: &Array2<f64>| {
        x.iter()
            .zip(&native)
            .all(|(p, q)| p.to_bits() == q.to_bits())
    };
    assert!(same(&run(&jit, "matmul_lanes")), "JIT differs from native");
    assert!(same(&run(&interp, "matmul_lanes")), "interpreter differs");

    let mut group = c.benchmark_group(format!("matmul {n}"));
    let mut out = Array2::<f64>::zeros((n, n));
    group.bench_function("native", |bch| {
        bch.iter(|| kernels::matmul(black_box(a.view()), bt.view(), out.view_mut()))
    });
    group.bench_function("native reassociate", |bch| {
        bch.iter(|| kernels::matmul_lanes(black_box(a.view()), bt.view(), out.view_mut()))
    });
    for (name, label) in [("matmul", "jit"), ("matmul_lanes", "jit reassociate")] {
        let f = jit.function(name).expect("exists");
        group.bench_function(label, |bch| {
            bch.iter(|| {
                f.call(&mut [
                    Arg::from(a.view()),
                    Arg::from(bt.view()),
                    Arg::from(out.view_mut()),
                ])
                .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, dot, matmul);
criterion_main!(benches);
