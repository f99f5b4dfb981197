//! Control flow: every range form, labels, `loop` with `break value`, `while`, `if` as an
//! expression, early `return`, calls and fixed local arrays.

mod common;

use common::*;
use kernel_runtime::{Arg, ErrorKind, Value};

fn collect(src: &str, args: &mut [Arg<'_>]) -> Vec<i64> {
    let mut out = vec![0i64; 64];
    let mut all: Vec<Arg<'_>> = args
        .iter_mut()
        .map(|a| std::mem::replace(a, Arg::from(0i64)))
        .collect();
    all.push(Arg::from(&mut out[..]));
    let n = value(src, "f", &mut all).as_usize().unwrap();
    out.truncate(n);
    out
}

#[test]
fn every_range_form_visits_rusts_values() {
    let forms: [(&str, Vec<i64>); 8] = [
        ("a..b", (2..7).collect()),
        ("a..=b", (2..=7).collect()),
        ("(a..b).rev()", (2..7).rev().collect()),
        ("(a..=b).rev()", (2..=7).rev().collect()),
        ("(a..b).step_by(2)", (2..7).step_by(2).collect()),
        ("(a..=b).step_by(5)", (2..=7).step_by(5).collect()),
        ("(a..b).rev().step_by(2)", (2..7).rev().step_by(2).collect()),
        (
            "(a..=b).rev().step_by(3)",
            (2..=7).rev().step_by(3).collect(),
        ),
    ];
    for (range, want) in forms {
        let src = format!(
            "fn f(a: i64, b: i64, out: &mut [i64]) -> usize {{ let mut n = 0; for i in {range} {{ out[n] = i; n += 1; }} n }}"
        );
        assert_eq!(
            collect(&src, &mut [Arg::from(2i64), Arg::from(7i64)]),
            want,
            "{range}"
        );
    }
}

#[test]
fn empty_and_negative_ranges() {
    let src = "fn f(a: i32, b: i32, out: &mut [i64]) -> usize { let mut n = 0; for i in a..b { out[n] = i as i64; n += 1; } for i in (a..=b).rev() { out[n] = i as i64 * 10; n += 1; } n }";
    assert_eq!(
        collect(src, &mut [Arg::from(5i32), Arg::from(5i32)]),
        vec![50]
    );
    assert_eq!(
        collect(src, &mut [Arg::from(-2i32), Arg::from(1i32)]),
        vec![-2, -1, 0, 10, 0, -10, -20]
    );
    assert_eq!(
        collect(src, &mut [Arg::from(3i32), Arg::from(1i32)]),
        Vec::<i64>::new()
    );
}

#[test]
fn inclusive_range_to_max_does_not_wrap() {
    let src = "fn f(start: u64) -> u64 { let mut n = 0; for i in start..=u64::MAX { n += 1; if i == 3 { break; } } n }
               fn g() -> u32 { let mut n = 0; for _ in (u32::MAX - 2)..=u32::MAX { n += 1; } n }
               fn h() -> i64 { let mut last = 0; for i in (i64::MAX - 10..=i64::MAX).step_by(4) { last = i; } last }
               fn k() -> usize { let mut n = 0; for i in (0..=usize::MAX).rev() { n += 1; if i == usize::MAX - 2 { break; } } n }";
    let m = module(src);
    let run = |name: &str, args: &mut [Arg<'_>]| m.function(name).unwrap().call(args).unwrap();
    assert_eq!(run("f", &mut [Arg::from(0u64)]), Value::U64(4));
    assert_eq!(run("f", &mut [Arg::from(u64::MAX - 1)]), Value::U64(2));
    assert_eq!(run("g", &mut []), Value::U32(3));
    assert_eq!(run("h", &mut []), Value::I64(i64::MAX - 2));
    assert_eq!(run("k", &mut []), Value::Usize(3));
}

#[test]
fn zero_step_is_an_error_at_the_step() {
    let src = "fn f(s: usize) -> usize {\n    let mut n = 0;\n    for i in (0..10).step_by(s) { n += i; }\n    n\n}";
    let e = kernel_error(src, "f", &mut [Arg::from(0usize)]);
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::ZeroStep, 3, 30));
    assert_eq!(value(src, "f", &mut [Arg::from(3usize)]), Value::Usize(18));
}

#[test]
fn labels_break_and_continue() {
    let src = "fn f(n: i64) -> i64 {
        let mut count = 0;
        'outer: for i in 0..n {
            for j in 0..n {
                if j > i { continue 'outer; }
                if i + j == 7 { break 'outer; }
                if j == 2 { continue; }
                count += 1;
            }
        }
        count
    }";
    let mut count = 0;
    'outer: for i in 0..10i64 {
        for j in 0..10 {
            if j > i {
                continue 'outer;
            }
            if i + j == 7 {
                break 'outer;
            }
            if j == 2 {
                continue;
            }
            count += 1;
        }
    }
    assert_eq!(value(src, "f", &mut [Arg::from(10i64)]), Value::I64(count));
}

#[test]
fn loop_with_break_value_while_and_if_expressions() {
    let src = "fn collatz(mut n: u64) -> u64 {
        let mut steps = 0;
        while n != 1 {
            n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
            steps += 1;
        }
        steps
    }
    fn first_square_above(x: i64) -> i64 {
        let mut i = 0;
        let found = loop {
            if i * i > x { break i * i; }
            i += 1;
        };
        found
    }
    fn sign(x: f64) -> i32 { if x > 0.0 { 1 } else if x < 0.0 { -1 } else { 0 } }
    fn early(x: i64) -> i64 { for i in 0..100 { if i * x > 50 { return i; } } -1 }";
    let m = module(src);
    let run = |name: &str, a: Arg<'static>| m.function(name).unwrap().call(&mut [a]).unwrap();
    assert_eq!(run("collatz", Arg::from(27u64)), Value::U64(111));
    assert_eq!(run("first_square_above", Arg::from(50i64)), Value::I64(64));
    assert_eq!(run("sign", Arg::from(-2.0)), Value::I32(-1));
    assert_eq!(run("sign", Arg::from(0.0)), Value::I32(0));
    assert_eq!(run("early", Arg::from(7i64)), Value::I64(8));
    assert_eq!(run("early", Arg::from(0i64)), Value::I64(-1));
}

#[test]
fn calls_recursion_and_unit_functions() {
    let src = "fn fib(n: i64) -> i64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }
    fn fill(out: &mut [f64], x: f64) { for i in 0..out.len() { out[i] = x * i as f64; } }
    fn run(out: &mut [f64]) -> f64 { fill(out, 2.0); fill(&mut out, 3.0); let s = total(out); s }
    fn total(a: &[f64]) -> f64 { let mut s = 0.0; for i in 0..a.len() { s += a[i]; } s }
    fn is_even(n: u32) -> bool { if n == 0 { true } else { is_odd(n - 1) } }
    fn is_odd(n: u32) -> bool { if n == 0 { false } else { is_even(n - 1) } }";
    let m = module(src);
    assert_eq!(
        m.function("fib")
            .unwrap()
            .call(&mut [Arg::from(20i64)])
            .unwrap(),
        Value::I64(6765)
    );
    let mut out = vec![0.0; 4];
    assert_eq!(
        m.function("run")
            .unwrap()
            .call(&mut [Arg::from(&mut out[..])])
            .unwrap(),
        Value::F64(18.0)
    );
    assert_eq!(out, [0.0, 3.0, 6.0, 9.0]);
    assert_eq!(
        m.function("fill")
            .unwrap()
            .call(&mut [Arg::from(&mut out[..]), Arg::from(1.0)])
            .unwrap(),
        Value::Unit
    );
    assert_eq!(
        m.function("is_even")
            .unwrap()
            .call(&mut [Arg::from(101u32)])
            .unwrap(),
        Value::Bool(false)
    );
}

#[test]
fn fixed_local_arrays() {
    let src = "fn f(x: f64) -> f64 {
        let mut v = [0.0f64; 3];
        let w = [x, 2.0 * x, 3.0 * x];
        for i in 0..3 { v[i] = w[2 - i] + 1.0; }
        v[1] += 10.0;
        v[0] * 100.0 + v[1] + v.len() as f64 * 1000.0 + helper(&v)
    }
    fn helper(a: &[f64]) -> f64 { a[2] * 10000.0 }
    fn g() -> i32 { let mut c = [1i32, 2, 3, 4]; let mut s = 0; for k in 0..4 { c[k] *= c[k]; s += c[k]; } s }
    fn bools() -> u32 { let mut b = [false; 5]; b[3] = true; let mut n = 0; for i in 0..5 { if b[i] { n += i as u32; } } n }
    fn oob(i: usize) -> i64 {\n        let a = [1i64, 2, 3];\n        a[i]\n    }";
    let m = module(src);
    let x = 1.5;
    let want = (3.0 * x + 1.0) * 100.0 + (2.0 * x + 1.0 + 10.0) + 3000.0 + (x + 1.0) * 10000.0;
    assert_eq!(
        m.function("f").unwrap().call(&mut [Arg::from(x)]).unwrap(),
        Value::F64(want)
    );
    assert_eq!(
        m.function("g").unwrap().call(&mut []).unwrap(),
        Value::I32(30)
    );
    assert_eq!(
        m.function("bools").unwrap().call(&mut []).unwrap(),
        Value::U32(3)
    );
    match m.function("oob").unwrap().call(&mut [Arg::from(3usize)]) {
        Err(kernel_runtime::Error::Kernel(e)) => {
            assert_eq!(
                e.kind,
                ErrorKind::IndexOutOfBounds {
                    array: "a".into(),
                    axis: 0,
                    index: 3,
                    extent: 3
                }
            );
            assert_eq!((e.function.as_str(), e.line, e.col), ("oob", 13, 9));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_in_a_callee_name_the_callee() {
    let src = "fn outer(a: &[f64]) -> f64 {\n    inner(a, 5)\n}\nfn inner(a: &[f64], i: i32) -> f64 {\n    a[i]\n}";
    let a = [1.0, 2.0];
    let e = kernel_error(src, "outer", &mut [Arg::from(&a[..])]);
    assert_eq!((e.function.as_str(), e.line, e.col), ("inner", 5, 5));
    assert_eq!(
        e.kind,
        ErrorKind::IndexOutOfBounds {
            array: "a".into(),
            axis: 0,
            index: 5,
            extent: 2
        }
    );
}

#[test]
fn writes_before_an_error_stay() {
    let src = "fn f(out: &mut [i64]) { for i in 0..10 { out[i] = i as i64 + 1; } }";
    let mut out = vec![0i64; 4];
    let e = kernel_error(src, "f", &mut [Arg::from(&mut out[..])]);
    assert_eq!(
        e.kind,
        ErrorKind::IndexOutOfBounds {
            array: "out".into(),
            axis: 0,
            index: 4,
            extent: 4
        }
    );
    assert_eq!(out, [1, 2, 3, 4]);
}
