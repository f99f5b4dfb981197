//! Round trips, numpy-written fixtures and hostile files.

use super::*;
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use std::io::Cursor;
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/npy")
        .join(name)
}

fn to_bytes(array: &NpyArray) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_to(&mut bytes, array).expect("writing to memory cannot fail");
    bytes
}

fn parse(bytes: &[u8]) -> Result<NpyArray, FormatError> {
    read_from(Cursor::new(bytes), bytes.len() as u64)
}

/// A file with the given version, header text (padded as given) and data bytes.
fn npy_bytes(major: u8, header: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = b"\x93NUMPY".to_vec();
    bytes.extend([major, 0]);
    if major == 1 {
        bytes.extend((header.len() as u16).to_le_bytes());
    } else {
        bytes.extend((header.len() as u32).to_le_bytes());
    }
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    bytes
}

fn f8_header(shape: &str) -> String {
    format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}\n")
}

/// An array of `T` with `shape` whose elements differ, built from the integers 0, 1, 2, …
fn sample<T: Element>(shape: &[usize], fortran: bool, make: impl Fn(usize) -> T) -> NpyArray {
    let count = shape.iter().product();
    let data: Vec<T> = (0..count).map(make).collect();
    let array = ArrayD::from_shape_vec(IxDyn(shape).set_f(fortran), data).expect("valid shape");
    NpyArray {
        data: T::wrap(array),
        fortran_order: fortran,
    }
}

fn samples_of_every_dtype(shape: &[usize], fortran: bool) -> Vec<NpyArray> {
    vec![
        sample(shape, fortran, |i| i % 3 == 0),
        sample(shape, fortran, |i| {
            (i as i8).wrapping_mul(37).wrapping_sub(100)
        }),
        sample(shape, fortran, |i| (i as i16 - 7) * 1009),
        sample(shape, fortran, |i| {
            (i as u8).wrapping_mul(41).wrapping_add(200)
        }),
        sample(shape, fortran, |i| u16::MAX - 3 * i as u16),
        sample(shape, fortran, |i| i as i32 - 7),
        sample(shape, fortran, |i| (i as i64 - 7) * 1_000_000_007),
        sample(shape, fortran, |i| i as u32 * 3 + u32::MAX / 2),
        sample(shape, fortran, |i| u64::MAX - 100 + i as u64),
        sample(shape, fortran, |i| i as f32 * 0.25 - 1.0),
        sample(shape, fortran, |i| (i as f64).sqrt() - 2.5),
    ]
}

#[test]
fn every_dtype_order_and_rank_round_trips() {
    let shapes: [&[usize]; 5] = [&[], &[5], &[2, 3], &[2, 3, 4], &[3, 0, 2]];
    for shape in shapes {
        for fortran in [false, true] {
            for array in samples_of_every_dtype(shape, fortran) {
                let bytes = to_bytes(&array);
                assert_eq!(
                    bytes.len() % 64,
                    array.data.shape().iter().product::<usize>() * array.dtype().size_bytes() % 64
                );
                let back = parse(&bytes).expect("round trip");
                assert_eq!(back, array, "{} {shape:?} fortran={fortran}", array.dtype());
                assert_eq!(back.fortran_order, fortran);
            }
        }
    }
}

#[test]
fn data_starts_on_a_64_byte_boundary() {
    for shape in [vec![], vec![1], vec![123456, 7, 89]] {
        for prefix_len in [10, 12] {
            let header = header::Header {
                dtype: Dtype::F64,
                fortran_order: true,
                shape: shape.clone(),
            };
            let text = header::format_header(&header, prefix_len);
            assert_eq!((prefix_len + text.len()) % 64, 0);
            assert!(text.ends_with(" \n") || text.ends_with("}\n"));
            assert_eq!(header::parse_header(&text), Ok(header));
        }
    }
}

#[test]
fn fortran_files_load_with_fortran_strides_and_write_back_fortran() {
    let array = sample(&[2, 3], true, |i| i as f64);
    let NpyData::F64(a) = &parse(&to_bytes(&array)).unwrap().data else {
        panic!("wrong dtype")
    };
    assert_eq!(a.strides(), &[1, 2]);
    // Element [i, j] of a Fortran file is the (i + 2 j)-th value in the file.
    assert_eq!(a[[1, 2]], 5.0);
    assert_eq!(a[[1, 0]], 1.0);
    let bytes = to_bytes(&array);
    let data_start = bytes.len() - 6 * 8;
    let second = f64::from_le_bytes(bytes[data_start + 8..data_start + 16].try_into().unwrap());
    assert_eq!(second, 1.0, "Fortran data is written column by column");
}

#[test]
fn c_order_write_of_a_fortran_strided_array_is_logical_order() {
    let mut array = sample(&[2, 3], true, |i| i as i64);
    array.fortran_order = false;
    let back = parse(&to_bytes(&array)).unwrap();
    assert!(!back.fortran_order);
    assert_eq!(back.data, array.data, "same logical contents");
}

fn expected_values(code: &str) -> NpyData {
    let base: Vec<i64> = (0..6).map(|i| i * 3 + 1).collect();
    let make = |values: Vec<f64>| ArrayD::from_shape_vec(IxDyn(&[2, 3]), values).unwrap();
    let ints = |offset: i64| {
        base.iter()
            .map(|&v| (v + offset) as f64)
            .collect::<Vec<_>>()
    };
    let floats = make(base.iter().map(|&v| v as f64 / 4.0 - 1.0).collect());
    match code {
        "f8" => NpyData::F64(floats),
        "f4" => NpyData::F32(floats.mapv(|v| v as f32)),
        "i8" => NpyData::I64(make(ints(-8)).mapv(|v| v as i64)),
        "i4" => NpyData::I32(make(ints(-8)).mapv(|v| v as i32)),
        "u8" => NpyData::U64(make(ints(0)).mapv(|v| v as u64)),
        "u4" => NpyData::U32(make(ints(0)).mapv(|v| v as u32)),
        "i2" => NpyData::I16(make(ints(-8)).mapv(|v| v as i16)),
        "i1" => NpyData::I8(make(ints(-8)).mapv(|v| v as i8)),
        "u2" => NpyData::U16(make(ints(0)).mapv(|v| v as u16)),
        "u1" => NpyData::U8(make(ints(0)).mapv(|v| v as u8)),
        "b1" => NpyData::Bool(make(ints(0)).mapv(|v| v as i64 % 2 == 0)),
        _ => unreachable!("fixture codes are fixed"),
    }
}

#[test]
fn numpy_fixtures_of_every_dtype_and_order_load() {
    for code in [
        "f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1",
    ] {
        for (suffix, fortran) in [("c", false), ("f", true)] {
            let loaded = read_npy(fixture(&format!("{code}_{suffix}.npy"))).unwrap();
            assert_eq!(loaded.fortran_order, fortran, "{code}_{suffix}");
            assert_eq!(loaded.data, expected_values(code), "{code}_{suffix}");
            let standard = with_array!(&loaded.data, a => a.is_standard_layout());
            assert_eq!(
                standard, !fortran,
                "{code}_{suffix}: strides follow the file"
            );
        }
    }
}

#[test]
fn numpy_fixtures_of_other_ranks_and_versions_load() {
    let rank3 = read_npy(fixture("f8_rank3_f.npy")).unwrap();
    let expected =
        ArrayD::from_shape_vec(IxDyn(&[2, 3, 4]), (0..24).map(f64::from).collect()).unwrap();
    assert_eq!(rank3.data, NpyData::F64(expected));
    assert!(rank3.fortran_order);

    let scalar = read_npy(fixture("f8_0d.npy")).unwrap();
    assert_eq!(scalar.ndim(), 0);
    assert_eq!(
        scalar.data,
        NpyData::F64(ArrayD::from_elem(IxDyn(&[]), 2.5))
    );

    let empty = read_npy(fixture("f8_empty.npy")).unwrap();
    assert_eq!(empty.shape(), &[0, 3]);

    let rank1 = read_npy(fixture("i8_rank1.npy")).unwrap();
    assert_eq!(
        rank1.data,
        NpyData::I64(ArrayD::from_shape_vec(IxDyn(&[3]), vec![5, -7, 9]).unwrap())
    );

    let int16 = read_npy(fixture("i2.npy")).unwrap();
    assert_eq!(
        int16.data,
        NpyData::I16(ArrayD::from_shape_vec(IxDyn(&[3]), vec![0, 1, 2]).unwrap())
    );

    let v2 = read_npy(fixture("f8_v2.npy")).unwrap();
    assert_eq!(v2.shape(), &[2, 2]);
    let v3 = read_npy(fixture("f8_v3.npy")).unwrap();
    assert_eq!(
        v3.data,
        NpyData::F64(ArrayD::from_shape_vec(IxDyn(&[4]), vec![0.0, 1.0, 2.0, 3.0]).unwrap())
    );
}

#[test]
fn numpy_fixtures_survive_our_write() {
    for name in [
        "f4_f.npy",
        "b1_c.npy",
        "f8_rank3_f.npy",
        "f8_0d.npy",
        "u8_f.npy",
        "i1_f.npy",
        "u1_c.npy",
        "i2_c.npy",
        "u2_f.npy",
    ] {
        let loaded = read_npy(fixture(name)).unwrap();
        assert_eq!(parse(&to_bytes(&loaded)).unwrap(), loaded, "{name}");
    }
}

#[test]
fn write_npy_and_read_npy_use_the_file_system() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.npy");
    let array = sample(&[3, 2], true, |i| i as u32);
    write_npy(&path, &array).unwrap();
    assert_eq!(read_npy(&path).unwrap(), array);
}

fn format_error(bytes: &[u8]) -> String {
    match parse(bytes) {
        Ok(array) => panic!("accepted a hostile file as {array:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn rejects_unsupported_dtypes_naming_them() {
    let cases = [
        ("f8_be.npy", "big-endian dtype `>f8`"),
        ("object.npy", "object arrays (dtype `|O`)"),
        (
            "structured.npy",
            "unsupported dtype [('x', '<f8'), ('y', '<i4')]",
        ),
        ("f2.npy", "unsupported dtype `<f2`"),
    ];
    for (name, message) in cases {
        let error = read_npy(fixture(name)).unwrap_err().to_string();
        assert!(error.contains(message), "{name}: {error}");
        assert!(error.contains(name), "the message names the file: {error}");
    }
}

#[test]
fn byte_order_marks() {
    let header =
        |descr: &str| format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}");
    for descr in ["<f8", "=f8", "f8"] {
        assert!(
            parse(&npy_bytes(1, &header(descr), &[0; 8])).is_ok(),
            "{descr}"
        );
    }
    for descr in ["|b1", "<b1", "=b1", ">b1", "|i1", ">u1", "u1"] {
        assert!(
            parse(&npy_bytes(1, &header(descr), &[1])).is_ok(),
            "{descr}"
        );
    }
    assert!(
        format_error(&npy_bytes(1, &header("|f8"), &[0; 8])).contains("unsupported dtype `|f8`")
    );
    assert!(format_error(&npy_bytes(1, &header(">i4"), &[0; 4])).contains("big-endian"));
    assert!(format_error(&npy_bytes(1, &header(">u2"), &[0; 2])).contains("big-endian"));
    assert!(format_error(&npy_bytes(1, &header("|i2"), &[0; 2])).contains("`|i2`"));
    assert!(format_error(&npy_bytes(1, &header("<c16"), &[0; 16])).contains("`<c16`"));
}

#[test]
fn rejects_wrong_magic_and_versions() {
    let good = to_bytes(&sample(&[2], false, |i| i as f64));
    let mut bad_magic = good.clone();
    bad_magic[1] = b'X';
    assert!(format_error(&bad_magic).contains("not a .npy file"));
    assert!(format_error(b"").contains("not a .npy file"));
    assert!(format_error(b"\x93NUM").contains("not a .npy file"));
    let mut bad_version = good.clone();
    bad_version[6] = 4;
    assert!(format_error(&bad_version).contains("version 4.0"));
    let mut bad_minor = good;
    bad_minor[7] = 1;
    assert!(format_error(&bad_minor).contains("version 1.1"));
    assert!(format_error(b"\x93NUMPY\x02\x00\x01").contains("ends early"));
}

#[test]
fn rejects_a_header_longer_than_the_file() {
    let mut bytes = npy_bytes(2, &f8_header("(1,)"), &[0; 8]);
    bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(format_error(&bytes).contains("the header is 4294967295 bytes long"));
}

#[test]
fn rejects_unparsable_headers() {
    let cases = [
        ("", "not a dict literal"),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)",
            "expected `}`",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
            "not a dict literal",
        ),
        (
            "{'descr': '<f8', 'fortran_order': false, 'shape': (1,), }",
            "unknown name",
        ),
        ("{'descr: '<f8'}", "not a dict literal"),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } x",
            "trailing",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
            "too large",
        ),
        ("['descr']", "expected `{`"),
    ];
    for (header, message) in cases {
        let error = format_error(&npy_bytes(1, header, &[0; 8]));
        assert!(error.contains(message), "{header}: {error}");
    }
    let deep = format!("{{'descr': {}", "(".repeat(10_000));
    assert!(format_error(&npy_bytes(2, &deep, &[])).contains("nested too deeply"));
}

#[test]
fn rejects_missing_extra_duplicate_and_mistyped_keys() {
    let cases = [
        (
            "{'descr': '<f8', 'shape': (1,), }",
            "no `fortran_order` key",
        ),
        (
            "{'fortran_order': False, 'shape': (1,), }",
            "no `descr` key",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, }",
            "no `shape` key",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
            "unexpected key `x`",
        ),
        (
            "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
            "key `descr` twice",
        ),
        (
            "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}",
            "`fortran_order` must be True or False",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': [1]}",
            "`shape` must be a tuple",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': ('a',)}",
            "`shape` must be a tuple",
        ),
    ];
    for (header, message) in cases {
        let error = format_error(&npy_bytes(1, header, &[0; 8]));
        assert!(error.contains(message), "{header}: {error}");
    }
}

#[test]
fn rejects_shapes_that_overflow_or_disagree_with_the_data() {
    let huge = f8_header("(4294967296, 4294967296, 4294967296)");
    assert!(format_error(&npy_bytes(1, &huge, &[0; 8])).contains("more elements than memory"));
    let huge_bytes = f8_header("(4611686018427387904,)");
    assert!(format_error(&npy_bytes(1, &huge_bytes, &[0; 8])).contains("more elements than memory"));
    // Zero elements, but ndarray still cannot describe the other extents.
    let zero_but_huge = f8_header("(0, 9223372036854775807, 9223372036854775807)");
    assert!(format_error(&npy_bytes(1, &zero_but_huge, &[])).contains("more elements than memory"));
    // A billion elements claimed by a tiny file: refused before allocating.
    let short = format_error(&npy_bytes(1, &f8_header("(1000000000,)"), &[0; 16]));
    assert!(
        short.contains("needs 8000000000 data bytes but the file holds 16"),
        "{short}"
    );
    let long = format_error(&npy_bytes(1, &f8_header("(1,)"), &[0; 9]));
    assert!(
        long.contains("needs 8 data bytes but the file holds 9"),
        "{long}"
    );
}

#[test]
fn reports_data_that_ends_before_the_promised_length() {
    let bytes = npy_bytes(1, &f8_header("(4,)"), &[0; 32]);
    // The reader promises 32 data bytes but delivers 20.
    let truncated = &bytes[..bytes.len() - 12];
    let error = read_from(Cursor::new(truncated), bytes.len() as u64).unwrap_err();
    assert!(error.to_string().contains("ends early"), "{error}");
}

#[test]
fn rejects_a_version_3_header_that_is_not_utf8() {
    let mut bytes = npy_bytes(3, &f8_header("(1,)"), &[0; 8]);
    bytes[12] = 0xff;
    assert!(format_error(&bytes).contains("not valid UTF-8"));
    // Versions 1 and 2 are Latin-1, where every byte is a character: 0xff is then a syntax error.
    let mut latin = npy_bytes(1, &f8_header("(1,)"), &[0; 8]);
    latin[10] = 0xff;
    assert!(format_error(&latin).contains("not a dict literal"));
}

#[test]
fn file_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.npy");
    let error = read_npy(&missing).unwrap_err();
    assert!(matches!(error, NpyError::Open { .. }));
    assert!(error.to_string().contains("missing.npy"));
    let error = read_npy(dir.path()).unwrap_err();
    assert!(error.to_string().contains("directory"), "{error}");
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"hello").unwrap();
    let error = read_npy(&bad).unwrap_err().to_string();
    assert!(
        error.contains("bad.npy") && error.contains("not a .npy file"),
        "{error}"
    );
}

#[test]
fn accepts_python2_long_suffixes_and_double_quotes() {
    let header = "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2L,), }";
    assert_eq!(
        parse(&npy_bytes(1, header, &[0; 16])).unwrap().shape(),
        &[2]
    );
}
