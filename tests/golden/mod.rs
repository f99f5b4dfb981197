//! The golden-corpus harness: every kernel in `tests/corpus/` with its calls, inputs and
//! expected outcomes, run in every tier, which must agree with the expectation and with each
//! other (values to the bit, error kind and location).
//!
//! A corpus file is a kernel source whose `// @` comment lines describe cases:
//! ```text
//! // @call axpy a=2.0 x=f64[1, 2, 3] y=f64[1, 1, 1].rev
//! // @expect y=f64[3, 5, 7]
//! // @returns 12.5
//! // @error IndexOutOfBounds 3:17 array=x axis=0 index=5 extent=3
//! // @error DivisionByZero 4:9
//! // @error argument "overlaps"
//! ```
//! Array values are `TYPE[…]` nested lists; a suffix changes only the memory layout, never the
//! logical values: `.f` Fortran order, `.rev` stored reversed along axis 0 and viewed with a
//! negative stride, `.step2` every other element of a twice-as-long buffer (axis 0) whose gaps
//! hold sentinels that must survive the call untouched.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kernel_runtime::{Arg, Backend, Error, ErrorKind, Module, Options};
use ndarray::{ArrayD, ArrayViewMutD, Axis, IxDyn, ShapeBuilder, Slice};

/// The tiers every case runs in.
pub fn backends() -> Vec<(&'static str, Backend)> {
    vec![("interp", Backend::Interpreter), ("jit", Backend::Jit)]
}

#[derive(Clone, Debug)]
pub struct Case {
    pub file: PathBuf,
    pub line: usize,
    pub function: String,
    pub args: Vec<(String, ArgText)>,
    pub expect_arrays: Vec<(String, String)>,
    pub outcome: Expected,
}

#[derive(Clone, Debug)]
pub enum ArgText {
    Scalar(String),
    Array(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Returns(String),
    Unit,
    Error(String),
}

/// Every corpus file (sorted, so failures are reproducible).
pub fn corpus_files() -> Vec<PathBuf> {
    corpus_files_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"))
}

/// Every corpus file in `dir`, sorted: for test crates outside the root package
/// (`corpus-native`), whose `CARGO_MANIFEST_DIR` is elsewhere.
pub fn corpus_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

/// The cases of one corpus file.
pub fn parse_cases(file: &Path, source: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let Some(directive) = line.trim().strip_prefix("// @") else {
            continue;
        };
        let (keyword, rest) = directive.split_once(' ').unwrap_or((directive, ""));
        let rest = rest.trim();
        match keyword {
            "call" => cases.push(parse_call(file, index + 1, rest)),
            "expect" => {
                let (name, value) = rest.split_once('=').expect("@expect NAME=ARRAY");
                last(&mut cases, file)
                    .expect_arrays
                    .push((name.trim().into(), value.trim().into()));
            }
            "returns" => last(&mut cases, file).outcome = Expected::Returns(rest.into()),
            "error" => last(&mut cases, file).outcome = Expected::Error(rest.into()),
            other => panic!(
                "{}:{}: unknown directive @{other}",
                file.display(),
                index + 1
            ),
        }
    }
    cases
}

fn last<'a>(cases: &'a mut [Case], file: &Path) -> &'a mut Case {
    cases
        .last_mut()
        .unwrap_or_else(|| panic!("{}: directive before any @call", file.display()))
}

fn parse_call(file: &Path, line: usize, rest: &str) -> Case {
    let mut words = split_args(rest).into_iter();
    let function = words.next().expect("@call needs a function name");
    let args = words
        .map(|word| {
            let (name, value) = word.split_once('=').unwrap_or_else(|| {
                panic!(
                    "{}:{line}: argument `{word}` is not NAME=VALUE",
                    file.display()
                )
            });
            let value = if value.contains('[') {
                ArgText::Array(value.into())
            } else {
                ArgText::Scalar(value.into())
            };
            (name.to_owned(), value)
        })
        .collect();
    Case {
        file: file.to_owned(),
        line,
        function,
        args,
        expect_arrays: Vec::new(),
        outcome: Expected::Unit,
    }
}

/// Splits on spaces outside brackets.
fn split_args(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ' ' if depth == 0 => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// An array of any element type, owned, with the layout its suffix asked for.
#[derive(Clone, Debug)]
pub enum AnyArray {
    F64(ArrayD<f64>),
    F32(ArrayD<f32>),
    I64(ArrayD<i64>),
    I32(ArrayD<i32>),
    U64(ArrayD<u64>),
    U32(ArrayD<u32>),
    Usize(ArrayD<usize>),
    Bool(ArrayD<bool>),
}

/// Layout variants of an array argument (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layout {
    C,
    Fortran,
    Reversed,
    Strided,
}

/// A parsed array argument: its storage, and how the kernel sees it.
#[derive(Clone, Debug)]
pub struct ArrayArg {
    pub storage: AnyArray,
    pub layout: Layout,
}

macro_rules! each_array {
    ($value:expr, $a:ident => $body:expr) => {
        match $value {
            AnyArray::F64($a) => $body,
            AnyArray::F32($a) => $body,
            AnyArray::I64($a) => $body,
            AnyArray::I32($a) => $body,
            AnyArray::U64($a) => $body,
            AnyArray::U32($a) => $body,
            AnyArray::Usize($a) => $body,
            AnyArray::Bool($a) => $body,
        }
    };
}

/// Parses `f64[[1, 2], [3, 4]].f` into storage with the requested layout.
pub fn parse_array(text: &str) -> ArrayArg {
    let (body, layout) = match text.rsplit_once("].") {
        Some((body, suffix)) => (
            format!("{body}]"),
            match suffix {
                "f" => Layout::Fortran,
                "rev" => Layout::Reversed,
                "step2" => Layout::Strided,
                other => panic!("unknown layout suffix .{other}"),
            },
        ),
        None => (text.to_owned(), Layout::C),
    };
    let open = body.find('[').expect("array literal");
    let (ty, list) = body.split_at(open);
    let (shape, items) = parse_nested(list);
    let storage = match ty {
        "f64" => AnyArray::F64(build(&shape, &items, layout, parse_float::<f64>)),
        "f32" => AnyArray::F32(build(&shape, &items, layout, parse_float::<f32>)),
        "i64" => AnyArray::I64(build(&shape, &items, layout, |s| s.parse().expect("i64"))),
        "i32" => AnyArray::I32(build(&shape, &items, layout, |s| s.parse().expect("i32"))),
        "u64" => AnyArray::U64(build(&shape, &items, layout, |s| s.parse().expect("u64"))),
        "u32" => AnyArray::U32(build(&shape, &items, layout, |s| s.parse().expect("u32"))),
        "usize" => AnyArray::Usize(build(&shape, &items, layout, |s| s.parse().expect("usize"))),
        "bool" => AnyArray::Bool(build(&shape, &items, layout, |s| s.parse().expect("bool"))),
        other => panic!("unknown element type `{other}`"),
    };
    ArrayArg { storage, layout }
}

fn parse_float<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    let normalised = match text {
        "nan" | "NaN" => "NaN",
        "inf" => "inf",
        "-inf" => "-inf",
        other => other,
    };
    normalised.parse().expect("float")
}

/// Shape and flat items (row-major) of a nested list like `[[1, 2], [3, 4]]`.
fn parse_nested(text: &str) -> (Vec<usize>, Vec<String>) {
    let mut depth = 0usize;
    let mut max_depth = 0usize;
    let mut counts: Vec<usize> = Vec::new();
    let mut items = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '[' => {
                depth += 1;
                max_depth = max_depth.max(depth);
                if counts.len() < depth {
                    counts.push(0);
                }
                counts[depth - 1] = 0;
            }
            ']' | ',' => {
                let item = current.trim().to_owned();
                current.clear();
                if !item.is_empty() {
                    items.push(item);
                    counts[depth - 1] += 1;
                }
                if c == ']' {
                    depth -= 1;
                    if depth > 0 {
                        counts[depth - 1] += 1;
                    }
                }
            }
            _ => current.push(c),
        }
    }
    let _ = max_depth;
    (counts, items)
}

fn build<T: Clone + Default + Sentinel>(
    shape: &[usize],
    items: &[String],
    layout: Layout,
    parse: impl Fn(&str) -> T,
) -> ArrayD<T> {
    let values: Vec<T> = items.iter().map(|s| parse(s)).collect();
    let logical = ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape matches items");
    match layout {
        Layout::C => logical,
        Layout::Fortran => {
            let mut f = ArrayD::from_elem(IxDyn(shape).f(), T::default());
            f.assign(&logical);
            f
        }
        Layout::Reversed => {
            let mut stored = logical.clone();
            stored.invert_axis(Axis(0));
            stored.as_standard_layout().into_owned()
        }
        Layout::Strided => {
            let mut doubled = shape.to_vec();
            doubled[0] *= 2;
            let mut stored = ArrayD::from_elem(IxDyn(&doubled), T::sentinel());
            stored
                .slice_axis_mut(Axis(0), Slice::new(0, None, 2))
                .assign(&logical);
            stored
        }
    }
}

/// A value that no kernel in the corpus writes, to detect writes outside a view.
pub trait Sentinel {
    fn sentinel() -> Self;
}
macro_rules! sentinel {
    ($($t:ty = $v:expr),*) => {$(impl Sentinel for $t { fn sentinel() -> Self { $v } })*};
}
sentinel!(
    f64 = -7777.0,
    f32 = -7777.0,
    i64 = -7777,
    i32 = -7777,
    u64 = 7777,
    u32 = 7777,
    usize = 7777,
    bool = true
);

/// The view a kernel sees of stored data with a layout.
pub fn view_of<T>(array: &mut ArrayD<T>, layout: Layout) -> ArrayViewMutD<'_, T> {
    let mut view = array.view_mut();
    match layout {
        Layout::C | Layout::Fortran => view,
        Layout::Reversed => {
            view.invert_axis(Axis(0));
            view
        }
        Layout::Strided => view.slice_axis_move(Axis(0), Slice::new(0, None, 2)),
    }
}

/// What one tier did with one case.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// `Ok(value text)` (empty for unit) or the error in canonical form.
    pub result: Result<String, String>,
    /// Every array argument after the call, as logical values (`{:?}` per element).
    pub arrays: Vec<(String, Vec<String>)>,
    /// Whether every sentinel outside strided views survived.
    pub sentinels_intact: bool,
}

pub fn run_case(case: &Case, backend: Backend) -> Outcome {
    let source = std::fs::read_to_string(&case.file).expect("corpus file");
    let options = Options {
        backend,
        ..Options::default()
    };
    let module = match Module::compile_with(&source, options) {
        Ok(module) => module,
        Err(e) => {
            return Outcome {
                result: Err(format!("compile: {}", e.render())),
                arrays: Vec::new(),
                sentinels_intact: true,
            }
        }
    };
    let mut arrays: Vec<(String, ArrayArg)> = Vec::new();
    let mut scalars: Vec<(String, String)> = Vec::new();
    for (name, value) in &case.args {
        match value {
            ArgText::Array(text) => arrays.push((name.clone(), parse_array(text))),
            ArgText::Scalar(text) => scalars.push((name.clone(), text.clone())),
        }
    }
    let result = call(&module, case, &mut arrays, &scalars);
    let sentinels_intact = arrays.iter().all(|(_, a)| sentinels_intact(a));
    let arrays = arrays
        .iter_mut()
        .map(|(name, a)| (name.clone(), logical_values(a)))
        .collect();
    Outcome {
        result,
        arrays,
        sentinels_intact,
    }
}

fn call(
    module: &Module,
    case: &Case,
    arrays: &mut [(String, ArrayArg)],
    scalars: &[(String, String)],
) -> Result<String, String> {
    let function = module
        .function(&case.function)
        .map_err(|e| format!("{e}"))?;
    let params = module.params(&case.function).map_err(|e| format!("{e}"))?;
    let mut args: Vec<Arg<'_>> = Vec::new();
    let mut array_iter = arrays.iter_mut();
    // Arguments are given in parameter order in the corpus; arrays and scalars interleave.
    let mut scalar_iter = scalars.iter();
    for (name, value) in &case.args {
        match value {
            ArgText::Array(_) => {
                let (_, array) = array_iter.next().expect("array arg");
                let layout = array.layout;
                args.push(each_array!(&mut array.storage, a => Arg::from(view_of(a, layout))));
            }
            ArgText::Scalar(text) => {
                let _ = scalar_iter.next();
                let param = params.iter().find(|p| &p.name == name);
                args.push(scalar_arg(text, param.map(|p| p.annot)));
            }
        }
    }
    match function.call(&mut args) {
        Ok(kernel_runtime::Value::Unit) => Ok(String::new()),
        Ok(value) => Ok(value.to_string()),
        Err(error) => Err(canonical_error(&error)),
    }
}

pub fn scalar_arg(text: &str, annot: Option<kernel_runtime::ir::ir::Annot>) -> Arg<'static> {
    use kernel_runtime::ir::ir::Annot;
    use kernel_runtime::{Scalar, Type};
    let ty = match annot {
        Some(Annot::Known(Type::Scalar(s))) => Some(s),
        _ => None,
    };
    let (text, suffix) = split_suffix(text);
    let ty = suffix.or(ty);
    match ty {
        Some(Scalar::Bool) => Arg::from(text.parse::<bool>().expect("bool")),
        Some(Scalar::I32) => Arg::from(text.parse::<i32>().expect("i32")),
        Some(Scalar::I64) => Arg::from(text.parse::<i64>().expect("i64")),
        Some(Scalar::U32) => Arg::from(text.parse::<u32>().expect("u32")),
        Some(Scalar::U64) => Arg::from(text.parse::<u64>().expect("u64")),
        Some(Scalar::Usize) => Arg::from(text.parse::<usize>().expect("usize")),
        Some(Scalar::F32) => Arg::from(parse_float::<f32>(text)),
        Some(Scalar::F64) => Arg::from(parse_float::<f64>(text)),
        None if text == "true" || text == "false" => Arg::from(text == "true"),
        None if text.parse::<i64>().is_ok() => Arg::from(text.parse::<i64>().expect("i64")),
        None => Arg::from(parse_float::<f64>(text)),
    }
}

/// `3u32` → ("3", Some(U32)); used to pass typed scalars to `_` parameters.
fn split_suffix(text: &str) -> (&str, Option<kernel_runtime::Scalar>) {
    for scalar in kernel_runtime::Scalar::ALL {
        if let Some(stripped) = text.strip_suffix(scalar.name()) {
            if !stripped.is_empty() && !stripped.ends_with('e') {
                return (stripped, Some(scalar));
            }
        }
    }
    (text, None)
}

/// The error as the corpus spells it: `KIND LINE:COL [fields]`, `argument MESSAGE`, `compile`.
pub fn canonical_error(error: &Error) -> String {
    match error {
        Error::Kernel(k) => {
            let mut text = format!("{} {}:{}", kind_name(&k.kind), k.line, k.col);
            if let ErrorKind::IndexOutOfBounds {
                array,
                axis,
                index,
                extent,
            } = &k.kind
            {
                let _ = write!(
                    text,
                    " array={array} axis={axis} index={index} extent={extent}"
                );
            }
            let _ = write!(text, " in {}", k.function);
            text
        }
        Error::Argument(a) => format!("argument {a}"),
        Error::Compile(c) => format!("compile {}", c.render()),
        other => format!("other {other}"),
    }
}

fn kind_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::IndexOutOfBounds { .. } => "IndexOutOfBounds",
        ErrorKind::DivisionByZero => "DivisionByZero",
        ErrorKind::DivisionOverflow => "DivisionOverflow",
        ErrorKind::RecursionLimit { .. } => "RecursionLimit",
        ErrorKind::ZeroStep => "ZeroStep",
        ErrorKind::InvalidClamp => "InvalidClamp",
        ErrorKind::Interrupted => "Interrupted",
        ErrorKind::Timeout => "Timeout",
    }
}

pub fn logical_values(array: &mut ArrayArg) -> Vec<String> {
    let layout = array.layout;
    each_array!(&mut array.storage, a => view_of(a, layout).iter().map(|x| format!("{x:?}")).collect())
}

pub fn sentinels_intact(array: &ArrayArg) -> bool {
    if array.layout != Layout::Strided {
        return true;
    }
    fn gaps_intact<T: Sentinel + PartialEq + Clone>(a: &ArrayD<T>) -> bool {
        a.slice_axis(Axis(0), Slice::new(1, None, 2))
            .iter()
            .all(|x| *x == T::sentinel())
    }
    each_array!(&array.storage, a => gaps_intact(a))
}

/// Checks one tier's outcome against the case's expectations; returns the failures.
pub fn check_expectations(case: &Case, outcome: &Outcome) -> Vec<String> {
    let mut failures = Vec::new();
    match (&case.outcome, &outcome.result) {
        (Expected::Unit, Ok(text)) if text.is_empty() => {}
        (Expected::Returns(expected), Ok(text)) if expected == text => {}
        (Expected::Error(expected), Err(text)) if error_matches(expected, text) => {}
        (expected, got) => failures.push(format!("expected {expected:?}, got {got:?}")),
    }
    for (name, expected) in &case.expect_arrays {
        let Some((_, got)) = outcome.arrays.iter().find(|(n, _)| n == name) else {
            failures.push(format!("no array argument `{name}`"));
            continue;
        };
        let want = logical_values(&mut parse_array(expected));
        if &want != got {
            failures.push(format!("array `{name}`: expected {want:?}, got {got:?}"));
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
