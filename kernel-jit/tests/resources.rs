//! Code memory is freed on drop, compile latency, generated text, incremental compilation.

mod support;

use std::time::Instant;

use kernel_ir::ArgType;
use kernel_jit::{Jit, JitError, JitOptions};
use support::*;

use support::nbody::NBODY;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("resident pages");
    pages * 4096
}

#[test]
fn dropping_a_jit_frees_its_code() {
    let program = kernel_ir::compile(NBODY).expect("compiles");
    let id = program.concrete("derivatives").unwrap();
    let cycle = || {
        let mut jit = Jit::new(JitOptions::default()).expect("jit");
        jit.compile(&program, id).expect("compile");
    };
    for _ in 0..200 {
        cycle();
    }
    let before = rss_bytes();
    for _ in 0..10_000 {
        cycle();
    }
    let grown = rss_bytes().saturating_sub(before);
    println!("RSS growth over 10,000 JIT lifetimes: {} KiB", grown / 1024);
    assert!(grown < 4 << 20, "RSS grew by {grown} bytes");
}

#[test]
fn nbody_matches_a_rust_reference_and_compiles_fast() {
    let mut samples = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        let program = kernel_ir::compile(NBODY).expect("compiles");
        let id = program.concrete("derivatives").unwrap();
        let mut jit = Jit::new(JitOptions::default()).expect("jit");
        jit.compile(&program, id).expect("compile");
        samples.push(started.elapsed());
    }
    samples.sort();
    println!(
        "N-body derivatives, source → callable: median {:?} (min {:?}, max {:?}; debug build)",
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1]
    );

    let c = compile(NBODY);
    let n = 20usize;
    let mut state: Vec<f64> = (0..n * 6)
        .map(|k| ((k * 37 % 101) as f64) / 10.0 - 5.0)
        .collect();
    let mut out = vec![0.0; n * 6];
    c.call(
        "derivatives",
        &[mat(&mut state, n as u64, 6), mat(&mut out, n as u64, 6)],
    )
    .unwrap();
    let mut want = vec![0.0; n * 6];
    for i in 0..n {
        for k in 0..3 {
            want[i * 6 + k] = state[i * 6 + 3 + k];
        }
        let mut acc = [0.0f64; 3];
        for j in 0..n {
            if i != j {
                let d: Vec<f64> = (0..3)
                    .map(|k| state[j * 6 + k] - state[i * 6 + k])
                    .collect();
                let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + 0.01;
                let inv = 1.0 / (r2 * r2.sqrt());
                for k in 0..3 {
                    acc[k] += d[k] * inv;
                }
            }
        }
        for k in 0..3 {
            want[i * 6 + 3 + k] = acc[k];
        }
    }
    assert_eq!(out, want);
}

#[test]
fn generic_instances_compile_incrementally() {
    let src = "fn scale(x: _, k: f64) -> f64 { x[0] * k }\n\
               fn twice(x: _) -> _ { x + x }";
    let mut program = kernel_ir::compile(src).expect("compiles");
    let mut jit = Jit::new(JitOptions::default()).unwrap();
    let f64_array = ArgType::Array {
        elem: kernel_ir::Scalar::F64,
        rank: 1,
        mutable: false,
    };
    let a = program
        .instantiate(
            "scale",
            &[f64_array, ArgType::Scalar(kernel_ir::Scalar::F64)],
        )
        .unwrap();
    jit.compile(&program, a).unwrap();
    let b = program
        .instantiate("twice", &[ArgType::Scalar(kernel_ir::Scalar::I32)])
        .unwrap();
    jit.compile(&program, b).unwrap();
    let c = program
        .instantiate("twice", &[ArgType::Scalar(kernel_ir::Scalar::F64)])
        .unwrap();
    jit.compile(&program, c).unwrap();
    let mut x = [4.0f64];
    // SAFETY: arguments match the instances' parameters; `x` outlives the call.
    unsafe {
        assert_eq!(jit.call(a, &[vec1(&mut x), f(0.5)]).unwrap().as_f64(), 2.0);
        assert_eq!(jit.call(b, &[i(-21)]).unwrap().as_i64(), -42);
        assert_eq!(jit.call(c, &[f(1.25)]).unwrap().as_f64(), 2.5);
    }
    // Compiling again is a no-op.
    jit.compile(&program, c).unwrap();
}

#[test]
fn argument_mismatches_are_errors_not_crashes() {
    let c = compile("fn f(x: &[f64], k: i64) -> i64 { k }");
    let id = c.program.concrete("f").unwrap();
    let mut data = [0.0f64];
    assert!(matches!(
        c.jit.check_args(id, &[i(1)]),
        Err(JitError::ArgumentCount {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        c.jit.check_args(id, &[i(1), i(2)]),
        Err(JitError::ArgumentKind { index: 0, .. })
    ));
    assert!(c.jit.check_args(id, &[vec1(&mut data), i(2)]).is_ok());
    let other = kernel_ir::compile("fn a() {}\nfn b() {}").unwrap();
    let b = other.concrete("b").unwrap();
    assert!(matches!(
        c.jit.check_args(b, &[]),
        Err(JitError::NotCompiled(_))
    ));
}

#[test]
fn clif_and_asm_are_kept_on_request() {
    let c = compile_with(
        "fn f(x: f64) -> f64 { x.sin() * 2.0 }",
        JitOptions {
            keep_text: true,
            ..JitOptions::default()
        },
    );
    let id = c.program.concrete("f").unwrap();
    assert!(c.jit.clif(id).unwrap().contains("function"));
    assert!(c.jit.asm(id).unwrap().len() > 10);
    let plain = compile("fn f(x: f64) -> f64 { x }");
    assert!(plain
        .jit
        .clif(plain.program.concrete("f").unwrap())
        .is_none());
}

#[test]
fn one_jit_runs_kernels_on_several_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Jit>();
    let c = compile(
        "fn sum(x: &[i64], d: i64) -> i64 {\n    let mut s = 0;\n    for i in 0..x.len() { s += x[i] / d; }\n    s\n}",
    );
    std::thread::scope(|scope| {
        for t in 0..4i64 {
            let c = &c;
            scope.spawn(move || {
                let mut data: Vec<i64> = (0..1000).map(|k| k * (t + 1)).collect();
                for _ in 0..200 {
                    assert_eq!(c.i64("sum", &[vec1(&mut data), i(1)]), 499_500 * (t + 1));
                    let error = c.call("sum", &[vec1(&mut data), i(0)]).unwrap_err();
                    assert_eq!(error.kind, kernel_ir::ErrorKind::DivisionByZero);
                }
            });
        }
    });
}

#[test]
fn callees_get_an_entry_when_compiled_as_roots() {
    let program = kernel_ir::compile(
        "fn outer(x: i64) -> i64 { inner(x) + 1 }\nfn inner(x: i64) -> i64 { x * 10 }",
    )
    .unwrap();
    let outer = program.concrete("outer").unwrap();
    let inner = program.concrete("inner").unwrap();
    let mut jit = Jit::new(JitOptions::default()).unwrap();
    jit.compile(&program, outer).unwrap();
    assert!(jit.is_compiled(outer));
    assert!(!jit.is_compiled(inner), "reached only by a call so far");
    jit.compile(&program, inner).unwrap();
    assert!(jit.is_compiled(inner));
    // SAFETY: scalar arguments matching the parameters.
    unsafe {
        assert_eq!(jit.call(outer, &[i(4)]).unwrap().as_i64(), 41);
        assert_eq!(jit.call(inner, &[i(4)]).unwrap().as_i64(), 40);
    }
}
