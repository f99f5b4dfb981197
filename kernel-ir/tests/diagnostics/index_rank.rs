fn f(a: ArrayView2<f64>, i: usize) -> f64 {
    a[i]
}
