//! `kernelc run`: return values, write-back, `--out`, Fortran order, backends, exit statuses,
//! kernel output and `--quiet`.

mod cli_support;

use cli_support::{f64_array, f64_fortran, f64_values, file_bytes, Workspace};
use kernel_npy::NpyData;

const AXPY: &str = "\
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] += a * x[i];
    }
}
";

/// Runs `fn f() -> TYPE { BODY }` and returns stdout.
fn returned(ws: &Workspace, ret: &str, body: &str) -> String {
    let file = ws.kernel("ret.rs", &format!("fn f() -> {ret} {{\n    {body}\n}}\n"));
    let outcome = ws.kernelc(&["run", &file, "--fn", "f"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stderr, "");
    outcome.stdout
}

#[test]
fn return_values_print_alone_on_one_line() {
    let ws = Workspace::new();
    let cases = [
        ("f64", "20.0", "20.0"),
        ("f64", "1.2742199912349306", "1.2742199912349306"),
        ("f64", "2.0f64.sqrt()", "1.4142135623730951"),
        ("f64", "f64::NAN", "NaN"),
        ("f64", "1.0 / 0.0", "inf"),
        ("f64", "-f64::INFINITY", "-inf"),
        ("f32", "1.5", "1.5"),
        ("f32", "0.1", "0.1"),
        ("i64", "-3", "-3"),
        ("i32", "-2147483648", "-2147483648"),
        ("u32", "u32::MAX", "4294967295"),
        ("u64", "u64::MAX", "18446744073709551615"),
        ("usize", "7", "7"),
        ("bool", "true", "true"),
        ("bool", "1 > 2", "false"),
    ];
    for (ret, body, expected) in cases {
        assert_eq!(
            returned(&ws, ret, body),
            format!("{expected}\n"),
            "{ret}: {body}"
        );
    }
}

#[test]
fn a_function_without_a_return_value_prints_nothing() {
    let ws = Workspace::new();
    let file = ws.kernel("unit.rs", "fn f(x: i64) { let y = x + 1; }\n");
    let outcome = ws.kernelc(&["run", &file, "--fn", "f", "x=3"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "");
}

#[test]
fn scalar_arguments_of_every_type() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "args.rs",
        "fn mix(b: bool, i: i32, j: i64, u: u32, v: u64, w: usize, x: f32, y: f64) -> f64 {\n\
         if b { (i as f64) + (j as f64) + (u as f64) + (v as f64) + (w as f64) + (x as f64) + y } else { 0.0 }\n}\n",
    );
    let outcome = ws.kernelc(&[
        "run", &file, "--fn", "mix", "b=true", "i=-1", "j=2", "u=3", "v=4", "w=5", "x=0.5", "y=1e1",
    ]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "23.5\n");
    let specials = ws.kernel("id.rs", "fn id(x: f64) -> f64 { x }\n");
    for (text, printed) in [
        ("inf", "inf"),
        ("-inf", "-inf"),
        ("nan", "NaN"),
        ("3", "3.0"),
    ] {
        let outcome = ws.kernelc(&["run", &specials, "--fn", "id", &format!("x={text}")]);
        outcome.expect_status(0);
        assert_eq!(outcome.stdout, format!("{printed}\n"));
    }
}

#[test]
fn writable_arrays_are_saved_back_to_their_files() {
    let ws = Workspace::new();
    let file = ws.kernel("axpy.rs", AXPY);
    let x = ws.save("x.npy", f64_array(&[3], vec![1.0, 2.0, 3.0]));
    let y = ws.save("y.npy", f64_array(&[3], vec![10.0, 20.0, 30.0]));
    let x_before = file_bytes(&ws.path(&x));
    let outcome = ws.kernelc(&["run", &file, "--fn", "axpy", "a=2", "x=x.npy", "y=y.npy"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "");
    assert_eq!(f64_values(&ws.load(&y)), vec![12.0, 24.0, 36.0]);
    assert_eq!(
        file_bytes(&ws.path(&x)),
        x_before,
        "read-only inputs are not rewritten"
    );
}

#[test]
fn out_dir_receives_the_writable_arrays_and_inputs_stay_untouched() {
    let ws = Workspace::new();
    let file = ws.kernel("axpy.rs", AXPY);
    ws.save("x.npy", f64_array(&[2], vec![1.0, 2.0]));
    ws.save("y.npy", f64_array(&[2], vec![5.0, 6.0]));
    let y_before = file_bytes(&ws.path("y.npy"));
    let outcome = ws.kernelc(&[
        "run",
        &file,
        "--fn",
        "axpy",
        "--out",
        "results/deep",
        "a=-1",
        "x=x.npy",
        "y=y.npy",
    ]);
    outcome.expect_status(0);
    assert_eq!(file_bytes(&ws.path("y.npy")), y_before);
    assert_eq!(f64_values(&ws.load("results/deep/y.npy")), vec![4.0, 4.0]);
    assert!(
        !ws.path("results/deep/x.npy").exists(),
        "read-only arrays are not saved"
    );
}

#[test]
fn fortran_input_is_read_strided_and_saved_fortran() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "scale.rs",
        "fn scale(mut m: ArrayViewMut2<f64>, s: f64) -> f64 {\n\
         let (n, k) = m.dim();\n\
         for i in 0..n { for j in 0..k { m[[i, j]] = m[[i, j]] * s + (i * 10 + j) as f64; } }\n\
         m[[1, 0]]\n}\n",
    );
    let logical = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    ws.save("m.npy", f64_fortran(&[2, 3], logical));
    let outcome = ws.kernelc(&["run", &file, "--fn", "scale", "m=m.npy", "s=2"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "18.0\n", "m[[1, 0]] is 4 * 2 + 10");
    let saved = ws.load("m.npy");
    assert!(saved.fortran_order, "a Fortran file stays Fortran");
    assert_eq!(f64_values(&saved), vec![2.0, 5.0, 8.0, 18.0, 21.0, 24.0]);
    let bytes = file_bytes(&ws.path("m.npy"));
    let second = f64::from_le_bytes(
        bytes[bytes.len() - 40..bytes.len() - 32]
            .try_into()
            .unwrap(),
    );
    assert_eq!(
        second, 18.0,
        "column-major on disk: m[1, 0] is the second element"
    );
}

#[test]
fn usize_parameters_take_u8_files_and_save_them_as_u8() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "idx.rs",
        "fn bump(ix: &mut [usize]) -> usize { for i in 0..ix.len() { ix[i] += 1; } ix[0] }\n",
    );
    let array = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[2]), vec![7u64, 9]).unwrap();
    ws.save("ix.npy", array.into());
    let outcome = ws.kernelc(&["run", &file, "--fn", "bump", "ix=ix.npy"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "8\n");
    let NpyData::U64(saved) = ws.load("ix.npy").data else {
        panic!("saved as <u8")
    };
    assert_eq!(saved.iter().copied().collect::<Vec<_>>(), vec![8, 10]);
}

/// Counts (downwards, in `i16`) the bytes of `data` by their top bits; returns their wrapping sum.
const HISTOGRAM: &str = r"fn hist(data: &[u8], bins: &mut [i16], shift: u8) -> u8 {
    let mut total = 0u8;
    for i in 0..data.len() {
        bins[(data[i] >> shift) as usize] -= 1;
        total += data[i];
    }
    total
}
";

#[test]
fn byte_arrays_come_from_u1_files_and_small_int_outputs_are_saved_in_their_dtype() {
    let ws = Workspace::new();
    let file = ws.kernel("hist.rs", HISTOGRAM);
    let data = vec![0u8, 255, 128, 64, 200, 1];
    let bytes = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[6]), data).unwrap();
    ws.save("data.npy", bytes.into());
    assert!(
        file_bytes(&ws.path("data.npy"))
            .windows(5)
            .any(|w| w == b"'|u1'"),
        "the input is a `|u1` file"
    );
    let bins = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[4]), vec![0i16; 4]).unwrap();
    ws.save("bins.npy", bins.into());
    for backend in ["interp", "jit"] {
        let outcome = ws.kernelc(&[
            "run",
            &file,
            "--fn",
            "hist",
            "--backend",
            backend,
            "--out",
            backend,
            "data=data.npy",
            "bins=bins.npy",
            "shift=6",
        ]);
        outcome.expect_status(0);
        // 0 + 255 + 128 + 64 + 200 + 1 = 648, which wraps to 136 in a `u8`.
        assert_eq!(outcome.stdout, "136\n", "{backend}");
        let NpyData::I16(saved) = ws.load(&format!("{backend}/bins.npy")).data else {
            panic!("{backend}: bins saved as <i2")
        };
        assert_eq!(
            saved.iter().copied().collect::<Vec<_>>(),
            vec![-2, -1, -1, -2]
        );
    }
    let wrong = ws.kernel("wide.rs", "fn wide(x: &[i32]) -> i32 { x[0] }\n");
    ws.kernelc(&["run", &wrong, "--fn", "wide", "x=data.npy"])
        .expect_status(2)
        .expect_stderr("holds a rank-1 array of u8 (dtype |u1)");
}

#[test]
fn both_backends_are_accepted() {
    let ws = Workspace::new();
    let file = ws.kernel("id.rs", "fn id(x: i64) -> i64 { x * 2 }\n");
    for backend in ["jit", "interp"] {
        let outcome = ws.kernelc(&["run", &file, "--fn", "id", "--backend", backend, "x=21"]);
        outcome.expect_status(0);
        assert_eq!(outcome.stdout, "42\n");
    }
}

#[test]
fn a_returned_tuple_prints_as_rust_prints_it_in_both_backends() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "pair.rs",
        "fn split(x: f64) -> (i64, f64, bool) { (x.trunc() as i64, x.fract(), x < 0.0) }\n",
    );
    for backend in ["jit", "interp"] {
        let outcome = ws.kernelc(&[
            "run",
            &file,
            "--fn",
            "split",
            "--backend",
            backend,
            "x=-2.5",
        ]);
        outcome.expect_status(0);
        assert_eq!(outcome.stdout, "(-2, -0.5, true)\n", "{backend}");
    }
}

#[test]
fn a_timeout_is_accepted() {
    let ws = Workspace::new();
    let file = ws.kernel("id.rs", "fn id(x: i64) -> i64 { x }\n");
    let outcome = ws.kernelc(&["run", &file, "--fn", "id", "--timeout", "1.5", "x=1"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "1\n");
}

#[test]
fn a_runtime_error_exits_3_and_leaves_the_files_alone() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "oob.rs",
        "fn oob(y: &mut [f64]) -> f64 {\n    y[0] = 99.0;\n    y[10]\n}\n",
    );
    ws.save("y.npy", f64_array(&[3], vec![1.0, 2.0, 3.0]));
    let before = file_bytes(&ws.path("y.npy"));
    let outcome = ws.kernelc(&["run", &file, "--fn", "oob", "y=y.npy"]);
    outcome
        .expect_status(3)
        .expect_stderr("index out of bounds")
        .expect_stderr("`oob`")
        .expect_stderr("3:5");
    assert_eq!(outcome.stdout, "");
    assert_eq!(file_bytes(&ws.path("y.npy")), before);
    let div = ws.kernel("div.rs", "fn div(a: i64, b: i64) -> i64 { a / b }\n");
    ws.kernelc(&["run", &div, "--fn", "div", "a=1", "b=0"])
        .expect_status(3)
        .expect_stderr("division by zero");
}

#[test]
fn inferred_parameters_take_the_arguments_types() {
    let ws = Workspace::new();
    let file = ws.kernel("generic.rs", "fn twice(x: _) -> _ { x + x }\n");
    for (arg, printed) in [("x=3", "6"), ("x=1.25", "2.5"), ("x=-4", "-8")] {
        let outcome = ws.kernelc(&["run", &file, "--fn", "twice", arg]);
        outcome.expect_status(0);
        assert_eq!(outcome.stdout, format!("{printed}\n"), "{arg}");
    }
}

#[test]
fn inferred_array_parameters_keep_the_files_dtype_and_are_saved() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "generic.rs",
        "fn scale(a: _, s: f32) -> usize { for i in 0..a.len() { a[i] = a[i] * s; } a.len() }\n",
    );
    let array =
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[3]), vec![1.0f32, 2.0, 3.0]).unwrap();
    ws.save("a.npy", array.into());
    let outcome = ws.kernelc(&["run", &file, "--fn", "scale", "a=a.npy", "s=2"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "3\n");
    let NpyData::F32(saved) = ws.load("a.npy").data else {
        panic!("kept <f4")
    };
    assert_eq!(
        saved.iter().copied().collect::<Vec<_>>(),
        vec![2.0, 4.0, 6.0]
    );
}

#[test]
fn an_instantiation_that_does_not_type_check_is_a_compile_error() {
    let ws = Workspace::new();
    let file = ws.kernel("generic.rs", "fn f(x: _) -> f64 {\n    x * 2.5\n}\n");
    ws.kernelc(&["run", &file, "--fn", "f", "x=3"])
        .expect_status(1)
        .expect_stderr("error");
}

#[test]
fn reassociate_lays_reductions_out_in_lanes_in_every_backend() {
    let ws = Workspace::new();
    let file = ws.kernel(
        "sum.rs",
        "fn sum(x: &[f64]) -> f64 {\n    let mut s = 0.0;\n    for i in 0..x.len() {\n        s += x[i];\n    }\n    s\n}\n",
    );
    // Sequentially the first 1 vanishes next to 1e16; in two lanes the 1s add up apart.
    let x = ws.save("x.npy", f64_array(&[5], vec![1e16, 1.0, -1e16, 1.0, 0.5]));
    let arg = format!("x={x}");
    for backend in ["interp", "jit"] {
        let plain = ws.kernelc(&["run", &file, "--fn", "sum", "--backend", backend, &arg]);
        plain.expect_status(0);
        assert_eq!(plain.stdout, "1.5\n", "{backend}");
        let lanes = [
            "run",
            &file,
            "--fn",
            "sum",
            "--backend",
            backend,
            "--reassociate=2",
            &arg,
        ];
        let lanes = ws.kernelc(&lanes);
        lanes.expect_status(0);
        assert_eq!(lanes.stdout, "2.5\n", "{backend}");
    }
    let bad = ws.kernelc(&["run", &file, "--fn", "sum", "--reassociate=3", &arg]);
    bad.expect_status(2);
    assert!(bad.stderr.contains("2, 4, 8 or 16"), "{}", bad.stderr);
}

const RAMP: &str = "\
fn ramp(n: usize, m: usize) -> Array2<f64> {
    let mut z = Array2::zeros((n, m));
    for i in 0..n {
        for j in 0..m {
            z[[i, j]] = (i * m + j) as f64;
        }
    }
    z
}
";

#[test]
fn a_returned_array_is_printed_and_saved_as_return_npy() {
    let ws = Workspace::new();
    let file = ws.kernel("ramp.rs", RAMP);
    for backend in ["interp", "jit"] {
        let outcome = ws.kernelc(&[
            "run",
            &file,
            "--fn",
            "ramp",
            "--backend",
            backend,
            "--out",
            "res",
            "n=2",
            "m=3",
        ]);
        outcome.expect_status(0);
        assert_eq!(outcome.stdout, "[[0.0, 1.0, 2.0],\n[3.0, 4.0, 5.0]]\n");
        let saved = ws.load("res/return.npy");
        assert!(!saved.fortran_order);
        assert_eq!(f64_values(&saved), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    }
    let long = ws.kernelc(&["run", &file, "--fn", "ramp", "n=1", "m=100"]);
    long.expect_status(0);
    assert_eq!(long.stdout, "[[0.0, 1.0, 2.0, ..., 97.0, 98.0, 99.0]]\n");
}

#[test]
fn an_allocation_over_the_limit_is_a_runtime_error() {
    let ws = Workspace::new();
    let file = ws.kernel("ramp.rs", RAMP);
    let outcome = ws.kernelc(&["run", &file, "--fn", "ramp", "n=4294967296", "m=4294967296"]);
    outcome.expect_status(3);
    outcome.expect_stderr(
        "error: kernel `ramp` stopped at 2:17: allocation too large: the array needs more than \
         2^64 bytes, over the limit of 17179869184 bytes (max_alloc_bytes)\n",
    );
}

const PRINTING: &str = "\
fn sum(n: i64) -> i64 {
    let mut total = 0;
    for k in 1..=n {
        println!(\"k = {k:>2}\");
        total += k;
    }
    eprintln!(\"done after {} steps\", n);
    total
}
";

#[test]
fn kernel_output_comes_before_the_return_value_in_every_backend() {
    let ws = Workspace::new();
    let file = ws.kernel("sum.rs", PRINTING);
    for backend in ["jit", "interp"] {
        let outcome = ws.kernelc(&["run", &file, "--fn", "sum", "--backend", backend, "n=3"]);
        outcome.expect_status(0);
        assert_eq!(outcome.stdout, "k =  1\nk =  2\nk =  3\n6\n", "{backend}");
        assert_eq!(outcome.stderr, "done after 3 steps\n", "{backend}");
    }
}

#[test]
fn quiet_discards_kernel_output_but_not_the_return_value() {
    let ws = Workspace::new();
    let file = ws.kernel("sum.rs", PRINTING);
    let outcome = ws.kernelc(&["run", &file, "--fn", "sum", "--quiet", "n=3"]);
    outcome.expect_status(0);
    assert_eq!(outcome.stdout, "6\n");
    assert_eq!(outcome.stderr, "");
}

#[test]
fn explain_and_profile_accept_kernels_that_print() {
    let ws = Workspace::new();
    let file = ws.kernel("sum.rs", PRINTING);
    let explained = ws.kernelc(&["explain", &file, "--fn", "sum"]);
    explained.expect_status(0);
    assert!(
        explained.stdout.contains("println!"),
        "{}",
        explained.stdout
    );
    let profiled = ws.kernelc(&["profile", &file, "--fn", "sum", "n=2"]);
    profiled.expect_status(0);
    assert!(profiled.stdout.contains("k =  2"), "{}", profiled.stdout);
}
