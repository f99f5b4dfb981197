fn f(a: &[f64], x: f64) -> f64 {
    a[x]
}
