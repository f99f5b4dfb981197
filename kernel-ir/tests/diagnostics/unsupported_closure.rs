fn f(x: f64) -> f64 {
    let g = |y: f64| y * 2.0;
    g(x)
}
