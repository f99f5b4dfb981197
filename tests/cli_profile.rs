//! `kernelc profile` and `kernelc explain --annotate`: the line table, exact hits in both
//! tiers, an unknown tier refused, the partial profile of a failing call, and the annotated source.

mod cli_support;

use cli_support::{f64_array, Workspace};

const NEST: &str = "\
fn nest(n: i64, m: i64) -> i64 {
    let mut s = 0;
    for i in 0..n {
        for j in 0..m {
            if j % 2 == 1 {
                continue;
            }
            s += i * j;
        }
    }
    s
}
";

/// The hits column of `line` in a profile table, if the line was hit.
fn hits(table: &str, line: u32) -> Option<u64> {
    table.lines().find_map(|row| {
        let mut cols = row.split_whitespace();
        (cols.next()? == line.to_string()).then_some(())?;
        cols.next()?.parse().ok()
    })
}

#[test]
fn profile_prints_the_line_table_with_exact_hits() {
    let ws = Workspace::new();
    let file = ws.kernel("nest.rs", NEST);
    let outcome = ws.kernelc(&["profile", &file, "--fn", "nest", "n=4", "m=5"]);
    outcome.expect_status(0);
    let out = &outcome.stdout;
    assert!(out.contains("Line #"), "{out}");
    assert!(out.contains("Line Contents"), "{out}");
    assert!(out.contains("Function: nest at line 1"), "{out}");
    assert!(out.contains("ncalls"), "{out}");
    assert_eq!(hits(out, 3), Some(5));
    assert_eq!(hits(out, 4), Some(24));
    assert_eq!(hits(out, 5), Some(20));
    assert_eq!(hits(out, 6), Some(8));
    assert_eq!(hits(out, 8), Some(12));
    assert!(out.ends_with("returned: 36\n"), "{out}");
}

#[test]
fn both_tiers_print_the_same_hits() {
    let ws = Workspace::new();
    let file = ws.kernel("nest.rs", NEST);
    let table = |backend: &str| {
        let outcome = ws.kernelc(&[
            "profile",
            &file,
            "--fn",
            "nest",
            "--backend",
            backend,
            "n=4",
            "m=5",
        ]);
        outcome.expect_status(0);
        outcome.stdout
    };
    let (jit, interp) = (table("jit"), table("interp"));
    for line in 1..=12 {
        assert_eq!(
            hits(&jit, line),
            hits(&interp, line),
            "line {line}\n{jit}\n{interp}"
        );
    }
    assert_eq!(hits(&jit, 5), Some(20));
    assert!(jit.ends_with("returned: 36\n"), "{jit}");
}

#[test]
fn profile_refuses_an_unknown_tier() {
    let ws = Workspace::new();
    let file = ws.kernel("nest.rs", NEST);
    let outcome = ws.kernelc(&[
        "profile",
        &file,
        "--fn",
        "nest",
        "--backend",
        "native",
        "n=1",
        "m=1",
    ]);
    outcome.expect_status(2);
    assert!(outcome.stderr.contains("unknown backend `native`"));
    assert_eq!(outcome.stdout, "");
}

#[test]
fn a_failing_call_prints_the_partial_profile_and_the_error() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "oob.rs",
        "fn f(x: &[f64], n: usize) -> f64 {\n    let mut s = 0.0;\n    for i in 0..n {\n        s += x[i];\n    }\n    s\n}\n",
    );
    let x = ws.save("x.npy", f64_array(&[3], vec![1.0, 2.0, 3.0]));
    let outcome = ws.kernelc(&["profile", &file, "--fn", "f", &format!("x={x}"), "n=9"]);
    outcome.expect_status(3);
    assert_eq!(hits(&outcome.stdout, 4), Some(4), "{}", outcome.stdout);
    assert!(outcome.stderr.contains("error"), "{}", outcome.stderr);
}

#[test]
fn annotate_shows_types_checks_and_libm_calls() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "scale.rs",
        "fn scale(x: &mut [f64], k: f64, d: usize) {\n    for i in 0..x.len() {\n        x[i] = (x[i] * k).sin();\n        let q = i / d;\n        x[q] += 1.0;\n    }\n}\n",
    );
    let outcome = ws.kernelc(&["explain", &file, "--annotate"]);
    outcome.expect_status(0);
    let out = &outcome.stdout;
    assert!(out.contains("for i: usize"), "{out}");
    assert!(out.contains("let q: usize"), "{out}");
    assert!(out.contains("x[i]: bounds check proven"), "{out}");
    assert!(out.contains("x[q]: bounds check in loop"), "{out}");
    assert!(out.contains("integer `/`: zero check"), "{out}");
    assert!(out.contains("libm call sin_f64"), "{out}");
    assert!(out.contains("+    5 |         x[q] += 1.0;"), "{out}");
    assert!(out.contains("    7 | }"), "{out}");
}

#[test]
fn annotate_shows_hoisted_checks_and_the_range_check_of_their_loop() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "mm.rs",
        "fn mm(n: usize, c: &mut Array2<f64>, a: ArrayView2<f64>) {\n    for i in 0..n {\n        for j in 0..i {\n            c[[i, j]] += a[[j, i]];\n        }\n    }\n}\n",
    );
    let outcome = ws.kernelc(&["explain", &file, "--annotate"]);
    outcome.expect_status(0);
    let out = &outcome.stdout;
    assert!(
        out.contains("c[i, j]: bounds check hoisted to the loop on line 2"),
        "{out}"
    );
    assert!(
        out.contains("# range check on entry: -n + a.dim(0) + 1 >= 0 && -n + a.dim(1) >= 0 && -n + c.dim(0) >= 0 && -n + c.dim(1) + 1 >= 0"),
        "{out}"
    );
    // Nothing is checked inside the loops any more: no line is marked hot.
    assert!(!out.contains("+    4 |"), "{out}");
}

#[test]
fn annotate_names_parallel_loops_and_their_reductions() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "par.rs",
        "fn par(x: &[f64], y: &mut [f64]) -> f64 {\n    let mut s = 0.0;\n    let mut hi = 0.0;\n    for i in prange(0..x.len()) {\n        y[i] = x[i] * 2.0;\n        s += x[i];\n        hi = hi.max(x[i]);\n    }\n    for i in prange(0..y.len()) {\n        y[i] += 1.0;\n    }\n    s + hi\n}\n",
    );
    let outcome = ws.kernelc(&["explain", &file, "--annotate"]);
    outcome.expect_status(0);
    let out = &outcome.stdout;
    assert!(
        out.contains("per-chunk partials of s (+=), hi (max), combined in chunk order"),
        "{out}"
    );
    assert!(
        out.contains("chunks on the thread pool, no reductions"),
        "{out}"
    );
}
