//! Hostile inputs through the `kernelc` binary: corrupt, truncated and lying `.npy` files and
//! sparse `.npz` archives are bad arguments (exit 2) with a message naming the problem, never
//! a panic or a huge allocation (every case also runs under a 2 GiB address-space limit, so
//! an attempt to allocate what a lying header claims would abort instead of exiting 2);
//! kernels that never end stop at `--timeout` (exit 3).

mod cli_support;

use std::io::Write;
use std::time::{Duration, Instant};

use cli_support::{f64_array, Outcome, Workspace};

const SUM: &str = "\
pub fn sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

pub fn total(m: ArrayView2<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            s += m[[i, j]];
        }
    }
    s
}
";

/// A `.npy` v1.0 file: magic, version, the header padded to 64 bytes, then `data`.
fn npy_v1(header: &str, data: &[u8]) -> Vec<u8> {
    let mut text = header.to_string();
    while !(10 + text.len() + 1).is_multiple_of(64) {
        text.push(' ');
    }
    text.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(text.len() as u16).to_le_bytes());
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

fn dict(descr: &str, shape: &str) -> String {
    format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}")
}

/// Runs `kernelc ARGS…` with its address space limited to 2 GiB.
fn limited(ws: &Workspace, args: &[&str]) -> Outcome {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 2097152 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_kernelc"))
        .args(args)
        .current_dir(ws.dir.path())
        .output()
        .expect("run kernelc under sh");
    Outcome {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Feeds `bytes` as the array argument of `function` and expects exit 2 mentioning `message`.
#[track_caller]
fn rejected(ws: &Workspace, function: &str, bytes: &[u8], message: &str) {
    let file = ws.kernel("k.rs", SUM);
    std::fs::write(ws.path("bad.npy"), bytes).expect("write the hostile file");
    let param = if function == "sum" { "x" } else { "m" };
    let arg = format!("{param}=bad.npy");
    let outcome = limited(ws, &["run", &file, "--fn", function, &arg]);
    outcome.expect_status(2).expect_stderr(message);
    assert!(outcome.stderr.contains("bad.npy"), "{outcome:#?}");
    assert!(!outcome.stderr.contains("panicked"), "{outcome:#?}");
}

#[test]
fn a_good_file_runs_under_the_same_limit() {
    let ws = Workspace::new();
    let file = ws.kernel("k.rs", SUM);
    let x = ws.save("x.npy", f64_array(&[3], vec![1.0, 2.0, 3.5]));
    let outcome = limited(&ws, &["run", &file, "--fn", "sum", &format!("x={x}")]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "6.5\n");
}

#[test]
fn wrong_magic_empty_and_truncated_files() {
    let ws = Workspace::new();
    let good = npy_v1(&dict("<f8", "(2,)"), &[0; 16]);
    rejected(&ws, "sum", b"", "not a .npy file");
    rejected(&ws, "sum", b"PK\x03\x04 not numpy", "not a .npy file");
    rejected(&ws, "sum", b"\x93NUMPZ\x01\x00\x10\x00", "not a .npy file");
    rejected(&ws, "sum", &good[..8], "ends early");
    rejected(&ws, "sum", &good[..40], "header");
    rejected(&ws, "sum", &good[..good.len() - 3], "needs 16 data bytes");
}

#[test]
fn unsupported_versions_and_broken_headers() {
    let ws = Workspace::new();
    let mut v9 = npy_v1(&dict("<f8", "(1,)"), &[0; 8]);
    v9[6] = 9;
    rejected(&ws, "sum", &v9, "unsupported .npy format version 9.0");
    // A version 2.0 header length of 4 GiB in a tiny file.
    let mut huge = b"\x93NUMPY\x02\x00".to_vec();
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    huge.extend_from_slice(b"{'descr': '<f8'");
    rejected(&ws, "sum", &huge, "header");
    rejected(&ws, "sum", &npy_v1("[1, 2, 3]", &[]), "not a dict literal");
    rejected(
        &ws,
        "sum",
        &npy_v1("{'descr': '<f8', 'shape': (1,), }", &[0; 8]),
        "fortran_order",
    );
    // Negative extents are not integers the shape grammar accepts.
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("<f8", "(-1,)"), &[0; 8]),
        "unexpected character",
    );
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("<f8", "'many'"), &[0; 8]),
        "shape",
    );
    let nested = format!(
        "{{'descr': {}'<f8'{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    rejected(&ws, "sum", &npy_v1(&nested, &[]), "header");
    // Version 3.0 (UTF-8 header, 4-byte length) with an invalid byte in the header.
    let mut header = dict("<f8", "(1,)").into_bytes();
    header[2] = 0xff;
    header.push(b'\n');
    let mut v3 = b"\x93NUMPY\x03\x00".to_vec();
    v3.extend_from_slice(&(header.len() as u32).to_le_bytes());
    v3.extend_from_slice(&header);
    v3.extend_from_slice(&[0; 8]);
    rejected(&ws, "sum", &v3, "UTF-8");
}

#[test]
fn shapes_that_do_not_match_the_data() {
    let ws = Workspace::new();
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("<f8", "(4,)"), &[0; 8]),
        "needs 32 data bytes but the file holds 8",
    );
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("<f8", "(1,)"), &[0; 80]),
        "needs 8 data bytes but the file holds 80",
    );
    rejected(
        &ws,
        "total",
        &npy_v1(&dict("<f8", "(3, 3)"), &[0; 64]),
        "needs 72 data bytes",
    );
}

#[test]
fn absurd_shapes_are_refused_before_any_allocation() {
    let ws = Workspace::new();
    // 8 TB of f64 described by a 128-byte file.
    rejected(
        &ws,
        "total",
        &npy_v1(&dict("<f8", "(1000000, 1000000)"), &[0; 64]),
        "needs 8000000000000 data bytes",
    );
    rejected(
        &ws,
        "total",
        &npy_v1(&dict("<f8", "(4294967296, 4294967296)"), &[]),
        "more elements than memory can address",
    );
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("<f8", "(99999999999999999999999,)"), &[]),
        "integer too large",
    );
}

#[test]
fn unsupported_dtypes_and_object_arrays() {
    let ws = Workspace::new();
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("<c16", "(1,)"), &[0; 16]),
        "unsupported dtype",
    );
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("<U8", "(1,)"), &[0; 32]),
        "unsupported dtype",
    );
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict(">f8", "(1,)"), &[0; 8]),
        "big-endian",
    );
    rejected(
        &ws,
        "sum",
        &npy_v1(&dict("|O", "(1,)"), &[0; 8]),
        "object arrays",
    );
    let structured = "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }";
    rejected(
        &ws,
        "sum",
        &npy_v1(structured, &[0; 8]),
        "unsupported dtype",
    );
}

#[test]
fn valid_files_that_do_not_fit_the_parameter() {
    let ws = Workspace::new();
    rejected(&ws, "sum", &npy_v1(&dict("<f4", "(2,)"), &[0; 8]), "x");
    rejected(&ws, "sum", &npy_v1(&dict("<f8", "(1, 1)"), &[0; 8]), "x");
    rejected(&ws, "total", &npy_v1(&dict("<i8", "(1, 1)"), &[0; 8]), "m");
}

#[test]
fn missing_files_and_directories() {
    let ws = Workspace::new();
    let file = ws.kernel("k.rs", SUM);
    std::fs::create_dir(ws.path("dir.npy")).expect("create a directory");
    for arg in ["x=missing.npy", "x=dir.npy"] {
        let outcome = limited(&ws, &["run", &file, "--fn", "sum", arg]);
        outcome.expect_status(2);
        assert!(!outcome.stderr.contains("panicked"), "{outcome:#?}");
    }
}

/// A zip archive of the given members, stored (not deflated).
fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in members {
            zip.start_file(*name, options).expect("zip member");
            zip.write_all(bytes).expect("zip data");
        }
        zip.finish().expect("zip finish");
    }
    buffer.into_inner()
}

fn i32_npy(values: &[i32]) -> Vec<u8> {
    let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    npy_v1(&dict("<i4", &format!("({},)", values.len())), &data)
}

fn f64_npy(values: &[f64]) -> Vec<u8> {
    let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    npy_v1(&dict("<f8", &format!("({},)", values.len())), &data)
}

fn format_npy(format: &str) -> Vec<u8> {
    npy_v1(&dict("|S3", "()"), format.as_bytes())
}

fn sparse(shape: &[i64], indptr: &[i32], indices: &[i32], data: &[f64]) -> Vec<u8> {
    let shape_data: Vec<u8> = shape.iter().flat_map(|v| v.to_le_bytes()).collect();
    zip_of(&[
        ("indices.npy", i32_npy(indices)),
        ("indptr.npy", i32_npy(indptr)),
        ("format.npy", format_npy("csr")),
        ("shape.npy", npy_v1(&dict("<i8", "(2,)"), &shape_data)),
        ("data.npy", f64_npy(data)),
    ])
}

#[test]
fn hostile_sparse_npz_inputs() {
    let ws = Workspace::new();
    let good = sparse(&[2, 2], &[0, 1, 2], &[0, 1], &[1.0, 2.0]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not a zip", b"hello, world".to_vec()),
        ("truncated zip", good[..good.len() / 2].to_vec()),
        ("empty zip", zip_of(&[])),
        ("member missing", zip_of(&[("data.npy", f64_npy(&[1.0]))])),
        (
            "index past the shape",
            sparse(&[2, 2], &[0, 1, 2], &[0, 7], &[1.0, 2.0]),
        ),
        (
            "indptr decreasing",
            sparse(&[2, 2], &[0, 2, 1], &[0, 1], &[1.0, 2.0]),
        ),
        (
            "indptr too short",
            sparse(&[2, 2], &[0, 2], &[0, 1], &[1.0, 2.0]),
        ),
        (
            "data too short",
            sparse(&[2, 2], &[0, 1, 2], &[0, 1], &[1.0]),
        ),
        (
            "negative shape",
            sparse(&[-2, 2], &[0, 1, 2], &[0, 1], &[1.0, 2.0]),
        ),
        (
            "absurd shape",
            sparse(&[1 << 40, 1 << 40], &[0, 1, 2], &[0, 1], &[1.0, 2.0]),
        ),
        (
            "bad data member",
            zip_of(&[("data.npy", b"\x93NUMPY junk".to_vec())]),
        ),
    ];
    for (what, bytes) in cases {
        std::fs::write(ws.path("m.npz"), &bytes).expect("write the hostile archive");
        let outcome = limited(&ws, &["svd", "m.npz", "--k", "1", "--out", "out"]);
        assert_eq!(outcome.status, 2, "{what}: {outcome:#?}");
        assert!(outcome.stderr.contains("m.npz"), "{what}: {outcome:#?}");
        assert!(!outcome.stderr.contains("panicked"), "{what}: {outcome:#?}");
    }
}

#[test]
fn timeout_stops_an_endless_kernel_with_exit_3() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "spin.rs",
        "fn spin(n: u64) -> u64 {\n    let mut i = 0u64;\n    while i >= 0 {\n        i = (i + 1) % n;\n    }\n    i\n}\n",
    );
    for backend in ["jit", "interp"] {
        let start = Instant::now();
        let outcome = ws.kernelc(&[
            "run",
            &file,
            "--fn",
            "spin",
            "--backend",
            backend,
            "--timeout",
            "0.2",
            "n=7",
        ]);
        let elapsed = start.elapsed();
        outcome
            .expect_status(3)
            .expect_stderr("error: kernel `spin` stopped at 3:5: deadline exceeded");
        assert!(elapsed < Duration::from_secs(5), "{backend}: {elapsed:?}");
    }
    // Other runtime errors are reported as before.
    let outcome = ws.kernelc(&["run", &file, "--fn", "spin", "--timeout", "0.2", "n=0"]);
    outcome.expect_status(3).expect_stderr("division by zero");
}
