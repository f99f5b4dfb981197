// An unknown `#[reassociate]` argument.
#[reassociate(width = 8)]
fn f(x: &[f64]) -> f64 {
    x[0]
}
