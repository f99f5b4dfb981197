//! One call path for three tiers: the native code of `#[kernel]` behind `Module::native`,
//! typed handles, and the errors of the backend layer.

use kernel_runtime::{
    kernel, Arg, ArgumentError, Backend, BackendError, Error, ErrorKind, Module, Options,
    TypedFunc, Value,
};
use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

#[kernel]
mod kernels {
    use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

    pub fn scale(a: f64, x: ArrayView1<f64>, mut y: ArrayViewMut1<f64>) {
        for i in 0..x.len() {
            y[i] = a * x[i];
        }
    }

    pub fn row_sums(m: ArrayView2<f64>, mut out: ArrayViewMut1<f64>) {
        for i in 0..m.nrows() {
            let mut s = 0.0;
            for j in 0..m.ncols() {
                s += m[[i, j]];
            }
            out[i] = s;
        }
    }

    pub fn pick(x: &[i64], i: usize) -> i64 {
        x[i]
    }

    pub fn fill(mut m: ArrayViewMut2<f64>, v: f32) -> u32 {
        let mut n: u32 = 0;
        for i in 0..m.nrows() {
            for j in 0..m.ncols() {
                m[[i, j]] = v as f64;
                n += 1;
            }
        }
        n
    }
}

fn module(backend: Backend) -> Module {
    kernels::module(Options {
        backend,
        ..Options::default()
    })
    .expect("the kernels compile in every tier")
}

#[test]
fn every_tier_gives_the_same_results_through_one_handle() {
    let x = ndarray::Array1::from(vec![1.0, -2.5, 3.25]);
    let m = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 * 0.5);
    let mut results = Vec::new();
    for backend in Backend::ALL {
        let module = module(backend);
        assert_eq!(module.backend(), backend);
        let mut y = ndarray::Array1::<f64>::zeros(3);
        let mut sums = ndarray::Array1::<f64>::zeros(3);
        module
            .function("scale")
            .unwrap()
            .call(&mut [Arg::from(2.0), Arg::from(x.view()), Arg::from(y.view_mut())])
            .unwrap();
        // The transpose has four rows for three sums: the same error in every tier.
        let error = module
            .function("row_sums")
            .unwrap()
            .call(&mut [Arg::from(m.t()), Arg::from(sums.view_mut())])
            .unwrap_err();
        assert!(error.to_string().contains("`out`"), "{backend}: {error}");
        let value = module
            .function("row_sums")
            .unwrap()
            .call(&mut [Arg::from(m.view()), Arg::from(sums.view_mut())])
            .unwrap();
        assert_eq!(value, Value::Unit);
        results.push((y, sums));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
    assert_eq!(results[0].0.to_vec(), vec![2.0, -5.0, 6.5]);
}

#[test]
fn native_errors_and_argument_checks_are_the_other_tiers() {
    let x = [1i64, 2, 3];
    let errors: Vec<Error> = Backend::ALL
        .into_iter()
        .map(|backend| {
            module(backend)
                .function("pick")
                .unwrap()
                .call(&mut [Arg::from(&x[..]), Arg::from(7usize)])
                .unwrap_err()
        })
        .collect();
    for error in &errors {
        let Error::Kernel(error) = error else {
            panic!("expected a kernel error, got {error:?}");
        };
        assert!(matches!(
            &error.kind,
            ErrorKind::IndexOutOfBounds { array, index: 7, extent: 3, .. } if array == "x"
        ));
    }
    assert_eq!(errors[0].to_string(), errors[2].to_string());
    // Wrong arguments are rejected before native code runs, naming the parameter.
    let native = module(Backend::Native);
    let error = native
        .function("pick")
        .unwrap()
        .call(&mut [Arg::from(&x[..]), Arg::from(1.5)])
        .unwrap_err();
    assert!(error.to_string().contains("argument `i`"), "{error}");
    let mut data = ndarray::Array1::<f64>::zeros(4);
    let (read, write) = overlapping(&mut data);
    let error = native
        .function("scale")
        .unwrap()
        .call(&mut [Arg::from(1.0), Arg::from(read), Arg::from(write)])
        .unwrap_err();
    assert!(
        matches!(error, Error::Argument(ArgumentError::Aliasing { .. })),
        "{error:?}"
    );
}

#[test]
fn typed_handles_check_once_and_return_rust_values() {
    for backend in Backend::ALL {
        let module = module(backend);
        let pick: TypedFunc<(&[i64], usize), i64> = module.typed("pick").unwrap();
        assert_eq!(pick.call((&[4, 5, 6], 2)).unwrap(), 6);
        let fill = module
            .typed::<(ArrayViewMut2<f64>, f32), u32>("fill")
            .unwrap();
        let mut m = Array2::<f64>::zeros((2, 3));
        assert_eq!(fill.call((m.view_mut(), 0.5)).unwrap(), 6);
        assert!(m.iter().all(|&v| v == 0.5));
        // A handle owns its module: it outlives the `Module` value it came from.
        drop(module);
        assert_eq!(pick.call((&[7], 0)).unwrap(), 7);
        let error = pick.call((&[7], 1)).unwrap_err();
        assert!(matches!(error, Error::Kernel(_)), "{backend}: {error:?}");
    }
}

#[test]
fn typed_handles_reject_types_that_do_not_fit() {
    let module = module(Backend::Native);
    let error = module.typed::<(&[f64], usize), i64>("pick").unwrap_err();
    assert_eq!(
        error.to_string(),
        "argument `x`: the typed handle passes ArrayView1<f64>, but the kernel takes ArrayView1<i64>"
    );
    let error = module.typed::<(&[i64], usize), f64>("pick").unwrap_err();
    assert_eq!(
        error.to_string(),
        "`pick` returns i64, but the typed handle expects f64"
    );
    let error = module.typed::<(&[i64],), i64>("pick").unwrap_err();
    assert!(
        error.to_string().contains("takes 2 argument(s) but 1"),
        "{error}"
    );
    // A read-only view cannot go where the kernel writes.
    let error = module
        .typed::<(ArrayView2<f64>, f32), u32>("fill")
        .unwrap_err();
    assert!(error.to_string().contains("argument `m`"), "{error}");
    // Aliasing is still checked per call.
    let scale = module
        .typed::<(f64, ArrayView1<f64>, ArrayViewMut1<f64>), ()>("scale")
        .unwrap();
    let mut data = ndarray::Array1::<f64>::zeros(4);
    let (read, write) = overlapping(&mut data);
    let error = scale.call((1.0, read, write)).unwrap_err();
    assert!(
        matches!(error, Error::Argument(ArgumentError::Aliasing { .. })),
        "{error:?}"
    );
}

/// A read-only view of elements 0..3 and a writable view of elements 1..4 of `data`: views
/// safe code cannot make, as a caller holding raw parts could.
fn overlapping(data: &mut ndarray::Array1<f64>) -> (ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) {
    let ptr = data.as_mut_ptr();
    // SAFETY: both views lie inside `data`'s four elements; every call given them is
    // refused by the aliasing check before either view is read or written.
    unsafe {
        (
            ArrayView1::from_shape_ptr(3, ptr.cast_const()),
            ArrayViewMut1::from_shape_ptr(3, ptr.add(1)),
        )
    }
}

#[test]
fn typed_handles_specialise_generic_functions() {
    let module = Module::compile("fn twice(x: _) -> _ { x + x }").unwrap();
    let f64s = module.typed::<(f64,), f64>("twice").unwrap();
    let i32s = module.typed::<(i32,), i32>("twice").unwrap();
    assert_eq!(f64s.call((1.5,)).unwrap(), 3.0);
    assert_eq!(i32s.call((i32::MAX,)).unwrap(), -2);
}

#[test]
fn backends_that_cannot_run_say_so() {
    let error = Module::compile_with(
        "fn f() {}",
        Options {
            backend: Backend::Native,
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(matches!(
        error,
        Error::Backend {
            backend: Backend::Native,
            source: BackendError::NoNativeCode,
            ..
        }
    ));
    assert!(error.to_string().contains("Module::native"), "{error}");
    let native = module(Backend::Native);
    assert!(native.typed_ir(Some("pick")).unwrap().contains("fn pick"));
    let error = native
        .function("pick")
        .unwrap()
        .profile(&mut [Arg::from(&[1i64][..]), Arg::from(0usize)])
        .unwrap_err();
    assert!(error
        .to_string()
        .contains("profiling needs the interpreter or the JIT"));
    assert!(native.clif("pick").is_err());
}

#[test]
fn backends_parse_by_name() {
    for backend in Backend::ALL {
        assert_eq!(backend.name().parse::<Backend>(), Ok(backend));
    }
    assert!("cuda"
        .parse::<Backend>()
        .unwrap_err()
        .contains("interp, jit or native"));
}
