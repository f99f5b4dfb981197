//! Control flow, calls and recursion in the JIT.

mod support;

use kernel_ir::{ErrorKind, MAX_CALL_DEPTH};
use support::*;

#[test]
fn if_else_is_an_expression() {
    let src = "fn f(x: i64) -> i64 {\n\
                   let y = if x < 0 { -x } else if x == 0 { 100 } else { x * 2 };\n\
                   y + 1\n\
               }";
    let c = compile(src);
    assert_eq!(c.i64("f", &[i(-5)]), 6);
    assert_eq!(c.i64("f", &[i(0)]), 101);
    assert_eq!(c.i64("f", &[i(4)]), 9);
}

#[test]
fn early_return_and_never_branches() {
    let src = "fn f(x: i64) -> i64 {\n\
                   let y = if x > 10 { return 1; } else { x };\n\
                   if y == 3 { return 30; }\n\
                   y * 2\n\
               }\n\
               fn g(x: f64) -> f64 {\n\
                   loop {\n\
                       if x > 0.0 { return x; }\n\
                       return -x;\n\
                   }\n\
               }";
    let c = compile(src);
    assert_eq!(c.i64("f", &[i(11)]), 1);
    assert_eq!(c.i64("f", &[i(3)]), 30);
    assert_eq!(c.i64("f", &[i(4)]), 8);
    assert_eq!(c.f64("g", &[f(-2.0)]), 2.0);
}

#[test]
fn for_ranges_visit_what_rust_visits() {
    let cases: &[(&str, Vec<i64>)] = &[
        ("0..5", (0..5).collect()),
        ("0..=5", (0..=5).collect()),
        ("(0..5).rev()", (0..5).rev().collect()),
        ("(0..=5).rev()", (0..=5).rev().collect()),
        ("(0..10).step_by(3)", (0..10).step_by(3).collect()),
        ("(0..=9).step_by(3)", (0..=9).step_by(3).collect()),
        (
            "(0..10).rev().step_by(4)",
            (0..10).rev().step_by(4).collect(),
        ),
        (
            "(-5..=5).rev().step_by(5)",
            (-5..=5).rev().step_by(5).collect(),
        ),
        ("5..5", vec![]),
        ("5..=4", vec![]),
        ("(3..1).rev()", vec![]),
    ];
    for (range, expected) in cases {
        // A polynomial hash of the visited sequence, sensitive to order and count.
        let src =
            format!("fn f() -> i64 {{ let mut h = 7; for i in {range} {{ h = h * 31 + i; }} h }}");
        let want = expected
            .iter()
            .fold(7i64, |h, i| h.wrapping_mul(31).wrapping_add(*i));
        assert_eq!(run(&src, "f", &[]).unwrap().as_i64(), want, "{range}");
    }
}

#[test]
fn ranges_never_wrap_at_the_type_limits() {
    let src = "fn a() -> u64 { let mut n = 0; for _i in (u64::MAX - 2)..=u64::MAX { n += 1; } n }\n\
               fn b() -> i64 { let mut n = 0; for _i in (i32::MIN..=(i32::MIN + 1)).rev() { n += 1; } n }\n\
               fn c() -> i64 { let mut n = 0; for _i in (0..=u32::MAX).step_by(1 << 31) { n += 1; } n }";
    let c = compile(src);
    assert_eq!(c.call("a", &[]).unwrap().0, 3);
    assert_eq!(c.i64("b", &[]), 2);
    assert_eq!(c.i64("c", &[]), 2);
}

#[test]
fn zero_step_is_a_runtime_error() {
    let src = "fn f(s: usize) -> i64 {\n    let mut n = 0;\n    for _i in (0..10).step_by(s) { n += 1; }\n    n\n}";
    let c = compile(src);
    assert_eq!(c.i64("f", &[u(4)]), 3);
    let error = c.call("f", &[u(0)]).unwrap_err();
    assert_eq!(error.kind, ErrorKind::ZeroStep);
    let (line, col) = pos(src, "s) {");
    assert_eq!((error.line, error.col), (line, col));
}

#[test]
fn while_loop_labels_and_break_values() {
    let src = "fn f(n: i64) -> i64 {\n\
                   let mut total = 0;\n\
                   'outer: for i in 0..n {\n\
                       let mut j = 0;\n\
                       while j < n {\n\
                           j += 1;\n\
                           if j == 2 { continue; }\n\
                           if i * j > 20 { continue 'outer; }\n\
                           if i == 8 { break 'outer; }\n\
                           total += i * j;\n\
                       }\n\
                   }\n\
                   let first = loop {\n\
                       total += 1;\n\
                       if total % 7 == 0 { break total; }\n\
                   };\n\
                   first\n\
               }";
    let mut total = 0i64;
    'outer: for i in 0..10i64 {
        let mut j = 0;
        while j < 10 {
            j += 1;
            if j == 2 {
                continue;
            }
            if i * j > 20 {
                continue 'outer;
            }
            if i == 8 {
                break 'outer;
            }
            total += i * j;
        }
    }
    let first = loop {
        total += 1;
        if total % 7 == 0 {
            break total;
        }
    };
    assert_eq!(run(src, "f", &[i(10)]).unwrap().as_i64(), first);
}

#[test]
fn calls_and_recursion() {
    let src = "fn fib(n: i64) -> i64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\n\
               fn twice(x: f64) -> f64 { half(x) * 4.0 }\n\
               fn half(x: f64) -> f64 { x / 2.0 }\n\
               fn side(a: &mut [f64]) { a[0] = 5.0; }\n\
               fn caller(a: &mut [f64]) -> f64 { side(a); a[0] + twice(1.0) }";
    let c = compile(src);
    assert_eq!(c.i64("fib", &[i(20)]), 6765);
    assert_eq!(c.f64("twice", &[f(3.0)]), 6.0);
    let mut a = [0.0f64; 2];
    assert_eq!(c.f64("caller", &[vec1(&mut a)]), 7.0);
    assert_eq!(a[0], 5.0);
}

const DEEP: &str = "fn depth(n: i64) -> i64 {\n    if n == 0 { 0 } else { 1 + depth(n - 1) }\n}\n\
                    fn outer(n: i64) -> i64 {\n    depth(n)\n}";

#[test]
fn recursion_limit_is_located_at_the_call() {
    let c = compile(DEEP);
    // The outermost call is depth 1, so `depth(MAX - 1)` runs MAX frames.
    let ok = i64::from(MAX_CALL_DEPTH) - 1;
    assert_eq!(c.i64("depth", &[i(ok)]), ok);
    assert_error(
        c.call("depth", &[i(ok + 1)]),
        ErrorKind::RecursionLimit {
            limit: MAX_CALL_DEPTH,
        },
        "depth",
        DEEP,
        "depth(n - 1)",
    );
    // The error propagates through every frame, including another function's.
    let error = c.call("outer", &[i(10_000)]).unwrap_err();
    assert_eq!(error.function, "depth");
}

#[test]
fn deep_recursion_fits_a_two_mebibyte_thread() {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let c = compile(DEEP);
            let ok = i64::from(MAX_CALL_DEPTH) - 1;
            (
                c.i64("depth", &[i(ok)]),
                c.call("depth", &[i(100_000)]).is_err(),
            )
        })
        .expect("spawn");
    let (value, failed) = handle.join().expect("no stack overflow");
    assert_eq!(value, i64::from(MAX_CALL_DEPTH) - 1);
    assert!(failed);
}

#[test]
fn call_as_statement_and_unit_functions() {
    let src = "fn bump(a: &mut [i64], k: usize) { a[k] += 1; }\n\
               fn run(a: &mut [i64]) { for k in 0..a.len() { bump(a, k); bump(a, k); } }";
    let c = compile(src);
    let mut a = [1i64, 2, 3];
    assert_eq!(c.call("run", &[vec1(&mut a)]).unwrap().0, 0);
    assert_eq!(a, [3, 4, 5]);
}

mod interrupts {
    use super::support::*;
    use kernel_ir::ErrorKind;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    const SPIN: &str = "fn spin() -> i64 {\n    let mut n = 0;\n    loop {\n        n += 1;\n    }\n}\n\
                        fn nested(n: i64) -> f64 {\n    let mut s = 0.0;\n    for i in 0..n {\n        for j in 0..n {\n            s += (i * j) as f64;\n        }\n    }\n    s\n}\n\
                        fn fib(n: i64) -> i64 {\n    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\n}";

    fn interrupt_after(flag: &AtomicU32, value: u32) {
        std::thread::sleep(Duration::from_millis(30));
        flag.store(value, Ordering::Relaxed);
    }

    #[test]
    fn a_set_flag_stops_endless_and_long_kernels() {
        let c = compile(SPIN);
        for (name, args, value, kind) in [
            ("spin", vec![], 1, ErrorKind::Interrupted),
            ("nested", vec![i(1 << 20)], 2, ErrorKind::Timeout),
            ("fib", vec![i(90)], 1, ErrorKind::Interrupted),
        ] {
            let id = c.program.concrete(name).unwrap();
            let flag = AtomicU32::new(0);
            let error = std::thread::scope(|scope| {
                scope.spawn(|| interrupt_after(&flag, value));
                // SAFETY: scalar arguments matching the parameters; `flag` outlives the call.
                unsafe { c.jit.call_interruptible(id, &args, &flag) }.unwrap_err()
            });
            assert_eq!(error.kind, kind, "{name}");
            assert_eq!(error.function, name);
        }
        // Without a flag set, the same kernels finish.
        let id = c.program.concrete("nested").unwrap();
        let flag = AtomicU32::new(0);
        // SAFETY: as above.
        let done = unsafe { c.jit.call_interruptible(id, &[i(3)], &flag) }.unwrap();
        assert_eq!(done.as_f64(), 9.0);
    }
}
