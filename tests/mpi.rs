//! The `kernelc` command under `mpirun` (feature `mpi`), through the MPI test helper this
//! crate shares with `kernelc-apps`. Passes, saying so, where `mpirun` is not installed.

#![cfg(feature = "mpi")]

#[path = "../kernelc-apps/tests/common/mpirun.rs"]
mod mpirun;

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

/// A 2,500-node graph (three blocks of rows) as a compressed `.npz`.
fn graph_file(dir: &Path) -> std::path::PathBuf {
    use kernel_npy::{write_sparse_npz, SparseMatrix};
    use kernelc_apps::svd::{random_graph, GraphSpec, Ops};
    let ops = Ops::new(kernel_runtime::Backend::Native).unwrap();
    let spec = GraphSpec {
        nodes: 2500,
        edges: 9000,
        seed: 4,
    };
    let path = dir.join("graph.npz");
    write_sparse_npz(
        &path,
        &SparseMatrix::from(&random_graph(&ops, spec).unwrap()),
        true,
    )
    .unwrap();
    path
}

fn outputs(dir: &Path) -> Vec<Vec<u8>> {
    ["U.npy", "S.npy", "Vt.npy"]
        .iter()
        .map(|name| std::fs::read(dir.join(name)).unwrap())
        .collect()
}

fn text(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// `mpirun -np 1…4 kernelc svd` writes the same bytes as the single-process CholeskyQR2 run.
#[test]
fn kernelc_svd_on_one_to_four_ranks_writes_the_same_files() {
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let dir = tempfile::tempdir().unwrap();
    let input = graph_file(dir.path());
    let single = dir.path().join("single");
    let status = std::process::Command::new(program)
        .args([
            "svd",
            text(&input),
            "--k",
            "6",
            "--n-iter",
            "3",
            "--normalizer",
            "cholqr2",
        ])
        .args(["--out", text(&single)])
        .env_remove("OMPI_COMM_WORLD_SIZE")
        .status()
        .unwrap();
    assert!(status.success());
    for np in 1..=4 {
        let out = dir.path().join(format!("np{np}"));
        let args = [
            "svd",
            text(&input),
            "--k",
            "6",
            "--n-iter",
            "3",
            "--out",
            text(&out),
        ];
        let Some(run) = mpirun::run(np, program, &args) else {
            return;
        };
        assert!(run.status.success(), "{}", run.describe());
        assert!(outputs(&out) == outputs(&single), "np {np}: other bytes");
    }
}

/// A column index out of range in the last rows: rank 2 of 3 fails to read its block;
/// every rank stops with status 2 and the job ends promptly with the message.
#[test]
fn bad_input_on_one_rank_ends_the_job_with_its_message() {
    use kernel_npy::{write_sparse_npz, SparseFormat, SparseMatrix};
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let dir = tempfile::tempdir().unwrap();
    let rows = 2100;
    let indices: Vec<usize> = (0..rows)
        .map(|i| if i == rows - 1 { 5000 } else { (i * 7) % rows })
        .collect();
    let matrix = SparseMatrix {
        format: SparseFormat::Csr,
        shape: (rows, rows),
        data: vec![1.0; rows],
        indptr: (0..=rows).collect(),
        indices,
    };
    let input = dir.path().join("bad.npz");
    write_sparse_npz(&input, &matrix, false).unwrap();
    let out = dir.path().join("out");
    let args = ["svd", text(&input), "--k", "4", "--out", text(&out)];
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
    let input = graph_file(dir.path());
    let out = dir.path().join("out");
    let args = [
        "svd",
        text(&input),
        "--k",
        "6",
        "--backend",
        "interp",
        "--timeout",
        "0.5",
        "--out",
        text(&out),
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
    let edges = dir.path().join("graph.edges");
    let mut lines = String::new();
    for i in 0..2200 {
        lines.push_str(&format!(
            "{i} {}\n{i} {}\n",
            (i + 1) % 2200,
            (i * 37 + 11) % 2200
        ));
    }
    std::fs::write(&edges, lines).unwrap();
    let mut expected: Option<Vec<u8>> = None;
    for np in 1..=3 {
        let out = dir.path().join(format!("emb{np}.npy"));
        let args = ["prone", text(&edges), "--dim", "8", "--out", text(&out)];
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
