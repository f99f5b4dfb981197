fn norm(x: &[f64]) -> f64 { x[0] }
fn f(x: &[f64]) -> f64 {
    nrom(x)
}
