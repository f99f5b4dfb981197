//! Type checking through `kernel_ir::compile`: inference of locals and literals, generic
//! instantiation, and the checker's diagnostics rendered as users see them.

use expect_test::{expect, Expect};
use kernel_ir::ir::{Expr, Lit};
use kernel_ir::{compile, ArgType, Scalar, Type};

fn typed_ir(source: &str) -> String {
    let program = compile(source).unwrap_or_else(|e| panic!("{}", e.render()));
    let mut out = String::new();
    for name in program.function_names() {
        let id = program.concrete(name).expect("non-generic");
        let names = |id: kernel_ir::ir::FuncId| program.function(id).name.clone();
        out.push_str(&kernel_ir::print::function(program.function(id), &names));
    }
    out
}

fn check_ir(source: &str, expected: Expect) {
    expected.assert_eq(&typed_ir(source));
}

fn check_error(source: &str, expected: Expect) {
    let error = compile(source).expect_err("expected a compile error");
    expected.assert_eq(&error.render());
}

#[test]
fn locals_take_the_type_of_their_uses() {
    check_ir(
        "fn argmax(x: &[f64]) -> usize {
    let mut best = 0;
    let mut best_value = x[0];
    for i in 1..x.len() {
        if x[i] > best_value {
            best = i;
            best_value = x[i];
        }
    }
    best
}",
        expect![[r#"
            fn argmax(x: ArrayView1<f64>) -> usize {
                let mut best: usize = 0usize;
                let mut best_value: f64 = x[0i64];
                for i: usize in 1usize..x.len() {
                    if (x[i] > best_value) {
                        best = i;
                        best_value = x[i];
                    }
                };
                best
            }
        "#]],
    );
}

#[test]
fn integer_literals_follow_float_context_and_default_to_i64() {
    check_ir(
        "fn f(x: f64) -> f64 { let n = 3; let y = x * 2; y + (n as f64) }",
        expect![[r#"
            fn f(x: f64) -> f64 {
                let n: i64 = 3i64;
                let y: f64 = (x * 2.0f64);
                (y + (n as f64))
            }
        "#]],
    );
}

#[test]
fn float_literals_become_f32_in_f32_context() {
    let program = compile("fn f(x: f32) -> f32 { x * 0.1 }").unwrap();
    let f = program.function(program.concrete("f").unwrap());
    let lit = f
        .exprs
        .iter()
        .find_map(|e| match e {
            Expr::Lit(Lit::Float(v), Some(Scalar::F32)) => Some(*v),
            _ => None,
        })
        .expect("an f32 literal");
    assert_eq!(lit, 0.1f32 as f64);
}

#[test]
fn mixing_integer_and_float_suggests_a_cast() {
    check_error(
        "fn f(x: f64, n: i64) -> f64 {\n    x * n\n}",
        expect![[r#"
            error: mismatched types: expected `f64`, found `i64`
             --> 2:9
              |
            2 |     x * n
              |         ^ expected `f64`, found `i64`
              |
              = help: convert with `as`: `n as f64`
        "#]],
    );
}

#[test]
fn every_error_of_a_function_is_reported() {
    let error = compile(
        "fn f(x: f64, n: i64, i: usize) -> f64 {\n    let a = x + n;\n    let b = n + i;\n    a\n}",
    )
    .unwrap_err();
    assert_eq!(error.diagnostics.len(), 2, "{}", error.render());
}

#[test]
fn literal_out_of_range() {
    check_error(
        "fn f() -> u32 { 5000000000 }",
        expect![[r#"
            error: literal out of range for `u32`: 5000000000
             --> 1:17
              |
            1 | fn f() -> u32 { 5000000000 }
              |                 ^^^^^^^^^^
              |
              = help: the range of `u32` is 0..=4294967295
        "#]],
    );
}

#[test]
fn small_integer_literals_out_of_range() {
    check_error(
        "fn f() -> u8 { 300u8 }",
        expect![[r#"
            error: literal out of range for `u8`: 300
             --> 1:16
              |
            1 | fn f() -> u8 { 300u8 }
              |                ^^^^^
              |
              = help: the range of `u8` is 0..=255
        "#]],
    );
    check_error(
        "fn f() -> i8 { -129i8 }",
        expect![[r#"
            error: literal out of range for `i8`: -129
             --> 1:16
              |
            1 | fn f() -> i8 { -129i8 }
              |                ^^^^^^
              |
              = help: the range of `i8` is -128..=127
        "#]],
    );
    check_error(
        "fn f() -> i16 { 40000 }",
        expect![[r#"
            error: literal out of range for `i16`: 40000
             --> 1:17
              |
            1 | fn f() -> i16 { 40000 }
              |                 ^^^^^
              |
              = help: the range of `i16` is -32768..=32767
        "#]],
    );
}

#[test]
fn assignment_to_immutable_local() {
    check_error(
        "fn f() -> i64 {\n    let x = 1;\n    x = 2;\n    x\n}",
        expect![[r#"
            error: cannot assign twice to immutable variable `x`
             --> 3:5
              |
            2 |     let x = 1;
              |         - first assignment
            3 |     x = 2;
              |     ^
              |
              = help: make this binding mutable: `let mut x`
        "#]],
    );
}

#[test]
fn write_through_read_only_array() {
    let error = compile("fn f(x: &[f64]) { x[0] = 1.0; }").unwrap_err();
    let text = error.render();
    assert!(
        text.contains("cannot write through read-only array `x`"),
        "{text}"
    );
    assert!(text.contains("&mut [T]"), "{text}");
}

#[test]
fn float_method_on_integer() {
    let error = compile("fn f(n: i64) -> i64 { n.sqrt() }").unwrap_err();
    let text = error.render();
    assert!(
        text.contains("no method named `sqrt` for type `i64`"),
        "{text}"
    );
    assert!(
        text.contains("help: convert first: `(n as f64).sqrt(…)`"),
        "{text}"
    );
}

#[test]
fn generic_functions_instantiate_per_signature() {
    let mut program =
        compile("fn total(x: _) -> _ { let mut s = x[0]; for i in 1..x.len() { s += x[i]; } s }")
            .unwrap();
    assert_eq!(program.concrete("total"), None);
    let f64_array = ArgType::Array {
        elem: Scalar::F64,
        rank: 1,
        mutable: false,
    };
    let i32_array = ArgType::Array {
        elem: Scalar::I32,
        rank: 1,
        mutable: true,
    };
    let a = program.instantiate("total", &[f64_array]).unwrap();
    let b = program.instantiate("total", &[i32_array]).unwrap();
    let again = program.instantiate("total", &[f64_array]).unwrap();
    assert_ne!(a, b);
    assert_eq!(a, again);
    assert_eq!(program.function(a).ret, Type::Scalar(Scalar::F64));
    assert_eq!(program.function(b).ret, Type::Scalar(Scalar::I32));
    let x = program.function(b).params[0];
    // `total` never writes through `x`, so even a writable argument gives a read-only param.
    assert!(matches!(program.function(b).local(x).ty, Type::Array(a) if !a.mutable));
}

#[test]
fn generic_array_param_is_writable_when_written() {
    let mut program = compile("fn fill(x: _, v: _) { for i in 0..x.len() { x[i] = v; } }").unwrap();
    let id = program
        .instantiate(
            "fill",
            &[
                ArgType::Array {
                    elem: Scalar::F64,
                    rank: 1,
                    mutable: true,
                },
                ArgType::Scalar(Scalar::F64),
            ],
        )
        .unwrap();
    let f = program.function(id);
    assert!(matches!(f.local(f.params[0]).ty, Type::Array(a) if a.mutable));
}

#[test]
fn generic_instantiation_errors_name_the_signature() {
    let mut program = compile("fn f(x: _) -> _ { x.sqrt() }").unwrap();
    let error = program
        .instantiate("f", &[ArgType::Scalar(Scalar::I64)])
        .unwrap_err();
    let text = error.render();
    assert!(
        text.contains("no method named `sqrt` for type `i64`"),
        "{text}"
    );
    assert!(text.contains("while specialising `f` for (i64)"), "{text}");
}

#[test]
fn calls_between_functions_and_recursion() {
    check_ir(
        "fn fib(n: u64) -> u64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\nfn twice(x: f64) -> f64 { helper(x) * 2 }\nfn helper(x: f64) -> f64 { x + 1 }",
        expect![[r#"
            fn fib(n: u64) -> u64 {
                if (n < 2u64) {
                    n
                } else {
                    (fib((n - 1u64)) + fib((n - 2u64)))
                }
            }
            fn twice(x: f64) -> f64 {
                (helper(x) * 2.0f64)
            }
            fn helper(x: f64) -> f64 {
                (x + 1.0f64)
            }
        "#]],
    );
}

#[test]
fn fixed_arrays_infer_their_element_type() {
    check_ir(
        "fn f(x: f32) -> f32 { let mut v = [0.0; 3]; v[1] = x; v[0] + v[1] }",
        expect![[r#"
            fn f(x: f32) -> f32 {
                let mut v: [f32; 3] = [0.0f32; 3];
                v[1i64] = x;
                (v[0i64] + v[1i64])
            }
        "#]],
    );
}

#[test]
fn loop_break_value_and_labels() {
    check_ir(
        "fn f(n: i64) -> i64 { let mut i = 0; let r = loop { i += 1; if i * i > n { break i; } }; 'outer: for a in 0..n { for b in 0..n { if a * b > 10 { break 'outer; } continue 'outer; } } r }",
        expect![[r#"
            fn f(n: i64) -> i64 {
                let mut i: i64 = 0i64;
                let r: i64 = loop {
                    i += 1i64;
                    if ((i * i) > n) {
                        break i;
                    }
                };
                'outer: for a: i64 in 0i64..n {
                    for b: i64 in 0i64..n {
                        if ((a * b) > 10i64) {
                            break 'outer;
                        };
                        continue 'outer;
                    }
                };
                r
            }
        "#]],
    );
}

#[test]
fn unsigned_negation_is_rejected() {
    let error = compile("fn f(x: u64) -> u64 { -x }").unwrap_err();
    assert!(error
        .render()
        .contains("cannot apply unary operator `-` to type `u64`"));
}

#[test]
fn shifts_accept_any_integer_amount() {
    compile("fn f(x: u32, s: i64) -> u32 { (x << s) >> 3usize }").unwrap();
}

#[test]
fn if_branches_must_agree() {
    let error = compile("fn f(c: bool) -> f64 { if c { 1.0 } else { true } }").unwrap_err();
    assert!(
        error
            .render()
            .contains("`if` and `else` have incompatible types"),
        "{}",
        error.render()
    );
}

#[test]
fn missing_tail_value() {
    let error = compile("fn f(x: f64) -> f64 { let y = x; }").unwrap_err();
    assert!(
        error.render().contains("the body has no tail expression"),
        "{}",
        error.render()
    );
}

#[test]
fn diverging_bodies_fit_any_return_type() {
    compile("fn f(x: f64) -> f64 { if x > 0.0 { return 1.0; } return 2.0; }").unwrap();
    compile("fn g(x: i64) -> i64 { loop { if x > 0 { return x; } } }").unwrap();
}

#[test]
fn index_rank_mismatch_suggests_the_tuple_form() {
    let error = compile("fn f(a: ArrayView2<f64>) -> f64 { a[0] }").unwrap_err();
    assert!(
        error
            .render()
            .contains("index a 2-D array with `a[[i, j]]`"),
        "{}",
        error.render()
    );
}

#[test]
fn float_index_is_rejected_with_a_cast_hint() {
    let error = compile("fn f(a: &[f64], x: f64) -> f64 { a[x] }").unwrap_err();
    let text = error.render();
    assert!(
        text.contains("array indices must be integers, found `f64`"),
        "{text}"
    );
    assert!(text.contains("`x as usize`"), "{text}");
}

#[test]
fn passing_read_only_array_to_writable_parameter() {
    let error =
        compile("fn g(y: &mut [f64]) { y[0] = 1.0; }\nfn f(x: &[f64]) { g(x); }").unwrap_err();
    assert!(
        error.render().contains("`x` is read-only"),
        "{}",
        error.render()
    );
}

#[test]
fn cast_to_bool_is_rejected() {
    let error = compile("fn f(x: i64) -> bool { x as bool }").unwrap_err();
    assert!(
        error.render().contains("help: compare instead"),
        "{}",
        error.render()
    );
}

#[test]
fn literal_arguments_take_the_typed_parameters_of_a_generic_callee() {
    compile("fn k0() -> i32 { k1(2, 3i64) }\nfn k1(p: i32, q: _) -> i32 { p }").unwrap();
}

#[test]
fn a_recursive_generic_function_passing_its_array_to_itself_does_not_write_it() {
    compile(
        "fn k0(a: &[f64]) -> f64 { k1(3u32, a) }\nfn k1(depth: u32, x: _) -> f64 { if depth == 0 { return x[0]; } k1(depth - 1, x) }",
    )
    .unwrap();
}
