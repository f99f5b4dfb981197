//! scipy sparse `.npz` files: what [`write_sparse_npz`] writes, [`read_sparse_npz`] reads back
//! unchanged, in either format and with or without compression. Hostile archives are tested
//! end to end through `kernelc svd` (the root package's `tests/cli_svd.rs`, `cli_hostile.rs`).

use kernel_npy::{read_sparse_npz, write_sparse_npz, NpzError, SparseFormat, SparseMatrix};

fn matrix(format: SparseFormat) -> SparseMatrix {
    SparseMatrix {
        format,
        shape: (3, 4),
        indptr: vec![0, 2, 2, 5],
        indices: vec![1, 3, 0, 1, 2],
        data: vec![1.5, -2.0, 0.25, 1e300, f64::MIN_POSITIVE],
    }
}

#[test]
fn written_matrices_read_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    for format in [SparseFormat::Csr, SparseFormat::Csc] {
        for compressed in [false, true] {
            let path = dir
                .path()
                .join(format!("{}_{compressed}.npz", format.name()));
            let written = matrix(format);
            write_sparse_npz(&path, &written, compressed).unwrap();
            assert_eq!(
                read_sparse_npz(&path).unwrap(),
                written,
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn arrays_are_not_checked_against_each_other() {
    // Consistency is the consumer's matrix type's business: a decreasing indptr loads.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inconsistent.npz");
    let written = SparseMatrix {
        indptr: vec![0, 3, 1, 5],
        ..matrix(SparseFormat::Csr)
    };
    write_sparse_npz(&path, &written, true).unwrap();
    assert_eq!(read_sparse_npz(&path).unwrap(), written);
}

#[test]
fn a_missing_member_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file("data.npy", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.finish().unwrap();
    let error = read_sparse_npz(&path).unwrap_err();
    assert!(
        matches!(
            error,
            NpzError::MissingMember {
                member: "format",
                ..
            }
        ),
        "{error}"
    );
}
