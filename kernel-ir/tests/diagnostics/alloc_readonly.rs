fn f(n: usize) -> f64 {
    let z = Array1::<f64>::zeros(n);
    z[0] = 1.0;
    let w = z;
    z[0]
}
