//! The `kernelc` command under `mpirun` (feature `mpi`), through the MPI test helper this
//! crate shares with `kernelc-apps`. Passes, saying so, where `mpirun` is not installed.

#![cfg(feature = "mpi")]

#[path = "../kernelc-apps/tests/common/mpirun.rs"]
mod mpirun;
mod scale_out_support;

use scale_out_support::{arg, bad_last_row_npz, graph_npz, ring_edges, svd_outputs};

use std::path::Path;

#[test]
fn kernelc_built_with_mpi_starts_on_every_rank() {
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let Some(run) = mpirun::run(2, program, &["--help"]) else {
        return;
    };
    assert!(run.status.success(), "{}", run.describe());
    assert_eq!(
        run.stdout.matches("Usage:").count(),
        2,
        "{}",
        run.describe()
    );
}

/// `mpirun -np 1…4 kernelc svd` writes the same bytes as the single-process CholeskyQR2 run.
#[test]
fn kernelc_svd_on_one_to_four_ranks_writes_the_same_files() {
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let dir = tempfile::tempdir().unwrap();
    let input = graph_npz(dir.path());
    let single = dir.path().join("single");
    let status = std::process::Command::new(program)
        .args([
            "svd",
            arg(&input),
            "--k",
            "6",
            "--n-iter",
            "3",
            "--normalizer",
            "cholqr2",
        ])
        .args(["--out", arg(&single)])
        .env_remove("OMPI_COMM_WORLD_SIZE")
        .status()
        .unwrap();
    assert!(status.success());
    for np in 1..=4 {
        let out = dir.path().join(format!("np{np}"));
        let args = [
            "svd",
            arg(&input),
            "--k",
            "6",
            "--n-iter",
            "3",
            "--out",
            arg(&out),
        ];
        let Some(run) = mpirun::run(np, program, &args) else {
            return;
        };
        assert!(run.status.success(), "{}", run.describe());
        assert!(
            svd_outputs(&out) == svd_outputs(&single),
            "np {np}: other bytes"
        );
    }
}

/// A column index out of range in the last rows: rank 2 of 3 fails to read its block;
/// every rank stops with status 2 and the job ends promptly with the message.
#[test]
fn bad_input_on_one_rank_ends_the_job_with_its_message() {
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let dir = tempfile::tempdir().unwrap();
    let input = bad_last_row_npz(dir.path());
    let out = dir.path().join("out");
    let args = ["svd", arg(&input), "--k", "4", "--out", arg(&out)];
    let Some(run) = mpirun::run(3, program, &args) else {
        return;
    };
    assert_eq!(run.code(), Some(2), "{}", run.describe());
    assert!(run.stderr.contains("rank 2 of 3"), "{}", run.describe());
    assert!(
        run.stderr.contains("stopped because rank 2 failed"),
        "{}",
        run.describe()
    );
}

/// `--timeout` under mpirun: the watchdog aborts every rank with status 3.
#[test]
fn kernelc_timeout_aborts_every_rank() {
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let dir = tempfile::tempdir().unwrap();
    let input = graph_npz(dir.path());
    let out = dir.path().join("out");
    let args = [
        "svd",
        arg(&input),
        "--k",
        "6",
        "--backend",
        "interp",
        "--timeout",
        "0.5",
        "--out",
        arg(&out),
    ];
    let Some(run) = mpirun::run(2, program, &args) else {
        return;
    };
    assert_eq!(run.code(), Some(3), "{}", run.describe());
    assert!(run.stderr.contains("timed out"), "{}", run.describe());
}

/// `mpirun -np 1…3 kernelc prone`: each rank reads a byte range of the edge list; the
/// embedding is the same bytes for any number of ranks.
#[test]
fn kernelc_prone_on_ranks_writes_the_same_embedding() {
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let dir = tempfile::tempdir().unwrap();
    let edges = ring_edges(dir.path());
    let mut expected: Option<Vec<u8>> = None;
    for np in 1..=3 {
        let out = dir.path().join(format!("emb{np}.npy"));
        let args = ["prone", arg(&edges), "--dim", "8", "--out", arg(&out)];
        let Some(run) = mpirun::run(np, program, &args) else {
            return;
        };
        assert!(run.status.success(), "{}", run.describe());
        let bytes = std::fs::read(&out).unwrap();
        assert!(
            expected.get_or_insert_with(|| bytes.clone()) == &bytes,
            "np {np}: another embedding"
        );
    }
}
