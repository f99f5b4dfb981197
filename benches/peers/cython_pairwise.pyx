# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Cython peer for pairwise distances: typed memoryviews, bounds checks off, the sum over k
in order (bit-identical to the Python loop)."""

import numpy as np
from libc.math cimport sqrt


def pairwise(const double[:, ::1] X):
    cdef Py_ssize_t m = X.shape[0]
    cdef Py_ssize_t n = X.shape[1]
    out = np.empty((m, m))
    cdef double[:, ::1] D = out
    cdef Py_ssize_t i, j, k
    cdef double d, tmp
    with nogil:
        for i in range(m):
            for j in range(m):
                d = 0.0
                for k in range(n):
                    tmp = X[i, k] - X[j, k]
                    d += tmp * tmp
                D[i, j] = sqrt(d)
    return out
