//! The inputs of the scale-out tests, shared by `tests/cli_scale_out.rs` (ranks as threads)
//! and `tests/mpi.rs` (ranks under mpirun): a graph of three row blocks, a matrix only the
//! last rank cannot read, a ring edge list, and the SVD's output files.

#![allow(dead_code)] // each test file uses the part it needs

use std::path::{Path, PathBuf};

use kernel_npy::{write_sparse_npz, SparseFormat, SparseMatrix};
use kernel_runtime::Backend;
use kernelc_apps::svd::{random_graph, GraphSpec, Ops};

/// A 2,500-node graph as a compressed `.npz`: three blocks of rows, so four ranks leave one
/// empty.
pub fn graph_npz(dir: &Path) -> PathBuf {
    let ops = Ops::new(Backend::Native).unwrap();
    let spec = GraphSpec {
        nodes: 2500,
        edges: 9000,
        seed: 4,
    };
    let path = dir.join("graph.npz");
    let graph = random_graph(&ops, spec).unwrap();
    write_sparse_npz(&path, &SparseMatrix::from(&graph), true).unwrap();
    path
}

/// A 2,100-row matrix whose last row names column 5000: only the rank holding that row
/// (rank 2 of 3) fails to read its block.
pub fn bad_last_row_npz(dir: &Path) -> PathBuf {
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
    let path = dir.join("bad.npz");
    write_sparse_npz(&path, &matrix, false).unwrap();
    path
}

/// An edge list: a ring of 2,200 nodes with chords.
pub fn ring_edges(dir: &Path) -> PathBuf {
    let mut text = String::from("# a ring of 2,200 nodes with chords\n");
    for i in 0..2200 {
        text.push_str(&format!(
            "{i} {}\n{i} {}\n",
            (i + 1) % 2200,
            (i * 37 + 11) % 2200
        ));
    }
    let path = dir.join("graph.edges");
    std::fs::write(&path, text).unwrap();
    path
}

/// The bytes of `U.npy`, `S.npy` and `Vt.npy` in `dir`.
pub fn svd_outputs(dir: &Path) -> Vec<Vec<u8>> {
    ["U.npy", "S.npy", "Vt.npy"]
        .iter()
        .map(|name| std::fs::read(dir.join(name)).unwrap())
        .collect()
}

/// `path` as a command-line argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}
