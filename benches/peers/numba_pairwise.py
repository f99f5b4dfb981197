"""numba peer for pairwise distances: ``@njit`` on the triple loop."""

import numpy as np
from numba import njit


@njit(cache=False)
def pairwise(X):
    M = X.shape[0]
    N = X.shape[1]
    D = np.empty((M, M))
    for i in range(M):
        for j in range(M):
            d = 0.0
            for k in range(N):
                tmp = X[i, k] - X[j, k]
                d += tmp * tmp
            D[i, j] = np.sqrt(d)
    return D
