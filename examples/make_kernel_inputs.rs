//! Writes the `.npy` inputs of `examples/kernels/` (deterministic, small):
//!
//! cargo run --example make_kernel_inputs [DIR]   # default: examples/kernels/data

use kernel_npy::{write_npy, NpyArray};
use ndarray::{ArrayD, IxDyn};
use std::path::PathBuf;

/// A fixed, irregular sequence so distances are all different.
fn values(count: usize, seed: f64) -> Vec<f64> {
    (0..count)
        .map(|i| ((i as f64 + seed) * 1.3).sin() * 3.0)
        .collect()
}

fn array(shape: &[usize], data: Vec<f64>) -> NpyArray {
    NpyArray::from(ArrayD::from_shape_vec(IxDyn(shape), data).expect("shape matches data"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("examples/kernels/data"));
    std::fs::create_dir_all(&dir)?;
    let inputs = [
        ("axpy_x.npy", array(&[8], (1..=8).map(f64::from).collect())),
        ("axpy_y.npy", array(&[8], vec![1.0; 8])),
        ("pairwise_x.npy", array(&[6, 3], values(18, 1.0))),
        ("pairwise_d.npy", array(&[6, 6], vec![0.0; 36])),
    ];
    for (name, data) in inputs {
        write_npy(dir.join(name), &data)?;
        println!("wrote {}", dir.join(name).display());
    }
    Ok(())
}
