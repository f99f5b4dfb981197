//! `kernelc check`, `kernelc explain` and clap's usage errors.

mod cli_support;

use cli_support::Workspace;
use kernel_npy::NpyArray;
use ndarray::{ArrayD, IxDyn};

const GOOD: &str = "pub fn add(a: f64, b: f64) -> f64 {\n    a + b\n}\n";
const BAD: &str = "fn f(x: f64) -> f64 {\n    let n: i64 = 3;\n    x + n\n}\n";

#[test]
fn check_prints_ok_for_a_valid_kernel() {
    let ws = Workspace::new();
    let file = ws.kernel("good.rs", GOOD);
    let outcome = ws.kernelc(&["check", &file]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "ok\n");
    assert_eq!(outcome.stderr, "");
}

#[test]
fn check_renders_diagnostics_on_stderr_and_exits_1() {
    let ws = Workspace::new();
    let file = ws.kernel("bad.rs", BAD);
    let outcome = ws.kernelc(&["check", &file]);
    outcome
        .expect_status(1)
        .expect_stderr("error: ")
        .expect_stderr("--> 3:");
    assert_eq!(outcome.stdout, "", "nothing but `ok` goes to stdout");
    assert!(
        outcome.stderr.contains("x + n"),
        "the source line is shown: {outcome:#?}"
    );
}

#[test]
fn a_source_that_is_not_utf8_is_a_compile_error() {
    let ws = Workspace::new();
    std::fs::write(ws.path("latin1.rs"), b"fn f() { let caf\xe9 = 1; }\n").unwrap();
    ws.kernelc(&["check", "latin1.rs"])
        .expect_status(1)
        .expect_stderr("not UTF-8");
    ws.kernelc(&["run", "latin1.rs", "--fn", "f"])
        .expect_status(1);
}

#[test]
fn a_missing_source_file_is_a_bad_argument() {
    let ws = Workspace::new();
    ws.kernelc(&["check", "nowhere.rs"])
        .expect_status(2)
        .expect_stderr("cannot read `nowhere.rs`");
    ws.kernelc(&["run", "nowhere.rs", "--fn", "f"])
        .expect_status(2);
    ws.kernelc(&["explain", "nowhere.rs"]).expect_status(2);
}

#[test]
fn usage_errors_exit_2() {
    let ws = Workspace::new();
    let file = ws.kernel("good.rs", GOOD);
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["check"],
        vec!["run", &file],
        vec!["run", &file, "--fn", "add", "--backend", "gpu"],
        vec!["run", &file, "--fn", "add", "--timeout", "0"],
        vec!["run", &file, "--fn", "add", "--timeout", "-1"],
        vec!["run", &file, "--fn", "add", "--timeout", "soon"],
        vec!["run", &file, "--fn", "add", "--timeout", "nan"],
        vec!["explain", &file, "--clif", "--asm"],
    ] {
        let outcome = ws.kernelc(&args);
        outcome.expect_status(2);
        assert_eq!(outcome.stdout, "", "{args:?}");
    }
}

#[test]
fn help_and_version_succeed() {
    let ws = Workspace::new();
    let help = ws.kernelc(&["run", "--help"]);
    help.expect_status(0);
    assert!(help.stdout.contains("--timeout"));
    ws.kernelc(&["--version"]).expect_status(0);
}

#[test]
fn explain_prints_the_typed_ir() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "two.rs",
        "fn first(x: f64) -> f64 { let y = x * 2; y }\nfn second(n: i64) -> i64 { n + 1 }\n",
    );
    let all = ws.kernelc(&["explain", &file]);
    all.expect_status(0);
    assert!(
        all.stdout.contains("first") && all.stdout.contains("second"),
        "{all:#?}"
    );
    let one = ws.kernelc(&["explain", &file, "--fn", "second", "--ir"]);
    one.expect_status(0);
    assert!(one.stdout.contains("second"), "{one:#?}");
    assert!(
        !one.stdout.contains("first"),
        "only the chosen function: {one:#?}"
    );
}

#[test]
fn explain_reports_compile_errors_and_unknown_functions() {
    let ws = Workspace::new();
    let bad = ws.kernel("bad.rs", BAD);
    ws.kernelc(&["explain", &bad])
        .expect_status(1)
        .expect_stderr("error: ");
    let good = ws.kernel("good.rs", GOOD);
    ws.kernelc(&["explain", &good, "--fn", "mul"])
        .expect_status(2)
        .expect_stderr("no function `mul`")
        .expect_stderr("available: add");
}

const WARNS: &str = "pub fn count(a: &[f64]) -> usize {\n    let mut c = 0;\n    for i in 0..a.len() {\n        if i >= 0 && a[i] > 0.0 {\n            c += 1;\n        }\n    }\n    c\n}\n";

const WARNING: &str = "\
warning: comparison is always true
 --> 4:12
  |
4 |         if i >= 0 && a[i] > 0.0 {
  |            ^^^^^^ `usize` values are never negative
  |
  = help: remove the comparison, or compare a value of a signed type

";

#[test]
fn check_prints_warnings_on_stderr_and_still_succeeds() {
    let ws = Workspace::new();
    let file = ws.kernel("warns.rs", WARNS);
    let outcome = ws.kernelc(&["check", &file]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "ok\n");
    assert_eq!(outcome.stderr, WARNING);
}

#[test]
fn run_prints_warnings_on_stderr_in_every_backend() {
    let ws = Workspace::new();
    let file = ws.kernel("warns.rs", WARNS);
    let a = ws.save("a.npy", cli_support::f64_array(&[3], vec![1.0, -2.0, 3.0]));
    for backend in ["jit", "interp"] {
        let outcome = ws.kernelc(&[
            "run",
            &file,
            "--fn",
            "count",
            "--backend",
            backend,
            &format!("a={a}"),
        ]);
        outcome.expect_status(0);
        assert_eq!(outcome.stdout, "2\n", "{backend}");
        assert_eq!(outcome.stderr, WARNING, "{backend}");
    }
}

#[test]
fn run_prints_a_generic_instance_warning_before_the_kernel_error() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "generic.rs",
        "fn pick(a: _, i: usize) -> f64 {\n    if a[i] < 0 {\n        return 0.0;\n    }\n    a[i] as f64\n}\n",
    );
    let unsigned = ws.save(
        "u.npy",
        NpyArray::from(ArrayD::from_elem(IxDyn(&[2]), 7u32)),
    );
    let outcome = ws.kernelc(&[
        "run",
        &file,
        "--fn",
        "pick",
        &format!("a={unsigned}"),
        "i=5",
    ]);
    outcome
        .expect_status(3)
        .expect_stderr("warning: comparison is always false\n --> 2:8")
        .expect_stderr("`u32` values are never negative");
    let warning_at = outcome.stderr.find("warning:").unwrap();
    let error_at = outcome.stderr.find("error:").expect("the kernel error");
    assert!(warning_at < error_at, "{outcome:#?}");
    // A signed array makes an instance with nothing to warn about.
    let signed = ws.save(
        "s.npy",
        NpyArray::from(ArrayD::from_elem(IxDyn(&[2]), -7i64)),
    );
    let outcome = ws.kernelc(&["run", &file, "--fn", "pick", &format!("a={signed}"), "i=1"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "0.0\n");
    assert_eq!(outcome.stderr, "");
}
