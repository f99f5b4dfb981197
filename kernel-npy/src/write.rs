//! Writing `.npy` files in the order recorded in [`NpyArray::fortran_order`].

use super::header::{format_header, Header};
use super::{with_array, Element, NpyArray, NpyData, NpyError};
use ndarray::ArrayD;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `array` to `path`, replacing any file there.
pub fn write_npy(path: impl AsRef<Path>, array: &NpyArray) -> Result<(), NpyError> {
    let path = path.as_ref();
    let write_error = |source| NpyError::Write {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(write_error)?;
    let mut writer = BufWriter::new(file);
    write_to(&mut writer, array).map_err(write_error)?;
    writer.flush().map_err(write_error)
}

/// Writes `array` in `.npy` format: version 1.0 unless the header needs the 4-byte length of
/// version 2.0.
pub fn write_to(writer: &mut impl Write, array: &NpyArray) -> io::Result<()> {
    let header = Header {
        dtype: array.dtype(),
        fortran_order: array.fortran_order,
        shape: array.shape().to_vec(),
    };
    let v1_text = format_header(&header, 10);
    if v1_text.len() <= usize::from(u16::MAX) {
        writer.write_all(b"\x93NUMPY\x01\x00")?;
        writer.write_all(&(v1_text.len() as u16).to_le_bytes())?;
        writer.write_all(v1_text.as_bytes())?;
    } else {
        let v2_text = format_header(&header, 12);
        let len = u32::try_from(v2_text.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "header too long"))?;
        writer.write_all(b"\x93NUMPY\x02\x00")?;
        writer.write_all(&len.to_le_bytes())?;
        writer.write_all(v2_text.as_bytes())?;
    }
    write_data(writer, &array.data, array.fortran_order)
}

fn write_data(writer: &mut impl Write, data: &NpyData, fortran_order: bool) -> io::Result<()> {
    with_array!(data, a => write_elements(writer, a, fortran_order))
}

/// Writes the elements in C order, or in Fortran order (C order of the reversed axes).
fn write_elements<T: Element>(
    writer: &mut impl Write,
    array: &ArrayD<T>,
    fortran_order: bool,
) -> io::Result<()> {
    let view = if fortran_order {
        array.t()
    } else {
        array.view()
    };
    let mut buffer = Vec::with_capacity(1 << 16);
    for &element in view.iter() {
        element.encode(&mut buffer);
        if buffer.len() >= 1 << 16 {
            writer.write_all(&buffer)?;
            buffer.clear();
        }
    }
    writer.write_all(&buffer)
}
