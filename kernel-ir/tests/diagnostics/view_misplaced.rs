fn f(x: &[f64]) -> f64 {
    let t = (&x[0..2])[0];
    let v = &x[1..];
    v[0] + t
}
