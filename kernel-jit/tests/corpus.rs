//! Runs the workspace's golden corpus (`tests/corpus/*.rs`, see `tests/golden/mod.rs` for the
//! format) through the JIT alone, straight on raw arguments, and checks every expectation:
//! return values to the bit (as text), arrays after the call, runtime errors with kind and
//! location, and sentinels around strided views. Cases about argument checking (`@error
//! argument …`) belong to the runtime and are skipped.

mod support;

use std::path::{Path, PathBuf};

use kernel_ir::abi::{RawArray, RawScalar};
use kernel_ir::ir::Annot;
use kernel_ir::{ArgType, ErrorKind, KernelError, Scalar, Type};
use kernel_jit::{Jit, JitOptions, RawArg};

struct Case {
    line: usize,
    function: String,
    args: Vec<(String, String)>,
    expect_arrays: Vec<(String, String)>,
    outcome: Option<String>,
    is_error: bool,
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

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

fn parse_cases(source: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let Some(directive) = line.trim().strip_prefix("// @") else {
            continue;
        };
        let (word, rest) = directive.split_once(' ').unwrap_or((directive, ""));
        match word {
            "call" => {
                let mut words = split_args(rest).into_iter();
                let function = words.next().unwrap_or_default();
                let args = words
                    .filter_map(|w| w.split_once('=').map(|(a, b)| (a.to_owned(), b.to_owned())))
                    .collect();
                cases.push(Case {
                    line: index + 1,
                    function,
                    args,
                    expect_arrays: Vec::new(),
                    outcome: None,
                    is_error: false,
                });
            }
            "returns" => {
                if let Some(case) = cases.last_mut() {
                    case.outcome = Some(rest.trim().to_owned());
                }
            }
            "error" => {
                if let Some(case) = cases.last_mut() {
                    case.outcome = Some(rest.trim().to_owned());
                    case.is_error = true;
                }
            }
            "expect" => {
                if let (Some(case), Some((name, value))) = (cases.last_mut(), rest.split_once('='))
                {
                    case.expect_arrays
                        .push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
            _ => {}
        }
    }
    cases
}

/// An array argument: its byte buffer and the view the kernel gets.
struct Array {
    elem: Scalar,
    shape: Vec<usize>,
    bytes: Vec<u8>,
    origin: usize,
    strides: Vec<i64>,
    /// Element positions (in storage) that hold sentinels.
    gaps: Vec<usize>,
}

const SENTINEL_BITS: u64 = 0x5A5A_5A5A_5A5A_5A5A;

fn parse_scalar_bits(text: &str, s: Scalar) -> u64 {
    let float = |t: &str| -> f64 {
        match t {
            "nan" | "NaN" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => other.parse().expect("float"),
        }
    };
    match s {
        Scalar::Bool => u64::from(text == "true"),
        Scalar::F64 => float(text).to_bits(),
        Scalar::F32 => {
            let x: f32 = match text {
                "nan" | "NaN" => f32::NAN,
                "inf" => f32::INFINITY,
                "-inf" => f32::NEG_INFINITY,
                other => other.parse().expect("f32"),
            };
            u64::from(x.to_bits())
        }
        Scalar::I32 | Scalar::I64 => text.parse::<i64>().expect("int") as u64,
        Scalar::U32 | Scalar::U64 | Scalar::Usize => text.parse::<u64>().expect("uint"),
    }
}

fn format_bits(bits: u64, s: Scalar) -> String {
    match s {
        Scalar::Bool => format!("{}", bits != 0),
        Scalar::F64 => format!("{:?}", f64::from_bits(bits)),
        Scalar::F32 => format!("{:?}", f32::from_bits(bits as u32)),
        Scalar::I32 => format!("{}", bits as u32 as i32),
        Scalar::I64 => format!("{}", bits as i64),
        Scalar::U32 => format!("{}", bits as u32),
        Scalar::U64 | Scalar::Usize => format!("{bits}"),
    }
}

fn parse_nested(text: &str) -> (Vec<usize>, Vec<String>) {
    let mut depth = 0usize;
    let mut counts: Vec<usize> = Vec::new();
    let mut items = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '[' => {
                depth += 1;
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
    (counts, items)
}

impl Array {
    fn parse(text: &str) -> Array {
        let (body, layout) = match text.rsplit_once("].") {
            Some((body, suffix)) => (format!("{body}]"), suffix.to_owned()),
            None => (text.to_owned(), String::new()),
        };
        let open = body.find('[').expect("array");
        let (ty, list) = body.split_at(open);
        let elem = Scalar::from_name(ty).expect("element type");
        let (mut shape, items) = parse_nested(list);
        if items.is_empty() {
            shape = vec![0; shape.len().max(1)];
        }
        let values: Vec<u64> = items.iter().map(|t| parse_scalar_bits(t, elem)).collect();
        let rank = shape.len();
        let mut c_strides = vec![1i64; rank];
        for axis in (0..rank.saturating_sub(1)).rev() {
            c_strides[axis] = c_strides[axis + 1] * shape[axis + 1] as i64;
        }
        let total: usize = shape.iter().product();
        let (storage_len, origin, strides) = match layout.as_str() {
            "f" => {
                let mut f = vec![1i64; rank];
                for axis in 1..rank {
                    f[axis] = f[axis - 1] * shape[axis - 1] as i64;
                }
                (total, 0, f)
            }
            "rev" => {
                let mut s = c_strides.clone();
                s[0] = -s[0];
                let origin = shape[0].saturating_sub(1) * c_strides[0] as usize;
                (total, origin, s)
            }
            "step2" => {
                let mut s = c_strides.clone();
                s[0] *= 2;
                (total * 2, 0, s)
            }
            _ => (total, 0, c_strides.clone()),
        };
        let mut array = Array {
            elem,
            shape: shape.clone(),
            bytes: vec![0; storage_len * elem.size_bytes()],
            origin,
            strides,
            gaps: Vec::new(),
        };
        let mut used = vec![false; storage_len];
        for (flat, &bits) in values.iter().enumerate() {
            let position = array.position(&unflatten(flat, &shape));
            used[position] = true;
            array.store(position, bits);
        }
        for (position, used) in used.iter().enumerate() {
            if !used {
                array.store(position, SENTINEL_BITS);
                array.gaps.push(position);
            }
        }
        array
    }

    fn position(&self, index: &[usize]) -> usize {
        let offset: i64 = index
            .iter()
            .zip(&self.strides)
            .map(|(i, s)| *i as i64 * s)
            .sum();
        (self.origin as i64 + offset) as usize
    }

    fn store(&mut self, position: usize, bits: u64) {
        let size = self.elem.size_bytes();
        let bytes = bits.to_le_bytes();
        self.bytes[position * size..(position + 1) * size].copy_from_slice(&bytes[..size]);
    }

    fn load(&self, position: usize) -> u64 {
        let size = self.elem.size_bytes();
        let mut bytes = [0u8; 8];
        bytes[..size].copy_from_slice(&self.bytes[position * size..(position + 1) * size]);
        u64::from_le_bytes(bytes)
    }

    fn raw(&mut self) -> RawArg {
        let mut dims = [1u64; 3];
        let mut strides = [0i64; 3];
        for (axis, (d, s)) in self.shape.iter().zip(&self.strides).enumerate() {
            dims[axis] = *d as u64;
            strides[axis] = *s;
        }
        let base = self.bytes.as_mut_ptr();
        let offset = self.origin * self.elem.size_bytes();
        RawArg::Array(RawArray {
            data: base.wrapping_add(offset),
            dims,
            strides,
        })
    }

    fn logical(&self) -> Vec<String> {
        let total: usize = self.shape.iter().product();
        (0..total)
            .map(|flat| {
                let position = self.position(&unflatten(flat, &self.shape));
                format_bits(self.load(position), self.elem)
            })
            .collect()
    }

    fn gaps_intact(&self) -> bool {
        let size = self.elem.size_bytes();
        let want = SENTINEL_BITS & (u64::MAX >> (64 - 8 * size as u32));
        self.gaps.iter().all(|&p| self.load(p) == want)
    }
}

fn unflatten(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for axis in (0..shape.len()).rev() {
        if shape[axis] > 0 {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
    }
    index
}

fn scalar_type(text: &str, annot: Option<Annot>) -> (String, Scalar) {
    for s in Scalar::ALL {
        if let Some(stripped) = text.strip_suffix(s.name()) {
            if !stripped.is_empty() && !stripped.ends_with('e') {
                return (stripped.to_owned(), s);
            }
        }
    }
    if let Some(Annot::Known(Type::Scalar(s))) = annot {
        return (text.to_owned(), s);
    }
    let s = if text == "true" || text == "false" {
        Scalar::Bool
    } else if text.parse::<i64>().is_ok() {
        Scalar::I64
    } else {
        Scalar::F64
    };
    (text.to_owned(), s)
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

fn canonical_error(k: &KernelError) -> String {
    let mut text = format!("{} {}:{}", kind_name(&k.kind), k.line, k.col);
    if let ErrorKind::IndexOutOfBounds {
        array,
        axis,
        index,
        extent,
    } = &k.kind
    {
        text.push_str(&format!(
            " array={array} axis={axis} index={index} extent={extent}"
        ));
    }
    text.push_str(&format!(" in {}", k.function));
    text
}

fn error_matches(expected: &str, got: &str) -> bool {
    let mut rest = got;
    for word in expected.split_whitespace() {
        match rest.find(word) {
            Some(at) => rest = &rest[at + word.len()..],
            None => return false,
        }
    }
    true
}

/// Runs one case; returns the failures.
fn run_case(program: &mut kernel_ir::Program, jit: &mut Jit, case: &Case) -> Vec<String> {
    let Some(params) = program.params(&case.function) else {
        return vec![format!("no function `{}`", case.function)];
    };
    let mut arrays: Vec<(String, Array)> = Vec::new();
    let mut plan: Vec<Result<RawScalar, usize>> = Vec::new();
    let mut arg_types = Vec::new();
    for (name, text) in &case.args {
        if text.contains('[') {
            let array = Array::parse(text);
            arg_types.push(ArgType::Array {
                elem: array.elem,
                rank: array.shape.len() as u8,
                mutable: true,
            });
            plan.push(Err(arrays.len()));
            arrays.push((name.clone(), array));
        } else {
            let annot = params.iter().find(|p| &p.name == name).map(|p| p.annot);
            let (text, s) = scalar_type(text, annot);
            arg_types.push(ArgType::Scalar(s));
            plan.push(Ok(RawScalar(parse_scalar_bits(&text, s)).normalised(s)));
        }
    }
    let id = match program.instantiate(&case.function, &arg_types) {
        Ok(id) => id,
        Err(e) => {
            let got = format!("compile {}", e.render());
            return match &case.outcome {
                Some(want) if case.is_error && error_matches(want, &got) => Vec::new(),
                _ => vec![format!("instantiate: {e}")],
            };
        }
    };
    if let Err(e) = jit.compile(program, id) {
        return vec![format!("JIT: {e}")];
    }
    let raw_arrays: Vec<RawArg> = arrays.iter_mut().map(|(_, a)| a.raw()).collect();
    let args: Vec<RawArg> = plan
        .iter()
        .map(|p| match p {
            Ok(s) => RawArg::Scalar(*s),
            Err(i) => raw_arrays[*i],
        })
        .collect();
    if let Err(e) = jit.check_args(id, &args) {
        return vec![format!("arguments: {e}")];
    }
    // SAFETY: checked above; every array is a distinct live buffer that outlives the call.
    let result = unsafe { jit.call(id, &args) };
    let ret = program.function(id).ret.as_scalar();
    let mut failures = Vec::new();
    match (&case.outcome, result, case.is_error) {
        (None, Ok(_), _) if ret.is_none() => {}
        (Some(want), Ok(value), false) => {
            let got = ret.map(|s| format_bits(value.0, s)).unwrap_or_default();
            if &got != want {
                failures.push(format!("returned {got}, expected {want}"));
            }
        }
        (Some(want), Err(error), true) => {
            let got = canonical_error(&error);
            if !error_matches(want, &got) {
                failures.push(format!("error {got}, expected {want}"));
            }
        }
        (want, got, _) => failures.push(format!("expected {want:?}, got {got:?}")),
    }
    for (name, expected) in &case.expect_arrays {
        let Some((_, got)) = arrays.iter().find(|(n, _)| n == name) else {
            failures.push(format!("no array `{name}`"));
            continue;
        };
        let want = Array::parse(expected).logical();
        if want != got.logical() {
            failures.push(format!(
                "array `{name}`: expected {want:?}, got {:?}",
                got.logical()
            ));
        }
    }
    if !arrays.iter().all(|(_, a)| a.gaps_intact()) {
        failures.push("a write landed outside a strided view".into());
    }
    failures
}

#[test]
fn golden_corpus_passes_in_the_jit() {
    let mut failures = Vec::new();
    let mut count = 0;
    for file in corpus_files() {
        let source = std::fs::read_to_string(&file).expect("corpus file");
        let Ok(mut program) = kernel_ir::compile(&source) else {
            failures.push(format!("{} does not compile", file.display()));
            continue;
        };
        let mut jit = Jit::new(JitOptions::default()).expect("jit");
        for case in parse_cases(&source) {
            let runtime_only = case
                .outcome
                .as_deref()
                .is_some_and(|o| o.starts_with("argument"));
            if runtime_only {
                continue;
            }
            count += 1;
            for failure in run_case(&mut program, &mut jit, &case) {
                failures.push(format!(
                    "{}:{} {}: {failure}",
                    file.file_name().unwrap_or_default().to_string_lossy(),
                    case.line,
                    case.function
                ));
            }
        }
    }
    println!("{count} corpus cases run in the JIT");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Guards this runner: a wrong return value, a wrong array and a clobbered sentinel are all
/// reported.
#[test]
fn runner_detects_planted_differences() {
    let source = "fn f(x: f64) -> f64 { x * 2.0 }\n\
                  // @call f x=1.5\n\
                  // @returns 3.0000000000000004\n\
                  fn g(y: &mut [f64]) { y[0] = 1.0; }\n\
                  // @call g y=f64[0, 0].step2\n\
                  // @expect y=f64[0, 1]\n";
    let mut program = kernel_ir::compile(source).unwrap();
    let mut jit = Jit::new(JitOptions::default()).unwrap();
    let cases = parse_cases(source);
    assert_eq!(cases.len(), 2);
    assert_eq!(run_case(&mut program, &mut jit, &cases[0]).len(), 1);
    assert_eq!(run_case(&mut program, &mut jit, &cases[1]).len(), 1);
    let mut array = Array::parse("f64[1, 2].step2");
    assert!(array.gaps_intact());
    array.store(1, 0);
    assert!(!array.gaps_intact());
}
