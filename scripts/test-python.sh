#!/usr/bin/env bash
# The Python package's tests: builds `kernelc-py` into a virtualenv under target/ (maturin,
# numpy and pytest from PyPI) and runs its pytest suite. Extra arguments go to pytest.
#   scripts/test-python.sh                  # every test
#   scripts/test-python.sh -k ctrl_c -x     # some of them
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$PWD/target/python-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9.4,<2" "numpy>=1.21" pytest
# The dev profile shares the workspace's build (dependencies optimised, see Cargo.toml).
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
    "$venv/bin/maturin" develop --quiet -m kernelc-py/Cargo.toml
"$venv/bin/python" -m pytest kernelc-py/tests -q "$@"
