"""kernelc peers for N-body, from Python: the kernel source of ``kernelc-apps/src/nbody.rs``
(``nbody_kernels``, copied verbatim) compiled by ``kernelc.compile`` (Cranelift JIT) when this
module is imported and the JIT compiles ``derivatives`` then (``simulate`` when first taken, on
the first ``run_whole``), so the worker's import time covers ``import kernelc`` and the compile,
as numba's first call covers its compile. ``run_deriv`` calls the ``derivatives`` kernel from the
classroom Python RK2 driver ("derivatives only", allocating the two result arrays like the
Cython wrapper); ``run_whole`` runs the whole RK2 simulation in one kernel call, on scratch
arrays allocated here (a kernel writes the caller's arrays in place, without copies)."""

import time

import kernelc
import numpy as np

from cpython_nbody import simulate

SOURCE = """
/// The right-hand side of the N-body ODE: `dpos = vel`, and `dvel[i]` the gravitational
/// acceleration on body `i`, accumulated over `j` in order exactly as the classroom code.
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

/// `frames` frames of `steps_per_frame` midpoint steps each; `out[f]` holds the positions
/// after `f` frames (`out[0]` the initial ones). `pos`, `vel` (the state, final on
/// return), `pos_half`, `vel_half`, `dpos` and `dvel` are N×3 scratch arrays.
pub fn simulate(
    pos0: ArrayView2<f64>,
    vel0: ArrayView2<f64>,
    mass: &[f64],
    dt: f64,
    steps_per_frame: usize,
    frames: usize,
    mut out: ArrayViewMut3<f64>,
    mut pos: ArrayViewMut2<f64>,
    mut vel: ArrayViewMut2<f64>,
    mut pos_half: ArrayViewMut2<f64>,
    mut vel_half: ArrayViewMut2<f64>,
    mut dpos: ArrayViewMut2<f64>,
    mut dvel: ArrayViewMut2<f64>,
) {
    let n = pos0.nrows();
    let half = dt / 2.0;
    for i in 0..n {
        for k in 0..3 {
            pos[[i, k]] = pos0[[i, k]];
            vel[[i, k]] = vel0[[i, k]];
            out[[0, i, k]] = pos0[[i, k]];
        }
    }
    for frame in 1..=frames {
        for _ in 0..steps_per_frame {
            derivatives(pos, vel, mass, dpos, dvel);
            for i in 0..n {
                for k in 0..3 {
                    pos_half[[i, k]] = pos[[i, k]] + half * dpos[[i, k]];
                    vel_half[[i, k]] = vel[[i, k]] + half * dvel[[i, k]];
                }
            }
            derivatives(pos_half, vel_half, mass, dpos, dvel);
            for i in 0..n {
                for k in 0..3 {
                    pos[[i, k]] = pos[[i, k]] + dt * dpos[[i, k]];
                    vel[[i, k]] = vel[[i, k]] + dt * dvel[[i, k]];
                }
            }
        }
        for i in 0..n {
            for k in 0..3 {
                out[[frame, i, k]] = pos[[i, k]];
            }
        }
    }
}
"""

_start = time.perf_counter()
_kernels = kernelc.compile(SOURCE)
# The JIT compiles a function when its handle is first taken (`Module::function`): here
# `derivatives`; `simulate` on the first `run_whole`, as numba compiles on a first call.
_derivatives = _kernels.derivatives
# The compile (inside the import time), reported by the worker beside the import.
COMPILE_S = time.perf_counter() - _start


def derivatives(pos, vel, mass):
    dpos = np.empty_like(vel)
    dvel = np.empty_like(vel)
    _derivatives(pos, vel, mass, dpos, dvel)
    return dpos, dvel


def simulate_whole(pos0, vel0, mass, dt, steps_per_frame, frames):
    n = pos0.shape[0]
    out = np.empty((frames + 1, n, 3))
    scratch = [np.empty((n, 3)) for _ in range(6)]
    _kernels.simulate(pos0, vel0, mass, dt, steps_per_frame, frames, out, *scratch)
    return out


def run_deriv(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate(derivatives, pos0, vel0, mass, dt, steps_per_frame, frames)


def run_whole(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate_whole(pos0, vel0, mass, dt, steps_per_frame, frames)
