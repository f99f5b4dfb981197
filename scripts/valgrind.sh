#!/usr/bin/env bash
# Memory-safety evidence for the JIT (issue 8): runs kernels that index out of range (read and
# write, past the end and negative), divide by zero, recurse too deep and run past a deadline
# through `kernelc run` (release build, JIT backend) under valgrind's memcheck, and prints each
# run's error and leak summary. Not part of the default tests: it takes a few minutes.
#
#   scripts/valgrind.sh            # needs valgrind (apt-get install valgrind)
#
# Every run must end with the kernel's own exit status (0 or 3) and "ERROR SUMMARY: 0 errors";
# memcheck's --error-exitcode=1 turns any invalid read or write (or definite leak) into exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
cargo build --release --bin kernelc
kernelc="$PWD/target/release/kernelc"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/hostile.rs" <<'KERNELS'
fn sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

fn read_past_end(x: &[f64], k: usize) -> f64 {
    x[k]
}

fn write_negative(y: &mut [f64], k: i64) {
    y[k] = 1.0;
}

fn write_2d(mut m: ArrayViewMut2<f64>, i: usize, j: usize) {
    m[[i, j]] = 2.0;
}

fn divide(a: i64, b: i64) -> i64 {
    a / b
}

fn deep(n: u64) -> u64 {
    if n == 0 { 0 } else { 1 + deep(n - 1) }
}

fn spin() {
    loop {}
}
KERNELS

# A 4-element f64 vector and a 2x2 matrix, as .npy v1.0 files.
npy() { # npy FILE SHAPE COUNT
    local header="{'descr': '<f8', 'fortran_order': False, 'shape': $2, }"
    while (( (10 + ${#header} + 1) % 64 != 0 )); do header+=" "; done
    { printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $(( (${#header} + 1) % 256 )))\\x00";
      printf '%s\n' "$header"; head -c $((8 * $3)) /dev/zero; } >"$1"
}
npy "$work/x.npy" "(4,)" 4
npy "$work/m.npy" "(2, 2)" 4

status=0
check() { # check EXPECTED_STATUS ARGS...
    local expected=$1
    shift
    local log="$work/valgrind.log"
    set +e
    valgrind --tool=memcheck --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        --log-file="$log" "$kernelc" run "$work/hostile.rs" "$@" >"$work/out" 2>"$work/err"
    local got=$?
    set -e
    printf '%-44s exit %s (expected %s): %s\n' "$*" "$got" "$expected" "$(head -c 100 "$work/err" | tr '\n' ' ')"
    grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable" "$log" | sed 's/^==[0-9]*== /    /'
    if [[ $got != "$expected" ]]; then
        status=1
        cat "$log"
    fi
}

check 0 --fn sum "x=$work/x.npy"
check 3 --fn read_past_end "x=$work/x.npy" k=4
check 3 --fn read_past_end "x=$work/x.npy" k=18446744073709551615
check 3 --fn write_negative "y=$work/x.npy" k=-1
check 3 --fn write_2d "m=$work/m.npy" i=1 j=2
check 3 --fn divide a=1 b=0
check 3 --fn divide a=-9223372036854775808 b=-1
check 3 --fn deep n=100000
check 3 --fn spin --timeout 1
check 3 --backend interp --fn read_past_end "x=$work/x.npy" k=4

if [[ $status == 0 ]]; then
    echo "valgrind: all runs clean"
else
    echo "valgrind: FAILED" >&2
fi
exit $status
