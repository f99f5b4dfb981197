//! The negative corpus: every `tests/diagnostics/NAME.rs` must fail to compile with exactly
//! the rendered diagnostics in `NAME.stderr`. Run with `KERNELC_BLESS=1` to rewrite the
//! expectations after an intended change, then review the diff.

use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/diagnostics")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_diagnostic_renders_as_recorded() {
    let bless = std::env::var_os("KERNELC_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "the negative corpus shrank to {}",
        cases.len()
    );
    for case in cases {
        let source = std::fs::read_to_string(&case).expect("case source");
        let rendered = match kernel_ir::compile(&source) {
            Ok(_) => {
                failures.push(format!("{}: compiled without error", case.display()));
                continue;
            }
            Err(error) => error.render(),
        };
        let expected_path = case.with_extension("stderr");
        if bless {
            std::fs::write(&expected_path, &rendered).expect("write .stderr");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{rendered}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
