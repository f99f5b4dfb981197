//! The bounds analysis (`kernel_ir::analysis::bounds`): which checks are proven, implied,
//! hoisted to a loop's entry (with the guard written out) or left in place. Each access is
//! shown as `line:col read|write [verdict per axis]`.

use expect_test::{expect, Expect};
use kernel_ir::analysis::bounds;
use kernel_ir::compile;

fn check(source: &str, expected: Expect) {
    let program = compile(source).unwrap_or_else(|e| panic!("{}", e.render()));
    let mut out = String::new();
    for name in program.function_names() {
        let f = program.function(program.concrete(name).expect("non-generic"));
        out.push_str(&bounds::analyze(f).render(f));
    }
    expected.assert_eq(&out);
}

#[test]
fn loops_over_the_arrays_own_extent_are_proven() {
    check(
        "fn f(x: &[f64], a: ArrayView2<f64>, y: &mut [f64]) {
    for i in 0..x.len() { y[0] += x[i]; }
    let n = x.len();
    for i in 0..n { y[0] += x[i]; }
    let (r, c) = a.dim();
    for i in 0..r { for j in 0..c { y[0] += a[[i, j]]; } }
    for i in 0..a.nrows() { for j in 0..a.shape()[1] { y[0] += a[[i, j]]; } }
}",
        expect![[r#"
            2:27 write [hoisted@L2]
            2:35 read [proven]
            4:21 write [hoisted@L4]
            4:29 read [proven]
            6:37 write [hoisted@L6]
            6:45 read [proven, proven]
            7:56 write [hoisted@L7]
            7:64 read [proven, proven]
            guard L2: y.dim(0) - 1 >= 0
            guard L4: y.dim(0) - 1 >= 0
            guard L6: y.dim(0) - 1 >= 0
            guard L7: y.dim(0) - 1 >= 0
        "#]],
    );
}

#[test]
fn size_parameters_are_hoisted_to_the_outermost_loop() {
    check(
        "fn gemm(ni: usize, nj: usize, nk: usize, alpha: f64, c: &mut Array2<f64>, a: ArrayView2<f64>, b: ArrayView2<f64>) {
    for i in 0..ni {
        for k in 0..nk {
            for j in 0..nj {
                c[[i, j]] += alpha * a[[i, k]] * b[[k, j]];
            }
        }
    }
}",
        expect![[r#"
            5:17 write [hoisted@L2, hoisted@L2]
            5:38 read [hoisted@L2, hoisted@L2]
            5:50 read [hoisted@L2, hoisted@L2]
            guard L2: -ni + a.dim(0) >= 0 && -nk + a.dim(1) >= 0 && -nk + b.dim(0) >= 0 && -nj + b.dim(1) >= 0 && -ni + c.dim(0) >= 0 && -nj + c.dim(1) >= 0
        "#]],
    );
}

#[test]
fn triangles_and_stencils() {
    check(
        "fn f(a: &mut Array2<f64>, x: &[f64], y: &mut [f64]) {
    let n = a.nrows();
    for i in 0..n {
        for j in 0..i { a[[i, j]] = 0.0; }
        for j in i + 1..n { a[[j, i]] = 1.0; }
    }
    for i in 1..x.len() - 1 {
        y[i] = x[i - 1] + x[i] + x[i + 1];
    }
}",
        expect![[r#"
            4:25 write [proven, hoisted@L3]
            5:29 write [proven, hoisted@L3]
            8:9 write [hoisted@L7]
            8:16 read [hoisted@L7]
            8:27 read [hoisted@L7]
            8:34 read [hoisted@L7]
            guard L3: -a.dim(0) + a.dim(1) >= 0
            guard L7: x.dim(0) - 1 >= 0 && -x.dim(0) + y.dim(0) + 1 >= 0
        "#]],
    );
}

#[test]
fn what_the_analysis_cannot_follow_stays_checked() {
    check(
        "fn f(x: &[f64], idx: &[usize], y: &mut [f64]) {
    let mut n = x.len();
    for i in 0..y.len() {
        y[i] = x[idx[i]];
        n -= 1;
        y[i] += x[n];
        y[i] += x[i * i];
    }
}",
        expect![[r#"
            4:9 write [proven]
            4:16 read [checked]
            4:18 read [hoisted@L3]
            6:9 write [proven]
            6:17 read [checked]
            7:9 write [proven]
            7:17 read [checked]
            guard L3: idx.dim(0) - y.dim(0) >= 0
        "#]],
    );
}

#[test]
fn guards_that_would_only_remove_checks_beside_an_inner_loop_are_dropped() {
    check(
        "fn f(state: ArrayView2<f64>, out: &mut Array2<f64>) {
    let n = state.nrows();
    for i in 0..n {
        out[[i, 0]] = state[[i, 3]];
        let mut s = 0.0;
        for j in 0..n { s += state[[j, 0]]; }
        for k in 0..3 { out[[i, 1 + k]] = s; }
    }
}",
        expect![[r#"
            4:9 write [checked, checked]
            4:23 read [proven, checked]
            6:30 read [proven, implied]
            7:25 write [implied, checked]
        "#]],
    );
}

/// An `u8` or `i8` index wraps at 8 bits: the analysis may only use it where every
/// intermediate provably fits the narrow type, and must guard (or check) the rest.
#[test]
fn narrow_index_types_never_prove_what_wrapping_breaks() {
    check(
        "fn f(y: &mut [f64], k: u8, s: i8) {
    let x = [1.0f64; 300];
    for i in 0u8..200 { y[0] += x[(i + 100) as usize]; }
    for i in 0u8..=255 { y[0] += x[i as usize]; }
    for i in 0u8..10 { y[0] += x[(i + k) as usize]; }
    y[0] += x[(s + 5) as usize];
}",
        expect![[r#"
            3:25 write [hoisted@L3]
            3:33 read [hoisted@L3]
            4:26 write [hoisted@L4]
            4:34 read [proven]
            5:24 write [hoisted@L5]
            5:32 read [hoisted@L5]
            6:5 write [checked]
            6:13 read [checked]
            guard L3: -44 >= 0 && y.dim(0) - 1 >= 0
            guard L4: y.dim(0) - 1 >= 0
            guard L5: -k + 246 >= 0 && y.dim(0) - 1 >= 0
        "#]],
    );
}
