//! Measures what interrupt polling costs on the N-body `derivatives` and `pairwise` kernels in
//! every tier (run with `cargo run --release -p kernel-runtime --example interrupt_overhead`).
//!
//! Each line is the median of interleaved timings of the same kernel called plainly
//! (`Function::call`, or the native function outside any interruptible scope) and with an
//! interrupt handle and a far deadline (`Function::call_with`, or the native function inside
//! `kernel_runtime::interruptible`), medians and minima (the machine may be busy). The native
//! tier always polls; its cost against code without polls is measured by building this
//! example at a commit before interruption existed. The numbers go in `docs/SECURITY.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kernel_runtime::{
    interruptible, kernel, Arg, Backend, CallOptions, InterruptHandle, Module, Options,
};
use ndarray::Array2;

#[kernel]
mod kernels {
    use ndarray::{ArrayView2, ArrayViewMut2};

    pub fn derivatives(
        pos: ArrayView2<f64>,
        vel: ArrayView2<f64>,
        mass: &[f64],
        mut dpos: ArrayViewMut2<f64>,
        mut dvel: ArrayViewMut2<f64>,
    ) {
        let n = pos.nrows();
        for i in 0..n {
            let mut ax = 0.0;
            let mut ay = 0.0;
            let mut az = 0.0;
            for j in 0..n {
                if j != i {
                    let rx = pos[[j, 0]] - pos[[i, 0]];
                    let ry = pos[[j, 1]] - pos[[i, 1]];
                    let rz = pos[[j, 2]] - pos[[i, 2]];
                    let rnorm = (rx * rx + ry * ry + rz * rz).sqrt();
                    let scale = mass[j] / (rnorm * rnorm);
                    ax += scale * (rx / rnorm);
                    ay += scale * (ry / rnorm);
                    az += scale * (rz / rnorm);
                }
            }
            dpos[[i, 0]] = vel[[i, 0]];
            dpos[[i, 1]] = vel[[i, 1]];
            dpos[[i, 2]] = vel[[i, 2]];
            dvel[[i, 0]] = ax;
            dvel[[i, 1]] = ay;
            dvel[[i, 2]] = az;
        }
    }

    pub fn pairwise(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
        let (n, dims) = x.dim();
        for i in 0..n {
            for j in 0..n {
                let mut sum = 0.0;
                for k in 0..dims {
                    let diff = x[[i, k]] - x[[j, k]];
                    sum += diff * diff;
                }
                d[[i, j]] = sum.sqrt();
            }
        }
    }
}

/// Deterministic inputs: `n` points in the unit cube.
fn points(n: usize, seed: u64) -> Array2<f64> {
    let mut state = seed;
    Array2::from_shape_fn((n, 3), |_| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    })
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs `plain` and `polled` alternately `rounds` times and prints both medians.
fn compare(label: &str, rounds: usize, mut plain: impl FnMut(), mut polled: impl FnMut()) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    plain();
    polled();
    for _ in 0..rounds {
        let start = Instant::now();
        plain();
        a.push(start.elapsed());
        let start = Instant::now();
        polled();
        b.push(start.elapsed());
    }
    let (a_min, b_min) = (a.iter().min().copied(), b.iter().min().copied());
    let (a, b) = (median(a), median(b));
    let overhead = (b.as_secs_f64() / a.as_secs_f64() - 1.0) * 100.0;
    println!(
        "{label:<20} median: plain {a:>10.3?} polled {b:>10.3?} ({overhead:+.1}%)   \
         min: plain {:>10.3?} polled {:>10.3?}",
        a_min.unwrap_or_default(),
        b_min.unwrap_or_default()
    );
}

fn main() {
    let n_bodies = 1000;
    let pos = points(n_bodies, 1);
    let vel = points(n_bodies, 2);
    let mass = vec![1.0 / n_bodies as f64; n_bodies];
    let x = points(600, 3);
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(21);

    let mut dpos = Array2::<f64>::zeros((n_bodies, 3));
    let mut dvel = Array2::<f64>::zeros((n_bodies, 3));
    let mut d = Array2::<f64>::zeros((600, 600));
    let mut native_nbody = || {
        kernels::derivatives(
            pos.view(),
            vel.view(),
            &mass,
            dpos.view_mut(),
            dvel.view_mut(),
        )
        .expect("derivatives runs")
    };
    let mut native_pairwise = || kernels::pairwise(x.view(), d.view_mut()).expect("pairwise runs");
    let handle = InterruptHandle::new();
    let options = || CallOptions::timeout(Duration::from_secs(3600)).with_interrupt(&handle);
    let (mut p_dpos, mut p_dvel) = (
        Array2::<f64>::zeros((n_bodies, 3)),
        Array2::zeros((n_bodies, 3)),
    );
    let polled_nbody = || {
        interruptible(options(), || {
            kernels::derivatives(
                pos.view(),
                vel.view(),
                &mass,
                p_dpos.view_mut(),
                p_dvel.view_mut(),
            )
        })
        .expect("derivatives runs")
    };
    let mut p_d = Array2::<f64>::zeros((600, 600));
    let polled_pairwise = || {
        interruptible(options(), || kernels::pairwise(x.view(), p_d.view_mut()))
            .expect("pairwise runs")
    };
    compare(
        "native derivatives",
        rounds,
        &mut native_nbody,
        polled_nbody,
    );
    compare(
        "native pairwise",
        rounds,
        &mut native_pairwise,
        polled_pairwise,
    );

    for (backend, name, scale) in [
        (Backend::Jit, "jit", 1),
        (Backend::Interpreter, "interp", 5),
    ] {
        let module_options = Options {
            backend,
            ..Options::default()
        };
        let module =
            Module::compile_with(kernels::SOURCE, module_options).expect("the kernels compile");
        let derivatives = module.function("derivatives").expect("derivatives exists");
        let pairwise = module.function("pairwise").expect("pairwise exists");
        let mut dpos = Array2::<f64>::zeros((n_bodies, 3));
        let mut dvel = Array2::<f64>::zeros((n_bodies, 3));
        let mut call_nbody = || {
            let mut args = [
                Arg::from(pos.view()),
                Arg::from(vel.view()),
                Arg::from(&mass[..]),
                Arg::from(dpos.view_mut()),
                Arg::from(dvel.view_mut()),
            ];
            black_box(derivatives.call(&mut args).expect("derivatives runs"));
        };
        let (mut p_dpos, mut p_dvel) = (
            Array2::<f64>::zeros((n_bodies, 3)),
            Array2::<f64>::zeros((n_bodies, 3)),
        );
        let polled_nbody = || {
            let mut args = [
                Arg::from(pos.view()),
                Arg::from(vel.view()),
                Arg::from(&mass[..]),
                Arg::from(p_dpos.view_mut()),
                Arg::from(p_dvel.view_mut()),
            ];
            let result = derivatives.call_with(&mut args, options());
            black_box(result.expect("derivatives runs"));
        };
        compare(
            &format!("{name} derivatives"),
            rounds / scale + 3,
            &mut call_nbody,
            polled_nbody,
        );
        let mut d = Array2::<f64>::zeros((600, 600));
        let mut call_pairwise = || {
            let mut args = [Arg::from(x.view()), Arg::from(d.view_mut())];
            black_box(pairwise.call(&mut args).expect("pairwise runs"));
        };
        let mut p_d = Array2::<f64>::zeros((600, 600));
        let polled_pairwise = || {
            let mut args = [Arg::from(x.view()), Arg::from(p_d.view_mut())];
            black_box(
                pairwise
                    .call_with(&mut args, options())
                    .expect("pairwise runs"),
            );
        };
        compare(
            &format!("{name} pairwise"),
            rounds / scale + 3,
            &mut call_pairwise,
            polled_pairwise,
        );
    }
}
