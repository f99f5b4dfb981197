//! `Function::profile` in the JIT tier: the same hit counts and call counts as the interpreter
//! on every kernel (loop nests, `continue`, `break` with values, `while`, recursion, calls,
//! block tails, a call failing half way), unchanged results, the hot lines of an N-body
//! kernel, and the partial profile of a failing call.

mod common;

use kernel_runtime::{Arg, Backend, Error, ErrorKind, Module, Options, Profile, Value};

fn module(src: &str, backend: Backend) -> Module {
    let options = Options {
        backend,
        ..Options::default()
    };
    Module::compile_with(src, options).unwrap()
}

/// Every counted fact of a profile except times: (function, calls, [(line, hits)]).
type Hits = Vec<(String, u64, Vec<(u32, u64)>)>;

fn hits(profile: &Profile) -> Hits {
    profile
        .functions
        .iter()
        .map(|f| {
            let lines = f.lines.iter().map(|l| (l.line, l.hits)).collect();
            (f.name.clone(), f.calls, lines)
        })
        .collect()
}

/// A profiled call's value (or error text) and hit counts.
type Run = (
    Result<Value, String>,
    Option<Vec<(String, u64, Vec<(u32, u64)>)>>,
);

fn profile_in(
    backend: Backend,
    src: &str,
    name: &str,
    make: &dyn Fn() -> Vec<Arg<'static>>,
) -> Run {
    let module = module(src, backend);
    let f = module.function(name).unwrap();
    let mut args = make();
    match f.profile(&mut args) {
        Ok((value, profile)) => (Ok(value), Some(hits(&profile))),
        Err(failure) => (
            Err(failure.error.to_string()),
            failure.profile.as_ref().map(hits),
        ),
    }
}

/// Profiles `name` in both tiers and demands the same value (or error) and the same hits.
fn same_in_both_tiers(src: &str, name: &str, make: &dyn Fn() -> Vec<Arg<'static>>) -> Run {
    let interp = profile_in(Backend::Interpreter, src, name, make);
    let jit = profile_in(Backend::Jit, src, name, make);
    assert_eq!(interp, jit, "interpreter vs JIT profile of `{name}`");
    assert!(jit.1.is_some(), "a profile");
    jit
}

fn hits_of(run: &Run, function: &str, line: u32) -> u64 {
    let functions = run.1.as_ref().unwrap();
    let (_, _, lines) = functions.iter().find(|(n, _, _)| n == function).unwrap();
    lines.iter().find(|(l, _)| *l == line).unwrap().1
}

const NEST: &str = "\
fn nest(n: i64, m: i64) -> i64 {
    let mut s = 0;
    for i in 0..n {
        for j in 0..m {
            if j % 2 == 1 {
                continue;
            }
            s += i * j;
        }
    }
    s
}
";

#[test]
fn loop_nest_with_continue() {
    let (n, m) = (7u64, 5u64);
    let run = same_in_both_tiers(NEST, "nest", &|| vec![Arg::from(7i64), Arg::from(5i64)]);
    assert_eq!(hits_of(&run, "nest", 1), 1);
    assert_eq!(hits_of(&run, "nest", 3), n + 1);
    assert_eq!(hits_of(&run, "nest", 4), n * (m + 1));
    assert_eq!(hits_of(&run, "nest", 5), n * m);
    assert_eq!(hits_of(&run, "nest", 6), n * (m / 2));
    assert_eq!(hits_of(&run, "nest", 8), n * (m - m / 2));
    assert_eq!(hits_of(&run, "nest", 11), 1);
}

#[test]
fn empty_and_reversed_ranges_steps_and_inclusive_ends() {
    let src = "\
fn ranges(n: i64) -> i64 {
    let mut s = 0;
    for i in 0..0 {
        s += i;
    }
    for i in (0..n).rev() {
        s += i;
    }
    for i in (0..=n).step_by(3) {
        s -= i;
    }
    s
}
";
    let run = same_in_both_tiers(src, "ranges", &|| vec![Arg::from(10i64)]);
    assert_eq!(
        hits_of(&run, "ranges", 3),
        1,
        "an empty loop is entered once"
    );
    assert_eq!(hits_of(&run, "ranges", 4), 0);
    assert_eq!(hits_of(&run, "ranges", 7), 10);
    assert_eq!(hits_of(&run, "ranges", 10), 4, "0, 3, 6, 9");
}

#[test]
fn while_loop_break_values_and_tails() {
    let src = "\
fn control(n: u32) -> u32 {
    let mut k = 0;
    while k < n {
        k += 1;
    }
    let found = 'outer: loop {
        for j in 0..n {
            if j * j > n {
                break 'outer j;
            }
        }
        break 7;
    };
    let pick = if found > 2 { found * 2 } else { found + 1 };
    let t = {
        let u = pick + 1;
        u * 3
    };
    k + t
}
";
    let run = same_in_both_tiers(src, "control", &|| vec![Arg::from(20u32)]);
    assert_eq!(hits_of(&run, "control", 4), 20);
    assert_eq!(
        hits_of(&run, "control", 3),
        21,
        "entered once, 20 iterations"
    );
    assert_eq!(hits_of(&run, "control", 8), 6, "j = 0..=5");
    assert_eq!(hits_of(&run, "control", 9), 1);
    assert_eq!(hits_of(&run, "control", 12), 0);
    assert_eq!(hits_of(&run, "control", 17), 1, "a block tail");
}

const CALLS: &str = "\
fn fib(n: i64) -> i64 {
    if n < 2 {
        return n;
    }
    fib(n - 1) + fib(n - 2)
}
fn outer(x: &mut [f64], n: i64) -> i64 {
    for i in 0..x.len() {
        x[i] = helper(i as f64);
    }
    fib(n)
}
fn helper(v: f64) -> f64 {
    v.sqrt() * 0.5
}
";

#[test]
fn recursion_and_calls() {
    let run = same_in_both_tiers(CALLS, "outer", &|| {
        let x: &'static mut [f64] = Box::leak(vec![0.0; 9].into_boxed_slice());
        vec![Arg::from(x), Arg::from(10i64)]
    });
    assert_eq!(run.0, Ok(Value::I64(55)));
    let functions = run.1.as_ref().unwrap();
    let calls = |name: &str| functions.iter().find(|f| f.0 == name).unwrap().1;
    assert_eq!(calls("fib"), 177, "fib(10) makes 177 calls");
    assert_eq!(calls("helper"), 9);
    assert_eq!(calls("outer"), 1);
    assert_eq!(hits_of(&run, "fib", 3), 89, "the base cases");
    assert_eq!(hits_of(&run, "fib", 5), 88);
}

#[test]
fn an_error_in_a_callee_keeps_the_partial_profile_in_both_tiers() {
    let src = "\
fn sum(x: &[i64], n: usize) -> i64 {
    let mut s = 0;
    for k in 0..3 {
        s += part(x, n + k);
    }
    s
}
fn part(x: &[i64], n: usize) -> i64 {
    let mut s = 0;
    for i in 0..n {
        s += x[i];
    }
    s
}
";
    let run = same_in_both_tiers(src, "sum", &|| {
        vec![Arg::from(vec![1i64; 5].leak() as &[i64]), Arg::from(4usize)]
    });
    assert!(
        run.0.as_ref().unwrap_err().contains("out of bounds"),
        "{run:?}"
    );
    assert_eq!(hits_of(&run, "sum", 4), 3, "the third call fails");
    assert_eq!(
        hits_of(&run, "part", 11),
        4 + 5 + 6,
        "4 and 5 reads, then 5 and the failing one"
    );
    let functions = run.1.as_ref().unwrap();
    assert_eq!(functions.iter().find(|f| f.0 == "part").unwrap().1, 3);
    assert_eq!(hits_of(&run, "sum", 6), 0);
}

#[test]
fn recursion_past_the_limit_keeps_the_partial_profile() {
    let src = "\
fn depth(n: i64) -> i64 {
    if n <= 1 {
        return 1;
    }
    1 + depth(n - 1)
}
";
    let run = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(|| same_in_both_tiers(src, "depth", &|| vec![Arg::from(600i64)]))
        .unwrap()
        .join()
        .unwrap();
    assert!(run.0.as_ref().unwrap_err().contains("recursion"), "{run:?}");
    assert_eq!(hits_of(&run, "depth", 1), 512);
    assert_eq!(hits_of(&run, "depth", 5), 512);
}

#[test]
fn jit_errors_report_the_interpreters_error_and_partial_counts() {
    let src = "\
fn f(x: &[i64], n: usize) -> i64 {
    let mut s = 0;
    for i in 0..n {
        s += x[i];
    }
    s
}
";
    let module = module(src, Backend::Jit);
    let f = module.function("f").unwrap();
    let x = vec![1i64; 4];
    let failure = f
        .profile(&mut [Arg::from(&x), Arg::from(10usize)])
        .unwrap_err();
    let Error::Kernel(kernel) = &*failure.error else {
        panic!("expected a kernel error, got {}", failure.error);
    };
    assert!(
        matches!(kernel.kind, ErrorKind::IndexOutOfBounds { .. }),
        "{kernel}"
    );
    let profile = failure.profile.expect("a partial profile");
    let line = profile.function("f").unwrap();
    assert_eq!(line.line(4).unwrap().hits, 5);
    assert_eq!(line.line(3).unwrap().hits, 6);
    assert_eq!(line.line(6).unwrap().hits, 0);
    assert!(line.total > std::time::Duration::ZERO);
}

#[test]
fn profiling_leaves_results_and_ordinary_calls_unchanged() {
    let src = "\
fn axpy(a: f64, x: &[f64], y: &mut [f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..x.len() {
        y[i] += a * x[i];
        acc += y[i].sin();
    }
    acc
}
";
    let module = module(src, Backend::Jit);
    let f = module.function("axpy").unwrap();
    let x: Vec<f64> = (0..1001).map(|i| i as f64 * 0.01).collect();
    let mut plain_y = vec![1.5f64; 1001];
    let mut profiled_y = plain_y.clone();
    let plain = f
        .call(&mut [Arg::from(0.7), Arg::from(&x), Arg::from(&mut plain_y)])
        .unwrap();
    let (profiled, profile) = f
        .profile(&mut [Arg::from(0.7), Arg::from(&x), Arg::from(&mut profiled_y)])
        .unwrap();
    assert_eq!(
        plain.as_f64().map(f64::to_bits),
        profiled.as_f64().map(f64::to_bits)
    );
    assert!(plain_y
        .iter()
        .zip(&profiled_y)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    // The elementwise loop is vectorised in ordinary code; counted code runs it scalar.
    assert_eq!(
        profile.function("axpy").unwrap().line(4).unwrap().hits,
        1001
    );
    // Ordinary calls still run the ordinary code, after a profile as before it.
    let again = f
        .call(&mut [Arg::from(0.7), Arg::from(&x), Arg::from(&mut plain_y)])
        .unwrap();
    assert!(again.as_f64().is_some());
}

#[test]
fn nbody_inner_loop_lines_carry_most_of_the_time_in_the_jit() {
    common::profile_nbody::assert_inner_loop_dominates(Backend::Jit);
}

#[test]
fn parallel_loops_run_sequentially_when_profiled() {
    // One counter buffer per call: a profiled `prange` runs in order, so its hits are exact
    // and its float sum is the sequential one (the interpreter's, to the bit).
    let src = "\
fn par(n: i64) -> f64 {
    let mut s = 0.0;
    for i in prange(0..n) {
        if i % 3 == 0 {
            continue;
        }
        s += 1.0 / (i as f64 + 0.5);
    }
    s
}
";
    let run = same_in_both_tiers(src, "par", &|| vec![Arg::from(10_000i64)]);
    assert_eq!(hits_of(&run, "par", 7), 6_666);
}
