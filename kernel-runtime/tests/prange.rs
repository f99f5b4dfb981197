//! `prange` loops in the JIT and native tiers against the sequential interpreter: every
//! reduction kind (integers exactly, floats to 1e-12 relative), array writes, inclusive ranges,
//! many small iterations, an error planted in some iterations (the lowest one is reported,
//! as sequentially), a deadline inside a parallel loop, and the thread count setting. The JIT
//! and native tiers chunk and combine alike, so for one thread count they agree to the bit.

use std::time::{Duration, Instant};

use kernel_runtime::{
    interruptible, kernel, set_threads, Arg, Backend, CallOptions, Error, ErrorKind, KernelError,
    Module, Options, Value,
};

const SOURCE: &str = "
fn sum_f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in prange(0..x.len()) {
        s += x[i] * x[i];
    }
    s
}

fn prod_i(x: &[i64]) -> i64 {
    let mut p = 3i64;
    for i in prange(0..x.len()) {
        p *= x[i];
    }
    p
}

fn mixed(x: &[i64], n: i64) -> i64 {
    let mut s = 0i64;
    let mut lo = 1000i64;
    let mut hi = -1000i64;
    for i in prange(0..n) {
        let v = x[i as usize] * i;
        s += v;
        lo = lo.min(v);
        hi = hi.max(v);
    }
    s * 1000003 + lo * 1009 + hi
}

fn spread(x: &[f64]) -> f64 {
    let mut lo = 1.0e300;
    let mut hi = -1.0e300;
    let mut p = 1.0;
    for i in prange(0..=x.len() - 1) {
        lo = lo.min(x[i]);
        hi = hi.max(x[i]);
        p *= 1.0 + x[i] * 1.0e-3;
    }
    (hi - lo) * p
}

fn rows(a: &[f64], n: usize, out: &mut [f64]) {
    for i in prange(0..n) {
        let mut acc = 0.0;
        for j in 0..n {
            if j == i {
                continue;
            }
            acc += (a[i] - a[j]).abs();
        }
        out[i] = acc;
    }
}

fn tiny(n: usize) -> usize {
    let mut c = 0;
    for i in prange(0..n) {
        c += i & 7;
    }
    c
}

fn negzero(n: usize) -> f64 {
    let mut s = -0.0;
    for i in prange(0..n) {
        s += -0.0 * (i as f64);
    }
    s
}

fn gather(x: &[f64], idx: &[i64], out: &mut [f64]) {
    for i in prange(0..out.len()) {
        out[i] = x[idx[i] as usize];
    }
}

fn spin_rows(n: usize) -> u64 {
    let mut c = 0u64;
    for i in prange(0..n) {
        let mut k = i as u64;
        loop {
            k += 1;
            if k == 0 {
                break;
            }
        }
        c += k;
    }
    c
}

fn weight(k: i32, w: f64) -> f64 {
    if k <= 0 {
        w
    } else {
        weight(k - 1, w * 0.5) + 1.0
    }
}

fn captured(x: &[f64], lo: i32, hi: i32, scale: f64, out: &mut [f64]) -> f64 {
    let table = [1.0, -2.0, 0.25, 8.0];
    let n = out.len();
    let mut total = 0.0;
    let mut count = 0u32;
    for i in prange(lo..hi) {
        let j = i as usize % n;
        let t = table[j % 4];
        let v = weight(i % 5, x[j] * scale) + t;
        out[j] = v;
        total += v;
        count += 1;
    }
    total + count as f64
}

fn bytes(n: u32) -> u32 {
    let mut s = 4000000000u32;
    for i in prange(0..=n) {
        s += i * 3;
    }
    s
}

fn deep(n: i32) -> f64 {
    let mut s = 0.0;
    for i in prange(0..n) {
        s += weight(600 + i, 1.0);
    }
    s
}

fn stacked(k: i32) -> f64 {
    let mut a = [0.25f64; 100];
    a[(k % 100) as usize] = k as f64;
    if k <= 0 {
        return a[0];
    }
    stacked(k - 1) + a[(k % 100) as usize]
}

fn deep_frames(n: i32) -> f64 {
    let mut s = 0.0;
    for i in prange(0..n) {
        s += stacked(500 + i % 8);
    }
    s
}
";

#[kernel]
mod native {
    pub fn sum_f(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in prange(0..x.len()) {
            s += x[i] * x[i];
        }
        s
    }

    pub fn prod_i(x: &[i64]) -> i64 {
        let mut p = 3i64;
        for i in prange(0..x.len()) {
            p *= x[i];
        }
        p
    }

    pub fn mixed(x: &[i64], n: i64) -> i64 {
        let mut s = 0i64;
        let mut lo = 1000i64;
        let mut hi = -1000i64;
        for i in prange(0..n) {
            let v = x[i as usize] * i;
            s += v;
            lo = lo.min(v);
            hi = hi.max(v);
        }
        s * 1000003 + lo * 1009 + hi
    }

    pub fn spread(x: &[f64]) -> f64 {
        let mut lo = 1.0e300;
        let mut hi = -1.0e300;
        let mut p = 1.0;
        for i in prange(0..=x.len() - 1) {
            lo = lo.min(x[i]);
            hi = hi.max(x[i]);
            p *= 1.0 + x[i] * 1.0e-3;
        }
        (hi - lo) * p
    }

    pub fn rows(a: &[f64], n: usize, out: &mut [f64]) {
        for i in prange(0..n) {
            let mut acc = 0.0;
            for j in 0..n {
                if j == i {
                    continue;
                }
                acc += (a[i] - a[j]).abs();
            }
            out[i] = acc;
        }
    }

    pub fn tiny(n: usize) -> usize {
        let mut c = 0;
        for i in prange(0..n) {
            c += i & 7;
        }
        c
    }

    pub fn negzero(n: usize) -> f64 {
        let mut s = -0.0;
        for i in prange(0..n) {
            s += -0.0 * (i as f64);
        }
        s
    }

    pub fn spin_rows(n: usize) -> u64 {
        let mut c = 0u64;
        for i in prange(0..n) {
            let mut k = i as u64;
            loop {
                k += 1;
                if k == 0 {
                    break;
                }
            }
            c += k;
        }
        c
    }

    pub fn gather(x: &[f64], idx: &[i64], out: &mut [f64]) {
        for i in prange(0..out.len()) {
            out[i] = x[idx[i] as usize];
        }
    }
}

fn interp() -> Module {
    let options = Options {
        backend: Backend::Interpreter,
        ..Options::default()
    };
    Module::compile_with(SOURCE, options).expect("the test kernels compile")
}

fn jit() -> Module {
    Module::compile(SOURCE).expect("the test kernels compile")
}

/// Tests that change the thread count, or compare tiers bit for bit (which needs one thread
/// count for both calls), take this lock.
static THREADS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn threads_lock() -> std::sync::MutexGuard<'static, ()> {
    THREADS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `name` in the interpreter and the JIT on copies of `args`, returning both results
/// and the arguments after each call.
fn both<'a>(name: &str, args: &mut [Arg<'a>], jit_args: &mut [Arg<'a>]) -> (Value, Value) {
    let want = call(&interp(), name, args).expect("the interpreter succeeds");
    let got = call(&jit(), name, jit_args).expect("the JIT succeeds");
    (want, got)
}

fn call(module: &Module, name: &str, args: &mut [Arg<'_>]) -> Result<Value, Error> {
    module.function(name).expect("present").call(args)
}

/// Deterministic pseudo-random values in [-1, 1).
fn data(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn float_sum_matches_sequential() {
    let m = interp();
    for n in [0, 1, 2, 7, 100, 10_007] {
        let x = data(n, n as u64);
        let want = call(&m, "sum_f", &mut [Arg::from(&x[..])]).unwrap();
        let got = native::sum_f(&x).unwrap();
        assert!(
            matches!(want, Value::F64(w) if close(w, got)),
            "n={n}: {want:?} vs {got}"
        );
    }
}

#[test]
fn integer_product_is_exact() {
    let m = interp();
    for n in [0, 1, 5, 64, 999] {
        let x: Vec<i64> = (0..n as i64).map(|k| 3 + (k * 7919) % 13).collect();
        let want = call(&m, "prod_i", &mut [Arg::from(&x[..])]).unwrap();
        assert_eq!(want, Value::I64(native::prod_i(&x).unwrap()), "n={n}");
    }
}

#[test]
fn integer_sum_min_max_are_exact() {
    let m = interp();
    for n in [0i64, 1, 3, 4, 50, 1001] {
        let x: Vec<i64> = (0..n.max(1)).map(|k| (k * 37) % 101 - 50).collect();
        let want = call(&m, "mixed", &mut [Arg::from(&x[..]), Arg::from(n)]).unwrap();
        assert_eq!(want, Value::I64(native::mixed(&x, n).unwrap()), "n={n}");
    }
}

#[test]
fn float_min_max_product_over_inclusive_range() {
    let m = interp();
    for n in [1, 2, 33, 5000] {
        let x = data(n, 7 + n as u64);
        let want = call(&m, "spread", &mut [Arg::from(&x[..])]).unwrap();
        let got = native::spread(&x).unwrap();
        assert!(
            matches!(want, Value::F64(w) if close(w, got)),
            "n={n}: {want:?} vs {got}"
        );
    }
}

#[test]
fn array_writes_match_sequential() {
    let m = interp();
    for n in [0, 1, 3, 257] {
        let a = data(n, 99);
        let mut want = vec![0.0; n];
        call(
            &m,
            "rows",
            &mut [Arg::from(&a[..]), Arg::from(n), Arg::from(&mut want[..])],
        )
        .unwrap();
        let mut got = vec![0.0; n];
        native::rows(&a, n, &mut got).unwrap();
        assert_eq!(want, got, "n={n}");
    }
}

#[test]
fn many_small_iterations() {
    for round in 0..200usize {
        let n = 1 + round * 97;
        let want: usize = (0..n).map(|i| i & 7).sum();
        assert_eq!(native::tiny(n).unwrap(), want);
    }
}

#[test]
fn sum_of_negative_zeros_stays_negative() {
    let m = interp();
    for n in [0usize, 1, 100] {
        let want = call(&m, "negzero", &mut [Arg::from(n)]).unwrap();
        let got = native::negzero(n).unwrap();
        assert!(
            matches!(want, Value::F64(w) if w.to_bits() == got.to_bits()),
            "n={n}"
        );
    }
}

#[test]
fn a_deadline_stops_every_chunk() {
    let start = Instant::now();
    let error = interruptible(CallOptions::timeout(Duration::from_millis(50)), || {
        native::spin_rows(64)
    })
    .expect_err("spin_rows does not end in time");
    assert_eq!(error.kind, ErrorKind::Timeout);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

fn gather_error(idx: &[i64]) -> (KernelError, KernelError) {
    let x = data(16, 3);
    let m = interp();
    let mut out = vec![0.0; idx.len()];
    let want = match call(
        &m,
        "gather",
        &mut [Arg::from(&x[..]), Arg::from(idx), Arg::from(&mut out[..])],
    ) {
        Err(Error::Kernel(e)) => e,
        other => panic!("the interpreter should fail: {other:?}"),
    };
    let got = native::gather(&x, idx, &mut out).expect_err("the native kernel should fail");
    (want, got)
}

#[test]
fn planted_error_is_the_lowest_failing_iteration() {
    for n in [1usize, 2, 9, 1000, 100_000] {
        for bad in [0, n / 3, n - 1] {
            let mut idx: Vec<i64> = (0..n as i64).map(|k| k % 16).collect();
            idx[bad] = 16 + bad as i64;
            // A second, later failure must not win over the first.
            if bad + 1 < n {
                idx[n - 1] = 1_000_000;
            }
            let (want, got) = gather_error(&idx);
            // Same failing iteration (the index names it) and function; lines differ because
            // the two copies of the source sit at different places.
            assert_eq!(want.kind, got.kind, "n={n} bad={bad}");
            assert_eq!(want.function, got.function);
        }
    }
}

#[test]
fn thread_counts_give_the_same_integers() {
    let _lock = threads_lock();
    let x: Vec<i64> = (0..777).map(|k| (k * 31) % 17 - 8).collect();
    let base = native::mixed(&x, 777).unwrap();
    for threads in [1, 2, 3, 5, 0] {
        set_threads(threads).unwrap();
        assert_eq!(native::mixed(&x, 777).unwrap(), base, "threads={threads}");
        assert_eq!(
            native::tiny(10_000).unwrap(),
            (0..10_000usize).map(|i| i & 7).sum()
        );
    }
}

#[test]
fn jit_reductions_match_the_interpreter() {
    let m = interp();
    let j = jit();
    for n in [0usize, 1, 2, 7, 100, 10_007] {
        let x = data(n, n as u64);
        let want = call(&m, "sum_f", &mut [Arg::from(&x[..])]).unwrap();
        let got = call(&j, "sum_f", &mut [Arg::from(&x[..])]).unwrap();
        match (want, got) {
            (Value::F64(w), Value::F64(g)) => assert!(close(w, g), "n={n}: {w} vs {g}"),
            other => panic!("n={n}: {other:?}"),
        }
        let xi: Vec<i64> = (0..n as i64).map(|k| 3 + (k * 7919) % 13).collect();
        let args = || [Arg::from(&xi[..])];
        assert_eq!(
            call(&m, "prod_i", &mut args()).unwrap(),
            call(&j, "prod_i", &mut args()).unwrap(),
            "prod_i n={n}"
        );
        let xm: Vec<i64> = (0..n.max(1) as i64).map(|k| (k * 37) % 101 - 50).collect();
        let args = || [Arg::from(&xm[..]), Arg::from(n as i64)];
        assert_eq!(
            call(&m, "mixed", &mut args()).unwrap(),
            call(&j, "mixed", &mut args()).unwrap(),
            "mixed n={n}"
        );
        for name in ["tiny", "negzero"] {
            let want = call(&m, name, &mut [Arg::from(n)]).unwrap();
            let got = call(&j, name, &mut [Arg::from(n)]).unwrap();
            match (want, got) {
                (Value::F64(w), Value::F64(g)) => assert_eq!(w.to_bits(), g.to_bits(), "{name}"),
                (w, g) => assert_eq!(w, g, "{name} n={n}"),
            }
        }
    }
    for n in [1, 2, 33, 5000] {
        let x = data(n, 7 + n as u64);
        match both("spread", &mut [Arg::from(&x[..])], &mut [Arg::from(&x[..])]) {
            (Value::F64(w), Value::F64(g)) => assert!(close(w, g), "n={n}: {w} vs {g}"),
            other => panic!("n={n}: {other:?}"),
        }
    }
}

#[test]
fn jit_and_native_agree_to_the_bit() {
    let _lock = threads_lock();
    let j = jit();
    for threads in [1, 2, 3, 0] {
        set_threads(threads).unwrap();
        for n in [1usize, 10, 1000, 12_345] {
            let x = data(n, 5 * n as u64);
            let Value::F64(got) = call(&j, "sum_f", &mut [Arg::from(&x[..])]).unwrap() else {
                panic!("sum_f returns f64");
            };
            let want = native::sum_f(&x).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "threads={threads} n={n}");
            let Value::F64(got) = call(&j, "spread", &mut [Arg::from(&x[..])]).unwrap() else {
                panic!("spread returns f64");
            };
            let want = native::spread(&x).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "threads={threads} n={n}");
        }
    }
    set_threads(0).unwrap();
}

#[test]
fn jit_array_writes_match_sequential() {
    for n in [0, 1, 3, 257] {
        let a = data(n, 99);
        let mut want = vec![0.0; n];
        let mut got = vec![0.0; n];
        both(
            "rows",
            &mut [Arg::from(&a[..]), Arg::from(n), Arg::from(&mut want[..])],
            &mut [Arg::from(&a[..]), Arg::from(n), Arg::from(&mut got[..])],
        );
        assert_eq!(want, got, "n={n}");
    }
}

#[test]
fn jit_captures_scalars_fixed_arrays_and_calls() {
    let x = data(64, 11);
    for (lo, hi) in [(0, 0), (5, 6), (-3, 40), (0, 1000)] {
        let mut want_out = vec![0.0; 64];
        let mut got_out = vec![0.0; 64];
        // `captured` writes `out[i % 64]`: at most 64 iterations keep the writes disjoint.
        let hi = hi.min(lo + 64);
        fn args<'a>(x: &'a [f64], lo: i32, hi: i32, out: &'a mut [f64]) -> [Arg<'a>; 5] {
            [
                Arg::from(x),
                Arg::from(lo),
                Arg::from(hi),
                Arg::from(0.75),
                Arg::from(out),
            ]
        }
        let (want, got) = both(
            "captured",
            &mut args(&x, lo, hi, &mut want_out),
            &mut args(&x, lo, hi, &mut got_out),
        );
        match (want, got) {
            (Value::F64(w), Value::F64(g)) => assert!(close(w, g), "{lo}..{hi}: {w} vs {g}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(want_out, got_out, "{lo}..{hi}");
    }
    for n in [0u32, 1, 1000, 100_000] {
        let (want, got) = both("bytes", &mut [Arg::from(n)], &mut [Arg::from(n)]);
        assert_eq!(want, got, "n={n}");
    }
}

#[test]
fn jit_errors_are_the_interpreters() {
    let x = data(16, 3);
    for n in [1usize, 2, 9, 1000, 100_000] {
        for bad in [0, n / 3, n - 1] {
            let mut idx: Vec<i64> = (0..n as i64).map(|k| k % 16).collect();
            idx[bad] = 16 + bad as i64;
            if bad + 1 < n {
                idx[n - 1] = 1_000_000;
            }
            let mut out = vec![0.0; n];
            let mut run = |m: &Module| match call(
                m,
                "gather",
                &mut [
                    Arg::from(&x[..]),
                    Arg::from(&idx[..]),
                    Arg::from(&mut out[..]),
                ],
            ) {
                Err(Error::Kernel(e)) => e,
                other => panic!("gather should fail: {other:?}"),
            };
            let want = run(&interp());
            let got = run(&jit());
            assert_eq!(want, got, "n={n} bad={bad}");
        }
    }
    // The recursion limit inside a parallel loop counts the frames outside it too.
    let want = call(&interp(), "deep", &mut [Arg::from(4)]);
    let got = call(&jit(), "deep", &mut [Arg::from(4)]);
    match (want, got) {
        (Err(Error::Kernel(w)), Err(Error::Kernel(g))) => assert_eq!(w, g),
        other => panic!("deep should hit the recursion limit: {other:?}"),
    }
}

#[test]
fn jit_deadline_stops_every_chunk() {
    let j = jit();
    let spin = j.function("spin_rows").expect("present");
    let start = Instant::now();
    let result = spin.call_with(
        &mut [Arg::from(64usize)],
        CallOptions::timeout(Duration::from_millis(50)),
    );
    match result {
        Err(Error::Kernel(e)) => assert_eq!(e.kind, ErrorKind::Timeout),
        other => panic!("spin_rows should time out: {other:?}"),
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn jit_many_small_iterations() {
    let j = jit();
    for round in 0..200usize {
        let n = 1 + round * 97;
        let want: usize = (0..n).map(|i| i & 7).sum();
        assert_eq!(
            call(&j, "tiny", &mut [Arg::from(n)]).unwrap(),
            Value::Usize(want),
            "n={n}"
        );
    }
}

#[test]
fn deep_recursion_with_local_arrays_inside_chunks_stays_on_the_stack() {
    // 508 nested frames of an 800-byte array each, on pool threads (2 MiB stacks): inside
    // the stack budget, so it must run, and agree with the interpreter.
    let (want, got) = both("deep_frames", &mut [Arg::from(16)], &mut [Arg::from(16)]);
    match (want, got) {
        (Value::F64(w), Value::F64(g)) => assert!(close(w, g), "{w} vs {g}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_nan_start_survives_float_min_max_reductions_as_sequentially() {
    // The identity of float `min`/`max` is NaN: a chunk that reduces nothing leaves the
    // outer NaN alone, as the sequential loop does (an `inf` identity would replace it).
    let src = "
fn k0(a: &[f64], x0: f64) -> f64 {
    let mut x = x0;
    let mut y = x0;
    for i in prange(0..a.len()) {
        if a[i] > 100.0 {
            x = x.min(a[i]);
            y = y.max(a[i]);
        }
    }
    x + y
}
";
    let a: Vec<f64> = (0..64).map(|k| if k == 40 { 200.0 } else { 1.0 }).collect();
    let ones = vec![1.0; 64];
    for input in [&a, &ones] {
        for x0 in [f64::NAN, 5.0, -0.0] {
            let mut results = Vec::new();
            for backend in [Backend::Interpreter, Backend::Jit] {
                let m = Module::compile_with(
                    src,
                    Options {
                        backend,
                        ..Options::default()
                    },
                )
                .unwrap();
                let Value::F64(v) =
                    call(&m, "k0", &mut [Arg::from(&input[..]), Arg::from(x0)]).unwrap()
                else {
                    panic!("k0 returns f64");
                };
                results.push(v.to_bits());
            }
            assert_eq!(results[0], results[1], "x0 = {x0}");
        }
    }
}
