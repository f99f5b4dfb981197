//! Bad arguments to `kernelc run`: each exits 2 with a message naming the parameter, what it
//! expects and what it got, and nothing runs.

mod cli_support;

use cli_support::{f64_array, Outcome, Workspace};
use kernel_npy::NpyArray;
use ndarray::{ArrayD, IxDyn};

const KERNEL: &str = "\
fn scale(x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>, s: f64, n: i32, k: u64, flag: bool) {
    out[[0, 0]] = x[[0, 0]] * s;
}
fn other() {}
";

/// A workspace with the kernel and good inputs `x.npy`, `out.npy` (2×2 f64).
fn setup() -> Workspace {
    let ws = Workspace::new();
    ws.kernel("k.rs", KERNEL);
    ws.save("x.npy", f64_array(&[2, 2], vec![1.0; 4]));
    ws.save("out.npy", f64_array(&[2, 2], vec![0.0; 4]));
    ws
}

/// Runs `scale` with the good arguments, each replaced or removed as `change` says.
fn run_scale(ws: &Workspace, change: &[(&str, Option<&str>)]) -> Outcome {
    let mut args: Vec<String> = ["run", "k.rs", "--fn", "scale"].map(String::from).to_vec();
    let good = [
        ("x", "x.npy"),
        ("out", "out.npy"),
        ("s", "2"),
        ("n", "1"),
        ("k", "1"),
        ("flag", "true"),
    ];
    for (name, value) in good {
        let value = match change.iter().find(|(n, _)| *n == name) {
            Some((_, replacement)) => *replacement,
            None => Some(value),
        };
        if let Some(value) = value {
            args.push(format!("{name}={value}"));
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ws.kernelc(&args)
}

#[test]
fn the_good_arguments_run() {
    let ws = setup();
    run_scale(&ws, &[]).expect_status(0);
    assert_eq!(cli_support::f64_values(&ws.load("out.npy"))[0], 2.0);
}

#[test]
fn a_wrong_dtype_names_parameter_expected_and_actual() {
    let ws = setup();
    let ints = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1i32; 4]).unwrap();
    ws.save("ints.npy", NpyArray::from(ints));
    let before = std::fs::read(ws.path("out.npy")).unwrap();
    run_scale(&ws, &[("x", Some("ints.npy"))])
        .expect_status(2)
        .expect_stderr("parameter `x` expects ArrayView2<f64> (a rank-2 array of f64, dtype <f8)")
        .expect_stderr("`ints.npy` holds a rank-2 array of i32 (dtype <i4)");
    assert_eq!(
        std::fs::read(ws.path("out.npy")).unwrap(),
        before,
        "nothing ran"
    );
}

#[test]
fn a_wrong_rank_names_parameter_expected_and_actual() {
    let ws = setup();
    ws.save("v.npy", f64_array(&[4], vec![0.0; 4]));
    ws.save("s.npy", f64_array(&[], vec![0.0]));
    run_scale(&ws, &[("out", Some("v.npy"))])
        .expect_status(2)
        .expect_stderr(
            "parameter `out` expects ArrayViewMut2<f64> (a rank-2 array of f64, dtype <f8)",
        )
        .expect_stderr("`v.npy` holds a rank-1 array of f64");
    run_scale(&ws, &[("x", Some("s.npy"))])
        .expect_status(2)
        .expect_stderr("holds a 0-d array");
}

#[test]
fn unknown_missing_duplicated_and_malformed_parameters() {
    let ws = setup();
    let unknown = ws.kernelc(&[
        "run",
        "k.rs",
        "--fn",
        "scale",
        "x=x.npy",
        "out=out.npy",
        "s=1",
        "n=1",
        "k=1",
        "flag=true",
        "z=3",
    ]);
    unknown
        .expect_status(2)
        .expect_stderr("`scale` has no parameter `z` (its parameters: x, out, s, n, k, flag)");
    run_scale(&ws, &[("s", None), ("flag", None)])
        .expect_status(2)
        .expect_stderr("missing arguments for `scale`: s=… flag=…");
    ws.kernelc(&["run", "k.rs", "--fn", "scale", "s=1", "s=2"])
        .expect_status(2)
        .expect_stderr("parameter `s` is given more than once");
    ws.kernelc(&["run", "k.rs", "--fn", "scale", "s"])
        .expect_status(2)
        .expect_stderr("argument `s` is not of the form NAME=VALUE");
    ws.kernelc(&["run", "k.rs", "--fn", "scale", "=3"])
        .expect_status(2)
        .expect_stderr("not of the form NAME=VALUE");
}

#[test]
fn an_unknown_function_lists_the_available_ones() {
    let ws = setup();
    ws.kernelc(&["run", "k.rs", "--fn", "scal"])
        .expect_status(2)
        .expect_stderr("no function `scal` in `k.rs` (available: ")
        .expect_stderr("scale")
        .expect_stderr("other");
}

#[test]
fn scalar_literals_are_checked_against_the_parameter_type() {
    let ws = setup();
    let cases = [
        (
            "k",
            "-1",
            "parameter `k` expects an integer (u64), but got `-1`: out of range for u64",
        ),
        (
            "n",
            "3000000000",
            "out of range for i32 (-2147483648..=2147483647)",
        ),
        (
            "n",
            "3.0",
            "parameter `n` expects an integer (i32), but got `3.0`: expected an integer",
        ),
        (
            "s",
            "abc",
            "parameter `s` expects a number (f64), but got `abc`",
        ),
        (
            "s",
            "x.npy",
            "a scalar parameter takes a literal, not a file",
        ),
        (
            "flag",
            "1",
            "parameter `flag` expects a bool (true or false), but got `1`",
        ),
    ];
    for (name, value, message) in cases {
        run_scale(&ws, &[(name, Some(value))])
            .expect_status(2)
            .expect_stderr(message);
    }
}

#[test]
fn unreadable_or_hostile_npy_files_are_bad_arguments() {
    let ws = setup();
    std::fs::write(ws.path("junk.npy"), b"\x93NUMPY\x01\x00\xff\xff{").unwrap();
    std::fs::write(ws.path("text.npy"), b"hello").unwrap();
    run_scale(&ws, &[("x", Some("missing.npy"))])
        .expect_status(2)
        .expect_stderr("parameter `x`: cannot read `missing.npy`");
    run_scale(&ws, &[("x", Some("junk.npy"))])
        .expect_status(2)
        .expect_stderr("`junk.npy`: the header is 65535 bytes long");
    run_scale(&ws, &[("x", Some("text.npy"))])
        .expect_status(2)
        .expect_stderr("not a .npy file");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/kernel-npy/tests/data/npy/");
    let big_endian = format!("{fixtures}f8_be.npy");
    run_scale(&ws, &[("x", Some(&big_endian))])
        .expect_status(2)
        .expect_stderr("big-endian dtype `>f8`");
    let object = format!("{fixtures}object.npy");
    run_scale(&ws, &[("x", Some(&object))])
        .expect_status(2)
        .expect_stderr("object arrays");
}

#[test]
fn inferred_parameters_reject_bad_files_and_out_of_range_integers() {
    let ws = Workspace::new();
    ws.kernel("g.rs", "fn g(a: _) {}\n");
    ws.save("s.npy", f64_array(&[], vec![1.0]));
    ws.kernelc(&["run", "g.rs", "--fn", "g", "a=s.npy"])
        .expect_status(2)
        .expect_stderr(
            "parameter `a` expects an array of rank 1 to 3, but `s.npy` holds a 0-d array",
        );
    ws.kernelc(&["run", "g.rs", "--fn", "g", "a=nothing"])
        .expect_status(2)
        .expect_stderr("`nothing` is not a scalar literal, and reading it as a .npy file failed");
    ws.kernelc(&["run", "g.rs", "--fn", "g", "a=99999999999999999999"])
        .expect_status(2)
        .expect_stderr("out of range for i64");
}

#[test]
fn an_output_directory_that_cannot_be_created_is_a_bad_argument() {
    let ws = setup();
    std::fs::write(ws.path("blocker"), b"a file, not a directory").unwrap();
    let mut args = vec!["run", "k.rs", "--fn", "scale", "--out", "blocker/sub"];
    args.extend(["x=x.npy", "out=out.npy", "s=1", "n=1", "k=1", "flag=true"]);
    ws.kernelc(&args)
        .expect_status(2)
        .expect_stderr("cannot create the output directory `blocker/sub`");
}
