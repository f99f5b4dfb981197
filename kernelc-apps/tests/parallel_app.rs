//! The `prange` comparison of the showcase on small sizes: both workloads run in both tiers,
//! and the parallel kernels reproduce the sequential ones bit for bit (`compare` fails with
//! `Mismatch` otherwise).

use kernelc_apps::parallel::{compare, ParallelOptions};

#[test]
fn parallel_kernels_match_their_sequential_twins_in_both_tiers() {
    let options = ParallelOptions {
        bodies: 67,
        points: 53,
        dims: 9,
        runs: 1,
    };
    let comparison = compare(&options).expect("every variant runs and agrees");
    let labels: Vec<(&str, &str)> = comparison
        .rows
        .iter()
        .map(|row| (row.workload, row.tier))
        .collect();
    assert_eq!(
        labels,
        [
            ("N-body derivatives", "native"),
            ("N-body derivatives", "JIT"),
            ("pairwise distances", "native"),
            ("pairwise distances", "JIT"),
        ]
    );
    assert!(comparison.threads >= 1);
    let table = comparison.table().to_string();
    assert!(table.contains("speedup"), "{table}");
}
