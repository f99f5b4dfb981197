"""Runs one Python peer on one case in a fresh interpreter and prints one JSON line:
the import time of the peer's module (numba's own import included; for kernelc from Python
also its compile, which the module measures alone as ``COMPILE_S``), the first call (numba
compiles then), and the timed runs after the warm-up. The last result is saved as .npy.
With ``--first-derivatives`` (N-body, the ``*-deriv`` peers) it times only the import and
one call of the peer's derivative function: the latency of a first call from Python.

    python worker.py PEER CASE --data DIR --out FILE.npy --runs R --warmup W [--rows R]
    python worker.py PEER CASE --data DIR --first-derivatives
"""

import argparse
import importlib
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# case -> (N, frames, steps per frame) for N-body, or the input file for distances.
NBODY = {"nbody20": (20, 100, 10), "nbody1000": (1000, 1, 10)}
DIST = {"dist100": "dist_100x100.npy", "dist2000": "dist_2000x64.npy"}

# peer -> (module, function name) for each family of cases.
NBODY_PEERS = {
    "cpython": ("cpython_nbody", "run"),
    "numpy": ("numpy_nbody", "run"),
    "numba-deriv": ("numba_nbody", "run_deriv"),
    "numba-whole": ("numba_nbody", "run_whole"),
    "cython-deriv": ("cython_nbody", "run_deriv"),
    "cython-whole": ("cython_nbody", "run_whole"),
    "kernelc-py-deriv": ("kernelc_nbody", "run_deriv"),
    "kernelc-py-whole": ("kernelc_nbody", "run_whole"),
}
DIST_PEERS = {
    "cpython": ("cpython_pairwise", "pairwise"),
    "numpy-broadcast": ("numpy_pairwise", "broadcast"),
    "scipy-cdist": ("numpy_pairwise", "scipy_cdist"),
    "numba": ("numba_pairwise", "pairwise"),
    "cython": ("cython_pairwise", "pairwise"),
    "kernelc-py": ("kernelc_pairwise", "pairwise"),
}


def load_bodies(data, n):
    return tuple(np.load(os.path.join(data, f"nbody_N{n}_{name}.npy"))
                 for name in ("pos", "vel", "mass"))


def first_derivatives(peer, case, data):
    """Import + one derivative evaluation in this fresh process: {import_s, first_call_s}."""
    if case not in NBODY or not peer.endswith("-deriv"):
        raise SystemExit("--first-derivatives: an N-body case and a *-deriv peer")
    pos, vel, mass = load_bodies(data, NBODY[case][0])
    start = time.perf_counter()
    module = importlib.import_module(NBODY_PEERS[peer][0])
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    module.derivatives(pos, vel, mass)
    return {"import_s": import_s, "first_call_s": time.perf_counter() - start}


def make_call(peer, case, data, rows):
    """Imports the peer (timed) and returns (import seconds, compile seconds or None, a
    zero-argument call)."""
    if case in NBODY:
        n, frames, steps = NBODY[case]
        module_name, function = NBODY_PEERS[peer]
        pos, vel, mass = load_bodies(data, n)
        args, kwargs = (pos, vel, mass, 0.001, steps, frames), {}
    elif case in DIST:
        module_name, function = DIST_PEERS[peer]
        args = (np.load(os.path.join(data, DIST[case])),)
        kwargs = {"rows": rows} if rows else {}
    elif case == "svd":
        module_name, function = "sklearn_svd", "run"
    else:
        raise SystemExit(f"unknown case {case}")
    start = time.perf_counter()
    module = importlib.import_module(module_name)
    import_s = time.perf_counter() - start
    if case == "svd":
        args, kwargs = (module.load(os.path.join(data, "graph.npz")),), {}
        if peer == "sklearn-1thread":
            from threadpoolctl import threadpool_limits

            threadpool_limits(1)
    fn = getattr(module, function)
    return import_s, getattr(module, "COMPILE_S", None), lambda: fn(*args, **kwargs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("peer")
    parser.add_argument("case")
    parser.add_argument("--data", required=True)
    parser.add_argument("--out")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--first-derivatives", action="store_true")
    opts = parser.parse_args()
    if opts.first_derivatives:
        print(json.dumps(first_derivatives(opts.peer, opts.case, opts.data)))
        return
    if not opts.out:
        parser.error("--out is required")
    import_s, compile_s, call = make_call(opts.peer, opts.case, opts.data, opts.rows)
    start = time.perf_counter()
    result = call()
    first_call_s = time.perf_counter() - start
    # Without warm-up (runs of tens of seconds) the first call is also the first timed run.
    times = [first_call_s] if opts.warmup == 0 else []
    for _ in range(1, opts.warmup):
        result = call()
    while len(times) < opts.runs:
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    np.save(opts.out, np.asarray(result))
    record = {"import_s": import_s, "first_call_s": first_call_s, "times": times}
    if compile_s is not None:
        record["compile_s"] = compile_s
    print(json.dumps(record))


if __name__ == "__main__":
    main()
