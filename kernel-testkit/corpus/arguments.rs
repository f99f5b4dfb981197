// Argument checking at call time: every mismatch names the parameter.

fn needs_f64(x: f64, y: &mut [f64]) {
    y[0] = x;
}
// @call needs_f64 x=3i64 y=f64[0]
// @error argument "`x`"
// @call needs_f64 x=1.0 y=f32[0]
// @error argument "`y`"
// @call needs_f64 x=1.0 y=f64[[0]]
// @error argument "`y`"

fn two_d(a: ArrayView2<i64>) -> i64 {
    a[[0, 0]]
}
// @call two_d a=i64[1, 2]
// @error argument "`a`"
// @call two_d a=i64[[1, 2]]
// @returns 1
