fn f(x: i64) -> i64 {
    match x {
        0 => 1,
        _ => x,
    }
}
