// Calls between functions, recursion and its depth limit, arrays passed by reference.

fn fib(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib(n - 1) + fib(n - 2)
    }
}
// @call fib n=20
// @returns 6765

fn depth(n: u32) -> u32 {
    if n == 0 {
        0
    } else {
        1 + depth(n - 1)
    }
}
// @call depth n=500
// @returns 500
// @call depth n=100000
// @error RecursionLimit 17:13 in depth

fn scale(x: &mut [f64], k: f64) {
    for i in 0..x.len() {
        x[i] *= k;
    }
}

fn norm(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s.sqrt()
}

fn normalise(x: &mut [f64]) -> f64 {
    let n = norm(&x);
    scale(&mut x, 1.0 / n);
    norm(x.view())
}
// @call normalise x=f64[3, 4]
// @returns 1.0
// @expect x=f64[0.6000000000000001, 0.8]

fn inner_error(x: &[f64], i: usize) -> f64 {
    x[i]
}

fn outer(x: &[f64]) -> f64 {
    inner_error(x, 1) + inner_error(x, 7)
}
// @call outer x=f64[1, 2, 3]
// @error IndexOutOfBounds 49:5 array=x axis=0 index=7 extent=3 in inner_error

fn even(n: u32) -> bool {
    if n == 0 { true } else { odd(n - 1) }
}

fn odd(n: u32) -> bool {
    if n == 0 { false } else { even(n - 1) }
}
// @call even n=101
// @returns false

fn with_fixed(a: f64) -> f64 {
    let v = [a, a * 2.0, a * 3.0];
    norm(&v)
}
// @call with_fixed a=2.0
// @returns 7.483314773547883

fn fill_fixed(out: &mut [f64]) {
    let mut tmp = [0.0; 4];
    writer(&mut tmp);
    for i in 0..out.len() {
        out[i] = tmp[i];
    }
}

fn writer(t: &mut [f64]) {
    for i in 0..t.len() {
        t[i] = (i * i) as f64 + 0.5;
    }
}
// @call fill_fixed out=f64[0, 0, 0, 0]
// @expect out=f64[0.5, 1.5, 4.5, 9.5]
