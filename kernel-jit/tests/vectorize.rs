//! The `f64x2` vector loops of elementwise `for` loops: bit-identical to the scalar
//! arithmetic for every length, the scalar fallback when the guard fails (strided views,
//! out-of-range accesses), and errors and partial writes exactly as without vectorisation.

mod support;

use kernel_ir::ErrorKind;
use kernel_jit::JitOptions;
use support::*;

const AXPY: &str = "fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}
fn mixed(a: ArrayView2<f64>, b: &mut Array2<f64>, s: f64) {
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            let t = a[[i, j]] * s;
            b[[i, j]] = (t * t + 1.0).sqrt() - b[[i, j]] / 2.0 + (-t).abs();
        }
    }
}
fn row(c: &mut Array2<f64>, k: i64, lo: i64, hi: i64) {
    for j in lo..hi {
        c[[k, j]] -= 0.5 * c[[k, j]];
    }
}
fn shifted(c: &mut Array2<f64>) {
    for j in 0..c.ncols() {
        c[[0, j]] = c[[1, j]] + 1.0;
    }
}";

fn data(len: usize, seed: u64) -> Vec<f64> {
    (0..len)
        .map(|k| ((k as u64 * 7919 + seed * 104729) % 2003) as f64 / 97.0 - 10.0)
        .collect()
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn axpy_matches_scalar_arithmetic_for_every_length() {
    let c = compile(AXPY);
    for len in (0..12).chain([101, 1000]) {
        let mut x = data(len, 1);
        let mut y = data(len, 2);
        let mut expected = y.clone();
        for (e, x) in expected.iter_mut().zip(&x) {
            *e += 0.37 * x;
        }
        c.call("axpy", &[f(0.37), vec1(&mut x), vec1(&mut y)])
            .expect("runs");
        assert_eq!(bits(&y), bits(&expected), "len {len}");
    }
}

#[test]
fn special_values_keep_their_bits() {
    let c = compile(AXPY);
    let mut x = vec![f64::NAN, -0.0, f64::INFINITY, 1e308, -f64::NAN, 3.0];
    let mut y = vec![1.0, 0.0, f64::NEG_INFINITY, 1e308, 2.0, f64::NAN];
    let expected: Vec<f64> = y.iter().zip(&x).map(|(y, x)| y + 2.0 * x).collect();
    c.call("axpy", &[f(2.0), vec1(&mut x), vec1(&mut y)])
        .expect("runs");
    assert_eq!(bits(&y), bits(&expected));
}

fn mixed_expected(a: &[f64], b: &[f64], s: f64) -> Vec<f64> {
    a.iter()
        .zip(b)
        .map(|(a, b)| {
            let t = a * s;
            (t * t + 1.0).sqrt() - b / 2.0 + (-t).abs()
        })
        .collect()
}

#[test]
fn rows_of_a_matrix_vectorise_and_strided_views_fall_back() {
    let c = compile(AXPY);
    for (rows, cols) in [(3usize, 5usize), (4, 8), (1, 1), (0, 3)] {
        let mut a = data(rows * cols, 3);
        let mut b = data(rows * cols, 4);
        let expected = mixed_expected(&a, &b, 1.5);
        let (r, k) = (rows as u64, cols as u64);
        c.call("mixed", &[mat(&mut a, r, k), mat(&mut b, r, k), f(1.5)])
            .expect("runs");
        assert_eq!(bits(&b), bits(&expected), "{rows}x{cols}");
    }
    // Column-major views: innermost stride `rows`, the scalar loop runs.
    let (rows, cols) = (3usize, 4usize);
    let mut a = data(rows * cols, 5);
    let mut b = data(rows * cols, 6);
    let expected = mixed_expected(&a, &b, -0.25);
    let (r, k) = (rows as u64, cols as u64);
    c.call(
        "mixed",
        &[
            view(&mut a, &[r, k], &[1, r as i64]),
            view(&mut b, &[r, k], &[1, r as i64]),
            f(-0.25),
        ],
    )
    .expect("runs");
    assert_eq!(bits(&b), bits(&expected));
}

#[test]
fn an_out_of_range_access_fails_where_the_scalar_loop_does() {
    let c = compile(AXPY);
    let mut x = vec![1.0; 4];
    let mut y = vec![0.0; 7];
    assert_error(
        c.call("axpy", &[f(1.0), vec1(&mut x), vec1(&mut y)]),
        ErrorKind::IndexOutOfBounds {
            array: "x".to_string(),
            axis: 0,
            index: 4,
            extent: 4,
        },
        "axpy",
        AXPY,
        "x[i]",
    );
    // The iterations before the failing one have run.
    assert_eq!(y, [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
}

#[test]
fn signed_counters_and_prefixes_are_checked_first() {
    let c = compile(AXPY);
    let oob = |index: i128, extent: u64, axis: u32| ErrorKind::IndexOutOfBounds {
        array: "c".to_string(),
        axis,
        index,
        extent,
    };
    let mut m = vec![2.0; 12];
    let result = c.call("row", &[mat(&mut m, 3, 4), i(1), i(-1), i(3)]);
    assert_error(result, oob(-1, 4, 1), "row", AXPY, "c[[k, j]];");
    assert_eq!(m, vec![2.0; 12]);
    let result = c.call("row", &[mat(&mut m, 3, 4), i(3), i(0), i(4)]);
    assert_error(result, oob(3, 3, 0), "row", AXPY, "c[[k, j]];");
    // An empty range checks nothing.
    c.call("row", &[mat(&mut m, 3, 4), i(7), i(2), i(2)])
        .expect("runs");
    let result = c.call("row", &[mat(&mut m, 3, 4), i(2), i(1), i(5)]);
    assert_error(result, oob(4, 4, 1), "row", AXPY, "c[[k, j]];");
    let mut expected = vec![2.0; 12];
    for e in &mut expected[9..12] {
        *e -= 0.5 * *e;
    }
    assert_eq!(m, expected);
}

#[test]
fn reading_another_row_of_a_written_array_stays_scalar_and_correct() {
    let c = compile(AXPY);
    let mut m: Vec<f64> = (0..10).map(f64::from).collect();
    c.call("shifted", &[mat(&mut m, 2, 5)]).expect("runs");
    assert_eq!(m[..5], [6.0, 7.0, 8.0, 9.0, 10.0]);
}

#[test]
fn vectorised_without_bounds_checks() {
    let c = compile_with(
        AXPY,
        JitOptions {
            boundscheck: false,
            keep_text: true,
            profile: false,
        },
    );
    let id = c.program.concrete("axpy").expect("fn");
    assert!(c.jit.clif(id).is_some_and(|clif| clif.contains("f64x2")));
    let mut x = data(9, 7);
    let mut y = data(9, 8);
    let expected: Vec<f64> = y.iter().zip(&x).map(|(y, x)| y - 1.25 * x).collect();
    c.call("axpy", &[f(-1.25), vec1(&mut x), vec1(&mut y)])
        .expect("runs");
    assert_eq!(bits(&y), bits(&expected));
}

const DIVISIONS: &str = "fn divs(x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        let r = x[i].sqrt();
        let s = 3.0 / (r * r);
        let a = s * (x[i] / r);
        let b = s * ((x[i] - 1.0) / r);
        let c = (a / b) / (b / a);
        out[i] = a + b + c;
    }
}";

#[test]
fn paired_divisions_are_bit_identical() {
    let c = compile_with(
        DIVISIONS,
        JitOptions {
            boundscheck: true,
            keep_text: true,
            profile: false,
        },
    );
    let id = c.program.concrete("divs").expect("fn");
    assert!(c.jit.asm(id).is_some_and(|asm| asm.contains("divpd")));
    let mut x = vec![
        2.0,
        0.0,
        -0.0,
        1.0,
        f64::INFINITY,
        f64::NAN,
        -4.0,
        1e-310,
        7.5,
        1e300,
    ];
    let mut out = vec![0.0; x.len()];
    c.call("divs", &[vec1(&mut x), vec1(&mut out)])
        .expect("runs");
    let expected: Vec<f64> = x
        .iter()
        .map(|&x| {
            let r = x.sqrt();
            let s = 3.0 / (r * r);
            let a = s * (x / r);
            let b = s * ((x - 1.0) / r);
            let c = (a / b) / (b / a);
            a + b + c
        })
        .collect();
    assert_eq!(bits(&out), bits(&expected));
}

const SHAPES: &str = "fn gemm_row(c: &mut Array2<f64>, a: ArrayView2<f64>, b: ArrayView2<f64>, alpha: f64, i: usize, k: usize) {
    for j in 0..c.ncols() {
        c[[i, j]] += alpha * a[[i, k]] * b[[k, j]];
    }
}
fn jacobi_1d(a: &[f64], b: &mut [f64]) {
    let n = a.len();
    for i in 1..n - 1 {
        b[i] = 0.33333 * (a[i - 1] + a[i] + a[i + 1]);
    }
}
fn jacobi_2d_row(a: ArrayView2<f64>, b: &mut Array2<f64>, i: usize) {
    for j in 1..a.ncols() - 1 {
        b[[i, j]] = 0.2 * (a[[i, j]] + a[[i, j - 1]] + a[[i, 1 + j]] + a[[1 + i, j]] + a[[i - 1, j]]);
    }
}";

fn clif_of(c: &Compiled, name: &str) -> String {
    let id = c.program.concrete(name).expect("fn");
    c.jit.clif(id).expect("kept text").to_string()
}

fn with_text(source: &str) -> Compiled {
    compile_with(
        source,
        JitOptions {
            boundscheck: true,
            keep_text: true,
            profile: false,
        },
    )
}

#[test]
fn invariant_operands_and_stencils_vectorise() {
    let c = with_text(SHAPES);
    for name in ["gemm_row", "jacobi_1d", "jacobi_2d_row"] {
        assert!(
            clif_of(&c, name).contains("f64x2"),
            "{name} is not vectorised"
        );
    }
}

#[test]
fn gemm_row_matches_scalar_arithmetic() {
    let c = compile(SHAPES);
    for cols in [0usize, 1, 2, 3, 8, 33] {
        let (rows, inner) = (3usize, 4usize);
        let mut cm = data(rows * cols, 1);
        let mut a = data(rows * inner, 2);
        let mut b = data(inner * cols, 3);
        let mut expected = cm.clone();
        for j in 0..cols {
            expected[cols + j] += 1.7 * a[inner + 2] * b[2 * cols + j];
        }
        let args = [
            mat(&mut cm, rows as u64, cols as u64),
            mat(&mut a, rows as u64, inner as u64),
            mat(&mut b, inner as u64, cols as u64),
            f(1.7),
            u(1),
            u(2),
        ];
        c.call("gemm_row", &args).expect("runs");
        assert_eq!(bits(&cm), bits(&expected), "{cols} columns");
    }
}

#[test]
fn an_invariant_operand_out_of_range_fails_before_any_write() {
    let c = compile(SHAPES);
    let mut cm = vec![1.0; 8];
    let mut a = vec![2.0; 4];
    let mut b = vec![3.0; 8];
    let args = [
        mat(&mut cm, 2, 4),
        mat(&mut a, 2, 2),
        mat(&mut b, 2, 4),
        f(1.0),
        u(1),
        u(5),
    ];
    let expected = ErrorKind::IndexOutOfBounds {
        array: "a".to_string(),
        axis: 1,
        index: 5,
        extent: 2,
    };
    assert_error(
        c.call("gemm_row", &args),
        expected,
        "gemm_row",
        SHAPES,
        "a[[i, k]]",
    );
    assert_eq!(cm, vec![1.0; 8]);
}

#[test]
fn stencils_match_scalar_arithmetic_and_fail_like_it() {
    let c = compile(SHAPES);
    for n in [0usize, 1, 2, 3, 4, 9, 64] {
        let mut a = data(n, 4);
        let mut b = data(n, 5);
        let mut expected = b.clone();
        for i in 1..n.saturating_sub(1) {
            expected[i] = 0.33333 * (a[i - 1] + a[i] + a[i + 1]);
        }
        let result = c.call("jacobi_1d", &[vec1(&mut a), vec1(&mut b)]);
        if n == 0 {
            // `n - 1` wraps: the loop starts at 1 and reads `a[0]` of an empty array.
            let expected = ErrorKind::IndexOutOfBounds {
                array: "a".to_string(),
                axis: 0,
                index: 0,
                extent: 0,
            };
            assert_error(result, expected, "jacobi_1d", SHAPES, "a[i - 1]");
        } else {
            result.expect("runs");
            assert_eq!(bits(&b), bits(&expected), "n = {n}");
        }
    }
    let (rows, cols) = (4usize, 7usize);
    let mut a = data(rows * cols, 6);
    let mut b = data(rows * cols, 7);
    let mut expected = b.clone();
    let at = |r: usize, k: usize| a[r * cols + k];
    for j in 1..cols - 1 {
        expected[2 * cols + j] =
            0.2 * (at(2, j) + at(2, j - 1) + at(2, 1 + j) + at(3, j) + at(1, j));
    }
    let args = [
        mat(&mut a, rows as u64, cols as u64),
        mat(&mut b, rows as u64, cols as u64),
        u(2),
    ];
    c.call("jacobi_2d_row", &args).expect("runs");
    assert_eq!(bits(&b), bits(&expected));
    // Row 0 reads row -1: the prefix `i - 1` wraps and the scalar loop reports it.
    let args = [
        mat(&mut a, rows as u64, cols as u64),
        mat(&mut b, rows as u64, cols as u64),
        u(0),
    ];
    let expected = ErrorKind::IndexOutOfBounds {
        array: "a".to_string(),
        axis: 0,
        index: i128::from(u64::MAX),
        extent: rows as u64,
    };
    assert_error(
        c.call("jacobi_2d_row", &args),
        expected,
        "jacobi_2d_row",
        SHAPES,
        "a[[i - 1, j]]",
    );
}

const INCLUSIVE: &str = "fn scale_through(x: &mut [f64], last: usize, beta: f64) {
    for j in 0..=last {
        x[j] *= beta;
    }
}";

#[test]
fn inclusive_ranges_vectorise_and_stop_at_their_last_value() {
    let c = with_text(INCLUSIVE);
    assert!(clif_of(&c, "scale_through").contains("f64x2"));
    for (len, last) in [(1usize, 0usize), (2, 1), (5, 3), (5, 4), (8, 7)] {
        let mut x = data(len, 9);
        let mut expected = x.clone();
        for e in &mut expected[..=last] {
            *e *= 0.75;
        }
        c.call("scale_through", &[vec1(&mut x), u(last as u64), f(0.75)])
            .expect("runs");
        assert_eq!(bits(&x), bits(&expected), "len {len}, last {last}");
    }
    let mut x = data(4, 9);
    let mut expected = x.clone();
    for e in &mut expected {
        *e *= 0.75;
    }
    let expected_error = ErrorKind::IndexOutOfBounds {
        array: "x".to_string(),
        axis: 0,
        index: 4,
        extent: 4,
    };
    let result = c.call("scale_through", &[vec1(&mut x), u(4), f(0.75)]);
    assert_error(result, expected_error, "scale_through", INCLUSIVE, "x[j]");
    assert_eq!(bits(&x), bits(&expected));
}

const GATHER: &str =
    "fn syrk_row(c: &mut Array2<f64>, a: ArrayView2<f64>, alpha: f64, i: usize, k: usize) {
    for j in 0..=i {
        c[[i, j]] += alpha * a[[i, k]] * a[[j, k]];
    }
}";

#[test]
fn a_leading_loop_index_gathers_both_lanes() {
    let c = with_text(GATHER);
    assert!(clif_of(&c, "syrk_row").contains("insertlane"));
    let (n, m) = (9usize, 4usize);
    for i in [0usize, 1, 4, 8] {
        let mut cm = data(n * n, 1);
        let mut a = data(n * m, 2);
        let mut expected = cm.clone();
        for j in 0..=i {
            expected[i * n + j] += 0.5 * a[i * m + 3] * a[j * m + 3];
        }
        let args = [
            mat(&mut cm, n as u64, n as u64),
            mat(&mut a, n as u64, m as u64),
            f(0.5),
            u(i as u64),
            u(3),
        ];
        c.call("syrk_row", &args).expect("runs");
        assert_eq!(bits(&cm), bits(&expected), "row {i}");
    }
    // Fewer rows in `a` than `i + 1`: `a[[i, k]]` fails first, before any write.
    let mut cm = vec![1.0; 16];
    let mut a = vec![2.0; 6];
    let args = [mat(&mut cm, 4, 4), mat(&mut a, 3, 2), f(1.0), u(3), u(1)];
    let expected = ErrorKind::IndexOutOfBounds {
        array: "a".to_string(),
        axis: 0,
        index: 3,
        extent: 3,
    };
    let result = c.call("syrk_row", &args);
    assert_error(result, expected, "syrk_row", GATHER, "a[[i, k]]");
    assert_eq!(cm, vec![1.0; 16]);
}
