//! `Function::profile`: exact hit counts on loop nests (with a `continue` path), the same
//! results as an ordinary call, the hot lines of an N-body kernel, and the partial profile of
//! a call stopped by a runtime error.

mod common;

use kernel_runtime::{Arg, Backend, Error, ErrorKind, Module, Options, Value};

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

fn module(src: &str, backend: Backend) -> Module {
    let options = Options {
        backend,
        ..Options::default()
    };
    Module::compile_with(src, options).unwrap()
}

#[test]
fn loop_nest_hits_are_exact() {
    let module = module(NEST, Backend::Interpreter);
    let f = module.function("nest").unwrap();
    let (n, m) = (7i64, 5i64);
    let (value, profile) = f.profile(&mut [Arg::from(n), Arg::from(m)]).unwrap();
    let want: i64 = (0..n)
        .flat_map(|i| (0..m).filter(|j| j % 2 == 0).map(move |j| i * j))
        .sum();
    assert_eq!(value, Value::I64(want));
    let nest = profile.function("nest").unwrap();
    assert_eq!(nest.calls, 1);
    let hits = |line: u32| nest.line(line).unwrap().hits;
    let (n, m) = (n as u64, m as u64);
    let odd = m / 2;
    assert_eq!(hits(1), 1, "fn line: once per call");
    assert_eq!(hits(2), 1);
    assert_eq!(hits(3), n + 1, "outer header: n + 1 iteration checks");
    assert_eq!(hits(4), n * (m + 1), "inner header per outer iteration");
    assert_eq!(hits(5), n * m, "the n×m body");
    assert_eq!(hits(6), n * odd, "the continue path");
    assert_eq!(hits(7), 0, "closing brace");
    assert_eq!(hits(8), n * (m - odd), "skipped by continue");
    assert_eq!(hits(11), 1, "the tail");
    let text = profile.to_string();
    assert!(text.contains("Line #"), "{text}");
    assert!(text.contains("% Time"), "{text}");
    assert!(text.contains("            s += i * j;"), "{text}");
    assert!(text.contains("ncalls"), "{text}");
}

#[test]
fn profiling_never_changes_results() {
    let src = "\
fn fill(x: &mut [f64], k: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..x.len() {
        x[i] = (i as f64 * k).sin() + helper(i as f64);
        acc += x[i];
    }
    acc
}
fn helper(v: f64) -> f64 {
    v.sqrt() * 0.5
}
";
    for backend in [Backend::Interpreter, Backend::Jit] {
        let module = module(src, backend);
        let f = module.function("fill").unwrap();
        let mut a = vec![0.0f64; 100];
        let mut b = vec![0.0f64; 100];
        let plain = f.call(&mut [Arg::from(&mut a), Arg::from(0.3)]).unwrap();
        let (profiled, profile) = f.profile(&mut [Arg::from(&mut b), Arg::from(0.3)]).unwrap();
        assert_eq!(
            plain.as_f64().map(f64::to_bits),
            profiled.as_f64().map(f64::to_bits)
        );
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        let helper = profile.function("helper").unwrap();
        assert_eq!(helper.calls, 100);
        assert_eq!(helper.line(10).unwrap().hits, 100);
        let fill = profile.function("fill").unwrap();
        assert!(fill.total >= helper.total);
    }
}

#[test]
fn nbody_inner_loop_lines_carry_most_of_the_time() {
    common::profile_nbody::assert_inner_loop_dominates(Backend::Interpreter);
}

#[test]
fn a_runtime_error_keeps_the_partial_profile() {
    let src = "\
fn f(x: &[i64], n: usize) -> i64 {
    let mut s = 0;
    for i in 0..n {
        s += x[i];
    }
    s
}
";
    let module = module(src, Backend::Interpreter);
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
    assert_eq!(
        line.line(4).unwrap().hits,
        5,
        "four good reads and the failing one"
    );
    assert_eq!(line.line(3).unwrap().hits, 6);
    assert_eq!(line.line(6).unwrap().hits, 0);
}

#[test]
fn bad_arguments_give_no_profile() {
    let module = module(NEST, Backend::Interpreter);
    let f = module.function("nest").unwrap();
    let failure = f.profile(&mut [Arg::from(1i64)]).unwrap_err();
    assert!(matches!(*failure.error, Error::Argument(_)));
    assert!(failure.profile.is_none());
}
