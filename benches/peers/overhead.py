"""Per-call overhead from Python: kernelc (Cranelift JIT, ``kernelc.compile``) against numba's
``@njit`` dispatch, on kernels that do (almost) nothing, so the time per call is the cost of
getting from a Python loop into compiled code and back:

- ``nothing()``: no arguments;
- ``arrays(a, b, c, s)``: three float64 arrays (16 elements; ``c`` writable) and a float, unused;
- ``axpy(a, x, y)``: ``y += a * x`` on 16 elements, a tiny real kernel.

Each is called ``--calls`` times from a Python ``for`` loop; the figures are the minimum over
``--repeats`` loops, in ns per call, loop included, of the wall time and of the calling
thread's CPU time (which a busy machine inflates less: time spent waiting for a core is not
in it). The empty loop's own cost per iteration and a call of an empty Python function are
measured too, for scale. Diagnostics for
kernelc: ``nothing()`` called from a worker thread (calls off Python's main thread do not arm
the Ctrl-C watch, see kernelc-py/src/sigint.rs), and the peak-RSS growth during one call on
64 MB arrays (a copy of an input would show as 64 MB). Prints one JSON line.

    python overhead.py [--calls 1000000] [--repeats 5]
"""

import argparse
import json
import resource
import threading
import time

import kernelc
import numpy as np
from numba import njit

SOURCE = """
pub fn nothing() {}

pub fn arrays(a: ArrayView1<f64>, b: ArrayView1<f64>, mut c: ArrayViewMut1<f64>, s: f64) {}

pub fn axpy(a: f64, x: ArrayView1<f64>, mut y: ArrayViewMut1<f64>) {
    for i in 0..x.len() {
        y[i] += a * x[i];
    }
}
"""

KERNELS = kernelc.compile(SOURCE)


@njit(cache=False)
def numba_nothing():
    pass


@njit(cache=False)
def numba_arrays(a, b, c, s):
    pass


@njit(cache=False)
def numba_axpy(a, x, y):
    for i in range(x.shape[0]):
        y[i] += a * x[i]


def python_nothing():
    pass


# One loop per arity, with the arguments spelled out: `f(*args)` would add a tuple unpacking
# to every call and blur the comparison.
def loop0(f, calls):
    start = clocks()
    for _ in range(calls):
        f()
    return since(start)


def loop3(f, a, b, c, calls):
    start = clocks()
    for _ in range(calls):
        f(a, b, c)
    return since(start)


def loop4(f, a, b, c, d, calls):
    start = clocks()
    for _ in range(calls):
        f(a, b, c, d)
    return since(start)


def empty_loop(calls):
    start = clocks()
    for _ in range(calls):
        pass
    return since(start)


def clocks():
    """(wall, this thread's CPU time) now, in seconds."""
    return time.perf_counter(), time.thread_time()


def since(start):
    """(wall, CPU) seconds elapsed since ``start = clocks()``."""
    wall, cpu = clocks()
    return wall - start[0], cpu - start[1]


def best_ns(run, calls, repeats):
    """The fastest of ``repeats`` loops of ``calls`` calls by each clock: {"wall": ns per
    call, "cpu": ns per call}."""
    loops = [run() for _ in range(repeats)]
    return {"wall": min(w for w, _ in loops) / calls * 1e9,
            "cpu": min(c for _, c in loops) / calls * 1e9}


def on_worker_thread(run):
    """``run()`` on a fresh thread (off Python's main thread), its result returned."""
    result = []
    thread = threading.Thread(target=lambda: result.append(run()))
    thread.start()
    thread.join()
    return result[0]


def rss_growth_mb(call):
    """How far the process's peak RSS rises during ``call()``, in MB (the inputs already
    allocated and touched, so only what the call allocates counts)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    call()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def copies_check():
    """Calls ``axpy`` on a 64 MB input and a strided 64 MB view of a 128 MB output: no peak-RSS
    growth and the caller's array written through the view mean neither was copied."""
    n = 8 * 2**20
    x = np.ones(n)
    # np.full writes every page now (np.zeros would leave them to be touched by the call).
    backing = np.full(2 * n, 0.5)
    y = backing[::2]
    growth = rss_growth_mb(lambda: KERNELS.axpy(2.0, x, y))
    written = bool(backing[0] == 2.5 and backing[1] == 0.5 and backing[-2] == 2.5)
    return {"input_mb": x.nbytes / 2**20, "rss_growth_mb": growth, "written_in_place": written}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    opts = parser.parse_args()
    calls, repeats = opts.calls, opts.repeats
    a, b, c = np.ones(16), np.ones(16), np.zeros(16)
    x, y = np.ones(16), np.zeros(16)
    nothing, arrays, axpy = KERNELS.nothing, KERNELS.arrays, KERNELS.axpy
    # numba compiles on the first call of each signature: warm everything up first.
    for f, args in ((nothing, ()), (numba_nothing, ()), (arrays, (a, b, c, 1.0)),
                    (numba_arrays, (a, b, c, 1.0)), (axpy, (1e-9, x, y)),
                    (numba_axpy, (1e-9, x, y))):
        f(*args)
    figures = {}
    # Interleaved, kernelc then numba for each kernel, so drift on a shared machine hits both.
    for name, kc, nb, run in (
        ("nothing", nothing, numba_nothing, lambda f: loop0(f, calls)),
        ("arrays", arrays, numba_arrays, lambda f: loop4(f, a, b, c, 1.0, calls)),
        ("axpy16", axpy, numba_axpy, lambda f: loop3(f, 1e-9, x, y, calls)),
    ):
        figures[name] = {
            "kernelc": best_ns(lambda: run(kc), calls, repeats),
            "numba": best_ns(lambda: run(nb), calls, repeats),
        }
    reference = {
        "empty_loop": best_ns(lambda: empty_loop(calls), calls, repeats),
        "python_function": best_ns(lambda: loop0(python_nothing, calls), calls, repeats),
        "kernelc_nothing_worker_thread": on_worker_thread(
            lambda: best_ns(lambda: loop0(nothing, calls), calls, repeats)),
    }
    print(json.dumps({"calls": calls, "repeats": repeats, "kernels": figures,
                      "reference": reference, "copies": copies_check()}))


if __name__ == "__main__":
    main()
