// A malformed `#[reassociate]` attribute.
#[reassociate]
#[reassociate(lanes = 4)]
fn f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}
