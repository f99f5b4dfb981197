"""The classroom N-body code, as written: pure Python loops over numpy arrays, with
``np.linalg.norm`` for every pair, and the RK2 (midpoint) driver that calls a derivative
function twice per step. Every other Python peer reuses ``simulate`` with its own
derivative function (the classroom way of swapping implementations)."""

import math

import numpy as np


def Nbody_derivatives(pos, vel, mass):
    """dpos = vel; dvel[i] = sum over j != i of mass[j] / |r|^2 * (r / |r|), r = pos[j] - pos[i]."""
    N = pos.shape[0]
    dpos = np.copy(vel)
    dvel = np.zeros_like(vel)
    for i in range(N):
        for j in range(N):
            if i != j:
                r = pos[j] - pos[i]
                rnorm = np.linalg.norm(r)
                dvel[i] += mass[j] / rnorm**2 * (r / rnorm)
    return dpos, dvel


def Nbody_derivatives_scalar_sqrt(pos, vel, mass):
    """The classroom code with only the norm line changed to a scalar square root: the
    arithmetic every compiled peer performs, so they can be compared bit for bit."""
    N = pos.shape[0]
    dpos = np.copy(vel)
    dvel = np.zeros_like(vel)
    for i in range(N):
        for j in range(N):
            if i != j:
                r = pos[j] - pos[i]
                rnorm = math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
                dvel[i] += mass[j] / rnorm**2 * (r / rnorm)
    return dpos, dvel


def rk2_step(derivatives, pos, vel, mass, dt):
    dpos, dvel = derivatives(pos, vel, mass)
    pos_half = pos + dt / 2 * dpos
    vel_half = vel + dt / 2 * dvel
    dpos, dvel = derivatives(pos_half, vel_half, mass)
    return pos + dt * dpos, vel + dt * dvel


def simulate(derivatives, pos0, vel0, mass, dt, steps_per_frame, frames):
    """Positions after each frame of ``steps_per_frame`` RK2 steps: (frames + 1, N, 3)."""
    out = np.empty((frames + 1,) + pos0.shape)
    out[0] = pos0
    pos, vel = pos0.copy(), vel0.copy()
    for frame in range(1, frames + 1):
        for _ in range(steps_per_frame):
            pos, vel = rk2_step(derivatives, pos, vel, mass, dt)
        out[frame] = pos
    return out


def run(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate(Nbody_derivatives, pos0, vel0, mass, dt, steps_per_frame, frames)
