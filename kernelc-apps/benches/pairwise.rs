//! Pairwise distances, `D[i,j] = sqrt(sum_k (X[i,k]-X[j,k])^2)`, 100×100 and 2000×64: the
//! native tier (`#[kernel]`), the JIT and the interpreter next to hand-written Rust, side by
//! side in one run (`cargo bench -p kernelc-apps --bench pairwise`). Results are checked
//! bit-identical first.

use criterion::{criterion_group, criterion_main, Criterion};
use kernel_runtime::{kernel, Arg, Backend, Options};
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

#[kernel]
fn pairwise(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
    let (n, dims) = x.dim();
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..dims {
                let t = x[[i, k]] - x[[j, k]];
                s += t * t;
            }
            d[[i, j]] = s.sqrt();
        }
    }
}

/// The same kernel with its sums in 8 lanes (`#[reassociate]`): vectorised, same bits in
/// every tier.
#[kernel]
#[reassociate]
fn pairwise_lanes(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
    let (n, dims) = x.dim();
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..dims {
                let t = x[[i, k]] - x[[j, k]];
                s += t * t;
            }
            d[[i, j]] = s.sqrt();
        }
    }
}

/// The hand-written reference: the same loop over row slices, the same order of additions.
fn pairwise_rust(x: &[f64], n: usize, dims: usize, d: &mut [f64]) {
    for i in 0..n {
        let xi = &x[i * dims..(i + 1) * dims];
        for j in 0..n {
            let xj = &x[j * dims..(j + 1) * dims];
            let mut s = 0.0;
            for (a, b) in xi.iter().zip(xj) {
                let t = a - b;
                s += t * t;
            }
            d[i * n + j] = s.sqrt();
        }
    }
}

fn input(n: usize, dims: usize) -> Array2<f64> {
    // SplitMix64 → [0, 1): the same inputs on every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    Array2::from_shape_fn((n, dims), |_| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    })
}

fn bench_size(c: &mut Criterion, n: usize, dims: usize) {
    let x = input(n, dims);
    let flat = x
        .as_standard_layout()
        .to_owned()
        .into_raw_vec_and_offset()
        .0;
    let mut d_rust = vec![0.0; n * n];
    let mut d = Array2::<f64>::zeros((n, n));
    let jit = pairwise::module(Options::default()).expect("compiles for the JIT");
    let interp = pairwise::module(Options {
        backend: Backend::Interpreter,
        ..Options::default()
    })
    .expect("compiles for the interpreter");
    pairwise_rust(&flat, n, dims, &mut d_rust);
    pairwise(x.view(), d.view_mut()).expect("native run");
    assert!(
        d.iter()
            .zip(&d_rust)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "native differs"
    );

    let mut group = c.benchmark_group(format!("pairwise {n}x{dims}"));
    group.sample_size(10);
    group.bench_function("rust", |b| {
        b.iter(|| pairwise_rust(&flat, n, dims, &mut d_rust))
    });
    group.bench_function("native", |b| {
        b.iter(|| pairwise(x.view(), d.view_mut()).unwrap())
    });
    let f = jit.function("pairwise").expect("jit function");
    group.bench_function("jit", |b| {
        b.iter(|| {
            f.call(&mut [Arg::from(x.view()), Arg::from(d.view_mut())])
                .unwrap()
        })
    });
    group.bench_function("native reassociate", |b| {
        b.iter(|| pairwise_lanes(x.view(), d.view_mut()).unwrap())
    });
    let jit_lanes = pairwise_lanes::module(Options::default()).expect("compiles for the JIT");
    let mut d_lanes = Array2::<f64>::zeros((n, n));
    pairwise_lanes(x.view(), d_lanes.view_mut()).expect("native run");
    let f_lanes = jit_lanes.function("pairwise_lanes").expect("jit function");
    f_lanes
        .call(&mut [Arg::from(x.view()), Arg::from(d.view_mut())])
        .expect("jit run");
    assert!(
        d.iter()
            .zip(&d_lanes)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "reassociated JIT differs from native"
    );
    group.bench_function("jit reassociate", |b| {
        b.iter(|| {
            f_lanes
                .call(&mut [Arg::from(x.view()), Arg::from(d.view_mut())])
                .unwrap()
        })
    });
    if n <= 100 {
        let g = interp.function("pairwise").expect("interpreter function");
        group.bench_function("interpreter", |b| {
            b.iter(|| {
                g.call(&mut [Arg::from(x.view()), Arg::from(d.view_mut())])
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_size(c, 100, 100);
    bench_size(c, 2000, 64);
}

criterion_group!(pairwise_benches, benches);
criterion_main!(pairwise_benches);
