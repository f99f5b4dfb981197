fn fill(n: usize) -> f64 {
    let mut z = [0.0; n];
    for i in 0..z.len() {
        z[i] = i as f64;
    }
    z[1]
}
