//! Compile-time behaviour of `#[kernel]`: each diagnostic kind as a `compile_error!` at the
//! right token (`tests/ui`), and kernels that must compile (`tests/pass`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/pass/*.rs");
}
