fn f(x: &[f64], m: ArrayView2<f64>, n: usize) -> f64 {
    let b = m.slice(s![1..]);
    let c = m.slice(s![0, 1]);
    let d = m.row_mut(0);
    let s = m.slice(v![.., ..]);
    let k = n as i64;
    let e = &x[k..];
    g(&x[0..2])
}

fn g(y: &mut [f64]) -> f64 {
    y[0]
}

fn h(x: &mut [f64]) -> f64 {
    let v = &mut x[1..];
    v[0] = 1.0;
    g(&x[..1])
}
