//! The golden corpus: every kernel in `kernel-testkit/corpus/` with its calls, inputs and
//! expected outcomes.
//!
//! A corpus file is a kernel source whose `// @` comment lines describe cases:
//! ```text
//! // @call axpy a=2.0 x=f64[1, 2, 3] y=f64[1, 1, 1].rev
//! // @expect y=f64[3, 5, 7]
//! // @returns 12.5
//! // @error IndexOutOfBounds 3:17 array=x axis=0 index=5 extent=3
//! // @error DivisionByZero 4:9
//! // @error argument "overlaps"
//! // @prints x = 1.5
//! // @eprints warning: 2 NaNs
//! ```
//! `@prints TEXT` / `@eprints TEXT` each expect one line `TEXT` (everything after the single
//! space, trailing spaces excepted) on the kernel's stdout / stderr, in order; a case without
//! them expects the kernel to print nothing.
//! Arguments are given in parameter order. Array values are `TYPE[…]` nested lists; a suffix
//! changes only the memory layout, never the logical values (see [`crate::array::Layout`]).
//! A scalar takes its parameter's type, or a suffix's (`3u32`) for a `_` parameter.
//!
//! The first line of a corpus file must be blank or a plain `//` comment: the build script
//! writes the native wrapper `mod … {` on it so that every other token keeps its line and
//! column.

use std::path::{Path, PathBuf};

/// One `@call` with what it must give.
#[derive(Clone, Debug)]
pub struct Case {
    pub file: PathBuf,
    /// The line of the `@call`.
    pub line: usize,
    pub function: String,
    /// `NAME=VALUE` in parameter order.
    pub args: Vec<(String, ArgText)>,
    /// `@expect NAME=ARRAY`: array arguments' logical values after the call.
    pub expect_arrays: Vec<(String, String)>,
    pub outcome: Expected,
    /// `@prints` lines, each with its newline: what the call must print to stdout.
    pub stdout: String,
    /// `@eprints` lines: what it must print to stderr.
    pub stderr: String,
}

/// An argument as written in the case.
#[derive(Clone, Debug)]
pub enum ArgText {
    Scalar(String),
    Array(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// `@returns VALUE`, as `Value`'s `Display` prints it.
    Returns(String),
    /// Neither `@returns` nor `@error`: the call returns `()`.
    Unit,
    /// `@error …`: the words of the canonical error text, in order
    /// ([`crate::golden::canonical_error`]).
    Error(String),
}

impl Case {
    /// The stem of the case's file (`arrays` for `corpus/arrays.rs`).
    pub fn stem(&self) -> String {
        file_stem(&self.file)
    }

    /// `file:line function`, for failure reports.
    pub fn label(&self) -> String {
        format!("{}:{} {}", self.file.display(), self.line, self.function)
    }
}

/// The stem of a corpus file's name.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The corpus folder of this crate.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Every corpus file, sorted (so failures are reproducible).
pub fn corpus_files() -> Vec<PathBuf> {
    let dir = corpus_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

/// Every corpus file with its text, in [`corpus_files`] order.
pub fn corpus_sources() -> Vec<(PathBuf, String)> {
    corpus_files()
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
            (file, text)
        })
        .collect()
}

/// Every case of the corpus.
pub fn all_cases() -> Vec<Case> {
    corpus_sources()
        .iter()
        .flat_map(|(file, source)| parse_cases(file, source))
        .collect()
}

/// The cases of one corpus file. A malformed directive panics with its `file:line`: the
/// corpus is test data, and a silently dropped case would be lost coverage.
pub fn parse_cases(file: &Path, source: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let Some(directive) = line.trim().strip_prefix("// @") else {
            continue;
        };
        let (keyword, raw) = directive.split_once(' ').unwrap_or((directive, ""));
        let rest = raw.trim();
        match keyword {
            "prints" => push_line(&mut last(&mut cases, file).stdout, raw),
            "eprints" => push_line(&mut last(&mut cases, file).stderr, raw),
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

fn push_line(text: &mut String, line: &str) {
    text.push_str(line);
    text.push('\n');
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
        stdout: String::new(),
        stderr: String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_attach_to_the_call_before_them() {
        let source = "fn f(x: f64, y: &mut [f64]) -> f64 { x }\n\
                      // @call f x=1.5 y=f64[[1, 2], [3, 4]].f\n\
                      // @expect y=f64[[1, 2], [3, 4]]\n\
                      // @returns 1.5\n\
                      // @call f x=2 y=f64[1]\n\
                      // @error IndexOutOfBounds 1:2\n";
        let cases = parse_cases(Path::new("t.rs"), source);
        assert_eq!(cases.len(), 2);
        assert_eq!((cases[0].line, cases[0].function.as_str()), (2, "f"));
        assert!(matches!(&cases[0].args[1].1, ArgText::Array(a) if a == "f64[[1, 2], [3, 4]].f"));
        assert_eq!(cases[0].expect_arrays.len(), 1);
        assert_eq!(cases[0].outcome, Expected::Returns("1.5".into()));
        assert_eq!(
            cases[1].outcome,
            Expected::Error("IndexOutOfBounds 1:2".into())
        );
    }

    #[test]
    #[should_panic(expected = "unknown directive @retruns")]
    fn a_misspelt_directive_is_an_error() {
        parse_cases(Path::new("t.rs"), "// @call f\n// @retruns 1\n");
    }
}
