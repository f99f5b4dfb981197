fn f(a: &[f64]) -> f64 {
    let b = a;
    b[0]
}
