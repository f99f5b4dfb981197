//! Scalar semantics: wrapping integer arithmetic, division errors, shifts, casts, builtins.

mod common;

use common::*;
use kernel_runtime::{Arg, ErrorKind, Value};

fn f64_of(src: &str, x: f64) -> f64 {
    value(src, "f", &mut [Arg::from(x)]).as_f64().unwrap()
}

#[test]
fn integer_arithmetic_wraps_for_every_type() {
    let src = "
        fn a(x: i32) -> i32 { x + 1 }
        fn b(x: i64) -> i64 { x * 2 }
        fn c(x: u32) -> u32 { x - 1 }
        fn d(x: u64) -> u64 { x + 1 }
        fn e(x: usize) -> usize { x - 1 }
        fn g(x: i64) -> i64 { -x }
        fn h(x: i32) -> i32 { -x }";
    let m = module(src);
    let call = |name: &str, arg: Arg<'static>| m.function(name).unwrap().call(&mut [arg]).unwrap();
    assert_eq!(call("a", Arg::from(i32::MAX)), Value::I32(i32::MIN));
    assert_eq!(call("b", Arg::from(i64::MAX)), Value::I64(-2));
    assert_eq!(call("c", Arg::from(0u32)), Value::U32(u32::MAX));
    assert_eq!(call("d", Arg::from(u64::MAX)), Value::U64(0));
    assert_eq!(call("e", Arg::from(0usize)), Value::Usize(usize::MAX));
    assert_eq!(call("g", Arg::from(i64::MIN)), Value::I64(i64::MIN));
    assert_eq!(call("h", Arg::from(i32::MIN)), Value::I32(i32::MIN));
}

#[test]
fn i32_results_stay_normalised_through_wider_uses() {
    // An i32 that wrapped must compare and cast as the i32 value, not as 64-bit garbage.
    let src = "fn f(x: i32) -> i64 { let y = x * 2; if y < 0 { (y as i64) * 10 } else { 0 } }";
    assert_eq!(value(src, "f", &mut [Arg::from(i32::MAX)]), Value::I64(-20));
}

#[test]
fn integer_division_rules() {
    let src = "fn div(a: i64, b: i64) -> i64 { a / b }
               fn rem(a: i64, b: i64) -> i64 { a % b }
               fn de(a: i32, b: i32) -> i32 { a.div_euclid(b) }
               fn re(a: i32, b: i32) -> i32 { a.rem_euclid(b) }
               fn udiv(a: u32, b: u32) -> u32 { a / b }";
    let m = module(src);
    let run =
        |name: &str, a: Arg<'static>, b: Arg<'static>| m.function(name).unwrap().call(&mut [a, b]);
    assert_eq!(
        run("div", Arg::from(-7i64), Arg::from(2i64)).unwrap(),
        Value::I64(-3)
    );
    assert_eq!(
        run("rem", Arg::from(-7i64), Arg::from(2i64)).unwrap(),
        Value::I64(-1)
    );
    assert_eq!(
        run("rem", Arg::from(i64::MIN), Arg::from(-1i64)).unwrap(),
        Value::I64(0)
    );
    assert_eq!(
        run("de", Arg::from(-7i32), Arg::from(2i32)).unwrap(),
        Value::I32(-4)
    );
    assert_eq!(
        run("re", Arg::from(-7i32), Arg::from(2i32)).unwrap(),
        Value::I32(1)
    );
    assert_eq!(
        run("re", Arg::from(i32::MIN), Arg::from(-1i32)).unwrap(),
        Value::I32(0)
    );
    assert_eq!(
        run("udiv", Arg::from(7u32), Arg::from(2u32)).unwrap(),
        Value::U32(3)
    );
    let kind = |r: Result<Value, kernel_runtime::Error>| match r {
        Err(kernel_runtime::Error::Kernel(e)) => (e.kind, e.function, e.line, e.col),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        kind(run("div", Arg::from(1i64), Arg::from(0i64))),
        (ErrorKind::DivisionByZero, "div".into(), 1, 33)
    );
    assert_eq!(
        kind(run("div", Arg::from(i64::MIN), Arg::from(-1i64))).0,
        ErrorKind::DivisionOverflow
    );
    assert_eq!(
        kind(run("rem", Arg::from(1i64), Arg::from(0i64))).0,
        ErrorKind::DivisionByZero
    );
    assert_eq!(
        kind(run("de", Arg::from(i32::MIN), Arg::from(-1i32))).0,
        ErrorKind::DivisionOverflow
    );
    assert_eq!(
        kind(run("re", Arg::from(3i32), Arg::from(0i32))).0,
        ErrorKind::DivisionByZero
    );
    assert_eq!(
        kind(run("udiv", Arg::from(3u32), Arg::from(0u32))).0,
        ErrorKind::DivisionByZero
    );
}

#[test]
fn compound_division_by_zero_is_located_at_the_assignment() {
    let src = "fn f(a: i64) -> i64 {\n    let mut x = 10;\n    x /= a;\n    x\n}";
    let e = kernel_error(src, "f", &mut [Arg::from(0i64)]);
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::DivisionByZero, 3, 5));
}

#[test]
fn float_remainder_is_fmod() {
    let src = "fn f(x: f64) -> f64 { x % 2.5 }";
    assert_eq!(f64_of(src, -7.0), -7.0f64 % 2.5);
    assert!(f64_of(src, f64::INFINITY).is_nan());
}

#[test]
fn shifts_take_the_amount_modulo_the_width_from_any_integer_type() {
    let src = "fn shl32(x: u32, s: i64) -> u32 { x << s }
               fn shr64(x: i64, s: u32) -> i64 { x >> s }
               fn shl64(x: u64, s: i32) -> u64 { x << s }
               fn sa(x: i32, s: u64) -> i32 { let mut y = x; y <<= s; y }";
    let m = module(src);
    let run = |name: &str, a: Arg<'static>, b: Arg<'static>| {
        m.function(name).unwrap().call(&mut [a, b]).unwrap()
    };
    assert_eq!(
        run("shl32", Arg::from(1u32), Arg::from(33i64)),
        Value::U32(2)
    );
    assert_eq!(
        run("shl32", Arg::from(1u32), Arg::from(-1i64)),
        Value::U32(1u32.wrapping_shl(u32::MAX))
    );
    assert_eq!(
        run("shr64", Arg::from(-256i64), Arg::from(68u32)),
        Value::I64(-16)
    );
    assert_eq!(
        run("shl64", Arg::from(3u64), Arg::from(-63i32)),
        Value::U64(3u64.wrapping_shl(-63i64 as u64 as u32))
    );
    assert_eq!(
        run("sa", Arg::from(1i32), Arg::from(31u64)),
        Value::I32(i32::MIN)
    );
    assert_eq!(
        run("sa", Arg::from(5i32), Arg::from(u64::MAX)),
        Value::I32(5i32.wrapping_shl(u32::MAX))
    );
}

#[test]
fn bitwise_and_logic() {
    let src = "fn f(a: u32, b: u32) -> u32 { (a & b) | (a ^ b) & !b }
               fn g(a: bool, b: bool) -> bool { (a && !b) || (a ^ b) & b }
               fn h(x: i64) -> bool { x > 0 && 10 / x > 2 }";
    let m = module(src);
    let (a, b) = (0b1100u32, 0b1010u32);
    assert_eq!(
        m.function("f")
            .unwrap()
            .call(&mut [a.into(), b.into()])
            .unwrap(),
        Value::U32((a & b) | (a ^ b) & !b)
    );
    for (x, y) in [(false, false), (false, true), (true, false), (true, true)] {
        let got = m
            .function("g")
            .unwrap()
            .call(&mut [x.into(), y.into()])
            .unwrap();
        assert_eq!(got, Value::Bool((x && !y) || (x ^ y) & y));
    }
    // `&&` short-circuits: no division by zero.
    assert_eq!(
        m.function("h").unwrap().call(&mut [0i64.into()]).unwrap(),
        Value::Bool(false)
    );
}

#[test]
fn casts_follow_rust() {
    let src = "fn to_i32(x: f64) -> i32 { x as i32 }
               fn to_u8ish(x: f64) -> u32 { x as u32 }
               fn to_u64(x: i64) -> u64 { x as u64 }
               fn to_i32_from_i64(x: i64) -> i32 { x as i32 }
               fn to_f32(x: f64) -> f32 { x as f32 }
               fn i64_to_f32(x: i64) -> f32 { x as f32 }
               fn b(x: bool) -> i64 { x as i64 }
               fn bf(x: bool) -> f64 { x as u32 as f64 }
               fn u32_to_i64(x: u32) -> i64 { x as i64 }
               fn i32_to_u64(x: i32) -> u64 { x as u64 }";
    let m = module(src);
    let run = |name: &str, a: Arg<'static>| m.function(name).unwrap().call(&mut [a]).unwrap();
    assert_eq!(run("to_i32", Arg::from(1e20)), Value::I32(i32::MAX));
    assert_eq!(run("to_i32", Arg::from(-1e20)), Value::I32(i32::MIN));
    assert_eq!(run("to_i32", Arg::from(f64::NAN)), Value::I32(0));
    assert_eq!(run("to_i32", Arg::from(-3.9)), Value::I32(-3));
    assert_eq!(run("to_u8ish", Arg::from(-5.0)), Value::U32(0));
    assert_eq!(run("to_u64", Arg::from(-1i64)), Value::U64(u64::MAX));
    assert_eq!(
        run("to_i32_from_i64", Arg::from(0x1_8000_0000i64)),
        Value::I32(i32::MIN)
    );
    assert_eq!(run("to_f32", Arg::from(0.1)), Value::F32(0.1f32));
    let big = (1i64 << 60) + (1 << 36) + 1;
    assert_eq!(run("i64_to_f32", Arg::from(big)), Value::F32(big as f32));
    assert_eq!(run("b", Arg::from(true)), Value::I64(1));
    assert_eq!(run("bf", Arg::from(true)), Value::F64(1.0));
    assert_eq!(
        run("u32_to_i64", Arg::from(u32::MAX)),
        Value::I64(u32::MAX as i64)
    );
    assert_eq!(run("i32_to_u64", Arg::from(-1i32)), Value::U64(u64::MAX));
}

macro_rules! check_unary_f64 {
    ($($method:ident),*) => {{
        let inputs = [0.0, -0.0, 0.5, -1.25, 2.0, 7.75, 1e-300, 1e300, f64::INFINITY, f64::NEG_INFINITY];
        $(
            let src = concat!("fn f(x: f64) -> f64 { x.", stringify!($method), "() }");
            let m = module(src);
            let f = m.function("f").unwrap();
            for x in inputs {
                let got = f.call(&mut [Arg::from(x)]).unwrap().as_f64().unwrap();
                let want = x.$method();
                assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{}({x}) = {got}, want {want}", stringify!($method));
            }
        )*
    }};
}

#[test]
fn float_builtins_match_std_bit_for_bit() {
    check_unary_f64!(
        sqrt, cbrt, abs, signum, recip, floor, ceil, round, trunc, fract, exp, exp2, ln, log2,
        log10, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, to_degrees, to_radians
    );
}

#[test]
fn f32_builtins() {
    let src = "fn f(x: f32) -> f32 { x.sin() + x.sqrt() * x.powi(3) - x.exp().ln() }";
    // black_box: LLVM would constant-fold these calls with its own (more precise) folding.
    let x = std::hint::black_box(1.7f32);
    // `powi` is the shared square-and-multiply of `kernel_ir::semantics`, not LLVM's.
    let want = x.sin() + x.sqrt() * kernel_runtime::ir::semantics::powi_f32(x, 3) - x.exp().ln();
    assert_eq!(value(src, "f", &mut [Arg::from(x)]), Value::F32(want));
}

#[test]
fn two_and_three_argument_float_builtins() {
    let src = "fn f(x: f64, y: f64) -> f64 {
        x.log(y) + x.powf(y) + y.atan2(x) + x.hypot(y) + x.mul_add(y, 0.5) + x.min(y) * 3.0
            + x.max(y) * 5.0 + x.rem_euclid(y) + x.div_euclid(y) + x.powi(-3) + x.clamp(0.0, 1.0)
    }";
    for (x, y) in [(2.5f64, 1.5f64), (-3.25, 2.0), (7.0, -0.5)] {
        let want: f64 = x.log(y)
            + x.powf(y)
            + y.atan2(x)
            + x.hypot(y)
            + x.mul_add(y, 0.5)
            + x.min(y) * 3.0
            + x.max(y) * 5.0
            + x.rem_euclid(y)
            + x.div_euclid(y)
            + kernel_runtime::ir::semantics::powi_f64(x, -3)
            + x.clamp(0.0, 1.0);
        let got = value(src, "f", &mut [Arg::from(x), Arg::from(y)])
            .as_f64()
            .unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "x={x} y={y}");
    }
}

#[test]
fn float_predicates_and_min_max_with_nan() {
    let src = "fn f(x: f64) -> bool { x.is_nan() }
               fn g(x: f64) -> bool { x.is_finite() }
               fn h(x: f64) -> f64 { x.min(1.0) + x.max(-1.0) }";
    let m = module(src);
    let run = |name: &str, x: f64| m.function(name).unwrap().call(&mut [Arg::from(x)]).unwrap();
    assert_eq!(run("f", f64::NAN), Value::Bool(true));
    assert_eq!(run("f", 1.0), Value::Bool(false));
    assert_eq!(run("g", f64::INFINITY), Value::Bool(false));
    assert_eq!(run("g", 3.0), Value::Bool(true));
    assert_eq!(run("h", f64::NAN), Value::F64(0.0));
}

#[test]
fn clamp_with_bad_bounds_is_a_runtime_error() {
    let src = "fn f(x: f64, lo: f64) -> f64 { x.clamp(lo, 1.0) }\nfn g(x: i64) -> i64 {\n    x.clamp(5, 2)\n}";
    let e = kernel_error(src, "f", &mut [Arg::from(0.5), Arg::from(2.0)]);
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::InvalidClamp, 1, 32));
    let e = kernel_error(src, "f", &mut [Arg::from(0.5), Arg::from(f64::NAN)]);
    assert_eq!(e.kind, ErrorKind::InvalidClamp);
    let e = kernel_error(src, "g", &mut [Arg::from(3i64)]);
    assert_eq!((e.kind, e.line, e.col), (ErrorKind::InvalidClamp, 3, 5));
}

#[test]
fn integer_builtins() {
    let src = "fn f(x: i64) -> i64 { x.abs() + x.pow(3) + x.min(2) * 10 + x.max(-1) * 100 + x.signum() * 1000 + x.clamp(-4, 4) * 10000 }
               fn w(x: u32) -> u32 { x.wrapping_add(u32::MAX) ^ x.wrapping_sub(7) ^ x.wrapping_mul(3_000_000_000) }
               fn bits(x: u64) -> u32 { x.count_ones() * 100 + x.leading_zeros() }
               fn ia(x: i32) -> i32 { x.abs() }";
    let m = module(src);
    for x in [-7i64, 0, 3, 12] {
        let want = x.abs()
            + x.pow(3)
            + x.min(2) * 10
            + x.max(-1) * 100
            + x.signum() * 1000
            + x.clamp(-4, 4) * 10000;
        assert_eq!(
            m.function("f").unwrap().call(&mut [x.into()]).unwrap(),
            Value::I64(want)
        );
    }
    let x = 123_456u32;
    let want = x.wrapping_add(u32::MAX) ^ x.wrapping_sub(7) ^ x.wrapping_mul(3_000_000_000);
    assert_eq!(
        m.function("w").unwrap().call(&mut [x.into()]).unwrap(),
        Value::U32(want)
    );
    let y = 0x00F0_0000_0000_0101u64;
    assert_eq!(
        m.function("bits").unwrap().call(&mut [y.into()]).unwrap(),
        Value::U32(y.count_ones() * 100 + y.leading_zeros())
    );
    assert_eq!(
        m.function("ia")
            .unwrap()
            .call(&mut [i32::MIN.into()])
            .unwrap(),
        Value::I32(i32::MIN)
    );
}

#[test]
fn constants_and_literals() {
    let src = "fn f() -> f64 { std::f64::consts::PI + f64::consts::E * 2 as f64 }
               fn g() -> i64 { i64::MIN }
               fn h() -> u32 { u32::MAX }
               fn k() -> f32 { 2.5f32 * 2.0 }";
    let m = module(src);
    let run = |name: &str| m.function(name).unwrap().call(&mut []).unwrap();
    assert_eq!(
        run("f"),
        Value::F64(std::f64::consts::PI + std::f64::consts::E * 2.0)
    );
    assert_eq!(run("g"), Value::I64(i64::MIN));
    assert_eq!(run("h"), Value::U32(u32::MAX));
    assert_eq!(run("k"), Value::F32(5.0));
}
