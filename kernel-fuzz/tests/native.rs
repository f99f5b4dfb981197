//! The native tier against the interpreter and the JIT on generated programs.
//!
//! `build.rs` compiled a fixed set of generated programs (no `_` parameters: the native tier
//! has none) into `#[kernel]` modules and listed their `NATIVE` tables; this test regenerates
//! each program from its seed, runs it on a few random inputs in all three tiers (the native
//! one through `Module::native`, the same call path as the others) and demands the same
//! outcome (return bits, arrays afterwards, runtime error kind and location, no panic).
//!
//! Long run (each program is compiled by rustc, so a few thousand take a while):
//! `KERNELC_NATIVE_PROGRAMS=2000 KERNELC_NATIVE_SEED=1000000 cargo test --release -p kernel-fuzz --test native`.

use kernel_fuzz::gen::{self, Config};
use kernel_fuzz::harness;
use kernel_runtime::{Backend, Module, NativeTable};

include!(concat!(env!("OUT_DIR"), "/native_programs.rs"));

/// Input sets per program.
const INPUTS_PER_PROGRAM: u64 = 4;

fn check(seed: u64, table: &'static NativeTable) -> Result<u64, String> {
    let program = gen::program(seed, Config { generic: false });
    let native_module =
        Module::native(table).map_err(|e| format!("seed {seed}: native module: {e}"))?;
    let interp = harness::compile(&program, Backend::Interpreter)
        .map_err(|f| format!("seed {seed}: interp does not compile: {f:?}"))?;
    let jit = harness::compile(&program, Backend::Jit)
        .map_err(|f| format!("seed {seed}: jit does not compile: {f:?}"))?;
    let mut errors = 0;
    for k in 0..INPUTS_PER_PROGRAM {
        let inputs = gen::inputs(&program, seed.wrapping_mul(17).wrapping_add(k));
        let native = harness::run_module(&native_module, &program, &inputs);
        let a = harness::run_module(&interp, &program, &inputs);
        let b = harness::run_module(&jit, &program, &inputs);
        let agree = harness::agree(&program, &native, &a) && harness::agree(&program, &native, &b);
        if !agree || native.is_panic() || a.is_panic() || b.is_panic() {
            return Err(harness::report(
                &program,
                &inputs,
                &[("native", &native), ("interp", &a), ("jit", &b)],
            ));
        }
        errors += u64::from(native.is_kernel_error());
    }
    Ok(errors)
}

#[test]
fn native_tier_agrees_with_interpreter_and_jit() {
    let mut failures = Vec::new();
    let mut errors = 0;
    for &(seed, table) in NATIVE {
        match check(seed, table) {
            Ok(n) => errors += n,
            Err(report) => {
                eprintln!("MISMATCH {report}");
                failures.push(seed);
            }
        }
    }
    let runs = NATIVE.len() as u64 * INPUTS_PER_PROGRAM;
    eprintln!(
        "{} native programs, {runs} runs ({errors} ended in a runtime error), {} failing seeds",
        NATIVE.len(),
        failures.len()
    );
    assert!(NATIVE.len() >= 200, "too few native programs");
    assert!(
        failures.is_empty(),
        "{} failing seed(s): {failures:?}",
        failures.len()
    );
}
