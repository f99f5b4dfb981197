//! Row ranges of scipy CSR `.npz` files, read without loading the whole matrix: under MPI each
//! rank reads its own block of rows.
//!
//! [`read_sparse_npz_indptr`] reads the small members (`format`, `shape`, `indptr`) so a caller
//! can balance row blocks by nonzeros; [`read_sparse_npz_rows`] reads one block. Of `indices`
//! and `data` only the entries `indptr[start]..indptr[end]` are read: a stored member is
//! entered by seeking to the first of them, a deflated one is decompressed from its start with
//! the prefix discarded through a fixed buffer, so memory stays proportional to the block.
//!
//! **Invariant:** hostile input is an [`NpzError`], never a panic, and memory grows only with
//! bytes actually read from the archive (a member's declared length is never trusted for an
//! allocation). Everything the result relies on is checked: the range within the shape, `indptr`
//! non-decreasing and within the lengths of `indices` and `data`, columns within the shape.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use crate::header::Header;
use crate::npz::{check_member_size, open_archive, MemberReader};
use crate::read::read_header;
use crate::{Dtype, Element, NpzError, SparseFormat, SparseMatrix};

/// Elements are decoded through a buffer of this many bytes.
const CHUNK_BYTES: usize = 1 << 16;

/// What a sparse `.npz` says about its shape and rows, without its entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparseHeader {
    pub format: SparseFormat,
    /// `(rows, cols)`.
    pub shape: (usize, usize),
    /// One entry per row (csr) or column (csc) plus one, starting at 0, non-decreasing.
    pub indptr: Vec<usize>,
}

impl SparseHeader {
    /// The number of stored entries `indptr` accounts for.
    pub fn nnz(&self) -> usize {
        self.indptr.last().copied().unwrap_or(0)
    }
}

/// A block of consecutive rows of a CSR matrix: row `rows.start + i` holds `data[p]` at column
/// `indices[p]` for `p in indptr[i]..indptr[i + 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseRows {
    /// The whole matrix's `(rows, cols)`.
    pub shape: (usize, usize),
    /// Which rows of the matrix these are.
    pub rows: Range<usize>,
    /// `rows.len() + 1` entries, starting at 0, non-decreasing, ending at `indices.len()`.
    pub indptr: Vec<usize>,
    /// Column indices, each below `shape.1`.
    pub indices: Vec<usize>,
    pub data: Vec<f64>,
}

impl SparseRows {
    /// The block as a `rows.len() × cols` CSR matrix.
    pub fn into_matrix(self) -> SparseMatrix {
        SparseMatrix {
            format: SparseFormat::Csr,
            shape: (self.rows.len(), self.shape.1),
            indptr: self.indptr,
            indices: self.indices,
            data: self.data,
        }
    }

    /// The number of stored entries in the block.
    pub fn nnz(&self) -> usize {
        self.data.len()
    }
}

/// Reads the `format`, `shape` and `indptr` members of a scipy sparse `.npz` (csr or csc),
/// checking that `indptr` has one entry per compressed row or column plus one, starts at 0 and
/// never decreases. `indices` and `data` are not opened, so `indptr`'s end is not checked
/// against them here ([`read_sparse_npz_rows`] checks what it reads).
pub fn read_sparse_npz_indptr(path: &Path) -> Result<SparseHeader, NpzError> {
    let mut archive = open_archive(path)?;
    let mut reader = MemberReader::new(path, &mut archive);
    let format = reader.sparse_format()?;
    let shape = reader.shape()?;
    let compressed = match format {
        SparseFormat::Csr => shape.0,
        SparseFormat::Csc => shape.1,
    };
    let mut stream = MemberStream::open(&mut archive, path, "indptr", ElementKind::Index)?;
    check_indptr_length(path, &stream, format, shape, compressed + 1)?;
    let indptr = stream.read_indices(0..compressed + 1)?;
    check_indptr(path, &indptr, 0)?;
    Ok(SparseHeader {
        format,
        shape,
        indptr,
    })
}

/// Reads rows `rows` of a scipy CSR `.npz`, touching only the `indptr`, `indices` and `data`
/// entries those rows own. A csc file is refused (its rows are scattered over the whole file).
pub fn read_sparse_npz_rows(path: &Path, rows: Range<usize>) -> Result<SparseRows, NpzError> {
    let mut archive = open_archive(path)?;
    let mut reader = MemberReader::new(path, &mut archive);
    if reader.sparse_format()? == SparseFormat::Csc {
        return Err(NpzError::CscByRows {
            path: path.to_path_buf(),
        });
    }
    let shape = reader.shape()?;
    if rows.start > rows.end || rows.end > shape.0 {
        return Err(NpzError::RowsOutOfRange {
            path: path.to_path_buf(),
            start: rows.start,
            end: rows.end,
            rows: shape.0,
        });
    }
    let mut indptr = read_indptr_block(&mut archive, path, shape, &rows)?;
    let entries = indptr[0]..indptr[indptr.len() - 1];
    let indices = open_entries(&mut archive, path, "indices", &entries, ElementKind::Index)?
        .read_indices(entries.clone())?;
    check_columns(path, &indices, entries.start, shape.1)?;
    let data = open_entries(&mut archive, path, "data", &entries, ElementKind::Value)?
        .read_values(entries.clone())?;
    for pointer in &mut indptr {
        *pointer -= entries.start;
    }
    Ok(SparseRows {
        shape,
        rows,
        indptr,
        indices,
        data,
    })
}

/// `indptr[rows.start..=rows.end]` of a CSR matrix of `shape`, checked to never decrease (and
/// to start at 0 when it is the matrix's first entry).
fn read_indptr_block(
    archive: &mut zip::ZipArchive<File>,
    path: &Path,
    shape: (usize, usize),
    rows: &Range<usize>,
) -> Result<Vec<usize>, NpzError> {
    let mut stream = MemberStream::open(archive, path, "indptr", ElementKind::Index)?;
    check_indptr_length(path, &stream, SparseFormat::Csr, shape, shape.0 + 1)?;
    let indptr = stream.read_indices(rows.start..rows.end + 1)?;
    check_indptr(path, &indptr, rows.start)?;
    Ok(indptr)
}

/// Opens the member `member`, which must hold at least `entries.end` elements.
fn open_entries<'a>(
    archive: &'a mut zip::ZipArchive<File>,
    path: &'a Path,
    member: &'static str,
    entries: &Range<usize>,
    kind: ElementKind,
) -> Result<MemberStream<'a>, NpzError> {
    let stream = MemberStream::open(archive, path, member, kind)?;
    if entries.end > stream.len {
        return Err(NpzError::IndptrPastMember {
            path: path.to_path_buf(),
            member,
            end: entries.end,
            len: stream.len,
        });
    }
    Ok(stream)
}

fn check_indptr_length(
    path: &Path,
    stream: &MemberStream<'_>,
    format: SparseFormat,
    shape: (usize, usize),
    expected: usize,
) -> Result<(), NpzError> {
    if stream.len == expected {
        return Ok(());
    }
    Err(NpzError::IndptrLength {
        path: path.to_path_buf(),
        format: format.name(),
        shape,
        expected,
        actual: stream.len,
    })
}

/// `block` is `indptr[first..first + block.len()]`: it must not decrease, and the matrix's
/// first entry must be 0.
fn check_indptr(path: &Path, block: &[usize], first: usize) -> Result<(), NpzError> {
    if first == 0 && block.first().is_some_and(|&start| start != 0) {
        return Err(NpzError::IndptrStart {
            path: path.to_path_buf(),
            start: block[0],
        });
    }
    match block.windows(2).position(|pair| pair[1] < pair[0]) {
        None => Ok(()),
        Some(offset) => Err(NpzError::IndptrDecreasing {
            path: path.to_path_buf(),
            position: first + offset + 1,
            from: block[offset],
            to: block[offset + 1],
        }),
    }
}

/// Every column index below `cols`; `first` is the file's entry number of `indices[0]`.
fn check_columns(
    path: &Path,
    indices: &[usize],
    first: usize,
    cols: usize,
) -> Result<(), NpzError> {
    match indices.iter().position(|&index| index >= cols) {
        None => Ok(()),
        Some(offset) => Err(NpzError::ColumnOutOfRange {
            path: path.to_path_buf(),
            entry: first + offset,
            index: indices[offset],
            cols,
        }),
    }
}

/// How a member's elements are converted: indices (any integer dtype, no negative entries) to
/// `usize`, values (any dtype `read_sparse_npz` accepts) to `f64` as it converts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ElementKind {
    Index,
    Value,
}

impl ElementKind {
    /// The member's requirement, as error messages state it.
    fn expected(self) -> &'static str {
        match self {
            ElementKind::Index => "a 1-d integer array with no negative entries",
            ElementKind::Value => "a 1-d array",
        }
    }

    fn accepts(self, dtype: Dtype) -> bool {
        match self {
            ElementKind::Index => !matches!(dtype, Dtype::Bool | Dtype::F32 | Dtype::F64),
            ElementKind::Value => true,
        }
    }
}

/// Where a member's bytes come from: a stored member can seek, a deflated one only streams.
enum Source<'a> {
    Stored(zip::read::ZipFileSeek<'a, File>),
    Deflated(zip::read::ZipFile<'a, File>),
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Stored(reader) => reader.read(buf),
            Source::Deflated(reader) => reader.read(buf),
        }
    }
}

/// A 1-d `.npy` member of an archive, opened past its header: its elements are read in
/// increasing order, with the ones before a requested range skipped.
struct MemberStream<'a> {
    path: &'a Path,
    member: &'static str,
    kind: ElementKind,
    dtype: Dtype,
    /// The number of elements the header declares (checked against the member's size).
    len: usize,
    /// The member offset of element 0.
    data_start: u64,
    /// The member offset the source is at.
    offset: u64,
    source: Source<'a>,
}

impl<'a> MemberStream<'a> {
    /// Opens `NAME.npy` and reads its header, which must declare a 1-d array of a dtype `kind`
    /// accepts whose data fills the rest of the member exactly.
    fn open(
        archive: &'a mut zip::ZipArchive<File>,
        path: &'a Path,
        member: &'static str,
        kind: ElementKind,
    ) -> Result<MemberStream<'a>, NpzError> {
        let zip_error = |source| NpzError::Zip {
            path: path.to_path_buf(),
            source,
        };
        let index = archive
            .index_for_name(&format!("{member}.npy"))
            .ok_or_else(|| NpzError::MissingMember {
                path: path.to_path_buf(),
                member,
            })?;
        let entry = archive.by_index_data(index).map_err(zip_error)?;
        // An encrypted member goes through `by_index`, which refuses it.
        let stored = entry.compression() == zip::CompressionMethod::Stored && !entry.encrypted();
        let size = entry.size();
        check_member_size(path, member, size, entry.compressed_size())?;
        let mut source = if stored {
            Source::Stored(archive.by_index_seek(index).map_err(zip_error)?)
        } else {
            Source::Deflated(archive.by_index(index).map_err(zip_error)?)
        };
        let npy_error = |source| NpzError::Npy {
            path: path.to_path_buf(),
            member,
            source,
        };
        let (header, data_start) = read_header(&mut source, size).map_err(npy_error)?;
        let len = checked_length(path, member, kind, &header, size - data_start)?;
        Ok(MemberStream {
            path,
            member,
            kind,
            dtype: header.dtype,
            len,
            data_start,
            offset: data_start,
            source,
        })
    }

    /// Elements `range` as indices (negative entries are an error).
    fn read_indices(&mut self, range: Range<usize>) -> Result<Vec<usize>, NpzError> {
        let dtype = self.dtype;
        self.read(range, |bytes| index_of(dtype, bytes))
    }

    /// Elements `range` as `f64`.
    fn read_values(&mut self, range: Range<usize>) -> Result<Vec<f64>, NpzError> {
        let dtype = self.dtype;
        self.read(range, |bytes| Some(value_of(dtype, bytes)))
    }

    /// Elements `range` (within `len`, at or after any range read before), each converted by
    /// `convert`; an element it refuses is an error naming its position.
    fn read<T>(
        &mut self,
        range: Range<usize>,
        convert: impl Fn(&[u8]) -> Option<T>,
    ) -> Result<Vec<T>, NpzError> {
        let size = self.dtype.size_bytes();
        // `len * size` fits in u64: `checked_length` matched it against the member's size.
        self.skip_to(self.data_start + (range.start * size) as u64)?;
        // Grown chunk by chunk, so a member that ends early never costs its declared size.
        let mut elements = Vec::new();
        let mut buffer = vec![0u8; CHUNK_BYTES.min(range.len() * size)];
        let mut remaining = range.len() * size;
        while remaining > 0 {
            let chunk = &mut buffer[..remaining.min(CHUNK_BYTES)];
            self.source
                .read_exact(chunk)
                .map_err(|source| self.read_error(source))?;
            for bytes in chunk.chunks_exact(size) {
                let element =
                    convert(bytes).ok_or_else(|| self.refused(range.start + elements.len()))?;
                elements.push(element);
            }
            remaining -= chunk.len();
            self.offset += chunk.len() as u64;
        }
        Ok(elements)
    }

    fn refused(&self, element: usize) -> NpzError {
        NpzError::BadMember {
            path: self.path.to_path_buf(),
            member: self.member,
            expected: self.kind.expected(),
            actual: format!("a negative entry at element {element}"),
        }
    }

    /// Moves forward to member offset `target`: by seeking when stored, by decompressing into
    /// a discarded fixed-size buffer when deflated.
    fn skip_to(&mut self, target: u64) -> Result<(), NpzError> {
        let wanted = target - self.offset;
        let reached = match &mut self.source {
            Source::Stored(reader) => reader.seek(SeekFrom::Start(target)),
            Source::Deflated(reader) => {
                io::copy(&mut reader.take(wanted), &mut io::sink()).map(|n| self.offset + n)
            }
        }
        .map_err(|source| self.read_error(source))?;
        // A stored member's seek stops at its end, a stream at its last byte: either is short.
        if reached != target {
            let short = io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the member ends at byte {reached}, before byte {target}"),
            );
            return Err(self.read_error(short));
        }
        self.offset = target;
        Ok(())
    }

    fn read_error(&self, source: io::Error) -> NpzError {
        NpzError::MemberRead {
            path: self.path.to_path_buf(),
            member: self.member,
            source,
        }
    }
}

/// The element count of a member whose header is `header` and whose data is `data_bytes` long,
/// after checking that it is 1-d, of a dtype `kind` accepts, and fills the data exactly.
fn checked_length(
    path: &Path,
    member: &'static str,
    kind: ElementKind,
    header: &Header,
    data_bytes: u64,
) -> Result<usize, NpzError> {
    let bad = |actual: String| NpzError::BadMember {
        path: path.to_path_buf(),
        member,
        expected: kind.expected(),
        actual,
    };
    let [len] = header.shape[..] else {
        return Err(bad(format!("shape {:?}", header.shape)));
    };
    if !kind.accepts(header.dtype) {
        return Err(bad(format!("dtype {}", header.dtype)));
    }
    let expected = (len as u64).checked_mul(header.dtype.size_bytes() as u64);
    if expected != Some(data_bytes) {
        return Err(NpzError::Npy {
            path: path.to_path_buf(),
            member,
            source: crate::FormatError::DataLength {
                shape: header.shape.clone(),
                dtype: header.dtype,
                expected: expected.unwrap_or(u64::MAX),
                actual: data_bytes,
            },
        });
    }
    Ok(len)
}

/// One integer element as an index; `None` when negative (or past `usize`).
fn index_of(dtype: Dtype, bytes: &[u8]) -> Option<usize> {
    match dtype {
        Dtype::I8 => usize::try_from(i8::decode(bytes)).ok(),
        Dtype::I16 => usize::try_from(i16::decode(bytes)).ok(),
        Dtype::I32 => usize::try_from(i32::decode(bytes)).ok(),
        Dtype::I64 => usize::try_from(i64::decode(bytes)).ok(),
        Dtype::U8 => Some(usize::from(u8::decode(bytes))),
        Dtype::U16 => Some(usize::from(u16::decode(bytes))),
        Dtype::U32 => usize::try_from(u32::decode(bytes)).ok(),
        Dtype::U64 => usize::try_from(u64::decode(bytes)).ok(),
        // `ElementKind::Index` refused these dtypes when the member was opened.
        Dtype::Bool | Dtype::F32 | Dtype::F64 => None,
    }
}

/// One element as `f64`, converted as `read_sparse_npz` converts `data`.
fn value_of(dtype: Dtype, bytes: &[u8]) -> f64 {
    match dtype {
        Dtype::F64 => f64::decode(bytes),
        Dtype::F32 => f64::from(f32::decode(bytes)),
        Dtype::I8 => f64::from(i8::decode(bytes)),
        Dtype::I16 => f64::from(i16::decode(bytes)),
        Dtype::U8 => f64::from(u8::decode(bytes)),
        Dtype::U16 => f64::from(u16::decode(bytes)),
        Dtype::I32 => f64::from(i32::decode(bytes)),
        Dtype::U32 => f64::from(u32::decode(bytes)),
        Dtype::I64 => i64::decode(bytes) as f64,
        Dtype::U64 => u64::decode(bytes) as f64,
        Dtype::Bool => f64::from(u8::from(bool::decode(bytes))),
    }
}
