//! The runtime API: argument checking (every `ArgumentError`), aliasing, generic functions,
//! unknown functions, `Value` display and the typed IR.

mod common;

use common::*;
use kernel_runtime::{Arg, ArgumentError, Error, Module, Value};
use ndarray::{Array1, Array2, ArrayViewD, ArrayViewMut1, IxDyn, ShapeBuilder};

const AXPY: &str =
    "fn axpy(a: f64, x: &[f64], y: &mut [f64]) { for i in 0..x.len() { y[i] += a * x[i]; } }
fn mat(m: ArrayView2<f32>) -> f32 { m[[0, 0]] }";

fn argument_error(m: &Module, name: &str, args: &mut [Arg<'_>]) -> ArgumentError {
    match m.function(name).unwrap().call(args) {
        Err(Error::Argument(e)) => e,
        other => panic!("expected an argument error, got {other:?}"),
    }
}

#[test]
fn every_argument_error_names_the_parameter() {
    let m = module(AXPY);
    let x = [1.0f64, 2.0];
    let mut y = [0.0f64; 2];
    let xf = [1.0f32; 4];
    let e = argument_error(&m, "axpy", &mut [Arg::from(1.0)]);
    assert_eq!(
        e.to_string(),
        "`axpy` takes 3 argument(s) but 1 were supplied"
    );
    let e = argument_error(
        &m,
        "axpy",
        &mut [Arg::from(1i64), Arg::from(&x[..]), Arg::from(&mut y[..])],
    );
    assert_eq!(e.to_string(), "argument `a`: expected f64, got i64");
    let e = argument_error(
        &m,
        "axpy",
        &mut [Arg::from(1.0), Arg::from(&xf[..]), Arg::from(&mut y[..])],
    );
    assert!(matches!(e, ArgumentError::ElementType { .. }));
    assert_eq!(
        e.to_string(),
        "argument `x`: expected ArrayView1<f64>, got ArrayView1<f32>"
    );
    let e = argument_error(
        &m,
        "axpy",
        &mut [Arg::from(1.0), Arg::from(&x[..]), Arg::from(&y[..])],
    );
    assert!(matches!(e, ArgumentError::Mutability { .. }));
    assert!(e
        .to_string()
        .starts_with("argument `y`: expected ArrayViewMut1<f64>, got ArrayView1<f64>"));
    let e = argument_error(
        &m,
        "axpy",
        &mut [Arg::from(&x[..]), Arg::from(&x[..]), Arg::from(&mut y[..])],
    );
    assert!(matches!(e, ArgumentError::ArrayForScalar { .. }), "{e}");
    let e = argument_error(
        &m,
        "axpy",
        &mut [Arg::from(1.0), Arg::from(2.0), Arg::from(&mut y[..])],
    );
    assert_eq!(
        e.to_string(),
        "argument `x`: expected ArrayView1<f64>, got the scalar 2.0"
    );
    let e = argument_error(
        &m,
        "axpy",
        &mut [
            Arg::from(Value::Unit),
            Arg::from(&x[..]),
            Arg::from(&mut y[..]),
        ],
    );
    assert!(matches!(e, ArgumentError::Unit { .. }));

    let m2 = Array2::<f64>::zeros((2, 2));
    let e = argument_error(&m, "mat", &mut [Arg::from(m2.view())]);
    assert_eq!(
        e.to_string(),
        "argument `m`: expected ArrayView2<f32>, got ArrayView2<f64>"
    );
    let v1 = Array1::<f32>::zeros(3);
    let e = argument_error(&m, "mat", &mut [Arg::from(v1.view())]);
    assert!(matches!(e, ArgumentError::Rank { .. }));
    assert_eq!(
        e.to_string(),
        "argument `m`: expected ArrayView2<f32>, got ArrayView1<f32>"
    );
    let data = [0.0f32; 16];
    let rank4 = ArrayViewD::from_shape(IxDyn(&[2, 2, 2, 2]), &data[..]).unwrap();
    let e = argument_error(&m, "mat", &mut [Arg::from(rank4)]);
    assert_eq!(
        e,
        ArgumentError::UnsupportedRank {
            param: "m".into(),
            rank: 4
        }
    );
    let rank0 = ArrayViewD::from_shape(IxDyn(&[]), &data[..1]).unwrap();
    let e = argument_error(&m, "mat", &mut [Arg::from(rank0)]);
    assert_eq!(
        e,
        ArgumentError::UnsupportedRank {
            param: "m".into(),
            rank: 0
        }
    );
}

#[test]
fn a_writable_array_overlapping_another_argument_is_rejected() {
    let src = "fn copy(x: &[f64], y: &mut [f64]) { for i in 0..x.len() { y[i] = x[i]; } }
               fn both(x: &[f64], z: &[f64]) -> f64 { x[0] + z[0] }";
    let m = module(src);
    let mut data = vec![1.0f64, 2.0, 3.0, 4.0];
    let ptr = data.as_mut_ptr();
    // SAFETY: deliberately aliasing views of one live buffer, to test that the runtime refuses
    // them before anything reads or writes through either.
    let (x, y) = unsafe {
        (
            ndarray::ArrayView1::from_shape_ptr(3, ptr.cast_const()),
            ArrayViewMut1::from_shape_ptr(3, ptr.add(1)),
        )
    };
    let e = argument_error(&m, "copy", &mut [Arg::from(x), Arg::from(y)]);
    assert_eq!(
        e.to_string(),
        "argument `y` is writable and overlaps argument `x`"
    );
    // Disjoint halves of one buffer are fine, and so are two read-only views of it.
    let (lo, hi) = data.split_at_mut(2);
    value(
        src,
        "copy",
        &mut [Arg::from(&lo[..]), Arg::from(&mut hi[..])],
    );
    assert_eq!(data, [1.0, 2.0, 1.0, 2.0]);
    assert_eq!(
        m.function("both")
            .unwrap()
            .call(&mut [Arg::from(&data[..]), Arg::from(&data[1..])])
            .unwrap(),
        Value::F64(3.0)
    );
    // Interleaved strided views of one buffer do not overlap element-wise but do span-wise:
    // the check compares address ranges, so it rejects them.
    let mut grid = Array2::<f64>::zeros((2, 2));
    let ptr = grid.as_mut_ptr();
    // SAFETY: as above: the call is refused before either view is used.
    let (col0, col1) = unsafe {
        (
            ndarray::ArrayView1::from_shape_ptr(
                ndarray::Ix1(2).strides(ndarray::Ix1(2)),
                ptr.cast_const(),
            ),
            ArrayViewMut1::from_shape_ptr(ndarray::Ix1(2).strides(ndarray::Ix1(2)), ptr.add(1)),
        )
    };
    assert!(matches!(
        argument_error(&m, "copy", &mut [Arg::from(col0), Arg::from(col1)]),
        ArgumentError::Aliasing { .. }
    ));
}

#[test]
fn generic_functions_instantiate_per_signature_and_cache() {
    let src = "fn total(a: _) -> _ { let mut s = a[0]; for i in 1..a.len() { s += a[i]; } s }
               fn twice(x: _) -> _ { x + x }
               fn fill(out: _, v: f64) { for i in 0..out.len() { out[i] = v; } }
               fn use_total(a: &[i32]) -> i32 { total(a) * 10 }";
    let m = module(src);
    let total = m.function("total").unwrap();
    let f = [1.5f64, 2.5];
    let i = [1i32, 2, 3];
    assert_eq!(
        total.call(&mut [Arg::from(&f[..])]).unwrap(),
        Value::F64(4.0)
    );
    assert_eq!(total.call(&mut [Arg::from(&i[..])]).unwrap(), Value::I32(6));
    assert_eq!(
        total.call(&mut [Arg::from(&f[..])]).unwrap(),
        Value::F64(4.0)
    );
    let twice = m.function("twice").unwrap();
    assert_eq!(twice.call(&mut [Arg::from(21u32)]).unwrap(), Value::U32(42));
    assert_eq!(
        twice.call(&mut [Arg::from(1.25f32)]).unwrap(),
        Value::F32(2.5)
    );
    assert_eq!(
        m.function("use_total")
            .unwrap()
            .call(&mut [Arg::from(&i[..])])
            .unwrap(),
        Value::I32(60)
    );
    // One instance per signature: total(f64), total(i32) (shared with use_total), twice ×2.
    let ir = m.typed_ir(Some("total")).unwrap();
    assert_eq!(ir.matches("fn total").count(), 2, "{ir}");
    // A `_` array the body writes through must be writable.
    let mut out = [0.0f64; 3];
    let e = argument_error(&m, "fill", &mut [Arg::from(&out[..]), Arg::from(1.0)]);
    assert!(matches!(e, ArgumentError::Mutability { .. }), "{e}");
    m.function("fill")
        .unwrap()
        .call(&mut [Arg::from(&mut out[..]), Arg::from(7.0)])
        .unwrap();
    assert_eq!(out, [7.0; 3]);
}

#[test]
fn a_generic_function_that_fails_to_specialise_is_a_compile_error() {
    let src = "fn neg(x: _) -> _ { -x }";
    let m = module(src);
    match m.function("neg").unwrap().call(&mut [Arg::from(3u32)]) {
        Err(Error::Compile(e)) => assert!(!e.diagnostics.is_empty()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        m.function("neg")
            .unwrap()
            .call(&mut [Arg::from(3i64)])
            .unwrap(),
        Value::I64(-3)
    );
}

#[test]
fn unknown_functions_suggest_the_closest_name() {
    let m = module(AXPY);
    match m.function("axpi") {
        Err(e @ Error::UnknownFunction { .. }) => {
            assert_eq!(
                e.to_string(),
                "no function named `axpi` in this module; did you mean `axpy`?"
            );
        }
        other => panic!("{other:?}"),
    }
    match m.function("zzzzzz") {
        Err(Error::UnknownFunction {
            available,
            suggestion,
            ..
        }) => {
            assert_eq!(available, ["axpy", "mat"]);
            assert_eq!(suggestion, None);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.function_names(), ["axpy", "mat"]);
    assert_eq!(m.params("axpy").unwrap().len(), 3);
    assert!(m.params("nope").is_err());
}

#[test]
fn values_display_like_kernelc_run_prints_them() {
    assert_eq!(Value::F64(20.0).to_string(), "20.0");
    assert_eq!(
        Value::F64(1.2742199912349306).to_string(),
        "1.2742199912349306"
    );
    assert_eq!(Value::F64(f64::NAN).to_string(), "NaN");
    assert_eq!(Value::F64(f64::INFINITY).to_string(), "inf");
    assert_eq!(Value::F32(0.1).to_string(), "0.1");
    assert_eq!(Value::I64(-3).to_string(), "-3");
    assert_eq!(Value::Usize(7).to_string(), "7");
    assert_eq!(Value::Bool(true).to_string(), "true");
    assert_eq!(Value::Unit.to_string(), "()");
    assert_eq!(Value::from(2.5).as_f64(), Some(2.5));
    assert_eq!(Value::from(2u32).as_f64(), None);
}

#[test]
fn typed_ir_prints_every_function() {
    let m = module(AXPY);
    let all = m.typed_ir(None).unwrap();
    assert!(all.contains("axpy") && all.contains("mat"), "{all}");
    assert!(m.typed_ir(Some("missing")).is_err());
    let generic = module("fn g(x: _) -> _ { x }");
    assert!(generic.typed_ir(Some("g")).unwrap().contains('g'));
}

#[test]
fn modules_are_send_and_sync_and_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Module>();
    let m = std::sync::Arc::new(module("fn sq(x: _) -> _ { x * x }"));
    let handles: Vec<_> = (0..4i64)
        .map(|k| {
            let m = m.clone();
            std::thread::spawn(move || m.function("sq").unwrap().call(&mut [Arg::from(k)]).unwrap())
        })
        .collect();
    let got: Vec<Value> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        got,
        [Value::I64(0), Value::I64(1), Value::I64(4), Value::I64(9)]
    );
}

#[test]
fn compile_errors_come_back_as_values() {
    assert!(Module::compile("fn f( {").is_err());
    assert!(Module::compile("fn f(x: i64) -> f64 { x }").is_err());
}
