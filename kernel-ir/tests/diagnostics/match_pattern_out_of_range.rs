fn f(x: u32) -> u32 {
    match x {
        -1 => 1,
        _ => 0,
    }
}
