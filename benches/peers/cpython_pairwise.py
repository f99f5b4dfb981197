"""Pairwise distances in pure Python: the classic triple loop over numpy array elements.
``rows`` limits the computation to the first rows of D (the full 2000×64 case takes over a
minute, so the driver times a subset and scales)."""

import numpy as np


def pairwise(X, rows=None):
    M, N = X.shape
    rows = M if rows is None else rows
    D = np.empty((rows, M))
    for i in range(rows):
        for j in range(M):
            d = 0.0
            for k in range(N):
                tmp = X[i, k] - X[j, k]
                d += tmp * tmp
            D[i, j] = np.sqrt(d)
    return D
