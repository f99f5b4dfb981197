// Integer and float arithmetic, wrapping, division rules.

fn add_i64(a: i64, b: i64) -> i64 {
    a + b
}
// @call add_i64 a=9223372036854775807 b=1
// @returns -9223372036854775808
// @call add_i64 a=-5 b=3
// @returns -2

fn mul_u32(a: u32, b: u32) -> u32 {
    a * b
}
// @call mul_u32 a=4294967295 b=2
// @returns 4294967294

fn sub_usize(a: usize, b: usize) -> usize {
    a - b
}
// @call sub_usize a=0 b=1
// @returns 18446744073709551615

fn div_i32(a: i32, b: i32) -> i32 {
    a / b
}
// @call div_i32 a=-7 b=2
// @returns -3
// @call div_i32 a=7 b=0
// @error DivisionByZero 24:5 in div_i32
// @call div_i32 a=-2147483648 b=-1
// @error DivisionOverflow 24:5

fn rem_i64(a: i64, b: i64) -> i64 {
    a % b
}
// @call rem_i64 a=-7 b=3
// @returns -1
// @call rem_i64 a=-9223372036854775808 b=-1
// @returns 0
// @call rem_i64 a=1 b=0
// @error DivisionByZero 34:5

fn div_u64(a: u64, b: u64) -> u64 {
    a / b + a % b
}
// @call div_u64 a=18446744073709551615 b=10
// @returns 1844674407370955166

fn neg_min(a: i64) -> i64 {
    -a
}
// @call neg_min a=-9223372036854775808
// @returns -9223372036854775808

fn float_ops(a: f64, b: f64) -> f64 {
    (a + b) * (a - b) / b
}
// @call float_ops a=3.0 b=2.0
// @returns 2.5
// @call float_ops a=1.0 b=0.0
// @returns inf

fn float_rem(a: f64, b: f64) -> f64 {
    a % b
}
// @call float_rem a=-7.5 b=2.0
// @returns -1.5
// @call float_rem a=1.0 b=0.0
// @returns NaN

fn f32_math(a: f32, b: f32) -> f32 {
    a * b + 0.1
}
// @call f32_math a=1.5 b=2.0
// @returns 3.1

fn literal_in_float_context(x: f64) -> f64 {
    x * 2 + 1
}
// @call literal_in_float_context x=1.25
// @returns 3.5

fn precedence(a: i64, b: i64, c: i64) -> i64 {
    a + b * c - (a - b) / c % 5
}
// @call precedence a=10 b=3 c=4
// @returns 21
