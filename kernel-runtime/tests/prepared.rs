//! `Function::prepare` / `Prepared::call`: types checked once, the same results and errors as
//! `Function::call`, in both backends.

use kernel_runtime::{Arg, ArgumentError, Backend, Error, Module, Options, Value};

const SRC: &str =
    "fn axpy(a: f64, x: &[f64], y: &mut [f64]) { for i in 0..x.len() { y[i] += a * x[i]; } }
fn total(a: _) -> _ { let mut s = a[0]; for i in 1..a.len() { s += a[i]; } s }";

fn modules() -> Vec<Module> {
    [Backend::Interpreter, Backend::Jit]
        .into_iter()
        .map(|backend| {
            let options = Options {
                backend,
                ..Default::default()
            };
            Module::compile_with(SRC, options).expect("compiles")
        })
        .collect()
}

#[test]
fn prepared_calls_run_like_function_call() {
    for module in modules() {
        let axpy = module.function("axpy").expect("exists");
        let x = vec![1.0, 2.0, 3.0];
        let mut y = vec![0.0; 3];
        let mut prepared = axpy
            .prepare(&[Arg::from(2.0), Arg::from(&x), Arg::from(&mut y)])
            .expect("types fit");
        for _ in 0..3 {
            prepared
                .call(&mut [Arg::from(2.0), Arg::from(&x), Arg::from(&mut y)])
                .expect("runs");
        }
        assert_eq!(y, [6.0, 12.0, 18.0]);
        // Another length: shapes are not part of the preparation.
        let x = vec![1.0; 5];
        let mut y = vec![0.0; 5];
        prepared
            .call(&mut [Arg::from(0.5), Arg::from(&x), Arg::from(&mut y)])
            .expect("runs");
        assert_eq!(y, [0.5; 5]);
        // An index error is the kernel's, as for `call`.
        let mut short = vec![0.0; 2];
        let error = prepared
            .call(&mut [Arg::from(0.5), Arg::from(&x), Arg::from(&mut short)])
            .expect_err("out of bounds");
        assert!(matches!(error, Error::Kernel(_)), "{error:?}");
    }
}

#[test]
fn other_argument_kinds_get_the_full_checks() {
    for module in modules() {
        let axpy = module.function("axpy").expect("exists");
        let x = vec![1.0, 2.0];
        let mut y = vec![0.0; 2];
        let mut prepared = axpy
            .prepare(&[Arg::from(2.0), Arg::from(&x), Arg::from(&mut y)])
            .expect("types fit");
        let error = prepared
            .call(&mut [Arg::from(2i64), Arg::from(&x), Arg::from(&mut y)])
            .expect_err("wrong scalar type");
        assert!(
            matches!(error, Error::Argument(ArgumentError::ScalarType { .. })),
            "{error:?}"
        );
        let error = prepared
            .call(&mut [Arg::from(2.0), Arg::from(&x), Arg::from(&y)])
            .expect_err("read-only for a writable parameter");
        assert!(
            matches!(error, Error::Argument(ArgumentError::Mutability { .. })),
            "{error:?}"
        );
        let error = prepared
            .call(&mut [Arg::from(2.0), Arg::from(&x)])
            .expect_err("too few");
        assert!(
            matches!(error, Error::Argument(ArgumentError::Count { .. })),
            "{error:?}"
        );
        // Aliasing is re-checked on every call.
        let mut data = vec![1.0f64, 2.0, 3.0, 4.0];
        let ptr = data.as_mut_ptr();
        // SAFETY: deliberately aliasing views of one live buffer, to test that the runtime
        // refuses them before anything reads or writes through either.
        let (a, b) = unsafe {
            (
                ndarray::ArrayView1::from_shape_ptr(3, ptr.cast_const()),
                ndarray::ArrayViewMut1::from_shape_ptr(3, ptr.add(1)),
            )
        };
        let error = prepared
            .call(&mut [Arg::from(1.0), Arg::from(a), Arg::from(b)])
            .expect_err("overlapping");
        assert!(
            matches!(error, Error::Argument(ArgumentError::Aliasing { .. })),
            "{error:?}"
        );
        let (lo, hi) = data.split_at_mut(2);
        prepared
            .call(&mut [Arg::from(1.0), Arg::from(&*lo), Arg::from(hi)])
            .expect("disjoint halves");
        assert_eq!(data, [1.0, 2.0, 4.0, 6.0]);
    }
}

#[test]
fn preparing_checks_types_and_specialises_generics() {
    for module in modules() {
        let axpy = module.function("axpy").expect("exists");
        let x = vec![1.0];
        let error = axpy
            .prepare(&[Arg::from(1.0), Arg::from(&x), Arg::from(&x)])
            .expect_err("read-only for a writable parameter");
        assert!(matches!(
            error,
            Error::Argument(ArgumentError::Mutability { .. })
        ));
        let total = module.function("total").expect("exists");
        let ints = vec![1i32, 2, 3];
        let mut prepared = total.prepare(&[Arg::from(&ints)]).expect("specialises");
        let value = prepared.call(&mut [Arg::from(&ints)]).expect("runs");
        assert_eq!(value, Value::I32(6));
        let floats = vec![0.5, 0.25];
        let value = prepared.call(&mut [Arg::from(&floats)]).expect("runs");
        assert_eq!(value, Value::F64(0.75));
    }
}
