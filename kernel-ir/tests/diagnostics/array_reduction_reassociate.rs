#[reassociate]
fn f(x: &[u64], hist: &mut [f64]) {
    for i in prange(0..x.len()) {
        hist[x[i] as usize] += 1.0;
    }
}
