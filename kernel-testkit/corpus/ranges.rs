// Every `for` range form, including the edges that must not wrap.

fn sum_range(a: i64, b: i64) -> i64 {
    let mut s = 0;
    for i in a..b {
        s += i;
    }
    s
}
// @call sum_range a=-3 b=4
// @returns 0
// @call sum_range a=5 b=2
// @returns 0

fn sum_inclusive(a: u32, b: u32) -> u64 {
    let mut s = 0;
    for i in a..=b {
        s += i as u64;
    }
    s
}
// @call sum_inclusive a=1 b=100
// @returns 5050
// @call sum_inclusive a=4294967294 b=4294967295
// @returns 8589934589

fn reversed(n: i64) -> i64 {
    let mut v = 0;
    for i in (0..n).rev() {
        v = v * 10 + i;
    }
    v
}
// @call reversed n=5
// @returns 43210

fn reversed_inclusive(n: u64) -> u64 {
    let mut v = 0;
    for i in (0..=n).rev() {
        v = v * 10 + i;
    }
    v
}
// @call reversed_inclusive n=4
// @returns 43210

fn stepped(a: usize, b: usize, s: usize) -> usize {
    let mut v = 0;
    for i in (a..b).step_by(s) {
        v = v * 100 + i;
    }
    v
}
// @call stepped a=1 b=10 s=4
// @returns 10509
// @call stepped a=1 b=10 s=0
// @error ZeroStep 49:29 in stepped

fn rev_stepped(n: i32) -> i32 {
    let mut v = 0;
    for i in (0..n).rev().step_by(3) {
        v = v * 100 + i;
    }
    v
}
// @call rev_stepped n=10
// @returns 9060300

fn inclusive_to_max(start: u64) -> u64 {
    let mut count = 0;
    for _ in start..=u64::MAX {
        count += 1;
    }
    count
}
// @call inclusive_to_max start=18446744073709551612
// @returns 4

fn inclusive_to_max_i32(start: i32) -> i32 {
    let mut last = 0;
    for i in start..=i32::MAX {
        last = i;
    }
    last
}
// @call inclusive_to_max_i32 start=2147483646
// @returns 2147483647

fn prange_sequential(x: &mut [f64]) {
    for i in prange(0..x.len()) {
        x[i] = (i * i) as f64;
    }
}
// @call prange_sequential x=f64[0, 0, 0, 0]
// @expect x=f64[0, 1, 4, 9]

fn loop_var_type(n: usize) -> usize {
    let mut best = 0;
    for i in 0..n {
        if i % 3 == 2 {
            best = i;
        }
    }
    best
}
// @call loop_var_type n=10
// @returns 8
