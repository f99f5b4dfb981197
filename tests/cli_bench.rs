//! `kernelc bench` and `kernelc explain --clif/--asm`.

mod cli_support;

use cli_support::{f64_array, Workspace};

const SUM: &str = "\
pub fn total(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}
";

#[test]
fn bench_reports_each_tier_and_the_speedup() {
    let ws = Workspace::new();
    let file = ws.kernel("sum.rs", SUM);
    let x = ws.save("x.npy", f64_array(&[1000], vec![0.5; 1000]));
    let outcome = ws.kernelc(&[
        "bench",
        &file,
        "--fn",
        "total",
        "--runs",
        "3",
        &format!("x={x}"),
    ]);
    outcome.expect_status(0);
    for text in [
        "interp",
        "jit",
        "compile",
        "call median",
        "speedup over interp",
    ] {
        assert!(
            outcome.stdout.contains(text),
            "missing `{text}` in:\n{}",
            outcome.stdout
        );
    }
}

#[test]
fn bench_rejects_bad_arguments_with_status_2() {
    let ws = Workspace::new();
    let file = ws.kernel("sum.rs", SUM);
    ws.kernelc(&["bench", &file, "--fn", "total", "--runs", "0", "x=1"])
        .expect_status(2);
    ws.kernelc(&["bench", &file, "--fn", "nope"])
        .expect_status(2);
    ws.kernelc(&["bench", &file, "--fn", "total", "--backends", "gpu"])
        .expect_status(2);
}

#[test]
fn explain_shows_cranelift_ir_and_machine_code() {
    let ws = Workspace::new();
    let file = ws.kernel("sum.rs", SUM);
    let clif = ws.kernelc(&["explain", &file, "--fn", "total", "--clif"]);
    clif.expect_status(0);
    assert!(clif.stdout.contains("fadd"), "{}", clif.stdout);
    let asm = ws.kernelc(&["explain", &file, "--asm"]);
    asm.expect_status(0);
    assert!(asm.stdout.contains("ret"), "{}", asm.stdout);
    let ir = ws.kernelc(&["explain", &file]);
    assert!(ir.stdout.contains("let mut s: f64"), "{}", ir.stdout);
}
