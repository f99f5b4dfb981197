//! Array arguments: strided views (negative strides, Fortran order, steps), every rank,
//! bounds errors, and `boundscheck: false`.

mod common;

use common::*;
use kernel_runtime::{Arg, Backend, ErrorKind, Module, Options, Value};
use ndarray::{s, Array1, Array2, Array3, ArrayViewD, IxDyn};

const SUM2: &str = "fn weighted(a: ArrayView2<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..a.nrows() { for j in 0..a.ncols() { s += a[[i, j]] * (i * 10 + j) as f64; } }
    s
}";

fn weighted(a: ndarray::ArrayView2<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            s += a[[i, j]] * (i * 10 + j) as f64;
        }
    }
    s
}

#[test]
fn strided_views_read_the_right_elements() {
    let a = Array2::from_shape_fn((4, 5), |(i, j)| (i * 5 + j) as f64 + 0.5);
    let m = module(SUM2);
    let f = m.function("weighted").unwrap();
    let views = [
        a.view(),
        a.t(),
        a.slice(s![..;-1, ..]),
        a.slice(s![.., ..;-2]),
        a.slice(s![1..;2, ..;3]),
        a.view().reversed_axes(),
    ];
    for view in views {
        let want = weighted(view.view());
        assert_eq!(f.call(&mut [Arg::from(view)]).unwrap(), Value::F64(want));
    }
}

#[test]
fn writes_through_strided_views() {
    let src =
        "fn scale(x: ArrayViewMut1<f64>, k: f64) { for i in 0..x.len() { x[i] *= k + i as f64; } }";
    let mut a = Array1::from_iter((0..6).map(|i| i as f64));
    let m = module(src);
    m.function("scale")
        .unwrap()
        .call(&mut [Arg::from(a.slice_mut(s![..;-2])), Arg::from(1.0)])
        .unwrap();
    // The reversed, every-other view is [5, 3, 1]: multiplied by 1, 2, 3.
    assert_eq!(a.to_vec(), [0.0, 3.0, 2.0, 6.0, 4.0, 5.0]);
}

#[test]
fn fortran_order_rank3_and_queries() {
    let src = "fn f(a: &Array3<i32>, out: &mut Array1<i64>) -> usize {
        let (n, m, k) = a.dim();
        let mut c = 0;
        for i in 0..n { for j in 0..m { for l in 0..k { out[c] = a[[i, j, l]] as i64; c += 1; } } }
        a.len() * 1000 + a.shape()[2] * 100 + a.len_of(Axis(1))
    }";
    let a = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 100 + j * 10 + k) as i32);
    let fortran = a.t().as_standard_layout().reversed_axes().to_owned();
    let mut out = Array1::<i64>::zeros(24);
    let v = value(src, "f", &mut [Arg::from(&fortran), Arg::from(&mut out)]);
    assert_eq!(v, Value::Usize(24 * 1000 + 400 + 3));
    assert_eq!(
        out.to_vec(),
        a.iter().map(|x| *x as i64).collect::<Vec<_>>()
    );
}

#[test]
fn every_element_type() {
    let src = "fn f(a: &[bool], b: &[i32], c: &[u32], d: &[u64], e: &[usize], g: &[f32], out: &mut [i64]) {
        for i in 0..a.len() {
            out[i] = (a[i] as i64) + b[i] as i64 + c[i] as i64 + d[i] as i64 + e[i] as i64 + g[i] as i64;
        }
    }";
    let a = [true, false];
    let b = [-5i32, 6];
    let c = [u32::MAX, 1];
    let d = [7u64, 8];
    let e = [9usize, 10];
    let g = [1.5f32, -2.5];
    let mut out = [0i64; 2];
    value(
        src,
        "f",
        &mut [
            (&a[..]).into(),
            (&b[..]).into(),
            (&c[..]).into(),
            (&d[..]).into(),
            (&e[..]).into(),
            (&g[..]).into(),
            (&mut out[..]).into(),
        ],
    );
    assert_eq!(
        out,
        [1 - 5 + u32::MAX as i64 + 7 + 9 + 1, 6 + 1 + 8 + 10 - 2]
    );
}

#[test]
fn bounds_errors_name_kernel_line_array_axis_index_and_extent() {
    let src = "fn f(a: ArrayView2<f64>, i: i64, j: i32) -> f64 {\n    a[[i, j as usize]]\n}\nfn g(out: &mut [f32], i: i32) {\n    out[i] = 1.0;\n}";
    let a = Array2::<f64>::zeros((3, 4));
    let e = kernel_error(
        src,
        "f",
        &mut [Arg::from(a.view()), Arg::from(-1i64), Arg::from(0i32)],
    );
    assert_eq!(
        e.kind,
        ErrorKind::IndexOutOfBounds {
            array: "a".into(),
            axis: 0,
            index: -1,
            extent: 3
        }
    );
    assert_eq!((e.function.as_str(), e.line, e.col), ("f", 2, 5));
    let e = kernel_error(
        src,
        "f",
        &mut [Arg::from(a.view()), Arg::from(2i64), Arg::from(4i32)],
    );
    assert_eq!(
        e.kind,
        ErrorKind::IndexOutOfBounds {
            array: "a".into(),
            axis: 1,
            index: 4,
            extent: 4
        }
    );
    let mut out = [0.0f32; 2];
    let e = kernel_error(src, "g", &mut [Arg::from(&mut out[..]), Arg::from(-3i32)]);
    assert_eq!(
        e.kind,
        ErrorKind::IndexOutOfBounds {
            array: "out".into(),
            axis: 0,
            index: -3,
            extent: 2
        }
    );
    assert_eq!((e.function.as_str(), e.line, e.col), ("g", 5, 5));
    assert_eq!(
        e.to_string(),
        "kernel `g` stopped at 5:5: index out of bounds: array `out` axis 0 has extent 2 but the index is -3"
    );
}

#[test]
fn boundscheck_off_still_computes_in_bounds_kernels() {
    let src = "fn sum(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }";
    let options = Options {
        backend: Backend::Interpreter,
        boundscheck: false,
        ..Options::default()
    };
    let m = Module::compile_with(src, options).unwrap();
    let x = [1.0, 2.0, 3.0];
    assert_eq!(
        m.function("sum")
            .unwrap()
            .call(&mut [Arg::from(&x[..])])
            .unwrap(),
        Value::F64(6.0)
    );
}

#[test]
fn dynamic_rank_views() {
    let src = "fn f(a: ArrayView2<f64>) -> f64 { a[[1, 1]] }";
    let data = [1.0, 2.0, 3.0, 4.0];
    let view = ArrayViewD::from_shape(IxDyn(&[2, 2]), &data[..]).unwrap();
    assert_eq!(value(src, "f", &mut [Arg::from(view)]), Value::F64(4.0));
}
