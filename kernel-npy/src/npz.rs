//! scipy's sparse `.npz` files (`scipy.sparse.save_npz`): a zip archive (stored or deflated)
//! of `.npy` members `data`, `indices`, `indptr`, `shape` and `format` (`b'csr'` or
//! `b'csc'`), read into and written from a [`SparseMatrix`].
//!
//! A [`SparseMatrix`] holds the arrays as the file stores them; whether they form a
//! consistent matrix (`indptr` non-decreasing and ending at the number of entries, indices in
//! range) is for the matrix type of whoever uses them to check, once, when converting.
//!
//! **Invariant:** hostile input is an [`NpzError`], never a panic and never an allocation much
//! larger than the file: each member's declared size is capped (and a deflated member may not
//! claim more than deflate's maximal expansion of its compressed size) before it is read,
//! and the `.npy` reader checks shapes against that size before allocating elements.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use ndarray::ArrayD;

use crate::{read_from, write_to, FormatError, NpyArray, NpyData};

/// No member may decompress to more than this many bytes.
pub const MAX_MEMBER_BYTES: u64 = 8 << 30;

/// The largest number of rows or columns accepted: a shape is not backed by data the way
/// `indptr` is, and converting a CSC matrix allocates one entry per row.
pub const MAX_DIMENSION: usize = 1 << 26;

/// Deflate cannot expand data by more than about 1032:1; allow that plus a small slack.
const MAX_EXPANSION: u64 = 1100;

/// Which axis a compressed sparse matrix compresses: scipy's `format` member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SparseFormat {
    /// Compressed sparse rows: `indptr` has one entry per row plus one, `indices` are columns.
    Csr,
    /// Compressed sparse columns: `indptr` has one entry per column plus one, `indices` are
    /// rows (the CSR arrays of the transpose).
    Csc,
}

impl SparseFormat {
    /// The name scipy stores in `format.npy`.
    pub fn name(self) -> &'static str {
        match self {
            SparseFormat::Csr => "csr",
            SparseFormat::Csc => "csc",
        }
    }
}

/// A compressed sparse matrix of `f64` as scipy stores it: for [`SparseFormat::Csr`], row `i`
/// holds `data[p]` at column `indices[p]` for `p in indptr[i]..indptr[i+1]`; for
/// [`SparseFormat::Csc`], the same with rows and columns exchanged. The arrays are not checked
/// against each other or against `shape`.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseMatrix {
    pub format: SparseFormat,
    /// `(rows, cols)`.
    pub shape: (usize, usize),
    pub indptr: Vec<usize>,
    pub indices: Vec<usize>,
    pub data: Vec<f64>,
}

/// Why a file is not a sparse matrix this module can load (or could not be written).
#[derive(Debug, thiserror::Error)]
pub enum NpzError {
    #[error("cannot open `{path}`: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` is not a readable .npz (zip) archive: {source}")]
    Zip {
        path: PathBuf,
        source: zip::result::ZipError,
    },
    #[error("`{path}` has no `{member}` array: not a scipy sparse matrix (save it with scipy.sparse.save_npz)")]
    MissingMember { path: PathBuf, member: &'static str },
    #[error("`{path}`: member `{member}` declares {size} bytes, more than allowed ({limit})")]
    MemberTooLarge {
        path: PathBuf,
        member: &'static str,
        size: u64,
        limit: u64,
    },
    #[error("`{path}`: member `{member}` cannot be read: {source}")]
    MemberRead {
        path: PathBuf,
        member: &'static str,
        source: std::io::Error,
    },
    #[error("`{path}`: member `{member}`: {source}")]
    Npy {
        path: PathBuf,
        member: &'static str,
        source: FormatError,
    },
    #[error("`{path}`: member `{member}` must be {expected}, but it holds {actual}")]
    BadMember {
        path: PathBuf,
        member: &'static str,
        expected: &'static str,
        actual: String,
    },
    #[error("`{path}`: sparse format `{format}` is not supported (only csr and csc; convert with .tocsr())")]
    UnsupportedFormat { path: PathBuf, format: String },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` holds a csc matrix, which cannot be read by row ranges: save it as csr (`scipy.sparse.save_npz(path, matrix.tocsr())`)")]
    CscByRows { path: PathBuf },
    #[error("`{path}`: rows {start}..{end} are not a range within the matrix's {rows} rows")]
    RowsOutOfRange {
        path: PathBuf,
        start: usize,
        end: usize,
        rows: usize,
    },
    #[error("`{path}`: indptr has {actual} entries; a {format} matrix of shape {shape:?} needs {expected}")]
    IndptrLength {
        path: PathBuf,
        format: &'static str,
        shape: (usize, usize),
        expected: usize,
        actual: usize,
    },
    #[error("`{path}`: indptr starts at {start}, not 0")]
    IndptrStart { path: PathBuf, start: usize },
    #[error("`{path}`: indptr decreases at entry {position}: {from} then {to}")]
    IndptrDecreasing {
        path: PathBuf,
        position: usize,
        from: usize,
        to: usize,
    },
    #[error(
        "`{path}`: indptr reaches entry {end}, but member `{member}` holds only {len} entries"
    )]
    IndptrPastMember {
        path: PathBuf,
        member: &'static str,
        end: usize,
        len: usize,
    },
    #[error("`{path}`: column index {index} at entry {entry} is out of range for {cols} columns")]
    ColumnOutOfRange {
        path: PathBuf,
        entry: usize,
        index: usize,
        cols: usize,
    },
}

/// Reads a scipy CSR or CSC `.npz` file.
pub fn read_sparse_npz(path: &Path) -> Result<SparseMatrix, NpzError> {
    let mut archive = open_archive(path)?;
    let mut reader = MemberReader::new(path, &mut archive);
    Ok(SparseMatrix {
        format: reader.sparse_format()?,
        shape: reader.shape()?,
        indptr: reader.index_array("indptr")?,
        indices: reader.index_array("indices")?,
        data: reader.data()?,
    })
}

/// Opens `path` as a zip archive.
pub(crate) fn open_archive(path: &Path) -> Result<zip::ZipArchive<File>, NpzError> {
    let file = File::open(path).map_err(|source| NpzError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    zip::ZipArchive::new(file).map_err(|source| NpzError::Zip {
        path: path.to_path_buf(),
        source,
    })
}

/// Refuses a member whose declared size is past [`MAX_MEMBER_BYTES`] or past what its
/// compressed size can expand to, before anything of that size is allocated or read.
pub(crate) fn check_member_size(
    path: &Path,
    member: &'static str,
    size: u64,
    compressed_size: u64,
) -> Result<(), NpzError> {
    let limit = MAX_MEMBER_BYTES.min(
        compressed_size
            .saturating_mul(MAX_EXPANSION)
            .saturating_add(1 << 16),
    );
    if size > limit {
        return Err(NpzError::MemberTooLarge {
            path: path.to_path_buf(),
            member,
            size,
            limit,
        });
    }
    Ok(())
}

/// Reads whole members of an open archive (the small ones, or every one for
/// [`read_sparse_npz`]).
pub(crate) struct MemberReader<'a> {
    path: &'a Path,
    archive: &'a mut zip::ZipArchive<File>,
}

impl<'a> MemberReader<'a> {
    pub(crate) fn new(path: &'a Path, archive: &'a mut zip::ZipArchive<File>) -> Self {
        MemberReader { path, archive }
    }

    /// The raw bytes of `NAME.npy`, size-checked before reading.
    fn bytes(&mut self, member: &'static str) -> Result<Vec<u8>, NpzError> {
        let path = self.path.to_path_buf();
        let mut entry = match self.archive.by_name(&format!("{member}.npy")) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(NpzError::MissingMember { path, member })
            }
            Err(source) => return Err(NpzError::Zip { path, source }),
        };
        let size = entry.size();
        check_member_size(self.path, member, size, entry.compressed_size())?;
        let mut bytes = Vec::with_capacity(size as usize);
        entry
            .by_ref()
            .take(size)
            .read_to_end(&mut bytes)
            .map_err(|source| NpzError::MemberRead {
                path: path.clone(),
                member,
                source,
            })?;
        Ok(bytes)
    }

    fn npy(&mut self, member: &'static str) -> Result<NpyArray, NpzError> {
        let bytes = self.bytes(member)?;
        let len = bytes.len() as u64;
        read_from(Cursor::new(bytes), len).map_err(|source| NpzError::Npy {
            path: self.path.to_path_buf(),
            member,
            source,
        })
    }

    fn bad(&self, member: &'static str, expected: &'static str, actual: String) -> NpzError {
        NpzError::BadMember {
            path: self.path.to_path_buf(),
            member,
            expected,
            actual,
        }
    }

    /// `format.npy`: a 0-d bytes (`|S3`) or str (`<U3`) array, which the numeric `.npy`
    /// reader does not take, so its few bytes are decoded here.
    fn format(&mut self) -> Result<String, NpzError> {
        let bytes = self.bytes("format")?;
        decode_format(&bytes).ok_or_else(|| {
            self.bad(
                "format",
                "a short string array (b'csr' or b'csc')",
                format!("{} bytes that are not one", bytes.len()),
            )
        })
    }

    /// `format.npy` as a [`SparseFormat`].
    pub(crate) fn sparse_format(&mut self) -> Result<SparseFormat, NpzError> {
        let name = self.format()?;
        match name.as_str() {
            "csr" => Ok(SparseFormat::Csr),
            "csc" => Ok(SparseFormat::Csc),
            _ => Err(NpzError::UnsupportedFormat {
                path: self.path.to_path_buf(),
                format: name,
            }),
        }
    }

    /// `shape.npy`: two non-negative integers.
    pub(crate) fn shape(&mut self) -> Result<(usize, usize), NpzError> {
        let values = self.index_array("shape")?;
        match values[..] {
            [rows, cols] if rows.max(cols) > MAX_DIMENSION => Err(self.bad(
                "shape",
                "at most 67108864 rows and columns",
                format!("({rows}, {cols})"),
            )),
            [rows, cols] => Ok((rows, cols)),
            _ => Err(self.bad("shape", "two integers", format!("{} values", values.len()))),
        }
    }

    /// A 1-d integer array as `usize` (negative entries are an error).
    fn index_array(&mut self, member: &'static str) -> Result<Vec<usize>, NpzError> {
        let array = self.npy(member)?;
        let expected = "a 1-d integer array with no negative entries";
        if array.ndim() != 1 {
            let actual = format!("shape {:?}", array.shape());
            return Err(self.bad(member, expected, actual));
        }
        let converted: Option<Vec<usize>> = match &array.data {
            NpyData::I8(a) => a.iter().map(|&v| usize::try_from(v).ok()).collect(),
            NpyData::I16(a) => a.iter().map(|&v| usize::try_from(v).ok()).collect(),
            NpyData::U8(a) => a.iter().map(|&v| Some(usize::from(v))).collect(),
            NpyData::U16(a) => a.iter().map(|&v| Some(usize::from(v))).collect(),
            NpyData::I32(a) => a.iter().map(|&v| usize::try_from(v).ok()).collect(),
            NpyData::I64(a) => a.iter().map(|&v| usize::try_from(v).ok()).collect(),
            NpyData::U32(a) => a.iter().map(|&v| usize::try_from(v).ok()).collect(),
            NpyData::U64(a) => a.iter().map(|&v| usize::try_from(v).ok()).collect(),
            other => {
                let actual = format!("dtype {}", other.dtype());
                return Err(self.bad(member, expected, actual));
            }
        };
        converted.ok_or_else(|| self.bad(member, expected, "a negative entry".to_string()))
    }

    /// `data.npy` as `f64` (float32, integer and bool data are converted exactly).
    fn data(&mut self) -> Result<Vec<f64>, NpzError> {
        let array = self.npy("data")?;
        if array.ndim() != 1 {
            let actual = format!("shape {:?}", array.shape());
            return Err(self.bad("data", "a 1-d array", actual));
        }
        Ok(match &array.data {
            NpyData::F64(a) => a.iter().copied().collect(),
            NpyData::F32(a) => a.iter().map(|&v| f64::from(v)).collect(),
            NpyData::I8(a) => a.iter().map(|&v| f64::from(v)).collect(),
            NpyData::I16(a) => a.iter().map(|&v| f64::from(v)).collect(),
            NpyData::U8(a) => a.iter().map(|&v| f64::from(v)).collect(),
            NpyData::U16(a) => a.iter().map(|&v| f64::from(v)).collect(),
            NpyData::I32(a) => a.iter().map(|&v| f64::from(v)).collect(),
            NpyData::U32(a) => a.iter().map(|&v| f64::from(v)).collect(),
            NpyData::I64(a) => a.iter().map(|&v| v as f64).collect(),
            NpyData::U64(a) => a.iter().map(|&v| v as f64).collect(),
            NpyData::Bool(a) => a.iter().map(|&v| f64::from(u8::from(v))).collect(),
        })
    }
}

/// Decodes a 0-d `|S<n>` or `<U<n>` `.npy` array into its text (NULs trimmed).
fn decode_format(bytes: &[u8]) -> Option<String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" || bytes.len() > 4096 {
        return None;
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => return None,
    };
    let header = std::str::from_utf8(bytes.get(start..start.checked_add(header_len)?)?).ok()?;
    let payload = &bytes[start + header_len..];
    let text: String = if header.contains("'|S") || header.contains("'S") {
        payload.iter().map(|&b| char::from(b)).collect()
    } else if header.contains("'<U") {
        payload
            .chunks(4)
            .filter_map(|c| c.try_into().ok().map(u32::from_le_bytes))
            .filter_map(char::from_u32)
            .collect()
    } else {
        return None;
    };
    Some(text.trim_end_matches('\0').to_string())
}

/// Writes `matrix` as scipy's `save_npz` does (int64 indices, `|S3` format), deflated when
/// `compressed`. Used to make inputs and by the tests.
pub fn write_sparse_npz(
    path: &Path,
    matrix: &SparseMatrix,
    compressed: bool,
) -> Result<(), NpzError> {
    let write_error = |source: std::io::Error| NpzError::Write {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(write_error)?;
    let mut zip = zip::ZipWriter::new(file);
    let method = if compressed {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let as_i64 = |v: &[usize]| v.iter().map(|&x| x as i64).collect::<Vec<_>>();
    let (rows, cols) = matrix.shape;
    let members: [(&str, NpyData); 4] = [
        ("indices", NpyData::I64(vec_array(as_i64(&matrix.indices)))),
        ("indptr", NpyData::I64(vec_array(as_i64(&matrix.indptr)))),
        (
            "shape",
            NpyData::I64(vec_array(vec![rows as i64, cols as i64])),
        ),
        ("data", NpyData::F64(vec_array(matrix.data.clone()))),
    ];
    let zip_error = |e: zip::result::ZipError| write_error(std::io::Error::other(e));
    for (name, data) in members {
        zip.start_file(format!("{name}.npy"), options)
            .map_err(zip_error)?;
        write_to(&mut zip, &NpyArray::c_order(data)).map_err(write_error)?;
    }
    zip.start_file("format.npy", options).map_err(zip_error)?;
    std::io::Write::write_all(&mut zip, &format_member(matrix.format)).map_err(write_error)?;
    zip.finish().map_err(zip_error)?;
    Ok(())
}

fn vec_array<T>(v: Vec<T>) -> ArrayD<T> {
    ndarray::Array1::from(v).into_dyn()
}

/// numpy's bytes of `np.save(f, np.array(b'csr'))` (or `b'csc'`).
fn format_member(format: SparseFormat) -> Vec<u8> {
    let mut header = String::from("{'descr': '|S3', 'fortran_order': False, 'shape': (), }");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(format.name().as_bytes());
    out
}
