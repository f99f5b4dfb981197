fn f(n: usize) {
    let v = format!("{}", n);
}
