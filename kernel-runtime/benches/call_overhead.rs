//! Per-call overhead of the runtime API on the JIT backend: an empty kernel taking the
//! N-body derivatives' four arrays, called through [`Function::call`] (every argument checked
//! on every call) and through a [`Prepared`] handle (types checked once; each call re-checks
//! only shapes and aliasing), next to an empty Rust function taking the same views. Run with
//! `cargo bench -p kernel-runtime --bench call_overhead`.

use std::hint::black_box;

use criterion::Criterion;
use kernel_runtime::{Arg, Module};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2};

const SOURCE: &str = "fn empty(pos: ArrayView2<f64>, vel: ArrayView2<f64>, mass: &[f64],
                              dpos: &mut Array2<f64>, dvel: &mut Array2<f64>) {}";

#[inline(never)]
fn empty_rust(
    pos: ArrayView2<'_, f64>,
    vel: ArrayView2<'_, f64>,
    mass: ArrayView1<'_, f64>,
    dpos: ArrayViewMut2<'_, f64>,
    dvel: ArrayViewMut2<'_, f64>,
) {
    black_box((pos, vel, mass, dpos, dvel));
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let module = Module::compile(SOURCE).expect("compiles");
    let function = module.function("empty").expect("exists");
    let n = 20;
    let pos = Array2::<f64>::zeros((n, 3));
    let vel = Array2::<f64>::zeros((n, 3));
    let mass = Array1::<f64>::ones(n);
    let mut dpos = Array2::<f64>::zeros((n, 3));
    let mut dvel = Array2::<f64>::zeros((n, 3));
    let mut group = c.benchmark_group("call_overhead/5_arrays");
    group.bench_function("rust_empty_fn", |b| {
        b.iter(|| {
            empty_rust(
                pos.view(),
                vel.view(),
                mass.view(),
                dpos.view_mut(),
                dvel.view_mut(),
            )
        })
    });
    group.bench_function("function_call", |b| {
        b.iter(|| {
            function
                .call(&mut [
                    Arg::from(pos.view()),
                    Arg::from(vel.view()),
                    Arg::from(mass.view()),
                    Arg::from(dpos.view_mut()),
                    Arg::from(dvel.view_mut()),
                ])
                .expect("runs")
        })
    });
    let mut prepared = function
        .prepare(&[
            Arg::from(pos.view()),
            Arg::from(vel.view()),
            Arg::from(mass.view()),
            Arg::from(dpos.view_mut()),
            Arg::from(dvel.view_mut()),
        ])
        .expect("argument types fit");
    group.bench_function("prepared_call", |b| {
        b.iter(|| {
            prepared
                .call(&mut [
                    Arg::from(pos.view()),
                    Arg::from(vel.view()),
                    Arg::from(mass.view()),
                    Arg::from(dpos.view_mut()),
                    Arg::from(dvel.view_mut()),
                ])
                .expect("runs")
        })
    });
    group.finish();
    c.final_summary();
}
