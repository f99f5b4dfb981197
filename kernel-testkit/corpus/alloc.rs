// Arrays allocated in kernels at run-time sizes, and arrays returned to the caller.

fn scratch(x: &[f64]) -> f64 {
    let n = x.len();
    let mut z = vec![0.0; n];
    for i in 0..n {
        z[i] = x[i] * 0.5;
    }
    let mut m = Array2::<f64>::zeros((n, 2));
    for i in 0..n {
        m[[i, 1]] = z[i] + 1.0;
    }
    let mut s = 0.0;
    for i in 0..n {
        s += m[[i, 1]] + m[[i, 0]];
    }
    s
}
// @call scratch x=f64[1, 2, 3, 4]
// @returns 9.0
// @call scratch x=f64[]
// @returns 0.0

fn ramp(n: usize) -> Array1<f64> {
    let mut z = Array1::zeros(n);
    for i in 0..n {
        z[i] = i as f64 * 1.5;
    }
    z
}
// @call ramp n=4
// @returns f64[0, 1.5, 3, 4.5]
// @call ramp n=0
// @returns f64[]

fn grid(n: usize, m: usize, k: usize) -> Array3<i64> {
    let mut g = Array3::from_elem((n, m, k), -1i64);
    for i in 0..n {
        for j in 0..m {
            g[[i, j, k - 1]] = (i * 10 + j) as i64;
        }
    }
    g
}
// @call grid n=2 m=3 k=2
// @returns i64[[[-1, 0], [-1, 1], [-1, 2]], [[-1, 10], [-1, 11], [-1, 12]]]

fn ones_f32(n: usize) -> Array2<f32> {
    let mut a = Array2::ones((n, n));
    for i in 0..n {
        a[[i, i]] = 0.25;
    }
    a
}
// @call ones_f32 n=2
// @returns f32[[0.25, 1], [1, 0.25]]

fn flags(n: usize) -> Vec<bool> {
    let mut v = vec![false; n];
    for i in (0..n).step_by(2) {
        v[i] = true;
    }
    v
}
// @call flags n=5
// @returns bool[true, false, true, false, true]

// A callee's returned array, bound, read, passed on and discarded.
fn fill(out: &mut [f64], value: f64) {
    for i in 0..out.len() {
        out[i] = value;
    }
}

fn total(n: usize) -> f64 {
    let mut z = ramp(n);
    let mut s = 0.0;
    for i in 0..z.len() {
        s += z[i];
    }
    fill(&mut z, 2.0);
    ramp(3);
    for i in 0..z.len() {
        s += z[i];
    }
    s
}
// @call total n=4
// @returns 17.0

// A `let` inside a loop allocates afresh at every iteration.
fn per_row(a: ArrayView2<f64>) -> f64 {
    let (n, m) = a.dim();
    let mut best = 0.0;
    for i in 0..n {
        let mut row = vec![0.0; m];
        for j in 0..m {
            row[j] = a[[i, j]] + row[j];
        }
        let mut s = 0.0;
        for j in 0..m {
            s += row[j];
        }
        best = best.max(s);
    }
    best
}
// @call per_row a=f64[[1, 2], [3, 4], [0, 1]]
// @returns 7.0
// @call per_row a=f64[[1, 2], [3, 4], [0, 1]].f
// @returns 7.0

// Returned from inside a loop: the loop's own arrays are freed on the way out.
fn first_long(n: usize, limit: usize) -> Vec<i64> {
    for len in 1..n {
        let mut v = vec![0i64; len];
        v[len - 1] = len as i64;
        if len >= limit {
            return v;
        }
    }
    vec![-1; 1]
}
// @call first_long n=10 limit=3
// @returns i64[0, 0, 3]
// @call first_long n=2 limit=3
// @returns i64[-1]

fn out_of_range(n: usize, i: usize) -> f64 {
    let mut z = Array2::<f64>::zeros((n, 2));
    z[[i, 0]] = 1.0;
    z[[0, 0]]
}
// @call out_of_range n=3 i=1
// @returns 0.0
// @call out_of_range n=3 i=3
// @error IndexOutOfBounds 131:5 array=z axis=0 index=3 extent=3 in out_of_range

fn too_large(n: usize) -> f64 {
    let z = vec![1.0; n];
    z[0]
}
// @call too_large n=4
// @returns 1.0
// @call too_large n=100000000000000
// @error AllocationTooLarge 140:13 bytes=800000000000000 limit=17179869184 in too_large
// @call too_large n=18446744073709551615
// @error AllocationTooLarge 140:13 bytes=overflow limit=17179869184 in too_large

// Operands in source order: `vec![x; n]` evaluates `x` first, `from_elem(n, x)` the shape.
fn order_vec(d: i64, e: usize) -> i64 {
    let v = vec![10 / d; 10 / e];
    v[0]
}
// @call order_vec d=2 e=5
// @returns 5
// @call order_vec d=0 e=0
// @error DivisionByZero 152:18 in order_vec

fn order_from_elem(d: i64, e: usize) -> i64 {
    let v = Array1::from_elem(10 / e, 10 / d);
    v[0]
}
// @call order_from_elem d=0 e=0
// @error DivisionByZero 161:31 in order_from_elem

// An allocated array shared by the iterations of a `prange` loop, each writing its own
// element; and a scratch array per iteration.
fn squares(n: usize) -> Array1<u64> {
    let mut out = Array1::zeros(n);
    for i in prange(0..n) {
        let mut t = vec![0u64; 2];
        t[1] = (i * i) as u64;
        out[i] = t[0] + t[1];
    }
    out
}
// @call squares n=5
// @returns u64[0, 1, 4, 9, 16]
