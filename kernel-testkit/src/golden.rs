//! The golden harness: a corpus case run in every tier through the same `Function::call`
//! path, each [`Outcome`] checked against the case's expectations and all outcomes against
//! each other (values to the bit, arrays after the call, sentinels, error kind, function,
//! `line:col` and fields, and the text the call printed).

use std::fmt::Write as _;

use kernel_runtime::{
    capture_output, Backend, CapturedOutput, Error, ErrorKind, KernelError, Module, NativeTable,
    Options, ParamInfo, Scalar, Type, Value,
};

use crate::arg::{call, parse_scalar, OwnedArg};
use crate::array::TestArray;
use crate::corpus::{ArgText, Case, Expected};

/// What one tier did with one case.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// `Ok(value text)` (empty for unit) or the error in canonical form.
    pub result: Result<String, String>,
    /// Every array argument after the call, as logical values (`{:?}` per element).
    pub arrays: Vec<(String, Vec<String>)>,
    /// Whether every sentinel in the gaps of `.step2` arrays survived.
    pub sentinels_intact: bool,
    /// What the call printed (`println!` and friends), captured.
    pub printed: CapturedOutput,
}

impl Outcome {
    /// The outcome of a call that returned `result`, with the case's arguments afterwards.
    pub fn after(
        case: &Case,
        result: Result<String, String>,
        args: &[OwnedArg],
        printed: CapturedOutput,
    ) -> Outcome {
        let arrays: Vec<(&String, &TestArray)> = case
            .args
            .iter()
            .zip(args)
            .filter_map(|((name, _), arg)| Some((name, arg.as_array()?)))
            .collect();
        Outcome {
            result,
            sentinels_intact: arrays.iter().all(|(_, a)| a.gaps_intact()),
            arrays: arrays
                .into_iter()
                .map(|(name, a)| (name.clone(), a.logical_text()))
                .collect(),
            printed,
        }
    }

    /// The outcome of a case that never got to call: `error` in canonical form.
    pub fn failed(error: String) -> Outcome {
        Outcome {
            result: Err(error),
            arrays: Vec::new(),
            sentinels_intact: true,
            printed: CapturedOutput::default(),
        }
    }
}

/// The case's arguments, owned, typed by the parameters (`params`) where the case does not
/// say. Arrays are passed writable, whatever the parameter: argument checks accept that.
pub fn case_args(case: &Case, params: &[ParamInfo]) -> Vec<OwnedArg> {
    case.args
        .iter()
        .map(|(name, text)| match text {
            ArgText::Array(text) => OwnedArg::Array {
                array: TestArray::parse(text),
                mutable: true,
            },
            ArgText::Scalar(text) => OwnedArg::Scalar(parse_scalar(text, declared(params, name))),
        })
        .collect()
}

/// The declared scalar type of parameter `name` (`None` for `_` or an array).
fn declared(params: &[ParamInfo], name: &str) -> Option<Scalar> {
    match params.iter().find(|p| p.name == name)?.annot {
        kernel_runtime::ir::ir::Annot::Known(Type::Scalar(scalar)) => Some(scalar),
        _ => None,
    }
}

/// The return value as the corpus writes it: `Value`'s `Display`, unit as empty text, an
/// array as [`array_text`].
pub fn return_text(value: Value) -> String {
    match value {
        Value::Unit => String::new(),
        Value::Array(array) => {
            let shape = array.shape().to_vec();
            let elem = array.elem();
            let values = TestArray::from_value(*array).logical_text();
            array_text(elem, &shape, &values)
        }
        value => value.to_string(),
    }
}

/// A returned array as compared: element type, shape, elements in logical order.
fn array_text(elem: Scalar, shape: &[usize], values: &[String]) -> String {
    format!("{elem}{shape:?}[{}]", values.join(", "))
}

/// `@returns TEXT` as [`return_text`] writes it: an array literal (`f64[[1, 2], [3, 4]]`)
/// normalised, anything else as written.
fn expected_return_text(text: &str) -> String {
    let is_array = Scalar::ALL.iter().any(|s| {
        text.strip_prefix(s.name())
            .is_some_and(|rest| rest.starts_with('['))
    });
    if !is_array {
        return text.to_string();
    }
    let array = TestArray::parse(text);
    let shape = array.shape();
    array_text(array.elem(), &shape, &array.logical_text())
}

/// Runs one case in `module`, whichever tier it is.
pub fn run_in(module: &Module, case: &Case) -> Outcome {
    let params = match module.params(&case.function) {
        Ok(params) => params,
        Err(error) => return Outcome::failed(canonical_error(&error)),
    };
    let function = match module.function(&case.function) {
        Ok(function) => function,
        Err(error) => return Outcome::failed(canonical_error(&error)),
    };
    let mut args = case_args(case, &params);
    let (result, printed) = capture_output(|| call(&function, &mut args));
    let result = result.map(return_text).map_err(|e| canonical_error(&e));
    Outcome::after(case, result, &args, printed)
}

/// Compiles the case's file for `backend` (the interpreter or the JIT) and runs the case.
pub fn run_case(case: &Case, backend: Backend) -> Outcome {
    let source = std::fs::read_to_string(&case.file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", case.file.display()));
    let options = Options {
        backend,
        ..Options::default()
    };
    match Module::compile_with(&source, options) {
        Ok(module) => run_in(&module, case),
        Err(e) => Outcome::failed(format!("compile: {}", e.render())),
    }
}

/// One corpus file's native code, as the build script generates it (`NATIVE_CORPUS`).
#[derive(Debug)]
pub struct NativeCorpusFile {
    pub stem: &'static str,
    /// The `NATIVE` table of the file's `#[kernel] mod` (`None` when no function of the file
    /// can be native).
    pub table: Option<&'static NativeTable>,
    /// The file's functions left out of the native code, and why.
    pub not_native: &'static [NotNative],
}

/// A corpus function the native tier does not have, and why.
#[derive(Debug)]
pub struct NotNative {
    pub function: &'static str,
    pub reason: &'static str,
}

/// Whether a case can run natively.
#[derive(Debug)]
pub enum NativePlan {
    Run(Module),
    /// The function is not native (the reason is the build script's).
    Skip(String),
    /// The case cannot be matched to native code: a corpus or build script problem.
    Broken(String),
}

/// The native module a case runs in, from the files of `NATIVE_CORPUS`.
pub fn native_plan(files: &[NativeCorpusFile], case: &Case) -> NativePlan {
    let stem = case.stem();
    let Some(file) = files.iter().find(|f| f.stem == stem) else {
        return NativePlan::Broken(format!("no native code for corpus file `{stem}`"));
    };
    if let Some(not) = file.not_native.iter().find(|n| n.function == case.function) {
        return NativePlan::Skip(format!("not native: {}", not.reason));
    }
    let Some(table) = file.table else {
        return NativePlan::Broken(format!("`{stem}` has no native table"));
    };
    match Module::native(table) {
        Ok(module) if module.function_names().contains(&case.function) => NativePlan::Run(module),
        Ok(_) => NativePlan::Broken(format!("no native function `{}`", case.function)),
        Err(error) => NativePlan::Broken(format!("native module: {error}")),
    }
}

/// Runs a case in the interpreter, the JIT and, when given, the native module.
pub fn run_every_tier(case: &Case, native: Option<&Module>) -> Vec<(Backend, Outcome)> {
    let mut outcomes: Vec<(Backend, Outcome)> = [Backend::Interpreter, Backend::Jit]
        .into_iter()
        .map(|backend| (backend, run_case(case, backend)))
        .collect();
    if let Some(module) = native {
        outcomes.push((Backend::Native, run_in(module, case)));
    }
    outcomes
}

/// The error as the corpus spells it: `KIND LINE:COL [fields] in FUNCTION`,
/// `argument MESSAGE`, `compile RENDERED`.
pub fn canonical_error(error: &Error) -> String {
    match error {
        Error::Kernel(k) => canonical_kernel_error(k),
        Error::Argument(a) => format!("argument {a}"),
        Error::Compile(c) => format!("compile {}", c.render()),
        other => format!("other {other}"),
    }
}

/// A runtime error as the corpus spells it: `KIND LINE:COL [fields] in FUNCTION`.
pub fn canonical_kernel_error(error: &KernelError) -> String {
    let mut text = format!("{} {}:{}", error.kind.name(), error.line, error.col);
    if let ErrorKind::IndexOutOfBounds {
        array,
        axis,
        index,
        extent,
    } = &error.kind
    {
        let _ = write!(
            text,
            " array={array} axis={axis} index={index} extent={extent}"
        );
    }
    match &error.kind {
        ErrorKind::SliceStartAfterEnd {
            array,
            axis,
            start,
            end,
            ..
        } => {
            let _ = write!(text, " array={array} axis={axis} start={start} end={end}");
        }
        ErrorKind::SliceEndPastExtent {
            array,
            axis,
            end,
            extent,
            ..
        } => {
            let _ = write!(text, " array={array} axis={axis} end={end} extent={extent}");
        }
        _ => {}
    }
    if let ErrorKind::AllocationTooLarge { bytes, limit } = &error.kind {
        let bytes = bytes.map_or_else(|| "overflow".to_string(), |b| b.to_string());
        let _ = write!(text, " bytes={bytes} limit={limit}");
    }
    let _ = write!(text, " in {}", error.function);
    text
}

/// Checks one tier's outcome against the case's expectations; returns the failures.
pub fn check_expectations(case: &Case, outcome: &Outcome) -> Vec<String> {
    let mut failures = Vec::new();
    match (&case.outcome, &outcome.result) {
        (Expected::Unit, Ok(text)) if text.is_empty() => {}
        (Expected::Returns(expected), Ok(text)) if expected_return_text(expected) == *text => {}
        (Expected::Error(expected), Err(text)) if error_matches(expected, text) => {}
        (expected, got) => failures.push(format!("expected {expected:?}, got {got:?}")),
    }
    for (name, expected) in &case.expect_arrays {
        let Some((_, got)) = outcome.arrays.iter().find(|(n, _)| n == name) else {
            failures.push(format!("no array argument `{name}`"));
            continue;
        };
        let want = TestArray::parse(expected).logical_text();
        if &want != got {
            failures.push(format!("array `{name}`: expected {want:?}, got {got:?}"));
        }
    }
    for (stream, expected, got) in [
        ("stdout", &case.stdout, &outcome.printed.stdout),
        ("stderr", &case.stderr, &outcome.printed.stderr),
    ] {
        if expected != got {
            failures.push(format!(
                "printed to {stream}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    if !outcome.sentinels_intact {
        failures.push("a write landed outside a strided view".to_owned());
    }
    failures
}

/// An expected error matches when every word of the expectation appears in the canonical
/// text in order (`IndexOutOfBounds 3:17 array=x` matches the full form).
fn error_matches(expected: &str, got: &str) -> bool {
    let expected = expected.trim_matches('"');
    if let Some(message) = expected.strip_prefix("argument ") {
        return got.starts_with("argument ") && got.contains(message.trim_matches('"'));
    }
    let mut rest = got;
    for word in expected.split_whitespace() {
        match rest.find(word) {
            Some(at) => rest = &rest[at + word.len()..],
            None => return false,
        }
    }
    true
}

/// The failures of one case across tiers: every tier's expectation misses, and every
/// disagreement with the first tier.
pub fn case_failures<T: std::fmt::Display>(case: &Case, outcomes: &[(T, Outcome)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (tier, outcome) in outcomes {
        for failure in check_expectations(case, outcome) {
            failures.push(format!("[{tier}] {failure}"));
        }
    }
    if let Some(((first_tier, first), rest)) = outcomes.split_first() {
        for (tier, outcome) in rest {
            if outcome != first {
                failures.push(format!(
                    "tiers disagree: {first_tier} gave {first:?}, {tier} gave {outcome:?}"
                ));
            }
        }
    }
    failures
}

/// Fails the test with every failure listed, one a line.
#[track_caller]
pub fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
