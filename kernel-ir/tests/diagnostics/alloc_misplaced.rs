fn f(n: usize) -> f64 {
    let s = Array1::<f64>::zeros(n)[0];
    s
}
