fn f() -> i64 {
    let x = 1;
    x = 2;
    x
}
