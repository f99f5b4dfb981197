fn local_tuple(x: f64) -> f64 {
    let t = (x, 1);
    x
}

fn argument(x: f64) -> f64 {
    x.max((x, x))
}

fn generic(x: _) -> _ {
    (x, x)
}

fn pair(x: f64) -> (f64, i64) {
    (x, 1)
}

fn branch(x: f64, c: bool) -> (f64, i64) {
    let (a, b) = if c { pair(x) } else { pair(-x) };
    (a, b)
}

fn not_a_tuple(x: f64) -> f64 {
    let (a, b) = x;
    a + b
}

fn bad_type(x: f64) -> (f64, [f64; 2]) {
    (x, [x, x])
}

fn call_generic() -> f64 {
    generic(1.0);
    0.0
}
