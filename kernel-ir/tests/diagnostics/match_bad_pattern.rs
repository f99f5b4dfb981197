fn f(x: i64, y: i64) -> i64 {
    match x {
        y => 1,
        (1, 2) => 2,
        n @ 3 => n,
    }
}
