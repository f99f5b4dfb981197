//! Scalar semantics of the JIT: arithmetic, integer errors, shifts, casts and every builtin,
//! compared bit for bit with the same Rust expression.

mod support;

use kernel_ir::ErrorKind;
use kernel_jit::JitOptions;
use support::*;

#[test]
fn integer_arithmetic_wraps() {
    let src = "fn f(a: i64, b: i64) -> i64 { a * b + a - b }\n\
               fn g(a: i32) -> i32 { -a }\n\
               fn h(a: u32, b: u32) -> u32 { a - b }";
    let c = compile(src);
    assert_eq!(
        c.i64("f", &[i(i64::MAX), i(3)]),
        i64::MAX
            .wrapping_mul(3)
            .wrapping_add(i64::MAX)
            .wrapping_sub(3)
    );
    assert_eq!(
        c.call("g", &[i(i32::MIN as i64)]).unwrap().as_i64(),
        i32::MIN as i64
    );
    assert_eq!(c.call("h", &[u(1), u(2)]).unwrap().0, u32::MAX as u64);
}

#[test]
fn float_arithmetic_and_fmod() {
    let src = "fn f(a: f64, b: f64) -> f64 { (a + b) * (a - b) / b % a }\n\
               fn g(a: f32, b: f32) -> f32 { a % b + a / b }";
    let c = compile(src);
    for (a, b) in [
        (3.5, -1.25),
        (1e300, 7.0),
        (-0.0, 2.0),
        (f64::NAN, 1.0),
        (5.0, 0.0),
    ] {
        let expected = (a + b) * (a - b) / b % a;
        let got = c.f64("f", &[f(a), f(b)]);
        assert!(got.to_bits() == expected.to_bits() || (got.is_nan() && expected.is_nan()));
    }
    let got = c.call("g", &[f32a(7.5), f32a(2.0)]).unwrap().as_f32();
    assert_eq!(got, 7.5f32 % 2.0 + 7.5 / 2.0);
}

#[test]
fn integer_division_rules() {
    let src = "fn div(a: i64, b: i64) -> i64 {\n    a / b\n}\n\
               fn rem(a: i64, b: i64) -> i64 {\n    a % b\n}\n\
               fn div32(a: i32, b: i32) -> i32 {\n    a / b\n}\n\
               fn rem32(a: i32, b: i32) -> i32 {\n    a % b\n}\n\
               fn udiv(a: u64, b: u64) -> u64 {\n    a / b + a % b\n}";
    let c = compile(src);
    assert_eq!(c.i64("div", &[i(-7), i(2)]), -3);
    assert_eq!(c.i64("rem", &[i(-7), i(2)]), -1);
    assert_eq!(c.i64("rem", &[i(i64::MIN), i(-1)]), 0);
    assert_eq!(
        c.call("rem32", &[i(i32::MIN as i64), i(-1)])
            .unwrap()
            .as_i64(),
        0
    );
    assert_eq!(
        c.call("udiv", &[u(u64::MAX), u(10)]).unwrap().0,
        u64::MAX / 10 + u64::MAX % 10
    );
    assert_error(
        c.call("div", &[i(1), i(0)]),
        ErrorKind::DivisionByZero,
        "div",
        src,
        "a / b",
    );
    assert_error(
        c.call("rem", &[i(1), i(0)]),
        ErrorKind::DivisionByZero,
        "rem",
        src,
        "a % b",
    );
    assert_error(
        c.call("div", &[i(i64::MIN), i(-1)]),
        ErrorKind::DivisionOverflow,
        "div",
        src,
        "a / b",
    );
    let (line, _) = pos(src, "fn div32");
    let error = c.call("div32", &[i(i32::MIN as i64), i(-1)]).unwrap_err();
    assert_eq!(error.kind, ErrorKind::DivisionOverflow);
    assert_eq!(error.line, line + 1);
    assert_eq!(c.call("div32", &[i(-9), i(4)]).unwrap().as_i64(), -2);
    let error = c.call("udiv", &[u(3), u(0)]).unwrap_err();
    assert_eq!(error.kind, ErrorKind::DivisionByZero);
}

#[test]
fn shifts_take_the_low_bits_of_any_amount() {
    let src = "fn a(x: u32, s: u64) -> u32 { x << s }\n\
               fn b(x: i64, s: i32) -> i64 { x >> s }\n\
               fn c(x: u64, s: u32) -> u64 { x >> s }\n\
               fn d(x: i32, s: i64) -> i32 { x << s }";
    let k = compile(src);
    assert_eq!(k.call("a", &[u(1), u(33)]).unwrap().0, 2);
    assert_eq!(
        k.call("a", &[u(1), u(u64::MAX)]).unwrap().0,
        1u32.wrapping_shl(u32::MAX) as u64
    );
    assert_eq!(k.i64("b", &[i(-256), i(68)]), (-256i64).wrapping_shr(68));
    assert_eq!(k.call("c", &[u(u64::MAX), u(63)]).unwrap().0, 1);
    assert_eq!(
        k.call("d", &[i(3), i(-1)]).unwrap().as_i64(),
        3i32.wrapping_shl(u32::MAX) as i64
    );
}

#[test]
fn casts_follow_rust() {
    let src = "fn to_i32(x: f64) -> i32 { x as i32 }\n\
               fn to_u32(x: f64) -> u32 { x as u32 }\n\
               fn to_u64(x: f32) -> u64 { x as u64 }\n\
               fn u64_to_f32(x: u64) -> f32 { x as f32 }\n\
               fn i64_to_f64(x: i64) -> f64 { x as f64 }\n\
               fn narrow(x: i64) -> u32 { x as u32 }\n\
               fn widen(x: i32) -> u64 { x as u64 }\n\
               fn uwiden(x: u32) -> i64 { x as i64 }\n\
               fn from_bool(x: bool) -> i64 { x as i64 }\n\
               fn bool_f(x: bool) -> f64 { x as f64 }\n\
               fn demote(x: f64) -> f32 { x as f32 }\n\
               fn promote(x: f32) -> f64 { x as f64 }";
    let c = compile(src);
    for x in [1e20, -1e20, f64::NAN, -1.5, 2.9, f64::INFINITY] {
        assert_eq!(
            c.call("to_i32", &[f(x)]).unwrap().as_i64(),
            (x as i32) as i64,
            "{x}"
        );
        assert_eq!(
            c.call("to_u32", &[f(x)]).unwrap().0,
            (x as u32) as u64,
            "{x}"
        );
    }
    assert_eq!(c.call("to_u64", &[f32a(-3.0)]).unwrap().0, 0);
    assert_eq!(c.call("to_u64", &[f32a(1e30)]).unwrap().0, u64::MAX);
    for x in [u64::MAX, (1 << 53) + 1, 0x8000_0080_0000_0001, 12345] {
        assert_eq!(
            c.call("u64_to_f32", &[u(x)]).unwrap().as_f32(),
            x as f32,
            "{x}"
        );
    }
    assert_eq!(
        c.f64("i64_to_f64", &[i(i64::MIN + 1)]),
        (i64::MIN + 1) as f64
    );
    assert_eq!(c.call("narrow", &[i(-1)]).unwrap().0, u32::MAX as u64);
    assert_eq!(c.call("widen", &[i(-1)]).unwrap().0, u64::MAX);
    assert_eq!(c.i64("uwiden", &[u(u32::MAX as u64)]), u32::MAX as i64);
    assert_eq!(c.i64("from_bool", &[b(true)]), 1);
    assert_eq!(c.f64("bool_f", &[b(true)]), 1.0);
    assert_eq!(c.call("demote", &[f(0.1)]).unwrap().as_f32(), 0.1f64 as f32);
    assert_eq!(c.f64("promote", &[f32a(0.1)]), 0.1f32 as f64);
}

#[test]
fn comparisons_and_logic() {
    let src = "fn cmp(a: f64, b: f64) -> i64 {\n\
                   let mut r = 0;\n\
                   if a < b { r += 1; }\n\
                   if a <= b { r += 2; }\n\
                   if a > b { r += 4; }\n\
                   if a >= b { r += 8; }\n\
                   if a == b { r += 16; }\n\
                   if a != b { r += 32; }\n\
                   r\n\
               }\n\
               fn ucmp(a: u64, b: u64) -> bool { a < b }\n\
               fn scmp(a: i32, b: i32) -> bool { a < b }\n\
               fn logic(a: bool, b: bool) -> bool { (a && !b) || (!a && b) }\n\
               fn bits(a: i64, b: i64) -> i64 { (a & b) | (a ^ !b) }";
    let c = compile(src);
    assert_eq!(c.i64("cmp", &[f(1.0), f(2.0)]), 1 + 2 + 32);
    assert_eq!(c.i64("cmp", &[f(2.0), f(2.0)]), 2 + 8 + 16);
    assert_eq!(c.i64("cmp", &[f(f64::NAN), f(2.0)]), 32);
    assert!(!c.call("ucmp", &[u(u64::MAX), u(1)]).unwrap().as_bool());
    assert!(c.call("scmp", &[i(-1), i(1)]).unwrap().as_bool());
    assert!(c.call("logic", &[b(true), b(false)]).unwrap().as_bool());
    assert!(!c.call("logic", &[b(true), b(true)]).unwrap().as_bool());
    assert_eq!(
        c.i64("bits", &[i(0b1100), i(0b1010)]),
        (0b1100 & 0b1010) | (0b1100 ^ !0b1010)
    );
}

#[test]
fn short_circuit_skips_the_right_operand() {
    let src = "fn f(a: i64) -> bool {\n    a != 0 && 10 / a > 1\n}\n\
               fn g(a: i64) -> bool {\n    a == 0 || 10 / a > 1\n}";
    let c = compile(src);
    assert!(!c.call("f", &[i(0)]).unwrap().as_bool());
    assert!(c.call("f", &[i(3)]).unwrap().as_bool());
    assert!(c.call("g", &[i(0)]).unwrap().as_bool());
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

type UnaryF64 = fn(f64) -> f64;

#[test]
fn float_builtins_match_std_bit_for_bit() {
    let unary: &[(&str, UnaryF64)] = &[
        ("sqrt", f64::sqrt),
        ("cbrt", f64::cbrt),
        ("abs", f64::abs),
        ("signum", f64::signum),
        ("recip", f64::recip),
        ("floor", f64::floor),
        ("ceil", f64::ceil),
        ("round", f64::round),
        ("trunc", f64::trunc),
        ("fract", f64::fract),
        ("exp", f64::exp),
        ("exp2", f64::exp2),
        ("ln", f64::ln),
        ("log2", f64::log2),
        ("log10", f64::log10),
        ("sin", f64::sin),
        ("cos", f64::cos),
        ("tan", f64::tan),
        ("asin", f64::asin),
        ("acos", f64::acos),
        ("atan", f64::atan),
        ("sinh", f64::sinh),
        ("cosh", f64::cosh),
        ("tanh", f64::tanh),
        ("to_degrees", f64::to_degrees),
        ("to_radians", f64::to_radians),
    ];
    let mut src = String::new();
    for (name, _) in unary {
        src.push_str(&format!("fn u_{name}(x: f64) -> f64 {{ x.{name}() }}\n"));
    }
    let c = compile(&src);
    let inputs = [
        0.3,
        -0.7,
        2.5,
        -2.5,
        0.5,
        1e-300,
        -0.0,
        0.0,
        123.456,
        f64::INFINITY,
        f64::NAN,
    ];
    for (name, reference) in unary {
        for x in inputs {
            let got = c.f64(&format!("u_{name}"), &[f(x)]);
            assert!(
                same(got, reference(x)),
                "{name}({x}) = {got}, want {}",
                reference(x)
            );
        }
    }
}

#[test]
fn binary_float_builtins_match_std() {
    let src = "fn powi(x: f64, n: i32) -> f64 { x.powi(n) }\n\
               fn powf(x: f64, y: f64) -> f64 { x.powf(y) }\n\
               fn atan2(y: f64, x: f64) -> f64 { y.atan2(x) }\n\
               fn hypot(x: f64, y: f64) -> f64 { x.hypot(y) }\n\
               fn log(x: f64, y: f64) -> f64 { x.log(y) }\n\
               fn min(x: f64, y: f64) -> f64 { x.min(y) }\n\
               fn max(x: f64, y: f64) -> f64 { x.max(y) }\n\
               fn rem_euclid(x: f64, y: f64) -> f64 { x.rem_euclid(y) }\n\
               fn div_euclid(x: f64, y: f64) -> f64 { x.div_euclid(y) }\n\
               fn mul_add(x: f64, y: f64, z: f64) -> f64 { x.mul_add(y, z) }";
    let c = compile(src);
    let pairs = [
        (1.5, 2.0),
        (-7.25, 2.0),
        (7.25, -2.0),
        (-0.0, 0.0),
        (0.0, -0.0),
        (f64::NAN, 1.0),
        (1.0, f64::NAN),
        (3.0, 0.0),
    ];
    for (x, y) in pairs {
        let check = |name: &str, want: f64| {
            let got = c.f64(name, &[f(x), f(y)]);
            assert!(same(got, want), "{name}({x}, {y}) = {got:?}, want {want:?}");
        };
        check("powf", x.powf(y));
        check("atan2", x.atan2(y));
        check("hypot", x.hypot(y));
        check("log", x.log(y));
        check("min", kernel_ir::semantics::fmin(x, y));
        check("max", kernel_ir::semantics::fmax(x, y));
        check("rem_euclid", x.rem_euclid(y));
        check("div_euclid", x.div_euclid(y));
    }
    for n in [-3, 0, 1, 7, 31] {
        assert!(same(
            c.f64("powi", &[f(1.1), i(n)]),
            kernel_ir::semantics::powi_f64(1.1, n as i32)
        ));
    }
    assert!(same(
        c.f64("mul_add", &[f(0.1), f(10.0), f(-1.0)]),
        0.1f64.mul_add(10.0, -1.0)
    ));
}

#[test]
fn f32_builtins_match_std() {
    let src = "fn a(x: f32) -> f32 { x.sin() + x.sqrt() * x.exp() }\n\
               fn d(x: f32) -> f32 { x.to_degrees() }\n\
               fn r(x: f32) -> f32 { x.to_radians() }\n\
               fn m(x: f32, y: f32) -> f32 { x.min(y) - x.max(y) + x.powi(3) }";
    let c = compile(src);
    for x in [0.25f32, 1.5, 100.0, -3.0] {
        let want = x.sin() + x.sqrt() * x.exp();
        let got = c.call("a", &[f32a(x)]).unwrap().as_f32();
        assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()));
        assert_eq!(c.call("d", &[f32a(x)]).unwrap().as_f32(), x.to_degrees());
        assert_eq!(c.call("r", &[f32a(x)]).unwrap().as_f32(), x.to_radians());
        let want = x.min(2.0) - x.max(2.0) + kernel_ir::semantics::powi_f32(x, 3);
        assert_eq!(c.call("m", &[f32a(x), f32a(2.0)]).unwrap().as_f32(), want);
    }
}

#[test]
fn predicates_and_clamp() {
    let src = "fn nan(x: f64) -> bool { x.is_nan() }\n\
               fn fin(x: f64) -> bool { x.is_finite() }\n\
               fn clampf(x: f64, lo: f64, hi: f64) -> f64 {\n    x.clamp(lo, hi)\n}\n\
               fn clampi(x: i64, lo: i64, hi: i64) -> i64 {\n    x.clamp(lo, hi)\n}";
    let c = compile(src);
    assert!(c.call("nan", &[f(f64::NAN)]).unwrap().as_bool());
    assert!(!c.call("nan", &[f(1.0)]).unwrap().as_bool());
    assert!(!c.call("fin", &[f(f64::INFINITY)]).unwrap().as_bool());
    assert!(!c.call("fin", &[f(f64::NAN)]).unwrap().as_bool());
    assert!(c.call("fin", &[f(-1e308)]).unwrap().as_bool());
    assert_eq!(c.f64("clampf", &[f(5.0), f(0.0), f(1.0)]), 1.0);
    assert_eq!(c.f64("clampf", &[f(-5.0), f(0.0), f(1.0)]), 0.0);
    assert!(c.f64("clampf", &[f(f64::NAN), f(0.0), f(1.0)]).is_nan());
    assert_eq!(c.i64("clampi", &[i(-9), i(-3), i(3)]), -3);
    assert_error(
        c.call("clampf", &[f(0.5), f(f64::NAN), f(1.0)]),
        ErrorKind::InvalidClamp,
        "clampf",
        src,
        "x.clamp(lo, hi)",
    );
    let error = c.call("clampi", &[i(0), i(2), i(1)]).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidClamp);
}

#[test]
fn integer_builtins_match_std() {
    let src = "fn abs(x: i64) -> i64 { x.abs() }\n\
               fn pow(x: i64, e: u32) -> i64 { x.pow(e) }\n\
               fn pow32(x: u32, e: u32) -> u32 { x.pow(e) }\n\
               fn mn(x: i32, y: i32) -> i32 { x.min(y) * 1000 + x.max(y) }\n\
               fn umn(x: u64, y: u64) -> u64 { x.min(y) }\n\
               fn re(x: i64, y: i64) -> i64 { x.rem_euclid(y) }\n\
               fn de(x: i64, y: i64) -> i64 { x.div_euclid(y) }\n\
               fn ure(x: u32, y: u32) -> u32 { x.rem_euclid(y) + x.div_euclid(y) }\n\
               fn w(x: i64, y: i64) -> i64 { x.wrapping_add(y) ^ x.wrapping_sub(y) ^ x.wrapping_mul(y) }\n\
               fn ones(x: u64) -> u32 { x.count_ones() }\n\
               fn lz(x: i32) -> u32 { x.leading_zeros() }\n\
               fn sg(x: i64) -> i64 { x.signum() }";
    let c = compile(src);
    assert_eq!(c.i64("abs", &[i(i64::MIN)]), i64::MIN);
    assert_eq!(c.i64("abs", &[i(-5)]), 5);
    for (x, e) in [(3i64, 5u32), (-2, 63), (7, 100), (0, 0), (-1, 3)] {
        assert_eq!(c.i64("pow", &[i(x), u(e as u64)]), x.wrapping_pow(e));
    }
    assert_eq!(
        c.call("pow32", &[u(3), u(40)]).unwrap().0,
        3u32.wrapping_pow(40) as u64
    );
    assert_eq!(
        c.call("mn", &[i(-4), i(9)]).unwrap().as_i64(),
        -4 * 1000 + 9
    );
    assert_eq!(c.call("umn", &[u(u64::MAX), u(2)]).unwrap().0, 2);
    for (x, y) in [
        (-7i64, 3i64),
        (7, -3),
        (-7, -3),
        (i64::MIN, -1),
        (i64::MIN, i64::MIN),
        (-1, i64::MIN),
    ] {
        assert_eq!(
            c.i64("re", &[i(x), i(y)]),
            x.wrapping_rem_euclid(y),
            "{x} {y}"
        );
        if let Some(q) = x.checked_div_euclid(y) {
            assert_eq!(c.i64("de", &[i(x), i(y)]), q, "{x} {y}");
        }
    }
    assert_eq!(
        c.call("de", &[i(i64::MIN), i(-1)]).unwrap_err().kind,
        ErrorKind::DivisionOverflow
    );
    assert_eq!(
        c.call("re", &[i(1), i(0)]).unwrap_err().kind,
        ErrorKind::DivisionByZero
    );
    assert_eq!(c.call("ure", &[u(17), u(5)]).unwrap().0, 2 + 3);
    let (x, y) = (i64::MAX - 3, 99i64);
    assert_eq!(
        c.i64("w", &[i(x), i(y)]),
        x.wrapping_add(y) ^ x.wrapping_sub(y) ^ x.wrapping_mul(y)
    );
    assert_eq!(c.call("ones", &[u(0xF0F0)]).unwrap().0, 8);
    assert_eq!(c.call("lz", &[i(1)]).unwrap().0, 31);
    assert_eq!(c.call("lz", &[i(-1)]).unwrap().0, 0);
    assert_eq!(c.i64("sg", &[i(-9)]), -1);
    assert_eq!(c.i64("sg", &[i(0)]), 0);
}

#[test]
fn constants_and_literals() {
    let src = "fn f() -> f64 { std::f64::consts::PI + f64::EPSILON }\n\
               fn g() -> i64 { i64::MIN + (u32::MAX as i64) }\n\
               fn h(x: f32) -> f32 { x * 2 + 0.1 }";
    let c = compile(src);
    assert_eq!(c.f64("f", &[]), std::f64::consts::PI + f64::EPSILON);
    assert_eq!(c.i64("g", &[]), i64::MIN + u32::MAX as i64);
    assert_eq!(
        c.call("h", &[f32a(1.5)]).unwrap().as_f32(),
        1.5f32 * 2.0 + 0.1f32
    );
}

/// Cranelift compiles for the host's ISA (`cranelift_native`), so on a CPU with FMA `mul_add`
/// is one fused instruction rather than a libm call, with libm's exact result.
#[test]
fn mul_add_is_one_fma_instruction_when_the_cpu_has_fma() {
    let c = compile_with(
        "fn fma(a: f64, b: f64, c: f64) -> f64 { a.mul_add(b, c) }",
        JitOptions {
            keep_text: true,
            ..JitOptions::default()
        },
    );
    // 0.1 * 10 - 1 rounded once; rounding the product first would give 0.
    assert_eq!(
        c.f64("fma", &[f(0.1), f(10.0), f(-1.0)]),
        0.1f64.mul_add(10.0, -1.0)
    );
    assert_eq!(
        c.f64("fma", &[f(0.1), f(10.0), f(-1.0)]),
        5.551115123125783e-17
    );
    let id = c.program.concrete("fma").expect("fn");
    let asm = c.jit.asm(id).expect("disassembly kept");
    if host_has_fma() {
        assert_eq!(asm.matches("vfmadd").count(), 1, "{asm}");
        assert!(!asm.contains("call"), "{asm}");
    } else {
        eprintln!("skipping the `vfmadd` check: this CPU has no FMA");
    }
}

fn host_has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
