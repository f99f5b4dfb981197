"""Accuracy of the distributed SVD (CholeskyQR2 normaliser) against scikit-learn's
randomized_svd (its default 'auto' normaliser, LU) on the same graph: each one's error in
the top-k singular values against scipy's exact svds (ARPACK, tol 0).

    python accuracy.py GRAPH.npz KERNELC_S.npy K N_ITER

Prints one line per method: max and mean relative error of sigma_1..sigma_k, then the
ratio kernelc / sklearn (the goal: at most 1.2).
"""

import sys

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from sklearn.utils.extmath import randomized_svd


def errors(sigma, exact):
    relative = np.abs(sigma - exact) / exact
    return relative.max(), relative.mean()


def main():
    path, kernelc_s, k, n_iter = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    matrix = scipy.sparse.load_npz(path).tocsr()
    exact = np.sort(scipy.sparse.linalg.svds(matrix, k=k, tol=0, random_state=0)[1])[::-1]
    _, sk, _ = randomized_svd(
        matrix, n_components=k, n_oversamples=10, n_iter=n_iter, random_state=0
    )
    ours = np.load(kernelc_s)
    sk_max, sk_mean = errors(sk, exact)
    kc_max, kc_mean = errors(ours, exact)
    print(f"sklearn randomized_svd (LU):     max {sk_max:.3e}  mean {sk_mean:.3e}")
    print(f"kernelc distributed (CholQR2):   max {kc_max:.3e}  mean {kc_mean:.3e}")
    print(f"ratio kernelc/sklearn:           max {kc_max / sk_max:.3f}  mean {kc_mean / sk_mean:.3f}")


if __name__ == "__main__":
    main()
