//! Timing of the classroom N-body derivatives kernel in the interpreter (printed, not
//! asserted: run with `cargo test --release -p kernel-runtime --test perf -- --nocapture`).

mod common;

use std::time::Instant;

use kernel_runtime::Arg;
use ndarray::Array2;

const NBODY: &str = r#"
fn nbody_derivatives(pos: ArrayView2<f64>, vel: ArrayView2<f64>, dpos: ArrayViewMut2<f64>, dvel: ArrayViewMut2<f64>) {
    let n = pos.nrows();
    for i in 0..n {
        let mut ax = 0.0;
        let mut ay = 0.0;
        let mut az = 0.0;
        for j in 0..n {
            if i != j {
                let dx = pos[[j, 0]] - pos[[i, 0]];
                let dy = pos[[j, 1]] - pos[[i, 1]];
                let dz = pos[[j, 2]] - pos[[i, 2]];
                let r2 = dx * dx + dy * dy + dz * dz;
                let r3 = r2 * r2.sqrt();
                ax += dx / r3;
                ay += dy / r3;
                az += dz / r3;
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
"#;

fn reference(pos: &Array2<f64>, dvel: &mut Array2<f64>) {
    let n = pos.nrows();
    for i in 0..n {
        let (mut ax, mut ay, mut az) = (0.0, 0.0, 0.0);
        for j in 0..n {
            if i != j {
                let dx = pos[[j, 0]] - pos[[i, 0]];
                let dy = pos[[j, 1]] - pos[[i, 1]];
                let dz = pos[[j, 2]] - pos[[i, 2]];
                let r2 = dx * dx + dy * dy + dz * dz;
                let r3 = r2 * r2.sqrt();
                ax += dx / r3;
                ay += dy / r3;
                az += dz / r3;
            }
        }
        dvel[[i, 0]] = ax;
        dvel[[i, 1]] = ay;
        dvel[[i, 2]] = az;
    }
}

#[test]
fn nbody_derivatives_timing() {
    let n = 20;
    let pos = Array2::from_shape_fn((n, 3), |(i, k)| {
        ((i * 7 + k * 3) % 11) as f64 + 0.1 * i as f64
    });
    let vel = Array2::from_shape_fn((n, 3), |(i, k)| (i + k) as f64 * 0.01);
    let mut dpos = Array2::<f64>::zeros((n, 3));
    let mut dvel = Array2::<f64>::zeros((n, 3));
    let module = common::module(NBODY);
    let f = module.function("nbody_derivatives").unwrap();
    let evaluations = 2000;
    let start = Instant::now();
    for _ in 0..evaluations {
        f.call(&mut [
            Arg::from(pos.view()),
            Arg::from(vel.view()),
            Arg::from(dpos.view_mut()),
            Arg::from(dvel.view_mut()),
        ])
        .unwrap();
    }
    let elapsed = start.elapsed();
    let pairs = (evaluations * n * n) as f64;
    println!(
        "interpreter N-body N={n}: {evaluations} evaluations in {:.1} ms, {:.1} ns per pair iteration",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e9 / pairs
    );
    let mut expected = Array2::<f64>::zeros((n, 3));
    reference(&pos, &mut expected);
    assert_eq!(dvel, expected, "bit-identical to the Rust reference");
    assert_eq!(dpos, vel);
}
