fn f(n: i64) -> f64 {
    n.sqrt()
}
