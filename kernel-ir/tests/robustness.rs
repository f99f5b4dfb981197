//! The front end never panics: arbitrary bytes and mutations of real kernels go through
//! parse + check (and generic instantiation) on a small stack without a crash.
//!
//! The default run is bounded; `KERNELC_FUZZ_CASES=100000 cargo test --release -p kernel-ir
//! --test robustness` runs a long campaign (see the README).

use kernel_ir::{compile, ArgType, Scalar};

/// A tiny deterministic generator (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "fn",
    "let",
    "mut",
    "for",
    "in",
    "while",
    "loop",
    "if",
    "else",
    "break",
    "continue",
    "return",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ";",
    ",",
    ":",
    "::",
    "..",
    "..=",
    "=",
    "+=",
    "<<=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    ">>",
    "&&",
    "||",
    "!",
    "&",
    "|",
    "^",
    "==",
    "<",
    ">=",
    "as",
    "f64",
    "f32",
    "i32",
    "i64",
    "u32",
    "u64",
    "usize",
    "bool",
    "_",
    "x",
    "a",
    "i",
    "0",
    "1",
    "2.5",
    "1e308",
    "340282366920938463463374607431768211456",
    "-9223372036854775808",
    "true",
    ".len()",
    ".sqrt()",
    ".min(",
    "prange(",
    "&mut",
    "[0.0; 3]",
    "[0.0; 99999999]",
    "'a:",
    "'a",
    "vec!",
    "|x|",
    "struct S;",
    "\"s\"",
    "'c'",
    "ArrayView2<f64>",
    "&[f64]",
    "a[[i, j]]",
    ".shape()[0]",
];

/// The golden corpus, sorted by text (a seed picks the same source wherever the files are),
/// and one small kernel.
fn corpus_sources() -> Vec<String> {
    let mut sources: Vec<String> = kernel_testkit::corpus_sources()
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    sources.sort();
    sources.push("fn f(x: f64) -> f64 { x * 2.0 }".to_owned());
    sources
}

fn mutate(rng: &mut Rng, source: &str) -> String {
    let mut bytes = source.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 if !bytes.is_empty() => {
                let end = (at + rng.below(20)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())];
                bytes.splice(at..at, format!(" {fragment} ").into_bytes());
            }
            2 if !bytes.is_empty() => {
                let other = rng.below(bytes.len());
                let a = at.min(bytes.len() - 1);
                bytes.swap(a, other);
            }
            3 => bytes.truncate(at),
            _ => {
                bytes.splice(at..at, [(rng.next() & 0xFF) as u8]);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn random_bytes(rng: &mut Rng) -> String {
    let len = rng.below(200);
    let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0x7F) as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Compiles, and instantiates every generic function with a few signatures.
fn exercise(source: &str) {
    let Ok(mut program) = compile(source) else {
        return;
    };
    let names: Vec<String> = program
        .function_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for name in names {
        let arity = program.params(&name).map_or(0, |p| p.len());
        for signature in [
            vec![ArgType::Scalar(Scalar::F64); arity],
            vec![ArgType::Scalar(Scalar::I64); arity],
            vec![
                ArgType::Array {
                    elem: Scalar::F64,
                    rank: 1,
                    mutable: true
                };
                arity
            ],
        ] {
            let _ = program.instantiate(&name, &signature);
        }
    }
}

fn cases() -> usize {
    std::env::var("KERNELC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000)
}

#[test]
fn mutated_and_random_sources_never_panic() {
    let sources = corpus_sources();
    let total = cases();
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
            for case in 0..total {
                let source = if case % 5 == 0 {
                    random_bytes(&mut rng)
                } else {
                    let pick = rng.below(sources.len());
                    mutate(&mut rng, &sources[pick])
                };
                let outcome = std::panic::catch_unwind(|| exercise(&source));
                assert!(outcome.is_ok(), "case {case} panicked on:\n{source}");
            }
        })
        .expect("spawn fuzz thread");
    handle.join().expect("the front end crashed");
}

#[test]
fn pathological_inputs_are_diagnosed() {
    let deep = format!(
        "fn f() -> i64 {{ {}1{} }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let long = format!("fn f() -> i64 {{ {}1 }}", "1 + ".repeat(100_000));
    let huge_fixed = "fn f() { let v = [0.0; 1000000000]; }".to_owned();
    let huge_literal = "fn f() -> i64 { 99999999999999999999999999999999999999999999 }".to_owned();
    let unbalanced = "fn f() { ((((( }".to_owned();
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for source in [deep, long, huge_fixed, huge_literal, unbalanced] {
                let error = compile(&source).expect_err("should be diagnosed");
                assert!(!error.diagnostics.is_empty());
            }
        })
        .expect("spawn");
    handle.join().expect("no crash on pathological input");
}
