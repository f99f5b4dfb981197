//! The front end as users meet it through `Module`: lifetime parameters accepted in every
//! tier, one error for a bad fixed-array length, and warnings (`Module::warnings`) for the
//! source, the instances of its generic functions and a `#[kernel]` item alike.

use kernel_runtime::{kernel, Arg, Backend, Error, Module, Options, Severity, Value};
use ndarray::Array2;

#[kernel]
mod borrowed {
    pub fn trace<'a>(m: ndarray::ArrayView2<'a, f64>, scale: &'a [f64]) -> f64 {
        let mut t = 0.0;
        for i in 0..m.nrows() {
            t += m[[i, i]] * scale[i];
        }
        t
    }

    pub fn last_index(v: &[f64]) -> usize {
        let mut last = 0;
        for i in 0..v.len() {
            if i >= 0 && v[i] != 0.0 {
                last = i;
            }
        }
        last
    }
}

fn in_tier(backend: Backend) -> Module {
    borrowed::module(Options {
        backend,
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{backend:?}: {e}"))
}

#[test]
fn lifetime_parameters_run_in_every_tier() {
    let m = Array2::from_shape_fn((3, 3), |(i, j)| (i * 3 + j) as f64);
    let scale = [1.0, 0.5, 2.0];
    for backend in Backend::ALL {
        let module = in_tier(backend);
        let value = module
            .function("trace")
            .unwrap()
            .call(&mut [Arg::from(m.view()), Arg::from(&scale[..])])
            .unwrap();
        assert_eq!(
            value,
            Value::F64(0.0 + 4.0 * 0.5 + 8.0 * 2.0),
            "{backend:?}"
        );
    }
}

#[test]
fn type_generics_are_still_rejected() {
    let error = Module::compile("fn f<T>(x: &[T]) -> usize { x.len() }").unwrap_err();
    let Error::Compile(error) = error else {
        panic!("expected a compile error, got {error:?}");
    };
    assert_eq!(
        error.diagnostics[0].message,
        "generic functions are not supported in kernels"
    );
}

#[test]
fn a_bad_fixed_length_is_the_only_error() {
    for source in [
        "fn f(n: usize) -> f64 { let mut z = [0.0; n]; z[0] = 1.0; z[1] + z.len() as f64 }",
        "fn f() -> f64 { let mut z = [0.0; 8000]; for i in 0..z.len() { z[i] = 1.0; } z[1] }",
    ] {
        let Err(Error::Compile(error)) = Module::compile(source) else {
            panic!("{source} compiled");
        };
        assert_eq!(error.diagnostics.len(), 1, "{}", error.render());
    }
}

#[test]
fn warnings_are_the_same_in_every_tier_and_do_not_stop_the_call() {
    for backend in Backend::ALL {
        let module = in_tier(backend);
        let warnings = module.warnings();
        assert_eq!(warnings.len(), 1, "{backend:?}");
        assert_eq!(warnings[0].severity, Severity::Warning);
        assert_eq!(warnings[0].message, "comparison is always true");
        assert!(
            module
                .render_warnings()
                .starts_with("warning: comparison is always true\n"),
            "{backend:?}"
        );
        let value = module
            .function("last_index")
            .unwrap()
            .call(&mut [Arg::from(&[1.0, 0.0, 3.0, 0.0][..])])
            .unwrap();
        assert_eq!(value, Value::Usize(2), "{backend:?}");
    }
}

#[test]
fn a_generic_instance_adds_its_warnings_when_first_called() {
    let module = Module::compile_with(
        "fn positive(x: _) -> bool { x >= 0 }",
        Options {
            backend: Backend::Interpreter,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(module.warnings().is_empty());
    assert_eq!(module.render_warnings(), "");
    let f = module.function("positive").unwrap();
    f.call(&mut [Arg::from(-3i64)]).unwrap();
    assert!(module.warnings().is_empty(), "x >= 0 is a test for an i64");
    f.call(&mut [Arg::from(3u32)]).unwrap();
    let labels: Vec<String> = module.warnings().into_iter().map(|w| w.label).collect();
    assert_eq!(labels, ["`u32` values are never negative"]);
}
