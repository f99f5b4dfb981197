// if/else as expressions, loops, labels, break values, early return.

fn sign(x: f64) -> i64 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}
// @call sign x=-2.5
// @returns -1
// @call sign x=0.0
// @returns 0

fn collatz(n: u64) -> u64 {
    let mut steps = 0;
    let mut v = n;
    while v != 1 {
        v = if v % 2 == 0 { v / 2 } else { 3 * v + 1 };
        steps += 1;
    }
    steps
}
// @call collatz n=27
// @returns 111

fn first_square_above(n: i64) -> i64 {
    let mut i = 0;
    let found = loop {
        i += 1;
        if i * i > n {
            break i * i;
        }
    };
    found
}
// @call first_square_above n=50
// @returns 64

fn labelled(n: i64) -> i64 {
    let mut count = 0;
    'outer: for a in 0..n {
        for b in 0..n {
            if b > a {
                continue 'outer;
            }
            if a + b > 6 {
                break 'outer;
            }
            count += 1;
        }
    }
    count
}
// @call labelled n=10
// @returns 13

fn early_return(x: &[i64], target: i64) -> i64 {
    for i in 0..x.len() {
        if x[i] == target {
            return i as i64;
        }
    }
    -1
}
// @call early_return x=i64[4, 8, 15, 16] target=15
// @returns 2
// @call early_return x=i64[4, 8] target=3
// @returns -1

fn block_value(a: i64) -> i64 {
    let b = {
        let t = a * 2;
        t + 1
    };
    b * 10
}
// @call block_value a=4
// @returns 90

fn short_circuit(x: &[f64], i: usize) -> bool {
    i < x.len() && x[i] > 0.0
}
// @call short_circuit x=f64[1, -1] i=5
// @returns false
// @call short_circuit x=f64[1, -1] i=0
// @returns true

fn nested_loops_with_while(n: usize) -> usize {
    let mut total = 0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        loop {
            if j >= n {
                break;
            }
            total += j;
            j += 2;
        }
        i += 1;
    }
    total
}
// @call nested_loops_with_while n=5
// @returns 23

fn discard_call_value(x: &mut [f64]) -> f64 {
    bump(x);
    bump(x);
    x[0]
}
fn bump(x: &mut [f64]) -> f64 {
    x[0] += 1.0;
    x[0]
}
// @call discard_call_value x=f64[0.5]
// @returns 2.5
