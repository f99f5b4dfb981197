// Bitwise operators and shifts with wrapping amounts.

fn bits(a: u32, b: u32) -> u32 {
    (a & b) | ((a ^ b) << 4)
}
// @call bits a=12 b=10
// @returns 104

fn shl_wraps(x: u32, s: i64) -> u32 {
    x << s
}
// @call shl_wraps x=1 s=33
// @returns 2
// @call shl_wraps x=1 s=-1
// @returns 2147483648

fn shr_signed(x: i64, s: u32) -> i64 {
    x >> s
}
// @call shr_signed x=-16 s=2
// @returns -4
// @call shr_signed x=-1 s=64
// @returns -1

fn shr_unsigned(x: u64, s: usize) -> u64 {
    x >> s
}
// @call shr_unsigned x=18446744073709551615 s=60
// @returns 15

fn not_int(x: i32) -> i32 {
    !x
}
// @call not_int x=0
// @returns -1

fn bool_ops(a: bool, b: bool) -> bool {
    (a & !b) | (a ^ b) && !(a || b) == false
}
// @call bool_ops a=true b=false
// @returns true
// @call bool_ops a=false b=false
// @returns false

fn compound_bits(x: u64) -> u64 {
    let mut v = x;
    v &= 255;
    v |= 256;
    v ^= 1;
    v <<= 2;
    v >>= 1;
    v
}
// @call compound_bits x=4095
// @returns 1020
