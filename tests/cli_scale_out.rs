//! `kernelc svd --ranks N`: the distributed SVD with ranks as threads of one process (the
//! code path `mpirun` takes, without MPI): the same files for any number of ranks and as
//! the single-process CholeskyQR2 run, the input checked on every rank, a timeout, and a
//! clear refusal when an MPI launcher starts a binary built without MPI.

use std::process::{Command, Output};

mod scale_out_support;

use scale_out_support::{arg, bad_last_row_npz, graph_npz, ring_edges, svd_outputs};

fn kernelc(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kernelc"));
    command.args(args);
    for name in [
        "OMPI_COMM_WORLD_SIZE",
        "PMI_SIZE",
        "PMIX_SIZE",
        "MPI_LOCALNRANKS",
        "SLURM_STEP_NUM_TASKS",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("kernelc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn svd_args<'a>(input: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["svd", input, "--k", "6", "--n-iter", "3", "--out", out];
    args.extend(extra);
    args
}

#[test]
fn any_number_of_ranks_writes_the_single_process_cholqr2_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = graph_npz(dir.path());
    let single = dir.path().join("single");
    let output = kernelc(
        &svd_args(arg(&input), arg(&single), &["--normalizer", "cholqr2"]),
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = svd_outputs(&single);
    for ranks in ["1", "2", "3", "4"] {
        let out = dir.path().join(format!("ranks{ranks}"));
        let output = kernelc(
            &svd_args(arg(&input), arg(&out), &["--ranks", ranks, "--traffic"]),
            &[],
        );
        assert!(output.status.success(), "{ranks}: {}", stderr(&output));
        assert!(
            svd_outputs(&out) == expected,
            "{ranks} ranks wrote other bytes"
        );
        // One line per rank after the header.
        assert_eq!(
            stderr(&output)
                .lines()
                .filter(|l| l
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.parse::<usize>().is_ok()))
                .count(),
            ranks.parse::<usize>().unwrap()
        );
    }
}

#[test]
fn normalisers_that_do_not_distribute_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = graph_npz(dir.path());
    let out = dir.path().join("out");
    let output = kernelc(
        &svd_args(
            arg(&input),
            arg(&out),
            &["--ranks", "2", "--normalizer", "lu"],
        ),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--normalizer lu does not distribute"),
        "{}",
        stderr(&output)
    );
    let output = kernelc(&svd_args(arg(&input), arg(&out), &["--ranks", "0"]), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--ranks must be at least 1"));
}

/// A column index out of range in the last row: only the rank holding that row sees it,
/// and every rank stops with its message.
#[test]
fn bad_input_on_one_rank_stops_every_rank_with_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let input = bad_last_row_npz(dir.path());
    let out = dir.path().join("out");
    let output = kernelc(&svd_args(arg(&input), arg(&out), &["--ranks", "3"]), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("rank 2 of 3"), "{text}");
    assert!(text.contains("5000"), "{text}");
}

#[test]
fn timeout_stops_the_run_with_status_3() {
    let dir = tempfile::tempdir().unwrap();
    let input = graph_npz(dir.path());
    let out = dir.path().join("out");
    // The interpreter takes far longer than a millisecond on 2,500 rows.
    let output = kernelc(
        &svd_args(
            arg(&input),
            arg(&out),
            &["--ranks", "2", "--backend", "interp", "--timeout", "0.001"],
        ),
        &[],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("timed out after"));
}

#[test]
fn an_mpi_launcher_without_the_mpi_feature_is_refused() {
    if cfg!(feature = "mpi") {
        return; // built with MPI: tests/mpi.rs covers the launcher
    }
    let dir = tempfile::tempdir().unwrap();
    let input = graph_npz(dir.path());
    let out = dir.path().join("out");
    let output = kernelc(
        &svd_args(arg(&input), arg(&out), &[]),
        &[("OMPI_COMM_WORLD_SIZE", "2")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("built without MPI"),
        "{}",
        stderr(&output)
    );
}

/// `kernelc prone --ranks N`: every rank reads one byte range of the edge list; the
/// embedding file is the same for any number of ranks.
#[test]
fn prone_on_any_number_of_ranks_writes_the_same_embedding() {
    let dir = tempfile::tempdir().unwrap();
    let edges = ring_edges(dir.path());
    let mut expected = None;
    for ranks in ["1", "2", "3", "4"] {
        let out = dir.path().join(format!("emb{ranks}.npy"));
        let args = [
            "prone",
            arg(&edges),
            "--dim",
            "8",
            "--ranks",
            ranks,
            "--out",
            arg(&out),
        ];
        let output = kernelc(&args, &[]);
        assert!(output.status.success(), "{ranks}: {}", stderr(&output));
        let bytes = std::fs::read(&out).unwrap();
        assert!(
            expected.get_or_insert_with(|| bytes.clone()) == &bytes,
            "{ranks} ranks wrote another embedding"
        );
    }
}
