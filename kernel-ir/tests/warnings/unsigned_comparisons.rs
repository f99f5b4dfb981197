fn count_nonnegative(a: &[f64], n: usize, k: u32) -> usize {
    let mut count = 0;
    for i in 0..a.len() {
        if i >= 0 && a[i] >= 0.0 {
            count += 1;
        }
    }
    if n < 0 {
        return 0;
    }
    if 0 > k || 0 <= n {
        count += 1;
    }
    count
}
