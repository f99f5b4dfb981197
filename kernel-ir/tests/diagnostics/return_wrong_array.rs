fn f(n: usize) -> Array2<f64> {
    let z = Array1::<f64>::zeros(n);
    z
}

fn g(n: usize) -> Vec<i64> {
    vec![0.5; n]
}

fn h(n: usize) -> Array1<f64> {
    let z = Array1::<f64>::zeros(n);
}
