//! Tests of the lowering pass: the shape of lowered IR for each construct (through a compact
//! dumper), each diagnostic's text and position, and robustness on hostile input.

use super::{lower_source, Lowered};
use crate::ir::{Annot, Block, Expr, ExprId, Function, Lit, LocalKind, Place, Stmt};
use crate::types::{ArrayType, Scalar, Type};

/// Lowers a source that must produce no diagnostics.
fn lower_ok(source: &str) -> Lowered {
    let lowered = lower_source(source);
    assert!(
        lowered.diagnostics.is_empty(),
        "unexpected diagnostics: {:?}",
        lowered.diagnostics
    );
    assert!(lowered.body_ok.iter().all(|ok| *ok));
    for function in &lowered.functions {
        assert_eq!(function.exprs.len(), function.expr_spans.len());
        assert!(function.expr_types.is_empty());
    }
    lowered
}

/// The dumped body of the first function.
fn body(source: &str) -> String {
    let lowered = lower_ok(source);
    let function = &lowered.functions[0];
    dump_block(function, &function.body)
}

/// The body of `fn f() { … }` wrapped around `stmts`.
fn body_of(stmts: &str) -> String {
    body(&format!(
        "fn f(a: &mut [f64], m: ArrayView2<f64>, x: f64, n: usize) {{ {stmts} }}"
    ))
}

/// Each diagnostic as `line:col message`.
fn errors(source: &str) -> Vec<String> {
    let lowered = lower_source(source);
    assert!(
        !lowered.diagnostics.is_empty(),
        "expected diagnostics for {source}"
    );
    lowered
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.span.line, d.span.col, d.message))
        .collect()
}

/// The single diagnostic of a statement list inside `fn f(...)` (line 1).
fn error_in(stmts: &str) -> String {
    let all = errors(&format!(
        "fn f(a: &mut [f64], m: ArrayView2<f64>, x: f64, n: usize) {{\n{stmts}\n}}"
    ));
    assert_eq!(all.len(), 1, "expected one diagnostic: {all:?}");
    all[0].clone()
}

fn helps(source: &str) -> Vec<String> {
    lower_source(source)
        .diagnostics
        .into_iter()
        .flat_map(|d| d.help)
        .collect()
}

fn dump_block(f: &Function, block: &Block) -> String {
    let mut parts: Vec<String> = block.stmts.iter().map(|s| dump_stmt(f, s)).collect();
    if let Some(tail) = block.tail {
        parts.push(format!("=> {}", dump_expr(f, tail)));
    }
    format!("{{{}}}", parts.join("; "))
}

fn dump_stmt(f: &Function, stmt: &Stmt) -> String {
    match stmt {
        Stmt::Let { local, init } => {
            let l = f.local(*local);
            let m = if l.mutable { "mut " } else { "" };
            let ty = match l.annot {
                Some(Annot::Known(t)) => format!(": {t}"),
                Some(Annot::Infer) => ": _".to_string(),
                None => String::new(),
            };
            match init {
                Some(init) => format!("let {m}{}{ty} = {}", l.name, dump_expr(f, *init)),
                None => format!("let {m}{}{ty}", l.name),
            }
        }
        Stmt::Assign {
            place, op, value, ..
        } => {
            let place = match place {
                Place::Local(l) => f.local(*l).name.clone(),
                Place::Index { array, indices, .. } => dump_index(f, *array, indices),
            };
            let op = op.map_or("", |op| op.symbol());
            format!("{place} {op}= {}", dump_expr(f, *value))
        }
        Stmt::Expr(e) => dump_expr(f, *e),
    }
}

fn dump_index(f: &Function, array: crate::ir::LocalId, indices: &[ExprId]) -> String {
    let indices: Vec<String> = indices.iter().map(|i| dump_expr(f, *i)).collect();
    format!("{}[{}]", f.local(array).name, indices.join(", "))
}

fn dump_list(f: &Function, ids: &[ExprId]) -> String {
    ids.iter()
        .map(|i| dump_expr(f, *i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dump_lit(lit: Lit, suffix: Option<Scalar>) -> String {
    let value = match lit {
        Lit::Bool(b) => return b.to_string(),
        Lit::Int(i) => i.to_string(),
        Lit::Float(x) => format!("{x:?}"),
    };
    format!("{value}{}", suffix.map_or("", |s| s.name()))
}

fn dump_expr(f: &Function, id: ExprId) -> String {
    match f.expr(id) {
        Expr::Lit(lit, suffix) => dump_lit(*lit, *suffix),
        Expr::Local(l) => f.local(*l).name.clone(),
        Expr::Unary(op, e) => format!("({op:?} {})", dump_expr(f, *e)),
        Expr::Binary(op, a, b) => format!(
            "({} {} {})",
            dump_expr(f, *a),
            op.symbol(),
            dump_expr(f, *b)
        ),
        Expr::Logic(op, a, b) => format!("({} {op:?} {})", dump_expr(f, *a), dump_expr(f, *b)),
        Expr::Cast(e, t) => format!("({} as {t})", dump_expr(f, *e)),
        Expr::Index { array, indices } => dump_index(f, *array, indices),
        Expr::ArrayLit(elems) => format!("[{}]", dump_list(f, elems)),
        Expr::ArrayRepeat(e, n) => format!("[{}; {n}]", dump_expr(f, *e)),
        Expr::Tuple(elems) => format!("({})", dump_list(f, elems)),
        Expr::Field(e, k) => format!("{}.{k}", dump_expr(f, *e)),
        Expr::Len(a) => format!("len({})", f.local(*a).name),
        Expr::Alloc { dims, fill, .. } => {
            format!("alloc([{}], {})", dump_list(f, dims), dump_expr(f, *fill))
        }
        Expr::View { array, axes, .. } => {
            let operands: Vec<ExprId> = axes.iter().flat_map(|a| a.operands()).collect();
            format!(
                "view({}, {})",
                f.local(*array).name,
                dump_list(f, &operands)
            )
        }
        Expr::Dim(a, k) => format!("dim({}, {k})", f.local(*a).name),
        Expr::Builtin(b, args) => format!("{}({})", b.name(), dump_list(f, args)),
        Expr::Call(func, args) => format!("call{}({})", func.0, dump_list(f, args)),
        Expr::If {
            cond,
            then_block,
            else_block,
        } => {
            let e = else_block
                .as_ref()
                .map_or(String::new(), |b| format!(" else {}", dump_block(f, b)));
            format!(
                "if {} {}{e}",
                dump_expr(f, *cond),
                dump_block(f, then_block)
            )
        }
        Expr::Block(b) => dump_block(f, b),
        Expr::Loop { id, body } => format!("loop#{} {}", id.0, dump_block(f, body)),
        Expr::While { id, cond, body } => format!(
            "while#{} {} {}",
            id.0,
            dump_expr(f, *cond),
            dump_block(f, body)
        ),
        Expr::For {
            id,
            var,
            range,
            parallel,
            body,
        } => {
            let dots = if range.inclusive { "..=" } else { ".." };
            let rev = if range.reverse { " rev" } else { "" };
            let step = range
                .step
                .map_or(String::new(), |s| format!(" step {}", dump_expr(f, s)));
            let par = if *parallel { " par" } else { "" };
            format!(
                "for#{} {} in {}{dots}{}{rev}{step}{par} {}",
                id.0,
                f.local(*var).name,
                dump_expr(f, range.start),
                dump_expr(f, range.end),
                dump_block(f, body)
            )
        }
        Expr::Break { id, value } => match value {
            Some(v) => format!("break#{} {}", id.0, dump_expr(f, *v)),
            None => format!("break#{}", id.0),
        },
        Expr::Continue(id) => format!("continue#{}", id.0),
        Expr::Return(v) => match v {
            Some(v) => format!("return {}", dump_expr(f, *v)),
            None => "return".to_string(),
        },
        Expr::Print { format, args } => format!(
            "{}!({:?}; {})",
            format.macro_name(),
            format.template(),
            dump_list(f, args)
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Items and signatures

#[test]
fn empty_and_whitespace_sources_have_no_functions() {
    for source in [
        "",
        "   \n\t  ",
        "// only a comment\n",
        "use std::f64::consts::PI;",
    ] {
        let lowered = lower_ok(source);
        assert!(lowered.functions.is_empty());
    }
}

#[test]
fn function_signature_and_params() {
    let lowered = lower_ok(
        "#[inline]\npub fn f(mut x: f64, n: usize, a: &[f32], b: &mut [i64], v: ArrayView2<'a, f64>,\n\
         w: ndarray::ArrayViewMut3<u32>, c: &Array1<bool>, d: &mut ndarray::Array2<i32>, g: _, _: u64) -> f64 { x }",
    );
    let f = &lowered.functions[0];
    assert_eq!(f.name, "f");
    assert_eq!((f.span.line, f.span.col), (2, 8));
    assert_eq!(f.ret_annot, Annot::Known(Type::Scalar(Scalar::F64)));
    assert_eq!(f.ret, Type::Scalar(Scalar::F64));
    let arr = |elem, rank, mutable| {
        Type::Array(ArrayType {
            elem,
            rank,
            mutable,
        })
    };
    let expected = [
        Type::Scalar(Scalar::F64),
        Type::Scalar(Scalar::Usize),
        arr(Scalar::F32, 1, false),
        arr(Scalar::I64, 1, true),
        arr(Scalar::F64, 2, false),
        arr(Scalar::U32, 3, true),
        arr(Scalar::Bool, 1, false),
        arr(Scalar::I32, 2, true),
        Type::Unit,
        Type::Scalar(Scalar::U64),
    ];
    assert_eq!(f.params.len(), expected.len());
    for (i, (param, ty)) in f.params.iter().zip(expected).enumerate() {
        let local = f.local(*param);
        assert_eq!(local.kind, LocalKind::Param(i as u32));
        assert_eq!(local.ty, ty, "param {i}");
    }
    assert!(f.local(f.params[0]).mutable);
    assert!(!f.local(f.params[1]).mutable);
    assert_eq!(f.local(f.params[8]).annot, Some(Annot::Infer));
    assert!(f.is_generic());
}

#[test]
fn return_types() {
    let ret = |src: &str| lower_ok(src).functions[0].ret_annot;
    assert_eq!(ret("fn f() {}"), Annot::Known(Type::Unit));
    assert_eq!(ret("fn f() -> () {}"), Annot::Known(Type::Unit));
    assert_eq!(ret("fn f() -> _ { 1 }"), Annot::Infer);
    assert_eq!(
        ret("fn f() -> u32 { 1 }"),
        Annot::Known(Type::Scalar(Scalar::U32))
    );
    assert_eq!(lower_ok("fn f() -> _ { 1 }").functions[0].ret, Type::Unit);
}

#[test]
fn functions_keep_source_order_and_calls_resolve() {
    let lowered = lower_ok("fn a(x: f64) -> f64 { b(x, 1) }\nfn b(x: f64, y: i64) -> f64 { x }");
    assert_eq!(lowered.functions[0].name, "a");
    assert_eq!(lowered.functions[1].name, "b");
    assert_eq!(
        dump_block(&lowered.functions[0], &lowered.functions[0].body),
        "{=> call1(x, 1)}"
    );
    assert_eq!(
        body("fn f(n: i64) -> i64 { f(n - 1) }"),
        "{=> call0((n - 1))}"
    );
}

#[test]
fn unsupported_items_are_named() {
    let cases = [
        (
            "struct S;",
            "1:1 `struct` items are not supported in kernels",
        ),
        (
            "impl S {}",
            "1:1 `impl` blocks are not supported in kernels",
        ),
        ("enum E {}", "1:1 `enum` items are not supported in kernels"),
        (
            "static S: f64 = 1.0;",
            "1:1 `static` items are not supported in kernels",
        ),
        ("mod m {}", "1:1 `mod` items are not supported in kernels"),
        (
            "trait T {}",
            "1:1 `trait` items are not supported in kernels",
        ),
        (
            "type T = f64;",
            "1:1 `type` aliases are not supported in kernels",
        ),
        (
            "macro_rules! m { () => {} }",
            "1:1 macro `macro_rules!` is not supported in kernels",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(errors(source), vec![expected.to_string()], "{source}");
    }
}

#[test]
fn lifetime_parameters_are_accepted_and_ignored() {
    let lowered = lower_ok(
        "pub fn f<'a, 'b: 'a>(a: ndarray::ArrayView2<'a, f64>, b: &'a [f64], \
         c: &'b mut [f64], d: ArrayViewMut1<'b, f32>, e: &'a mut Array2<i64>, s: &'static [u32]) \
         where 'b: 'a {}",
    );
    let f = &lowered.functions[0];
    let types: Vec<Type> = f.params.iter().map(|p| f.local(*p).ty).collect();
    let arr = |elem, rank, mutable| {
        Type::Array(ArrayType {
            elem,
            rank,
            mutable,
        })
    };
    assert_eq!(
        types,
        [
            arr(Scalar::F64, 2, false),
            arr(Scalar::F64, 1, false),
            arr(Scalar::F64, 1, true),
            arr(Scalar::F32, 1, true),
            arr(Scalar::I64, 2, true),
            arr(Scalar::U32, 1, false),
        ]
    );
}

#[test]
fn type_and_const_generics_stay_rejected() {
    for source in [
        "fn f<T>(x: T) {}",
        "fn f<'a, T>(x: &'a [T]) {}",
        "fn f<const N: usize>(x: f64) {}",
        "fn f<'a>(x: &'a [f64]) where f64: Copy {}",
        "fn f<T, const N: usize>(x: ArrayView1<T>, y: [T; N]) -> T {}",
    ] {
        assert_eq!(
            errors(source),
            ["1:5 generic functions are not supported in kernels"],
            "{source}"
        );
        assert_eq!(
            helps(source)[0],
            "write `_` as a parameter's type to have it specialised per call"
        );
    }
}

#[test]
fn unsupported_fn_forms() {
    assert_eq!(
        errors("fn f<T>(x: T) {}")[0],
        "1:5 generic functions are not supported in kernels"
    );
    assert_eq!(
        errors("async fn f() {}"),
        ["1:1 `async fn` is not supported in kernels"]
    );
    assert_eq!(
        errors("const fn f() {}"),
        ["1:1 `const fn` is not supported in kernels"]
    );
    assert_eq!(
        errors("unsafe fn f() {}"),
        ["1:1 `unsafe fn` is not supported in kernels"]
    );
    assert_eq!(
        errors("fn f(&self) {}"),
        ["1:6 `self` parameters are not supported in kernels"]
    );
    assert_eq!(
        errors("fn f() {}\nfn f() {}"),
        ["2:4 the name `f` is defined multiple times"]
    );
    // Functions with errors still get their slot, so FuncIds stay aligned.
    let lowered = lower_source("fn f<T>() {}\nfn g() { f() }");
    assert_eq!(lowered.functions.len(), 2);
    assert_eq!(lowered.body_ok, [false, true]);
}

#[test]
fn unsupported_param_and_return_types() {
    for ty in [
        "u128",
        "i128",
        "Vec<f64>",
        "(f64, f64)",
        "&f64",
        "[f64; 3]",
        "ArrayView4<f64>",
        "&[u128]",
    ] {
        let source = format!("fn f(x: {ty}) {{}}");
        assert_eq!(
            errors(&source),
            [format!("1:9 unsupported parameter type `{ty}`")]
        );
        assert!(helps(&source)[0].starts_with("supported parameter types: `bool`"));
    }
    assert_eq!(
        errors("fn f() -> &[f64] {}"),
        ["1:11 array views cannot be returned from kernels"]
    );
    assert_eq!(
        errors("fn f() -> Option<f64> {}"),
        ["1:11 unsupported return type `Option<f64>`"]
    );
    assert!(errors("fn f((a, b): (f64, f64)) {}")
        .contains(&"1:6 only plain names are supported as parameter patterns".to_string()));
}

// ---------------------------------------------------------------------------------------------
// Literals and constants

#[test]
fn literals() {
    assert_eq!(
        body_of("1; 1u32; 2i64; 3usize; 4i32; 5u64"),
        "{1; 1u32; 2i64; 3usize; 4i32; => 5u64}"
    );
    assert_eq!(body_of("1i8; 2u8; 3i16; 4u16"), "{1i8; 2u8; 3i16; => 4u16}");
    assert_eq!(
        body_of("2.0; 2.5f32; 1f64; 1e3; 0x1f; 1_000; true; false"),
        "{2.0; 2.5f32; 1.0f64; 1000.0; 31; 1000; true; => false}"
    );
    assert_eq!(
        body_of("-1; -2.5; -(1); --1"),
        "{-1; -2.5; (Neg 1); => (Neg -1)}"
    );
    assert_eq!(body_of("-9223372036854775808"), "{=> -9223372036854775808}");
    assert_eq!(
        body_of("0.1f32"),
        format!("{{=> {:?}f32}}", f64::from(0.1f32))
    );
    let lowered = lower_ok("fn f() { -9223372036854775808; }");
    let f = &lowered.functions[0];
    assert_eq!(f.exprs[0], Expr::Lit(Lit::Int(i64::MIN as i128), None));
    // The folded literal's span covers the minus sign.
    assert_eq!(
        (f.expr_spans[0].col, f.expr_spans[0].hi - f.expr_spans[0].lo),
        (10, 20)
    );
}

#[test]
fn bad_literals() {
    assert_eq!(
        error_in("1u128;"),
        "2:1 integer suffix `u128` is not supported in kernels"
    );
    assert_eq!(
        error_in("1.0f16;"),
        "2:1 float suffix `f16` is not supported in kernels"
    );
    assert_eq!(
        error_in("\"s\";"),
        "2:1 string literals are not supported in kernels"
    );
    assert_eq!(
        error_in("'c';"),
        "2:1 character literals are not supported in kernels"
    );
    assert_eq!(
        error_in("b'c';"),
        "2:1 byte literals are not supported in kernels"
    );
    assert_eq!(
        error_in("b\"c\";"),
        "2:1 byte string literals are not supported in kernels"
    );
    assert_eq!(
        error_in("1e400;"),
        "2:1 float literal out of range for `f64`"
    );
    assert_eq!(
        error_in("170141183460469231731687303715884105728;"),
        "2:1 integer literal is too large"
    );
    assert_eq!(
        error_in("999999999999999999999999999999999999999999999;"),
        "2:1 integer literal is too large"
    );
    // i128::MAX itself is representable; the checker rejects it for every kernel type.
    assert_eq!(
        body_of("170141183460469231731687303715884105727"),
        "{=> 170141183460469231731687303715884105727}"
    );
    assert_eq!(
        body_of("-170141183460469231731687303715884105728"),
        "{=> -170141183460469231731687303715884105728}"
    );
}

#[test]
fn constants() {
    let pi = format!("{:?}f64", std::f64::consts::PI);
    assert_eq!(body_of("f64::consts::PI"), format!("{{=> {pi}}}"));
    assert_eq!(body_of("std::f64::consts::PI"), format!("{{=> {pi}}}"));
    assert_eq!(
        body_of("core::f32::consts::E"),
        format!("{{=> {:?}f32}}", f64::from(std::f32::consts::E))
    );
    assert_eq!(body_of("f64::INFINITY"), "{=> inff64}");
    assert_eq!(body_of("f64::NEG_INFINITY"), "{=> -inff64}");
    assert_eq!(body_of("f64::NAN"), "{=> NaNf64}");
    assert_eq!(
        body_of("f64::EPSILON"),
        format!("{{=> {:?}f64}}", f64::EPSILON)
    );
    assert_eq!(
        body_of("f32::MAX"),
        format!("{{=> {:?}f32}}", f64::from(f32::MAX))
    );
    assert_eq!(
        body_of("f64::MIN_POSITIVE"),
        format!("{{=> {:?}f64}}", f64::MIN_POSITIVE)
    );
    assert_eq!(body_of("i64::MAX"), "{=> 9223372036854775807i64}");
    assert_eq!(body_of("i64::MIN"), "{=> -9223372036854775808i64}");
    assert_eq!(body_of("u32::MIN"), "{=> 0u32}");
    assert_eq!(body_of("usize::MAX"), "{=> 18446744073709551615usize}");
    assert_eq!(body_of("i32::BITS"), "{=> 32u32}");
    assert_eq!(body_of("u64::BITS"), "{=> 64u32}");
    assert_eq!(body_of("u8::MAX"), "{=> 255u8}");
    assert_eq!(body_of("i8::MIN"), "{=> -128i8}");
    assert_eq!(body_of("i16::MAX"), "{=> 32767i16}");
    assert_eq!(body_of("u16::MAX"), "{=> 65535u16}");
    assert_eq!(body_of("u8::BITS"), "{=> 8u32}");
    assert_eq!(body_of("i16::BITS"), "{=> 16u32}");
    for name in super::consts::FLOAT_CONSTS {
        let dumped = body_of(&format!("f64::consts::{name}"));
        assert!(dumped.ends_with("f64}"), "{name}: {dumped}");
    }
}

#[test]
fn imported_constants() {
    let pi = format!("{:?}f64", std::f64::consts::PI);
    let e = format!("{:?}f64", std::f64::consts::E);
    assert_eq!(
        body("use std::f64::consts::PI;\nfn f() -> f64 { PI }"),
        format!("{{=> {pi}}}")
    );
    assert_eq!(
        body("use std::f64::consts::{PI, E};\nfn f() -> f64 { PI + E }"),
        format!("{{=> ({pi} + {e})}}")
    );
    assert_eq!(
        body("use std::f64::consts;\nfn f() -> f64 { consts::PI }"),
        format!("{{=> {pi}}}")
    );
    assert_eq!(
        body("use std::f64::consts::*;\nfn f() -> f64 { E }"),
        format!("{{=> {e}}}")
    );
    assert_eq!(
        body("use std::f64::consts::PI as P;\nfn f() -> f64 { P }"),
        format!("{{=> {pi}}}")
    );
    assert_eq!(
        body("fn f() -> f64 { use std::f64::consts::PI; PI }"),
        format!("{{=> {pi}}}")
    );
    // A local shadows an imported constant.
    assert_eq!(
        body("use std::f64::consts::PI;\nfn f(PI: f64) -> f64 { PI }"),
        "{=> PI}"
    );
    // Other imports are ignored.
    lower_ok("use ndarray::prelude::*;\nuse ndarray::{ArrayView1, Axis};\nfn f() {}");
}

#[test]
fn unknown_names() {
    assert_eq!(error_in("y;"), "2:1 cannot find value `y` in this scope");
    assert_eq!(
        helps("fn f(count: usize) { cont; }"),
        ["a local variable with a similar name exists: `count`"]
    );
    assert_eq!(
        error_in("f64::FOO;"),
        "2:1 cannot find value `f64::FOO` in kernels"
    );
    assert_eq!(error_in("PI;"), "2:1 cannot find value `PI` in this scope");
}

// ---------------------------------------------------------------------------------------------
// Locals and statements

#[test]
fn lets_and_shadowing() {
    let lowered = lower_ok("fn f(x: f64) { let y = x; let y = y + 1.0; { let y = 2; y; } y; }");
    let f = &lowered.functions[0];
    assert_eq!(
        dump_block(f, &f.body),
        "{let y = x; let y = (y + 1.0); {let y = 2; y}; y}"
    );
    // Every `let` is a new local; uses resolve to the innermost one.
    let Stmt::Let { local: second, .. } = f.body.stmts[1] else {
        panic!("let")
    };
    let Stmt::Expr(last) = f.body.stmts[3] else {
        panic!("expr")
    };
    assert_eq!(f.expr(last), &Expr::Local(second));
    let Stmt::Let {
        init: Some(init), ..
    } = f.body.stmts[1]
    else {
        panic!("let")
    };
    let Expr::Binary(_, lhs, _) = f.expr(init) else {
        panic!("binary")
    };
    assert_eq!(f.expr(*lhs), &Expr::Local(crate::ir::LocalId(1)));
    assert_eq!(f.locals.len(), 4);
}

#[test]
fn let_forms() {
    assert_eq!(
        body_of("let mut s = 0.0; let t: u32 = 1; let u: _ = 2; let w; w = 3;"),
        "{let mut s = 0.0; let t: u32 = 1; let u = 2; let w; w = 3}"
    );
    assert_eq!(body_of("let _ = x + 1.0;"), "{(x + 1.0)}");
    assert_eq!(
        body_of("let v = [1.0, 2.0, x]; let mut z = [0u32; 4]; let q: [f64; 3] = [0.0; 3];"),
        "{let v = [1.0, 2.0, x]; let mut z = [0u32; 4]; let q: [f64; 3] = [0.0; 3]}"
    );
    assert_eq!(
        body_of("let (r, c) = m.dim(); let (_, k) = m.dim();"),
        "{let r = dim(m, 0); let c = dim(m, 1); let k = dim(m, 1)}"
    );
    let lowered = lower_ok("fn f(x: f64) { let v: [f64; 2] = [x, x]; let t: i64 = 1; }");
    let f = &lowered.functions[0];
    assert_eq!(
        f.locals[1].ty,
        Type::Fixed {
            elem: Scalar::F64,
            len: 2
        }
    );
    assert_eq!(f.locals[2].ty, Type::Scalar(Scalar::I64));
    assert_eq!(f.locals[2].kind, LocalKind::Let);
}

/// After a bad length, the local is still a fixed array (with the annotation's length when
/// that one is good, and the initialiser's when the annotation's is bad), so its uses lower
/// and check as an array's: the length is the one error.
#[test]
fn bad_fixed_lengths_still_declare_arrays() {
    let fixed_local = |stmts: &str| {
        let lowered = lower_source(&format!("fn f(x: f64, n: usize) {{ {stmts} }}"));
        assert_eq!(lowered.diagnostics.len(), 1, "{:?}", lowered.diagnostics);
        let f = &lowered.functions[0];
        let z = f.locals.iter().find(|l| l.name == "z").expect("local z");
        let Some(Stmt::Let {
            init: Some(init), ..
        }) = f.body.stmts.first()
        else {
            panic!("no `let z = …` in {stmts}");
        };
        (z.annot, dump_expr(f, *init))
    };
    assert_eq!(fixed_local("let z = [x; n];"), (None, "[x; 0]".into()));
    assert_eq!(
        fixed_local("let z = [x; 8000];"),
        (None, "[x; 8000]".into())
    );
    let fixed3 = Some(Annot::Known(Type::Fixed {
        elem: Scalar::F64,
        len: 3,
    }));
    assert_eq!(
        fixed_local("let z: [f64; 3] = [x; n];"),
        (fixed3, "[x; 3]".into())
    );
    assert_eq!(
        fixed_local("let z: [f64; 8000] = [x, x, x];"),
        (fixed3, "[x, x, x]".into())
    );
    assert_eq!(
        fixed_local("let z: [f64; n] = [x; 3];"),
        (fixed3, "[x; 3]".into())
    );
}

#[test]
fn let_errors() {
    assert_eq!(
        error_in("let v = [0.0; 5000];"),
        "2:15 fixed arrays are limited to 4096 elements"
    );
    assert_eq!(
        error_in("let v = [0.0; n];"),
        "2:15 the length of a fixed array must be an integer literal or a `usize` constant"
    );
    assert_eq!(
        error_in("let v: [f64; 9999] = [0.0; 3];"),
        "2:14 fixed arrays are limited to 4096 elements"
    );
    let big = vec!["0.0"; 4097].join(", ");
    assert_eq!(
        error_in(&format!("let v = [{big}];")),
        "2:9 fixed arrays are limited to 4096 elements"
    );
    assert_eq!(
        error_in("[1.0, x];"),
        "2:1 fixed arrays are only allowed as the initialiser of a `let`"
    );
    assert_eq!(
        error_in("let v: Option<f64> = 1;"),
        "2:8 unsupported type `Option<f64>` for a local variable"
    );
    assert_eq!(
        error_in("let y = x else { return; };"),
        "2:11 `let … else` is not supported in kernels"
    );
}

#[test]
fn assignments() {
    assert_eq!(
        body_of("let mut s = 0.0; s = x; s += 1.0; s -= 1.0; s *= 2.0; s /= 2.0; s %= 3.0;"),
        "{let mut s = 0.0; s = x; s += 1.0; s -= 1.0; s *= 2.0; s /= 2.0; s %= 3.0}"
    );
    assert_eq!(
        body_of("let mut k = 1; k &= 1; k |= 2; k ^= 3; k <<= 1; k >>= 1;"),
        "{let mut k = 1; k &= 1; k |= 2; k ^= 3; k <<= 1; k >>= 1}"
    );
    assert_eq!(
        body_of("a[0] = x; a[n - 1] += 1.0;"),
        "{a[0] = x; a[(n - 1)] += 1.0}"
    );
    assert_eq!(
        body("fn f(b: ArrayViewMut2<f64>) { b[[0, 1]] = 1.0; b[(1, 0)] *= 2.0 }"),
        "{b[0, 1] = 1.0; b[1, 0] *= 2.0}"
    );
    assert_eq!(
        body_of("let mut v = [0.0; 3]; v[1] = 2.0;"),
        "{let mut v = [0.0; 3]; v[1] = 2.0}"
    );
    // An assignment in tail position is a statement; the block has no tail.
    assert_eq!(
        body_of("let mut s = 0; { s += 1 }"),
        "{let mut s = 0; => {s += 1}}"
    );
    assert_eq!(body_of("_ = x;"), "{x}");
    let lowered = lower_ok("fn f(a: &mut [f64]) {\n    a[1] += 2.0;\n}");
    let Stmt::Assign {
        span,
        place: Place::Index {
            span: place_span, ..
        },
        ..
    } = &lowered.functions[0].body.stmts[0]
    else {
        panic!("assign")
    };
    assert_eq!(
        (
            span.line,
            span.col,
            place_span.col,
            place_span.hi - place_span.lo
        ),
        (2, 5, 5, 4)
    );
}

#[test]
fn assignment_errors() {
    assert_eq!(
        error_in("let y = (x = 1.0);"),
        "2:10 assignments cannot be used as values in kernels"
    );
    assert_eq!(
        error_in("let y = 1.0; y = 2.0;"),
        "2:14 cannot assign twice to immutable variable `y`"
    );
    assert_eq!(
        error_in("x = 2.0;"),
        "2:1 cannot assign to immutable parameter `x`"
    );
    assert_eq!(
        error_in("for i in 0..n { i = 1; }"),
        "2:17 cannot assign to loop variable `i`"
    );
    assert_eq!(
        error_in("let v = [0.0; 2]; v[0] = 1.0;"),
        "2:19 cannot assign to `v[_]`, as `v` is not declared as mutable"
    );
    assert_eq!(
        error_in("*a = 1.0;"),
        "2:1 dereferencing (`*x`) is not supported in kernels"
    );
    assert_eq!(
        error_in("z = 1.0;"),
        "2:1 cannot find value `z` in this scope"
    );
    assert_eq!(
        error_in("a.b = 1.0;"),
        "2:1 field access is not supported in kernels"
    );
    assert_eq!(
        error_in("x + 1.0 = 2.0;"),
        "2:1 invalid left-hand side of assignment"
    );
    assert_eq!(
        error_in("a[0][1] = 2.0;"),
        "2:1 chained indexing `a[i][j]` is not supported in kernels"
    );
}

// ---------------------------------------------------------------------------------------------
// Expressions

#[test]
fn operators() {
    assert_eq!(
        body_of("x + x * 2.0 - x / 3.0 % 4.0"),
        "{=> ((x + (x * 2.0)) - ((x / 3.0) % 4.0))}"
    );
    assert_eq!(
        body_of("1 & 2 | 3 ^ 4 << 1 >> 2"),
        "{=> ((1 & 2) | (3 ^ ((4 << 1) >> 2)))}"
    );
    assert_eq!(
        body_of("x == 1.0 && x != 2.0 || x < 3.0 && x <= 4.0 || x > 5.0 && x >= 6.0"),
        "{=> ((((x == 1.0) And (x != 2.0)) Or ((x < 3.0) And (x <= 4.0))) Or ((x > 5.0) And (x >= 6.0)))}"
    );
    assert_eq!(body_of("-x; !true; ((x))"), "{(Neg x); (Not true); => x}");
    assert_eq!(
        body_of("x as i64 as u32; n as f32"),
        "{((x as i64) as u32); => (n as f32)}"
    );
}

#[test]
fn operator_spans() {
    let lowered = lower_ok("fn f(x: f64) -> f64 {\n  (x + 1.0) / x\n}");
    let f = &lowered.functions[0];
    let tail = f.body.tail.unwrap_or(ExprId(0));
    let at = f.span(tail);
    // The division starts at the opening parenthesis and ends after the last `x`.
    assert_eq!((at.line, at.col, at.hi - at.lo), (2, 3, 13));
    let lowered = lower_ok("fn f(a: &[f64]) -> f64 {\n  a[1] * a[[2]]\n}");
    let f = &lowered.functions[0];
    let Expr::Binary(_, lhs, rhs) = f.expr(f.body.tail.unwrap_or(ExprId(0))) else {
        panic!("binary")
    };
    assert_eq!(
        (f.span(*lhs).col, f.span(*lhs).hi - f.span(*lhs).lo),
        (3, 4)
    );
    assert_eq!(
        (f.span(*rhs).col, f.span(*rhs).hi - f.span(*rhs).lo),
        (10, 6)
    );
}

#[test]
fn casts_and_bad_casts() {
    assert_eq!(error_in("x as u128;"), "2:6 cannot cast to `u128`");
    assert_eq!(body_of("x as u8 as i16"), "{=> ((x as u8) as i16)}");
    assert_eq!(
        error_in("*a;"),
        "2:1 dereferencing (`*x`) is not supported in kernels"
    );
}

#[test]
fn indexing() {
    assert_eq!(
        body_of("a[0]; m[[1, 2]]; m[(n, 0)]"),
        "{a[0]; m[1, 2]; => m[n, 0]}"
    );
    assert_eq!(
        error_in("m[0][1];"),
        "2:1 chained indexing `a[i][j]` is not supported in kernels"
    );
    assert_eq!(
        helps("fn f(m: &[f64]) { m[0][1]; }"),
        ["index a 2-D array with `a[[i, j]]`"]
    );
    assert_eq!(
        error_in("a[0..2];"),
        "2:3 slices of arrays are not supported in kernels"
    );
    assert_eq!(
        error_in("(x + 1.0)[0];"),
        "2:1 only a local array name can be indexed in kernels"
    );
    assert_eq!(error_in("q[0];"), "2:1 cannot find value `q` in this scope");
}

#[test]
fn array_queries() {
    assert_eq!(
        body_of("a.len(); m.shape()[1]; m.len_of(Axis(0)); m.len_of(ndarray::Axis(1)); m.nrows(); m.ncols()"),
        "{len(a); dim(m, 1); dim(m, 0); dim(m, 1); dim(m, 0); => dim(m, 1)}"
    );
    assert_eq!(
        error_in("m.shape();"),
        "2:1 `a.shape()` is only supported indexed by a constant"
    );
    assert_eq!(
        error_in("m.dim();"),
        "2:1 `a.dim()` is only supported destructured by `let`"
    );
    assert_eq!(
        error_in("m.shape()[n];"),
        "2:11 the axis must be an integer literal"
    );
    assert_eq!(
        error_in("m.len_of(n);"),
        "2:10 expected `Axis(k)` with an integer literal `k`"
    );
    assert_eq!(
        error_in("a.view();"),
        "2:1 array views are only allowed as call arguments"
    );
    assert_eq!(
        error_in("(x + 1.0).len();"),
        "2:1 only a local array name can be the receiver of `.len()` in kernels"
    );
}

#[test]
fn builtins() {
    assert_eq!(
        body_of("x.sqrt(); x.max(1.0); x.mul_add(2.0, 3.0); n.pow(2); x.powi(3)"),
        "{sqrt(x); max(x, 1.0); mul_add(x, 2.0, 3.0); pow(n, 2); => powi(x, 3)}"
    );
    assert_eq!(
        body_of("f64::sqrt(x); f64::max(x, 2.0); std::f64::hypot(x, x)"),
        "{sqrt(x); max(x, 2.0); => hypot(x, x)}"
    );
    assert_eq!(body_of("(x + 1.0).abs().ln()"), "{=> ln(abs((x + 1.0)))}");
    assert_eq!(body_of("a[0].sin()"), "{=> sin(a[0])}");
    for builtin in crate::ir::Builtin::ALL {
        let args = vec!["x"; builtin.arity() - 1].join(", ");
        assert_eq!(
            body_of(&format!("x.{}({args})", builtin.name())),
            format!(
                "{{=> {}({})}}",
                builtin.name(),
                vec!["x"; builtin.arity()].join(", ")
            )
        );
    }
}

#[test]
fn builtin_errors() {
    assert_eq!(
        error_in("x.foo();"),
        "2:3 no method named `foo` found in kernels"
    );
    assert_eq!(
        helps("fn f(x: f64) { x.sqr(); }"),
        ["there is a method with a similar name: `sqrt`"]
    );
    assert_eq!(
        helps("fn f(a: &[f64]) { a.lenn(); }"),
        ["there is a method with a similar name: `len`"]
    );
    assert_eq!(
        error_in("x.max();"),
        "2:1 this method takes 1 argument but 0 arguments were supplied"
    );
    assert_eq!(
        error_in("x.sqrt(1.0);"),
        "2:1 this method takes 0 arguments but 1 argument was supplied"
    );
    assert_eq!(
        error_in("f64::max(x);"),
        "2:1 this function takes 2 arguments but 1 argument was supplied"
    );
    assert_eq!(
        error_in("f64::sqr(x);"),
        "2:1 no function or associated item named `sqr` found for `f64` in kernels"
    );
    assert_eq!(
        error_in("x.iter();"),
        "2:3 no method named `iter` found in kernels"
    );
}

#[test]
fn calls_and_array_arguments() {
    let source = "fn g(a: &[f64], b: &mut [f64], x: f64) {}\n\
                  fn f(a: &mut [f64], b: ArrayViewMut1<f64>, x: f64) { g(a, b, x); g(&a, &mut b, 1.0); g(a.view(), b.view_mut(), x * 2.0); }";
    let lowered = lower_ok(source);
    let f = &lowered.functions[1];
    assert_eq!(
        dump_block(f, &f.body),
        "{call0(a, b, x); call0(a, b, 1.0); call0(a, b, (x * 2.0))}"
    );
}

#[test]
fn call_errors() {
    assert_eq!(
        errors("fn f() { g(1); }"),
        ["1:10 cannot find function `g` in this scope"]
    );
    assert_eq!(
        helps("fn comp() {}\nfn f() { compt(); }"),
        ["a function with a similar name exists: `comp`"]
    );
    assert_eq!(
        errors("fn g(x: f64) {}\nfn f() { g(1.0, 2.0); }"),
        ["2:10 this function takes 1 argument but 2 arguments were supplied"]
    );
    assert_eq!(
        error_in("let r = &x;"),
        "2:9 references are only allowed as call arguments"
    );
    assert_eq!(
        errors("fn g(x: f64) {}\nfn f(x: f64) { g(&(x + 1.0)); }"),
        ["2:18 only a local array name can be passed by reference"]
    );
    assert_eq!(
        error_in("prange(0..n);"),
        "2:1 `prange` is only allowed as the range of a `for` loop"
    );
    assert_eq!(
        error_in("Vec::new();"),
        "2:1 cannot find function `Vec::new` in kernels"
    );
    assert_eq!(
        error_in("(x)(1);"),
        "2:1 only functions of the same source can be called in kernels"
    );
}

#[test]
fn unsupported_expressions_are_named() {
    let cases = [
        (
            "let c = |y: f64| y;",
            "2:9 closures are not supported in kernels",
        ),
        (
            "if let Some(y) = x {}",
            "2:1 `if let` is not supported in kernels",
        ),
        (
            "while let Some(y) = x {}",
            "2:1 `while let` is not supported in kernels",
        ),
        (
            "let v = vec![1.0];",
            "2:9 only `vec![value; length]` is supported in kernels",
        ),
        ("dbg!(x);", "2:1 macro `dbg!` is not supported in kernels"),
        (
            "let s = S { a: 1 };",
            "2:9 struct literals are not supported in kernels",
        ),
        (
            "let y = m.field;",
            "2:9 field access is not supported in kernels",
        ),
        (
            "let y = x?;",
            "2:9 the `?` operator is not supported in kernels",
        ),
        (
            "unsafe { x; }",
            "2:1 `unsafe` blocks are not supported in kernels",
        ),
        (
            "let y = async { 1 };",
            "2:9 `async` blocks are not supported in kernels",
        ),
        (
            "let r = 0..n;",
            "2:9 ranges are only supported as the bounds of a `for` loop",
        ),
        (
            "(0..n).rev();",
            "2:1 `.rev()` and `.step_by(s)` are only supported on the range of a `for` loop",
        ),
        (
            "fn g() {}",
            "2:1 nested `fn` items are not supported in kernels",
        ),
        (
            "'a: { 1 };",
            "2:1 labelled blocks are not supported in kernels",
        ),
        (
            "struct S;",
            "2:1 items inside function bodies are not supported in kernels",
        ),
    ];
    for (stmts, expected) in cases {
        assert_eq!(error_in(stmts), expected, "{stmts}");
    }
}

#[test]
fn every_error_of_a_function_is_reported() {
    let lowered = lower_source("fn f(x: f64) {\n  y;\n  x.foo();\n  let s = \"a\";\n}\nfn g() {}");
    let at: Vec<(u32, u32)> = lowered
        .diagnostics
        .iter()
        .map(|d| (d.span.line, d.span.col))
        .collect();
    assert_eq!(at, [(2, 3), (3, 5), (4, 11)]);
    assert_eq!(lowered.body_ok, [false, true]);
    // The bad expressions became placeholders; the statements are all there.
    assert_eq!(lowered.functions[0].body.stmts.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Control flow

#[test]
fn if_else_chains() {
    assert_eq!(
        body_of("if x > 0.0 { 1 } else if x < 0.0 { 2 } else { 3 }"),
        "{=> if (x > 0.0) {=> 1} else {=> if (x < 0.0) {=> 2} else {=> 3}}}"
    );
    assert_eq!(
        body_of("if true { a[0] = 1.0; }"),
        "{=> if true {a[0] = 1.0}}"
    );
    let lowered = lower_ok("fn f(x: f64) -> f64 {\n  if x > 0.0 { 1.0 }\n  else { 2.0 }\n}");
    let f = &lowered.functions[0];
    let at = f.span(f.body.tail.unwrap_or(ExprId(0)));
    assert_eq!((at.line, at.col), (2, 3));
    assert_eq!(
        at.hi as usize,
        "fn f(x: f64) -> f64 {\n  if x > 0.0 { 1.0 }\n  else { 2.0 }".len()
    );
}

#[test]
fn loops_and_labels() {
    assert_eq!(body_of("loop { break; }"), "{=> loop#0 {break#0}}");
    assert_eq!(
        body_of("let v = loop { break 5; };"),
        "{let v = loop#0 {break#0 5}}"
    );
    assert_eq!(
        body_of("while x < 1.0 { continue; }"),
        "{=> while#0 (x < 1.0) {continue#0}}"
    );
    assert_eq!(
        body_of("'outer: for i in 0..n { for j in 0..i { if j > 2 { continue 'outer; } break 'outer; } }"),
        "{=> for#0 i in 0..n {=> for#1 j in 0..i {if (j > 2) {continue#0}; break#0}}}"
    );
    assert_eq!(
        body_of("'a: loop { loop { break 'a 1; } }"),
        "{=> loop#0 {=> loop#1 {break#0 1}}}"
    );
    let lowered = lower_ok("fn f() { 'outer: loop { break 'outer; } }");
    assert_eq!(
        lowered.functions[0].loops[0].label.as_deref(),
        Some("'outer")
    );
    assert_eq!(body_of("return;"), "{return}");
    assert_eq!(body("fn f() -> i64 { return 1; }"), "{return 1}");
}

#[test]
fn for_ranges() {
    assert_eq!(body_of("for i in 0..n {}"), "{=> for#0 i in 0..n {}}");
    assert_eq!(body_of("for i in 0..=n {}"), "{=> for#0 i in 0..=n {}}");
    assert_eq!(
        body_of("for i in (0..n).rev() {}"),
        "{=> for#0 i in 0..n rev {}}"
    );
    assert_eq!(
        body_of("for i in (0..n).step_by(2) {}"),
        "{=> for#0 i in 0..n step 2 {}}"
    );
    assert_eq!(
        body_of("for i in (0..=n).rev().step_by(3) {}"),
        "{=> for#0 i in 0..=n rev step 3 {}}"
    );
    assert_eq!(
        body_of("for i in prange(0..n) {}"),
        "{=> for#0 i in 0..n par {}}"
    );
    assert_eq!(
        body_of("for i in prange(1..=n) {}"),
        "{=> for#0 i in 1..=n par {}}"
    );
    assert_eq!(body_of("for _ in 0..3 { x; }"), "{=> for#0 _ in 0..3 {x}}");
    let lowered = lower_ok("fn f(n: usize) { for i in 0..n { i; } for _ in 0..n {} }");
    let f = &lowered.functions[0];
    assert_eq!(f.locals[1].kind, LocalKind::LoopVar);
    assert_eq!(f.locals[2].name, "_");
    // The loop variable is scoped to the body: `i` after the loop is an error.
    assert_eq!(
        errors("fn f(n: usize) { for i in 0..n {} i; }"),
        ["1:35 cannot find value `i` in this scope"]
    );
    // Bounds are resolved outside the loop's scope.
    assert_eq!(
        body("fn f(i: usize) { for i in 0..i { i; } }"),
        "{=> for#0 i in 0..i {i}}"
    );
}

#[test]
fn for_range_errors() {
    for (iter, col) in [
        ("a.iter()", 10),
        ("0..", 10),
        ("..n", 10),
        ("(0..n).step_by(2).rev()", 10),
        ("x", 10),
    ] {
        let message = error_in(&format!("for i in {iter} {{}}"));
        assert!(
            message.starts_with(&format!("2:{col} ")),
            "{iter}: {message}"
        );
        assert!(message.contains("`for` loop"), "{iter}: {message}");
    }
    assert!(helps("fn f() { for i in 0.. {} }")[0].starts_with("supported: `a..b`"));
    assert_eq!(
        error_in("for (i, j) in 0..n {}"),
        "2:5 unsupported `for` loop pattern"
    );
}

#[test]
fn break_and_continue_errors() {
    assert_eq!(
        error_in("break;"),
        "2:1 `break` outside of a loop or labeled block"
    );
    assert_eq!(error_in("continue;"), "2:1 `continue` outside of a loop");
    assert_eq!(
        error_in("loop { break 'nope; }"),
        "2:14 use of undeclared label `'nope`"
    );
    assert_eq!(
        error_in("while true { break 1; }"),
        "2:14 `break` with value from a `while` loop"
    );
    assert_eq!(
        error_in("for i in 0..n { break 1; }"),
        "2:17 `break` with value from a `for` loop"
    );
    assert_eq!(
        error_in("'a: for i in 0..n { loop { break 'a 2; } }"),
        "2:28 `break` with value from a `for` loop"
    );
}

// ---------------------------------------------------------------------------------------------
// Parse errors and robustness

#[test]
fn parse_errors_give_one_diagnostic_and_no_functions() {
    for source in [
        "fn f( {",
        "fn f() { let }",
        "fn",
        "}}}",
        "fn f() { \"unterminated }",
        "\u{0}\u{1}\u{2}garbage",
    ] {
        let lowered = lower_source(source);
        assert!(lowered.functions.is_empty(), "{source}");
        assert_eq!(lowered.diagnostics.len(), 1, "{source}");
    }
    let lowered = lower_source("fn f() {\n  let x = ;\n}");
    assert_eq!(
        (
            lowered.diagnostics[0].span.line,
            lowered.diagnostics[0].span.col
        ),
        (2, 11)
    );
}

/// Runs `f` on a thread with a 2 MiB stack, as the worst case a caller may use.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .and_then(|handle| {
            handle
                .join()
                .map_err(|_| std::io::Error::other("thread panicked"))
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn deep_brackets_are_rejected_before_parsing() {
    on_small_stack(|| {
        let source = format!(
            "fn f() {{ {}1{} }}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let lowered = lower_source(&source);
        assert_eq!(lowered.diagnostics.len(), 1);
        assert_eq!(lowered.diagnostics[0].message, "brackets nested too deeply");
        assert_eq!(lowered.diagnostics[0].span.col, 137);
        let unbalanced = "[".repeat(50_000);
        assert_eq!(lower_source(&unbalanced).diagnostics.len(), 1);
        // 120 levels are fine for the scan but too deep for lowering.
        let source = format!("fn f() {{ {}1{}; }}", "-(".repeat(120), ")".repeat(120));
        let lowered = lower_source(&source);
        assert_eq!(lowered.diagnostics.len(), 1);
        assert_eq!(
            lowered.diagnostics[0].message,
            "expression nested too deeply"
        );
    });
}

#[test]
fn long_operator_chains_do_not_overflow() {
    on_small_stack(|| {
        for op in ["+", "*", "<<", "&&", "-", "=="] {
            let chain = vec!["1"; 100_000].join(&format!(" {op} "));
            let lowered = lower_source(&format!("fn f() {{ let x = {chain}; }}"));
            assert_eq!(lowered.diagnostics.len(), 1);
            assert_eq!(lowered.diagnostics[0].message, "expression too long");
        }
        let prefix_chains = [
            "!".repeat(100_000),
            "-".repeat(100_000),
            "&".repeat(100_000),
            "*".repeat(100_000),
            "return ".repeat(50_000),
        ];
        for prefix in prefix_chains {
            let lowered = lower_source(&format!("fn f() {{ {prefix}1; }}"));
            assert_eq!(lowered.diagnostics.len(), 1);
        }
        let postfix_chains = [
            ".abs()".repeat(50_000),
            " as f64".repeat(50_000),
            ".x".repeat(50_000),
            "?".repeat(50_000),
            "[0]".repeat(50_000),
        ];
        for postfix in postfix_chains {
            let lowered = lower_source(&format!("fn f(x: f64) {{ x{postfix}; }}"));
            assert_eq!(lowered.diagnostics.len(), 1);
        }
        let else_ifs = "if x { 1 } else ".repeat(50_000);
        assert_eq!(
            lower_source(&format!("fn f(x: bool) {{ {else_ifs} {{ 2 }}; }}"))
                .diagnostics
                .len(),
            1
        );
        let assigns = "x = ".repeat(50_000);
        assert_eq!(
            lower_source(&format!("fn f(mut x: i64) {{ {assigns} 1; }}"))
                .diagnostics
                .len(),
            1
        );
    });
}

#[test]
fn chains_just_under_the_limit_lower_fine() {
    on_small_stack(|| {
        let chain = vec!["x"; 1500].join(" + ");
        let lowered = lower_source(&format!("fn f(x: f64) -> f64 {{ {chain} }}"));
        assert!(lowered.diagnostics.is_empty(), "{:?}", lowered.diagnostics);
        assert_eq!(lowered.functions[0].exprs.len(), 2999);
        let nots = "!".repeat(300);
        let lowered = lower_source(&format!("fn f(x: bool) -> bool {{ {nots}x }}"));
        assert_eq!(lowered.diagnostics.len(), 1);
        assert_eq!(
            lowered.diagnostics[0].message,
            "expression nested too deeply"
        );
        let methods = ".abs()".repeat(600);
        let lowered = lower_source(&format!("fn f(x: f64) -> f64 {{ x{methods} }}"));
        assert_eq!(
            lowered.diagnostics[0].message,
            "expression nested too deeply"
        );
        let else_ifs = "if x { 1 } else ".repeat(150);
        let lowered = lower_source(&format!("fn f(x: bool) -> i64 {{ {else_ifs} {{ 2 }} }}"));
        assert_eq!(
            lowered.diagnostics[0].message,
            "expression nested too deeply"
        );
    });
}

#[test]
fn many_statements_and_functions_are_fine() {
    // Operator counts reset between statements and items.
    let stmts = "s += x * 2.0 - 1.0;\n".repeat(5000);
    lower_ok(&format!(
        "fn f(x: f64) -> f64 {{ let mut s = 0.0; {stmts} s }}"
    ));
    let ifs = "if x > 1.0 { s += 1.0; }\n".repeat(3000);
    lower_ok(&format!(
        "fn f(x: f64) -> f64 {{ let mut s = 0.0; {ifs} s }}"
    ));
    let loops = "for i in 0..n { s += 1; }\n".repeat(3000);
    lower_ok(&format!("fn f(n: usize) {{ let mut s = 0; {loops} }}"));
}

#[test]
fn one_megabyte_of_functions_lowers_in_linear_time() {
    let one = "pub fn kernel_NAME(a: &mut [f64], b: &[f64], n: usize) -> f64 {\n    let mut s = 0.0;\n    for i in 0..n {\n        a[i] = b[i].sqrt() * 2.0 + (i as f64);\n        if a[i] > 1.0 { s += a[i]; } else { s -= 1.0; }\n    }\n    s\n}\n";
    let build = |count: usize| -> String {
        (0..count)
            .map(|i| one.replace("NAME", &i.to_string()))
            .collect()
    };
    let small = build(600);
    let large = build(6000);
    assert!(large.len() > 1_000_000);
    let time = |source: &str| {
        let start = std::time::Instant::now();
        let lowered = lower_source(source);
        assert!(lowered.diagnostics.is_empty());
        start.elapsed()
    };
    let t_small = time(&small);
    let t_large = time(&large);
    // Ten times the input within, generously, forty times the time.
    assert!(
        t_large < t_small * 40 + std::time::Duration::from_millis(200),
        "{t_small:?} vs {t_large:?}"
    );
}

#[test]
fn garbage_inputs_never_panic() {
    let inputs = [
        "\u{feff}fn f() {}".to_string(),
        "fn f() { 'a }".to_string(),
        "fn f() { r#\"(((\"#; }".to_string(),
        "fn f() { /* ((( */ }".to_string(),
        "fn f() { let x = 1e; }".to_string(),
        "fn f() { 0x; }".to_string(),
        "🦀🦀🦀 fn".to_string(),
        String::from_utf8_lossy(&(0u8..=255).collect::<Vec<u8>>()).into_owned(),
        "fn f() { x.0.1.2; }".to_string(),
        format!(
            "fn f() {{ {} }}",
            "'a: loop { ".repeat(60) + &"}".repeat(60)
        ),
        "fn f() { [[[[[[[[[[1]]]]]]]]]]; }".to_string(),
        "fn f() -> f64 { 99999999999999999999999999999999999999999999999999999999999999.0 }"
            .to_string(),
        format!("fn f() {{ {}; }}", "9".repeat(10_000)),
    ];
    for input in inputs {
        let _ = lower_source(&input);
    }
    // Brackets in comments, strings and chars do not count towards nesting.
    let brackets = "(".repeat(200);
    lower_ok(&format!("// {brackets}\nfn f() {{ /* {brackets} */ }}"));
    assert_eq!(
        errors(&format!(
            "fn f() {{ let s = \"{brackets}\"; let c = '('; }}"
        )),
        [
            "1:18 string literals are not supported in kernels",
            "1:230 character literals are not supported in kernels"
        ]
    );
}

#[test]
fn spans_are_relative_to_each_source() {
    // The thread's source map is reset after each lowering, so positions never drift.
    for _ in 0..3 {
        let lowered = lower_ok("fn f(x: f64) -> f64 {\n  x\n}");
        let f = &lowered.functions[0];
        let at = f.span(f.body.tail.unwrap_or(ExprId(0)));
        assert_eq!((at.lo, at.hi, at.line, at.col), (24, 25, 2, 3));
    }
}

#[test]
fn print_macros_lower_to_one_print_with_inline_names_appended() {
    assert_eq!(
        body("fn f(x: f64, n: i32) { println!(\"{n} {:>8.3} {0:?} {n}\", x); eprint!(\"{{}}\"); }"),
        "{println!(\"{1} {0:>8.3} {0:?} {1}\"; x, n); eprint!(\"{{}}\"; )}"
    );
}
