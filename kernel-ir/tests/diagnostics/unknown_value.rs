fn f(total: f64) -> f64 {
    totl * 2.0
}
