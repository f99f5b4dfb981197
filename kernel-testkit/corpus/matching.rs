// `match` on integers and `bool`: literals, `|`, ranges, `_`, bindings, guards, as a value
// and as a statement; the scrutinee is evaluated once.

fn classify(x: i32) -> i32 {
    match x {
        i32::MIN..=-1 => -1,
        0 => 0,
        1 | 2 | 3 => 1,
        4..10 => 2,
        10..=99 => 3,
        _ => 4,
    }
}
// @call classify x=-7
// @returns -1
// @call classify x=0
// @returns 0
// @call classify x=3
// @returns 1
// @call classify x=9
// @returns 2
// @call classify x=10
// @returns 3
// @call classify x=100
// @returns 4

fn full_ranges(x: i64) -> i64 {
    match x {
        ..0 => -x,
        0..=1000 => x * 2,
        1001.. => x - 1000,
    }
}
// @call full_ranges x=-5
// @returns 5
// @call full_ranges x=1000
// @returns 2000
// @call full_ranges x=9223372036854775807
// @returns 9223372036854774807

fn unsigned_edges(x: u64) -> u32 {
    match x {
        0 => 0,
        1..=0xff => 1,
        u64::MAX => 3,
        _ => 2,
    }
}
// @call unsigned_edges x=0
// @returns 0
// @call unsigned_edges x=255
// @returns 1
// @call unsigned_edges x=256
// @returns 2
// @call unsigned_edges x=18446744073709551615
// @returns 3

fn guards(x: i64) -> i64 {
    match x {
        n if n > 100 => n - 100,
        n if n % 2 == 0 => n / 2,
        -5..=5 => 0,
        n => n * 3,
    }
}
// @call guards x=150
// @returns 50
// @call guards x=8
// @returns 4
// @call guards x=3
// @returns 0
// @call guards x=7
// @returns 21

fn booleans(a: bool, b: bool) -> i32 {
    let x = match a {
        true => 1,
        false => 2,
    };
    match a == b {
        true => x * 10,
        false => x,
    }
}
// @call booleans a=true b=true
// @returns 10
// @call booleans a=false b=true
// @returns 2

fn suffixed(x: u32) -> f64 {
    match x {
        0u32 => 0.5,
        1u32..=7u32 => 1.5,
        _ => 2.5,
    }
}
// @call suffixed x=0
// @returns 0.5
// @call suffixed x=7
// @returns 1.5
// @call suffixed x=8
// @returns 2.5

// The scrutinee is a call that counts how often it runs: once per `match`.
fn bump(a: &mut [i64]) -> i64 {
    a[0] += 1;
    a[0]
}

fn scrutinee_once(a: &mut [i64]) -> i64 {
    match bump(a) {
        1 => 10,
        2 => 20,
        _ => 30,
    }
}
// @call scrutinee_once a=i64[1]
// @expect a=i64[2]
// @returns 20

fn statements(n: usize, out: &mut [i64]) {
    for i in 0..n {
        match i % 3 {
            0 => out[i] = 0,
            1 => {
                out[i] = 1;
            }
            _ => {}
        }
    }
}
// @call statements n=5 out=i64[9, 9, 9, 9, 9]
// @expect out=i64[0, 1, 9, 0, 1]

fn never_arm(x: i32, a: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..a.len() {
        let w = match x {
            0 => 1.0,
            1 => 2.0,
            _ => break,
        };
        sum += w * a[i];
    }
    sum
}
// @call never_arm x=1 a=f64[1, 2, 3]
// @returns 12.0
// @call never_arm x=5 a=f64[1, 2, 3]
// @returns 0.0

fn mut_binding(x: i32) -> i32 {
    match x {
        0 => 0,
        mut n => {
            n += 1;
            n * x
        }
    }
}
// @call mut_binding x=4
// @returns 20

fn with_error(x: i64) -> i64 {
    match x {
        0 => 1,
        n => 100 / (n - 1),
    }
}
// @call with_error x=3
// @returns 50
// @call with_error x=1
// @error DivisionByZero 167:14

fn in_prange(n: usize, out: &mut [u32]) {
    for i in prange(0..n) {
        out[i] = match i {
            0 => 7,
            1..=2 => 8,
            _ => 9,
        };
    }
}
// @call in_prange n=4 out=u32[0, 0, 0, 0]
// @expect out=u32[7, 8, 8, 9]
