fn pair(x: f64) -> (f64, i64) {
    (x, 1)
}

fn as_operand(x: f64) -> f64 {
    pair(x) + 1.0
}

fn as_return(x: f64) -> f64 {
    pair(x)
}

fn local_read(x: f64) -> f64 {
    let t = pair(x);
    t * 2.0
}

fn no_field(x: f64) -> f64 {
    let t = pair(x);
    t.2 + x.0
}
