fn limits(x: i32, y: u64, z: i64) -> bool {
    let a = x >= i32::MIN;
    let b = y > u64::MAX;
    let c = z <= 9223372036854775807;
    let d = x > 0 && y <= 0 && z < 0;
    a || b || c || d
}
