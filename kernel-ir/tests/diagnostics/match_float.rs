fn f(x: f64) -> i32 {
    match x {
        _ => 1,
    }
}
