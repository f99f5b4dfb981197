//! The README's library examples, kept compiling and correct.

use kernel_runtime::{kernel, Arg, Backend, Module, Options};
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

#[test]
fn module_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    let module = Module::compile(
        r#"
    fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
        for i in 0..x.len() {
            y[i] += a * x[i];
        }
    }
"#,
    )?;
    let x = Array1::from(vec![1.0, 2.0, 3.0]);
    let mut y = Array1::from(vec![1.0, 1.0, 1.0]);
    module.function("axpy")?.call(&mut [
        Arg::from(2.0),
        Arg::from(x.view()),
        Arg::from(y.view_mut()),
    ])?;
    assert_eq!(y.to_vec(), vec![3.0, 5.0, 7.0]);
    let axpy = module.typed::<(f64, ArrayView1<f64>, ArrayViewMut1<f64>), ()>("axpy")?;
    axpy.call((2.0, x.view(), y.view_mut()))?;
    assert_eq!(y.to_vec(), vec![5.0, 9.0, 13.0]);
    Ok(())
}

#[kernel]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

#[test]
fn kernel_example_runs_in_every_tier() -> Result<(), Box<dyn std::error::Error>> {
    let d = dot(&[1.0, 2.0], &[3.0, 4.0])?;
    assert_eq!(d, 11.0);
    let options = Options {
        backend: Backend::Native,
        ..Options::default()
    };
    let dot_fn = dot::module(options)?.typed::<(&[f64], &[f64]), f64>("dot")?;
    assert_eq!(dot_fn.call((&[1.0, 2.0], &[3.0, 4.0]))?, d);
    for backend in [Backend::Interpreter, Backend::Jit] {
        let module = dot::module(Options {
            backend,
            ..Options::default()
        })?;
        let x = [1.0, 2.0];
        let y = [3.0, 4.0];
        let value = module
            .function("dot")?
            .call(&mut [Arg::from(&x[..]), Arg::from(&y[..])])?;
        assert_eq!(value.to_string(), "11.0");
    }
    Ok(())
}
