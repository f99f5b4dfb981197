#!/usr/bin/env bash
# The peer benchmarks (issue 9), start to finish, in one command:
#
#   benches/peers/run.sh [--rounds N] [--cases nbody20,nbody1000,dist100,dist2000,svd] [--quick]
#
# Checks for python3 (3.9+), gcc and cargo; installs numpy, scipy, scikit-learn, numba, Cython,
# matplotlib and threadpoolctl into a virtualenv under target/peers-venv; builds the kernelc
# side (`cargo build --release -p kernelc-apps --example peers_kernelc`), the C peers and the
# Cython modules; then runs benches/peers/driver.py, which times everything, checks every
# result and writes BENCHMARKS.md and benches/peers/speedup.png. About 10 minutes on a 2-core
# machine once the Rust dependencies are built. Not part of the tests or CI.
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
    numpy scipy scikit-learn numba cython matplotlib threadpoolctl setuptools

# The peers' Python sources live in the repository: no __pycache__ next to them.
export PYTHONDONTWRITEBYTECODE=1
cd "$root"
cargo build --release -p kernelc-apps --example peers_kernelc
exec "$venv/bin/python" "$here/driver.py" "$@"
