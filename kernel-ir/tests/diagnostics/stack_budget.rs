fn deep(n: i64) -> f64 {
    let mut a = [0.0f64; 4096];
    a[(n as usize) % 4096] = n as f64;
    if n <= 0 {
        return a[0];
    }
    deep(n - 1) + a[(n as usize) % 4096]
}
