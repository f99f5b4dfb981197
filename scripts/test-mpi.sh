#!/usr/bin/env bash
# The MPI build and tests (feature `mpi`, issue 19): clippy over the crates with MPI code,
# then only their MPI test targets, which start jobs of 1 to 4 ranks with mpirun over
# loopback and shared memory. Needs Open MPI (`mpirun`, `libopenmpi-dev`) and libclang.
# Extra arguments go to the test binaries, e.g. `scripts/test-mpi.sh watchdog`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tests may run as root (CI does); Open MPI refuses to unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cargo clippy -p kernelc-apps -p kernelc --all-targets --features mpi -- -D warnings
# One MPI job at a time: each one already oversubscribes the cores.
cargo test -p kernelc-apps -p kernelc --features mpi --test mpi -- --test-threads=1 "$@"
