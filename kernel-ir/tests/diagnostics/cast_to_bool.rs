fn f(x: i64) -> bool {
    x as bool
}
