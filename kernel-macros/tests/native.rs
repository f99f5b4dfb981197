//! `#[kernel]` kernels called natively, checked against the same kernels run by the
//! interpreter through their companion `module()`: equal values (to the bit) and equal
//! errors (kind, function, line, column).

use kernel_macros::kernel;
use kernel_runtime::{Arg, Error, KernelError, Options, Value};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, ShapeBuilder};

#[kernel]
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

#[kernel]
fn pairwise(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
    let (n, m) = x.dim();
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..m {
                let t = x[[i, k]] - x[[j, k]];
                s += t * t;
            }
            d[[i, j]] = s.sqrt();
        }
    }
}

#[kernel]
fn depth(n: i64) -> i64 {
    if n == 0 {
        0
    } else {
        depth(n - 1) + 1
    }
}

#[kernel]
fn ratio(a: &[i64], k: usize, d: i64) -> i64 {
    a[k] / d + (a[k] % 7).rem_euclid(d)
}

#[kernel]
mod nbody {
    use ndarray::{ArrayView2, ArrayViewMut2};

    /// Accelerations of unit masses under gravity, softened.
    pub fn derivatives(pos: ArrayView2<f64>, mut acc: ArrayViewMut2<f64>, eps: f64) {
        let n = pos.nrows();
        for i in 0..n {
            let mut a = [0.0; 3];
            for j in 0..n {
                if i != j {
                    let mut d = [0.0; 3];
                    fill_delta(pos, i, j, &mut d);
                    let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + eps * eps;
                    let inv = 1.0 / (r2 * r2.sqrt());
                    for k in 0..3 {
                        a[k] += d[k] * inv;
                    }
                }
            }
            for k in 0..3 {
                acc[[i, k]] = a[k];
            }
        }
    }

    fn fill_delta(pos: ArrayView2<f64>, i: usize, j: usize, d: &mut [f64]) {
        for k in 0..d.len() {
            d[k] = pos[[j, k]] - pos[[i, k]];
        }
    }
}

#[kernel]
mod features {
    pub fn mix(x: f64, n: i64, s: u32) -> f64 {
        let mut total = 0.0;
        for i in (0..n).rev().step_by(3) {
            total += (i as f64).sin() * x.powi(2) + (i << s) as f64;
        }
        for i in 1..=4u64 {
            total += (i.pow(2) as f64).ln().max(0.5).clamp(0.0, 10.0);
        }
        let mut k = 0;
        let found = loop {
            k += 1;
            if k * k > 50 {
                break k;
            }
        };
        'outer: while total > 0.0 {
            for j in 0..10 {
                if j == 3 {
                    continue 'outer;
                }
                total -= 100.0;
                if total < 0.0 {
                    break 'outer;
                }
            }
        }
        total
            + found as f64
            + (7 % 3) as f64
            + (-7i64).rem_euclid(3) as f64
            + x.fract()
            + x.log(3.0)
    }

    pub fn clamp_bad(x: f64) -> f64 {
        x.clamp(1.0, 0.0)
    }

    pub fn steps(n: usize, s: usize) -> usize {
        let mut c = 0;
        for _ in (0..n).step_by(s) {
            c += 1;
        }
        c
    }
}

/// Lifetime parameters and bounds are accepted and ignored, as rustc sees the same signature.
#[kernel]
pub fn row_dot<'a, 'b: 'a>(m: ndarray::ArrayView2<'a, f64>, row: usize, v: &'b [f64]) -> f64 {
    let mut s = 0.0;
    for j in 0..v.len() {
        s += m[[row, j]] * v[j];
    }
    s
}

#[kernel]
mod borrowed {
    pub fn scale_rows<'a, 'b>(m: &'a mut ndarray::Array2<f64>, by: &'b [f64]) -> f64
    where
        'b: 'a,
    {
        for i in 0..m.nrows() {
            scale_row(m.view_mut(), i, by[i]);
        }
        m[[0, 0]]
    }

    fn scale_row<'m>(mut m: ndarray::ArrayViewMut2<'m, f64>, i: usize, k: f64) {
        for j in 0..m.ncols() {
            m[[i, j]] *= k;
        }
    }
}

fn interp(
    module: kernel_runtime::Module,
    name: &str,
    args: &mut [Arg<'_>],
) -> Result<Value, KernelError> {
    let f = module.function(name).expect("function");
    match f.call(args) {
        Ok(v) => Ok(v),
        Err(Error::Kernel(e)) => Err(e),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

#[test]
fn axpy_matches_the_interpreter() {
    let x: Vec<f64> = (0..37).map(|i| i as f64 * 0.37).collect();
    let mut native = vec![1.5; 37];
    let mut interpreted = native.clone();
    axpy(2.5, &x, &mut native).unwrap();
    interp(
        axpy::module(Options::default()).unwrap(),
        "axpy",
        &mut [
            Arg::from(2.5),
            Arg::from(&x[..]),
            Arg::from(&mut interpreted[..]),
        ],
    )
    .unwrap();
    assert_eq!(native, interpreted);
}

#[test]
fn axpy_reports_the_bad_index_like_the_interpreter() {
    let x = vec![1.0; 3];
    let mut y = vec![0.0; 5];
    let native = axpy(1.0, &x, &mut y).unwrap_err();
    let mut y2 = vec![0.0; 5];
    let interpreted = interp(
        axpy::module(Options::default()).unwrap(),
        "axpy",
        &mut [Arg::from(1.0), Arg::from(&x[..]), Arg::from(&mut y2[..])],
    )
    .unwrap_err();
    assert_eq!(native, interpreted);
    assert_eq!(y, y2, "writes before the error stay");
    assert_eq!((native.function.as_str(), native.line), ("axpy", 12));
}

#[test]
fn pairwise_on_strided_views_matches_the_interpreter() {
    let x = Array2::from_shape_fn((9, 4).f(), |(i, k)| ((i * 7 + k * 3) % 11) as f64 / 3.0);
    let mut native = Array2::<f64>::zeros((9, 9));
    let mut interpreted = native.clone();
    pairwise(x.view(), native.view_mut()).unwrap();
    interp(
        pairwise::module(Options::default()).unwrap(),
        "pairwise",
        &mut [Arg::from(x.view()), Arg::from(interpreted.view_mut())],
    )
    .unwrap();
    assert_eq!(native, interpreted);
    let xt = x.t();
    let mut small = Array2::<f64>::zeros((4, 4));
    pairwise(xt, small.view_mut()).unwrap();
    assert_eq!(small[[1, 2]], {
        let col = |j: usize| x.column(j).to_owned();
        (&col(1) - &col(2)).mapv(|v| v * v).sum().sqrt()
    });
}

#[test]
fn recursion_limit_matches_the_interpreter() {
    assert_eq!(depth(100).unwrap(), 100);
    let native = depth(5000).unwrap_err();
    let interpreted = interp(
        depth::module(Options::default()).unwrap(),
        "depth",
        &mut [Arg::from(5000i64)],
    )
    .unwrap_err();
    assert_eq!(native, interpreted);
}

#[test]
fn division_errors_match_the_interpreter() {
    let a = [10i64, i64::MIN, -3];
    for (k, d) in [(0, 3), (0, 0), (1, -1), (2, 5), (2, -2), (3, 1)] {
        let native = ratio(&a, k, d).map(Value::I64);
        let interpreted = interp(
            ratio::module(Options::default()).unwrap(),
            "ratio",
            &mut [Arg::from(&a[..]), Arg::from(k), Arg::from(d)],
        );
        assert_eq!(native, interpreted, "k = {k}, d = {d}");
    }
}

#[test]
fn nbody_module_matches_the_interpreter() {
    let n = 20;
    let pos = Array2::from_shape_fn((n, 3), |(i, k)| ((i * 13 + k * 5) % 17) as f64 - 8.0);
    let mut native = Array2::<f64>::zeros((n, 3));
    let mut interpreted = native.clone();
    nbody::derivatives(pos.view(), native.view_mut(), 0.01).unwrap();
    interp(
        nbody::module(Options::default()).unwrap(),
        "derivatives",
        &mut [
            Arg::from(pos.view()),
            Arg::from(interpreted.view_mut()),
            Arg::from(0.01),
        ],
    )
    .unwrap();
    assert_eq!(native, interpreted);
}

#[test]
fn language_features_match_the_interpreter() {
    for (x, n, s) in [(0.7, 10i64, 2u32), (2.5, 0, 0), (-1.25, 31, 70)] {
        let native = features::mix(x, n, s).map(|v| Value::F64(v).to_string());
        let interpreted = interp(
            features::module(Options::default()).unwrap(),
            "mix",
            &mut [Arg::from(x), Arg::from(n), Arg::from(s)],
        )
        .map(|v| v.to_string());
        assert_eq!(native, interpreted, "x = {x}, n = {n}, s = {s}");
    }
    let native = features::clamp_bad(0.5).unwrap_err();
    let interpreted = interp(
        features::module(Options::default()).unwrap(),
        "clamp_bad",
        &mut [Arg::from(0.5)],
    )
    .unwrap_err();
    assert_eq!(native, interpreted);
    assert_eq!(features::steps(10, 3).unwrap(), 4);
    let native = features::steps(10, 0).unwrap_err();
    let interpreted = interp(
        features::module(Options::default()).unwrap(),
        "steps",
        &mut [Arg::from(10usize), Arg::from(0usize)],
    )
    .unwrap_err();
    assert_eq!(native, interpreted);
}

#[test]
fn views_of_every_kind_are_accepted() {
    let x = Array1::from_vec(vec![1.0, 2.0, 3.0]);
    let mut y = Array1::from_vec(vec![0.0; 3]);
    axpy(1.0, x.as_slice().unwrap(), y.as_slice_mut().unwrap()).unwrap();
    let sum = |v: ArrayView1<f64>| v.sum();
    assert_eq!(sum(y.view()), 6.0);
    let _unused: Option<ArrayViewMut1<f64>> = None;
}

#[test]
fn functions_with_lifetime_parameters_match_the_interpreter() {
    let m = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 * 0.5);
    let v = [1.0, -2.0, 0.25, 3.0];
    for row in 0..4 {
        let native = row_dot(m.view(), row, &v).map(Value::F64);
        let interpreted = interp(
            row_dot::module(Options::default()).unwrap(),
            "row_dot",
            &mut [Arg::from(m.view()), Arg::from(row), Arg::from(&v[..])],
        );
        assert_eq!(native, interpreted, "row {row}");
    }
    assert!(row_dot(m.view(), 3, &v).is_err(), "row 3 is out of bounds");

    let by = [2.0, 0.5, -1.0];
    let mut native = m.clone();
    let mut interpreted = m.clone();
    let corner = borrowed::scale_rows(&mut native, &by).unwrap();
    interp(
        borrowed::module(Options::default()).unwrap(),
        "scale_rows",
        &mut [Arg::from(&mut interpreted), Arg::from(&by[..])],
    )
    .unwrap();
    assert_eq!(native, interpreted);
    assert_eq!(corner, m[[0, 0]] * 2.0);
    assert_eq!(native[[2, 3]], -m[[2, 3]]);
}
