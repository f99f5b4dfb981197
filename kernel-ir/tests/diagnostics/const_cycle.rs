const A: usize = B + 1;
const B: usize = A * 2;
const C: f64 = UNKNOWN;
const D: i64 = 1.5;

fn f() -> usize {
    A
}
