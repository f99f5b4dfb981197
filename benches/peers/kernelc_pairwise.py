"""kernelc peer for pairwise distances, from Python: the ``pairwise`` kernel of
``kernelc-apps/examples/peers_kernelc.rs`` (copied verbatim) compiled by ``kernelc.compile``
(Cranelift JIT) when this module is imported; the call writes the distance matrix allocated
here in place."""

import time

import kernelc
import numpy as np

SOURCE = """
pub fn pairwise(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
    let (n, dims) = x.dim();
    for i in 0..n {
        for j in 0..n {
            let mut sum = 0.0;
            for k in 0..dims {
                let diff = x[[i, k]] - x[[j, k]];
                sum += diff * diff;
            }
            d[[i, j]] = sum.sqrt();
        }
    }
}
"""

_start = time.perf_counter()
# The JIT compiles `pairwise` when its handle is taken (`Module::function`).
_kernel = kernelc.compile(SOURCE).pairwise
# The compile alone (inside the import time), reported by the worker beside the import.
COMPILE_S = time.perf_counter() - _start


def pairwise(X):
    M = X.shape[0]
    D = np.empty((M, M))
    _kernel(X, D)
    return D
