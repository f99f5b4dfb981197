// Printing: `println!`, `print!`, `eprintln!` and `eprint!` format scalars with Rust's own
// formatting, so every tier prints the same text (captured and compared by the harness).

fn basics(x: f64, n: i32, flag: bool) {
    println!("x = {}, n = {}, flag = {}", x, n, flag);
    println!("{x:?} {n:?} {flag:?}");
    println!("{{literal}} {0} {0:?} {1} {}", x, n);
}
// @call basics x=1.5 n=-3 flag=true
// @prints x = 1.5, n = -3, flag = true
// @prints 1.5 -3 true
// @prints {literal} 1.5 1.5 -3 1.5

fn floats(a: f64, b: f32) {
    println!("{} {:?} {} {:?}", a, a, b, b);
    println!("{:.3} {:e} {:E} {:.2e}", a, a, a, a);
    println!("[{:>10.2}] [{:<10.2}] [{:^10.2}] [{:*^10.2}] [{:+08.3}]", a, a, a, a, a);
    let zero = a - a;
    println!("{} {} {} {:?} {:?}", a / zero, -a / zero, zero / zero, 0.1f64 + 0.2, -zero);
}
// @call floats a=1 b=0.1
// @prints 1 1.0 0.1 0.1
// @prints 1.000 1e0 1E0 1.00e0
// @prints [      1.00] [1.00      ] [   1.00   ] [***1.00***] [+001.000]
// @prints inf -inf NaN 0.30000000000000004 -0.0
// @call floats a=-2.71828 b=3
// @prints -2.71828 -2.71828 3 3.0
// @prints -2.718 -2.71828e0 -2.71828E0 -2.72e0
// @prints [     -2.72] [-2.72     ] [  -2.72   ] [**-2.72***] [-002.718]
// @prints -inf inf NaN 0.30000000000000004 -0.0

fn integers(i: i32, u: u64, s: usize) {
    println!("{:x} {:X} {:o} {:b} {:#x} {:#010b}", i, i, i, i, i, i);
    println!("{:5}|{:<5}|{:^5}|{:05}|{:+}|{:_>6}", u, u, u, u, u, u);
    println!("{s:e} {s:>3} {:x}", i as i64);
}
// @call integers i=-2 u=42 s=1500
// @prints fffffffe FFFFFFFE 37777777776 11111111111111111111111111111110 0xfffffffe 0b11111111111111111111111111111110
// @prints    42|42   | 42  |00042|+42|____42
// @prints 1.5e3 1500 fffffffffffffffe
// @call integers i=255 u=7 s=0
// @prints ff FF 377 11111111 0xff 0b11111111
// @prints     7|7    |  7  |00007|+7|_____7
// @prints 0e0   0 ff

// `print!` continues the line; stdout and stderr are separate streams.
fn countdown(n: i64) -> i64 {
    let mut total = 0;
    for k in (1..=n).rev() {
        print!("{k} ");
        total += k;
    }
    println!("liftoff");
    eprintln!("total {total}");
    eprint!("partial");
    eprintln!(" line");
    eprintln!();
    total
}
// @call countdown n=3
// @prints 3 2 1 liftoff
// @eprints total 6
// @eprints partial line
// @eprints
// @returns 6
// @call countdown n=0
// @prints liftoff
// @eprints total 0
// @eprints partial line
// @eprints
// @returns 0

// What was printed before a runtime error stays printed.
fn half(v: &[f64], i: usize) -> f64 {
    println!("reading v[{i}]");
    v[i] / 2.0
}

fn before_error(v: &[f64]) -> f64 {
    let a = half(v, 0);
    let b = half(v, 5);
    a + b
}
// @call before_error v=f64[4, 6]
// @prints reading v[0]
// @prints reading v[5]
// @error IndexOutOfBounds 76:5 array=v axis=0 index=5 extent=2 in half

// Arguments are evaluated left to right, once each, before anything is printed.
fn noisy(label: i32) -> i32 {
    println!("evaluating {label}");
    label * 10
}

fn order() {
    println!("{1} {0} {1}", noisy(1), noisy(2));
}
// @call order
// @prints evaluating 1
// @prints evaluating 2
// @prints 20 10 20

// Inside `prange`, each line is written whole; here one iteration prints, so the output
// does not depend on the threads.
fn parallel_report(x: &mut [f64]) {
    let n = x.len();
    for i in prange(0..n) {
        x[i] = x[i] * 2.0;
        if i == n - 1 {
            println!("last element doubled to {:.1}", x[i]);
        }
    }
}
// @call parallel_report x=f64[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
// @expect x=f64[2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
// @prints last element doubled to 20.0
