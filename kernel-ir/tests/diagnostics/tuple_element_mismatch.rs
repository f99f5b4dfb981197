fn stats(x: f64, n: i64) -> (f64, f64) {
    return (x, n);
}

fn annotated(x: f64) -> f64 {
    let (a, b): (f64, f64) = count(x);
    a + b
}

fn count(x: f64) -> (f64, i64) {
    (x, 2, 3)
}
