fn f(x: u128) -> u128 {
    x
}
