use kernel_macros::kernel;
use ndarray::{Array2, ArrayView2, ArrayViewMut1};

/// Row sums of a matrix.
#[kernel]
pub fn row_sums(a: ArrayView2<f64>, mut out: ArrayViewMut1<f64>) {
    for i in 0..a.nrows() {
        let mut s = 0.0;
        for j in 0..a.ncols() {
            s += a[[i, j]];
        }
        out[i] = s;
    }
}

#[kernel(boundscheck = false)]
fn dot(x: &[f32], y: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

#[kernel]
mod bits {
    use ndarray::Array1;

    pub fn popcount_sum(x: &Array1<u64>) -> u32 {
        let mut c = 0;
        for i in 0..x.len() {
            c += x[i].count_ones();
        }
        c
    }
}

fn main() {
    let a = Array2::<f64>::ones((2, 3));
    let mut out = ndarray::Array1::<f64>::zeros(2);
    row_sums(a.view(), out.view_mut()).unwrap();
    assert_eq!(out[1], 3.0);
    assert_eq!(dot(&[1.0, 2.0], &[3.0, 4.0]).unwrap(), 11.0);
    assert_eq!(bits::popcount_sum(&ndarray::arr1(&[3u64, 7])).unwrap(), 5);
    assert!(row_sums::SOURCE.contains("fn row_sums"));
}
