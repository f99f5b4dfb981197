fn f(n: usize) {
    let v = vec![0.0; n];
}
