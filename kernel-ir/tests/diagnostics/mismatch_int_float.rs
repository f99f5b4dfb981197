fn scale(x: f64, n: i64) -> f64 {
    x * n
}
