// Sub-views: `&a[lo..hi]`, `a.slice(s![…])`, `a.row(i)`, `a.column(j)` and their writable forms.

fn total(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

fn middle(x: &[f64]) -> f64 {
    total(&x[1..x.len() - 1]) * 10.0 + total(&x[..2]) + total(&x[3..]) * 100.0
}
// @call middle x=f64[1, 2, 3, 4]
// @returns 453.0
// @call middle x=f64[1, 2, 3, 4].rev
// @returns 453.0
// @call middle x=f64[1, 2, 3, 4].step2
// @returns 453.0

fn dot(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    let mut s = 0.0;
    for k in 0..a.len() {
        s += a[k] * b[k];
    }
    s
}

// A matrix product from rows of one operand and columns of the other.
fn matmul(a: ArrayView2<f64>, b: ArrayView2<f64>, c: &mut Array2<f64>) {
    let (n, m) = c.dim();
    for i in 0..n {
        for j in 0..m {
            c[[i, j]] = dot(a.row(i), b.column(j));
        }
    }
}
// @call matmul a=f64[[1, 2], [3, 4]] b=f64[[5, 6], [7, 8]] c=f64[[0, 0], [0, 0]]
// @expect c=f64[[19, 22], [43, 50]]
// @call matmul a=f64[[1, 2], [3, 4]].f b=f64[[5, 6], [7, 8]].rev c=f64[[0, 0], [0, 0]].f
// @expect c=f64[[19, 22], [43, 50]]

fn corner(a: ArrayView2<i64>, r: usize, c: usize) -> i64 {
    let v = a.slice(s![r.., c..]);
    let (n, m) = v.dim();
    v[[0, 0]] * 1000 + (n * 10 + m) as i64
}
// @call corner a=i64[[1, 2, 3], [4, 5, 6]] r=1 c=1
// @returns 5012
// @call corner a=i64[[1, 2, 3], [4, 5, 6]].f r=0 c=2
// @returns 3021
// @call corner a=i64[[1, 2, 3], [4, 5, 6]] r=2 c=0
// @error IndexOutOfBounds 46:5 array=v (a view of a) axis=0 index=0 extent=0 in corner

// Steps, inclusive ranges and a dropped axis, on every layout.
fn evens(a: ArrayView2<i64>, row: usize) -> i64 {
    let v = a.slice(s![row, ..;2]);
    let w = a.slice(s![..=row, 1..=1]);
    let mut s = 0;
    for k in 0..v.len() {
        s = s * 10 + v[k];
    }
    s * 100 + w[[row, 0]]
}
// @call evens a=i64[[1, 2, 3, 4, 5], [6, 7, 8, 9, 0]] row=1
// @returns 68007
// @call evens a=i64[[1, 2, 3, 4, 5], [6, 7, 8, 9, 0]].rev row=0
// @returns 13502
// @call evens a=i64[[1, 2, 3, 4, 5], [6, 7, 8, 9, 0]].f row=0
// @returns 13502

// Writable views: a callee fills part of an array, a row is written through a `let`.
fn fill(out: &mut [f64], value: f64) {
    for i in 0..out.len() {
        out[i] = value;
    }
}

fn paint(y: &mut [f64], m: &mut Array2<f64>) {
    fill(&mut y[1..3], 7.0);
    let mut r = m.row_mut(1);
    r[0] = 5.0;
    fill(m.column_mut(1), -1.0);
}
// @call paint y=f64[0, 0, 0, 0] m=f64[[0, 0], [0, 0]]
// @expect y=f64[0, 7, 7, 0]
// @expect m=f64[[0, -1], [5, -1]]
// @call paint y=f64[0, 0, 0, 0].rev m=f64[[0, 0], [0, 0]].f
// @expect y=f64[0, 7, 7, 0]
// @expect m=f64[[0, -1], [5, -1]]

// A view of an allocated array, and of a view.
fn nested(n: usize) -> f64 {
    let mut z = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..n {
            z[[i, j]] = (i * n + j) as f64;
        }
    }
    let inner = z.slice(s![1..n, 1..n]);
    let corner = inner.slice(s![1.., ..1]);
    corner[[0, 0]] + total(&z.row(0)) * 0.0 + inner[[0, 0]] * 100.0
}
// @call nested n=3
// @returns 407.0

// The checks, in Rust's order, on every axis left to right.
fn window(x: &[f64], lo: usize, hi: usize) -> f64 {
    total(&x[lo..hi])
}
// @call window x=f64[1, 2, 3] lo=1 hi=3
// @returns 5.0
// @call window x=f64[1, 2, 3] lo=3 hi=3
// @returns 0.0
// @call window x=f64[1, 2, 3] lo=2 hi=1
// @error SliceStartAfterEnd 109:11 array=x axis=0 start=2 end=1 in window
// @call window x=f64[1, 2, 3] lo=0 hi=4
// @error SliceEndPastExtent 109:11 array=x axis=0 end=4 extent=3 in window

fn window_inclusive(x: &[f64], lo: usize, hi: usize) -> f64 {
    total(&x[lo..=hi])
}
// @call window_inclusive x=f64[1, 2, 3] lo=0 hi=2
// @returns 6.0
// @call window_inclusive x=f64[1, 2, 3] lo=0 hi=3
// @error SliceEndPastExtent 121:11 array=x axis=0 end=3 extent=3 in window_inclusive
// @call window_inclusive x=f64[1, 2, 3] lo=0 hi=18446744073709551615
// @error SliceEndPastExtent 121:11 array=x axis=0 end=18446744073709551615 extent=3 in window_inclusive

fn stepped(a: ArrayView2<f64>, step: usize, row: usize) -> f64 {
    let v = a.slice(s![..;step, row]);
    v[0]
}
// @call stepped a=f64[[1, 2], [3, 4]] step=1 row=1
// @returns 2.0
// @call stepped a=f64[[1, 2], [3, 4]] step=0 row=1
// @error ZeroStep 131:13 in stepped
// @call stepped a=f64[[1, 2], [3, 4]] step=1 row=2
// @error IndexOutOfBounds 131:13 array=a axis=1 index=2 extent=2 in stepped

// A view declared outside a `prange` loop, read by its iterations.
fn row_sums(a: ArrayView2<f64>, out: &mut [f64]) {
    let body = a.slice(s![.., 1..]);
    for i in prange(0..out.len()) {
        let mut s = 0.0;
        for j in 0..body.ncols() {
            s += body[[i, j]];
        }
        out[i] = s;
    }
}
// @call row_sums a=f64[[1, 2, 3], [4, 5, 6]] out=f64[0, 0]
// @expect out=f64[5, 11]

// A writable view beside the array it looks into, in one loop: neither may be kept in a
// register across the other's writes.
fn aliased(m: &mut Array2<f64>, n: usize) -> f64 {
    let mut r = m.row_mut(0);
    for k in 0..n {
        m[[0, 0]] += 1.0;
        r[0] = r[0] * 2.0;
    }
    m[[0, 0]]
}
// @call aliased m=f64[[1, 0], [0, 0]] n=3
// @returns 22.0

// Views made inside a `prange` body, of arrays from outside it: passed to a call and bound by
// `let` (the JIT's outlined chunk function must capture the viewed array).
fn window_sums(x: &[f64], width: usize, out: &mut [f64]) {
    for i in prange(0..out.len()) {
        let w = &x[i..i + width];
        out[i] = slice_total(&x[i..i + width]) + w[0];
    }
}

fn slice_total(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..v.len() {
        s += v[k];
    }
    s
}
// @call window_sums x=f64[1, 2, 3, 4, 5] width=3 out=f64[0, 0, 0]
// @expect out=f64[7, 11, 15]
// @call window_sums x=f64[1, 2, 3, 4, 5] width=3 out=f64[0, 0, 0, 0]
// @error SliceEndPastExtent 172:17 array=x axis=0 end=6 extent=5 in window_sums
