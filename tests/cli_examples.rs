//! The kernels under `examples/kernels/` run through `kernelc` on their committed inputs
//! (written by `cargo run --example make_kernel_inputs`) and match a plain Rust reference.

mod cli_support;

use cli_support::{f64_values, Workspace};
use kernel_npy::read_npy;
use std::path::{Path, PathBuf};

fn example(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/kernels")
        .join(path)
}

fn example_arg(name: &str, path: &str) -> String {
    format!("{name}={}", example(path).display())
}

#[test]
fn axpy_example_runs_on_its_inputs() {
    let ws = Workspace::new();
    let kernel = example("axpy.rs");
    let x_arg = example_arg("x", "data/axpy_x.npy");
    let y_arg = example_arg("y", "data/axpy_y.npy");
    let before = std::fs::read(example("data/axpy_y.npy")).unwrap();
    let outcome = ws.kernelc(&[
        "run",
        kernel.to_str().unwrap(),
        "--fn",
        "axpy",
        "--out",
        "out",
        "a=2.5",
        &x_arg,
        &y_arg,
    ]);
    outcome.expect_status(0);
    let x = f64_values(&read_npy(example("data/axpy_x.npy")).unwrap());
    let y = f64_values(&read_npy(example("data/axpy_y.npy")).unwrap());
    let expected: Vec<f64> = x.iter().zip(&y).map(|(x, y)| y + 2.5 * x).collect();
    assert_eq!(f64_values(&ws.load("out/y.npy")), expected);
    assert_eq!(std::fs::read(example("data/axpy_y.npy")).unwrap(), before);
}

/// The same loops as the kernel, so the results agree to the bit.
fn reference_distances(x: &[f64], n: usize, dims: usize) -> Vec<f64> {
    let mut d = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let mut sum = 0.0;
            for k in 0..dims {
                let diff = x[i * dims + k] - x[j * dims + k];
                sum += diff * diff;
            }
            d[i * n + j] = sum.sqrt();
        }
    }
    d
}

#[test]
fn pairwise_example_runs_on_its_inputs() {
    let ws = Workspace::new();
    let kernel = example("pairwise.rs");
    let kernel = kernel.to_str().unwrap();
    let x_arg = example_arg("x", "data/pairwise_x.npy");
    let d_arg = example_arg("d", "data/pairwise_d.npy");
    let outcome = ws.kernelc(&[
        "run", kernel, "--fn", "pairwise", "--out", "out", &x_arg, &d_arg,
    ]);
    outcome.expect_status(0);
    let x_file = read_npy(example("data/pairwise_x.npy")).unwrap();
    let (n, dims) = (x_file.shape()[0], x_file.shape()[1]);
    let expected = reference_distances(&f64_values(&x_file), n, dims);
    assert_eq!(f64_values(&ws.load("out/d.npy")), expected);

    let max = expected.iter().copied().fold(0.0, f64::max);
    for function in ["max_distance", "max_distance_parallel"] {
        for backend in ["jit", "interp"] {
            let outcome = ws.kernelc(&[
                "run",
                kernel,
                "--fn",
                function,
                "--backend",
                backend,
                &x_arg,
            ]);
            outcome.expect_status(0);
            assert_eq!(
                outcome.stdout,
                format!("{max:?}\n"),
                "{function} ({backend})"
            );
        }
    }
}
