//! `prange` speedup in the native and JIT tiers: N-body derivatives (N = 1000) and pairwise
//! distances (2000×64), each as a sequential kernel and the same kernel with its outer loop a
//! `prange`. Prints best-of-N wall times and the speedup per tier
//! (`cargo bench -p kernel-runtime --bench prange`); results are checked equal first (the
//! loops have no reductions, so bit for bit, across tiers too).

use std::time::{Duration, Instant};

use kernel_runtime::{kernel, Arg, Module, Options};

#[kernel]
mod seq {
    pub fn derivatives(pos: &[f64], vel: &[f64], mass: &[f64], dpos: &mut [f64], dvel: &mut [f64]) {
        let n = mass.len();
        for i in 0..n {
            let mut ax = 0.0;
            let mut ay = 0.0;
            let mut az = 0.0;
            let xi = pos[3 * i];
            let yi = pos[3 * i + 1];
            let zi = pos[3 * i + 2];
            for j in 0..n {
                if j != i {
                    let rx = pos[3 * j] - xi;
                    let ry = pos[3 * j + 1] - yi;
                    let rz = pos[3 * j + 2] - zi;
                    let rnorm = (rx * rx + ry * ry + rz * rz).sqrt();
                    let scale = mass[j] / (rnorm * rnorm);
                    ax += scale * (rx / rnorm);
                    ay += scale * (ry / rnorm);
                    az += scale * (rz / rnorm);
                }
            }
            for k in 0..3 {
                dpos[3 * i + k] = vel[3 * i + k];
            }
            dvel[3 * i] = ax;
            dvel[3 * i + 1] = ay;
            dvel[3 * i + 2] = az;
        }
    }

    pub fn pairwise(x: &[f64], n: usize, dims: usize, d: &mut [f64]) {
        for i in 0..n {
            for j in 0..n {
                let mut s = 0.0;
                for k in 0..dims {
                    let t = x[i * dims + k] - x[j * dims + k];
                    s += t * t;
                }
                d[i * n + j] = s.sqrt();
            }
        }
    }
}

#[kernel]
mod par {
    pub fn derivatives(pos: &[f64], vel: &[f64], mass: &[f64], dpos: &mut [f64], dvel: &mut [f64]) {
        let n = mass.len();
        for i in prange(0..n) {
            let mut ax = 0.0;
            let mut ay = 0.0;
            let mut az = 0.0;
            let xi = pos[3 * i];
            let yi = pos[3 * i + 1];
            let zi = pos[3 * i + 2];
            for j in 0..n {
                if j != i {
                    let rx = pos[3 * j] - xi;
                    let ry = pos[3 * j + 1] - yi;
                    let rz = pos[3 * j + 2] - zi;
                    let rnorm = (rx * rx + ry * ry + rz * rz).sqrt();
                    let scale = mass[j] / (rnorm * rnorm);
                    ax += scale * (rx / rnorm);
                    ay += scale * (ry / rnorm);
                    az += scale * (rz / rnorm);
                }
            }
            for k in 0..3 {
                dpos[3 * i + k] = vel[3 * i + k];
            }
            dvel[3 * i] = ax;
            dvel[3 * i + 1] = ay;
            dvel[3 * i + 2] = az;
        }
    }

    pub fn pairwise(x: &[f64], n: usize, dims: usize, d: &mut [f64]) {
        for i in prange(0..n) {
            for j in 0..n {
                let mut s = 0.0;
                for k in 0..dims {
                    let t = x[i * dims + k] - x[j * dims + k];
                    s += t * t;
                }
                d[i * n + j] = s.sqrt();
            }
        }
    }
}

fn input(len: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn report(name: &str, seq: Duration, par: Duration) {
    let speedup = seq.as_secs_f64() / par.as_secs_f64();
    println!(
        "{name}: sequential {seq:.2?}, prange {par:.2?} on {} threads, speedup {speedup:.2}x",
        kernel_runtime::current_threads()
    );
}

/// Best-of-`runs` time of `name` in a JIT module, after one checked call.
fn jit_time(module: &Module, name: &str, runs: usize, args: &mut [Arg<'_>]) -> Duration {
    let function = module.function(name).expect("the kernel exists");
    function.call(args).expect("runs");
    best_of(runs, || {
        let _ = function.call(args);
    })
}

fn jit_modules() -> (Module, Module) {
    (
        Module::compile_with(seq::SOURCE, Options::default()).expect("compiles"),
        Module::compile_with(par::SOURCE, Options::default()).expect("compiles"),
    )
}

fn jit_nbody(n: usize, pos: &[f64], vel: &[f64], mass: &[f64], native: &[f64]) {
    let (seq, par) = jit_modules();
    let mut times = Vec::new();
    for module in [&seq, &par] {
        let (mut dpos, mut dvel) = (vec![0.0; 3 * n], vec![0.0; 3 * n]);
        let mut args = [
            Arg::from(pos),
            Arg::from(vel),
            Arg::from(mass),
            Arg::from(&mut dpos[..]),
            Arg::from(&mut dvel[..]),
        ];
        times.push(jit_time(module, "derivatives", 20, &mut args));
        assert!(dvel == native, "the JIT changed the N-body result");
    }
    report("JIT N-body derivatives N=1000", times[0], times[1]);
}

fn jit_pairwise(x: &[f64], rows: usize, dims: usize, native: &[f64]) {
    let (seq, par) = jit_modules();
    let mut times = Vec::new();
    for module in [&seq, &par] {
        let mut d = vec![0.0; rows * rows];
        let mut args = [
            Arg::from(x),
            Arg::from(rows),
            Arg::from(dims),
            Arg::from(&mut d[..]),
        ];
        times.push(jit_time(module, "pairwise", 5, &mut args));
        assert!(d == native, "the JIT changed the pairwise result");
    }
    report("JIT pairwise 2000x64", times[0], times[1]);
}

fn main() {
    let n = 1000;
    let (pos, vel, mass) = (input(3 * n, 1), input(3 * n, 2), input(n, 3));
    let (mut dpos, mut dvel) = (vec![0.0; 3 * n], vec![0.0; 3 * n]);
    let (mut dpos_p, mut dvel_p) = (vec![0.0; 3 * n], vec![0.0; 3 * n]);
    seq::derivatives(&pos, &vel, &mass, &mut dpos, &mut dvel).expect("runs");
    par::derivatives(&pos, &vel, &mass, &mut dpos_p, &mut dvel_p).expect("runs");
    assert!(
        dvel == dvel_p && dpos == dpos_p,
        "prange changed the N-body result"
    );
    let s = best_of(20, || {
        let _ = seq::derivatives(&pos, &vel, &mass, &mut dpos, &mut dvel);
    });
    let p = best_of(20, || {
        let _ = par::derivatives(&pos, &vel, &mass, &mut dpos_p, &mut dvel_p);
    });
    report("native N-body derivatives N=1000", s, p);
    jit_nbody(n, &pos, &vel, &mass, &dvel);

    let (rows, dims) = (2000, 64);
    let x = input(rows * dims, 4);
    let (mut d, mut d_p) = (vec![0.0; rows * rows], vec![0.0; rows * rows]);
    seq::pairwise(&x, rows, dims, &mut d).expect("runs");
    par::pairwise(&x, rows, dims, &mut d_p).expect("runs");
    assert!(d == d_p, "prange changed the pairwise result");
    let s = best_of(5, || {
        let _ = seq::pairwise(&x, rows, dims, &mut d);
    });
    let p = best_of(5, || {
        let _ = par::pairwise(&x, rows, dims, &mut d_p);
    });
    report("native pairwise 2000x64", s, p);
    jit_pairwise(&x, rows, dims, &d);
}
