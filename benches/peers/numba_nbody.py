"""numba peers: ``@njit`` on the scalar derivative loop (called from the classroom Python RK2
driver: "derivatives only"), and ``@njit`` on the whole RK2 simulation."""

import numpy as np
from numba import njit

from cpython_nbody import simulate


@njit(cache=False)
def derivatives(pos, vel, mass):
    n = pos.shape[0]
    dpos = vel.copy()
    dvel = np.zeros_like(vel)
    for i in range(n):
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(n):
            if j != i:
                rx = pos[j, 0] - pos[i, 0]
                ry = pos[j, 1] - pos[i, 1]
                rz = pos[j, 2] - pos[i, 2]
                rnorm = np.sqrt(rx * rx + ry * ry + rz * rz)
                scale = mass[j] / (rnorm * rnorm)
                ax += scale * (rx / rnorm)
                ay += scale * (ry / rnorm)
                az += scale * (rz / rnorm)
        dvel[i, 0] = ax
        dvel[i, 1] = ay
        dvel[i, 2] = az
    return dpos, dvel


@njit(cache=False)
def simulate_whole(pos0, vel0, mass, dt, steps_per_frame, frames):
    n = pos0.shape[0]
    out = np.empty((frames + 1, n, 3))
    out[0] = pos0
    pos = pos0.copy()
    vel = vel0.copy()
    half = dt / 2
    for frame in range(1, frames + 1):
        for _ in range(steps_per_frame):
            dpos, dvel = derivatives(pos, vel, mass)
            pos_half = pos + half * dpos
            vel_half = vel + half * dvel
            dpos, dvel = derivatives(pos_half, vel_half, mass)
            pos = pos + dt * dpos
            vel = vel + dt * dvel
        out[frame] = pos
    return out


def run_deriv(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate(derivatives, pos0, vel0, mass, dt, steps_per_frame, frames)


def run_whole(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate_whole(pos0, vel0, mass, dt, steps_per_frame, frames)
