//! The negative corpus: every `tests/diagnostics/NAME.rs` must fail to compile with exactly
//! the rendered diagnostics in `NAME.stderr`. Run with `KERNELC_BLESS=1` to rewrite the
//! expectations after an intended change, then review the diff.

use std::path::Path;

#[test]
fn every_diagnostic_renders_as_recorded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    kernel_testkit::recorded::check_recorded(&dir, 25, |source| match kernel_ir::compile(source) {
        Ok(_) => Err("compiled without error".to_string()),
        Err(error) => Ok(error.render()),
    });
}
