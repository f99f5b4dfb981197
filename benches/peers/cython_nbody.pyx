# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Cython peers for N-body: typed memoryviews, bounds checks off. ``derivatives`` is called
from the classroom Python RK2 driver ("derivatives only"); ``simulate_whole`` runs the whole
RK2 loop without the GIL and without allocating per step."""

import numpy as np
from libc.math cimport sqrt

from cpython_nbody import simulate


cdef void derivs(const double[:, ::1] pos, const double[:, ::1] vel, const double[::1] mass,
                 double[:, ::1] dpos, double[:, ::1] dvel) noexcept nogil:
    cdef Py_ssize_t n = pos.shape[0]
    cdef Py_ssize_t i, j
    cdef double ax, ay, az, rx, ry, rz, rnorm, scale
    for i in range(n):
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(n):
            if j != i:
                rx = pos[j, 0] - pos[i, 0]
                ry = pos[j, 1] - pos[i, 1]
                rz = pos[j, 2] - pos[i, 2]
                rnorm = sqrt(rx * rx + ry * ry + rz * rz)
                scale = mass[j] / (rnorm * rnorm)
                ax += scale * (rx / rnorm)
                ay += scale * (ry / rnorm)
                az += scale * (rz / rnorm)
        dpos[i, 0] = vel[i, 0]
        dpos[i, 1] = vel[i, 1]
        dpos[i, 2] = vel[i, 2]
        dvel[i, 0] = ax
        dvel[i, 1] = ay
        dvel[i, 2] = az


def derivatives(pos, vel, mass):
    dpos = np.empty_like(vel)
    dvel = np.empty_like(vel)
    derivs(np.ascontiguousarray(pos), np.ascontiguousarray(vel), mass, dpos, dvel)
    return dpos, dvel


def simulate_whole(pos0, vel0, double[::1] mass, double dt, Py_ssize_t steps_per_frame,
                   Py_ssize_t frames):
    cdef Py_ssize_t n = pos0.shape[0]
    out_array = np.empty((frames + 1, n, 3))
    cdef double[:, :, ::1] out = out_array
    cdef double[:, ::1] pos = np.array(pos0, dtype=np.float64, order="C")
    cdef double[:, ::1] vel = np.array(vel0, dtype=np.float64, order="C")
    cdef double[:, ::1] pos_half = np.empty((n, 3))
    cdef double[:, ::1] vel_half = np.empty((n, 3))
    cdef double[:, ::1] dpos = np.empty((n, 3))
    cdef double[:, ::1] dvel = np.empty((n, 3))
    cdef double half = dt / 2
    cdef Py_ssize_t frame, step, i, k
    with nogil:
        for i in range(n):
            for k in range(3):
                out[0, i, k] = pos[i, k]
        for frame in range(1, frames + 1):
            for step in range(steps_per_frame):
                derivs(pos, vel, mass, dpos, dvel)
                for i in range(n):
                    for k in range(3):
                        pos_half[i, k] = pos[i, k] + half * dpos[i, k]
                        vel_half[i, k] = vel[i, k] + half * dvel[i, k]
                derivs(pos_half, vel_half, mass, dpos, dvel)
                for i in range(n):
                    for k in range(3):
                        pos[i, k] = pos[i, k] + dt * dpos[i, k]
                        vel[i, k] = vel[i, k] + dt * dvel[i, k]
            for i in range(n):
                for k in range(3):
                    out[frame, i, k] = pos[i, k]
    return out_array


def run_deriv(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate(derivatives, pos0, vel0, mass, dt, steps_per_frame, frames)


def run_whole(pos0, vel0, mass, dt, steps_per_frame, frames):
    return simulate_whole(pos0, vel0, mass, dt, steps_per_frame, frames)
