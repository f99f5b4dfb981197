//! Typed-IR snapshots (`kernel_ir::print`) of one kernel per language area: what a change to
//! lowering or checking does to the IR every backend reads. Update with
//! `UPDATE_EXPECT=1 cargo test -p kernel-ir --test lowering_snapshots` and read the diff.

use expect_test::{expect, Expect};

fn check(source: &str, expected: Expect) {
    let program = kernel_ir::compile(source).unwrap_or_else(|e| panic!("{}", e.render()));
    let name = |id: kernel_ir::ir::FuncId| program.function(id).name.clone();
    let text: Vec<String> = program
        .function_names()
        .into_iter()
        .filter_map(|n| program.concrete(n))
        .map(|id| kernel_ir::print::function(program.function(id), &name))
        .collect();
    expected.assert_eq(&text.join("\n"));
}

#[test]
fn literals_take_the_types_inference_gives_them() {
    check(
        "fn f(x: f32, n: u32) -> f32 { let k = 2; let y = x * 2.0; y + (n + k) as f32 }",
        expect![[r#"
            fn f(x: f32, n: u32) -> f32 {
                let k: u32 = 2u32;
                let y: f32 = (x * 2.0f32);
                (y + ((n + k) as f32))
            }
        "#]],
    );
}

#[test]
fn loops_and_ranges() {
    check(
        "fn f(x: &mut [i64]) {
            for i in (0..x.len()).rev().step_by(2) { x[i] = i as i64; }
            let mut j = 0;
            while j < 3 { j += 1; }
            'outer: loop { for k in 0..=2usize { if k == 1 { break 'outer; } } }
        }",
        expect![[r#"
            fn f(x: ArrayViewMut1<i64>) -> () {
                for i: usize in (0usize..x.len()).rev().step_by(2usize) {
                    x[i] = (i as i64);
                };
                let mut j: i64 = 0i64;
                while (j < 3i64) {
                    j += 1i64;
                };
                'outer: loop {
                    for k: usize in 0usize..=2usize {
                        if (k == 1usize) {
                            break 'outer;
                        }
                    }
                }
            }
        "#]],
    );
}

#[test]
fn arrays_methods_and_calls() {
    check(
        "fn g(a: ArrayView2<f64>, i: usize) -> f64 { a[[i, 0]].sqrt().max(1.0) }
         fn f(a: ArrayView2<f64>) -> f64 {
             let (n, m) = a.dim();
             let mut t = [0.0f64; 4];
             t[0] = g(a, n - 1) + m as f64;
             t[0]
         }",
        expect![[r#"
            fn g(a: ArrayView2<f64>, i: usize) -> f64 {
                a[[i, 0i64]].sqrt().max(1.0f64)
            }

            fn f(a: ArrayView2<f64>) -> f64 {
                let n: usize = a.shape()[0];
                let m: usize = a.shape()[1];
                let mut t: [f64; 4] = [0.0f64; 4];
                t[0i64] = (g(a, (n - 1usize)) + (m as f64));
                t[0i64]
            }
        "#]],
    );
}

#[test]
fn parallel_loop_with_reduction() {
    check(
        "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in prange(0..x.len()) { s += x[i]; } s }",
        expect![[r#"
            fn f(x: ArrayView1<f64>) -> f64 {
                let mut s: f64 = 0.0f64;
                for i: usize in prange(0usize..x.len()) {
                    s += x[i];
                };
                s
            }
        "#]],
    );
}
