// Array arguments of every kind: slices, 1-3-D views, strided layouts, bounds errors.

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] += a * x[i];
    }
}
// @call axpy a=2.0 x=f64[1, 2, 3] y=f64[1, 1, 1]
// @expect y=f64[3, 5, 7]
// @call axpy a=2.0 x=f64[1, 2, 3].rev y=f64[1, 1, 1].step2
// @expect y=f64[3, 5, 7]
// @call axpy a=1.0 x=f64[1, 2, 3, 4] y=f64[0, 0, 0]
// @error IndexOutOfBounds 5:9 array=y axis=0 index=3 extent=3 in axpy

fn sum2d(a: ArrayView2<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            s += a[[i, j]] * (i * 10 + j + 1) as f64;
        }
    }
    s
}
// @call sum2d a=f64[[1, 2, 3], [4, 5, 6]]
// @returns 196.0
// @call sum2d a=f64[[1, 2, 3], [4, 5, 6]].f
// @returns 196.0
// @call sum2d a=f64[[1, 2, 3], [4, 5, 6]].rev
// @returns 196.0
// @call sum2d a=f64[[1, 2, 3], [4, 5, 6]].step2
// @returns 196.0

fn transpose_into(a: ArrayView2<f64>, mut b: ArrayViewMut2<f64>) {
    let (n, m) = a.dim();
    for i in 0..n {
        for j in 0..m {
            b[(j, i)] = a[[i, j]];
        }
    }
}
// @call transpose_into a=f64[[1, 2, 3], [4, 5, 6]] b=f64[[0, 0], [0, 0], [0, 0]]
// @expect b=f64[[1, 4], [2, 5], [3, 6]]
// @call transpose_into a=f64[[1, 2, 3], [4, 5, 6]].f b=f64[[0, 0], [0, 0], [0, 0]].rev
// @expect b=f64[[1, 4], [2, 5], [3, 6]]

fn cube(a: &mut Array3<i64>) {
    for i in 0..a.shape()[0] {
        for j in 0..a.len_of(Axis(1)) {
            for k in 0..a.shape()[2] {
                a[[i, j, k]] = (i * 100 + j * 10 + k) as i64;
            }
        }
    }
}
// @call cube a=i64[[[0, 0], [0, 0]], [[0, 0], [0, 0]]]
// @expect a=i64[[[0, 1], [10, 11]], [[100, 101], [110, 111]]]
// @call cube a=i64[[[0, 0], [0, 0]], [[0, 0], [0, 0]]].f
// @expect a=i64[[[0, 1], [10, 11]], [[100, 101], [110, 111]]]

fn get(x: &[i32], i: i64) -> i32 {
    x[i]
}
// @call get x=i32[5, 6, 7] i=2
// @returns 7
// @call get x=i32[5, 6, 7] i=-1
// @error IndexOutOfBounds 61:5 array=x axis=0 index=-1 extent=3 in get
// @call get x=i32[5, 6, 7] i=3
// @error IndexOutOfBounds 61:5 array=x axis=0 index=3 extent=3

fn get2(a: ArrayView2<u32>, i: usize, j: usize) -> u32 {
    a[[i, j]]
}
// @call get2 a=u32[[1, 2], [3, 4]] i=1 j=1
// @returns 4
// @call get2 a=u32[[1, 2], [3, 4]] i=1 j=2
// @error IndexOutOfBounds 71:5 array=a axis=1 index=2 extent=2 in get2
// @call get2 a=u32[[1, 2], [3, 4]].f i=2 j=0
// @error IndexOutOfBounds 71:5 array=a axis=0 index=2 extent=2

fn partial_write(y: &mut [f64]) {
    for i in 0..5 {
        y[i] = i as f64;
    }
}
// @call partial_write y=f64[9, 9, 9]
// @error IndexOutOfBounds 82:9 array=y axis=0 index=3 extent=3
// @expect y=f64[0, 1, 2]

fn bools(flags: &[bool]) -> usize {
    let mut n = 0;
    for i in 0..flags.len() {
        if flags[i] {
            n += 1;
        }
    }
    n
}
// @call bools flags=bool[true, false, true, true]
// @returns 3

fn compound_elements(a: &mut [i64]) {
    a[0] += 5;
    a[1] -= 5;
    a[2] *= 3;
    a[3] /= 2;
    a[4] %= 4;
    a[5] <<= 2;
}
// @call compound_elements a=i64[1, 1, 2, 9, 11, 3]
// @expect a=i64[6, -4, 6, 4, 3, 12]

fn view_types(a: ArrayView1<f32>, b: &Array1<f32>, c: &mut Array2<f32>, d: ndarray::ArrayViewMut1<'_, f32>) -> f32 {
    c[[0, 0]] = a[0] + b[0] + d[0];
    c[[0, 0]]
}
// @call view_types a=f32[1] b=f32[2] c=f32[[0]] d=f32[0.5]
// @returns 3.5
// @expect c=f32[[3.5]]
