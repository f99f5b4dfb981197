//! `kernelc svd` and `kernelc prone` end to end: outputs on good input, exit status 2 and a
//! clear message on bad or hostile input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kernel_npy::{read_npy, write_sparse_npz, write_to, NpyArray, NpyData, SparseMatrix};
use kernel_runtime::Backend;
use kernelc_apps::svd::{randomized_svd, Csr, Normalizer};
use ndarray::{Array1, ArrayD};

fn kernelc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kernelc"))
        .args(args)
        .output()
        .expect("kernelc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small sparse matrix with a clear spectrum: a 30×20 band.
fn band() -> Csr {
    let (rows, cols): (usize, usize) = (30, 20);
    let mut indptr = vec![0];
    let mut indices = Vec::new();
    let mut data = Vec::new();
    for i in 0..rows {
        for j in i.saturating_sub(2)..(i + 2).min(cols) {
            indices.push(j);
            data.push(1.0 + ((i * 7 + j * 3) % 5) as f64);
        }
        indptr.push(indices.len());
    }
    Csr::new((rows, cols), indptr, indices, data).unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn read_f64(path: PathBuf) -> ArrayD<f64> {
    match read_npy(&path).expect("output is a .npy file").data {
        NpyData::F64(a) => a,
        other => panic!("{path:?} holds {:?}", other.dtype()),
    }
}

#[test]
fn svd_of_a_compressed_csr_file_matches_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("band.npz");
    write_sparse_npz(&input, &SparseMatrix::from(&band()), true).unwrap();
    let out = dir.path().join("out");
    let output = kernelc(&[
        "svd",
        path_str(&input),
        "--k",
        "4",
        "--n-iter",
        "3",
        "--seed",
        "5",
        "--out",
        path_str(&out),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let u = read_f64(out.join("U.npy"));
    let s = read_f64(out.join("S.npy"));
    let vt = read_f64(out.join("Vt.npy"));
    assert_eq!(
        (u.shape(), s.shape(), vt.shape()),
        (&[30, 4][..], &[4][..], &[4, 20][..])
    );
    let expected = randomized_svd(
        &band(),
        4,
        10,
        Some(3),
        Normalizer::Auto,
        5,
        Backend::Native,
    )
    .unwrap();
    assert_eq!(s, expected.s.into_dyn());
    assert_eq!(u, expected.u.into_dyn());
}

/// Writes an `.npz` whose members are given as `.npy` arrays (and `format` as text).
fn write_npz(path: &Path, format: &str, members: Vec<(&str, NpyData)>) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in members {
        zip.start_file(format!("{name}.npy"), options).unwrap();
        write_to(&mut zip, &NpyArray::c_order(data)).unwrap();
    }
    zip.start_file("format.npy", options).unwrap();
    let header = format!(
        "{{'descr': '|S{}', 'fortran_order': False, 'shape': (), }}",
        format.len()
    );
    let mut header = header.into_bytes();
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    zip.write_all(b"\x93NUMPY\x01\x00").unwrap();
    zip.write_all(&(header.len() as u16).to_le_bytes()).unwrap();
    zip.write_all(&header).unwrap();
    zip.write_all(format.as_bytes()).unwrap();
    zip.finish().unwrap();
}

fn i32s(v: &[i32]) -> NpyData {
    NpyData::I32(Array1::from(v.to_vec()).into_dyn())
}

fn i64s(v: &[i64]) -> NpyData {
    NpyData::I64(Array1::from(v.to_vec()).into_dyn())
}

fn f64s(v: &[f64]) -> NpyData {
    NpyData::F64(Array1::from(v.to_vec()).into_dyn())
}

/// The 3×3 matrix [[2,0,1],[0,3,0],[1,0,4]] (symmetric, so CSR and CSC arrays coincide).
fn small_members(shape: &[i64]) -> Vec<(&'static str, NpyData)> {
    vec![
        ("data", f64s(&[2.0, 1.0, 3.0, 1.0, 4.0])),
        ("indices", i32s(&[0, 2, 1, 0, 2])),
        ("indptr", i32s(&[0, 2, 3, 5])),
        ("shape", i64s(shape)),
    ]
}

#[test]
fn csc_files_with_int32_indices_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.npz");
    write_npz(&input, "csc", small_members(&[3, 3]));
    let out = dir.path().join("out");
    let output = kernelc(&["svd", path_str(&input), "--k", "2", "--out", path_str(&out)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let s = read_f64(out.join("S.npy"));
    // Eigenvalues of the matrix: 3 ± √2 and 3.
    let want = [3.0 + 2f64.sqrt(), 3.0];
    for (got, want) in s.iter().zip(want) {
        assert!((got - want).abs() < 1e-12, "σ {got} vs {want}");
    }
}

/// Runs `kernelc svd` on `input` and expects exit status 2 with `needle` in the message.
fn expect_bad_input(input: &Path, k: &str, needle: &str) {
    let out = input.with_extension("out");
    let output = kernelc(&["svd", path_str(input), "--k", k, "--out", path_str(&out)]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains(needle),
        "expected `{needle}` in: {message}"
    );
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn malformed_and_hostile_files_exit_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    expect_bad_input(&at("missing.npz"), "2", "cannot open");
    std::fs::write(at("text.npz"), "not a zip").unwrap();
    expect_bad_input(&at("text.npz"), "2", "not a readable .npz");

    let mut members = small_members(&[3, 3]);
    members.retain(|(name, _)| *name != "indptr");
    write_npz(&at("no_indptr.npz"), "csr", members);
    expect_bad_input(&at("no_indptr.npz"), "2", "no `indptr` array");

    let mut members = small_members(&[3, 3]);
    members[2] = ("indptr", i32s(&[0, 2, 9, 5]));
    write_npz(&at("bad_indptr.npz"), "csr", members);
    expect_bad_input(&at("bad_indptr.npz"), "2", "indptr decreases");

    let mut members = small_members(&[3, 3]);
    members[1] = ("indices", i32s(&[0, -2, 1, 0, 2]));
    write_npz(&at("negative.npz"), "csr", members);
    expect_bad_input(&at("negative.npz"), "2", "negative");

    let mut members = small_members(&[3, 3]);
    members[1] = ("indices", i32s(&[0, 7, 1, 0, 2]));
    write_npz(&at("column.npz"), "csr", members);
    expect_bad_input(&at("column.npz"), "2", "out of range");

    write_npz(&at("huge.npz"), "csr", small_members(&[3, 1 << 50]));
    expect_bad_input(&at("huge.npz"), "2", "at most 67108864 rows");
    write_npz(&at("big.npz"), "csr", small_members(&[3, 1 << 26]));
    expect_bad_input(&at("big.npz"), "2", "GiB");

    write_npz(&at("coo.npz"), "coo", small_members(&[3, 3]));
    expect_bad_input(&at("coo.npz"), "2", "`coo` is not supported");

    let mut members = small_members(&[3, 3]);
    members[0] = ("data", f64s(&[1.0]));
    write_npz(&at("short.npz"), "csr", members);
    expect_bad_input(
        &at("short.npz"),
        "2",
        "indices has 5 entries but data has 1",
    );

    write_npz(&at("ok.npz"), "csr", small_members(&[3, 3]));
    expect_bad_input(&at("ok.npz"), "4", "out of range");
    expect_bad_input(&at("ok.npz"), "0", "out of range");
}

#[test]
fn prone_writes_word2vec_text_and_npy() {
    let dir = tempfile::tempdir().unwrap();
    let edges = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/kernelc-apps/examples/data/karate.edges"
    );
    let text = dir.path().join("karate.emb");
    let output = kernelc(&["prone", edges, "--dim", "8", "--out", path_str(&text)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(&text).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("34 8"));
    assert_eq!(lines.count(), 34);
    let npy = dir.path().join("karate.npy");
    let output = kernelc(&[
        "prone",
        edges,
        "--dim",
        "8",
        "--step",
        "5",
        "--out",
        path_str(&npy),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read_f64(npy).shape(), &[34, 8]);
}

#[test]
fn prone_rejects_bad_input_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.npy");
    let edges = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/kernelc-apps/examples/data/karate.edges"
    );
    let cases: [(&[&str], &str); 3] = [
        (
            &["prone", "/nonexistent/edges.txt", "--dim", "4"],
            "cannot read",
        ),
        (&["prone", edges, "--dim", "40"], "out of range"),
        (
            &["prone", env!("CARGO_MANIFEST_DIR"), "--dim", "4"],
            "cannot read",
        ),
    ];
    for (args, needle) in cases {
        let mut args = args.to_vec();
        args.extend(["--out", path_str(&out)]);
        let output = kernelc(&args);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(message.contains(needle), "{args:?}: {message}");
    }
    let garbage = dir.path().join("garbage.txt");
    std::fs::write(&garbage, "0 1\nfoo bar\n").unwrap();
    let output = kernelc(&[
        "prone",
        path_str(&garbage),
        "--dim",
        "1",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("line 2"), "{}", stderr(&output));
}

/// The step names of `--verbose` lines (each line is the name, padded, then its time).
fn step_names(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(|line| {
            let (name, _) = line.split_at(line.len().min(24));
            name.trim_end().to_owned()
        })
        .collect()
}

fn read_bytes(dir: &Path, names: &[&str]) -> Vec<Vec<u8>> {
    names
        .iter()
        .map(|name| std::fs::read(dir.join(name)).unwrap())
        .collect()
}

#[test]
fn svd_verbose_prints_each_step_on_stderr_and_changes_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("band.npz");
    write_sparse_npz(&input, &SparseMatrix::from(&band()), true).unwrap();
    let run = |out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let mut args = vec!["svd", path_str(&input), "--k", "4", "--n-iter", "3"];
        args.extend(["--out", path_str(&out)]);
        args.extend(extra);
        let output = kernelc(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
        let files = read_bytes(&out, &["U.npy", "S.npy", "Vt.npy"]);
        (stderr(&output), files)
    };
    let (quiet, plain) = run("plain", &[]);
    assert_eq!(
        quiet, "",
        "no step lines without --verbose, and no bar off a terminal"
    );
    for flag in ["--verbose", "-v"] {
        let (lines, verbose) = run(flag, &[flag]);
        assert_eq!(verbose, plain, "--verbose changes the outputs");
        assert!(!lines.contains('\r'), "a bar on a pipe: {lines:?}");
        assert_eq!(
            step_names(&lines),
            [
                "read matrix",
                "prepare kernels",
                "gaussian test matrix",
                "power iteration 1/3",
                "power iteration 2/3",
                "power iteration 3/3",
                "final QR",
                "projection",
                "small SVD",
                "back-projection",
                "write outputs",
                "total",
            ],
            "{lines}"
        );
        let shape = format!("30×20, {} nonzeros", band().nnz());
        assert!(lines.contains(&shape), "{lines}");
        assert!(lines.contains("sparse products"), "{lines}");
    }
    let (_, quiet_files) = run("quiet", &["--quiet"]);
    assert_eq!(quiet_files, plain);
    let clash = kernelc(&[
        "svd",
        path_str(&input),
        "--k",
        "4",
        "-v",
        "-q",
        "--out",
        "x",
    ]);
    assert_eq!(clash.status.code(), Some(2), "{}", stderr(&clash));
}

#[test]
fn prone_verbose_prints_each_step_on_stderr_and_changes_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let edges = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/kernelc-apps/examples/data/karate.edges"
    );
    let run = |out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let mut args = vec!["prone", edges, "--dim", "4", "--step", "3"];
        args.extend(["--out", path_str(&out)]);
        args.extend(extra);
        let output = kernelc(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
        (stderr(&output), std::fs::read(out).unwrap())
    };
    let (quiet, plain) = run("plain.npy", &[]);
    assert_eq!(quiet, "");
    let (lines, verbose) = run("verbose.npy", &["--verbose"]);
    assert_eq!(verbose, plain, "--verbose changes the embedding");
    assert!(!lines.contains('\r'), "a bar on a pipe: {lines:?}");
    let names = step_names(&lines);
    let expected = [
        "read edges",
        "prepare kernels",
        "factorisation matrix",
        "gaussian test matrix",
        "power iteration 1/5",
        "power iteration 2/5",
        "power iteration 3/5",
        "power iteration 4/5",
        "power iteration 5/5",
        "final QR",
        "projection",
        "small SVD",
        "back-projection",
        "feature normalisation",
        "shifted Laplacian",
        "Chebyshev step 1/2",
        "Chebyshev step 2/2",
        "propagation",
        "dense SVD",
        "embedding normalisation",
        "write embedding",
        "total",
    ];
    assert_eq!(names, expected, "{lines}");
    assert!(lines.contains("34 nodes, 78 edges"), "{lines}");
}

#[test]
fn a_failing_verbose_run_reports_the_steps_before_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("band.npz");
    write_sparse_npz(&input, &SparseMatrix::from(&band()), true).unwrap();
    let out = dir.path().join("out");
    let args = [
        "svd",
        path_str(&input),
        "--k",
        "25",
        "-v",
        "--out",
        path_str(&out),
    ];
    let output = kernelc(&args);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.starts_with("read matrix "), "{message}");
    assert!(message.contains("out of range"), "{message}");
    assert!(!message.contains("total"), "{message}");
}
