"""The peer benchmark driver (issue 9): builds the C, Cython and kernelc peers, generates one
set of inputs for everyone, runs every peer and every kernelc tier interleaved (rounds with
a rotating order, each peer in a fresh process per round, warm-up excluded), checks every
result against the reference, measures the per-call overhead from Python (``overhead.py``:
kernelc against numba's dispatch), and writes BENCHMARKS.md (repository root) and
benches/peers/speedup.png.

Run it through ``benches/peers/run.sh``, which installs what it needs first. Options:
``--rounds N`` (default 5), ``--cases a,b`` (nbody20, nbody1000, dist100, dist2000, svd),
``--quick`` (one round, and CPython's long cases scaled down: for trying the harness).
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

# The peers' sources live in the repository: keep bytecode caches out of it.
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
WORK = os.path.join(TARGET, "peers")
DATA = os.path.join(WORK, "data")
OUT = os.path.join(WORK, "out")
BUILD = os.path.join(WORK, "build")
SEED = 2024

CASE_TITLES = {
    "nbody20": "N-body RK2, N=20 (100 frames × 10 steps = 2000 derivative evaluations)",
    "nbody1000": "N-body RK2, N=1000 (10 steps = 20 derivative evaluations)",
    "dist100": "Pairwise distances, X 100×100 → D 100×100",
    "dist2000": "Pairwise distances, X 2000×64 → D 2000×2000",
    "svd": "Randomized SVD, k=128, 20,000-node graph (100,000 edges, D^-1/2 A D^-1/2)",
}
CASE_SHORT = {
    "nbody20": "N-body N=20",
    "nbody1000": "N-body N=1000",
    "dist100": "dist 100×100",
    "dist2000": "dist 2000×64",
    "svd": "SVD k=128",
}
NBODY = {"nbody20": (20, 100, 10), "nbody1000": (1000, 1, 10)}
DIST = {"dist100": "dist_100x100", "dist2000": "dist_2000x64"}
# The full CPython 2000×64 case takes over a minute: it computes the first rows of D only
# and its time is scaled by 2000 / rows.
CPYTHON_DIST2000_ROWS = 100
# The family of the kernelc-from-Python peers (the `kernelc` package, JIT): Python processes
# like numba's and Cython's, compared with them in their own report section.
KERNELC_PY = "kernelc from Python"
# Which numba and Cython rows each kernelc-from-Python row is compared with.
KERNELC_PY_PAIRS = {
    "kernelc-py-deriv": ("numba-deriv", "cython-deriv"),
    "kernelc-py-whole": ("numba-whole", "cython-whole"),
    "kernelc-py": ("numba", "cython"),
}
# The Python peers whose N-body derivative function is compiled: their first derivative call
# (import included) is timed on its own, the latency issue 18 compares.
FIRST_DERIVATIVES_PEERS = ("numba-deriv", "cython-deriv", "kernelc-py-deriv")
# The 1-minute load average at the start of each case (the report warns when it exceeds the
# number of CPUs).
LOADS = []


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_command(cmd, **kwargs):
    """Runs ``cmd``; on failure prints its output and stops the benchmark."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return proc.stdout


# --------------------------------------------------------------------------- building


def build_all(skip_cargo):
    """Builds the C peers (two flag sets), the Cython modules and the kernelc example;
    returns the wall time of each build."""
    os.makedirs(BUILD, exist_ok=True)
    times = {}
    for name, flags in (("peers_c", []), ("peers_c_nofma", ["-ffp-contract=off"])):
        start = time.perf_counter()
        run_command(["gcc", "-O3", "-march=native", *flags, "-o", os.path.join(BUILD, name),
                     os.path.join(HERE, "peers.c"), "-lm"])
        times[f"gcc -O3 -march=native {' '.join(flags)}".strip()] = time.perf_counter() - start
    cython_dir = os.path.join(BUILD, "cython")
    shutil.rmtree(cython_dir, ignore_errors=True)
    os.makedirs(cython_dir)
    for name in ("cython_nbody.pyx", "cython_pairwise.pyx", "setup_cython.py"):
        shutil.copy(os.path.join(HERE, name), cython_dir)
    start = time.perf_counter()
    run_command([sys.executable, "setup_cython.py", "build_ext", "--inplace"], cwd=cython_dir,
                env={**os.environ, "PYTHONPATH": HERE})
    times["Cython (2 modules: cythonize + gcc)"] = time.perf_counter() - start
    if not skip_cargo:
        start = time.perf_counter()
        run_command(["cargo", "build", "--release", "-p", "kernelc-apps", "--example",
                     "peers_kernelc"], cwd=ROOT)
        times["cargo build --release -p kernelc-apps --example peers_kernelc (incremental)"] = (
            time.perf_counter() - start)
    return times


# --------------------------------------------------------------------------- inputs


def make_graph(rng, nodes=20_000, edges=100_000):
    """``edges`` distinct random undirected edges without self-loops, symmetric-normalised
    (D^-1/2 A D^-1/2; an isolated node keeps a zero row)."""
    import scipy.sparse

    seen = set()
    while len(seen) < edges:
        a = rng.integers(0, nodes, size=2 * edges)
        b = rng.integers(0, nodes, size=2 * edges)
        for u, v in zip(a.tolist(), b.tolist()):
            if u != v:
                seen.add((min(u, v), max(u, v)))
                if len(seen) == edges:
                    break
    pairs = np.array(sorted(seen), dtype=np.int64)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    adjacency = scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(nodes, nodes))
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    with np.errstate(divide="ignore"):
        inv_sqrt = np.where(degree > 0, 1.0 / np.sqrt(degree), 0.0)
    scale = scipy.sparse.diags(inv_sqrt)
    normalised = (scale @ adjacency @ scale).tocsr()
    normalised.sort_indices()
    return normalised, int((degree == 0).sum()), int(degree.max())


def make_inputs(cases):
    """Writes every input once (the same files for every peer) and returns facts about them."""
    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(SEED)
    facts = {}
    for n in (20, 1000):
        pos, vel = rng.random((n, 3)), rng.random((n, 3))
        np.save(os.path.join(DATA, f"nbody_N{n}_pos.npy"), pos)
        np.save(os.path.join(DATA, f"nbody_N{n}_vel.npy"), vel)
        np.save(os.path.join(DATA, f"nbody_N{n}_mass.npy"), np.ones(n))
    np.save(os.path.join(DATA, "dist_100x100.npy"), rng.random((100, 100)))
    np.save(os.path.join(DATA, "dist_2000x64.npy"), rng.random((2000, 64)))
    if "svd" in cases:
        import scipy.sparse

        graph, isolated, max_degree = make_graph(rng)
        scipy.sparse.save_npz(os.path.join(DATA, "graph.npz"), graph)
        facts["graph"] = {"nnz": int(graph.nnz), "isolated": isolated, "max_degree": max_degree}
    return facts


# --------------------------------------------------------------------------- peers


class Peer:
    """One row of a table: how to run it once (a fresh process) and how much per round."""

    def __init__(self, name, family, kind, runs, warmup=1, rounds=None, scale=1.0, rows=0,
                 note=""):
        self.name, self.family, self.kind = name, family, kind
        self.runs, self.warmup, self.rounds = runs, warmup, rounds
        self.scale, self.rows, self.note = scale, rows, note
        self.samples, self.first_calls, self.compiles, self.imports = [], [], [], []
        # Import + one derivative evaluation per fresh process (the `*-deriv` Python peers).
        self.first_derivatives = []
        self.check = {"ok": False, "error": "not run"}

    def out_path(self, case):
        return os.path.join(OUT, f"{case}__{self.name}.npy")

    def command(self, case):
        out = self.out_path(case)
        if self.kind == "python":
            cmd = [sys.executable, os.path.join(HERE, "worker.py"), self.name, case, "--data",
                   DATA, "--out", out, "--runs", str(self.runs), "--warmup", str(self.warmup)]
            return cmd + (["--rows", str(self.rows)] if self.rows else [])
        if self.kind == "c":
            binary = os.path.join(BUILD, "peers_c" if self.name == "c" else "peers_c_nofma")
            if case in NBODY:
                n, frames, steps = NBODY[case]
                return [binary, "nbody", os.path.join(DATA, f"nbody_N{n}"), str(frames),
                        str(steps), str(self.runs), str(self.warmup), out]
            return [binary, "pairwise", os.path.join(DATA, DIST[case] + ".npy"), str(self.runs),
                    str(self.warmup), out]
        binary = os.path.join(TARGET, "release", "examples", "peers_kernelc")
        variant = self.name.removeprefix("kernelc-")
        common = ["--variant", variant, "--data", DATA, "--runs", str(self.runs), "--warmup",
                  str(self.warmup), "--out", out]
        if case in NBODY:
            n, frames, steps = NBODY[case]
            return [binary, "nbody", *common, "--n", str(n), "--frames", str(frames),
                    "--steps-per-frame", str(steps)]
        if case in DIST:
            return [binary, "pairwise", *common, "--name", DIST[case]]
        return [binary, "svd", *common]

    def run_once(self, case):
        env = {**os.environ, "PYTHONPATH": os.path.join(BUILD, "cython")}
        record = json.loads(run_command(self.command(case), env=env).strip().splitlines()[-1])
        self.samples += [t * self.scale for t in record["times"]]
        if record.get("first_call_s") is not None:
            self.first_calls.append(record["first_call_s"])
        if record.get("compile_s") is not None:
            self.compiles.append(record["compile_s"])
        if record.get("import_s") is not None:
            self.imports.append(record["import_s"])

    def first_derivatives_once(self, case):
        """Import + one call of the peer's derivative function, in a fresh process."""
        cmd = [sys.executable, os.path.join(HERE, "worker.py"), self.name, case, "--data", DATA,
               "--first-derivatives"]
        env = {**os.environ, "PYTHONPATH": os.path.join(BUILD, "cython")}
        record = json.loads(run_command(cmd, env=env).strip().splitlines()[-1])
        self.first_derivatives.append(record["import_s"] + record["first_call_s"])

    def median(self):
        return statistics.median(self.samples)


def kernelc_peers(case, quick):
    """The kernelc tiers: the interpreter is slow, so it runs fewer times (no warm-up on the
    big cases); the compiled tiers run like C."""
    slow = case in ("nbody1000", "dist2000")
    interp = dict(runs=1, warmup=0, rounds=3) if slow else dict(runs=1, warmup=1, rounds=3)
    fast = dict(runs=2 if slow else 5)
    if case in NBODY:
        return [
            Peer("kernelc-interp-driver", "kernelc interpreter", "kernelc", **interp),
            Peer("kernelc-interp-whole", "kernelc interpreter", "kernelc", **interp),
            Peer("kernelc-jit-driver", "kernelc JIT", "kernelc", **fast),
            Peer("kernelc-jit-whole", "kernelc JIT", "kernelc", **fast),
            Peer("kernelc-native-driver", "kernelc native", "kernelc", **fast),
            Peer("kernelc-native-whole", "kernelc native", "kernelc", **fast),
            Peer("kernelc-rust-whole", "hand-written Rust", "kernelc", **fast),
        ]
    if case in DIST:
        return [
            Peer("kernelc-interp", "kernelc interpreter", "kernelc", **interp),
            Peer("kernelc-jit", "kernelc JIT", "kernelc", **fast),
            Peer("kernelc-native", "kernelc native", "kernelc", **fast),
            # `#[reassociate]`: the sums in 8 lanes, a fixed tree (docs/LANGUAGE.md).
            Peer("kernelc-jit-reassociate", "kernelc JIT", "kernelc", **fast),
            Peer("kernelc-native-reassociate", "kernelc native", "kernelc", **fast),
        ]
    rounds = 1 if quick else 3
    return [
        Peer("kernelc-native", "kernelc native", "kernelc", runs=1, rounds=rounds),
        Peer("kernelc-jit", "kernelc JIT", "kernelc", runs=1, rounds=rounds),
    ]


def peers_for(case, quick):
    """Every peer of ``case`` with its runs per round, warm-up and number of rounds."""
    if case in NBODY:
        big = case == "nbody1000"
        runs = 2 if big else 5
        if big:
            cpython = Peer("cpython", "CPython", "python", runs=1, warmup=0, rounds=1,
                           note="one run")
        else:
            cpython = Peer("cpython", "CPython", "python", runs=1, warmup=0)
        peers = [
            cpython,
            Peer("numpy", "numpy", "python", runs=1 if big else 3),
            Peer("numba-deriv", "numba", "python", runs=runs),
            Peer("numba-whole", "numba", "python", runs=runs),
            Peer("cython-deriv", "Cython", "python", runs=runs),
            Peer("cython-whole", "Cython", "python", runs=runs),
            Peer("kernelc-py-deriv", KERNELC_PY, "python", runs=runs),
            Peer("kernelc-py-whole", KERNELC_PY, "python", runs=runs),
            Peer("c", "C", "c", runs=runs),
            Peer("c-nofma", "C", "c", runs=runs),
        ]
    elif case in DIST:
        big = case == "dist2000"
        runs = 2 if big else 5
        if big:
            rows = CPYTHON_DIST2000_ROWS
            cpython = Peer("cpython", "CPython", "python", runs=1, warmup=0, rows=rows,
                           scale=2000 / rows,
                           note=f"first {rows} rows of D timed, scaled ×{2000 // rows}")
            broadcast = Peer("numpy-broadcast", "numpy", "python", runs=1, warmup=0, rounds=3,
                             note="no warm-up: each run allocates its 2 GB temporary anew")
        else:
            cpython = Peer("cpython", "CPython", "python", runs=1, warmup=0)
            broadcast = Peer("numpy-broadcast", "numpy", "python", runs=runs)
        peers = [
            cpython,
            broadcast,
            Peer("scipy-cdist", "numpy", "python", runs=runs),
            Peer("numba", "numba", "python", runs=runs),
            Peer("cython", "Cython", "python", runs=runs),
            Peer("kernelc-py", KERNELC_PY, "python", runs=runs),
            Peer("c", "C", "c", runs=runs),
            Peer("c-nofma", "C", "c", runs=runs),
        ]
    else:
        rounds = 1 if quick else 3
        peers = [
            Peer("sklearn", "scikit-learn", "python", runs=1, rounds=rounds,
                 note="default BLAS threads"),
            Peer("sklearn-1thread", "scikit-learn", "python", runs=1, rounds=rounds,
                 note="BLAS limited to 1 thread"),
        ]
    peers += kernelc_peers(case, quick)
    if quick:
        for peer in peers:
            if peer.name == "cpython" and case == "nbody1000":
                peer.note = "skipped in --quick"
                peer.rounds = 0
            if peer.name == "cpython" and case == "dist2000":
                peer.rows, peer.scale = 10, 200.0
                peer.note = "first 10 rows of D timed, scaled ×200 (--quick)"
    return peers


def run_case(case, peers, rounds):
    """Rounds of every peer, each round in a rotated order so drift spreads evenly."""
    for round_index in range(rounds):
        shift = round_index % len(peers)
        order = peers[shift:] + peers[:shift]
        for peer in order:
            limit = rounds if peer.rounds is None else peer.rounds
            if round_index < limit:
                start = time.perf_counter()
                peer.run_once(case)
                log(f"{case} round {round_index + 1}: {peer.name} "
                    f"({time.perf_counter() - start:.1f} s wall)")


def run_first_derivatives(case, peers, rounds):
    """Rounds of import + one derivative call, each in a fresh process, interleaved."""
    by_name = {p.name: p for p in peers}
    for round_index in range(rounds):
        for name in FIRST_DERIVATIVES_PEERS:
            by_name[name].first_derivatives_once(case)
        log(f"{case} round {round_index + 1}: first derivative calls of "
            f"{', '.join(FIRST_DERIVATIVES_PEERS)}")


# --------------------------------------------------------------------------- checks


def nbody_reference_scalar_sqrt(n, frames, steps):
    """The classroom code with only the norm line changed (what the compiled peers compute)."""
    sys.path.insert(0, HERE)
    import cpython_nbody

    pos = np.load(os.path.join(DATA, f"nbody_N{n}_pos.npy"))
    vel = np.load(os.path.join(DATA, f"nbody_N{n}_vel.npy"))
    mass = np.load(os.path.join(DATA, f"nbody_N{n}_mass.npy"))
    return cpython_nbody.simulate(cpython_nbody.Nbody_derivatives_scalar_sqrt, pos, vel, mass,
                                  0.001, steps, frames)


def exact_singular_values(k=128):
    """The graph's top-k singular values by ARPACK (untimed), cached next to the graph: the
    matrix is symmetric, so they are the k largest |eigenvalues| (`eigsh`, which="LM"), with
    one BLAS thread (several made ARPACK slow and erratic on 2 cores)."""
    import hashlib

    import scipy.sparse
    from scipy.sparse.linalg import eigsh
    from threadpoolctl import threadpool_limits

    path = os.path.join(DATA, "graph.npz")
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()[:16]
    cache = os.path.join(DATA, f"graph_sv_{k}_{digest}.npy")
    if os.path.exists(cache):
        return np.load(cache)
    log(f"computing the exact top-{k} singular values (ARPACK eigsh, untimed, cached)")
    graph = scipy.sparse.load_npz(path)
    with threadpool_limits(1):
        eigenvalues = eigsh(graph, k=k, which="LM", v0=np.ones(graph.shape[0]))[0]
    values = np.sort(np.abs(eigenvalues))[::-1]
    np.save(cache, values)
    return values


def check_case(case, peers, extra):
    """Fills each peer's ``check`` dict: the deviation from the reference and a verdict."""
    by_name = {p.name: p for p in peers}
    if case == "svd":
        exact = extra["exact"]
        for peer in peers:
            s = np.load(peer.out_path(case))
            rel = np.abs(s - exact) / exact
            peer.check = {
                "top5": ", ".join(f"{v:.6f}" for v in s[:5]),
                "sigma1": abs(s[0] - exact[0]),
                "max_rel": float(rel.max()),
                # randomized_svd with 5 power iterations underestimates the crowded spectrum
                # by a few per cent (see the notes); the check allows 10 %, σ1 to 1e-4.
                "ok": bool(abs(s[0] - exact[0]) < 1e-4 and rel.max() < 0.10),
            }
        return
    reference_peer = by_name["cpython"]
    if not os.path.exists(reference_peer.out_path(case)) or not reference_peer.samples:
        reference = None
    else:
        reference = np.load(reference_peer.out_path(case))
    scalar_ref = extra.get("scalar_ref")
    for peer in peers:
        result = np.load(peer.out_path(case)) if os.path.exists(peer.out_path(case)) else None
        check = {"ok": False}
        if result is None:
            check["error"] = "no result"
        elif reference is None:
            # Without the CPython reference (--quick), compare with the C peer without FMA.
            alt = np.load(by_name["c-nofma"].out_path(case))
            check["max_abs"] = float(np.abs(result[: len(alt)] - alt).max())
            check["against"] = "c-nofma"
            check["ok"] = bool(check["max_abs"] < 1e-9)
        elif case in DIST:
            rows = reference.shape[0]
            delta = np.abs(result[:rows] - reference)
            check["max_abs"] = float(delta.max())
            check["bitwise"] = bool(np.array_equal(result[:rows], reference))
            check["ok"] = bool(check["max_abs"] < 1e-9)
            check["rows"] = rows
        else:
            delta = np.abs(result - reference)
            check["max_abs"] = float(delta[-1].max())
            if case == "nbody20":
                check["frame10"] = float(delta[10].max())
                check["bitwise"] = bool(np.array_equal(result, scalar_ref))
                # Chaos (a close encounter) amplifies the 1-ulp differences between
                # np.linalg.norm and a scalar sqrt to ~1e-8 by the end: the check demands
                # agreement to 1e-12 at frame 10 and to 1e-6 at the end.
                check["ok"] = bool(check["frame10"] < 1e-12 and check["max_abs"] < 1e-6)
            else:
                check["ok"] = bool(check["max_abs"] < 1e-9)
        peer.check = check


# --------------------------------------------------------------------------- report


def fmt_time(seconds):
    if seconds is None:
        return "–"
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def fmt_speedup(value):
    if value is None:
        return "–"
    return f"{value:.3g}x" if value < 1000 else f"{value:,.0f}x"


def machine_description(build_times):
    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "unknown"

    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    fields = dict(re.findall(r"^([^:\n]+):\s+(.*)$", lscpu, re.M))
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
    os_name = re.search(r'PRETTY_NAME="([^"]*)"', open("/etc/os-release").read())
    import numba
    import scipy
    import sklearn
    import Cython
    import llvmlite.binding
    from threadpoolctl import threadpool_info

    blas = sorted({f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
                   for i in threadpool_info() if i.get("user_api") == "blas"})
    flags = fields.get("Flags", "")
    isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "SSE")
    return [
        ("CPU", f"{fields.get('Model name', platform.processor())}, family "
                f"{fields.get('CPU family', '?')} model {fields.get('Model', '?')}, "
                f"{os.cpu_count()} logical CPUs, {isa}"
                + (f", {fields['Hypervisor vendor']} guest" if "Hypervisor vendor" in fields else "")),
        ("memory", f"{mem_kib / 2**20:.1f} GiB"),
        ("OS", f"{os_name.group(1) if os_name else platform.system()}, Linux {platform.release()}"),
        ("C compiler", first_line(["gcc", "--version"])),
        ("Rust", first_line(["rustc", "--version"])),
        ("Python", f"CPython {platform.python_version()}"),
        ("packages", f"numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn "
                     f"{sklearn.__version__}, numba {numba.__version__} (host CPU "
                     f"`{llvmlite.binding.get_host_cpu_name()}`), Cython {Cython.__version__}"),
        ("BLAS", "; ".join(blas) or "unknown"),
        ("load at start", load_line()),
    ]


def load_line():
    return f"{os.getloadavg()[0]:.2f} (1-minute load average)"


def speedup_base(case, peers):
    base = {p.name: p for p in peers}.get("cpython" if case != "svd" else "sklearn-1thread")
    return base.median() if base is not None and base.samples else None


def case_table(case, peers):
    base = speedup_base(case, peers)
    versus = "CPython" if case != "svd" else "sklearn, 1 thread"
    if case == "svd":
        header = ("| peer | median | min–max | runs | speedup vs " + versus
                  + " | top-5 σ | \\|σ1 − σ1(exact)\\| | max rel. dev. from exact (128 σ) | check |")
    elif case == "nbody20":
        header = ("| peer | median | min–max | runs | speedup vs CPython | max\\|Δ\\| final "
                  "| max\\|Δ\\| frame 10 | bitwise = scalar-sqrt ref | check |")
    elif case in DIST:
        header = ("| peer | median | min–max | runs | speedup vs CPython | max\\|Δ\\| "
                  "| bitwise = CPython | check |")
    else:
        header = "| peer | median | min–max | runs | speedup vs CPython | max\\|Δ\\| final | check |"
    columns = len(re.findall(r"(?<!\\)\|", header)) - 1
    lines = [header, "|" + "---|" * columns]
    for peer in peers:
        if not peer.samples:
            lines.append(f"| {peer.name} | not run ({peer.note}) |" + " |" * (columns - 2))
            continue
        med = peer.median()
        speed = fmt_speedup(base / med) if base else "–"
        cells = [peer.name + (f" ({peer.note})" if peer.note else ""), fmt_time(med),
                 f"{fmt_time(min(peer.samples))}–{fmt_time(max(peer.samples))}",
                 str(len(peer.samples)), speed]
        c = peer.check
        if case == "svd":
            cells += [c["top5"], f"{c['sigma1']:.1e}", f"{c['max_rel']:.3f}"]
        elif "error" in c:
            cells += [c["error"]]
        else:
            cells.append(f"{c['max_abs']:.2e}" + (f" (vs {c['against']})" if "against" in c else ""))
            if case == "nbody20" and "frame10" in c:
                cells += [f"{c['frame10']:.1e}", "yes" if c["bitwise"] else "no"]
            elif case == "nbody20":
                cells += ["–", "–"]
            if case in DIST:
                cells.append("yes" if c.get("bitwise") else ("no" if "bitwise" in c else "–"))
        cells.append("pass" if c["ok"] else "FAIL")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def latency_rows(results):
    """First-call latency: numba's import and compile-on-first-call vs kernelc's compile
    (from Rust, and from Python, where the import includes the compile)."""
    rows = []
    for case, peers in results.items():
        for peer in peers:
            if not peer.samples:
                continue
            if peer.family == "numba":
                rows.append((CASE_SHORT[case], peer.name, statistics.median(peer.imports),
                             None, statistics.median(peer.first_calls), peer.median()))
            elif peer.compiles:
                compile_s = statistics.median(peer.compiles)
                imports = statistics.median(peer.imports) if peer.imports else None
                rows.append((CASE_SHORT[case], peer.name, imports, compile_s,
                             compile_s + statistics.median(peer.first_calls), peer.median()))
    return rows


def first_call_with_import(peer):
    """Import + first call of a Python peer, summed per process, median over the rounds: for
    numba the import of numba and the compile on the first call; for kernelc from Python
    `import kernelc` and the compile (both inside the import) and the first run."""
    return statistics.median(i + f for i, f in zip(peer.imports, peer.first_calls))


def structure_of(peer):
    """N-body rows come in two structures: only the derivatives compiled ("driver") or the
    whole simulation in one call (everything else, C and numpy included)."""
    return "driver" if peer.name.endswith(("-deriv", "-driver")) else "whole"


def first_call_overhead(row):
    """What the first call costs beyond a later one: numba's compile happens inside the first
    call (first call − later median); kernelc compiles eagerly when the module is built, so
    its overhead is that compile (a first-call − median difference would be run-to-run noise)."""
    if row[3] is not None:
        return row[3]
    return max(row[4] - row[5], 0.0)


def losses(results):
    """Where kernelc's best compiled tier is slower than a peer that passes its check: per
    N-body structure (a kernelc driver row against numba/Cython derivative rows, a kernelc
    whole row against every other peer), and where the JIT trails the native tier."""
    lines = []
    for case, peers in results.items():
        ok = [p for p in peers if p.samples and p.check.get("ok")]
        for structure in ("driver", "whole"):
            group = [p for p in ok if case not in NBODY or structure_of(p) == structure]
            if case not in NBODY and structure == "driver":
                continue
            jit = [p for p in group if p.family == "kernelc JIT"]
            native = [p for p in group if p.family == "kernelc native"]
            if not jit + native:
                continue
            best = min(jit + native, key=Peer.median)
            theirs = [p for p in group if p.kind != "kernelc" and p.family != KERNELC_PY
                      and p.median() < best.median()]
            for peer in sorted(theirs, key=Peer.median):
                lines.append(
                    f"- {CASE_SHORT[case]}: {best.name} ({fmt_time(best.median())}) is "
                    f"{best.median() / peer.median():.2f}x slower than {peer.name} "
                    f"({fmt_time(peer.median())}).")
            if jit and native and jit[0].median() > 1.1 * native[0].median():
                lines.append(
                    f"- {CASE_SHORT[case]}: the JIT ({jit[0].name}, {fmt_time(jit[0].median())}) "
                    f"is {jit[0].median() / native[0].median():.2f}x slower than the native tier "
                    f"({native[0].name}, {fmt_time(native[0].median())}).")
    return lines


def measure_overhead(quick):
    """Runs overhead.py in a fresh interpreter: ns per call from a Python loop, kernelc and
    numba (10^6 calls, min of 5 loops; 10^5 and 3 with --quick)."""
    calls, repeats = (100_000, 3) if quick else (1_000_000, 5)
    load = os.getloadavg()[0]
    LOADS.append(load)
    log(f"per-call overhead: {calls:,} calls × {repeats} loops per kernel")
    output = run_command([sys.executable, os.path.join(HERE, "overhead.py"), "--calls",
                          str(calls), "--repeats", str(repeats)])
    return {**json.loads(output.strip().splitlines()[-1]), "load": load}


def kernelc_py_pairs(results):
    """Each kernelc-from-Python row that ran, with the numba and Cython rows of the same
    structure in the same case: (case, kernelc-py peer, numba peer, Cython peer)."""
    pairs = []
    for case, peers in results.items():
        by_name = {p.name: p for p in peers if p.samples}
        for name, (numba, cython) in KERNELC_PY_PAIRS.items():
            if name in by_name and numba in by_name and cython in by_name:
                pairs.append((case, by_name[name], by_name[numba], by_name[cython]))
    return pairs


def fmt_ns(nanoseconds):
    return f"{nanoseconds:,.0f} ns"


def kernelc_py_section(results, overhead):
    """The report's section on the kernelc package from Python (issue 18): first call and
    steady state against numba and Cython, the per-call overhead, copies, and the goals."""
    pairs = kernelc_py_pairs(results)
    out = ["## kernelc from Python", "",
           "The `kernelc-py-*` rows above: the `kernelc` Python package (`kernelc-py/`, a "
           "release wheel built by `run.sh` with maturin) running the kernel sources of "
           "`kernelc-apps` (copied into `kernelc_nbody.py` and `kernelc_pairwise.py`) in the "
           "JIT, in fresh Python processes like numba and Cython: the module compiles its "
           "source with `kernelc.compile` when imported, and the Python wrapper allocates the "
           "result (and for *whole* the scratch arrays), which the kernel writes in place. "
           "*First call incl. import*: the peer module's import (numba: `import numba`; "
           "kernelc: `import kernelc` and the compile) plus its first call (numba compiles "
           "then), summed per process, median over the rounds. *Steady state*: the median of "
           "the timed runs after the warm-up.", "",
           "| case | kernelc-py row | first call incl. import: kernelc-py | numba "
           "| numba ÷ kernelc-py | steady state: kernelc-py | numba | Cython "
           "| kernelc-py ÷ numba | kernelc-py ÷ Cython |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for case, ours, numba, cython in pairs:
        first_ours, first_numba = first_call_with_import(ours), first_call_with_import(numba)
        out.append("| " + " | ".join([
            CASE_SHORT[case], ours.name, fmt_time(first_ours), fmt_time(first_numba),
            f"{first_numba / first_ours:,.0f}x", fmt_time(ours.median()),
            fmt_time(numba.median()), fmt_time(cython.median()),
            f"{ours.median() / numba.median():.2f}", f"{ours.median() / cython.median():.2f}",
        ]) + " |")
    out += first_derivatives_lines(results)
    if overhead:
        out += overhead_lines(overhead)
    out += ["", "### Goals (issue 18)", ""] + kernelc_py_goals(pairs, overhead)
    return out


def first_derivatives_lines(results):
    """The first derivative call from Python: import + one evaluation, fresh processes."""
    rows = []
    for case, peers in results.items():
        by_name = {p.name: p for p in peers}
        if not all(by_name.get(n) and by_name[n].first_derivatives
                   for n in FIRST_DERIVATIVES_PEERS):
            continue
        ours, numba, cython = (statistics.median(by_name[n].first_derivatives)
                               for n in ("kernelc-py-deriv", "numba-deriv", "cython-deriv"))
        rounds = len(by_name["kernelc-py-deriv"].first_derivatives)
        rows.append(f"| {CASE_SHORT[case]} | {fmt_time(ours)} | {fmt_time(numba)} | "
                    f"{numba / ours:,.0f}x | {fmt_time(cython)} | {rounds} |")
    if not rows:
        return []
    return ["", "### First derivative call", "",
            "Import of the peer module plus one call of its N-body derivative function (one "
            "evaluation), in a fresh process each round, median over the rounds: kernelc "
            "imports the package and compiles the source, numba imports numba and compiles on "
            "the call, Cython imports its extension, compiled ahead of time (see the build "
            "times above).", "",
            "| case | kernelc-py | numba | numba ÷ kernelc-py | Cython | rounds |",
            "|---|---|---|---|---|---|", *rows]


def overhead_lines(overhead):
    kernels, reference, copies = overhead["kernels"], overhead["reference"], overhead["copies"]
    main_thread = kernels["nothing"]["kernelc"]["cpu"]
    worker = reference["kernelc_nothing_worker_thread"]["cpu"]

    def both(figure):
        return f"{fmt_ns(figure['wall'])} / {fmt_ns(figure['cpu'])}"

    def gap(key):
        return {clock: kernels[key]["kernelc"][clock] - kernels[key]["numba"][clock]
                for clock in ("wall", "cpu")}

    return [
        "", "### Per-call overhead", "",
        f"`benches/peers/overhead.py`: each kernel called {overhead['calls']:,} times from a "
        f"Python `for` loop, the fastest of {overhead['repeats']} loops, ns per call with the "
        "loop included, by wall time and by the calling thread's CPU time (`time.thread_time`: "
        "waiting for a core on a busy machine is not in it, the system calls are) "
        f"— 1-minute load average {overhead['load']:.2f} when it started. "
        "kernelc: `kernelc.compile` (JIT); numba: `@njit`, warmed up.", "",
        "| kernel | kernelc (wall / CPU) | numba (wall / CPU) | kernelc − numba (wall / CPU) |",
        "|---|---|---|---|",
        *[f"| {label} | {both(kernels[key]['kernelc'])} | {both(kernels[key]['numba'])} | "
          f"{both(gap(key))} |"
          for key, label in (("nothing", "`nothing()`: no arguments"),
                             ("arrays", "`arrays(a, b, c, s)`: three float64 arrays and a float"),
                             ("axpy16", "`axpy(a, x, y)` on 16 elements"))],
        "",
        f"For scale (wall / CPU): the empty loop costs {both(reference['empty_loop'])} per "
        f"iteration and a call of an empty Python function {both(reference['python_function'])}. "
        f"kernelc's `nothing()` called from a worker thread takes {fmt_ns(worker)} of CPU "
        f"against {fmt_ns(main_thread)} on the main thread: calls on Python's main thread arm "
        "the Ctrl-C watch (`kernelc-py/src/sigint.rs`: a per-call interrupt handle linked to "
        "the module's, and the check that kernelc's SIGINT handler is still chained, a system "
        f"call at most every 100 ms), {fmt_ns(main_thread - worker)} per call here.", "",
        f"Copies: one `axpy` call on a {copies['input_mb']:.0f} MB input and a strided view "
        f"(every other element) of a {2 * copies['input_mb']:.0f} MB output raised the "
        f"process's peak RSS by {copies['rss_growth_mb']:.1f} MB (a copy of either array "
        f"would add at least {copies['input_mb']:.0f} MB), and the caller's array was written "
        f"through the view: {'yes' if copies['written_in_place'] else 'no'}.",
    ]


def verdict(ok):
    return "**met**" if ok else "**not met**"


def kernelc_py_goals(pairs, overhead):
    lines = []
    deriv = [(case, ours, numba) for case, ours, numba, _ in pairs if ours.name.endswith("-deriv")]
    deriv = [(case, ours, numba) for case, ours, numba in deriv
             if ours.first_derivatives and numba.first_derivatives]
    if deriv:
        ratios = [(case, statistics.median(numba.first_derivatives)
                   / statistics.median(ours.first_derivatives)) for case, ours, numba in deriv]
        lines.append("- First call (import + compile + run) of the N-body derivatives ≥ 100× "
                     "faster than numba's (one derivative evaluation, see above): "
                     + ", ".join(f"{CASE_SHORT[c]} {r:,.0f}x" for c, r in ratios)
                     + f" — {verdict(all(r >= 100 for _, r in ratios))}.")
    if pairs:
        ratios = [(case, ours, ours.median() / min(numba.median(), cython.median()))
                  for case, ours, numba, cython in pairs]
        lines.append("- Steady state within 1.1× of numba and Cython (kernelc-py ÷ the faster "
                     "of the two): "
                     + ", ".join(f"{CASE_SHORT[c]} {o.name} {r:.2f}" for c, o, r in ratios)
                     + f" — {verdict(all(r <= 1.1 for _, _, r in ratios))}.")
    if overhead:
        worst = {clock: max(k["kernelc"][clock] for k in overhead["kernels"].values())
                 for clock in ("wall", "cpu")}
        copies = overhead["copies"]
        no_copy = copies["written_in_place"] and copies["rss_growth_mb"] < copies["input_mb"] / 2
        lines.append(f"- Per-call overhead ≤ 2 µs: the slowest kernelc call above takes "
                     f"{fmt_ns(worst['wall'])} of wall time — {verdict(worst['wall'] <= 2000)}; "
                     f"{fmt_ns(worst['cpu'])} of CPU time — {verdict(worst['cpu'] <= 2000)}.")
        lines.append(f"- 0 copies of input arrays — {verdict(no_copy)}.")
    return lines or ["- no kernelc-from-Python row ran in this run."]


def write_report(results, build_times, facts, wall, args, machine, overhead):
    out = ["# kernelc vs CPython, numpy, numba, Cython and C", "",
           "Produced by `benches/peers/run.sh` (the driver is `benches/peers/driver.py`); "
           "every number below comes from one run of that command on the machine described. "
           "Re-run it to measure your own machine; it takes about "
           f"{wall / 60:.0f} minutes here.", "",
           "## Machine", "", "| item | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in machine]
    out.append(f"| load at end | {load_line()} |")
    cores = os.cpu_count() or 1
    if max(LOADS) > cores:
        out += ["", f"**The machine was shared during this run** (1-minute load average up to "
                f"{max(LOADS):.1f} on {cores} CPUs, measured at the start of each case): other "
                "work competed for the cores, so times are longer and more spread out than on an "
                "idle machine. All peers ran interleaved under the same conditions, so the ratios "
                "are fairer than the absolute times."]
    out += ["", "## Method", "",
            "- Every peer gets the same input files (`.npy`, and the graph as a scipy `.npz`), "
            f"generated with numpy's `default_rng({SEED})`: N-body positions and velocities "
            "uniform in [0, 1), unit masses, dt = 0.001; distance matrices uniform in [0, 1).",
            "- The timed region is the computation only, measured inside the process "
            "(`time.perf_counter`, `clock_gettime(CLOCK_MONOTONIC)`, `std::time::Instant`); "
            "reading inputs, imports and compilation are outside it.",
            f"- {args.rounds} rounds; in each round every peer runs in a fresh process, in an "
            "order rotated by one each round; each process makes one warm-up call, then its timed "
            "runs. Cells give the median and min–max of all timed runs. Slow cells run fewer "
            "times, as the *runs* column shows: CPython makes no warm-up call, and the "
            "interpreter and CPython run once on the largest cases.",
            "- Speedup = CPython median / peer median (for the SVD: scikit-learn with one BLAS "
            "thread / peer median).",
            "- *deriv*/*driver*: only the derivative function is compiled; the RK2 loop stays in "
            "the host language (Python for numba/Cython, a Rust loop for kernelc: "
            "`Engine::rk2`). *whole*: the whole RK2 simulation is one compiled call.",
            "- kernelc from Python (`kernelc-py-*`): the `kernelc` package's JIT, called from "
            "the same Python drivers as numba and Cython (see *kernelc from Python* below).",
            "- kernelc tiers: `interp` (the interpreter), `jit` (Cranelift), `native` "
            "(`#[kernel]`), `rust` (the hand-written Rust reference of "
            "`kernelc-apps/src/nbody/`). The kernelc side is "
            "`kernelc-apps/examples/peers_kernelc.rs`, built with `cargo build --release`.",
            "- C: `gcc -O3 -march=native` (GNU C contracts multiply-adds into FMAs) and "
            "`c-nofma` with `-ffp-contract=off`. Cython: typed memoryviews, bounds and "
            "wraparound checks off, `cdivision`, `-O3`. numba: `@njit` without cache.",
            "- Checks: N-body against the classroom CPython result (at N=20 the result after "
            "frame 10 to 1e-12 and the final positions to 1e-6, because a close encounter "
            "amplifies the 1-ulp differences between `np.linalg.norm` and a scalar `sqrt`; plus "
            "bit-equality with the classroom code whose norm line is a scalar `sqrt`); "
            "N=1000 final positions to 1e-9; distances to 1e-9 on the rows CPython computed; "
            "SVD: σ1 within 1e-4 of ARPACK (`eigsh` on the symmetric matrix) and all 128 σ within 10 % (randomized SVD "
            "with 5 power iterations underestimates this crowded spectrum by a few per cent; "
            "kernelc and scikit-learn use different random generators)."]
    if "graph" in facts:
        g = facts["graph"]
        out.append(f"- Graph: 20,000 nodes, 100,000 distinct random undirected edges, nnz = "
                   f"{g['nnz']:,}, {g['isolated']} isolated nodes, max degree {g['max_degree']}.")
    out += ["", "## Results", ""]
    for case, peers in results.items():
        out += [f"### {CASE_TITLES[case]}", "", case_table(case, peers), ""]
    out += ["## First-call latency", "",
            "numba compiles on the first call in every fresh process (and `import numba` costs "
            "time of its own); kernelc checks the whole source when the module is built "
            "(`Module::compile_with`) and the JIT compiles a function when its handle is first "
            "taken (`Module::function`), both before the first call; from Python (`kernelc-py-*`) "
            "both are inside the module's import, so their *import* includes their *compile*. "
            "Medians over the rounds (fresh processes).", "",
            "| case | peer | import | compile | first call (incl. compile) | later calls (median) "
            "| first-call overhead |",
            "|---|---|---|---|---|---|---|"]
    for row in latency_rows(results):
        out.append("| " + " | ".join([row[0], row[1], fmt_time(row[2]), fmt_time(row[3]),
                                       fmt_time(row[4]), fmt_time(row[5]),
                                       fmt_time(first_call_overhead(row))]) + " |")
    out += ["", "Build times (wall, this run): "
            + "; ".join(f"{k} {v:.2f} s" for k, v in build_times.items()) + ".", "",
            "## Where kernelc loses", "",
            "Each line compares the faster of kernelc's compiled tiers (JIT, native) with every "
            "peer that is faster and passes its check (numpy, scipy, numba, Cython, C, "
            "scikit-learn), per structure for N-body.", ""]
    out += losses(results) or ["- nowhere in this run."]
    out += [""] + kernelc_py_section(results, overhead)
    out += ["", "![speedup over CPython](benches/peers/speedup.png)", ""]
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(out))


def latency_colour(peer_name):
    if "numba" in peer_name:
        return "tab:orange"
    return "tab:green" if peer_name.startswith("kernelc-py") else "tab:blue"


def is_kernelc(peer):
    return peer.kind == "kernelc" or peer.family == KERNELC_PY


def draw_chart(results):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = [c for c in results if c != "svd" and speedup_base(c, results[c])]
    fig, (left, right) = plt.subplots(1, 2, figsize=(16, 8), gridspec_kw={"width_ratios": [3, 2]})
    families = ["numpy", "numba", "Cython", "C", "kernelc interpreter", "kernelc JIT",
                "kernelc native", "hand-written Rust", KERNELC_PY]
    colours = dict(zip(families, plt.get_cmap("tab10").colors))
    x, ticks, labels, seen = 0.0, [], [], set()
    for case in cases:
        group_start = x
        for peer in results[case]:
            if not peer.samples or peer.name == "cpython":
                continue
            label = peer.family if peer.family not in seen else None
            seen.add(peer.family)
            left.bar(x, speedup_base(case, results[case]) / peer.median(), 0.8,
                     color=colours.get(peer.family, "grey"), label=label,
                     hatch="//" if is_kernelc(peer) else None)
            ticks.append(x)
            labels.append(peer.name.removeprefix("kernelc-"))
            x += 1
        left.text((group_start + x - 1) / 2, 0.80, CASE_SHORT[case], ha="center", fontsize=9,
                  fontweight="bold", transform=left.get_xaxis_transform())
        x += 1.5
    left.set_yscale("log")
    # Headroom above the bars for the case names and the legend.
    left.set_ylim(1, 30 * max(bar.get_height() for bar in left.patches))
    left.set_xticks(ticks, labels, rotation=90, fontsize=7)
    left.set_ylabel("speedup over CPython (log scale)")
    left.set_title("Speedup over the CPython original (higher is better; kernelc hatched)")
    left.legend(fontsize=8, loc="upper left", ncol=4)
    left.grid(axis="y", which="both", alpha=0.3)
    rows = [r for r in latency_rows(results) if "interp" not in r[1]]
    labels = [f"{r[0]}\n{r[1]}" for r in rows]
    overhead = [first_call_overhead(r) for r in rows]
    right.barh(range(len(rows)), overhead,
               color=[latency_colour(r[1]) for r in rows])
    right.set_yticks(range(len(rows)), labels, fontsize=7)
    right.set_xscale("log")
    right.set_xlabel("seconds (log scale)")
    right.set_title("First-call latency beyond a later call (compile):\n"
                    "numba (orange) vs kernelc JIT from Rust (blue) and Python (green)")
    right.invert_yaxis()
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "speedup.png"), dpi=110)


# --------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", default="nbody20,nbody1000,dist100,dist2000,svd")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-cargo", action="store_true",
                        help="use the kernelc example already built")
    parser.add_argument("--skip-overhead", action="store_true",
                        help="leave out the per-call overhead measurement (overhead.py)")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1
    cases = [c for c in args.cases.split(",") if c]
    unknown = set(cases) - set(CASE_TITLES)
    if unknown:
        raise SystemExit(f"unknown cases: {', '.join(sorted(unknown))}")
    began = time.perf_counter()
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    machine = machine_description({})
    log("building the C, Cython and kernelc peers")
    build_times = build_all(args.skip_cargo)
    log("generating inputs")
    facts = make_inputs(cases)
    results = {}
    for case in cases:
        peers = peers_for(case, args.quick)
        extra = {}
        if case == "nbody20":
            log("computing the scalar-sqrt reference trajectory")
            extra["scalar_ref"] = nbody_reference_scalar_sqrt(*NBODY[case])
        if case == "svd":
            extra["exact"] = exact_singular_values()
        LOADS.append(os.getloadavg()[0])
        log(f"case {case}: {len(peers)} peers")
        run_case(case, peers, args.rounds)
        if case in NBODY:
            run_first_derivatives(case, peers, args.rounds)
        check_case(case, peers, extra)
        results[case] = peers
    overhead = None if args.skip_overhead else measure_overhead(args.quick)
    wall = time.perf_counter() - began
    write_report(results, build_times, facts, wall, args, machine, overhead)
    draw_chart(results)
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump({case: {p.name: {"samples": p.samples, "first_calls": p.first_calls,
                                   "compiles": p.compiles, "imports": p.imports,
                                   "first_derivatives": p.first_derivatives,
                                   "check": p.check}
                          for p in peers} for case, peers in results.items()}
                  | {"overhead": overhead}, f, indent=1)
    log(f"done in {wall / 60:.1f} min: BENCHMARKS.md, benches/peers/speedup.png, "
        f"{os.path.relpath(os.path.join(WORK, 'results.json'), ROOT)}")


if __name__ == "__main__":
    main()
