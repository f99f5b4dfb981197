// Loops whose checks the bounds analysis hoists to a range check at the loop's entry: the
// fast copy runs when every access is in bounds, the checked copy otherwise, with the same
// error and the same partial writes as the interpreter.

fn gemm(ni: usize, nj: usize, nk: usize, alpha: f64, c: &mut Array2<f64>, a: ArrayView2<f64>, b: ArrayView2<f64>) {
    for i in 0..ni {
        for k in 0..nk {
            for j in 0..nj {
                c[[i, j]] += alpha * a[[i, k]] * b[[k, j]];
            }
        }
    }
}
// @call gemm ni=2 nj=2 nk=2 alpha=2.0 c=f64[[0, 0], [0, 0]] a=f64[[1, 2], [3, 4]] b=f64[[1, 0], [0, 1]]
// @expect c=f64[[2, 4], [6, 8]]
// @call gemm ni=2 nj=2 nk=2 alpha=2.0 c=f64[[0, 0], [0, 0]] a=f64[[1, 2], [3, 4]].f b=f64[[1, 0], [0, 1]].rev
// @expect c=f64[[2, 4], [6, 8]]
// @call gemm ni=2 nj=2 nk=3 alpha=1.0 c=f64[[0, 0], [0, 0]] a=f64[[1, 2, 3], [4, 5, 6]] b=f64[[1, 1], [1, 1]]
// @error IndexOutOfBounds 9:50 array=b axis=0 index=2 extent=2 in gemm
// @expect c=f64[[3, 3], [0, 0]]
// @call gemm ni=3 nj=2 nk=2 alpha=1.0 c=f64[[0, 0], [0, 0]] a=f64[[1, 1], [1, 1], [1, 1]] b=f64[[1, 1], [1, 1]]
// @error IndexOutOfBounds 9:17 array=c axis=0 index=2 extent=2 in gemm
// @expect c=f64[[2, 2], [2, 2]]

fn lower_triangle(a: &mut Array2<f64>) -> f64 {
    let n = a.nrows();
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..=i {
            s += a[[i, j]];
            a[[i, j]] = 0.0;
        }
    }
    s
}
// @call lower_triangle a=f64[[1, 2], [3, 4]]
// @returns 8.0
// @expect a=f64[[0, 2], [0, 0]]
// @call lower_triangle a=f64[[1, 2], [3, 4], [5, 6]]
// @error IndexOutOfBounds 30:18 array=a axis=1 index=2 extent=2 in lower_triangle
// @expect a=f64[[0, 2], [0, 0], [0, 0]]

fn stencil(x: &[f64], y: &mut [f64]) {
    let n = x.len();
    for i in 1..n - 1 {
        y[i] = x[i - 1] + x[i] + x[i + 1];
    }
}
// @call stencil x=f64[1, 2, 3, 4] y=f64[0, 0, 0, 0]
// @expect y=f64[0, 6, 9, 0]
// @call stencil x=f64[1, 2, 3, 4].step2 y=f64[0, 0, 0]
// @expect y=f64[0, 6, 9]
// @call stencil x=f64[1, 2, 3, 4] y=f64[0, 0]
// @error IndexOutOfBounds 46:9 array=y axis=0 index=2 extent=2 in stencil
// @expect y=f64[0, 6]
// @call stencil x=f64[] y=f64[0]
// @error IndexOutOfBounds 46:16 array=x axis=0 index=0 extent=0 in stencil

fn signed_offsets(x: &[i32], lo: i32, hi: i32) -> i32 {
    let mut s = 0;
    for i in lo..hi {
        s += x[(i - 2) as usize];
    }
    s
}
// @call signed_offsets x=i32[1, 2, 3, 4] lo=2 hi=6
// @returns 10
// @call signed_offsets x=i32[1, 2, 3, 4] lo=1 hi=3
// @error IndexOutOfBounds 62:14 array=x axis=0 index=18446744073709551615 extent=4 in signed_offsets

fn guarded_access(x: &[f64], n: usize, m: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        if i < m {
            s += x[i];
        }
    }
    s
}
// @call guarded_access x=f64[1, 2, 3] n=10 m=3
// @returns 6.0
// @call guarded_access x=f64[1, 2, 3] n=2 m=3
// @returns 3.0
// @call guarded_access x=f64[1, 2, 3] n=10 m=4
// @error IndexOutOfBounds 75:18 array=x axis=0 index=3 extent=3 in guarded_access

fn bound_reassigned(x: &mut [f64], n: usize) {
    let mut m = n;
    for i in 0..x.len() {
        for j in 0..m {
            x[j] += 1.0;
        }
        m += i + 1;
    }
}
// @call bound_reassigned x=f64[0, 0, 0] n=1
// @error IndexOutOfBounds 91:13 array=x axis=0 index=3 extent=3 in bound_reassigned
// @expect x=f64[3, 2, 1]

fn parallel_rows(a: ArrayView2<f64>, rows: usize, out: &mut [f64]) {
    for i in prange(0..rows) {
        let mut s = 0.0;
        for j in 0..a.ncols() {
            s += a[[i, j]];
        }
        out[i] = s;
    }
}
// @call parallel_rows a=f64[[1, 2], [3, 4]] rows=2 out=f64[0, 0]
// @expect out=f64[3, 7]
// @call parallel_rows a=f64[[1, 2], [3, 4]] rows=3 out=f64[0, 0, 0]
// @error IndexOutOfBounds 104:18 array=a axis=0 index=2 extent=2 in parallel_rows
// @expect out=f64[3, 7, 0]

fn row_sums(s: &mut [f64], x: ArrayView2<f64>, n: usize) {
    for i in 0..s.len() {
        for k in 0..n {
            s[i] += x[[i, k]];
            if s[i] > 100.0 {
                break;
            }
        }
    }
}
// @call row_sums s=f64[0, 0] x=f64[[1, 2, 3], [4, 5, 6]] n=3
// @expect s=f64[6, 15]
// @call row_sums s=f64[0, 0] x=f64[[1, 2, 3], [400, 5, 6]] n=3
// @expect s=f64[6, 400]
// @call row_sums s=f64[0, 0] x=f64[[1, 2, 3], [4, 5, 6]] n=4
// @error IndexOutOfBounds 118:21 array=x axis=1 index=3 extent=3 in row_sums
// @expect s=f64[6, 0]
