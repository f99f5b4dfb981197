fn f(x: f64, n: i64, i: usize) -> f64 {
    let a = x + n;
    let b = n * i;
    let c = undefined_name;
    a
}
