//! Row blocks of scipy CSR `.npz` files: every row range of small matrices read alone agrees
//! with the whole matrix read by `read_sparse_npz`, for stored and deflated archives and every
//! index dtype scipy writes; bad ranges, csc files and hostile members are typed errors.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use kernel_npy::{
    read_sparse_npz, read_sparse_npz_indptr, read_sparse_npz_rows, write_sparse_npz, write_to,
    FormatError, NpyArray, NpyData, NpzError, SparseFormat, SparseMatrix, SparseRows,
};

/// SplitMix64, so the matrices are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random CSR matrix with empty rows, full rows and everything between.
fn random_csr(rows: usize, cols: usize, seed: u64) -> SparseMatrix {
    let mut rng = Rng(seed);
    let mut indptr = vec![0];
    let (mut indices, mut data) = (Vec::new(), Vec::new());
    for _ in 0..rows {
        let count = rng.below(cols + 1);
        let mut columns: Vec<usize> = (0..cols).filter(|_| rng.below(cols + 1) < count).collect();
        columns.sort_unstable();
        for column in columns {
            indices.push(column);
            data.push(rng.next() as f64 / u64::MAX as f64 - 0.5);
        }
        indptr.push(indices.len());
    }
    SparseMatrix {
        format: SparseFormat::Csr,
        shape: (rows, cols),
        indptr,
        indices,
        data,
    }
}

/// What rows `rows` of `whole` must read as.
fn expected_rows(whole: &SparseMatrix, rows: Range<usize>) -> SparseRows {
    let (lo, hi) = (whole.indptr[rows.start], whole.indptr[rows.end]);
    SparseRows {
        shape: whole.shape,
        indptr: whole.indptr[rows.start..=rows.end]
            .iter()
            .map(|p| p - lo)
            .collect(),
        indices: whole.indices[lo..hi].to_vec(),
        data: whole.data[lo..hi].to_vec(),
        rows,
    }
}

/// The bytes numpy writes for `np.save(f, np.array(b'csr'))`.
fn format_npy(format: &str) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '|S{}', 'fortran_order': False, 'shape': (), }}",
        format.len()
    )
    .into_bytes();
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header);
    bytes.extend(format.as_bytes());
    bytes
}

fn npy(data: NpyData) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_to(&mut bytes, &NpyArray::c_order(data)).unwrap();
    bytes
}

/// An archive of the given members (raw `.npy` bytes), stored or deflated.
fn write_zip(path: &Path, members: &[(&str, Vec<u8>)], compressed: bool) {
    let method = if compressed {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in members {
        zip.start_file(format!("{name}.npy"), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// The index dtypes scipy writes (int32 for small matrices, int64 for large ones).
#[derive(Clone, Copy, Debug)]
enum IndexDtype {
    I32,
    I64,
}

fn index_npy(values: &[usize], dtype: IndexDtype) -> Vec<u8> {
    let values = values.iter().map(|&v| v as i64);
    npy(match dtype {
        IndexDtype::I32 => {
            NpyData::I32(ndarray::Array1::from_iter(values.map(|v| v as i32)).into_dyn())
        }
        IndexDtype::I64 => NpyData::I64(ndarray::Array1::from_iter(values).into_dyn()),
    })
}

fn f64_npy(values: &[f64]) -> Vec<u8> {
    npy(NpyData::F64(
        ndarray::Array1::from(values.to_vec()).into_dyn(),
    ))
}

/// `matrix` written member by member with `dtype` indices, as scipy would.
fn write_by_hand(path: &Path, matrix: &SparseMatrix, dtype: IndexDtype, compressed: bool) {
    let (rows, cols) = matrix.shape;
    write_zip(
        path,
        &[
            ("indices", index_npy(&matrix.indices, dtype)),
            ("indptr", index_npy(&matrix.indptr, dtype)),
            ("format", format_npy(matrix.format.name())),
            ("shape", index_npy(&[rows, cols], IndexDtype::I64)),
            ("data", f64_npy(&matrix.data)),
        ],
        compressed,
    );
}

/// Every way of writing `matrix`: `write_sparse_npz` and by hand with each index dtype, each
/// stored and deflated.
fn every_encoding(dir: &Path, name: &str, matrix: &SparseMatrix) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for compressed in [false, true] {
        let path = dir.join(format!("{name}_written_{compressed}.npz"));
        write_sparse_npz(&path, matrix, compressed).unwrap();
        paths.push(path);
        for dtype in [IndexDtype::I32, IndexDtype::I64] {
            let path = dir.join(format!("{name}_{dtype:?}_{compressed}.npz"));
            write_by_hand(&path, matrix, dtype, compressed);
            paths.push(path);
        }
    }
    paths
}

#[test]
fn every_row_range_agrees_with_the_whole_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = [(0, 3), (1, 1), (3, 4), (6, 5), (11, 9)];
    for (seed, &(rows, cols)) in shapes.iter().enumerate() {
        let matrix = random_csr(rows, cols, seed as u64);
        for path in every_encoding(dir.path(), &format!("m{seed}"), &matrix) {
            let whole = read_sparse_npz(&path).unwrap();
            assert_eq!(whole, matrix);
            for start in 0..=rows {
                for end in start..=rows {
                    let block = read_sparse_npz_rows(&path, start..end).unwrap();
                    assert_eq!(
                        block,
                        expected_rows(&whole, start..end),
                        "{path:?} {start}..{end}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_block_becomes_a_matrix_of_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.npz");
    let matrix = random_csr(8, 6, 3);
    write_sparse_npz(&path, &matrix, true).unwrap();
    let block = read_sparse_npz_rows(&path, 2..5).unwrap();
    let nnz = matrix.indptr[5] - matrix.indptr[2];
    assert_eq!(block.nnz(), nnz);
    let sub = block.into_matrix();
    assert_eq!(sub.format, SparseFormat::Csr);
    assert_eq!(sub.shape, (3, 6));
    assert_eq!(sub.indptr.len(), 4);
    assert_eq!(sub.indptr[3], nnz);
    assert_eq!(
        sub.indices,
        matrix.indices[matrix.indptr[2]..matrix.indptr[5]]
    );
}

#[test]
fn an_empty_range_reads_no_entries() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = random_csr(5, 5, 9);
    for path in every_encoding(dir.path(), "m", &matrix) {
        for row in 0..=5 {
            let block = read_sparse_npz_rows(&path, row..row).unwrap();
            assert_eq!(block.indptr, vec![0]);
            assert!(block.indices.is_empty() && block.data.is_empty());
            assert_eq!(block.into_matrix().shape, (0, 5));
        }
    }
}

#[test]
fn ranges_outside_the_matrix_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.npz");
    write_sparse_npz(&path, &random_csr(4, 3, 1), false).unwrap();
    #[allow(clippy::reversed_empty_ranges)]
    for range in [0..5, 4..5, 5..5, 3..2, usize::MAX..usize::MAX] {
        let error = read_sparse_npz_rows(&path, range.clone()).unwrap_err();
        assert!(
            matches!(error, NpzError::RowsOutOfRange { rows: 4, start, end, .. }
                if start == range.start && end == range.end),
            "{range:?}: {error}"
        );
        assert!(error.to_string().contains("4 rows"), "{error}");
    }
}

#[test]
fn the_header_is_format_shape_and_indptr() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = random_csr(7, 4, 5);
    for path in every_encoding(dir.path(), "m", &matrix) {
        let header = read_sparse_npz_indptr(&path).unwrap();
        assert_eq!(header.format, SparseFormat::Csr);
        assert_eq!(header.shape, matrix.shape);
        assert_eq!(header.indptr, matrix.indptr);
        assert_eq!(header.nnz(), matrix.data.len());
    }
}

#[test]
fn csc_has_a_header_but_no_row_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("csc.npz");
    // A 3×5 csc matrix: indptr has one entry per column plus one.
    let csc = SparseMatrix {
        format: SparseFormat::Csc,
        shape: (3, 5),
        ..random_csr(5, 3, 2)
    };
    write_sparse_npz(&path, &csc, true).unwrap();
    let header = read_sparse_npz_indptr(&path).unwrap();
    assert_eq!((header.format, header.shape), (SparseFormat::Csc, (3, 5)));
    assert_eq!(header.indptr, csc.indptr);
    let error = read_sparse_npz_rows(&path, 0..1).unwrap_err();
    assert!(matches!(error, NpzError::CscByRows { .. }), "{error}");
    assert!(error.to_string().contains(".tocsr()"), "{error}");
}

/// A 3×4 csr archive with the given members replacing the good ones.
fn archive_with(path: &Path, replaced: &[(&str, Vec<u8>)], compressed: bool) {
    let good = SparseMatrix {
        format: SparseFormat::Csr,
        shape: (3, 4),
        indptr: vec![0, 2, 2, 5],
        indices: vec![1, 3, 0, 1, 2],
        data: vec![1.0, 2.0, 3.0, 4.0, 5.0],
    };
    let mut members = vec![
        ("indices", index_npy(&good.indices, IndexDtype::I32)),
        ("indptr", index_npy(&good.indptr, IndexDtype::I32)),
        ("format", format_npy("csr")),
        ("shape", index_npy(&[3, 4], IndexDtype::I64)),
        ("data", f64_npy(&good.data)),
    ];
    for (name, bytes) in replaced {
        members.retain(|(member, _)| member != name);
        members.push((name, bytes.clone()));
    }
    write_zip(path, &members, compressed);
}

fn i64_npy(values: &[i64]) -> Vec<u8> {
    npy(NpyData::I64(
        ndarray::Array1::from(values.to_vec()).into_dyn(),
    ))
}

/// The errors of rows 0..3 (and of the header) of archives with one bad member.
#[test]
fn inconsistent_members_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.npz");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "indptr",
            i64_npy(&[0, 3, 2, 5]),
            "decreases at entry 2: 3 then 2",
        ),
        ("indptr", i64_npy(&[1, 2, 2, 5]), "starts at 1, not 0"),
        ("indptr", i64_npy(&[0, 2, 5]), "indptr has 3 entries"),
        (
            "indptr",
            i64_npy(&[0, 2, 2, 6]),
            "indptr reaches entry 6, but member `indices` holds only 5",
        ),
        (
            "indptr",
            i64_npy(&[0, -2, 2, 5]),
            "a negative entry at element 1",
        ),
        ("indptr", f64_npy(&[0.0, 2.0, 2.0, 5.0]), "dtype <f8"),
        (
            "indices",
            i64_npy(&[1, 3, 0, 4, 2]),
            "column index 4 at entry 3",
        ),
        (
            "indices",
            i64_npy(&[1, 3, 0, -1, 2]),
            "a negative entry at element 3",
        ),
        (
            "data",
            f64_npy(&[1.0, 2.0, 3.0, 4.0]),
            "member `data` holds only 4",
        ),
        ("format", format_npy("coo"), "`coo` is not supported"),
        ("shape", i64_npy(&[3]), "two integers"),
    ];
    for compressed in [false, true] {
        for (member, bytes, message) in &cases {
            archive_with(&path, &[(member, bytes.clone())], compressed);
            let error = read_sparse_npz_rows(&path, 0..3).unwrap_err();
            assert!(error.to_string().contains(message), "{member}: {error}");
        }
    }
}

#[test]
fn the_header_checks_indptr_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.npz");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (i64_npy(&[0, 3, 2, 5]), "decreases at entry 2"),
        (i64_npy(&[1, 2, 2, 5]), "starts at 1"),
        (
            i64_npy(&[0, 2, 2, 5, 5]),
            "indptr has 5 entries; a csr matrix of shape (3, 4) needs 4",
        ),
    ];
    for (bytes, message) in cases {
        archive_with(&path, &[("indptr", bytes)], true);
        let error = read_sparse_npz_indptr(&path).unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }
    // indices and data are not opened, so their faults do not stop the header.
    archive_with(&path, &[("data", f64_npy(&[1.0]))], true);
    assert_eq!(
        read_sparse_npz_indptr(&path).unwrap().indptr,
        vec![0, 2, 2, 5]
    );
}

#[test]
fn only_the_blocks_entries_are_decoded() {
    // A negative index in row 0 is an error only for blocks that hold row 0: the rows after it
    // are read without decoding (stored: seeking past; deflated: discarding) the entries before.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.npz");
    for compressed in [false, true] {
        archive_with(
            &path,
            &[("indices", i64_npy(&[-1, 3, 0, 1, 2]))],
            compressed,
        );
        assert!(read_sparse_npz_rows(&path, 0..1).is_err());
        let block = read_sparse_npz_rows(&path, 1..3).unwrap();
        assert_eq!(block.indices, vec![0, 1, 2]);
        assert_eq!(block.indptr, vec![0, 0, 3]);
    }
}

#[test]
fn other_data_dtypes_are_converted_as_read_sparse_npz_converts_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.npz");
    let members = [
        NpyData::F32(ndarray::Array1::from(vec![1.5f32, -2.0, 0.1, 4.0, 5.0]).into_dyn()),
        NpyData::I32(ndarray::Array1::from(vec![1, -2, 3, 4, 5]).into_dyn()),
        NpyData::U8(ndarray::Array1::from(vec![1u8, 2, 3, 4, 255]).into_dyn()),
        NpyData::Bool(ndarray::Array1::from(vec![true, false, true, true, false]).into_dyn()),
    ];
    for data in members {
        archive_with(&path, &[("data", npy(data))], true);
        let whole = read_sparse_npz(&path).unwrap();
        for range in [0..3, 1..3, 2..3] {
            let block = read_sparse_npz_rows(&path, range.clone()).unwrap();
            assert_eq!(block, expected_rows(&whole, range));
        }
    }
}

#[test]
fn truncated_members_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.npz");
    // `indices` declares 5 int64 entries but holds 3; `data` ends inside its header.
    let mut short_indices = i64_npy(&[1, 3, 0, 1, 2]);
    short_indices.truncate(short_indices.len() - 16);
    let mut short_data = f64_npy(&[1.0; 5]);
    short_data.truncate(40);
    for compressed in [false, true] {
        archive_with(&path, &[("indices", short_indices.clone())], compressed);
        let error = read_sparse_npz_rows(&path, 2..3).unwrap_err();
        assert!(
            matches!(
                error,
                NpzError::Npy {
                    member: "indices",
                    source: FormatError::DataLength {
                        expected: 40,
                        actual: 24,
                        ..
                    },
                    ..
                }
            ),
            "{error}"
        );
        archive_with(&path, &[("data", short_data.clone())], compressed);
        let error = read_sparse_npz_rows(&path, 0..1).unwrap_err();
        assert!(
            matches!(error, NpzError::Npy { member: "data", .. }),
            "{error}"
        );
    }
}

#[test]
fn damaged_archives_are_errors_never_panics() {
    // Prefixes of an archive, and the archive with a byte overwritten (every few bytes: each
    // case writes a file, the slow part): whatever the damage, reading returns (an error, or
    // for damage the format cannot see, such as a changed value, some values).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.npz");
    let matrix = random_csr(4, 4, 11);
    for compressed in [false, true] {
        write_by_hand(&path, &matrix, IndexDtype::I32, compressed);
        let good = std::fs::read(&path).unwrap();
        let damaged = dir.path().join("damaged.npz");
        for len in (0..good.len()).step_by(7) {
            std::fs::write(&damaged, &good[..len]).unwrap();
            assert!(
                read_sparse_npz_rows(&damaged, 1..3).is_err(),
                "prefix of {len} bytes"
            );
            assert!(
                read_sparse_npz_indptr(&damaged).is_err(),
                "prefix of {len} bytes"
            );
        }
        for position in (0..good.len()).step_by(2) {
            let mut bytes = good.clone();
            bytes[position] ^= 0xA5;
            std::fs::write(&damaged, &bytes).unwrap();
            let _ = read_sparse_npz_rows(&damaged, 1..3);
            let _ = read_sparse_npz_indptr(&damaged);
        }
    }
}
