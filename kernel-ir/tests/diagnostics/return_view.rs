fn f(x: &[f64]) -> ArrayView1<f64> {
    x
}

fn g(x: &mut [f64]) -> Array1<f64> {
    x
}

fn h(n: usize, c: bool) -> Array1<f64> {
    let a = Array1::zeros(n);
    let b = Array1::zeros(n);
    if c { a } else { b }
}
