//! Fuzz target 1: arbitrary bytes (seeded with the golden corpus, so libFuzzer's mutations
//! are mutations of real kernels) → parse + check → JIT compile of every concrete function.
//! Any panic, stack overflow or (with `-timeout`) slow input is a finding.
#![no_main]

use kernel_jit::{Jit, JitOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(program) = kernel_ir::compile(source) else {
        return;
    };
    let Ok(mut jit) = Jit::new(JitOptions::default()) else {
        return;
    };
    for name in program.function_names() {
        if let Some(id) = program.concrete(name) {
            // A JIT error on checked IR is a bug, but not a crash: libFuzzer only reports
            // panics, so make it one.
            if let Err(error) = jit.compile(&program, id) {
                panic!("the JIT rejected checked function `{name}`: {error}");
            }
        }
    }
});
