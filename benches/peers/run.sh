#!/usr/bin/env bash
# The peer benchmarks (issue 9), start to finish, in one command:
#
#   benches/peers/run.sh [--rounds N] [--cases nbody20,nbody1000,dist100,dist2000,svd] [--quick]
#
# Checks for python3 (3.9+), gcc and cargo; installs numpy, scipy, scikit-learn, numba, Cython,
# matplotlib, threadpoolctl and maturin into a virtualenv under target/peers-venv; builds the
# kernelc side (`cargo build --release -p kernelc-apps --example peers_kernelc`) and the
# `kernelc` Python package (a release wheel of kernelc-py/, installed into the virtualenv),
# the C peers and the Cython modules; then runs benches/peers/driver.py, which times
# everything, checks every result, measures the per-call overhead from Python
# (benches/peers/overhead.py) and writes BENCHMARKS.md and benches/peers/speedup.png. About 15
# minutes on a 2-core machine once the Rust dependencies are built. Not part of the tests or CI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/peers-venv"

need() {
    command -v "$1" >/dev/null 2>&1 || { echo "run.sh: '$1' is required ($2)" >&2; exit 1; }
}
need python3 "CPython 3.9 or newer"
need gcc "the C peers and the Cython modules are compiled with gcc"
need cargo "the kernelc side is a Rust example"
echo 'int main(void) { return 0; }' | gcc -x c -o /dev/null - \
    || { echo "run.sh: gcc cannot compile a C program" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    numpy scipy scikit-learn numba cython matplotlib threadpoolctl setuptools "maturin>=1.9.4,<2"

# The peers' Python sources live in the repository: no __pycache__ next to them.
export PYTHONDONTWRITEBYTECODE=1
cd "$root"
cargo build --release -p kernelc-apps --example peers_kernelc
# The kernelc package in release (these are benchmarks), built from this checkout into its own
# folder so the wheel installed is always this build's.
wheels="$target/peers/wheels"
rm -rf "$wheels"
"$venv/bin/maturin" build --quiet --release -m kernelc-py/Cargo.toml -i "$venv/bin/python" \
    --out "$wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
    --no-deps "$wheels"/kernelc-*.whl
exec "$venv/bin/python" "$here/driver.py" "$@"
