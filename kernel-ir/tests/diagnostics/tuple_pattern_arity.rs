fn pair(x: f64) -> (f64, i64) {
    (x, 1)
}

fn wrong_arity(x: f64) -> f64 {
    let (a, b, c) = pair(x);
    a + b as f64 + c as f64
}
