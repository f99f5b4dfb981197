//! `kernelc svd --ranks N`: the distributed SVD with ranks as threads of one process (the
//! code path `mpirun` takes, without MPI): the same files for any number of ranks and as
//! the single-process CholeskyQR2 run, the input checked on every rank, a timeout, and a
//! clear refusal when an MPI launcher starts a binary built without MPI.

use std::path::Path;
use std::process::{Command, Output};

use kernel_npy::{write_sparse_npz, SparseFormat, SparseMatrix};
use kernel_runtime::Backend;
use kernelc_apps::svd::{random_graph, GraphSpec, Ops};

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

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A 2,500-node graph: three blocks of rows, so four ranks leave one empty.
fn graph_file(dir: &Path) -> std::path::PathBuf {
    let ops = Ops::new(Backend::Native).unwrap();
    let spec = GraphSpec {
        nodes: 2500,
        edges: 9000,
        seed: 4,
    };
    let a = random_graph(&ops, spec).unwrap();
    let path = dir.join("graph.npz");
    write_sparse_npz(&path, &SparseMatrix::from(&a), true).unwrap();
    path
}

fn outputs(dir: &Path) -> Vec<Vec<u8>> {
    ["U.npy", "S.npy", "Vt.npy"]
        .iter()
        .map(|name| std::fs::read(dir.join(name)).unwrap())
        .collect()
}

fn svd_args<'a>(input: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["svd", input, "--k", "6", "--n-iter", "3", "--out", out];
    args.extend(extra);
    args
}

#[test]
fn any_number_of_ranks_writes_the_single_process_cholqr2_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = graph_file(dir.path());
    let single = dir.path().join("single");
    let output = kernelc(
        &svd_args(
            path_str(&input),
            path_str(&single),
            &["--normalizer", "cholqr2"],
        ),
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = outputs(&single);
    for ranks in ["1", "2", "3", "4"] {
        let out = dir.path().join(format!("ranks{ranks}"));
        let output = kernelc(
            &svd_args(
                path_str(&input),
                path_str(&out),
                &["--ranks", ranks, "--traffic"],
            ),
            &[],
        );
        assert!(output.status.success(), "{ranks}: {}", stderr(&output));
        assert!(outputs(&out) == expected, "{ranks} ranks wrote other bytes");
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
    let input = graph_file(dir.path());
    let out = dir.path().join("out");
    let output = kernelc(
        &svd_args(
            path_str(&input),
            path_str(&out),
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
    let output = kernelc(
        &svd_args(path_str(&input), path_str(&out), &["--ranks", "0"]),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--ranks must be at least 1"));
}

/// A column index out of range in the last row: only the rank holding that row sees it,
/// and every rank stops with its message.
#[test]
fn bad_input_on_one_rank_stops_every_rank_with_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 2100;
    let mut indptr = vec![0];
    let mut indices = Vec::new();
    for i in 0..rows {
        indices.push(if i == rows - 1 { 5000 } else { (i * 7) % rows });
        indptr.push(indices.len());
    }
    let matrix = SparseMatrix {
        format: SparseFormat::Csr,
        shape: (rows, rows),
        data: vec![1.0; indices.len()],
        indptr,
        indices,
    };
    let input = dir.path().join("bad.npz");
    write_sparse_npz(&input, &matrix, false).unwrap();
    let out = dir.path().join("out");
    let output = kernelc(
        &svd_args(path_str(&input), path_str(&out), &["--ranks", "3"]),
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("rank 2 of 3"), "{text}");
    assert!(text.contains("5000"), "{text}");
}

#[test]
fn timeout_stops_the_run_with_status_3() {
    let dir = tempfile::tempdir().unwrap();
    let input = graph_file(dir.path());
    let out = dir.path().join("out");
    // The interpreter takes far longer than a millisecond on 2,500 rows.
    let output = kernelc(
        &svd_args(
            path_str(&input),
            path_str(&out),
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
    let input = graph_file(dir.path());
    let out = dir.path().join("out");
    let output = kernelc(
        &svd_args(path_str(&input), path_str(&out), &[]),
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
    let edges = dir.path().join("graph.edges");
    let mut text = String::from("# a ring of 2,200 nodes with chords\n");
    for i in 0..2200 {
        text.push_str(&format!(
            "{i} {}\n{i} {}\n",
            (i + 1) % 2200,
            (i * 37 + 11) % 2200
        ));
    }
    std::fs::write(&edges, text).unwrap();
    let mut expected = None;
    for ranks in ["1", "2", "3", "4"] {
        let out = dir.path().join(format!("emb{ranks}.npy"));
        let args = [
            "prone",
            path_str(&edges),
            "--dim",
            "8",
            "--ranks",
            ranks,
            "--out",
            path_str(&out),
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
