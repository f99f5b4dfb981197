// Tuples of scalars: returned from a function (`return (a, b)` or the tail), destructured by
// `let` (with `mut`, `_` and a type annotation), kept whole in a local and read with `.0`.

fn min_max(x: &[f64]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for i in 0..x.len() {
        lo = lo.min(x[i]);
        hi = hi.max(x[i]);
    }
    (lo, hi)
}
// @call min_max x=f64[3, -1.5, 8, 2]
// @returns (-1.5, 8.0)
// @call min_max x=f64[]
// @returns (inf, -inf)

fn range_of(x: &[f64]) -> f64 {
    let (lo, hi) = min_max(x);
    hi - lo
}
// @call range_of x=f64[3, -1.5, 8, 2]
// @returns 9.5

fn sum_count(x: &[f64], limit: f64) -> (f64, i64) {
    let mut s = 0.0;
    let mut n = 0;
    for i in 0..x.len() {
        if x[i] > limit {
            return (s, -n);
        }
        s += x[i];
        n += 1;
    }
    return (s, n);
}
// @call sum_count x=f64[1, 2, 3] limit=10.0
// @returns (6.0, 3)
// @call sum_count x=f64[1, 20, 3] limit=10.0
// @returns (1.0, -1)

fn mean(x: &[f64]) -> f64 {
    let (mut s, n): (f64, i64) = sum_count(x, f64::INFINITY);
    if n > 0 {
        s /= n as f64;
    }
    s
}
// @call mean x=f64[1, 2, 3, 6]
// @returns 3.0

fn divmod(a: i32, b: i32) -> (i32, i32, bool, u64) {
    (a / b, a % b, a % b == 0, (a as u64).wrapping_mul(3))
}
// @call divmod a=17 b=5
// @returns (3, 2, false, 51)
// @call divmod a=-8 b=2
// @returns (-4, 0, true, 18446744073709551592)
// @call divmod a=1 b=0
// @error DivisionByZero 53:6 in divmod

fn quotient(a: i32, b: i32) -> i32 {
    let (q, _, _, _) = divmod(a, b);
    q
}
// @call quotient a=-7 b=2
// @returns -3

fn polar(x: f32, y: f32) -> (f32, f32) {
    ((x * x + y * y).sqrt(), y.atan2(x))
}

fn fields(x: f32, y: f32) -> f32 {
    let p = polar(x, y);
    p.0 * p.1.cos() + polar(y, x).1
}
// @call fields x=3.0f32 y=4.0f32
// @returns 3.643501

fn forward(x: f32, y: f32) -> (f32, f32) {
    let p = polar(x, y);
    if x < 0.0 {
        return polar(-x, y);
    }
    p
}
// @call forward x=-3.0f32 y=4.0f32
// @returns (5.0, 0.9272952)

fn swap(a: u32, b: u32) -> (u32, u32) {
    (b, a)
}

fn discard(a: u32) -> u32 {
    swap(a, 1);
    let (x, y) = swap(a, a + 1);
    let (y, x) = swap(x, y);
    x * 10 + y
}
// @call discard a=4
// @returns 54
