//! Reading `.npy` files: preamble, header, then the elements, checked against the file's
//! length before anything proportional to the shape is allocated.

use super::header::{parse_header, Header};
use super::{shape_for, Dtype, Element, FormatError, NpyArray, NpyError};
use ndarray::ArrayD;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Elements are decoded through a buffer of this many bytes, so reading never holds the data
/// twice.
const CHUNK_BYTES: usize = 1 << 16;

/// Reads a `.npy` file.
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray, NpyError> {
    let path = path.as_ref();
    let open_error = |source| NpyError::Open {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(open_error)?;
    let metadata = file.metadata().map_err(open_error)?;
    if metadata.is_dir() {
        return Err(open_error(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    read_from(BufReader::new(file), metadata.len()).map_err(|source| NpyError::Format {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a `.npy` array from `reader`, which holds exactly `len` bytes.
pub fn read_from(mut reader: impl Read, len: u64) -> Result<NpyArray, FormatError> {
    let (header, header_end) = read_header(&mut reader, len)?;
    let count = element_count(&header)?;
    let expected = (count as u64)
        .checked_mul(header.dtype.size_bytes() as u64)
        .ok_or_else(|| FormatError::ShapeOverflow {
            shape: header.shape.clone(),
        })?;
    let actual = len - header_end;
    if expected != actual {
        return Err(FormatError::DataLength {
            shape: header.shape,
            dtype: header.dtype,
            expected,
            actual,
        });
    }
    let data = match header.dtype {
        Dtype::Bool => read_elements::<bool>(&mut reader, &header, count)?,
        Dtype::I8 => read_elements::<i8>(&mut reader, &header, count)?,
        Dtype::I16 => read_elements::<i16>(&mut reader, &header, count)?,
        Dtype::U8 => read_elements::<u8>(&mut reader, &header, count)?,
        Dtype::U16 => read_elements::<u16>(&mut reader, &header, count)?,
        Dtype::I32 => read_elements::<i32>(&mut reader, &header, count)?,
        Dtype::I64 => read_elements::<i64>(&mut reader, &header, count)?,
        Dtype::U32 => read_elements::<u32>(&mut reader, &header, count)?,
        Dtype::U64 => read_elements::<u64>(&mut reader, &header, count)?,
        Dtype::F32 => read_elements::<f32>(&mut reader, &header, count)?,
        Dtype::F64 => read_elements::<f64>(&mut reader, &header, count)?,
    };
    Ok(NpyArray {
        data,
        fortran_order: header.fortran_order,
    })
}

/// Reads magic, version and header from a stream of `len` bytes; returns the header and the
/// offset where the data starts (the stream is left there).
pub(crate) fn read_header(reader: &mut impl Read, len: u64) -> Result<(Header, u64), FormatError> {
    let mut preamble = [0u8; 8];
    if len < 8 || reader.read_exact(&mut preamble).is_err() || &preamble[..6] != MAGIC {
        return Err(FormatError::BadMagic);
    }
    let (major, minor) = (preamble[6], preamble[7]);
    let length_bytes = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => return Err(FormatError::UnsupportedVersion { major, minor }),
    };
    let mut raw_length = [0u8; 4];
    reader
        .read_exact(&mut raw_length[..length_bytes])
        .map_err(FormatError::Truncated)?;
    let header_len = u64::from(u32::from_le_bytes(raw_length));
    let preamble_len = 8 + length_bytes as u64;
    let available = len.saturating_sub(preamble_len);
    if header_len > available {
        return Err(FormatError::HeaderPastEnd {
            header_len,
            available,
        });
    }
    let mut raw_header = vec![0u8; header_len as usize];
    reader
        .read_exact(&mut raw_header)
        .map_err(FormatError::Truncated)?;
    let text = decode_header(raw_header, major)?;
    Ok((parse_header(&text)?, preamble_len + header_len))
}

/// Versions 1 and 2 store the header in Latin-1, version 3 in UTF-8.
fn decode_header(raw: Vec<u8>, major: u8) -> Result<String, FormatError> {
    if major == 3 {
        String::from_utf8(raw).map_err(|_| FormatError::HeaderEncoding { encoding: "UTF-8" })
    } else {
        Ok(raw.into_iter().map(char::from).collect())
    }
}

fn element_count(header: &Header) -> Result<usize, FormatError> {
    let overflow = || FormatError::ShapeOverflow {
        shape: header.shape.clone(),
    };
    let count = header
        .shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(overflow)?;
    // ndarray also needs the product of the non-zero extents to fit in `isize`.
    let nonzero = header
        .shape
        .iter()
        .filter(|&&n| n != 0)
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(overflow)?;
    if isize::try_from(nonzero).is_err() {
        return Err(overflow());
    }
    Ok(count)
}

/// Reads `count` elements (already checked against the file length) into an array of the
/// header's shape and order.
fn read_elements<T: Element>(
    reader: &mut impl Read,
    header: &Header,
    count: usize,
) -> Result<super::NpyData, FormatError> {
    let size = T::DTYPE.size_bytes();
    let mut elements: Vec<T> = Vec::with_capacity(count);
    let mut buffer = vec![0u8; CHUNK_BYTES.min(count * size)];
    let mut remaining = count * size;
    while remaining > 0 {
        let chunk = &mut buffer[..remaining.min(CHUNK_BYTES)];
        reader.read_exact(chunk).map_err(FormatError::Truncated)?;
        elements.extend(chunk.chunks_exact(size).map(T::decode));
        remaining -= chunk.len();
    }
    let array = ArrayD::from_shape_vec(shape_for(&header.shape, header.fortran_order), elements)
        .map_err(|_| FormatError::ShapeOverflow {
            shape: header.shape.clone(),
        })?;
    Ok(T::wrap(array))
}
