"""numpy peer: the derivatives vectorised with broadcasting, inside the classroom RK2
driver. The squared norm sums x², y², z² in order and the accelerations are summed over j in
order, so the result equals the scalar-sqrt classroom code bit for bit."""

import numpy as np

from cpython_nbody import simulate


def derivatives(pos, vel, mass):
    r = pos[np.newaxis, :, :] - pos[:, np.newaxis, :]  # r[i, j] = pos[j] - pos[i]
    rnorm = np.sqrt(r[:, :, 0] * r[:, :, 0] + r[:, :, 1] * r[:, :, 1] + r[:, :, 2] * r[:, :, 2])
    # An infinite self-distance makes the j == i term exactly zero.
    np.fill_diagonal(rnorm, np.inf)
    scale = mass[np.newaxis, :] / (rnorm * rnorm)
    acc = scale[:, :, np.newaxis] * (r / rnorm[:, :, np.newaxis])
    return vel.copy(), acc.sum(axis=1)


def run(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate(derivatives, pos0, vel0, mass, dt, steps_per_frame, frames)
