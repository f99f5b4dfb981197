fn f(c: bool) -> f64 {
    let y = if c { 1.0 };
    y
}
