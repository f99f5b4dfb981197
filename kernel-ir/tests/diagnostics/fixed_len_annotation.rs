fn fill(x: f64, n: usize) -> f64 {
    let mut z: [f64; n] = [0.0; 3];
    let w: [f64; 2] = [x; 9000];
    z[0] = w[1];
    z[2]
}
