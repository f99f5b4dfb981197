fn g(a: f64, b: f64) -> f64 { a + b }
fn f() -> f64 {
    g(1.0)
}
