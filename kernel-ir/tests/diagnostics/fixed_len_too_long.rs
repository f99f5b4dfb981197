fn fill(x: f64) -> f64 {
    let mut z = [x; 8000];
    z[0] += 1.0;
    z[z.len() - 1]
}
