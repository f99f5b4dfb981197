#!/usr/bin/env bash
# The scale-out benchmarks of docs/SCALE-OUT.md (issue 19): strong and weak scaling of
# `kernelc svd` under mpirun on this machine (np 1, 2, 4, oversubscribed), the communication
# volume per rank (--traffic), and the accuracy against scikit-learn on the 20,000-node graph.
#   benches/scale-out/run.sh            # everything; needs Open MPI, python3 (venv below)
#   benches/scale-out/run.sh strong     # one part: strong | weak | threads | accuracy
# Run it on a quiet machine (check `uptime`); it builds first, then measures.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
part="${1:-all}"
work="${SCALE_OUT_DIR:-target/scale-out}"
mkdir -p "$work"
cargo build --release -q -p kernelc --features mpi
cargo build --release -q -p kernelc-apps --example graph_npz
kernelc="$PWD/target/release/kernelc"
graph() { # nodes: the benchmark graph's density, 5 edges a node
    local file="$work/graph-$1.npz"
    [ -f "$file" ] || target/release/examples/graph_npz "$1" $(( $1 * 5 )) 0 "$file" >/dev/null
    echo "$file"
}
mpi() { # np, then kernelc's arguments
    local np="$1"; shift
    mpirun --oversubscribe --mca btl self,vader --mca oob_tcp_if_include lo -np "$np" "$kernelc" "$@"
}
seconds() { # the wall time of a command, in seconds
    local start end
    start=$(date +%s%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err"; exit 1; }
    end=$(date +%s%N); awk -v ns=$(( end - start )) 'BEGIN { printf "%.2f", ns / 1e9 }'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
k=128
if [[ $part == all || $part == strong ]]; then
    g=$(graph 200000)
    echo "== strong scaling: 200,000 nodes, 1,000,000 edges, k=$k (best of 3 wall times, s)"
    for np in 1 2 4; do
        best=
        for _ in 1 2 3; do
            t=$(seconds mpi "$np" svd "$g" --k $k --out "$work/strong-$np")
            best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
        done
        echo "np=$np  ${best} s"
    done
    echo "-- traffic per rank, np=4"
    mpi 4 svd "$g" --k $k --out "$work/strong-4" --traffic 2>&1 >/dev/null | grep -v '^$'
    cmp -s "$work/strong-1/S.npy" "$work/strong-4/S.npy" && echo "S.npy identical for np=1 and np=4"
fi
if [[ $part == all || $part == threads ]]; then
    g=$(graph 200000)
    echo "== one thread per rank (KERNELC_THREADS=1): the ranks alone carry the parallelism"
    for np in 1 2; do
        t=$(seconds env KERNELC_THREADS=1 mpirun --oversubscribe --mca btl self,vader \
            --mca oob_tcp_if_include lo -x KERNELC_THREADS -np "$np" "$kernelc" svd "$g" --k $k \
            --out "$work/threads-$np")
        echo "np=$np  $t s"
    done
fi
if [[ $part == all || $part == weak ]]; then
    echo "== weak scaling: 100,000 nodes per rank, k=$k (wall time, s)"
    for np in 1 2 4; do
        g=$(graph $(( np * 100000 )))
        t=$(seconds mpi "$np" svd "$g" --k $k --out "$work/weak-$np")
        echo "np=$np  nodes=$(( np * 100000 ))  $t s"
    done
fi
if [[ $part == all || $part == accuracy ]]; then
    venv="$PWD/target/scale-out-venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy scipy scikit-learn
    g=$(graph 20000)
    echo "== accuracy: 20,000 nodes, k=$k, n_iter=5, vs scipy svds (exact)"
    mpi 2 svd "$g" --k $k --n-iter 5 --out "$work/accuracy" 2>/dev/null
    "$venv/bin/python" benches/scale-out/accuracy.py "$g" "$work/accuracy/S.npy" $k 5
fi
