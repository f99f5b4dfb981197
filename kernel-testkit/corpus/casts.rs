// `as` casts with Rust's meaning: saturation, NaN to zero, truncation, sign extension.

fn f_to_i32(x: f64) -> i32 {
    x as i32
}
// @call f_to_i32 x=1e20
// @returns 2147483647
// @call f_to_i32 x=-1e20
// @returns -2147483648
// @call f_to_i32 x=nan
// @returns 0
// @call f_to_i32 x=-2.9
// @returns -2

fn f_to_u64(x: f64) -> u64 {
    x as u64
}
// @call f_to_u64 x=-5.0
// @returns 0
// @call f_to_u64 x=inf
// @returns 18446744073709551615

fn i_to_u32(x: i64) -> u32 {
    x as u32
}
// @call i_to_u32 x=-1
// @returns 4294967295
// @call i_to_u32 x=4294967297
// @returns 1

fn i32_to_i64(x: i32) -> i64 {
    x as i64
}
// @call i32_to_i64 x=-3
// @returns -3

fn u32_to_i32(x: u32) -> i32 {
    x as i32
}
// @call u32_to_i32 x=4294967295
// @returns -1

fn bool_to_int(b: bool) -> i64 {
    b as i64 + 10
}
// @call bool_to_int b=true
// @returns 11

fn u64_to_f64(x: u64) -> f64 {
    x as f64
}
// @call u64_to_f64 x=18446744073709551615
// @returns 1.8446744073709552e19

fn f64_to_f32(x: f64) -> f32 {
    x as f32
}
// @call f64_to_f32 x=0.1
// @returns 0.1
// @call f64_to_f32 x=1e300
// @returns inf

fn f32_to_f64(x: f32) -> f64 {
    x as f64
}
// @call f32_to_f64 x=0.1
// @returns 0.10000000149011612

fn usize_mix(n: usize, k: i64) -> i64 {
    n as i64 * k
}
// @call usize_mix n=7 k=-3
// @returns -21
