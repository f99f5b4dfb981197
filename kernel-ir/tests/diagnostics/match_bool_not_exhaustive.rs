fn f(b: bool, x: u32) -> u32 {
    match b {
        true => x,
        false if x > 3 => 1,
    }
}
