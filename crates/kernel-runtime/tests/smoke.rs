mod common;
use common::*;
use kernel_runtime::{Arg, Value};

#[test]
fn adds() {
    let src = "fn add(a: i64, b: i64) -> i64 { a + b }";
    assert_eq!(value(src, "add", &mut [Arg::from(2i64), Arg::from(3i64)]), Value::I64(5));
}

#[test]
fn sums_a_slice() {
    let src = "fn sum(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }";
    let x = [1.0, 2.0, 3.5];
    assert_eq!(value(src, "sum", &mut [Arg::from(&x[..])]), Value::F64(6.5));
}
