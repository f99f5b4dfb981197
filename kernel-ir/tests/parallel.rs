//! The rules of `prange` loops: reductions recorded, everything else diagnosed.

use kernel_ir::ir::{Expr, ReduceOp};
use kernel_ir::{compile, CompileError};

fn reductions(source: &str) -> Vec<(String, ReduceOp)> {
    let program = compile(source).unwrap_or_else(|e| panic!("{}", e.render()));
    let f = program.function(program.concrete("f").unwrap());
    f.loops
        .iter()
        .flat_map(|l| l.reductions.iter())
        .map(|r| (f.local(r.local).name.clone(), r.op))
        .collect()
}

fn error(source: &str) -> String {
    let error: CompileError = compile(source).expect_err("should be rejected");
    error.render()
}

#[test]
fn every_reduction_kind_is_recorded() {
    let found = reductions(
        "fn f(x: &[f64]) -> f64 {
            let mut s = 0.0; let mut p = 1.0; let mut lo = f64::INFINITY; let mut hi = 0.0;
            for i in prange(0..x.len()) {
                let v = x[i];
                s += v; p *= v; lo = lo.min(v); hi = hi.max(v * 2.0);
            }
            s + p + lo + hi
        }",
    );
    assert_eq!(
        found,
        vec![
            ("s".to_owned(), ReduceOp::Add),
            ("p".to_owned(), ReduceOp::Mul),
            ("lo".to_owned(), ReduceOp::Min),
            ("hi".to_owned(), ReduceOp::Max),
        ]
    );
}

#[test]
fn array_writes_and_inner_locals_are_fine() {
    let found = reductions(
        "fn f(x: &[f64], y: &mut [f64]) { for i in prange(0..x.len()) { let mut t = x[i]; t *= 2.0; y[i] = t; } }",
    );
    assert!(found.is_empty());
}

#[test]
fn plain_assignment_to_an_outer_scalar_is_rejected() {
    let text = error("fn f(x: &[f64]) -> f64 { let mut last = 0.0; for i in prange(0..x.len()) { last = x[i]; } last }");
    assert!(
        text.contains("cannot assign to `last` inside a parallel loop"),
        "{text}"
    );
    assert!(text.contains("only reductions are allowed"), "{text}");
}

#[test]
fn reading_a_reduction_inside_the_loop_is_rejected() {
    let text = error("fn f(x: &[f64], y: &mut [f64]) -> f64 { let mut s = 0.0; for i in prange(0..x.len()) { s += x[i]; y[i] = s; } s }");
    assert!(
        text.contains("reduction variable `s` cannot be read inside the parallel loop"),
        "{text}"
    );
}

#[test]
fn mixed_reductions_of_one_variable_are_rejected() {
    let text = error("fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in prange(0..x.len()) { s += x[i]; s *= 2.0; } s }");
    assert!(text.contains("combined in two different ways"), "{text}");
}

#[test]
fn leaving_the_loop_is_rejected() {
    let text =
        error("fn f(x: &[f64]) { for i in prange(0..x.len()) { if x[i] > 0.0 { break; } } }");
    assert!(
        text.contains("`break` cannot leave a parallel loop"),
        "{text}"
    );
    let text = error("fn f(x: &[f64]) -> f64 { for i in prange(0..x.len()) { if x[i] > 0.0 { return 1.0; } } 0.0 }");
    assert!(text.contains("`return` inside a parallel loop"), "{text}");
    let text = error("fn f(x: &[f64]) { 'outer: for j in 0..2 { for i in prange(0..x.len()) { continue 'outer; } } }");
    assert!(
        text.contains("`continue` cannot leave a parallel loop"),
        "{text}"
    );
}

#[test]
fn loops_inside_a_parallel_loop_may_break() {
    compile("fn f(x: &[f64], y: &mut [f64]) { for i in prange(0..x.len()) { for j in 0..10 { if j > i { break; } y[i] += 1.0; } continue; } }").unwrap();
}

#[test]
fn writes_to_an_outer_fixed_array_are_rejected() {
    let text =
        error("fn f(x: &[f64]) { let mut v = [0.0; 4]; for i in prange(0..4) { v[i] = x[i]; } }");
    assert!(
        text.contains("cannot write to the local array `v`"),
        "{text}"
    );
}

#[test]
fn nested_prange_runs_sequentially() {
    let program = compile(
        "fn f(a: &mut ArrayViewMut2<f64>) { for i in prange(0..a.nrows()) { for j in prange(0..a.ncols()) { a[[i, j]] = 1.0; } } }",
    );
    // `&mut ArrayViewMut2` is not a kernel type; use the plain view form instead.
    assert!(program.is_err());
    let program = compile(
        "fn f(mut a: ArrayViewMut2<f64>) { for i in prange(0..a.nrows()) { for j in prange(0..a.ncols()) { a[[i, j]] = 1.0; } } }",
    )
    .unwrap();
    let f = program.function(program.concrete("f").unwrap());
    let parallel: Vec<bool> = f
        .exprs
        .iter()
        .filter_map(|e| match e {
            Expr::For { parallel, .. } => Some(*parallel),
            _ => None,
        })
        .collect();
    assert_eq!(parallel.iter().filter(|p| **p).count(), 1, "{parallel:?}");
}

#[test]
fn passing_an_outer_fixed_array_to_a_writer_is_rejected() {
    let text = error(
        "fn fill(v: &mut [f64]) { v[0] = 1.0; }\nfn f(n: usize) { let mut v = [0.0; 4]; for i in prange(0..n) { fill(&mut v); } }",
    );
    assert!(
        text.contains("cannot write to the local array `v`"),
        "{text}"
    );
    compile("fn read(v: &[f64]) -> f64 { v[0] }\nfn f(x: &mut [f64]) { let v = [2.0; 4]; for i in prange(0..x.len()) { x[i] = read(&v); } }").unwrap();
}

/// A `prange` inside an operand or a condition is checked like one in a statement (it used
/// to be skipped: its reductions went unrecorded, so the JIT ran it in parallel with every
/// outer scalar captured by value while the interpreter ran it sequentially).
#[test]
fn prange_inside_an_operand_is_checked() {
    let found = reductions(
        "fn f(x: &[f64]) -> f64 {
            let mut s = 0.0;
            let t = 1.0 + { for i in prange(0..x.len()) { s += x[i]; } 0.0 };
            s + t
        }",
    );
    assert_eq!(found, vec![("s".to_owned(), ReduceOp::Add)]);
    let text = error(
        "fn f(x: &[f64]) -> f64 {
            let mut last = 0.0;
            if { for i in prange(0..x.len()) { last = x[i]; } last > 0.0 } { last += 1.0; }
            last
        }",
    );
    assert!(
        text.contains("cannot assign to `last` inside a parallel loop"),
        "{text}"
    );
}
