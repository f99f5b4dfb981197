// Local fixed arrays on the stack.

fn cross(a: &[f64], b: &[f64], out: &mut [f64]) {
    let c = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    for k in 0..3 {
        out[k] = c[k];
    }
}
// @call cross a=f64[1, 0, 0] b=f64[0, 1, 0] out=f64[0, 0, 0]
// @expect out=f64[0, 0, 1]

fn histogram(x: &[i64]) -> i64 {
    let mut counts = [0i64; 4];
    for i in 0..x.len() {
        counts[x[i] % 4] += 1;
    }
    counts[0] * 1000 + counts[1] * 100 + counts[2] * 10 + counts[3]
}
// @call histogram x=i64[1, 2, 3, 4, 5, 6, 7, 8, 9]
// @returns 2322
// @call histogram x=i64[1, -1]
// @error IndexOutOfBounds 15:9 array=counts axis=0 index=-1 extent=4 in histogram

fn annotated() -> u32 {
    let mut v: [u32; 3] = [1, 2, 3];
    v[0] = v.len() as u32 * 10;
    v[0] + v[1] + v[2]
}
// @call annotated
// @returns 35
