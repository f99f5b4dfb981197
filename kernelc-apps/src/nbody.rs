//! The classroom N-body problem (SPEC §8, issue 5): gravitating bodies integrated with the
//! midpoint (RK2) method, in every tier.
//!
//! The kernels are written once, in [`nbody_kernels`]:
//! - `derivatives` is the classroom `Nbody_derivatives` with the norm computed as a scalar
//!   square root: for each body `i`, over every `j != i` in order, `r = pos[j] - pos[i]`,
//!   `rnorm = sqrt(rx*rx + ry*ry + rz*rz)`, `acc += mass[j] / (rnorm*rnorm) * (r / rnorm)`;
//!   and `dpos = vel`.
//! - `simulate` is the whole RK2 loop inside one kernel, writing every frame's positions.
//!
//! `#[kernel]` makes them native Rust; `nbody_kernels::module(options)` gives the same
//! source to the interpreter (and the JIT). [`reference`] is the same arithmetic written by
//! hand over plain slices. Because every tier performs the same IEEE operations in the same
//! order (no fused multiply-add, no reassociation), all of them produce bit-identical frames;
//! that is also why the result equals the peers' "scalar-sqrt" reference trajectory.
//!
//! [`Engine`] runs one [`Tier`] in the two structures the comparison times: a Rust RK2
//! driver calling `derivatives` for every evaluation ([`Engine::rk2`], where per-call
//! overhead shows) and the whole-simulation kernel ([`Engine::simulate`]).

mod compare;
mod engine;
mod init;
pub mod reference;

pub use compare::{compare, same_bits, CompareOptions, Comparison, Measurement, Structure};
pub use engine::{rk2_with, Derivatives, Engine, NbodyError, Tier};
pub use init::{Bodies, RunConfig, SplitMix64};

use kernel_runtime::kernel;

/// The N-body kernels, compiled natively by `#[kernel]` and available as source for the
/// interpreter and the JIT (`nbody_kernels::SOURCE`, `nbody_kernels::module(options)`).
#[kernel]
pub mod nbody_kernels {
    use ndarray::{ArrayView2, ArrayViewMut2, ArrayViewMut3};

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
}
