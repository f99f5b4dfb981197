//! Per-call overhead of the runtime API: an empty kernel taking the N-body derivatives' five
//! arrays, in the JIT and in native code (`#[kernel]`, run through [`Module::native`]), called
//! through [`Function::call`] (every argument checked on every call), a [`Prepared`] handle
//! (types checked once; each call re-checks only shapes and aliasing) and a [`TypedFunc`]
//! (types checked when the handle is made), next to an empty Rust function taking the same
//! views and the `#[kernel]` function called directly. Run with
//! `cargo bench -p kernel-runtime --bench call_overhead`.

use std::hint::black_box;

use criterion::{BenchmarkGroup, Criterion};
use kernel_runtime::{kernel, Arg, Module, TypedFunc};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2};

#[kernel]
mod empty_kernel {
    use ndarray::{Array2, ArrayView2};

    pub fn empty(
        pos: ArrayView2<f64>,
        vel: ArrayView2<f64>,
        mass: &[f64],
        dpos: &mut Array2<f64>,
        dvel: &mut Array2<f64>,
    ) {
    }
}

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

type EmptyFn = TypedFunc<
    (
        ArrayView2<'static, f64>,
        ArrayView2<'static, f64>,
        &'static [f64],
        ArrayViewMut2<'static, f64>,
        ArrayViewMut2<'static, f64>,
    ),
    (),
>;

/// The five arguments of `empty`.
struct Inputs {
    pos: Array2<f64>,
    vel: Array2<f64>,
    mass: Array1<f64>,
    dpos: Array2<f64>,
    dvel: Array2<f64>,
}

impl Inputs {
    fn new(n: usize) -> Inputs {
        Inputs {
            pos: Array2::zeros((n, 3)),
            vel: Array2::zeros((n, 3)),
            mass: Array1::ones(n),
            dpos: Array2::zeros((n, 3)),
            dvel: Array2::zeros((n, 3)),
        }
    }

    fn args(&mut self) -> [Arg<'_>; 5] {
        [
            Arg::from(self.pos.view()),
            Arg::from(self.vel.view()),
            Arg::from(self.mass.view()),
            Arg::from(self.dpos.view_mut()),
            Arg::from(self.dvel.view_mut()),
        ]
    }
}

/// `function_call`, `prepared_call` and `typed_call` of `empty` in `module`'s tier.
fn bench_handles(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    tier: &str,
    module: &Module,
    x: &mut Inputs,
) {
    let function = module.function("empty").expect("exists");
    group.bench_function(format!("{tier}/function_call"), |b| {
        b.iter(|| function.call(&mut x.args()).expect("runs"))
    });
    let mut prepared = function.prepare(&x.args()).expect("argument types fit");
    group.bench_function(format!("{tier}/prepared_call"), |b| {
        b.iter(|| prepared.call(&mut x.args()).expect("runs"))
    });
    let typed: EmptyFn = module.typed("empty").expect("types fit");
    group.bench_function(format!("{tier}/typed_call"), |b| {
        b.iter(|| {
            let mass = x.mass.as_slice().expect("contiguous");
            typed
                .call((
                    x.pos.view(),
                    x.vel.view(),
                    mass,
                    x.dpos.view_mut(),
                    x.dvel.view_mut(),
                ))
                .expect("runs")
        })
    });
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut x = Inputs::new(20);
    let mut group = c.benchmark_group("call_overhead/5_arrays");
    group.bench_function("rust_empty_fn", |b| {
        b.iter(|| {
            empty_rust(
                x.pos.view(),
                x.vel.view(),
                x.mass.view(),
                x.dpos.view_mut(),
                x.dvel.view_mut(),
            )
        })
    });
    group.bench_function("kernel_fn_direct", |b| {
        b.iter(|| {
            let mass = x.mass.as_slice().expect("contiguous");
            empty_kernel::empty(x.pos.view(), x.vel.view(), mass, &mut x.dpos, &mut x.dvel)
        })
    });
    let jit = Module::compile(empty_kernel::SOURCE).expect("compiles");
    bench_handles(&mut group, "jit", &jit, &mut x);
    let native = Module::native(&empty_kernel::NATIVE).expect("native table");
    bench_handles(&mut group, "native", &native, &mut x);
    group.finish();
    c.final_summary();
}
