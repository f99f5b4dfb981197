//! Warnings: every `tests/warnings/NAME.rs` must compile, and its warnings render exactly as
//! `NAME.stderr` records (`KERNELC_BLESS=1` rewrites the records after an intended change;
//! review the diff). Beside the corpus, the rule itself case by case: which comparisons are
//! decided by their type, and which are not.

use std::path::Path;

use kernel_ir::{ArgType, Scalar, Severity};

#[test]
fn every_warning_renders_as_recorded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/warnings");
    kernel_testkit::recorded::check_recorded(&dir, 2, |source| match kernel_ir::compile(source) {
        Ok(program) => Ok(program.render_warnings()),
        Err(error) => Err(format!("does not compile:\n{error}")),
    });
}

/// The warning messages of `fn f(x: T) -> bool { condition }`.
fn warnings_of(ty: &str, condition: &str) -> Vec<String> {
    let source = format!("fn f(x: {ty}) -> bool {{ {condition} }}");
    let program = kernel_ir::compile(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
    program
        .warnings()
        .iter()
        .map(|w| {
            assert_eq!(w.severity, Severity::Warning);
            w.message.clone()
        })
        .collect()
}

#[test]
fn comparisons_decided_by_the_type_warn() {
    let always = |outcome: bool| vec![format!("comparison is always {outcome}")];
    for ty in ["usize", "u32", "u64", "u8", "u16"] {
        assert_eq!(warnings_of(ty, "x >= 0"), always(true), "{ty}");
        assert_eq!(warnings_of(ty, "x < 0"), always(false), "{ty}");
        assert_eq!(warnings_of(ty, "0 <= x"), always(true), "{ty}");
        assert_eq!(warnings_of(ty, "0 > x"), always(false), "{ty}");
        assert_eq!(warnings_of(ty, &format!("x <= {ty}::MAX")), always(true));
        assert_eq!(warnings_of(ty, &format!("{ty}::MAX < x")), always(false));
    }
    for ty in ["i32", "i64", "i8", "i16"] {
        assert_eq!(warnings_of(ty, &format!("x >= {ty}::MIN")), always(true));
        assert_eq!(warnings_of(ty, &format!("x < {ty}::MIN")), always(false));
        assert_eq!(warnings_of(ty, &format!("x > {ty}::MAX")), always(false));
        assert_eq!(warnings_of(ty, &format!("{ty}::MAX >= x")), always(true));
    }
}

#[test]
fn comparisons_the_type_does_not_decide_stay_silent() {
    let silent = [
        ("usize", "x > 0"),
        ("usize", "x <= 0"),
        ("usize", "x == 0"),
        ("usize", "x != 0"),
        ("u32", "0 < x"),
        ("u8", "x < 255"),
        ("u8", "x <= 254"),
        ("i8", "x > -128"),
        ("i16", "x < 32767"),
        ("u32", "x >= 1"),
        ("u64", "x < u64::MAX"),
        ("u64", "x >= u64::MAX"),
        ("i64", "x >= 0"),
        ("i64", "x < 0"),
        ("i32", "x > i32::MIN"),
        ("i32", "x <= i32::MIN"),
        ("f64", "x >= 0.0"),
        ("f64", "x <= f64::MAX"),
        ("bool", "x >= false"),
        ("u8", "x as i32 <= 255"),
        ("usize", "x as i64 >= 0"),
        ("usize", "x >= x"),
    ];
    for (ty, condition) in silent {
        assert_eq!(
            warnings_of(ty, condition),
            Vec::<String>::new(),
            "{ty}: {condition}"
        );
    }
}

#[test]
fn a_warning_renders_like_rustc() {
    let source = "fn f(n: usize) -> bool {\n    n >= 0\n}\n";
    let program = kernel_ir::compile(source).expect("compiles");
    assert_eq!(
        program.render_warnings(),
        "warning: comparison is always true\n \
         --> 2:5\n  |\n\
         2 |     n >= 0\n  \
         |     ^^^^^^ `usize` values are never negative\n  |\n  \
         = help: remove the comparison, or compare a value of a signed type\n"
    );
    assert_eq!(
        program.warnings()[0].to_string(),
        "warning: comparison is always true at 2:5"
    );
}

#[test]
fn a_generic_function_warns_per_instance_type_once() {
    let source = "fn nonneg(x: _) -> bool { x >= 0 }\nfn g(n: u32) -> bool { nonneg(n) }";
    let mut program = kernel_ir::compile(source).expect("compiles");
    let labels = |program: &kernel_ir::Program| -> Vec<String> {
        program.warnings().iter().map(|w| w.label.clone()).collect()
    };
    assert_eq!(labels(&program), ["`u32` values are never negative"]);
    program
        .instantiate("nonneg", &[ArgType::Scalar(Scalar::I64)])
        .expect("i64 instance");
    program
        .instantiate("nonneg", &[ArgType::Scalar(Scalar::U32)])
        .expect("u32 instance again");
    assert_eq!(labels(&program), ["`u32` values are never negative"]);
    program
        .instantiate("nonneg", &[ArgType::Scalar(Scalar::Usize)])
        .expect("usize instance");
    assert_eq!(
        labels(&program),
        [
            "`u32` values are never negative",
            "`usize` values are never negative"
        ]
    );
}

#[test]
fn a_source_with_errors_reports_only_its_errors() {
    let error = kernel_ir::compile("fn f(n: usize) -> bool { n >= 0 }\nfn g() -> f64 { 1 + true }")
        .expect_err("g is ill-typed");
    assert!(error
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Error));
}
