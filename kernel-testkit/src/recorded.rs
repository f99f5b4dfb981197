//! Recorded-output corpora: a folder of kernel files `NAME.rs`, each with the exact text the
//! front end must render for it in `NAME.stderr` (diagnostics, warnings). `KERNELC_BLESS=1`
//! rewrites the records after an intended change; the diff is then the review.

use std::path::{Path, PathBuf};

/// Checks every `NAME.rs` in `dir` against its `NAME.stderr`: `render` gives the text a case
/// produces, or `Err(reason)` when the case does not behave as the corpus demands at all (an
/// error case that compiles, a warning case that fails). Panics listing every mismatch, and
/// when fewer than `at_least` cases remain (a corpus must not shrink unnoticed).
pub fn check_recorded(
    dir: &Path,
    at_least: usize,
    render: impl Fn(&str) -> Result<String, String>,
) {
    let bless = std::env::var_os("KERNELC_BLESS").is_some();
    let cases = case_files(dir);
    assert!(
        cases.len() >= at_least,
        "the corpus in {} shrank to {} cases",
        dir.display(),
        cases.len()
    );
    let mut failures = Vec::new();
    for case in cases {
        let source = std::fs::read_to_string(&case).expect("case source");
        let rendered = match render(&source) {
            Ok(rendered) => rendered,
            Err(reason) => {
                failures.push(format!("{}: {reason}", case.display()));
                continue;
            }
        };
        let expected_path = case.with_extension("stderr");
        if bless {
            std::fs::write(&expected_path, &rendered).expect("write .stderr");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if rendered.is_empty() || expected != rendered {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{rendered}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `.rs` files of `dir`, sorted so failures are listed in a stable order.
fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}
