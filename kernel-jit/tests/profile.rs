//! `JitOptions::profile`: instrumented code counts exact hits through `Jit::call_profiled`,
//! ordinary code carries no hooks, and a Jit without instrumentation refuses to profile.

mod support;

use std::sync::atomic::AtomicU32;

use kernel_jit::{Jit, JitError, JitOptions, JitProfile};
use support::*;

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
}";

fn options(profile: bool) -> JitOptions {
    JitOptions {
        keep_text: true,
        profile,
        ..JitOptions::default()
    }
}

fn hits(profile: &JitProfile, line: u32) -> u64 {
    profile
        .lines
        .iter()
        .find(|l| l.line == line)
        .map_or(0, |l| l.hits)
}

#[test]
fn instrumented_code_counts_exact_hits() {
    let compiled = compile_with(NEST, options(true));
    let id = compiled.program.concrete("nest").unwrap();
    let flag = AtomicU32::new(0);
    let args = [i(7), i(5)];
    compiled.jit.check_args(id, &args).unwrap();
    // SAFETY: scalar arguments only, checked above.
    let call = unsafe { compiled.jit.call_profiled(id, &args, &flag) }.unwrap();
    assert_eq!(call.result.unwrap().first() as i64, 126);
    let profile = &call.profile;
    assert_eq!(hits(profile, 1), 1);
    assert_eq!(hits(profile, 3), 8);
    assert_eq!(hits(profile, 4), 7 * 6);
    assert_eq!(hits(profile, 5), 35);
    assert_eq!(hits(profile, 6), 14);
    assert_eq!(hits(profile, 8), 21);
    assert_eq!(profile.functions.len(), 1);
    assert_eq!(profile.functions[0].calls, 1);
    let own: std::time::Duration = profile.lines.iter().map(|l| l.time).sum();
    assert!(own <= profile.functions[0].total + std::time::Duration::from_micros(50));
    // A plain call of instrumented code counts nothing and still computes the result.
    assert_eq!(compiled.i64("nest", &args), 126);
}

#[test]
fn ordinary_code_carries_no_hooks() {
    let plain = compile_with(NEST, options(false));
    let counted = compile_with(NEST, options(true));
    let id = plain.program.concrete("nest").unwrap();
    let plain_clif = plain.jit.clif(id).unwrap();
    let counted_clif = counted.jit.clif(id).unwrap();
    assert!(!plain_clif.contains("call "), "{plain_clif}");
    assert!(counted_clif.contains("call "), "{counted_clif}");
    // The same code as a Jit that never heard of profiling (the default options).
    let default = compile_with(
        NEST,
        JitOptions {
            keep_text: true,
            ..JitOptions::default()
        },
    );
    assert_eq!(default.jit.clif(id).unwrap(), plain_clif);
}

#[test]
fn a_plain_jit_refuses_to_profile() {
    let plain = compile_with(NEST, options(false));
    let id = plain.program.concrete("nest").unwrap();
    let flag = AtomicU32::new(0);
    // SAFETY: scalar arguments of the right count and kinds.
    let refused = unsafe { plain.jit.call_profiled(id, &[i(1), i(1)], &flag) };
    assert!(matches!(refused, Err(JitError::NotInstrumented)));
    let jit = Jit::new(options(true)).unwrap();
    assert!(jit.options().profile);
}
