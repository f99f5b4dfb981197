const BIG: i32 = i32::MAX;
const OVER: i32 = BIG + 1;
const ZERO: u64 = 0;
const DIV: u64 = 10 / ZERO;
const WIDE: u32 = 5_000_000_000;

fn f() -> i32 {
    OVER
}
