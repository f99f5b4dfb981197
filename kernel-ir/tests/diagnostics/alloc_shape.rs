fn f(n: usize) -> f64 {
    let z = Array2::<f64>::zeros(n);
    let w = Array1::<f64>::ones((n, n));
    let v: Vec<f64> = vec![1.0, 2.0];
    z[[0, 0]] + w[0] + v[0]
}
