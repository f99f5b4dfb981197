"""scikit-learn's randomized truncated SVD of the benchmark graph (k=128, 10 oversamples,
5 power iterations with sklearn's 'auto' normaliser, i.e. LU), the peer of kernelc's
``randomized_svd``."""

import scipy.sparse
from sklearn.utils.extmath import randomized_svd


def load(path):
    return scipy.sparse.load_npz(path).tocsr()


def run(matrix, k=128):
    _, s, _ = randomized_svd(matrix, n_components=k, n_oversamples=10, n_iter=5, random_state=0)
    return s
