//! Exports the golden corpus as the JIT tier runs it, for `kernelc-py/tests/test_corpus.py`:
//! everything Python needs to replay each case and everything Rust got, to compare bit for bit.
//!
//! ```text
//! cargo run -p kernel-testkit --example export_corpus -- OUT_DIR
//! ```
//!
//! Writes `OUT_DIR/manifest.json` and one `.npy` file per array (arguments before and after
//! the call, returned arrays). The manifest holds `{"cases": [CASE, …]}` in corpus order:
//!
//! - `file` (`arrays.rs`), `source` (the corpus file's path), `line` (of the `@call`),
//!   `function`;
//! - `args`, in parameter order: `{"name", "param": the declared type or "_", "kind":
//!   "scalar", "type", "bits"}` or `{…, "kind": "array", "elem", "shape", "layout": "c" |
//!   "f" | "rev" | "step2", "before": NPY, "after": NPY}`; `bits` is the value's raw 64-bit
//!   slot as hex (signed integers sign-extended), `usize` arrays are stored as `<u8`;
//! - `result`: `{"kind": "unit"}`, `{"kind": "returns", "value": VALUE}` with VALUE
//!   `{"kind": "scalar", "type", "bits"}`, `{"kind": "tuple", "elements": [VALUE, …]}` or
//!   `{"kind": "array", "elem", "shape", "npy"}`, or `{"kind": "error", "error": ERROR}`;
//! - ERROR: `{"class": "kernel" | "argument" | "compile" | "other", "canonical": the corpus
//!   form, "message": the Rust error's text}`, plus for `kernel` its `kind`, `function`,
//!   `line`, `col` and `fields` (`array`, `axis`, `index`, `extent`, `start`, `end`, `bytes`,
//!   `limit` as the kind has them, numbers as decimal strings), and for `argument` the
//!   `ArgumentError` variant as `variant`; a compile error's `message` is its rustc-style
//!   rendering;
//! - `stdout`, `stderr`: what the call printed.
//!
//! Each case runs through the harness's own pieces (`golden::case_args`, `arg::call`,
//! `capture_output`, `canonical_error`), and its outcome must meet the case's expectations
//! (`golden::check_expectations`): an export is of golden results only, or it fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kernel_npy::{write_npy, NpyArray, NpyData};
use kernel_runtime::{
    capture_output, Backend, Error, ErrorKind, KernelError, Module, Options, Value,
};
use kernel_testkit::arg::{call, value_bits};
use kernel_testkit::corpus::file_stem;
use kernel_testkit::golden::{case_args, return_text};
use kernel_testkit::{
    all_cases, canonical_error, canonical_kernel_error, check_expectations, AnyArray, Case, Layout,
    Outcome, OwnedArg, TestArray,
};
use ndarray::{ArrayD, Axis, Slice};
use serde_json::{json, Map, Value as Json};

fn main() -> ExitCode {
    let Some(out_dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: export_corpus OUT_DIR");
        return ExitCode::from(2);
    };
    match export(&out_dir) {
        Ok(count) => {
            eprintln!("exported {count} corpus case(s) to {}", out_dir.display());
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("export_corpus: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Runs every case in the JIT and writes the manifest and arrays; the number of cases.
fn export(out_dir: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut writer = NpyWriter {
        dir: out_dir.to_owned(),
        count: 0,
    };
    let mut modules = JitModules::default();
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    for case in all_cases() {
        let (record, outcome) = run_and_record(&case, modules.get(&case.file)?, &mut writer)?;
        for failure in check_expectations(&case, &outcome) {
            failures.push(format!("{}: {failure}", case.label()));
        }
        cases.push(record);
    }
    if !failures.is_empty() {
        return Err(format!(
            "the JIT does not meet the corpus's expectations:\n{}",
            failures.join("\n")
        ));
    }
    let manifest = serde_json::to_string_pretty(&json!({ "cases": cases }))
        .map_err(|e| format!("manifest: {e}"))?;
    let path = out_dir.join("manifest.json");
    std::fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(cases.len())
}

/// Each corpus file compiled once for the JIT (its cases share the module, as a Python
/// session would), or its compile error.
#[derive(Default)]
struct JitModules {
    file: Option<PathBuf>,
    module: Option<Result<Module, Error>>,
}

impl JitModules {
    fn get(&mut self, file: &Path) -> Result<&Result<Module, Error>, String> {
        if self.file.as_deref() != Some(file) {
            let source =
                std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let options = Options {
                backend: Backend::Jit,
                ..Options::default()
            };
            self.module = Some(Module::compile_with(&source, options));
            self.file = Some(file.to_owned());
        }
        Ok(self.module.as_ref().expect("compiled above"))
    }
}

/// Runs one case as `golden::run_in` does, keeping the raw return value and arguments:
/// the case's manifest entry and the harness's `Outcome` of it.
fn run_and_record(
    case: &Case,
    module: &Result<Module, Error>,
    writer: &mut NpyWriter,
) -> Result<(Json, Outcome), String> {
    let mut record = Map::new();
    record.insert("file".into(), json!(format!("{}.rs", case.stem())));
    record.insert("source".into(), json!(case.file.display().to_string()));
    record.insert("line".into(), json!(case.line));
    record.insert("function".into(), json!(case.function));
    let prefix = format!("{}-{}-{}", file_stem(&case.file), case.line, case.function);
    let module = match module {
        Ok(module) => module,
        Err(error) => {
            let outcome = Outcome::failed(format!("compile: {}", error.render()));
            record.insert("args".into(), json!([]));
            record.insert("result".into(), error_result(error));
            return Ok((finish(record, &outcome), outcome));
        }
    };
    let prepared = module
        .params(&case.function)
        .and_then(|params| Ok((module.function(&case.function)?, params)));
    let (function, params) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            let outcome = Outcome::failed(canonical_error(&error));
            record.insert("args".into(), json!([]));
            record.insert("result".into(), error_result(&error));
            return Ok((finish(record, &outcome), outcome));
        }
    };
    let mut args = case_args(case, &params);
    let mut arg_records = Vec::new();
    for (index, ((name, _), arg)) in case.args.iter().zip(&args).enumerate() {
        let param = params.iter().find(|p| &p.name == name);
        let declared = match param.map(|p| &p.annot) {
            Some(kernel_runtime::ir::ir::Annot::Known(ty)) => ty.to_string(),
            _ => "_".to_owned(),
        };
        let mut arg_record = Map::new();
        arg_record.insert("name".into(), json!(name));
        arg_record.insert("param".into(), json!(declared));
        match arg {
            OwnedArg::Scalar(value) => {
                arg_record.insert("kind".into(), json!("scalar"));
                arg_record.extend(scalar_fields(value));
            }
            OwnedArg::Array { array, .. } => {
                let data = logical_data(array);
                arg_record.insert("kind".into(), json!("array"));
                arg_record.insert("elem".into(), json!(array.elem().name()));
                arg_record.insert("shape".into(), json!(data.shape()));
                let before = writer.write(&format!("{prefix}-{index}-before"), data)?;
                arg_record.insert("layout".into(), json!(layout_name(array.layout())));
                arg_record.insert("before".into(), json!(before));
            }
        }
        arg_records.push(arg_record);
    }
    let (result, printed) = capture_output(|| call(&function, &mut args));
    for (index, (arg_record, arg)) in arg_records.iter_mut().zip(&args).enumerate() {
        if let Some(array) = arg.as_array() {
            let after = writer.write(&format!("{prefix}-{index}-after"), logical_data(array))?;
            arg_record.insert("after".into(), json!(after));
        }
    }
    record.insert(
        "args".into(),
        Json::Array(arg_records.into_iter().map(Json::Object).collect()),
    );
    let result_record = match &result {
        Ok(Value::Unit) => json!({ "kind": "unit" }),
        Ok(value) => json!({ "kind": "returns", "value": value_record(value, &prefix, writer)? }),
        Err(error) => error_result(error),
    };
    record.insert("result".into(), result_record);
    let text = result.map(return_text).map_err(|e| canonical_error(&e));
    let outcome = Outcome::after(case, text, &args, printed);
    Ok((finish(record, &outcome), outcome))
}

/// The record with what the call printed.
fn finish(mut record: Map<String, Json>, outcome: &Outcome) -> Json {
    record.insert("stdout".into(), json!(outcome.printed.stdout));
    record.insert("stderr".into(), json!(outcome.printed.stderr));
    Json::Object(record)
}

fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::C => "c",
        Layout::Fortran => "f",
        Layout::Reversed => "rev",
        Layout::Strided => "step2",
    }
}

/// `type` and `bits` of a scalar value.
fn scalar_fields(value: &Value) -> Map<String, Json> {
    let (scalar, bits) = value_bits(value).expect("a scalar value");
    let mut fields = Map::new();
    fields.insert("type".into(), json!(scalar.name()));
    fields.insert("bits".into(), json!(format!("{bits:#x}")));
    fields
}

/// A returned value: a scalar's bits, a tuple's elements, an array's `.npy` file.
fn value_record(value: &Value, prefix: &str, writer: &mut NpyWriter) -> Result<Json, String> {
    Ok(match value {
        Value::Tuple(elements) => {
            let elements = elements
                .iter()
                .enumerate()
                .map(|(index, e)| value_record(e, &format!("{prefix}-{index}"), writer))
                .collect::<Result<Vec<_>, _>>()?;
            json!({ "kind": "tuple", "elements": elements })
        }
        Value::Array(array) => {
            let array = TestArray::from_value((**array).clone());
            let npy = writer.write(&format!("{prefix}-returned"), logical_data(&array))?;
            json!({
                "kind": "array",
                "elem": array.elem().name(),
                "shape": array.shape(),
                "npy": npy,
            })
        }
        scalar => {
            let mut fields = scalar_fields(scalar);
            fields.insert("kind".into(), json!("scalar"));
            Json::Object(fields)
        }
    })
}

fn error_result(error: &Error) -> Json {
    json!({ "kind": "error", "error": error_record(error) })
}

/// The error's class, canonical corpus text, Rust text and, for a kernel error, its parts.
fn error_record(error: &Error) -> Json {
    let canonical = canonical_error(error);
    match error {
        Error::Kernel(kernel) => kernel_error_record(kernel),
        Error::Argument(argument) => json!({
            "class": "argument",
            "canonical": canonical,
            "message": argument.to_string(),
            "variant": variant_name(&format!("{argument:?}")),
        }),
        Error::Compile(compile) => json!({
            "class": "compile",
            "canonical": canonical,
            "message": compile.render(),
        }),
        other => json!({
            "class": "other",
            "canonical": canonical,
            "message": other.to_string(),
        }),
    }
}

fn kernel_error_record(error: &KernelError) -> Json {
    let canonical = canonical_kernel_error(error);
    let fields: Map<String, Json> = kernel_error_fields(&error.kind)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), json!(value)))
        .collect();
    json!({
        "class": "kernel",
        "canonical": canonical,
        "message": error.to_string(),
        "kind": error.kind.name(),
        "function": error.function,
        "line": error.line,
        "col": error.col,
        "fields": fields,
    })
}

/// The fields of an error kind, as text (indices can be negative or past `i64`).
fn kernel_error_fields(kind: &ErrorKind) -> Vec<(&'static str, String)> {
    match kind {
        ErrorKind::IndexOutOfBounds {
            array,
            axis,
            index,
            extent,
        } => vec![
            ("array", array.clone()),
            ("axis", axis.to_string()),
            ("index", index.to_string()),
            ("extent", extent.to_string()),
        ],
        ErrorKind::SliceStartAfterEnd {
            array,
            axis,
            start,
            end,
            ..
        } => vec![
            ("array", array.clone()),
            ("axis", axis.to_string()),
            ("start", start.to_string()),
            ("end", end.to_string()),
        ],
        ErrorKind::SliceEndPastExtent {
            array,
            axis,
            end,
            extent,
            ..
        } => vec![
            ("array", array.clone()),
            ("axis", axis.to_string()),
            ("end", end.to_string()),
            ("extent", extent.to_string()),
        ],
        ErrorKind::AllocationTooLarge { bytes, limit } => vec![
            (
                "bytes",
                bytes.map_or_else(|| "overflow".to_owned(), |b| b.to_string()),
            ),
            ("limit", limit.to_string()),
        ],
        ErrorKind::AllocationFailed { bytes } => vec![("bytes", bytes.to_string())],
        ErrorKind::RecursionLimit { limit } => vec![("limit", limit.to_string())],
        _ => Vec::new(),
    }
}

/// `ScalarType` of `ScalarType { param: … }`.
fn variant_name(debug: &str) -> String {
    debug
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// Writes arrays' logical values as `.npy` files named after their case.
struct NpyWriter {
    dir: PathBuf,
    count: usize,
}

impl NpyWriter {
    /// Writes `data` in C order; the file's name, relative to the output folder.
    fn write(&mut self, stem: &str, data: NpyData) -> Result<String, String> {
        self.count += 1;
        let name = format!("{:04}-{stem}.npy", self.count);
        let path = self.dir.join(&name);
        write_npy(&path, &NpyArray::c_order(data))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(name)
    }
}

/// The values the kernel sees of a test array (the gaps of `.step2` left out), owned;
/// `usize` as `u64`, numpy having no `usize`.
fn logical_data(array: &TestArray) -> NpyData {
    let strided = array.layout() == Layout::Strided;
    fn seen<T: Clone>(storage: &ArrayD<T>, strided: bool) -> ArrayD<T> {
        if strided {
            storage
                .slice_axis(Axis(0), Slice::new(0, None, 2))
                .to_owned()
        } else {
            storage.to_owned()
        }
    }
    match array.storage() {
        AnyArray::Bool(a) => NpyData::Bool(seen(a, strided)),
        AnyArray::I8(a) => NpyData::I8(seen(a, strided)),
        AnyArray::I16(a) => NpyData::I16(seen(a, strided)),
        AnyArray::U8(a) => NpyData::U8(seen(a, strided)),
        AnyArray::U16(a) => NpyData::U16(seen(a, strided)),
        AnyArray::I32(a) => NpyData::I32(seen(a, strided)),
        AnyArray::I64(a) => NpyData::I64(seen(a, strided)),
        AnyArray::U32(a) => NpyData::U32(seen(a, strided)),
        AnyArray::U64(a) => NpyData::U64(seen(a, strided)),
        AnyArray::Usize(a) => NpyData::U64(seen(a, strided).mapv(|x| x as u64)),
        AnyArray::F32(a) => NpyData::F32(seen(a, strided)),
        AnyArray::F64(a) => NpyData::F64(seen(a, strided)),
    }
}
