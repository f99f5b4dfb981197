//! Array parameters (any strides), fixed local arrays, bounds checks and their hoisting.

mod support;

use kernel_ir::ErrorKind;
use kernel_jit::JitOptions;
use support::*;

#[test]
fn rank1_sum_over_strided_views() {
    let src = "fn sum(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }";
    let c = compile(src);
    let mut data: Vec<f64> = (0..10).map(|k| k as f64 * 1.5).collect();
    let plain: f64 = data.iter().sum();
    assert_eq!(c.f64("sum", &[vec1(&mut data)]), plain);
    // Every second element.
    let even: f64 = data.iter().step_by(2).sum();
    assert_eq!(c.f64("sum", &[view(&mut data, &[5], &[2])]), even);
    // Reversed: origin at the last element, stride -1 (same sum, other order).
    let reversed = data.iter().rev().fold(0.0, |s, x| s + x);
    assert_eq!(
        c.f64("sum", &[view_at(&mut data, 9, &[10], &[-1])]),
        reversed
    );
}

#[test]
fn rank2_and_rank3_indexing_with_any_layout() {
    let src = "fn trace_like(a: ArrayView2<f64>) -> f64 {\n\
                   let (n, m) = a.dim();\n\
                   let mut s = 0.0;\n\
                   for i in 0..n { for j in 0..m { s = s * 1.01 + a[[i, j]] * (i as f64 + 2.0 * j as f64); } }\n\
                   s\n\
               }\n\
               fn cube(a: ArrayView3<i64>) -> i64 {\n\
                   let mut s = 0;\n\
                   for i in 0..a.shape()[0] { for j in 0..a.shape()[1] { for k in 0..a.shape()[2] {\n\
                       s = s * 3 + a[[i, j, k]];\n\
                   } } }\n\
                   s\n\
               }";
    let c = compile(src);
    let (n, m) = (3usize, 4usize);
    let c_order: Vec<f64> = (0..n * m).map(|k| k as f64 + 0.5).collect();
    let reference = |get: &dyn Fn(usize, usize) -> f64| {
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..m {
                s = s * 1.01 + get(i, j) * (i as f64 + 2.0 * j as f64);
            }
        }
        s
    };
    let want = reference(&|i, j| c_order[i * m + j]);
    let mut data = c_order.clone();
    assert_eq!(
        c.f64("trace_like", &[mat(&mut data, n as u64, m as u64)]),
        want
    );
    // The same logical matrix in Fortran order.
    let mut fortran = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            fortran[j * n + i] = c_order[i * m + j];
        }
    }
    let arg = view(&mut fortran, &[n as u64, m as u64], &[1, n as i64]);
    assert_eq!(c.f64("trace_like", &[arg]), want);

    let mut cube_data: Vec<i64> = (0..24).collect();
    let want = (0..24i64).fold(0i64, |s, v| s * 3 + v);
    assert_eq!(
        c.i64("cube", &[view(&mut cube_data, &[2, 3, 4], &[12, 4, 1])]),
        want
    );
}

#[test]
fn writes_and_compound_assignment_through_views() {
    let src = "fn axpy(a: f64, x: &[f64], y: &mut [f64]) { for i in 0..y.len() { y[i] += a * x[i]; } }\n\
               fn fill(m: &mut Array2<i32>) { for i in 0..m.nrows() { for j in 0..m.ncols() { m[[i, j]] = (i * 10 + j) as i32; m[[i, j]] <<= 1u32; } } }";
    let c = compile(src);
    let mut x = vec![1.0, 2.0, 3.0];
    let mut y = vec![10.0, 20.0, 30.0];
    c.call("axpy", &[f(2.0), vec1(&mut x), vec1(&mut y)])
        .unwrap();
    assert_eq!(y, [12.0, 24.0, 36.0]);
    let mut m = vec![0i32; 6];
    c.call("fill", &[mat(&mut m, 2, 3)]).unwrap();
    assert_eq!(m, [0, 2, 4, 20, 22, 24]);
}

#[test]
fn bool_and_narrow_element_types() {
    let src = "fn count(flags: &[bool], v: &mut [u32]) -> i64 {\n\
                   let mut n = 0;\n\
                   for i in 0..flags.len() { if flags[i] { n += 1; v[i] = u32::MAX; } }\n\
                   n\n\
               }\n\
               fn f32sum(x: &[f32]) -> f32 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }";
    let c = compile(src);
    let mut flags = [true, false, true, true];
    let mut v = [0u32; 4];
    assert_eq!(c.i64("count", &[vec1(&mut flags), vec1(&mut v)]), 3);
    assert_eq!(v, [u32::MAX, 0, u32::MAX, u32::MAX]);
    let mut x = [0.1f32, 0.2, 0.3];
    let want = x.iter().fold(0.0f32, |s, v| s + v);
    assert_eq!(c.call("f32sum", &[vec1(&mut x)]).unwrap().as_f32(), want);
}

#[test]
fn out_of_bounds_errors_name_array_axis_index_and_extent() {
    let src = "fn get(x: &[f64], i: i64) -> f64 {\n    x[i]\n}\n\
               fn put(m: &mut Array2<f64>, i: usize, j: i32) {\n    m[[i, j]] = 1.0;\n}\n\
               fn big(x: &[f64], k: u64) -> f64 {\n    x[k]\n}";
    let c = compile(src);
    let mut x = [1.0, 2.0, 3.0];
    assert_eq!(c.f64("get", &[vec1(&mut x), i(2)]), 3.0);
    let oob = |index: i128, extent: u64, axis: u32, array: &str| ErrorKind::IndexOutOfBounds {
        array: array.to_string(),
        axis,
        index,
        extent,
    };
    assert_error(
        c.call("get", &[vec1(&mut x), i(3)]),
        oob(3, 3, 0, "x"),
        "get",
        src,
        "x[i]",
    );
    assert_error(
        c.call("get", &[vec1(&mut x), i(-1)]),
        oob(-1, 3, 0, "x"),
        "get",
        src,
        "x[i]",
    );
    assert_error(
        c.call("big", &[vec1(&mut x), u(u64::MAX)]),
        oob(u64::MAX as i128, 3, 0, "x"),
        "big",
        src,
        "x[k]",
    );
    let mut m = [0.0; 6];
    assert_error(
        c.call("put", &[mat(&mut m, 2, 3), u(1), i(-7)]),
        oob(-7, 3, 1, "m"),
        "put",
        src,
        "m[[i, j]]",
    );
    assert_eq!(m, [0.0; 6], "nothing was written");
    c.call("put", &[mat(&mut m, 2, 3), u(1), i(2)]).unwrap();
    assert_eq!(m[5], 1.0);
}

#[test]
fn writes_before_an_error_stay() {
    let src = "fn f(a: &mut [i64]) {\n    for i in 0..10 {\n        a[i] = 7;\n    }\n}";
    let c = compile(src);
    let mut a = [0i64; 4];
    let error = c.call("f", &[vec1(&mut a)]).unwrap_err();
    assert!(matches!(
        error.kind,
        ErrorKind::IndexOutOfBounds {
            index: 4,
            extent: 4,
            ..
        }
    ));
    assert_eq!(a, [7; 4]);
}

#[test]
fn fixed_local_arrays() {
    let src = "fn norm3(x: f64, y: f64, z: f64) -> f64 {\n\
                   let v = [x, y, z];\n\
                   let mut s = 0.0;\n\
                   for k in 0..3 { s += v[k] * v[k]; }\n\
                   s.sqrt()\n\
               }\n\
               fn total(a: &[f64]) -> f64 { let mut s = 0.0; for i in 0..a.len() { s += a[i]; } s }\n\
               fn big() -> f64 {\n\
                   let mut acc = [0.5f64; 100];\n\
                   acc[99] = 2.0;\n\
                   acc[0] += 1.0;\n\
                   total(&acc)\n\
               }\n\
               fn oob(k: usize) -> i64 {\n    let mut w = [0i64; 4];\n    w[k] = 1;\n    w[0]\n}";
    let c = compile(src);
    assert_eq!(c.f64("norm3", &[f(1.0), f(2.0), f(2.0)]), 3.0);
    assert_eq!(c.f64("big", &[]), 0.5 * 98.0 + 2.0 + 1.5);
    assert_eq!(c.i64("oob", &[u(0)]), 1);
    let (line, col) = pos(src, "w[k]");
    let error = c.call("oob", &[u(4)]).unwrap_err();
    assert_eq!((error.line, error.col), (line, col));
    assert!(matches!(
        error.kind,
        ErrorKind::IndexOutOfBounds {
            index: 4,
            extent: 4,
            ..
        }
    ));
}

const HOIST: &str = "fn dot(x: &[f64], y: &[f64]) -> f64 {\n\
                         let mut s = 0.0;\n\
                         for i in 0..x.len() { s += x[i] * y[i]; }\n\
                         s\n\
                     }";

#[test]
fn checks_are_hoisted_only_where_proven() {
    let c = compile_with(
        HOIST,
        JitOptions {
            keep_text: true,
            ..JitOptions::default()
        },
    );
    let id = c.program.concrete("dot").unwrap();
    let clif = c.jit.clif(id).expect("clif kept");
    // `x[i]` is proven by the loop bound; `y[i]` still needs its check.
    let checks = clif.matches("uge").count();
    assert_eq!(checks, 1, "{clif}");
    let mut x = [1.0, 2.0, 3.0];
    let mut y = [1.0, 1.0];
    let error = c.call("dot", &[vec1(&mut x), vec1(&mut y)]).unwrap_err();
    assert!(
        matches!(error.kind, ErrorKind::IndexOutOfBounds { ref array, index: 2, .. } if array == "y")
    );
    assert!(c.jit.asm(id).is_some_and(|asm| !asm.is_empty()));
}

#[test]
fn boundscheck_false_removes_every_check() {
    let c = compile_with(
        HOIST,
        JitOptions {
            boundscheck: false,
            keep_text: true,
            profile: false,
        },
    );
    let id = c.program.concrete("dot").unwrap();
    assert_eq!(c.jit.clif(id).unwrap().matches("uge").count(), 0);
    let mut x = [1.0, 2.0];
    let mut y = [3.0, 4.0];
    assert_eq!(c.f64("dot", &[vec1(&mut x), vec1(&mut y)]), 11.0);
}

#[test]
fn len_and_dims_of_views() {
    let src = "fn q(a: ArrayView3<f32>) -> usize { a.len() * 1000 + a.shape()[0] * 100 + a.shape()[1] * 10 + a.shape()[2] }\n\
               fn r(a: ArrayView2<f32>) -> usize { a.nrows() * 10 + a.ncols() }";
    let c = compile(src);
    let mut data = vec![0.0f32; 24];
    assert_eq!(
        c.call("q", &[view(&mut data, &[2, 3, 4], &[12, 4, 1])])
            .unwrap()
            .0,
        24 * 1000 + 234
    );
    assert_eq!(c.call("r", &[mat(&mut data, 4, 6)]).unwrap().0, 46);
}

#[test]
fn a_check_is_only_skipped_where_an_earlier_one_dominates() {
    let src = "fn branchy(a: &[f64], c: bool) -> f64 {\n\
                   let mut s = 0.0;\n\
                   if c {\n        s += a[5];\n    }\n\
                   s + a[5]\n\
               }\n\
               fn ordered(a: &[f64]) -> f64 {\n    a[1] + a[3] + a[0]\n}\n\
               fn looped(a: &[f64], n: i64) -> f64 {\n\
                   let mut s = 0.0;\n\
                   for i in 0..n {\n        if i == 2 {\n            s += a[4];\n        }\n    }\n\
                   s + a[4]\n\
               }\n\
               fn same(a: &[f64], k: usize) -> f64 {\n    let j = k;\n    a[j] * a[j]\n}";
    let c = compile(src);
    let mut a = [1.0, 2.0, 3.0];
    let at = |needle: &str| pos(src, needle);
    let located = |r: Result<kernel_ir::abi::RawScalar, kernel_ir::KernelError>| {
        let e = r.unwrap_err();
        (e.line, e.col)
    };
    assert_eq!(
        located(c.call("branchy", &[vec1(&mut a), b(true)])),
        at("a[5];")
    );
    assert_eq!(
        located(c.call("branchy", &[vec1(&mut a), b(false)])),
        at("a[5]\n")
    );
    assert_eq!(located(c.call("ordered", &[vec1(&mut a)])), at("a[3]"));
    assert_eq!(
        located(c.call("looped", &[vec1(&mut a), i(1)])),
        at("a[4]\n")
    );
    assert_eq!(
        located(c.call("looped", &[vec1(&mut a), i(5)])),
        at("a[4];")
    );
    assert_eq!(c.f64("same", &[vec1(&mut a), u(2)]), 9.0);
    assert_eq!(located(c.call("same", &[vec1(&mut a), u(3)])), at("a[j] *"));
}

#[test]
fn nbody_keeps_few_checks() {
    let c = compile_with(
        support::nbody::NBODY,
        JitOptions {
            keep_text: true,
            ..JitOptions::default()
        },
    );
    let id = c.program.concrete("derivatives").unwrap();
    let clif = c.jit.clif(id).unwrap();
    // state[[i, 3..=5]] once each (they cover every later state access), out[[i, 0]] on both
    // axes, out[[i, 1]], out[[i, 2]] on axis 1, and out[[i, 3 + k]] on axis 1.
    assert_eq!(clif.matches(" uge ").count(), 8, "{clif}");
}
